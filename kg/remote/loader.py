"""Loading named graphs into any SPARQL 1.1 store through the Graph Store HTTP Protocol.

Strategy
--------
Each named graph of the dataset is sent on its own, as N-Triples:

* A graph of at most ``chunk_size`` triples goes in one ``PUT <endpoint>?graph=<IRI>``. The
  protocol defines PUT as "replace the graph": the store parses the body and swaps the content in
  one transaction, so loading again replaces rather than duplicates, and a body the store refuses
  leaves the earlier content as it was (Oxigraph 0.5.13 answers ``400`` and keeps the old graph;
  Fuseki does the same).
* A larger graph goes in chunks into a *staging graph* with a fresh name (``urn:uuid:...``):
  ``PUT`` of the first chunk, ``POST`` (add) of the others. Then one SPARQL Update,
  ``MOVE GRAPH <staging> TO GRAPH <target>``, swaps it into place. One update request is one
  transaction, so readers see the old graph or the new one, never half of it. If a chunk fails, the
  staging graph is deleted and the target has not been touched.

The swap is ``MOVE`` without ``SILENT`` on purpose. SPARQL 1.1 defines ``MOVE SILENT`` from a graph
that does not exist as "drop the target": Oxigraph 0.5.13 does exactly that. A MOVE whose answer
was lost (a timeout after the store committed) and which is then sent again finds no staging graph;
with ``SILENT`` it would empty the target. Without ``SILENT`` the repeated request fails and
changes nothing, and before repeating a MOVE the loader asks whether the staging graph is still
there: if it is gone, the first MOVE went through.

Retries
-------
Only timeouts, connection errors and ``5xx`` answers are retried, with exponential backoff
(``backoff * 2**n`` seconds); a ``4xx`` answer never is. Every request is safe to repeat: PUT
replaces, POST adds a *set* of triples (the dataset has no blank nodes: :meth:`Dataset.from_file`
skolemises them), queries read, and the MOVE is guarded as above.

Checking
--------
After loading, the triples of every graph are counted on the query endpoint
(``SELECT (COUNT(*) AS ?n) WHERE { GRAPH <g> { ?s ?p ?o } }``); any difference from what was sent
raises :class:`LoadCountMismatch`.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.dataset import Dataset
from kg.errors import InputError, RemoteError, UsageError
from kg.graphs import DEFAULT_BASE_IRI
from kg.remote.graph_store import GraphStore

__all__ = ["DEFAULT_CHUNK_SIZE", "GraphLoad", "LoadCountMismatch", "LoadReport", "load_dataset"]

logger = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 200_000
"""Triples per request: graphs larger than this are loaded in chunks through a staging graph."""

@dataclass(frozen=True)
class GraphLoad:
    """One named graph of a load."""

    graph: str
    sent: int
    """Triples sent."""
    chunks: int = 1
    """Requests the triples went in (more than one: through a staging graph)."""
    on_server: int | None = None
    """Triples counted on the server after the load (``None`` before the check)."""

    @property
    def ok(self) -> bool:
        """Whether the server holds as many triples as were sent."""
        return self.on_server == self.sent


@dataclass(frozen=True)
class LoadReport:
    """What :func:`load_dataset` sent and what the server holds afterwards."""

    endpoint: str
    graphs: tuple[GraphLoad, ...]
    seconds: float

    @property
    def total_sent(self) -> int:
        """Triples sent, all graphs."""
        return sum(g.sent for g in self.graphs)

    @property
    def total_on_server(self) -> int:
        """Triples counted on the server, all loaded graphs."""
        return sum(g.on_server or 0 for g in self.graphs)

    @property
    def ok(self) -> bool:
        """Whether every graph has on the server as many triples as were sent."""
        return all(g.ok for g in self.graphs)

    def text(self) -> str:
        """One line per graph (graph, triples sent, triples on the server) and a total.

        Examples
        --------
        >>> report = LoadReport("http://localhost:7878/store", (GraphLoad("http://ex/g", 3, on_server=3),), 0.1)
        >>> print(report.text())
        graph              sent  on server
        http://ex/g           3          3
        total (1 graph)       3          3
        """
        total = f"total ({len(self.graphs)} graph{'s' if len(self.graphs) != 1 else ''})"
        width = max([len(g.graph) for g in self.graphs] + [len(total), len("graph")])
        lines = [f"{'graph':<{width}}  {'sent':>8}  {'on server':>9}"]
        for load in self.graphs:
            server = "?" if load.on_server is None else str(load.on_server)
            lines.append(f"{load.graph:<{width}}  {load.sent:>8}  {server:>9}")
        lines.append(f"{total:<{width}}  {self.total_sent:>8}  {self.total_on_server:>9}")
        return "\n".join(lines)


class LoadCountMismatch(RemoteError):
    """The server holds a different number of triples than were sent; ``report`` tells which graphs."""

    def __init__(self, report: LoadReport) -> None:
        self.report = report
        wrong = "; ".join(f"<{g.graph}>: sent {g.sent}, on server {g.on_server}" for g in report.graphs if not g.ok)
        super().__init__(f"the server does not hold what was sent: {wrong}", url=report.endpoint)


def load_dataset(
    source: str | Path | Dataset,
    *,
    endpoint: str,
    query_endpoint: str | None = None,
    update_endpoint: str | None = None,
    graphs: Iterable[str] | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    timeout: float = 120.0,
    retries: int = 3,
    backoff: float = 0.5,
    allow_insecure: bool = False,
    base_iri: str = DEFAULT_BASE_IRI,
    on_graph_sent: Callable[[GraphLoad], None] | None = None,
) -> LoadReport:
    """Load the named graphs of a dataset into a store, each replacing its earlier content.

    Parameters
    ----------
    source
        A dataset file (TriG, N-Quads...) or a :class:`~kg.dataset.Dataset`.
    endpoint, query_endpoint, update_endpoint, timeout, retries, backoff, allow_insecure
        As for :class:`GraphStore`.
    graphs
        Load only these named graphs (full IRIs, or relative to ``base_iri``); default all.
    chunk_size
        Graphs with more triples go in chunks of this many through a staging graph.
    base_iri
        The base IRI of the data, for reading a file and resolving relative ``graphs``.
    on_graph_sent
        Called after each graph has been sent, before the counts are checked.

    Returns
    -------
    LoadReport
        The graphs with the triples sent and counted on the server.

    Raises
    ------
    UsageError
        Bad options or URLs, unknown ``graphs``, credentials that would go over plain http.
    InputError
        An unreadable dataset file, or triples in its default graph (only named graphs are loaded).
    RemoteError
        The store cannot be reached or refuses a request; :class:`LoadCountMismatch` when its
        counts differ from what was sent.
    """
    if chunk_size < 1:
        raise UsageError(f"the chunk size must be at least 1, got {chunk_size}")
    store = GraphStore(endpoint, query_endpoint=query_endpoint, update_endpoint=update_endpoint, timeout=timeout,
                       retries=retries, backoff=backoff, allow_insecure=allow_insecure)
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
            f"graphs over {chunk_size} triples go in chunks and need the update endpoint, which cannot be derived "
            f"from {endpoint}: give --update-endpoint"
        )
    started = time.perf_counter()
    sent = []
    for graph in selected:
        load = _send_graph(store, dataset, graph, chunk_size=chunk_size)
        sent.append(load)
        if on_graph_sent is not None:
            on_graph_sent(load)
    checked = tuple(
        GraphLoad(load.graph, load.sent, load.chunks, store.count(load.graph)) for load in sent
    )
    report = LoadReport(endpoint, checked, time.perf_counter() - started)
    if not report.ok:
        raise LoadCountMismatch(report)
    return report


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


def _send_graph(store: GraphStore, dataset: Dataset, graph: str, *, chunk_size: int) -> GraphLoad:
    data = dataset.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
    assert data is not None  # dump() returns bytes when given no output
    lines = data.splitlines(keepends=True)  # N-Triples: one triple a line
    if len(lines) <= chunk_size:
        store.put(graph, data)
        return GraphLoad(graph, len(lines))
    staging = f"urn:uuid:{uuid.uuid4()}"
    chunks = [b"".join(lines[i : i + chunk_size]) for i in range(0, len(lines), chunk_size)]
    try:
        store.put(staging, chunks[0])
        for chunk in chunks[1:]:
            store.post(staging, chunk)
        store.move(staging, graph)
    except BaseException:
        _discard(store, staging)
        raise
    return GraphLoad(graph, len(lines), chunks=len(chunks))


def _discard(store: GraphStore, staging: str) -> None:
    """Remove a staging graph after a failure, once and quietly: the failure is what matters."""
    try:
        store.delete(staging, retry=False)
    except (RemoteError, UsageError):
        logger.warning("could not remove the staging graph <%s>: remove it with DROP SILENT GRAPH <%s>", staging, staging)
