"""One measure, one number: every measure that more than one report shows has the same value wherever it appears (issue 16).

Renders every region of the sample data, and every country of the UCI Online Retail excerpt through its source mapping,
with all five notebooks, then reads each report as published: the executive summary's machine-readable headline rows
(``HEADLINE_MIME`` in the executed notebook) and the tables, cell by cell as a reader reads them (a displayed number is
equal to another when they agree within half a unit of the digits shown). :data:`HEADLINES` names the measure of every
headline figure a report may publish (None: a figure of that report only): a report publishing a figure the list does not
know fails the test. :data:`TABLES` names the tables read and what they show. The measures themselves are defined once in
:mod:`custlib.analysis.facts` (README, section Definitions).

Run ``python tests/test_cross_report.py OUT/<quarter>`` to list the disagreements of a rendered folder.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEADLINE_MIME = "application/vnd.custlib.headlines+json"
ONLINE_RETAIL = Path(os.environ.get("CUSTLIB_ONLINE_RETAIL", "/work/shared/data/online-retail/online_retail_2010-12_2011-02.csv.gz"))
NOTEBOOKS = ("00_overview_region", "01_segment_customers", "02_diagnose_pareto", "03_forecast_development", "04_compare_make_vs_buy")

#: Every headline figure a report can publish -> the measure it shows (None: shown by that report only).
#: ``{share}`` measures are the ABC first cut-off's "customers making 80%"; each is compared for this quarter
#: (``value``) and the previous one (``previous``).
HEADLINES: dict[tuple[str, str], str | None] = {
    ("00_overview_region", "Revenue"): "revenue",
    ("00_overview_region", "Gross margin"): "gross_margin",
    ("00_overview_region", "Net profit"): "net_profit",
    ("00_overview_region", "Gross profit"): "gross_profit",  # without cost-to-serve data
    ("00_overview_region", "Customers who ordered"): "active_customers",
    ("00_overview_region", "Customers who stopped ordering"): "lost_customers",
    ("01_segment_customers", "Customers who ordered this quarter"): "active_customers",
    ("01_segment_customers", "Customers in slipping RFM segments"): None,
    ("01_segment_customers", "Valuable customers at risk"): None,
    ("01_segment_customers", "Revenue of valuable customers at risk"): None,
    ("01_segment_customers", "Valuable customers who moved down a tier"): None,
    ("02_diagnose_pareto", "Customers making 80% of revenue"): "customers_making_share_revenue",
    ("02_diagnose_pareto", "Customers making 80% of net profit"): "customers_making_share_net_profit",
    ("02_diagnose_pareto", "Customers making 80% of gross profit"): "customers_making_share_gross_profit",
    ("02_diagnose_pareto", "Customers making the chosen share of revenue"): "customers_making_share_revenue",
    ("02_diagnose_pareto", "Customers making the chosen share of net profit"): "customers_making_share_net_profit",
    ("02_diagnose_pareto", "Customers making the chosen share of gross profit"): "customers_making_share_gross_profit",
    ("02_diagnose_pareto", "Customers losing money"): None,
    ("02_diagnose_pareto", "Loss of the loss-making customers"): None,
    ("02_diagnose_pareto", "Tier A customers losing money"): None,
    ("03_forecast_development", "Revenue from existing customers"): "existing_revenue",
    ("03_forecast_development", "Existing customers' share of revenue"): "existing_share_revenue",
    ("03_forecast_development", "New customers"): "new_customers",
    ("03_forecast_development", "Customers on the watch list"): None,
    ("03_forecast_development", "Expected profit of the campaign plan"): None,
    ("03_forecast_development", "Revenue forecast for next quarter"): None,
    ("04_compare_make_vs_buy", "Products to make in-house"): None,
    ("04_compare_make_vs_buy", "Products to buy from a supplier"): None,
    ("04_compare_make_vs_buy", "Close calls to revisit"): None,
    ("04_compare_make_vs_buy", "Expected saving from the recommendations (present value)"): None,
    # the same figures when the report compares the example cases (the sample data, makebuy.show_examples)
    ("04_compare_make_vs_buy", "Example products to make in-house"): None,
    ("04_compare_make_vs_buy", "Example products to buy from a supplier"): None,
    ("04_compare_make_vs_buy", "Example close calls to revisit"): None,
    ("04_compare_make_vs_buy", "Expected saving in the examples (present value)"): None,
}

#: The tables read, by report and first column header, and the measures each shows (see the readers below).
TABLES = {
    (
        "00_overview_region",
        "Figure",
    ): "KPI table: each figure this quarter, last quarter and a year before; revenue change on a year before",
    (
        "01_segment_customers",
        "Measure",
    ): "ABC table: class counts; class A's share of customers on each measure; their sum (customers who ordered)",
    (
        "01_segment_customers",
        "Last quarter \\ this quarter",
    ): "ABC migration matrix (the one whose classes are A, B, C): customers per move",
    (
        "02_diagnose_pareto",
        "Measure",
    ): "concentration table: customers making 80% per measure; the caption counts the customers who ordered",
    ("02_diagnose_pareto", "Revenue tier"): "whale and resource tables: class counts; All: cost to serve, net profit, revenue change",
    ("02_diagnose_pareto", "Tier in {previous}"): "tier migration: customers per move; those who left (stopped ordering)",
    ("03_forecast_development", "Quarter"): "KPI table: existing revenue, its share, new customers, existing + new profit per quarter",
}

#: The measures compared (the measure names of custlib.analysis.facts.MEASURES, per quarter; ``revenue_change_vs_<q>``
#: the relative change of revenue against quarter q; ``net_profit_change_vs_<q>`` its absolute change;
#: ``abc_migration_<from>_<to>`` the customers moving between revenue classes since the previous quarter).
MEASURES = {
    "active_customers",
    "lost_customers",
    "new_customers",
    "orders",
    "revenue",
    "existing_revenue",
    "existing_share_revenue",
    "gross_profit",
    "gross_margin",
    "cost_to_serve",
    "net_profit",
    "revenue_per_customer",
    "customers_making_share_revenue",
    "customers_making_share_gross_profit",
    "customers_making_share_net_profit",
    "class_a_customers",
    "class_b_customers",
    "class_c_customers",
    "revenue_change_vs",
    "net_profit_change_vs",
    "abc_migration",
}

KPI_ROWS = {
    "Customers who ordered": "active_customers",
    "Orders": "orders",
    "Revenue": "revenue",
    "Gross profit": "gross_profit",
    "Gross margin": "gross_margin",
    "Revenue per customer": "revenue_per_customer",
    "Cost to serve": "cost_to_serve",
    "Net profit": "net_profit",
}
MEASURE_ROWS = {"Revenue": "revenue", "Gross profit": "gross_profit", "Net profit": "net_profit"}
CLASS_LABELS = {"A": "A", "B": "B", "C": "C", "(none)": "none", "No orders": "none"}


# --------------------------------------------------------------------------- reading a report


class _Tables(HTMLParser):
    """The tables of an HTML fragment: caption, header row and body rows as cell text (th and td alike)."""

    def __init__(self):
        super().__init__()
        self.tables, self._cell, self._row, self._part = [], None, None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "header": [], "rows": []})
        elif tag in ("thead", "tbody", "caption"):
            self._part = tag
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            table = self.tables[-1]
            if self._part != "thead":
                table["rows"].append(self._row)
            elif not table["header"]:
                table["header"] = self._row
            self._row = None
        elif tag == "caption":
            self._part = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif self._part == "caption" and self.tables:
            self.tables[-1]["caption"] += data


def published(ipynb: Path) -> tuple[list[dict], list[dict]]:
    """The headline rows and the tables of an executed report notebook."""
    nb = json.loads(ipynb.read_text(encoding="utf-8"))
    rows, parser = [], _Tables()
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if HEADLINE_MIME in data:
                rows += data[HEADLINE_MIME]["rows"]
            html = data.get("text/html")
            if html and "<table" in "".join(html):
                parser.feed("".join(html))
    for t in parser.tables:
        t["caption"] = " ".join(t["caption"].split())
    return rows, parser.tables


NUMBER = re.compile(r"([+-]?)[^\d+-]*?([\d,]*\.?\d+)\s*(%|pt)?")


def number(text: str):
    """A displayed number as (value, half a unit of its last digit), or None (a dash, words)."""
    text = (text or "").strip().replace("\u2212", "-")
    m = NUMBER.fullmatch(text.replace("CN¥", "").replace("¥", "").replace("£", "").replace("$", "").replace("€", "").strip())
    if not m or text in ("–", "-"):
        return None
    sign, digits, unit = m.groups()
    value = float(digits.replace(",", "")) * (-1 if sign == "-" else 1)
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    tol = 0.5 * 10.0**-decimals
    if unit in ("%", "pt"):
        value, tol = value / 100, tol / 100
    return value, tol


# --------------------------------------------------------------------------- what each report shows


class Observations:
    """Values seen for each (measure, quarter), with where they were seen and their tolerance."""

    def __init__(self, quarter: str):
        self.quarter, self.seen, self.unknown, self.tables_read = quarter, defaultdict(list), [], set()

    def add(self, measure: str, quarter: str, where: str, value, tol: float = 0.0) -> None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return
        assert measure in MEASURES or measure.startswith(("abc_migration_", "revenue_change_vs_", "net_profit_change_vs_")), measure
        self.seen[(measure, quarter)].append((where, float(value), float(tol)))

    def disagreements(self) -> list[str]:
        out = []
        for (measure, quarter), obs in sorted(self.seen.items()):
            for i, (w1, v1, t1) in enumerate(obs):
                for w2, v2, t2 in obs[i + 1 :]:
                    if abs(v1 - v2) > t1 + t2 + 1e-9 * max(1.0, abs(v1)):
                        out.append(f"{measure} {quarter}: {v1:,.6g} in {w1} but {v2:,.6g} in {w2}")
        return out

    def shared(self) -> set[str]:
        """The measures seen in more than one report."""
        return {m for (m, _), obs in self.seen.items() if len({w.split(":")[0] for w, _, _ in obs}) > 1}


def _headlines(obs: Observations, notebook: str, rows: list[dict], previous: str) -> None:
    by_label = {}
    for r in rows:
        key = (r.get("notebook") or notebook, r["figure"])
        if key not in HEADLINES:
            obs.unknown.append(f"{key[0]}: headline {key[1]!r}")
            continue
        by_label[key[1]] = r
        measure = HEADLINES[key]
        if measure:
            tol = 1e-6 * max(1.0, abs(r["value"] or 0))
            obs.add(measure, obs.quarter, f"{notebook}: headline {r['figure']!r}", r["value"], tol)
            obs.add(measure, previous, f"{notebook}: headline {r['figure']!r} (last quarter)", r["previous"], tol)
    existing, share = by_label.get("Revenue from existing customers"), by_label.get("Existing customers' share of revenue")
    if existing and share and existing["value"] is not None and share["value"]:  # revenue = existing revenue / their share
        obs.add("revenue", obs.quarter, f"{notebook}: headline existing revenue / share", existing["value"] / share["value"], 1e-3)


def _cells(table: dict, row: list[str], header: str):
    return number(row[table["header"].index(header)]) if header in table["header"] else None


def _overview_tables(obs: Observations, tables: list[dict], nb: str) -> None:
    for t in tables:
        if not t["header"] or t["header"][0] != "Figure":
            continue
        obs.tables_read.add((nb, "Figure"))
        q, p, y = t["header"][1], t["header"][2], t["header"][4]
        vals = {}
        for row in t["rows"]:
            m = KPI_ROWS.get(row[0])
            if m is None:
                continue
            for col in (q, p, y):
                got = _cells(t, row, col)
                if got:
                    obs.add(m, col, f"{nb}: KPI table {row[0]} {col}", *got)
                    vals[(m, col)] = got
            if m == "revenue":
                got = _cells(t, row, f"Change on {y}")
                if got:
                    obs.add(f"revenue_change_vs_{y}", q, f"{nb}: KPI table revenue change on {y}", *got)
        if ("net_profit", q) in vals and ("net_profit", y) in vals:
            (a, ta), (b, tb) = vals[("net_profit", q)], vals[("net_profit", y)]
            obs.add(f"net_profit_change_vs_{y}", q, f"{nb}: KPI table net profit {q} - {y}", a - b, ta + tb)


def _segmentation_tables(obs: Observations, tables: list[dict], nb: str) -> None:
    for t in tables:
        head = t["header"]
        if head[:3] == ["Measure", "Class", "Customers"]:
            obs.tables_read.add((nb, "Measure"))
            measure, total = None, {}
            for row in t["rows"]:
                measure = MEASURE_ROWS.get(row[0], measure) if row[0] else measure
                n = _cells(t, row, "Customers")
                if measure == "revenue" and n:
                    obs.add(f"class_{row[1].lower()}_customers", obs.quarter, f"{nb}: ABC table revenue {row[1]}", *n)
                    total[row[1]] = n[0]
                if row[1] == "A":
                    obs.add(
                        f"customers_making_share_{measure}",
                        obs.quarter,
                        f"{nb}: ABC table {measure} A share",
                        *_cells(t, row, "Share of customers"),
                    )
            if total:
                obs.add("active_customers", obs.quarter, f"{nb}: ABC table revenue A + B + C", sum(total.values()))
        elif head and head[0] == "Last quarter \\ this quarter" and set(head[1:]) <= set(CLASS_LABELS) and {"A", "B", "C"} & set(head[1:]):
            obs.tables_read.add((nb, head[0]))
            for row in t["rows"]:
                for col, cell in zip(head[1:], row[1:], strict=True):
                    got = number(cell) or (0.0, 0.0)
                    obs.add(f"abc_migration_{CLASS_LABELS[row[0]]}_{CLASS_LABELS[col]}", obs.quarter, f"{nb}: ABC migration", *got)


def _pareto_tables(obs: Observations, tables: list[dict], nb: str) -> None:
    for t in tables:
        head = t["header"]
        if head[:2] == ["Measure", "Customers below zero"]:
            obs.tables_read.add((nb, "Measure"))
            m = re.match(r"Over the ([\d,]+) customers? who ordered in (\S+)\.", t["caption"])
            if m:
                obs.add("active_customers", m.group(2), f"{nb}: concentration caption", float(m.group(1).replace(",", "")))
            share = next((h for h in head if h.startswith("Customers making ")), None)
            gross_only = "net profit here is gross profit" in t["caption"]
            for row in t["rows"]:
                measure = MEASURE_ROWS.get(row[0])
                if measure and share and share == "Customers making 80%" and not (gross_only and measure == "net_profit"):
                    obs.add(
                        f"customers_making_share_{measure}",
                        obs.quarter,
                        f"{nb}: concentration {row[0]}",
                        *(_cells(t, row, share) or (None, 0)),
                    )
        elif head[:2] == ["Revenue tier", "Customers"]:
            obs.tables_read.add((nb, "Revenue tier"))
            growth = next((h for h in head if h.startswith("Revenue growth vs ")), None)
            for row in t["rows"]:
                if row[0] in ("A", "B", "C"):
                    obs.add(
                        f"class_{row[0].lower()}_customers",
                        obs.quarter,
                        f"{nb}: {'resources' if growth else 'loss-makers'} table tier {row[0]}",
                        *_cells(t, row, "Customers"),
                    )
                elif row[0] == "All" and growth:
                    for header, measure in (("Cost to serve", "cost_to_serve"), ("Net profit", "net_profit")):
                        obs.add(measure, obs.quarter, f"{nb}: resources table All {header}", *(_cells(t, row, header) or (None, 0)))
                    base = growth.removeprefix("Revenue growth vs ")
                    obs.add(
                        f"revenue_change_vs_{base}",
                        obs.quarter,
                        f"{nb}: resources table All growth",
                        *(_cells(t, row, growth) or (None, 0)),
                    )
        elif head[:3] and head[0].startswith("Tier in ") and head[2] == "Move":
            obs.tables_read.add((nb, "Tier in {previous}"))
            left = 0.0
            for row in t["rows"]:
                n = number(row[3])
                obs.add(
                    f"abc_migration_{CLASS_LABELS.get(row[0], row[0])}_{CLASS_LABELS.get(row[1], row[1])}",
                    obs.quarter,
                    f"{nb}: tier migration",
                    *n,
                )
                left += n[0] if row[2] == "Left" else 0.0
            obs.add("lost_customers", obs.quarter, f"{nb}: tier migration, left", left)


def _development_tables(obs: Observations, tables: list[dict], nb: str) -> None:
    for t in tables:
        head = t["header"]
        if not head or head[0] != "Quarter" or "Existing customers' revenue" not in head:
            continue
        obs.tables_read.add((nb, "Quarter"))
        for row in t["rows"]:
            q = row[0]
            obs.add(
                "existing_revenue", q, f"{nb}: KPI table existing revenue", *(_cells(t, row, "Existing customers' revenue") or (None, 0))
            )
            obs.add("existing_share_revenue", q, f"{nb}: KPI table share", *(_cells(t, row, "Share of revenue") or (None, 0)))
            obs.add("new_customers", q, f"{nb}: KPI table new customers", *(_cells(t, row, "New customers") or (None, 0)))
            e, n = _cells(t, row, "Existing customers' profit"), _cells(t, row, "New customers' profit")
            if e and n and "no service costs" not in t["caption"]:
                obs.add("net_profit", q, f"{nb}: KPI table existing + new profit", e[0] + n[0], e[1] + n[1])
            d, a = (
                _cells(t, row, "Profit change of the customers of a year earlier"),
                _cells(t, row, "Profit added by the customers won in the year"),
            )
            if d and a and "no service costs" not in t["caption"]:
                base = str(_shift(q, -4))
                obs.add(f"net_profit_change_vs_{base}", q, f"{nb}: KPI table development + acquisition", d[0] + a[0], d[1] + a[1])


def _shift(quarter: str, n: int) -> str:
    y, k = int(quarter[:4]), int(quarter[-1]) - 1 + n
    return f"{y + k // 4}Q{k % 4 + 1}"


def region_observations(folder: Path) -> Observations:
    """Everything the five reports of one region folder show of the shared measures."""
    quarter = folder.parent.name
    obs = Observations(quarter)
    readers = {
        "00_overview_region": _overview_tables,
        "01_segment_customers": _segmentation_tables,
        "02_diagnose_pareto": _pareto_tables,
        "03_forecast_development": _development_tables,
    }
    for nb in NOTEBOOKS:
        path = folder / f"{nb}.ipynb"
        if not path.is_file():
            continue
        rows, tables = published(path)
        _headlines(obs, nb, rows, _shift(quarter, -1))
        if nb in readers:
            readers[nb](obs, tables, nb)
    return obs


def check_folder(out: Path) -> tuple[list[str], dict]:
    """Disagreements and unknown headline figures of every region under ``out`` (a rendered quarter), and what was read."""
    problems, read = [], {}
    for folder in sorted(p for p in out.iterdir() if p.is_dir() and any(p.glob("*.ipynb"))):
        obs = region_observations(folder)
        problems += [f"{folder.name}: {d}" for d in obs.disagreements() + obs.unknown]
        read[folder.name] = obs
    return problems, read


# --------------------------------------------------------------------------- the tests


def _render(data: Path, out: Path, *extra: str) -> Path:
    cmd = [sys.executable, "-m", "custlib.cli", "render", "--data", str(data), "--out", str(out), "--quiet", *extra]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (quarter,) = [p for p in out.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}Q[1-4]", p.name)]
    return quarter


@pytest.fixture(scope="module")
def sample_reports(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cross")
    data = root / "sample"
    subprocess.run([sys.executable, "-m", "custlib.cli", "sample-data", "--out", str(data)], cwd=ROOT, check=True, capture_output=True)
    return _render(data, root / "reports")


@pytest.fixture(scope="module")
def retail_reports(tmp_path_factory) -> Path:
    if not ONLINE_RETAIL.is_file():
        pytest.skip(f"{ONLINE_RETAIL} not found (set CUSTLIB_ONLINE_RETAIL to the published excerpt)")
    root = tmp_path_factory.mktemp("cross_or")
    folder = root / "online-retail"
    folder.mkdir()
    (folder / ONLINE_RETAIL.name).symlink_to(ONLINE_RETAIL)
    shutil.copy(ROOT / "examples" / "online-retail" / "source.yaml", folder / "source.yaml")
    # the excerpt (2010-12-01 to 2011-02-28) holds no complete quarter, so `latest` is refused: name the quarter
    return _render(folder, root / "reports", "--quarter", "2011Q1")


@pytest.mark.slow
@pytest.mark.e2e
def test_every_shared_measure_has_one_value_in_every_sample_region(sample_reports):
    problems, read = check_folder(sample_reports)
    assert len(read) == 6 and not problems, "\n".join(problems)
    east = read["east"]
    assert set(TABLES) <= east.tables_read, f"tables not found: {set(TABLES) - east.tables_read}"
    # the measures the issue found disagreeing are all compared, each in more than one report
    shared = east.shared()
    for m in ("active_customers", "net_profit", "customers_making_share_revenue", "class_a_customers", "lost_customers", "cost_to_serve"):
        assert m in shared, m
    assert any(m.startswith("revenue_change_vs_") for m in shared) and any(m.startswith("abc_migration_") for m in shared)


def retail_customers_who_ordered() -> dict[str, int]:
    """Plain pandas on the published file: each country's customers who placed an order (no credit note, InvoiceNo
    starting with C; no line without a CustomerID), a customer's country being its most frequent one (ties: the later
    line's), as the example's mapping derives it. The excerpt (2010-12-01 to 2011-02-28) lies inside the four quarters
    up to 2011Q1."""
    import pandas as pd

    raw = pd.read_csv(ONLINE_RETAIL, dtype={"InvoiceNo": str, "StockCode": str})
    raw = raw.loc[raw["CustomerID"].notna()].reset_index(drop=True)
    per = raw.groupby(["CustomerID", "Country"]).agg(n=("Country", "size"), last=("Country", lambda s: s.index.max())).reset_index()
    home = per.sort_values(["CustomerID", "n", "last"]).groupby("CustomerID").tail(1).set_index("CustomerID")["Country"]
    orders = raw.loc[~raw["InvoiceNo"].str.startswith("C")]
    return orders.assign(country=orders["CustomerID"].map(home)).groupby("country")["CustomerID"].nunique().to_dict()


@pytest.mark.slow
@pytest.mark.e2e
def test_online_retail_reports_the_countries_with_20_customers_who_ordered_and_pools_the_rest(retail_reports):
    import re

    counts = retail_customers_who_ordered()
    big = sorted(c for c, n in counts.items() if n >= 20)
    small = sorted((c for c, n in counts.items() if n < 20), key=str.casefold)
    assert len(counts) == 29 and len(big) == 3  # 29 countries; the United Kingdom, Germany and France keep their reports
    folders = sorted(p.name for p in retail_reports.iterdir() if p.is_dir())
    assert folders == sorted([*(c.lower().replace(" ", "-") for c in big), "other-regions"])
    index = (retail_reports / "index.html").read_text(encoding="utf-8")
    members = ", ".join(f"{c} ({counts[c]})" for c in small)
    why = f"Other regions holds {len(small)} regions with fewer than 20 customers who ordered in 2010Q2 to 2011Q1: {members}."
    assert f"Pooled into one report: {why}" in index
    assert why in (retail_reports / "other-regions" / "00_overview_region.html").read_text(encoding="utf-8")
    rollup = (retail_reports / "rollup.html").read_text(encoding="utf-8")
    assert re.findall(r"<tr(?: class=\"company\")?><th>(.*?)</th><td>", rollup)[:5] == ["Company", *sorted(big), "Other regions"]


@pytest.mark.slow
@pytest.mark.e2e
def test_every_shared_measure_has_one_value_in_every_online_retail_country(retail_reports):
    problems, read = check_folder(retail_reports)
    assert len(read) == 4 and not problems, "\n".join(problems)  # three countries and the pool of the other 26
    uk = read["united-kingdom"]
    assert {"active_customers", "customers_making_share_revenue", "revenue"} <= uk.shared()  # no cost: no profit figures


def test_the_list_knows_every_headline_figure_a_report_can_publish():
    """The figures of every report's headline function, in each of its variants (net or gross profit, another share)."""
    import pandas as pd

    from custlib.reports import development, makebuy, overview, pareto, segmentation

    nan = float("nan")
    kpis = pd.DataFrame({"q": [nan], "p": [nan]}, index=["net_profit"])
    frames = {
        "00_overview_region": [overview.headline_figures(None, None, None), overview.headline_figures(kpis, None, None)],
        "01_segment_customers": [segmentation.headline_figures(None, None, None, None, None, None)],
        "02_diagnose_pareto": [pareto.headline_figures(None), pareto.headline_figures(None, share=0.7)],
        "03_forecast_development": [development.headline_figures()],
        "04_compare_make_vs_buy": [makebuy.headline_figures(None)],
    }
    net = pd.DataFrame({"revenue": [1.0, 2.0], "net_profit": [1.0, 1.0]})
    net.attrs["net_profit_includes_cost_to_serve"] = False
    frames["02_diagnose_pareto"].append(pareto.headline_figures(net))
    labels = {(nb, f) for nb, fs in frames.items() for frame in fs for f in frame["figure"]}
    assert labels <= set(HEADLINES), sorted(labels - set(HEADLINES))
    assert {m for m in HEADLINES.values() if m} <= MEASURES


