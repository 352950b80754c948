"""Benchmarks of the toolkit against the tools a user would use instead: ``python -m bench``.

For each scale (about 10k, 100k, 300k, 1M and 5M triples; ``--quick``: 10k and 100k) it generates
source tables shaped like the shipped ones (:mod:`bench.generate`), then measures in child processes
(:mod:`bench.child`) the build, serialisation, validation, every canned query on three engines, the
network projection and every metric, each with its peers; then the commands as a user runs them
(:mod:`bench.commands`). It writes ``bench/results.md`` and ``bench/scaling.png``
(:mod:`bench.report`); the raw measurements go to ``bench/work/results.json``, and
``--report-only`` rewrites the report from them.

Usage::

    python -m bench                 # full run (make bench)
    python -m bench --quick         # 10k and 100k, fewer repetitions, short limits (make bench-quick)
    python -m bench --scales 10k,1M # chosen scales
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import report
from bench.child import ENGINES
from bench.commands import measure_commands
from bench.generate import entities_for_triples, generate, shipped_shape, table_shape
from bench.rml import MORPH_SCRIPT, write_morph_config, write_rml, write_subset_metadata
from bench.rows import compare
from bench.runner import ROOT, StepResult, run_command, run_step

BENCH = Path(__file__).resolve().parent
WORK = BENCH / "work"
MORPH_VENV = WORK / "morph-kgc-venv"
SCALES = {"10k": 10_000, "100k": 100_000, "300k": 300_000, "1M": 1_000_000, "5M": 5_000_000}
METRICS = ("degree", "weighted_degree", "betweenness", "closeness", "eigenvector", "pagerank", "core_number",
           "community")
METRIC_PATHS = ("toolkit", "networkx", "igraph")


@dataclass(frozen=True)
class Settings:
    """Repetitions and time limits of a run. Every query engine gets the same limit per query."""

    quick: bool
    repeat_small: int
    per_query: float
    """The limit of one query, the same on every engine."""
    query_budget: float
    """A safety net per engine and scale: queries not started within it are reported as not run."""
    rdflib_scales: tuple[str, ...]
    """Scales where rdflib's built-in engine runs (it holds the dataset in Python objects)."""
    pyshacl_limits: dict[str, float]
    networkx_timeout: float
    projection_timeout: float
    step_timeout: float
    kg_build_scales: tuple[str, ...]
    """Scales where one ``kg build`` process is measured as a user runs it (peak memory)."""
    kg_build_timeout: float = 3600
    commands: bool = True
    repeat_commands: int = 7
    builds: int = 3
    extra: dict[str, Any] = field(default_factory=dict)

    def repeat(self, triples: int) -> int:
        return self.repeat_small if triples <= 150_000 else 1


QUICK = Settings(quick=True, repeat_small=1, per_query=10, query_budget=120, rdflib_scales=("10k", "100k"),
                 pyshacl_limits={"10k": 120}, networkx_timeout=15, projection_timeout=30, step_timeout=300,
                 kg_build_scales=("100k",), repeat_commands=3, builds=1)
FULL = Settings(quick=False, repeat_small=3, per_query=60, query_budget=1500,
                rdflib_scales=("10k", "100k", "300k", "1M"),
                pyshacl_limits={"10k": 900, "100k": 900}, networkx_timeout=150, projection_timeout=300,
                step_timeout=2400, kg_build_scales=("1M", "5M"))


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


def _same_report(ours: Path, theirs: Path) -> dict[str, Any]:
    """Two validation reports (``ValidationReport.keys()``) compared as multisets of results. A
    literal typed ``xsd:string`` is the plain literal (RDF 1.1): pySHACL over Oxigraph spells it out."""
    def keys(path: Path) -> Counter[tuple[str, ...]]:
        return Counter(tuple(str(part).replace("^^<http://www.w3.org/2001/XMLSchema#string>", "") for part in key)
                       for key in json.loads(path.read_text()))

    left, right = keys(ours), keys(theirs)
    return {"same_report": left == right, "differences": sum(((left - right) + (right - left)).values()),
            "examples": [list(k) for k in list((left - right) + (right - left))[:3]]}


