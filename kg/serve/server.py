"""Starting and stopping ``kg serve``: the store in a temporary directory, the Oxigraph server on an
internal port, and the front server (uvicorn) on the public one.

The temporary directory has an unpredictable name (``tempfile.mkdtemp``, mode 0700) and holds a
lock file that the running server keeps locked. A server killed with ``SIGKILL`` cannot remove its
directory, and its Oxigraph server dies with it (:mod:`kg._sandbox`); the next ``kg serve``
removes such directories, whose locks nobody holds any more.

Examples
--------
>>> import urllib.request
>>> import kg
>>> from kg.serve import serve
>>> with serve(kg.build().dataset) as server:
...     page = urllib.request.urlopen(server.url).read()
>>> b"<textarea" in page
True
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import shutil
import socket
import stat
import tempfile
import threading
import time
import weakref
from pathlib import Path
from types import TracebackType
from typing import Self

import uvicorn
from starlette.types import ASGIApp

from kg.dataset import Dataset
from kg.errors import KGError, UsageError
from kg.graphs import DEFAULT_BASE_IRI
from kg.queries import Catalogue
from kg.serve.front import Limits, create_app, protocol_with_header_timeout
from kg.serve.oxigraph import DEFAULT_MEMORY_LIMIT, Backend, create_store

__all__ = ["Limits", "Server", "remove_stale_stores", "serve"]

_PREFIX = "kg-serve-"
_LOCK = "lock"
_UNLOCKED_GRACE = 600.0
"""Seconds after which a directory without a lock file (an older kg serve's) counts as stale."""


class Server:
    """A running ``kg serve``: use :func:`serve` to start one; stop it with :meth:`stop` or ``with``."""

    def __init__(self, listener: socket.socket, backend: Backend, workdir: Path, lock: int, *, app: ASGIApp,
                 limits: Limits, triples: int, graphs: int) -> None:
        self._backend = backend
        self.workdir = workdir
        """The temporary directory holding the store; removed by :meth:`stop`."""
        self.triples = triples
        self.graphs = graphs
        self.limits = limits
        self._port = int(listener.getsockname()[1])
        self._stopped = threading.Event()
        config = uvicorn.Config(
            app, http=protocol_with_header_timeout(limits.header_seconds), lifespan="on", log_level="critical",
            access_log=False, timeout_keep_alive=int(max(1, limits.keep_alive_seconds)),
            limit_concurrency=limits.connections, backlog=limits.backlog, timeout_graceful_shutdown=2,
        )
        self._uvicorn = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._uvicorn.run, kwargs={"sockets": [listener]},
                                        name="kg-serve", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._uvicorn.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        # Clean up even when the handle is dropped without stop() (a notebook, an interpreter exit).
        self._finalizer = weakref.finalize(self, _cleanup, self._uvicorn, self._thread, listener, backend, workdir,
                                           lock)
        if not self._uvicorn.started:
            self.stop()
            raise KGError("the kg serve front server did not start")

    @property
    def port(self) -> int:
        """The public port on 127.0.0.1."""
        return self._port

    @property
    def url(self) -> str:
        """The query page."""
        return f"http://127.0.0.1:{self.port}/"

    @property
    def query_url(self) -> str:
        """The read-only SPARQL 1.1 query endpoint."""
        return f"http://127.0.0.1:{self.port}/query"

    @property
    def running(self) -> bool:
        """Whether the server has not been stopped."""
        return not self._stopped.is_set()

    @property
    def backend_restarts(self) -> int:
        """How often the Oxigraph server was killed and started again (queries over the time limit)."""
        return self._backend.restarts

    def stop(self) -> None:
        """Stop both servers and remove the temporary store; idempotent."""
        self._stopped.set()
        self._finalizer()

    def wait(self) -> None:
        """Block until :meth:`stop` is called (signals still reach the main thread)."""
        while not self._stopped.wait(0.5):
            pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<Server {self.url} {'running' if self.running else 'stopped'}>"


def _cleanup(front: uvicorn.Server, thread: threading.Thread, listener: socket.socket, backend: Backend,
             workdir: Path, lock: int) -> None:
    front.should_exit = True
    thread.join(timeout=10)
    listener.close()
    backend.stop()
    shutil.rmtree(workdir, ignore_errors=True)
    os.close(lock)


def _listen(port: int, backlog: int) -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(backlog)
    except OSError as exc:
        listener.close()
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
            raise UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror} (choose another --port; "
                             "0 picks a free one)") from None
        raise
    return listener


