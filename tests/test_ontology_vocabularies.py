"""Every class, property, datatype, unit and currency the data uses is defined: by ``ontology/``
when it is a kikg term, else by its standard vocabulary, checked against that vocabulary's own term
list in ``tests/data/vocabularies/`` (see the README there for where each list came from).

The check covers the default graph (``kg.build()``), the full build with its analysis graph and its
VoID description and validation report (``kg.run_build``), and the terms of ``kg/vocabularies.py``.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib.namespace
from rdflib.namespace import DefinedNamespace

import kg
import kg.vocabularies
from kg._resources import QUERIES_DIR, SHAPES_DIR
from kg.namespace_gen import ONTOLOGY_NAMESPACE, ontology_terms

VOCABULARIES = Path(__file__).parent / "data" / "vocabularies"
FIXTURES = Path(__file__).parent / "data" / "ontology"

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
QB = "http://purl.org/linked-data/cube#"
VOID = "http://rdfs.org/ns/void#"

CLASS_POSITIONS = {RDFS + "subClassOf", RDFS + "domain", RDFS + "range", OWL + "equivalentClass",
                   OWL + "disjointWith", OWL + "someValuesFrom", OWL + "allValuesFrom", OWL + "onClass",
                   VOID + "class"}
"""Predicates whose object is a class."""
PROPERTY_POSITIONS = {RDFS + "subPropertyOf", OWL + "equivalentProperty", OWL + "inverseOf", OWL + "onProperty",
                      QB + "dimension", QB + "measure", QB + "attribute", VOID + "property",
                      ONTOLOGY_NAMESPACE + "relation"}
"""Predicates whose object is a property."""
MISSPELT_NAMESPACES = {"https://schema.org/": "http://schema.org/"}


@dataclass(frozen=True)
class TermList:
    prefix: str
    namespace: str
    terms: frozenset[str]
    source: str


def load_term_list(path: Path) -> TermList:
    """A list file: ``# field: value`` header lines (namespace, source...), then one IRI per line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    fields = {}
    for line in lines:
        match = re.match(r"#\s*(\w+):\s*(.*)", line)
        if match:
            fields.setdefault(match.group(1), match.group(2))
    body = frozenset(line for line in lines if line and not line.startswith("#"))
    return TermList(path.stem, fields.get("namespace", ""), body, fields.get("source", ""))


@pytest.fixture(scope="module")
def term_lists() -> dict[str, TermList]:
    return {path.stem: load_term_list(path) for path in sorted(VOCABULARIES.glob("*.txt"))}


def undefined_terms(quads: Iterable[ox.Quad | ox.Triple], lists: dict[str, TermList], kikg_terms: set[str]) -> list[str]:
    """The terms used in ``quads`` that neither the ontology nor their vocabulary's list defines.

    A term is a predicate, a class (object of ``rdf:type`` or of a class-valued axiom), a property
    named by an axiom, a literal's datatype, or any IRI in the namespace of a listed vocabulary (a
    unit, a currency, an individual such as ``qb`` components). IRIs of other namespaces are checked
    only where they are used as a class, property or datatype: a homepage is not a term.
    """
    by_namespace = sorted(((tl.namespace, tl) for tl in lists.values()), key=lambda item: -len(item[0]))
    problems: dict[str, str] = {}  # one message per IRI, naming its most specific use

    def report(iri: str, role: str, reason: str) -> None:
        if iri not in problems or problems[iri].startswith("value "):
            problems[iri] = f"{role} {iri}: {reason}"

    def check(iri: str, role: str) -> None:
        if iri.startswith(ONTOLOGY_NAMESPACE):
            if iri != ONTOLOGY_NAMESPACE and iri[len(ONTOLOGY_NAMESPACE):] not in kikg_terms:
                report(iri, role, "not declared in ontology/")
            return
        for wrong, right in MISSPELT_NAMESPACES.items():
            if iri.startswith(wrong):
                report(iri, role, f"namespace {wrong} should be {right}")
                return
        for namespace, term_list in by_namespace:
            if iri.startswith(namespace):
                if iri != namespace and iri not in term_list.terms:
                    report(iri, role, f"not in the {term_list.prefix} term list")
                return
        if role != "value":
            report(iri, role, "not from the ontology or a listed vocabulary")

    for quad in quads:
        check(quad.predicate.value, "property")
        for node in (quad.subject, quad.object):
            if isinstance(node, ox.NamedNode):
                check(node.value, "value")
        value = quad.object
        if isinstance(value, ox.Literal) and value.language is None:
            check(value.datatype.value, "datatype")
        if isinstance(value, ox.NamedNode):
            if quad.predicate.value == RDF_TYPE or quad.predicate.value in CLASS_POSITIONS:
                check(value.value, "class")
            elif quad.predicate.value in PROPERTY_POSITIONS:
                check(value.value, "property")
    return sorted(problems.values())


