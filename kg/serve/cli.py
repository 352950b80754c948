"""``kg serve``: serve the build read-only until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from kg.errors import InputError
from kg.graphs import DEFAULT_BASE_IRI
from kg.serve.server import serve

__all__ = ["run"]


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    """Run ``kg serve`` with the arguments ``kg.cli.build_parser`` defines; return the exit code."""
    data = Path(args.data)
    if not data.is_file():
        hint = ": run `kg build` first, or give --data" if data == Path("build") / "kg.trig" else ""
        raise InputError(f"no dataset file here{hint}", file=data)
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if in_main_thread else None
    try:
        with serve(data, port=args.port, base_iri=args.base_iri or DEFAULT_BASE_IRI, query_timeout=args.timeout,
                   max_answer_bytes=int(args.max_answer_mb * (1 << 20))) as server:
            print(f"Serving {data} ({server.triples} triples in {server.graphs} graphs), read-only")
            print(f"  query page:       {server.url}")
            print(f"  SPARQL endpoint:  {server.query_url}")
            print(f"  limits:           {args.timeout:g} s a query, {args.max_answer_mb:g} MiB an answer")
            print("Press Ctrl-C to stop.", flush=True)
            server.wait()
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: the with block has stopped both servers
        if not args.quiet:
            print("Stopped; the temporary store is removed.", file=sys.stderr)
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
    return 0
