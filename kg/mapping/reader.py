"""Strict reading of a CSV file: UTF-8 without byte-order mark, a header matching the metadata,
at least one data row, the same number of cells in every row, and no control character in a cell.

Rows end at CR, LF or CRLF only, as RFC 4180 says: the other characters Unicode counts as line
breaks (U+2028, U+2029, NEL, VT, FF, FS, GS, RS) do not end a row, and a cell holding one is
refused, as is a cell holding a NUL or another control character (TAB, CR and LF excepted). Such
characters are invisible in an editor and corrupt labels and identifiers silently.

Rows are numbered as in a spreadsheet: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.mapping.metadata import TableSpec

__all__ = ["read_rows"]

_BOM = b"\xef\xbb\xbf"
# C0 controls but TAB, LF and CR; DEL; C1 controls (NEL among them); the Unicode line and paragraph
# separators; and the byte-order mark or zero-width no-break space inside the text.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def _decode(path: Path, data: bytes) -> str:
    if data.startswith(_BOM):
        raise InputError(
            "the file starts with a byte-order mark; save it as UTF-8 without BOM", file=path, line=1, column=1
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        raise InputError(
            f"byte 0x{data[exc.start]:02X} is not valid UTF-8 (the file must be UTF-8)",
            file=path,
            line=line,
            column=column,
        ) from None


def read_rows(table: TableSpec) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(row number, cells)`` for each data row of ``table``.

    Raises
    ------
    InputError
        For a missing file, a byte-order mark, a byte that is not UTF-8, a malformed CSV, a header
        that differs from the metadata, a table without data rows, a row with a different number of
        cells, or a cell holding a control character or a Unicode line break.
    """
    path = table.path
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("table file not found", file=path) from None
    text = _decode(path, data)
    # newline="" leaves line ends to the csv module, which ends rows at CR and LF only.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=table.delimiter, strict=True)
    expected = [c.title for c in table.columns]
    suspicious = _FORBIDDEN.search(text) is not None  # cells are searched one by one only then
    row_number = 0
    try:
        for cells in reader:
            row_number += 1
            if row_number == 1:
                _check_header(table, cells, expected)
                continue
            if len(cells) != len(expected):
                raise InputError(
                    f"{len(cells)} cells where the header has {len(expected)}", file=path, row=row_number
                )
            if suspicious:
                _check_characters(table, row_number, cells)
            if table.trim:
                cells = [c.strip() for c in cells]
            yield row_number, cells
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", file=path, line=reader.line_num) from None
    if row_number == 0:
        raise InputError("the file is empty (no header row)", file=path)
    if row_number == 1:
        # A table cut down to its header would drop all its triples without a word.
        raise InputError("the table has a header but no data rows", file=path, row=2)


def _check_characters(table: TableSpec, row: int, cells: list[str]) -> None:
    for cell, column in zip(cells, table.columns):
        bad = _FORBIDDEN.search(cell)
        if bad:
            char = bad.group()
            name = unicodedata.name(char, "") or _CONTROL_NAMES.get(char, "control character")
            raise InputError(
                f"the cell holds U+{ord(char):04X} {name} at character {bad.start() + 1}; remove it "
                "(rows end at CR or LF only, and control characters are not allowed in cells)",
                file=table.path,
                row=row,
                column=column.name,
            )


_CONTROL_NAMES = {"\x00": "NULL", "\x85": "NEXT LINE (NEL)", "\x0b": "LINE TABULATION", "\x0c": "FORM FEED",
                  "\x1c": "FILE SEPARATOR", "\x1d": "GROUP SEPARATOR", "\x1e": "RECORD SEPARATOR",
                  "\x7f": "DELETE"}


def _check_header(table: TableSpec, cells: list[str], expected: list[str]) -> None:
    cells = [c.strip() for c in cells]
    if cells == expected:
        return
    for index, title in enumerate(expected):
        if index >= len(cells):
            raise InputError(f"header lacks column {title!r}", file=table.path, row=1)
        if cells[index] != title:
            raise InputError(
                f"header cell {index + 1} is {cells[index]!r} where the metadata expects {title!r}",
                file=table.path,
                row=1,
                column=title,
            )
    raise InputError(f"header has extra column {cells[len(expected)]!r}", file=table.path, row=1)
