"""Generate the CSVW metadata of the source tables from their compact spec and the ontology.

``kg/sources/tables.yaml`` says, per table, what each column holds in a few words; the ontology
(``ontology/*.ttl``) says which classes and properties exist. This module writes the standard CSVW
that the mapper reads: ``kg/sources/csv-metadata.json`` and ``kg/sources/schemas/*.json``, each
marked as generated. The regular expressions, foreign keys, the provenance columns and the lists
of terms a column accepts are written here once, so they cannot drift apart; a class or property
added to the ontology is accepted by the tables that take its kind of term without another edit.

Run ``python -m kg.mapping.metadata_gen`` after changing the spec or the ontology;
``python -m kg.mapping.metadata_gen --check`` exits 1 while the files on disk differ (a test runs it).

Examples
--------
>>> files = render_metadata()
>>> sorted(files)[:2]
['csv-metadata.json', 'schemas/attributes.json']
>>> "|Ministry|" in json.loads(files["schemas/entities.json"])["columns"][1]["datatype"]["format"]
True
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from kg._resources import ONTOLOGY_DIR, SOURCES_DIR
from kg.errors import InputError, KGError
from kg.namespace_gen import ONTOLOGY_NAMESPACE as KIKG
from kg.namespace_gen import parse_ontology

__all__ = ["GENERATED_NOTE", "OntologyTerms", "main", "render_metadata"]

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_CURIES = {"skos:": _SKOS, "rdfs:": _RDFS, "owl:": _OWL, "kikg:": KIKG}
"""Prefixes of the spec's ontology terms. In templates only ``kikg:`` is expanded: CSVW processors
know the others (rdf:, rdfs:, skos:, org:...) but not the ontology's own prefix."""

SPEC = SOURCES_DIR / "tables.yaml"
GENERATED_NOTE = (
    "GENERATED FILE, do not edit: it is made from kg/sources/tables.yaml and ontology/ by "
    "`python -m kg.mapping.metadata_gen`."
)
_SEGMENT = "(/[a-z0-9][a-z0-9.-]*)+"
_SHORT_KEY = "^[a-z0-9][a-z0-9.-]*(/[a-z0-9][a-z0-9.-]*)*$"
_PROVENANCE = {"document": "source_document", "locator": "source_locator", "quote": "source_quote",
               "documentUrl": "document/{+source_document}"}


@dataclass
class OntologyTerms:
    """What the generator needs of the ontology: classes, properties and how they relate."""

    classes: set[str] = field(default_factory=set)
    object_properties: set[str] = field(default_factory=set)
    datatype_properties: set[str] = field(default_factory=set)
    parents: dict[str, set[str]] = field(default_factory=dict)  # rdfs:subClassOf / subPropertyOf, kikg only
    domains: dict[str, set[str]] = field(default_factory=dict)
    ranges: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, directory: Path = ONTOLOGY_DIR) -> OntologyTerms:
        """Read every ``*.ttl`` file of ``directory``."""
        terms = cls()
        for _, triple in parse_ontology(directory):
            subject, predicate, obj = triple.subject, triple.predicate.value, triple.object
            if not isinstance(subject, ox.NamedNode) or not subject.value.startswith(KIKG):
                continue
            name = subject.value[len(KIKG):]
            value = obj.value if isinstance(obj, ox.NamedNode) else None
            if predicate == _RDF + "type":
                if value == _OWL + "Class":
                    terms.classes.add(name)
                elif value == _OWL + "ObjectProperty":
                    terms.object_properties.add(name)
                elif value == _OWL + "DatatypeProperty":
                    terms.datatype_properties.add(name)
            elif predicate in (_RDFS + "subClassOf", _RDFS + "subPropertyOf") and value and value.startswith(KIKG):
                terms.parents.setdefault(name, set()).add(value[len(KIKG):])
            elif predicate == _RDFS + "domain" and value:
                terms.domains.setdefault(name, set()).add(value)
            elif predicate == _RDFS + "range" and value:
                terms.ranges.setdefault(name, set()).add(value)
        return terms

    def under(self, roots: Sequence[str]) -> set[str]:
        """The terms that are ``roots`` or below them (by subClassOf or subPropertyOf)."""
        found = set(roots)
        changed = True
        while changed:
            changed = False
            for term, parents in self.parents.items():
                if term not in found and parents & found:
                    found.add(term)
                    changed = True
        return found


