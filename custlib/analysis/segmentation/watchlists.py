"""Customers to act on: whom to grow and the valuable customers at risk."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.analysis.segmentation.common import AT_RISK_SEGMENTS
from custlib.analysis.segmentation.pyramid import check_tiers
from custlib.analysis.segmentation.scorecard import invest_list


def growth_candidates(scorecard: pd.DataFrame, features: pd.DataFrame) -> pd.Index:
    """Ids of the customers to grow: the scorecard's invest quadrant, less those without an order in the window.

    scorecard (quadrant) + features (orders) -> ids, in the scorecard's order.
    """
    invest = scorecard.index[scorecard["quadrant"] == "invest"]
    return invest[features["orders"].reindex(invest).fillna(0).to_numpy() > 0]


def customers_to_grow(
    scorecard: pd.DataFrame,
    features: pd.DataFrame,
    *,
    pyramid: pd.DataFrame | None = None,
    rfm: pd.DataFrame | None = None,
    top: int | None = None,
) -> pd.DataFrame:
    """Customers to grow: high potential, lower current value (invest quadrant), who ordered in the window.

    A customer of the invest quadrant without an order in the window (no
    revenue to grow from: a win-back case, not a customer to sell more to) is
    left out; the list is the whole of what "offer more to the N customers to
    grow" promises.

    Returns
    -------
    DataFrame
        name, market_type, current_value, potential_value, revenue,
        revenue_prior, gross_profit, growth, share_of_wallet,
        wallet_headroom, category_share, tier and segment when given;
        highest potential first. scorecard + features -> list.
    """
    inv = invest_list(scorecard)
    inv = inv.loc[inv.index.isin(growth_candidates(scorecard, features))]
    cols = [
        "name",
        "market_type",
        "revenue",
        "revenue_prior",
        "gross_profit",
        "growth",
        "share_of_wallet",
        "wallet_headroom",
        "category_share",
    ]
    out = inv[["current_value", "potential_value"]].join(features[cols])
    out = out[["name", "market_type", "current_value", "potential_value", *cols[2:]]]
    if pyramid is not None:
        out["tier"] = pyramid["tier"].reindex(out.index).astype("str")
    if rfm is not None:
        out["segment"] = rfm["segment"].reindex(out.index)
    return out.head(top) if top else out


def valuable_at_risk(
    features: pd.DataFrame,
    rfm: pd.DataFrame,
    pyramid: pd.DataFrame,
    tiers,
    *,
    valuable_tiers: int = 2,
    abc: pd.Series | pd.DataFrame | None = None,
    top: int | None = None,
) -> pd.DataFrame:
    """Valuable customers at risk: top tiers (or class A) in a slipping RFM segment.

    Valuable = value tier among the top ``valuable_tiers`` or ABC class A by
    revenue; at risk = RFM segment in :data:`AT_RISK_SEGMENTS`, or revenue
    in the window below the window before (growth < 0) by more than a
    quarter (growth < -0.25 in the midpoint scale, i.e. revenue down by
    about 40%).

    Returns
    -------
    DataFrame
        name, market_type, tier, abc, segment, revenue, revenue_prior,
        growth, recency_days, orders, last_order, slipping (in a slipping
        segment), revenue_falling, why (English, for logs); largest
        revenue_prior first. features + rfm + pyramid -> list.
    """
    names, _ = check_tiers(tiers)
    top_tiers = set(names[:valuable_tiers])
    ids = pyramid.index
    tier = pyramid["tier"].astype("str")
    if isinstance(abc, pd.DataFrame):  # an abc_table: class on revenue
        abc = abc["abc_revenue"] if "abc_revenue" in abc.columns else None
    abc_s = abc.reindex(ids) if abc is not None else pd.Series(np.nan, index=ids, dtype="object")
    valuable = tier.isin(top_tiers) | (abc_s == "A")
    seg = rfm["segment"].reindex(ids)
    slipping = seg.isin(AT_RISK_SEGMENTS)
    falling = features["growth"].reindex(ids) < -0.25
    mask = valuable & (slipping | falling)
    f = features.loc[ids[mask]]
    out = pd.DataFrame(
        {
            "name": f["name"],
            "market_type": f["market_type"],
            "tier": tier[mask],
            "abc": abc_s[mask],
            "segment": seg[mask],
            "revenue": f["revenue"],
            "revenue_prior": f["revenue_prior"],
            "growth": f["growth"],
            "recency_days": f["recency_days"],
            "orders": f["orders"],
            "last_order": f["last_order"].dt.date,
        }
    )
    out["slipping"] = np.asarray(slipping[mask], dtype=bool)
    out["revenue_falling"] = np.asarray(falling[mask], dtype=bool)
    why = np.where(slipping[mask], "segment " + seg[mask].astype("str"), "")  # English, for logs
    why = np.where(falling[mask], np.where(why == "", "revenue falling", why + "; revenue falling"), why)
    out["why"] = pd.Series(why, index=out.index, dtype="str")
    out = out.sort_index(kind="stable").sort_values("revenue_prior", ascending=False, kind="stable")
    return out.head(top) if top else out