def _locked_workdir() -> tuple[Path, int]:
    """A new temporary directory with a lock file that stays locked while this server runs."""
    workdir = Path(tempfile.mkdtemp(prefix=_PREFIX))
    staging = workdir / f".{_LOCK}"
    descriptor = os.open(staging, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    os.write(descriptor, f"{os.getpid()}\n".encode())
    os.rename(staging, workdir / _LOCK)  # the lock file appears already locked
    return workdir, descriptor


def remove_stale_stores(directory: str | Path | None = None) -> list[Path]:
    """Remove the temporary stores of ``kg serve`` processes that are gone; return what was removed.

    A directory counts as stale when its lock file is not locked by anyone (its server was
    killed), or, for directories without a lock file, when it is older than ten minutes. Only
    directories of this user are touched, and symbolic links never followed.
    """
    parent = Path(directory or tempfile.gettempdir())
    removed = []
    for candidate in sorted(parent.glob(f"{_PREFIX}*")):
        try:
            info = candidate.lstat()
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            continue
        try:
            descriptor = os.open(candidate / _LOCK, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            if time.time() - info.st_mtime > _UNLOCKED_GRACE:
                shutil.rmtree(candidate, ignore_errors=True)
                removed.append(candidate)
            continue
        except OSError:
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a running kg serve holds it
        else:
            shutil.rmtree(candidate, ignore_errors=True)
            removed.append(candidate)
        finally:
            os.close(descriptor)
    return removed


def serve(
    source: str | Path | Dataset,
    *,
    port: int = 0,
    base_iri: str = DEFAULT_BASE_IRI,
    query_timeout: float = 60.0,
    max_answer_bytes: int = Limits.answer_bytes,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
    catalogue: Catalogue | None = None,
    limits: Limits | None = None,
) -> Server:
    """Serve a dataset read-only on 127.0.0.1, with the query page.

    Parameters
    ----------
    source
        A dataset file (TriG, N-Quads, Turtle...) or a :class:`~kg.dataset.Dataset`.
    port
        The public port on 127.0.0.1; ``0`` picks a free one (read it from :attr:`Server.port`).
    base_iri
        The base IRI of the data (for reading a file and for relative IRI parameters).
    query_timeout
        Seconds a query may run; then it is stopped.
    max_answer_bytes
        Longest answer; a longer one is cut with a message.
    memory_limit
        Bytes of address space the Oxigraph server may use.
    catalogue
        The canned queries the page offers; by default :meth:`Catalogue.load() <kg.queries.Catalogue.load>`.
    limits
        Every limit at once (:class:`Limits`); ``query_timeout`` and ``max_answer_bytes`` replace
        its two fields.

    Returns
    -------
    Server
        The running server; stop it with :meth:`Server.stop` or a ``with`` block.

    Raises
    ------
    InputError
        For a dataset file that cannot be read.
    UsageError
        When the port is taken or not a port.
    KGError
        When the Oxigraph server cannot start.
    """
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, got {port}")
    if query_timeout <= 0 or max_answer_bytes <= 0:
        raise UsageError("the query time limit and the answer size limit must be positive")
    base = limits or Limits()
    limits = Limits(**{**base.__dict__, "query_seconds": query_timeout, "answer_bytes": max_answer_bytes})
    listener = _listen(port, limits.backlog)  # first: a taken port costs nothing
    backend: Backend | None = None
    workdir: Path | None = None
    lock = -1
    try:
        dataset = source if isinstance(source, Dataset) else Dataset.from_file(source, base_iri=base_iri)
        catalogue = catalogue if catalogue is not None else Catalogue.load()
        remove_stale_stores()
        workdir, lock = _locked_workdir()
        create_store(dataset, workdir / "store")
        backend = Backend(workdir / "store", query_timeout=query_timeout, memory_limit=memory_limit)
        app = create_app(backend=backend, catalogue=catalogue, base=dataset.graphs.base,
                         port=int(listener.getsockname()[1]), limits=limits)
    except BaseException:
        listener.close()
        if backend is not None:
            backend.stop()
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
            os.close(lock)
        raise
    logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
    return Server(listener, backend, workdir, lock, app=app, limits=limits, triples=len(dataset),
                  graphs=len(dataset.graph_names()))
