"""Customer lifetime value: BG/NBD purchases, Gamma-Gamma spend, discounted CLV.

The "buy 'til you die" models of Fader, Hardie and colleagues, fitted by
maximum likelihood on a per-customer recency-frequency-monetary summary:

- :func:`rfm_summary` turns order lines into ``frequency`` (repeat purchase
  days), ``recency``, ``T`` and ``monetary_value`` per customer;
  :func:`calibration_holdout_summary` adds the purchases actually made in a
  later holdout window.
- :class:`BetaGeoModel` (:func:`fit_bgnbd`) is the BG/NBD model of
  Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way: An
  Alternative to the Pareto/NBD Model", *Marketing Science* 24(2), 275-284.
  Equation numbers below refer to that paper; the numerically stable form of
  the likelihood follows Fader, Hardie & Lee (2005), "Implementing the BG/NBD
  Model for Customer Base Analysis in Excel" (brucehardie.com note 004).
- :class:`GammaGammaModel` (:func:`fit_gamma_gamma`) is the Gamma-Gamma
  model of spend per transaction, Colombo & Jiang (1999), "A stochastic RFM
  model", *Journal of Interactive Marketing* 13(3), 2-12, as set out in
  Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value"
  (brucehardie.com note 025).
- :func:`customer_lifetime_value` discounts the expected purchases per
  period times the expected spend and a margin (the discounted cash-flow
  sum of Gupta et al. (2006), "Modeling Customer Lifetime Value", *Journal
  of Service Research* 9(2), 139-155, eq. 1, computed per period as in the
  lifetimes package's ``customer_lifetime_value``).

Time is measured in the unit of the summary (weeks by default), so model
parameters such as ``alpha`` are in that unit as well.

Fits maximise the log-likelihood with L-BFGS-B over log-parameters from
several starting points, with time (spend) rescaled so that the largest T
is 10 (the mean spend is 1) and every parameter kept in [1e-4, 1e4] on that
scale; a parameter that ends on that box means the data show no spread or
no dropout, and the fit says so (``at_bounds_``). Standard errors come from
the inverse of the Hessian of the negative log-likelihood at the optimum,
taken in the natural parameters by central finite differences of the
analytic gradient.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import optimize, special

from custlib.exceptions import DataError, InsufficientDataError, NotFittedError, ParamsError

__all__ = [
    "BetaGeoModel",
    "GammaGammaModel",
    "LifetimeValueResult",
    "calibration_holdout_summary",
    "customer_lifetime_value",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "holdout_check",
    "lifetime_value_analysis",
    "lifetime_value_table",
    "plot_holdout_check",
    "rfm_summary",
    "sample_rows",
]

_DAYS_PER_UNIT = {"W": 7.0, "D": 1.0}
_RFM_COLUMNS = ("frequency", "recency", "T", "monetary_value")


# --------------------------------------------------------------------------
# RFM summaries
# --------------------------------------------------------------------------


def _days_per_unit(time_unit: str) -> float:
    try:
        return _DAYS_PER_UNIT[time_unit]
    except (KeyError, TypeError) as err:
        raise ParamsError(f"time_unit: {time_unit!r} is not supported; expected one of {sorted(_DAYS_PER_UNIT)}") from err


def _check_columns(df, table: str, columns) -> None:
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"{table}: expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        found = ", ".join(map(str, df.columns))
        raise DataError(f"{table}: column {missing[0]!r} is missing (found: {found})")


def _first_rows(mask: pd.Series, n: int = 5) -> str:
    return ", ".join(map(str, mask.index[mask.to_numpy()][:n]))


def _daily_purchases(transactions, customer_col, date_col, value_col) -> pd.DataFrame:
    """Validated purchase days: one row per customer and calendar day, sorted by customer and day.

    Grouped on integer codes (customer rank, day number) rather than on the
    id strings, which is several times faster on millions of order lines;
    ``_c`` is the customer's rank among the sorted ids.

    Columns in -> out: customer, date, [value] -> customer, day, [value] (summed), _c.
    """
    cols = [customer_col, date_col] + ([value_col] if value_col is not None else [])
    _check_columns(transactions, "transactions", cols)
    df = transactions[cols]
    if df[customer_col].isna().any():
        bad = df[customer_col].isna()
        raise DataError(f"transactions: column {customer_col!r} has missing ids (rows {_first_rows(bad)})")
    try:
        dates = pd.to_datetime(df[date_col])
    except (ValueError, TypeError) as err:
        raise DataError(f"transactions: column {date_col!r} could not be read as dates ({err})") from err
    if dates.isna().any():
        bad = dates.isna()
        raise DataError(f"transactions: column {date_col!r} has missing dates (rows {_first_rows(bad)})")
    if value_col is not None:
        values = pd.to_numeric(df[value_col], errors="coerce").astype("float64")
        bad = ~np.isfinite(values)
        if bad.any():
            raise DataError(f"transactions: column {value_col!r} has missing or non-numeric values (rows {_first_rows(bad)})")
    days = dates.dt.normalize()
    codes, ids = pd.factorize(df[customer_col], sort=True)
    day_num = days.to_numpy().astype("datetime64[D]").astype("int64")
    first_day = int(day_num.min()) if len(day_num) else 0
    span = int(day_num.max()) - first_day + 1 if len(day_num) else 1
    key = codes.astype("int64") * span + (day_num - first_day)
    grouped = pd.DataFrame({"key": key, **({"value": values.to_numpy()} if value_col is not None else {})}).groupby("key", sort=True)
    if value_col is not None:
        summed = grouped["value"].sum()
        keys = summed.index.to_numpy()
    else:
        keys = grouped.size().index.to_numpy()
    c = keys // span
    out = pd.DataFrame(
        {
            "customer": ids.take(c),
            "day": (keys % span + first_day).astype("datetime64[D]").astype(days.dtype),
        }
    )
    if value_col is not None:
        out["value"] = summed.to_numpy()
    out["_c"] = c
    return out


def _as_day(value, name: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as err:
        raise ParamsError(f"{name}: {value!r} is not a date") from err
    if pd.isna(ts):
        raise ParamsError(f"{name}: {value!r} is not a date")
    return ts.normalize()


def _summarise(daily: pd.DataFrame, end: pd.Timestamp, unit_days: float, with_value: bool):
    """Per-customer frequency, recency, T, monetary_value of the purchase days up to ``end``.

    ``daily`` comes from :func:`_daily_purchases` (sorted by customer and day);
    the result is indexed by customer id, sorted.
    """
    g = daily.groupby("_c", sort=True)
    first = g["day"].min()
    last = g["day"].max()
    n_days = g["day"].size()
    codes = daily["_c"].to_numpy()
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else np.array([], dtype="int64")
    index = pd.Index(daily["customer"].iloc[starts].array, name="customer")
    out = pd.DataFrame(
        {
            "frequency": (n_days - 1).astype("int64").to_numpy(),
            "recency": (last - first).dt.days.astype("float64").to_numpy() / unit_days,
            "T": (end - first).dt.days.astype("float64").to_numpy() / unit_days,
        },
        index=index,
    )
    if with_value:
        total = g["value"].sum()
        first_value = g["value"].first()  # days are sorted within customer
        repeat = out["frequency"].to_numpy()
        mean_repeat = np.divide(
            (total - first_value).to_numpy(),
            repeat,
            out=np.zeros(len(out)),
            where=repeat > 0,
        )
        out["monetary_value"] = mean_repeat
    return out


def rfm_summary(
    transactions: pd.DataFrame,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    value_col: str | None = "revenue",
    calibration_end=None,
    time_unit: str = "W",
) -> pd.DataFrame:
    """Per-customer frequency, recency, age and mean repeat spend (the BG/NBD inputs).

    Orders are counted by calendar day: several orders (or order lines) of a
    customer on one day make one purchase whose value is their sum. Only
    purchases on or before ``calibration_end`` count. The definitions are
    those of Fader, Hardie & Lee (2005), Marketing Science 24(2)
    (x, t_x, T), and Fader & Hardie (2013), "The Gamma-Gamma Model of
    Monetary Value" (mean spend of the repeat transactions).

    Parameters
    ----------
    transactions : DataFrame
        Order lines, one row per line (or per order).
    customer_col, date_col, value_col : str
        Column names of the customer id, the order date and the value
        (e.g. revenue). ``value_col=None`` leaves out ``monetary_value``.
    calibration_end : date-like, optional
        Last day of the calibration period (inclusive; time of day is
        ignored). Default: the last order date in ``transactions``.
    time_unit : {"W", "D"}
        Unit of ``recency`` and ``T``: weeks (days / 7) or days.

    Returns
    -------
    DataFrame
        One row per customer with a purchase on or before ``calibration_end``,
        sorted by customer id: ``customer_col``; ``frequency`` (int, number of
        repeat purchase days: purchase days minus one); ``recency`` (first to
        last purchase day); ``T`` (first purchase day to ``calibration_end``);
        ``monetary_value`` (mean value of the repeat purchase days, the first
        purchase excluded; 0 where ``frequency`` is 0).

    Raises
    ------
    DataError
        A column is missing, or ids, dates or values are missing or unreadable.
    ParamsError
        ``time_unit`` or ``calibration_end`` is invalid.
    InsufficientDataError
        No purchase falls on or before ``calibration_end``.

    Notes
    -----
    Columns in -> out: customer_col, date_col, value_col ->
    customer_col, frequency, recency, T, monetary_value.
    """
    unit_days = _days_per_unit(time_unit)
    daily = _daily_purchases(transactions, customer_col, date_col, value_col)
    return _rfm_from_daily(daily, customer_col, calibration_end, unit_days, value_col is not None)


def _rfm_from_daily(daily, customer_col, calibration_end, unit_days, with_value) -> pd.DataFrame:
    """:func:`rfm_summary` of the purchase days from :func:`_daily_purchases`."""
    if daily.empty:
        raise InsufficientDataError("transactions: there are no orders to summarise")
    end = daily["day"].max() if calibration_end is None else _as_day(calibration_end, "calibration_end")
    daily = daily[daily["day"] <= end]
    if daily.empty:
        raise InsufficientDataError(f"transactions: no order on or before calibration_end {end.date()}")
    out = _summarise(daily, end, unit_days, with_value)
    return out.rename_axis(customer_col).reset_index()


def calibration_holdout_summary(
    transactions: pd.DataFrame,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    value_col: str | None = "revenue",
    calibration_end=None,
    holdout_end=None,
    time_unit: str = "W",
) -> pd.DataFrame:
    """RFM summary of a calibration period plus the purchases in the following holdout.

    The split used to validate a BG/NBD fit (Fader, Hardie & Lee 2005,
    empirical analysis: 39 calibration weeks, 39 holdout weeks): the model is fitted
    on the calibration summary and its
    :meth:`BetaGeoModel.conditional_expected_purchases` over
    ``duration_holdout`` is compared with ``frequency_holdout``.

    Parameters
    ----------
    transactions : DataFrame
        Order lines.
    customer_col, date_col, value_col : str
        As in :func:`rfm_summary`.
    calibration_end : date-like
        Last day of the calibration period (inclusive). Required.
    holdout_end : date-like, optional
        Last day of the holdout period (inclusive). Default: the last order date.
    time_unit : {"W", "D"}
        Unit of ``recency``, ``T`` and ``duration_holdout``.

    Returns
    -------
    DataFrame
        The :func:`rfm_summary` of the calibration period (customers first
        seen after ``calibration_end`` are left out) plus
        ``frequency_holdout`` (purchase days in (calibration_end,
        holdout_end]; all are repeat purchases), ``monetary_value_holdout``
        (their mean value, 0 where none; only with ``value_col``) and
        ``duration_holdout`` (holdout_end - calibration_end in time units).

    Raises
    ------
    ParamsError
        ``calibration_end`` is missing or ``holdout_end`` is not after it.
    DataError, InsufficientDataError
        As in :func:`rfm_summary`.

    Notes
    -----
    Columns in -> out: customer_col, date_col, value_col -> customer_col,
    frequency, recency, T, monetary_value, frequency_holdout,
    monetary_value_holdout, duration_holdout.
    """
    unit_days = _days_per_unit(time_unit)
    if calibration_end is None:
        raise ParamsError("calibration_end: a date is required to split calibration and holdout")
    cal_end = _as_day(calibration_end, "calibration_end")
    daily = _daily_purchases(transactions, customer_col, date_col, value_col)
    return _split_from_daily(daily, customer_col, cal_end, holdout_end, unit_days, value_col is not None)


def _split_from_daily(daily, customer_col, cal_end, holdout_end, unit_days, with_value) -> pd.DataFrame:
    """:func:`calibration_holdout_summary` of the purchase days from :func:`_daily_purchases`."""
    if daily.empty:
        raise InsufficientDataError("transactions: there are no orders to summarise")
    hold_end = daily["day"].max() if holdout_end is None else _as_day(holdout_end, "holdout_end")
    if hold_end <= cal_end:
        raise ParamsError(f"holdout_end: {hold_end.date()} must be after calibration_end {cal_end.date()}")
    cal = daily[daily["day"] <= cal_end]
    if cal.empty:
        raise InsufficientDataError(f"transactions: no order on or before calibration_end {cal_end.date()}")
    out = _summarise(cal, cal_end, unit_days, with_value)
    hold = daily[(daily["day"] > cal_end) & (daily["day"] <= hold_end)]
    cal_codes = pd.unique(cal["_c"].to_numpy())  # the rows of ``out``, in order (cal is sorted by _c)
    in_cal = np.zeros(int(daily["_c"].max()) + 1, dtype=bool)
    in_cal[cal_codes] = True
    hold = hold[in_cal[hold["_c"].to_numpy()]]
    g = hold.groupby("_c", sort=True)
    count = g["day"].size().reindex(cal_codes, fill_value=0)
    out["frequency_holdout"] = count.to_numpy(dtype="int64")
    if with_value:
        mean_value = g["value"].mean().reindex(cal_codes, fill_value=0.0)
        out["monetary_value_holdout"] = mean_value.to_numpy(dtype="float64")
    out["duration_holdout"] = (hold_end - cal_end).days / unit_days
    return out.rename_axis(customer_col).reset_index()


# --------------------------------------------------------------------------
# Input checks shared by the models
# --------------------------------------------------------------------------


def _vector(values, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype="float64")
    except (ValueError, TypeError) as err:
        raise DataError(f"{name}: values must be numbers ({err})") from err
    arr = np.atleast_1d(arr)
    if arr.ndim != 1:
        raise DataError(f"{name}: expected a one-dimensional array, got shape {arr.shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        raise DataError(f"{name}: {int(bad.sum())} values are NaN or infinite (first at position {int(np.argmax(bad))})")
    return arr


def _same_length(**arrays) -> None:
    lengths = {k: len(v) for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise DataError(f"inputs differ in length: {lengths}")


def _frequency_vector(frequency) -> np.ndarray:
    x = _vector(frequency, "frequency")
    if (x < 0).any():
        raise DataError(f"frequency: must be >= 0 (first negative at position {int(np.argmax(x < 0))})")
    if (x != np.round(x)).any():
        bad = x != np.round(x)
        raise DataError(f"frequency: must be whole numbers of repeat purchases (first non-integer at position {int(np.argmax(bad))})")
    return x


def _rft(frequency, recency, T):
    """Validated float arrays (x, t_x, T) of the BG/NBD inputs."""
    x = _frequency_vector(frequency)
    tx = _vector(recency, "recency")
    big_t = _vector(T, "T")
    _same_length(frequency=x, recency=tx, T=big_t)
    if (tx < 0).any():
        raise DataError(f"recency: must be >= 0 (first negative at position {int(np.argmax(tx < 0))})")
    if (big_t < 0).any():
        raise DataError(f"T: must be >= 0 (first negative at position {int(np.argmax(big_t < 0))})")
    over = tx > big_t * (1 + 1e-12) + 1e-12
    if over.any():
        raise DataError(
            f"recency: must not exceed T (first at position {int(np.argmax(over))}: recency {tx[over][0]} > T {big_t[over][0]})"
        )
    lone = (x == 0) & (tx != 0)
    if lone.any():
        raise DataError(f"recency: must be 0 where frequency is 0 (first at position {int(np.argmax(lone))})")
    return x, tx, big_t


def _like(result: np.ndarray, *inputs):
    """Return ``result`` shaped like the inputs: a Series keeps the index, a scalar a float."""
    for v in inputs:
        if isinstance(v, pd.Series):
            return pd.Series(result, index=v.index)
    if all(np.ndim(v) == 0 for v in inputs):
        return float(result[0])
    return result


def _horizon(t, name: str = "t") -> np.ndarray:
    arr = _vector(t, name)
    if (arr < 0).any():
        raise ParamsError(f"{name}: must be >= 0, got {arr[arr < 0][0]}")
    return arr


# --------------------------------------------------------------------------
# Maximum likelihood machinery shared by the models
# --------------------------------------------------------------------------


# Parameters are searched in a box on the fitting scale (time or spend divided
# by a data scale, see the models' fit): below 1e-4 or above 1e4 a parameter
# only says "no heterogeneity" or "no dropout", and the hypergeometric terms
# stop being computable much beyond it.
_LOG_BOUNDS = (np.log(1e-4), np.log(1e4))


def _one_blas_thread():
    """Context that runs BLAS on one thread, restoring the previous setting on exit.

    L-BFGS-B on three or four parameters makes thousands of tiny BLAS calls;
    with several BLAS threads (and other processes on the same cores) each
    call waits on thread hand-offs, which cost several times the arithmetic.
    ``threadpoolctl`` ships with scikit-learn; without it nothing changes.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn requires it
        from contextlib import nullcontext

        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _maximise(neg_ll_grad, starts, names, tol):
    """Minimise a negative log-likelihood over log-parameters from several starts.

    ``neg_ll_grad(theta_natural)`` returns (negative LL, gradient in natural
    parameters). Each start is run with L-BFGS-B on log-parameters inside
    ``_LOG_BOUNDS``; the best end point is returned with whether its
    projected gradient is small and which parameters sit on a bound.
    """

    def objective(log_theta):
        theta = np.exp(log_theta)
        with np.errstate(all="ignore"):
            value, grad = neg_ll_grad(theta)
        if not np.isfinite(value) or not np.all(np.isfinite(grad)):
            return 1e300, np.zeros_like(log_theta)
        return value, grad * theta  # chain rule: d/d log(theta) = theta * d/d theta

    lo, hi = _LOG_BOUNDS
    best = None
    with _one_blas_thread():
        for start in starts:
            x0 = np.clip(np.log(np.asarray(start, dtype="float64")), lo, hi)
            res = optimize.minimize(
                objective,
                x0,
                jac=True,
                method="L-BFGS-B",
                bounds=[(lo, hi)] * len(x0),
                options={"ftol": 1e-15, "gtol": tol, "maxiter": 5000, "maxcor": 20},
            )
            if best is None or res.fun < best.fun:
                best = res
    _, grad = objective(best.x)
    at_low = best.x <= lo + 1e-6
    at_high = best.x >= hi - 1e-6
    projected = np.where((at_low & (grad > 0)) | (at_high & (grad < 0)), 0.0, grad)
    converged = bool(np.isfinite(best.fun) and np.max(np.abs(projected)) < 1e-4)
    if not converged:
        warnings.warn(
            f"maximum likelihood for ({', '.join(names)}) may not have converged (largest gradient {np.max(np.abs(projected)):.2g})",
            RuntimeWarning,
            stacklevel=3,
        )
    at_bounds = tuple(n for n, b in zip(names, at_low | at_high, strict=True) if b)
    return np.exp(best.x), converged, at_bounds


