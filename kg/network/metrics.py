"""Centrality metrics of a projected network, as a DataFrame with one row per node.

How each metric treats weights, directions and components (a weight is a number of links: a
strength, not a distance):

* ``degree``: number of neighbours (in + out on a directed graph); unweighted.
* ``weighted_degree``: sum of the weights of the node's edges (in + out on a directed graph).
* ``betweenness``: share of the shortest paths between two other nodes that pass through the node,
  on the unweighted graph, normalised by the number of ordered pairs ``(n-1)(n-2)`` (so between 0
  and 1 on both directed and undirected graphs); pairs in different components have no path and
  count for nothing. Exact by default. With ``betweenness_samples=k`` (``2 <= k < n``) it is
  estimated from ``k`` source nodes drawn with :data:`SEED` and the column is
  ``betweenness_approx``.
* ``closeness``: inverse mean distance to the nodes that can be reached (on a directed graph:
  that reach the node), unweighted, with the Wasserman-Faust correction (times ``(r-1)/(n-1)``, r
  the size of the reachable set), so an actor of a small component is not rated above a broker of
  the main one; an isolated node gets 0.
* ``eigenvector``: leading eigenvector of the weighted adjacency matrix, computed on each connected
  component separately (on a disconnected graph the eigenvector of the whole matrix is zero outside
  one component, and undefined when components tie), normalised to unit length in its component and
  multiplied by the square root of the component's share of the nodes that have a neighbour. On a
  connected graph it is NetworkX's ``eigenvector_centrality``; the whole vector has unit length; an
  isolated node gets 0 and does not change the others' values. A directed graph is made undirected
  first, summing the weights of both directions.
* ``pagerank``: weighted, damping 0.85, on the whole graph; isolated (dangling) nodes spread their
  rank uniformly; follows the direction of a directed graph.
* ``core_number``: the largest k such that the node is in the k-core; unweighted, undirected.
* ``community``: Louvain communities (modularity, resolution 1, weighted, undirected) with seed
  :data:`SEED`, numbered 0, 1, ... by decreasing size (ties: by smallest member); an isolated node is
  a community of its own.

Each metric but ``community`` has a ``*_rank`` column: 1 for the highest value; values closer than
:data:`RANK_TOLERANCE` (relative) tie and share the smallest rank, so rounding noise does not split
actors that hold the same position.

Two engines compute the same values (:class:`NetworkEngine`): NetworkX, the default, and igraph for
large graphs; only the communities may differ between them (each engine's Louvain finds its own
partition).
"""

from __future__ import annotations

import enum
import importlib.util
import math
from collections.abc import Hashable, Iterable, Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from kg._lazy import lazy_import
from kg.errors import UsageError
from kg.network import engine_igraph, engine_networkx
from kg.network.graphs import SEED, check_graph, undirected_weighted

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd
else:  # loaded on first use, see kg._lazy
    nx = lazy_import("networkx")
    pd = lazy_import("pandas")

__all__ = [
    "DEFAULT_METRICS",
    "RANK_TOLERANCE",
    "SEED",
    "Metric",
    "NetworkEngine",
    "centrality_frame",
    "metric_values",
    "modularity",
    "number_communities",
    "parse_metrics",
    "rank",
    "resolve_engine",
]

RANK_TOLERANCE = 1e-9
"""Relative difference under which two values tie for a rank."""


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


class NetworkEngine(enum.Enum):
    """The library that computes the metrics."""

    AUTO = "auto"
    """The default: igraph where it is installed (a dependency of kikg), else NetworkX, and communities
    by NetworkX's Louvain either way, so the values do not depend on what is installed."""
    NETWORKX = "networkx"
    """NetworkX (pure Python): the reference."""
    IGRAPH = "igraph"
    """igraph (C): the same values much faster on large graphs, and its own Louvain for communities."""


DEFAULT_METRICS = tuple(Metric)


