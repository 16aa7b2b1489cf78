"""Writing tables for spreadsheets and CRM imports: ``.xlsx`` (openpyxl) and ``.csv``, safe to open, the same bytes every time.

Safe to open: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read by Excel, LibreOffice and Google Sheets as a formula (CSV/formula injection: a customer named
``=HYPERLINK("http://x","y")`` becomes a live link, and worse). :func:`neutralise` prefixes such a
text with a single quote, as the OWASP "CSV Injection" page recommends; numbers, dates and missing
values are left as they are (a negative amount is a number, not a text, and stays one). Both writers
apply it to every cell.

The same bytes: the workbook's document properties carry ``stamp`` (not the time of writing) and
every member of its zip the fixed date of ``ZIP_DATE``, so the same tables give the same file.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import numpy as np
import pandas as pd

#: First characters that make a spreadsheet read a text cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ZIP_DATE = (2000, 1, 1, 0, 0, 0)
STAMP = dt.datetime(2000, 1, 1)
#: ``kind`` of a column -> Excel number format (texts and integers keep the default)
NUMBER_FORMATS = {"money": "#,##0.00", "number": "#,##0.00", "pct": "0.0%", "date": "yyyy-mm-dd", "int": "0"}


def neutralise(value):
    """``value`` made safe for a spreadsheet cell: a text starting with ``= + - @``, tab or CR gets a leading ``'``.

    Anything that is not a text (numbers, booleans, dates, None, NaN) is returned unchanged.

    >>> neutralise('=HYPERLINK("http://x","y")')
    '\\'=HYPERLINK("http://x","y")'
    >>> neutralise(-12.5), neutralise("Acme")
    (-12.5, 'Acme')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with :func:`neutralise` applied to every text cell and to the column names."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_string_dtype(s) or s.dtype == object:
            out[col] = s.astype("object").map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def _cell(value):
    """A pandas value as openpyxl takes it: None for missing, Python numbers and dates."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating) and np.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def xlsx_bytes(sheets: dict[str, pd.DataFrame], kinds: dict[str, dict[str, str]] | None = None, stamp: dt.datetime = STAMP) -> bytes:
    """A workbook with one sheet per frame (in order; a header row, then the rows), every text cell neutralised.

    Parameters
    ----------
    sheets : dict of str to DataFrame
        Sheet name (at most 31 characters, none of ``[]:*?/\\``) -> its table.
    kinds : dict, optional
        Sheet name -> {column: kind} (``money``, ``number``, ``pct``, ``date``, ``int``, ``text``): the cells' number format.
    stamp : datetime
        The workbook's created and modified date (document properties).

    Returns
    -------
    bytes
        The ``.xlsx`` file; the same sheets and ``stamp`` always give the same bytes.
    """
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in sheets.items():
        ws = wb.create_sheet(title=name)
        safe = neutralise_frame(frame)
        ws.append(list(safe.columns))
        for row in safe.itertuples(index=False, name=None):
            ws.append([_cell(v) for v in row])
        formats = (kinds or {}).get(name, {})
        for j, col in enumerate(frame.columns, start=1):
            fmt = NUMBER_FORMATS.get(formats.get(col, ""))
            if fmt:
                for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    cell.number_format = fmt
        ws.freeze_panes = "A2"
    wb.properties.created = wb.properties.modified = stamp
    wb.properties.creator = "custlib"
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()  # not save_workbook: it stamps the time of writing
    return _fixed_dates(raw.getvalue())


def _fixed_dates(archive: bytes) -> bytes:
    """The zip ``archive`` again, every member dated ``ZIP_DATE`` (zipfile dates members with the time of writing)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info))
    return out.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as CSV for spreadsheets and CRM imports: UTF-8 with a BOM (Excel then reads Chinese right), comma-separated,
    decimal point, ISO dates, a header row, no index, every text cell neutralised (:func:`neutralise`)."""
    text = neutralise_frame(frame).to_csv(index=False, lineterminator="\r\n", date_format="%Y-%m-%d")
    return ("\ufeff" + text).encode("utf-8")


def read_xlsx(source) -> dict[str, list[list]]:
    """Every sheet of an ``.xlsx`` (path or bytes) as rows of cell values, read with python-calamine (sheet name -> rows)."""
    from python_calamine import CalamineWorkbook

    wb = (
        CalamineWorkbook.from_filelike(io.BytesIO(source))
        if isinstance(source, bytes | bytearray)
        else CalamineWorkbook.from_path(str(source))
    )
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}
