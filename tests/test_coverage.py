"""Data coverage (issue 15): the first and last day of the data reach every analysis.

Quarters before the data have no figures (never zeros), a partial quarter is labelled
partial and never picked by ``latest``, a change against a quarter that is not complete is
unavailable with its reason, a new customer is one whose first order falls after the data's
first quarter, and each report's header says the coverage, the lines a mapping left out and
what its customer count counts. Each rule is tested firing and not firing, on a small export
read through a source mapping whose figures are worked out by hand below, and on the Online
Retail excerpt against plain pandas.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from conftest import ROOT, tiny_tables, write_tables  # noqa: E402

from custlib.analysis import development as dev  # noqa: E402
from custlib.analysis import overview as ov  # noqa: E402
from custlib.analysis import pareto as pa  # noqa: E402
from custlib.analysis import segmentation as seg  # noqa: E402
from custlib.exceptions import DataError, InsufficientDataError, ParamsError  # noqa: E402
from custlib.io.data import data_coverage, load_region, peer_quarterly, resolve_quarter, source_facts  # noqa: E402
from custlib.io.periods import Coverage, Quarter, comparison_gap, describe_coverage  # noqa: E402
from custlib.io.validate import validate_source  # noqa: E402
from custlib.reports.context import HEADLINE_MIME, ReportContext, open_report  # noqa: E402
from custlib.reports.sections import Unavailable  # noqa: E402

Q = Quarter.parse

# An export from 2025-02-10 to 2026-08-20: 2025Q1 and 2026Q3 are partial, 2025Q2..2026Q2 complete.
# North: N1 and N2 buy in the data's first quarter (2025Q1: of unknown age, never new); N3 is new in
# 2025Q2, N4 in 2025Q4; N1 returns goods in 2026Q2 (credit note C12) and N5 only returns goods.
# South starts in 2025Q3: S1 and S2 are new there (the data started two quarters earlier).
# Line 6 has no customer id: left out, 50 of the export's 590 net revenue (8.47%).
EXPORT = """Invoice,Item,Qty,Price,Date,Customer,Country
1,A,1,100,2025-02-10,N1,North
2,A,1,40,2025-03-01,N2,North
3,A,1,50,2025-05-05,N1,North
4,A,2,10,2025-05-20,N3,North
5,A,1,50,2025-06-01,,North
6,A,1,30,2025-06-01,N2,North
7,A,1,70,2025-08-01,N1,North
8,A,1,25,2025-09-01,S1,South
9,A,1,35,2025-09-15,S2,South
10,A,1,60,2025-11-11,N4,North
11,A,1,80,2026-04-01,N1,North
C12,A,-1,10,2026-05-02,N1,North
C14,A,-1,5,2026-06-01,N5,North
13,A,1,45,2026-08-20,S2,South
"""

MAPPING = """currency: EUR
tables:
  transactions:
    file: export.csv
    columns:
      order_id: Invoice
      customer_id: Customer
      order_date: Date
      product_id: Item
      category: {value: goods}
      quantity: Qty
      revenue: {expr: Qty * Price}
    cost_known: false
    missing_customer: exclude
    credit_notes: {order_prefix: C}
  customers:
    from: transactions
    columns: {region: Country, market_type: {value: reseller}}
