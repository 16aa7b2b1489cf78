"""Checks and small conversions shared by the Pareto analyses (inputs, periods, fractions, revenue tiers).

Every concentration measure needs at least two customers and a positive total;
otherwise :class:`~custlib.exceptions.InsufficientDataError` says why, with a
reason ``code`` the report turns into words.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from custlib.analysis.facts.abc import abc_classes
from custlib.exceptions import DataError, InsufficientDataError, ParamsError
from custlib.io.facts import order_lines

TIERS = ("A", "B", "C")
#: The tier of a customer without orders in a period (tier migration).
NO_TIER = "none"
EPS = 1e-12


def values_vector(values, name: str = "values") -> np.ndarray:
    """``values`` as a finite float64 array of at least two customers."""
    try:
        x = np.asarray(pd.Series(values).astype("float64"), dtype="float64")
    except (TypeError, ValueError) as err:
        raise DataError(f"{name}: expected numbers (one value per customer)") from err
    if x.ndim != 1:
        raise DataError(f"{name}: expected a one-dimensional vector, got shape {x.shape}")
    bad = int((~np.isfinite(x)).sum())
    if bad:
        raise DataError(f"{name}: {bad} missing or infinite value(s); fill or drop them first")
    if x.size < 2:
        raise InsufficientDataError(
            f"{name}: {x.size} customer(s); concentration needs at least 2 customers", code="too_few_customers", found=int(x.size), needed=2
        )
    return x


def positive_total(x: np.ndarray, name: str) -> float:
    """The total of ``x``; raise when it is zero or negative (shares undefined)."""
    total = float(x.sum())
    if not np.any(x):
        raise InsufficientDataError(
            f"{name}: all {x.size} values are zero; there is nothing to measure the concentration of", code="all_zero", measure=name
        )
    if total <= 0:
        raise InsufficientDataError(
            f"{name}: the total is {total:,.2f}, not positive; shares of a zero or negative total are undefined",
            code="total_not_positive",
            measure=name,
            total=total,
        )
    return total


def fraction_param(value, name: str, *, allow_one: bool = True) -> float:
    """``value`` as a fraction in (0, 1] (or (0, 1) without ``allow_one``); ParamsError naming ``name`` otherwise."""
    try:
        f = float(value)
    except (TypeError, ValueError) as err:
        raise ParamsError(f"{name}: expected a number between 0 and 1, got {value!r}") from err
    if not (0 < f < 1 or (allow_one and f == 1)):
        upper = "1]" if allow_one else "1)"
        raise ParamsError(f"{name}: expected a fraction in (0, {upper}, got {value!r}")
    return f


def require_columns(frame: pd.DataFrame, columns, table: str) -> None:
    """DataError naming ``table`` and the first missing column, if any of ``columns`` is missing."""
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{table}: expected a DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns[:12])) + (" ..." if len(frame.columns) > 12 else "")
        raise DataError(f"{table}: column {missing[0]!r} is missing (found: {found})")


def period_bounds(start, end, names=("start", "end")) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``start`` at midnight and the exclusive end (the day after ``end``)."""
    try:
        lo = pd.Timestamp(start).normalize()
        hi = pd.Timestamp(end).normalize()
    except (TypeError, ValueError) as err:
        raise ParamsError(f"{names[0]}/{names[1]}: expected dates, got {start!r} and {end!r}") from err
    if hi < lo:
        raise ParamsError(f"{names[1]}: {hi:%Y-%m-%d} is before {names[0]} {lo:%Y-%m-%d}")
    return lo, hi + pd.Timedelta(days=1)


def date_column(frame: pd.DataFrame, col: str, table: str) -> pd.Series:
    """``frame[col]`` as datetimes; DataError naming the table and column if they do not parse."""
    try:
        return pd.to_datetime(frame[col])
    except (TypeError, ValueError) as err:
        raise DataError(f"{table}: column {col!r} does not hold dates") from err


def pct_label(f: float) -> str:
    """``0.2`` -> ``'20pct'``, ``0.005`` -> ``'0.5pct'``."""
    return f"{round(f * 100, 6):g}pct"


def top_count(fraction: float, n: int) -> int:
    """``ceil(fraction * n)``, at least 1, robust to 0.1 * 30 = 3.0000000000000004."""
    return max(1, math.ceil(fraction * n - 1e-9))


def revenue_by_customer(transactions, start, end, *, customer_col, date_col, revenue_col) -> pd.Series:
    """Revenue per customer who ordered between ``start`` and ``end`` (both inclusive), sorted by id.

    Revenue is net of the period's credit notes; a customer whose only lines are credit
    notes placed no order and is left out (returned goods are not a purchase).
    """
    require_columns(transactions, [customer_col, date_col, revenue_col], "transactions")
    lo, hi = period_bounds(start, end)
    d = date_column(transactions, date_col, "transactions")
    inside = ((d >= lo) & (d < hi)).to_numpy()
    rows = transactions.loc[inside, [customer_col, revenue_col]]
    out = rows.groupby(customer_col, sort=True)[revenue_col].sum().astype("float64")
    ordered = order_lines(transactions.loc[inside])[customer_col].unique()
    return out.loc[out.index.isin(ordered)]


def period_revenue(transactions, start, end, *, date_col: str = "order_date", revenue_col: str = "revenue") -> float:
    """The revenue of every line dated from ``start`` to ``end`` (both inclusive), net of credit notes: the region's revenue."""
    require_columns(transactions, [date_col, revenue_col], "transactions")
    lo, hi = period_bounds(start, end)
    d = date_column(transactions, date_col, "transactions")
    return float(transactions.loc[((d >= lo) & (d < hi)).to_numpy(), revenue_col].sum())


def revenue_tiers(values: pd.Series, cutoffs) -> pd.Series:
    """ABC tiers by revenue from :func:`custlib.analysis.facts.abc_classes` (as str)."""
    return abc_classes(values, cutoffs=cutoffs).astype("str")