def _hessian_covariance(neg_ll_grad, theta):
    """Covariance as the inverse of the numerical Hessian of the negative LL.

    The Hessian is built by central differences of the analytic gradient in
    the natural parameters (step 1e-5 relative), then symmetrised. Returns
    (covariance, standard errors, ok); NaN and ok False where the Hessian is
    not positive definite.
    """
    k = len(theta)
    hess = np.empty((k, k))
    for i in range(k):
        h = 1e-5 * max(abs(theta[i]), 1e-8)
        up, down = theta.copy(), theta.copy()
        up[i] += h
        down[i] -= h
        hess[:, i] = (neg_ll_grad(up)[1] - neg_ll_grad(down)[1]) / (2 * h)
    hess = (hess + hess.T) / 2
    try:
        np.linalg.cholesky(hess)
        cov = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        return np.full((k, k), np.nan), np.full(k, np.nan), False
    return cov, np.sqrt(np.diag(cov)), True


class _Fitted:
    """scikit-learn style access to fitted attributes."""

    _param_names: tuple[str, ...] = ()
    _label = ""
    _bound_meaning: dict[str, str] = {}

    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call fit(...) first")

    @property
    def params(self) -> dict[str, float]:
        """Fitted parameters (alias of ``params_``)."""
        self._check_fitted()
        return dict(self.params_)

    @property
    def log_likelihood(self) -> float:
        """Full log-likelihood at the optimum (alias of ``log_likelihood_``)."""
        self._check_fitted()
        return self.log_likelihood_

    @property
    def standard_errors(self) -> dict[str, float]:
        """Standard errors of the parameters (alias of ``standard_errors_``)."""
        self._check_fitted()
        return dict(self.standard_errors_)

    def summary(self) -> pd.DataFrame:
        """Parameter table: estimate, standard error, 95% Wald interval.

        Columns out: parameter, estimate, std_error, ci_lower, ci_upper.
        """
        self._check_fitted()
        est = np.array([self.params_[k] for k in self._param_names])
        se = np.array([self.standard_errors_[k] for k in self._param_names])
        return pd.DataFrame(
            {
                "parameter": list(self._param_names),
                "estimate": est,
                "std_error": se,
                "ci_lower": est - 1.959963984540054 * se,
                "ci_upper": est + 1.959963984540054 * se,
            }
        )

    def _finish_fit(self, theta, converged, at_bounds, total, n) -> None:
        """Store the fit: LL and Hessian standard errors at ``theta`` (natural units).

        ``total(theta)`` returns the full negative LL and its gradient. On a
        parameter bound, or with a Hessian that is not positive definite, the
        standard errors are NaN and one RuntimeWarning says why.
        """
        names = self._param_names
        cov, se, ok = _hessian_covariance(total, theta)
        if at_bounds:
            cov, se = np.full_like(cov, np.nan), np.full_like(se, np.nan)
            meaning = "; ".join(dict.fromkeys(self._bound_meaning[k] for k in at_bounds))
            warnings.warn(
                f"{self._label}: {', '.join(at_bounds)} reached the search limit ({meaning}); "
                "the estimates are limiting values and their standard errors are not available",
                RuntimeWarning,
                stacklevel=3,
            )
        elif not ok:
            warnings.warn(
                f"{self._label}: the Hessian of the negative log-likelihood is not positive definite; standard errors are NaN",
                RuntimeWarning,
                stacklevel=3,
            )
        self.params_ = {k: float(v) for k, v in zip(names, theta, strict=True)}
        self.log_likelihood_ = -float(total(theta)[0])
        self.covariance_ = pd.DataFrame(cov, index=list(names), columns=list(names))
        self.standard_errors_ = {k: float(v) for k, v in zip(names, se, strict=True)}
        self.converged_ = converged
        self.at_bounds_ = at_bounds
        self.n_customers_ = int(n)


