"""Talking to SPARQL servers over HTTP (httpx, :mod:`kg.remote.http`): queries
(:mod:`kg.remote.sparql`), and loading named graphs through the Graph Store HTTP Protocol
(:mod:`kg.remote.loader`, over the client in :mod:`kg.remote.graph_store`, with
:mod:`kg.remote.endpoints`, :mod:`kg.remote.credentials` and the check in :mod:`kg.remote.check`),
and comparing two stores' answers (:mod:`kg.remote.compare`).

Names are imported when first used, so that ``import kg`` does not load the HTTP client.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.remote.compare import same_answers
    from kg.remote.credentials import Credentials
    from kg.remote.endpoints import Endpoints
    from kg.remote.graph_store import GraphStore
    from kg.remote.http import USER_AGENT, Auth
    from kg.remote.loader import load_dataset
    from kg.remote.report import (
        DEFAULT_CHUNK_SIZE,
        DEFAULT_PARALLEL,
        STAGING_PREFIX,
        GraphLoad,
        LoadCountMismatch,
        LoadReport,
        MergedValues,
        StagingGraph,
    )
    from kg.remote.sparql import QueryDataset, TruncatedAnswer, query_endpoint

_HOMES = {
    "Credentials": "credentials",
    "Endpoints": "endpoints",
    "GraphStore": "graph_store",
    "USER_AGENT": "http",
    "Auth": "http",
    "load_dataset": "loader",
    "DEFAULT_CHUNK_SIZE": "report",
    "DEFAULT_PARALLEL": "report",
    "STAGING_PREFIX": "report",
    "GraphLoad": "report",
    "LoadCountMismatch": "report",
    "LoadReport": "report",
    "MergedValues": "report",
    "StagingGraph": "report",
    "QueryDataset": "sparql",
    "TruncatedAnswer": "sparql",
    "query_endpoint": "sparql",
    "same_answers": "compare",
}

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_PARALLEL",
    "STAGING_PREFIX",
    "USER_AGENT",
    "Auth",
    "Credentials",
    "Endpoints",
    "GraphLoad",
    "GraphStore",
    "LoadCountMismatch",
    "LoadReport",
    "MergedValues",
    "QueryDataset",
    "StagingGraph",
    "TruncatedAnswer",
    "load_dataset",
    "query_endpoint",
    "same_answers",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'kg.remote' has no attribute {name!r}")
    return getattr(importlib.import_module(f"kg.remote.{home}"), name)
