"""The projection from RDF to NetworkX, checked edge by edge on a hand-made dataset."""

from __future__ import annotations

import networkx as nx
import pyoxigraph as ox
import pytest
from test_network_support import (
    COLLABORATION_EDGES,
    FIXTURE_ACTORS,
    FIXTURE_TTL,
    fixture_store,
    iri,
)

import kg
from kg.network import (
    COLLABORATION_QUERY,
    Projection,
    actor_iris,
    collaboration_links,
    node_attributes,
    project,
    projection_query,
)


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return fixture_store()


def _documents(names: str) -> str:
    return ";".join(iri("document/" + name) for name in names.split(";")) if names else ""


def _vias(paths: str) -> str:
    return ";".join(iri(path) for path in paths.split(";")) if paths else ""


def test_collaboration_edges_one_by_one(store: ox.Store) -> None:
    graph = project(store)
    assert not graph.is_directed()
    expected = {
        tuple(sorted((iri(a), iri(b)))): {"weight": w, "types": t, "via": _vias(v), "years": y, "sources": _documents(s)}
        for (a, b), (w, t, v, y, s) in COLLABORATION_EDGES.items()
    }
    actual = {tuple(sorted((a, b))): data for a, b, data in graph.edges(data=True)}
    assert actual == expected


def test_proposed_and_considered_links_make_no_edge(store: ox.Store) -> None:
    graph = project(store)
    # rel/5 (proposed cooperation), rel/6 (funding under consideration), rel/13 (proposed plan).
    assert not graph.has_edge(iri("org/kiat"), iri("org/samsung"))
    assert not graph.has_edge(iri("org/kiat"), iri("org/kaist"))
    assert not graph.has_edge(iri("org/kaist"), iri("org/kicox"))


def test_nodes_are_the_actors_with_attributes_and_no_types_or_literals(store: ox.Store) -> None:
    graph = project(store)
    assert sorted(graph) == FIXTURE_ACTORS  # the isolated actor included; no policy, class or literal
    assert graph.degree(iri("org/lonely")) == 0
    classes = {str(term) for term in (kg.namespace.KIKG.Actor, kg.namespace.KIKG.Ministry)}
    assert not classes & set(graph)
    assert all(node.startswith(iri("")) for node in graph)
    motie = graph.nodes[iri("org/motie")]
    assert motie == {"label": "MOTIE", "type": "Ministry", "region": "Sejong", "region_iri": iri("place/sejong")}
    assert graph.nodes[iri("org/samsung")]["type"] == "Company"  # the most specific of its classes
    assert graph.nodes[iri("org/kaist")]["label"] == "kaist"  # no label: the IRI's last segment
    assert graph.nodes[iri("org/kiat")]["label"] == "KIAT"  # the smallest of two English labels


def test_without_isolated_actors(store: ox.Store) -> None:
    graph = project(store, include_isolated=False)
    assert iri("org/lonely") not in graph
    assert graph.number_of_edges() == len(COLLABORATION_EDGES)


def test_directed_projection_keeps_directions(store: ox.Store) -> None:
    graph = project(store, projection=Projection.DIRECTED)
    assert graph.is_directed()
    edges = {(a.removeprefix(iri("")), b.removeprefix(iri(""))): d for a, b, d in graph.edges(data=True)}
    # "KICOX reports to MOTIE" is supervision from MOTIE: the same link as "MOTIE supervises KICOX".
    assert edges["org/motie", "org/kicox"]["types"] == "supervision"
    assert edges["org/motie", "org/kicox"]["sources"] == _documents("a.txt;b.txt")
    assert edges["org/kicox", "org/motie"]["types"] == "management mandate"
    assert ("org/kiat", "org/motie") not in edges
    # Mutual links (symmetric properties, shared involvements) go both ways with the same weight.
    for pair in (("org/samsung", "org/kaist"), ("org/kiat", "org/kicox"), ("person/lee", "org/motie")):
        assert edges[pair] == edges[pair[::-1]]
    assert edges["org/samsung", "org/kaist"]["weight"] == 2
    # Membership of a body points from the member to the body.
    assert ("person/lee", "org/committee") in edges and ("org/committee", "person/lee") not in edges
    # Four mutual links both ways, five one-way links (MOTIE-KICOX is one each way).
    assert len(edges) == 4 * 2 + 5


