"""Recency-frequency-monetary summary of order lines, as the lifetime value models take it.

The summary of Fader, Hardie & Lee (2005), "'Counting Your Customers' the
Easy Way", section 2 (x, t_x, T per customer), in the shape of the lifetimes
package's ``summary_data_from_transaction_data`` and
``calibration_and_holdout_data``: purchases are counted per calendar day, so
``frequency`` is the number of repeat purchase days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.analysis.clv.checks import as_day, check_columns
from custlib.exceptions import DataError, InsufficientDataError, ParamsError
from custlib.io.facts import order_lines

_DAYS_PER_UNIT = {"W": 7.0, "D": 1.0}
RFM_COLUMNS = ("frequency", "recency", "T", "monetary_value")


def days_per_unit(time_unit: str) -> float:
    try:
        return _DAYS_PER_UNIT[time_unit]
    except (KeyError, TypeError) as err:
        raise ParamsError(f"time_unit: {time_unit!r} is not supported; expected one of {sorted(_DAYS_PER_UNIT)}") from err


def _first_rows(mask: pd.Series, n: int = 5) -> str:
    return ", ".join(map(str, mask.index[mask.to_numpy()][:n]))


def daily_purchases(transactions, customer_col, date_col, value_col) -> pd.DataFrame:
    """Validated purchase days: one row per customer and calendar day, sorted by customer and day.

    Grouped on integer codes (customer rank, day number) rather than on the
    id strings, which is several times faster on millions of order lines;
    ``_c`` is the customer's rank among the sorted ids.

    A credit note (a return) is no purchase: its lines are left out, so that it is never a
    transaction, a repeat purchase or the last purchase of the models.

    Columns in -> out: customer, date, [value] -> customer, day, [value] (summed), _c.
    """
    cols = [customer_col, date_col] + ([value_col] if value_col is not None else [])
    check_columns(transactions, "transactions", cols)
    df = order_lines(transactions)[cols]
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


def _summarise(daily: pd.DataFrame, end: pd.Timestamp, unit_days: float, with_value: bool):
    """Per-customer frequency, recency, T, monetary_value of the purchase days up to ``end``.

    ``daily`` comes from :func:`daily_purchases` (sorted by customer and day);
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
    unit_days = days_per_unit(time_unit)
    daily = daily_purchases(transactions, customer_col, date_col, value_col)
    return rfm_from_daily(daily, customer_col, calibration_end, unit_days, value_col is not None)


def rfm_from_daily(daily, customer_col, calibration_end, unit_days, with_value) -> pd.DataFrame:
    """:func:`rfm_summary` of the purchase days from :func:`daily_purchases`."""
    if daily.empty:
        raise InsufficientDataError("transactions: there are no orders to summarise", code="no_orders")
    end = daily["day"].max() if calibration_end is None else as_day(calibration_end, "calibration_end")
    daily = daily[daily["day"] <= end]
    if daily.empty:
        raise InsufficientDataError(
            f"transactions: no order on or before calibration_end {end.date()}", code="no_orders_before", date=str(end.date())
        )
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
    unit_days = days_per_unit(time_unit)
    if calibration_end is None:
        raise ParamsError("calibration_end: a date is required to split calibration and holdout")
    cal_end = as_day(calibration_end, "calibration_end")
    daily = daily_purchases(transactions, customer_col, date_col, value_col)
    return split_from_daily(daily, customer_col, cal_end, holdout_end, unit_days, value_col is not None)


def split_from_daily(daily, customer_col, cal_end, holdout_end, unit_days, with_value) -> pd.DataFrame:
    """:func:`calibration_holdout_summary` of the purchase days from :func:`daily_purchases`."""
    if daily.empty:
        raise InsufficientDataError("transactions: there are no orders to summarise", code="no_orders")
    hold_end = daily["day"].max() if holdout_end is None else as_day(holdout_end, "holdout_end")
    if hold_end <= cal_end:
        raise ParamsError(f"holdout_end: {hold_end.date()} must be after calibration_end {cal_end.date()}")
    cal = daily[daily["day"] <= cal_end]
    if cal.empty:
        raise InsufficientDataError(
            f"transactions: no order on or before calibration_end {cal_end.date()}", code="no_orders_before", date=str(cal_end.date())
        )
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
