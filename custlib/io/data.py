"""Reading a data source through DuckDB, and one region's slice of it.

A *source* is either a directory holding the contract's tables as
``<table>.csv``, ``<table>.xlsx`` or ``<table>.parquet`` (any mix), or a SQL
database given as an SQLAlchemy URL (``sqlite:///crm.db``,
``postgresql://user@host/db``).

Every table is exposed in an in-process DuckDB connection twice: as
``raw_<table>`` (the columns as found, plus ``_row``, the 1-based data row
number used in messages) and, once validated, as ``<table>`` with the
contract's types. Parquet files are scanned by DuckDB in place; CSV files are
decoded strictly in their declared encoding (UTF-8, with or without BOM, unless
``source.yaml`` declares another; a byte that does not decode is refused with its
line and offset, never guessed) and parsed by pandas; Excel sheets are read with
python-calamine; SQL tables are copied into DuckDB in chunks,
so no table is ever held whole in pandas. A folder with ``source.yaml`` is read
through it (:mod:`custlib.io.mapping`). A region's slice for a quarter is then
selected by a DuckDB query (:func:`load_region`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from custlib.exceptions import DataError, InsufficientDataError, ParamsError
from custlib.io.contract import DERIVED_TABLES, TABLES, Table
from custlib.io.facts import CostBasis, with_assumed_margin
from custlib.io.parquet import read_parquet, zoned_columns
from custlib.io.periods import Coverage, Quarter
from custlib.io.readers import (  # noqa: F401 (re-exported)
    MAPPING_FILE,
    ReadOptions,
    TableFile,
    decode_csv,
    decode_strict,
    frame_to_duck,
    number_sql,
    read_bytes,
    read_csv,
    read_xlsx,
    sheet_to_duck,
)

FORMATS = ("parquet", "csv", "xlsx")
_SQL_URL = re.compile(r"^[a-z][a-z0-9+]*://", re.IGNORECASE)
_SQL_CHUNK = 200_000
DUCKDB_MEMORY = "3GB"  # DuckDB spills to disk beyond this, keeping a large run's peak memory bounded
_DATE_FORMATS = ["%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S"]


def is_sql_url(location) -> bool:
    """True when ``location`` looks like an SQLAlchemy URL rather than a path."""
    return bool(_SQL_URL.match(str(location)))


#: Longest folder name made from a region, in UTF-8 bytes (file systems allow 255; report files add their own names).
MAX_SLUG_BYTES = 80


def slugify(name: str) -> str:
    """A filesystem-safe, lower-case slug of a region or other name.

    Letters and digits (any script) are kept, everything else becomes ``-``;
    the result never contains a path separator or ``..``.

    >>> slugify("North East / 东北")
    'north-east-东北'
    """
    slug = re.sub(r"[^\w]+", "-", str(name).strip().lower(), flags=re.UNICODE).strip("-_")
    if not slug:
        raise ParamsError(f"region {name!r}: cannot make a file name from it (it needs at least one letter or digit)")
    if len(slug.encode("utf-8")) > MAX_SLUG_BYTES:  # a file name holds 255 bytes: keep a readable start and a hash of the whole
        digest = hashlib.sha256(str(name).encode("utf-8")).hexdigest()[:10]
        head = slug.encode("utf-8")[: MAX_SLUG_BYTES - 11].decode("utf-8", errors="ignore").rstrip("-_")
        slug = f"{head}-{digest}"
    return slug


class Source:
    """A data source: a directory of table files or an SQLAlchemy URL.

    Parameters
    ----------
    location : str or Path
        Directory or URL.

    Raises
    ------
    DataError
        The directory does not exist, or holds one table in two formats.
    """

    def __init__(self, location):
        self.location = str(location)
        self.is_sql = is_sql_url(location)
        self.files: dict[str, TableFile] = {}
        self.mapping = None  # a custlib.io.mapping.Mapping when the folder holds source.yaml
        self.content: dict[str, str] = {}  # a database's tables: row count and checksum (filled by open_raw)
        self.exclusions: dict = {}  # filled by open_raw: lines a mapping left out, with their count and revenue share
        if self.is_sql:
            self._check_sqlite_file()
        else:
            root = Path(location)
            if not root.is_dir():
                raise DataError(
                    f"{root}: data directory not found (expected a folder with customers.* and transactions.*, or an SQLAlchemy URL)"
                )
            self.root = root
            if (root / MAPPING_FILE).is_file():
                from custlib.io.mapping import load_mapping

                self.mapping = load_mapping(root / MAPPING_FILE)
                self.files.update(self.mapping.table_files(root))
            for name in (*TABLES, *DERIVED_TABLES):
                if name in self.files or (name in DERIVED_TABLES and self.mapping is not None):
                    continue
                found = [root / f"{name}.{fmt}" for fmt in FORMATS if (root / f"{name}.{fmt}").is_file()]
                if len(found) > 1:
                    raise DataError(f"{root}: table '{name}' is given twice ({', '.join(p.name for p in found)}); keep one")
                if found:
                    self.files[name] = TableFile(name, found[0], found[0].suffix[1:])

    @property
    def currency(self) -> str | None:
        """The currency the source mapping declares (ISO 4217 code), or None."""
        return self.mapping.currency if self.mapping is not None else None

    @property
    def cost_known(self) -> bool:
        """False when the source mapping says the export has no cost of goods (cost is then missing, not zero)."""
        return self.mapping.cost_known if self.mapping is not None else True

    def label(self, table: str) -> str:
        """How messages name a table: its file name, or ``db:<table>``."""
        if table in self.files:
            tf = self.files[table]
            if tf.fmt == "derived":
                return f"{table} (derived from {tf.path.name} by {MAPPING_FILE})"
            return (
                f"{tf.path.name} ({table} via {MAPPING_FILE})"
                if self.mapping is not None and table in self.mapping.tables
                else tf.path.name
            )
        return f"{table} (database table)" if self.is_sql else f"{table}.csv/.xlsx/.parquet"

    def _check_sqlite_file(self) -> None:
        """A SQLite URL must name an existing file: SQLite would otherwise create an empty database there."""
        from sqlalchemy.engine import make_url

        try:
            url = make_url(self.location)
        except Exception as err:  # noqa: BLE001 - sqlalchemy raises several types for a malformed URL
            raise DataError(f"{self.location}: not a valid database URL: {err}") from err
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            if not Path(url.database).is_file():
                raise DataError(f"{url.database}: SQLite database file not found (the URL {url.render_as_string()} names no existing file)")

    def fingerprint(self) -> dict[str, str]:
        """SHA-256 of each table file (directory sources); for a database, its URL and each table's content.

        A database's content is its tables' row counts and checksums, taken by :func:`open_raw`
        when it read them (:func:`content_checksum`), so a changed database renders again.
        Before the tables are read, the content is ``"not read"``, which matches no earlier run.
        """
        if self.is_sql:
            safe = re.sub(r"//[^@/]*@", "//***@", self.location)
            return {"url": safe, **(self.content or {"content": "not read"})}
        out = {}
        for _name, tf in sorted(self.files.items()):
            if tf.fmt == "derived" or tf.path.name in out:  # a derived table's file is hashed once, as its source's
                continue
            h = hashlib.sha256()
            with tf.path.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
            out[tf.path.name] = h.hexdigest()
        if self.mapping is not None:
            out[MAPPING_FILE] = hashlib.sha256((self.root / MAPPING_FILE).read_bytes()).hexdigest()
        return out


# --------------------------------------------------------------------------- reading


def _load_sql_table(con, url: str, name: str) -> bool:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(name):
                return False
            first = True
            offset = 1
            for chunk in pd.read_sql_query(sa.text(f'SELECT * FROM "{name}"'), conn, chunksize=_SQL_CHUNK):
                chunk = chunk.copy()
                chunk.insert(0, "_row", np.arange(offset, offset + len(chunk), dtype="int64"))
                offset += len(chunk)
                con.register("_chunk", chunk)
                if first:
                    con.execute(f'CREATE OR REPLACE TABLE "raw_{name}" AS SELECT * FROM _chunk')
                    first = False
                else:
                    con.execute(f'INSERT INTO "raw_{name}" BY NAME SELECT * FROM _chunk')
                con.unregister("_chunk")
            if first:  # table exists but has no rows: keep its columns
                cols = [c["name"] for c in sa.inspect(conn).get_columns(name)]
                empty = pd.DataFrame({c: pd.Series(dtype="str") for c in cols})
                frame_to_duck(con, name, empty, 1)
    except sa.exc.SQLAlchemyError as err:
        raise DataError(f"{url.split('@')[-1]}: cannot read table '{name}': {err}") from err
    finally:
        engine.dispose()
    return True


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a memory cap and spill files in the system's temp folder."""
    import tempfile

    con = duckdb.connect()
    spill = str(Path(tempfile.gettempdir()) / "custlib-duckdb").replace("'", "''")
    con.execute(
        f"SET memory_limit = '{DUCKDB_MEMORY}'; SET temp_directory = '{spill}'; SET preserve_insertion_order = false; "
        "SET TimeZone = 'UTC'"  # a zoned timestamp from a database reads the same on every machine
    ).fetchall()
    return con


