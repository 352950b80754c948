"""The `kg` command's surface: help, version, exit codes, and the package as a wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import kg
from kg.cli import build_parser, main

REPO = Path(__file__).resolve().parents[1]
COMMANDS = ["build", "validate", "query", "network", "load", "serve", "docs", "info"]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out.strip() == f"kikg {kg.__version__}"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main([command, "--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: kg {command}")


def test_top_level_help_lists_every_command_and_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in COMMANDS:
        assert command in out
    assert "Exit codes: 0 ok; 1" in " ".join(out.split())


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: kg" in capsys.readouterr().out


def test_unknown_option_exits_2() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["build", "--no-such-option"])
    assert caught.value.code == 2


def test_info_names_versions_and_data(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert f"kikg {kg.__version__}" in out and "pyoxigraph" in out and "canned queries" in out


def test_parser_is_a_thin_layer() -> None:
    """Each command dispatches to one function; none holds logic of its own beyond argument handling."""
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    assert set(subparsers.choices) == set(COMMANDS)  # type: ignore[attr-defined]


def test_debug_shows_the_traceback_that_is_otherwise_hidden(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle", encoding="utf-8")
    quiet = subprocess.run([sys.executable, "-m", "kg.cli", "validate", str(bad)], capture_output=True, text=True)
    assert quiet.returncode == 2 and "Traceback" not in quiet.stderr and quiet.stderr.count("\n") == 1
    loud = subprocess.run([sys.executable, "-m", "kg.cli", "--debug", "validate", str(bad)], capture_output=True, text=True)
    assert "Traceback" in loud.stderr


@pytest.mark.slow
def test_wheel_carries_the_data_files(tmp_path: Path) -> None:
    """A pip user gets the ontology, shapes, queries and source tables: the wheel holds them and
    the package finds them there."""
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                            str(tmp_path / "dist"), str(REPO)], capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr
    wheel = next((tmp_path / "dist").glob("kikg-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    for expected in ("kg/_bundled/ontology/kikg.ttl", "kg/_bundled/shapes/core.ttl", "kg/_bundled/queries/documents.rq",
                     "kg/sources/csv-metadata.json", "kg/sources/entities.csv", "kg/sources/CURATION.md",
                     "kg/sources/schemas/observations.json", "kg/py.typed", "kg/serve/static/index.html"):
        assert expected in names, expected
    code = ("import kg, kg._resources as r; print(r.ONTOLOGY_DIR); g = kg.build(); "
            "print(len(g.dataset) > 1000, len(g.catalogue))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env={"PYTHONPATH": str(tmp_path / "site"), "PATH": ""}, timeout=300)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == str(tmp_path / "site" / "kg" / "_bundled" / "ontology")
    assert lines[1] == f"True {len(list((REPO / 'queries').glob('*.rq')))}"
