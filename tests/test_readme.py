"""The README's examples run: its `sh` blocks in a shell and its `python` blocks in one namespace,
in a fresh directory, in the order they appear. `console` blocks show output or need a server; they
are illustrations and are not run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(README.read_text(encoding="utf-8")) if lang == language]


def test_readme_opens_with_the_two_commands() -> None:
    first = BLOCK.findall(README.read_text(encoding="utf-8"))[0][1]
    assert first.splitlines()[0].startswith("make run") and first.splitlines()[1].startswith("make test")


@pytest.mark.slow
def test_readme_examples_run(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    shell = _blocks("sh")
    python = _blocks("python")
    assert shell and python
    for block in shell:
        run = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=tmp_path, env=env, capture_output=True,
                             text=True, timeout=600)
        assert run.returncode == 0, f"{block}\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}"
    namespace: dict[str, object] = {}
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        for block in python:
            exec(compile(block, str(README), "exec"), namespace)  # noqa: S102 - the README's own examples
    finally:
        os.chdir(cwd)
    # The tours write under build/ only (and the lock file of kg build beside it, ignored by git), so
    # that following them leaves the checkout clean.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".build.lock", "build"]


def test_servers_in_the_readme_use_distinct_ports() -> None:
    """Following the tours one after the other starts `kg serve` and `oxigraph serve`: each on its own port."""
    text = README.read_text(encoding="utf-8")
    ports = re.findall(r"kg serve --port (\d+)", text) + re.findall(r"oxigraph serve .*?--bind [\d.]+:(\d+)", text)
    assert len(ports) >= 2 and len(set(ports)) == len(ports), ports
