"""``kg load`` (send the build to a SPARQL 1.1 store and check the counts, see :mod:`kg.remote.loader`)
and ``kg query --endpoint`` (a canned query on a remote endpoint, see :mod:`kg.remote.sparql`)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from kg.errors import InputError, UsageError
from kg.graphs import DEFAULT_BASE_IRI
from kg.queries.catalogue import CannedQuery
from kg.queries.results import QueryResult
from kg.remote.http import Auth, HttpClient
from kg.remote.loader import load_dataset
from kg.remote.report import LoadCountMismatch
from kg.remote.sparql import QueryDataset, list_graphs

__all__ = ["remote_query", "run"]


def run(args: argparse.Namespace) -> int:
    """Run ``kg load`` with the arguments ``kg.cli.build_parser`` defines; return the exit code."""
    data = Path(args.data)
    if not data.is_file():
        hint = ": run `kg build` first, or give --data" if data == Path("build") / "kg.trig" else ""
        raise InputError(f"no dataset file here{hint}", file=data)
    # Retries are worth seeing on the terminal; the records never hold credentials.
    handler: logging.Handler = logging.NullHandler() if args.quiet else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("kg load: %(message)s"))
    logger = logging.getLogger("kg.remote")
    logger.addHandler(handler)
    try:
        report = load_dataset(
            data,
            endpoint=args.endpoint,
            query_endpoint=args.query_endpoint,
            update_endpoint=args.update_endpoint,
            graphs=args.graph or None,
            chunk_size=args.chunk_size,
            parallel=args.parallel,
            timeout=args.timeout,
            retries=args.retries,
            auth=Auth(args.auth),
            allow_insecure=args.allow_insecure,
            base_iri=args.base_iri or DEFAULT_BASE_IRI,
        )
    except LoadCountMismatch as exc:
        if not args.quiet:
            print(exc.report.text())
        raise
    finally:
        logger.removeHandler(handler)
    if not args.quiet:
        print(report.text())
        merged = sum(g.merged_triples for g in report.graphs)
        but = f", but for {merged} triple{'s' if merged != 1 else ''} the store merged (see above)" if merged else ""
        print(f"Loaded {len(report.graphs)} graphs into {report.endpoint} in {report.seconds:.1f} s; the counts "
              f"match{but}.")
    return 0


def remote_query(args: argparse.Namespace, query: str | CannedQuery, params: dict[str, object]) -> QueryResult:
    """Run ``kg query NAME --endpoint URL``: the canned query (or file) with its parameters bound as
    RDF terms (:func:`kg.run_on_endpoint`), on the dataset ``--default-graph``, ``--named-graph`` or
    ``--kg-graphs`` give."""
    import kg

    base = args.base_iri or DEFAULT_BASE_IRI
    dataset = None
    if args.kg_graphs:
        if args.default_graph or args.named_graph:
            raise UsageError("give --kg-graphs, or --default-graph and --named-graph, not both")
        with HttpClient(timeout=args.timeout, retries=0, auth=Auth(args.auth)) as client:
            graphs = list_graphs(client, args.endpoint, prefix=base + "graph/")
        if not graphs:
            raise UsageError(f"the endpoint has no graph under {base}graph/: load the knowledge graph first "
                             "(kg load), or give --base-iri")
        dataset = QueryDataset.union_of(graphs)
    elif args.default_graph or args.named_graph:
        dataset = QueryDataset(tuple(args.default_graph), tuple(args.named_graph))
    return kg.run_on_endpoint(args.endpoint, query, params, base_iri=base, timeout=args.timeout, dataset=dataset,
                              auth=Auth(args.auth))
