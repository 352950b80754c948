"""Canned SPARQL queries: the ``.rq`` catalogue, safe parameter binding, local execution and results.

The same file runs three ways with the same results: locally on the Oxigraph store, remotely on any
SPARQL 1.1 endpoint (:mod:`kg.remote`), and from Python as a DataFrame.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

from kg.errors import ParameterError, UsageError
from kg.queries.binding import ParameterType, find_forbidden_keyword, inject_values
from kg.queries.catalogue import CannedQuery, Catalogue, Parameter, parse_query_file
from kg.queries.results import QueryResult

__all__ = [
    "CannedQuery",
    "Catalogue",
    "Parameter",
    "ParameterType",
    "QueryResult",
    "bind_parameters",
    "inject_values",
    "parse_query_file",
    "run_local",
]


def bind_parameters(query: CannedQuery, values: Mapping[str, object], *, base: str) -> dict[str, ox.NamedNode | ox.Literal]:
    """Turn parameter values (and the declared defaults) into RDF terms.

    Values may be strings, numbers or booleans; each is parsed by the parameter's declared type.

    Raises
    ------
    ParameterError
        For an unknown parameter or a value of the wrong type.
    """
    known = {p.name for p in query.params}
    for name in values:
        if name not in known:
            raise ParameterError(
                f"query {query.name!r} has no parameter {name!r} (it has: {', '.join(sorted(known)) or 'none'})"
            )
    terms: dict[str, ox.NamedNode | ox.Literal] = {}
    for parameter in query.params:
        raw = values.get(parameter.name, parameter.default)
        if raw is None:
            continue
        text = str(raw).lower() if isinstance(raw, bool) else str(raw)
        try:
            terms[parameter.name] = parameter.type.to_term(text, base=base)
        except ParameterError as exc:
            raise ParameterError(f"parameter {parameter.name!r}: {exc}") from None
    return terms


def run_local(store: ox.Store, text: str, bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None) -> QueryResult:
    """Run a query on the store, the default graph being the union of all graphs.

    Parameters are bound exactly as for a remote endpoint (:func:`inject_values`), so a query gives
    the same results here and there.

    Raises
    ------
    UsageError
        For an update, ``SERVICE`` or ``LOAD``, or a syntax error.
    """
    keyword = find_forbidden_keyword(text)
    if keyword:
        raise UsageError(f"only read queries run here: {keyword} is not allowed")
    try:
        solutions = store.query(inject_values(text, bindings or {}), use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise UsageError(f"SPARQL syntax error: {str(exc).splitlines()[0]}") from None
    return QueryResult.from_solutions(solutions)
