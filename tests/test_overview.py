"""Tests for custlib.analysis.overview, custlib.present.overview and the summary rules: hand arithmetic on a tiny region, and degenerate regions."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from custlib.analysis import overview as analysis
from custlib.exceptions import DataError, InsufficientDataError
from custlib.io.periods import Quarter

Q3 = Quarter(2026, 3)


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
    out = analysis.quarter_kpis(tx, Q3, service_costs=service_costs())
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
    out = analysis.quarter_kpis(orders(), Q3)
    assert "cost_to_serve" not in out.index and out.loc["revenue", "2026Q3"] == 1000


def test_monthly_trend_of_the_hand_built_region():
    """Hand arithmetic over the six months April..September 2026: April nothing; May A 200 (gross 50);
    June B 100 (50); July A's two lines 400 (100), one order; August C 200 (100); September B 400 (150)."""
    out = analysis.monthly_trend(orders(), Q3.end, months=6)
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
    out = analysis.top_customers(orders(), customers(), Q3, n=2)
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
        analysis.quarter_kpis(orders().drop(columns="cost"), Q3)


# --------------------------------------------------------------------------- degenerate regions


def test_a_single_customer_gets_every_section():
    tx, cu = orders(keep=("A",)), customers(keep=("A",))
    assert analysis.quarter_kpis(tx, Q3, service_costs=service_costs()).loc["active_customers", "2026Q3"] == 1
    assert analysis.top_customers(tx, cu, Q3, n=5)["share_of_revenue"].tolist() == [1.0]
    assert len(analysis.monthly_trend(tx, Q3.end)) == 24


def test_no_orders_in_the_quarter_is_a_coded_reason_and_the_trend_stays():
    tx = orders(before="2026-07-01")
    with pytest.raises(InsufficientDataError, match="its last order before it was on 2026-06-30") as err:
        analysis.quarter_kpis(tx, Q3)
    assert err.value.code == "no_orders_in_quarter" and err.value.fields["quarter"] == "2026Q3"
    with pytest.raises(InsufficientDataError, match=r"no customer ordered in 2026Q3 \(2026-07-01 to 2026-09-30\)") as err:
        analysis.top_customers(tx, customers(), Q3)
    assert err.value.code == "no_customers_in_quarter"
    assert analysis.monthly_trend(tx, Q3.end, months=6)["revenue"].tolist() == [0.0, 200.0, 100.0, 0.0, 0.0, 0.0]


def test_quarter_kpis_without_service_costs_for_the_quarter_has_unknown_cost_to_serve():
    out = analysis.quarter_kpis(orders(), Q3, service_costs=service_costs().iloc[:1])
    assert np.isnan(out.loc["cost_to_serve", "2026Q3"]) and np.isnan(out.loc["net_profit", "2026Q3"])


def test_without_any_orders_every_step_has_a_coded_reason():
    tx = orders().iloc[0:0]
    with pytest.raises(InsufficientDataError, match="the region has no orders in the 24 months from 2024-10-01 to 2026-09-30") as err:
        analysis.monthly_trend(tx, Q3.end)
    assert err.value.code == "no_orders_in_months" and err.value.fields["months"] == 24
    with pytest.raises(InsufficientDataError, match="it has no earlier orders either") as err:
        analysis.quarter_kpis(tx, Q3)
    assert err.value.fields["last_order"] is None
    with pytest.raises(InsufficientDataError, match="nobody can have stopped ordering in 2026Q3") as err:
        analysis.lapsed_customers(tx, customers(), Q3)
    assert err.value.code == "no_orders_in_previous_quarter" and err.value.fields["previous"] == "2026Q2"


def test_lapsed_view_shows_the_largest_with_a_caption_saying_how_many_are_left_out():
    """2026Q4 after the hand-built data: A, B and C ordered in 2026Q3 and nobody in 2026Q4; with n=2
    the caption says 2 of 3."""
    from custlib.present.overview import lapsed_view
    from custlib.reports.context import ReportContext

    q4 = ReportContext(region="east", quarter=Quarter(2026, 4), params={}, data=None, lang="en")
    view = lapsed_view(analysis.lapsed_customers(orders(), customers(), Quarter(2026, 4)), q4, n=2)
    assert view.caption == "The 2 largest of 3 customers who stopped ordering, by revenue in 2026Q3"
    assert view.frame["Revenue last quarter"].tolist() == [400.0, 400.0] and view.kinds["Last order"] == "date"
    everyone = lapsed_view(analysis.lapsed_customers(orders(), customers(), Q3), report_ctx("en"))
    assert everyone.caption == "Every customer who ordered in 2026Q2 ordered again in 2026Q3."


