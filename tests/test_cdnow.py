"""CDNOW through its source mapping, as a report reads it: Fader, Hardie & Lee's (2005) BG/NBD estimates.

FHL fitted the BG/NBD model on the 1/10 systematic sample of the CDNOW cohort (2,357 customers,
first purchases in 1997Q1), calibration weeks 1-39 (1997-01-01..1997-09-30): r = 0.243,
alpha = 4.414, a = 0.793, b = 2.426. A report for ``--quarter 1997Q3`` fits the lifetime-value
models on the history up to the quarter's end, which is that calibration period: the tests run
notebook 03's own call (``clv.lifetime_value_analysis(orders, asof, seed=ctx.seed,
**ctx.params["clv"])``) on data opened by ``open_report`` through a mapping, with the default
parameters and no ``validation.min_date`` override (the mapping declares the export's span).

The section values customers, so it needs a margin: CDNOW has no cost of goods, and
``clv.margin`` is given here (the purchase model's estimates do not depend on it, which the
first test shows). The master file (``make data-cdnow``) holds the whole cohort of 23,570;
its sample customers are the master ids listed in the sample file's first column.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT

from custlib.analysis import clv
from custlib.analysis import development as dev
from custlib.io.data import data_coverage, resolve_quarter
from custlib.io.periods import Coverage, Quarter
from custlib.io.validate import validate_source
from custlib.reports.context import open_report

FHL = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
SAMPLE = ROOT / "tests" / "data" / "cdnow_sample.txt.gz"
MASTER = ROOT / "data" / "cdnow" / "CDNOW_master.txt"  # make data-cdnow (a dependency of make test)

SAMPLE_MAPPING = """# the 1/10 sample as distributed (no header line; master id, sample id, date, CDs, dollars)
currency: USD
coverage: {from: "1997-01-01", to: "1998-06-30"}
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


def _report_life(folder: Path, quarter: str, margin: float = 0.3, keep=None):
    """Notebook 03's lifetime-value step for ``quarter``, on the data opened as the report opens it."""
    ctx = open_report(str(folder), "All", quarter, {"clv": {"margin": margin}})
    asof = ctx.quarter.end
    orders = dev.orders_up_to(ctx.data.transactions, asof)
    if keep is not None:
        orders = orders[orders["customer_id"].isin(keep)]
    return ctx, clv.lifetime_value_analysis(orders, asof, **{"seed": ctx.seed, **ctx.params["clv"]})


def _bgnbd(life) -> dict:
    p = life.parameters
    return p[p["model"] == "BG/NBD"].set_index("parameter")["estimate"].to_dict()


def _assert_fhl(estimates: dict) -> None:
    for key, value in FHL.items():  # to the published precision: half a unit of the third decimal
        assert abs(estimates[key] - value) <= 0.0005 + 1e-12, (key, estimates[key], value)


@pytest.fixture(scope="module")
def sample_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cdnow") / "sample"
    folder.mkdir()
    (folder / "cdnow_sample.txt").write_bytes(gzip.decompress(SAMPLE.read_bytes()))
    (folder / "source.yaml").write_text(SAMPLE_MAPPING, encoding="utf-8")
    return folder


def test_quarter_1997q3_fits_the_lifetime_value_models_on_fhls_39_calibration_weeks(sample_folder):
    ctx, life = _report_life(sample_folder, "1997Q3")
    assert ctx.coverage == Coverage(pd.Timestamp("1997-01-01"), pd.Timestamp("1998-06-30"))
    assert life.as_of == pd.Timestamp("1997-09-30") and life.bgnbd.n_customers_ == 2_357
    assert ctx.data.transactions["order_date"].max() <= pd.Timestamp("1997-09-30")  # the slice ends with the quarter
    assert not any(n.code == "fitted_on_sample" for n in life.notes)  # every customer, no sampling
    _assert_fhl(_bgnbd(life))
    # the margin values customers; it does not move the purchase model
    assert _bgnbd(_report_life(sample_folder, "1997Q3", margin=0.6)[1]) == pytest.approx(_bgnbd(life), rel=1e-9)


def test_latest_on_cdnow_is_the_last_complete_quarter_and_the_fhl_quarter_is_not(sample_folder):
    con, source, _ = validate_source(sample_folder)  # no --set validation.min_date: the mapping declares 1997-01-01
    assert resolve_quarter(con, "latest", coverage=data_coverage(con, source)) == Quarter(1998, 2)
    con.close()
    _ctx, life = _report_life(sample_folder, "1998Q2")
    assert abs(_bgnbd(life)["r"] - FHL["r"]) > 0.005  # 78 weeks of history: other estimates; the FHL fit needs --quarter 1997Q3


def test_the_master_file_as_published_reproduces_fhl_on_its_sample_customers(tmp_path):
    """The published master file with the example's mapping, unedited; FHL's customers are the sample file's master ids."""
    if not MASTER.is_file():
        pytest.skip(f"{MASTER} not found: run make data-cdnow")
    folder = tmp_path / "cdnow"
    folder.mkdir()
    (folder / MASTER.name).symlink_to(MASTER)
    shutil.copy(ROOT / "examples" / "cdnow" / "source.yaml", folder / "source.yaml")
    ids = pd.read_csv(SAMPLE, sep=r"\s+", header=None, usecols=[0], dtype=str)[0].unique()
    assert len(ids) == 2_357
    ctx, life = _report_life(folder, "1997Q3", keep=set(ids))
    assert ctx.data.customers.shape[0] == 23_570 and life.bgnbd.n_customers_ == 2_357
    _assert_fhl(_bgnbd(life))
