"""No shapes graph makes the validator reach the network, on the fast path or through pySHACL.

A listener on a loopback port stands for any server a shapes graph might name: it must receive
nothing. An audit hook records every attempt to resolve a name, open a connection or a URL while
``kg validate`` runs. SERVICE, FROM and LOAD are refused on the parsed query (exit 2); owl:imports,
unknown sh:prefixes targets and remote JSON-LD contexts are never followed. The word SERVICE in a
string or a comment is no reason to refuse: the decision is taken on the syntax tree.
"""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.cli import main

_recording: list[tuple[str, tuple[object, ...]]] | None = None
_NETWORK = ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr", "urllib.Request",
            "http.client.connect", "socket.sendto")


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _recording is not None and event in _NETWORK:
        _recording.append((event, args))


sys.addaudithook(_audit)  # audit hooks cannot be removed; this one records only while a test asks


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it receives."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
"""

REFUSED = {
    "service on the fast path": """ex:S a sh:NodeShape ; sh:targetNode ex:a ;
        sh:sparql [ sh:select "SELECT $this WHERE { SERVICE <{url}> { $this ?p ?o } }" ] .""",
    "silent service": """ex:S a sh:NodeShape ; sh:targetNode ex:a ;
        sh:sparql [ sh:select "SELECT $this WHERE { SERVICE SILENT <{url}> { ?s ?p ?o } }" ] .""",
    "from": """ex:S a sh:NodeShape ; sh:targetNode ex:a ;
        sh:sparql [ sh:select "SELECT $this FROM <{url}> WHERE { $this ?p ?o }" ] .""",
    "service in a handed-over shape": """ex:S a sh:NodeShape ; sh:target [ a sh:SPARQLTarget ;
        sh:select "SELECT ?this WHERE { SERVICE <{url}> { ?this ?p ?o } }" ] ; sh:property [ sh:path ex:p ; sh:minCount 2 ] .""",
    "service in a rule": """ex:S a sh:NodeShape ; sh:targetNode ex:a ;
        sh:rule [ a sh:SPARQLRule ; sh:construct "CONSTRUCT { $this ex:q 1 } WHERE { SERVICE <{url}> { $this ?p ?o } }" ] .""",
    "service in a validator": """ex:C a sh:ConstraintComponent ; sh:parameter [ sh:path ex:param ] ;
        sh:validator [ a sh:SPARQLAskValidator ; sh:ask "ASK { SERVICE <{url}> { $value ?p $param } }" ] .
        ex:S a sh:NodeShape ; sh:targetNode ex:a ; ex:param 1 .""",
}

FOLLOWED_NOWHERE = """
    <{url}shapes> owl:imports <{url}more-shapes> .
    ex:S a sh:NodeShape ; sh:targetNode ex:a ;
        sh:sparql [ sh:prefixes <{url}prefixes> ;
                    sh:select "SELECT $this WHERE { $this ?p ?o FILTER (?o = 'SERVICE <{url}>') } # SERVICE <{url}>" ] .
"""


@pytest.fixture
def recording() -> Iterator[list[tuple[str, tuple[object, ...]]]]:
    global _recording
    _recording = []
    try:
        yield _recording
    finally:
        _recording = None


def _write(tmp_path: Path, shapes: str, url: str) -> tuple[Path, Path]:
    data = tmp_path / "data.ttl"
    data.write_text(PREFIXES + f"<{url}data> owl:imports <{url}ontology> . ex:a ex:p 1 .", encoding="utf-8")
    shapes_path = tmp_path / "shapes.ttl"
    shapes_path.write_text(PREFIXES + shapes.replace("{url}", url), encoding="utf-8")
    return data, shapes_path


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_network_reach_is_refused(case: str, tmp_path: Path, listener: Listener,
                                  recording: list[tuple[str, tuple[object, ...]]],
                                  capsys: pytest.CaptureFixture[str]) -> None:
    data, shapes = _write(tmp_path, REFUSED[case], f"http://127.0.0.1:{listener.port}/")
    assert main(["validate", str(data), "--shapes", str(shapes)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and ("refused" in error), error
    assert recording == [] and listener.connections == 0


def test_imports_prefixes_and_words_are_not_followed(tmp_path: Path, listener: Listener,
                                                      recording: list[tuple[str, tuple[object, ...]]]) -> None:
    data, shapes = _write(tmp_path, FOLLOWED_NOWHERE, f"http://127.0.0.1:{listener.port}/")
    assert main(["validate", str(data), "--shapes", str(shapes), "-q"]) == 0
    assert recording == [] and listener.connections == 0


def test_remote_json_ld_context_in_shapes_is_refused(tmp_path: Path, listener: Listener,
                                                     recording: list[tuple[str, tuple[object, ...]]]) -> None:
    data, _ = _write(tmp_path, "", f"http://127.0.0.1:{listener.port}/")
    shapes = tmp_path / "shapes.jsonld"
    shapes.write_text(f'{{"@context": "http://127.0.0.1:{listener.port}/context.jsonld", "@id": "http://example.org/S"}}',
                      encoding="utf-8")
    assert main(["validate", str(data), "--shapes", str(shapes)]) == 2
    assert recording == [] and listener.connections == 0
