"""Source mappings (custlib/io/mapping.py): real exports read through source.yaml.

The Online Retail figures are computed here again with plain pandas from the file as
published, and a few were checked by hand (see the hard-coded numbers).
"""

import datetime as dt
import gzip
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, tiny_tables, write_tables

from custlib.exceptions import DataError
from custlib.io.data import Source
from custlib.io.mapping import EXCLUSIONS_FILE, exclusions, load_mapping, write_exclusions
from custlib.io.validate import validate_source

TODAY = dt.date(2026, 11, 24)
ONLINE_RETAIL = Path(os.environ.get("CUSTLIB_ONLINE_RETAIL", "/work/shared/data/online-retail/online_retail_2010-12_2011-02.csv.gz"))
CDNOW_MASTER = ROOT / "data" / "cdnow" / "CDNOW_master.txt"  # make data-cdnow (a dependency of make test)
EXAMPLES = ROOT / "examples"


def _folder(tmp_path, example: str, raw: Path) -> Path:
    folder = tmp_path / example
    folder.mkdir()
    (folder / raw.name).symlink_to(raw)
    shutil.copy(EXAMPLES / example / "source.yaml", folder / "source.yaml")
    return folder


# --------------------------------------------------------------------------- Online Retail


@pytest.fixture(scope="module")
def online_retail(tmp_path_factory):
    if not ONLINE_RETAIL.is_file():
        pytest.skip(f"{ONLINE_RETAIL} not found (set CUSTLIB_ONLINE_RETAIL to the published excerpt)")
    folder = _folder(tmp_path_factory.mktemp("or"), "online-retail", ONLINE_RETAIL)
    con, source, res = validate_source(folder, today=TODAY)
    raw = pd.read_csv(ONLINE_RETAIL, dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": str})
    raw["revenue"] = raw["Quantity"] * raw["UnitPrice"]
    yield con, source, res, raw
    con.close()


def _expected_region(known: pd.DataFrame) -> pd.Series:
    """Each customer's most frequent Country (ties: the country of the later line), by hand."""
    k = known.reset_index(drop=True).assign(line=lambda f: f.index)
    g = k.groupby(["CustomerID", "Country"]).agg(n=("line", "size"), last=("line", "max")).reset_index()
    g = g.sort_values(["CustomerID", "n", "last"], ascending=[True, False, False])
    return g.drop_duplicates("CustomerID").set_index("CustomerID")["Country"]


def test_online_retail_lines_without_customer_are_excluded_with_count_and_revenue_share(online_retail):
    _con, source, _res, raw = online_retail
    missing = raw["CustomerID"].isna()
    rec = exclusions(source)["missing_customer_id"]
    assert rec["lines"] == missing.sum() == 36_210  # by hand: zcat | awk -F, '$7==""' | wc -l
    assert rec["revenue"] == pytest.approx(raw.loc[missing, "revenue"].sum())
    assert rec["revenue"] == pytest.approx(340_795.38, abs=0.01)
    assert rec["revenue_share"] == pytest.approx(raw.loc[missing, "revenue"].sum() / raw["revenue"].sum())
    assert rec["revenue_share"] == pytest.approx(0.18860, abs=5e-6)
    assert exclusions(source)["lines_read"] == len(raw) == 105_335


def test_online_retail_revenue_is_net_of_credit_notes(online_retail):
    con, _source, _res, raw = online_retail
    known = raw[raw["CustomerID"].notna()]
    credit = known["InvoiceNo"].str.startswith("C")
    net, credit_rev, n_credit = con.execute(
        "SELECT sum(revenue), sum(revenue) FILTER (WHERE is_credit_note), count(DISTINCT order_id) FILTER (WHERE is_credit_note) FROM transactions"
    ).fetchall()[0]
    assert net == pytest.approx(known["revenue"].sum())
    assert net == pytest.approx(1_466_224.55, abs=0.01)
    assert credit_rev == pytest.approx(known.loc[credit, "revenue"].sum())
    assert credit_rev == pytest.approx(-123_071.73, abs=0.01)
    assert n_credit == known.loc[credit, "InvoiceNo"].nunique()


def test_online_retail_orders_per_country_and_month_exclude_credit_notes(online_retail):
    con, _source, _res, raw = online_retail
    known = raw[raw["CustomerID"].notna()].copy()
    known["region"] = known["CustomerID"].str.removesuffix(".0").map(_expected_region(known).rename(lambda c: c.removesuffix(".0")))
    orders = known[~known["InvoiceNo"].str.startswith("C")]
    expected = orders.groupby([orders["region"], orders["InvoiceDate"].str[:7].rename("month")])["InvoiceNo"].nunique().rename("orders")
    got = con.execute(
        "SELECT c.region, strftime(t.order_date, '%Y-%m') AS month, count(DISTINCT t.order_id) AS orders "
        "FROM transactions t JOIN customers c USING (customer_id) WHERE NOT t.is_credit_note GROUP BY ALL"
    ).df()
    got = got.set_index(["region", "month"])["orders"].sort_index()
    pd.testing.assert_series_equal(got, expected.sort_index(), check_dtype=False)
    assert got.loc[("United Kingdom", "2010-12")] == 1291  # checked by hand
    assert got.loc[("Germany", "2011-01")] == 31


def test_online_retail_customers_per_country(online_retail):
    con, _source, res, raw = online_retail
    known = raw[raw["CustomerID"].notna()]
    expected = _expected_region(known).value_counts().sort_index()
    got = con.execute("SELECT region, count(*) AS n FROM customers GROUP BY 1").df().set_index("region")["n"].sort_index()
    pd.testing.assert_series_equal(got, expected, check_names=False, check_dtype=False)
    assert res.rows["customers"] == known["CustomerID"].nunique() == 1_749
    assert got.loc["Germany"] == 43 and got.loc["United Kingdom"] == 1_572  # two customers (12370, 12431) bought from two countries
    name, market = con.execute("SELECT name, market_type FROM customers WHERE customer_id = '17850'").fetchall()[0]
    assert (name, market) == ("17850", "reseller")


def test_online_retail_duplicate_lines_are_summed_and_non_product_lines_marked(online_retail):
    con, source, _res, raw = online_retail
    known = raw[raw["CustomerID"].notna()]
    keys = known.groupby(["InvoiceNo", "StockCode"])
    assert exclusions(source)["duplicate_lines_merged"] == len(known) - keys.ngroups == 1_772
    assert con.execute("SELECT count(*) FROM transactions").fetchall()[0][0] == keys.ngroups
    post = con.execute("SELECT count(*), bool_and(is_non_product) FROM transactions WHERE product_id = 'POST'").fetchall()[0]
    assert post == (known.loc[known["StockCode"] == "POST", ["InvoiceNo"]].drop_duplicates().shape[0], True)
    # cost is missing, never zero; the source says so
    assert con.execute("SELECT count(cost) FROM transactions").fetchall()[0][0] == 0
    assert source.cost_known is False and source.currency == "GBP"


def test_online_retail_products_from_descriptions(online_retail):
    con, _source, _res, _raw = online_retail
    assert con.execute("SELECT name FROM products WHERE product_id = '85123A'").fetchall() == [("WHITE HANGING HEART T-LIGHT HOLDER",)]


def test_exclusions_are_written_for_reports(online_retail, tmp_path):
    import json

    _con, source, _res, _raw = online_retail
    path = write_exclusions(source, tmp_path)
    assert path.name == EXCLUSIONS_FILE
    assert json.loads(path.read_text())["missing_customer_id"]["lines"] == 36_210


# --------------------------------------------------------------------------- CDNOW


def test_cdnow_master_as_published_validates(tmp_path):
    if not CDNOW_MASTER.is_file():
        pytest.skip(f"{CDNOW_MASTER} not found: run make data-cdnow")
    folder = _folder(tmp_path, "cdnow", CDNOW_MASTER)
    con, source, res = validate_source(folder, rules={"min_date": "1997-01-01"}, today=TODAY)
    raw = pd.read_csv(CDNOW_MASTER, sep=r"\s+", dtype={"customer_id": str, "date": str})
    assert exclusions(source)["lines_read"] == len(raw) == 69_659
    assert res.rows["customers"] == raw["customer_id"].nunique() == 23_570  # Fader & Hardie: 23,570 customers
    assert res.rows["transactions"] == raw.groupby(["customer_id", "date"]).ngroups
    assert con.execute("SELECT sum(revenue) FROM transactions").fetchall()[0][0] == pytest.approx(raw["dollar_value"].sum())
    con.close()


def test_headerless_whitespace_file_with_names_and_order_ids_from_customer_and_date(tmp_path):
    """The committed 1/10 CDNOW sample: no header line, customer ids in two columns."""
    folder = tmp_path / "cd"
    folder.mkdir()
    (folder / "cdnow_sample.txt").write_bytes(gzip.decompress((ROOT / "tests" / "data" / "cdnow_sample.txt.gz").read_bytes()))
    (folder / "source.yaml").write_text(
        """currency: USD
tables:
  transactions:
    file: cdnow_sample.txt
    delimiter: whitespace
    header: false
    names: [master_id, sample_id, date, cds, dollars]
    date_format: "%Y%m%d"
    cost_known: false
    duplicates: sum
    columns:
      order_id: {derive: customer_date}
      customer_id: master_id
      order_date: date
      product_id: {value: CD}
      category: {value: music}
      quantity: cds
      revenue: dollars
  customers:
    from: transactions
    columns: {region: {value: All}, market_type: {value: consumer}}
"""
    )
    con, source, res = validate_source(folder, rules={"min_date": "1997-01-01"}, today=TODAY)
    assert res.rows["customers"] == 2_357
    assert exclusions(source)["lines_read"] == 6_919
    first = con.execute("SELECT order_id, order_date, quantity, revenue, _row FROM transactions ORDER BY _row LIMIT 1").fetchall()[0]
    assert first == ("00004-19970101", dt.date(1997, 1, 1), 2.0, 29.33, 1)  # line 1 of the file: " 00004 0001 19970101  2   29.33"
    con.close()


# --------------------------------------------------------------------------- decimal comma, encodings


def _tiny_export(tmp_path, text: str, encoding: str, mapping: str | None) -> Path:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "orders.csv").write_bytes(text.encode(encoding))
    if mapping is not None:
        (folder / "source.yaml").write_text(mapping)
    return folder


