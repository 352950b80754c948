"""Shared material of the network tests (no tests here): a small RDF dataset made with the ontology's
terms, and the metrics computed independently with igraph, straight from its API.

The fixture exercises every branch of the projection: direct links stated twice and in both
directions, reportsTo as inverse supervision, links a source only proposes or considers, shared
plans with two role nodes for one involvement, agreements, events, mini clusters, a committee that
is an actor, a person, an isolated actor, labels in two languages and a region.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from pathlib import Path

import networkx as nx
import numpy as np
import pyoxigraph as ox

import kg

BASE = kg.DEFAULT_BASE_IRI


def iri(path: str) -> str:
    """An IRI of the fixture (a path under the base)."""
    return BASE + path


FIXTURE_TTL = """
@prefix kikg: <https://w3id.org/kikg/def#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@base <https://w3id.org/kikg/id/> .

<org/motie> a kikg:Ministry ; rdfs:label "MOTIE"@en , "산업통상자원부"@ko ; kikg:headquarteredIn <place/sejong> .
<place/sejong> a kikg:City ; rdfs:label "Sejong"@en .
<org/kicox> a kikg:PublicCorporation ; rdfs:label "KICOX"@en .
<org/kiat> a kikg:GovernmentAgency ; rdfs:label "KIAT"@en , "Korea Institute for Advancement of Technology"@en .
<org/samsung> a kikg:Company , kikg:Organisation ; rdfs:label "Samsung"@en .
<org/kaist> a kikg:University .
<org/committee> a kikg:Committee ; rdfs:label "Committee"@en .
<person/lee> a kikg:Person ; rdfs:label "Lee"@en .
<org/lonely> a kikg:Company ; rdfs:label "Lonely"@en .
<policy/iccp> a kikg:Policy ; rdfs:label "ICCP"@en .
<event/forum> a kikg:Conference ; rdfs:label "Forum"@en .
<agreement/mou> a kikg:MemorandumOfUnderstanding ; rdfs:label "MoU"@en .
<collab/mini-cluster/gumi> a kikg:MiniCluster ; rdfs:label "Gumi mini cluster"@en .

<document/a.txt> a kikg:SourceDocument .
<document/b.txt> a kikg:SourceDocument .
<document/c.txt> a kikg:SourceDocument .
<document/d.txt> a kikg:SourceDocument .
<document/e.txt> a kikg:SourceDocument .
<source/a> prov:hadPrimarySource <document/a.txt> .
<source/b> prov:hadPrimarySource <document/b.txt> .
<source/c> prov:hadPrimarySource <document/c.txt> .
<source/d> prov:hadPrimarySource <document/d.txt> .
<source/e> prov:hadPrimarySource <document/e.txt> .

# MOTIE supervises KICOX: stated twice, once as reportsTo; one link with two sources.
<rel/1> a kikg:Relationship ; kikg:relationSubject <org/motie> ; kikg:relation kikg:supervises ;
    kikg:relationObject <org/kicox> ; kikg:startYear "2005"^^xsd:gYear ;
    kikg:modality <concept/modality/stated> ; prov:wasDerivedFrom <source/a> .
<rel/2> a kikg:Relationship ; kikg:relationSubject <org/kicox> ; kikg:relation kikg:reportsTo ;
    kikg:relationObject <org/motie> ; kikg:modality <concept/modality/stated> ; prov:wasDerivedFrom <source/b> .
<rel/3> a kikg:Relationship ; kikg:relationSubject <org/motie> ; kikg:relation kikg:supervises ;
    kikg:relationObject <org/kiat> ; kikg:modality <concept/modality/stated> ; prov:wasDerivedFrom <source/a> .
# A second, different link between MOTIE and KICOX.
<rel/4> a kikg:Relationship ; kikg:relationSubject <org/kicox> ; kikg:relation kikg:managesOnBehalfOf ;
    kikg:relationObject <org/motie> ; kikg:startYear "2010"^^xsd:gYear ;
    kikg:modality <concept/modality/stated> ; prov:wasDerivedFrom <source/b> .
# Links a source proposes or considers: no edges.
<rel/5> a kikg:Relationship ; kikg:relationSubject <org/kiat> ; kikg:relation kikg:cooperatesWith ;
    kikg:relationObject <org/samsung> ; kikg:modality <concept/modality/proposed> .
<rel/6> a kikg:Relationship ; kikg:relationSubject <org/kiat> ; kikg:relation kikg:fundsActor ;
    kikg:relationObject <org/kaist> ; kikg:modality <concept/modality/under-consideration> .
# A symmetric link stated in both directions: one link.
<rel/7> a kikg:Relationship ; kikg:relationSubject <org/samsung> ; kikg:relation kikg:coSigns ;
    kikg:relationObject <org/kaist> ; kikg:modality <concept/modality/stated> ; prov:wasDerivedFrom <source/c> .
