"""Consistency check of the ontology with the data, by the HermiT reasoner (the copy owlready2 ships).

HermiT runs as its own Java process on the triples written as N-Triples, asked for the classes
equivalent to ``owl:Nothing`` (``-U``): that answers both questions of the check, whether the graph
has a model at all (HermiT stops with ``InconsistentOntologyException`` when it has none) and which
named classes can have no member. Going through owlready2's Python world instead would load the
graph into its quadstore, write it out again and classify every class, property and instance, which
took three times as long for the same answer.

HermiT only knows the datatypes of the OWL 2 datatype map; literals of other datatypes (``xsd:gYear``,
``xsd:gMonthDay``...) are ignored by the check, not rejected: SHACL validates them instead.

The reasoner sees exactly the triples it is given: ``owl:imports`` statements are dropped first,
because the OWL API would otherwise download every imported ontology from the web. Reused
vocabularies (ORG, PROV, schema.org...) are therefore not part of the check; only what the kikg
ontology itself says about them (its sub-class and sub-property axioms) is.

Two things keep the check off the critical path of a build (:func:`kg.run_build`): a
:class:`ConsistencyCheck` runs in the background while the other steps go on, and with a ``cache``
file a check is not run again on the same input: the SHA-256 of the canonical N-Triples HermiT would
read (ontology plus data) is recorded after a consistent run, and a later check of the same bytes
with the same reasoner returns that result, marked ``reused``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KGError
from kg.vocabularies import OWL, RDF, RDFS, XSD

__all__ = ["CONSISTENCY_CACHE", "ConsistencyCheck", "ConsistencyReport", "check_consistency", "disjointness_clashes",
           "java_available", "reasoner_input"]

_OWL = str(OWL)
_RDFS = str(RDFS)
_OWL_IMPORTS = _OWL + "imports"
_OWL_NOTHING = _OWL + "Nothing"
_RDF_TYPE = str(RDF.type)
_EXPLAINED = 3
"""How many clashing entities an inconsistency message names."""
_IMPORTS_PREDICATE = f"<{_OWL_IMPORTS}>".encode()
_HERMIT_MAIN = "org.semanticweb.HermiT.cli.CommandLine"
_HERMIT_OPTIONS = ("-U", "--ignoreUnsupportedDatatypes")
_JAVA_OPTIONS = ("-Xmx2000M", "-XX:TieredStopAtLevel=1")
"""The Java heap HermiT gets (owlready2's default), and the quick compiler only: a run of seconds then
spends half the CPU time it spends with the optimising compiler, for the same answer."""
_PREFIXES = {"owl:": _OWL, "rdfs:": _RDFS, "rdf:": str(RDF), "xsd:": str(XSD)}

CONSISTENCY_CACHE = ".kg-consistency.json"
"""The file, in a build's output folder, recording the input of the last consistent check."""


@dataclass(frozen=True)
class ConsistencyReport:
    """What the reasoner found.

    Examples
    --------
    >>> ConsistencyReport(True).ok
    True
    >>> ConsistencyReport(True, ["https://example.org/Empty"]).ok
    False
    """

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    """IRIs of the named classes that can have no member (empty when the graph is inconsistent)."""
    message: str = ""
    """The reasoner's reason when the graph is inconsistent."""
    seconds: float = 0.0
    digest: str = ""
    """SHA-256 of the canonical N-Triples the reasoner was given (ontology plus data)."""
    reused: bool = False
    """True when HermiT did not run: the same input was found consistent by the last check."""

    @property
    def ok(self) -> bool:
        """Consistent, with no unsatisfiable class."""
        return self.consistent and not self.unsatisfiable


def java_available() -> bool:
    """Whether a Java runtime is on the PATH (HermiT needs one)."""
    return shutil.which("java") is not None


def reasoner_input(triples: Iterable[ox.Triple | ox.Quad] | bytes) -> bytes:
    """What HermiT reads: canonical N-Triples (sorted, unique) of ``triples`` without graph names and
    without ``owl:imports``; ``triples`` may also be N-Triples text (as :meth:`Dataset.canonical_ntriples
    <kg.dataset.Dataset.canonical_ntriples>` gives it).

    >>> n = ox.NamedNode
    >>> reasoner_input([ox.Triple(n("http://ex/b"), n("http://ex/p"), n("http://ex/c")),
    ...                 ox.Triple(n("http://ex/a"), n(_OWL_IMPORTS), n("http://ex/o"))])
    b'<http://ex/b> <http://ex/p> <http://ex/c> .\\n'
    """
    if isinstance(triples, bytes):
        lines = {line for line in triples.split(b"\n") if line and not line.startswith(b"#")}
    else:
        lines = {str(ox.Triple(t.subject, t.predicate, t.object)).encode() + b" ." for t in triples}
    # In N-Triples the subject holds no space, so the second word of a line is its predicate.
    kept = sorted(line for line in lines if line.split(b" ", 2)[1] != _IMPORTS_PREDICATE)
    return b"".join(line + b"\n" for line in kept)


def _hermit_classpath() -> str:
    # The HermiT jar owlready2 ships, found without importing owlready2 (slow to import, not needed).
    spec = importlib.util.find_spec("owlready2")
    if spec is None or spec.origin is None:
        raise KGError("the consistency check needs owlready2 (it ships HermiT): pip install owlready2")
    folder = Path(spec.origin).parent / "hermit"
    return os.pathsep.join([str(folder), str(folder / "HermiT.jar")])


def _reasoner() -> str:
    try:
        return f"HermiT of owlready2 {version('owlready2')} " + " ".join(_HERMIT_OPTIONS)
    except PackageNotFoundError:  # pragma: no cover - found by _hermit_classpath first
        return "HermiT " + " ".join(_HERMIT_OPTIONS)


class ConsistencyCheck:
    """HermiT on a snapshot of ``triples``, running in a background thread from construction on.

    The triples are read when the check is made, so later changes to the store (the analysis graph a
    build writes meanwhile) are not part of it. :meth:`result` waits for the answer; :meth:`cancel`
    stops the reasoner. With ``cache`` (a JSON file), a consistent result is recorded there with the
    digest of the input, and a later check of the same input returns it at once (``reused``).

    Raises
    ------
    KGError
        If Java is missing (at construction); from :meth:`result`, if the reasoner fails for another
        reason than an inconsistency.
    """

    def __init__(self, triples: Iterable[ox.Triple | ox.Quad] | bytes, *, cache: str | Path | None = None) -> None:
        java = shutil.which("java")
        if java is None:
            raise KGError("the consistency check needs Java (HermiT runs on the JVM); install a JDK or skip it")
        self._java = java
        self._data = reasoner_input(triples)
        self.digest = hashlib.sha256(self._data).hexdigest()
        self._cache = Path(cache) if cache is not None else None
        self._process: subprocess.Popen[str] | None = None
        self._cancelled = False
        self._lock = threading.Lock()
        self._report: ConsistencyReport | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="kikg-hermit", daemon=True)
        self._thread.start()

    def _stamp(self) -> dict[str, object]:
        return {"sha256": self.digest, "reasoner": _reasoner(), "consistent": True}

    def _recorded(self) -> bool:
        if self._cache is None:
            return False
        try:
            return bool(json.loads(self._cache.read_text(encoding="utf-8")) == self._stamp())
        except (OSError, ValueError):
            return False

    def _record(self) -> None:
        if self._cache is None:
            return
        temporary = self._cache.with_name(f"{self._cache.name}.tmp-{os.getpid()}")
        try:
            self._cache.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps(self._stamp(), indent=1) + "\n", encoding="utf-8")
            os.replace(temporary, self._cache)
        except OSError:  # a cache that cannot be written only costs the next check its time
            temporary.unlink(missing_ok=True)

    def _run(self) -> None:
        try:
            self._report = self._check()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller of result()
            self._error = exc

    def _check(self) -> ConsistencyReport:
        started = time.perf_counter()
        if self._recorded():
            return ConsistencyReport(True, [], "", time.perf_counter() - started, self.digest, reused=True)
        with tempfile.TemporaryDirectory(prefix="kikg-reasoning-") as directory:
            path = Path(directory) / "graph.nt"
            path.write_bytes(self._data)
            command = [self._java, *_JAVA_OPTIONS, "-cp", _hermit_classpath(), _HERMIT_MAIN,
                       *_HERMIT_OPTIONS, path.as_uri()]
            with self._lock:
                if self._cancelled:
                    raise KGError("the consistency check was cancelled")
                self._process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                                 stdin=subprocess.DEVNULL, text=True)
            out, err = self._process.communicate()
        seconds = time.perf_counter() - started
        if self._process.returncode != 0:
            if self._cancelled:
                raise KGError("the consistency check was cancelled")
            if "InconsistentOntologyException" in err:
                triples = ox.parse(self._data, format=ox.RdfFormat.N_TRIPLES)
                reason = disjointness_clashes(triples) or "HermiT found no model of the ontology with the data"
                return ConsistencyReport(False, [], reason, seconds, self.digest)
            raise KGError(f"the reasoner failed: {_reason(err)}")
        unsatisfiable = sorted(iri for iri in _named_classes(out) if iri != _OWL_NOTHING)
        report = ConsistencyReport(True, unsatisfiable, "", seconds, self.digest)
        if report.ok:
            self._record()
        return report

    def result(self) -> ConsistencyReport:
        """Wait for the reasoner and return its report.

        Raises
        ------
        KGError
            If the reasoner failed for another reason than an inconsistency, or was cancelled.
        """
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._report is not None
        return self._report

    def cancel(self) -> None:
        """Stop the reasoner (when a build fails meanwhile); :meth:`result` then raises."""
        with self._lock:
            self._cancelled = True
            if self._process is not None and self._process.poll() is None:
                self._process.kill()


