"""The region's facts (custlib.analysis.facts): one definition per measure, checked by hand and against every report's use of it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custlib.analysis import development as dev
from custlib.analysis import overview as ov
from custlib.analysis import pareto as pa
from custlib.analysis.facts import MEASURES, abc_classes, customer_quarters, region_facts
from custlib.io.periods import Quarter
from custlib.reports import pareto as rpt
from custlib.reports.context import ReportContext

Q1, Q2 = Quarter.parse("2026Q1"), Quarter.parse("2026Q2")


def hand_region():
    """Four customers over two quarters, by hand.

    2026Q1: A orders o1 (100, cost 60) and o2 (50, cost 30); B orders o3 (40, cost 30). Cost to serve: A 10.
    2026Q2: A only returns goods (credit note c1: -20, cost -12); C orders o4 (80, cost 50), its first order;
    D is served (cost to serve 15) without any line; B orders nothing. Cost to serve: C 5, D 15.
    """
    tx = pd.DataFrame(
        {
            "customer_id": ["A", "A", "B", "A", "C"],
            "order_id": ["o1", "o2", "o3", "c1", "o4"],
            "order_date": pd.to_datetime(["2026-01-10", "2026-02-10", "2026-03-10", "2026-05-01", "2026-06-01"]),
            "revenue": [100.0, 50.0, 40.0, -20.0, 80.0],
            "cost": [60.0, 30.0, 30.0, -12.0, 50.0],
            "is_credit_note": [False, False, False, True, False],
        }
    )
    sc = pd.DataFrame(
        {
            "customer_id": ["A", "C", "D"],
            "month": pd.to_datetime(["2026-02-01", "2026-06-01", "2026-05-01"]),
            "cost_to_serve": [10.0, 5.0, 15.0],
        }
    )
    customers = pd.DataFrame({"customer_id": ["A", "B", "C", "D", "E"]})  # E never ordered and was never served
    return tx, sc, customers


def test_customer_quarters_by_hand():
    tx, sc, _ = hand_region()
    g = customer_quarters(tx, sc).set_index(["customer_id", "quarter"])
    a1, a2 = g.loc[("A", pd.Period("2026Q1"))], g.loc[("A", pd.Period("2026Q2"))]
    assert (a1["revenue"], a1["gross_profit"], a1["cost_to_serve"], a1["net_profit"], a1["orders"]) == (150.0, 60.0, 10.0, 50.0, 2)
    assert not a1["new"]  # first order in the data's first quarter: earlier history unknown, never new
    assert (a2["revenue"], a2["net_profit"], a2["orders"], a2["is_buyer"], a2["returns_only"]) == (-20.0, -8.0, 0, False, True)
    c2, d2 = g.loc[("C", pd.Period("2026Q2"))], g.loc[("D", pd.Period("2026Q2"))]
    assert c2["new"] and (c2["net_profit"], c2["first_order"]) == (25.0, pd.Period("2026Q2"))
    assert (d2["revenue"], d2["cost"], d2["net_profit"], d2["is_buyer"], d2["returns_only"]) == (0.0, 0.0, -15.0, False, False)
    assert pd.isna(d2["first_order"]) and len(g) == 5
    assert g.loc[("B", pd.Period("2026Q1")), "cost_to_serve"] == 0.0  # a quarter with rows: no row of B's is a cost of 0
    no_serve = customer_quarters(tx, None)
    assert no_serve["cost_to_serve"].isna().all() and no_serve["net_profit"].isna().all()  # unknown, never 0


def test_region_measures_by_hand():
    """2026Q2: active C (1), new C, lost A and B (ordered in Q1, not in Q2), revenue -20 + 80 = 60, gross -8 + 30 = 22,
    cost to serve 5 + 15 = 20 (D's too), net 2; new customers' profit C 25, the rest -23 (A -8, D -15)."""
    tx, sc, customers = hand_region()
    f = region_facts(tx, customers, sc, Q2)
    m = f.measures()
    assert (m["customers_in_base"], m["customers_ordered_to_date"], m["active_customers"]) == (5, 3, 1)
    assert (m["new_customers"], m["existing_customers"], m["lost_customers"], m["orders"]) == (1, 0, 2, 1)
    assert (m["revenue"], m["gross_profit"], m["cost_to_serve"], m["net_profit"]) == (60.0, 22.0, 20.0, 2.0)
    assert (m["new_revenue"], m["existing_revenue"], m["new_profit"], m["existing_profit"]) == (80.0, -20.0, 25.0, -23.0)
    assert (m["served_without_orders"], m["cost_to_serve_without_orders"]) == (1, 15.0)
    assert m["gross_margin"] == pytest.approx(22 / 60) and m["revenue_per_customer"] == 60.0
    q1 = f.measures(Q1)
    assert (q1["active_customers"], q1["new_customers"], q1["revenue"], q1["net_profit"]) == (2, 0, 190.0, 60.0)  # 60 + 10 - 10
    assert set(m.index) == set(MEASURES)


def test_measures_without_the_cost_of_goods_are_missing_not_zero():
    tx, sc, customers = hand_region()
    m = region_facts(tx.assign(cost=np.nan), customers, sc, Q2).measures()
    assert m["revenue"] == 60.0 and np.isnan(m["gross_profit"]) and np.isnan(m["net_profit"]) and np.isnan(m["gross_margin"])


def test_customers_making_the_first_cut_off_are_class_a():
    """share_of_customers_for at the first cut-off is the share of buyers in ABC class A, losses included (random regions)."""
    rng = np.random.default_rng(3)
    for _ in range(200):
        n = int(rng.integers(2, 40))
        v = pd.Series(rng.normal(10, 20, n).round(1), index=[f"c{i:02d}" for i in range(n)])
        if (v > 0).sum() == 0 or v.sum() <= 0:
            continue
        for c1 in (0.5, 0.8, 0.95):
            assert pa.share_of_customers_for(v, c1) == pytest.approx((abc_classes(v, (c1, 1.0)) == "A").mean())


def test_concentration_over_the_buyers_only():
    """2026Q1: buyers A (150) and B (40): A alone brings 150 / 190 = 79% < 80%, so both: 2 of 2, class A 2, B 0;
    Gini of [40, 150] = (-40 + 150) / (2 * 190). With cut-offs 0.75 / 0.9: A alone (1 of 2), B in class B."""
    tx, sc, customers = hand_region()
    m = region_facts(tx, customers, sc, Q2).measures(Q1)
    assert m["customers_making_share_revenue"] == 1.0 and m["class_a_customers"] == 2 and m["class_b_customers"] == 0
    assert m["gini_revenue"] == pytest.approx(110 / 380)
    m = region_facts(tx, customers, sc, Q2, cutoffs=(0.75, 0.9)).measures(Q1)
    assert (m["customers_making_share_revenue"], m["class_a_customers"], m["class_b_customers"]) == (0.5, 1, 1)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """One region of a small seeded sample (orders, credit notes, cost to serve of customers who did not order)."""
    from custlib.io.sample import generate_sample

    out = tmp_path_factory.mktemp("facts_sample")
    generate_sample(out, customers=400, regions=2, seed=5)
    customers = pd.read_parquet(out / "customers.parquet")
    customers = customers.loc[customers["region"] == customers["region"].iloc[0]]
    tx = pd.read_parquet(out / "transactions.parquet")
    sc = pd.read_parquet(out / "service_costs.parquet")
    tx = tx.loc[tx["customer_id"].isin(customers["customer_id"])].assign(order_date=lambda t: pd.to_datetime(t["order_date"]))
    sc = sc.loc[sc["customer_id"].isin(customers["customer_id"])].assign(month=lambda t: pd.to_datetime(t["month"]))
    q = Quarter.parse("2026Q3")
    return tx, customers, sc, q


def test_every_report_function_gives_the_facts_numbers(sample):
    """The overview's KPI table, the Pareto customer table, tier table and tiers, the development KPIs and the
    segmentation ABC classes are the facts' numbers for the same quarters."""
    tx, customers, sc, q = sample
    f = region_facts(tx, customers, sc, q)
    kpis = ov.quarter_kpis(tx, q, service_costs=sc)
    for figure in kpis.index:
        assert kpis.loc[figure, str(q)] == pytest.approx(f.measures(q)[figure])
        assert kpis.loc[figure, str(q.shift(-4))] == pytest.approx(f.measures(q.shift(-4))[figure])
    k = dev.development_kpis(tx, sc, quarter=q, n_quarters=6).set_index("quarter")
    for quarter in k.index:
        m = f.measures(quarter)
        assert k.loc[quarter, "total_revenue"] == pytest.approx(m["revenue"])
        assert k.loc[quarter, "total_profit"] == pytest.approx(m["net_profit"])  # customers served without ordering included
        assert (k.loc[quarter, "new_customers"], k.loc[quarter, "existing_profit"]) == (
            m["new_customers"],
            pytest.approx(m["existing_profit"]),
        )
    last = k.iloc[-1]
    change = f.measures(q)["net_profit"] - f.measures(q.shift(-4))["net_profit"]
    assert last["development_gain"] + last["acquisition_gain"] == pytest.approx(change)
    profit = pa.quarter_profit(f, q)
    old = pa.quarter_profitability(tx, sc, q)  # the period function: the same customers and sums
    cols = [c for c in old.columns if c not in ("orders", "new")]
    pd.testing.assert_frame_equal(profit[cols], old[cols], check_dtype=False)
    buyers = pa.with_two_customers(profit, len(customers))
    assert len(buyers) == f.measures(q)["active_customers"]
    tiers = pa.revenue_tiers(buyers["revenue"], cutoffs=f.cutoffs)
    pd.testing.assert_series_equal(tiers, f.abc(q).astype("str"), check_names=False)
    alloc = pa.tier_allocation(profit, tx, q.shift(-4).start, q.shift(-4).end, cutoffs=f.cutoffs).set_index("tier")
    m = f.measures(q)
    assert alloc.loc["all", "net_profit"] == pytest.approx(m["net_profit"]) and alloc.loc["all", "cost_to_serve"] == pytest.approx(
        m["cost_to_serve"]
    )
    assert alloc.loc["all", "revenue_growth"] == pytest.approx(m["revenue"] / f.measures(q.shift(-4))["revenue"] - 1)
    assert alloc.loc[["A", "B", "C"], "customers"].sum() == m["active_customers"]
    assert alloc.loc["none", "customers"] == len(profit) - m["active_customers"]
    assert alloc.loc["A", "customers"] == m["class_a_customers"]


def test_an_abc_table_of_the_quarter_leaves_out_unknown_measures(sample):
    tx, customers, _, q = sample
    f = region_facts(tx, customers, None, q)  # no cost to serve: net profit unknown
    assert list(f.abc_table(q).columns) == ["abc_revenue", "abc_gross_profit"]
    assert np.isnan(f.measures(q)["net_profit"]) and f.measures(q)["customers_making_share_net_profit"] == pytest.approx(
        f.measures(q)["customers_making_share_gross_profit"]
    )  # Pareto's "net profit here is gross profit"


def _ctx():
    return ReportContext(region="East", quarter=Q2, params={}, data=None, lang="en")


def test_rule_serve_less_without_orders_fires_and_stays_silent():
    """D was served (15) in 2026Q2 without ordering: the rule names it; A only returned goods (not served without an order);
    silent without cost-to-serve data and when every served customer ordered."""
    tx, sc, customers = hand_region()
    profit = pa.quarter_profit(region_facts(tx, customers, sc, Q2), Q2)
    assert rpt.serve_less_without_orders(profit, _ctx()) == (
        "1 customer cost CN¥15 to serve this quarter without ordering: visit it for an order or serve it less."
    )
    assert rpt.serve_less_without_orders(pa.quarter_profit(region_facts(tx, customers, None, Q2), Q2), _ctx()) is None
    assert rpt.serve_less_without_orders(pa.quarter_profit(region_facts(tx, customers, sc.iloc[:2], Q2), Q2), _ctx()) is None
    assert rpt.serve_less_without_orders(None, _ctx()) is None


def test_pareto_figures_count_buyers_only():
    """Served-only D (a loss of 15) is no loss-making buyer; A (returns only) is returned goods; C is the only buyer."""
    tx, sc, customers = hand_region()
    profit = pa.quarter_profit(region_facts(tx, customers, sc, Q2), Q2)
    v = pa.loss_figures(profit)
    assert np.isnan(v["destroyers"]) and v["returned"] == 1.0  # one buyer: no loss figures; A's returns are returned goods
    assert list(pa.buyers_only(profit).index) == ["C"]
