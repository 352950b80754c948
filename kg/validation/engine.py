"""The Oxigraph engine: focus nodes, value nodes and the constraints of every shape, over the data.

The data graph is the union of the graphs of a pyoxigraph store, or, for files, an
``ox.Dataset`` with the terms exactly as parsed (a store normalises literals: ``"01"^^xsd:integer``
becomes ``"1"``, ``xsd:byte`` becomes ``xsd:integer``, which ``sh:datatype``, ``sh:in`` and
``sh:hasValue`` would see). Values are read a predicate at a time into maps from subject to
objects, which each path follows; SPARQL runs on the store (made from the dataset when a shape
needs it). Checks that SPARQL defines (comparisons, regular expressions) run on Oxigraph in one
query per constraint over a scratch store of the values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pyoxigraph as ox

from kg.errors import ShapesError
from kg.validation.components import PropertyConstraint, Shape, ValueNodes
from kg.validation.paths import Path, PredicatePath, path_values
from kg.validation.report import ValidationResult
from kg.validation.shapes import ShapesModel
from kg.validation.terms import RDF, RDFS, SH, Term

__all__ = ["DataGraph", "Engine"]

_SMALL = 64
"""Up to this many nodes, values are looked up node by node instead of reading a whole predicate."""


class DataGraph:
    """The data: a store, or the exact quads of files (with a store made on demand for SPARQL)."""

    def __init__(self, *, store: ox.Store | None = None, dataset: ox.Dataset | None = None) -> None:
        if (store is None) == (dataset is None):
            raise ValueError("give a store or a dataset")
        self._store = store
        self._dataset = dataset
        self._forward: dict[ox.NamedNode, dict[Term, list[Term]]] = {}
        self._backward: dict[ox.NamedNode, dict[Term, list[Term]]] = {}

    @property
    def store(self) -> ox.Store:
        """The store SPARQL runs on."""
        if self._store is None:
            assert self._dataset is not None
            self._store = ox.Store()
            self._store.extend(self._dataset)
        return self._store

    @property
    def exact(self) -> bool:
        """Whether the terms are exactly as parsed (a dataset), not normalised by a store."""
        return self._dataset is not None

    def _quads(self, subject: Term | None, predicate: ox.NamedNode | None, obj: Term | None) -> Iterable[ox.Quad]:
        if self._dataset is not None:
            if subject is not None:
                return (q for q in self._dataset.quads_for_subject(subject)  # type: ignore[arg-type]
                        if predicate is None or q.predicate == predicate)
            if obj is not None:
                return (q for q in self._dataset.quads_for_object(obj) if predicate is None or q.predicate == predicate)
            assert predicate is not None
            return self._dataset.quads_for_predicate(predicate)
        assert self._store is not None
        if isinstance(subject, ox.Literal):
            return ()
        return self._store.quads_for_pattern(subject, predicate, obj, None)

    def forward(self, predicate: ox.NamedNode) -> dict[Term, list[Term]]:
        """Subject to objects of ``predicate`` (each list without duplicates)."""
        if predicate not in self._forward:
            values: dict[Term, list[Term]] = {}
            get = values.get  # this loop reads every triple of the predicate: keep it lean
            for quad in self._quads(None, predicate, None):
                subject = quad.subject
                objects = get(subject)  # type: ignore[arg-type]
                if objects is None:
                    values[subject] = [quad.object]  # type: ignore[index,list-item]
                else:
                    objects.append(quad.object)  # type: ignore[arg-type]
            self._forward[predicate] = _distinct(values)
        return self._forward[predicate]

    def backward(self, predicate: ox.NamedNode) -> dict[Term, list[Term]]:
        """Object to subjects of ``predicate``."""
        if predicate not in self._backward:
            values: dict[Term, list[Term]] = {}
            for subject, objects in self.forward(predicate).items():
                for obj in objects:
                    values.setdefault(obj, []).append(subject)
            self._backward[predicate] = values
        return self._backward[predicate]

    def lookup(self, node: Term, predicate: ox.NamedNode, inverse: bool) -> list[Term]:
        """The values of one node, without reading the whole predicate."""
        if predicate in (self._backward if inverse else self._forward):
            return (self._backward if inverse else self._forward)[predicate].get(node, [])
        if inverse:
            return list(dict.fromkeys(q.subject for q in self._quads(None, predicate, node)))  # type: ignore[misc]
        return list(dict.fromkeys(q.object for q in self._quads(node, predicate, None)))  # type: ignore[misc]

    def outgoing(self, node: Term) -> list[tuple[ox.NamedNode, Term]]:
        """The distinct (predicate, object) pairs of ``node``."""
        if isinstance(node, ox.Literal):
            return []
        return list(dict.fromkeys((q.predicate, q.object) for q in self._quads(node, None, None)))  # type: ignore[misc]


def _distinct(values: dict[Term, list[Term]]) -> dict[Term, list[Term]]:
    for key, objects in values.items():
        if len(objects) > 1:
            unique = list(dict.fromkeys(objects))
            if len(unique) != len(objects):
                values[key] = unique
    return values


class _Lookup(Mapping[Term, list[Term]]):
    """The values of a predicate for a few nodes, looked up when asked."""

    def __init__(self, data: DataGraph, predicate: ox.NamedNode, inverse: bool) -> None:
        self.data, self.predicate, self.inverse = data, predicate, inverse
        self.cache: dict[Term, list[Term]] = {}

    def __getitem__(self, node: Term) -> list[Term]:
        if node not in self.cache:
            self.cache[node] = self.data.lookup(node, self.predicate, self.inverse)
        return self.cache[node]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.cache)

    def __len__(self) -> int:
        return len(self.cache)


class Engine:
    """One validation run of a shapes model over a data graph (implements the constraints' context)."""

    def __init__(self, data: DataGraph, model: ShapesModel) -> None:
        self.data = data
        self.model = model
        self._instances: dict[Term, set[Term]] = {}
        self._conforms: dict[int, dict[Term, bool]] = {}
        self._active: set[int] = set()
        self._rows = [ox.NamedNode(f"urn:kikg:validation:column:{i}") for i in range(3)]

    @property
    def store(self) -> ox.Store:
        return self.data.store

    def run(self) -> list[ValidationResult]:
        """The results of every shape with targets."""
        results: list[ValidationResult] = []
        for shape, targets in self.model.shapes:
            if shape.deactivated:
                continue
            focus = self.focus_nodes(targets)
            if focus:
                results.extend(self.results(shape, focus))
        return results

    def focus_nodes(self, targets: Sequence[tuple[ox.NamedNode, Term]]) -> list[Term]:
        nodes: dict[Term, None] = {}
        for kind, value in targets:
            if kind == SH.targetNode:
                nodes[value] = None
            elif kind == SH.targetClass:
                nodes.update(dict.fromkeys(self.instances(value)))
            elif kind == SH.targetSubjectsOf and isinstance(value, ox.NamedNode):
                nodes.update(dict.fromkeys(self.data.forward(value)))
            elif kind == SH.targetObjectsOf and isinstance(value, ox.NamedNode):
                nodes.update(dict.fromkeys(self.data.backward(value)))
        return list(nodes)

    # -- the context of constraints -------------------------------------------------------------

    def instances(self, cls: Term) -> set[Term]:
        """The SHACL instances of ``cls`` in the data (``rdf:type/rdfs:subClassOf*``)."""
        if cls not in self._instances:
            subclasses = self.data.backward(RDFS.subClassOf)
            classes, frontier = {cls}, [cls]
            while frontier:
                for sub in subclasses.get(frontier.pop(), ()):
                    if sub not in classes:
                        classes.add(sub)
                        frontier.append(sub)
            typed = self.data.backward(RDF.type)
            self._instances[cls] = {node for c in classes for node in typed.get(c, ())}
        return self._instances[cls]

    def values(self, path: Path, nodes: Iterable[Term]) -> dict[Term, list[Term]]:
        nodes = list(nodes)
        if len(nodes) > _SMALL:
            if isinstance(path, PredicatePath):
                forward = self.data.forward(path.iri)
                return {node: forward.get(node, []) for node in nodes}

            def step(predicate: ox.NamedNode, inverse: bool) -> Mapping[Term, list[Term]]:
                return self.data.backward(predicate) if inverse else self.data.forward(predicate)
        else:
            lookups: dict[tuple[ox.NamedNode, bool], _Lookup] = {}

            def step(predicate: ox.NamedNode, inverse: bool) -> Mapping[Term, list[Term]]:
                key = (predicate, inverse)
                if key not in lookups:
                    lookups[key] = _Lookup(self.data, predicate, inverse)
                return lookups[key]

        return path_values(path, nodes, step)

    def outgoing(self, node: Term) -> list[tuple[ox.NamedNode, Term]]:
        return self.data.outgoing(node)

    def results(self, shape: Shape, focus: Sequence[Term]) -> list[ValidationResult]:
        return [result for _, result in self._evaluate(shape, focus)]

    def results_by_focus(self, shape: Shape, focus: Sequence[Term]) -> dict[Term, list[ValidationResult]]:
        grouped: dict[Term, list[ValidationResult]] = {}
        for node, result in self._evaluate(shape, focus):
            grouped.setdefault(node, []).append(result)
        return grouped

    def _evaluate(self, shape: Shape, focus: Sequence[Term]) -> list[tuple[Term, ValidationResult]]:
        """The results of ``shape`` on ``focus``, each with the focus node it belongs to."""
        if shape.deactivated:
            return []
        values = ValueNodes({f: [f] for f in focus} if shape.path is None else self.values(shape.path, focus))
        results: list[tuple[Term, ValidationResult]] = []
        for constraint in shape.constraints:
            if isinstance(constraint, PropertyConstraint):
                results.extend(constraint.attributed(self, values))
            else:
                results.extend((r.focus, r) for r in constraint.evaluate(self, shape, values))
        return results

    def conforming(self, shape: Shape, nodes: Iterable[Term]) -> set[Term]:
        """The nodes of ``nodes`` that conform to ``shape`` (validating them against it gives no result)."""
        known = self._conforms.setdefault(id(shape), {})
        nodes = set(nodes)
        todo = [n for n in nodes if n not in known]
        if todo:
            if id(shape) in self._active:
                raise ShapesError(f"shape {shape.name} refers to itself through sh:node, sh:property or a logical "
                                  "constraint; SHACL leaves recursive shapes undefined")
            self._active.add(id(shape))
            try:
                failing = {node for node, _ in self._evaluate(shape, todo)}
            finally:
                self._active.discard(id(shape))
            for node in todo:
                known[node] = node not in failing
        return {n for n in nodes if known[n]}

    def holds(self, rows: Sequence[tuple[Term, ...]], expression: str,
              constants: Mapping[str, Term] | None = None) -> list[bool]:
        """Whether the SPARQL ``expression`` over ``?a``, ``?b``, ``?c`` (a row each) is true; an error is false.

        The rows go into a scratch store and one query decides them all, with SPARQL's own
        semantics (comparisons across numeric types, dates with and without time zones, regular
        expressions of XPath in linear time).
        """
        if not rows:
            return []
        scratch = ox.Store()
        quads: list[ox.Quad] = []
        for i, row in enumerate(rows):
            node = ox.NamedNode(f"urn:kikg:validation:row:{i}")
            quads.extend(ox.Quad(node, self._rows[k], term) for k, term in enumerate(row))
        scratch.extend(quads)
        columns = " ; ".join(f"<{self._rows[k].value}> ?{'abc'[k]}" for k in range(len(rows[0])))
        constants = dict(constants or {})
        projection = " ".join("?" + name for name in ["row", *constants])
        query = f"SELECT {projection} WHERE {{ ?row {columns} . FILTER (COALESCE({expression}, false)) }}"
        solutions = scratch.query(query, substitutions={ox.Variable(k): v for k, v in constants.items()})
        assert isinstance(solutions, ox.QuerySolutions)
        true = {int(s["row"].value.rsplit(":", 1)[1]) for s in solutions}
        return [i in true for i in range(len(rows))]
