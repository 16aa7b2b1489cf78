"""Parquet files read and written with DuckDB, so that a report run needs no pyarrow.

pandas reads and writes Parquet through pyarrow (about 170 MB installed); DuckDB,
which every run loads anyway, reads and writes it itself. Two things pyarrow did
are done here by hand:

- a timestamp column written with a time zone (``datetime64[us, Asia/Shanghai]``)
  keeps its zone: Parquet stores only the UTC instant and the flag
  ``isAdjustedToUTC``; the zone's name is in the file's ``ARROW:schema`` metadata,
  a base64 Arrow IPC schema message (a FlatBuffer), read by :func:`zoned_columns`;
- a ``DATE`` column reads as ``datetime.date`` objects, as pyarrow gives it to pandas.

Functions: :func:`read_parquet` (path or bytes -> DataFrame), :func:`write_parquet`
(DataFrame -> file, no index), :func:`zoned_columns` (column -> zone name).
"""

from __future__ import annotations

import base64
import os
import struct
import tempfile
import warnings
from pathlib import Path

import duckdb
import pandas as pd

#: the Arrow FlatBuffer ``Type`` union's tag for ``Timestamp`` (format/Schema.fbs)
_ARROW_TIMESTAMP = 10
#: the ``MessageHeader`` union's tag for ``Schema`` (format/Message.fbs)
_ARROW_SCHEMA = 1


class _Table:
    """One FlatBuffer table: its fields by index (https://flatbuffers.dev/internals/)."""

    def __init__(self, buf: bytes, pos: int):
        self.buf, self.pos = buf, pos
        self.vtable = pos - struct.unpack_from("<i", buf, pos)[0]
        self.vlen = struct.unpack_from("<H", buf, self.vtable)[0]

    def _field(self, i: int) -> int | None:
        slot = 4 + 2 * i
        if slot >= self.vlen:
            return None
        off = struct.unpack_from("<H", self.buf, self.vtable + slot)[0]
        return self.pos + off if off else None

    def scalar(self, i: int, fmt: str, default=0):
        at = self._field(i)
        return default if at is None else struct.unpack_from("<" + fmt, self.buf, at)[0]

    def table(self, i: int) -> _Table | None:
        at = self._field(i)
        return None if at is None else _Table(self.buf, at + struct.unpack_from("<I", self.buf, at)[0])

    def string(self, i: int) -> str | None:
        at = self._field(i)
        if at is None:
            return None
        start = at + struct.unpack_from("<I", self.buf, at)[0]
        n = struct.unpack_from("<I", self.buf, start)[0]
        return self.buf[start + 4 : start + 4 + n].decode("utf-8")

    def tables(self, i: int) -> list[_Table]:
        at = self._field(i)
        if at is None:
            return []
        start = at + struct.unpack_from("<I", self.buf, at)[0]
        n = struct.unpack_from("<I", self.buf, start)[0]
        items = [start + 4 + 4 * k for k in range(n)]
        return [_Table(self.buf, p + struct.unpack_from("<I", self.buf, p)[0]) for p in items]


def arrow_schema_zones(message: bytes) -> dict[str, str]:
    """Top-level timestamp columns with a time zone in an Arrow IPC schema message, with the zone.

    ``message`` is the decoded value of Parquet's ``ARROW:schema`` key: optionally the
    continuation marker ``0xFFFFFFFF`` and a length, then a FlatBuffer ``Message`` whose
    header is a ``Schema`` (fields: 1 = its ``Field`` list); a ``Field`` has 0 = name,
    2 = type tag, 3 = type; a ``Timestamp`` type has 1 = timezone (Arrow's format/Schema.fbs).
    """
    buf = bytes(message)
    if buf[:4] == b"\xff\xff\xff\xff":
        buf = buf[8:]
    else:  # the pre-0.15 format: a bare length
        buf = buf[4:]
    msg = _Table(buf, struct.unpack_from("<I", buf, 0)[0])
    schema = msg.table(2) if msg.scalar(1, "B") == _ARROW_SCHEMA else None
    out = {}
    for field in schema.tables(1) if schema is not None else []:
        typ = field.table(3)
        if field.scalar(2, "B") == _ARROW_TIMESTAMP and typ is not None:
            tz = typ.string(1)
            if tz:
                out[field.string(0)] = tz
    return out


def _sql_path(path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def zoned_columns(path, con=None) -> dict[str, str]:
    """Timestamp columns of a Parquet file stored as UTC instants, with the zone they were written in.

    The zone is the one the file's Arrow schema names (pandas and pyarrow write it); a UTC-adjusted
    column without one (DuckDB's ``TIMESTAMPTZ``, Spark) is ``"UTC"``, as pyarrow reads it.
    An unreadable file gives ``{}`` (reading it fails later, naming it).
    """
    con = con or duckdb.connect()
    p = _sql_path(path)
    try:
        adjusted = [
            n for n, t, *_ in con.execute(f"DESCRIBE SELECT * FROM read_parquet({p})").fetchall() if t == "TIMESTAMP WITH TIME ZONE"
        ]
        kv = dict(con.execute(f"SELECT key, value FROM parquet_kv_metadata({p})").fetchall())
    except duckdb.Error:
        return {}
    zones = {}
    raw = kv.get(b"ARROW:schema")
    if raw is not None:
        try:
            zones = arrow_schema_zones(base64.b64decode(raw))
        except (ValueError, struct.error, UnicodeDecodeError):
            zones = {}
    return {c: zones.get(c, "UTC") for c in adjusted}


def read_parquet(source) -> pd.DataFrame:
    """A Parquet file (a path, or its bytes) as a DataFrame, as ``pandas.read_parquet`` with pyarrow gives it.

    Zoned timestamps come in their own zone, ``DATE`` columns as ``datetime.date`` objects.
    """
    if isinstance(source, bytes | bytearray):
        fd, tmp = tempfile.mkstemp(suffix=".parquet")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(source)
            return read_parquet(Path(tmp))
        finally:
            os.unlink(tmp)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    zones = zoned_columns(source, con)
    p = _sql_path(source)
    dates = [n for n, t, *_ in con.execute(f"DESCRIBE SELECT * FROM read_parquet({p})").fetchall() if t == "DATE"]
    with warnings.catch_warnings():  # DuckDB's conversion of zoned timestamps uses a pandas keyword pandas 3.1 deprecates
        warnings.filterwarnings("ignore", message="The inplace keyword in DataFrame.drop is deprecated")
        frame = con.execute(f"SELECT * FROM read_parquet({p})").df()
    for col, tz in zones.items():
        frame[col] = frame[col].dt.tz_convert(tz)
    for col in dates:
        frame[col] = pd.Series([None if pd.isna(v) else v.date() for v in frame[col]], index=frame.index, dtype=object)
    return frame


def write_parquet(frame: pd.DataFrame, path) -> None:
    """``frame`` (without its index) as a Parquet file at ``path``, written by DuckDB."""
    con = duckdb.connect()
    con.register("_frame", frame)
    con.execute(f"COPY (SELECT * FROM _frame) TO {_sql_path(path)} (FORMAT parquet)")
