"""Queries against any SPARQL 1.1 endpoint, over the SPARQL 1.1 Protocol.

The client (:class:`~kg.remote.http.HttpClient`) sets a timeout, sends a User-Agent, authenticates
with Basic or Digest, uses POST for long queries, and turns an error into
:class:`~kg.errors.RemoteError` carrying the server's own message as text. SELECT and ASK answers
come as SPARQL results JSON, CONSTRUCT and DESCRIBE answers as N-Triples.

An answer the server cut short is an error, never a silent success: Virtuoso caps answers at its
``ResultSetMaxRows`` and says so only in the ``X-SPARQL-MaxRows`` header, and its "anytime" queries
return what they found when time ran out, with ``X-SQL-State: S1TAT``. :class:`TruncatedAnswer`
carries the rows received.

The dataset of a query (``default-graph-uri`` and ``named-graph-uri``) is given with
:class:`QueryDataset`: on stores whose default graph is every graph, system graphs included
(Virtuoso), ``QueryDataset.union_of(graphs)`` keeps a query to the knowledge graph's own graphs.
"""

from __future__ import annotations

import json
import logging
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import RemoteError, UsageError
from kg.queries.binding import tokens
from kg.queries.results import QueryResult
from kg.remote.http import USER_AGENT, Answer, Auth, HttpClient, Role, without_query
from kg.vocabularies import XSD

__all__ = [
    "GRAPH_NAMES_PROBE",
    "MAX_RESULT_BYTES",
    "POST_THRESHOLD",
    "USER_AGENT",
    "QueryDataset",
    "TruncatedAnswer",
    "enumerates_graphs",
    "graph_names",
    "graphs_on",
    "graphs_query",
    "list_graphs",
    "query_endpoint",
    "run_query",
]

POST_THRESHOLD = 1500
"""Queries longer than this many characters are sent with POST (URLs have length limits)."""
MAX_RESULT_BYTES = 512 * 1024 * 1024
"""The largest answer :func:`query_endpoint` reads by default."""

logger = logging.getLogger("kg.remote")

_VIRTUOSO_GRAPH_LIMIT = 21
"""Virtuoso 7.2 loses rows of queries with property paths when the default graph has more graphs
than this (measured: 6 of the 31 canned queries with the 26 graphs of the knowledge graph)."""

_XSD_BOOLEAN = ox.NamedNode(XSD.boolean)


@dataclass(frozen=True)
class QueryDataset:
    """The RDF dataset a remote query runs on (SPARQL 1.1 Protocol ``default-graph-uri`` and
    ``named-graph-uri``); empty tuples leave the choice to the endpoint.

    Examples
    --------
    >>> QueryDataset.union_of(["https://example.org/g1", "https://example.org/g2"]).named_graphs
    ('https://example.org/g1', 'https://example.org/g2')
    """

    default_graphs: tuple[str, ...] = ()
    """Graphs merged into the default graph."""
    named_graphs: tuple[str, ...] = ()
    """Graphs that ``GRAPH`` patterns see."""

    @classmethod
    def union_of(cls, graphs: Iterable[str]) -> QueryDataset:
        """The default graph is the merge of ``graphs``, and ``GRAPH`` sees each of them: what
        canned queries expect, with nothing else of the store."""
        chosen = tuple(dict.fromkeys(graphs))
        return cls(chosen, chosen)

    def parameters(self) -> list[tuple[str, str]]:
        """The protocol parameters, in order."""
        for graph in (*self.default_graphs, *self.named_graphs):
            try:
                ox.NamedNode(graph)
            except ValueError:
                raise UsageError(f"not an IRI for a dataset graph: {graph!r}") from None
        return ([("default-graph-uri", g) for g in self.default_graphs]
                + [("named-graph-uri", g) for g in self.named_graphs])


class TruncatedAnswer(RemoteError):
    """The endpoint cut its answer short; ``result`` holds the rows it did send."""

    def __init__(self, reason: str, *, result: QueryResult, url: str) -> None:
        self.result = result
        super().__init__(reason, url=url)


