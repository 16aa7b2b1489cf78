"""Thin regions pooled into "Other regions" (issue 15): the count, the threshold, the pooled view, the company figures.

The known answers are counted by hand from the hand-made tables below (or, for the company figures, computed with
region_facts over the whole data, the definition the reports use, against the run's reduced reading of it).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from custlib.exceptions import ParamsError
from custlib.io.contract import TABLES
from custlib.io.data import list_regions, load_region, match_regions
from custlib.io.periods import Quarter
from custlib.io.pooling import OTHER_REGIONS, Pooling, pool_thin_regions, region_counts

ROOT = Path(__file__).resolve().parent.parent
Q = Quarter(2025, 4)  # the window: 2025Q1 to 2025Q4


def _con(orders: dict[str, list[tuple[str, str, bool]]]) -> duckdb.DuckDBPyConnection:
    """Customers per region, each with its lines: region -> [(customer, day, credit note)]; a customer id ending in '-' never ordered."""
    cust, tx = [], []
    for region, lines in orders.items():
        for cid, day, credit in lines:
            cust.append((cid, f"name {cid}", region))
            if day:
                tx.append((f"O{len(tx)}", cid, pd.Timestamp(day).date(), 10.0, credit))
    con = duckdb.connect()
    frames = {
        "c_df": (pd.DataFrame(cust, columns=["customer_id", "name", "region"]), "customers"),
        "t_df": (pd.DataFrame(tx, columns=["order_id", "customer_id", "order_date", "revenue", "is_credit_note"]), "transactions"),
    }
    for name, (frame, table) in frames.items():  # the contract's other columns, empty
        con.register(name, frame.assign(**{c.name: None for c in TABLES[table].columns if c.name not in frame.columns}))
    con.execute("CREATE VIEW customers AS SELECT * FROM c_df")
    con.execute("CREATE VIEW transactions AS SELECT * FROM t_df")
    return con


def _region(prefix: str, n: int, day: str = "2025-11-03") -> list[tuple[str, str, bool]]:
    return [(f"{prefix}{i}", day, False) for i in range(n)]


def test_a_region_with_fewer_customers_who_ordered_than_the_threshold_is_pooled_one_with_exactly_as_many_is_not():
    con = _con(
        {
            "East": _region("E", 3),
            "North": _region("N", 2),  # 2 < 3: pooled
            "West": _region("W", 3),  # exactly 3: kept
            # 5 customers on record but only 1 ordered in the window: a credit note is no order, 2024Q4 is before it,
            # 2026Q1 after the quarter, one never ordered
            "Zug": [
                ("Z0", "2025-01-01", False),
                ("Z1", "2025-06-01", True),
                ("Z2", "2024-12-31", False),
                ("Z3", "2026-01-02", False),
                ("Z4", None, False),
            ],
        }
    )
    assert region_counts(con, Q) == {"East": 3, "North": 2, "West": 3, "Zug": 1}
    pooling = pool_thin_regions(con, Q, 3)
    assert pooling.members == {"North": 2, "Zug": 1} and pooling.pooled
    assert pooling.window == ("2025Q1", "2025Q4")
    assert list_regions(con) == ["East", OTHER_REGIONS, "West"]
    rd = load_region(con, OTHER_REGIONS, Q, peers=False)
    assert sorted(rd.customers["customer_id"]) == ["N0", "N1", "Z0", "Z1", "Z2", "Z3", "Z4"]  # the members' customers, no one else
    assert set(rd.customers["region"]) == {OTHER_REGIONS}
    assert sorted(load_region(con, "west", Q, peers=False).customers["customer_id"]) == ["W0", "W1", "W2"]
    # calling again pools from the original regions (here: with a lower threshold, only Zug)
    assert pool_thin_regions(con, Q, 2).members == {"Zug": 1}
    assert list_regions(con) == ["East", "North", OTHER_REGIONS, "West"]


def test_one_thin_region_is_pooled_alone_and_the_record_reads_back():
    con = _con({"East": _region("E", 5), "North": _region("N", 1)})
    pooling = pool_thin_regions(con, Q, 2)
    assert pooling.members == {"North": 1}
    record = pooling.to_dict()
    assert record == {
        "region": OTHER_REGIONS,
        "quarter": "2025Q4",
        "window": ["2025Q1", "2025Q4"],
        "min_customers": 2,
        "members": {"North": 1},
    }
    assert Pooling.from_dict(record).members == {"North": 1} and Pooling.from_dict({}) is None


def test_nothing_is_pooled_when_every_region_is_thin_or_the_threshold_is_one():
    con = _con({"East": _region("E", 2), "North": _region("N", 1), "West": [("W0", None, False)]})
    assert pool_thin_regions(con, Q, 5).members == {}  # all thin: the regions stay as they are
    assert list_regions(con) == ["East", "North", "West"]
    assert pool_thin_regions(con, Q, 1).members == {}  # 1 turns pooling off, even for West, which did not order at all
    assert pool_thin_regions(con, Q, 2).members == {"North": 1, "West": 0}


def test_a_region_already_named_other_regions_is_refused_when_regions_would_be_pooled_into_it():
    con = _con({"East": _region("E", 5), "North": _region("N", 1), "other regions": _region("X", 5)})
    with pytest.raises(ParamsError, match=r"already has a region named 'other regions'.*report.min_customers: 1"):
        pool_thin_regions(con, Q, 2)
    # the pool itself (a hand-off package of it, its pseudonymised copy) is never pooled again
    con = _con({"East": _region("E", 5), OTHER_REGIONS: _region("X", 1)})
    assert pool_thin_regions(con, Q, 2).members == {}


def test_naming_a_pooled_region_asks_for_other_regions():
    con = _con({"East": _region("E", 5), "North": _region("N", 1), "Zürich Süd": _region("Z", 1)})
    pooling = pool_thin_regions(con, Q, 2)
    wanted, moved = pooling.requested("east,NORTH,zürich-süd")
    assert moved == ["North", "Zürich Süd"]
    assert match_regions(list_regions(con), wanted) == ["East", OTHER_REGIONS]
    assert pooling.requested("all") == ("all", [])
    assert pooling.region_of("north") == OTHER_REGIONS and pooling.region_of("East") == "East"


def test_a_regions_own_params_file_cannot_change_the_threshold(tmp_path):
    from custlib.io.params import load_params

    d = tmp_path / "params"
    (d / "regions").mkdir(parents=True)
    (d / "defaults.yaml").write_text((ROOT / "params" / "defaults.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (d / "regions" / "east.yaml").write_text("report:\n  min_customers: 5\n", encoding="utf-8")
    with pytest.raises(ParamsError, match=r"regions/east.yaml: 'report.min_customers' decides which regions are pooled"):
        load_params("East", d)
    assert load_params("North", d)["report"]["min_customers"] == 20  # the default
    assert load_params("North", d, ["report.min_customers=3"])["report"]["min_customers"] == 3
    with pytest.raises(ParamsError, match="min_customers"):
        load_params("North", d, ["report.min_customers=0"])


def test_the_pooled_sentence_names_every_member_with_its_count_in_both_languages():
    from custlib.present.messages import Messages
    from custlib.present.numbers import Formatter
    from custlib.present.pooling import pooled_sentence

    record = {"region": OTHER_REGIONS, "window": ["2010Q2", "2011Q1"], "min_customers": 20, "members": {"Austria": 3, "East": 1}}
    en = pooled_sentence(record, Messages("en"), Formatter("en"))
    assert en == "Other regions holds 2 regions with fewer than 20 customers who ordered in 2010Q2 to 2011Q1: Austria (3), East (1)."
    zh = pooled_sentence(record, Messages("zh"), Formatter("zh"))
    assert zh.startswith("其他地区合并了 2 个") and "Austria（3）、华东（1）" in zh
    assert pooled_sentence({}, Messages("en"), Formatter("en")) == ""


@pytest.fixture(scope="module")
def sample_con(tmp_path_factory):
    from custlib.io.sample import generate_sample
    from custlib.io.validate import validate_source

    data = tmp_path_factory.mktemp("pool") / "data"
    generate_sample(data, customers=300, regions=2, seed=5)
    con, source, _ = validate_source(data)
    yield con, source, data
    con.close()


def test_the_company_figures_are_the_facts_of_the_whole_data(sample_con):
    """The run reads the whole data reduced (three quarters of orders, one row per earlier customer): the measures of the
    report quarter and the one before must equal region_facts over every line, customer and service-cost row."""
    from custlib.analysis.facts import region_facts
    from custlib.io.data import data_coverage, resolve_quarter
    from custlib.run.company import company_facts, company_figures

    con, source, _ = sample_con
    cov = data_coverage(con, source)
    q = resolve_quarter(con, None, coverage=cov)
    tx = con.execute("SELECT * FROM transactions").df()
    tx["order_date"] = pd.to_datetime(tx["order_date"])
    services = con.execute("SELECT * FROM service_costs").df()
    services["month"] = pd.to_datetime(services["month"])
    whole = region_facts(tx, con.execute("SELECT * FROM customers").df(), services, q, (0.8, 0.95), cov)
    reduced = company_facts(con, q, (0.8, 0.95), cov)
    for quarter in (q, q.previous):
        a, b = reduced.measures(quarter), whole.measures(quarter)
        assert np.allclose(a.to_numpy(), b.to_numpy(), equal_nan=True), pd.DataFrame({"run": a, "whole": b})
    figures = company_figures(con, q, (0.8, 0.95), cov)
    in_q = tx.loc[tx["order_date"].between(q.start, q.end)]
    assert figures["value"]["revenue"] == pytest.approx(in_q["revenue"].sum())  # plain pandas
    assert figures["value"]["existing_share_revenue"] == pytest.approx(figures["value"]["existing_revenue"] / in_q["revenue"].sum())
    assert figures["previous"]["revenue"] == pytest.approx(
        tx.loc[tx["order_date"].between(q.previous.start, q.previous.end), "revenue"].sum()
    )


def test_a_notebook_opened_on_a_pooled_region_gets_other_regions_with_its_members(sample_con):
    """The direct path (a notebook run alone in JupyterLab, no prepared slice) pools as the runner does."""
    from custlib.reports.context import open_report

    con, _, data = sample_con
    counts = region_counts(con, "2026Q3")
    small, big = sorted(counts, key=counts.get)
    assert counts[small] < counts[big]
    settings = {"report": {"min_customers": counts[small] + 1}}  # pools the smaller region only
    ctx = open_report(str(data), small.lower(), "2026Q3", settings)
    assert ctx.region == OTHER_REGIONS
    assert ctx.data.pooled["members"] == {small: counts[small]} and ctx.data.pooled["min_customers"] == counts[small] + 1
    assert set(ctx.data.customers["region"]) == {OTHER_REGIONS} and len(ctx.data.customers) > 0
    assert open_report(str(data), big, "2026Q3", settings).data.pooled == {}


# --------------------------------------------------------------------------- a render with two thin regions


@pytest.fixture(scope="module")
def thin_render(tmp_path_factory):
    """A sample of three regions where two small ones are cut out of South and North ("Tiny", "Wee"), rendered (the overview)."""
    from custlib.io.sample import generate_sample
    from custlib.run.runner import render

    root = tmp_path_factory.mktemp("thin")
    data = root / "data"
    generate_sample(data, customers=600, regions=3, seed=11)
    cust = pd.read_parquet(data / "customers.parquet")
    tx = pd.read_parquet(data / "transactions.parquet")
    last = tx.sort_values("order_date")["customer_id"].iloc[-1]  # the pool's slice reaches the quarter's end (a hand-off needs it)
    cust.loc[cust.index[cust["region"] == "South"][:5], "region"] = "Tiny"
    cust.loc[cust.index[cust["region"] == "North"][:3], "region"] = "Wee"
    cust.loc[cust["customer_id"] == last, "region"] = "Wee"
    cust.to_parquet(data / "customers.parquet", index=False)
    res = render(data, out=root / "out", notebooks="00", jobs=2, progress=False)
    return data, root, res, cust, tx


def _ordered(tx: pd.DataFrame, cust: pd.DataFrame, first: str, last: str) -> pd.Series:
    """Plain pandas: customers of each region with a line (the sample has no credit notes) from ``first``'s start to ``last``'s end."""
    days = pd.to_datetime(tx["order_date"])
    lines = tx.loc[days.between(Quarter.parse(first).start, Quarter.parse(last).end)]
    return lines.merge(cust[["customer_id", "region"]], on="customer_id").groupby("region")["customer_id"].nunique()


@pytest.mark.slow
@pytest.mark.e2e
def test_a_render_pools_the_thin_regions_into_one_report_that_names_them(thin_render):
    import json

    _, root, res, cust, tx = thin_render
    assert not res.failed, [(o.region, o.error) for o in res.failed]
    qdir = root / "out" / "2026Q3"
    assert sorted(p.name for p in qdir.iterdir() if p.is_dir()) == ["east", "north", "other-regions", "south"]
    n = _ordered(tx, cust, "2025Q4", "2026Q3")
    assert n["Tiny"] < 20 and n["Wee"] < 20 and min(n["East"], n["North"], n["South"]) >= 20
    why = (
        f"Other regions holds 2 regions with fewer than 20 customers who ordered in 2025Q4 to 2026Q3: Tiny ({n['Tiny']}), Wee ({n['Wee']})."
    )
    assert why in (qdir / "other-regions" / "00_overview_region.html").read_text(encoding="utf-8")
    assert f"Pooled into one report: {why}" in (qdir / "index.html").read_text(encoding="utf-8")
    manifest = json.loads((qdir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["pooling"]["members"] == {"Tiny": int(n["Tiny"]), "Wee": int(n["Wee"])}
    assert manifest["pooling"]["counts"] == {r: int(v) for r, v in n.items()}
    # the pooled report counts the pooled customers only: those of Tiny and Wee who ordered in 2026Q3
    in_q = _ordered(tx, cust, "2026Q3", "2026Q3")
    page = (qdir / "other-regions" / "00_overview_region.html").read_text(encoding="utf-8")
    assert f"{in_q['Tiny'] + in_q['Wee']} customers ordered in the quarter" in page


@pytest.mark.slow
@pytest.mark.e2e
def test_the_roll_up_has_a_row_per_region_and_the_company_row_holds_the_whole_datas_revenue(thin_render):
    import re

    _, root, _, cust, tx = thin_render
    rollup = (root / "out" / "2026Q3" / "rollup.html").read_text(encoding="utf-8")
    assert re.findall(r"<tr(?: class=\"company\")?><th>(.*?)</th><td>", rollup) == ["Company", "East", "North", "South", "Other regions"]
    assert re.search(r"<thead><tr><th>Region</th><th>Revenue</th>", rollup)
    shown = re.search(r'<tr class="company"><th>Company</th><td>CN¥([\d,]+)<br>', rollup).group(1)
    days = pd.to_datetime(tx["order_date"])
    total = tx.loc[days.between(Quarter(2026, 3).start, Quarter(2026, 3).end), "revenue"].sum()  # every region's revenue, plain pandas
    assert abs(float(shown.replace(",", "")) - total) <= 0.5
    regions = [float(v.replace(",", "")) for v in re.findall(r"<tr><th>[^<]*</th><td>CN¥([\d,]+)<br>", rollup)]
    assert len(regions) == 4 and abs(sum(regions) - total) <= 2.0  # the rows add up to the company (each rounded to a yuan)


@pytest.mark.slow
@pytest.mark.e2e
def test_asking_for_a_pooled_region_renders_other_regions(thin_render, capsys):
    from custlib.run.runner import render

    data, root, _, _, _ = thin_render
    res = render(data, out=root / "one", regions="wee", notebooks="00", jobs=1)
    assert [(o.region, o.status) for o in res.outcomes] == [(OTHER_REGIONS, "ok")]
    assert "Wee: pooled into 'Other regions'" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.e2e
def test_the_index_lists_no_stale_reports_when_the_pooling_changes(thin_render):
    """Turning pooling off lists the small regions and no longer the pool; turning it on again the reverse (files stay)."""
    import json
    import shutil

    from custlib.run.runner import render

    data, root, _, _, _ = thin_render
    out = root / "again"
    shutil.copytree(root / "out", out)

    def listed() -> set[str]:
        return {e["region"] for e in json.loads((out / "2026Q3" / "manifest.json").read_text(encoding="utf-8"))["reports"]}

    render(data, out=out, notebooks="00", jobs=2, sets=["report.min_customers=1"], progress=False)
    assert listed() == {"East", "North", "South", "Tiny", "Wee"}
    assert "Pooled into one report" not in (out / "2026Q3" / "index.html").read_text(encoding="utf-8")
    render(data, out=out, notebooks="00", jobs=2, progress=False)
    assert listed() == {"East", "North", "South", OTHER_REGIONS}
    assert (out / "2026Q3" / "tiny" / "00_overview_region.html").is_file()  # render deletes nothing


@pytest.mark.slow
@pytest.mark.e2e
def test_a_hand_off_of_a_pooled_region_packs_the_pool_and_its_members(thin_render, tmp_path):
    """handoff --region Tiny packs Other regions: its customers only (the leak search refuses any other), the reports
    already rendered, and data/_pooled.json naming the members for the client's re-run."""
    import io
    import json
    import zipfile

    from custlib.handoff.pack import build_handoff

    data, root, _, cust, _ = thin_render
    res = build_handoff(data, "Tiny", "2026Q3", tmp_path / "pool.zip", reports_dir=root / "out", notebooks="00", params_dir=ROOT / "params")
    assert (res.region, res.slug, res.failed) == (OTHER_REGIONS, "other-regions", [])
    with zipfile.ZipFile(tmp_path / "pool.zip") as z:
        top = "handoff-other-regions-2026Q3/"
        pooled = json.loads(z.read(top + "data/_pooled.json"))
        packed = pd.read_parquet(io.BytesIO(z.read(top + "data/customers.parquet")))
        assert top + "reports/2026Q3/other-regions/00_overview_region.html" in z.namelist()
    assert set(pooled["members"]) == {"Tiny", "Wee"} and pooled["region"] == OTHER_REGIONS
    assert sorted(packed["customer_id"]) == sorted(cust.loc[cust["region"].isin(["Tiny", "Wee"]), "customer_id"])
    assert set(packed["region"]) == {OTHER_REGIONS}
