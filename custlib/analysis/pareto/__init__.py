"""Pareto diagnostics: does the 80/20 rule hold, and for revenue or for profit?

The literature behind the workbook doubts the 80/20 rule (``DOMAIN.md`` section 2):
the top revenue customers may be cost customers whose net profit after cost to
serve is thin or negative; spending in proportion to revenue starves the tiers that
can grow; concentration is a snapshot, not a target. Each module measures a doubt:
:mod:`~custlib.analysis.pareto.concentration` (Lorenz, Gini, shares, Herfindahl),
:mod:`~custlib.analysis.pareto.profitability` (net profit per customer),
:mod:`~custlib.analysis.pareto.whale` (whale curve, value destroyers),
:mod:`~custlib.analysis.pareto.tiers` (resources by tier, tier migration),
:mod:`~custlib.analysis.pareto.over_time` (concentration by quarter, against peers).
"""

from custlib.analysis.pareto.concentration import (
    NOTES,
    GiniEstimate,
    concentration_table,
    gini,
    herfindahl,
    lorenz_curve,
    share_of_customers_for,
    top_share,
)
from custlib.analysis.pareto.inputs import NO_TIER, TIERS, revenue_tiers
from custlib.analysis.pareto.over_time import SHARE_MEASURES, concentration_by_quarter, concentration_trend, concentration_vs_peers
from custlib.analysis.pareto.profitability import (
    buyers_only,
    customer_profitability,
    net_is_gross,
    quarter_profit,
    quarter_profitability,
    served_without_orders,
    with_positive_profit,
    with_two_customers,
)
from custlib.analysis.pareto.tiers import (
    MOVES,
    migration_matrix,
    migration_of,
    quarter_tier_migration,
    quarter_tier_moves,
    tier_allocation,
    tier_migration,
    tier_moves,
)
from custlib.analysis.pareto.whale import STATUSES, WhaleSummary, customer_losses, customer_status, loss_figures, whale_curve, whale_summary

__all__ = [
    "MOVES",
    "NOTES",
    "NO_TIER",
    "SHARE_MEASURES",
    "STATUSES",
    "TIERS",
    "GiniEstimate",
    "WhaleSummary",
    "concentration_by_quarter",
    "concentration_table",
    "concentration_trend",
    "concentration_vs_peers",
    "buyers_only",
    "customer_losses",
    "customer_profitability",
    "customer_status",
    "gini",
    "herfindahl",
    "lorenz_curve",
    "loss_figures",
    "migration_matrix",
    "migration_of",
    "net_is_gross",
    "quarter_profit",
    "served_without_orders",
    "quarter_profitability",
    "quarter_tier_migration",
    "quarter_tier_moves",
    "revenue_tiers",
    "share_of_customers_for",
    "tier_allocation",
    "tier_migration",
    "tier_moves",
    "top_share",
    "whale_curve",
    "whale_summary",
    "with_positive_profit",
    "with_two_customers",
]