# --------------------------------------------------------------------------
# BG/NBD
# --------------------------------------------------------------------------


def _by_value(x):
    """``(unique values, inverse index)`` of ``x``: terms that depend on x only are computed once per value."""
    return np.unique(x, return_inverse=True)


def _bgnbd_ll_terms(theta, x, tx, big_t, groups=None):
    """Per-customer log-likelihood and its gradient in (r, alpha, a, b).

    Fader, Hardie & Lee (2005) eq. (6), in the form of their note
    "Implementing the BG/NBD model": L = A1 * A2 * (A3 + [x > 0] A4) with
    ln A1 = lnG(r+x) - lnG(r) + r ln(alpha), ln A2 = ln B(a, b+x) - ln B(a, b),
    ln A3 = -(r+x) ln(alpha+T), ln A4 = ln(a/(b+x-1)) - (r+x) ln(alpha+t_x);
    the sum A3 + A4 is taken with logaddexp.

    ``groups`` is ``_by_value(x)``: the gamma, beta and digamma terms depend
    on x alone, so they are evaluated once per distinct x (a few dozen
    values) and gathered, instead of once per customer. The per-customer
    values are the same numbers either way.
    """
    r, alpha, a, b = theta
    ux, inv = groups if groups is not None else (x, slice(None))
    # terms of x alone, per distinct x
    u_has = ux > 0
    u_rx = r + ux
    u_bx1 = np.where(u_has, b + ux - 1, 1.0)
    u_a1 = special.gammaln(u_rx) - special.gammaln(r)
    u_a2 = special.betaln(a, b + ux) - special.betaln(a, b)
    u_a4 = np.log(a) - np.log(u_bx1)
    psi_ab = special.digamma(a + b)
    u_psi_abx = special.digamma(a + b + ux)
    u_psi = psi_ab - u_psi_abx
    u_dr = special.digamma(u_rx) - special.digamma(r) + np.log(alpha)
    u_db = special.digamma(b + ux) - special.digamma(b) + psi_ab - u_psi_abx
    has, rx, bx1 = u_has[inv], u_rx[inv], u_bx1[inv]
    ln_a1 = u_a1[inv] + r * np.log(alpha)
    ln_a2 = u_a2[inv]
    log_at, log_atx = np.log(alpha + big_t), np.log(alpha + tx)
    ln_a3 = -rx * log_at
    ln_a4 = np.where(has, u_a4[inv] - rx * log_atx, -np.inf)
    ln_d = np.logaddexp(ln_a3, ln_a4)
    ll = ln_a1 + ln_a2 + ln_d
    w4 = np.exp(ln_a4 - ln_d)  # share of the A4 term
    w3 = 1.0 - w4
    d_r = u_dr[inv] - w3 * log_at - w4 * log_atx
    d_alpha = r / alpha - rx * (w3 / (alpha + big_t) + w4 / (alpha + tx))
    d_a = u_psi[inv] + w4 / a
    d_b = u_db[inv] - np.where(has, w4 / bx1, 0.0)
    return ll, np.vstack([d_r, d_alpha, d_a, d_b])


