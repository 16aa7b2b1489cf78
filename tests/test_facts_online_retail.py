"""Credit notes, returns and the missing cost on a real export: the UCI Online Retail excerpt read through
examples/online-retail/source.yaml (skipped when the excerpt is absent).

Every expected figure is computed again here with plain pandas from the file as published (and a few
were checked by hand and are written out): what the business means, not what the code says.
"""

import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from custlib.analysis import overview as ov
from custlib.analysis import pareto as pa
from custlib.analysis import segmentation as seg
from custlib.analysis.clv import lifetime_value_analysis
from custlib.analysis.development import development_kpis
from custlib.exceptions import InsufficientDataError
from custlib.io.data import load_region, with_cost_basis
from custlib.io.periods import Quarter
from custlib.io.validate import validate_source

ONLINE_RETAIL = Path(os.environ.get("CUSTLIB_ONLINE_RETAIL", "/work/shared/data/online-retail/online_retail_2010-12_2011-02.csv.gz"))
COUNTRIES = ("United Kingdom", "France")
Q4, Q1 = Quarter.parse("2010Q4"), Quarter.parse("2011Q1")


@pytest.fixture(scope="module")
def retail(tmp_path_factory):
    """The regions' slices through 2011-03-31 (the data ends in February), and the raw file in pandas."""
    if not ONLINE_RETAIL.is_file():
        pytest.skip(f"{ONLINE_RETAIL} not found (set CUSTLIB_ONLINE_RETAIL to the published excerpt)")
    folder = tmp_path_factory.mktemp("or") / "online-retail"
    folder.mkdir()
    (folder / ONLINE_RETAIL.name).symlink_to(ONLINE_RETAIL)
    shutil.copy(ROOT / "examples" / "online-retail" / "source.yaml", folder / "source.yaml")
    con, _source, _res = validate_source(folder)
    slices = {c: load_region(con, c, Q1) for c in COUNTRIES}
    con.close()
    raw = pd.read_csv(ONLINE_RETAIL, dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": str})
    raw = raw[raw["CustomerID"].notna()].assign(
        revenue=lambda f: f["Quantity"] * f["UnitPrice"],
        credit=lambda f: f["InvoiceNo"].str.startswith("C"),
        month=lambda f: pd.to_datetime(f["InvoiceDate"]).dt.to_period("M").dt.to_timestamp(),
    )
    # the mapping's region is a customer's most frequent Country; the two customers with two countries
    # (12370: Cyprus/Austria, 12431: Australia/Belgium) are in neither country tested
    two = raw.groupby("CustomerID")["Country"].nunique()
    assert not raw.loc[raw["CustomerID"].isin(two[two > 1].index), "Country"].isin(COUNTRIES).any()
    return slices, raw


def by_month(raw: pd.DataFrame, country: str) -> pd.DataFrame:
    mine = raw[raw["Country"] == country]
    orders = mine[~mine["credit"]]
    return pd.DataFrame(
        {
            "orders": orders.groupby("month")["InvoiceNo"].nunique(),
            "customers": orders.groupby("month")["CustomerID"].nunique(),
            "revenue": mine.groupby("month")["revenue"].sum(),
            "invoices": mine.groupby("month")["InvoiceNo"].nunique(),
        }
    )


@pytest.mark.parametrize("country", COUNTRIES)
def test_orders_per_month_exclude_credit_notes_and_revenue_is_net(retail, country):
    slices, raw = retail
    expected = by_month(raw, country)
    trend = ov.monthly_trend(slices[country].transactions, pd.Timestamp("2011-02-28"), months=3).set_index("month")
    assert trend["orders"].tolist() == expected["orders"].tolist()
    assert trend["active_customers"].tolist() == expected["customers"].tolist()
    np.testing.assert_allclose(trend["revenue"], expected["revenue"], atol=0.005)
    assert (expected["orders"] < expected["invoices"]).all()  # the credit notes are there, and left out


def test_united_kingdom_december_by_hand(retail):
    """zcat | awk on the file: 1,572 UK invoices in December 2010 with a customer id, 281 of them credit notes;
    1,291 orders from 815 customers; net revenue 483,799.74 (the credit notes included)."""
    slices, _raw = retail
    k = ov.quarter_kpis(slices["United Kingdom"].transactions, Q4)
    assert k.loc["orders", "2010Q4"] == 1291
    assert k.loc["active_customers", "2010Q4"] == 815
    assert k.loc["revenue", "2010Q4"] == pytest.approx(483_799.74, abs=0.01)


def test_returns_only_customers_are_returned_goods_never_below_cost(retail):
    """By pandas: the UK customers whose December lines are all credit notes (56), or whose credits exceed their
    orders (3 more), 4,181.11 net credited. With an assumed 30% margin no customer who bought is below cost."""
    slices, raw = retail
    dec = raw[(raw["Country"] == "United Kingdom") & (raw["month"] == "2010-12-01")]
    g = dec.groupby("CustomerID").agg(all_credit=("credit", "all"), revenue=("revenue", "sum"))
    g.index = g.index.str.removesuffix(".0")
    only = set(g.index[g["all_credit"]])
    returned = only | set(g.index[g["revenue"] < 0])
    assert (len(only), len(returned)) == (56, 59)
    rd = with_cost_basis(slices["United Kingdom"], 0.3)
    profit = pa.quarter_profitability(rd.transactions, None, Q4)
    status = pa.customer_status(profit)
    assert set(profit.index[profit["returns_only"]]) == only
    assert set(status.index[status == "returned_goods"]) == returned
    v = pa.loss_figures(profit)
    assert v["destroyers"] == 0 and v["returned"] == 59
    assert v["returned_credit"] == pytest.approx(-g.loc[list(returned), "revenue"].sum()) == pytest.approx(4_181.11, abs=0.01)
    whale = pa.whale_summary(pa.with_positive_profit(pa.with_two_customers(profit, len(rd.customers))))
    assert whale.destroyers == 0
    assert not set(whale.by_customer.index) & only  # they bought nothing: not in the whale at all


def test_no_margin_is_shown_when_the_export_has_no_cost(retail):
    """cost_known: false and no assumptions.gross_margin: every margin and profit is missing, never 100% or 0."""
    slices, _raw = retail
    rd = with_cost_basis(slices["United Kingdom"], None)
    tx = rd.transactions
    assert rd.cost_basis.missing and not rd.cost_basis.available and tx["cost"].isna().all()
    k = ov.quarter_kpis(tx, Q4)
    assert k.loc[["gross_profit", "gross_margin"]].isna().all().all()
    assert ov.top_customers(tx, rd.customers, Q4)["gross_margin"].isna().all()
    assert ov.monthly_trend(tx, Q4.end, months=3)["gross_profit"].isna().all()
    f = seg.customer_features(tx, rd.customers, Q4)
    assert f[["gross_profit", "margin", "net_profit"]].isna().all().all()
    assert development_kpis(tx, quarter=Q4, n_quarters=1)[["existing_profit", "new_profit"]].isna().all().all()
    assert rd.peer_quarterly["gross_profit"].isna().all()
    profit = pa.quarter_profitability(tx, None, Q4)
    for step in (lambda: pa.with_positive_profit(pa.with_two_customers(profit, 2)), lambda: lifetime_value_analysis(tx, Q4.end)):
        with pytest.raises(InsufficientDataError) as err:
            step()
        assert err.value.code == "needs_cost"
    assumed = with_cost_basis(slices["United Kingdom"], 0.3)
    margin = ov.quarter_kpis(assumed.transactions, Q4).loc["gross_margin", "2010Q4"]
    assert margin == pytest.approx(0.3)  # the assumption, said beside it by the report


def test_pairs_name_products_and_never_pair_postage(retail):
    from custlib.analysis.development import co_purchase

    slices, _raw = retail
    rd = slices["France"]
    pairs = co_purchase(rd.transactions, min_count=3)
    assert not {"POST", "M", "DOT"} & set(pairs["antecedent"])
    assert "POST" in set(rd.transactions["product_id"])  # France pays postage on most orders: it would top every pair
    names = rd.products.set_index("product_id")["name"]
    assert names["POST"] == "POSTAGE" and names.notna().all()
