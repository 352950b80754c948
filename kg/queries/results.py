"""Query results, the same whichever engine answered: a DataFrame with typed columns, CSV, TSV,
SPARQL results JSON and a terminal table.

Columns are typed from the RDF datatypes they hold: integers as ``Int64``, decimals and doubles as
``Float64``, booleans as ``boolean``, years as ``Int64``, dates as ``datetime64``; IRIs and other
literals as ``string``. A column mixing kinds stays ``string``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg._lazy import lazy_import
from kg.vocabularies import XSD

if TYPE_CHECKING:
    import pandas as pd
else:  # loaded on first use, see kg._lazy
    pd = lazy_import("pandas")

__all__ = ["QueryResult", "Term"]

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

_XSD = str(XSD)
_INTEGERS = {_XSD + n for n in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                                "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
                                "unsignedByte")}
_FLOATS = {_XSD + n for n in ("decimal", "double", "float")}


@dataclass
class QueryResult:
    """Variables and rows of a SELECT (or the boolean of an ASK)."""

    variables: list[str]
    rows: list[list[Term | None]]
    boolean: bool | None = None
    warnings: list[str] = field(default_factory=list)
    """What is wrong with the parameters the query ran with (see :mod:`kg.queries.checks`)."""

    @classmethod
    def from_solutions(cls, solutions: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> QueryResult:
        """Collect pyoxigraph results."""
        if isinstance(solutions, ox.QueryBoolean):
            return cls(["boolean"], [], boolean=bool(solutions))
        if isinstance(solutions, ox.QueryTriples):
            rows: list[list[Term | None]] = [[t.subject, t.predicate, t.object] for t in solutions]
            return cls(["subject", "predicate", "object"], rows)
        variables = [v.value for v in solutions.variables]
        return cls(variables, [[solution[v] for v in variables] for solution in solutions])

    @classmethod
    def from_json(cls, data: bytes) -> QueryResult:
        """Parse SPARQL 1.1 results JSON (as a remote endpoint returns it)."""
        parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        return cls.from_solutions(parsed)

    def __len__(self) -> int:
        return len(self.rows)

    def row_keys(self) -> list[tuple[str, ...]]:
        """Rows as tuples of N-Triples strings, for comparing result sets."""
        return [tuple("" if t is None else str(t) for t in row) for row in self.rows]

    # -- conversions --------------------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """A DataFrame with one typed column per variable."""
        if self.boolean is not None:
            return pd.DataFrame({"boolean": pd.array([self.boolean], dtype="boolean")})
        columns = {}
        for index, name in enumerate(self.variables):
            columns[name] = _typed_column([row[index] for row in self.rows])
        return pd.DataFrame(columns, columns=self.variables)

    def to_json(self) -> str:
        """SPARQL 1.1 query results JSON."""
        if self.boolean is not None:
            return json.dumps({"head": {}, "boolean": self.boolean})
        bindings = []
        for row in self.rows:
            binding = {}
            for name, term in zip(self.variables, row):
                if term is not None:
                    binding[name] = _json_term(term)
            bindings.append(binding)
        return json.dumps({"head": {"vars": self.variables}, "results": {"bindings": bindings}}, ensure_ascii=False)

    def to_delimited(self, *, delimiter: str = ",") -> str:
        """CSV (or, with ``delimiter="\\t"``, TSV) with plain values: IRIs and lexical forms."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
        if self.boolean is not None:
            writer.writerows([["boolean"], [str(self.boolean).lower()]])
            return buffer.getvalue()
        writer.writerow(self.variables)
        for row in self.rows:
            writer.writerow(["" if t is None else _plain(t) for t in row])
        return buffer.getvalue()

    def to_text(self, *, width: int | None = 120, limit: int | None = 100, base: str | None = None) -> str:
        """A table for a person at a terminal (CSV, TSV and JSON keep full IRIs).

        IRIs are shown compactly: relative to ``base`` (``org/kicox``) or as CURIEs
        (``kikg:Ministry``). A column ``X_label`` is the label of the IRI column ``X``: the table
        shows it in place of ``X`` (the compact IRI where a row has no label), and says so below.
        Numbers are aligned right; columns are clipped to ``width`` (``None``: whole lines), but
        never numbers, nor the printed values and quantities (``printed``, ``quantity``,
        ``budget_quantity``...). A column with one value in every row (the parameter a query
        echoes) is said once, below the table.

        Examples
        --------
        >>> import pyoxigraph as ox
        >>> result = QueryResult(["body", "body_label", "things"], [[ox.NamedNode("https://w3id.org/kikg/id/org/kicox"),
        ...     ox.Literal("KICOX"), ox.Literal("50", datatype=ox.NamedNode(_XSD + "integer"))]])
        >>> print(result.to_text(base="https://w3id.org/kikg/id/"))
        body   things
        -----  ------
        KICOX      50
        (1 row; labels shown for body: --format csv gives the IRIs)
        """
        from kg.tables import compact_iri, format_table, wrap

        if self.boolean is not None:
            return str(self.boolean).lower()
        rows = self.rows if limit is None else self.rows[:limit]
        labelled = {name: self.variables.index(f"{name}_label") for name in self.variables
                    if f"{name}_label" in self.variables and any(isinstance(r[self.variables.index(name)], ox.NamedNode)
                                                                  for r in self.rows)}
        hidden = {self.variables.index(f"{name}_label") for name in labelled}
        columns = [i for i in range(len(self.variables)) if i not in hidden]

        def cell(row: list[Term | None], index: int) -> str:
            name = self.variables[index]
            if name in labelled and row[labelled[name]] is not None:
                return _plain(row[labelled[name]])  # type: ignore[arg-type]
            term = row[index]
            if term is None:
                return ""
            return compact_iri(term.value, base=base) if isinstance(term, ox.NamedNode) else _plain(term)

        # A column holding one value in every row (the parameter a query echoes) is said once, below.
        same = [i for i in columns if len(self.rows) > 1 and self.rows[0][i] is not None
                and all(r[i] == self.rows[0][i] for r in self.rows)]
        if len(same) == len(columns):
            same = []
        columns = [i for i in columns if i not in same]
        numeric = {position for position, index in enumerate(columns)
                   if any(r[index] is not None for r in rows)
                   and all(r[index] is None or _is_number(r[index]) for r in rows)}
        # Numbers, and numbers as printed or said (printed, quantity), are never cut: a cut number is another number.
        whole = numeric | {position for position, index in enumerate(columns)
                           if {"printed", "quantity"} & set(self.variables[index].split("_"))}
        lines = format_table([self.variables[i] for i in columns], [[cell(r, i) for i in columns] for r in rows],
                             width=width, right=numeric, whole=whole,
                             when_cut=f"cut to {width} characters (COLUMNS): --format csv gives whole values")
        footer = f"({len(self.rows)} row{'s' if len(self.rows) != 1 else ''}"
        if limit is not None and len(self.rows) > limit:
            footer += f", {limit} shown"
        if labelled:
            footer += f"; labels shown for {', '.join(labelled)}: --format csv gives the IRIs"
        lines.extend(wrap(footer + ")", width))
        if same:
            lines.extend(wrap("in every row: " + ", ".join(f"{self.variables[i]} = {cell(self.rows[0], i)}"
                                                          for i in same), width))
        return "\n".join(lines)