def _a_values(a: float) -> list[float]:
    """Values of ``a`` to average over where ``a - 1`` is too close to 0 to divide by."""
    return [a] if abs(a - 1.0) > 1e-7 else [1.0 - 1e-5, 1.0 + 1e-5]


class BetaGeoModel(_Fitted):
    """BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005).

    While active, a customer buys as a Poisson process with rate lambda;
    lambda ~ Gamma(shape r, rate alpha) across customers. After each repeat
    purchase the customer drops out for good with probability p;
    p ~ Beta(a, b) across customers.

    Parameters
    ----------
    n_starts : int
        Number of starting points of the likelihood maximisation, 1 to 4
        (the best end point is kept).
    tol : float
        Projected-gradient tolerance of the L-BFGS-B optimiser on the mean log-likelihood.

    Attributes
    ----------
    params_ : dict
        Maximum likelihood estimates, keys ``r``, ``alpha``, ``a``, ``b``.
    log_likelihood_ : float
        Full log-likelihood (sum over customers of eq. 6) at the optimum.
    standard_errors_ : dict
        Standard errors from the inverse numerical Hessian of the negative LL.
    covariance_ : DataFrame
        The inverse Hessian.
    converged_ : bool
        Whether the (projected) gradient vanished at the optimum.
    at_bounds_ : tuple of str
        Parameters that ended on the search box, 1e-4 to 1e4 with time
        rescaled so that the largest T is 10: the data show no spread in
        purchase rates (r, alpha large) or no dropout (a small, b large).
        The estimates are then limits and the standard errors NaN.
    n_customers_ : int

    Notes
    -----
    The likelihood is maximised with L-BFGS-B over log-parameters from up
    to four starting points; standard errors are the square roots of the
    diagonal of the inverse Hessian of the negative log-likelihood, taken
    by central finite differences of the analytic gradient in the natural
    parameters.

    ``params``, ``log_likelihood`` and ``standard_errors`` are read-only
    aliases that raise :class:`~custlib.exceptions.NotFittedError` before fit.
    """

    _param_names = ("r", "alpha", "a", "b")
    _label = "BG/NBD"
    _bound_meaning = {
        "r": "purchase rates barely differ between customers",
        "alpha": "purchase rates barely differ between customers",
        "a": "dropout sits at an extreme: almost no one, or almost everyone, drops out",
        "b": "dropout sits at an extreme: almost no one, or almost everyone, drops out",
    }

    def __init__(self, n_starts: int = 3, tol: float = 1e-9):
        self.n_starts = n_starts
        self.tol = tol

    def fit(self, frequency, recency, T) -> BetaGeoModel:
        """Fit by maximum likelihood.

        Parameters
        ----------
        frequency, recency, T : array-like
            Per customer: repeat purchases x, time of the last purchase t_x
            and age T, as returned by :func:`rfm_summary`.

        Returns
        -------
        BetaGeoModel
            ``self``, fitted.

        Raises
        ------
        DataError
            NaN, negative or non-integer frequency, recency > T, recency not 0
            where frequency is 0, or inputs of different length.
        InsufficientDataError
            Fewer than two customers, or no repeat purchase at all.
        ParamsError
            ``n_starts`` or ``tol`` is invalid.
        """
        if not isinstance(self.n_starts, int | np.integer) or not 1 <= self.n_starts <= 4:
            raise ParamsError(f"n_starts: expected an integer from 1 to 4, got {self.n_starts!r}")
        if not self.tol > 0:
            raise ParamsError(f"tol: expected a positive number, got {self.tol!r}")
        x, tx, big_t = _rft(frequency, recency, T)
        if len(x) < 2:
            raise InsufficientDataError(f"frequency: the BG/NBD model needs at least two customers, got {len(x)}")
        if not (x > 0).any():
            raise InsufficientDataError("frequency: no customer has a repeat purchase; the BG/NBD model cannot be fitted")
        if not (big_t > 0).any():
            raise InsufficientDataError("T: every customer has age 0; nothing to fit")
        n = len(x)
        # Fit with time divided by `scale` (max T = 10) so that the search box
        # means the same whatever the time unit; alpha scales with time.
        scale = float(big_t.max()) / 10.0
        txs, ts = tx / scale, big_t / scale
        groups = _by_value(x)

        def neg_ll_grad(theta):
            ll, grad = _bgnbd_ll_terms(theta, x, txs, ts, groups)
            return -ll.sum() / n, -grad.sum(axis=1) / n

        # Starting values: a mean purchase rate r / alpha equal to the observed
        # repeat rate, with a few shapes for the heterogeneity and dropout.
        rate = max(x.sum() / ts.sum(), 1e-3)
        grid = [(1.0, 1.0, 1.0), (0.5, 1.0, 3.0), (2.0, 0.5, 1.0), (0.25, 2.0, 5.0)]
        starts = [(r0, r0 / rate, a0, b0) for r0, a0, b0 in grid[: self.n_starts]]
        theta, converged, at_bounds = _maximise(neg_ll_grad, starts, self._param_names, self.tol)
        theta[1] *= scale

        def total(theta_):
            ll, grad = _bgnbd_ll_terms(theta_, x, tx, big_t, groups)
            return -ll.sum(), -grad.sum(axis=1)

        self._finish_fit(theta, converged, at_bounds, total, n)
        return self

    def _theta(self):
        self._check_fitted()
        p = self.params_
        return p["r"], p["alpha"], p["a"], p["b"]

    def expected_purchases(self, t):
        """Expected repeat purchases in (0, t] of a customer just acquired.

        Fader, Hardie & Lee (2005) eq. (7):
        E[X(t)] = (a+b-1)/(a-1) * [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))],
        evaluated after Euler's transformation
        2F1(r, b; c; z) = (1-z)^(c-r-b) 2F1(c-r, c-b; c; z), which gives
        (alpha/(alpha+t))^r 2F1(...) = (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b-1; z).

        Parameters
        ----------
        t : float or array-like
            Length of the period, in the model's time unit (>= 0).

        Returns
        -------
        float, ndarray or Series
            Shaped like ``t``.

        Raises
        ------
        NotFittedError, ParamsError
        """
        r, alpha, a, b = self._theta()
        tt = _horizon(t)
        z = tt / (alpha + tt)
        vals = []
        for a_ in _a_values(a):
            c = a_ + b - 1
            term = (1 - z) ** (a_ - 1) * special.hyp2f1(c - r, a_ - 1, c, z)
            vals.append(c / (a_ - 1) * (1 - term))
        return _like(np.mean(vals, axis=0), t)

    def probability_alive(self, frequency, recency, T):
        """Probability that each customer is still active at age T.

        Fader, Hardie & Lee (2008), note "Computing P(alive) using
        the BG/NBD model": P(alive) = 1 / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)).
        It is 1 for x = 0: in the BG/NBD model a customer can only drop out
        right after a repeat purchase.

        Parameters
        ----------
        frequency, recency, T : array-like
            As in :meth:`fit`.

        Returns
        -------
        float, ndarray or Series
            Shaped like the inputs.

        Raises
        ------
        NotFittedError, DataError
        """
        r, alpha, a, b = self._theta()
        x, tx, big_t = _rft(frequency, recency, T)
        has = x > 0
        log_odds = np.where(
            has,
            np.log(a) - np.log(np.where(has, b + x - 1, 1.0)) + (r + x) * (np.log(alpha + big_t) - np.log(alpha + tx)),
            -np.inf,
        )
        return _like(special.expit(-log_odds), frequency, recency, T)

    def conditional_expected_purchases(self, t, frequency, recency, T):
        """Expected repeat purchases in (T, T+t] given a customer's history.

        Fader, Hardie & Lee (2005) eq. (10):
        E[Y(t) | x, t_x, T] = (a+b+x-1)/(a-1)
            * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]
            / [1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)],
        with the Gauss hypergeometric function ``scipy.special.hyp2f1``, after
        Euler's transformation (as in :meth:`expected_purchases`), so that
        the 2F1 term reads (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z),
        z = t/(alpha+T+t), and stays well conditioned for large x.

        Parameters
        ----------
        t : float
            Length of the future period, in the model's time unit (>= 0).
        frequency, recency, T : array-like
            As in :meth:`fit`.

        Returns
        -------
        float, ndarray or Series
            Shaped like the customer inputs.

        Raises
        ------
        NotFittedError, DataError, ParamsError
        """
        r, alpha, a, b = self._theta()
        tt = _horizon(t)
        if tt.size != 1:
            raise ParamsError("t: expected one period length")
        tt = float(tt[0])
        x, tx, big_t = _rft(frequency, recency, T)
        z = tt / (alpha + big_t + tt)
        p_alive = np.asarray(self.probability_alive(x, tx, big_t), dtype="float64")
        vals = []
        for a_ in _a_values(a):
            c = a_ + b + x - 1
            term = (1 - z) ** (a_ - 1) * special.hyp2f1(a_ + b - 1 - r, a_ - 1, c, z)
            vals.append(c / (a_ - 1) * (1 - term))
        return _like(np.mean(vals, axis=0) * p_alive, frequency, recency, T)


