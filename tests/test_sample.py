"""Tests for custlib.io.sample: contract, determinism, and that every planted pattern is really in the data.

Every planted-pattern check recomputes the pattern from the written tables with
plain pandas (independently of the generator's own bookkeeping), using the
criteria stated in the module docstring's "Planted patterns" section.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from custlib.exceptions import ParamsError
from custlib.io import sample
from custlib.io.contract import MARKET_TYPES, TABLES
from custlib.io.sample import COPURCHASE_PAIRS, RESPONSE_MODEL, SEASONALITY, TREND_PER_YEAR, generate_sample, region_names

TABLE_NAMES = ("customers", "transactions", "offers", "service_costs")
GROUPS = ("unprofitable_large", "profit_customers", "decliners", "shrinking_lines", "migrations_up", "migrations_down", "lapsed")
TIME_GROUPS = ("decliners", "shrinking_lines", "migrations_up", "migrations_down", "lapsed")


def _load(paths) -> dict:
    out = {t: pd.read_parquet(paths[t]) for t in TABLE_NAMES}
    out["transactions"]["order_date"] = pd.to_datetime(out["transactions"]["order_date"])
    out["offers"]["offer_date"] = pd.to_datetime(out["offers"]["offer_date"])
    out["service_costs"]["month"] = pd.to_datetime(out["service_costs"]["month"])
    out["planted"] = json.loads(paths["planted"].read_text(encoding="utf-8"))
    return out


@pytest.fixture(scope="session")
def small(tmp_path_factory):
    """The size the analyses' tests use: 600 customers in 2 regions."""
    paths = generate_sample(tmp_path_factory.mktemp("sample600"), customers=600, regions=2, seed=42)
    return paths, _load(paths)


@pytest.fixture(scope="session")
def large(tmp_path_factory):
    """20,000 customers in 2 regions, for the known-answer recovery tests (about 1 s to make)."""
    paths = generate_sample(tmp_path_factory.mktemp("sample20k"), customers=20_000, regions=2, seed=7)
    return _load(paths)


@pytest.fixture(scope="session")
def per_customer(small):
    """Revenue, gross profit, cost to serve and net profit per customer, whole period and last quarter."""
    _, d = small
    tx, sc, cu = d["transactions"], d["service_costs"], d["customers"]
    q_start = pd.Timestamp("2026-07-01")
    tx = tx.assign(gp=tx["revenue"] - tx["cost"], last_q=tx["order_date"] >= q_start)
    sc = sc.assign(last_q=sc["month"] >= q_start)
    g = pd.DataFrame(index=pd.Index(cu["customer_id"], name="customer_id"))
    g["region"] = cu.set_index("customer_id")["region"]
    g["revenue"] = tx.groupby("customer_id")["revenue"].sum()
    g["gp"] = tx.groupby("customer_id")["gp"].sum()
    g["cts"] = sc.groupby("customer_id")["cost_to_serve"].sum()
    g["revenue_q"] = tx[tx["last_q"]].groupby("customer_id")["revenue"].sum()
    g["gp_q"] = tx[tx["last_q"]].groupby("customer_id")["gp"].sum()
    g["cts_q"] = sc[sc["last_q"]].groupby("customer_id")["cost_to_serve"].sum()
    g = g.fillna({c: 0.0 for c in g.columns if c != "region"})
    g["net"] = g["gp"] - g["cts"]
    g["net_q"] = g["gp_q"] - g["cts_q"]
    return g


def _monthly(tx: pd.DataFrame, value: str = "revenue") -> pd.DataFrame:
    """customer x month (2023-10 .. 2026-09) sums of ``value`` over positive-quantity lines."""
    pos = tx[tx["quantity"] > 0]
    months = pd.period_range("2023-10", "2026-09", freq="M")
    if value == "orders":
        s = pos.groupby(["customer_id", pos["order_date"].dt.to_period("M")])["order_id"].nunique()
    else:
        s = pos.groupby(["customer_id", pos["order_date"].dt.to_period("M")])[value].sum()
    return s.unstack(fill_value=0).reindex(columns=months, fill_value=0)


# ------------------------------------------------------------------ files, contract, determinism


