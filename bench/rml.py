"""An RML mapping equivalent to the CSVW metadata, for the morph-kgc peer, and its table subset.

The mapping is derived from the same schema files the toolkit reads, table by table: the subject
template (``aboutUrl``), each column's property, value template or literal (datatype, language),
the virtual columns (constant types, direct edges), and the provenance record of each row with the
``prov:wasDerivedFrom`` links of every subject the row describes. What RML cannot say is left out,
and the comparison is on the same tables, with the triple counts of both sides reported:

* ``kikg:sourceRow`` (the row number of a record): RML has no row index, so morph-kgc makes one
  triple less per row than the toolkit;
* the quote of a record (``kikg:evidence``, the ``oa:TextQuoteSelector`` and its ``oa:exact``): RML
  makes a triple whenever its subject and object references are bound, and the selector's IRI does
  not contain the quote, so it would be made for rows without a quote too; left out (three triples
  less per quoted row);
* list cells (``separator``): the generator writes one value per cell, so they map as plain cells;
* the checks (datatypes, formats, keys, IRIs) the toolkit makes and morph-kgc does not.

Only tables that refer to no table outside the subset are used (:data:`SUBSET`), so the toolkit
builds exactly the same CSV files from a metadata file listing those tables.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

__all__ = ["MORPH_SCRIPT", "SUBSET", "write_morph_config", "write_rml", "write_subset_metadata"]

SUBSET = ("documents", "concept_schemes", "concepts", "entities", "relations", "memberships")
"""Tables mapped by both sides: closed under foreign keys, and about 60% of the triples."""

_PREFIXES = {
    "csvw": "http://www.w3.org/ns/csvw#", "dc": "http://purl.org/dc/terms/", "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/", "foaf": "http://xmlns.com/foaf/0.1/", "oa": "http://www.w3.org/ns/oa#",
    "org": "http://www.w3.org/ns/org#", "owl": "http://www.w3.org/2002/07/owl#", "prov": "http://www.w3.org/ns/prov#",
    "qb": "http://purl.org/linked-data/cube#", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "schema": "http://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#", "time": "http://www.w3.org/2006/time#",
    "void": "http://rdfs.org/ns/void#", "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_KIKG = "https://w3id.org/kikg/def#"
_XSD = "http://www.w3.org/2001/XMLSchema#"

MORPH_SCRIPT = """
import json, sys, time
import morph_kgc
start = time.perf_counter()
store = morph_kgc.materialize_oxigraph(sys.argv[1])
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "triples": len(store)}))
"""
"""Run by the morph-kgc virtual environment's Python with the config file as argument."""


def _iri(template: str, base: str) -> tuple[str, str]:
    """(kind, text) of a CSVW URI template as RML: a constant IRI or an RML template."""
    text = re.sub(r"\{[+#]?([A-Za-z_][A-Za-z0-9_.]*)\}", r"{\1}", template)
    prefix, sep, rest = text.partition(":")
    if sep and prefix in _PREFIXES and not rest.startswith("//"):
        text = _PREFIXES[prefix] + rest
    elif not re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", text):
        text = base + text
    return ("template" if "{" in text else "constant", text)


def _term(kind: str, text: str) -> str:
    return f'rr:template "{text}"' if kind == "template" else f"rr:constant <{text}>"


def _literal(column: dict[str, Any]) -> str:
    datatype = column.get("datatype", "string")
    base = datatype.get("base", "string") if isinstance(datatype, dict) else datatype
    reference = f'rml:reference "{column["name"]}"'
    if column.get("lang"):
        return f'{reference} ; rr:language "{column["lang"]}"'
    if base in ("string", None):
        return reference
    xsd = {"number": "double"}.get(base, base)
    return f"{reference} ; rr:datatype <{_XSD}{xsd}>"


def _source(csv: Path) -> str:
    return f'rml:logicalSource [ rml:source "{csv}" ; rml:referenceFormulation ql:CSV ]'


