"""The W3C SHACL test suite (core and SPARQL), run through ``kg validate`` and compared by its own rule.

Each entry of ``manifest.ttl`` names a data graph, a shapes graph and the expected report, or
``sht:Failure``. The entry runs as a user would run it (``kg validate DATA --shapes SHAPES --report
OUT.ttl``) and passes when:

* for an expected report: the exit code says conforms (0) or not (1), and the report written is
  isomorphic to the expected one, compared as the suite's README prescribes (the report node and
  result nodes as blank nodes, only ``sh:conforms``, ``sh:result`` and the result predicates
  focusNode, resultPath, resultSeverity, sourceConstraint, sourceConstraintComponent, sourceShape
  and value kept, path structures copied per result) with rdflib's graph isomorphism;
* for ``sht:Failure``: exit code 2 and one line on stderr saying why.

:data:`EXPECTED_FAILURES` lists, with the reason, the entries the validator does not pass; each
must still fail (a strict expectation), so the list cannot go stale. :data:`HANDED_OVER` lists the
entries the Oxigraph engine hands to pySHACL; every other entry must run on the fast path alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic, to_isomorphic
from rdflib.term import Node

from kg.cli import main

SUITE = Path(__file__).parent
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
SHT = "http://www.w3.org/ns/shacl-test#"
SH = "http://www.w3.org/ns/shacl#"
RESULT_PREDICATES = {URIRef(SH + p) for p in ("focusNode", "resultPath", "resultSeverity", "sourceConstraint",
                                              "sourceConstraintComponent", "sourceShape", "value")}

EXPECTED_FAILURES = {
    "sparql/pre-binding/shapesGraph-001": "$shapesGraph is refused (exit 2): the shapes graph is not part of the data "
                                          "graph, and SHACL makes its support optional (pySHACL refuses it too)",
}
"""Entries the validator does not pass, each with the reason."""

HANDED_OVER = {
    "sparql/pre-binding/pre-binding-004": "BIND($this AS ?that) with $this pre-bound, which Oxigraph's optimiser "
                                          "folds as unbound; pySHACL runs it with rdflib's SPARQL engine",
}
"""Entries the Oxigraph engine hands to pySHACL (named on the terminal and in the report)."""


@dataclass(frozen=True)
class Entry:
    name: str
    data: Path
    shapes: Path
    manifest: Graph
    result: Node

    @property
    def failure(self) -> bool:
        return self.result == URIRef(SHT + "Failure")


def _file(iri: Node) -> Path:
    return Path(str(iri).removeprefix("file://"))


def _entries(manifest: Path) -> list[Entry]:
    graph = Graph().parse(manifest, format="turtle", publicID=manifest.resolve().as_uri())
    entries = []
    for included in graph.objects(None, URIRef(MF + "include")):
        entries.extend(_entries(_file(included)))
    for head in graph.objects(None, URIRef(MF + "entries")):
        for entry in Collection(graph, head):
            action = graph.value(entry, URIRef(MF + "action"))
            name = str(entry).removeprefix(SUITE.resolve().as_uri() + "/").replace(".ttl", "")
            name = name.rsplit("/", 1)[0] + "/" + str(entry).rsplit("/", 1)[-1]
            entries.append(Entry(name, _file(graph.value(action, URIRef(SHT + "dataGraph"))),
                                 _file(graph.value(action, URIRef(SHT + "shapesGraph"))), graph,
                                 graph.value(entry, URIRef(MF + "result"))))
    return entries


ENTRIES = _entries(SUITE / "manifest.ttl")


def _copy_path(source: Graph, node: Node, target: Graph, fresh: dict[Node, BNode]) -> Node:
    """Copy the structure of a path into ``target``, with blank nodes of its own (paths are not shared)."""
    if not isinstance(node, BNode):
        return node
    copy = fresh.setdefault(node, BNode())
    for predicate, obj in source.predicate_objects(node):
        target.add((copy, predicate, _copy_path(source, obj, target, fresh)))
    return copy


def _expected(entry: Entry) -> Graph:
    graph, manifest = Graph(), entry.manifest
    report = BNode()
    for predicate, obj in manifest.predicate_objects(entry.result):
        if predicate != URIRef(SH + "result"):
            graph.add((report, predicate, obj))
    for result in manifest.objects(entry.result, URIRef(SH + "result")):
        _add_result(graph, report, manifest, result)
    return graph


def _actual(path: Path) -> Graph:
    written = Graph().parse(path, format="turtle")
    (report,) = written.subjects(RDF.type, URIRef(SH + "ValidationReport"))
    graph = Graph()
    node = BNode()
    graph.add((node, RDF.type, URIRef(SH + "ValidationReport")))
    graph.add((node, URIRef(SH + "conforms"), written.value(report, URIRef(SH + "conforms"))))
    for result in written.objects(report, URIRef(SH + "result")):
        _add_result(graph, node, written, result)
    return graph


def _add_result(graph: Graph, report: Node, source: Graph, result: Node) -> None:
    copy = BNode()
    graph.add((report, URIRef(SH + "result"), copy))
    graph.add((copy, RDF.type, URIRef(SH + "ValidationResult")))
    for predicate, obj in source.predicate_objects(result):
        if predicate in RESULT_PREDICATES:
            graph.add((copy, predicate, _copy_path(source, obj, graph, {}) if predicate == URIRef(SH + "resultPath") else obj))


def _show(graph: Graph) -> str:
    return "\n".join(sorted(" ".join(t.n3() for t in triple) for triple in to_isomorphic(graph)))


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_w3c_entry(entry: Entry, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.ttl"
    code = main(["validate", str(entry.data), "--shapes", str(entry.shapes), "--report", str(out), "--quiet"])
    error = capsys.readouterr().err
    handed_over = "validated by pySHACL" in error
    if entry.name in EXPECTED_FAILURES:
        passed = code == (2 if entry.failure else code) and out.exists() and isomorphic(_actual(out), _expected(entry))
        assert not passed, f"{entry.name} passes now: remove it from EXPECTED_FAILURES"
        assert code == 2 and len(error.strip().splitlines()) == 1, error  # a clear refusal, not a crash
        return
    assert handed_over == (entry.name in HANDED_OVER), error
    if entry.failure:
        assert code == 2, f"expected a refusal, got exit code {code}"
        assert len(error.strip().splitlines()) == 1 and "Traceback" not in error, error
        return
    expected = _expected(entry)
    conforms = next(expected.objects(None, URIRef(SH + "conforms"))) == Literal(True)
    assert code == (0 if conforms else 1), error
    actual = _actual(out)
    assert isomorphic(actual, expected), f"expected:\n{_show(expected)}\n\nactual:\n{_show(actual)}"


def test_the_suite_is_complete() -> None:
    """98 core and 22 SPARQL entries, as published; the lists name real entries."""
    names = {e.name for e in ENTRIES}
    assert sum(n.startswith("core/") for n in names) == 98
    assert sum(n.startswith("sparql/") for n in names) == 22
    assert set(EXPECTED_FAILURES) <= names and set(HANDED_OVER) <= names
