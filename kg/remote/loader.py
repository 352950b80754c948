"""Loading named graphs into any SPARQL 1.1 store through the Graph Store HTTP Protocol.

Strategy
--------
Each named graph of the dataset is sent on its own, as N-Triples, ``parallel`` graphs at a time
(each on its own connection, the largest first):

* A graph of at most ``chunk_size`` triples goes in one ``PUT <endpoint>?graph=<IRI>``. The
  protocol defines PUT as "replace the graph": the store parses the body and swaps the content in
  one transaction, so loading again replaces rather than duplicates, and a body the store refuses
  leaves the earlier content as it was (Oxigraph 0.5.13 answers ``400`` and keeps the old graph;
  Fuseki does the same). Virtuoso shows readers a PUT of more than about 100,000 triples in parts:
  there, larger graphs go through a staging graph (:data:`VIRTUOSO_ATOMIC_PUT`).
* A larger graph goes in chunks into a *staging graph* with a fresh, recognisable name
  (``urn:kikg:staging:<UTC time>:<uuid>``): ``PUT`` of the first chunk, ``POST`` (add) of the
  others. Then one SPARQL Update swaps it into place (:meth:`GraphStore.swap`): one operation
  deletes the target's triples the staging graph lacks and inserts the staging graph's triples the
  target lacks, a second drops the staging graph, so readers of the target see the old graph or
  the new one, never half of it, even where a client that hangs up stops the request between its
  operations (Virtuoso 7.2). A target that holds nothing yet (a first load) is filled instead
  (:meth:`GraphStore.fill`: ``ADD`` of the staging graph, then the drop), which Virtuoso runs 3 to 8
  times faster. If a chunk fails, the staging graph is deleted and the target has not been
  touched. Until the swap, the staging graph is a graph of the store like any other: a query of the
  union of all graphs sees its triples. (Virtuoso 7.2 shows readers a large swap or fill in parts,
  as it does a large PUT: see docs/loading.md.)

The swap is not ``MOVE GRAPH <staging> TO GRAPH <target>``: Virtuoso 7.2 does not replay a MOVE
(or a COPY, or a DROP before an INSERT) right after a crash, and came back with 408 of 3,671 triples
missing from the target (measured); the delete-and-insert of the differences it replays right.

Staging graphs left behind
--------------------------
A load killed between its first chunk and its swap (or a store that died then) leaves its staging
graph behind. Every load first removes the staging graphs it finds (one load at a time per store:
a load removes the staging graph of another one running), and the check after the load counts the
staging graphs still there: any left makes the load fail, since they show in a union default graph.
Before its swap, a load asks whether a triple of its first chunk is still in its staging graph, so
that a staging graph removed under it is never swapped in half-filled (which would leave the target
with half its triples), and the swap asks again inside its own transaction: a staging graph removed
between the question and the swap leaves the target as it was (the check then fails the load)
instead of emptying it.

A swap whose answer was lost (a timeout after the store committed) must not be sent again: the
staging graph is gone by then, and the same update would delete the whole target. Before repeating
a swap the loader asks whether the staging graph is still there; if it is gone, the first swap went
through.

Retries
-------
Only timeouts, connection errors and ``5xx`` answers are retried, with exponential backoff
(``backoff * 2**n`` seconds); a ``4xx`` answer never is. Every request is safe to repeat: PUT
replaces, POST adds a *set* of triples (the dataset has no blank nodes: :meth:`Dataset.from_file`
skolemises them), queries read, and the swap is guarded as above.

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
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox

from kg.dataset import Dataset
from kg.errors import InputError, RemoteError, UsageError
from kg.graphs import DEFAULT_BASE_IRI
from kg.remote.check import merged_values
from kg.remote.graph_store import GraphStore
from kg.remote.http import Auth
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
        A dataset file (TriG, N-Quads...) or a :class:`~kg.dataset.Dataset`.
    endpoint, query_endpoint, update_endpoint, timeout, retries, backoff, auth, allow_insecure
        As for :class:`GraphStore`.
    graphs
        Load only these named graphs (full IRIs, or relative to ``base_iri``); default all.
    chunk_size
        Graphs with more triples go in chunks of this many through a staging graph.
    parallel
        How many graphs are sent at the same time, each on its own connection (largest first).
    base_iri
        The base IRI of the data, for reading a file and resolving relative ``graphs``.
    on_graph_sent
        Called after each graph has been sent, before the counts are checked.

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
    RemoteError
        The store cannot be reached or refuses a request; :class:`LoadCountMismatch` when it holds
        other counts than were sent (values it merged aside) or staging graphs are left.
    """
    if chunk_size < 1:
        raise UsageError(f"the chunk size must be at least 1, got {chunk_size}")
    if parallel < 1:
        raise UsageError(f"at least one graph is sent at a time, got parallel={parallel}")

    def connect() -> GraphStore:
        return GraphStore(endpoint, query_endpoint=query_endpoint, update_endpoint=update_endpoint, timeout=timeout,
                          retries=retries, backoff=backoff, auth=auth, allow_insecure=allow_insecure)

    store = connect()
    try:
        dataset = source if isinstance(source, Dataset) else Dataset.from_file(source, base_iri=base_iri)
        counts = dataset.triple_counts()
        if "" in counts:
            raise InputError(
                f"{counts['']} triples are in the default graph: only named graphs are loaded (put them in a named "
                "graph, for example with TriG)",
                file=None if isinstance(source, Dataset) else source,
            )
        selected = _select_graphs(list(counts), graphs, base=base_iri)
        if store.endpoints.update is None and any(counts[g] > chunk_size for g in selected):
            raise UsageError(
                f"graphs over {chunk_size} triples go in chunks and need the update endpoint, which cannot be "
                f"derived from {endpoint}: give --update-endpoint"
            )
        started = time.perf_counter()
        removed = _remove_staging_graphs(store)  # the store has answered: is_virtuoso is known
        one_put = min(chunk_size, VIRTUOSO_ATOMIC_PUT) if store.is_virtuoso else chunk_size
        largest_first = sorted(selected, key=lambda g: -counts[g])
        sent = _send_graphs(store, connect, dataset, largest_first, parallel=parallel, chunk_size=chunk_size,
                            one_put=one_put, on_graph_sent=on_graph_sent)
        sent.sort(key=lambda load: selected.index(load.graph))
        checked = tuple(_checked(store, dataset, load) for load in sent)
        staging = tuple(StagingGraph(g, store.count(g)) for g in store.graphs(prefix=STAGING_PREFIX))
        report = LoadReport(endpoint, checked, time.perf_counter() - started, staging=staging,
                            removed_staging=removed)
    finally:
        store.close()
    for load in report.graphs:
        for merged in load.merged:
            logger.warning("the store merged triples of <%s> it takes as the same value: %s", load.graph,
                           merged.text())
    if not report.ok:
        raise LoadCountMismatch(report)
    return report