_EXPORT = """Beleg;Kunde;Name;Land;Datum;Artikel;Menge;Betrag
R1;K1;Müller GmbH;Österreich;03.02.2025;A1;2;7424,0
R2;K2;Société Générale;France;04.02.2025;A1;1;1.234,5
"""

_MAPPING = """currency: EUR
encoding: {encoding}
delimiter: ";"
decimal: "{decimal}"
tables:
  transactions:
    file: orders.csv
    date_format: "%d.%m.%Y"
    cost_known: false
    columns: {{order_id: Beleg, customer_id: Kunde, order_date: Datum, product_id: Artikel, category: {{value: x}}, quantity: Menge, revenue: Betrag}}
  customers:
    from: transactions
    columns: {{name: Name, region: Land, market_type: {{value: producer}}}}
"""


def test_decimal_comma_and_latin1_read_right_when_declared(tmp_path):
    folder = _tiny_export(tmp_path, _EXPORT, "latin-1", _MAPPING.format(encoding="latin-1", decimal=","))
    con, source, _ = validate_source(folder, today=TODAY)
    tx = con.execute("SELECT order_id, revenue FROM transactions ORDER BY order_id").fetchall()
    assert tx == [("R1", 7424.0), ("R2", 1234.5)]
    names = con.execute("SELECT name, region FROM customers ORDER BY customer_id").fetchall()
    assert names == [("Müller GmbH", "Österreich"), ("Société Générale", "France")]
    assert source.currency == "EUR"
    con.close()


