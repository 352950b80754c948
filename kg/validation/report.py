"""Validation results: the standard ``sh:ValidationReport`` graph, and a table traced to source rows.

Both engines produce :class:`ValidationResult` objects; :class:`ValidationReport` turns them into
the report graph, a pandas DataFrame with stable columns, CSV and a terminal table. Each row names
the source table and row of its focus node, so a user can go from a result to the CSV row that
caused it.
"""

from __future__ import annotations

import csv
import enum
import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd
import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.dataset import deterministic_turtle, select
from kg.vocabularies import RDF, SH

__all__ = ["REPORT_COLUMNS", "Severity", "ValidationReport", "ValidationResult"]

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


class Severity(enum.Enum):
    """SHACL severities, most severe first."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"

    @property
    def iri(self) -> URIRef:
        """The ``sh:`` IRI of the severity."""
        return SH[self.value]

    @classmethod
    def from_iri(cls, iri: Node) -> Severity:
        """The severity named by a ``sh:`` IRI."""
        return cls(str(iri).rsplit("#", 1)[-1])


@dataclass(frozen=True, order=True)
class ValidationResult:
    """One ``sh:ValidationResult``."""

    severity: Severity = field(compare=False)
    focus: Node
    path: Node | None
    value: Node | None
    shape: Node
    component: URIRef
    source_constraint: Node | None
    message: str | None

    def key(self) -> tuple[str, ...]:
        """A comparable identity (terms in N-Triples form), used to compare engines."""
        return (
            self.severity.value,
            self.focus.n3(),
            self.path.n3() if self.path is not None else "",
            self.value.n3() if self.value is not None else "",
            self.shape.n3(),
            self.component.n3(),
            self.source_constraint.n3() if self.source_constraint is not None else "",
            self.message or "",
        )


@dataclass(frozen=True)
class _Trace:
    label: str
    table: str
    row: int | None
    key: str


class ValidationReport:
    """The outcome of validating a dataset against the shapes.

    ``conforms`` is true when there is no ``sh:Violation``: warnings (inconsistencies in the
    sources) and infos (curiosities) are listed but do not fail the build.
    """

    def __init__(self, results: Iterable[ValidationResult], *, base_iri: str, engine: str) -> None:
        self.results: list[ValidationResult] = sorted(results, key=lambda r: (_SEVERITY_ORDER[r.severity], r.key()))
        self.base_iri = base_iri
        self.engine = engine
        self._traces: dict[str, _Trace] = {}

    @property
    def conforms(self) -> bool:
        """Whether no result is a violation."""
        return not any(r.severity is Severity.VIOLATION for r in self.results)

    def counts(self) -> dict[str, int]:
        """Number of results by severity, every severity present (``{"Violation": 0, ...}``)."""
        counts = {s.value: 0 for s in Severity}
        for result in self.results:
            counts[result.severity.value] += 1
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
        focus_nodes = sorted({r.focus for r in self.results if isinstance(r.focus, URIRef)}, key=str)
        if not focus_nodes:
            return
        values = " ".join(f"<{node}>" for node in focus_nodes)
        query = f"""
            PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
            PREFIX prov: <http://www.w3.org/ns/prov#>
            PREFIX kikg: <https://w3id.org/kikg/def#>
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
            trace = self._traces.get(str(result.focus), _Trace("", "", None, ""))
            rows.append(
                {
                    "severity": result.severity.value,
                    "focus_node": _text(result.focus),
                    "focus_label": trace.label,
                    "path": _text(result.path),
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

    def to_text(self, *, width: int = 120, limit: int | None = 50) -> str:
        """A readable table for a terminal: severity, focus, path, value and message."""
        rows = self.rows()
        counts = self.counts()
        verdict = "conforms" if self.conforms else "DOES NOT CONFORM"
        tally = f"{counts['Violation']} violations, {counts['Warning']} warnings, {counts['Info']} infos"
        lines = [f"Validation: {verdict} ({tally})"]
        shown = rows if limit is None else rows[:limit]
        if shown:
            headers = ("severity", "focus", "path", "value", "message", "source")
            table = [
                (
                    str(r["severity"]),
                    str(r["focus_label"] or _short(str(r["focus_node"]), self.base_iri)),
                    _short(str(r["path"]), self.base_iri),
                    str(r["value"]),
                    str(r["message"]),
                    f"{r['source_table']}.csv row {r['source_row']}" if r["source_table"] else "",
                )
                for r in shown
            ]
            lines.extend(_format_table(headers, table, width=width))
        if limit is not None and len(rows) > limit:
            lines.append(f"... and {len(rows) - limit} more (see the CSV report)")
        return "\n".join(lines)

    def graph(self) -> Graph:
        """The standard ``sh:ValidationReport`` graph, with stable IRIs for the results."""
        graph = Graph()
        graph.bind("sh", SH)
        report = URIRef(self.base_iri + "validation/report")
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(self.conforms)))
        seen: dict[str, int] = {}
        for result in self.results:
            digest = hashlib.sha256("\x1f".join(result.key()).encode()).hexdigest()[:20]
            seen[digest] = seen.get(digest, 0) + 1
            node = URIRef(f"{self.base_iri}validation/result/{digest}-{seen[digest]}")
            graph.add((report, SH.result, node))
            graph.add((node, RDF.type, SH.ValidationResult))
            graph.add((node, SH.resultSeverity, result.severity.iri))
            graph.add((node, SH.focusNode, result.focus))
            graph.add((node, SH.sourceShape, result.shape))
            graph.add((node, SH.sourceConstraintComponent, result.component))
            if result.path is not None:
                graph.add((node, SH.resultPath, result.path))
            if result.value is not None:
                graph.add((node, SH.value, result.value))
            if result.source_constraint is not None:
                graph.add((node, SH.sourceConstraint, result.source_constraint))
            if result.message:
                graph.add((node, SH.resultMessage, Literal(result.message)))
        return graph

    def turtle(self) -> bytes:
        """The report graph as Turtle, deterministic."""
        triples = [
            ox.Triple(*(_to_oxigraph(term) for term in triple))  # type: ignore[arg-type]
            for triple in self.graph()
        ]
        return deterministic_turtle(
            triples, prefixes={"sh": str(SH), "kikg": "https://w3id.org/kikg/def#", "kikgsh": "https://w3id.org/kikg/shapes#"}
        )


def _to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


_SEVERITY_ORDER = {Severity.VIOLATION: 0, Severity.WARNING: 1, Severity.INFO: 2}


def _text(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, BNode):
        return "_:" + str(node)
    return str(node)


def _short(text: str, base: str) -> str:
    for prefix, short in ((base, ""), ("https://w3id.org/kikg/def#", "kikg:"), ("https://w3id.org/kikg/shapes#", "kikgsh:")):
        if text.startswith(prefix):
            return short + text[len(prefix):]
    return text


def _format_table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, width: int) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    # Shrink the widest columns until the table fits.
    budget = width - 2 * (len(headers) - 1)
    while sum(widths) > budget and max(widths) > 12:
        widest = widths.index(max(widths))
        widths[widest] -= 1

    def cut(text: str, size: int) -> str:
        return text if len(text) <= size else text[: size - 1] + "…"

    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths))]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(cut(c, w).ljust(w) for c, w in zip(row, widths)).rstrip())
    return lines