def open_raw(source: Source, con: duckdb.DuckDBPyConnection | None = None) -> tuple[duckdb.DuckDBPyConnection, list[str], list[str]]:
    """Expose every table the source has as ``raw_<table>`` in a DuckDB connection.

    Returns the connection, the tables found, and the problems met while
    reading files (a file that cannot be read at all: empty, undecodable,
    wrong delimiter); those tables are left out.
    """
    con = con or connect()
    found, problems = [], []
    mapped: set[str] = set()
    if source.mapping is not None:
        from custlib.io.mapping import open_mapped

        found, problems, mapped = open_mapped(con, source)
    for name, table in TABLES.items():
        if name in mapped:
            continue
        try:
            if _open_one(con, source, name, table):
                found.append(name)
        except DataError as err:
            problems.append(str(err))
    if source.is_sql:
        source.content = {f"table {name}": content_checksum(con, f"raw_{name}") for name in found}
    if "products" in source.files and "products" not in mapped:
        try:
            _open_products(con, source)
        except DataError as err:
            problems.append(str(err))
    return con, found, problems


def content_checksum(con, relation: str) -> str:
    """``"<rows> rows, <checksum>"``: the row count and the sum of every row's hash, computed in DuckDB.

    The sum does not depend on row order (a database returns rows in any order), and the
    row number the reader adds (``_row``) is left out, so only the values count.
    """
    rows, total = con.execute(
        f'SELECT count(*), coalesce(sum(hash(v))::HUGEINT, 0) FROM (SELECT * EXCLUDE (_row) FROM "{relation}") v'
    ).fetchone()
    return f"{rows} rows, {int(total):x}"


