"""Network results back into RDF: the triples of the analysis graph.

One ``kikg:NetworkAnalysis`` (a ``prov:Activity``) per analysis, at ``{base}analysis/{projection}``,
records the projection's name (``kikg:projection``), its SPARQL (``kikg:projectionQuery``) and the
engine, algorithms and parameters as JSON (``kikg:parameters``). Each actor and metric gets one
``kikg:AnalysisResult`` at ``{base}analysis/{projection}/{metric}/{actor path}`` with
``kikg:metric`` (a concept of ``{base}concept/network-metric/``), ``kikg:resultFor``,
``kikg:score`` (``xsd:double``), ``kikg:rank`` (``xsd:positiveInteger``; for communities
``kikg:community`` instead) and ``prov:wasGeneratedBy`` the analysis.

Scores are written with :data:`SIGNIFICANT_DIGITS` significant digits: beyond them the last bits of
floating-point sums depend on the machine, and the dataset must serialise to the same bytes on every
run. The same data therefore always gives the same triples.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg._lazy import lazy_import
from kg.namespace import KIKG
from kg.vocabularies import PROV, RDF, RDFS, XSD

if TYPE_CHECKING:
    import pandas as pd
else:  # loaded on first use, see kg._lazy
    pd = lazy_import("pandas")

__all__ = ["METRIC_COLUMNS", "SIGNIFICANT_DIGITS", "analysis_triples", "format_score"]

SIGNIFICANT_DIGITS = 12
"""Significant digits of the written scores."""

METRIC_COLUMNS = ("degree", "weighted_degree", "betweenness", "betweenness_approx", "closeness", "eigenvector",
                  "pagerank", "core_number", "community")
"""The frame columns that are metrics (each but ``community`` has a ``*_rank`` column)."""



def format_score(value: float) -> str:
    """An ``xsd:double`` lexical form with :data:`SIGNIFICANT_DIGITS` significant digits.

    >>> [format_score(v) for v in (1 / 3, 2.0, -0.0, 1e-20, float("inf"), float("nan"))]
    ['0.333333333333', '2', '0', '1e-20', 'INF', 'NaN']
    """
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    text = format(value, f".{SIGNIFICANT_DIGITS}g")
    return "0" if text in ("0", "-0") else text


def _path(node: str, base: str) -> str:
    if node.startswith(base) and len(node) > len(base):
        return node[len(base):]
    return "external/" + hashlib.sha256(node.encode()).hexdigest()[:16]


def analysis_triples(
    frame: pd.DataFrame,
    *,
    base: str,
    projection: str,
    query: str,
    parameters: Mapping[str, object],
    actors: Collection[str] | None = None,
) -> list[ox.Triple]:
    """The triples of one analysis: the activity, and one result per actor and metric.

    Parameters
    ----------
    frame
        A frame of :func:`kg.network.metrics.centrality_frame`, indexed by node IRI.
    base
        The data's base IRI.
    projection, query, parameters
        What the analysis was computed on and how (recorded on the activity).
    actors
        Write results only for these nodes (the shapes require results to be about actors; the
        bipartite projection also has policies); all rows when ``None``.
    """
    name = ox.NamedNode
    run = name(f"{base}analysis/{projection}")
    xsd_double, xsd_rank, xsd_community = (name(str(XSD[t])) for t in ("double", "positiveInteger", "nonNegativeInteger"))
    triples = [
        ox.Triple(run, name(str(RDF.type)), name(str(KIKG.NetworkAnalysis))),
        ox.Triple(run, name(str(RDFS.label)), ox.Literal(f"Network analysis of the {projection} projection", language="en")),
        ox.Triple(run, name(str(KIKG.projection)), ox.Literal(projection)),
        ox.Triple(run, name(str(KIKG.projectionQuery)), ox.Literal(query)),
        ox.Triple(run, name(str(KIKG.parameters)), ox.Literal(json.dumps(parameters, sort_keys=True, ensure_ascii=False))),
    ]
    metrics = [c for c in frame.columns if c in METRIC_COLUMNS]
    predicates = {p: name(str(term)) for p, term in (
        ("type", RDF.type), ("metric", KIKG.metric), ("for", KIKG.resultFor), ("score", KIKG.score),
        ("by", PROV.wasGeneratedBy), ("rank", KIKG.rank), ("community", KIKG.community))}
    result_class = name(str(KIKG.AnalysisResult))
    concepts = {m: name(f"{base}concept/network-metric/{m.replace('_', '-')}") for m in metrics}
    wanted = None if actors is None else set(actors)
    columns = {column: frame[column].tolist() for column in frame.columns if column in metrics or column.endswith("_rank")}
    for row, node in enumerate(map(str, frame.index)):
        if wanted is not None and node not in wanted:
            continue
        path = _path(node, base)
        for metric in metrics:
            value = columns[metric][row]
            if pd.isna(value):
                continue
            result = name(f"{base}analysis/{projection}/{metric.replace('_', '-')}/{path}")
            triples += [
                ox.Triple(result, predicates["type"], result_class),
                ox.Triple(result, predicates["metric"], concepts[metric]),
                ox.Triple(result, predicates["for"], name(node)),
                ox.Triple(result, predicates["score"], ox.Literal(format_score(value), datatype=xsd_double)),
                ox.Triple(result, predicates["by"], run),
            ]
            if metric == "community":
                triples.append(ox.Triple(result, predicates["community"], ox.Literal(str(int(value)), datatype=xsd_community)))
            elif f"{metric}_rank" in columns:
                rank = int(columns[f"{metric}_rank"][row])
                triples.append(ox.Triple(result, predicates["rank"], ox.Literal(str(rank), datatype=xsd_rank)))
    return triples
