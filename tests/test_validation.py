"""Every shape and every SPARQL rule of the project can fail, and pySHACL agrees.

`tests/data/validation/valid.ttl` conforms to every shape. Each case below breaks it with one SPARQL
Update so that exactly one shape reports; pySHACL (the outside oracle, run directly on an rdflib
copy of the data) must give the same results for that shape.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

import kg
from kg.validation import Severity, ShapesGraph, load_shapes_graph
from kg.validation.components import PropertyConstraint, SparqlConstraint
from kg.validation.reference import _results
from kg.validation.shapes import compile_shapes
from kg.validation.terms import to_rdflib

VALID = Path(__file__).parent / "data" / "validation" / "valid.ttl"
BASE = "https://example.org/id/"
SHAPES = "https://w3id.org/kikg/shapes#"
PREFIXES = """
PREFIX kikg: <https://w3id.org/kikg/def#>
PREFIX ex: <https://example.org/id/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def _replace(subject: str, predicate: str, new: str) -> str:
    return f"DELETE {{ {subject} {predicate} ?old }} INSERT {{ {subject} {predicate} {new} }} WHERE {{ {subject} {predicate} ?old }}"


_NEW_OBSERVATION = """INSERT DATA {{ {node} a kikg:Observation ; qb:dataSet {dataset} ; kikg:observedEntity ex:programme ;
    kikg:indicator ex:concept ; kikg:refPeriod ex:years ; kikg:observationRole ex:concept ; kikg:printedValue "{printed}" ;
    kikg:valueQualifier ex:concept ; prov:wasDerivedFrom ex:record {extra} }}"""

