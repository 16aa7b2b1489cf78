"""Customer lifetime value of a region: the report's one call (BG/NBD + Gamma-Gamma, holdout check).

:func:`lifetime_value_analysis` summarises the order lines
(:mod:`~custlib.analysis.clv.summary`), checks a BG/NBD model fitted before
a holdout window against the purchases made in it
(:mod:`~custlib.analysis.clv.holdout`), refits both models on the whole
history and scores every customer (:mod:`~custlib.analysis.clv.discounted`).

With more than ``fit_sample`` customers, the models are fitted on a simple
random sample of ``fit_sample`` customers drawn without replacement with
``numpy.random.default_rng(seed)``, and every customer is then scored with the
fitted parameters. The customers are independent draws from the population
the models describe, so the maximum likelihood estimate on a random subset is
consistent for the same parameters (its standard errors, from the sample's
Hessian, are about sqrt(n / fit_sample) times those of a fit on all n
customers and say how precise it is); 20,000 customers give standard errors
well under the spread the report's figures would notice, in a fraction of the
time a fit on hundreds of thousands takes. A note says when a sample was used.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from custlib.analysis.clv.bgnbd import BetaGeoModel, fit_bgnbd
from custlib.analysis.clv.checks import as_day, check_columns, check_number
from custlib.analysis.clv.discounted import lifetime_value_table
from custlib.analysis.clv.fitting import FitWarning
from custlib.analysis.clv.gamma_gamma import GammaGammaModel, fit_gamma_gamma
from custlib.analysis.clv.holdout import holdout_check
from custlib.analysis.clv.summary import daily_purchases, days_per_unit, rfm_from_daily, split_from_daily
from custlib.exceptions import DataError, InsufficientDataError, ParamsError
from custlib.io.facts import require_cost


class Note(str):
    """A caveat of the analysis: its English text (a ``str``, for logs), a ``code`` and ``fields``.

    Codes: ``no_holdout_check`` (date, cause: the code of the reason),
    ``fitted_on_sample`` (sample, customers, seed), ``no_spend_value`` (n), and
    the :class:`~custlib.analysis.clv.fitting.FitWarning` codes of the fits
    on the whole history (``fallback``, ``search_limit``, ``not_converged``,
    ``no_standard_errors``), one note per code and model; the holdout check's own
    fit is judged by the check, not by notes.
    """

    code: str
    fields: dict

    def __new__(cls, text: str, code: str, **fields) -> Note:
        note = super().__new__(cls, text)
        note.code = code
        note.fields = fields
        return note


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
        :func:`~custlib.analysis.clv.discounted.lifetime_value_table` at ``as_of`` (ranked by CLV); customers
        whose mean repeat spend is not positive have NaN ``expected_value``
        and ``clv``.
    parameters : DataFrame
        Columns model, parameter, estimate, std_error, ci_lower, ci_upper.
    check : DataFrame or None
        :func:`~custlib.analysis.clv.holdout.holdout_check` of a model fitted before the holdout window;
        None when the calibration data were too thin (see ``notes``).
    bgnbd, gamma_gamma : fitted models on the whole history to ``as_of``.
    margin : float
        Margin used for CLV.
    as_of, calibration_end : Timestamp
        End of the history, and end of the calibration period of the check.
    notes : tuple of Note
        Caveats for the report: each a :class:`Note`, the English text (for
        logs) with a ``code`` and ``fields`` the report words it from.
    """

    customers: pd.DataFrame
    parameters: pd.DataFrame
    check: pd.DataFrame | None
    bgnbd: BetaGeoModel
    gamma_gamma: GammaGammaModel
    margin: float
    as_of: pd.Timestamp
    calibration_end: pd.Timestamp
    notes: tuple[Note, ...]


def _margin_from_data(transactions, date_col, value_col, cost_col, as_of) -> float:
    check_columns(transactions, "transactions", (date_col, value_col, cost_col))
    dates = pd.to_datetime(transactions[date_col]).dt.normalize()
    upto = transactions.loc[dates <= as_of, [value_col, cost_col]]
    if upto.empty:
        raise _no_orders(as_of)
    require_cost(upto, cost_col, "lifetime value (its margin)")  # a missing cost is no zero cost: never value = revenue
    revenue = pd.to_numeric(upto[value_col], errors="coerce").sum()
    cost = pd.to_numeric(upto[cost_col], errors="coerce").sum()
    if not revenue > 0:
        raise InsufficientDataError(
            f"transactions: total {value_col!r} up to {as_of.date()} is not positive; no margin can be derived (set margin in params)",
            code="no_margin",
            column=value_col,
            date=str(as_of.date()),
        )
    margin = 1.0 - cost / revenue
    if not 0.0 <= margin <= 1.0:
        raise DataError(f"transactions: the margin 1 - {cost_col}/{value_col} is {margin:.3f}, outside [0, 1] (set margin in params)")
    return float(margin)


