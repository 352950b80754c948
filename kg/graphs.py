"""The names of the named graphs of a built dataset, all under one configurable base IRI.

>>> names = GraphNames("https://example.org/id/")
>>> names.table("entities")
'https://example.org/id/graph/table/entities'
>>> names.provenance
'https://example.org/id/graph/provenance'
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_BASE_IRI", "GraphNames"]

DEFAULT_BASE_IRI = "https://w3id.org/kikg/id/"


@dataclass(frozen=True)
class GraphNames:
    """Graph IRIs of a dataset whose data IRIs start with ``base``."""

    base: str = DEFAULT_BASE_IRI

    @property
    def ontology(self) -> str:
        """The graph holding the OWL ontology."""
        return self.base + "graph/ontology"

    @property
    def provenance(self) -> str:
        """The graph holding one source record per table row."""
        return self.base + "graph/provenance"

    @property
    def analysis(self) -> str:
        """The graph holding computed results (network metrics) and how they were computed."""
        return self.base + "graph/analysis"

    def table(self, name: str) -> str:
        """The graph holding the triples mapped from source table ``name``."""
        return self.base + "graph/table/" + name

    def table_name(self, graph: str) -> str | None:
        """The source table of ``graph``, or ``None`` when it is not a table graph."""
        prefix = self.base + "graph/table/"
        return graph[len(prefix):] if graph.startswith(prefix) else None
