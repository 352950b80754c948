"""The metrics computed with NetworkX (and NumPy/SciPy for the eigenvectors): the reference engine.

NetworkX functions are called through their public, dispatchable entry points, so a NetworkX
backend configured by the user (``nx.config.backend_priority``) is used where it implements them.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING

from kg._lazy import lazy_import
from kg.network.graphs import sampled_sources, scale_sampled_betweenness, undirected_weighted

if TYPE_CHECKING:
    import networkx as nx
    import numpy as np
else:  # loaded on first use, see kg._lazy
    nx = lazy_import("networkx")
    np = lazy_import("numpy")

__all__ = ["compute"]

# A dense symmetric eigensolver is exact and fast up to this many nodes; beyond, ARPACK (Lanczos).
_DENSE_LIMIT = 1500


def _leading_eigenvector(component: nx.Graph, nodes: list[Hashable]) -> np.ndarray:
    matrix = nx.to_scipy_sparse_array(component, nodelist=nodes, weight="weight", format="csr", dtype=float)
    if len(nodes) <= _DENSE_LIMIT:
        _, vectors = np.linalg.eigh(matrix.toarray())
        vector = vectors[:, -1]
    else:
        import scipy.sparse.linalg  # only large components need it

        _, vectors = scipy.sparse.linalg.eigsh(matrix, k=1, which="LA", tol=0, v0=np.ones(len(nodes)))
        vector = vectors[:, 0]
    vector = np.abs(vector)
    return np.asarray(vector / np.linalg.norm(vector))


def eigenvector(graph: nx.Graph) -> dict[Hashable, float]:
    """Per connected component, unit length, times sqrt(component size / nodes with a neighbour);
    isolated nodes 0."""
    symmetric = undirected_weighted(graph)
    values: dict[Hashable, float] = {node: 0.0 for node in symmetric}
    components = [c for c in nx.connected_components(symmetric) if len(c) > 1]
    total = sum(len(c) for c in components)  # isolated nodes do not dilute the others
    for component in components:
        nodes = [n for n in symmetric if n in component]
        vector = _leading_eigenvector(symmetric.subgraph(nodes), nodes) * np.sqrt(len(nodes) / total)
        values.update(zip(nodes, (float(v) for v in vector)))
    return values


def betweenness(graph: nx.Graph, samples: int | None) -> dict[Hashable, float]:
    """Normalised, unweighted; estimated from ``samples`` sources when given."""
    if samples is None:
        return dict(nx.betweenness_centrality(graph, normalized=True, weight=None))
    sources = sampled_sources(graph, samples)
    raw = nx.betweenness_centrality_subset(graph, sources=sources, targets=list(graph), normalized=False, weight=None)
    # The subset function halves the counts of an undirected graph; the estimator wants them whole.
    factor = 1.0 if graph.is_directed() else 2.0
    return scale_sampled_betweenness(graph, {n: v * factor for n, v in raw.items()}, sources)


def communities(graph: nx.Graph, seed: int) -> list[set[Hashable]]:
    """Louvain (modularity, resolution 1) on the undirected weighted graph."""
    symmetric = undirected_weighted(graph)
    if symmetric.number_of_edges() == 0:
        return [{node} for node in symmetric]
    return [set(part) for part in nx.community.louvain_communities(symmetric, weight="weight", seed=seed)]


def compute(graph: nx.Graph, metrics: Sequence[str], *, samples: int | None, seed: int) -> dict[str, object]:
    """Each of ``metrics`` (names of :class:`kg.network.metrics.Metric`) as a dict keyed by node;
    ``community`` as a list of node sets."""
    results: dict[str, object] = {}
    for metric in metrics:
        if metric == "degree":
            results[metric] = {node: float(value) for node, value in graph.degree()}
        elif metric == "weighted_degree":
            results[metric] = {node: float(value) for node, value in graph.degree(weight="weight")}
        elif metric == "betweenness":
            results[metric] = betweenness(graph, samples)
        elif metric == "closeness":
            results[metric] = dict(nx.closeness_centrality(graph, wf_improved=True))
        elif metric == "eigenvector":
            results[metric] = eigenvector(graph)
        elif metric == "pagerank":
            results[metric] = dict(nx.pagerank(graph, alpha=0.85, weight="weight", tol=1e-14, max_iter=100_000))
        elif metric == "core_number":
            results[metric] = {node: float(value) for node, value in nx.core_number(nx.Graph(undirected_weighted(graph))).items()}
        elif metric == "community":
            results[metric] = communities(graph, seed)
        else:  # pragma: no cover - guarded by the Metric enum
            raise ValueError(metric)
    return results
