"""Network files for other tools: GraphML (Cytoscape, Gephi, yEd), GEXF (Gephi) and the metrics CSV.

Both graph formats keep every node attribute (label, type, region, each metric and rank) and edge
attribute (weight, types, via, years, sources) with its type, and load back with
``networkx.read_graphml`` / ``networkx.read_gexf``. The output is the same bytes for the same graph.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from kg._lazy import lazy_import
from kg.errors import UsageError
from kg.network.graphs import NETWORK_FILES
from kg.network.picture import Colouring, png_bytes
from kg.network.writeback import METRIC_COLUMNS, SIGNIFICANT_DIGITS

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd
else:  # loaded on first use, see kg._lazy
    nx = lazy_import("networkx")
    pd = lazy_import("pandas")

__all__ = ["NETWORK_FILES", "annotate", "centrality_csv", "gexf_bytes", "graphml_bytes", "network_files"]

_INTEGER_COLUMNS = {"degree", "core_number", "community"}


def annotate(graph: nx.Graph, frame: pd.DataFrame) -> nx.Graph:
    """A copy of ``graph`` with the metrics and ranks of ``frame`` as node attributes.

    >>> from kg.network.metrics import Metric, centrality_frame
    >>> g = nx.path_graph(["a", "b", "c"])
    >>> annotate(g, centrality_frame(g, metrics=[Metric.DEGREE])).nodes["b"]
    {'degree': 2, 'degree_rank': 1}
    """
    annotated = graph.copy()
    columns = [c for c in frame.columns if c in METRIC_COLUMNS or c.endswith("_rank")]
    for node, values in zip(frame.index, frame[columns].itertuples(index=False, name=None)):
        if node not in annotated:
            continue
        for column, value in zip(columns, values):
            if pd.isna(value):
                continue
            integer = column in _INTEGER_COLUMNS or column.endswith("_rank")
            annotated.nodes[node][column] = int(value) if integer else float(value)
    return annotated


def graphml_bytes(graph: nx.Graph) -> bytes:
    """GraphML (for Cytoscape, Gephi, yEd)."""
    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def gexf_bytes(graph: nx.Graph) -> bytes:
    """GEXF 1.2 (for Gephi), without the writer's date stamp so that the bytes are reproducible."""
    buffer = io.BytesIO()
    nx.write_gexf(graph, buffer, encoding="utf-8", prettyprint=True)
    return re.sub(rb' lastmodifieddate="[^"]*"', b"", buffer.getvalue(), count=1)


def centrality_csv(frame: pd.DataFrame) -> bytes:
    """The frame as CSV (the node IRI first), scores with the write-back's significant digits."""
    return frame.reset_index().to_csv(index=False, lineterminator="\n", float_format=f"%.{SIGNIFICANT_DIGITS}g").encode()


def network_files(
    graph: nx.Graph,
    frame: pd.DataFrame,
    *,
    outputs: Iterable[str] | None = None,
    size_by: str = "betweenness",
    colour_by: Colouring = Colouring.COMMUNITY,
) -> dict[str, bytes]:
    """The network files that ``kg build`` and ``kg network`` write, by file name.

    Parameters
    ----------
    graph
        The projected network.
    frame
        Its metrics (:func:`kg.network.centrality_frame`).
    outputs
        Which of :data:`NETWORK_FILES` to make (by output name: ``csv``, ``graphml``...); all by default.
    size_by, colour_by
        How the picture sizes and colours the nodes (:func:`kg.network.png_bytes`); communities
        are numbers, not sizes, so ``community`` sizes by betweenness.

    Raises
    ------
    UsageError
        For an unknown output name.

    Examples
    --------
    >>> import networkx as nx
    >>> from kg.network import Metric, centrality_frame
    >>> graph = nx.path_graph(["a", "b", "c"])
    >>> frame = centrality_frame(graph, metrics=[Metric.DEGREE])
    >>> sorted(network_files(graph, frame, outputs=("csv", "graphml")))
    ['centrality.csv', 'network.graphml']
    """
    wanted = set(NETWORK_FILES) if outputs is None else set(outputs)
    unknown = sorted(wanted - set(NETWORK_FILES))
    if unknown:
        raise UsageError(f"unknown network output {', '.join(map(repr, unknown))}; choose from {', '.join(NETWORK_FILES)}")
    size_by = "betweenness" if size_by == "community" else size_by
    annotated = annotate(graph, frame)
    makers = {
        "csv": lambda: centrality_csv(frame),
        "graphml": lambda: graphml_bytes(annotated),
        "gexf": lambda: gexf_bytes(annotated),
        "png": lambda: png_bytes(graph, frame, size_by=size_by, colour_by=colour_by),
    }
    return {NETWORK_FILES[name]: makers[name]() for name in NETWORK_FILES if name in wanted}
