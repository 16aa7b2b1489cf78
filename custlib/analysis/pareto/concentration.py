"""Concentration of per-customer values: Lorenz curve, Gini, top shares, Herfindahl, and the side-by-side table.

"The top ``f`` of customers" is the ``ceil(f * n)`` customers with the largest
values (at least one), the same definition as ``custlib.io.data.peer_quarterly``'s
``top20_share_revenue``. Negative values (profit) are kept, never clipped: the
Gini of a vector with negative values can exceed 1 and the top customers can
hold more than 100% of a total.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from custlib.analysis.facts.abc import EPS as ABC_EPS
from custlib.analysis.pareto.inputs import fraction_param, pct_label, positive_total, require_columns, top_count, values_vector
from custlib.exceptions import DataError, InsufficientDataError, ParamsError

BOOT_CELLS = 2_000_000  # resampled values held in memory at once by the bootstrap
#: Codes of the ``note`` column of :func:`concentration_table`.
NOTES = ("", "negative_values", "total_not_positive", "needs_cost")


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
    x = np.sort(values_vector(values), kind="stable")
    total = positive_total(x, "values")
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
    x = np.sort(values_vector(values), kind="stable")
    total = positive_total(x, "values")
    est = _gini_sorted(x, total)
    if ci is None:
        return est
    level = fraction_param(ci, "ci", allow_one=False)
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 10:
        raise ParamsError(f"n_boot: expected an integer of at least 10, got {n_boot!r}")
    low, high = _bootstrap_interval(x, level, int(n_boot), seed)
    return GiniEstimate(est, low, high)


def _bootstrap_interval(x: np.ndarray, level: float, n_boot: int, seed: int) -> tuple[float, float]:
    """Percentile-bootstrap interval of the Gini of ``x`` (resamples with a non-positive total count as +inf)."""
    n = x.size
    w = 2.0 * np.arange(1, n + 1) - n - 1
    rng = np.random.default_rng(seed)
    draws = []
    chunk = max(1, BOOT_CELLS // n)
    for first in range(0, n_boot, chunk):
        m = min(chunk, n_boot - first)
        sample = np.sort(x[rng.integers(0, n, size=(m, n))], axis=1)
        tot = sample.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = sample @ w / (n * tot)
        draws.append(np.where(tot > 0, g, np.inf))
    boot = np.concatenate(draws)
    alpha = 1.0 - level
    low, high = np.quantile(boot, [alpha / 2, 1 - alpha / 2], method="inverted_cdf")
    return float(low), float(high)


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
    f = fraction_param(fraction, "fraction")
    x = np.sort(values_vector(values), kind="stable")[::-1]
    total = positive_total(x, "values")
    return float(x[: top_count(f, x.size)].sum() / total)


def share_of_customers_for(values, share: float) -> float:
    """The smallest fraction of customers, taken from the top, that holds ``share`` of the total.

    ``k / n`` for the smallest ``k`` such that the ``k`` largest values sum to
    at least ``share`` of the sum of the positive values: the "x% of customers make 80%"
    figure, which is the share of customers in ABC class A when ``share`` is the first
    ABC cut-off (:func:`custlib.analysis.facts.abc_classes`: customers with a loss add
    nothing to the share reached). Example: ``[1, 2, 3, 4]``, share 0.7 -> 4 + 3 = 7 of 10,
    so 2 of 4 = 0.5; share 0.8 -> 4 + 3 + 2 = 9 >= 8, so 0.75. ``[5, 3, 2, -4]``, share 0.8:
    of the positive 10, 5 + 3 = 8 -> 0.5 (of the total 6 it would be 5 alone).

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
    s = fraction_param(share, "share")
    x = np.sort(values_vector(values), kind="stable")[::-1]
    positive_total(x, "values")  # shares of a zero or negative total are undefined
    reached = np.cumsum(x) / x[x > 0].sum() >= s - ABC_EPS
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
    x = values_vector(values)
    if (x < 0).any():
        raise DataError(f"values: {int((x < 0).sum())} negative value(s); the Herfindahl index needs non-negative values")
    total = positive_total(x, "values")
    h = float(((x / total) ** 2).sum())
    if not normalized:
        return h
    n = x.size
    return (h - 1.0 / n) / (1.0 - 1.0 / n)


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
        [gini_low, gini_high], note (a code: ``""``; ``negative_values``: kept,
        not clipped, the Gini can exceed 1; ``total_not_positive``: shares and Gini
        undefined, NaN; ``needs_cost``: a profit measure without the cost of goods, NaN). ``attrs["share_columns"]`` names the
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
    require_columns(frame, list(measures), "frame")
    if len(frame) < 2:
        raise InsufficientDataError(
            f"frame: {len(frame)} customer(s); concentration needs at least 2 customers",
            code="too_few_customers",
            found=len(frame),
            needed=2,
        )
    tops = tuple(fraction_param(t, "tops") for t in tops)
    share = fraction_param(share, "share")
    share_col = f"customers_for_{pct_label(share)}"
    rows = []
    for measure in measures:
        rows.append(_measure_row(frame[measure], measure, tops, share, share_col, ci, n_boot, seed))
    cols = ["measure", "total", "customers", "negative_customers", *[f"top_{pct_label(t)}" for t in tops], share_col, "gini"]
    if ci is not None:
        cols += ["gini_low", "gini_high"]
    out = pd.DataFrame(rows).reindex(columns=[*cols, "note"])
    float_cols = [c for c in cols if c not in ("measure", "customers", "negative_customers")]
    out[float_cols] = out[float_cols].astype("float64")
    out["measure"] = out["measure"].astype("str")
    out["note"] = out["note"].astype("str")
    out.attrs["net_profit_includes_cost_to_serve"] = bool(frame.attrs.get("net_profit_includes_cost_to_serve", True))
    out.attrs["share_columns"] = (*[f"top_{pct_label(t)}" for t in tops], share_col)
    return out


def _measure_row(values, measure: str, tops, share: float, share_col: str, ci, n_boot: int, seed: int) -> dict:
    """One row of :func:`concentration_table`: the figures of one measure, NaN where its total is not positive.

    A profit measure that is unknown (no cost of goods in the data) gives NaN figures and the note ``needs_cost``.
    """
    if pd.Series(values).isna().all() and measure != "revenue":
        return {"measure": measure, "total": np.nan, "customers": len(values), "negative_customers": 0, "note": "needs_cost"}
    x = values_vector(values, measure)
    row = {"measure": measure, "total": float(x.sum()), "customers": int(x.size), "negative_customers": int((x < 0).sum())}
    try:
        for t in tops:
            row[f"top_{pct_label(t)}"] = top_share(x, t)
        row[share_col] = share_of_customers_for(x, share)
        g = gini(x, ci=ci, n_boot=n_boot, seed=seed)
        if ci is None:
            row["gini"] = g
        else:
            row["gini"], row["gini_low"], row["gini_high"] = g
        row["note"] = "negative_values" if row["negative_customers"] else ""
    except InsufficientDataError:
        row["note"] = "total_not_positive"
    return row
