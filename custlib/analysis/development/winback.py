"""Win-back candidates: lapsed customers who earned as much as a good current customer (DOMAIN.md section 3.7)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.analysis.development.common import (
    attach_customer_info,
    positions,
    require,
)
from custlib.analysis.development.early_warning import purchase_outlook
from custlib.analysis.development.kpis import quarter_frame
from custlib.exceptions import InsufficientDataError, ParamsError
from custlib.io.facts import order_lines, require_cost
from custlib.io.periods import Quarter


def winback_candidates(
    transactions: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    quarter,
    lapsed_quarters: int = 2,
    value_quarters: int = 4,
    value_quantile: float = 0.75,
    bgnbd=None,
    time_unit: str = "W",
    customer_col: str = "customer_id",
) -> pd.DataFrame:
    """Lapsed customers who were valuable: the win-back list (客户再生, DOMAIN.md section 3).

    *Lapsed*: no order in the last ``lapsed_quarters`` quarters up to and including ``quarter``, but orders before (a credit note
    is never an order, nor a last order). *Valuable*:
    gross profit in the ``value_quarters`` quarters ending with their last active quarter at least the ``value_quantile`` quantile
    of the same measure among customers active now (profit over the last ``value_quarters`` quarters ending with ``quarter``), so a
    candidate earned what a good current customer earns. Ranked by that past profit.

    Parameters
    ----------
    transactions : DataFrame
        Order lines: customer_id, order_id, order_date, revenue, cost.
    customers : DataFrame, optional
        Adds name, size_band and market_type (those present) after the id.
    quarter : Quarter or str
        Report quarter.
    lapsed_quarters, value_quarters : int
    value_quantile : float
    bgnbd : fitted BG/NBD model, optional
        Adds p_alive and p_order (see :func:`~custlib.analysis.development.early_warning.purchase_outlook`).
    time_unit : str
    customer_col : str

    Returns
    -------
    DataFrame
        order lines[, customers] -> customer_id, [name, size_band, market_type,] last_order_date, quarters_since_last_order,
        past_revenue, past_profit, orders, p_alive, p_order, rank; sorted by rank.

    Raises
    ------
    DataError
        A column is missing.
    ParamsError
        Bad settings.
    InsufficientDataError
        No orders up to ``quarter`` or no active customers to compare with.
    """
    require(transactions, [customer_col, "order_id", "order_date", "revenue", "cost"], "transactions")
    if lapsed_quarters < 1 or value_quarters < 1 or not 0 <= value_quantile <= 1:
        raise ParamsError(
            f"lapsed_quarters >= 1, value_quarters >= 1 and 0 <= value_quantile <= 1 expected, got {lapsed_quarters}, {value_quarters}, {value_quantile}"
        )
    q = Quarter.parse(quarter)
    tx = transactions.loc[transactions["order_date"] <= q.end]
    if tx.empty:
        raise InsufficientDataError(f"transactions: no orders up to {q}", code="no_orders")
    g = require_cost(quarter_frame(tx, customer_col, None), "profit", "the win-back list")
    now = pd.Period(str(q), freq="Q")
    last_q = g.loc[g["ordered"]].groupby("_c")["_q"].max()  # last quarter with an order (a return is none), by customer rank
    names = g.drop_duplicates("_c").set_index("_c")[customer_col]
    lapsed = last_q.index[last_q <= now - lapsed_quarters]
    active = last_q.index[last_q > now - lapsed_quarters]
    g = g.join(last_q.rename("_last"), on="_c", how="inner")  # customers who never ordered are nobody to win back
    in_value = (g["_q"] > g["_last"] - value_quarters) & (g["_q"] <= g["_last"])
    past = g.loc[in_value].groupby("_c")[["revenue", "profit"]].sum()
    cur = g.loc[(g["_q"] > now - value_quarters) & g["_c"].isin(active)].groupby("_c")["profit"].sum()
    if cur.empty:
        raise InsufficientDataError(
            f"transactions: no customers active in the {value_quarters} quarters up to {q}", code="no_active_customers"
        )
    threshold = float(np.quantile(cur.to_numpy(), value_quantile))
    cand = past.loc[past.index.isin(lapsed) & (past["profit"] >= threshold)]
    out = _candidate_rows(tx, cand, names.reindex(cand.index).astype("str"), last_q, now, customer_col)
    if bgnbd is not None and len(out):
        out = out.assign(**purchase_outlook(tx, out[customer_col], bgnbd, q.end, time_unit, customer_col))
    out = out.sort_values(customer_col, kind="stable").sort_values("past_profit", ascending=False, kind="stable").reset_index(drop=True)
    return attach_customer_info(out.assign(rank=np.arange(1, len(out) + 1)), customers, customer_col)


def _candidate_rows(tx, cand, cand_ids, last_q, now, customer_col) -> pd.DataFrame:
    """One row per candidate: last order date and order count (from the candidates' lines only), past value."""
    orders = order_lines(tx)  # the last order and the order count: credit notes are no orders
    mine = orders.loc[positions(cand_ids, orders[customer_col].astype("str")) >= 0, [customer_col, "order_id", "order_date"]]
    mine = mine.assign(**{customer_col: mine[customer_col].astype("str")})
    lastd = mine.groupby(customer_col)["order_date"].max()
    n_orders = mine.groupby(customer_col)["order_id"].nunique()
    since = (now - last_q.reindex(cand.index)).map(lambda d: d.n).to_numpy(dtype="int64") if len(cand) else np.array([], dtype="int64")
    return pd.DataFrame(
        {
            customer_col: cand_ids.to_numpy(),
            "last_order_date": lastd.reindex(cand_ids).dt.date.to_numpy(),
            "quarters_since_last_order": since,
            "past_revenue": cand["revenue"].to_numpy(),
            "past_profit": cand["profit"].to_numpy(),
            "orders": n_orders.reindex(cand_ids).to_numpy(dtype="int64"),
            "p_alive": np.nan,
            "p_order": np.nan,
        }
    )
