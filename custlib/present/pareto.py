"""Pareto diagnostics as a reader sees them: tables and charts in the report's language.

Views take a result of :mod:`custlib.analysis.pareto` and a report context and
return a :class:`~custlib.present.tables.TableView` (translated headers, codes as
labels, a number kind per column); charts draw on ``ax`` and return it. Every word
is a message of the ``pareto`` catalogue.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.analysis.pareto import NO_TIER, SHARE_MEASURES, WhaleSummary
from custlib.present.costs import on_cost
from custlib.present.coverage import comparable, quarter_label
from custlib.present.messages import N_
from custlib.present.style import PALETTE
from custlib.present.tables import TableView

DOMAIN = "pareto"
#: Chart colours: the report palette's.
COLOURS = {k: PALETTE[k] for k in ("cost_to_serve", "net_profit")}

#: Reasons a Pareto section is missing, by the analysis's InsufficientDataError code.
REASONS = {
    "too_few_customers": N_("Concentration needs at least {needed} customers; there are {found}."),
    "all_zero": N_("Every value is zero: there is nothing to measure the concentration of."),
    "total_not_positive": N_("The total is not positive: shares of it are undefined."),
    "no_orders_in_period": N_("There are no orders between {start} and {end}."),
    "no_orders_in_quarter": N_("The region has no orders in {quarter} ({start} to {end}); the last order before it was on {last}."),
    "no_orders_yet": N_("The region has no orders in {quarter} ({start} to {end}), and none before it."),
    "one_customer": N_("This region has one customer; concentration figures need at least two."),
    "one_buyer": N_("Only one of the region's {customers} customers bought this quarter; concentration figures need at least two."),
    "loss_making_region": N_(
        "Total net profit is not positive: the region is a cost centre this quarter and shares of its profit are undefined."
    ),
    "no_service_costs": N_("There are no cost-to-serve data for the quarter: the resources spent on each tier are unknown."),
    "too_few_buyers_to_tier": N_("Revenue tiers need at least two customers with orders between {start} and {end}; there are {found}."),
    "no_orders": N_("There are no orders: concentration over time needs orders."),
    "never_two_customers": N_(
        "The region never had two or more customers with orders in one quarter; concentration over time needs at least two."
    ),
}

MEASURES = {"revenue": N_("Revenue"), "gross_profit": N_("Gross profit"), "net_profit": N_("Net profit")}
TREND_MEASURES = {
    "gini_revenue": N_("Gini coefficient of revenue"),
    "top20_share_revenue": N_("Revenue share of the top 20% of customers"),
    "gini_gross_profit": N_("Gini coefficient of gross profit"),
}
TIER_LABELS = {"A": N_("A"), "B": N_("B"), "C": N_("C"), "all": N_("All"), NO_TIER: N_("No orders")}
MOVE_LABELS = {"up": N_("Up"), "down": N_("Down"), "same": N_("Same"), "entered": N_("Entered"), "left": N_("Left")}


def _share_text(ctx, fraction: float) -> str:
    """``0.2`` -> ``20%``; ``0.005`` -> ``0.5%``."""
    whole = abs(fraction * 100 - round(fraction * 100)) < 1e-9
    return ctx.fmt.percent(fraction, digits=0 if whole else 1)


def _caption_if_gross(result, ctx) -> str | None:
    """A caption saying net profit is gross profit, when the data had no cost to serve."""
    if result.attrs.get("net_profit_includes_cost_to_serve", True):
        return None
    return ctx.messages(DOMAIN).gettext("No cost-to-serve data for this quarter: net profit here is gross profit.")


# --------------------------------------------------------------------------- tables


@on_cost
def concentration_view(result: pd.DataFrame, ctx, ci: float | None = None) -> TableView:
    """Revenue, gross and net profit concentration side by side (:func:`~custlib.analysis.pareto.concentration_table`).

    The customers measured (those who ordered) are counted in the caption; their totals are left out, since the
    region's totals (in the overview and the tier table below) also hold customers served without ordering. The
    note codes are left out; the Gini's interval (when computed) is one "low–high" column, ``ci`` naming its level.
    """
    t = ctx.messages(DOMAIN)
    measure, below = t.gettext("Measure"), t.gettext("Customers below zero")
    frame = pd.DataFrame({measure: [t.label(m, MEASURES) for m in result["measure"]]})
    frame[below] = result["negative_customers"].to_numpy()
    kinds = {measure: "text", below: "integer"}
    for col in result.attrs.get("share_columns", ()):
        pct = _share_text(ctx, float(col.rsplit("_", 1)[-1].removesuffix("pct")) / 100)
        if col.startswith("top_"):
            name = t.gettext("Top {share} of customers", share=pct)
        else:
            name = t.gettext("Customers making {share}", share=pct)
        frame[name] = result[col].to_numpy()
        kinds[name] = "percent"
    gini = t.gettext("Gini coefficient")
    frame[gini] = result["gini"].to_numpy()
    kinds[gini] = "ratio"
    if {"gini_low", "gini_high"} <= set(result.columns):
        name = t.gettext("Gini {level} interval", level=_share_text(ctx, ci or 0.95))
        frame[name] = [_interval(ctx, lo, hi) for lo, hi in zip(result["gini_low"], result["gini_high"], strict=True)]
        kinds[name] = "text"
    n = int(result["customers"].iloc[0]) if len(result) else 0
    counted = t.ngettext(
        "Over the {n} customer who ordered in {quarter}.",
        "Over the {n} customers who ordered in {quarter}.",
        n,
        n=ctx.fmt.integer(n),
        quarter=str(ctx.quarter),
    )
    gross = _caption_if_gross(result, ctx)
    return TableView(frame, kinds, caption=f"{counted} {gross}" if gross else counted)


def _interval(ctx, low, high) -> str:
    if pd.isna(low) or pd.isna(high):
        return "–"
    return ctx.fmt.ratio(low) + "–" + ("∞" if np.isinf(high) else ctx.fmt.ratio(high))


@on_cost
def whale_by_tier_view(result: WhaleSummary, ctx) -> TableView:
    """Loss-making customers per revenue tier (:attr:`~custlib.analysis.pareto.WhaleSummary.by_tier`)."""
    t = ctx.messages(DOMAIN)
    by = result.by_tier
    cols = {
        "tier": (t.gettext("Revenue tier"), "text"),
        "customers": (t.gettext("Customers"), "integer"),
        "revenue": (t.gettext("Revenue"), "money"),
        "revenue_share": (t.gettext("Share of revenue"), "percent"),
        "net_profit": (t.gettext("Net profit"), "money"),
        "net_profit_share": (t.gettext("Share of net profit"), "percent"),
        "destroyers": (t.gettext("Loss-making customers"), "integer"),
        "destroyer_rate": (t.gettext("Loss-making share"), "percent"),
        "destroyer_loss": (t.gettext("Their combined loss"), "money"),
    }
    frame = by[list(cols)].assign(tier=[t.label(x, TIER_LABELS) for x in by["tier"]])
    frame = frame.rename(columns={k: v[0] for k, v in cols.items()})
    caption = None if result.cost_to_serve_known else t.gettext("No cost-to-serve data for this quarter: net profit here is gross profit.")
    return TableView(frame, {v[0]: v[1] for v in cols.values()}, caption=caption)


@on_cost
def allocation_view(result: pd.DataFrame, ctx, lag_quarters: int = 4) -> TableView:
    """Cost to serve against net profit and growth per tier (:func:`~custlib.analysis.pareto.tier_allocation`).

    ``lag_quarters`` names the comparison quarter of the growth column (the report
    quarter shifted back by it).
    """
    t = ctx.messages(DOMAIN)
    base = ctx.quarter.shift(-int(lag_quarters))
    cols = {
        "tier": (t.gettext("Revenue tier"), "text"),
        "customers": (t.gettext("Customers"), "integer"),
        "revenue_share": (t.gettext("Share of revenue"), "percent"),
        "cost_to_serve": (t.gettext("Cost to serve"), "money"),
        "cost_to_serve_share": (t.gettext("Share of cost to serve"), "percent"),
        "cost_to_serve_per_revenue": (t.gettext("Cost to serve / revenue"), "percent"),
        "net_profit": (t.gettext("Net profit"), "money"),
        "net_profit_share": (t.gettext("Share of net profit"), "percent"),
        "net_profit_per_cost_to_serve": (t.gettext("Net profit per 1 of cost to serve"), "ratio"),
        "revenue_growth": (t.gettext("Revenue growth vs {quarter}", quarter=str(base)), "percent"),
    }
    frame = result[list(cols)].assign(tier=[t.label(x, TIER_LABELS) for x in result["tier"]])
    frame = frame.rename(columns={k: v[0] for k, v in cols.items()})
    caption = None
    if not comparable(ctx, ctx.quarter, base):  # a comparison quarter without data, or a partial one: no growth to show
        frame[cols["revenue_growth"][0]] = float("nan")
        caption = t.gettext(
            "The data do not cover both {quarter} and {base} whole: revenue growth between them cannot be shown.",
            quarter=quarter_label(ctx, ctx.quarter),
            base=quarter_label(ctx, base),
        )
    elif not (result["base_revenue"] > 0).any():
        caption = t.gettext("No orders in {quarter}, the comparison quarter: revenue growth cannot be shown.", quarter=str(base))
    return TableView(frame, {v[0]: v[1] for v in cols.values()}, caption=caption)


def migration_view(result: pd.DataFrame, ctx) -> TableView:
    """Moves between revenue tiers since the previous quarter (:func:`~custlib.analysis.pareto.tier_migration`), empty moves left out."""
    t = ctx.messages(DOMAIN)
    prev, now = ctx.quarter.previous, ctx.quarter
    moved = result[result["customers"] > 0]
    cols = {
        "from_tier": (t.gettext("Tier in {quarter}", quarter=str(prev)), "text"),
        "to_tier": (t.gettext("Tier in {quarter}", quarter=str(now)), "text"),
        "move": (t.gettext("Move"), "text"),
        "customers": (t.gettext("Customers"), "integer"),
        "revenue_before": (t.gettext("Revenue {quarter}", quarter=str(prev)), "money"),
        "revenue_after": (t.gettext("Revenue {quarter}", quarter=str(now)), "money"),
        "revenue_change": (t.gettext("Change in revenue"), "money"),
    }
    frame = moved[list(cols)].assign(
        from_tier=[t.label(x, TIER_LABELS) for x in moved["from_tier"]],
        to_tier=[t.label(x, TIER_LABELS) for x in moved["to_tier"]],
        move=[t.label(x, MOVE_LABELS) for x in moved["move"]],
    )
    frame = frame.rename(columns={k: v[0] for k, v in cols.items()}).reset_index(drop=True)
    return TableView(frame, {v[0]: v[1] for v in cols.values()})


# --------------------------------------------------------------------------- charts


@on_cost
def whale_chart(result: pd.DataFrame, ctx, ax=None, *, color: str = PALETTE["net_profit"]):
    """The whale curve (:func:`~custlib.analysis.pareto.whale_curve`) with its peak and the 100% line."""
    import matplotlib.pyplot as plt

    t = ctx.messages(DOMAIN)
    if ax is None:
        _, ax = plt.subplots()
    x = np.concatenate([[0.0], result["cum_share_customers"].to_numpy()])
    y = np.concatenate([[0.0], result["cum_share_profit"].to_numpy()])
    ax.plot(x, y, color=color, linewidth=2, label=t.gettext("Cumulative net profit"))
    ax.axhline(1.0, color="grey", linestyle="--", linewidth=1, label=t.gettext("Total net profit"))
    k = int(result["cum_profit"].to_numpy().argmax()) + 1
    ax.scatter([x[k]], [y[k]], color=color, zorder=3)
    right = x[k] > 0.55  # keep the label inside the axes
    peak = t.gettext(
        "Peak {peak} at {customers} of customers", peak=ctx.fmt.percent(y[k], digits=0), customers=ctx.fmt.percent(x[k], digits=0)
    )
    ax.annotate(peak, (x[k], y[k]), textcoords="offset points", xytext=(-8, 8) if right else (8, 8), ha="right" if right else "left")
    ax.set_xlim(0, 1)
    ax.set_ylim(min(0.0, y.min()) - 0.05, max(1.1, y.max() * 1.12))
    ax.xaxis.set_major_formatter(ctx.fmt.axis("percent"))
    ax.yaxis.set_major_formatter(ctx.fmt.axis("percent"))
    ax.set_xlabel(t.gettext("Customers ranked by net profit (share of customers)"))
    ax.set_ylabel(t.gettext("Cumulative net profit (share of total)"))
    ax.set_title(t.gettext("Whale curve"))
    ax.legend(loc="lower right")
    note = _caption_if_gross(result, ctx)
    if note:
        ax.annotate(note, xy=(0.0, -0.2), xycoords="axes fraction", fontsize=8, color="grey")
    return ax


def concentration_trend_chart(result: pd.DataFrame, ctx, ax=None, *, color: str = PALETTE["revenue"]):
    """This region's concentration per quarter against the other regions' range and median (:func:`~custlib.analysis.pareto.concentration_trend`)."""
    import matplotlib.pyplot as plt

    t = ctx.messages(DOMAIN)
    if ax is None:
        _, ax = plt.subplots()
    pos = np.arange(len(result))
    low, high = result["peer_min"].astype("float64"), result["peer_max"].astype("float64")
    ax.fill_between(pos, low, high, color="grey", alpha=0.2, label=t.gettext("Other regions (range)"))
    ax.plot(pos, result["peer_median"], color="grey", linestyle="--", label=t.gettext("Peer regions (median)"))
    ax.plot(pos, result["this_region"], color=color, marker="o", linewidth=2, label=t.gettext("This region"))
    ax.set_xticks(pos, [quarter_label(ctx, q) for q in result["quarter"]], rotation=45, ha="right")  # "2010Q4 (partial)"
    measure = str(result.attrs.get("measure", ""))
    ax.set_ylabel(t.label(measure, TREND_MEASURES))
    ax.yaxis.set_major_formatter(ctx.fmt.axis("percent" if measure in SHARE_MEASURES else "ratio"))
    ax.set_title(t.gettext("Concentration by quarter: this region and the others"))
    ax.set_xlabel(t.gettext("Quarter"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)  # beside the axes, never over the lines
    return ax


@on_cost
def allocation_chart(result: pd.DataFrame, ctx, ax=None):
    """Cost to serve and net profit per revenue tier, side by side (:func:`~custlib.analysis.pareto.tier_allocation`).

    Money on the axis: a tier that takes much of the cost to serve and earns little
    net profit stands out.
    """
    import matplotlib.pyplot as plt

    t = ctx.messages(DOMAIN)
    if ax is None:
        _, ax = plt.subplots()
    tiers = result[result["tier"] != "all"]
    pos = np.arange(len(tiers))
    ax.bar(pos - 0.2, tiers["cost_to_serve"], width=0.4, color=COLOURS["cost_to_serve"], label=t.gettext("Cost to serve"))
    ax.bar(pos + 0.2, tiers["net_profit"], width=0.4, color=COLOURS["net_profit"], label=t.gettext("Net profit"))
    ax.axhline(0, color="grey", linewidth=1)
    ax.set_xticks(pos, [t.label(x, TIER_LABELS) for x in tiers["tier"]])
    ax.yaxis.set_major_formatter(ctx.fmt.axis("money"))
    ax.set_xlabel(t.gettext("Revenue tier"))
    ax.set_ylabel(t.gettext("Amount"))
    ax.set_title(t.gettext("Cost to serve and net profit by revenue tier"))
    ax.legend(loc="best")
    return ax
