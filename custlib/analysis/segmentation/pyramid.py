"""Composite value scores and the customer value pyramid.

Source: Zeithaml, V. A., Rust, R. T. & Lemon, K. N. (2001) "The customer
pyramid: creating and serving profitable customers", California Management
Review 43(4), 118-142 (tiers platinum, gold, iron, lead).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.analysis.segmentation.common import EPS, INDICATORS, and_list, param_name, words
from custlib.analysis.segmentation.features import require_buyers
from custlib.exceptions import InsufficientDataError, ParamsError
from custlib.io.facts import require_cost

#: How a pyramid is named in English log messages.
PYRAMID_NAMES = {"value": "value", "profit": "profit", "potential": "potential-value"}


def percentile_normalise(values: pd.Series, *, higher_is_better: bool = True) -> pd.Series:
    """Percentile rank on [0, 1]: (average rank - 1) / (n - 1).

    The lowest value maps to 0, the highest to 1, tied values share their
    average rank (so all-equal values map to 0.5). Lower-is-better
    indicators are flipped (1 - p). Missing values map to 0 ("no evidence of
    value"). The percentile-rank transform is insensitive to the skew of
    money amounts (Hair et al., *Multivariate Data Analysis*, 7th ed., ch. 2).

    Returns
    -------
    Series
        float64 on the input's index. values -> normalised values.

    Raises
    ------
    InsufficientDataError
        Fewer than 2 non-missing values.
    """
    s = pd.Series(values, dtype="float64")
    ok = s.dropna()
    if len(ok) < 2:
        raise InsufficientDataError(
            f"ranking by {words(s.name or 'value')} needs at least 2 customers with a value, found {len(ok)}",
            code="too_few_customers",
            needed=2,
            found=len(ok),
        )
    p = (ok.rank(method="average") - 1.0) / (len(ok) - 1)
    if not higher_is_better:
        p = 1.0 - p
    return p.reindex(s.index).fillna(0.0)


def resolve_indicators(features: pd.DataFrame, weights: dict, *, param: str) -> tuple[dict[str, float], list[str]]:
    """Indicators to use: known names, present in the data, weights summing to 1.

    Indicators absent from ``features`` or missing for every customer are
    dropped and the remaining weights rescaled to sum to 1.

    Returns
    -------
    (dict, list)
        Used indicator -> weight, and the names dropped for lack of data.

    Raises
    ------
    ParamsError
        Unknown indicator or negative weight, or all weights 0.
    InsufficientDataError
        No indicator has data (``code="needs_cost"`` when they are all built on the
        cost of goods, which the data does not have).
    """
    if not isinstance(weights, dict) or not weights:
        raise ParamsError(f"{param}: expected a mapping of indicator -> weight, got {weights!r}")
    used, dropped = {}, []
    for name, w in weights.items():
        if name not in INDICATORS:
            raise ParamsError(f"{param}: unknown indicator {name!r}; known: {', '.join(INDICATORS)}")
        if not isinstance(w, (int, float)) or w < 0:
            raise ParamsError(f"{param}.{name}: expected a weight >= 0, got {w!r}")
        if w == 0:
            continue
        if name not in features.columns or features[name].isna().all():
            dropped.append(name)
        else:
            used[name] = float(w)
    if not any(w > 0 for w in weights.values()):
        raise ParamsError(f"{param}: every weight is 0; give at least one indicator a positive weight")
    profit_only = {"gross_profit", "net_profit", "margin"}
    if not used and set(dropped) & profit_only and "gross_profit" in features.columns and features["gross_profit"].isna().all():
        require_cost(features, "gross_profit", f"{param} (its indicators {and_list(dropped)})")
    if not used:
        raise InsufficientDataError(
            f"{param}: none of the indicators ({and_list(weights)}) has data in this region", code="no_indicator_data", param=param
        )
    total = sum(used.values())
    return {k: v / total for k, v in used.items()}, dropped


def composite_score(features: pd.DataFrame, weights: dict, *, param: str = "segmentation.pyramid") -> pd.DataFrame:
    """Weighted mean of percentile-normalised indicators.

    score = sum_j w_j p_j, with p_j from :func:`percentile_normalise` and
    the weights of the indicators that have data rescaled to sum to 1
    (a simple additive weighting, e.g. Hwang & Yoon 1981, *Multiple
    Attribute Decision Making*, ch. 3).

    Returns
    -------
    DataFrame
        One ``p_<indicator>`` column per used indicator plus ``score`` in
        [0, 1]. features -> p_*, score.
    """
    used, _ = resolve_indicators(features, weights, param=param)
    out = pd.DataFrame(index=features.index)
    for name, _w in used.items():
        out[f"p_{name}"] = percentile_normalise(features[name].rename(name), higher_is_better=INDICATORS[name][0] > 0)
    out["score"] = sum(out[f"p_{n}"] * w for n, w in used.items())
    return out


def check_tiers(tiers) -> tuple[list[str], np.ndarray]:
    param = param_name("pyramid.tiers")
    try:
        names = [str(t["name"]) for t in tiers]
        shares = np.array([float(t["share"]) for t in tiers])
    except (TypeError, KeyError, ValueError) as err:
        raise ParamsError(f"{param}: expected a list of {{name, share}} from the top tier down, got {tiers!r}") from err
    if len(names) < 2 or len(set(names)) != len(names):
        raise ParamsError(f"{param}: expected at least 2 tiers with distinct names, got {names}")
    if (shares <= 0).any() or abs(shares.sum() - 1) > 1e-6:
        raise ParamsError(f"{param}: shares must be > 0 and sum to 1, got {shares.tolist()} (sum {shares.sum():g})")
    return names, shares


def assign_tiers(score: pd.Series, tiers) -> pd.Series:
    """Cut a score into tiers by customer share, top tier first.

    Customers are ranked by score (descending, ties by id); the first
    ``ceil(s1 * n)`` are tier 1, up to ``ceil((s1 + s2) * n)`` tier 2, and so on
    (cumulative shares, so the top tier is never empty).

    Returns
    -------
    Series
        Ordered categorical of tier names on the score's index. score -> tier.

    Raises
    ------
    ParamsError
        Bad tier list.
    InsufficientDataError
        Fewer than 2 customers or all scores equal.
    """
    names, shares = check_tiers(tiers)
    s = pd.Series(score, dtype="float64")
    if len(s) < 2:
        raise InsufficientDataError(
            f"value tiers need at least 2 customers, found {len(s)}", code="too_few_customers", needed=2, found=len(s)
        )
    if s.max() - s.min() <= EPS:
        raise InsufficientDataError(
            f"value tiers: all {len(s)} customers have the same score ({s.iloc[0]:.3g}); the indicators do not separate them",
            code="all_scores_equal",
            found=len(s),
        )
    order = s.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    bounds = np.ceil(np.cumsum(shares) * len(s) - 1e-6).astype(int)
    bounds[-1] = len(s)
    pos = np.arange(1, len(s) + 1)
    idx = np.searchsorted(bounds, pos, side="left")
    tiers_s = pd.Series(pd.Categorical.from_codes(idx, categories=names, ordered=True), index=order.index, name="tier")
    return tiers_s.reindex(s.index)


def value_pyramid(features: pd.DataFrame, indicators: dict, tiers, *, name: str = "value") -> pd.DataFrame:
    """Composite value per buying customer cut into pyramid tiers.

    Parameters
    ----------
    features : DataFrame
        From :func:`customer_features`.
    indicators : dict
        Indicator -> weight (names from :data:`INDICATORS`).
    tiers : list of {name, share}
        Top tier first.
    name : str
        Pyramid name for messages (value, profit, potential).

    Returns
    -------
    DataFrame
        p_* columns, score, rank (1 = best), tier. features -> pyramid.

    Raises
    ------
    InsufficientDataError
        Fewer than 2 buyers or no separation.
    ParamsError
        Bad indicators or tiers.
    """
    buyers = require_buyers(features, f"the {PYRAMID_NAMES.get(name, name)} pyramid")
    out = composite_score(buyers, indicators, param=param_name(f"pyramid.{name}"))
    out["rank"] = out["score"].sort_index(kind="stable").rank(method="first", ascending=False).astype("int64")
    out["tier"] = assign_tiers(out["score"], tiers)
    return out


def pyramid_summary(pyramid: pd.DataFrame, features: pd.DataFrame) -> pd.DataFrame:
    """Customers, revenue and profit per tier, top tier first.

    Returns
    -------
    DataFrame
        Indexed by tier: customers, customer_share, revenue, revenue_share,
        gross_profit, net_profit, mean_score. pyramid + features -> summary.
    """
    f = features.loc[pyramid.index]
    frame = pd.DataFrame(
        {
            "tier": pyramid["tier"],
            "score": pyramid["score"],
            "revenue": f["revenue"],
            "gross_profit": f["gross_profit"],
            "net_profit": f["net_profit"],
        }
    )
    g = frame.groupby("tier", observed=False)
    out = pd.DataFrame(
        {
            "customers": g.size(),
            "revenue": g["revenue"].sum(),
            "gross_profit": g["gross_profit"].sum(min_count=1),  # missing with the cost of goods, never 0
            "net_profit": g["net_profit"].sum(min_count=1),
            "mean_score": g["score"].mean(),
        }
    )
    out.index = out.index.astype("str")
    out.insert(1, "customer_share", out["customers"] / out["customers"].sum())
    tot = out["revenue"].sum()
    out.insert(3, "revenue_share", out["revenue"] / tot if tot else np.nan)
    out.index.name = "tier"
    return out
