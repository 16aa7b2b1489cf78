"""What an order line means (custlib/io/facts.py) and the analyses that read it.

Each rule on a tiny hand-made fixture, firing and not firing: credit notes reduce revenue but
are never orders, purchases, last orders, baskets or model transactions; a customer whose
credits are all they have (or exceed their orders) returned goods, never sold below cost;
non-product lines are no product; a missing cost is never a zero cost. Every expected number
is hand arithmetic on the fixture, written beside it.
"""

import numpy as np
import pandas as pd
import pytest

from custlib.analysis import overview as ov
from custlib.analysis import pareto as pa
from custlib.analysis import segmentation as seg
from custlib.analysis.clv.summary import daily_purchases
from custlib.analysis.development import co_purchase, development_kpis, winback_candidates
from custlib.analysis.development.early_warning import monthly_panel
from custlib.exceptions import InsufficientDataError, ParamsError
from custlib.io.data import RegionData, with_cost_basis
from custlib.io.facts import (
    CostBasis,
    order_lines,
    product_lines,
    profit_sum,
    require_cost,
    returns_only,
    with_assumed_margin,
)
from custlib.io.periods import Quarter
from custlib.io.validate import validate_source
from custlib.reports.context import ReportContext

Q3 = Quarter.parse("2026Q3")


def lines(rows) -> pd.DataFrame:
    """Order lines from (order, customer, date, product, revenue, cost, credit note, non-product) tuples."""
    cols = ["order_id", "customer_id", "order_date", "product_id", "revenue", "cost", "is_credit_note", "is_non_product"]
    tx = pd.DataFrame(rows, columns=cols)
    tx["order_date"] = pd.to_datetime(tx["order_date"])
    tx["category"] = "tools"
    tx["quantity"] = np.where(tx["is_credit_note"], -1.0, 1.0)
    return tx


def customers(*ids) -> pd.DataFrame:
    return pd.DataFrame(
        {"customer_id": list(ids), "name": [f"N{i}" for i in ids], "industry": "x", "market_type": "reseller", "size_band": "small"}
    )


#: A buys in July and August and returns in September; B only returns (a credit note) in 2026Q3 after
#: buying in 2026Q2; C buys once. Revenue 2026Q3: A 100 + 50 - 30 = 120, B -40, C 60 -> 140 net.
TX = lines(
    [
        ("o1", "A", "2026-07-05", "p1", 100.0, 60.0, False, False),
        ("o1", "A", "2026-07-05", "POST", 10.0, 10.0, False, True),
        ("o2", "A", "2026-08-10", "p1", 50.0, 30.0, False, False),
        ("o2", "A", "2026-08-10", "p2", 0.0, 0.0, False, False),
        ("c1", "A", "2026-09-20", "p1", -40.0, -24.0, True, False),
        ("c1", "A", "2026-09-20", "POST", 0.0, 0.0, True, True),
        ("o3", "B", "2026-05-02", "p1", 200.0, 120.0, False, False),
        ("c2", "B", "2026-08-15", "p1", -40.0, -24.0, True, False),
        ("o4", "C", "2026-07-07", "p2", 60.0, 20.0, False, False),
    ]
)


# --------------------------------------------------------------------------- the masks


def test_order_lines_drop_credit_notes_and_product_lines_drop_non_products():
    assert order_lines(TX)["order_id"].unique().tolist() == ["o1", "o2", "o3", "o4"]
    assert product_lines(TX)["product_id"].tolist() == ["p1", "p1", "p2", "p1", "p2"]
    plain = TX.drop(columns=["is_credit_note", "is_non_product"])
    assert order_lines(plain) is plain and product_lines(plain) is plain  # no flags: every line an order of products


def test_returns_only_marks_the_customer_whose_lines_are_all_credit_notes():
    q3 = TX[TX["order_date"] >= "2026-07-01"]
    assert returns_only(q3).to_dict() == {"A": False, "B": True, "C": False}
    assert not returns_only(TX).any()  # over the whole history B also bought


# --------------------------------------------------------------------------- missing cost


