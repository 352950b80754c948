"""The dataset as the loader sends it: each named graph's triples as N-Triples lines, in chunks.

A dataset file is read a part at a time (:func:`kg.dataset.read_in_parts`): a graph's first chunks
are ready, and go to the store, while the rest of the file is still being read. Which graphs the
file holds, and how many triples each has, is known at its end; then come the last lines of every
graph (:class:`GraphEnd`, the largest graph first). A :class:`~kg.dataset.Dataset` already in
memory gives each graph whole, the largest first.

Examples
--------
>>> from kg.dataset import Dataset
>>> dataset = Dataset()
>>> dataset.add_nquads(b'<http://e/a> <http://e/p> "1" <http://e/g> .\\n<http://e/a> <http://e/p> "2" <http://e/g> .\\n')
>>> for part in DatasetParts(dataset):
...     print(part.graph, part.triples, part.chunked)
http://e/g 2 False
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from kg.dataset import PART_BYTES, PART_STATEMENTS, Dataset, RewrittenLiterals, read_in_parts
from kg.errors import InputError, LiteralFormWarning, UsageError
from kg.graphs import DEFAULT_BASE_IRI
from kg.remote.report import DEFAULT_CHUNK_SIZE

__all__ = ["Chunk", "DatasetParts", "FileParts", "GraphEnd", "Parts", "select_graphs"]

Triple = tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal]

_DEFAULT_GRAPH = ("triples are in the default graph: only named graphs are loaded (put them in a named graph, for "
                  "example with TriG)")


@dataclass(frozen=True)
class Chunk:
    """``chunk_size`` triples of a graph that has more: they go into its staging graph."""

    graph: str
    lines: list[bytes]


@dataclass(frozen=True)
class GraphEnd:
    """The last triples of a graph, once the whole graph is known (all of them if no :class:`Chunk`
    of it came before)."""

    graph: str
    lines: list[bytes]
    triples: int
    """The graph's triples in all."""
    chunked: bool
    """Whether chunks of the graph came before."""


class Parts(Protocol):
    """A dataset as the loader reads it."""

    selected: list[str]
    """The graphs to load, in the order of the report (known once the parts have all come)."""

    def __iter__(self) -> Iterator[Chunk | GraphEnd]: ...

    def typed_literal_triples(self, graph: str) -> Iterator[Triple]:
        """The triples of ``graph`` (at least those whose object is a typed literal)."""
        ...


class DatasetParts:
    """A dataset in memory: each selected graph whole, the largest first."""

    def __init__(self, dataset: Dataset, *, graphs: Iterable[str] | None = None, base_iri: str | None = None) -> None:
        self.dataset = dataset
        self.counts = dataset.triple_counts()
        if "" in self.counts:
            raise InputError(f"{self.counts['']} {_DEFAULT_GRAPH}")
        self.selected = select_graphs(list(self.counts), graphs, base=base_iri or dataset.graphs.base)

    def __iter__(self) -> Iterator[GraphEnd]:
        for graph in sorted(self.selected, key=lambda g: -self.counts[g]):
            data = self.dataset.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
            assert data is not None  # dump() returns bytes when given no output
            lines = data.splitlines(keepends=True)  # N-Triples: one triple a line
            yield GraphEnd(graph, lines, len(lines), chunked=False)

    def typed_literal_triples(self, graph: str) -> Iterator[Triple]:
        for quad in self.dataset.store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
            yield quad.subject, quad.predicate, quad.object  # type: ignore[misc]


class FileParts:
    """A dataset file, read a part at a time: :class:`Chunk` s of ``chunk_size`` triples of each
    graph as soon as it has more, and at the end of the file a :class:`GraphEnd` for each.

    A triple the file repeats is sent once. The typed-literal triples of each graph are kept, to
    explain a count that differs after the load (:func:`kg.remote.check.merged_values`).

    Raises (while iterating)
    ------------------------
    InputError
        A syntax error, or a triple in the default graph (only named graphs are loaded).
    UsageError
        ``graphs`` names a graph the file does not have (at its end).
    """

    def __init__(self, path: str | Path, *, base_iri: str = DEFAULT_BASE_IRI, chunk_size: int = DEFAULT_CHUNK_SIZE,
                 graphs: Iterable[str] | None = None) -> None:
        self.path = Path(path)
        self.base_iri = base_iri
        self.chunk_size = chunk_size
        self.wanted = None if graphs is None else list(graphs)
        self.selected: list[str] = []
        self.rewritten = RewrittenLiterals()
        self._typed: dict[str, list[bytes]] = {}

    def _chosen(self, graph: str) -> bool:
        if self.wanted is None:
            return True
        return graph in self.wanted or (graph.startswith(self.base_iri) and graph[len(self.base_iri):] in self.wanted)

    def __iter__(self) -> Iterator[Chunk | GraphEnd]:
        available: set[str] = set()
        seen: dict[str, set[bytes]] = {}
        buffers: dict[str, list[bytes]] = {}
        chunked: set[str] = set()
        for graph, data in read_in_parts(self.path, base_iri=self.base_iri, part=PART_STATEMENTS,
                                         part_bytes=PART_BYTES, rewritten=self.rewritten):
            if not graph:
                raise InputError(_DEFAULT_GRAPH, file=self.path)
            available.add(graph)
            if not self._chosen(graph):
                continue
            lines = data.splitlines(keepends=True)
            known = seen.setdefault(graph, set())
            fresh = [line for line in lines if line not in known] if known else lines
            known.update(fresh)
            # Oxigraph's N-Triples has "^^< only after a typed literal.
            self._typed.setdefault(graph, []).extend([line for line in fresh if b'"^^<' in line])
            buffer = buffers.setdefault(graph, [])
            buffer.extend(fresh)
            if len(buffer) > self.chunk_size:
                chunked.add(graph)
                cut = (len(buffer) - 1) // self.chunk_size * self.chunk_size  # keep at least one line back
                for start in range(0, cut, self.chunk_size):
                    yield Chunk(graph, buffer[start : start + self.chunk_size])
                buffers[graph] = buffer[cut:]
        self.selected = select_graphs(sorted(available), self.wanted, base=self.base_iri)
        if self.rewritten.count:
            warnings.warn(self.rewritten.message(self.path), LiteralFormWarning, stacklevel=2)
        for graph in sorted(buffers, key=lambda g: -len(seen[g])):
            yield GraphEnd(graph, buffers.pop(graph), len(seen.pop(graph)), chunked=graph in chunked)

    def typed_literal_triples(self, graph: str) -> Iterator[Triple]:
        for quad in ox.parse(b"".join(self._typed.get(graph, [])), format=ox.RdfFormat.N_TRIPLES):
            yield quad.subject, quad.predicate, quad.object


def select_graphs(available: list[str], wanted: Iterable[str] | None, *, base: str) -> list[str]:
    """The graphs of ``available`` that ``wanted`` names (full IRIs, or relative to ``base``), in
    its order; all of them when ``wanted`` is ``None``.

    >>> select_graphs(["http://e/g/a", "http://e/g/b"], ["g/b"], base="http://e/")
    ['http://e/g/b']
    """
    if wanted is None:
        return available
    chosen = []
    for name in wanted:
        graph = name if name in available else base + name
        if graph not in available:
            raise UsageError(f"the dataset has no graph {name!r} (it has: {', '.join(available)})")
        if graph not in chosen:
            chosen.append(graph)
    return chosen
