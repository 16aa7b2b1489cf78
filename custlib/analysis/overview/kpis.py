"""Region overview computations: quarter KPIs, monthly trend, largest customers, lapsed customers.

Plain sums over one region's transactions (and its cost to serve, when the
data has it), so their known answers are hand arithmetic. Every function
returns codes and numbers; words are chosen in :mod:`custlib.present.overview`.
"""

from __future__ import annotations

import pandas as pd

from custlib.analysis.facts import RegionFacts, region_facts
from custlib.exceptions import DataError, InsufficientDataError
from custlib.io.facts import order_lines
from custlib.io.periods import Coverage, Quarter, comparison_gap


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


def _no_orders_in_quarter(facts: RegionFacts, quarter: Quarter) -> InsufficientDataError:
    """The error for a quarter without orders, naming the last earlier quarter with orders (or none)."""
    g = facts.grid
    before = g.loc[g["is_buyer"] & (g["quarter"] < pd.Period(str(quarter), freq="Q")), "quarter"]
    last = str(before.max()) if len(before) else None
    tail = f"; its last orders before it were in {last}" if last else "; it has no earlier orders either"
    return InsufficientDataError(
        f"the region has no orders in {_span(quarter)}{tail}", code="no_orders_in_quarter", quarter=str(quarter), last_quarter=last
    )


#: The figures of :func:`kpi_table`, in order (the last two only with cost-to-serve data); their definitions
#: are :data:`custlib.analysis.facts.MEASURES`'.
KPI_FIGURES = (
    "active_customers",
    "orders",
    "revenue",
    "gross_profit",
    "gross_margin",
    "revenue_per_customer",
    "cost_to_serve",
    "net_profit",
)


def kpi_table(facts: RegionFacts) -> pd.DataFrame:
    """Headline figures of the report quarter, the previous one and the same quarter a year before.

    Read from the region's facts (:class:`~custlib.analysis.facts.RegionFacts`, the measures every
    report shares): revenue and profit are net of credit notes, orders and customers count orders
    only; ``gross_profit = revenue - cost`` (NaN when the cost of goods is missing); with
    cost-to-serve data also ``cost_to_serve`` (every customer's, buyers or not) and
    ``net_profit = gross_profit - cost_to_serve``, customer profitability after the cost of
    serving (Kaplan & Cooper 1998, *Cost & Effect*, ch. 10). A quarter without any
    service-cost row has an unknown (NaN) cost to serve. With the data's coverage
    (``facts.coverage``), a comparison quarter the data does not cover has no figures (NaN,
    never zeros), and a change against a quarter that is not complete, or of a quarter that
    is not, is NaN: part of a quarter set against a whole one is no change.

    Returns
    -------
    DataFrame
        Index: active_customers, orders, revenue, gross_profit, gross_margin,
        revenue_per_customer [, cost_to_serve, net_profit]; columns: this quarter, previous, change,
        year_ago, change_yoy (changes are fractions; NaN where the base is 0).
        facts -> one row per figure.

    Raises
    ------
    InsufficientDataError
        The quarter has no orders (``code="no_orders_in_quarter"``).
    """
    quarter = facts.quarter
    cur = facts.measures(quarter)
    if cur["orders"] == 0:
        raise _no_orders_in_quarter(facts, quarter)
    figures = list(KPI_FIGURES if facts.grid.attrs.get("has_service_costs") else KPI_FIGURES[:-2])
    prev, yago = facts.measures(quarter.previous), facts.measures(quarter.shift(-4))

    out = pd.DataFrame({str(quarter): cur, str(quarter.previous): prev, str(quarter.shift(-4)): yago}).loc[figures]
    out.insert(2, "change", _change(out.iloc[:, 0], out.iloc[:, 1], facts.coverage, quarter, quarter.previous))
    out["change_yoy"] = _change(out.iloc[:, 0], out.iloc[:, 3], facts.coverage, quarter, quarter.shift(-4))
    out.index.name = "figure"
    return out


