"""The customers a campaign plan contacts: the whole list behind "run the campaign on the N customers".

:func:`~custlib.analysis.development.campaign.campaign_plan` decides how many customers of each target group the
budget pays for (``contact_customers``), not which ones. Every customer of a group has the same expected profit per
contact (the model is per group), so when the budget pays for part of a group :func:`campaign_targets` takes its
largest customers first: revenue over the last ``months`` months, then the last order, then the id. A group is the
same set of customers the plan counted: the region's customers with an order on or before ``asof``
(:func:`~custlib.analysis.development.campaign.target_segments`).
"""

from __future__ import annotations

import pandas as pd

from custlib.analysis.development.campaign import target_segments
from custlib.analysis.development.common import require
from custlib.exceptions import DataError

TARGET_COLUMNS = ["customer_id", "segment", "group_rank", "profit_per_contact", "revenue_12m", "last_order"]


def campaign_targets(
    plan: pd.DataFrame,
    customers: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    asof,
    segment_by: tuple[str, ...] | list[str] = ("size_band",),
    months: int = 12,
    customer_col: str = "customer_id",
) -> pd.DataFrame:
    """One row per customer the plan contacts: ``plan["contact_customers"]`` of each group, largest customers first.

    Parameters
    ----------
    plan : DataFrame
        :func:`~custlib.analysis.development.campaign.campaign_plan` (segment, rank, profit_per_contact, contact_customers).
    customers, transactions : DataFrame
        The region's customers and order lines, as given to the plan.
    asof : date-like
        The plan's forecast date.
    segment_by : list of str
        The plan's ``segment_by`` columns.
    months : int
        Revenue over this many months up to ``asof`` orders the customers of a group taken in part.

    Returns
    -------
    DataFrame
        plan + customers + transactions -> customer_id, segment, group_rank (the plan's rank), profit_per_contact,
        revenue_12m, last_order; groups in the plan's order, then revenue (largest first). As many rows as the plan's
        ``contact_customers`` add up to; empty when it contacts nobody.

    Raises
    ------
    DataError
        A column is missing, or the plan contacts more customers of a group than the group has (a plan made from other data).
    """
    require(plan, ["segment", "rank", "profit_per_contact", "contact_customers"], "campaign plan")
    require(transactions, [customer_col, "order_date", "revenue"], "transactions")
    asof = pd.Timestamp(asof)
    _, existing = target_segments(customers, transactions, asof, list(segment_by), customer_col=customer_col)
    tx = transactions.loc[transactions["order_date"] <= asof]
    recent = tx.loc[tx["order_date"] > asof - pd.DateOffset(months=months)]
    revenue = recent.groupby(customer_col, observed=True)["revenue"].sum()
    last = pd.to_datetime(tx.groupby(customer_col, observed=True)["order_date"].max())
    ids = existing[customer_col]
    members = pd.DataFrame(
        {
            "customer_id": ids.astype("str").to_numpy(),
            "segment": existing["segment"].to_numpy(),
            "revenue_12m": revenue.reindex(ids).fillna(0.0).to_numpy(dtype="float64"),
            "last_order": last.reindex(ids).to_numpy(),
        }
    )
    parts = []
    for row in plan.loc[plan["contact_customers"] > 0].itertuples(index=False):
        group = members.loc[members["segment"] == row.segment]
        n = int(row.contact_customers)
        if n > len(group):
            raise DataError(f"campaign plan: group {row.segment!r} contacts {n} customers but has {len(group)}")
        group = group.sort_values(["revenue_12m", "last_order", "customer_id"], ascending=[False, False, True], kind="stable").head(n)
        parts.append(group.assign(group_rank=row.rank, profit_per_contact=float(row.profit_per_contact)))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in TARGET_COLUMNS})
    return pd.concat(parts, ignore_index=True)[TARGET_COLUMNS]
