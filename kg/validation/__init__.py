"""SHACL validation of any RDF data against any shapes graph, with a standard report.

One path: the shapes graph is read into shapes (:mod:`~kg.validation.shapes`), the Oxigraph
engine validates them (:mod:`~kg.validation.engine`), and what it does not implement (SHACL
Advanced Features, a few SPARQL forms) goes to pySHACL over the same store
(:mod:`~kg.validation.reference`); the report names every such hand-over. What neither runs safely
is refused with :class:`~kg.errors.ShapesError` (exit code 2), never skipped.

Examples
--------
>>> import tempfile, pathlib, kg
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "data.ttl").write_text('@prefix ex: <http://example.org/> . ex:alice ex:age "forty" .')
>>> _ = (folder / "shapes.ttl").write_text('''
... @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
... @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
... ex:Person a sh:NodeShape ; sh:targetNode ex:alice ;
...     sh:property [ sh:path ex:age ; sh:datatype xsd:integer ; sh:message "An age is an integer" ] .''')
>>> report = kg.validate(folder / "data.ttl", shapes=folder / "shapes.ttl")
>>> report.conforms
False
>>> [(r.severity.value, r.focus.value, r.value.value, r.message) for r in report.results]
[('Violation', 'http://example.org/alice', 'forty', 'An age is an integer')]
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from kg.graphs import DEFAULT_BASE_IRI
from kg.validation.engine import DataGraph
from kg.validation.engine import Engine as _OxigraphEngine
from kg.validation.reference import validate_with_pyshacl
from kg.validation.report import (
    REPORT_COLUMNS,
    HandOver,
    Severity,
    ValidationReport,
    ValidationResult,
)
from kg.validation.shapes import (
    ShapesGraph,
    ShapesModel,
    compile_shapes,
    load_shapes_graph,
    read_rdf_files,
)
from kg.validation.terms import Term

__all__ = [
    "REPORT_COLUMNS",
    "Engine",
    "HandOver",
    "Severity",
    "ShapesGraph",
    "ValidationReport",
    "ValidationResult",
    "load_shapes_graph",
    "validate",
    "validate_store",
]

Sources = str | Path | Sequence[str | Path]


class Engine(enum.Enum):
    """Which engine validates."""

    OXIGRAPH = "oxigraph"
    """The fast engine, handing to pySHACL only what it does not implement (the default)."""
    PYSHACL = "pyshacl"
    """pySHACL alone, over the same store: the reference, for comparison."""


def validate(
    data: Sources | ox.Store,
    *,
    shapes: Sources | ShapesGraph | None = None,
    engine: Engine = Engine.OXIGRAPH,
    base_iri: str = DEFAULT_BASE_IRI,
) -> ValidationReport:
    """Validate RDF data against a shapes graph.

    Parameters
    ----------
    data
        RDF files (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML, by extension), whose union
        is the data graph, or a pyoxigraph store (the union of its graphs).
    shapes
        Shapes files or folders, or a :class:`ShapesGraph`; by default the project's ``shapes/``,
        and then the project's ontology is added to file data, for its class hierarchy.
    engine
        :attr:`Engine.OXIGRAPH` (default) or :attr:`Engine.PYSHACL`.
    base_iri
        The base of the report's result IRIs.

    Raises
    ------
    InputError
        For a file that cannot be read or parsed (file, line and column in the message).
    ShapesError
        For shapes the validator refuses (``SERVICE``, SHACL-JavaScript, ill-formed shapes...).
    """
    if isinstance(data, ox.Store):
        return validate_store(data, shapes=shapes, engine=engine, base_iri=base_iri)
    files = [Path(data)] if isinstance(data, str | Path) else [Path(p) for p in data]
    quads = read_rdf_files(files, tag="d")
    if shapes is None:
        from kg.api import ontology_triples

        quads.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in ontology_triples())
    dataset = ox.Dataset(quads)
    return _validate(DataGraph(dataset=dataset), _shapes_graph(shapes), engine=engine, base_iri=base_iri)


def validate_store(
    store: ox.Store,
    *,
    engine: Engine = Engine.OXIGRAPH,
    shapes: Sources | ShapesGraph | None = None,
    base_iri: str = DEFAULT_BASE_IRI,
) -> ValidationReport:
    """Validate the union of the graphs of ``store``; results are traced to the source rows they came from.

    Parameters
    ----------
    store
        The data; for the project's shapes, the ontology should be one of its graphs (class hierarchy).
    engine
        :attr:`Engine.OXIGRAPH` (default) or :attr:`Engine.PYSHACL`.
    shapes
        Shapes files or folders, or a :class:`ShapesGraph`; by default the project's ``shapes/``.
    base_iri
        The base IRI of the data, for the report's result IRIs and the trace to source rows.
    """
    return _validate(DataGraph(store=store), _shapes_graph(shapes), engine=engine, base_iri=base_iri)


def _shapes_graph(shapes: Sources | ShapesGraph | None) -> ShapesGraph:
    if isinstance(shapes, ShapesGraph):
        return shapes
    if shapes is None:
        return load_shapes_graph()
    return load_shapes_graph([Path(shapes)] if isinstance(shapes, str | Path) else [Path(p) for p in shapes])


def _validate(data: DataGraph, shapes: ShapesGraph, *, engine: Engine, base_iri: str) -> ValidationReport:
    if engine is Engine.PYSHACL:
        model = ShapesModel(shapes, whole=True, reasons=["the reference engine was asked for"])
        model.advanced = compile_shapes(shapes).advanced
    else:
        model = compile_shapes(shapes)
    results = _OxigraphEngine(data, model).run()
    handovers: list[HandOver] = []
    if model.whole or model.handed_over:
        only: list[Term] | None = None if model.whole else [
            n for n in shapes.reachable_shapes(model.handed_over) if isinstance(n, ox.NamedNode)]
        results.extend(validate_with_pyshacl(data.store, shapes, only=only, advanced=model.advanced,
                                             rdflib_engine=model.rdflib_engine))
        names = () if model.whole else tuple(_name(n) for n in model.handed_over)
        handovers.append(HandOver(names, "; ".join(dict.fromkeys(model.reasons))))
    name = "pyshacl" if engine is Engine.PYSHACL else "oxigraph+pyshacl" if handovers else "oxigraph"
    report = ValidationReport(results, base_iri=base_iri, engine=name, handovers=handovers)
    if report.results:
        report.trace(data.store)
    return report


def _name(node: Term) -> str:
    return node.value if isinstance(node, ox.NamedNode) else "_:" + node.value
