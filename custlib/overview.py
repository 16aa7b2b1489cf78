"""Region overview: headline figures, monthly trend, largest customers.

The computations behind ``00_overview_region``: plain sums over one
region's transactions (and its cost to serve, when the data has it), so
their known answers are hand arithmetic. :func:`overview_region` computes
every section for the notebook; a section that meets degenerate data (no
orders in the quarter, no orders at all) is recorded as unavailable with its
reason instead of failing the report.
"""

from __future__ import annotations

import pandas as pd

from .exceptions import DataError, InsufficientDataError
from .periods import Quarter
from .report import Sections


def _in_quarter(transactions: pd.DataFrame, quarter: Quarter, date_col: str) -> pd.DataFrame:
    d = transactions[date_col]
    return transactions[(d >= quarter.start) & (d < quarter.end + pd.Timedelta(days=1))]


def _span(quarter: Quarter) -> str:
    return f"{quarter} ({quarter.start:%Y-%m-%d} to {quarter.end:%Y-%m-%d})"


def _require(frame, columns, table: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{table}: expected a DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"{table}: column {missing[0]!r} is missing (found: {', '.join(map(str, frame.columns[:12]))})")


def quarter_kpis(
    transactions: pd.DataFrame,
    quarter: Quarter,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    order_col: str = "order_id",
    revenue_col: str = "revenue",
    cost_col: str = "cost",
    *,
    service_costs: pd.DataFrame | None = None,
    month_col: str = "month",
    cost_to_serve_col: str = "cost_to_serve",
) -> pd.DataFrame:
    """Headline figures for a quarter, the previous one and the same quarter a year before.

    ``gross_profit = revenue - cost`` (cost of goods); with ``service_costs``
    also ``cost_to_serve`` (the months of the quarter summed) and
    ``net_profit = gross_profit - cost_to_serve``, customer profitability
    after the cost of serving (Kaplan & Cooper 1998, *Cost & Effect*, ch. 10).
    A quarter without any service-cost row has an unknown (NaN) cost to serve.

    Parameters
    ----------
    transactions : DataFrame
        Order lines (customer, date, order id, revenue, cost).
    quarter : Quarter
    customer_col, date_col, order_col, revenue_col, cost_col : str
        Column names in ``transactions``.
    service_costs : DataFrame, optional
        Cost to serve per customer and month (``month`` the first day of the month).
    month_col, cost_to_serve_col : str
        Column names in ``service_costs``.

    Returns
    -------
    DataFrame
        Index: active_customers, orders, revenue, gross_profit, gross_margin,
        revenue_per_customer [, cost_to_serve, net_profit]; columns: this quarter, previous, change,
        year_ago, change_yoy (changes are fractions; NaN where the base is 0).
        Columns in: customer, date, order, revenue, cost (+ month, cost_to_serve) -> out: one row per figure.

    Raises
    ------
    InsufficientDataError
        The quarter has no orders (the message gives the last earlier order date).
    DataError
        A column is missing.
    """
    _require(transactions, [customer_col, date_col, order_col, revenue_col, cost_col], "transactions")
    if service_costs is not None:
        _require(service_costs, [month_col, cost_to_serve_col], "service_costs")

    def figures(q: Quarter) -> pd.Series:
        t = _in_quarter(transactions, q, date_col)
        revenue = float(t[revenue_col].sum())
        gp = float((t[revenue_col] - t[cost_col]).sum())
        n_cust = int(t[customer_col].nunique())
        out = {
            "active_customers": n_cust,
            "orders": int(t[order_col].nunique()),
            "revenue": revenue,
            "gross_profit": gp,
            "gross_margin": gp / revenue if revenue else float("nan"),
            "revenue_per_customer": revenue / n_cust if n_cust else float("nan"),
        }
        if service_costs is not None:
            sc = _in_quarter(service_costs, q, month_col)
            cts = float(sc[cost_to_serve_col].sum()) if len(sc) else float("nan")
            out["cost_to_serve"] = cts
            out["net_profit"] = gp - cts
        return pd.Series(out, dtype="float64")

    cur = figures(quarter)
    if cur["orders"] == 0:
        d = transactions[date_col]
        before = d[d < quarter.start]
        last = f"; its last order before it was on {before.max():%Y-%m-%d}" if len(before) else "; it has no earlier orders either"
        raise InsufficientDataError(f"the region has no orders in {_span(quarter)}{last}")
    prev = figures(quarter.previous)
    yago = figures(quarter.shift(-4))

    def change(a: pd.Series, b: pd.Series) -> pd.Series:
        return (a - b) / b.where(b != 0)

    out = pd.DataFrame({str(quarter): cur, str(quarter.previous): prev, str(quarter.shift(-4)): yago})
    out.insert(2, "change", change(cur, prev))
    out["change_yoy"] = change(cur, yago)
    out.index.name = "figure"
    return out


