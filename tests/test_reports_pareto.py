"""The Pareto report's headline figures and advice rules (custlib.reports.pareto): each rule fires and stays silent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlib.analysis import pareto as pa
from custlib.io.periods import Quarter
from custlib.reports import pareto as rpt
from custlib.reports.context import ReportContext


def ctx(lang: str = "en") -> ReportContext:
    return ReportContext(region="East", quarter=Quarter.parse("2026Q3"), params={}, data=None, lang=lang)


def region_frames(quarters=("2025Q3", "2026Q2", "2026Q3")):
    """Five customers built by hand.

    2026Q3 revenue a=100, b=200, c=50, d=150, e=500 with cost 40, 160, 25, 140, 440 and cost to serve
    10, 10, 5, 20, 100: net profit a=50, b=30, c=20, d=-10, e=-40 (total 50). Tier A (80% of revenue) = e, b, d.
    """
    dates = {"2025Q3": "2025-08-15", "2026Q2": "2026-05-15", "2026Q3": "2026-07-01"}
    revenue = {
        "2025Q3": [50.0, 100.0, 50.0, 100.0, 500.0],
        "2026Q2": [80.0, 100.0, 40.0, 60.0, 300.0],
        "2026Q3": [100.0, 200.0, 50.0, 150.0, 500.0],
    }
    cost = {
        "2025Q3": [25.0, 50.0, 25.0, 50.0, 250.0],
        "2026Q2": [40.0, 50.0, 20.0, 30.0, 150.0],
        "2026Q3": [40.0, 160.0, 25.0, 140.0, 440.0],
    }
    names = ["a", "b", "c", "d", "e"]
    rows = [(c, dates[q], revenue[q][i], cost[q][i]) for q in quarters for i, c in enumerate(names)]
    tx = pd.DataFrame(rows, columns=["customer_id", "order_date", "revenue", "cost"])
    tx = tx.assign(order_date=pd.to_datetime(tx["order_date"]), customer_id=tx["customer_id"].astype("str"))
    sc = pd.DataFrame(
        {
            "customer_id": pd.Series(names, dtype="str"),
            "month": pd.to_datetime(["2026-07-01", "2026-08-01", "2026-09-01", "2026-09-01", "2026-07-01"]),
            "cost_to_serve": [10.0, 10.0, 5.0, 20.0, 100.0],
        }
    )
    prev = pd.DataFrame(
        {"customer_id": pd.Series(names, dtype="str"), "month": pd.to_datetime(["2026-05-01"] * 5), "cost_to_serve": [10.0] * 5}
    )
    return tx, pd.concat([sc, prev], ignore_index=True)


@pytest.fixture
def region():
    tx, sc = region_frames()
    q = Quarter.parse("2026Q3")
    profit = pa.quarter_profitability(tx, sc, q)
    previous = pa.quarter_profitability(tx, sc, q.previous)
    allocation = pa.tier_allocation(profit, tx, q.shift(-4).start, q.shift(-4).end)
    migration = pa.tier_migration(tx, q.previous.start, q.previous.end, q.start, q.end)
    return profit, previous, allocation, migration


def test_headline_figures_of_the_hand_built_region(region):
    """2026Q3: revenue 500, 200, 150 reach 850 of 1000 -> 3 of 5 = 60%; net profit: of the positive 50 + 30 + 20 = 100,
    a and b reach 80 -> 2 of 5 = 40% (the ABC rule: losses add nothing to the share reached); d and e lose 10 + 40 = 50,
    both in tier A. 2026Q2 (cost to serve 10 each): 60% and 60%, nobody loses money."""
    profit, previous, _, _ = region
    figures = rpt.headline_figures(profit, previous)
    expected = pd.DataFrame(
        {
            "figure": [
                "Customers making 80% of revenue",
                "Customers making 80% of net profit",
                "Customers losing money",
                "Loss of the loss-making customers",
                "Tier A customers losing money",
            ],
            "value": [0.6, 0.4, 2.0, 50.0, 2.0],
            "previous": [0.6, 0.6, 0.0, 0.0, 0.0],
            "unit": ["pct", "pct", "count", "money", "count"],
            "good": ["up", "up", "down", "down", "down"],
            "on_cost": [False, True, True, True, True],
        }
    )
    pd.testing.assert_frame_equal(figures, expected)


def test_headline_figures_of_an_unavailable_quarter_are_missing_not_an_error():
    from custlib.reports.sections import Unavailable

    figures = rpt.headline_figures(Unavailable("no_orders_in_quarter"), None)
    assert len(figures) == 5 and figures["value"].isna().all()


def test_headline_figures_do_not_compare_net_with_gross_profit(region):
    profit, previous, _, _ = region
    gross = previous.copy()
    gross.attrs["net_profit_includes_cost_to_serve"] = False
    figures = rpt.headline_figures(profit, gross)
    assert figures["previous"].iloc[0] == pytest.approx(0.6) and figures["previous"].iloc[1:].isna().all()


def test_review_tier_a_loss_makers_fires_for_loss_making_tier_a_customers(region):
    profit, previous, _, _ = region
    assert rpt.review_tier_a_loss_makers(profit, ctx()) == (
        "Review prices, payment terms and service levels of the 2 customers in tier A who lose money after cost to serve "
        "(CN¥50 in total) before chasing more of their volume."
    )
    assert "本钱客户" in rpt.review_tier_a_loss_makers(profit, ctx("zh"))
    assert rpt.review_tier_a_loss_makers(previous, ctx()) is None


def test_cut_cost_to_serve_in_b_and_c_fires_only_for_loss_makers_outside_tier_a(region):
    profit, _, _, _ = region
    assert rpt.cut_cost_to_serve_in_b_and_c(profit, ctx()) is None  # both loss makers are in tier A
    worse = profit.assign(net_profit=profit["net_profit"] - np.where(profit.index == "c", 30.0, 0.0))
    assert rpt.cut_cost_to_serve_in_b_and_c(worse, ctx()) == (
        "Cut the cost to serve of the 1 customer in tiers B and C who loses money (CN¥10 in total): "
        "fewer visits, pooled deliveries or minimum order sizes."
    )


def test_move_effort_to_b_and_c_fires_when_a_costs_more_than_it_earns_and_grows_less(region):
    """Tier A takes 130 / 145 = 90% of the cost to serve, earns -20 / 50 = -40% of net profit; B and C (a, c) grew
    from 100 to 150 (+50%) against 2025Q3, A from 700 to 850 (+21%)."""
    _, _, allocation, _ = region
    assert rpt.move_effort_to_b_and_c(allocation, ctx()) == (
        "Tier A takes 90% of the cost to serve but earns -40% of net profit, while revenue in tiers B and C changed +50% "
        "against 2025Q3 (tier A: +21%): move sales effort towards B and C."
    )
    fair = allocation.assign(revenue_growth=1.0)  # tier A grows faster than B and C
    assert rpt.move_effort_to_b_and_c(fair, ctx()) is None


def test_ask_customers_who_moved_down_fires_when_someone_moved_down(region):
    _, _, _, migration = region
    assert (
        rpt.ask_customers_who_moved_down(migration, ctx()) == "Ask the 2 customers who moved down a revenue tier since 2026Q2 what changed."
    )
    assert rpt.ask_customers_who_moved_down(migration.assign(move="same"), ctx()) is None


def test_keep_the_allocation_only_when_nobody_loses_money(region):
    """2026Q2: nobody loses money, and its allocation (against 2025Q2, before the data: no growth) moves nothing."""
    profit, previous, allocation, _ = region
    tx, _ = region_frames()
    q = Quarter.parse("2026Q2")
    before = pa.tier_allocation(previous, tx, q.shift(-4).start, q.shift(-4).end)
    assert rpt.keep_the_allocation(previous, before, ctx()) == "No customer loses money: keep the current allocation."
    assert rpt.keep_the_allocation(profit, allocation, ctx()) is None
    assert rpt.advice(ctx(), previous, before) == ["No customer loses money: keep the current allocation."]
    assert rpt.advice(ctx(), previous) == []  # the allocation not computed: whether to keep it is unknown


def test_advice_keeps_the_first_three_rules_that_fire(region):
    profit, _, allocation, migration = region
    said = rpt.advice(ctx("zh"), profit, allocation, migration)
    assert len(said) == 3 and said[0].startswith("在争取更多销量之前") and said[2].startswith("询问")


def test_single_buyer_result_fires_only_when_one_customer_bought(region):
    profit, _, _, _ = region
    lone = profit.loc[["e"]]  # e: 500 - 440 - 100 = -40
    assert rpt.single_buyer_result(lone, ctx()) == (
        "The only customer who bought this quarter loses CN¥40 after cost to serve: review its prices, terms and service."
    )
    assert rpt.advice(ctx("zh"), lone) == ["本季度唯一有购买的客户扣除服务成本后亏损 ¥40：请复查其价格、账期和服务。"]
    assert rpt.single_buyer_result(profit, ctx()) is None
