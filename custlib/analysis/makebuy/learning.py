"""Learning curves: Wright's cumulative-average model and Crawford's unit model.

Wright (1936), "Factors affecting the cost of airplanes", J. Aeronautical Sciences 3(4);
Crawford's unit-time model as in Horngren, Datar & Rajan, *Cost Accounting*, 14th ed., ch. 10.
Sums of ``n ** b`` beyond a table of exact sums use the Euler-Maclaurin formula
(Abramowitz & Stegun 1964, eq. 23.1.30).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from custlib.exceptions import DataError, ParamsError

_CRAWFORD_TABLE = 1024  # exact sums up to this many units; Euler-Maclaurin beyond


def _learning_exponent(learning_rate) -> float:
    try:
        r = float(learning_rate)
    except (TypeError, ValueError) as err:
        raise ParamsError(f"learning_rate: expected a number in (0, 1], got {learning_rate!r}") from err
    if not (0.0 < r <= 1.0):
        raise ParamsError(f"learning_rate: expected a number in (0, 1] (e.g. 0.8 for an 80% curve), got {learning_rate!r}")
    return math.log2(r)


def _first_cost(first_unit_cost) -> float:
    try:
        a = float(first_unit_cost)
    except (TypeError, ValueError) as err:
        raise ParamsError(f"first_unit_cost: expected a number >= 0, got {first_unit_cost!r}") from err
    if not (a >= 0.0 and math.isfinite(a)):
        raise ParamsError(f"first_unit_cost: expected a finite number >= 0, got {first_unit_cost!r}")
    return a


def _units(values, name: str, *, whole: bool) -> np.ndarray:
    try:
        x = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise DataError(f"{name}: expected numbers >= 1, got {values!r}") from err
    flat = x.reshape(-1)
    bad = ~np.isfinite(flat) | (flat < 1)
    if whole:
        bad |= np.isfinite(flat) & (flat != np.floor(flat))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        kind = "whole numbers >= 1" if whole else "numbers >= 1"
        where = f" at position {i}" if x.ndim else ""
        raise DataError(f"{name}: expected {kind}, got {float(flat[i]):g}{where}")
    return x


def _like(template, values: np.ndarray):
    """Return ``values`` shaped like ``template``: float for a scalar, Series for a Series."""
    if isinstance(template, pd.Series):
        return pd.Series(values, index=template.index, name=template.name)
    if np.ndim(template) == 0:
        return float(values)
    return values


def _wright_total(b: float, x: np.ndarray) -> np.ndarray:
    """Total cost in first-unit costs of ``x`` cumulative units, ``x ** (b + 1)``; 0 for x = 0."""
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, np.power(np.maximum(x, 1e-300), b + 1.0), 0.0)


def _euler_maclaurin_tail(b: float, m: float, k: np.ndarray) -> np.ndarray:
    """``sum(n ** b for n in m+1..k)`` by the Euler-Maclaurin formula.

    Abramowitz & Stegun (1964), eq. 23.1.30, with the Bernoulli terms up to
    B6; for m >= 1024 the remainder is below 1e-20 relative.
    """
    k = np.asarray(k, dtype=float)
    if abs(b + 1.0) < 1e-12:
        integral = np.log(k / m)
    else:
        integral = m ** (b + 1.0) * np.expm1((b + 1.0) * np.log(k / m)) / (b + 1.0)

    def d(order: int, x):
        coef = 1.0
        for j in range(order):
            coef *= b - j
        return coef * np.power(x, b - order)

    return (
        integral + (np.power(k, b) - m**b) / 2.0 + (d(1, k) - d(1, m)) / 12.0 - (d(3, k) - d(3, m)) / 720.0 + (d(5, k) - d(5, m)) / 30240.0
    )


@cache
def _crawford_table(b: float) -> np.ndarray:
    n = np.arange(1, _CRAWFORD_TABLE + 1, dtype=float)
    table = np.concatenate([[0.0], np.cumsum(n**b)])
    table.flags.writeable = False
    return table


def _crawford_total(b: float, x: np.ndarray) -> np.ndarray:
    """``sum(n ** b for n in 1..floor(x))`` plus the fraction of unit ``floor(x) + 1``; 0 for x = 0."""
    x = np.asarray(x, dtype=float)
    k = np.floor(x)
    frac = x - k
    table = _crawford_table(b)
    small = k <= _CRAWFORD_TABLE
    whole = np.empty_like(k)
    whole[small] = table[k[small].astype(np.int64)]
    if (~small).any():
        whole[~small] = table[-1] + _euler_maclaurin_tail(b, float(_CRAWFORD_TABLE), k[~small])
    return whole + frac * np.power(k + 1.0, b)


def wright_cumulative_average(first_unit_cost, learning_rate, units):
    """Cumulative average cost per unit after ``units`` units (Wright's model).

    ``Y(X) = a * X ** b`` with ``b = log2(learning_rate)``: each doubling of
    cumulative output cuts the cumulative average cost to ``learning_rate``
    of what it was (Wright 1936, "Factors affecting the cost of airplanes",
    J. Aeronautical Sciences 3(4); Horngren, Datar & Rajan, *Cost Accounting*,
    14th ed., ch. 10, cumulative average-time learning model).

    Parameters
    ----------
    first_unit_cost : float
        Cost (or hours) of the first unit, ``a``; >= 0.
    learning_rate : float
        In (0, 1]; 0.8 is an 80% curve, 1 means no learning.
    units : float or array-like
        Cumulative units, >= 1 (fractions allowed).

    Returns
    -------
    float, ndarray or Series
        Shaped like ``units``. values in -> values out.

    Raises
    ------
    ParamsError
        ``learning_rate`` outside (0, 1] or ``first_unit_cost`` negative.
    DataError
        ``units`` below 1 or not finite.
    """
    a = _first_cost(first_unit_cost)
    b = _learning_exponent(learning_rate)
    x = _units(units, "units", whole=False)
    return _like(units, a * np.power(x, b))


def wright_total_cost(first_unit_cost, learning_rate, units):
    """Total cost of the first ``units`` units under Wright's model: ``a * X ** (b + 1)``.

    The cumulative average (:func:`wright_cumulative_average`) times the
    units (Horngren, Datar & Rajan, 14th ed., ch. 10, Exhibit 10-10:
    cumulative total time column).

    Parameters
    ----------
    first_unit_cost : float
        Cost of the first unit, >= 0.
    learning_rate : float
        In (0, 1].
    units : float or array-like
        Cumulative units, >= 1.

    Returns
    -------
    float, ndarray or Series
        Shaped like ``units``. values in -> values out.

    Raises
    ------
    ParamsError, DataError
        As :func:`wright_cumulative_average`.
    """
    a = _first_cost(first_unit_cost)
    b = _learning_exponent(learning_rate)
    x = _units(units, "units", whole=False)
    return _like(units, a * _wright_total(b, x))


def wright_unit_cost(first_unit_cost, learning_rate, n):
    """Marginal cost of the ``n``-th unit under Wright's cumulative-average model.

    ``T(n) - T(n - 1)`` with ``T(X) = a * X ** (b + 1)``: the managerial
    accounting convention for the individual unit under the cumulative
    average-time model (Horngren, Datar & Rajan, 14th ed., ch. 10,
    Exhibit 10-10: "individual unit time for Xth unit" column).

    Parameters
    ----------
    first_unit_cost : float
        Cost of the first unit, >= 0.
    learning_rate : float
        In (0, 1].
    n : int or array-like of int
        Unit numbers, whole numbers >= 1.

    Returns
    -------
    float, ndarray or Series
        Shaped like ``n``. values in -> values out.

    Raises
    ------
    ParamsError
        ``learning_rate`` outside (0, 1] or ``first_unit_cost`` negative.
    DataError
        ``n`` not a whole number >= 1.
    """
    a = _first_cost(first_unit_cost)
    b = _learning_exponent(learning_rate)
    x = _units(n, "n", whole=True)
    return _like(n, a * (_wright_total(b, x) - _wright_total(b, x - 1.0)))


def crawford_unit_cost(first_unit_cost, learning_rate, n):
    """Cost of the ``n``-th unit under Crawford's unit model: ``a * n ** b``.

    Each doubling of cumulative output cuts the cost of the *last* unit to
    ``learning_rate`` of what it was (Crawford 1944, Lockheed; Horngren,
    Datar & Rajan, 14th ed., ch. 10, Exhibit 10-11: incremental unit-time
    learning model).

    Parameters
    ----------
    first_unit_cost : float
        Cost of the first unit, >= 0.
    learning_rate : float
        In (0, 1].
    n : int or array-like of int
        Unit numbers, whole numbers >= 1.

    Returns
    -------
    float, ndarray or Series
        Shaped like ``n``. values in -> values out.

    Raises
    ------
    ParamsError, DataError
        As :func:`wright_unit_cost`.
    """
    a = _first_cost(first_unit_cost)
    b = _learning_exponent(learning_rate)
    x = _units(n, "n", whole=True)
    return _like(n, a * np.power(x, b))


def crawford_total_cost(first_unit_cost, learning_rate, units):
    """Total cost of the first ``units`` units under Crawford's unit model.

    ``a * sum(k ** b for k in 1..N)`` (Horngren, Datar & Rajan, 14th ed.,
    ch. 10, Exhibit 10-11: cumulative total time column). Sums are exact up to
    1,024 units and use the Euler-Maclaurin formula beyond (Abramowitz &
    Stegun 23.1.30; relative error < 1e-12). A fractional ``N`` adds that
    fraction of unit ``floor(N) + 1``.

    Parameters
    ----------
    first_unit_cost : float
        Cost of the first unit, >= 0.
    learning_rate : float
        In (0, 1].
    units : float or array-like
        Cumulative units, >= 1.

    Returns
    -------
    float, ndarray or Series
        Shaped like ``units``. values in -> values out.

    Raises
    ------
    ParamsError, DataError
        As :func:`wright_cumulative_average`.
    """
    a = _first_cost(first_unit_cost)
    b = _learning_exponent(learning_rate)
    x = _units(units, "units", whole=False)
    return _like(units, a * _crawford_total(b, x))


@dataclass(frozen=True)
class LearningCurve:
    """Variable conversion cost per unit on a learning curve."""

    first_unit_cost: float
    learning_rate: float
    model: str = "wright"
    lot_size: float = 1.0

    def total(self, units: np.ndarray) -> np.ndarray:
        """Total cost of the first ``units`` units (any shape, >= 0)."""
        b = math.log2(self.learning_rate)
        lots = np.asarray(units, dtype=float) / self.lot_size
        f = _crawford_total(b, lots) if self.model == "crawford" else _wright_total(b, lots)
        return self.first_unit_cost * self.lot_size * f
