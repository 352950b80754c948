"""Progress of long steps: a bar on a terminal, silence otherwise.

Library functions take a :class:`Progress`; the default, :data:`SILENT`, prints nothing. The CLI
passes a :class:`TerminalProgress` when standard error is a terminal and ``--quiet`` is not given.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol, TextIO

__all__ = ["SILENT", "Progress", "TerminalProgress"]


class Progress(Protocol):
    """Receives the steps of a long operation."""

    def step(self, name: str) -> Any: ...


class _Silent:
    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        yield


SILENT = _Silent()


class TerminalProgress:
    """Shows each step with a spinner-free bar and its duration, on one line per step."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        width = 24
        filled = int(width * self.done / max(self.total, 1))
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {name}...")
        self.stream.flush()
        yield
        self.done += 1
        filled = int(width * self.done / max(self.total, 1))
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {name} ({time.perf_counter() - started:.1f} s)\n")
        self.stream.flush()
