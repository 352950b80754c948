"""The top actors of a centrality table: what ``kg network`` prints, for Python users too.

An actor scoring 0 on the ranking metric is left out of the top, and the count of those left out is
kept: in a sparse network most actors have betweenness 0 (no link, or at the end of a chain), and
listing them "in the top 15" in alphabetical order would pass a tie of nobodies for a ranking.

Examples
--------
>>> import networkx as nx
>>> from kg.network.metrics import Metric, centrality_frame
>>> graph = nx.Graph([("a", "b"), ("b", "c")])
>>> graph.add_node("d")
>>> ranking = top_actors(centrality_frame(graph, metrics=[Metric.DEGREE, Metric.BETWEENNESS]), n=3)
>>> ranking.metric, list(ranking.table.index), ranking.left_out
('betweenness', ['b'], 3)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from kg.errors import UsageError
from kg.network.metrics import Metric

__all__ = ["Ranking", "top_actors"]


@dataclass(frozen=True)
class Ranking:
    """The top actors by one metric."""

    table: pd.DataFrame
    """Index the actor; columns ``rank`` (ties share one), ``label``, ``type`` and every computed metric."""
    metric: str
    """The column the actors are ranked by."""
    left_out: int
    """Actors scoring 0 on the metric, left out of the table."""
    actors: int
    """All actors of the network."""

    def to_text(self, *, width: int | None = None) -> str:
        """The table as ``kg network`` prints it, with a line saying what was left out.

        Examples
        --------
        >>> import networkx as nx
        >>> from kg.network.metrics import Metric, centrality_frame
        >>> graph = nx.Graph([("a", "b"), ("b", "c")])
        >>> print(top_actors(centrality_frame(graph, metrics=[Metric.BETWEENNESS])).to_text())
        rank  label  type  betweenness
        ----  -----  ----  -----------
           1  b                      1
        (2 actors with betweenness 0 left out)
        """
        from kg.tables import format_table, wrap

        metrics = [c for c in self.table.columns if c not in ("rank", "label", "type")]
        headers = ["rank", "label", "type", *metrics]
        rows = [[_cell(self.table.at[actor, "rank"]), _cell(self.table.at[actor, "label"]) or str(actor),
                 _cell(self.table.at[actor, "type"]), *(_cell(self.table.at[actor, c]) for c in metrics)]
                for actor in self.table.index]
        numbers = {0, *range(3, len(headers))}
        lines = format_table(headers, rows, width=width, right=numbers, whole=numbers,
                             when_cut=f"cut to {width} characters (COLUMNS): --out DIR writes centrality.csv whole")
        if self.left_out:
            noun = "actor" if self.left_out == 1 else "actors"
            lines.extend(wrap(f"({self.left_out} {noun} with {self.metric} 0 left out)", width))
        return "\n".join(lines)


def _cell(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def top_actors(frame: pd.DataFrame, *, by: Metric | str | None = None, n: int = 10) -> Ranking:
    """The ``n`` actors ranking highest on ``by``; actors scoring 0 are left out and counted.

    Parameters
    ----------
    frame
        A centrality table (:func:`kg.network.centrality_frame`).
    by
        The metric: by default betweenness if computed, else the first metric of the frame.
        ``betweenness`` means ``betweenness_approx`` when betweenness was sampled. Communities are
        listed from the largest (0) on, and none is left out.
    n
        How many actors at most (ties at the last place are cut by label).

    Raises
    ------
    UsageError
        For a metric the frame does not hold, or a negative ``n``.
    """
    if n < 0:
        raise UsageError(f"--top must be 0 or more, got {n}")
    computed = [c for c in frame.columns if c not in ("label", "type") and not c.endswith("_rank")]
    if not computed:
        raise UsageError("the centrality table holds no metric")
    wanted = by.value if isinstance(by, Metric) else by
    metric = wanted or ("betweenness" if {"betweenness", "betweenness_approx"} & set(computed) else computed[0])
    if metric == "betweenness" and "betweenness_approx" in computed:
        metric = "betweenness_approx"
    if metric not in computed:
        raise UsageError(f"--sort {metric}: that metric was not computed (computed: {', '.join(computed)})")
    community = metric == Metric.COMMUNITY.value
    scored = frame if community else frame[frame[metric].astype("Float64").fillna(0) > 0]
    ordered = scored.sort_values([metric, "label"], ascending=[community, True]).head(n)
    rank_column = f"{metric}_rank"
    ranks = ordered[rank_column] if rank_column in ordered.columns else pd.Series(range(1, len(ordered) + 1),
                                                                                  index=ordered.index)
    table = ordered[["label", "type", *computed]].copy()
    table.insert(0, "rank", ranks.astype("Int64"))
    return Ranking(table=table, metric=metric, left_out=len(frame) - len(scored), actors=len(frame))
