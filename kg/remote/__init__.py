"""Talking to SPARQL servers: queries through SPARQLWrapper (:mod:`kg.remote.sparql`), and loading
named graphs through the Graph Store HTTP Protocol (:mod:`kg.remote.loader`, over the client in
:mod:`kg.remote.graph_store`, with :mod:`kg.remote.endpoints` and :mod:`kg.remote.credentials`)."""

from kg.remote.credentials import Credentials
from kg.remote.endpoints import Endpoints
from kg.remote.graph_store import GraphStore
from kg.remote.loader import (
    DEFAULT_CHUNK_SIZE,
    GraphLoad,
    LoadCountMismatch,
    LoadReport,
    load_dataset,
)
from kg.remote.sparql import USER_AGENT, query_endpoint

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "USER_AGENT",
    "Credentials",
    "Endpoints",
    "GraphLoad",
    "GraphStore",
    "LoadCountMismatch",
    "LoadReport",
    "load_dataset",
    "query_endpoint",
]
