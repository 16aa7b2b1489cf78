"""Pareto diagnostics: does the 80/20 rule hold, and for revenue or for profit?

The customer-management literature behind this workbook doubts the 80/20
rule (see ``DOMAIN.md`` section 2): the top revenue customers may be *cost
customers* whose net profit after cost to serve is thin or negative; profit
customers are often mid-sized; spending in proportion to revenue starves the
tiers that can grow; and concentration is a snapshot, not a target. This
module measures each doubt:

- concentration of a vector of per-customer values: :func:`lorenz_curve`,
  :func:`gini`, :func:`top_share`, :func:`share_of_customers_for`,
  :func:`herfindahl`;
- per-customer profitability for a period (:func:`customer_profitability`)
  and revenue, gross and net profit concentration side by side
  (:func:`concentration_table`);
- the whale curve (:func:`whale_curve`, :func:`whale_summary`,
  :func:`plot_whale_curve`);
- resources against return per revenue tier (:func:`tier_allocation`);
- concentration per quarter and against the other regions
  (:func:`concentration_by_quarter`, :func:`concentration_vs_peers`,
  :func:`plot_concentration_trend`);
- tier migration between two periods (:func:`tier_migration`,
  :func:`migration_matrix`);
- a plain-language summary (:func:`pareto_summary`).

Conventions
-----------
- Every concentration measure needs at least two customers and a positive
  total; otherwise :class:`~custlib.exceptions.InsufficientDataError` says why.
- "The top ``f`` of customers" is the ``ceil(f * n)`` customers with the
  largest values (at least one), the same definition as
  ``custlib.io.data.peer_quarterly``'s ``top20_share_revenue``. Ties do not
  matter: tied customers hold equal values.
- Values may be negative (profit, or revenue net of returns). Negative values
  are kept, never clipped: the Gini coefficient of a vector with negative
  values can exceed 1, and the top customers can hold more than 100% of a
  total (that is what the whale curve shows).
- Revenue tiers are ABC classes by cumulative revenue share
  (:func:`custlib.analysis.segmentation.abc_classes`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from itertools import product
from typing import NamedTuple

import numpy as np
import pandas as pd

from custlib.exceptions import DataError, InsufficientDataError, ParamsError
from custlib.io.contract import SERVICE_COMPONENTS
from custlib.io.periods import Quarter
from custlib.reports.context import Sections, esc, say

TIERS = ("A", "B", "C")
NO_TIER = "none"
_EPS = 1e-12
_BOOT_CELLS = 2_000_000  # resampled values held in memory at once by the bootstrap
_MEASURE_LABELS = {"gini_revenue": "Gini coefficient of revenue", "top20_share_revenue": "Revenue share of the top 20% of customers"}
_SHARE_MEASURES = ("top20_share_revenue",)


# --------------------------------------------------------------------------- helpers


def _values(values, name: str = "values") -> np.ndarray:
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
        raise InsufficientDataError(f"{name}: {x.size} customer(s); concentration needs at least 2 customers")
    return x


def _positive_total(x: np.ndarray, name: str) -> float:
    """The total of ``x``; raise when it is zero or negative (shares undefined)."""
    total = float(x.sum())
    if not np.any(x):
        raise InsufficientDataError(f"{name}: all {x.size} values are zero; there is nothing to measure the concentration of")
    if total <= 0:
        raise InsufficientDataError(f"{name}: the total is {total:,.2f}, not positive; shares of a zero or negative total are undefined")
    return total


def _fraction(value, name: str, *, allow_one: bool = True) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError) as err:
        raise ParamsError(f"{name}: expected a number between 0 and 1, got {value!r}") from err
    if not (0 < f < 1 or (allow_one and f == 1)):
        upper = "1]" if allow_one else "1)"
        raise ParamsError(f"{name}: expected a fraction in (0, {upper}, got {value!r}")
    return f


def _require(frame: pd.DataFrame, columns, table: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{table}: expected a DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns[:12])) + (" ..." if len(frame.columns) > 12 else "")
        raise DataError(f"{table}: column {missing[0]!r} is missing (found: {found})")


def _period(start, end, names=("start", "end")) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``start`` at midnight and the exclusive end (the day after ``end``)."""
    try:
        lo = pd.Timestamp(start).normalize()
        hi = pd.Timestamp(end).normalize()
    except (TypeError, ValueError) as err:
        raise ParamsError(f"{names[0]}/{names[1]}: expected dates, got {start!r} and {end!r}") from err
    if hi < lo:
        raise ParamsError(f"{names[1]}: {hi:%Y-%m-%d} is before {names[0]} {lo:%Y-%m-%d}")
    return lo, hi + pd.Timedelta(days=1)


def _dates(frame: pd.DataFrame, col: str, table: str) -> pd.Series:
    try:
        return pd.to_datetime(frame[col])
    except (TypeError, ValueError) as err:
        raise DataError(f"{table}: column {col!r} does not hold dates") from err


def _pct_label(f: float) -> str:
    """``0.2`` -> ``'20pct'``, ``0.005`` -> ``'0.5pct'``."""
    return f"{round(f * 100, 6):g}pct"


def _top_count(fraction: float, n: int) -> int:
    """``ceil(fraction * n)``, at least 1, robust to 0.1 * 30 = 3.0000000000000004."""
    return max(1, math.ceil(fraction * n - 1e-9))


def _revenue_by_customer(transactions, start, end, *, customer_col, date_col, revenue_col) -> pd.Series:
    _require(transactions, [customer_col, date_col, revenue_col], "transactions")
    lo, hi = _period(start, end)
    d = _dates(transactions, date_col, "transactions")
    rows = transactions.loc[(d >= lo) & (d < hi), [customer_col, revenue_col]]
    return rows.groupby(customer_col, sort=True)[revenue_col].sum().astype("float64")


# --------------------------------------------------------------------------- concentration of a vector


def lorenz_curve(values) -> pd.DataFrame:
    """The Lorenz curve of per-customer values.

    Customers are sorted from the smallest to the largest value; point ``i``
    is (share of customers ``i/n``, share of the total held by the ``i``
    smallest). Lorenz (1905), "Methods of measuring the concentration of
    wealth", *Publications of the American Statistical Association* 9(70).

    Parameters
    ----------
    values : array-like or Series
        One value per customer. Negative values are kept: the curve then dips
        below zero before it rises to 1.

    Returns
    -------
    DataFrame
        ``n + 1`` rows starting at (0, 0) and ending at (1, 1). values -> cum_share_customers, cum_share_value.

    Raises
    ------
    InsufficientDataError
        Fewer than two customers, all values zero, or a total that is not positive.
    DataError
        Non-numeric, missing or infinite values.

    Examples
    --------
    ``[1, 2, 3, 4]`` (total 10) gives (0, 0), (0.25, 0.1), (0.5, 0.3), (0.75, 0.6), (1, 1).
    """
    x = np.sort(_values(values), kind="stable")
    total = _positive_total(x, "values")
    n = x.size
    return pd.DataFrame(
        {
            "cum_share_customers": np.arange(n + 1) / n,
            "cum_share_value": np.concatenate([[0.0], np.cumsum(x) / total]),
        }
    )


class GiniEstimate(NamedTuple):
    """A Gini coefficient with a percentile-bootstrap confidence interval."""

    estimate: float
    low: float
    high: float


def _gini_sorted(x_sorted: np.ndarray, total: float) -> float:
    n = x_sorted.size
    w = 2.0 * np.arange(1, n + 1) - n - 1
    return float(w @ x_sorted / (n * total))