def _no_orders(as_of: pd.Timestamp) -> InsufficientDataError:
    return InsufficientDataError(
        f"lifetime value: no orders up to {as_of.date()}, so there is no customer to model",
        code="no_orders_up_to",
        date=str(as_of.date()),
    )


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
       (Fader, Hardie & Lee 2005, eq. 10), set against the actual ones by
       :func:`~custlib.analysis.clv.holdout.holdout_check`.
    2. Value: both models are refitted on the whole history up to ``as_of``
       (on a random sample of ``fit_sample`` customers in large regions, see the
       module) and every customer scored (:func:`~custlib.analysis.clv.lifetime_value_table`).

    Parameters
    ----------
    transactions : DataFrame
        Order lines (data contract ``transactions``).
    as_of : date-like
        End of the history (e.g. the report quarter's last day).
    customer_col, date_col, value_col, cost_col : str
        Column names; ``value_col`` is the spend, ``cost_col`` (optional) derives ``margin`` when it is None.
    time_unit : {"W", "D"}
        Model time unit; ``holdout_periods`` (the check's holdout window) is in it.
    holdout_periods, check_max_frequency
        Length of the check's holdout window, and its pooling threshold.
    horizon_periods, period_length, discount_rate_per_period
        As in :func:`~custlib.analysis.clv.discounted.customer_lifetime_value`.
    margin : float, optional
        Profit share of spend; None derives 1 - sum(cost) / sum(revenue) up to ``as_of``.
    n_starts : int
        Starting points of each likelihood maximisation.
    fit_sample, seed : int, optional
        Largest number of customers the models are fitted on (at least 100; None: all), and the sample's seed.

    Returns
    -------
    LifetimeValueResult
        Fit caveats (e.g. a fallback to a limit of a model, parameters on the search limit) are in its
        ``notes``, not warned, once per caveat and model.

    Raises
    ------
    DataError, ParamsError
    InsufficientDataError
        Too little data on the whole history: code ``no_orders_up_to``,
        ``no_margin`` or ``too_thin_for_models`` (fields customers,
        repeat_customers, date, cause). Too little history before the holdout
        window only drops the check: ``check`` is None and a note says why.

    Columns in -> out: customer_col, date_col, value_col[, cost_col] -> :class:`LifetimeValueResult`.
    """
    settings = {k: v for k, v in locals().items() if k not in ("transactions", "as_of")}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = _analyse(transactions, as_of, **settings)
    extra: dict[tuple, Note] = {}
    for w in caught:
        if isinstance(w.message, FitWarning):  # one note per caveat and model of the whole-history fits
            extra[(w.message.code, w.message.fields.get("model"))] = Note(str(w.message), w.message.code, **w.message.fields)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if not extra:
        return result
    return replace(result, notes=result.notes + tuple(extra.values()))


def _check_settings(transactions, end, s) -> tuple[float, float, pd.Timestamp]:
    """Validated margin, time unit in days and end of the calibration period."""
    unit_days = days_per_unit(s["time_unit"])
    hold = check_number(s["holdout_periods"], "holdout_periods", low=0.0, low_open=True)
    margin = s["margin"]
    if margin is None:
        if s["cost_col"] is None:
            raise ParamsError("margin: give a margin or a cost column to derive it from")
        margin = _margin_from_data(transactions, s["date_col"], s["value_col"], s["cost_col"], end)
    margin = check_number(margin, "margin", low=0.0, high=1.0)
    fit_sample = s["fit_sample"]
    if fit_sample is not None and (isinstance(fit_sample, bool) or not isinstance(fit_sample, int | np.integer) or fit_sample < 100):
        raise ParamsError(f"fit_sample: expected a whole number of customers of at least 100, or None for all, got {fit_sample!r}")
    return margin, unit_days, end - pd.Timedelta(days=round(hold * unit_days))


def _holdout(daily, summary, fit_rows, cal_end, end, unit_days, s):
    """The holdout check, or (None, a Note saying why there is none).

    The caveats of the check's own fit (a fallback, a search limit) are not the
    report's: its notes describe the models fitted on the whole history, whose
    parameters it shows; the check is judged by its actual and predicted purchases.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = _holdout_check(daily, summary, fit_rows, cal_end, end, unit_days, s)
    for w in caught:
        if not isinstance(w.message, FitWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return out


def _holdout_check(daily, summary, fit_rows, cal_end, end, unit_days, s):
    try:
        split = split_from_daily(daily, s["customer_col"], cal_end, end, unit_days, False)
        fit_split = split
        if fit_rows is not None:  # the sampled customers who were already buying before the holdout window
            pos = pd.Index(summary[s["customer_col"]]).get_indexer(split[s["customer_col"]])
            fit_split = split[fit_rows[pos]]
        cal_model = fit_bgnbd(fit_split["frequency"], fit_split["recency"], fit_split["T"], n_starts=s["n_starts"])
        return holdout_check(cal_model, split, max_frequency=s["check_max_frequency"]), None
    except InsufficientDataError as err:
        date = str(cal_end.date())
        note = Note(f"No holdout check: the history before {date} is too thin ({err}).", "no_holdout_check", date=date, cause=err.code)
        return None, note


def _fit_models(summary, positive, fit_rows, end, n_starts) -> tuple[BetaGeoModel, GammaGammaModel]:
    """Both models fitted on the (sampled) summary; too thin data raise ``too_thin_for_models``."""
    fit, fit_positive = (summary, positive) if fit_rows is None else (summary[fit_rows], positive[fit_rows])
    try:
        bgnbd = fit_bgnbd(fit["frequency"], fit["recency"], fit["T"], n_starts=n_starts)
        gamma_gamma = fit_gamma_gamma(fit.loc[fit_positive, "frequency"], fit.loc[fit_positive, "monetary_value"], n_starts=n_starts)
    except InsufficientDataError as err:
        repeat = int(((summary["frequency"] > 0) & positive).sum())
        raise InsufficientDataError(
            f"lifetime value: {len(summary)} customer(s) with orders up to {end.date()}, {repeat} of them with a repeat "
            "purchase (orders on two or more days) and a positive spend; the BG/NBD purchase model needs at least two "
            "customers, some with repeat purchases, and the Gamma-Gamma spend model at least three repeat customers "
            f"whose spend differs ({err})",
            code="too_thin_for_models",
            customers=len(summary),
            repeat_customers=repeat,
            date=str(end.date()),
            cause=err.code,
        ) from err
    return bgnbd, gamma_gamma


def _score(summary, positive, bgnbd, gamma_gamma, margin, s) -> pd.DataFrame:
    """Every customer scored; those with a non-positive mean repeat spend last, without spend or CLV."""
    keys = ("customer_col", "horizon_periods", "discount_rate_per_period", "period_length")
    table = lifetime_value_table(summary[positive], bgnbd, gamma_gamma, margin=margin, **{k: s[k] for k in keys})
    if positive.all():
        return table
    rest = summary[~positive].copy()
    x, tx, big_t = (rest[c] for c in ("frequency", "recency", "T"))
    rest["probability_alive"] = np.asarray(bgnbd.probability_active(x, tx, big_t))
    rest["expected_purchases"] = np.asarray(bgnbd.conditional_expected_purchases(s["period_length"], x, tx, big_t))
    rest["expected_value"] = np.nan
    rest["clv"] = np.nan
    rest = rest.sort_values(s["customer_col"], kind="stable")
    return pd.concat([table, rest], ignore_index=True)


def _analyse(transactions, as_of, **s) -> LifetimeValueResult:
    """The work of :func:`lifetime_value_analysis` (fit warnings not yet turned into notes)."""
    end = as_day(as_of, "as_of")
    margin, unit_days, cal_end = _check_settings(transactions, end, s)
    daily = daily_purchases(transactions, s["customer_col"], s["date_col"], s["value_col"])  # for the summary and the check
    try:
        summary = rfm_from_daily(daily, s["customer_col"], end, unit_days, True)
    except InsufficientDataError as err:
        summary, summary_error = None, err
    fit_sample = s["fit_sample"]
    sampled = summary is not None and fit_sample is not None and len(summary) > fit_sample
    fit_rows = sample_rows(len(summary), fit_sample, s["seed"]) if sampled else None
    check, note = _holdout(daily, summary, fit_rows, cal_end, end, unit_days, s)
    notes = [] if note is None else [note]
    if summary is None:
        raise _no_orders(end) from summary_error
    positive = (summary["frequency"] == 0) | (summary["monetary_value"] > 0)
    bgnbd, gamma_gamma = _fit_models(summary, positive, fit_rows, end, s["n_starts"])
    if sampled:
        text = (
            f"The purchase and spend models were fitted on a random sample of {fit_sample:,} of the {len(summary):,} "
            f"customers (seed {s['seed']}); every customer is scored with them."
        )
        notes.append(Note(text, "fitted_on_sample", sample=fit_sample, customers=len(summary), seed=s["seed"]))
    table = _score(summary, positive, bgnbd, gamma_gamma, margin, s)
    if not positive.all():
        n = int((~positive).sum())
        text = f"{n} customers with a non-positive mean repeat spend (returns, credits) have no expected spend or CLV."
        notes.append(Note(text, "no_spend_value", n=n))
    parameters = pd.concat([bgnbd.summary().assign(model="BG/NBD"), gamma_gamma.summary().assign(model="Gamma-Gamma")], ignore_index=True)
    return LifetimeValueResult(
        customers=table,
        parameters=parameters[["model", "parameter", "estimate", "std_error", "ci_lower", "ci_upper"]],
        check=check,
        bgnbd=bgnbd,
        gamma_gamma=gamma_gamma,
        margin=float(margin),
        as_of=end,
        calibration_end=cal_end,
        notes=tuple(notes),
    )
