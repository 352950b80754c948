"""The shapes graph, and its reading into the model the Oxigraph engine runs.

The model covers the SHACL features the project's shapes use: class, subjects-of, objects-of and
node targets; property shapes with an IRI path; the core constraints ``minCount``, ``maxCount``,
``datatype``, ``class``, ``nodeKind``, ``in``, ``hasValue``, ``pattern``, ``min/maxInclusive``,
``min/maxExclusive``, ``min/maxLength``, ``languageIn``, ``uniqueLang`` and ``or`` of datatype
alternatives; and SPARQL-based constraints. :func:`compile_shapes` refuses anything else, so the
engine never silently skips a constraint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg._resources import SHAPES_DIR
from kg.errors import InputError
from kg.vocabularies import RDF, SH

__all__ = ["NodeShape", "PropertyShape", "ShapeModel", "SparqlConstraint", "compile_shapes", "load_shapes_graph"]

_TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
_CORE = {
    SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH.nodeKind, SH["in"], SH.hasValue, SH.pattern,
    SH.flags, SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH.minLength,
    SH.maxLength, SH.languageIn, SH.uniqueLang, SH["or"],
}
_DESCRIPTIVE = {RDF.type, SH.path, SH.message, SH.severity, SH.property, SH.sparql, SH.name, SH.description,
                SH.deactivated, URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
                URIRef("http://www.w3.org/2000/01/rdf-schema#comment")} | set(_TARGETS)


@dataclass(frozen=True)
class SparqlConstraint:
    """A ``sh:sparql`` constraint: its node, SELECT text and messages."""

    node: Node
    select: str
    messages: tuple[Literal, ...]


@dataclass
class PropertyShape:
    """A property shape with an IRI path and its core constraints."""

    node: Node
    path: URIRef
    severity: URIRef
    messages: tuple[Literal, ...]
    constraints: dict[URIRef, Node] = field(default_factory=dict)
    in_values: tuple[Node, ...] = ()
    language_in: tuple[str, ...] = ()
    or_datatypes: tuple[URIRef, ...] = ()


@dataclass
class NodeShape:
    """A node shape: its targets, property shapes and SPARQL constraints."""

    node: Node
    severity: URIRef
    messages: tuple[Literal, ...]
    targets: list[tuple[URIRef, Node]] = field(default_factory=list)
    properties: list[PropertyShape] = field(default_factory=list)
    sparql: list[SparqlConstraint] = field(default_factory=list)


@dataclass
class ShapeModel:
    """All node shapes of a shapes graph."""

    shapes: list[NodeShape]


def load_shapes_graph(directory: Path | None = None) -> Graph:
    """Parse every ``.ttl`` file of the shapes directory into one rdflib graph."""
    directory = directory or SHAPES_DIR
    graph = Graph()
    for path in sorted(directory.glob("*.ttl")):
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # noqa: BLE001 -- rdflib raises many parser exception types
            raise InputError(f"cannot parse the shapes: {exc}", file=path) from None
    return graph


def compile_shapes(graph: Graph) -> ShapeModel:
    """Read the shapes graph into the engine's model.

    Raises
    ------
    NotImplementedError
        If a shape uses a SHACL feature the Oxigraph engine does not implement.
    """
    shapes = []
    node_shapes = sorted(
        {s for s in graph.subjects(RDF.type, SH.NodeShape)} | {s for t in _TARGETS for s in graph.subjects(t, None)},
        key=str,
    )
    for node in node_shapes:
        if (node, SH.deactivated, Literal(True)) in graph:
            continue
        _refuse_unknown(graph, node, allowed=_DESCRIPTIVE)
        shape = NodeShape(node=node, severity=_severity(graph, node), messages=_messages(graph, node))
        for target_kind in _TARGETS:
            for value in sorted(graph.objects(node, target_kind), key=str):
                shape.targets.append((target_kind, value))
        for property_node in sorted(graph.objects(node, SH.property), key=str):
            shape.properties.append(_property_shape(graph, property_node))
        for constraint in sorted(graph.objects(node, SH.sparql), key=str):
            select = graph.value(constraint, SH.select)
            if select is None:
                raise NotImplementedError(f"SPARQL constraint {constraint} has no sh:select")
            shape.sparql.append(SparqlConstraint(constraint, str(select), _messages(graph, constraint)))
        shapes.append(shape)
    return ShapeModel(shapes)


def _severity(graph: Graph, node: Node) -> URIRef:
    value = graph.value(node, SH.severity)
    return value if isinstance(value, URIRef) else SH.Violation


def _messages(graph: Graph, node: Node) -> tuple[Literal, ...]:
    return tuple(sorted((m for m in graph.objects(node, SH.message) if isinstance(m, Literal)), key=str))


def _refuse_unknown(graph: Graph, node: Node, *, allowed: set[URIRef]) -> None:
    for predicate in graph.predicates(node, None):
        if str(predicate).startswith(str(SH)) and predicate not in allowed:
            raise NotImplementedError(f"shape {node} uses {predicate}, which the Oxigraph engine does not implement")


def _property_shape(graph: Graph, node: Node) -> PropertyShape:
    _refuse_unknown(graph, node, allowed=_DESCRIPTIVE | _CORE)
    path = graph.value(node, SH.path)
    if not isinstance(path, URIRef):
        raise NotImplementedError(f"property shape {node} has a complex path, which the Oxigraph engine does not implement")
    shape = PropertyShape(node=node, path=path, severity=_severity(graph, node), messages=_messages(graph, node))
    for predicate in _CORE:
        value = graph.value(node, predicate)
        if value is None:
            continue
        if predicate == SH["in"]:
            shape.in_values = tuple(Collection(graph, value))
        elif predicate == SH.languageIn:
            shape.language_in = tuple(str(v).lower() for v in Collection(graph, value))
        elif predicate == SH["or"]:
            alternatives = []
            for member in Collection(graph, value):
                datatype = graph.value(member, SH.datatype)
                others = set(graph.predicates(member, None)) - {SH.datatype}
                if not isinstance(member, BNode) or not isinstance(datatype, URIRef) or others:
                    raise NotImplementedError(f"sh:or of {node}: only alternatives of sh:datatype are implemented")
                alternatives.append(datatype)
            shape.or_datatypes = tuple(alternatives)
        shape.constraints[predicate] = value
    return shape
