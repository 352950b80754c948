"""Tables as people read them on a terminal: compact names, labels, whole numbers, the width kept.

CSV, TSV and JSON keep full IRIs (tests/test_queries.py); here, the terminal table of every canned
query fits the width it is given, shows no IRI of the data in full, and cuts no number.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg.cli import main
from kg.queries import Catalogue
from kg.tables import DEFAULT_WIDTH, compact_iri, display_width, format_table, terminal_width

CATALOGUE = Catalogue.load()


def test_compact_names() -> None:
    base = "https://w3id.org/kikg/id/"
    assert compact_iri(base + "org/kicox", base=base) == "org/kicox"
    assert compact_iri("https://w3id.org/kikg/def#Ministry", base=base) == "kikg:Ministry"
    assert compact_iri("http://qudt.org/vocab/currency/KRW", base=base) == "cur:KRW"
    assert compact_iri("https://example.org/x", base=base) == "https://example.org/x"
    assert compact_iri("http://www.w3.org/ns/org#a/b", base=base) == "http://www.w3.org/ns/org#a/b"  # not a CURIE


def test_wide_characters_count_twice() -> None:
    lines = format_table(["label"], [["한국산업단지공단 Korea Industrial Complex Corporation"]], width=20)
    assert display_width("한국") == 4
    assert all(display_width(line) <= 20 for line in lines) and lines[2].endswith("…")


def test_numbers_are_never_cut_and_columns_that_do_not_fit_are_named() -> None:
    lines = format_table(["a", "b", "n"], [["x" * 30, "y" * 30, "1234567890"]], width=30, right={2}, whole={2})
    assert all(display_width(line) <= 30 for line in lines)
    assert lines[2].endswith("1234567890")
    lines = format_table(["text", "value"], [["x" * 10, "12345678901234567890"]], width=24, whole={1})
    assert " ".join(lines[3:]) == "(1 more column does not fit in 24 characters: value)"  # wrapped to the width


def test_the_width_comes_from_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "77")
    assert terminal_width() == 77
    monkeypatch.delenv("COLUMNS")

    class Pipe:
        def isatty(self) -> bool:
            return False

    assert terminal_width(Pipe()) == DEFAULT_WIDTH  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(q.name for q in CATALOGUE))
def test_every_canned_query_fits_the_terminal(name: str, built: kg.KnowledgeGraph) -> None:
    result = built.run_query(name)
    text = result.to_text(width=100, limit=None, base=built.base_iri)
    assert all(display_width(line) <= 100 for line in text.splitlines()), text
    assert built.base_iri not in text  # compact names
    numbers = [i for i, v in enumerate(result.variables)
               if any(r[i] is not None for r in result.rows) and all(
                   r[i] is None or (isinstance(r[i], ox.Literal)
                                    and r[i].datatype.value.endswith(("#integer", "#decimal", "#double")))  # type: ignore[union-attr]
                   for r in result.rows)]
    for index in numbers:  # every number that is shown is shown whole
        if result.variables[index] in text.splitlines()[0].split():
            for row in result.rows:
                if row[index] is not None:
                    assert row[index].value in text, (result.variables[index], row[index])  # type: ignore[union-attr]


def test_kg_query_in_a_terminal_of_100_columns(default_trig: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """The three tables the issue measured (691, 437 and 352 characters wide), in 100 columns."""
    data = default_trig
    base = kg.DEFAULT_BASE_IRI
    monkeypatch.setenv("COLUMNS", "100")
    for name in ("entity-facts", "search", "documents"):
        assert main(["query", name, "--data", str(data)]) == 0
        out = capsys.readouterr().out
        assert max(display_width(line) for line in out.splitlines()) <= 100, out
        assert "https://" not in out
        assert "(cut to 100 characters (COLUMNS): --format csv gives whole values)" in out
    assert main(["query", "supervised-bodies", "--data", str(data)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:4] == ["ministry", "body", "link", "start_year"]  # the label stands in for the IRI
    assert out[2].startswith("org/motie  Korea Industrial Co")
    assert out[-1] == "(1 row; labels shown for body: --format csv gives the IRIs)"
    monkeypatch.delenv("COLUMNS")  # a pipe, not a terminal: 120 characters; CSV keeps whole values
    assert main(["query", "entity-facts", "--data", str(data)]) == 0
    assert max(display_width(line) for line in capsys.readouterr().out.splitlines()) == DEFAULT_WIDTH
    assert main(["query", "documents", "--data", str(data), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert base + "document/" in out and "…" not in out
