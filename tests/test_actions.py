"""custlib.reports.actions: whole lists behind the advice, published by the summary, merged into the action workbook."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from custlib.io.periods import Quarter
from custlib.reports import actions as ra
from custlib.reports.context import ReportContext


def _ctx(lang="en"):
    customers = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "name": ["Acme", '=HYPERLINK("http://x","y")', "Beta"]})
    data = SimpleNamespace(customers=customers, transactions=pd.DataFrame({"revenue": [1.0]}))
    return ReportContext("East", Quarter.parse("2026Q3"), {"report": {"lang": lang}}, data=data, lang=lang)


def _lapsed(n=3):
    return pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(1, n + 1)],
            "name": [f"N{i}" for i in range(1, n + 1)],
            "industry": ["Energy"] * n,
            "revenue_previous": [100.0 * i for i in range(1, n + 1)],
            "last_order": pd.to_datetime(["2026-05-27"] * n),
        }
    )


def _parts(lists):
    return ra.payload(lists)["lists"]


def test_overview_list_keeps_every_row_of_the_frame_the_advice_counts():
    lists = ra.overview_lists(_ctx(), _lapsed(40))
    assert list(lists) == ["lapsed"] and len(lists["lapsed"]) == 40  # not the report's top 15
    row = lists["lapsed"].iloc[1]
    assert (row["customer_id"], row["name"], row["region"], row["revenue_previous_quarter"]) == ("C2", "N2", "East", 200.0)
    assert ra.overview_lists(_ctx(), None) == {}  # an unavailable step has no list, as its rule says nothing


def test_workbook_tables_name_sheets_in_the_report_language_and_count_rows():
    parts = _parts(ra.overview_lists(_ctx("zh"), _lapsed(3)))
    sheets, kinds, table, counts = ra.workbook_tables(parts, "zh")
    assert list(sheets) == ["停止购买"] and counts == {"lapsed": 3}
    assert list(sheets["停止购买"].columns[:3]) == ["客户编号", "客户名称", "区域"]
    assert kinds["停止购买"]["上季度销售收入"] == "money" and kinds["停止购买"]["最近一次订单"] == "date"
    assert table["list"].tolist() == ["lapsed"] * 3 and table["last_order"].tolist() == ["2026-05-27"] * 3


def test_workbook_tables_give_amounts_to_the_cent():
    lapsed = _lapsed(2).assign(revenue_previous=[580105.9400000001, -0.125])
    sheets, _, table, _ = ra.workbook_tables(_parts(ra.overview_lists(_ctx(), lapsed)), "en")
    assert table["revenue_previous_quarter"].tolist() == [580105.94, -0.12]  # round half to even at the cent
    assert sheets["Stopped ordering"]["Revenue last quarter"].tolist() == [580105.94, -0.12]


def test_workbook_tables_join_the_next_best_product_to_the_lists_that_offer_something():
    grow = pd.DataFrame({"customer_id": ["C1", "C2"], "name": ["A", "B"], "region": "East"})
    hint = pd.DataFrame({"customer_id": ["C2"], "name": ["B"], "region": "East", "suggested_product": ["P9"], "suggested_because": ["P1"]})
    parts = _parts({"to_grow": grow, "lapsed": grow}) + _parts({ra.SUGGESTIONS: hint}) + _parts({"to_grow": grow.head(1)})
    sheets, _, table, counts = ra.workbook_tables(parts, "en")
    assert list(sheets) == ["Stopped ordering", "To grow"]  # the workbook's order; the suggestions are no sheet
    assert counts == {"lapsed": 2, "to_grow": 2}  # a list seen twice keeps the first
    assert sheets["To grow"]["Next best product"].tolist() == [None, "P9"]
    assert "Next best product" not in sheets["Stopped ordering"].columns
    assert table.columns.tolist()[:2] == ["list", "list_name"]


@pytest.fixture
def shown(monkeypatch):
    import IPython.display

    out = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: out.append(obj))
    return out


def test_summary_publishes_the_lists_and_links_the_workbook_only_when_a_list_has_a_customer(shown):
    figures = pd.DataFrame([{"figure": "Executive summary", "value": 3.0, "previous": 2.0, "unit": "count"}])
    ctx = _ctx()
    ctx.summary(figures, ["Call the 3 customers"], notebook="00_x", lists=ra.overview_lists(ctx, _lapsed(3)))
    ctx.summary(figures, [], notebook="00_x", lists=ra.overview_lists(ctx, _lapsed(0)))
    ctx.summary(figures, [], notebook="00_x")
    first, empty, none = shown
    assert '<a href="actions.xlsx">' in first["text/html"] and '<a href="actions.csv">' in first["text/html"]
    assert len(first[ra.ACTIONS_MIME]["lists"][0]["rows"]) == 3
    assert "actions.xlsx" not in empty["text/html"] and empty[ra.ACTIONS_MIME]["lists"][0]["rows"] == []
    assert ra.ACTIONS_MIME not in none and "actions.xlsx" not in none["text/html"]
    assert ra.parts_of({"cells": [{"outputs": [{"data": first}]}]}) == first[ra.ACTIONS_MIME]["lists"]
