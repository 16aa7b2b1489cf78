"""ABC classes by cumulative share of value, on the segmentation features (:func:`customer_features`).

The classes themselves are :func:`custlib.analysis.facts.abc_classes` (one definition for
every report, re-exported here). Source: Dickie, H. F. (1951) "ABC inventory analysis shoots for dollars, not
pennies", Factory Management and Maintenance 109(7), applied to customers as in
Kotler & Keller, *Marketing Management* (15th ed.), ch. 5.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.analysis.facts.abc import abc_classes
from custlib.analysis.segmentation.common import or_list
from custlib.analysis.segmentation.features import require_buyers
from custlib.exceptions import InsufficientDataError


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