# name -> (shape that must report, severity, update)
CASES: dict[str, tuple[str, Severity, str]] = {
    "label missing": ("NamedEntity-label", Severity.VIOLATION, "DELETE WHERE { ex:agency rdfs:label ?label }"),
    "label without language": ("NamedEntity-label", Severity.VIOLATION, 'INSERT DATA { ex:platform rdfs:label "plain" }'),
    "two English labels": ("NamedEntity-label", Severity.VIOLATION, 'INSERT DATA { ex:platform rdfs:label "Another"@en }'),
    "label in another language": ("NamedEntity-label", Severity.VIOLATION, 'INSERT DATA { ex:platform rdfs:label "Plateforme"@fr }'),
    "alternative label without language": ("NamedEntity-altLabel", Severity.VIOLATION, 'INSERT DATA { ex:agency skos:altLabel "plain" }'),
    "entity without provenance": ("NamedEntity-provenance", Severity.VIOLATION, "DELETE DATA { ex:platform prov:wasDerivedFrom ex:record }"),
    "organisation in two countries": ("Organisation-country", Severity.VIOLATION, "INSERT DATA { ex:ministry kikg:country ex:area }"),
    "homepage as a string": ("Organisation-homepage", Severity.VIOLATION, 'INSERT DATA { ex:agency foaf:homepage "https://example.org/a" }'),
    "ministry without country": ("Ministry-country", Severity.VIOLATION, "DELETE DATA { ex:ministry kikg:country ex:korea }"),
    "affiliate of a ministry": ("Affiliate-group", Severity.VIOLATION, "INSERT DATA { ex:company kikg:affiliateOf ex:ministry }"),
    "place located in an organisation": ("Place-containedIn", Severity.VIOLATION, "INSERT DATA { ex:site kikg:locatedIn ex:ministry }"),
    "former name without language": ("Place-formerName", Severity.VIOLATION, 'INSERT DATA { ex:site kikg:formerName "plain" }'),
    "complex without designation": ("IndustrialComplex-designation", Severity.VIOLATION, "DELETE DATA { ex:complex kikg:designation ex:concept }"),
    "complex on a region": ("IndustrialComplex-site", Severity.VIOLATION, "INSERT DATA { ex:complex kikg:onSite ex:area }"),
    "grouping part of an organisation": ("RegionalGrouping-part", Severity.VIOLATION, "INSERT DATA { ex:area kikg:partOf ex:ministry }"),
    "mini cluster without zone": ("MiniCluster-zone", Severity.VIOLATION, "DELETE DATA { ex:mini kikg:inZone ex:zone }"),
    "mini cluster specialised in a place": ("MiniCluster-specialisation", Severity.VIOLATION, "INSERT DATA { ex:mini kikg:specialisesIn ex:site }"),
    "phase without programme": ("ProgrammePhase-programme", Severity.VIOLATION, "DELETE DATA { ex:phase-2 kikg:phaseOf ex:programme }"),
    "phase without ordinal": ("ProgrammePhase-ordinal", Severity.VIOLATION, "DELETE WHERE { ex:phase-2 kikg:ordinal ?o }"),
    "phase ordinal zero": ("ProgrammePhase-ordinal", Severity.VIOLATION, _replace("ex:phase-1", "kikg:ordinal", "0")),
    "sources disagree on a phase start": ("PhasePeriod-start", Severity.WARNING, 'INSERT DATA { ex:phase-2 kikg:startYear "2010"^^xsd:gYear }'),
    "sources disagree on a phase end": ("PhasePeriod-end", Severity.WARNING, 'INSERT DATA { ex:phase-2 kikg:endYear "2013"^^xsd:gYear }'),
    "task of nothing": ("StrategicTask-whole", Severity.VIOLATION, "DELETE DATA { ex:task kikg:partOf ex:strategy }"),
    "act enacted twice": ("Act-enacted", Severity.VIOLATION, 'INSERT DATA { ex:act kikg:enactedOn "2011"^^xsd:gYear }'),
    "start date as a string": ("Date-start", Severity.VIOLATION, 'INSERT DATA { ex:programme kikg:startDate "2005" }'),
    "end date as an integer": ("Date-end", Severity.VIOLATION, "INSERT DATA { ex:programme kikg:endDate 2016 }"),
    "event date in words": ("Date-event", Severity.VIOLATION, 'INSERT DATA { ex:meeting kikg:eventDate "January 13" }'),
    "enactment date as a string": ("Date-enacted", Severity.VIOLATION, 'INSERT DATA { ex:programme kikg:enactedOn "2010" }'),
    "in force as a string": ("Date-inForce", Severity.VIOLATION, 'INSERT DATA { ex:agreement kikg:inForceFrom "2007" }'),
    "ratification in words": ("Date-ratified", Severity.VIOLATION, 'INSERT DATA { ex:agreement kikg:ratifiedOn "December 2015" }'),
    "review as a string": ("Date-reviewed", Severity.VIOLATION, 'INSERT DATA { ex:agreement kikg:reviewedOn "2013" }'),
    "start year as an integer": ("Year-start", Severity.VIOLATION, "INSERT DATA { ex:programme kikg:startYear 2005 }"),
    "end year as a string": ("Year-end", Severity.VIOLATION, 'INSERT DATA { ex:programme kikg:endYear "2016" }'),
    "signatory of a programme": ("Signatory-agreement", Severity.VIOLATION, "INSERT DATA { ex:agency kikg:signatoryOf ex:programme }"),
    "change without kind": ("ChangeEvent-kind", Severity.VIOLATION, "DELETE DATA { ex:change kikg:changeKind ex:concept }"),
    "change from a place": ("ChangeEvent-original", Severity.VIOLATION, "INSERT DATA { ex:change org:originalOrganization ex:site }"),
    "change without result": ("ChangeEvent-resulting", Severity.VIOLATION, "DELETE DATA { ex:change org:resultingOrganization ex:new-ministry }"),
    "relationship without subject": ("Relationship-subject", Severity.VIOLATION, "DELETE DATA { ex:link kikg:relationSubject ex:agency }"),
    "relationship without object": ("Relationship-object", Severity.VIOLATION, "DELETE DATA { ex:link kikg:relationObject ex:ministry }"),
    "relationship without relation": ("Relationship-relation", Severity.VIOLATION, "DELETE DATA { ex:link kikg:relation kikg:managesOnBehalfOf }"),
    "relationship with a place as modality": ("Relationship-modality", Severity.VIOLATION, "INSERT DATA { ex:link kikg:modality ex:site }"),
    "relationship without provenance": ("Relationship-provenance", Severity.VIOLATION, "DELETE DATA { ex:link prov:wasDerivedFrom ex:record }"),
    "membership of a place": ("Membership-member", Severity.VIOLATION, "INSERT DATA { ex:membership org:member ex:site }"),
    "membership in nothing": ("Membership-organization", Severity.VIOLATION, "DELETE DATA { ex:membership org:organization ex:agreement }"),
    "membership without role": ("Membership-role", Severity.VIOLATION, "DELETE DATA { ex:membership org:role ex:role }"),
    "membership without provenance": ("Membership-provenance", Severity.VIOLATION, "DELETE DATA { ex:membership prov:wasDerivedFrom ex:record }"),
    "observation without data set": ("Observation-dataSet", Severity.VIOLATION, "DELETE DATA { ex:obs-count qb:dataSet ex:dataset }"),
    "observation about nothing": ("Observation-entity", Severity.VIOLATION, "DELETE DATA { ex:obs-count kikg:observedEntity ex:programme }"),
    "observation with a place as indicator": ("Observation-indicator", Severity.VIOLATION, "INSERT DATA { ex:obs-count kikg:indicator ex:site }"),
    "observation with a place as period": ("Observation-period", Severity.VIOLATION, "INSERT DATA { ex:obs-count kikg:refPeriod ex:site }"),
    "observation without role": ("Observation-role", Severity.VIOLATION, "DELETE DATA { ex:obs-count kikg:observationRole ex:concept }"),
    "observation without printed value": ("Observation-printed", Severity.VIOLATION, 'DELETE DATA { ex:obs-count kikg:printedValue "two projects" }'),
    "numeric value as a double": ("Observation-value", Severity.VIOLATION, _replace("ex:obs-count", "kikg:numericValue", '"2"^^xsd:double')),
    "unit outside QUDT": ("Observation-unit", Severity.VIOLATION, "INSERT DATA { ex:obs-count kikg:unit <https://example.org/unit> }"),
    "multiplier out of range": ("Observation-multiplier", Severity.VIOLATION, "INSERT DATA { ex:obs-count kikg:unitMultiplier 20 }"),
    "observation without qualifier": ("Observation-qualifier", Severity.VIOLATION, "DELETE DATA { ex:obs-count kikg:valueQualifier ex:concept }"),
    "status that is not a concept": ("Observation-status", Severity.VIOLATION,
                                     "DELETE WHERE { ex:obs-count kikg:numericValue ?v ; kikg:unit ?u } ; INSERT DATA { ex:obs-count kikg:valueStatus ex:site }"),
    "observation without provenance": ("Observation-provenance", Severity.VIOLATION, "DELETE DATA { ex:obs-count prov:wasDerivedFrom ex:record }"),
    "data set without title": ("DataSet-title", Severity.VIOLATION, "DELETE WHERE { ex:dataset dcterms:title ?t }"),
    "data set without source": ("DataSet-source", Severity.VIOLATION, "DELETE DATA { ex:dataset dcterms:source ex:document }"),
    "tolerance as a double": ("DataSet-tolerance", Severity.VIOLATION, _replace("ex:dataset", "kikg:roundingTolerance", '"1"^^xsd:double')),
    "data set without structure": ("DataSet-structure", Severity.VIOLATION, "DELETE DATA { ex:dataset qb:structure kikg:observationStructure }"),
    "period without label": ("Period-label", Severity.VIOLATION, 'DELETE DATA { ex:unstated rdfs:label "not stated" }'),
    "period with two starts": ("Period-start", Severity.VIOLATION, 'INSERT DATA { ex:years kikg:startYear "2008"^^xsd:gYear }'),
    "period with two ends": ("Period-end", Severity.VIOLATION, 'INSERT DATA { ex:years kikg:endYear "2013"^^xsd:gYear }'),
    "period part of a place": ("Period-partOf", Severity.VIOLATION, "INSERT DATA { ex:unstated kikg:partOfPeriod ex:site }"),
    "listing without completeness": ("Listing-complete", Severity.VIOLATION, "DELETE DATA { ex:listing kikg:listingComplete true }"),
    "listing without label": ("Listing-label", Severity.VIOLATION, "DELETE WHERE { ex:listing rdfs:label ?l }"),
    "concept without label": ("Concept-prefLabel", Severity.VIOLATION, 'DELETE DATA { ex:role skos:prefLabel "signatory"@en }'),
    "concept without scheme": ("Concept-scheme", Severity.VIOLATION, "DELETE DATA { ex:role skos:inScheme ex:scheme }"),
    "concept broader than a place": ("Concept-broader", Severity.VIOLATION, "INSERT DATA { ex:role skos:broader ex:site }"),
    "scheme without label": ("ConceptScheme-prefLabel", Severity.VIOLATION, 'DELETE DATA { ex:scheme skos:prefLabel "Scheme"@en }'),
    "record without document": ("SourceRecord-document", Severity.VIOLATION, "DELETE DATA { ex:record prov:hadPrimarySource ex:document }"),
    "record with an empty locator": ("SourceRecord-locator", Severity.VIOLATION, _replace("ex:record", "kikg:locator", '""')),
    "record without table": ("SourceRecord-table", Severity.VIOLATION, 'DELETE DATA { ex:record kikg:sourceTable "things" }'),
    "record on the header row": ("SourceRecord-row", Severity.VIOLATION, _replace("ex:record", "kikg:sourceRow", "1")),
    "record with two quotes": ("SourceRecord-evidence", Severity.VIOLATION, "INSERT DATA { ex:record kikg:evidence ex:site }"),
    "quote too short": ("Quote-exact", Severity.VIOLATION, _replace("ex:quote", "oa:exact", '"ab"')),
    "document without file name": ("SourceDocument-file", Severity.VIOLATION, 'DELETE DATA { ex:document kikg:fileName "doc.txt" }'),
    "document without title": ("SourceDocument-title", Severity.VIOLATION, "DELETE WHERE { ex:document dcterms:title ?t }"),
    "result without metric": ("AnalysisResult-metric", Severity.VIOLATION, "DELETE DATA { ex:result kikg:metric ex:metric }"),
    "result for a place": ("AnalysisResult-actor", Severity.VIOLATION, "INSERT DATA { ex:result kikg:resultFor ex:site }"),
    "score as a string": ("AnalysisResult-score", Severity.VIOLATION, _replace("ex:result", "kikg:score", '"0.5"')),
    "analysis without projection": ("NetworkAnalysis-projection", Severity.VIOLATION,
                                    'DELETE DATA { ex:analysis kikg:projection "collaboration" }'),
    "result without analysis": ("AnalysisResult-activity", Severity.VIOLATION, "DELETE DATA { ex:result prov:wasGeneratedBy ex:analysis }"),
    # SHACL-SPARQL rules
    "total differs from its parts": ("TotalOfPartsShape", Severity.WARNING,
                                     _replace("ex:obs-total", "kikg:numericValue", "1100.0") + " ; " + _replace("ex:obs-total", "kikg:printedValue", '"1,100"')),
    "total within rounding of its parts": ("TotalOfPartsRoundingShape", Severity.INFO,
                                           _replace("ex:obs-total", "kikg:numericValue", "1000.5") + " ; " + _replace("ex:obs-total", "kikg:printedValue", '"1,000.5"')),
    "row total differs from its periods": ("TotalOfPeriodsShape", Severity.WARNING,
                                           _replace("ex:obs-a-2009", "kikg:numericValue", "200.0") + " ; " + _replace("ex:obs-a-2009", "kikg:printedValue", '"200"')),
    "row total within rounding of its periods": ("TotalOfPeriodsRoundingShape", Severity.INFO,
                                                 _replace("ex:obs-a-2009", "kikg:numericValue", "100.5") + " ; " + _replace("ex:obs-a-2009", "kikg:printedValue", '"100.5"')),
    "count differs from the listing": ("CountOfListingShape", Severity.WARNING,
                                       _replace("ex:obs-count", "kikg:numericValue", "3.0") + " ; " + _replace("ex:obs-count", "kikg:printedValue", '"3 projects"')),
    "phases overlap": ("PhaseOrderShape", Severity.WARNING, _replace("ex:phase-2", "kikg:startYear", '"2008"^^xsd:gYear')),
    "period ends before it starts": ("PeriodOrderShape", Severity.VIOLATION, _replace("ex:years", "kikg:startYear", '"2013"^^xsd:gYear')),
    "year out of range": ("YearRangeShape", Severity.VIOLATION, _replace("ex:act", "kikg:enactedOn", '"1850-03-01"^^xsd:date')),
    "predecessor ends after successor starts": ("SuccessionShape", Severity.WARNING, _replace("ex:old-ministry", "kikg:endDate", '"2009"^^xsd:gYear')),
    "numeric value does not match the print": ("PrintedValueShape", Severity.VIOLATION, _replace("ex:obs-b", "kikg:printedValue", '"450"')),
    "number word that does not match the value": ("PrintedValueShape", Severity.VIOLATION,
                                                  _replace("ex:obs-count", "kikg:printedValue", '"three projects"')),
    "observation with neither value nor status": ("ValueOrStatusShape", Severity.VIOLATION, "DELETE WHERE { ex:obs-count kikg:numericValue ?v }"),
    "two sources disagree": ("DisagreementShape", Severity.WARNING,
                             'INSERT DATA { ex:dataset-2 a kikg:DataSet ; dcterms:title "Text"@en ; dcterms:source ex:document ; '
                             "qb:structure kikg:observationStructure } ; "
                             + _NEW_OBSERVATION.format(node="ex:obs-dup", dataset="ex:dataset-2", printed="999",
                                                       extra="; kikg:numericValue 999.0 ; kikg:unit <http://qudt.org/vocab/currency/KRW> ; kikg:unitMultiplier 9")),
    "cell missing in the source": ("MissingCellShape", Severity.INFO,
                                   _NEW_OBSERVATION.format(node="ex:obs-blank", dataset="ex:dataset", printed="", extra="; kikg:valueStatus ex:concept")),
    "role node without its edge": ("RoleNodeEdgeShape", Severity.VIOLATION, "DELETE DATA { ex:agency kikg:managesOnBehalfOf ex:ministry }"),
    "undefined ontology term": ("OntologyTermsShape", Severity.VIOLATION, 'INSERT DATA { ex:agency kikg:undefinedProperty "x" }'),
}


