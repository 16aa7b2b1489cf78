"""RFM on real data (custlib.analysis.segmentation.rfm): ties kept together, no score without orders in the window.

Known answers are worked by hand (quintiles of mid-ranks at ties, the rule table) or counted from
the CDNOW files with plain pandas (tests/data/cdnow_sample.txt.gz; the full master file
data/cdnow/CDNOW_master.txt when present).
"""

from __future__ import annotations

import gzip
import io

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from custlib.analysis import segmentation as seg
from custlib.exceptions import InsufficientDataError
from custlib.present import segmentation as views
from custlib.reports import segmentation as rs
from tests.test_segmentation_views import Ctx

DATA = ROOT / "tests" / "data"
CDNOW_MASTER = ROOT / "data" / "cdnow" / "CDNOW_master.txt"
BUYING = ("champions", "loyal", "potential loyalists", "new", "promising")
"""Segments of customers who buy now: no customer without an order in the window belongs in them."""


def _features(rows: dict[str, dict]) -> pd.DataFrame:
    f = pd.DataFrame.from_dict(rows, orient="index")
    f.index = pd.Index(f.index.astype("str"), name="customer_id")
    return f


def _tie_fixture() -> pd.DataFrame:
    """Ten buyers in the window with ties across quintile edges, two who bought only before it, one who never bought.

    recency (days): 10 10 10 | 40 40 | 60 | 90 90 90 | 200; orders: 12 12 3 | 12 1 | 3 | 3 1 1 | 1.
    """
    rows = {}
    table = [
        ("c01", 10, 12), ("c02", 10, 12), ("c03", 10, 3), ("c04", 40, 12), ("c05", 40, 1),
        ("c06", 60, 3), ("c07", 90, 3), ("c08", 90, 1), ("c09", 90, 1), ("c10", 200, 1),
    ]  # fmt: skip
    for cid, rec, orders in table:
        rows[cid] = {"recency_days": float(rec), "orders": float(orders), "revenue": 100.0 * orders, "is_buyer": True}
    for cid in ("c11", "c12"):  # ordered 400 days ago, nothing in the window
        rows[cid] = {"recency_days": 400.0, "orders": 0.0, "revenue": 0.0, "is_buyer": True}
    rows["c13"] = {"recency_days": np.nan, "orders": 0.0, "revenue": 0.0, "is_buyer": False}
    f = _features(rows)
    f["gross_profit"] = f["revenue"] * 0.3
    f["net_profit"] = np.nan
    return f


def test_rfm_table_keeps_tied_customers_in_one_cell_by_hand():
    """Hand-worked scores (score = ceil(5 * mid-rank / 10)).

    Recency, lower is better, ranked worst first: 200 -> rank 1; 90 x3 -> ranks 2-4, mid 3; 60 -> 5;
    40 x2 -> 6-7, mid 6.5; 10 x3 -> 8-10, mid 9: R = 1, 2, 3, 4, 5.
    Orders: 1 x4 -> ranks 1-4, mid 2.5 -> F2 (F1 stays empty); 3 x3 -> 5-7, mid 6 -> F3;
    12 x3 -> 8-10, mid 9 -> F5. Cells and segments from the rule table:
    c01, c02 R5F5 champions (splitting ties by id made c01 R4F5, loyal); c03 R5F3 potential loyalists;
    c04 R4F5 loyal; c05 R4F2 potential loyalists; c06 R3F3 need attention; c07 R2F3 at risk;
    c08, c09 R2F2 and c10 R1F2 hibernating. c11, c12: no orders in the window, no score; c13 never bought.
    """
    got = seg.rfm_table(_tie_fixture())
    assert got.index.tolist() == [f"c{i:02d}" for i in range(1, 13)]
    scored = got.loc["c01":"c10"]
    assert scored["r_score"].tolist() == [5, 5, 5, 4, 4, 3, 2, 2, 2, 1]
    assert scored["f_score"].tolist() == [5, 5, 3, 5, 2, 3, 3, 2, 2, 2]
    assert scored["m_score"].tolist() == scored["f_score"].tolist()  # revenue = 100 x orders: the same ties
    assert scored["cell"].tolist() == ["R5F5", "R5F5", "R5F3", "R4F5", "R4F2", "R3F3", "R2F3", "R2F2", "R2F2", "R1F2"]
    assert scored["segment"].tolist() == [
        "champions", "champions", "potential loyalists", "loyal", "potential loyalists",
        "need attention", "at risk", "hibernating", "hibernating", "hibernating",
    ]  # fmt: skip
    lapsed = got.loc[["c11", "c12"]]
    assert lapsed["segment"].tolist() == [seg.NO_ORDERS_SEGMENT] * 2
    assert lapsed[["r_score", "f_score", "m_score", "p_score", "cell"]].isna().all().all()
    assert lapsed["recency_days"].tolist() == [400.0, 400.0]  # the values are kept, only the scores are not given


