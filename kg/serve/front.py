"""The public face of ``kg serve``: the query page, the canned queries as JSON, and ``/query``.

An ASGI application (Starlette) served by uvicorn on 127.0.0.1. Only read queries reach the
Oxigraph server behind it: each is parsed first (:func:`kg.queries.guard.check_read_only`; no
update, ``LOAD`` or ``SERVICE``), then sent on as ``application/sparql-query``, and the answer is
streamed back, never held whole in memory.

=====================  =====================================================================
``GET /``              the query page (``static/index.html``)
``GET /static/<file>`` its script and style sheet
``GET /api/queries``   the canned queries: name, summary, description, parameters, text
``GET /api/bind``      ``?name=<query>&<param>=<value>...``: the query text with the values bound
``GET /api/checks``    the same parameters: what to check about them (:mod:`kg.serve.page`)
``GET /api/context``   the base IRI and prefixes, for compact names on the page
``GET|POST /query``    SPARQL 1.1 Protocol, forwarded to Oxigraph
anything else          ``404``, or ``405`` for another method on a known path
=====================  =====================================================================

What a hostile page or client meets (issue #13, items 2-4), all set in :class:`Limits`:

* requests whose ``Host`` is not ``127.0.0.1``, ``localhost`` or ``[::1]`` on the served port, or
  that come from another origin (``Origin``, ``Sec-Fetch-Site``), get ``403``: no web page can
  post to the server, and DNS rebinding cannot read it;
* a malformed ``Content-Length`` gets ``400`` at once (uvicorn's h11 parser), a body over
  :attr:`Limits.query_bytes` ``413``, a client slower than :attr:`Limits.header_seconds` to send
  its headers or :attr:`Limits.body_seconds` its body is disconnected (``408`` for the body);
* a query that runs longer than :attr:`Limits.query_seconds` is stopped: Oxigraph cancels what it
  can; if it has not answered :attr:`Limits.grace_seconds` later, its process is killed and a new
  one started, and the client gets ``503`` (or, mid-answer, a closing message in the body);
* an answer over :attr:`Limits.answer_bytes` is cut, with a closing message in the body;
* connections wait in a listen backlog of :attr:`Limits.backlog`; at most
  :attr:`Limits.backend_connections` queries run at once, the others wait their turn.
"""

from __future__ import annotations

import asyncio
import json
import urllib.parse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
import httpx
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from kg._resources import STATIC_DIR
from kg.errors import KGError
from kg.queries import Catalogue, bind_parameters, inject_values
from kg.queries.catalogue import CannedQuery
from kg.queries.guard import SparqlSyntaxError, check_read_only
from kg.serve.oxigraph import Backend
from kg.serve.page import checks_json, context_json

__all__ = ["Limits", "catalogue_json", "create_app", "protocol_with_header_timeout"]

_STATIC_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".css": "text/css; charset=utf-8", ".png": "image/png", ".svg": "image/svg+xml"}
_SECURITY_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


@dataclass(frozen=True)
class Limits:
    """What one ``kg serve`` allows a client."""

    query_bytes: int = 1_000_000
    """Longest request body (a query): canned and hand-written queries are far shorter."""
    answer_bytes: int = 64 << 20
    """Longest answer; a longer one is cut with a message (add ``LIMIT``)."""
    query_seconds: float = 60.0
    """Time a query may run."""
    grace_seconds: float = 2.0
    """Time Oxigraph gets to stop a query itself before its process is killed."""
    header_seconds: float = 10.0
    """Time a client has to send its request line and headers."""
    body_seconds: float = 30.0
    """Time a client has to send its request body."""
    keep_alive_seconds: float = 5.0
    """Time an idle connection stays open between requests."""
    backlog: int = 2048
    """Connections the kernel queues before the server accepts them."""
    connections: int = 1000
    """Open connections at once; more get ``503``."""
    backend_connections: int = 16
    """Queries sent to Oxigraph at once; the others wait for a free one."""
    queue_seconds: float = 30.0
    """Time a query waits for a free connection to Oxigraph before ``503``."""


