"""The two validation engines: pySHACL (the reference) and the Oxigraph engine (the fast path).

The reference engine runs pySHACL over an rdflib graph holding the union of the dataset's graphs.
The Oxigraph engine reads the same shapes into a model (:mod:`kg.validation.shapes`), fetches focus
and value nodes with one SPARQL query per target and per path, checks core constraints in Python
with the same rules as pySHACL, and runs each SPARQL-based constraint once over all focus nodes
instead of once per focus node. Tests check that both give the same results on the project's data
and on a fixture for every rule.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.validation.report import Severity, ValidationResult
from kg.validation.shapes import NodeShape, PropertyShape, ShapeModel
from kg.vocabularies import RDF, SH, XSD

__all__ = ["cached_sparql_translation", "to_rdflib", "union_graph", "validate_with_oxigraph", "validate_with_pyshacl"]


# -- term conversion ---------------------------------------------------------------------------


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> Node:
    """Convert a pyoxigraph term to the equivalent rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"cannot convert {term!r}")


def union_graph(store: ox.Store) -> Graph:
    """An rdflib graph with the union of all graphs of ``store`` (for pySHACL)."""
    graph = Graph()
    for quad in store:
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph


# -- reference engine --------------------------------------------------------------------------


@contextmanager
def cached_sparql_translation() -> Iterator[None]:
    """Memoise rdflib's SPARQL parsing and translation while the block runs.

    pySHACL runs each SPARQL-based constraint once per focus node with the same text, and rdflib
    parses it every time (its parser dominates the run). Evaluating a translated query does not
    change it (that is what ``prepareQuery`` relies on), so reusing the translation leaves results
    unchanged. The tests use this to compare the engines on many fixtures in reasonable time; the
    benchmarks run pySHACL without it.
    """
    from rdflib.plugins.sparql import processor

    original_parse = getattr(processor, "parseQuery")  # noqa: B009 - not exported names of rdflib
    original_translate = getattr(processor, "translateQuery")  # noqa: B009
    parsed: dict[str, object] = {}
    translated: dict[tuple[int, object, object], object] = {}

    def parse(text: str) -> object:
        if text not in parsed:
            parsed[text] = original_parse(text)
        return parsed[text]

    def translate(tree: object, base: object = None, namespaces: object = None) -> object:
        key = (id(tree), base, tuple(sorted(namespaces.items())) if isinstance(namespaces, dict) else namespaces)
        if key not in translated:
            translated[key] = original_translate(tree, base, namespaces)
        return translated[key]

    setattr(processor, "parseQuery", parse)  # noqa: B010
    setattr(processor, "translateQuery", translate)  # noqa: B010
    try:
        yield
    finally:
        setattr(processor, "parseQuery", original_parse)  # noqa: B010
        setattr(processor, "translateQuery", original_translate)  # noqa: B010



def validate_with_pyshacl(data: Graph, shapes: Graph) -> list[ValidationResult]:
    """Validate ``data`` with pySHACL and read its report into results."""
    import pyshacl  # imported here: pySHACL is slow to import and only the reference engine needs it

    _, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        allow_infos=True,
    )
    results = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        messages = sorted(str(m) for m in report.objects(node, SH.resultMessage))
        results.append(
            ValidationResult(
                severity=Severity.from_iri(report.value(node, SH.resultSeverity)),
                focus=report.value(node, SH.focusNode),
                path=report.value(node, SH.resultPath),
                value=report.value(node, SH.value),
                shape=report.value(node, SH.sourceShape),
                component=report.value(node, SH.sourceConstraintComponent),
                source_constraint=report.value(node, SH.sourceConstraint),
                message=" | ".join(messages) if messages else None,
            )
        )
    return results


# -- Oxigraph engine ---------------------------------------------------------------------------

