"""The measured steps, each run in its own interpreter: ``python -m bench.child STEP JSON-ARGUMENTS``.

Each step loads its input (untimed), times the operation it measures with ``time.perf_counter`` and
prints one JSON object as its last line, with ``seconds`` and whatever else the report needs. Inputs
and outputs are files under the scale's work folder, so each step starts from the same bytes.
"""

from __future__ import annotations

import json
import pickle
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["STEPS", "main"]


def _load_store(*paths: str) -> Any:
    import pyoxigraph as ox

    store = ox.Store()
    for path in paths:
        if path and Path(path).exists():
            store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
    return store


def build(metadata: str, out_nq: str = "") -> dict[str, Any]:
    """tables -> RDF: ``kg.build`` (mapping, checks, ontology, loading into the Oxigraph store)."""
    import pyoxigraph as ox

    import kg

    start = time.perf_counter()
    graph = kg.build(metadata)
    seconds = time.perf_counter() - start
    if out_nq:
        graph.store.dump(out_nq, format=ox.RdfFormat.N_QUADS)
    tables = {t.name: t.triples + t.records for t in graph.mapping.tables} if graph.mapping else {}
    return {"seconds": seconds, "quads": len(graph.store), "tables": tables}


def serialise(nq: str, out_nt: str) -> dict[str, Any]:
    """Canonical N-Triples (sorted union, what ``kg build`` writes as kg.nt), written to a file as
    ``kg build`` writes it (an external sort: bounded memory)."""
    from kg.dataset import Dataset

    dataset = Dataset(store=_load_store(nq))
    start = time.perf_counter()
    triples = dataset.write_canonical_ntriples(out_nt)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "triples": triples, "nt_bytes": Path(out_nt).stat().st_size}


def serialise_trig(nq: str) -> dict[str, Any]:
    """TriG of the dataset (sorted quads, prefixes), in memory as ``KnowledgeGraph.serialize`` gives it."""
    import kg
    from kg.dataset import Dataset

    dataset = Dataset(store=_load_store(nq))
    start = time.perf_counter()
    trig = dataset.serialize(kg.RdfFormat.TRIG)
    return {"seconds": time.perf_counter() - start, "trig_bytes": len(trig)}


def oxigraph_load(nt: str, method: str) -> dict[str, Any]:
    """The limit: pyoxigraph parsing the same triples from N-Triples into a store."""
    import pyoxigraph as ox

    store = ox.Store()
    start = time.perf_counter()
    getattr(store, method)(path=nt, format=ox.RdfFormat.N_TRIPLES)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "triples": len(store)}


def validate(nq: str, keys_out: str) -> dict[str, Any]:
    """The toolkit's validation (Oxigraph engine), report traced to source rows included."""
    import kg
    from kg.validation import validate_store

    store = _load_store(nq)
    start, cpu = time.perf_counter(), time.process_time()
    report = validate_store(store, engine=kg.Engine.OXIGRAPH)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    Path(keys_out).write_text(json.dumps(report.keys()))
    return {"seconds": seconds, "cpu_seconds": cpu, "counts": report.counts(), "conforms": report.conforms,
            "handovers": [h.text() for h in report.handovers]}


def pyshacl(nq: str, keys_out: str) -> dict[str, Any]:
    """The peer at its best configuration: pySHACL 0.40 over the same pyoxigraph store (no copy into
    rdflib), inference none, advanced mode off, no query caching."""
    import pyshacl as _  # noqa: F401  (imported before timing, as a user's program would have)

    from kg.graphs import DEFAULT_BASE_IRI
    from kg.validation import ValidationReport, load_shapes_graph
    from kg.validation.reference import validate_with_pyshacl

    store = _load_store(nq)
    shapes = load_shapes_graph(None)
    start, cpu = time.perf_counter(), time.process_time()
    results = validate_with_pyshacl(store, shapes, only=None, advanced=False)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    report = ValidationReport(results, base_iri=DEFAULT_BASE_IRI, engine="pyshacl")
    Path(keys_out).write_text(json.dumps(report.keys()))
    return {"seconds": seconds, "cpu_seconds": cpu, "load_seconds": 0.0, "counts": report.counts()}


def project(nq: str, graph_out: str, analysis_out: str) -> dict[str, Any]:
    """Network projection (SPARQL on the store -> NetworkX), then the degree write-back (untimed
    for the projection; timed on its own) so that the top-brokers query has an analysis graph."""
    import pyoxigraph as ox

    import kg
    from kg.dataset import Dataset
    from kg.network import project as project_network

    dataset = Dataset(store=_load_store(nq))
    start = time.perf_counter()
    network = project_network(dataset.store)
    seconds = time.perf_counter() - start
    with open(graph_out, "wb") as handle:
        pickle.dump(network, handle, protocol=pickle.HIGHEST_PROTOCOL)
    graph = kg.KnowledgeGraph(dataset)
    start = time.perf_counter()
    frame = graph.centrality(metrics=[kg.Metric.DEGREE])
    graph.write_analysis(frame)
    writeback_seconds = time.perf_counter() - start
    analysis = dataset.store.quads_for_pattern(None, None, None, ox.NamedNode(dataset.graphs.analysis))
    Path(analysis_out).write_bytes(ox.serialize(analysis, format=ox.RdfFormat.N_QUADS) or b"")
    degrees = sorted((d for _, d in network.degree()), reverse=True)
    return {"seconds": seconds, "writeback_seconds": writeback_seconds, "nodes": network.number_of_nodes(),
            "edges": network.number_of_edges(), "max_degree": degrees[0] if degrees else 0,
            "top_degrees": degrees[:5], "isolated": sum(1 for d in degrees if d == 0)}


