"""``kg serve``: a build served read-only on 127.0.0.1, with a query page for the canned queries.

A real SPARQL server answers: ``oxigraph serve-read-only`` (from the ``oxigraph`` package) on an
internal loopback port, over a store written into a temporary directory, unable to open outgoing
connections. In front of it, uvicorn on the public port serves the page (``kg/serve/static/``)
and the canned queries as JSON, and forwards only parsed read queries on ``/query``, within the
:class:`Limits` of time, size and connections: no update endpoint is exposed.
"""

from kg.serve.front import Limits
from kg.serve.server import Server, remove_stale_stores, serve

__all__ = ["Limits", "Server", "remove_stale_stores", "serve"]
