"""What a load sent and what the store holds afterwards: :class:`LoadReport` and its parts."""

from __future__ import annotations

from dataclasses import dataclass

from kg.errors import RemoteError

__all__ = ["DEFAULT_CHUNK_SIZE", "DEFAULT_PARALLEL", "STAGING_PREFIX", "GraphLoad", "LoadCountMismatch", "LoadReport", "MergedValues",
           "StagingGraph"]

DEFAULT_CHUNK_SIZE = 200_000
"""Triples per request: graphs larger than this are loaded in chunks through a staging graph."""
DEFAULT_PARALLEL = 2
"""Requests sent at the same time, each on its own connection: on Virtuoso 7.2, two streams of
Graph Store requests added 577,510 triples in 5.5 s where one took 8.5 s (measured on 2 cores)."""
STAGING_PREFIX = "urn:kikg:staging:"
"""The start of the name of every staging graph."""


@dataclass(frozen=True)
class MergedValues:
    """Triples of one subject and predicate that the store holds as fewer triples.

    Some stores keep one triple for objects they take as the same value: Virtuoso 7.2 stores
    ``"2009"^^xsd:gYear`` and ``"2009-01"^^xsd:gYearMonth`` of one subject and predicate as one.
    Terms are in N-Triples form.
    """

    subject: str
    predicate: str
    sent: tuple[str, ...]
    """The objects sent."""
    held: tuple[str, ...]
    """The objects the store answers with."""

    @property
    def lost(self) -> int:
        """How many triples fewer the store holds."""
        return len(self.sent) - len(self.held)

    def text(self) -> str:
        """One line: the subject and predicate, what was sent and what the store holds.

        >>> MergedValues("<s>", "<p>", ('"1"', '"2"'), ('"1"',)).text()
        '<s> <p>: sent "1", "2"; the store holds "1"'
        """
        return f"{self.subject} {self.predicate}: sent {', '.join(self.sent)}; the store holds {', '.join(self.held)}"


@dataclass(frozen=True)
class StagingGraph:
    """A staging graph of a chunked load (``urn:kikg:staging:...``) and its triples."""

    graph: str
    triples: int


@dataclass(frozen=True)
class GraphLoad:
    """One named graph of a load."""

    graph: str
    sent: int
    """Triples sent."""
    chunks: int = 1
    """Requests the triples went in."""
    on_server: int | None = None
    """Triples counted on the server after the load (``None`` before the check)."""
    merged: tuple[MergedValues, ...] = ()
    """Triples the store merged with others of equal value (found when the counts differ)."""
    staged: bool = False
    """Whether the triples went through a staging graph, swapped in at the end."""

    @property
    def merged_triples(self) -> int:
        """How many triples fewer the store holds because it merged values."""
        return sum(m.lost for m in self.merged)

    @property
    def ok(self) -> bool:
        """Whether the server holds what was sent, but for the values it merged."""
        return self.on_server == self.sent - self.merged_triples


@dataclass(frozen=True)
class LoadReport:
    """What :func:`~kg.remote.load_dataset` sent and what the server holds afterwards."""

    endpoint: str
    graphs: tuple[GraphLoad, ...]
    seconds: float
    staging: tuple[StagingGraph, ...] = ()
    """Staging graphs on the store after the load (another load running, or one interrupted)."""
    removed_staging: tuple[StagingGraph, ...] = ()
    """Staging graphs of earlier, interrupted loads that this load removed before it started."""

    @property
    def total_sent(self) -> int:
        """Triples sent, all graphs."""
        return sum(g.sent for g in self.graphs)

    @property
    def total_on_server(self) -> int:
        """Triples counted on the server, all loaded graphs."""
        return sum(g.on_server or 0 for g in self.graphs)

    @property
    def merged(self) -> tuple[MergedValues, ...]:
        """Every group of triples the store merged, all graphs."""
        return tuple(m for g in self.graphs for m in g.merged)

    @property
    def ok(self) -> bool:
        """Whether every graph is on the server as sent (but for merged values), and no staging
        graph is left in the store's union of graphs."""
        return all(g.ok for g in self.graphs) and not self.staging

    def text(self) -> str:
        """One line per graph (graph, triples sent, triples on the server), a total, and notes on
        merged values and staging graphs.

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
        for load in self.graphs:
            if load.merged:
                lines.append(f"<{load.graph}>: the store merged {load.merged_triples} triple"
                             f"{'s' if load.merged_triples != 1 else ''} with others it takes as the same value:")
                lines.extend(f"  {m.text()}" for m in load.merged)
        for staging in self.staging:
            lines.append(f"staging graph <{staging.graph}> holds {staging.triples} triples (visible in a union default "
                         "graph): another load is running, or one was interrupted; the next kg load removes it")
        return "\n".join(lines)


class LoadCountMismatch(RemoteError):
    """The server holds something else than was sent (other counts, or staging graphs left);
    ``report`` tells which graphs."""

    def __init__(self, report: LoadReport) -> None:
        self.report = report
        problems = []
        for g in report.graphs:
            if not g.ok:
                merged = f" ({g.merged_triples} of them merged by the store)" if g.merged else ""
                problems.append(f"<{g.graph}>: sent {g.sent}, on server {g.on_server}{merged}")
        if report.staging:
            triples = sum(s.triples for s in report.staging)
            problems.append(f"{len(report.staging)} staging graph{'s' if len(report.staging) != 1 else ''} "
                            f"with {triples} triples left in the store")
        super().__init__(f"the server does not hold what was sent: {'; '.join(problems)}", url=report.endpoint)
