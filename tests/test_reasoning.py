"""The HermiT consistency check (kg.reasoning): the ontology with the built data is consistent with no
unsatisfiable class, and deliberately broken graphs are reported, so the check can fail."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg.errors import KGError
from kg.reasoning import check_consistency, disjointness_clashes

FIXTURES = Path(__file__).parent / "data" / "ontology"

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


def fixture(name: str) -> list[ox.Triple]:
    return list(ox.parse(path=str(FIXTURES / name), format=ox.RdfFormat.TURTLE))


# -- the real data ----------------------------------------------------------------------------


@pytest.mark.slow
def test_ontology_with_full_build_and_analysis_is_consistent(tmp_path: Path) -> None:
    # run_build reasons before it writes the analysis graph, so the check runs here on the result.
    summary = kg.run_build(tmp_path, reasoning=kg.Reasoning.OFF)
    dataset = summary.graph.dataset
    assert summary.triple_counts[dataset.graphs.analysis] > 0
    report = check_consistency(dataset.quads())
    assert report.consistent, report.message
    assert report.unsatisfiable == []


def test_ontology_alone_has_no_unsatisfiable_class() -> None:
    report = check_consistency(kg.ontology_triples())
    assert report.ok, report


# -- broken graphs ----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "reason"), [
    ("inconsistent.ttl", "<https://example.org/id/org/site-co> is both"),
    ("inconsistent-by-range.ttl", "<https://example.org/id/place/province-group> is both"),
    ("inconsistent-functional.ttl", ""),
])
def test_inconsistent_fixture_is_reported(name: str, reason: str) -> None:
    report = check_consistency(kg.ontology_triples() + fixture(name))
    assert not report.consistent
    assert not report.ok
    assert report.message.startswith(reason) and report.message


def test_unsatisfiable_class_is_reported() -> None:
    report = check_consistency(kg.ontology_triples() + fixture("unsatisfiable.ttl"))
    assert report.consistent
    assert report.unsatisfiable == ["https://example.org/def#CompanyComplex"]
    assert not report.ok


def test_imports_are_not_fetched() -> None:
    with no_network() as attempts:
        report = check_consistency(kg.ontology_triples() + fixture("imports.ttl"))
    assert attempts == []
    assert report.ok


def test_network_guard_blocks_lookups() -> None:
    import socket

    with no_network() as attempts, pytest.raises(OSError, match="blocked"):
        socket.getaddrinfo("example.org", 80)
    assert attempts and attempts[0].startswith("socket.getaddrinfo")


def test_missing_java_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no java on the PATH
    with pytest.raises(KGError, match="needs Java"):
        check_consistency(kg.ontology_triples())


def test_clash_explanation_follows_domains_through_sub_properties() -> None:
    # kikg:affiliateOf has domain kikg:Company (an actor); the subject is also a province (a place).
    triples = kg.ontology_triples() + [
        ox.Triple(ox.NamedNode("https://example.org/x"), ox.NamedNode("https://w3id.org/kikg/def#affiliateOf"),
                  ox.NamedNode("https://example.org/y")),
        ox.Triple(ox.NamedNode("https://example.org/x"), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                  ox.NamedNode("https://w3id.org/kikg/def#Province")),
    ]
    assert disjointness_clashes(triples).startswith("<https://example.org/x> is both")
    assert disjointness_clashes(kg.ontology_triples()) == ""


# -- in a build: alongside the other steps, and not again on the same input ------------------------

MINI = Path(__file__).parent / "data" / "mini"


def _mini_tables(folder: Path, *, also_a_company: bool = False) -> Path:
    """The mini table group with its properties moved out of the kikg namespace (their domains would
    make the things observations and events), so that it is consistent; ``also_a_company`` makes every
    thing a company as well as a project, which is inconsistent (kikg:Actor is disjoint with kikg:Policy)."""
    import shutil

    shutil.copytree(MINI, folder)
    schema = folder / "things.schema.json"
    text = schema.read_text(encoding="utf-8")
    for name in ("numericValue", "ordinal", "eventDate", "partOf"):
        text = text.replace(f"https://w3id.org/kikg/def#{name}", f"https://example.org/def#{name}")
    if also_a_company:
        text = text.replace('{"name": "type", "virtual": true', '{"name": "actor", "virtual": true, "propertyUrl": '
                            '"rdf:type", "valueUrl": "https://w3id.org/kikg/def#Company"},\n    {"name": "type", "virtual": true')
    schema.write_text(text, encoding="utf-8")
    return folder / "csv-metadata.json"


def test_unchanged_input_is_not_checked_again(tmp_path: Path) -> None:
    cache = tmp_path / "consistency.json"
    first = check_consistency(kg.ontology_triples(), cache=cache)
    again = check_consistency(kg.ontology_triples(), cache=cache)
    assert first.ok and not first.reused
    assert again.ok and again.reused and again.digest == first.digest
    changed = check_consistency(kg.ontology_triples() + fixture("imports.ttl"), cache=cache)
    assert changed.ok and not changed.reused and changed.digest != first.digest
    broken = kg.ontology_triples() + fixture("inconsistent.ttl")
    assert not check_consistency(broken, cache=cache).consistent
    assert not check_consistency(broken, cache=cache).reused  # only a consistent result is kept


def test_build_checks_consistency_and_reuses_an_unchanged_result(tmp_path: Path) -> None:
    sources = _mini_tables(tmp_path / "tables")
    first = kg.run_build(tmp_path / "out", sources=sources, reasoning=kg.Reasoning.ON)
    assert first.consistency is not None and first.consistency.ok and not first.consistency.reused
    assert "Reasoning (HermiT): consistent (" in first.text()
    second = kg.run_build(tmp_path / "out", sources=sources, reasoning=kg.Reasoning.ON)
    assert second.consistency is not None and second.consistency.reused
    assert second.consistency.digest == first.consistency.digest
    assert "not run again" in second.text()


def test_inconsistent_build_writes_nothing(tmp_path: Path) -> None:
    sources = _mini_tables(tmp_path / "tables", also_a_company=True)
    out = tmp_path / "out"
    with pytest.raises(kg.InconsistentOntologyError, match="thing/one> is both"):
        kg.run_build(out, sources=sources, reasoning=kg.Reasoning.ON)
    assert not out.exists() and not (tmp_path / "out-failed").exists()
