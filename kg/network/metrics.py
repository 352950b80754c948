"""Centrality metrics of a projected network, as a DataFrame with one row per actor.

How each metric treats weights and components:

* ``degree``: number of neighbours; ``weighted_degree``: sum of edge weights (link counts).
* ``betweenness`` and ``closeness``: on the unweighted graph (a link count is a strength, not a
  distance); betweenness normalised by the number of pairs; closeness with the Wasserman-Faust
  correction, so actors in small components are not over-rated. Exact by default; with
  ``betweenness_samples=k`` betweenness is estimated from ``k`` sampled sources with a fixed seed
  and the column is named ``betweenness_approx``.
* ``eigenvector``: computed on each connected component separately and normalised to unit length
  within it, because on a disconnected graph the leading eigenvector is zero outside one component
  (and undefined when components tie); isolated actors get 0.
* ``pagerank``: weighted, damping 0.85, on the whole graph (isolated actors are dangling nodes and
  share their rank uniformly).
* ``core_number``: the k-core number (unweighted).
* ``community``: Louvain communities (weighted) with a fixed seed, numbered by decreasing size.

Each metric column has a ``*_rank`` column: 1 for the highest value, ties sharing the smallest rank.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import networkx as nx
import pandas as pd

__all__ = ["Metric", "DEFAULT_METRICS", "centrality_frame", "SEED"]

SEED = 42
"""Seed of the community detection and of sampled betweenness."""


class Metric(enum.Enum):
    """The metrics :func:`centrality_frame` computes."""

    DEGREE = "degree"
    WEIGHTED_DEGREE = "weighted_degree"
    BETWEENNESS = "betweenness"
    CLOSENESS = "closeness"
    EIGENVECTOR = "eigenvector"
    PAGERANK = "pagerank"
    CORE_NUMBER = "core_number"
    COMMUNITY = "community"


DEFAULT_METRICS = tuple(Metric)


def _eigenvector_by_component(graph: nx.Graph) -> dict[str, float]:
    values: dict[str, float] = {}
    undirected = graph.to_undirected() if graph.is_directed() else graph
    for component in nx.connected_components(undirected):
        if len(component) < 2:
            values.update({node: 0.0 for node in component})
            continue
        sub = undirected.subgraph(component)
        values.update(nx.eigenvector_centrality_numpy(sub, weight="weight"))
    return {node: abs(value) for node, value in values.items()}


def _communities(graph: nx.Graph) -> dict[str, int]:
    undirected = graph.to_undirected() if graph.is_directed() else graph
    if undirected.number_of_edges() == 0:
        return {node: index for index, node in enumerate(sorted(undirected))}
    parts = nx.community.louvain_communities(undirected, weight="weight", seed=SEED)
    ordered = sorted(parts, key=lambda part: (-len(part), min(part)))
    return {node: index for index, part in enumerate(ordered) for node in part}


def centrality_frame(
    graph: nx.Graph,
    *,
    metrics: Iterable[Metric] = DEFAULT_METRICS,
    betweenness_samples: int | None = None,
) -> pd.DataFrame:
    """Compute ``metrics`` for every node of ``graph``.

    Returns
    -------
    pandas.DataFrame
        Index ``actor`` (IRI); columns ``label``, ``type``, then each metric and its ``*_rank``.

    Examples
    --------
    >>> g = nx.Graph([("a", "b"), ("b", "c")])
    >>> centrality_frame(g, metrics=[Metric.DEGREE, Metric.BETWEENNESS])[["degree", "betweenness"]]
           degree  betweenness
    actor
    a           1          0.0
    b           2          1.0
    c           1          0.0
    """
    metrics = list(metrics)
    nodes = sorted(graph.nodes)
    frame = pd.DataFrame(index=pd.Index(nodes, name="actor"))
    frame["label"] = pd.array([graph.nodes[n].get("label", n) for n in nodes], dtype="string")
    frame["type"] = pd.array([graph.nodes[n].get("type", "") for n in nodes], dtype="string")
    columns: list[str] = []
    for metric in metrics:
        name = metric.value
        if metric is Metric.DEGREE:
            values: dict[str, float] = dict(graph.degree())
        elif metric is Metric.WEIGHTED_DEGREE:
            values = dict(graph.degree(weight="weight"))
        elif metric is Metric.BETWEENNESS:
            if betweenness_samples is not None and betweenness_samples < graph.number_of_nodes():
                values = nx.betweenness_centrality(graph, k=betweenness_samples, seed=SEED, normalized=True)
                name = "betweenness_approx"
            else:
                values = nx.betweenness_centrality(graph, normalized=True)
        elif metric is Metric.CLOSENESS:
            values = nx.closeness_centrality(graph, wf_improved=True)
        elif metric is Metric.EIGENVECTOR:
            values = _eigenvector_by_component(graph)
        elif metric is Metric.PAGERANK:
            values = nx.pagerank(graph, alpha=0.85, weight="weight", tol=1e-13, max_iter=10_000)
        elif metric is Metric.CORE_NUMBER:
            simple = nx.Graph(graph.to_undirected() if graph.is_directed() else graph)
            simple.remove_edges_from(nx.selfloop_edges(simple))
            values = nx.core_number(simple)
        else:
            values = _communities(graph)
        series = pd.Series([values.get(n, 0) for n in nodes], index=frame.index)
        integer = metric in (Metric.DEGREE, Metric.CORE_NUMBER, Metric.COMMUNITY) or (
            metric is Metric.WEIGHTED_DEGREE and all(float(v).is_integer() for v in series)
        )
        frame[name] = series.astype("Int64" if integer else "Float64")
        columns.append(name)
    for name in columns:
        if name == "community":
            continue
        frame[f"{name}_rank"] = frame[name].rank(method="min", ascending=False).astype("Int64")
    return frame