def query_endpoint(
    endpoint: str,
    text: str,
    *,
    timeout: float = 60.0,
    dataset: QueryDataset | None = None,
    auth: Auth = Auth.AUTO,
    allow_insecure: bool = False,
    max_bytes: int = MAX_RESULT_BYTES,
) -> QueryResult:
    """Run a query on ``endpoint`` and return its results.

    Parameters
    ----------
    endpoint
        The query endpoint (Oxigraph ``/query``, Fuseki ``/<ds>/query``, Virtuoso ``/sparql``).
    text
        The query, with its parameters already bound (:func:`kg.queries.inject_values`).
    timeout
        Seconds to wait for the endpoint.
    dataset
        The graphs to query; by default the endpoint's own default graph and named graphs.
    auth, allow_insecure
        How credentials (``KG_USERNAME``/``KG_PASSWORD`` or ``~/.netrc``) are sent, as for
        :class:`~kg.remote.http.HttpClient`.
    max_bytes
        The largest answer read.

    Raises
    ------
    TruncatedAnswer
        If the endpoint cut the answer short (``X-SPARQL-MaxRows``, an interrupted "anytime" query).
    RemoteError
        If the endpoint cannot be reached, times out, answers with an error or too much.
    UsageError
        For credentials that would go over plain http to another host.
    """
    with HttpClient(timeout=timeout, retries=0, auth=auth, allow_insecure=allow_insecure) as client:
        return run_query(client, endpoint, text, dataset=dataset, role=Role.SPARQL, max_bytes=max_bytes)


def run_query(client: HttpClient, endpoint: str, text: str, *, dataset: QueryDataset | None = None,
              role: Role = Role.QUERY, what: str = "query", max_bytes: int = MAX_RESULT_BYTES) -> QueryResult:
    """Run a query with ``client`` (its retries, credentials and timeouts); see :func:`query_endpoint`."""
    form = _query_form(text)
    accept = "application/n-triples" if form in ("CONSTRUCT", "DESCRIBE") else "application/sparql-results+json"
    parameters = [("query", text), *(dataset.parameters() if dataset else [])]
    encoded = urllib.parse.urlencode(parameters)
    headers = {"Accept": accept}
    if len(encoded) > POST_THRESHOLD:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        answer = client.request("POST", endpoint, what=what, content=encoded.encode(), headers=headers,
                                max_bytes=max_bytes)
    else:
        separator = "&" if urllib.parse.urlsplit(endpoint).query else "?"
        answer = client.request("GET", f"{endpoint}{separator}{encoded}", what=what, headers=headers,
                                max_bytes=max_bytes)
    url = without_query(endpoint)
    client.raise_for(answer, url, role=role, what=what)
    if dataset and len(dataset.default_graphs) > _VIRTUOSO_GRAPH_LIMIT and answer.headers.get(
            "server", "").startswith("Virtuoso/"):
        logger.warning("%s is Virtuoso, which answers queries with property paths wrongly (rows missing) when the "
                       "default graph is made of more than %d graphs; leave the dataset to it where you can", url,
                       _VIRTUOSO_GRAPH_LIMIT)
    result = _parse(answer, url, form)
    _check_complete(answer, url, result)
    if form == "SELECT" and _selects_distinct(text):
        _drop_repeated_rows(result, url)
    return result


def list_graphs(client: HttpClient, endpoint: str, *, prefix: str = "", role: Role = Role.SPARQL) -> list[str]:
    """The graphs on ``endpoint`` that hold triples, those whose IRI starts with ``prefix``, sorted."""
    def run(text: str) -> QueryResult:
        return run_query(client, endpoint, text, role=role, what="the list of graphs")

    return graphs_on(run, prefix=prefix, enumerates=enumerates_graphs(run(GRAPH_NAMES_PROBE)))


