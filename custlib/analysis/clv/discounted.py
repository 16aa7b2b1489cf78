"""Discounted customer lifetime value from the purchase and spend models.

The discounted cash-flow sum of Gupta et al. (2006), "Modeling Customer
Lifetime Value", *Journal of Service Research* 9(2), 139-155, eq. 1, computed
per period as in the lifetimes package's ``customer_lifetime_value``: the
expected purchases of each period (BG/NBD, Fader, Hardie & Lee 2005, eq. 10)
times the expected spend (Gamma-Gamma) times a margin, discounted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.analysis.clv.bgnbd import BetaGeoModel
from custlib.analysis.clv.checks import as_rft, check_columns, check_number, shaped_like
from custlib.analysis.clv.gamma_gamma import GammaGammaModel
from custlib.analysis.clv.summary import RFM_COLUMNS
from custlib.exceptions import ParamsError


def customer_lifetime_value(
    bgnbd: BetaGeoModel,
    gamma_gamma: GammaGammaModel,
    frequency,
    recency,
    T,
    monetary_value,
    horizon_periods: int = 12,
    discount_rate_per_period: float = 0.01,
    margin: float = 1.0,
    period_length: float = 1.0,
):
    """Discounted expected margin of each customer's future purchases over a horizon.

    CLV_i = margin * E[M_i] * sum_{k=1..H} (E[Y_i(k L)] - E[Y_i((k-1) L)]) / (1 + d)^k,

    where E[Y_i(t)] is the BG/NBD conditional expectation (Fader, Hardie & Lee
    2005, eq. 10), E[M_i] the Gamma-Gamma expected spend (Fader & Hardie
    2013, :meth:`GammaGammaModel.conditional_expected_value`), L = ``period_length``, H = ``horizon_periods`` and
    d = ``discount_rate_per_period``; cash flows are discounted at the end of
    each period. This is the discounted cash-flow CLV of Gupta et al. (2006),
    J. Service Research 9(2), eq. 1, computed per period as in lifetimes'
    ``GammaGammaFitter.customer_lifetime_value`` (Davidson-Pilon, MIT licence).
    Spend is assumed independent of the purchase process (Fader & Hardie 2013).

    Parameters
    ----------
    bgnbd : BetaGeoModel
        Fitted purchase model.
    gamma_gamma : GammaGammaModel
        Fitted spend model.
    frequency, recency, T, monetary_value : array-like
        Per-customer summary (see :func:`~custlib.analysis.clv.summary.rfm_summary`).
    horizon_periods : int
        Number of periods H (>= 1).
    discount_rate_per_period : float
        Discount rate per period d (>= 0), e.g. 0.01 per month.
    margin : float
        Share of the expected spend that is profit, in [0, 1] (1 when the
        value column already is a profit).
    period_length : float
        Length of one period in the model's time unit, e.g. 4.345 for a
        month in weeks, 13 for a quarter in weeks.

    Returns
    -------
    float, ndarray or Series
        CLV per customer, shaped like the inputs.

    Raises
    ------
    NotFittedError
        A model is not fitted.
    ParamsError
        A horizon, rate, margin or period length is out of range.
    DataError
        Bad customer inputs.
    """
    if not isinstance(horizon_periods, int | np.integer) or horizon_periods < 1:
        raise ParamsError(f"horizon_periods: expected a positive integer, got {horizon_periods!r}")
    d = check_number(discount_rate_per_period, "discount_rate_per_period", low=0.0)
    mg = check_number(margin, "margin", low=0.0, high=1.0)
    length = check_number(period_length, "period_length", low=0.0, low_open=True)
    x, tx, big_t = as_rft(frequency, recency, T)
    value = np.asarray(gamma_gamma.conditional_expected_value(x, monetary_value), dtype="float64")
    bgnbd._check_fitted()
    cumulative = np.zeros(len(x))
    discounted = np.zeros(len(x))
    for k in range(1, int(horizon_periods) + 1):
        cum_k = np.asarray(bgnbd.conditional_expected_purchases(k * length, x, tx, big_t), dtype="float64")
        discounted += (cum_k - cumulative) / (1.0 + d) ** k
        cumulative = cum_k
    return shaped_like(mg * value * discounted, frequency, recency, T, monetary_value)


def lifetime_value_table(
    summary: pd.DataFrame,
    bgnbd: BetaGeoModel,
    gamma_gamma: GammaGammaModel,
    customer_col: str = "customer_id",
    horizon_periods: int = 12,
    discount_rate_per_period: float = 0.01,
    margin: float = 1.0,
    period_length: float = 1.0,
    next_periods: float | None = None,
) -> pd.DataFrame:
    """Per-customer outlook: probability alive, expected purchases and spend, CLV.

    Parameters
    ----------
    summary : DataFrame
        Output of :func:`~custlib.analysis.clv.summary.rfm_summary`.
    bgnbd, gamma_gamma : fitted models
    customer_col : str
        Customer id column of ``summary``.
    horizon_periods, discount_rate_per_period, margin, period_length
        As in :func:`customer_lifetime_value`.
    next_periods : float, optional
        Window for ``expected_purchases``, in time units; default
        ``period_length`` (the next period).

    Returns
    -------
    DataFrame
        ``summary`` plus ``probability_alive`` (:meth:`~custlib.analysis.clv.BetaGeoModel.probability_active`:
        NaN for a customer without repeat purchase, whom the BG/NBD always rates alive, and for everyone
        when the model has no dropout), ``expected_purchases``, ``expected_value`` and ``clv``, sorted by
        ``clv`` descending (ties by id).

    Raises
    ------
    DataError
        A summary column is missing or bad.
    NotFittedError, ParamsError
        As in :func:`customer_lifetime_value`.

    Notes
    -----
    Columns in -> out: customer_col, frequency, recency, T, monetary_value ->
    the same plus probability_alive, expected_purchases, expected_value, clv.
    """
    check_columns(summary, "summary", (customer_col, *RFM_COLUMNS))
    window = period_length if next_periods is None else next_periods
    x, tx, big_t, m = (summary[c] for c in RFM_COLUMNS)
    out = summary.copy()
    out["probability_alive"] = np.asarray(bgnbd.probability_active(x, tx, big_t))  # NaN where the model cannot tell
    out["expected_purchases"] = np.asarray(bgnbd.conditional_expected_purchases(window, x, tx, big_t))
    out["expected_value"] = np.asarray(gamma_gamma.conditional_expected_value(x, m))
    out["clv"] = np.asarray(
        customer_lifetime_value(
            bgnbd,
            gamma_gamma,
            x,
            tx,
            big_t,
            m,
            horizon_periods=horizon_periods,
            discount_rate_per_period=discount_rate_per_period,
            margin=margin,
            period_length=period_length,
        )
    )
    out = out.sort_values(customer_col, kind="stable")
    out = out.sort_values("clv", ascending=False, kind="stable")
    return out.reset_index(drop=True)
