"""Strict reading of a CSV file: UTF-8 without byte-order mark, a header matching the metadata,
and the same number of cells in every row.

Rows are numbered as in a spreadsheet: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.mapping.metadata import TableSpec

__all__ = ["read_rows"]

_BOM = b"\xef\xbb\xbf"


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
        that differs from the metadata, or a row with a different number of cells.
    """
    path = table.path
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("table file not found", file=path) from None
    text = _decode(path, data)
    reader = csv.reader(text.splitlines(keepends=True), delimiter=table.delimiter, strict=True)
    expected = [c.title for c in table.columns]
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
            if table.trim:
                cells = [c.strip() for c in cells]
            yield row_number, cells
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", file=path, line=reader.line_num) from None
    if row_number == 0:
        raise InputError("the file is empty (no header row)", file=path)


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
