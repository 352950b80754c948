"""Starting and stopping ``kg serve``: the store in a temporary directory, the Oxigraph server on an
internal port, and the front server on the public one.

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
import shutil
import tempfile
import threading
import weakref
from pathlib import Path
from types import TracebackType
from typing import Self

from kg.dataset import Dataset
from kg.errors import UsageError
from kg.graphs import DEFAULT_BASE_IRI
from kg.queries import Catalogue
from kg.serve.front import FrontServer
from kg.serve.oxigraph import OxigraphProcess, create_store

__all__ = ["Server", "serve"]


class Server:
    """A running ``kg serve``: use :func:`serve` to start one; stop it with :meth:`stop` or ``with``."""

    def __init__(self, front: FrontServer, backend: OxigraphProcess, workdir: Path, *, triples: int, graphs: int) -> None:
        self._front = front
        self._backend = backend
        self.workdir = workdir
        """The temporary directory holding the store; removed by :meth:`stop`."""
        self.triples = triples
        self.graphs = graphs
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=front.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="kg-serve", daemon=True)
        self._thread.start()
        # Clean up even when the handle is dropped without stop() (a notebook, an interpreter exit).
        self._finalizer = weakref.finalize(self, _cleanup, front, backend, workdir, self._thread)

    @property
    def port(self) -> int:
        """The public port on 127.0.0.1."""
        return int(self._front.server_address[1])

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


def _cleanup(front: FrontServer, backend: OxigraphProcess, workdir: Path, thread: threading.Thread) -> None:
    front.shutdown()
    front.server_close()
    thread.join(timeout=5)
    backend.stop()
    shutil.rmtree(workdir, ignore_errors=True)


def serve(
    source: str | Path | Dataset,
    *,
    port: int = 0,
    base_iri: str = DEFAULT_BASE_IRI,
    query_timeout: float = 60.0,
    catalogue: Catalogue | None = None,
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
        Seconds a query may run.
    catalogue
        The canned queries the page offers; by default :meth:`Catalogue.load() <kg.queries.Catalogue.load>`.

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
    dataset = source if isinstance(source, Dataset) else Dataset.from_file(source, base_iri=base_iri)
    catalogue = catalogue if catalogue is not None else Catalogue.load()
    workdir = Path(tempfile.mkdtemp(prefix="kg-serve-"))
    backend: OxigraphProcess | None = None
    try:
        create_store(dataset, workdir / "store")
        backend = OxigraphProcess(workdir / "store", query_timeout=query_timeout)
        try:
            front = FrontServer(port, backend_port=backend.port, catalogue=catalogue, base=dataset.graphs.base)
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                raise UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror} (choose another --port; "
                                 "0 picks a free one)") from None
            raise
    except BaseException:
        if backend is not None:
            backend.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return Server(front, backend, workdir, triples=len(dataset), graphs=len(dataset.graph_names()))
