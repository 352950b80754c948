"""Benchmarks of the toolkit against the tools a user would use instead: ``python -m bench``.

For each scale (about 10k, 100k, 1M and 5M triples; ``--quick``: 10k and 100k) it generates source
tables (:mod:`bench.generate`), then measures in child processes (:mod:`bench.child`) the build,
serialisation, validation, every canned query, the network projection and every metric, each with
its peers, and writes ``bench/results.md`` and ``bench/scaling.png`` (:mod:`bench.report`). The raw
measurements go to ``bench/work/results.json``; ``--report-only`` rewrites the report from them.

Usage::

    python -m bench                 # full run (make bench)
    python -m bench --quick         # 10k and 100k, fewer repetitions, under 3 minutes (make bench-quick)
    python -m bench --scales 10k,1M # chosen scales
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import report
from bench.generate import entities_for_triples, generate
from bench.rml import MORPH_SCRIPT, write_morph_config, write_rml, write_subset_metadata
from bench.runner import ROOT, StepResult, run_command, run_step

BENCH = Path(__file__).resolve().parent
WORK = BENCH / "work"
MORPH_VENV = WORK / "morph-kgc-venv"
SCALES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000, "5M": 5_000_000}
RDFLIB_LIMIT = 1_000_000
"""rdflib memory comparisons (queries, pySHACL) stop at this scale, as the issue asks."""
METRICS = ("degree", "weighted_degree", "betweenness", "closeness", "eigenvector", "pagerank", "core_number",
           "community")
METRIC_PATHS = ("toolkit-networkx", "toolkit-igraph", "networkx", "igraph")


@dataclass(frozen=True)
class Settings:
    """Repetitions and time limits of a run."""

    quick: bool
    repeat_small: int
    pyshacl_timeout: float
    rdflib_per_query: float
    rdflib_budget: float
    networkx_timeout: float
    projection_timeout: float
    toolkit_per_query: float
    step_timeout: float

    def repeat(self, triples: int) -> int:
        return self.repeat_small if triples <= 150_000 else 1


    def pyshacl_timeout_at(self, name: str) -> float | None:
        """pySHACL's limit at a scale (None: not run); it needs minutes for 10k triples already."""
        if self.quick:
            return self.pyshacl_timeout if name == "10k" else None
        return {"10k": self.pyshacl_timeout, "100k": 60.0, "1M": 240.0}.get(name)


QUICK = Settings(quick=True, repeat_small=1, pyshacl_timeout=15, rdflib_per_query=3, rdflib_budget=15,
                 networkx_timeout=15, projection_timeout=15, toolkit_per_query=10, step_timeout=120)
FULL = Settings(quick=False, repeat_small=3, pyshacl_timeout=120, rdflib_per_query=15, rdflib_budget=100,
                networkx_timeout=45, projection_timeout=180, toolkit_per_query=60, step_timeout=1500)


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def _record(results: dict[str, Any], key: str, result: StepResult) -> StepResult:
    results[key] = result.to_json()
    shown = f"{result.seconds:.2f} s" if result.seconds is not None else result.status
    peak = f", peak {result.peak_mib:.0f} MiB" if result.peak_mib else ""
    _log(f"  {key}: {shown}{peak}" + (f" ({result.error.splitlines()[-1][:200]})" if result.error else ""))
    return result


def ensure_morph_venv(*, create: bool) -> Path | None:
    """The Python of morph-kgc's own virtual environment (it pins an older rdflib), created if missing."""
    python = MORPH_VENV / "bin" / "python"
    if python.exists():
        return python
    if not create:
        return None
    _log("creating the morph-kgc virtual environment (pip install morph-kgc)")
    subprocess.run([sys.executable, "-m", "venv", str(MORPH_VENV)], check=True)
    done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "morph-kgc"], check=False)
    return python if done.returncode == 0 else None