def parse_metrics(metrics: Iterable[Metric | str]) -> list[Metric]:
    """Metrics given as members or by name (``"pagerank"``), in order, each once.

    Examples
    --------
    >>> parse_metrics(["pagerank", Metric.DEGREE, "pagerank"])
    [<Metric.PAGERANK: 'pagerank'>, <Metric.DEGREE: 'degree'>]

    Raises
    ------
    UsageError
        For an unknown name, or no metric at all.
    """
    names = [m.value if isinstance(m, Metric) else str(m).strip() for m in metrics]
    names = [name for name in names if name]
    known = {m.value for m in Metric}
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise UsageError(f"--metrics: unknown metric {', '.join(map(repr, unknown)) or '(none given)'}; "
                         f"choose from {','.join(m.value for m in Metric)}")
    return [Metric(name) for name in dict.fromkeys(names)]

_INTEGER_METRICS = {Metric.DEGREE, Metric.CORE_NUMBER, Metric.COMMUNITY}

_DESCRIPTIONS: dict[str, dict[str, object]] = {
    "degree": {"algorithm": "number of neighbours (in + out when directed)", "weighted": False},
    "weighted_degree": {"algorithm": "sum of edge weights (in + out when directed)", "weighted": True},
    "betweenness": {"algorithm": "Brandes shortest-path betweenness", "weighted": False,
                    "normalization": "ordered pairs (n-1)(n-2)"},
    "closeness": {"algorithm": "closeness centrality", "weighted": False, "wf_improved": True,
                  "directed_distance": "incoming"},
    "eigenvector": {"algorithm": "leading eigenvector of the weighted adjacency matrix per connected component",
                    "weighted": True, "normalization": "unit length per component times sqrt(share of non-isolated nodes)",
                    "directed": "weights of both directions summed"},
    "pagerank": {"algorithm": "PageRank", "alpha": 0.85, "weighted": True, "dangling": "uniform"},
    "core_number": {"algorithm": "k-core decomposition", "weighted": False, "directed": "undirected"},
    "community": {"algorithm": "Louvain modularity maximisation", "resolution": 1.0, "seed": SEED,
                  "weighted": True, "directed": "weights of both directions summed"},
}


def _engine_module(engine: NetworkEngine) -> Any:
    return engine_igraph if engine is NetworkEngine.IGRAPH else engine_networkx


def _igraph_installed() -> bool:
    return importlib.util.find_spec("igraph") is not None


def resolve_engine(engine: NetworkEngine) -> NetworkEngine:
    """The library that computes the centralities for ``engine`` (``AUTO``: igraph where installed).

    >>> resolve_engine(NetworkEngine.NETWORKX)
    <NetworkEngine.NETWORKX: 'networkx'>
    """
    if engine is NetworkEngine.AUTO:
        return NetworkEngine.IGRAPH if _igraph_installed() else NetworkEngine.NETWORKX
    return engine


def _compute(graph: nx.Graph, metrics: list[str], engine: NetworkEngine, samples: int | None) -> dict[str, Any]:
    """Each metric by its engine: with ``AUTO``, communities by NetworkX and the rest by the fast one."""
    fast = resolve_engine(engine)
    by_engine: dict[NetworkEngine, list[str]] = {}
    for metric in metrics:
        chosen = NetworkEngine.NETWORKX if engine is NetworkEngine.AUTO and metric == "community" else fast
        by_engine.setdefault(chosen, []).append(metric)
    results: dict[str, Any] = {}
    for chosen, names in by_engine.items():
        results.update(_engine_module(chosen).compute(graph, names, samples=samples, seed=SEED))
    return results


def _engine_version(engine: NetworkEngine) -> str:
    try:
        return version("igraph" if engine is NetworkEngine.IGRAPH else "networkx")
    except PackageNotFoundError:  # pragma: no cover - the engine ran, so it is installed
        return "unknown"


