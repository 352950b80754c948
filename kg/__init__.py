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

from typing import TYPE_CHECKING

from kg._lazy import lazy_exports
from kg._version import __version__

if TYPE_CHECKING:
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

# Names are imported on first use (PEP 562), so that ``import kg`` and ``kg --version`` stay fast and
# pandas, NetworkX or pySHACL load only for the commands that need them.
_EXPORTS = {
    "KnowledgeGraph": "kg.api", "build": "kg.api", "ontology_triples": "kg.api", "query_endpoint_named": "kg.api",
    "read": "kg.api", "run_on_endpoint": "kg.api",
    "Dataset": "kg.dataset", "RdfFormat": "kg.dataset",
    "InconsistentOntologyError": "kg.errors", "InputError": "kg.errors", "KGError": "kg.errors",
    "NotConformingError": "kg.errors", "ParameterError": "kg.errors", "QueryWarning": "kg.errors", "RemoteError": "kg.errors",
    "ShapesError": "kg.errors", "UsageError": "kg.errors",
    "DEFAULT_BASE_IRI": "kg.graphs", "GraphNames": "kg.graphs",
    "Colouring": "kg.network", "Metric": "kg.network", "NetworkEngine": "kg.network", "Projection": "kg.network",
    "BuildSummary": "kg.pipeline", "Reasoning": "kg.pipeline", "run_build": "kg.pipeline",
    "Engine": "kg.validation", "Severity": "kg.validation", "ValidationReport": "kg.validation",
    "validate": "kg.validation",
}

if not TYPE_CHECKING:  # type checkers see the imports above
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, submodules=True)

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