def _change(a: pd.Series, b: pd.Series, coverage: Coverage | None, quarter: Quarter, base: Quarter) -> pd.Series:
    """Relative change of ``a`` on ``b``: NaN where the base is 0, and throughout unless the data covers both quarters whole."""
    if comparison_gap(coverage, quarter, base) is not None:
        return a * float("nan")
    return (a - b) / b.where(b != 0)


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
    coverage: Coverage | None = None,
) -> pd.DataFrame:
    """:func:`kpi_table` of the facts of ``transactions`` (and ``service_costs``) up to ``quarter``; ``coverage`` is the data's span (see :func:`kpi_table`).

    Parameters
    ----------
    transactions : DataFrame
        Order lines (customer, date, order id, revenue, cost[, is_credit_note]).
    quarter : Quarter
    customer_col, date_col, order_col, revenue_col, cost_col : str
        Column names in ``transactions``.
    service_costs : DataFrame, optional
        Cost to serve per customer and month (``month`` the first day of the month).
    month_col, cost_to_serve_col : str
        Column names in ``service_costs``.
    coverage : Coverage, optional
        The days the whole data covers (:attr:`custlib.io.data.RegionData.coverage`); None: every quarter counts as covered.

    Returns
    -------
    DataFrame
        As :func:`kpi_table`. Columns in: customer, date, order, revenue, cost (+ month, cost_to_serve) -> out: one row per figure.

    Raises
    ------
    InsufficientDataError
        The quarter has no orders.
    DataError
        A column is missing.
    """
    _require(transactions, [customer_col, date_col, order_col, revenue_col, cost_col], "transactions")
    tx = transactions.rename(
        columns={customer_col: "customer_id", date_col: "order_date", order_col: "order_id", revenue_col: "revenue", cost_col: "cost"}
    )
    sc = None
    if service_costs is not None:
        _require(service_costs, [month_col, cost_to_serve_col], "service_costs")
        sc = service_costs.rename(columns={month_col: "month", cost_to_serve_col: "cost_to_serve"})
    if order_lines(_in_quarter(tx, quarter, "order_date")).empty:
        d = tx["order_date"]
        before = d[d < quarter.start]
        last = before.max() if len(before) else None
        tail = f"; its last order before it was on {last:%Y-%m-%d}" if last is not None else "; it has no earlier orders either"
        raise InsufficientDataError(
            f"the region has no orders in {_span(quarter)}{tail}", code="no_orders_in_quarter", quarter=str(quarter), last_order=last
        )
    customers = pd.DataFrame({"customer_id": pd.unique(tx["customer_id"])})
    return kpi_table(region_facts(tx, customers, sc, quarter, coverage=coverage))