def _samples(betweenness_samples: int | None, nodes: int) -> int | None:
    if betweenness_samples is None:
        return None
    if isinstance(betweenness_samples, bool) or not isinstance(betweenness_samples, int) or betweenness_samples < 2:
        raise UsageError(f"betweenness_samples must be an integer of at least 2, got {betweenness_samples!r}")
    return betweenness_samples if betweenness_samples < nodes else None


def _sorted_nodes(graph: nx.Graph) -> list[Hashable]:
    try:
        return sorted(graph)
    except TypeError:
        return sorted(graph, key=str)


def number_communities(parts: Iterable[Iterable[Hashable]]) -> dict[Hashable, int]:
    """Number communities 0, 1, ... by decreasing size, ties by their smallest member (as text).

    >>> number_communities([{"c"}, {"a", "b"}, {"d"}])
    {'a': 0, 'b': 0, 'c': 1, 'd': 2}
    """
    ordered = sorted((sorted(map(str, part)), list(part)) for part in parts)
    ordered.sort(key=lambda item: -len(item[1]))
    numbers = {node: index for index, (_, part) in enumerate(ordered) for node in part}
    return dict(sorted(numbers.items(), key=lambda item: (item[1], str(item[0]))))


def modularity(graph: nx.Graph, communities: Mapping[Hashable, int]) -> float:
    """Modularity (resolution 1, weighted) of a partition of the undirected version of ``graph``;
    ``nan`` for a graph without edges, where it is undefined.

    >>> round(modularity(nx.Graph([(0, 1), (2, 3)]), {0: 0, 1: 0, 2: 1, 3: 1}), 3)
    0.5
    """
    symmetric = undirected_weighted(graph)
    if symmetric.number_of_edges() == 0:
        return math.nan
    parts: dict[int, set[Hashable]] = {}
    for node, part in communities.items():
        parts.setdefault(part, set()).add(node)
    return float(nx.community.modularity(symmetric, list(parts.values()), weight="weight"))


def rank(values: pd.Series) -> pd.Series:
    """1 for the highest value; values within :data:`RANK_TOLERANCE` (relative) of the previous one
    share its rank, the next distinct value gets its position (1, 1, 3...).

    >>> rank(pd.Series([0.5, 1.0, 0.5 + 1e-17, 0.0], index=list("abcd"))).tolist()
    [2, 1, 2, 4]
    """
    order = sorted(range(len(values)), key=lambda i: -float(values.iloc[i]))
    ranks = [0] * len(values)
    previous = math.nan
    current = 0
    for position, i in enumerate(order, start=1):
        value = float(values.iloc[i])
        if not (abs(previous - value) <= RANK_TOLERANCE * max(abs(previous), abs(value))):
            current = position
        ranks[i] = current
        previous = value
    return pd.Series(ranks, index=values.index, dtype="Int64")


def metric_values(
    graph: nx.Graph,
    metric: Metric,
    *,
    engine: NetworkEngine = NetworkEngine.AUTO,
    betweenness_samples: int | None = None,
) -> dict[Hashable, float]:
    """One metric for every node, keyed like the graph (the function a benchmark times).

    ``community`` gives each node its community number (see :func:`number_communities`).

    Raises
    ------
    UsageError
        For a graph the metrics are not defined on (see :func:`kg.network.graphs.check_graph`),
        a bad sample size, or the igraph engine without igraph installed.

    Examples
    --------
    >>> metric_values(nx.path_graph(3), Metric.BETWEENNESS)
    {0: 0.0, 1: 1.0, 2: 0.0}
    """
    check_graph(graph)
    samples = _samples(betweenness_samples, graph.number_of_nodes())
    result = _compute(graph, [metric.value], engine, samples)[metric.value]
    if metric is Metric.COMMUNITY:
        return {node: float(number) for node, number in number_communities(result).items()}
    return dict(result)


