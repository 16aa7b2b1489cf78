"""What notebook 01 (customer segmentation) reports beyond its sections: headline figures and advice.

The executive summary shows :func:`headline_figures` and the sentences of the
named rules below (each a small function: its condition in the docstring, the
translated sentence when it fires, else None), collected by :func:`actions`.
Inputs may be :class:`~custlib.reports.sections.Unavailable` (a thin region):
a figure is then NaN and a rule does not fire.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.analysis.segmentation import growth_candidates
from custlib.present.messages import N_, domain_of
from custlib.reports import actions as _actions

DOMAIN = domain_of(__file__)
NOTEBOOK = "01_segment_customers"

SLIPPING_SEGMENTS = ("need attention", "about to sleep", "at risk", "can't lose")
"""RFM segments of customers who bought and are drifting away (the at-risk segments without
*hibernating*, who are already gone): the executive summary counts them."""

FIGURES = {
    "active": N_("Customers who ordered this quarter"),
    "slipping": N_("Customers in slipping RFM segments"),
    "at_risk": N_("Valuable customers at risk"),
    "at_risk_revenue": N_("Revenue of valuable customers at risk"),
    "moved_down": N_("Valuable customers who moved down a tier"),
}


def _frame(x) -> pd.DataFrame | pd.Series | None:
    """``x`` when it was computed, else None (an Unavailable or a missing input)."""
    return x if isinstance(x, pd.DataFrame | pd.Series) else None


def _rows(x) -> float:
    x = _frame(x)
    return float(len(x)) if x is not None else np.nan


def _slipping(rfm) -> float:
    rfm = _frame(rfm)
    return float(rfm["segment"].isin(SLIPPING_SEGMENTS).sum()) if rfm is not None else np.nan


def _revenue(x) -> float:
    x = _frame(x)
    return float(x["revenue"].sum()) if x is not None else np.nan


def headline_figures(active, rfm, rfm_before, at_risk, at_risk_before, moved_down) -> pd.DataFrame:
    """The segmentation report's headline figures, this quarter against last quarter.

    Parameters
    ----------
    active : Series
        :func:`~custlib.analysis.segmentation.active_customers` for last quarter and this one.
    rfm, rfm_before : DataFrame
        :func:`~custlib.analysis.segmentation.rfm_table` of both quarters.
    at_risk, at_risk_before : DataFrame
        :func:`~custlib.analysis.segmentation.valuable_at_risk` of both quarters (whole lists).
    moved_down : DataFrame
        :func:`~custlib.analysis.segmentation.valuable_moved_down`.

    Returns
    -------
    DataFrame
        figure (an ``N_`` message of the ``segmentation`` domain), value, previous, unit, good; NaN
        where a step is unavailable. inputs -> headlines.
    """
    counts = _frame(active)
    now = float(counts.iloc[-1]) if counts is not None and len(counts) >= 2 else np.nan
    before = float(counts.iloc[-2]) if counts is not None and len(counts) >= 2 else np.nan
    rows = [
        (FIGURES["active"], now, before, "count", "up"),
        (FIGURES["slipping"], _slipping(rfm), _slipping(rfm_before), "count", "down"),
        (FIGURES["at_risk"], _rows(at_risk), _rows(at_risk_before), "count", "down"),
        (FIGURES["at_risk_revenue"], _revenue(at_risk), _revenue(at_risk_before), "money", "down"),
        (FIGURES["moved_down"], _rows(moved_down), np.nan, "count", "down"),
    ]
    return pd.DataFrame(rows, columns=["figure", "value", "previous", "unit", "good"])


# --------------------------------------------------------------------------- advice rules


def visit_valuable_at_risk(at_risk, ctx, *, window_months: int = 12) -> str | None:
    """Fires when ``at_risk`` (:func:`~custlib.analysis.segmentation.valuable_at_risk`: customers of the top
    ``segmentation.pyramid.valuable_tiers`` value tiers or ABC class A, in a slipping RFM segment or with revenue
    falling) has at least one row: visit them, with their count and their revenue over the last ``window_months``
    (``segmentation.window_months``). Silent on an empty or unavailable list."""
    risk = _frame(at_risk)
    if risk is None or len(risk) == 0:
        return None
    t, f, n = ctx.messages(DOMAIN), ctx.fmt, len(risk)
    return t.ngettext(
        "Visit the {n} valuable customer at risk before the relationship breaks: {amount} of revenue over the last {months} months is at stake.",
        "Visit the {n} valuable customers at risk before the relationship breaks: {amount} of revenue over the last {months} months is at stake.",
        n,
        n=f.integer(n),
        amount=f.money(risk["revenue"].sum()),
        months=window_months,
    )


def ask_who_moved_down(moved_down, ctx) -> str | None:
    """Fires when ``moved_down`` (:func:`~custlib.analysis.segmentation.valuable_moved_down`: customers of the top
    ``segmentation.pyramid.valuable_tiers`` value tiers last quarter in a lower tier now) has at least one row: ask
    them what changed, with their count. Silent on an empty list and when last quarter is not in the data whole
    (the list is then unavailable)."""
    down = _frame(moved_down)
    if down is None or len(down) == 0:
        return None
    t, n = ctx.messages(DOMAIN), len(down)
    return t.ngettext(
        "Ask the {n} valuable customer who moved down a tier since last quarter what changed.",
        "Ask the {n} valuable customers who moved down a tier since last quarter what changed.",
        n,
        n=ctx.fmt.integer(n),
    )


def offer_more_to_grow(scorecard, features, ctx) -> str | None:
    """Fires when there are customers to grow (:func:`~custlib.analysis.segmentation.growth_candidates`: the
    scorecard's ``invest`` quadrant, with at least one order in the ``segmentation.window_months`` window): offer them
    more, with their count and, when their summed ``wallet_headroom`` is known and above zero, that amount. Silent when
    the scorecard or the features are unavailable or nobody is to grow."""
    card, feats = _frame(scorecard), _frame(features)
    if card is None or feats is None:
        return None
    ids = growth_candidates(card, feats)
    if len(ids) == 0:
        return None
    t, f = ctx.messages(DOMAIN), ctx.fmt
    headroom = feats["wallet_headroom"].reindex(ids).sum(min_count=1)
    n = len(ids)
    if pd.notna(headroom) and headroom > 0:
        return t.ngettext(
            "Offer more to the {n} customer to grow, highest potential first: they still buy {amount} a year from other suppliers.",
            "Offer more to the {n} customers to grow, highest potential first: they still buy {amount} a year from other suppliers.",
            n,
            n=f.integer(n),
            amount=f.money(headroom),
        )
    return t.ngettext(
        "Offer more to the {n} customer to grow, highest potential first.",
        "Offer more to the {n} customers to grow, highest potential first.",
        n,
        n=f.integer(n),
    )


def keep_the_visit_plan(at_risk, moved_down, ctx) -> str | None:
    """Fires when both lists it speaks about were computed and are empty: no valuable customer at risk
    (:func:`visit_valuable_at_risk` silent) and none moved down a tier (:func:`ask_who_moved_down` silent), so the
    visit plan can stay. Silent when either list is unavailable (e.g. last quarter is not in the data whole: nothing
    is known to have moved). :func:`actions` says it only when no other rule fired."""
    risk, down = _frame(at_risk), _frame(moved_down)
    if risk is None or down is None or len(risk) or len(down):
        return None
    return ctx.messages(DOMAIN).gettext("No valuable customer is at risk or moved down a tier: keep the current visit plan.")


def actions(ctx, *, at_risk, moved_down, scorecard, features, window_months: int = 12) -> list[str]:
    """The advice of the executive summary, at most three sentences, in rule order."""
    fired = [
        s
        for s in (
            visit_valuable_at_risk(at_risk, ctx, window_months=window_months),
            ask_who_moved_down(moved_down, ctx),
            offer_more_to_grow(scorecard, features, ctx),
        )
        if s
    ]
    last = None if fired else keep_the_visit_plan(at_risk, moved_down, ctx)
    return fired + [last] if last else fired


def action_lists(ctx, *, at_risk, moved_down, to_grow) -> dict[str, pd.DataFrame]:
    """The whole lists behind :func:`visit_valuable_at_risk`, :func:`ask_who_moved_down` and :func:`offer_more_to_grow`
    (``to_grow``: :func:`~custlib.analysis.segmentation.customers_to_grow` without ``top``) for the action workbook
    (:func:`custlib.reports.actions.segmentation_lists`)."""
    return _actions.segmentation_lists(ctx, at_risk=at_risk, moved_down=moved_down, to_grow=to_grow)