def test_assumed_margin_fills_only_a_missing_cost():
    """Revenue 100 and -40 at an assumed 30% margin: cost 70 and -28 (a return gives its profit back)."""
    tx = pd.DataFrame({"revenue": [100.0, -40.0], "cost": [np.nan, np.nan]})
    out, basis = with_assumed_margin(tx, 0.3)
    assert out["cost"].tolist() == pytest.approx([70.0, -28.0])
    assert basis == CostBasis(missing=True, assumed_margin=0.3) and basis.assumed and basis.available
    same, basis = with_assumed_margin(tx, None)
    assert same["cost"].isna().all() and basis.missing and not basis.assumed and not basis.available
    known = pd.DataFrame({"revenue": [100.0], "cost": [55.0]})
    kept, basis = with_assumed_margin(known, 0.3)  # a known cost is never replaced by the assumption
    assert kept["cost"].tolist() == [55.0] and basis == CostBasis(False, None)
    with pytest.raises(ParamsError, match="assumptions.gross_margin"):
        with_assumed_margin(tx, 1.2)


def test_require_cost_and_profit_sum_never_read_a_missing_cost_as_zero():
    with pytest.raises(InsufficientDataError) as err:
        require_cost(pd.DataFrame({"cost": [1.0, np.nan]}))
    assert err.value.code == "needs_cost"
    require_cost(pd.DataFrame({"cost": [1.0, 2.0]}))  # does not fire
    assert np.isnan(profit_sum([1.0, np.nan])) and profit_sum([1.0, 2.0]) == 3.0
    by = profit_sum(pd.Series([1.0, np.nan, 2.0]), by=pd.Series(["a", "a", "b"]))
    assert np.isnan(by["a"]) and by["b"] == 2.0


def test_with_cost_basis_fills_the_region_once():
    rd = RegionData("East", Q3, customers("A"), TX.assign(cost=np.nan), None, None, pd.DataFrame())
    out = with_cost_basis(rd, 0.25)
    assert out.cost_basis.assumed and out.transactions["cost"].tolist() == pytest.approx((TX["revenue"] * 0.75).tolist())
    assert rd.transactions["cost"].isna().all()  # the input is not changed
    assert with_cost_basis(rd, None).cost_basis == CostBasis(True, None)
    assert with_cost_basis(RegionData("East", Q3, customers("A"), TX, None, None, pd.DataFrame()), 0.25).cost_basis == CostBasis()


# --------------------------------------------------------------------------- overview


def test_quarter_kpis_count_orders_without_credit_notes_and_revenue_net_of_them():
    """2026Q3: orders o1, o2, o4 (c1, c2 are credit notes) = 3; customers who ordered A, C = 2; revenue
    110 + 50 + 0 - 40 + 0 - 40 + 60 = 140; gross profit 140 - (70 + 30 - 24 - 24 + 20) = 68."""
    k = ov.quarter_kpis(TX, Q3)
    assert k.loc["orders", "2026Q3"] == 3 and k.loc["active_customers", "2026Q3"] == 2
    assert k.loc["revenue", "2026Q3"] == pytest.approx(140.0)
    assert k.loc["gross_profit", "2026Q3"] == pytest.approx(68.0)
    plain = ov.quarter_kpis(TX.assign(is_credit_note=False), Q3)  # not firing: without the flag every line is an order
    assert plain.loc["orders", "2026Q3"] == 5 and plain.loc["active_customers", "2026Q3"] == 3


def test_quarter_kpis_without_cost_show_no_margin_at_all():
    k = ov.quarter_kpis(TX.assign(cost=np.nan), Q3)
    assert k.loc[["gross_profit", "gross_margin"]].isna().all().all()  # every quarter, empty ones too: never 0 or 100%
    assert k.loc["revenue", "2026Q3"] == pytest.approx(140.0)
    trend = ov.monthly_trend(TX.assign(cost=np.nan), Q3.end, months=4)
    assert trend["gross_profit"].isna().all() and trend["orders"].tolist() == [0, 2, 1, 0]
    top = ov.top_customers(TX.assign(cost=np.nan), customers("A", "B", "C"), Q3)
    assert top["gross_margin"].isna().all()


def test_lapsed_customers_a_credit_note_is_no_order():
    """B ordered in 2026Q2 (o3) and only returned goods in 2026Q3: B stopped ordering, last order 2026-05-02."""
    out = ov.lapsed_customers(TX, customers("A", "B", "C"), Quarter.parse("2026Q3"))
    assert out["customer_id"].tolist() == ["B"]
    assert out["last_order"].iloc[0] == pd.Timestamp("2026-05-02")
    # not firing: in 2026Q4 nobody ordered in 2026Q3 but A and C, and neither ordered again
    q4 = ov.lapsed_customers(TX, customers("A", "B", "C"), Quarter.parse("2026Q4"))
    assert sorted(q4["customer_id"]) == ["A", "C"]
    assert q4.set_index("customer_id").loc["A", "last_order"] == pd.Timestamp("2026-08-10")  # not the return of 09-20


