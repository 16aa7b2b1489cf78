"""Reading raw files: strict decoding, CSV with declared separators, xlsx with python-calamine.

Shared by the contract's loader (:mod:`custlib.io.data`) and the source mapping
(:mod:`custlib.io.mapping`); both put what they read into DuckDB through
:func:`sheet_to_duck` / :func:`frame_to_duck`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from custlib.exceptions import DataError
from custlib.io.contract import Table

#: The source mapping's file name, beside the raw files.
MAPPING_FILE = "source.yaml"


@dataclass
class TableFile:
    """Where one table of a directory source lives."""

    table: str
    path: Path
    fmt: str


_GROUPED = r"[+-]?[0-9]{1,3}(,[0-9]{3})+([.][0-9]*)?"


def number_sql(q: str) -> str:
    """SQL turning text ``q`` into a DOUBLE (decimal point; ',' only as a thousands separator).

    Any other comma (``7424,0``, a decimal comma) gives NULL, so that the value is reported,
    never read as 74240: a decimal comma must be declared in ``source.yaml``.
    """
    t = f"trim({q})"
    return f"CASE WHEN regexp_full_match({t}, '{_GROUPED}') THEN TRY_CAST(replace({t}, ',', '') AS DOUBLE) WHEN contains({t}, ',') THEN NULL ELSE TRY_CAST({t} AS DOUBLE) END"


@dataclass(frozen=True)
class ReadOptions:
    """How a text or Excel file is read: what a source mapping declares (defaults: the contract's CSV).

    ``delimiter`` is one character or ``"whitespace"`` (runs of spaces and tabs, as in CDNOW);
    ``names`` gives the column names of a file without a header row.
    """

    encoding: str = "utf-8"
    delimiter: str = ","
    header: bool = True
    names: tuple[str, ...] | None = None
    declared: bool = False  # True when a source.yaml gave these options


def decode_strict(data: bytes, name: str, encoding: str = "utf-8") -> str:
    """``data`` decoded in ``encoding`` (UTF-8 may start with a BOM), or a :class:`DataError` naming the line and byte.

    Nothing is guessed: a file in another encoding must be declared in ``source.yaml``.
    """
    enc = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        return data.decode(enc)
    except LookupError as err:
        raise DataError(f"{name}: unknown encoding {encoding!r} (declared in source.yaml)") from err
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        col = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        bad = data[err.start : err.end]
        raise DataError(
            f"{name}: line {line}, byte offset {err.start} (column {col} of the line): bytes {bad!r} are not valid {encoding}; "
            "the file is refused, not guessed: declare its encoding in source.yaml (e.g. encoding: latin-1 or encoding: gb18030)"
        ) from err


def read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when it ends in ``.gz``."""
    if path.suffix == ".gz":
        import gzip

        try:
            return gzip.decompress(path.read_bytes())
        except (OSError, EOFError) as err:
            raise DataError(f"{path.name}: cannot decompress: {err}") from err
    return path.read_bytes()


def decode_csv(path: Path, opts: ReadOptions | None = None) -> str:
    opts = opts or ReadOptions()
    data = read_bytes(path)
    if not data.strip():
        raise DataError(f"{path.name}: the file is empty; expected a header row with the table's columns")
    return decode_strict(data, path.name, opts.encoding)


def read_csv(path: Path, table: Table | None = None, opts: ReadOptions | None = None) -> pd.DataFrame:
    opts = opts or ReadOptions()
    text = decode_csv(path, opts)
    header = text.splitlines()[0]
    if not opts.declared and "," not in header and any(c in header for c in ";\t|"):
        try:
            delim = csv.Sniffer().sniff(header, delimiters=";\t|").delimiter
        except csv.Error:
            delim = "?"
        raise DataError(
            f"{path.name}: the header is not comma-separated (it looks {delim!r}-separated); "
            "expected ',' as delimiter, or declare it in source.yaml (delimiter: ';')"
        )
    kw = {"sep": r"\s+"} if opts.delimiter == "whitespace" else {"sep": opts.delimiter, "skipinitialspace": True}
    if not opts.header:
        kw.update(header=None, names=list(opts.names) if opts.names else None)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""], **kw)
    except pd.errors.ParserError as err:
        raise DataError(f"{path.name}: cannot parse as CSV: {err}") from err
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def read_xlsx(path: Path, table: Table | None = None, opts: ReadOptions | None = None, need: set | None = None, text: bool = False):
    """The first sheet as a DataFrame with ``_row`` (the sheet's row number), read with python-calamine.

    Title rows above the header are skipped: the header is the first of the top 20 rows
    holding every name in ``need`` (default: the table's required columns), else the first
    row. Empty rows are left out. A column whose cells are all numbers, all dates or all
    text keeps that type (as Parquet would; the contract's checks parse each type); a column
    mixing types, or every column when ``text`` is true, becomes text like a CSV's (a whole
    float loses its ``.0``, a date is written ``YYYY-MM-DD HH:MM:SS``). Empty cells are
    missing values (``<NA>``, ``NaT``, ``None``), which DuckDB reads as NULL
    (:func:`sheet_to_duck`).
    """
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as err:  # calamine raises its own types on corrupt files
        raise DataError(f"{path.name}: cannot read as an Excel workbook: {err}") from err
    width = len(rows[0]) if rows else 0
    empty = [i for i, r in enumerate(rows) if r.count("") == width]  # list.count runs in C: 0.1 s for 400k rows
    if len(empty) == len(rows):
        raise DataError(f"{path.name}: the sheet is empty; expected a header row with the table's columns")
    need = need if need is not None else set(table.required_columns if table else ())
    header_row = next((i for i, r in enumerate(rows[:20]) if need and need <= {str(v).strip() for v in r if v != ""}), None)
    if header_row is None:  # the first non-empty row
        header_row = next(i for i, r in enumerate(rows) if r.count("") != width)
    names = [str(c).strip() if c != "" else f"Unnamed: {j}" for j, c in enumerate(rows[header_row])]
    skip = {i for i in empty if i > header_row}
    if skip:
        index = [i for i in range(header_row + 1, len(rows)) if i not in skip]
        body = [rows[i] for i in index]
    else:
        index = range(header_row + 1, len(rows))
        body = rows[header_row + 1 :]
    # a 2-D object array transposes 400k rows in 0.15 s where zip(*rows) takes 0.75 s
    grid = np.array(body, dtype=object).reshape(len(body), len(names))
    columns = {"_row": np.asarray(index, dtype="int64") + 1}  # to_python(skip_empty_area=False) starts at row 1
    for j, name in enumerate(names):
        columns[name] = _xlsx_column(grid[:, j].tolist(), text)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(body))), header_row