def test_generate_sample_writes_every_table_and_planted_json_and_no_temp_files(small):
    paths, _ = small
    assert set(paths) == {*TABLE_NAMES, "planted"}
    folder = paths["customers"].parent
    assert sorted(p.name for p in folder.iterdir()) == sorted([f"{t}.parquet" for t in TABLE_NAMES] + ["planted.json"])


def test_tables_have_exactly_the_contract_columns_and_arrow_types(small):
    paths, _ = small
    for t in TABLE_NAMES:
        schema = pq.read_schema(paths[t])
        # every contract column, except optional flags with a default (is_credit_note, is_non_product: false)
        columns = [c for c in TABLES[t].columns if c.required or c.default is None]
        assert schema.names == [c.name for c in columns], t
        for c in columns:
            expected = {
                "id": pa.string(),
                "text": pa.string(),
                "category": pa.string(),
                "date": pa.date32(),
                "number": pa.float64(),
                "bool": pa.bool_(),
            }[c.kind]
            assert schema.field(c.name).type == expected, (t, c.name)


def test_keys_are_unique_ids_well_formed_and_every_row_names_a_known_customer(small):
    _, d = small
    cu, tx, of, sc = (d[t] for t in TABLE_NAMES)
    assert cu["customer_id"].is_unique
    assert not tx.duplicated(["order_id", "product_id"]).any()
    assert of["offer_id"].is_unique
    assert not sc.duplicated(["customer_id", "month"]).any()
    assert cu["customer_id"].str.fullmatch(r"C\d{7}").all()
    assert tx["order_id"].str.fullmatch(r"O\d{9}").all()
    assert tx["product_id"].str.fullmatch(r"P\d{3}").all()
    assert of["offer_id"].str.fullmatch(r"OF\d{7}").all()
    known = set(cu["customer_id"])
    for t in (tx, of, sc):
        assert set(t["customer_id"]) <= known
    assert cu["market_type"].isin(MARKET_TYPES).all()
    assert set(cu["size_band"]) == {"small", "medium", "large"}
    assert cu["industry"].notna().all()


def test_amounts_are_finite_and_signs_follow_the_returns_rule(small):
    _, d = small
    tx = d["transactions"]
    assert np.isfinite(tx[["quantity", "revenue", "cost"]].to_numpy()).all()
    ret = tx["quantity"] < 0
    assert ((tx.loc[ret, "revenue"] < 0) & (tx.loc[ret, "cost"] < 0)).all()
    assert ((tx.loc[~ret, "revenue"] > 0) & (tx.loc[~ret, "cost"] > 0)).all()
    assert 0 < ret.mean() < 0.02  # a few returns
    # a return is its own one-line order
    assert tx[ret].groupby("order_id").size().eq(1).all()
    assert not set(tx.loc[ret, "order_id"]) & set(tx.loc[~ret, "order_id"])


def test_service_costs_are_the_sum_of_their_components_on_month_starts(small):
    _, d = small
    sc = d["service_costs"]
    parts = sc[["visit_cost", "logistics_cost", "support_cost", "discount_cost"]]
    assert (parts >= 0).all().all()
    np.testing.assert_allclose(sc["cost_to_serve"], parts.sum(axis=1), atol=0.011)
    assert (sc["month"].dt.day == 1).all()


def test_offers_response_revenue_is_positive_exactly_when_responded_and_matches_a_purchase(small):
    _, d = small
    of, tx = d["offers"], d["transactions"]
    assert of["channel"].isin(["visit", "phone", "email"]).all()
    assert ((of["response_revenue"] > 0) == of["responded"]).all()
    assert of["responded"].any() and not of["responded"].all()
    # each response is a one-line order of the offered product 3-30 days later with that revenue
    resp = of[of["responded"]].merge(tx, on=["customer_id", "product_id"])
    lag = (resp["order_date"] - resp["offer_date"]).dt.days
    hit = resp[lag.between(3, 30) & np.isclose(resp["revenue"], resp["response_revenue"])]
    assert set(hit["offer_id"]) == set(of.loc[of["responded"], "offer_id"])
    # typical contact costs per channel: visit >> phone >> email
    cost = of.groupby("channel")["contact_cost"].median()
    assert cost["visit"] > 5 * cost["phone"] > 5 * cost["email"] > 0


