"""Loading sources in every format and encoding, and a region's slice."""

import datetime as dt
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import tiny_tables, write_tables

from custlib.exceptions import DataError, ParamsError
from custlib.io.data import Source, load_region, match_regions, slugify
from custlib.io.periods import Quarter
from custlib.io.validate import validate_source


def _load(folder):
    con, source, res = validate_source(folder)
    return con, res


def _east_q4(con):
    return load_region(con, "east", Quarter(2025, 4))


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_each_format_loads_to_the_same_typed_frames(tmp_path, fmt):
    tables = tiny_tables(n_per_region=3)
    con, _ = _load(write_tables(tables, tmp_path / fmt, fmt))
    rd = _east_q4(con)
    expected = tables["transactions"][tables["transactions"].customer_id.str.startswith("E")]
    assert len(rd.transactions) == len(expected)
    assert rd.transactions["revenue"].sum() == pytest.approx(expected["revenue"].sum())
    assert str(rd.transactions["order_date"].dtype).startswith("datetime64")
    assert set(rd.customers["customer_id"]) == {"E000", "E001", "E002"}


def test_mixed_formats_in_one_folder(tmp_path):
    tables = tiny_tables(n_per_region=2)
    folder = tmp_path / "mixed"
    write_tables({"customers": tables["customers"]}, folder, "xlsx")
    write_tables({"transactions": tables["transactions"]}, folder, "parquet")
    con, res = _load(folder)
    assert res.rows == {"customers": 4, "transactions": len(tables["transactions"])}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_utf8_bom_and_chinese_encodings_keeps_chinese_names(tmp_path, encoding):
    """UTF-8 (BOM or not) is read as is; GBK/GB18030 only when source.yaml declares it (nothing is guessed)."""
    tables = tiny_tables(n_per_region=2)
    tables["customers"].loc[0, "name"] = "华东精密机械有限公司"
    folder = write_tables(tables, tmp_path / encoding, "csv", encoding)
    if encoding.startswith("gb"):
        (folder / "source.yaml").write_text(f"encoding: {encoding}\n")
    con, _ = _load(folder)
    rd = _east_q4(con)
    assert "华东精密机械有限公司" in set(rd.customers["name"])
    assert list(rd.customers.columns[:2]) == ["customer_id", "name"]  # no BOM glued to the first header


def test_gbk_csv_without_a_declared_encoding_is_refused_with_line_and_byte(tmp_path):
    tables = tiny_tables(n_per_region=2)
    tables["customers"].loc[0, "name"] = "华东精密机械有限公司"
    folder = write_tables(tables, tmp_path / "gbk", "csv", "gbk")
    line = (folder / "customers.csv").read_bytes()
    offset = next(i for i, b in enumerate(line) if b >= 0x80)
    with pytest.raises(
        DataError, match=rf"customers.csv: line 2, byte offset {offset} .*not valid utf-8.*declare its encoding in source.yaml"
    ):
        _load(folder)


def test_excel_with_a_title_row_above_the_header_loads(tmp_path):
    tables = tiny_tables(n_per_region=2)
    folder = tmp_path / "xl"
    write_tables(tables, folder, "csv")
    (folder / "customers.csv").unlink()
    with pd.ExcelWriter(folder / "customers.xlsx") as xw:
        pd.DataFrame([["Customer list exported 2026-01-05"], [None]]).to_excel(xw, index=False, header=False)
        tables["customers"].to_excel(xw, index=False, startrow=2)
    con, res = _load(folder)
    assert res.rows["customers"] == 4


def test_extra_columns_are_kept_and_ignored(tmp_path):
    tables = tiny_tables(n_per_region=2)
    tables["customers"]["sales_rep"] = "Li Lei"
    con, _ = _load(write_tables(tables, tmp_path / "x", "csv"))
    assert "sales_rep" not in _east_q4(con).customers.columns


def test_region_slice_holds_only_that_region_and_history_to_quarter_end(tiny):
    con, _ = _load(tiny)
    rd = load_region(con, "EAST", Quarter(2024, 2))
    assert set(rd.customers["region"]) == {"East"}
    assert rd.transactions["customer_id"].str.startswith("E").all()
    assert rd.transactions["order_date"].max() <= pd.Timestamp("2024-06-30")
    assert rd.region == "East"
    assert set(rd.peer_quarterly["region"]) == {"East", "North"}


def test_peer_quarterly_gini_matches_the_mean_difference_formula(tmp_path):
    """Gini of revenues [1, 2, 3, 4]: sum|xi-xj| / (2 n^2 mean) = 20 / (2*16*2.5) = 0.25."""
    cust = pd.DataFrame(
        {"customer_id": list("abcd"), "name": list("abcd"), "region": "East", "industry": "x", "size_band": "s", "market_type": "producer"}
    )
    tx = pd.DataFrame(
        {
            "order_id": list("1234"),
            "customer_id": list("abcd"),
            "order_date": [pd.Timestamp("2024-03-31").date()] * 4,
            "product_id": "P",
            "category": "C",
            "quantity": 1.0,
            "revenue": [1.0, 2.0, 3.0, 4.0],
            "cost": 0.0,
        }
    )
    con, _ = _load(write_tables({"customers": cust, "transactions": tx}, tmp_path / "g", "parquet"))
    peers = load_region(con, "East", Quarter(2024, 1)).peer_quarterly
    assert peers.loc[0, "gini_revenue"] == pytest.approx(0.25)
    assert peers.loc[0, "top20_share_revenue"] == pytest.approx(0.4)  # top ceil(0.8)=1 customer: 4/10


