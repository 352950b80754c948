"""The report of a run: ``results.md`` (machine, versions, tables, ratios, targets) and ``scaling.png``.

Ratios compare two measurements of the same run on the same input, which is what holds on a shared
machine; absolute times are given for scale only. A peer stopped at its time limit counts with
that limit, so a ratio against it is a lower bound (shown with ``>``).
"""

from __future__ import annotations

import math
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

__all__ = ["TARGETS", "machine", "write"]

PACKAGES = ("kikg", "pyoxigraph", "rdflib", "pyshacl", "networkx", "igraph", "numpy", "scipy")
TARGET_SCALE = "1M"
MEMORY_LIMIT_MIB = 4096

# Why a target is missed, from profiles of the run (see docs/benchmarks.md); shown only on a miss.
TARGETS: dict[str, str] = {}
WHY: dict[str, str] = {
    "build": "The mapping runs in Python, one row at a time (cell checks, URI templates, N-Quads text); "
             "pyoxigraph's parser is Rust. Profile at 1M triples: see docs/benchmarks.md.",
    "queries": "Most queries are 10× to 700× faster than on rdflib, but a few query texts meet a poor plan in "
               "Oxigraph: entity-facts (an OPTIONAL holding a UNION, a NOT EXISTS and a FILTER on the outer ?graph) "
               "and eu-korea-collaborations (two UNIONs joined on ?collaboration, then property paths) grow with "
               "the whole dataset instead of the result; at 10k triples entity-facts already takes 0.5 s on the "
               "toolkit against 0.13 s on rdflib. They are query-text issues for the queries' owners.",
    "validation": "pySHACL did not finish within its limit, so the ratio is a lower bound.",
    "betweenness": "The toolkit converts the NetworkX graph to igraph and back on every call.",
    "memory": "The build holds the N-Quads text of all tables in memory before loading it into the store.",
}


def machine(morph_python: Path | None) -> dict[str, Any]:
    """CPU, cores, memory, Python and package versions."""
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
    import os

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


# -- formatting ----------------------------------------------------------------------------------


