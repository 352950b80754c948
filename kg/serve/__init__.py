"""``kg serve``: a build served read-only on 127.0.0.1, with a query page for the canned queries.

A real SPARQL server answers: ``oxigraph serve-read-only`` (from the ``oxigraph`` package) on an
internal loopback port, over a store written into a temporary directory. In front of it, a small
standard-library server on the public port serves the page (``kg/serve/static/``) and the canned
queries as JSON, and forwards only read queries on ``/query``: no update endpoint is exposed.
"""

from kg.serve.server import Server, serve

__all__ = ["Server", "serve"]
