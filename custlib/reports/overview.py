"""The region overview's executive summary: headline figures and named advice rules.

Inputs are the results of :mod:`custlib.analysis.overview` as the notebook computed
them with ``ctx.compute`` (a DataFrame, or an ``Unavailable`` when a step met thin
data: then its figures are unknown and its rules stay silent).
"""

from __future__ import annotations

import pandas as pd

from custlib.present.coverage import comparable
from custlib.present.messages import N_
from custlib.reports import actions as _actions

DOMAIN = "overview"
NAN = float("nan")


def _frame(result) -> pd.DataFrame | None:
    return result if isinstance(result, pd.DataFrame) else None


def _kpi(kpis, figure: str, column) -> float:
    kpis = _frame(kpis)
    if kpis is None or figure not in kpis.index:
        return NAN
    return float(kpis.loc[figure, column if isinstance(column, str) else kpis.columns[column]])


def _at_least(x: float, threshold: float) -> bool:
    """``x >= threshold`` up to float rounding (35% to 34% is a fall of one point, not of 0.9999...); False for NaN."""
    return x >= threshold - 1e-12


def headline_figures(kpis, lapsed, lapsed_previous) -> pd.DataFrame:
    """The overview's headline figures, this quarter against last quarter.

    Revenue (money, good: up), gross margin (pct, up), net profit (money, up;
    gross profit when the cost to serve is unknown), customers who ordered
    (count, up) and customers who stopped ordering (count, down). NaN where a
    step is unavailable.

    Parameters
    ----------
    kpis : DataFrame or Unavailable
        :func:`custlib.analysis.overview.quarter_kpis` (columns: this quarter, previous, ...).
    lapsed, lapsed_previous : DataFrame or Unavailable
        :func:`custlib.analysis.overview.lapsed_customers` for this quarter and the previous one.

    Returns
    -------
    DataFrame
        Columns figure (an ``N_`` message of domain ``overview``), value, previous, unit, good,
        on_cost (True for the figures built on the cost of goods).
    """
    profit = "net_profit" if not pd.isna(_kpi(kpis, "net_profit", 0)) else "gross_profit"
    profit_label = N_("Net profit") if profit == "net_profit" else N_("Gross profit")
    now, before = _frame(lapsed), _frame(lapsed_previous)
    rows = [
        (N_("Revenue"), _kpi(kpis, "revenue", 0), _kpi(kpis, "revenue", 1), "money", "up"),
        (N_("Gross margin"), _kpi(kpis, "gross_margin", 0), _kpi(kpis, "gross_margin", 1), "pct", "up"),
        (profit_label, _kpi(kpis, profit, 0), _kpi(kpis, profit, 1), "money", "up"),
        (N_("Customers who ordered"), _kpi(kpis, "active_customers", 0), _kpi(kpis, "active_customers", 1), "count", "up"),
        (
            N_("Customers who stopped ordering"),
            NAN if now is None else float(len(now)),
            NAN if before is None else float(len(before)),
            "count",
            "down",
        ),
    ]
    out = pd.DataFrame(rows, columns=["figure", "value", "previous", "unit", "good"])
    return out.assign(on_cost=[False, True, True, False, False])  # built on the cost of goods: the summary says its basis


# --------------------------------------------------------------------------- advice rules


def call_lapsed_customers(lapsed, ctx) -> str | None:
    """Fires when ``lapsed`` (:func:`~custlib.analysis.overview.lapsed_customers`: customers with an order last
    quarter and none this quarter; a credit note is no order) has at least one row: call them, with their count and
    their revenue last quarter (``revenue_previous``). Silent on an empty list and when the list is unavailable (the
    data does not cover both quarters whole, or last quarter had no orders)."""
    lapsed = _frame(lapsed)
    if lapsed is None or lapsed.empty:
        return None
    n, t = len(lapsed), ctx.messages(DOMAIN)
    return t.ngettext(
        "Call the {n} customer who ordered in {previous} but not in {quarter} (listed below): it bought {amount} in {previous}.",
        "Call the {n} customers who ordered in {previous} but not in {quarter} (listed below): they bought {amount} in {previous}.",
        n,
        n=ctx.fmt.integer(n),
        previous=str(ctx.quarter.previous),
        quarter=str(ctx.quarter),
        amount=ctx.fmt.money(lapsed["revenue_previous"].sum()),
    )


def check_prices_when_margin_fell(kpis, ctx, points: float = 0.01) -> str | None:
    """Fires when the gross margin (``gross_margin`` of the KPI table) fell by ``points`` or more against last quarter:
    ``now <= previous - points``, ``points`` = ``overview.margin_drop_points`` (default 0.01, one percentage point).

    Silent when either margin is unknown (no cost of goods) and when the data does not cover both quarters whole
    (a partial quarter is no like-for-like comparison)."""
    now, before = _kpi(kpis, "gross_margin", 0), _kpi(kpis, "gross_margin", 1)
    if not _at_least(before - now, points) or not comparable(ctx, ctx.quarter, ctx.quarter.previous):
        return None
    t = ctx.messages(DOMAIN)
    return t.gettext(
        "Gross margin fell from {before} to {now}: check prices and discounts on the largest orders.",
        before=ctx.fmt.percent(before),
        now=ctx.fmt.percent(now),
    )


