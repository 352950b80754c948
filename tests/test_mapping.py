"""The CSVW mapper: what it makes of good tables, and a one-line error for each kind of bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg.cli import main
from kg.errors import InputError

MINI = Path(__file__).parent / "data" / "mini"
BASE = "https://example.org/id/"


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A copy of the small table group that tests may break."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _triples(graph: kg.KnowledgeGraph) -> set[str]:
    return set(graph.serialize(kg.RdfFormat.NTRIPLES).decode().splitlines())


def test_good_tables_map_to_the_expected_triples(mini: Path) -> None:
    graph = kg.build(mini / "csv-metadata.json")
    triples = _triples(graph)
    thing = f"<{BASE}thing/one>"
    assert f'{thing} <https://w3id.org/kikg/def#numericValue> "50049"^^<http://www.w3.org/2001/XMLSchema#decimal> .' in triples
    assert f'{thing} <http://www.w3.org/2004/02/skos/core#altLabel> "uno"@en .' in triples
    assert f'{thing} <http://xmlns.com/foaf/0.1/homepage> <https://example.org/one> .' in triples
    assert f"<{BASE}thing/two> <https://w3id.org/kikg/def#partOf> {thing} ." in triples
    # One source record per row, with document, locator, quote, table and row.
    record = f"<{BASE}source/things/thing/one>"
    assert f"{thing} <http://www.w3.org/ns/prov#wasDerivedFrom> {record} ." in triples
    assert f'{record} <https://w3id.org/kikg/def#sourceRow> "2"^^<http://www.w3.org/2001/XMLSchema#integer> .' in triples
    assert f"{record} <http://www.w3.org/ns/prov#hadPrimarySource> <{BASE}document/a.txt> ." in triples
    assert f'<{BASE}source/things/thing/one/quote> <http://www.w3.org/ns/oa#exact> "one, said the text" .' in triples
    # A blank optional cell makes no triple; the null day of thing/two is absent.
    assert not any(t.startswith(f"<{BASE}thing/two> <https://w3id.org/kikg/def#eventDate>") for t in triples)


def test_each_table_gets_its_own_named_graph(mini: Path) -> None:
    graph = kg.build(mini / "csv-metadata.json")
    counts = graph.triple_counts()
    assert set(counts) == {f"{BASE}graph/ontology", f"{BASE}graph/provenance", f"{BASE}graph/table/docs",
                           f"{BASE}graph/table/things"}
    reconciliation = graph.reconciliation().set_index("table")
    assert reconciliation.loc["things", "rows"] == 2
    assert reconciliation.loc["things", "subjects"] == 2
    assert reconciliation.loc["things", "source_records"] == 2
    assert reconciliation.loc["docs", "source_records"] == 0


def test_base_iri_is_configurable(mini: Path) -> None:
    graph = kg.build(mini / "csv-metadata.json", base_iri="https://other.example/kg/")
    assert "https://other.example/kg/graph/table/things" in graph.triple_counts()
    assert any("<https://other.example/kg/thing/one>" in t for t in _triples(graph))


def test_a_new_table_needs_only_a_csv_file_and_its_metadata(mini: Path) -> None:
    (mini / "notes.csv").write_text("id,text\nnote/a,hello\n", encoding="utf-8")
    metadata = json.loads((mini / "csv-metadata.json").read_text(encoding="utf-8"))
    metadata["tables"].append({
        "url": "notes.csv",
        "tableSchema": {
            "aboutUrl": "{+id}",
            "columns": [
                {"name": "id", "titles": "id", "required": True, "suppressOutput": True},
                {"name": "text", "titles": "text", "propertyUrl": "rdfs:comment", "lang": "en"},
            ],
            "primaryKey": "id",
        },
    })
    (mini / "csv-metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    graph = kg.build(mini / "csv-metadata.json")
    assert f"{BASE}graph/table/notes" in graph.triple_counts()
    assert f'<{BASE}note/a> <http://www.w3.org/2000/01/rdf-schema#comment> "hello"@en .' in _triples(graph)


# -- bad input: one case per kind, each naming file, row and column ------------------------------

BAD_INPUTS = {
    "wrong type": (
        "things.csv", "thing/two,Two,0.5,4", "thing/two,Two,0.5,four", 3, "count", "'four' is not a valid integer",
    ),
    "duplicate key": (
        "things.csv", "thing/two,Two", "thing/one,Two", 3, "id", "duplicate primary key 'thing/one' (first at row 2)",
    ),
    "dangling foreign key": (
        "things.csv", ",,thing/one,", ",,thing/nine,", 3, "parent", "'thing/nine' is not a key of table 'things'",
    ),
    "blank required cell": (
        "things.csv", "thing/two,Two", "thing/two,", 3, "label", "required cell is blank",
    ),
    "cell that cannot form an IRI": (
        "things.csv", "https://example.org/one,", "https://example.org/o ne,", 2, "home", "'https://example.org/o ne' is not a valid absolute IRI: it contains ' '",
    ),
    "IRI template cell with a space": (
        "things.csv", ",,thing/one,", ",,thing/o ne,", 3, "parent", "cannot form a valid IRI",
    ),
    "number with an undeclared group separator": (
        "things.csv", "thing/two,Two,0.5,4", 'thing/two,Two,0.5,"4,000"', 3, "count",
        "',' is not allowed: the column declares no group separator",
    ),
    "impossible date": (
        "things.csv", "2024-02-29", "2023-02-29", 2, "day", "'2023-02-29' is not a valid date: day is out of range for month",
    ),
    "not a list item": (
        "things.csv", "first|uno", "first||uno", 2, "tags", "empty item in list",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_cell_stops_the_build_naming_file_row_and_column(mini: Path, case: str) -> None:
    file, old, new, row, column, reason = BAD_INPUTS[case]
    _replace(mini / file, old, new)
    with pytest.raises(InputError) as caught:
        kg.build(mini / "csv-metadata.json")
    error = caught.value
    assert error.file == str(mini / file)
    assert error.row == row
    assert error.column == column
    assert reason in error.reason
    assert "\n" not in str(error)


def test_byte_order_mark_is_refused(mini: Path) -> None:
    path = mini / "docs.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    with pytest.raises(InputError, match="byte-order mark") as caught:
        kg.build(mini / "csv-metadata.json")
    assert (caught.value.file, caught.value.line, caught.value.column) == (str(path), 1, 1)


def test_non_utf8_byte_is_refused_with_line_and_column(mini: Path) -> None:
    path = mini / "docs.csv"
    path.write_bytes(b"file,title\na.txt,Caf\xe9 document\n")
    with pytest.raises(InputError, match="byte 0xE9 is not valid UTF-8") as caught:
        kg.build(mini / "csv-metadata.json")
    assert (caught.value.line, caught.value.column) == (2, 10)


def test_bad_language_tag_in_metadata_names_the_line(mini: Path) -> None:
    _replace(mini / "things.schema.json", '"lang": "en"', '"lang": "en_US"')
    with pytest.raises(InputError, match="invalid language tag 'en_US'") as caught:
        kg.build(mini / "csv-metadata.json")
    assert caught.value.file == str(mini / "things.schema.json")
    assert caught.value.line == 6


def test_malformed_metadata_json_names_line_and_column(mini: Path) -> None:
    _replace(mini / "csv-metadata.json", '"tables": [', '"tables" [')
    with pytest.raises(InputError) as caught:
        kg.build(mini / "csv-metadata.json")
    assert caught.value.line == 4
    assert caught.value.column is not None


def test_header_that_differs_from_the_metadata_is_refused(mini: Path) -> None:
    _replace(mini / "things.csv", "id,label,amount", "id,name,amount")
    with pytest.raises(InputError, match="header cell 2 is 'name' where the metadata expects 'label'") as caught:
        kg.build(mini / "csv-metadata.json")
    assert caught.value.row == 1


def test_row_with_missing_cells_is_refused(mini: Path) -> None:
    with (mini / "things.csv").open("a", encoding="utf-8") as handle:
        handle.write("thing/three,Three\n")
    with pytest.raises(InputError, match="2 cells where the header has 11") as caught:
        kg.build(mini / "csv-metadata.json")
    assert caught.value.row == 4


def test_unknown_datatype_in_metadata_is_refused(mini: Path) -> None:
    _replace(mini / "things.schema.json", '"datatype": "integer"', '"datatype": "integr"')
    with pytest.raises(InputError, match="unknown datatype 'integr'"):
        kg.build(mini / "csv-metadata.json")


def test_cli_exits_2_with_one_line_and_leaves_the_previous_build_intact(mini: Path, tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "build"
    assert main(["build", "--sources", str(mini / "csv-metadata.json"), "--out", str(out), "--no-reason", "-q"]) == 0
    before = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert "kg.nt" in before
    _replace(mini / "things.csv", "2024-02-29", "2024-02-30")
    capsys.readouterr()
    assert main(["build", "--sources", str(mini / "csv-metadata.json"), "--out", str(out), "--no-reason", "-q"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "things.csv: row 2, column 'day': '2024-02-30' is not a valid date" in error
    assert "Traceback" not in error
    after = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_every_shipped_table_validates_with_the_csvw_package() -> None:
    """The metadata is standard CSVW: the csvw package reads it and finds the tables valid."""
    import csvw

    from kg._resources import SOURCES_DIR
    from kg.mapping import load_table_group

    group = load_table_group(SOURCES_DIR / "csv-metadata.json")
    inline = SOURCES_DIR / ".inline-metadata.json"
    try:
        inline.write_text(json.dumps(group.resolved), encoding="utf-8")
        table_group = csvw.TableGroup.from_file(inline)
        table_group.check_referential_integrity()
        for table in table_group.tables:
            rows = list(table.iterdicts(log=None, strict=True))
            assert len(rows) == sum(t.rows for t in kg.build().mapping.tables if t.name == table.url.string[:-4])
    finally:
        inline.unlink(missing_ok=True)


def test_mapper_output_parses_as_n_quads(mini: Path) -> None:
    graph = kg.build(mini / "csv-metadata.json")
    assert graph.mapping is not None
    quads = list(ox.parse(graph.mapping.nquads(), format=ox.RdfFormat.N_QUADS))
    assert quads and all(not isinstance(q.subject, ox.BlankNode) for q in quads)


# -- the toolkit's readings beyond plain CSVW: defaults, per-item templates, references by IRI -------

def _add_teams_table(mini: Path, rows: str) -> None:
    """A table whose rows name members by short key, one membership node per member."""
    (mini / "teams.csv").write_text("team,members,since,kind,doc,where\n" + rows, encoding="utf-8")
    metadata = json.loads((mini / "csv-metadata.json").read_text(encoding="utf-8"))
    node = "membership/{members}/{team}"
    metadata["tables"].append({
        "url": "teams.csv",
        "tableSchema": {
            "aboutUrl": "team/{team}",
            "columns": [
                {"name": "team", "titles": "team", "required": True, "suppressOutput": True},
                {"name": "members", "titles": "members", "separator": "|", "required": True,
                 "aboutUrl": node, "propertyUrl": "org:member", "valueUrl": "thing/{members}"},
                {"name": "since", "titles": "since", "datatype": "gYear", "aboutUrl": node,
                 "propertyUrl": "https://w3id.org/kikg/def#startYear"},
                {"name": "kind", "titles": "kind", "default": "club", "propertyUrl": "https://w3id.org/kikg/def#kind",
                 "valueUrl": "kind/{kind}"},
                {"name": "doc", "titles": "doc", "suppressOutput": True},
                {"name": "where", "titles": "where", "suppressOutput": True},
                {"name": "type", "virtual": True, "propertyUrl": "rdf:type", "valueUrl": "org:Organization"},
                {"name": "node", "virtual": True, "aboutUrl": node, "propertyUrl": "org:organization",
                 "valueUrl": "team/{team}"},
            ],
            "primaryKey": "team",
            "kikg:references": [{"column": "members", "valueUrl": "thing/{members}", "tables": ["things.csv"]}],
        },
        "kikg:provenance": {"document": "doc", "locator": "where", "documentUrl": "document/{+doc}"},
    })
    (mini / "csv-metadata.json").write_text(json.dumps(metadata), encoding="utf-8")


def test_a_template_naming_a_list_column_makes_one_node_per_item_and_blank_cells_take_the_default(mini: Path) -> None:
    _add_teams_table(mini, "red,one|two,2020,,a.txt,Section 2\n")
    triples = _triples(kg.build(mini / "csv-metadata.json"))
    for member in ("one", "two"):
        node = f"<{BASE}membership/{member}/red>"
        assert f"{node} <http://www.w3.org/ns/org#member> <{BASE}thing/{member}> ." in triples
        assert f"{node} <http://www.w3.org/ns/org#organization> <{BASE}team/red> ." in triples
        assert f'{node} <https://w3id.org/kikg/def#startYear> "2020"^^<http://www.w3.org/2001/XMLSchema#gYear> .' in triples
        assert f"{node} <http://www.w3.org/ns/prov#wasDerivedFrom> <{BASE}source/teams/red> ." in triples
    assert f"<{BASE}team/red> <https://w3id.org/kikg/def#kind> <{BASE}kind/club> ." in triples
    assert not any("one|two" in t or "one%7Ctwo" in t for t in triples)


def test_a_short_key_naming_nothing_is_refused_naming_file_row_and_column(mini: Path) -> None:
    _add_teams_table(mini, "red,one|two,2020,,a.txt,Section 2\nblue,two|tree,,,a.txt,Section 3\n")
    with pytest.raises(InputError) as caught:
        kg.build(mini / "csv-metadata.json")
    assert (caught.value.file, caught.value.row, caught.value.column) == (str(mini / "teams.csv"), 3, "members")
    assert f"'tree' names <{BASE}thing/tree>, which no row of things.csv defines" in caught.value.reason


def test_a_template_naming_two_list_columns_is_refused(mini: Path) -> None:
    _add_teams_table(mini, "red,one|two,2020,,a.txt,Section 2\n")
    metadata = json.loads((mini / "csv-metadata.json").read_text(encoding="utf-8"))
    columns = metadata["tables"][-1]["tableSchema"]["columns"]
    columns[3]["separator"] = "|"
    columns[3]["aboutUrl"] = "membership/{members}/{kind}"
    (mini / "csv-metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    with pytest.raises(InputError, match=r"templates may name one list column at most, not \['kind', 'members'\]"):
        kg.build(mini / "csv-metadata.json")