def synthetic(nodes: int, graph_out: str) -> dict[str, Any]:
    """A network shaped like the projection (``kg.network.synthetic_network``), for the metrics at the
    scales where the projection does not finish in time."""
    from kg.network import synthetic_network

    start = time.perf_counter()
    network = synthetic_network(nodes)
    seconds = time.perf_counter() - start
    with open(graph_out, "wb") as handle:
        pickle.dump(network, handle, protocol=pickle.HIGHEST_PROTOCOL)
    degrees = sorted((d for _, d in network.degree()), reverse=True)
    return {"seconds": seconds, "nodes": network.number_of_nodes(), "edges": network.number_of_edges(),
            "top_degrees": degrees[:5]}


def actors(nq: str) -> dict[str, Any]:
    """The number of actors (nodes of the projection), read with the toolkit's own query."""
    from kg.network import actor_iris

    store = _load_store(nq)
    start = time.perf_counter()
    count = len(actor_iris(store))
    return {"seconds": time.perf_counter() - start, "actors": count}


def _bindings(base: str) -> list[tuple[str, str, dict[str, Any]]]:
    from bench.generate import QUERY_BINDINGS
    from kg.queries import Catalogue, bind_parameters

    return [(q.name, q.text, bind_parameters(q, QUERY_BINDINGS.get(q.name, {}), base=base)) for q in Catalogue.load()]


class _Timeout(Exception):
    pass


ENGINES = ("toolkit", "rdflib", "oxrdflib")
"""The query engines: the toolkit (``run_local``: Oxigraph, results converted to its own rows),
rdflib's built-in engine on an in-memory ``Dataset``, and rdflib with oxrdflib (Oxigraph under
rdflib's API, results converted to rdflib terms); all on the union of the named graphs."""


def queries(nq: str, analysis: str, engine: str, repeat: int, per_query: float, rows_dir: str,
            only: list[str] | None = None) -> dict[str, Any]:
    """The canned queries on one engine: the same text with the same bindings (the VALUES block the
    toolkit injects, so every engine gets one text), each run ``repeat`` times (the best time kept),
    its rows written normalised to ``rows_dir/<query>.tsv`` for the comparison as multisets.

    A query still running after ``per_query`` seconds is a timeout, the same limit on every engine.
    rdflib's engine is Python, stopped by an alarm, and goes on with the next query; Oxigraph runs a
    query in Rust, without the GIL, so a watchdog thread ends the process (after printing what it
    finished) and the caller starts a new one for the queries left.
    """
    import os
    import threading

    from bench.rows import write_rows
    from kg.graphs import DEFAULT_BASE_IRI
    from kg.queries import inject_values, run_local

    start = time.perf_counter()
    if engine == "toolkit":
        store = _load_store(nq, analysis)
    else:
        from rdflib import Dataset

        dataset = Dataset(store="Oxigraph" if engine == "oxrdflib" else "default", default_union=True)
        for path in (nq, analysis):
            if path and Path(path).exists():
                dataset.parse(path, format="ox-nquads" if engine == "oxrdflib" else "nquads")
    load_seconds = time.perf_counter() - start
    results: dict[str, dict[str, Any]] = {}

    def emit() -> None:
        print(json.dumps({"seconds": None, "load_seconds": load_seconds, "queries": results}), flush=True)

    def alarm(*_: object) -> None:
        raise _Timeout()

    signal.signal(signal.SIGALRM, alarm)
    for name, text, bindings in _bindings(DEFAULT_BASE_IRI):
        if only is not None and name not in only:
            continue
        watchdog = None
        if engine == "rdflib":
            signal.setitimer(signal.ITIMER_REAL, per_query)
        else:
            def stop(name: str = name) -> None:
                results[name] = {"status": "timeout", "seconds": per_query, "rows": None}
                emit()
                os._exit(3)

            watchdog = threading.Timer(per_query, stop)
            watchdog.start()
        best = float("inf")
        table: list[list[Any]] = []
        try:
            for _ in range(repeat):
                begin = time.perf_counter()
                if engine == "toolkit":
                    result = run_local(store, text, bindings)
                    columns = sorted(range(len(result.variables)), key=lambda i: result.variables[i])
                    table = [[row[i] for i in columns] for row in result.rows]
                else:
                    answer = dataset.query(inject_values(text, bindings))
                    names = sorted(str(v) for v in answer.vars or [])
                    table = [[row[n] for n in names] for row in answer]  # every row read: the work is done
                best = min(best, time.perf_counter() - begin)
            status = "ok"
        except _Timeout:
            status, best = "timeout", per_query
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            if watchdog is not None:
                watchdog.cancel()
        rows = write_rows(Path(rows_dir) / f"{name}.tsv", table) if status == "ok" else None
        results[name] = {"status": status, "seconds": best, "rows": rows}
        emit()
    return {"seconds": None, "load_seconds": load_seconds, "queries": results}


