"""HTTP to SPARQL stores: one httpx client for the Graph Store Protocol, queries and updates.

It finds the credentials of each origin (:mod:`kg.remote.credentials`) and authenticates with Basic
or Digest, sets timeouts, retries what is safe to retry with exponential backoff, reads answers up
to a size limit, and turns a store's error page (HTML, XML or text) into one line of text.

Authentication (:class:`Auth`): ``AUTO`` sends Basic credentials with the first request where they
may go (https, or http to a loopback address) and switches to Digest for good when the store answers
``401`` with a Digest challenge (Virtuoso's ``/sparql-auth`` and ``/sparql-graph-crud-auth`` accept
only Digest). ``DIGEST`` never sends Basic; the password itself never travels, so it may be used over
plain http to another host. ``BASIC`` never answers a Digest challenge.
"""

from __future__ import annotations

import enum
import html.parser
import logging
import re
import socket
import time
import urllib.parse
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import ClassVar, Self

import httpx

from kg._version import __version__
from kg.errors import RemoteError, UsageError
from kg.remote.credentials import Credentials, check_transport

__all__ = ["USER_AGENT", "Answer", "Auth", "HttpClient", "Role", "lasting_failure", "server_message", "without_query"]

logger = logging.getLogger("kg.remote")

USER_AGENT = f"kikg/{__version__} (+https://w3id.org/kikg)"
MAX_ANSWER_BYTES = 16 * 1024 * 1024
"""The largest answer read for anything but query results (graph store, update and count answers)."""


class Auth(enum.Enum):
    """How credentials are sent (see the module docstring)."""

    AUTO = "auto"
    BASIC = "basic"
    DIGEST = "digest"


@dataclass(frozen=True)
class Answer:
    """A store's answer: status, reason phrase, headers and body (at most ``max_bytes`` of it)."""

    status: int
    reason: str
    headers: httpx.Headers
    body: bytes

    @property
    def location(self) -> str | None:
        """Where a redirect points."""
        location: str | None = self.headers.get("location")
        return location


class _StoreAuth(httpx.Auth):
    """Basic first where allowed, then Digest once the store has asked for it (see :class:`Auth`)."""

    requires_request_body = True  # a Digest retry sends the body again

    def __init__(self, credentials: Credentials, mode: Auth) -> None:
        self._basic = credentials.authorization()
        self._digest = httpx.DigestAuth(credentials.username, credentials.password)
        self._mode = mode
        self.digest_in_use = mode is Auth.DIGEST

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.digest_in_use:
            yield from self._digest.auth_flow(request)
            return
        request.headers["Authorization"] = self._basic
        response = yield request
        if self._mode is Auth.BASIC or response.status_code != 401 or (
                "www-authenticate" in response.headers and not _asks_for_digest(response)):
            return
        del request.headers["Authorization"]
        if "www-authenticate" not in response.headers:
            # Virtuoso answers Basic credentials with a bare 401, without a challenge: ask again
            # without them for it (the first request was refused, so nothing is done twice).
            response = yield request
            if response.status_code != 401 or not _asks_for_digest(response):
                return
        self.digest_in_use = True
        # Answer the challenge already received rather than asking for a new one.
        flow = self._digest.auth_flow(request)
        next(flow)
        try:
            retry = flow.send(response)
        except StopIteration:
            return
        response = yield retry
        try:
            flow.send(response)
        except StopIteration:
            pass


def _asks_for_digest(response: httpx.Response) -> bool:
    return any(value.lower().startswith("digest ") for value in response.headers.get_list("www-authenticate"))


_RETRYABLE = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
"""Timeouts, refused/reset connections, answers cut off or never sent: worth another try."""


