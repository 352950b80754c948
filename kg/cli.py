"""The ``kg`` command: a thin layer over the library.

Exit codes: 0 success; 1 the data does not conform, the ontology is inconsistent, or a server
answered with an error; 2 bad input or usage, with a one-line reason. No traceback unless
``--debug``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from kg._version import __version__
from kg.errors import KGError, LiteralFormWarning, UsageError
from kg.network.graphs import NETWORK_FILES

__all__ = ["main"]


def _progress(args: argparse.Namespace, total: int):  # type: ignore[no-untyped-def]
    from kg.progress import SILENT, TerminalProgress

    if getattr(args, "quiet", False) or not sys.stderr.isatty():
        return SILENT
    return TerminalProgress(total)


def _width() -> int:
    from kg.tables import terminal_width

    return terminal_width(sys.stdout)


def _load_graph(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The dataset a command works on: ``--data`` if given, else ``build/kg.trig`` if present, else
    the shipped tables built in memory."""
    import kg

    data = getattr(args, "data", None)
    if data:
        return kg.read(data, base_iri=args.base_iri or kg.DEFAULT_BASE_IRI)
    default = Path("build") / "kg.trig"
    if default.is_file() and not getattr(args, "sources", None):
        from kg.store_cache import read_cached

        return kg.KnowledgeGraph(read_cached(default, base_iri=args.base_iri or kg.DEFAULT_BASE_IRI))
    return kg.build(getattr(args, "sources", None), base_iri=args.base_iri)


# -- commands ---------------------------------------------------------------------------------


def cmd_build(args: argparse.Namespace) -> int:
    from kg.dataset import RdfFormat
    from kg.pipeline import STEPS, Reasoning, run_build

    formats = tuple(RdfFormat(f) for f in args.format)
    reasoning = Reasoning.OFF if args.no_reason else (Reasoning.ON if args.reason else Reasoning.AUTO)
    summary = run_build(
        args.out, sources=args.sources, base_iri=args.base_iri, formats=formats, reasoning=reasoning,
        progress=_progress(args, STEPS),
    )
    from kg.store_cache import write_cache

    # The store that later commands open instead of parsing kg.trig (see kg.store_cache).
    write_cache(summary.graph.dataset, Path(args.out) / "kg.trig", base_iri=summary.graph.base_iri)
    if not args.quiet:
        print(summary.text())
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    import kg
    from kg.validation import Engine

    engine = Engine(args.engine)
    base = args.base_iri or kg.DEFAULT_BASE_IRI
    if args.data:
        report = kg.validate(args.data, shapes=args.shapes or None, engine=engine, base_iri=base)
    else:
        if args.shapes:
            raise UsageError("--shapes needs DATA files to validate")
        report = kg.build(args.sources, base_iri=args.base_iri).validate(engine=engine)
    if args.quiet:  # otherwise the report's text names them
        for handover in report.handovers:
            print(f"kg validate: note: {handover.text()}", file=sys.stderr)
    if args.csv:
        from kg.outputs import atomic_write

        atomic_write(args.csv, report.to_csv().encode())
    if args.report:
        from kg.outputs import atomic_write

        atomic_write(args.report, report.turtle())
    if not args.quiet:
        # The report keeps its own rule for now: cut to the terminal only on a terminal (COLUMNS aside).
        width = shutil.get_terminal_size((120, 40)).columns if sys.stdout.isatty() else 1_000_000
        print(report.to_text(width=width, limit=None if args.limit == 0 else args.limit,
                             allow_warnings=args.allow_warnings))
    return 0 if report.passes(allow_warnings=args.allow_warnings) else 1


def _parse_params(values: Sequence[str]) -> dict[str, object]:
    params: dict[str, object] = {}
    for item in values:
        if "=" not in item:
            raise UsageError(f"--param takes NAME=VALUE, got {item!r}")
        name, value = item.split("=", 1)
        params[name.strip()] = value
    return params