def _iri(template: str) -> str:
    """``template`` with the ontology's ``kikg:`` prefix written out."""
    return KIKG + template[5:] if template.startswith("kikg:") else template


def _term_iri(curie: str) -> str:
    for prefix, namespace in _CURIES.items():
        if curie.startswith(prefix):
            return namespace + curie[len(prefix):]
    return curie


def _term_set(name: str, sets: Mapping[str, Any], terms: OntologyTerms) -> list[str]:
    """The terms of the named set ``name``, sorted; each must be declared by the ontology."""
    rule = sets.get(name)
    if not isinstance(rule, Mapping):
        raise InputError(f"unknown set {name!r}", file=SPEC)
    declared = terms.classes | terms.object_properties | terms.datatype_properties
    if "terms" in rule:
        chosen = set(rule["terms"])
    elif "classes-under" in rule:
        chosen = terms.under(rule["classes-under"]) & terms.classes
    elif "sub-properties-of" in rule:
        chosen = terms.under(rule["sub-properties-of"]) - set(rule["sub-properties-of"])
    elif rule.get("object-properties"):
        chosen = set(terms.object_properties)
        if "range" in rule:
            wanted = {_term_iri(r) for r in rule["range"]}
            chosen = {p for p in chosen if terms.ranges.get(p, set()) & wanted}
        if "not-range" in rule:
            unwanted = {_term_iri(r) for r in rule["not-range"]}
            chosen = {p for p in chosen if not terms.ranges.get(p, set()) & unwanted}
        for excluded_set in rule.get("not-domain", []):
            records = {KIKG + c for c in _term_set(excluded_set, sets, terms)}
            chosen = {p for p in chosen if not terms.domains.get(p, set()) & records}
        chosen -= set(rule.get("exclude", []))
        chosen |= set(rule.get("include", []))
    else:
        raise InputError(f"set {name!r} has no rule this generator knows", file=SPEC)
    unknown = sorted(chosen - declared)
    if unknown:
        raise InputError(f"set {name!r} names terms the ontology does not declare: {', '.join(unknown)}", file=SPEC)
    return sorted(chosen)