def _step(scale: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = scale.get(key)
    return value if isinstance(value, dict) and "status" in value else None


def _seconds(step: dict[str, Any] | None) -> tuple[float | None, bool]:
    """(seconds, lower_bound): a timeout gives its limit as a lower bound."""
    if step is None:
        return None, False
    if step["status"] == "ok":
        return step["seconds"], False
    if step["status"] == "timeout":
        return step["timeout"], True
    return None, False


def _cell(step: dict[str, Any] | None, *, seconds: float | None = None) -> str:
    if step is None:
        return "–"
    if step["status"] == "timeout":
        return f"> {step['timeout']:.0f} s (timeout)"
    if step["status"] != "ok":
        return step["status"]
    value = step["seconds"] if seconds is None else seconds
    peak = f" ({step['peak_mib']:.0f} MiB)" if step.get("peak_mib") else ""
    return f"{_fmt(value)}{peak}"


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 0.01:
        return f"{seconds * 1000:.2f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


def _ratio(slow: tuple[float | None, bool], fast: tuple[float | None, bool]) -> tuple[float | None, str]:
    """slow / fast, as text; '>' when slow is a lower bound, '<' when fast is."""
    (a, a_bound), (b, b_bound) = slow, fast
    if a is None or b is None or b <= 0:
        return None, "–"
    value = a / b
    prefix = ">" if a_bound and not b_bound else "<" if b_bound and not a_bound else "~" if a_bound else ""
    return value, f"{prefix}{value:.2f}×" if value < 10 else f"{prefix}{value:.0f}×"


def _triples(scale: dict[str, Any]) -> int | None:
    value = scale.get("triples")
    return int(value) if value else None


def _query_totals(scale: dict[str, Any]) -> dict[str, Any]:
    """Totals over the queries both engines ran (an rdflib timeout counts with its limit)."""
    ours = (_step(scale, "queries") or {}).get("data", {}).get("queries", {})
    theirs = (_step(scale, "queries-rdflib") or {}).get("data", {}).get("queries", {})
    both = [n for n in ours if ours[n].get("status", "ok") == "ok" and n in theirs
            and theirs[n]["status"] in ("ok", "timeout")]
    bound = any(theirs[n]["status"] == "timeout" for n in both)
    slow = sum(theirs[n]["seconds"] for n in both)
    fast = sum(ours[n]["seconds"] for n in both)
    per_query = [theirs[n]["seconds"] / max(ours[n]["seconds"], 1e-6) for n in both]
    geometric = math.exp(sum(math.log(r) for r in per_query) / len(per_query)) if per_query else None
    same_rows = [n for n in both if theirs[n]["status"] == "ok" and theirs[n]["rows"] == ours[n]["rows"]]
    different = [n for n in both if theirs[n]["status"] == "ok" and theirs[n]["rows"] != ours[n]["rows"]]
    return {"names": both, "rdflib": slow, "toolkit": fast, "bound": bound, "geometric": geometric,
            "same_rows": same_rows, "different_rows": different,
            "skipped": [n for n in theirs if theirs[n]["status"] == "skipped"],
            "toolkit_timeouts": [n for n in ours if ours[n].get("status", "ok") == "timeout"],
            "timeouts": [n for n in both if theirs[n]["status"] == "timeout"]}


def _ours(scale: dict[str, Any]) -> dict[str, Any]:
    return (_step(scale, "queries") or {}).get("data", {}).get("queries", {})


def _build_throughput(scale: dict[str, Any]) -> dict[str, Any]:
    triples = _triples(scale)
    build = _seconds(_step(scale, "build"))
    limits = [_seconds(_step(scale, f"limit-{m}")) for m in ("load", "bulk_load")]
    limits = [x for x in limits if x[0] is not None]
    limit = min(limits, key=lambda x: x[0]) if limits else (None, False)
    if triples is None or build[0] is None or limit[0] is None:
        return {}
    return {"build_rate": triples / build[0], "limit_rate": triples / limit[0],
            "share": (triples / build[0]) / (triples / limit[0])}


def _targets(run: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(target, measured, verdict, note) rows for the target scale."""
    scale = run["scales"].get(TARGET_SCALE)
    rows: list[tuple[str, str, str, str]] = []
    if scale is None:
        return rows

    def verdict(ok: bool | None, miss_by: str, why: str) -> tuple[str, str]:
        if ok is None:
            return "not measured", ""
        return ("PASS", "") if ok else ("MISS", f"{miss_by}. {why}".rstrip())

    supplementary = run.get("supplementary", {}).get(TARGET_SCALE)
    totals = _query_totals(supplementary or scale)
    if totals["names"] and totals["toolkit"] > 0:
        ratio = totals["rdflib"] / totals["toolkit"]
        ok = ratio >= 20
        measured = (f"{'>' if totals['bound'] else ''}{ratio:.0f}× over {len(totals['names'])} queries "
                    f"(geometric mean of per-query ratios {totals['geometric']:.0f}×)")
        if supplementary:
            main = _query_totals(scale)
            measured += (f", in the supplementary run (rdflib limits {supplementary['per_query']:.0f} s a query, "
                         f"{supplementary['budget']:.0f} s in all); main run: "
                         f"{'>' if main['bound'] else ''}{main['rdflib'] / max(main['toolkit'], 1e-9):.0f}× over "
                         f"{len(main['names'])} queries")
        if totals["toolkit_timeouts"]:
            measured += (f"; over the toolkit's own limit, left out: {', '.join(totals['toolkit_timeouts'])}")
        ours = _ours(supplementary or scale)
        theirs = (_step(supplementary or scale, "queries-rdflib") or {}).get("data", {}).get("queries", {})
        # A query the toolkit does not finish while rdflib does is a query where the toolkit is slower.
        lost = {n: theirs[n]["seconds"] for n in totals["toolkit_timeouts"] if theirs.get(n, {}).get("status") == "ok"}
        slower = {n: v["seconds"] / theirs[n]["seconds"] for n, v in ours.items()
                  if v.get("status", "ok") == "ok" and theirs.get(n, {}).get("status") == "ok"
                  and v["seconds"] > theirs[n]["seconds"]}
        ok = ratio >= 20 and not lost
        miss_by = (f"missed by a factor {20 / ratio:.1f} on the sum" if ratio < 20 else
                   "The sum passes, but " + ", ".join(f"{n} does not finish within {ours[n]['seconds']:.0f} s where "
                                                      f"rdflib takes {_fmt(t)}" for n, t in lost.items()))
        if slower:
            miss_by += "; slower than rdflib: " + ", ".join(f"{n} ({v:.1f}×)" for n, v in sorted(slower.items()))
        result, note = verdict(ok, miss_by, WHY["queries"])
        both_out = [n for n in totals["toolkit_timeouts"] if theirs.get(n, {}).get("status") == "timeout"]
        if ok and (slower or both_out):  # a pass on the sum still names the queries that lose
            note = ("On the sum. " + ("Slower than rdflib: " + ", ".join(
                f"{n} ({v:.1f}× rdflib's time)" for n, v in sorted(slower.items())) + ". " if slower else "")
                + (f"Neither engine finishes {', '.join(both_out)} within its limit." if both_out else ""))
        rows.append(("Canned queries ≥ 20× faster than rdflib", measured, result, note.strip()))
    throughput = _build_throughput(scale)
    if throughput:
        share = throughput["share"]
        measured = (f"{throughput['build_rate'] / 1000:.0f}k triples/s vs limit {throughput['limit_rate'] / 1000:.0f}k "
                    f"triples/s = {share:.2f} of the limit")
        rows.append(("Build ≥ 1/3 of the pyoxigraph N-Triples limit", measured,
                     *verdict(share >= 1 / 3, f"missed by {(1 / 3 - share) * 100:.0f} points ({share * 3:.2f} of the target)",
                              WHY["build"])))
    morph, subset = _seconds(_step(scale, "morph-kgc")), _seconds(_step(scale, "build-subset"))
    if morph[0] is not None and subset[0] is not None:
        _, text = _ratio(morph, subset)
        rows.append(("Build faster than morph-kgc", f"morph-kgc / toolkit on the same tables: {text}",
                     *verdict(morph[0] > subset[0], f"missed by a factor {subset[0] / morph[0]:.2f}", "")))
    validation = _seconds(_step(scale, "validate"))
    peer = _seconds(_step(scale, "pyshacl"))
    if validation[0] is not None and peer[0] is not None:
        value, text = _ratio(peer, validation)
        same = (_step(scale, "pyshacl") or {}).get("data", {}).get("same_report")
        report_note = {True: "same report", False: "reports DIFFER", None: "report compared at the scales pySHACL finishes"}[same]
        assert value is not None
        # Issue #12: at least 20x pySHACL over the same store at its best configuration, and a row
        # without a report comparison is not a pass.
        rows.append(("Validation ≥ 20× faster than pySHACL, same report", f"{text} ({report_note})",
                     *verdict(value >= 20 and same is True, f"missed by a factor {20 / value:.1f}" if value < 20
                              else "the reports were not compared", WHY["validation"])))
    ours = _seconds(_step(scale, "metric-betweenness-toolkit-igraph"))
    igraph = _seconds(_step(scale, "metric-betweenness-igraph"))
    if ours[0] is not None and igraph[0] is not None:
        value, text = _ratio(ours, igraph)
        assert value is not None
        rows.append(("Exact betweenness within 2× of igraph", f"toolkit (igraph engine) / igraph: {text}",
                     *verdict(value <= 2, f"missed by a factor {value / 2:.2f}", WHY["betweenness"])))
    peaks = [(k, v["peak_mib"]) for k, v in scale.items() if isinstance(v, dict) and v.get("peak_mib")
             and k in ("build", "serialise", "validate", "queries", "project") or k.startswith("metric-")
             and "toolkit" in k and isinstance(v, dict) and v.get("peak_mib")]
    if peaks:
        step, peak = max(peaks, key=lambda x: x[1])
        rows.append(("Peak memory < 4 GiB", f"largest toolkit step: {step}, {peak / 1024:.2f} GiB",
                     *verdict(peak < MEMORY_LIMIT_MIB, f"missed by {(peak - MEMORY_LIMIT_MIB) / 1024:.2f} GiB", WHY["memory"])))
    make_run = run.get("make_run")
    if make_run:
        seconds = make_run.get("seconds")
        rows.append(("`make run` on the default dataset < 30 s", _cell(make_run),
                     *verdict(seconds is not None and seconds < 30, f"missed by {(seconds or 0) - 30:.0f} s",
                              "HermiT and the outputs dominate")))
    return rows


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def write(run: dict[str, Any], out: Path) -> None:
    """Write ``results.md`` and ``scaling.png`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    scales = run["scales"]
    names = list(scales)
    m = run["machine"]
    lines = [
        "# Benchmark results",
        "",
        (f"Generated by `python -m bench{' --quick' if run['mode'] == 'quick' else ''}` ({run['mode']} run, started "
        f"{run['started']}, {run.get('total_seconds', 0) / 60:.0f} min). Each step ran in a child process of its "
        "own; times are of the measured operation only (input loading excluded, and listed where it matters), "
        "peak memory is the child's peak resident set (input loading included). Absolute times on this shared "
        "machine are noisy; the ratios, measured in the same run on the same input, are what to read."),
        "",
        f"**Machine**: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; {m['system']}; Python {m['python']}.  ",
        "**Versions**: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) + ".",
        "",
        "## Targets at 1M triples",
        "",
    ]
    for note in run.get("notes", []):
        lines.insert(lines.index("## Targets at 1M triples"), f"> {note}\n")
    targets = _targets(run)
    if targets:
        lines += _table(["target", "measured", "verdict", "note"], [list(t) for t in targets])
    else:
        lines.append("The 1M scale was not part of this run.")
    lines += ["", "## Data", ""]
    data_rows = []
    for name, scale in scales.items():
        generated = scale.get("generate", {})
        project = next(((_step(scale, k) or {}).get("data", {}) for k in ("project", "project-rewritten", "synthetic")
                        if (_step(scale, k) or {}).get("status") == "ok"), {})
        rows = sum(v for k, v in generated.get("rows", {}).items() if k != "entities")
        data_rows.append([name, f"{generated.get('entities', 0):,}", f"{rows:,}", f"{_triples(scale) or 0:,}",
                          f"{(_step(scale, 'build') or {}).get('data', {}).get('quads', 0):,}",
                          f"{project.get('nodes', 0):,}", f"{project.get('edges', 0):,}",
                          ", ".join(str(d) for d in project.get("top_degrees", [])),
                          _fmt(generated.get("seconds"))])
    lines += _table(["scale", "entities", "table rows", "triples (union)", "quads in store", "network nodes",
                     "network edges", "top degrees (heavy tail)", "generation"], data_rows)
    lines += [""] + [f"- {name}: the metrics ran on {scale['network']}." for name, scale in scales.items()
                     if scale.get("network")]
    lines += ["", "## Time (peak memory) of each step", ""]
    steps = [
        ("build: tables → RDF (`kg.build`)", "build"),
        ("limit: pyoxigraph `Store.load` of the same N-Triples", "limit-load"),
        ("limit: pyoxigraph `Store.bulk_load` of the same N-Triples", "limit-bulk_load"),
        ("serialise: canonical N-Triples", "serialise"),
        ("serialise: TriG", "serialise:trig_seconds"),
        ("validate: toolkit (Oxigraph engine)", "validate"),
        ("validate: pySHACL over the same pyoxigraph store", "pyshacl"),
        ("canned queries: toolkit, all (sum)", "queries"),
        ("canned queries: rdflib, all (sum)", "queries-rdflib"),
        ("  (loading the dataset into rdflib)", "queries-rdflib:load_seconds"),
        ("network projection (`kg.network.project`)", "project"),
        ("write-back of degree results (`write_analysis`)", "project:writeback_seconds"),
    ]
    for metric in ("degree", "weighted_degree", "betweenness", "closeness", "eigenvector", "pagerank", "core_number",
                   "community"):
        for path, label in (("toolkit-networkx", "toolkit, NetworkX engine"), ("toolkit-igraph", "toolkit, igraph engine"),
                            ("networkx", "plain NetworkX"), ("igraph", "plain igraph")):
            steps.append((f"{metric}: {label}", f"metric-{metric}-{path}"))
    steps += [("build of the morph-kgc table subset: toolkit", "build-subset"),
              ("build of the same subset: morph-kgc (RML)", "morph-kgc")]
    step_rows = []
    for label, key in steps:
        base, _, field = key.partition(":")
        cells = []
        for name in names:
            step = _step(scales[name], base)
            if field:
                value = (step or {}).get("data", {}).get(field) if step and step["status"] == "ok" else None
                cells.append(_fmt(value) if value is not None else ("–" if step is None or step["status"] == "ok"
                                                                    else _cell(step)))
            else:
                cells.append(_cell(step))
        step_rows.append([label, *cells])
    lines += _table(["step", *names], step_rows)
    errors = sorted({(label, (step.get("error") or "").strip().splitlines()[-1][:300])
                     for label, key in steps for name in names
                     if (step := _step(scales[name], key.partition(":")[0])) and step["status"] == "error"
                     and (step.get("error") or "").strip()})
    if errors:
        lines += ["", "Steps marked `error` failed with (last line of the message):", ""]
        lines += [f"- {label}: {message}" for label, message in errors]
    lines += ["", "## Ratios (same run, same input)", ""]
    ratio_rows = []
    for name, scale in scales.items():
        totals = _query_totals(scale)
        query_ratio = "–"
        if totals["names"] and totals["toolkit"]:
            value = totals["rdflib"] / totals["toolkit"]
            query_ratio = (f"{'>' if totals['bound'] else ''}{value:.0f}× (geo. mean "
                           f"{totals['geometric']:.0f}×)")
        throughput = _build_throughput(scale)
        validation = _ratio(_seconds(_step(scale, "pyshacl")), _seconds(_step(scale, "validate")))[1]
        morph = _ratio(_seconds(_step(scale, "morph-kgc")), _seconds(_step(scale, "build-subset")))[1]
        betweenness = _ratio(_seconds(_step(scale, "metric-betweenness-toolkit-igraph")),
                             _seconds(_step(scale, "metric-betweenness-igraph")))[1]
        networkx = _ratio(_seconds(_step(scale, "metric-betweenness-networkx")),
                          _seconds(_step(scale, "metric-betweenness-toolkit-igraph")))[1]
        same = (_step(scale, "pyshacl") or {}).get("data", {}).get("same_report")
        ratio_rows.append([name, query_ratio, f"{throughput['share']:.2f}" if throughput else "–", morph,
                           validation + {True: " (same report)", False: " (reports differ)", None: ""}[same],
                           betweenness, networkx])
    lines += _table(["scale", "queries: rdflib / toolkit", "build / limit throughput", "morph-kgc / toolkit build",
                     "pySHACL / toolkit validation", "betweenness: toolkit (igraph) / igraph",
                     "betweenness: NetworkX / toolkit (igraph)"], ratio_rows)
    lines += ["", "## Canned queries, one by one", "",
              ("Toolkit time / rdflib time (rows returned). An rdflib query stopped at its limit shows `> limit`; "
              "`skipped` means the rdflib step's time budget was spent. Parameters: the query files' defaults "
              "(entities the generator also makes), except `top-brokers` with `metric=degree` (the run writes "
              "degree results only)."), ""]
    query_names: list[str] = []
    for scale in scales.values():
        for query in (_step(scale, "queries") or {}).get("data", {}).get("queries", {}):
            if query not in query_names:
                query_names.append(query)
    query_rows = []
    for query in query_names:
        cells = []
        for scale in scales.values():
            ours = (_step(scale, "queries") or {}).get("data", {}).get("queries", {}).get(query)
            theirs = (_step(scale, "queries-rdflib") or {}).get("data", {}).get("queries", {}).get(query)
            if ours and ours.get("status", "ok") == "timeout":
                text = f"> {ours['seconds']:.0f} s (timeout)"
            else:
                text = f"{_fmt(ours['seconds'])} ({ours['rows']})" if ours else "–"
            if theirs:
                if theirs["status"] == "ok":
                    flag = "" if ours and theirs["rows"] == ours.get("rows") else " ≠rows"
                    text += f" / {_fmt(theirs['seconds'])} ({theirs['rows']}{flag})"
                elif theirs["status"] == "timeout":
                    text += f" / > {theirs['seconds']:.0f} s"
                else:
                    text += " / skipped"
            cells.append(text)
        query_rows.append([query, *cells])
    lines += _table(["query", *names], query_rows)
    for name, extra in run.get("supplementary", {}).items():
        totals = _query_totals(extra)
        lines += ["", f"## Canned queries at {name}: supplementary run with larger rdflib limits", "",
                  (f"Both engines again, in one run of their own (started {extra['started']}) on the same generated "
                  f"tables (same seed), rdflib limited to {extra['per_query']:.0f} s a query and "
                  f"{extra['budget']:.0f} s in all. Toolkit time / rdflib time (rows)."), ""]
        ours, theirs = _ours(extra), (_step(extra, "queries-rdflib") or {}).get("data", {}).get("queries", {})
        rows = []
        for query, mine in ours.items():
            other = theirs.get(query, {})
            left = (f"> {mine['seconds']:.0f} s (timeout)" if mine.get("status") == "timeout"
                    else f"{_fmt(mine['seconds'])} ({mine['rows']})")
            right = (f"{_fmt(other['seconds'])} ({other['rows']})" if other.get("status") == "ok"
                     else f"> {other['seconds']:.0f} s (timeout)" if other.get("status") == "timeout" else "skipped")
            ratio = "–"
            if mine.get("status") == "ok" and other.get("status") in ("ok", "timeout"):
                value = other["seconds"] / max(mine["seconds"], 1e-6)
                ratio = f"{'>' if other['status'] == 'timeout' else ''}{value:.2f}×" if value < 10 else \
                    f"{'>' if other['status'] == 'timeout' else ''}{value:.0f}×"
            rows.append([query, left, right, ratio])
        lines += _table(["query", "toolkit", "rdflib", "rdflib / toolkit"], rows)
        if totals["names"]:
            lines += ["", (f"Sum over the {len(totals['names'])} queries both ran: toolkit {_fmt(totals['toolkit'])}, "
                          f"rdflib {'> ' if totals['bound'] else ''}{_fmt(totals['rdflib'])}: "
                          f"{'>' if totals['bound'] else ''}{totals['rdflib'] / max(totals['toolkit'], 1e-9):.0f}×; "
                          f"rdflib loaded the dataset in "
                          f"{_fmt((_step(extra, 'queries-rdflib') or {}).get('data', {}).get('load_seconds'))}.")]
    lines += ["", "## Validation reports", ""]
    for name, scale in scales.items():
        validate = _step(scale, "validate")
        peer = _step(scale, "pyshacl")
        if validate and validate["status"] == "ok":
            counts = validate["data"]["counts"]
            text = (f"- {name}: toolkit {counts['Violation']} violations, {counts['Warning']} warnings, "
                    f"{counts['Info']} infos")
            if peer and peer["status"] == "ok":
                same = peer["data"].get("same_report")
                text += f"; pySHACL {'the same report' if same else 'a different report'} " \
                        f"({peer['data'].get('differences', 0)} results differ)"
            elif peer:
                text += f"; pySHACL {peer['status']}"
            lines.append(text)
    if run.get("make_run"):
        lines += ["", "## `make run`", "",
                  (f"`kg build --out <tmp>` on the default dataset, after installation, in a child process: "
                  f"{_cell(run['make_run'])} (HermiT consistency check included, Java being installed).")]
    lines += ["", f"Raw measurements: `bench/work/results{'-quick' if run['mode'] == 'quick' else ''}.json`.", ""]
    (out / "results.md").write_text("\n".join(lines) + _kept_sections(out / "results.md"), encoding="utf-8")
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
        ("all canned queries (toolkit)", "queries", "tab:red", "-"),
        ("all canned queries (rdflib)", "queries-rdflib", "tab:red", ":"),
        ("projection (toolkit)", "project", "tab:purple", "-"),
        ("betweenness (toolkit, igraph)", "metric-betweenness-toolkit-igraph", "tab:orange", "-"),
        ("betweenness (igraph)", "metric-betweenness-igraph", "tab:orange", "--"),
        ("betweenness (NetworkX)", "metric-betweenness-networkx", "tab:orange", ":"),
        ("subset build (morph-kgc)", "morph-kgc", "tab:gray", ":"),
        ("subset build (toolkit)", "build-subset", "tab:gray", "-"),
        ("serialise N-Triples", "serialise", "tab:brown", "-"),
    ]
    figure, axes = plt.subplots(figsize=(12, 6.5))
    for label, key, colour, style in series:
        xs, ys, bound_x, bound_y = [], [], [], []
        for scale in run["scales"].values():
            triples = _triples(scale)
            seconds, bound = _seconds(_step(scale, key))
            if key == "queries-rdflib" or key == "queries":
                totals = _query_totals(scale)
                if totals["names"]:
                    seconds = totals["rdflib"] if key == "queries-rdflib" else totals["toolkit"]
                    bound = totals["bound"] if key == "queries-rdflib" else False
                elif key == "queries-rdflib":
                    seconds = None
            if triples and seconds:
                (bound_x if bound else xs).append(triples)
                (bound_y if bound else ys).append(seconds)
        if xs or bound_x:
            axes.plot(xs, ys, linestyle=style, marker="o", color=colour, label=label)
            if bound_x:
                axes.plot(bound_x, bound_y, linestyle="none", marker="^", markerfacecolor="none", color=colour)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("triples (union of the named graphs)")
    axes.set_ylabel("seconds")
    axes.set_title("kikg benchmarks: time against size (open triangles: timeout, a lower bound)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _kept_sections(results: Path) -> str:
    """The sections other benchmarks write into results.md between their markers (``python -m
    bench.virtuoso``: ``<!-- virtuoso:start -->`` ... ``<!-- virtuoso:end -->``), kept as they are."""
    old = results.read_text(encoding="utf-8") if results.exists() else ""
    start, end = "<!-- virtuoso:start -->", "<!-- virtuoso:end -->"
    if start not in old or end not in old:
        return ""
    return "\n" + start + old.split(start, 1)[1].split(end, 1)[0] + end + "\n"
