"""Shared fixtures: the default knowledge graph as a TriG file, and a real Oxigraph server."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import kg

OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class OxigraphServer:
    """``oxigraph serve`` (read-write) on a loopback port, over a store in a temporary directory.

    The default graph of queries is the union of the named graphs (``--union-default-graph``), as
    in the toolkit's local engine, so canned queries give the same rows on both.
    """

    def __init__(self, location: Path) -> None:
        self.location = location
        self.port = free_port()
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
             "--union-default-graph"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (self.location.parent / "oxigraph.log").read_text()
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
            try:
                connection.request("GET", "/query?query=ASK%7B%7D")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.05)
            finally:
                connection.close()
        raise TimeoutError(f"oxigraph did not answer on port {self.port}")

    def stop(self) -> None:
        """Stop the server; idempotent."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[OxigraphServer]:
    """A real, empty Oxigraph server on a free loopback port, stopped after the test."""
    server = OxigraphServer(tmp_path / "oxigraph-store")
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def default_graph() -> kg.KnowledgeGraph:
    """The default knowledge graph, built once per session (do not modify it)."""
    return kg.build()


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    """The default graph as `kg build` writes it, the analysis graph included, built once per session
    (do not modify it)."""
    out = tmp_path_factory.mktemp("build")
    kg.run_build(out, reasoning=kg.Reasoning.OFF)
    return kg.read(out / "kg.trig")


@pytest.fixture(scope="session")
def default_trig(default_graph: kg.KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default knowledge graph as a TriG file, written once per session."""
    path = tmp_path_factory.mktemp("dataset") / "kg.trig"
    path.write_bytes(default_graph.serialize(kg.RdfFormat.TRIG))
    return path


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite the golden files (tests/golden/) from the current results instead of comparing")


@pytest.fixture(scope="session")
def update_goldens(request: pytest.FixtureRequest) -> bool:
    """Whether golden files are rewritten rather than compared."""
    return bool(request.config.getoption("--update-goldens"))
