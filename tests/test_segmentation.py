"""Tests for custlib.analysis.segmentation (and its views and report rules): known answers worked by hand, simulations with
known structure, degenerate regions and (when the sample generator exists) the
planted patterns of the sample data."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from custlib.analysis import segmentation as seg
from custlib.exceptions import DataError, InsufficientDataError, NotFittedError, ParamsError
from custlib.present import segmentation as views
from custlib.reports import segmentation as rs
from tests.test_segmentation_views import Ctx

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- helpers


def _features(rows: dict[str, dict]) -> pd.DataFrame:
    """A hand-built customer_features-like frame (only the columns a test needs)."""
    f = pd.DataFrame.from_dict(rows, orient="index")
    f.index = pd.Index(f.index.astype("str"), name="customer_id")
    if "is_buyer" not in f.columns:
        f["is_buyer"] = True
    return f


def _tx(rows) -> pd.DataFrame:
    """Order lines from (order_id, customer_id, date, category, revenue, cost) tuples."""
    t = pd.DataFrame(rows, columns=["order_id", "customer_id", "order_date", "category", "revenue", "cost"])
    t["order_date"] = pd.to_datetime(t["order_date"])
    t["product_id"] = "P1"
    t["quantity"] = 1.0
    return t


def _customers(ids, market=None, wallet=None) -> pd.DataFrame:
    c = pd.DataFrame({"customer_id": list(ids), "name": [f"Customer {i}" for i in ids]})
    c["region"] = "East"
    c["market_type"] = market or ["producer"] * len(c)
    if wallet is not None:
        c["wallet_estimate"] = wallet
    return c


def _simulated_region(n: int = 60, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A region with varied customers: monthly order probability and size differ."""
    rng = np.random.default_rng(seed)
    ids = [f"C{i:03d}" for i in range(n)]
    months = pd.date_range("2024-10-01", "2026-09-01", freq="MS")
    rows, k = [], 0
    for i, cid in enumerate(ids):
        p = 0.15 + 0.8 * (i % 7) / 6
        size = 100.0 * (1 + i % 11)
        for m in months:
            if rng.random() < p:
                k += 1
                rev = size * rng.uniform(0.5, 1.5)
                rows.append(
                    (
                        f"O{k:05d}",
                        cid,
                        m + pd.Timedelta(days=int(rng.integers(0, 27))),
                        f"cat{int(rng.integers(0, 1 + i % 5))}",
                        rev,
                        rev * 0.6,
                    )
                )
    return _customers(
        ids, market=[["producer", "reseller", "government"][i % 3] for i in range(n)], wallet=[20000.0 + 500 * i for i in range(n)]
    ), _tx(rows)


# --------------------------------------------------------------------------- ABC


def test_abc_classes_puts_top_80_percent_of_value_in_a():
    """Hand-worked: shares 0.5, 0.8, 0.9, 0.96, 1.0 -> A reaches 0.8 at b, B reaches 0.95 at d."""
    values = pd.Series({"c": 10.0, "a": 50.0, "e": 4.0, "b": 30.0, "d": 6.0}, name="revenue")
    got = seg.abc_classes(values)
    expected = pd.Series({"c": "B", "a": "A", "e": "C", "b": "A", "d": "B"}, name="abc", dtype="str")
    pd.testing.assert_series_equal(got, expected)


def test_abc_classes_breaks_ties_by_customer_id():
    """Four equal customers, cut-offs 0.5/0.75: by id w, x are A, y is B, z is C."""
    values = pd.Series({"z": 10.0, "x": 10.0, "w": 10.0, "y": 10.0})
    got = seg.abc_classes(values, cutoffs=(0.5, 0.75))
    assert got.to_dict() == {"z": "C", "x": "A", "w": "A", "y": "B"}
    assert list(got.index) == ["z", "x", "w", "y"]


def test_abc_classes_reaches_cutoff_despite_float_rounding():
    """Ten customers of 0.1: the 8th brings the share to 0.8 (0.7999... in floating point)."""
    got = seg.abc_classes(pd.Series([0.1] * 10, index=[f"c{i}" for i in range(10)]))
    assert (got == "A").sum() == 8
    assert (got == "B").sum() == 2  # 0.9 < 0.95, so the 10th is needed for B


def test_abc_classes_never_puts_zero_or_negative_values_in_a_or_b():
    """Total of positives = 125: a alone is 0.8 -> A; d brings 1.0 -> B; zero and negative -> C."""
    got = seg.abc_classes(pd.Series({"a": 100.0, "b": -50.0, "c": 0.0, "d": 25.0}))
    assert got.to_dict() == {"a": "A", "b": "C", "c": "C", "d": "B"}


def test_abc_classes_rejects_degenerate_and_bad_input():
    with pytest.raises(InsufficientDataError, match="positive"):
        seg.abc_classes(pd.Series({"a": 0.0, "b": -1.0}))
    with pytest.raises(ParamsError, match="abc.cutoffs"):
        seg.abc_classes(pd.Series({"a": 1.0}), cutoffs=(0.95, 0.8))
    with pytest.raises(DataError, match="missing"):
        seg.abc_classes(pd.Series({"a": 1.0, "b": np.nan}))


def test_abc_summary_counts_and_shares_per_class():
    """Same hand example: A holds 2 customers and 80% of revenue, B 2 and 16%, C 1 and 4%."""
    f = _features(
        {
            k: {"revenue": v, "gross_profit": v / 2, "net_profit": np.nan}
            for k, v in {"a": 50.0, "b": 30.0, "c": 10.0, "d": 6.0, "e": 4.0}.items()
        }
    )
    classes = seg.abc_table(f)
    assert list(classes.columns) == ["abc_revenue", "abc_gross_profit"]  # net profit unknown -> left out
    s = seg.abc_summary(f, classes)
    rev = s[s["measure"] == "revenue"].set_index("class")
    assert rev["customers"].tolist() == [2, 2, 1]
    np.testing.assert_allclose(rev["value_share"], [0.8, 0.16, 0.04])


# --------------------------------------------------------------------------- features


def test_customer_features_measures_windows_recency_and_gaps_by_hand():
    """Quarter 2026Q3 (window 2025-10-01..2026-09-30, prior 2024-10-01..2025-09-30).

    Customer X: orders on 2025-10-01, 2026-01-01, 2026-04-01, 2026-07-01 (two lines), and one in
    the prior window on 2025-01-01. Gaps between order dates: 273, 92, 90, 91 days.
    """
    tx = _tx(
        [
            ("o0", "X", "2025-01-01", "a", 100.0, 50.0),
            ("o1", "X", "2025-10-01", "a", 100.0, 60.0),
            ("o2", "X", "2026-01-01", "b", 100.0, 60.0),
            ("o3", "X", "2026-04-01", "a", 100.0, 60.0),
            ("o4", "X", "2026-07-01", "a", 50.0, 30.0),
            ("o4", "X", "2026-07-01", "c", 50.0, 30.0),
            ("o5", "Y", "2026-09-30", "a", 10.0, 12.0),
            ("o6", "Y", "2026-10-05", "a", 999.0, 0.0),  # after the quarter: ignored
        ]
    )
    sc = pd.DataFrame(
        {
            "customer_id": ["X", "X", "Y"],
            "month": pd.to_datetime(["2025-12-01", "2026-09-01", "2024-12-01"]),
            "cost_to_serve": [30.0, 20.0, 5.0],
        }
    )
    f = seg.customer_features(tx, _customers(["X", "Y", "Z"], wallet=[800.0, np.nan, 0.0]), "2026Q3", service_costs=sc)
    x, y, z = f.loc["X"], f.loc["Y"], f.loc["Z"]
    assert x["revenue"] == 400.0 and x["gross_profit"] == 160.0 and x["orders"] == 4.0
    assert x["cost_to_serve"] == 50.0 and x["net_profit"] == 110.0
    assert x["revenue_prior"] == 100.0
    assert x["growth"] == pytest.approx((400 - 100) / (400 + 100))
    assert x["revenue_quarter"] == 100.0 and x["orders_quarter"] == 1.0
    assert x["recency_days"] == 91.0  # 2026-07-01 -> 2026-09-30
    assert x["tenure_days"] == 637.0  # 2025-01-01 -> 2026-09-30
    gaps = np.array([273.0, 92.0, 90.0, 91.0])
    assert x["gap_mean_days"] == pytest.approx(gaps.mean())
    assert x["gap_cv"] == pytest.approx(gaps.std() / gaps.mean())
    assert x["n_categories"] == 3.0 and x["category_share"] == 1.0
    assert x["avg_order_value"] == 100.0 and x["margin"] == pytest.approx(0.4)
    assert x["share_of_wallet"] == pytest.approx(0.5) and x["wallet_headroom"] == 400.0
    assert y["revenue"] == 10.0 and y["recency_days"] == 0.0 and np.isnan(y["gap_cv"])
    assert y["net_profit"] == -2.0  # its service cost is outside the window
    assert np.isnan(y["share_of_wallet"])
    assert not z["is_buyer"] and z["revenue"] == 0.0 and np.isnan(z["share_of_wallet"])


