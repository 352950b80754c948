"""The SPARQL that defines the projections from the RDF graph to networks.

Every edge of the actor networks is read from a *role node*: a ``kikg:Relationship`` (one stated link:
``kikg:relationSubject``, ``kikg:relation``, ``kikg:relationObject``) or an ``org:Membership``
(``org:member``, ``org:organization``, ``kikg:relation``). Role nodes carry the year
(``kikg:startYear``), the modality and the source record of the link; the direct edges the mapping
also asserts carry none of that, so the projection never reads them. Role nodes whose modality is
*proposed* or *under consideration* are left out: a source recommends those links, they do not hold.

:data:`COLLABORATION_QUERY` returns one row per (link, year, document), with the variables

``?source ?target``
    the two actors (IRIs of instances of a subclass of ``kikg:Actor``, never classes or literals);
``?type``
    the edge type (see :data:`DIRECT_LINK_TYPES` and :data:`SHARED_LINK_TYPES`);
``?via``
    what the link goes through: the agreement, event, policy or body two actors share; unbound
    for a direct link;
``?mutual``
    ``true`` when the link has no direction (a symmetric property or a shared involvement);
``?year``, ``?document``
    the start year and the source document of a role node behind the link (unbound when not stated).

A user's own projection query returns the same variables; ``?source``, ``?target`` and ``?type`` are
required, the others optional.
"""

from __future__ import annotations

from kg.vocabularies import PREFIXES as _VOCABULARIES

__all__ = [
    "ACTORS_QUERY",
    "BIPARTITE_QUERY",
    "COLLABORATION_QUERY",
    "DIRECT_LINK_TYPES",
    "EXCLUDED_MODALITIES",
    "MEMBERSHIP_RELATIONS",
    "PREFIXES",
    "SHARED_LINK_TYPES",
    "attributes_query",
]

PREFIXES = "".join(f"PREFIX {prefix}: <{_VOCABULARIES[prefix]}>\n" for prefix in ("kikg", "org", "owl", "prov", "rdf", "rdfs"))

EXCLUDED_MODALITIES = ("proposed", "under-consideration")
"""Modalities (local names of ``concept/modality/...``) whose role nodes make no edge."""

