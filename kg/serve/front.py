"""The public face of ``kg serve``: the query page, the canned queries as JSON, and ``/query``.

Only ``GET`` and ``POST`` of ``/query`` are forwarded to the Oxigraph server on its internal
loopback port, and only read queries (no update, ``SERVICE`` or ``LOAD``: a page on your machine
should not fetch other URLs on a visitor's behalf). Everything else is answered here:

=====================  =====================================================================
``GET /``              the query page (``static/index.html``)
``GET /static/<file>`` its script and style sheet
``GET /api/queries``   the canned queries: name, summary, description, parameters, text
``GET /api/bind``      ``?name=<query>&<param>=<value>...``: the query text with the values bound
``GET|POST /query``    SPARQL 1.1 Protocol, forwarded to Oxigraph
anything else          ``404``, or ``405`` for another method on a known path
=====================  =====================================================================
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from kg.errors import KGError
from kg.queries import Catalogue, bind_parameters, inject_values
from kg.queries.catalogue import CannedQuery
from kg.queries.guard import SparqlSyntaxError, check_read_only

__all__ = ["FrontServer", "catalogue_json"]

STATIC_DIR = Path(__file__).parent / "static"
_STATIC_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".css": "text/css; charset=utf-8", ".png": "image/png", ".svg": "image/svg+xml"}
MAX_QUERY_BYTES = 1_000_000
"""Longer request bodies are refused (413): canned and hand-written queries are far shorter."""


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


class FrontServer(ThreadingHTTPServer):
    """A threading HTTP server on 127.0.0.1 that knows the backend port and the catalogue.

    Raises
    ------
    OSError
        When the port cannot be bound (the caller turns it into a usage error).
    """

    daemon_threads = True
    block_on_close = False

    def __init__(self, port: int, *, backend_port: int, catalogue: Catalogue, base: str) -> None:
        self.backend_port = backend_port
        self.catalogue = catalogue
        self.base = base
        self.catalogue_body = json.dumps(catalogue_json(catalogue, base=base), ensure_ascii=False).encode()
        super().__init__(("127.0.0.1", port), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: FrontServer
    server_version = "kikg-serve"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a local page need not log every request on the terminal."""

    # -- routing ----------------------------------------------------------------------------

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path == "/query":
            self._forward()
        elif path in ("/", "/index.html"):
            self._static("index.html")
        elif path.startswith("/static/"):
            self._static(path[len("/static/"):])
        elif path == "/api/queries":
            self._send(HTTPStatus.OK, self.server.catalogue_body, "application/json; charset=utf-8")
        elif path == "/api/bind":
            self._bind()
        else:
            self._error(HTTPStatus.NOT_FOUND, f"nothing at {path}: this server answers /, /api/queries and /query")

    def do_POST(self) -> None:
        if urllib.parse.urlsplit(self.path).path == "/query":
            self._forward()
        else:
            self._refuse()

    def do_HEAD(self) -> None:
        self._refuse()

    def _refuse(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        known = path in ("/", "/index.html", "/query", "/api/queries", "/api/bind") or path.startswith("/static/")
        if self.headers.get("Content-Length"):
            self._drain()
        if known:
            allow = "GET, POST" if path == "/query" else "GET"
            self._error(HTTPStatus.METHOD_NOT_ALLOWED, f"{self.command} is not allowed on {path}: this server is read-only",
                        headers={"Allow": allow})
        else:
            self._error(HTTPStatus.NOT_FOUND, f"nothing at {path}: this server is read-only (no /update, no /store)")

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse

    # -- handlers ---------------------------------------------------------------------------

    def _static(self, name: str) -> None:
        target = (STATIC_DIR / name).resolve()
        if STATIC_DIR.resolve() not in target.parents or not target.is_file() or target.suffix not in _STATIC_TYPES:
            self._error(HTTPStatus.NOT_FOUND, f"no file {name}")
            return
        self._send(HTTPStatus.OK, target.read_bytes(), _STATIC_TYPES[target.suffix])

    def _bind(self) -> None:
        values = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query, keep_blank_values=True))
        name = values.pop("name", "")
        try:
            query = self.server.catalogue[name]
            text = _editor_text(query, {k: v for k, v in values.items() if v != ""}, base=self.server.base)
        except KGError as exc:
            self._error(HTTPStatus.BAD_REQUEST, str(exc))
            return
        self._send(HTTPStatus.OK, text.encode(), "application/sparql-query; charset=utf-8")

    def _forward(self) -> None:
        """Pass a SPARQL protocol request to Oxigraph, after checking that it only reads."""
        parts = urllib.parse.urlsplit(self.path)
        body = b""
        if self.command == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_QUERY_BYTES:
                self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"queries are limited to {MAX_QUERY_BYTES} bytes",
                            close=True)
                return
            body = self.rfile.read(length)
        query = _query_text(self.command, parts.query, body, self.headers.get("Content-Type", ""))
        if query is None:
            self._error(HTTPStatus.BAD_REQUEST, "no query: send ?query=..., a query form field, or an "
                                                "application/sparql-query body")
            return
        try:
            check_read_only(query)
        except SparqlSyntaxError as exc:
            self._error(HTTPStatus.BAD_REQUEST, str(exc))
            return
        headers = {name: self.headers[name] for name in ("Accept", "Content-Type") if self.headers.get(name)}
        connection = http.client.HTTPConnection("127.0.0.1", self.server.backend_port, timeout=120)
        try:
            target = "/query" + (f"?{parts.query}" if parts.query else "")
            connection.request(self.command, target, body=body if self.command == "POST" else None, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except OSError as exc:
            self._error(HTTPStatus.BAD_GATEWAY, f"the SPARQL server did not answer: {exc}")
            return
        finally:
            connection.close()
        self._send(HTTPStatus(response.status), data, response.getheader("Content-Type") or "application/octet-stream")

    # -- answers ----------------------------------------------------------------------------

    def _drain(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if 0 < length <= MAX_QUERY_BYTES:
            self.rfile.read(length)
        else:
            self.close_connection = True

    def _send(self, status: HTTPStatus, data: bytes, content_type: str, *, headers: dict[str, str] | None = None,
              close: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _error(self, status: HTTPStatus, message: str, *, headers: dict[str, str] | None = None,
               close: bool = False) -> None:
        self._send(status, (message + "\n").encode(), "text/plain; charset=utf-8", headers=headers, close=close)


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