def _open_products(con, source: Source) -> None:
    """A products file beside the contract's tables (a prepared slice's ``products.parquet``) as the ``products`` view."""
    table = DERIVED_TABLES["products"]
    if not _open_one(con, source, "products", table):
        return
    have = _col_types(con, "raw_products")
    if "product_id" not in have:
        raise DataError(f"{source.label('products')}: column 'product_id' is missing (found: {', '.join(have)})")
    cols = ", ".join(
        f'{typed_expr(c.name, "text", have[c.name])} AS "{c.name}"' if c.name in have else f'CAST(NULL AS VARCHAR) AS "{c.name}"'
        for c in table.columns
    )
    con.execute(f'CREATE OR REPLACE VIEW products AS SELECT {cols} FROM "raw_products"')


def cost_problems(con, source: Source) -> list[str]:
    """An empty cost is refused unless the source mapping declares ``cost_known: false``.

    The contract lets ``cost`` be empty so that an export without costs can say so; a
    source that has costs must give every line one (a missing cost is not a zero cost).
    Run on a source's ``raw_transactions`` by validation (not on a prepared slice, which
    carries the validated data).
    """
    present = con.execute(
        "SELECT count(*) FROM (SELECT table_name FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views()) "
        "WHERE table_name = 'raw_transactions'"
    ).fetchall()[0][0]
    if not source.cost_known or not present:
        return []
    types = _col_types(con, "raw_transactions")
    if "cost" not in types:
        return []
    q = '"cost"'
    blank = (
        f"({q} IS NULL OR trim(CAST({q} AS VARCHAR)) = '')"
        if types["cost"].upper().startswith("VARCHAR")
        else f"({q} IS NULL OR isnan({q}))"
    )
    total = con.execute(f"SELECT count(*) FROM raw_transactions WHERE {blank}").fetchall()[0][0]
    if not total:
        return []
    rows = [r[0] for r in con.execute(f"SELECT _row FROM raw_transactions WHERE {blank} ORDER BY _row LIMIT 6").fetchall()]
    shown = ", ".join(f"row {r}" for r in rows[:5]) + (" ..." if len(rows) > 5 else "")
    hint = f"; if the export has no cost, say so in {MAPPING_FILE} (cost_known: false)" if not source.is_sql else ""
    return [f"{source.label('transactions')}: column 'cost' is empty or NaN in {total} row(s): {shown}{hint}"]


