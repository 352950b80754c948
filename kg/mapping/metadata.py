"""CSVW metadata: the table group, its tables, columns, keys and the row-to-triple templates.

The metadata is standard `CSV on the Web <https://www.w3.org/TR/tabular-metadata/>`_: a table group
(``csv-metadata.json``) lists the tables; a table's ``tableSchema`` is inline or a link to a schema
file (several tables of observations share one). The toolkit reads two annotations of its own, in
the common-property slot CSVW keeps for that:

* ``kikg:provenance`` on a table names the columns that hold each row's source document, locator
  and quote;
* ``kikg:references`` on a schema lists columns whose cells name something another table defines:
  the IRI a ``valueUrl`` template makes of the cell must be a subject that some row of the listed
  tables gives an ``rdf:type``. It is a foreign key by IRI, for what a CSVW foreign key cannot
  express: a short key (``gumi`` for ``place/site/gumi``), or a thing that one of several tables
  may define.

One reading differs from a plain CSVW processor: a template that names a list column (one with a
``separator``) is expanded once per item of the list, so that a row can make one role node per
item (``membership/{signatories}/{mou}`` for ``motie|kicox``). A template may name one list column
at most.

Errors in the metadata stop the build with the metadata file, line and column; among them a
template that names no column of its table (``{+homepagee}``), which would otherwise make no
triple for any row, silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.mapping.datatypes import LANGUAGE_TAG, Datatype
from kg.mapping.templates import TemplateError, UriTemplate, is_absolute_iri

__all__ = ["ColumnSpec", "ForeignKey", "IriReference", "ProvenanceSpec", "TableGroupSpec", "TableSpec",
           "load_table_group"]

PROVENANCE_ANNOTATION = "kikg:provenance"
REFERENCES_ANNOTATION = "kikg:references"


@dataclass(frozen=True)
class ColumnSpec:
    """One column: how to read its cells and which triple each cell makes."""

    name: str
    title: str
    datatype: Datatype
    parse: Callable[[str], str]
    required: bool
    nulls: frozenset[str]
    separator: str | None
    default: str | None
    lang: str | None
    about_url: UriTemplate | None
    property_url: UriTemplate | None
    value_url: UriTemplate | None
    virtual: bool
    suppress_output: bool


@dataclass(frozen=True)
class ForeignKey:
    """Values of ``columns`` must exist in ``ref_columns`` of table ``resource``."""

    columns: tuple[str, ...]
    resource: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class IriReference:
    """The IRI ``template`` makes of each value of ``column`` must be a subject typed by a row of ``tables``."""

    column: str
    template: UriTemplate
    tables: tuple[str, ...]


@dataclass(frozen=True)
class ProvenanceSpec:
    """The columns that say where a row's facts come from."""

    document: str
    locator: str
    quote: str | None
    document_url: UriTemplate


@dataclass(frozen=True)
class TableSpec:
    """A table of the group with its parsed schema."""

    name: str
    url: str
    path: Path
    title: str
    description: str
    columns: tuple[ColumnSpec, ...]
    virtual_columns: tuple[ColumnSpec, ...]
    about_url: UriTemplate | None
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    references: tuple[IriReference, ...]
    provenance: ProvenanceSpec | None
    trim: bool
    delimiter: str

    def column(self, name: str) -> ColumnSpec:
        """Return the column called ``name``."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    def list_variable(self, column: ColumnSpec) -> str | None:
        """The list column whose items ``column``'s templates are expanded over, if any."""
        lists = {c.name for c in self.columns if c.separator is not None}
        names = {v for t in (column.about_url, column.property_url, column.value_url) if t for v in t.variables}
        if column.separator is not None:
            names.add(column.name)
        found = sorted(names & lists)
        return found[0] if found else None


@dataclass(frozen=True)
class TableGroupSpec:
    """All tables of a metadata file, in the order the file lists them."""

    path: Path
    base: str
    tables: tuple[TableSpec, ...]
    resolved: Mapping[str, Any]
    """The metadata with linked schemas inlined, for tools that do not follow links."""

    def table(self, name: str) -> TableSpec:
        """Return the table called ``name`` (the CSV file name without ``.csv``)."""
        for table in self.tables:
            if table.name == name or table.url == name:
                return table
        raise KeyError(name)