"""

SPAN = Coverage(pd.Timestamp("2025-02-10"), pd.Timestamp("2026-08-20"))


def _export(tmp_path: Path, text: str = EXPORT, mapping: str = MAPPING, name: str = "export") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "export.csv").write_text(text, encoding="utf-8")
    (folder / "source.yaml").write_text(mapping, encoding="utf-8")
    return folder


@pytest.fixture
def export(tmp_path):
    return _export(tmp_path)


@pytest.fixture
def shown(monkeypatch):
    """What a report context displays: Markdown text and raw bundles."""
    import IPython.display as disp

    out = []

    def fake(obj, raw=False, **_):
        out.append(("raw", obj) if raw else ("md", getattr(obj, "data", obj)))

    monkeypatch.setattr(disp, "display", fake)
    return out


def _ctx(quarter: str, coverage: Coverage | None, tx: pd.DataFrame | None = None, exclusions: dict | None = None) -> ReportContext:
    tx = tx if tx is not None else pd.DataFrame({"customer_id": [], "order_date": pd.to_datetime([]), "revenue": []})
    data = SimpleNamespace(coverage=coverage, transactions=tx, customers=pd.DataFrame({"customer_id": []}), exclusions=exclusions or {})
    return ReportContext("North", Q(quarter), {"report": {"currency": "EUR", "lang": "en"}}, data=data, lang="en")


# --------------------------------------------------------------------------- coverage and quarters


def test_a_quarter_is_complete_partial_or_without_data():
    assert [SPAN.status(q) for q in ("2024Q4", "2025Q1", "2025Q2", "2026Q2", "2026Q3", "2026Q4")] == [
        "none",
        "partial",
        "complete",
        "complete",
        "partial",
        "none",
    ]
    assert SPAN.quarter_span("2025Q1") == (pd.Timestamp("2025-02-10"), pd.Timestamp("2025-03-31"))
    assert SPAN.latest_complete() == Q("2026Q2") and SPAN.first_quarter == Q("2025Q1")
    # a span that starts on a quarter's first day and ends on its last covers it whole
    assert Coverage(pd.Timestamp("2025-01-01"), pd.Timestamp("2025-03-31")).latest_complete() == Q("2025Q1")
    # two partial quarters and none complete
    assert Coverage(pd.Timestamp("2010-12-01"), pd.Timestamp("2011-02-28")).latest_complete() is None


def test_a_change_needs_both_quarters_complete():
    assert comparison_gap(SPAN, "2025Q3", "2025Q2") is None
    assert comparison_gap(None, "2025Q3", "2025Q2") is None  # unknown coverage: nothing refused
    code, fields = comparison_gap(SPAN, "2025Q2", "2025Q1")
    assert code == "partial_quarter" and fields["quarter"] == "2025Q1" and fields["start"] == dt.date(2025, 2, 10)
    code, fields = comparison_gap(SPAN, "2026Q3", "2026Q2")
    assert code == "partial_quarter" and fields["quarter"] == "2026Q3" and fields["end"] == dt.date(2026, 8, 20)
    whole = Coverage(pd.Timestamp("2025-01-01"), pd.Timestamp("2026-06-30"))
    code, fields = comparison_gap(whole, "2025Q1", "2024Q4")
    assert code == "no_previous_quarter_in_data" and fields["base"] == "2024Q4" and fields["first"] == dt.date(2025, 1, 1)


def test_latest_is_the_last_complete_quarter_and_a_partial_one_is_reported_when_asked_for_by_name(export):
    con, source, _ = validate_source(export)
    cov = data_coverage(con, source)
    assert cov == SPAN
    assert resolve_quarter(con, "latest", coverage=cov) == Q("2026Q2")  # not 2026Q3, which the data ends inside
    assert resolve_quarter(con, None, coverage=cov) == Q("2026Q2")
    assert resolve_quarter(con, "2026Q3", coverage=cov) == Q("2026Q3")  # partial, asked for by name
    assert resolve_quarter(con, "2025Q1", coverage=cov) == Q("2025Q1")
    with pytest.raises(ParamsError, match=r"quarter: 2024Q4 is outside the data, which covers 2025-02-10 to 2026-08-20"):
        resolve_quarter(con, "2024Q4", coverage=cov)
    con.close()


def test_latest_is_refused_when_the_data_holds_no_complete_quarter_naming_the_span_and_what_to_type(tmp_path):
    folder = _export(tmp_path, "".join(EXPORT.splitlines(keepends=True)[:5]))  # 2025-02-10 .. 2025-05-20
    con, source, _ = validate_source(folder)
    with pytest.raises(ParamsError, match=r"covers 2025-02-10 to 2025-05-20, which holds no complete quarter.*--quarter 2025Q2"):
        resolve_quarter(con, "latest", coverage=data_coverage(con, source))
    con.close()
    from custlib.cli import main

    assert main(["render", "--data", str(folder), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert not (tmp_path / "out").exists()


def test_validate_prints_the_span_and_its_complete_quarters(export, capsys):
    from custlib.cli import main

    assert main(["validate", "--data", str(export)]) == 0
    out = capsys.readouterr().out
    assert "data: 2025-02-10 to 2026-08-20; complete quarters 2025Q2 to 2026Q2 (latest: 2026Q2); partial: 2025Q1, 2026Q3" in out
    assert describe_coverage(Coverage(pd.Timestamp("2010-12-01"), pd.Timestamp("2011-02-28"))) == (
        "data: 2010-12-01 to 2011-02-28; no complete quarter (partial: 2010Q4, 2011Q1): render with --quarter 2011Q1 (reported as partial)"
    )


# --------------------------------------------------------------------------- declared coverage

CDNOW_LIKE = "Customer,Date,Amount\n1,1997-01-01,10\n2,1997-03-31,20\n1,1997-06-30,5\n"
CDNOW_MAPPING = """currency: USD
{coverage}tables:
  transactions:
    file: export.csv
    columns:
      order_id: {{derive: customer_date}}
      customer_id: Customer
      order_date: Date
      product_id: {{value: CD}}
      category: {{value: music}}
      quantity: {{value: 1}}
      revenue: Amount
    cost_known: false
  customers:
    from: transactions
    columns: {{region: {{value: All}}, market_type: {{value: consumer}}}}
