"""Talking to SPARQL servers: queries through SPARQLWrapper (:mod:`kg.remote.sparql`), and loading
named graphs through the Graph Store HTTP Protocol (:mod:`kg.remote.gsp`)."""

from kg.remote.gsp import (
    DEFAULT_CHUNK_SIZE,
    Credentials,
    Endpoints,
    GraphLoad,
    GraphStore,
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