def run_scale(name: str, target: int, settings: Settings, morph_python: Path | None) -> dict[str, Any]:
    """Every measurement of one scale."""
    folder = WORK / f"scale-{name}"
    tables = folder / "tables"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    results: dict[str, Any] = {"target": target}
    entities = entities_for_triples(target)
    start = time.perf_counter()
    rows = generate(tables, entities=entities)
    results["generate"] = {"seconds": time.perf_counter() - start, "rows": rows, "entities": entities}
    _log(f"scale {name}: {entities} entities, {sum(v for k, v in rows.items() if k != 'entities')} rows")
    metadata = str(tables / "csv-metadata.json")
    nq, nt = str(folder / "kg.nq"), str(folder / "kg.nt")
    timeout = settings.step_timeout

    build = _record(results, "build", run_step("build", timeout=timeout, metadata=metadata, out_nq=nq))
    if build.status != "ok":
        return results
    serialised = _record(results, "serialise", run_step("serialise", timeout=timeout, nq=nq, out_nt=nt))
    results["triples"] = serialised.data.get("triples")
    for method in ("load", "bulk_load"):
        _record(results, f"limit-{method}", run_step("oxigraph-load", timeout=timeout, nt=nt, method=method))
    _record(results, "validate", run_step("validate", timeout=timeout, nq=nq, keys_out=str(folder / "keys-ox.json")))
    triples = results["triples"] or target
    pyshacl_timeout = settings.pyshacl_timeout_at(name)
    if pyshacl_timeout is not None:
        peer = _record(results, "pyshacl", run_step("pyshacl", timeout=pyshacl_timeout, nq=nq,
                                                    keys_out=str(folder / "keys-pyshacl.json")))
        if peer.status == "ok":
            ours = json.loads((folder / "keys-ox.json").read_text())
            theirs = json.loads((folder / "keys-pyshacl.json").read_text())
            results["pyshacl"]["data"]["same_report"] = ours == theirs
            results["pyshacl"]["data"]["differences"] = len({tuple(k) for k in ours} ^ {tuple(k) for k in theirs})
    analysis = str(folder / "analysis.nq")
    graph = str(folder / "network.pickle")
    limit = settings.projection_timeout
    projected = _record(results, "project", run_step("project", timeout=limit, nq=nq, graph_out=graph,
                                                     analysis_out=analysis))
    if projected.status == "ok":
        results["network"] = "the projected network (`kg.network.project`)"
    else:
        counted = _record(results, "actors", run_step("actors", timeout=timeout, nq=nq))
        nodes = counted.data.get("actors", 1000)
        _record(results, "synthetic", run_step("synthetic", timeout=timeout, nodes=nodes, graph_out=graph))
        results["network"] = (f"a synthetic network of the projection's {nodes:,} actors "
                              "(`kg.network.synthetic_network`): the projection did not finish in time")
    repeat = settings.repeat(triples)
    _record(results, "queries", run_queries(nq, analysis, repeat=repeat, per_query=settings.toolkit_per_query,
                                            timeout=timeout))
    if triples <= RDFLIB_LIMIT * 1.2:
        budget = settings.rdflib_budget
        _record(results, "queries-rdflib", run_step(
            "queries-rdflib", timeout=budget + settings.rdflib_per_query * 3 + 600, nq=nq, analysis=analysis,
            repeat=repeat, per_query=settings.rdflib_per_query, budget=budget))
    if Path(graph).exists():
        for path in METRIC_PATHS:
            python_path = "networkx" in path
            per_metric = settings.networkx_timeout if python_path else timeout
            child = run_step("metrics", timeout=per_metric * len(METRICS) + 120 if python_path else timeout,
                             graph=graph, path=path, names=list(METRICS), per_metric=per_metric)
            finished = child.data.get("metrics", {})
            for metric in METRICS:
                done = finished.get(metric)
                if done is None:  # the child was stopped during this metric (or before it)
                    done = {"status": "timeout" if child.status == "timeout" else child.status, "seconds": None}
                step = StepResult(done["status"], seconds=done["seconds"] if done["status"] == "ok" else None,
                                  peak_mib=child.peak_mib, error=done.get("error", child.error),
                                  timeout=(done["seconds"] or child.timeout) if done["status"] == "timeout" else None,
                                  data={"convert_seconds": child.data.get("convert_seconds")})
                _record(results, f"metric-{metric}-{path}", step)
    subset = write_subset_metadata(tables)
    _record(results, "build-subset", run_step("build", timeout=timeout, metadata=str(subset)))
    if morph_python is not None:
        mapping = write_rml(tables, folder / "mapping.rml.ttl")
        config = write_morph_config(mapping, folder / "morph.ini")
        script = folder / "morph_run.py"
        script.write_text(MORPH_SCRIPT, encoding="utf-8")
        status, out, wall, peak, _ = run_command([str(morph_python), str(script), str(config)], timeout=600,
                                                 cwd=folder)
        lines = [line for line in out.splitlines() if line.startswith("{")]
        if status == "ok" and lines:
            data = json.loads(lines[-1])
            result = StepResult("ok", seconds=data.pop("seconds"), wall=wall, peak_mib=peak, data=data)
        else:
            result = StepResult(status, wall=wall, peak_mib=peak, timeout=timeout if status == "timeout" else None,
                                error=out[-1500:])
        _record(results, "morph-kgc", result)
    for path in (nq, nt, graph):  # large intermediate files are not kept
        Path(path).unlink(missing_ok=True)
    return results