def _xlsx_column(col: list, text: bool):
    """One sheet column: native when its cells share a type (float, timestamp or date), else text."""
    import datetime as _dt

    types = list(map(type, col))
    kinds = set(types)
    n_empty = col.count("")
    if str in kinds and types.count(str) == n_empty:
        kinds.discard(str)  # the only text is empty cells
    values = [None if v == "" else v for v in col] if n_empty else col
    if kinds == {str} or not kinds:
        return pd.array(values, dtype="str")
    if not text:
        if kinds <= {int, float}:
            return pd.array(values, dtype="Float64")
        if kinds == {_dt.datetime}:
            return pd.array(values, dtype="datetime64[us]")
        if kinds == {_dt.date}:
            return pd.Series(values, dtype=object).to_numpy()  # DuckDB reads date objects as DATE
    return pd.array([None if v is None else _cell_text(v) for v in values], dtype="str")


def sheet_to_duck(con, name: str, frame: pd.DataFrame) -> None:
    """A sheet read by :func:`read_xlsx` as DuckDB table ``raw_<name>``."""
    con.register(f"_xl_{name}", frame)
    con.execute(f'CREATE OR REPLACE TABLE "raw_{name}" AS SELECT * FROM "_xl_{name}"')
    con.unregister(f"_xl_{name}")


def _cell_text(v) -> str:
    if isinstance(v, pd.Timestamp) or hasattr(v, "isoformat"):
        return pd.Timestamp(v).isoformat(sep=" ")
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return str(int(v))
    return str(v)


def frame_to_duck(con, name: str, frame: pd.DataFrame, first_row: int) -> None:
    frame = frame.copy()
    frame.insert(0, "_row", np.arange(first_row, first_row + len(frame), dtype="int64"))
    con.register(f"_df_{name}", frame)
    con.execute(f'CREATE OR REPLACE TABLE "raw_{name}" AS SELECT * FROM "_df_{name}"')
    con.unregister(f"_df_{name}")