def gini(values, ci: float | None = None, n_boot: int = 1000, seed: int = 0) -> float | GiniEstimate:
    """The Gini coefficient of per-customer values, optionally with a bootstrap interval.

    With the values sorted ascending, ``x_(1) <= ... <= x_(n)``,

        G = sum_i (2i - n - 1) x_(i) / (n * sum_i x_i),

    which equals the mean absolute difference over all ordered pairs divided by
    twice the mean, ``G = sum_i sum_j |x_i - x_j| / (2 n^2 mean(x))``
    (Gini 1912; the sorted form is eq. 1 of Dixon, Weiner, Mitchell-Olds &
    Woodley 1987, "Bootstrapping the Gini coefficient of inequality",
    *Ecology* 68(5):1548-1551; Damgaard & Weiner 2000, *Ecology* 81(4)).
    This is the plain ("population") estimator: 0 when all customers are
    equal, at most ``(n - 1)/n`` for non-negative values; it is the same
    formula ``custlib.io.data.peer_quarterly`` uses for the other regions.

    Worked example, ``[1, 2, 3, 4]``: weights ``2i - n - 1`` are -3, -1, 1, 3,
    so the numerator is -3 - 2 + 3 + 12 = 10 and ``G = 10 / (4 * 10) = 0.25``.
    By pairs: the six unordered absolute differences are 1, 2, 3, 1, 2, 1
    (sum 10, so 20 over ordered pairs) and ``G = 20 / (2 * 16 * 2.5) = 0.25``.

    Negative values (profit) are kept and not clipped: the Gini can then exceed
    1 (Chen, Tsaur & Rhai 1982, "The Gini coefficient and negative income",
    *Oxford Economic Papers* 34(3):473-478). Example ``[-1, 0, 0, 2]``: total 1,
    numerator 3 + 0 + 0 + 6 = 9, ``G = 9 / 4 = 2.25``: a small total earned by
    a few customers while others lose money.

    Parameters
    ----------
    values : array-like or Series
        One value per customer.
    ci : float, optional
        Confidence level (e.g. 0.95) of a percentile-bootstrap interval
        (Efron & Tibshirani 1993, *An Introduction to the Bootstrap*, ch. 13;
        applied to the Gini by Dixon et al. 1987). None returns the estimate only.
    n_boot : int
        Bootstrap resamples of the customers (with replacement).
    seed : int
        Seed of the resampling.

    Returns
    -------
    float or GiniEstimate
        The estimate, or ``(estimate, low, high)`` when ``ci`` is given. A
        resample whose total is zero or negative has an unbounded Gini (the
        numerator is never negative): it counts as ``+inf``, so ``high`` is
        ``inf`` when more than ``(1 - ci)/2`` of the resamples are such (a
        total profit too close to zero to measure its concentration). values -> scalar.

    Raises
    ------
    InsufficientDataError
        Fewer than two customers, all values zero, or a total that is not positive.
    DataError
        Non-numeric, missing or infinite values.
    ParamsError
        ``ci`` not in (0, 1) or ``n_boot`` below 10.
    """
    x = np.sort(_values(values), kind="stable")
    total = _positive_total(x, "values")
    est = _gini_sorted(x, total)
    if ci is None:
        return est
    level = _fraction(ci, "ci", allow_one=False)
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 10:
        raise ParamsError(f"n_boot: expected an integer of at least 10, got {n_boot!r}")
    n = x.size
    w = 2.0 * np.arange(1, n + 1) - n - 1
    rng = np.random.default_rng(seed)
    draws = []
    chunk = max(1, _BOOT_CELLS // n)
    for first in range(0, int(n_boot), chunk):
        m = min(chunk, int(n_boot) - first)
        sample = np.sort(x[rng.integers(0, n, size=(m, n))], axis=1)
        tot = sample.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = sample @ w / (n * tot)
        draws.append(np.where(tot > 0, g, np.inf))
    boot = np.concatenate(draws)
    alpha = 1.0 - level
    low, high = np.quantile(boot, [alpha / 2, 1 - alpha / 2], method="inverted_cdf")
    return GiniEstimate(est, float(low), float(high))


def top_share(values, fraction: float) -> float:
    """Share of the total held by the top ``fraction`` of customers.

    The top ``fraction`` is the ``ceil(fraction * n)`` customers with the
    largest values (at least one). Example: ``[1, 2, 3, 4]``, fraction 0.5 ->
    the top 2 hold (4 + 3) / 10 = 0.7. With negative values the result can
    exceed 1.

    Parameters
    ----------
    values : array-like or Series
    fraction : float
        In (0, 1].

    Returns
    -------
    float
        values -> scalar.

    Raises
    ------
    InsufficientDataError, DataError
        As :func:`gini`.
    ParamsError
        ``fraction`` outside (0, 1].
    """
    f = _fraction(fraction, "fraction")
    x = np.sort(_values(values), kind="stable")[::-1]
    total = _positive_total(x, "values")
    return float(x[: _top_count(f, x.size)].sum() / total)


def share_of_customers_for(values, share: float) -> float:
    """The smallest fraction of customers, taken from the top, that holds ``share`` of the total.

    ``k / n`` for the smallest ``k`` such that the ``k`` largest values sum to
    at least ``share`` of the total: the "x% of customers make 80%" figure.
    Example: ``[1, 2, 3, 4]``, share 0.7 -> 4 + 3 = 7 of 10, so 2 of 4 = 0.5;
    share 0.8 -> 4 + 3 + 2 = 9 >= 8, so 0.75.

    Parameters
    ----------
    values : array-like or Series
    share : float
        In (0, 1].

    Returns
    -------
    float
        values -> scalar.

    Raises
    ------
    InsufficientDataError, DataError
        As :func:`gini`.
    ParamsError
        ``share`` outside (0, 1].
    """
    s = _fraction(share, "share")
    x = np.sort(_values(values), kind="stable")[::-1]
    total = _positive_total(x, "values")
    reached = np.cumsum(x) / total >= s - _EPS
    # the running total peaks at the sum of the positive values, which is >= the total
    return float((int(np.argmax(reached)) + 1) / x.size)


def herfindahl(values, normalized: bool = False) -> float:
    """The Herfindahl(-Hirschman) index of customer shares.

    ``H = sum_i s_i^2`` with ``s_i = x_i / sum x`` (Hirschman 1964, "The
    paternity of an index", *American Economic Review* 54(5):761; Herfindahl
    1950). ``H`` runs from ``1/n`` (equal shares) to 1 (one customer holds
    everything); ``1/H`` is the "effective number" of equal-sized customers.
    The normalised index rescales that range to [0, 1]:
    ``H* = (H - 1/n) / (1 - 1/n)``. Example ``[1, 2, 3, 4]``: shares 0.1 ..
    0.4, ``H = 0.01 + 0.04 + 0.09 + 0.16 = 0.30``, ``H* = 0.05 / 0.75 = 1/15``.

    Parameters
    ----------
    values : array-like or Series
        Non-negative values (shares of a negative value have no meaning here).
    normalized : bool
        Return ``H*`` instead of ``H``.

    Returns
    -------
    float
        values -> scalar.

    Raises
    ------
    DataError
        Negative, non-numeric, missing or infinite values.
    InsufficientDataError
        Fewer than two customers or all values zero.
    """
    x = _values(values)
    if (x < 0).any():
        raise DataError(f"values: {int((x < 0).sum())} negative value(s); the Herfindahl index needs non-negative values")
    total = _positive_total(x, "values")
    h = float(((x / total) ** 2).sum())
    if not normalized:
        return h
    n = x.size
    return (h - 1.0 / n) / (1.0 - 1.0 / n)


def _revenue_tiers(values: pd.Series, cutoffs) -> pd.Series:
    """ABC tiers by revenue from :func:`custlib.analysis.segmentation.abc_classes` (as str)."""
    # imported here, not at the top (kept lazy as before)
    from custlib.analysis.segmentation import abc_classes

    return abc_classes(values, cutoffs=cutoffs).astype("str")


# --------------------------------------------------------------------------- per-customer profitability


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

    ``gross_profit = revenue - cost`` (cost of goods) and
    ``net_profit = gross_profit - cost_to_serve``: customer profitability
    after the cost of serving the customer, as in activity-based customer
    profitability analysis (Kaplan & Cooper 1998, *Cost & Effect*, ch. 10;
    Kaplan & Narayanan 2001, "Measuring and managing customer profitability",
    *Journal of Cost Management* 15(5):5-15). ``cost_to_serve`` is the
    service-cost table's total; its components (visits, logistics, support,
    discounts) are shown beside it and not subtracted a second time.

    Customers are those with an order line or a service-cost row in the
    period: a customer who was served but bought nothing appears with zero
    revenue and a loss. A customer with orders but no service-cost row has a
    cost to serve of 0.

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
        Indexed by customer id (sorted); float columns revenue, cost,
        gross_profit, the present components, cost_to_serve, net_profit.
        transactions (customer_id, order_date, revenue, cost) + service_costs
        (customer_id, month, cost_to_serve, components) -> revenue, cost,
        gross_profit, [components], cost_to_serve, net_profit.

    Raises
    ------
    DataError
        A required column is missing or dates do not parse.
    ParamsError
        ``end`` before ``start``.
    InsufficientDataError
        No order line in the period.
    """
    _require(transactions, [customer_col, date_col, revenue_col, cost_col], "transactions")
    lo, hi = _period(start, end)
    d = _dates(transactions, date_col, "transactions")
    rows = transactions.loc[(d >= lo) & (d < hi), [customer_col, revenue_col, cost_col]]
    if rows.empty:
        raise InsufficientDataError(f"transactions: no order lines between {lo:%Y-%m-%d} and {hi - pd.Timedelta(days=1):%Y-%m-%d}")
    sales = rows.groupby(customer_col, sort=True)[[revenue_col, cost_col]].sum().astype("float64")
    sales.columns = ["revenue", "cost"]

    serve = None
    if service_costs is not None:
        _require(service_costs, [customer_col, month_col, cost_to_serve_col], "service_costs")
        m = _dates(service_costs, month_col, "service_costs")
        sc = service_costs.loc[(m >= lo.replace(day=1)) & (m < hi)]
        if not sc.empty:
            comps = [c for c in components if c in sc.columns and sc[c].notna().any()]
            serve = sc.groupby(customer_col, sort=True)[[*comps, cost_to_serve_col]].sum().astype("float64")
            serve = serve.rename(columns={cost_to_serve_col: "cost_to_serve"})

    if serve is None:
        out = sales.copy()
        out["cost_to_serve"] = np.nan
    else:
        out = sales.join(serve, how="outer").fillna(0.0)
    out = out.sort_index(kind="stable")
    out.index.name = customer_col
    out.insert(2, "gross_profit", out["revenue"] - out["cost"])
    known = serve is not None
    out["net_profit"] = out["gross_profit"] - out["cost_to_serve"] if known else out["gross_profit"]
    out.attrs["net_profit_includes_cost_to_serve"] = known
    return out


def concentration_table(
    frame: pd.DataFrame,
    measures: tuple[str, ...] = ("revenue", "gross_profit", "net_profit"),
    tops: tuple[float, ...] = (0.01, 0.05, 0.1, 0.2, 0.5),
    share: float = 0.8,
    *,
    ci: float | None = None,
    n_boot: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Revenue, gross profit and net profit concentration side by side.

    One row per measure: its total, the share held by the top 1/5/10/20/50%
    of customers (:func:`top_share`), the fraction of customers that make
    ``share`` of it (:func:`share_of_customers_for`), the Gini coefficient
    (:func:`gini`, with a bootstrap interval when ``ci`` is given) and the
    number of customers with a negative value. A measure whose total is not
    positive gets NaN figures and a note instead of an error; a measure with
    negative values gets a note that its Gini can exceed 1.

    Parameters
    ----------
    frame : DataFrame
        One row per customer (e.g. :func:`customer_profitability`).
    measures : tuple of str
        Columns to compare.
    tops : tuple of float
        Top fractions of customers, each in (0, 1].
    share : float
        Share of the total for the "x% of customers make it" column.
    ci, n_boot, seed
        Passed to :func:`gini`.

    Returns
    -------
    DataFrame
        One row per measure. measures -> measure, total, customers,
        negative_customers, top_<p>pct..., customers_for_<p>pct, gini,
        [gini_low, gini_high], note. ``attrs["share_columns"]`` names the
        columns holding shares (top_... and customers_for_...), for formatting.

    Raises
    ------
    DataError
        A measure column is missing.
    InsufficientDataError
        Fewer than two customers.
    ParamsError
        A fraction outside (0, 1].
    """
    _require(frame, list(measures), "frame")
    if len(frame) < 2:
        raise InsufficientDataError(f"frame: {len(frame)} customer(s); concentration needs at least 2 customers")
    tops = tuple(_fraction(t, "tops") for t in tops)
    share = _fraction(share, "share")
    share_col = f"customers_for_{_pct_label(share)}"
    rows = []
    for measure in measures:
        x = _values(frame[measure], measure)
        row = {"measure": measure, "total": float(x.sum()), "customers": int(x.size), "negative_customers": int((x < 0).sum())}
        try:
            for t in tops:
                row[f"top_{_pct_label(t)}"] = top_share(x, t)
            row[share_col] = share_of_customers_for(x, share)
            g = gini(x, ci=ci, n_boot=n_boot, seed=seed)
            if ci is None:
                row["gini"] = g
            else:
                row["gini"], row["gini_low"], row["gini_high"] = g
            row["note"] = "has negative values (kept, not clipped): its Gini can exceed 1" if row["negative_customers"] else ""
        except InsufficientDataError:
            row["note"] = "total is not positive: shares and Gini are undefined"
        rows.append(row)
    cols = ["measure", "total", "customers", "negative_customers", *[f"top_{_pct_label(t)}" for t in tops], share_col, "gini"]
    if ci is not None:
        cols += ["gini_low", "gini_high"]
    out = pd.DataFrame(rows).reindex(columns=[*cols, "note"])
    float_cols = [c for c in cols if c not in ("measure", "customers", "negative_customers")]
    out[float_cols] = out[float_cols].astype("float64")
    out["measure"] = out["measure"].astype("str")
    out["note"] = out["note"].astype("str")
    out.attrs["share_columns"] = (*[f"top_{_pct_label(t)}" for t in tops], share_col)
    return out


# --------------------------------------------------------------------------- whale curve


def whale_curve(net_profit: pd.Series) -> pd.DataFrame:
    """Customers ranked by net profit, with cumulative profit as a share of the total.

    The whale curve of customer profitability (Kaplan & Narayanan 2001;
    Kaplan & Anderson 2007, *Time-Driven Activity-Based Costing*, ch. 1):
    ranked from the most to the least profitable customer, the cumulative
    profit rises above 100% of the total while customers are profitable,
    peaks, and falls back to 100% as the loss-making customers give profit
    back. Ties are ranked by customer id.

    Parameters
    ----------
    net_profit : Series
        Net profit per customer, indexed by customer id (an array is ranked
        with positions as ids).

    Returns
    -------
    DataFrame
        One row per customer, most profitable first (the plot adds the origin).
        net_profit -> <id>, net_profit, rank, cum_share_customers, cum_profit, cum_share_profit.

    Raises
    ------
    InsufficientDataError
        Fewer than two customers, or total net profit not positive (the curve
        as a share of total profit is undefined; look at the loss makers directly).
    DataError
        Non-numeric, missing or infinite values.
    """
    s = net_profit if isinstance(net_profit, pd.Series) else pd.Series(net_profit)
    x = _values(s, "net_profit")
    total = _positive_total(x, "net_profit")
    id_col = s.index.name or "customer_id"
    frame = pd.DataFrame({id_col: s.index.astype("str"), "net_profit": x})
    frame = frame.sort_values(["net_profit", id_col], ascending=[False, True], kind="stable").reset_index(drop=True)
    n = len(frame)
    frame["rank"] = np.arange(1, n + 1)
    frame["cum_share_customers"] = frame["rank"] / n
    frame["cum_profit"] = frame["net_profit"].cumsum()
    frame["cum_share_profit"] = frame["cum_profit"] / total
    return frame