def test_match_regions_is_case_insensitive_and_names_unknown_ones():
    assert match_regions(["East", "North"], "east,NORTH") == ["East", "North"]
    assert match_regions(["East", "North"], "all") == ["East", "North"]
    with pytest.raises(ParamsError, match="'Mars' not in the data; known regions: East, North"):
        match_regions(["East", "North"], "east,Mars")


@pytest.mark.parametrize(("name", "slug"), [("North East", "north-east"), ("../../etc", "etc"), ("a/b\\c", "a-b-c"), ("东北", "东北")])
def test_slugify_never_yields_a_path(name, slug):
    assert slugify(name) == slug


def test_slugify_rejects_names_without_letters():
    with pytest.raises(ParamsError):
        slugify("../")


def test_sqlite_source_reads_like_files(tmp_path):
    tables = tiny_tables(n_per_region=3)
    con, _, res = validate_source(_sqlite(tmp_path, tables))
    rd = _east_q4(con)
    assert len(rd.customers) == 3
    assert res.rows["transactions"] == len(tables["transactions"])


def _sqlite(tmp_path, tables) -> str:
    db = tmp_path / "crm.db"
    with sqlite3.connect(db) as conn:
        for name, frame in tables.items():
            out = frame.copy()
            if "order_date" in out:
                out["order_date"] = out["order_date"].astype(str)
            out.to_sql(name, conn, index=False, if_exists="replace")
    return f"sqlite:///{db}"


def _fingerprint(url):
    con, source, _ = validate_source(url)
    con.close()
    return source.fingerprint()


def test_a_database_fingerprint_follows_its_content_not_its_url(tmp_path):
    tables = tiny_tables(n_per_region=3)
    url = _sqlite(tmp_path, tables)
    first = _fingerprint(url)
    assert first["table transactions"].startswith(f"{len(tables['transactions'])} rows, ")
    shuffled = {k: v.sample(frac=1, random_state=1) for k, v in tables.items()}
    assert _fingerprint(_sqlite(tmp_path, shuffled)) == first, "row order is not content"
    changed = {
        **tables,
        "transactions": tables["transactions"].assign(revenue=lambda t: t["revenue"].where(t.index != 0, t["revenue"] * 3)),
    }
    second = _fingerprint(_sqlite(tmp_path, changed))
    assert second["url"] == first["url"]
    assert second["table transactions"] != first["table transactions"]
    assert second["table customers"] == first["table customers"]


def test_a_missing_sqlite_file_is_named_not_created(tmp_path):
    db = tmp_path / "nope.db"
    with pytest.raises(DataError, match="SQLite database file not found"):
        Source(f"sqlite:///{db}")
    assert not db.exists()


def test_directory_that_does_not_exist_is_named(tmp_path):
    with pytest.raises(DataError, match="data directory not found"):
        Source(tmp_path / "nope")


def test_table_given_in_two_formats_is_refused(tmp_path):
    tables = tiny_tables(n_per_region=2)
    folder = write_tables(tables, tmp_path / "two", "csv")
    write_tables({"customers": tables["customers"]}, folder, "parquet")
    with pytest.raises(DataError, match="table 'customers' is given twice"):
        Source(folder)


# --------------------------------------------------------------------------- PostgreSQL


def _pg_bin():
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (d / "postgres").exists():
            return d
    return None


@pytest.fixture(scope="module")
def postgres_url():
    """A throwaway PostgreSQL server on loopback (Debian's postgresql package)."""
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries not found (install Debian's 'postgresql'; .ci/run does)")
    import os
    import socket
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="custlib-pg-"))  # pytest's tmp is private to root; postgres must reach this
    datadir = root / "data"
    run_as = []
    if os.geteuid() == 0:  # postgres refuses to run as root
        shutil.chown(root, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*run_as, str(bindir / "initdb"), "-D", str(datadir), "-A", "trust", "-U", "pg", "--no-sync"], check=True, capture_output=True
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [*run_as, str(bindir / "postgres"), "-D", str(datadir), "-p", str(port), "-h", "127.0.0.1", "-k", str(root), "-F"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"postgresql://pg@127.0.0.1:{port}/postgres"
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    for _ in range(100):
        try:
            with engine.connect():
                break
        except sa.exc.OperationalError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("PostgreSQL did not start")
    yield url, engine
    engine.dispose()
    proc.terminate()
    proc.wait(timeout=20)
    shutil.rmtree(root, ignore_errors=True)


def test_postgresql_source_reads_like_files(postgres_url):
    url, engine = postgres_url
    tables = tiny_tables(n_per_region=3)
    for name, frame in tables.items():
        frame.to_sql(name, engine, index=False, if_exists="replace")
    con, _, res = validate_source(url)
    rd = _east_q4(con)
    assert len(rd.customers) == 3
    assert rd.transactions["revenue"].sum() == pytest.approx(
        tables["transactions"].query("customer_id.str.startswith('E')")["revenue"].sum()
    )


def test_a_zoned_parquet_timestamp_keeps_its_local_date(tmp_path):
    """Issue 17: a timezone-aware Parquet timestamp moved every line a day (and some into another quarter)."""
    tables = tiny_tables(n_per_region=3)
    tx = tables["transactions"].copy()
    tx.loc[tx.index[0], "order_date"] = "2025-12-31"
    local = pd.to_datetime(tx["order_date"]) + pd.Timedelta(minutes=30)  # 00:30 local time, the day before in UTC
    expected = sorted(local.dt.date)
    tables["transactions"] = tx.assign(order_date=local.dt.tz_localize("Asia/Shanghai"))
    folder = write_tables(tables, tmp_path / "zoned", "parquet")
    con, _, res = validate_source(folder)
    got = sorted(d for (d,) in con.execute("SELECT order_date FROM transactions").fetchall())
    assert got == expected
    assert dt.date(2025, 12, 31) in got  # still in 2025Q4, not moved to the 30th (or, in New York time, anywhere else)
