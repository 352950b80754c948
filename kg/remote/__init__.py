"""Talking to SPARQL servers: queries through SPARQLWrapper, and (see :mod:`kg.remote.gsp`) loading
named graphs through the Graph Store HTTP Protocol."""

from kg.remote.sparql import USER_AGENT, query_endpoint

__all__ = ["USER_AGENT", "query_endpoint"]
