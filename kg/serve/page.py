"""What the query page asks the server besides queries: how to write IRIs compactly, and which
parameters of a canned query ask about nothing.

Plain functions from request parameters to JSON, whatever serves them (the front server routes
``GET /api/context`` and ``GET /api/checks`` here), so the page and ``kg query`` give the same
warnings: the page runs the ASK queries of the checks through ``/query`` like any other query.

Examples
--------
>>> from kg.queries import Catalogue
>>> status, body = checks_json(Catalogue.load(), {"name": "supervised-bodies", "ministry": "org/motiee"},
...                            base="https://w3id.org/kikg/id/")
>>> status, body["checks"][0]["warning"]
(200, 'no entity <https://w3id.org/kikg/id/org/motiee> in the graph')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kg.errors import KGError
from kg.queries import Catalogue
from kg.queries.checks import parameter_checks
from kg.vocabularies import PREFIXES

__all__ = ["checks_json", "context_json"]


def context_json(*, base: str) -> dict[str, Any]:
    """The base IRI of the data and the prefixes of compact names (as :func:`kg.tables.compact_iri` writes them)."""
    return {"base": base, "prefixes": PREFIXES}


def checks_json(catalogue: Catalogue, values: Mapping[str, str], *, base: str) -> tuple[int, dict[str, Any]]:
    """The checks of a canned query's parameters: ``values`` holds ``name`` (the query) and the
    parameter values as the page sends them. An empty field stands for a value left out (as in
    ``/api/bind``), and is said so: the default is used, or the query runs without it. Returns the
    HTTP status and the body: ``{"checks": [{"warning", "ask"}...]}`` (an ``ask`` of ``null``
    always holds), or ``{"error": ...}`` with 400 for an unknown query or a value that cannot be
    bound."""
    given = dict(values)
    name = given.pop("name", "")
    try:
        query = catalogue[name]
        empty = [p for p in query.params if p.name in given and given[p.name].strip() == ""]
        checks = parameter_checks(query, {k: v for k, v in given.items() if v.strip() != ""}, base=base)
    except KGError as exc:
        return 400, {"error": str(exc)}
    notes = [{"warning": f"parameter {p.name!r} is empty: " + (f"its default {p.default} is used" if p.default is not None
                                                               else "the query runs without it"), "ask": None}
             for p in empty]
    return 200, {"checks": notes + [{"warning": c.warning, "ask": c.ask} for c in checks]}
