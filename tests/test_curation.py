"""Curating the source tables: the generated CSVW metadata, and new facts added as an analyst would."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

import kg
from kg._resources import ONTOLOGY_DIR, SOURCES_DIR
from kg.errors import InputError
from kg.mapping.metadata_gen import GENERATED_NOTE, main, render_metadata, stale_files

# -- the CSVW metadata is generated from tables.yaml and the ontology ------------------------------


def test_the_shipped_metadata_is_what_the_generator_makes() -> None:
    """Regenerates csv-metadata.json and schemas/*.json and fails on any difference."""
    assert stale_files() == [], "run `python -m kg.mapping.metadata_gen` and commit the result"
    assert main(["--check"]) == 0
    for path in [SOURCES_DIR / "csv-metadata.json", *sorted((SOURCES_DIR / "schemas").glob("*.json"))]:
        assert json.loads(path.read_text(encoding="utf-8"))["rdfs:comment"] == GENERATED_NOTE, path


def test_a_hand_edit_of_the_generated_metadata_is_caught(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "sources"
    shutil.copytree(SOURCES_DIR, folder, ignore=shutil.ignore_patterns("*.csv"))
    schema = folder / "schemas" / "relations.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace("|locatedIn|", "|locatedIn|locatedAt|"), encoding="utf-8")
    (folder / "schemas" / "leftover.json").write_text("{}", encoding="utf-8")
    assert stale_files(folder, folder / "tables.yaml") == ["schemas/leftover.json", "schemas/relations.json"]
    assert main(["--check"], folder=folder, spec_path=folder / "tables.yaml") == 1
    assert "schemas/relations.json" in capsys.readouterr().err
    assert main([], folder=folder, spec_path=folder / "tables.yaml") == 0
    assert stale_files(folder, folder / "tables.yaml") == []


def test_a_class_or_property_added_to_the_ontology_is_one_edit(tmp_path: Path) -> None:
    """The tables accept a new class or property without an edit of the spec or the metadata."""
    ontology = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY_DIR, ontology)
    with (ontology / "kikg.ttl").open("a", encoding="utf-8") as handle:
        handle.write("\nkikg:TechnoPark a owl:Class ; rdfs:subClassOf kikg:SciencePark .\n"
                     "kikg:twinnedWith a owl:ObjectProperty ; rdfs:subPropertyOf kikg:actorLink .\n"
                     "kikg:sponsors a owl:ObjectProperty ; rdfs:subPropertyOf kikg:involvedIn .\n")
    files = {name: json.loads(text) for name, text in render_metadata(ontology=ontology).items()}

    def format_of(schema: str, column: str) -> str:
        found = [c for c in files[f"schemas/{schema}.json"]["columns"] if c["name"] == column]
        return str(found[0]["datatype"]["format"])

    assert "|TechnoPark|" in format_of("entities", "class")
    assert "|twinnedWith)" in format_of("relations", "relation") or "|twinnedWith|" in format_of("relations", "relation")
    assert "|sponsors|" in format_of("memberships", "relation") and "|sponsors|" in format_of("relations", "relation")
    before = {name: json.loads(text) for name, text in render_metadata().items()}
    assert "TechnoPark" not in json.dumps(before)


# -- one row for a common fact: the tests act as a policy analyst with CURATION.md open -------------

BASE = "https://w3id.org/kikg/id/"


@pytest.fixture
def tables(tmp_path: Path) -> Path:
    """A copy of the shipped tables and their metadata, as an analyst would edit them."""
    folder = tmp_path / "sources"
    shutil.copytree(SOURCES_DIR, folder)
    return folder


def _append(folder: Path, table: str, **cells: str) -> None:
    """Append one row to ``table``, its cells named by the header (omitted cells are blank)."""
    path = folder / f"{table}.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert set(cells) <= set(header), set(cells) - set(header)
    with path.open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerow([cells.get(name, "") for name in header])


def _changed(folder: Path) -> list[str]:
    """The files of ``folder`` that differ from the shipped ones."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()
                  and p.read_bytes() != (SOURCES_DIR / p.relative_to(folder)).read_bytes())


def _build(folder: Path) -> kg.KnowledgeGraph:
    graph = kg.build(folder / "csv-metadata.json")
    assert graph.validate().counts()["Violation"] == 0
    return graph


def test_add_an_industrial_complex_with_one_row(tables: Path) -> None:
    _append(tables, "complexes", site="gumi", designation="general-industrial-complex",
            label="Gumi General Industrial Complex", located_in="gumi", designation_printed="general industrial complexes",
            source_document="004_3ec0da48844ca2a2.txt", source_locator="Figure 5")
    assert _changed(tables) == ["complexes.csv"]
    graph = _build(tables)
    rows = graph.query("complexes-by-designation", designation="concept/complex-designation/general-industrial-complex")
    found = rows[rows["complex"] == BASE + "place/gumi-general-industrial-complex"]
    assert found[["complex_label", "designation_label", "site_label", "located_in"]].values.tolist() == [
        ["Gumi General Industrial Complex", "general industrial complex", "Gumi", "Gumi"]]
    # The role nodes of the site, designation and location links are made from the row.
    nodes = graph.sparql("""
        PREFIX kikg: <https://w3id.org/kikg/def#>
        SELECT ?node ?relation WHERE { ?node kikg:relationSubject <https://w3id.org/kikg/id/place/gumi-general-industrial-complex> ;
                                             kikg:relation ?relation }""")
    assert sorted(nodes["node"].str.removeprefix(BASE)) == [
        "class/gumi-general-industrial-complex/designation/complex-designation-general-industrial-complex",
        "rel/gumi-general-industrial-complex/located-in/gumi",
        "rel/gumi-general-industrial-complex/on-site/site-gumi"]


def test_add_a_programme_with_its_ministry_with_one_row(tables: Path) -> None:
    _append(tables, "programmes", programme="smart-factory-support", **{"class": "SupportProgramme"},
            label="Smart Factory Support Programme", ministry="motie", country="place/korea",
            source_document="002_918ecd5ed41827ea.txt", source_locator="Paragraph 5")
    assert _changed(tables) == ["programmes.csv"]
    graph = _build(tables)
    rows = graph.query("ministry-programmes", ministry="org/motie")
    found = rows[rows["policy"] == BASE + "policy/smart-factory-support"]
    assert found[["policy_label", "role"]].values.tolist() == [["Smart Factory Support Programme", "supervisesPolicy"]]
    assert len(graph.sparql(f"SELECT ?programme {{ <{BASE}rel/smart-factory-support/ministry/motie> "
                           "<https://w3id.org/kikg/def#relationObject> ?programme }")) == 1


def test_add_an_mou_with_its_signatories_with_one_row(tables: Path) -> None:
    _append(tables, "mous", mou="motie-kiat-mou", label="MoU between MOTIE and KIAT", signatories="motie|kiat",
            signed_year="2019", country="place/korea", source_document="004_3ec0da48844ca2a2.txt",
            source_locator="Section 3.3")
    assert _changed(tables) == ["mous.csv"]
    graph = _build(tables)
    rows = graph.query("agreements")
    found = rows[rows["agreement"] == BASE + "agreement/motie-kiat-mou"]
    assert sorted(found["signatory_label"]) == ["Korean Institute for the Advancement of Technology",
                                                "Ministry of Trade, Industry and Energy"]
    assert set(found["kind"]) == {"MemorandumOfUnderstanding"}
    members = graph.sparql(f"""PREFIX org: <http://www.w3.org/ns/org#>
        SELECT ?membership ?member WHERE {{ ?membership org:organization <{BASE}agreement/motie-kiat-mou> ;
                                                        org:member ?member }}""")
    assert sorted(members["membership"].str.removeprefix(BASE)) == ["membership/kiat/motie-kiat-mou",
                                                                    "membership/motie/motie-kiat-mou"]


def test_add_a_figure_with_its_unit_and_multiplier_with_one_row(tables: Path) -> None:
    _append(tables, "figures", dataset="text-002", name="fund-size-revised",
            entity="policy/industrial-ai-internalization-strategy/fund", indicator="fund-size", period="not-stated",
            role="planned", printed="KRW 500 billion", value="500", unit="currency/KRW", multiplier="9",
            source_document="002_918ecd5ed41827ea.txt", source_locator="Paragraph 10")
    assert _changed(tables) == ["figures.csv"]
    graph = _build(tables)
    rows = graph.query("observations-about", entity="policy/industrial-ai-internalization-strategy/fund")
    found = rows[rows["printed"] == "KRW 500 billion"]
    assert found[["indicator_label", "role", "value", "unit", "multiplier", "period"]].values.tolist() == [
        ["fund size", "planned", 500, "currency/KRW", 9, "not stated in the source"]]
    qualifier = graph.sparql(f"SELECT ?q {{ <{BASE}obs/text-002/fund-size-revised> <https://w3id.org/kikg/def#valueQualifier> ?q }}")
    assert qualifier["q"].tolist() == [f"{BASE}concept/value-qualifier/exact"]


def test_a_mistyped_key_in_a_one_row_fact_names_file_row_and_column(tables: Path) -> None:
    _append(tables, "complexes", site="gumii", designation="general-industrial-complex", label="Gumi Complex",
            source_document="004_3ec0da48844ca2a2.txt", source_locator="Figure 5")
    with pytest.raises(InputError) as caught:
        kg.build(tables / "csv-metadata.json")
    error = caught.value
    rows = len((tables / "complexes.csv").read_text(encoding="utf-8").splitlines())
    assert (error.file, error.row, error.column) == (str(tables / "complexes.csv"), rows, "site")
    assert f"'gumii' names <{BASE}place/site/gumii>, which no row of entities.csv or complexes.csv" in error.reason


def test_a_spec_naming_a_term_the_ontology_lacks_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "sources"
    shutil.copytree(SOURCES_DIR, folder, ignore=shutil.ignore_patterns("*.csv"))
    spec = folder / "tables.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("[detail, requirement,", "[detial, requirement,"),
                    encoding="utf-8")
    assert main([], folder=folder, spec_path=spec) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "set 'attribute-properties' names terms the ontology does not declare: detial" in error
