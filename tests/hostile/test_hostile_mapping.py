"""Hostile source tables: mapping mistakes and invisible characters are refused, never dropped.

Each folder under ``mapping/`` holds files that replace their namesakes in a copy of the small
table group ``tests/data/mini`` (one attack per folder) and ``expected.txt``: the end of the
one-line error ``kg build`` must print. Every attack must exit 2, name the file and the row and
column (or line and column of a metadata file), and leave the previous build untouched.

A new attack is a new folder; the tests pick it up.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.cli import main

HERE = Path(__file__).parent
MINI = HERE.parent / "data" / "mini"
ATTACKS = sorted(p.name for p in (HERE / "mapping").iterdir() if p.is_dir())


def _attacked(tmp_path: Path, attack: str) -> Path:
    group = tmp_path / "tables"
    shutil.copytree(MINI, group)
    for file in (HERE / "mapping" / attack).iterdir():
        if file.name != "expected.txt":
            shutil.copyfile(file, group / file.name)
    return group / "csv-metadata.json"


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_corpus_has_an_attack_of_each_kind() -> None:
    kinds = {"template-variable", "header-only", "iri", "separator", "nul", "next-line"}
    assert all(any(kind in attack for attack in ATTACKS) for kind in kinds), ATTACKS


@pytest.fixture(scope="module")
def previous_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good build of the small table group, made once; each test works on its own copy."""
    out = tmp_path_factory.mktemp("previous") / "build"
    assert main(["build", "--sources", str(MINI / "csv-metadata.json"), "--out", str(out), "--no-reason", "-q"]) == 0
    return out


@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_is_refused_with_exit_2_naming_where(attack: str, tmp_path: Path, previous_build: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "build"
    shutil.copytree(previous_build, out)
    before = _files(out)
    metadata = _attacked(tmp_path, attack)
    capsys.readouterr()
    code = main(["build", "--sources", str(metadata), "--out", str(out), "--no-reason", "-q"])
    error = capsys.readouterr().err
    expected = (HERE / "mapping" / attack / "expected.txt").read_text(encoding="utf-8").strip()
    assert code == 2, error
    assert error.count("\n") == 1, error
    assert f"{metadata.parent}/{expected}" in error
    assert "Traceback" not in error and "internal error" not in error
    assert _files(out) == before


def test_the_kg_command_refuses_an_attack_as_a_process(tmp_path: Path) -> None:
    """The real ``kg`` process: exit 2, one line on stderr, nothing written."""
    metadata = _attacked(tmp_path, "line-separator-in-a-label")
    out = tmp_path / "build"
    run = subprocess.run([str(Path(sys.executable).parent / "kg"), "build", "--sources", str(metadata),
                          "--out", str(out), "--no-reason", "-q"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip().endswith("remove it (rows end at CR or LF only, and control characters are not "
                                       "allowed in cells)")
    assert "things.csv: row 3, column 'label'" in run.stderr
    assert not out.exists() or _files(out) == {}
