"""A picture of the network a person can read: nodes sized by a centrality, coloured by community or
type with a legend, the most central actors labelled, actors without links counted but not drawn."""

from __future__ import annotations

import enum
import io
from collections import Counter
from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING

from kg._lazy import lazy_import
from kg.errors import UsageError
from kg.network.graphs import SEED, undirected_weighted

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd
else:  # loaded on first use, see kg._lazy
    nx = lazy_import("networkx")
    pd = lazy_import("pandas")

__all__ = ["Colouring", "png_bytes"]


class Colouring(enum.Enum):
    """What the colour of a node shows."""

    COMMUNITY = "community"
    TYPE = "type"


_SIZE_FALLBACKS = ("betweenness", "betweenness_approx", "pagerank", "weighted_degree", "degree")
_GREY = "#c8c8c8"
# Colours that stay distinguishable (tab10 without its grey); smaller groups share grey as "other".
_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf")


def _size_column(frame: pd.DataFrame, wanted: str) -> str | None:
    for column in (wanted, *_SIZE_FALLBACKS):
        if column in frame.columns and frame[column].astype("Float64").fillna(0).max() > 0:
            return column
    return None


def _actors(count: int) -> str:
    return f"{count} actor" if count == 1 else f"{count} actors"


def _numbers(frame: pd.DataFrame, column: str) -> dict[Hashable, float]:
    return {node: float(value) for node, value in frame[column].astype("Float64").fillna(0).items()}


def _colours(
    frame: pd.DataFrame, nodes: list[Hashable], colour_by: Colouring, sizes: dict[Hashable, float],
    labels: dict[Hashable, str],
) -> tuple[dict[Hashable, str], list[tuple[str, str]]]:
    """A colour per node and the legend entries (colour, text)."""
    by_community = colour_by is Colouring.COMMUNITY and "community" in frame.columns
    if by_community:
        numbers = _numbers(frame, "community")
        groups = {n: f"community {int(numbers[n])}" for n in nodes}
    else:
        groups = {n: str(frame.at[n, "type"]) or "(no type)" for n in nodes}
    counts = Counter(groups.values())
    ordered = sorted(counts, key=lambda g: (-counts[g], len(g), g))
    main = ordered[: len(_PALETTE)]  # the largest groups; the others share grey
    colour_of = {g: _PALETTE[i] for i, g in enumerate(main)}
    legend = []
    for group in main:
        if by_community:
            members = [n for n in nodes if groups[n] == group]
            leader = max(members, key=lambda n: (sizes[n], labels[n]))
            text = f"{group}: {_actors(counts[group])}, around {labels[leader]}"
        else:
            text = f"{group}: {counts[group]}"
        legend.append((colour_of[group], text))
    others = sum(counts[g] for g in ordered if g not in colour_of)
    if others:
        legend.append((_GREY, f"other {'communities' if by_community else 'types'}: {_actors(others)}"))
    return {n: colour_of.get(groups[n], _GREY) for n in nodes}, legend


_SMALL = 500  # nodes up to which NetworkX's force-directed layout takes a second or less


def _layout(graph: nx.Graph) -> dict[Hashable, tuple[float, float]]:
    """Force-directed positions (Fruchterman-Reingold, seeded): NetworkX's for small graphs; for
    large ones igraph's grid variant in C when igraph is installed (seconds instead of minutes),
    else NetworkX's with fewer iterations."""
    spacing = 1.6 / max(len(graph), 1) ** 0.5
    if len(graph) <= _SMALL:
        layout = nx.spring_layout(graph, seed=SEED, k=spacing, iterations=300, weight="weight")
        return {node: (float(x), float(y)) for node, (x, y) in layout.items()}
    try:
        from kg.network.engine_igraph import load_igraph, seeded, to_igraph

        igraph = load_igraph()
    except UsageError:
        layout = nx.spring_layout(graph, seed=SEED, k=spacing, iterations=50, weight="weight")
        return {node: (float(x), float(y)) for node, (x, y) in layout.items()}
    converted, order = to_igraph(graph)
    with seeded(igraph, SEED):
        coordinates = converted.layout_fruchterman_reingold(weights="weight", niter=500, grid=True).coords
    return {node: (float(x), float(y)) for node, (x, y) in zip(order, coordinates)}


