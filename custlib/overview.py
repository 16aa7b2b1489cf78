"""Region overview: headline figures, monthly trend, largest customers.

The computations behind ``00_overview_region``: plain sums over one
region's transactions, so their known answers are hand arithmetic.
"""

from __future__ import annotations

import pandas as pd

from .exceptions import InsufficientDataError
from .periods import Quarter


def _in_quarter(transactions: pd.DataFrame, quarter: Quarter, date_col: str) -> pd.DataFrame:
    d = transactions[date_col]
    return transactions[(d >= quarter.start) & (d <= quarter.end)]


def quarter_kpis(
    transactions: pd.DataFrame,
    quarter: Quarter,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    order_col: str = "order_id",
    revenue_col: str = "revenue",
    cost_col: str = "cost",
) -> pd.DataFrame:
    """Headline figures for a quarter, the previous one and the same quarter a year before.

    Parameters
    ----------
    transactions : DataFrame
        Order lines (customer, date, order id, revenue, cost).
    quarter : Quarter

    Returns
    -------
    DataFrame
        Index: active_customers, orders, revenue, gross_profit, gross_margin,
        revenue_per_customer; columns: this quarter, previous, change,
        year_ago, change_yoy (changes are fractions; NaN where the base is 0).
        Columns in: customer, date, order, revenue, cost -> out: one row per figure.

    Raises
    ------
    InsufficientDataError
        The quarter has no orders.
    """

    def figures(q: Quarter) -> pd.Series:
        t = _in_quarter(transactions, q, date_col)
        revenue = float(t[revenue_col].sum())
        gp = float((t[revenue_col] - t[cost_col]).sum())
        n_cust = int(t[customer_col].nunique())
        return pd.Series(
            {
                "active_customers": n_cust,
                "orders": int(t[order_col].nunique()),
                "revenue": revenue,
                "gross_profit": gp,
                "gross_margin": gp / revenue if revenue else float("nan"),
                "revenue_per_customer": revenue / n_cust if n_cust else float("nan"),
            }
        )

    cur = figures(quarter)
    if cur["orders"] == 0:
        raise InsufficientDataError(
            f"quarter {quarter}: the region has no orders in this quarter ({quarter.start:%Y-%m-%d} to {quarter.end:%Y-%m-%d})"
        )
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
    appear with zeros. Columns in: customer, date, order, revenue, cost ->
    out: month, revenue, gross_profit, orders, active_customers.
    """
    end = pd.Timestamp(end)
    first = (end.to_period("M") - (months - 1)).to_timestamp()
    t = transactions[(transactions[date_col] >= first) & (transactions[date_col] <= end)]
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

    Ties are broken by customer id. Columns in: transactions (customer, date,
    revenue, cost), customers (customer_id, name, industry, market_type) ->
    out: customer_id, name, industry, market_type, revenue, gross_profit,
    gross_margin, share_of_revenue.
    """
    t = _in_quarter(transactions, quarter, date_col)
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
    """Bars of monthly revenue with a gross-profit line; returns the axes."""
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
