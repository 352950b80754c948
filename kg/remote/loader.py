"""Loading named graphs into any SPARQL 1.1 store through the Graph Store HTTP Protocol.

Strategy
--------
Each named graph of the dataset is sent as N-Triples, over ``parallel`` connections that each take
the next request when they are done. A dataset file is read a part at a time
(:class:`~kg.remote.parts.FileParts`): the first chunks of a large graph go to the store while the
rest of the file is read, and memory holds a few chunks, not the file. No graph is put in place
before the file has been read to its end, so a syntax error anywhere in it leaves every graph as it
was.

* A graph of at most ``chunk_size`` triples goes in one ``PUT <endpoint>?graph=<IRI>``, once the
  file has been read. The protocol defines PUT as "replace the graph": the store parses the body
  and swaps the content in one transaction, so loading again replaces rather than duplicates, and a
  body the store refuses leaves the earlier content as it was (Oxigraph 0.5.13 answers ``400`` and
  keeps the old graph; Fuseki does the same). Virtuoso shows readers a PUT of more than about
  100,000 triples in parts: there, larger graphs go through a staging graph
  (:data:`VIRTUOSO_ATOMIC_PUT`).
* A larger graph goes in chunks into a *staging graph* with a fresh, recognisable name
  (``urn:kikg:staging:<UTC time>:<uuid>``): a ``POST`` (add) of each chunk, in any order and over
  any connection. When its last chunk is in, one SPARQL Update swaps it into place
  (:meth:`GraphStore.swap`), before any other request: one operation deletes the target's triples
  the staging graph lacks and inserts the staging graph's triples the target lacks, a second drops
  the staging graph, so readers of the target see the old graph or the new one, never half of it,
  even where a client that hangs up stops the request between its operations (Virtuoso 7.2). A
  target that holds nothing yet (a first load) is filled instead (:meth:`GraphStore.fill`: ``ADD``
  of the staging graph, then the drop), which Virtuoso runs 3 to 8 times faster. If a request
  fails, or the file does, the staging graphs of the graphs not yet in place are deleted. Until the
  swap, the staging graph is a graph of the store like any other: a query of the union of all
  graphs sees its triples. (Virtuoso 7.2 shows readers a large swap or fill in parts, as it does a
  large PUT: see docs/loading.md.)

The swap is not ``MOVE GRAPH <staging> TO GRAPH <target>``: Virtuoso 7.2 does not replay a MOVE
(or a COPY, or a DROP before an INSERT) right after a crash, and came back with 408 of 3,671 triples
missing from the target (measured); the delete-and-insert of the differences it replays right.

Staging graphs left behind
--------------------------
A load killed between its first chunk and its swap (or a store that died then) leaves its staging
graph behind. Every load first removes the staging graphs it finds (one load at a time per store:
a load removes the staging graph of another one running), and the check after the load counts the
staging graphs still there: any left makes the load fail, since they show in a union default graph.
Before its swap, a load counts which of a set of triples, one of each of its chunks, its staging
graph holds, so that a staging graph removed under it is never swapped in half-filled (which would leave
the target with half its triples; the chunks land in any order, so one triple of the first would
not do), and the swap asks again inside its own transaction: a staging graph removed between the
question and the swap leaves the target as it was (the check then fails the load) instead of
emptying it.

A swap whose answer was lost (a timeout after the store committed) must not be sent again: the
staging graph is gone by then, and the same update would delete the whole target. Before repeating
a swap the loader asks whether the staging graph is still there; if it is gone, the first swap went
through.

Retries
-------
Only timeouts, connection errors and ``5xx`` answers are retried, with exponential backoff
(``backoff * 2**n`` seconds); a ``4xx`` answer never is. Every request is safe to repeat: PUT
replaces, POST adds a *set* of triples (the dataset has no blank nodes: they are skolemised as
:meth:`Dataset.from_file` does), queries read, and the swap is guarded as above.

Checking
--------
After loading, the triples of every graph are counted on the query endpoint
(``SELECT (COUNT(*) AS ?n) WHERE { GRAPH <g> { ?s ?p ?o } }``). Where a count is lower, the triples
the store merged with others of equal value are looked up (:mod:`kg.remote.check`) and named; they
are reported, and logged as a warning, but do not fail the load. Any other difference, or a staging
graph left in the store, raises :class:`LoadCountMismatch`.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox

from kg.dataset import Dataset
from kg.errors import RemoteError, UsageError
from kg.graphs import DEFAULT_BASE_IRI
from kg.remote.check import merged_values
from kg.remote.graph_store import GraphStore
from kg.remote.http import Auth
from kg.remote.parts import Chunk, DatasetParts, FileParts, GraphEnd, Parts
from kg.remote.report import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_PARALLEL,
    STAGING_PREFIX,
    GraphLoad,
    LoadCountMismatch,
    LoadReport,
    StagingGraph,
)

__all__ = ["load_dataset", "staging_graph_name"]

logger = logging.getLogger(__name__)

VIRTUOSO_ATOMIC_PUT = 100_000
"""The largest graph sent to Virtuoso in one PUT. Virtuoso 7.2 commits a larger PUT in parts that
readers see (measured: a reader saw 123,119 and then 131,755 of the 200,000 triples of one PUT; of
100,000, never a part), so larger graphs go through a staging graph, whose swap readers saw whole."""


def staging_graph_name() -> str:
    """A fresh staging graph name: the prefix, the UTC time and a random UUID.

    >>> staging_graph_name().startswith(STAGING_PREFIX)
    True
    """
    return f"{STAGING_PREFIX}{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}:{uuid.uuid4()}"


def load_dataset(
    source: str | Path | Dataset,
    *,
    endpoint: str,
    query_endpoint: str | None = None,
    update_endpoint: str | None = None,
    graphs: Iterable[str] | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    parallel: int = DEFAULT_PARALLEL,
    timeout: float = 120.0,
    retries: int = 3,
    backoff: float = 0.5,
    auth: Auth = Auth.AUTO,
    allow_insecure: bool = False,
    base_iri: str = DEFAULT_BASE_IRI,
    on_graph_sent: Callable[[GraphLoad], None] | None = None,
) -> LoadReport:
    """Load the named graphs of a dataset into a store, each replacing its earlier content.

    Parameters
    ----------
    source
        A dataset file (TriG, N-Quads...), read a part at a time while the first chunks are sent, or
        a :class:`~kg.dataset.Dataset`.
    endpoint, query_endpoint, update_endpoint, timeout, retries, backoff, auth, allow_insecure
        As for :class:`GraphStore`.
    graphs
        Load only these named graphs (full IRIs, or relative to ``base_iri``); default all.
    chunk_size
        Graphs with more triples go in chunks of this many through a staging graph.
    parallel
        How many requests are sent at the same time, each on its own connection.
    base_iri
        The base IRI of the data, for reading a file and resolving relative ``graphs``.
    on_graph_sent
        Called after each graph has been sent (put in place), before the counts are checked.

    Returns
    -------
    LoadReport
        The graphs with the triples sent and counted on the server, and the values the store
        merged.

    Raises
    ------
    UsageError
        Bad options or URLs, unknown ``graphs``, credentials that would go over plain http.
    InputError
        An unreadable dataset file, or triples in its default graph (only named graphs are loaded).
        No graph has been touched then: a file is read to its end before any graph is put in place.
    RemoteError
        The store cannot be reached or refuses a request; :class:`LoadCountMismatch` when it holds
        other counts than were sent (values it merged aside) or staging graphs are left.
    """
    if chunk_size < 1:
        raise UsageError(f"the chunk size must be at least 1, got {chunk_size}")
    if parallel < 1:
        raise UsageError(f"at least one request is sent at a time, got parallel={parallel}")

    def connect() -> GraphStore:
        return GraphStore(endpoint, query_endpoint=query_endpoint, update_endpoint=update_endpoint, timeout=timeout,
                          retries=retries, backoff=backoff, auth=auth, allow_insecure=allow_insecure)

    store = connect()
    try:
        started = time.perf_counter()
        parts: Parts = (DatasetParts(source, graphs=graphs, base_iri=base_iri) if isinstance(source, Dataset)
                        else FileParts(source, base_iri=base_iri, chunk_size=chunk_size, graphs=graphs))
        sender = _Sender(store, connect, parallel=parallel, chunk_size=chunk_size, on_graph_sent=on_graph_sent)
        sent = sender.send(parts)
        sent.sort(key=lambda load: parts.selected.index(load.graph))
        checked = tuple(_checked(store, parts, load) for load in sent)
        staging = tuple(StagingGraph(g, store.count(g)) for g in store.graphs(prefix=STAGING_PREFIX))
        report = LoadReport(endpoint, checked, time.perf_counter() - started, staging=staging,
                            removed_staging=sender.removed)
    finally:
        store.close()
    for load in report.graphs:
        for merged in load.merged:
            logger.warning("the store merged triples of <%s> it takes as the same value: %s", load.graph,
                           merged.text())
    if not report.ok:
        raise LoadCountMismatch(report)
    return report


def _checked(store: GraphStore, parts: Parts, load: GraphLoad) -> GraphLoad:
    on_server = store.count(load.graph)
    merged = merged_values(store, load.graph, parts.typed_literal_triples(load.graph)) if on_server < load.sent else ()
    return replace(load, on_server=on_server, merged=merged)


def _remove_staging_graphs(store: GraphStore) -> tuple[StagingGraph, ...]:
    """Remove the staging graphs of earlier loads that were interrupted before their swap."""
    removed = []
    for graph in store.graphs(prefix=STAGING_PREFIX):
        triples = store.count(graph)
        store.delete(graph)
        logger.warning("removed the staging graph <%s> (%d triples) that an interrupted load left behind",
                       graph, triples)
        removed.append(StagingGraph(graph, triples))
    return tuple(removed)


@dataclass
class _Staged:
    """A graph on its way through its staging graph."""

    name: str
    sentinels: list[ox.Triple] = field(default_factory=list)
    """One triple of each chunk, asked about before the swap."""
    chunks: int = 0
    """Chunks handed to the connections."""
    landed: int = 0
    """Chunks the store has taken."""
    triples: int | None = None
    """The graph's triples in all, once its end has come."""
    installed: bool = False


