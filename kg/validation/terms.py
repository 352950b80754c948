"""The terms validation works with: pyoxigraph terms, and the SHACL, RDF and XSD IRIs as constants.

Validation has one term model, pyoxigraph's: data, shapes and results are ``ox.NamedNode``,
``ox.BlankNode`` and ``ox.Literal`` from reading to report. The vocabularies are plain class
attributes, so that a lookup in an inner loop costs no more than any attribute; a name that is a
Python keyword takes a trailing underscore (``SH.class_`` is ``sh:class``).

>>> SH.minCount
<NamedNode value=http://www.w3.org/ns/shacl#minCount>
>>> SH.class_.value
'http://www.w3.org/ns/shacl#class'
"""

from __future__ import annotations

from typing import ClassVar, TypeAlias

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg import vocabularies

__all__ = ["OWL", "RDF", "RDFS", "SH", "XSD", "Term", "from_rdflib", "lexical", "list_items", "to_rdflib"]

Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal
"""An RDF term of the data or the shapes (RDF-star triples are not supported as terms)."""


class _Vocabulary:
    """IRIs ``namespace + name`` for every annotated name (a trailing ``_`` is dropped)."""

    namespace: ClassVar[str]

    def __init_subclass__(cls) -> None:
        for name in cls.__annotations__:
            if name != "namespace":
                setattr(cls, name, ox.NamedNode(cls.namespace + name.rstrip("_")))


class RDF(_Vocabulary):
    namespace = str(vocabularies.RDF)
    type: ClassVar[ox.NamedNode]
    first: ClassVar[ox.NamedNode]
    rest: ClassVar[ox.NamedNode]
    nil: ClassVar[ox.NamedNode]
    langString: ClassVar[ox.NamedNode]


class RDFS(_Vocabulary):
    namespace = str(vocabularies.RDFS)
    Class: ClassVar[ox.NamedNode]
    subClassOf: ClassVar[ox.NamedNode]
    Literal: ClassVar[ox.NamedNode]
    label: ClassVar[ox.NamedNode]
    comment: ClassVar[ox.NamedNode]


class OWL(_Vocabulary):
    namespace = str(vocabularies.OWL)
    Class: ClassVar[ox.NamedNode]
    Ontology: ClassVar[ox.NamedNode]
    imports: ClassVar[ox.NamedNode]


class XSD(_Vocabulary):
    namespace = str(vocabularies.XSD)
    string: ClassVar[ox.NamedNode]
    boolean: ClassVar[ox.NamedNode]
    integer: ClassVar[ox.NamedNode]
    anyURI: ClassVar[ox.NamedNode]