def test_customer_features_says_when_the_quarter_has_no_orders():
    tx = _tx([("o1", "X", "2026-03-01", "a", 100.0, 60.0)])
    with pytest.raises(InsufficientDataError, match="no orders in 2026Q3"):
        seg.customer_features(tx, _customers(["X"]), "2026Q3")


def test_customer_features_without_service_costs_leaves_net_profit_unknown():
    tx = _tx([("o1", "X", "2026-09-01", "a", 100.0, 60.0)])
    f = seg.customer_features(tx, _customers(["X"]), "2026Q3")
    assert np.isnan(f.loc["X", "net_profit"]) and np.isnan(f.loc["X", "cost_to_serve"])


def test_customer_features_count_orders_and_categories_per_customer_and_ignore_other_customers():
    """Hand count. Order o1 has two lines (categories a, b) for X and one line for Y: X has 1 order and
    2 categories, Y 1 order (its own o1) and 1 category. S is not one of the region's customers: its line
    is ignored, and its category c is not one of the region's categories (so Y's share is 1 of 2)."""
    tx = _tx(
        [
            ("o1", "X", "2026-08-01", "a", 100.0, 60.0),
            ("o1", "X", "2026-08-01", "b", 50.0, 30.0),
            ("o1", "Y", "2026-08-02", "a", 10.0, 5.0),
            ("o9", "S", "2026-08-01", "c", 999.0, 0.0),
        ]
    )
    f = seg.customer_features(tx, _customers(["Y", "X"]), "2026Q3")
    assert f.index.tolist() == ["X", "Y"]
    assert f["orders"].tolist() == [1.0, 1.0] and f["orders_total"].tolist() == [1.0, 1.0]
    assert f["n_categories"].tolist() == [2.0, 1.0] and f["category_share"].tolist() == [1.0, 0.5]
    assert f["revenue"].tolist() == [150.0, 10.0] and f["gross_profit"].tolist() == [60.0, 5.0]
    assert f["purchase_days"].tolist() == [1.0, 1.0] and f["recency_days"].tolist() == [60.0, 59.0]


def test_segment_region_measures_last_quarter_as_customer_features_does():
    """The report encodes the order lines once for this quarter and the last; last quarter's features
    must be exactly those :func:`customer_features` measures at that quarter's end."""
    customers, tx = _simulated_region()
    sc = pd.DataFrame(
        {
            "customer_id": ["C001", "C002", "C003"],
            "month": pd.to_datetime(["2026-01-01", "2026-05-01", "2026-08-01"]),
            "cost_to_serve": [50.0, 70.0, 90.0],
        }
    )
    rep = seg.segment_region(tx, customers, "2026Q3", service_costs=sc)
    for name, quarter in (("customers", "2026Q3"), ("customers_previous", "2026Q2")):
        pd.testing.assert_frame_equal(rep.table(name), seg.customer_features(tx, customers, quarter, service_costs=sc))
    assert rep.table("customers_previous").loc["C003", "cost_to_serve"] == 0.0  # its cost is after 2026Q2
    assert rep.table("customers").loc["C003", "cost_to_serve"] == 90.0


# --------------------------------------------------------------------------- RFM


def test_quantile_scores_are_quintiles_of_the_rank():
    """Ten distinct values: two customers per score (closed form ceil(5 r / 10))."""
    v = pd.Series(np.arange(1.0, 11.0), index=[f"c{i:02d}" for i in range(10)], name="orders")
    assert seg.quantile_scores(v).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert seg.quantile_scores(v, higher_is_better=False).tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]


def test_quantile_scores_match_pandas_qcut_of_the_rank_without_ties():
    """Independent check: with distinct values and n a multiple of 5 the scores equal pd.qcut(rank, 5)."""
    rng = np.random.default_rng(0)
    v = pd.Series(rng.permutation(40).astype(float), index=[f"c{i:02d}" for i in range(40)])
    expected = pd.qcut(v.rank(), 5, labels=[1, 2, 3, 4, 5]).astype("int64")
    np.testing.assert_array_equal(seg.quantile_scores(v).to_numpy(), expected.to_numpy())


def test_quantile_scores_keep_ties_together_at_quintile_edges_by_hand():
    """Ten customers, ties across the quintile edges; score = ceil(5 * mid-rank / 10) = ceil(mid-rank / 2).

    Sorted values 1 1 1 | 2 2 | 3 | 4 4 4 | 5 take ranks 1-3, 4-5, 6, 7-9, 10, mid-ranks 2, 4.5, 6, 8, 10:
    scores 1, 3, 3, 4, 5. Splitting ties by id would have given 1 1 2 | 2 3 | 3 | 4 4 5 | 5.
    Reversed (lower is better) the mid-ranks are 9, 6.5, 5, 3, 1: scores 5, 4, 3, 2, 1.
    """
    values = {"j": 4.0, "a": 1.0, "h": 4.0, "c": 1.0, "e": 2.0, "b": 1.0, "d": 2.0, "f": 3.0, "g": 4.0, "i": 5.0}
    v = pd.Series(values, name="orders")
    got = seg.quantile_scores(v)
    assert got.index.tolist() == v.index.tolist()
    assert got.to_dict() == {"a": 1, "b": 1, "c": 1, "d": 3, "e": 3, "f": 3, "g": 4, "h": 4, "j": 4, "i": 5}
    low = seg.quantile_scores(v, higher_is_better=False)
    assert low.to_dict() == {"a": 5, "b": 5, "c": 5, "d": 4, "e": 4, "f": 3, "g": 2, "h": 2, "j": 2, "i": 1}


def test_quantile_scores_give_equal_values_equal_scores_and_keep_the_order():
    """Many ties (integers 0-5 for 203 customers): equal values share a score, a larger value never scores lower."""
    rng = np.random.default_rng(1)
    v = pd.Series(rng.integers(0, 6, 203).astype(float), index=[f"c{i:03d}" for i in range(203)])
    got = seg.quantile_scores(v)
    assert (got.groupby(v).nunique() == 1).all()
    by_value = got.groupby(v).first().sort_index()
    assert by_value.is_monotonic_increasing and got.between(1, 5).all()


def test_quantile_scores_of_small_regions_and_their_errors():
    v = pd.Series({"b": 1.0, "a": 1.0, "c": 2.0})
    # mid-ranks: a = b = 1.5, c = 3 -> ceil(5 r / 3) = 3, 3, 5
    assert seg.quantile_scores(v).to_dict() == {"b": 3, "a": 3, "c": 5}
    assert seg.quantile_scores(pd.Series({"a": 1.0, "b": 2.0, "c": 3.0})).tolist() == [2, 4, 5]
    with pytest.raises(InsufficientDataError, match="same value"):
        seg.quantile_scores(pd.Series([3.0, 3.0, 3.0], name="frequency"))
    with pytest.raises(InsufficientDataError, match="at least 2"):
        seg.quantile_scores(pd.Series([3.0]))


def test_rfm_table_scores_and_segments_by_hand():
    """Five customers, so the score is the rank: hand-worked R, F and segments from the rule table."""
    f = _features(
        {
            "c1": {"recency_days": 5.0, "orders": 10.0, "revenue": 1000.0, "gross_profit": 300.0, "net_profit": np.nan},
            "c2": {"recency_days": 10.0, "orders": 1.0, "revenue": 50.0, "gross_profit": 10.0, "net_profit": np.nan},
            "c3": {"recency_days": 100.0, "orders": 8.0, "revenue": 800.0, "gross_profit": 100.0, "net_profit": np.nan},
            "c4": {"recency_days": 200.0, "orders": 2.0, "revenue": 90.0, "gross_profit": 50.0, "net_profit": np.nan},
            "c5": {"recency_days": 50.0, "orders": 5.0, "revenue": 300.0, "gross_profit": 200.0, "net_profit": np.nan},
        }
    )
    got = seg.rfm_table(f)
    assert got["r_score"].tolist() == [5, 4, 2, 1, 3]
    assert got["f_score"].tolist() == [5, 1, 4, 2, 3]
    assert got["m_score"].tolist() == [5, 1, 4, 2, 3]
    assert got["p_score"].tolist() == [5, 1, 3, 2, 4]  # profits 300, 10, 100, 50, 200
    assert got["cell"].tolist() == ["R5F5", "R4F1", "R2F4", "R1F2", "R3F3"]
    assert got["segment"].tolist() == ["champions", "promising", "at risk", "hibernating", "need attention"]


