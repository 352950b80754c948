"""Network analysis of collaboration links: SPARQL projection to NetworkX, metrics, write-back.

See :mod:`kg.network.projection` for how the RDF graph becomes a network and
:mod:`kg.network.metrics` for how each metric treats weights and components.
"""

from kg.network.metrics import DEFAULT_METRICS, SEED, Metric, centrality_frame
from kg.network.outputs import analysis_triples, annotate, gexf_bytes, graphml_bytes, png_bytes
from kg.network.projection import (
    BIPARTITE_QUERY,
    COLLABORATION_QUERY,
    LINK_TYPES,
    Link,
    Projection,
    actor_attributes,
    bipartite_graph,
    collaboration_links,
    project,
)

__all__ = [
    "BIPARTITE_QUERY",
    "COLLABORATION_QUERY",
    "DEFAULT_METRICS",
    "LINK_TYPES",
    "Link",
    "Metric",
    "Projection",
    "SEED",
    "actor_attributes",
    "analysis_triples",
    "annotate",
    "bipartite_graph",
    "centrality_frame",
    "collaboration_links",
    "gexf_bytes",
    "graphml_bytes",
    "png_bytes",
    "project",
]