def cmd_query(args: argparse.Namespace) -> int:
    from kg.queries import Catalogue

    if args.list:
        catalogue = Catalogue.load()
        for query in catalogue:
            described = ", ".join(
                f"{p.name}:{p.type.value}" + (f"={p.default}" if p.default is not None else "") for p in query.params
            )
            print(f"{query.name}\n    {query.summary}" + (f"\n    params: {described}" if described else ""))
        return 0
    if args.file and args.name:
        raise UsageError("give a query NAME or --file FILE, not both")
    if not args.file and not args.name:
        raise UsageError("give a query NAME, --file FILE or --list")
    from kg.queries import parse_query_file

    query = parse_query_file(args.file) if args.file else args.name
    params = _parse_params(args.param)
    if args.endpoint:
        from kg.graphs import DEFAULT_BASE_IRI
        from kg.remote.cli import remote_query

        base = args.base_iri or DEFAULT_BASE_IRI
        result = remote_query(args, query, params)
    else:
        graph = _load_graph(args)
        base = graph.base_iri
        result = graph.run_query(query, params)
    for warning in result.warnings:
        print(f"kg query: warning: {warning}", file=sys.stderr)
    if args.format == "csv":
        sys.stdout.write(result.to_delimited())
    elif args.format == "tsv":
        sys.stdout.write(result.to_delimited(delimiter="\t"))
    elif args.format == "json":
        sys.stdout.write(result.to_json() + "\n")
    else:
        print(result.to_text(width=_width(), limit=None if args.limit == 0 else args.limit, base=base))
    return 0


def _read_projection_query(path: Path) -> str:
    from kg.errors import InputError

    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError(f"cannot read the projection query: {reason}", file=path) from None


def _query_file_error(exc: UsageError, path: Path) -> KGError:
    """The error of a projection query, pointing at the file (and line and column when known)."""
    import re

    from kg.errors import InputError

    message = str(exc).removeprefix("projection query: ")
    where = re.match(r"error at (\d+):(\d+): (.*)", message)
    if where:
        return InputError(where.group(3), file=path, line=int(where.group(1)), column=int(where.group(2)))
    return InputError(message, file=path)