def run_queries(nq: str, analysis: str, *, repeat: int, per_query: float, timeout: float) -> StepResult:
    """The toolkit's canned queries, in as many child processes as it takes: a child that meets a
    query over its limit records it as a timeout and stops, and the next child goes on with the
    queries left. Peak memory is the largest child's; the time is the sum over the queries."""
    from kg.queries import Catalogue

    names = [query.name for query in Catalogue.load()]
    done: dict[str, Any] = {}
    peaks: list[float] = []
    while len(done) < len(names):
        left = [n for n in names if n not in done]
        child = run_step("queries", timeout=timeout, nq=nq, analysis=analysis, repeat=repeat, per_query=per_query,
                         only=left)
        peaks.append(child.peak_mib or 0)
        finished = child.data.get("queries", {})
        done.update(finished)
        if not finished:  # the child failed before its first query: report it
            for name in left:
                done[name] = {"status": child.status, "seconds": None, "rows": None}
    ok = [v["seconds"] for v in done.values() if v["status"] == "ok"]
    status = "ok" if ok else "error"
    return StepResult(status, seconds=sum(ok) if ok else None, peak_mib=max(peaks) if peaks else None,
                      data={"queries": done})


def queries_only(name: str, settings: Settings, *, budget: float, per_query: float, store: Path, out: Path) -> int:
    """Both query engines on one scale, with larger rdflib limits, in one run of their own."""
    folder = WORK / f"queries-{name}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    tables = folder / "tables"
    results: dict[str, Any] = {"target": SCALES[name], "budget": budget, "per_query": per_query,
                               "started": time.strftime("%Y-%m-%d %H:%M")}
    generate(tables, entities=entities_for_triples(SCALES[name]))
    nq, analysis, graph = str(folder / "kg.nq"), str(folder / "analysis.nq"), str(folder / "network.pickle")
    _record(results, "build", run_step("build", timeout=settings.step_timeout, metadata=str(tables / "csv-metadata.json"),
                                       out_nq=nq))
    _record(results, "project", run_step("project", timeout=settings.step_timeout, nq=nq, graph_out=graph,
                                         analysis_out=analysis))
    _record(results, "queries", run_queries(nq, analysis, repeat=1, per_query=settings.toolkit_per_query,
                                            timeout=settings.step_timeout))
    _record(results, "queries-rdflib", run_step("queries-rdflib", timeout=budget + per_query * 3 + 900, nq=nq,
                                                analysis=analysis, repeat=1, per_query=per_query, budget=budget))
    supplement = WORK / "results-supplementary.json"
    extra = json.loads(supplement.read_text()) if supplement.exists() else {}
    extra[name] = results
    supplement.write_text(json.dumps(extra, indent=1))
    for path in (nq, graph):
        Path(path).unlink(missing_ok=True)
    if store.exists():
        report.write(_with_supplement(json.loads(store.read_text())), out)
    return 0


