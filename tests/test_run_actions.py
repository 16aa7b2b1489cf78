"""custlib.run.actions and the index: a region's action files from its executed notebooks, linked from the index."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd

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
