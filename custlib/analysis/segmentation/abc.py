"""ABC classes by cumulative share of value.

Source: Dickie, H. F. (1951) "ABC inventory analysis shoots for dollars, not
pennies", Factory Management and Maintenance 109(7), applied to customers as in
Kotler & Keller, *Marketing Management* (15th ed.), ch. 5.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.analysis.segmentation.common import EPS, or_list, param_name, words
from custlib.analysis.segmentation.features import require_buyers
from custlib.exceptions import DataError, InsufficientDataError, ParamsError


def check_cutoffs(cutoffs) -> tuple[float, float]:
    try:
        c1, c2 = (float(c) for c in cutoffs)
    except (TypeError, ValueError) as err:
        raise ParamsError(f"{param_name('abc.cutoffs')}: expected two shares like [0.8, 0.95], got {cutoffs!r}") from err
    if not (0 < c1 <= c2 <= 1):
        raise ParamsError(f"{param_name('abc.cutoffs')}: expected 0 < first <= second <= 1, got {cutoffs!r}")
    return c1, c2


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
            f"ABC classes need at least one customer with a positive {words(s.name or 'value')}; none of the {len(s):,} customers has one",
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


def abc_table(features: pd.DataFrame, cutoffs=(0.8, 0.95), measures=("revenue", "gross_profit", "net_profit")) -> pd.DataFrame:
    """ABC class of every buying customer on several measures.

    A measure that is absent or all missing (net profit without service
    costs) is left out; a measure with no positive value is left out too.

    Parameters
    ----------
    features : DataFrame
        From :func:`customer_features`, indexed by customer_id.
    cutoffs : pair of float
    measures : sequence of str
        Columns of ``features``.

    Returns
    -------
    DataFrame
        One column ``abc_<measure>`` per measure kept, for customers with at
        least one order. features -> abc_revenue, abc_gross_profit, ...

    Raises
    ------
    InsufficientDataError
        Fewer than two buying customers, or no measure could be classified.
    """
    buyers = require_buyers(features, "ABC classes")
    out = {}
    for m in measures:
        if m not in buyers.columns or buyers[m].isna().all():
            continue
        try:
            out[f"abc_{m}"] = abc_classes(buyers[m].fillna(0.0).rename(m), cutoffs)
        except InsufficientDataError:
            continue
    if not out:
        raise InsufficientDataError(
            f"ABC classes: no customer has a positive {or_list(measures)}", code="no_positive_value", measure=str(measures[0])
        )
    return pd.DataFrame(out, index=buyers.index)


def abc_summary(features: pd.DataFrame, classes: pd.DataFrame) -> pd.DataFrame:
    """Customers and value per ABC class, for each measure.

    Parameters
    ----------
    features : DataFrame
        From :func:`customer_features`.
    classes : DataFrame
        From :func:`abc_table`.

    Returns
    -------
    DataFrame
        Columns measure, class, customers, customer_share, value, value_share;
        rows A, B, C per measure. abc_<m> + <m> -> summary.
    """
    rows = []
    for col in classes.columns:
        m = col.removeprefix("abc_")
        v = features.loc[classes.index, m].fillna(0.0)
        total_pos = v[v > 0].sum()
        for cls in ("A", "B", "C"):
            mask = classes[col] == cls
            rows.append(
                {
                    "measure": m,
                    "class": cls,
                    "customers": int(mask.sum()),
                    "customer_share": float(mask.mean()),
                    "value": float(v[mask].sum()),
                    "value_share": float(v[mask].sum() / total_pos) if total_pos > 0 else np.nan,
                }
            )
    return pd.DataFrame(rows)
