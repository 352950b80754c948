"""``kg network``: projections, metrics, engines, files, and exit codes with one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from test_network_support import iri, write_fixture_dataset

from kg.cli import main
from kg.network import BIPARTITE_QUERY, COLLABORATION_QUERY


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Work in an empty directory, so that no build/kg.trig of the checkout is picked up; print whole lines.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COLUMNS", raising=False)
    return write_fixture_dataset(tmp_path / "fixture.trig")


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["network", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_prints_the_top_actors(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "--data", str(data), "--top", "3")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("8 nodes, 8 edges (collaboration projection; engine igraph); top 3 by betweenness")
    assert lines[1].split()[:3] == ["rank", "label", "type"]
    rows = [line for line in lines[3:] if not line.startswith("(cut to")]
    assert len(rows) == 4 and rows[-1] == "(5 actors with betweenness 0 left out)"
    assert [row.split()[:2] for row in rows[:3]] == [["1", "KICOX"], ["1", "MOTIE"], ["3", "Samsung"]]


def test_actors_scoring_0_are_left_out_and_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """The default graph: most actors are isolated (betweenness 0); asking for 15 shows the brokers only."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COLUMNS", raising=False)
    code, out, _ = _run(capsys, "--top", "15", "--metrics", "betweenness,degree")
    lines = out.splitlines()
    shown = int(lines[0].split("top ")[1].split()[0])
    assert code == 0 and 0 < shown < 15
    rows = lines[3:3 + shown]
    assert all(float(row.split()[-2]) > 0 for row in rows), rows
    nodes = int(lines[0].split()[0])
    assert lines[3 + shown] == f"({nodes - shown} actors with betweenness 0 left out)"


def test_default_data_is_the_shipped_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = _run(capsys, "--metrics", "degree,pagerank", "--top", "0")
    assert code == 0 and "nodes" in out and "top 0 by degree" in out


@pytest.mark.parametrize("projection", ["directed", "bipartite", "actors-via-policies"])
def test_projections(data: Path, capsys: pytest.CaptureFixture[str], projection: str) -> None:
    code, out, _ = _run(capsys, "--data", str(data), "--projection", projection, "--metrics", "degree")
    assert code == 0 and f"({projection} projection;" in out


