"""What the development report says beyond its tables: headline figures, named advice rules and sentences.

Each advice rule is a small function with its condition in the docstring; it
returns the sentence in the report's language, or None when it does not apply.
:func:`advice` keeps the first three that fire (DOMAIN.md section 3).
A missing section (an :class:`~custlib.reports.sections.Unavailable`) fires no rule.
"""

from __future__ import annotations

import pandas as pd

from custlib.present.coverage import quarter_label
from custlib.present.development.labels import MODELS, value_label
from custlib.present.messages import N_

DOMAIN = "development"


def _have(frame) -> bool:
    return isinstance(frame, pd.DataFrame)


def _chosen(plan) -> pd.DataFrame | None:
    return plan.loc[plan["contact_customers"] > 0] if _have(plan) else None


def _last(kpis, col: str, back: int = 1) -> float:
    if not _have(kpis) or len(kpis) < back:
        return float("nan")
    return float(kpis[col].iloc[-back])


def headline_figures(kpis=None, watch=None, plan=None) -> pd.DataFrame:
    """The report's five headline figures (NaN where a section or last quarter's value is missing).

    1. revenue from existing customers this quarter, against last quarter (money, good: up);
    2. existing customers' share of revenue (pct, up); 3. new customers (count, up);
    4. customers on the watch list (count, down; made for this quarter only);
    5. expected profit of the campaign plan within the budget (money, up).

    kpis, watch, plan -> figure (English message), value, previous, unit, good.
    """
    nan = float("nan")
    chosen = _chosen(plan)
    rows = [
        (N_("Revenue from existing customers"), _last(kpis, "existing_revenue"), _last(kpis, "existing_revenue", 2), "money", "up"),
        (
            N_("Existing customers' share of revenue"),
            _last(kpis, "existing_share_revenue"),
            _last(kpis, "existing_share_revenue", 2),
            "pct",
            "up",
        ),
        (N_("New customers"), _last(kpis, "new_customers"), _last(kpis, "new_customers", 2), "count", "up"),
        (N_("Customers on the watch list"), float(len(watch)) if _have(watch) else nan, nan, "count", "down"),
        (
            N_("Expected profit of the campaign plan"),
            float(chosen["contact_profit_total"].sum()) if chosen is not None else nan,
            nan,
            "money",
            "up",
        ),
    ]
    return pd.DataFrame(rows, columns=["figure", "value", "previous", "unit", "good"])


# --------------------------------------------------------------------------- advice rules


def visit_watch_list(watch, ctx) -> str | None:
    """Fires when the watch list has customers: visit them, with the revenue a month they no longer buy."""
    if not _have(watch) or watch.empty:
        return None
    t, n = ctx.messages(DOMAIN), len(watch)
    lost = float((watch["trailing_avg_revenue"] - watch["recent_avg_revenue"]).clip(lower=0).sum())
    return t.ngettext(
        "Visit the {n} customer on the watch list before the relationship breaks: together they buy {lost} a month less than they used to.",
        "Visit the {n} customers on the watch list before the relationship breaks, from the top of the list: together they buy {lost} a month less than they used to.",
        n,
        n=ctx.fmt.integer(n),
        lost=ctx.fmt.money(lost),
    )


def run_campaign(plan, ctx) -> str | None:
    """Fires when the campaign plan contacts customers within the budget: run it, with its expected profit."""
    chosen = _chosen(plan)
    if chosen is None or chosen.empty:
        return None
    t, n = ctx.messages(DOMAIN), int(chosen["contact_customers"].sum())
    return t.ngettext(
        "Run the development campaign on the {n} customer the plan contacts within the budget: expected profit {profit}.",
        "Run the development campaign on the {n} customers the plan contacts within the budget: expected profit {profit}.",
        n,
        n=ctx.fmt.integer(n),
        profit=ctx.fmt.money(chosen["contact_profit_total"].sum()),
    )