def graphs_on(run: Callable[[str], QueryResult], *, prefix: str, enumerates: bool) -> list[str]:
    """The graphs that hold triples, those whose IRI starts with ``prefix``, sorted, asked through
    ``run`` (a function that runs a query on the store).

    Where the store lists its graphs (``enumerates``, :func:`enumerates_graphs`), by the names it
    lists. Elsewhere by :data:`GRAPHS_GROUPED`, filtered here: Virtuoso 7.2 answers it from its graph
    index, 0.02 s for a million triples, where the same query with the filter inside (or
    ``DISTINCT``) reads every triple, 3.7 s (``HAVING``) to 123 s (``DISTINCT``) (measured). An
    answer cut short (more graphs than the store sends rows) falls back to the filtered scan.
    """
    if enumerates:
        return graph_names(run(graphs_query(prefix, scan=False)))
    try:
        names = graph_names(run(GRAPHS_GROUPED))
    except TruncatedAnswer:
        return graph_names(run(graphs_query(prefix, scan=True)))
    return [name for name in names if name.startswith(prefix)]


GRAPHS_GROUPED = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
"""Every graph that holds triples, one row each."""


GRAPH_NAMES_PROBE = "SELECT ?g WHERE { GRAPH ?g { } } LIMIT 1"
"""Asks whether a store lists its named graphs for ``GRAPH ?g { }`` (see :func:`enumerates_graphs`)."""


def enumerates_graphs(probe: QueryResult) -> bool:
    """Whether the answer to :data:`GRAPH_NAMES_PROBE` names graphs (or there are none): Oxigraph
    and Fuseki list their named graphs without reading their triples; Virtuoso 7.2 answers one row
    with ``?g`` unbound, and its graphs are found only by reading every triple."""
    return all(row and row[0] is not None for row in probe.rows)


def graphs_query(prefix: str = "", *, scan: bool = True) -> str:
    """A query of the graphs that hold triples, those whose IRI starts with ``prefix`` (bound as a
    literal term). With ``scan=False``, the graphs come from ``GRAPH ?g { }``, and each is asked for
    one triple: on Oxigraph 0.5, 0.1 ms instead of 1.3 s for a store of a million triples
    (measured), but only for stores that list their graphs that way (:func:`enumerates_graphs`).

    >>> print(graphs_query("urn:x:"))
    SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "urn:x:")) }
    >>> print(graphs_query("urn:x:", scan=False))
    SELECT ?g WHERE { GRAPH ?g { } FILTER(STRSTARTS(STR(?g), "urn:x:")) FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }
    """
    test = "" if not prefix else f" FILTER(STRSTARTS(STR(?g), {ox.Literal(prefix)}))"
    if scan:
        return f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }}{test} }}"
    return f"SELECT ?g WHERE {{ GRAPH ?g {{ }}{test} FILTER EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} }} }}"


def graph_names(result: QueryResult) -> list[str]:
    """The IRIs in the ``?g`` column of ``result``, sorted."""
    if "g" not in result.variables:
        return []
    column = result.variables.index("g")
    return sorted(term.value for term in (row[column] for row in result.rows) if isinstance(term, ox.NamedNode))


def _parse(answer: Answer, url: str, form: str) -> QueryResult:
    if form in ("CONSTRUCT", "DESCRIBE"):
        try:
            triples = ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)
            rows: list[list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None]] = [
                [t.subject, t.predicate, t.object] for t in triples]
        except SyntaxError as exc:
            raise RemoteError(f"{url} did not answer with N-Triples: {exc}", url=url) from None
        return QueryResult(["subject", "predicate", "object"], rows)
    try:
        result = QueryResult.from_json(answer.body)
    except (SyntaxError, ValueError) as exc:
        interruption = _interruption(answer.body)
        if interruption:
            raise RemoteError(f"{url} broke off its answer: {interruption}", url=url) from None
        raise RemoteError(f"{url} did not answer with SPARQL results JSON: {exc}", url=url) from None
    return _canonical_booleans(result)


