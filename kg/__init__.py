"""kikg: the Korean industrial policy knowledge graph toolkit.

Build the knowledge graph from its source tables, then query, validate and analyse it::

    import kg
    graph = kg.build()                      # tables + ontology -> named graphs (Oxigraph)
    graph.query("complexes-by-designation")  # a canned query -> pandas DataFrame
    graph.sparql("SELECT ...")               # your own SPARQL (graph.query_file("mine.rq") for a file)
    report = graph.validate()                # SHACL -> report traced to source rows
    kg.validate("data.ttl", shapes="shapes.ttl")  # any data against any shapes graph
    table = graph.centrality()               # NetworkX metrics of the collaboration network

The public API
--------------
What this module exports (``kg.__all__``) is the API: every function and method among them takes
and returns types exported here too (or pandas, NetworkX, rdflib and pyoxigraph types; ``Term`` in
an annotation is a pyoxigraph term).

* the graph: :func:`build`, :func:`read`, :class:`KnowledgeGraph`, :class:`Dataset`,
  :class:`RdfFormat`, :class:`GraphNames`, :data:`DEFAULT_BASE_IRI`, :func:`ontology_triples`;
* queries: :class:`Catalogue` of :class:`CannedQuery`, results as :class:`QueryResult`
  (``KnowledgeGraph.run_query``); on a remote endpoint :func:`run_on_endpoint`,
  :func:`query_endpoint_named`, with :class:`QueryDataset` and :class:`Auth`;
* checks: :func:`validate` and ``KnowledgeGraph.validate`` give a :class:`ValidationReport` of
  :class:`ValidationResult` (:class:`Engine`, :class:`Severity`, :class:`ShapesGraph`);
  ``KnowledgeGraph.check_consistency`` gives a :class:`ConsistencyReport`;
* network: :class:`Projection`, :class:`Metric`, :class:`NetworkEngine`, :class:`Colouring`;
* delivery: ``KnowledgeGraph.load`` gives a :class:`LoadReport` (with :class:`MergedValues`),
  ``KnowledgeGraph.serve`` a running :class:`Server`; :func:`run_build` (what ``kg build`` does,
  with a :class:`Reasoning` choice) gives a :class:`BuildSummary`;
* errors: every error is a :class:`KGError` (:class:`InputError`, :class:`UsageError`,
  :class:`ParameterError`, :class:`ShapesError`, :class:`NotConformingError`,
  :class:`InconsistentOntologyError`, :class:`RemoteError`), warnings a :class:`QueryWarning`.

Beyond this module, these are public, each by its ``__all__``: the packages :mod:`kg.queries`,
:mod:`kg.validation`, :mod:`kg.network`, :mod:`kg.remote`, :mod:`kg.serve` and :mod:`kg.mapping`,
the vocabularies :mod:`kg.namespace` (the ontology's terms, generated) and :mod:`kg.vocabularies`,
and :mod:`kg.errors`. Every other module (``kg.api``, ``kg.dataset``, ``kg.pipeline``, ``kg.cli``...),
and the modules inside those packages, are the implementation: import their public names from
``kg`` or from the package, as they may move.
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
    from kg.queries import CannedQuery, Catalogue, QueryResult
    from kg.reasoning import ConsistencyReport
    from kg.remote import Auth, LoadReport, MergedValues, QueryDataset
    from kg.serve import Server
    from kg.validation import (
        Engine,
        Severity,
        ShapesGraph,
        ValidationReport,
        ValidationResult,
        validate,
    )

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
    "CannedQuery": "kg.queries", "Catalogue": "kg.queries", "QueryResult": "kg.queries",
    "ConsistencyReport": "kg.reasoning",
    "Auth": "kg.remote", "LoadReport": "kg.remote", "MergedValues": "kg.remote", "QueryDataset": "kg.remote",
    "Server": "kg.serve",
    "Engine": "kg.validation", "Severity": "kg.validation", "ShapesGraph": "kg.validation",
    "ValidationReport": "kg.validation", "ValidationResult": "kg.validation", "validate": "kg.validation",
}

if not TYPE_CHECKING:  # type checkers see the imports above
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, submodules=True)

__all__ = [
    "DEFAULT_BASE_IRI",
    "Auth",
    "BuildSummary",
    "CannedQuery",
    "Catalogue",
    "Colouring",
    "ConsistencyReport",
    "Dataset",
    "Engine",
    "GraphNames",
    "InconsistentOntologyError",
    "InputError",
    "KGError",
    "KnowledgeGraph",
    "LoadReport",
    "MergedValues",
    "Metric",
    "NetworkEngine",
    "NotConformingError",
    "ParameterError",
    "Projection",
    "QueryDataset",
    "QueryResult",
    "QueryWarning",
    "RdfFormat",
    "Reasoning",
    "RemoteError",
    "Server",
    "Severity",
    "ShapesError",
    "ShapesGraph",
    "UsageError",
    "ValidationReport",
    "ValidationResult",
    "__version__",
    "build",
    "ontology_triples",
    "query_endpoint_named",
    "read",
    "run_build",
    "run_on_endpoint",
    "validate",
]