def _open_one(con, source: Source, name: str, table: Table) -> bool:
    if source.is_sql:
        return _load_sql_table(con, source.location, name)
    tf = source.files.get(name)
    if tf is None:
        return False
    if tf.fmt == "parquet":
        p = str(tf.path).replace("'", "''")
        local = _local_time_columns(tf.path)
        exclude = ", ".join(["file_row_number", *(f'"{c}"' for c in local)])
        shifted = "".join(f', timezone(\'{tz}\', "{c}") AS "{c}"' for c, tz in local.items())
        try:
            con.execute(
                f'CREATE OR REPLACE VIEW "raw_{name}" AS SELECT * EXCLUDE ({exclude}){shifted}, '
                f"file_row_number + 1 AS _row FROM read_parquet('{p}', file_row_number = true)"
            )
            con.execute(f'SELECT * FROM "raw_{name}" LIMIT 0').fetchall()
        except duckdb.Error as err:
            raise DataError(f"{tf.path.name}: cannot read as Parquet: {err}") from err
    elif tf.fmt == "csv":
        frame_to_duck(con, name, read_csv(tf.path, table, read_options(source)), 2)  # row 1 is the header line
    else:
        sheet_to_duck(con, name, read_xlsx(tf.path, table)[0])
    return True


def _local_time_columns(path: Path) -> dict[str, str]:
    """Timestamp columns of a Parquet file that carry a time zone, with it (``{"order_date": "Asia/Shanghai"}``).

    Parquet stores such a timestamp as a UTC instant; its date is the date in the zone it was
    written in, not in UTC or in this machine's zone (00:30 on 31 March in Shanghai is 30 March
    in UTC, another quarter), so these columns are read as local times in their own zone
    (:func:`custlib.io.parquet.zoned_columns`: the zone the file's Arrow schema names, else UTC).
    """
    return {c: tz.replace("'", "") for c, tz in zoned_columns(path).items() if c != "file_row_number"}


def read_options(source: Source) -> ReadOptions:
    """The reading options a source's mapping declares for every file (the contract's CSV without one)."""
    return source.mapping.defaults if source.mapping is not None else ReadOptions()


# --------------------------------------------------------------------------- typing


#: a number with thousands separators: 1,234 or -12,345,678.90
def _col_types(con, rel: str) -> dict[str, str]:
    return {r[0]: r[1] for r in con.execute(f'DESCRIBE "{rel}"').fetchall()}