def check_consistency(triples: Iterable[ox.Triple | ox.Quad] | bytes, *, cache: str | Path | None = None
                      ) -> ConsistencyReport:
    """Run HermiT on ``triples`` (the ontology and the data, as one graph; graph names are dropped)
    and wait for its report. ``triples`` and ``cache`` are as for :class:`ConsistencyCheck`.

    Raises
    ------
    KGError
        If Java is missing or the reasoner fails for another reason than inconsistency.
    """
    return ConsistencyCheck(triples, cache=cache).result()


def _named_classes(output: str) -> list[str]:
    """The classes HermiT lists under "Classes equivalent to 'owl:Nothing':" (one a line, tab first)."""
    classes = []
    for line in output.splitlines():
        if not line.startswith("\t"):
            continue
        name = line.strip()
        if name.startswith("<") and name.endswith(">"):
            classes.append(name[1:-1])
        else:
            prefix = next((p for p in _PREFIXES if name.startswith(p)), None)
            classes.append(_PREFIXES[prefix] + name[len(prefix):] if prefix else name)
    return classes


def disjointness_clashes(triples: Iterable[ox.Triple]) -> str:
    """Name entities that belong to two disjoint classes, the usual cause of an inconsistency.

    HermiT only says *that* a graph is inconsistent. This looks for the common reason with plain
    RDFS: each entity's classes are its ``rdf:type`` values and the ``rdfs:domain`` and
    ``rdfs:range`` of the properties it is used with (sub-properties included), closed over
    ``rdfs:subClassOf``; two of them declared ``owl:disjointWith`` is a clash. Returns an empty
    string when it finds none (the inconsistency then has another cause, such as a functional
    property with two values).

    Examples
    --------
    >>> ex = "https://example.org/"
    >>> n = ox.NamedNode
    >>> graph = [ox.Triple(n(ex + "A"), n(_OWL + "disjointWith"), n(ex + "B")),
    ...          ox.Triple(n(ex + "x"), n(_RDF_TYPE), n(ex + "A")),
    ...          ox.Triple(n(ex + "x"), n(_RDF_TYPE), n(ex + "B"))]
    >>> print(disjointness_clashes(graph))
    <https://example.org/x> is both <https://example.org/A> and <https://example.org/B>, which are disjoint
    """
    triples = list(triples)
    parents: dict[str, set[str]] = {}
    super_properties: dict[str, set[str]] = {}
    domains: dict[str, set[str]] = {}
    ranges: dict[str, set[str]] = {}
    disjoint: set[tuple[str, str]] = set()
    for t in triples:
        if not isinstance(t.object, ox.NamedNode) or not isinstance(t.subject, ox.NamedNode):
            continue
        s, p, o = t.subject.value, t.predicate.value, t.object.value
        if p == _RDFS + "subClassOf":
            parents.setdefault(s, set()).add(o)
        elif p == _RDFS + "subPropertyOf":
            super_properties.setdefault(s, set()).add(o)
        elif p == _RDFS + "domain":
            domains.setdefault(s, set()).add(o)
        elif p == _RDFS + "range":
            ranges.setdefault(s, set()).add(o)
        elif p == _OWL + "disjointWith":
            disjoint.update({(s, o), (o, s)})
    if not disjoint:
        return ""

    def closure(start: set[str], edges: dict[str, set[str]]) -> set[str]:
        seen, todo = set(start), list(start)
        while todo:
            for parent in edges.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    classes: dict[str, set[str]] = {}
    property_closures: dict[str, set[str]] = {}
    for t in triples:
        subject, predicate = t.subject, t.predicate.value
        if predicate == _RDF_TYPE and isinstance(subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode):
            classes.setdefault(subject.value, set()).add(t.object.value)
            continue
        if predicate not in property_closures:
            property_closures[predicate] = closure({predicate}, super_properties)
        for prop in property_closures[predicate]:
            if isinstance(subject, ox.NamedNode):
                classes.setdefault(subject.value, set()).update(domains.get(prop, ()))
            if isinstance(t.object, ox.NamedNode):
                classes.setdefault(t.object.value, set()).update(ranges.get(prop, ()))
    clashes = []
    for entity in sorted(classes):
        types = sorted(closure(classes[entity], parents))
        pair = next(((a, b) for a in types for b in types if a < b and (a, b) in disjoint), None)
        if pair:
            clashes.append(f"<{entity}> is both <{pair[0]}> and <{pair[1]}>, which are disjoint")
        if len(clashes) == _EXPLAINED:
            break
    return "; ".join(clashes)


def _reason(output: str) -> str:
    """The most telling line of a Java error, or a plain statement when it has none."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in lines:
        if "Exception:" in line:
            return line
    return lines[0] if lines else "HermiT stopped without a message"