def test_bipartite_graph(store: ox.Store) -> None:
    graph = project(store, projection=Projection.BIPARTITE)
    things = {n for n, side in graph.nodes(data="bipartite") if side == 1}
    assert things == {iri(p) for p in ("policy/iccp", "agreement/mou", "event/forum", "collab/mini-cluster/gumi")}
    assert {n for n, side in graph.nodes(data="bipartite") if side == 0} == set(FIXTURE_ACTORS)
    assert nx.is_bipartite(graph)
    kicox_plans = graph.edges[iri("org/kicox"), iri("policy/iccp")]
    assert (kicox_plans["weight"], kicox_plans["types"], kicox_plans["years"]) == (1, "plans", "2014")
    assert kicox_plans["sources"] == _documents("b.txt;c.txt")
    assert not graph.has_edge(iri("org/kaist"), iri("policy/iccp"))  # proposed
    assert graph.nodes[iri("policy/iccp")]["label"] == "ICCP"
    assert graph.nodes[iri("policy/iccp")]["type"] == "Policy"


def test_actors_via_policies(store: ox.Store) -> None:
    graph = project(store, projection=Projection.ACTORS_VIA_POLICIES)
    weights = {tuple(sorted((a.removeprefix(iri("")), b.removeprefix(iri(""))))): w
               for a, b, w in graph.edges(data="weight")}
    assert weights == {
        ("org/kiat", "org/kicox"): 1, ("org/kiat", "org/motie"): 1, ("org/kicox", "org/motie"): 1,
        ("org/kicox", "org/samsung"): 2, ("org/kaist", "org/samsung"): 1,
    }
    assert graph.edges[iri("org/kicox"), iri("org/samsung")]["via"] == _vias("agreement/mou;collab/mini-cluster/gumi")
    assert "bipartite" not in graph.nodes[iri("org/kicox")]


def test_graph_records_how_it_was_made(store: ox.Store) -> None:
    graph = project(store, projection=Projection.DIRECTED)
    assert graph.graph == {"projection": "directed", "query": COLLABORATION_QUERY, "custom_query": False}
    assert projection_query(Projection.BIPARTITE) == project(store, projection=Projection.BIPARTITE).graph["query"]


def test_projection_is_deterministic_whatever_the_load_order() -> None:
    # The same triples loaded in reverse order and spread over three named graphs.
    store = ox.Store()
    triples = list(ox.parse(FIXTURE_TTL, format=ox.RdfFormat.TURTLE))[::-1] + list(kg.ontology_triples())[::-1]
    graphs = [ox.NamedNode(iri(f"graph/table/part-{i}")) for i in range(3)]
    store.extend(ox.Quad(t.subject, t.predicate, t.object, graphs[i % 3]) for i, t in enumerate(triples))
    first, second = project(fixture_store()), project(store)
    assert list(first.nodes(data=True)) == list(second.nodes(data=True))
    assert list(first.edges(data=True)) == list(second.edges(data=True))


def test_links_are_rows_with_year_and_document(store: ox.Store) -> None:
    links = collaboration_links(store)
    assert links == sorted(set(links))
    supervision = [link for link in links if link.type == "supervision" and link.target == iri("org/kicox")]
    assert {(link.source, link.year, link.document) for link in supervision} == {
        (iri("org/motie"), "2005", iri("document/a.txt")), (iri("org/motie"), "", iri("document/b.txt"))}


def test_actor_iris_and_attributes_of_other_nodes(store: ox.Store) -> None:
    assert actor_iris(store) == set(FIXTURE_ACTORS)
    attributes = node_attributes(store, [iri("event/forum"), iri("nowhere/x")])
    assert attributes[iri("event/forum")]["type"] == "Conference"
    assert attributes[iri("nowhere/x")] == {"label": "x", "type": "", "region": "", "region_iri": ""}


# -- a user's own projection query ----------------------------------------------------------------


OWN_QUERY = """PREFIX kikg: <https://w3id.org/kikg/def#>
SELECT ?source ?target ?type WHERE {
    ?r kikg:relationSubject ?source ; kikg:relation kikg:plans ; kikg:relationObject ?target .
    BIND ("plans" AS ?type)
}"""


def test_own_query_makes_the_edges(store: ox.Store) -> None:
    graph = project(store, query=OWN_QUERY, include_isolated=False)
    assert sorted(graph.edges) == sorted(
        tuple(sorted((iri(a), iri("policy/iccp")))) for a in ("org/kiat", "org/kicox", "org/kaist"))
    assert graph.edges[iri("org/kicox"), iri("policy/iccp")]["weight"] == 1  # two rows, one link
    assert graph.nodes[iri("policy/iccp")]["label"] == "ICCP"
    assert graph.graph["custom_query"] is True and graph.graph["query"] == OWN_QUERY