def _edge_key(edge: tuple[Hashable, Hashable, object]) -> tuple[str, str]:
    return str(edge[0]), str(edge[1])


def _ordered(graph: nx.Graph, nodes: Iterable[Hashable]) -> nx.Graph:
    """A copy of ``graph`` restricted to ``nodes``, with nodes and edges in sorted order.

    A NetworkX subgraph iterates its nodes in the order of a Python set, which changes with
    the hash seed of each process; the seeded layout would then differ from run to run.
    """
    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(nodes, key=str))
    edges = [(u, v, d) if str(u) <= str(v) else (v, u, d) for u, v, d in graph.subgraph(ordered.nodes).edges(data=True)]
    ordered.add_edges_from(sorted(edges, key=_edge_key))
    return ordered


def _packed_layout(graph: nx.Graph) -> dict[Hashable, tuple[float, float]]:
    """Lay out each connected component on its own and pack them in rows, largest first.

    A force-directed layout of a disconnected graph pushes the small components to the rim and
    crushes the large one in the middle; packing gives each component room in proportion to its
    size, so the main component stays readable.
    """
    components = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(str(n) for n in c)))
    pieces: list[tuple[float, dict[Hashable, tuple[float, float]]]] = []
    for component in components:
        side = max(len(component), 1) ** 0.5
        positions = _layout(_ordered(graph, component)) if len(component) > 1 else {next(iter(component)): (0.0, 0.0)}
        xs = [x for x, _ in positions.values()]
        ys = [y for _, y in positions.values()]
        span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
        scaled = {n: ((x - min(xs)) / span * side, (y - min(ys)) / span * side) for n, (x, y) in positions.items()}
        pieces.append((side, scaled))
    row_width = max(pieces[0][0], sum(side * side for side, _ in pieces) ** 0.5 * 1.3) if pieces else 1.0
    gap = 0.6
    packed: dict[Hashable, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for side, positions in pieces:
        if x > 0 and x + side > row_width:
            x, y, row_height = 0.0, y - row_height - gap, 0.0
        packed.update({n: (x + px, y - side + py) for n, (px, py) in positions.items()})
        x += side + gap
        row_height = max(row_height, side)
    return packed


def _place_labels(figure: object, axes: object, labels: list[tuple[object, str, float]]) -> None:
    """Write each label beside its node, on the first side where it overlaps no label placed
    before it (the labels come largest node first), else where it overlaps least."""
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    placed: list[object] = []
    style = {"fontsize": 9, "zorder": 5, "bbox": {"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 0.8}}
    for position, text, area in labels:
        gap = (area ** 0.5) / 2 + 3  # points from the node centre to its rim, plus a margin
        best = None
        for dx, dy, ha, va in _label_sides(gap):
            label = axes.annotate(text, xy=position, xytext=(dx, dy), textcoords="offset points",  # type: ignore[attr-defined]
                                  ha=ha, va=va, **style)
            box = label.get_window_extent(renderer)
            overlap = sum(_overlap(box, other) for other in placed)
            if best is None or overlap < best[0]:
                if best is not None:
                    best[1].remove()
                best = (overlap, label, box)
            else:
                label.remove()
            if overlap == 0:
                break
        assert best is not None
        placed.append(best[2])


def _label_sides(gap: float) -> list[tuple[float, float, str, str]]:
    """Offsets (points) and alignments to try for a label: above, below, right, left, the corners,
    then the same twice as far."""
    sides = []
    for distance in (gap, 2 * gap + 6):
        diagonal = distance * 0.75
        sides += [(0, distance, "center", "bottom"), (0, -distance, "center", "top"), (distance, 0, "left", "center"),
                  (-distance, 0, "right", "center"), (diagonal, diagonal, "left", "bottom"),
                  (-diagonal, diagonal, "right", "bottom"), (diagonal, -diagonal, "left", "top"),
                  (-diagonal, -diagonal, "right", "top")]
    return sides


def _overlap(first: object, second: object) -> float:
    width = min(first.x1, second.x1) - max(first.x0, second.x0)  # type: ignore[attr-defined]
    height = min(first.y1, second.y1) - max(first.y0, second.y0)  # type: ignore[attr-defined]
    return float(max(width, 0.0) * max(height, 0.0))


def png_bytes(
    graph: nx.Graph,
    frame: pd.DataFrame,
    *,
    size_by: str = "betweenness",
    colour_by: Colouring = Colouring.COMMUNITY,
    top_labels: int = 25,
    title: str | None = None,
) -> bytes:
    """A PNG of ``graph`` with the metrics of ``frame``.

    Parameters
    ----------
    size_by
        The metric column that sizes the nodes; when it is missing or zero everywhere, the first of
        betweenness, PageRank, weighted degree, degree that is not.
    colour_by
        Colour nodes by community (the ``community`` column) or by type.
    top_labels
        How many of the largest nodes get their label written.
    title
        The title; by default it names the projection and counts actors and links.
    """
    # A figure of its own with an Agg canvas: no pyplot, so the caller's backend and figures
    # (a notebook's inline plots, say) are left alone.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    undirected = undirected_weighted(graph)
    linked = [n for n in undirected if undirected.degree(n) > 0]
    shown_nodes = linked or list(undirected)
    shown = graph.subgraph(shown_nodes)
    hidden = graph.number_of_nodes() - len(shown_nodes)
    projection = str(graph.graph.get("projection", "")).replace("-", " ")
    figure = Figure(figsize=(15, 12), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    axes.axis("off")
    if not shown_nodes:
        axes.text(0.5, 0.5, "The projection has no actors yet.", ha="center", va="center", fontsize=18)
    else:
        nodes = sorted(shown, key=str)  # not set order: the same picture whatever the hash seed
        size = _size_column(frame, size_by)
        labels = {node: str(label) for node, label in frame["label"].items()}
        values = _numbers(frame, size) if size else {n: 1.0 for n in nodes}
        peak = max(values[n] for n in nodes) or 1.0
        if min(values[n] for n in nodes) == peak:  # nothing to show by size: middle-sized nodes
            values, peak, size = {n: 0.15 for n in nodes}, 1.0, None
        colours, legend = _colours(frame, nodes, colour_by, values, labels)
        positions = _packed_layout(undirected.subgraph(nodes))
        edges = list(shown.edges(data="weight", default=1))
        if not graph.is_directed():
            edges = [(u, v, w) if str(u) <= str(v) else (v, u, w) for u, v, w in edges]
        edges.sort(key=_edge_key)
        widths = [0.5 + 0.6 * min(float(w) - 1, 6) for *_, w in edges]
        arrows = {"arrows": True, "arrowsize": 8, "node_size": 40} if graph.is_directed() else {"arrows": False}
        nx.draw_networkx_edges(shown, positions, edgelist=[(u, v) for u, v, _ in edges], ax=axes, width=widths,
                               alpha=0.35, edge_color="#555555", **arrows)
        nx.draw_networkx_nodes(shown, positions, nodelist=nodes, ax=axes,
                               node_size=[40 + 1800 * values[n] / peak for n in nodes],
                               node_color=[colours[n] for n in nodes], edgecolors="#222222", linewidths=0.5)
        ranked = sorted(nodes, key=lambda n: (-values[n], labels[n]))[: max(top_labels, 0)]
        axes.margins(0.08)  # room for the labels of the outermost nodes
        axes.autoscale_view()  # the final limits, before labels are measured
        _place_labels(figure, axes, [(positions[n], labels[n], 40 + 1800 * values[n] / peak) for n in ranked])
        handles = [Line2D([], [], marker="o", linestyle="", markersize=9, markerfacecolor=c, markeredgecolor="#222222",
                          label=text) for c, text in legend]
        if handles:
            axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9, frameon=False,
                        title=f"Colour: {colour_by.value}", title_fontsize=10, alignment="left")
        what = "directed links" if graph.is_directed() else "links"
        counted = "connected" if linked else "without links"
        default_title = (
            f"{projection.capitalize() or 'Network'} projection: {_actors(len(nodes))} {counted}, "
            f"{shown.number_of_edges()} {what}"
            + (f" ({_actors(hidden)} without links not drawn)" if hidden else "")
            + f"\nNode size: {size or 'none'}; colour: {colour_by.value}; labels: the {len(ranked)} largest"
        )
        axes.set_title(title or default_title, fontsize=13, pad=24)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()
