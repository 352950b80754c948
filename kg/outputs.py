"""Writing outputs so that a reader never sees half of them.

* :class:`DirectoryStage` builds a whole directory beside its target and swaps it in with one
  ``rename`` (``renameat2(RENAME_EXCHANGE)`` on Linux): ``kg build`` replaces ``build/`` in one step,
  so ``build/`` is always the whole old build or the whole new one, whatever signal arrives. A
  failed build leaves the target as it was. Debris of killed builds (staging directories, files of
  the older file-by-file stage) is removed by the next build.
* :class:`OutputStage` writes single files into a directory the user owns (``kg network --out``,
  ``kg docs``): each file through an unpredictable temporary name and a rename, all renamed only
  when every file is written.

Temporary names come from :mod:`tempfile` (random, created with ``O_EXCL``, never following a
symbolic link).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Self

__all__ = ["DirectoryStage", "OutputStage", "atomic_write", "exchange"]

_MANIFEST = ".kg-build-files"
"""Lists the entries a build wrote, so the next build knows which entries are not its own."""
_OLD_TEMPORARY = re.compile(r"^\..+\.tmp-\d+(\.[A-Za-z0-9]+)?$")
"""Names of the temporary files of the file-by-file stage of earlier versions."""
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _write_new(path: Path, data: bytes) -> None:
    """Write a new file; fails if anything (a file, a symbolic link) already has the name."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())  # on disk before the directory is swapped in


def exchange(first: Path, second: Path) -> bool:
    """Swap two directory entries in one step (Linux ``renameat2``); ``False`` where not supported."""
    if sys.platform != "linux":
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _sync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class DirectoryStage:
    """A directory staged beside ``target`` and swapped in whole by :meth:`commit`.

    Entries of the old ``target`` that the build does not write and that no earlier build wrote
    (a ``docs/`` folder rendered by ``kg docs``, a user's notes) are carried over as hard links.
    Builds into the same target wait for each other (a lock file beside it).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     with DirectoryStage(Path(d) / "build") as stage:
    ...         _ = stage.write("a.txt", b"one")
    ...     with DirectoryStage(Path(d) / "build") as stage:
    ...         _ = stage.write("a.txt", b"two")
    ...         middle = (Path(d) / "build" / "a.txt").read_text()
    ...     print(middle, (Path(d) / "build" / "a.txt").read_text(), sorted(p.name for p in Path(d).iterdir()))
    one two ['.build.lock', 'build']
    """

    def __init__(self, target: str | Path) -> None:
        self.target = Path(target).absolute()
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self._lock = os.open(self.target.parent / f".{self.target.name}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW,
                             0o666)
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        self.removed_debris = self._remove_debris()
        self.path = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.staging-", dir=self.target.parent))
        self._written: set[str] = set()

    def _remove_debris(self) -> list[Path]:
        parent, name = self.target.parent, self.target.name
        debris = [p for pattern in (f".{name}.staging-*", f".{name}.old-*") for p in parent.glob(pattern)]
        if self.target.is_dir():
            debris += [p for p in self.target.iterdir() if _OLD_TEMPORARY.match(p.name) and p.is_file()]
        for path in debris:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        return debris

    def write(self, name: str, data: bytes) -> Path:
        """Stage ``data`` as ``name`` (a relative path; sub-folders are created)."""
        _write_new(self.path_for(name), data)
        return self.target / name

    def path_for(self, name: str) -> Path:
        """The staged path of ``name``, for a writer that streams a large file to disk itself."""
        path = self.path / name
        if path.resolve().parent != self.path.resolve() and self.path.resolve() not in path.resolve().parents:
            raise ValueError(f"{name!r} is outside the build directory")
        path.parent.mkdir(parents=True, exist_ok=True)
        self._written.add(Path(name).parts[0])
        return path

    def _carry_over(self) -> None:
        if not self.target.is_dir():
            return
        manifest = self.target / _MANIFEST
        earlier = set(manifest.read_text(encoding="utf-8").split("\n")) if manifest.is_file() else set()
        for entry in self.target.iterdir():
            name = entry.name
            if (name in self._written or name in earlier or name == _MANIFEST or name.startswith("kg.")
                    or _OLD_TEMPORARY.match(name)):
                continue
            destination = self.path / name
            if entry.is_dir() and not entry.is_symlink():
                shutil.copytree(entry, destination, symlinks=True, copy_function=_link_or_copy)
            else:
                _link_or_copy(str(entry), str(destination))

    def commit(self) -> list[Path]:
        """Swap the staged directory in for ``target`` in one step; return the files written."""
        written = sorted(self._written)
        _write_new(self.path / _MANIFEST, ("\n".join(written) + "\n").encode())
        self._carry_over()
        umask = os.umask(0)
        os.umask(umask)
        self.path.chmod(0o777 & ~umask)  # mkdtemp made it private
        self._swap_into(self.target)
        files = sorted(p for p in self.target.rglob("*") if p.is_file() and p.parts[len(self.target.parts)] in written)
        self.close()
        return files

    def keep_as(self, elsewhere: str | Path) -> Path:
        """Swap the staged directory in for ``elsewhere`` (a failed build's reports), not the target."""
        place = Path(elsewhere).absolute()
        self._swap_into(place)
        self.close()
        return place

    def _swap_into(self, place: Path) -> None:
        if place.is_dir() and not place.is_symlink():
            if exchange(self.path, place):
                shutil.rmtree(self.path, ignore_errors=True)  # now the old directory
            else:
                aside = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.old-", dir=place.parent))
                os.rename(place, aside / "old")
                os.rename(self.path, place)
                shutil.rmtree(aside, ignore_errors=True)
        else:
            if place.is_symlink() or place.exists():
                place.unlink()
            os.rename(self.path, place)
        _sync_directory(place.parent)

    def discard(self) -> None:
        """Remove the staged directory; the target stays as it was."""
        shutil.rmtree(self.path, ignore_errors=True)
        self.close()

    def close(self) -> None:
        """Release the lock; idempotent."""
        if self._lock >= 0:
            os.close(self._lock)
            self._lock = -1

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()


def _link_or_copy(source: str, destination: str) -> str:
    try:
        os.link(source, destination, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, destination, follow_symlinks=False)
    return destination


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

    def _temporary(self, target: Path) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(descriptor)
        temporary = Path(name)
        self._pending.append((temporary, target))
        return temporary

    def write(self, name: str, data: bytes) -> Path:
        """Stage ``data`` as ``directory/name`` (sub-folders are created)."""
        target = self.directory / name
        temporary = self._temporary(target)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_TRUNC | os.O_NOFOLLOW)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        return target

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
