"""Well-formed literals: whether a lexical form belongs to its datatype (for ``sh:datatype``).

SHACL counts a literal as having datatype D only if its lexical form is valid for D, for the
datatypes the processor knows. These are the XSD datatypes of RDF 1.1 (section 5.1), checked
against their lexical spaces and, for the bounded integer types, their value ranges; other
datatypes are taken as written. ``rdf:langString`` needs a language tag, every other datatype
forbids one.

>>> well_formed("300", str(XSD.byte))
False
>>> well_formed("2020-02-29", str(XSD.date)), well_formed("2021-02-29", str(XSD.date))
(True, False)
"""

from __future__ import annotations

import calendar
import re
from functools import lru_cache

from kg.vocabularies import XSD

__all__ = ["well_formed"]

_XSD = str(XSD)

_TZ = r"(Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))?"
_YEAR = r"-?(?:[1-9]\d{3,}|0\d{3})"
_TIME = r"(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?|24:00:00(?:\.0+)?)"
_INTEGER = r"[+-]?\d+"

_PATTERNS = {
    "string": r"[^\x00-\x08\x0b\x0c\x0e-\x1f]*",
    "normalizedString": r"[^\t\n\r]*",
    "token": r"(?:\S+(?: \S+)*)?",
    "language": r"[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*",
    "NMTOKEN": r"[\w.:\-\u00B7]+",
    "Name": r"[^\W\d.\-][\w.:\-]*",
    "NCName": r"[^\W\d.\-][\w.\-]*",
    "boolean": r"true|false|1|0",
    "decimal": r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)",
    "integer": _INTEGER,
    "float": r"[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|INF)|NaN",
    "double": r"[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|INF)|NaN",
    "duration": r"-?P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?",
    "yearMonthDuration": r"-?P(?=\d)(?:\d+Y)?(?:\d+M)?",
    "dayTimeDuration": r"-?P(?=\d|T\d)(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?",
    "dateTime": rf"(?P<y>{_YEAR})-(?P<m>\d\d)-(?P<d>\d\d)T{_TIME}{_TZ}",
    "dateTimeStamp": rf"(?P<y>{_YEAR})-(?P<m>\d\d)-(?P<d>\d\d)T{_TIME}(?:Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))",
    "date": rf"(?P<y>{_YEAR})-(?P<m>\d\d)-(?P<d>\d\d){_TZ}",
    "time": rf"{_TIME}{_TZ}",
    "gYear": rf"{_YEAR}{_TZ}",
    "gYearMonth": rf"{_YEAR}-(?:0[1-9]|1[0-2]){_TZ}",
    "gMonth": rf"--(?:0[1-9]|1[0-2]){_TZ}",
    "gDay": rf"---(?:0[1-9]|[12]\d|3[01]){_TZ}",
    "gMonthDay": rf"--(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01]){_TZ}",
    "hexBinary": r"(?:[0-9a-fA-F]{2})*",
    "base64Binary": r"(?:[A-Za-z0-9+/] ?){0,}=? ?=?",
    "anyURI": r"[^\x00-\x1f]*",
}
_COMPILED = {_XSD + name: re.compile(pattern) for name, pattern in _PATTERNS.items()}

_RANGES: dict[str, tuple[int | None, int | None]] = {
    "nonNegativeInteger": (0, None), "positiveInteger": (1, None), "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1), "long": (-2**63, 2**63 - 1), "int": (-2**31, 2**31 - 1),
    "short": (-2**15, 2**15 - 1), "byte": (-128, 127), "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1), "unsignedShort": (0, 2**16 - 1), "unsignedByte": (0, 255),
}
_INTEGER_RE = re.compile(_INTEGER)


@lru_cache(maxsize=65536)
def well_formed(lexical: str, datatype: str) -> bool:
    """Whether ``lexical`` is in the lexical space of ``datatype`` (True for datatypes not known here)."""
    if datatype.startswith(_XSD) and datatype[len(_XSD):] in _RANGES:
        if not _INTEGER_RE.fullmatch(lexical):
            return False
        low, high = _RANGES[datatype[len(_XSD):]]
        number = int(lexical)
        return (low is None or number >= low) and (high is None or number <= high)
    pattern = _COMPILED.get(datatype)
    if pattern is None:
        return True
    match = pattern.fullmatch(lexical)
    if match is None:
        return False
    groups = match.groupdict()
    if groups.get("d") is not None:
        month, day = int(groups["m"]), int(groups["d"])
        if not 1 <= month <= 12:
            return False
        # The date's own year (proleptic Gregorian, year 0 a leap year, as in XSD 1.1), or a
        # leap year for gMonthDay, where --02-29 is valid.
        year = int(groups["y"]) if groups.get("y") is not None else 2000
        days = 29 if month == 2 and calendar.isleap(year) else calendar.monthrange(2001, month)[1]
        if not 1 <= day <= days:
            return False
    return True