def load_table_group(path: str | Path, *, base_iri: str | None = None) -> TableGroupSpec:
    """Read a CSVW table-group metadata file.

    Parameters
    ----------
    path
        The ``csv-metadata.json`` file.
    base_iri
        The base IRI relative templates resolve against; by default the ``@base`` of the
        metadata's context.

    Raises
    ------
    InputError
        If the metadata is not valid JSON or not a table group this toolkit can map.
    """
    path = Path(path)
    document, text = _read_json(path)
    context = document.get("@context")
    context_base = None
    if isinstance(context, list):
        for item in context:
            if isinstance(item, Mapping) and "@base" in item:
                context_base = item["@base"]
    base = base_iri or context_base
    if not base or not is_absolute_iri(base):
        raise InputError(f"base IRI {base!r} is not an absolute IRI", file=path)
    tables_raw = document.get("tables")
    if not isinstance(tables_raw, list) or not tables_raw:
        raise InputError("the metadata is not a CSVW table group (no 'tables')", file=path)
    resolved = dict(document)
    resolved_tables = []
    tables = []
    for index, raw in enumerate(tables_raw):
        if not isinstance(raw, Mapping) or "url" not in raw:
            raise InputError(f"table {index + 1} has no 'url'", file=path)
        schema = raw.get("tableSchema")
        schema_file, schema_text = path, text
        if isinstance(schema, str):
            schema_file = path.parent / schema
            schema, schema_text = _read_json(schema_file)
        if not isinstance(schema, Mapping):
            raise InputError(f"table {raw['url']!r} has no tableSchema", file=path)
        resolved_tables.append({**raw, "tableSchema": schema})
        tables.append(_table(raw, schema, path, text, schema_file, schema_text))
    resolved["tables"] = resolved_tables
    names = [t.name for t in tables]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise InputError(f"tables share the name {min(duplicates)!r}", file=path)
    for table in tables:
        for key in table.foreign_keys:
            if key.resource not in names:
                raise InputError(
                    f"table {table.name!r} has a foreign key to unknown table {key.resource!r}", file=path
                )
            target = tables[names.index(key.resource)]
            for column in key.ref_columns:
                if column not in {c.name for c in target.columns}:
                    raise InputError(
                        f"foreign key of {table.name!r} names unknown column {column!r} of {target.name!r}",
                        file=path,
                    )
        for reference in table.references:
            for name in reference.tables:
                if name not in names:
                    raise InputError(
                        f"table {table.name!r}: {REFERENCES_ANNOTATION} of column {reference.column!r} names "
                        f"unknown table {name!r}", file=path,
                    )
    return TableGroupSpec(path=path, base=base, tables=tuple(tables), resolved=resolved)


