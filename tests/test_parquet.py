"""Parquet without pyarrow (custlib.io.parquet), and a report run's reading path with pyarrow made unimportable.

A hand-off installs no pyarrow (issue 17: the install under half the full one); the workbook's environment
has it, so pyarrow's own reading is the independent answer here.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, tiny_tables, write_tables

from custlib.io.parquet import arrow_schema_zones, read_parquet, write_parquet, zoned_columns

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def _zoned_file(path):
    """Columns of every timestamp kind: zoned by pandas, zoned by pyarrow alone, UTC, naive; a date; text; numbers."""
    table = pa.table(
        {
            "order_date": pa.array([0, 86_400_000_000, None], pa.timestamp("us", tz="Asia/Shanghai")),
            "ny": pa.array([1_000, 2_000, 3_000], pa.timestamp("ms", tz="America/New_York")),
            "utc": pa.array([0, 1, 2], pa.timestamp("us", tz="UTC")),
            "naive": pa.array([0, 1, None], pa.timestamp("us")),
            "day": pa.array([dt.date(2025, 12, 31), None, dt.date(2026, 1, 1)], pa.date32()),
            "name": pa.array(["a", None, "上海"]),
            "amount": pa.array([1.5, None, 2.25]),
            "qty": pa.array([1, 2, 3], pa.int64()),
        }
    )
    pq.write_table(table, path)
    return path


def test_the_zones_are_those_pyarrow_reads_from_the_arrow_schema(tmp_path):
    path = _zoned_file(tmp_path / "z.parquet")
    expected = {f.name: f.type.tz for f in pq.read_schema(path) if pa.types.is_timestamp(f.type) and f.type.tz}
    assert expected == {"order_date": "Asia/Shanghai", "ny": "America/New_York", "utc": "UTC"}
    assert zoned_columns(path) == expected
    message = pq.read_schema(path).serialize().to_pybytes()  # an IPC schema message, as ARROW:schema holds it
    assert arrow_schema_zones(message) == expected
    raw = pq.read_metadata(path).metadata[b"ARROW:schema"]
    assert arrow_schema_zones(base64.b64decode(raw)) == expected


def test_a_utc_instant_without_an_arrow_schema_reads_as_utc_as_pyarrow_does(tmp_path):
    import duckdb

    path = str(tmp_path / "d.parquet")
    duckdb.connect().execute(f"COPY (SELECT TIMESTAMPTZ '2025-12-30 16:30:00+00' AS t, 1 AS n) TO '{path}' (FORMAT parquet)")
    assert b"ARROW:schema" not in (pq.read_metadata(path).metadata or {})
    assert zoned_columns(path) == {"t": pq.read_schema(path).field("t").type.tz} == {"t": "UTC"}


def test_read_parquet_gives_what_pandas_with_pyarrow_gives(tmp_path):
    path = _zoned_file(tmp_path / "z.parquet")
    ours, theirs = read_parquet(path), pd.read_parquet(path)
    assert list(ours.columns) == list(theirs.columns)
    for col in theirs.columns:
        assert ours[col].astype("string").tolist() == theirs[col].astype("string").tolist(), col
    assert str(ours["order_date"].dtype.tz) == "Asia/Shanghai" and ours["order_date"].iloc[0].hour == 8
    assert ours["day"].tolist() == [dt.date(2025, 12, 31), None, dt.date(2026, 1, 1)]
    assert read_parquet(path.read_bytes()).astype("string").equals(ours.astype("string"))


def test_write_parquet_reads_back_in_pyarrow_as_the_frame_was(tmp_path):
    frame = pd.DataFrame(
        {
            "customer_id": ["C1", "C2", None],
            "order_date": pd.to_datetime(["2026-01-01 00:30", "2026-03-31 00:00", None]),
            "revenue": [1.5, np.nan, 3.0],
            "qty": np.array([1, 2, 3], dtype="int64"),
            "flag": [True, False, True],
        }
    )
    write_parquet(frame, tmp_path / "f.parquet")
    back = pd.read_parquet(tmp_path / "f.parquet")
    assert list(back.columns) == list(frame.columns)
    assert back["customer_id"].isna().tolist() == [False, False, True]
    assert back["revenue"].isna().tolist() == [False, True, False]
    pd.testing.assert_frame_equal(back.astype("string"), frame.astype("string"))


def test_a_run_reads_every_format_and_packs_with_pyarrow_unimportable(tmp_path):
    """What a hand-off's environment does (no pyarrow): load CSV, Parquet (zoned) and Excel sources, prepare a
    region's slice, read the peer file and search a Parquet member for leaks; the same tables as with pyarrow."""
    tables = tiny_tables(n_per_region=3)
    tx = tables["transactions"].copy()
    tx["order_date"] = (pd.to_datetime(tx["order_date"]) + pd.Timedelta(minutes=30)).dt.tz_localize("Asia/Shanghai")
    for fmt in ("csv", "xlsx"):
        write_tables(tiny_tables(n_per_region=3), tmp_path / fmt, fmt)
    write_tables({**tables, "transactions": tx}, tmp_path / "parquet", "parquet")
    script = textwrap.dedent(
        f"""
        import json, sys
        if sys.argv[1] == "blocked":
            sys.modules["pyarrow"] = None  # import pyarrow raises ImportError, as where it is not installed
        from pathlib import Path
        from custlib.io.data import load_region, peer_quarterly
        from custlib.io.parquet import read_parquet
        from custlib.io.validate import validate_source
        from custlib.handoff.leaks import member_text
        from custlib.run.prepare import prepare_region
        out = {{}}
        for fmt in ("csv", "parquet", "xlsx"):
            con, _, res = validate_source(Path({str(tmp_path)!r}) / fmt)
            out[fmt] = [list(map(str, r)) for r in con.execute("SELECT * FROM transactions ORDER BY order_id, product_id").fetchall()]
            out[fmt + "_customers"] = [list(map(str, r)) for r in con.execute("SELECT * FROM customers ORDER BY customer_id").fetchall()]
        q = __import__("custlib.io.periods", fromlist=["Quarter"]).Quarter.parse("2025Q4")
        dest = Path({str(tmp_path)!r}) / ("slice_" + sys.argv[1])
        prepare_region(con, "North", q, dest, peer_quarterly(con, q.end))
        out["peers"] = read_parquet(dest / "peer_quarterly.parquet").astype("string").values.tolist()
        out["leaks"] = member_text("data/customers.parquet", (dest / "customers.parquet").read_bytes())
        out["pyarrow"] = "pyarrow" in sys.modules and sys.modules["pyarrow"] is not None
        print(json.dumps(out, default=str))
        """
    )
    got = {}
    for mode in ("blocked", "allowed"):
        run = subprocess.run(
            [sys.executable, "-c", script, mode],
            cwd=ROOT,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stderr[-3000:]
        got[mode] = json.loads(run.stdout.splitlines()[-1])
    assert got["blocked"].pop("pyarrow") is False
    got["allowed"].pop("pyarrow")
    assert got["blocked"] == got["allowed"]
    assert len(got["blocked"]["parquet"]) == len(tx)
    assert "North Customer 0" in got["blocked"]["leaks"]
    assert got["blocked"]["csv"] == got["blocked"]["xlsx"]


def test_positions_are_the_same_with_and_without_pyarrow():
    from custlib.analysis.development import common

    keys = pd.Series(["C3", "C1", "C2"], dtype="str")
    values = pd.Series(["C2", "C9", None, "C3", "C1"], dtype="str")
    expected = pd.Index(keys).get_indexer(values)
    assert expected.tolist() == [2, -1, -1, 0, 1]  # by hand
    assert common.positions(keys, values).tolist() == expected.tolist()  # pyarrow's hash table
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(sys.modules, "pyarrow", None)
        assert common.positions(keys, values).tolist() == expected.tolist()  # pandas


def test_scheduler_without_dask_distributed_exits_2_before_anything_runs(tmp_path, monkeypatch, capsys):
    from custlib.cli import main

    monkeypatch.setitem(sys.modules, "distributed", None)
    data = write_tables(tiny_tables(n_per_region=2), tmp_path / "data")
    out = tmp_path / "out"
    rc = main(
        ["render", "--data", str(data), "--params", str(ROOT / "params"), "--out", str(out), "--scheduler", "tcp://127.0.0.1:1", "--quiet"]
    )
    assert rc == 2
    err = capsys.readouterr().err
    assert "--scheduler" in err and "distributed" in err and "leave out --scheduler" in err
    assert not out.exists()


def test_sample_data_without_pyarrow_says_what_to_install(tmp_path, monkeypatch, capsys):
    from custlib.cli import main

    monkeypatch.setitem(sys.modules, "pyarrow", None)
    assert main(["sample-data", "--out", str(tmp_path / "s")]) == 2
    assert "pyarrow" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()
