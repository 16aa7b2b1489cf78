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
    idx = pd.date_range(y.index[-1] + pd.offsets.MonthBegin(1), periods=h, freq="MS")
    alpha = 1 - level
    if name == "seasonal_naive":
        v = y.to_numpy()
        f = seasonal_naive(v, h, m)
        resid = v[m:] - v[:-m]
        sigma = float(np.sqrt(np.mean(resid**2))) if resid.size else 0.0
        k = (np.arange(1, h + 1) - 1) // m
        half = stats.norm.ppf(1 - alpha / 2) * sigma * np.sqrt(k + 1)  # FPP3 table 5.2
        return pd.DataFrame({"mean": f, "lower": f - half, "upper": f + half}, index=idx)
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
        elif name == "sarimax":
            from statsmodels.tsa.statespace.sarimax import SARIMAX

            res = SARIMAX(y, order=tuple(sarimax_order), seasonal_order=(*sarimax_seasonal_order, m), trend="c").fit(
                disp=False, maxiter=maxiter
            )
            fr = res.get_forecast(h).summary_frame(alpha=alpha)
            out = pd.DataFrame(
                {"mean": fr["mean"].to_numpy(), "lower": fr["mean_ci_lower"].to_numpy(), "upper": fr["mean_ci_upper"].to_numpy()}, index=idx
            )
        else:
            raise ParamsError(f"models: unknown model {name!r}; expected ets, sarimax")
    record_warnings(caught, sink, name)
    return out


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
    """

    history: pd.Series
    forecast: pd.DataFrame
    backtest: pd.DataFrame
    chosen: str
    beats_naive: bool
    level: float
    warnings: list[str] = field(default_factory=list)


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
    ``beats_naive=False`` so the report can say so.

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
    fc = fit_predict(
        chosen,
        y,
        horizon,
        m=season,
        level=interval,
        maxiter=maxiter,
        sarimax_order=sarimax_order,
        sarimax_seasonal_order=sarimax_seasonal_order,
        sink=sink,
    )
    fc = fc.rename_axis("month")
    return RevenueForecast(y.copy(), fc, bt.assign(chosen=bt["model"] == chosen), chosen, bool(beats), interval, sink)


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
