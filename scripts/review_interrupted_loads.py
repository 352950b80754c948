"""Kill chunked loads at random moments and count what the next load finds (#13 item 6).

Each attempt puts an old version of one graph (half of the ``relations`` table and one triple the
new version lacks) on a real store, starts ``kg load`` of the new version in chunks through a
staging graph, waits until the staging graph shows on the store, and after a further random delay
(uniform over the time a whole load takes from that point, measured first by an uninterrupted load)
kills either the store (SIGKILL, then a restart on the same files) or the ``kg load`` process
(SIGKILL). Then it checks

* that the graph holds the old version or the new one, never a mix (compared with the two
  versions as this store holds them, in reference graphs: a store may merge equal values);
* that a ``kg load`` whose store died ends with a one-line error and exit 1 (a clean refusal), not
  a traceback;
* how many staging graphs (``urn:kikg:staging:``) are left, with how many triples;
* that the next load (the same chunked load, in the library) removes them and says so, and leaves
  the new version, no staging graph, and the reference graphs as they were (nothing lost).

Usage (from the repository, with the test dependencies installed; Virtuoso: ``make virtuoso``)::

    .venv/bin/python scripts/review_interrupted_loads.py --store oxigraph --attempts 20
    .venv/bin/python scripts/review_interrupted_loads.py --store virtuoso --attempts 10

Attempts alternate between killing the store and killing the loader. The script starts its own
server on loopback ports, in a temporary directory, and stops it. It exits 1 if any attempt shows
a mix, an unclean refusal, a staging graph the next load did not remove, or a lost triple.
"""

from __future__ import annotations

import argparse
import collections
import logging
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import pyoxigraph as ox
from servers import OxigraphServer, VirtuosoServer

import kg
from kg.remote import STAGING_PREFIX, GraphStore, load_dataset

OLD_REFERENCE = "urn:review:old"
NEW_REFERENCE = "urn:review:new"


@dataclass
class Store:
    """The server under review and its endpoints."""

    server: OxigraphServer | VirtuosoServer
    graph_store: str
    query: str
    env: dict[str, str]

    def client(self) -> GraphStore:
        return GraphStore(self.graph_store, retries=0)

    def triples(self, graph: str) -> set[str]:
        with_client = self.client()
        try:
            result = with_client.query(
                f"SELECT ?s ?p ?o WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}", what=f"<{graph}>")
        finally:
            with_client.close()
        return {" ".join(str(term) for term in row) for row in result.rows}

    def snapshot(self, target: str) -> tuple[set[str], dict[str, int]]:
        """The triples of ``target`` and the staging graphs with their triple counts, read by one
        query (so at one moment)."""
        with_client = self.client()
        try:
            result = with_client.query(
                f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g = {ox.NamedNode(target)} || "
                f"STRSTARTS(STR(?g), {ox.Literal(STAGING_PREFIX)})) }}", what="the target and the staging graphs")
        finally:
            with_client.close()
        held, staging = set(), collections.Counter[str]()
        for g, *triple in result.rows:
            assert isinstance(g, ox.NamedNode)
            if g.value == target:
                held.add(" ".join(str(term) for term in triple))
            else:
                staging[g.value] += 1
        return held, dict(staging)

    def staging(self) -> dict[str, int]:
        with_client = self.client()
        try:
            return {g: with_client.count(g) for g in with_client.graphs(prefix=STAGING_PREFIX)}
        finally:
            with_client.close()

    def put(self, graph: str, data: bytes) -> None:
        with_client = self.client()
        try:
            with_client.put(graph, data)
        finally:
            with_client.close()

    def kill(self) -> None:
        process = self.server.process
        assert process is not None and process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait()