def typed_expr(col: str, kind: str, duck_type: str) -> str:
    """SQL that turns raw column ``col`` into the contract type (NULL where it cannot)."""
    q = f'"{col}"'
    t = duck_type.upper()
    text = t.startswith("VARCHAR")
    if kind in ("id", "text"):
        if t in ("DOUBLE", "FLOAT") or t.startswith("DECIMAL"):
            return f"CASE WHEN {q} = floor({q}) THEN CAST(CAST({q} AS BIGINT) AS VARCHAR) ELSE CAST({q} AS VARCHAR) END"
        return f"NULLIF(trim(CAST({q} AS VARCHAR)), '')"
    if kind == "category":
        return f"NULLIF(lower(trim(CAST({q} AS VARCHAR))), '')"
    if kind == "number":
        if text:
            return number_sql(q)
        return f"TRY_CAST({q} AS DOUBLE)"
    if kind == "date":
        if text:
            fmts = ", ".join(f"'{f}'" for f in _DATE_FORMATS)
            return f"COALESCE(TRY_CAST(trim({q}) AS DATE), CAST(TRY_STRPTIME(trim({q}), [{fmts}]) AS DATE))"
        return f"TRY_CAST({q} AS DATE)"
    if kind == "bool":
        if t == "BOOLEAN":
            return q
        s = f"lower(trim(CAST({q} AS VARCHAR)))"
        return (
            f"CASE WHEN {s} IN ('true','t','yes','y','1','1.0') THEN TRUE "
            f"WHEN {s} IN ('false','f','no','n','0','0.0') THEN FALSE ELSE NULL END"
        )
    raise ValueError(kind)


def create_typed_views(con, tables: list[str]) -> None:
    """Create ``<table>`` views with contract types over ``raw_<table>``.

    Missing optional columns appear as NULL; extra columns are kept as found.
    """
    for name in tables:
        table = TABLES[name]
        types = _col_types(con, f"raw_{name}")
        parts = []
        for c in table.columns:
            if c.name in types:
                expr = typed_expr(c.name, c.kind, types[c.name])
            else:
                sql_type = {"number": "DOUBLE", "date": "DATE", "bool": "BOOLEAN"}.get(c.kind, "VARCHAR")
                expr = f"CAST({'NULL' if c.default is None else repr(c.default).upper()} AS {sql_type})"
            parts.append(f'{expr} AS "{c.name}"')
        known = {c.name for c in table.columns} | {"_row"}
        extras = [f'"{c}"' for c in types if c not in known]
        if name == "service_costs":
            parts[1] = f"date_trunc('month', {typed_expr('month', 'date', types.get('month', 'VARCHAR'))}) AS \"month\""
        con.execute(f'CREATE OR REPLACE VIEW "{name}" AS SELECT {", ".join(parts + extras + ["_row"])} FROM "raw_{name}"')


# --------------------------------------------------------------------------- region slices


@dataclass
class RegionData:
    """One region's data up to a quarter's end.

    Attributes
    ----------
    region : str
        The region as written in the data.
    quarter : Quarter
    customers, transactions : DataFrame
    offers, service_costs : DataFrame or None
        None when the source has no such table.
    peer_quarterly : DataFrame
        Per (region, quarter) aggregates of every region, without customer ids:
        region, quarter, customers, revenue, gross_profit, gini_revenue,
        top20_share_revenue.
    products : DataFrame or None
        The products the region's lines name (product_id, name, category), when the
        source has a products table (a source mapping derives one from descriptions).
    cost_basis : CostBasis
        Whether the cost of goods is known, missing, or filled from an assumed margin
        (:func:`with_cost_basis`).
    coverage : Coverage or None
        The days the whole data covers (:func:`data_coverage`), not only this region's:
        quarters outside it have no data, quarters it partly covers are partial.
    exclusions : dict
        What the source mapping left out or marked, for the whole export
        (:func:`custlib.io.mapping.exclusions`; empty without a mapping).
    pooled : dict
        For the pooled region "Other regions", the regions it holds and why
        (:meth:`custlib.io.pooling.Pooling.to_dict`); empty for any other region.
    """

    region: str
    quarter: Quarter
    customers: pd.DataFrame
    transactions: pd.DataFrame
    offers: pd.DataFrame | None
    service_costs: pd.DataFrame | None
    peer_quarterly: pd.DataFrame
    products: pd.DataFrame | None = None
    cost_basis: CostBasis = CostBasis()
    coverage: Coverage | None = None
    exclusions: dict = field(default_factory=dict)
    pooled: dict = field(default_factory=dict)