@pytest.fixture(scope="module")
def kikg_terms() -> set[str]:
    return set(ontology_terms())


@pytest.fixture(scope="module")
def full_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[kg.BuildSummary, Path]:
    out = tmp_path_factory.mktemp("build")
    return kg.run_build(out, reasoning=kg.Reasoning.OFF), out


# -- the data ---------------------------------------------------------------------------------


def test_default_graph_uses_only_defined_terms(default_graph: kg.KnowledgeGraph, term_lists: dict[str, TermList],
                                               kikg_terms: set[str]) -> None:
    assert undefined_terms(default_graph.dataset.quads(), term_lists, kikg_terms) == []


def test_full_build_uses_only_defined_terms(full_build: tuple[kg.BuildSummary, Path], term_lists: dict[str, TermList],
                                            kikg_terms: set[str]) -> None:
    summary, _ = full_build
    assert summary.triple_counts[summary.graph.dataset.graphs.analysis] > 0
    assert undefined_terms(summary.graph.dataset.quads(), term_lists, kikg_terms) == []


@pytest.mark.parametrize("name", ["void.ttl", "validation-report.ttl"])
def test_build_descriptions_use_only_defined_terms(full_build: tuple[kg.BuildSummary, Path], name: str,
                                                   term_lists: dict[str, TermList], kikg_terms: set[str]) -> None:
    _, out = full_build
    triples = list(ox.parse(path=str(out / name), format=ox.RdfFormat.TURTLE))
    if name == "void.ttl":
        assert any(t.predicate.value == VOID + "class" for t in triples)
    assert undefined_terms(triples, term_lists, kikg_terms) == []


def test_check_reports_every_kind_of_undefined_term(term_lists: dict[str, TermList], kikg_terms: set[str]) -> None:
    triples = list(ox.parse(path=str(FIXTURES / "undefined-terms.ttl"), format=ox.RdfFormat.TURTLE))
    assert undefined_terms(triples, term_lists, kikg_terms) == [
        "class https://w3id.org/kikg/def#Compnay: not declared in ontology/",
        "datatype http://www.w3.org/2001/XMLSchema#gyear: not in the xsd term list",
        "property http://www.w3.org/ns/org#memberof: not in the org term list",
        "property https://example.org/vocab#founded: not from the ontology or a listed vocabulary",
        "property https://schema.org/name: namespace https://schema.org/ should be http://schema.org/",
        "value http://qudt.org/vocab/unit/PERCENTAGE: not in the unit term list",
    ]


# -- kg/vocabularies.py -----------------------------------------------------------------------


def own_namespaces() -> list[type[DefinedNamespace]]:
    """The namespace classes declared in kg/vocabularies.py itself (the others are rdflib's)."""
    return [value for value in vars(kg.vocabularies).values()
            if inspect.isclass(value) and issubclass(value, DefinedNamespace) and value.__module__ == "kg.vocabularies"]


def test_terms_of_kg_vocabularies_are_in_the_lists(term_lists: dict[str, TermList], kikg_terms: set[str]) -> None:
    namespaces = own_namespaces()
    assert {ns.__name__ for ns in namespaces} >= {"CV", "ELI", "OA", "SCHEMA", "QUDT_UNIT", "QUDT_CURRENCY"}
    used = [ox.Triple(ox.NamedNode("https://example.org/s"), ox.NamedNode(RDF_TYPE), ox.NamedNode(str(ns._NS) + name))
            for ns in namespaces for name in ns.__annotations__ if not name.startswith("_")]
    assert len(used) >= 10
    assert [p for p in undefined_terms(used, term_lists, kikg_terms) if not p.startswith("value")] == []


