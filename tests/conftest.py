"""Shared fixtures: the default knowledge graph as a TriG file, a real Oxigraph server, and a real
Virtuoso server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import OxigraphServer, VirtuosoServer

import kg


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """One real Virtuoso for the session (its tests share an xdist group, so one worker runs them
    all), with the loading user created; stopped at the end."""
    with VirtuosoServer(tmp_path_factory.mktemp("virtuoso")).serving() as server:
        yield server


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[OxigraphServer]:
    """A real, empty Oxigraph server on a free loopback port, stopped after the test."""
    server = OxigraphServer(tmp_path / "oxigraph-store")
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def plain_oxigraph_server(tmp_path: Path) -> Iterator[OxigraphServer]:
    """A real, empty Oxigraph server whose default graph is its own (not the union of the named
    graphs), as in most stores; stopped after the test."""
    server = OxigraphServer(tmp_path / "oxigraph-plain-store", union_default_graph=False)
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