# --------------------------------------------------------------------------- customers who stopped ordering


def test_lapsed_customers_are_last_quarters_buyers_without_an_order_this_quarter():
    """Hand data cut at 2026-09-01: B ordered in 2026Q2 (o3, 100 on 2026-06-30) and its 2026Q3 order (o5 on
    2026-09-30) is cut, so B is the one customer who stopped; A ordered in both quarters."""
    out = analysis.lapsed_customers(orders(before="2026-09-01"), customers(), Q3)
    expected = pd.DataFrame(
        {
            "customer_id": ["B"],
            "name": ["Beta Co"],
            "industry": ["retail"],
            "revenue_previous": [100.0],
            "last_order": pd.to_datetime(["2026-06-30"]),
        }
    ).astype({c: "str" for c in ("customer_id", "name", "industry")})
    pd.testing.assert_frame_equal(out, expected)


def test_lapsed_customers_are_ordered_by_last_quarters_revenue_then_id():
    """2026Q4 has no orders, so every 2026Q3 buyer stopped: A 300 + 100 = 400 (2026-07-01) and B 400
    (2026-09-30) tie and are ordered by id, then C 200 (2026-08-15)."""
    out = analysis.lapsed_customers(orders(), customers(), Quarter(2026, 4))
    assert out["customer_id"].tolist() == ["A", "B", "C"]
    assert out["revenue_previous"].tolist() == [400.0, 400.0, 200.0]
    assert out["last_order"].dt.strftime("%Y-%m-%d").tolist() == ["2026-07-01", "2026-09-30", "2026-08-15"]


def test_lapsed_customers_need_orders_in_the_previous_quarter():
    with pytest.raises(InsufficientDataError, match=r"no orders in 2026Q1 \(2026-01-01 to 2026-03-31\)"):
        analysis.lapsed_customers(orders(), customers(), Quarter(2026, 2))


# --------------------------------------------------------------------------- display


def test_kpi_view_never_shows_minus_zero():
    """A margin going from 0.3 to 0.29996 changes by -0.004 points: rounded to one decimal that is 0.0."""
    from custlib.present.overview import kpi_view

    kpis = pd.DataFrame(
        {"2026Q3": [0.29996], "2026Q2": [0.3], "change": [-0.0001], "2025Q3": [0.3], "change_yoy": [-0.0001]},
        index=pd.Index(["gross_margin"], name="figure"),
    )
    out = kpi_view(kpis, report_ctx("en")).frame.set_index("Figure")
    assert out.loc["Gross margin", "Change on 2026Q2"] == "0.0 pt"  # the formatter signs no zero
    out = kpi_view(kpis.rename(index={"gross_margin": "revenue"}), report_ctx("en")).frame.set_index("Figure")
    assert out.loc["Revenue", "Change on 2026Q2"] == "0.0%"


def test_kpi_view_shows_each_figure_in_its_unit_and_the_margin_change_in_points():
    """The hand-built kpis (see test_quarter_kpis_of_the_hand_built_region) formatted by hand: counts whole,
    margin 0.35 -> 35.0%; its change (0.35 - 1/3) * 100 = +1.7 points against 2026Q2 and
    (0.35 - 0.4) * 100 = -5.0 points year on year; other changes as signed percentages."""
    from custlib.present.overview import kpi_view

    out = kpi_view(analysis.quarter_kpis(orders(), Q3, service_costs=service_costs()), report_ctx("en")).frame
    assert out["Figure"].tolist() == [
        "Customers who ordered",
        "Orders",
        "Revenue",
        "Gross profit",
        "Gross margin",
        "Revenue per customer",
        "Cost to serve",
        "Net profit",
    ]
    assert out["2026Q3"].tolist() == ["3", "3", "CN¥1,000", "CN¥350", "35.0%", "CN¥333", "CN¥50", "CN¥300"]
    assert out["Change on 2026Q2"].tolist() == ["+50.0%", "+50.0%", "+233.3%", "+250.0%", "+1.7 pt", "+122.2%", "+400.0%", "+233.3%"]
    assert out["Change on 2025Q3"].tolist() == ["+200.0%", "+200.0%", "+900.0%", "+775.0%", "-5.0 pt", "+233.3%", "–", "–"]


