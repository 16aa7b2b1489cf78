"""Migration between quarters: transition matrices and per-customer moves.

Rows are the previous quarter's class, columns this quarter's, both in the
class order best first; so a cell *above* the diagonal (column after row) is a
customer who moved *down*, a cell below it one who moved up.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.analysis.segmentation.features import grouped_values
from custlib.analysis.segmentation.pyramid import check_tiers

NONE_LABEL = "(none)"
"""Row/column label in migration matrices for customers with no class in that quarter."""


def transition_matrix(previous: pd.Series, current: pd.Series, *, order=None, values: pd.Series | None = None) -> pd.DataFrame:
    """Cross-table of classes last quarter (rows) against this quarter (columns).

    Customers classed in only one of the two quarters appear in the
    :data:`NONE_LABEL` row or column. With ``values`` (e.g. this quarter's
    revenue per customer) cells hold the sum of values, otherwise customer
    counts.

    Returns
    -------
    DataFrame
        Rows ``previous``, columns ``current``, labels in ``order`` (then
        others alphabetically, then :data:`NONE_LABEL` when any customer is
        unclassed in that quarter); empty class rows and columns are kept so
        matrices of two runs line up. labels -> matrix.
    """
    idx = previous.index.union(current.index)
    # a few classes over many customers: factorise each side once and count cells over integer codes
    factorised = [pd.factorize(s.reindex(idx)) for s in (previous, current)]
    seen = {str(u) for _, uniques in factorised for u in uniques} - {NONE_LABEL}
    order = [str(o) for o in (order or [])]
    labels = order + sorted(seen - set(order)) + [NONE_LABEL]
    pos = {label: i for i, label in enumerate(labels)}
    # each customer's row / column in labels; code -1 (no class that quarter) is the NONE_LABEL one
    prev, curr = (np.array([*(pos[str(u)] for u in uniques), pos[NONE_LABEL]])[codes] for codes, uniques in factorised)
    size = len(labels)
    v = None if values is None else values.reindex(idx).fillna(0.0).to_numpy(dtype="float64")
    cell = prev * size + curr
    cells = np.bincount(cell, minlength=size * size) if v is None else grouped_values(cell, v, size * size).sum().to_numpy()
    cells = cells.reshape(size, size)
    m = pd.DataFrame(cells, index=pd.Index(labels, dtype="str"), columns=pd.Index(labels, dtype="str"))
    if not (prev == pos[NONE_LABEL]).any():
        m = m.drop(index=NONE_LABEL)
    if not (curr == pos[NONE_LABEL]).any():
        m = m.drop(columns=NONE_LABEL)
    if values is None:
        m = m.astype("int64")
    m.index.name = "previous quarter"
    m.columns.name = "this quarter"
    return m


def class_moves(previous: pd.Series, current: pd.Series, order) -> pd.DataFrame:
    """Each customer's class last quarter and now, and the direction of the move.

    ``order`` lists the classes best first; move is ``up``, ``same``,
    ``down``, ``new`` (no class last quarter) or ``gone`` (no class now).

    Returns
    -------
    DataFrame
        previous, current, move. labels -> moves.
    """
    rank = {str(n): i for i, n in enumerate(order)}
    idx = previous.index.union(current.index)
    prev = previous.astype("object").reindex(idx)
    curr = current.astype("object").reindex(idx)
    rp, rc = prev.map(rank, na_action="ignore"), curr.map(rank, na_action="ignore")
    move = np.select([rp.isna(), rc.isna(), rc < rp, rc > rp], ["new", "gone", "up", "down"], default="same")
    return pd.DataFrame({"previous": prev.astype("str"), "current": curr.astype("str"), "move": pd.Series(move, index=idx, dtype="str")})


def moved_down(
    previous: pd.Series,
    current: pd.Series,
    tiers,
    *,
    valuable_tiers: int = 2,
    features: pd.DataFrame | None = None,
    features_prev: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Valuable customers whose tier fell since last quarter.

    Valuable = in one of the top ``valuable_tiers`` tiers last quarter;
    moved down = in a lower tier now, or no longer ranked.

    Returns
    -------
    DataFrame
        previous_tier, tier, and with the feature frames revenue_prior_quarter
        (window revenue at last quarter's end), revenue, revenue_change,
        recency_days; largest previous revenue first. tiers -> moved-down list.
    """
    names, _ = check_tiers(tiers)
    rank = {n: i for i, n in enumerate(names)}
    prev = previous.dropna().astype("str")
    curr = current.astype("object").reindex(prev.index).astype("str")
    pr = prev.map(rank)
    cr = curr.map(rank).fillna(len(names))
    mask = (pr < valuable_tiers) & (cr > pr)
    out = pd.DataFrame({"previous_tier": prev[mask], "tier": current.astype("object").reindex(prev.index)[mask].astype("str")})
    if features is not None and features_prev is not None:
        out["revenue_prior_quarter"] = features_prev["revenue"].reindex(out.index)
        out["revenue"] = features["revenue"].reindex(out.index).fillna(0.0)
        out["revenue_change"] = out["revenue"] - out["revenue_prior_quarter"]
        out["recency_days"] = features["recency_days"].reindex(out.index)
        out = out.sort_index(kind="stable").sort_values("revenue_prior_quarter", ascending=False, kind="stable")
    return out


MOVES = ("moved_up", "stayed", "moved_down", "new", "gone")
"""Kinds of move a migration matrix holds (see :func:`migration_counts`)."""


def migration_counts(matrix: pd.DataFrame) -> pd.Series:
    """How many customers (or how much revenue) moved up, stayed, moved down, came or went.

    ``matrix`` is a :func:`transition_matrix`: rows last quarter, columns this
    quarter, classes best first, then :data:`NONE_LABEL`. A cell *above* the
    diagonal (its column comes after its row: a worse class now) counts as
    ``moved_down``, one below it as ``moved_up``; the :data:`NONE_LABEL` row is
    ``new``, its column ``gone``.

    Returns
    -------
    Series
        Indexed by :data:`MOVES`. matrix -> counts.
    """
    classes = [c for c in matrix.index if c != NONE_LABEL]
    rank = {c: i for i, c in enumerate(c for c in matrix.columns if c != NONE_LABEL)}
    out = dict.fromkeys(MOVES, 0)
    for row in matrix.index:
        for col in matrix.columns:
            v = matrix.at[row, col]
            if row == NONE_LABEL and col == NONE_LABEL:
                continue
            if row == NONE_LABEL:
                out["new"] += v
            elif col == NONE_LABEL:
                out["gone"] += v
            elif row in rank and col in rank:
                r, c = classes.index(row), rank[col]
                out["stayed" if r == c else ("moved_down" if c > r else "moved_up")] += v
    return pd.Series(out, name="customers").rename_axis("move")
