"""`kg build`: the outputs it writes, their determinism, and what a failed build leaves behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg.cli import main

MINI = Path(__file__).parent / "data" / "mini"
OUTPUTS = ("kg.trig", "kg.nt", "kg.ttl", "void.ttl", "validation-report.ttl", "validation.csv", "reconciliation.csv",
           "centrality.csv", "network.graphml", "network.gexf", "network.png")


def _kg(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=600)


@pytest.fixture(scope="module")
def default_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, kg.BuildSummary]:
    out = tmp_path_factory.mktemp("build")
    summary = kg.run_build(out, formats=(kg.RdfFormat.NQUADS, kg.RdfFormat.JSONLD), reasoning=kg.Reasoning.OFF)
    return out, summary


def test_build_writes_every_output(default_build: tuple[Path, kg.BuildSummary]) -> None:
    out, summary = default_build
    for name in OUTPUTS + ("kg.nq", "kg.jsonld"):
        assert (out / name).is_file(), name
        assert (out / name).stat().st_size > 0, name
    assert {p.stem for p in (out / "queries").glob("*.csv")} == {q.name for q in kg.build().catalogue}
    assert not list(out.glob(".*tmp*")), "temporary files left behind"
    # The shipped data carries the sources' own inconsistencies as warnings: SHACL's verdict is
    # "does not conform", and the build accepts warnings and infos.
    assert not summary.validation.conforms and summary.validation.passes(allow_warnings=True)


def test_trig_keeps_the_named_graphs(default_build: tuple[Path, kg.BuildSummary]) -> None:
    out, summary = default_build
    quads = list(ox.parse(path=str(out / "kg.trig"), format=ox.RdfFormat.TRIG))
    graphs = {q.graph_name.value for q in quads}
    base = summary.graph.base_iri
    assert {base + "graph/ontology", base + "graph/provenance", base + "graph/analysis"} <= graphs
    assert base + "graph/table/entities" in graphs
    reread = kg.read(out / "kg.trig")
    assert reread.triple_counts() == summary.triple_counts


def test_canonical_ntriples_are_sorted_unique_and_without_blank_nodes(default_build: tuple[Path, kg.BuildSummary]) -> None:
    out, summary = default_build
    data = (out / "kg.nt").read_bytes()
    lines = data.split(b"\n")
    assert lines[-1] == b""
    lines = lines[:-1]
    assert lines == sorted(lines)
    assert len(lines) == len(set(lines)) == summary.total_triples
    assert b"_:" not in data
    assert len(list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))) == len(lines)


def test_turtle_and_json_ld_hold_the_same_triples(default_build: tuple[Path, kg.BuildSummary]) -> None:
    out, _ = default_build
    reference = {str(t) for t in ox.parse(path=str(out / "kg.nt"), format=ox.RdfFormat.N_TRIPLES)}
    turtle = {str(t) for t in ox.parse(path=str(out / "kg.ttl"), format=ox.RdfFormat.TURTLE)}
    assert turtle == reference
    jsonld = {str(ox.Triple(q.subject, q.predicate, q.object)) for q in ox.parse(path=str(out / "kg.jsonld"), format=ox.RdfFormat.JSON_LD)}
    assert jsonld == reference
    assert (out / "kg.ttl").read_text(encoding="utf-8").startswith("@prefix ")


def test_void_describes_graphs_classes_and_distributions(default_build: tuple[Path, kg.BuildSummary]) -> None:
    out, summary = default_build
    void = kg.read(out / "void.ttl")
    result = void.sparql("""
        PREFIX void: <http://rdfs.org/ns/void#>
        PREFIX dcat: <http://www.w3.org/ns/dcat#>
        SELECT ?triples (COUNT(DISTINCT ?subset) AS ?graphs) (COUNT(DISTINCT ?distribution) AS ?distributions) WHERE {
            ?dataset a void:Dataset ; void:triples ?triples ; void:subset ?subset ; dcat:distribution ?distribution .
        } GROUP BY ?triples""")
    assert result.loc[0, "triples"] == summary.total_triples
    assert result.loc[0, "graphs"] == len(summary.triple_counts)
    assert result.loc[0, "distributions"] == 5


def test_summary_names_graphs_verdict_and_central_actors(default_build: tuple[Path, kg.BuildSummary]) -> None:
    _, summary = default_build
    text = summary.text()
    assert "Triples per named graph:" in text
    assert "graph/table/entities" in text
    assert "Validation: 0 violations," in text and "sh:conforms false, accepted" in text
    assert "Most central actors" in text
    assert len(summary.top_actors()) == min(5, len(summary.centrality))


def test_two_builds_in_separate_processes_give_byte_identical_ntriples(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    for out, seed in ((first, "1"), (second, "2")):
        run = _kg("build", "--out", str(out), "--no-reason", "-q", env={"PYTHONHASHSEED": seed})
        assert run.returncode == 0, run.stderr
    for name in ("kg.nt", "kg.trig", "kg.ttl", "void.ttl", "validation-report.ttl", "validation.csv", "centrality.csv",
                 "network.png"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_violations_fail_the_build_with_exit_1_and_keep_the_previous_dataset(tmp_path: Path,
                                                                               capsys: pytest.CaptureFixture[str]) -> None:
    mini = tmp_path / "mini"
    shutil.copytree(MINI, mini)
    out = tmp_path / "build"
    assert main(["build", "--sources", str(mini / "csv-metadata.json"), "--out", str(out), "--no-reason", "-q"]) == 0
    previous = (out / "kg.nt").read_bytes()
    # A date that parses but lies outside the years of the domain: a SHACL violation, not bad input.
    things = mini / "things.csv"
    things.write_text(things.read_text(encoding="utf-8") + "thing/three,Three,,,1850-01-01,,thing/one,,a.txt,Nowhere,\n",
                      encoding="utf-8")
    capsys.readouterr()
    assert main(["build", "--sources", str(mini / "csv-metadata.json"), "--out", str(out), "--no-reason", "-q"]) == 1
    error = capsys.readouterr().err
    failed = tmp_path / "build-failed"
    assert "SHACL violations" in error and f"{out} is unchanged" in error and str(failed / "validation.csv") in error
    assert (out / "kg.nt").read_bytes() == previous
    assert "Nowhere" not in (out / "kg.nt").read_text(encoding="utf-8")
    assert "thing/three" not in (out / "validation.csv").read_text(encoding="utf-8")  # the old reports stay
    report = (failed / "validation.csv").read_text(encoding="utf-8")
    assert "thing/three" in report and "source_row" in report.splitlines()[0]


def test_progress_is_silent_when_output_is_not_a_terminal(tmp_path: Path) -> None:
    run = _kg("build", "--sources", str(MINI / "csv-metadata.json"), "--out", str(tmp_path / "b"), "--no-reason")
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert "Triples per named graph" in run.stdout
