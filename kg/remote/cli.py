"""``kg load``: send the build to a SPARQL 1.1 store and check the counts (see :mod:`kg.remote.loader`)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from kg.errors import InputError
from kg.graphs import DEFAULT_BASE_IRI
from kg.remote.loader import LoadCountMismatch, load_dataset

__all__ = ["run"]


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
            timeout=args.timeout,
            retries=args.retries,
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
        print(f"Loaded {len(report.graphs)} graphs into {report.endpoint} in {report.seconds:.1f} s; the counts match.")
    return 0
