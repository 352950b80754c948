"""The Python API: build or read a knowledge graph, then query, validate, analyse and serialise it.

Examples
--------
>>> import kg
>>> graph = kg.build()
>>> graph.triple_counts()["https://w3id.org/kikg/id/graph/table/documents"] > 0
True
>>> graph.query("documents").shape[0] >= 5
True
"""

from __future__ import annotations

import warnings as python_warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg._lazy import lazy_import
from kg._resources import ONTOLOGY_DIR, SOURCES_DIR
from kg.dataset import Dataset, RdfFormat
from kg.errors import InputError, QueryWarning, UsageError
from kg.graphs import DEFAULT_BASE_IRI
from kg.mapping import MappingResult, map_tables
from kg.network import (
    DEFAULT_METRICS,
    Metric,
    NetworkEngine,
    Projection,
    actor_iris,
    analysis_triples,
    centrality_frame,
    project,
    projection_query,
)
from kg.queries import (
    CannedQuery,
    Catalogue,
    QueryResult,
    bind_parameters,
    inject_values,
    parse_query_file,
    parse_query_text,
    run_local,
)
from kg.queries.checks import parameter_warnings
from kg.queries.guard import SparqlSyntaxError
from kg.reasoning import ConsistencyReport, check_consistency
from kg.remote.report import DEFAULT_CHUNK_SIZE, DEFAULT_PARALLEL, LoadReport

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

    from kg.remote.http import Auth
    from kg.remote.sparql import QueryDataset
    from kg.serve import Server
    from kg.validation import Engine, ShapesGraph, ValidationReport
else:  # loaded on first use, see kg._lazy
    nx = lazy_import("networkx")
    pd = lazy_import("pandas")

__all__ = ["KnowledgeGraph", "build", "ontology_triples", "query_endpoint_named", "read", "run_on_endpoint"]

DEFAULT_SOURCES = SOURCES_DIR / "csv-metadata.json"


