"""pySHACL, the reference engine, over the same pyoxigraph store.

It validates what the Oxigraph engine hands over (SHACL Advanced Features, and the few SPARQL forms
Oxigraph cannot pre-bind exactly), or everything with ``engine=Engine.PYSHACL``. pySHACL 0.40
reads a pyoxigraph store directly and queries it with Oxigraph (for the forms Oxigraph cannot
pre-bind, it gets a copy of the data in an rdflib graph and queries with rdflib's engine); it runs with inference off and
advanced mode only when the shapes use SHACL Advanced Features (then it works on a copy, so rules
never write into the caller's store). Its report is read back into the same results.

Before anything goes to pySHACL, every query in the shapes graph is checked for what could reach
the network (:func:`~kg.validation.sparql.check_offline`), as the Oxigraph engine's own are.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph

from kg.validation.paths import PathError, read_path
from kg.validation.report import Severity, ValidationResult
from kg.validation.shapes import ShapesGraph
from kg.validation.sparql import check_offline
from kg.validation.terms import RDF, SH, Term, from_rdflib, to_rdflib

__all__ = ["pyshacl_version", "validate_with_pyshacl"]


def pyshacl_version() -> str:
    """The version of pySHACL, for the report."""
    from importlib.metadata import version

    return version("pyshacl")


def validate_with_pyshacl(store: ox.Store, shapes: ShapesGraph, *, only: list[Term] | None,
                          advanced: bool, rdflib_engine: bool = False) -> list[ValidationResult]:
    """Validate the union of the graphs of ``store`` with pySHACL.

    Parameters
    ----------
    only
        The shapes (IRIs) to validate; None for every shape of the graph.
    advanced
        Whether to turn on pySHACL's SHACL Advanced Features (rules, functions, custom targets).
    rdflib_engine
        Copy the data into an rdflib graph, so that pySHACL queries with rdflib's SPARQL engine
        (for the pre-binding forms Oxigraph folds away); else pySHACL works on ``store`` itself.
    """
    import pyshacl  # imported here: pySHACL is slow to import and most runs never need it

    for triple in shapes.triples:
        if triple.predicate in (SH.select, SH.ask, _CONSTRUCT, _UPDATE) and isinstance(triple.object, ox.Literal):
            check_offline(triple.object.value, where=f"the query of {triple.subject}")
    graph = Graph()
    for triple in shapes.triples:
        graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
    data: ox.Store | Graph = store
    if rdflib_engine:
        data = Graph()
        for quad in store:
            data.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    _, report, _ = pyshacl.validate(
        data,  # type: ignore[arg-type]  # pySHACL 0.40 reads a pyoxigraph store; its hints predate it
        shacl_graph=graph,
        inference="none",
        advanced=advanced,
        allow_warnings=True,
        allow_infos=True,
        do_owl_imports=False,
        use_shapes=[node.value for node in only] if only is not None else None,
    )
    return _results(report)


_CONSTRUCT = ox.NamedNode(SH.namespace + "construct")
_UPDATE = ox.NamedNode(SH.namespace + "update")


def _results(report: Graph) -> list[ValidationResult]:
    triples = [(from_rdflib(s), from_rdflib(p), from_rdflib(o)) for s, p, o in report]
    index: dict[Term, dict[ox.NamedNode, list[Term]]] = {}
    for s, p, o in triples:
        index.setdefault(s, {}).setdefault(p, []).append(o)  # type: ignore[arg-type]
    results = []
    for properties in index.values():
        if SH.ValidationResult not in properties.get(RDF.type, []):
            continue

        def one(predicate: ox.NamedNode, properties: dict[ox.NamedNode, list[Term]] = properties) -> Term | None:
            values = properties.get(predicate, [])
            return values[0] if values else None

        path_node = one(SH.resultPath)
        try:
            path = read_path(index, path_node) if path_node is not None else None
        except PathError:
            path = None
        messages = sorted(m.value for m in properties.get(SH.resultMessage, []) if isinstance(m, ox.Literal))
        component = one(SH.sourceConstraintComponent)
        severity = one(SH.resultSeverity)
        focus, shape = one(SH.focusNode), one(SH.sourceShape)
        assert isinstance(component, ox.NamedNode) and focus is not None and shape is not None
        results.append(ValidationResult(
            severity=Severity.from_iri(severity) if severity is not None else Severity.VIOLATION,
            focus=focus,
            path=path,
            value=one(SH.value),
            shape=shape,
            component=component,
            source_constraint=one(SH.sourceConstraint),
            message=" | ".join(messages) if messages else None,
        ))
    return results