def _public_cols(table: str) -> list[str]:
    return [f'"{c.name}"' for c in TABLES[table].columns]


def data_span(con) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last order date in ``transactions``."""
    lo, hi = con.execute("SELECT min(order_date), max(order_date) FROM transactions").fetchall()[0]
    if hi is None:
        raise InsufficientDataError("transactions: the table has no orders")
    return pd.Timestamp(lo), pd.Timestamp(hi)


COVERAGE_FILE = "_coverage.json"
PEER_FILE = "peer_quarterly.parquet"


def declared_coverage(source: Source | None) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The first and last day a source declares it covers, when its orders do not show them (None: not declared).

    A source mapping says it with ``coverage: {from: ..., to: ...}``; a folder of contract files with
    ``_coverage.json`` (``{"from": "YYYY-MM-DD", "until": "YYYY-MM-DD"}``, either key optional). A region's
    hand-off package writes the latter: its own first and last orders may fall inside quarters that the
    whole data covers completely.
    """
    if source is None or source.is_sql:
        return None, None
    first = last = None
    if source.mapping is not None:
        first, last = source.mapping.coverage_from, source.mapping.coverage_to
    path = source.root / COVERAGE_FILE
    if path.is_file():
        import json

        try:
            values = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(values, dict) or not values.keys() <= {"from", "until"}:
                raise KeyError(sorted(values) if isinstance(values, dict) else values)
            first = pd.Timestamp(values["from"]) if values.get("from") else first
            last = pd.Timestamp(values["until"]) if values.get("until") else last
        except (ValueError, KeyError, TypeError) as err:
            raise DataError(f'{path}: expected {{"from": "YYYY-MM-DD", "until": "YYYY-MM-DD"}} (either key optional)') from err
    return first, last


def source_coverage(source: Source) -> pd.Timestamp | None:
    """The last day a source declares it covers (see :func:`declared_coverage`), or None."""
    return declared_coverage(source)[1]


def data_coverage(con, source: Source | None = None) -> Coverage:
    """The days the data covers: from its first order (or the declared first day) to its last (or the declared last day).

    Every analysis of a region is told this span (:attr:`RegionData.coverage`): a quarter
    before it has no data (never zeros), a quarter it only partly covers is partial, and a
    customer whose first order falls in its first quarter may have bought before.
    """
    lo, hi = data_span(con)
    first, last = declared_coverage(source)
    return Coverage(min(lo, first) if first is not None else lo, max(hi, last) if last is not None else hi)


def with_peer_file(peers: pd.DataFrame, source: Source, quarter: Quarter) -> pd.DataFrame:
    """``peers`` plus the rows of regions it lacks from the source's ``peer_quarterly.parquet`` (a hand-off package's)."""
    if source.is_sql or not (source.root / PEER_FILE).is_file():
        return peers
    extra = read_parquet(source.root / PEER_FILE)
    extra = extra[~extra["region"].isin(set(peers["region"])) & (extra["quarter"] <= str(quarter))]
    return pd.concat([peers, extra], ignore_index=True).sort_values(["region", "quarter"], kind="stable", ignore_index=True)


def source_facts(con, source: Source) -> dict:
    """What each region's reports need to know of the whole source, as JSON: its coverage and what its mapping left out.

    The runner writes it into each prepared slice (a slice's own orders do not show the whole data's span).
    """
    return {"coverage": data_coverage(con, source).to_dict(), "exclusions": dict(source.exclusions)}


