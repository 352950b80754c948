"""Run each measured step in a child process of its own: its peak memory is its own, and a step that
takes too long is stopped at its time limit and recorded as a timeout.

The child reports the time of the measured operation itself (``time.perf_counter`` around it, input
loading excluded) as JSON on its last line of output; the peak resident memory of the whole child
comes from ``os.wait4``, the resource usage of that one child (``ru_maxrss``, KiB on Linux).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["StepResult", "run_command", "run_step"]

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class StepResult:
    """What one child process measured."""

    status: str  # "ok", "timeout", "error" or "skipped"
    seconds: float | None = None
    wall: float | None = None
    peak_mib: float | None = None
    timeout: float | None = None
    data: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "seconds": self.seconds, "wall": self.wall, "peak_mib": self.peak_mib,
                "timeout": self.timeout, "data": self.data, "error": self.error}


def run_command(command: list[str], *, timeout: float, cwd: Path = ROOT, env: dict[str, str] | None = None) -> tuple[
        str, str, float, float | None, int | None]:
    """Run ``command``; return (status, stdout, wall seconds, peak MiB, exit code).

    The child gets its own process group, so a timeout stops it and anything it started.
    """
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                               start_new_session=True, text=True)
    # Read the pipes in threads so a chatty child never blocks; wait4 gives this child's rusage.
    import threading

    chunks: dict[str, list[str]] = {"out": [], "err": []}

    def drain(stream: Any, key: str) -> None:
        for line in stream:
            chunks[key].append(line)

    readers = [threading.Thread(target=drain, args=(process.stdout, "out"), daemon=True),
               threading.Thread(target=drain, args=(process.stderr, "err"), daemon=True)]
    for reader in readers:
        reader.start()
    status = "ok"
    deadline = start + timeout
    rusage = None
    code: int | None = None
    while True:
        pid, wait_status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid == process.pid:
            rusage = usage
            code = os.waitstatus_to_exitcode(wait_status)
            process.returncode = code
            break
        if time.perf_counter() > deadline:
            status = "timeout"
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            _, wait_status, rusage = os.wait4(process.pid, 0)
            code = None
            process.returncode = -9
            break
        time.sleep(0.02)
    wall = time.perf_counter() - start
    for reader in readers:
        reader.join(timeout=5)
    peak = rusage.ru_maxrss / 1024 if rusage is not None else None
    if status == "ok" and code != 0:
        status = "error"
        chunks["out"].append("".join(chunks["err"])[-2000:])
    return status, "".join(chunks["out"]), wall, peak, code


def run_step(step: str, *, timeout: float, python: str = sys.executable, **arguments: Any) -> StepResult:
    """Run ``bench.child`` step ``step`` with ``arguments`` in a fresh interpreter."""
    command = [python, "-m", "bench.child", step, json.dumps(arguments)]
    status, out, wall, peak, _ = run_command(command, timeout=timeout)
    lines = [line for line in out.strip().splitlines() if line.startswith("{")]
    if status == "timeout":  # a step that prints as it goes leaves what it finished
        return StepResult("timeout", wall=wall, peak_mib=peak, timeout=timeout,
                          data=json.loads(lines[-1]) if lines else {})
    if status != "ok" or not lines:
        return StepResult("error", wall=wall, peak_mib=peak, error=out.strip()[-1500:],
                          data=json.loads(lines[-1]) if lines else {})
    data = json.loads(lines[-1])
    seconds = data.pop("seconds", None)
    return StepResult("ok", seconds=seconds, wall=wall, peak_mib=peak, data=data)
