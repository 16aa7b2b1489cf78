"""Per-customer profitability after cost to serve, for a period or a report quarter."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.analysis.facts import RegionFacts
from custlib.analysis.pareto.inputs import date_column, period_bounds, require_columns
from custlib.exceptions import InsufficientDataError
from custlib.io.contract import SERVICE_COMPONENTS
from custlib.io.facts import credit_note_mask, require_cost
from custlib.io.periods import Quarter


def customer_profitability(
    transactions: pd.DataFrame,
    service_costs: pd.DataFrame | None,
    start,
    end,
    *,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    revenue_col: str = "revenue",
    cost_col: str = "cost",
    month_col: str = "month",
    cost_to_serve_col: str = "cost_to_serve",
    components: tuple[str, ...] = SERVICE_COMPONENTS,
) -> pd.DataFrame:
    """Revenue, gross profit, cost to serve and net profit per customer for a period.

    ``gross_profit = revenue - cost`` and ``net_profit = gross_profit - cost_to_serve``:
    activity-based customer profitability (Kaplan & Cooper 1998, *Cost & Effect*,
    ch. 10; Kaplan & Narayanan 2001, *Journal of Cost Management* 15(5):5-15).
    ``cost_to_serve`` is the service-cost table's total; its components are shown
    beside it, not subtracted a second time.

    Customers are those with an order line or a service-cost row in the period: a customer served
    without buying has zero revenue and a loss; one with orders but no service-cost row a cost to
    serve of 0. Revenue and cost are net of credit notes; ``returns_only`` marks a customer whose only
    lines are credit notes (returned goods, never "sold below cost"). A missing cost of goods
    (:mod:`custlib.io.facts`) leaves cost and profit NaN (``attrs["cost_known"]`` False), never zero.

    When ``service_costs`` is None, or has no row in the period, the cost to
    serve is unknown: ``cost_to_serve`` is NaN, ``net_profit`` equals
    ``gross_profit`` and ``frame.attrs["net_profit_includes_cost_to_serve"]``
    is False (True otherwise).

    Parameters
    ----------
    transactions : DataFrame
        Order lines.
    service_costs : DataFrame or None
        Cost to serve per customer and month (``month`` = first day of the month).
    start, end : date-like
        First and last day of the period, both inclusive. A service-cost month
        counts when its first day lies between the first day of ``start``'s
        month and ``end``.
    customer_col, date_col, revenue_col, cost_col, month_col, cost_to_serve_col : str
        Column names in the inputs.
    components : tuple of str
        Optional cost-to-serve component columns; those present with any value are kept.

    Returns
    -------
    DataFrame
        Indexed by customer id (sorted). transactions (customer_id, order_date, revenue,
        cost[, is_credit_note]) + service_costs (customer_id, month, cost_to_serve, components) -> revenue, cost,
        gross_profit, [components], cost_to_serve, net_profit (floats), returns_only, is_buyer (bool: ordered in the period).

    Raises
    ------
    DataError
        A required column is missing or dates do not parse.
    ParamsError
        ``end`` before ``start``.
    InsufficientDataError
        No order line in the period (``code="no_orders_in_period"``).
    """
    require_columns(transactions, [customer_col, date_col, revenue_col, cost_col], "transactions")
    lo, hi = period_bounds(start, end)
    d = date_column(transactions, date_col, "transactions")
    inside = ((d >= lo) & (d < hi)).to_numpy()
    rows = transactions.loc[inside, [customer_col, revenue_col, cost_col]]
    if rows.empty:
        last_day = hi - pd.Timedelta(days=1)
        raise InsufficientDataError(
            f"transactions: no order lines between {lo:%Y-%m-%d} and {last_day:%Y-%m-%d}",
            code="no_orders_in_period",
            start=lo.date(),
            end=last_day.date(),
        )
    sales = _sales(rows, credit_note_mask(transactions)[inside], customer_col, revenue_col, cost_col)
    serve = _service_totals(service_costs, lo, hi, customer_col, month_col, cost_to_serve_col, components)
    return _profit_table(sales, serve, customer_col)


def _sales(rows: pd.DataFrame, credit: np.ndarray, customer_col: str, revenue_col: str, cost_col: str) -> pd.DataFrame:
    """Revenue and cost (missing when any line's is) per customer, and whether all their lines are credit notes."""
    g = rows.groupby(customer_col, sort=True)
    sales = pd.DataFrame({"revenue": g[revenue_col].sum(), "cost": g[cost_col].sum(skipna=False)}).astype("float64")
    sales["returns_only"] = pd.Series(credit, index=rows.index).groupby(rows[customer_col], sort=True).all().astype("bool")
    sales["is_buyer"] = ~sales["returns_only"]  # a customer with an order line in the period
    return sales


def _service_totals(service_costs, lo, hi, customer_col, month_col, cost_to_serve_col, components) -> pd.DataFrame | None:
    """Cost to serve (and its present components) per customer for the months from ``lo``'s to before ``hi``; None if none."""
    if service_costs is None:
        return None
    require_columns(service_costs, [customer_col, month_col, cost_to_serve_col], "service_costs")
    m = date_column(service_costs, month_col, "service_costs")
    sc = service_costs.loc[(m >= lo.replace(day=1)) & (m < hi)]
    if sc.empty:
        return None
    comps = [c for c in components if c in sc.columns and sc[c].notna().any()]
    serve = sc.groupby(customer_col, sort=True)[[*comps, cost_to_serve_col]].sum().astype("float64")
    return serve.rename(columns={cost_to_serve_col: "cost_to_serve"})


def _profit_table(sales: pd.DataFrame, serve: pd.DataFrame | None, customer_col: str) -> pd.DataFrame:
    """Sales and cost to serve joined per customer, with gross and net profit (net = gross when ``serve`` is None)."""
    returns_only, is_buyer = sales.pop("returns_only"), sales.pop("is_buyer")
    cost_known = not sales["cost"].isna().any()
    if serve is None:
        out = sales.copy()
        out["cost_to_serve"] = np.nan
    else:  # a customer served without buying: no revenue, no cost of goods (unknown when the data has none)
        out = sales.join(serve, how="outer")
        no_sales = ~out.index.isin(sales.index)
        out.loc[no_sales, "revenue"] = 0.0
        out.loc[no_sales, "cost"] = 0.0 if cost_known else np.nan
        out[list(serve.columns)] = out[list(serve.columns)].fillna(0.0)
    out = out.sort_index(kind="stable")
    out.index.name = customer_col
    out.insert(2, "gross_profit", out["revenue"] - out["cost"])
    known = serve is not None
    out["net_profit"] = out["gross_profit"] - out["cost_to_serve"] if known else out["gross_profit"]
    out["returns_only"] = returns_only.reindex(out.index, fill_value=False).astype("bool")
    out["is_buyer"] = is_buyer.reindex(out.index, fill_value=False).astype("bool")  # served without ordering: False
    out.attrs["net_profit_includes_cost_to_serve"] = known
    out.attrs["cost_known"] = cost_known
    return out


def _no_orders(q: Quarter, last) -> InsufficientDataError:
    """No line in quarter ``q``: ``no_orders_in_quarter`` naming ``last`` (the last order day before it), or ``no_orders_yet``."""
    return InsufficientDataError(
        f"the region has no orders in {q} ({q.start:%Y-%m-%d} to {q.end:%Y-%m-%d}); last order before it: {last}",
        code="no_orders_in_quarter" if last is not None else "no_orders_yet",
        quarter=str(q),
        start=q.start.date(),
        end=q.end.date(),
        last=last,
    )


def quarter_profitability(transactions: pd.DataFrame, service_costs: pd.DataFrame | None, quarter) -> pd.DataFrame:
    """:func:`customer_profitability` of one quarter; a quarter without orders raises with the last order's date.

    Parameters
    ----------
    transactions : DataFrame
        The region's order lines (``order_date`` and the columns of :func:`customer_profitability`).
    service_costs : DataFrame or None
    quarter : str or Quarter

    Returns
    -------
    DataFrame
        As :func:`customer_profitability`.

    Raises
    ------
    InsufficientDataError
        ``code="no_orders_in_quarter"`` with fields ``quarter``, ``start``, ``end`` and
        ``last`` (the last order date before the quarter); ``code="no_orders_yet"``
        (``last`` None) when there are no earlier orders either.
    """
    q = Quarter.parse(quarter) if not isinstance(quarter, Quarter) else quarter
    require_columns(transactions, ["order_date"], "transactions")
    d = date_column(transactions, "order_date", "transactions")
    if not ((d >= q.start) & (d < q.end + pd.Timedelta(days=1))).any():
        before = d[d < q.start]
        raise _no_orders(q, before.max().date() if len(before) else None)
    return customer_profitability(transactions, service_costs, q.start, q.end)


def quarter_profit(facts: RegionFacts, quarter=None) -> pd.DataFrame:
    """The customers of ``quarter`` (default: the report quarter) from the region's facts, shaped as :func:`customer_profitability`.

    Every customer with a line or a cost to serve in the quarter (:meth:`RegionFacts.customers
    <custlib.analysis.facts.RegionFacts.customers>`): buyers (``is_buyer``), customers who only
    returned goods and customers served without ordering. Without cost-to-serve data for the quarter,
    ``net_profit`` is ``gross_profit`` and ``attrs["net_profit_includes_cost_to_serve"]`` is False.

    Raises
    ------
    InsufficientDataError
        As :func:`quarter_profitability`: no line in the quarter (``no_orders_in_quarter``, or
        ``no_orders_yet`` without earlier orders).
    """
    q = facts.quarter if quarter is None else (quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter))
    out = facts.customers(q)
    if not (out["is_buyer"] | out["returns_only"]).any():
        last = facts.last_order_before(q)
        raise _no_orders(q, last.date() if last is not None else None)
    known = bool(out.attrs.get("cost_to_serve_known"))
    if not known:
        out = out.assign(net_profit=out["gross_profit"])
    out.attrs = {"net_profit_includes_cost_to_serve": known, "cost_known": bool(out.attrs.get("cost_known", True))}
    return out


