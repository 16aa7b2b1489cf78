"""Codes, default parameters and small checks shared by the segmentation analyses.

Codes, not words: segment, tier, stage and quadrant codes are what the
analyses return; :mod:`custlib.present.segmentation` gives their labels.
``WORDS`` only names measures in English error messages (for logs).
"""

from __future__ import annotations

import pandas as pd

from custlib.exceptions import DataError

SEGMENT_ORDER = (
    "champions",
    "loyal",
    "potential loyalists",
    "new",
    "promising",
    "need attention",
    "about to sleep",
    "at risk",
    "can't lose",
    "hibernating",
    "no orders in window",
)
"""RFM segment names, best first (the order tables and matrices use); the last is
:data:`NO_ORDERS_SEGMENT`, outside the rule table."""


NO_ORDERS_SEGMENT = "no orders in window"
"""The RFM segment of a customer who has ordered before but not in the window: not
scored, so in no cell of the rule table and never in a buying segment."""


AT_RISK_SEGMENTS = ("need attention", "about to sleep", "at risk", "can't lose", "hibernating")
"""RFM segments that mean a customer is slipping or gone."""


RFM_SEGMENTS: dict[str, tuple[str, ...]] = {
    # R = recency score (5 = bought most recently), F = frequency score (5 = most orders)
    "champions": ("R5F4", "R5F5"),
    "loyal": ("R3F4", "R3F5", "R4F4", "R4F5"),
    "potential loyalists": ("R4F2", "R4F3", "R5F2", "R5F3"),
    "new": ("R5F1",),
    "promising": ("R4F1",),
    "need attention": ("R3F3",),
    "about to sleep": ("R3F1", "R3F2"),
    "at risk": ("R1F3", "R1F4", "R2F3", "R2F4"),
    "can't lose": ("R1F5", "R2F5"),
    "hibernating": ("R1F1", "R1F2", "R2F1", "R2F2"),
}
"""The recency x frequency rule table: each of the 25 cells ``R<r>F<f>`` is in
exactly one segment.

======  ===========  ===============  ===============  =======  =======
        F1           F2               F3               F4       F5
======  ===========  ===============  ===============  =======  =======
R5      new          potential loy.   potential loy.   champ.   champ.
R4      promising    potential loy.   potential loy.   loyal    loyal
R3      about to sl. about to sleep   need attention   loyal    loyal
R2      hibernating  hibernating      at risk          at risk  can't lose
R1      hibernating  hibernating      at risk          at risk  can't lose
======  ===========  ===============  ===============  =======  =======
"""


INDICATORS: dict[str, tuple[int, str]] = {
    "revenue": (1, "revenue in the window"),
    "gross_profit": (1, "revenue minus cost of goods in the window"),
    "net_profit": (1, "gross profit minus cost to serve in the window"),
    "orders": (1, "distinct orders in the window"),
    "avg_order_value": (1, "revenue per order in the window"),
    "margin": (1, "gross profit / revenue in the window"),
    "growth": (1, "midpoint growth of revenue, window vs the window before (-1..1)"),
    "n_categories": (1, "distinct product categories bought in the window"),
    "category_share": (1, "share of the region's categories the customer bought"),
    "category_headroom": (1, "1 - category_share: categories still to cross-sell"),
    "tenure_days": (1, "days since the first order"),
    "recency_days": (-1, "days since the last order (lower is better)"),
    "cost_to_serve_share": (-1, "cost to serve / revenue (lower is better)"),
    "share_of_wallet": (1, "trailing-12-month revenue / wallet_estimate"),
    "wallet_headroom": (1, "wallet_estimate - trailing-12-month revenue, at least 0"),
    "payment_days": (-1, "average days to pay, when the customers table has it (lower is better)"),
}
"""Value indicators a pyramid or scorecard may name: direction (+1 higher is
better, -1 lower is better) and meaning. Each is a column of
:func:`customer_features`."""


ABC_CUTOFFS = (0.8, 0.95)
"""The default of ``abc.cutoffs`` (one setting for every report); :func:`segment_region` takes it from
``params["abc"]["cutoffs"]`` when given there."""