def resolve_quarter(con, quarter: str | None, last_date=None, *, coverage: Coverage | None = None) -> Quarter:
    """``quarter`` parsed, or the latest complete quarter of the data when None/"latest".

    ``coverage`` is the data's span (:func:`data_coverage`); without it, the span of the
    orders, its end extended to ``last_date`` when given. ``latest`` never picks a partial
    quarter; a partial quarter asked for by name is reported, labelled partial.

    Raises
    ------
    ParamsError
        The quarter is malformed or outside the data, or ``latest`` was asked of data
        covering no complete quarter (the message names the span and the quarters to ask for).
    """
    if coverage is None:
        lo, hi = data_span(con)
        coverage = Coverage(lo, hi if last_date is None else max(hi, pd.Timestamp(last_date)))
    first, last = coverage.first_quarter, coverage.last_quarter
    if quarter in (None, "", "latest"):
        latest = coverage.latest_complete()
        if latest is None:
            partial = str(first) if first == last else f"{first}, {last}"
            raise ParamsError(
                f"quarter: the data covers {coverage}, which holds no complete quarter, so 'latest' has none to pick "
                f"(partial: {partial}); ask for one by name, e.g. --quarter {last}, and the report says it is partial"
            )
        return latest
    q = Quarter.parse(quarter)
    if not coverage.has_data(q):
        raise ParamsError(f"quarter: {q} is outside the data, which covers {coverage} (quarters {first} to {last})")
    return q


def list_regions(con) -> list[str]:
    """Distinct regions as written in ``customers.region``, sorted."""
    return [r[0] for r in con.execute("SELECT DISTINCT region FROM customers WHERE region IS NOT NULL ORDER BY 1").fetchall()]


def match_regions(available: list[str], wanted: str | list[str] | None) -> list[str]:
    """Pick regions case-insensitively; ``"all"``/None gives every region.

    Raises
    ------
    ParamsError
        A requested region is not in the data (the message lists the known ones).
    """
    if wanted is None or wanted == "all" or wanted == ["all"]:
        return list(available)
    names = [w.strip() for w in (wanted.split(",") if isinstance(wanted, str) else wanted) if w.strip()]
    by_key = {a.casefold(): a for a in available}
    by_slug = {slugify(a): a for a in available}
    out, unknown = [], []
    for n in names:
        hit = by_key.get(n.casefold()) or by_slug.get(n.casefold())
        (out if hit else unknown).append(hit or n)
    if unknown:
        raise ParamsError(f"regions: {', '.join(map(repr, unknown))} not in the data; known regions: {', '.join(available)}")
    return list(dict.fromkeys(out))


PEER_SQL = """
WITH cq AS (
    SELECT c.region, year(t.order_date) * 10 + quarter(t.order_date) AS qk, t.customer_id,
           sum(t.revenue) AS revenue, sum(t.revenue - t.cost) AS gross_profit,
           bool_or(NOT coalesce(t.is_credit_note, FALSE)) AS ordered
    FROM transactions t JOIN customers c USING (customer_id)
    WHERE t.order_date <= ?
    GROUP BY ALL
), totals AS (
    SELECT region, qk, sum(revenue) AS revenue,
           CASE WHEN count(gross_profit) = count(*) THEN sum(gross_profit) END AS gross_profit
    FROM cq GROUP BY region, qk
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY region, qk ORDER BY revenue, customer_id) AS i,
              count(*) OVER (PARTITION BY region, qk) AS n,
              row_number() OVER (PARTITION BY region, qk ORDER BY revenue DESC, customer_id) AS rank_desc
    FROM cq WHERE ordered
), shape AS (
    SELECT region, qk, count(*) AS customers,
           sum((2 * i - n - 1) * revenue) / (max(n) * sum(revenue)) AS gini_revenue,
           sum(revenue) FILTER (WHERE rank_desc <= ceil(0.2 * n)) / sum(revenue) AS top20_share_revenue
    FROM ranked GROUP BY region, qk
)
SELECT region, CAST(qk // 10 AS VARCHAR) || 'Q' || CAST(qk % 10 AS VARCHAR) AS quarter,
       coalesce(s.customers, 0) AS customers, t.revenue, t.gross_profit, s.gini_revenue, s.top20_share_revenue
FROM totals t LEFT JOIN shape s USING (region, qk) ORDER BY region, qk
"""


def peer_quarterly(con, until: pd.Timestamp) -> pd.DataFrame:
    """Per region and quarter: customers, revenue, gross profit, Gini and top-20% share.

    Revenue and gross profit are net of credit notes (gross profit is missing where the
    cost of goods is); customers, the Gini and the top-20% share are over the customers
    who ordered in the quarter (a customer who only returned goods placed no order).
    The Gini uses the sorted-rank formula G = sum_i (2i - n - 1) x_(i) / (n sum x)
    (e.g. Damgaard & Weiner 2000); no customer ids leave the query.
    """
    out = con.execute(PEER_SQL, [until.date()]).df()
    out["customers"] = out["customers"].astype("int64")
    return out


