"""Typed literals a store holds by value (Oxigraph canonicalises them) are never changed silently:
reading a file says how many and shows examples; validation of a file sees the lexical forms."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import kg
from kg.cli import main
from kg.errors import LiteralFormWarning
from kg.store_cache import read_cached

_DATA = """\
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a ex:small "5"^^xsd:byte ; ex:price "1.50"^^xsd:decimal ; ex:flag "1"^^xsd:boolean ;
     ex:year "2009"^^xsd:gYear ; ex:name "A"^^xsd:string ; ex:count 3 .
"""

_SHAPES = """\
@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:S a sh:NodeShape ; sh:targetNode ex:a ;
  sh:property [ sh:path ex:small ; sh:datatype xsd:byte ] ;
  sh:property [ sh:path ex:price ; sh:pattern "^1\\\\.50$" ] ;
  sh:property [ sh:path ex:flag ; sh:in ( "1"^^xsd:boolean ) ] .
"""


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "data.ttl"
    path.write_text(_DATA, encoding="utf-8")
    return path


def test_reading_a_file_names_the_literals_held_in_another_form(data: Path) -> None:
    with pytest.warns(LiteralFormWarning) as caught:
        graph = kg.read(data)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert message.startswith(f"{data}: 3 typed literals are held in canonical form")
    for shown in ('"1.50"^^xsd:decimal as "1.5"^^xsd:decimal', '"5"^^xsd:byte as "5"^^xsd:integer',
                  '"1"^^xsd:boolean as "true"^^xsd:boolean'):
        assert shown in message
    assert graph.dataset.rewritten_literals.count == 3
    # What the warning says is what queries see.
    held = {row["o"] for row in graph.sparql("SELECT ?o WHERE { <http://example.org/a> ?p ?o }").to_dict("records")}
    assert "1.5" in {str(v) for v in held}


_XSD = "http://www.w3.org/2001/XMLSchema#"
_LINES = [
    f'<http://example.org/a> <http://example.org/small> "5"^^<{_XSD}byte>',
    f'<http://example.org/a> <http://example.org/price> "1.50" ^^ <{_XSD}decimal>',  # spaces around ^^ are allowed
    f'<http://example.org/a> <http://example.org/flag> "1"^^<{_XSD}boolean>',
    f'<http://example.org/a> <http://example.org/year> "2009"^^<{_XSD}gYear>',
    '<http://example.org/a> <http://example.org/note> "not typed: 1.50^^decimal"',
]


@pytest.mark.parametrize("name", ["lines.nt", "lines.nq", "with-blank-node.nq", "lines.trig"])
def test_every_format_and_reading_path_names_the_same_literals(tmp_path: Path, name: str) -> None:
    """N-Triples and N-Quads are read by the store and only their lines with ``^^`` parsed for the
    check; a file with blank nodes is read quad by quad (to name them from the file's order); other
    formats are parsed whole: each finds the same three literals."""
    graph = "" if name.endswith(".nt") else " <http://example.org/g>"
    lines = [line + graph + " .\n" for line in _LINES]
    if name.startswith("with-blank-node"):
        lines.append(f"_:b <http://example.org/p> \"x\"{graph} .\n")
    path = tmp_path / name
    text = "".join(lines)
    path.write_text(text if not name.endswith(".trig") else "<http://example.org/g> {\n" + text.replace(graph, "") + "}\n",
                    encoding="utf-8")
    with pytest.warns(LiteralFormWarning, match="3 typed literals are held in canonical form"):
        read = kg.read(path)
    assert read.dataset.rewritten_literals.count == 3
    assert len(read.dataset) == len(lines)
    assert "/.well-known/genid/" in read.serialize(kg.RdfFormat.NQUADS).decode() or "blank" not in name


def test_canonical_literals_give_no_warning(tmp_path: Path) -> None:
    path = tmp_path / "canonical.ttl"
    path.write_text(_DATA.replace('"5"^^xsd:byte', '"5"^^xsd:integer').replace('"1.50"', '"1.5"')
                    .replace('"1"^^xsd:boolean', '"true"^^xsd:boolean'), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        graph = kg.read(path)
    assert graph.dataset.rewritten_literals.count == 0


def test_the_command_line_says_it_in_one_line(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--data", str(data), "documents", "--format", "csv"]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"kg query: warning: {data}: 3 typed literals are held")


def test_the_stored_copy_says_it_again(tmp_path: Path) -> None:
    """`kg query` opens a persistent store beside build/kg.trig: the warning is repeated from there."""
    path = tmp_path / "kg.trig"
    path.write_text(_DATA, encoding="utf-8")
    for _ in range(2):
        with pytest.warns(LiteralFormWarning, match="3 typed literals"):
            read_cached(path)


def test_validating_a_file_sees_the_lexical_forms(data: Path, tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(_SHAPES, encoding="utf-8")
    assert kg.validate(data, shapes=shapes).conforms
    # The same shapes fail on data whose lexical forms differ: the checks above can fail.
    other = tmp_path / "other.ttl"
    other.write_text(_DATA.replace('"1.50"', '"1.5"').replace('"5"^^xsd:byte', '"5"^^xsd:integer'), encoding="utf-8")
    report = kg.validate(other, shapes=shapes)
    assert not report.conforms and len(report) == 2
