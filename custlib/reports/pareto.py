"""The Pareto report beyond its sections: headline figures and the advice they lead to.

Each piece of advice is a named rule: a small function whose docstring states its
condition, returning the sentence in the report's language or None. :func:`advice`
keeps the first three that fire, in the order it lists them; :func:`keep_the_allocation`
only when none did.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.analysis.pareto import buyers_only, loss_figures, net_is_gross, served_without_orders
from custlib.present.coverage import comparable
from custlib.present.messages import N_
from custlib.reports import actions as _actions

DOMAIN = "pareto"
NOTEBOOK = "02_diagnose_pareto"

#: Labels of the headline figures (``ctx.summary`` translates them); the shares are the default 80%.
FIGURES = {
    "rev_x": N_("Customers making 80% of revenue"),
    "net_x": N_("Customers making 80% of net profit"),
    "gross_x": N_("Customers making 80% of gross profit"),
    "destroyers": N_("Customers losing money"),
    "loss": N_("Loss of the loss-making customers"),
    "in_a": N_("Tier A customers losing money"),
}
#: The same figures when the ``share`` parameter is not 80%.
FIGURES_OTHER_SHARE = {
    "rev_x": N_("Customers making the chosen share of revenue"),
    "net_x": N_("Customers making the chosen share of net profit"),
    "gross_x": N_("Customers making the chosen share of gross profit"),
}


def _frame(x) -> pd.DataFrame | None:
    """``x`` if it is a computed table, None if the step was unavailable."""
    return x if isinstance(x, pd.DataFrame) else None


def headline_figures(profit, previous_profit=None, *, share: float = 0.8, cutoffs=(0.8, 0.95)) -> pd.DataFrame:
    """The Pareto report's five headline figures, this quarter against the previous one.

    1. the share of customers making ``share`` of revenue (good: up, less dependence on a few names);
    2. the same for net profit (gross profit without cost-to-serve data; good: up);
    3. customers losing money (net profit < 0; good: down);
    4. their combined loss (good: down);
    5. of them, customers in revenue tier A, the cost customers (good: down).

    Last quarter's profit figures are left out (NaN) when only one of the two quarters
    has cost-to-serve data, so that net profit is never compared with gross profit.

    Parameters
    ----------
    profit, previous_profit : DataFrame, or an unavailable step
        :func:`~custlib.analysis.pareto.quarter_profit` (or ``quarter_profitability``) of the quarter and of the one before.
    share : float
    cutoffs : (float, float)

    Returns
    -------
    DataFrame
        figure (an English message of the ``pareto`` domain), value, previous, unit, good, on_cost
        (True for the figures built on the cost of goods). Customers who only returned goods are
        not buyers and never loss-makers (:func:`~custlib.analysis.pareto.customer_status`).
    """
    profit, previous_profit = _frame(profit), _frame(previous_profit)
    now = loss_figures(profit, share=share, cutoffs=cutoffs)
    before = loss_figures(previous_profit, share=share, cutoffs=cutoffs)
    gross = profit is not None and net_is_gross(profit)
    if previous_profit is not None and net_is_gross(previous_profit) != gross:
        before = {k: (v if k == "rev_x" else np.nan) for k, v in before.items()}
    labels = FIGURES if abs(share - 0.8) < 1e-9 else {**FIGURES, **FIGURES_OTHER_SHARE}
    rows = [
        (labels["rev_x"], now["rev_x"], before["rev_x"], "pct", "up"),
        (labels["gross_x" if gross else "net_x"], now["net_x"], before["net_x"], "pct", "up"),
        (labels["destroyers"], now["destroyers"], before["destroyers"], "count", "down"),
        (labels["loss"], now["loss"], before["loss"], "money", "down"),
        (labels["in_a"], now["in_a"], before["in_a"], "count", "down"),
    ]
    out = pd.DataFrame(rows, columns=["figure", "value", "previous", "unit", "good"])
    return out.assign(on_cost=[False, True, True, True, True])  # built on the cost of goods: the summary says its basis


# --------------------------------------------------------------------------- advice rules


def review_tier_a_loss_makers(profit, ctx, cutoffs=(0.8, 0.95)) -> str | None:
    """When customers of revenue tier A lose money: review their terms before chasing more of their volume.

    Fires when :func:`~custlib.analysis.pareto.loss_figures` counts at least one loss-maker in tier A (``in_a > 0``):
    a customer who ordered, in ABC class A on ``abc.cutoffs``, with net profit below zero (gross profit, "sold below
    cost", without cost-to-serve data). Customers who only returned goods, or more than they bought, are never
    loss-makers. Silent with fewer than two buyers or without the cost of goods.
    """
    profit = _frame(profit)
    v = loss_figures(profit, cutoffs=cutoffs)
    if not v["in_a"] > 0:
        return None
    t, n = ctx.messages(DOMAIN), int(v["in_a"])
    fields = {"n": ctx.fmt.integer(n), "loss": ctx.fmt.money(v["loss_a"])}
    if net_is_gross(profit):
        return t.ngettext(
            "Review prices, payment terms and service levels of the {n} customer in tier A sold below cost "
            "({loss} in total) before chasing more of their volume.",
            "Review prices, payment terms and service levels of the {n} customers in tier A sold below cost "
            "({loss} in total) before chasing more of their volume.",
            n,
            **fields,
        )
    return t.ngettext(
        "Review prices, payment terms and service levels of the {n} customer in tier A who loses money after cost to serve "
        "({loss} in total) before chasing more of their volume.",
        "Review prices, payment terms and service levels of the {n} customers in tier A who lose money after cost to serve "
        "({loss} in total) before chasing more of their volume.",
        n,
        **fields,
    )


def cut_cost_to_serve_in_b_and_c(profit, ctx, cutoffs=(0.8, 0.95)) -> str | None:
    """When customers of tiers B and C lose money: cut their cost to serve (check their prices without cost-to-serve data).

    Fires when :func:`~custlib.analysis.pareto.loss_figures` counts more loss-makers (``destroyers``) than loss-makers
    in tier A (``in_a``), tiers on ``abc.cutoffs``; the loss said is theirs (``loss - loss_a``). Customers who only
    returned goods are never loss-makers. Silent when the tiers or the losses are unknown (fewer than two buyers, no
    cost of goods, no buyer with positive revenue).
    """
    profit = _frame(profit)
    v = loss_figures(profit, cutoffs=cutoffs)
    others = v["destroyers"] - v["in_a"]  # NaN when the tiers are unknown: no "tiers B and C" to speak of
    if not others > 0:
        return None
    t, n = ctx.messages(DOMAIN), int(others)
    fields = {"n": ctx.fmt.integer(n), "loss": ctx.fmt.money(v["loss"] - v["loss_a"])}
    if net_is_gross(profit):
        return t.ngettext(
            "Check the prices of the {n} customer in tiers B and C sold below cost ({loss} in total).",
            "Check the prices of the {n} customers in tiers B and C sold below cost ({loss} in total).",
            n,
            **fields,
        )
    return t.ngettext(
        "Cut the cost to serve of the {n} customer in tiers B and C who loses money ({loss} in total): "
        "fewer visits, pooled deliveries or minimum order sizes.",
        "Cut the cost to serve of the {n} customers in tiers B and C who lose money ({loss} in total): "
        "fewer visits, pooled deliveries or minimum order sizes.",
        n,
        **fields,
    )


def serve_less_without_orders(profit, ctx) -> str | None:
    """When customers cost money to serve this quarter without ordering: win an order from them or serve them less.

    Fires when ``profit`` (:func:`~custlib.analysis.pareto.quarter_profit`) has customers who did not order
    (``is_buyer`` False) and did not only return goods (``returns_only`` False) with a cost to serve above zero.
    Silent without cost-to-serve data (net profit is then gross profit) and without an ``is_buyer`` column.
    """
    profit = _frame(profit)
    if profit is None:
        return None
    served = served_without_orders(profit)
    n = int(served.sum())
    if not n:
        return None
    return ctx.messages(DOMAIN).ngettext(
        "{n} customer cost {cost} to serve this quarter without ordering: visit it for an order or serve it less.",
        "{n} customers cost {cost} to serve this quarter without ordering: visit them for an order or serve them less.",
        n,
        n=ctx.fmt.integer(n),
        cost=ctx.fmt.money(float(profit.loc[served, "cost_to_serve"].sum())),
    )


def move_effort_to_b_and_c(allocation, ctx, lag_quarters: int = 4) -> str | None:
    """When tier A takes a larger share of the cost to serve than of net profit while tiers B and C grow faster than A.

    Fires when, in ``allocation`` (:func:`~custlib.analysis.pareto.tier_allocation` against the quarter
    ``lag_quarters`` = ``pareto.growth_lag_quarters`` earlier), tier A's ``cost_to_serve_share`` exceeds its
    ``net_profit_share`` and the revenue of tiers B and C together grew more than tier A's
    (``sum(revenue) / sum(base_revenue) - 1`` of B and C > A's ``revenue_growth``). Silent when a growth or a share is
    undefined (no base revenue, total net profit not positive), when the allocation is unavailable, and when the data
    does not cover both this quarter and the base quarter whole (growth against part of a quarter is no change).
    """
    allocation = _frame(allocation)
    if allocation is None or not comparable(ctx, ctx.quarter, ctx.quarter.shift(-int(lag_quarters))):
        return None
    a = allocation.set_index("tier")
    bc_base = float(a.loc[["B", "C"], "base_revenue"].sum())
    g_bc = float(a.loc[["B", "C"], "revenue"].sum()) / bc_base - 1 if bc_base > 0 else np.nan
    g_a = float(a.loc["A", "revenue_growth"])
    cts_a, np_a = float(a.loc["A", "cost_to_serve_share"]), float(a.loc["A", "net_profit_share"])
    if not (g_bc > g_a and cts_a > np_a):
        return None
    f = ctx.fmt
    return ctx.messages(DOMAIN).gettext(
        "Tier A takes {cost_share} of the cost to serve but earns {profit_share} of net profit, while revenue in tiers B and C "
        "changed {growth_bc} against {quarter} (tier A: {growth_a}): move sales effort towards B and C.",
        cost_share=f.percent(cts_a, digits=0),
        profit_share=f.percent(np_a, digits=0),
        growth_bc=f.percent(g_bc, digits=0, signed=True),
        growth_a=f.percent(g_a, digits=0, signed=True),
        quarter=str(ctx.quarter.shift(-int(lag_quarters))),
    )


def ask_customers_who_moved_down(migration, ctx) -> str | None:
    """When customers moved down a revenue tier since the previous quarter: ask them what changed.

    Fires when ``migration`` (:func:`~custlib.analysis.pareto.quarter_tier_migration`, tiers on ``abc.cutoffs``) has
    customers with ``move == "down"`` (A to B or C, B to C); the count said is their sum. Silent when nobody moved
    down and when the migration is unavailable (last quarter not in the data whole).
    """
    migration = _frame(migration)
    if migration is None:
        return None
    n = int(migration.loc[migration["move"] == "down", "customers"].sum())
    if not n:
        return None
    return ctx.messages(DOMAIN).ngettext(
        "Ask the {n} customer who moved down a revenue tier since {quarter} what changed.",
        "Ask the {n} customers who moved down a revenue tier since {quarter} what changed.",
        n,
        n=ctx.fmt.integer(n),
        quarter=str(ctx.quarter.previous),
    )


def returned_goods(profit, ctx) -> str | None:
    """When customers' credit notes exceed their orders this quarter (or are all they have): returned goods, never sold below cost.

    Fires when :func:`~custlib.analysis.pareto.loss_figures` counts at least one such customer (``returned > 0``,
    status ``returned_goods`` of :func:`~custlib.analysis.pareto.customer_status`); the amount said is their net
    credit (``returned_credit``, positive). Silent when nobody returned more than they bought.
    """
    profit = _frame(profit)
    v = loss_figures(profit)
    if not v["returned"] > 0:
        return None
    t, n = ctx.messages(DOMAIN), int(v["returned"])
    return t.ngettext(
        "{n} customer returned more goods than it bought this quarter ({amount} net in credit notes): returned goods, "
        "not a sale below cost; ask what was wrong with them.",
        "{n} customers returned more goods than they bought this quarter ({amount} net in credit notes): returned goods, "
        "not sales below cost; ask what was wrong with them.",
        n,
        n=ctx.fmt.integer(n),
        amount=ctx.fmt.money(v["returned_credit"]),
    )


def single_buyer_result(profit, ctx) -> str | None:
    """When only one customer bought this quarter (no concentration to measure): what that customer earns or loses.

    Fires when exactly one row of ``profit`` is a buyer (:func:`~custlib.analysis.pareto.buyers_only`: customers who
    only returned goods or were served without ordering are left out) and its net profit is known; the amount said
    is that net profit (gross profit, said so, without cost-to-serve data). Silent with two or more buyers, without
    the cost of goods and when the quarter is unavailable.
    """
    profit = _frame(profit)
    if profit is not None:
        profit = buyers_only(profit)  # not a customer who only returned goods or was served without ordering
    if profit is None or len(profit) != 1 or profit["net_profit"].isna().any():
        return None
    t, net = ctx.messages(DOMAIN), float(profit["net_profit"].iloc[0])
    amount = ctx.fmt.money(abs(net))
    if net_is_gross(profit):
        if net >= 0:
            return t.gettext(
                "The only customer who bought this quarter earns {amount} of gross profit (no cost-to-serve data).", amount=amount
            )
        return t.gettext(
            "The only customer who bought this quarter loses {amount} of gross profit (no cost-to-serve data): "
            "review its prices, terms and service.",
            amount=amount,
        )
    if net >= 0:
        return t.gettext("The only customer who bought this quarter earns {amount} of net profit after cost to serve.", amount=amount)
    return t.gettext(
        "The only customer who bought this quarter loses {amount} after cost to serve: review its prices, terms and service.",
        amount=amount,
    )


def keep_the_allocation(profit, allocation, ctx) -> str | None:
    """When every customer who bought earns money after cost to serve: the allocation can stay.

    Fires when all it speaks about was computed: the loss figures are known with no loss-maker
    (:func:`~custlib.analysis.pareto.loss_figures` ``destroyers == 0``: two or more buyers, the cost of goods known),
    the net profit is after cost to serve (without cost-to-serve data nobody is known not to lose money) and the
    allocation by tier was computed (``allocation``, :func:`~custlib.analysis.pareto.tier_allocation`: whether to move
    effort is known). Customers who only returned goods are no loss-makers. :func:`advice` says it only when no other
    rule fired.
    """
    profit = _frame(profit)
    if profit is None or net_is_gross(profit) or _frame(allocation) is None:
        return None
    if loss_figures(profit)["destroyers"] != 0:  # NaN (unknown) is not zero
        return None
    return ctx.messages(DOMAIN).gettext("No customer loses money: keep the current allocation.")


def advice(ctx, profit, allocation=None, migration=None, *, cutoffs=(0.8, 0.95), lag_quarters: int = 4) -> list[str]:
    """At most three sentences, from the rules that fire in this order; :func:`keep_the_allocation` only if none did."""
    said = [
        returned_goods(profit, ctx),
        single_buyer_result(profit, ctx),
        review_tier_a_loss_makers(profit, ctx, cutoffs),
        cut_cost_to_serve_in_b_and_c(profit, ctx, cutoffs),
        serve_less_without_orders(profit, ctx),
        move_effort_to_b_and_c(allocation, ctx, lag_quarters),
        ask_customers_who_moved_down(migration, ctx),
    ]
    said = [s for s in said if s]
    if not said:
        said = [s for s in [keep_the_allocation(profit, allocation, ctx)] if s]
    return said[:3]


def action_lists(ctx, profit, moves, *, cutoffs=(0.8, 0.95)) -> dict[str, pd.DataFrame]:
    """The whole lists behind :func:`review_tier_a_loss_makers`, :func:`cut_cost_to_serve_in_b_and_c`,
    :func:`serve_less_without_orders`, :func:`returned_goods` and :func:`ask_customers_who_moved_down` (``moves``:
    :func:`~custlib.analysis.pareto.tier_moves`, whose counts are the migration's) for the action workbook
    (:func:`custlib.reports.actions.pareto_lists`)."""
    return _actions.pareto_lists(ctx, profit, moves, cutoffs=cutoffs)