def fit_bgnbd(frequency, recency, T, **settings) -> BetaGeoModel:
    """Fit the BG/NBD model (Fader, Hardie & Lee 2005) by maximum likelihood.

    Parameters
    ----------
    frequency, recency, T : array-like
        Per customer repeat purchases, recency and age (see :func:`rfm_summary`).
    **settings
        Passed to :class:`BetaGeoModel` (``n_starts``, ``tol``).

    Returns
    -------
    BetaGeoModel
        Fitted; ``.params`` has keys ``r``, ``alpha``, ``a``, ``b``.

    Raises
    ------
    DataError, InsufficientDataError, ParamsError
        See :meth:`BetaGeoModel.fit`.
    """
    return BetaGeoModel(**settings).fit(frequency, recency, T)


# --------------------------------------------------------------------------
# Gamma-Gamma
# --------------------------------------------------------------------------


def _gg_ll_terms(theta, x, m, groups=None):
    """Per-customer log-likelihood of the mean spend and its gradient in (p, q, gamma).

    Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value", the
    marginal density of the mean spend m of x transactions:
    f(m | x) = G(px+q) / (G(px) G(q)) * gamma^q m^(px-1) x^(px) / (gamma + m x)^(px+q).

    ``groups`` is ``_by_value(x)``: the gamma and digamma terms depend on x
    alone and are evaluated once per distinct x, then gathered (same values).
    """
    p, q, g = theta
    ux, inv = groups if groups is not None else (x, slice(None))
    u_px = p * ux
    u_g = special.gammaln(u_px + q) - special.gammaln(u_px) - special.gammaln(q) + q * np.log(g)
    u_psi = special.digamma(u_px + q)
    u_dp = u_psi - special.digamma(u_px)
    u_dq = u_psi - special.digamma(q) + np.log(g)
    px = u_px[inv]
    s = g + m * x
    log_m, log_x, log_s = np.log(m), np.log(x), np.log(s)
    ll = u_g[inv] + (px - 1) * log_m + px * log_x - (px + q) * log_s
    d_p = x * (u_dp[inv] + log_m + log_x - log_s)
    d_q = u_dq[inv] - log_s
    d_g = q / g - (px + q) / s
    return ll, np.vstack([d_p, d_q, d_g])


def _xm(frequency, monetary_value):
    x = _frequency_vector(frequency)
    m = _vector(monetary_value, "monetary_value")
    _same_length(frequency=x, monetary_value=m)
    bad = (x > 0) & (m <= 0)
    if bad.any():
        raise DataError(f"monetary_value: must be > 0 where frequency > 0 (first at position {int(np.argmax(bad))}: {m[bad][0]})")
    return x, m


class GammaGammaModel(_Fitted):
    """Gamma-Gamma model of spend per transaction (Colombo & Jiang 1999; Fader & Hardie 2013).

    A customer's transaction values are Gamma(p, nu) with the same shape p
    for everyone; the scale nu ~ Gamma(q, gamma) across customers. The mean
    spend is assumed independent of the purchase process. Fitted on the
    customers with at least one repeat purchase, on their mean repeat spend.

    Parameters
    ----------
    n_starts : int
        Number of starting points of the likelihood maximisation, 1 to 4.
    tol : float
        Projected-gradient tolerance of the L-BFGS-B optimiser on the mean log-likelihood.

    Attributes
    ----------
    params_ : dict
        Keys ``p``, ``q``, ``gamma``.
    log_likelihood_ : float
        Sum over repeat customers of the log-density of their mean spend.
    standard_errors_, covariance_, converged_, at_bounds_, n_customers_
        As in :class:`BetaGeoModel` (spend is rescaled by its mean for the
        search box; ``n_customers_`` counts repeat customers).
    """

    _param_names = ("p", "q", "gamma")
    _label = "Gamma-Gamma"
    _bound_meaning = {
        "p": "the spread of a customer's transaction values is extreme",
        "q": "average spend barely differs between customers beyond transaction noise",
        "gamma": "average spend barely differs between customers beyond transaction noise",
    }

    def __init__(self, n_starts: int = 3, tol: float = 1e-9):
        self.n_starts = n_starts
        self.tol = tol

    def fit(self, frequency, monetary_value) -> GammaGammaModel:
        """Fit by maximum likelihood on the customers with ``frequency > 0``.

        Parameters
        ----------
        frequency : array-like
            Repeat purchases per customer.
        monetary_value : array-like
            Mean value of the repeat purchases (ignored where frequency is 0).

        Returns
        -------
        GammaGammaModel
            ``self``, fitted.

        Raises
        ------
        DataError
            NaN, negative or non-integer frequency, non-positive spend of a
            repeat customer, inputs of different length.
        InsufficientDataError
            Fewer than three repeat customers, or all their mean spends equal.
        ParamsError
            ``n_starts`` or ``tol`` is invalid.
        """
        if not isinstance(self.n_starts, int | np.integer) or not 1 <= self.n_starts <= 4:
            raise ParamsError(f"n_starts: expected an integer from 1 to 4, got {self.n_starts!r}")
        if not self.tol > 0:
            raise ParamsError(f"tol: expected a positive number, got {self.tol!r}")
        x, m = _xm(frequency, monetary_value)
        keep = x > 0
        x, m = x[keep], m[keep]
        if len(x) < 3:
            raise InsufficientDataError(f"frequency: the Gamma-Gamma model needs at least three repeat customers, got {len(x)}")
        if np.ptp(m) == 0:
            raise InsufficientDataError(
                "monetary_value: every repeat customer has the same mean spend; the spread of spend cannot be estimated"
            )
        n = len(x)
        # Fit with spend divided by its mean so that the search box means the
        # same whatever the currency; gamma scales with spend.
        scale = float(m.mean())
        ms = m / scale
        groups = _by_value(x)

        def neg_ll_grad(theta):
            ll, grad = _gg_ll_terms(theta, x, ms, groups)
            return -ll.sum() / n, -grad.sum(axis=1) / n

        # Starting values: population mean spend p * gamma / (q - 1) equal to
        # the observed mean (1 on the fitting scale), for a few shapes p and q.
        grid = [(2.0, 3.0), (1.0, 2.0), (8.0, 4.0), (0.5, 1.5)]
        starts = [(p0, q0, (q0 - 1) / p0) for p0, q0 in grid[: self.n_starts]]
        theta, converged, at_bounds = _maximise(neg_ll_grad, starts, self._param_names, self.tol)
        theta[2] *= scale

        def total(theta_):
            ll, grad = _gg_ll_terms(theta_, x, m, groups)
            return -ll.sum(), -grad.sum(axis=1)

        self._finish_fit(theta, converged, at_bounds, total, n)
        return self

    def population_mean_value(self) -> float:
        """Mean spend per transaction across customers, p * gamma / (q - 1).

        Fader & Hardie (2013): E[p / nu] with nu ~ Gamma(q, gamma); NaN when q <= 1
        (the mean is then infinite).
        """
        self._check_fitted()
        p, q, g = (self.params_[k] for k in self._param_names)
        return p * g / (q - 1) if q > 1 else float("nan")

    def conditional_expected_value(self, frequency, monetary_value):
        """Expected spend per future transaction given a customer's history.

        Fader & Hardie (2013), the posterior mean of p / nu:
        E[M | p, q, gamma, m_x, x] = p (gamma + x m_x) / (p x + q - 1)
        = (q-1)/(px+q-1) * p gamma/(q-1) + px/(px+q-1) * m_x,
        a weighted mean of the population mean and the customer's own mean.
        For x = 0 it is the population mean (NaN when q <= 1).

        Parameters
        ----------
        frequency, monetary_value : array-like
            As in :meth:`fit`.

        Returns
        -------
        float, ndarray or Series
            Shaped like the inputs.

        Raises
        ------
        NotFittedError, DataError
        """
        self._check_fitted()
        p, q, g = (self.params_[k] for k in self._param_names)
        x, m = _xm(frequency, monetary_value)
        mm = np.where(x > 0, m, 0.0)
        denom = p * x + q - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(denom > 0, p * (g + x * mm) / denom, np.nan)
        return _like(value, frequency, monetary_value)