def centrality_frame(
    graph: nx.Graph,
    *,
    metrics: Iterable[Metric | str] = DEFAULT_METRICS,
    betweenness_samples: int | None = None,
    engine: NetworkEngine = NetworkEngine.AUTO,
) -> pd.DataFrame:
    """Compute ``metrics`` for every node of ``graph``.

    Parameters
    ----------
    graph
        A simple graph, directed or not, with positive ``weight`` edge attributes (1 when missing).
    metrics
        Which metrics (members of :class:`Metric` or their names), in the order of the columns.
    betweenness_samples
        Estimate betweenness from this many sampled source nodes (column ``betweenness_approx``);
        exact when ``None`` or at least the number of nodes.
    engine
        ``AUTO`` (default: igraph where installed, communities by NetworkX), NetworkX or igraph; the
        values agree within 1e-9, igraph's communities aside.

    Returns
    -------
    pandas.DataFrame
        Index ``actor`` (the node, sorted); columns ``label``, ``type``, each metric, then each
        metric's ``*_rank``. ``frame.attrs`` holds ``projection``, ``query`` and ``custom_query``
        (from the graph's attributes) and ``parameters``: the engine, the graph's size and each
        metric's algorithm and parameters, as the write-back records them.

    Raises
    ------
    UsageError
        As :func:`metric_values`.

    Examples
    --------
    >>> g = nx.Graph([("a", "b"), ("b", "c")])
    >>> centrality_frame(g, metrics=[Metric.DEGREE, Metric.BETWEENNESS])[["degree", "betweenness", "betweenness_rank"]]
           degree  betweenness  betweenness_rank
    actor
    a           1          0.0                 2
    b           2          1.0                 1
    c           1          0.0                 2
    """
    metrics = parse_metrics(metrics)
    check_graph(graph)
    samples = _samples(betweenness_samples, graph.number_of_nodes())
    results = _compute(graph, [m.value for m in metrics], engine, samples)
    used = resolve_engine(engine)
    nodes = _sorted_nodes(graph)
    frame = pd.DataFrame(index=pd.Index(nodes, name="actor"))
    frame["label"] = pd.array([str(graph.nodes[n].get("label", n)) for n in nodes], dtype="string")
    frame["type"] = pd.array([str(graph.nodes[n].get("type", "")) for n in nodes], dtype="string")
    described: dict[str, dict[str, object]] = {}
    for metric in metrics:
        name = metric.value
        values = results[name]
        description = dict(_DESCRIPTIONS[name])
        if metric is Metric.COMMUNITY:
            if engine is NetworkEngine.AUTO and used is not NetworkEngine.NETWORKX:
                description.update(engine="networkx", engine_version=_engine_version(NetworkEngine.NETWORKX))
            numbers = number_communities(values)
            values = {node: float(number) for node, number in numbers.items()}
            description["communities"] = len(set(numbers.values()))
            score = modularity(graph, numbers)
            description["modularity"] = None if math.isnan(score) else float(f"{score:.12g}")
        elif metric is Metric.BETWEENNESS and samples is not None:
            name = "betweenness_approx"
            description.update(approximate=True, sampled_sources=samples, seed=SEED,
                               estimator="mean over the pairs of sampled sources")
        assert isinstance(values, dict)
        series = pd.Series([values[n] for n in nodes], index=frame.index, dtype="Float64")
        frame[name] = series.round().astype("Int64") if metric in _INTEGER_METRICS else series
        described[name] = description
    for name in described:
        if name != "community":
            frame[f"{name}_rank"] = rank(frame[name])
    frame.attrs.update(
        projection=str(graph.graph.get("projection", "custom")),
        query=str(graph.graph.get("query", "")),
        custom_query=bool(graph.graph.get("custom_query", "query" not in graph.graph)),
        parameters={
            "engine": used.value,
            "engine_version": _engine_version(used),
            "directed": graph.is_directed(),
            "nodes": graph.number_of_nodes(),
            "edges": graph.number_of_edges(),
            "metrics": described,
        },
    )
    return frame
