"""A persistent Oxigraph store beside a dataset file, so that a command reading ``build/kg.trig`` opens
it in milliseconds instead of parsing it every time.

The store lives in a hidden folder beside the file (``build/.kg.trig.oxigraph``) with a stamp of the
file it holds (size, modification time, inode, base IRI and pyoxigraph version). It is used only while
the stamp matches the file; otherwise the file is read as usual and the store made again. A store is
written in a folder of its own and renamed into place, never changed afterwards, so a reader never
sees a half-written one; where the folder cannot be written the file is simply read each time.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "kg.trig").write_text('<http://ex/a> <http://ex/p> "x" .\\n')
>>> len(read_cached(folder / "kg.trig")), cache_path(folder / "kg.trig").is_dir()
(1, True)
>>> len(read_cached(folder / "kg.trig"))  # now from the store
1
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from pathlib import Path

import pyoxigraph as ox

from kg.dataset import Dataset
from kg.errors import LiteralFormWarning
from kg.graphs import DEFAULT_BASE_IRI

__all__ = ["cache_path", "read_cached", "write_cache"]

_STAMP = "kikg-stamp.json"


def cache_path(path: str | Path) -> Path:
    """Where the store of the dataset file ``path`` is kept."""
    path = Path(path)
    return path.with_name(f".{path.name}.oxigraph")


def _stamp(path: Path, base_iri: str) -> dict[str, object]:
    status = path.stat()
    return {"file": path.name, "size": status.st_size, "mtime_ns": status.st_mtime_ns, "inode": status.st_ino,
            "base_iri": base_iri, "pyoxigraph": ox.__version__}


def read_cached(path: str | Path, *, base_iri: str = DEFAULT_BASE_IRI) -> Dataset:
    """The dataset of the file ``path``: from its store when that is up to date (read-only), otherwise
    read from the file (:meth:`Dataset.from_file`) and stored for the next time.

    Raises
    ------
    InputError
        As :meth:`Dataset.from_file`, for a file that cannot be read.
    """
    path = Path(path)
    cache = cache_path(path)
    try:
        stamp = _stamp(path, base_iri)
        saved = json.loads((cache / _STAMP).read_text(encoding="utf-8"))
        if saved.get("stamp") == stamp:
            dataset = Dataset(base_iri=base_iri, store=ox.Store.read_only(str(cache)))
            if saved.get("literal_warning"):  # said again: the store holds the canonical forms
                warnings.warn(saved["literal_warning"], LiteralFormWarning, stacklevel=2)
            return dataset
    except (OSError, ValueError):
        pass  # no store, an old one, or an unreadable one: read the file
    dataset = Dataset.from_file(path, base_iri=base_iri)
    write_cache(dataset, path, base_iri=base_iri)
    return dataset


def write_cache(dataset: Dataset, path: str | Path, *, base_iri: str = DEFAULT_BASE_IRI) -> Path | None:
    """Store ``dataset``, the content of the file ``path``, beside it; return the store's folder, or
    None where it cannot be written (the file is then read each time)."""
    path = Path(path)
    cache = cache_path(path)
    temporary = cache.with_name(f"{cache.name}.tmp-{os.getpid()}")
    try:
        stamp = _stamp(path, base_iri)  # before copying: a file changed meanwhile gets a new store next time
        shutil.rmtree(temporary, ignore_errors=True)
        store = ox.Store(str(temporary))
        store.bulk_extend(dataset.store)
        store.flush()
        del store  # closes the database
        rewritten = dataset.rewritten_literals
        said = rewritten.message(path) if rewritten.count else None
        (temporary / _STAMP).write_text(json.dumps({"stamp": stamp, "literal_warning": said}), encoding="utf-8")
        if cache.exists():
            old = cache.with_name(f"{cache.name}.old-{os.getpid()}")
            os.replace(cache, old)
            os.replace(temporary, cache)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(temporary, cache)
    except OSError:
        shutil.rmtree(temporary, ignore_errors=True)
        return None
    return cache
