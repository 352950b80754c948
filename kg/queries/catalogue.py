"""The catalogue of canned queries: one ``.rq`` file each, with a grlc-style ``#+`` YAML header.

A header looks like::

    #+ summary: Bodies supervised by a ministry
    #+ description: >
    #+   Organisations that report to, or manage tasks on behalf of, the ministry.
    #+ params:
    #+   - name: ministry
    #+     type: iri
    #+     default: org/motie
    #+     description: The ministry.
    #+ example: kg query supervised-bodies --param ministry=org/motie

``iri`` defaults and values may be relative: they resolve against the dataset's base IRI, so the
same file works whatever base the graph was built with.

A column that is empty in every row on the default graph, or a query without rows there, says why
in the header (a test holds every canned query to it, both ways), so that an empty column is a known
gap of the data rather than a silent defect of the query::

    #+ empty_columns:
    #+   located_in: No source table locates the industrial complexes yet.
    #+ empty_result: Every fact of the default graph has provenance.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kg._resources import QUERIES_DIR
from kg.errors import InputError, UsageError
from kg.queries.binding import ParameterType
from kg.queries.guard import ForbiddenQueryError, SparqlSyntaxError, check_read_only

__all__ = ["CannedQuery", "Catalogue", "Parameter", "parse_query_file", "parse_query_text"]

_HEADER_LINE = re.compile(r"^#\+ ?(.*)$")
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
# libyaml's safe loader where PyYAML was built with it: the same documents, ten times faster.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Parameter:
    """A declared query parameter."""

    name: str
    type: ParameterType
    default: str | None = None
    description: str = ""


@dataclass(frozen=True)
class CannedQuery:
    """A query file with its header."""

    name: str
    text: str
    summary: str = ""
    description: str = ""
    params: tuple[Parameter, ...] = ()
    example: str = ""
    path: Path | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    empty_columns: dict[str, str] = field(default_factory=dict)
    """Columns empty in every row on the default graph, each with the reason."""
    empty_result: str = ""
    """Why the query has no rows on the default graph, when it has none."""

    @property
    def ordered(self) -> bool:
        """Whether the query fixes the order of its results (``ORDER BY``)."""
        return re.search(r"\border\s+by\b", _strip_comments(self.text), re.IGNORECASE) is not None



def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def parse_query_file(path: str | Path, *, name: str | None = None) -> CannedQuery:
    """Read a ``.rq`` file and its header.

    Raises
    ------
    InputError
        For an unreadable file, malformed YAML header, unknown parameter type, or an update,
        ``LOAD`` or ``SERVICE`` in the query (with line and column).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the query: {exc}", file=path) from None
    return parse_query_text(text, name=name or path.stem, path=path)


def parse_query_text(text: str, *, name: str = "query", path: Path | None = None) -> CannedQuery:
    """A query from its SPARQL text, with its ``#+`` header if it has one.

    Examples
    --------
    >>> query = parse_query_text("#+ summary: Every class\\nSELECT DISTINCT ?c WHERE { ?s a ?c }")
    >>> query.name, query.summary, query.params
    ('query', 'Every class', ())

    Raises
    ------
    InputError
        For a malformed YAML header, an unknown parameter type, or an update, ``LOAD`` or
        ``SERVICE`` in the query (naming ``path`` when given).
    """
    header_lines = []
    for line in text.splitlines():
        match = _HEADER_LINE.match(line)
        if match:
            header_lines.append(match.group(1))
        elif line.strip() and not line.startswith("#"):
            break
    try:
        header = yaml.load("\n".join(header_lines), Loader=_SAFE_LOADER) if header_lines else {}
    except yaml.YAMLError:
        header = None
    if header is None and header_lines:
        try:  # again with the pure-Python loader, which places the error on the header's own lines
            header = yaml.safe_load("\n".join(header_lines))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise InputError(
                f"malformed #+ header: {getattr(exc, 'problem', exc)}",
                file=path,
                line=(mark.line + 1) if mark else None,
            ) from None
    header = header or {}
    if not isinstance(header, dict):
        raise InputError("the #+ header must be a YAML mapping", file=path)
    params = []
    for raw in header.get("params") or []:
        try:
            params.append(
                Parameter(
                    name=str(raw["name"]),
                    type=ParameterType(str(raw.get("type", "string"))),
                    default=None if raw.get("default") is None else str(raw["default"]),
                    description=str(raw.get("description", "")),
                )
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise InputError(f"bad parameter declaration {raw!r}: {exc}", file=path) from None
    empty_columns = header.get("empty_columns") or {}
    if not isinstance(empty_columns, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in empty_columns.items()):
        raise InputError("empty_columns must map column names to the reason each is empty", file=path)
    empty_result = header.get("empty_result") or ""
    if not isinstance(empty_result, str):
        raise InputError("empty_result must be a sentence saying why the query has no rows", file=path)
    try:
        check_read_only(text)
    except ForbiddenQueryError as exc:
        raise InputError(exc.reason, file=path, line=exc.line, column=exc.column) from None
    except SparqlSyntaxError:
        pass  # the engine that runs it says what is wrong (the local one refuses it before running)
    return CannedQuery(
        name=name,
        text=text,
        summary=str(header.get("summary", "")).strip(),
        description=str(header.get("description", "")).strip(),
        params=tuple(params),
        example=str(header.get("example", "")).strip(),
        path=path,
        metadata=header,
        empty_columns={k: v.strip() for k, v in empty_columns.items()},
        empty_result=empty_result.strip(),
    )


class Catalogue:
    """The canned queries of a folder, by name."""

    def __init__(self, queries: dict[str, CannedQuery]) -> None:
        self.queries = dict(sorted(queries.items()))

    @classmethod
    def load(cls, directory: str | Path | None = None) -> Catalogue:
        """Read every ``.rq`` file of ``directory`` (by default the project's ``queries/``)."""
        directory = Path(directory) if directory else QUERIES_DIR
        queries = {}
        for path in sorted(directory.glob("*.rq")):
            if not _NAME.match(path.stem):
                raise InputError("query file names are lower-case words joined by '-'", file=path)
            queries[path.stem] = parse_query_file(path)
        return cls(queries)

    def __getitem__(self, name: str) -> CannedQuery:
        """The canned query called ``name``.

        Raises
        ------
        UsageError
            Naming the closest names, or, for something that cannot be a name (SPARQL text, a
            path), the entry points for text and files.

        Examples
        --------
        >>> Catalogue.load()["strategy-tasks"]
        Traceback (most recent call last):
        ...
        kg.errors.UsageError: no canned query named 'strategy-tasks' (did you mean strategy-targets?)
        """
        try:
            return self.queries[name]
        except KeyError:
            pass
        if not _NAME.match(name):
            shown = name if len(name) <= 40 else name[:39] + "…"
            raise UsageError(f"no canned query named {shown!r}: names are lower-case words joined by '-' (SPARQL "
                             "text runs with KnowledgeGraph.sparql(), a .rq file with KnowledgeGraph.query_file() "
                             "or kg query --file)")
        close = difflib.get_close_matches(name, list(self.queries), n=3, cutoff=0.6)
        close += [n for n in self.queries if (name in n or n in name) and n not in close]
        hint = f" (did you mean {', '.join(close[:3])}?)" if close else " (see kg query --list)"
        raise UsageError(f"no canned query named {name!r}{hint}")

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.queries.values())

    def __len__(self) -> int:
        return len(self.queries)

    def __contains__(self, name: object) -> bool:
        return name in self.queries