def run_scale(name: str, target: int, settings: Settings, morph_python: Path | None) -> dict[str, Any]:
    """Every measurement of one scale."""
    folder = WORK / f"scale-{name}"
    tables = folder / "tables"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    results: dict[str, Any] = {"target": target, "load_average": [os.getloadavg()[0]]}
    entities = entities_for_triples(target)
    start = time.perf_counter()
    rows = generate(tables, entities=entities)
    results["generate"] = {"seconds": time.perf_counter() - start, "rows": rows, "entities": entities,
                           "shape": table_shape(tables)}
    _log(f"scale {name}: {entities} entities, {sum(v for k, v in rows.items() if k != 'entities')} rows")
    metadata = str(tables / "csv-metadata.json")
    nq, nt = str(folder / "kg.nq"), str(folder / "kg.nt")
    timeout = settings.step_timeout

    build = _record(results, "build", run_step("build", timeout=timeout, metadata=metadata, out_nq=nq))
    if build.status != "ok":
        return results
    serialised = _record(results, "serialise", run_step("serialise", timeout=timeout, nq=nq, out_nt=nt))
    results["triples"] = serialised.data.get("triples")
    _record(results, "serialise-trig", run_step("serialise-trig", timeout=timeout, nq=nq))
    for method in ("load", "bulk_load"):
        _record(results, f"limit-{method}", run_step("oxigraph-load", timeout=timeout, nt=nt, method=method))
    if name in settings.kg_build_scales:
        _record(results, "kg-build", measure_kg_build(metadata, folder / "kg-build", timeout=settings.kg_build_timeout))
    _record(results, "validate", run_step("validate", timeout=timeout, nq=nq, keys_out=str(folder / "keys-ox.json")))
    limit = settings.pyshacl_limits.get(name)
    if limit is not None:
        peer = _record(results, "pyshacl", run_step("pyshacl", timeout=limit, nq=nq,
                                                    keys_out=str(folder / "keys-pyshacl.json")))
        if peer.status == "ok" and results["validate"]["status"] == "ok":
            results["pyshacl"]["data"].update(_same_report(folder / "keys-ox.json", folder / "keys-pyshacl.json"))
    analysis = str(folder / "analysis.nq")
    graph = str(folder / "network.pickle")
    projected = _record(results, "project", run_step("project", timeout=settings.projection_timeout, nq=nq,
                                                     graph_out=graph, analysis_out=analysis))
    if projected.status == "ok":
        results["network"] = "the projected network (`kg.network.project`)"
    else:
        counted = _record(results, "actors", run_step("actors", timeout=timeout, nq=nq))
        nodes = counted.data.get("actors", 1000)
        _record(results, "synthetic", run_step("synthetic", timeout=timeout, nodes=nodes, graph_out=graph))
        results["network"] = (f"a synthetic network of the projection's {nodes:,} actors "
                              "(`kg.network.synthetic_network`): the projection did not finish in time")
    repeat = settings.repeat(results["triples"] or target)
    engines = [e for e in ENGINES if e != "rdflib" or name in settings.rdflib_scales]
    for engine in engines:
        _record(results, f"queries-{engine}", run_queries(engine, nq, analysis, folder / "rows" / engine,
                                                          repeat=repeat, settings=settings))
    for engine in engines[1:]:
        results[f"queries-{engine}"]["data"]["compared"] = compare_queries(folder / "rows", engine, results)
    if Path(graph).exists():
        for path in METRIC_PATHS:
            python_path = path == "networkx"
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
        status, out, wall, peak, _ = run_command([str(morph_python), str(script), str(config)], timeout=timeout,
                                                 cwd=folder)
        lines = [line for line in out.splitlines() if line.startswith("{")]
        if status == "ok" and lines:
            data = json.loads(lines[-1])
            result = StepResult("ok", seconds=data.pop("seconds"), wall=wall, peak_mib=peak, data=data)
        else:
            result = StepResult(status, wall=wall, peak_mib=peak, timeout=timeout if status == "timeout" else None,
                                error=out[-1500:])
        _record(results, "morph-kgc", result)
    results["load_average"].append(os.getloadavg()[0])
    for path in (nq, nt, graph):  # large intermediate files are not kept
        Path(path).unlink(missing_ok=True)
    shutil.rmtree(folder / "kg-build", ignore_errors=True)
    return results


def measure_kg_build(metadata: str, out: Path, *, timeout: float) -> StepResult:
    """One ``kg build`` process as a user runs it on the tables (HermiT off: at these sizes it is its
    own JVM with a fixed heap, not part of the process measured); its wall time and peak memory."""
    command = [str(Path(sys.executable).parent / "kg"), "build", "--sources", metadata, "--out", str(out),
               "--no-reason", "--quiet"]
    status, output, wall, peak, _ = run_command(command, timeout=timeout)
    return StepResult(status, seconds=wall if status == "ok" else None, wall=wall, peak_mib=peak,
                      timeout=timeout if status == "timeout" else None,
                      error="" if status == "ok" else output[-800:])