@dataclass(frozen=True)
class WhaleSummary:
    """The whale curve in a few figures, and value destroyers by revenue tier.

    Attributes
    ----------
    customers : int
    total_profit : float
        Total net profit.
    peak_share : float
        Height of the whale curve's peak as a share of total profit (1.6 = 160%).
    peak_customers : int
        Customers up to the peak (the first rank where it is reached).
    peak_at : float
        ``peak_customers / customers``.
    destroyers : int
        Customers with negative net profit.
    destroyer_loss : float
        Their combined loss, as a positive amount; equals
        ``(peak_share - 1) * total_profit``.
    destroyer_loss_share : float
        ``destroyer_loss / total_profit``.
    destroyers_in_a : int
        Value destroyers in revenue tier A.
    by_tier : DataFrame
        Per revenue tier: tier, customers, revenue, revenue_share, net_profit,
        net_profit_share, destroyers, destroyer_rate, destroyer_loss.
    by_customer : DataFrame
        Per customer (the input's index): tier, revenue, net_profit, destroyer (bool).
    cost_to_serve_known : bool
        False when net profit is gross profit (no cost-to-serve data).
    """

    customers: int
    total_profit: float
    peak_share: float
    peak_customers: int
    peak_at: float
    destroyers: int
    destroyer_loss: float
    destroyer_loss_share: float
    destroyers_in_a: int
    by_tier: pd.DataFrame = field(repr=False)
    by_customer: pd.DataFrame = field(repr=False)
    cost_to_serve_known: bool = True

    def figures(self) -> pd.DataFrame:
        """The scalar figures as a two-column table (figure, value)."""
        names = [
            "customers",
            "total_profit",
            "peak_share",
            "peak_customers",
            "peak_at",
            "destroyers",
            "destroyer_loss",
            "destroyer_loss_share",
            "destroyers_in_a",
        ]
        return pd.DataFrame({"figure": names, "value": [float(getattr(self, k)) for k in names]})


def whale_summary(
    profit: pd.DataFrame,
    *,
    revenue_col: str = "revenue",
    net_profit_col: str = "net_profit",
    cutoffs: tuple[float, float] = (0.8, 0.95),
) -> WhaleSummary:
    """Peak of the whale curve, value destroyers, and the revenue tier they sit in.

    Answers "are the top revenue customers cost customers?": value destroyers
    (net profit < 0) are counted per ABC revenue tier (cumulative revenue
    share cut-offs ``cutoffs``, :func:`custlib.analysis.segmentation.abc_classes`).

    Parameters
    ----------
    profit : DataFrame
        One row per customer, indexed by customer id (:func:`customer_profitability`).
    revenue_col, net_profit_col : str
    cutoffs : (float, float)
        Cumulative revenue shares closing tiers A and B.

    Returns
    -------
    WhaleSummary
        revenue, net_profit -> figures + by_tier (tier, customers, revenue,
        revenue_share, net_profit, net_profit_share, destroyers,
        destroyer_rate, destroyer_loss) + by_customer (tier, revenue,
        net_profit, destroyer).

    Raises
    ------
    InsufficientDataError
        Fewer than two customers, total net profit or total revenue not positive.
    DataError
        A column is missing or holds non-numbers.
    """
    _require(profit, [revenue_col, net_profit_col], "profit")
    curve = whale_curve(profit[net_profit_col])
    net = _values(profit[net_profit_col], net_profit_col)
    total = float(net.sum())
    n = len(curve)
    k = int(curve["cum_profit"].to_numpy().argmax()) + 1
    peak = float(curve["cum_share_profit"].iloc[k - 1])
    loss = float(-net[net < 0].sum()) + 0.0  # + 0.0: no loss is 0, not -0

    tiers = _revenue_tiers(profit[revenue_col], cutoffs=cutoffs)
    frame = pd.DataFrame(
        {"tier": tiers.astype("str"), "revenue": profit[revenue_col].astype("float64"), "net_profit": net}, index=profit.index
    )
    frame["destroyer"] = frame["net_profit"] < 0
    frame["loss"] = (-frame["net_profit"]).where(frame["destroyer"], 0.0)
    g = frame.groupby("tier", sort=True)
    by_tier = pd.DataFrame(
        {
            "customers": g.size(),
            "revenue": g["revenue"].sum(),
            "net_profit": g["net_profit"].sum(),
            "destroyers": g["destroyer"].sum(),
            "destroyer_loss": g["loss"].sum(),
        }
    ).reindex(list(TIERS))
    by_tier[["customers", "destroyers"]] = by_tier[["customers", "destroyers"]].fillna(0).astype("int64")
    by_tier[["revenue", "net_profit", "destroyer_loss"]] = by_tier[["revenue", "net_profit", "destroyer_loss"]].fillna(0.0)
    by_tier["revenue_share"] = by_tier["revenue"] / by_tier["revenue"].sum()
    by_tier["net_profit_share"] = by_tier["net_profit"] / total
    by_tier["destroyer_rate"] = by_tier["destroyers"] / by_tier["customers"].where(by_tier["customers"] > 0)
    by_tier = by_tier.rename_axis("tier").reset_index()
    by_tier["tier"] = by_tier["tier"].astype("str")
    by_tier = by_tier[
        [
            "tier",
            "customers",
            "revenue",
            "revenue_share",
            "net_profit",
            "net_profit_share",
            "destroyers",
            "destroyer_rate",
            "destroyer_loss",
        ]
    ]
    return WhaleSummary(
        customers=n,
        total_profit=total,
        peak_share=peak,
        peak_customers=k,
        peak_at=k / n,
        destroyers=int((net < 0).sum()),
        destroyer_loss=loss,
        destroyer_loss_share=loss / total,
        destroyers_in_a=int(by_tier.loc[by_tier["tier"] == "A", "destroyers"].iloc[0]),
        by_tier=by_tier,
        by_customer=frame[["tier", "revenue", "net_profit", "destroyer"]].copy(),
        cost_to_serve_known=bool(profit.attrs.get("net_profit_includes_cost_to_serve", True)),
    )


