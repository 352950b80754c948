"""Writing the dataset: the external sort that bounds the memory of a dump gives the same bytes as
sorting everything in memory, in every format (deterministic canonical N-Triples are a promise)."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg.dataset import Dataset, RdfFormat
from kg.vocabularies import PREFIXES


def _in_memory(dataset: Dataset, format: RdfFormat) -> bytes:
    """The dataset serialised the simple way: every line or quad in memory, sorted (the reference)."""
    if format is RdfFormat.NTRIPLES:
        lines = {line for quad in dataset.store for line in [str(ox.Triple(quad.subject, quad.predicate, quad.object))]}
        return b"".join(f"{line} .\n".encode() for line in sorted(lines, key=str.encode))
    prefixes = PREFIXES if format in (RdfFormat.TRIG, RdfFormat.TURTLE) else None
    if format.supports_graphs:
        quads = sorted(dataset.store, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
        data = ox.serialize(quads, format=format.oxigraph, prefixes=prefixes)
    else:
        triples = ox.parse(_in_memory(dataset, RdfFormat.NTRIPLES), format=ox.RdfFormat.N_TRIPLES)
        data = ox.serialize(list(triples), format=format.oxigraph, prefixes=prefixes)
    assert data is not None
    return data


@pytest.mark.parametrize("format", [RdfFormat.NTRIPLES, RdfFormat.TRIG, RdfFormat.NQUADS, RdfFormat.TURTLE])
def test_sorted_runs_give_the_bytes_of_an_in_memory_sort(default_graph: kg.KnowledgeGraph, tmp_path: Path,
                                                         format: RdfFormat) -> None:
    dataset = default_graph.dataset
    path = tmp_path / f"kg.{format.extension}"
    count = dataset.write(path, format, run_bytes=200_000)  # dozens of runs on disk
    expected = _in_memory(dataset, format)
    assert path.read_bytes() == expected
    assert dataset.serialize(format) == expected  # one run, in memory
    if format is RdfFormat.NTRIPLES:
        assert count == expected.count(b"\n")


def test_a_triple_in_several_graphs_and_runs_is_written_once(tmp_path: Path) -> None:
    dataset = Dataset()
    lines = [f'<http://ex/s{i % 11}> <http://ex/p> "{i % 13}" <http://ex/g{i % 3}> .\n' for i in range(429)]
    dataset.add_nquads("".join(lines).encode())
    out = io.BytesIO()
    count = dataset.write(out, RdfFormat.NTRIPLES, run_bytes=64)  # a run a line: merged in two rounds
    expected = _in_memory(dataset, RdfFormat.NTRIPLES)
    assert out.getvalue() == expected and count == expected.count(b"\n") == 143
    assert dataset.canonical_ntriples() == expected