def _editor_text(query: CannedQuery, values: dict[str, object], *, base: str) -> str:
    """The query as the editor shows it: the ``#+`` header left out, the parameter values bound."""
    body = "\n".join(line for line in query.text.splitlines() if not line.startswith("#+")).strip() + "\n"
    return inject_values(body, bind_parameters(query, values, base=base))


def catalogue_json(catalogue: Catalogue, *, base: str) -> list[dict[str, Any]]:
    """The canned queries as the page lists them, each with its text, default values bound.

    Examples
    --------
    >>> entries = catalogue_json(Catalogue.load(), base="https://w3id.org/kikg/id/")
    >>> entries[0]["name"] == next(iter(Catalogue.load())).name and "SELECT" in entries[0]["text"]
    True
    """
    entries = []
    for query in catalogue:
        entries.append({
            "name": query.name,
            "summary": query.summary,
            "description": query.description,
            "params": [{"name": p.name, "type": p.type.value, "default": p.default, "description": p.description}
                       for p in query.params],
            "ordered": query.ordered,
            "text": _editor_text(query, {}, base=base),
        })
    return entries


def _text(status: int, message: str, **headers: str) -> PlainTextResponse:
    return PlainTextResponse(message.rstrip("\n") + "\n", status_code=status, headers={**_SECURITY_HEADERS, **headers})


# -- the connection layer: a deadline for the request headers --------------------------------------


