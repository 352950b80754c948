"""Tables for people: compact names for IRIs, and text tables clipped to the terminal's width.

What a person reads on a terminal shows an IRI under the data's base as its path relative to the
base (``org/kicox``), an IRI of a known vocabulary as a CURIE (``kikg:Ministry``, ``org:member``)
and any other IRI in full; columns are clipped to the width of the terminal (``COLUMNS``), long
cells cut with "…". CSV, TSV and JSON keep full IRIs: this module is only for reading.

It is the one table renderer of the toolkit: query results (:meth:`kg.queries.QueryResult.to_text`),
the network ranking (:meth:`kg.network.ranking.Ranking.to_text`) and the validation report
(:meth:`kg.validation.ValidationReport.to_text`) use it.

Examples
--------
>>> compact_iri("https://w3id.org/kikg/id/org/kicox", base="https://w3id.org/kikg/id/")
'org/kicox'
>>> compact_iri("http://www.w3.org/ns/org#member", base="https://w3id.org/kikg/id/")
'org:member'
>>> print("\\n".join(format_table(["name", "n"], [["Korea Industrial Complex Corporation", "50"]], width=20,
...                              right={1})))
name              n
----------------  --
Korea Industria…  50
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from typing import TextIO

__all__ = ["DEFAULT_WIDTH", "compact_iri", "display_width", "format_table", "terminal_width", "wrap"]

MIN_COLUMN = 6
"""Columns are never clipped narrower than this (a narrower cell keeps its width)."""


DEFAULT_WIDTH = 120
"""The width of a table printed to a file or a pipe when ``COLUMNS`` is not set."""


def terminal_width(stream: TextIO | None = None) -> int:
    """The width tables are clipped to: ``COLUMNS`` when set, else the terminal's width when
    ``stream`` (standard output by default) is a terminal, else :data:`DEFAULT_WIDTH`. (A table is
    for reading; ``--format csv``, ``tsv`` and ``json`` give whole values.)"""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    stream = stream if stream is not None else sys.stdout
    try:
        is_terminal = stream.isatty()
    except (AttributeError, ValueError):
        is_terminal = False
    return shutil.get_terminal_size((DEFAULT_WIDTH, 40)).columns if is_terminal else DEFAULT_WIDTH


def compact_iri(iri: str, *, base: str | None = None, prefixes: Mapping[str, str] | None = None) -> str:
    """``iri`` relative to ``base``, or as a CURIE of ``prefixes`` (by default
    :data:`kg.vocabularies.PREFIXES`, the vocabularies of the graph), or as it is."""
    if prefixes is None:
        from kg.vocabularies import PREFIXES

        prefixes = PREFIXES
    if base and iri.startswith(base) and len(iri) > len(base):
        return iri[len(base):]
    best = ""
    for prefix, namespace in prefixes.items():
        if iri.startswith(namespace) and len(namespace) > len(prefixes.get(best, "")):
            best = prefix
    if best:
        local = iri[len(prefixes[best]):]
        if local and not any(c in local for c in "/#?"):
            return f"{best}:{local}"
    return iri


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: East Asian wide characters (Korean labels) take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in text)


def _one_line(text: str) -> str:
    return " ".join(text.split()) if any(c in text for c in "\n\r\t") else text


def _cut(text: str, size: int) -> str:
    if display_width(text) <= size:
        return text
    out, used = [], 0
    for char in text:
        step = display_width(char)
        if used + step > size - 1:
            break
        out.append(char)
        used += step
    return "".join(out) + "…"


def _pad(text: str, size: int, *, right: bool) -> str:
    fill = " " * max(0, size - display_width(text))
    return fill + text if right else text + fill


def _fit(natural: list[int], floors: list[int], budget: int, whole: Collection[int]) -> list[int] | None:
    """Column widths within ``budget``, none below its floor: the headers of whole columns (numbers)
    give way first, then the widest of the other columns shrink, together."""
    if sum(natural) <= budget:
        return natural
    if sum(floors) > budget:
        return None
    widths = [floors[i] if i in whole else natural[i] for i in range(len(natural))]
    text = [i for i in range(len(natural)) if i not in whole]
    if sum(widths) > budget:
        cap = max(natural)
        fixed = sum(widths[i] for i in whole)
        while cap > 0 and fixed + sum(max(floors[i], min(natural[i], cap)) for i in text) > budget:
            cap -= 1
        for i in text:
            widths[i] = max(floors[i], min(natural[i], cap))
    spare = budget - sum(widths)
    for index in text + sorted(whole):  # what is left: to the clipped columns, left first, then to headers
        extra = min(spare, natural[index] - widths[index])
        if extra > 0:
            widths[index] += extra
            spare -= extra
    return widths


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, width: int | None = None,
                 right: Collection[int] = (), whole: Collection[int] = (), when_cut: str = "") -> list[str]:
    """A table as lines: a header, a rule, one line per row; cells on one line, columns two spaces apart.

    Parameters
    ----------
    headers, rows
        The cells, as text.
    width
        The widest line allowed (``None``: no limit). Wide columns are clipped first; when even
        the narrowest columns do not fit, the columns on the right are left out and the last line
        says which.
    right
        Indexes of the columns aligned right (numbers).
    whole
        Indexes of the columns whose cells are never cut (numbers: a cut number is another number);
        only their headers may be.
    when_cut
        A note for the last line when a cell is cut (where to find the whole values).
    """
    cells = [[_one_line(c) for c in row] for row in rows]
    count = len(headers)
    longest = [max([0] + [display_width(r[i]) for r in cells]) for i in range(count)]
    natural = [max(display_width(headers[i]), longest[i]) for i in range(count)]
    floors = [max(longest[i], min(natural[i], MIN_COLUMN)) if i in whole else min(natural[i], MIN_COLUMN)
              for i in range(count)]
    shown = count
    widths: list[int] | None = natural
    if width is not None:
        widths = None
        while shown > 0 and widths is None:
            widths = _fit(natural[:shown], floors[:shown], max(width - 2 * (shown - 1), 1),
                          {i for i in whole if i < shown})
            if widths is None:
                shown -= 1
        if widths is None:  # not even one column fits: show the first, clipped
            shown, widths = 1, [max(width, 1)]
    assert widths is not None

    def line(values: Sequence[str], *, header: bool = False) -> str:
        parts = [_pad(_cut(values[i], widths[i]), widths[i], right=(i in right) and not header) for i in range(shown)]
        return "  ".join(parts).rstrip()

    lines = [line(headers, header=True), "  ".join("-" * w for w in widths)]
    lines.extend(line(row) for row in cells)
    if shown < count:
        more = f"{count - shown} more columns do not" if count - shown > 1 else "1 more column does not"
        lines.extend(wrap(f"({more} fit in {width} characters: {', '.join(headers[shown:])})", width))
    if when_cut and (shown < count or any(w < longest[i] for i, w in enumerate(widths))):
        lines.extend(wrap(f"({when_cut})", width))
    return lines


def wrap(text: str, width: int | None) -> list[str]:
    """A note below a table, as lines of at most ``width`` characters (one line when ``None``)."""
    if width is None or display_width(text) <= width:
        return [text]
    return textwrap.wrap(text, width=max(width, 10), break_on_hyphens=False) or [text]
