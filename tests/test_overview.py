"""Tests for custlib.overview: hand arithmetic on a tiny region, and degenerate regions."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from custlib import overview
from custlib.exceptions import DataError, InsufficientDataError
from custlib.periods import Quarter

Q3 = Quarter(2026, 3)
SECTIONS = {"kpis", "trend", "top_customers"}


def orders(keep=("A", "B", "C"), before=None) -> pd.DataFrame:
    """Order lines of three customers (A, B, C), by hand.

    2025Q3: A o1 100 (cost 60). 2026Q2: A o2 200 (150) on 2026-05-05, B o3 100 (50) on 2026-06-30.
    2026Q3: A o4 in two lines 300 (200) + 100 (100) on 2026-07-01, C o6 200 (100) on 2026-08-15,
    B o5 400 (250) on 2026-09-30 (the quarter's last day). ``before`` keeps only lines dated earlier.
    """
    frame = pd.DataFrame(
        {
            "order_id": ["o1", "o2", "o3", "o4", "o4", "o6", "o5"],
            "customer_id": ["A", "A", "B", "A", "A", "C", "B"],
            "order_date": pd.to_datetime(
                ["2025-08-10", "2026-05-05", "2026-06-30", "2026-07-01", "2026-07-01", "2026-08-15", "2026-09-30"]
            ),
            "product_id": ["p1", "p1", "p2", "p1", "p2", "p1", "p2"],
            "category": ["x"] * 7,
            "quantity": [1.0] * 7,
            "revenue": [100.0, 200.0, 100.0, 300.0, 100.0, 200.0, 400.0],
            "cost": [60.0, 150.0, 50.0, 200.0, 100.0, 100.0, 250.0],
        }
    ).astype({"order_id": "str", "customer_id": "str", "product_id": "str", "category": "str"})
    frame = frame[frame["customer_id"].isin(keep)]
    if before is not None:
        frame = frame[frame["order_date"] < before]
    return frame.reset_index(drop=True)


def customers(keep=("A", "B", "C")) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C"],
            "name": ["Alpha Ltd", "Beta Co", "Gamma Inc"],
            "region": ["East"] * 3,
            "industry": ["machinery", "retail", "mining"],
            "market_type": ["producer", "reseller", "government"],
        },
        dtype="str",
    )
    return frame[frame["customer_id"].isin(keep)].reset_index(drop=True)


def service_costs() -> pd.DataFrame:
    """Cost to serve: 2026Q2 A 10 (June); 2026Q3 A 30 (July) + B 20 (September) = 50; none in 2025Q3."""
    return pd.DataFrame(
        {
            "customer_id": pd.Series(["A", "A", "B"], dtype="str"),
            "month": pd.to_datetime(["2026-06-01", "2026-07-01", "2026-09-01"]),
            "cost_to_serve": [10.0, 30.0, 20.0],
        }
    )


# --------------------------------------------------------------------------- known answers


def test_quarter_kpis_of_the_hand_built_region():
    """Hand arithmetic. 2026Q3: customers A, B, C = 3; orders o4, o5, o6 = 3; revenue 300 + 100 + 400 + 200
    = 1000; cost 650 -> gross profit 350, margin 0.35, revenue per customer 1000/3; cost to serve 50 -> net
    profit 300. 2026Q2: 2 customers, 2 orders, revenue 300, gross profit 100, margin 1/3, 150 per customer,
    cost to serve 10, net 90. 2025Q3: 1, 1, 100, 40, 0.4, 100, no service-cost rows (unknown, NaN).
    Changes: (3 - 2)/2 = 0.5; revenue 700/300 = 7/3; gross profit 2.5; margin (0.35 - 1/3)/(1/3) = 0.05;
    per customer (1000/3 - 150)/150 = 11/9; cost to serve 4; net 210/90 = 7/3. Year on year: customers 2,
    orders 2, revenue 9, gross profit 310/40 = 7.75, margin -0.125, per customer 7/3."""
    tx = orders()
    before = tx.copy()
    out = overview.quarter_kpis(tx, Q3, service_costs=service_costs())
    idx = ["active_customers", "orders", "revenue", "gross_profit", "gross_margin", "revenue_per_customer", "cost_to_serve", "net_profit"]
    expected = pd.DataFrame(
        {
            "2026Q3": [3, 3, 1000, 350, 0.35, 1000 / 3, 50, 300],
            "2026Q2": [2, 2, 300, 100, 1 / 3, 150, 10, 90],
            "change": [0.5, 0.5, 7 / 3, 2.5, 0.05, 11 / 9, 4, 7 / 3],
            "2025Q3": [1, 1, 100, 40, 0.4, 100, np.nan, np.nan],
            "change_yoy": [2, 2, 9, 7.75, -0.125, 7 / 3, np.nan, np.nan],
        },
        index=pd.Index(idx, name="figure"),
        dtype="float64",
    )
    pd.testing.assert_frame_equal(out, expected)
    pd.testing.assert_frame_equal(tx, before)


def test_quarter_kpis_without_service_costs_has_no_cost_rows():
    out = overview.quarter_kpis(orders(), Q3)
    assert "cost_to_serve" not in out.index and out.loc["revenue", "2026Q3"] == 1000


def test_monthly_trend_of_the_hand_built_region():
    """Hand arithmetic over the six months April..September 2026: April nothing; May A 200 (gross 50);
    June B 100 (50); July A's two lines 400 (100), one order; August C 200 (100); September B 400 (150)."""
    out = overview.monthly_trend(orders(), Q3.end, months=6)
    expected = pd.DataFrame(
        {
            "month": pd.date_range("2026-04-01", periods=6, freq="MS", name="month"),
            "revenue": [0.0, 200.0, 100.0, 400.0, 200.0, 400.0],
            "gross_profit": [0.0, 50.0, 50.0, 100.0, 100.0, 150.0],
            "orders": [0, 1, 1, 1, 1, 1],
            "active_customers": [0, 1, 1, 1, 1, 1],
        }
    )
    pd.testing.assert_frame_equal(out, expected, check_freq=False)


def test_top_customers_of_the_hand_built_region_breaks_ties_by_id():
    """Hand arithmetic for 2026Q3: A 400 (gross 100) and B 400 (150) tie and are ordered by id; C 200 (100)
    is cut by n=2. Shares of the quarter's 1000: 0.4 each; margins 100/400 = 0.25, 150/400 = 0.375."""
    out = overview.top_customers(orders(), customers(), Q3, n=2)
    expected = pd.DataFrame(
        {
            "customer_id": ["A", "B"],
            "name": ["Alpha Ltd", "Beta Co"],
            "industry": ["machinery", "retail"],
            "market_type": ["producer", "reseller"],
            "revenue": [400.0, 400.0],
            "gross_profit": [100.0, 150.0],
            "gross_margin": [0.25, 0.375],
            "share_of_revenue": [0.4, 0.4],
        }
    ).astype({c: "str" for c in ("customer_id", "name", "industry", "market_type")})
    pd.testing.assert_frame_equal(out, expected)


def test_quarter_kpis_name_the_missing_column():
    with pytest.raises(DataError, match="transactions: column 'cost' is missing"):
        overview.quarter_kpis(orders().drop(columns="cost"), Q3)


# --------------------------------------------------------------------------- degenerate regions


def test_overview_region_computes_every_section():
    rep = overview.overview_region(orders(), customers(), "2026Q3", service_costs=service_costs(), months=6, top_n=2, currency="CNY")
    assert rep.unavailable == {} and rep.caveats == {}
    assert set(rep.tables) == SECTIONS
    assert rep.table("kpis").loc["net_profit", "2026Q3"] == 300


def test_overview_region_with_a_single_customer_shows_every_section():
    rep = overview.overview_region(orders(keep=("A",)), customers(keep=("A",)), Q3, service_costs=service_costs(), top_n=5)
    assert rep.unavailable == {}
    assert rep.table("kpis").loc["active_customers", "2026Q3"] == 1
    assert rep.table("top_customers")["share_of_revenue"].tolist() == [1.0]
    assert len(rep.table("trend")) == 24


def test_overview_region_with_no_orders_in_the_quarter_says_so_and_keeps_the_trend():
    tx = orders(before="2026-07-01")
    rep = overview.overview_region(tx, customers(), Q3, service_costs=service_costs(), months=6)
    assert set(rep.unavailable) == {"kpis", "top_customers"}
    assert rep.note("kpis") == ("the region has no orders in 2026Q3 (2026-07-01 to 2026-09-30); its last order before it was on 2026-06-30")
    assert rep.note("top_customers") == "no customer ordered in 2026Q3 (2026-07-01 to 2026-09-30)"
    assert rep.table("trend")["revenue"].tolist() == [0.0, 200.0, 100.0, 0.0, 0.0, 0.0]


def test_overview_region_without_service_costs_notes_it_and_shows_the_rest():
    rep = overview.overview_region(orders(), customers(), Q3)
    assert rep.unavailable == {}
    assert "no service_costs table" in rep.note("kpis")
    assert "net_profit" not in rep.table("kpis").index


def test_overview_region_with_service_costs_missing_for_the_quarter_says_cost_to_serve_is_unknown():
    rep = overview.overview_region(orders(), customers(), Q3, service_costs=service_costs().iloc[:1])
    assert rep.note("kpis") == "no service-cost rows for 2026Q3: its cost to serve and net profit are unknown"


def test_overview_region_without_any_orders_leaves_every_section_unavailable():
    rep = overview.overview_region(orders().iloc[0:0], customers(), Q3)
    assert set(rep.unavailable) == SECTIONS
    assert rep.note("trend") == "the region has no orders in the 24 months from 2024-10-01 to 2026-09-30"
    assert rep.note("kpis").endswith("it has no earlier orders either")
    with pytest.raises(InsufficientDataError, match="no customer ordered"):
        rep.table("top_customers")


def test_overview_report_formats_tables_and_says_why_a_section_is_missing(monkeypatch):
    from custlib import report

    said, shown = [], []
    monkeypatch.setattr(report, "say", said.append)
    monkeypatch.setattr(report, "show", lambda df, caption=None, **kw: shown.append((df, kw)))
    rep = overview.overview_region(orders(before="2026-07-01"), customers(), Q3, months=6, currency="CNY")
    rep.show("kpis")
    assert (
        said[-1]
        == "*Not available:* the region has no orders in 2026Q3 \\(2026-07-01 to 2026-09-30\\); its last order before it was on 2026-06-30"
    )
    rep = overview.overview_region(orders(), customers(), Q3, months=6, currency="CNY")
    rep.show("kpis")
    assert shown[-1][1]["index"] is True and shown[-1][1]["pct"] == ("change", "change_yoy")
    assert said[-1].startswith("*Note:* no service\\_costs table")  # escaped for Markdown
    rep.show("top_customers")
    assert shown[-1][1] == {"money": ("revenue", "gross_profit"), "pct": ("gross_margin", "share_of_revenue"), "currency": "CNY"}
    ax = rep.plot("trend", overview.plot_monthly_trend, currency="CNY")
    assert ax.get_title() == "Monthly revenue and gross profit" and len(ax.patches) == 6
    plt.close("all")
