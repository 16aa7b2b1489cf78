"""custlib.io.sheets: formula injection neutralised (OWASP "CSV Injection"), the same bytes for the same tables."""

from __future__ import annotations

import csv
import io
import time

import pandas as pd
import pytest

from custlib.io.sheets import csv_bytes, neutralise, neutralise_frame, read_xlsx, xlsx_bytes

# the OWASP list of characters that start a formula: = + - @ tab carriage return
DANGEROUS = ['=HYPERLINK("http://x","y")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_neutralise_prefixes_a_single_quote_to_each_formula_start(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize(
    "text", ["Acme Ltd", "成都正宏建材股份有限公司", "", "'already quoted", " =not first", "a=b", "C-0001", "2026-05-27"]
)
def test_neutralise_leaves_safe_texts_alone(text):
    assert neutralise(text) == text


@pytest.mark.parametrize("value", [-12.5, -3, 0, 1.0, None, True, pd.Timestamp("2026-01-02"), float("nan")])
def test_neutralise_leaves_numbers_dates_and_missing_values_alone(value):
    out = neutralise(value)
    assert out is value or (out != out and value != value)  # NaN is itself


def test_neutralise_frame_quotes_texts_and_headers_but_not_negative_numbers():
    frame = pd.DataFrame({"name": ["=cmd", "Acme"], "revenue": [-5.0, 7.0], "-note": ["-x", None]})
    out = neutralise_frame(frame)
    assert out["name"].tolist() == ["'=cmd", "Acme"]
    assert out["revenue"].tolist() == [-5.0, 7.0]
    assert out.columns.tolist() == ["name", "revenue", "'-note"]
    assert out["'-note"].tolist()[0] == "'-x" and pd.isna(out["'-note"].tolist()[1])
    assert frame["name"].tolist() == ["=cmd", "Acme"]  # the input is not changed


def _frame():
    return pd.DataFrame(
        {
            "name": DANGEROUS + ["Acme"],
            "revenue": [-1.5, 2.0, 3.0, 4.0, 5.0, 6.0, -7.25],
            "last_order": pd.to_datetime(["2026-01-02"] * 6 + [None]).astype(object),
        }
    )


def test_xlsx_cells_read_back_neutralised_numbers_stay_numbers():
    sheets = read_xlsx(xlsx_bytes({"List": _frame()}, {"List": {"revenue": "money", "last_order": "date"}}))
    rows = sheets["List"]
    assert rows[0] == ["name", "revenue", "last_order"]
    # XML reads a carriage return as a line feed: what matters is the quote in front
    assert [r[0] for r in rows[1:]] == ["'" + t.replace("\r", "\n") for t in DANGEROUS] + ["Acme"]
    assert [r[1] for r in rows[1:]] == [-1.5, 2.0, 3.0, 4.0, 5.0, 6.0, -7.25]  # numbers, a negative one unquoted
    assert str(rows[1][2]) == "2026-01-02"


def test_csv_cells_read_back_neutralised_with_a_bom_for_excel():
    raw = csv_bytes(_frame())
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["name", "revenue", "last_order"]
    assert [r[0] for r in rows[1:]] == ["'" + t for t in DANGEROUS] + ["Acme"]
    assert rows[1][1] == "-1.5" and rows[-1][1] == "-7.25"


def test_the_same_tables_give_the_same_workbook_bytes_at_another_time():
    sheets = {"A": _frame(), "B": _frame().head(2)}
    first = xlsx_bytes(sheets)
    time.sleep(2.1)  # zip member times have a 2-second resolution
    assert xlsx_bytes(sheets) == first
    assert list(read_xlsx(first)) == ["A", "B"]