def test_sample_passes_the_workbooks_own_validation(small):
    paths, _ = small
    from custlib.io.validate import validate_source

    con, _source, res = validate_source(paths["customers"].parent, today=dt.date(2026, 9, 30))
    con.close()
    assert res.ok, res.problems


def test_same_seed_gives_identical_tables_and_a_different_seed_does_not(tmp_path):
    a = generate_sample(tmp_path / "a", customers=300, regions=2, seed=5)
    b = generate_sample(tmp_path / "b", customers=300, regions=2, seed=5)
    c = generate_sample(tmp_path / "c", customers=300, regions=2, seed=6)
    for t in TABLE_NAMES:
        assert pq.read_table(a[t]).equals(pq.read_table(b[t])), t
        assert not pq.read_table(a[t]).equals(pq.read_table(c[t])), t
    assert a["planted"].read_bytes() == b["planted"].read_bytes()


def test_chunk_size_changes_row_groups_but_not_content(tmp_path):
    a = generate_sample(tmp_path / "a", customers=2_300, regions=2, seed=3, chunk_customers=50_000)
    b = generate_sample(tmp_path / "b", customers=2_300, regions=2, seed=3, chunk_customers=700)
    for t in TABLE_NAMES:
        assert pq.read_table(a[t]).equals(pq.read_table(b[t])), t
    assert pq.ParquetFile(a["transactions"]).num_row_groups == 1
    assert pq.ParquetFile(b["transactions"]).num_row_groups == 3  # blocks of 1,000 customers, flushed every 700+
    assert a["planted"].read_bytes() == b["planted"].read_bytes()


def test_last_order_date_is_exactly_end_and_first_is_not_before_start(small, tmp_path):
    _, d = small
    tx = d["transactions"]
    assert tx["order_date"].max() == pd.Timestamp("2026-09-30")
    assert tx["order_date"].min() >= pd.Timestamp("2023-10-01")
    p = generate_sample(tmp_path, customers=200, regions=1, seed=1, start="2021-02-10", end=dt.date(2023, 5, 14))  # end is a Sunday
    dates = pd.to_datetime(pd.read_parquet(p["transactions"])["order_date"])
    assert dates.max() == pd.Timestamp("2023-05-14")
    assert dates.min() >= pd.Timestamp("2021-02-10")
    offers = pd.to_datetime(pd.read_parquet(p["offers"])["offer_date"])
    assert offers.between(pd.Timestamp("2022-02-10"), pd.Timestamp("2023-03-30")).all()


def test_region_names_default_six_then_northwest_southeast_then_numbered():
    assert region_names(6) == ["North", "East", "South", "Southwest", "Central", "Northeast"]
    assert region_names(2) == ["North", "East"]
    assert region_names(10)[6:] == ["Northwest", "Southeast", "Region 09", "Region 10"]
    with pytest.raises(ParamsError, match="regions"):
        region_names(0)


def test_data_uses_exactly_the_requested_regions(small, tmp_path):
    _, d = small
    assert sorted(d["customers"]["region"].unique()) == ["East", "North"]
    p = generate_sample(tmp_path, customers=450, regions=9, seed=2)
    regions = pd.read_parquet(p["customers"])["region"]
    assert set(regions) == set(region_names(9))


def test_customer_names_are_unique_and_mix_chinese_and_english(small):
    _, d = small
    names = d["customers"]["name"]
    assert names.is_unique
    chinese = names.str.contains(r"[\u4e00-\u9fff]")
    assert 0.2 < chinese.mean() < 0.5
    assert names[chinese].str.endswith("公司").all()
    assert names[~chinese].str.contains(r"^[A-Z][A-Za-z' ]+ ").all()


def test_catalogue_has_forty_products_in_eight_categories(small):
    _, d = small
    tx = d["transactions"]
    assert tx["product_id"].nunique() == 40
    assert tx.groupby("product_id")["category"].nunique().eq(1).all()
    assert sorted(tx["category"].unique()) == sorted(sample.CATEGORIES)
    assert len(d["planted"]["products"]) == 40