def test_rfm_table_scores_the_window_buyers_against_each_other_only():
    """Adding customers without orders in the window changes no buyer's score."""
    f = _tie_fixture()
    with_lapsed = seg.rfm_table(f)
    alone = seg.rfm_table(f.loc["c01":"c10"])
    cols = ["r_score", "f_score", "m_score", "p_score", "cell", "segment"]
    pd.testing.assert_frame_equal(with_lapsed.loc["c01":"c10", cols], alone[cols])


def test_rfm_table_needs_two_customers_with_orders_in_the_window():
    f = _tie_fixture().loc[["c01", "c11", "c12"]]
    with pytest.raises(InsufficientDataError, match="at least 2 customers with orders in the window") as err:
        seg.rfm_table(f)
    assert err.value.code == "too_few_window_buyers" and err.value.fields["found"] == 1
    assert "1" in views.REASONS["too_few_window_buyers"].format(**err.value.fields)


def test_segment_summary_counts_the_unscored_customers_last():
    got = seg.segment_summary(seg.rfm_table(_tie_fixture()), _tie_fixture())
    assert got.index[-1] == seg.NO_ORDERS_SEGMENT
    assert got.loc[seg.NO_ORDERS_SEGMENT, ["customers", "revenue"]].tolist() == [2, 0.0]
    assert got["customers"].sum() == 12  # every buyer, the never-buyer c13 left out
    assert got.loc["champions", "customers"] == 2 and got.loc["hibernating", "customers"] == 3


def test_slipping_headline_counts_the_rows_of_the_rfm_table_it_points_to():
    """The summary's "customers in slipping RFM segments" is the sum of those segments' rows in the RFM table."""
    rfm = seg.rfm_table(_tie_fixture())
    table = seg.segment_summary(rfm, _tie_fixture())
    figures = rs.headline_figures(None, rfm, None, None, None, None).set_index("figure")
    body = table.loc[table.index.isin(rs.SLIPPING_SEGMENTS), "customers"].sum()
    assert figures.loc[rs.FIGURES["slipping"], "value"] == body == 2  # need attention c06, at risk c07


def test_migration_into_no_orders_in_the_window_reads_as_moving_down():
    prev = pd.Series({"a": "loyal", "b": seg.NO_ORDERS_SEGMENT})
    cur = pd.Series({"a": seg.NO_ORDERS_SEGMENT, "b": "new"})
    counts = seg.migration_counts(seg.transition_matrix(prev, cur, order=seg.SEGMENT_ORDER))
    assert counts["moved_down"] == 1 and counts["moved_up"] == 1


def test_customers_to_grow_leaves_out_invest_customers_without_orders_in_the_window():
    f = _tie_fixture().loc[["c05", "c08", "c11"]].assign(
        name=["E", "H", "K"], market_type="producer", revenue_prior=0.0, growth=0.0, share_of_wallet=np.nan,
        wallet_headroom=np.nan, category_share=1.0,
    )  # fmt: skip
    card = pd.DataFrame({"current_value": [0.2, 0.1, 0.0], "potential_value": [0.7, 0.8, 0.9], "quadrant": "invest"}, index=f.index)
    got = seg.customers_to_grow(card, f)
    assert got.index.tolist() == ["c08", "c05"]  # c11 had the highest potential but no order in the window
    assert seg.growth_candidates(card, f).tolist() == ["c05", "c08"]
    assert rs.offer_more_to_grow(card, f, Ctx("en")) == "Offer more to the 2 customers to grow, highest potential first."


# --------------------------------------------------------------------------- the grid, as the report shows it


def test_segment_grid_is_the_documented_rule_table():
    """RFM_SEGMENTS' docstring grid, row by row (R5 first)."""
    grid = seg.segment_grid()
    assert grid.index.tolist() == [5, 4, 3, 2, 1] and grid.columns.tolist() == [1, 2, 3, 4, 5]
    assert grid.loc[5].tolist() == ["new", "potential loyalists", "potential loyalists", "champions", "champions"]
    assert grid.loc[4].tolist() == ["promising", "potential loyalists", "potential loyalists", "loyal", "loyal"]
    assert grid.loc[3].tolist() == ["about to sleep", "about to sleep", "need attention", "loyal", "loyal"]
    assert grid.loc[2].tolist() == ["hibernating", "hibernating", "at risk", "at risk", "can't lose"]
    assert grid.loc[1].tolist() == grid.loc[2].tolist()


def test_rfm_grid_view_labels_the_cells_and_says_who_is_scored_in_both_languages():
    grid = seg.segment_grid()
    en = views.rfm_grid_view(grid, Ctx("en"))
    assert en.frame.columns.tolist() == ["Recency score \\ frequency score", "F1", "F2", "F3", "F4", "F5"]
    assert en.frame.iloc[0].tolist() == ["R5", "New", "Potential loyalists", "Potential loyalists", "Champions", "Champions"]
    assert "equal values share a score" in en.caption and "counted under No orders in the window" in en.caption
    zh = views.rfm_grid_view(grid, Ctx("zh"))
    assert zh.frame.iloc[0].tolist() == ["R5", "新客户", *zh.frame.iloc[0].tolist()[2:]]
    assert "统计期内无订单" in zh.caption and "数值相同的客户得分相同" in zh.caption
    assert zh.frame.columns[0] == "最近购买期得分 \\ 购买频率得分"