def test_own_bipartite_query(store: ox.Store) -> None:
    query = """PREFIX org: <http://www.w3.org/ns/org#>
        SELECT ?actor ?thing WHERE { ?m org:member ?actor ; org:organization ?thing }"""
    graph = project(store, projection=Projection.BIPARTITE, query=query, include_isolated=False)
    # Two in the event, two in the mini cluster, two in the committee (an actor, here a thing).
    assert graph.number_of_edges() == 6
    assert graph.nodes[iri("org/committee")]["bipartite"] == 1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT ?source WHERE { ?source ?p ?o", "projection query: error at 1:"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "must be a SELECT"),
        ("SELECT ?source ?target WHERE { ?source ?p ?target }", "must select ?type"),
        (('SELECT ?source ?target ?type WHERE { ?source <http://www.w3.org/2000/01/rdf-schema#label> ?target '
         'BIND ("x" AS ?type) }'), "?target is not an IRI"),
        ('SELECT ?source ?target ?type WHERE { ?source a ?target BIND ("x" AS ?type) }', "returns the class"),
        ('SELECT ?source ?target ?type WHERE { SERVICE <http://127.0.0.1:1/> { ?source ?type ?target } }',
         "SERVICE is not allowed"),
        (('SELECT ?source ?target ?type WHERE { VALUES (?source ?target) { (<https://x.org/a> <https://x.org/b>) } '
         'OPTIONAL { ?source <https://x.org/none> ?type } }'),
         "?type is unbound"),
    ],
)
def test_unusable_own_queries_are_refused(store: ox.Store, query: str, message: str) -> None:
    with pytest.raises(kg.UsageError) as error:
        project(store, query=query)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_bipartite_query_with_a_node_on_both_sides(store: ox.Store) -> None:
    query = "SELECT ?actor ?thing WHERE { VALUES (?actor ?thing) { (<https://x.org/a> <https://x.org/b>) (<https://x.org/b> <https://x.org/c>) } }"
    with pytest.raises(kg.UsageError, match="both an actor and a thing"):
        project(store, projection=Projection.BIPARTITE, query=query)


# -- the default graph ------------------------------------------------------------------------------


def test_default_graph_projection_holds_whatever_the_content() -> None:
    graph = kg.build()
    actors = actor_iris(graph.store)
    for projection in Projection:
        network = graph.network(projection=projection)
        side = dict(network.nodes(data="bipartite", default=0))
        assert {n for n in network if side[n] == 0} == actors
        for node, data in network.nodes(data=True):
            assert isinstance(node, str) and node.startswith(graph.base_iri)
            assert set(data) >= {"label", "type", "region", "region_iri"}
        links = collaboration_links(graph.store)
        for source, target, data in network.edges(data=True):
            assert data["weight"] >= 1 and source != target
            assert all(isinstance(v, (str, int)) for v in data.values())
        if projection is Projection.COLLABORATION:
            # The weight is the number of distinct (type, via) links between the two actors.
            keys: dict[tuple[str, ...], set[tuple[str, str]]] = {}
            for link in links:
                keys.setdefault(tuple(sorted((link.source, link.target))), set()).add((link.type, link.via))
            assert {pair: len(k) for pair, k in keys.items()} == {
                tuple(sorted((a, b))): w for a, b, w in network.edges(data="weight")}


def test_synthetic_dataset_projects_to_its_network() -> None:
    """A larger dataset (the benchmarks' synthetic one), checked against a count done in Python."""
    from itertools import combinations

    from kg.network import synthetic_network, synthetic_quads

    base = "https://example.org/id/"
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(base + "graph/ontology"))
                 for t in kg.ontology_triples())
    quads = synthetic_quads(150, seed=3, base=base)
    store.extend(quads)
    graph = project(store)
    expected = synthetic_network(150, seed=3, base=base)
    assert set(graph) == set(expected)
    # Who shares which policy or event, read from the quads directly.
    subject = {q.subject.value: q.object.value for q in quads if q.predicate.value.endswith(("#relationSubject", "#member"))}
    thing = {q.subject.value: q.object.value for q in quads if q.predicate.value.endswith(("#relationObject", "#organization"))}
    members: dict[str, set[str]] = {}
    for record, target in thing.items():
        if "/policy/" in target or "/event/" in target:
            members.setdefault(target, set()).add(subject[record])
    shared: dict[tuple[str, str], set[str]] = {}
    for target, actors in members.items():
        for pair in combinations(sorted(actors), 2):
            shared.setdefault(pair, set()).add(target)
    for first, second in set(expected.edges) | set(shared):
        pair = tuple(sorted((first, second)))
        direct = 1 if expected.has_edge(first, second) else 0
        vias = shared.get(pair, set())  # type: ignore[arg-type]
        data = graph.edges[first, second]
        # Direct links: one per synthetic weight unit, each of another type; shared: one per thing.
        assert data["weight"] == (expected.edges[first, second]["weight"] if direct else 0) + len(vias)
        assert data["via"] == ";".join(sorted(vias))
    assert graph.number_of_edges() == len({tuple(sorted(e)) for e in expected.edges} | set(shared))
