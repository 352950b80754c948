"""From the RDF graph to NetworkX graphs, defined by SPARQL.

Nodes are actors (instances of ``kikg:Actor``) with their label, class and region. Edges are the
collaboration links between them, from three sources in the graph:

* direct links between actors (sub-properties of ``kikg:actorLink``), read from their role nodes so
  each link keeps its year and source;
* shared memberships: two actors who are members, participants or signatories of the same
  committee, event, agreement or collaboration (``org:Membership`` nodes);
* shared involvement: two actors who plan, fund, manage or take part in the same policy.

Each row of the projection query is one link ``(source, target, type, via, year, document)``; the
weight of an edge is the number of distinct links between its two actors. Proposed links (which a
source recommends but which do not hold) are left out. No ``rdf:type`` or literal nodes enter the
graph. Users can pass their own projection query returning the same variables.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass

import networkx as nx
import pyoxigraph as ox

from kg.errors import UsageError

__all__ = [
    "Projection",
    "LINK_TYPES",
    "ACTORS_QUERY",
    "COLLABORATION_QUERY",
    "BIPARTITE_QUERY",
    "Link",
    "project",
    "actor_attributes",
    "collaboration_links",
    "bipartite_graph",
]


class Projection(enum.Enum):
    """The projections the toolkit defines."""

    COLLABORATION = "collaboration"
    """Undirected actor graph, edges weighted by the number of distinct links."""
    DIRECTED = "directed"
    """Directed actor graph: direct links keep their direction, shared ones go both ways."""
    BIPARTITE = "bipartite"
    """Actors and the policies, events and collaborations they are involved in."""
    ACTORS_VIA_POLICIES = "actors-via-policies"
    """The bipartite graph projected onto actors (weighted by the number of shared policies)."""


LINK_TYPES = {
    "supervises": "supervision",
    "reportsTo": "supervision",
    "managesOnBehalfOf": "management mandate",
    "plansJointlyWith": "joint planning",
    "coSigns": "co-signature",
    "coordinatesWith": "coordination",
    "fundsActor": "funding",
    "affiliateOf": "affiliation",
    "cooperatesWith": "cooperation",
}
"""Edge type of each direct actor link (the local name of its property)."""

_PREFIXES = """PREFIX kikg: <https://w3id.org/kikg/def#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

ACTORS_QUERY = _PREFIXES + """
SELECT ?actor (SAMPLE(?name) AS ?label) (SAMPLE(?cls) AS ?type) (SAMPLE(?where) AS ?region) WHERE {
    ?actor rdf:type/rdfs:subClassOf* kikg:Actor .
    OPTIONAL { ?actor rdfs:label ?name . FILTER (LANGMATCHES(LANG(?name), "en")) }
    OPTIONAL {
        ?actor rdf:type ?cls .
        FILTER (STRSTARTS(STR(?cls), STR(kikg:)))
        FILTER NOT EXISTS { ?actor rdf:type ?narrower . ?narrower rdfs:subClassOf+ ?cls . FILTER (?narrower != ?cls) }
    }
    OPTIONAL { ?actor kikg:headquarteredIn|kikg:locatedIn ?where }
}
GROUP BY ?actor
"""
"""Actors and their attributes: label, most specific class, region."""