def _read_json(path: Path) -> tuple[Mapping[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 ({exc.reason})", file=path) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(exc.msg, file=path, line=exc.lineno, column=exc.colno) from None
    if not isinstance(document, Mapping):
        raise InputError("metadata must be a JSON object", file=path)
    return document, text


def _locate(text: str, key: str, value: Any) -> tuple[int | None, int | None]:
    """Line and column of ``"key": value`` in a JSON text, for error messages."""
    pattern = re.escape(json.dumps(key)) + r"\s*:\s*" + re.escape(json.dumps(value, ensure_ascii=False))
    match = re.search(pattern, text)
    if not match:
        return None, None
    line = text.count("\n", 0, match.start()) + 1
    column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
    return line, column


def _error(reason: str, file: Path, text: str, key: str, value: Any) -> InputError:
    line, column = _locate(text, key, value)
    return InputError(reason, file=file, line=line, column=column)


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _template(raw: Mapping[str, Any], key: str, file: Path, text: str) -> UriTemplate | None:
    source = raw.get(key)
    if source is None:
        return None
    try:
        return UriTemplate.parse(str(source))
    except TemplateError as exc:
        raise _error(str(exc), file, text, key, source) from None


def _table(
    raw: Mapping[str, Any],
    schema: Mapping[str, Any],
    group_file: Path,
    group_text: str,
    schema_file: Path,
    schema_text: str,
) -> TableSpec:
    url = str(raw["url"])
    name = url.rsplit("/", 1)[-1].removesuffix(".csv")
    dialect = raw.get("dialect", {})
    columns: list[ColumnSpec] = []
    virtual: list[ColumnSpec] = []
    raw_columns = schema.get("columns")
    if not isinstance(raw_columns, list) or not raw_columns:
        raise InputError(f"table {name!r} declares no columns", file=schema_file)
    for raw_column in raw_columns:
        column = _column(raw_column, schema_file, schema_text, raw.get("null"))
        (virtual if column.virtual else columns).append(column)
    column_names = {c.name for c in columns}
    _check_template_variables(columns, virtual, schema, column_names, schema_file, schema_text)
    primary_key = _names(schema.get("primaryKey"))
    if not primary_key:
        raise InputError(f"table {name!r} declares no primaryKey", file=schema_file)
    for key_column in primary_key:
        if key_column not in column_names:
            raise _error(
                f"primaryKey names unknown column {key_column!r}", schema_file, schema_text, "primaryKey",
                schema.get("primaryKey"),
            )
    foreign_keys = []
    for raw_key in schema.get("foreignKeys", []):
        reference = raw_key.get("reference", {})
        key = ForeignKey(
            columns=_names(raw_key.get("columnReference")),
            resource=str(reference.get("resource", "")).rsplit("/", 1)[-1].removesuffix(".csv"),
            ref_columns=_names(reference.get("columnReference")),
        )
        for key_column in key.columns:
            if key_column not in column_names:
                raise InputError(f"foreign key names unknown column {key_column!r}", file=schema_file)
        foreign_keys.append(key)
    references = _references(schema, columns, schema_file, schema_text)
    provenance = None
    raw_provenance = raw.get(PROVENANCE_ANNOTATION, schema.get(PROVENANCE_ANNOTATION))
    if raw_provenance is not None:
        for role in ("document", "locator", "quote"):
            column_name = raw_provenance.get(role)
            if column_name is not None and column_name not in column_names:
                raise InputError(
                    f"{PROVENANCE_ANNOTATION} names unknown column {column_name!r}", file=schema_file
                )
        document_url = _template(raw_provenance, "documentUrl", schema_file, schema_text)
        if document_url is not None:
            prov_file, prov_text = (schema_file, schema_text) if PROVENANCE_ANNOTATION in schema else (group_file, group_text)
            _check_variables(document_url, "documentUrl", column_names, prov_file, prov_text)
        if document_url is None or "document" not in raw_provenance or "locator" not in raw_provenance:
            raise InputError(
                f"{PROVENANCE_ANNOTATION} needs 'document', 'locator' and 'documentUrl'", file=schema_file
            )
        provenance = ProvenanceSpec(
            document=raw_provenance["document"],
            locator=raw_provenance["locator"],
            quote=raw_provenance.get("quote"),
            document_url=document_url,
        )
    return TableSpec(
        name=name,
        url=url,
        path=group_file.parent / url,
        title=_text(raw.get("dc:title", name)),
        description=_text(raw.get("dc:description", "")),
        columns=tuple(columns),
        virtual_columns=tuple(virtual),
        about_url=_template(schema, "aboutUrl", schema_file, schema_text),
        primary_key=primary_key,
        foreign_keys=tuple(foreign_keys),
        references=references,
        provenance=provenance,
        trim=bool(dialect.get("trim", True)),
        delimiter=str(dialect.get("delimiter", ",")),
    )


# Variables a template may use besides the column names: CSVW's row number.
_BUILTIN_VARIABLES = frozenset({"_row"})


def _check_variables(template: UriTemplate, key: str, names: set[str], file: Path, text: str) -> None:
    for variable in template.variables:
        if variable not in names and variable not in _BUILTIN_VARIABLES:
            known = ", ".join(sorted(names))
            raise _error(
                f"{key} {template.source!r} names {variable!r}, which is not a column of the table "
                f"(columns: {known})",
                file, text, key, template.source,
            )


def _check_template_variables(
    columns: list[ColumnSpec], virtual: list[ColumnSpec], schema: Mapping[str, Any], names: set[str],
    file: Path, text: str,
) -> None:
    """Every template variable must be a (non-virtual) column: a misspelt one would be null in every
    row, and the template would make no triple at all."""
    lists = {c.name for c in columns if c.separator is not None}
    about = schema.get("aboutUrl")
    if about is not None:
        table_about = UriTemplate.parse(str(about))
        _check_variables(table_about, "aboutUrl", names, file, text)
        if set(table_about.variables) & lists:
            raise _error("the table's aboutUrl may not name a list column", file, text, "aboutUrl", about)
    for column in (*columns, *virtual):
        used: set[str] = {column.name} & lists
        for key, own in (("aboutUrl", column.about_url), ("propertyUrl", column.property_url),
                         ("valueUrl", column.value_url)):
            if own is not None:
                _check_variables(own, key, names, file, text)
                used |= set(own.variables) & lists
        if len(used) > 1:
            raise _error(
                f"column {column.name!r}: templates may name one list column at most, not {sorted(used)}",
                file, text, "name", column.name,
            )


def _references(
    schema: Mapping[str, Any], columns: list[ColumnSpec], file: Path, text: str
) -> tuple[IriReference, ...]:
    raw = schema.get(REFERENCES_ANNOTATION, [])
    if not isinstance(raw, list):
        raise InputError(f"{REFERENCES_ANNOTATION} must be a list", file=file)
    names = {c.name for c in columns}
    references = []
    for item in raw:
        if not isinstance(item, Mapping):
            raise InputError(f"each {REFERENCES_ANNOTATION} entry must be an object", file=file)
        column, tables = item.get("column"), item.get("tables")
        if not isinstance(column, str) or not isinstance(tables, list) or not tables or "valueUrl" not in item:
            raise InputError(
                f"each {REFERENCES_ANNOTATION} entry needs a 'column', a 'valueUrl' and a list of 'tables'", file=file
            )
        if column not in names:
            raise _error(f"{REFERENCES_ANNOTATION} names unknown column {column!r}", file, text, "column", column)
        template = _template(item, "valueUrl", file, text)
        assert template is not None
        _check_variables(template, "valueUrl", names, file, text)
        references.append(
            IriReference(column, template, tuple(str(t).rsplit("/", 1)[-1].removesuffix(".csv") for t in tables))
        )
    return tuple(references)


def _text(value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value.get("@value", ""))
    return str(value)


def _column(raw: Mapping[str, Any], file: Path, text: str, table_null: Any) -> ColumnSpec:
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise InputError("every column needs a 'name'", file=file)
    virtual = bool(raw.get("virtual", False))
    try:
        datatype = Datatype.from_metadata(raw.get("datatype"))
    except ValueError as exc:
        raise _error(f"column {name!r}: {exc}", file, text, "name", name) from None
    lang = raw.get("lang")
    if lang is not None and not LANGUAGE_TAG.match(str(lang)):
        raise _error(f"column {name!r}: invalid language tag {lang!r}", file, text, "lang", lang)
    if lang is not None and datatype.base != "string":
        raise _error(f"column {name!r}: only string columns take a language", file, text, "lang", lang)
    titles = raw.get("titles", name)
    title = titles[0] if isinstance(titles, list) else str(titles)
    nulls = raw.get("null", table_null if table_null is not None else "")
    column = ColumnSpec(
        name=name,
        title=title,
        datatype=datatype,
        parse=datatype.parser(),
        required=bool(raw.get("required", False)),
        nulls=frozenset(_names(nulls)),
        separator=raw.get("separator"),
        default=None if raw.get("default") is None else str(raw.get("default")),
        lang=lang,
        about_url=_template(raw, "aboutUrl", file, text),
        property_url=_template(raw, "propertyUrl", file, text),
        value_url=_template(raw, "valueUrl", file, text),
        virtual=virtual,
        suppress_output=bool(raw.get("suppressOutput", False)),
    )
    if not column.suppress_output and column.property_url is None:
        raise _error(
            f"column {name!r} makes triples but has no propertyUrl (set one, or suppressOutput)",
            file, text, "name", name,
        )
    if virtual and column.value_url is None:
        raise _error(f"virtual column {name!r} needs a valueUrl", file, text, "name", name)
    return column