def fit_gamma_gamma(frequency, monetary_value, **settings) -> GammaGammaModel:
    """Fit the Gamma-Gamma spend model (Fader & Hardie 2013) by maximum likelihood.

    Parameters
    ----------
    frequency, monetary_value : array-like
        Repeat purchases and mean repeat spend per customer (see
        :func:`rfm_summary`); customers with frequency 0 are ignored.
    **settings
        Passed to :class:`GammaGammaModel` (``n_starts``, ``tol``).

    Returns
    -------
    GammaGammaModel
        Fitted; ``.params`` has keys ``p``, ``q``, ``gamma``.

    Raises
    ------
    DataError, InsufficientDataError, ParamsError
        See :meth:`GammaGammaModel.fit`.
    """
    return GammaGammaModel(**settings).fit(frequency, monetary_value)


# --------------------------------------------------------------------------
# Lifetime value and reporting helpers
# --------------------------------------------------------------------------


def _check_number(value, name, low=None, high=None, low_open=False):
    try:
        v = float(value)
    except (TypeError, ValueError) as err:
        raise ParamsError(f"{name}: expected a number, got {value!r}") from err
    if not np.isfinite(v):
        raise ParamsError(f"{name}: expected a finite number, got {value!r}")
    if low is not None and (v < low or (low_open and v == low)):
        raise ParamsError(f"{name}: expected {'>' if low_open else '>='} {low}, got {value!r}")
    if high is not None and v > high:
        raise ParamsError(f"{name}: expected <= {high}, got {value!r}")
    return v


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
        Per-customer summary (see :func:`rfm_summary`).
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
    d = _check_number(discount_rate_per_period, "discount_rate_per_period", low=0.0)
    mg = _check_number(margin, "margin", low=0.0, high=1.0)
    length = _check_number(period_length, "period_length", low=0.0, low_open=True)
    x, tx, big_t = _rft(frequency, recency, T)
    value = np.asarray(gamma_gamma.conditional_expected_value(x, monetary_value), dtype="float64")
    bgnbd._check_fitted()
    cumulative = np.zeros(len(x))
    discounted = np.zeros(len(x))
    for k in range(1, int(horizon_periods) + 1):
        cum_k = np.asarray(bgnbd.conditional_expected_purchases(k * length, x, tx, big_t), dtype="float64")
        discounted += (cum_k - cumulative) / (1.0 + d) ** k
        cumulative = cum_k
    return _like(mg * value * discounted, frequency, recency, T, monetary_value)


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
        Output of :func:`rfm_summary`.
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
        ``summary`` plus ``probability_alive``, ``expected_purchases``,
        ``expected_value`` and ``clv``, sorted by ``clv`` descending (ties by id).

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
    _check_columns(summary, "summary", (customer_col, *_RFM_COLUMNS))
    window = period_length if next_periods is None else next_periods
    x, tx, big_t, m = (summary[c] for c in _RFM_COLUMNS)
    out = summary.copy()
    out["probability_alive"] = np.asarray(bgnbd.probability_alive(x, tx, big_t))
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


def holdout_check(bgnbd: BetaGeoModel, summary: pd.DataFrame, max_frequency: int = 7) -> pd.DataFrame:
    """Predicted vs actual holdout purchases by calibration frequency.

    The conditional-expectation check of Fader, Hardie & Lee (2005),
    empirical analysis: customers are grouped by their calibration ``frequency``
    (``max_frequency`` and above pooled into one group) and the mean of
    eq. (10) over ``duration_holdout`` is set against the mean actual
    ``frequency_holdout``. A last row ``"all"`` holds the totals' means.

    Parameters
    ----------
    bgnbd : BetaGeoModel
        Model fitted on the calibration summary.
    summary : DataFrame
        Output of :func:`calibration_holdout_summary`.
    max_frequency : int
        Frequencies at or above it form one group labelled ``"7+"`` (for 7).

    Returns
    -------
    DataFrame
        Columns ``frequency_group`` (str), ``customers``, ``actual``
        (mean holdout repeat purchases), ``predicted`` (mean eq. 10).

    Raises
    ------
    DataError
        A column is missing.
    ParamsError
        ``max_frequency`` is not a positive integer.
    NotFittedError

    Notes
    -----
    Columns in -> out: frequency, recency, T, frequency_holdout,
    duration_holdout -> frequency_group, customers, actual, predicted.
    """
    if not isinstance(max_frequency, int | np.integer) or max_frequency < 1:
        raise ParamsError(f"max_frequency: expected a positive integer, got {max_frequency!r}")
    _check_columns(summary, "summary", ("frequency", "recency", "T", "frequency_holdout", "duration_holdout"))
    durations = summary["duration_holdout"].unique()
    if len(durations) != 1:
        raise DataError("summary: column 'duration_holdout' must hold one value")
    predicted = np.asarray(
        bgnbd.conditional_expected_purchases(float(durations[0]), summary["frequency"], summary["recency"], summary["T"]),
        dtype="float64",
    )
    freq = summary["frequency"].to_numpy()
    group = np.minimum(freq, max_frequency).astype("int64")
    frame = pd.DataFrame(
        {
            "group": group,
            "actual": summary["frequency_holdout"].to_numpy(dtype="float64"),
            "predicted": predicted,
        }
    )
    table = (
        frame.groupby("group", sort=True)
        .agg(customers=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean"))
        .reset_index()
    )
    labels = [f"{g}+" if g == max_frequency else str(g) for g in table["group"].to_numpy()]
    table.insert(0, "frequency_group", pd.array(labels, dtype="str"))
    total = pd.DataFrame(
        {
            "frequency_group": pd.array(["all"], dtype="str"),
            "customers": [len(frame)],
            "actual": [frame["actual"].mean()],
            "predicted": [frame["predicted"].mean()],
        }
    )
    out = pd.concat([table.drop(columns="group"), total], ignore_index=True)
    out["customers"] = out["customers"].astype("int64")
    return out


def plot_holdout_check(check: pd.DataFrame | None, ax=None):
    """Line chart of actual vs predicted mean holdout purchases by calibration frequency.

    Parameters
    ----------
    check : DataFrame or None
        Output of :func:`holdout_check` (the ``"all"`` row is left out).
        None (:attr:`LifetimeValueResult.check` when the history before
        the holdout window was too thin) draws no chart but writes that
        there is no check on the axes.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    DataError
        A column is missing.
    """
    import matplotlib.pyplot as plt

    if check is None:
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 1.2))
        ax.axis("off")
        ax.text(
            0.0,
            0.5,
            "No holdout check: the history before the holdout window is too thin to fit the model on it.",
            va="center",
            fontsize=10,
            transform=ax.transAxes,
        )
        return ax
    _check_columns(check, "check", ("frequency_group", "actual", "predicted"))
    rows = check[check["frequency_group"] != "all"]
    if ax is None:
        _, ax = plt.subplots()
    pos = np.arange(len(rows))
    ax.plot(pos, rows["actual"].to_numpy(), marker="o", label="Actual")
    ax.plot(pos, rows["predicted"].to_numpy(), marker="o", linestyle="--", label="Predicted (BG/NBD)")
    ax.set_xticks(pos, rows["frequency_group"].to_list())
    ax.set_xlabel("Repeat purchases before the holdout window")
    ax.set_ylabel("Mean repeat purchases in the holdout window")
    ax.set_title("Holdout check: actual and predicted repeat purchases")
    ax.legend(loc="upper left")
    return ax