def _with_supplement(run: dict[str, Any]) -> dict[str, Any]:
    """The run with the supplementary measurements (``--queries-only``) kept beside it."""
    supplement = WORK / "results-supplementary.json"
    if supplement.exists() and run.get("mode") == "full":
        run["supplementary"] = json.loads(supplement.read_text())
    return run


def measure_make_run(timeout: float) -> dict[str, Any]:
    """``make run`` after installation: ``kg build --out <tmp>`` on the default dataset, in a child."""
    out = tempfile.mkdtemp(prefix="kg-build-")
    kg = Path(sys.executable).parent / "kg"
    try:
        status, output, wall, peak, _ = run_command([str(kg), "build", "--out", out], timeout=timeout)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return StepResult(status, seconds=wall if status == "ok" else None, wall=wall, peak_mib=peak,
                      timeout=timeout if status == "timeout" else None,
                      error="" if status == "ok" else output[-800:]).to_json()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k and 100k only, fewer repetitions")
    parser.add_argument("--scales", help="comma-separated scales among " + ", ".join(SCALES))
    parser.add_argument("--report-only", action="store_true", help="rewrite the report from bench/work/results.json")
    parser.add_argument("--out", default=str(BENCH), help="folder of results.md and scaling.png")
    parser.add_argument("--queries-only", metavar="SCALE",
                        help="supplementary run: build SCALE, then the canned queries on both engines with the "
                             "rdflib limits below; kept in bench/work/results-supplementary.json, reported beside "
                             "the full run")
    parser.add_argument("--rdflib-budget", type=float, default=900, help="with --queries-only: rdflib's total budget")
    parser.add_argument("--rdflib-per-query", type=float, default=60, help="with --queries-only: rdflib's per-query limit")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    store = WORK / ("results-quick.json" if args.quick else "results.json")
    if args.report_only:
        report.write(_with_supplement(json.loads(store.read_text())), Path(args.out))
        return 0
    settings = QUICK if args.quick else FULL
    if args.queries_only:
        return queries_only(args.queries_only, settings, budget=args.rdflib_budget, per_query=args.rdflib_per_query,
                            store=store, out=Path(args.out))
    names = args.scales.split(",") if args.scales else (["10k", "100k"] if args.quick else list(SCALES))
    unknown = [n for n in names if n not in SCALES]
    if unknown:
        parser.error(f"unknown scale {unknown[0]!r} (choose among {', '.join(SCALES)})")
    started = time.perf_counter()
    morph = ensure_morph_venv(create=not args.quick)
    if morph is None:
        _log("morph-kgc: no virtual environment (run the full benchmark once to create it); peer skipped")
    run: dict[str, Any] = {"mode": "quick" if args.quick else "full", "started": time.strftime("%Y-%m-%d %H:%M"),
                           "machine": report.machine(morph), "scales": {}, "settings": settings.__dict__}
    for name in names:
        run["scales"][name] = run_scale(name, SCALES[name], settings, morph)
        store.write_text(json.dumps(run, indent=1))
    if not args.quick:
        _log("make run (kg build --out <tmp>) on the default dataset")
        run["make_run"] = measure_make_run(600)
    run["total_seconds"] = time.perf_counter() - started
    store.write_text(json.dumps(run, indent=1))
    out = Path(args.out) if not args.quick else WORK
    report.write(_with_supplement(run), out)
    _log(f"done in {run['total_seconds']:.0f} s: {out / 'results.md'}")
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    raise SystemExit(main())