"""


def test_a_mapping_declaring_its_first_day_needs_no_validation_min_date(tmp_path):
    """Orders of 1997 fail the default validation.min_date (2000-01-01) unless the mapping declares the export's span."""
    plain = _export(tmp_path, CDNOW_LIKE, CDNOW_MAPPING.format(coverage=""), "plain")
    with pytest.raises(DataError, match=r"3 date\(s\) before 2000-01-01 \(validation.min_date\)"):
        validate_source(plain)
    declared = _export(tmp_path, CDNOW_LIKE, CDNOW_MAPPING.format(coverage="coverage: {from: 1997-01-01, to: 1997-09-30}\n"), "declared")
    con, source, _ = validate_source(declared)  # unquoted YAML dates are read as dates too
    cov = data_coverage(con, source)
    assert cov == Coverage(pd.Timestamp("1997-01-01"), pd.Timestamp("1997-09-30"))  # to: beyond the last order (1997-06-30)
    assert resolve_quarter(con, "latest", coverage=cov) == Q("1997Q3")
    con.close()


def test_lines_outside_the_declared_span_are_refused_naming_the_key(tmp_path):
    early = _export(tmp_path, CDNOW_LIKE, CDNOW_MAPPING.format(coverage='coverage: {from: "1997-02-01"}\n'), "early")
    with pytest.raises(DataError, match=r"1 date\(s\) before 1997-02-01 \(coverage.from in source.yaml\): row 2"):
        validate_source(early)
    late = _export(tmp_path, CDNOW_LIKE, CDNOW_MAPPING.format(coverage='coverage: {from: "1997-01-01", to: "1997-05-31"}\n'), "late")
    with pytest.raises(DataError, match=r"1 date\(s\) after 1997-05-31 \(coverage.to in source.yaml\): row 4"):
        validate_source(late)
    bad = _export(tmp_path, CDNOW_LIKE, CDNOW_MAPPING.format(coverage='coverage: {from: "1997-05-01", to: "1997-01-01"}\n'), "bad")
    with pytest.raises(DataError, match=r"'coverage.to' \(1997-01-01\) is before 'coverage.from'"):
        validate_source(bad)
    unknown = _export(tmp_path, CDNOW_LIKE, CDNOW_MAPPING.format(coverage='coverage: {since: "1997-05-01"}\n'), "unknown")
    with pytest.raises(DataError, match=r"unknown key 'coverage.since'"):
        validate_source(unknown)