Task = Callable[[GraphStore], None]


class _Sender:
    """Sends the parts of a dataset over ``parallel`` connections, each taking the next request when
    it is done: a graph of at most ``one_put`` triples in one PUT, a larger one in chunks (POSTs, in
    any order and over any connection) into its staging graph, put in place as soon as its last
    chunk is in, before anything else.

    The first failure stops the others from taking another request; the requests they are sending
    finish (or fail) on their own, the staging graphs of the graphs not yet in place are removed,
    and the failure is raised. An error of the producer (a syntax error in the file) does the same.
    Interrupted, the loader stops at once; the staging graphs are left for the next load to remove.
    """

    def __init__(self, store: GraphStore, connect: Callable[[], GraphStore], *, parallel: int, chunk_size: int,
                 on_graph_sent: Callable[[GraphLoad], None] | None) -> None:
        self.store = store
        self.connect = connect
        self.parallel = parallel
        self.chunk_size = chunk_size
        self.on_graph_sent = on_graph_sent
        self.removed: tuple[StagingGraph, ...] = ()
        self.one_put = chunk_size
        self.sent: list[GraphLoad] = []
        self._staged: dict[str, _Staged] = {}
        self._tasks: deque[Task] = deque()
        self._cond = threading.Condition()
        self._failures: list[Exception] = []
        self._closed = False
        self._busy = 0
        self._clients: list[GraphStore] = []
        self._threads: list[threading.Thread] = []

    def send(self, parts: Iterable[Chunk | GraphEnd]) -> list[GraphLoad]:
        """Send every part; the loads of the graphs, in the order they were put in place."""
        try:
            for part in parts:
                if isinstance(part, Chunk):
                    self._chunk(part.graph, part.lines)
                else:
                    self._end(part)
            self._close()
        except BaseException as exc:
            with self._cond:
                self._tasks.clear()
                self._closed = True
                self._cond.notify_all()
            if isinstance(exc, Exception):  # an interrupt goes straight up
                self._wind_down()
            raise
        finally:
            if not any(thread.is_alive() for thread in self._threads):
                for client in self._clients:
                    client.close()
        if self._failures:
            self._wind_down()
            raise self._failures[0]
        return self.sent

    # -- the producer's side -----------------------------------------------------------------

    def _start(self) -> None:
        """Before the first request of the load: remove the staging graphs interrupted loads left
        (the store's answer tells whether it is Virtuoso), then open the connections."""
        if self._threads:
            return
        self.removed = _remove_staging_graphs(self.store)
        self.one_put = min(self.chunk_size, VIRTUOSO_ATOMIC_PUT) if self.store.is_virtuoso else self.chunk_size
        self._clients = [self.connect() for _ in range(self.parallel)]
        self._threads = [threading.Thread(target=self._work, args=(client,), daemon=True, name=f"kg-load-{i}")
                         for i, client in enumerate(self._clients, start=1)]
        for thread in self._threads:
            thread.start()

    def _chunk(self, graph: str, lines: list[bytes]) -> None:
        if self.store.endpoints.update is None:
            raise UsageError(
                f"graphs over {self.one_put} triples go in chunks and need the update endpoint, which cannot be "
                f"derived from {self.store.endpoints.graph_store}: give --update-endpoint")
        self._start()
        staged = self._staged.setdefault(graph, _Staged(staging_graph_name()))
        staged.chunks += 1
        staged.sentinels.append(_sentinel(lines))

        def post(client: GraphStore) -> None:
            client.post(staged.name, b"".join(lines))
            with self._cond:
                staged.landed += 1
                self._install_when_complete(graph, staged)

        self._submit(post)

    def _end(self, end: GraphEnd) -> None:
        self._start()
        if not end.chunked and end.triples <= self.one_put:
            def put(client: GraphStore) -> None:
                client.put(end.graph, b"".join(end.lines))
                self._sent(GraphLoad(end.graph, end.triples))

            self._submit(put)
            return
        for piece in _pieces(end.lines, chunk_size=self.chunk_size, last_over=self.parallel):
            self._chunk(end.graph, piece)
        with self._cond:
            staged = self._staged[end.graph]
            staged.triples = end.triples
            self._install_when_complete(end.graph, staged)

    def _submit(self, task: Task) -> None:
        """Queue a request, waiting while ``parallel`` wait already (memory holds that many chunks)."""
        with self._cond:
            while len(self._tasks) >= self.parallel and not self._failures:
                self._cond.wait()
            if self._failures:
                raise self._failures[0]
            self._tasks.append(task)
            self._cond.notify_all()

    def _close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join()

    def _wind_down(self) -> None:
        """After a failure: let the requests in flight end, then remove the staging graphs of the
        graphs not put in place."""
        for thread in self._threads:
            thread.join()
        for staged in self._staged.values():
            if not staged.installed:
                _discard(self.store, staged.name)

    # -- the connections' side ---------------------------------------------------------------

    def _work(self, client: GraphStore) -> None:
        while True:
            with self._cond:
                while not self._tasks and not self._failures and not (self._closed and not self._busy):
                    self._cond.wait()
                if self._failures or not self._tasks:
                    return
                task = self._tasks.popleft()
                self._busy += 1
                self._cond.notify_all()  # room in the queue
            try:
                task(client)
            except Exception as exc:  # noqa: BLE001 - raised again by the producer's thread
                with self._cond:
                    self._failures.append(exc)
                    self._busy -= 1
                    self._cond.notify_all()
                return
            with self._cond:
                self._busy -= 1
                self._cond.notify_all()

    def _install_when_complete(self, graph: str, staged: _Staged) -> None:
        """Queue the swap (or fill) of ``graph`` first, once all its chunks are in (holding the lock)."""
        if staged.triples is None or staged.landed < staged.chunks:
            return

        def install(client: GraphStore) -> None:
            sentinel = _check_chunks(client, staged.name, graph, staged.sentinels)
            if client.has_graph(graph):
                client.swap(staged.name, graph, sentinels=[sentinel])
            else:
                client.fill(staged.name, graph)
            staged.installed = True
            self._sent(GraphLoad(graph, staged.triples or 0, chunks=staged.chunks, staged=True))

        self._tasks.appendleft(install)
        self._cond.notify_all()

    def _sent(self, load: GraphLoad) -> None:
        with self._cond:
            self.sent.append(load)
            if self.on_graph_sent is not None:
                self.on_graph_sent(load)


