"""Canned queries: the catalogue, safe parameters, typed results and the `kg query` command."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg.cli import main
from kg.errors import InputError, ParameterError
from kg.queries import (
    Catalogue,
    ParameterType,
    bind_parameters,
    inject_values,
    parse_query_file,
    run_local,
)

DATA = Path(__file__).parent / "data" / "queries"
ECHO = DATA / "echo.rq"

HOSTILE = [
    'a "quoted" word',
    "back\\slash",
    "\\u0022 escaped quote",
    "\\U0001F600 escaped emoji",
    "close } brace",
    "greater > than",
    "new\nline",
    'x" } SERVICE <http://example.org/sparql> { ?s ?p ?o } #',
    '"} ; DROP ALL ; SELECT * WHERE {',
    "'single' and ''' triple",
]


@pytest.fixture(scope="module")
def graph() -> kg.KnowledgeGraph:
    return kg.build()


def test_every_canned_query_has_a_complete_header() -> None:
    catalogue = Catalogue.load()
    assert len(catalogue) >= 1
    for query in catalogue:
        assert query.summary, query.name
        assert query.description, query.name
        assert query.example.startswith("kg query "), query.name
        for parameter in query.params:
            assert parameter.description, f"{query.name}:{parameter.name}"


def test_canned_queries_are_read_only() -> None:
    """The catalogue refuses any file with an update, LOAD or SERVICE."""
    for name, keyword in (("update", "DELETE"), ("service", "SERVICE")):
        with pytest.raises(InputError, match=f"line 2, column [0-9]+: {keyword} is not allowed"):
            parse_query_file(DATA / f"{name}.rq")


def test_malformed_header_names_the_line() -> None:
    with pytest.raises(InputError, match="malformed #\\+ header") as caught:
        parse_query_file(DATA / "bad-header.rq")
    assert caught.value.line == 1


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_string_binds_as_an_inert_literal(graph: kg.KnowledgeGraph, value: str) -> None:
    query = parse_query_file(ECHO)
    bindings = bind_parameters(query, {"text": value}, base=graph.base_iri)
    result = run_local(graph.store, query.text, bindings)
    assert len(result) == 1
    assert result.rows[0][0].value == value  # the exact value, as a literal


@pytest.mark.parametrize("value", ["a b", "x>y", 'a"b', "{x}", "a\nb", "<x>", "https://example.org/a b", "a|b", "^x"])
def test_hostile_iri_is_refused(value: str) -> None:
    query = parse_query_file(ECHO)
    with pytest.raises(ParameterError, match="not a valid IRI"):
        bind_parameters(query, {"thing": value}, base="https://example.org/")


@pytest.mark.parametrize(("kind", "bad"), [(ParameterType.INTEGER, "3; DROP ALL"), (ParameterType.DECIMAL, "1e5"),
                                             (ParameterType.YEAR, "20091"), (ParameterType.BOOLEAN, "yes")])
def test_typed_parameters_refuse_other_values(kind: ParameterType, bad: str) -> None:
    with pytest.raises(ParameterError, match=f"is not a valid {kind.value}"):
        kind.to_term(bad, base="https://example.org/")


def test_relative_iri_parameters_resolve_against_the_base(graph: kg.KnowledgeGraph) -> None:
    result = graph.run_query(parse_query_file(ECHO), {"thing": "org/kicox"})
    assert result.rows[0][1].value == graph.base_iri + "org/kicox"


def test_unknown_parameter_is_refused(graph: kg.KnowledgeGraph) -> None:
    with pytest.raises(ParameterError, match="has no parameter 'nope'"):
        graph.run_query(parse_query_file(ECHO), {"nope": "1"})


def test_values_go_into_the_outermost_where_group() -> None:
    text = 'SELECT ?a WHERE { { SELECT ?a WHERE { ?a ?b "}" } } } # } comment'
    bound = inject_values(text, {"a": ParameterType.STRING.to_term("v", base="https://example.org/")})
    assert bound.startswith('SELECT ?a WHERE { VALUES (?a) { ("v") } { SELECT')
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    bound = inject_values(construct, {"s": ParameterType.IRI.to_term("x", base="https://example.org/")})
    assert bound == "CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?s) { (<https://example.org/x>) } ?s ?p ?o }"


def test_local_queries_refuse_updates_and_service(graph: kg.KnowledgeGraph) -> None:
    for text in ("DROP ALL", "SELECT * WHERE { SERVICE <http://example.org/q> { ?s ?p ?o } }",
                 "INSERT DATA { <http://a> <http://b> <http://c> }"):
        with pytest.raises(kg.UsageError):
            run_local(graph.store, text)


def test_results_become_typed_dataframe_columns(graph: kg.KnowledgeGraph) -> None:
    frame = graph.query_file(DATA / "typed.rq")
    assert str(frame["integer"].dtype) == "Int64"
    assert str(frame["decimal"].dtype) == "Float64"
    assert str(frame["double"].dtype) == "Float64"
    assert str(frame["boolean"].dtype) == "boolean"
    assert str(frame["year"].dtype) == "Int64"
    assert str(frame["date"].dtype).startswith("datetime64")
    assert str(frame["iri"].dtype) == "string"
    assert str(frame["text"].dtype) == "string"
    assert str(frame["mixed"].dtype) == "string"
    assert frame["integer"].isna().tolist() == [False, True]
    assert frame["year"].tolist()[0] == 2009


def test_output_formats(graph: kg.KnowledgeGraph) -> None:
    result = graph.run_query(parse_query_file(DATA / "typed.rq"))
    assert result.to_delimited().splitlines()[0] == "integer,decimal,double,boolean,year,date,iri,text,mixed"
    assert result.to_delimited(delimiter="\t").splitlines()[1].split("\t")[6] == "https://example.org/a"
    parsed = json.loads(result.to_json())
    assert parsed["head"]["vars"][0] == "integer"
    assert parsed["results"]["bindings"][0]["text"] == {"type": "literal", "value": "a", "xml:lang": "en"}
    assert parsed["results"]["bindings"][0]["year"]["datatype"].endswith("#gYear")
    assert "(2 rows)" in result.to_text()
    reparsed = kg.queries.QueryResult.from_json(result.to_json().encode())
    assert reparsed.row_keys() == result.row_keys()


def test_cli_lists_queries(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--list"]) == 0
    out = capsys.readouterr().out
    for query in Catalogue.load():
        assert query.name in out and query.summary in out


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_cli_runs_a_users_query_file(fmt: str, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no build/ here: the shipped tables are built in memory
    assert main(["query", "--file", str(ECHO), "--param", 'text=say "}"', "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert ('say "}"' in out) or ('say \\"}\\"' in out) or ('"say ""}"""' in out)


