"""ABC classes by cumulative share of value: the one definition every report uses.

Source: Dickie, H. F. (1951) "ABC inventory analysis shoots for dollars, not
pennies", Factory Management and Maintenance 109(7), applied to customers as in
Kotler & Keller, *Marketing Management* (15th ed.), ch. 5.

The cut-offs are one parameter, ``abc.cutoffs`` (``params/defaults.yaml``): the Pareto
report's revenue tiers, the segmentation report's ABC table and its ABC migration all
read it, and class A is the "customers making 80% of revenue" figure
(:func:`custlib.analysis.pareto.share_of_customers_for` with the first cut-off).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.exceptions import DataError, InsufficientDataError, ParamsError

#: The parameter holding the two cut-offs (named in error messages).
CUTOFFS_PARAM = "abc.cutoffs"
#: The classes, best first.
CLASSES = ("A", "B", "C")
#: Comparisons of cumulative shares allow for float rounding (ten customers of 0.1 reach 0.8 at the 8th).
EPS = 1e-9


def check_cutoffs(cutoffs) -> tuple[float, float]:
    """``cutoffs`` as two floats with ``0 < first <= second <= 1``; ParamsError naming ``abc.cutoffs`` otherwise."""
    try:
        c1, c2 = (float(c) for c in cutoffs)
    except (TypeError, ValueError) as err:
        raise ParamsError(f"{CUTOFFS_PARAM}: expected two shares like [0.8, 0.95], got {cutoffs!r}") from err
    if not (0 < c1 <= c2 <= 1):
        raise ParamsError(f"{CUTOFFS_PARAM}: expected 0 < first <= second <= 1, got {cutoffs!r}")
    return c1, c2


def _words(name) -> str:
    return str(name or "value").replace("_", " ")


def abc_classes(values: pd.Series, cutoffs=(0.8, 0.95)) -> pd.Series:
    """ABC classes by cumulative share of value (Pareto / ABC analysis).

    Customers are sorted by value, largest first, ties broken by index
    (ascending). ``A`` is the smallest set of top customers whose combined
    value reaches at least ``cutoffs[0]`` of the total, ``B`` extends that set
    to the smallest one reaching ``cutoffs[1]``, ``C`` is everyone else.

    Zero and negative values: the total is the sum of the *positive* values;
    customers with a value <= 0 are never in A or B (they are always C), since
    they add nothing to the share reached. Source: Dickie (1951); Kotler &
    Keller, *Marketing Management*, ch. 5.

    Parameters
    ----------
    values : Series
        One value per customer (revenue, profit ...), unique index.
    cutoffs : pair of float
        Cumulative shares ending A and B, ``0 < c1 <= c2 <= 1``.

    Returns
    -------
    Series
        ``"A"``, ``"B"`` or ``"C"`` on the input's index, in the input's order,
        named ``abc``. values -> abc.

    Raises
    ------
    ParamsError
        Bad cut-offs.
    DataError
        Non-unique index or missing (NaN) values.
    InsufficientDataError
        No customer has a positive value.
    """
    c1, c2 = check_cutoffs(cutoffs)
    s = pd.Series(values, dtype="float64")
    if not s.index.is_unique:
        raise DataError("abc_classes: the values' index (customer ids) has duplicates")
    if s.isna().any():
        raise DataError(f"abc_classes: {int(s.isna().sum())} value(s) are missing (NaN); expected a number per customer")
    total = s[s > 0].sum()
    if s.empty or total <= 0:
        raise InsufficientDataError(
            f"ABC classes need at least one customer with a positive {_words(s.name)}; none of the {len(s):,} customers has one",
            code="no_positive_value",
            measure=str(s.name or "value"),
        )
    order = s.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    share = order.clip(lower=0).cumsum().to_numpy() / total
    n_a = int(np.argmax(share >= c1 - EPS)) + 1
    n_b = int(np.argmax(share >= c2 - EPS)) + 1
    labels = np.array(["C"] * len(order), dtype=object)
    labels[:n_b] = "B"
    labels[:n_a] = "A"
    labels[order.to_numpy() <= 0] = "C"
    out = pd.Series(labels, index=order.index, name="abc", dtype="str")
    return out.reindex(s.index)