class _Generator:
    def __init__(self, spec: Mapping[str, Any], terms: OntologyTerms) -> None:
        self.spec = spec
        self.terms = terms
        self.kinds: Mapping[str, Any] = spec["kinds"]
        self.locator = "^(" + "|".join(spec["locators"]) + ")( .+)?$"

    def kind_format(self, kind: str) -> str:
        rule = self.kinds[kind]
        if "format" in rule:
            return str(rule["format"])
        prefixes = rule["prefixes"]
        head = prefixes[0] if len(prefixes) == 1 else "(" + "|".join(prefixes) + ")"
        return f"^{head}{_SEGMENT}$"

    def column(self, name: str, raw: Mapping[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
        known = {"doc", "required", "hidden", "list", "default", "datatype", "min", "max", "group", "lang", "format",
                 "key", "ref", "short", "refers", "iri", "values", "about", "property", "value", "virtual"}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise InputError(f"column {name!r}: unknown field(s) {', '.join(unknown)}", file=SPEC)
        if raw.get("virtual"):
            column: dict[str, Any] = {"name": name, "virtual": True}
            if "about" in raw:
                column["aboutUrl"] = _iri(raw["about"])
            column["propertyUrl"] = _iri(raw["property"])
            column["valueUrl"] = _iri(raw["value"])
            return column
        column = {"name": name, "titles": name, "dc:description": raw["doc"]}
        datatype: dict[str, Any] = {"base": raw.get("datatype", "string")}
        value = raw.get("value")
        fmt = raw.get("format")
        if "key" in raw:
            kind = raw["key"]
            fmt = fmt or (self.kind_format(kind) if kind in self.kinds else f"^{kind}{_SEGMENT}$")
            column["required"] = True
            column["suppressOutput"] = True
        elif "ref" in raw:
            kind = raw["ref"]
            fmt = fmt or self.kind_format(kind)
            rule = self.kinds[kind]
            tables = rule["tables"]
            if len(tables) == 1:
                schema.setdefault("foreignKeys", []).append({
                    "columnReference": name,
                    "reference": {"resource": f"{tables[0]}.csv", "columnReference": rule.get("column", "id")},
                })
            else:
                # The cell is the thing's full key, whatever the column's valueUrl makes of it.
                schema.setdefault("kikg:references", []).append(
                    {"column": name, "valueUrl": _iri(raw.get("iri", "{+" + name + "}")),
                     "tables": [f"{t}.csv" for t in tables]})
            if "property" in raw and value is None:
                value = "{+" + name + "}"
        elif raw.get("short"):
            fmt = fmt or _SHORT_KEY
        elif "values" in raw:
            fmt = "^(" + "|".join(_term_set(raw["values"], self.spec["sets"], self.terms)) + ")$"
        if "refers" in raw:
            rule = self.kinds[raw["refers"]]
            names = raw.get("iri", value)
            if names is None:
                raise InputError(f"column {name!r}: 'refers' needs an 'iri' or 'value' template", file=SPEC)
            schema.setdefault("kikg:references", []).append(
                {"column": name, "valueUrl": _iri(names), "tables": [f"{t}.csv" for t in rule["tables"]]})
        if fmt is not None:
            datatype["format"] = fmt
        if "group" in raw:
            datatype["format"] = {"groupChar": raw["group"]}
        if "min" in raw:
            datatype["minimum"] = raw["min"]
        if "max" in raw:
            datatype["maximum"] = raw["max"]
        column["datatype"] = datatype if len(datatype) > 1 else datatype["base"]
        if raw.get("required"):
            column["required"] = True
        if "list" in raw:
            column["separator"] = raw["list"]
        if "default" in raw:
            column["default"] = str(raw["default"])
        if "lang" in raw:
            column["lang"] = raw["lang"]
        if raw.get("hidden"):
            column["suppressOutput"] = True
        if "about" in raw:
            column["aboutUrl"] = _iri(raw["about"])
        if "property" in raw:
            column["propertyUrl"] = _iri(raw["property"])
        if value is not None and "property" in raw:
            column["valueUrl"] = _iri(value)
        return column

    def provenance_columns(self, schema: dict[str, Any]) -> list[dict[str, Any]]:
        schema.setdefault("foreignKeys", []).append(
            {"columnReference": "source_document", "reference": {"resource": "documents.csv", "columnReference": "file"}})
        return [
            {"name": "source_document", "titles": "source_document",
             "dc:description": "File name of the source document (a key of documents.csv).",
             "datatype": {"base": "string", "format": self.kind_format("document")}, "required": True,
             "suppressOutput": True},
            {"name": "source_locator", "titles": "source_locator",
             "dc:description": "Where in the document: section, table, figure, footnote or annex (see CURATION.md).",
             "datatype": {"base": "string", "format": self.locator}, "required": True, "suppressOutput": True},
            {"name": "source_quote", "titles": "source_quote",
             "dc:description": "A short verbatim quote for facts from running text.", "datatype": "string",
             "suppressOutput": True},
        ]

    def schema(self, name: str, raw: Mapping[str, Any]) -> dict[str, Any]:
        schema: dict[str, Any] = {"rdfs:comment": GENERATED_NOTE, "dc:description": " ".join(raw["description"].split())}
        schema["aboutUrl"] = raw["about"] if "about" in raw else "{+" + raw["key"] + "}"
        extra: dict[str, Any] = {}
        columns: list[dict[str, Any]] = []
        virtual: list[dict[str, Any]] = []
        for column_name, column_raw in raw["columns"].items():
            if column_raw is None:  # a column a merged spec takes away
                continue
            column = self.column(column_name, column_raw, extra)
            (virtual if column.get("virtual") else columns).append(column)
        if raw.get("provenance"):
            columns += self.provenance_columns(extra)
        schema["columns"] = columns + virtual
        schema["primaryKey"] = raw["key"]
        for key in ("foreignKeys", "kikg:references"):
            if key in extra:
                schema[key] = extra[key]
        if raw.get("provenance"):
            schema["kikg:provenance"] = dict(_PROVENANCE)
        return schema

    def group(self) -> dict[str, Any]:
        group = self.spec["group"]
        tables = []
        for table in self.spec["tables"]:
            title = table["title"]
            tables.append({"url": table["url"], "tableSchema": f"schemas/{table['schema']}.json", "dc:title": title,
                           "dc:description": table.get("description", f"Observations: {title}.")})
        return {
            "@context": ["http://www.w3.org/ns/csvw", {"@base": group["base"], "@language": group["language"]}],
            "rdfs:comment": GENERATED_NOTE,
            "dc:title": group["title"],
            "dc:description": " ".join(group["description"].split()),
            "dc:license": group["license"],
            "tables": tables,
        }


def _dump(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_metadata(spec_path: Path = SPEC, ontology: Path = ONTOLOGY_DIR) -> dict[str, str]:
    """The generated files, by path relative to the spec's folder, and their text.

    Raises
    ------
    InputError
        If the spec is not valid YAML, names a set, kind or field this generator does not know, or
        names an ontology term the ontology does not declare.
    """
    try:
        spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(f"not valid YAML: {getattr(exc, 'problem', exc)}", file=spec_path,
                         line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None) from None
    generator = _Generator(spec, OntologyTerms.read(ontology))
    files = {"csv-metadata.json": _dump(generator.group())}
    used = {t["schema"] for t in spec["tables"]}
    for name, raw in spec["schemas"].items():
        if name not in used:
            raise InputError(f"schema {name!r} is not used by any table", file=spec_path)
        try:
            files[f"schemas/{name}.json"] = _dump(generator.schema(name, raw))
        except KeyError as exc:
            raise InputError(f"schema {name!r}: missing or unknown {exc}", file=spec_path) from None
    return dict(sorted(files.items()))


def stale_files(folder: Path = SOURCES_DIR, spec_path: Path = SPEC, ontology: Path = ONTOLOGY_DIR) -> list[str]:
    """The generated files that differ from what ``render_metadata`` makes now, or are left over."""
    files = render_metadata(spec_path, ontology)
    stale = [name for name, text in files.items()
             if not (folder / name).is_file() or (folder / name).read_text(encoding="utf-8") != text]
    leftover = [f"schemas/{p.name}" for p in (folder / "schemas").glob("*.json") if f"schemas/{p.name}" not in files]
    return sorted(stale + leftover)


def main(argv: Sequence[str] | None = None, *, folder: Path = SOURCES_DIR, spec_path: Path = SPEC,
         ontology: Path = ONTOLOGY_DIR) -> int:
    """Write the metadata; with ``--check``, write nothing and return 1 when a file is stale."""
    parser = argparse.ArgumentParser(prog="python -m kg.mapping.metadata_gen", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a generated file differs from the spec")
    args = parser.parse_args(argv)
    try:
        return _run(args.check, folder, spec_path, ontology)
    except KGError as error:
        print(f"python -m kg.mapping.metadata_gen: error: {error}", file=sys.stderr)
        return error.exit_code


def _run(check: bool, folder: Path, spec_path: Path, ontology: Path) -> int:
    if check:
        stale = stale_files(folder, spec_path, ontology)
        if stale:
            print(f"stale CSVW metadata in {folder}: {', '.join(stale)}; run `python -m kg.mapping.metadata_gen` "
                  "and commit the result", file=sys.stderr)
            return 1
        return 0
    files = render_metadata(spec_path, ontology)
    (folder / "schemas").mkdir(exist_ok=True)
    for stale_schema in (folder / "schemas").glob("*.json"):
        if f"schemas/{stale_schema.name}" not in files:
            stale_schema.unlink()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