def _table_maps(name: str, csv: Path, schema: dict[str, Any], base: str) -> list[str]:
    graph = f"{base}graph/table/{name}"
    provenance_graph = f"{base}graph/provenance"
    maps: list[str] = []
    subjects: set[tuple[str, str]] = set()
    by_subject: dict[tuple[str, str], list[str]] = {}
    default = _iri(schema["aboutUrl"], base) if schema.get("aboutUrl") else None
    for column in schema["columns"]:
        if column.get("suppressOutput") or not column.get("propertyUrl"):
            continue
        about = _iri(column["aboutUrl"], base) if column.get("aboutUrl") else default
        assert about is not None
        predicate = _iri(column["propertyUrl"], base)
        if column.get("valueUrl"):
            obj = _iri(column["valueUrl"], base)
            if obj[0] == "constant":
                object_map = f"rr:objectMap [ rr:constant <{obj[1]}> ]"
            else:
                object_map = f'rr:objectMap [ rr:template "{obj[1]}" ; rr:termType rr:IRI ]'
        else:
            object_map = f"rr:objectMap [ {_literal(column)} ]"
        predicate_map = (f"rr:predicateMap [ rr:template \"{predicate[1]}\" ]" if predicate[0] == "template"
                         else f"rr:predicate <{predicate[1]}>")
        by_subject.setdefault(about, []).append(f"rr:predicateObjectMap [ {predicate_map} ; {object_map} ]")
        subjects.add(about)
    for number, (about, poms) in enumerate(sorted(by_subject.items())):
        maps.append(f"<#{name}-{number}> a rr:TriplesMap ; {_source(csv)} ;\n"
                    f"  rr:subjectMap [ {_term(*about)} ; rr:graph <{graph}> ] ;\n  " + " ;\n  ".join(poms) + " .")
    provenance = schema.get("kikg:provenance")
    if provenance:
        keys = schema["primaryKey"] if isinstance(schema["primaryKey"], list) else [schema["primaryKey"]]
        key = "/".join("{" + k + "}" for k in keys)
        record = f"{base}source/{name}/{key}"
        document = _iri(provenance["documentUrl"], base)
        poms = [f"rr:predicateObjectMap [ rr:predicate <{_PREFIXES['rdf']}type> ; rr:object <{_KIKG}SourceRecord> ]",
                f'rr:predicateObjectMap [ rr:predicate <{_KIKG}sourceTable> ; rr:objectMap [ rr:constant "{name}" ] ]',
                (f"rr:predicateObjectMap [ rr:predicate <{_KIKG}sourceKey> ; rr:objectMap [ rr:template \"{key}\" ; "
                "rr:termType rr:Literal ] ]"),
                (f'rr:predicateObjectMap [ rr:predicate <{_PREFIXES["prov"]}hadPrimarySource> ; rr:objectMap [ '
                f'rr:template "{document[1]}" ; rr:termType rr:IRI ] ]'),
                (f'rr:predicateObjectMap [ rr:predicate <{_KIKG}locator> ; rr:objectMap [ rml:reference '
                f'"{provenance["locator"]}" ] ]')]
        maps.append(f"<#{name}-record> a rr:TriplesMap ; {_source(csv)} ;\n"
                    f'  rr:subjectMap [ rr:template "{record}" ; rr:graph <{provenance_graph}> ] ;\n  '
                    + " ;\n  ".join(poms) + " .")
        for number, about in enumerate(sorted(subjects)):
            maps.append(f"<#{name}-derived-{number}> a rr:TriplesMap ; {_source(csv)} ;\n"
                        f"  rr:subjectMap [ {_term(*about)} ; rr:graph <{provenance_graph}> ] ;\n"
                        f"  rr:predicateObjectMap [ rr:predicate <{_PREFIXES['prov']}wasDerivedFrom> ; "
                        f'rr:objectMap [ rr:template "{record}" ; rr:termType rr:IRI ] ] .')
    return maps


def write_rml(folder: Path, out: Path) -> Path:
    """Write the RML mapping of the :data:`SUBSET` tables of the table group in ``folder``."""
    metadata = json.loads((folder / "csv-metadata.json").read_text(encoding="utf-8"))
    base = metadata["@context"][1]["@base"]
    maps = []
    for table in metadata["tables"]:
        name = table["url"].removesuffix(".csv")
        if name not in SUBSET:
            continue
        schema = json.loads((folder / table["tableSchema"]).read_text(encoding="utf-8"))
        maps += _table_maps(name, (folder / table["url"]).resolve(), schema, base)
    header = ("@prefix rr: <http://www.w3.org/ns/r2rml#> .\n@prefix rml: <http://semweb.mmlab.be/ns/rml#> .\n"
              "@prefix ql: <http://semweb.mmlab.be/ns/ql#> .\n\n")
    out.write_text(header + "\n\n".join(maps) + "\n", encoding="utf-8")
    return out


def write_morph_config(mapping: Path, out: Path) -> Path:
    """The morph-kgc configuration: the mapping, and '/' kept as is in templates (CSVW's ``{+x}``)."""
    out.write_text(f"[CONFIGURATION]\nsafe_percent_encoding=/\n\n[DataSource]\nmappings={mapping}\n", encoding="utf-8")
    return out


def write_subset_metadata(folder: Path) -> Path:
    """A metadata file in ``folder`` listing only the :data:`SUBSET` tables, for the toolkit's side.

    A column whose values the toolkit checks against the things other tables define
    (``kikg:references``) keeps only the tables of the subset: the generated values name things of
    those tables, and the check is one the toolkit makes and morph-kgc does not.
    """
    metadata = json.loads((folder / "csv-metadata.json").read_text(encoding="utf-8"))
    metadata["tables"] = [t for t in metadata["tables"] if t["url"].removesuffix(".csv") in SUBSET]
    for table in metadata["tables"]:
        schema = json.loads((folder / table["tableSchema"]).read_text(encoding="utf-8"))
        references = []
        for reference in schema.get("kikg:references", []):
            tables = [t for t in reference["tables"] if t.removesuffix(".csv") in SUBSET]
            if tables:
                references.append({**reference, "tables": tables})
        if references != schema.get("kikg:references", []):
            schema["kikg:references"] = references
            table["tableSchema"] = str(Path(table["tableSchema"]).with_name("subset-" + Path(table["tableSchema"]).name))
            (folder / table["tableSchema"]).write_text(json.dumps(schema, indent=2), encoding="utf-8")
    out = folder / "subset-metadata.json"
    out.write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    return out
