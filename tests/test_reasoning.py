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