# --------------------------------------------------------------------------- CDNOW


def _cdnow_tables(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Contract tables from CDNOW lines (customer_id, date YYYYMMDD, dollars): one order per customer and day."""
    day = raw.groupby(["customer_id", "date"], as_index=False)["dollars"].sum()
    tx = pd.DataFrame(
        {
            "order_id": day["customer_id"] + "-" + day["date"],
            "customer_id": day["customer_id"],
            "order_date": pd.to_datetime(day["date"], format="%Y%m%d"),
            "category": "music",
            "product_id": "CD",
            "quantity": 1.0,
            "revenue": day["dollars"],
            "cost": np.nan,  # CDNOW has no cost of goods
        }
    )
    ids = sorted(day["customer_id"].unique())
    customers = pd.DataFrame({"customer_id": ids, "name": ids, "region": "All", "market_type": "consumer"})
    return tx, customers


def _check_cdnow(raw: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """RFM at 1998Q2 (window 1997-07-01..1998-06-30) against counts with plain pandas; returns the table."""
    tx, customers = _cdnow_tables(raw)
    rfm = seg.rfm_table(seg.customer_features(tx, customers, "1998Q2"))
    in_window = raw.loc[raw["date"].between("19970701", "19980630"), "customer_id"].unique()
    without = sorted(set(raw["customer_id"]) - set(in_window))
    assert len(rfm) == raw["customer_id"].nunique()  # every CDNOW customer bought in 1997Q1
    assert sorted(rfm.index[rfm["segment"] == seg.NO_ORDERS_SEGMENT]) == without
    assert not rfm.loc[without, "segment"].isin(BUYING).any()
    assert rfm.loc[without, ["r_score", "f_score", "m_score"]].isna().all().all()
    # tied customers share a segment: equal recency and frequency (and trend flag) -> one cell, one segment
    scored = rfm[rfm["segment"] != seg.NO_ORDERS_SEGMENT]
    assert (scored.groupby(["recency_days", "frequency", "slipping"])["segment"].nunique() == 1).all()
    assert (scored.groupby("frequency")["f_score"].nunique() == 1).all()
    assert (scored.groupby("recency_days")["r_score"].nunique() == 1).all()
    return rfm, len(without)


def test_cdnow_sample_without_orders_in_the_window_is_in_no_buying_segment_and_ties_share_a_segment():
    """CDNOW 1/10 sample (2,357 customers, all first buying in 1997Q1)."""
    raw = pd.read_csv(
        DATA / "cdnow_sample.txt.gz",
        sep=r"\s+",
        header=None,
        names=["customer_id", "sample_id", "date", "cds", "dollars"],
        dtype={"customer_id": "str", "date": "str"},
    )
    rfm, n_without = _check_cdnow(raw)
    assert len(rfm) == 2_357 and n_without == (rfm["frequency"] == 0).sum() > 1_000
    # the n1 customers with one order in the year take ranks 1..n1 of the n window buyers: mid-rank (n1 + 1) / 2
    n = int((rfm["frequency"] > 0).sum())
    for k in (1, 2):
        below, tied = int(rfm["frequency"].between(1, k - 1).sum()), int((rfm["frequency"] == k).sum())
        expected = int(np.ceil(5 * (below + (tied + 1) / 2) / n))
        assert rfm.loc[rfm["frequency"] == k, "f_score"].unique().tolist() == [expected], k


def test_cdnow_master_without_orders_in_the_window_is_in_no_buying_segment_and_ties_share_a_segment():
    """The full CDNOW master file: 15,238 of 23,570 customers have no order from 1997-07 to 1998-06 (counted with
    plain pandas); before, tie-splitting by id put them in F1..F4 and 1,096 of them in *loyal*."""
    if not CDNOW_MASTER.is_file():
        pytest.skip(f"{CDNOW_MASTER} not found: run make data-cdnow")
    text = CDNOW_MASTER.read_bytes()
    raw = pd.read_csv(io.BytesIO(text), sep=r"\s+", dtype={"customer_id": "str", "date": "str"})
    raw = raw.rename(columns={"dollar_value": "dollars"})
    rfm, n_without = _check_cdnow(raw)
    assert (len(rfm), n_without) == (23_570, 15_238)


def test_cdnow_sample_fixture_is_the_published_file():
    """The sample the CDNOW tests read is the documented one (sha256 in tests/data/CDNOW_README.md)."""
    import hashlib

    digest = hashlib.sha256(gzip.decompress((DATA / "cdnow_sample.txt.gz").read_bytes())).hexdigest()
    assert digest == "6fae10155c0b0ba363c2c386e30f77990d22328220efd862a5edd1443420d94a"