# --------------------------------------------------------------------------- segmentation


def test_customer_features_orders_and_last_order_ignore_credit_notes():
    """Window = 12 months to 2026-09-30. A: orders 2, last order 08-10, revenue 120; B: orders 1 (o3), last
    order 05-02, revenue 200 - 40 = 160; C: 1 order, 60."""
    f = seg.customer_features(TX, customers("A", "B", "C"), Q3)
    assert f["orders"].tolist() == [2, 1, 1]
    assert f["last_order"].tolist() == [pd.Timestamp("2026-08-10"), pd.Timestamp("2026-05-02"), pd.Timestamp("2026-07-07")]
    assert f["revenue"].tolist() == pytest.approx([120.0, 160.0, 60.0])
    assert f["orders_quarter"].tolist() == [2, 0, 1]
    assert seg.active_customers(TX, customers("A", "B", "C"), ["2026Q3"]).tolist() == [2]
    assert f["margin"].notna().all()
    no_cost = seg.customer_features(TX.assign(cost=np.nan), customers("A", "B", "C"), Q3)
    assert no_cost[["cost", "gross_profit", "margin", "net_profit"]].isna().all().all()


# --------------------------------------------------------------------------- pareto


def test_returns_only_customer_is_returned_goods_not_below_cost():
    """2026Q3 profitability: A 120 - (60 + 10 + 30 - 24) = 44, B -40 - (-24) = -16 (returns only), C 60 - 20 = 40."""
    profit = pa.quarter_profitability(TX, None, Q3)
    assert profit["returns_only"].to_dict() == {"A": False, "B": True, "C": False}
    assert profit["gross_profit"].to_dict() == pytest.approx({"A": 44.0, "B": -16.0, "C": 40.0})
    assert pa.customer_status(profit).to_dict() == {"A": "profitable", "B": "returned_goods", "C": "profitable"}
    v = pa.loss_figures(profit)
    assert v["destroyers"] == 0 and v["returned"] == 1 and v["returned_credit"] == pytest.approx(40.0)
    buyers = pa.with_two_customers(profit, 3)
    assert buyers.index.tolist() == ["A", "C"]  # the concentration is over customers who bought


def test_below_cost_still_fires_for_a_customer_who_ordered_at_a_loss():
    """C's cost 90 on revenue 60: gross profit -30, below cost (not a return)."""
    tx = TX.copy()
    tx.loc[tx["order_id"] == "o4", "cost"] = 90.0
    profit = pa.quarter_profitability(tx, None, Q3)
    assert pa.customer_status(profit)["C"] == "below_cost"
    v = pa.loss_figures(profit)
    assert v["destroyers"] == 1 and v["loss"] == pytest.approx(30.0) and v["returned"] == 1


def test_customer_whose_credits_exceed_orders_is_returned_goods():
    status = pa.customer_status(
        pd.DataFrame(
            {"revenue": [-10.0, 50.0], "gross_profit": [-3.0, -5.0], "net_profit": [-3.0, -5.0], "returns_only": [False, False]},
            index=["X", "Y"],
        )
    )
    assert status.tolist() == ["returned_goods", "below_cost"]


def test_pareto_without_cost_needs_cost_and_counts_no_loss_maker():
    profit = pa.quarter_profitability(TX.assign(cost=np.nan), None, Q3)
    assert profit[["cost", "gross_profit", "net_profit"]].isna().all().all() and profit.attrs["cost_known"] is False
    assert pa.customer_status(profit).tolist() == ["cost_unknown", "returned_goods", "cost_unknown"]
    with pytest.raises(InsufficientDataError) as err:
        pa.with_positive_profit(pa.with_two_customers(profit, 3))
    assert err.value.code == "needs_cost"
    v = pa.loss_figures(profit)
    assert np.isnan(v["destroyers"]) and np.isnan(v["net_x"])
    assert v["rev_x"] == 1.0  # buyers A (120) and C (60): A alone makes 120 / 180 = 67% < 80%, both are needed
    table = pa.concentration_table(pa.with_two_customers(profit, 3))
    assert table.set_index("measure").loc["gross_profit", "note"] == "needs_cost"
    assert table.set_index("measure").loc["revenue", "total"] == pytest.approx(180.0)