def _pieces(lines: list[bytes], *, chunk_size: int, last_over: int) -> Iterator[list[bytes]]:
    """``lines`` in chunks of ``chunk_size``, the last chunk cut in ``last_over`` near-equal pieces:
    the swap waits for it, and the connections send the pieces at the same time.

    >>> [len(piece) for piece in _pieces([b"t"] * 25, chunk_size=10, last_over=2)]
    [10, 10, 3, 2]
    """
    if not lines:
        return
    last = (len(lines) - 1) // chunk_size * chunk_size
    for start in range(0, last, chunk_size):
        yield lines[start : start + chunk_size]
    size = -(-(len(lines) - last) // last_over)
    for start in range(last, len(lines), size):
        yield lines[start : start + size]


def _sentinel(lines: list[bytes]) -> ox.Triple:
    """A triple of a chunk to ask about before the swap: one without a literal where there is one,
    else one without a typed literal (a store may hold a typed literal in another form, and the
    question would not find it)."""
    line = next((line for line in lines if b'"' not in line), None) or next(
        (line for line in lines if b"^^" not in line), lines[0])
    quad = next(iter(ox.parse(line, format=ox.RdfFormat.N_TRIPLES)))
    return ox.Triple(quad.subject, quad.predicate, quad.object)


_ASKED_AT_ONCE = 100
"""Triples asked about in one query by :func:`_check_chunks`."""


def _check_chunks(store: GraphStore, staging: str, target: str, sentinels: list[ox.Triple]) -> ox.Triple:
    """Refuse to swap in a staging graph that lost a chunk (another load removed it while the chunks
    went in): count which of the triples, one of each chunk, it holds. Return the first, which the
    swap asks about again in its own transaction (a removal after this question takes them all)."""
    for start in range(0, len(sentinels), _ASKED_AT_ONCE):
        batch = sentinels[start : start + _ASKED_AT_ONCE]
        values = " ".join(f"({t.subject} {t.predicate} {t.object})" for t in batch)
        rows = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES (?s ?p ?o) {{ {values} }} "
                            f"GRAPH {ox.NamedNode(staging)} {{ ?s ?p ?o }} }}")
        try:
            held = int(rows[0]["n"])
        except (IndexError, KeyError, ValueError):
            held = -1
        if held != len(batch):
            raise RemoteError(
                f"the staging graph <{staging}> lost a chunk before the swap (did another kg load remove it?): "
                f"<{target}> was not touched", url=store.endpoints.query)
    return sentinels[0]


def _discard(store: GraphStore, staging: str) -> None:
    """Remove a staging graph after a failure, once and quietly: the failure is what matters."""
    try:
        store.delete(staging, retry=False)
    except (RemoteError, UsageError):
        logger.warning("could not remove the staging graph <%s>: the next kg load removes it, or DROP SILENT GRAPH <%s>",
                       staging, staging)
