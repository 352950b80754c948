"""Network analysis of collaboration links: SPARQL projection to NetworkX, metrics, write-back, files.

The modules, in the order data goes through them:

* :mod:`kg.network.sparql`: the SPARQL that defines the projections;
* :mod:`kg.network.projection`: runs it and builds NetworkX graphs (:func:`project`);
* :mod:`kg.network.metrics`: centrality metrics and communities as a DataFrame
  (:func:`centrality_frame`), computed by NetworkX or igraph (:class:`NetworkEngine`);
* :mod:`kg.network.ranking`: the top actors by one metric (:func:`top_actors`);
* :mod:`kg.network.writeback`: the results as triples of the analysis graph, with provenance;
* :mod:`kg.network.exports` and :mod:`kg.network.picture`: GraphML, GEXF, CSV and PNG;
* :mod:`kg.network.synthetic`: inputs of any size for benchmarks.

Examples
--------
>>> import kg
>>> from kg.network import Metric, centrality_frame, project
>>> graph = project(kg.build().store)
>>> frame = centrality_frame(graph, metrics=[Metric.DEGREE, Metric.PAGERANK])
>>> list(frame.columns)
['label', 'type', 'degree', 'pagerank', 'degree_rank', 'pagerank_rank']
"""

from typing import TYPE_CHECKING

from kg._lazy import lazy_exports

if TYPE_CHECKING:
    from kg.network.exports import (
        annotate,
        centrality_csv,
        gexf_bytes,
        graphml_bytes,
        network_files,
    )
    from kg.network.graphs import NETWORK_FILES, SEED
    from kg.network.metrics import (
        DEFAULT_METRICS,
        Metric,
        NetworkEngine,
        centrality_frame,
        metric_values,
        modularity,
        parse_metrics,
    )
    from kg.network.picture import Colouring, png_bytes
    from kg.network.projection import (
        Involvement,
        Link,
        Projection,
        actor_iris,
        bipartite_graph,
        collaboration_links,
        involvements,
        node_attributes,
        project,
        projection_query,
    )
    from kg.network.ranking import Ranking, top_actors
    from kg.network.sparql import (
        BIPARTITE_QUERY,
        COLLABORATION_QUERY,
        DIRECT_LINK_TYPES,
        SHARED_LINK_TYPES,
    )
    from kg.network.synthetic import synthetic_network, synthetic_quads
    from kg.network.writeback import analysis_triples, format_score

# Names are imported on first use (PEP 562): ``kg --version`` and ``kg query`` load neither NetworkX
# nor the network modules.
_EXPORTS = {
    "NETWORK_FILES": "kg.network.graphs", "annotate": "kg.network.exports",
    "centrality_csv": "kg.network.exports", "gexf_bytes": "kg.network.exports",
    "graphml_bytes": "kg.network.exports", "network_files": "kg.network.exports", "SEED": "kg.network.graphs",
    "DEFAULT_METRICS": "kg.network.metrics", "Metric": "kg.network.metrics",
    "NetworkEngine": "kg.network.metrics", "centrality_frame": "kg.network.metrics",
    "metric_values": "kg.network.metrics", "modularity": "kg.network.metrics",
    "parse_metrics": "kg.network.metrics", "Ranking": "kg.network.ranking", "top_actors": "kg.network.ranking",
    "Colouring": "kg.network.picture", "png_bytes": "kg.network.picture",
    "Involvement": "kg.network.projection", "Link": "kg.network.projection",
    "Projection": "kg.network.projection", "actor_iris": "kg.network.projection",
    "bipartite_graph": "kg.network.projection", "collaboration_links": "kg.network.projection",
    "involvements": "kg.network.projection", "node_attributes": "kg.network.projection",
    "project": "kg.network.projection", "projection_query": "kg.network.projection",
    "BIPARTITE_QUERY": "kg.network.sparql", "COLLABORATION_QUERY": "kg.network.sparql",
    "DIRECT_LINK_TYPES": "kg.network.sparql", "SHARED_LINK_TYPES": "kg.network.sparql",
    "synthetic_network": "kg.network.synthetic", "synthetic_quads": "kg.network.synthetic",
    "analysis_triples": "kg.network.writeback", "format_score": "kg.network.writeback",
}

if not TYPE_CHECKING:  # type checkers see the imports above
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "BIPARTITE_QUERY",
    "COLLABORATION_QUERY",
    "DEFAULT_METRICS",
    "DIRECT_LINK_TYPES",
    "NETWORK_FILES",
    "SEED",
    "SHARED_LINK_TYPES",
    "Colouring",
    "Involvement",
    "Link",
    "Metric",
    "NetworkEngine",
    "Projection",
    "Ranking",
    "actor_iris",
    "analysis_triples",
    "annotate",
    "bipartite_graph",
    "centrality_csv",
    "centrality_frame",
    "collaboration_links",
    "format_score",
    "gexf_bytes",
    "graphml_bytes",
    "involvements",
    "metric_values",
    "modularity",
    "network_files",
    "node_attributes",
    "parse_metrics",
    "png_bytes",
    "project",
    "projection_query",
    "synthetic_network",
    "synthetic_quads",
    "top_actors",
]