DEFAULTS: dict = {
    "window_months": 12,
    "abc": {"measures": ["revenue", "gross_profit", "net_profit"]},  # cut-offs: the top-level abc.cutoffs (ABC_CUTOFFS)
    "rfm": {"profit": "gross_profit", "slip_ratio": 0.5, "slip_alpha": 0.1, "segments": {k: list(v) for k, v in RFM_SEGMENTS.items()}},
    "pyramid": {
        "tiers": [
            {"name": "platinum", "share": 0.05},
            {"name": "gold", "share": 0.15},
            {"name": "iron", "share": 0.30},
            {"name": "lead", "share": 0.50},
        ],
        "valuable_tiers": 2,
        "value": {"revenue": 0.35, "gross_profit": 0.30, "orders": 0.15, "growth": 0.10, "payment_days": 0.10},
        "profit": {"net_profit": 0.60, "gross_profit": 0.20, "margin": 0.20},
        "potential": {"growth": 0.40, "wallet_headroom": 0.30, "category_headroom": 0.15, "margin": 0.15},
    },
    "scorecard": {
        "current": {"revenue": 0.30, "gross_profit": 0.30, "net_profit": 0.20, "orders": 0.20},
        "potential": {"growth": 0.35, "wallet_headroom": 0.25, "cost_to_serve_share": 0.20, "recency_days": 0.20},
        "weights": {"current": 0.5, "potential": 0.5},
        "split": 0.5,
        "label_top": 8,
    },
    "clusters": {
        "features": ["revenue", "orders", "avg_order_value", "n_categories", "recency_days", "margin"],
        "k_min": 3,
        "k_max": 8,
        "n_init": 10,
        "silhouette_sample": 2000,
    },
    "loyalty": {
        "min_orders": 3,
        "min_tenure_days": 365,
        "max_gap_cv": 1.0,
        "max_recency_ratio": 2.0,
        "min_category_share": 0.2,
    },
    "relationship": {"stable": 0.2, "strategic": 0.6},
    "top_n": 25,
}
"""Default parameters of the ``segmentation`` section (mirrored in
``params/defaults.yaml``; the schema is ``custlib/io/schemas/segmentation.json``)."""


QUADRANTS = ("keep and grow", "maintain", "invest", "monitor")


STAGES = ("development", "initial cooperation", "stable cooperation", "strategic cooperation")


LOYALTY_CLASSES = ("loyal", "switcher", "no brand loyalty")


EPS = 1e-9


def param_name(name: str) -> str:
    return f"segmentation.{name}"


WORDS: dict[str, str] = {
    "revenue": "revenue",
    "gross_profit": "gross profit",
    "net_profit": "net profit",
    "orders": "orders",
    "avg_order_value": "average order value",
    "margin": "margin",
    "growth": "growth",
    "n_categories": "categories bought",
    "category_share": "share of categories bought",
    "category_headroom": "categories not yet bought",
    "tenure_days": "tenure",
    "recency_days": "days since the last order",
    "cost_to_serve_share": "cost to serve per unit of revenue",
    "share_of_wallet": "share of wallet",
    "wallet_headroom": "wallet headroom",
    "payment_days": "payment days",
    "frequency": "number of orders",
    "monetary": "revenue",
    "profit": "profit",
    "value": "value",
}
"""How a measure or indicator reads in a sentence (``recency_days`` -> ``days since the last order``)."""


def words(name: str) -> str:
    return WORDS.get(str(name), str(name).replace("_", " "))


def and_list(names, conj: str = "and") -> str:
    w = [words(n) for n in names]
    return w[0] if len(w) == 1 else f"{', '.join(w[:-1])} {conj} {w[-1]}"


def or_list(names) -> str:
    return and_list(names, "or")


def count_text(n: int, noun: str) -> str:
    """``1 customer``, ``2 customers``, ``1,200 customers``."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def require_columns(frame: pd.DataFrame, cols, table: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise DataError(f"{table}: column(s) {', '.join(map(repr, missing))} missing (found: {', '.join(map(str, frame.columns))})")