def monthly_trend(
    transactions: pd.DataFrame,
    end: pd.Timestamp,
    months: int = 24,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    order_col: str = "order_id",
    revenue_col: str = "revenue",
    cost_col: str = "cost",
    *,
    coverage: Coverage | None = None,
) -> pd.DataFrame:
    """Revenue, gross profit, orders and active customers per month.

    The last ``months`` calendar months up to ``end``; months without orders
    appear with zeros. With ``coverage``, months before the data's first month or
    after its last are left out (no data is not zero). Revenue and gross profit are net of credit notes, orders
    and customers count orders only; gross profit is missing (NaN) throughout
    when the cost of goods is.

    Parameters
    ----------
    transactions : DataFrame
        Order lines.
    end : date-like
        Last day of the window (e.g. the quarter's end).
    months : int
        Calendar months in the window, ending with ``end``'s month.
    customer_col, date_col, order_col, revenue_col, cost_col : str
    coverage : Coverage, optional
        The days the whole data covers; the window is cut to its months.

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
    if coverage is not None:
        first = max(first, coverage.first.to_period("M").to_timestamp())
        end = min(end, coverage.last)
    t = transactions[(transactions[date_col] >= first) & (transactions[date_col] < end + pd.Timedelta(days=1))]
    if t.empty:
        raise InsufficientDataError(
            f"the region has no orders in the {months} months from {first:%Y-%m-%d} to {end:%Y-%m-%d}",
            code="no_orders_in_months",
            months=months,
            first=first,
            end=end,
        )
    month = t[date_col].dt.to_period("M").dt.to_timestamp()
    g = t.assign(month=month, gross_profit=t[revenue_col] - t[cost_col]).groupby("month")
    o = order_lines(t)
    og = o.groupby(o[date_col].dt.to_period("M").dt.to_timestamp().rename("month"))
    out = pd.DataFrame(
        {
            "revenue": g[revenue_col].sum(),
            "gross_profit": g["gross_profit"].sum(skipna=False),
            "orders": og[order_col].nunique(),
            "active_customers": og[customer_col].nunique(),
        }
    )
    idx = pd.date_range(first, end.to_period("M").to_timestamp(), freq="MS", name="month")
    cost_known = not t[cost_col].isna().any()  # a missing cost of goods: gross profit unknown, never 0
    out = out.reindex(idx).fillna({"revenue": 0.0, "orders": 0, "active_customers": 0, "gross_profit": 0.0 if cost_known else float("nan")})
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
        raise InsufficientDataError(f"no customer ordered in {_span(quarter)}", code="no_customers_in_quarter", quarter=str(quarter))
    g = (
        t.assign(gross_profit=t[revenue_col] - t[cost_col])
        .groupby(customer_col, as_index=False)[[revenue_col, "gross_profit"]]
        .sum(skipna=False)
    )
    total = g[revenue_col].sum()
    g = g.sort_values([revenue_col, customer_col], ascending=[False, True], kind="stable").head(n)
    g["gross_margin"] = g["gross_profit"] / g[revenue_col].where(g[revenue_col] != 0)
    g["share_of_revenue"] = g[revenue_col] / total if total else float("nan")
    info = customers[[customer_col, "name", "industry", "market_type"]]
    out = g.merge(info, on=customer_col, how="left")
    return out[
        [customer_col, "name", "industry", "market_type", revenue_col, "gross_profit", "gross_margin", "share_of_revenue"]
    ].reset_index(drop=True)


def lapsed_customers(
    transactions: pd.DataFrame,
    customers: pd.DataFrame,
    quarter: Quarter,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    revenue_col: str = "revenue",
    *,
    coverage: Coverage | None = None,
) -> pd.DataFrame:
    """The customers who ordered in the previous quarter but not in this one.

    The early-warning list of the domain brief (事前监控预警): a customer who
    stops ordering is called before the relationship breaks. Largest first
    (revenue in the previous quarter, net of credit notes), ties by customer id.
    A credit note is no order: a customer who only returned goods this quarter
    stopped ordering, and ``last_order`` is the last order, never a return.

    Parameters
    ----------
    transactions : DataFrame
        Order lines (whole history up to the quarter's end).
    customers : DataFrame
        The customers (customer_id, name, industry).
    quarter : Quarter
    customer_col, date_col, revenue_col : str
    coverage : Coverage, optional
        The days the whole data covers: both quarters must be complete in it (a quarter
        before the data has no customers who could stop, a partial one too few).

    Returns
    -------
    DataFrame
        Columns in: transactions (customer, date, revenue), customers (customer_id,
        name, industry) -> out: customer_id, name, industry, revenue_previous
        (float, the previous quarter), last_order (datetime64). Empty when every
        customer ordered again.

    Raises
    ------
    InsufficientDataError
        The previous quarter has no orders (nobody could have stopped), or the data does not
        cover both quarters whole (codes of :func:`custlib.io.periods.comparison_gap`).
    DataError
        A column is missing.
    """
    _require(transactions, [customer_col, date_col, revenue_col], "transactions")
    _require(customers, [customer_col, "name", "industry"], "customers")
    prev = quarter.previous
    gap = comparison_gap(coverage, quarter, prev)
    if gap is not None:
        raise InsufficientDataError(f"no comparison of {quarter} with {prev}: {gap[0]}", code=gap[0], **gap[1])
    before = _in_quarter(transactions, prev, date_col)
    ordered_before = order_lines(before)
    if ordered_before.empty:
        only_credits = " (only credit notes)" if not before.empty else ""
        raise InsufficientDataError(
            f"no orders in {_span(prev)}{only_credits}: nobody can have stopped ordering in {quarter}",
            code="no_orders_in_previous_quarter",
            quarter=str(quarter),
            previous=str(prev),
        )
    now = set(order_lines(_in_quarter(transactions, quarter, date_col))[customer_col])
    g = before.groupby(customer_col, as_index=False).agg(revenue_previous=(revenue_col, "sum"))
    last = ordered_before.groupby(customer_col)[date_col].max().rename("last_order")
    g = g.join(last, on=customer_col, how="inner")  # customers who ordered last quarter (a credit note is no order)
    g = g[~g[customer_col].isin(now)]
    g = g.sort_values(["revenue_previous", customer_col], ascending=[False, True], kind="stable")
    out = g.merge(customers[[customer_col, "name", "industry"]], on=customer_col, how="left")
    out["revenue_previous"] = out["revenue_previous"].astype("float64")
    return out[[customer_col, "name", "industry", "revenue_previous", "last_order"]].reset_index(drop=True)


# --------------------------------------------------------------------------- display helpers
