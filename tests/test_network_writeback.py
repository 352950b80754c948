"""Results written back into the analysis graph: content, provenance, determinism, shapes, and the
canned top-brokers query, locally and on a real Oxigraph server."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pyoxigraph as ox
import pytest
from test_network_support import FIXTURE_ACTORS, fixture_store, iri

import kg
from kg.network import (
    BIPARTITE_QUERY,
    COLLABORATION_QUERY,
    Metric,
    NetworkEngine,
    Projection,
    format_score,
)

METRIC_CONCEPTS = "\n".join(
    f"<concept/network-metric/{m}> a skos:Concept ." for m in (
        "degree", "weighted-degree", "betweenness", "betweenness-approx", "closeness", "eigenvector", "pagerank",
        "core-number", "community"))


def fixture_graph() -> kg.KnowledgeGraph:
    store = fixture_store()
    concepts = ox.parse("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n" + METRIC_CONCEPTS,
                        format=ox.RdfFormat.TURTLE, base_iri=iri(""))
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(iri("graph/table/concepts"))) for t in concepts)
    return kg.KnowledgeGraph(kg.Dataset(store=store))


def _results(graph: kg.KnowledgeGraph) -> dict[tuple[str, str], tuple[float, int | None, int | None]]:
    rows = graph.store.query(f"""PREFIX kikg: <https://w3id.org/kikg/def#>
        SELECT ?actor ?metric ?score ?rank ?community WHERE {{ GRAPH <{graph.dataset.graphs.analysis}> {{
            ?r a kikg:AnalysisResult ; kikg:resultFor ?actor ; kikg:metric ?metric ; kikg:score ?score .
            OPTIONAL {{ ?r kikg:rank ?rank }} OPTIONAL {{ ?r kikg:community ?community }} }} }}""")
    results = {}
    for row in rows:
        key = (row["actor"].value, row["metric"].value.rsplit("/", 1)[-1])
        assert key not in results  # one result per actor and metric
        results[key] = (float(row["score"].value), int(row["rank"].value) if row["rank"] else None,
                        int(row["community"].value) if row["community"] else None)
    return results


def test_every_actor_and_metric_has_its_score_and_rank() -> None:
    graph = fixture_graph()
    frame = graph.centrality()
    count = graph.write_analysis(frame)
    assert count == 5 + len(FIXTURE_ACTORS) * 8 * 6
    assert graph.triple_counts()[graph.dataset.graphs.analysis] == count
    results = _results(graph)
    assert len(results) == len(FIXTURE_ACTORS) * 8
    for actor in FIXTURE_ACTORS:
        for column in ("degree", "weighted_degree", "betweenness", "closeness", "eigenvector", "pagerank", "core_number"):
            score, rank, _ = results[actor, column.replace("_", "-")]
            value = float(frame.loc[actor, column])
            assert score == float(format_score(value))
            assert abs(score - value) <= 1e-11 * max(1.0, abs(value))
            assert rank == int(frame.loc[actor, f"{column}_rank"])
        score, rank, community = results[actor, "community"]
        assert rank is None and community == score == int(frame.loc[actor, "community"])
    assert results[iri("org/kicox"), "betweenness"][1] == results[iri("org/motie"), "betweenness"][1] == 1


def test_analysis_records_its_provenance() -> None:
    graph = fixture_graph()
    graph.write_analysis(graph.centrality(projection=Projection.DIRECTED, engine=NetworkEngine.IGRAPH,
                                          metrics=[Metric.PAGERANK, Metric.BETWEENNESS], betweenness_samples=3),
                         parameters={"note": "a test", "engine": "overridden?"})
    run = iri("analysis/directed")
    rows = list(graph.store.query(f"""PREFIX kikg: <https://w3id.org/kikg/def#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?type ?projection ?query ?parameters (COUNT(?result) AS ?results) WHERE {{
            GRAPH <{graph.dataset.graphs.analysis}> {{
                <{run}> a ?type ; kikg:projection ?projection ; kikg:projectionQuery ?query ; kikg:parameters ?parameters .
                ?result prov:wasGeneratedBy <{run}> . }} }} GROUP BY ?type ?projection ?query ?parameters"""))
    assert len(rows) == 1
    row = rows[0]
    assert row["type"].value == str(kg.namespace.KIKG.NetworkAnalysis)
    assert row["projection"].value == "directed" and row["query"].value == COLLABORATION_QUERY
    assert int(row["results"].value) == len(FIXTURE_ACTORS) * 2
    parameters = json.loads(row["parameters"].value)
    assert parameters["engine"] == "igraph" and parameters["note"] == "a test"  # computed values win
    assert parameters["directed"] is True and parameters["custom_query"] is False
    assert parameters["metrics"]["pagerank"]["alpha"] == 0.85
    assert parameters["metrics"]["betweenness_approx"]["sampled_sources"] == 3
    metrics = {m for _, m in _results(graph)}
    assert metrics == {"pagerank", "betweenness-approx"}


def test_write_back_replaces_the_previous_analysis() -> None:
    graph = fixture_graph()
    graph.write_analysis(graph.centrality())
    graph.write_analysis(graph.centrality(metrics=[Metric.DEGREE]))
    assert {m for _, m in _results(graph)} == {"degree"}


def test_bipartite_results_are_written_for_actors_only() -> None:
    graph = fixture_graph()
    frame = graph.centrality(projection=Projection.BIPARTITE, metrics=[Metric.DEGREE])
    assert iri("policy/iccp") in frame.index
    graph.write_analysis(frame)
    assert {actor for actor, _ in _results(graph)} == set(FIXTURE_ACTORS)
    run = graph.store.query(f"SELECT ?q WHERE {{ <{iri('analysis/bipartite')}> <https://w3id.org/kikg/def#projectionQuery> ?q }}",
                            use_default_graph_as_union=True)
    assert [r["q"].value for r in run] == [BIPARTITE_QUERY]


def test_own_query_is_recorded() -> None:
    graph = fixture_graph()
    own = "SELECT ?source ?target ?type WHERE { ?source <https://w3id.org/kikg/def#supervises> ?target BIND('s' AS ?type) }"
    graph.write_analysis(graph.centrality(query=own, metrics=[Metric.DEGREE]))
    texts = graph.store.query("SELECT ?q ?p WHERE { ?a <https://w3id.org/kikg/def#projectionQuery> ?q ; "
                              "<https://w3id.org/kikg/def#parameters> ?p }", use_default_graph_as_union=True)
    [(query, parameters)] = [(r["q"].value, json.loads(r["p"].value)) for r in texts]
    assert query == own and parameters["custom_query"] is True


def test_contradicting_what_the_frame_was_computed_on_is_refused() -> None:
    graph = fixture_graph()
    frame = graph.centrality(projection=Projection.DIRECTED, metrics=[Metric.DEGREE])
    with pytest.raises(kg.UsageError, match="directed projection, not collaboration"):
        graph.write_analysis(frame, projection=Projection.COLLABORATION)
    with pytest.raises(kg.UsageError, match="another projection query"):
        graph.write_analysis(frame, query="SELECT ?source ?target ?type WHERE {}")
    assert graph.dataset.graphs.analysis not in graph.triple_counts()  # nothing was written


def test_scores_have_twelve_significant_digits() -> None:
    assert format_score(math.pi) == "3.14159265359"
    assert format_score(1 / 3 * 1e-7) == "3.33333333333e-08"
    assert format_score(42) == "42"
    assert float(format_score(0.1 + 0.2)) == 0.3


def test_write_back_is_deterministic(tmp_path: Path) -> None:
    outputs = []
    for _ in range(2):
        graph = fixture_graph()
        graph.write_analysis(graph.centrality())
        outputs.append(graph.serialize(kg.RdfFormat.NTRIPLES))
    assert outputs[0] == outputs[1]
    defaults = []
    for _ in range(2):
        default = kg.build()
        default.write_analysis(default.centrality())
        defaults.append(default.serialize(kg.RdfFormat.NTRIPLES))
    assert defaults[0] == defaults[1] and b"/analysis/collaboration/pagerank/" in defaults[0]


def test_results_satisfy_the_shapes() -> None:
    for graph in (fixture_graph(), kg.build()):
        graph.write_analysis(graph.centrality())
        report = graph.validate()
        about_analysis = [r for r in report.rows() if str(r["focus_node"]).startswith(iri("analysis/"))]
        assert about_analysis == []
    broken = fixture_graph()
    broken.write_analysis(broken.centrality(metrics=[Metric.DEGREE]))
    broken.store.remove_graph(ox.NamedNode(iri("graph/table/concepts")))  # metrics that are no concepts
    assert any(str(r["focus_node"]).startswith(iri("analysis/")) for r in broken.validate().rows())


# -- the canned query ---------------------------------------------------------------------------


def test_top_brokers_query() -> None:
    graph = fixture_graph()
    frame = graph.centrality()
    graph.write_analysis(frame)
    top = graph.query("top-brokers")
    # Actors of betweenness 0 broker nothing: the query leaves them out instead of listing them all
    # as tied for the last rank.
    zero = frame[frame["betweenness"] == 0]
    assert len(zero) and (zero["betweenness_rank"] <= 10).all()
    expected = frame[(frame["betweenness_rank"] <= 10) & (frame["betweenness"] > 0)]
    expected = expected.reset_index().sort_values(["betweenness_rank", "actor"])
    assert not set(top["actor"]) & set(zero.index)
    assert top["actor"].tolist() == expected["actor"].tolist()
    assert top["rank"].tolist() == expected["betweenness_rank"].tolist()
    assert top.loc[0, "label"] == "KICOX" and top.loc[0, "projection"] == "collaboration"
    first = graph.query("top-brokers", top=1)  # KICOX and MOTIE tie as brokers (8/21 each): both shown
    assert first["actor"].tolist() == [iri("org/kicox"), iri("org/motie")]
    assert first["score"].tolist() == [pytest.approx(8 / 21)] * 2
    pagerank = graph.query("top-brokers", metric="concept/network-metric/pagerank", top=3)
    assert pagerank["score"].tolist() == sorted(pagerank["score"].tolist(), reverse=True)
    assert set(pagerank["rank"]) <= {1, 2, 3} and len(pagerank) >= 3
    assert graph.query("top-brokers", graph="graph/table/fixture").empty  # it reads the analysis graph only


@pytest.mark.server
def test_top_brokers_query_on_an_oxigraph_server(tmp_path: Path) -> None:
    from kg.serve.oxigraph import OxigraphProcess, create_store

    graph = fixture_graph()
    graph.write_analysis(graph.centrality())
    local = graph.query("top-brokers", metric="concept/network-metric/degree")
    create_store(graph.dataset, tmp_path / "store")
    server = OxigraphProcess(tmp_path / "store")
    try:
        remote = kg.query_endpoint_named(server.query_url, "top-brokers", metric="concept/network-metric/degree")
    finally:
        server.stop()
    assert remote.equals(local) and not local.empty
