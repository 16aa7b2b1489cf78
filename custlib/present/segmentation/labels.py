"""The labels of the segmentation codes: segments, tiers, quadrants, stages, loyalty, market types, measures.

Each table maps a code an analysis returns (``"champions"``, ``"platinum"``) to
a marked message; a view shows ``t.label(code, TABLE)``.
"""

from __future__ import annotations

from custlib.present.messages import N_

SEGMENTS = {
    "champions": N_("Champions"),
    "loyal": N_("Loyal"),
    "potential loyalists": N_("Potential loyalists"),
    "new": N_("New"),
    "promising": N_("Promising"),
    "need attention": N_("Need attention"),
    "about to sleep": N_("About to sleep"),
    "at risk": N_("At risk"),
    "can't lose": N_("Can't lose"),
    "hibernating": N_("Hibernating"),
    "no orders in window": N_("No orders in the window"),
}
TIERS = {"platinum": N_("Platinum"), "gold": N_("Gold"), "iron": N_("Iron"), "lead": N_("Lead")}
QUADRANTS = {"keep and grow": N_("Keep and grow"), "maintain": N_("Maintain"), "invest": N_("Invest"), "monitor": N_("Monitor")}
STAGES = {
    "development": N_("Development"),
    "initial cooperation": N_("Initial cooperation"),
    "stable cooperation": N_("Stable cooperation"),
    "strategic cooperation": N_("Strategic cooperation"),
}
LOYALTY = {"loyal": N_("Loyal"), "switcher": N_("Switcher"), "no brand loyalty": N_("No brand loyalty")}
MARKET_TYPES = {
    "consumer": N_("Consumer"),
    "producer": N_("Producer"),
    "reseller": N_("Reseller"),
    "government": N_("Government"),
    "international": N_("International"),
}
#: A migration matrix's row or column of customers with no class that quarter.
NONE = N_("(none)")
MEASURES = {
    "revenue": N_("Revenue"),
    "gross_profit": N_("Gross profit"),
    "net_profit": N_("Net profit"),
    "orders": N_("Orders"),
    "avg_order_value": N_("Average order value"),
    "margin": N_("Margin"),
    "growth": N_("Growth"),
    "n_categories": N_("Categories bought"),
    "category_share": N_("Share of categories bought"),
    "category_headroom": N_("Categories not yet bought"),
    "tenure_days": N_("Days as a customer"),
    "recency_days": N_("Days since the last order"),
    "cost_to_serve_share": N_("Cost to serve per unit of revenue"),
    "share_of_wallet": N_("Share of wallet"),
    "wallet_headroom": N_("Wallet headroom"),
    "payment_days": N_("Payment days"),
}
#: A cluster's trait: (feature, "high"|"low") -> word.
CLUSTER_TRAITS = {
    ("revenue", "high"): N_("large"),
    ("revenue", "low"): N_("small"),
    ("gross_profit", "high"): N_("profitable"),
    ("gross_profit", "low"): N_("low-profit"),
    ("orders", "high"): N_("frequent"),
    ("orders", "low"): N_("occasional"),
    ("avg_order_value", "high"): N_("big-ticket"),
    ("avg_order_value", "low"): N_("small-ticket"),
    ("n_categories", "high"): N_("broad"),
    ("n_categories", "low"): N_("narrow"),
    ("category_share", "high"): N_("broad"),
    ("category_share", "low"): N_("narrow"),
    ("recency_days", "high"): N_("lapsed"),
    ("recency_days", "low"): N_("recently active"),
    ("margin", "high"): N_("high-margin"),
    ("margin", "low"): N_("low-margin"),
    ("growth", "high"): N_("growing"),
    ("growth", "low"): N_("shrinking"),
    ("tenure_days", "high"): N_("long-standing"),
    ("tenure_days", "low"): N_("new"),
}
PYRAMID_TITLES = {"value": N_("Value pyramid"), "profit": N_("Profit pyramid"), "potential": N_("Potential-value pyramid")}
#: Classes of each migration matrix, by the analysis that made them.
CLASS_LABELS = {"segment": SEGMENTS, "tier": TIERS, "abc": {}, "stage": STAGES}
