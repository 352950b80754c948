"""Query parameters as RDF terms, never as query text.

A parameter value is parsed by its declared type into an RDF term (an IRI is checked, a literal is
built by the RDF library, which does all escaping). SPARQL 1.1 endpoints have no protocol for
binding, so the term, in the N-Triples form the RDF library writes, goes into a ``VALUES`` block at
the start of the outermost ``WHERE`` group, found by a tokenizer that skips strings, IRIs and
comments. The local engine gets the very same text, so both give the same results.

Examples
--------
>>> ParameterType.STRING.to_term('x" } DROP ALL', base="https://example.org/")
<Literal value=x" } DROP ALL datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>
>>> print(inject_values("SELECT ?s WHERE { ?s ?p ?o }", {"s": ParameterType.IRI.to_term("a", base="https://example.org/")}))
SELECT ?s WHERE { VALUES (?s) { (<https://example.org/a>) } ?s ?p ?o }
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Mapping

import pyoxigraph as ox

from kg.errors import ParameterError, UsageError
from kg.mapping.templates import TemplateError, check_iri
from kg.mapping.templates import resolve as resolve_iri
from kg.queries.guard import _PN_LOCAL, _PN_PREFIX, _VARNAME
from kg.vocabularies import XSD

__all__ = ["ParameterType", "inject_values", "tokens"]


class ParameterType(enum.Enum):
    """Declared types of query parameters."""

    IRI = "iri"
    GRAPH = "graph"
    """The IRI of a named graph (checked to be non-empty, where ``iri`` is checked to name something)."""
    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"
    YEAR = "year"
    BOOLEAN = "boolean"

    def to_term(self, value: str, *, base: str) -> ox.NamedNode | ox.Literal:
        """Parse ``value`` into a term of this type.

        Raises
        ------
        ParameterError
            When the value is not of this type, or an IRI is not valid.
        """
        if self in (ParameterType.IRI, ParameterType.GRAPH):
            try:
                return ox.NamedNode(resolve_iri(value, base))
            except (TemplateError, ValueError) as exc:
                raise ParameterError(f"not a valid IRI: {exc}") from None
        if self is ParameterType.STRING:
            return ox.Literal(value)
        patterns = {
            ParameterType.INTEGER: (r"[+-]?[0-9]+", "integer"),
            ParameterType.DECIMAL: (r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", "decimal"),
            ParameterType.YEAR: (r"[0-9]{4}", "gYear"),
            ParameterType.BOOLEAN: (r"true|false", "boolean"),
        }
        pattern, datatype = patterns[self]
        if not re.fullmatch(pattern, value):
            raise ParameterError(f"{value!r} is not a valid {self.value}")
        return ox.Literal(value, datatype=ox.NamedNode(XSD[datatype]))


# -- a small SPARQL tokenizer (to place VALUES; the read-only check parses, see kg.queries.guard) --

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<pname>(?:""" + _PN_PREFIX + r""")?:(?:""" + _PN_LOCAL + r""")?)
  | (?P<var>[?$]""" + _VARNAME + r""")
  | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<open>\{) | (?P<close>\}) | (?P<popen>\() | (?P<pclose>\))
  | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)


def tokens(query: str) -> Iterator[tuple[str, str, int]]:
    """Yield ``(kind, text, offset)`` for the query, skipping whitespace."""
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup
        assert kind is not None
        yield kind, match.group(), match.start()


def _where_brace(query: str) -> int:
    depth = 0
    parens = 0
    form = None
    seen_where = False
    for kind, text, offset in tokens(query):
        if kind == "comment":
            continue
        if kind == "word" and depth == 0 and parens == 0:
            word = text.upper()
            if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") and form is None:
                form = word
            elif word == "WHERE":
                seen_where = True
        elif kind == "popen":
            parens += 1
        elif kind == "pclose":
            parens -= 1
        elif kind == "open":
            if depth == 0 and parens == 0 and (seen_where or form in ("SELECT", "ASK")):
                return offset
            depth += 1
        elif kind == "close":
            depth -= 1
    raise UsageError("cannot find the WHERE clause of the query to bind parameters")


def inject_values(query: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """Bind ``bindings`` with a ``VALUES`` block at the start of the outermost ``WHERE`` group."""
    if not bindings:
        return query
    for name in bindings:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ParameterError(f"{name!r} is not a SPARQL variable name")
    for term in bindings.values():
        if isinstance(term, ox.NamedNode):
            try:
                check_iri(term.value)
            except TemplateError as exc:
                raise ParameterError(str(exc)) from None
    brace = _where_brace(query)
    names = " ".join("?" + name for name in bindings)
    row = " ".join(str(term) for term in bindings.values())
    return f"{query[: brace + 1]} VALUES ({names}) {{ ({row}) }}{query[brace + 1 :]}"