def do_not_run_campaign(plan, ctx) -> str | None:
    """Fires when target groups were ranked but none is contacted: no group is expected to make a profit."""
    chosen = _chosen(plan)
    if chosen is None or len(chosen) or not plan["ranked"].fillna(False).astype(bool).any():
        return None
    return ctx.messages(DOMAIN).gettext(
        "Do not run the development campaign as planned: no target group is expected to make a profit from it."
    )


def move_to_acquisition(kpis, ctx) -> str | None:
    """Fires when development returned less profit than new customers brought this quarter (DOMAIN.md section 3)."""
    gap = _last(kpis, "dev_minus_new_profit")
    if pd.isna(gap) or gap >= 0:
        return None
    return ctx.messages(DOMAIN).gettext(
        "Development returned {gap} less profit than new customers brought this quarter: consider moving sales effort to winning new customers.",
        gap=ctx.fmt.money(-gap),
    )


def call_winback(winback, ctx) -> str | None:
    """Fires when there are lapsed customers worth winning back: call them, with the profit they brought."""
    if not _have(winback) or winback.empty:
        return None
    t, n = ctx.messages(DOMAIN), len(winback)
    return t.ngettext(
        "Call the {n} lapsed customer worth winning back: in their last active year they brought {profit} of profit.",
        "Call the {n} lapsed customers worth winning back: in their last active year they brought {profit} of profit.",
        n,
        n=ctx.fmt.integer(n),
        profit=ctx.fmt.money(winback["past_profit"].sum()),
    )


def keep_plan(kpis, watch, ctx) -> str | None:
    """Fires when the KPIs or the watch list are known (the caller checks that no other rule fired): keep the plan."""
    if not (_have(kpis) or _have(watch)):
        return None
    return ctx.messages(DOMAIN).gettext("No customer is slipping and no campaign or win-back call is due: keep the current plan.")


def advice(ctx, kpis=None, watch=None, plan=None, winback=None) -> list[str]:
    """The first three rules that fire, in order; :func:`keep_plan` when none does."""
    fired = [
        visit_watch_list(watch, ctx),
        run_campaign(plan, ctx),
        do_not_run_campaign(plan, ctx),
        move_to_acquisition(kpis, ctx),
        call_winback(winback, ctx),
    ]
    actions = [a for a in fired if a]
    if not actions:
        actions = [a for a in (keep_plan(kpis, watch, ctx),) if a]
    return actions[:3]


# --------------------------------------------------------------------------- sentences under a section


def campaign_sentences(plan: pd.DataFrame, ctx, budget: float | None = None, min_offers: int = 10) -> str:
    """Whom the campaign plan contacts within the budget, at what cost and for what profit; or why nobody."""
    if not _have(plan):
        return ""  # the table below says why
    t, f = ctx.messages(DOMAIN), ctx.fmt
    chosen = plan.loc[plan["contact_customers"] > 0]
    ranked = plan["ranked"].fillna(False).astype(bool)
    if len(chosen):
        n, groups = int(chosen["contact_customers"].sum()), len(chosen)
        in_groups = t.ngettext("in {n} target group", "in {n} target groups", groups, n=f.integer(groups))
        text = t.ngettext(
            "Within the budget of {budget} the plan contacts {n} customer {groups}: expected provision cost {cost}, expected profit {profit}.",
            "Within the budget of {budget} the plan contacts {n} customers {groups}: expected provision cost {cost}, expected profit {profit}.",
            n,
            n=f.integer(n),
            groups=in_groups,
            budget=f.money(budget),
            cost=f.money(chosen["contact_cost_total"].sum()),
            profit=f.money(chosen["contact_profit_total"].sum()),
        )
    elif ranked.any():
        text = t.gettext("No target group is expected to make a profit from this campaign: do not run it as planned.")
    else:
        text = t.gettext(
            "No target group has the {n} past offers needed to rank it: make more offers before planning a campaign.",
            n=f.integer(min_offers),
        )
    unranked = int((~ranked).sum())
    if unranked and ranked.any():
        more = t.ngettext(
            "{n} target group with fewer than {min_offers} past offers is shown but not ranked.",
            "{n} target groups with fewer than {min_offers} past offers are shown but not ranked.",
            unranked,
            n=f.integer(unranked),
            min_offers=f.integer(min_offers),
        )
        text = f"{text} {more}"
    return text