def monthly_trend(
    transactions: pd.DataFrame,
    end: pd.Timestamp,
    months: int = 24,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    order_col: str = "order_id",
    revenue_col: str = "revenue",
    cost_col: str = "cost",
) -> pd.DataFrame:
    """Revenue, gross profit, orders and active customers per month.

    The last ``months`` calendar months up to ``end``; months without orders
    appear with zeros.

    Parameters
    ----------
    transactions : DataFrame
        Order lines.
    end : date-like
        Last day of the window (e.g. the quarter's end).
    months : int
        Calendar months in the window, ending with ``end``'s month.
    customer_col, date_col, order_col, revenue_col, cost_col : str

    Returns
    -------
    DataFrame
        Columns in: customer, date, order, revenue, cost -> out: month,
        revenue, gross_profit, orders, active_customers.

    Raises
    ------
    InsufficientDataError
        No order in the whole window.
    """
    end = pd.Timestamp(end)
    first = (end.to_period("M") - (months - 1)).to_timestamp()
    t = transactions[(transactions[date_col] >= first) & (transactions[date_col] < end + pd.Timedelta(days=1))]
    if t.empty:
        raise InsufficientDataError(f"the region has no orders in the {months} months from {first:%Y-%m-%d} to {end:%Y-%m-%d}")
    month = t[date_col].dt.to_period("M").dt.to_timestamp()
    g = t.assign(month=month, gross_profit=t[revenue_col] - t[cost_col]).groupby("month")
    out = pd.DataFrame(
        {
            "revenue": g[revenue_col].sum(),
            "gross_profit": g["gross_profit"].sum(),
            "orders": g[order_col].nunique(),
            "active_customers": g[customer_col].nunique(),
        }
    )
    idx = pd.date_range(first, end.to_period("M").to_timestamp(), freq="MS", name="month")
    out = out.reindex(idx, fill_value=0)
    out[["orders", "active_customers"]] = out[["orders", "active_customers"]].astype("int64")
    return out.reset_index()


def top_customers(
    transactions: pd.DataFrame,
    customers: pd.DataFrame,
    quarter: Quarter,
    n: int = 10,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    revenue_col: str = "revenue",
    cost_col: str = "cost",
) -> pd.DataFrame:
    """The ``n`` customers with the most revenue in the quarter.

    Ties are broken by customer id.

    Parameters
    ----------
    transactions : DataFrame
        Order lines.
    customers : DataFrame
        The customers (customer_id, name, industry, market_type).
    quarter : Quarter
    n : int
        Rows returned (fewer when fewer customers bought).
    customer_col, date_col, revenue_col, cost_col : str

    Returns
    -------
    DataFrame
        Columns in: transactions (customer, date, revenue, cost), customers
        (customer_id, name, industry, market_type) -> out: customer_id, name,
        industry, market_type, revenue, gross_profit, gross_margin, share_of_revenue.

    Raises
    ------
    InsufficientDataError
        No customer ordered in the quarter.
    """
    t = _in_quarter(transactions, quarter, date_col)
    if t.empty:
        raise InsufficientDataError(f"no customer ordered in {_span(quarter)}")
    g = t.assign(gross_profit=t[revenue_col] - t[cost_col]).groupby(customer_col, as_index=False)[[revenue_col, "gross_profit"]].sum()
    total = g[revenue_col].sum()
    g = g.sort_values([revenue_col, customer_col], ascending=[False, True], kind="stable").head(n)
    g["gross_margin"] = g["gross_profit"] / g[revenue_col].where(g[revenue_col] != 0)
    g["share_of_revenue"] = g[revenue_col] / total if total else float("nan")
    info = customers[[customer_col, "name", "industry", "market_type"]]
    out = g.merge(info, on=customer_col, how="left")
    return out[
        [customer_col, "name", "industry", "market_type", revenue_col, "gross_profit", "gross_margin", "share_of_revenue"]
    ].reset_index(drop=True)


