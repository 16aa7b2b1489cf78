"""custlib.run.actions and the index: a region's action files from its executed notebooks, linked from the index."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pandas as pd
import pytest
from conftest import ROOT, tiny_tables, write_tables

from custlib.io.sheets import read_xlsx
from custlib.reports import actions as ra
from custlib.run.actions import write_actions
from custlib.run.pages import index_html


def _notebook(path, lists):
    cell = {"cell_type": "code", "outputs": [{"output_type": "display_data", "data": {ra.ACTIONS_MIME: ra.payload(lists)}}]}
    path.write_text(json.dumps({"cells": [cell]}), encoding="utf-8")
    return path


def _people(ids, region="East"):
    return pd.DataFrame({"customer_id": ids, "name": [f"Name {i}" for i in ids], "region": region})


def test_write_actions_merges_the_reports_lists_into_one_workbook_and_one_table(tmp_path):
    a = _notebook(tmp_path / "03_dev.ipynb", {"watch": _people(["C1", "C2", "C3"])})
    b = _notebook(tmp_path / "00_over.ipynb", {"lapsed": _people(["C4"])})
    out = tmp_path / "out"
    out.mkdir()
    got = write_actions([a, b, tmp_path / "missing.ipynb"], out, "en")
    assert got["rows"] == {"lapsed": 1, "watch": 3}
    sheets = read_xlsx(got["xlsx"])
    assert list(sheets) == ["Stopped ordering", "Watch list"]
    assert [r[0] for r in sheets["Watch list"]] == ["Customer id", "C1", "C2", "C3"]
    rows = list(csv.DictReader(io.StringIO(got["csv"].read_bytes().decode("utf-8-sig"))))
    assert [(r["list"], r["customer_id"]) for r in rows] == [("lapsed", "C4"), ("watch", "C1"), ("watch", "C2"), ("watch", "C3")]
    first = got["xlsx"].read_bytes(), got["csv"].read_bytes()
    write_actions([b, a], out, "en")
    assert (got["xlsx"].read_bytes(), got["csv"].read_bytes()) == first  # same lists, same bytes


def test_write_actions_writes_nothing_without_lists(tmp_path):
    nb = tmp_path / "04_x.ipynb"
    nb.write_text(json.dumps({"cells": []}), encoding="utf-8")
    assert write_actions([nb], tmp_path, "en") is None
    assert not (tmp_path / "actions.xlsx").exists()


def test_index_links_each_regions_action_files_in_its_language():
    actions = {"east": {"region": "East", "xlsx": "east/actions.xlsx", "csv": "east/actions.csv", "rows": {"lapsed": 2, "watch": 3}}}
    page = index_html("2026Q3", [], "2026-10-01T00:00:00", "zh", actions)
    assert '<a href="east/actions.xlsx">行动名单（Excel 工作簿）</a>' in page
    assert '<a href="east/actions.csv">行动名单（CSV 表格）</a>' in page and "华东" in page
    assert "actions.xlsx" not in index_html("2026Q3", [], "2026-10-01T00:00:00", "en")


@pytest.mark.slow
@pytest.mark.e2e
def test_injected_customer_names_are_neutralised_in_the_rendered_workbook_and_table(tmp_path):
    """Customers named like formulas (OWASP CSV injection) stop ordering, so the overview's advice calls them: in both
    action files each name starts with a single quote; the sentence's count is the list's rows (known from the data)."""
    from python_calamine import CalamineWorkbook

    tables = tiny_tables()
    evil = {"E000": '=HYPERLINK("http://x","y")', "E001": "@SUM(1+1)", "E002": "+1+1", "E003": "-2+3"}
    cust, tx = tables["customers"], tables["transactions"]
    cust["name"] = cust["customer_id"].map(evil).fillna(cust["name"])
    dates = pd.to_datetime(tx["order_date"])
    tx = tx.loc[~(tx["customer_id"].isin(evil) & (dates >= "2025-10-01"))]  # they stop after 2025Q3 ...
    q3 = [
        {**tx.iloc[0].to_dict(), "order_id": f"X{i}", "customer_id": c, "order_date": pd.Timestamp("2025-08-15").date()}
        for i, c in enumerate(evil)
    ]
    tables["transactions"] = pd.concat([tx, pd.DataFrame(q3)], ignore_index=True)  # ... having ordered in it
    data = write_tables(tables, tmp_path / "data")
    out = tmp_path / "reports"
    cmd = [sys.executable, "-m", "custlib.cli", "render", "--data", str(data), "--out", str(out), "--regions", "east", "--notebooks", "00"]
    proc = subprocess.run([*cmd, "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    folder = out / "2025Q4" / "east"

    # the known answer, from the tables: East customers with an order in 2025Q3 and none in 2025Q4
    t = tables["transactions"].assign(d=pd.to_datetime(tables["transactions"]["order_date"]))
    east = t.loc[t["customer_id"].str.startswith("E")]
    q3_ids = set(east.loc[(east["d"] >= "2025-07-01") & (east["d"] < "2025-10-01"), "customer_id"])
    q4_ids = set(east.loc[east["d"] >= "2025-10-01", "customer_id"])
    lapsed = q3_ids - q4_ids
    assert set(evil) <= lapsed

    sheet = CalamineWorkbook.from_path(str(folder / "actions.xlsx")).get_sheet_by_name("Stopped ordering").to_python()
    book = {row[0]: row[1] for row in sheet[1:]}
    with open(folder / "actions.csv", encoding="utf-8-sig", newline="") as fh:
        table = {r["customer_id"]: r["name"] for r in csv.DictReader(fh) if r["list"] == "lapsed"}
    assert set(book) == set(table) == lapsed
    for cid, name in evil.items():
        assert book[cid] == table[cid] == "'" + name
    page = (folder / "00_overview_region.html").read_text(encoding="utf-8")
    assert f"Call the {len(lapsed)} customers who ordered in 2025Q3 but not in 2025Q4" in page
    assert '<a href="actions.xlsx">' in page
