"""The region's action workbook and table, written beside its reports from the lists the reports published.

Each report's executive summary publishes the whole lists behind its advice in its executed
notebook (:mod:`custlib.reports.actions`). After the notebooks ran, :func:`write_actions` reads the
lists of every report of a region (this run's, and those kept as unchanged or from an earlier run,
as the index lists them), merges them and writes ``actions.xlsx`` (one sheet per list) and
``actions.csv`` (every list in one table, a ``list`` column naming it) into the folder given: the
run's staging folder, so that they are published, recorded in the manifest (with their sha256) and
replaced like the reports (:mod:`custlib.run.publish`). The same lists give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from custlib.io.sheets import csv_bytes, xlsx_bytes
from custlib.reports.actions import FILES, parts_of, workbook_tables
from custlib.run.files import atomic_write


def write_actions(notebooks: list[Path], dest: Path, lang: str = "en", stamp: dt.datetime | None = None) -> dict | None:
    """Write ``dest/actions.xlsx`` and ``dest/actions.csv`` from the lists the executed ``notebooks`` published.

    Parameters
    ----------
    notebooks : list of Path
        The region's executed notebooks (missing files are left out), read in the order of their names.
    dest : Path
        The folder to write into (it must exist).
    lang : str
        The region's report language (sheet names and headers).
    stamp : datetime, optional
        The workbook's document date (default 2000-01-01): the quarter's end keeps the file the same for the same lists.

    Returns
    -------
    dict or None
        ``{"xlsx": path, "csv": path, "rows": {list code: rows}}``; None (nothing written) when no report published a list.
    """
    parts = []
    for nb in sorted((Path(p) for p in notebooks if p and Path(p).is_file()), key=lambda p: p.name):
        parts.extend(parts_of(nb))
    sheets, kinds, table, counts = workbook_tables(parts, lang)
    if not sheets:
        return None
    xlsx, csv = (Path(dest) / name for name in FILES)
    atomic_write(xlsx, xlsx_bytes(sheets, kinds, **({"stamp": stamp} if stamp else {})), parents=False)
    atomic_write(csv, csv_bytes(table), parents=False)
    return {"xlsx": xlsx, "csv": csv, "rows": counts}