def load_region(con, region: str, quarter: Quarter, peers: bool = True, coverage: Coverage | None = None) -> RegionData:
    """The region's customers and their history up to the quarter's end.

    ``peers=False`` skips the cross-region aggregates (a prepared slice carries them in a file).
    ``coverage`` is the data's span (default: the span of every order in ``con``, see :func:`data_coverage`).

    Columns in: the validated views. Out: typed frames (see RegionData).
    """
    end = quarter.end.date()
    cust = con.execute(
        f"SELECT {', '.join(_public_cols('customers'))} FROM customers WHERE lower(region) = lower(?) ORDER BY customer_id",
        [region],
    ).df()
    if cust.empty:
        raise ParamsError(f"region: {region!r} has no customers in the data")
    region_name = str(cust["region"].iloc[0])
    in_region = "customer_id IN (SELECT customer_id FROM customers WHERE lower(region) = lower(?))"
    tx = con.execute(
        f"SELECT {', '.join(_public_cols('transactions'))} FROM transactions WHERE {in_region} AND order_date <= ? "
        "ORDER BY order_date, order_id, product_id",
        [region, end],
    ).df()
    tables = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    offers = None
    if "offers" in tables:
        offers = con.execute(
            f"SELECT {', '.join(_public_cols('offers'))} FROM offers WHERE {in_region} AND offer_date <= ? ORDER BY offer_date, offer_id",
            [region, end],
        ).df()
    services = None
    if "service_costs" in tables:
        services = con.execute(
            f"SELECT {', '.join(_public_cols('service_costs'))} FROM service_costs WHERE {in_region} AND month <= ? ORDER BY customer_id, month",
            [region, end],
        ).df()
    peers = peer_quarterly(con, quarter.end) if peers else pd.DataFrame()
    products = None
    if "products" in tables:
        products = con.execute(
            "SELECT product_id, name, category FROM products WHERE product_id IN "
            f"(SELECT DISTINCT product_id FROM transactions WHERE {in_region} AND order_date <= ?) ORDER BY product_id",
            [region, end],
        ).df()
    return RegionData(
        region_name,
        quarter,
        _fix_types(cust),
        _fix_types(tx),
        _fix_types(offers),
        _fix_types(services),
        peers,
        products,
        coverage=coverage if coverage is not None else data_coverage(con),
    )


def with_cost_basis(data: RegionData, gross_margin=None) -> RegionData:
    """``data`` with its cost basis: a missing cost of goods filled from ``gross_margin`` (``assumptions.gross_margin``) when set.

    The one place where a missing cost becomes an assumed one (:func:`custlib.io.facts.with_assumed_margin`):
    the transactions' cost and the peers' gross profit are filled; without a margin they stay
    missing, and ``cost_basis`` tells the report which of the two it shows.
    """
    import dataclasses

    tx, basis = with_assumed_margin(data.transactions, gross_margin)
    peers = data.peer_quarterly
    if basis.assumed and len(peers) and "gross_profit" in peers.columns:
        peers = peers.assign(gross_profit=peers["gross_profit"].fillna(peers["revenue"] * basis.assumed_margin))
    return dataclasses.replace(data, transactions=tx, peer_quarterly=peers, cost_basis=basis)


def _fix_types(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """DuckDB hands dates back as datetime64; make sure numbers are float64."""
    if frame is None:
        return None
    out = frame.copy()
    for col in out.columns:
        if col in ("order_date", "offer_date", "month"):
            out[col] = pd.to_datetime(out[col])
        elif col in (
            "quantity",
            "revenue",
            "cost",
            "contact_cost",
            "response_revenue",
            "wallet_estimate",
            "credit_limit",
            "cost_to_serve",
        ) or col.endswith("_cost"):
            out[col] = out[col].astype("float64")
    return out