def test_cli_refuses_a_hostile_iri_with_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["query", "--file", str(ECHO), "--param", "thing=a> } DROP ALL <b"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "not a valid IRI" in error


def test_cli_unknown_query_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["query", "no-such-query"]) == 2
    assert "no canned query named 'no-such-query'" in capsys.readouterr().err


def test_cli_bad_param_syntax_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["query", "--file", str(ECHO), "--param", "textonly"]) == 2
    assert "--param takes NAME=VALUE" in capsys.readouterr().err


# -- entry points: a canned query by name, a file, SPARQL text ------------------------------------


def test_a_name_is_only_ever_a_canned_query_name(graph: kg.KnowledgeGraph) -> None:
    """No guessing from keywords: "strategy-tasks" contains "ASK", and is still a (mistyped) name."""
    with pytest.raises(kg.UsageError, match=r"no canned query named 'strategy-tasks' \(did you mean strategy-targets\?\)"):
        graph.query("strategy-tasks")
    with pytest.raises(kg.UsageError, match=r"SPARQL text runs with KnowledgeGraph.sparql\(\)"):
        graph.query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")
    with pytest.raises(kg.UsageError, match=r"query_file\(\)"):
        graph.query(str(DATA / "typed.rq"))


def test_text_and_file_entry_points(graph: kg.KnowledgeGraph) -> None:
    text = (DATA / "typed.rq").read_text(encoding="utf-8")
    by_text = graph.sparql(text)
    by_file = graph.query_file(DATA / "typed.rq")
    assert by_text.equals(by_file) and len(by_file) == 2
    assert graph.run_sparql(text).row_keys() == graph.run_query(parse_query_file(DATA / "typed.rq")).row_keys()
    echoed = graph.sparql(ECHO.read_text(encoding="utf-8"), text="hello")  # a #+ header declares parameters
    assert echoed.loc[0, "text"] == "hello"
    with pytest.raises(kg.UsageError, match="line 1, column 25"):
        graph.sparql("SELECT ?s WHERE { ?s ?p }")


