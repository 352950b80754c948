"""`kg validate DATA --shapes SHAPES` on shapes that are not ours: each trap of issue #12 has a fixture.

The W3C suite (tests/w3c) checks SHACL section by section; these fixtures pin what made the old
engine report "conforms" where violations exist, the severities and exit codes, the formats, the
hand-over to pySHACL and the refusals. Every result asserted here comes from the fast path unless
the test is about the hand-over.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg.cli import main

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
EX = "http://example.org/"


def _files(tmp_path: Path, data: str, shapes: str) -> tuple[Path, Path]:
    data_path, shapes_path = tmp_path / "data.ttl", tmp_path / "shapes.ttl"
    data_path.write_text(PREFIXES + textwrap.dedent(data), encoding="utf-8")
    shapes_path.write_text(PREFIXES + textwrap.dedent(shapes), encoding="utf-8")
    return data_path, shapes_path


def _validate(tmp_path: Path, data: str, shapes: str) -> kg.ValidationReport:
    data_path, shapes_path = _files(tmp_path, data, shapes)
    report = kg.validate(data_path, shapes=shapes_path)
    assert report.handovers == [], report.handovers  # the fast path alone
    return report


def _found(report: kg.ValidationReport) -> set[tuple[str, str, str]]:
    """(focus, component, value) of each result, names without the namespace."""
    def short(term: object) -> str:
        return "" if term is None else term.value.removeprefix(EX).removeprefix("http://www.w3.org/ns/shacl#")  # type: ignore[attr-defined]

    return {(short(r.focus), short(r.component), short(r.value)) for r in report.results}


# -- the silent misses of issue #12 -------------------------------------------------------------


def test_implicit_class_target(tmp_path: Path) -> None:
    report = _validate(tmp_path, "ex:bob a ex:Student . ex:Student rdfs:subClassOf ex:Person .", """
        ex:Person a rdfs:Class , sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .""")
    assert _found(report) == {("bob", "MinCountConstraintComponent", "")}


def test_property_shape_nested_in_a_property_shape(tmp_path: Path) -> None:
    report = _validate(tmp_path, "ex:bob ex:address ex:home . ex:home ex:city 12 .", """
        ex:S a sh:NodeShape ; sh:targetNode ex:bob ;
            sh:property [ sh:path ex:address ; sh:property [ sh:path ex:city ; sh:datatype xsd:string ] ] .""")
    assert _found(report) == {("home", "DatatypeConstraintComponent", "12")}


def test_custom_sparql_components_with_path_substitution(tmp_path: Path) -> None:
    report = _validate(tmp_path, 'ex:bob ex:label "Bob" , "Robert"@en . ex:ann ex:label "Ann"@en .', """
        ex:LanguageComponent a sh:ConstraintComponent ;
            sh:parameter [ sh:path ex:lang ] ;
            sh:propertyValidator [ a sh:SPARQLSelectValidator ; sh:message "Not in {$lang}" ; sh:select '''
                SELECT $this ?value WHERE { $this $PATH ?value . FILTER (!langMatches(lang(?value), $lang)) }''' ] .
        ex:NotComponent a sh:ConstraintComponent ;
            sh:parameter [ sh:path ex:forbidden ] ;
            sh:validator [ a sh:SPARQLAskValidator ; sh:ask "ASK { FILTER ($value != $forbidden) }" ] .
        ex:S a sh:NodeShape ; sh:targetNode ex:bob , ex:ann ; ex:forbidden ex:ann ;
            sh:property [ sh:path ex:label ; ex:lang "en" ] .""")
    assert _found(report) == {("bob", "LanguageComponent", "Bob"), ("ann", "NotComponent", "ann")}
    assert {r.message for r in report.results} >= {"Not in en"}


def test_prefixes_are_declared_through_sh_prefixes(tmp_path: Path) -> None:
    report = _validate(tmp_path, 'ex:bob ex:age -1 .', """
        ex:ontology sh:declare [ sh:prefix "my" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
        ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:age ;
            sh:sparql [ sh:prefixes ex:ontology ; sh:select "SELECT $this ?value WHERE { $this my:age ?value FILTER (?value < 0) }" ] .""")
    assert _found(report) == {("bob", "SPARQLConstraintComponent", "-1")}


@pytest.mark.parametrize("where", [
    "FILTER NOT EXISTS { $this <http://example.org/name> ?name }",
    "{ FILTER NOT EXISTS { $this <http://example.org/name> ?name } }",
    "{ ?x <http://example.org/nothing> ?y } UNION { FILTER (NOT EXISTS { $this <http://example.org/name> ?name }) }",
    "BIND (EXISTS { $this <http://example.org/name> ?name } AS ?named) FILTER (!?named)",
])
def test_this_read_only_in_filters_unions_binds_and_groups_is_pre_bound(tmp_path: Path, where: str) -> None:
    report = _validate(tmp_path, 'ex:bob a ex:Person . ex:ann a ex:Person ; ex:name "Ann" .', f"""
        ex:S a sh:NodeShape ; sh:targetClass ex:Person ;
            sh:sparql [ sh:message "no name" ; sh:select "SELECT $this WHERE {{ {where} }}" ] .""")
    assert _found(report) == {("bob", "SPARQLConstraintComponent", "bob")}


def test_every_value_of_a_parameter_is_checked(tmp_path: Path) -> None:
    report = _validate(tmp_path, "ex:bob ex:pet ex:rex . ex:rex a ex:Dog .", """
        ex:S a sh:NodeShape ; sh:targetNode ex:bob ; sh:property [ sh:path ex:pet ; sh:class ex:Dog , ex:Cat ] .""")
    assert _found(report) == {("bob", "ClassConstraintComponent", "rex")}


def test_deactivated_property_shape(tmp_path: Path) -> None:
    report = _validate(tmp_path, "ex:bob ex:pet ex:rex .", """
        ex:S a sh:NodeShape ; sh:targetNode ex:bob ;
            sh:property [ sh:path ex:pet ; sh:class ex:Cat ; sh:deactivated true ] ;
            sh:property [ sh:path ex:pet ; sh:maxCount 0 ] .""")
    assert _found(report) == {("bob", "MaxCountConstraintComponent", "")}


def test_ranges_on_dates_and_other_ordered_types(tmp_path: Path) -> None:
    report = _validate(tmp_path, """
        ex:a ex:day "2020-01-01"^^xsd:date ; ex:year "1999"^^xsd:gYear ; ex:at "2020-01-01T00:00:00Z"^^xsd:dateTime .
        ex:b ex:day "2019-12-31"^^xsd:date ; ex:year "2001"^^xsd:gYear ; ex:at "2020-01-01T00:00:00"^^xsd:dateTime .
        ex:c ex:day "not a date" .""", """
        ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:day ;
            sh:property [ sh:path ex:day ; sh:minInclusive "2020-01-01"^^xsd:date ] ;
            sh:property [ sh:path ex:year ; sh:maxExclusive "2000"^^xsd:gYear ] ;
            sh:property [ sh:path ex:at ; sh:minInclusive "2020-01-01T00:00:00Z"^^xsd:dateTime ] .""")
    # 2019-12-31 is too early, 2001 too late; a dateTime without time zone cannot be compared with
    # one with (XSD's partial order), and a string is no date: both fail.
    assert _found(report) == {("b", "MinInclusiveConstraintComponent", "2019-12-31"),
                              ("b", "MaxExclusiveConstraintComponent", "2001"),
                              ("b", "MinInclusiveConstraintComponent", "2020-01-01T00:00:00"),
                              ("c", "MinInclusiveConstraintComponent", "not a date")}


def test_literals_are_checked_as_written(tmp_path: Path) -> None:
    """A store rewrites "12"^^xsd:byte as "12"^^xsd:integer; validating files keeps the terms as parsed."""
    report = _validate(tmp_path, 'ex:a ex:n "12"^^xsd:byte , "300"^^xsd:byte .', """
        ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:n ; sh:datatype xsd:byte ] .""")
    assert _found(report) == {("a", "DatatypeConstraintComponent", "300")}


# -- conformance, severities, exit codes --------------------------------------------------------

SEVERITIES = """
    ex:W a sh:NodeShape ; sh:targetNode ex:bob ; sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:severity sh:Warning ] .
    ex:I a sh:PropertyShape ; sh:targetNode ex:bob ; sh:path ex:age ; sh:minCount 1 ; sh:severity sh:Info .
