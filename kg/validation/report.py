"""Validation results: the standard ``sh:ValidationReport``, and a table traced to source rows.

Both engines produce :class:`ValidationResult` objects; :class:`ValidationReport` turns them into
the report graph, a pandas DataFrame with stable columns, CSV and a terminal table. Each row names
the source table and row of its focus node, so a user can go from a result to the CSV row that
caused it.

``conforms`` follows SHACL (section 3.6.1): true only when there is no result at all, whatever
its severity. :meth:`ValidationReport.passes` is the softer test of ``--allow-warnings``: no result
other than warnings and infos.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import pyoxigraph as ox
from rdflib import Graph

from kg._lazy import lazy_import
from kg.dataset import deterministic_turtle, select
from kg.namespace import KIKG
from kg.tables import compact_iri, format_table
from kg.validation.paths import Path, PredicatePath, path_triples
from kg.validation.terms import RDF, RDFS, SH, XSD, Term, to_rdflib
from kg.vocabularies import PREFIXES

if TYPE_CHECKING:
    import pandas as pd
else:  # loaded on first use, see kg._lazy
    pd = lazy_import("pandas")

__all__ = ["REPORT_COLUMNS", "HandOver", "Severity", "ValidationReport", "ValidationResult"]

REPORT_COLUMNS = (
    "severity",
    "focus_node",
    "focus_label",
    "path",
    "value",
    "message",
    "shape",
    "component",
    "source_table",
    "source_row",
    "source_key",
)
"""The columns of the report table, in order; they do not change between releases."""

_SHAPES = "https://w3id.org/kikg/shapes#"
"""The namespace of the shipped shapes (``shapes/``), shown as ``kikgsh:`` in reports."""


@dataclass(frozen=True)
class Severity:
    """A SHACL severity: ``sh:Violation``, ``sh:Warning``, ``sh:Info``, or any other IRI a shape names.

    >>> Severity.WARNING.value, Severity.from_iri("http://example.org/Critical").value
    ('Warning', 'http://example.org/Critical')
    """

    iri: str

    VIOLATION: ClassVar[Severity]
    WARNING: ClassVar[Severity]
    INFO: ClassVar[Severity]

    @property
    def value(self) -> str:
        """``Violation``, ``Warning`` or ``Info`` for SHACL's own; the IRI for any other."""
        return self.iri.removeprefix(SH.namespace) if self.standard else self.iri

    @property
    def standard(self) -> bool:
        """Whether this is one of SHACL's three severities."""
        return self.iri in _STANDARD

    @property
    def node(self) -> ox.NamedNode:
        """The severity as an RDF term."""
        return ox.NamedNode(self.iri)

    @classmethod
    def from_iri(cls, iri: object) -> Severity:
        """The severity named by an IRI (a term or a string)."""
        text = iri.value if isinstance(iri, ox.NamedNode) else str(iri)
        return {s.iri: s for s in (cls.VIOLATION, cls.WARNING, cls.INFO)}.get(text) or cls(text)

    def __repr__(self) -> str:
        return f"<Severity {self.value}>"


