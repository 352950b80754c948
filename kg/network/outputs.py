"""Network results back into RDF (the analysis graph) and out to GraphML, GEXF and PNG."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping

import networkx as nx
import pandas as pd
import pyoxigraph as ox

from kg.namespace import KIKG
from kg.vocabularies import PROV, RDF, RDFS

__all__ = ["analysis_triples", "graphml_bytes", "gexf_bytes", "png_bytes", "annotate"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_METRIC_COLUMNS = ("degree", "weighted_degree", "betweenness", "betweenness_approx", "closeness", "eigenvector",
                   "pagerank", "core_number", "community")


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _score(value: float) -> str:
    # Twelve significant digits: beyond them, floating-point sums differ between machines.
    text = format(float(value), ".12g")
    return "0" if text in ("-0", "0") else text


def _actor_path(actor: str, base: str) -> str:
    if actor.startswith(base):
        return actor[len(base):]
    return "external/" + hashlib.sha256(actor.encode()).hexdigest()[:16]


def analysis_triples(
    frame: pd.DataFrame,
    *,
    base: str,
    projection: str,
    query: str,
    parameters: Mapping[str, object],
) -> list[ox.Triple]:
    """The triples of one analysis: the run, and one result per actor and metric, with ranks."""
    run = _n(f"{base}analysis/{projection}")
    triples = [
        ox.Triple(run, _n(str(RDF.type)), _n(str(KIKG.NetworkAnalysis))),
        ox.Triple(run, _n(str(RDFS.label)), ox.Literal(f"Network analysis of the {projection} projection", language="en")),
        ox.Triple(run, _n(str(KIKG.projection)), ox.Literal(projection)),
        ox.Triple(run, _n(str(KIKG.projectionQuery)), ox.Literal(query)),
        ox.Triple(run, _n(str(KIKG.parameters)), ox.Literal(json.dumps(parameters, sort_keys=True))),
    ]
    metrics = [c for c in frame.columns if c in _METRIC_COLUMNS]
    for actor, row in frame.iterrows():
        path = _actor_path(str(actor), base)
        for metric in metrics:
            value = row[metric]
            if pd.isna(value):
                continue
            concept = metric.replace("_", "-")
            result = _n(f"{base}analysis/{projection}/{concept}/{path}")
            triples += [
                ox.Triple(result, _n(str(RDF.type)), _n(str(KIKG.AnalysisResult))),
                ox.Triple(result, _n(str(KIKG.metric)), _n(f"{base}concept/network-metric/{concept}")),
                ox.Triple(result, _n(str(KIKG.resultFor)), _n(str(actor))),
                ox.Triple(result, _n(str(KIKG.score)), ox.Literal(_score(value), datatype=_n(_XSD + "double"))),
                ox.Triple(result, _n(str(PROV.wasGeneratedBy)), run),
            ]
            if metric == "community":
                triples.append(ox.Triple(result, _n(str(KIKG.community)),
                                         ox.Literal(str(int(value)), datatype=_n(_XSD + "nonNegativeInteger"))))
            elif f"{metric}_rank" in frame.columns:
                rank = int(row[f"{metric}_rank"])
                triples.append(ox.Triple(result, _n(str(KIKG.rank)), ox.Literal(str(rank), datatype=_n(_XSD + "positiveInteger"))))
    return triples


def annotate(graph: nx.Graph, frame: pd.DataFrame) -> nx.Graph:
    """A copy of ``graph`` with the metrics of ``frame`` as node attributes."""
    annotated = graph.copy()
    metrics = [c for c in frame.columns if c in _METRIC_COLUMNS]
    for actor, row in frame.iterrows():
        if actor not in annotated:
            continue
        for metric in metrics:
            value = row[metric]
            if not pd.isna(value):
                annotated.nodes[actor][metric] = int(value) if metric in ("degree", "core_number", "community") else float(value)
    return annotated


def graphml_bytes(graph: nx.Graph) -> bytes:
    """GraphML (for Cytoscape, Gephi, yEd)."""
    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def gexf_bytes(graph: nx.Graph) -> bytes:
    """GEXF (for Gephi)."""
    buffer = io.BytesIO()
    nx.write_gexf(graph, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def png_bytes(graph: nx.Graph, frame: pd.DataFrame, *, size_by: str = "betweenness", top_labels: int = 25) -> bytes:
    """A picture of the network: nodes sized by a centrality, coloured by community, labelled."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    undirected = graph.to_undirected() if graph.is_directed() else graph
    connected = [n for n in undirected if undirected.degree(n) > 0]
    shown = undirected.subgraph(connected) if connected else undirected
    positions = nx.spring_layout(shown, seed=42, weight="weight", k=1.2 / max(len(shown), 1) ** 0.5, iterations=200)
    column = size_by if size_by in frame.columns else "degree"
    sizes = frame[column].astype("Float64").fillna(0)
    peak = float(sizes.max()) or 1.0
    communities = frame["community"] if "community" in frame.columns else pd.Series(0, index=frame.index)
    palette = plt.get_cmap("tab20")
    figure, axes = plt.subplots(figsize=(16, 12), dpi=110)
    nx.draw_networkx_edges(shown, positions, ax=axes, alpha=0.25, width=[0.6 + 0.4 * d.get("weight", 1) for *_, d in shown.edges(data=True)])
    nodes = list(shown)
    nx.draw_networkx_nodes(
        shown, positions, nodelist=nodes, ax=axes,
        node_size=[60 + 2400 * float(sizes.get(n, 0)) / peak for n in nodes],
        node_color=[palette(int(communities.get(n, 0)) % 20) for n in nodes],
        edgecolors="#333333", linewidths=0.4,
    )
    ranked = frame.loc[[n for n in nodes if n in frame.index]].sort_values(column, ascending=False)
    labels = {n: str(frame.at[n, "label"]) for n in ranked.index[:top_labels]}
    nx.draw_networkx_labels(shown, positions, labels=labels, ax=axes, font_size=9,
                            bbox={"facecolor": "white", "alpha": 0.7, "edgecolor": "none", "pad": 0.5})
    isolated = undirected.number_of_nodes() - len(nodes)
    axes.set_title(
        f"Collaboration network: {len(nodes)} connected actors, {shown.number_of_edges()} links "
        f"({isolated} actors without links not shown). Size: {column}; colour: community.",
        fontsize=12,
    )
    axes.axis("off")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()