def protocol_with_header_timeout(seconds: float) -> type[H11Protocol]:
    """uvicorn's HTTP/1.1 protocol with a deadline for each request's line and headers.

    uvicorn closes idle keep-alive connections, but a client that trickles its headers a byte at
    a time would hold a connection forever; this one is closed ``seconds`` after it opened (or
    after its previous answer) if no complete request has arrived by then.
    """

    class HeaderDeadlineProtocol(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None
        _armed_for: object = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
            super().connection_lost(exc)

        def _arm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
            self._armed_for = self.cycle
            self._deadline = self.loop.call_later(seconds, self._expire)

        def _expire(self) -> None:
            waiting = self.cycle is self._armed_for  # no new request has started since
            if waiting and not self.transport.is_closing():
                self.transport.close()

    return HeaderDeadlineProtocol


# -- who may ask -------------------------------------------------------------------------------------


class LocalOnly:
    """ASGI middleware: ``403`` unless the request names this server and comes from its own pages."""

    def __init__(self, app: ASGIApp, *, port: int) -> None:
        self.app = app
        hosts = [f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"]
        if port == 80:
            hosts += ["127.0.0.1", "localhost", "[::1]"]
        self.hosts = frozenset(hosts)
        self.origins = frozenset(f"http://{host}" for host in hosts)
        self.port = port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "").lower()
        origin = headers.get("origin")
        site = headers.get("sec-fetch-site")
        if host not in self.hosts:
            reason = (f"this server answers requests for 127.0.0.1:{self.port}, localhost:{self.port} or "
                      f"[::1]:{self.port} only, not for {host or 'no Host'}")
        elif origin is not None and origin.lower() not in self.origins:
            reason = f"requests from other origins ({origin}) are refused"
        elif site is not None and site not in ("same-origin", "none"):
            reason = f"requests from other sites (Sec-Fetch-Site: {site}) are refused"
        else:
            await self.app(scope, receive, send)
            return
        await _text(403, reason, Connection="close")(scope, receive, send)


# -- the pages -----------------------------------------------------------------------------------------


async def _page(request: Request) -> Response:
    return _static_file("index.html")


async def _static(request: Request) -> Response:
    return _static_file(request.path_params["name"])


def _static_file(name: str) -> Response:
    target = (STATIC_DIR / name).resolve()
    if STATIC_DIR.resolve() not in target.parents or not target.is_file() or target.suffix not in _STATIC_TYPES:
        return _text(404, f"no file {name}")
    return Response(target.read_bytes(), media_type=_STATIC_TYPES[target.suffix], headers=_SECURITY_HEADERS)


async def _queries(request: Request) -> Response:
    return Response(request.app.state.catalogue_body, media_type="application/json; charset=utf-8",
                    headers=_SECURITY_HEADERS)


async def _checks(request: Request) -> Response:
    state = request.app.state
    status, body = checks_json(state.catalogue, dict(request.query_params), base=state.base)
    return Response(json.dumps(body, ensure_ascii=False), status_code=status,
                    media_type="application/json; charset=utf-8", headers=_SECURITY_HEADERS)


async def _context(request: Request) -> Response:
    return Response(json.dumps(context_json(base=request.app.state.base), ensure_ascii=False),
                    media_type="application/json; charset=utf-8", headers=_SECURITY_HEADERS)


async def _bind(request: Request) -> Response:
    values = dict(request.query_params)
    name = values.pop("name", "")
    state = request.app.state
    try:
        query = state.catalogue[name]
        text = _editor_text(query, {k: v for k, v in values.items() if v != ""}, base=state.base)
    except KGError as exc:
        return _text(400, str(exc))
    return Response(text, media_type="application/sparql-query; charset=utf-8", headers=_SECURITY_HEADERS)


# -- queries ------------------------------------------------------------------------------------------


class _TooLarge(Exception):
    pass


async def _read_body(request: Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _query_text(method: str, query_string: str, body: bytes, content_type: str) -> str | None:
    """The SPARQL text of a protocol request: ``?query=``, a form field, or a direct POST body."""
    if method == "GET":
        return urllib.parse.parse_qs(query_string).get("query", [None])[0]
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/sparql-query":
        return body.decode("utf-8", "replace")
    if media == "application/x-www-form-urlencoded":
        return urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("query", [None])[0]
    return None


async def _query(request: Request) -> Response:
    limits: Limits = request.app.state.limits
    body = b""
    if request.method == "POST":
        length = request.headers.get("content-length")
        if length is not None and int(length) > limits.query_bytes:
            return _text(413, f"queries are limited to {limits.query_bytes} bytes", Connection="close")
        try:
            async with asyncio.timeout(limits.body_seconds):
                body = await _read_body(request, limits.query_bytes)
        except TimeoutError:
            return _text(408, f"the request body took longer than {limits.body_seconds:g} s", Connection="close")
        except _TooLarge:
            return _text(413, f"queries are limited to {limits.query_bytes} bytes", Connection="close")
    text = _query_text(request.method, request.url.query, body, request.headers.get("content-type", ""))
    if text is None:
        return _text(400, "no query: send ?query=..., a query form field, or an application/sparql-query body")
    try:
        await anyio.to_thread.run_sync(check_read_only, text)
    except SparqlSyntaxError as exc:
        return _text(400, str(exc))
    graphs = [(name, value) for name, value in request.query_params.multi_items()
              if name in ("default-graph-uri", "named-graph-uri")]
    return _Forward(text, accept=request.headers.get("accept", ""), graphs=graphs)


class _Forward(Response):
    """Send a checked query to Oxigraph and stream its answer back within the limits."""

    def __init__(self, text: str, *, accept: str, graphs: list[tuple[str, str]]) -> None:
        super().__init__()
        self.text = text
        self.accept = accept
        self.graphs = graphs

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope["app"].state
        limits: Limits = state.limits
        backend: Backend = state.backend
        try:
            async with asyncio.timeout(limits.queue_seconds):
                await state.turns.acquire()
        except TimeoutError:
            await _text(503, "the server is busy: try again in a moment", **{"Retry-After": "5"})(scope, receive, send)
            return
        try:
            await self._forward(scope, receive, send, state, limits, backend)
        finally:
            state.turns.release()

    async def _forward(self, scope: Scope, receive: Receive, send: Send, state: Any, limits: Limits,
                       backend: Backend) -> None:
        generation = backend.generation
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limits.query_seconds + limits.grace_seconds
        headers = {"Content-Type": "application/sparql-query; charset=utf-8"}
        if self.accept:
            headers["Accept"] = self.accept
        request = state.client.build_request("POST", f"http://127.0.0.1:{backend.port}/query", params=self.graphs,
                                             content=self.text.encode(), headers=headers)
        try:
            async with asyncio.timeout_at(deadline):
                response = await state.client.send(request, stream=True)
        except TimeoutError:
            await anyio.to_thread.run_sync(backend.restart, generation)
            await _text(503, f"the query ran longer than {limits.query_seconds:g} s and was stopped "
                             "(narrow it, or add LIMIT)")(scope, receive, send)
            return
        except httpx.TransportError as exc:
            if not backend.alive():
                await anyio.to_thread.run_sync(backend.restart, generation)
            await _text(502, f"the SPARQL server did not answer: {exc or type(exc).__name__}")(scope, receive, send)
            return
        cut = ""
        try:
            await send({"type": "http.response.start", "status": response.status_code, "headers": [
                (b"content-type", response.headers.get("content-type", "application/octet-stream").encode("latin-1")),
                (b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff")]})
            sent = 0
            async with asyncio.timeout_at(deadline):
                async for chunk in response.aiter_raw():
                    room = limits.answer_bytes - sent
                    if len(chunk) > room:
                        chunk, cut = chunk[:room], (f"kg serve cut the answer here: it is longer than "
                                                    f"{limits.answer_bytes} bytes (add LIMIT)")
                    if chunk:
                        await send({"type": "http.response.body", "body": chunk, "more_body": True})
                        sent += len(chunk)
                    if cut:
                        break
        except TimeoutError:
            cut = f"kg serve stopped the query here: it ran longer than {limits.query_seconds:g} s"
            await anyio.to_thread.run_sync(backend.restart, generation)
        except httpx.TransportError:
            cut = "kg serve lost the SPARQL server while it answered"
        finally:
            await response.aclose()
        try:
            async with asyncio.timeout(1):
                await send({"type": "http.response.body", "body": (f"\n{cut}\n" if cut else "").encode(),
                            "more_body": False})
        except (TimeoutError, OSError):
            pass


# -- the application -----------------------------------------------------------------------------------


async def _not_found(request: Request, exc: Exception) -> Response:
    path = request.url.path
    if isinstance(exc, HTTPException) and exc.status_code == 405:
        return _text(405, f"{request.method} is not allowed on {path}: this server is read-only",
                     **(exc.headers or {}))
    return _text(404, f"nothing at {path}: this server answers /, /api/queries and /query "
                      "(it is read-only: no /update, no /store)")


def create_app(*, backend: Backend, catalogue: Catalogue, base: str, port: int, limits: Limits) -> ASGIApp:
    """The ASGI application of ``kg serve``, wrapped in the Host and Origin checks."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool = httpx.Limits(max_connections=limits.backend_connections,
                            max_keepalive_connections=limits.backend_connections)
        async with httpx.AsyncClient(timeout=httpx.Timeout(None), limits=pool) as client:
            app.state.client = client
            app.state.turns = asyncio.Semaphore(limits.backend_connections)
            yield

    app = Starlette(
        routes=[
            Route("/", _page, methods=["GET"]),
            Route("/index.html", _page, methods=["GET"]),
            Route("/static/{name:path}", _static, methods=["GET"]),
            Route("/api/queries", _queries, methods=["GET"]),
            Route("/api/bind", _bind, methods=["GET"]),
            Route("/api/checks", _checks, methods=["GET"]),
            Route("/api/context", _context, methods=["GET"]),
            Route("/query", _query, methods=["GET", "POST"]),
        ],
        exception_handlers={404: _not_found, 405: _not_found},
        lifespan=lifespan,
    )
    app.state.backend = backend
    app.state.catalogue = catalogue
    app.state.base = base
    app.state.limits = limits
    app.state.catalogue_body = json.dumps(catalogue_json(catalogue, base=base), ensure_ascii=False).encode()
    return LocalOnly(app, port=port)