def test_a_folder_of_contract_files_declares_its_span_in_coverage_json(tmp_path):
    data = write_tables(tiny_tables(), tmp_path / "data")
    con, source, _ = validate_source(data)
    own = data_coverage(con, source)
    assert own.last == pd.Timestamp("2025-12-31") and own.first > pd.Timestamp("2024-01-01")  # tiny's first order: a January day
    (data / "_coverage.json").write_text(json.dumps({"from": "2024-01-01"}), encoding="utf-8")
    assert data_coverage(con, source) == Coverage(pd.Timestamp("2024-01-01"), pd.Timestamp("2025-12-31"))
    (data / "_coverage.json").write_text(json.dumps({"since": "2024-01-01"}), encoding="utf-8")
    with pytest.raises(DataError, match=r"_coverage.json: expected"):
        data_coverage(con, source)
    con.close()


# --------------------------------------------------------------------------- analyses


@pytest.fixture
def north(export):
    con, source, _ = validate_source(export)
    cov = data_coverage(con, source)
    regions = {r: load_region(con, r, Q("2026Q3"), coverage=cov) for r in ("North", "South")}
    con.close()
    return regions


def test_quarter_kpis_of_a_quarter_without_data_are_unknown_and_a_change_against_a_partial_one_is_not_shown(north):
    tx = north["North"].transactions
    k = ov.quarter_kpis(tx, Q("2025Q2"), coverage=SPAN)
    assert k.loc["revenue", "2025Q2"] == 100.0  # 50 + 20 + 30
    assert k.loc["revenue", "2025Q1"] == 140.0  # the partial quarter's own figures are shown ...
    assert k["change"].isna().all()  # ... but no change against them
    assert k["2024Q2"].isna().all() and k["change_yoy"].isna().all()  # before the data: unknown, not zero
    plain = ov.quarter_kpis(tx, Q("2025Q2"))  # without coverage, as before: an empty quarter is zeros
    assert plain.loc["revenue", "2024Q2"] == 0.0 and plain.loc["revenue", "change"] == pytest.approx(-40 / 140)
    later = ov.quarter_kpis(tx, Q("2025Q3"), coverage=SPAN)  # both complete: the change is there
    assert later.loc["revenue", "change"] == pytest.approx((70 - 100) / 100)


def test_lapsed_customers_need_a_previous_quarter_in_the_data(north):
    tx, customers = north["North"].transactions, north["North"].customers
    with pytest.raises(InsufficientDataError) as err:
        ov.lapsed_customers(tx, customers, Q("2025Q2"), coverage=SPAN)
    assert err.value.code == "partial_quarter" and err.value.fields["quarter"] == "2025Q1"
    got = ov.lapsed_customers(tx, customers, Q("2025Q3"), coverage=SPAN)
    assert got["customer_id"].tolist() == ["N2", "N3"]  # ordered in 2025Q2, not in 2025Q3; N2's 30 before N3's 20


def test_monthly_trend_starts_and_ends_with_the_data(north):
    trend = ov.monthly_trend(north["South"].transactions, Q("2026Q3").end, months=24, coverage=SPAN)
    assert trend["month"].iloc[0] == pd.Timestamp("2025-02-01") and trend["month"].iloc[-1] == pd.Timestamp("2026-08-01")
    plain = ov.monthly_trend(north["South"].transactions, Q("2026Q3").end, months=24)
    assert plain["month"].iloc[0] == pd.Timestamp("2024-10-01") and (plain["revenue"].iloc[:4] == 0).all()  # zeros before


