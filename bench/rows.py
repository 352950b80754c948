"""Query results compared as multisets of rows, whatever engine gave them.

Each engine's child writes its rows with :func:`write_rows`, one normalised row per line, sorted; the
parent compares two such files with :func:`compare`. A term is normalised to a string so that two
engines agree when they return the same RDF term:

* an IRI as ``<iri>``; a blank node as ``_:`` (labels are the engine's own);
* a literal of a numeric datatype (integers, decimal, float, double) as its value with 12
  significant digits, the datatype dropped (``"46"^^xsd:integer``, ``46.0`` and ``"4.6E1"`` agree;
  SPARQL's numeric promotion makes an engine's choice among them a detail);
* a boolean as ``true`` or ``false``;
* another literal as its lexical form with its language tag (lower case) or datatype, ``xsd:string``
  being the plain literal;
* an unbound variable as ``UNDEF``.

Examples
--------
>>> import pyoxigraph as ox, rdflib
>>> normalise_term(ox.Literal("46", datatype=ox.NamedNode(XSD + "integer")))
'46'
>>> normalise_term(rdflib.Literal("46.0", datatype=rdflib.XSD.decimal))
'46'
>>> normalise_term(None), normalise_term(rdflib.Literal("a", lang="EN"))
('UNDEF', '"a"@en')
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

__all__ = ["XSD", "compare", "normalise_row", "normalise_term", "write_rows"]

XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {XSD + name for name in ("integer", "decimal", "float", "double", "int", "long", "short", "byte",
                                    "nonNegativeInteger", "positiveInteger", "negativeInteger",
                                    "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
                                    "unsignedByte")}
EXAMPLES = 3
"""Rows shown of each side of a difference."""


def _number(lexical: str) -> str | None:
    try:
        value = float(Decimal(lexical.strip()))
    except (InvalidOperation, ValueError):
        try:
            value = float(lexical.strip())
        except ValueError:
            return None
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if value == 0:
        return "0"
    return f"{value:.12g}"


def _literal(lexical: str, language: str | None, datatype: str | None) -> str:
    if language:
        return json.dumps(lexical, ensure_ascii=False) + "@" + language.lower()
    datatype = datatype or XSD + "string"
    if datatype in _NUMERIC:
        number = _number(lexical)
        if number is not None:
            return number
    if datatype == XSD + "boolean" and lexical in ("true", "false", "1", "0"):
        return "true" if lexical in ("true", "1") else "false"
    quoted = json.dumps(lexical, ensure_ascii=False)
    return quoted if datatype == XSD + "string" else f"{quoted}^^<{datatype}>"


def normalise_term(term: Any) -> str:
    """A term of pyoxigraph or rdflib (or None for unbound) as a comparable string."""
    if term is None:
        return "UNDEF"
    kind = type(term).__name__
    if kind in ("NamedNode", "URIRef"):
        return f"<{term.value if kind == 'NamedNode' else str(term)}>"
    if kind in ("BlankNode", "BNode"):
        return "_:"
    if kind == "Literal":
        if type(term).__module__ == "pyoxigraph":
            return _literal(term.value, term.language, term.datatype.value if not term.language else None)
        return _literal(str(term), term.language, str(term.datatype) if term.datatype is not None else None)
    return str(term)


def normalise_row(row: Sequence[Any]) -> str:
    """One row as one line (its terms normalised, tab-separated)."""
    return "\t".join(normalise_term(term) for term in row)


def write_rows(path: str | Path, rows: Iterable[Sequence[Any]]) -> int:
    """Write the normalised rows, sorted, one a line; return their number."""
    lines = sorted(normalise_row(row) for row in rows)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return len(lines)


def compare(ours: str | Path, theirs: str | Path) -> dict[str, Any]:
    """Compare two row files as multisets: ``same``, and the rows only one side has (counts and a
    few examples)."""
    left = Counter(Path(ours).read_text(encoding="utf-8").splitlines())
    right = Counter(Path(theirs).read_text(encoding="utf-8").splitlines())
    only_ours, only_theirs = left - right, right - left
    return {"same": not only_ours and not only_theirs,
            "only_toolkit": sum(only_ours.values()), "only_peer": sum(only_theirs.values()),
            "examples_toolkit": sorted(only_ours)[:EXAMPLES], "examples_peer": sorted(only_theirs)[:EXAMPLES]}
