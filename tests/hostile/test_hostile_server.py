"""Issue #13 items 2-4: hostile pages, clients and queries against a real `kg serve`.

Each test speaks raw HTTP to a real server (uvicorn in front, Oxigraph behind) on its own ports.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from corpus import SMALL

import kg
from kg.remote import query_endpoint
from kg.serve import Limits, Server, remove_stale_stores, serve

pytestmark = pytest.mark.server

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
PRODUCT_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
PRODUCT_ROWS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"


def _exchange(port: int, request: bytes, *, timeout: float = 10.0) -> bytes:
    """Send raw bytes, read until the server closes or stops answering."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(request)
        chunks = []
        try:
            while chunk := connection.recv(65536):
                chunks.append(chunk)
                if b"\r\n\r\n" in b"".join(chunks) and not _wants_more(b"".join(chunks)):
                    break
        except TimeoutError:
            pass
    return b"".join(chunks)


def _wants_more(data: bytes) -> bool:
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) < int(line.split(b":")[1])
    return not body.endswith(b"0\r\n\r\n")


def _status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def _query_request(port: int, query: str, *, host: str | None = None, extra: str = "") -> bytes:
    body = urllib.parse.urlencode({"query": query}).encode()
    return (f"POST /query HTTP/1.1\r\nHost: {host if host is not None else f'127.0.0.1:{port}'}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nAccept: application/sparql-results+json\r\n"
            f"Content-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n").encode() + body


# -- item 2: Host and Origin ---------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1:1", "localhost", "127.0.0.2:{port}",
                                  "localhost.:{port}", "127.0.0.1:{port}.evil.example", ""])
def test_a_foreign_host_is_refused_with_403(small_server: Server, host: str) -> None:
    host = host.format(port=small_server.port)
    response = _exchange(small_server.port, _query_request(small_server.port, COUNT, host=host))
    assert _status(response) == 403, response[:200]
    page = _exchange(small_server.port, f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    assert _status(page) == 403  # DNS rebinding cannot read the page either


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}", "LOCALHOST:{port}"])
def test_loopback_hosts_on_the_served_port_are_answered(small_server: Server, host: str) -> None:
    host = host.format(port=small_server.port)
    response = _exchange(small_server.port, _query_request(small_server.port, COUNT, host=host))
    assert _status(response) == 200 and b'"n"' in response


@pytest.mark.parametrize("header", ["Origin: http://evil.example", "Origin: null", "Origin: http://127.0.0.1:1",
                                    "Origin: https://127.0.0.1:{port}", "Sec-Fetch-Site: cross-site",
                                    "Sec-Fetch-Site: same-site"])
def test_a_request_from_another_origin_is_refused_with_403(small_server: Server, header: str) -> None:
    extra = header.format(port=small_server.port) + "\r\n"
    assert _status(_exchange(small_server.port, _query_request(small_server.port, COUNT, extra=extra))) == 403


def test_the_pages_own_origin_is_answered(small_server: Server) -> None:
    extra = f"Origin: http://localhost:{small_server.port}\r\nSec-Fetch-Site: same-origin\r\n"
    assert _status(_exchange(small_server.port, _query_request(small_server.port, COUNT, extra=extra))) == 200


# -- item 4: the HTTP front ------------------------------------------------------------------------------


@pytest.mark.parametrize("length", ["-1", "abc", "1e3", "+5", "5, 6"])
def test_a_bad_content_length_gets_400_at_once(small_server: Server, length: str) -> None:
    started = time.monotonic()
    request = (f"POST /query HTTP/1.1\r\nHost: 127.0.0.1:{small_server.port}\r\n"
               f"Content-Type: application/sparql-query\r\nContent-Length: {length}\r\n\r\n{COUNT}").encode()
    response = _exchange(small_server.port, request, timeout=5)
    assert _status(response) == 400 and time.monotonic() - started < 4
    assert b"Traceback" not in response
    assert _status(_exchange(small_server.port, _query_request(small_server.port, COUNT))) == 200  # still serving