def test_decimal_comma_without_declaration_is_refused_naming_file_column_row(tmp_path):
    folder = _tiny_export(tmp_path, _EXPORT, "utf-8", _MAPPING.format(encoding="utf-8", decimal="."))
    with pytest.raises(DataError) as info:
        validate_source(folder, today=TODAY)
    msg = str(info.value)
    assert "orders.csv (transactions via source.yaml): column 'Betrag' has 2 value(s) that are not numbers" in msg
    assert "decimal: ','" in msg and "row 2 ('7424,0')" in msg and "row 3 ('1.234,5')" in msg


def test_decimal_comma_in_a_contract_csv_without_mapping_is_refused_not_read_as_thousands(tmp_path):
    tables = tiny_tables(n_per_region=2)
    tables["transactions"]["revenue"] = tables["transactions"]["revenue"].astype(object)
    tables["transactions"].loc[0, "revenue"] = "7424,0"
    tables["transactions"].loc[1, "revenue"] = "7,424.5"  # a thousands separator is still fine
    folder = write_tables(tables, tmp_path / "d")
    with pytest.raises(
        DataError,
        match=r"transactions.csv: column 'revenue' has 1 value\(s\) that are not finite numbers: row 2 \('7424,0'\); a decimal comma must be declared",
    ):
        validate_source(folder, today=TODAY)


