"""`kg serve`: a real read-only Oxigraph server behind the front server, started and stopped cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

import kg
from kg.cli import main
from kg.errors import UsageError
from kg.queries import Catalogue, QueryResult
from kg.remote import query_endpoint
from kg.serve import Server, serve

pytestmark = pytest.mark.server

COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def served(default_trig: Path) -> Iterator[Server]:
    server = serve(default_trig, port=0)
    try:
        yield server
    finally:
        server.stop()


def _fetch(url: str, *, method: str = "GET", data: bytes | None = None,
           headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, _headers(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, _headers(exc.headers), exc.read()


def _headers(message: Message) -> dict[str, str]:
    """Header names are case-insensitive: spell them in title case for the tests."""
    return {name.title(): value for name, value in message.items()}


def _rows(result: QueryResult, *, ordered: bool) -> list[tuple[str, ...]]:
    return result.row_keys() if ordered else sorted(result.row_keys())


# -- the page and the API ------------------------------------------------------------------------


def test_the_page_and_its_files_are_served(served: Server) -> None:
    status, headers, page = _fetch(served.url)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    for marker in (b'id="editor"', b'id="run"', b'id="query-list"', b'id="results"', b'id="result-count"'):
        assert marker in page
    for name, kind in (("app.js", "text/javascript"), ("style.css", "text/css")):
        status, headers, body = _fetch(served.url + "static/" + name)
        assert status == 200 and headers["Content-Type"].startswith(kind) and body
    assert _fetch(served.url + "static/../oxigraph.py")[0] == 404
    assert _fetch(served.url + "static/%2e%2e/oxigraph.py")[0] == 404


def test_api_lists_the_canned_queries(served: Server) -> None:
    status, headers, body = _fetch(served.url + "api/queries")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    entries = json.loads(body)
    catalogue = Catalogue.load()
    assert [e["name"] for e in entries] == [q.name for q in catalogue]
    for entry, query in zip(entries, catalogue):
        assert entry["summary"] == query.summary
        assert [p["name"] for p in entry["params"]] == [p.name for p in query.params]
        assert "#+" not in entry["text"] and "SELECT" in entry["text"].upper()


def test_every_canned_query_gives_the_local_results(served: Server, default_graph: kg.KnowledgeGraph) -> None:
    for query in default_graph.catalogue:
        here = default_graph.run_query(query.name)
        there = default_graph.run_query(query.name, endpoint=served.query_url)
        assert there.variables == here.variables, query.name
        assert _rows(there, ordered=query.ordered) == _rows(here, ordered=query.ordered), query.name


def test_parameter_warnings_are_the_same_on_the_endpoint(served: Server, default_graph: kg.KnowledgeGraph) -> None:
    for name, params in (("supervised-bodies", {"ministry": "org/motiee"}), ("top-brokers", {}),
                         ("actor-links", {"actor": ""}), ("supervised-bodies", {})):
        here = default_graph.run_query(name, params).warnings
        there = kg.run_on_endpoint(served.query_url, name, params).warnings
        assert there == here, name
        assert bool(here) == bool(params != {} or name == "top-brokers"), name


def test_the_page_gets_the_checks_of_the_parameters_and_runs_them(served: Server,
                                                                   default_graph: kg.KnowledgeGraph) -> None:
    status, headers, body = _fetch(served.url + "api/context")
    assert status == 200 and json.loads(body)["base"] == default_graph.base_iri
    assert json.loads(body)["prefixes"]["kikg"] == "https://w3id.org/kikg/def#"
    query = urllib.parse.urlencode({"name": "supervised-bodies", "ministry": "org/motiee"})
    status, headers, body = _fetch(served.url + "api/checks?" + query)
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    (check,) = json.loads(body)["checks"]
    assert not query_endpoint(served.query_url, check["ask"]).boolean  # the page asks, the graph says no
    assert check["warning"] == default_graph.run_query("supervised-bodies", {"ministry": "org/motiee"}).warnings[0]
    empty = json.loads(_fetch(served.url + "api/checks?name=actor-links&actor=")[2])["checks"]
    assert empty == [{"warning": "parameter 'actor' is empty: its default org/kicox is used", "ask": None},
                     {"warning": f"no entity <{default_graph.base_iri}org/kicox> in the graph", "ask": empty[1]["ask"]}]
    assert query_endpoint(served.query_url, empty[1]["ask"]).boolean  # KICOX is there: no warning shown
    assert _fetch(served.url + "api/checks?name=nothing")[0] == 400
    assert _fetch(served.url + "api/checks?" + urllib.parse.urlencode({"name": "actor-links", "actor": "a b"}))[0] == 400


def test_the_query_protocol_works_in_all_three_forms(served: Server, default_graph: kg.KnowledgeGraph) -> None:
    expected = str(len(default_graph.dataset))
    accept = {"Accept": "application/sparql-results+json"}
    forms = [
        _fetch(served.query_url + "?" + urllib.parse.urlencode({"query": COUNT_ALL}), headers=accept),
        _fetch(served.query_url, method="POST", data=urllib.parse.urlencode({"query": COUNT_ALL}).encode(),
               headers={**accept, "Content-Type": "application/x-www-form-urlencoded"}),
        _fetch(served.query_url, method="POST", data=COUNT_ALL.encode(),
               headers={**accept, "Content-Type": "application/sparql-query"}),
    ]
    for status, _, body in forms:
        assert status == 200
        assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == expected


def test_a_malformed_query_gets_the_server_message(served: Server) -> None:
    status, _, body = _fetch(served.query_url + "?" + urllib.parse.urlencode({"query": "SELECT ?s WHERE { ?s ?p }"}))
    assert status == 400 and body.strip()
    with pytest.raises(kg.RemoteError) as caught:
        query_endpoint(served.query_url, "SELECT ?s WHERE { ?s ?p }")
    assert body.decode().strip().splitlines()[0] in str(caught.value)


def test_an_answer_broken_off_at_the_time_limit_names_the_server_message(default_trig: Path) -> None:
    """Oxigraph streams: at its time limit it has already sent 200 and the start of the results, and
    writes its message into the body. The client reports that message, not a JSON parse error."""
    slow = 'SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . FILTER (STR(?a) = CONCAT(STR(?d), "x")) }'
    server = serve(default_trig, port=0, query_timeout=1)
    try:
        with pytest.raises(kg.RemoteError) as caught:
            query_endpoint(server.query_url, slow, timeout=30)
    finally:
        server.stop()
    assert "broke off its answer: The SPARQL operation has been cancelled" in str(caught.value)


# -- read-only ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("PUT", "store?graph=urn:x", 404),
        ("POST", "store?graph=urn:x", 404),
        ("DELETE", "store?graph=urn:x", 404),
        ("GET", "store", 404),
        ("POST", "update", 404),
        ("GET", "update", 404),
        ("PUT", "query", 405),
        ("DELETE", "query", 405),
        ("PATCH", "query", 405),
        ("POST", "", 405),
        ("POST", "api/queries", 405),
        ("POST", "api/checks", 405),
    ],
)
def test_nothing_but_queries_is_forwarded(served: Server, method: str, path: str, status: int) -> None:
    body = b'<urn:a> <urn:b> <urn:c> .\n' if method in ("PUT", "POST", "PATCH") else None
    got, headers, _ = _fetch(served.url + path, method=method, data=body,
                             headers={"Content-Type": "application/n-triples"} if body else {})
    assert got == status
    if status == 405:
        assert "GET" in headers["Allow"]


@pytest.mark.parametrize(
    ("query", "keyword"),
    [
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "INSERT"),
        ("DROP ALL", "DROP"),
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE"),
    ],
)
def test_updates_and_service_calls_are_refused(served: Server, default_graph: kg.KnowledgeGraph, query: str,
                                               keyword: str) -> None:
    status, _, body = _fetch(served.query_url, method="POST", data=urllib.parse.urlencode({"query": query}).encode(),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400 and keyword in body.decode()
    count = query_endpoint(served.query_url, COUNT_ALL).rows[0][0]
    assert count is not None and int(count.value) == len(default_graph.dataset)


# -- a client we did not write ------------------------------------------------------------------

def test_sparqlwrapper_reads_every_kind_of_answer(served: Server, default_graph: kg.KnowledgeGraph) -> None:
    """SPARQLWrapper, the client most Python users point at an endpoint, as the outside check of the
    protocol: SELECT and ASK as JSON, CONSTRUCT as Turtle, the same answers as the local graph."""
    import rdflib
    from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

    client = SPARQLWrapper(served.query_url)
    client.setReturnFormat(JSON)
    client.setQuery(COUNT_ALL)
    answer = client.queryAndConvert()
    assert isinstance(answer, dict)
    assert answer["results"]["bindings"][0]["n"]["value"] == str(len(default_graph.dataset))
    documents = default_graph.run_query("documents")
    assert not default_graph.catalogue["documents"].params  # the text runs as it is
    client.setQuery(default_graph.catalogue["documents"].text)
    answer = client.queryAndConvert()
    assert isinstance(answer, dict)
    there = sorted(tuple(row.get(v, {}).get("value", "") for v in answer["head"]["vars"])
                   for row in answer["results"]["bindings"])
    here = sorted(tuple("" if term is None else term.value for term in row) for row in documents.rows)
    assert answer["head"]["vars"] == documents.variables and there == here and len(here) >= 5
    client.setQuery("ASK { ?s a <https://w3id.org/kikg/def#Ministry> }")
    assert client.queryAndConvert() == {"head": {}, "boolean": True}
    client.setQuery("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/kikg/id/graph/table/documents> { ?s ?p ?o } }")
    client.setReturnFormat(TURTLE)
    turtle = client.queryAndConvert()
    assert isinstance(turtle, bytes)
    graph = rdflib.Graph().parse(data=turtle, format="turtle")
    assert len(graph) == default_graph.triple_counts()["https://w3id.org/kikg/id/graph/table/documents"] > 0


def test_sparqlwrapper_gets_the_refusal_of_an_update(served: Server) -> None:
    from SPARQLWrapper import POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    client = SPARQLWrapper(served.query_url)
    client.setMethod(POST)
    client.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    client.queryType = "SELECT"  # sent as a query, the way a confused user would: the server refuses it
    with pytest.raises(QueryBadFormed, match="INSERT"):
        client.query()


# -- parameters --------------------------------------------------------------------------------

PARAMETER_QUERY = """#+ summary: Documents of one type
#+ params:
#+   - name: type
#+     type: string
#+     default: press release
#+     description: The document type.
#+   - name: year
#+     type: year
#+     description: Not used by the pattern; it checks that bad values are refused.
PREFIX kikg: <https://w3id.org/kikg/def#>
SELECT ?document ?type WHERE { ?document a kikg:SourceDocument ; kikg:documentType ?label . FILTER (STR(?label) = ?type) }
ORDER BY ?document
"""


@pytest.fixture(scope="module")
def parameter_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    folder = tmp_path_factory.mktemp("queries")
    (folder / "documents-of-type.rq").write_text(PARAMETER_QUERY, encoding="utf-8")
    return Catalogue.load(folder)


def test_parameters_are_bound_by_the_server(default_trig: Path, default_graph: kg.KnowledgeGraph,
                                            parameter_catalogue: Catalogue) -> None:
    local = kg.KnowledgeGraph(default_graph.dataset, catalogue=parameter_catalogue)
    with serve(default_trig, port=0, catalogue=parameter_catalogue) as server:
        (entry,) = json.loads(_fetch(server.url + "api/queries")[2])
        assert entry["params"][0] == {"name": "type", "type": "string", "default": "press release",
                                      "description": "The document type."}
        all_types = local.run_sparql("SELECT DISTINCT (STR(?t) AS ?s) WHERE { ?d <https://w3id.org/kikg/def#documentType> ?t }")
        types = {row[0].value for row in all_types.rows if row[0] is not None}
        assert types, "the data has no document types"
        for value in sorted(types):
            status, _, text = _fetch(server.url + "api/bind?" + urllib.parse.urlencode(
                {"name": "documents-of-type", "type": value}))
            assert status == 200
            there = query_endpoint(server.query_url, text.decode())
            here = local.run_query("documents-of-type", {"type": value})
            assert there.row_keys() == here.row_keys() and len(here) > 0
        # The default is bound in the text the page shows first.
        default_rows = query_endpoint(server.query_url, entry["text"]).row_keys()
        assert default_rows == local.run_query("documents-of-type").row_keys()
        status, _, message = _fetch(server.url + "api/bind?" + urllib.parse.urlencode(
            {"name": "documents-of-type", "year": "twenty"}))
        assert status == 400 and b"year" in message
        assert _fetch(server.url + "api/bind?name=nothing")[0] == 400


# -- starting and stopping ----------------------------------------------------------------------


def _connects(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_stop_ends_both_servers_and_removes_the_store(default_trig: Path) -> None:
    with serve(default_trig, port=0) as server:
        backend = server._backend
        workdir = server.workdir
        assert (workdir / "store").is_dir() and backend.process.poll() is None
        assert _connects(server.port) and _connects(backend.port)
    assert backend.process.poll() is not None
    assert not workdir.exists()
    assert not _connects(server.port) and not _connects(backend.port)
    server.stop()  # idempotent


def test_a_taken_port_is_a_usage_error_and_leaves_nothing(default_trig: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # this test's own temporary folder
    before = set(Path(tempfile.gettempdir()).glob("kg-serve-*"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(UsageError, match=f"cannot listen on 127.0.0.1:{port}"):
            serve(default_trig, port=port)
    assert set(Path(tempfile.gettempdir()).glob("kg-serve-*")) == before


def test_a_missing_dataset_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none.trig"
    assert main(["serve", "--port", "0", "--data", str(missing)]) == 2
    assert str(missing) in capsys.readouterr().err


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(c) for c in (task / "children").read_text().split()]
    return children


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_kg_serve_stops_cleanly_on_a_signal(default_trig: Path, signum: int) -> None:
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--port", "0", "--data", str(default_trig)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ})
    try:
        lines = []
        assert process.stdout is not None
        while not any("SPARQL endpoint" in line for line in lines):
            line = process.stdout.readline()
            assert line, process.stderr.read() if process.stderr else "no output"
            lines.append(line)
        url = next(line.split()[-1] for line in lines if "query page" in line)
        assert _fetch(url)[0] == 200
        (child,) = _children(process.pid)
        command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        assert command[1] == b"serve-read-only"
        store = Path(command[command.index(b"--location") + 1].decode())
        assert store.is_dir()
        process.send_signal(signum)
        assert process.wait(timeout=20) == 0
        assert not Path(f"/proc/{child}").exists(), "the oxigraph server outlived kg serve"
        assert not store.parent.exists(), "the temporary store was left behind"
        assert not _connects(int(url.rsplit(":", 1)[1].strip("/")))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serve_accepts_a_dataset_object(default_graph: kg.KnowledgeGraph) -> None:
    with serve(default_graph.dataset) as server:
        count = query_endpoint(server.query_url, COUNT_ALL).rows[0][0]
        assert count is not None and int(count.value) == len(default_graph.dataset)
        assert server.triples == len(default_graph.dataset) and server.running
    assert not server.running