_SUBCLASS_QUERY = "SELECT DISTINCT ?x WHERE {{ ?x <{rdf_type}>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{cls}> }}"
_NUMERIC = {str(XSD[n]) for n in ("integer", "decimal", "double", "float", "int", "long", "short", "byte",
                                  "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
                                  "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}


class _Context:
    """Caches of focus sets, class extensions and path values for one validation run."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self._instances: dict[str, set[Node]] = {}
        self._values: dict[str, dict[Node, list[Node]]] = {}

    def query(self, sparql: str) -> ox.QuerySolutions:
        result = self.store.query(sparql, use_default_graph_as_union=True)
        assert isinstance(result, ox.QuerySolutions)
        return result

    def instances(self, cls: str) -> set[Node]:
        if cls not in self._instances:
            query = _SUBCLASS_QUERY.format(rdf_type=RDF.type, cls=cls)
            self._instances[cls] = {to_rdflib(s["x"]) for s in self.query(query)}
        return self._instances[cls]

    def values(self, path: str) -> dict[Node, list[Node]]:
        if path not in self._values:
            values: dict[Node, list[Node]] = defaultdict(list)
            for solution in self.query(f"SELECT ?s ?o WHERE {{ ?s <{path}> ?o }}"):
                values[to_rdflib(solution["s"])].append(to_rdflib(solution["o"]))
            self._values[path] = values
        return self._values[path]

    def focus_nodes(self, shape: NodeShape) -> list[Node]:
        nodes: set[Node] = set()
        for kind, target in shape.targets:
            if kind == SH.targetClass:
                nodes |= self.instances(str(target))
            elif kind == SH.targetNode:
                nodes.add(target)
            elif kind == SH.targetSubjectsOf:
                nodes |= set(self.values(str(target)))
            elif kind == SH.targetObjectsOf:
                nodes |= {v for vs in self.values(str(target)).values() for v in vs}
        return sorted(nodes, key=str)


def validate_with_oxigraph(store: ox.Store, model: ShapeModel) -> list[ValidationResult]:
    """Validate the union of the graphs of ``store`` against the compiled shapes."""
    context = _Context(store)
    results: list[ValidationResult] = []
    for shape in model.shapes:
        focus_nodes = context.focus_nodes(shape)
        if not focus_nodes:
            continue
        for property_shape in shape.properties:
            results.extend(_check_property_shape(context, property_shape, focus_nodes))
        for constraint in shape.sparql:
            results.extend(_run_sparql_constraint(context, shape, constraint, focus_nodes))
    return results


def _result(shape: PropertyShape, focus: Node, component: URIRef, value: Node | None = None) -> ValidationResult:
    return ValidationResult(
        severity=Severity.from_iri(shape.severity),
        focus=focus,
        path=shape.path,
        value=value,
        shape=shape.node,
        component=component,
        source_constraint=None,
        message=" | ".join(sorted(str(m) for m in shape.messages)) or None,
    )


def _check_property_shape(context: _Context, shape: PropertyShape, focus_nodes: list[Node]) -> Iterable[ValidationResult]:
    values_by_focus = context.values(str(shape.path))
    constraints = shape.constraints
    for focus in focus_nodes:
        values = list(dict.fromkeys(values_by_focus.get(focus, ())))
        if SH.minCount in constraints and len(values) < int(constraints[SH.minCount]):  # type: ignore[call-overload]
            yield _result(shape, focus, SH.MinCountConstraintComponent)
        if SH.maxCount in constraints and len(values) > int(constraints[SH.maxCount]):  # type: ignore[call-overload]
            yield _result(shape, focus, SH.MaxCountConstraintComponent)
        if SH.hasValue in constraints and constraints[SH.hasValue] not in values:
            yield _result(shape, focus, SH.HasValueConstraintComponent)
        if constraints.get(SH.uniqueLang) == Literal(True):
            seen: set[str] = set()
            duplicates: set[str] = set()
            for value in values:
                if isinstance(value, Literal) and value.language:
                    language = value.language.lower()
                    (duplicates if language in seen else seen).add(language)
            for _ in sorted(duplicates):
                yield _result(shape, focus, SH.UniqueLangConstraintComponent)
        for value in values:
            for component in _failed_value_components(context, shape, value):
                yield _result(shape, focus, component, value)


def _failed_value_components(context: _Context, shape: PropertyShape, value: Node) -> Iterable[URIRef]:
    constraints = shape.constraints
    if SH.datatype in constraints and not _datatype_matches(value, constraints[SH.datatype]):
        yield SH.DatatypeConstraintComponent
    if SH["class"] in constraints and (
        isinstance(value, Literal) or value not in context.instances(str(constraints[SH["class"]]))
    ):
        yield SH.ClassConstraintComponent
    if SH.nodeKind in constraints and not _node_kind_matches(value, constraints[SH.nodeKind]):
        yield SH.NodeKindConstraintComponent
    if SH["in"] in constraints and value not in shape.in_values:
        yield SH.InConstraintComponent
    if SH.pattern in constraints:
        flags = re.IGNORECASE if "i" in str(constraints.get(SH.flags, "")) else 0
        if isinstance(value, BNode) or not re.search(str(constraints[SH.pattern]), str(value), flags):
            yield SH.PatternConstraintComponent
    for key, component, accepted in _RANGES:
        if key in constraints:
            comparison = _compare(value, constraints[key])
            if comparison is None or comparison not in accepted:
                yield component
    if SH.minLength in constraints and (
        isinstance(value, BNode) or len(_string(value)) < int(constraints[SH.minLength])  # type: ignore[call-overload]
    ):
        yield SH.MinLengthConstraintComponent
    if SH.maxLength in constraints and (
        isinstance(value, BNode) or len(_string(value)) > int(constraints[SH.maxLength])  # type: ignore[call-overload]
    ):
        yield SH.MaxLengthConstraintComponent
    if SH.languageIn in constraints and not _language_matches(value, shape.language_in):
        yield SH.LanguageInConstraintComponent
    if shape.or_datatypes and not any(_datatype_matches(value, d) for d in shape.or_datatypes):
        yield SH.OrConstraintComponent


# For each range constraint, the comparisons of value with bound (-1, 0, 1) that satisfy it.
_RANGES = (
    (SH.minInclusive, SH.MinInclusiveConstraintComponent, (0, 1)),
    (SH.maxInclusive, SH.MaxInclusiveConstraintComponent, (-1, 0)),
    (SH.minExclusive, SH.MinExclusiveConstraintComponent, (1,)),
    (SH.maxExclusive, SH.MaxExclusiveConstraintComponent, (-1,)),
)


def _string(value: Node) -> str:
    return str(value)


def _datatype_matches(value: Node, rule: Node) -> bool:
    """pySHACL's sh:datatype semantics, including its ill-typed literal check."""
    if not isinstance(value, Literal):
        return False
    if value.datatype == rule:
        if getattr(value, "ill_typed", None) is True:
            return False
        python = value.value
        checks = {
            XSD.string: (str, bytes), XSD.integer: int, XSD.float: float, XSD.decimal: Decimal,
            XSD.boolean: bool, XSD.date: date, XSD.time: time, XSD.dateTime: datetime,
        }
        expected = checks.get(rule)  # type: ignore[call-overload]
        return True if expected is None else isinstance(python, expected)
    if rule == URIRef("http://www.w3.org/2000/01/rdf-schema#Literal"):
        return True
    if value.datatype is None and value.language is None and rule == XSD.string:
        return isinstance(value.value, (str, bytes))
    if rule == RDF.langString and value.language:
        return isinstance(value.value, (str, bytes))
    return False


def _node_kind_matches(value: Node, kind: Node) -> bool:
    if isinstance(value, BNode):
        return kind in (SH.BlankNode, SH.BlankNodeOrLiteral, SH.BlankNodeOrIRI)
    if isinstance(value, Literal):
        return kind in (SH.Literal, SH.BlankNodeOrLiteral, SH.IRIOrLiteral)
    return kind in (SH.IRI, SH.IRIOrLiteral, SH.BlankNodeOrIRI)


def _language_matches(value: Node, languages: tuple[str, ...]) -> bool:
    if not isinstance(value, Literal) or not value.language:
        return False
    language = value.language.lower()
    return "*" in languages or language in languages or language.split("-")[0] in languages


def _compare(value: Node, bound: Node) -> int | None:
    """-1, 0 or 1 comparing two numeric literals; None when they cannot be compared."""
    if not isinstance(value, Literal) or not isinstance(bound, Literal):
        return None
    if str(value.datatype) not in _NUMERIC or str(bound.datatype) not in _NUMERIC:
        return None
    try:
        left, right = Decimal(str(value)), Decimal(str(bound))
    except InvalidOperation:
        return None
    return (left > right) - (left < right)


def _run_sparql_constraint(context: _Context, shape: NodeShape, constraint: object, focus_nodes: list[Node]) -> Iterable[ValidationResult]:
    from kg.validation.shapes import SparqlConstraint

    assert isinstance(constraint, SparqlConstraint)
    text = constraint.select.replace("$this", "?this")
    focus_set = set(focus_nodes)
    seen: set[tuple[object, ...]] = set()
    solutions = context.query(text)
    variables = [v.value for v in solutions.variables]
    for solution in solutions:
        bound = {name: to_rdflib(solution[name]) for name in variables if solution[name] is not None}
        this = bound.get("this")
        # A query that never matches $this holds for every focus node, as with pre-binding.
        targets = [this] if this is not None else focus_nodes
        for focus in targets:
            if focus not in focus_set:
                continue
            values = {**bound, "this": focus}
            key = tuple(sorted((k, v.n3()) for k, v in values.items()))
            if key in seen:
                continue
            seen.add(key)
            messages = [_substitute(str(m), values) for m in constraint.messages]
            yield ValidationResult(
                severity=Severity.from_iri(shape.severity),
                focus=focus,
                path=values.get("path"),
                value=values.get("value", focus),
                shape=shape.node,
                component=SH.SPARQLConstraintComponent,
                source_constraint=constraint.node,
                message=" | ".join(sorted(messages)) or None,
            )


def _substitute(message: str, bound: dict[str, Node]) -> str:
    for name, value in bound.items():
        # A plain replacement string would read backslashes in the value as escapes.
        message = re.sub("{[?$]" + name + "}", functools.partial(_literal, str(value)), message)
    return message


def _literal(text: str, _match: re.Match[str]) -> str:
    return text