@pytest.fixture(scope="module")
def shapes() -> ShapesGraph:
    return load_shapes_graph()


@pytest.fixture(scope="module")
def shapes_rdflib(shapes: ShapesGraph) -> Graph:
    graph = Graph()
    for t in shapes.triples:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


@pytest.fixture(scope="module")
def memoised_rdflib_sparql() -> Iterator[None]:
    """pySHACL runs each SPARQL constraint once per focus node with the same text, and rdflib parses
    it every time; memoising the parse (evaluation never changes a translated query, which is what
    ``prepareQuery`` relies on) keeps the oracle affordable. Test code only."""
    from rdflib.plugins.sparql import processor

    patch = pytest.MonkeyPatch()
    translated: dict[tuple[int, object, object], object] = {}
    translate = processor.translateQuery

    def cached_translate(tree: object, base: object = None, namespaces: object = None) -> object:
        key = (id(tree), base, tuple(sorted(namespaces.items())) if isinstance(namespaces, dict) else namespaces)
        if key not in translated:
            translated[key] = translate(tree, base, namespaces)
        return translated[key]

    patch.setattr(processor, "parseQuery", functools.lru_cache(maxsize=None)(processor.parseQuery))
    patch.setattr(processor, "translateQuery", cached_translate)
    yield
    patch.undo()


