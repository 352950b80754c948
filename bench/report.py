"""The report of a run: ``results.md`` (machine, versions, commit, ratios, targets) and ``scaling.png``.

Every figure is a ratio of two measurements of the same run on the same input. A step that did not
finish within its limit has no time, and a ratio needs both times: where a peer (or the toolkit)
did not finish, the row says so and gives no ratio, and no verdict rests on it.

``results.md`` is made of sections, each between ``<!-- section: NAME -->`` and ``<!-- end: NAME -->``;
:func:`write` rewrites its own (``bench``) and keeps the others, which other commands write with
:func:`write_section` (a Virtuoso run, say), so each section states the commit it was measured on.
"""

from __future__ import annotations

import math
import platform
import re
import subprocess
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

__all__ = ["machine", "write", "write_section"]

PACKAGES = ("kikg", "pyoxigraph", "rdflib", "oxrdflib", "pyshacl", "networkx", "igraph", "numpy", "scipy")
TARGET_SCALE = "1M"
MEMORY_LIMIT_MIB = 4096
SHAPE_TOLERANCE = 0.25
SECTION = "bench"


def machine(morph_python: Path | None) -> dict[str, Any]:
    """CPU, cores, memory, Python and package versions."""
    import os

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    memory = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "not installed"
    if morph_python is not None:
        code = "from importlib.metadata import version as v; print(v('morph-kgc'), v('rdflib'), v('pyoxigraph'))"
        done = subprocess.run([str(morph_python), "-c", code], capture_output=True, text=True, check=False)
        parts = done.stdout.split()
        if len(parts) == 3:
            versions["morph-kgc"] = f"{parts[0]} (own venv: rdflib {parts[1]}, pyoxigraph {parts[2]})"
    return {"cpu": cpu or "unknown", "cores": os.cpu_count(), "memory_gib": round(memory, 1),
            "python": platform.python_version(), "system": f"{platform.system()} {platform.release()}",
            "versions": versions}


# -- sections of results.md ----------------------------------------------------------------------

_SECTION = re.compile(r"<!-- section: (?P<name>[\w.-]+) -->\n(?P<body>.*?)<!-- end: (?P=name) -->\n?", re.DOTALL)
_TITLE = "# Benchmark results\n\n"


def write_section(path: Path, name: str, markdown: str) -> None:
    """Put ``markdown`` in ``results.md`` as the section ``name``, replacing it or appending it; the
    other sections stay as they are."""
    text = path.read_text(encoding="utf-8") if path.exists() else _TITLE
    if not text.startswith(_TITLE) or "<!-- section: " not in text:  # a report from before sections
        text = _TITLE
    block = f"<!-- section: {name} -->\n{markdown.strip()}\n<!-- end: {name} -->\n"
    sections = {m.group("name"): m for m in _SECTION.finditer(text)}
    if name in sections:
        match = sections[name]
        text = text[:match.start()] + block + text[match.end():]
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text, encoding="utf-8")


# -- measurements --------------------------------------------------------------------------------


