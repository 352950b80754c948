"""Checks of the ontology itself: labels and definitions, the generated namespace module, no domain or
range on reused terms, no punning, and a class or property for every item of its scope.

Each check is a function over triples, run on the real ontology (and the built data) and on a
fixture in ``tests/data/ontology/`` that breaks it, so every check is seen to fail.
"""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg._resources import ONTOLOGY_DIR
from kg.errors import InputError
from kg.namespace import KIKG
from kg.namespace_gen import ONTOLOGY_NAMESPACE, main, ontology_terms, render_namespace_module

FIXTURES = Path(__file__).parent / "data" / "ontology"
REPO = Path(__file__).resolve().parent.parent

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
QB = "http://purl.org/linked-data/cube#"

DECLARATIONS = {
    OWL + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty",
    QB + "DataStructureDefinition", QB + "ComponentSpecification",
}
META_CLASSES = DECLARATIONS | {
    RDFS + "Class", RDFS + "Datatype", "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property",
    OWL + "Ontology", OWL + "Restriction", OWL + "NamedIndividual", OWL + "FunctionalProperty",
    OWL + "InverseFunctionalProperty", OWL + "TransitiveProperty", OWL + "SymmetricProperty",
    OWL + "AsymmetricProperty", OWL + "ReflexiveProperty", OWL + "IrreflexiveProperty",
    QB + "DimensionProperty", QB + "AttributeProperty", QB + "MeasureProperty",
}
"""Classes whose members are terms of a vocabulary, not individuals of the domain."""


def parse(path: Path) -> list[ox.Triple]:
    return list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))


def triples_of(quads: Iterable[ox.Quad | ox.Triple]) -> list[ox.Triple]:
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]


def declared_terms(triples: Iterable[ox.Triple]) -> set[str]:
    return {
        t.subject.value for t in triples
        if t.predicate.value == RDF_TYPE and t.object.value in DECLARATIONS
        and isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(ONTOLOGY_NAMESPACE)
    }


# -- labels and definitions -------------------------------------------------------------------


def label_defects(triples: list[ox.Triple]) -> list[str]:
    """Every declared kikg term needs exactly one rdfs:label in English and one in Korean, no other
    preferred label, and exactly one English skos:definition."""
    labels: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    definitions: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    pref_labels: set[str] = set()
    for t in triples:
        if not isinstance(t.object, ox.Literal):
            continue
        if t.predicate.value == RDFS + "label":
            labels[t.subject.value][t.object.language or ""] += 1
        elif t.predicate.value == SKOS + "definition":
            definitions[t.subject.value][t.object.language or ""] += 1
        elif t.predicate.value == SKOS + "prefLabel":
            pref_labels.add(t.subject.value)
    defects = []
    for term in sorted(declared_terms(triples)):
        for language in ("en", "ko"):
            count = labels[term][language]
            if count != 1:
                defects.append(f"{term}: {count} rdfs:label @{language}, expected 1")
        if labels[term][""]:
            defects.append(f"{term}: rdfs:label without a language tag")
        if definitions[term]["en"] != 1:
            defects.append(f"{term}: {definitions[term]['en']} skos:definition @en, expected 1")
        if term in pref_labels:
            defects.append(f"{term}: skos:prefLabel beside rdfs:label (rdfs:label is the preferred label)")
    return defects


def test_every_term_has_one_english_and_one_korean_label_and_an_english_definition() -> None:
    triples = kg.ontology_triples()
    assert len(declared_terms(triples)) > 150
    assert label_defects(triples) == []


def test_label_check_reports_each_defect_of_the_fixture() -> None:
    defects = label_defects(parse(FIXTURES / "bad-labels.ttl"))
    expected = [
        "NoKorean: 0 rdfs:label @ko",
        "TwoEnglish: 2 rdfs:label @en",
        "noDefinition: 0 skos:definition @en",
        "untagged: 0 rdfs:label @en",
        "untagged: rdfs:label without a language tag",
        "koreanDefinition: 0 skos:definition @en",
        "PrefLabelled: skos:prefLabel beside rdfs:label",
    ]
    for fragment in expected:
        assert any(fragment in defect for defect in defects), fragment
    assert len(defects) == len(expected)


