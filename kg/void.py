"""A VoID and DCAT description of the built dataset: its graphs, classes, properties, vocabularies,
distributions and source documents. Statistics come from SPARQL over the store; IRIs of the
partitions are derived from what they describe, so the description is deterministic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pyoxigraph as ox

from kg._version import __version__
from kg.dataset import Dataset, deterministic_turtle
from kg.namespace import KIKG
from kg.vocabularies import DCAT, DCTERMS, OWL, PREFIXES, RDF, VOID, XSD

__all__ = ["DISTRIBUTIONS", "describe_dataset"]

_VOID = str(VOID)
_DCAT = str(DCAT)
_DCT = str(DCTERMS)
_RDF_TYPE = str(RDF.type)
_SD = "http://www.w3.org/ns/sparql-service-description#"

DISTRIBUTIONS = {
    "kg.trig": ("application/trig", "The dataset in named graphs (TriG)"),
    "kg.nt": ("application/n-triples", "The union of all graphs as canonical N-Triples"),
    "kg.ttl": ("text/turtle", "The union of all graphs as Turtle with prefixes"),
    "kg.nq": ("application/n-quads", "The dataset in named graphs (N-Quads)"),
    "kg.jsonld": ("application/ld+json", "The dataset in named graphs (JSON-LD)"),
}


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(str(XSD.integer)))


def _id(kind: str, base: str, key: str) -> ox.NamedNode:
    return _n(f"{base}void/{kind}/{hashlib.sha256(key.encode()).hexdigest()[:12]}")


def _namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def describe_dataset(dataset: Dataset, *, files: Iterable[str], triples: int) -> bytes:
    """The VoID/DCAT description as Turtle.

    Parameters
    ----------
    dataset
        The built dataset.
    files
        Names of the distribution files written beside the description (``kg.trig``...).
    triples
        Number of distinct triples of the union (the lines of ``kg.nt``).
    """
    base = dataset.graphs.base
    root = _n(base + "dataset")
    out: list[ox.Triple] = []

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        out.append(ox.Triple(s, _n(p), o))

    add(root, _RDF_TYPE, _n(_VOID + "Dataset"))
    add(root, _RDF_TYPE, _n(_DCAT + "Dataset"))
    add(root, _DCT + "title", ox.Literal("Korean industrial policy knowledge graph", language="en"))
    add(root, _DCT + "description", ox.Literal(
        "Actors, places, policies, technologies and quantities of Korean industrial policy, curated from five "
        "source documents, with provenance for every fact.", language="en"))
    add(root, _DCT + "license", _n("https://creativecommons.org/licenses/by/4.0/"))
    add(root, str(OWL.versionInfo), ox.Literal(__version__))
    add(root, _VOID + "triples", _integer(triples))
    add(root, _VOID + "uriSpace", ox.Literal(base))
    for term, kind in (("?s", "distinctSubjects"), ("?o", "distinctObjects")):
        count = _count(dataset, f"SELECT (COUNT(DISTINCT {term}) AS ?n) WHERE {{ ?s ?p ?o }}")
        add(root, _VOID + kind, _integer(count))
    for solution in dataset.query(f"SELECT DISTINCT ?doc WHERE {{ ?doc a <{KIKG.SourceDocument}> }}"):  # type: ignore[union-attr]
        add(root, _DCT + "source", solution["doc"])

    for graph, count in dataset.triple_counts().items():
        if not graph:
            continue
        subset = _id("graph", base, graph)
        add(root, _VOID + "subset", subset)
        add(subset, _RDF_TYPE, _n(_VOID + "Dataset"))
        add(subset, _SD + "name", _n(graph))
        add(subset, _VOID + "triples", _integer(count))
        table = dataset.graphs.table_name(graph)
        if table:
            add(subset, _DCT + "source", ox.Literal(f"{table}.csv"))

    partitions = (
        ("class", "entities", "SELECT ?term (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?term } GROUP BY ?term"),
        ("property", "triples",
         "SELECT ?term (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?term ?o WHERE { ?s ?term ?o } } GROUP BY ?term"),
    )
    terms: list[str] = []
    for kind, measure, query in partitions:
        counts = {solution["term"].value: int(solution["n"].value) for solution in dataset.query(query)}  # type: ignore[union-attr]
        for term, count in sorted(counts.items()):
            partition = _id(kind, base, term)
            add(root, f"{_VOID}{kind}Partition", partition)
            add(partition, _VOID + kind, _n(term))
            add(partition, _VOID + measure, _integer(count))
        terms.extend(counts)

    known = set(PREFIXES.values())
    for vocabulary in sorted({_namespace(t) for t in terms} & known):
        add(root, _VOID + "vocabulary", _n(vocabulary))

    for name in sorted(files):
        if name not in DISTRIBUTIONS:
            continue
        media, title = DISTRIBUTIONS[name]
        distribution = _n(f"{base}dump/{name}")
        add(root, _DCAT + "distribution", distribution)
        add(distribution, _RDF_TYPE, _n(_DCAT + "Distribution"))
        add(distribution, _DCT + "title", ox.Literal(title, language="en"))
        add(distribution, _DCAT + "mediaType", ox.Literal(media))
        add(distribution, _DCAT + "downloadURL", _n(f"{base}dump/{name}"))
        if name in ("kg.nt",):
            add(root, _VOID + "dataDump", distribution)
    return deterministic_turtle(out, prefixes={**PREFIXES, "sd": _SD, "void": _VOID})


def _count(dataset: Dataset, query: str) -> int:
    for solution in dataset.query(query):  # type: ignore[union-attr]
        return int(solution["n"].value)
    return 0
