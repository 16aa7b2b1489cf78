"""The value scorecard: current against potential value per customer.

Source: Verhoef, P. C. & Donkers, B. (2001) "Predicting customer potential
value", Decision Support Systems 32(2), 189-199.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.analysis.segmentation.common import QUADRANTS, param_name
from custlib.analysis.segmentation.features import require_buyers
from custlib.analysis.segmentation.pyramid import composite_score
from custlib.exceptions import ParamsError


def value_scorecard(
    features: pd.DataFrame, current: dict, potential: dict, *, weights: dict | None = None, split: float = 0.5
) -> pd.DataFrame:
    """Current value vs potential value per buying customer (value scorecard).

    current_value and potential_value are :func:`composite_score` of their
    indicator sets (financial and sales indicators; customer and service
    indicators); overall = w_c * current + w_p * potential with the weights
    rescaled to sum to 1 (Verhoef & Donkers 2001). Quadrants at ``split`` on
    both axes: keep and grow (high, high), maintain (high current, low
    potential), invest (low current, high potential), monitor (low, low).

    Returns
    -------
    DataFrame
        current_value, potential_value, overall, quadrant. features -> scorecard.

    Raises
    ------
    ParamsError
        Bad weights or split.
    InsufficientDataError
        Fewer than 2 buyers.
    """
    weights = weights or {"current": 0.5, "potential": 0.5}
    wc, wp = float(weights.get("current", 0)), float(weights.get("potential", 0))
    if wc < 0 or wp < 0 or wc + wp <= 0:
        raise ParamsError(f"{param_name('scorecard.weights')}: expected current and potential >= 0, not both 0, got {weights!r}")
    if not 0 < split < 1:
        raise ParamsError(f"{param_name('scorecard.split')}: expected a number between 0 and 1, got {split!r}")
    buyers = require_buyers(features, "the value scorecard")
    cur = composite_score(buyers, current, param=param_name("scorecard.current"))["score"]
    pot = composite_score(buyers, potential, param=param_name("scorecard.potential"))["score"]
    out = pd.DataFrame({"current_value": cur, "potential_value": pot})
    out["overall"] = (wc * cur + wp * pot) / (wc + wp)
    hi_c, hi_p = cur >= split, pot >= split
    quad = np.select([hi_c & hi_p, hi_c & ~hi_p, ~hi_c & hi_p], QUADRANTS[:3], default=QUADRANTS[3])
    out["quadrant"] = pd.Series(quad, index=out.index, dtype="str")
    return out


def invest_list(scorecard: pd.DataFrame) -> pd.DataFrame:
    """Customers to invest in: the invest quadrant, highest potential first.

    Returns
    -------
    DataFrame
        The invest rows with ``gap`` = potential - current, sorted by
        potential (descending, ties by id). scorecard -> invest list.
    """
    inv = scorecard[scorecard["quadrant"] == "invest"].assign(gap=lambda d: d["potential_value"] - d["current_value"])
    return inv.sort_index(kind="stable").sort_values("potential_value", ascending=False, kind="stable")
