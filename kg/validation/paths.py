"""SHACL property paths: read from a graph, evaluated over the data, written as SPARQL and as RDF.

A path is a small immutable tree. :func:`read_path` reads it from the node of ``sh:path`` in a
subject index (the shapes graph, or a report), :meth:`Path.sparql` gives the SPARQL property path
that ``$PATH`` stands for, and :func:`path_values` follows it from a set of nodes over the data's
predicate maps.

>>> from kg.validation.terms import RDF
>>> seq = SequencePath((PredicatePath(RDF.type), ZeroOrMorePath(PredicatePath(RDF.first))))
>>> seq.sparql()
'(<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/(<http://www.w3.org/1999/02/22-rdf-syntax-ns#first>)*)'
"""

from __future__ import annotations

import abc
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from kg.validation.terms import RDF, SH, Term, list_items

__all__ = [
    "AlternativePath",
    "InversePath",
    "OneOrMorePath",
    "Path",
    "PathError",
    "PredicatePath",
    "SequencePath",
    "ZeroOrMorePath",
    "ZeroOrOnePath",
    "path_triples",
    "path_values",
    "read_path",
]

Index = Mapping[Term, Mapping[ox.NamedNode, list[Term]]]
"""A subject index: subject -> predicate -> objects."""

Step = Callable[[ox.NamedNode, bool], Mapping[Term, list[Term]]]
"""Gives the map node -> values of a predicate, forwards (False) or backwards (True)."""


class PathError(ValueError):
    """A node that is not a well-formed SHACL property path."""


class Path(abc.ABC):
    """A SHACL property path."""

    @abc.abstractmethod
    def sparql(self) -> str:
        """The SPARQL 1.1 property path syntax."""


@dataclass(frozen=True)
class PredicatePath(Path):
    iri: ox.NamedNode

    def sparql(self) -> str:
        return str(self.iri)


@dataclass(frozen=True)
class InversePath(Path):
    path: Path

    def sparql(self) -> str:
        return f"^({self.path.sparql()})"


@dataclass(frozen=True)
class SequencePath(Path):
    paths: tuple[Path, ...]

    def sparql(self) -> str:
        return "(" + "/".join(p.sparql() for p in self.paths) + ")"


@dataclass(frozen=True)
class AlternativePath(Path):
    paths: tuple[Path, ...]

    def sparql(self) -> str:
        return "(" + "|".join(p.sparql() for p in self.paths) + ")"


@dataclass(frozen=True)
class ZeroOrMorePath(Path):
    path: Path

    def sparql(self) -> str:
        return f"({self.path.sparql()})*"


@dataclass(frozen=True)
class OneOrMorePath(Path):
    path: Path

    def sparql(self) -> str:
        return f"({self.path.sparql()})+"


@dataclass(frozen=True)
class ZeroOrOnePath(Path):
    path: Path

    def sparql(self) -> str:
        return f"({self.path.sparql()})?"


_UNARY: dict[ox.NamedNode, type[InversePath | ZeroOrMorePath | OneOrMorePath | ZeroOrOnePath]] = {
    SH.inversePath: InversePath,
    SH.zeroOrMorePath: ZeroOrMorePath,
    SH.oneOrMorePath: OneOrMorePath,
    SH.zeroOrOnePath: ZeroOrOnePath,
}


