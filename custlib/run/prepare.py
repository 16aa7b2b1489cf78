"""Each region's slice of the validated source, written as Parquet for its reports."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from custlib.io.data import load_region, slugify
from custlib.io.parquet import write_parquet
from custlib.reports.context import PREPARED_MARKER


def _marker(region: str, quarter, source_fp: dict | None, facts: dict | None, pooled: dict | None = None) -> dict:
    """A slice's ``_prepared.json``: region, quarter, source fingerprint and the whole source's facts (coverage, exclusions).

    The slice of the pooled region (:data:`custlib.io.pooling.OTHER_REGIONS`) also carries ``pooled`` among
    the facts: the regions it holds, with their counts (:meth:`custlib.io.pooling.Pooling.to_dict`).
    """
    marker = {"region": region, "quarter": str(quarter), "source": source_fp or {}}
    if pooled and region == pooled.get("region"):
        facts = {**(facts or {}), "pooled": pooled}
    return {**marker, "data": facts} if facts else marker


def prepare_region(
    con, region: str, quarter, dest: Path, peers, source_fp: dict | None = None, facts: dict | None = None, pooled: dict | None = None
) -> bool:
    """Write one region's slice (validated, typed) as Parquet into ``dest``, atomically.

    Returns False (and writes nothing) when ``dest`` already holds the slice
    of the same source (by fingerprint), region and quarter. ``facts``
    (:func:`custlib.io.data.source_facts`) go into the slice's marker, and ``pooled`` (the run's
    pooling, :meth:`custlib.io.pooling.Pooling.to_dict`) into the pooled region's.
    """
    marker = _marker(region, quarter, source_fp, facts, pooled)
    mpath = dest / PREPARED_MARKER
    if source_fp and mpath.is_file():
        try:
            if json.loads(mpath.read_text(encoding="utf-8")) == marker:
                return False
        except json.JSONDecodeError:
            pass
    rd = load_region(con, region, quarter)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        write_parquet(rd.customers, tmp / "customers.parquet")
        write_parquet(rd.transactions, tmp / "transactions.parquet")
        if rd.offers is not None:
            write_parquet(rd.offers, tmp / "offers.parquet")
        if rd.service_costs is not None:
            write_parquet(rd.service_costs, tmp / "service_costs.parquet")
        if rd.products is not None:
            write_parquet(rd.products, tmp / "products.parquet")
        write_parquet(peers, tmp / "peer_quarterly.parquet")
        (tmp / PREPARED_MARKER).write_text(json.dumps(marker), encoding="utf-8")
        replace_folder(tmp, dest, dest.with_name(dest.name + ".old"))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return True


def replace_folder(new: Path, dest: Path, old: Path) -> None:
    """Put the folder ``new`` at ``dest``; a folder already there is moved to ``old`` first, then removed.

    Each step is a rename, so ``dest`` is at every instant either the whole old slice or the whole new one.
    """
    if not dest.exists():
        os.replace(new, dest)
        return
    shutil.rmtree(old, ignore_errors=True)
    os.replace(dest, old)
    os.replace(new, dest)
    shutil.rmtree(old, ignore_errors=True)


def _copy_products(con, folder: Path) -> None:
    """The products (id, name, category) that the slice's lines in ``folder`` name, as ``products.parquet`` beside them."""
    tx_file = str(folder / "transactions.parquet").replace("'", "''")
    dest = str(folder / "products.parquet").replace("'", "''")
    con.execute(
        "COPY (SELECT product_id, name, category FROM products WHERE product_id IN "
        f"(SELECT DISTINCT product_id FROM read_parquet('{tx_file}')) ORDER BY product_id) TO '{dest}' (FORMAT parquet)"
    ).fetchall()


def _prepared(folder: Path, marker: dict) -> bool:
    """Whether ``folder`` already holds the slice ``marker`` describes (same source fingerprint, region, quarter, facts)."""
    try:
        return bool(marker["source"]) and json.loads((folder / PREPARED_MARKER).read_text(encoding="utf-8")) == marker
    except (OSError, json.JSONDecodeError):
        return False


