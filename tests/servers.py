"""Real servers for the tests (and the benchmarks): Oxigraph and Virtuoso on free loopback ports,
over stores in directories of their own, started and stopped by whoever uses them."""

from __future__ import annotations

import contextlib
import http.client
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = ["OxigraphServer", "VirtuosoServer", "free_port", "stop_process", "wait_until_answering"]

OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_answering(process: subprocess.Popen[bytes], port: int, path: str, *, log: Path, timeout: float) -> None:
    """Wait until GET ``path`` on the loopback ``port`` answers 200; fail with the end of ``log``
    if the process stops first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")[-2000:]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.05)
        finally:
            connection.close()
    raise TimeoutError(f"{process.args[0]} did not answer on port {port}")  # type: ignore[index]


def stop_process(process: subprocess.Popen[bytes] | None, *, timeout: float) -> None:
    """Terminate a server and wait; kill it if it does not stop in ``timeout`` seconds. Idempotent."""
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class OxigraphServer:
    """``oxigraph serve`` (read-write) on a loopback port, over a store in a temporary directory.

    The default graph of queries is the union of the named graphs (``--union-default-graph``), as
    in the toolkit's local engine, so canned queries give the same rows on both.
    """

    def __init__(self, location: Path, *, union_default_graph: bool = True) -> None:
        self.location = location
        self.port = free_port()
        self.union_default_graph = union_default_graph
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def store(self) -> str:
        return self.base + "/store"

    @property
    def query(self) -> str:
        return self.base + "/query"

    @property
    def update(self) -> str:
        return self.base + "/update"

    def start(self, timeout: float = 20.0) -> None:
        """Start the server (again, on the same store and port) and wait until it answers."""
        log = (self.location.parent / "oxigraph.log").open("ab")
        self.process = subprocess.Popen(
            [str(OXIGRAPH), "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}",
             *(["--union-default-graph"] if self.union_default_graph else [])],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        log.close()
        wait_until_answering(self.process, self.port, "/query?query=ASK%7B%7D",
                             log=self.location.parent / "oxigraph.log", timeout=timeout)

    def stop(self) -> None:
        """Stop the server; idempotent."""
        stop_process(self.process, timeout=10)


class VirtuosoServer:
    """Virtuoso 7.2 (Debian's ``virtuoso-t``) on two free loopback ports, over a fresh database in a
    temporary directory.

    Its SQL port takes the set-up statements (``isql-vt``); its HTTP port serves SPARQL
    (``/sparql``, ``/sparql-auth``) and the Graph Store Protocol (``/sparql-graph-crud[-auth]``). A
    user ``LOADER`` with the ``SPARQL_UPDATE`` role writes through the authenticated endpoints
    (Digest); anonymous users may not write until :meth:`grant_anonymous_update`.
    """

    LOADER = ("kikg_loader", "Lo4der-secret")
    """User name and password of the loading user."""

    def __init__(self, directory: Path, *, buffers: int = 20_000, result_set_max_rows: int = 10_000,
                 query_seconds: int = 120, after_image_limit: int = 50_000_000) -> None:
        self.directory = directory
        self.sql_port = free_port()
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        directory.mkdir(parents=True, exist_ok=True)
        ini = self._ini(buffers=buffers, result_set_max_rows=result_set_max_rows, query_seconds=query_seconds,
                        after_image_limit=after_image_limit)
        (directory / "virtuoso.ini").write_text(ini, encoding="utf-8")

    def _ini(self, *, buffers: int, result_set_max_rows: int, query_seconds: int, after_image_limit: int) -> str:
        # Paths inside the directory and loopback ports. The tests keep a small buffer pool (8 KiB
        # pages), the default ResultSetMaxRows (answers cut at 10,000 rows, which the client must
        # say) and the default TransactionAfterImageLimit (50 MB); the benchmarks give it what their
        # sizes need.
        return f"""[Database]
DatabaseFile = virtuoso.db
ErrorLogFile = virtuoso.log
LockFile = virtuoso.lck
TransactionFile = virtuoso.trx
xa_persistent_file = virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = virtuoso-temp.db
TransactionFile = virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{self.sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = ., {self.directory}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {buffers * 3 // 4}
ThreadsPerQuery = 2
TransactionAfterImageLimit = {after_image_limit}
[HTTPServer]
ServerPort = 127.0.0.1:{self.port}
ServerRoot = .
ServerThreads = 10
MaxClientConnections = 10
[SPARQL]
ResultSetMaxRows = {result_set_max_rows}
MaxQueryExecutionTime = {query_seconds}
"""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180.0) -> None:
        """Start the server (again, on the same database and ports) and wait until it answers."""
        binary = shutil.which("virtuoso-t")
        assert binary, "virtuoso-t is not installed: run `make virtuoso` (scripts/install-virtuoso.sh)"
        log = (self.directory / "console.log").open("ab")
        self.process = subprocess.Popen([binary, "+foreground", "+configfile", "virtuoso.ini"], cwd=self.directory,
                                        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        wait_until_answering(self.process, self.port, "/sparql?query=ASK%7B%7D", log=self.directory / "virtuoso.log",
                             timeout=timeout)

    def sql(self, statements: str) -> str:
        """Run SQL statements (``;``-separated) as dba; fail on any error."""
        binary = shutil.which("isql-vt")
        assert binary, "isql-vt is not installed: run `make virtuoso` (scripts/install-virtuoso.sh)"
        done = subprocess.run([binary, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statements}"],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and "*** Error" not in done.stdout + done.stderr, done.stdout + done.stderr
        return done.stdout

    def create_loader(self) -> None:
        """The loading user: SPARQL_UPDATE role, Digest through the -auth endpoints."""
        user, password = self.LOADER
        self.sql(f"DB.DBA.USER_CREATE ('{user}', '{password}'); GRANT SPARQL_UPDATE TO \"{user}\";")

    def grant_anonymous_update(self, allowed: bool = True) -> None:
        """Let anonymous users (``SPARQL``) write, through /sparql-graph-crud and /sparql, or not."""
        self.sql('GRANT SPARQL_UPDATE TO "SPARQL";' if allowed else 'REVOKE SPARQL_UPDATE FROM "SPARQL";')

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        """Stop the server; idempotent."""
        stop_process(self.process, timeout=30)

    @contextlib.contextmanager
    def serving(self) -> Iterator[VirtuosoServer]:
        """Started with the loading user created, stopped on leaving."""
        try:
            self.start()
            self.create_loader()
            yield self
        finally:
            self.stop()