_STANDARD = {SH.namespace + name for name in ("Violation", "Warning", "Info")}
Severity.VIOLATION = Severity(SH.Violation.value)
Severity.WARNING = Severity(SH.Warning.value)
Severity.INFO = Severity(SH.Info.value)
_SEVERITY_ORDER = {Severity.VIOLATION: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class ValidationResult:
    """One ``sh:ValidationResult``."""

    severity: Severity
    focus: Term
    path: Path | None
    value: Term | None
    shape: Term
    component: ox.NamedNode
    source_constraint: Term | None
    message: str | None

    def key(self) -> tuple[str, ...]:
        """A comparable identity (terms in N-Triples form, paths in SPARQL syntax), to compare reports."""
        return (
            self.severity.value,
            str(self.focus),
            self.path.sparql() if self.path is not None else "",
            str(self.value) if self.value is not None else "",
            str(self.shape),
            str(self.component),
            str(self.source_constraint) if self.source_constraint is not None else "",
            self.message or "",
        )


@dataclass(frozen=True)
class HandOver:
    """Shapes the Oxigraph engine handed to pySHACL, and why."""

    shapes: tuple[str, ...]
    """The shapes pySHACL validated (IRIs or blank node labels); empty for the whole shapes graph."""
    reason: str

    def text(self) -> str:
        """One line for the terminal and the report."""
        which = ", ".join(self.shapes) if self.shapes else "the whole shapes graph"
        return f"validated by pySHACL ({which}): {self.reason}"


@dataclass(frozen=True)
class _Trace:
    label: str
    table: str
    row: int | None
    key: str


class ValidationReport:
    """The outcome of validating data against shapes.

    Attributes
    ----------
    results
        Sorted by severity, then by identity.
    handovers
        The shapes pySHACL validated instead of the Oxigraph engine, with the reason.
    """

    def __init__(self, results: Iterable[ValidationResult], *, base_iri: str, engine: str,
                 handovers: Iterable[HandOver] = ()) -> None:
        self.results = sorted(results, key=lambda r: (_SEVERITY_ORDER.get(r.severity, 3), r.key()))
        self.base_iri = base_iri
        self.engine = engine
        self.handovers = list(handovers)
        self._traces: dict[str, _Trace] = {}

    @property
    def conforms(self) -> bool:
        """Whether there is no result at all (SHACL 3.6.1): a warning or an info makes it false."""
        return not self.results

    def passes(self, *, allow_warnings: bool = False, allow_infos: bool = False) -> bool:
        """Whether the data passes: it conforms, or every result is an allowed severity.

        ``allow_warnings`` allows ``sh:Warning`` and ``sh:Info`` (as pySHACL's ``--allow-warnings``),
        ``allow_infos`` only ``sh:Info``. A violation or any other severity never passes.
        """
        allowed = {Severity.WARNING, Severity.INFO} if allow_warnings else {Severity.INFO} if allow_infos else set()
        return all(r.severity in allowed for r in self.results)

    def counts(self) -> dict[str, int]:
        """Number of results by severity: SHACL's three always, then any other severity present."""
        counts = {s.value: 0 for s in (Severity.VIOLATION, Severity.WARNING, Severity.INFO)}
        for result in self.results:
            counts[result.severity.value] = counts.get(result.severity.value, 0) + 1
        return counts

    def keys(self) -> list[tuple[str, ...]]:
        """Sorted identities of all results, for comparing two reports."""
        return sorted(r.key() for r in self.results)

    def __len__(self) -> int:
        return len(self.results)

    def __repr__(self) -> str:
        counts = ", ".join(f"{k.lower()}s={v}" for k, v in self.counts().items())
        return f"<ValidationReport conforms={self.conforms} {counts}>"

    # -- tracing to source rows -------------------------------------------------------------

    def trace(self, store: ox.Store) -> None:
        """Look up the label and the source table row of every focus node in ``store``."""
        focus_nodes = sorted({r.focus.value for r in self.results if isinstance(r.focus, ox.NamedNode)})
        if not focus_nodes:
            return
        values = " ".join(f"<{node}>" for node in focus_nodes)
        query = f"""
            PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
            PREFIX prov: <http://www.w3.org/ns/prov#>
            PREFIX kikg: <{KIKG}>
            SELECT ?node ?label ?table ?row ?key ?typed WHERE {{
                VALUES ?node {{ {values} }}
                OPTIONAL {{ ?node rdfs:label|skos:prefLabel ?label . FILTER (LANGMATCHES(LANG(?label), "en")) }}
                OPTIONAL {{
                    ?node prov:wasDerivedFrom ?record .
                    ?record kikg:sourceTable ?table ; kikg:sourceRow ?row ; kikg:sourceKey ?key .
                    BIND (IRI(CONCAT("{self.base_iri}graph/table/", ?table)) AS ?graph)
                    BIND (EXISTS {{ GRAPH ?graph {{ ?node a ?class }} }} AS ?typed)
                }}
            }}"""
        best: dict[str, tuple[tuple[int, str, int], _Trace]] = {}
        for solution in select(store, query):
            node = solution["node"].value
            label = solution["label"].value if solution["label"] else ""
            table = solution["table"].value if solution["table"] else ""
            row = int(solution["row"].value) if solution["row"] else None
            key = solution["key"].value if solution["key"] else ""
            typed = solution["typed"] is not None and solution["typed"].value == "true"
            # Prefer the row that typed the node, then the first table and row.
            rank = (0 if typed else 1, table, row or 0)
            if node not in best or rank < best[node][0]:
                best[node] = (rank, _Trace(label, table, row, key))
        self._traces = {node: trace for node, (_, trace) in best.items()}

    # -- outputs ----------------------------------------------------------------------------

    def rows(self) -> list[dict[str, object]]:
        """The report as a list of rows with :data:`REPORT_COLUMNS`."""
        rows: list[dict[str, object]] = []
        for result in self.results:
            trace = self._traces.get(_text(result.focus), _Trace("", "", None, ""))
            rows.append(
                {
                    "severity": result.severity.value,
                    "focus_node": _text(result.focus),
                    "focus_label": trace.label,
                    "path": _path_text(result.path),
                    "value": _text(result.value),
                    "message": result.message or "",
                    "shape": _text(result.shape),
                    "component": _text(result.component).rsplit("#", 1)[-1],
                    "source_table": trace.table,
                    "source_row": trace.row,
                    "source_key": trace.key,
                }
            )
        return rows

    def to_frame(self) -> pd.DataFrame:
        """The report as a DataFrame with :data:`REPORT_COLUMNS` (``source_row`` as nullable Int64)."""
        frame = pd.DataFrame(self.rows(), columns=list(REPORT_COLUMNS))
        frame["source_row"] = frame["source_row"].astype("Int64")
        for column in REPORT_COLUMNS:
            if column != "source_row":
                frame[column] = frame[column].astype("string")
        return frame

    def to_csv(self) -> str:
        """The report as CSV text with a header row."""
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(REPORT_COLUMNS), lineterminator="\n")
        writer.writeheader()
        for row in self.rows():
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
        return buffer.getvalue()

    def verdict(self, *, allow_warnings: bool = False) -> str:
        """One line: whether the data conforms, with the counts, and whether warnings were allowed."""
        counts = self.counts()
        tally = ", ".join(f"{n} {_plural(k, n)}" for k, n in counts.items())
        if self.conforms:
            return f"Validation: conforms ({tally})"
        if allow_warnings and self.passes(allow_warnings=True):
            return f"Validation: does not conform, accepted: only warnings and infos, which are allowed ({tally})"
        return f"Validation: DOES NOT CONFORM ({tally})"

    def to_text(self, *, width: int = 120, limit: int | None = 50, allow_warnings: bool = False) -> str:
        """A readable table for a terminal: severity, focus, path, value and message."""
        rows = self.rows()
        lines = [self.verdict(allow_warnings=allow_warnings)]
        lines.extend(f"Note: {handover.text()}" for handover in self.handovers)
        shown = rows if limit is None else rows[:limit]
        if shown:
            headers = ("severity", "focus", "path", "value", "message", "source")
            table = [
                (
                    str(r["severity"]),
                    str(r["focus_label"] or self._short(str(r["focus_node"]))),
                    self._short(str(r["path"])),
                    str(r["value"]),
                    str(r["message"]),
                    f"{r['source_table']}.csv row {r['source_row']}" if r["source_table"] else "",
                )
                for r in shown
            ]
            lines.extend(format_table(headers, table, width=width, whole={len(headers) - 1}))
        if limit is not None and len(rows) > limit:
            lines.append(f"... and {len(rows) - limit} more (see the CSV report)")
        return "\n".join(lines)

    def _short(self, iri: str) -> str:
        return compact_iri(iri, base=self.base_iri, prefixes={**PREFIXES, "kikgsh": _SHAPES})

    def triples(self) -> list[ox.Triple]:
        """The standard ``sh:ValidationReport`` as triples, with stable IRIs for the results."""
        report = ox.NamedNode(self.base_iri + "validation/report")
        triples = [
            ox.Triple(report, RDF.type, SH.ValidationReport),
            ox.Triple(report, SH.conforms, ox.Literal("true" if self.conforms else "false", datatype=XSD.boolean)),
        ]
        triples.extend(ox.Triple(report, RDFS.comment, ox.Literal(h.text())) for h in self.handovers)
        seen: dict[str, int] = {}
        for result in self.results:
            digest = hashlib.sha256("\x1f".join(result.key()).encode()).hexdigest()[:20]
            seen[digest] = seen.get(digest, 0) + 1
            node = ox.NamedNode(f"{self.base_iri}validation/result/{digest}-{seen[digest]}")
            triples.append(ox.Triple(report, SH.result, node))
            triples.append(ox.Triple(node, RDF.type, SH.ValidationResult))
            triples.append(ox.Triple(node, SH.resultSeverity, result.severity.node))
            triples.append(ox.Triple(node, SH.focusNode, result.focus))
            triples.append(ox.Triple(node, SH.sourceShape, result.shape))
            triples.append(ox.Triple(node, SH.sourceConstraintComponent, result.component))
            if result.path is not None:
                path_node, path_description = path_triples(result.path)
                triples.append(ox.Triple(node, SH.resultPath, path_node))
                triples.extend(path_description)
            if result.value is not None:
                triples.append(ox.Triple(node, SH.value, result.value))
            if result.source_constraint is not None:
                triples.append(ox.Triple(node, SH.sourceConstraint, result.source_constraint))
            if result.message:
                triples.append(ox.Triple(node, SH.resultMessage, ox.Literal(result.message)))
        return triples

    def graph(self) -> Graph:
        """The report as an rdflib graph (for rdflib users; the same triples as :meth:`triples`)."""
        graph = Graph()
        graph.bind("sh", SH.namespace)
        for triple in self.triples():
            graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
        return graph

    def turtle(self) -> bytes:
        """The report as Turtle, deterministic."""
        return deterministic_turtle(
            self.triples(),
            prefixes={"sh": SH.namespace, "rdfs": RDFS.namespace, "kikg": str(KIKG), "kikgsh": _SHAPES},
        )


def _path_text(path: Path | None) -> str:
    if path is None:
        return ""
    return path.iri.value if isinstance(path, PredicatePath) else path.sparql()


def _plural(severity: str, count: int) -> str:
    name = {"Violation": "violation", "Warning": "warning", "Info": "info"}.get(severity, f"<{severity}>")
    return name + ("s" if count != 1 and severity in ("Violation", "Warning", "Info") else "")


def _text(node: Term | None) -> str:
    if node is None:
        return ""
    if isinstance(node, ox.BlankNode):
        return "_:" + node.value
    return node.value


