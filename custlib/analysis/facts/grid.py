"""Revenue, cost, profit and orders per customer and quarter: the grid every region measure is summed from.

One row per customer and quarter in which the customer has an order line, a credit note or a
cost-to-serve row. What a line means is :mod:`custlib.io.facts`'s: revenue and cost are net of
credit notes; a credit note is never an order; a missing cost of goods stays missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.exceptions import DataError
from custlib.io.contract import SERVICE_COMPONENTS
from custlib.io.facts import order_mask

#: Columns of :func:`customer_quarters` holding money (components follow ``cost_to_serve`` when present).
MONEY = ("revenue", "cost", "gross_profit", "cost_to_serve", "net_profit")


def _require(frame: pd.DataFrame, columns, table: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns[:12]))
        raise DataError(f"{table}: column {missing[0]!r} is missing (found: {found})")


def _quarter_ordinals(dates: pd.Series, table: str, col: str) -> np.ndarray:
    """Quarter ordinals (1970Q1 = 0) of a date column."""
    try:
        d = dates if pd.api.types.is_datetime64_any_dtype(dates) else pd.to_datetime(dates)
    except (TypeError, ValueError) as err:
        raise DataError(f"{table}: column {col!r} does not hold dates") from err
    if getattr(d.dt, "tz", None) is not None:
        d = d.dt.tz_localize(None)
    return d.dt.to_period("Q").array.asi8


def _codes(values: pd.Series, ids: pd.Index) -> np.ndarray:
    """Position of each value (as text) in ``ids`` (the distinct values are looked up once)."""
    codes, uniques = pd.factorize(values)
    pos = ids.get_indexer(pd.Index(uniques).astype("str"))
    return np.append(pos, -1)[codes]


def _line_sums(transactions: pd.DataFrame, key: np.ndarray, n_keys: int) -> pd.DataFrame:
    """Per (customer, quarter) key with lines: revenue, cost (missing when a line's is), orders, ordered, lines."""
    rev = transactions["revenue"].to_numpy(dtype="float64", na_value=np.nan)
    cost = transactions["cost"].to_numpy(dtype="float64", na_value=np.nan)
    ordered = order_mask(transactions)
    frame = pd.DataFrame({"key": key, "revenue": rev, "cost": cost, "ordered": ordered})
    g = frame.groupby("key", sort=True)
    out = pd.DataFrame({"revenue": g["revenue"].sum(), "cost": g["cost"].sum(skipna=False), "ordered": g["ordered"].any()})
    order_code, uniques = pd.factorize(transactions["order_id"])
    span = len(uniques) + 1  # distinct (key, order) pairs as one integer each
    pairs = np.unique(key[ordered].astype("int64") * span + order_code[ordered] + 1)
    per_key = pairs // span
    out["orders"] = pd.Series(np.bincount(per_key, minlength=n_keys)[out.index.to_numpy()], index=out.index, dtype="int64")
    return out


def _serve_sums(service_costs, ids, q_min, n_q, components) -> tuple[pd.DataFrame | None, np.ndarray]:
    """Cost to serve (and its present components) per (customer, quarter) key, and the quarters with any service row."""
    known = np.zeros(n_q, dtype=bool)
    if service_costs is None or service_costs.empty:
        return None, known
    q = _quarter_ordinals(service_costs["month"], "service_costs", "month") - q_min
    c = _codes(service_costs["customer_id"], ids)
    ok = (c >= 0) & (q >= 0) & (q < n_q)
    known[np.unique(q[ok])] = True
    comps = [x for x in components if x in service_costs.columns and service_costs[x].notna().any()]
    cols = {"cost_to_serve": service_costs["cost_to_serve"], **{x: service_costs[x] for x in comps}}
    frame = pd.DataFrame({k: pd.to_numeric(v, errors="coerce").to_numpy(dtype="float64")[ok] for k, v in cols.items()})
    frame["key"] = c[ok].astype("int64") * n_q + q[ok]
    return frame.groupby("key", sort=True).sum(), known


def customer_quarters(
    transactions: pd.DataFrame,
    service_costs: pd.DataFrame | None = None,
    *,
    through=None,
    components: tuple[str, ...] = SERVICE_COMPONENTS,
    data_start=None,
) -> pd.DataFrame:
    """Per customer and quarter: revenue, cost, gross profit, cost to serve, net profit and orders.

    The definitions every report shares (README, section Definitions):

    - ``revenue``: the revenue of every line dated in the quarter, net of credit notes;
    - ``cost``: their cost of goods, missing (NaN) when any of them is missing (never zero);
    - ``gross_profit`` = revenue - cost;
    - ``cost_to_serve``: the service-cost rows of the quarter's months; 0 for a customer without
      a row in a quarter that has rows, missing (NaN) in a quarter without any row (unknown);
    - ``net_profit`` = gross_profit - cost_to_serve (missing when either is);
    - ``orders``: distinct order ids among the customer's order lines (a credit note is no order);
      ``is_buyer``: at least one order in the quarter; ``returns_only``: lines, but none an order;
    - ``first_order``: the quarter of the customer's first order in the data (NaT if none). A customer
      already buying in the data's first quarter has an unknown first order (their history starts
      before the data): ``first_order`` is then the quarter before the data's first;
      ``new``: the quarter is the customer's first order's quarter.

    A customer served without ordering has a row with revenue 0 and a loss: the region's net profit bears it.

    Parameters
    ----------
    transactions : DataFrame
        Order lines: customer_id, order_date, order_id, revenue, cost[, is_credit_note].
    service_costs : DataFrame, optional
        customer_id, month, cost_to_serve[, components].
    through : date-like, optional
        Lines and service months after this day are left out.
    components : tuple of str
        Cost-to-serve components kept when present with a value.
    data_start : Period or Quarter, optional
        The whole data's first quarter (``Coverage.first_quarter``): new customers only after it (default: the lines').

    Returns
    -------
    DataFrame
        Rows sorted by customer id and quarter. transactions + service_costs -> customer_id (str),
        quarter (Period[Q-DEC]), revenue, cost, gross_profit, cost_to_serve, [components], net_profit,
        orders (int64), is_buyer, returns_only, new (bool), first_order (Period). ``attrs``: ``last_order``
        (day of each quarter's last order), ``has_service_costs``, ``cost_known`` (no missing cost of goods),
        ``data_start`` (first quarter of the lines) and ``service_quarters`` (quarters with a service-cost row).

    Raises
    ------
    DataError
        A column is missing or dates do not parse.
    """
    _require(transactions, ["customer_id", "order_date", "order_id", "revenue", "cost"], "transactions")
    if service_costs is not None:
        _require(service_costs, ["customer_id", "month", "cost_to_serve"], "service_costs")
    transactions, service_costs = _through(transactions, service_costs, through)
    tq = _quarter_ordinals(transactions["order_date"], "transactions", "order_date")
    both = np.concatenate([tq, _quarter_ordinals(service_costs["month"], "service_costs", "month") if service_costs is not None else []])
    cost_known = not bool(transactions["cost"].isna().any())
    if not len(both):
        return _empty(cost_known, service_costs is not None)
    id_parts = [transactions["customer_id"]] + ([service_costs["customer_id"]] if service_costs is not None else [])
    ids = pd.Index(pd.unique(pd.concat(id_parts, ignore_index=True).astype("str")), dtype="str").sort_values()
    q_min, n_q = int(both.min()), int(both.max() - both.min()) + 1
    key = _codes(transactions["customer_id"], ids).astype("int64") * n_q + (tq - q_min)
    serve, known = _serve_sums(service_costs, ids, q_min, n_q, components)
    start = int(tq.min()) if len(tq) else None
    if data_start is not None and start is not None:
        start = min(start, int(pd.Period(str(data_start), freq="Q").ordinal))
    out = _assemble(_line_sums(transactions, key, len(ids) * n_q), serve, known, ids, q_min, n_q, cost_known, start)
    out.attrs.update(
        last_order=_last_orders(transactions, tq),
        has_service_costs=service_costs is not None,
        cost_known=cost_known,
        data_start=_period(start) if start is not None else None,
        service_quarters=sorted(str(_period(q + q_min)) for q in np.flatnonzero(known)),
    )
    return out


def _through(transactions: pd.DataFrame, service_costs: pd.DataFrame | None, through):
    """The lines and service months up to the day ``through`` (all when None)."""
    if through is None:
        return transactions, service_costs
    end = pd.Timestamp(through).normalize() + pd.Timedelta(days=1)
    transactions = transactions.loc[pd.to_datetime(transactions["order_date"]) < end]
    if service_costs is not None:
        service_costs = service_costs.loc[pd.to_datetime(service_costs["month"]) < end]
    return transactions, service_costs


def _assemble(lines, serve, known, ids, q_min: int, n_q: int, cost_known: bool, data_start: int | None) -> pd.DataFrame:
    """The grid's rows from the line sums and the service-cost sums (keys ``customer * n_q + quarter - q_min``)."""
    g = lines.join(serve, how="outer") if serve is not None else lines
    served_only = ~g.index.isin(lines.index)  # served without a line: no revenue, no cost of goods (unknown without one)
    g.loc[served_only, "revenue"] = 0.0
    g.loc[served_only, "cost"] = 0.0 if cost_known else np.nan
    is_buyer = g["ordered"].fillna(False).to_numpy(dtype=bool)
    keys = g.index.to_numpy()
    cust, quarter = keys // n_q, keys % n_q + q_min
    first = _first_orders(cust, quarter, is_buyer, data_start)
    out = pd.DataFrame(
        {
            "customer_id": ids.take(cust),
            "quarter": pd.PeriodIndex.from_ordinals(quarter, freq="Q").array,
            "revenue": g["revenue"].to_numpy(dtype="float64"),
            "cost": g["cost"].to_numpy(dtype="float64"),
        }
    )
    out["gross_profit"] = out["revenue"] - out["cost"]
    for col in ["cost_to_serve", *[c for c in (serve.columns if serve is not None else []) if c != "cost_to_serve"]]:
        vals = g[col].to_numpy(dtype="float64") if col in g.columns else np.full(len(g), np.nan)
        out[col] = np.where(known[quarter - q_min], np.nan_to_num(vals, nan=0.0), np.nan)
    out["net_profit"] = out["gross_profit"] - out["cost_to_serve"]
    out["orders"] = g["orders"].fillna(0).to_numpy(dtype="int64")
    out["is_buyer"] = is_buyer
    out["returns_only"] = ~served_only & ~is_buyer
    out["first_order"] = pd.PeriodIndex.from_ordinals(first, freq="Q").array
    out["new"] = is_buyer & (first == quarter)
    return out


def _last_orders(transactions: pd.DataFrame, tq: np.ndarray) -> dict:
    """The day of the last order of each quarter with orders: {"2026Q2": Timestamp, ...}."""
    ordered = order_mask(transactions)
    if not ordered.any():
        return {}
    days = pd.Series(pd.to_datetime(transactions["order_date"]).to_numpy()[ordered]).groupby(tq[ordered]).max()
    return {str(_period(q)): pd.Timestamp(d).normalize() for q, d in days.items()}


def _period(ordinal: int) -> pd.Period:
    return pd.PeriodIndex.from_ordinals([int(ordinal)], freq="Q")[0]


def _first_orders(cust: np.ndarray, quarter: np.ndarray, ordered: np.ndarray, data_start: int | None) -> np.ndarray:
    """Per row, the ordinal of the customer's first order quarter (NaT's ordinal when none).

    A first order in (or before) the data's first quarter becomes the quarter before it: the customer's
    earlier history is not in the data, so they are never counted as new.
    """
    nat = np.iinfo("int64").min
    first = pd.Series(np.where(ordered, quarter, np.iinfo("int64").max)).groupby(cust).transform("min").to_numpy()
    if data_start is not None:
        first = np.where(first <= data_start, data_start - 1, first)
    return np.where(first == np.iinfo("int64").max, nat, first)


def _empty(cost_known: bool, has_service_costs: bool) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "customer_id": pd.Series([], dtype="str"),
            "quarter": pd.PeriodIndex([], freq="Q").array,
            **{c: pd.Series([], dtype="float64") for c in MONEY},
            "orders": pd.Series([], dtype="int64"),
            "is_buyer": pd.Series([], dtype="bool"),
            "returns_only": pd.Series([], dtype="bool"),
            "first_order": pd.PeriodIndex([], freq="Q").array,
            "new": pd.Series([], dtype="bool"),
        }
    )
    out.attrs.update(last_order={}, has_service_costs=has_service_costs, cost_known=cost_known, data_start=None, service_quarters=[])
    return out