class HttpClient:
    """Requests to one or more endpoints of a store, with the credentials of their origins.

    Parameters
    ----------
    timeout
        Seconds to wait for a connection, and then for each part of the answer.
    retries
        How many times a request is repeated after a timeout, a connection error or a ``5xx``.
    backoff
        Seconds before the first retry; each further retry waits twice as long.
    auth
        How credentials are sent (:class:`Auth`).
    allow_insecure
        Allow Basic credentials over plain http to a host that is not loopback.

    Raises
    ------
    UsageError
        For a timeout, retries or backoff out of range.
    """

    def __init__(self, *, timeout: float = 120.0, retries: int = 3, backoff: float = 0.5, auth: Auth = Auth.AUTO,
                 allow_insecure: bool = False) -> None:
        if timeout <= 0:
            raise UsageError(f"the timeout must be positive, got {timeout}")
        if retries < 0:
            raise UsageError(f"retries must be 0 or more, got {retries}")
        if backoff < 0:
            raise UsageError(f"the backoff must be 0 or more seconds, got {backoff}")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.auth = auth
        self.allow_insecure = allow_insecure
        self._auth: dict[str, tuple[Credentials | None, _StoreAuth | None]] = {}
        self._software: dict[str, str] = {}
        # No proxies or certificate settings from the environment: a load goes where --endpoint says.
        self._client = httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT}, trust_env=False)

    def close(self) -> None:
        """Close the connections kept open."""
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def credentials(self, url: str) -> Credentials | None:
        """The credentials for ``url``'s origin (looked up once), after checking they may go there.

        Raises
        ------
        UsageError
            When Basic credentials would go over plain http to another host.
        InputError
            For an unreadable ``~/.netrc``.
        """
        return self._origin(url)[0]

    def _origin(self, url: str) -> tuple[Credentials | None, _StoreAuth | None]:
        origin = _origin_of(url)
        if origin not in self._auth:
            found = Credentials.lookup(url)
            if self.auth is not Auth.DIGEST:
                check_transport(url, found, allow_insecure=self.allow_insecure)
            self._auth[origin] = (found, None if found is None else _StoreAuth(found, self.auth))
        return self._auth[origin]

    def request(
        self,
        method: str,
        url: str,
        *,
        what: str,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        retries: int | None = None,
        unless: Callable[[], bool] | None = None,
        max_bytes: int = MAX_ANSWER_BYTES,
    ) -> Answer:
        """Send a request, retrying on timeouts, connection errors and ``5xx`` answers.

        Returns the last answer (any status but 5xx, or a 5xx when the retries are spent), or an
        answer of status 0 when ``unless``, asked before each retry, says the work is already done.

        Raises
        ------
        RemoteError
            When the store cannot be reached after the retries, or its answer is larger than
            ``max_bytes``.
        """
        retries = self.retries if retries is None else retries
        attempts = retries + 1
        plain = without_query(url)
        for attempt in range(1, attempts + 1):
            try:
                answer = self._once(method, url, content, headers or {}, max_bytes=max_bytes, what=what)
                if answer.status < 500 or lasting_failure(answer):
                    return answer
                problem = f"HTTP {answer.status} {answer.reason}"
                if attempt == attempts:
                    return answer
            except _RETRYABLE as exc:
                if _name_not_resolved(exc):  # retrying does not help
                    raise RemoteError(f"cannot reach {plain}: the host name cannot be resolved", url=plain) from None
                problem = _describe(exc)
                if attempt == attempts:
                    raise RemoteError(
                        f"cannot reach {plain} ({what}): {problem}, after {attempts} attempt{'s' if attempts > 1 else ''}",
                        url=plain,
                    ) from None
            except httpx.HTTPError as exc:  # TLS, unsupported protocol, bad URL: retrying does not help
                raise RemoteError(f"cannot reach {plain}: {_describe(exc)}", url=plain) from None
            delay = self.backoff * 2 ** (attempt - 1)
            logger.warning("%s %s (%s): %s; retry %d of %d in %.1f s", method, plain, what, problem, attempt, retries,
                           delay)
            time.sleep(delay)
            if unless is not None and unless():
                logger.warning("%s %s (%s): the earlier attempt went through; not sent again", method, plain, what)
                return Answer(0, "done", httpx.Headers(), b"")
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, method: str, url: str, content: bytes | None, headers: Mapping[str, str], *, max_bytes: int,
              what: str) -> Answer:
        auth = self._origin(url)[1]
        request = self._client.build_request(method, url, content=content, headers=headers)
        response = self._client.send(request, auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
                                     stream=True)
        try:
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    plain = without_query(url)
                    raise RemoteError(
                        f"{plain} sent more than {max_bytes // (1024 * 1024)} MiB for {what}: the answer was not read",
                        status=response.status_code, url=plain)
        finally:
            response.close()
        if "server" in response.headers:
            self._software[_origin_of(url)] = response.headers["server"]
        return Answer(response.status_code, response.reason_phrase, response.headers, bytes(body))

    def software(self, url: str) -> str:
        """The ``Server`` header of the last answer from ``url``'s origin (``""`` before any)."""
        return self._software.get(_origin_of(url), "")

    def digest_in_use(self, url: str) -> bool:
        """Whether requests to ``url``'s origin now authenticate with Digest."""
        auth = self._origin(url)[1]
        return auth is not None and auth.digest_in_use

    def raise_for(self, answer: Answer, url: str, *, role: Role, what: str) -> None:
        """Raise :class:`RemoteError` saying what went wrong and what to do, unless ``answer`` is 2xx.

        The message carries the store's own words (:func:`server_message`) and never credentials.
        """
        if 200 <= answer.status < 300:
            return
        plain = without_query(url)
        message = server_message(answer) or answer.reason
        status = answer.status
        said = f": {message}" if message and message != answer.reason else ""
        if status == 401:
            credentials = self.credentials(url)
            if credentials is None:
                hint = "it needs credentials: set KG_USERNAME and KG_PASSWORD, or add the host to ~/.netrc"
            elif self.auth is Auth.BASIC and "digest" in answer.headers.get("www-authenticate", "").lower():
                hint = "it asks for Digest authentication, which --auth basic does not answer: use --auth auto"
            else:
                scheme = "Digest" if self.digest_in_use(url) else "Basic"
                hint = f"the credentials from {credentials.source} were refused ({scheme} authentication)"
            reason = f"{plain} answered 401 Unauthorized: {hint}"
        elif status == 403:
            credentials = self.credentials(url)
            if credentials is not None:
                hint = f"the user from {credentials.source} may not use the {role.value} ({what})"
            elif role is Role.QUERY:
                hint = f"no credentials were sent, and anonymous users may not use the {role.value} ({what})"
            else:
                hint = (f"no credentials were sent, and anonymous users may not write with the {role.value} ({what}): "
                        "set KG_USERNAME and KG_PASSWORD (Virtuoso: with /sparql-graph-crud-auth)")
            reason = f"{plain} answered 403 Forbidden{said}; {hint}"
        elif status == 404:
            reason = f"no {role.value} at {plain}: check {role.option} ({role.examples})"
        elif status == 405:
            reason = f"{plain} does not accept {what} requests (405 Method Not Allowed): is it read-only? check {role.option}"
        elif status == 413:
            reason = f"{plain} refused {what} as too large (413): try a smaller --chunk-size"
        elif 300 <= status < 400:
            reason = f"{plain} redirects to {answer.location or '?'} ({status}): give that URL as {role.option}"
        elif status >= 500 and (hint := lasting_failure(answer)):
            reason = f"{plain} failed on {what}: HTTP {status} {answer.reason}{said} (not retried: {hint})"
        elif status >= 500:
            attempts = f" (after {self.retries + 1} attempts)" if self.retries else ""
            reason = f"{plain} failed on {what}: HTTP {status} {answer.reason}{said}{attempts}"
        else:
            reason = f"{plain} refused {what}: HTTP {status} {answer.reason}{said}"
        raise RemoteError(reason, status=status, url=plain)