def plot_whale_curve(net_profit: pd.Series | pd.DataFrame, ax=None, *, color: str = "#e4572e"):
    """Draw the whale curve with its peak and the 100% line.

    Parameters
    ----------
    net_profit : Series or DataFrame
        Net profit per customer (see :func:`whale_curve`), or the curve
        :func:`whale_curve` returned.
    ax : matplotlib Axes, optional
    color : str

    Returns
    -------
    matplotlib Axes
        net_profit -> chart of cumulative profit (% of total) against customers (% ranked).

    Raises
    ------
    InsufficientDataError, DataError
        As :func:`whale_curve`.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    is_curve = isinstance(net_profit, pd.DataFrame) and {"cum_share_customers", "cum_share_profit", "cum_profit"} <= set(net_profit.columns)
    curve = net_profit if is_curve else whale_curve(net_profit)
    if ax is None:
        _, ax = plt.subplots()
    x = np.concatenate([[0.0], curve["cum_share_customers"].to_numpy()]) * 100
    y = np.concatenate([[0.0], curve["cum_share_profit"].to_numpy()]) * 100
    ax.plot(x, y, color=color, linewidth=2, label="Cumulative net profit")
    ax.axhline(100, color="grey", linestyle="--", linewidth=1, label="Total net profit")
    k = int(curve["cum_profit"].to_numpy().argmax())
    px, py = x[k + 1], y[k + 1]
    ax.scatter([px], [py], color=color, zorder=3)
    right = px > 55  # keep the label inside the axes
    ax.annotate(
        f"Peak {py:.0f}% at {px:.0f}% of customers",
        (px, py),
        textcoords="offset points",
        xytext=(-8, 8) if right else (8, 8),
        ha="right" if right else "left",
    )
    ax.set_xlim(0, 100)
    ax.set_ylim(min(0.0, y.min()) - 5, max(110.0, y.max() * 1.12))
    ax.xaxis.set_major_formatter(PercentFormatter())
    ax.yaxis.set_major_formatter(PercentFormatter())
    ax.set_xlabel("Customers ranked by net profit (share of customers)")
    ax.set_ylabel("Cumulative net profit (share of total)")
    ax.set_title("Whale curve")
    # below the curve: past the first customers it stays far above the bottom right corner
    ax.legend(loc="lower right")
    return ax


# --------------------------------------------------------------------------- resources by tier


def tier_allocation(
    profit: pd.DataFrame,
    transactions: pd.DataFrame,
    base_start,
    base_end,
    *,
    cutoffs: tuple[float, float] = (0.8, 0.95),
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    revenue_col: str = "revenue",
    components: tuple[str, ...] = SERVICE_COMPONENTS,
) -> pd.DataFrame:
    """Cost to serve against profit and growth, per revenue tier.

    Tests "spending in proportion to revenue is a mistake": per ABC revenue
    tier (this period's revenue), the share of revenue, of cost to serve (and
    its components) and of net profit, the cost to serve per unit of revenue,
    the net profit earned per unit of cost to serve, and revenue growth of the
    tier's customers against a base period (e.g. the same quarter a year
    earlier, which avoids seasonality).

    Growth is measured on customers tiered by *this* period's revenue. That
    selection favours tier A (customers who had a good period land in A;
    regression to the mean), so an A tier that still grows less than B and C
    is saturated beyond doubt.

    Parameters
    ----------
    profit : DataFrame
        :func:`customer_profitability` of the period, indexed by customer id.
    transactions : DataFrame
        Order lines covering the base period.
    base_start, base_end : date-like
        The base period (both days inclusive).
    cutoffs : (float, float)
        ABC cut-offs on cumulative revenue share.
    customer_col, date_col, revenue_col : str
        Column names in ``transactions``.
    components : tuple of str
        Cost-to-serve components to show when present in ``profit``.

    Returns
    -------
    DataFrame
        Rows A, B, C and "all". profit (revenue, gross_profit, cost_to_serve,
        components, net_profit) + transactions -> tier, customers, revenue,
        revenue_share, gross_profit, [components], cost_to_serve,
        cost_to_serve_share, net_profit, net_profit_share,
        cost_to_serve_per_revenue, net_profit_per_cost_to_serve,
        base_revenue, revenue_growth.

    Raises
    ------
    DataError
        A column is missing.
    InsufficientDataError
        Fewer than two customers, total revenue not positive, or no
        cost-to-serve data (``cost_to_serve`` all missing: resources cannot be
        set against return without them).
    """
    _require(profit, ["revenue", "gross_profit", "cost_to_serve", "net_profit"], "profit")
    if len(profit) < 2:
        raise InsufficientDataError(f"profit: {len(profit)} customer(s); tiers need at least 2 customers")
    if not profit.attrs.get("net_profit_includes_cost_to_serve", True) or profit["cost_to_serve"].isna().all():
        raise InsufficientDataError(
            "no cost-to-serve data for the period (no service_costs table, or no rows in it for these months): "
            "the resources spent on each tier are unknown"
        )
    comps = [c for c in components if c in profit.columns]
    base = _revenue_by_customer(transactions, base_start, base_end, customer_col=customer_col, date_col=date_col, revenue_col=revenue_col)
    money = ["revenue", "gross_profit", *comps, "cost_to_serve", "net_profit"]
    frame = profit[money].copy()
    frame.index = frame.index.astype("str")
    base.index = base.index.astype("str")
    frame["base_revenue"] = base.reindex(frame.index).fillna(0.0).to_numpy()
    frame["tier"] = _revenue_tiers(profit["revenue"], cutoffs=cutoffs).astype("str").to_numpy()
    sums = frame.groupby("tier", sort=True)[[*money, "base_revenue"]].sum(min_count=1).reindex(list(TIERS))
    sums["customers"] = frame.groupby("tier").size().reindex(list(TIERS)).fillna(0).astype("int64")
    all_row = frame[[*money, "base_revenue"]].sum(min_count=1).to_frame("all").T
    all_row["customers"] = len(frame)
    out = pd.concat([sums, all_row])
    out[[*money, "base_revenue"]] = out[[*money, "base_revenue"]].astype("float64")
    total = out.loc["all"]
    out["revenue_share"] = out["revenue"] / total["revenue"]
    out["cost_to_serve_share"] = out["cost_to_serve"] / total["cost_to_serve"] if total["cost_to_serve"] > 0 else np.nan
    out["net_profit_share"] = out["net_profit"] / total["net_profit"] if total["net_profit"] > 0 else np.nan
    out["cost_to_serve_per_revenue"] = out["cost_to_serve"] / out["revenue"].where(out["revenue"] > 0)
    out["net_profit_per_cost_to_serve"] = out["net_profit"] / out["cost_to_serve"].where(out["cost_to_serve"] > 0)
    out["revenue_growth"] = out["revenue"] / out["base_revenue"].where(out["base_revenue"] > 0) - 1.0
    out = out.rename_axis("tier").reset_index()
    out["tier"] = out["tier"].astype("str")
    cols = [
        "tier",
        "customers",
        "revenue",
        "revenue_share",
        "gross_profit",
        *comps,
        "cost_to_serve",
        "cost_to_serve_share",
        "net_profit",
        "net_profit_share",
        "cost_to_serve_per_revenue",
        "net_profit_per_cost_to_serve",
        "base_revenue",
        "revenue_growth",
    ]
    return out[cols]


# --------------------------------------------------------------------------- concentration over time


def concentration_by_quarter(
    transactions: pd.DataFrame,
    *,
    share: float = 0.8,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    revenue_col: str = "revenue",
    cost_col: str = "cost",
    through=None,
) -> pd.DataFrame:
    """Revenue concentration per calendar quarter over the whole history.

    Per quarter, over the customers with an order line in it: the same
    figures as ``custlib.io.data.peer_quarterly`` (customers, revenue,
    gross_profit, gini_revenue, top20_share_revenue; same definitions, see
    :func:`gini` and :func:`top_share`) plus the fraction of customers making
    ``share`` of revenue and the Gini of gross profit. Quarters without
    orders between the first and the last are kept with 0 customers; a
    quarter with fewer than two customers or a non-positive total has NaN
    figures.

    Parameters
    ----------
    transactions : DataFrame
        Order lines of one region.
    share : float
        For the ``customers_for_<p>pct_revenue`` column.
    customer_col, date_col, revenue_col, cost_col : str
    through : date-like, optional
        Extend the quarters to the one containing this date (e.g. the report
        quarter's end), so that a report quarter without orders shows as a
        quarter with 0 customers instead of being left out.

    Returns
    -------
    DataFrame
        One row per quarter, oldest first. transactions -> quarter, customers,
        revenue, gross_profit, gini_revenue, top20_share_revenue,
        customers_for_<p>pct_revenue, gini_gross_profit.

    Raises
    ------
    DataError
        A column is missing.
    InsufficientDataError
        No order lines at all.
    """
    _require(transactions, [customer_col, date_col, revenue_col, cost_col], "transactions")
    share = _fraction(share, "share")
    if transactions.empty:
        raise InsufficientDataError("transactions: no order lines; concentration over time needs orders")
    q = _dates(transactions, date_col, "transactions").dt.to_period("Q")
    lines = pd.DataFrame(
        {
            "q": q.to_numpy(),
            "customer": transactions[customer_col].astype("str").to_numpy(),
            "revenue": transactions[revenue_col].astype("float64").to_numpy(),
            "gross_profit": (transactions[revenue_col] - transactions[cost_col]).astype("float64").to_numpy(),
        }
    )
    per = lines.groupby(["q", "customer"], sort=True)[["revenue", "gross_profit"]].sum()
    share_col = f"customers_for_{_pct_label(share)}_revenue"

    def _safe(fn, v):
        try:
            return fn(v)
        except InsufficientDataError:
            return np.nan

    last = lines["q"].max()
    if through is not None:
        last = max(last, pd.Timestamp(through).to_period("Q"))
    rows = []
    for period in pd.period_range(lines["q"].min(), last, freq="Q"):
        block = per.xs(period, level="q") if period in per.index.get_level_values("q") else per.iloc[0:0]
        rev = block["revenue"].to_numpy()
        gp = block["gross_profit"].to_numpy()
        rows.append(
            {
                "quarter": str(period),
                "customers": len(block),
                "revenue": float(rev.sum()),
                "gross_profit": float(gp.sum()),
                "gini_revenue": _safe(gini, rev),
                "top20_share_revenue": _safe(lambda v: top_share(v, 0.2), rev),
                share_col: _safe(lambda v: share_of_customers_for(v, share), rev),
                "gini_gross_profit": _safe(gini, gp),
            }
        )
    out = pd.DataFrame(rows)
    out["quarter"] = out["quarter"].astype("str")
    out["customers"] = out["customers"].astype("int64")
    return out


def concentration_vs_peers(
    own: pd.DataFrame,
    peer_quarterly: pd.DataFrame | None,
    region: str,
    *,
    measure: str = "gini_revenue",
) -> pd.DataFrame:
    """This region's concentration per quarter beside the other regions'.

    Parameters
    ----------
    own : DataFrame
        :func:`concentration_by_quarter` of the region.
    peer_quarterly : DataFrame or None
        Per (region, quarter) aggregates of all regions (``ctx.data.peer_quarterly``);
        the region's own rows are left out (matched case-insensitively).
    region : str
        This region's name.
    measure : str
        A column present in both, e.g. ``gini_revenue`` or ``top20_share_revenue``.

    Returns
    -------
    DataFrame
        One row per quarter of ``own``. own (quarter, measure) + peers (region,
        quarter, measure) -> quarter, this_region, peer_median, peer_min,
        peer_max, rank (1 = most concentrated of all regions), regions.
        ``attrs["measure"]`` names the measure.

    Raises
    ------
    DataError
        A column is missing.
    """
    _require(own, ["quarter", measure], "own")
    out = pd.DataFrame({"quarter": own["quarter"].astype("str").to_numpy(), "this_region": own[measure].astype("float64").to_numpy()})
    if peer_quarterly is None or len(peer_quarterly) == 0:
        peers = pd.DataFrame({"quarter": pd.Series([], dtype="str"), "value": pd.Series([], dtype="float64")})
    else:
        _require(peer_quarterly, ["region", "quarter", measure], "peer_quarterly")
        others = peer_quarterly["region"].astype("str").str.casefold() != str(region).casefold()
        peers = pd.DataFrame(
            {
                "quarter": peer_quarterly.loc[others, "quarter"].astype("str").to_numpy(),
                "value": peer_quarterly.loc[others, measure].astype("float64").to_numpy(),
            }
        ).dropna()
    stats = peers.groupby("quarter")["value"].agg(["median", "min", "max", "count"])
    stats.columns = ["peer_median", "peer_min", "peer_max", "peers"]
    out = out.join(stats, on="quarter")
    out["peers"] = out["peers"].fillna(0).astype("int64")
    merged = out[["quarter", "this_region"]].merge(peers, on="quarter", how="left")
    higher = (merged["value"] > merged["this_region"]).groupby(merged["quarter"], sort=False).sum()
    out["rank"] = (1 + out["quarter"].map(higher).fillna(0)).astype("int64").where(out["this_region"].notna())
    out["rank"] = out["rank"].astype("Int64")
    out["regions"] = out["peers"] + out["this_region"].notna().astype("int64")
    out = out.drop(columns="peers")
    out.attrs["measure"] = measure
    return out


def plot_concentration_trend(comparison: pd.DataFrame, ax=None, *, label: str | None = None, color: str = "#1b5e8c"):
    """Draw this region's concentration per quarter against the other regions' range and median.

    Parameters
    ----------
    comparison : DataFrame
        :func:`concentration_vs_peers`.
    ax : matplotlib Axes, optional
    label : str, optional
        Y-axis label; defaults to the measure's name.
    color : str

    Returns
    -------
    matplotlib Axes
        quarter, this_region, peer_median, peer_min, peer_max -> line chart.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    _require(comparison, ["quarter", "this_region", "peer_median", "peer_min", "peer_max"], "comparison")
    if ax is None:
        _, ax = plt.subplots()
    pos = np.arange(len(comparison))
    ax.fill_between(
        pos,
        comparison["peer_min"].astype("float64"),
        comparison["peer_max"].astype("float64"),
        color="grey",
        alpha=0.2,
        label="Other regions (range)",
    )
    ax.plot(pos, comparison["peer_median"], color="grey", linestyle="--", label="Other regions (median)")
    ax.plot(pos, comparison["this_region"], color=color, marker="o", linewidth=2, label="This region")
    ax.set_xticks(pos, comparison["quarter"].tolist(), rotation=45, ha="right")
    measure = str(comparison.attrs.get("measure", ""))
    default = measure.replace("_", " ").capitalize() or "Concentration"
    ax.set_ylabel(label or _MEASURE_LABELS.get(measure, default))
    if measure in _SHARE_MEASURES:
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.set_title("Concentration by quarter: this region and the others")
    ax.set_xlabel("Quarter")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)  # beside the axes, never over the lines
    return ax


# --------------------------------------------------------------------------- tier migration


def tier_migration(
    transactions: pd.DataFrame,
    prev_start,
    prev_end,
    start,
    end,
    *,
    cutoffs: tuple[float, float] = (0.8, 0.95),
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    revenue_col: str = "revenue",
) -> pd.DataFrame:
    """Movements between ABC revenue tiers from one period to the next, with their revenue impact.

    Each period's customers (those with an order line in it) are tiered by
    that period's revenue (:func:`custlib.analysis.segmentation.abc_classes`); a
    customer without orders in a period is in tier ``"none"``: a move from
    ``none`` is ``entered`` (a new customer, or one returning after a pause),
    a move to ``none`` is ``left`` (a lost customer, or one pausing; B2B
    customers often skip a quarter). The revenue impact of a movement is the change in the moving
    customers' revenue.

    Parameters
    ----------
    transactions : DataFrame
        Order lines covering both periods.
    prev_start, prev_end, start, end : date-like
        The earlier and the later period (days inclusive).
    cutoffs : (float, float)
        ABC cut-offs on cumulative revenue share.
    customer_col, date_col, revenue_col : str

    Returns
    -------
    DataFrame
        All 15 (from, to) pairs of A, B, C, none (without none -> none), in
        that order. transactions -> from_tier, to_tier, move (up, down, same,
        entered, left), customers, revenue_before, revenue_after, revenue_change.

    Raises
    ------
    DataError
        A column is missing.
    InsufficientDataError
        Either period has fewer than two customers or no positive revenue.
    """
    kw = {"customer_col": customer_col, "date_col": date_col, "revenue_col": revenue_col}
    before = _revenue_by_customer(transactions, prev_start, prev_end, **kw)
    after = _revenue_by_customer(transactions, start, end, **kw)
    periods = (("previous period", prev_start, prev_end, before), ("period", start, end, after))
    for name, lo, hi, s in periods:
        if len(s) < 2:
            raise InsufficientDataError(
                f"{len(s)} customer(s) with orders in the {name} ({pd.Timestamp(lo):%Y-%m-%d} to {pd.Timestamp(hi):%Y-%m-%d}); "
                "revenue tiers need at least 2"
            )
    frame = pd.DataFrame({"revenue_before": before, "revenue_after": after}).fillna(0.0)
    frame["from_tier"] = _revenue_tiers(before, cutoffs=cutoffs).astype("str").reindex(frame.index).fillna(NO_TIER)
    frame["to_tier"] = _revenue_tiers(after, cutoffs=cutoffs).astype("str").reindex(frame.index).fillna(NO_TIER)
    g = frame.groupby(["from_tier", "to_tier"])
    agg = pd.DataFrame({"customers": g.size(), "revenue_before": g["revenue_before"].sum(), "revenue_after": g["revenue_after"].sum()})
    levels = [*TIERS, NO_TIER]
    pairs = [(a, b) for a, b in product(levels, levels) if not (a == NO_TIER and b == NO_TIER)]
    agg = agg.reindex(pd.MultiIndex.from_tuples(pairs, names=["from_tier", "to_tier"]))
    agg["customers"] = agg["customers"].fillna(0).astype("int64")
    agg[["revenue_before", "revenue_after"]] = agg[["revenue_before", "revenue_after"]].fillna(0.0).astype("float64")
    out = agg.reset_index()
    out["from_tier"] = out["from_tier"].astype("str")
    out["to_tier"] = out["to_tier"].astype("str")
    order = {t: i for i, t in enumerate(TIERS)}

    def _move(a: str, b: str) -> str:
        if a == NO_TIER:
            return "entered"
        if b == NO_TIER:
            return "left"
        return "same" if a == b else ("up" if order[b] < order[a] else "down")

    out.insert(2, "move", pd.Series([_move(a, b) for a, b in zip(out["from_tier"], out["to_tier"], strict=True)], dtype="str"))
    out["revenue_change"] = out["revenue_after"] - out["revenue_before"]
    return out


