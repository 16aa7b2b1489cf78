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
from custlib.reports import actions as _actions

DOMAIN = "development"


def _have(frame) -> bool:
    return isinstance(frame, pd.DataFrame)


def _chosen(plan) -> pd.DataFrame | None:
    return plan.loc[plan["contact_customers"] > 0] if _have(plan) else None


def _last(kpis, col: str, back: int = 1) -> float:
    if not _have(kpis) or len(kpis) < back:
        return float("nan")
    return float(kpis[col].iloc[-back])


def headline_figures(kpis=None, watch=None, plan=None, forecast=None) -> pd.DataFrame:
    """The report's headline figures (NaN where a section or last quarter's value is missing).

    1. revenue from existing customers this quarter, against last quarter (money, good: up);
    2. existing customers' share of revenue (pct, up); 3. new customers (count, up);
    4. customers on the watch list (count, down; made for this quarter only);
    5. expected profit of the campaign plan within the budget (money, up);
    6. with ``forecast`` (a :class:`~custlib.analysis.development.RevenueForecast`): the region's revenue
       forecast for next quarter with its prediction interval (``lower``, ``upper``, ``level``), the figure
       the forecast section's sentence gives (:func:`next_quarter_forecast`).

    kpis, watch, plan, forecast -> figure (English message), value, previous, unit, good, lower, upper, level.
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
    frame = pd.DataFrame(rows, columns=["figure", "value", "previous", "unit", "good"]).assign(lower=nan, upper=nan, level=nan)
    if forecast is None:
        return frame
    nxt = _next_quarter(forecast)
    row = {"figure": N_("Revenue forecast for next quarter"), "value": nan, "previous": nan, "unit": "money", "good": "up"}
    if nxt is not None:
        row |= {"value": nxt["mean"], "lower": nxt["lower"], "upper": nxt["upper"], "level": forecast.level}
    return pd.concat([frame, pd.DataFrame([row])], ignore_index=True)


def _next_quarter(forecast) -> dict | None:
    """The forecast's next whole quarter, or None when the forecast is unavailable or its horizon is under 3 months."""
    return getattr(forecast, "next_quarter", None) if forecast else None


# --------------------------------------------------------------------------- advice rules


def visit_watch_list(watch, ctx) -> str | None:
    """Fires when ``watch`` (:func:`~custlib.analysis.development.watch_list`, the early warnings of
    ``development.early_warning``) has at least one row: visit them, with their count and the revenue a month they no
    longer buy, ``sum(max(trailing_avg_revenue - recent_avg_revenue, 0))``. Silent on an empty or unavailable list."""
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
    """Fires when the campaign plan (:func:`~custlib.analysis.development.campaign_plan` within
    ``development.campaign.budget``) contacts at least one customer (``contact_customers > 0`` in some target group):
    run it, with the customers contacted (``sum(contact_customers)``) and the expected profit
    (``sum(contact_profit_total)``) of those groups. Silent when the plan is unavailable or contacts nobody."""
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
    """Fires when the plan was computed, at least one target group was ranked (``ranked``: it has
    ``development.campaign.min_offers`` past offers) and no group is contacted (every ``contact_customers`` is 0): no
    ranked group is expected to make a profit. Silent when some group is contacted (:func:`run_campaign`), when no
    group could be ranked (too few past offers: nothing to advise against) and when the plan is unavailable."""
    chosen = _chosen(plan)
    if chosen is None or len(chosen) or not plan["ranked"].fillna(False).astype(bool).any():
        return None
    return ctx.messages(DOMAIN).gettext(
        "Do not run the development campaign as planned: no target group is expected to make a profit from it."
    )


def move_to_acquisition(kpis, ctx) -> str | None:
    """Development against acquisition, like for like (DOMAIN.md section 3: "if development returns less than acquisition,
    move resources to acquisition").

    Both sides are changes in profit over the same year, from the quarter a year earlier (the base) to this one
    (:func:`~custlib.analysis.development.development_and_acquisition`; together they are the change of the region's
    profit): development, the change of the customers who had ordered by the base; acquisition, the change of all
    others, the customers won since. Fires when all hold:

    1. the base quarter is in the data and the cost of goods is known (both gains are numbers);
    2. at least one customer was won since the base (``acquired_customers >= 1``): with none there is no acquisition
       to move effort to;
    3. acquisition added profit (``acquisition_gain > 0``);
    4. acquisition added more than development (``acquisition_gain > development_gain``).
    """
    dev, acq, won = _last(kpis, "development_gain"), _last(kpis, "acquisition_gain"), _last(kpis, "acquired_customers")
    if pd.isna(dev) or pd.isna(acq) or pd.isna(won) or won < 1 or not acq > 0 or not acq > dev:
        return None
    n = int(won)
    return ctx.messages(DOMAIN).ngettext(
        "Against {base}, the {n} customer won since then added {acquisition} of profit this quarter while the customers of "
        "{base} changed theirs by {development}: acquisition returned more, so consider moving sales effort to winning new customers.",
        "Against {base}, the {n} customers won since then added {acquisition} of profit this quarter while the customers of "
        "{base} changed theirs by {development}: acquisition returned more, so consider moving sales effort to winning new customers.",
        n,
        n=ctx.fmt.integer(n),
        base=str(pd.Period(str(kpis["quarter"].iloc[-1]), freq="Q") - 4),
        acquisition=ctx.fmt.money(acq),
        development=ctx.fmt.money(dev, signed=True),
    )