class Role(enum.Enum):
    """The endpoints of a store, for messages: what each is called and which option names it."""

    GRAPH_STORE = "graph store"
    QUERY = "query endpoint"
    UPDATE = "update endpoint"
    SPARQL = "SPARQL endpoint"

    @property
    def option(self) -> str:
        """The command-line option that gives this endpoint."""
        return {"graph store": "--endpoint", "query endpoint": "--query-endpoint",
                "update endpoint": "--update-endpoint", "SPARQL endpoint": "--endpoint"}[self.value]

    @property
    def examples(self) -> str:
        """Where this endpoint is on the stores the toolkit is tested with."""
        return {
            "graph store": "Oxigraph: /store, Fuseki: /<dataset>/data, Virtuoso: /sparql-graph-crud-auth",
            "query endpoint": "Oxigraph: /query, Fuseki: /<dataset>/query, Virtuoso: /sparql-auth",
            "update endpoint": "Oxigraph: /update, Fuseki: /<dataset>/update, Virtuoso: /sparql-auth",
            "SPARQL endpoint": "Oxigraph: /query, Fuseki: /<dataset>/query, Virtuoso: /sparql",
        }[self.value]


def _origin_of(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def without_query(url: str) -> str:
    """``url`` without its query string (which may hold a graph name or a query)."""
    return url.split("?", 1)[0]


def _name_not_resolved(exc: BaseException) -> bool:
    seen: set[int] = set()
    todo: list[object] = [exc]
    while todo:
        item = todo.pop()
        if id(item) in seen or not isinstance(item, BaseException):
            continue
        seen.add(id(item))
        if isinstance(item, socket.gaierror):
            return True
        todo.extend([item.__cause__, item.__context__, *item.args])
    return False


def _describe(exc: BaseException) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the connection was closed without a complete answer"
    text = str(exc) or type(exc).__name__
    return re.sub(r"^\[Errno -?\d+\] ", "", text)


class _Text(html.parser.HTMLParser):
    """The visible text of an HTML error page (without its title, scripts and styles)."""

    _HIDDEN: ClassVar[set[str]] = {"title", "script", "style", "head"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


_LASTING_FAILURES = {
    # Virtuoso 7.2: "Virtuoso 40005 Error SR325: Transaction aborted because it's log after image
    # size went above the limit". The same update fails the same way every time.
    "SR325": "the update is larger than one transaction may be on this Virtuoso; raise TransactionAfterImageLimit "
             "in [Parameters] of virtuoso.ini and restart it (see docs/loading.md)",
}
# Virtuoso's error lines: "Virtuoso 40005 Error SR325: ..." (SPARQL), "Error 40005 SR325: ..." (Graph Store).
_VIRTUOSO_ERROR = re.compile(r"\b(?:Virtuoso [0-9A-Z]{5} Error|Error [0-9A-Z]{5}) ([A-Z]{2}\d{3}):")


def lasting_failure(answer: Answer) -> str:
    """What to do, when a ``5xx`` answer names a failure that sending the request again cannot mend
    (a server limit the request is over); ``""`` for any other answer.

    >>> body = b"Virtuoso 40005 Error SR325: Transaction aborted because it's log after image size went above the limit"
    >>> lasting_failure(Answer(500, "SPARQL Request Failed", httpx.Headers(), body)).split(";")[0]
    'the update is larger than one transaction may be on this Virtuoso'
    >>> lasting_failure(Answer(500, "Request Failed", httpx.Headers(), b"Error 40005 SR325: Transaction aborted")) != ""
    True
    >>> lasting_failure(Answer(500, "SPARQL Request Failed", httpx.Headers(), b"Virtuoso 40001 Error SR172: deadlock"))
    ''
    """
    if answer.status < 500:
        return ""
    code = _VIRTUOSO_ERROR.search(server_message(answer))
    return _LASTING_FAILURES.get(code.group(1), "") if code else ""


def server_message(answer: Answer, *, limit: int = 300) -> str:
    """The store's own words in an error answer, as one line of text.

    HTML and XML pages give their visible text; a query echoed after the message (Virtuoso's
    ``SPARQL query:`` section) is left out.

    >>> page = (b"<html><head><title>Failed</title></head><body><h1>HTTP/1.1 403 Forbidden</h1>"
    ...         b"<xmp>SQ110: Permission denied</xmp></body></html>")
    >>> server_message(Answer(403, "Forbidden", httpx.Headers({"Content-Type": "text/html"}), page))
    'SQ110: Permission denied'
    >>> server_message(Answer(400, "Bad Request", httpx.Headers(), b"Virtuoso 37000 Error SP030: syntax error\\n\\nSPARQL query:\\nSELECT"))
    'Virtuoso 37000 Error SP030: syntax error'
    """
    text = answer.body.decode("utf-8", "replace")
    content_type = answer.headers.get("content-type", "").lower()
    if "html" in content_type or "xml" in content_type or text.lstrip().startswith("<"):
        parser = _Text()
        parser.feed(text)
        parser.close()
        text = "\n".join(parser.parts)
    text = re.split(r"\n\s*SPARQL query:", text, maxsplit=1)[0]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # A heading that repeats the status line says nothing the status does not.
    lines = [line for line in lines if not re.fullmatch(r"HTTP/\d(\.\d)? \d{3}( .*)?", line)]
    message = " ".join(lines)
    return message if len(message) <= limit else message[: limit - 1] + "…"
