"""Every advice rule of the executive summaries fires on a case built by hand and stays silent where it must (issue 16).

One table, :data:`TABLE`: rule -> (cases on which it fires, cases on which it must not). A firing case names the
fragments its sentence must hold, numbers worked out by hand here (counts of the rows built, sums of their amounts),
never taken from the code; a silent case names the edge it covers: like-for-like comparisons (a partial quarter, a
base quarter before the data), zero denominators (no revenue or no cost to serve last quarter, no base revenue),
zero new customers (CDNOW-like), customers whose quarter is returns only, an unavailable section
(:class:`~custlib.reports.sections.Unavailable`) and nothing to recommend.

:func:`test_every_rule_has_a_firing_and_a_silent_case` finds the rules by themselves (every function of the five
report modules returning ``str | None``, and every member of a ``RULES`` tuple), so a new rule without cases here
fails the suite. Assertions hold counts, amounts and key words rather than whole sentences, so that a rewording
keeps them.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

from custlib.analysis import development as dev
from custlib.analysis import makebuy as mb
from custlib.analysis import overview as ov
from custlib.analysis.makebuy.scoring import Recommendation
from custlib.io.data import RegionData
from custlib.io.periods import Coverage, Quarter
from custlib.reports import development as rd
from custlib.reports import makebuy as rm
from custlib.reports import overview as ro
from custlib.reports import pareto as rp
from custlib.reports import segmentation as rs
from custlib.reports.context import ReportContext
from custlib.reports.sections import Unavailable, compute

MODULES = (ro, rs, rd, rp, rm)
Q = Quarter.parse("2026Q3")  # the report quarter; last quarter 2026Q2, a year earlier 2025Q3
NAN = float("nan")

#: The rules issue 16 names, plus overview's keep_the_plan (its keep-the-plan sentence was inline in ``advice``).
NAMED = {
    ro: ("call_lapsed_customers", "check_prices_when_margin_fell", "review_cost_to_serve", "watch_largest_customers", "keep_the_plan"),
    rs: ("visit_valuable_at_risk", "ask_who_moved_down", "offer_more_to_grow", "keep_the_visit_plan"),
    rd: (
        "visit_watch_list",
        "run_campaign",
        "do_not_run_campaign",
        "move_to_acquisition",
        "call_winback",
        "keep_plan",
        "next_quarter_forecast",
    ),
    rp: (
        "review_tier_a_loss_makers",
        "cut_cost_to_serve_in_b_and_c",
        "serve_less_without_orders",
        "move_effort_to_b_and_c",
        "ask_customers_who_moved_down",
        "returned_goods",
        "single_buyer_result",
        "keep_the_allocation",
    ),
    rm: ("close_call_rule", "cost_backed_rule", "qualitative_override_rule", "no_cases_rule", "examples_rule"),
}


@dataclass
class Fires:
    """A case on which the rule fires: its arguments and the fragments its sentence must (and must not) hold."""

    args: tuple
    says: tuple[str, ...]
    kwargs: dict = field(default_factory=dict)
    not_says: tuple[str, ...] = ()


@dataclass
class Silent:
    """A case on which the rule must return None."""

    args: tuple
    kwargs: dict = field(default_factory=dict)


def ctx(coverage: Coverage | None = None, lang: str = "en") -> ReportContext:
    """The real report context for East, 2026Q3, in CNY; with ``coverage``, data that covers those days only."""
    data = None
    if coverage is not None:
        empty = pd.DataFrame()
        data = RegionData("East", Q, empty, empty, None, None, empty, coverage=coverage)
    return ReportContext("East", Q, {"report": {"currency": "CNY"}}, data, lang)


WHOLE = Coverage(pd.Timestamp("2024-01-01"), pd.Timestamp("2026-09-30"))  # every quarter compared is complete
FROM_MAY = Coverage(pd.Timestamp("2026-05-01"), pd.Timestamp("2026-09-30"))  # 2026Q2 partial: no change against it
FROM_AUG_2025 = Coverage(pd.Timestamp("2025-08-01"), pd.Timestamp("2026-09-30"))  # 2025Q3 (a year earlier) partial
GONE = Unavailable("no_orders_in_quarter")


# --------------------------------------------------------------------------- overview


def kpis(revenue=(1100.0, 1000.0), margin=(0.35, 0.35), buyers=(10.0, 10.0), cost_to_serve=(50.0, 50.0)) -> pd.DataFrame:
    """A :func:`~custlib.analysis.overview.kpi_table`-shaped table by hand: this quarter, last quarter, relative change.

    ``cost_to_serve=None`` leaves its row out (no cost-to-serve data); a zero base gives a NaN change, as kpi_table.
    """
    rows = {"active_customers": buyers, "revenue": revenue, "gross_margin": margin}
    if cost_to_serve is not None:
        rows["cost_to_serve"] = cost_to_serve
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=["2026Q3", "2026Q2"]).astype("float64")
    base = frame["2026Q2"].where(frame["2026Q2"] != 0)
    frame.insert(2, "change", (frame["2026Q3"] - frame["2026Q2"]) / base)
    frame["2025Q3"], frame["change_yoy"] = NAN, NAN
    return frame.rename_axis("figure")


def lapsed(revenues=(1000.0, 200.0, 34.0)) -> pd.DataFrame:
    """A lapsed_customers-shaped list: one row per customer who ordered last quarter and not this one."""
    n = len(revenues)
    return pd.DataFrame(
        {
            "customer_id": [f"L{i}" for i in range(n)],
            "name": [f"L{i} Ltd" for i in range(n)],
            "industry": ["machinery"] * n,
            "revenue_previous": list(revenues),
            "last_order": pd.to_datetime(["2026-05-10"] * n),
        }
    )


def lapsed_of_returns_only():
    """Through the real analysis: R's only line last quarter was a credit note (no order), and R bought nothing now.

    A returns-only quarter is no order, so R did not stop ordering: the list is empty.
    """
    tx = pd.DataFrame(
        {
            "customer_id": ["A", "A", "R"],
            "order_date": pd.to_datetime(["2026-05-03", "2026-08-03", "2026-05-20"]),
            "revenue": [500.0, 600.0, -80.0],
            "is_credit_note": [False, False, True],
        }
    )
    customers = pd.DataFrame({"customer_id": ["A", "R"], "name": ["A Ltd", "R Ltd"], "industry": ["retail"] * 2})
    return compute(ov.lapsed_customers, tx, customers, Q, coverage=WHOLE)


def lapsed_without_last_quarter():
    """Through the real analysis: the data starts on 2026-05-01, so nobody can be known to have stopped ordering."""
    tx = pd.DataFrame({"customer_id": ["A"], "order_date": pd.to_datetime(["2026-08-03"]), "revenue": [600.0]})
    customers = pd.DataFrame({"customer_id": ["A"], "name": ["A Ltd"], "industry": ["retail"]})
    return compute(ov.lapsed_customers, tx, customers, Q, coverage=FROM_MAY)


def top(shares) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [f"T{i}" for i in range(len(shares))], "share_of_revenue": list(shares)})


OVERVIEW = {
    ro.call_lapsed_customers: (
        # 3 rows; 1000 + 200 + 34 = 1,234 bought last quarter
        [lambda: Fires((lapsed(), ctx()), ("Call", "3 customers", "CN¥1,234", "2026Q2"))],
        [
            lambda: Silent((lapsed(()), ctx())),  # everyone ordered again: nothing to recommend
            lambda: Silent((lapsed_of_returns_only(), ctx(WHOLE))),  # all-returns customer: no order to stop
            lambda: Silent((lapsed_without_last_quarter(), ctx(FROM_MAY))),  # like for like: no whole last quarter
            lambda: Silent((GONE, ctx())),  # an unavailable section
        ],
    ),
    ro.check_prices_when_margin_fell: (
        [
            lambda: Fires((kpis(margin=(0.33, 0.35)), ctx()), ("35.0%", "33.0%", "check prices")),  # fell 2 points
            lambda: Fires((kpis(margin=(0.34, 0.35)), ctx()), ("35.0%", "34.0%")),  # exactly one point: "or more"
        ],
        [
            lambda: Silent((kpis(margin=(0.345, 0.35)), ctx())),  # half a point
            lambda: Silent((kpis(margin=(0.36, 0.35)), ctx())),  # rose
            lambda: Silent((kpis(margin=(NAN, NAN)), ctx())),  # no cost of goods: no margin
            lambda: Silent((kpis(margin=(0.30, 0.35)), ctx(FROM_MAY))),  # like for like: last quarter partial
            lambda: Silent((GONE, ctx())),
        ],
    ),
    ro.review_cost_to_serve: (
        [
            # cost to serve 50 -> 54 (+8%), revenue 1000 -> 980 (-2%): 10 points apart
            lambda: Fires((kpis(revenue=(980.0, 1000.0), cost_to_serve=(54.0, 50.0)), ctx()), ("8.0%", "2.0%", "fell")),
            # +8% against +3%: exactly the 5-point gap
            lambda: Fires((kpis(revenue=(1030.0, 1000.0), cost_to_serve=(54.0, 50.0)), ctx()), ("8.0%", "3.0%", "rose")),
        ],
        [
            lambda: Silent((kpis(revenue=(1100.0, 1000.0), cost_to_serve=(56.0, 50.0)), ctx())),  # +12% vs +10%
            lambda: Silent((kpis(revenue=(900.0, 1000.0), cost_to_serve=(49.5, 50.0)), ctx())),  # it fell (-1% vs -10%)
            lambda: Silent((kpis(cost_to_serve=(54.0, 0.0)), ctx())),  # zero denominator: none last quarter
            lambda: Silent((kpis(revenue=(1100.0, 0.0), cost_to_serve=(54.0, 50.0)), ctx())),  # no revenue last quarter
            lambda: Silent((kpis(cost_to_serve=None), ctx())),  # no cost-to-serve data
            lambda: Silent((GONE, ctx())),
        ],
    ),
    ro.watch_largest_customers: (
        [lambda: Fires((top([0.4, 0.2]), kpis(buyers=(10.0, 9.0)), ctx()), ("2 largest", "60%"))],  # 2 of 10 bring 60%
        [
            lambda: Silent((top([0.6, 0.4]), kpis(buyers=(2.0, 2.0)), ctx())),  # the top list is every buyer
            lambda: Silent((top([0.3, 0.2]), kpis(), ctx())),  # exactly half is not more than half
            lambda: Silent((top([NAN, NAN]), kpis(), ctx())),  # zero revenue: no shares
            lambda: Silent((GONE, kpis(), ctx())),
            lambda: Silent((top([0.4, 0.2]), GONE, ctx())),  # buyers unknown
        ],
    ),
    ro.keep_the_plan: (
        [
            lambda: Fires((kpis(), ctx(WHOLE)), ("Revenue, margin and customers held up", "keep the current plan")),
            lambda: Fires((kpis(margin=(NAN, NAN)), ctx()), ("Revenue and customers held up",), not_says=("margin",)),
        ],
        [
            lambda: Silent((kpis(revenue=(700.0, 1000.0)), ctx())),  # revenue fell 30%: it did not hold up
            lambda: Silent((kpis(buyers=(8.0, 10.0)), ctx())),  # fewer customers ordered
            lambda: Silent((kpis(margin=(0.34, 0.35)), ctx())),  # the margin fell a point
            lambda: Silent((kpis(revenue=(1100.0, NAN)), ctx())),  # last quarter unknown
            lambda: Silent((kpis(), ctx(FROM_MAY))),  # like for like: last quarter partial
            lambda: Silent((GONE, ctx())),
        ],
    ),
}


# --------------------------------------------------------------------------- segmentation


def customers(n: int, revenue: float = 0.0) -> pd.DataFrame:
    """A list of ``n`` customers (valuable_at_risk / valuable_moved_down shape: name, revenue)."""
    revenues = [revenue] * n if np.isscalar(revenue) else list(revenue)
    return pd.DataFrame({"name": [f"N{i}" for i in range(n)], "revenue": revenues}, index=[f"C{i}" for i in range(n)])


CARD = pd.DataFrame({"quadrant": ["invest", "invest", "monitor", "invest"]}, index=["C1", "C2", "C3", "C4"])
FEATURES = pd.DataFrame(
    {"wallet_headroom": [5000.0, 700.0, 9.0, 300.0], "orders": [2.0, 1.0, 4.0, 0.0]}, index=["C1", "C2", "C3", "C4"]
)  # C4 is in the invest quadrant without an order in the window: nobody to offer more to

SEGMENTATION = {
    rs.visit_valuable_at_risk: (
        # 3 rows; 1000 + 200 + 34 over the last 6 months
        [
            lambda: Fires(
                (customers(3, [1000.0, 200.0, 34.0]), ctx()),
                ("Visit", "3 valuable customers", "CN¥1,234", "6 months"),
                {"window_months": 6},
            )
        ],
        [lambda: Silent((customers(0), ctx())), lambda: Silent((Unavailable("too_few_buyers"), ctx()))],
    ),
    rs.ask_who_moved_down: (
        [lambda: Fires((customers(2), ctx()), ("Ask", "2 valuable customers", "moved down"))],
        [lambda: Silent((customers(0), ctx())), lambda: Silent((Unavailable("no_previous_quarter_in_data"), ctx()))],
    ),
    rs.offer_more_to_grow: (
        [
            # C1 and C2 (invest, with orders): 5000 + 700 with other suppliers
            lambda: Fires((CARD, FEATURES, ctx()), ("Offer more", "2 customers", "CN¥5,700")),
            lambda: Fires(
                (CARD, FEATURES.assign(wallet_headroom=NAN), ctx()), ("Offer more", "2 customers"), not_says=("other suppliers",)
            ),
        ],
        [
            lambda: Silent((CARD.assign(quadrant="monitor"), FEATURES, ctx())),  # nobody in the invest quadrant
            lambda: Silent((CARD.loc[["C3", "C4"]], FEATURES, ctx())),  # the only investee has no order in the window
            lambda: Silent((Unavailable("too_few_buyers"), FEATURES, ctx())),
            lambda: Silent((CARD, Unavailable("no_orders_in_window"), ctx())),
        ],
    ),
    rs.keep_the_visit_plan: (
        [lambda: Fires((customers(0), customers(0), ctx()), ("No valuable customer", "keep the current visit plan"))],
        [
            lambda: Silent((customers(1), customers(0), ctx())),  # someone at risk
            lambda: Silent((customers(0), customers(2), ctx())),  # someone moved down
            lambda: Silent((customers(0), Unavailable("no_previous_quarter_in_data"), ctx())),  # moves unknown
            lambda: Silent((Unavailable("too_few_buyers"), customers(0), ctx())),  # risk unknown
        ],
    ),
}


# --------------------------------------------------------------------------- development


def watch(trailing=(100.0, 50.0, 80.0), recent=(40.0, 60.0, 20.0)) -> pd.DataFrame:
    return pd.DataFrame({"trailing_avg_revenue": list(trailing), "recent_avg_revenue": list(recent)})


def plan(contacts=(0, 12, 5), ranked=(True, True, True)) -> pd.DataFrame:
    """A campaign plan by hand: three target groups earning 100, 80 and 5 per contact."""
    per = (100.0, 80.0, 5.0)
    return pd.DataFrame(
        {
            "segment": ["large", "medium", "small"],
            "ranked": list(ranked),
            "contact_customers": list(contacts),
            "contact_profit_total": [c * p for c, p in zip(contacts, per, strict=True)],
        }
    )


def dev_kpis(development=40.0, acquisition=60.0, acquired=2.0) -> pd.DataFrame:
    """The last row of development_kpis by hand (the rule reads quarter and the three like-for-like columns)."""
    return pd.DataFrame(
        {
            "quarter": ["2026Q2", "2026Q3"],
            "development_gain": [NAN, development],
            "acquisition_gain": [NAN, acquisition],
            "acquired_customers": [NAN, acquired],
        }
    )


def winback(profits=(300.0, 200.0, 45.0)) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [f"W{i}" for i in range(len(profits))], "past_profit": list(profits)})


def forecast(horizon: int = 6):
    """The real seasonal-naive forecast of 36 months 100, 101, ..., 135 (2022-01 to 2024-12).

    Next quarter 2025Q1 repeats 2024-01..03: 124 + 125 + 126 = 375.
    """
    y = pd.Series(np.arange(100.0, 136.0), index=pd.date_range("2022-01-01", periods=36, freq="MS"))
    return dev.forecast_series(y, horizon=horizon, n_origins=1, models=[])


NO_PLAN = plan(contacts=(0, 0, 0), ranked=(False, False, False))  # no group has enough past offers to rank

DEVELOPMENT = {
    rd.visit_watch_list: (
        # 3 rows; a month less: (100 - 40) + 0 (50 -> 60 grew) + (80 - 20) = 120
        [lambda: Fires((watch(), ctx()), ("Visit", "3 customers", "CN¥120"))],
        [lambda: Silent((watch((), ()), ctx())), lambda: Silent((Unavailable("short_history"), ctx()))],
    ),
    rd.run_campaign: (
        # 12 + 5 customers, 12 x 80 + 5 x 5 = 985 expected profit
        [lambda: Fires((plan(), ctx()), ("Run", "17 customers", "CN¥985"))],
        [lambda: Silent((plan(contacts=(0, 0, 0)), ctx())), lambda: Silent((Unavailable("table_missing"), ctx()))],
    ),
    rd.do_not_run_campaign: (
        [lambda: Fires((plan(contacts=(0, 0, 0)), ctx()), ("Do not run", "no target group"))],
        [
            lambda: Silent((plan(), ctx())),  # the plan contacts someone
            lambda: Silent((NO_PLAN, ctx())),  # nothing could be ranked: nothing to advise against
            lambda: Silent((Unavailable("no_offers"), ctx())),
        ],
    ),
    rd.move_to_acquisition: (
        # like for like against 2025Q3: the 2 won since added 60, the customers of 2025Q3 changed theirs by +40
        [lambda: Fires((dev_kpis(), ctx()), ("2 customers won", "2025Q3", "CN¥60", "+CN¥40", "acquisition returned more"))],
        [
            lambda: Silent((dev_kpis(development=60.0, acquisition=60.0), ctx())),  # development returned as much
            lambda: Silent((dev_kpis(development=-10.0, acquisition=50.0, acquired=0.0), ctx())),  # CDNOW: nobody new
            lambda: Silent((dev_kpis(development=-50.0, acquisition=0.0), ctx())),  # acquisition added nothing
            lambda: Silent((dev_kpis(development=NAN, acquisition=NAN, acquired=NAN), ctx())),  # no quarter a year back
            lambda: Silent((GONE, ctx())),
        ],
    ),
    rd.call_winback: (
        # 3 rows; 300 + 200 + 45 = 545
        [lambda: Fires((winback(), ctx()), ("Call", "3 lapsed customers", "CN¥545"))],
        [lambda: Silent((winback(()), ctx())), lambda: Silent((Unavailable("needs_cost"), ctx()))],
    ),
    rd.keep_plan: (
        [lambda: Fires((watch((), ()), NO_PLAN, winback(()), ctx()), ("No customer is slipping", "keep the current plan"))],
        [
            lambda: Silent((Unavailable("short_history"), NO_PLAN, winback(()), ctx())),  # watch list unknown
            lambda: Silent((watch(), NO_PLAN, winback(()), ctx())),  # someone is slipping
            lambda: Silent((watch((), ()), Unavailable("table_missing"), winback(()), ctx())),  # no offers: plan unknown
            lambda: Silent((watch((), ()), plan(), winback(()), ctx())),  # a campaign is due
            lambda: Silent((watch((), ()), NO_PLAN, Unavailable("needs_cost"), ctx())),  # win-back list unknown
            lambda: Silent((watch((), ()), NO_PLAN, winback(), ctx())),  # a win-back call is due
        ],
    ),
    rd.next_quarter_forecast: (
        [lambda: Fires((forecast(), ctx()), ("2025Q1", "CN¥375", "90%"))],
        [lambda: Silent((forecast(horizon=2), ctx())), lambda: Silent((Unavailable("short_history"), ctx()))],
    ),
}


# --------------------------------------------------------------------------- pareto


def profit(rows: dict, *, cost_to_serve_known: bool = True) -> pd.DataFrame:
    """A quarter_profit-shaped table by hand: customer -> (revenue, gross_profit, cost_to_serve[, returns_only, is_buyer]).

    net_profit = gross_profit - cost_to_serve (gross profit without cost-to-serve data, as quarter_profit).
    """
    frame = pd.DataFrame.from_dict(
        {k: (*v, *(False, True)[len(v) - 3 :]) for k, v in rows.items()},
        orient="index",
        columns=["revenue", "gross_profit", "cost_to_serve", "returns_only", "is_buyer"],
    ).rename_axis("customer_id")
    frame = frame.astype({"returns_only": bool, "is_buyer": bool})
    frame["net_profit"] = frame["gross_profit"] - (frame["cost_to_serve"] if cost_to_serve_known else 0.0)
    frame.attrs = {"net_profit_includes_cost_to_serve": cost_to_serve_known, "cost_known": True}
    return frame


# Revenue 500 + 200 + 150 + 100 + 50 = 1000: tier A = e, b, d (85% >= 80%), B = a (95%), C = c.
FIVE = {"e": (500.0, 60.0, 100.0), "b": (200.0, 40.0, 10.0), "d": (150.0, 10.0, 20.0), "a": (100.0, 50.0, 10.0), "c": (50.0, 25.0, 5.0)}
#: net profit e -40, d -10 (tier A), b 30, a 40, c 20
RETURNS_ONLY = {"r": (-300.0, -300.0, 20.0, True, False)}  # a customer whose quarter is returns only: -320 net
PROFITABLE = {**FIVE, "e": (500.0, 160.0, 100.0), "d": (150.0, 30.0, 20.0)}  # e +60, d +10: nobody loses money


def allocation(a_growth=0.2, cts_share=0.9, profit_share=0.3, bc_base=(60.0, 40.0), bc_now=(90.0, 60.0)) -> pd.DataFrame:
    """A tier_allocation-shaped table by hand (the rule reads revenue, base_revenue, revenue_growth and A's shares)."""
    return pd.DataFrame(
        {
            "tier": ["A", "B", "C", "all"],
            "revenue": [850.0, bc_now[0], bc_now[1], 1000.0],
            "base_revenue": [850.0 / (1 + a_growth), bc_base[0], bc_base[1], NAN],
            "revenue_growth": [a_growth, NAN, NAN, NAN],
            "cost_to_serve_share": [cts_share, 0.05, 0.05, 1.0],
            "net_profit_share": [profit_share, 0.4, 0.3, 1.0],
        }
    )


def migration(down=(2, 1), up=4) -> pd.DataFrame:
    """A quarter_tier_migration-shaped table by hand: A->B and B->C downs, C->B ups, A->A same."""
    return pd.DataFrame(
        {
            "from_tier": ["A", "B", "C", "A"],
            "to_tier": ["B", "C", "B", "A"],
            "move": ["down", "down", "up", "same"],
            "customers": [down[0], down[1], up, 5],
        }
    )


def zero_revenue_buyers() -> pd.DataFrame:
    """Two buyers given goods free (revenue 0, cost 30 and 20): both sold below cost, and no tiers (no positive revenue)."""
    return profit({"x": (0.0, -30.0, 5.0), "y": (0.0, -20.0, 5.0)})


PARETO = {
    rp.review_tier_a_loss_makers: (
        [
            # e (-40) and d (-10) are tier A: 2 customers, 50 in total
            lambda: Fires((profit(FIVE), ctx()), ("2 customers in tier A", "CN¥50", "after cost to serve")),
            # without cost-to-serve data: gross profit 60 and 10 are positive; make e sold below cost (gross -20)
            lambda: Fires(
                (profit({**FIVE, "e": (500.0, -20.0, 0.0)}, cost_to_serve_known=False), ctx()),
                ("1 customer in tier A", "CN¥20", "below cost"),
            ),
        ],
        [
            lambda: Silent((profit(PROFITABLE), ctx())),
            lambda: Silent((profit({**PROFITABLE, **RETURNS_ONLY}), ctx())),  # all-returns customer: no loss-maker
            lambda: Silent((profit({"e": FIVE["e"]}), ctx())),  # one buyer: no tiers
            lambda: Silent((profit(FIVE).assign(net_profit=NAN), ctx())),  # no cost of goods
            lambda: Silent((GONE, ctx())),
        ],
    ),
    rp.cut_cost_to_serve_in_b_and_c: (
        [
            # a (tier B) -5 - 10 = -15 and c (tier C) 0 - 5 = -5; e and d (tier A, -50) are left out: 2 customers, 20
            lambda: Fires(
                (profit({**FIVE, "a": (100.0, -5.0, 10.0), "c": (50.0, 0.0, 5.0)}), ctx()),
                ("2 customers in tiers B and C", "CN¥20", "Cut the cost to serve"),
            ),
            lambda: Fires(
                (profit({**PROFITABLE, "c": (50.0, -5.0, 0.0)}, cost_to_serve_known=False), ctx()),
                ("1 customer in tiers B and C", "CN¥5", "Check the prices"),
            ),
        ],
        [
            lambda: Silent((profit(FIVE), ctx())),  # the only loss-makers are in tier A
            lambda: Silent((profit({**PROFITABLE, **RETURNS_ONLY}), ctx())),  # all-returns customer
            lambda: Silent((zero_revenue_buyers(), ctx())),  # loss-makers, but no tiers B and C to name
            lambda: Silent((GONE, ctx())),
        ],
    ),
    rp.serve_less_without_orders: (
        # s1 and s2 cost 30 + 12 to serve without an order
        [
            lambda: Fires(
                (profit({**FIVE, "s1": (0.0, 0.0, 30.0, False, False), "s2": (0.0, 0.0, 12.0, False, False)}), ctx()),
                ("2 customers", "CN¥42", "without ordering"),
            )
        ],
        [
            lambda: Silent((profit({**FIVE, **RETURNS_ONLY}), ctx())),  # all-returns customer, served: not "without ordering"
            lambda: Silent((profit({**FIVE, "s1": (0.0, 0.0, 30.0, False, False)}, cost_to_serve_known=False), ctx())),
            lambda: Silent((profit(FIVE), ctx())),  # everyone served bought
            lambda: Silent((GONE, ctx())),
        ],
    ),
    rp.move_effort_to_b_and_c: (
        # B and C 100 -> 150 (+50%), A +20%; A takes 90% of the cost to serve, earns 30% of net profit
        [lambda: Fires((allocation(), ctx(WHOLE)), ("90%", "30%", "+50%", "+20%", "2025Q3", "B and C"))],
        [
            lambda: Silent((allocation(a_growth=0.6), ctx())),  # A grows faster
            lambda: Silent((allocation(cts_share=0.3, profit_share=0.3), ctx())),  # A earns its share
            lambda: Silent((allocation(bc_base=(0.0, 0.0)), ctx())),  # zero denominator: no base revenue in B and C
            lambda: Silent((allocation(profit_share=NAN), ctx())),  # total net profit not positive: no shares
            lambda: Silent((allocation(), ctx(FROM_AUG_2025))),  # like for like: the base quarter is partial
            lambda: Silent((Unavailable("no_service_costs"), ctx())),
        ],
    ),
    rp.ask_customers_who_moved_down: (
        [lambda: Fires((migration(), ctx()), ("3 customers", "2026Q2", "moved down"))],  # 2 + 1 down
        [lambda: Silent((migration(down=(0, 0)), ctx())), lambda: Silent((Unavailable("partial_quarter"), ctx()))],
    ),
    rp.returned_goods: (
        # r returned 300 and z's credit notes exceed its orders by 30: 2 customers, 330 net in credit notes
        [lambda: Fires((profit({**FIVE, **RETURNS_ONLY, "z": (-30.0, -12.0, 0.0)}), ctx()), ("2 customers", "CN¥330", "returned"))],
        [
            lambda: Silent((profit({**FIVE, "z": (20.0, 8.0, 0.0)}), ctx())),  # a credit note smaller than the orders
            lambda: Silent((GONE, ctx())),
        ],
    ),
    rp.single_buyer_result: (
        [
            # e is the only buyer (a returns-only customer and one served without ordering are none): 160 - 100 = 60
            lambda: Fires(
                (profit({"e": PROFITABLE["e"], **RETURNS_ONLY, "s": (0.0, 0.0, 15.0, False, False)}), ctx()),
                ("only customer", "earns CN¥60", "net profit"),
            ),
            lambda: Fires((profit({"e": FIVE["e"]}), ctx()), ("only customer", "loses CN¥40")),  # 60 - 100
        ],
        [
            lambda: Silent((profit(FIVE), ctx())),  # five buyers
            lambda: Silent((profit({**RETURNS_ONLY, "s": (0.0, 0.0, 15.0, False, False)}), ctx())),  # nobody bought
            lambda: Silent((profit({"e": FIVE["e"]}).assign(net_profit=NAN), ctx())),  # no cost of goods
            lambda: Silent((GONE, ctx())),
        ],
    ),
    rp.keep_the_allocation: (
        [
            lambda: Fires(
                (profit({**PROFITABLE, **RETURNS_ONLY}), allocation(), ctx()), ("No customer loses money", "keep the current allocation")
            )
        ],
        [
            lambda: Silent((profit(FIVE), allocation(), ctx())),  # two customers lose money
            lambda: Silent((profit(PROFITABLE, cost_to_serve_known=False), allocation(), ctx())),  # net profit unknown
            lambda: Silent((profit(PROFITABLE), Unavailable("no_service_costs"), ctx())),  # allocation unknown
            lambda: Silent((profit({"e": PROFITABLE["e"]}), allocation(), ctx())),  # one buyer: losses not figured
            lambda: Silent((GONE, allocation(), ctx())),
        ],
    ),
}


# --------------------------------------------------------------------------- make-vs-buy


def case(recommendation: str, close_call: bool, mean_saving: float) -> mb.CaseAnalysis:
    """A case analysis by hand: the hand-worked case's spec (3 years), a recommendation and the mean PV saving of making."""
    from tests.test_makebuy import hand_case

    rec = Recommendation(recommendation, close_call, 3.1 if close_call else 4.2, 4.0, 3.0)
    spec = mb.Case.from_params("kit", hand_case())
    return mb.CaseAnalysis(spec, None, {}, None, None, {"mean_saving": mean_saving}, None, None, None, rec)


MAKEBUY = {
    rm.close_call_rule: (
        [lambda: Fires((case("make", True, 20.0), "Kit", ctx()), ("Kit", "close call", "making"))],
        [lambda: Silent((case("make", False, 20.0), "Kit", ctx()))],
    ),
    rm.cost_backed_rule: (
        [
            lambda: Fires((case("make", False, 1234.0), "Kit", ctx()), ("Kit", "in-house", "3 years", "CN¥1,234 less")),
            # buying recommended and making dearer by 500: buying saves 500
            lambda: Fires((case("buy", False, -500.0), "Kit", ctx()), ("Kit", "buy it from a supplier", "CN¥500 less")),
        ],
        [
            lambda: Silent((case("make", True, 1234.0), "Kit", ctx())),  # a close call
            lambda: Silent((case("buy", False, 68.0), "Kit", ctx())),  # buying recommended though making saves 68
        ],
    ),
    rm.qualitative_override_rule: (
        # buying recommended although making saves 68.6: buying costs 69 more
        [lambda: Fires((case("buy", False, 68.6), "Kit", ctx()), ("Kit", "qualitative reasons", "CN¥69 more", "3 years"))],
        [lambda: Silent((case("make", False, 68.6), "Kit", ctx())), lambda: Silent((case("buy", True, 68.6), "Kit", ctx()))],
    ),
    rm.no_cases_rule: (
        [lambda: Fires((Unavailable("no_makebuy_cases"), ctx()), ("East", "params/regions/east.yaml", "makebuy.cases"))],
        [
            lambda: Silent((Unavailable("insufficient_data"), ctx())),
            lambda: Silent((mb.MakeBuyAnalysis({"kit": case("make", False, 1.0)}, {}), ctx())),
        ],
    ),
    rm.examples_rule: (
        [lambda: Fires((mb.MakeBuyAnalysis({"kit": case("make", False, 1.0)}, {}, examples=True), ctx()), ("examples", "East"))],
        [
            lambda: Silent((mb.MakeBuyAnalysis({"kit": case("make", False, 1.0)}, {}), ctx())),  # the region's own cases
            lambda: Silent((Unavailable("no_makebuy_cases"), ctx())),
        ],
    ),
}

#: rule -> (cases on which it fires, cases on which it must not)
TABLE = {**OVERVIEW, **SEGMENTATION, **DEVELOPMENT, **PARETO, **MAKEBUY}

FIRING = [pytest.param(rule, build, id=f"{rule.__name__}-{i}") for rule, (fires, _) in TABLE.items() for i, build in enumerate(fires)]
SILENT = [pytest.param(rule, build, id=f"{rule.__name__}-{i}") for rule, (_, silent) in TABLE.items() for i, build in enumerate(silent)]


@pytest.mark.parametrize(("rule", "build"), FIRING)
def test_rule_fires_with_its_numbers(rule, build):
    case = build()
    said = rule(*case.args, **case.kwargs)
    assert isinstance(said, str) and said, f"{rule.__name__} did not fire"
    for fragment in case.says:
        assert fragment in said, f"{rule.__name__}: {fragment!r} not in {said!r}"
    for fragment in case.not_says:
        assert fragment not in said, f"{rule.__name__}: {fragment!r} in {said!r}"


@pytest.mark.parametrize(("rule", "build"), SILENT)
def test_rule_is_silent_where_it_must_be(rule, build):
    case = build()
    assert rule(*case.args, **case.kwargs) is None


def discovered_rules() -> set:
    """Every function of the report modules returning ``str | None``, and every member of their ``RULES`` tuples."""
    found = set()
    for module in MODULES:
        for _, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__:
                continue
            ret = inspect.get_annotations(fn).get("return")
            if ret in ("str | None", "Optional[str]") or ret == (str | None):
                found.add(fn)
        found.update(getattr(module, "RULES", ()))
    return found


def test_every_rule_has_a_firing_and_a_silent_case():
    rules = discovered_rules()
    named = {getattr(m, name) for m, names in NAMED.items() for name in names}
    assert named <= rules and len(rules) >= 29  # the discovery is not vacuous: it finds at least the named rules
    missing = sorted(r.__name__ for r in rules if r not in TABLE)
    assert not missing, f"advice rules without test cases in TABLE: {missing}"
    for rule in rules:
        fires, silent = TABLE[rule]
        assert len(fires) >= 1 and len(silent) >= 1, rule.__name__


def test_the_advice_lists_say_nothing_to_do_only_when_they_know_it():
    """The keep-the-plan sentences through each report's advice: said when every input it speaks about was computed
    and asks for nothing, silent when one is unavailable (issue 16's known bug: development said "no customer is
    slipping" without a watch list)."""
    c = ctx()
    assert rd.advice(c, dev_kpis(60.0, 60.0), watch((), ()), NO_PLAN, winback(())) == [rd.keep_plan(watch((), ()), NO_PLAN, winback(()), c)]
    assert rd.advice(c, dev_kpis(60.0, 60.0), Unavailable("short_history"), NO_PLAN, winback(())) == []
    none = customers(0)
    kw = {"scorecard": CARD.assign(quadrant="monitor"), "features": FEATURES}
    assert rs.actions(c, at_risk=none, moved_down=none, **kw) == [rs.keep_the_visit_plan(none, none, c)]
    assert rs.actions(c, at_risk=none, moved_down=Unavailable("no_previous_quarter_in_data"), **kw) == []
    quiet, steady = profit(PROFITABLE), allocation(a_growth=0.6)
    assert rp.advice(c, quiet, steady, migration(down=(0, 0))) == [rp.keep_the_allocation(quiet, steady, c)]
    assert rp.advice(c, quiet, Unavailable("no_service_costs"), migration(down=(0, 0))) == []
    assert ro.advice(kpis(), top([0.1]), lapsed(()), c) == [ro.keep_the_plan(kpis(), c)]
    assert ro.advice(kpis(revenue=(700.0, 1000.0)), top([0.1]), lapsed(()), c) == []  # revenue fell: it did not hold up