DATE_COLUMN = {"transactions": "order_date", "offers": "offer_date", "service_costs": "month"}


def prepare_regions(
    con,
    regions: list[str],
    quarter,
    cache: Path,
    peers,
    source_fp: dict | None = None,
    facts=None,
    work: Path | None = None,
    pooled: dict | None = None,
) -> list[str]:
    """Write every region's slice as Parquet under ``cache/<slug>/``, one scan per table for all regions.

    Each table is copied once with DuckDB's partitioned ``COPY`` (by region),
    then each region's files are moved into its folder, which replaces the
    old one in one rename. Regions whose folder already holds the slice of
    the same source (by fingerprint) and quarter are skipped. Returns the
    regions prepared. Temporary files and the folders being replaced go to
    ``work`` (default ``cache``; on the same file system), e.g. the render's
    staging folder, which is removed with whatever a killed run left there. ``facts``
    (:func:`custlib.io.data.source_facts`) go into each marker; ``pooled`` (the run's pooling,
    :meth:`custlib.io.pooling.Pooling.to_dict`) into the pooled region's.
    """
    todo = [r for r in regions if not _prepared(cache / slugify(r), _marker(r, quarter, source_fp, facts, pooled))]
    if not todo:
        return []
    from custlib.io.contract import TABLES

    views = {v[0] for v in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    tables = [t for t in TABLES if t in views]
    has_products = "products" in views
    work = Path(work or cache)
    stage = Path(tempfile.mkdtemp(prefix=".prepare.", dir=work))
    end = quarter.end.date().isoformat()
    try:
        import pandas as pd

        con.register("_region_map_df", pd.DataFrame({"key": [r.lower() for r in todo], "rx": list(range(len(todo)))}))
        con.execute("CREATE OR REPLACE TEMP TABLE _region_map AS SELECT * FROM _region_map_df").fetchall()
        con.unregister("_region_map_df")
        cols = {t: ", ".join(f'x."{c.name}"' for c in TABLES[t].columns) for t in tables}
        for t in tables:
            if t == "customers":
                sel = f"SELECT m.rx AS _rx, {cols[t]} FROM customers x JOIN _region_map m ON lower(x.region) = m.key"
            else:
                sel = (
                    f'SELECT m.rx AS _rx, {cols[t]} FROM "{t}" x JOIN customers c ON x.customer_id = c.customer_id '
                    f"JOIN _region_map m ON lower(c.region) = m.key WHERE x.\"{DATE_COLUMN[t]}\" <= DATE '{end}'"
                )
            target = str(stage / t).replace("'", "''")
            con.execute(f"COPY ({sel}) TO '{target}' (FORMAT parquet, PARTITION_BY (_rx))").fetchall()
        for i, r in enumerate(todo):
            tmp = stage / f"region-{i}"
            tmp.mkdir()
            for t in tables:
                files = sorted((stage / t / f"_rx={i}").glob("*.parquet"))
                dest = tmp / f"{t}.parquet"
                if len(files) == 1:
                    os.replace(files[0], dest)
                else:  # none (an empty slice keeps its columns) or several files to join
                    src = (
                        f"read_parquet([{', '.join(repr(str(f)) for f in files)}])"
                        if files
                        else f'(SELECT {cols[t].replace("x.", "")} FROM "{t}" LIMIT 0)'
                    )
                    con.execute(f"COPY (SELECT * FROM {src}) TO '{str(dest)}' (FORMAT parquet)").fetchall()
            if has_products:
                _copy_products(con, tmp)
            write_parquet(peers, tmp / "peer_quarterly.parquet")
            marker = _marker(r, quarter, source_fp, facts, pooled)
            (tmp / PREPARED_MARKER).write_text(json.dumps(marker), encoding="utf-8")
            replace_folder(tmp, cache / slugify(r), work / f"{slugify(r)}.old")
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return todo