DIRECT_LINK_TYPES = {
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
"""Edge type of each direct link (sub-properties of ``kikg:actorLink``). ``reportsTo`` is read as
supervision in the other direction, so "A supervises B" and "B reports to A" are one link. A
sub-property added to the ontology later gets its local name as type."""

SHARED_LINK_TYPES = {
    "signatoryOf": "co-signature",
    "plans": "joint planning",
    "funds": "co-funding",
    "implements": "joint implementation",
    "participatesIn": "participation",
    "memberOf": "participation",
    "presides": "participation",
    "hosts": "participation",
    "leads": "participation",
    "supervisesPolicy": "same programme",
    "manages": "same programme",
    "announces": "same programme",
    "establishes": "same programme",
}
"""Involvements that link two actors involved the same way in the same thing. Two actors who sign
the same agreement co-sign; who plan the same policy plan jointly; who fund the same thing co-fund;
who supervise, manage, announce or set up the same programme (in any of these four roles) work in
the same programme.
Participation (taking part, membership, chairing, hosting, leading) in the same *event* makes a
``same event`` link, in anything else (a mini cluster, a collaboration, a programme, a committee) a
``co-membership`` link."""

MEMBERSHIP_RELATIONS = ("memberOf", "participatesIn", "presides", "hosts", "leads")
"""Involvements in a body that is itself an actor (a committee, an association) that also make a
direct ``membership`` link from the member to the body."""

_EXCLUDED = " || ".join(f'STRENDS(STR(?modality), "/modality/{m}")' for m in EXCLUDED_MODALITIES)


def _values(pairs: dict[str, str]) -> str:
    return " ".join(f'(kikg:{name} "{label}")' for name, label in pairs.items())


# One involvement of an actor in a thing, from a relationship or a membership role node that holds.
# ``{values}`` (a VALUES block on the relation) opens each branch: Oxigraph then starts from the
# role nodes of those relations instead of joining every role node with the VALUES afterwards.
_INVOLVEMENT = """{{
            {{ {values}?{record} kikg:relation ?{relation} ; a kikg:Relationship ; kikg:relationSubject ?{actor} ;
                   kikg:relationObject ?{thing} . }}
            UNION
            {{ {values}?{record} kikg:relation ?{relation} ; a org:Membership ; org:member ?{actor} ;
                   org:organization ?{thing} . }}
            FILTER NOT EXISTS {{ ?{record} kikg:modality ?modality . FILTER ({excluded}) }}
        }}"""


def _involvement(record: str, actor: str, relation: str, thing: str, *, values: str = "") -> str:
    return _INVOLVEMENT.format(record=record, actor=actor, relation=relation, thing=thing, excluded=_EXCLUDED,
                               values=values + " " if values else "")


# The node is an actor. A join with the set of actors, made where the node comes from a triple
# pattern: Oxigraph runs it in a fraction of the time of a FILTER EXISTS on each row (and joins a
# variable made by BIND slowly, so each branch checks its ends before any BIND).
_ACTORS = "{{ SELECT DISTINCT ?{node} WHERE {{ ?{node} rdf:type/rdfs:subClassOf* kikg:Actor . FILTER (isIRI(?{node})) }} }}"


def _shared_side(side: int, actor: str) -> str:
    """One side of a shared involvement, with the year and document of its role node.

    The actor check, and on the first side the edge type, are made here, once per involvement,
    rather than once per pair of involvements after the join.
    """
    record, relation = f"record{side}", f"relation{side}"
    involvement = _involvement(record, actor, relation, "via",
                               values=f"VALUES (?{relation} ?kind) {{ {_values(SHARED_LINK_TYPES)} }}")
    edge_type = ("\n            BIND (IF(?kind != \"participation\", ?kind,\n"
                 "                     IF(EXISTS { ?via rdf:type/rdfs:subClassOf* kikg:Event }, \"same event\", "
                 "\"co-membership\")) AS ?type)") if side == 1 else ""
    projected = "?type " if side == 1 else ""
    return (f"{{ SELECT ?{actor} ?via ?kind {projected}?year{side} ?document{side} WHERE {{\n"
            f"            {involvement.strip()}\n"
            f"            {_ACTORS.format(node=actor)}{edge_type}\n"
            f"            OPTIONAL {{ ?{record} kikg:startYear ?year{side} }}\n"
            f"            OPTIONAL {{ ?{record} prov:wasDerivedFrom/prov:hadPrimarySource ?document{side} }}\n"
            f"        }} }}")


COLLABORATION_QUERY = PREFIXES + f"""
SELECT ?source ?target ?type ?via ?mutual ?year ?document WHERE {{
    {{
        # 1. Direct links between actors (sub-properties of kikg:actorLink), one per role node.
        ?record a kikg:Relationship ; kikg:relationSubject ?subject ; kikg:relation ?property ;
            kikg:relationObject ?object .
        ?property rdfs:subPropertyOf* kikg:actorLink .
        FILTER (?subject != ?object)
        {_ACTORS.format(node="subject")}
        {_ACTORS.format(node="object")}
        FILTER NOT EXISTS {{ ?record kikg:modality ?modality . FILTER ({_EXCLUDED}) }}
        OPTIONAL {{ VALUES (?property ?label) {{ {_values(DIRECT_LINK_TYPES)} }} }}
        BIND (COALESCE(?label, STRAFTER(STR(?property), "#")) AS ?type)
        BIND (?property = kikg:reportsTo AS ?reversed)
        BIND (IF(?reversed, ?object, ?subject) AS ?source)
        BIND (IF(?reversed, ?subject, ?object) AS ?target)
        BIND (EXISTS {{ ?property a owl:SymmetricProperty }} AS ?mutual)
        OPTIONAL {{ ?record kikg:startYear ?year }}
        OPTIONAL {{ ?record prov:wasDerivedFrom/prov:hadPrimarySource ?document }}
    }}
    UNION
    {{
        # 2. Membership of a body that is itself an actor: a direct link from member to body.
        {_involvement("record", "source", "relation", "target",
                      values=f'VALUES ?relation {{ {" ".join("kikg:" + r for r in MEMBERSHIP_RELATIONS)} }}')}
        FILTER (?source != ?target)
        {_ACTORS.format(node="source")}
        {_ACTORS.format(node="target")}
        BIND ("membership" AS ?type)
        BIND (false AS ?mutual)
        OPTIONAL {{ ?record kikg:startYear ?year }}
        OPTIONAL {{ ?record prov:wasDerivedFrom/prov:hadPrimarySource ?document }}
    }}
    UNION
    {{
        # 3. Two actors involved the same way in the same thing: one link per pair, kind and thing,
        #    whatever the number of role nodes behind it (they only add years and documents).
        # (Each side is a subquery with its own year and document: Oxigraph then joins the two on
        # ?via and ?kind quickly, where a join on variables made by BIND would be slow.)
        {_shared_side(1, "source")}
        {_shared_side(2, "target")}
        FILTER (STR(?source) < STR(?target))
        BIND (true AS ?mutual)
        VALUES ?side {{ 1 2 }}
        BIND (IF(?side = 1, ?year1, ?year2) AS ?year)
        BIND (IF(?side = 1, ?document1, ?document2) AS ?document)
    }}
}}
"""
"""The collaboration projection: one row per link between two actors (and year and document)."""

BIPARTITE_QUERY = PREFIXES + f"""
SELECT ?actor ?thing ?relation ?year ?document WHERE {{
    {_involvement("record", "actor", "property", "thing")}
    ?property rdfs:subPropertyOf* kikg:involvedIn .
    FILTER (isIRI(?thing))
    {_ACTORS.format(node="actor")}
    FILTER NOT EXISTS {{ ?thing rdf:type/rdfs:subClassOf* kikg:Actor }}
    BIND (STRAFTER(STR(?property), "#") AS ?relation)
    OPTIONAL {{ ?record kikg:startYear ?year }}
    OPTIONAL {{ ?record prov:wasDerivedFrom/prov:hadPrimarySource ?document }}
}}
"""
"""The bipartite projection: one row per involvement of an actor in a policy, programme, event,
collaboration or act (anything that is not itself an actor). A user's own query returns ``?actor``
and ``?thing`` (required) and optionally ``?relation``, ``?year``, ``?document``."""

_ATTRIBUTES = PREFIXES + """
SELECT ?node ?label ?plain ?class ?region ?region_label WHERE {{
    {selection}
    OPTIONAL {{ ?node rdfs:label ?label . FILTER (LANGMATCHES(LANG(?label), "en")) }}
    OPTIONAL {{ ?node rdfs:label ?plain . FILTER (LANG(?plain) = "") }}
    OPTIONAL {{
        ?node rdf:type ?class .
        FILTER (STRSTARTS(STR(?class), STR(kikg:)))
        FILTER NOT EXISTS {{ ?node rdf:type ?narrower . ?narrower rdfs:subClassOf+ ?class . FILTER (?narrower != ?class) }}
    }}
    OPTIONAL {{
        ?node kikg:headquarteredIn|kikg:locatedIn ?region .
        OPTIONAL {{ ?region rdfs:label ?region_label . FILTER (LANGMATCHES(LANG(?region_label), "en")) }}
    }}
}}
"""

ACTORS_QUERY = _ATTRIBUTES.format(selection="?node rdf:type/rdfs:subClassOf* kikg:Actor . FILTER (isIRI(?node))")
"""Every actor with its English labels, most specific kikg classes and regions (one row per
combination; :func:`kg.network.projection.node_attributes` picks the values deterministically)."""


def attributes_query(iris: list[str]) -> str:
    """The attribute query for the nodes ``iris`` (IRIs taken from the store, so valid).

    >>> "VALUES ?node { <https://example.org/a> }" in attributes_query(["https://example.org/a"])
    True
    """
    values = " ".join(f"<{iri}>" for iri in iris)
    return _ATTRIBUTES.format(selection=f"VALUES ?node {{ {values} }}")