def _canonical_booleans(result: QueryResult) -> QueryResult:
    """Booleans in their canonical form: Virtuoso writes ``"1"^^xsd:boolean`` for true (the same
    value, another lexical form), which would print as ``1`` in CSV."""
    canonical = {"1": ox.Literal("true", datatype=_XSD_BOOLEAN), "0": ox.Literal("false", datatype=_XSD_BOOLEAN)}
    for row in result.rows:
        for index, term in enumerate(row):
            if isinstance(term, ox.Literal) and term.datatype == _XSD_BOOLEAN and term.value in canonical:
                row[index] = canonical[term.value]
    return result


def _check_complete(answer: Answer, url: str, result: QueryResult) -> None:
    cap = answer.headers.get("x-sparql-maxrows")
    if cap is not None and cap.strip().isdigit() and len(result) >= int(cap):
        raise TruncatedAnswer(
            f"{url} cut its answer to {int(cap)} rows (X-SPARQL-MaxRows, Virtuoso's ResultSetMaxRows): raise that "
            "limit on the server, or ask for fewer rows with LIMIT and OFFSET", result=result, url=url)
    state = answer.headers.get("x-sql-state")
    if state is not None:
        said = answer.headers.get("x-sql-message", "").split("Activity:")[0].strip()
        raise TruncatedAnswer(
            f"{url} sent an incomplete answer ({len(result)} rows, X-SQL-State {state.strip()}"
            f"{': ' + said if said else ''}): raise the server's time limit (Virtuoso: MaxQueryExecutionTime)",
            result=result, url=url)


def _selects_distinct(text: str) -> bool:
    """Whether the query's own SELECT (the first one: subqueries come after it) is DISTINCT.

    >>> _selects_distinct("# SELECT\\nSELECT DISTINCT ?a WHERE { { SELECT ?a WHERE {} } }")
    True
    >>> _selects_distinct("SELECT ?a WHERE { { SELECT DISTINCT ?a WHERE {} } }")
    False
    """
    words = (word.upper() for kind, word, _ in tokens(text) if kind == "word")
    for word in words:
        if word == "SELECT":
            return next(words, "") == "DISTINCT"
    return False


def _drop_repeated_rows(result: QueryResult, url: str) -> None:
    """Keep the first of rows that repeat in the answer to a SELECT DISTINCT.

    Virtuoso 7.2 now and then sends a row twice for a SELECT DISTINCT with ORDER BY (measured on
    the canned query observations-about). An answer with a repeated row breaks the query's own
    contract; removing the repetitions gives the answer the query asks for, in the same order.
    """
    seen: set[tuple[str, ...]] = set()
    kept = []
    for row, key in zip(result.rows, result.row_keys()):
        if key not in seen:
            seen.add(key)
            kept.append(row)
    if len(kept) < len(result.rows):
        logger.info("%s sent %d repeated rows for a SELECT DISTINCT; they were removed", url,
                    len(result.rows) - len(kept))
        result.rows[:] = kept


def _query_form(text: str) -> str:
    """The query form (SELECT, ASK, CONSTRUCT, DESCRIBE): the first such keyword outside comments,
    strings and IRIs."""
    for kind, word, _ in tokens(text):
        if kind == "word" and word.upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return word.upper()
    return "SELECT"


def _interruption(data: bytes) -> str:
    """The server's message where it broke off a streamed answer, or ``""``.

    A streaming server has sent status 200 and the start of the results before it meets its time
    limit; Oxigraph then writes its message into the body (``..."bindings":[The SPARQL operation
    has been cancelled``). The message is the text where the JSON stops parsing.

    >>> _interruption(b'{"head":{"vars":["a"]},"results":{"bindings":[The SPARQL operation has been cancelled')
    'The SPARQL operation has been cancelled'
    >>> _interruption(b'<html>not json</html>')
    ''
    """
    text = data.decode("utf-8", "replace")
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.pos == 0:
            return ""
        tail = text[exc.pos:].strip()
        return tail.splitlines()[0][:300] if tail else "the answer ends before the results do"
    return ""
