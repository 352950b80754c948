"""Curating the source tables: the generated CSVW metadata, and new facts added as an analyst would."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kg._resources import ONTOLOGY_DIR, SOURCES_DIR
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