def test_rfm_rule_table_covers_each_of_the_25_cells_exactly_once():
    cells = [c for members in seg.RFM_SEGMENTS.values() for c in members]
    assert sorted(cells) == sorted(f"R{r}F{f}" for r in range(1, 6) for f in range(1, 6))
    assert len(cells) == 25
    assert set(seg.RFM_SEGMENTS) | {seg.NO_ORDERS_SEGMENT} == set(seg.SEGMENT_ORDER)
    assert seg.SEGMENT_ORDER[-1] == seg.NO_ORDERS_SEGMENT  # worst: moving into it is moving down
    assert len(seg.validate_segment_rules()) == 25


def test_rfm_rule_override_must_cover_every_cell_once():
    rules = {k: list(v) for k, v in seg.RFM_SEGMENTS.items()}
    rules["champions"] = ["R5F5"]  # R5F4 now unassigned
    with pytest.raises(ParamsError, match=r"segmentation\.rfm\.segments: cell\(s\) R5F4 are in no segment"):
        seg.validate_segment_rules(rules)
    rules["champions"] = ["R5F5", "R5F4", "R4F4"]  # R4F4 also in loyal
    with pytest.raises(ParamsError, match="R4F4 is assigned twice"):
        seg.validate_segment_rules(rules)
    rules["champions"] = ["R6F1"]
    with pytest.raises(ParamsError, match="not a cell"):
        seg.validate_segment_rules(rules)
    moved = {k: list(v) for k, v in seg.RFM_SEGMENTS.items()}
    moved["champions"] = ["R5F5"]
    moved["loyal"] = [*moved["loyal"], "R5F4"]
    assert seg.validate_segment_rules(moved)["R5F4"] == "loyal"


# --------------------------------------------------------------------------- pyramid and scorecard


def test_percentile_normalise_by_hand():
    """(average rank - 1) / (n - 1): 10, 20, 20, 40 -> 0, 0.5, 0.5, 1; NaN -> 0."""
    v = pd.Series([10.0, 20.0, 20.0, 40.0, np.nan], index=list("abcde"))
    np.testing.assert_allclose(seg.percentile_normalise(v).to_numpy(), [0, 0.5, 0.5, 1, 0])
    np.testing.assert_allclose(seg.percentile_normalise(v, higher_is_better=False).to_numpy(), [1, 0.5, 0.5, 0, 0])


def test_composite_score_weights_normalised_indicators_and_drops_missing_ones():
    """revenue p = 0, .5, 1; recency (lower better) p = 1, 0, .5; weights .6/.2 rescaled to .75/.25
    after payment_days (absent) is dropped: score = .75 p_rev + .25 p_rec."""
    f = _features(
        {"a": {"revenue": 1.0, "recency_days": 1.0}, "b": {"revenue": 2.0, "recency_days": 9.0}, "c": {"revenue": 3.0, "recency_days": 5.0}}
    )
    used, dropped = seg.resolve_indicators(f, {"revenue": 0.6, "recency_days": 0.2, "payment_days": 0.2}, param="p")
    assert used == pytest.approx({"revenue": 0.75, "recency_days": 0.25}) and dropped == ["payment_days"]
    got = seg.composite_score(f, {"revenue": 0.6, "recency_days": 0.2, "payment_days": 0.2})
    np.testing.assert_allclose(got["score"], [0.25, 0.375, 0.875])
    with pytest.raises(ParamsError, match="unknown indicator 'colour'"):
        seg.composite_score(f, {"colour": 1.0}, param="segmentation.pyramid.value")


def test_assign_tiers_cuts_by_cumulative_customer_share():
    """n = 10, shares .05/.15/.30/.50: cumulative bounds ceil(.5)=1, ceil(2)=2, ceil(5)=5, 10 -> 1, 1, 3, 5."""
    score = pd.Series(np.linspace(1, 0, 10), index=[f"c{i}" for i in range(10)])
    tiers = seg.assign_tiers(score, seg.DEFAULTS["pyramid"]["tiers"])
    assert tiers.value_counts(sort=False).tolist() == [1, 1, 3, 5]
    assert tiers.iloc[0] == "platinum" and tiers.iloc[-1] == "lead"
    with pytest.raises(InsufficientDataError, match="same score"):
        seg.assign_tiers(pd.Series([0.5, 0.5, 0.5]), seg.DEFAULTS["pyramid"]["tiers"])
    with pytest.raises(ParamsError, match="sum to 1"):
        seg.assign_tiers(score, [{"name": "top", "share": 0.5}, {"name": "rest", "share": 0.6}])


def test_value_pyramid_and_plot_draw_a_centred_pyramid_narrow_at_the_top():
    f = _features({f"c{i:02d}": {"revenue": float(i), "gross_profit": float(i) / 2, "net_profit": np.nan} for i in range(20)})
    pyr = seg.value_pyramid(f, {"revenue": 1.0}, seg.DEFAULTS["pyramid"]["tiers"])
    assert pyr.loc["c19", "tier"] == "platinum" and pyr.loc["c19", "rank"] == 1
    summary = seg.pyramid_summary(pyr, f)
    assert summary["customers"].tolist() == [1, 3, 6, 10]
    ax = views.pyramid_chart(summary, Ctx())
    bars = ax.patches
    widths = [b.get_width() for b in bars]
    centres = [b.get_x() + b.get_width() / 2 for b in bars]
    ys = [b.get_y() for b in bars]
    assert widths == [1, 3, 6, 10] and centres == pytest.approx([0, 0, 0, 0])
    assert ys[0] > ys[-1]  # the top tier is drawn on top
    import matplotlib.pyplot as plt

    plt.close("all")


def test_value_scorecard_quadrants_by_hand():
    """current = revenue p (0, 1/3, 2/3, 1), potential = growth p (1, 2/3, 1/3, 0), split 0.5."""
    f = _features({f"c{i}": {"revenue": float(i), "growth": 0.5 - i / 10} for i in range(1, 5)})
    card = seg.value_scorecard(f, {"revenue": 1.0}, {"growth": 1.0}, weights={"current": 0.25, "potential": 0.75})
    np.testing.assert_allclose(card["current_value"], [0, 1 / 3, 2 / 3, 1])
    np.testing.assert_allclose(card["overall"], [0.75, 7 / 12, 5 / 12, 0.25])
    assert card["quadrant"].tolist() == ["invest", "invest", "maintain", "maintain"]
    assert seg.invest_list(card).index.tolist() == ["c1", "c2"]
    ax = views.scorecard_chart(card, Ctx())
    texts = [t.get_text() for t in ax.texts]
    assert {"1", "2", "Invest", "Maintain", "Invest first"} <= set(texts)
    assert any("1  c1" in t and "2  c2" in t for t in texts)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Keep and grow (0)", "Maintain (2)", "Invest (2)", "Monitor (0)"]
    import matplotlib.pyplot as plt

    plt.close("all")


# --------------------------------------------------------------------------- clusters


