"""What the technical terms in the reports mean: the glossary section at the end of each report.

Each term is a code with its name and a plain-words definition (messages of the ``glossary``
catalogue, so both languages read alike) and the pattern by which it is found in a report's
English text (a test checks that every term a report shows is in its glossary). A notebook
lists the terms it uses in its last cell::

    ctx.show(["rfm", "abc", "share_of_wallet"], glossary.glossary_view)
"""

from __future__ import annotations

import re
from typing import NamedTuple

import pandas as pd

from custlib.present.messages import N_
from custlib.present.tables import TableView

DOMAIN = "glossary"


class Term(NamedTuple):
    """A term: its name, its definition (English messages) and how to find it in English text (a regex)."""

    name: str
    definition: str
    pattern: str


TERMS: dict[str, Term] = {
    # ----------------------------------------------------------------- money and profit
    "gross_profit": Term(
        N_("Gross profit, margin"),
        N_("Revenue minus the cost of the goods sold; the margin is gross profit as a share of revenue."),
        r"\bgross profit\b|\bmargin\b",
    ),
    "cost_to_serve": Term(
        N_("Cost to serve"),
        N_("What serving a customer costs beyond the goods: sales visits, logistics, support and discounts."),
        r"\bcost to serve\b|\bcost-to-serve\b",
    ),
    "net_profit": Term(
        N_("Net profit"),
        N_("Gross profit minus the cost to serve: what a customer leaves after everything it costs."),
        r"\bnet profit\b|\bnet-profit\b",
    ),
    "percentage_point": Term(
        N_("Percentage point (pt)"),
        N_("The difference between two percentages: a margin going from 20% to 22% rose by 2 pt (10% in relative terms)."),
        r"\bpercentage points?\b|\d pt\b",
    ),
    # ----------------------------------------------------------------- segmentation
    "abc": Term(
        N_("ABC classes"),
        N_(
            "Customers ranked by an amount: A is the smallest group of top customers making the first cut-off of the "
            "total (e.g. 80%), B takes it to the second (e.g. 95%), C is the rest."
        ),
        r"(?-i:\bABC\b)",
    ),
    "rfm": Term(
        N_("RFM"),
        N_(
            "Recency (days since the last order), frequency (orders) and monetary value (revenue), each scored 1 to 5 by "
            "quintile; the recency and frequency scores name the customer's segment."
        ),
        r"(?-i:\bRFM\b)",
    ),
    "quintile": Term(
        N_("Quintile"),
        N_("A fifth of the customers ranked by a measure: score 5 is the top fifth, score 1 the bottom fifth."),
        r"\bquintiles?\b",
    ),
    "value_pyramid": Term(
        N_("Value pyramid"),
        N_(
            "Customers ranked by a weighted score of chosen value indicators and cut into tiers (platinum, gold, iron, "
            "lead) that narrow towards the top."
        ),
        r"\bpyramids?\b",
    ),
    "share_of_wallet": Term(
        N_("Share of wallet"),
        N_(
            "Our revenue from a customer over the last 12 months divided by the customer's estimated yearly spend on our "
            "categories from all suppliers."
        ),
        r"\bshare of wallet\b|\bwallet\b",
    ),
    "cluster": Term(
        N_("Customer groups (clusters)"),
        N_(
            "Customers grouped by how alike their buying is (k-means on standardised measures); the number of groups is "
            "the one with the best silhouette, a score from -1 to 1 of how clearly each customer belongs to its own group."
        ),
        r"\bclusters?\b|\bk-means\b|\bsilhouette\b",
    ),
    # ----------------------------------------------------------------- Pareto
    "pareto": Term(
        N_("80/20 rule (Pareto)"),
        N_(
            "The observation that a small share of customers often brings most of the revenue; the report measures it instead of assuming it."
        ),
        r"\b80/20\b|\bPareto\b",
    ),
    "gini": Term(
        N_("Gini coefficient"),
        N_(
            "Concentration from 0 (every customer brings the same) to 1 (one customer brings everything); above 1 when "
            "loss-making customers give back profit. Its interval comes from resampling the customers (bootstrap)."
        ),
        r"\bGini\b",
    ),
    "whale_curve": Term(
        N_("Whale curve"),
        N_(
            "Cumulative net profit of the customers ranked from most to least profitable, as a share of the total: it "
            "rises above 100% and falls back as the loss-making customers are added."
        ),
        r"\bwhale\b",
    ),
    "cost_customer": Term(
        N_("Cost customer, profit customer"),
        N_(
            "A cost customer buys much but wins price, payment and service concessions that leave little or no net "
            "profit; a profit customer earns more than it costs, often a mid-sized one."
        ),
        r"\bcost customers?\b|\bprofit customers?\b",
    ),
    # ----------------------------------------------------------------- development
    "odds_ratio": Term(
        N_("Odds ratio"),
        N_(
            "How the odds of responding change when a factor rises by one unit, or for one group against the reference: "
            "above 1 raises the chance, below 1 lowers it."
        ),
        r"\bodds ratios?\b",
    ),
    "auc": Term(
        N_("AUC"),
        N_(
            "Area under the ROC curve: the chance that the model scores a random responder above a random non-responder; "
            "0.5 is guessing, 1 is perfect."
        ),
        r"(?-i:\bAUC\b)",
    ),
    "gains": Term(
        N_("Cumulative gains"),
        N_(
            "The share of all responders reached when the customers with the highest scores are contacted first, against contacting at random."
        ),
        r"\bcumulative gains\b",
    ),
    "holdout": Term(
        N_("Holdout"),
        N_("Data kept aside while a model is fitted and used only to check it, so that the check is fair."),
        r"\bholdout\b",
    ),
    "support": Term(
        N_("Support"),
        N_("The share of all orders that contain a product, or both products of a pair."),
        r"(?-i:\bSupport\b)",
    ),
    "confidence": Term(
        N_("Confidence"),
        N_("Of the orders with the first product, the share that also contain the second."),
        r"\bconfidence\b(?! interval| level)",
    ),
    "lift": Term(
        N_("Lift"),
        N_("How many times more often two products are bought together than if they were bought independently; above 1 they go together."),
        r"\blift\b",
    ),
    "mase": Term(
        N_("MASE"),
        N_(
            "Mean absolute scaled error: a forecast's average error divided by the average error of the seasonal-naive "
            "forecast on the history; below 1 is better than that baseline. Relative MASE divides by the baseline's MASE."
        ),
        r"(?-i:\bMASE\b)",
    ),
    "seasonal_naive": Term(
        N_("Seasonal-naive forecast"),
        N_("Each month forecast as the same month a year earlier: the baseline a model must beat."),
        r"\bseasonal[- ]naive\b",
    ),
    "prediction_interval": Term(
        N_("Prediction interval"),
        N_("The range the actual value is expected to fall in with the stated probability (e.g. 90%), if the model holds."),
        r"\bprediction intervals?\b",
    ),
    "clv": Term(
        N_("CLV (customer lifetime value)"),
        N_(
            "The present value of the profit a customer is expected to bring over the coming periods, from the BG/NBD and Gamma-Gamma models."
        ),
        r"(?-i:\bCLV\b)|\blifetime value\b",
    ),
    "bgnbd": Term(
        N_("BG/NBD"),
        N_(
            "Beta-geometric/negative binomial model: how many orders each customer will place, allowing that a customer "
            "may have stopped buying without saying so."
        ),
        r"(?-i:\bBG/NBD\b)",
    ),
    "gamma_gamma": Term(
        N_("Gamma-Gamma"),
        N_("Spend model: each customer's expected order value, pulling customers with few orders towards the average."),
        r"\bGamma-Gamma\b",
    ),
    "p_active": Term(
        N_("Probability active, P(active)"),
        N_("The BG/NBD model's probability that a customer still buys from us, judged from how often and how recently it ordered."),
        r"\bprobability (?:active|alive)\b|(?-i:\bP\(active\))",
    ),
    # ----------------------------------------------------------------- make or buy
    "present_value": Term(
        N_("Present value (PV, NPV)"),
        N_("Future amounts discounted to today at the discount rate, so that amounts of different years can be added and compared."),
        r"\bpresent values?\b|(?-i:\bN?PV\b)",
    ),
    "break_even": Term(
        N_("Break-even"),
        N_("The cumulative volume at which making has paid back its one-off costs and costs no more than buying."),
        r"\bbreak-even\b",
    ),
    "learning_curve": Term(
        N_("Learning curve"),
        N_("Labour per unit falls to the learning rate (e.g. 85%) each time the cumulative volume doubles."),
        r"\blearning (?:curve|rate)\b",
    ),
    "monte_carlo": Term(
        N_("Simulated demand (Monte Carlo)"),
        N_(
            "Demand drawn many times at random around the plan with the stated volatility; chances and percentiles are read from the draws."
        ),
        r"\bMonte Carlo\b|\bsimulated (?:demand|paths?)\b|\bdemand is simulated\b",
    ),
    "percentile": Term(
        N_("Percentile"),
        N_("The value below which the given share of cases falls: 95% of cases lie above the 5th percentile."),
        r"\bpercentiles?\b",
    ),
    "tornado": Term(
        N_("Sensitivity (tornado) chart"),
        N_(
            "Each input moved between a low and a high value with the rest at plan; the longest bars are the inputs the answer depends on most."
        ),
        r"\bsensitivity\b|\btornado\b",
    ),
}


def used_terms(text: str) -> list[str]:
    """The codes of the terms that English ``text`` mentions, in table order (patterns ignore case, except in ``(?-i:...)``)."""
    return [code for code, term in TERMS.items() if re.search(term.pattern, text, re.IGNORECASE)]


def glossary_view(terms, ctx) -> TableView:
    """The glossary of a report: one row per term code in ``terms``, its name and what it means.

    Raises
    ------
    KeyError
        A code that is not in :data:`TERMS` (a notebook naming a term nobody defined).
    """
    unknown = [c for c in terms if c not in TERMS]
    if unknown:
        raise KeyError(f"glossary: unknown term(s) {', '.join(map(repr, unknown))}; known: {', '.join(TERMS)}")
    t = ctx.messages(DOMAIN)
    term, meaning = t.gettext("Term"), t.gettext("What it means")
    frame = pd.DataFrame(
        {term: [t.gettext(TERMS[c].name) for c in terms], meaning: [t.gettext(TERMS[c].definition) for c in terms]},
        columns=[term, meaning],
    )
    return TableView(frame, {term: "text", meaning: "text"}, t.gettext("The technical terms of this report"))