def test_writes_the_files(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "out"
    code, out, _ = _run(capsys, "--data", str(data), "--out", str(out_dir))
    assert code == 0 and "Wrote centrality.csv, network.gexf, network.graphml, network.png" in out
    assert sorted(p.name for p in out_dir.iterdir()) == ["centrality.csv", "network.gexf", "network.graphml", "network.png"]
    frame = pd.read_csv(out_dir / "centrality.csv")
    assert frame.loc[frame["actor"] == iri("org/kicox"), "betweenness_rank"].item() == 1
    assert nx.read_graphml(out_dir / "network.graphml").nodes[iri("org/motie")]["label"] == "MOTIE"
    assert nx.read_gexf(out_dir / "network.gexf").number_of_edges() == 8
    assert (out_dir / "network.png").read_bytes().startswith(b"\x89PNG")


def test_writes_only_the_chosen_files_quietly(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "only"
    code, out, err = _run(capsys, "--data", str(data), "--out", str(out_dir), "--output", "csv", "--output", "gexf", "-q")
    assert code == 0 and out == "" and err == ""
    assert sorted(p.name for p in out_dir.iterdir()) == ["centrality.csv", "network.gexf"]


def test_engines_give_the_same_table(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tables = []
    for engine in ("networkx", "igraph"):
        code, out, _ = _run(capsys, "--data", str(data), "--engine", engine, "--out", str(tmp_path / engine),
                            "--output", "csv", "--metrics", "degree,betweenness,closeness,eigenvector,pagerank,core_number")
        assert code == 0 and f"engine {engine}" in out
        tables.append(pd.read_csv(tmp_path / engine / "centrality.csv"))
    pd.testing.assert_frame_equal(tables[0], tables[1], rtol=0, atol=1e-9)


def test_approximate_betweenness(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--data", str(data), "--metrics", "betweenness,degree", "--betweenness-samples", "4")
    assert code == 0 and "top 3 by betweenness_approx:" in out
    assert out.splitlines()[1].split() == ["rank", "label", "type", "betweenness_approx", "degree"]
    assert out.splitlines()[-1] == "(5 actors with betweenness_approx 0 left out)"


def test_sort_by_another_metric(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--data", str(data), "--sort", "pagerank", "--top", "1")
    assert code == 0 and "top 1 by pagerank" in out and out.splitlines()[3].split()[1] == "MOTIE"


def test_show_query(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "--show-query")[1] == COLLABORATION_QUERY
    assert _run(capsys, "--show-query", "--projection", "bipartite")[1] == BIPARTITE_QUERY
    own = tmp_path / "own.rq"
    own.write_text("SELECT ?source ?target ?type WHERE { ?source <https://w3id.org/kikg/def#supervises> ?target "
                   "BIND ('supervision' AS ?type) }", encoding="utf-8")
    assert _run(capsys, "--show-query", "--query-file", str(own))[1] == own.read_text(encoding="utf-8")


def test_own_query_file(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    own = tmp_path / "own.rq"
    own.write_text("PREFIX kikg: <https://w3id.org/kikg/def#>\nSELECT ?source ?target ?type WHERE {\n"
                   "  ?r kikg:relationSubject ?source ; kikg:relation kikg:supervises ; kikg:relationObject ?target .\n"
                   "  BIND ('supervision' AS ?type)\n}\n", encoding="utf-8")
    code, out, _ = _run(capsys, "--data", str(data), "--query-file", str(own), "--metrics", "degree")
    assert code == 0 and "8 nodes, 2 edges (collaboration projection, own query" in out


# -- errors: exit code 2 and one line ------------------------------------------------------------------


def _bad_file(tmp_path: Path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (lambda t: ["--query-file", str(t / "missing.rq")], "missing.rq: cannot read the projection query: No such file"),
        (lambda t: ["--query-file", _bad_file(t, "syntax.rq", b"SELECT ?source\nWHERE { ?s ?p\n FILTER( }")],
         "syntax.rq: line 3, column"),
        (lambda t: ["--query-file", _bad_file(t, "construct.rq", b"CONSTRUCT WHERE { ?s ?p ?o }")],
         "construct.rq: a projection query must be a SELECT query"),
        (lambda t: ["--query-file", _bad_file(t, "vars.rq", b"SELECT ?source WHERE { ?source ?p ?o }")],
         "vars.rq: the projection query must select ?target, ?type"),
        (lambda t: ["--query-file", _bad_file(t, "latin1.rq", "SELECT ?é".encode("latin-1"))],
         "latin1.rq: cannot read the projection query"),
        (lambda t: ["--query-file", _bad_file(t, "update.rq", b"DELETE WHERE { ?s ?p ?o }")], "DELETE is not allowed"),
        (lambda t: ["--metrics", "degree,closenes"], "--metrics: unknown metric 'closenes'"),
        (lambda t: ["--metrics", ","], "--metrics: unknown metric (none given)"),
        (lambda t: ["--output", "csv"], "--output chooses the files written with --out"),
        (lambda t: ["--top", "-1"], "--top must be 0 or more"),
        (lambda t: ["--betweenness-samples", "1"], "betweenness_samples must be an integer of at least 2"),
        (lambda t: ["--metrics", "degree", "--sort", "pagerank"], "--sort pagerank: that metric was not computed"),
    ],
)
def test_bad_input_exits_2_with_one_line(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         arguments, message: str) -> None:  # type: ignore[no-untyped-def]
    code, _out, err = _run(capsys, "--data", str(data), *arguments(tmp_path))
    assert code == 2
    assert err.startswith("kg network: error: ") and err.count("\n") == 1, err
    assert message in err
    assert not (tmp_path / "network.png").exists()


def test_igraph_engine_without_igraph_exits_2(data: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "igraph", None)
    code, _, err = _run(capsys, "--data", str(data), "--engine", "igraph")
    assert code == 2 and "pip install igraph" in err and err.count("\n") == 1
    code, out, _ = _run(capsys, "--data", str(data), "--top", "1")  # the default falls back to NetworkX
    assert code == 0 and "engine networkx" in out


def test_unknown_choice_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["network", "--engine", "turbo"])
    assert exit_.value.code == 2 and "invalid choice: 'turbo'" in capsys.readouterr().err


def test_a_real_process_exits_2_without_traceback(data: Path, tmp_path: Path) -> None:
    query = tmp_path / "broken.rq"
    query.write_text("SELECT ?source ?target ?type WHERE { ?source ?p }", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "kg.cli", "network", "--data", str(data), "--query-file", str(query)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith(f"kg network: error: {query}: line 1, column") and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr and done.stdout == ""