def test_new_customers_are_counted_from_the_datas_first_quarter_not_the_regions(north):
    kw = {"quarter": "2026Q2", "n_quarters": 8, "trend_quarters": 2}
    south = dev.development_kpis(north["South"].transactions, None, coverage=SPAN, **kw).set_index("quarter")
    assert south.loc["2025Q3", "new_customers"] == 2 and south.loc["2025Q3", "new_revenue"] == 60.0  # S1 and S2
    own = dev.development_kpis(north["South"].transactions, None, **kw).set_index("quarter")  # the region's first quarter
    assert own.index[0] == "2025Q3" and np.isnan(own.loc["2025Q3", "new_customers"])  # there: unknown, not new

    k = dev.development_kpis(north["North"].transactions, None, coverage=SPAN, **kw).set_index("quarter")
    assert k.index.tolist() == ["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2"]  # nothing before the data
    assert k["coverage"].tolist() == ["partial"] + ["complete"] * 5
    assert np.isnan(k.loc["2025Q1", "new_customers"])  # N1 and N2 may have bought before the data starts
    assert k.loc["2025Q2", ["new_customers", "new_revenue", "existing_revenue"]].tolist() == [1, 20.0, 80.0]  # N3; N1 + N2
    assert k.loc["2025Q4", ["new_customers", "new_revenue"]].tolist() == [1, 60.0]  # N4
    assert np.isnan(k.loc["2025Q2", "existing_revenue_qoq_pct"])  # against the partial 2025Q1: no change
    assert k.loc["2025Q3", "existing_revenue_qoq_pct"] == pytest.approx((70 - 80) / 80)  # both complete
    assert k.loc["2026Q2", "existing_revenue"] == 65.0  # 80 less the credit notes of N1 (10) and N5 (5)


def test_steps_comparing_with_the_previous_quarter_say_there_is_none_in_the_data():
    """Tier migration, stage changes and the RFM migration get ctx.previous_quarter: unavailable, with the reason."""
    whole = Coverage(pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-31"))
    first = _ctx("2025Q1", whole)
    prev = first.previous_quarter
    assert isinstance(prev, Unavailable) and prev.code == "no_previous_quarter_in_data"
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "order_date": pd.to_datetime(["2025-01-05", "2025-02-05"]),
            "revenue": [1.0, 2.0],
            "order_id": ["1", "2"],
        }
    )
    before = first.compute(seg.customer_features, tx, pd.DataFrame({"customer_id": ["a", "b"]}), prev)
    for step in (first.compute(seg.stage_migration, before, tx), first.compute(pa.quarter_tier_migration, tx, prev, first.quarter)):
        assert step is before and first.reason(step) == (
            "There is no previous quarter in the data to compare with: 2024Q4 is before the data, which start on 2025-01-01."
        )
    assert _ctx("2025Q2", whole).previous_quarter == Q("2025Q1")  # a complete quarter before: compared
    partial = _ctx("2025Q2", SPAN).previous_quarter
    assert isinstance(partial, Unavailable) and partial.code == "partial_quarter"
    assert _ctx("2025Q2", None).previous_quarter == Q("2025Q1")  # unknown coverage: as before


# --------------------------------------------------------------------------- the report: summary and header

FIGURES = pd.DataFrame([{"figure": "Executive summary", "value": 700.0, "previous": 200.0, "unit": "money"}])


def test_the_summary_shows_no_change_against_a_quarter_without_data_and_says_why(shown):
    whole = Coverage(pd.Timestamp("2010-12-01"), pd.Timestamp("2011-06-30"))
    _ctx("2011Q1", whole).summary(FIGURES, [], notebook="00_x", domain="custlib")  # 2011Q1 complete, 2010Q4 partial
    ((_, bundle),) = shown
    html = bundle["text/html"]
    assert "vs last quarter" not in html and "+€500" not in html
    assert "No change against last quarter: 2010Q4 is a partial quarter (data from 2010-12-01 to 2010-12-31)." in html
    assert bundle[HEADLINE_MIME]["rows"][0]["previous"] is None  # nor in the roll-up
    shown.clear()
    _ctx("2011Q2", whole).summary(FIGURES, [], notebook="00_x", domain="custlib")  # 2011Q1 and Q2 complete: compared
    ((_, bundle),) = shown
    assert "+€500 (+250.0%) vs last quarter" in bundle["text/html"] and "No change" not in bundle["text/html"]
    shown.clear()
    _ctx("2025Q1", Coverage(pd.Timestamp("2025-01-01"), pd.Timestamp("2025-06-30"))).summary(FIGURES, [], domain="custlib")
    ((_, bundle),) = shown
    assert "No change against last quarter: 2024Q4 is before the data, which start on 2025-01-01." in bundle["text/html"]