def test_monthly_trend_chart_labels_one_month_per_quarter_and_formats_money():
    """24 months from 2024-10 to 2026-09: quarters start in 2025-01, -04, -07, -10, 2026-01, -04, -07 and 2024-10."""
    from custlib.present.overview import monthly_trend_chart

    ax = monthly_trend_chart(analysis.monthly_trend(orders(), Q3.end, months=24), report_ctx("en"))
    try:
        assert len(ax.get_xticklabels()) == 8 and len(ax.patches) == 24
        assert ax.get_title() == "Monthly revenue and gross profit"
        assert ax.yaxis.get_major_formatter()(2_000_000, 0) == "CN¥2M"
    finally:
        plt.close("all")


# --------------------------------------------------------------------------- executive summary


def summary_inputs(tx, quarter=Q3, costs=None, n=2):
    from custlib.reports.sections import compute

    kpis = compute(analysis.quarter_kpis, tx, quarter, service_costs=costs)
    top = compute(analysis.top_customers, tx, customers(), quarter, n=n)
    lapsed = compute(analysis.lapsed_customers, tx, customers(), quarter)
    before = compute(analysis.lapsed_customers, tx, customers(), quarter.previous)
    return kpis, top, lapsed, before


def test_headline_figures_of_the_hand_built_region():
    """Figures from the hand arithmetic of test_quarter_kpis_of_the_hand_built_region: revenue 1000 (previous
    300), margin 0.35 (1/3), net profit 300 (90), 3 customers (2); nobody stopped ordering in 2026Q3 (A and B
    ordered again), and 2026Q2's count is unknown (no orders in 2026Q1). Actions: cost to serve rose 400%
    while revenue rose 233.3% (more than 5 points faster); the 2 largest of 3 buyers (A and B, 400 each) hold
    800 / 1000 = 80% of revenue."""
    from custlib.reports import overview as summary

    kpis, top, lapsed, before = summary_inputs(orders(), costs=service_costs())
    expected = pd.DataFrame(
        {
            "figure": ["Revenue", "Gross margin", "Net profit", "Customers who ordered", "Customers who stopped ordering"],
            "value": [1000.0, 0.35, 300.0, 3.0, 0.0],
            "previous": [300.0, 1 / 3, 90.0, 2.0, np.nan],
            "unit": ["money", "pct", "money", "count", "count"],
            "good": ["up", "up", "up", "up", "down"],
            "on_cost": [False, True, True, False, False],
        }
    )
    pd.testing.assert_frame_equal(summary.headline_figures(kpis, lapsed, before), expected, check_dtype=False)
    assert summary.advice(kpis, top, lapsed, report_ctx("en")) == [
        "Cost to serve rose 400.0% against last quarter while revenue rose 233.3%: review visits, deliveries and support before adding more.",
        "The 2 largest customers bring 80% of revenue: give each a named account manager and watch their orders every month.",
    ]
    kpis, top, lapsed, _ = summary_inputs(orders(), costs=service_costs(), n=3)
    assert not any(a.startswith("The 3 largest") for a in summary.advice(kpis, top, lapsed, report_ctx("en")))  # all the buyers


def test_headline_figures_name_the_customers_who_stopped_and_fall_back_to_gross_profit():
    """Data cut at 2026-09-01 without service costs: 2026Q3 revenue A 400 + C 200 = 600, gross profit 200
    (margin 1/3, as in 2026Q2: no margin action); B stopped, having bought 100 in 2026Q2."""
    from custlib.reports import overview as summary

    kpis, top, lapsed, before = summary_inputs(orders(before="2026-09-01"), n=5)
    figures = summary.headline_figures(kpis, lapsed, before)
    assert figures["figure"].tolist()[2] == "Gross profit" and figures["value"].tolist()[2] == 200.0
    assert figures["value"].tolist()[4] == 1.0
    actions = summary.advice(kpis, top, lapsed, report_ctx("en"))
    assert actions[0] == "Call the 1 customer who ordered in 2026Q2 but not in 2026Q3 (listed below): it bought CN¥100 in 2026Q2."