def test_the_roll_up_gives_a_company_figure_to_every_headline_that_is_a_shared_measure_and_to_no_other():
    """The roll-up's company row (custlib.run.company) maps headlines to measures as this test's own list does."""
    from custlib.run.company import FIGURE_MEASURES

    assert FIGURE_MEASURES == {k: m for k, m in HEADLINES.items() if m}


def test_reading_a_report_catches_a_measure_shown_two_ways():
    """The checker itself: two reports showing 17.3% and 20.1% for customers making 80% of revenue disagree;
    17.3% and 0.17345 agree (half a unit of the digit shown)."""
    obs = Observations("2026Q3")
    obs.add("customers_making_share_revenue", "2026Q3", "02_diagnose_pareto: headline", 0.17345, 1e-6)
    obs.add("customers_making_share_revenue", "2026Q3", "02_diagnose_pareto: table", *number("17.3%"))
    assert obs.disagreements() == []
    obs.add("customers_making_share_revenue", "2026Q3", "01_segment_customers: ABC table", *number("20.1%"))
    assert len(obs.disagreements()) == 2 and "01_segment_customers" in obs.disagreements()[0]
    assert number("CN¥34,535,881") == (34535881.0, 0.5) and number("-£1,234.5") == (-1234.5, 0.05) and number("–") is None
    assert number("+0.9 pt") == pytest.approx((0.009, 0.0005)) and number("-11.8%") == pytest.approx((-0.118, 0.0005))


