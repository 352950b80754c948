"""Metrics on small graphs with values known by hand, in both engines, and their stated behaviours."""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Hashable

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import kg
from kg.network import (
    Metric,
    NetworkEngine,
    centrality_frame,
    metric_values,
    modularity,
    synthetic_network,
)
from kg.network.metrics import rank

ENGINES = list(NetworkEngine)
R2, R3, R6 = math.sqrt(2), math.sqrt(3), math.sqrt(6)
PHI = (1 + math.sqrt(5)) / 2


def _values(frame: pd.DataFrame, column: str) -> dict[Hashable, float]:
    return {node: float(value) for node, value in frame[column].items()}


def _close(actual: dict[Hashable, float], expected: dict[Hashable, float], tolerance: float = 1e-9) -> None:
    assert set(actual) == set(expected)
    for node, value in expected.items():
        assert actual[node] == pytest.approx(value, abs=tolerance), node


def pagerank_by_linear_algebra(graph: nx.Graph, alpha: float = 0.85) -> dict[Hashable, float]:
    """PageRank solved exactly: p = (1 - alpha)/n + alpha (P^T p + dangling mass / n)."""
    nodes = list(graph)
    n = len(nodes)
    weights = nx.to_numpy_array(graph, nodelist=nodes, weight="weight")
    out = weights.sum(axis=1)
    transition = np.divide(weights, out[:, None], out=np.zeros_like(weights), where=out[:, None] > 0)
    transition[out == 0] = 1.0 / n  # a dangling node jumps anywhere
    system = np.eye(n) - alpha * transition.T
    solution = np.linalg.solve(system, np.full(n, (1 - alpha) / n))
    return dict(zip(nodes, solution / solution.sum()))


# -- known values ----------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_path(engine: NetworkEngine) -> None:
    frame = centrality_frame(nx.path_graph("abcd"), engine=engine)
    _close(_values(frame, "degree"), {"a": 1, "b": 2, "c": 2, "d": 1})
    _close(_values(frame, "betweenness"), {"a": 0, "b": 2 / 3, "c": 2 / 3, "d": 0})
    _close(_values(frame, "closeness"), {"a": 0.5, "b": 0.75, "c": 0.75, "d": 0.5})
    norm = math.sqrt(2 + 2 * PHI**2)
    _close(_values(frame, "eigenvector"), {"a": 1 / norm, "b": PHI / norm, "c": PHI / norm, "d": 1 / norm})
    _close(_values(frame, "core_number"), dict.fromkeys("abcd", 1))
    _close(_values(frame, "pagerank"), pagerank_by_linear_algebra(nx.path_graph("abcd")))
    assert frame["betweenness_rank"].tolist() == [3, 1, 1, 3]


@pytest.mark.parametrize("engine", ENGINES)
def test_star(engine: NetworkEngine) -> None:
    star = nx.star_graph(["h", "l1", "l2", "l3", "l4"])
    frame = centrality_frame(star, engine=engine)
    leaves = ["l1", "l2", "l3", "l4"]
    _close(_values(frame, "betweenness"), {"h": 1.0, **dict.fromkeys(leaves, 0.0)})
    _close(_values(frame, "closeness"), {"h": 1.0, **dict.fromkeys(leaves, 4 / 7)})
    _close(_values(frame, "eigenvector"), {"h": 1 / R2, **dict.fromkeys(leaves, 1 / (2 * R2))})
    # Solved by hand: p_h = 0.03 + 0.85 * 4 p_l, p_l = 0.03 + 0.85 p_h / 4.
    hub = 0.132 / 0.2775
    _close(_values(frame, "pagerank"), {"h": hub, **dict.fromkeys(leaves, 0.03 + 0.2125 * hub)})
    assert frame.loc["h", "degree"] == 4
    assert frame.loc["h", "betweenness_rank"] == 1 and set(frame.loc[leaves, "betweenness_rank"]) == {2}


@pytest.mark.parametrize("engine", ENGINES)
def test_two_components_and_an_isolated_actor(engine: NetworkEngine) -> None:
    graph = nx.Graph([("a", "b"), ("b", "c"), ("d", "e")])
    graph.add_node("f")
    frame = centrality_frame(graph, engine=engine)
    # Betweenness: only a-c passes through b, out of the C(5, 2) = 10 pairs without b.
    _close(_values(frame, "betweenness"), {"a": 0, "b": 0.1, "c": 0, "d": 0, "e": 0, "f": 0})
    # Closeness with Wasserman-Faust: (r-1)/sum(d) * (r-1)/(n-1), r the component size.
    _close(_values(frame, "closeness"), {"a": 2 / 3 * 2 / 5, "b": 2 / 5, "c": 2 / 3 * 2 / 5,
                                         "d": 1 / 5, "e": 1 / 5, "f": 0.0})
    # Eigenvector per component, unit length, times sqrt(share of the 5 nodes that have a neighbour).
    share3, share2 = math.sqrt(3 / 5), math.sqrt(2 / 5)
    _close(_values(frame, "eigenvector"), {"a": 0.5 * share3, "b": share3 / R2, "c": 0.5 * share3,
                                           "d": share2 / R2, "e": share2 / R2, "f": 0.0})
    assert sum(v**2 for v in _values(frame, "eigenvector").values()) == pytest.approx(1.0)
    _close(_values(frame, "pagerank"), pagerank_by_linear_algebra(graph))  # f is dangling
    assert frame["community"].to_dict() == {"a": 0, "b": 0, "c": 0, "d": 1, "e": 1, "f": 2}