def test_decimal_comma_in_a_contract_csv_is_read_when_declared(tmp_path):
    tables = tiny_tables(n_per_region=2)
    tx = tables["transactions"]
    for c in ("quantity", "revenue", "cost"):
        tx[c] = tx[c].map(lambda v: f"{v:.2f}".replace(".", ","))
    tables["customers"]["wallet_estimate"] = tables["customers"]["wallet_estimate"].map(
        lambda v: f"{v:,.1f}".replace(",", " ").replace(".", ",")
    )
    folder = tmp_path / "d"
    folder.mkdir()
    tables["customers"].to_csv(folder / "customers.csv", index=False, sep=";")
    tx.to_csv(folder / "transactions.csv", index=False, sep=";")
    (folder / "source.yaml").write_text('delimiter: ";"\ndecimal: ","\n')
    con, _, _ = validate_source(folder, today=TODAY)
    assert con.execute("SELECT sum(revenue) FROM transactions").fetchall()[0][0] == pytest.approx(
        tiny_tables(n_per_region=2)["transactions"]["revenue"].sum()
    )
    con.close()


def test_latin1_without_declaration_is_refused_with_line_and_byte(tmp_path):
    folder = _tiny_export(tmp_path, _EXPORT, "latin-1", None)
    (folder / "source.yaml").write_text(_MAPPING.format(encoding="utf-8", decimal=","))
    data = _EXPORT.encode("latin-1")
    offset = data.index("ü".encode("latin-1"))
    with pytest.raises(DataError, match=rf"orders.csv: line 2, byte offset {offset} .*b'\\xfc' are not valid utf-8"):
        validate_source(folder, today=TODAY)


# --------------------------------------------------------------------------- the mapping file itself


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tables: {transactions: {file: x.csv, colums: {}}}", "unknown key 'tables.transactions.colums'"),
        ("decimal: ';'", "'decimal' ';' is not one of"),
        ("currency: pounds", "'currency' 'pounds' does not match"),
        ("a: &x [1]\nb: *x", "anchors and aliases (&name, *name) are not allowed"),
        ("tables: {transactions: {file: ../x.csv}}", "'tables.transactions.file'"),
        ("tables: {customers: {from: transactions}}", "needs a tables.transactions entry with a file:"),
        ("tables: {customers: {file: c.csv, from: transactions}}", "has both file: (a raw file) and from: transactions"),
        ("tables: {customers: {columns: {name: Name}}}", "'tables.customers.columns' needs file:"),
        (
            "tables: {transactions: {file: x.csv, cost_known: false, columns: {order_id: a, customer_id: b, order_date: c, product_id: d, "
            "category: e, quantity: f, revenue: {expr: __import__('os')}}}}",
            "only column names, numbers",
        ),
        ("tables: {transactions: {file: x.csv, columns: {order_id: a}}}", "gives no customer_id"),
        ("[1, 2]", "expected a mapping"),
    ],
)
def test_bad_mappings_are_refused_naming_the_key_and_file(tmp_path, text, message):
    path = tmp_path / "source.yaml"
    path.write_text(text)
    with pytest.raises(DataError) as info:
        load_mapping(path)
    assert str(path) in str(info.value) and message in str(info.value), str(info.value)


def test_oversized_mapping_is_refused_before_parsing(tmp_path):
    path = tmp_path / "source.yaml"
    path.write_text("# " + "x" * 300_000)
    with pytest.raises(DataError, match="a source mapping is at most"):
        load_mapping(path)


def test_empty_cost_is_still_refused_when_the_source_does_not_declare_it_unknown(tmp_path):
    tables = tiny_tables(n_per_region=2)
    tables["transactions"].loc[3, "cost"] = None
    with pytest.raises(DataError, match=r"transactions.csv: column 'cost' is empty or NaN in 1 row\(s\): row 5.*cost_known: false"):
        validate_source(write_tables(tables, tmp_path / "d"), today=TODAY)


def test_without_a_mapping_the_contract_stands_and_flags_default_to_false(tiny):
    con, source, _ = validate_source(tiny, today=TODAY)
    assert source.mapping is None and source.currency is None and exclusions(source) == {}
    assert con.execute("SELECT bool_or(is_credit_note), bool_or(is_non_product) FROM transactions").fetchall()[0] == (False, False)
    con.close()


def test_fingerprint_covers_the_mapping(tmp_path):
    folder = _tiny_export(tmp_path, _EXPORT, "latin-1", _MAPPING.format(encoding="latin-1", decimal=","))
    assert set(Source(folder).fingerprint()) == {"orders.csv", "source.yaml"}