def ontology_triples(directory: Path = ONTOLOGY_DIR) -> list[ox.Triple]:
    """The triples of the ontology files (``ontology/*.ttl``)."""
    triples: list[ox.Triple] = []
    for path in sorted(directory.glob("*.ttl")):
        try:
            triples.extend(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        except SyntaxError as exc:
            raise InputError(f"cannot parse the ontology: {str(exc).splitlines()[0]}", file=path) from None
    return triples


def run_on_endpoint(endpoint: str, query: str | CannedQuery, /, params: Mapping[str, object] | None = None, *,
                    base_iri: str = DEFAULT_BASE_IRI, timeout: float = 60.0,
                    dataset: QueryDataset | None = None, auth: Auth | None = None,
                    catalogue: Catalogue | None = None) -> QueryResult:
    """Run a canned query (by name, or a :class:`~kg.queries.CannedQuery` from a file or text) on a
    SPARQL 1.1 endpoint; return raw results with their :attr:`~kg.queries.QueryResult.warnings`.

    Parameters are bound as RDF terms exactly as for a local run, and checked the same way (an IRI
    that names nothing, an empty value, an empty named graph), with ASK queries on the endpoint.
    ``dataset`` names the graphs to query (by default the endpoint's own default graph, which on
    Virtuoso is every graph, its system graphs included); ``auth`` says how credentials are sent
    (:class:`~kg.remote.http.Auth`, by default as the server asks).

    Raises
    ------
    UsageError
        For an unknown query name or a bad parameter.
    RemoteError
        When the endpoint answers with an error or cannot be reached.
    """
    from kg.remote.http import Auth
    from kg.remote.sparql import query_endpoint

    canned = query if isinstance(query, CannedQuery) else (catalogue or Catalogue.load())[query]
    values = dict(params or {})
    bindings = bind_parameters(canned, values, base=base_iri)
    how = auth or Auth.AUTO

    def ask(text: str) -> bool:
        return bool(query_endpoint(endpoint, text, timeout=timeout, dataset=dataset, auth=how).boolean)

    warnings = parameter_warnings(canned, values, ask=ask, base=base_iri) if canned.params else []
    result = query_endpoint(endpoint, inject_values(canned.text, bindings), timeout=timeout, dataset=dataset,
                            auth=how)
    result.warnings = warnings
    return result


def _warn(frame: pd.DataFrame, warnings: list[str]) -> pd.DataFrame:
    """The frame with the warnings in ``attrs``, each also issued as a :class:`~kg.errors.QueryWarning`."""
    frame.attrs["warnings"] = list(warnings)
    for message in warnings:
        python_warnings.warn(message, QueryWarning, stacklevel=3)
    return frame


class KnowledgeGraph:
    """A dataset in named graphs with the operations of the toolkit.

    Use :func:`build` (from source tables) or :func:`read` (from a dataset file) to get one.
    """

    def __init__(self, dataset: Dataset, *, mapping: MappingResult | None = None, catalogue: Catalogue | None = None) -> None:
        self.dataset = dataset
        self.mapping = mapping
        self._catalogue = catalogue

    def __repr__(self) -> str:
        return f"<KnowledgeGraph {len(self.dataset.graph_names())} graphs, {len(self.dataset)} quads>"

    @property
    def base_iri(self) -> str:
        """The base IRI of the data."""
        return self.dataset.graphs.base

    @property
    def store(self) -> ox.Store:
        """The Oxigraph store holding the named graphs."""
        return self.dataset.store

    @property
    def catalogue(self) -> Catalogue:
        """The canned queries."""
        if self._catalogue is None:
            self._catalogue = Catalogue.load()
        return self._catalogue

    def triple_counts(self) -> dict[str, int]:
        """Number of triples in each named graph."""
        return self.dataset.triple_counts()

    # -- queries ----------------------------------------------------------------------------

    def run_query(self, query: str | CannedQuery, /, params: Mapping[str, object] | None = None, *,
                  endpoint: str | None = None, dataset: QueryDataset | None = None,
                  timeout: float = 60.0) -> QueryResult:
        """Run a canned query; return raw results.

        ``query`` is the name of a canned query (see :attr:`catalogue`) or a
        :class:`~kg.queries.CannedQuery` (from :func:`~kg.queries.parse_query_file` or
        :func:`~kg.queries.parse_query_text`); :meth:`run_sparql` runs SPARQL text. Parameters are
        bound as RDF terms. With ``endpoint``, the query runs on that SPARQL endpoint instead of
        locally, with the same text, on ``dataset`` where given (for a store whose default graph
        holds more than the knowledge graph, such as Virtuoso:
        ``QueryDataset.union_of(graph.dataset.graph_names())``). Parameters that make the query ask
        about nothing (an IRI naming nothing in the graph, an empty value, an empty named graph)
        are reported in the result's ``warnings``.

        Raises
        ------
        UsageError
            For an unknown name (with the closest names), a bad parameter or a syntax error.
        """
        canned = query if isinstance(query, CannedQuery) else self.catalogue[query]
        if endpoint:
            return run_on_endpoint(endpoint, canned, params, base_iri=self.base_iri, timeout=timeout,
                                   dataset=dataset)
        values = dict(params or {})
        bindings = bind_parameters(canned, values, base=self.base_iri)
        try:
            result = run_local(self.store, canned.text, bindings)
        except SparqlSyntaxError as exc:
            if canned.path is None:
                raise
            raise InputError(exc.reason, file=canned.path, line=exc.line, column=exc.column) from None
        result.warnings = parameter_warnings(canned, values, ask=self._ask, base=self.base_iri) if canned.params else []
        return result

    def run_sparql(self, text: str, /, params: Mapping[str, object] | None = None, *, endpoint: str | None = None,
                   timeout: float = 60.0) -> QueryResult:
        """Run SPARQL text (with a ``#+`` header declaring parameters, if any); return raw results.

        Examples
        --------
        >>> import kg
        >>> from kg.namespace import KIKG
        >>> kg.build().run_sparql(f"ASK {{ ?s a <{KIKG.Ministry}> }}").boolean
        True
        """
        return self.run_query(parse_query_text(text), params, endpoint=endpoint, timeout=timeout)

    def query(self, query: str | CannedQuery, /, **params: object) -> pd.DataFrame:
        """Run a canned query by name; return a typed DataFrame.

        Warnings about the parameters (see :meth:`run_query`) are issued as
        :class:`~kg.errors.QueryWarning` and kept in ``frame.attrs["warnings"]``.

        Examples
        --------
        >>> import kg
        >>> kg.build().query("documents").columns[0]
        'document'
        """
        result = self.run_query(query, params)
        return _warn(result.to_frame(), result.warnings)

    def query_file(self, path: str | Path, /, **params: object) -> pd.DataFrame:
        """Run the query of a ``.rq`` file (with its ``#+`` header, if any); return a typed DataFrame.

        Raises
        ------
        InputError
            For a file that cannot be read or a malformed header.
        """
        result = self.run_query(parse_query_file(path), params)
        return _warn(result.to_frame(), result.warnings)

    def sparql(self, text: str, /, **params: object) -> pd.DataFrame:
        """Run SPARQL text; return a typed DataFrame.

        Examples
        --------
        >>> import kg
        >>> from kg.namespace import KIKG
        >>> frame = kg.build().sparql(f"SELECT (COUNT(*) AS ?ministries) WHERE {{ ?m a <{KIKG.Ministry}> }}")
        >>> int(frame.loc[0, "ministries"]) > 0
        True
        """
        result = self.run_sparql(text, params)
        return _warn(result.to_frame(), result.warnings)

    def _ask(self, text: str) -> bool:
        return bool(run_local(self.store, text).boolean)

    # -- checks -----------------------------------------------------------------------------

    def validate(self, *, engine: Engine | None = None,
                 shapes: str | Path | Sequence[str | Path] | ShapesGraph | None = None) -> ValidationReport:
        """Validate against the shapes (the project's by default); results trace back to source table rows.

        ``engine`` is ``Engine.OXIGRAPH`` by default. The report's ``conforms`` is false as soon as
        there is any result, warnings included (SHACL 3.6.1); ``report.passes(allow_warnings=True)``
        is what ``kg build`` requires.
        """
        # Imported here: the validation package loads rdflib's SPARQL parser, which querying never needs.
        from kg.validation import Engine, validate_store

        return validate_store(self.store, engine=engine or Engine.OXIGRAPH, shapes=shapes, base_iri=self.base_iri)

    def check_consistency(self, *, cache: str | Path | None = None) -> ConsistencyReport:
        """Check the ontology with the data with the HermiT reasoner (needs Java).

        With ``cache`` (a JSON file), HermiT is not run again on input it found consistent before
        (see :mod:`kg.reasoning`).
        """
        return check_consistency(self.dataset.canonical_ntriples(), cache=cache)

    # -- network ----------------------------------------------------------------------------

    def network(
        self,
        *,
        projection: Projection = Projection.COLLABORATION,
        query: str | None = None,
        include_isolated: bool = True,
    ) -> nx.Graph:
        """The projected network (see :mod:`kg.network.projection`).

        Parameters
        ----------
        projection
            Collaboration (undirected, the default), directed, bipartite actor-policy, or that
            bipartite graph projected onto actors.
        query
            Your own SPARQL SELECT replacing the projection's query (see
            :func:`kg.network.project` for the variables it returns).
        include_isolated
            Keep actors without links as isolated nodes.

        Raises
        ------
        UsageError
            For a projection query that cannot be used.

        Examples
        --------
        >>> import kg
        >>> kg.build().network().graph["projection"]
        'collaboration'
        """
        return project(self.store, projection=projection, query=query, include_isolated=include_isolated)

    def centrality(
        self,
        *,
        projection: Projection = Projection.COLLABORATION,
        query: str | None = None,
        metrics: Iterable[Metric | str] = DEFAULT_METRICS,
        betweenness_samples: int | None = None,
        engine: NetworkEngine = NetworkEngine.AUTO,
    ) -> pd.DataFrame:
        """Centrality metrics of the projected network, one row per actor.

        How each metric treats weights and components: :mod:`kg.network.metrics`. The frame's
        ``attrs`` record the projection and parameters, which :meth:`write_analysis` writes.

        Parameters
        ----------
        projection, query
            As :meth:`network`.
        metrics
            Which metrics (all by default), as :class:`~kg.network.Metric` members or names.
        betweenness_samples
            Estimate betweenness from this many sampled sources (column ``betweenness_approx``).
        engine
            ``AUTO`` (default): igraph, a dependency, where installed, else NetworkX, with communities
            by NetworkX either way; or NetworkX or igraph alone. The same values, igraph being faster.

        Raises
        ------
        UsageError
            For a bad projection query or sample size, or the igraph engine without igraph.

        Examples
        --------
        >>> import kg
        >>> frame = kg.build().centrality(metrics=[kg.Metric.DEGREE])
        >>> list(frame.columns), frame.attrs["projection"]
        (['label', 'type', 'degree', 'degree_rank'], 'collaboration')
        """
        graph = self.network(projection=projection, query=query)
        return centrality_frame(graph, metrics=metrics, betweenness_samples=betweenness_samples, engine=engine)

    def write_analysis(
        self,
        frame: pd.DataFrame,
        *,
        projection: Projection | None = None,
        query: str | None = None,
        parameters: dict[str, object] | None = None,
    ) -> int:
        """Write centrality results into the analysis graph (replacing it); return the triple count.

        The analysis records the projection, its query and the parameters of the computation. They
        come from ``frame.attrs`` (set by :meth:`centrality`); ``projection`` and ``query`` are for
        a frame without them, and must agree with them otherwise. ``parameters`` adds entries to
        the recorded ones (the computed ones win on a clash). Results are written for actors only.

        Raises
        ------
        UsageError
            When ``projection`` or ``query`` contradict what the frame was computed on.
        """
        recorded = frame.attrs.get("projection")
        if projection is not None and recorded not in (None, "custom", projection.value):
            raise UsageError(f"the frame was computed on the {recorded} projection, not {projection.value}")
        name = projection.value if projection is not None else str(recorded or Projection.COLLABORATION.value)
        if query is not None and frame.attrs.get("query") not in (None, "", query):
            raise UsageError("the frame was computed with another projection query than the one given")
        default = projection_query(Projection(name)) if name in {p.value for p in Projection} else ""
        text = query or frame.attrs.get("query") or default
        merged: dict[str, object] = dict(parameters or {})
        merged.update(frame.attrs.get("parameters", {}))
        merged["custom_query"] = bool(frame.attrs.get("custom_query", False)) or (query is not None and query != default)
        triples = analysis_triples(frame, base=self.base_iri, projection=name, query=str(text), parameters=merged,
                                   actors=actor_iris(self.store))
        self.dataset.replace_graph(self.dataset.graphs.analysis, triples)
        return len(triples)

    # -- servers ----------------------------------------------------------------------------

    def load(self, endpoint: str, *, graphs: Iterable[str] | None = None, query_endpoint: str | None = None,
             update_endpoint: str | None = None, chunk_size: int = DEFAULT_CHUNK_SIZE,
             parallel: int = DEFAULT_PARALLEL, timeout: float = 120.0, retries: int = 3, auth: Auth | None = None,
             allow_insecure: bool = False) -> LoadReport:
        """Load the named graphs into a SPARQL 1.1 store, each replacing its earlier content.

        A thin call of :func:`kg.remote.load_dataset` (see ``docs/loading.md``): one atomic
        replacement per graph through the Graph Store HTTP Protocol, then the triples of each graph
        counted on the store.

        Parameters
        ----------
        endpoint
            The store's Graph Store Protocol endpoint (Oxigraph ``/store``, Fuseki ``/<ds>/data``,
            Virtuoso ``/sparql-graph-crud-auth``).
        graphs
            Only these graphs (IRIs, or names relative to the base such as ``graph/table/acts``).
        query_endpoint, update_endpoint
            Where they cannot be derived from ``endpoint``.
        chunk_size
            Graphs larger than this many triples go in chunks through a staging graph.
        parallel
            How many requests are sent at the same time, each on its own connection.
        timeout, retries
            Per request; only timeouts, connection errors and 5xx answers are retried.
        auth
            How credentials are sent (default ``Auth.AUTO``: Basic where it may go, Digest when the
            store asks for it).
        allow_insecure
            Allow Basic credentials over plain http to a host that is not this machine.

        Raises
        ------
        LoadCountMismatch
            When the store holds other counts than were sent (the report is attached).
        RemoteError
            When the store refuses a request or cannot be reached.
        """
        from kg.remote.http import Auth
        from kg.remote.loader import load_dataset

        return load_dataset(self.dataset, endpoint=endpoint, graphs=graphs, query_endpoint=query_endpoint,
                            update_endpoint=update_endpoint, chunk_size=chunk_size, parallel=parallel, timeout=timeout,
                            retries=retries, auth=auth or Auth.AUTO, allow_insecure=allow_insecure,
                            base_iri=self.base_iri)

    def serve(self, *, port: int = 0, query_timeout: float = 60.0) -> Server:
        """Serve this graph read-only on 127.0.0.1 with the query page of the canned queries.

        The server is a copy: later changes to this graph do not reach it. Stop it with
        :meth:`Server.stop <kg.serve.Server.stop>` or a ``with`` block.

        Examples
        --------
        >>> import kg
        >>> graph = kg.build()
        >>> with graph.serve() as server:
        ...     on_server = graph.run_query("documents", endpoint=server.query_url).to_frame()
        >>> on_server.equals(graph.query("documents"))
        True
        """
        from kg.serve import serve

        return serve(self.dataset, port=port, base_iri=self.base_iri, query_timeout=query_timeout,
                     catalogue=self.catalogue)

    # -- output -----------------------------------------------------------------------------

    def serialize(self, format: RdfFormat = RdfFormat.TRIG) -> bytes:
        """Serialise the dataset (deterministic; graph-less formats get the union)."""
        return self.dataset.serialize(format)

    def reconciliation(self) -> pd.DataFrame:
        """Per source table: rows read, subjects, triples and source records produced.

        Every row makes at least one triple (the mapper stops on a row that makes none), so no row
        vanishes; this table shows how many of each came out of each table.
        """
        rows = []
        for table in self.mapping.tables if self.mapping else []:
            rows.append({"table": table.name, "rows": table.rows, "subjects": table.subjects,
                         "triples": table.triples, "source_records": table.records})
        frame = pd.DataFrame(rows, columns=["table", "rows", "subjects", "triples", "source_records"])
        return frame.astype({"table": "string", "rows": "Int64", "subjects": "Int64", "triples": "Int64",
                             "source_records": "Int64"})


def build(sources: str | Path | None = None, *, base_iri: str | None = None) -> KnowledgeGraph:
    """Map the source tables into a dataset with the ontology; nothing is written to disk.

    Parameters
    ----------
    sources
        A CSVW table-group metadata file; by default the shipped tables.
    base_iri
        The base of all data IRIs; by default the metadata's ``@base``.

    Raises
    ------
    InputError
        For any bad input (file, row and column in the message); nothing is built.
    """
    mapping = map_tables(sources or DEFAULT_SOURCES, base_iri=base_iri)
    dataset = Dataset(base_iri=mapping.group.base)
    dataset.add_graph(dataset.graphs.ontology, ontology_triples())
    dataset.add_nquads(mapping.nquads())
    return KnowledgeGraph(dataset, mapping=mapping)


def read(path: str | Path, *, base_iri: str = DEFAULT_BASE_IRI) -> KnowledgeGraph:
    """Read a dataset file (TriG, N-Quads, Turtle, N-Triples or JSON-LD) without touching the network."""
    return KnowledgeGraph(Dataset.from_file(path, base_iri=base_iri))


def query_endpoint_named(endpoint: str, query: str | CannedQuery, /, *, base_iri: str = DEFAULT_BASE_IRI,
                         timeout: float = 60.0, dataset: QueryDataset | None = None,
                         **params: object) -> pd.DataFrame:
    """Run a canned query (by name) on a remote SPARQL endpoint (on ``dataset`` where given);
    return a typed DataFrame.

    As :func:`run_on_endpoint`; warnings are issued as :class:`~kg.errors.QueryWarning` and kept in
    ``frame.attrs["warnings"]``.
    """
    result = run_on_endpoint(endpoint, query, params, base_iri=base_iri, timeout=timeout, dataset=dataset)
    return _warn(result.to_frame(), result.warnings)
