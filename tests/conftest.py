"""Shared fixtures: a tiny, hand-sized dataset written in any format."""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent


def tiny_tables(n_per_region: int = 8, regions=("East", "North"), seed: int = 7) -> dict[str, pd.DataFrame]:
    """Customers and two years of monthly orders (2024-01..2025-12), deterministic."""
    rng = np.random.default_rng(seed)
    cust = []
    for r in regions:
        for i in range(n_per_region):
            cust.append(
                {
                    "customer_id": f"{r[0]}{i:03d}",
                    "name": f"{r} Customer {i}",
                    "region": r,
                    "industry": ["machinery", "retail"][i % 2],
                    "size_band": ["small", "medium", "large"][i % 3],
                    "market_type": ["producer", "reseller", "government"][i % 3],
                    "wallet_estimate": 100000.0 + 1000 * i,
                }
            )
    customers = pd.DataFrame(cust)
    rows = []
    months = pd.date_range("2024-01-01", "2025-12-01", freq="MS")
    k = 0
    for c in customers.itertuples():
        for m in months:
            if rng.random() < 0.7:
                k += 1
                qty = int(rng.integers(1, 20))
                price = 10.0 + int(c.customer_id[1:]) * 5
                rows.append(
                    {
                        "order_id": f"O{k:05d}",
                        "customer_id": c.customer_id,
                        "order_date": (m + pd.Timedelta(days=int(rng.integers(0, 27)))).date(),
                        "product_id": f"P{int(rng.integers(1, 6))}",
                        "category": "Fasteners",
                        "quantity": float(qty),
                        "revenue": qty * price,
                        "cost": qty * price * 0.6,
                    }
                )
    tx = pd.DataFrame(rows)
    # make the last order fall on the last day so 2025Q4 is complete
    tx.loc[tx.index[-1], "order_date"] = pd.Timestamp("2025-12-31").date()
    return {"customers": customers, "transactions": tx}


def numeric_id_tables() -> dict[str, pd.DataFrame]:
    """:func:`tiny_tables` with numeric customer ids, as many CRM exports number them.

    East's customers are 31000..31007 and North's 42000..42007; order ids embed the customer's id
    (``"42003-0017"``) and so do the offers' ids (``"42003/2"``: two offers per customer in 2025).
    """
    tables = tiny_tables()
    base = {"E": 31000, "N": 42000}
    ids = {c: str(base[c[0]] + int(c[1:])) for c in tables["customers"]["customer_id"]}
    customers = tables["customers"].assign(customer_id=tables["customers"]["customer_id"].map(ids))
    tx = tables["transactions"].assign(customer_id=tables["transactions"]["customer_id"].map(ids))
    tx["order_id"] = tx["customer_id"] + "-" + tx["order_id"].str[1:].str[-4:]
    offers = []
    for i, cid in enumerate(customers["customer_id"]):
        for n in (1, 2):
            responded = (i + n) % 3 == 0
            offers.append(
                {
                    "offer_id": f"{cid}/{n}",
                    "customer_id": cid,
                    "offer_date": pd.Timestamp(f"2025-0{3 * n}-1{n}").date(),
                    "product_id": "P2",
                    "channel": ["visit", "phone"][n - 1],
                    "contact_cost": 40.0 * n,
                    "responded": responded,
                    "response_revenue": 300.0 if responded else None,
                }
            )
    return {"customers": customers, "transactions": tx, "offers": pd.DataFrame(offers)}


def write_tables(tables: dict[str, pd.DataFrame], folder: Path, fmt: str = "csv", encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        if fmt == "csv":
            frame.to_csv(folder / f"{name}.csv", index=False, encoding=encoding)
        elif fmt == "parquet":
            frame.to_parquet(folder / f"{name}.parquet", index=False)
        elif fmt == "xlsx":
            frame.to_excel(folder / f"{name}.xlsx", index=False)
    return folder


@pytest.fixture
def tiny(tmp_path) -> Path:
    """A valid two-region dataset as CSV files in a temporary folder."""
    return write_tables(tiny_tables(), tmp_path / "data")


def write_notebook(path: Path, *cells: str) -> Path:
    """A report notebook for tests: the parameters cell (data, region, quarter, settings), then ``cells``."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('data = ""\nregion = ""\nquarter = ""\nsettings = {}')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(c) for c in cells)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return Path(path)


@pytest.fixture
def blas_threads():
    """BLAS on two threads during the test, so that a limit to one shows; yields a function giving the current BLAS thread counts."""
    from threadpoolctl import threadpool_info, threadpool_limits

    with threadpool_limits(limits=2, user_api="blas"):
        yield lambda: sorted({p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"})
