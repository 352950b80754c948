"""The metrics computed with igraph (C code): the fast engine for large graphs.

Each metric is the same quantity as the NetworkX engine computes, with the same normalisation,
returned keyed by the NetworkX node; the tests check them against each other within 1e-9. The one
exception is community detection: igraph's Louvain (multilevel) finds its own partition, with the
same seed, whose modularity is comparable but whose communities may differ.

igraph is a dependency of kikg, used by default where installed (``NetworkEngine.AUTO``); without it
:func:`load_igraph` says how to get it.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING, Any

from kg._lazy import lazy_import
from kg.errors import UsageError
from kg.network.graphs import sampled_sources, scale_sampled_betweenness, undirected_weighted

if TYPE_CHECKING:
    import networkx as nx
    import numpy as np
else:  # loaded on first use, see kg._lazy
    nx = lazy_import("networkx")
    np = lazy_import("numpy")

__all__ = ["compute", "load_igraph", "seeded", "to_igraph"]


def load_igraph() -> ModuleType:
    """The ``igraph`` module.

    Raises
    ------
    UsageError
        When python-igraph is not installed.
    """
    try:
        igraph: ModuleType = importlib.import_module("igraph")
    except ImportError:
        raise UsageError(
            "the igraph engine needs python-igraph, which is not installed: pip install igraph "
            "(or use the default networkx engine)"
        ) from None
    return igraph


def to_igraph(graph: nx.Graph) -> tuple[Any, list[Hashable]]:
    """The igraph version of ``graph`` (vertex i is the i-th node of ``graph``) and the node list."""
    igraph = load_igraph()
    nodes = list(graph)
    index = {node: i for i, node in enumerate(nodes)}
    edges = list(graph.edges(data="weight", default=1))
    converted = igraph.Graph(n=len(nodes), edges=[(index[s], index[t]) for s, t, _ in edges], directed=graph.is_directed())
    converted.es["weight"] = [float(w) for *_, w in edges]
    return converted, nodes


@contextmanager
def seeded(igraph: ModuleType, seed: int) -> Iterator[None]:
    """Run igraph's randomised algorithms with their own generator seeded with ``seed``."""
    # igraph draws from one process-wide generator (Python's random module by default); seed a
    # private one for the call and put the default back, so no other code sees a changed state.
    igraph.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        igraph.set_random_number_generator(random)


def _keyed(nodes: list[Hashable], values: Sequence[float]) -> dict[Hashable, float]:
    return {node: float(value) for node, value in zip(nodes, values)}


def _betweenness(converted: Any, graph: nx.Graph, nodes: list[Hashable], samples: int | None) -> dict[Hashable, float]:
    n = len(nodes)
    directed = graph.is_directed()
    if n <= 2:
        return {node: 0.0 for node in nodes}
    if samples is None:
        # igraph counts unordered pairs of an undirected graph once, NetworkX normalises by ordered pairs.
        scale = (1.0 if directed else 2.0) / ((n - 1) * (n - 2))
        return {node: value * scale for node, value in _keyed(nodes, converted.betweenness(directed=directed)).items()}
    sources = sampled_sources(graph, samples)
    index = {node: i for i, node in enumerate(nodes)}
    raw = converted.betweenness(directed=directed, sources=[index[s] for s in sources], targets=None)
    # With sources, igraph counts a pair of an undirected graph once; the estimator wants (s, t) and (t, s).
    factor = 1.0 if directed else 2.0
    return scale_sampled_betweenness(graph, {node: value * factor for node, value in _keyed(nodes, raw).items()}, sources)


def _closeness(converted: Any, graph: nx.Graph, nodes: list[Hashable]) -> dict[Hashable, float]:
    # NetworkX: for a directed graph, distances *to* the node; Wasserman-Faust: times (r-1)/(n-1),
    # r the number of nodes that reach it (itself included). igraph leaves unreachable nodes NaN.
    n = len(nodes)
    mode = "in" if graph.is_directed() else "all"
    values = converted.closeness(mode=mode, normalized=True)
    if graph.is_directed():
        reached = converted.neighborhood_size(order=max(n, 1), mode=mode)
    else:
        membership = converted.connected_components().membership
        sizes = np.bincount(membership, minlength=1) if n else np.zeros(0, dtype=int)
        reached = [int(sizes[part]) for part in membership]
    result = {}
    for node, value, size in zip(nodes, values, reached):
        result[node] = 0.0 if size <= 1 or n <= 1 or np.isnan(value) else float(value) * (size - 1) / (n - 1)
    return result


def _eigenvector(graph: nx.Graph, nodes: list[Hashable]) -> dict[Hashable, float]:
    symmetric = undirected_weighted(graph)
    converted, order = to_igraph(symmetric)
    components = [c for c in converted.connected_components() if len(c) > 1]
    total = sum(len(c) for c in components)  # isolated nodes do not dilute the others
    values = {node: 0.0 for node in nodes}
    for component in components:
        if len(component) < 2:
            continue
        vertices = sorted(component)  # induced_subgraph numbers them in increasing order
        sub = converted.induced_subgraph(vertices)
        vector = np.abs(np.asarray(sub.eigenvector_centrality(weights="weight")))
        vector = vector / np.linalg.norm(vector) * np.sqrt(len(vertices) / total)
        for vertex, value in zip(vertices, vector):
            values[order[vertex]] = float(value)
    return values


def _communities(igraph: ModuleType, graph: nx.Graph, seed: int) -> list[set[Hashable]]:
    symmetric = undirected_weighted(graph)
    converted, order = to_igraph(symmetric)
    if converted.ecount() == 0:
        return [{node} for node in order]
    with seeded(igraph, seed):
        membership = converted.community_multilevel(weights="weight").membership
    parts: dict[int, set[Hashable]] = {}
    for node, part in zip(order, membership):
        parts.setdefault(part, set()).add(node)
    return list(parts.values())


def compute(graph: nx.Graph, metrics: Sequence[str], *, samples: int | None, seed: int) -> dict[str, object]:
    """As :func:`kg.network.engine_networkx.compute`, with igraph.

    Raises
    ------
    UsageError
        When python-igraph is not installed.
    """
    igraph = load_igraph()
    converted, nodes = to_igraph(graph)
    directed = graph.is_directed()
    results: dict[str, object] = {}
    for metric in metrics:
        if metric == "degree":
            results[metric] = _keyed(nodes, converted.degree(mode="all"))
        elif metric == "weighted_degree":
            results[metric] = _keyed(nodes, converted.strength(mode="all", weights="weight"))
        elif metric == "betweenness":
            results[metric] = _betweenness(converted, graph, nodes, samples)
        elif metric == "closeness":
            results[metric] = _closeness(converted, graph, nodes)
        elif metric == "eigenvector":
            with seeded(igraph, seed):  # ARPACK starts from a random vector: the same one on every run
                results[metric] = _eigenvector(graph, nodes)
        elif metric == "pagerank":
            results[metric] = _keyed(nodes, converted.pagerank(directed=directed, damping=0.85, weights="weight"))
        elif metric == "core_number":
            symmetric, order = to_igraph(undirected_weighted(graph))
            results[metric] = _keyed(order, symmetric.coreness())
        elif metric == "community":
            results[metric] = _communities(igraph, graph, seed)
        else:  # pragma: no cover - guarded by the Metric enum
            raise ValueError(metric)
    return results