@dataclass
class Tally:
    attempts: collections.Counter[str] = field(default_factory=collections.Counter)
    moments: collections.Counter[str] = field(default_factory=collections.Counter)
    states: collections.Counter[str] = field(default_factory=collections.Counter)
    refusals: collections.Counter[str] = field(default_factory=collections.Counter)
    staging_left: int = 0
    staging_triples_left: int = 0
    staging_removed: int = 0
    next_load_ok: int = 0
    lost: int = 0
    failures: list[str] = field(default_factory=list)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--store", choices=["oxigraph", "virtuoso"], default="oxigraph")
    parser.add_argument("--attempts", type=int, default=10)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--chunk-size", type=int, default=25,
                        help="triples per request (small, so that a load takes long enough to be hit)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    logging.getLogger("kg.remote").setLevel(logging.WARNING)  # the next load's warnings are counted
    with tempfile.TemporaryDirectory(prefix="review-loads-") as tmp:
        work = Path(tmp)
        graph = kg.build()
        target = graph.dataset.graphs.table("relations")
        new = graph.dataset.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(target))
        assert new is not None
        lines = sorted(new.splitlines(keepends=True))
        old = b"".join(lines[::2]) + b'<https://example.org/old> <https://example.org/version> "old" .\n'
        data = work / "kg.trig"
        data.write_bytes(graph.serialize(kg.RdfFormat.TRIG))
        store = _start(args.store, work)
        try:
            store.put(OLD_REFERENCE, old)
            store.put(NEW_REFERENCE, new)
            versions = {"old": store.triples(OLD_REFERENCE), "new": store.triples(NEW_REFERENCE)}
            assert versions["old"] != versions["new"] and len(versions["new"]) > 1000, "the versions are not told apart"
            command = [sys.executable, "-m", "kg.cli", "load", "--endpoint", store.graph_store, "--data", str(data),
                       "--graph", target, "--chunk-size", str(args.chunk_size), "--retries", "0", "--quiet"]
            window = _calibrate(store, command, target, old, versions)
            print(f"{args.store}: {len(lines)} triples in chunks of {args.chunk_size}; an uninterrupted load takes "
                  f"{window:.2f} s from its first chunk to its exit", flush=True)
            tally = Tally()
            for attempt in range(1, args.attempts + 1):
                kind = "store" if attempt % 2 else "loader"
                _attempt(store, command, target, old, versions, kind=kind, delay=rng.uniform(0, window),
                         tally=tally, attempt=attempt, chunk_size=args.chunk_size)
        finally:
            store.server.stop()
    _print(args.store, tally)
    return 1 if tally.failures else 0


def _start(kind: str, work: Path) -> Store:
    if kind == "oxigraph":
        oxigraph = OxigraphServer(work / "store")
        oxigraph.start()
        return Store(oxigraph, oxigraph.store, oxigraph.query, dict(os.environ))
    virtuoso = VirtuosoServer(work / "virtuoso")
    virtuoso.start()
    virtuoso.create_loader()
    user, password = VirtuosoServer.LOADER
    os.environ.update(KG_USERNAME=user, KG_PASSWORD=password, HOME=str(work))  # no ~/.netrc of the user
    return Store(virtuoso, virtuoso.base + "/sparql-graph-crud-auth", virtuoso.base + "/sparql-auth", dict(os.environ))


