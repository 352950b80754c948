"""Rows to quads: every check first, then N-Quads text ready for the store.

A table group is mapped in two passes. The first reads and checks every table (cell datatypes,
required cells, primary keys) and renders each row's quads; the second checks foreign keys across
tables. Only when both pass is anything returned, so a bad table never leaves half a graph behind.

Each table's triples go to its own named graph. A table with a ``kikg:provenance`` annotation also
gets one source record per row in the provenance graph, and every subject the row described is
linked to that record with ``prov:wasDerivedFrom``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.graphs import GraphNames
from kg.mapping.datatypes import CellError
from kg.mapping.metadata import ColumnSpec, TableGroupSpec, TableSpec, load_table_group
from kg.mapping.reader import read_rows
from kg.mapping.templates import TemplateError, UriTemplate
from kg.namespace import KIKG
from kg.vocabularies import OA, PROV, RDF, XSD

__all__ = ["MappedTable", "MappingResult", "map_table_group", "map_tables"]

_XSD_STRING = str(XSD.string)
_CACHE_LIMIT = 200_000
"""Expansions remembered per template before the memory is cleared (bounds memory on huge tables)."""
_XSD_INTEGER = str(XSD.integer)
_RDF_TYPE = str(RDF.type)


@dataclass
class MappedTable:
    """The quads of one table and what it took to make them."""

    name: str
    graph: str
    path: Path
    rows: int = 0
    subjects: int = 0
    triples: int = 0
    records: int = 0
    nquads: bytes = b""
    provenance_nquads: bytes = b""


@dataclass
class MappingResult:
    """All tables of a group, mapped and checked."""

    group: TableGroupSpec
    graphs: GraphNames
    tables: list[MappedTable] = field(default_factory=list)

    def nquads(self) -> bytes:
        """All quads of all tables, the provenance records included."""
        return b"".join(t.nquads + t.provenance_nquads for t in self.tables)


def _escape(text: str) -> str:
    if '"' in text or "\\" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return text


def _literal_renderer(column: ColumnSpec) -> Callable[[str], str]:
    datatype = column.datatype.iri
    if column.lang:
        suffix = '"@' + column.lang
        return lambda value: '"' + _escape(value) + suffix
    if datatype == _XSD_STRING:
        return lambda value: '"' + _escape(value) + '"'
    suffix = '"^^<' + datatype + ">"
    return lambda value: '"' + _escape(value) + suffix


class _TableMapper:
    """Renders the rows of one table; holds the compiled per-column pieces."""

    def __init__(self, table: TableSpec, base: str, graphs: GraphNames) -> None:
        self.table = table
        self.base = base
        self.graph = "<" + graphs.table(table.name) + ">"
        self.provenance_graph = "<" + graphs.provenance + ">"
        self.literal = {c.name: _literal_renderer(c) for c in table.columns}
        self.constant: dict[int, str | None] = {}
        # Expansions of one-variable templates by value: most values recur (entities named in many
        # rows, properties, concepts, documents), and an expansion depends on the value only.
        self.expanded: dict[int, dict[str, str | None]] = defaultdict(dict)
        # The list column each column's templates expand over, where it is not the column's own list.
        # (A list column whose valueUrl alone names it keeps one subject: one triple per item.)
        self.over: dict[str, str | None] = {}
        for column in (*table.columns, *table.virtual_columns):
            variable = table.list_variable(column)
            subject_side = {v for t in (column.about_url, column.property_url) if t for v in t.variables}
            self.over[column.name] = None if variable == column.name and variable not in subject_side else variable
        self.typed: set[str] = set()
        """Subjects a row gave an ``rdf:type``: what this table defines, for ``kikg:references``."""
        self.references: list[tuple[int, str, str, str, tuple[str, ...]]] = []
        """(row, column, value, IRI, tables) of each value a ``kikg:references`` column names."""
        provenance = table.provenance
        if provenance is not None:
            g = self.provenance_graph
            self.record_template = UriTemplate.parse("source/" + table.name + "/{+key}")
            self.record_lines = (
                f"> <{RDF.type}> <{KIKG.SourceRecord}> {g} .\n",
                f'> <{KIKG.sourceTable}> "{_escape(table.name)}" {g} .\n',
                f"> <{KIKG.sourceRow}> \"",
                f'"^^<{_XSD_INTEGER}> {g} .\n',
                f"> <{KIKG.sourceKey}> \"",
                f'" {g} .\n',
                f"> <{PROV.hadPrimarySource}> <",
                f"> {g} .\n",
                f"> <{KIKG.locator}> \"",
                f"> <{KIKG.evidence}> <",
                f"/quote> {g} .\n",
                f"/quote> <{RDF.type}> <{OA.TextQuoteSelector}> {g} .\n",
                f"/quote> <{OA.exact}> \"",
                f"> <{PROV.wasDerivedFrom}> <",
            )

    def _expand(self, template: UriTemplate, values: dict[str, str | None], column: str, row: int) -> str | None:
        variables = template.variables
        if not variables:
            key = id(template)
            if key not in self.constant:
                self.constant[key] = template.expand({}, base=self.base)
            return self.constant[key]
        if len(variables) == 1:
            return self._expand_one(template, values.get(variables[0]), column, row)
        try:
            return template.expand(values, base=self.base)
        except TemplateError as exc:
            raise InputError(str(exc), file=self.table.path, row=row, column=column) from None

    def _expand_one(self, template: UriTemplate, value: str | None, column: str, row: int) -> str | None:
        """Expand a template of one variable with ``value`` (remembered; errors are not)."""
        if value is None:
            return None
        cache = self.expanded[id(template)]
        if value in cache:
            return cache[value]
        try:
            result = template.expand({template.variables[0]: value}, base=self.base)
        except TemplateError as exc:
            raise InputError(str(exc), file=self.table.path, row=row, column=column) from None
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[value] = result
        return result

    def parse_row(self, row: int, cells: list[str]) -> tuple[dict[str, str | None], dict[str, list[str]]]:
        """Check and parse one row: scalar values for templates, item lists for output."""
        values: dict[str, str | None] = {"_row": str(row)}
        items: dict[str, list[str]] = {}
        for column, cell in zip(self.table.columns, cells):
            if cell in column.nulls and column.default is not None:
                cell = column.default
            if cell in column.nulls:
                if column.required:
                    raise InputError("required cell is blank", file=self.table.path, row=row, column=column.name)
                values[column.name] = None
                continue
            pieces = [p.strip() for p in cell.split(column.separator)] if column.separator else [cell]
            parsed = []
            for piece in pieces:
                if piece in column.nulls:
                    raise InputError(
                        f"empty item in list {cell!r}", file=self.table.path, row=row, column=column.name
                    )
                try:
                    parsed.append(column.parse(piece))
                except CellError as exc:
                    raise InputError(str(exc), file=self.table.path, row=row, column=column.name) from None
            values[column.name] = cell if column.separator else parsed[0]
            items[column.name] = parsed
        return values, items

    def render(self, row: int, values: dict[str, str | None], items: dict[str, list[str]]) -> tuple[list[str], set[str]]:
        """The quad lines of one row and the subjects they describe."""
        table = self.table
        default_subject = (
            self._expand(table.about_url, values, table.primary_key[0], row) if table.about_url else None
        )
        lines: list[str] = []
        subjects: set[str] = set()
        for column in table.columns:
            if column.suppress_output or column.name not in items:
                continue
            over = self.over[column.name]
            if over is None:
                self._render_column(row, column, values, items[column.name], default_subject, lines, subjects)
                continue
            for item in items.get(over, []):
                bound = {**values, over: item}
                own = [item] if over == column.name else items[column.name]
                self._render_column(row, column, bound, own, default_subject, lines, subjects)
        for column in table.virtual_columns:
            over = self.over[column.name]
            if over is None:
                self._render_virtual(row, column, values, default_subject, lines, subjects)
                continue
            for item in items.get(over, []):
                self._render_virtual(row, column, {**values, over: item}, default_subject, lines, subjects)
        return lines, subjects

    def _render_column(
        self, row: int, column: ColumnSpec, values: dict[str, str | None], column_items: list[str],
        default_subject: str | None, lines: list[str], subjects: set[str],
    ) -> None:
        subject = self._expand(column.about_url, values, column.name, row) if column.about_url else default_subject
        assert column.property_url is not None  # checked when the metadata was read
        predicate = self._expand(column.property_url, values, column.name, row)
        if subject is None or predicate is None:
            return
        prefix = "<" + subject + "> <" + predicate + "> "
        subjects.add(subject)
        if column.value_url is not None:
            value_url = column.value_url
            own = value_url.variables == (column.name,)
            for item in column_items:
                if own:
                    target = self._expand_one(value_url, item, column.name, row)
                else:
                    target = self._expand(value_url, {**values, column.name: item}, column.name, row)
                if target is not None:
                    lines.append(prefix + "<" + target + "> " + self.graph + " .\n")
                    if predicate == _RDF_TYPE:
                        self.typed.add(subject)
        else:
            render = self.literal[column.name]
            for item in column_items:
                lines.append(prefix + render(item) + " " + self.graph + " .\n")

    def _render_virtual(
        self, row: int, column: ColumnSpec, values: dict[str, str | None], default_subject: str | None,
        lines: list[str], subjects: set[str],
    ) -> None:
        subject = self._expand(column.about_url, values, column.name, row) if column.about_url else default_subject
        assert column.property_url is not None and column.value_url is not None
        predicate = self._expand(column.property_url, values, column.name, row)
        target = self._expand(column.value_url, values, column.name, row)
        if subject is None or predicate is None or target is None:
            return
        subjects.add(subject)
        lines.append("<" + subject + "> <" + predicate + "> <" + target + "> " + self.graph + " .\n")
        if predicate == _RDF_TYPE:
            self.typed.add(subject)

    def note_references(self, row: int, values: dict[str, str | None], items: dict[str, list[str]]) -> None:
        """Remember the IRIs this row's ``kikg:references`` columns name, to check once all tables are read."""
        for reference in self.table.references:
            for item in items.get(reference.column, []):
                iri = self._expand(reference.template, {**values, reference.column: item}, reference.column, row)
                if iri is not None:
                    self.references.append((row, reference.column, item, iri, reference.tables))

    def provenance(self, row: int, values: dict[str, str | None], subjects: set[str]) -> list[str]:
        """The source record of one row, in the provenance graph."""
        spec = self.table.provenance
        assert spec is not None
        key = "/".join(values[k] or "" for k in self.table.primary_key)
        try:
            record = self.record_template.expand({"key": key}, base=self.base)
            document = self._expand_document(spec.document_url, values)
        except TemplateError as exc:
            raise InputError(str(exc), file=self.table.path, row=row, column=self.table.primary_key[0]) from None
        assert record is not None
        (typed, table, row_start, row_end, key_start, literal_end, source_start, iri_end, locator_start,
         evidence_start, quote_end, selector_typed, exact_start, derived_start) = self.record_lines
        rec = "<" + record
        lines = [
            rec + typed,
            rec + table,
            rec + row_start + str(row) + row_end,
            rec + key_start + _escape(key) + literal_end,
        ]
        if document is not None:
            lines.append(rec + source_start + document + iri_end)
        locator = values.get(spec.locator)
        if locator is not None:
            lines.append(rec + locator_start + _escape(locator) + literal_end)
        quote = values.get(spec.quote) if spec.quote else None
        if quote is not None:
            lines.append(rec + evidence_start + record + quote_end)
            lines.append(rec + selector_typed)
            lines.append(rec + exact_start + _escape(quote) + literal_end)
        for subject in sorted(subjects):
            lines.append("<" + subject + derived_start + record + iri_end)
        return lines

    def _expand_document(self, template: UriTemplate, values: dict[str, str | None]) -> str | None:
        """The source document's IRI: raises :class:`TemplateError` as ``expand`` does."""
        if len(template.variables) != 1:
            return template.expand(values, base=self.base)
        value = values.get(template.variables[0])
        if value is None:
            return None
        cache = self.expanded[id(template)]
        if value not in cache:
            cache[value] = template.expand({template.variables[0]: value}, base=self.base)
        return cache[value]