"""


def test_warnings_mean_does_not_conform_and_allow_warnings_sets_only_the_exit_code(tmp_path: Path) -> None:
    data, shapes = _files(tmp_path, "ex:bob a ex:Person .", SEVERITIES)
    report = kg.validate(data, shapes=shapes)
    assert not report.conforms and report.passes(allow_warnings=True) and not report.passes()
    out = tmp_path / "report.ttl"
    assert main(["validate", str(data), "--shapes", str(shapes), "--report", str(out), "-q"]) == 1
    assert "sh:conforms false" in out.read_text(encoding="utf-8")
    assert main(["validate", str(data), "--shapes", str(shapes), "--report", str(out), "-q", "--allow-warnings"]) == 0
    assert "sh:conforms false" in out.read_text(encoding="utf-8")  # SHACL 3.6.1: the report does not change


def test_custom_severities_are_reported_and_never_allowed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, shapes = _files(tmp_path, "ex:bob a ex:Person .", SEVERITIES + """
        ex:C a sh:NodeShape ; sh:targetNode ex:bob ; sh:severity ex:Critical ; sh:class ex:Robot .""")
    report = kg.validate(data, shapes=shapes)
    assert report.counts() == {"Violation": 0, "Warning": 1, "Info": 1, EX + "Critical": 1}
    assert not report.passes(allow_warnings=True)
    out = tmp_path / "report.ttl"
    assert main(["validate", str(data), "--shapes", str(shapes), "--allow-warnings", "--report", str(out)]) == 1
    assert "1 <http://example.org/Critical>" in capsys.readouterr().out
    graph = ox.Dataset(ox.parse(path=str(out), format=ox.RdfFormat.TURTLE))
    severities = {q.object for q in graph.quads_for_predicate(ox.NamedNode("http://www.w3.org/ns/shacl#resultSeverity"))}
    assert ox.NamedNode(EX + "Critical") in severities


FORMATS = {"ttl": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG, "nt": ox.RdfFormat.N_TRIPLES,
           "nq": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD, "rdf": ox.RdfFormat.RDF_XML}


def test_every_rdf_format_gives_the_same_report(tmp_path: Path) -> None:
    data, shapes = _files(tmp_path, 'ex:bob ex:age "old" ; ex:pet [ ex:kind "dog" ] .', """
        ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:age ; sh:property ex:S-age , ex:S-kind .
        ex:S-age sh:path ex:age ; sh:datatype xsd:integer ; sh:message "An age is an integer" .
        ex:S-kind sh:path ( ex:pet ex:kind ) ; sh:in ( "cat" ) .""")
    expected = kg.validate(data, shapes=shapes).keys()
    assert len(expected) == 2
    for extension, rdf_format in FORMATS.items():
        copies = []
        for source in (data, shapes):
            copy = tmp_path / f"{source.stem}.{extension}"
            copy.write_bytes(ox.serialize(ox.parse(path=str(source), format=ox.RdfFormat.TURTLE), format=rdf_format))
            copies.append(copy)
        assert kg.validate(copies[0], shapes=copies[1]).keys() == expected, extension


def test_several_shapes_files_and_data_files(tmp_path: Path) -> None:
    data, shapes = _files(tmp_path, "ex:bob a ex:Person .", SEVERITIES)
    more_data, more_shapes = tmp_path / "more.ttl", tmp_path / "more-shapes.ttl"
    more_data.write_text(PREFIXES + 'ex:bob ex:name "Bob" .', encoding="utf-8")
    more_shapes.write_text(PREFIXES + "ex:V a sh:NodeShape ; sh:targetClass ex:Person ; sh:nodeKind sh:BlankNode .",
                           encoding="utf-8")
    report = kg.validate([data, more_data], shapes=[shapes, more_shapes])
    assert _found(report) == {("bob", "MinCountConstraintComponent", ""), ("bob", "NodeKindConstraintComponent", "bob")}
    assert main(["validate", str(data), str(more_data), "--shapes", str(shapes), "--shapes", str(more_shapes), "-q"]) == 1


# -- hand-over to pySHACL --------------------------------------------------------------------------


def test_advanced_features_are_handed_to_pyshacl_and_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, shapes = _files(tmp_path, 'ex:alice a ex:Person ; ex:age 30 . ex:bob a ex:Person ; ex:age "old" . '
                                    "ex:carol ex:friend ex:alice .", """
        ex:AgeShape a sh:NodeShape ; sh:targetClass ex:Person ; sh:property [ sh:path ex:age ; sh:datatype xsd:integer ] .
        ex:FriendShape a sh:NodeShape ;
            sh:target [ a sh:SPARQLTarget ; sh:select "SELECT ?this WHERE { ?this <http://example.org/friend> ?x }" ] ;
            sh:property [ sh:path ex:name ; sh:minCount 1 ] .""")
    report = kg.validate(data, shapes=shapes)
    assert _found(report) == {("bob", "DatatypeConstraintComponent", "old"), ("carol", "MinCountConstraintComponent", "")}
    assert [h.shapes for h in report.handovers] == [(EX + "FriendShape",)]
    assert "sh:target" in report.handovers[0].reason
    out = tmp_path / "report.ttl"
    assert main(["validate", str(data), "--shapes", str(shapes), "--report", str(out)]) == 1
    assert "Note: validated by pySHACL (http://example.org/FriendShape)" in capsys.readouterr().out
    assert "validated by pySHACL" in out.read_text(encoding="utf-8")


def test_rules_hand_the_whole_graph_over_and_leave_the_store_alone(tmp_path: Path) -> None:
    store = ox.Store()
    store.load(b"<http://example.org/bob> a <http://example.org/Person> .", format=ox.RdfFormat.TURTLE)
    _, shapes = _files(tmp_path, "", """
        ex:R a sh:NodeShape ; sh:targetClass ex:Person ;
            sh:rule [ a sh:TripleRule ; sh:subject sh:this ; sh:predicate ex:checked ; sh:object true ] ;
            sh:property [ sh:path ex:checked ; sh:minCount 1 ] ;
            sh:property [ sh:path ex:name ; sh:minCount 1 ] .""")
    report = kg.validate(store, shapes=shapes)
    assert _found(report) == {("bob", "MinCountConstraintComponent", "")}  # ex:checked comes from the rule
    assert report.handovers[0].shapes == () and "sh:rule" in report.handovers[0].reason
    assert len(store) == 1  # pySHACL ran its rules on a copy


def test_pyshacl_engine_gives_the_fast_engines_report(tmp_path: Path) -> None:
    data, shapes = _files(tmp_path, 'ex:bob a ex:Person ; ex:age "x" , 2 .', """
        ex:W a sh:NodeShape ; sh:targetNode ex:bob ; sh:property ex:W-name .
        ex:W-name sh:path ex:name ; sh:minCount 1 ; sh:severity sh:Warning .
        ex:A a sh:NodeShape ; sh:targetClass ex:Person ; sh:property ex:A-age .
        ex:A-age sh:path ex:age ; sh:maxCount 1 ; sh:datatype xsd:integer .""")
    fast = kg.validate(data, shapes=shapes)
    reference = kg.validate(data, shapes=shapes, engine=kg.Engine.PYSHACL)
    ours, theirs = fast.keys(), reference.keys()
    assert {k[:7] for k in ours} == {k[:7] for k in theirs}  # messages are each engine's own
    assert reference.handovers and reference.engine == "pyshacl"


# -- refusals: exit 2, one line, nothing written ------------------------------------------------------

REFUSED = {
    "javascript": ('ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:js [ sh:jsFunctionName "f" ] .', "SHACL-JavaScript"),
    "unknown term": ("ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:minCoutn 1 .", "sh:minCoutn"),
    "recursion": ("ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:node ex:S .", "refers to itself"),
    "failure": ('ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select "SELECT $this ?failure WHERE { BIND (true AS ?failure) }" ] .',
                "failure"),
    "unknown function": ('ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select "SELECT $this WHERE { FILTER (<http://example.org/f>($this)) }" ] .',
                         "neither SPARQL nor the shapes graph defines"),
    "minus": ('ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o MINUS { $this ?p 1 } }" ] .',
              "MINUS"),
    "values": ('ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select "SELECT $this WHERE { VALUES ?x { 1 } }" ] .', "VALUES"),
    "bind this": ('ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select "SELECT $this WHERE { BIND (ex:b AS $this) }" ] .',
                  "rebinds"),
    "sub-select": ('ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select "SELECT $this WHERE { { SELECT ?x WHERE { $this ?p ?x } } }" ] .',
                   "must project"),
    "shapes graph": ('ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select "SELECT $this WHERE { GRAPH $shapesGraph { ?s ?p ?o } }" ] .',
                     "$shapesGraph"),
    "bad count": ('ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount "one" ] .', "xsd:integer"),
    "bad path": ('ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path [ ex:nonsense ex:p ] ] .', "property path"),
    "syntax": ('ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select "SELECT $this WHERE {" ] .', "does not parse"),
    "prefix": ('ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select "SELECT $this WHERE { $this ex:p 1 }" ] .',
               "undeclared prefix ex:"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_shapes_exit_2_with_one_line(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shapes_text, reason = REFUSED[case]
    data, shapes = _files(tmp_path, "ex:a ex:p 1 .", shapes_text)
    out = tmp_path / "report.ttl"
    assert main(["validate", str(data), "--shapes", str(shapes), "--report", str(out)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and reason in error and "Traceback" not in error, error
    assert not out.exists()
    with pytest.raises(kg.ShapesError):
        kg.validate(data, shapes=shapes)
