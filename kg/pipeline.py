"""The full build: tables to a checked, analysed knowledge graph and all its output files.

:func:`run_build` is what ``kg build`` and ``make run`` do: map the tables, check consistency with
the reasoner, compute the network metrics and write them back, validate, run every canned query,
and write the outputs under one directory. Files are staged and renamed into place only when every
step has succeeded, so a failed build leaves the previous outputs intact.
"""

from __future__ import annotations

import enum
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg._lazy import lazy_import
from kg.api import KnowledgeGraph, build
from kg.dataset import RdfFormat
from kg.errors import InconsistentOntologyError, NotConformingError
from kg.network import centrality_frame, network_files
from kg.outputs import DirectoryStage
from kg.progress import SILENT, Progress
from kg.reasoning import CONSISTENCY_CACHE, ConsistencyCheck, ConsistencyReport, java_available
from kg.validation import ValidationReport
from kg.void import describe_dataset

if TYPE_CHECKING:
    import pandas as pd
else:  # loaded on first use, see kg._lazy
    pd = lazy_import("pandas")

__all__ = ["STEPS", "BuildSummary", "Reasoning", "run_build"]

STEPS = 7
"""Number of progress steps of :func:`run_build`."""


class Reasoning(enum.Enum):
    """Whether the build runs the HermiT consistency check."""

    ON = "on"
    OFF = "off"
    AUTO = "auto"
    """On when Java is available."""


@dataclass
class BuildSummary:
    """What a build produced."""

    graph: KnowledgeGraph
    triple_counts: dict[str, int]
    validation: ValidationReport
    consistency: ConsistencyReport | None
    centrality: pd.DataFrame
    files: list[Path] = field(default_factory=list)

    def top_actors(self, n: int = 5, *, metric: str = "betweenness") -> pd.DataFrame:
        """The ``n`` most central actors by ``metric``."""
        return self.centrality.sort_values([metric, "label"], ascending=[False, True]).head(n)

    def text(self) -> str:
        """The short summary ``make run`` prints."""
        base = self.graph.base_iri
        lines = ["Triples per named graph:"]
        width = max(len(g) for g in self.triple_counts) - len(base) + 2
        for graph, count in self.triple_counts.items():
            lines.append(f"  {graph.removeprefix(base):<{width}}{count:>8}")
        lines.append(f"  {'(union, distinct)':<{width}}{self.total_triples:>8}")
        counts = self.validation.counts()
        tally = (f"{counts['Violation']} violations, {counts['Warning']} warnings (inconsistencies in the sources), "
                 f"{counts['Info']} infos")
        if self.validation.conforms:
            lines.append(f"Validation: conforms: {tally}")
        else:
            # SHACL says the data does not conform as soon as there is a result; the build accepts
            # warnings and infos (as --allow-warnings), which record the sources' own disagreements.
            lines.append(f"Validation: {tally}; sh:conforms false, accepted: the build allows warnings and infos")
        if self.consistency is not None and self.consistency.reused:
            lines.append(f"Reasoning (HermiT): consistent (not run again: the ontology and data are those of the "
                         f"last consistent check, sha256 {self.consistency.digest[:12]})")
        elif self.consistency is not None:
            state = "consistent" if self.consistency.ok else "INCONSISTENT"
            lines.append(f"Reasoning (HermiT): {state} ({self.consistency.seconds:.1f} s, alongside the other steps)")
        else:
            lines.append("Reasoning (HermiT): skipped")
        lines.append("Most central actors (betweenness):")
        for rank, (_, row) in enumerate(self.top_actors().iterrows(), start=1):
            lines.append(f"  {rank}. {row['label']} ({row['type']}): betweenness {row['betweenness']:.3f}, degree {row['degree']}")
        lines.append(f"Wrote {len(self.files)} files.")
        return "\n".join(lines)

    total_triples: int = 0