# --------------------------------------------------------------------------
# One call for the report
# --------------------------------------------------------------------------


FIT_SAMPLE = 20_000
"""Default largest number of customers the lifetime value models are fitted on."""


def sample_rows(n: int, size: int, seed: int = 0) -> np.ndarray:
    """Boolean mask of a simple random sample of ``size`` of ``n`` rows (all rows when ``size >= n``).

    Drawn without replacement with ``numpy.random.default_rng(seed)``, so
    the same ``n``, ``size`` and ``seed`` always pick the same rows.

    Parameters
    ----------
    n : int
        Number of rows.
    size : int
        Rows to pick.
    seed : int
        Seed of the generator.

    Returns
    -------
    ndarray of bool
        Length ``n``, ``min(size, n)`` of them True.
    """
    mask = np.zeros(n, dtype=bool)
    if size >= n:
        mask[:] = True
        return mask
    mask[np.random.default_rng(seed).choice(n, size=size, replace=False)] = True
    return mask


@dataclass(frozen=True)
class LifetimeValueResult:
    """What :func:`lifetime_value_analysis` returns.

    Attributes
    ----------
    customers : DataFrame
        :func:`lifetime_value_table` at ``as_of`` (ranked by CLV); customers
        whose mean repeat spend is not positive have NaN ``expected_value``
        and ``clv``.
    parameters : DataFrame
        Columns model, parameter, estimate, std_error, ci_lower, ci_upper.
    check : DataFrame or None
        :func:`holdout_check` of a model fitted before the holdout window;
        None when the calibration data were too thin (see ``notes``).
    bgnbd, gamma_gamma : fitted models on the whole history to ``as_of``.
    margin : float
        Margin used for CLV.
    as_of, calibration_end : Timestamp
        End of the history, and end of the calibration period of the check.
    notes : tuple of str
        Plain-language caveats for the report.
    """

    customers: pd.DataFrame
    parameters: pd.DataFrame
    check: pd.DataFrame | None
    bgnbd: BetaGeoModel
    gamma_gamma: GammaGammaModel
    margin: float
    as_of: pd.Timestamp
    calibration_end: pd.Timestamp
    notes: tuple[str, ...]


def _margin_from_data(transactions, date_col, value_col, cost_col, as_of) -> float:
    _check_columns(transactions, "transactions", (date_col, value_col, cost_col))
    dates = pd.to_datetime(transactions[date_col]).dt.normalize()
    upto = transactions.loc[dates <= as_of, [value_col, cost_col]]
    if upto.empty:
        raise InsufficientDataError(f"lifetime value: no orders up to {as_of.date()}, so there is no customer to model")
    revenue = pd.to_numeric(upto[value_col], errors="coerce").sum()
    cost = pd.to_numeric(upto[cost_col], errors="coerce").sum()
    if not revenue > 0:
        raise InsufficientDataError(
            f"transactions: total {value_col!r} up to {as_of.date()} is not positive; no margin can be derived (set margin in params)"
        )
    margin = 1.0 - cost / revenue
    if not 0.0 <= margin <= 1.0:
        raise DataError(f"transactions: the margin 1 - {cost_col}/{value_col} is {margin:.3f}, outside [0, 1] (set margin in params)")
    return float(margin)


