"""Pareto views and charts (custlib.present.pareto): translated headers, codes as labels, kinds, chart text."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from custlib.analysis import pareto as pa  # noqa: E402
from custlib.io.periods import Quarter  # noqa: E402
from custlib.present import pareto as views  # noqa: E402
from custlib.reports.context import ReportContext  # noqa: E402


def ctx(lang: str = "en") -> ReportContext:
    return ReportContext(region="East", quarter=Quarter.parse("2026Q3"), params={}, data=None, lang=lang)


@pytest.fixture
def profit() -> pd.DataFrame:
    """Revenue e=160, b=20, d=10, a=6, c=4 -> A = {e}, B = {b, d}, C = {a, c}; net profit 50, 30, 20, -10, -40."""
    frame = pd.DataFrame(
        {
            "revenue": [6.0, 20.0, 4.0, 10.0, 160.0],
            "cost": [0.0] * 5,
            "gross_profit": [60.0, 40.0, 25.0, 10.0, 60.0],
            "cost_to_serve": [10.0, 10.0, 5.0, 20.0, 100.0],
            "net_profit": [50.0, 30.0, 20.0, -10.0, -40.0],
        },
        index=pd.Index(list("abcde"), dtype="str", name="customer_id"),
    )
    frame.attrs["net_profit_includes_cost_to_serve"] = True
    return frame


def test_concentration_view_names_columns_and_kinds_in_each_language(profit):
    table = pa.concentration_table(profit, tops=(0.2,), ci=0.9, n_boot=50)
    en = views.concentration_view(table, ctx("en"), ci=0.9)
    assert en.frame.columns.tolist() == [
        "Measure",
        "Customers below zero",
        "Top 20% of customers",
        "Customers making 80%",
        "Gini coefficient",
        "Gini 90% interval",
    ]
    assert en.frame["Measure"].tolist() == ["Revenue", "Gross profit", "Net profit"]
    assert en.kinds["Top 20% of customers"] == "percent"
    assert en.caption == "Over the 5 customers who ordered in 2026Q3."  # the totals are the region's, in the tier table
    zh = views.concentration_view(table, ctx("zh"), ci=0.9)
    assert zh.frame["衡量指标"].tolist() == ["销售收入", "毛利", "净利润"]
    assert "前 20% 客户占比" in zh.frame.columns


def test_concentration_view_says_when_net_profit_is_gross_profit(profit):
    gross = profit.copy()
    gross.attrs["net_profit_includes_cost_to_serve"] = False
    view = views.concentration_view(pa.concentration_table(gross), ctx("zh"))
    assert view.caption == "按 2026Q3 有订单的 5 家客户计算。 本季度没有服务成本数据：此处净利润即毛利。"


def test_whale_by_tier_allocation_and_migration_views_label_codes(profit):
    w = pa.whale_summary(profit)
    view = views.whale_by_tier_view(w, ctx("zh"))
    assert view.frame["收入层级"].tolist() == ["A 类", "B 类", "C 类"] and view.kinds["亏损合计"] == "money"
    tx = pd.DataFrame(
        {"customer_id": pd.Series(["e", "b"], dtype="str"), "order_date": pd.to_datetime(["2025-08-01"] * 2), "revenue": [160.0, 10.0]}
    )
    alloc = views.allocation_view(pa.tier_allocation(profit, tx, "2025-07-01", "2025-09-30"), ctx("en"), lag_quarters=4)
    assert alloc.frame["Revenue tier"].tolist() == ["A", "B", "C", "All"] and "Revenue growth vs 2025Q3" in alloc.frame.columns
    moves = pd.DataFrame(
        {
            "customer_id": pd.Series(["a", "b", "c", "b", "a", "d"], dtype="str"),
            "order_date": pd.to_datetime(["2026-04-02", "2026-05-02", "2026-06-30", "2026-07-01", "2026-08-02", "2026-09-30"]),
            "revenue": [80.0, 15.0, 5.0, 80.0, 15.0, 5.0],
        }
    )
    mig = views.migration_view(pa.tier_migration(moves, "2026-04-01", "2026-06-30", "2026-07-01", "2026-09-30"), ctx("zh"))
    assert mig.frame["变动"].tolist() == ["降级", "升级", "退出", "新进入"]
    assert mig.frame["2026Q2 层级"].tolist() == ["A 类", "B 类", "C 类", "无订单"]


def test_whale_chart_draws_the_peak_with_chinese_text(profit):
    ax = views.whale_chart(pa.whale_curve(profit["net_profit"]), ctx("zh"))
    try:
        np.testing.assert_allclose(ax.lines[0].get_ydata(), [0, 1.0, 1.6, 2.0, 1.8, 1.0])
        assert ax.get_title() == "鲸鱼曲线"
        assert [t.get_text() for t in ax.texts] == ["峰值 200%（前 60% 的客户）"]
    finally:
        plt.close("all")


def test_trend_and_allocation_charts_take_their_words_from_the_catalogue(profit):
    own = pd.DataFrame({"quarter": pd.Series(["2026Q1", "2026Q2"], dtype="str"), "gini_revenue": [0.5, 0.3]})
    ax = views.concentration_trend_chart(pa.concentration_trend(own, None, "East"), ctx("zh"))
    assert ax.get_ylabel() == "销售收入的基尼系数" and ax.get_xlabel() == "季度"
    tx = pd.DataFrame({"customer_id": pd.Series(["e"], dtype="str"), "order_date": pd.to_datetime(["2025-08-01"]), "revenue": [1.0]})
    ax = views.allocation_chart(pa.tier_allocation(profit, tx, "2025-07-01", "2025-09-30"), ctx("zh"))
    assert ax.get_title() == "各收入层级的服务成本与净利润"
    assert ax.yaxis.get_major_formatter()(4_500_000) == "¥450万"
    plt.close("all")


def test_every_reason_code_the_analysis_raises_has_a_message():
    codes = {"too_few_customers", "all_zero", "total_not_positive", "no_orders_in_period", "no_orders_in_quarter", "no_orders_yet"}
    codes |= {"one_customer", "one_buyer", "loss_making_region", "no_service_costs", "too_few_buyers_to_tier", "no_orders"}
    codes |= {"never_two_customers"}
    assert codes <= set(views.REASONS)


def test_whale_chart_says_when_net_profit_is_gross_profit(profit):
    gross = profit.copy()
    gross.attrs["net_profit_includes_cost_to_serve"] = False
    ax = views.whale_chart(pa.whale_curve(gross), ctx("en"))
    try:
        assert "No cost-to-serve data for this quarter: net profit here is gross profit." in [t.get_text() for t in ax.texts]
    finally:
        plt.close("all")
