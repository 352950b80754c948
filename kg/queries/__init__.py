"""Canned SPARQL queries: the ``.rq`` catalogue, safe parameter binding, local execution and results.

The same file runs three ways with the same results: locally on the Oxigraph store, remotely on any
SPARQL 1.1 endpoint (:mod:`kg.remote`), and from Python as a DataFrame.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox

from kg._sandbox import confine_current_thread
from kg.errors import ParameterError, UsageError
from kg.queries.binding import ParameterType, inject_values
from kg.queries.catalogue import (
    CannedQuery,
    Catalogue,
    Parameter,
    parse_query_file,
    parse_query_text,
)
from kg.queries.guard import ForbiddenQueryError, SparqlSyntaxError, check_read_only
from kg.queries.results import QueryResult

__all__ = [
    "CannedQuery",
    "Catalogue",
    "ForbiddenQueryError",
    "Parameter",
    "ParameterType",
    "QueryResult",
    "SparqlSyntaxError",
    "bind_parameters",
    "check_read_only",
    "inject_values",
    "parse_query_file",
    "parse_query_text",
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


# Local queries run on threads that cannot open network connections (kg._sandbox): even a query
# that got past the parser could not make Oxigraph fetch a URL. The threads exist for nothing else.
_CONFINED = ThreadPoolExecutor(max_workers=2, thread_name_prefix="kg-query", initializer=confine_current_thread)


def _evaluate(store: ox.Store, text: str) -> QueryResult | Exception:
    try:
        return QueryResult.from_solutions(store.query(text, use_default_graph_as_union=True))
    except Exception as exc:  # noqa: BLE001 - handed to the caller's thread
        # A fresh exception: the frames of this one hold pyoxigraph objects bound to this thread.
        return type(exc)(*exc.args)


def run_local(store: ox.Store, text: str, bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None) -> QueryResult:
    """Run a query on the store, the default graph being the union of all graphs.

    Parameters are bound exactly as for a remote endpoint (:func:`inject_values`), so a query gives
    the same results here and there. The query is parsed first (:func:`check_read_only`), and it
    runs on a thread that cannot open network connections.

    Raises
    ------
    UsageError
        For an update, ``SERVICE`` or ``LOAD``, or a syntax error (:class:`SparqlSyntaxError`,
        with line and column).
    """
    text = inject_values(text, bindings or {})
    check_read_only(text)
    result = _CONFINED.submit(_evaluate, store, text).result()
    if isinstance(result, SyntaxError):
        raise UsageError(f"SPARQL syntax error: {str(result).splitlines()[0]}")
    if isinstance(result, Exception):
        raise result
    return result