def run_build(
    out_dir: str | Path = "build",
    *,
    sources: str | Path | None = None,
    base_iri: str | None = None,
    formats: tuple[RdfFormat, ...] = (),
    reasoning: Reasoning = Reasoning.AUTO,
    progress: Progress = SILENT,
) -> BuildSummary:
    """Build the knowledge graph and write every output under ``out_dir``.

    Outputs: ``kg.trig``, ``kg.nt`` (canonical), ``kg.ttl``, ``void.ttl``, extra ``formats``
    (``kg.nq``, ``kg.jsonld``), ``validation-report.ttl``, ``validation.csv``,
    ``reconciliation.csv``, ``centrality.csv``, ``network.graphml``, ``network.gexf``,
    ``network.png`` and ``queries/<name>.csv`` for every canned query.

    Raises
    ------
    InputError
        Bad input tables (nothing is written).
    InconsistentOntologyError
        The reasoner finds the data inconsistent (nothing is written).
    NotConformingError
        The data has SHACL violations: ``out_dir`` stays as it was, the reports go to
        ``<out_dir>-failed/``.

    Every file is written into a directory beside ``out_dir``, which replaces ``out_dir`` in one
    step when all of them are written (:class:`~kg.outputs.DirectoryStage`): an interrupted or
    failed build leaves ``out_dir`` exactly as it was.
    """
    out = Path(out_dir)
    with progress.step("mapping source tables"):
        graph = build(sources, base_iri=base_iri)
    check = None
    if reasoning is Reasoning.ON or (reasoning is Reasoning.AUTO and java_available()):
        # HermiT runs in its own JVM while the steps below go on, on the graph as mapped (before the
        # analysis graph); its answer is awaited before anything is written.
        check = ConsistencyCheck(graph.dataset.canonical_ntriples(), cache=out / CONSISTENCY_CACHE)
    try:
        return _analyse_and_write(graph, out, formats=formats, check=check, progress=progress)
    finally:
        if check is not None:
            check.cancel()  # stops the reasoner when a step failed first; nothing to stop otherwise


def _await_consistency(check: ConsistencyCheck | None, progress: Progress) -> ConsistencyReport | None:
    """The reasoner's answer; an inconsistency stops the build."""
    with progress.step("checking consistency (HermiT)"):
        if check is None:
            return None
        consistency = check.result()
    if not consistency.ok:
        detail = consistency.message or "unsatisfiable classes: " + ", ".join(consistency.unsatisfiable)
        raise InconsistentOntologyError(f"the ontology with the data is inconsistent: {detail}")
    return consistency


def _analyse_and_write(graph: KnowledgeGraph, out: Path, *, formats: tuple[RdfFormat, ...],
                       check: ConsistencyCheck | None, progress: Progress) -> BuildSummary:
    with progress.step("network metrics"):
        network = graph.network()
        frame = centrality_frame(network)
        graph.write_analysis(frame)
    with progress.step("validating (SHACL)"):
        report = graph.validate()
    failed = out.with_name(out.name + "-failed")
    stage = DirectoryStage(out)
    try:
        stage.write("validation-report.ttl", report.turtle())
        stage.write("validation.csv", report.to_csv().encode())
        if not report.passes(allow_warnings=True):
            _await_consistency(check, progress)  # an inconsistency comes first: no reports are kept
            reports = stage.keep_as(failed)
            counts = report.counts()
            refused = len(report) - counts["Warning"] - counts["Info"]
            raise NotConformingError(
                f"the data has {refused} SHACL violations (results other than warnings and infos); {out} is "
                f"unchanged; the reports are in {reports / 'validation.csv'} and {reports / 'validation-report.ttl'}"
            )
        with progress.step("running canned queries"):
            for query in graph.catalogue:
                result = graph.run_query(query.name)
                stage.write(f"queries/{query.name}.csv", result.to_delimited().encode())
        with progress.step("writing network files"):
            for name, data in network_files(network, frame).items():
                stage.write(name, data)
        with progress.step("serialising the dataset"):
            # Written straight to their files (sorted through runs on disk: bounded memory at any size).
            files = {"kg.trig": RdfFormat.TRIG, "kg.nt": RdfFormat.NTRIPLES, "kg.ttl": RdfFormat.TURTLE}
            files.update({f"kg.{extra.extension}": extra for extra in formats})
            total = 0
            for name, format in files.items():
                statements = graph.dataset.write(stage.path_for(name), format)
                total = statements if format is RdfFormat.NTRIPLES else total
            stage.write("void.ttl", describe_dataset(graph.dataset, files=files, triples=total))
            stage.write("reconciliation.csv", graph.reconciliation().to_csv(index=False, lineterminator="\n").encode())
        consistency = _await_consistency(check, progress)
        written = stage.commit()
    except BaseException:
        stage.discard()
        raise
    if failed.is_dir() and not failed.is_symlink():
        shutil.rmtree(failed, ignore_errors=True)  # the reports of an earlier failed build
    summary = BuildSummary(graph, graph.triple_counts(), report, consistency, frame, written)
    summary.total_triples = total
    return summary