def _blobs(centres, n_each=40, sd=0.5, seed=0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    pts, truth = [], []
    for j, c in enumerate(centres):
        pts.append(rng.normal(c, sd, size=(n_each, len(c))))
        truth += [j] * n_each
    X = np.vstack(pts)
    f = pd.DataFrame(X, columns=["x", "y"], index=[f"c{i:03d}" for i in range(len(X))])
    f["revenue"] = np.array(truth, dtype=float) * 100 + 1  # blob j has revenue 100 j + 1
    return f, np.array(truth)


def test_clusters_recover_two_well_separated_centres():
    """Simulation with known centres (0, 0) and (10, 10): k = 2, the split is exact and the cluster
    means are within 0.3 of the centres; cluster 1 is the one with the higher revenue."""
    f, truth = _blobs([(0, 0), (10, 10)])
    model = seg.CustomerClusters(features=("x", "y"), k_min=2, k_max=5, random_state=1).fit(f)
    assert model.k_ == 2
    expected = pd.Series(np.where(truth == 1, 1, 2), index=f.index, name="cluster", dtype="int64")
    pd.testing.assert_series_equal(model.labels_, expected)
    np.testing.assert_allclose(model.profiles_.loc[1, ["x", "y"]].astype(float), [10, 10], atol=0.3)
    np.testing.assert_allclose(model.profiles_.loc[2, ["x", "y"]].astype(float), [0, 0], atol=0.3)
    assert model.profiles_.loc[1, "description"] == "high x, high y buyers"


def test_silhouette_chooses_the_simulated_number_of_clusters_and_labels_are_stable():
    """Three simulated blobs: the silhouette picks k = 3; refitting (rows shuffled) gives the same labels."""
    f, _ = _blobs([(0, 0), (10, 0), (0, 10)], n_each=30, seed=4)
    a = seg.CustomerClusters(features=("x", "y"), k_min=2, k_max=6, random_state=0, silhouette_sample=50).fit(f)
    b = seg.CustomerClusters(features=("x", "y"), k_min=2, k_max=6, random_state=0, silhouette_sample=50).fit(
        f.sample(frac=1, random_state=9)
    )
    assert a.k_ == 3 and a.silhouette_.idxmax() == 3
    pd.testing.assert_series_equal(a.labels_, b.labels_.reindex(a.labels_.index))
    pd.testing.assert_series_equal(a.predict(f), a.labels_)


def test_clusters_refuse_use_before_fit_and_degenerate_data():
    with pytest.raises(NotFittedError, match="fit"):
        seg.CustomerClusters(features=("x",)).predict(pd.DataFrame({"x": [1.0]}))
    same = pd.DataFrame({"x": [1.0] * 5, "revenue": 1.0}, index=list("abcde"))
    with pytest.raises(InsufficientDataError, match="1 distinct"):
        seg.CustomerClusters(features=("x",)).fit(same)
    with pytest.raises(ParamsError, match="k_min"):
        seg.CustomerClusters(features=("x",), k_min=1).fit(same)


def test_describe_cluster_names_the_strongest_features():
    z = pd.Series({"revenue": 1.2, "orders": 0.8, "n_categories": 0.6, "margin": 0.1, "recency_days": -0.4})
    assert seg.describe_cluster(z) == "large, frequent, broad buyers"
    assert seg.describe_cluster(pd.Series({"recency_days": 1.5, "revenue": -0.9})) == "lapsed, small buyers"
    assert seg.describe_cluster(pd.Series({"revenue": 0.1})) == "average buyers"


_FOUR = [(0, 0), (6, 0), (0, 6), (6, 6)]


def _centres(model) -> pd.DataFrame:
    """The fitted k-means centres in the features' units, indexed by cluster number."""
    scale, km = model.pipeline_[0], model.pipeline_[-1]
    centres = scale.inverse_transform(km.cluster_centers_)
    return pd.DataFrame(centres, columns=["x", "y"], index=[model.label_map_[i] for i in range(len(centres))]).sort_index()


@pytest.fixture(scope="module")
def four_blobs():
    """6,000 simulated customers around four known centres (sd 0.7), fitted on everyone and on a sample of 1,000."""
    f, truth = _blobs(_FOUR, n_each=1500, sd=0.7, seed=11)
    settings = {"features": ("x", "y"), "k_min": 2, "k_max": 6, "random_state": 5}
    full = seg.CustomerClusters(**settings, fit_sample=None).fit(f)
    sampled = seg.CustomerClusters(**settings, fit_sample=1000).fit(f)
    return f, truth, full, sampled


def test_sampled_clustering_recovers_the_full_fit_on_simulated_blobs(four_blobs):
    """Simulation with known centres (0, 0), (6, 0), (0, 6), (6, 6), sd 0.7, 1,500 customers each. Fitted on a
    random 1,000 of the 6,000 (3 restarts per k in the search), the silhouette picks the same k = 4 as the full
    fit; each centre is estimated from ~250 sampled customers, standard error 0.7 / sqrt(250) = 0.044, so the
    centres lie within 0.15 (over 3 s.e.) of the true centres and of the full fit's; at least 99% of customers
    get the same cluster. Cluster 1 has the highest revenue: the blob around (6, 6)."""
    f, truth, full, sampled = four_blobs
    assert full.k_ == sampled.k_ == 4
    expected = pd.DataFrame(_FOUR[::-1], columns=["x", "y"], index=[1, 2, 3, 4], dtype="float64")
    for model in (full, sampled):
        np.testing.assert_allclose(_centres(model), expected, atol=0.15)
    np.testing.assert_allclose(_centres(sampled), _centres(full), atol=0.15)
    assert (sampled.labels_ == full.labels_).mean() >= 0.99
    assert (sampled.labels_ == pd.Series(4 - truth, index=f.index)).mean() >= 0.99
    assert sampled.labels_.index.equals(f.index) and sampled.profiles_["customers"].sum() == 6000
    assert (sampled.n_customers_, sampled.n_fit_, sampled.n_silhouette_) == (6000, 1000, 1000)
    assert (full.n_customers_, full.n_fit_, full.n_silhouette_) == (6000, 6000, 2000)


def test_sampled_clustering_says_what_was_sampled(four_blobs):
    _, _, full, sampled = four_blobs
    assert sampled.sampling_note() == (
        "clusters fitted on a random sample of 1,000 of the 6,000 customers who have ordered; the others join the nearest cluster"
    )
    assert full.sampling_note() == "silhouette computed on a random sample of 2,000 customers"
    small = seg.CustomerClusters(features=("x", "y"), k_min=2, k_max=3, random_state=0).fit(_blobs([(0, 0), (9, 9)])[0])
    assert small.sampling_note() == ""


def test_sampled_clustering_is_seeded_and_independent_of_row_order(four_blobs):
    """The sample is drawn from the id-sorted customers with the seed: shuffled rows give the same clusters."""
    f, _, _, sampled = four_blobs
    again = seg.CustomerClusters(features=("x", "y"), k_min=2, k_max=6, random_state=5, fit_sample=1000).fit(
        f.sample(frac=1, random_state=3)
    )
    pd.testing.assert_series_equal(again.labels_.reindex(f.index), sampled.labels_)
    pd.testing.assert_series_equal(again.silhouette_, sampled.silhouette_)


def test_regions_up_to_the_fit_sample_are_fitted_as_without_sampling():
    """fit_sample = n (not exceeded) gives exactly the fit of fit_sample=None: same k, silhouettes and labels."""
    f, _ = _blobs([(0, 0), (10, 0), (0, 10)], n_each=40, seed=4)
    a = seg.CustomerClusters(features=("x", "y"), k_min=2, k_max=5, random_state=0, fit_sample=None).fit(f)
    b = seg.CustomerClusters(features=("x", "y"), k_min=2, k_max=5, random_state=0, fit_sample=len(f)).fit(f)
    pd.testing.assert_series_equal(a.silhouette_, b.silhouette_)
    pd.testing.assert_series_equal(a.labels_, b.labels_)
    assert b.n_fit_ == len(f)


def test_cluster_sampling_settings_are_checked():
    f, _ = _blobs([(0, 0), (10, 10)])
    with pytest.raises(ParamsError, match=r"segmentation\.clusters\.fit_sample: .* >= 100"):
        seg.CustomerClusters(features=("x", "y"), fit_sample=50).fit(f)
    with pytest.raises(ParamsError, match=r"segmentation\.clusters\.search_n_init"):
        seg.CustomerClusters(features=("x", "y"), search_n_init=0).fit(f)


def test_clustering_leaves_the_thread_limits_as_they_were():
    """k-means runs single-threaded inside fit only; the process's thread pools are unchanged afterwards."""
    from threadpoolctl import threadpool_info

    before = [(p["internal_api"], p["num_threads"]) for p in threadpool_info()]
    seg.CustomerClusters(features=("x", "y"), k_min=2, k_max=3, random_state=0).fit(_blobs([(0, 0), (9, 9)])[0])
    assert [(p["internal_api"], p["num_threads"]) for p in threadpool_info()] == before


def test_segment_region_states_a_sampled_cluster_fit_in_the_report():
    """300 customers, fit sample 100: every customer gets a cluster, and the caveat (English, for logs) says the fit was sampled."""
    customers, tx = _simulated_region(n=300, seed=8)
    buyers = tx.loc[tx["order_date"] <= "2026-09-30", "customer_id"].nunique()  # counted from the order lines
    rep = seg.segment_region(tx, customers, "2026Q3", {"clusters": {"fit_sample": 100}}, seed=1)
    assert rep.note("clusters") == (
        f"clusters fitted on a random sample of 100 of the {buyers} customers who have ordered; the others join the nearest cluster"
    )
    assert len(rep.table("cluster_labels")) == buyers and rep.table("clusters")["customers"].sum() == buyers


# --------------------------------------------------------------------------- loyalty, stage, market type


def test_loyalty_classes_follow_the_written_rule():
    base = {"tenure_days": 700.0, "gap_cv": 0.2, "gap_mean_days": 30.0, "recency_days": 20.0, "category_share": 0.5}
    f = _features(
        {
            "loyal": {**base, "orders_total": 20.0},
            "oneoff": {**base, "orders_total": 1.0, "gap_cv": np.nan},
            "irregular": {**base, "orders_total": 10.0, "gap_cv": 1.4},
            "overdue": {**base, "orders_total": 10.0, "recency_days": 90.0},  # 3 usual gaps
            "narrow": {**base, "orders_total": 10.0, "category_share": 0.1},
            "young": {**base, "orders_total": 6.0, "tenure_days": 100.0},
        }
    )
    got = seg.loyalty_classes(f)
    assert got["loyalty"].to_dict() == {
        "loyal": "loyal",
        "oneoff": "no brand loyalty",
        "irregular": "switcher",
        "overdue": "switcher",
        "narrow": "switcher",
        "young": "switcher",
    }
    assert got.loc["overdue", "recency_ratio"] == 3.0
    assert "irregular" in got.loc["irregular", "reason"] and "2 usual gaps" in got.loc["overdue", "reason"]


def test_loyalty_is_unavailable_with_its_reason_when_the_history_is_shorter_than_the_tenure_rule():
    """Rule history_shorter_than_tenure: 300 days of orders cannot show a 365-day tenure, so no class is given (not
    "Loyal 0"); with 365 days, or the rule lowered to 300, the classes are computed."""
    from custlib.exceptions import InsufficientDataError

    base = {"gap_cv": 0.2, "gap_mean_days": 30.0, "recency_days": 20.0, "category_share": 0.5, "orders_total": 10.0}
    short = _features({"a": {**base, "tenure_days": 300.0}, "b": {**base, "tenure_days": 120.0}})
    with pytest.raises(InsufficientDataError, match="300 days") as err:
        seg.loyalty_classes(short)
    assert err.value.code == "history_shorter_than_tenure"
    assert err.value.fields == {"history_days": 300, "min_tenure_days": 365}
    assert seg.loyalty_classes(short, min_tenure_days=300)["loyalty"].tolist() == ["loyal", "switcher"]
    enough = _features({"a": {**base, "tenure_days": 365.0}, "b": {**base, "tenure_days": 120.0}})
    assert seg.loyalty_classes(enough)["loyalty"].tolist() == ["loyal", "switcher"]


def test_a_short_history_says_why_loyalty_is_missing_in_both_languages():
    from custlib.io.periods import Quarter
    from custlib.reports.context import ReportContext
    from custlib.reports.sections import compute

    base = {"gap_cv": 0.2, "gap_mean_days": 30.0, "recency_days": 20.0, "category_share": 0.5, "orders_total": 10.0}
    result = compute(seg.loyalty_summary, _features({"a": {**base, "tenure_days": 300.0}, "b": {**base, "tenure_days": 12.0}}))
    en = ReportContext("East", Quarter.parse("2026Q3"), {}, None, "en")
    zh = ReportContext("East", Quarter.parse("2026Q3"), {}, None, "zh")
    assert en.reason(result, views.loyalty_view) == (
        "The data covers 300 days of orders, shorter than the 365 days a customer must have bought for to count as loyal "
        "(parameter segmentation.loyalty.min_tenure_days), so loyalty cannot be judged yet."
    )
    assert "300" in zh.reason(result, views.loyalty_view) and "365" in zh.reason(result, views.loyalty_view)


def test_relationship_stages_from_share_of_wallet_thresholds():
    f = _features(
        {
            k: {"revenue_12m": r, "wallet_estimate": w}
            for k, r, w in [("d", 0.0, 100.0), ("i", 10.0, 100.0), ("s", 30.0, 100.0), ("g", 70.0, 100.0), ("u", 50.0, np.nan)]
        }
    )
    got = seg.relationship_stages(f)
    assert got["stage"].iloc[:4].tolist() == ["development", "initial cooperation", "stable cooperation", "strategic cooperation"]
    assert pd.isna(got.loc["u", "stage"])
    np.testing.assert_allclose(got["share_of_wallet"].iloc[:4], [0.0, 0.1, 0.3, 0.7])


def test_relationship_stages_say_not_available_without_wallet_estimates():
    f = _features({"a": {"revenue_12m": 1.0, "wallet_estimate": np.nan}})
    with pytest.raises(InsufficientDataError, match="wallet_estimate"):
        seg.relationship_stages(f)
    with pytest.raises(InsufficientDataError, match="not available"):
        seg.relationship_stages(f.drop(columns="wallet_estimate"))
    with pytest.raises(ParamsError, match="stable < strategic"):
        seg.relationship_stages(f, stable=0.7, strategic=0.6)


def test_market_type_breakdown_lists_all_five_types():
    f = _features(
        {
            "a": {"market_type": "producer", "orders": 2.0, "revenue": 100.0, "gross_profit": 40.0, "net_profit": np.nan},
            "b": {"market_type": "producer", "orders": 0.0, "revenue": 0.0, "gross_profit": 0.0, "net_profit": np.nan},
            "c": {"market_type": "reseller", "orders": 1.0, "revenue": 300.0, "gross_profit": 30.0, "net_profit": np.nan},
        }
    )
    got = seg.market_type_breakdown(f)
    assert got.index.tolist() == ["consumer", "producer", "reseller", "government", "international"]
    assert got.loc["producer", ["customers", "buyers"]].tolist() == [2, 1]
    assert got.loc["reseller", "revenue_share"] == 0.75 and got.loc["producer", "margin"] == 0.4
    assert got.loc["consumer", "customers"] == 0


# --------------------------------------------------------------------------- migration and action lists


def test_transition_matrix_counts_and_revenue_by_hand():
    prev = pd.Series({"a": "X", "b": "Y", "c": "X"})
    curr = pd.Series({"a": "Y", "b": "Y", "d": "X"})
    got = seg.transition_matrix(prev, curr, order=["X", "Y"])
    expected = pd.DataFrame([[0, 1, 1], [0, 1, 0], [1, 0, 0]], index=["X", "Y", "(none)"], columns=["X", "Y", "(none)"], dtype="int64")
    expected.index.name, expected.columns.name = "previous quarter", "this quarter"
    pd.testing.assert_frame_equal(got, expected)
    rev = seg.transition_matrix(prev, curr, order=["X", "Y"], values=pd.Series({"a": 5.0, "b": 7.0, "d": 11.0}))
    assert rev.loc["X", "Y"] == 5.0 and rev.loc["Y", "Y"] == 7.0 and rev.loc["(none)", "X"] == 11.0


def test_transition_matrix_of_categorical_tiers_with_unranked_customers():
    """Hand count: a (gold -> gold), b (lead -> gold), c (unranked -> lead), d (gold -> not in this quarter);
    empty classes (platinum, iron) keep their rows and columns."""
    tiers = ["platinum", "gold", "iron", "lead"]
    prev = pd.Series(pd.Categorical(["gold", "lead", None, "gold"], categories=tiers, ordered=True), index=list("abcd"))
    curr = pd.Series(["gold", "gold", "lead"], index=list("abc"), dtype="str")
    got = seg.transition_matrix(prev, curr, order=tiers)
    expected = pd.DataFrame(0, index=[*tiers, "(none)"], columns=[*tiers, "(none)"], dtype="int64")
    expected.loc["gold", "gold"] = 1
    expected.loc["lead", "gold"] = 1
    expected.loc["(none)", "lead"] = 1
    expected.loc["gold", "(none)"] = 1
    expected.index.name, expected.columns.name = "previous quarter", "this quarter"
    pd.testing.assert_frame_equal(got, expected)


def test_moved_down_lists_valuable_customers_whose_tier_fell():
    tiers = seg.DEFAULTS["pyramid"]["tiers"]
    prev = pd.Series({"a": "platinum", "b": "gold", "c": "iron", "d": "gold"})
    curr = pd.Series({"a": "gold", "b": "gold", "c": "lead", "d": "lead"})
    got = seg.moved_down(prev, curr, tiers, valuable_tiers=2)
    assert got.index.tolist() == ["a", "d"]  # c fell but was not valuable
    assert got.loc["d", "tier"] == "lead"


def test_valuable_at_risk_and_customers_to_grow_carry_their_numbers():
    f = _features(
        {
            "big_slipping": {
                "name": "n1",
                "market_type": "producer",
                "revenue": 900.0,
                "revenue_prior": 1000.0,
                "growth": -0.05,
                "recency_days": 200.0,
                "orders": 3.0,
                "last_order": pd.Timestamp("2026-03-01"),
            },
            "big_ok": {
                "name": "n2",
                "market_type": "producer",
                "revenue": 800.0,
                "revenue_prior": 700.0,
                "growth": 0.07,
                "recency_days": 5.0,
                "orders": 9.0,
                "last_order": pd.Timestamp("2026-09-25"),
            },
            "small_slipping": {
                "name": "n3",
                "market_type": "producer",
                "revenue": 10.0,
                "revenue_prior": 50.0,
                "growth": -0.67,
                "recency_days": 300.0,
                "orders": 1.0,
                "last_order": pd.Timestamp("2025-12-01"),
            },
        }
    )
    rfm = pd.DataFrame({"segment": ["can't lose", "champions", "hibernating"]}, index=f.index)
    pyr = pd.DataFrame(
        {"tier": pd.Categorical(["platinum", "gold", "lead"], categories=["platinum", "gold", "iron", "lead"], ordered=True)}, index=f.index
    )
    got = seg.valuable_at_risk(f, rfm, pyr, seg.DEFAULTS["pyramid"]["tiers"])
    assert got.index.tolist() == ["big_slipping"]
    assert got.loc["big_slipping", ["revenue", "revenue_prior", "recency_days"]].tolist() == [900.0, 1000.0, 200.0]
    assert got.loc["big_slipping", "why"] == "segment can't lose"


# --------------------------------------------------------------------------- whole section and degenerate regions


def test_segment_region_builds_every_section_on_a_simulated_region():
    customers, tx = _simulated_region()
    rep = seg.segment_region(tx, customers, "2026Q3")
    assert rep.unavailable == {}
    for name in (
        "abc",
        "rfm",
        "pyramid_value",
        "pyramid_profit",
        "pyramid_potential",
        "scorecard",
        "clusters",
        "loyalty",
        "relationship",
        "market_type",
        "migration_tier_customers",
        "to_grow",
        "at_risk",
    ):
        assert isinstance(rep.table(name), pd.DataFrame), name
    assert rep.table("rfm")["customers"].sum() == 60
    assert rep.table("migration_tier_customers").to_numpy().sum() == 60
    assert "net profit" in rep.note("abc")  # no service costs given


def test_segment_region_one_customer_says_why_instead_of_crashing():
    tx = _tx([("o1", "X", "2026-09-01", "a", 100.0, 60.0), ("o2", "X", "2026-05-01", "a", 100.0, 60.0)])
    rep = seg.segment_region(tx, _customers(["X"], wallet=[1000.0]), "2026Q3")
    assert "at least 2 customers" in rep.note("rfm")
    assert "at least 2 customers" in rep.note("abc")
    assert "clusters need at least 3" in rep.note("clusters")
    with pytest.raises(InsufficientDataError, match="at least 2 customers"):
        rep.table("pyramid_value")
    assert "market_type" in rep.tables  # a breakdown of one customer is still a breakdown


def test_segment_region_no_orders_this_quarter_marks_every_section():
    tx = _tx([("o1", "X", "2026-03-01", "a", 100.0, 60.0), ("o2", "Y", "2026-04-01", "a", 10.0, 6.0)])
    rep = seg.segment_region(tx, _customers(["X", "Y"]), "2026Q3")
    assert set(rep.unavailable) >= {"abc", "rfm", "pyramid_value", "clusters", "to_grow", "at_risk"}
    assert all("no orders in 2026Q3" in m for m in rep.unavailable.values())


def test_segment_region_all_equal_customers_get_a_clear_message():
    rows = [(f"o{c}{m}", c, f"2026-0{m}-10", "a", 100.0, 60.0) for c in "XYZW" for m in range(1, 10)]
    rep = seg.segment_region(_tx(rows), _customers(list("XYZW")), "2026Q3")
    assert "same value" in rep.note("rfm")
    assert "same score" in rep.note("pyramid_value")
    assert "1 distinct" in rep.note("clusters")
    assert "wallet_estimate" in rep.note("relationship")


# --------------------------------------------------------------------------- parameters


def test_default_params_match_the_schema():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "custlib" / "io" / "schemas" / "segmentation.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(seg.DEFAULTS, schema)
    bad = {**seg.DEFAULTS, "abc": {"cutoffs": [0.8, 1.5]}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_params_defaults_file_agrees_with_module_defaults():
    yaml = pytest.importorskip("yaml")
    path = ROOT / "params" / "defaults.yaml"
    section = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("segmentation") if path.is_file() else None
    if section is None:
        pytest.skip("params/defaults.yaml has no segmentation section yet")
    assert section == seg.DEFAULTS


def test_merge_params_keeps_defaults_for_missing_keys():
    got = seg.merge_params({"abc": {"cutoffs": [0.7, 0.9]}, "window_months": 6})
    assert got["abc"] == {"cutoffs": [0.7, 0.9], "measures": seg.DEFAULTS["abc"]["measures"]}
    assert got["window_months"] == 6 and got["rfm"] == seg.DEFAULTS["rfm"]
    assert math.isclose(sum(t["share"] for t in got["pyramid"]["tiers"]), 1.0)


# --------------------------------------------------------------------------- trend rule, moves


def test_slipping_customers_use_an_exact_poisson_tail():
    """Closed form: P(X <= 1 | 8) = 9 e^-8 = 0.0030 -> slipping; P(X <= 0 | 2) = e^-2 = 0.135 -> not
    (too few usual orders to tell); 4 of a usual 6 is not a halving."""
    f = _features(
        {
            "a": {"orders_per_quarter_before": 8.0, "orders_quarter": 1.0},
            "b": {"orders_per_quarter_before": 2.0, "orders_quarter": 0.0},
            "c": {"orders_per_quarter_before": 6.0, "orders_quarter": 4.0},
        }
    )
    got = seg.slipping_customers(f)
    np.testing.assert_allclose(
        got["p_value"], [9 * math.exp(-8), math.exp(-2), math.exp(-6) * sum(6**k / math.factorial(k) for k in range(5))]
    )
    assert got["slipping"].tolist() == [True, False, False]
    assert not seg.slipping_customers(f, ratio=0.0)["slipping"].any()


def test_rfm_trend_rule_moves_a_collapsing_frequent_buyer_to_cant_lose():
    """c1 is R5F5 (champions) by the grid, but its orders fell from 8 a quarter to 1: cell R2F5 = can't lose."""
    rows = {
        f"c{i}": {
            "recency_days": float(10 * i),
            "orders": float(20 - i),
            "revenue": 100.0 - i,
            "gross_profit": 50.0 - i,
            "net_profit": np.nan,
            "orders_per_quarter_before": 5.0,
            "orders_quarter": 5.0,
        }
        for i in range(1, 6)
    }
    rows["c1"].update(orders_per_quarter_before=8.0, orders_quarter=1.0)
    got = seg.rfm_table(_features(rows))
    assert got.loc["c1", ["r_score", "f_score"]].tolist() == [5, 5]
    assert got.loc["c1", "cell"] == "R2F5" and got.loc["c1", "segment"] == "can't lose"
    assert got.loc["c2", "segment"] == "loyal"  # R4F4, steady


def test_transition_matrix_omits_the_none_row_when_every_customer_was_classed():
    prev = pd.Series({"a": "X", "b": "Y"})
    got = seg.transition_matrix(prev, pd.Series({"a": "Y", "b": "Y"}), order=["X", "Y"])
    assert got.index.tolist() == ["X", "Y"] and got.columns.tolist() == ["X", "Y"]


def test_class_moves_by_hand():
    got = seg.class_moves(pd.Series({"a": "B", "b": "A", "c": "C"}), pd.Series({"a": "A", "b": "B", "d": "C"}), ("A", "B", "C"))
    assert got["move"].to_dict() == {"a": "up", "b": "down", "c": "gone", "d": "new"}


# --------------------------------------------------------------------------- what a manager reads: views, charts, summary


@pytest.fixture(scope="module")
def simulated_report():
    customers, tx = _simulated_region()
    return seg.segment_region(tx, customers, "2026Q3"), tx


def test_unavailable_reasons_read_as_sentences():
    """Subject and verb agree, and one customer is one customer."""
    tx = _tx([("o1", "X", "2026-09-01", "a", 100.0, 60.0), ("o2", "X", "2026-05-01", "a", 100.0, 60.0)])
    rep = seg.segment_region(tx, _customers(["X"], wallet=[1000.0]), "2026Q3")
    assert rep.note("pyramid_value") == "the value pyramid needs at least 2 customers who have ordered; this region has 1"
    assert rep.note("pyramid_potential").startswith("the potential-value pyramid needs at least 2")
    assert rep.note("rfm").startswith("RFM scores need at least 2 customers")
    assert rep.note("clusters").startswith("clusters need at least 3 customers")
    quiet = _tx([("o1", "X", "2026-03-01", "a", 100.0, 60.0)])
    rep = seg.segment_region(quiet, _customers(["X"]), "2026Q3")
    assert rep.note("abc") == "no orders in 2026Q3 from this region's 1 customer: nothing to segment for this quarter"


def test_pyramid_labels_sit_beside_the_bars_not_on_them():
    summary = pd.DataFrame({"customers": [1, 3, 6, 10], "revenue_share": [0.4, 0.3, 0.2, 0.1]}, index=["platinum", "gold", "iron", "lead"])
    ax = views.pyramid_chart(summary, Ctx(), which="value")
    texts = {t.get_text(): t for t in ax.texts}
    assert ax.get_title() == "Value pyramid"
    assert set(texts) == {"Platinum", "Gold", "Iron", "Lead", "1 customer\n40.0% of revenue", "3 customers\n30.0% of revenue"} | {
        "6 customers\n20.0% of revenue",
        "10 customers\n10.0% of revenue",
    }
    for bar, tier, numbers in zip(ax.patches, ("Platinum", "Gold", "Iron", "Lead"), ("1 customer", "3 customers", "6", "10"), strict=True):
        name = texts[tier]
        count = next(t for k, t in texts.items() if k.startswith(numbers))
        assert name.get_position()[0] < bar.get_x() and name.get_ha() == "right"
        assert count.get_position()[0] > bar.get_x() + bar.get_width() and count.get_ha() == "left"
    assert ax.get_xlim()[1] >= 1.8 * 10 / 2  # room for the numbers right of the widest bar
    import matplotlib.pyplot as plt

    plt.close("all")


def _hand_report():
    """A report with hand-made tables; the expected headlines are counted by hand in the tests."""
    ids = pd.Index(["a", "b", "c", "d"], name="customer_id")
    feats = pd.DataFrame({"wallet_headroom": [1000.0, np.nan, 50.0, 0.0], "orders": [2.0, 1.0, 3.0, 0.0]}, index=ids)
    return seg.RegionSegmentation(
        quarter="2026Q3",
        params=seg.merge_params(None),
        tables={
            "active_customers": pd.Series({"2026Q2": 3, "2026Q3": 2}),
            "customers": feats,
            "rfm_customers": pd.DataFrame({"segment": ["champions", "at risk", "hibernating", "can't lose"]}, index=ids),
            "rfm_previous_customers": pd.DataFrame({"segment": ["need attention", "loyal", "hibernating", "new"]}, index=ids),
            "at_risk_customers": pd.DataFrame({"revenue": [100.0, 250.25]}, index=["b", "d"]),
            "at_risk_previous_customers": pd.DataFrame({"revenue": [400.0]}, index=["b"]),
            "moved_down": pd.DataFrame({"tier": ["gold"]}, index=["d"]),
            "scorecard_customers": pd.DataFrame({"quadrant": ["invest", "invest", "monitor", "keep and grow"]}, index=ids),
        },
    )


def _headlines(rep, ctx=None):
    """The executive summary of a whole-region segmentation: figures and advice (custlib.reports.segmentation)."""
    T, ctx = rep.tables, ctx or Ctx()
    figures = rs.headline_figures(
        T.get("active_customers"),
        T.get("rfm_customers"),
        T.get("rfm_previous_customers"),
        T.get("at_risk_customers"),
        T.get("at_risk_previous_customers"),
        T.get("moved_down"),
    )
    advice = rs.actions(
        ctx,
        at_risk=T.get("at_risk_customers"),
        moved_down=T.get("moved_down"),
        scorecard=T.get("scorecard_customers"),
        features=T.get("customers"),
    )
    return figures, advice


def test_headline_figures_count_this_and_last_quarter_by_hand():
    """Hand count: 2 customers ordered this quarter (3 last quarter); slipping segments are at risk and can't lose
    (2; last quarter need attention: 1), hibernating is gone, not slipping; 2 valuable customers at risk with
    100 + 250.25 of revenue (1 with 400 last quarter); 1 moved down; 2 customers to grow with 1,000 headroom
    (b has no wallet estimate)."""
    figures, actions = _headlines(_hand_report(), Ctx("en", "EUR"))
    expected = pd.DataFrame(
        {
            "figure": [
                "Customers who ordered this quarter",
                "Customers in slipping RFM segments",
                "Valuable customers at risk",
                "Revenue of valuable customers at risk",
                "Valuable customers who moved down a tier",
            ],
            "value": [2.0, 2.0, 2.0, 350.25, 1.0],
            "previous": [3.0, 1.0, 1.0, 400.0, np.nan],
            "unit": ["count", "count", "count", "money", "count"],
            "good": ["up", "down", "down", "down", "down"],
        }
    )
    pd.testing.assert_frame_equal(figures, expected, check_dtype=False)
    assert actions == [
        "Visit the 2 valuable customers at risk before the relationship breaks: €350 of revenue over the last 12 months is at stake.",
        "Ask the 1 valuable customer who moved down a tier since last quarter what changed.",
        "Offer more to the 2 customers to grow, highest potential first: they still buy €1,000 a year from other suppliers.",
    ]


def test_headline_figures_degrade_when_sections_are_missing():
    rep = _hand_report()
    for name in ("rfm_previous_customers", "at_risk_customers", "at_risk_previous_customers", "moved_down", "scorecard_customers"):
        del rep.tables[name]
    figures, actions = _headlines(rep)
    assert figures["value"].tolist()[:2] == [2.0, 2.0] and figures["value"][2:].isna().all()
    assert figures["previous"].tolist()[0] == 3.0 and figures["previous"][1:].isna().all()
    assert actions == []  # who is at risk or moved down is unknown: no "nobody is" sentence (issue 15)
    empty, _ = _headlines(seg.RegionSegmentation(quarter="2026Q3", unavailable={"abc": "no orders"}))
    assert len(empty) == 5 and empty["value"].isna().all()
    quiet = _tx([("o1", "X", "2026-03-01", "a", 100.0, 60.0), ("o2", "Y", "2026-04-01", "a", 10.0, 6.0)])
    figures, _ = _headlines(seg.segment_region(quiet, _customers(["X", "Y"]), "2026Q3"))
    assert figures.loc[0, ["value", "previous"]].tolist() == [0.0, 1.0]  # no orders this quarter is a count of 0, not unknown
    assert figures["value"][1:].isna().all()


def test_headline_figures_of_a_region_match_its_order_lines(simulated_report):
    """Independent count from the raw order lines: distinct customers with an order in 2026Q3 (and in 2026Q2)."""
    rep, tx = simulated_report
    figures, actions = _headlines(rep)
    in_q3 = tx[(tx["order_date"] >= "2026-07-01") & (tx["order_date"] <= "2026-09-30")]["customer_id"].nunique()
    in_q2 = tx[(tx["order_date"] >= "2026-04-01") & (tx["order_date"] <= "2026-06-30")]["customer_id"].nunique()
    assert figures.loc[0, ["value", "previous"]].tolist() == [in_q3, in_q2]
    assert figures.loc[2, "value"] == len(rep.table("at_risk_customers")) >= len(rep.table("at_risk"))
    assert 1 <= len(actions) <= 3


def test_migration_views_blank_empty_cells_and_show_revenue_as_money():
    prev, cur = pd.Series({"a": "A", "b": "B", "c": "B"}), pd.Series({"a": "A", "b": "A", "c": "B"})
    rev = pd.Series({"a": 12_345.0, "b": 499.0, "c": 2_500.0})
    counts = views.migration_view(seg.transition_matrix(prev, cur, order=("A", "B", "C")), Ctx(), classes="abc").frame.set_index(
        "Last quarter \\ this quarter"
    )
    assert counts.loc["A", "A"] == 1 and counts.loc["B", "A"] == 1 and np.isnan(counts.loc["A", "B"]) and np.isnan(counts.loc["C", "C"])
    tv = views.migration_view(seg.transition_matrix(prev, cur, order=("A", "B", "C"), values=rev), Ctx(), classes="abc", revenue=True)
    frame = tv.frame.set_index("Last quarter \\ this quarter")
    assert frame.loc["A", "A"] == 12_345.0 and frame.loc["B", "A"] == 499.0 and np.isnan(frame.loc["A", "B"])
    assert tv.kinds["A"] == "money" and tv.caption == "Revenue of customers moving between classes"
    # the count matrix's caption is read off the same cells: b moved up from B to A (below the diagonal)
    count_tv = views.migration_view(seg.transition_matrix(prev, cur, order=("A", "B", "C")), Ctx(), classes="abc")
    assert count_tv.caption.startswith("Since last quarter 1 moved up (below the diagonal), 0 moved down (above the diagonal) and 2 stayed")


def test_customer_lists_show_change_as_a_percentage_and_no_scores(simulated_report):
    rep, _ = simulated_report
    tv = views.to_grow_view(rep.table("to_grow"), Ctx())
    grow = tv.frame.set_index("Customer")
    f = rep.table("customers").loc[grow.index]
    expected = (f["revenue"] / f["revenue_prior"] - 1).where(f["revenue_prior"] > 0)
    np.testing.assert_allclose(grow["Change vs previous 12 months"], expected)
    assert "current_value" not in grow.columns and tv.kinds["Change vs previous 12 months"] == "percent"
    assert grow["Market type"].str[0].str.isupper().all()
    risk = views.at_risk_view(rep.table("at_risk"), Ctx())
    assert list(risk.frame.columns) == [
        "Customer",
        "Name",
        "Tier",
        "ABC class",
        "RFM segment",
        "Revenue, last 12 months",
        "Change vs previous 12 months",
        "Last order",
    ]
    assert risk.kinds["Revenue, last 12 months"] == "money"


def _latin_words(text: str) -> list[str]:
    allowed = {"RFM", "ABC", "CNY"}
    text = re.sub(r"\b[a-z_]+(?:\.[a-z_]+)+\b", "", str(text))  # a parameter's dotted name is code, written as it is
    return [w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in allowed]


def test_chinese_report_leaves_no_english_in_tables_charts_or_summary(simulated_report):
    """Every header, label, caption, chart text, headline and advice of the report reads in Chinese (ids and
    customer names excepted): the views, charts and rules of custlib.present/reports.segmentation."""
    import matplotlib.pyplot as plt

    from custlib.present import segmentation as views
    from custlib.reports import segmentation as rs
    from tests.test_segmentation_views import Ctx

    rep, _ = simulated_report
    T, ctx = rep.tables, Ctx("zh")
    shown = [
        views.abc_view(T["abc"], ctx),
        views.rfm_view(T["rfm"], ctx),
        views.pyramid_view(T["pyramid_value"], ctx),
        views.scorecard_view(T["scorecard"], ctx),
        views.clusters_view(T["clusters"], ctx),
        views.loyalty_view(T["loyalty"], ctx),
        views.relationship_view(T["relationship"], ctx),
        views.migration_view(T["relationship_migration"], ctx, classes="stage"),
        views.market_type_view(T["market_type"], ctx),
        views.migration_view(T["migration_segment_customers"], ctx, classes="segment"),
        views.migration_view(T["migration_segment_revenue"], ctx, classes="segment", revenue=True),
        views.migration_view(T["migration_tier_customers"], ctx, classes="tier"),
        views.migration_view(T["migration_abc_customers"], ctx, classes="abc"),
        views.moved_down_view(T["moved_down"], ctx),
        views.to_grow_view(T["to_grow"], ctx),
        views.at_risk_view(T["at_risk"], ctx),
    ]
    texts = []
    for tv in shown:
        frame = tv.frame.drop(columns=["客户编号", "客户名称"], errors="ignore")
        texts += [tv.caption, *frame.columns, *(v for v in frame.to_numpy().ravel() if isinstance(v, str))]
    for ax in (views.pyramid_chart(T["pyramid_profit"], ctx, which="profit"), views.scorecard_chart(T["scorecard_customers"], ctx)):
        texts += [t.get_text() for t in ax.figure.findobj(plt.Text) if not re.fullmatch(r"\d+\s+C\d+(\n\d+\s+C\d+)*", t.get_text())]
        plt.close("all")
    figures = rs.headline_figures(
        T["active_customers"], T["rfm_customers"], T.get("rfm_previous_customers"), T["at_risk_customers"], None, T["moved_down"]
    )
    texts += [ctx.messages("segmentation").gettext(f) for f in figures["figure"]]
    texts += rs.actions(
        ctx, at_risk=T["at_risk_customers"], moved_down=T["moved_down"], scorecard=T["scorecard_customers"], features=T["customers"]
    )
    left = {t: _latin_words(t) for t in texts if _latin_words(t)}
    assert not left, left


def test_chinese_reasons_for_missing_sections():
    """Every reason code of a degenerate region has a message, and it reads whole in Chinese."""
    from custlib.present.messages import Messages
    from custlib.present.reasons import REASONS as SHARED

    one = _tx([("o1", "X", "2026-09-01", "a", 100.0, 60.0), ("o2", "X", "2026-05-01", "a", 100.0, 60.0)])
    quiet = _tx([("o1", "X", "2026-03-01", "a", 100.0, 60.0), ("o2", "Y", "2026-04-01", "a", 10.0, 6.0)])
    same = _tx([(f"o{c}{m}", c, f"2026-0{m}-10", "a", 100.0, 60.0) for c in "XYZW" for m in range(1, 10)])
    codes = set()
    for tx, ids in ((one, ["X"]), (quiet, ["X", "Y"]), (same, list("XYZW"))):
        codes |= set(seg.segment_region(tx, _customers(ids), "2026Q3").codes.values())
    assert len(codes) >= 5
    zh_seg, zh_shared = Messages("zh", "segmentation"), Messages("zh", "custlib")
    fields = {"needed": 2, "found": 1, "k": 3, "history_days": 200, "min_tenure_days": 365}
    texts = {c: zh_seg.gettext(views.REASONS[c], **fields) if c in views.REASONS else zh_shared.gettext(SHARED[c], **fields) for c in codes}
    left = {c: _latin_words(t) for c, t in texts.items() if _latin_words(t)}
    assert not left, left


# --------------------------------------------------------------------------- planted patterns of the sample data


@pytest.fixture(scope="session")
def planted_reports(tmp_path_factory):
    """A small generated sample (600 customers, 2 regions) and the segmentation of each region in 2026Q3."""
    sample = pytest.importorskip("custlib.io.sample")
    out = tmp_path_factory.mktemp("seg_sample")
    sample.generate_sample(out, customers=600, regions=2, seed=42)
    planted = json.loads((out / "planted.json").read_text(encoding="utf-8"))
    cust = pd.read_parquet(out / "customers.parquet")
    tx = pd.read_parquet(out / "transactions.parquet")
    sc = pd.read_parquet(out / "service_costs.parquet")
    tx["order_date"] = pd.to_datetime(tx["order_date"])
    sc["month"] = pd.to_datetime(sc["month"])
    reports = {}
    for region in sorted(cust["region"].unique()):
        c = cust[cust["region"] == region]
        ids = set(c["customer_id"])
        reports[region] = seg.segment_region(
            tx[tx["customer_id"].isin(ids)], c, planted["latest_complete_quarter"], service_costs=sc[sc["customer_id"].isin(ids)], seed=0
        )
    return planted, reports


def _pooled(reports, name):
    return pd.concat([r.table(name) for r in reports.values()])


def test_planted_sample_renders_every_section(planted_reports):
    _, reports = planted_reports
    for region, rep in reports.items():
        assert rep.unavailable == {}, (region, rep.unavailable)


def test_planted_decliners_land_in_at_risk_segments(planted_reports):
    """Ground truth: planted.json 'decliners' (order rate x 0.8^j over the last 7 months)."""
    planted, reports = planted_reports
    rfm = _pooled(reports, "rfm_customers")
    risky = rfm["segment"].isin(seg.AT_RISK_SEGMENTS)
    dec = rfm.index.isin(planted["decliners"])
    assert dec.sum() >= 4
    assert risky[dec].mean() >= 0.8
    assert risky[dec].mean() >= risky[~dec].mean() + 0.25


def test_planted_profit_customers_rank_high_on_the_profit_pyramid(planted_reports):
    """Ground truth: planted.json 'profit_customers' (net margin in their region's top fifth)."""
    planted, reports = planted_reports
    pct = pd.concat(
        [1 - (r.table("pyramid_profit_customers")["rank"] - 1) / len(r.table("pyramid_profit_customers")) for r in reports.values()]
    )
    tier = _pooled(reports, "pyramid_profit_customers")["tier"].astype("str")
    mine = pct.index.isin(planted["profit_customers"])
    assert mine.sum() >= 4
    assert pct[mine].mean() >= 0.8
    assert tier[mine].isin(["platinum", "gold"]).mean() >= 0.6


def test_planted_migrations_show_in_the_tier_and_abc_migration(planted_reports):
    """Ground truth: planted.json 'migrations_up' (order rate x5 this quarter) and 'migrations_down' (x0.1)."""
    planted, reports = planted_reports
    tier = _pooled(reports, "tier_moves")["move"]
    abc = _pooled(reports, "abc_moves")["move"]
    up, down = planted["migrations_up"], planted["migrations_down"]
    t_up, t_down = tier.index.isin(up), tier.index.isin(down)
    assert (tier[t_up] == "up").mean() >= 0.5 and (tier[t_up] == "up").mean() >= 3 * (tier[~t_up] == "up").mean()
    assert (tier[t_down] == "down").mean() >= 2 * (tier[~t_down] == "down").mean()
    a_up, a_down = abc.index.isin(up), abc.index.isin(down)
    assert (abc[a_up] == "up").mean() >= 0.8
    assert (abc[a_down] == "down").mean() >= 0.5 and (abc[a_down] == "down").mean() >= 2 * (abc[~a_down] == "down").mean()
    m = reports[next(iter(reports))].table("migration_tier_customers")
    assert m.to_numpy().sum() == len(reports[next(iter(reports))].table("tier_moves"))


def test_planted_relationship_stages_match_the_generators_counts(planted_reports):
    """Known answer: planted.json share_of_wallet_target.counts, the realised customers per stage under the
    same definition (12 months to the end / wallet_estimate; thresholds 0, 0.2, 0.6 = our defaults)."""
    planted, reports = planted_reports
    counts = sum(r.table("relationship")["customers"] for r in reports.values())
    expected = planted["share_of_wallet_target"]["counts"]
    assert counts.tolist() == [expected[k] for k in ("development", "initial", "stable", "strategic")]