def call_winback(winback, ctx) -> str | None:
    """Fires when ``winback`` (:func:`~custlib.analysis.development.winback_candidates`: customers without an order in
    the last ``development.winback.lapsed_quarters`` quarters whose profit in the ``development.winback.value_quarters``
    quarters up to their last order reaches the ``value_quantile`` of current customers') has at least one row: call
    them, with their count and that profit (``sum(past_profit)``). Silent on an empty or unavailable list."""
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


def keep_plan(watch, plan, winback, ctx) -> str | None:
    """Fires when everything the sentence speaks about was computed and asks for nothing: the watch list is empty
    (nobody slipping), the campaign plan contacts nobody (no campaign due) and the win-back list is empty (no call
    due). Silent when any of the three is unavailable (e.g. a watch list that needs more history, a plan without an
    offers table, a win-back list without the cost of goods): "no customer is slipping" is then unknown, not true.
    :func:`advice` says it only when no other rule fired.
    """
    chosen = _chosen(plan)
    if not (_have(watch) and _have(winback) and chosen is not None) or len(watch) or len(winback) or len(chosen):
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
        actions = [a for a in (keep_plan(watch, plan, winback, ctx),) if a]
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
    """Which forecast model is shown, and whether it beat the seasonal-naive baseline in the backtest; then the
    next quarter's forecast (:func:`next_quarter_forecast`), the figure the executive summary shows."""
    if not forecast:
        return ""  # the chart below says why
    t, f = ctx.messages(DOMAIN), ctx.fmt
    bt = forecast.backtest.set_index("model")
    naive = f.number(bt.loc["seasonal_naive", "mase"], 2)
    if forecast.beats_naive:
        text = t.gettext(
            "{model} is shown: its backtest MASE {mase} beats the seasonal-naive baseline's {naive}.",
            model=value_label(forecast.chosen, MODELS, t),
            mase=f.number(bt.loc[forecast.chosen, "mase"], 2),
            naive=naive,
        )
    else:
        text = t.gettext(
            "No model beat the seasonal-naive baseline in the backtest (MASE {naive}); the seasonal-naive forecast is shown.", naive=naive
        )
    nxt = next_quarter_forecast(forecast, ctx)
    return f"{text} {nxt}" if nxt else text


def next_quarter_forecast(forecast, ctx) -> str | None:
    """Fires when the forecast was computed and covers the whole next quarter (``development.forecast.horizon`` of 3
    months or more): the quarter's revenue forecast with its prediction interval (``level``), the sum of the chart's
    first three months. Silent when the forecast is unavailable or its horizon is under a quarter."""
    nxt = _next_quarter(forecast)
    if nxt is None:
        return None
    f = ctx.fmt
    return ctx.messages(DOMAIN).gettext(
        "Next quarter ({quarter}) the region's revenue is forecast at {mean} ({level} prediction interval {lower} to {upper}).",
        quarter=nxt["quarter"],
        mean=f.money(nxt["mean"]),
        level=f.percent(forecast.level, digits=0),
        lower=f.money(nxt["lower"]),
        upper=f.money(nxt["upper"]),
    )


def kpi_sentences(kpis: pd.DataFrame, ctx) -> str:
    """The latest quarter of the KPIs: existing customers' revenue and its changes, the growth run, their share,
    and whether development or acquisition added more profit over the year (like for like, :func:`move_to_acquisition`)."""
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
    parts.append(_development_against_acquisition(r, t, f))
    return " ".join(parts)


def _development_against_acquisition(r, t, f) -> str:
    """The sentence on development against acquisition of one KPI row (like for like over the year to its quarter)."""
    dev, acq, won = float(r["development_gain"]), float(r["acquisition_gain"]), r["acquired_customers"]
    base = str(pd.Period(str(r["quarter"]), freq="Q") - 4)
    if pd.isna(dev) or pd.isna(acq) or pd.isna(won):
        return t.gettext("There is no quarter a year earlier to compare development with acquisition.")
    fields = {"base": base, "development": f.money(dev, signed=True), "acquisition": f.money(acq, signed=True)}
    if int(won) == 0:
        return t.gettext(
            "No customer was won since {base}, so there is no acquisition to compare development with: the customers of {base} "
            "changed their profit by {development}.",
            **fields,
        )
    n, fields = int(won), {**fields, "n": f.integer(int(won))}
    if dev >= acq:
        return t.ngettext(
            "Against {base}, the customers of {base} changed their profit by {development} and the {n} customer won since then by "
            "{acquisition}: development returned more.",
            "Against {base}, the customers of {base} changed their profit by {development} and the {n} customers won since then by "
            "{acquisition}: development returned more.",
            n,
            **fields,
        )
    return t.ngettext(
        "Against {base}, the customers of {base} changed their profit by {development} and the {n} customer won since then by "
        "{acquisition}: acquisition returned more this quarter.",
        "Against {base}, the customers of {base} changed their profit by {development} and the {n} customers won since then by "
        "{acquisition}: acquisition returned more this quarter.",
        n,
        **fields,
    )


def purchase_model(life):
    """The fitted BG/NBD model of a lifetime value result, or None when the result is unavailable.

    The watch list and the win-back list then show no probability alive instead of going missing.
    """
    return getattr(life, "bgnbd", None) if life else None


def action_lists(ctx, *, watch, winback, targets, next_best) -> dict[str, pd.DataFrame]:
    """The whole lists behind :func:`visit_watch_list`, :func:`call_winback` and :func:`run_campaign` (``targets``:
    :func:`~custlib.analysis.development.campaign_targets` of the plan), with each customer's next best product, for the
    action workbook (:func:`custlib.reports.actions.development_lists`)."""
    return _actions.development_lists(ctx, watch=watch, winback=winback, targets=targets, next_best=next_best)