def map_table_group(group: TableGroupSpec) -> MappingResult:
    """Check and map every table of ``group``.

    Raises
    ------
    InputError
        At the first bad cell, duplicate key, dangling foreign key or unreadable file, naming the
        file, row and column.
    """
    graphs = GraphNames(group.base)
    result = MappingResult(group=group, graphs=graphs)
    keys: dict[str, dict[tuple[str, ...], set[str]]] = {}
    references: list[tuple[TableSpec, int, str, tuple[str, ...], str]] = []
    wanted = {(k.resource, k.ref_columns) for t in group.tables for k in t.foreign_keys}
    mappers: dict[str, _TableMapper] = {}
    for table in group.tables:
        mapper = mappers[table.name] = _TableMapper(table, group.base, graphs)
        mapped = MappedTable(table.name, graphs.table(table.name), table.path)
        seen: dict[tuple[str | None, ...], int] = {}
        lines: list[str] = []
        provenance: list[str] = []
        all_subjects: set[str] = set()
        key_sets: dict[tuple[str, ...], set[str]] = {cols: set() for (res, cols) in wanted if res == table.name}
        for row, cells in read_rows(table):
            values, items = mapper.parse_row(row, cells)
            key = tuple(values[k] for k in table.primary_key)
            if key in seen:
                raise InputError(
                    f"duplicate primary key {'/'.join(k or '' for k in key)!r} (first at row {seen[key]})",
                    file=table.path,
                    row=row,
                    column=table.primary_key[0],
                )
            seen[key] = row
            for columns, found in key_sets.items():
                for value in _key_values(columns, values, items):
                    found.add(value)
            for fk in table.foreign_keys:
                for value in _key_values(fk.columns, values, items):
                    references.append((table, row, fk.columns[0], (fk.resource, *fk.ref_columns), value))
            row_lines, subjects = mapper.render(row, values, items)
            mapper.note_references(row, values, items)
            if not row_lines:
                raise InputError("the row makes no triple", file=table.path, row=row)
            lines.extend(row_lines)
            all_subjects |= subjects
            if table.provenance is not None:
                provenance.extend(mapper.provenance(row, values, subjects))
                mapped.records += 1
            mapped.rows += 1
        for columns, found in key_sets.items():
            keys.setdefault(table.name, {})[columns] = found
        mapped.triples = len(lines)
        mapped.subjects = len(all_subjects)
        mapped.nquads = "".join(lines).encode("utf-8")
        mapped.provenance_nquads = "".join(provenance).encode("utf-8")
        result.tables.append(mapped)
    for table, row, column, (resource, *ref_columns), value in references:
        if value not in keys[resource][tuple(ref_columns)]:
            raise InputError(
                f"{value!r} is not a key of table {resource!r} (column {', '.join(ref_columns)!r})",
                file=table.path,
                row=row,
                column=column,
            )
    _check_iri_references(group, mappers)
    return result