def test_the_header_counts_customers_who_ordered_and_states_coverage_partial_quarter_and_lines_left_out(export, shown):
    ctx = open_report(str(export), "North", "2026Q2", {})
    ctx.header()
    ((_, text),) = shown
    first, data = text.split("\n\n")
    # N1 ordered on 2026-04-01; N5 only returned goods (a credit note is no order): 1 customer, not 2 (nor North's 5)
    assert "· 1 customer ordered in the quarter ·" in first and "partial quarter" not in first
    assert data == "**Data:** 2025-02-10 to 2026-08-20 · 1 line of the export without a customer id left out (8.5% of its revenue)"
    assert ctx.data.exclusions["missing_customer_id"]["revenue_share"] == pytest.approx(50 / 590)
    shown.clear()
    open_report(str(export), "South", "2026Q3", {}).header()
    ((_, text),) = shown
    assert "· 1 customer ordered in the quarter ·" in text  # S2, on 2026-08-20
    assert "· **partial quarter:** data from 2026-07-01 to 2026-08-20" in text


def test_a_prepared_slice_knows_the_whole_datas_span_and_exclusions(export, tmp_path):
    """The runner's path: a region's slice alone would start at its own first order (South: 2025-09-01)."""
    from custlib.run.prepare import prepare_regions

    con, source, _ = validate_source(export)
    cache = tmp_path / "cache"
    cache.mkdir()
    q = Q("2026Q2")
    prepare_regions(con, ["South"], q, cache, peer_quarterly(con, q.end), source.fingerprint(), source_facts(con, source))
    con.close()
    ctx = open_report(str(cache / "south"), "South", "2026Q2", {})
    assert ctx.coverage == SPAN and ctx.data.exclusions["missing_customer_id"]["lines"] == 1
    k = dev.development_kpis(ctx.data.transactions, None, quarter=ctx.quarter, coverage=ctx.coverage)
    assert k.set_index("quarter").loc["2025Q3", "new_customers"] == 2


# --------------------------------------------------------------------------- Online Retail, by pandas

ONLINE_RETAIL = Path(os.environ.get("CUSTLIB_ONLINE_RETAIL", "/work/shared/data/online-retail/online_retail_2010-12_2011-02.csv.gz"))