def test_pareto_advice_names_returned_goods_and_not_below_cost():
    from custlib.reports import pareto as report

    ctx = ReportContext("East", Q3, {"report": {"currency": "CNY"}}, None, "en")
    profit = pa.quarter_profitability(TX, None, Q3)
    said = report.advice(ctx, profit)
    assert said[0] == (
        "1 customer returned more goods than it bought this quarter (CN¥40 net in credit notes): returned goods, "
        "not a sale below cost; ask what was wrong with them."
    )
    assert not any("below cost (" in s for s in said)
    # not firing: A also has a credit note, but bought more than it returned
    assert report.returned_goods(pa.quarter_profitability(TX[TX["customer_id"] != "B"], None, Q3), ctx) is None
    zh = ReportContext("East", Q3, {"report": {"currency": "CNY"}}, None, "zh")
    assert "退货" in report.returned_goods(profit, zh)


def test_revenue_tiers_leave_out_a_customer_who_only_returned_goods():
    """2026Q2 buyers B (200) and C (o5, 30); 2026Q3 buyers A (120) and C (60); B only returned goods: B left."""
    tx = pd.concat([TX, lines([("o5", "C", "2026-06-01", "p2", 30.0, 10.0, False, False)])], ignore_index=True)
    moves = pa.tier_migration(tx, "2026-04-01", "2026-06-30", "2026-07-01", "2026-09-30", cutoffs=(0.5, 0.9))
    by = moves.set_index(["from_tier", "to_tier"])["customers"]
    assert by[("A", "none")] == 1 and by[("none", "A")] == 1  # B left, A entered
    assert moves["customers"].sum() == 3


# --------------------------------------------------------------------------- development


def test_pairs_leave_out_credit_notes_and_non_product_lines():
    """Baskets o1 {p1}, o2 {p1, p2}, o3 {p1}, o4 {p2}: one pair p1-p2 in one basket; POST never pairs."""
    pairs = co_purchase(TX, min_count=1)
    assert set(zip(pairs["antecedent"], pairs["consequent"], strict=True)) == {("p1", "p2"), ("p2", "p1")}
    p12 = pairs.set_index(["antecedent", "consequent"]).loc[("p1", "p2")]
    assert p12["n_both"] == 1 and p12["support"] == pytest.approx(1 / 4)  # 4 baskets: the credit notes are none
    with_post = co_purchase(TX.assign(is_non_product=False, quantity=1.0), min_count=1)  # not firing without the flags
    assert "POST" in set(with_post["antecedent"])


def test_development_kpis_a_return_never_makes_a_new_customer():
    """2026Q2: B new (o3). 2026Q3: A and C new (first orders); B's return is an existing customer's revenue -40."""
    k = development_kpis(TX, quarter=Q3, n_quarters=2).set_index("quarter")
    assert k.loc["2026Q3", "new_customers"] == 2 and k.loc["2026Q3", "existing_customers"] == 0
    assert k.loc["2026Q3", "existing_revenue"] == pytest.approx(-40.0)
    assert k.loc["2026Q3", "new_revenue"] == pytest.approx(180.0)
    no_cost = development_kpis(TX.assign(cost=np.nan), quarter=Q3, n_quarters=2)
    assert no_cost[["existing_profit", "new_profit", "total_profit"]].isna().all().all()


def test_winback_last_order_is_an_order_and_needs_cost():
    tx = pd.concat([TX, lines([("o9", "D", "2025-10-01", "p1", 500.0, 100.0, False, False)])], ignore_index=True)
    tx = pd.concat([tx, lines([("c9", "D", "2026-09-01", "p1", -10.0, -2.0, True, False)])], ignore_index=True)
    out = winback_candidates(tx, quarter=Q3, lapsed_quarters=2, value_quarters=4, value_quantile=0.0)
    d = out.set_index("customer_id").loc["D"]
    assert str(d["last_order_date"]) == "2025-10-01" and d["orders"] == 1  # the credit note of 09-01 is no order
    with pytest.raises(InsufficientDataError) as err:
        winback_candidates(tx.assign(cost=np.nan), quarter=Q3)
    assert err.value.code == "needs_cost"


def test_early_warning_counts_orders_without_credit_notes():
    months = pd.date_range("2026-07-01", periods=3, freq="MS")
    custs, rev, orders, _ = monthly_panel(TX, months, "customer_id", "category")
    a = list(custs).index("A")
    assert orders[a].tolist() == [1.0, 1.0, 0.0]  # September holds A's credit note only
    assert rev[a].tolist() == pytest.approx([110.0, 50.0, -40.0])


