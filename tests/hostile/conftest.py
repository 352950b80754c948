"""Fixtures of the hostile-input corpus: a loopback listener that must hear nothing, and a
``kg serve`` over a small dataset."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from corpus import SMALL, Listener

from kg.serve import Server, serve


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A loopback listener; a test asserts ``listener.heard == []`` after its attack."""
    ear = Listener()
    try:
        yield ear
    finally:
        ear.close()


@pytest.fixture(scope="module")
def small_server() -> Iterator[Server]:
    """``kg serve`` over the small validation dataset, on free ports, for one test module."""
    server = serve(SMALL, port=0)
    try:
        yield server
    finally:
        server.stop()
