"""Break-even cumulative volume: where cumulative make cost equals cumulative buy cost."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from custlib.analysis.makebuy.cases import as_case
from custlib.analysis.makebuy.costs import check_demand, cost_table

#: What :func:`break_even` found.
OUTCOMES = ("make_cheaper_from_start", "make_never_catches_up", "make_cheaper_after", "buy_cheaper_after")


@dataclass(frozen=True)
class BreakEven:
    """Where cumulative make cost equals cumulative buy cost.

    Attributes
    ----------
    outcome : str
        One of :data:`OUTCOMES`.
    volume : float or None
        Cumulative units at the (last) crossing; 0 when making is cheaper from the
        start; None when the lines do not cross.
    period : float or None
        The same point in periods (fractional: 2.5 = half-way through period 3).
    direction : str or None
        ``"make_cheaper_above"`` or ``"buy_cheaper_above"``; None without a crossing.
    crossings : int
        How often the cumulative costs cross (the last crossing is reported).
    shortfall : float
        Cumulative make cost minus buy cost at the end (> 0: making still costs more).
    total_units : float
        Cumulative units at the end of the horizon.
    catch_up_units : float or None
        When making never catches up but gains on buying: the cumulative units at
        which it would, at the pace of the last period.
    discounted : bool
        Whether costs are present values.
    """

    outcome: str
    volume: float | None
    period: float | None
    direction: str | None
    crossings: int = 0
    shortfall: float = 0.0
    total_units: float = 0.0
    catch_up_units: float | None = None
    discounted: bool = True

    @property
    def period_number(self) -> int | None:
        """The period in which the crossing falls (1-based), or None."""
        return None if self.period is None else math.ceil(self.period)


def break_even(case, *, discounted: bool = True, demand=None) -> BreakEven:
    """Break-even cumulative volume: where cumulative make cost = cumulative buy cost.

    Cumulative costs are taken at period ends along the planned demand (period
    0 holds the one-off costs) and interpolated linearly in cumulative volume
    within a period. With ``discounted=True`` (default) the costs are present
    values, so that the crossing agrees with the NPV winner (the discounted
    break-even of capital budgeting, cf. discounted payback, Brealey, Myers &
    Allen, *Principles of Corporate Finance*, ch. 5). When the lines cross more
    than once the last crossing is reported; when they never cross, ``volume``
    is None.

    Parameters
    ----------
    case : Case or mapping
    discounted : bool, default True
    demand : array-like, optional
        Units per period; the plan by default.

    Returns
    -------
    BreakEven
        case parameters -> outcome code, volume, period and the figures that explain them.

    Raises
    ------
    ParamsError, DataError
        As :func:`~custlib.analysis.makebuy.costs.cost_table`.
    """
    case = as_case(case)
    d = check_demand(case, demand)
    table = cost_table(case, demand=d)
    cols = [f"t{t}" for t in range(case.horizon + 1)]
    w = case.discount_factors() if discounted else np.ones(case.horizon + 1)
    total = table[table["line"] == "total"].set_index("option")[cols]
    diff = np.cumsum((total.loc["make"].to_numpy() - total.loc["buy"].to_numpy()) * w)  # make - buy
    volume = np.concatenate([[0.0], np.cumsum(d)])
    sign = np.sign(np.round(diff, 9))
    crossings = [t for t in range(1, len(diff)) if sign[t - 1] != 0 and sign[t] != sign[t - 1]]
    common = {"shortfall": float(diff[-1]), "total_units": float(volume[-1]), "discounted": discounted}
    if not crossings:
        if sign[-1] <= 0 and sign[0] <= 0:
            return BreakEven("make_cheaper_from_start", 0.0, 0.0, "make_cheaper_above", **common)
        slope = (diff[-1] - diff[-2]) / (volume[-1] - volume[-2]) if volume[-1] > volume[-2] else 0.0
        catch_up = float(volume[-1] + diff[-1] / -slope) if slope < 0 else None
        return BreakEven("make_never_catches_up", None, None, None, catch_up_units=catch_up, **common)
    t = crossings[-1]
    frac = diff[t - 1] / (diff[t - 1] - diff[t]) if diff[t - 1] != diff[t] else 1.0
    vol = float(volume[t - 1] + frac * (volume[t] - volume[t - 1]))
    period = float(t - 1 + frac)
    if sign[t] < 0 or (sign[t] == 0 and sign[t - 1] > 0):
        return BreakEven("make_cheaper_after", vol, period, "make_cheaper_above", len(crossings), **common)
    return BreakEven("buy_cheaper_after", vol, period, "buy_cheaper_above", len(crossings), **common)
