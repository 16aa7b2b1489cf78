"""Concentration quarter by quarter, and against the other regions: 80/20 is a snapshot, not a target."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.analysis.pareto.concentration import gini, share_of_customers_for, top_share
from custlib.analysis.pareto.inputs import date_column, fraction_param, pct_label, require_columns
from custlib.exceptions import InsufficientDataError
from custlib.io.facts import order_mask

#: Measures of :func:`concentration_by_quarter` that are shares (shown as percentages).
SHARE_MEASURES = ("top20_share_revenue",)


def concentration_by_quarter(
    transactions: pd.DataFrame,
    *,
    share: float = 0.8,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    revenue_col: str = "revenue",
    cost_col: str = "cost",
    through=None,
) -> pd.DataFrame:
    """Revenue concentration per calendar quarter over the whole history.

    Per quarter, over the customers who ordered in it (revenue net of credit notes): the same
    figures as ``custlib.io.data.peer_quarterly`` (customers, revenue,
    gross_profit, gini_revenue, top20_share_revenue; same definitions, see
    :func:`gini` and :func:`top_share`) plus the fraction of customers making
    ``share`` of revenue and the Gini of gross profit. Quarters without
    orders between the first and the last are kept with 0 customers; a
    quarter with fewer than two customers or a non-positive total has NaN
    figures.

    Parameters
    ----------
    transactions : DataFrame
        Order lines of one region.
    share : float
        For the ``customers_for_<p>pct_revenue`` column.
    customer_col, date_col, revenue_col, cost_col : str
    through : date-like, optional
        Extend the quarters to the one containing this date (e.g. the report
        quarter's end), so that a report quarter without orders shows as a
        quarter with 0 customers instead of being left out.

    Returns
    -------
    DataFrame
        One row per quarter, oldest first. transactions -> quarter, customers,
        revenue, gross_profit, gini_revenue, top20_share_revenue,
        customers_for_<p>pct_revenue, gini_gross_profit.

    Raises
    ------
    DataError
        A column is missing.
    InsufficientDataError
        No order lines at all.
    """
    require_columns(transactions, [customer_col, date_col, revenue_col, cost_col], "transactions")
    share = fraction_param(share, "share")
    if transactions.empty:
        raise InsufficientDataError("transactions: no order lines; concentration over time needs orders", code="no_orders")
    q = date_column(transactions, date_col, "transactions").dt.to_period("Q")
    lines = pd.DataFrame(
        {
            "q": q.to_numpy(),
            "customer": transactions[customer_col].astype("str").to_numpy(),
            "revenue": transactions[revenue_col].astype("float64").to_numpy(),
            "gross_profit": (transactions[revenue_col] - transactions[cost_col]).astype("float64").to_numpy(),
            "ordered": order_mask(transactions),
        }
    )
    g = lines.groupby(["q", "customer"], sort=True)
    per = pd.DataFrame({"revenue": g["revenue"].sum(), "gross_profit": g["gross_profit"].sum(skipna=False), "ordered": g["ordered"].any()})
    share_col = f"customers_for_{pct_label(share)}_revenue"

    last = lines["q"].max()
    if through is not None:
        last = max(last, pd.Timestamp(through).to_period("Q"))
    rows = []
    for period in pd.period_range(lines["q"].min(), last, freq="Q"):
        block = per.xs(period, level="q") if period in per.index.get_level_values("q") else per.iloc[0:0]
        rows.append(_quarter_row(str(period), block, share, share_col))
    out = pd.DataFrame(rows)
    out["quarter"] = out["quarter"].astype("str")
    out["customers"] = out["customers"].astype("int64")
    return out


def _safe(fn, v):
    """``fn(v)``, or NaN when the quarter is too thin to measure."""
    try:
        return fn(v)
    except InsufficientDataError:
        return np.nan


def _quarter_row(quarter: str, block: pd.DataFrame, share: float, share_col: str) -> dict:
    """The figures of one quarter of :func:`concentration_by_quarter` from its per-customer revenue and gross profit.

    Totals are net of every credit note; the customers and the concentration are over those who
    ordered (a customer who only returned goods placed no order). Gross profit is NaN when the
    cost of goods is unknown.
    """
    buyers = block.loc[block["ordered"]] if "ordered" in block.columns else block
    rev = buyers["revenue"].to_numpy()
    gp = buyers["gross_profit"].to_numpy()
    gp_total = block["gross_profit"].to_numpy()
    return {
        "quarter": quarter,
        "customers": len(buyers),
        "revenue": float(block["revenue"].sum()),
        "gross_profit": float(gp_total.sum()) if not np.isnan(gp_total).any() else np.nan,
        "gini_revenue": _safe(gini, rev),
        "top20_share_revenue": _safe(lambda v: top_share(v, 0.2), rev),
        share_col: _safe(lambda v: share_of_customers_for(v, share), rev),
        "gini_gross_profit": _safe(gini, gp) if not np.isnan(gp).any() else np.nan,
    }


def concentration_vs_peers(
    own: pd.DataFrame,
    peer_quarterly: pd.DataFrame | None,
    region: str,
    *,
    measure: str = "gini_revenue",
) -> pd.DataFrame:
    """This region's concentration per quarter beside the other regions'.

    Parameters
    ----------
    own : DataFrame
        :func:`concentration_by_quarter` of the region.
    peer_quarterly : DataFrame or None
        Per (region, quarter) aggregates of all regions (``ctx.data.peer_quarterly``);
        the region's own rows are left out (matched case-insensitively).
    region : str
        This region's name.
    measure : str
        A column present in both, e.g. ``gini_revenue`` or ``top20_share_revenue``.

    Returns
    -------
    DataFrame
        One row per quarter of ``own``. own (quarter, measure) + peers (region,
        quarter, measure) -> quarter, this_region, peer_median, peer_min,
        peer_max, rank (1 = most concentrated of all regions), regions.
        ``attrs["measure"]`` names the measure.

    Raises
    ------
    DataError
        A column is missing.
    """
    require_columns(own, ["quarter", measure], "own")
    out = pd.DataFrame({"quarter": own["quarter"].astype("str").to_numpy(), "this_region": own[measure].astype("float64").to_numpy()})
    if peer_quarterly is None or len(peer_quarterly) == 0:
        peers = pd.DataFrame({"quarter": pd.Series([], dtype="str"), "value": pd.Series([], dtype="float64")})
    else:
        require_columns(peer_quarterly, ["region", "quarter", measure], "peer_quarterly")
        others = peer_quarterly["region"].astype("str").str.casefold() != str(region).casefold()
        peers = pd.DataFrame(
            {
                "quarter": peer_quarterly.loc[others, "quarter"].astype("str").to_numpy(),
                "value": peer_quarterly.loc[others, measure].astype("float64").to_numpy(),
            }
        ).dropna()
    stats = peers.groupby("quarter")["value"].agg(["median", "min", "max", "count"])
    stats.columns = ["peer_median", "peer_min", "peer_max", "peers"]
    out = out.join(stats, on="quarter")
    out["peers"] = out["peers"].fillna(0).astype("int64")
    merged = out[["quarter", "this_region"]].merge(peers, on="quarter", how="left")
    higher = (merged["value"] > merged["this_region"]).groupby(merged["quarter"], sort=False).sum()
    out["rank"] = (1 + out["quarter"].map(higher).fillna(0)).astype("int64").where(out["this_region"].notna())
    out["rank"] = out["rank"].astype("Int64")
    out["regions"] = out["peers"] + out["this_region"].notna().astype("int64")
    out = out.drop(columns="peers")
    out.attrs["measure"] = measure
    return out


def concentration_trend(
    by_quarter: pd.DataFrame, peer_quarterly: pd.DataFrame | None, region: str, *, measure: str = "gini_revenue"
) -> pd.DataFrame:
    """:func:`concentration_vs_peers`, refusing a history where no quarter had two customers.

    Raises
    ------
    InsufficientDataError
        ``code="never_two_customers"``: no quarter with two or more customers with orders.
    """
    out = concentration_vs_peers(by_quarter, peer_quarterly, region, measure=measure)
    if out["this_region"].isna().all():
        raise InsufficientDataError(
            "the region never had two or more customers with orders in one quarter; concentration over time needs at least two",
            code="never_two_customers",
        )
    return out
