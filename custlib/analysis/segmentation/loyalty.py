"""Loyalty status: loyal, switcher, no brand loyalty.

Source: Kotler & Keller (15th ed.), ch. 9 "behavioral segmentation: loyalty
status"; regularity as in Platzer & Reutterer (2016), Marketing Science 35(5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.analysis.segmentation.common import LOYALTY_CLASSES
from custlib.analysis.segmentation.features import require_buyers
from custlib.exceptions import InsufficientDataError


def loyalty_classes(
    features: pd.DataFrame,
    *,
    min_orders: int = 3,
    min_tenure_days: int = 365,
    max_gap_cv: float = 1.0,
    max_recency_ratio: float = 2.0,
    min_category_share: float = 0.2,
) -> pd.DataFrame:
    """Loyal, switcher or no brand loyalty, from what our own sales show.

    We only see purchases from us, so loyalty status (Kotler & Keller,
    ch. 9: hard-core loyals, shifting loyals, switchers) is read from proxies,
    applied in this order to each customer who has ordered:

    1. **no brand loyalty**: fewer than ``min_orders`` orders in the whole
       history (one-off or occasional buyers: nothing ties them to us);
    2. **loyal**: all of
       tenure >= ``min_tenure_days``;
       regular repeat purchases, gap_cv (s.d. / mean of the gaps between
       order dates) <= ``max_gap_cv``; the default 1 is the CV of random
       (Poisson) buying, below it purchases follow a rhythm (Erlang-k gaps,
       CV = 1 / sqrt(k); Platzer & Reutterer 2016);
       still within their rhythm, recency_days <= ``max_recency_ratio`` x
       gap_mean_days;
       and broad buying, category_share >= ``min_category_share``;
    3. **switcher**: every other repeat buyer (irregular orders, a gap
       longer than their rhythm, a short tenure or narrow buying: they
       come to us and go elsewhere).

    Returns
    -------
    DataFrame
        orders_total, tenure_days, gap_cv, recency_ratio, category_share,
        loyalty, reason (the first failed condition, in words).
        features -> loyalty.

    When the history is shorter than ``min_tenure_days`` the classes are not given
    (:func:`check_history`).

    Raises
    ------
    InsufficientDataError
        Fewer than 2 buyers; or the history is shorter than ``min_tenure_days`` (code
        ``history_shorter_than_tenure``; fields ``history_days``, ``min_tenure_days``).
    """
    buyers = require_buyers(features, "loyalty classes")
    check_history(buyers, min_tenure_days)
    out = buyers[["orders_total", "tenure_days", "gap_cv", "gap_mean_days", "recency_days", "category_share"]].copy()
    out["recency_ratio"] = (out["recency_days"] / out["gap_mean_days"]).where(out["gap_mean_days"] > 0)
    few = out["orders_total"] < min_orders
    short = out["tenure_days"] < min_tenure_days
    irregular = ~(out["gap_cv"] <= max_gap_cv)
    overdue = ~(out["recency_ratio"] <= max_recency_ratio)
    narrow = out["category_share"] < min_category_share
    reason = np.select(
        [few, short, irregular, overdue, narrow],
        [
            f"fewer than {min_orders} orders",
            f"customer for less than {min_tenure_days} days",
            f"irregular orders (gap CV above {max_gap_cv:g})",
            f"last order more than {max_recency_ratio:g} usual gaps ago",
            f"buys under {min_category_share:.0%} of categories",
        ],
        default="regular, long-standing, broad buyer",
    )
    loyal = ~(few | short | irregular | overdue | narrow)
    out["loyalty"] = pd.Series(
        np.where(few, LOYALTY_CLASSES[2], np.where(loyal, LOYALTY_CLASSES[0], LOYALTY_CLASSES[1])), index=out.index, dtype="str"
    )
    out["reason"] = pd.Series(reason, index=out.index, dtype="str")
    return out.drop(columns=["gap_mean_days", "recency_days"])


def check_history(buyers: pd.DataFrame, min_tenure_days: int) -> None:
    """Rule *history shorter than the tenure rule*: raise when no customer can meet ``min_tenure_days``.

    When the region's order history (the longest tenure: from the first order in the data to the
    quarter's end) is shorter than ``min_tenure_days``, no customer can be loyal because the data is
    too short, not because customers are disloyal; the classes would read "Loyal 0".

    Raises
    ------
    InsufficientDataError
        Code ``history_shorter_than_tenure``; fields ``history_days``, ``min_tenure_days``.
    """
    history = buyers["tenure_days"].max()
    if not history >= min_tenure_days:
        days = 0 if pd.isna(history) else int(history)
        raise InsufficientDataError(
            f"loyalty classes: the order history covers {days} days, shorter than the {min_tenure_days} days of tenure "
            "a loyal customer needs (segmentation.loyalty.min_tenure_days)",
            code="history_shorter_than_tenure",
            history_days=days,
            min_tenure_days=int(min_tenure_days),
        )


def class_summary(labels: pd.Series, features: pd.DataFrame, *, order=None, name: str = "class") -> pd.DataFrame:
    """Customers and value per class of any labelling.

    Returns
    -------
    DataFrame
        Indexed by class (``order`` first): customers, customer_share,
        revenue, revenue_share, gross_profit. labels + features -> summary.
    """
    f = features.loc[labels.index]
    frame = pd.DataFrame({name: labels.astype("str"), "revenue": f["revenue"], "gross_profit": f["gross_profit"]})
    g = frame.groupby(name, sort=True)
    out = pd.DataFrame({"customers": g.size(), "revenue": g["revenue"].sum(), "gross_profit": g["gross_profit"].sum(skipna=False)})
    if order is not None:
        empty = {"customers": 0, "revenue": 0.0, "gross_profit": 0.0 if f["gross_profit"].notna().all() else np.nan}
        out = out.reindex([o for o in order] + [i for i in out.index if i not in order]).fillna(empty)
        out["customers"] = out["customers"].astype("int64")
    out.insert(1, "customer_share", out["customers"] / max(out["customers"].sum(), 1))
    tot = out["revenue"].sum()
    out.insert(3, "revenue_share", out["revenue"] / tot if tot else np.nan)
    out.index.name = name
    return out
