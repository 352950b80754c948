"""Warnings about parameters that make a query ask about nothing.

A query whose IRI parameter names nothing in the graph (a typo: ``org/motiee``), whose parameter is
empty, or that reads an empty named graph runs, and returns no rows: that reads as "the graph has
no answer" when the question was mistyped. These checks say so. They are ASK queries with the
parameters bound as terms (never pasted into the text), so they run the same on the local store and
on any SPARQL endpoint.

Examples
--------
>>> import pyoxigraph as ox
>>> from kg.queries.catalogue import parse_query_text
>>> store = ox.Store()
>>> store.add(ox.Quad(ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/p"), ox.Literal("x")))
>>> query = parse_query_text("#+ params:\\n#+   - {name: thing, type: iri}\\nSELECT * WHERE { ?thing ?p ?o }")
>>> ask = lambda text: bool(store.query(text, use_default_graph_as_union=True))
>>> parameter_warnings(query, {"thing": "b"}, ask=ask, base="https://example.org/")
['no entity <https://example.org/b> in the graph']
>>> parameter_warnings(query, {"thing": "a"}, ask=ask, base="https://example.org/")
[]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from kg.graphs import GraphNames
from kg.queries.binding import ParameterType, inject_values
from kg.queries.catalogue import CannedQuery

__all__ = ["Ask", "Check", "parameter_checks", "parameter_warnings"]

Ask = Callable[[str], bool]
"""Runs an ASK query (the default graph being the union of the named graphs) and returns its answer."""

_MENTIONED = "ASK { { ?term ?p ?o } UNION { ?s ?p ?term } UNION { ?s ?term ?o } UNION { GRAPH ?term { ?s ?p ?o } } }"
_FILLED = "ASK { GRAPH ?term { ?s ?p ?o } }"


@dataclass(frozen=True)
class Check:
    """One thing that may be wrong with a parameter: ``warning`` holds when ``ask`` answers false
    (or always, when there is nothing to ask)."""

    warning: str
    ask: str | None = None


def parameter_checks(query: CannedQuery, values: Mapping[str, object], *, base: str) -> list[Check]:
    """The checks of the parameters of ``query`` with ``values``, for :func:`parameter_warnings`
    or for a client that runs the ASK queries itself (the query page).

    Parameters
    ----------
    query
        The query with its declared parameters.
    values
        The values given (declared defaults fill the others, as when the query runs).
    base
        The base IRI that relative IRI values resolve against.

    Raises
    ------
    ParameterError
        For a value that cannot be bound (as running the query would).
    """
    checks: list[Check] = []
    for parameter in query.params:
        given = values.get(parameter.name)
        raw = given if given is not None else parameter.default
        if raw is None:
            continue
        if given is not None and str(given).strip() == "":
            checks.append(Check(f"parameter {parameter.name!r} is empty"))
            continue
        if parameter.type is ParameterType.IRI:
            term = parameter.type.to_term(str(raw), base=base)
            checks.append(Check(f"no entity {term} in the graph", inject_values(_MENTIONED, {"term": term})))
        elif parameter.type is ParameterType.GRAPH:
            term = parameter.type.to_term(str(raw), base=base)
            if term.value == GraphNames(base).analysis:
                warning = (f"the analysis graph {term} is empty: run `kg build` (it computes the network metrics "
                           "and writes them there)")
            else:
                warning = f"the named graph {term} is empty"
            checks.append(Check(warning, inject_values(_FILLED, {"term": term})))
    return checks


def parameter_warnings(query: CannedQuery, values: Mapping[str, object], *, ask: Ask, base: str) -> list[str]:
    """What is wrong with the parameters of ``query`` on this graph, one sentence each.

    ``ask`` runs an ASK query on the graph the query runs on; the other parameters are those of
    :func:`parameter_checks`.
    """
    return [check.warning for check in parameter_checks(query, values, base=base)
            if check.ask is None or not ask(check.ask)]
