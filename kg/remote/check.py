"""Explaining a count that differs after a load: which triples did the store merge?

A store may keep one triple where two were sent, when it takes their objects as the same value
(Virtuoso 7.2 stores ``"2009"^^xsd:gYear`` and ``"2009-01"^^xsd:gYearMonth`` as one date). Only
typed literals can be merged that way, and only with another object of the same subject and
predicate, so the candidates are the subject-predicate pairs with two or more typed-literal objects
in what was sent. The store is asked what it holds for those pairs (the pairs bound as RDF terms in
a ``VALUES`` block), and every pair where it holds fewer objects than were sent is named.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from kg.queries.results import Term
from kg.remote.graph_store import GraphStore
from kg.remote.parts import Triple
from kg.remote.report import MergedValues
from kg.vocabularies import RDF, XSD

__all__ = ["merged_values"]

_PLAIN = {str(XSD.string), str(RDF.langString)}
_BATCH = 200
"""Subject-predicate pairs per query."""

Pair = tuple[ox.NamedNode, ox.NamedNode]


def merged_values(store: GraphStore, graph: str, sent: Iterable[Triple]) -> tuple[MergedValues, ...]:
    """The groups of triples of ``graph`` the store holds as fewer triples than were sent (``sent``:
    the triples of the graph, at least those whose object is a typed literal)."""
    candidates = _candidates(sent)
    merged = []
    pairs = sorted(candidates, key=lambda pair: (pair[0].value, pair[1].value))
    for start in range(0, len(pairs), _BATCH):
        batch = pairs[start : start + _BATCH]
        values = " ".join(f"({s} {p})" for s, p in batch)
        result = store.query(
            f"SELECT ?s ?p ?o WHERE {{ VALUES (?s ?p) {{ {values} }} GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}",
            what=f"the triples of <{graph}> whose count differs")
        held: dict[tuple[str, str], list[str]] = defaultdict(list)
        for row in result.rows:
            subject, predicate, obj = (_term(result.variables, row, name) for name in ("s", "p", "o"))
            if subject is not None and predicate is not None and obj is not None:
                held[(subject, predicate)].append(obj)
        for s, p in batch:
            objects = sorted(str(o) for o in candidates[(s, p)])
            there = sorted(held.get((str(s), str(p)), []))
            if len(there) < len(objects):
                merged.append(MergedValues(str(s), str(p), tuple(objects), tuple(there)))
    return tuple(merged)


def _term(variables: list[str], row: list[Term | None], name: str) -> str | None:
    if name not in variables:
        return None
    term = row[variables.index(name)]
    return None if term is None else str(term)


def _candidates(sent: Iterable[Triple]) -> dict[Pair, list[ox.Literal]]:
    groups: dict[Pair, list[ox.Literal]] = defaultdict(list)
    for subject, predicate, obj in sent:
        if isinstance(obj, ox.Literal) and obj.datatype.value not in _PLAIN and isinstance(subject, ox.NamedNode):
            groups[(subject, predicate)].append(obj)
    return {pair: objects for pair, objects in groups.items() if len(objects) > 1}
