"""A loader that hangs up during its swap (#13 item 6), for the tests on Oxigraph and on Virtuoso.

The loader's own swap request (:func:`kg.remote.graph_store.swap_update`) goes to the real store
over httpx with a tiny read timeout, so the client closes the connection while the store works on
it; the target graph must then be the old version or the new one, never a mix.
"""

from __future__ import annotations

import time

import httpx
import pyoxigraph as ox

from kg.remote import GraphStore
from kg.remote.graph_store import swap_update
from kg.remote.loader import staging_graph_name

__all__ = ["MARKER", "abandon_swaps"]

MARKER = ox.Triple(ox.NamedNode("https://example.org/old"), ox.NamedNode("https://example.org/version"),
                   ox.Literal("old"))
"""The one triple of the old version that the new one lacks."""


def _versions(size: int) -> tuple[bytes, bytes, ox.Triple]:
    """An old and a new version of a graph, and the new one's first triple. The old one is small
    (ten triples of the new one and :data:`MARKER`), so a swap's delete takes little time and its
    insert much: a swap cut between the two shows as the old version's ten triples alone."""
    triples = [ox.Triple(ox.NamedNode(f"https://example.org/s{i}"), ox.NamedNode("https://example.org/p"),
                         ox.NamedNode(f"https://example.org/o{i}")) for i in range(size)]
    new = b"".join(f"{t} .\n".encode() for t in triples)
    old = b"".join(f"{t} .\n".encode() for t in [*triples[:10], MARKER])
    return old, new, triples[0]


def _state(store: GraphStore, target: str, staging: str, size: int) -> tuple[str, bool]:
    """``("old" | "new" | "mixed (N triples)", whether the staging graph is there)``."""
    rows = store.select(
        f"SELECT (COUNT(*) AS ?n) (SUM(IF(?s = {MARKER.subject}, 1, 0)) AS ?old) "
        f"WHERE {{ GRAPH {ox.NamedNode(target)} {{ ?s ?p ?o }} }}")
    triples, marker = int(rows[0]["n"]), int(rows[0].get("old", 0))
    version = "old" if (triples, marker) == (11, 1) else "new" if (triples, marker) == (size, 0) else \
        f"mixed ({triples} triples)"
    return version, store.has_graph(staging)


def _settled(store: GraphStore, target: str, staging: str, size: int, *, quiet: float,
             limit: float = 20.0) -> tuple[str, bool]:
    """The state once it has not changed for ``quiet`` seconds (a store may go on with a request
    whose client has gone, and its readers may wait for it)."""
    deadline = time.monotonic() + limit
    state, since = _state(store, target, staging, size), time.monotonic()
    while time.monotonic() - since < quiet and time.monotonic() < deadline:
        time.sleep(0.1)
        now = _state(store, target, staging, size)
        if now != state:
            state, since = now, time.monotonic()
    return state


def abandon_swaps(store: GraphStore, target: str, *, size: int, read_timeouts: tuple[float, ...],
                  auth: httpx.Auth | None = None, quiet: float = 1.5) -> list[tuple[bool, str, bool]]:
    """For each read timeout: put the old version in ``target`` and the new one in a staging
    graph, send the swap and hang up after that many seconds, and read the target once it has
    settled. Return ``(whether the client hung up before the answer, version, whether the staging
    graph is left)`` for each; the target and the staging graphs are removed afterwards."""
    old, new, sentinel = _versions(size)
    assert store.endpoints.update is not None
    outcomes = []
    with httpx.Client(auth=auth, trust_env=False, timeout=30) as client:
        client.get(store.endpoints.query, params={"query": "ASK {}"}).raise_for_status()  # Digest's challenge, once
        for read_timeout in read_timeouts:
            staging = staging_graph_name()
            try:
                store.put(target, old)
                store.put(staging, new)
                try:
                    client.post(store.endpoints.update, data={"update": swap_update(staging, target, sentinels=[sentinel])},
                                timeout=httpx.Timeout(30, read=read_timeout)).raise_for_status()
                    hung_up = False
                except httpx.ReadTimeout:
                    hung_up = True
                version, staging_left = _settled(store, target, staging, size, quiet=quiet)
                outcomes.append((hung_up, version, staging_left))
            finally:
                store.delete(staging)
                store.delete(target)
    return outcomes