def test_every_prefix_of_kg_vocabularies_has_a_term_list(term_lists: dict[str, TermList]) -> None:
    listed = {tl.namespace for tl in term_lists.values()} | {ONTOLOGY_NAMESPACE}
    assert sorted(set(kg.vocabularies.PREFIXES.values()) - listed) == []


# -- the lists themselves ---------------------------------------------------------------------


def test_term_lists_are_well_formed(term_lists: dict[str, TermList]) -> None:
    assert len(term_lists) >= 20
    for path in sorted(VOCABULARIES.glob("*.txt")):
        term_list = term_lists[path.stem]
        body = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
        assert term_list.namespace and term_list.source, f"{path.name}: header needs namespace and source"
        assert body, f"{path.name}: no terms"
        assert body == sorted(set(body)), f"{path.name}: terms must be sorted and unique"
        assert all(iri.startswith(term_list.namespace) for iri in body), f"{path.name}: a term outside its namespace"
        assert "extracted:" in path.read_text(encoding="utf-8") or "read:" in path.read_text(encoding="utf-8")


def test_rdflib_lists_hold_no_term_rdflib_lacks(term_lists: dict[str, TermList]) -> None:
    """A list extracted from rdflib must not have gained hand-written terms."""
    checked = 0
    for term_list in term_lists.values():
        match = re.search(r"rdflib\.namespace\.(\w+)", term_list.source)
        if not match:
            continue
        namespace = getattr(rdflib.namespace, match.group(1))
        names = {n for n in namespace.__annotations__ if not n.startswith("_")} | set(getattr(namespace, "_extras", []))
        local = {iri[len(term_list.namespace):] for iri in term_list.terms}
        assert local <= names, f"{term_list.prefix}: {sorted(local - names)[:5]} are not in rdflib's {match.group(1)}"
        checked += 1
    assert checked >= 15


def test_schema_list_uses_the_http_namespace(term_lists: dict[str, TermList]) -> None:
    schema = term_lists["schema"]
    assert schema.namespace == "http://schema.org/"
    assert "http://schema.org/GovernmentOrganization" in schema.terms
    assert not any(iri.startswith("https:") for iri in schema.terms)


# -- shapes and canned queries spell terms too ------------------------------------------------


def query_iris(text: str) -> list[str]:
    """Every IRI a SPARQL query names, prefixes resolved, by rdflib's parser (not a regex)."""
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.term import URIRef

    found: set[str] = set()

    def walk(node: object, seen: set[int]) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, URIRef):
            found.add(str(node))
        elif isinstance(node, dict):
            for value in node.values():
                walk(value, seen)
        elif isinstance(node, (list, tuple, set, frozenset)):
            for value in node:
                walk(value, seen)
        elif hasattr(node, "__dict__") and not isinstance(node, str):
            walk(vars(node), seen)

    walk(prepareQuery(text).algebra, set())
    return sorted(found)


def test_query_iris_resolves_prefixes() -> None:
    text = "PREFIX org: <http://www.w3.org/ns/org#> SELECT ?x WHERE { ?x org:memberof ?y }"
    assert query_iris(text) == ["http://www.w3.org/ns/org#memberof"]


@pytest.mark.parametrize("path", sorted(SHAPES_DIR.glob("*.ttl")), ids=lambda p: p.name)
def test_shapes_use_only_defined_terms(path: Path, term_lists: dict[str, TermList], kikg_terms: set[str]) -> None:
    triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    assert undefined_terms(triples, term_lists, kikg_terms) == []


@pytest.mark.parametrize("path", sorted(QUERIES_DIR.glob("*.rq")), ids=lambda p: p.name)
def test_canned_queries_use_only_defined_terms(path: Path, term_lists: dict[str, TermList], kikg_terms: set[str]) -> None:
    iris = query_iris(path.read_text(encoding="utf-8"))
    subject = ox.NamedNode("https://example.org/query")
    mentions = [ox.Triple(subject, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"), ox.NamedNode(iri))
                for iri in iris]
    assert undefined_terms(mentions, term_lists, kikg_terms) == []
