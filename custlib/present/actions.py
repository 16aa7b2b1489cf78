"""The words of the action workbook: sheet names, column headers, the reasons a customer is on a list, the links to it.

The lists themselves are made in :mod:`custlib.reports.actions`; these are their messages (domain ``custlib``).
Sheet names are short (Excel allows 31 characters, none of ``[]:*?/\\``).
"""

from __future__ import annotations

from custlib.present.messages import N_

#: list code -> sheet name, in the workbook's order
SHEETS = {
    "lapsed": N_("Stopped ordering"),
    "largest": N_("Largest customers"),
    "at_risk": N_("Valuable at risk"),
    "moved_down": N_("Moved down a tier"),
    "to_grow": N_("To grow"),
    "watch": N_("Watch list"),
    "winback": N_("Win-back"),
    "campaign": N_("Campaign targets"),
    "loss_a": N_("Tier A losing money"),
    "loss_bc": N_("Tiers B, C losing money"),
    "served": N_("Served, no order"),
    "returned": N_("Returned goods"),
    "tier_down": N_("Down a revenue tier"),
}

#: column code -> header
COLUMNS = {
    "customer_id": N_("Customer id"),
    "name": N_("Customer name"),
    "region": N_("Region"),
    "industry": N_("Industry"),
    "market_type": N_("Market type"),
    "size_band": N_("Size"),
    "reason": N_("Why on the list"),
    "rank": N_("Rank"),
    "tier": N_("Value tier"),
    "abc": N_("ABC class"),
    "segment": N_("RFM segment"),
    "target_group": N_("Target group"),
    "group_rank": N_("Target group's rank"),
    "revenue_previous_quarter": N_("Revenue last quarter"),
    "revenue_12m": N_("Revenue, last 12 months"),
    "revenue_12m_before": N_("Revenue, 12 months before"),
    "revenue_change": N_("Revenue change"),
    "last_order": N_("Last order"),
    "days_since_order": N_("Days since the last order"),
    "potential_value": N_("Potential value score"),
    "current_value": N_("Current value score"),
    "wallet_headroom": N_("Bought from other suppliers, a year"),
    "share_of_wallet": N_("Share of wallet"),
    "usual_revenue_month": N_("Usual revenue per month"),
    "recent_revenue_month": N_("Recent revenue per month"),
    "lost_revenue_month": N_("Revenue lost per month"),
    "months_falling": N_("Months falling"),
    "lines_before": N_("Product lines before"),
    "lines_recent": N_("Product lines now"),
    "p_alive": N_("Probability active"),
    "quarters_since_order": N_("Quarters since the last order"),
    "past_revenue": N_("Revenue in the last active year"),
    "past_profit": N_("Profit in the last active year"),
    "profit_per_contact": N_("Expected profit per contact"),
    "revenue_tier": N_("Revenue tier"),
    "revenue_quarter": N_("Revenue this quarter"),
    "share_of_revenue": N_("Share of revenue"),
    "gross_profit_quarter": N_("Gross profit this quarter"),
    "cost_to_serve_quarter": N_("Cost to serve this quarter"),
    "net_profit_quarter": N_("Net profit this quarter"),
    "suggested_product": N_("Next best product"),
    "suggested_because": N_("Goes with what they buy"),
}

#: reason code -> message (a customer may have several, each a cell's part)
REASONS = {
    "slipping": N_("RFM segment {segment}"),
    "revenue_falling": N_("revenue falling"),
    "decline": N_("revenue falling month after month"),
    "drop": N_("recent quarter far below usual"),
    "lines": N_("fewer product lines"),
    "moved": N_("{before} to {now}"),
}

#: the link a report and the index give to the workbook and the table
LINKS = {
    "intro": N_("Every customer behind these counts, for the sales team and a CRM:"),
    "xlsx": N_("action lists (Excel workbook)"),
    "csv": N_("action lists (CSV table)"),
}


def sheet_name(code: str, t) -> str:
    """The sheet of list ``code`` in ``t``'s language, made safe for Excel (31 characters, no ``[]:*?/\\``)."""
    name = t.label(code, SHEETS)
    for ch in "[]:*?/\\":
        name = name.replace(ch, " ")
    return name[:31].strip() or code[:31]


def header(code: str, t) -> str:
    """The header of column ``code`` in ``t``'s language (an unknown code as it is)."""
    return t.label(code, COLUMNS)
