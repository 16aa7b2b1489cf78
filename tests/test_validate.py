"""One test per kind of bad input: each names the file, column and rows."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from conftest import tiny_tables, write_tables

from custlib.exceptions import DataError
from custlib.io.validate import validate_source


def _broken(tmp_path, fmt="csv", **edits):
    tables = tiny_tables(n_per_region=3)
    for name, fn in edits.items():
        tables[name] = fn(tables[name].copy())
    return write_tables(tables, tmp_path / "bad", fmt)


def _expect(folder, *patterns):
    with pytest.raises(DataError) as info:
        validate_source(folder, today=dt.date(2026, 11, 24))
    msg = str(info.value)
    for p in patterns:
        assert p in msg, f"{p!r} not in:\n{msg}"
    return msg


def test_valid_data_passes(tiny):
    con, source, res = validate_source(tiny)
    assert res.ok and res.tables == ["customers", "transactions"]


def test_missing_table(tmp_path):
    folder = write_tables({"customers": tiny_tables()["customers"]}, tmp_path / "d")
    _expect(folder, "table 'transactions' is missing (expected transactions.csv, transactions.xlsx or transactions.parquet)")


def test_missing_column_lists_what_was_found(tmp_path):
    folder = _broken(tmp_path, transactions=lambda t: t.drop(columns=["revenue"]))
    _expect(
        folder,
        "transactions.csv: column 'revenue' is missing (found: order_id, customer_id, order_date, product_id, category, quantity, cost)",
    )


def test_wrong_type_names_column_and_row(tmp_path):
    def bad(t):
        t["quantity"] = t["quantity"].astype(object)
        t.loc[3, "quantity"] = "ten"
        return t

    _expect(
        _broken(tmp_path, transactions=bad), "transactions.csv: column 'quantity' has 1 value(s) that are not finite numbers: row 5 ('ten')"
    )


def test_unparseable_date(tmp_path):
    def bad(t):
        t["order_date"] = t["order_date"].astype(str)
        t.loc[0, "order_date"] = "2024-02-30"
        return t

    _expect(
        _broken(tmp_path, transactions=bad),
        "transactions.csv: column 'order_date' has 1 value(s) that are not dates (expected YYYY-MM-DD): row 2 ('2024-02-30')",
    )


def test_duplicate_keys(tmp_path):
    _expect(
        _broken(tmp_path, customers=lambda c: pd.concat([c, c.iloc[[1]]])), "customers.csv: 1 duplicate key(s) (customer_id): rows 3, 8"
    )


def test_many_duplicate_composite_keys_are_counted_and_the_first_five_quoted(tmp_path):
    """Seven keys repeat (one three times, one only after trimming spaces); the message counts all
    seven and quotes the rows of the five that start first, as grouping the file by hand gives."""
    picks = [3, 10, 4, 20, 15, 30, 7]

    def bad(t):
        extra = t.iloc[picks].copy()
        extra.loc[extra.index[0], "order_id"] = "  " + extra["order_id"].iloc[0] + " "  # the same key once trimmed
        return pd.concat([t, extra, t.iloc[[10]]], ignore_index=True)  # picks[1] appears three times

    folder = _broken(tmp_path, transactions=bad)
    t = pd.read_csv(folder / "transactions.csv", dtype=str, keep_default_na=False)
    t["_row"] = range(2, len(t) + 2)  # file line numbers: the header is line 1
    groups = t.groupby([t["order_id"].str.strip(), t["product_id"].str.strip()])["_row"].agg(list)
    groups = sorted((rows for rows in groups if len(rows) > 1), key=min)
    assert len(groups) == 7 and sorted(len(g) for g in groups) == [2, 2, 2, 2, 2, 2, 3]
    quoted = "; ".join("rows " + ", ".join(map(str, g)) for g in groups[:5])
    _expect(folder, f"transactions.csv: 7 duplicate key(s) (order_id + product_id): {quoted}")


def test_transactions_of_unknown_customers(tmp_path):
    def bad(t):
        t.loc[5, "customer_id"] = "ZZZ"
        return t

    _expect(_broken(tmp_path, transactions=bad), "transactions.csv: 1 row(s) name customers not in customers.csv: row 7 ('ZZZ')")


def test_negative_quantity_that_is_not_a_return(tmp_path):
    def bad(t):
        t.loc[2, "quantity"] = -4.0
        return t

    _expect(_broken(tmp_path, transactions=bad), "transactions.csv: 1 line(s) have negative quantity but positive revenue or cost", "row 4")


def test_returns_with_negative_revenue_and_cost_are_accepted(tmp_path):
    def ret(t):
        t.loc[2, ["quantity", "revenue", "cost"]] = [-4.0, -40.0, -24.0]
        return t

    validate_source(_broken(tmp_path, transactions=ret), today=dt.date(2026, 11, 24))


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_infinite_amounts_in_parquet(tmp_path, value):
    def bad(t):
        t.loc[1, "revenue"] = value
        return t

    _expect(
        _broken(tmp_path, "parquet", transactions=bad),
        "transactions.parquet: column 'revenue' has 1 value(s) that are not finite numbers: row 2",
    )


def test_nan_amount_in_parquet_is_reported_as_empty_or_nan(tmp_path):
    def bad(t):
        t.loc[1, "revenue"] = np.nan
        return t

    _expect(_broken(tmp_path, "parquet", transactions=bad), "transactions.parquet: column 'revenue' is empty or NaN in 1 row(s): row 2")


@pytest.mark.parametrize("text", ["nan", "inf", "-Infinity"])
def test_nan_or_infinite_text_in_csv(tmp_path, text):
    def bad(t):
        t["cost"] = t["cost"].astype(object)
        t.loc[1, "cost"] = text
        return t

    _expect(
        _broken(tmp_path, transactions=bad), f"transactions.csv: column 'cost' has 1 value(s) that are not finite numbers: row 3 ('{text}')"
    )


def test_absurdly_large_amount(tmp_path):
    def bad(t):
        t.loc[1, "revenue"] = 5e13
        return t

    _expect(_broken(tmp_path, transactions=bad), "column 'revenue' has 1 implausibly large value(s)", "validation.max_abs_amount", "row 3")


def test_future_and_too_early_dates(tmp_path):
    def bad(t):
        t["order_date"] = t["order_date"].astype(str)
        t.loc[0, "order_date"] = "2099-01-01"
        t.loc[1, "order_date"] = "1970-01-01"
        return t

    _expect(
        _broken(tmp_path, transactions=bad),
        "column 'order_date' has 1 date(s) in the future (after 2026-11-24): row 2 ('2099-01-01')",
        "column 'order_date' has 1 date(s) before 2000-01-01 (validation.min_date): row 3 ('1970-01-01')",
    )


def test_market_type_outside_the_five(tmp_path):
    def bad(c):
        c.loc[0, "market_type"] = "pirates"
        return c

    _expect(
        _broken(tmp_path, customers=bad),
        "customers.csv: column 'market_type' has 1 value(s) outside consumer, producer, reseller, government, international: row 2 ('pirates')",
    )


def test_empty_required_value(tmp_path):
    def bad(c):
        c.loc[2, "region"] = None
        return c

    _expect(_broken(tmp_path, customers=bad), "customers.csv: column 'region' is empty in 1 row(s): row 4")


def test_empty_file(tmp_path):
    folder = write_tables(tiny_tables(), tmp_path / "d")
    (folder / "transactions.csv").write_bytes(b"")
    _expect(folder, "transactions.csv: the file is empty; expected a header row")


def test_header_only(tmp_path):
    folder = write_tables(tiny_tables(), tmp_path / "d")
    (folder / "transactions.csv").write_text("order_id,customer_id,order_date,product_id,category,quantity,revenue,cost\n")
    _expect(folder, "transactions.csv: the table has a header but no rows")


def test_wrong_delimiter(tmp_path):
    folder = write_tables(tiny_tables(), tmp_path / "d")
    text = (folder / "customers.csv").read_text().replace(",", ";")
    (folder / "customers.csv").write_text(text)
    _expect(folder, "customers.csv: the header is not comma-separated (it looks ';'-separated)")


def test_every_problem_is_reported_at_once(tmp_path):
    def bad(t):
        t.loc[0, "customer_id"] = "ZZZ"
        t.loc[1, "revenue"] = np.nan
        return t

    msg = _expect(_broken(tmp_path, "parquet", transactions=bad), "2 problem(s)")
    assert "empty or NaN" in msg and "not in customers.parquet" in msg


def _regions(tmp_path, names):
    tables = tiny_tables(n_per_region=2, regions=tuple(names))
    return write_tables(tables, tmp_path / "regions", "csv")


@pytest.mark.parametrize("name", ["/", "..", "\U0001f600", "---"])
def test_a_region_that_cannot_name_a_folder_is_refused_with_its_row(tmp_path, name):
    folder = _regions(tmp_path, ["East", name])
    _expect(folder, "customers.csv: region", repr(name), "(first in row 4)", "no letter or digit")


def test_regions_differing_only_in_case_are_refused_naming_both(tmp_path):
    folder = _regions(tmp_path, ["East", "east"])
    _expect(folder, "customers.csv: regions 'East' (row 2), 'east' (row 4) differ only in case", "report folder 'east'")


def test_a_long_region_name_gets_a_short_distinct_folder_name():
    from custlib.io.data import MAX_SLUG_BYTES, slugify

    a, b = "华东" * 100 + " A", "华东" * 100 + " B"  # 602 bytes each in UTF-8, equal for 600
    sa, sb = slugify(a), slugify(b)
    assert len(sa.encode()) <= MAX_SLUG_BYTES and len(sb.encode()) <= MAX_SLUG_BYTES
    assert sa != sb and sa.startswith("华东华东") and slugify(a) == sa
    assert slugify("North East") == "north-east", "short names keep their plain slug"


def _with_service_costs(tmp_path, months):
    tables = tiny_tables(n_per_region=3)
    cid = tables["customers"]["customer_id"].iloc[0]
    tables["service_costs"] = pd.DataFrame({"customer_id": [cid] * len(months), "month": months, "cost_to_serve": [10.0] * len(months)})
    return write_tables(tables, tmp_path / "sc", "csv")


def test_two_service_cost_rows_for_one_customer_and_month_are_duplicates(tmp_path):
    """Issue 17: 2025-01-05 and 2025-01-20 are both January: one key, given twice."""
    folder = _with_service_costs(tmp_path, ["2025-01-05", "2025-01-20", "2025-02-01"])
    _expect(folder, "service_costs.csv: 1 duplicate key(s) (customer_id + month): rows 2, 3")


@pytest.mark.parametrize(("month", "message"), [("1900-01-01", "before 2000-01-01"), ("2031-05-01", "in the future")])
def test_a_service_cost_month_outside_the_data_range_is_refused(tmp_path, month, message):
    folder = _with_service_costs(tmp_path, ["2025-01-01", month])
    _expect(folder, "service_costs.csv: column 'month'", message, "row 3")