def run_queries(engine: str, nq: str, analysis: str, rows_dir: Path, *, repeat: int, settings: Settings) -> StepResult:
    """The canned queries on ``engine``, in as many child processes as it takes: a child that meets
    a query over the limit records it as a timeout and stops, and the next one goes on with the
    queries left (rdflib's engine is stopped by an alarm and goes on by itself). Queries not started
    within the engine's budget are reported as not run. Peak memory is the largest child's; the
    time is the sum over the queries that finished."""
    from kg.queries import Catalogue

    names = [query.name for query in Catalogue.load()]
    done: dict[str, Any] = {}
    peaks: list[float] = []
    loads: list[float] = []
    started = time.perf_counter()
    while len(done) < len(names):
        left = [n for n in names if n not in done]
        remaining = settings.query_budget - (time.perf_counter() - started)
        if remaining <= 0:
            done.update({n: {"status": "not run", "seconds": None, "rows": None} for n in left})
            break
        child = run_step("queries", timeout=remaining + 120, nq=nq, analysis=analysis, engine=engine, repeat=repeat,
                         per_query=settings.per_query, rows_dir=str(rows_dir), only=left)
        peaks.append(child.peak_mib or 0)
        if child.data.get("load_seconds") is not None:
            loads.append(child.data["load_seconds"])
        finished = child.data.get("queries", {})
        done.update(finished)
        if not finished:  # the child failed before its first query: report it
            for name in left:
                done[name] = {"status": child.status, "seconds": None, "rows": None,
                              "error": (child.error or "").strip()[-300:]}
    ok = [v["seconds"] for v in done.values() if v["status"] == "ok"]
    return StepResult("ok" if ok else "error", seconds=sum(ok) if ok else None,
                      peak_mib=max(peaks) if peaks else None,
                      data={"queries": done, "load_seconds": loads[0] if loads else None})


def compare_queries(rows: Path, engine: str, results: dict[str, Any]) -> dict[str, Any]:
    """Each query's rows on ``engine`` against the toolkit's, as multisets (:func:`bench.rows.compare`)."""
    ours = results["queries-toolkit"]["data"]["queries"]
    theirs = results[f"queries-{engine}"]["data"]["queries"]
    compared = {}
    for name in ours:
        if ours[name]["status"] == "ok" and theirs.get(name, {}).get("status") == "ok":
            compared[name] = compare(rows / "toolkit" / f"{name}.tsv", rows / engine / f"{name}.tsv")
    return compared


def _git(*arguments: str) -> str:
    done = subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout.strip()


def code_version() -> dict[str, Any]:
    """The commit the run measures, and whether the tree had changes not committed."""
    return {"commit": _git("rev-parse", "--short=12", "HEAD"), "dirty": bool(_git("status", "--porcelain",
                                                                                   "--untracked-files=no"))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k and 100k only, fewer repetitions")
    parser.add_argument("--scales", help="comma-separated scales among " + ", ".join(SCALES))
    parser.add_argument("--no-commands", action="store_true", help="skip the start-up and kg build measurements")
    parser.add_argument("--report-only", action="store_true", help="rewrite the report from bench/work/results.json")
    parser.add_argument("--out", help="folder of results.md and scaling.png (default: bench/, bench/work/ if --quick)")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    store = WORK / ("results-quick.json" if args.quick else "results.json")
    out = Path(args.out) if args.out else (WORK if args.quick else BENCH)
    if args.report_only:
        report.write(json.loads(store.read_text()), out)
        return 0
    settings = QUICK if args.quick else FULL
    names = args.scales.split(",") if args.scales else (["10k", "100k"] if args.quick else list(SCALES))
    unknown = [n for n in names if n not in SCALES]
    if unknown:
        parser.error(f"unknown scale {unknown[0]!r} (choose among {', '.join(SCALES)})")
    started = time.perf_counter()
    morph = ensure_morph_venv(create=not args.quick)
    if morph is None:
        _log("morph-kgc: no virtual environment (run the full benchmark once to create it); peer skipped")
    run: dict[str, Any] = {"mode": "quick" if args.quick else "full", "started": time.strftime("%Y-%m-%d %H:%M"),
                           "code": code_version(), "machine": report.machine(morph), "scales": {},
                           "settings": {k: v for k, v in settings.__dict__.items() if k != "extra"},
                           "shipped_shape": shipped_shape()}
    for name in names:
        run["scales"][name] = run_scale(name, SCALES[name], settings, morph)
        store.write_text(json.dumps(run, indent=1))
    if not args.no_commands:
        _log("commands: start-up (kg --version, kg query) and kg build with and without HermiT")
        try:
            run["commands"] = measure_commands(repeat=settings.repeat_commands, builds=settings.builds)
        except RuntimeError as exc:  # a command that failed is reported, the scales are kept
            run["commands"] = {"error": str(exc)}
    run["total_seconds"] = time.perf_counter() - started
    store.write_text(json.dumps(run, indent=1))
    report.write(run, out)
    _log(f"done in {run['total_seconds']:.0f} s: {out / 'results.md'}")
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    raise SystemExit(main())