def test_an_xlsx_export_with_native_dates_and_float_ids_reads_through_its_mapping(tmp_path):
    """The full Online Retail is published as .xlsx: native dates, CustomerID as a float, a title row above the header."""
    folder = tmp_path / "xl"
    folder.mkdir()
    rows = pd.DataFrame(
        {
            "InvoiceNo": ["536365", "536365", "C536379", "536380"],
            "StockCode": ["85123A", "POST", "85123A", "71053"],
            "Description": ["WHITE HANGING HEART", "POSTAGE", "WHITE HANGING HEART", "WHITE METAL LANTERN"],
            "Quantity": [6, 1, -2, 3],
            "InvoiceDate": pd.to_datetime(["2010-12-01 08:26", "2010-12-01 08:26", "2010-12-01 09:41", "2010-12-02 10:00"]),
            "UnitPrice": [2.55, 18.0, 2.55, 3.39],
            "CustomerID": [17850.0, 17850.0, 17850.0, None],
            "Country": ["United Kingdom"] * 4,
        }
    )
    with pd.ExcelWriter(folder / "Online Retail.xlsx") as xw:
        pd.DataFrame([["Sales export"]]).to_excel(xw, index=False, header=False)
        rows.to_excel(xw, index=False, startrow=2)
    text = (EXAMPLES / "online-retail" / "source.yaml").read_text().replace("online_retail_2010-12_2011-02.csv.gz", "Online Retail.xlsx")
    (folder / "source.yaml").write_text(text)
    con, source, res = validate_source(folder, today=TODAY)
    got = con.execute(
        "SELECT order_id, customer_id, order_date, revenue, is_credit_note, is_non_product, _row FROM transactions ORDER BY _row"
    ).fetchall()
    assert got == [
        ("536365", "17850", dt.date(2010, 12, 1), pytest.approx(15.3), False, False, 4),
        ("536365", "17850", dt.date(2010, 12, 1), 18.0, False, True, 5),
        ("C536379", "17850", dt.date(2010, 12, 1), pytest.approx(-5.1), True, False, 6),
    ]
    assert exclusions(source)["missing_customer_id"]["lines"] == 1
    assert exclusions(source)["missing_customer_id"]["revenue"] == pytest.approx(10.17)
    con.close()


def test_cli_validate_prints_rows_and_the_excluded_lines_count_and_revenue_share(online_retail, capsys):
    from custlib.cli import main

    _con, source, _res, _raw = online_retail
    assert main(["validate", "--data", str(source.root)]) == 0
    out = capsys.readouterr().out
    assert "valid (customers: 1,749 rows, transactions: 67,353 rows)" in out
    assert "excluded: 36,210 lines without a customer id (34.4% of lines), revenue 340,795.38 GBP (18.9% of net revenue)" in out
    assert "cost: not in the export (cost_known: false)" in out


def test_a_semicolon_csv_beside_a_mapping_that_does_not_declare_it_is_still_named(tmp_path):
    folder = write_tables(tiny_tables(n_per_region=2), tmp_path / "d")
    (folder / "customers.csv").write_text((folder / "customers.csv").read_text().replace(",", ";"))
    (folder / "source.yaml").write_text("currency: CNY\n")
    with pytest.raises(DataError, match=r"customers.csv: the header is not comma-separated \(it looks ';'-separated\)"):
        validate_source(folder, today=TODAY)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_contract_files_without_cost_are_accepted_when_the_mapping_says_cost_is_unknown(tmp_path, fmt):
    """A hand-off package or a prepared export of a source without costs: the contract's own files, cost empty."""
    tables = tiny_tables(n_per_region=2)
    tables["transactions"]["cost"] = None
    folder = write_tables(tables, tmp_path / fmt, fmt)
    if fmt == "csv":  # a CSV export may also leave the column out altogether
        tables["transactions"].drop(columns="cost").to_csv(folder / "transactions.csv", index=False)
    with pytest.raises(DataError, match="column 'cost' is (empty or NaN|missing)"):
        validate_source(folder, today=TODAY)
    (folder / "source.yaml").write_text("tables: {transactions: {cost_known: false}}\n")
    con, source, _ = validate_source(folder, today=TODAY)
    assert source.cost_known is False
    assert con.execute("SELECT count(cost), count(*) FROM transactions").fetchall()[0] == (0, len(tables["transactions"]))
    con.close()


def test_the_readme_documents_every_key_of_the_mapping_schema():
    """The README's "Source mapping" section is the reference: every key the schema accepts is named there."""
    import json
    import re

    from custlib.io.mapping import SCHEMA_FILE

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Source mapping") : readme.index("## Parameters")]
    keys = set(schema["properties"]) | set(schema["properties"]["coverage"]["properties"])
    keys |= set(schema["$defs"]["table"]["properties"]) | set(schema["$defs"]["table"]["properties"]["credit_notes"]["properties"])
    for form in schema["$defs"]["field"]["oneOf"]:
        keys |= set(form.get("properties", {}))
    missing = sorted(k for k in keys if not re.search(rf"[`{{,\s]{re.escape(k)}[`:]", section))  # `key` or key: in an example
    assert not missing, f"README 'Source mapping' does not document: {missing}"