def test_a_body_over_the_limit_is_refused_before_it_is_sent(small_server: Server) -> None:
    request = (f"POST /query HTTP/1.1\r\nHost: 127.0.0.1:{small_server.port}\r\n"
               f"Content-Type: application/sparql-query\r\nContent-Length: 300000000\r\n\r\n").encode()
    assert _status(_exchange(small_server.port, request, timeout=5)) == 413


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with short limits: 1 s for headers and body, 2 s a query, 100 kB an answer."""
    limits = Limits(header_seconds=1, body_seconds=1, grace_seconds=1)
    server = serve(SMALL, port=0, query_timeout=2, max_answer_bytes=100_000, limits=limits)
    try:
        yield server
    finally:
        server.stop()


def test_a_client_trickling_its_headers_is_disconnected(strict_server: Server) -> None:
    with socket.create_connection(("127.0.0.1", strict_server.port), timeout=10) as slow:
        slow.sendall(b"GET / HTTP/1.1\r\n")
        started = time.monotonic()
        closed = False
        while time.monotonic() - started < 8:
            try:
                slow.sendall(b"X")  # one byte of a header line every 0.2 s
            except OSError:
                closed = True
                break
            slow.settimeout(0.2)
            try:
                if slow.recv(1024) == b"":
                    closed = True
                    break
            except TimeoutError:
                pass
        assert closed and time.monotonic() - started < 4


def test_a_client_that_never_sends_its_body_gets_408(strict_server: Server) -> None:
    request = (f"POST /query HTTP/1.1\r\nHost: 127.0.0.1:{strict_server.port}\r\n"
               f"Content-Type: application/sparql-query\r\nContent-Length: 100\r\n\r\nSELECT").encode()
    started = time.monotonic()
    assert _status(_exchange(strict_server.port, request, timeout=10)) == 408
    assert time.monotonic() - started < 5


def test_two_hundred_clients_at_once_are_all_answered(small_server: Server) -> None:
    """The listen backlog and the worker limits take a burst; not a timing test."""
    statuses: list[int] = []
    errors: list[str] = []
    request = f"GET /api/queries HTTP/1.1\r\nHost: 127.0.0.1:{small_server.port}\r\nConnection: close\r\n\r\n".encode()
    barrier = threading.Barrier(200)

    def client() -> None:
        barrier.wait()
        try:
            statuses.append(_status(_exchange(small_server.port, request, timeout=60)))
        except (OSError, IndexError, ValueError) as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=client) for _ in range(200)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and statuses == [200] * 200


# -- item 3: time and size limits -------------------------------------------------------------------------


def test_a_query_over_the_time_limit_is_stopped_and_its_work_ends(strict_server: Server) -> None:
    backend = strict_server._backend
    busy = backend.process
    restarts = strict_server.backend_restarts
    started = time.monotonic()
    response = _exchange(strict_server.port, _query_request(strict_server.port, PRODUCT_COUNT), timeout=60)
    assert _status(response) == 503 and b"ran longer than 2 s and was stopped" in response
    assert time.monotonic() - started < 20
    assert busy.poll() is not None, "the Oxigraph process running the query is still alive"
    assert strict_server.backend_restarts == restarts + 1
    assert _status(_exchange(strict_server.port, _query_request(strict_server.port, COUNT))) == 200


def test_an_answer_over_the_size_limit_is_cut_with_a_message(strict_server: Server) -> None:
    response = _exchange(strict_server.port, _query_request(strict_server.port, PRODUCT_ROWS), timeout=60)
    assert _status(response) == 200
    assert b"kg serve cut the answer here: it is longer than 100000 bytes (add LIMIT)" in response
    assert len(response) < 100_000 + 4_000  # headers, chunk sizes and the message
    with pytest.raises(kg.RemoteError, match="broke off its answer: kg serve cut the answer here"):
        query_endpoint(strict_server.query_url, PRODUCT_ROWS)


# -- item 4: a backend that dies with its parent; stale stores removed --------------------------------------


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(c) for c in (task / "children").read_text().split()]
    return children


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG and /proc are Linux")
def test_sigkill_of_kg_serve_takes_the_backend_along_and_the_next_start_cleans_up(tmp_path: Path,
                                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--port", "0", "--data", str(SMALL)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "TMPDIR": str(tmp_path)})
    try:
        assert process.stdout is not None
        while "SPARQL endpoint" not in (line := process.stdout.readline()):
            assert line, process.stderr.read() if process.stderr else "no output"
        (backend,) = _children(process.pid)
        assert Path(f"/proc/{backend}/cmdline").read_bytes().split(b"\0")[1] == b"serve-read-only"
        (store,) = tmp_path.glob("kg-serve-*")
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while Path(f"/proc/{backend}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not Path(f"/proc/{backend}").exists(), "the Oxigraph server outlived kg serve"
        assert store.is_dir()  # a killed process cannot clean up: the next start does
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with serve(SMALL, port=0) as running:
        assert not store.exists()
        assert running.workdir.exists()
        assert remove_stale_stores(tmp_path) == []  # a running server's store is never taken
        assert running.workdir.exists()
