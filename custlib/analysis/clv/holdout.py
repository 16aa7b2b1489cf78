"""Holdout check of the BG/NBD model: predicted against actual purchases in a later window."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.analysis.clv.bgnbd import BetaGeoModel
from custlib.analysis.clv.checks import check_columns
from custlib.exceptions import DataError, ParamsError


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
        Output of :func:`~custlib.analysis.clv.summary.calibration_holdout_summary`.
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
    check_columns(summary, "summary", ("frequency", "recency", "T", "frequency_holdout", "duration_holdout"))
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
