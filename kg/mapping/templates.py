"""URI templates of CSVW metadata (RFC 6570 simple and reserved expansion) and IRI checks.

CSVW turns rows into triples through ``aboutUrl``, ``propertyUrl`` and ``valueUrl`` templates such as
``org/{+id}``. A template is compiled once per column; expanding it for a row is a few string joins.
Unlike a lenient expander, this one refuses a cell that cannot form a valid IRI (spaces, angle
brackets, quotes, a bad percent-encoding such as ``%zz``, a malformed host such as ``http://[www``)
instead of percent-encoding it into an IRI nobody asked for, or passing it on to fail in the store.
Validity is decided by Oxigraph's IRI parser (RFC 3987), the one the store itself uses.

Examples
--------
>>> t = UriTemplate.parse("org/{+id}")
>>> t.variables
('id',)
>>> t.expand({"id": "motie"}, base="https://example.org/id/")
'https://example.org/id/org/motie'
>>> UriTemplate.parse("rdfs:label").expand({}, base="https://example.org/")
'http://www.w3.org/2000/01/rdf-schema#label'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urljoin

import pyoxigraph as ox

from kg.vocabularies import PREFIXES

__all__ = ["CSVW_PREFIXES", "TemplateError", "UriTemplate", "check_iri", "iri_problem", "is_absolute_iri"]

# The prefixes CSVW processors expand in templates (the RDFa initial context the CSVW namespace
# document defines), restricted to those this project's metadata can meet.
CSVW_PREFIXES: dict[str, str] = {
    "csvw": "http://www.w3.org/ns/csvw#",
    "dc": PREFIXES["dcterms"],
    **{prefix: PREFIXES[prefix] for prefix in ("dcat", "dcterms", "foaf", "oa", "org", "owl", "prov", "qb", "rdf",
                                                 "rdfs", "schema", "skos", "time", "void", "xsd")},
}

_EXPRESSION = re.compile(r"\{([+#]?)([A-Za-z_][A-Za-z0-9_.]*)\}")
# Characters RFC 3987 never allows in an IRI, plus the controls and space.
_FORBIDDEN_IN_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_UNRESERVED = "-._~"
_RESERVED = ":/?#[]@!$&'()*+,;="


class TemplateError(ValueError):
    """A template could not be parsed, or a value cannot be placed into it."""


def iri_problem(value: str) -> str | None:
    """Why ``value`` is not a valid absolute IRI, or ``None`` when it is one.

    >>> iri_problem("http://x/%zz")
    "Invalid IRI percent encoding '%zz'"
    >>> iri_problem("place/gumi")
    'no scheme: it is not an absolute IRI'
    >>> iri_problem("https://w3id.org/kikg/id/place/gumi") is None
    True
    """
    bad = _FORBIDDEN_IN_IRI.search(value)
    if bad:
        return f"it contains {bad.group()!r}"
    if not _SCHEME.match(value):
        return "no scheme: it is not an absolute IRI"
    try:
        ox.NamedNode(value)
    except ValueError as exc:
        return str(exc)
    return None


def is_absolute_iri(value: str) -> bool:
    """Whether ``value`` is a valid absolute IRI.

    >>> is_absolute_iri("https://example.org/a b")
    False
    >>> is_absolute_iri("http://[www")
    False
    >>> is_absolute_iri("http://schema.org/Place")
    True
    """
    return iri_problem(value) is None


def check_iri(value: str) -> str:
    """Return ``value`` if it is a valid absolute IRI, else raise :class:`TemplateError`.

    >>> check_iri("http://[www")
    Traceback (most recent call last):
    ...
    kg.mapping.templates.TemplateError: 'http://[www' is not a valid IRI: Invalid character '[' in host
    """
    problem = iri_problem(value)
    if problem is not None:
        raise TemplateError(f"{value!r} is not a valid IRI: {problem}")
    return value


@dataclass(frozen=True)
class _Literal:
    text: str


@dataclass(frozen=True)
class _Expression:
    operator: str
    variable: str


class UriTemplate:
    """A compiled RFC 6570 template with simple (``{x}``), reserved (``{+x}``) and fragment
    (``{#x}``) expressions, resolved against a base IRI and CSVW's prefixes after expansion."""

    __slots__ = ("_parts", "source", "variables")

    def __init__(self, source: str, parts: tuple[_Literal | _Expression, ...]) -> None:
        self.source = source
        self._parts = parts
        self.variables = tuple(p.variable for p in parts if isinstance(p, _Expression))

    @classmethod
    def parse(cls, source: str) -> UriTemplate:
        """Compile ``source``; raise :class:`TemplateError` on unbalanced braces."""
        parts: list[_Literal | _Expression] = []
        position = 0
        for match in _EXPRESSION.finditer(source):
            text = source[position : match.start()]
            if "{" in text or "}" in text:
                raise TemplateError(f"malformed URI template {source!r}")
            if text:
                parts.append(_Literal(text))
            parts.append(_Expression(match.group(1), match.group(2)))
            position = match.end()
        tail = source[position:]
        if "{" in tail or "}" in tail:
            raise TemplateError(f"malformed URI template {source!r}")
        if tail:
            parts.append(_Literal(tail))
        return cls(source, tuple(parts))

    def expand(self, values: Mapping[str, str | None], *, base: str) -> str | None:
        """Expand with ``values``; ``None`` when a variable is null (no triple is then made).

        Raises
        ------
        TemplateError
            If a value holds characters no IRI may contain, or the result is not a valid IRI.
        """
        pieces: list[str] = []
        for part in self._parts:
            if isinstance(part, _Literal):
                pieces.append(part.text)
                continue
            value = values.get(part.variable)
            if value is None:
                return None
            if part.operator == "":
                pieces.append(quote(value, safe=_UNRESERVED))
            else:
                bad = _FORBIDDEN_IN_IRI.search(value)
                if bad:
                    raise TemplateError(f"{value!r} cannot form a valid IRI: it contains {bad.group()!r}")
                if part.operator == "#":
                    pieces.append("#")
                pieces.append(value)
        return resolve("".join(pieces), base)


def resolve(reference: str, base: str) -> str:
    """Resolve ``reference`` against CSVW's prefixes, then against ``base``.

    >>> resolve("skos:Concept", "https://example.org/")
    'http://www.w3.org/2004/02/skos/core#Concept'
    >>> resolve("place/seoul", "https://example.org/id/")
    'https://example.org/id/place/seoul'
    """
    prefix, sep, rest = reference.partition(":")
    if sep and prefix in CSVW_PREFIXES and not rest.startswith("//"):
        return CSVW_PREFIXES[prefix] + rest
    if _SCHEME.match(reference):
        return check_iri(reference)
    if reference and reference[0] not in "/#?." and ":" not in reference:
        return check_iri(base + reference)
    return check_iri(urljoin(base, reference))
