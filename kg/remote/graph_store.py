"""A Graph Store HTTP Protocol client with retries, and the SPARQL queries and updates a load needs."""

from __future__ import annotations

import http.client
import json
import logging
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from kg._version import __version__
from kg.errors import RemoteError, UsageError
from kg.remote.credentials import Credentials, check_transport
from kg.remote.endpoints import Endpoints

__all__ = ["GraphStore"]


logger = logging.getLogger(__name__)

NTRIPLES = "application/n-triples"
USER_AGENT = f"kikg/{__version__} (graph store loader; +https://w3id.org/kikg)"
_RETRYABLE = (TimeoutError, ConnectionError, http.client.HTTPException)
"""Timeouts, refused/reset/aborted connections, cut-off answers: worth another try."""


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
                check_transport(url, self._credentials_for(url), allow_insecure=allow_insecure)

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
