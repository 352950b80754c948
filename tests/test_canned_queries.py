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
