"""Every metric against igraph, within 1e-9: on the default graph (whatever it holds today), on the
hand-made dataset and on synthetic graphs of a few hundred actors; and the igraph engine against the
NetworkX engine. igraph is called here straight from its API (tests/test_network_support.py), not
through the toolkit's igraph engine, so the two implementations are independent."""

from __future__ import annotations

import math
from collections.abc import Callable

import networkx as nx
import pytest
from test_network_support import fixture_store, igraph_modularity, igraph_reference

import kg
from kg.network import (
    Metric,
    NetworkEngine,
    Projection,
    centrality_frame,
    modularity,
    project,
    synthetic_network,
)
from kg.network.graphs import sampled_sources

TOLERANCE = 1e-9
COMPARED = ("degree", "weighted_degree", "betweenness", "closeness", "eigenvector", "pagerank", "core_number")


def _directed_synthetic() -> nx.DiGraph:
    graph = nx.DiGraph()
    undirected = synthetic_network(250, seed=9)
    graph.add_nodes_from(undirected.nodes(data=True))
    for index, (source, target, data) in enumerate(undirected.edges(data=True)):
        graph.add_edge(source, target, **data)
        if index % 3 == 0:
            graph.add_edge(target, source, **data)  # some links both ways
    return graph


GRAPHS: dict[str, Callable[[], nx.Graph]] = {
    **{f"default-{p.value}": (lambda p=p: kg.build().network(projection=p)) for p in Projection},
    **{f"fixture-{p.value}": (lambda p=p: project(fixture_store(), projection=p)) for p in Projection},
    "synthetic-300": lambda: synthetic_network(300, seed=1),
    "synthetic-directed-250": _directed_synthetic,
}


@pytest.fixture(scope="module", params=sorted(GRAPHS))
def graph(request: pytest.FixtureRequest) -> nx.Graph:
    return GRAPHS[request.param]()


def _assert_matches(frame_values: dict[object, float], reference: dict[object, float], metric: str) -> None:
    assert set(frame_values) == set(reference), metric
    worst = max((abs(frame_values[n] - reference[n]) for n in reference), default=0.0)
    assert worst <= TOLERANCE, f"{metric}: differs from igraph by {worst}"


def test_every_metric_matches_igraph(graph: nx.Graph) -> None:
    frame = centrality_frame(graph, engine=NetworkEngine.NETWORKX)
    reference = igraph_reference(graph)
    for metric in COMPARED:
        _assert_matches({n: float(v) for n, v in frame[metric].items()}, reference[metric], metric)


def test_approximate_betweenness_matches_igraph_on_the_same_sources(graph: nx.Graph) -> None:
    samples = max(2, graph.number_of_nodes() // 3)
    frame = centrality_frame(graph, metrics=[Metric.BETWEENNESS], betweenness_samples=samples,
                             engine=NetworkEngine.NETWORKX)
    column = "betweenness_approx" if samples < graph.number_of_nodes() else "betweenness"
    sources = sampled_sources(graph, samples) if column == "betweenness_approx" else None
    reference = igraph_reference(graph, samples=sources)["betweenness"]
    _assert_matches({n: float(v) for n, v in frame[column].items()}, reference, column)


def test_igraph_engine_gives_the_networkx_values(graph: nx.Graph) -> None:
    reference = centrality_frame(graph, engine=NetworkEngine.NETWORKX)
    fast = centrality_frame(graph, engine=NetworkEngine.IGRAPH)
    assert list(fast.columns) == list(reference.columns)
    assert list(fast.index) == list(reference.index)
    for metric in COMPARED:
        _assert_matches({n: float(v) for n, v in fast[metric].items()},
                        {n: float(v) for n, v in reference[metric].items()}, metric)
        assert fast[f"{metric}_rank"].equals(reference[f"{metric}_rank"]), metric
    samples = max(2, graph.number_of_nodes() // 4)
    approximate = [centrality_frame(graph, metrics=[Metric.BETWEENNESS], betweenness_samples=samples, engine=e)
                   for e in (NetworkEngine.NETWORKX, NetworkEngine.IGRAPH)]
    column = approximate[0].columns[2]
    _assert_matches({n: float(v) for n, v in approximate[1][column].items()},
                    {n: float(v) for n, v in approximate[0][column].items()}, column)


def test_default_engine_is_igraph_with_the_networkx_communities(graph: nx.Graph) -> None:
    default = centrality_frame(graph)
    reference = centrality_frame(graph, engine=NetworkEngine.NETWORKX)
    assert default.attrs["parameters"]["engine"] == "igraph"
    assert default["community"].equals(reference["community"])  # the same whether igraph is installed or not
    for metric in COMPARED:
        _assert_matches({n: float(v) for n, v in default[metric].items()},
                        {n: float(v) for n, v in reference[metric].items()}, metric)


def test_communities_modularity_agrees_between_libraries(graph: nx.Graph) -> None:
    for engine in NetworkEngine:
        frame = centrality_frame(graph, metrics=[Metric.COMMUNITY], engine=engine)
        communities = {n: int(v) for n, v in frame["community"].items()}
        ours = modularity(graph, communities)
        theirs = igraph_modularity(graph, communities)
        recorded = frame.attrs["parameters"]["metrics"]["community"]["modularity"]
        if graph.number_of_edges() == 0:
            # Undefined without edges: every actor is a community of its own.
            assert math.isnan(ours) and math.isnan(theirs) and recorded is None
            assert sorted(communities.values()) == list(range(graph.number_of_nodes()))
        else:
            assert abs(ours - theirs) <= TOLERANCE
            assert recorded == pytest.approx(ours, abs=1e-11)
    if graph.number_of_edges():
        # Each engine's Louvain finds its own partition; their quality is the same to within 0.03.
        scores = [centrality_frame(graph, metrics=[Metric.COMMUNITY], engine=e).attrs["parameters"]["metrics"]
                  ["community"]["modularity"] for e in (NetworkEngine.NETWORKX, NetworkEngine.IGRAPH)]
        assert abs(scores[0] - scores[1]) <= 0.03