COLLABORATION_QUERY = _PREFIXES + """
SELECT ?source ?target ?type ?via ?year ?document WHERE {
    {
        # Direct links between actors, from their role nodes.
        ?via a kikg:Relationship ; kikg:relationSubject ?source ; kikg:relation ?property ; kikg:relationObject ?target .
        ?property rdfs:subPropertyOf* kikg:actorLink .
        FILTER NOT EXISTS { ?via kikg:modality ?modality . FILTER (STRENDS(STR(?modality), "/proposed")) }
        BIND (STRAFTER(STR(?property), "#") AS ?type)
        OPTIONAL { ?via kikg:startYear ?year }
    }
    UNION
    {
        # Two members of the same body, event, agreement or collaboration.
        ?m1 a org:Membership ; org:member ?source ; org:organization ?via ; kikg:relation ?relation .
        ?m2 a org:Membership ; org:member ?target ; org:organization ?via .
        FILTER (STR(?source) < STR(?target))
        BIND (STRAFTER(STR(?relation), "#") AS ?type)
        OPTIONAL { ?m1 kikg:startYear ?year }
    }
    UNION
    {
        # Two actors involved the same way in the same policy, event or collaboration.
        ?r1 a kikg:Relationship ; kikg:relationSubject ?source ; kikg:relation ?relation ; kikg:relationObject ?via .
        ?r2 a kikg:Relationship ; kikg:relationSubject ?target ; kikg:relation ?relation ; kikg:relationObject ?via .
        VALUES ?relation { kikg:plans kikg:funds kikg:participatesIn kikg:signatoryOf kikg:memberOf kikg:implements }
        FILTER (STR(?source) < STR(?target))
        FILTER NOT EXISTS { ?r1 kikg:modality ?modality1 . FILTER (STRENDS(STR(?modality1), "/proposed")) }
        FILTER NOT EXISTS { ?r2 kikg:modality ?modality2 . FILTER (STRENDS(STR(?modality2), "/proposed")) }
        BIND (STRAFTER(STR(?relation), "#") AS ?type)
        OPTIONAL { ?r1 kikg:startYear ?year }
    }
    ?source rdf:type/rdfs:subClassOf* kikg:Actor .
    ?target rdf:type/rdfs:subClassOf* kikg:Actor .
    FILTER (?source != ?target)
    OPTIONAL { ?via prov:wasDerivedFrom/prov:hadPrimarySource ?document }
}
"""
"""One row per collaboration link between two actors."""

BIPARTITE_QUERY = _PREFIXES + """
SELECT DISTINCT ?actor ?thing ?relation WHERE {
    {
        ?actor ?property ?thing .
        ?property rdfs:subPropertyOf* kikg:involvedIn .
        BIND (STRAFTER(STR(?property), "#") AS ?relation)
    }
    UNION
    {
        ?membership a org:Membership ; org:member ?actor ; org:organization ?thing ; kikg:relation ?property .
        BIND (STRAFTER(STR(?property), "#") AS ?relation)
    }
    ?actor rdf:type/rdfs:subClassOf* kikg:Actor .
    ?thing rdf:type ?kind .
    FILTER NOT EXISTS { ?thing rdf:type/rdfs:subClassOf* kikg:Actor }
    FILTER (isIRI(?thing))
}
"""
"""Actor-to-policy (event, collaboration, place) involvements, for the bipartite graph."""

# Direct link types whose direction matters in the directed projection.
_DIRECTED_TYPES = {"supervises", "reportsTo", "managesOnBehalfOf", "fundsActor", "affiliateOf"}


@dataclass(frozen=True)
class Link:
    """One collaboration link between two actors."""

    source: str
    target: str
    type: str
    via: str
    year: str | None
    document: str | None

    @property
    def category(self) -> str:
        """The edge type: supervision, management mandate, co-signature, joint planning..."""
        return LINK_TYPES.get(self.type, _SHARED_TYPES.get(self.type, self.type))


_SHARED_TYPES = {
    "signatoryOf": "co-signature",
    "participatesIn": "same event or programme",
    "memberOf": "same membership",
    "plans": "joint planning",
    "funds": "co-funding",
    "implements": "joint implementation",
    "presides": "same body",
    "hosts": "same event or programme",
    "leads": "same membership",
}


