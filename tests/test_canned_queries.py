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


def _empty_columns(result: QueryResult) -> set[str]:
    return {name for index, name in enumerate(result.variables)
            if all(row[index] is None or row[index].value == "" for row in result.rows)}  # type: ignore[union-attr]


@pytest.mark.parametrize("name", sorted(q.name for q in CATALOGUE))
def test_no_column_is_empty_in_every_row_unless_the_header_says_why(name: str, built: kg.KnowledgeGraph) -> None:
    """An always-empty column is a query that cannot see its data (a BIND out of scope, a path not
    followed) or a gap of the data; the header names each gap (`empty_columns`, `empty_result`), and
    a declaration that no longer holds is reported too, so that it is removed when the data grows."""
    query = CATALOGUE[name]
    result = built.run_query(name)
    if not result.rows:
        assert query.empty_result, f"{name} has no rows on the default graph; its header does not say why (empty_result)"
        return
    assert not query.empty_result, f"{name} has rows now: remove empty_result from its header"
    empty = _empty_columns(result)
    undeclared = sorted(empty - set(query.empty_columns))
    assert not undeclared, f"{name}: {undeclared} empty in every row; fix the query or say why in empty_columns"
    filled = sorted(set(query.empty_columns) - empty)
    assert not filled, f"{name}: {filled} have values now: remove them from empty_columns"


def test_the_empty_column_check_fires(built: kg.KnowledgeGraph) -> None:
    """The check above on the mistake of the old supporting-agencies: a BIND inside an OPTIONAL
    cannot see ?agencies, so the share is empty in every row."""
    result = kg.queries.run_local(built.store, """
        PREFIX kikg: <https://w3id.org/kikg/def#>
        PREFIX qb: <http://purl.org/linked-data/cube#>
        SELECT ?agencies ?share WHERE {
            ?o qb:dataSet ?d ; kikg:numericValue ?agencies .
            OPTIONAL { ?o kikg:observedEntity ?e . BIND (?agencies * 2 AS ?share) }
        }""")
    assert result.rows and _empty_columns(result) == {"share"}


def test_places_nest_transitively(built: kg.KnowledgeGraph) -> None:
    """KICOX is headquartered in Daegu, which is part of Gyeongsang, in the country Korea."""
    for place in ("place/daegu", "place/gyeongsang", "place/korea"):
        rows = built.query("organisations-by-place", place=place)
        kicox = rows[(rows["organisation"] == built.base_iri + "org/kicox") & (rows["link"] == "headquarteredIn")]
        assert kicox["in_place_label"].tolist() == ["Daegu"], place


def test_supervised_bodies_has_one_row_per_body_and_link(built: kg.KnowledgeGraph) -> None:
    rows = built.query("supervised-bodies", ministry="org/motie")
    assert not rows.duplicated(["body", "link"]).any()
    kicox = rows[rows["body"] == built.base_iri + "org/kicox"]
    assert len(kicox) == 1 and kicox["things_managed"].iloc[0] > 1


QUANTITY_COLUMNS = {  # query: (value, multiplier, unit, quantity, scaled value)
    "green-new-deal": ("value", "multiplier", "unit", "quantity", "scaled_value"),
    "observations-about": ("value", "multiplier", "unit", "quantity", "scaled_value"),
    "strategy-targets": ("value", "", "unit", "quantity", "scaled_value"),  # targets are counts and shares
    "support-programmes": ("value", "multiplier", "unit", "quantity", "scaled_value"),
    "ministry-programmes": ("budget_value", "multiplier", "unit", "budget_quantity", "budget_scaled_value"),
}
MAGNITUDES = {3: "thousand", 6: "million", 9: "billion", 12: "trillion"}


@pytest.mark.parametrize(("name", "params"), [
    ("green-new-deal", {}), ("observations-about", {}), ("observations-about", {"entity": "policy/green-new-deal"}),
    ("strategy-targets", {}), ("support-programmes", {}),
    ("ministry-programmes", {"ministry": "org/government-of-korea"}),  # MOTIE's programmes have no budget
])
def test_quantities_are_shown_with_their_magnitude_and_unit(name: str, params: dict[str, object],
                                                            built: kg.KnowledgeGraph) -> None:
    """Every number a query shows comes with its magnitude and unit (`488 billion KRW`) and its value
    scaled exactly, checked here with Python's decimal arithmetic."""
    from decimal import Decimal

    value_column, multiplier_column, unit_column, quantity_column, scaled_column = QUANTITY_COLUMNS[name]
    result = built.run_query(name, params)
    index = {v: i for i, v in enumerate(result.variables)}
    checked = 0
    for row in result.rows:
        value, multiplier, unit, quantity, scaled = (row[index[c]] if c in index else None for c in (
            value_column, multiplier_column, unit_column, quantity_column, scaled_column))
        if value is None:
            assert quantity is None and scaled is None
            continue
        power = int(multiplier.value) if multiplier is not None else 0
        assert Decimal(scaled.value) == Decimal(value.value).scaleb(power), row  # type: ignore[union-attr]
        words = quantity.value.split()  # type: ignore[union-attr]
        assert value.value.rstrip("%") in [w.rstrip("%") for w in words], row
        if power in MAGNITUDES:
            assert MAGNITUDES[power] in words, row
        code = unit.value.rsplit("/", 1)[-1] if unit is not None else ""
        if code not in ("", "NUM", "PERCENT"):
            assert words[-1] == code, row
        checked += 1
    assert checked, f"{name} shows no number on the default graph"
    if name == "green-new-deal":
        rows = built.query(name)
        river = rows[(rows["project_label"] == "4 Major River Restoration") & (rows["period"] == "2009")
                     & (rows["indicator_label"] == "budget")]
        assert river[["printed", "quantity", "scaled_value"]].values.tolist() == [["488", "488 billion KRW", 488e9]]