<rel/8> a kikg:Relationship ; kikg:relationSubject <org/kaist> ; kikg:relation kikg:coSigns ;
    kikg:relationObject <org/samsung> ; kikg:modality <concept/modality/planned> ; prov:wasDerivedFrom <source/d> .
# Joint planning of the ICCP: KICOX's involvement has two role nodes; KAIST's is only proposed.
<rel/9> a kikg:Relationship ; kikg:relationSubject <org/kiat> ; kikg:relation kikg:plans ;
    kikg:relationObject <policy/iccp> ; kikg:startYear "2013"^^xsd:gYear ;
    kikg:modality <concept/modality/stated> ; prov:wasDerivedFrom <source/a> .
<rel/10> a kikg:Relationship ; kikg:relationSubject <org/kicox> ; kikg:relation kikg:plans ;
    kikg:relationObject <policy/iccp> ; kikg:startYear "2014"^^xsd:gYear ;
    kikg:modality <concept/modality/stated> ; prov:wasDerivedFrom <source/b> .
<rel/11> a kikg:Relationship ; kikg:relationSubject <org/kicox> ; kikg:relation kikg:plans ;
    kikg:relationObject <policy/iccp> ; kikg:modality <concept/modality/stated> ; prov:wasDerivedFrom <source/c> .
<rel/12> a kikg:Relationship ; kikg:relationSubject <org/motie> ; kikg:relation kikg:funds ;
    kikg:relationObject <policy/iccp> ; kikg:modality <concept/modality/stated> ; prov:wasDerivedFrom <source/a> .
<rel/13> a kikg:Relationship ; kikg:relationSubject <org/kaist> ; kikg:relation kikg:plans ;
    kikg:relationObject <policy/iccp> ; kikg:modality <concept/modality/proposed> .
# Co-signature of an agreement.
<rel/14> a kikg:Relationship ; kikg:relationSubject <org/samsung> ; kikg:relation kikg:signatoryOf ;
    kikg:relationObject <agreement/mou> ; kikg:modality <concept/modality/stated> ; prov:wasDerivedFrom <source/c> .
<rel/15> a kikg:Relationship ; kikg:relationSubject <org/kicox> ; kikg:relation kikg:signatoryOf ;
    kikg:relationObject <agreement/mou> ; kikg:modality <concept/modality/stated> ; prov:wasDerivedFrom <source/d> .

# The same event, the same mini cluster, the same committee (an actor).
<membership/1> a org:Membership ; org:member <org/samsung> ; org:organization <event/forum> ;
    kikg:relation kikg:participatesIn ; kikg:startYear "2019"^^xsd:gYear ;
    kikg:modality <concept/modality/stated> ; prov:wasDerivedFrom <source/e> .
<membership/2> a org:Membership ; org:member <org/kaist> ; org:organization <event/forum> ;
    kikg:relation kikg:hosts ; kikg:modality <concept/modality/stated> ; prov:wasDerivedFrom <source/e> .
<membership/3> a org:Membership ; org:member <org/samsung> ; org:organization <collab/mini-cluster/gumi> ;
    kikg:relation kikg:memberOf ; kikg:startYear "2016"^^xsd:gYear ; kikg:modality <concept/modality/stated> .
<membership/4> a org:Membership ; org:member <org/kicox> ; org:organization <collab/mini-cluster/gumi> ;
    kikg:relation kikg:leads ; kikg:modality <concept/modality/stated> .
<membership/5> a org:Membership ; org:member <person/lee> ; org:organization <org/committee> ;
    kikg:relation kikg:presides ; kikg:modality <concept/modality/stated> .
<membership/6> a org:Membership ; org:member <org/motie> ; org:organization <org/committee> ;
    kikg:relation kikg:memberOf ; kikg:modality <concept/modality/stated> .
<membership/7> a org:Membership ; org:member <org/motie> ; org:organization <org/committee> ;
    kikg:relation kikg:participatesIn ; kikg:modality <concept/modality/stated> .