@pytest.mark.parametrize("engine", ENGINES)
def test_connected_eigenvector_is_networkx_eigenvector_centrality(engine: NetworkEngine) -> None:
    graph = nx.karate_club_graph()
    frame = centrality_frame(graph, metrics=[Metric.EIGENVECTOR], engine=engine)
    _close(_values(frame, "eigenvector"), nx.eigenvector_centrality_numpy(graph, weight="weight"))


@pytest.mark.parametrize("engine", ENGINES)
def test_known_k_cores(engine: NetworkEngine) -> None:
    graph = nx.complete_graph("abcd")
    graph.add_edges_from([("e", "a"), ("e", "b"), ("f", "e")])
    graph.add_node("g")
    frame = centrality_frame(graph, metrics=[Metric.CORE_NUMBER], engine=engine)
    assert frame["core_number"].to_dict() == {"a": 3, "b": 3, "c": 3, "d": 3, "e": 2, "f": 1, "g": 0}


@pytest.mark.parametrize("engine", ENGINES)
def test_weighted_graph_pagerank_and_weighted_degree(engine: NetworkEngine) -> None:
    graph = nx.Graph()
    graph.add_weighted_edges_from([("a", "b", 3), ("b", "c", 1), ("c", "a", 2), ("d", "c", 5)])
    frame = centrality_frame(graph, engine=engine)
    _close(_values(frame, "weighted_degree"), {"a": 5, "b": 4, "c": 8, "d": 5})
    _close(_values(frame, "degree"), {"a": 2, "b": 2, "c": 3, "d": 1})
    expected = pagerank_by_linear_algebra(graph)
    _close(_values(frame, "pagerank"), expected)
    unweighted = pagerank_by_linear_algebra(nx.Graph(graph.edges))  # the weights do change the ranks
    assert abs(expected["d"] - unweighted["d"]) > 0.01
    assert frame["weighted_degree_rank"].to_dict() == {"a": 2, "b": 4, "c": 1, "d": 2}


@pytest.mark.parametrize("engine", ENGINES)
def test_directed_graph(engine: NetworkEngine) -> None:
    graph = nx.DiGraph([("a", "b"), ("b", "c")])
    frame = centrality_frame(graph, engine=engine)
    _close(_values(frame, "betweenness"), {"a": 0, "b": 0.5, "c": 0})  # 1 path of (n-1)(n-2) = 2 pairs
    _close(_values(frame, "closeness"), {"a": 0.0, "b": 0.5, "c": 2 / 3})  # distances *to* the node
    _close(_values(frame, "pagerank"), pagerank_by_linear_algebra(graph))
    # Eigenvector, core number and communities on the undirected graph.
    _close(_values(frame, "eigenvector"), {"a": 0.5, "b": 1 / R2, "c": 0.5})


def test_directed_weights_are_summed_for_the_undirected_metrics() -> None:
    graph = nx.DiGraph()
    graph.add_weighted_edges_from([("a", "b", 2), ("b", "a", 3), ("b", "c", 1)])
    expected = nx.Graph()
    expected.add_weighted_edges_from([("a", "b", 5), ("b", "c", 1)])
    for engine in ENGINES:
        _close(metric_values(graph, Metric.EIGENVECTOR, engine=engine),
               metric_values(expected, Metric.EIGENVECTOR, engine=engine))


@pytest.mark.parametrize("engine", ENGINES)
def test_empty_and_tiny_graphs(engine: NetworkEngine) -> None:
    empty = centrality_frame(nx.Graph(), engine=engine)
    assert len(empty) == 0 and "pagerank_rank" in empty.columns
    single = centrality_frame(nx.empty_graph(["x"]), engine=engine)
    assert single.loc["x", "pagerank"] == pytest.approx(1.0) and single.loc["x", "closeness"] == 0
    pair = centrality_frame(nx.Graph([("x", "y")]), engine=engine)
    _close(_values(pair, "eigenvector"), {"x": 1 / R2, "y": 1 / R2})
    _close(_values(pair, "betweenness"), {"x": 0.0, "y": 0.0})


# -- ranks, communities, approximation -----------------------------------------------------------


def test_ranks_tie_within_the_tolerance_and_skip_after_ties() -> None:
    values = pd.Series([0.3, 0.1 + 0.2, 0.2, 0.30001, 0.0, 0.0], index=list("abcdef"))
    assert 0.1 + 0.2 != 0.3
    assert rank(values).tolist() == [2, 2, 4, 1, 5, 5]


