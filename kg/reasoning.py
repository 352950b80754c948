"""Consistency check of the ontology with the data, by the HermiT reasoner through owlready2.

HermiT only knows the datatypes of the OWL 2 datatype map; literals of other datatypes (``xsd:gYear``,
``xsd:gMonthDay``...) are ignored by the check, not rejected: SHACL validates them instead.
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

__all__ = ["ConsistencyReport", "check_consistency", "java_available"]


@dataclass(frozen=True)
class ConsistencyReport:
    """What the reasoner found."""

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    message: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Consistent, with no unsatisfiable class."""
        return self.consistent and not self.unsatisfiable


def java_available() -> bool:
    """Whether a Java runtime is on the PATH (HermiT needs one)."""
    return shutil.which("java") is not None


def check_consistency(triples: Iterable[ox.Triple | ox.Quad]) -> ConsistencyReport:
    """Run HermiT on ``triples`` (the ontology and the data, as one graph).

    Raises
    ------
    KGError
        If Java is missing or the reasoner fails for another reason than inconsistency.
    """
    import owlready2  # slow to import; only the reasoning step needs it

    if not java_available():
        raise KGError("the consistency check needs Java (HermiT runs on the JVM); install a JDK or skip it")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kikg-reasoning-") as directory:
        path = Path(directory) / "graph.nt"
        unique = {ox.Triple(t.subject, t.predicate, t.object) for t in triples}
        ox.serialize(sorted(unique, key=str), output=str(path), format=ox.RdfFormat.N_TRIPLES)
        world = owlready2.World()
        # owlready2 prints a warning for each property also typed as a Data Cube component
        # property; those typings are right (RDF Data Cube asks for them), so the noise is dropped.
        with contextlib.redirect_stderr(io.StringIO()):
            ontology = world.get_ontology(path.as_uri()).load()
        try:
            with ontology:
                owlready2.sync_reasoner_hermit(
                    world, infer_property_values=False, ignore_unsupported_datatypes=True, debug=0
                )
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            return ConsistencyReport(False, [], _first_line(exc), time.perf_counter() - started)
        except owlready2.OwlReadyJavaError as exc:
            raise KGError(f"the reasoner failed: {_first_line(exc)}") from None
        unsatisfiable = sorted(c.iri for c in world.inconsistent_classes() if c.iri != "http://www.w3.org/2002/07/owl#Nothing")
        world.close()
    return ConsistencyReport(True, unsatisfiable, "", time.perf_counter() - started)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
