"""Virtuoso 7.2 at scale: ``python -m bench.virtuoso`` (part of ``make bench``).

For each scale (1M and 5M triples; ``--quick``: 100k) it generates the source tables and builds the
knowledge graph as the main benchmark does (:mod:`bench.generate`, ``bench.child build``), then:

1. **Virtuoso's bulk loader**, on a fresh database: ``ld_dir`` over the N-Quads file cut in as many
   parts as there are loaders, one ``rdf_loader_run()`` per core at the same time (its best use of
   this machine), then ``checkpoint``, without which its work is not durable (it loads without a
   transaction log). Timed: from ``ld_dir`` to the end of the checkpoint.
2. **kg load**, on another fresh database: ``kg load --endpoint .../sparql-graph-crud-auth`` (chunked
   Graph Store requests with Digest, each graph swapped in atomically, then the counts checked),
   in a child process, timed from start (reading the file included) to the end of the check.
   Steps 1 and 2 run ``--repeat`` times (3), one after the other: the machine's speed drifts by a
   third from minute to minute (the bulk loader took 7.1 to 12.6 s at 1M), so each pair is compared
   on its own, and the table gives the run of median time and every pair's ratio.
3. **The canned queries** with one client (:func:`kg.remote.query_endpoint`) on the Virtuoso of step 2
   and on ``oxigraph serve --union-default-graph`` over the same file, each with the same time limit
   on the server and in the client; answers compared as multisets of rows, numbers by value.

Both Virtuoso databases get the same configuration, sized for the scale (buffers for the data, no
cap on answers). Results: ``bench/work/virtuoso.json`` and the section "Virtuoso" of
``bench/results.md`` (its own section, see :func:`bench.report.write_section`).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.generate import QUERY_BINDINGS, entities_for_triples, generate
from bench.report import machine, write_section
from bench.runner import ROOT, run_command, run_step

sys.path.insert(0, str(ROOT / "tests"))
from servers import OXIGRAPH, OxigraphServer, VirtuosoServer, free_port

BENCH = Path(__file__).resolve().parent
WORK = BENCH / "work" / "virtuoso"
SCALES = {"100k": 100_000, "1M": 1_000_000, "5M": 5_000_000}
LOADERS = max(1, min(os.cpu_count() or 1, 4))


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] virtuoso: {message}", flush=True)


AFTER_IMAGE_LIMIT = 2_000_000_000
"""TransactionAfterImageLimit of both databases (50 MB by default): room for kg load's ADD of the
largest graph in one transaction (2.9M triples at 5M); the bulk loader writes no transaction log."""


def _buffers(triples: int) -> int:
    """8 KiB pages for the data and its indexes (about 200 bytes a quad), at least the tests' 20,000."""
    return max(20_000, triples * 200 // 8192)


def prepare(name: str, target: int) -> tuple[Path, int]:
    """The N-Quads file of the scale (kept between runs: generation and build are not measured here)."""
    folder = WORK / name
    nq = folder / "kg.nq"
    if not nq.exists():
        folder.mkdir(parents=True, exist_ok=True)
        generate(folder / "tables", entities=entities_for_triples(target))
        built = run_step("build", timeout=3600, metadata=str(folder / "tables" / "csv-metadata.json"), out_nq=str(nq))
        if built.status != "ok":
            raise SystemExit(f"the build of {name} failed: {built.error}")
        shutil.rmtree(folder / "tables")
    with nq.open("rb") as lines:
        quads = sum(1 for _ in lines)
    return nq, quads


def bulk_load(nq: Path, folder: Path, quads: int) -> dict[str, Any]:
    """ld_dir + rdf_loader_run in parallel + checkpoint, on a fresh database."""
    shutil.rmtree(folder, ignore_errors=True)
    server = VirtuosoServer(folder, buffers=_buffers(quads), result_set_max_rows=0, query_seconds=0,
                            after_image_limit=AFTER_IMAGE_LIMIT)
    server.start()
    try:
        parts = folder / "parts"
        parts.mkdir()
        outputs = [(parts / f"part-{i}.nq").open("wb") for i in range(LOADERS)]
        with nq.open("rb") as source:
            for index, line in enumerate(source):
                outputs[index % LOADERS].write(line)
        for output in outputs:
            output.close()
        started = time.perf_counter()
        server.sql(f"ld_dir ('{parts}', '*.nq', 'urn:kikg:bench:default');")
        loaders = [subprocess.Popen([shutil.which("isql-vt") or "isql-vt", f"127.0.0.1:{server.sql_port}", "dba", "dba",
                                     "exec=rdf_loader_run ();"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                   for _ in range(LOADERS)]
        for loader in loaders:
            loader.wait()
        loaded = time.perf_counter()
        server.sql("checkpoint;")
        finished = time.perf_counter()
        errors = server.sql("SELECT COUNT(*) FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;")
        on_server = _count(server.base + "/sparql")
        return {"status": "ok", "seconds": finished - started, "load_seconds": loaded - started,
                "checkpoint_seconds": finished - loaded, "loaders": LOADERS, "quads": on_server,
                "load_errors": errors.split("\n")}
    finally:
        server.stop()


def kg_load(nq: Path, folder: Path, quads: int, *, chunk_size: int, query_seconds: int) -> tuple[dict[str, Any],
                                                                                                VirtuosoServer]:
    """``kg load`` into a fresh database through the authenticated Graph Store endpoint, in a child;
    the server is left running for the queries."""
    shutil.rmtree(folder, ignore_errors=True)
    server = VirtuosoServer(folder, buffers=_buffers(quads), result_set_max_rows=0, query_seconds=query_seconds,
                            after_image_limit=AFTER_IMAGE_LIMIT)
    server.start()
    server.create_loader()
    env = {**os.environ, "KG_USERNAME": server.LOADER[0], "KG_PASSWORD": server.LOADER[1], "HOME": str(folder)}
    command = [sys.executable, "-m", "bench.virtuoso", "--child-kg-load", str(nq),
               server.base + "/sparql-graph-crud-auth", str(chunk_size)]
    status, out, wall, peak, _ = run_command(command, timeout=7200, env=env)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    result: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    result.update(status=status, wall=wall, peak_mib=peak)
    if status != "ok":
        result["error"] = out[-1500:]
    return result, server


def child_kg_load(nq: str, endpoint: str, chunk_size: int) -> None:
    """The measured ``kg load`` (run by :func:`kg_load` in a child process); prints JSON."""
    from kg.remote import DEFAULT_PARALLEL, load_dataset

    started = time.perf_counter()
    sent_at: list[float] = []
    report = load_dataset(nq, endpoint=endpoint, chunk_size=chunk_size, timeout=3600,
                          on_graph_sent=lambda load: sent_at.append(time.perf_counter()))
    finished = time.perf_counter()
    print(json.dumps({
        "seconds": finished - started, "send_seconds": sent_at[-1] - started, "check_seconds": finished - sent_at[-1],
        "sent": report.total_sent, "on_server": report.total_on_server,
        "merged": len(report.merged), "ok": report.ok, "chunks": sum(g.chunks for g in report.graphs),
        "graphs": len(report.graphs), "chunk_size": chunk_size, "parallel": DEFAULT_PARALLEL,
    }), flush=True)


def _count(endpoint: str) -> int:
    from kg.remote import query_endpoint

    result = query_endpoint(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                            "FILTER(STRSTARTS(STR(?g), \"https://w3id.org/kikg/\")) }", timeout=3600)
    return int(result.rows[0][0].value)  # type: ignore[union-attr]


def compare_queries(virtuoso: str, oxigraph: str, *, per_query: float) -> dict[str, Any]:
    """Every canned query on both endpoints with the same client and limit; answers compared."""
    from kg.errors import KGError
    from kg.graphs import DEFAULT_BASE_IRI
    from kg.queries import Catalogue, bind_parameters, inject_values
    from kg.remote import query_endpoint
    from kg.remote.compare import row_key

    results: dict[str, Any] = {}
    for query in Catalogue.load():
        text = inject_values(query.text, bind_parameters(query, QUERY_BINDINGS.get(query.name, {}),
                                                         base=DEFAULT_BASE_IRI))
        answers: dict[str, Any] = {}
        entry: dict[str, Any] = {}
        for store, endpoint in (("virtuoso", virtuoso), ("oxigraph", oxigraph)):
            started = time.perf_counter()
            try:
                answer = query_endpoint(endpoint, text, timeout=per_query + 30)
                entry[store] = {"status": "ok", "seconds": time.perf_counter() - started, "rows": len(answer)}
                answers[store] = collections.Counter(row_key(row) for row in answer.rows)
            except KGError as exc:
                seconds = time.perf_counter() - started
                timed_out = seconds >= per_query * 0.95 or "timeout" in str(exc).lower() or "cancel" in str(exc).lower()
                entry[store] = {"status": "timeout" if timed_out else "error", "seconds": seconds,
                                "error": str(exc)[:300]}
        if len(answers) == 2:
            entry["same"] = answers["virtuoso"] == answers["oxigraph"]
        results[query.name] = entry
        _log(f"  {query.name}: " + ", ".join(f"{s} {e.get('status')} {e.get('seconds', 0):.2f} s"
                                             for s, e in entry.items() if isinstance(e, dict)))
    return results


def run_scale(name: str, *, per_query: float, chunk_size: int, repeat: int = 3) -> dict[str, Any]:
    """``repeat`` pairs of loads (the bulk loader, then ``kg load``, each into a fresh database), then
    the canned queries on the last ``kg load``'s server against Oxigraph."""
    nq, quads = prepare(name, SCALES[name])
    _log(f"{name}: {quads:,} quads in {nq}")
    folder = WORK / name
    bulks: list[dict[str, Any]] = []
    loads: list[dict[str, Any]] = []
    server = None
    try:
        for turn in range(1, repeat + 1):
            _log(f"{name}: bulk loader ({LOADERS} loaders), pair {turn} of {repeat}")
            bulks.append(bulk_load(nq, folder / "db-bulk", quads))
            _log(f"{name}: bulk {bulks[-1]['seconds']:.1f} s")
            _log(f"{name}: kg load, pair {turn} of {repeat}")
            if server is not None:
                server.stop()
            loaded, server = kg_load(nq, folder / "db-kg-load", quads, chunk_size=chunk_size,
                                     query_seconds=int(per_query))
            loads.append(loaded)
            _log(f"{name}: kg load {loaded.get('seconds') or 0:.1f} s ({loaded['status']})")
            if loaded["status"] != "ok":
                break
        oxigraph_dir = folder / "oxigraph"
        shutil.rmtree(oxigraph_dir, ignore_errors=True)
        queries: dict[str, Any] = {}
        if loads[-1]["status"] == "ok":
            queries = _compare_with_oxigraph(name, nq, oxigraph_dir, server.base + "/sparql", per_query=per_query)
        else:  # a store holding a part of the data: its answers compare nothing
            _log(f"{name}: canned queries not run: kg load did not finish")
    finally:
        if server is not None:
            server.stop()
    for leftover in ("db-bulk", "db-kg-load", "oxigraph"):
        shutil.rmtree(folder / leftover, ignore_errors=True)
    return {"quads": quads, "bulk": _median_run(bulks), "kg_load": _median_run(loads), "bulk_runs": bulks,
            "kg_load_runs": loads, "queries": queries, "per_query": per_query}


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median time (a failed run, if any failed: that is the result)."""
    failed = [run for run in runs if run.get("status", "ok") != "ok" or not run.get("seconds")]
    if failed:
        return failed[0]
    return sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]


def pair_ratios(scale: dict[str, Any]) -> list[float]:
    """Bulk loader time over ``kg load`` time, for each pair run back to back (the same conditions).

    >>> pair_ratios({"bulk_runs": [{"seconds": 10.0}, {"seconds": 8.0}], "kg_load_runs": [{"seconds": 20.0}, {"seconds": 32.0}]})
    [0.5, 0.25]
    """
    bulks = scale["bulk_runs"] if "bulk_runs" in scale else [scale["bulk"]]  # runs before pairs: one of each
    loads = scale["kg_load_runs"] if "kg_load_runs" in scale else [scale["kg_load"]]
    return [bulk["seconds"] / load["seconds"] for bulk, load in zip(bulks, loads)
            if bulk.get("seconds") and load.get("seconds")]


def _compare_with_oxigraph(name: str, nq: Path, oxigraph_dir: Path, virtuoso: str, *,
                           per_query: float) -> dict[str, Any]:
    """The canned queries on ``virtuoso`` and on an Oxigraph server over the same file, compared."""
    subprocess.run([str(OXIGRAPH), "load", "--location", str(oxigraph_dir), "--file", str(nq)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    oxigraph = _OxigraphWithLimit(oxigraph_dir, seconds=per_query)
    oxigraph.start()
    try:
        _log(f"{name}: canned queries, Virtuoso and Oxigraph")
        return compare_queries(virtuoso, oxigraph.query, per_query=per_query)
    finally:
        oxigraph.stop()


class _OxigraphWithLimit(OxigraphServer):
    """``oxigraph serve --union-default-graph --timeout-s N`` over an existing store."""

    def __init__(self, location: Path, *, seconds: float) -> None:
        super().__init__(location)
        self.port = free_port()
        self.seconds = seconds

    def start(self, timeout: float = 120.0) -> None:
        from servers import wait_until_answering

        log = (self.location.parent / "oxigraph.log").open("ab")
        self.process = subprocess.Popen(
            [str(OXIGRAPH), "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}",
             "--union-default-graph", "--timeout-s", str(int(self.seconds))],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        wait_until_answering(self.process, self.port, "/query?query=ASK%7B%7D", log=self.location.parent / "oxigraph.log",
                             timeout=timeout)


# -- report ------------------------------------------------------------------------------------------


def _rate(quads: int, seconds: float | None) -> str:
    return f"{quads / seconds / 1000:.0f}k quads/s" if seconds else "–"


def section(run: dict[str, Any]) -> str:
    """The markdown of the Virtuoso section of results.md."""
    intro = (f"`python -m bench.virtuoso` ({run['started']}, {run['machine']}). Each load on a fresh database with "
             "the same configuration (buffers sized for the data, answers not capped, TransactionAfterImageLimit "
             "2 GB). Bulk: `ld_dir` + "
             f"{run['loaders']} `rdf_loader_run()` at once + `checkpoint` (its loads are durable only after it). "
             "kg load: the whole command in a child process, reading the file included (a part at a time, while "
             "the first chunks go), Graph Store requests through `/sparql-graph-crud-auth` (Digest) over 2 "
             "connections; a graph of more than 100,000 triples in chunks into a staging graph, then put in place "
             "in one transaction (here `ADD` into the empty target, and `DROP` of the staging graph), then the "
             f"counts checked. Each scale: {_pairs(run.get('repeat', 1))} of loads, the bulk loader then kg load, one "
             "after the other; the times are those of the median run, the ratios those of each pair.")
    lines = ["## Virtuoso 7.2: `kg load` against its bulk loader, and the canned queries against Oxigraph", "",
             intro, "",
             "| scale | quads | bulk loader | kg load | kg load / bulk, each pair | kg load: read and send, check | peak (kg load) |",
             "| --- | ---: | ---: | ---: | ---: | --- | ---: |"]
    for name, scale in run["scales"].items():
        bulk, loaded, quads = scale["bulk"], scale["kg_load"], scale["quads"]
        if not loaded.get("seconds"):
            reason = loaded.get("error", "").strip().splitlines()[-1:] or [""]
            lines.append(f"| {name} | {quads:,} | {bulk['seconds']:.1f} s ({_rate(quads, bulk['seconds'])}) | "
                         f"{loaded['status']}: {reason[0].replace('|', '/')[-220:]} | – | – | – |")
            continue
        lines.append(
            f"| {name} | {quads:,} | {bulk['seconds']:.1f} s ({_rate(quads, bulk['seconds'])}; load "
            f"{bulk['load_seconds']:.1f} s + checkpoint {bulk['checkpoint_seconds']:.1f} s) | "
            f"{loaded['seconds']:.1f} s ({_rate(quads, loaded['seconds'])}) | {_ratios(scale)} | "
            f"{loaded['send_seconds']:.1f} s ({loaded['chunks']} requests), "
            f"{loaded['check_seconds']:.1f} s | {loaded['peak_mib']:.0f} MiB |")
    lines += ["", ("Canned queries, the same client (`kg.remote.query_endpoint`) on both servers, the same time limit "
                   "on the server and in the client; answers compared with each other as multisets of rows, numbers "
                   "by value."), ""]
    # A scale whose kg load failed has no comparison (queries there would run on a part of the data).
    names = [n for n, scale in run["scales"].items() if scale["kg_load"].get("status") == "ok"]
    lines.append("| query | " + " | ".join(f"{n}: Virtuoso | {n}: Oxigraph | {n}: same" for n in names) + " |")
    lines.append("| --- |" + " ---: | ---: | :---: |" * len(names))
    for query in sorted({q for n in names for q in run["scales"][n]["queries"]}):
        cells = []
        for name in names:
            entry = run["scales"][name]["queries"].get(query, {})
            verdict = {True: "yes", False: "**no**"}.get(entry.get("same"), "–")
            cells += [_cell(entry.get("virtuoso")), _cell(entry.get("oxigraph")), verdict]
        lines.append(f"| {query} | " + " | ".join(cells) + " |")
    lines.append("")
    for name in names:
        entries = list(run["scales"][name]["queries"].values())
        both = [e for e in entries if all(e.get(s, {}).get("status") == "ok" for s in ("virtuoso", "oxigraph"))]
        seconds = {s: sum(e[s]["seconds"] for e in both) for s in ("virtuoso", "oxigraph")}
        same = sum(1 for e in entries if e.get("same"))
        lines.append(f"{name}: {same}/{len(entries)} answers equal; over the {len(both)} queries both finished, "
                     f"Virtuoso {seconds['virtuoso']:.1f} s, Oxigraph {seconds['oxigraph']:.1f} s.")
    for name, scale in run["scales"].items():
        if name not in names:
            lines.append(f"{name}: queries not compared: kg load did not finish.")
    if run.get("notes"):
        lines += ["", run["notes"].strip()]
    return "\n".join(lines) + "\n"


def _pairs(count: int) -> str:
    return "1 pair" if count == 1 else f"{count} pairs"


def _ratios(scale: dict[str, Any]) -> str:
    ratios = pair_ratios(scale)
    if len(ratios) < 2:
        return ", ".join(f"{r:.2f}" for r in ratios)
    return f"median {statistics.median(ratios):.2f} ({', '.join(f'{r:.2f}' for r in ratios)})"


def _cell(entry: dict[str, Any] | None) -> str:
    if entry is None:
        return "–"
    if entry["status"] != "ok":
        return str(entry["status"])
    return f"{entry['seconds'] * 1000:.0f} ms" if entry["seconds"] < 10 else f"{entry['seconds']:.1f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.virtuoso", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k only")
    parser.add_argument("--scales", help="comma-separated scales among " + ", ".join(SCALES))
    parser.add_argument("--per-query", type=float, default=120.0, help="time limit of a query, in seconds")
    parser.add_argument("--chunk-size", type=int, default=200_000, help="kg load's --chunk-size")
    parser.add_argument("--repeat", type=int, default=3, help="pairs of loads (bulk loader, kg load) per scale")
    parser.add_argument("--report-only", action="store_true", help="rewrite the section from bench/work/virtuoso.json")
    parser.add_argument("--child-kg-load", nargs=3, metavar=("NQ", "ENDPOINT", "CHUNK"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_kg_load:
        nq, endpoint, chunk = args.child_kg_load
        child_kg_load(nq, endpoint, int(chunk))
        return 0
    if not shutil.which("virtuoso-t"):
        raise SystemExit("virtuoso-t is not installed: run `make virtuoso`")
    store = BENCH / "work" / ("virtuoso-quick.json" if args.quick else "virtuoso.json")
    if args.report_only:
        write_section(BENCH / "results.md", "virtuoso", section(json.loads(store.read_text())))
        return 0
    names = args.scales.split(",") if args.scales else (["100k"] if args.quick else ["1M", "5M"])
    about = machine(None)
    described = f"{about.get('cpu', '?')}, {about.get('cores', '?')} cores, {about.get('memory_gib', 0):.0f} GiB"
    # Scales measured earlier and not now are kept (each with its date): the 5M run is long.
    earlier = json.loads(store.read_text()) if store.exists() and args.scales else {"scales": {}}
    run: dict[str, Any] = {"started": time.strftime("%Y-%m-%d %H:%M"), "machine": described,
                           "loaders": LOADERS, "repeat": args.repeat, "scales": {k: v for k, v in earlier["scales"].items() if k not in names}}
    WORK.mkdir(parents=True, exist_ok=True)
    for name in names:
        run["scales"][name] = run_scale(name, per_query=args.per_query, chunk_size=args.chunk_size, repeat=args.repeat)
        run["scales"][name]["started"] = time.strftime("%Y-%m-%d %H:%M")
        run["scales"] = dict(sorted(run["scales"].items(), key=lambda item: SCALES[item[0]]))
        store.write_text(json.dumps(run, indent=1))
    if not args.quick:
        write_section(BENCH / "results.md", "virtuoso", section(run))
    _log(f"done: {store}")
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    raise SystemExit(main())
