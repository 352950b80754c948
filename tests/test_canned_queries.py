"""Each canned query against its golden result on the default graph (the full build, with the
analysis graph), compared as result sets, in order when the query orders its rows.

Refresh the goldens after an intended change of the data or a query with
`pytest tests/test_canned_queries.py --update-goldens` and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg.queries import Catalogue, QueryResult, bind_parameters

GOLDEN = Path(__file__).parent / "golden" / "queries"
CATALOGUE = Catalogue.load()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    out = tmp_path_factory.mktemp("build")
    kg.run_build(out, reasoning=kg.Reasoning.OFF)
    return kg.read(out / "kg.trig")


def _rows(result: QueryResult, *, ordered: bool) -> list[tuple[str, ...]]:
    rows = result.row_keys()
    return rows if ordered else sorted(rows)


@pytest.mark.parametrize("name", sorted(q.name for q in CATALOGUE))
def test_query_matches_its_golden_result(name: str, built: kg.KnowledgeGraph, update_goldens: bool) -> None:
    query = CATALOGUE[name]
    result = built.run_query(name)
    path = GOLDEN / f"{name}.json"
    if update_goldens:
        path.write_text(json.dumps(json.loads(result.to_json()), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = QueryResult.from_json(path.read_bytes())
    assert result.variables == expected.variables
    assert _rows(result, ordered=query.ordered) == _rows(expected, ordered=query.ordered)


def test_every_golden_belongs_to_a_query() -> None:
    assert {p.stem for p in GOLDEN.glob("*.json")} == {q.name for q in CATALOGUE}


@pytest.mark.parametrize("name", sorted(q.name for q in CATALOGUE if q.params))
def test_values_binding_equals_pre_binding(name: str, built: kg.KnowledgeGraph) -> None:
    """The VALUES block the toolkit inserts gives what binding before evaluation gives (SEP-0007
    substitution in Oxigraph), so parameter variables are used where VALUES reaches them."""
    query = CATALOGUE[name]
    bindings = bind_parameters(query, {}, base=built.base_iri)
    via_values = built.run_query(name)
    substituted = QueryResult.from_solutions(built.store.query(
        query.text, use_default_graph_as_union=True, substitutions={ox.Variable(k): v for k, v in bindings.items()}))
    assert _rows(via_values, ordered=query.ordered) == _rows(substituted, ordered=query.ordered)


@pytest.fixture(scope="module")
def doubled(built: kg.KnowledgeGraph) -> tuple[ox.Store, ox.Store]:
    """Two readings of the graph where what several tables say about one thing is said once more.

    The first is what the toolkit and ``oxigraph serve --union-default-graph`` query: the default
    graph is the union of the named graphs, where Oxigraph keeps one copy per graph (a multiset).
    Here the triples about every subject that two or more table graphs describe are copied into one
    more graph. The second is the SPARQL 1.1 reading: the default graph is the RDF merge, a set.
    Copying only the shared subjects keeps the test quick (copying all triples makes the self-joins
    of some queries grow 2^n) while still reaching every query (18 of them failed before DISTINCT).
    """
    provenance = ox.NamedNode(built.base_iri + "graph/provenance")
    graphs_of: dict[ox.NamedNode | ox.BlankNode, set[object]] = {}
    for quad in built.store:
        if quad.graph_name != provenance:
            graphs_of.setdefault(quad.subject, set()).add(quad.graph_name)
    shared = {subject for subject, graphs in graphs_of.items() if len(graphs) > 1}
    union = ox.Store()
    merged = ox.Store()
    copy = ox.NamedNode(built.base_iri + "graph/copy")
    for quad in built.store:
        union.add(quad)
        merged.add(quad)
        merged.add(ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph()))
        if quad.subject in shared and quad.graph_name != provenance:
            union.add(ox.Quad(quad.subject, quad.predicate, quad.object, copy))
    assert len(union) > len(built.store) + 1000
    return union, merged


@pytest.mark.parametrize("name", sorted(q.name for q in CATALOGUE if "GRAPH" not in q.text))
def test_query_gives_set_semantics_when_a_triple_is_in_two_graphs(name: str, built: kg.KnowledgeGraph,
                                                                   doubled: tuple[ox.Store, ox.Store]) -> None:
    """A fact stated by two source tables sits in two named graphs. Each canned query must still
    count it once (DISTINCT rows, COUNT(DISTINCT ...)), as on the merged default graph of the
    SPARQL specification. Queries naming graphs (GRAPH) see the copy on purpose and are left out."""
    query = CATALOGUE[name]
    bindings = bind_parameters(query, {}, base=built.base_iri)
    union, merged = doubled
    on_union = kg.queries.run_local(union, query.text, bindings)
    on_merge = QueryResult.from_solutions(merged.query(kg.queries.inject_values(query.text, bindings)))
    assert _rows(on_union, ordered=query.ordered) == _rows(on_merge, ordered=query.ordered)
    assert _rows(on_union, ordered=query.ordered) == _rows(built.run_query(name), ordered=query.ordered)