def lifetime_value_analysis(
    transactions: pd.DataFrame,
    as_of,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    value_col: str = "revenue",
    cost_col: str | None = "cost",
    time_unit: str = "W",
    holdout_periods: float = 26.0,
    check_max_frequency: int = 7,
    horizon_periods: int = 12,
    period_length: float = 4.345,
    discount_rate_per_period: float = 0.01,
    margin: float | None = None,
    n_starts: int = 3,
    fit_sample: int | None = FIT_SAMPLE,
    seed: int = 0,
) -> LifetimeValueResult:
    """BG/NBD + Gamma-Gamma lifetime value of every customer, with a holdout check.

    1. Check: the history up to ``as_of`` minus ``holdout_periods`` is the
       calibration period; a BG/NBD model fitted on it predicts each
       customer's repeat purchases in the holdout window up to ``as_of``
       (Fader, Hardie & Lee 2005, eq. 10) and :func:`holdout_check` sets
       them against the actual ones.
    2. Value: both models are refitted on the whole history up to
       ``as_of``; :func:`lifetime_value_table` gives probability alive,
       expected purchases in the next period, expected spend and the
       discounted CLV (:func:`customer_lifetime_value`).

    With more than ``fit_sample`` customers, both models (and the check's
    model) are fitted on a simple random sample of ``fit_sample`` customers
    drawn without replacement with ``numpy.random.default_rng(seed)``, and
    every customer is then scored with the fitted parameters. The customers
    are independent draws from the population the models describe, so the
    maximum likelihood estimate on a random subset is consistent for the
    same parameters (its standard errors, from the sample's Hessian, are
    about sqrt(n / fit_sample) times those of a fit on all n customers and
    say how precise it is); 20,000 customers give standard errors well under
    the spread the report's figures would notice, in a fraction of the time
    a fit on hundreds of thousands takes. A note says when a sample was used.
    Regions with at most ``fit_sample`` customers are fitted on all of them.

    Parameters
    ----------
    transactions : DataFrame
        Order lines (data contract ``transactions``).
    as_of : date-like
        End of the history (e.g. the report quarter's last day).
    customer_col, date_col, value_col : str
        Column names; ``value_col`` is the spend (revenue).
    cost_col : str, optional
        Cost column used to derive ``margin`` when it is None.
    time_unit : {"W", "D"}
        Model time unit.
    holdout_periods : float
        Length of the holdout window of the check, in time units.
    check_max_frequency : int
        Pooling threshold of :func:`holdout_check`.
    horizon_periods, period_length, discount_rate_per_period
        As in :func:`customer_lifetime_value`.
    margin : float, optional
        Profit share of spend; None derives 1 - sum(cost) / sum(revenue)
        from the history up to ``as_of``.
    n_starts : int
        Starting points of each likelihood maximisation.
    fit_sample : int, optional
        Largest number of customers the models are fitted on (at least 100);
        None fits on every customer.
    seed : int
        Seed of the customer sample.

    Returns
    -------
    LifetimeValueResult

    Raises
    ------
    DataError, ParamsError
        Bad transactions or parameters.
    InsufficientDataError
        Too little data for the models on the whole history: no orders,
        fewer than two customers, no repeat purchase, or fewer than three
        repeat customers with differing spend; the message says how many
        customers and repeat customers there are and what the models need.
        (Too little history before the holdout window only drops the check:
        ``check`` is None and ``notes`` says why.)

    Notes
    -----
    Columns in -> out: customer_col, date_col, value_col[, cost_col] ->
    see :class:`LifetimeValueResult`.
    """
    settings = {
        "customer_col": customer_col,
        "date_col": date_col,
        "value_col": value_col,
        "cost_col": cost_col,
        "time_unit": time_unit,
        "holdout_periods": holdout_periods,
        "check_max_frequency": check_max_frequency,
        "horizon_periods": horizon_periods,
        "period_length": period_length,
        "discount_rate_per_period": discount_rate_per_period,
        "margin": margin,
        "n_starts": n_starts,
        "fit_sample": fit_sample,
        "seed": seed,
    }
    # Fit warnings (parameters on the search limit, NaN standard errors) become
    # notes for the report reader instead of stderr noise; others pass through.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = _analyse(transactions, as_of, **settings)
    extra = []
    for w in caught:
        if issubclass(w.category, RuntimeWarning) and str(w.message) not in extra:
            extra.append(str(w.message))
        elif not issubclass(w.category, RuntimeWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if not extra:
        return result
    return replace(result, notes=result.notes + tuple(extra))


def _analyse(
    transactions,
    as_of,
    customer_col,
    date_col,
    value_col,
    cost_col,
    time_unit,
    holdout_periods,
    check_max_frequency,
    horizon_periods,
    period_length,
    discount_rate_per_period,
    margin,
    n_starts,
    fit_sample,
    seed,
) -> LifetimeValueResult:
    """The work of :func:`lifetime_value_analysis` (warnings not yet turned into notes)."""
    end = _as_day(as_of, "as_of")
    unit_days = _days_per_unit(time_unit)
    hold = _check_number(holdout_periods, "holdout_periods", low=0.0, low_open=True)
    if margin is None:
        if cost_col is None:
            raise ParamsError("margin: give a margin or a cost column to derive it from")
        margin = _margin_from_data(transactions, date_col, value_col, cost_col, end)
    margin = _check_number(margin, "margin", low=0.0, high=1.0)
    cal_end = end - pd.Timedelta(days=round(hold * unit_days))
    if fit_sample is not None and (isinstance(fit_sample, bool) or not isinstance(fit_sample, int | np.integer) or fit_sample < 100):
        raise ParamsError(f"fit_sample: expected a whole number of customers of at least 100, or None for all, got {fit_sample!r}")
    notes: list[str] = []

    daily = _daily_purchases(transactions, customer_col, date_col, value_col)  # shared by the summary and the check
    try:
        summary = _rfm_from_daily(daily, customer_col, end, unit_days, True)
    except InsufficientDataError as err:
        summary, summary_error = None, err
    fit_rows = np.ones(0 if summary is None else len(summary), dtype=bool)
    sampled = summary is not None and fit_sample is not None and len(summary) > fit_sample
    if sampled:
        fit_rows = sample_rows(len(summary), fit_sample, seed)

    check = None
    try:
        split = _split_from_daily(daily, customer_col, cal_end, end, unit_days, False)
        fit_split = split
        if sampled:  # the sampled customers who were already buying before the holdout window
            pos = pd.Index(summary[customer_col]).get_indexer(split[customer_col])
            fit_split = split[fit_rows[pos]]
        cal_model = fit_bgnbd(fit_split["frequency"], fit_split["recency"], fit_split["T"], n_starts=n_starts)
        check = holdout_check(cal_model, split, max_frequency=check_max_frequency)
    except InsufficientDataError as err:
        notes.append(f"No holdout check: the history before {cal_end.date()} is too thin ({err}).")

    if summary is None:
        raise InsufficientDataError(f"lifetime value: no orders up to {end.date()}, so there is no customer to model") from summary_error
    positive = (summary["frequency"] == 0) | (summary["monetary_value"] > 0)
    fit = summary[fit_rows] if sampled else summary
    fit_positive = positive[fit_rows] if sampled else positive
    try:
        bgnbd = fit_bgnbd(fit["frequency"], fit["recency"], fit["T"], n_starts=n_starts)
        gamma_gamma = fit_gamma_gamma(
            fit.loc[fit_positive, "frequency"],
            fit.loc[fit_positive, "monetary_value"],
            n_starts=n_starts,
        )
    except InsufficientDataError as err:
        repeat = int(((summary["frequency"] > 0) & positive).sum())
        raise InsufficientDataError(
            f"lifetime value: {len(summary)} customer(s) with orders up to {end.date()}, {repeat} of them with a repeat "
            "purchase (orders on two or more days) and a positive spend; the BG/NBD purchase model needs at least two "
            "customers, some with repeat purchases, and the Gamma-Gamma spend model at least three repeat customers "
            f"whose spend differs ({err})"
        ) from err
    if sampled:
        notes.append(
            f"The purchase and spend models were fitted on a random sample of {fit_sample:,} of the {len(summary):,} "
            f"customers (seed {seed}); every customer is scored with them."
        )
    table = lifetime_value_table(
        summary[positive],
        bgnbd,
        gamma_gamma,
        customer_col=customer_col,
        horizon_periods=horizon_periods,
        discount_rate_per_period=discount_rate_per_period,
        margin=margin,
        period_length=period_length,
    )
    if not positive.all():
        rest = summary[~positive].copy()
        x, tx, big_t = (rest[c] for c in ("frequency", "recency", "T"))
        rest["probability_alive"] = np.asarray(bgnbd.probability_alive(x, tx, big_t))
        rest["expected_purchases"] = np.asarray(bgnbd.conditional_expected_purchases(period_length, x, tx, big_t))
        rest["expected_value"] = np.nan
        rest["clv"] = np.nan
        rest = rest.sort_values(customer_col, kind="stable")
        table = pd.concat([table, rest], ignore_index=True)
        notes.append(
            f"{int((~positive).sum())} customers with a non-positive mean repeat spend (returns, credits) have no expected spend or CLV."
        )
    parameters = pd.concat(
        [
            bgnbd.summary().assign(model="BG/NBD"),
            gamma_gamma.summary().assign(model="Gamma-Gamma"),
        ],
        ignore_index=True,
    )
    parameters = parameters[["model", "parameter", "estimate", "std_error", "ci_lower", "ci_upper"]]
    return LifetimeValueResult(
        customers=table,
        parameters=parameters,
        check=check,
        bgnbd=bgnbd,
        gamma_gamma=gamma_gamma,
        margin=float(margin),
        as_of=end,
        calibration_end=cal_end,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------
# Chinese catalogue (custlib.present.i18n): chart text and the reasons a model cannot be fitted
# --------------------------------------------------------------------------


def _zh_register() -> None:
    from custlib.present import i18n

    terms = {
        "Holdout check: actual and predicted repeat purchases": "留出期检验：实际与预测的重复购买次数",
        "Predicted (BG/NBD)": "预测（BG/NBD）",
        "Repeat purchases before the holdout window": "留出期之前的重复购买次数",
        "Mean repeat purchases in the holdout window": "留出期内平均重复购买次数",
        "No holdout check: the history before the holdout window is too thin to fit the model on it.": (
            "没有留出期检验：留出期之前的历史太少，无法在其上拟合模型。"
        ),
        "T: every customer has age 0; nothing to fit": "T：每家客户的客户年龄都是 0；没有可拟合的数据",
        "frequency: no customer has a repeat purchase; the BG/NBD model cannot be fitted": "frequency：没有客户有重复购买；无法拟合 BG/NBD 模型",
        "monetary_value: every repeat customer has the same mean spend; the spread of spend cannot be estimated": (
            "monetary_value：所有重复购买客户的平均消费相同；无法估计消费的离散程度"
        ),
        "transactions: there are no orders to summarise": "transactions：没有可汇总的订单",
    }
    patterns = [
        (r"^frequency: the BG/NBD model needs at least two customers, got (\d+)$", r"frequency：BG/NBD 模型至少需要两家客户，现有 \1 家"),
        (
            r"^frequency: the Gamma-Gamma model needs at least three repeat customers, got (\d+)$",
            r"frequency：Gamma-Gamma 模型至少需要三家重复购买客户，现有 \1 家",
        ),
        (
            r"^transactions: no order on or before calibration_end (\d{4}-\d\d-\d\d)$",
            r"transactions：calibration_end（\1）之前没有订单",
        ),
        (
            r"^lifetime value: no orders up to (\d{4}-\d\d-\d\d), so there is no customer to model$",
            r"终身价值：截至 \1 没有订单，因此没有可建模的客户",
        ),
        (
            r"^transactions: total '(\w+)' up to (\d{4}-\d\d-\d\d) is not positive; no margin can be derived \(set margin in params\)$",
            r"transactions：截至 \2 的 '\1' 合计不为正；无法推算毛利率（请在参数中设置 margin）",
        ),
        (
            r"^lifetime value: ([\d,]+) customer\(s\) with orders up to (\d{4}-\d\d-\d\d), ([\d,]+) of them with a repeat purchase "
            r"\(orders on two or more days\) and a positive spend; the BG/NBD purchase model needs at least two customers, some with "
            r"repeat purchases, and the Gamma-Gamma spend model at least three repeat customers whose spend differs \((.+)\)$",
            lambda m: (
                f"终身价值：截至 {m[2]} 有订单的客户 {m[1]} 家，其中 {m[3]} 家有重复购买（在两天或以上有订单）且消费为正；"
                "BG/NBD 购买模型至少需要两家客户且其中有重复购买，Gamma-Gamma 消费金额模型至少需要三家消费不同的重复购买客户"
                f"（{i18n.tr(m[4], 'zh')}）"
            ),
        ),
        (
            r"^No holdout check: the history before (\d{4}-\d\d-\d\d) is too thin \((.+)\)\.?$",
            lambda m: f"没有留出期检验：{m[1]} 之前的历史太少（{i18n.tr(m[2], 'zh')}）。",
        ),
    ]
    i18n.register(terms=terms, patterns=patterns)


_zh_register()
