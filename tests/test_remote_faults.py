"""The loader's retry policy, credentials and transport rules.

Faults a real Oxigraph cannot be made to produce (a 500 then a 200, a 401, a hung or cut-off
answer) come from a small stand-in HTTP server on a loopback port that answers from a script and
records every request. Nothing here reaches another machine.
"""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kg.cli import main
from kg.errors import InputError, RemoteError, UsageError
from kg.remote import (
    Auth,
    Credentials,
    Endpoints,
    GraphStore,
    TruncatedAnswer,
    load_dataset,
    query_endpoint,
)

GRAPH = "https://example.org/graph/g"
TRIPLES = b'<https://example.org/a> <https://example.org/p> "1" .\n'
USERNAME, PASSWORD = "loader-user", "s3cret-Pa55word"


# -- the stand-in server -----------------------------------------------------------------------


@dataclass
class Seen:
    method: str
    path: str
    authorization: str | None
    body: bytes


@dataclass
class StandIn:
    """Answers each request with the next status of ``script`` (the last one repeats).

    A status of ``"hang"`` answers nothing for ``hang_seconds``; ``"cut"`` closes the connection
    without answering.
    """

    script: list[int | str]
    hang_seconds: float = 1.0
    seen: list[Seen] = field(default_factory=list)
    port: int = 0
    query_reply: bytes = b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal","value":"1"}}]}}'
    """What /query answers."""
    headers: dict[str, str] = field(default_factory=dict)
    """Extra response headers."""

    def next_action(self) -> int | str:
        index = min(len(self.seen) - 1, len(self.script) - 1)
        return self.script[index]


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    state = StandIn(script=[204])

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            state.seen.append(Seen(self.command, self.path, self.headers.get("Authorization"), body))
            action = state.next_action()
            if action == "hang":
                time.sleep(state.hang_seconds)
                self.close_connection = True
                return
            if action == "cut":
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            status = int(action)
            if self.path.startswith("/query"):
                status = 200 if status < 300 else status
                reply = state.query_reply
                content_type = "application/sparql-results+json"
            else:
                reply = f"stand-in answer {status}\n".encode()
                content_type = "text/plain"
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(reply)))
            for name, value in state.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply)

        do_GET = do_PUT = do_POST = do_DELETE = _answer

    class Quiet(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            pass  # the "cut" answers reset connections on purpose

    server = Quiet(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _client(stand_in: StandIn, **options: object) -> GraphStore:
    return GraphStore(f"http://127.0.0.1:{stand_in.port}/store", backoff=0.01, **options)  # type: ignore[arg-type]


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No KG_USERNAME/KG_PASSWORD and an empty home (so no ~/.netrc); returns that home."""
    monkeypatch.delenv("KG_USERNAME", raising=False)
    monkeypatch.delenv("KG_PASSWORD", raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


# -- retries -----------------------------------------------------------------------------------


def test_a_5xx_is_retried_and_the_retry_succeeds(stand_in: StandIn, no_credentials: Path) -> None:
    stand_in.script = [500, 201]
    _client(stand_in).put(GRAPH, TRIPLES)
    assert [s.method for s in stand_in.seen] == ["PUT", "PUT"]
    assert stand_in.seen[1].body == TRIPLES


def test_5xx_answers_are_retried_until_the_retries_are_spent(stand_in: StandIn, no_credentials: Path) -> None:
    stand_in.script = [503]
    with pytest.raises(RemoteError) as caught:
        _client(stand_in, retries=2).put(GRAPH, TRIPLES)
    assert len(stand_in.seen) == 3
    assert caught.value.status == 503 and "after 3 attempts" in str(caught.value)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 413, 415])
def test_a_4xx_is_never_retried(stand_in: StandIn, no_credentials: Path, status: int) -> None:
    stand_in.script = [status, 201]
    with pytest.raises(RemoteError) as caught:
        _client(stand_in, retries=3).put(GRAPH, TRIPLES)
    assert len(stand_in.seen) == 1
    assert caught.value.status == status


def test_the_4xx_messages_say_what_to_do(stand_in: StandIn, no_credentials: Path) -> None:
    url = f"http://127.0.0.1:{stand_in.port}/store"
    expected = {
        401: f"{url} answered 401 Unauthorized: it needs credentials: set KG_USERNAME and KG_PASSWORD, or add the host to ~/.netrc",
        403: f"{url} answered 403 Forbidden",
        404: f"no graph store at {url}: check --endpoint (Oxigraph: /store, Fuseki: /<dataset>/data, Virtuoso: "
             "/sparql-graph-crud-auth)",
        400: f"{url} refused graph <{GRAPH}>: HTTP 400 Bad Request: stand-in answer 400",
    }
    for status, message in expected.items():
        stand_in.script = [status]
        with pytest.raises(RemoteError) as caught:
            _client(stand_in).put(GRAPH, TRIPLES)
        assert str(caught.value).startswith(message), (status, str(caught.value))


def test_a_timeout_is_retried(stand_in: StandIn, no_credentials: Path) -> None:
    stand_in.script = ["hang", 201]
    stand_in.hang_seconds = 1.0
    _client(stand_in, timeout=0.3).put(GRAPH, TRIPLES)
    assert len(stand_in.seen) == 2


def test_a_connection_closed_without_answer_is_retried(stand_in: StandIn, no_credentials: Path) -> None:
    stand_in.script = ["cut", "cut", 201]
    _client(stand_in).put(GRAPH, TRIPLES)
    assert len(stand_in.seen) == 3


def test_the_backoff_doubles(stand_in: StandIn, no_credentials: Path) -> None:
    stand_in.script = [502, 502, 502, 201]
    started = time.monotonic()
    GraphStore(f"http://127.0.0.1:{stand_in.port}/store", backoff=0.1, retries=3).put(GRAPH, TRIPLES)
    elapsed = time.monotonic() - started
    assert len(stand_in.seen) == 4
    assert elapsed >= 0.1 + 0.2 + 0.4  # waits of 0.1, 0.2 and 0.4 s


def test_a_failed_chunk_removes_the_staging_graph_and_never_touches_the_target(stand_in: StandIn, no_credentials: Path,
                                                                                tmp_path: Path) -> None:
    data = tmp_path / "g.nq"
    data.write_bytes(b"".join(f'<https://example.org/s{i}> <https://example.org/p> "{i}" <{GRAPH}> .\n'.encode()
                              for i in range(5)))
    stand_in.script = [200, 200, 201, 400, 204]  # no staging graph left (two queries), first chunk in, second refused, the clean-up
    with pytest.raises(RemoteError, match="HTTP 400"):
        load_dataset(data, endpoint=f"http://127.0.0.1:{stand_in.port}/store", chunk_size=2, backoff=0.01, parallel=1)
    methods = [(s.method, s.path) for s in stand_in.seen if not s.path.startswith("/query")]
    staging = methods[0][1]
    assert methods[0][0] == "POST" and "urn%3Akikg%3Astaging%3A" in staging
    assert methods[1] == ("POST", staging) and methods[2] == ("DELETE", staging)
    assert not any("example.org%2Fgraph" in path for _, path in methods), "the target graph was touched"


# -- credentials -------------------------------------------------------------------------------


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def test_environment_credentials_go_as_basic_auth_to_a_loopback_store(stand_in: StandIn, no_credentials: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_USERNAME", USERNAME)
    monkeypatch.setenv("KG_PASSWORD", PASSWORD)
    _client(stand_in).put(GRAPH, TRIPLES)
    assert stand_in.seen[0].authorization == _basic(USERNAME, PASSWORD)


def test_no_credentials_no_authorization_header(stand_in: StandIn, no_credentials: Path) -> None:
    _client(stand_in).put(GRAPH, TRIPLES)
    assert stand_in.seen[0].authorization is None


def test_netrc_credentials_for_the_host(stand_in: StandIn, no_credentials: Path) -> None:
    netrc = no_credentials / ".netrc"
    netrc.write_text(f"machine 127.0.0.1 login {USERNAME} password {PASSWORD}\n", encoding="utf-8")
    netrc.chmod(0o600)
    _client(stand_in).put(GRAPH, TRIPLES)
    assert stand_in.seen[0].authorization == _basic(USERNAME, PASSWORD)


def test_a_netrc_others_can_read_is_refused_without_quoting_it(stand_in: StandIn, no_credentials: Path) -> None:
    netrc = no_credentials / ".netrc"
    netrc.write_text(f"machine 127.0.0.1 login {USERNAME} password {PASSWORD}\n", encoding="utf-8")
    netrc.chmod(0o644)
    with pytest.raises(InputError) as caught:
        _client(stand_in)
    assert "chmod 600" in str(caught.value) and PASSWORD not in str(caught.value)
    assert stand_in.seen == []


def test_half_of_the_environment_credentials_is_a_usage_error(no_credentials: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_USERNAME", USERNAME)
    with pytest.raises(UsageError, match="both KG_USERNAME and KG_PASSWORD"):
        Credentials.lookup("http://127.0.0.1/store")


def test_credentials_never_show_in_repr() -> None:
    assert PASSWORD not in repr(Credentials(USERNAME, PASSWORD))


def test_basic_auth_over_plain_http_to_another_host_is_refused(no_credentials: Path, monkeypatch: pytest.MonkeyPatch,
                                                               default_trig: Path, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KG_USERNAME", USERNAME)
    monkeypatch.setenv("KG_PASSWORD", PASSWORD)

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the loader tried to connect before refusing")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    code = main(["load", "--endpoint", "http://store.example/store", "--data", str(default_trig)])
    captured = capsys.readouterr()
    assert code == 2
    assert "refusing to send Basic credentials over plain http to store.example" in captured.err
    assert "--allow-insecure" in captured.err
    # The flag lifts the refusal (checked without sending anything), and https never needs it.
    GraphStore("http://store.example/store", allow_insecure=True)
    GraphStore("https://store.example/store")


def test_credentials_in_the_url_are_refused_without_echoing_them(no_credentials: Path, default_trig: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["load", "--endpoint", f"http://{USERNAME}:{PASSWORD}@127.0.0.1:9/store", "--data", str(default_trig)])
    err = capsys.readouterr().err
    assert code == 2 and "must not hold credentials" in err
    assert PASSWORD not in err and USERNAME not in err


def test_credentials_never_appear_in_the_output_of_kg_load(stand_in: StandIn, no_credentials: Path,
                                                            default_trig: Path) -> None:
    """Retries, a refusal and a success: stdout and stderr never hold the user name or password."""
    env = {**os.environ, "KG_USERNAME": USERNAME, "KG_PASSWORD": PASSWORD, "HOME": str(no_credentials)}
    url = f"http://127.0.0.1:{stand_in.port}/store"
    token = _basic(USERNAME, PASSWORD).split()[1]
    outputs = []
    for script in ([503, 401], [204]):
        stand_in.script = script
        stand_in.seen.clear()
        done = subprocess.run([sys.executable, "-m", "kg.cli", "load", "--endpoint", url, "--data", str(default_trig),
                               "--retries", "1", "--debug"],
                              capture_output=True, text=True, env=env, timeout=120)
        outputs.append(done)
        # Basic with every request, but for one without credentials after a 401 that names no scheme
        # (to learn whether the store asks for Digest, as Virtuoso does).
        assert stand_in.seen and stand_in.seen[0].authorization == _basic(USERNAME, PASSWORD)
        assert all(s.authorization in (_basic(USERNAME, PASSWORD), None) for s in stand_in.seen)
    refused, loaded = outputs
    assert refused.returncode == 1 and "401" in refused.stderr
    # The stand-in counts 1 triple per graph, the dataset has more: the load fails on the counts.
    assert loaded.returncode == 1 and "on server" in loaded.stderr
    for done in outputs:
        for secret in (USERNAME, PASSWORD, token):
            assert secret not in done.stdout and secret not in done.stderr


# -- endpoints ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("graph_store", "query", "update"),
    [
        ("http://localhost:7878/store", "http://localhost:7878/query", "http://localhost:7878/update"),
        ("http://localhost:3030/ds/data", "http://localhost:3030/ds/query", "http://localhost:3030/ds/update"),
        ("https://h:7200/repositories/kg/rdf-graphs/service", "https://h:7200/repositories/kg",
         "https://h:7200/repositories/kg/statements"),
        ("http://h:8890/sparql-graph-crud-auth", "http://h:8890/sparql-auth", "http://h:8890/sparql-auth"),
        ("http://h:8890/sparql-graph-crud", "http://h:8890/sparql", "http://h:8890/sparql"),
    ],
)
def test_query_and_update_endpoints_are_derived(graph_store: str, query: str, update: str) -> None:
    assert Endpoints.derive(graph_store) == Endpoints(graph_store, query, update)


def test_an_unknown_layout_needs_the_query_endpoint() -> None:
    with pytest.raises(UsageError, match="give --query-endpoint"):
        Endpoints.derive("http://localhost:8080/gsp")
    endpoints = Endpoints.derive("http://localhost:8080/gsp", query="http://localhost:8080/sparql")
    assert endpoints.update is None


def test_a_chunked_load_without_an_update_endpoint_is_a_usage_error(stand_in: StandIn, no_credentials: Path,
                                                                      tmp_path: Path) -> None:
    data = tmp_path / "g.nq"
    data.write_bytes(b"".join(f'<https://example.org/s{i}> <https://example.org/p> "{i}" <{GRAPH}> .\n'.encode()
                              for i in range(3)))
    base = f"http://127.0.0.1:{stand_in.port}"
    with pytest.raises(UsageError, match="give --update-endpoint"):
        load_dataset(data, endpoint=base + "/gsp", query_endpoint=base + "/query", chunk_size=2)
    assert stand_in.seen == [], "something was sent before the refusal"


@pytest.mark.parametrize("option", [["--chunk-size", "0"], ["--timeout", "0"], ["--retries", "-1"]])
def test_bad_options_are_usage_errors(option: list[str], default_trig: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["load", "--endpoint", "http://127.0.0.1:9/store", "--data", str(default_trig), *option])
    assert code == 2 and capsys.readouterr().err.startswith("kg load: error:")


def test_a_missing_dataset_file_names_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nothing.trig"
    code = main(["load", "--endpoint", "http://127.0.0.1:9/store", "--data", str(missing)])
    assert code == 2 and str(missing) in capsys.readouterr().err



def test_a_localhost_subdomain_is_not_loopback(no_credentials: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``store.localhost`` goes through DNS, whose answer can point anywhere: Basic credentials do not
    go there over plain http (``localhost`` itself, from the hosts file, stays loopback)."""
    monkeypatch.setenv("KG_USERNAME", USERNAME)
    monkeypatch.setenv("KG_PASSWORD", PASSWORD)
    with pytest.raises(UsageError, match="refusing to send Basic credentials over plain http to store.localhost"):
        GraphStore("http://store.localhost:7878/store")
    GraphStore("http://localhost:7878/store")
    GraphStore("http://[::1]:7878/store")


def test_digest_only_may_go_over_plain_http(no_credentials: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With --auth digest the password itself never travels, so plain http to another host is
    allowed (nothing is sent here: the check happens before any request)."""
    monkeypatch.setenv("KG_USERNAME", USERNAME)
    monkeypatch.setenv("KG_PASSWORD", PASSWORD)
    GraphStore("http://store.example/store", auth=Auth.DIGEST)
    with pytest.raises(UsageError):
        GraphStore("http://store.example/store", auth=Auth.BASIC)


def test_an_interrupted_anytime_answer_is_an_error(stand_in: StandIn, no_credentials: Path) -> None:
    """Virtuoso's "anytime" queries answer 200 with what they found when time ran out, and say so
    only in X-SQL-State; this stand-in answers like it."""
    stand_in.script = [200]
    stand_in.headers = {"X-SQL-State": "S1TAT",
                        "X-SQL-Message": "RC...: Returning incomplete results, query interrupted by result timeout."}
    with pytest.raises(TruncatedAnswer, match="incomplete answer .1 rows, X-SQL-State S1TAT: RC...: Returning incomplete"):
        query_endpoint(f"http://127.0.0.1:{stand_in.port}/query", "SELECT ?n WHERE { ?s ?p ?n }")


def test_repeated_rows_of_a_select_distinct_are_removed(stand_in: StandIn, no_credentials: Path) -> None:
    """A SELECT DISTINCT answered with a repeated row (as Virtuoso 7.2 now and then does) gives the
    rows the query asks for; a plain SELECT keeps its repetitions."""
    row = b'{"n":{"type":"literal","value":"1"}}'
    stand_in.script = [200]
    stand_in.query_reply = b'{"head":{"vars":["n"]},"results":{"bindings":[' + b",".join([row, row]) + b"]}}"
    url = f"http://127.0.0.1:{stand_in.port}/query"
    assert len(query_endpoint(url, "SELECT DISTINCT ?n WHERE { ?s ?p ?n }")) == 1
    assert len(query_endpoint(url, "SELECT ?n WHERE { { SELECT DISTINCT ?n WHERE { ?s ?p ?n } } }")) == 2


def test_a_boolean_in_another_lexical_form_is_given_in_the_canonical_one(stand_in: StandIn, no_credentials: Path) -> None:
    stand_in.script = [200]
    stand_in.query_reply = (b'{"head":{"vars":["b"]},"results":{"bindings":[{"b":{"type":"typed-literal",'
                            b'"datatype":"http://www.w3.org/2001/XMLSchema#boolean","value":"1"}}]}}')
    result = query_endpoint(f"http://127.0.0.1:{stand_in.port}/query", "SELECT ?b WHERE { ?s ?p ?b }")
    assert result.to_delimited() == "b\ntrue\n"
