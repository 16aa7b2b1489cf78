"""Early warning: the watch list of customers whose buying is slipping (DOMAIN.md section 3.6).

:func:`early_warning` reads monthly revenue and order counts per customer up to the month of ``asof``. Three rules, each evaluated on customers with at
least ``min_trailing_orders`` orders in the ``trailing_months`` before the recent window (an established relationship):

- **decline**: the ``smooth_months``-month moving sum of ``measure`` ("revenue" or "orders") fell month on month in each of the
  last ``decline_months`` months (a run of consecutive declines; the moving sum keeps ordinary order lumpiness from firing it)
  and fell by at least ``decline_min_pct`` over the run (small drifts do not fire);
- **drop**: the mean of the last ``recent_months`` months is at least ``drop_pct`` below the mean of the ``trailing_months``
  before them;
- **lines**: the number of distinct ``line_col`` values (product lines) bought in the last ``line_window_months`` is at least
  ``min_lines_lost`` below the number in the ``line_window_months`` before that.

Ranking: number of rules fired (descending), then monthly revenue lost = trailing mean - recent mean (descending), then customer
id. When a fitted BG/NBD model from :mod:`custlib.analysis.clv` is passed, each customer's probability of being active (Fader,
Hardie & Lee 2005, eq. 18; blank where the model cannot tell) and of ordering in the next quarter are added from
:func:`custlib.analysis.clv.rfm_summary` at ``asof`` (:func:`purchase_outlook`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from custlib.analysis.clv import rfm_summary
from custlib.analysis.clv.summary import days_per_unit
from custlib.analysis.development.common import (
    attach_customer_info,
    month_start,
    positions,
    require,
)
from custlib.exceptions import InsufficientDataError, ParamsError
from custlib.io.facts import order_lines, order_mask

WATCH_COLUMNS = [
    "rank",
    "customer_id",
    "name",
    "size_band",
    "trailing_avg_revenue",
    "recent_avg_revenue",
    "lost_revenue_per_month",
    "lines_before",
    "lines_recent",
    "p_alive",
    "p_order",
]
"""Columns of :func:`early_warning` shown in the report."""


def purchase_outlook(transactions: pd.DataFrame, ids: pd.Series, bgnbd, asof, time_unit: str, customer_col: str) -> dict:
    """BG/NBD outlook at ``asof`` of the customers ``ids``: ``p_alive`` and ``p_order`` arrays.

    p_alive: probability active (:meth:`~custlib.analysis.clv.BetaGeoModel.probability_active`, Fader, Hardie
    & Lee 2008 note), NaN where the model cannot tell (a customer without repeat purchase, whom the BG/NBD
    always rates alive; a model without dropout). p_order: probability of at least one order in the next
    quarter (91.3 days; :meth:`~custlib.analysis.clv.BetaGeoModel.probability_of_purchase`), NaN for a
    model without that method. Only these customers' lines are summarised
    (:func:`~custlib.analysis.clv.rfm_summary` is per customer, so the answer is the same as from all lines).
    """
    s = _summaries(transactions, ids, asof, time_unit, customer_col)
    x, tx, big_t = (s[c].to_numpy() for c in ("frequency", "recency", "T"))
    active = getattr(bgnbd, "probability_active", bgnbd.probability_alive)
    p_order = np.full(len(x), np.nan)
    if hasattr(bgnbd, "probability_of_purchase"):
        p_order = np.asarray(bgnbd.probability_of_purchase(365.25 / 4 / days_per_unit(time_unit), x, tx, big_t), dtype="float64")
    return {"p_alive": np.asarray(active(x, tx, big_t), dtype="float64"), "p_order": p_order}


def _summaries(transactions: pd.DataFrame, ids: pd.Series, asof, time_unit: str, customer_col: str) -> pd.DataFrame:
    """:func:`~custlib.analysis.clv.rfm_summary` at ``asof`` of the customers ``ids``, one row each, in their order."""
    wanted = pd.Index(ids.astype("str").unique())
    orders = order_lines(transactions)  # a credit note is no purchase: never a BG/NBD transaction or the last one
    lines = orders.loc[positions(wanted, orders[customer_col].astype("str")) >= 0, [customer_col, "order_date", "revenue"]]
    summ = rfm_summary(
        lines, customer_col=customer_col, date_col="order_date", value_col="revenue", calibration_end=asof, time_unit=time_unit
    )
    summ = summ.set_index(customer_col)
    summ.index = summ.index.astype("str")
    return summ.reindex(ids.astype("str"))


def monthly_panel(transactions: pd.DataFrame, months: pd.DatetimeIndex, customer_col: str, line_col: str):
    """Wide arrays customers x months of revenue and orders, and the lines per customer-month.

    ``months`` is a run of consecutive month starts. Customers (sorted ids)
    are those with a line in these months; revenue is net of credit notes; orders
    and product lines count the lines of orders (never credit notes) with a positive
    quantity. Works on integer codes: month numbers,
    hashed ids (``pandas.factorize``) and ``numpy.bincount``.
    """
    m_all = transactions["order_date"].to_numpy().astype("datetime64[M]").astype("int64")
    m0 = int(months[0].to_datetime64().astype("datetime64[M]").astype("int64"))
    n_m = len(months)
    inside = (m_all >= m0) & (m_all < m0 + n_m) & transactions[customer_col].notna().to_numpy()
    mi = m_all[inside] - m0
    ci, custs = pd.factorize(transactions[customer_col].astype("str").array[inside], sort=True)
    custs = np.asarray(custs, dtype=object)
    n_c = len(custs)
    cell = ci * n_m + mi
    rev = np.bincount(cell, weights=transactions["revenue"].to_numpy(dtype="float64")[inside], minlength=n_c * n_m).reshape(n_c, n_m)
    pos = order_mask(transactions)[inside]  # orders and product lines: lines of orders (no credit notes), quantity > 0
    if "quantity" in transactions.columns:
        pos &= transactions["quantity"].to_numpy(dtype="float64")[inside] > 0
    cell_pos = cell[pos]
    o_code = pd.factorize(transactions["order_id"].array[inside][pos])[0]
    l_code = pd.factorize(transactions[line_col].astype("str").array[inside][pos])[0]
    n_o, n_l = int(o_code.max(initial=0)) + 1, int(l_code.max(initial=0)) + 1
    has_o = o_code >= 0
    order_cells = pd.unique(cell_pos[has_o] * n_o + o_code[has_o]) // n_o  # one entry per distinct (customer-month, order)
    orders = np.bincount(order_cells, minlength=n_c * n_m).reshape(n_c, n_m).astype("float64")
    known = l_code >= 0
    cml = pd.unique(cell_pos[known] * n_l + l_code[known])  # distinct (customer-month, line)
    lines = pd.DataFrame({"c": cml // n_l // n_m, "m": cml // n_l % n_m, "l": cml % n_l})
    return custs, rev, orders, lines


def early_warning(
    transactions: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    asof=None,
    measure: str = "revenue",
    decline_months: int = 3,
    decline_min_pct: float = 0.2,
    smooth_months: int = 3,
    drop_pct: float = 0.5,
    recent_months: int = 3,
    trailing_months: int = 12,
    line_window_months: int = 6,
    min_lines_lost: int = 2,
    min_trailing_orders: int = 6,
    bgnbd=None,
    time_unit: str = "W",
    customer_col: str = "customer_id",
    line_col: str = "category",
) -> pd.DataFrame:
    """Watch list of customers whose buying is slipping, with the rules that fired (DOMAIN.md section 3).

    The three rules and the ranking are in the module docstring. When a fitted BG/NBD model from :mod:`custlib.analysis.clv` is passed,
    each customer's probability of being alive (Fader, Hardie & Lee 2005, eq. 18) is added at ``asof``.

    Parameters
    ----------
    transactions : DataFrame
        Order lines: customer_id, order_id, order_date, revenue, ``line_col``.
    customers : DataFrame, optional
        Adds name, size_band and market_type (those present) after the id.
    asof : date-like, optional
        Last day observed; default the last order date. The month of ``asof`` is the last month of the recent window.
    measure : {"revenue", "orders"}
        Measure of the decline rule.
    decline_months, decline_min_pct, smooth_months, drop_pct, recent_months, trailing_months, line_window_months, min_lines_lost, min_trailing_orders
        Rule settings, see above (the ``development.early_warning`` params).
    bgnbd : fitted BG/NBD model, optional
        A model with ``probability_alive(frequency, recency, T)`` in ``time_unit`` ("W" or "D"), see :func:`purchase_outlook`.
    time_unit, customer_col, line_col : str

    Returns
    -------
    DataFrame
        order lines[, customers] -> one row per flagged customer: customer_id, [name, size_band, market_type,] rules (count),
        decline, drop, lines (bool flags), months_declining, decline_pct (fall of the moving sum over the run), recent_avg_revenue,
        trailing_avg_revenue, revenue_change_pct, lost_revenue_per_month, lines_before, lines_recent, p_alive and p_order
        (:func:`purchase_outlook`; NaN without ``bgnbd``), rank (the flags and numbers are the evidence; the report words them); sorted by rank.

    Raises
    ------
    ParamsError, DataError, InsufficientDataError
        Bad rule settings; a missing column; less history than the rules' windows (``short_history``) or no orders.
    """
    require(transactions, [customer_col, "order_id", "order_date", "revenue", line_col], "transactions")
    windows = (decline_months, smooth_months, recent_months, trailing_months, line_window_months, min_lines_lost)
    _check_settings(measure, drop_pct, decline_min_pct, *windows)
    asof = pd.Timestamp(asof) if asof is not None else pd.Timestamp(transactions["order_date"].max())
    tx, (custs, rev, orders, lines), T = _history(transactions, asof, windows, customer_col, line_col)
    established, recent_avg, trailing_avg, change = _levels(rev, orders, T, recent_months, trailing_months, min_trailing_orders)
    run, decline_pct = _declines(rev if measure == "revenue" else orders, smooth_months)
    decline = established & (run >= decline_months) & (decline_pct >= decline_min_pct)
    drop = established & (trailing_avg > 0) & (change <= -drop_pct)
    lines_before, lines_recent = _lines_bought(lines, len(custs), T, line_window_months)
    shrink = established & (lines_before - lines_recent >= min_lines_lost)
    out = pd.DataFrame(
        {
            customer_col: custs,
            "rules": decline.astype(int) + drop.astype(int) + shrink.astype(int),
            **{"decline": decline, "drop": drop, "lines": shrink, "months_declining": run, "decline_pct": decline_pct},
            **{"recent_avg_revenue": recent_avg, "trailing_avg_revenue": trailing_avg, "revenue_change_pct": change},
            **{"lost_revenue_per_month": trailing_avg - recent_avg, "lines_before": lines_before, "lines_recent": lines_recent},
            **{"p_alive": np.nan, "p_order": np.nan},
        }
    ).loc[decline | drop | shrink]
    if bgnbd is not None and len(out):
        out = out.assign(**purchase_outlook(tx, out[customer_col], bgnbd, asof, time_unit, customer_col))
    out = out.sort_values(customer_col, kind="stable").sort_values(["rules", "lost_revenue_per_month"], ascending=False, kind="stable")
    out = out.reset_index(drop=True).pipe(lambda o: o.assign(rank=np.arange(1, len(o) + 1))).astype({customer_col: "str"})
    return attach_customer_info(out, customers, customer_col)


def _check_settings(measure, drop_pct, decline_min_pct, *months) -> None:
    """ParamsError for a bad measure, a fraction out of range or a window (or lines lost) below 1."""
    if measure not in ("revenue", "orders"):
        raise ParamsError(f"measure: {measure!r}; expected 'revenue' or 'orders'")
    names = ("decline_months", "smooth_months", "recent_months", "trailing_months", "line_window_months", "min_lines_lost")
    for name, v in zip(names, months, strict=True):
        if int(v) < 1:
            raise ParamsError(f"{name}: expected at least 1, got {v}")
    if not 0 < drop_pct < 1:
        raise ParamsError(f"drop_pct: expected a fraction between 0 and 1, got {drop_pct}")
    if not 0 <= decline_min_pct < 1:
        raise ParamsError(f"decline_min_pct: expected a fraction in [0, 1), got {decline_min_pct}")


def _history(transactions, asof, windows: tuple, customer_col: str, line_col: str):
    """The lines up to ``asof``, the monthly panel of the months the rules need (ending with ``asof``'s month), and their count.

    ``windows``: decline, smooth, recent, trailing and line-window months (and lines lost, unused). Raises
    InsufficientDataError when there are no orders or the data start later than the first month needed.
    """
    decline, smooth, recent, trailing, line = windows[:5]
    need = max(recent + trailing, decline + smooth, 2 * line)
    tx = transactions.loc[transactions["order_date"] <= asof]
    if tx.empty:
        raise InsufficientDataError(f"transactions: no orders on or before {asof:%Y-%m-%d}", code="no_orders")
    months = pd.date_range(end=month_start(asof), periods=need, freq="MS")
    first_data = month_start(tx["order_date"].min())
    if months[0] < first_data:
        raise InsufficientDataError(
            f"transactions: the rules need {need} months of history up to {asof:%Y-%m}; the data starts {first_data:%Y-%m}",
            code="short_history",
            needed=int(need),
        )
    return tx, monthly_panel(tx, months, customer_col, line_col), len(months)


def _levels(rev, orders, T: int, recent: int, trailing: int, min_orders: int):
    """Per customer: established (``min_orders`` orders in the trailing window), recent and trailing mean revenue, and its change."""
    rec, trl = slice(T - recent, T), slice(T - recent - trailing, T - recent)
    recent_avg, trailing_avg = rev[:, rec].mean(axis=1), rev[:, trl].mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(trailing_avg > 0, recent_avg / trailing_avg - 1, np.nan)
    return orders[:, trl].sum(axis=1) >= min_orders, recent_avg, trailing_avg, change


def _declines(series: np.ndarray, smooth_months: int) -> tuple[np.ndarray, np.ndarray]:
    """Per customer: months in a row (back from the latest) that the moving sum fell, and its fall over that run.

    ``series`` is customers x months; the moving sums end at months ``smooth_months - 1`` .. the last.
    """
    csum = np.cumsum(np.pad(series, ((0, 0), (1, 0))), axis=1)
    moving = csum[:, smooth_months:] - csum[:, :-smooth_months]
    falls = moving[:, 1:] < moving[:, :-1]
    n = series.shape[0]
    run = np.zeros(n, dtype=int)
    alive = np.ones(n, dtype=bool)
    for j in range(falls.shape[1] - 1, -1, -1):  # consecutive falls counted back from the latest month
        alive &= falls[:, j]
        run += alive
    start = moving[np.arange(n), moving.shape[1] - 1 - run]  # moving sum before the run of falls
    with np.errstate(divide="ignore", invalid="ignore"):
        return run, np.where(start > 0, 1 - moving[:, -1] / start, 0.0)


def _lines_bought(lines: pd.DataFrame, n_customers: int, T: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct product lines per customer in the ``w`` months before the last ``w``, and in the last ``w``."""
    n_l = int(lines["l"].max()) + 1 if len(lines) else 1

    def distinct(in_window) -> np.ndarray:
        sel = lines.loc[in_window]
        customer_of_pair = pd.unique(sel["c"].to_numpy() * n_l + sel["l"].to_numpy()) // n_l
        return np.bincount(customer_of_pair, minlength=n_customers)

    return distinct((lines["m"] >= T - 2 * w) & (lines["m"] < T - w)), distinct(lines["m"] >= T - w)


def fit_windows(first_order, asof, settings: dict) -> dict:
    """Early-warning settings fitted to a short history (the settings unchanged when the history is long enough).

    The trailing window is cut to the months available before the recent window
    and the product-line windows to half the history, with the minimum number of
    trailing orders scaled in proportion.

    Raises
    ------
    InsufficientDataError
        ``short_history``: even then the trailing window would be shorter than the recent one.
    """
    s = dict(settings)
    recent = int(s.get("recent_months", 3))
    trailing = int(s.get("trailing_months", 12))
    line = int(s.get("line_window_months", 6))
    decline = int(s.get("decline_months", 3)) + int(s.get("smooth_months", 3))
    start, last = month_start(first_order), month_start(asof)
    have = (last.year - start.year) * 12 + last.month - start.month + 1
    if have >= max(recent + trailing, decline, 2 * line):
        return s
    new_trailing, new_line = min(trailing, have - recent), min(line, have // 2)
    if new_trailing < recent or have < decline or new_line < 1:
        need = max(2 * recent, decline)
        raise InsufficientDataError(
            f"transactions: {have} months of history ({start:%Y-%m} to {last:%Y-%m}); the watch list needs at least {need} months",
            code="short_history",
            needed=need,
        )
    if new_trailing < trailing:
        orders = int(s.get("min_trailing_orders", 6))
        s["trailing_months"] = new_trailing
        s["min_trailing_orders"] = max(1, math.ceil(orders * new_trailing / trailing))
    s["line_window_months"] = min(line, new_line)
    return s


def watch_list(transactions: pd.DataFrame, customers: pd.DataFrame | None = None, *, asof, **settings) -> pd.DataFrame:
    """:func:`early_warning` with its windows fitted to the history available (:func:`fit_windows`).

    order lines[, customers] -> the watch list; its ``attrs["windows"]`` holds the settings used.
    """
    require(transactions, ["order_date"], "transactions")
    if transactions.empty:
        raise InsufficientDataError(f"transactions: no orders on or before {pd.Timestamp(asof):%Y-%m-%d}", code="no_orders")
    rules = {k: v for k, v in settings.items() if k not in ("bgnbd", "time_unit", "customer_col", "line_col")}
    fitted = fit_windows(transactions["order_date"].min(), asof, rules)
    out = early_warning(transactions, customers, asof=asof, **{**settings, **fitted})
    out.attrs["windows"] = fitted
    return out