def test_clv_purchases_leave_out_credit_notes():
    daily = daily_purchases(TX, "customer_id", "order_date", "revenue")
    assert daily.loc[daily["customer"] == "A", "day"].dt.strftime("%m-%d").tolist() == ["07-05", "08-10"]
    assert daily.loc[daily["customer"] == "B", "value"].tolist() == [200.0]


# --------------------------------------------------------------------------- what the reader reads


KNOWN = CostBasis()


def region_ctx(lang="en", basis=KNOWN, products=None, tx=TX) -> ReportContext:
    rd = RegionData("East", Q3, customers("A", "B", "C"), tx, None, None, pd.DataFrame(), products, basis)
    return ReportContext("East", Q3, {"report": {"currency": "GBP", "top_n": 10}}, rd, lang)


def test_views_built_on_profit_say_where_the_cost_comes_from():
    from custlib.present import overview as views

    kpis = ov.quarter_kpis(TX, Q3)
    plain = views.kpi_view(kpis, region_ctx()).caption
    assumed = views.kpi_view(kpis, region_ctx(basis=CostBasis(True, 0.3))).caption
    assert assumed == f"{plain} (assumed margin 30%)"
    assert views.kpi_view(kpis, region_ctx("zh", CostBasis(True, 0.3))).caption.endswith("（假设毛利率 30%）")
    missing = views.kpi_view(ov.quarter_kpis(TX.assign(cost=np.nan), Q3), region_ctx(basis=CostBasis(True, None))).caption
    assert missing.endswith("(needs the cost of goods, which the data does not have)")
    assert "%" not in views.kpi_view(ov.quarter_kpis(TX.assign(cost=np.nan), Q3), region_ctx()).frame.iloc[4, 1]  # margin: a dash
    # a view not built on profit says nothing about the cost
    lapsed = ov.lapsed_customers(TX, customers("A", "B", "C"), Q3)
    assert "margin" not in (views.lapsed_view(lapsed, region_ctx(basis=CostBasis(True, 0.3))).caption or "")


def test_charts_built_on_profit_carry_the_note_under_the_drawing():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from custlib.present import overview as views

    trend = ov.monthly_trend(TX, Q3.end, months=3)
    plt.close("all")
    views.monthly_trend_chart(trend, region_ctx(basis=CostBasis(True, 0.3)))
    assert "assumed margin 30%" in [t.get_text() for t in plt.gcf().texts]
    plt.close("all")
    views.monthly_trend_chart(trend, region_ctx())
    assert not plt.gcf().texts
    plt.close("all")


def test_header_and_summary_say_the_assumed_margin():
    from custlib.present.costs import cost_header, figure_label

    ctx = region_ctx(basis=CostBasis(True, 0.25))
    assert "assume a gross margin of 25%" in cost_header(ctx)
    assert figure_label(ctx, "Gross profit") == "Gross profit (assumed margin 25%)"
    assert cost_header(region_ctx()) is None and figure_label(region_ctx(), "Gross profit") == "Gross profit"
    assert "not available" in cost_header(region_ctx(basis=CostBasis(True, None)))


def test_pairs_and_next_best_product_show_product_names():
    from custlib.analysis.development import next_best_product
    from custlib.present.development import views

    products = pd.DataFrame({"product_id": ["p1", "p2", "POST"], "name": ["Claw hammer", None, "Postage"], "category": None})
    ctx = region_ctx(products=products)
    pairs = co_purchase(TX, min_count=1)
    frame = views.pairs_view(pairs, ctx).frame
    assert set(frame.iloc[:, :2].to_numpy().ravel()) == {"Claw hammer", "p2"}  # p2 has no name: its code
    nbp = next_best_product(TX, customers("A", "B", "C"), min_count=1, rules=pairs)
    shown = views.next_best_view(nbp, ctx).frame
    assert set(shown["Offer next"]) | set(shown["Because they buy"]) <= {"Claw hammer", "p2"}
    assert set(views.pairs_view(pairs, region_ctx()).frame.iloc[:, 0]) <= {"p1", "p2"}  # no products table: codes


# --------------------------------------------------------------------------- an export, prepared and opened as a report


EXPORT = """Invoice,Code,Description,Qty,Date,Price,Customer,Country
1001,A1,CLAW HAMMER,2,2026-07-03,10.0,7,North
1001,POST,POSTAGE,1,2026-07-03,5.0,7,North
C1002,A1,CLAW HAMMER,-1,2026-08-04,10.0,8,North
1000,A1,CLAW HAMMER,1,2026-04-04,10.0,8,North
1003,B2,,3,2026-07-09,4.0,9,North
"""

