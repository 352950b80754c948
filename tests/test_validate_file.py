"""`kg validate FILE`: any RDF file against the shapes, parsed without touching anything else."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import kg
from kg.cli import main

VALID = Path(__file__).parent / "data" / "validation" / "valid.ttl"

_events: list[tuple[str, tuple[object, ...]]] | None = None


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _events is not None and (event == "open" or event.startswith(("socket.", "urllib.", "subprocess.", "os.exec"))):
        _events.append((event, args))


sys.addaudithook(_audit)  # audit hooks cannot be removed; it records only inside `audited()`


@contextmanager
def audited() -> Iterator[list[tuple[str, tuple[object, ...]]]]:
    global _events
    _events = []
    try:
        yield _events
    finally:
        _events = None


def _opened(events: list[tuple[str, tuple[object, ...]]]) -> set[str]:
    return {str(args[0]) for event, args in events if event == "open" and isinstance(args[0], (str, Path))}


FIXTURES = {
    "owl-imports.ttl": "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                       "<https://example.org/o> a owl:Ontology ; owl:imports <http://example.org/remote.ttl> , <file:///etc/passwd> .\n",
    "remote-context.jsonld": '{"@context": "http://example.org/context.jsonld", "@id": "https://example.org/a", "name": "x"}',
    "file-context.jsonld": '{"@context": "file:///etc/passwd", "@id": "https://example.org/a", "name": "x"}',
    "entity.rdf": '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "file:///etc/hostname"> ]>\n'
                  '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://ex/">\n'
                  '<rdf:Description rdf:about="http://ex/a"><ex:p>&secret;</ex:p></rdf:Description></rdf:RDF>\n',
}


HARMLESS = {
    ".ttl": "<https://example.org/a> <https://example.org/p> \"x\" .\n",
    ".jsonld": '{"@id": "https://example.org/a", "https://example.org/p": "x"}',
    ".rdf": '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:ex="http://ex/">\n<rdf:Description rdf:about="http://ex/a"><ex:p>x</ex:p></rdf:Description></rdf:RDF>\n',
}


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_parsing_opens_only_the_named_file_and_no_socket(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_text(FIXTURES[name], encoding="utf-8")
    # The same path through the code once on a harmless file first, so that the modules it imports
    # on first use are not counted (the test then passes alone as in the whole suite).
    warm_up = (tmp_path / "harmless").with_suffix(path.suffix)
    warm_up.write_text(HARMLESS[path.suffix], encoding="utf-8")
    kg.read(warm_up).serialize(kg.RdfFormat.NTRIPLES)
    with audited() as events:
        try:
            graph = kg.read(path)
        except kg.InputError:
            graph = None  # a remote context or an external entity is refused, not fetched
    assert _opened(events) == {str(path)}
    assert not [e for e, _ in events if e != "open"], events
    if graph is not None:
        text = graph.serialize(kg.RdfFormat.NTRIPLES).decode()
        assert "root:" not in text  # nothing of /etc/passwd came in


def test_owl_imports_are_kept_as_triples_not_followed(tmp_path: Path) -> None:
    path = tmp_path / "owl-imports.ttl"
    path.write_text(FIXTURES["owl-imports.ttl"], encoding="utf-8")
    graph = kg.read(path)
    assert len(graph.dataset) == 3


def test_remote_json_ld_context_is_refused_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "remote-context.jsonld"
    path.write_text(FIXTURES["remote-context.jsonld"], encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    assert "remote contexts" in capsys.readouterr().err


def test_xml_external_entity_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "entity.rdf"
    path.write_text(FIXTURES["entity.rdf"], encoding="utf-8")
    with pytest.raises(kg.InputError):
        kg.read(path)


def test_whole_validate_command_opens_no_socket(tmp_path: Path) -> None:
    with audited() as events:
        code = main(["validate", str(VALID), "--quiet"])
    assert code == 0
    assert not [e for e, _ in events if e != "open"], events
    data_files = {p for p in _opened(events) if not p.endswith((".py", ".pyc", ".so")) and "site-packages" not in p
                  and "/lib/python" not in p}
    allowed = {str(VALID)} | {str(p) for p in kg.api.ONTOLOGY_DIR.glob("*.ttl")} | {str(p) for p in (kg.api.ONTOLOGY_DIR.parent / "shapes").glob("*.ttl")}
    assert data_files <= allowed, data_files - allowed


@pytest.mark.parametrize(("name", "text", "line"), [
    ("broken.ttl", '@prefix ex: <http://ex/> .\nex:a ex:b ex:c .\nex:d ex:e "unterminated .\n', 3),
    ("broken.nt", "<http://ex/a> <http://ex/b> <http://ex/c> .\n<http://ex/a> <http://ex/b> .\n", 2),
    ("broken.trig", "<http://ex/g> { <http://ex/a> <http://ex/b> <http://ex/c> \n", None),
])
def test_syntax_error_names_line_and_column_with_exit_2(name: str, text: str, line: int | None, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and str(path) in error and "Traceback" not in error
    if line is not None:
        assert f"line {line}, column " in error


def test_conforming_file_exits_0_and_violations_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(VALID)]) == 0
    assert "Validation: conforms" in capsys.readouterr().out
    broken = tmp_path / "broken.ttl"
    broken.write_text(VALID.read_text(encoding="utf-8").replace('kikg:fileName "doc.txt" ;', ""), encoding="utf-8")
    csv_path, report_path = tmp_path / "report.csv", tmp_path / "report.ttl"
    assert main(["validate", str(broken), "--csv", str(csv_path), "--report", str(report_path)]) == 1
    out = capsys.readouterr().out
    assert "DOES NOT CONFORM" in out and "SourceDocument-file" not in out  # the table shows the focus and message
    assert "A source document has exactly one file name" in out
    assert "SourceDocument-file" in csv_path.read_text(encoding="utf-8")
    assert "sh:ValidationReport" in report_path.read_text(encoding="utf-8")


def test_unknown_extension_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "data.txt"
    path.write_text("hello", encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    assert "cannot tell the RDF format" in capsys.readouterr().err