def test_headline_figures_degrade_when_the_quarter_has_no_orders():
    from custlib.reports import overview as summary

    kpis, top, lapsed, before = summary_inputs(orders(before="2026-07-01"))
    figures = summary.headline_figures(kpis, lapsed, before)
    assert figures["value"].iloc[:4].isna().all() and figures["previous"].iloc[:4].isna().all()
    assert figures["value"].iloc[4] == 2.0  # A and B ordered in 2026Q2 and not since
    actions = summary.advice(kpis, top, lapsed, report_ctx("en"))
    assert len(actions) == 1 and actions[0].startswith("Call the 2 customers who ordered in 2026Q2")


# --------------------------------------------------------------------------- Chinese


def _zh_ok(text: str) -> bool:
    """Chinese, with only quarter names left in Latin letters."""
    import re

    return bool(re.search(r"[\u4e00-\u9fff]", text)) and not re.findall(r"[A-Za-z]{3,}", re.sub(r"\d{4}Q\d", "", text))


def test_every_sentence_of_the_overview_summary_reads_in_chinese():
    """Actions and figure labels of the hand-built cases, in Chinese, keep their numbers."""
    from custlib.present.messages import Messages
    from custlib.reports import overview as summary

    t = Messages("zh", "overview")
    for tx, costs in [(orders(), service_costs()), (orders(before="2026-09-01"), None), (orders(before="2026-07-01"), None)]:
        kpis, top, lapsed, before = summary_inputs(tx, costs=costs)
        texts = summary.advice(kpis, top, lapsed, report_ctx("zh"))
        texts += [t.gettext(f) for f in summary.headline_figures(kpis, lapsed, before)["figure"]]
        for text in texts:
            assert _zh_ok(text), text


# --------------------------------------------------------------------------- views and charts (custlib.present.overview)


def report_ctx(lang: str):
    from custlib.reports.context import ReportContext

    return ReportContext(region="east", quarter=Q3, params={}, data=None, lang=lang)


def test_kpi_view_shows_changes_with_sign_and_unit_relative_for_amounts_points_for_margin():
    from custlib.present.overview import kpi_view

    kpis = analysis.quarter_kpis(orders(), Q3)
    frame = kpi_view(kpis, report_ctx("en")).frame.set_index("Figure")
    # revenue 1000 against 300 last quarter: +233.3%; margin 350/1000 = 35.0% against 100/300 = 33.3%: +1.7 pt
    assert frame.loc["Revenue", "Change on 2026Q2"] == "+233.3%"
    assert frame.loc["Gross margin", "Change on 2026Q2"] == "+1.7 pt"
    assert frame.loc["Gross margin", "2026Q3"] == "35.0%"
    zh = kpi_view(kpis, report_ctx("zh")).frame.set_index("指标")
    assert zh.loc["毛利率", "较 2026Q2 变化"] == "+1.7 个百分点"


def test_top_customers_and_lapsed_views_translate_headers_and_industries_not_names():
    from custlib.present.overview import lapsed_view, top_customers_view

    top = analysis.top_customers(orders(), customers(), Q3, n=2)
    view = top_customers_view(top, report_ctx("zh"))
    assert list(view.frame.columns) == ["客户", "行业", "销售收入", "毛利", "毛利率", "销售收入占比"]
    assert set(view.frame["客户"]) <= set(customers()["name"])
    lapsed = analysis.lapsed_customers(orders(keep=("A", "B")), customers(), Q3)
    assert list(lapsed_view(lapsed, report_ctx("en")).frame.columns) == ["Customer", "Industry", "Revenue last quarter", "Last order"]


def test_monthly_trend_chart_has_a_translated_title_and_money_axis():
    from custlib.present.overview import monthly_trend_chart

    trend = analysis.monthly_trend(orders(), Q3.end, months=6)
    ax = monthly_trend_chart(trend, report_ctx("zh"))
    assert ax.get_title() == "月度销售收入与毛利"
    assert "¥" in ax.yaxis.get_major_formatter()(1000, 0)
    plt.close(ax.figure)