def migration_matrix(moves: pd.DataFrame, values: str = "customers") -> pd.DataFrame:
    """The transition matrix of :func:`tier_migration`: from-tier rows, to-tier columns.

    Parameters
    ----------
    moves : DataFrame
        :func:`tier_migration`.
    values : str
        ``customers``, ``revenue_before``, ``revenue_after`` or ``revenue_change``.

    Returns
    -------
    DataFrame
        Index from_tier (A, B, C, none), columns to_tier (A, B, C, none);
        the none -> none cell is 0. from_tier, to_tier, values -> matrix.

    Raises
    ------
    DataError
        A column is missing.
    """
    _require(moves, ["from_tier", "to_tier", values], "moves")
    levels = [*TIERS, NO_TIER]
    m = moves.pivot(index="from_tier", columns="to_tier", values=values).reindex(index=levels, columns=levels)
    return m.fillna(0).astype(moves[values].dtype)


# --------------------------------------------------------------------------- summary


def pareto_summary(
    profit: pd.DataFrame,
    *,
    share: float = 0.8,
    cutoffs: tuple[float, float] = (0.8, 0.95),
    revenue_col: str = "revenue",
    net_profit_col: str = "net_profit",
    currency: str = "",
) -> pd.DataFrame:
    """The three numbers that matter, in plain language.

    1. How many customers make ``share`` of revenue, and of net profit
       (is it "80/20", and is profit as concentrated as revenue?).
    2. The whale curve's peak: the most profitable customers earn more than
       all the profit; the rest give part of it back.
    3. Value destroyers: how many customers lose money after cost to serve,
       how much, and how many of them are top revenue (tier A) customers.

    A non-positive total net profit yields sentences that say so instead of
    an error; fewer than two customers raise (:func:`pareto_region` then
    writes a summary that says so). Sentences contain only figures, no
    customer names or ids.

    Parameters
    ----------
    profit : DataFrame
        :func:`customer_profitability`, indexed by customer id.
    share : float
        The "x% of customers make ``share``" threshold.
    cutoffs : (float, float)
        ABC cut-offs on cumulative revenue share.
    revenue_col, net_profit_col : str
    currency : str
        Prefix for money amounts in the sentences (e.g. "CNY"); none by default.

    Returns
    -------
    DataFrame
        Three rows. profit (revenue, net_profit) -> figure, value, shown
        (value formatted), implication (a sentence).

    Raises
    ------
    DataError
        A column is missing.
    InsufficientDataError
        Fewer than two customers.
    """
    _require(profit, [revenue_col, net_profit_col], "profit")
    if len(profit) < 2:
        raise InsufficientDataError(f"profit: {len(profit)} customer(s); a Pareto diagnosis needs at least 2 customers")
    s = _fraction(share, "share")
    known = bool(profit.attrs.get("net_profit_includes_cost_to_serve", True))
    cur = f"{currency} " if currency else ""
    no_cts = "" if known else " (no cost-to-serve data: net profit here is gross profit)"
    after = "after cost to serve" if known else "on their gross profit"
    rows = []

    rev_x = share_of_customers_for(profit[revenue_col], s)
    try:
        net_x = share_of_customers_for(profit[net_profit_col], s)
    except InsufficientDataError:
        net_x = np.nan
    if 0.15 <= rev_x <= 0.25:
        shape = "close to the 80/20 pattern"
    elif rev_x < 0.15:
        shape = "more concentrated than 80/20: losing one large customer would hurt"
    else:
        shape = "flatter than 80/20: revenue is spread over many customers"
    if np.isnan(net_x):
        profit_text = "Net profit is not positive in total, so its concentration is undefined."
    elif net_x < rev_x:
        profit_text = f"Net profit is more concentrated: {net_x:.0%} of customers make {s:.0%} of it{no_cts}."
    else:
        profit_text = f"Net profit is less concentrated: it takes {net_x:.0%} of customers to make {s:.0%} of it{no_cts}."
    rows.append(
        {
            "figure": f"customers making {s:.0%} of revenue",
            "value": rev_x,
            "shown": f"{rev_x:.0%}" + ("" if np.isnan(net_x) else f" (net profit: {net_x:.0%})"),
            "implication": f"{rev_x:.0%} of customers bring {s:.0%} of revenue, {shape}. {profit_text}",
        }
    )

    try:
        w = whale_summary(profit, revenue_col=revenue_col, net_profit_col=net_profit_col, cutoffs=cutoffs)
    except InsufficientDataError:
        w = None
    if w is None:
        total = float(profit[net_profit_col].sum())
        loss_mask = profit[net_profit_col] < 0
        rows.append(
            {
                "figure": "whale curve peak (share of total net profit)",
                "value": np.nan,
                "shown": "–",
                "implication": f"Total net profit is {cur}{total:,.0f}, not positive: the whale curve is undefined; "
                "the whole region is a cost centre this period.",
            }
        )
        rows.append(
            {
                "figure": "customers destroying value",
                "value": float(loss_mask.sum()),
                "shown": f"{int(loss_mask.sum()):,}",
                "implication": f"{int(loss_mask.sum()):,} customer{'' if loss_mask.sum() == 1 else 's'} lose{'s' if loss_mask.sum() == 1 else ''} money, "
                f"{cur}{float(-profit.loc[loss_mask, net_profit_col].sum()):,.0f} in total{no_cts}.",
            }
        )
    else:
        rows.append(
            {
                "figure": "whale curve peak (share of total net profit)",
                "value": w.peak_share,
                "shown": f"{w.peak_share:.0%} at {w.peak_at:.0%} of customers",
                "implication": (
                    f"The most profitable {w.peak_at:.0%} of customers earn {w.peak_share:.0%} of the net profit; "
                    f"the other {1 - w.peak_at:.0%} give {w.peak_share - 1:.0%} of it back{no_cts}."
                    if w.destroyers
                    else f"No customer loses money: the curve rises to 100% of the net profit without a peak above it{no_cts}."
                ),
            }
        )
        if w.destroyers_in_a:
            verdict = (
                f"{w.destroyers_in_a:,} of them {'is a' if w.destroyers_in_a == 1 else 'are'} top revenue (tier A) "
                f"customer{'' if w.destroyers_in_a == 1 else 's'}: big buyers can be cost customers; "
                "review their prices, terms and service levels before chasing more of their volume."
            )
        elif w.destroyers:
            verdict = "None of them is a top revenue (tier A) customer: the losses sit in the smaller tiers."
        else:
            verdict = "Every customer covers its cost to serve." if known else "Every customer has a positive gross profit."
        rows.append(
            {
                "figure": "customers destroying value",
                "value": float(w.destroyers),
                "shown": f"{w.destroyers:,} ({w.destroyers / w.customers:.0%}), loss {cur}{w.destroyer_loss:,.0f}",
                "implication": (
                    f"{w.destroyers:,} customer{'' if w.destroyers == 1 else 's'} ({w.destroyers / w.customers:.0%}) "
                    f"lose{'s' if w.destroyers == 1 else ''} money {after}, "
                    f"{cur}{w.destroyer_loss:,.0f} in total ({w.destroyer_loss_share:.0%} of net profit){no_cts}. {verdict}"
                    if w.destroyers
                    else verdict
                ),
            }
        )
    out = pd.DataFrame(rows)
    for c in ("figure", "shown", "implication"):
        out[c] = out[c].astype("str")
    out["value"] = out["value"].astype("float64")
    return out


# --------------------------------------------------------------------------- the report


#: Defaults of the ``pareto`` parameters (the same as ``params/defaults.yaml``).
DEFAULTS = {
    "abc_cutoffs": [0.8, 0.95],
    "top_fractions": [0.01, 0.05, 0.1, 0.2, 0.5],
    "share": 0.8,
    "gini_ci": 0.95,
    "bootstrap_draws": 1000,
    "growth_lag_quarters": 4,
    "trend_measure": "gini_revenue",
}

_MONEY = (
    "total",
    "revenue",
    "gross_profit",
    *SERVICE_COMPONENTS,
    "cost_to_serve",
    "net_profit",
    "destroyer_loss",
    "base_revenue",
    "revenue_before",
    "revenue_after",
    "revenue_change",
)
_PCT = ("revenue_share", "net_profit_share", "destroyer_rate", "cost_to_serve_share", "revenue_growth")
_DECIMALS = ("gini", "gini_low", "gini_high", "cost_to_serve_per_revenue", "net_profit_per_cost_to_serve")

#: How the report names columns whose computed names would read poorly (see :meth:`ParetoReport.display`).
DISPLAY_NAMES = {
    "negative_customers": "Customers below zero",
    "revenue_share": "Share of revenue",
    "net_profit_share": "Share of net profit",
    "cost_to_serve_share": "Share of cost to serve",
    "cost_to_serve_per_revenue": "Cost to serve / revenue",
    "net_profit_per_cost_to_serve": "Net profit per 1 of cost to serve",
    "destroyers": "Loss-making customers",
    "destroyer_rate": "Loss-making share",
    "destroyer_loss": "Their combined loss",
}
MOVE_LABELS = {"up": "Up", "down": "Down", "same": "Same", "entered": "Entered", "left": "Left"}
NO_TIER_LABEL = "No orders"


def _lang() -> str:
    """The language of the report being made (set by :func:`custlib.reports.context.open_report`)."""
    from custlib.reports import context as report

    return getattr(report, "_LANG", "en")


def _tr(text: str, lang: str | None = None) -> str:
    from custlib.present import i18n

    return i18n.tr(text, lang or _lang())