def buyers_only(profit: pd.DataFrame) -> pd.DataFrame:
    """The rows of customers who ordered: without ``returns_only`` customers or (with ``is_buyer``) customers served without ordering."""
    keep = np.ones(len(profit), dtype=bool)
    if "returns_only" in profit.columns:
        keep &= ~profit["returns_only"].to_numpy(dtype=bool)
    if "is_buyer" in profit.columns:
        keep &= profit["is_buyer"].to_numpy(dtype=bool)
    if keep.all():
        return profit
    kept = profit.loc[keep].copy()
    kept.attrs = dict(profit.attrs)
    return kept


def with_two_customers(profit: pd.DataFrame, region_customers: int) -> pd.DataFrame:
    """The rows of ``profit`` of the customers who bought, when at least two did; else InsufficientDataError.

    A customer who only returned goods in the period (``returns_only``), or who was served without
    ordering (``is_buyer`` False), bought nothing and is left out (:func:`buyers_only`): the
    concentration, the whale curve and the tiers are about buyers.
    ``code="one_customer"`` when the region has one customer, ``code="one_buyer"``
    (field ``customers``: the region's size) when only one of several bought.
    """
    profit = buyers_only(profit)
    if len(profit) >= 2:
        return profit
    if region_customers <= 1:
        raise InsufficientDataError("the region has one customer; concentration needs at least two", code="one_customer")
    raise InsufficientDataError(
        f"only one of the region's {region_customers} customers bought; concentration needs at least two",
        code="one_buyer",
        customers=int(region_customers),
    )


