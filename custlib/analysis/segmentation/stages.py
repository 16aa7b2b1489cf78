"""Relationship stage by share of wallet, and the market-type breakdown.

Share of wallet: Keiningham, T. L. et al. (2005), Managing Service Quality
15(2), 172-181.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.analysis.segmentation.common import STAGES, param_name
from custlib.exceptions import InsufficientDataError, ParamsError
from custlib.io.contract import MARKET_TYPES


def relationship_stages(features: pd.DataFrame, *, stable: float = 0.2, strategic: float = 0.6) -> pd.DataFrame:
    """Relationship stage from share of wallet (every customer of the region).

    share_of_wallet = trailing-12-month revenue / wallet_estimate (Keiningham
    et al. 2005). Stages (DOMAIN.md section 1): development, no revenue in
    the last 12 months (share 0); initial cooperation, 0 < share < ``stable``
    (secondary or candidate supplier); stable cooperation, ``stable`` <=
    share < ``strategic`` (main supplier); strategic cooperation, share >=
    ``strategic`` (dominant share). Customers without an estimate get no
    stage (NaN).

    Returns
    -------
    DataFrame
        revenue_12m, wallet_estimate, share_of_wallet, stage.
        features -> stage.

    Raises
    ------
    ParamsError
        Thresholds not 0 < stable < strategic.
    InsufficientDataError
        ``wallet_estimate`` is absent or missing for every customer: the
        stage is not guessed.
    """
    if not 0 < stable < strategic:
        raise ParamsError(f"{param_name('relationship')}: expected 0 < stable < strategic, got stable={stable!r}, strategic={strategic!r}")
    if "wallet_estimate" not in features.columns or features["wallet_estimate"].isna().all():
        raise InsufficientDataError(
            "relationship stage is not available: the customers table has no wallet_estimate (each customer's yearly spend "
            "on our categories from all suppliers), so share of wallet cannot be measured; add it to show the stages",
            code="no_wallet_estimate",
        )
    out = features[["revenue_12m", "wallet_estimate"]].copy()
    sow = out["revenue_12m"].clip(lower=0) / out["wallet_estimate"]
    out["share_of_wallet"] = sow
    stage = np.select([sow <= 0, sow < stable, sow < strategic, sow >= strategic], STAGES, default="")
    out["stage"] = pd.Series(stage, index=out.index, dtype="str").where(sow.notna())
    return out


def market_type_breakdown(features: pd.DataFrame) -> pd.DataFrame:
    """Customers, buyers, revenue and profit per market type.

    All five market types of the contract are listed, in contract order,
    even when empty.

    Returns
    -------
    DataFrame
        Indexed by market_type: customers, buyers (ordered in the window),
        revenue, revenue_share, gross_profit, margin, net_profit,
        revenue_per_buyer. features -> breakdown.
    """
    f = features.assign(active=features["orders"] > 0)
    g = f.groupby("market_type", sort=True)
    out = pd.DataFrame(
        {
            "customers": g.size(),
            "buyers": g["active"].sum(),
            "revenue": g["revenue"].sum(),
            "gross_profit": g["gross_profit"].sum(skipna=False),  # missing with the cost of goods, never 0
            "net_profit": g["net_profit"].sum(min_count=1),
        }
    )
    order = list(MARKET_TYPES) + sorted(set(out.index) - set(MARKET_TYPES))
    out = out.reindex(order)
    out[["customers", "buyers"]] = out[["customers", "buyers"]].fillna(0).astype("int64")
    out["revenue"] = out["revenue"].fillna(0.0)
    if features["gross_profit"].notna().all():
        out["gross_profit"] = out["gross_profit"].fillna(0.0)
    tot = out["revenue"].sum()
    out.insert(3, "revenue_share", out["revenue"] / tot if tot else np.nan)
    out["margin"] = (out["gross_profit"] / out["revenue"]).where(out["revenue"] > 0)
    out["revenue_per_buyer"] = (out["revenue"] / out["buyers"]).where(out["buyers"] > 0)
    out.index.name = "market_type"
    return out[["customers", "buyers", "revenue", "revenue_share", "gross_profit", "margin", "net_profit", "revenue_per_buyer"]]