def _tr_sentences(text: str, lang: str) -> str:
    """``text`` translated sentence by sentence (generated sentences are catalogued one by one)."""
    if lang == "en":
        return text
    parts = re.split(r"(?<=[.!?]) (?=\S)", text)
    return "".join(_tr(p, lang) for p in parts)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class ParetoReport(Sections):
    """Every section of the Pareto diagnostics for one region and quarter.

    Built by :func:`pareto_region`. Results (``tables``): profit (per
    customer, :func:`customer_profitability`), summary (figure, shown,
    implication), concentration, whale_curve, whale (:class:`WhaleSummary`),
    whale_by_tier, allocation, concentration_by_quarter, concentration_trend
    and migration. A section that could not be computed is in
    ``unavailable`` with its reason; :meth:`show` and :meth:`plot` then say
    why instead of failing (see :class:`custlib.reports.context.Sections`).

    Attributes
    ----------
    quarter : str
    currency : str
        Prefix of money columns in :meth:`show`.
    params : dict
        The ``pareto`` parameters used (defaults filled in).
    base_quarter : str
        The quarter revenue growth is measured against (``growth_lag_quarters`` earlier).
    previous_profit : DataFrame or None
        :func:`customer_profitability` of the previous quarter, for the
        executive summary's comparison; None when it has no orders.
    """

    def __init__(self, quarter: str, currency: str = "", params: dict | None = None) -> None:
        super().__init__()
        self.quarter = quarter
        self.currency = currency
        self.params = dict(params or {})
        lag = int(self.params.get("growth_lag_quarters", DEFAULTS["growth_lag_quarters"]))
        self.base_quarter = str(Quarter.parse(quarter).shift(-lag))
        self.previous_profit: pd.DataFrame | None = None

    # ------------------------------------------------------------------ display

    def display(self, name: str) -> tuple[pd.DataFrame, dict]:
        """The table ``name`` as the report shows it, with its formats for :func:`custlib.reports.context.show`.

        Only what a manager reads: ``concentration`` without the constant
        customer count and the long notes (the Gini's interval as one
        "low–high" column); ``allocation`` with shares and ratios instead of
        every cost component; ``migration`` without empty movements, with the
        quarters in the revenue headers; tiers, moves and measures as words.
        Other tables are shown as computed.

        Returns
        -------
        (DataFrame, dict)
            The table and the ``money``/``pct``/``decimals``/``currency`` keyword arguments.

        Raises
        ------
        InsufficientDataError
            The section is unavailable.
        """
        result = self.table(name)
        q = Quarter.parse(self.quarter)
        names = dict(DISPLAY_NAMES)
        if name == "concentration":
            shares = [c for c in result.attrs.get("share_columns", ()) if c in result.columns]
            for c in shares:
                pct = c.removeprefix("top_").removeprefix("customers_for_").removesuffix("pct")
                names[c] = f"Top {pct}%" if c.startswith("top_") else f"Customers making {pct}%"
            frame = result[["measure", "total", "negative_customers", *shares, "gini"]].copy()
            frame["measure"] = frame["measure"].str.replace("_", " ").map(_cap)
            if {"gini_low", "gini_high"} <= set(result.columns):
                level = f"{round(float(self.params.get('gini_ci', 0.95)) * 100, 6):g}%"

                def interval(lo, hi) -> str:
                    if pd.isna(lo) or pd.isna(hi):
                        return "–"
                    return f"{lo:.2f}–{'∞' if np.isinf(hi) else f'{hi:.2f}'}"

                frame[f"Gini {level} interval"] = [interval(lo, hi) for lo, hi in zip(result["gini_low"], result["gini_high"], strict=True)]
                frame[f"Gini {level} interval"] = frame[f"Gini {level} interval"].astype("str")
        elif name == "allocation":
            names["revenue_growth"] = f"Revenue growth vs {self.base_quarter}"
            cols = [
                "tier",
                "customers",
                "revenue_share",
                "cost_to_serve",
                "cost_to_serve_share",
                "cost_to_serve_per_revenue",
                "net_profit",
                "net_profit_share",
                "net_profit_per_cost_to_serve",
                "revenue_growth",
            ]
            frame = result[cols].assign(tier=result["tier"].replace({"all": "All"}))
        elif name == "migration":
            names.update({"revenue_before": f"Revenue {q.previous}", "revenue_after": f"Revenue {q}"})
            frame = result[result["customers"] > 0].copy()
            for col in ("from_tier", "to_tier"):
                frame[col] = frame[col].replace({NO_TIER: NO_TIER_LABEL})
            frame["move"] = frame["move"].map(lambda m: MOVE_LABELS.get(m, m)).astype("str")
        else:
            frame = result
        money = tuple(names.get(c, c) for c in frame.columns if c in _MONEY)
        pct = tuple(names.get(c, c) for c in frame.columns if c in _PCT or c in result.attrs.get("share_columns", ()))
        decimals = tuple(names.get(c, c) for c in frame.columns if c in _DECIMALS and names.get(c, c) not in pct)
        if name == "allocation":
            pct += (names["cost_to_serve_per_revenue"],)
            decimals = tuple(d for d in decimals if d != names["cost_to_serve_per_revenue"])
        frame = frame.rename(columns={c: names[c] for c in frame.columns if c in names})
        return frame.reset_index(drop=True), {"money": money, "pct": pct, "decimals": decimals, "currency": self.currency}

    def summary_markdown(self, lang: str | None = None) -> str:
        """The "in short" section as a Markdown list: one line per figure with what it implies.

        Sentences carry only figures, no customer names; they are translated
        sentence by sentence into ``lang`` (default: the report's language).
        """
        lang = lang or _lang()
        colon = "：" if lang == "zh" else ":"
        lines = []
        for fig, text in zip(self.table("summary")["figure"], self.table("summary")["implication"], strict=True):
            lines.append(f"- **{esc(_tr(_cap(fig), lang))}{colon}** {esc(_tr_sentences(text, lang))}")
        return "\n".join(lines)

    def _say_note(self, name: str) -> None:
        label = "*注：*" if _lang() == "zh" else "*Note:*"
        say(f"{label} {esc(_tr(self.caveats[name]))}")

    def say_unavailable(self, name: str) -> bool:
        """As :meth:`custlib.reports.context.Sections.say_unavailable`, with the caveat in the report's language."""
        if name in self.tables and self.caveats.get(name):
            self._say_note(name)
            return False
        return super().say_unavailable(name)

    def show(self, name: str, caption: str | None = None, **kwargs) -> None:
        """Show the table ``name`` as :meth:`display` shapes it, or say why it is missing.

        ``summary`` is said as a list (:meth:`summary_markdown`); ``kwargs``
        override the formats (see :func:`custlib.reports.context.show`).
        """
        from custlib.reports import context as report

        if self.say_unavailable(name):
            return
        if name == "summary":
            say(self.summary_markdown())
            return
        frame, fmt = self.display(name)
        report.show(frame, caption, **{**fmt, **kwargs})

    def plot(self, name: str, plot_fn, *args, ax=None, **kwargs):
        """As :meth:`custlib.reports.context.Sections.plot`, saying the section's caveat (if any) above the chart."""
        if name in self.tables:
            if self.caveats.get(name):
                self._say_note(name)
            return plot_fn(self.tables[name], *args, ax=ax, **kwargs)
        return super().plot(name, plot_fn, *args, ax=ax, **kwargs)


def _merge_params(params: dict | None) -> dict:
    """``params`` (the ``pareto`` section) over :data:`DEFAULTS`; unknown keys raise ParamsError."""
    unknown = sorted(set(params or {}) - set(DEFAULTS))
    if unknown:
        raise ParamsError(f"pareto.{unknown[0]}: unknown parameter; known: {', '.join(DEFAULTS)}")
    return {**DEFAULTS, **(params or {})}


def _quarter_profit(transactions: pd.DataFrame, service_costs, quarter: Quarter) -> pd.DataFrame:
    """:func:`customer_profitability` of the quarter; a quarter without orders raises a plain reason."""
    _require(transactions, ["order_date"], "transactions")
    d = _dates(transactions, "order_date", "transactions")
    in_q = (d >= quarter.start) & (d < quarter.end + pd.Timedelta(days=1))
    if not in_q.any():
        before = d[d < quarter.start]
        last = f"; the last order before it was on {before.max():%Y-%m-%d}" if len(before) else "; there are no earlier orders either"
        raise InsufficientDataError(f"the region has no orders in {quarter} ({quarter.start:%Y-%m-%d} to {quarter.end:%Y-%m-%d}){last}")
    return customer_profitability(transactions, service_costs, quarter.start, quarter.end)


def _one_customer_text(region_customers: int, quarter: Quarter, what: str = "concentration figures") -> str:
    if region_customers <= 1:
        return f"This region has one customer; {what} need at least two."
    return f"Only one of the region's {region_customers:,} customers bought in {quarter}; {what} need at least two."


def _at_least_two(profit: pd.DataFrame, region_customers: int, quarter: Quarter) -> pd.DataFrame:
    if len(profit) < 2:
        raise InsufficientDataError(_one_customer_text(region_customers, quarter))
    return profit


def _degraded_summary(rep: ParetoReport, region_customers: int, quarter: Quarter) -> pd.DataFrame:
    """The "in short" table when there is no concentration to measure (no orders, or one customer)."""
    cur = f"{rep.currency} " if rep.currency else ""
    if "profit" not in rep.tables:
        reason = rep.unavailable.get("profit", f"the region has no orders in {quarter}")
        rows = [
            {
                "figure": f"orders in {quarter}",
                "shown": "none",
                "implication": f"{reason[:1].upper()}{reason[1:]} (the region has {region_customers:,} customer(s)). "
                "There is nothing to diagnose this quarter; concentration over time below shows the history.",
            }
        ]
    else:
        profit = rep.tables["profit"]
        net = float(profit["net_profit"].sum())
        known = bool(profit.attrs.get("net_profit_includes_cost_to_serve", True))
        what = "net profit after cost to serve" if known else "gross profit (no cost-to-serve data)"
        verdict = (
            f"It earns {cur}{net:,.0f} of {what}."
            if net >= 0
            else f"It loses {cur}{-net:,.0f} of {what}: review its prices, terms and service."
        )
        rows = [
            {"figure": f"customers with orders in {quarter}", "shown": "1", "implication": _one_customer_text(region_customers, quarter)},
            {"figure": "net profit" if known else "gross profit", "shown": f"{cur}{net:,.0f}", "implication": verdict},
        ]
    return pd.DataFrame(rows, columns=["figure", "shown", "implication"]).astype("str")


def _positive_profit(profit: pd.DataFrame, currency: str) -> pd.DataFrame:
    """``profit`` when its total net profit is positive; otherwise a plain reason (the whale curve is undefined)."""
    total = float(profit["net_profit"].sum())
    if total <= 0:
        cur = f"{currency} " if currency else ""
        raise InsufficientDataError(
            f"total net profit is {cur}{total:,.0f}, not positive: the region is a cost centre this quarter and shares of "
            "its profit are undefined; the summary above counts the customers who lose money"
        )
    return profit


def _trend(by_quarter: pd.DataFrame, peer_quarterly, region: str, measure: str) -> pd.DataFrame:
    out = concentration_vs_peers(by_quarter, peer_quarterly, region, measure=measure)
    if out["this_region"].isna().all():
        raise InsufficientDataError(
            "the region never had two or more customers with orders in one quarter; concentration over time needs at least two"
        )
    return out


