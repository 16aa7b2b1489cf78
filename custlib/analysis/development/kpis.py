"""Development KPIs: existing customers' sales and profit against new customers' (DOMAIN.md section 3.7)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.analysis.development.common import require
from custlib.analysis.facts import customer_quarters
from custlib.exceptions import InsufficientDataError, ParamsError
from custlib.io.periods import Coverage, Quarter

KPI_COLUMNS = [
    "quarter",
    "existing_revenue",
    "existing_revenue_qoq_pct",
    "existing_revenue_yoy_pct",
    "existing_share_revenue",
    "existing_profit",
    "existing_profit_yoy_pct",
    "new_customers",
    "new_revenue",
    "new_profit",
    "development_gain",
    "acquired_customers",
    "acquisition_gain",
    "yoy_growth_streak",
]
"""Columns of :func:`development_kpis` shown in the report."""


def quarter_frame(
    transactions: pd.DataFrame, customer_col: str, service_costs: pd.DataFrame | None, data_start: pd.Period | None = None
) -> pd.DataFrame:
    """Revenue and profit per customer and quarter, with the customer's first quarter: the facts' grid.

    :func:`custlib.analysis.facts.customer_quarters` (the one definition of revenue, profit, orders and
    first orders every report shares), in the columns the development measures use; rows sorted by
    customer id and quarter: customer_col, _q (Period), revenue, profit, ordered (the customer placed an
    order that quarter), _first (Period of the first order; NaT without one), _c (the customer's rank
    among the sorted ids). ``data_start`` is the data's first quarter (default: the first quarter of
    ``transactions``): a customer already buying in it may have bought before the data starts, so its
    ``_first`` is the quarter before it (an existing customer of unknown age, never a new one).
    Profit is gross profit less the cost to serve (none in a quarter without service-cost rows); a
    customer served without ordering has a row with no revenue and a loss. Profit is NaN where the cost
    of goods is missing.
    """
    tx = transactions if customer_col == "customer_id" else transactions.rename(columns={customer_col: "customer_id"})
    sc = (
        service_costs
        if service_costs is None or customer_col == "customer_id"
        else service_costs.rename(columns={customer_col: "customer_id"})
    )
    g = customer_quarters(tx, sc, components=(), data_start=data_start)
    return pd.DataFrame(
        {
            customer_col: g["customer_id"],
            "_q": g["quarter"],
            "revenue": g["revenue"],
            "profit": g["gross_profit"] - g["cost_to_serve"].fillna(0.0),
            "ordered": g["is_buyer"],
            "_first": g["first_order"],
            "_c": pd.factorize(g["customer_id"], sort=True)[0],
        }
    )


def development_kpis(
    transactions: pd.DataFrame,
    service_costs: pd.DataFrame | None = None,
    *,
    quarter,
    n_quarters: int = 8,
    trend_quarters: int = 4,
    customer_col: str = "customer_id",
    coverage: Coverage | None = None,
) -> pd.DataFrame:
    """Development measures per quarter: existing customers against new ones (DOMAIN.md section 3).

    A customer is *existing* in a quarter when their first order was in an earlier quarter and *new* when it was in that quarter
    (a credit note is never an order: customers are counted in the quarters they ordered; their revenue and profit are net of
    every credit note, and profit is NaN when the cost of goods is missing).
    Customers already buying in the data's first quarter count as existing there (their earlier history is not in the data): a new
    customer is one whose first order in the data falls after that quarter, and the first quarter's new customers are unknown
    (NaN), not zero. The data's first quarter is ``coverage.first_quarter`` when ``coverage`` is given (the whole data's, not this
    region's), else the first quarter of ``transactions``. Quarters before the data are not shown; a change against a quarter that
    is not complete in the data (or of one) is NaN, and so is a trend over a window holding one. Per quarter: revenue and profit (gross profit, minus cost to serve when
    ``service_costs`` is given) of existing and of new customers; the change of existing customers' revenue and profit against the
    previous quarter and the same quarter a year earlier (absolute and relative; NaN when that quarter lies before the data);
    existing customers' share of the total; development against acquisition, like for like over the same year
    (:func:`development_and_acquisition`): ``development_gain``, the change in profit since the quarter a year earlier of the
    customers who had ordered by then, ``acquisition_gain``, the same change for every other customer (those won since, whose
    profit a year earlier was at most a cost to serve), ``acquired_customers`` (won in the four quarters up to this one) and
    ``development_minus_acquisition``; the two gains add up to the change of the region's profit; and the trend: OLS slope
    of existing revenue over the last ``trend_quarters`` quarters (per quarter, and relative to their mean) with the number of
    consecutive quarters of year-on-year growth. These are the literature's development measures as listed in DOMAIN.md section 3
    (change, trend, share, comparison with acquisition).

    Parameters
    ----------
    transactions : DataFrame
        Order lines: customer_id, order_date, revenue, cost (whole history).
    service_costs : DataFrame, optional
        customer_id, month, cost_to_serve.
    quarter : Quarter or str
        Last quarter reported.
    n_quarters : int
        Quarters shown (ending with ``quarter``).
    trend_quarters : int
        Window of the trend slope (>= 2).
    customer_col : str
    coverage : Coverage, optional
        The days the whole data covers (:attr:`custlib.io.data.RegionData.coverage`).

    Returns
    -------
    DataFrame
        order lines -> one row per quarter (str "2026Q3") from the data's first quarter: quarter, coverage ("complete" or
        "partial", see :meth:`custlib.io.periods.Coverage.status`), existing_customers, new_customers, existing_revenue,
        new_revenue, total_revenue, existing_profit, new_profit, total_profit, existing_revenue_qoq, existing_revenue_qoq_pct,
        existing_revenue_yoy, existing_revenue_yoy_pct, existing_profit_qoq, existing_profit_qoq_pct, existing_profit_yoy,
        existing_profit_yoy_pct, existing_share_revenue, existing_share_profit, development_gain, acquisition_gain,
        acquired_customers, development_minus_acquisition, trend_slope_revenue, trend_slope_pct, yoy_growth_streak.

    Raises
    ------
    DataError
        A column is missing.
    InsufficientDataError
        No orders up to ``quarter``.
    ParamsError
        Bad ``n_quarters`` / ``trend_quarters``.
    """
    require(transactions, [customer_col, "order_date", "revenue", "cost"], "transactions")
    if n_quarters < 1 or trend_quarters < 2:
        raise ParamsError(f"n_quarters >= 1 and trend_quarters >= 2 expected, got {n_quarters}, {trend_quarters}")
    q = Quarter.parse(quarter)
    tx = transactions.loc[transactions["order_date"] <= q.end]
    if tx.empty:
        raise InsufficientDataError(f"transactions: no orders up to {q}", code="no_orders")
    sc = None if service_costs is None else service_costs.loc[service_costs["month"] <= q.end]
    out = _kpi_rows(tx, sc, q, n_quarters, trend_quarters, customer_col, coverage)
    return out.set_axis(out.index.astype("str")).rename_axis("quarter").reset_index()


def _kpi_rows(tx, sc, q: Quarter, n_quarters: int, trend_quarters: int, customer_col: str, coverage: Coverage | None) -> pd.DataFrame:
    """:func:`development_kpis`'s rows, indexed by quarter (Period), from the data's first quarter to ``q``."""
    data_start = pd.Period(str(coverage.first_quarter), freq="Q") if coverage is not None else tx["order_date"].min().to_period("Q")
    g = quarter_frame(tx, customer_col, sc, data_start)
    # new in the quarter of the first order; a quarter of returns only before it (or without any order in the data) is an
    # existing customer's, whose purchases predate the data
    g = g.assign(kind=np.where(g["_first"] == g["_q"], "new", "existing"))
    last = pd.Period(str(q), freq="Q")
    periods = pd.period_range(min(g["_q"].min(), last - (n_quarters + 4 + trend_quarters)), last, freq="Q")
    status = pd.Series([coverage.status(str(p)) if coverage is not None else "complete" for p in periods], index=periods)
    complete = status == "complete"
    out = _by_kind(g, periods)
    out.loc[out.index == data_start, ["new_customers", "new_revenue", "new_profit"]] = np.nan  # who is new there: unknown
    out = _with_changes(out, data_start, complete)
    out = out.join(development_and_acquisition(g, periods, data_start, complete=complete))
    out = _with_trend(out, trend_quarters, complete)
    out.insert(0, "coverage", status)
    return out.loc[out.index >= data_start].iloc[-n_quarters:]


def _by_kind(g: pd.DataFrame, periods: pd.PeriodIndex) -> pd.DataFrame:
    """Per quarter: customers who ordered, revenue and profit of existing and new customers, and the totals.

    Profit stays NaN throughout when the cost of goods is missing (never 0).
    """
    piv = g.pivot_table(index="_q", columns="kind", values=["revenue", "profit"], aggfunc="sum", fill_value=0.0).reindex(
        periods, fill_value=0.0
    )
    missing_cost = bool(g["profit"].isna().any())
    if missing_cost:
        piv.loc[:, [c for c in piv.columns if c[0] == "profit"]] = np.nan
    cnt = g.loc[g["ordered"]].groupby(["_q", "kind"]).size().unstack(fill_value=0).reindex(periods, fill_value=0)
    out = pd.DataFrame(index=periods)
    for kind in ("existing", "new"):
        out[f"{kind}_customers"] = cnt[kind].astype("int64") if kind in cnt.columns else 0
    for m in ("revenue", "profit"):
        for kind in ("existing", "new"):
            none = np.nan if m == "profit" and missing_cost else 0.0
            out[f"{kind}_{m}"] = piv[(m, kind)].astype("float64") if (m, kind) in piv.columns else none
        out[f"total_{m}"] = out[f"existing_{m}"] + out[f"new_{m}"]
    return out


def _with_changes(out: pd.DataFrame, data_start: pd.Period, complete: pd.Series | None = None) -> pd.DataFrame:
    """Changes of existing customers' revenue and profit on the previous quarter and a year earlier, and their share.

    No comparison with quarters before ``data_start`` (the data's first quarter), nor of or with a quarter
    that ``complete`` (bool per quarter, default all) says the data does not cover whole.
    """
    out = out.copy()
    complete = pd.Series(True, index=out.index) if complete is None else complete.reindex(out.index, fill_value=False)
    for m in ("revenue", "profit"):
        e = out[f"existing_{m}"]
        for tag, lag in (("qoq", 1), ("yoy", 4)):
            ok = (out.index - lag >= data_start) & complete.to_numpy() & complete.shift(lag, fill_value=False).to_numpy()
            prev = e.shift(lag).where(ok)
            out[f"existing_{m}_{tag}"] = e - prev
            out[f"existing_{m}_{tag}_pct"] = (e - prev) / prev.abs().where(prev != 0)
        out[f"existing_share_{m}"] = e / out[f"total_{m}"].where(out[f"total_{m}"] != 0)
    return out


def development_and_acquisition(
    g: pd.DataFrame, periods: pd.PeriodIndex, data_start: pd.Period, lag: int = 4, complete: pd.Series | None = None
) -> pd.DataFrame:
    """Development against acquisition over the same ``lag`` quarters (a year), like for like (DOMAIN.md section 3).

    For quarter ``Q`` and its base ``B = Q - lag``, every customer's change in profit from ``B`` to ``Q`` goes to
    one side: **development** (``development_gain``) for the customers whose first order was in or before ``B``
    (the customers of a year earlier, including those who have since stopped: development lost them), and
    **acquisition** (``acquisition_gain``) for all others (customers won after ``B``, whose profit in ``B`` was
    nothing, or a cost to serve before their first order). Both are changes over the same year, and they add up
    to the change of the region's profit from ``B`` to ``Q``. ``acquired_customers`` counts the customers whose
    first order came after ``B`` (the new customers of the ``lag`` quarters up to ``Q``);
    ``development_minus_acquisition`` is the difference of the two gains. NaN when ``B`` lies before the data's
    first quarter, either quarter is not complete in the data (``complete``, bool per quarter, default all) or the
    cost of goods is missing.

    g (:func:`quarter_frame`) -> index ``periods``: development_gain, acquisition_gain, acquired_customers,
    development_minus_acquisition.
    """
    qo = pd.PeriodIndex(g["_q"]).asi8
    first = pd.PeriodIndex(g["_first"])
    fo = np.where(first.isna(), np.iinfo("int64").max, first.asi8)
    now = pd.DataFrame({"_c": g["_c"].to_numpy(), "_o": qo, "now": g["profit"].to_numpy(dtype="float64")})
    then = pd.DataFrame({"_c": g["_c"].to_numpy(), "_o": qo + lag, "then": g["profit"].to_numpy(dtype="float64")})
    pair = now.merge(then, on=["_c", "_o"], how="outer")
    first_of = pd.Series(fo, index=g["_c"].to_numpy()).groupby(level=0).first()
    pair["year_ago"] = first_of.reindex(pair["_c"]).to_numpy() <= pair["_o"].to_numpy() - lag
    pair["gain"] = pair["now"].fillna(0.0) - pair["then"].fillna(0.0)
    gains = pair.groupby(["_o", "year_ago"])["gain"].sum().unstack(fill_value=0.0)
    ords = periods.asi8
    out = pd.DataFrame(index=periods)
    out["development_gain"] = gains[True].reindex(ords).fillna(0.0).to_numpy() if True in gains.columns else 0.0
    out["acquisition_gain"] = gains[False].reindex(ords).fillna(0.0).to_numpy() if False in gains.columns else 0.0
    won = pd.Series(1, index=pd.Index(first_of.to_numpy())).groupby(level=0).sum()
    out["acquired_customers"] = [float(won[(won.index > o - lag) & (won.index <= o)].sum()) for o in ords]
    whole = pd.Series(True, index=periods) if complete is None else complete.reindex(periods, fill_value=False)
    both_whole = (whole & whole.shift(lag, fill_value=False)).to_numpy()  # as :func:`_with_changes`
    comparable = (periods - lag >= data_start) & both_whole & (not bool(g["profit"].isna().any()))
    out.loc[~comparable, ["development_gain", "acquisition_gain", "acquired_customers"]] = np.nan
    out["development_minus_acquisition"] = out["development_gain"] - out["acquisition_gain"]
    return out


def _with_trend(out: pd.DataFrame, trend_quarters: int, complete: pd.Series | None = None) -> pd.DataFrame:
    """The least-squares slope of existing revenue over ``trend_quarters`` and the run of year-on-year growth.

    A window holding a quarter that ``complete`` (default all) says the data does not cover whole has no slope.
    """
    out = out.copy()
    x = np.arange(trend_quarters, dtype="float64")
    xc = x - x.mean()
    e = out["existing_revenue"] if complete is None else out["existing_revenue"].where(complete.reindex(out.index, fill_value=False))
    slope = e.rolling(trend_quarters).apply(lambda v: float(np.dot(xc, v - v.mean()) / np.dot(xc, xc)), raw=True)
    out["trend_slope_revenue"] = slope
    out["trend_slope_pct"] = slope / e.rolling(trend_quarters).mean().where(lambda s: s != 0)
    grow = (out["existing_revenue_yoy"] > 0).astype(int).to_numpy()
    streak = np.zeros(len(grow), dtype="int64")
    for i in range(len(grow)):  # quarters, not orders
        streak[i] = (streak[i - 1] + 1 if i else 1) if grow[i] else 0
    out["yoy_growth_streak"] = streak
    return out