def test_communities_are_numbered_by_size_and_deterministic() -> None:
    graph = nx.Graph()
    nx.add_path(graph, ["x1", "x2", "x3"])
    graph.add_edges_from(nx.complete_graph(["a", "b", "c", "d"]).edges)
    graph.add_edge("d", "x1")
    graph.add_node("z")
    numbers = metric_values(graph, Metric.COMMUNITY)
    assert {numbers[n] for n in "abcd"} == {0.0} and {numbers[n] for n in ("x1", "x2", "x3")} == {1.0}
    assert numbers["z"] == 2.0
    synthetic = synthetic_network(300, seed=5)
    for engine in ENGINES:
        first = centrality_frame(synthetic, metrics=[Metric.COMMUNITY], engine=engine)["community"]
        second = centrality_frame(synthetic, metrics=[Metric.COMMUNITY], engine=engine)["community"]
        assert first.equals(second)
        sizes = first.value_counts().sort_index().tolist()
        assert sizes == sorted(sizes, reverse=True)


def test_igraph_communities_leave_the_global_random_state_alone() -> None:
    import igraph

    graph = synthetic_network(200, seed=2)
    random.seed(7)
    metric_values(graph, Metric.COMMUNITY, engine=NetworkEngine.IGRAPH)
    after = random.random()
    random.seed(7)
    assert after == random.random()  # igraph drew from its own seeded generator...
    state = random.getstate()
    igraph.Graph.Erdos_Renyi(n=20, p=0.5)
    assert random.getstate() != state  # ...and Python's generator is igraph's again afterwards


def test_approximate_betweenness_is_labelled_and_is_networkx_estimator() -> None:
    graph = synthetic_network(300, seed=4)
    frame = centrality_frame(graph, metrics=[Metric.BETWEENNESS], betweenness_samples=60)
    assert list(frame.columns) == ["label", "type", "betweenness_approx", "betweenness_approx_rank"]
    parameters = frame.attrs["parameters"]["metrics"]["betweenness_approx"]
    assert parameters["approximate"] is True and parameters["sampled_sources"] == 60
    _close(_values(frame, "betweenness_approx"), nx.betweenness_centrality(graph, k=60, seed=kg.network.SEED))
    exact = centrality_frame(graph, metrics=[Metric.BETWEENNESS])["betweenness"]
    assert (frame["betweenness_approx"] - exact).abs().mean() < 0.01  # an estimate, close on average
    whole = centrality_frame(graph, metrics=[Metric.BETWEENNESS], betweenness_samples=300)
    assert "betweenness" in whole.columns  # a sample of every node is the exact value


def test_modularity_of_a_partition() -> None:
    graph = nx.Graph([(0, 1), (2, 3)])
    assert modularity(graph, {0: 0, 1: 0, 2: 1, 3: 1}) == pytest.approx(0.5)
    assert math.isnan(modularity(nx.empty_graph(3), {0: 0, 1: 1, 2: 2}))


def test_frame_records_parameters() -> None:
    graph = nx.path_graph("abc")
    frame = centrality_frame(graph, engine=NetworkEngine.IGRAPH)
    parameters = frame.attrs["parameters"]
    assert parameters["engine"] == "igraph" and parameters["nodes"] == 3 and parameters["edges"] == 2
    assert parameters["metrics"]["pagerank"]["alpha"] == 0.85
    assert parameters["metrics"]["community"]["seed"] == kg.network.SEED
    assert frame.attrs["custom_query"] is True and frame.attrs["projection"] == "custom"
    assert frame.dtypes["degree"] == "Int64" and frame.dtypes["pagerank"] == "Float64"


# -- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("graph", "message"),
    [
        (nx.MultiGraph([("a", "b"), ("a", "b")]), "simple graph"),
        (nx.Graph([("a", "a")]), "self-loop"),
        (nx.Graph([("a", "b", {"weight": 0})]), "positive numbers"),
        (nx.Graph([("a", "b", {"weight": -1.5})]), "positive numbers"),
        (nx.Graph([("a", "b", {"weight": float("nan")})]), "positive numbers"),
        (nx.Graph([("a", "b", {"weight": "3"})]), "positive numbers"),
        (nx.Graph([("a", "b", {"weight": True})]), "positive numbers"),
    ],
)
def test_graphs_the_metrics_refuse(graph: nx.Graph, message: str) -> None:
    for engine in ENGINES:
        with pytest.raises(kg.UsageError, match=message):
            centrality_frame(graph, engine=engine)


@pytest.mark.parametrize("samples", [0, 1, -5, 2.5, "10", True])
def test_bad_sample_sizes(samples: object) -> None:
    with pytest.raises(kg.UsageError, match="betweenness_samples"):
        centrality_frame(nx.path_graph(5), betweenness_samples=samples)  # type: ignore[arg-type]


def test_igraph_engine_without_igraph(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "igraph", None)  # what an installation without the extra sees
    with pytest.raises(kg.UsageError, match="pip install igraph"):
        centrality_frame(nx.path_graph(3), engine=NetworkEngine.IGRAPH)
    assert len(centrality_frame(nx.path_graph(3))) == 3  # the default engine does not need it