def test_volume_is_about_twenty_lines_per_customer(large):
    per_customer = len(large["transactions"]) / len(large["customers"])
    assert 15 <= per_customer <= 30


def test_revenue_is_strongly_skewed(small):
    _, d = small
    rev = d["transactions"].groupby("customer_id")["revenue"].sum().sort_values(ascending=False)
    top20 = rev.iloc[: len(rev) // 5].sum() / rev.sum()
    assert top20 > 0.6


def test_bad_arguments_raise_params_error_naming_the_argument(tmp_path):
    with pytest.raises(ParamsError, match="customers"):
        generate_sample(tmp_path, customers=99, regions=2)
    with pytest.raises(ParamsError, match="customers"):
        generate_sample(tmp_path, customers=True)
    with pytest.raises(ParamsError, match="regions"):
        generate_sample(tmp_path, customers=600, regions=0)
    with pytest.raises(ParamsError, match="seed"):
        generate_sample(tmp_path, customers=600, regions=2, seed=-1)
    with pytest.raises(ParamsError, match="chunk_customers"):
        generate_sample(tmp_path, customers=600, regions=2, chunk_customers=0)
    with pytest.raises(ParamsError, match="start"):
        generate_sample(tmp_path, customers=600, regions=2, start="2023-13-01")
    with pytest.raises(ParamsError, match="24 months"):
        generate_sample(tmp_path, customers=600, regions=2, start="2025-01-01", end="2026-06-30")
    assert list(tmp_path.iterdir()) == []


def test_a_failure_midway_leaves_earlier_files_untouched_and_no_temp_files(tmp_path, monkeypatch):
    first = generate_sample(tmp_path, customers=200, regions=1, seed=1)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    real_block = sample._block

    def failing_block(b, *args, **kwargs):
        if b == 1:
            raise RuntimeError("disk full")
        return real_block(b, *args, **kwargs)

    monkeypatch.setattr(sample, "_block", failing_block)
    with pytest.raises(RuntimeError, match="disk full"):
        generate_sample(tmp_path, customers=2_000, regions=1, seed=2)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before
    assert first["planted"].exists()


# ------------------------------------------------------------------ planted patterns


def test_planted_json_records_the_run_and_disjoint_groups_of_existing_customers(small):
    _, d = small
    pl, cu = d["planted"], d["customers"]
    assert (pl["seed"], pl["start"], pl["end"], pl["customers"], pl["regions"]) == (42, "2023-10-01", "2026-09-30", 600, ["North", "East"])
    assert pl["rows"] == {t: len(d[t]) for t in TABLE_NAMES}
    ids = set(cu["customer_id"])
    seen: set[str] = set()
    for g in GROUPS:
        assert set(pl[g]) <= ids, g
        assert not set(pl[g]) & seen, g
        seen |= set(pl[g])
        assert len(pl[g]) >= 0.8 * pl["planted_generated"][g], g  # the criteria hold for nearly every generated customer
    assert set(pl["copurchase_pairs"][0]) <= set(d["transactions"]["product_id"])


def test_every_region_holds_every_planted_group(small):
    _, d = small
    region = d["customers"].set_index("customer_id")["region"]
    n_region = region.value_counts()
    for g in GROUPS:
        counts = region[d["planted"][g]].value_counts().reindex(n_region.index, fill_value=0)
        assert (counts >= 2).all(), g
        if g in ("decliners", "shrinking_lines", "migrations_up", "migrations_down"):
            assert (counts >= 0.025 * n_region).all(), g  # about 3 % of customers, detectable in 600


def test_unprofitable_large_are_top_revenue_customers_with_negative_net_profit(small, per_customer):
    _, d = small
    g = per_customer
    ids = d["planted"]["unprofitable_large"]
    pct = g.groupby("region")["revenue"].rank(pct=True)
    assert (pct[ids] >= 0.9).all()
    assert (g.loc[ids, "net"] < 0).all()
    assert (g.loc[ids, "net_q"] < 0).all()
    # thin gross margin and high cost to serve compared with the other top-10 % customers
    top = g[(pct >= 0.9) & ~g.index.isin(ids)]
    margin = g["gp"] / g["revenue"]
    cts_share = g["cts"] / g["revenue"]
    assert margin[ids].max() < 0.1 < margin[top.index].median()
    assert cts_share[ids].min() > cts_share[top.index].median()


def test_profit_customers_are_mid_sized_and_lead_on_net_margin(small, per_customer):
    _, d = small
    g = per_customer[per_customer["revenue"] > 0]
    ids = d["planted"]["profit_customers"]
    rev_pct = g.groupby("region")["revenue"].rank(pct=True)
    margin_pct = (g["net"] / g["revenue"]).groupby(g["region"]).rank(pct=True)
    net_pct = g.groupby("region")["net"].rank(pct=True)
    assert rev_pct[ids].between(0.45, 0.96).all()
    assert (margin_pct[ids] >= 0.79).all()
    assert net_pct[ids].median() > 0.7


def test_decliners_revenue_and_orders_fall_month_after_month(small):
    _, d = small
    ids = d["planted"]["decliners"]
    rev = _monthly(d["transactions"]).reindex(ids, fill_value=0)
    orders = _monthly(d["transactions"], "orders").reindex(ids, fill_value=0)
    baseline = rev.iloc[:, 17:29].mean(axis=1)  # 2025-03 .. 2026-02, before the decline
    assert (rev.iloc[:, -3:].mean(axis=1) < 0.5 * baseline).all()
    assert (orders.iloc[:, -3:].sum(axis=1) < 0.6 * orders.iloc[:, 17:29].sum(axis=1) / 4).all()
    # steady: over the group, orders fall every three months and revenue from the first to the last three months
    group_orders = orders.iloc[:, -7:].sum().to_numpy()
    assert group_orders[0] > group_orders[3] > group_orders[6]
    assert group_orders[:3].sum() > group_orders[2:5].sum() > group_orders[4:].sum()
    assert rev.iloc[:, -7:-4].sum().sum() > 2 * rev.iloc[:, -3:].sum().sum()
    # and the rest of the customers do not decline like that
    others = _monthly(d["transactions"]).drop(index=ids, errors="ignore")
    assert others.iloc[:, -3:].sum().sum() > 0.7 * others.iloc[:, 17:29].sum().sum() / 4


def test_shrinking_lines_go_from_about_five_categories_to_two(small):
    _, d = small
    ids = d["planted"]["shrinking_lines"]
    tx = d["transactions"]
    pos = tx[(tx["quantity"] > 0) & tx["customer_id"].isin(ids)]
    per_q = pos.groupby(["customer_id", pos["order_date"].dt.to_period("Q")])["category"].nunique().unstack(fill_value=0)
    assert (per_q[pd.Period("2026Q3")] <= 2).all()
    early = per_q[[pd.Period(q) for q in ("2025Q1", "2025Q2", "2025Q3", "2025Q4")]].mean(axis=1)
    assert (early >= 4).all()
    assert per_q[pd.Period("2026Q1")].mean() > per_q[pd.Period("2026Q2")].mean() > per_q[pd.Period("2026Q3")].mean()


def test_migrations_jump_up_or_fall_between_the_last_two_quarters(small, per_customer):
    _, d = small
    tx = d["transactions"]
    prev = tx[tx["order_date"].between("2026-04-01", "2026-06-30")].groupby("customer_id")["revenue"].sum()
    last = per_customer["revenue_q"]
    up, down = d["planted"]["migrations_up"], d["planted"]["migrations_down"]
    assert (prev.reindex(up) > 0).all() and (last[up] >= 3 * prev.reindex(up)).all()
    assert (prev.reindex(down) > 0).all() and (last[down] < 0.3 * prev.reindex(down)).all()


def test_patterns_refer_to_the_latest_complete_quarter_when_end_is_mid_quarter(tmp_path):
    from custlib.io.periods import Quarter, latest_complete_quarter

    p = generate_sample(tmp_path, customers=600, regions=2, seed=4, end="2026-08-14")
    pl = json.loads(p["planted"].read_text(encoding="utf-8"))
    tx = pd.read_parquet(p["transactions"])
    tx["order_date"] = pd.to_datetime(tx["order_date"])
    q = latest_complete_quarter(tx["order_date"].max())
    assert pl["latest_complete_quarter"] == str(q) == "2026Q2"

    def revenue_in(quarter: Quarter) -> pd.Series:
        return tx[tx["order_date"].between(quarter.start, quarter.end)].groupby("customer_id")["revenue"].sum()

    last, prev = revenue_in(q), revenue_in(q.previous)
    up = pl["migrations_up"]
    assert len(up) >= 10 and (last.reindex(up) >= 3 * prev.reindex(up)).all()
    pos = tx[(tx["quantity"] > 0) & tx["customer_id"].isin(pl["shrinking_lines"])]
    in_q = pos[pos["order_date"].between(q.start, q.end)]
    assert in_q.groupby("customer_id")["category"].nunique().le(2).all()


def test_lapsed_customers_bought_regularly_then_stopped_two_quarters_before_end(small):
    _, d = small
    ids = d["planted"]["lapsed"]
    pos = d["transactions"][d["transactions"]["quantity"] > 0]
    mine = pos[pos["customer_id"].isin(ids)]
    assert mine["order_date"].groupby(mine["customer_id"]).max().lt(pd.Timestamp("2026-04-01")).all()
    assert mine.groupby("customer_id")["order_id"].nunique().reindex(ids).ge(6).all()
    rev = pos.groupby("customer_id")["revenue"].sum()
    assert rev.reindex(ids).median() > rev.median()  # good past value


def test_copurchase_pairs_have_lift_far_above_one(small):
    """Lift = P(a and b in one order) / (P(a) P(b)) over purchase orders (Agrawal, Imielinski & Swami 1993; Brin et al. 1997)."""
    _, d = small
    pos = d["transactions"][d["transactions"]["quantity"] > 0]
    basket = pd.crosstab(pos["order_id"], pos["product_id"]).clip(upper=1)
    n = len(basket)
    p = basket.mean()
    both = basket.T @ basket / n
    lift = both / np.outer(p, p)
    planted = [lift.loc[a, b] for a, b in d["planted"]["copurchase_pairs"]]
    assert [tuple(x) for x in d["planted"]["copurchase_pairs"]] == list(COPURCHASE_PAIRS)
    assert min(planted) > 2
    # the planted pairs are the four highest-lift pairs among those seen in at least 5 orders
    iu = np.triu_indices(len(p), 1)
    pairs = pd.DataFrame({"a": p.index[iu[0]], "b": p.index[iu[1]], "lift": lift.to_numpy()[iu], "orders": both.to_numpy()[iu] * n})
    top = pairs[pairs["orders"] >= 5].nlargest(len(planted), "lift")
    assert set(zip(top["a"], top["b"], strict=True)) == set(COPURCHASE_PAIRS)


def test_relationship_stages_recomputed_from_wallet_match_planted_counts(small):
    _, d = small
    cu, tx = d["customers"], d["transactions"]
    rev12 = tx[tx["order_date"] >= "2025-10-01"].groupby("customer_id")["revenue"].sum()
    share = (rev12.reindex(cu["customer_id"]).fillna(0).to_numpy() / cu["wallet_estimate"].to_numpy()).clip(min=0)
    stage = np.select([share <= 0, share < 0.2, share < 0.6], ["development", "initial", "stable"], "strategic")
    counts = pd.Series(stage).value_counts().to_dict()
    assert counts == d["planted"]["share_of_wallet_target"]["counts"]
    assert all(counts.get(s, 0) >= 0.05 * len(cu) for s in ("initial", "stable", "strategic"))
    assert (cu["wallet_estimate"] > 0).all()
    # prospects (no transactions at all) are development and have no credit limit
    prospects = ~cu["customer_id"].isin(tx["customer_id"])
    assert prospects.any()
    assert cu.loc[prospects, "credit_limit"].isna().all() and cu.loc[~prospects, "credit_limit"].gt(0).all()


def test_seasonality_is_recovered_from_monthly_orders_and_revenue(large):
    """Known answer: the planted monthly factors, recovered from the customers without a time pattern."""
    pl, tx = large["planted"], large["transactions"]
    skip = set().union(*(pl[g] for g in TIME_GROUPS), pl["lifecycle"]["new"], pl["lifecycle"]["churned"])
    tx = tx[~tx["customer_id"].isin(skip) & (tx["quantity"] > 0)]

    def detrended_by_calendar_month(frame, weight):
        t = (frame["order_date"].dt.year - 2023) * 12 + frame["order_date"].dt.month - 10  # months since 2023-10
        w = weight / (1 + TREND_PER_YEAR) ** (t / 12)
        return w.groupby(frame["order_date"].dt.month).sum() / 3  # every calendar month appears 3 times

    orders = tx.drop_duplicates("order_id")
    by_month_orders = detrended_by_calendar_month(orders, pd.Series(1.0, index=orders.index))
    by_month_rev = detrended_by_calendar_month(tx, tx["revenue"])
    truth = np.asarray(SEASONALITY)
    est_orders = (by_month_orders / by_month_orders.mean()).to_numpy()
    est_rev = (by_month_rev / by_month_rev.mean()).to_numpy()
    np.testing.assert_allclose(est_orders, truth, atol=0.05)
    np.testing.assert_allclose(est_rev, truth, atol=0.12)
    assert pl["seasonality"] == list(SEASONALITY)
    assert est_orders.argmin() == 1 and est_orders.argmax() == 11  # February dip, December peak


def test_response_model_coefficients_are_recovered_from_features_computed_from_the_data(large):
    """Known answer: a logistic regression (maximum likelihood; Hosmer & Lemeshow, Applied Logistic
    Regression, 2nd ed., ch. 1-2) on the documented features recovers the planted coefficients, and a
    likelihood-ratio test does not reject them."""
    import statsmodels.api as sm
    from scipy.stats import chi2

    pl, of, tx, cu = large["planted"], large["offers"], large["transactions"], large["customers"]
    model = pl["response_model"]
    assert model["intercept"] == RESPONSE_MODEL["intercept"]
    cat_of = tx.drop_duplicates("product_id").set_index("product_id")["category"]
    of = of.assign(offer_category=of["product_id"].map(cat_of))
    pos = tx.loc[tx["quantity"] > 0, ["customer_id", "order_date", "category"]]
    m = of[["offer_id", "customer_id", "offer_date", "offer_category"]].merge(pos, on="customer_id")
    w = m[(m["order_date"] >= m["offer_date"] - pd.Timedelta(days=365)) & (m["order_date"] < m["offer_date"])]
    n_cat = w.groupby("offer_id")["category"].nunique()
    fit = w[w["category"] == w["offer_category"]].groupby("offer_id").size().gt(0)
    size = of["customer_id"].map(cu.set_index("customer_id")["size_band"])
    X = pd.DataFrame(
        {
            "size_large": (size == "large").astype(float),
            "n_categories_12m": of["offer_id"].map(n_cat).fillna(0).astype(float),
            "category_fit": of["offer_id"].map(fit).fillna(False).astype(float),
            "channel_visit": (of["channel"] == "visit").astype(float),
            "channel_phone": (of["channel"] == "phone").astype(float),
        }
    )
    y = of["responded"].astype(float).to_numpy()
    assert len(y) > 1000
    res = sm.Logit(y, sm.add_constant(X)).fit(disp=0)
    truth = pd.Series({"const": model["intercept"], **model["coefficients"]})[res.params.index]
    z = (res.params - truth) / res.bse
    assert (z.abs() < 3.5).all(), z
    eta = truth["const"] + X.to_numpy() @ truth.iloc[1:].to_numpy()
    ll_true = np.sum(y * eta - np.log1p(np.exp(eta)))
    assert chi2.sf(2 * (res.llf - ll_true), df=len(truth)) > 0.001
    # the share of customers offered something
    share = of["customer_id"].nunique() / len(cu)
    assert 0.04 < share < 0.11
    assert of.groupby("customer_id").size().between(1, 3).all()


def test_planted_patterns_docstring_describes_every_group():
    doc = sample.__doc__
    assert "Planted patterns" in doc
    for key in (*GROUPS, "copurchase_pairs", "response_model", "seasonality", "share_of_wallet"):
        assert re.search(re.escape(key), doc), key