def _pyshacl(store: ox.Store, shapes: Graph, *, only: list[str] | None = None) -> list[tuple[str, ...]]:
    """The keys of pySHACL's report on an rdflib copy of ``store`` (advanced off, inference none)."""
    import pyshacl

    data = Graph()
    for q in store:
        data.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    options = {"use_shapes": only} if only else {}
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True,
                                    allow_infos=True, **options)
    return sorted(r.key() for r in _results(report))


def _valid() -> kg.KnowledgeGraph:
    graph = kg.read(VALID, base_iri=BASE)
    graph.dataset.add_graph(graph.dataset.graphs.ontology, kg.ontology_triples())
    return graph


def _node_shapes(shapes: ShapesGraph, name: str) -> list[str]:
    """The node shapes a (property) shape of the project belongs to."""
    node = ox.NamedNode(SHAPES + name)
    parents = shapes.subjects(ox.NamedNode("http://www.w3.org/ns/shacl#property"), node)
    return [n.value for n in shapes.reachable_shapes(parents or [node]) if isinstance(n, ox.NamedNode)]


def test_the_fixture_conforms_for_both_engines(shapes: ShapesGraph, shapes_rdflib: Graph,
                                                memoised_rdflib_sparql: None) -> None:
    graph = _valid()
    report = graph.validate(shapes=shapes)
    assert report.results == [] and report.conforms, report.to_text()
    assert _pyshacl(graph.store, shapes_rdflib) == []


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_rule_fires_alone_and_pyshacl_agrees(case: str, shapes: ShapesGraph, shapes_rdflib: Graph,
                                                  memoised_rdflib_sparql: None) -> None:
    shape, severity, update = CASES[case]
    graph = _valid()
    graph.store.update(PREFIXES + update)
    fast = graph.validate(shapes=shapes)
    fired = {str(r.shape.value).removeprefix(SHAPES) for r in fast.results}
    assert fired == {shape}, fast.to_text()
    assert {r.severity for r in fast.results} == {severity}
    assert all(r.message for r in fast.results)
    assert not fast.conforms and fast.passes(allow_warnings=True) == (severity is not Severity.VIOLATION)
    reference = _pyshacl(graph.store, shapes_rdflib, only=_node_shapes(shapes, shape))
    assert fast.keys() == reference, f"engines disagree:\n{fast.to_text()}\n---\n{reference}"


