"""Issue #13 item 7: a small file must not exhaust memory or time, through every reader of user files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from corpus import HOSTILE

from kg.cli import main
from kg.dataset import Dataset

FILES = HOSTILE / "files"


@pytest.mark.parametrize("name", ["billion-laughs.rdf", "external-entity.rdf"])
@pytest.mark.parametrize("command", [["validate", "{file}"], ["query", "documents", "--data", "{file}"],
                                     ["network", "--data", "{file}"]])
def test_xml_entity_declarations_are_refused_with_exit_2(name: str, command: list[str],
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = FILES / name
    assert main([part.format(file=path) for part in command]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert re.search(re.escape(str(path)) + r": line \d+, column \d+: RDF/XML with a DTD entity declaration", error)


def test_a_blank_node_clique_is_read_in_bounded_time_with_stable_iris() -> None:
    """RDFC-1.0 would try 10! orders; the reader labels look-alike nodes by input order instead."""
    first = sorted(str(q) for q in Dataset.from_file(FILES / "blank-clique-10.ttl").quads())
    second = sorted(str(q) for q in Dataset.from_file(FILES / "blank-clique-10.ttl").quads())
    assert len(first) == 90 and first == second
    assert all("/.well-known/genid/" in line and "_:" not in line for line in first)


def test_files_are_streamed_into_the_store(tmp_path: Path) -> None:
    """A large N-Triples file goes through in batches; a syntax error deep in it still names its line."""
    path = tmp_path / "large.nt"
    with path.open("w", encoding="utf-8") as file:
        for i in range(120_000):
            file.write(f"<http://example.org/s{i}> <http://example.org/p> \"{i}\" .\n")
        file.write("<http://example.org/broken> <http://example.org/p> .\n")
    with pytest.raises(Exception, match=r"large.nt: line 120001, column \d+") as refused:
        Dataset.from_file(path)
    assert type(refused.value).__name__ == "InputError"
