"""Synthetic inputs of any size, for benchmarks: the network analysis at scale without curated data.

:func:`synthetic_network` gives a NetworkX graph shaped like a projection (clustered, heavy-tailed
degrees, some isolated actors, integer weights, the projection's attributes) to time the metrics and
exports; :func:`synthetic_quads` gives the role nodes the projection query reads, to time the
projection itself on an Oxigraph store (add the ontology, :func:`kg.ontology_triples`, to the store
first: the query follows its class and property hierarchies).

>>> g = synthetic_network(200, seed=1)
>>> g.number_of_nodes(), sorted(g.nodes["https://example.org/id/org/actor-00000"])
(200, ['label', 'region', 'region_iri', 'type'])
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg._lazy import lazy_import
from kg.namespace import KIKG
from kg.network.graphs import SEED
from kg.vocabularies import XSD

if TYPE_CHECKING:
    import networkx as nx
else:  # loaded on first use, see kg._lazy
    nx = lazy_import("networkx")

__all__ = ["synthetic_network", "synthetic_quads"]

_TYPES = ("Company", "Ministry", "GovernmentAgency", "University", "ResearchInstitute", "LocalGovernment")
_LINKS = ("cooperatesWith", "supervises", "fundsActor", "coSigns", "managesOnBehalfOf")
_KIKG = str(KIKG)


def _actor(base: str, index: int) -> str:
    return f"{base}org/actor-{index:05d}"


def synthetic_network(
    nodes: int,
    *,
    mean_degree: float = 4.0,
    isolated_share: float = 0.05,
    seed: int = SEED,
    base: str = "https://example.org/id/",
) -> nx.Graph:
    """An undirected graph of ``nodes`` actors shaped like a collaboration projection.

    A Holme-Kim power-law cluster graph on the linked actors (triangles as in real collaboration
    networks), ``isolated_share`` of the actors without links, weights 1 to 3.
    """
    rng = random.Random(seed)
    isolated = int(nodes * isolated_share)
    linked = nodes - isolated
    per_node = max(1, round(mean_degree / 2))
    core = nx.powerlaw_cluster_graph(linked, per_node, 0.3, seed=seed) if linked > per_node else nx.empty_graph(linked)
    graph = nx.Graph()
    for index in range(nodes):
        graph.add_node(_actor(base, index), label=f"Actor {index}", type=_TYPES[index % len(_TYPES)],
                       region="", region_iri="")
    for source, target in sorted(core.edges):
        weight = rng.choice((1, 1, 1, 2, 3))
        graph.add_edge(_actor(base, source), _actor(base, target), weight=weight, types="cooperation", via="",
                       years=str(2000 + rng.randrange(25)), sources=f"{base}document/synthetic.txt")
    return graph


def synthetic_quads(
    nodes: int,
    *,
    mean_degree: float = 4.0,
    seed: int = SEED,
    base: str = "https://example.org/id/",
) -> list[ox.Quad]:
    """Typed, labelled actors and one ``kikg:Relationship`` role node per link, in one named graph,
    for a network like :func:`synthetic_network`'s; and, for the shared-involvement links, some
    actors planning one of ``nodes // 25`` policies and taking part in one of as many events."""
    network = synthetic_network(nodes, mean_degree=mean_degree, seed=seed, base=base)
    rng = random.Random(seed)
    graph = ox.NamedNode(f"{base}graph/table/synthetic")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    kikg = {name: ox.NamedNode(_KIKG + name) for name in (
        "Relationship", "relationSubject", "relation", "relationObject", "startYear", *_TYPES, *_LINKS)}
    quads = []
    for node, data in network.nodes(data=True):
        quads.append(ox.Quad(ox.NamedNode(node), rdf_type, kikg[data["type"]], graph))
        quads.append(ox.Quad(ox.NamedNode(node), label, ox.Literal(data["label"], language="en"), graph))
    for number, (source, target) in enumerate(network.edges):
        for repeat in range(network.edges[source, target]["weight"]):
            record = ox.NamedNode(f"{base}rel/synthetic/{number}-{repeat}")
            link = _LINKS[(number + repeat) % len(_LINKS)]
            quads += [
                ox.Quad(record, rdf_type, kikg["Relationship"], graph),
                ox.Quad(record, kikg["relationSubject"], ox.NamedNode(source), graph),
                ox.Quad(record, kikg["relation"], kikg[link], graph),
                ox.Quad(record, kikg["relationObject"], ox.NamedNode(target), graph),
                ox.Quad(record, kikg["startYear"], ox.Literal(str(2000 + rng.randrange(25)),
                        datatype=ox.NamedNode(str(XSD.gYear))), graph),
            ]
    # Shared involvements: some actors plan one of a few policies, some take part in one of a few events.
    org = "http://www.w3.org/ns/org#"
    membership = {name: ox.NamedNode(org + name) for name in ("Membership", "member", "organization")}
    things = [("policy", "Policy", "plans"), ("event", "Conference", "participatesIn")]
    for kind, cls, relation in things:
        count = max(1, nodes // 25)
        for index in range(count):
            quads.append(ox.Quad(ox.NamedNode(f"{base}{kind}/synthetic-{index}"), rdf_type, ox.NamedNode(_KIKG + cls), graph))
        for number, node in enumerate(network):
            if rng.random() >= 0.3:
                continue
            thing = ox.NamedNode(f"{base}{kind}/synthetic-{rng.randrange(count)}")
            record = ox.NamedNode(f"{base}{'rel' if kind == 'policy' else 'membership'}/synthetic-{kind}/{number}")
            if kind == "policy":
                quads += [ox.Quad(record, rdf_type, kikg["Relationship"], graph),
                          ox.Quad(record, kikg["relationSubject"], ox.NamedNode(node), graph),
                          ox.Quad(record, kikg["relationObject"], thing, graph)]
            else:
                quads += [ox.Quad(record, rdf_type, membership["Membership"], graph),
                          ox.Quad(record, membership["member"], ox.NamedNode(node), graph),
                          ox.Quad(record, membership["organization"], thing, graph)]
            quads.append(ox.Quad(record, kikg["relation"], ox.NamedNode(_KIKG + relation), graph))
    return quads