if __name__ == "__main__":  # list the disagreements of a rendered quarter folder
    found, seen = check_folder(Path(sys.argv[1]))
    for region, o in seen.items():
        print(f"{region}: {len(o.seen)} (measure, quarter) pairs, shared: {', '.join(sorted(o.shared()))}")
    print("\n".join(found) or "no disagreement")
    sys.exit(1 if found else 0)


# --------------------------------------------------------------------------- action lists


#: The advice sentences that count customers to act on -> the list of the action workbook that names them (English).
ACTION_SENTENCES = {
    "lapsed": r"Call the ([\d,]+) customers? who ordered in \d{4}Q\d but not in",
    "largest": r"The ([\d,]+) largest customers bring",
    "at_risk": r"Visit the ([\d,]+) valuable customers? at risk",
    "moved_down": r"Ask the ([\d,]+) valuable customers? who moved down a tier",
    "to_grow": r"Offer more to the ([\d,]+) customers? to grow",
    "watch": r"Visit the ([\d,]+) customers? on the watch list",
    "campaign": r"(?:Run the development campaign on the|the plan contacts) ([\d,]+) customers?\b",
    "winback": r"Call the ([\d,]+) lapsed customers? worth winning back",
    "loss_a": r"Review prices, payment terms and service levels of the ([\d,]+) customers? in tier A",
    "loss_bc": r"(?:Cut the cost to serve|Check the prices) of the ([\d,]+) customers? in tiers B and C",
    "served": r"([\d,]+) customers? cost \S+ to serve this quarter without ordering",
    "returned": r"([\d,]+) customers? returned more goods than",
    "tier_down": r"Ask the ([\d,]+) customers? who moved down a revenue tier",
}