def _shape_names(shapes: ShapesGraph) -> Iterator[tuple[str, bool]]:
    """Every shape of the project, and whether it is a SPARQL rule."""
    for node_shape, _ in compile_shapes(shapes).shapes:
        for constraint in node_shape.constraints:
            if isinstance(constraint, SparqlConstraint):
                yield node_shape.node.value.removeprefix(SHAPES), True
            elif isinstance(constraint, PropertyConstraint):
                yield constraint.shape.node.value.removeprefix(SHAPES), False


def test_every_shape_and_rule_has_a_case(shapes: ShapesGraph) -> None:
    tested = {shape for shape, _, _ in CASES.values()}
    names = dict(_shape_names(shapes))
    assert sum(names.values()) == 15 and len(names) > 90
    assert set(names) <= tested, set(names) - tested


def test_every_shape_carries_a_message(shapes: ShapesGraph) -> None:
    for node_shape, _ in compile_shapes(shapes).shapes:
        for constraint in node_shape.constraints:
            if isinstance(constraint, PropertyConstraint):
                assert constraint.shape.messages, constraint.shape.node
            elif isinstance(constraint, SparqlConstraint):
                assert constraint.messages, node_shape.node


def test_every_ontology_class_is_covered_by_a_shape(shapes: ShapesGraph) -> None:
    """Each class is the target of a shape, directly or through a superclass."""
    from rdflib import OWL, RDF, RDFS

    from kg._resources import ONTOLOGY_DIR

    ontology = Graph()
    for path in ONTOLOGY_DIR.glob("*.ttl"):
        ontology.parse(path, format="turtle")
    targets = {t.value for t in shapes.by_predicate[ox.NamedNode("http://www.w3.org/ns/shacl#targetClass")]}
    uncovered = []
    for cls in ontology.subjects(RDF.type, OWL.Class):
        if not str(cls).startswith("https://w3id.org/kikg/def#"):
            continue
        lineage = {str(c) for c in ontology.transitive_objects(cls, RDFS.subClassOf)}
        if not lineage & targets:
            uncovered.append(str(cls))
    assert uncovered == []


