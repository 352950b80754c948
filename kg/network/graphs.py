"""Helpers both metric engines share, so that they compute on exactly the same graph.

>>> g = nx.DiGraph([("a", "b", {"weight": 2}), ("b", "a", {"weight": 3}), ("b", "c", {})])
>>> sorted(undirected_weighted(g).edges(data="weight"))
[('a', 'b', 5), ('b', 'c', 1)]
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING

from kg._lazy import lazy_import
from kg.errors import UsageError

if TYPE_CHECKING:
    import networkx as nx
else:  # loaded on first use, see kg._lazy
    nx = lazy_import("networkx")

__all__ = ["NETWORK_FILES", "SEED", "check_graph", "sampled_sources", "scale_sampled_betweenness", "undirected_weighted"]

NETWORK_FILES = {"csv": "centrality.csv", "graphml": "network.graphml", "gexf": "network.gexf", "png": "network.png"}
"""The file each network output is written to, by output name (``kg network --output``; light, for the
CLI's argument parser)."""

SEED = 42
"""Seed of the community detection and of the sources sampled for approximate betweenness."""


def check_graph(graph: nx.Graph) -> None:
    """Refuse graphs the metrics are not defined on here.

    Raises
    ------
    UsageError
        For a multigraph, a self-loop, or an edge weight that is not a finite positive number.
    """
    if graph.is_multigraph():
        raise UsageError("the metrics need a simple graph: merge parallel edges into weights first")
    loop = next(iter(nx.selfloop_edges(graph)), None)
    if loop is not None:
        raise UsageError(f"the graph has a self-loop on {loop[0]!r}; remove self-loops first")
    for source, target, weight in graph.edges(data="weight", default=1):
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight) or weight <= 0:
            raise UsageError(f"edge {source!r} - {target!r} has weight {weight!r}; weights must be positive numbers")


def undirected_weighted(graph: nx.Graph) -> nx.Graph:
    """The graph itself when undirected; else its undirected version, with the weights of the two
    directions of a pair summed (NetworkX's own ``to_undirected`` keeps one of them)."""
    if not graph.is_directed():
        return graph
    undirected = nx.Graph()
    undirected.add_nodes_from(graph.nodes(data=True))
    for source, target, weight in graph.edges(data="weight", default=1):
        if undirected.has_edge(source, target):
            undirected.edges[source, target]["weight"] += weight
        else:
            undirected.add_edge(source, target, weight=weight)
    return undirected


def sampled_sources(graph: nx.Graph, samples: int) -> list[Hashable]:
    """The source nodes approximate betweenness uses: ``samples`` nodes drawn with :data:`SEED`,
    the same draw as NetworkX's ``betweenness_centrality(k=samples, seed=SEED)``."""
    return random.Random(SEED).sample(list(graph), samples)


def scale_sampled_betweenness(graph: nx.Graph, raw: Mapping[Hashable, float], sources: list[Hashable]) -> dict[Hashable, float]:
    """Turn pair-dependency sums from sampled sources into normalised betweenness estimates.

    ``raw[v]`` sums, over the ordered pairs (s, t) with s a sampled source, the share of shortest
    s-t paths through v. A sampled source v has ``k - 1`` sampled sources besides itself, any other
    node ``k``; each has ``n - 2`` targets. The estimate is the mean over those pairs, which is the
    estimator of NetworkX 3.5 and later.
    """
    n = graph.number_of_nodes()
    k = len(sources)
    if n <= 2:
        return {node: 0.0 for node in graph}
    chosen = set(sources)
    values = {}
    for node in graph:
        pairs = ((k - 1) if node in chosen else k) * (n - 2)
        values[node] = raw.get(node, 0.0) / pairs if pairs else 0.0
    return values
