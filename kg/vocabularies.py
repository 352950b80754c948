"""Namespaces of the standard vocabularies the code uses.

rdflib's own namespace classes are reused where they are right; the others are declared here with
only the terms the toolkit uses, and ``_fail`` so that a misspelling raises. rdflib's ``SDO`` is the
``https`` schema.org namespace, which matches almost no published data: ``SCHEMA`` here is the
``http`` one. Tests check every term against the vocabulary's own term list.
"""

from __future__ import annotations

from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    QB,
    RDF,
    RDFS,
    SH,
    SKOS,
    VOID,
    XSD,
    DefinedNamespace,
    Namespace,
)
from rdflib.term import URIRef

from kg.namespace import KIKG

__all__ = [
    "CV",
    "DCAT",
    "DCTERMS",
    "ELI",
    "FOAF",
    "OA",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "QB",
    "QUDT_CURRENCY",
    "QUDT_UNIT",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SH",
    "SKOS",
    "VOID",
    "XSD",
]


class OA(DefinedNamespace):
    """Web Annotation vocabulary (the terms the toolkit uses)."""

    _fail = True
    _NS = Namespace("http://www.w3.org/ns/oa#")

    TextQuoteSelector: URIRef
    exact: URIRef


class CV(DefinedNamespace):
    """SEMIC core vocabularies (Core Public Organisation, Core Location)."""

    _fail = True
    _NS = Namespace("http://data.europa.eu/m8g/")

    PublicOrganisation: URIRef
    AdminUnit: URIRef


class ELI(DefinedNamespace):
    """European Legislation Identifier ontology."""

    _fail = True
    _NS = Namespace("http://data.europa.eu/eli/ontology#")

    LegalResource: URIRef


class SCHEMA(DefinedNamespace):
    """schema.org in its ``http`` form."""

    _fail = True
    _NS = Namespace("http://schema.org/")

    Place: URIRef
    name: URIRef


class QUDT_UNIT(DefinedNamespace):
    """QUDT units."""

    _fail = True
    _NS = Namespace("http://qudt.org/vocab/unit/")

    PERCENT: URIRef
    NUM: URIRef


class QUDT_CURRENCY(DefinedNamespace):
    """QUDT currency units."""

    _fail = True
    _NS = Namespace("http://qudt.org/vocab/currency/")

    KRW: URIRef
    USD: URIRef
    EUR: URIRef


PREFIXES: dict[str, str] = {
    "kikg": str(KIKG),
    "cv": str(CV._NS),
    "dcat": str(DCAT._NS),
    "dcterms": str(DCTERMS._NS),
    "eli": str(ELI._NS),
    "foaf": str(FOAF._NS),
    "geo": "http://www.opengis.net/ont/geosparql#",
    "oa": str(OA._NS),
    "org": str(ORG._NS),
    "owl": str(OWL._NS),
    "prov": str(PROV._NS),
    "qb": str(QB._NS),
    "rdf": str(RDF._NS),
    "rdfs": str(RDFS._NS),
    "schema": str(SCHEMA._NS),
    "sh": str(SH._NS),
    "skos": str(SKOS._NS),
    "time": "http://www.w3.org/2006/time#",
    "unit": str(QUDT_UNIT._NS),
    "cur": str(QUDT_CURRENCY._NS),
    "void": str(VOID._NS),
    "xsd": str(XSD._NS),
}
"""Prefixes for readable serialisations and query headers."""