def plot_monthly_trend(trend: pd.DataFrame, ax=None, currency: str = "CNY"):
    """Bars of monthly revenue with a gross-profit line; returns the axes.

    Columns in: month, revenue, gross_profit -> chart.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    labels = trend["month"].dt.strftime("%Y-%m")
    ax.bar(labels, trend["revenue"], color="#1b5e8c", label="Revenue")
    ax.plot(labels, trend["gross_profit"], color="#e4572e", marker="o", label="Gross profit")
    ax.set_ylabel(currency)
    ax.set_title("Monthly revenue and gross profit")
    ax.tick_params(axis="x", rotation=90)
    ax.legend()
    return ax


# --------------------------------------------------------------------------- the report

_MONEY = ("revenue", "gross_profit")
_PCT = ("change", "change_yoy", "gross_margin", "share_of_revenue")


class OverviewReport(Sections):
    """The sections of the region overview for one quarter: kpis, trend, top_customers.

    Built by :func:`overview_region`; see :class:`custlib.report.Sections`.

    Attributes
    ----------
    quarter : str
    currency : str
        Prefix of money columns in :meth:`show`.
    """

    def __init__(self, quarter: str, currency: str = "") -> None:
        super().__init__()
        self.quarter = quarter
        self.currency = currency

    def show(self, name: str, caption: str | None = None, **kwargs) -> None:
        """Show ``name`` with its report formats (``kwargs`` override them), or say why it is missing."""
        fmt = {}
        result = self.tables.get(name)
        if name == "kpis":
            fmt = {"index": True, "pct": ("change", "change_yoy")}
        elif isinstance(result, pd.DataFrame):
            cols = list(result.columns)
            fmt = {
                "money": tuple(c for c in cols if c in _MONEY),
                "pct": tuple(c for c in cols if c in _PCT),
                "currency": self.currency,
            }
        super().show(name, caption, **{**fmt, **kwargs})


def overview_region(
    transactions: pd.DataFrame,
    customers: pd.DataFrame,
    quarter,
    *,
    service_costs: pd.DataFrame | None = None,
    months: int = 24,
    top_n: int = 15,
    currency: str = "",
) -> OverviewReport:
    """Compute every section of the region overview.

    Sections: ``kpis`` (:func:`quarter_kpis`, with cost to serve and net
    profit when ``service_costs`` is given), ``trend`` (:func:`monthly_trend`
    over ``months`` months to the quarter's end; draw with
    :func:`plot_monthly_trend`) and ``top_customers`` (:func:`top_customers`).
    Each is computed on its own with :meth:`~custlib.report.Sections.compute`:
    with no orders in the quarter, ``kpis`` and ``top_customers`` are
    unavailable with the reason while the trend still shows the history.
    Without service costs ``kpis`` carries a caveat.

    Parameters
    ----------
    transactions : DataFrame
        The region's order lines, whole history up to the quarter's end.
    customers : DataFrame
        The region's customers.
    quarter : str or Quarter
    service_costs : DataFrame, optional
        The region's cost to serve per customer and month, or None.
    months : int
        Months in the trend.
    top_n : int
        Rows in the largest-customers table.
    currency : str
        Shown with money amounts.

    Returns
    -------
    OverviewReport
        transactions, customers, service_costs -> kpis, trend, top_customers.

    Raises
    ------
    DataError
        A required column is missing (never hidden as "unavailable").
    """
    q = Quarter.parse(quarter)
    rep = OverviewReport(str(q), currency)
    rep.compute("kpis", quarter_kpis, transactions, q, service_costs=service_costs)
    if "kpis" in rep.tables:
        if service_costs is None:
            rep.caveats["kpis"] = "no service_costs table in the data: cost to serve and net profit are not shown"
        elif pd.isna(rep.tables["kpis"].loc["cost_to_serve", str(q)]):
            rep.caveats["kpis"] = f"no service-cost rows for {q}: its cost to serve and net profit are unknown"
    rep.compute("trend", monthly_trend, transactions, q.end, months=months)
    rep.compute("top_customers", top_customers, transactions, customers, q, n=top_n)
    return rep
