"""The benchmark's own rules (bench/): a generator shaped like the shipped tables, rows compared as
multisets with numbers normalised, and no ratio (so no verdict) where a side did not finish."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import rdflib

from bench.generate import generate, shipped_shape, table_shape
from bench.report import _ratio, query_totals, write_section
from bench.rows import compare, write_rows


def test_generated_tables_have_the_shipped_rows_per_entity(tmp_path: Path) -> None:
    generate(tmp_path, entities=2000, seed=3)
    shipped, made = shipped_shape(), table_shape(tmp_path)
    off = {t: round(made[t] / share, 2) for t, share in shipped.items() if share and abs(made[t] / share - 1) > 0.25}
    assert off == {}


def test_rows_are_compared_as_multisets_with_numbers_normalised(tmp_path: Path) -> None:
    xsd = "http://www.w3.org/2001/XMLSchema#"
    ours = [[ox.NamedNode("http://ex/a"), ox.Literal("46", datatype=ox.NamedNode(xsd + "integer"))]] * 2
    same = [[rdflib.URIRef("http://ex/a"), rdflib.Literal("46.0", datatype=rdflib.XSD.decimal)]] * 2
    write_rows(tmp_path / "ours.tsv", ours)
    write_rows(tmp_path / "same.tsv", same)
    write_rows(tmp_path / "once.tsv", same[:1])
    write_rows(tmp_path / "unbound.tsv", [[rdflib.URIRef("http://ex/a"), None]] * 2)
    assert compare(tmp_path / "ours.tsv", tmp_path / "same.tsv")["same"]
    once = compare(tmp_path / "ours.tsv", tmp_path / "once.tsv")  # the same set, not the same multiset
    assert not once["same"] and once["only_toolkit"] == 1 and once["only_peer"] == 0
    unbound = compare(tmp_path / "ours.tsv", tmp_path / "unbound.tsv")
    assert not unbound["same"] and unbound["examples_peer"] == ["<http://ex/a>\tUNDEF"]


def test_no_ratio_where_a_side_did_not_finish() -> None:
    done = {"status": "ok", "seconds": 2.0}
    stopped = {"status": "timeout", "seconds": None, "timeout": 60.0}
    assert _ratio(done, {"status": "ok", "seconds": 0.5}, slow_name="peer", fast_name="toolkit") == (4.0, "4.00×")
    assert _ratio(stopped, done, slow_name="peer", fast_name="toolkit") == (None, "no ratio: peer did not finish in 60 s")
    assert _ratio(done, stopped, slow_name="peer", fast_name="toolkit")[0] is None
    scale = {"queries-toolkit": {"status": "ok", "data": {"queries": {
                 "a": {"status": "ok", "seconds": 1.0}, "b": {"status": "timeout", "seconds": 60.0},
                 "c": {"status": "ok", "seconds": 1.0}}}},
             "queries-rdflib": {"status": "ok", "data": {"queries": {
                 "a": {"status": "ok", "seconds": 10.0}, "b": {"status": "ok", "seconds": 1.0},
                 "c": {"status": "ok", "seconds": 1.0}},
                 "compared": {"a": {"same": True}, "c": {"same": False}}}}}
    totals = query_totals(scale, "rdflib")
    assert totals is not None
    # b: the toolkit did not finish; c: the rows differ. Both are out of both sums, and named.
    assert totals["same"] == ["a"] and totals["ratio"] == 10.0
    assert totals["toolkit_out"] == ["b"] and totals["differ"] == ["c"]


def test_report_sections_keep_each_other(tmp_path: Path) -> None:
    path = tmp_path / "results.md"
    write_section(path, "bench", "first")
    write_section(path, "virtuoso", "theirs")
    write_section(path, "bench", "second")
    text = path.read_text()
    assert "second" in text and "first" not in text and "theirs" in text
    assert text.index("second") < text.index("theirs")