MAPPING = """currency: GBP
tables:
  transactions:
    file: export.csv
    cost_known: false
    credit_notes: {order_prefix: "C"}
    non_product_codes: [POST]
    columns:
      order_id: Invoice
      customer_id: Customer
      order_date: Date
      product_id: Code
      category: {value: tools}
      quantity: Qty
      revenue: {expr: Qty * Price}
  customers:
    from: transactions
    columns: {region: Country, market_type: {value: reseller}}
  products:
    from: transactions
    columns: {name: Description}
"""


def test_a_prepared_slice_carries_product_names_and_the_report_its_assumed_margin(tmp_path):
    """Through the runner's path: validate, prepare the region's slice, open it as a report with a 40% margin.
    By hand: 2026Q3 orders 1001 and 1003 (C1002 is a credit note); revenue 20 + 5 - 10 + 12 = 27; at 40% the
    cost is 0.6 x revenue, so gross profit 10.8; customer 8 only returned goods."""
    from custlib.io.data import peer_quarterly
    from custlib.reports.context import open_report
    from custlib.run.prepare import prepare_regions

    src = tmp_path / "export"
    src.mkdir()
    (src / "export.csv").write_text(EXPORT, encoding="utf-8")
    (src / "source.yaml").write_text(MAPPING, encoding="utf-8")
    con, _source, _res = validate_source(src)
    cache = tmp_path / "cache"
    cache.mkdir()
    prepare_regions(con, ["North"], Q3, cache, peer_quarterly(con, Q3.end))
    con.close()
    ctx = open_report(str(cache / "north"), "North", "2026Q3", {"assumptions": {"gross_margin": 0.4}})
    names = ctx.data.products.set_index("product_id")["name"]
    assert names["A1"] == "CLAW HAMMER" and names["POST"] == "POSTAGE" and pd.isna(names["B2"])
    assert ctx.data.cost_basis == CostBasis(True, 0.4)
    k = ov.quarter_kpis(ctx.data.transactions, Q3)
    assert k.loc["orders", "2026Q3"] == 2 and k.loc["revenue", "2026Q3"] == pytest.approx(27.0)
    assert k.loc["gross_profit", "2026Q3"] == pytest.approx(10.8)
    profit = pa.quarter_profitability(ctx.data.transactions, None, Q3)
    assert pa.customer_status(profit)["8"] == "returned_goods"
    no_margin = open_report(str(cache / "north"), "North", "2026Q3", {"assumptions": {"gross_margin": None}})
    assert no_margin.data.cost_basis == CostBasis(True, None) and no_margin.data.transactions["cost"].isna().all()


def test_campaign_plan_needs_the_cost_unless_a_margin_is_given():
    from test_development import _campaign_data

    from custlib.analysis.development import campaign_plan

    customers_, offers, tx = _campaign_data()
    kw = {"budget": 1000.0, "min_offers": 1, "serve_cost_per_order": 0.0}
    with pytest.raises(InsufficientDataError) as err:
        campaign_plan(customers_, offers, tx.assign(cost=np.nan), **kw)
    assert err.value.code == "needs_cost"
    given = campaign_plan(customers_, offers, tx.assign(cost=np.nan), margin_rate=0.3, **kw)  # not firing: the margin is given
    assert len(given) and given["expected_profit"].notna().any()
    with pytest.raises(InsufficientDataError) as err:  # no offers table: that is said first
        campaign_plan(customers_, None, tx.assign(cost=np.nan), **kw)
    assert err.value.code == "table_missing"


def test_overview_advice_says_nothing_of_a_margin_it_does_not_know():
    from custlib.reports import overview as summary

    ctx = ReportContext("East", Q3, {"report": {"currency": "GBP"}}, None, "en")
    flat = lines(
        [("o1", "A", "2026-05-05", "p1", 100.0, np.nan, False, False), ("o2", "A", "2026-08-05", "p1", 100.0, np.nan, False, False)]
    )
    said = summary.advice(ov.quarter_kpis(flat, Q3), None, None, ctx)
    assert said == ["Revenue and customers held up against last quarter: keep the current plan."]
    known = flat.assign(cost=50.0)  # not firing: with the cost the margin is part of the sentence
    assert summary.advice(ov.quarter_kpis(known, Q3), None, None, ctx) == [
        "Revenue, margin and customers held up against last quarter: keep the current plan."
    ]
