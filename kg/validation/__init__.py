"""SHACL validation of a dataset against the project's shapes, with a report traced to source rows.

Two engines give the same report: :attr:`Engine.OXIGRAPH` (default, fast: SPARQL on Oxigraph) and
:attr:`Engine.PYSHACL` (the reference implementation over an rdflib graph).
"""

from __future__ import annotations

import enum
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kg.graphs import DEFAULT_BASE_IRI
from kg.validation.engines import union_graph, validate_with_oxigraph, validate_with_pyshacl
from kg.validation.report import REPORT_COLUMNS, Severity, ValidationReport, ValidationResult
from kg.validation.shapes import compile_shapes, load_shapes_graph

__all__ = [
    "REPORT_COLUMNS",
    "Engine",
    "Severity",
    "ValidationReport",
    "ValidationResult",
    "load_shapes_graph",
    "validate_store",
]


class Engine(enum.Enum):
    """Which SHACL engine validates."""

    OXIGRAPH = "oxigraph"
    PYSHACL = "pyshacl"


def validate_store(
    store: ox.Store,
    *,
    engine: Engine = Engine.OXIGRAPH,
    shapes: Graph | Path | None = None,
    base_iri: str = DEFAULT_BASE_IRI,
) -> ValidationReport:
    """Validate the union of the graphs of ``store``.

    Parameters
    ----------
    store
        The data; the ontology should be one of its graphs, for class hierarchies.
    engine
        The engine to use; both give the same report.
    shapes
        A shapes graph or a folder of Turtle files; by default the project's ``shapes/``.
    base_iri
        The base IRI of the data, for the report's result IRIs and the trace to source rows.
    """
    shapes_graph = shapes if isinstance(shapes, Graph) else load_shapes_graph(shapes)
    if engine is Engine.PYSHACL:
        results = validate_with_pyshacl(union_graph(store), shapes_graph)
    else:
        results = validate_with_oxigraph(store, compile_shapes(shapes_graph))
    report = ValidationReport(results, base_iri=base_iri, engine=engine.value)
    report.trace(store)
    return report
