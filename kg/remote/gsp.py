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

Credentials
-----------
Only from the environment (``KG_USERNAME`` and ``KG_PASSWORD``) or from ``~/.netrc`` (the entry of
the endpoint's host), never from arguments or the URL; they are sent as HTTP Basic and never
written to logs or messages. Basic credentials go over ``https``, or over ``http`` to a loopback
host (``localhost``, ``127.0.0.0/8``, ``::1``: the traffic does not leave the machine); plain
``http`` to any other host is refused unless ``allow_insecure=True``.

Examples
--------
>>> Endpoints.derive("http://localhost:7878/store")
Endpoints(graph_store='http://localhost:7878/store', query='http://localhost:7878/query', update='http://localhost:7878/update')
>>> Endpoints.derive("http://localhost:3030/ds/data").query
'http://localhost:3030/ds/query'
"""

from __future__ import annotations

import base64
import http.client
import json
import logging
import netrc
import os
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from ipaddress import ip_address
from pathlib import Path

import pyoxigraph as ox

from kg._version import __version__
from kg.dataset import Dataset
from kg.errors import InputError, RemoteError, UsageError
from kg.graphs import DEFAULT_BASE_IRI

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "Credentials",
    "Endpoints",
    "GraphLoad",
    "GraphStore",
    "LoadCountMismatch",
    "LoadReport",
    "load_dataset",
]

logger = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 200_000
"""Triples per request: graphs larger than this are loaded in chunks through a staging graph."""

NTRIPLES = "application/n-triples"
USER_AGENT = f"kikg/{__version__} (graph store loader; +https://w3id.org/kikg)"
_RETRYABLE = (TimeoutError, ConnectionError, http.client.HTTPException)
"""Timeouts, refused/reset/aborted connections, cut-off answers: worth another try."""


# -- endpoints --------------------------------------------------------------------------------


def _checked_url(url: str, *, option: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.username is not None or parts.password is not None:
        # Never echo the URL: it holds a password.
        raise UsageError(f"{option} must not hold credentials: use KG_USERNAME/KG_PASSWORD or ~/.netrc")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{option} must be an http:// or https:// URL, got {url!r}")
    return url


@dataclass(frozen=True)
class Endpoints:
    """The three endpoints of a store: graph store (GSP), query and update."""

    graph_store: str
    query: str
    update: str | None = None
    """Needed only for chunked loads (the MOVE); ``None`` when it could not be derived."""

    @classmethod
    def derive(cls, graph_store: str, *, query: str | None = None, update: str | None = None) -> Endpoints:
        """Derive the query and update endpoints from the graph-store endpoint where not given.

        Oxigraph ``.../store`` gives ``.../query`` and ``.../update``; Fuseki ``.../<ds>/data``
        gives ``.../<ds>/query`` and ``.../<ds>/update``; GraphDB
        ``.../repositories/<repo>/rdf-graphs/service`` gives ``.../repositories/<repo>`` and
        ``.../repositories/<repo>/statements``.

        Raises
        ------
        UsageError
            For a URL that is not http(s), holds credentials, or whose query endpoint cannot be
            derived and was not given.
        """
        _checked_url(graph_store, option="--endpoint")
        parts = urllib.parse.urlsplit(graph_store)
        path = parts.path.rstrip("/")
        derived: tuple[str, str] | None = None
        for suffix, query_path, update_path in (
            ("/store", "/query", "/update"),
            ("/data", "/query", "/update"),
            ("/rdf-graphs/service", "", "/statements"),
        ):
            if path.endswith(suffix):
                root = path[: -len(suffix)]
                derived = (root + query_path, root + update_path)
                break

        def at(new_path: str) -> str:
            return urllib.parse.urlunsplit((parts.scheme, parts.netloc, new_path, "", ""))

        if query is None:
            if derived is None:
                raise UsageError(
                    f"cannot derive the query endpoint from {graph_store} (it ends neither in /store, /data nor "
                    "/rdf-graphs/service): give --query-endpoint"
                )
            query = at(derived[0])
        if update is None and derived is not None:
            update = at(derived[1])
        _checked_url(query, option="--query-endpoint")
        if update is not None:
            _checked_url(update, option="--update-endpoint")
        return cls(graph_store, query, update)


# -- credentials ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """HTTP Basic credentials and where they came from (the password never shows in ``repr``)."""

    username: str
    password: str = field(repr=False)
    source: str = "KG_USERNAME/KG_PASSWORD"

    def authorization(self) -> str:
        """The value of the ``Authorization`` header."""
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")
        return f"Basic {token}"

    @classmethod
    def lookup(cls, url: str, *, environ: Mapping[str, str] | None = None) -> Credentials | None:
        """Credentials for ``url``: ``KG_USERNAME``/``KG_PASSWORD``, else ``~/.netrc``, else none.

        Raises
        ------
        UsageError
            When only one of the two variables is set.
        InputError
            For a ``~/.netrc`` that cannot be parsed or that others may read (its content is never
            quoted).
        """
        environ = os.environ if environ is None else environ
        username, password = environ.get("KG_USERNAME"), environ.get("KG_PASSWORD")
        if username is not None or password is not None:
            if not username or password is None:
                raise UsageError("set both KG_USERNAME and KG_PASSWORD, or neither")
            return cls(username, password)
        home = environ.get("HOME") or os.path.expanduser("~")
        path = Path(home) / ".netrc"
        if not path.is_file():
            return None
        try:
            if os.name == "posix" and path.stat().st_mode & 0o077:  # as ssh and Python's own netrc check
                raise InputError("~/.netrc holds passwords and others may read it: chmod 600 it", file=path)
            entries = netrc.netrc(str(path))
        except netrc.NetrcParseError as exc:  # its message may quote a token: a password
            raise InputError("~/.netrc cannot be parsed", file=exc.filename, line=exc.lineno) from None
        except OSError as exc:
            raise InputError(f"cannot read ~/.netrc: {exc.strerror}", file=path) from None
        host = urllib.parse.urlsplit(url).hostname or ""
        entry = entries.authenticators(host)
        if entry is None or not entry[0]:
            return None
        return cls(entry[0], entry[2] or "", source="~/.netrc")


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_transport(url: str, credentials: Credentials | None, *, allow_insecure: bool) -> None:
    parts = urllib.parse.urlsplit(url)
    if credentials is None or parts.scheme == "https" or allow_insecure or _is_loopback(parts.hostname or ""):
        return
    raise UsageError(
        f"refusing to send Basic credentials over plain http to {parts.hostname}: use https, "
        "or --allow-insecure if this network is trusted"
    )


# -- the protocol client -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Answer:
    status: int
    reason: str
    body: bytes
    location: str | None


class GraphStore:
    """A client of one store: Graph Store Protocol requests, SPARQL updates and counts.

    Parameters
    ----------
    endpoint
        The graph-store endpoint (Oxigraph ``http://host:port/store``, Fuseki
        ``http://host:port/<ds>/data``, GraphDB ``http://host:7200/repositories/<repo>/rdf-graphs/service``).
    query_endpoint, update_endpoint
        Where they cannot be derived from ``endpoint`` (see :meth:`Endpoints.derive`).
    timeout
        Seconds to wait for each request.
    retries
        How many times a request is repeated after a timeout, a connection error or a ``5xx``.
    backoff
        Seconds before the first retry; each further retry waits twice as long.
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
        allow_insecure: bool = False,
    ) -> None:
        if timeout <= 0:
            raise UsageError(f"the timeout must be positive, got {timeout}")
        if retries < 0:
            raise UsageError(f"retries must be 0 or more, got {retries}")
        if backoff < 0:
            raise UsageError(f"the backoff must be 0 or more seconds, got {backoff}")
        self.endpoints = Endpoints.derive(endpoint, query=query_endpoint, update=update_endpoint)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._credentials: dict[str, Credentials | None] = {}
        for url in (self.endpoints.graph_store, self.endpoints.query, self.endpoints.update):
            if url is not None:
                _check_transport(url, self._credentials_for(url), allow_insecure=allow_insecure)

    def __repr__(self) -> str:
        return f"<GraphStore {self.endpoints.graph_store}>"

    # -- graph store protocol -------------------------------------------------------------

    def put(self, graph: str, data: bytes, *, content_type: str = NTRIPLES) -> None:
        """Replace the content of ``graph`` by ``data`` (one transaction on the store)."""
        self._send("PUT", self._graph_url(graph), data, content_type, role="graph store", what=f"graph <{graph}>")

    def post(self, graph: str, data: bytes, *, content_type: str = NTRIPLES) -> None:
        """Add ``data`` to ``graph``."""
        self._send("POST", self._graph_url(graph), data, content_type, role="graph store", what=f"graph <{graph}>")

    def delete(self, graph: str, *, retry: bool = True) -> bool:
        """Delete ``graph``; return whether it existed. ``retry=False`` sends a single attempt."""
        answer = self._request("DELETE", self._graph_url(graph), None, {}, what=f"graph <{graph}>",
                               retries=None if retry else 0)
        if answer.status == 404:
            return False
        self._raise_for(answer, self._graph_url(graph), role="graph store", what=f"graph <{graph}>")
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
        answer = self._request("POST", url, body, headers, what="update", unless=unless)
        if answer.status != 0:
            self._raise_for(answer, url, role="update endpoint", what="update")

    def select(self, text: str) -> list[dict[str, str]]:
        """Run a SELECT query; return its rows as ``{variable: value}``."""
        url = self.endpoints.query
        body = urllib.parse.urlencode({"query": text}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}
        answer = self._request("POST", url, body, headers, what="query")
        self._raise_for(answer, url, role="query endpoint", what="query")
        try:
            bindings = json.loads(answer.body)["results"]["bindings"]
            return [{name: term["value"] for name, term in row.items()} for row in bindings]
        except (ValueError, KeyError, TypeError) as exc:
            raise RemoteError(f"{url} did not answer with SPARQL results JSON ({exc})", url=url) from None

    def count(self, graph: str) -> int:
        """The number of triples in ``graph`` on the store."""
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}")
        try:
            return int(rows[0]["n"])
        except (IndexError, KeyError, ValueError):
            raise RemoteError(f"{self.endpoints.query} gave no count for graph <{graph}>", url=self.endpoints.query) from None

    def has_graph(self, graph: str) -> bool:
        """Whether ``graph`` holds any triple on the store."""
        return self.count(graph) > 0

    def move(self, source: str, target: str) -> None:
        """Replace ``target`` by ``source`` and drop ``source``, in one transaction.

        Sent without ``SILENT`` and repeated only while ``source`` is still there (see the module
        docstring): a repeated MOVE can never empty ``target``.
        """
        self.update(f"MOVE GRAPH {ox.NamedNode(source)} TO GRAPH {ox.NamedNode(target)}",
                    unless=lambda: not self.has_graph(source))

    # -- HTTP -------------------------------------------------------------------------------

    def _graph_url(self, graph: str) -> str:
        base = self.endpoints.graph_store
        separator = "&" if urllib.parse.urlsplit(base).query else "?"
        return f"{base}{separator}{urllib.parse.urlencode({'graph': graph})}"

    def _credentials_for(self, url: str) -> Credentials | None:
        parts = urllib.parse.urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._credentials:
            self._credentials[origin] = Credentials.lookup(url)
        return self._credentials[origin]

    def _send(self, method: str, url: str, data: bytes, content_type: str, *, role: str, what: str) -> None:
        answer = self._request(method, url, data, {"Content-Type": content_type}, what=what)
        self._raise_for(answer, url, role=role, what=what)

    def _request(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: Mapping[str, str],
        *,
        what: str,
        unless: Callable[[], bool] | None = None,
        retries: int | None = None,
    ) -> _Answer:
        """Send a request, retrying on timeouts, connection errors and 5xx.

        Returns the last answer (any status but 5xx, or a 5xx when the retries are spent), or an
        answer of status 0 when ``unless`` says the work is already done.
        """
        retries = self.retries if retries is None else retries
        attempts = retries + 1
        for attempt in range(1, attempts + 1):
            try:
                answer = self._once(method, url, body, headers)
                if answer.status < 500:
                    return answer
                problem = f"HTTP {answer.status} {answer.reason}"
                if attempt == attempts:
                    return answer
            except _RETRYABLE as exc:
                problem = _describe(exc)
                if attempt == attempts:
                    raise RemoteError(
                        f"cannot reach {_without_query(url)} ({what}): {problem}, after {attempts} attempt"
                        f"{'s' if attempts > 1 else ''}",
                        url=_without_query(url),
                    ) from None
            except OSError as exc:  # name resolution, TLS: retrying does not help
                raise RemoteError(f"cannot reach {_without_query(url)}: {_describe(exc)}", url=_without_query(url)) from None
            delay = self.backoff * 2 ** (attempt - 1)
            logger.warning("%s %s (%s): %s; retry %d of %d in %.1f s", method, _without_query(url), what, problem,
                           attempt, retries, delay)
            time.sleep(delay)
            if unless is not None and unless():
                logger.warning("%s %s (%s): the earlier attempt went through; not sent again", method,
                               _without_query(url), what)
                return _Answer(0, "done", b"", None)
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, method: str, url: str, body: bytes | None, headers: Mapping[str, str]) -> _Answer:
        parts = urllib.parse.urlsplit(url)
        connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        connection = connection_class(parts.hostname or "", parts.port, timeout=self.timeout)
        all_headers = {"User-Agent": USER_AGENT, **headers}
        credentials = self._credentials_for(url)
        if credentials is not None:
            all_headers["Authorization"] = credentials.authorization()
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        try:
            connection.request(method, target, body=body, headers=all_headers)
            response = connection.getresponse()
            data = response.read()
            return _Answer(response.status, response.reason, data, response.getheader("Location"))
        finally:
            connection.close()

    def _raise_for(self, answer: _Answer, url: str, *, role: str, what: str) -> None:
        if 200 <= answer.status < 300:
            return
        plain = _without_query(url)
        option = {"graph store": "--endpoint", "query endpoint": "--query-endpoint",
                  "update endpoint": "--update-endpoint"}[role]
        message = _server_message(answer.body) or answer.reason
        status = answer.status
        if status == 401:
            credentials = self._credentials_for(url)
            hint = (f"the credentials from {credentials.source} were refused" if credentials else
                    "it needs credentials: set KG_USERNAME and KG_PASSWORD, or add the host to ~/.netrc")
            reason = f"{plain} answered 401 Unauthorized: {hint}"
        elif status == 403:
            reason = f"{plain} answered 403 Forbidden: these credentials may not use the {role} ({what})"
        elif status == 404:
            examples = {"graph store": "Oxigraph: /store, Fuseki: /<dataset>/data",
                        "query endpoint": "Oxigraph: /query, Fuseki: /<dataset>/query",
                        "update endpoint": "Oxigraph: /update, Fuseki: /<dataset>/update"}[role]
            reason = f"no {role} at {plain}: check {option} ({examples})"
        elif status == 405:
            reason = f"{plain} does not accept {what} requests (405 Method Not Allowed): is it read-only? check {option}"
        elif status == 413:
            reason = f"{plain} refused {what} as too large (413): try a smaller --chunk-size"
        elif 300 <= status < 400:
            reason = f"{plain} redirects to {answer.location or '?'} ({status}): give that URL as {option}"
        elif status >= 500:
            reason = f"{plain} failed on {what}: HTTP {status} {answer.reason}: {message} (after {self.retries + 1} attempts)"
        else:
            reason = f"{plain} refused {what}: HTTP {status} {answer.reason}: {message}"
        raise RemoteError(reason, status=status, url=plain)


def _without_query(url: str) -> str:
    return url.split("?", 1)[0]


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "the connection was closed without an answer"
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(reason)


def _server_message(body: bytes) -> str:
    lines = [line.strip() for line in body.decode("utf-8", "replace").splitlines() if line.strip()]
    return " ".join(lines)[:300]


# -- loading a dataset ------------------------------------------------------------------------


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