# -- the generated namespace module -----------------------------------------------------------


def test_generated_namespace_module_matches_the_ontology() -> None:
    assert (REPO / "kg" / "namespace.py").read_text(encoding="utf-8") == render_namespace_module()
    declared = {iri[len(ONTOLOGY_NAMESPACE):] for iri in declared_terms(kg.ontology_triples())}
    assert set(ontology_terms()) == declared
    assert all(str(getattr(KIKG, name)) == ONTOLOGY_NAMESPACE + name for name in declared)


def test_namespace_gen_check_command_exits_zero() -> None:
    done = subprocess.run([sys.executable, "-m", "kg.namespace_gen", "--check"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_namespace_gen_check_fails_on_a_stale_module(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stale = tmp_path / "namespace.py"
    stale.write_text(render_namespace_module().replace("    IndustrialComplex: URIRef", ""), encoding="utf-8")
    assert main(["--check"], target=stale) == 1
    assert "stale" in capsys.readouterr().err
    assert main([], target=stale) == 0
    assert main(["--check"], target=stale) == 0


def test_misspelt_term_raises() -> None:
    assert str(KIKG.IndustrialComplex) == ONTOLOGY_NAMESPACE + "IndustrialComplex"
    with pytest.raises(AttributeError):
        _ = KIKG.IndustrialCompelx


def test_a_term_that_cannot_be_an_attribute_is_refused() -> None:
    with pytest.raises(InputError, match="industrial-complex"):
        ontology_terms(FIXTURES / "bad-name")


# -- no domain or range on reused terms -------------------------------------------------------


def reused_domain_defects(triples: Iterable[ox.Triple]) -> list[str]:
    return sorted(
        f"{t.subject.value} {t.predicate.value.rsplit('#', 1)[1]} {t.object.value}"
        for t in triples
        if t.predicate.value in (RDFS + "domain", RDFS + "range")
        and not t.subject.value.startswith(ONTOLOGY_NAMESPACE)
    )


def test_ontology_adds_no_domain_or_range_to_reused_terms() -> None:
    assert reused_domain_defects(kg.ontology_triples()) == []


def test_reused_domain_check_fails_on_fixture() -> None:
    assert reused_domain_defects(parse(FIXTURES / "reused-domain.ttl")) == [
        "http://www.w3.org/ns/org#linkedTo range https://w3id.org/kikg/def#Organisation",
        "http://www.w3.org/ns/org#memberOf domain https://w3id.org/kikg/def#Actor",
    ]


# -- no punning -------------------------------------------------------------------------------


def punning_defects(triples: list[ox.Triple]) -> list[str]:
    """IRIs that are both a class and an individual, and SKOS concepts used as classes."""
    classes = {t.subject.value for t in triples
               if t.predicate.value == RDF_TYPE and t.object.value in (OWL + "Class", RDFS + "Class")}
    used_as_class = {t.object.value for t in triples if t.predicate.value == RDF_TYPE}
    used_as_class |= {v.value for t in triples if t.predicate.value == RDFS + "subClassOf"
                      for v in (t.subject, t.object) if isinstance(v, ox.NamedNode)}
    properties = {t.subject.value for t in triples if t.predicate.value == RDF_TYPE
                  and t.object.value in (OWL + "ObjectProperty", OWL + "DatatypeProperty")}
    concepts = {t.subject.value for t in triples
                if t.predicate.value == RDF_TYPE and t.object.value == SKOS + "Concept"}
    defects = set()
    for t in triples:
        if t.predicate.value == RDF_TYPE and t.subject.value in classes and t.object.value not in META_CLASSES:
            defects.add(f"{t.subject.value} is a class and a member of {t.object.value}")
        if t.predicate.value in properties:
            for value in (t.subject, t.object):
                if isinstance(value, ox.NamedNode) and value.value in classes:
                    defects.add(f"{value.value} is a class and a value of {t.predicate.value}")
    for concept in concepts & (classes | used_as_class):
        defects.add(f"{concept} is a skos:Concept used as a class")
    return sorted(defects)


def test_no_punning_in_ontology_with_built_data() -> None:
    graph = kg.build()
    assert punning_defects(triples_of(graph.dataset.quads())) == []


def test_no_punning_in_full_build_with_analysis(tmp_path: Path) -> None:
    summary = kg.run_build(tmp_path, reasoning=kg.Reasoning.OFF)
    assert summary.triple_counts[summary.graph.dataset.graphs.analysis] > 0
    assert punning_defects(triples_of(summary.graph.dataset.quads())) == []


def test_punning_check_fails_on_fixture() -> None:
    triples = kg.ontology_triples() + parse(FIXTURES / "punning.ttl")
    assert punning_defects(triples) == [
        "https://example.org/id/concept/batteries is a class and a member of http://www.w3.org/2004/02/skos/core#Concept",
        "https://example.org/id/concept/batteries is a skos:Concept used as a class",
        "https://example.org/id/concept/semiconductors is a skos:Concept used as a class",
        "https://w3id.org/kikg/def#Company is a class and a member of https://w3id.org/kikg/def#Actor",
    ]


# -- scope ------------------------------------------------------------------------------------

SCOPE = {
    "actors": ["Actor", "PublicOrganisation", "Company", "BusinessGroup", "affiliateOf", "University",
               "ResearchInstitute", "Association", "InternationalOrganisation", "EUBody", "role", "memberOf"],
    "places": ["Country", "AdministrativeRegion", "containedIn", "StatisticalArea", "City", "IndustrialComplex",
               "IndustrialSite", "onSite", "designation", "Cluster", "MiniCluster", "InnovationDistrict",
               "SciencePark"],
    "policies": ["Strategy", "StrategicTask", "Programme", "ProgrammePhase", "phaseOf", "Act", "Fund", "Plan",
                 "SupportProgramme", "requirement", "Event", "Agreement"],
    "concepts": ["concerns", "specialisesIn"],
    "quantities": ["Observation", "numericValue", "unit", "unitMultiplier", "refPeriod", "observationRole"],
    "collaboration links": ["Relationship", "relationSubject", "relationObject", "relation", "actorLink"],
    "provenance": ["SourceDocument", "SourceRecord", "locator", "evidence"],
    "organisational change": ["ChangeEvent", "changeKind", "successorOf", "formerName"],
}

REUSED_SUPERCLASSES = {
    "Organisation": "http://www.w3.org/ns/org#Organization",
    "PublicOrganisation": "http://data.europa.eu/m8g/PublicOrganisation",
    "Company": "http://www.w3.org/ns/org#FormalOrganization",
    "Collaboration": "http://www.w3.org/ns/org#OrganizationalCollaboration",
    "AdministrativeRegion": "http://data.europa.eu/m8g/AdminUnit",
    "Place": "http://www.opengis.net/ont/geosparql#Feature",
    "Act": "http://data.europa.eu/eli/ontology#LegalResource",
    "Observation": "http://purl.org/linked-data/cube#Observation",
    "DataSet": "http://www.w3.org/ns/dcat#Dataset",
    "Period": "http://www.w3.org/2006/time#ProperInterval",
    "ChangeEvent": "http://www.w3.org/ns/org#ChangeEvent",
    "SourceDocument": "http://xmlns.com/foaf/0.1/Document",
    "Actor": "http://www.w3.org/ns/prov#Agent",
}


@pytest.mark.parametrize("item", sorted(SCOPE))
def test_every_scope_item_has_its_terms(item: str) -> None:
    declared = set(ontology_terms())
    assert [name for name in SCOPE[item] if name not in declared] == []


def test_main_classes_subclass_the_reused_vocabularies() -> None:
    parents = defaultdict(set)
    for t in kg.ontology_triples():
        if t.predicate.value == RDFS + "subClassOf":
            parents[t.subject.value].add(t.object.value)
    missing = {name: iri for name, iri in REUSED_SUPERCLASSES.items() if iri not in parents[ONTOLOGY_NAMESPACE + name]}
    assert missing == {}


def test_ontology_dir_is_the_packaged_one() -> None:
    assert sorted(p.name for p in ONTOLOGY_DIR.glob("*.ttl")) == ["kikg.ttl"]