def _check_iri_references(group: TableGroupSpec, mappers: dict[str, _TableMapper]) -> None:
    """Every IRI a ``kikg:references`` column names must be a subject typed by a row of its tables."""
    defined: dict[tuple[str, ...], set[str]] = {}
    for table in group.tables:
        for row, column, value, iri, tables in mappers[table.name].references:
            if tables not in defined:
                defined[tables] = set().union(*(mappers[name].typed for name in tables))
            if iri not in defined[tables]:
                where = " or ".join(f"{name}.csv" for name in tables)
                raise InputError(
                    f"{value!r} names <{iri}>, which no row of {where} defines", file=table.path, row=row, column=column
                )


def _key_values(columns: tuple[str, ...], values: dict[str, str | None], items: dict[str, list[str]]) -> list[str]:
    """The key values a row holds in ``columns`` (one per list item for a single list column)."""
    if len(columns) == 1:
        return list(items.get(columns[0], []))
    parts = [values.get(c) for c in columns]
    if any(p is None for p in parts):
        return []
    return ["/".join(p for p in parts if p is not None)]


def map_tables(metadata: str | Path, *, base_iri: str | None = None) -> MappingResult:
    """Read the CSVW metadata at ``metadata`` and map all its tables (see :func:`map_table_group`)."""
    return map_table_group(load_table_group(metadata, base_iri=base_iri))
