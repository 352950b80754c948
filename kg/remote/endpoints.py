"""The graph-store, query and update endpoints of a SPARQL 1.1 store.

Examples
--------
>>> Endpoints.derive("http://localhost:7878/store")
Endpoints(graph_store='http://localhost:7878/store', query='http://localhost:7878/query', update='http://localhost:7878/update')
>>> Endpoints.derive("http://localhost:3030/ds/data").query
'http://localhost:3030/ds/query'
>>> Endpoints.derive("http://localhost:8890/sparql-graph-crud-auth")
Endpoints(graph_store='http://localhost:8890/sparql-graph-crud-auth', query='http://localhost:8890/sparql-auth', update='http://localhost:8890/sparql-auth')
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

from kg.errors import UsageError

__all__ = ["Endpoints"]


def _checked_url(url: str, *, option: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.username is not None or parts.password is not None:
        # Never echo the URL: it holds a password.
        raise UsageError(f"{option} must not hold credentials: use KG_USERNAME/KG_PASSWORD or ~/.netrc")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{option} must be an http:// or https:// URL, got {url!r}")
    return url


@dataclass(frozen=True)
class Endpoints:
    """The three endpoints of a store: graph store (GSP), query and update."""

    graph_store: str
    query: str
    update: str | None = None
    """Needed only for chunked loads (the MOVE); ``None`` when it could not be derived."""

    @classmethod
    def derive(cls, graph_store: str, *, query: str | None = None, update: str | None = None) -> Endpoints:
        """Derive the query and update endpoints from the graph-store endpoint where not given.

        Oxigraph ``.../store`` gives ``.../query`` and ``.../update``; Fuseki ``.../<ds>/data``
        gives ``.../<ds>/query`` and ``.../<ds>/update``; GraphDB
        ``.../repositories/<repo>/rdf-graphs/service`` gives ``.../repositories/<repo>`` and
        ``.../repositories/<repo>/statements``; Virtuoso ``/sparql-graph-crud`` gives ``/sparql``
        for both, and ``/sparql-graph-crud-auth`` gives ``/sparql-auth`` (its endpoints for
        authenticated users).

        Raises
        ------
        UsageError
            For a URL that is not http(s), holds credentials, or whose query endpoint cannot be
            derived and was not given.
        """
        _checked_url(graph_store, option="--endpoint")
        parts = urllib.parse.urlsplit(graph_store)
        path = parts.path.rstrip("/")
        derived: tuple[str, str] | None = None
        for suffix, query_path, update_path in (
            ("/sparql-graph-crud-auth", "/sparql-auth", "/sparql-auth"),
            ("/sparql-graph-crud", "/sparql", "/sparql"),
            ("/store", "/query", "/update"),
            ("/data", "/query", "/update"),
            ("/rdf-graphs/service", "", "/statements"),
        ):
            if path.endswith(suffix):
                root = path[: -len(suffix)]
                derived = (root + query_path, root + update_path)
                break

        def at(new_path: str) -> str:
            return urllib.parse.urlunsplit((parts.scheme, parts.netloc, new_path, "", ""))

        if query is None:
            if derived is None:
                raise UsageError(
                    f"cannot derive the query endpoint from {graph_store} (it ends in none of /store, /data, "
                    "/rdf-graphs/service, /sparql-graph-crud[-auth]): give --query-endpoint"
                )
            query = at(derived[0])
        if update is None and derived is not None:
            update = at(derived[1])
        _checked_url(query, option="--query-endpoint")
        if update is not None:
            _checked_url(update, option="--update-endpoint")
        return cls(graph_store, query, update)