def action_counts(folder: Path) -> dict[str, set[int]]:
    """Every count an action sentence of a region's reports states, by list (from the HTML, tags and escapes removed)."""
    import html as html_lib

    found: dict[str, set[int]] = defaultdict(set)
    for page in sorted(folder.glob("*.html")):
        text = html_lib.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")))
        text = re.sub(r"\s+", " ", text)
        for key, pattern in ACTION_SENTENCES.items():
            for m in re.finditer(pattern, text):
                found[key].add(int(m.group(1).replace(",", "")))
    return found


@pytest.mark.slow
@pytest.mark.e2e
def test_every_action_sentence_counts_the_rows_of_its_list_in_the_action_workbook_and_table(sample_reports):
    """Done when of issue 16's action lists: the count of each call / visit / offer sentence is the row count of its sheet
    in ``actions.xlsx`` (read with python-calamine) and of its rows in ``actions.csv``; the index links both files."""
    import csv

    from python_calamine import CalamineWorkbook

    sheets = {
        "lapsed": "Stopped ordering",
        "largest": "Largest customers",
        "at_risk": "Valuable at risk",
        "moved_down": "Moved down a tier",
        "to_grow": "To grow",
    }
    sheets |= {"watch": "Watch list", "winback": "Win-back", "campaign": "Campaign targets"}
    sheets |= {"loss_a": "Tier A losing money", "loss_bc": "Tiers B, C losing money", "served": "Served, no order"}
    sheets |= {"returned": "Returned goods", "tier_down": "Down a revenue tier"}
    checked = defaultdict(int)
    index = (sample_reports / "index.html").read_text(encoding="utf-8")
    for folder in sorted(p for p in sample_reports.iterdir() if p.is_dir()):
        book = CalamineWorkbook.from_path(str(folder / "actions.xlsx"))
        with open(folder / "actions.csv", encoding="utf-8-sig", newline="") as fh:
            csv_rows = defaultdict(int)
            for row in csv.DictReader(fh):
                csv_rows[row["list"]] += 1
        assert f'href="{folder.name}/actions.xlsx"' in index and f'href="{folder.name}/actions.csv"' in index
        for key, counts in action_counts(folder).items():
            rows = len(book.get_sheet_by_name(sheets[key]).to_python()) - 1  # less the header
            assert counts == {rows}, f"{folder.name}: {key}: sentences say {sorted(counts)}, the workbook has {rows} rows"
            assert csv_rows[key] == rows, f"{folder.name}: {key}: the csv has {csv_rows[key]} rows, the workbook {rows}"
            checked[key] += 1
    # every list's sentence was read in some region (the sample plants customers for each)
    assert set(checked) >= {"lapsed", "at_risk", "to_grow", "watch", "campaign"}, dict(checked)
