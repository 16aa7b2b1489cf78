"""The inputs every development section reads: order lines and service costs up to the report quarter's end."""

from __future__ import annotations

import pandas as pd

from custlib.analysis.development.common import require


def orders_up_to(transactions: pd.DataFrame, asof, *, date_col: str = "order_date", order_col: str = "order_id") -> pd.DataFrame:
    """Order lines on or before ``asof``, with order ids coded as integers.

    Order ids are only ever compared (baskets, order counts), never shown: coding
    them once here spares every section hashing millions of id strings again.

    Parameters
    ----------
    transactions : DataFrame
        Order lines with ``date_col`` and ``order_col``.
    asof : date-like
        The report quarter's end.

    Returns
    -------
    DataFrame
        order lines -> the lines up to ``asof`` (same columns, ``order_col`` as integer codes).
    """
    require(transactions, ["customer_id", order_col, date_col, "revenue", "cost"], "transactions")
    tx = transactions.loc[transactions[date_col] <= pd.Timestamp(asof)]
    return tx.assign(**{order_col: pd.factorize(tx[order_col])[0]})


def costs_up_to(service_costs: pd.DataFrame | None, asof, *, month_col: str = "month") -> pd.DataFrame | None:
    """Cost-to-serve rows of months on or before ``asof``; None when the data has no service costs.

    service_costs (customer_id, month, cost_to_serve) -> the same rows up to ``asof``.
    """
    if service_costs is None:
        return None
    require(service_costs, ["customer_id", month_col, "cost_to_serve"], "service_costs")
    return service_costs.loc[service_costs[month_col] <= pd.Timestamp(asof)]