def _query(store: ox.Store, sparql: str) -> ox.QuerySolutions:
    try:
        result = store.query(sparql, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise UsageError(f"projection query: {str(exc).splitlines()[0]}") from None
    if not isinstance(result, ox.QuerySolutions):
        raise UsageError("a projection query must be a SELECT")
    return result


def _text(term: ox.NamedNode | ox.Literal | ox.BlankNode | None) -> str | None:
    return None if term is None else term.value


def actor_attributes(store: ox.Store) -> dict[str, dict[str, str]]:
    """Label, class (local name) and region IRI of every actor."""
    actors: dict[str, dict[str, str]] = {}
    for row in _query(store, ACTORS_QUERY):
        iri = row["actor"].value
        actors[iri] = {
            "label": _text(row["label"]) or iri.rsplit("/", 1)[-1],
            "type": (_text(row["type"]) or "").rsplit("#", 1)[-1],
            "region": _text(row["region"]) or "",
        }
    return dict(sorted(actors.items()))


def collaboration_links(store: ox.Store, *, query: str = COLLABORATION_QUERY) -> list[Link]:
    """The links of the projection query, sorted."""
    required = {"source", "target", "type", "via"}
    result = _query(store, query)
    names = {v.value for v in result.variables}
    if not required <= names:
        raise UsageError(f"a projection query must select ?{', ?'.join(sorted(required))}")
    links = set()
    for row in result:
        if row["source"] is None or row["target"] is None:
            continue
        links.add(
            Link(
                source=row["source"].value,
                target=row["target"].value,
                type=_text(row["type"]) or "",
                via=_text(row["via"]) or "",
                year=_text(row["year"]) if "year" in names else None,
                document=_text(row["document"]) if "document" in names else None,
            )
        )
    return sorted(links, key=lambda link: (link.source, link.target, link.type, link.via, link.year or "", link.document or ""))


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
        The dataset.
    projection
        Which projection; ignored for the edges when ``query`` is given.
    query
        A user's own SELECT returning ``?source ?target ?type ?via`` (and optionally ``?year``,
        ``?document``), one row per link.
    include_isolated
        Keep actors without links as isolated nodes.

    Returns
    -------
    networkx.Graph or networkx.DiGraph
        Nodes keyed by IRI with ``label``, ``type`` and ``region``; edges with ``weight`` (number of
        distinct links), ``types``, ``years`` and ``sources`` (sorted, ``;``-joined strings).
    """
    if projection in (Projection.BIPARTITE, Projection.ACTORS_VIA_POLICIES) and query is None:
        graph = bipartite_graph(store)
        if projection is Projection.BIPARTITE:
            return graph
        actors = sorted(n for n, d in graph.nodes(data=True) if d["bipartite"] == 0)
        projected = nx.bipartite.weighted_projected_graph(graph, actors)
        for node in actors:
            projected.nodes[node].update({k: v for k, v in graph.nodes[node].items() if k != "bipartite"})
        return projected
    directed = projection is Projection.DIRECTED
    graph: nx.Graph = nx.DiGraph() if directed else nx.Graph()
    actors = actor_attributes(store)
    links = collaboration_links(store, query=query or COLLABORATION_QUERY)
    edges: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for link in links:
        pairs = [(link.source, link.target)]
        if directed and link.type not in _DIRECTED_TYPES:
            pairs.append((link.target, link.source))
        if not directed:
            pairs = [tuple(sorted((link.source, link.target)))]  # type: ignore[list-item]
        for pair in pairs:
            data = edges[pair]
            data["links"].add(f"{link.type}|{link.via}")
            data["types"].add(link.category)
            if link.year:
                data["years"].add(link.year)
            if link.document:
                data["sources"].add(link.document)
    nodes = set(actors) if include_isolated else set()
    for source, target in edges:
        nodes.update((source, target))
    for node in sorted(nodes):
        attributes = actors.get(node, {"label": node.rsplit("/", 1)[-1], "type": "", "region": ""})
        graph.add_node(node, **attributes)
    for (source, target), data in sorted(edges.items()):
        graph.add_edge(
            source,
            target,
            weight=len(data["links"]),
            types=";".join(sorted(data["types"])),
            years=";".join(sorted(data["years"])),
            sources=";".join(sorted(data["sources"])),
        )
    return graph


def bipartite_graph(store: ox.Store) -> nx.Graph:
    """Actors (``bipartite=0``) and what they are involved in (``bipartite=1``)."""
    actors = actor_attributes(store)
    graph = nx.Graph()
    involvements: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in _query(store, BIPARTITE_QUERY):
        involvements[(row["actor"].value, row["thing"].value)].add(row["relation"].value)
    labels = {}
    things = sorted({thing for _, thing in involvements})
    if things:
        values = " ".join(f"<{t}>" for t in things)
        for row in _query(store, f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            SELECT ?thing (SAMPLE(?name) AS ?label) WHERE {{ VALUES ?thing {{ {values} }}
            OPTIONAL {{ ?thing rdfs:label ?name . FILTER (LANGMATCHES(LANG(?name), "en")) }} }} GROUP BY ?thing"""):
            labels[row["thing"].value] = _text(row["label"]) or row["thing"].value.rsplit("/", 1)[-1]
    for actor in sorted({a for a, _ in involvements}):
        graph.add_node(actor, bipartite=0, **actors.get(actor, {"label": actor, "type": "", "region": ""}))
    for thing in things:
        graph.add_node(thing, bipartite=1, label=labels.get(thing, thing), type="", region="")
    for (actor, thing), relations in sorted(involvements.items()):
        graph.add_edge(actor, thing, weight=len(relations), types=";".join(sorted(relations)))
    return graph
