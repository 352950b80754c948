"""Start-up: the commands a user runs often load only what they use (no timing here: the ratios
against ``python -c "import rdflib"`` are measured by ``python -m bench.startup``), and ``kg query``
opens the store kept beside ``build/kg.trig`` instead of parsing the file again."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kg
from kg.dataset import Dataset
from kg.store_cache import cache_path, read_cached, write_cache

HEAVY = ("pandas", "networkx", "scipy", "matplotlib", "pyshacl", "owlready2", "igraph")


def _loaded_after(code: str, cwd: Path) -> list[str]:
    """The heavy libraries whose code ran in a fresh interpreter after ``code`` (a library that is
    only registered for a lazy import, kg._lazy, has not run)."""
    probe = code + f"""
import json, sys, types
print(json.dumps(sorted(n for n in {HEAVY!r} if type(sys.modules.get(n)) is types.ModuleType)))"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=cwd, check=True)
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_version_loads_no_heavy_library(tmp_path: Path) -> None:
    code = """import contextlib, io, kg.cli
with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):
    kg.cli.main(["--version"])"""
    assert _loaded_after(code, tmp_path) == []


def test_query_loads_no_heavy_library(tmp_path: Path, default_trig: Path) -> None:
    (tmp_path / "build").mkdir()
    shutil.copy(default_trig, tmp_path / "build" / "kg.trig")
    code = """import contextlib, io, kg.cli
with contextlib.redirect_stdout(io.StringIO()):
    assert kg.cli.main(["query", "documents"]) == 0"""
    assert _loaded_after(code, tmp_path) == []


def test_query_opens_the_store_kept_beside_the_build(tmp_path: Path, default_trig: Path,
                                                     default_graph: kg.KnowledgeGraph) -> None:
    build = tmp_path / "build"
    build.mkdir()
    shutil.copy(default_trig, build / "kg.trig")
    write_cache(default_graph.dataset, build / "kg.trig")  # as kg build does, from the graph it wrote
    expected = default_graph.run_query("documents").to_delimited()
    run = [sys.executable, "-m", "kg.cli", "query", "documents", "--format", "csv"]
    first = subprocess.run(run, capture_output=True, text=True, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout == expected
    # The store holds exactly what the file holds.
    from_store = read_cached(build / "kg.trig")
    assert sorted(map(str, from_store.quads())) == sorted(map(str, Dataset.from_file(build / "kg.trig").quads()))
    with pytest.raises(RuntimeError, match="read-write"):  # opened read-only: nothing can change it by mistake
        from_store.store.clear()


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "kg.trig"
    path.write_text('<http://ex/a> <http://ex/p> "one" .\n', encoding="utf-8")
    assert [q.object.value for q in read_cached(path).quads()] == ["one"]
    assert cache_path(path).is_dir()
    path.write_text('<http://ex/a> <http://ex/p> "two" .\n<http://ex/b> <http://ex/p> "2" .\n', encoding="utf-8")
    assert sorted(q.object.value for q in read_cached(path).quads()) == ["2", "two"]
    assert sorted(q.object.value for q in read_cached(path).quads()) == ["2", "two"]  # from the new store
