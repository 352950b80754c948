"""`kg load` and remote queries against a real Oxigraph server (the `oxigraph` package's binary)."""

from __future__ import annotations

import logging
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from abandoned_swap import abandon_swaps

import kg
import kg.remote.loader
import kg.remote.parts
from kg.cli import main
from kg.errors import InputError, LiteralFormWarning, RemoteError
from kg.queries import QueryResult
from kg.remote import (
    STAGING_PREFIX,
    GraphLoad,
    GraphStore,
    LoadCountMismatch,
    QueryDataset,
    load_dataset,
)
from kg.remote.sparql import GRAPH_NAMES_PROBE, enumerates_graphs

pytestmark = pytest.mark.server



def _server_quads(endpoint: str) -> list[tuple[str, ...]]:
    """Every quad on the server, as N-Triples strings, sorted."""
    result = kg.remote.query_endpoint(endpoint, "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    return sorted(result.row_keys())


def _local_quads(graph: kg.KnowledgeGraph) -> list[tuple[str, ...]]:
    solutions = graph.store.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    return sorted(QueryResult.from_solutions(solutions).row_keys())


def _server_counts(endpoint: str) -> dict[str, int]:
    result = kg.remote.query_endpoint(endpoint, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row[0].value: int(row[1].value) for row in result.rows}  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def local(default_trig: Path) -> kg.KnowledgeGraph:
    """The dataset as the loader reads it."""
    return kg.read(default_trig)


# -- loading ----------------------------------------------------------------------------------


def test_cli_load_prints_each_graph_and_the_counts_match(oxigraph_server, default_trig: Path, local: kg.KnowledgeGraph,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["load", "--endpoint", oxigraph_server.store, "--data", str(default_trig)])
    out = capsys.readouterr().out
    assert code == 0
    expected = local.triple_counts()
    assert _server_counts(oxigraph_server.query) == expected
    lines = out.splitlines()
    for graph, count in expected.items():
        assert any(line.split() == [graph, str(count), str(count)] for line in lines), (graph, out)
    total = sum(expected.values())
    assert any(line.startswith("total") and line.split()[-2:] == [str(total), str(total)] for line in lines), out


def test_load_again_replaces_instead_of_duplicating(oxigraph_server, default_trig: Path, local: kg.KnowledgeGraph) -> None:
    first = load_dataset(default_trig, endpoint=oxigraph_server.store)
    documents = local.dataset.graphs.table("documents")
    # A stray triple in a loaded graph must be gone after the next load: PUT replaces the graph.
    GraphStore(oxigraph_server.store).post(documents, b"<https://example.org/stray> <https://example.org/p> \"x\" .\n")
    assert _server_counts(oxigraph_server.query)[documents] == local.triple_counts()[documents] + 1
    second = load_dataset(default_trig, endpoint=oxigraph_server.store)
    assert second.graphs == first.graphs
    assert second.ok and second.total_on_server == len(local.dataset)
    assert _server_quads(oxigraph_server.query) == _local_quads(local)


def test_knowledge_graph_load_sends_only_the_graphs_asked_for(oxigraph_server, local: kg.KnowledgeGraph) -> None:
    documents = local.dataset.graphs.table("documents")
    report = local.load(oxigraph_server.store, graphs=["graph/table/documents"])
    assert report.ok and [load.graph for load in report.graphs] == [documents]
    assert _server_counts(oxigraph_server.query) == {documents: local.triple_counts()[documents]}


def test_chunked_load_gives_the_same_graphs_and_leaves_no_staging_graph(oxigraph_server, default_trig: Path,
                                                                        local: kg.KnowledgeGraph) -> None:
    load_dataset(default_trig, endpoint=oxigraph_server.store)  # an earlier version to replace
    report = load_dataset(default_trig, endpoint=oxigraph_server.store, chunk_size=50)
    counts = local.triple_counts()
    for load in report.graphs:
        # Chunks of 50; the last cut in two, which the two connections send at once.
        assert -(-counts[load.graph] // 50) <= load.chunks <= -(-counts[load.graph] // 50) + 1, load
        assert load.on_server == load.sent == counts[load.graph]
    assert any(load.chunks > 1 for load in report.graphs)
    assert set(_server_counts(oxigraph_server.query)) == set(counts), "a staging graph was left behind"
    assert _server_quads(oxigraph_server.query) == _local_quads(local)


@pytest.fixture
def installs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the GraphStore methods a load puts its staging graphs in place with, in order
    (the real methods run)."""
    calls: list[str] = []
    for name in ("fill", "swap"):
        real = getattr(GraphStore, name)

        def spy(self: GraphStore, *args: object, _real: object = real, _name: str = name, **kwargs: object) -> None:
            calls.append(_name)
            _real(self, *args, **kwargs)  # type: ignore[operator]

        monkeypatch.setattr(GraphStore, name, spy)
    return calls


def test_a_chunked_load_fills_an_empty_graph_and_swaps_into_one_that_has_triples(
        oxigraph_server, default_trig: Path, local: kg.KnowledgeGraph, installs: list[str]) -> None:
    """A first load adds its staging graph to the empty target (ADD, which Virtuoso runs several times
    faster than the swap); a later one swaps, and both give the local graph."""
    documents = local.dataset.graphs.table("documents")
    GraphStore(oxigraph_server.store).delete(documents)
    first = load_dataset(default_trig, endpoint=oxigraph_server.store, graphs=[documents], chunk_size=10)
    assert installs == ["fill"] and first.ok and first.graphs[0].chunks > 1
    assert _server_counts(oxigraph_server.query)[documents] == local.triple_counts()[documents]
    GraphStore(oxigraph_server.store).put(documents, b'<https://example.org/old> <https://example.org/v> "old" .\n')
    again = load_dataset(default_trig, endpoint=oxigraph_server.store, graphs=[documents], chunk_size=10)
    assert installs == ["fill", "swap"] and again.ok
    on_server = [q for q in _server_quads(oxigraph_server.query) if q[0] == f"<{documents}>"]
    assert on_server == [q for q in _local_quads(local) if q[0] == f"<{documents}>"]


def test_graphs_go_over_parallel_connections_largest_first(oxigraph_server, default_trig: Path,
                                                            local: kg.KnowledgeGraph,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    real_put = GraphStore.put
    puts: list[tuple[str, str]] = []

    def put(self: GraphStore, graph: str, data: bytes, **kwargs: str) -> None:
        puts.append((threading.current_thread().name, graph))
        real_put(self, graph, data, **kwargs)

    monkeypatch.setattr(GraphStore, "put", put)
    report = load_dataset(default_trig, endpoint=oxigraph_server.store, parallel=3)
    assert report.ok and [g.graph for g in report.graphs] == sorted(local.triple_counts())
    assert len({thread for thread, _ in puts}) == 3
    counts = local.triple_counts()
    first_of_each = {thread: graph for thread, graph in reversed(puts)}  # the first graph each connection sent
    assert max(counts, key=counts.__getitem__) in first_of_each.values()
    assert _server_quads(oxigraph_server.query) == _local_quads(local)


def test_a_graph_that_fails_stops_the_load_with_its_error(oxigraph_server, default_trig: Path,
                                                          local: kg.KnowledgeGraph,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A refusal of one graph (injected: the store refuses nothing valid) is the error of the load,
    and no graph is started after it."""
    refused = local.dataset.graphs.table("documents")
    real_put = GraphStore.put
    started: list[str] = []

    def put(self: GraphStore, graph: str, data: bytes, **kwargs: str) -> None:
        started.append(graph)
        if graph == refused:
            raise RemoteError(f"refused <{graph}>")
        real_put(self, graph, data, **kwargs)

    monkeypatch.setattr(GraphStore, "put", put)
    with pytest.raises(RemoteError, match="refused <"):
        load_dataset(default_trig, endpoint=oxigraph_server.store, parallel=2)
    # At most the one graph the other connection was sending when the refusal came, started after it.
    assert len(started) - started.index(refused) <= 2


def test_parallel_below_one_is_a_usage_error(oxigraph_server, default_trig: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(kg.UsageError, match="parallel=0"):
        load_dataset(default_trig, endpoint=oxigraph_server.store, parallel=0)
    assert main(["load", "--endpoint", oxigraph_server.store, "--data", str(default_trig), "--parallel", "0"]) == 2
    assert "parallel=0" in capsys.readouterr().err


def test_load_only_chosen_graphs(oxigraph_server, default_trig: Path, local: kg.KnowledgeGraph) -> None:
    documents = local.dataset.graphs.table("documents")
    report = load_dataset(default_trig, endpoint=oxigraph_server.store, graphs=["graph/table/documents"])
    assert [g.graph for g in report.graphs] == [documents]
    assert _server_counts(oxigraph_server.query) == {documents: local.triple_counts()[documents]}
    with pytest.raises(kg.UsageError, match="no graph 'graph/table/nothing'"):
        load_dataset(default_trig, endpoint=oxigraph_server.store, graphs=["graph/table/nothing"])


def test_malformed_put_is_refused_and_the_old_graph_survives(oxigraph_server, default_trig: Path,
                                                             local: kg.KnowledgeGraph) -> None:
    """What Oxigraph 0.5.13 does with a PUT of a malformed body: 400, and the graph as it was."""
    load_dataset(default_trig, endpoint=oxigraph_server.store)
    documents = local.dataset.graphs.table("documents")
    before = _server_quads(oxigraph_server.query)
    broken = b'<https://example.org/a> <https://example.org/p> "1" .\n<https://example.org/a> <https://example.org/p> "2 .\n'
    with pytest.raises(RemoteError) as caught:
        GraphStore(oxigraph_server.store).put(documents, broken)
    assert caught.value.status == 400
    assert "line 2" in str(caught.value) and documents in str(caught.value)
    assert _server_quads(oxigraph_server.query) == before


def test_malformed_file_sends_nothing(oxigraph_server, default_trig: Path, local: kg.KnowledgeGraph, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    load_dataset(default_trig, endpoint=oxigraph_server.store)
    before = _server_quads(oxigraph_server.query)
    bad = tmp_path / "bad.trig"
    lines = default_trig.read_text(encoding="utf-8").splitlines()
    lines.insert(len(lines) // 2, "<https://example.org/a> <https://example.org/p> \"unterminated .")
    bad.write_text("\n".join(lines), encoding="utf-8")
    code = main(["load", "--endpoint", oxigraph_server.store, "--data", str(bad)])
    err = capsys.readouterr().err
    assert code == 2
    assert str(bad) in err and "line" in err and len(err.strip().splitlines()) == 1
    assert _server_quads(oxigraph_server.query) == before


def test_default_graph_triples_are_refused(oxigraph_server, tmp_path: Path) -> None:
    plain = tmp_path / "plain.ttl"
    plain.write_text('<https://example.org/a> <https://example.org/p> "x" .\n', encoding="utf-8")
    with pytest.raises(InputError, match="default graph"):
        load_dataset(plain, endpoint=oxigraph_server.store)
    assert _server_counts(oxigraph_server.query) == {}


def test_wrong_graph_store_path_gives_one_clear_line(oxigraph_server, default_trig: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    url = oxigraph_server.base + "/ds/data"  # a Fuseki path on an Oxigraph server
    code = main(["load", "--endpoint", url, "--data", str(default_trig)])
    err = capsys.readouterr().err.strip()
    assert code == 1
    query = oxigraph_server.base + "/ds/query"
    assert err == (f"kg load: error: no query endpoint at {query} (derived from {url}): check --endpoint (Oxigraph: "
                   "/store, Fuseki: /<dataset>/data, Virtuoso: /sparql-graph-crud-auth), or give --query-endpoint")


def test_counts_that_differ_fail_the_load(oxigraph_server, default_trig: Path, local: kg.KnowledgeGraph) -> None:
    intruder = GraphStore(oxigraph_server.store)

    def another_writer(load: GraphLoad) -> None:  # someone writes into the graph right after it was sent
        intruder.post(load.graph, b"<https://example.org/other> <https://example.org/p> \"x\" .\n")

    with pytest.raises(LoadCountMismatch) as caught:
        load_dataset(default_trig, endpoint=oxigraph_server.store, graphs=["graph/table/documents"],
                     on_graph_sent=another_writer)
    (load,) = caught.value.report.graphs
    assert load.on_server == load.sent + 1
    assert caught.value.exit_code == 1 and "on server" in str(caught.value)


@pytest.mark.parametrize("parallel", [1, 2])
def test_server_stopped_during_a_load(oxigraph_server, default_trig: Path, local: kg.KnowledgeGraph,
                                      caplog: pytest.LogCaptureFixture, parallel: int) -> None:
    """Connection errors are retried with backoff, then reported; each graph is in whole or not at all
    (with two connections, each retries the graph it was sending)."""
    sent: list[str] = []

    def stop_after_first(load: GraphLoad) -> None:
        sent.append(load.graph)
        if len(sent) == 1:
            oxigraph_server.stop()

    with caplog.at_level(logging.WARNING, logger="kg.remote"), pytest.raises(RemoteError) as caught:
        load_dataset(default_trig, endpoint=oxigraph_server.store, retries=2, backoff=0.01, parallel=parallel,
                     on_graph_sent=stop_after_first)
    message = str(caught.value)
    assert message.startswith(f"cannot reach {oxigraph_server.store}") and "after 3 attempts" in message
    retries = sorted(re.findall(r"retry (\d) of 2", "\n".join(r.getMessage() for r in caplog.records)))
    assert retries == ["1"] * parallel + ["2"] * parallel
    oxigraph_server.start()
    counts = local.triple_counts()
    on_server = _server_counts(oxigraph_server.query)
    assert sent[0] in on_server and all(n == counts[g] for g, n in on_server.items())
    assert len(on_server) == 1 or parallel == 2


# -- a swap whose answer is lost ---------------------------------------------------------------


class _LosingProxy:
    """Forwards every request to the real server, but drops the answer of the first SPARQL update.

    A lost answer after the store committed is a fault a real Oxigraph cannot be made to produce.
    """

    def __init__(self, backend_port: int) -> None:
        self.backend_port = backend_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.updates = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        with client, socket.create_connection(("127.0.0.1", self.backend_port)) as backend:
            request = _read_http_message(client)
            backend.sendall(request)
            answer = _read_http_message(backend)
            if request.startswith(b"POST /update"):
                self.updates += 1
                if self.updates == 1:
                    return  # the store has committed; the client never hears of it
            client.sendall(_closing(answer))

    def close(self) -> None:
        self.listener.close()


def _closing(answer: bytes) -> bytes:
    """The answer with ``Connection: close``: the proxy serves one request a connection, so the
    client must not keep it for the next (a reused, closed connection is reset at random)."""
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body


def _read_http_message(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


@pytest.fixture
def losing_proxy(oxigraph_server) -> Iterator[_LosingProxy]:
    proxy = _LosingProxy(oxigraph_server.port)
    try:
        yield proxy
    finally:
        proxy.close()


def test_a_swap_whose_answer_was_lost_is_not_sent_again(oxigraph_server, losing_proxy: _LosingProxy,
                                                        default_trig: Path, local: kg.KnowledgeGraph,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    documents = local.dataset.graphs.table("documents")
    load_dataset(default_trig, endpoint=oxigraph_server.store, graphs=[documents])
    proxied = f"http://127.0.0.1:{losing_proxy.port}/store"
    with caplog.at_level(logging.WARNING, logger="kg.remote"):
        report = load_dataset(default_trig, endpoint=proxied, graphs=[documents], chunk_size=10, backoff=0.01)
    assert report.ok and report.graphs[0].chunks > 1
    assert losing_proxy.updates == 1, "the swap was sent again"
    assert any("went through" in r.getMessage() for r in caplog.records)
    assert _server_counts(oxigraph_server.query) == {documents: local.triple_counts()[documents]}


def test_a_fill_whose_answer_was_lost_is_sent_again_harmlessly(oxigraph_server, losing_proxy: _LosingProxy,
                                                              default_trig: Path, local: kg.KnowledgeGraph) -> None:
    """The answer to the ADD of a first load is lost after the store committed it: the staging graph is
    still there, so the ADD goes again, adds nothing more, and the graph is whole and alone."""
    documents = local.dataset.graphs.table("documents")
    GraphStore(oxigraph_server.store).delete(documents)
    proxied = f"http://127.0.0.1:{losing_proxy.port}/store"
    report = load_dataset(default_trig, endpoint=proxied, graphs=[documents], chunk_size=10, backoff=0.01)
    assert report.ok and report.graphs[0].chunks > 1 and not report.staging
    assert losing_proxy.updates == 3, "ADD, ADD again, DROP of the staging graph"
    assert _server_counts(oxigraph_server.query)[documents] == local.triple_counts()[documents]
    assert not [g for g in _server_counts(oxigraph_server.query) if g.startswith(STAGING_PREFIX)]


# -- remote queries ------------------------------------------------------------------------------


def _comparable(result: QueryResult, *, ordered: bool) -> list[tuple[str, ...]]:
    rows = result.row_keys()
    return rows if ordered else sorted(rows)


def test_every_canned_query_gives_the_same_results_on_the_server(oxigraph_server, default_trig: Path,
                                                                 local: kg.KnowledgeGraph) -> None:
    load_dataset(default_trig, endpoint=oxigraph_server.store)
    catalogue = local.catalogue  # the very catalogue run_query resolves names in
    assert len(catalogue) > 0
    for query in catalogue:
        here = local.run_query(query.name)
        there = local.run_query(query.name, endpoint=oxigraph_server.query)
        assert there.variables == here.variables, query.name
        assert _comparable(there, ordered=query.ordered) == _comparable(here, ordered=query.ordered), query.name


def test_cli_query_on_the_endpoint_prints_the_same_rows(oxigraph_server, default_trig: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    load_dataset(default_trig, endpoint=oxigraph_server.store)
    assert main(["query", "documents", "--data", str(default_trig), "--format", "csv"]) == 0
    here = capsys.readouterr().out
    assert main(["query", "documents", "--endpoint", oxigraph_server.query, "--format", "csv"]) == 0
    there = capsys.readouterr().out
    assert there == here and len(here.splitlines()) > 1


def test_malformed_remote_query_reports_the_server_message(oxigraph_server, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    text = "SELECT ?s WHERE { ?s ?p }"
    bad = tmp_path / "bad.rq"
    bad.write_text(text, encoding="utf-8")
    request = urllib.request.Request(oxigraph_server.query, data=urllib.parse.urlencode({"query": text}).encode())
    with pytest.raises(urllib.error.HTTPError) as direct:
        urllib.request.urlopen(request, timeout=10)
    server_message = direct.value.read().decode().strip()
    assert server_message
    code = main(["query", "--file", str(bad), "--endpoint", oxigraph_server.query])
    err = capsys.readouterr().err
    assert code == 1
    assert server_message in err and len(err.strip().splitlines()) == 1


# -- staging graphs (#13 item 6) -------------------------------------------------------------------


def _staging(counts: dict[str, int]) -> dict[str, int]:
    return {g: n for g, n in counts.items() if g.startswith(STAGING_PREFIX)}


def test_a_staging_graph_an_interrupted_load_left_is_removed_by_the_next(oxigraph_server, default_trig: Path,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    orphan = STAGING_PREFIX + "20261206T000000Z:killed"
    GraphStore(oxigraph_server.store).put(orphan, b"<https://example.org/a> <https://example.org/p> \"x\" .\n" * 1)
    assert _staging(_server_counts(oxigraph_server.query)) == {orphan: 1}
    with caplog.at_level(logging.WARNING, logger="kg.remote"):
        report = load_dataset(default_trig, endpoint=oxigraph_server.store)
    assert [(s.graph, s.triples) for s in report.removed_staging] == [(orphan, 1)]
    assert any(orphan in r.getMessage() and "interrupted load" in r.getMessage() for r in caplog.records)
    assert report.ok and _staging(_server_counts(oxigraph_server.query)) == {}


def test_a_load_killed_with_the_server_leaves_a_staging_graph_the_next_load_removes(
        oxigraph_server, default_trig: Path, local: kg.KnowledgeGraph, caplog: pytest.LogCaptureFixture) -> None:
    """SIGKILL of Oxigraph while a `kg load` process fills its staging graph (the moment is chosen
    by watching the store): the load ends with one line and exit 1, the target keeps its content,
    the staging graph survives the restart, and the next load removes it, says so, and leaves none."""
    relations = local.dataset.graphs.table("relations")
    old = b'<https://example.org/old> <https://example.org/version> "old" .\n'
    GraphStore(oxigraph_server.store).put(relations, old)
    loader = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "load", "--endpoint", oxigraph_server.store, "--data", str(default_trig),
         "--graph", relations, "--chunk-size", "10", "--retries", "0", "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        staging: dict[str, int] = {}
        while not staging and time.monotonic() < deadline and loader.poll() is None:
            staging = _staging(_server_counts(oxigraph_server.query))
        assert staging, "the load never showed a staging graph"
        oxigraph_server.process.kill()
        oxigraph_server.process.wait()
        _, err = loader.communicate(timeout=60)
    finally:
        if loader.poll() is None:
            loader.kill()
        oxigraph_server.start()
    assert loader.returncode == 1 and err.startswith("kg load: error: cannot reach") and len(err.splitlines()) == 1, err
    after_crash = _server_counts(oxigraph_server.query)
    (orphan,) = _staging(after_crash)
    assert orphan in staging and after_crash[relations] == 1
    with caplog.at_level(logging.WARNING, logger="kg.remote"):
        report = load_dataset(default_trig, endpoint=oxigraph_server.store, graphs=[relations])
    assert [s.graph for s in report.removed_staging] == [orphan] and report.removed_staging[0].triples >= 10
    assert any(orphan in r.getMessage() and "interrupted load" in r.getMessage() for r in caplog.records)
    assert report.ok and _server_counts(oxigraph_server.query) == {relations: local.triple_counts()[relations]}


def test_a_staging_graph_in_the_store_at_the_check_fails_the_load(oxigraph_server, default_trig: Path) -> None:
    """Another load's staging graph shows in the union default graph: the counts of the loaded graphs
    match, but the store holds more than was sent, and the check says so."""
    other = STAGING_PREFIX + "20261206T000000Z:another-load"
    intruder = GraphStore(oxigraph_server.store)

    def another_load(load: GraphLoad) -> None:
        intruder.put(other, b"<https://example.org/a> <https://example.org/p> \"x\" .\n")

    with pytest.raises(LoadCountMismatch) as caught:
        load_dataset(default_trig, endpoint=oxigraph_server.store, graphs=["graph/table/documents"],
                     on_graph_sent=another_load)
    report = caught.value.report
    assert all(g.ok for g in report.graphs) and [(s.graph, s.triples) for s in report.staging] == [(other, 1)]
    assert "1 staging graph with 1 triples left in the store" in str(caught.value)
    assert f"staging graph <{other}> holds 1 triples (visible in a union default graph)" in report.text()


def test_a_staging_graph_removed_under_a_load_is_never_swapped_in(oxigraph_server, default_trig: Path,
                                                                   local: kg.KnowledgeGraph,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Another load removes this load's staging graph between two chunks (the fault is injected by
    deleting it on the real server after the first POST): the swap would install half a graph, so
    the load stops before it and the target keeps its content."""
    documents = local.dataset.graphs.table("documents")
    load_dataset(default_trig, endpoint=oxigraph_server.store, graphs=[documents])
    before = _server_quads(oxigraph_server.query)
    real_post = GraphStore.post
    posts: list[str] = []

    def post_then_lose_the_staging_graph(self: GraphStore, graph: str, data: bytes, **kwargs: str) -> None:
        real_post(self, graph, data, **kwargs)
        posts.append(graph)
        if len(posts) == 1:
            self.delete(graph)

    monkeypatch.setattr(GraphStore, "post", post_then_lose_the_staging_graph)
    with pytest.raises(RemoteError, match="lost a chunk before the swap"):
        load_dataset(default_trig, endpoint=oxigraph_server.store, graphs=[documents], chunk_size=10)
    assert len(posts) > 1 and _server_quads(oxigraph_server.query) == before


@pytest.mark.parametrize("old", [True, False], ids=["swap", "fill"])
def test_a_staging_graph_removed_just_before_it_is_put_in_place_leaves_the_target_as_it_was(
        oxigraph_server, default_trig: Path, local: kg.KnowledgeGraph, monkeypatch: pytest.MonkeyPatch, old: bool) -> None:
    """Another load removes this load's staging graph after the first-chunk check and before the
    swap (the deletion is made on the real server at that moment): the swap checks again in its own
    transaction, so the target keeps its content (it used to be emptied); for a first load the ADD
    finds nothing to add and the target stays empty. Either way the count check fails the load."""
    documents = local.dataset.graphs.table("documents")
    GraphStore(oxigraph_server.store).delete(documents)
    if old:
        GraphStore(oxigraph_server.store).put(documents, b'<https://example.org/old> <https://example.org/v> "old" .\n')
    before = _server_quads(oxigraph_server.query)
    real_check = kg.remote.loader._check_chunks

    def check_then_lose_the_staging_graph(store: GraphStore, staging: str, *args: object) -> object:
        answer = real_check(store, staging, *args)  # type: ignore[arg-type]
        GraphStore(oxigraph_server.store).delete(staging)
        return answer

    monkeypatch.setattr(kg.remote.loader, "_check_chunks", check_then_lose_the_staging_graph)
    with pytest.raises(LoadCountMismatch, match="on server"):
        load_dataset(default_trig, endpoint=oxigraph_server.store, graphs=[documents], chunk_size=10)
    assert _server_quads(oxigraph_server.query) == before


def test_a_loader_that_hangs_up_during_its_swap_leaves_the_old_graph_or_the_new_one(oxigraph_server) -> None:
    """The loader's swap request, and the client closes the connection after 0.005 s or 0.02 s
    while Oxigraph works on 5,000 triples: the target is the old graph or the new one, never a
    mix (the same test runs on Virtuoso, which stops between a request's operations)."""
    store = GraphStore(oxigraph_server.store)
    outcomes = abandon_swaps(store, "https://example.org/abandoned-swap", size=5_000, read_timeouts=(0.005, 0.02))
    assert any(hung_up for hung_up, _, _ in outcomes), outcomes
    assert all((version, left) in {("old", True), ("new", True), ("new", False)} for _, version, left in outcomes), outcomes


def test_staging_graphs_are_listed_without_reading_every_triple_where_the_store_can(oxigraph_server) -> None:
    """Oxigraph lists its named graphs for ``GRAPH ?g { }``, so the loader's listing asks each for
    one triple instead of reading them all; an empty graph is not a staging graph left behind."""
    store = GraphStore(oxigraph_server.store)
    full, empty = STAGING_PREFIX + "full", STAGING_PREFIX + "empty"
    store.put(full, b"<https://example.org/s> <https://example.org/p> <https://example.org/o> .\n")
    store.put("https://example.org/other", b"<https://example.org/s> <https://example.org/p> <https://example.org/o> .\n")
    store.update(f"CREATE GRAPH <{empty}>")
    assert enumerates_graphs(store.query(GRAPH_NAMES_PROBE))
    assert store.graphs(prefix=STAGING_PREFIX) == [full]
    assert store.graphs() == sorted([full, "https://example.org/other"])


# -- the dataset of a remote query -------------------------------------------------------------------


@pytest.fixture
def plain_oxigraph(plain_oxigraph_server, default_trig: Path):  # type: ignore[no-untyped-def]
    """The knowledge graph in an Oxigraph whose default graph is its own, empty one."""
    load_dataset(default_trig, endpoint=plain_oxigraph_server.store)
    return plain_oxigraph_server


def test_kg_graphs_gives_a_store_without_a_union_default_graph_the_dataset(
        plain_oxigraph, default_trig: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "documents", "--data", str(default_trig), "--format", "csv"]) == 0
    here = capsys.readouterr().out
    assert main(["query", "documents", "--endpoint", plain_oxigraph.query, "--format", "csv"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1  # the empty default graph: the header only
    assert main(["query", "documents", "--endpoint", plain_oxigraph.query, "--format", "csv", "--kg-graphs"]) == 0
    assert capsys.readouterr().out == here


def test_default_and_named_graphs_go_to_the_endpoint(plain_oxigraph, local: kg.KnowledgeGraph) -> None:
    graphs = local.dataset.graph_names()
    dataset = QueryDataset(tuple(graphs), ())
    counted = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    named = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert kg.remote.query_endpoint(plain_oxigraph.query, counted, dataset=dataset).rows[0][0].value != "0"  # type: ignore[union-attr]
    # default-graph-uri without named-graph-uri: no named graphs (the SPARQL protocol's reading)
    assert kg.remote.query_endpoint(plain_oxigraph.query, named, dataset=dataset).rows[0][0].value == "0"  # type: ignore[union-attr]
    some = QueryDataset((), tuple(graphs[:3]))
    assert kg.remote.query_endpoint(plain_oxigraph.query, named, dataset=some).rows[0][0].value == "3"  # type: ignore[union-attr]


def test_kg_graphs_with_nothing_loaded_is_a_usage_error(oxigraph_server, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["query", "documents", "--endpoint", oxigraph_server.query, "--kg-graphs"])
    assert code == 2 and "has no graph under https://w3id.org/kikg/id/graph/" in capsys.readouterr().err


# -- a file read in parts while its first chunks are sent ----------------------------------------

EX = "https://example.org/"


def _nquads(graph: str, start: int, stop: int, *, predicate: str = "p") -> list[str]:
    return [f'<{EX}s{i}> <{EX}{predicate}> "{i}" <{EX}{graph}> .\n' for i in range(start, stop)]


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files are read 10 statements at a time (N-Quads: about 10 lines of ``_nquads``, 81 to 85 bytes each)."""
    monkeypatch.setattr(kg.remote.parts, "PART_STATEMENTS", 10)
    monkeypatch.setattr(kg.remote.parts, "PART_BYTES", 800)


def test_the_first_chunks_go_while_the_file_is_read_and_memory_holds_a_few(
        oxigraph_server, tmp_path: Path, small_parts: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts of 10 lines, chunks of 10 triples, 2 connections: chunks are in the store before the
    last part is read; the chunks read and not yet taken by the store never exceed what the queue
    and the connections hold; the chunks of the one graph go over both connections."""
    data = tmp_path / "big.nq"
    data.write_text("".join(_nquads("big", 0, 500) + _nquads("small", 0, 5)), encoding="utf-8")
    events: list[str] = []
    lock = threading.Lock()
    real_read, real_post = kg.remote.parts.read_in_parts, GraphStore.post
    threads: set[str] = set()

    def read(*args: object, **kwargs: object) -> Iterator[tuple[str, list[bytes]]]:
        for graph, lines in real_read(*args, **kwargs):  # type: ignore[arg-type]
            with lock:
                events.append("read")
            yield graph, lines

    def post(self: GraphStore, graph: str, body: bytes, **kwargs: str) -> None:
        real_post(self, graph, body, **kwargs)
        with lock:
            events.append("posted")
            threads.add(threading.current_thread().name)

    monkeypatch.setattr(kg.remote.parts, "read_in_parts", read)
    monkeypatch.setattr(GraphStore, "post", post)
    report = load_dataset(data, endpoint=oxigraph_server.store, chunk_size=10, parallel=2)
    # 49 chunks of 10, and the last 10 triples in 2 requests at once
    assert report.ok and [(g.graph, g.sent, g.chunks) for g in report.graphs] == [(EX + "big", 500, 51), (EX + "small", 5, 1)]
    last_read = len(events) - 1 - events[::-1].index("read")
    assert "posted" in events[:last_read], "nothing was sent before the file was read to its end"
    waiting = max(events[: i + 1].count("read") - events[: i + 1].count("posted") for i in range(len(events)))
    assert waiting <= 2 + 2 + 2, f"{waiting} chunks held at once"  # queued, on the connections, in the reader
    assert len(threads) == 2


def test_a_triple_the_file_repeats_in_another_part_is_sent_once(oxigraph_server, tmp_path: Path,
                                                                small_parts: None) -> None:
    data = tmp_path / "repeats.nq"
    lines = _nquads("g", 0, 30)
    data.write_text("".join(lines + lines[:15] + lines[5:8]), encoding="utf-8")
    report = load_dataset(data, endpoint=oxigraph_server.store, chunk_size=7)
    assert report.ok and report.graphs[0].sent == report.graphs[0].on_server == 30


@pytest.mark.parametrize("fault", ["syntax", "default graph"])
def test_a_fault_in_a_later_part_leaves_every_graph_as_it_was(oxigraph_server, tmp_path: Path, small_parts: None,
                                                              fault: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The file's line 57 is bad after chunks have gone to a staging graph: one line naming the
    file and line (a syntax error), exit 2, the target as it was and no staging graph left."""
    GraphStore(oxigraph_server.store).put(EX + "g", f'<{EX}old> <{EX}p> "old" .\n'.encode())
    before = _server_quads(oxigraph_server.query)
    lines = _nquads("g", 0, 80)
    lines[56] = f'<{EX}bad> <{EX}p> "unterminated <{EX}g> .\n' if fault == "syntax" else f'<{EX}s> <{EX}p> "x" .\n'
    data = tmp_path / "late.nq"
    data.write_text("".join(lines), encoding="utf-8")
    code = main(["load", "--endpoint", oxigraph_server.store, "--data", str(data), "--chunk-size", "10"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and str(data) in err, err
    assert ("line 57" in err) if fault == "syntax" else ("default graph" in err)
    assert _server_quads(oxigraph_server.query) == before


def test_a_file_in_parts_gives_what_the_whole_file_gives(oxigraph_server, tmp_path: Path, default_trig: Path,
                                                         local: kg.KnowledgeGraph, small_parts: None) -> None:
    """N-Quads with blank nodes over many parts, and TriG: the server ends with the quads of
    Dataset.from_file (blank nodes skolemised the same way)."""
    nquads = tmp_path / "kg.nq"
    local.dataset.write(nquads, kg.RdfFormat.NQUADS)
    blank = "".join(f'_:b{i} <{EX}p> "{i}" <{EX}blank> .\n<{EX}s> <{EX}q> _:b{i} <{EX}blank> .\n' for i in range(12))
    nquads.write_text(nquads.read_text(encoding="utf-8") + blank, encoding="utf-8")
    for data in (nquads, default_trig):
        report = load_dataset(data, endpoint=oxigraph_server.store, chunk_size=1000)
        assert report.ok
        assert _server_quads(oxigraph_server.query) == _local_quads(kg.read(data))
        GraphStore(oxigraph_server.store).delete(EX + "blank")


def test_a_decimal_in_another_form_is_named_by_a_file_load(oxigraph_server, tmp_path: Path) -> None:
    data = tmp_path / "decimal.nq"
    data.write_text(f'<{EX}s> <{EX}p> "1.50"^^<http://www.w3.org/2001/XMLSchema#decimal> <{EX}g> .\n', encoding="utf-8")
    with pytest.warns(LiteralFormWarning, match=r'"1.50"\^\^xsd:decimal as "1.5"\^\^xsd:decimal'):
        assert load_dataset(data, endpoint=oxigraph_server.store).ok