def _wait_for_staging(store: Store, loader: subprocess.Popen[str], timeout: float = 120) -> float:
    """Poll until a staging graph shows (or the loader exits); return the time it showed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and loader.poll() is None:
        if store.staging():
            return time.monotonic()
        time.sleep(0.01)
    raise AssertionError(f"no staging graph showed (loader exit {loader.poll()}): {loader.stderr.read() if loader.stderr else ''}")


def _calibrate(store: Store, command: list[str], target: str, old: bytes, versions: dict[str, set[str]]) -> float:
    store.put(target, old)
    loader = subprocess.Popen(command, env=store.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    shown = _wait_for_staging(store, loader)
    _, err = loader.communicate(timeout=300)
    window = time.monotonic() - shown
    assert loader.returncode == 0, err
    assert store.triples(target) == versions["new"] and not store.staging(), "the uninterrupted load went wrong"
    return window


def _attempt(store: Store, command: list[str], target: str, old: bytes, versions: dict[str, set[str]], *, kind: str,
             delay: float, tally: Tally, attempt: int, chunk_size: int) -> None:
    store.put(target, old)
    assert store.triples(target) == versions["old"] and not store.staging()
    loader = subprocess.Popen(command, env=store.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _wait_for_staging(store, loader)
    time.sleep(delay)
    refusal = "-"
    if kind == "store":
        store.kill()
        _, err = loader.communicate(timeout=300)
        if loader.returncode == 0:
            moment = "after the load had finished"
        else:
            moment = "during the load"
            clean = loader.returncode == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1
            refusal = "clean" if clean else f"unclean (exit {loader.returncode}): {err.strip()[-300:]}"
            tally.refusals["clean" if clean else "unclean"] += 1
        store.server.start()
    else:
        moment = "after the loader exited" if loader.poll() is not None else "during the load"
        loader.send_signal(signal.SIGKILL)
        loader.communicate()
    tally.attempts[kind] += 1
    # What readers see right after the kill; a killed loader's last request may still be running on
    # the store (a swap, say), so the store is given a moment to finish it before the staging graphs
    # are counted and the next load starts.
    held, _ = store.snapshot(target)
    seen = _state(held, versions)
    time.sleep(2)
    held, left = store.snapshot(target)
    state = _state(held, versions)
    if seen != state:
        moment += f", graph {seen} at once"
    if "mixed" in (seen, state):
        state = "mixed"
    tally.states[state] += 1
    tally.moments[f"{kind} killed {moment}"] += 1
    tally.staging_left += len(left)
    tally.staging_triples_left += sum(left.values())
    warnings = _Warnings()
    logging.getLogger("kg.remote").addHandler(warnings)
    try:
        report = load_dataset(Path(command[command.index("--data") + 1]), endpoint=store.graph_store, graphs=[target], chunk_size=chunk_size)
        error = ""
    except kg.KGError as exc:
        report, error = None, str(exc)
    finally:
        logging.getLogger("kg.remote").removeHandler(warnings)
    removed = {s.graph: s.triples for s in report.removed_staging} if report else {}
    tally.staging_removed += len(removed)
    said = sum("removed the staging graph" in message for message in warnings.messages)
    after = store.triples(target)
    lost = len(versions["new"] - after) + len(versions["old"] - store.triples(OLD_REFERENCE)) + len(
        versions["new"] - store.triples(NEW_REFERENCE))
    tally.lost += lost
    ok = (report is not None and report.ok and after == versions["new"] and not store.staging()
          and set(removed) == set(left) and said == len(left) and lost == 0)
    tally.next_load_ok += ok
    problems = []
    if state == "mixed":
        problems.append(f"mixed graph ({len(held & versions['old'])} old, {len(held & versions['new'])} new, "
                        f"{len(held - versions['old'] - versions['new'])} neither)")
    if refusal.startswith("unclean"):
        problems.append(refusal)
    if not ok:
        problems.append(f"next load: error {error!r}, removed {removed}, left before {left}, warned {said} times, "
                        f"{lost} lost, target {'new' if after == versions['new'] else 'not new'}")
    if problems:
        tally.failures.append(f"attempt {attempt}: " + "; ".join(problems))
    print(f"attempt {attempt}: {kind} killed {delay:.2f} s after the staging graph showed ({moment}); graph {state}; "
          f"refusal {refusal}; {len(left)} staging graph(s) left ({sum(left.values())} triples), "
          f"{len(removed)} removed by the next load; {'ok' if ok else 'PROBLEM: ' + '; '.join(problems)}", flush=True)


def _state(held: set[str], versions: dict[str, set[str]]) -> str:
    return next((name for name, triples in versions.items() if held == triples), "mixed")


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _print(store: str, tally: Tally) -> None:
    total = sum(tally.attempts.values())
    print(f"\n{store}: {total} attempts ({', '.join(f'{kind} killed: {n}' for kind, n in tally.attempts.items())}); "
          f"moments: {dict(tally.moments)}")
    print(f"graph afterwards: {dict(tally.states)}; refusals of loads whose store died: {dict(tally.refusals)}")
    print(f"staging graphs left: {tally.staging_left} ({tally.staging_triples_left} triples), removed by the next load: "
          f"{tally.staging_removed}; next load ok: {tally.next_load_ok} of {total}; triples lost: {tally.lost}")
    for failure in tally.failures:
        print("FAILED", failure)


if __name__ == "__main__":
    raise SystemExit(main())