def test_report_traces_results_to_source_rows(tmp_path: Path) -> None:
    """A result names the CSV table and row its focus node came from."""
    import shutil

    mini = tmp_path / "mini"
    shutil.copytree(Path(__file__).parent / "data" / "mini", mini)
    things = mini / "things.csv"
    things.write_text(things.read_text(encoding="utf-8") + "thing/old,Old,,,1850-01-01,,,,a.txt,Section 2,\n", encoding="utf-8")
    report = kg.build(mini / "csv-metadata.json").validate()
    frame = report.to_frame()
    row = frame[frame["focus_node"] == "https://example.org/id/thing/old"].iloc[0]
    assert row["severity"] == "Violation"
    assert row["source_table"] == "things"
    assert row["source_row"] == 4
    assert row["focus_label"] == "Old"
    assert row["value"] == "1850-01-01"
    csv_text = report.to_csv()
    assert csv_text.splitlines()[0] == ",".join(frame.columns)
    assert "things,4,thing/old" in csv_text
    assert "things.csv row 4" in report.to_text()
    graph = report.graph()
    results = URIRef("http://www.w3.org/ns/shacl#ValidationResult")
    assert len(list(graph.subjects(None, results))) == len(report)


def test_default_graph_has_no_violations() -> None:
    report = kg.build().validate()
    assert report.counts()["Violation"] == 0, report.to_text()
    assert not report.conforms and report.passes(allow_warnings=True)  # the sources' own inconsistencies


@pytest.mark.slow
def test_pyshacl_agrees_on_the_default_graph(shapes: ShapesGraph, shapes_rdflib: Graph,
                                             memoised_rdflib_sparql: None) -> None:
    graph = kg.build()
    fast = graph.validate(shapes=shapes)
    assert fast.keys() == _pyshacl(graph.store, shapes_rdflib)
