"""Consistency check of the ontology with the data, by the HermiT reasoner through owlready2.

HermiT only knows the datatypes of the OWL 2 datatype map; literals of other datatypes (``xsd:gYear``,
``xsd:gMonthDay``...) are ignored by the check, not rejected: SHACL validates them instead.

The reasoner sees exactly the triples it is given: ``owl:imports`` statements are dropped before
owlready2 reads them, because owlready2 would otherwise download every imported ontology from the
web. Reused vocabularies (ORG, PROV, schema.org...) are therefore not part of the check; only what
the kikg ontology itself says about them (its sub-class and sub-property axioms) is.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KGError

__all__ = ["ConsistencyReport", "check_consistency", "disjointness_clashes", "java_available"]

_OWL = "http://www.w3.org/2002/07/owl#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL_IMPORTS = _OWL + "imports"
_OWL_NOTHING = _OWL + "Nothing"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_EXPLAINED = 3
"""How many clashing entities an inconsistency message names."""


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

    @property
    def ok(self) -> bool:
        """Consistent, with no unsatisfiable class."""
        return self.consistent and not self.unsatisfiable


def java_available() -> bool:
    """Whether a Java runtime is on the PATH (HermiT needs one)."""
    return shutil.which("java") is not None


def check_consistency(triples: Iterable[ox.Triple | ox.Quad]) -> ConsistencyReport:
    """Run HermiT on ``triples`` (the ontology and the data, as one graph; graph names are dropped).

    Raises
    ------
    KGError
        If Java is missing or the reasoner fails for another reason than inconsistency.
    """
    import owlready2  # slow to import; only the reasoning step needs it

    if not java_available():
        raise KGError("the consistency check needs Java (HermiT runs on the JVM); install a JDK or skip it")
    started = time.perf_counter()
    unique = {
        ox.Triple(t.subject, t.predicate, t.object) for t in triples if t.predicate.value != _OWL_IMPORTS
    }
    with tempfile.TemporaryDirectory(prefix="kikg-reasoning-") as directory:
        path = Path(directory) / "graph.nt"
        ox.serialize(sorted(unique, key=str), output=str(path), format=ox.RdfFormat.N_TRIPLES)
        world = owlready2.World()
        try:
            # owlready2 prints a warning for each property also typed as a Data Cube component
            # property; those typings are right (RDF Data Cube asks for them), so the noise is dropped.
            with contextlib.redirect_stderr(io.StringIO()):
                try:
                    ontology = world.get_ontology(path.as_uri()).load()
                except owlready2.OwlReadyOntologyParsingError as exc:
                    raise KGError(f"the reasoner cannot read the graph: {_reason(exc)}") from None
            try:
                with ontology:
                    owlready2.sync_reasoner_hermit(
                        world, infer_property_values=False, ignore_unsupported_datatypes=True, debug=0
                    )
            except owlready2.OwlReadyInconsistentOntologyError as exc:
                reason = disjointness_clashes(unique) or _reason(exc)
                return ConsistencyReport(False, [], reason, time.perf_counter() - started)
            except owlready2.OwlReadyJavaError as exc:
                raise KGError(f"the reasoner failed: {_reason(exc)}") from None
            unsatisfiable = sorted(c.iri for c in world.inconsistent_classes() if c.iri != _OWL_NOTHING)
        finally:
            world.close()
    return ConsistencyReport(True, unsatisfiable, "", time.perf_counter() - started)


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


def _reason(exc: Exception) -> str:
    """The most telling line of an owlready2 error, or a plain statement when it has none."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    for line in lines:
        if "Exception:" in line:
            return line
    return lines[0] if lines else "HermiT found no model of the ontology with the data"