"""

FIXTURE_ACTORS = sorted(iri(p) for p in (
    "org/motie", "org/kicox", "org/kiat", "org/samsung", "org/kaist", "org/committee", "person/lee", "org/lonely"))

# (first, second) -> (weight, types, via, years, sources) of the undirected collaboration projection.
COLLABORATION_EDGES = {
    ("org/kicox", "org/motie"): (2, "management mandate;supervision", "", "2005;2010", "a.txt;b.txt"),
    ("org/kiat", "org/motie"): (1, "supervision", "", "", "a.txt"),
    ("org/kaist", "org/samsung"): (2, "co-signature;same event", "event/forum", "2019", "c.txt;d.txt;e.txt"),
    ("org/kiat", "org/kicox"): (1, "joint planning", "policy/iccp", "2013;2014", "a.txt;b.txt;c.txt"),
    ("org/kicox", "org/samsung"): (2, "co-membership;co-signature", "agreement/mou;collab/mini-cluster/gumi",
                                   "2016", "c.txt;d.txt"),
    ("org/motie", "person/lee"): (1, "co-membership", "org/committee", "", ""),
    ("org/committee", "person/lee"): (1, "membership", "", "", ""),
    ("org/committee", "org/motie"): (1, "membership", "", "", ""),
}


def fixture_store(ttl: str = FIXTURE_TTL) -> ox.Store:
    """The ontology (in its graph) and ``ttl`` (in a table graph) in a new store."""
    store = ox.Store()
    ontology = ox.NamedNode(BASE + "graph/ontology")
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ontology) for t in kg.ontology_triples())
    table = ox.NamedNode(BASE + "graph/table/fixture")
    store.extend(ox.Quad(t.subject, t.predicate, t.object, table) for t in ox.parse(ttl, format=ox.RdfFormat.TURTLE))
    return store


def write_fixture_dataset(path: Path) -> Path:
    """The fixture store as a TriG file (what ``kg network --data`` reads)."""
    store = fixture_store()
    path.write_bytes(ox.serialize(sorted(store, key=str), format=ox.RdfFormat.TRIG))
    return path


# -- metrics with igraph, written against its API only ------------------------------------------


def igraph_reference(graph: nx.Graph, *, samples: list[Hashable] | None = None) -> dict[str, dict[Hashable, float]]:
    """Every metric but communities, computed with igraph, normalised as the toolkit documents.

    ``samples``: the sources for approximate betweenness (then the ``betweenness`` entry is the
    estimate: the mean pair dependency over the sampled sources' pairs).
    """
    import igraph

    nodes = list(graph)
    n = len(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    directed = graph.is_directed()
    edges = list(graph.edges(data="weight", default=1))
    g = igraph.Graph(n=n, edges=[(index[a], index[b]) for a, b, _ in edges], directed=directed)
    g.es["weight"] = [float(w) for *_, w in edges]
    # Undirected version, weights of both directions summed.
    u = g.copy()
    if directed:
        u.to_undirected(mode="collapse", combine_edges={"weight": "sum"})

    def keyed(values: list[float]) -> dict[Hashable, float]:
        return {node: float(v) for node, v in zip(nodes, values)}

    result: dict[str, dict[Hashable, float]] = {
        "degree": keyed(g.degree(mode="all")),
        "weighted_degree": keyed(g.strength(mode="all", weights="weight")),
        "pagerank": keyed(g.pagerank(directed=directed, damping=0.85, weights="weight")) if n else {},
        "core_number": keyed(u.coreness()),
    }
    # Betweenness: ordered pairs, so an undirected count (unordered pairs) is doubled.
    if n <= 2:
        result["betweenness"] = {node: 0.0 for node in nodes}
    elif samples is None:
        result["betweenness"] = keyed([b * (1 if directed else 2) / ((n - 1) * (n - 2)) for b in g.betweenness(directed=directed)])
    else:
        chosen = {index[s] for s in samples}
        raw = g.betweenness(directed=directed, sources=sorted(chosen))
        k = len(chosen)
        ordered = 1 if directed else 2  # igraph counts an undirected pair once; the mean is over ordered pairs
        result["betweenness"] = keyed([b * ordered / (((k - 1) if i in chosen else k) * (n - 2)) for i, b in enumerate(raw)])
    # Closeness with the Wasserman-Faust correction: from the shortest-path matrix.
    mode = "in" if directed else "all"
    distances = np.array(g.distances(mode=mode)) if n else np.zeros((0, 0))
    closeness = []
    for i in range(n):
        finite = [d for d in distances[i] if math.isfinite(d) and d > 0]
        r = len(finite) + 1
        closeness.append(0.0 if not finite else (r - 1) / sum(finite) * (r - 1) / (n - 1))
    result["closeness"] = keyed(closeness)
    # Eigenvector: per component, unit length, times sqrt(share of the nodes that have a neighbour).
    eigen = [0.0] * n
    components = [c for c in u.connected_components() if len(c) > 1]
    linked = sum(len(c) for c in components)
    for component in components:
        vertices = sorted(component)
        vector = np.array(u.induced_subgraph(vertices).eigenvector_centrality(weights="weight"))
        vector = vector / np.linalg.norm(vector) * math.sqrt(len(vertices) / linked)
        for vertex, value in zip(vertices, vector):
            eigen[vertex] = float(value)
    result["eigenvector"] = keyed(eigen)
    return result


def igraph_modularity(graph: nx.Graph, communities: dict[Hashable, int]) -> float:
    """Modularity of a partition of the undirected, weight-summed graph, computed by igraph."""
    import igraph

    nodes = list(graph)
    index = {node: i for i, node in enumerate(nodes)}
    g = igraph.Graph(n=len(nodes), edges=[(index[a], index[b]) for a, b in graph.edges], directed=graph.is_directed())
    g.es["weight"] = [float(w) for *_, w in graph.edges(data="weight", default=1)]
    if graph.is_directed():
        g.to_undirected(mode="collapse", combine_edges={"weight": "sum"})
    return float(g.modularity([communities[node] for node in nodes], weights="weight"))