class SH(_Vocabulary):
    namespace = str(vocabularies.SH)
    # shapes and targets
    NodeShape: ClassVar[ox.NamedNode]
    PropertyShape: ClassVar[ox.NamedNode]
    Shape: ClassVar[ox.NamedNode]
    targetClass: ClassVar[ox.NamedNode]
    targetNode: ClassVar[ox.NamedNode]
    targetSubjectsOf: ClassVar[ox.NamedNode]
    targetObjectsOf: ClassVar[ox.NamedNode]
    target: ClassVar[ox.NamedNode]
    path: ClassVar[ox.NamedNode]
    inversePath: ClassVar[ox.NamedNode]
    alternativePath: ClassVar[ox.NamedNode]
    zeroOrMorePath: ClassVar[ox.NamedNode]
    oneOrMorePath: ClassVar[ox.NamedNode]
    zeroOrOnePath: ClassVar[ox.NamedNode]
    deactivated: ClassVar[ox.NamedNode]
    severity: ClassVar[ox.NamedNode]
    message: ClassVar[ox.NamedNode]
    Violation: ClassVar[ox.NamedNode]
    Warning: ClassVar[ox.NamedNode]
    Info: ClassVar[ox.NamedNode]
    # core constraint parameters
    class_: ClassVar[ox.NamedNode]
    datatype: ClassVar[ox.NamedNode]
    nodeKind: ClassVar[ox.NamedNode]
    minCount: ClassVar[ox.NamedNode]
    maxCount: ClassVar[ox.NamedNode]
    minExclusive: ClassVar[ox.NamedNode]
    minInclusive: ClassVar[ox.NamedNode]
    maxExclusive: ClassVar[ox.NamedNode]
    maxInclusive: ClassVar[ox.NamedNode]
    minLength: ClassVar[ox.NamedNode]
    maxLength: ClassVar[ox.NamedNode]
    pattern: ClassVar[ox.NamedNode]
    flags: ClassVar[ox.NamedNode]
    languageIn: ClassVar[ox.NamedNode]
    uniqueLang: ClassVar[ox.NamedNode]
    equals: ClassVar[ox.NamedNode]
    disjoint: ClassVar[ox.NamedNode]
    lessThan: ClassVar[ox.NamedNode]
    lessThanOrEquals: ClassVar[ox.NamedNode]
    not_: ClassVar[ox.NamedNode]
    and_: ClassVar[ox.NamedNode]
    or_: ClassVar[ox.NamedNode]
    xone: ClassVar[ox.NamedNode]
    node: ClassVar[ox.NamedNode]
    property: ClassVar[ox.NamedNode]
    qualifiedValueShape: ClassVar[ox.NamedNode]
    qualifiedMinCount: ClassVar[ox.NamedNode]
    qualifiedMaxCount: ClassVar[ox.NamedNode]
    qualifiedValueShapesDisjoint: ClassVar[ox.NamedNode]
    closed: ClassVar[ox.NamedNode]
    ignoredProperties: ClassVar[ox.NamedNode]
    hasValue: ClassVar[ox.NamedNode]
    in_: ClassVar[ox.NamedNode]
    # node kinds
    IRI: ClassVar[ox.NamedNode]
    BlankNode: ClassVar[ox.NamedNode]
    Literal: ClassVar[ox.NamedNode]
    BlankNodeOrIRI: ClassVar[ox.NamedNode]
    BlankNodeOrLiteral: ClassVar[ox.NamedNode]
    IRIOrLiteral: ClassVar[ox.NamedNode]
    # SHACL-SPARQL
    sparql: ClassVar[ox.NamedNode]
    select: ClassVar[ox.NamedNode]
    ask: ClassVar[ox.NamedNode]
    prefixes: ClassVar[ox.NamedNode]
    declare: ClassVar[ox.NamedNode]
    prefix: ClassVar[ox.NamedNode]
    namespace_: ClassVar[ox.NamedNode]
    ConstraintComponent: ClassVar[ox.NamedNode]
    parameter: ClassVar[ox.NamedNode]
    optional: ClassVar[ox.NamedNode]
    validator: ClassVar[ox.NamedNode]
    nodeValidator: ClassVar[ox.NamedNode]
    propertyValidator: ClassVar[ox.NamedNode]
    SPARQLAskValidator: ClassVar[ox.NamedNode]
    SPARQLSelectValidator: ClassVar[ox.NamedNode]
    # report
    ValidationReport: ClassVar[ox.NamedNode]
    ValidationResult: ClassVar[ox.NamedNode]
    conforms: ClassVar[ox.NamedNode]
    result: ClassVar[ox.NamedNode]
    focusNode: ClassVar[ox.NamedNode]
    resultPath: ClassVar[ox.NamedNode]
    value: ClassVar[ox.NamedNode]
    sourceShape: ClassVar[ox.NamedNode]
    sourceConstraint: ClassVar[ox.NamedNode]
    sourceConstraintComponent: ClassVar[ox.NamedNode]
    resultSeverity: ClassVar[ox.NamedNode]
    resultMessage: ClassVar[ox.NamedNode]
    # components
    ClassConstraintComponent: ClassVar[ox.NamedNode]
    DatatypeConstraintComponent: ClassVar[ox.NamedNode]
    NodeKindConstraintComponent: ClassVar[ox.NamedNode]
    MinCountConstraintComponent: ClassVar[ox.NamedNode]
    MaxCountConstraintComponent: ClassVar[ox.NamedNode]
    MinExclusiveConstraintComponent: ClassVar[ox.NamedNode]
    MinInclusiveConstraintComponent: ClassVar[ox.NamedNode]
    MaxExclusiveConstraintComponent: ClassVar[ox.NamedNode]
    MaxInclusiveConstraintComponent: ClassVar[ox.NamedNode]
    MinLengthConstraintComponent: ClassVar[ox.NamedNode]
    MaxLengthConstraintComponent: ClassVar[ox.NamedNode]
    PatternConstraintComponent: ClassVar[ox.NamedNode]
    LanguageInConstraintComponent: ClassVar[ox.NamedNode]
    UniqueLangConstraintComponent: ClassVar[ox.NamedNode]
    EqualsConstraintComponent: ClassVar[ox.NamedNode]
    DisjointConstraintComponent: ClassVar[ox.NamedNode]
    LessThanConstraintComponent: ClassVar[ox.NamedNode]
    LessThanOrEqualsConstraintComponent: ClassVar[ox.NamedNode]
    NotConstraintComponent: ClassVar[ox.NamedNode]
    AndConstraintComponent: ClassVar[ox.NamedNode]
    OrConstraintComponent: ClassVar[ox.NamedNode]
    XoneConstraintComponent: ClassVar[ox.NamedNode]
    NodeConstraintComponent: ClassVar[ox.NamedNode]
    QualifiedMinCountConstraintComponent: ClassVar[ox.NamedNode]
    QualifiedMaxCountConstraintComponent: ClassVar[ox.NamedNode]
    ClosedConstraintComponent: ClassVar[ox.NamedNode]
    HasValueConstraintComponent: ClassVar[ox.NamedNode]
    InConstraintComponent: ClassVar[ox.NamedNode]
    SPARQLConstraintComponent: ClassVar[ox.NamedNode]


def lexical(term: Term) -> str:
    """The string SPARQL's ``STR()`` gives: an IRI, or a literal's lexical form (``""`` for a blank node)."""
    return "" if isinstance(term, ox.BlankNode) else term.value


def list_items(objects: dict[Term, dict[ox.NamedNode, list[Term]]], head: Term) -> list[Term] | None:
    """The members of the RDF list starting at ``head`` in a subject index, or None if it is not a well-formed list."""
    items: list[Term] = []
    seen: set[Term] = set()
    node = head
    while node != RDF.nil:
        if node in seen or isinstance(node, ox.Literal):
            return None
        seen.add(node)
        properties = objects.get(node, {})
        first, rest = properties.get(RDF.first, []), properties.get(RDF.rest, [])
        if len(first) != 1 or len(rest) != 1:
            return None
        items.append(first[0])
        node = rest[0]
    return items


def to_rdflib(term: object) -> URIRef | BNode | Literal:
    """The rdflib term for a pyoxigraph term (at the boundary with rdflib users and pySHACL).

    Literals keep their lexical form: rdflib would otherwise rewrite ``"1"^^xsd:double`` as ``"1.0"``.
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if not isinstance(term, ox.Literal):
        raise TypeError(f"no rdflib term for {term!r}")
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)


def from_rdflib(node: Node) -> Term:
    """The pyoxigraph term for an rdflib term."""
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if not isinstance(node, Literal):
        raise TypeError(f"no RDF term for {node!r}")
    if node.language:
        return ox.Literal(str(node), language=node.language)
    return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)) if node.datatype else None)
