"""kikg: the Korean industrial policy knowledge graph toolkit.

Build the knowledge graph from its source tables, then query, validate and analyse it::

    import kg
    graph = kg.build()                      # tables + ontology -> named graphs (Oxigraph)
    graph.query("complexes-by-designation")  # a canned query -> pandas DataFrame
    graph.sparql("SELECT ...")               # your own SPARQL (graph.query_file("mine.rq") for a file)
    report = graph.validate()                # SHACL -> report traced to source rows
    kg.validate("data.ttl", shapes="shapes.ttl")  # any data against any shapes graph
    table = graph.centrality()               # NetworkX metrics of the collaboration network
"""

from kg._version import __version__
from kg.api import (
    KnowledgeGraph,
    build,
    ontology_triples,
    query_endpoint_named,
    read,
    run_on_endpoint,
)
from kg.dataset import Dataset, RdfFormat
from kg.errors import (
    InconsistentOntologyError,
    InputError,
    KGError,
    NotConformingError,
    ParameterError,
    QueryWarning,
    RemoteError,
    ShapesError,
    UsageError,
)
from kg.graphs import DEFAULT_BASE_IRI, GraphNames
from kg.network import Colouring, Metric, NetworkEngine, Projection
from kg.pipeline import BuildSummary, Reasoning, run_build
from kg.validation import Engine, Severity, ValidationReport, validate

__all__ = [
    "DEFAULT_BASE_IRI",
    "BuildSummary",
    "Colouring",
    "Dataset",
    "Engine",
    "GraphNames",
    "InconsistentOntologyError",
    "InputError",
    "KGError",
    "KnowledgeGraph",
    "Metric",
    "NetworkEngine",
    "NotConformingError",
    "ParameterError",
    "Projection",
    "QueryWarning",
    "RdfFormat",
    "Reasoning",
    "RemoteError",
    "Severity",
    "ShapesError",
    "UsageError",
    "ValidationReport",
    "__version__",
    "build",
    "ontology_triples",
    "query_endpoint_named",
    "read",
    "run_build",
    "run_on_endpoint",
    "validate",
]