# -- warnings: parameters that ask about nothing ----------------------------------------------------


def test_an_iri_that_names_nothing_is_a_warning(graph: kg.KnowledgeGraph) -> None:
    result = graph.run_query("supervised-bodies", {"ministry": "org/motiee"})
    assert len(result) == 0
    assert result.warnings == [f"no entity <{graph.base_iri}org/motiee> in the graph"]
    assert graph.run_query("supervised-bodies", {"ministry": "org/motie"}).warnings == []
    with pytest.warns(kg.QueryWarning, match="no entity"):
        frame = graph.query("supervised-bodies", ministry="org/motiee")
    assert frame.attrs["warnings"] == result.warnings


def test_an_empty_parameter_is_a_warning(graph: kg.KnowledgeGraph) -> None:
    assert graph.run_query("actor-links", {"actor": ""}).warnings == ["parameter 'actor' is empty"]
    assert graph.run_query("search", {"text": " "}).warnings == ["parameter 'text' is empty"]


def test_top_brokers_without_the_analysis_graph_says_so(graph: kg.KnowledgeGraph) -> None:
    """kg.build() does not compute the network metrics: the analysis graph is empty."""
    result = graph.run_query("top-brokers")
    assert len(result) == 0
    assert result.warnings == [(f"the analysis graph <{graph.base_iri}graph/analysis> is empty: run `kg build` "
                                "(it computes the network metrics and writes them there)")]
    other = graph.run_query("top-brokers", {"graph": "graph/nothing"}).warnings
    assert other == [f"the named graph <{graph.base_iri}graph/nothing> is empty"]


def test_cli_prints_warnings_on_stderr(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["query", "supervised-bodies", "--param", "ministry=org/motiee", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "kg query: warning: no entity <https://w3id.org/kikg/id/org/motiee> in the graph\n"
    assert captured.out.splitlines()[0].startswith("ministry,body")
    assert main(["query", "top-brokers"]) == 0
    assert "the analysis graph <https://w3id.org/kikg/id/graph/analysis> is empty: run `kg build`" in capsys.readouterr().err


def test_technologies_by_strategy_reaches_every_class_below_policy() -> None:
    """technologies-by-strategy spells out three ``rdfs:subClassOf`` steps below kikg:Policy instead of
    the closure, which Virtuoso 7.2 answers wrongly on some servers (docs/loading.md): the ontology
    must have no class deeper than that, or the query would miss its members."""
    from kg._resources import ONTOLOGY_DIR

    ontology = ox.Store()
    ontology.load(path=str(ONTOLOGY_DIR / "kikg.ttl"), format=ox.RdfFormat.TURTLE)
    prefixes = "PREFIX kikg: <https://w3id.org/kikg/def#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    every = {r["c"] for r in ontology.query(prefixes + "SELECT ?c WHERE { ?c rdfs:subClassOf* kikg:Policy }")}
    within = {r["c"] for r in ontology.query(prefixes + "SELECT ?c WHERE { ?c (rdfs:subClassOf?)/(rdfs:subClassOf?)/"
                                                        "(rdfs:subClassOf?) kikg:Policy }")}
    assert len(every) > 5 and within == every
    text = Catalogue.load()["technologies-by-strategy"].text
    assert "?class3 rdfs:subClassOf ?class2 . ?class2 rdfs:subClassOf ?class1 ." in text
