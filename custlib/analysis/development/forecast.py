"""Monthly revenue forecast checked against a seasonal-naive baseline (DOMAIN.md section 3.4)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from custlib.analysis.clv import one_blas_thread
from custlib.analysis.development.common import (
    check_level,
    month_start,
    record_warnings,
    require,
)
from custlib.exceptions import InsufficientDataError, ParamsError


def monthly_revenue(
    transactions: pd.DataFrame,
    *,
    end=None,
    date_col: str = "order_date",
    value_col: str = "revenue",
) -> pd.Series:
    """Total revenue per calendar month, months without orders as 0.

    Parameters
    ----------
    transactions : DataFrame
        Order lines.
    end : date-like, optional
        Last day counted; the series ends with its month. Default: last order date.
    date_col, value_col : str

    Returns
    -------
    Series
        order lines -> revenue indexed by month start (DatetimeIndex, freq "MS").

    Raises
    ------
    InsufficientDataError
        No orders on or before ``end``.
    """
    require(transactions, [date_col, value_col], "transactions")
    end = pd.Timestamp(end) if end is not None else pd.Timestamp(transactions[date_col].max())
    tx = transactions.loc[transactions[date_col] <= end]
    if tx.empty:
        raise InsufficientDataError(f"transactions: no orders on or before {end:%Y-%m-%d}", code="no_orders")
    month = tx[date_col].dt.to_period("M").dt.to_timestamp()
    s = tx.groupby(month)[value_col].sum()
    idx = pd.date_range(s.index.min(), month_start(end), freq="MS")
    return s.reindex(idx, fill_value=0.0).astype("float64").rename("revenue").rename_axis("month")


def seasonal_naive(y, h: int, m: int = 12) -> np.ndarray:
    """Seasonal-naive forecast: y_hat(T + j) = y(T + j - m * ceil(j / m)).

    Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd
    ed., section 5.2.

    Parameters
    ----------
    y : array-like
        History, at least ``m`` values.
    h : int
        Horizon.
    m : int
        Season length.

    Returns
    -------
    ndarray of length h

    Raises
    ------
    InsufficientDataError
        Fewer than ``m`` values.
    """
    y = np.asarray(y, dtype="float64")
    if y.size < m:
        raise InsufficientDataError(
            f"seasonal_naive: need at least one season ({m} values), got {y.size}", code="short_history", needed=int(m)
        )
    j = np.arange(1, h + 1)
    return y[y.size - m + (j - 1) % m]


def mase(actual, forecast, train, *, m: int = 12) -> float:
    """Mean absolute scaled error (Hyndman & Koehler 2006, *IJF* 22(4), eq. for seasonal MASE).

    MASE = mean|actual - forecast| / ( 1/(n-m) * sum_{t>m} |y_t - y_{t-m}| ),
    the in-sample seasonal-naive error of the training series as the scale.

    Parameters
    ----------
    actual, forecast : array-like
        Out-of-sample values and forecasts.
    train : array-like
        Training series (longer than ``m``).
    m : int
        Season length (1 = non-seasonal naive).

    Returns
    -------
    float

    Raises
    ------
    InsufficientDataError
        Training series not longer than m, or a zero scale (constant seasonal series).
    """
    a, f, y = (np.asarray(v, dtype="float64") for v in (actual, forecast, train))
    if y.size <= m:
        raise InsufficientDataError(
            f"mase: the training series needs more than {m} values, got {y.size}", code="short_history", needed=int(m) + 1
        )
    scale = np.mean(np.abs(y[m:] - y[:-m]))
    if scale == 0:
        raise InsufficientDataError(
            "mase: the training series repeats exactly each season (e.g. no revenue in the same months a year apart), "
            "so forecast errors cannot be scaled; a forecast check needs revenue that varies from year to year",
            code="revenue_repeats",
        )
    return float(np.mean(np.abs(a - f)) / scale)


def fit_predict(
    name: str, y: pd.Series, h: int, *, m: int, level: float, maxiter: int, sarimax_order, sarimax_seasonal_order, sink: list[str]
) -> pd.DataFrame:
    """Fit one model on y and forecast h steps: frame mean, lower, upper indexed by month."""
    return fit_forecast(
        name, y, h, m=m, level=level, maxiter=maxiter, sarimax_order=sarimax_order, sarimax_seasonal_order=sarimax_seasonal_order, sink=sink
    )[0]


def fit_forecast(
    name: str,
    y: pd.Series,
    h: int,
    *,
    m: int,
    level: float,
    maxiter: int,
    sarimax_order,
    sarimax_seasonal_order,
    sink: list[str],
    weights: bool = False,
) -> tuple[pd.DataFrame, np.ndarray | None]:
    """:func:`fit_predict`, and with ``weights`` the model's error weights psi_0 .. psi_{h-1} (else None).

    Each model is linear with additive Gaussian errors, so the forecast error j months ahead is
    e(T+j) = sum_{i<j} psi_i eps(T+j-i) with psi_0 = 1 (Hyndman et al. 2008, *Forecasting with Exponential
    Smoothing*, ch. 6): seasonal naive (a seasonal random walk) has psi_i = 1 when i is a multiple of m, else 0
    (FPP3 section 5.5); SARIMAX's are its impulse responses; ETS's are the response of its simulation to a unit
    error (Hyndman et al. 2008, table 6.1: alpha + beta phi_j + gamma d_{j,m} for ETS(A,Ad,A)).
    """
    idx = pd.date_range(y.index[-1] + pd.offsets.MonthBegin(1), periods=h, freq="MS")
    alpha = 1 - level
    if name == "seasonal_naive":
        v = y.to_numpy()
        f = seasonal_naive(v, h, m)
        resid = v[m:] - v[:-m]
        sigma = float(np.sqrt(np.mean(resid**2))) if resid.size else 0.0
        k = (np.arange(1, h + 1) - 1) // m
        half = stats.norm.ppf(1 - alpha / 2) * sigma * np.sqrt(k + 1)  # FPP3 table 5.2
        psi = (np.arange(h) % m == 0).astype("float64") if weights else None
        return pd.DataFrame({"mean": f, "lower": f - half, "upper": f + half}, index=idx), psi
    psi = None
    with warnings.catch_warnings(record=True) as caught, one_blas_thread():  # state-space fits: many tiny BLAS calls
        warnings.simplefilter("always")
        if name == "ets":
            from statsmodels.tsa.exponential_smoothing.ets import ETSModel

            res = ETSModel(y, error="add", trend="add", damped_trend=True, seasonal="add", seasonal_periods=m).fit(
                disp=False, maxiter=maxiter
            )
            fr = res.get_prediction(start=len(y), end=len(y) + h - 1).summary_frame(alpha=alpha)
            out = pd.DataFrame(
                {"mean": fr["mean"].to_numpy(), "lower": fr["pi_lower"].to_numpy(), "upper": fr["pi_upper"].to_numpy()}, index=idx
            )
            if weights:  # linear in the errors: a unit error in the first month, minus no error at all
                shocks = np.zeros((h, 2))
                shocks[0, 1] = 1.0
                paths = np.asarray(res.simulate(h, anchor="end", repetitions=2, random_errors=shocks), dtype="float64").reshape(h, 2)
                psi = paths[:, 1] - paths[:, 0]
        elif name == "sarimax":
            from statsmodels.tsa.statespace.sarimax import SARIMAX

            res = SARIMAX(y, order=tuple(sarimax_order), seasonal_order=(*sarimax_seasonal_order, m), trend="c").fit(
                disp=False, maxiter=maxiter
            )
            fr = res.get_forecast(h).summary_frame(alpha=alpha)
            out = pd.DataFrame(
                {"mean": fr["mean"].to_numpy(), "lower": fr["mean_ci_lower"].to_numpy(), "upper": fr["mean_ci_upper"].to_numpy()}, index=idx
            )
            if weights:
                psi = np.asarray(res.impulse_responses(steps=h - 1), dtype="float64").reshape(-1)[:h]
        else:
            raise ParamsError(f"models: unknown model {name!r}; expected ets, sarimax")
    record_warnings(caught, sink, name)
    return out, psi


def quarter_totals(forecast: pd.DataFrame, psi, level: float) -> pd.DataFrame:
    """The monthly forecast added up per calendar quarter the horizon covers whole, with a prediction interval.

    The total's point forecast is the sum of the months' (the numbers of the chart). Its interval is not the sum
    of the months' bounds (errors of adjacent months are correlated, not identical): for months a..b after the
    origin, the total's error is sum_s c_s eps(T+s) with c_s = sum_{j=max(s,a)}^{b} psi_{j-s}, so its variance is
    sigma^2 sum_s c_s^2 (forecasting aggregates: Hyndman & Athanasopoulos, *FPP3*, section 13.8; the weights of
    :func:`fit_forecast`). sigma is read from the first month's own interval, sigma = (upper - lower) / (2 z), so
    the totals are consistent with the monthly intervals shown.

    Parameters
    ----------
    forecast : DataFrame
        mean, lower, upper indexed by consecutive month starts (the first month is one after the origin).
    psi : array-like
        Error weights psi_0 .. psi_{h-1} of the model.
    level : float
        Prediction interval level of ``forecast``.

    Returns
    -------
    DataFrame
        forecast -> quarter (``2026Q4``), first_month, months (3), mean, lower, upper; one row per whole quarter.
    """
    cols = ["quarter", "first_month", "months", "mean", "lower", "upper"]
    psi = np.asarray(psi, dtype="float64")
    if forecast.empty or psi.size < len(forecast):
        return pd.DataFrame(columns=cols)
    z = stats.norm.ppf(0.5 + level / 2)
    sigma = float(forecast["upper"].iloc[0] - forecast["lower"].iloc[0]) / (2 * z)
    quarters = forecast.index.to_period("Q")
    rows = []
    for q in dict.fromkeys(quarters):
        where = np.flatnonzero(quarters == q)
        if len(where) != 3:
            continue
        a, b = int(where[0]) + 1, int(where[-1]) + 1  # months after the origin, 1-based
        c = np.array([psi[max(s, a) - s : b - s + 1].sum() for s in range(1, b + 1)])
        half = z * sigma * float(np.sqrt(np.sum(c**2)))
        mean = float(forecast["mean"].iloc[where].sum())
        rows.append(
            {
                "quarter": str(q),
                "first_month": forecast.index[where[0]],
                "months": 3,
                "mean": mean,
                "lower": mean - half,
                "upper": mean + half,
            }
        )
    return pd.DataFrame(rows, columns=cols)


@dataclass
class RevenueForecast:
    """Result of :func:`forecast_series` / :func:`forecast_revenue`.

    Attributes
    ----------
    history : Series
        Monthly revenue used.
    forecast : DataFrame
        month index; mean, lower, upper of the chosen model.
    backtest : DataFrame
        model, mase, relative_mase (to seasonal naive), origins, chosen.
    chosen : str
        "ets", "sarimax" or "seasonal_naive".
    beats_naive : bool
        Whether any model had a lower backtest MASE than seasonal naive.
    level : float
        Prediction interval level.
    warnings : list of str
        Fit warnings (convergence etc.), recorded instead of shown.
    quarters : DataFrame
        The forecast per whole calendar quarter of the horizon (:func:`quarter_totals`): quarter,
        first_month, months, mean, lower, upper; the first row is the next quarter.
    """

    history: pd.Series
    forecast: pd.DataFrame
    backtest: pd.DataFrame
    chosen: str
    beats_naive: bool
    level: float
    warnings: list[str] = field(default_factory=list)
    quarters: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["quarter", "first_month", "months", "mean", "lower", "upper"])
    )

    @property
    def next_quarter(self) -> dict | None:
        """The first whole quarter after the history (quarter, first_month, months, mean, lower, upper), or None."""
        return None if self.quarters.empty else self.quarters.iloc[0].to_dict()


def backtest_series(
    y: pd.Series,
    *,
    models: tuple[str, ...] | list[str] = ("ets", "sarimax"),
    horizon: int = 3,
    n_origins: int = 6,
    season: int = 12,
    interval: float = 0.9,
    maxiter: int = 100,
    sarimax_order=(1, 0, 0),
    sarimax_seasonal_order=(0, 1, 1),
    warnings_sink: list[str] | None = None,
) -> pd.DataFrame:
    """Rolling-origin backtest of each model and of seasonal naive, scored by MASE.

    Origins: the training series ends at n - horizon - j for j = 0 ..
    n_origins - 1 (each fit sees only data before its origin); each
    forecasts ``horizon`` months; MASE (:func:`mase`) per origin, averaged
    over origins (Tashman 2000, *IJF* 16(4), "rolling-origin evaluation";
    Hyndman & Koehler 2006). Fewer origins are used when the series is
    short, keeping at least two seasons of training data.

    Parameters
    ----------
    y : Series
        Monthly values with a DatetimeIndex.
    models : list of str
        Any of "ets" (ETS(A,Ad,A), statsmodels ETSModel; Hyndman et al. 2008,
        *Forecasting with Exponential Smoothing*) and "sarimax" (statsmodels
        SARIMAX(order)(seasonal_order)_m with a constant; Box & Jenkins).
    horizon, n_origins, season : int
    interval : float
    maxiter : int
        Optimiser iteration limit of each fit.
    sarimax_order, sarimax_seasonal_order : sequence of 3 int
    warnings_sink : list, optional
        Receives fit warnings.

    Returns
    -------
    DataFrame
        -> model, mase, relative_mase, origins; seasonal_naive first.

    Raises
    ------
    InsufficientDataError
        Fewer than 2 * season + horizon values.
    """
    sink = warnings_sink if warnings_sink is not None else []
    n = len(y)
    k = min(n_origins, n - 2 * season - horizon + 1)
    if k < 1:
        span = f" ({y.index[0]:%Y-%m} to {y.index[-1]:%Y-%m})" if n and isinstance(y.index, pd.DatetimeIndex) else ""
        raise InsufficientDataError(
            f"revenue: {n} months of history{span}; the forecast and its backtest need at least {2 * season + horizon} "
            f"months (two {season}-month seasons plus the {horizon}-month backtest horizon)",
            code="short_history",
            needed=int(2 * season + horizon),
        )
    kw = dict(
        m=season, level=interval, maxiter=maxiter, sarimax_order=sarimax_order, sarimax_seasonal_order=sarimax_seasonal_order, sink=sink
    )
    scores: dict[str, list[float]] = {name: [] for name in ("seasonal_naive", *models)}
    for j in range(k):  # a handful of origins
        cut = n - horizon - j
        train, test = y.iloc[:cut], y.iloc[cut : cut + horizon].to_numpy()
        for name in scores:
            f = fit_predict(name, train, horizon, **kw)["mean"].to_numpy()
            scores[name].append(mase(test, f, train.to_numpy(), m=season))
    naive = float(np.mean(scores["seasonal_naive"]))
    rows = [
        {"model": name, "mase": float(np.mean(v)), "relative_mase": float(np.mean(v)) / naive if naive > 0 else np.nan, "origins": k}
        for name, v in scores.items()
    ]
    return pd.DataFrame(rows)


def forecast_series(
    y: pd.Series,
    *,
    horizon: int = 6,
    backtest_horizon: int = 3,
    n_origins: int = 6,
    season: int = 12,
    interval: float = 0.9,
    models: tuple[str, ...] | list[str] = ("ets", "sarimax"),
    maxiter: int = 100,
    sarimax_order=(1, 0, 0),
    sarimax_seasonal_order=(0, 1, 1),
) -> RevenueForecast:
    """Backtest the models, pick the lowest MASE, forecast with prediction intervals.

    A model is chosen only when its backtest MASE is below seasonal naive's
    (relative MASE < 1); otherwise the seasonal-naive forecast (interval
    sigma * sqrt(k + 1), FPP3 section 5.5) is returned with
    ``beats_naive=False`` so the report can say so. The forecast is also
    added up per whole calendar quarter (:func:`quarter_totals`), with an
    interval for the total.

    Parameters
    ----------
    y : Series
        Monthly values (DatetimeIndex).
    horizon : int
        Months forecast.
    backtest_horizon, n_origins, season, interval, models, maxiter, sarimax_order, sarimax_seasonal_order
        See :func:`backtest_series`.

    Returns
    -------
    RevenueForecast

    Raises
    ------
    InsufficientDataError
        Series too short for the backtest.
    ParamsError
        Unknown model name or bad interval.
    """
    check_level(interval, "interval")
    for name in models:
        if name not in ("ets", "sarimax"):
            raise ParamsError(f"models: unknown model {name!r}; expected ets, sarimax")
    sink: list[str] = []
    bt = backtest_series(
        y,
        models=models,
        horizon=backtest_horizon,
        n_origins=n_origins,
        season=season,
        interval=interval,
        maxiter=maxiter,
        sarimax_order=sarimax_order,
        sarimax_seasonal_order=sarimax_seasonal_order,
        warnings_sink=sink,
    )
    ranked = bt.sort_values(["mase", "model"], kind="stable")
    best = str(ranked["model"].iloc[0])
    naive = float(bt.loc[bt["model"] == "seasonal_naive", "mase"].iloc[0])
    beats = best != "seasonal_naive" and float(ranked["mase"].iloc[0]) < naive
    chosen = best if beats else "seasonal_naive"
    fc, psi = fit_forecast(
        chosen,
        y,
        horizon,
        m=season,
        level=interval,
        maxiter=maxiter,
        sarimax_order=sarimax_order,
        sarimax_seasonal_order=sarimax_seasonal_order,
        sink=sink,
        weights=True,
    )
    fc = fc.rename_axis("month")
    totals = quarter_totals(fc, psi, interval)
    return RevenueForecast(y.copy(), fc, bt.assign(chosen=bt["model"] == chosen), chosen, bool(beats), interval, sink, totals)


def forecast_revenue(transactions: pd.DataFrame, *, end=None, **kwargs) -> RevenueForecast:
    """The region's monthly revenue (:func:`monthly_revenue`) forecast by :func:`forecast_series`.

    Parameters
    ----------
    transactions : DataFrame
        The region's order lines (its customers' revenue).
    end : date-like, optional
        Last day of history (the report quarter's end).
    **kwargs
        :func:`forecast_series` settings (the ``development.forecast`` params).

    Returns
    -------
    RevenueForecast

    Raises
    ------
    InsufficientDataError, ParamsError
        As :func:`forecast_series`.
    """
    return forecast_series(monthly_revenue(transactions, end=end), **kwargs)