def pareto_region(
    transactions: pd.DataFrame,
    service_costs: pd.DataFrame | None,
    customers: pd.DataFrame,
    quarter,
    peer_quarterly: pd.DataFrame | None = None,
    params: dict | None = None,
    seed: int = 0,
    currency: str = "",
    *,
    region: str = "",
) -> ParetoReport:
    """Compute every section of the Pareto diagnostics for one region and quarter.

    Each section is computed on its own with :meth:`~custlib.reports.context.Sections.compute`:
    one that meets degenerate data (no orders in the quarter, one customer,
    a total net profit that is not positive, no cost-to-serve data, a history
    shorter than the comparison) is recorded as unavailable with its reason in
    plain words, and the other sections are still computed. The summary is
    always present: with no orders or a single customer it says so (e.g.
    "This region has one customer; concentration figures need at least two.").

    Sections: ``summary`` (:func:`pareto_summary`), ``concentration``
    (:func:`concentration_table` with a bootstrap interval of the Gini),
    ``whale_curve`` (:func:`whale_curve`; draw with :func:`plot_whale_curve`),
    ``whale`` and ``whale_by_tier`` (:func:`whale_summary`), ``allocation``
    (:func:`tier_allocation` against ``growth_lag_quarters`` earlier),
    ``concentration_by_quarter`` and ``concentration_trend``
    (:func:`concentration_by_quarter` through the quarter,
    :func:`concentration_vs_peers`; draw with :func:`plot_concentration_trend`),
    ``migration`` (:func:`tier_migration` from the previous quarter); plus
    ``profit`` (:func:`customer_profitability` of the quarter). Without
    cost-to-serve data net profit is gross profit: the concentration and
    whale sections carry that caveat and ``allocation`` is unavailable.

    Parameters
    ----------
    transactions : DataFrame
        The region's order lines, whole history up to the quarter's end.
    service_costs : DataFrame or None
        The region's cost to serve per customer and month, or None.
    customers : DataFrame
        The region's customers (``customer_id``): counted for the summary.
    quarter : str or Quarter
    peer_quarterly : DataFrame, optional
        Per (region, quarter) aggregates of all regions (``ctx.data.peer_quarterly``).
    params : dict, optional
        The ``pareto`` parameters; missing keys take :data:`DEFAULTS`.
    seed : int
        Seed of the Gini bootstrap (the runner's ``run.seed``).
    currency : str
        Shown with money amounts.
    region : str
        The region's name, to leave it out of the peers (matched
        case-insensitively); by default the region of ``customers``.

    Returns
    -------
    ParetoReport
        transactions, service_costs, customers, peer_quarterly -> the sections above.

    Raises
    ------
    ParamsError
        A bad or unknown parameter (never hidden as "unavailable").
    DataError
        A required column is missing.
    """
    q = Quarter.parse(quarter)
    P = _merge_params(params)
    cutoffs = tuple(P["abc_cutoffs"])
    rep = ParetoReport(str(q), currency, P)
    _require(customers, ["customer_id"], "customers")
    n_region = int(customers["customer_id"].nunique())
    if not region and "region" in customers.columns and len(customers):
        region = str(customers["region"].iloc[0])

    rep.compute("profit", _quarter_profit, transactions, service_costs, q)

    def enough() -> pd.DataFrame:
        return _at_least_two(rep.table("profit"), n_region, q)

    def trend() -> pd.DataFrame:
        if n_region < 2:
            raise InsufficientDataError(_one_customer_text(n_region, q))
        return _trend(rep.table("concentration_by_quarter"), peer_quarterly, region, P["trend_measure"])

    def migration() -> pd.DataFrame:
        rep.table("profit")  # no orders in the quarter: say that, not "0 customers"
        if n_region < 2:
            raise InsufficientDataError(_one_customer_text(n_region, q, "revenue tiers"))
        prev = q.previous
        return tier_migration(transactions, prev.start, prev.end, q.start, q.end, cutoffs=cutoffs)

    if rep.available("profit") and len(rep.tables["profit"]) >= 2:
        rep.compute("summary", pareto_summary, rep.tables["profit"], share=P["share"], cutoffs=cutoffs, currency=currency)
        if rep.available("summary"):
            rep.tables["summary"] = rep.tables["summary"][["figure", "shown", "implication"]]
    else:
        rep.tables["summary"] = _degraded_summary(rep, n_region, q)
    rep.compute(
        "concentration",
        lambda: concentration_table(
            enough(), tops=tuple(P["top_fractions"]), share=P["share"], ci=P["gini_ci"], n_boot=P["bootstrap_draws"], seed=seed
        ),
    )
    rep.compute("whale_curve", lambda: whale_curve(_positive_profit(enough(), currency)["net_profit"]))
    rep.compute("whale", lambda: whale_summary(_positive_profit(enough(), currency), cutoffs=cutoffs))
    rep.compute("whale_by_tier", lambda: rep.table("whale").by_tier)
    base = q.shift(-int(P["growth_lag_quarters"]))
    allocation = rep.compute("allocation", lambda: tier_allocation(enough(), transactions, base.start, base.end, cutoffs=cutoffs))
    if allocation is not None and not (allocation["base_revenue"] > 0).any():
        rep.caveats["allocation"] = f"no orders in {base} (the comparison quarter): revenue growth cannot be shown"
    rep.compute("concentration_by_quarter", concentration_by_quarter, transactions, share=P["share"], through=q.end)
    rep.compute("concentration_trend", trend)
    rep.compute("migration", migration)

    if rep.available("profit") and not rep.tables["profit"].attrs.get("net_profit_includes_cost_to_serve", True):
        note = f"no cost-to-serve data for {q} (no service_costs table, or no rows in it for the quarter): net profit here is gross profit"
        for name in ("concentration", "whale_curve", "whale_by_tier"):
            if name in rep.tables:
                rep.caveats[name] = note
    prev = q.previous
    try:
        rep.previous_profit = customer_profitability(transactions, service_costs, prev.start, prev.end)
    except InsufficientDataError:
        rep.previous_profit = None
    return rep


# --------------------------------------------------------------------------- executive summary


def _headline_values(profit: pd.DataFrame | None, share: float, cutoffs) -> dict[str, float]:
    """The headline numbers of one quarter's :func:`customer_profitability` (NaN where undefined)."""
    out = dict.fromkeys(("rev_x", "net_x", "destroyers", "loss", "in_a", "loss_a"), np.nan)
    if profit is None or len(profit) < 2:
        return out
    for key, col in (("rev_x", "revenue"), ("net_x", "net_profit")):
        try:
            out[key] = share_of_customers_for(profit[col], share)
        except InsufficientDataError:
            pass
    net = profit["net_profit"]
    losing = net < 0
    out["destroyers"] = float(losing.sum())
    out["loss"] = float(-net[losing].sum()) + 0.0
    try:
        tiers = _revenue_tiers(profit["revenue"], cutoffs=cutoffs)
    except InsufficientDataError:
        return out
    in_a = losing & (tiers == "A")
    out["in_a"] = float(in_a.sum())
    out["loss_a"] = float(-net[in_a].sum()) + 0.0
    return out


def _customers(n: float) -> str:
    """``"1 customer"`` / ``"3 customers"`` for the action sentences."""
    n = int(n)
    return f"{n:,} customer" + ("" if n == 1 else "s")


def headline_figures(report: ParetoReport, currency: str = "CNY") -> tuple[pd.DataFrame, list[str]]:
    """The Pareto report's headline figures and the actions they suggest.

    Figures, this quarter against the previous quarter (from
    :attr:`ParetoReport.previous_profit`; NaN where a quarter has fewer than
    two customers, or where only one of the two quarters has cost-to-serve
    data, so that the comparison would mix net and gross profit):

    1. the share of customers making ``share`` (80%) of revenue
       (:func:`share_of_customers_for`; good: up, less dependence on few names);
    2. the same for net profit (good: up);
    3. customers losing money after cost to serve (net profit < 0; good: down);
    4. their combined loss, in ``currency`` (good: down; labelled "Loss of the loss-making customers");
    5. of them, customers in revenue tier A (good: down): cost customers.

    Actions, at most three, in this order, each only when it applies: review
    the terms of the loss-making tier A customers; cut the cost to serve of
    the loss-making customers in tiers B and C (check their prices when there
    are no cost-to-serve data); move sales effort to tiers B and C when tier A
    takes a larger share of the cost to serve than of net profit while B and C
    grow faster (:func:`tier_allocation`); ask the customers who moved down a
    revenue tier what changed (:func:`tier_migration`). With none of these,
    one sentence says the allocation can stay.

    Parameters
    ----------
    report : ParetoReport
        From :func:`pareto_region`.
    currency : str
        Shown with money (``ctx.currency``).

    Returns
    -------
    (DataFrame, list of str)
        Columns figure, value, previous, unit, good (see
        :func:`custlib.reports.context.executive_summary`); the actions in plain words
        (numbers only, no customer names). report -> headlines.
    """
    P = {**DEFAULTS, **report.params}
    share, cutoffs = float(P["share"]), tuple(P["abc_cutoffs"])
    q = Quarter.parse(report.quarter)
    cur = f"{currency} " if currency else ""
    unit = f" ({currency})" if currency else ""
    pct = f"{round(share * 100, 6):g}%"
    profit = report.tables.get("profit")
    now = _headline_values(profit, share, cutoffs)
    before = _headline_values(report.previous_profit, share, cutoffs)
    known = bool(profit.attrs.get("net_profit_includes_cost_to_serve", True)) if profit is not None else True
    if report.previous_profit is not None and bool(report.previous_profit.attrs.get("net_profit_includes_cost_to_serve", True)) != known:
        before = {k: (v if k == "rev_x" else np.nan) for k, v in before.items()}
    measure = "net profit" if known else "gross profit"
    figures = pd.DataFrame(
        [
            (f"Customers making {pct} of revenue", now["rev_x"], before["rev_x"], "pct", "up"),
            (f"Customers making {pct} of {measure}", now["net_x"], before["net_x"], "pct", "up"),
            ("Customers losing money", now["destroyers"], before["destroyers"], "count", "down"),
            (f"Loss of the loss-making customers{unit}", now["loss"], before["loss"], "money", "down"),
            ("Tier A customers losing money", now["in_a"], before["in_a"], "count", "down"),
        ],
        columns=["figure", "value", "previous", "unit", "good"],
    )

    actions = []
    after = "after cost to serve" if known else "on their gross profit"
    if now["in_a"] > 0:
        n = now["in_a"]
        actions.append(
            f"Review prices, payment terms and service levels of the {_customers(n)} in tier A who lose money {after} "
            f"({cur}{now['loss_a']:,.0f} in total) before chasing more of their volume."
        )
    others = now["destroyers"] - now["in_a"]
    if others > 0:
        x = now["loss"] - now["loss_a"]
        if known:
            actions.append(
                f"Cut the cost to serve of the {_customers(others)} in tiers B and C who lose money ({cur}{x:,.0f} in total): "
                "fewer visits, pooled deliveries or minimum order sizes."
            )
        else:
            actions.append(
                f"Check the prices of the {_customers(others)} in tiers B and C who are sold below cost ({cur}{x:,.0f} in total)."
            )
    alloc = report.tables.get("allocation")
    if alloc is not None:
        a = alloc.set_index("tier")
        bc_base = float(a.loc[["B", "C"], "base_revenue"].sum())
        g_bc = float(a.loc[["B", "C"], "revenue"].sum()) / bc_base - 1 if bc_base > 0 else np.nan
        g_a = float(a.loc["A", "revenue_growth"])
        cts_a, np_a = float(a.loc["A", "cost_to_serve_share"]), float(a.loc["A", "net_profit_share"])
        if g_bc > g_a and cts_a > np_a:
            actions.append(
                f"Tier A takes {cts_a:.0%} of the cost to serve but earns {np_a:.0%} of net profit, while revenue in tiers B and C "
                f"changed {g_bc:+.0%} against {report.base_quarter} (tier A: {g_a:+.0%}): move sales effort towards B and C."
            )
    moves = report.tables.get("migration")
    if moves is not None:
        downs = int(moves.loc[moves["move"] == "down", "customers"].sum())
        if downs:
            actions.append(f"Ask the {_customers(downs)} who moved down a revenue tier since {q.previous} what changed.")
    if not actions and now["destroyers"] == 0:
        actions.append("No customer loses money and spending follows growth: keep the current allocation.")
    return figures, actions[:3]


# --------------------------------------------------------------------------- Chinese catalogue


