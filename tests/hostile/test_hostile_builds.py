"""Issue #13 item 5: `build/` is the whole old build or the whole new one, whatever happens.

Real `kg build` processes are interrupted (SIGINT, with SIGINT ignored by the parent as a shell
script's background job has it) and killed (SIGKILL) while they write; the output directory is
then compared, file by file, with the old build and with a clean new one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.cli import main

pytestmark = pytest.mark.slow

MINI = Path(__file__).parent.parent / "data" / "mini"
COMPARED = ("kg.trig", "kg.nt", "kg.ttl", "void.ttl", "validation.csv", "centrality.csv", "network.png",
            "queries/documents.csv")


def _snapshot(out: Path) -> dict[str, str]:
    return {name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in COMPARED if (out / name).exists()}


def _build(sources: Path, out: Path) -> None:
    assert main(["build", "--sources", str(sources / "csv-metadata.json"), "--out", str(out), "--no-reason", "-q"]) == 0


@pytest.fixture
def two_versions(tmp_path: Path) -> tuple[Path, Path, dict[str, str], dict[str, str]]:
    """Sources before and after a change of one label, the old build in `build/`, and both snapshots."""
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(MINI, old)
    shutil.copytree(MINI, new)
    things = new / "things.csv"
    things.write_text(things.read_text(encoding="utf-8").replace("thing/two,Two,", "thing/two,Deux,"), encoding="utf-8")
    reference = tmp_path / "reference"
    _build(new, reference)
    out = tmp_path / "build"
    _build(old, out)
    before, after = _snapshot(out), _snapshot(reference)
    assert before != after and set(before) == set(COMPARED)
    return new, out, before, after


def _interrupt_while_writing(sources: Path, out: Path, signum: int) -> int:
    """Start `kg build`, send ``signum`` as soon as its staging directory appears; the exit code."""
    # Start kg with SIGINT ignored, as `cmd &` in a shell script does; the disposition survives exec.
    start = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
             "os.execv(sys.executable, [sys.executable, '-m', 'kg.cli', *sys.argv[1:]])")
    process = subprocess.Popen([sys.executable, "-c", start, "build", "--sources", str(sources / "csv-metadata.json"),
                                "--out", str(out), "--no-reason", "-q"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300
        while not list(out.parent.glob(f".{out.name}.staging-*")) and process.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.002)
        process.send_signal(signum)
        return process.wait(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_a_signal_while_writing_leaves_build_whole(two_versions: tuple[Path, Path, dict[str, str], dict[str, str]],
                                                   signum: int) -> None:
    sources, out, before, after = two_versions
    code = _interrupt_while_writing(sources, out, signum)
    state = _snapshot(out)
    assert state in (before, after), "build/ mixes two builds"
    if signum == signal.SIGINT:
        assert code in (130, 0)  # 0 only if the build had already swapped build/ in
        assert code == 130 or state == after
    else:
        assert code == -signal.SIGKILL
    _build(sources, out)  # the next build cleans up what the killed one left
    assert _snapshot(out) == after
    assert not list(out.parent.glob(f".{out.name}.staging-*")) and not list(out.parent.glob(f".{out.name}.old-*"))


def test_debris_of_old_builds_is_removed_and_other_files_are_kept(
        two_versions: tuple[Path, Path, dict[str, str], dict[str, str]]) -> None:
    sources, out, _, after = two_versions
    (out / ".kg.trig.tmp-4242").write_bytes(b"half a file")  # what the file-by-file stage left when killed
    (out / ".queries").mkdir()
    stale = out.parent / f".{out.name}.staging-abc123"
    stale.mkdir()
    (stale / "kg.nt").write_bytes(b"half")
    (out / "docs").mkdir()
    (out / "docs" / "index.html").write_text("rendered by kg docs", encoding="utf-8")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    _build(sources, out)
    assert _snapshot(out) == after
    assert not (out / ".kg.trig.tmp-4242").exists() and not stale.exists()
    assert (out / "docs" / "index.html").read_text(encoding="utf-8") == "rendered by kg docs"
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_symlinked_staging_name_is_never_followed(tmp_path: Path) -> None:
    """Temporary names are random and created exclusively: a planted link is removed, never written through."""
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep", encoding="utf-8")
    out = tmp_path / "build"
    planted = tmp_path / ".build.staging-planted"
    os.symlink(tmp_path, planted)
    _build(MINI, out)
    assert target.read_text(encoding="utf-8") == "keep" and not planted.is_symlink()
    assert (out / "kg.nt").is_file()