def with_positive_profit(profit: pd.DataFrame, net_profit_col: str = "net_profit") -> pd.DataFrame:
    """``profit`` when its total net profit is positive; else ``code="loss_making_region"`` (field ``total``).

    ``code="needs_cost"`` when net profit is unknown (no cost of goods in the data).

    Shares of a zero or negative total profit (the whale curve, tiers' share of
    profit) are undefined: the region is a cost centre that period.
    """
    require_cost(profit, net_profit_col, "the whale curve")
    total = float(profit[net_profit_col].sum())
    if total <= 0:
        raise InsufficientDataError(f"total net profit is {total:,.0f}, not positive", code="loss_making_region", total=total)
    return profit


def net_is_gross(profit: pd.DataFrame) -> bool:
    """True when ``profit`` has no cost-to-serve data (its net profit is gross profit)."""
    return not bool(profit.attrs.get("net_profit_includes_cost_to_serve", True))


def served_without_orders(profit: pd.DataFrame) -> pd.Series:
    """Which customers cost money to serve in the period without ordering: not buyers (``is_buyer`` False), not customers
    who only returned goods (``returns_only``), with a cost to serve above zero.

    All False without cost-to-serve data (:func:`net_is_gross`) or without an ``is_buyer`` column (a table that holds
    only buyers). profit (is_buyer, cost_to_serve[, returns_only]) -> bool Series, same index.
    """
    if "is_buyer" not in profit.columns or net_is_gross(profit):
        return pd.Series(False, index=profit.index)
    returns = profit["returns_only"].astype(bool) if "returns_only" in profit.columns else pd.Series(False, index=profit.index)
    return ~profit["is_buyer"].astype(bool) & ~returns & (profit["cost_to_serve"].fillna(0.0) > 0)
