"""From the RDF graph to NetworkX graphs, defined by SPARQL (see :mod:`kg.network.sparql`).

Nodes are keyed by IRI and carry ``label`` (English label), ``type`` (most specific kikg class),
``region`` and ``region_iri`` (where the actor is headquartered or located). Edges carry

``weight``
    the number of distinct links between the two nodes: a direct link counts once however many
    role nodes and documents state it; a shared involvement counts once per kind and shared thing;
``types``, ``via``, ``years``, ``sources``
    the sorted, ``;``-joined edge types, shared things, start years and source documents.

Attributes are strings and integers only, so GraphML and GEXF keep them; every collection is sorted,
so the same data gives the same graph, node order and edge order included. The graph attributes
``projection``, ``query`` and ``custom_query`` say how the graph was made; the metrics carry them on
to the write-back.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg._lazy import lazy_import
from kg.errors import UsageError
from kg.network.sparql import (
    ACTORS_QUERY,
    BIPARTITE_QUERY,
    COLLABORATION_QUERY,
    PREFIXES,
    attributes_query,
)
from kg.queries.guard import SparqlSyntaxError, check_read_only

if TYPE_CHECKING:
    import networkx as nx
else:  # loaded on first use, see kg._lazy
    nx = lazy_import("networkx")

__all__ = [
    "Involvement",
    "Link",
    "Projection",
    "actor_iris",
    "bipartite_graph",
    "collaboration_links",
    "involvements",
    "node_attributes",
    "project",
    "projection_query",
]


class Projection(enum.Enum):
    """The projections the toolkit defines."""

    COLLABORATION = "collaboration"
    """Undirected actor graph, edges weighted by the number of distinct links."""
    DIRECTED = "directed"
    """Directed actor graph: direct links keep their direction, mutual ones go both ways."""
    BIPARTITE = "bipartite"
    """Actors (``bipartite=0``) and the policies, events and collaborations they are involved in
    (``bipartite=1``)."""
    ACTORS_VIA_POLICIES = "actors-via-policies"
    """The bipartite graph projected onto actors, weighted by the number of shared things."""

    @property
    def bipartite(self) -> bool:
        """Whether the projection is built from involvements (``?actor ?thing`` rows)."""
        return self in (Projection.BIPARTITE, Projection.ACTORS_VIA_POLICIES)


@dataclass(frozen=True, order=True)
class Link:
    """One row of a link projection query: a link between two actors, with one year and document."""

    source: str
    target: str
    type: str
    via: str = ""
    mutual: bool = False
    year: str = ""
    document: str = ""


@dataclass(frozen=True, order=True)
class Involvement:
    """One row of a bipartite projection query: an actor involved in a thing."""

    actor: str
    thing: str
    relation: str = ""
    year: str = ""
    document: str = ""


def projection_query(projection: Projection) -> str:
    """The default SPARQL query of ``projection``."""
    return BIPARTITE_QUERY if projection.bipartite else COLLABORATION_QUERY


def _select(store: ox.Store, sparql: str, *, required: Iterable[str]) -> tuple[ox.QuerySolutions, set[str]]:
    try:
        check_read_only(sparql)
    except SparqlSyntaxError as exc:
        raise UsageError(f"projection query: error at {exc.line}:{exc.column}: {exc.reason}") from None
    try:
        result = store.query(sparql, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise UsageError(f"projection query: {str(exc).splitlines()[0]}") from None
    if not isinstance(result, ox.QuerySolutions):
        raise UsageError("a projection query must be a SELECT query")
    names = {variable.value for variable in result.variables}
    missing = sorted(set(required) - names)
    if missing:
        raise UsageError(f"the projection query must select ?{', ?'.join(missing)}")
    return result, names


def _iri(row: ox.QuerySolution, name: str, index: int) -> str:
    term = row[name]
    if not isinstance(term, ox.NamedNode):
        what = "unbound" if term is None else f"not an IRI ({term})"
        raise UsageError(f"projection query, result row {index}: ?{name} is {what}; nodes must be IRIs")
    return term.value


def _text(row: ox.QuerySolution, name: str, names: set[str]) -> str:
    if name not in names:
        return ""
    term = row[name]
    return "" if term is None or isinstance(term, ox.Triple) else term.value


def collaboration_links(store: ox.Store, *, query: str = COLLABORATION_QUERY) -> list[Link]:
    """The rows of a link projection query, distinct and sorted.

    Raises
    ------
    UsageError
        For a query that does not parse, is not a SELECT, lacks ``?source ?target ?type``, uses
        ``SERVICE`` or an update keyword, or returns a node that is not an IRI.
    """
    result, names = _select(store, query, required=("source", "target", "type"))
    links = set()
    for index, row in enumerate(result, start=1):
        source, target = _iri(row, "source", index), _iri(row, "target", index)
        if row["type"] is None:
            raise UsageError(f"projection query, result row {index}: ?type is unbound")
        if source == target:
            continue  # a self-loop is no collaboration
        links.add(
            Link(
                source=source,
                target=target,
                type=_text(row, "type", names),
                via=_text(row, "via", names),
                mutual=_text(row, "mutual", names).lower() in ("true", "1"),
                year=_text(row, "year", names),
                document=_text(row, "document", names),
            )
        )
    return sorted(links)


def involvements(store: ox.Store, *, query: str = BIPARTITE_QUERY) -> list[Involvement]:
    """The rows of a bipartite projection query, distinct and sorted.

    Raises
    ------
    UsageError
        As :func:`collaboration_links`, for ``?actor ?thing``.
    """
    result, names = _select(store, query, required=("actor", "thing"))
    rows = set()
    for index, row in enumerate(result, start=1):
        rows.add(
            Involvement(
                actor=_iri(row, "actor", index),
                thing=_iri(row, "thing", index),
                relation=_text(row, "relation", names),
                year=_text(row, "year", names),
                document=_text(row, "document", names),
            )
        )
    return sorted(rows)


def _local_name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1] or iri


def node_attributes(store: ox.Store, iris: Iterable[str] | None = None) -> dict[str, dict[str, str]]:
    """``label``, ``type``, ``region`` and ``region_iri`` of every actor, or of the nodes ``iris``.

    Where a node has several values, the choice is deterministic: the smallest English label (else
    the smallest label without language, else the IRI's last segment); all most specific classes
    and regions, sorted and ``;``-joined.
    """
    if iris is None:
        sparql = ACTORS_QUERY
        wanted: list[str] = []
    else:
        wanted = sorted(set(iris))
        if not wanted:
            return {}
        sparql = attributes_query(wanted)
    values: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    result, names = _select(store, sparql, required=("node",))
    for index, row in enumerate(result, start=1):
        node = _iri(row, "node", index)
        slot = values[node]
        for name in ("label", "plain", "class", "region", "region_label"):
            text = _text(row, name, names)
            if text:
                slot[name].add(text)
    attributes = {}
    for node in sorted(set(values) | set(wanted)):
        slot = values[node]
        label = min(slot["label"]) if slot["label"] else min(slot["plain"]) if slot["plain"] else _local_name(node)
        attributes[node] = {
            "label": label,
            "type": ";".join(sorted(_local_name(c) for c in slot["class"])),
            "region": ";".join(sorted(slot["region_label"])) if slot["region_label"]
            else ";".join(sorted(_local_name(r) for r in slot["region"])),
            "region_iri": ";".join(sorted(slot["region"])),
        }
    return attributes


def actor_iris(store: ox.Store) -> set[str]:
    """The IRIs of every actor (instances of a subclass of ``kikg:Actor``)."""
    result, _ = _select(
        store,
        PREFIXES + "SELECT DISTINCT ?node WHERE { ?node rdf:type/rdfs:subClassOf* kikg:Actor . FILTER (isIRI(?node)) }",
        required=("node",),
    )
    return {row["node"].value for row in result}


def _refuse_classes(store: ox.Store, nodes: Iterable[str]) -> None:
    """A projection has no ``rdf:type`` nodes: refuse a user query that returns classes."""
    wanted = sorted(set(nodes))
    if not wanted:
        return
    values = " ".join(f"<{iri}>" for iri in wanted)
    result, _ = _select(
        store,
        PREFIXES + f"""SELECT ?node WHERE {{ VALUES ?node {{ {values} }}
            {{ ?thing rdf:type ?node }} UNION {{ ?node rdf:type owl:Class }} UNION {{ ?node rdf:type rdfs:Class }}
        }} ORDER BY ?node LIMIT 1""",
        required=("node",),
    )
    for row in result:
        raise UsageError(f"the projection query returns the class <{row['node'].value}> as a node; "
                         "a projection links instances, never classes")


class _Edges:
    """Links grouped into edges: a set of link keys (the weight) and the sets behind the attributes."""

    def __init__(self) -> None:
        self.keys: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
        self.sets: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))

    def add(self, pair: tuple[str, str], key: tuple[str, str], *, type: str, via: str, year: str, document: str) -> None:
        self.keys[pair].add(key)
        sets = self.sets[pair]
        for name, value in (("types", type), ("via", via), ("years", year), ("sources", document)):
            if value:
                sets[name].add(value)

    def add_to(self, graph: nx.Graph) -> None:
        for pair in sorted(self.keys):
            sets = self.sets[pair]
            graph.add_edge(
                *pair,
                weight=len(self.keys[pair]),
                **{name: ";".join(sorted(sets[name])) for name in ("types", "via", "years", "sources")},
            )


def _add_nodes(graph: nx.Graph, attributes: dict[str, dict[str, str]], nodes: Iterable[str], **extra: object) -> None:
    for node in sorted(set(nodes)):
        graph.add_node(node, **attributes[node], **extra)


def _link_graph(store: ox.Store, *, directed: bool, query: str | None, include_isolated: bool) -> nx.Graph:
    links = collaboration_links(store, query=query or COLLABORATION_QUERY)
    edges = _Edges()
    for link in links:
        key = (link.type, link.via)
        if directed:
            pairs = [(link.source, link.target)] + ([(link.target, link.source)] if link.mutual else [])
        else:
            first, second = sorted((link.source, link.target))
            pairs = [(first, second)]
        for pair in pairs:
            edges.add(pair, key, type=link.type, via=link.via, year=link.year, document=link.document)
    linked = {node for pair in edges.keys for node in pair}
    if query is not None:
        _refuse_classes(store, linked)
    actors = node_attributes(store)
    missing = linked - set(actors)
    attributes = {**actors, **node_attributes(store, missing)} if missing else actors
    graph: nx.Graph = nx.DiGraph() if directed else nx.Graph()
    _add_nodes(graph, attributes, (set(actors) | linked) if include_isolated else linked)
    edges.add_to(graph)
    return graph


def bipartite_graph(store: ox.Store, *, query: str | None = None, include_isolated: bool = True) -> nx.Graph:
    """Actors (``bipartite=0``) and what they are involved in (``bipartite=1``).

    An edge joins an actor to a thing; its ``weight`` is the number of distinct relations (plans,
    funds, participates in...) between them, listed in ``types``.
    """
    rows = involvements(store, query=query or BIPARTITE_QUERY)
    actors = {row.actor for row in rows}
    things = {row.thing for row in rows}
    both = sorted(actors & things)
    if both:
        raise UsageError(f"<{both[0]}> is both an actor and a thing in the bipartite projection query")
    if query is not None:
        _refuse_classes(store, actors | things)
    all_actors = node_attributes(store)
    attributes = {**all_actors, **node_attributes(store, (actors | things) - set(all_actors))}
    graph = nx.Graph()
    _add_nodes(graph, attributes, (actors | set(all_actors)) if include_isolated else actors, bipartite=0)
    _add_nodes(graph, attributes, things, bipartite=1)
    edges = _Edges()
    for row in rows:
        edges.add((row.actor, row.thing), (row.relation, ""), type=row.relation, via="", year=row.year,
                  document=row.document)
    edges.add_to(graph)
    return graph


def _actors_via_policies(bipartite: nx.Graph) -> nx.Graph:
    """Two actors are linked once per thing both are involved in."""
    graph = nx.Graph()
    actors = [n for n, side in bipartite.nodes(data="bipartite") if side == 0]
    for actor in actors:
        graph.add_node(actor, **{k: v for k, v in bipartite.nodes[actor].items() if k != "bipartite"})
    edges = _Edges()
    things = sorted(n for n, side in bipartite.nodes(data="bipartite") if side == 1)
    for thing in things:
        members = sorted(bipartite.neighbors(thing))
        for index, first in enumerate(members):
            for second in members[index + 1:]:
                for actor in (first, second):
                    data = bipartite.edges[actor, thing]
                    for year in data["years"].split(";") if data["years"] else [""]:
                        edges.add((first, second), ("shared involvement", thing), type="shared involvement",
                                  via=thing, year=year, document="")
                    for document in data["sources"].split(";") if data["sources"] else []:
                        edges.add((first, second), ("shared involvement", thing), type="shared involvement",
                                  via=thing, year="", document=document)
    edges.add_to(graph)
    return graph


def project(
    store: ox.Store,
    *,
    projection: Projection = Projection.COLLABORATION,
    query: str | None = None,
    include_isolated: bool = True,
) -> nx.Graph:
    """Build the NetworkX graph of a projection.

    Parameters
    ----------
    store
        The dataset (queried with the union of its named graphs as default graph).
    projection
        Which projection.
    query
        A user's own SELECT replacing the projection's default query: for the collaboration and
        directed projections it returns ``?source ?target ?type`` and optionally ``?via``,
        ``?mutual``, ``?year``, ``?document`` (one row per link); for the bipartite projections
        ``?actor ?thing`` and optionally ``?relation``, ``?year``, ``?document``.
    include_isolated
        Keep actors without links as isolated nodes.

    Returns
    -------
    networkx.Graph or networkx.DiGraph
        See the module documentation for the attributes.

    Raises
    ------
    UsageError
        For a query that cannot be used (see :func:`collaboration_links`), or one that returns
        classes as nodes.

    Examples
    --------
    >>> import kg
    >>> graph = project(kg.build().store)
    >>> graph.graph["projection"], all(isinstance(n, str) for n in graph)
    ('collaboration', True)
    """
    if projection.bipartite:
        graph = bipartite_graph(store, query=query, include_isolated=include_isolated)
        if projection is Projection.ACTORS_VIA_POLICIES:
            graph = _actors_via_policies(graph)
    else:
        graph = _link_graph(store, directed=projection is Projection.DIRECTED, query=query,
                            include_isolated=include_isolated)
    graph.graph.update(projection=projection.value, query=query or projection_query(projection),
                       custom_query=query is not None)
    return graph