def _checked(store: GraphStore, dataset: Dataset, load: GraphLoad) -> GraphLoad:
    on_server = store.count(load.graph)
    merged = merged_values(store, dataset, load.graph) if on_server < load.sent else ()
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


def _select_graphs(available: list[str], wanted: Iterable[str] | None, *, base: str) -> list[str]:
    if wanted is None:
        return available
    chosen = []
    for name in wanted:
        graph = name if name in available else base + name
        if graph not in available:
            raise UsageError(f"the dataset has no graph {name!r} (it has: {', '.join(available)})")
        if graph not in chosen:
            chosen.append(graph)
    return chosen


def _send_graphs(store: GraphStore, connect: Callable[[], GraphStore], dataset: Dataset, graphs: list[str], *,
                 parallel: int, chunk_size: int, one_put: int,
                 on_graph_sent: Callable[[GraphLoad], None] | None) -> list[GraphLoad]:
    """Send ``graphs`` over ``parallel`` connections (``store`` and new ones), each taking the next
    graph when it is done; the loads in the order they finished.

    The first failure stops the others from taking another graph; the graphs they are sending
    finish (or fail) on their own, and the failure is raised. Interrupted, the loader stops at once;
    the staging graphs of the graphs in flight are left for the next load to remove.
    """
    pending = list(reversed(graphs))
    sent: list[GraphLoad] = []
    failures: list[Exception] = []
    lock = threading.Lock()

    def work(client: GraphStore) -> None:
        while True:
            with lock:
                if failures or not pending:
                    return
                graph = pending.pop()
            try:
                load = _send_graph(client, dataset, graph, chunk_size=chunk_size, one_put=one_put)
            except Exception as exc:  # noqa: BLE001 - raised again by the caller's thread; an interrupt goes straight up
                with lock:
                    failures.append(exc)
                return
            with lock:
                sent.append(load)
                if on_graph_sent is not None:
                    on_graph_sent(load)

    others = [connect() for _ in range(min(parallel, len(graphs)) - 1)]
    threads = [threading.Thread(target=work, args=(client,), daemon=True, name=f"kg-load-{i}")
               for i, client in enumerate(others, start=1)]
    try:
        for thread in threads:
            thread.start()
        work(store)
        for thread in threads:
            thread.join()
    except BaseException:
        with lock:
            pending.clear()
        raise
    finally:
        if not any(thread.is_alive() for thread in threads):
            for client in others:
                client.close()
    if failures:
        raise failures[0]
    return sent


