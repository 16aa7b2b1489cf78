"""Tests for custlib.reports.overview: headline figures and each advice rule, firing and not firing."""

from __future__ import annotations

import pandas as pd

from custlib.exceptions import InsufficientDataError
from custlib.io.periods import Quarter
from custlib.reports import overview as rep
from custlib.reports.context import ReportContext
from custlib.reports.sections import compute

Q3 = Quarter(2026, 3)


def ctx(lang: str = "en") -> ReportContext:
    return ReportContext(region="east", quarter=Q3, params={}, data=None, lang=lang)


def kpis(margin=(0.35, 0.35), revenue_change=0.10, cts_change=0.0, buyers=10.0) -> pd.DataFrame:
    """A quarter_kpis-shaped table by hand: columns this quarter, previous, change, year ago, change_yoy."""
    rows = {
        "active_customers": (buyers, buyers, 0.0),
        "revenue": (1100.0, 1000.0, revenue_change),
        "gross_margin": (margin[0], margin[1], margin[0] / margin[1] - 1),
        "gross_profit": (385.0, 350.0, 0.1),
        "cost_to_serve": (50.0, 50.0, cts_change),
        "net_profit": (335.0, 300.0, 0.117),
    }
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=["2026Q3", "2026Q2", "change"])
    frame["2025Q3"], frame["change_yoy"] = frame["2026Q2"], frame["change"]
    return frame


def too_thin():
    raise InsufficientDataError("no orders", code="no_orders_in_quarter")


LAPSED = pd.DataFrame(
    {"customer_id": ["X", "Y"], "name": ["X Ltd", "Y Ltd"], "industry": ["Mining"] * 2, "revenue_previous": [1000.0, 234.0]}
)
NONE_LAPSED = LAPSED.iloc[:0]


def test_call_lapsed_customers_fires_with_count_and_revenue():
    assert rep.call_lapsed_customers(LAPSED, ctx()) == (
        "Call the 2 customers who ordered in 2026Q2 but not in 2026Q3 (listed below): they bought CN¥1,234 in 2026Q2."
    )
    assert "致电 2 家" in rep.call_lapsed_customers(LAPSED, ctx("zh"))


def test_call_lapsed_customers_is_silent_when_everyone_ordered_again():
    assert rep.call_lapsed_customers(NONE_LAPSED, ctx()) is None


def test_check_prices_fires_when_margin_fell_a_point_or_more():
    assert rep.check_prices_when_margin_fell(kpis(margin=(0.33, 0.35)), ctx()) == (
        "Gross margin fell from 35.0% to 33.0%: check prices and discounts on the largest orders."
    )


def test_check_prices_is_silent_when_margin_fell_less_than_a_point():
    assert rep.check_prices_when_margin_fell(kpis(margin=(0.345, 0.35)), ctx()) is None


def test_review_cost_to_serve_fires_when_it_outgrows_revenue_by_five_points():
    assert rep.review_cost_to_serve(kpis(revenue_change=-0.02, cts_change=0.08), ctx()).startswith(
        "Cost to serve rose 8.0% against last quarter while revenue fell 2.0%"
    )


def test_review_cost_to_serve_is_silent_when_it_grows_with_revenue():
    assert rep.review_cost_to_serve(kpis(revenue_change=0.10, cts_change=0.12), ctx()) is None


def test_watch_largest_customers_fires_when_few_bring_over_half():
    top = pd.DataFrame({"share_of_revenue": [0.4, 0.2]})
    assert rep.watch_largest_customers(top, kpis(buyers=10), ctx()).startswith("The 2 largest customers bring 60% of revenue")


def test_watch_largest_customers_is_silent_when_they_are_all_the_buyers_or_under_half():
    assert rep.watch_largest_customers(pd.DataFrame({"share_of_revenue": [0.6, 0.4]}), kpis(buyers=2), ctx()) is None
    assert rep.watch_largest_customers(pd.DataFrame({"share_of_revenue": [0.3, 0.1]}), kpis(buyers=10), ctx()) is None


def test_advice_keeps_the_plan_when_no_rule_fires_and_says_nothing_without_figures():
    unavailable = compute(too_thin)
    assert rep.advice(kpis(), pd.DataFrame({"share_of_revenue": [0.1]}), NONE_LAPSED, ctx()) == [
        "Revenue, margin and customers held up against last quarter: keep the current plan."
    ]
    assert rep.advice(unavailable, unavailable, unavailable, ctx()) == []


def test_headline_figures_use_net_profit_and_count_lapsed_customers():
    figures = rep.headline_figures(kpis(), LAPSED, NONE_LAPSED).set_index("figure")
    assert list(figures.index) == ["Revenue", "Gross margin", "Net profit", "Customers who ordered", "Customers who stopped ordering"]
    assert figures.loc["Customers who stopped ordering", ["value", "previous"]].tolist() == [2.0, 0.0]
    assert figures.loc["Net profit", "value"] == 335.0