@pytest.fixture(scope="module")
def retail(tmp_path_factory):
    if not ONLINE_RETAIL.is_file():
        pytest.skip(f"{ONLINE_RETAIL} not found (set CUSTLIB_ONLINE_RETAIL to the published excerpt)")
    folder = tmp_path_factory.mktemp("or") / "online-retail"
    folder.mkdir()
    (folder / ONLINE_RETAIL.name).symlink_to(ONLINE_RETAIL)
    shutil.copy(ROOT / "examples" / "online-retail" / "source.yaml", folder / "source.yaml")
    raw = pd.read_csv(ONLINE_RETAIL, dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": str})
    raw = raw.assign(
        revenue=raw["Quantity"] * raw["UnitPrice"], date=pd.to_datetime(raw["InvoiceDate"]), credit=raw["InvoiceNo"].str.startswith("C")
    )
    return folder, raw


def test_online_retail_latest_is_refused_and_the_december_quarter_shows_no_change_against_an_empty_one(retail, shown):
    """Issue 15: 2010Q4 (December only) was reported as latest, '+483,800 vs last quarter' against an empty 2010Q3."""
    from custlib.reports import overview as summary

    folder, raw = retail
    assert (raw["date"].min(), raw["date"].max().normalize()) == (pd.Timestamp("2010-12-01 08:26"), pd.Timestamp("2011-02-28"))
    with pytest.raises(ParamsError, match=r"covers 2010-12-01 to 2011-02-28, which holds no complete quarter.*--quarter 2011Q1"):
        open_report(str(folder), "United Kingdom", "latest", {})
    ctx = open_report(str(folder), "United Kingdom", "2010Q4", {})
    assert ctx.coverage == Coverage(pd.Timestamp("2010-12-01"), pd.Timestamp("2011-02-28"))
    assert isinstance(ctx.previous_quarter, Unavailable) and ctx.previous_quarter.code == "no_previous_quarter_in_data"
    kpis = ov.quarter_kpis(ctx.data.transactions, ctx.quarter, coverage=ctx.coverage)
    assert kpis.loc["revenue", "2010Q4"] == pytest.approx(483_799.74, abs=0.01)
    assert kpis["2010Q3"].isna().all() and kpis["change"].isna().all()  # no data, not zeros
    ctx.header()
    ctx.summary(summary.headline_figures(kpis, Unavailable("x"), Unavailable("x")), [], domain="overview")
    header, bundle = shown[0][1], shown[1][1]
    missing = raw["CustomerID"].isna()
    share = raw.loc[missing, "revenue"].sum() / raw["revenue"].sum()  # 18.9%
    assert f"{missing.sum():,} lines of the export without a customer id left out ({share:.1%} of its revenue)" in header
    assert "36,210 lines" in header and "(18.9% of its revenue)" in header
    assert "**partial quarter:** data from 2010-12-01 to 2010-12-31" in header
    known = raw[~missing & (raw["Country"] == "United Kingdom") & (raw["date"] < "2011-01-01") & ~raw["credit"]]
    assert f"· {known['CustomerID'].nunique():,} customers ordered in the quarter ·" in header  # 815, as checked by hand
    assert "vs last quarter" not in bundle["text/html"] and "483,800" in bundle["text/html"]
    assert "No change against last quarter: 2010Q3 is before the data, which start on 2010-12-01." in bundle["text/html"]


def test_online_retail_new_customers_are_those_first_ordering_after_december(retail):
    folder, raw = retail
    ctx = open_report(str(folder), "United Kingdom", "2011Q1", {})
    k = dev.development_kpis(ctx.data.transactions, None, quarter=ctx.quarter, coverage=ctx.coverage).set_index("quarter")
    assert k["coverage"].tolist() == ["partial", "partial"] and np.isnan(k.loc["2010Q4", "new_customers"])
    uk = raw[raw["CustomerID"].notna() & ~raw["credit"]]
    uk = uk[uk["CustomerID"].isin(ctx.data.customers["customer_id"] + ".0")]
    first = uk.groupby("CustomerID")["date"].min()
    assert k.loc["2011Q1", "new_customers"] == (first >= "2011-01-01").sum() == 698
    assert np.isnan(k.loc["2011Q1", "existing_revenue_qoq_pct"])  # two partial quarters: no change


def test_advice_says_nothing_held_up_or_moved_when_there_is_no_last_quarter_to_compare_with():
    """The keep-the-plan sentences claim a comparison: said when the quarters compare, silent when they cannot."""
    from custlib.reports import overview as ov_report
    from custlib.reports import segmentation as seg_report

    whole = Coverage(pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-31"))
    kpis = pd.DataFrame(
        {
            "2025Q2": [100.0, 0.3, 5.0],
            "2025Q1": [90.0, 0.5, 5.0],
            "change": [0.11, -0.4, 0.0],
            "2024Q2": [np.nan] * 3,
            "change_yoy": [np.nan] * 3,
        },
        index=pd.Index(["revenue", "gross_margin", "active_customers"], name="figure"),
    )
    fell = "Gross margin fell from 50.0% to 30.0%: check prices and discounts on the largest orders."
    assert ov_report.advice(kpis, None, None, _ctx("2025Q2", whole)) == [fell]
    assert ov_report.advice(kpis, None, None, _ctx("2025Q2", SPAN)) == []  # 2025Q1 partial: no margin fall, no "held up"
    steady = kpis.assign(**{"2025Q1": [90.0, 0.3, 5.0]})
    assert ov_report.advice(steady, None, None, _ctx("2025Q2", whole)) == [
        "Revenue, margin and customers held up against last quarter: keep the current plan."
    ]

    none = pd.DataFrame({"revenue": []})
    keep = "No valuable customer is at risk or moved down a tier: keep the current visit plan."
    kw = {"scorecard": Unavailable("x"), "features": Unavailable("x")}
    assert seg_report.actions(_ctx("2025Q2", whole), at_risk=none, moved_down=none, **kw) == [keep]
    gone = Unavailable("no_previous_quarter_in_data")
    assert seg_report.actions(_ctx("2025Q1", whole), at_risk=none, moved_down=gone, **kw) == []
