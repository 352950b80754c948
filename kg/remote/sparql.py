"""Queries against any SPARQL 1.1 endpoint, through SPARQLWrapper.

The client sets a timeout (SPARQLWrapper has none by default), sends a User-Agent (some endpoints
refuse requests without one), uses POST for long queries, asks for SPARQL results JSON, and turns a
server error into :class:`~kg.errors.RemoteError` carrying the server's own message.
"""

from __future__ import annotations

import json
import urllib.error

from kg._version import __version__
from kg.errors import RemoteError
from kg.queries.binding import tokens
from kg.queries.results import QueryResult

__all__ = ["POST_THRESHOLD", "USER_AGENT", "query_endpoint"]

USER_AGENT = f"kikg/{__version__} (SPARQLWrapper; +https://w3id.org/kikg)"
POST_THRESHOLD = 1500
"""Queries longer than this many characters are sent with POST (URLs have length limits)."""


def query_endpoint(endpoint: str, text: str, *, timeout: float = 60.0) -> QueryResult:
    """Run a query on ``endpoint`` and return its results.

    Raises
    ------
    RemoteError
        If the endpoint cannot be reached, times out or answers with an error.
    """
    from SPARQLWrapper import JSON, POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    client = SPARQLWrapper(endpoint, agent=USER_AGENT)
    client.setQuery(text)
    # SPARQLWrapper guesses the query form with a regex that misses every second consecutive comment
    # line, so a header saying "jobs created" makes it send the query as a CREATE update.
    client.queryType = _query_form(text)
    client.setReturnFormat(JSON)
    client.setTimeout(int(timeout))
    if len(text) > POST_THRESHOLD:
        client.setMethod(POST)
    try:
        response = client.query()
        data = response.response.read()
    except SPARQLWrapperException as exc:
        raise RemoteError(f"{endpoint} answered with an error: {_server_message(exc)}", url=endpoint) from None
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace").strip()
        raise RemoteError(
            f"{endpoint} answered HTTP {exc.code}: {body.splitlines()[0] if body else exc.reason}",
            status=exc.code,
            url=endpoint,
        ) from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise RemoteError(f"cannot reach {endpoint}: {reason}", url=endpoint) from None
    try:
        return QueryResult.from_json(data)
    except (SyntaxError, ValueError) as exc:
        interruption = _interruption(data)
        if interruption:
            raise RemoteError(f"{endpoint} broke off its answer: {interruption}", url=endpoint) from None
        raise RemoteError(f"{endpoint} did not answer with SPARQL results JSON: {exc}", url=endpoint) from None


def _query_form(text: str) -> str:
    """The query form (SELECT, ASK, CONSTRUCT, DESCRIBE): the first such keyword outside comments,
    strings and IRIs."""
    for kind, word, _ in tokens(text):
        if kind == "word" and word.upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return word.upper()
    return "SELECT"


def _server_message(exc: Exception) -> str:
    text = str(exc)
    # SPARQLWrapper prefixes its own description; the server's words follow "Response:".
    if "Response:" in text:
        text = text.split("Response:", 1)[1]
    lines = [line.strip() for line in text.replace("\\n", "\n").splitlines() if line.strip() and line.strip() not in ("b'", "'")]
    return " ".join(lines)[:500] if lines else type(exc).__name__


def _interruption(data: bytes) -> str:
    """The server's message where it broke off a streamed answer, or ``""``.

    A streaming server has sent status 200 and the start of the results before it meets its time
    limit; Oxigraph then writes its message into the body (``..."bindings":[The SPARQL operation
    has been cancelled``). The message is the text where the JSON stops parsing.

    >>> _interruption(b'{"head":{"vars":["a"]},"results":{"bindings":[The SPARQL operation has been cancelled')
    'The SPARQL operation has been cancelled'
    >>> _interruption(b'<html>not json</html>')
    ''
    """
    text = data.decode("utf-8", "replace")
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.pos == 0:
            return ""
        tail = text[exc.pos:].strip()
        return tail.splitlines()[0][:300] if tail else "the answer ends before the results do"
    return ""
