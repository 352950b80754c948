"""The mapping review of docs/reliability.md (item 8), run against copies of the shipped tables.

Not collected by pytest (it takes minutes): ``python tests/hostile/review_mapping.py`` prints, per
kind of attack, how many were tried and how many were refused cleanly: an ``InputError`` (exit 2)
naming the attacked file and, for a cell, its row and column, with the shipped tables left as they
were. Any other outcome is listed.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import kg
from kg._resources import SOURCES_DIR
from kg.errors import InputError

BREAKS = ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x00", "\x1b", "\x7f", "\ufeff"]
BAD_IRIS = ["http://x/%zz", "http://[www", "http://x/a b", "http://x/<y>"]


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _attempt(kind: str, attack: Callable[[Path], tuple[str, int | None, str | None]], results: Counter[str],
             failures: list[str]) -> None:
    """Run one attack on a fresh copy; count it as a clean refusal when the error names the place."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "sources"
        shutil.copytree(SOURCES_DIR, folder)
        file, row, column = attack(folder)
        results[kind + " tried"] += 1
        try:
            kg.build(folder / "csv-metadata.json")
        except InputError as error:
            named = error.file == str(folder / file) and (row is None or error.row == row) and (
                column is None or error.column == column)
            if named and "\n" not in str(error):
                results[kind + " refused"] += 1
            else:
                failures.append(f"{kind}: {file} row {row} column {column}: refused elsewhere: {error}")
        except Exception as error:  # noqa: BLE001 - the review reports anything that is not a clean refusal
            failures.append(f"{kind}: {file} row {row} column {column}: {type(error).__name__}: {error}")
        else:
            failures.append(f"{kind}: {file} row {row} column {column}: accepted")


def main() -> int:
    rng = random.Random(8)
    results: Counter[str] = Counter()
    failures: list[str] = []
    tables = sorted(p.name for p in SOURCES_DIR.glob("*.csv"))
    # 1. A misspelt variable in every template of every schema.
    for schema_path in sorted((SOURCES_DIR / "schemas").glob("*.json")):
        text = schema_path.read_text(encoding="utf-8")
        for match in sorted(set(re.findall(r"\{\+?([a-z_]+)\}", text))):
            def typo(folder: Path, name: str = schema_path.name, variable: str = match) -> tuple[str, None, None]:
                path = folder / "schemas" / name
                path.write_text(re.sub(r"\{(\+?)" + variable + r"\}", r"{\g<1>" + variable + "x}",
                                       path.read_text(encoding="utf-8")), encoding="utf-8")
                return f"schemas/{name}", None, None
            _attempt("template variable misspelt", typo, results, failures)
    # 2. Every table cut down to its header.
    for table in tables:
        def header_only(folder: Path, name: str = table) -> tuple[str, int, None]:
            header, _ = _rows(folder / name)
            _write(folder / name, header, [])
            return name, 2, None
        _attempt("header-only table", header_only, results, failures)
    # 3. Invalid IRIs in every column that makes an IRI of its cell.
    metadata = json.loads((SOURCES_DIR / "csv-metadata.json").read_text(encoding="utf-8"))
    for entry in metadata["tables"]:
        schema = json.loads((SOURCES_DIR / entry["tableSchema"]).read_text(encoding="utf-8"))
        for column in schema["columns"]:
            value_url = column.get("valueUrl", "")
            if column.get("virtual") or ("{+" + column["name"] + "}" not in value_url
                                         and column.get("datatype") != "anyURI"):
                continue
            for bad in BAD_IRIS:
                def bad_iri(folder: Path, name: str = entry["url"], col: str = column["name"],
                            iri: str = bad) -> tuple[str, int, str]:
                    header, rows = _rows(folder / name)
                    index = header.index(col)
                    number = next(i for i, r in enumerate(rows) if r[index]) if any(r[index] for r in rows) else 0
                    rows[number][index] = iri
                    _write(folder / name, header, rows)
                    return name, number + 2, col
                _attempt("invalid IRI in a cell", bad_iri, results, failures)
    # 4. Each Unicode line break and control character in a random cell of every table.
    for table in tables:
        for char in BREAKS:
            def broken(folder: Path, name: str = table, ch: str = char) -> tuple[str, int, str]:
                header, rows = _rows(folder / name)
                number = rng.randrange(len(rows))
                index = rng.randrange(len(header))
                cell = rows[number][index]
                at = rng.randint(0, len(cell))
                rows[number][index] = cell[:at] + ch + cell[at:]
                _write(folder / name, header, rows)
                return name, number + 2, header[index]
            _attempt("line break or control character in a cell", broken, results, failures)
    kinds = sorted({k.rsplit(" ", 1)[0] for k in results})
    for kind in kinds:
        print(f"{kind}: {results[kind + ' tried']} tried, {results[kind + ' refused']} refused cleanly")
    print(f"total: {sum(v for k, v in results.items() if k.endswith('tried'))} tried, "
          f"{sum(v for k, v in results.items() if k.endswith('refused'))} refused cleanly")
    for failure in failures:
        print("NOT CLEAN:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
