"""Validate time of the same transactions as .xlsx and as .csv (the issue's 53.6 s against 1.65 s).

    PYTHONPATH=. .venv/bin/python benchmarks/xlsx_vs_csv.py [--lines 396681] [--dir /tmp/xlsx-bench] [--openpyxl]

Writes the sample generator's data cut to ``--lines`` order lines twice into ``--dir`` (not
committed): ``csv/`` with customers.csv + transactions.csv and ``xlsx/`` with customers.csv +
transactions.xlsx (written with openpyxl's write-only mode), then times
``validate_source`` on each (best of ``--repeat``) and prints the ratio. ``--openpyxl`` also
times reading the workbook with pandas' openpyxl engine, the reader used before python-calamine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

import pandas as pd


def make(folder: Path, lines: int) -> None:
    from custlib.io.sample import generate_sample

    gen = folder / "gen"
    if not (gen / "transactions.parquet").is_file():
        generate_sample(gen, customers=max(1000, lines // 24), regions=6, seed=42)
    cust = pd.read_parquet(gen / "customers.parquet")
    tx = pd.read_parquet(gen / "transactions.parquet").head(lines)
    tx["order_date"] = pd.to_datetime(tx["order_date"]).dt.date
    for sub in ("csv", "xlsx"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
        cust.to_csv(folder / sub / "customers.csv", index=False)
    tx.to_csv(folder / "csv" / "transactions.csv", index=False)
    xlsx = folder / "xlsx" / "transactions.xlsx"
    if not xlsx.is_file():
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        ws.append(list(tx.columns))
        for row in tx.itertuples(index=False):
            ws.append(list(row))
        wb.save(xlsx)


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=396_681)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/custlib-xlsx-bench"))
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--openpyxl", action="store_true")
    args = ap.parse_args()
    make(args.dir, args.lines)
    from custlib.io.validate import validate_source

    def run(sub):
        con, _, res = validate_source(args.dir / sub, today=dt.date(2100, 1, 1))
        con.close()
        return res

    n = run("csv").rows["transactions"]
    out = {"lines": n}
    wall = {"csv": [], "xlsx": []}
    cpu = {"csv": [], "xlsx": []}
    for _ in range(args.repeat):  # interleaved, so that a busy moment on a shared machine hits both
        for sub in ("csv", "xlsx"):
            t0, c0 = time.perf_counter(), time.process_time()
            run(sub)
            wall[sub].append(time.perf_counter() - t0)
            cpu[sub].append(time.process_time() - c0)
    for sub in ("csv", "xlsx"):
        out[f"{sub}_s"] = round(min(wall[sub]), 2)
        out[f"{sub}_cpu_s"] = round(min(cpu[sub]), 2)
    out["ratio"] = round(out["xlsx_s"] / out["csv_s"], 2)
    out["cpu_ratio"] = round(out["xlsx_cpu_s"] / out["csv_cpu_s"], 2)
    if args.openpyxl:
        xlsx = args.dir / "xlsx" / "transactions.xlsx"
        out["openpyxl_read_s"] = round(best(lambda: pd.read_excel(xlsx, engine="openpyxl", dtype=object), 1), 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
