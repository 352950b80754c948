"""``kg docs``: pyLODE renders the ontology documentation into build/docs/ without network access;
and docs/ontology.md (the README section) names real classes with their real superclasses."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import kg
from kg.cli import main as kg_main
from kg.docs import DOCS_INDEX, render_ontology_html, write_ontology_docs
from kg.errors import InputError
from kg.vocabularies import PREFIXES

FIXTURES = Path(__file__).parent / "data" / "ontology"
REPO = Path(__file__).resolve().parent.parent
KIKG = "https://w3id.org/kikg/def#"
MAIN_CLASSES = ["Actor", "Organisation", "PublicOrganisation", "Company", "Place", "IndustrialComplex", "Cluster",
                "Policy", "Programme", "Act", "Observation", "Relationship", "SourceDocument", "ChangeEvent"]

# -- a network guard: an audit hook that refuses name lookups and connections while active -------

_NETWORK_EVENTS = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
                   "socket.gethostbyaddr", "socket.sendto", "urllib.Request", "http.client.connect"}
_attempts: list[str] | None = None


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _attempts is not None and event in _NETWORK_EVENTS:
        _attempts.append(f"{event} {args!r}")
        raise OSError(f"network access blocked by the test: {event}")


sys.addaudithook(_audit)  # audit hooks cannot be removed; it does nothing outside no_network()


@contextmanager
def no_network() -> Iterator[list[str]]:
    """Refuse network access inside the block; yield the list of attempts."""
    global _attempts
    _attempts = []
    try:
        yield _attempts
    finally:
        _attempts = None


# -- rendering --------------------------------------------------------------------------------


def test_kg_docs_renders_html_without_network(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "build" / "docs"
    with no_network() as attempts:
        code = kg_main(["docs", "--out", str(out)])
    assert attempts == []
    assert code == 0
    index = out / DOCS_INDEX
    assert index.is_file()
    assert str(index) in capsys.readouterr().out
    html = index.read_text(encoding="utf-8")
    assert "<title>Korean industrial policy ontology (한국 산업정책 온톨로지)</title>" in html
    for name in MAIN_CLASSES:
        assert f"<code>{KIKG}{name}</code>" in html, name
    assert "industrial complex (산업단지)" in html
    for section in ("Classes", "Object Properties", "Datatype Properties", "Namespaces"):
        assert f"<h2>{section}</h2>" in html


def test_network_guard_blocks_connections() -> None:
    import socket

    with no_network() as attempts, pytest.raises(OSError, match="blocked"), socket.socket() as probe:
        probe.connect(("192.0.2.1", 80))  # TEST-NET-1, never routed; the hook refuses before any packet
    assert attempts and attempts[0].startswith("socket.connect")


def test_make_docs_command_line(tmp_path: Path) -> None:
    # `make docs` runs `kg docs --out build/docs`: the same, through the installed entry point.
    kg_command = Path(sys.executable).parent / "kg"
    done = subprocess.run([str(kg_command), "docs", "--out", "build/docs"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "build" / "docs" / DOCS_INDEX).stat().st_size > 10_000


def test_kg_docs_waits_for_another_render_of_the_same_installation(tmp_path: Path) -> None:
    """pyLODE writes its cache into its own folder in place, and a second render that read it half
    written failed ("EOFError: Ran out of input", two `kg docs` at once on a fresh install): renders
    take turns. Here the test holds the turn; `kg docs` (about 2 s alone) waits, then finishes."""
    import fcntl

    from pylode import utils

    kg_command = Path(sys.executable).parent / "kg"
    with open(utils.RDF_FOLDER / ".kg-docs.lock", "a") as turn:
        fcntl.flock(turn, fcntl.LOCK_EX)
        render = subprocess.Popen([str(kg_command), "docs", "--out", "docs"], cwd=tmp_path,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            with pytest.raises(subprocess.TimeoutExpired):
                render.wait(timeout=6)
        finally:
            fcntl.flock(turn, fcntl.LOCK_UN)
    _, err = render.communicate(timeout=120)
    assert render.returncode == 0, err
    assert (tmp_path / "docs" / DOCS_INDEX).is_file()


def test_unwritable_output_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    assert kg_main(["docs", "--out", str(blocker / "docs")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot write the documentation" in err[0] and str(blocker) in err[0]


def test_broken_ontology_names_file_and_line() -> None:
    with pytest.raises(InputError) as caught:
        render_ontology_html(ontology_dir=FIXTURES / "broken-syntax")
    assert caught.value.file is not None and caught.value.file.endswith("kikg.ttl")
    assert caught.value.line == 5


def test_ontology_without_title_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="title"):
        write_ontology_docs(tmp_path, ontology_dir=FIXTURES / "untitled")
    assert not (tmp_path / DOCS_INDEX).exists()


def test_rendering_leaves_logging_alone() -> None:
    # pyLODE configures the root logger for DEBUG when imported; kg.docs must undo it. A fresh
    # interpreter, because pyLODE may already be imported in this one.
    code = ("import logging; from kg.docs import render_ontology_html; render_ontology_html(); "
            "print(logging.getLogger().level, len(logging.getLogger().handlers))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["30", "0"]
    assert "DEBUG" not in done.stderr


# -- docs/ontology.md -------------------------------------------------------------------------


def test_readme_section_names_real_classes_and_superclasses() -> None:
    text = (REPO / "docs" / "ontology.md").read_text(encoding="utf-8")
    parents: dict[str, set[str]] = defaultdict(set)
    for t in kg.ontology_triples():
        if t.predicate.value == "http://www.w3.org/2000/01/rdf-schema#subClassOf":
            parents[t.subject.value].add(t.object.value)
    rows = re.findall(r"^\| `kikg:(\w+)` \|[^|]*\| ([^|]*) \|", text, flags=re.MULTILINE)
    assert len(rows) >= 20
    for name, superclasses in rows:
        assert KIKG + name in parents, f"kikg:{name} is not a class of the ontology"
        for curie in re.findall(r"`(\w+):(\w+)`", superclasses):
            assert PREFIXES[curie[0]] + curie[1] in parents[KIKG + name], f"kikg:{name} ⊑ {curie[0]}:{curie[1]}"
    assert "```mermaid" in text