def forecast_sentence(forecast, ctx) -> str:
    """Which forecast model is shown, and whether it beat the seasonal-naive baseline in the backtest."""
    if not forecast:
        return ""  # the chart below says why
    t, f = ctx.messages(DOMAIN), ctx.fmt
    bt = forecast.backtest.set_index("model")
    naive = f.number(bt.loc["seasonal_naive", "mase"], 2)
    if forecast.beats_naive:
        return t.gettext(
            "{model} is shown: its backtest MASE {mase} beats the seasonal-naive baseline's {naive}.",
            model=value_label(forecast.chosen, MODELS, t),
            mase=f.number(bt.loc[forecast.chosen, "mase"], 2),
            naive=naive,
        )
    return t.gettext(
        "No model beat the seasonal-naive baseline in the backtest (MASE {naive}); the seasonal-naive forecast is shown.", naive=naive
    )


def kpi_sentences(kpis: pd.DataFrame, ctx) -> str:
    """The latest quarter of the KPIs: existing customers' revenue and its changes, the growth run, their share,
    and whether development (year-on-year profit growth of existing customers) returned more than acquisition."""
    if not _have(kpis) or kpis.empty:
        return ""  # the table below says why
    t, f = ctx.messages(DOMAIN), ctx.fmt
    r = kpis.iloc[-1]
    na = t.gettext("not comparable")
    qoq = na if pd.isna(r["existing_revenue_qoq_pct"]) else f.percent(r["existing_revenue_qoq_pct"], signed=True)
    yoy = na if pd.isna(r["existing_revenue_yoy_pct"]) else f.percent(r["existing_revenue_yoy_pct"], signed=True)
    parts = [
        t.gettext(
            "In {quarter} existing customers bought {revenue} ({qoq} on the previous quarter, {yoy} on a year earlier).",
            quarter=quarter_label(ctx, r["quarter"]),
            revenue=f.money(r["existing_revenue"]),
            qoq=qoq,
            yoy=yoy,
        )
    ]
    streak = int(r["yoy_growth_streak"])
    if pd.isna(r["existing_revenue_yoy_pct"]):
        pass  # no quarter a year earlier to compare with: neither growth nor its absence to report
    elif streak:
        parts.append(
            t.ngettext("{n} quarter of year-on-year growth is running.", "{n} quarters of year-on-year growth are running.", streak)
        )
    else:
        parts.append(t.gettext("There is no year-on-year growth this quarter."))
    if pd.notna(r["existing_share_revenue"]):
        parts.append(t.gettext("That is {share} of all revenue.", share=f.percent(r["existing_share_revenue"], digits=0)))
    gain, acq = float(r["existing_profit_yoy"]), float(r["new_profit"])
    if pd.isna(gain):
        parts.append(t.gettext("There is no quarter a year earlier to compare development with acquisition."))
    elif gain >= acq:
        parts.append(
            t.gettext(
                "Development changed profit by {gain} on a year earlier, against {new} earned from new customers: development returned more.",
                gain=f.money(gain, signed=True),
                new=f.money(acq),
            )
        )
    else:
        parts.append(
            t.gettext(
                "Development changed profit by {gain} on a year earlier, against {new} earned from new customers: acquisition returned more this quarter.",
                gain=f.money(gain, signed=True),
                new=f.money(acq),
            )
        )
    return " ".join(parts)


def purchase_model(life):
    """The fitted BG/NBD model of a lifetime value result, or None when the result is unavailable.

    The watch list and the win-back list then show no probability alive instead of going missing.
    """
    return getattr(life, "bgnbd", None) if life else None