def read_path(index: Index, node: Term, *, _seen: frozenset[Term] = frozenset()) -> Path:
    """The path whose description starts at ``node``.

    Raises
    ------
    PathError
        For a literal, a cycle, a list that is not well formed, or a blank node that is none of
        the path forms of SHACL (section 2.3.1).
    """
    if isinstance(node, ox.NamedNode):
        return PredicatePath(node)
    if isinstance(node, ox.Literal) or node in _seen:
        raise PathError(f"{node} is not a property path")
    seen = _seen | {node}
    properties = index.get(node, {})
    if RDF.first in properties:
        items = list_items(index, node)  # type: ignore[arg-type]
        if items is None or len(items) < 2:
            raise PathError("a sequence path is a well-formed list of at least two paths")
        return SequencePath(tuple(read_path(index, item, _seen=seen) for item in items))
    kinds = [p for p in properties if p in _UNARY or p == SH.alternativePath]
    if len(kinds) != 1 or len(properties[kinds[0]]) != 1:
        raise PathError(f"_:{node.value} is not a property path")
    (value,) = properties[kinds[0]]
    if kinds[0] == SH.alternativePath:
        items = list_items(index, value)  # type: ignore[arg-type]
        if items is None or len(items) < 2:
            raise PathError("an alternative path is a well-formed list of at least two paths")
        return AlternativePath(tuple(read_path(index, item, _seen=seen) for item in items))
    return _UNARY[kinds[0]](read_path(index, value, _seen=seen))


def path_triples(path: Path) -> tuple[Term, list[ox.Triple]]:
    """The RDF form of ``path`` (for ``sh:resultPath``): its node and the triples describing it.

    Blank node labels are derived from the path itself, so the same path gives the same triples.
    """
    counter = iter(range(1_000_000))
    salt = hashlib.sha256(path.sparql().encode()).hexdigest()[:12]

    def fresh() -> ox.BlankNode:
        return ox.BlankNode(f"p{salt}x{next(counter)}")

    triples: list[ox.Triple] = []

    def write_list(items: Iterable[Term]) -> Term:
        members = list(items)
        cells = [fresh() for _ in members]
        for i, (cell, member) in enumerate(zip(cells, members, strict=True)):
            triples.append(ox.Triple(cell, RDF.first, member))
            triples.append(ox.Triple(cell, RDF.rest, cells[i + 1] if i + 1 < len(cells) else RDF.nil))
        return cells[0]

    def write(p: Path) -> Term:
        if isinstance(p, PredicatePath):
            return p.iri
        if isinstance(p, SequencePath):
            return write_list([write(q) for q in p.paths])
        node = fresh()
        if isinstance(p, AlternativePath):
            triples.append(ox.Triple(node, SH.alternativePath, write_list([write(q) for q in p.paths])))
        else:
            assert isinstance(p, InversePath | ZeroOrMorePath | OneOrMorePath | ZeroOrOnePath)
            predicate = next(k for k, v in _UNARY.items() if isinstance(p, v))
            triples.append(ox.Triple(node, predicate, write(p.path)))
        return node

    return write(path), triples


def path_values(path: Path, nodes: Iterable[Term], step: Step) -> dict[Term, list[Term]]:
    """The value nodes of each of ``nodes`` along ``path`` (each list without duplicates)."""
    return {node: list(_follow(path, node, step, False)) for node in nodes}


def _follow(path: Path, node: Term, step: Step, inverse: bool) -> dict[Term, None]:
    """The nodes reached from ``node`` (an ordered set), following ``path`` backwards if ``inverse``."""
    if isinstance(path, PredicatePath):
        return dict.fromkeys(step(path.iri, inverse).get(node, ()))
    if isinstance(path, InversePath):
        return _follow(path.path, node, step, not inverse)
    if isinstance(path, SequencePath):
        current: dict[Term, None] = {node: None}
        for part in reversed(path.paths) if inverse else path.paths:
            following: dict[Term, None] = {}
            for item in current:
                following.update(_follow(part, item, step, inverse))
            current = following
        return current
    if isinstance(path, AlternativePath):
        reached: dict[Term, None] = {}
        for part in path.paths:
            reached.update(_follow(part, node, step, inverse))
        return reached
    if isinstance(path, ZeroOrOnePath):
        return {node: None, **_follow(path.path, node, step, inverse)}
    assert isinstance(path, ZeroOrMorePath | OneOrMorePath)
    reached = {node: None} if isinstance(path, ZeroOrMorePath) else {}
    frontier = [node]
    visited = {node}
    while frontier:
        item = frontier.pop()
        for value in _follow(path.path, item, step, inverse):
            reached[value] = None
            if value not in visited:
                visited.add(value)
                frontier.append(value)
    return reached
