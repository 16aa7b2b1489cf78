"""The qualitative scorecard and the recommendation that weighs it against cost.

The weighted factor-rating method (Heizer, Render & Munson, *Operations
Management*, ch. 8), with cost as one factor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from custlib.analysis.makebuy.cases import FACTOR_DIRECTION, FACTORS
from custlib.exceptions import ParamsError


def scorecard(scores: Mapping, weights: Mapping) -> pd.DataFrame:
    """The qualitative scorecard: five non-cost factors, each scored 1-5.

    Scores describe conditions (5 = high demand, strong R&D, strong supplier
    management, high outsourced quality, high outsourcing risk). Each is turned
    into a lean towards making, ``score`` when a high score favours making and
    ``6 - score`` when it favours buying, and weighted (weights normalised to
    1): the weighted factor-rating method (Heizer, Render & Munson,
    *Operations Management*, ch. 8, factor-rating method).

    Parameters
    ----------
    scores : mapping
        Factor -> integer 1..5 (all of :data:`FACTORS`).
    weights : mapping
        Factor -> weight >= 0, not all 0.

    Returns
    -------
    DataFrame
        One row per factor. scores, weights -> columns out: factor, score, weight,
        make_lean (1-5, 5 = strongly favours making), favours (make/buy/neutral),
        contribution (weight x make_lean; their sum is the qualitative score).

    Raises
    ------
    ParamsError
        A factor is missing, a score is not 1..5 or the weights are all 0.
    """
    for f in FACTORS:
        if f not in scores:
            raise ParamsError(f"scorecard.{f}: expected a score 1..5, got nothing (the factor is missing)")
        if f not in weights:
            raise ParamsError(f"scorecard_weights.{f}: expected a weight >= 0, got nothing (the factor is missing)")
        s = scores[f]
        if isinstance(s, bool) or not isinstance(s, int | float) or s != int(s) or not 1 <= s <= 5:
            raise ParamsError(f"scorecard.{f}: expected an integer 1..5, got {s!r}")
        if not float(weights[f]) >= 0:
            raise ParamsError(f"scorecard_weights.{f}: expected a weight >= 0, got {weights[f]!r}")
    total = float(sum(float(weights[f]) for f in FACTORS))
    if total <= 0:
        raise ParamsError("scorecard_weights: expected at least one weight > 0, got all 0")
    rows = []
    for f in FACTORS:
        s = int(scores[f])
        lean = s if FACTOR_DIRECTION[f] > 0 else 6 - s
        w = float(weights[f]) / total
        rows.append(
            {
                "factor": f,
                "score": s,
                "weight": w,
                "make_lean": lean,
                "favours": "make" if lean > 3 else "buy" if lean < 3 else "neutral",
                "contribution": w * lean,
            }
        )
    return pd.DataFrame(rows).astype({"factor": "str", "favours": "str"})


@dataclass(frozen=True)
class Recommendation:
    """The combined recommendation of one case.

    Attributes
    ----------
    recommendation : str
        ``"make"`` or ``"buy"``.
    close_call : bool
        The combined score is within the close-call band of neutral (3).
    combined_score, cost_score, qualitative_score : float
        On a 1-5 scale, 5 = strongly favours making.
    cost_weight : float
        The weight of the cost score in the combined score.
    """

    recommendation: str
    close_call: bool
    combined_score: float
    cost_score: float
    qualitative_score: float
    cost_weight: float = 0.6


def recommend(p_make_cheaper: float, card: pd.DataFrame, *, cost_weight: float = 0.6, close_call_band: float = 0.25) -> Recommendation:
    """Combine the chance that making is cheaper and the scorecard into a recommendation.

    ``cost_score = 1 + 4 * P(make cheaper)`` (from the Monte Carlo at the
    case's volatility), ``qualitative_score = sum(card.contribution)``, and
    ``combined = cost_weight * cost_score + (1 - cost_weight) * qualitative``;
    above 3 recommends making, else buying (a weighted factor rating with
    cost as one factor, Heizer, Render & Munson, ch. 8). Within
    ``close_call_band`` of 3 it is a close call.

    Parameters
    ----------
    p_make_cheaper : float
        From :func:`~custlib.analysis.makebuy.simulation.summarise_draws`.
    card : DataFrame
        From :func:`scorecard`.
    cost_weight : float, default 0.6
    close_call_band : float, default 0.25

    Returns
    -------
    Recommendation
        p_make_cheaper, card's contribution -> recommendation and scores.
    """
    cost_score = 1.0 + 4.0 * float(p_make_cheaper)
    qual = float(card["contribution"].sum())
    combined = cost_weight * cost_score + (1.0 - cost_weight) * qual
    rec = "make" if combined > 3.0 else "buy"
    return Recommendation(rec, abs(combined - 3.0) < close_call_band, combined, cost_score, qual, float(cost_weight))
