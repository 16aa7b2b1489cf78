"""Input checks shared by the lifetime value models: columns, dates, numbers, per-customer arrays."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.exceptions import DataError, ParamsError


def check_columns(df, table: str, columns) -> None:
    """Raise DataError naming ``table`` unless ``df`` is a DataFrame with all ``columns``."""
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"{table}: expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        found = ", ".join(map(str, df.columns))
        raise DataError(f"{table}: column {missing[0]!r} is missing (found: {found})")


def as_day(value, name: str) -> pd.Timestamp:
    """``value`` as a midnight Timestamp; ParamsError naming ``name`` if it is not a date."""
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as err:
        raise ParamsError(f"{name}: {value!r} is not a date") from err
    if pd.isna(ts):
        raise ParamsError(f"{name}: {value!r} is not a date")
    return ts.normalize()


def as_vector(values, name: str) -> np.ndarray:
    """``values`` as a finite one-dimensional float array; DataError naming ``name`` otherwise."""
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


def check_same_length(**arrays) -> None:
    """DataError unless all ``arrays`` (name=array) have the same length."""
    lengths = {k: len(v) for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise DataError(f"inputs differ in length: {lengths}")


def as_frequency(frequency) -> np.ndarray:
    """Repeat purchase counts as a float array of non-negative whole numbers."""
    x = as_vector(frequency, "frequency")
    if (x < 0).any():
        raise DataError(f"frequency: must be >= 0 (first negative at position {int(np.argmax(x < 0))})")
    if (x != np.round(x)).any():
        bad = x != np.round(x)
        raise DataError(f"frequency: must be whole numbers of repeat purchases (first non-integer at position {int(np.argmax(bad))})")
    return x


def as_rft(frequency, recency, T):
    """Validated float arrays (x, t_x, T) of the BG/NBD inputs."""
    x = as_frequency(frequency)
    tx = as_vector(recency, "recency")
    big_t = as_vector(T, "T")
    check_same_length(frequency=x, recency=tx, T=big_t)
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


def shaped_like(result: np.ndarray, *inputs):
    """Return ``result`` shaped like the inputs: a Series keeps the index, a scalar a float."""
    for v in inputs:
        if isinstance(v, pd.Series):
            return pd.Series(result, index=v.index)
    if all(np.ndim(v) == 0 for v in inputs):
        return float(result[0])
    return result


def as_horizon(t, name: str = "t") -> np.ndarray:
    """A time horizon (scalar or array) as a non-negative float array; ParamsError otherwise."""
    arr = as_vector(t, name)
    if (arr < 0).any():
        raise ParamsError(f"{name}: must be >= 0, got {arr[arr < 0][0]}")
    return arr


def check_number(value, name, low=None, high=None, low_open=False):
    """``value`` as a finite float within [low, high] (``low_open``: above low); ParamsError naming ``name`` otherwise."""
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
