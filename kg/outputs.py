"""Writing files atomically: every output of a run is written to a temporary file first, and all
are renamed into place only when the whole run has succeeded. A failed run leaves the previous
outputs as they were.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType
from typing import Self

__all__ = ["OutputStage", "atomic_write"]


def atomic_write(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    with OutputStage(Path(path).parent) as stage:
        stage.write(Path(path).name, data)
    return Path(path)


class OutputStage:
    """Collects files to write into ``directory`` and renames them into place on success.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     with OutputStage(d) as stage:
    ...         _ = stage.write("a.txt", b"hello")
    ...     print((Path(d) / "a.txt").read_text())
    hello
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self._pending: list[tuple[Path, Path]] = []

    def write(self, name: str, data: bytes) -> Path:
        """Stage ``data`` as ``directory/name`` (sub-folders are created)."""
        target = self.directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        temporary.write_bytes(data)
        self._pending.append((temporary, target))
        return target

    def path_for(self, name: str) -> tuple[Path, Path]:
        """A temporary path to hand to a writer that wants a file name; staged like :meth:`write`."""
        target = self.directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}{target.suffix}")
        self._pending.append((temporary, target))
        return temporary, target

    def commit(self) -> list[Path]:
        """Rename every staged file into place."""
        done = []
        for temporary, target in self._pending:
            os.replace(temporary, target)
            done.append(target)
        self._pending.clear()
        return done

    def discard(self) -> None:
        """Remove the staged files."""
        for temporary, _ in self._pending:
            temporary.unlink(missing_ok=True)
        self._pending.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()
