"""The commands as a user runs them, each against its floor in the same run.

* **Start-up**: ``kg --version`` and ``kg query actor-links`` (after ``kg build``, in the build's
  folder) against ``python -c "import rdflib"``, the floor of any RDF tool in Python. The three run
  in turn, several times, and the median of each is kept.
* **HermiT**: ``kg build`` of the shipped tables with the consistency check, the first time (cold:
  HermiT runs, alongside the other steps) and again on the same data (warm: the result of the last
  consistent check is reused), against ``kg build --no-reason``; also in turn, median of each.

``python -m bench.commands`` prints the figures as JSON; ``python -m bench`` records them in its run.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.runner import run_command

__all__ = ["measure_commands"]

KG = str(Path(sys.executable).parent / "kg")
QUERY = "actor-links"


def _timed(command: list[str], cwd: Path, timeout: float) -> dict[str, Any]:
    status, out, wall, peak, _ = run_command(command, timeout=timeout, cwd=cwd)
    if status != "ok":
        raise RuntimeError(f"{' '.join(command)}: {status}: {out[-500:]}")
    return {"seconds": wall, "peak_mib": peak}


def _median(samples: list[dict[str, Any]]) -> dict[str, Any]:
    seconds = [s["seconds"] for s in samples]
    return {"seconds": statistics.median(seconds), "samples": seconds,
            "peak_mib": max(s["peak_mib"] or 0 for s in samples)}


def measure_commands(*, repeat: int = 7, builds: int = 3, timeout: float = 600) -> dict[str, Any]:
    """Start-up and build figures (medians of ``repeat`` and ``builds`` runs), each with its floor."""
    folder = Path(tempfile.mkdtemp(prefix="kikg-bench-commands-"))
    try:
        _timed([KG, "build", "--out", "build", "--quiet"], folder, timeout)  # the build kg query reads
        runs: dict[str, list[dict[str, Any]]] = {"floor": [], "version": [], "query": []}
        commands = {"floor": [sys.executable, "-c", "import rdflib"], "version": [KG, "--version"],
                    "query": [KG, "query", QUERY]}
        for _ in range(repeat):
            for name, command in commands.items():
                runs[name].append(_timed(command, folder, timeout))
        startup = {name: _median(samples) for name, samples in runs.items()}
        builds_run: dict[str, list[dict[str, Any]]] = {"without": [], "cold": [], "warm": []}
        for number in range(builds):
            out = f"build-{number}"
            builds_run["without"].append(_timed([KG, "build", "--out", "plain", "--no-reason", "--quiet"], folder,
                                                timeout))
            builds_run["cold"].append(_timed([KG, "build", "--out", out, "--reason", "--quiet"], folder, timeout))
            builds_run["warm"].append(_timed([KG, "build", "--out", out, "--reason", "--quiet"], folder, timeout))
        build = {name: _median(samples) for name, samples in builds_run.items()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"startup": startup, "query": QUERY, "build": build}


if __name__ == "__main__":
    print(json.dumps(measure_commands(), indent=1))