def cmd_network(args: argparse.Namespace) -> int:
    from kg.network import (
        DEFAULT_METRICS,
        Colouring,
        NetworkEngine,
        Projection,
        centrality_frame,
        network_files,
        parse_metrics,
        projection_query,
        top_actors,
    )
    from kg.outputs import OutputStage

    projection = Projection(args.projection)
    query_path = Path(args.query_file) if args.query_file else None
    query = _read_projection_query(query_path) if query_path else None
    if args.show_query:
        sys.stdout.write(query or projection_query(projection))
        return 0
    metrics = parse_metrics(args.metrics.split(",")) if args.metrics else DEFAULT_METRICS
    if args.top < 0:
        raise UsageError(f"--top must be 0 or more, got {args.top}")
    if args.outputs and not args.out:
        raise UsageError("--output chooses the files written with --out; give --out DIR too")
    graph = _load_graph(args)
    try:
        network = graph.network(projection=projection, query=query)
    except UsageError as exc:
        if query_path is None:
            raise
        raise _query_file_error(exc, query_path) from None
    frame = centrality_frame(network, metrics=metrics, betweenness_samples=args.betweenness_samples,
                             engine=NetworkEngine(args.engine))
    ranking = top_actors(frame, by=args.sort, n=args.top)
    if not args.quiet:
        print(f"{network.number_of_nodes()} nodes, {network.number_of_edges()} edges ({projection.value} projection"
              f"{', own query' if query else ''}; engine {frame.attrs['parameters']['engine']}); "
              f"top {len(ranking.table)} by {ranking.metric}:")
        print(ranking.to_text(width=_width()))
    if args.out:
        files = network_files(network, frame, outputs=args.outputs, colour_by=Colouring(args.colour_by),
                              size_by=ranking.metric)
        with OutputStage(args.out) as stage:
            for name, data in files.items():
                stage.write(name, data)
        if not args.quiet:
            print(f"Wrote {', '.join(sorted(files))} to {args.out}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from importlib.metadata import PackageNotFoundError, version

    from kg._resources import ONTOLOGY_DIR, QUERIES_DIR, SHAPES_DIR, SOURCES_DIR
    from kg.mapping import load_table_group
    from kg.queries import Catalogue

    print(f"kikg {__version__} (import name kg)")
    for package in ("rdflib", "pyoxigraph", "oxigraph", "pyshacl", "owlready2", "networkx", "pandas", "httpx"):
        try:
            print(f"  {package:<14}{version(package)}")
        except PackageNotFoundError:
            print(f"  {package:<14}not installed")
    group = load_table_group(SOURCES_DIR / "csv-metadata.json")
    print(f"ontology: {ONTOLOGY_DIR}")
    print(f"shapes:   {SHAPES_DIR}")
    print(f"queries:  {QUERIES_DIR} ({len(Catalogue.load())} canned queries)")
    print(f"sources:  {SOURCES_DIR} ({len(group.tables)} tables, base IRI {group.base})")
    print(f"java:     {shutil.which('java') or 'not found (the HermiT consistency check is skipped)'}")
    return 0


def _subcommand(name: str) -> Callable[[argparse.Namespace], int]:
    # load, serve and docs live in their own modules, imported only when used.
    def run(args: argparse.Namespace) -> int:
        module = {"load": "kg.remote.cli", "serve": "kg.serve.cli", "docs": "kg.docs"}[name]
        import importlib

        return int(importlib.import_module(module).run(args))

    return run


# -- parser -----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``kg``."""
    parser = argparse.ArgumentParser(
        prog="kg",
        description="Korean industrial policy knowledge graph: build, validate, query and analyse it.",
        epilog="Exit codes: 0 ok; 1 data does not conform, inconsistent ontology or server error; 2 bad input or usage.",
    )
    parser.add_argument("--version", action="version", version=f"kikg {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(sub: argparse.ArgumentParser, *, data: bool = False) -> None:
        sub.add_argument("--debug", action="store_true", help="show tracebacks", default=argparse.SUPPRESS)
        sub.add_argument("--quiet", "-q", action="store_true", help="no progress, less output")
        sub.add_argument("--base-iri", help="base IRI of the data (default: the metadata's @base)")
        if data:
            sub.add_argument("--data", help="a dataset file (TriG, N-Quads, Turtle...); default build/kg.trig if present, "
                                            "else the shipped tables built in memory")
            sub.add_argument("--sources", help="CSVW table-group metadata to build from instead")

    build = commands.add_parser("build", help="build the knowledge graph and all outputs",
                                description="Map the source tables, check, analyse and write everything under --out.")
    common(build)
    build.add_argument("--sources", help="CSVW table-group metadata (default: the shipped tables)")
    build.add_argument("--out", default="build", help="output directory (default: build)")
    build.add_argument("--format", action="append", default=[], choices=["nquads", "jsonld"],
                       help="also write kg.nq or kg.jsonld (repeatable)")
    reason = build.add_mutually_exclusive_group()
    reason.add_argument("--reason", action="store_true", help="require the HermiT consistency check")
    reason.add_argument("--no-reason", action="store_true", help="skip the HermiT consistency check")
    build.set_defaults(run=cmd_build)

    validate = commands.add_parser(
        "validate", help="validate data against shapes (SHACL Core and SHACL-SPARQL)",
        description="Validate DATA (RDF files: Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML) against --shapes, "
                    "or, without --shapes, against the project's shapes (with its ontology); without DATA, the "
                    "shipped tables. Nothing is fetched: SERVICE and other network reach in shapes is refused.",
        epilog="Exit codes: 0 conforms (or only warnings and infos with --allow-warnings); 1 does not conform; "
               "2 bad input or shapes the validator refuses.")
    common(validate)
    validate.add_argument("data", nargs="*", metavar="DATA", help="RDF files whose union is the data graph")
    validate.add_argument("--shapes", action="append", default=[], metavar="SHAPES",
                          help="a shapes file or folder (repeatable; default: the project's shapes/)")
    validate.add_argument("--sources", help="CSVW table-group metadata to build and validate (without DATA)")
    validate.add_argument("--engine", choices=["oxigraph", "pyshacl"], default="oxigraph",
                          help="oxigraph (default; hands what it does not implement to pySHACL) or pyshacl alone")
    validate.add_argument("--allow-warnings", action="store_true",
                          help="exit 0 when the only results are warnings and infos (the report still says "
                               "sh:conforms false)")
    validate.add_argument("--csv", help="write the report table to this CSV file")
    validate.add_argument("--report", help="write the sh:ValidationReport to this Turtle file")
    validate.add_argument("--limit", type=int, default=50, help="rows shown on the terminal (0: all)")
    validate.set_defaults(run=cmd_validate)

    query = commands.add_parser("query", help="run a canned query or your own",
                                description="Run a canned query locally or on a SPARQL endpoint.")
    common(query, data=True)
    query.add_argument("name", nargs="?", help="name of a canned query (see --list)")
    query.add_argument("--list", action="store_true", help="list the canned queries with their parameters")
    query.add_argument("--file", help="run your own .rq file")
    query.add_argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE", help="a parameter (repeatable)")
    query.add_argument("--endpoint", help="a SPARQL 1.1 query endpoint to run the query on")
    query.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the endpoint")
    query.add_argument("--default-graph", action="append", default=[], metavar="IRI",
                       help="with --endpoint: a graph of the default graph (repeatable; default: the endpoint's)")
    query.add_argument("--named-graph", action="append", default=[], metavar="IRI",
                       help="with --endpoint: a graph GRAPH patterns see (repeatable; default: the endpoint's)")
    query.add_argument("--kg-graphs", action="store_true",
                       help="with --endpoint: query only the knowledge graph's graphs on the endpoint (BASE/graph/...), "
                            "leaving out the store's own (Virtuoso's system graphs)")
    query.add_argument("--auth", choices=["auto", "basic", "digest"], default="auto",
                       help="with --endpoint: how KG_USERNAME/KG_PASSWORD are sent (default: Basic, Digest when asked)")
    query.add_argument("--format", "-f", choices=["table", "csv", "tsv", "json"], default="table")
    query.add_argument("--limit", type=int, default=100, help="rows shown in table format (0: all)")
    query.set_defaults(run=cmd_query)

    network = commands.add_parser(
        "network", help="network metrics of the collaboration links",
        description="Project the graph to a network (SPARQL), compute centrality metrics and communities, "
                    "print the top actors and write centrality.csv, network.graphml, network.gexf and network.png.",
        epilog="Exit codes: 0 ok; 2 bad input (an unreadable or invalid --query-file, an unknown metric...).")
    common(network, data=True)
    network.add_argument("--projection", choices=["collaboration", "directed", "bipartite", "actors-via-policies"],
                         default="collaboration", help="which network (default: collaboration)")
    network.add_argument("--query-file", help="your own projection query: a SELECT of ?source ?target ?type "
                                              "[?via ?mutual ?year ?document] (bipartite: ?actor ?thing)")
    network.add_argument("--show-query", action="store_true", help="print the projection query and exit")
    network.add_argument("--metrics", help="comma-separated: degree,weighted_degree,betweenness,closeness,"
                                           "eigenvector,pagerank,core_number,community (default: all)")
    network.add_argument("--engine", choices=["auto", "networkx", "igraph"], default="auto",
                         help="auto (default: igraph where installed, communities by networkx), networkx or "
                              "igraph: the same values, igraph much faster on large graphs")
    network.add_argument("--betweenness-samples", type=int, metavar="K",
                         help="approximate betweenness from K sampled sources (column betweenness_approx)")
    network.add_argument("--top", type=int, default=10, help="actors shown (default 10)")
    network.add_argument("--sort", choices=["degree", "weighted_degree", "betweenness", "closeness", "eigenvector",
                                            "pagerank", "core_number", "community"],
                         help="metric the top actors are ranked by (default: betweenness, else the first metric)")
    network.add_argument("--out", help="write output files to this directory")
    network.add_argument("--output", dest="outputs", action="append", choices=list(NETWORK_FILES), default=None,
                         help="which files to write with --out (repeatable; default: all)")
    network.add_argument("--colour-by", choices=["community", "type"], default="community",
                         help="what the node colours of network.png show (default: community)")
    network.set_defaults(run=cmd_network)

    load = commands.add_parser(
        "load", help="load the build into a SPARQL 1.1 store (Graph Store Protocol)",
        description="Send each named graph with PUT (atomic replace), then check the triple counts on the server. "
                    "Credentials come from KG_USERNAME/KG_PASSWORD or ~/.netrc, never from the command line.")
    common(load)
    load.add_argument("--endpoint", required=True,
                      help="the store's graph-store endpoint (Oxigraph http://host:port/store, Fuseki "
                           "http://host:port/ds/data, Virtuoso http://host:8890/sparql-graph-crud-auth)")
    load.add_argument("--query-endpoint", help="the store's query endpoint, where it cannot be derived")
    load.add_argument("--update-endpoint", help="the store's update endpoint (for chunked loads), where it cannot be derived")
    load.add_argument("--data", default=str(Path("build") / "kg.trig"), help="dataset file to load (default build/kg.trig)")
    load.add_argument("--graph", action="append", default=[], help="load only this named graph (repeatable)")
    load.add_argument("--chunk-size", type=int, default=200_000, help="triples per request for large graphs")
    load.add_argument("--parallel", type=int, default=2, help="requests sent at the same time, each on its own connection (default 2)")
    load.add_argument("--timeout", type=float, default=120.0, help="seconds per request")
    load.add_argument("--retries", type=int, default=3, help="retries on timeouts and 5xx answers")
    load.add_argument("--auth", choices=["auto", "basic", "digest"], default="auto",
                      help="how credentials are sent (default auto: Basic where it may go, Digest when the store asks)")
    load.add_argument("--allow-insecure", action="store_true", help="allow Basic credentials over plain http")
    load.set_defaults(run=_subcommand("load"))

    serve = commands.add_parser(
        "serve", help="serve the build read-only with a query page",
        description="Start a read-only Oxigraph SPARQL server on 127.0.0.1 with a query page offering the canned queries.")
    common(serve)
    serve.add_argument("--port", type=int, default=7878, help="port on 127.0.0.1 (default 7878; 0 picks a free one)")
    serve.add_argument("--data", default=str(Path("build") / "kg.trig"), help="dataset file to serve (default build/kg.trig)")
    serve.add_argument("--timeout", type=float, default=60.0, help="seconds a query may run (default 60)")
    serve.add_argument("--max-answer-mb", type=float, default=64.0, help="largest answer in MiB (default 64)")
    serve.set_defaults(run=_subcommand("serve"))

    docs = commands.add_parser("docs", help="render the ontology documentation (pyLODE)")
    common(docs)
    docs.add_argument("--out", default=str(Path("build") / "docs"), help="output directory (default build/docs)")
    docs.set_defaults(run=_subcommand("docs"))

    info = commands.add_parser("info", help="versions and where the data files are")
    common(info)
    info.set_defaults(run=cmd_info)
    return parser


def _show_warning(command: str) -> Callable[..., None]:
    """Warnings as one line each on stderr: ``kg COMMAND: warning: ...``."""

    def show(message: Warning | str, category: type[Warning], *_: object, **__: object) -> None:
        print(f"kg {command}: warning: {message}", file=sys.stderr)

    return show


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kg``; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    debug = getattr(args, "debug", False) or os.environ.get("KG_DEBUG") == "1"
    # A shell script starts background jobs with SIGINT ignored, and Python keeps it so: `kill -INT`
    # would then be lost and an interrupted build run on to exit 0. Ctrl-C and SIGINT always stop kg.
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning(args.command)
            warnings.simplefilter("always", LiteralFormWarning)  # each run says it, as a new process would
            return int(args.run(args))
    except KGError as exc:
        if debug:
            raise
        print(f"kg {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"kg {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # an internal error: one line, the traceback with --debug
        if debug:
            raise
        print(f"kg {args.command}: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
