"""The Oxigraph SPARQL server behind ``kg serve``: a store directory and a read-only server process.

The ``oxigraph`` PyPI package ships the server binary. The store directory is written with
pyoxigraph, then the store is released so that ``oxigraph serve-read-only`` can open it. The
server answers queries with the union of the named graphs as default graph
(``--union-default-graph``), as the local engine does, so a canned query gives the same rows here
and there.

The process is started through :mod:`kg._sandbox`: it cannot open outgoing connections (so
``SERVICE`` cannot fetch anything), its memory is capped, and the kernel kills it when the thread
that started it ends, so even a ``SIGKILL`` of ``kg serve`` does not leave it running.
:class:`Backend` restarts it when a query outlives its time limit (Oxigraph's own time limit does
not stop every query: a ``COUNT`` over a cartesian product runs on) or when it dies.
"""

from __future__ import annotations

import gc
import http.client
import shutil
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox

from kg._sandbox import launcher_command
from kg.dataset import Dataset
from kg.errors import KGError

__all__ = ["DEFAULT_MEMORY_LIMIT", "Backend", "OxigraphProcess", "create_store", "find_binary", "free_port"]

DEFAULT_MEMORY_LIMIT = 4 << 30
"""Bytes of address space the Oxigraph server may use (4 GiB)."""


def find_binary() -> Path:
    """The ``oxigraph`` server binary: beside this Python (a virtualenv's ``bin/``), else on ``PATH``.

    Raises
    ------
    KGError
        When it is not installed.
    """
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return beside
    found = shutil.which("oxigraph")
    if found:
        return Path(found)
    raise KGError("the oxigraph server binary is missing: pip install oxigraph")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def create_store(dataset: Dataset, directory: Path) -> None:
    """Write the quads of ``dataset`` into a new Oxigraph store at ``directory`` and release it."""
    store = ox.Store(str(directory))
    store.bulk_extend(dataset.store)
    store.flush()
    del store
    gc.collect()  # the store has no close(): dropping the last reference releases its lock


class OxigraphProcess:
    """``oxigraph serve-read-only`` on a loopback port, started and waited for.

    Parameters
    ----------
    directory
        The store directory.
    query_timeout
        Seconds a query may run on the server (Oxigraph's own, cooperative limit).
    memory_limit
        Bytes of address space the server may use.
    startup_timeout
        Seconds to wait for the server to answer.

    Raises
    ------
    KGError
        When the server exits or does not answer in time (its own message is quoted).
    """

    def __init__(self, directory: Path, *, query_timeout: float = 60.0, memory_limit: int = DEFAULT_MEMORY_LIMIT,
                 startup_timeout: float = 20.0) -> None:
        self.port = free_port()
        self.log_path = directory.parent / "oxigraph.log"
        command = launcher_command([
            str(find_binary()), "serve-read-only", "--location", str(directory), "--bind", f"127.0.0.1:{self.port}",
            "--union-default-graph", "--timeout-s", str(max(1, int(query_timeout))),
        ], address_space=memory_limit)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            self._wait_until_ready(startup_timeout)
        except BaseException:
            self.stop()
            raise

    @property
    def query_url(self) -> str:
        """The server's SPARQL query endpoint."""
        return f"http://127.0.0.1:{self.port}/query"

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.log_path.read_text(encoding="utf-8", errors="replace").strip()
                raise KGError(f"the oxigraph server stopped at start: {log.splitlines()[-1] if log else 'no message'}")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1.0)
            try:
                connection.request("GET", "/query?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                connection.close()
            time.sleep(0.05)
        raise KGError(f"the oxigraph server did not answer within {timeout:.0f} s")

    def kill(self) -> None:
        """End the server at once (SIGKILL): a query it cannot cancel stops with it."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 5 s); idempotent."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()


class Backend:
    """The Oxigraph server of one ``kg serve``, restarted when a query outlives its limit.

    Processes are started from one long-lived thread, so that the kernel, which kills the server
    when the thread that started it ends, kills it exactly when this ``kg serve`` ends.
    """

    def __init__(self, directory: Path, *, query_timeout: float, memory_limit: int = DEFAULT_MEMORY_LIMIT) -> None:
        self._directory = directory
        self._options = {"query_timeout": query_timeout, "memory_limit": memory_limit}
        self._keeper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-serve-backend")
        self._lock = threading.Lock()
        self.generation = 0
        """Counts the servers started; a request remembers it to restart only the server it used."""
        self.restarts = 0
        try:
            self._process = self._start()
        except BaseException:
            self._keeper.shutdown(wait=False)
            raise

    def _start(self) -> OxigraphProcess:
        return self._keeper.submit(lambda: OxigraphProcess(self._directory, **self._options)).result()  # type: ignore[arg-type]

    @property
    def port(self) -> int:
        """The loopback port of the current server."""
        return self._process.port

    @property
    def process(self) -> subprocess.Popen[bytes]:
        """The current server process."""
        return self._process.process

    def restart(self, generation: int) -> None:
        """Kill the server started as ``generation`` and start another; nothing if that already happened."""
        with self._lock:
            if generation != self.generation:
                return
            self._process.kill()
            self._process = self._start()
            self.generation += 1
            self.restarts += 1

    def alive(self) -> bool:
        """Whether the current server process runs."""
        return self._process.process.poll() is None

    def stop(self) -> None:
        """Stop the server and the thread that started it; idempotent."""
        with self._lock:
            self._process.stop()
        self._keeper.shutdown(wait=True)