def _zh_register() -> None:
    from custlib.present import i18n

    P = r"(-?[\d,.]+%)"
    N = r"([\d,]+)"
    A = r"((?:\S+ )?-?[\d,]+)"  # an amount, with the currency when there is one
    Q = r"(\d{4}Q\d)"
    D = r"(\d{4}-\d\d-\d\d)"
    NC = r"( \(no cost-to-serve data: net profit here is gross profit\))?"
    nc_zh = "（无服务成本数据：此处净利润即毛利）"

    def nc(m: re.Match, group: int) -> str:
        return nc_zh if m[group] else ""

    terms = {
        # column headers
        "measure": "衡量指标",
        "gini": "基尼系数",
        "Customers below zero": "数值为负的客户数",
        "Share of revenue": "收入占比",
        "Share of net profit": "净利润占比",
        "Share of cost to serve": "服务成本占比",
        "Cost to serve / revenue": "服务成本/销售收入",
        "Net profit per 1 of cost to serve": "每单位服务成本的净利润",
        "Loss-making customers": "亏损客户数",
        "Loss-making share": "亏损客户占比",
        "Their combined loss": "亏损合计",
        "from_tier": "原层级",
        "to_tier": "现层级",
        "move": "变动",
        "revenue_change": "销售收入变化",
        # values
        "All": "全部",
        NO_TIER_LABEL: "无订单",
        "Up": "升级",
        "Down": "降级",
        "Same": "不变",
        "Entered": "新进入",
        "Left": "退出",
        # charts
        "Whale curve": "鲸鱼曲线",
        "Cumulative net profit": "累计净利润",
        "Total net profit": "净利润总额",
        "Customers ranked by net profit (share of customers)": "按净利润从高到低排列的客户（客户占比）",
        "Cumulative net profit (share of total)": "累计净利润（占总额比例）",
        "Concentration by quarter: this region and the others": "各季度集中度：本区域与其他区域",
        "Other regions (range)": "其他区域（范围）",
        "Other regions (median)": "其他区域（中位数）",
        "This region": "本区域",
        "Quarter": "季度",
        "Gini coefficient of revenue": "销售收入的基尼系数",
        "Revenue share of the top 20% of customers": "前 20% 客户的收入占比",
        "Gini coefficient of gross profit": "毛利的基尼系数",
        # summary figures
        "Whale curve peak (share of total net profit)": "鲸鱼曲线峰值（占净利润总额的比例）",
        "Customers destroying value": "毁损价值的客户",
        # executive summary
        "Customers losing money": "亏损客户数",
        "Tier A customers losing money": "A 类亏损客户数",
        "No customer loses money and spending follows growth: keep the current allocation.": "没有亏损客户，投入也跟随增长：维持现有资源分配。",
        # summary sentences without numbers
        "Net profit is not positive in total, so its concentration is undefined.": "净利润总额不为正，无法衡量其集中度。",
        "None of them is a top revenue (tier A) customer: the losses sit in the smaller tiers.": (
            "其中没有收入最高的 A 类客户：亏损集中在较小的层级。"
        ),
        "Every customer covers its cost to serve.": "每家客户都能覆盖其服务成本。",
        "Every customer has a positive gross profit.": "每家客户的毛利都为正。",
        "There is nothing to diagnose this quarter; concentration over time below shows the history.": (
            "本季度没有可诊断的数据；下方的集中度趋势显示了历史情况。"
        ),
        "This region has one customer; concentration figures need at least two.": "本区域只有一家客户；集中度指标至少需要两家客户。",
        "This region has one customer; revenue tiers need at least two.": "本区域只有一家客户；划分收入层级至少需要两家客户。",
        # reasons and caveats without numbers
        "the region never had two or more customers with orders in one quarter; concentration over time needs at least two": (
            "本区域从未在同一季度有两家或以上客户下单；集中度趋势至少需要两家客户"
        ),
        "no cost-to-serve data for the period (no service_costs table, or no rows in it for these months): "
        "the resources spent on each tier are unknown": "本期没有服务成本数据（数据中没有服务成本表，或这几个月没有记录）：无法得知各层级投入的资源",
        "transactions: no order lines; concentration over time needs orders": "交易表没有订单明细；集中度趋势需要订单",
    }
    what_zh = {"concentration figures": "集中度指标", "revenue tiers": "划分收入层级"}
    patterns = [
        # column headers and captions with numbers
        (r"^Top ([\d.]+%)$", r"前 \1 客户占比"),
        (r"^Customers making ([\d.]+%)$", r"贡献 \1 所需的客户占比"),
        (r"^Gini ([\d.]+%) interval$", r"基尼系数 \1 置信区间"),
        (r"^Revenue growth vs (\d{4}Q\d)$", r"较 \1 的收入增长率"),
        (r"^Revenue (\d{4}Q\d)$", r"\1 销售收入"),
        # charts
        (rf"^Peak {P} at {P} of customers$", r"峰值 \1（前 \2 的客户）"),
        (
            rf"^No customer loses money: the curve rises to 100% of the net profit without a peak above it{NC}\.$",
            lambda m: f"没有亏损客户：曲线升至净利润的 100% 后不再有更高的峰值{nc(m, 1)}。",
        ),
        # summary figures
        (r"^Customers making ([\d.]+%) of revenue$", r"贡献 \1 销售收入的客户占比"),
        (r"^Customers making ([\d.]+%) of net profit$", r"贡献 \1 净利润的客户占比"),
        (r"^Customers making ([\d.]+%) of gross profit$", r"贡献 \1 毛利的客户占比"),
        (rf"^Orders in {Q}$", r"\1 的订单"),
        (rf"^Customers with orders in {Q}$", r"\1 有订单的客户"),
        (r"^Loss of the loss-making customers \((\S+)\)$", r"亏损客户的亏损合计（\1）"),
        ("^Loss of the loss-making customers$", "亏损客户的亏损合计"),
        # summary sentences
        (rf"^{P} of customers bring {P} of revenue, close to the 80/20 pattern\.$", r"\1 的客户贡献了 \2 的销售收入，接近二八法则。"),
        (
            rf"^{P} of customers bring {P} of revenue, more concentrated than 80/20: losing one large customer would hurt\.$",
            r"\1 的客户贡献了 \2 的销售收入，比二八法则更集中：失去一家大客户就会造成明显损失。",
        ),
        (
            rf"^{P} of customers bring {P} of revenue, flatter than 80/20: revenue is spread over many customers\.$",
            r"\1 的客户贡献了 \2 的销售收入，比二八法则更分散：销售收入分布在许多客户身上。",
        ),
        (
            rf"^Net profit is more concentrated: {P} of customers make {P} of it{NC}\.$",
            lambda m: f"净利润更集中：{m[1]} 的客户贡献了 {m[2]} 的净利润{nc(m, 3)}。",
        ),
        (
            rf"^Net profit is less concentrated: it takes {P} of customers to make {P} of it{NC}\.$",
            lambda m: f"净利润较分散：需要 {m[1]} 的客户才贡献 {m[2]} 的净利润{nc(m, 3)}。",
        ),
        (
            rf"^Total net profit is {A}, not positive: the whale curve is undefined; the whole region is a cost centre this period\.$",
            r"净利润总额为 \1，不为正：鲸鱼曲线无从谈起；本期整个区域都是成本中心。",
        ),
        (rf"^{N} customers? loses? money, {A} in total{NC}\.$", lambda m: f"{m[1]} 家客户亏损，合计 {m[2]}{nc(m, 3)}。"),
        (
            rf"^The most profitable {P} of customers earn {P} of the net profit; the other {P} give {P} of it back{NC}\.$",
            lambda m: f"利润最高的 {m[1]} 的客户创造了 {m[2]} 的净利润；其余 {m[3]} 的客户又亏掉了其中的 {m[4]}{nc(m, 5)}。",
        ),
        (
            rf"^{N} customers? \({P}\) loses? money (after cost to serve|on their gross profit), {A} in total \({P} of net profit\){NC}\.$",
            lambda m: (
                f"{m[1]} 家客户（{m[2]}）{'扣除服务成本后' if m[3].startswith('after') else '按毛利计'}亏损，"
                f"合计 {m[4]}（占净利润的 {m[5]}）{nc(m, 6)}。"
            ),
        ),
        (
            rf"^{N} of them (?:is a|are) top revenue \(tier A\) customers?: big buyers can be cost customers; "
            r"review their prices, terms and service levels before chasing more of their volume\.$",
            r"其中 \1 家是收入最高的 A 类客户：大客户可能是本钱客户；在争取更多销量之前，先复查其价格、账期和服务水平。",
        ),
        (
            rf"^The region has no orders in {Q} \({D} to {D}\); (?:the last order before it was on {D}|there are no earlier orders either) "
            rf"\(the region has {N} customer\(s\)\)\.$",
            lambda m: (
                f"本区域在 {m[1]}（{m[2]} 至 {m[3]}）没有订单；"
                + (f"此前最后一笔订单在 {m[4]}" if m[4] else "此前也没有订单")
                + f"（本区域共有 {m[5]} 家客户）。"
            ),
        ),
        (
            rf"^Only one of the region's {N} customers bought in {Q}; (concentration figures|revenue tiers) need at least two\.$",
            lambda m: f"本区域 {m[1]} 家客户中只有一家在 {m[2]} 有购买；{what_zh[m[3]]}至少需要两家客户。",
        ),
        (rf"^It earns {A} of net profit after cost to serve\.$", r"该客户扣除服务成本后的净利润为 \1。"),
        (rf"^It earns {A} of gross profit \(no cost-to-serve data\)\.$", r"该客户的毛利为 \1（无服务成本数据）。"),
        (
            rf"^It loses {A} of net profit after cost to serve: review its prices, terms and service\.$",
            r"该客户扣除服务成本后亏损 \1：请复查其价格、账期和服务。",
        ),
        (
            rf"^It loses {A} of gross profit \(no cost-to-serve data\): review its prices, terms and service\.$",
            r"该客户按毛利计亏损 \1（无服务成本数据）：请复查其价格、账期和服务。",
        ),
        # executive summary actions
        (
            rf"^Review prices, payment terms and service levels of the {N} customers? in tier A who lose money "
            rf"(after cost to serve|on their gross profit) \({A} in total\) before chasing more of their volume\.$",
            lambda m: (
                f"在争取更多销量之前，先复查 {m[1]} 家{'扣除服务成本后' if m[2].startswith('after') else '按毛利计'}亏损的 A 类客户"
                f"的价格、账期和服务水平（合计亏损 {m[3]}）。"
            ),
        ),
        (
            rf"^Cut the cost to serve of the {N} customers? in tiers B and C who lose money \({A} in total\): "
            r"fewer visits, pooled deliveries or minimum order sizes\.$",
            r"降低 B、C 类中 \1 家亏损客户的服务成本（合计亏损 \2）：减少拜访、合并配送或设定最低订货量。",
        ),
        (
            rf"^Check the prices of the {N} customers? in tiers B and C who are sold below cost \({A} in total\)\.$",
            r"检查 B、C 类中 \1 家低于成本销售的客户的价格（合计 \2）。",
        ),
        (
            rf"^Tier A takes {P} of the cost to serve but earns {P} of net profit, while revenue in tiers B and C changed "
            rf"([+-][\d,.]+%) against {Q} \(tier A: ([+-][\d,.]+%)\): move sales effort towards B and C\.$",
            r"A 类客户占用了 \1 的服务成本，却只贡献 \2 的净利润；而 B、C 类客户的销售收入较 \4 变化 \3（A 类：\5）：把销售力量转向 B、C 类。",
        ),
        (
            rf"^Ask the {N} customers? who moved down a revenue tier since {Q} what changed\.$",
            r"询问自 \2 以来收入层级下降的 \1 家客户发生了什么变化。",
        ),
        # reasons a section is unavailable, and caveats
        (
            rf"^the region has no orders in {Q} \({D} to {D}\); the last order before it was on {D}$",
            r"本区域在 \1（\2 至 \3）没有订单；此前最后一笔订单在 \4",
        ),
        (
            rf"^the region has no orders in {Q} \({D} to {D}\); there are no earlier orders either$",
            r"本区域在 \1（\2 至 \3）没有订单，此前也没有订单",
        ),
        (
            rf"^total net profit is {A}, not positive: the region is a cost centre this quarter and shares of its profit are undefined; "
            r"the summary above counts the customers who lose money$",
            r"净利润总额为 \1，不为正：本季度本区域是成本中心，无法计算各部分占利润的比例；上方的摘要统计了亏损客户",
        ),
        (
            rf"^{N} customer\(s\) with orders in the (previous period|period) \({D} to {D}\); revenue tiers need at least 2$",
            lambda m: (
                f"{'上一期' if m[2].startswith('previous') else '本期'}（{m[3]} 至 {m[4]}）只有 {m[1]} 家客户有订单；划分收入层级至少需要 2 家"
            ),
        ),
        (rf"^no orders in {Q} \(the comparison quarter\): revenue growth cannot be shown$", r"比较季度 \1 没有订单：无法显示收入增长"),
        (
            rf"^no cost-to-serve data for {Q} \(no service_costs table, or no rows in it for the quarter\): net profit here is gross profit$",
            r"\1 没有服务成本数据（数据中没有服务成本表，或该季度没有记录）：此处净利润即毛利",
        ),
    ]
    i18n.register(terms=terms, patterns=patterns)


_zh_register()