def _plain_networkx(name: str) -> Callable[[Any], Any]:
    import networkx as nx

    return {
        "degree": lambda g: dict(g.degree()),
        "weighted_degree": lambda g: dict(g.degree(weight="weight")),
        "betweenness": lambda g: nx.betweenness_centrality(g),
        "closeness": lambda g: nx.closeness_centrality(g),
        "eigenvector": lambda g: nx.eigenvector_centrality_numpy(g, weight="weight"),
        "pagerank": lambda g: nx.pagerank(g, weight="weight"),
        "core_number": lambda g: nx.core_number(g),
        "community": lambda g: nx.community.louvain_communities(g, weight="weight", seed=42),
    }[name]


def _plain_igraph(name: str) -> Callable[[Any], Any]:
    return {
        "degree": lambda g: g.degree(),
        "weighted_degree": lambda g: g.strength(weights="weight"),
        "betweenness": lambda g: g.betweenness(),
        "closeness": lambda g: g.closeness(),
        "eigenvector": lambda g: g.eigenvector_centrality(weights="weight"),
        "pagerank": lambda g: g.pagerank(weights="weight"),
        "core_number": lambda g: g.coreness(),
        "community": lambda g: g.community_multilevel(weights="weight"),
    }[name]


def _bound(function: Callable[[Any], Any], graph: Any) -> Callable[[], Any]:
    return lambda: function(graph)


def metrics(graph: str, path: str, names: list[str], per_metric: float) -> dict[str, Any]:
    """Every metric on the same network by one path: the toolkit (its default engine, igraph with
    NetworkX's Louvain, the conversion from the NetworkX graph included), plain NetworkX, or plain
    igraph (converted from the same graph before timing). A result line is printed
    after each metric, so a child stopped at its limit still reports the metrics it finished; a
    Python path is stopped at ``per_metric`` seconds per metric (C code cannot be interrupted)."""
    with open(graph, "rb") as handle:
        network = pickle.load(handle)
    results: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    functions: dict[str, Callable[[], Any]] = {}
    if path == "toolkit":
        import igraph  # imported before timing, as the plain igraph path does

        from kg.network import Metric, metric_values

        for name in names:  # the default engine, conversion to igraph included
            functions[name] = lambda name=name: metric_values(network, Metric(name))
    elif path == "networkx":
        for name in names:
            functions[name] = _bound(_plain_networkx(name), network)
    else:
        import igraph

        start = time.perf_counter()
        nodes = list(network)
        index = {node: i for i, node in enumerate(nodes)}
        edges = list(network.edges(data="weight", default=1))
        converted = igraph.Graph(n=len(nodes), edges=[(index[s], index[t]) for s, t, _ in edges])
        converted.es["weight"] = [float(w) for *_, w in edges]
        extra["convert_seconds"] = time.perf_counter() - start
        for name in names:
            functions[name] = _bound(_plain_igraph(name), converted)

    def alarm(*_: object) -> None:
        raise _Timeout()

    signal.signal(signal.SIGALRM, alarm)
    for name in names:
        signal.setitimer(signal.ITIMER_REAL, per_metric)
        start = time.perf_counter()
        try:
            functions[name]()
            results[name] = {"status": "ok", "seconds": time.perf_counter() - start}
        except _Timeout:
            results[name] = {"status": "timeout", "seconds": per_metric}
        except Exception as exc:  # noqa: BLE001  (e.g. NetworkX refusing a disconnected graph)
            results[name] = {"status": "error", "seconds": None, "error": f"{type(exc).__name__}: {exc}"[:200]}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        print(json.dumps({"seconds": None, "metrics": results, **extra}), flush=True)
    return {"seconds": None, "metrics": results, **extra}


STEPS: dict[str, Callable[..., dict[str, Any]]] = {
    "build": build,
    "serialise": serialise,
    "serialise-trig": serialise_trig,
    "oxigraph-load": oxigraph_load,
    "validate": validate,
    "pyshacl": pyshacl,
    "project": project,
    "synthetic": synthetic,
    "actors": actors,
    "queries": queries,
    "metrics": metrics,
}


def main() -> None:
    step, arguments = sys.argv[1], json.loads(sys.argv[2])
    result = STEPS[step](**arguments)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
