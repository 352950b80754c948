"""The exception tree of the toolkit.

Every error the toolkit raises on purpose derives from :class:`KGError`. Each class carries the
process exit code the ``kg`` command uses for it, so the CLI maps errors to codes in one place:

* ``0``: success;
* ``1``: the data does not conform, the ontology is inconsistent, or a server answered with an error;
* ``2``: bad input or usage (a one-line reason naming the file, row and column where there is one).

Examples
--------
>>> err = InputError("unknown datatype 'decimel'", file="tables.json", line=3, column=17)
>>> print(err)
tables.json: line 3, column 17: unknown datatype 'decimel'
>>> err.exit_code
2
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "InconsistentOntologyError",
    "InputError",
    "KGError",
    "LiteralFormWarning",
    "NotConformingError",
    "ParameterError",
    "QueryWarning",
    "RemoteError",
    "ShapesError",
    "UsageError",
]


class KGError(Exception):
    """Root of every error the toolkit raises on purpose."""

    exit_code: int = 1


class InputError(KGError):
    """Bad input: a file that cannot be read, parsed or mapped.

    Parameters
    ----------
    reason
        What is wrong, in one line.
    file
        The file that holds the problem.
    row, column
        For tables: the row number (the header is row 1, as in a spreadsheet) and the column name.
    line
        For text formats: the line number; ``column`` is then the character position in the line.
    """

    exit_code = 2

    def __init__(
        self,
        reason: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | int | None = None,
        line: int | None = None,
    ) -> None:
        self.reason = reason
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.line = line
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column!r}" if isinstance(self.column, str) else f"column {self.column}")
        location = ", ".join(where)
        parts = [p for p in (self.file, location) if p]
        prefix = ": ".join(parts)
        return f"{prefix}: {self.reason}" if prefix else self.reason


class ShapesError(InputError):
    """A shapes graph that is ill-formed, or that asks for what the validator refuses.

    Refused on purpose: ``SERVICE`` and dataset clauses (no shapes graph makes the validator reach
    the network), SHACL-JavaScript, the SHACL-SPARQL pre-binding restrictions, recursive shapes.
    """


class UsageError(KGError):
    """The command or function was called wrongly (unknown name, conflicting options)."""

    exit_code = 2


class ParameterError(UsageError):
    """A query parameter value was refused (wrong type, invalid IRI, unknown parameter)."""


class NotConformingError(KGError):
    """The data violates the shapes (``sh:Violation`` results)."""

    exit_code = 1


class InconsistentOntologyError(KGError):
    """The reasoner found the ontology with the data inconsistent, or a class unsatisfiable."""

    exit_code = 1


class RemoteError(KGError):
    """A SPARQL server answered with an error, or could not be reached."""

    exit_code = 1

    def __init__(self, reason: str, *, status: int | None = None, url: str | None = None) -> None:
        self.status = status
        self.url = url
        super().__init__(reason)


class QueryWarning(UserWarning):
    """A query ran, but with a parameter that asks about nothing: an IRI that names nothing in the
    graph, an empty value, an empty named graph. (A warning, not an error: the query is valid.)"""


class LiteralFormWarning(UserWarning):
    """Typed literals of a file read into a store are held in their canonical form: Oxigraph keeps
    the value, not the lexical form (``"1.50"^^xsd:decimal`` is held as ``"1.5"``, ``"5"^^xsd:byte``
    as ``"5"^^xsd:integer``), so queries, exports and loads see the canonical form. (Validation of a
    file reads it without a store and sees the lexical forms as written.)"""