def _is_number(term: Term | None) -> bool:
    return isinstance(term, ox.Literal) and term.datatype.value in _INTEGERS | _FLOATS


def _plain(term: Term) -> str:
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return str(term)


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD + "string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def _typed_column(values: Sequence[Term | None]) -> pd.Series:
    kinds = set()
    for term in values:
        if term is None:
            continue
        if isinstance(term, ox.Literal) and not term.language:
            datatype = term.datatype.value
            if datatype in _INTEGERS:
                kinds.add("integer")
            elif datatype in _FLOATS:
                kinds.add("float")
            elif datatype == _XSD + "boolean":
                kinds.add("boolean")
            elif datatype == _XSD + "gYear":
                kinds.add("year")
            elif datatype in (_XSD + "date", _XSD + "dateTime"):
                kinds.add("date")
            else:
                kinds.add("string")
        else:
            kinds.add("string")
    kind = kinds.pop() if len(kinds) == 1 else ("float" if kinds == {"integer", "float"} else "string")
    plain = [None if t is None else _plain(t) for t in values]
    if kind in ("integer", "year"):
        return pd.Series([None if v is None else int(v) for v in plain], dtype="Int64")
    if kind == "float":
        return pd.Series([None if v is None else float(v) for v in plain], dtype="Float64")
    if kind == "boolean":
        return pd.Series([None if v is None else v in ("true", "1") for v in plain], dtype="boolean")
    if kind == "date":
        return pd.to_datetime(pd.Series(plain, dtype="object"))
    return pd.Series(plain, dtype="string")