def _send_graph(store: GraphStore, dataset: Dataset, graph: str, *, chunk_size: int, one_put: int) -> GraphLoad:
    data = dataset.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
    assert data is not None  # dump() returns bytes when given no output
    lines = data.splitlines(keepends=True)  # N-Triples: one triple a line
    if len(lines) <= one_put:
        store.put(graph, data)
        return GraphLoad(graph, len(lines))
    staging = staging_graph_name()
    chunks = [b"".join(lines[i : i + chunk_size]) for i in range(0, len(lines), chunk_size)]
    try:
        store.put(staging, chunks[0])
        for chunk in chunks[1:]:
            store.post(staging, chunk)
        sentinel = _check_first_chunk(store, staging, graph, lines[:chunk_size])
        if store.has_graph(graph):
            store.swap(staging, graph, sentinel=sentinel)
        else:
            store.fill(staging, graph)
    except BaseException:
        _discard(store, staging)
        raise
    return GraphLoad(graph, len(lines), chunks=len(chunks), staged=True)


def _check_first_chunk(store: GraphStore, staging: str, target: str, first_chunk: list[bytes]) -> ox.Triple:
    """Refuse to swap in a staging graph that lost its first chunk (another load removed it); return
    the triple asked about, which the swap asks about again in its own transaction."""
    sentinel = next((line for line in first_chunk if b'"' not in line), first_chunk[0])
    quad = next(iter(ox.parse(sentinel, format=ox.RdfFormat.N_TRIPLES)))
    triple = ox.Triple(quad.subject, quad.predicate, quad.object)
    pattern = f"{triple.subject} {triple.predicate} {triple.object}"
    answer = store.query(f"ASK {{ GRAPH {ox.NamedNode(staging)} {{ {pattern} }} }}", what="staging check")
    if not answer.boolean:
        raise RemoteError(
            f"the staging graph <{staging}> lost its first chunk before the swap (did another kg load remove it?): "
            f"<{target}> was not touched", url=store.endpoints.query)
    return triple


def _discard(store: GraphStore, staging: str) -> None:
    """Remove a staging graph after a failure, once and quietly: the failure is what matters."""
    try:
        store.delete(staging, retry=False)
    except (RemoteError, UsageError):
        logger.warning("could not remove the staging graph <%s>: the next kg load removes it, or DROP SILENT GRAPH <%s>",
                       staging, staging)