def _step(scale: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = scale.get(key)
    return value if isinstance(value, dict) and "status" in value else None


def _ok(step: dict[str, Any] | None) -> float | None:
    return step["seconds"] if step and step["status"] == "ok" and step.get("seconds") is not None else None


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 0.01:
        return f"{seconds * 1000:.2f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


def _times(value: float) -> str:
    return f"{value:.2f}×" if value < 10 else f"{value:.0f}×"


def _not_finished(step: dict[str, Any] | None, who: str) -> str:
    if step is None:
        return f"{who} not run"
    if step["status"] == "timeout":
        return f"{who} did not finish in {step['timeout']:.0f} s"
    return f"{who}: {step['status']}"


def _cell(step: dict[str, Any] | None) -> str:
    if step is None:
        return "–"
    if step["status"] == "timeout":
        return f"did not finish in {step['timeout']:.0f} s"
    if step["status"] != "ok":
        return step["status"]
    peak = f" ({step['peak_mib']:.0f} MiB)" if step.get("peak_mib") else ""
    return f"{_fmt(step['seconds'])}{peak}"


def _ratio(slow: dict[str, Any] | None, fast: dict[str, Any] | None, *, slow_name: str, fast_name: str
           ) -> tuple[float | None, str]:
    """slow / fast as text, or why there is none."""
    a, b = _ok(slow), _ok(fast)
    if a is None:
        return None, f"no ratio: {_not_finished(slow, slow_name)}"
    if b is None:
        return None, f"no ratio: {_not_finished(fast, fast_name)}"
    if b <= 0:
        return None, "–"
    return a / b, _times(a / b)


def _triples(scale: dict[str, Any]) -> int | None:
    value = scale.get("triples")
    return int(value) if value else None


def _queries(scale: dict[str, Any], engine: str) -> dict[str, Any]:
    return dict((_step(scale, f"queries-{engine}") or {}).get("data", {}).get("queries", {}))


def query_totals(scale: dict[str, Any], engine: str) -> dict[str, Any] | None:
    """The toolkit against ``engine`` over the queries both finished with the same rows. A query that
    either side did not finish (or did not run) is left out of both sums and counted on its side;
    a query whose rows differ fails and is left out of both sums too."""
    ours, theirs = _queries(scale, "toolkit"), _queries(scale, engine)
    if not ours or not theirs:
        return None
    compared = (_step(scale, f"queries-{engine}") or {}).get("data", {}).get("compared", {})
    both = [n for n in ours if ours[n]["status"] == "ok" and theirs.get(n, {}).get("status") == "ok"]
    same = [n for n in both if compared.get(n, {}).get("same")]
    differ = [n for n in both if not compared.get(n, {}).get("same")]
    fast = sum(ours[n]["seconds"] for n in same)
    slow = sum(theirs[n]["seconds"] for n in same)
    per_query = [theirs[n]["seconds"] / max(ours[n]["seconds"], 1e-6) for n in same]
    geometric = math.exp(sum(math.log(r) for r in per_query) / len(per_query)) if per_query else None
    return {"queries": len(ours), "same": same, "differ": differ, "toolkit": fast, "peer": slow,
            "ratio": slow / fast if fast > 0 and same else None, "geometric": geometric,
            "toolkit_out": [n for n in ours if ours[n]["status"] != "ok"],
            "peer_out": [n for n in ours if theirs.get(n, {}).get("status") != "ok"],
            "slower": sorted(n for n in same if ours[n]["seconds"] > theirs[n]["seconds"])}


def _query_summary(totals: dict[str, Any] | None, peer: str) -> str:
    if totals is None:
        return "–"
    if totals["ratio"] is None:
        return "no ratio: no query finished with the same rows on both"
    text = f"{_times(totals['ratio'])} over {len(totals['same'])} of {totals['queries']} queries"
    if totals["geometric"]:
        text += f" (geometric mean {_times(totals['geometric'])})"
    notes = []
    if totals["differ"]:
        notes.append(f"rows differ: {', '.join(totals['differ'])}")
    if totals["peer_out"]:
        notes.append(f"{peer} did not finish: {', '.join(totals['peer_out'])}")
    if totals["toolkit_out"]:
        notes.append(f"toolkit did not finish: {', '.join(totals['toolkit_out'])}")
    return text + ("; " + "; ".join(notes) if notes else "")


def _build_throughput(scale: dict[str, Any]) -> dict[str, Any]:
    triples = _triples(scale)
    build = _ok(_step(scale, "build"))
    limits = [x for x in (_ok(_step(scale, "limit-load")), _ok(_step(scale, "limit-bulk_load"))) if x]
    if triples is None or build is None or not limits:
        return {}
    limit = min(limits)
    return {"build_rate": triples / build, "limit_rate": triples / limit, "share": limit / build}


def _largest(run: dict[str, Any], measure: Callable[[dict[str, Any]], tuple[float | None, str]]
             ) -> tuple[str | None, float | None, str]:
    """The largest scale where ``measure`` gives a ratio: (scale, value, text); else the text of the
    largest scale measured."""
    last: tuple[str | None, float | None, str] = (None, None, "not measured")
    for name, scale in run["scales"].items():
        value, text = measure(scale)
        if value is not None:
            last = (name, value, text)
        elif last[1] is None and text != "–":
            last = (name, None, text)
    return last


# -- the report --------------------------------------------------------------------------------


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else "PASS" if ok else "MISS"


def _targets(run: dict[str, Any]) -> list[list[str]]:
    """(figure, measured, target, verdict) rows; a verdict only where both sides were measured."""
    rows: list[list[str]] = []
    scales = run["scales"]
    scale = scales.get(TARGET_SCALE, {})
    totals = query_totals(scale, "rdflib") if scale else None
    if totals is not None:
        ok = None if totals["ratio"] is None else totals["ratio"] >= 20
        rows.append([f"canned queries at {TARGET_SCALE}: rdflib's engine / toolkit", _query_summary(totals, "rdflib"),
                     "≥ 20×", _verdict(ok)])
    totals = query_totals(scale, "oxrdflib") if scale else None
    if totals is not None:
        rows.append([f"canned queries at {TARGET_SCALE}: rdflib with oxrdflib / toolkit",
                     _query_summary(totals, "oxrdflib"), "(the same engine: see below)", "–"])
    throughput = _build_throughput(scale) if scale else {}
    if throughput:
        share = throughput["share"]
        rows.append([f"build at {TARGET_SCALE}: toolkit / pyoxigraph N-Triples load (throughput)",
                     (f"{share:.2f} ({throughput['build_rate'] / 1000:.0f}k vs {throughput['limit_rate'] / 1000:.0f}k "
                     "triples/s)"), "≥ 0.33", _verdict(share >= 1 / 3)])
    if scale and _step(scale, "morph-kgc"):
        value, text = _ratio(_step(scale, "morph-kgc"), _step(scale, "build-subset"), slow_name="morph-kgc",
                             fast_name="the toolkit")
        rows.append([f"build at {TARGET_SCALE}: morph-kgc / toolkit, same tables", text, "> 1×",
                     _verdict(None if value is None else value > 1)])

    def validation(s: dict[str, Any]) -> tuple[float | None, str]:
        value, text = _ratio(_step(s, "pyshacl"), _step(s, "validate"), slow_name="pySHACL", fast_name="the toolkit")
        peer = (_step(s, "pyshacl") or {}).get("data", {})
        ours = (_step(s, "validate") or {}).get("data", {})
        if value is not None:
            if peer.get("cpu_seconds") and ours.get("cpu_seconds"):
                text += f", CPU time {_times(peer['cpu_seconds'] / ours['cpu_seconds'])}"
            text += " (same report)" if peer.get("same_report") else f" (reports DIFFER: {peer.get('differences')} results)"
        return value, text

    name, value, text = _largest(run, validation)
    if name:
        same = (_step(scales[name], "pyshacl") or {}).get("data", {}).get("same_report")
        rows.append([f"validation at {name} (the largest scale pySHACL finishes): pySHACL / toolkit", text,
                     "≥ 20×, same report", _verdict(None if value is None else value >= 20 and bool(same))])

    def betweenness(path: str) -> Callable[[dict[str, Any]], tuple[float | None, str]]:
        def measure(s: dict[str, Any]) -> tuple[float | None, str]:
            label = "NetworkX" if path == "networkx" else "igraph"
            return _ratio(_step(s, f"metric-betweenness-{path}"), _step(s, "metric-betweenness-toolkit"),
                          slow_name=label, fast_name="the toolkit")
        return measure

    name, value, text = _largest(run, betweenness("networkx"))
    if name:
        rows.append([f"exact betweenness at {name} (the largest scale NetworkX finishes): NetworkX / toolkit", text,
                     "> 1×", _verdict(None if value is None else value > 1)])
    if scale:
        value, text = betweenness("igraph")(scale)
        if value is not None:
            rows.append([f"exact betweenness at {TARGET_SCALE}: toolkit / igraph (conversion included)",
                         _times(1 / value), "≤ 2×", _verdict(1 / value <= 2)])
    for name in ("1M", "5M"):
        s = scales.get(name, {})
        build, limit = _step(s, "kg-build"), _step(s, "limit-load")
        if build and build["status"] == "ok" and limit and limit.get("peak_mib"):
            rows.append([f"peak memory of one `kg build` process at {name} / pyoxigraph holding the same triples",
                         (f"{build['peak_mib'] / 1024:.2f} GiB / {limit['peak_mib'] / 1024:.2f} GiB = "
                         f"{_times(build['peak_mib'] / limit['peak_mib'])}"), "(measured)", "–"])
        elif build:
            rows.append([f"peak memory of one `kg build` process at {name}", _cell(build), "(measured)", "–"])
    for name in ("1M", "5M"):
        step = _step(scales.get(name, {}), "serialise")
        if step and step.get("peak_mib"):
            rows.append([f"peak memory writing canonical N-Triples at {name}", f"{step['peak_mib'] / 1024:.2f} GiB",
                         "≤ 4 GiB", _verdict(step["peak_mib"] <= MEMORY_LIMIT_MIB)])
    commands = run.get("commands", {})
    startup = commands.get("startup")
    if startup:
        floor = startup["floor"]["seconds"]
        for key, label, limit in (("version", "`kg --version`", 2), ("query", f"`kg query {commands['query']}`", 5)):
            value = startup[key]["seconds"] / floor
            rows.append([f"start-up: {label} / `python -c \"import rdflib\"`",
                         f"{_times(value)} ({_fmt(startup[key]['seconds'])} vs {_fmt(floor)})", f"≤ {limit}×",
                         _verdict(value <= limit)])
    build = commands.get("build")
    if build:
        without = build["without"]["seconds"]
        for key, label in (("cold", "first build, HermiT runs"), ("warm", "rebuild of the same data, result reused")):
            value = build[key]["seconds"] / without
            rows.append([f"`kg build` with the HermiT check / without ({label})",
                         f"{_times(value)} ({_fmt(build[key]['seconds'])} vs {_fmt(without)})", "≤ 1.3×",
                         _verdict(value <= 1.3)])
    shipped = run.get("shipped_shape", {})
    if shipped:
        for name, s in scales.items():
            worst = _shape_worst(shipped, s.get("generate", {}).get("shape", {}))
            if worst is not None and name != "10k":
                rows.append([f"generator shape at {name}: rows per entity / shipped, worst table",
                             f"{worst[1]:.2f} ({worst[0]})", "within ±25%",
                             _verdict(abs(worst[1] - 1) <= SHAPE_TOLERANCE)])
    return rows


def _shape_worst(shipped: dict[str, float], made: dict[str, float]) -> tuple[str, float] | None:
    ratios = [(table, made.get(table, 0.0) / share) for table, share in shipped.items() if share and table != "entities"]
    return max(ratios, key=lambda item: abs(item[1] - 1)) if ratios else None


def _header(run: dict[str, Any]) -> list[str]:
    m = run["machine"]
    code = run.get("code", {})
    commit = code.get("commit", "unknown") + (" with changes not committed" if code.get("dirty") else "")
    loads = [round(x, 1) for s in run["scales"].values() for x in s.get("load_average", [])]
    return [
        (f"Generated by `python -m bench{' --quick' if run['mode'] == 'quick' else ''}` ({run['mode']} run) on "
         f"commit `{commit}`, started {run['started']}, {run.get('total_seconds', 0) / 60:.0f} min. Each step "
         "ran in a child process of its own; times are of the measured operation (input loading excluded, "
         "listed where it matters), peak memory is the child's peak resident set. Every figure is a ratio "
         "of two measurements of this run on the same input; where one side did not finish within its "
         "limit, there is no ratio and no verdict."),
        "",
        (f"**Machine**: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; {m['system']}; Python {m['python']}; "
        f"shared with other work (1-minute load average during the scales: {min(loads, default=0)} to "
        f"{max(loads, default=0)}).  "),
        "**Versions**: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) + ".",
    ]


def _shape_table(run: dict[str, Any]) -> list[str]:
    shipped = run.get("shipped_shape", {})
    scales = run["scales"]
    if not shipped:
        return []
    rows = []
    for table, share in shipped.items():
        if table == "entities":
            continue
        cells = [table, f"{share:.3f}"]
        for scale in scales.values():
            made = scale.get("generate", {}).get("shape", {}).get(table)
            cells.append("–" if made is None else f"{made:.3f}" + (f" ({made / share:.2f})" if share else ""))
        rows.append(cells)
    lines = ["## Data: the generator's shape", "",
             ("Rows per entity of each source table: the shipped tables (`kg/sources`), and the generated ones "
              "at each scale with their ratio to the shipped figure in parentheses (target: within ±25%; the "
              "smallest scale has floors, a few documents, schemes and data sets whatever its size)."), ""]
    return lines + _table(["table", "shipped", *scales], rows)


def _data_table(run: dict[str, Any]) -> list[str]:
    rows = []
    for name, scale in run["scales"].items():
        generated = scale.get("generate", {})
        project = next(((_step(scale, k) or {}).get("data", {}) for k in ("project", "synthetic")
                        if (_step(scale, k) or {}).get("status") == "ok"), {})
        table_rows = sum(v for k, v in generated.get("rows", {}).items() if k != "entities")
        rows.append([name, f"{generated.get('entities', 0):,}", f"{table_rows:,}", f"{_triples(scale) or 0:,}",
                     f"{(_step(scale, 'build') or {}).get('data', {}).get('quads', 0):,}",
                     f"{project.get('nodes', 0):,}", f"{project.get('edges', 0):,}",
                     ", ".join(str(d) for d in project.get("top_degrees", [])), _fmt(generated.get("seconds"))])
    lines = ["## Data", ""]
    lines += _table(["scale", "entities", "table rows", "triples (union)", "quads in store", "network nodes",
                     "network edges", "top degrees", "generation"], rows)
    lines += [""] + [f"- {name}: the metrics ran on {scale['network']}." for name, scale in run["scales"].items()
                     if scale.get("network")]
    return lines


STEPS = [
    ("build: tables → RDF (`kg.build`)", "build"),
    ("limit: pyoxigraph `Store.load` of the same N-Triples", "limit-load"),
    ("limit: pyoxigraph `Store.bulk_load` of the same N-Triples", "limit-bulk_load"),
    ("one `kg build` process, all outputs, HermiT off (as a user runs it)", "kg-build"),
    ("serialise: canonical N-Triples to a file (external sort)", "serialise"),
    ("serialise: TriG in memory", "serialise-trig"),
    ("validate: toolkit (Oxigraph engine)", "validate"),
    ("validate: pySHACL over the same pyoxigraph store (advanced off, inference none)", "pyshacl"),
    ("canned queries: toolkit, all that finished (sum)", "queries-toolkit"),
    ("canned queries: rdflib with oxrdflib (sum)", "queries-oxrdflib"),
    ("canned queries: rdflib's engine (sum)", "queries-rdflib"),
    ("network projection (`kg.network.project`)", "project"),
]


def _steps_table(run: dict[str, Any]) -> list[str]:
    names = list(run["scales"])
    steps = list(STEPS)
    for metric in ("degree", "weighted_degree", "betweenness", "closeness", "eigenvector", "pagerank", "core_number",
                   "community"):
        for path, label in (("toolkit", "toolkit (default engine)"), ("networkx", "NetworkX"), ("igraph", "igraph")):
            steps.append((f"{metric}: {label}", f"metric-{metric}-{path}"))
    steps += [("build of the morph-kgc table subset: toolkit", "build-subset"),
              ("build of the same subset: morph-kgc (RML)", "morph-kgc")]
    rows = [[label, *(_cell(_step(run["scales"][n], key)) for n in names)] for label, key in steps]
    loads = []
    for label, key in (("loading the dataset, rdflib with oxrdflib", "queries-oxrdflib"),
                       ("loading the dataset, rdflib's memory store", "queries-rdflib")):
        loads.append([f"  ({label})", *(_fmt((_step(run["scales"][n], key) or {}).get("data", {}).get("load_seconds"))
                                        for n in names)])
    lines = ["## Time (peak memory) of each step", ""]
    lines += _table(["step", *names], rows + loads)
    errors = sorted({(label, (step.get("error") or "").strip().splitlines()[-1][:300])
                     for label, key in steps for n in names
                     if (step := _step(run["scales"][n], key)) and step["status"] == "error"
                     and (step.get("error") or "").strip()})
    if errors:
        lines += ["", "Steps marked `error` failed with (last line of the message):", ""]
        lines += [f"- {label}: {message}" for label, message in errors]
    return lines


def _ratios_table(run: dict[str, Any]) -> list[str]:
    rows = []
    for name, scale in run["scales"].items():
        throughput = _build_throughput(scale)
        cells = [name]
        for engine in ("rdflib", "oxrdflib"):
            totals = query_totals(scale, engine)
            cells.append("–" if totals is None else "no ratio" if totals["ratio"] is None else
                         f"{_times(totals['ratio'])} ({len(totals['same'])}/{totals['queries']} same rows)")
        cells.append(f"{throughput['share']:.2f}" if throughput else "–")
        cells.append(_ratio(_step(scale, "morph-kgc"), _step(scale, "build-subset"), slow_name="morph-kgc",
                            fast_name="toolkit")[1])
        value, text = _ratio(_step(scale, "pyshacl"), _step(scale, "validate"), slow_name="pySHACL",
                             fast_name="toolkit")
        same = (_step(scale, "pyshacl") or {}).get("data", {}).get("same_report")
        cells.append(text + ("" if value is None else " (same report)" if same else " (reports DIFFER)"))
        for path, label in (("networkx", "NetworkX"), ("igraph", "igraph")):
            cells.append(_ratio(_step(scale, f"metric-betweenness-{path}"), _step(scale, "metric-betweenness-toolkit"),
                                slow_name=label, fast_name="toolkit")[1])
        rows.append(cells)
    return ["## Ratios at every scale", "",
            ("Peer time / toolkit time (above 1: the toolkit is faster), except the build column (the "
             "toolkit's throughput as a share of pyoxigraph's N-Triples load). Query ratios are over the "
             "queries both engines finished with the same rows."), ""] + _table(
        ["scale", "queries: rdflib / toolkit", "queries: oxrdflib / toolkit", "build / load limit",
         "morph-kgc / toolkit build", "pySHACL / toolkit validation", "betweenness: NetworkX / toolkit",
         "betweenness: igraph / toolkit"], rows)


def _queries_tables(run: dict[str, Any]) -> list[str]:
    scales = run["scales"]
    lines = ["## Canned queries", "",
             ("The same query text with the same bindings on three engines over the union of the named graphs: "
              "the toolkit (`run_local`: Oxigraph), rdflib with oxrdflib (Oxigraph under rdflib's API, "
              "results as rdflib terms) and rdflib's own engine (in-memory `Dataset`), each query limited to "
              f"{run['settings']['per_query']:.0f} s on every engine. Rows are compared as multisets with "
              "numbers normalised (`bench/rows.py`); a query whose rows differ is marked ≠ and fails: no ratio."),
             "",
             ("**Where the speed comes from.** rdflib with oxrdflib runs the queries on the same engine as the "
              "toolkit, so the query speed-up over rdflib's engine is Oxigraph's. What kikg adds is the "
              "rest: the checked mapping of the tables, named graphs with provenance, canned queries with "
              "parameters bound as RDF terms, SHACL validation traced to source rows, the network analysis "
              "and deterministic outputs."), ""]
    for engine, label in (("rdflib", "rdflib's engine"), ("oxrdflib", "rdflib with oxrdflib")):
        rows = [[name, _query_summary(query_totals(scale, engine), engine)] for name, scale in scales.items()
                if query_totals(scale, engine) is not None]
        if rows:
            lines += [f"Totals, {label} against the toolkit:", ""] + _table(["scale", f"{engine} / toolkit"], rows)
            lines.append("")
    names: list[str] = []
    for scale in scales.values():
        names += [n for n in _queries(scale, "toolkit") if n not in names]
    rows = []
    for query in names:
        cells = [query]
        for scale in scales.values():
            ours = _queries(scale, "toolkit").get(query)
            if not ours:
                cells.append("–")
                continue
            text = (f"{_fmt(ours['seconds'])} ({ours['rows']})" if ours["status"] == "ok"
                    else f"did not finish in {ours['seconds']:.0f} s" if ours["status"] == "timeout" else ours["status"])
            for engine in ("oxrdflib", "rdflib"):
                theirs = _queries(scale, engine).get(query)
                if theirs is None:
                    continue
                compared = (_step(scale, f"queries-{engine}") or {}).get("data", {}).get("compared", {}).get(query, {})
                if theirs["status"] == "ok":
                    flag = "" if compared.get("same") else " ≠" if compared else ""
                    text += f" / {_fmt(theirs['seconds'])}{flag}"
                elif theirs["status"] == "timeout":
                    text += f" / did not finish in {theirs['seconds']:.0f} s"
                else:
                    text += f" / {theirs['status']}"
            cells.append(text)
        rows.append(cells)
    lines += [("One by one: toolkit time (rows) / rdflib with oxrdflib / rdflib's engine (≠: rows differ from "
              "the toolkit's). Parameters: the query files' defaults, except `top-brokers` with `metric=degree` "
              "(the run writes degree results only)."), ""]
    lines += _table(["query", *scales], rows)
    differences = []
    for name, scale in scales.items():
        for engine in ("oxrdflib", "rdflib"):
            compared = (_step(scale, f"queries-{engine}") or {}).get("data", {}).get("compared", {})
            for query, outcome in compared.items():
                if not outcome["same"]:
                    differences.append(
                        f"- {name}, `{query}`, {engine}: {outcome['only_toolkit']} rows only on the toolkit "
                        f"(e.g. {_examples(outcome['examples_toolkit'])}), {outcome['only_peer']} only on {engine} "
                        f"(e.g. {_examples(outcome['examples_peer'])})")
    if differences:
        lines += ["", "Rows that differ (normalised, tab-separated, columns in the order of their names):", ""]
        lines += differences
    return lines


def _examples(rows: list[str], width: int = 160) -> str:
    shown = [row if len(row) <= width else row[: width - 1] + "…" for row in rows[:2]]
    return ", ".join(f"`{row}`" for row in shown) or "–"


def _validation_lines(run: dict[str, Any]) -> list[str]:
    lines = ["## Validation reports", ""]
    for name, scale in run["scales"].items():
        validate, peer = _step(scale, "validate"), _step(scale, "pyshacl")
        if not validate or validate["status"] != "ok":
            continue
        counts = validate["data"]["counts"]
        text = f"- {name}: toolkit {counts['Violation']} violations, {counts['Warning']} warnings, {counts['Info']} infos"
        if peer and peer["status"] == "ok":
            data = peer["data"]
            text += ("; pySHACL the same report (compared as multisets of results)" if data.get("same_report")
                     else f"; pySHACL a DIFFERENT report ({data.get('differences')} results differ, e.g. "
                          f"{data.get('examples')})")
        elif peer:
            text += f"; {_not_finished(peer, 'pySHACL')}"
        lines.append(text)
    return lines


def _commands_lines(run: dict[str, Any]) -> list[str]:
    commands = run.get("commands")
    if not commands:
        return []
    lines = ["## Commands as a user runs them", ""]
    if "error" in commands:
        return lines + [f"Not measured: {commands['error']}"]
    startup, build = commands["startup"], commands["build"]
    floor = startup["floor"]["seconds"]
    lines += [("Start-up, on the shipped data after `kg build`, in the build's folder; the three commands in turn, "
               f"{len(startup['floor']['samples'])} times, median:"), ""]
    lines += _table(["command", "median", "/ floor"], [
        ["`python -c \"import rdflib\"` (the floor)", _fmt(floor), "1"],
        ["`kg --version`", _fmt(startup["version"]["seconds"]), _times(startup["version"]["seconds"] / floor)],
        [f"`kg query {commands['query']}`", _fmt(startup["query"]["seconds"]),
         _times(startup["query"]["seconds"] / floor)]])
    without = build["without"]["seconds"]
    lines += ["", (f"`kg build` of the shipped data (what `make run` runs), {len(build['without']['samples'])} times "
                   "each in turn, median; cold: a new output folder, HermiT runs alongside the other steps; warm: "
                   "the same folder again, the consistent result of the same input is reused:"), ""]
    lines += _table(["build", "median (peak memory)", "/ without HermiT"], [
        ["`kg build --no-reason`", f"{_fmt(without)} ({build['without']['peak_mib']:.0f} MiB)", "1"],
        ["`kg build --reason`, cold", f"{_fmt(build['cold']['seconds'])} ({build['cold']['peak_mib']:.0f} MiB)",
         _times(build["cold"]["seconds"] / without)],
        ["`kg build --reason`, warm", f"{_fmt(build['warm']['seconds'])} ({build['warm']['peak_mib']:.0f} MiB)",
         _times(build["warm"]["seconds"] / without)]])
    return lines


def write(run: dict[str, Any], out: Path) -> None:
    """Write the ``bench`` section of ``results.md`` and ``scaling.png`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    lines = _header(run) + ["", "## Each figure against its peer", ""]
    targets = _targets(run)
    lines += _table(["figure", "measured", "target", "verdict"], targets) if targets else ["Nothing measured."]
    lines += [""] + _commands_lines(run)
    lines += [""] + _ratios_table(run)
    lines += [""] + _queries_tables(run)
    lines += [""] + _validation_lines(run)
    lines += [""] + _shape_table(run)
    lines += [""] + _data_table(run)
    lines += [""] + _steps_table(run)
    lines += ["", f"Raw measurements: `bench/work/results{'-quick' if run['mode'] == 'quick' else ''}.json`."]
    write_section(out / "results.md", SECTION, "\n".join(lines))
    _plot(run, out / "scaling.png")


def _plot(run: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = [
        ("build (toolkit)", "build", "tab:blue", "-"),
        ("N-Triples load (pyoxigraph limit)", "limit-load", "tab:blue", ":"),
        ("validate (toolkit)", "validate", "tab:green", "-"),
        ("validate (pySHACL)", "pyshacl", "tab:green", ":"),
        ("canned queries (toolkit)", "queries-toolkit", "tab:red", "-"),
        ("canned queries (rdflib + oxrdflib)", "queries-oxrdflib", "tab:red", "--"),
        ("canned queries (rdflib)", "queries-rdflib", "tab:red", ":"),
        ("projection (toolkit)", "project", "tab:purple", "-"),
        ("betweenness (toolkit)", "metric-betweenness-toolkit", "tab:orange", "-"),
        ("betweenness (igraph)", "metric-betweenness-igraph", "tab:orange", "--"),
        ("betweenness (NetworkX)", "metric-betweenness-networkx", "tab:orange", ":"),
        ("subset build (morph-kgc)", "morph-kgc", "tab:gray", ":"),
        ("subset build (toolkit)", "build-subset", "tab:gray", "-"),
        ("canonical N-Triples", "serialise", "tab:brown", "-"),
    ]
    figure, axes = plt.subplots(figsize=(12, 6.5))
    for label, key, colour, style in series:
        xs, ys = [], []
        for scale in run["scales"].values():
            triples = _triples(scale)
            if key.startswith("queries-"):
                engine = key.removeprefix("queries-")
                totals = query_totals(scale, engine) if engine != "toolkit" else query_totals(scale, "oxrdflib")
                seconds = None if totals is None or not totals["same"] else (
                    totals["toolkit"] if engine == "toolkit" else totals["peer"])
            else:
                seconds = _ok(_step(scale, key))
            if triples and seconds:
                xs.append(triples)
                ys.append(seconds)
        if xs:
            axes.plot(xs, ys, linestyle=style, marker="o", color=colour, label=label)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("triples (union of the named graphs)")
    axes.set_ylabel("seconds")
    axes.set_title("kikg benchmarks: time against size (steps that did not finish are not drawn)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