def review_cost_to_serve(kpis, ctx, gap: float = 0.05) -> str | None:
    """Fires when the cost to serve grew against last quarter and grew at least ``gap`` faster than revenue:
    ``change(cost_to_serve) > 0`` and ``change(cost_to_serve) >= change(revenue) + gap`` (relative changes of the KPI
    table's ``change`` column; ``gap`` = ``overview.cost_to_serve_gap``, default 0.05, five percentage points).

    Silent when either change is unknown: no cost-to-serve data, a zero base last quarter (no relative change), or
    quarters the data does not cover whole (the KPI table leaves their change NaN)."""
    cts, rev = _kpi(kpis, "cost_to_serve", "change"), _kpi(kpis, "revenue", "change")
    if not (cts > 0 and _at_least(cts - rev, gap)):
        return None
    t = ctx.messages(DOMAIN)
    msg = (
        N_(
            "Cost to serve rose {cts} against last quarter while revenue rose {rev}: review visits, deliveries and support before adding more."
        )
        if rev >= 0
        else N_(
            "Cost to serve rose {cts} against last quarter while revenue fell {rev}: review visits, deliveries and support before adding more."
        )
    )
    return t.gettext(msg, cts=ctx.fmt.percent(cts), rev=ctx.fmt.percent(abs(rev)))


def watch_largest_customers(top, kpis, ctx, share: float = 0.5) -> str | None:
    """Fires when the largest customers bring more than ``share`` of the quarter's revenue and are fewer than all who
    ordered: ``sum(top.share_of_revenue) > share`` (``share`` = ``overview.concentration_share``, default 0.5; ``top``
    the ``report.top_n`` largest, :func:`~custlib.analysis.overview.top_customers`) and
    ``0 < len(top) < active_customers``. Silent when the quarter's revenue is zero (no shares) or the top list is
    every buyer (a region of few customers is not concentrated by that)."""
    top = _frame(top)
    buyers = _kpi(kpis, "active_customers", 0)
    if top is None or not (0 < len(top) < buyers) or not top["share_of_revenue"].sum() > share:
        return None
    n, t = len(top), ctx.messages(DOMAIN)
    return t.ngettext(
        "The largest customer brings {share} of revenue: give it a named account manager and watch its orders every month.",
        "The {n} largest customers bring {share} of revenue: give each a named account manager and watch their orders every month.",
        n,
        n=ctx.fmt.integer(n),
        share=ctx.fmt.percent(top["share_of_revenue"].sum(), digits=0),
    )


def keep_the_plan(kpis, ctx, points: float = 0.01) -> str | None:
    """Fires when revenue, customers and margin held up against last quarter: keep the current plan.

    All must hold: the KPI table was computed and the data covers this quarter and the last one whole (a comparison
    exists); revenue this quarter is at least last quarter's; customers who ordered (``active_customers``) at least
    last quarter's; and, when both quarters' gross margins are known, the margin did not fall by ``points``
    (``overview.margin_drop_points``) or more (without them the sentence says nothing about the margin).
    :func:`advice` says it only when no other rule fired.
    """
    if _frame(kpis) is None or not comparable(ctx, ctx.quarter, ctx.quarter.previous):
        return None
    revenue, revenue_before = _kpi(kpis, "revenue", 0), _kpi(kpis, "revenue", 1)
    buyers, buyers_before = _kpi(kpis, "active_customers", 0), _kpi(kpis, "active_customers", 1)
    if not (revenue >= revenue_before and buyers >= buyers_before):  # NaN (unknown) never held up
        return None
    t = ctx.messages(DOMAIN)
    margin, margin_before = _kpi(kpis, "gross_margin", 0), _kpi(kpis, "gross_margin", 1)
    if pd.isna(margin) or pd.isna(margin_before):  # no cost of goods: nothing is said about the margin
        return t.gettext("Revenue and customers held up against last quarter: keep the current plan.")
    if _at_least(margin_before - margin, points):
        return None
    return t.gettext("Revenue, margin and customers held up against last quarter: keep the current plan.")


def advice(
    kpis,
    top,
    lapsed,
    ctx,
    limit: int = 3,
    margin_drop_points: float = 0.01,
    cost_to_serve_gap: float = 0.05,
    concentration_share: float = 0.5,
) -> list[str]:
    """At most ``limit`` actions, in the order of the rules above; when none fires, :func:`keep_the_plan` (when it fires).

    The thresholds are the rules' (``params/defaults.yaml``, section ``overview``).
    Nothing at all when the quarter's figures are unavailable.
    """
    fired = [
        call_lapsed_customers(lapsed, ctx),
        check_prices_when_margin_fell(kpis, ctx, points=margin_drop_points),
        review_cost_to_serve(kpis, ctx, gap=cost_to_serve_gap),
        watch_largest_customers(top, kpis, ctx, share=concentration_share),
    ]
    actions = [a for a in fired if a is not None][:limit]
    if not actions:
        actions = [a for a in (keep_the_plan(kpis, ctx, points=margin_drop_points),) if a is not None]
    return actions


def action_lists(ctx, lapsed, top=None) -> dict[str, pd.DataFrame]:
    """The whole lists behind :func:`call_lapsed_customers` and :func:`watch_largest_customers` for the action workbook
    (:func:`custlib.reports.actions.overview_lists`)."""
    return _actions.overview_lists(ctx, lapsed, top)
