"""Comparing the answers two stores give to one query: multisets of rows, numbers by value.

Stores write the same value in different lexical forms (``"1"^^xsd:integer`` or ``"1.0"^^xsd:decimal``,
``"0"^^xsd:double`` or ``"0.0"``, ``"1"^^xsd:boolean`` or ``"true"``) and order the rows of an
unordered query as they like; these keys make such answers compare equal, and nothing else.

>>> import pyoxigraph as ox
>>> one = QueryResult(["n"], [[ox.Literal("1", datatype=ox.NamedNode(XSD.integer))]])
>>> also_one = QueryResult(["n"], [[ox.Literal("1.0", datatype=ox.NamedNode(XSD.double))]])
>>> same_answers(one, also_one)
True
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from kg.queries.results import QueryResult, Term
from kg.vocabularies import XSD

__all__ = ["row_key", "same_answers"]

_XSD = str(XSD)
_NUMBERS = {_XSD + name for name in (
    "integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}


def _value(term: Term | None) -> object:
    if isinstance(term, ox.Literal) and term.datatype.value in _NUMBERS:
        try:
            return ("number", Decimal(term.value.replace("INF", "Infinity")))
        except InvalidOperation:
            return str(term)
    if isinstance(term, ox.Literal) and term.datatype.value == _XSD + "boolean":
        return ("boolean", term.value in ("true", "1"))
    return "" if term is None else str(term)


def row_key(row: list[Term | None]) -> tuple[object, ...]:
    """A row as a tuple that compares numbers and booleans by value, other terms as N-Triples."""
    return tuple(_value(term) for term in row)


def same_answers(first: QueryResult, second: QueryResult, *, ordered: bool = False) -> bool:
    """Whether two answers have the same variables and rows (as multisets, or in order)."""
    if first.variables != second.variables or first.boolean != second.boolean:
        return False
    keys = [row_key(row) for row in first.rows], [row_key(row) for row in second.rows]
    return keys[0] == keys[1] if ordered else Counter(keys[0]) == Counter(keys[1])
