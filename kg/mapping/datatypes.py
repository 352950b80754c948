"""CSVW column datatypes: strict parsing of cells into RDF literals.

Each datatype compiles into a parser that takes the cell text and returns the literal's lexical
form, or raises :class:`CellError` with a reason a person can act on. Only what CSVW allows is
accepted: a number with a thousands separator is refused unless the column declares the separator
(``"format": {"groupChar": ","}``), an impossible date is refused, and so on.

Examples
--------
>>> parse = Datatype.from_metadata({"base": "decimal", "format": {"groupChar": ","}}).parser()
>>> parse("50,049")
'50049'
>>> Datatype.from_metadata("decimal").parser()("50,049")
Traceback (most recent call last):
...
kg.mapping.datatypes.CellError: '50,049' is not a valid decimal (',' is not allowed: the column declares no group separator)
>>> Datatype.from_metadata("date").parser()("2024-02-30")
Traceback (most recent call last):
...
kg.mapping.datatypes.CellError: '2024-02-30' is not a valid date: day is out of range for month
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from kg.mapping.templates import iri_problem
from kg.vocabularies import XSD

__all__ = ["LANGUAGE_TAG", "CellError", "Datatype"]

_XSD = str(XSD)

# RDF's LANGTAG production (Turtle, N-Triples, SPARQL): well-formed, not necessarily registered.
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")

_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_DECIMAL = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")
_DOUBLE = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$|^(INF|-INF|NaN)$")
_DATE = re.compile(r"^(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})$")
_GYEAR = re.compile(r"^-?[0-9]{4,}$")
_GYEARMONTH = re.compile(r"^(-?[0-9]{4,})-([0-9]{2})$")
_GMONTHDAY = re.compile(r"^--([0-9]{2})-([0-9]{2})$")
_GDAY = re.compile(r"^---([0-9]{2})$")

# CSVW base names and the XSD datatype they produce. Types derived from xsd:integer (positiveInteger...)
# are left out on purpose: Oxigraph stores them as xsd:integer, so a column declares "integer" with a
# minimum instead.
_BASES = {
    "string": "string",
    "integer": "integer",
    "decimal": "decimal",
    "double": "double",
    "number": "double",
    "boolean": "boolean",
    "date": "date",
    "gYear": "gYear",
    "gYearMonth": "gYearMonth",
    "gMonthDay": "gMonthDay",
    "gDay": "gDay",
    "anyURI": "anyURI",
}


class CellError(ValueError):
    """A cell's text is not a valid value of its column's datatype."""


@dataclass(frozen=True)
class Datatype:
    """A CSVW datatype description reduced to what the mapper checks."""

    base: str
    pattern: re.Pattern[str] | None = None
    group_char: str | None = None
    decimal_char: str = "."
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    min_length: int | None = None
    max_length: int | None = None
    boolean_words: tuple[str, str] = ("true", "false")
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def iri(self) -> str:
        """The XSD datatype IRI of the literals this column produces."""
        return _XSD + _BASES[self.base]

    @classmethod
    def from_metadata(cls, description: str | Mapping[str, Any] | None) -> Datatype:
        """Build from a CSVW ``datatype`` value (a base name or a description object).

        Raises
        ------
        ValueError
            For an unknown base or a malformed format.
        """
        if description is None:
            return cls("string")
        if isinstance(description, str):
            description = {"base": description}
        base = description.get("base", "string")
        if base not in _BASES:
            raise ValueError(f"unknown datatype {base!r}")
        fmt = description.get("format")
        kwargs: dict[str, Any] = {}
        if base in ("integer", "decimal", "double", "number"):
            if isinstance(fmt, Mapping):
                kwargs["group_char"] = fmt.get("groupChar")
                kwargs["decimal_char"] = fmt.get("decimalChar", ".")
            elif fmt is not None:
                raise ValueError("a numeric format must be an object with groupChar/decimalChar")
        elif base == "boolean" and fmt is not None:
            words = str(fmt).split("|")
            if len(words) != 2:
                raise ValueError(f"boolean format {fmt!r} must be 'true-word|false-word'")
            kwargs["boolean_words"] = (words[0], words[1])
        elif fmt is not None:
            if not isinstance(fmt, str):
                raise ValueError(f"format of a {base} column must be a regular expression")
            try:
                kwargs["pattern"] = re.compile(fmt)
            except re.error as exc:
                raise ValueError(f"invalid format pattern {fmt!r}: {exc}") from None
        for key, attr in (("minimum", "minimum"), ("maximum", "maximum")):
            if key in description:
                kwargs[attr] = Decimal(str(description[key]))
        for key, attr in (("minLength", "min_length"), ("maxLength", "max_length")):
            if key in description:
                kwargs[attr] = int(description[key])
        return cls(base, **kwargs)

    def parser(self) -> Callable[[str], str]:
        """Return a function from cell text to canonical lexical form; it raises CellError."""
        base = self.base
        if base == "string":
            return self._string_parser()
        if base in ("integer", "decimal", "double", "number"):
            return self._number_parser()
        if base == "boolean":
            true_word, false_word = self.boolean_words

            def parse_boolean(text: str) -> str:
                if text == true_word:
                    return "true"
                if text == false_word:
                    return "false"
                raise CellError(f"{text!r} is not a valid boolean ({true_word!r} or {false_word!r})")

            return parse_boolean
        if base == "anyURI":

            def parse_uri(text: str) -> str:
                problem = iri_problem(text)
                if problem is not None:
                    raise CellError(f"{text!r} is not a valid absolute IRI: {problem}")
                return text

            return parse_uri
        return self._date_parser()

    def _string_parser(self) -> Callable[[str], str]:
        pattern, min_length, max_length = self.pattern, self.min_length, self.max_length

        def parse_string(text: str) -> str:
            if pattern is not None and not pattern.fullmatch(text):
                raise CellError(f"{text!r} does not match the column format {pattern.pattern!r}")
            if min_length is not None and len(text) < min_length:
                raise CellError(f"{text!r} is shorter than {min_length} characters")
            if max_length is not None and len(text) > max_length:
                raise CellError(f"{text!r} is longer than {max_length} characters")
            return text

        return parse_string

    def _number_parser(self) -> Callable[[str], str]:
        base = self.base
        group, point = self.group_char, self.decimal_char
        name = {"number": "double"}.get(base, base)
        syntax = _DOUBLE if base in ("double", "number") else _DECIMAL if base == "decimal" else _INTEGER
        minimum = self.minimum
        maximum = self.maximum

        def parse_number(text: str) -> str:
            cleaned = text
            if group:
                cleaned = cleaned.replace(group, "")
            if point != ".":
                if "." in cleaned:
                    raise CellError(f"{text!r} is not a valid {name} ('.' is not the declared decimal mark)")
                cleaned = cleaned.replace(point, ".")
            if not syntax.match(cleaned):
                if "," in text and group != ",":
                    raise CellError(
                        f"{text!r} is not a valid {name} (',' is not allowed: the column declares "
                        "no group separator)"
                    )
                raise CellError(f"{text!r} is not a valid {name}")
            if minimum is not None or maximum is not None:
                try:
                    number = Decimal(cleaned)
                except InvalidOperation:  # INF/NaN
                    raise CellError(f"{text!r} is not a finite number") from None
                if minimum is not None and number < minimum:
                    raise CellError(f"{text!r} is below the column minimum {minimum}")
                if maximum is not None and number > maximum:
                    raise CellError(f"{text!r} is above the column maximum {maximum}")
            if cleaned[0] == "+":
                cleaned = cleaned[1:]
            if syntax is _INTEGER:
                return str(int(cleaned))
            return cleaned

        return parse_number

    def _date_parser(self) -> Callable[[str], str]:
        base = self.base
        minimum, maximum = self.minimum, self.maximum

        def year_in_range(text: str, year: int) -> None:
            if minimum is not None and year < minimum:
                raise CellError(f"{text!r} is before the column minimum {minimum}")
            if maximum is not None and year > maximum:
                raise CellError(f"{text!r} is after the column maximum {maximum}")

        def parse_date(text: str) -> str:
            match = _DATE.match(text)
            if not match:
                raise CellError(f"{text!r} is not a valid date (expected YYYY-MM-DD)")
            try:
                _dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError as exc:
                raise CellError(f"{text!r} is not a valid date: {exc}") from None
            year_in_range(text, int(match.group(1)))
            return text

        def parse_gyear(text: str) -> str:
            if not _GYEAR.match(text):
                raise CellError(f"{text!r} is not a valid gYear (expected YYYY)")
            year_in_range(text, int(text))
            return text

        def parse_gyearmonth(text: str) -> str:
            match = _GYEARMONTH.match(text)
            if not match or not 1 <= int(match.group(2)) <= 12:
                raise CellError(f"{text!r} is not a valid gYearMonth (expected YYYY-MM)")
            year_in_range(text, int(match.group(1)))
            return text

        def parse_gmonthday(text: str) -> str:
            match = _GMONTHDAY.match(text)
            if not match:
                raise CellError(f"{text!r} is not a valid gMonthDay (expected --MM-DD)")
            try:
                _dt.date(2000, int(match.group(1)), int(match.group(2)))  # a leap year allows --02-29
            except ValueError as exc:
                raise CellError(f"{text!r} is not a valid gMonthDay: {exc}") from None
            return text

        def parse_gday(text: str) -> str:
            match = _GDAY.match(text)
            if not match or not 1 <= int(match.group(1)) <= 31:
                raise CellError(f"{text!r} is not a valid gDay (expected ---DD)")
            return text

        return {
            "date": parse_date,
            "gYear": parse_gyear,
            "gYearMonth": parse_gyearmonth,
            "gMonthDay": parse_gmonthday,
            "gDay": parse_gday,
        }[base]
