"""A Graph Store HTTP Protocol client with retries, and the SPARQL queries and updates a load needs."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Sequence

import pyoxigraph as ox

from kg.errors import RemoteError, UsageError
from kg.queries.results import QueryResult
from kg.remote.endpoints import Endpoints
from kg.remote.http import Auth, HttpClient, Role
from kg.remote.sparql import (
    GRAPH_NAMES_PROBE,
    enumerates_graphs,
    graphs_on,
    run_query,
)

__all__ = ["GraphStore", "fill_updates", "swap_update"]

NTRIPLES = "application/n-triples"


def swap_update(staging: str, target: str, *, sentinels: Sequence[ox.Triple] = ()) -> str:
    """The SPARQL update of :meth:`GraphStore.swap`: the differences in one operation, then the drop.

    >>> print(swap_update("urn:s", "urn:t"))  # doctest: +NORMALIZE_WHITESPACE
    DELETE { GRAPH <urn:t> { ?old_s ?old_p ?old_o } } INSERT { GRAPH <urn:t> { ?new_s ?new_p ?new_o } }
    WHERE { { GRAPH <urn:t> { ?old_s ?old_p ?old_o } FILTER NOT EXISTS { GRAPH <urn:s> { ?old_s ?old_p ?old_o } } }
    UNION { GRAPH <urn:s> { ?new_s ?new_p ?new_o } FILTER NOT EXISTS { GRAPH <urn:t> { ?new_s ?new_p ?new_o } } } } ;
    DROP SILENT GRAPH <urn:s>
    """
    s, t = ox.NamedNode(staging), ox.NamedNode(target)
    # Each branch binds its own variables: the DELETE template skips the rows of the INSERT branch
    # (unbound variables) and the other way round.
    patterns = " ".join(f"{t.subject} {t.predicate} {t.object} ." for t in sentinels)
    guard = f"GRAPH {s} {{ {patterns} }} " if sentinels else ""
    old, new = "?old_s ?old_p ?old_o", "?new_s ?new_p ?new_o"
    return (
        f"DELETE {{ GRAPH {t} {{ {old} }} }} INSERT {{ GRAPH {t} {{ {new} }} }}\n"
        f"WHERE {{ {guard}{{ GRAPH {t} {{ {old} }} FILTER NOT EXISTS {{ GRAPH {s} {{ {old} }} }} }}\n"
        f"UNION {{ GRAPH {s} {{ {new} }} FILTER NOT EXISTS {{ GRAPH {t} {{ {new} }} }} }} }} ;\n"
        f"DROP SILENT GRAPH {s}"
    )


def fill_updates(staging: str, target: str, *, virtuoso: bool = False) -> tuple[str, str]:
    """The two SPARQL updates of :meth:`GraphStore.fill`: add the staging graph to the (empty) target,
    then drop the staging graph (on Virtuoso, committed row by row).

    >>> print(*fill_updates("urn:s", "urn:t"), sep="\\n")
    ADD GRAPH <urn:s> TO GRAPH <urn:t>
    DROP SILENT GRAPH <urn:s>
    >>> print(fill_updates("urn:s", "urn:t", virtuoso=True)[1])
    DEFINE sql:log-enable 3 DROP SILENT GRAPH <urn:s>
    """
    drop = f"DROP SILENT GRAPH {ox.NamedNode(staging)}"
    # Virtuoso's pragma for a logged, row-by-row commit: twice as fast as one transaction
    # (577,510 triples: 1.6-2.2 s against 3.2-3.8 s, measured). Only this drop: what it stops
    # half-way leaves part of a staging graph, which the next load removes, never part of a target.
    return f"ADD GRAPH {ox.NamedNode(staging)} TO GRAPH {ox.NamedNode(target)}", (
        f"DEFINE sql:log-enable 3 {drop}" if virtuoso else drop)


class GraphStore:
    """A client of one store: Graph Store Protocol requests, SPARQL updates and counts.

    Parameters
    ----------
    endpoint
        The graph-store endpoint (Oxigraph ``http://host:port/store``, Fuseki
        ``http://host:port/<ds>/data``, GraphDB ``http://host:7200/repositories/<repo>/rdf-graphs/service``,
        Virtuoso ``http://host:8890/sparql-graph-crud-auth``).
    query_endpoint, update_endpoint
        Where they cannot be derived from ``endpoint`` (see :meth:`Endpoints.derive`).
    timeout
        Seconds to wait for each request.
    retries
        How many times a request is repeated after a timeout, a connection error or a ``5xx``.
    backoff
        Seconds before the first retry; each further retry waits twice as long.
    auth
        How credentials are sent: Basic, then Digest when the store asks for it (``Auth.AUTO``).
    allow_insecure
        Allow Basic credentials over plain http to a host that is not loopback.

    Raises
    ------
    UsageError
        For bad URLs or options, or credentials that would go over plain http.
    """

    def __init__(
        self,
        endpoint: str,
        *,
        query_endpoint: str | None = None,
        update_endpoint: str | None = None,
        timeout: float = 120.0,
        retries: int = 3,
        backoff: float = 0.5,
        auth: Auth = Auth.AUTO,
        allow_insecure: bool = False,
    ) -> None:
        self.endpoints = Endpoints.derive(endpoint, query=query_endpoint, update=update_endpoint)
        self._query_derived = query_endpoint is None
        self._enumerates_graphs: bool | None = None
        self.http = HttpClient(timeout=timeout, retries=retries, backoff=backoff, auth=auth,
                               allow_insecure=allow_insecure)
        for url in (self.endpoints.graph_store, self.endpoints.query, self.endpoints.update):
            if url is not None:
                self.http.credentials(url)  # refuses credentials that may not go there, before anything is sent

    def __repr__(self) -> str:
        return f"<GraphStore {self.endpoints.graph_store}>"

    @property
    def is_virtuoso(self) -> bool:
        """Whether the store said it is Virtuoso (its ``Server`` header), once it has answered."""
        return any(self.http.software(url).startswith("Virtuoso/")
                   for url in (self.endpoints.graph_store, self.endpoints.query))

    def close(self) -> None:
        """Close the connections kept open to the store."""
        self.http.close()

    # -- graph store protocol -------------------------------------------------------------

    def put(self, graph: str, data: bytes, *, content_type: str = NTRIPLES) -> None:
        """Replace the content of ``graph`` by ``data`` (one transaction on the store)."""
        self._send("PUT", graph, data, content_type)

    def post(self, graph: str, data: bytes, *, content_type: str = NTRIPLES) -> None:
        """Add ``data`` to ``graph``."""
        self._send("POST", graph, data, content_type)

    def delete(self, graph: str, *, retry: bool = True) -> bool:
        """Delete ``graph``; return whether it existed. ``retry=False`` sends a single attempt."""
        url = self._graph_url(graph)
        answer = self.http.request("DELETE", url, what=f"graph <{graph}>", retries=None if retry else 0)
        if answer.status == 404:
            return False
        self.http.raise_for(answer, url, role=Role.GRAPH_STORE, what=f"graph <{graph}>")
        return True

    # -- SPARQL -----------------------------------------------------------------------------

    def update(self, text: str, *, unless: Callable[[], bool] | None = None) -> None:
        """Run a SPARQL Update (one transaction on the store).

        ``unless`` is asked before each retry; when it answers ``True`` the update is taken as done
        (its earlier attempt went through) and is not sent again.
        """
        url = self.endpoints.update
        if url is None:
            raise UsageError(
                f"cannot derive the update endpoint from {self.endpoints.graph_store}: give --update-endpoint"
            )
        body = urllib.parse.urlencode({"update": text}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        answer = self.http.request("POST", url, what="update", content=body, headers=headers, unless=unless)
        if answer.status != 0:
            self.http.raise_for(answer, url, role=Role.UPDATE, what="update")

    def query(self, text: str, *, what: str = "query") -> QueryResult:
        """Run a query on the query endpoint; a truncated answer is an error."""
        try:
            return run_query(self.http, self.endpoints.query, text, what=what)
        except RemoteError as exc:
            if exc.status != 404 or not self._query_derived:
                raise
            raise RemoteError(
                f"no query endpoint at {self.endpoints.query} (derived from {self.endpoints.graph_store}): check "
                f"--endpoint ({Role.GRAPH_STORE.examples}), or give --query-endpoint", status=404,
                url=self.endpoints.query) from None

    def select(self, text: str) -> list[dict[str, str]]:
        """Run a SELECT query; return its rows as ``{variable: value}``."""
        result = self.query(text)
        return [{name: term.value for name, term in zip(result.variables, row)
                 if isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode))} for row in result.rows]

    def count(self, graph: str) -> int:
        """The number of triples in ``graph`` on the store."""
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}")
        try:
            return int(rows[0]["n"])
        except (IndexError, KeyError, ValueError):
            raise RemoteError(f"{self.endpoints.query} gave no count for graph <{graph}>", url=self.endpoints.query) from None

    def has_graph(self, graph: str) -> bool:
        """Whether ``graph`` holds any triple on the store."""
        return bool(self.query(f"ASK {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}", what=f"graph <{graph}>").boolean)

    def graphs(self, *, prefix: str = "") -> list[str]:
        """The graphs on the store that hold triples, those whose IRI starts with ``prefix``.

        Where the store lists its graphs for ``GRAPH ?g { }`` (asked once:
        :func:`~kg.remote.sparql.enumerates_graphs`), from that list; on Virtuoso 7.2, which does not,
        from its graph index (:func:`~kg.remote.sparql.graphs_on`).
        """
        if self._enumerates_graphs is None:
            self._enumerates_graphs = enumerates_graphs(self.query(GRAPH_NAMES_PROBE, what="the list of graphs"))
        return graphs_on(lambda text: self.query(text, what="the list of graphs"), prefix=prefix,
                         enumerates=self._enumerates_graphs)

    def swap(self, staging: str, target: str, *, sentinels: Sequence[ox.Triple] = ()) -> None:
        """Replace ``target`` by the content of ``staging`` and drop ``staging``: one update request.

        The request has two operations. The first deletes the target's triples the staging graph
        lacks and inserts the staging graph's triples the target lacks, in one ``DELETE … INSERT …
        WHERE { {old only} UNION {new only} }``; the second drops the staging graph. Every state the
        request can stop in is whole, even on a store that does not run it as one transaction:
        Virtuoso 7.2 commits a request's operations one by one and stops between two of them
        when its client has gone, so a delete and an insert sent as two operations left the target
        with the delete alone (measured: the old graph minus its lost triples, none of the new,
        for as long as we watched). Stopped between these two operations, the target is new and
        only the staging graph is left, which the next load removes.

        Not ``MOVE``: Virtuoso 7.2 does not log a MOVE (nor a COPY, nor a DROP followed by an
        INSERT) so that it survives a crash: killed before its next checkpoint, it came back with
        3,263 of the 3,671 triples a MOVE had put in place (measured). The delete-and-insert of the
        differences it replays right.

        With ``sentinels`` (a triple of each chunk of the staging graph), the delete and the insert
        happen only if ``staging`` holds them, decided inside the same operation: a staging graph
        removed or emptied by another load just before the swap leaves ``target`` as it was,
        instead of emptying it, and a swap sent twice does nothing the second time. Without it, the
        update is repeated only while ``staging`` is still there (see :mod:`kg.remote.loader`):
        run again after ``staging`` is gone, it would empty ``target``.
        """
        self.update(swap_update(staging, target, sentinels=sentinels), unless=lambda: not self.has_graph(staging))

    def fill(self, staging: str, target: str) -> None:
        """Put the content of ``staging`` into the empty graph ``target`` and drop ``staging``: two
        update requests, ``ADD`` then ``DROP`` (:func:`fill_updates`). (As the two operations of one
        request, Virtuoso 7.2 took 20.5 s for 577,510 triples where the two requests took 10.7 s;
        a load stopped between them leaves the target whole and the staging graph, which the next
        load removes.)

        For a target that holds nothing, this does what :meth:`swap` does at a fraction of the cost
        on Virtuoso 7.2, which runs ``ADD`` as one copy inside the store (577,510 triples: 4.7 s,
        against 15 to 42 s for the swap's delete-and-insert, which it runs row by row; measured).
        It needs no guard: sent again, or after ``staging`` was removed, it adds nothing more, and
        nothing is ever deleted from ``target``, so unlike ``MOVE`` or ``COPY`` (which clear the
        target first) Virtuoso replays it right after a crash (tested). The caller checks that
        ``target`` is empty just before: a writer that fills it in between would see its triples
        kept beside the new ones.
        """
        add, drop = fill_updates(staging, target, virtuoso=self.is_virtuoso)
        self.update(add, unless=lambda: not self.has_graph(staging))
        self.update(drop)

    def move(self, source: str, target: str) -> None:
        """Replace ``target`` by ``source`` and drop ``source``, in one transaction.

        Sent without ``SILENT`` and repeated only while ``source`` is still there (see
        :mod:`kg.remote.loader`): a repeated MOVE can never empty ``target``.
        """
        self.update(f"MOVE GRAPH {ox.NamedNode(source)} TO GRAPH {ox.NamedNode(target)}",
                    unless=lambda: not self.has_graph(source))

    # -- HTTP -------------------------------------------------------------------------------

    def _graph_url(self, graph: str) -> str:
        base = self.endpoints.graph_store
        separator = "&" if urllib.parse.urlsplit(base).query else "?"
        return f"{base}{separator}{urllib.parse.urlencode({'graph': graph})}"

    def _send(self, method: str, graph: str, data: bytes, content_type: str) -> None:
        url = self._graph_url(graph)
        answer = self.http.request(method, url, what=f"graph <{graph}>", content=data,
                                   headers={"Content-Type": content_type})
        self.http.raise_for(answer, url, role=Role.GRAPH_STORE, what=f"graph <{graph}>")
