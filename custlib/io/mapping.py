"""Source mappings: read a real export (``source.yaml`` beside the raw files) into the contract's tables.

A source folder may hold ``source.yaml`` saying, per contract table, which raw file
feeds it, which raw column (or arithmetic expression, or constant) gives each field,
and how the file is written: encoding, decimal separator, delimiter, header row, date
format. It may also derive tables the export lacks (customers and products from the
transactions, order ids from customer + date), mark credit notes and non-product
lines, exclude lines without a customer id (counted, with their share of revenue) and
declare that the export has no cost (``cost_known: false``). The README's "Source
mapping" section is the reference.

:func:`open_mapped` produces the same ``raw_<table>`` DuckDB tables as a folder of
contract files, so the contract's checks (:mod:`custlib.io.validate`) run unchanged.
Nothing is guessed: a value that does not parse under the declared rules is reported
with the file, the raw column and the file's line.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from custlib._lightimport import jsonschema as _jsonschema
from custlib.exceptions import DataError
from custlib.io.contract import DERIVED_TABLES, TABLES
from custlib.io.parquet import read_parquet
from custlib.io.readers import MAPPING_FILE, ReadOptions, TableFile, frame_to_duck, number_sql, read_csv, read_xlsx, sheet_to_duck
from custlib.io.yamlfile import YamlError, load_file

if TYPE_CHECKING:  # a type only: custlib.io.data imports this module when a folder holds source.yaml
    from custlib.io.data import Source

jsonschema = _jsonschema()

#: a source.yaml larger than this is refused before parsing (a mapping is a page of text)
MAX_MAPPING_BYTES = 256 * 1024
SCHEMA_FILE = Path(__file__).parent / "source_schema.json"
EXCLUSIONS_FILE = "_exclusions.json"
_READ_KEYS = ("encoding", "decimal", "delimiter", "header", "date_format")
_ISO_DATES = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S"]


@lru_cache(maxsize=1)
def _validator():
    return jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def _schema_error(values, origin: str) -> None:
    errors = sorted(_validator().iter_errors(values), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if not errors:
        return
    err = errors[0]
    where = ".".join(str(p) for p in err.absolute_path)
    if err.validator == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        extra = sorted(set(err.instance) - set(allowed))
        key = ".".join(filter(None, [where, extra[0] if extra else ""]))
        raise DataError(f"{origin}: unknown key '{key}' (known here: {', '.join(allowed)})")
    if err.validator == "oneOf" and where.split(".")[-2:-1] == ["columns"]:
        raise DataError(
            f"{origin}: '{where}' must be a raw column name, {{column: ..., integer: true}}, {{expr: ...}}, {{value: ...}} "
            f"or {{derive: customer_date}} (got {err.instance!r})"
        )
    desc = err.schema.get("description")
    raise DataError(f"{origin}: '{where or '<top>'}' {err.message}" + (f" ({desc})" if desc else ""))


@dataclass
class TableSpec:
    """One table's entry in source.yaml, with the file-wide defaults filled in."""

    name: str
    file: str | None
    derived_from: str | None
    opts: ReadOptions
    decimal: str
    date_format: str | None
    columns: dict
    raw: dict = field(default_factory=dict)


@dataclass
class Mapping:
    """A loaded, schema-checked ``source.yaml``."""

    path: Path
    values: dict
    currency: str | None
    defaults: ReadOptions
    tables: dict[str, TableSpec]
    #: first and last day of the export as ``coverage:`` declares them (None: the first / last order)
    coverage_from: object = None
    coverage_to: object = None

    @property
    def cost_known(self) -> bool:
        tx = self.tables.get("transactions")
        if tx is None:
            return True
        return bool(tx.raw.get("cost_known", tx.columns is None or "cost" in tx.columns))

    def table_files(self, root: Path) -> dict[str, TableFile]:
        """Where each mapped table's raw file is (a derived table names the file it comes from)."""
        out = {}
        for name, spec in self.tables.items():
            if name not in TABLES or (spec.file is None and not spec.derived_from):
                continue  # not mapped, or the contract's own file (found as without a mapping)
            if spec.derived_from:
                src = self.tables[spec.derived_from]
                out[name] = TableFile(name, root / src.file, "derived")
            else:
                path = root / spec.file
                if not path.is_file():
                    raise DataError(f"{self.path}: tables.{name}.file: {spec.file} not found in {root}")
                out[name] = TableFile(name, path, "mapped")
        return out


def load_mapping(path: Path) -> Mapping:
    """Read and check ``source.yaml``.

    Raises
    ------
    DataError
        The file is too large, not YAML, uses aliases, or has an unknown key or a bad
        value (the message names the key and the file, like a params file's).
    """
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_MAPPING_BYTES:
        raise DataError(f"{path}: {size:,} bytes; a source mapping is at most {MAX_MAPPING_BYTES:,} bytes")
    try:
        values = load_file(path)
    except YamlError as err:
        raise DataError(str(err)) from err
    values = values or {}
    if not isinstance(values, dict):
        raise DataError(f"{path}: expected a mapping (currency:, tables:, ...), got {type(values).__name__}")
    values = _dates_as_text(values)
    _schema_error(values, str(path))
    coverage = _coverage(values.get("coverage") or {}, path)
    top = {k: values[k] for k in _READ_KEYS if k in values}
    defaults = _options(top, path, "<top>")
    tables = {}
    for name, spec in (values.get("tables") or {}).items():
        merged = {**top, **{k: spec[k] for k in _READ_KEYS if k in spec}}
        if "names" in spec:
            merged["names"] = spec["names"]
        where = f"tables.{name}"
        if spec.get("file") and spec.get("from"):
            raise DataError(f"{path}: '{where}' has both file: (a raw file) and from: transactions (derived); keep one")
        if not spec.get("file") and not spec.get("from") and "columns" in spec:
            raise DataError(f"{path}: '{where}.columns' needs file: (the raw file they come from)")
        if spec.get("from") and not ((values.get("tables") or {}).get("transactions") or {}).get("file"):
            raise DataError(f"{path}: '{where}.from: transactions' needs a tables.transactions entry with a file:")
        if spec.get("from") and name not in ("customers", "products"):
            raise DataError(f"{path}: '{where}.from': only customers and products can be derived from the transactions")
        if spec.get("from") and "transactions" not in (values.get("tables") or {}):
            raise DataError(f"{path}: '{where}.from: transactions' needs a tables.transactions entry")
        tables[name] = TableSpec(
            name,
            spec.get("file"),
            spec.get("from"),
            _options(merged, path, where),
            merged.get("decimal", "."),
            merged.get("date_format"),
            dict(spec["columns"]) if "columns" in spec else (None if not spec.get("file") and not spec.get("from") else {}),
            spec,
        )
        _check_columns(tables[name], path)
    return Mapping(path, values, values.get("currency"), defaults, tables, *coverage)


def _dates_as_text(values: dict) -> dict:
    """``coverage.from`` / ``to`` written unquoted (YAML reads ``1997-01-01`` as a date) as ``"1997-01-01"``."""
    import datetime as dt

    cov = values.get("coverage")
    if not isinstance(cov, dict):
        return values
    fixed = {k: v.isoformat() if isinstance(v, dt.date) and not isinstance(v, dt.datetime) else v for k, v in cov.items()}
    return {**values, "coverage": fixed}


def _coverage(cov: dict, path: Path):
    """``coverage.from`` and ``coverage.to`` as Timestamps (None when not given); refused when not real dates or reversed."""
    import pandas as pd

    out = []
    for key in ("from", "to"):
        if key not in cov:
            out.append(None)
            continue
        try:
            out.append(pd.Timestamp(cov[key]))
        except ValueError as err:
            raise DataError(f"{path}: 'coverage.{key}' {cov[key]!r} is not a date (YYYY-MM-DD)") from err
    if out[0] is not None and out[1] is not None and out[1] < out[0]:
        raise DataError(f"{path}: 'coverage.to' ({cov['to']}) is before 'coverage.from' ({cov['from']})")
    return out


def _options(values: dict, path: Path, where: str) -> ReadOptions:
    header = values.get("header", True)
    names = tuple(values["names"]) if values.get("names") else None
    if not header and not names:
        raise DataError(f"{path}: '{where}' has header: false but no names: (the columns' names, in order)")
    # declared: the delimiter is the mapping's word, so the "not comma-separated" guard stands down
    return ReadOptions(values.get("encoding", "utf-8"), values.get("delimiter", ","), header, names, declared="delimiter" in values)


def _check_columns(spec: TableSpec, path: Path) -> None:
    table = TABLES.get(spec.name) or DERIVED_TABLES[spec.name]
    known = {c.name for c in table.columns}
    if spec.columns is None:  # the contract's own file, read with the declared options
        return
    for f, v in spec.columns.items():
        where = f"tables.{spec.name}.columns.{f}"
        if f not in known:
            raise DataError(f"{path}: '{where}': {spec.name} has no field '{f}' (fields: {', '.join(sorted(known))})")
        if isinstance(v, dict) and "derive" in v and (spec.name, f) != ("transactions", "order_id"):
            raise DataError(f"{path}: '{where}': derive: customer_date makes order ids only (transactions.columns.order_id)")
        if isinstance(v, dict) and "expr" in v:
            _expr_names(v["expr"], f"{path}: '{where}'")
    if spec.derived_from is None:
        missing = [c for c in table.required_columns if c not in spec.columns and not (c == "cost" and spec.raw.get("cost_known") is False)]
        if missing:
            raise DataError(
                f"{path}: 'tables.{spec.name}.columns' gives no {', '.join(missing)} (every required field needs a column, expr or value)"
            )
    if spec.name == "transactions" and spec.derived_from is None and "cost" not in spec.columns and spec.raw.get("cost_known") is not False:
        raise DataError(
            f"{path}: 'tables.transactions' gives no cost: map a cost column, or declare cost_known: false (cost is then missing, never zero)"
        )
    if spec.raw.get("cost_known") is True and "cost" not in spec.columns:
        raise DataError(f"{path}: 'tables.{spec.name}.cost_known' is true but columns gives no cost")


# --------------------------------------------------------------------------- expressions

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


def _expr_names(expr: str, where: str) -> list[str]:
    """The raw column names an expression uses; raises DataError for anything but arithmetic."""
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError as err:
        raise DataError(f"{where}: expr {expr!r} is not an arithmetic expression: {err.msg}") from err
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.append(node.id)
        elif not isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.USub, ast.UAdd, ast.Constant, ast.Load, *_BINOPS)):
            raise DataError(f"{where}: expr {expr!r}: only column names, numbers, + - * / and parentheses are allowed")
        elif isinstance(node, ast.Constant) and not isinstance(node.value, (int, float)):
            raise DataError(f"{where}: expr {expr!r}: only numbers may be written in an expression")
    return names


def _expr_sql(expr: str, num) -> str:
    """SQL of an arithmetic expression; ``num(name)`` gives a column's number SQL. Backquote names with spaces: `Unit Price`."""

    def walk(n):
        if isinstance(n, ast.Expression):
            return walk(n.body)
        if isinstance(n, ast.BinOp):
            return f"({walk(n.left)} {_BINOPS[type(n.op)]} {walk(n.right)})"
        if isinstance(n, ast.UnaryOp):
            return f"({'-' if isinstance(n.op, ast.USub) else '+'}{walk(n.operand)})"
        if isinstance(n, ast.Constant):
            return repr(float(n.value))
        return num(n.id)

    return walk(ast.parse(expr, mode="eval"))


# --------------------------------------------------------------------------- SQL of fields


def _q(col: str) -> str:
    return '"' + col.replace('"', '""') + '"'


def _lit(v) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)):
        return repr(float(v))
    return "'" + str(v).replace("'", "''") + "'"


def _num(col: str, decimal: str) -> str:
    """DOUBLE from a raw text column under the declared decimal separator (NULL where it does not parse)."""
    q = _q(col)
    if decimal == ".":
        return number_sql(q)
    t = f"trim({q})"
    sep = "[. \u00a0\u202f]"  # thousands: '.', a space, a no-break or narrow no-break space (1.234,5 / 1 234,5)
    ok = f"(regexp_full_match({t}, '[+-]?[0-9]{{1,3}}({sep}[0-9]{{3}})+(,[0-9]*)?') OR regexp_full_match({t}, '[+-]?[0-9]*(,[0-9]*)?'))"
    return f"CASE WHEN {ok} THEN TRY_CAST(replace(regexp_replace({t}, '{sep}', '', 'g'), ',', '.') AS DOUBLE) END"


def _date(col: str, fmt: str | None) -> str:
    t = f"trim({_q(col)})"
    if fmt:
        return f"CAST(TRY_STRPTIME({t}, '{fmt.replace(chr(39), chr(39) * 2)}') AS DATE)"
    fmts = ", ".join(f"'{f}'" for f in _ISO_DATES)
    return f"CAST(TRY_STRPTIME({t}, [{fmts}]) AS DATE)"


def _text(col: str, integer: bool = False) -> str:
    t = f"NULLIF(trim({_q(col)}), '')"
    if integer:
        return f"CASE WHEN regexp_full_match({t}, '[+-]?[0-9]+[.]0*') THEN split_part({t}, '.', 1) ELSE {t} END"
    return t


@dataclass
class _Compiled:
    sql: dict[str, str]  # field -> SQL over the src table
    numbers: set[str]  # raw columns read as numbers
    dates: set[str]  # raw columns read as dates
    used: set[str]  # every raw column used


def _compile(spec: TableSpec, table, fields: dict) -> _Compiled:
    out = _Compiled({}, set(), set(), set())
    for c in table.columns:
        if c.name not in fields:
            continue
        v = fields[c.name]
        if isinstance(v, str):
            v = {"column": v}
        if "value" in v:
            sql = _lit(v["value"])
            sql = f"CAST({sql} AS DATE)" if c.kind == "date" else sql
        elif "expr" in v:
            names = _expr_names(v["expr"], spec.name)
            out.numbers.update(names)
            out.used.update(names)
            sql = _expr_sql(v["expr"], lambda n: _num(n, spec.decimal))
        elif "derive" in v:
            continue  # order ids: made once customer_id and order_date are known
        else:
            col = v["column"]
            out.used.add(col)
            if c.kind == "number":
                out.numbers.add(col)
                sql = _num(col, spec.decimal)
            elif c.kind == "date":
                out.dates.add(col)
                sql = _date(col, spec.date_format)
            else:
                sql = _text(col, bool(v.get("integer")))
        out.sql[c.name] = sql
    return out


# --------------------------------------------------------------------------- opening


def _read_src(con, spec: TableSpec, path: Path, need: set[str]) -> None:
    """The raw file as ``src_<table>``: every column as text, plus ``_row`` (the file's line number)."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] == ".xlsx":
        sheet_to_duck(con, f"src_{spec.name}", read_xlsx(path, None, spec.opts, need=need, text=True)[0])
        con.execute(f'ALTER TABLE "raw_src_{spec.name}" RENAME TO "src_{spec.name}"')
        return
    elif suffixes and suffixes[-1] == ".parquet":
        frame = read_parquet(path).astype("string")  # text, with missing values kept missing
        first = 1
    else:
        frame = read_csv(path, None, spec.opts)
        first = 2 if spec.opts.header else 1
    frame_to_duck(con, f"src_{spec.name}", frame, first)
    con.execute(f'ALTER TABLE "raw_src_{spec.name}" RENAME TO "src_{spec.name}"')


def _rows_list(rows, n: int = 5) -> str:
    shown = ", ".join(f"row {r} ({v!r})" for r, v in rows[:n])
    return shown + (" ..." if len(rows) > n else "")


def _parse_problems(con, spec: TableSpec, comp: _Compiled, label: str) -> list[str]:
    """Raw values that do not parse under the declared rules, named by file, raw column and line."""
    out = []
    checks = [(c, _num(c, spec.decimal), "numbers") for c in sorted(comp.numbers)]
    checks += [(c, _date(c, spec.date_format), "dates") for c in sorted(comp.dates)]
    if not checks:
        return out
    conds = [f"NULLIF(trim({_q(c)}), '') IS NOT NULL AND {sql} IS NULL" for c, sql, _ in checks]
    counts = con.execute(f"SELECT {', '.join(f'count(*) FILTER (WHERE {w})' for w in conds)} FROM src_{spec.name}").fetchall()[0]
    for (col, _sql, what), cond, total in zip(checks, conds, counts, strict=True):
        if not total:
            continue
        ex = con.execute(f"SELECT _row, {_q(col)} FROM src_{spec.name} WHERE {cond} ORDER BY _row LIMIT 6").fetchall()
        if what == "dates":
            how = f"date_format {spec.date_format!r}" if spec.date_format else "YYYY-MM-DD (or declare date_format)"
        else:
            how = f"decimal {spec.decimal!r}"
        hint = ""
        if what == "numbers" and spec.decimal == "." and any("," in str(v) for _, v in ex):
            hint = "; a decimal comma must be declared (decimal: ',' in source.yaml)"
        out.append(f"{label}: column '{col}' has {total} value(s) that are not {what} ({how}){hint}: {_rows_list(ex)}")
    return out


def open_mapped(con, source: Source) -> tuple[list[str], list[str], set[str]]:
    """Create ``raw_<table>`` for every table ``source.yaml`` maps or derives.

    Returns the tables created, the problems met (each naming file, column and line) and
    the tables the mapping handles (the others are read as contract files). Fills
    ``source.exclusions``.
    """
    m = source.mapping
    found, problems = [], []
    specs = {n: sp for n, sp in m.tables.items() if sp.file or sp.derived_from}
    for name, tf in source.files.items():  # contract CSV files beside the mapping: read with its declared options
        if name not in specs and tf.path.suffix.lower() == ".csv":
            own = m.tables.get(name)
            if own is not None:
                specs[name] = TableSpec(name, tf.path.name, None, own.opts, own.decimal, own.date_format, None, own.raw)
            else:
                top = {k: m.values[k] for k in ("decimal", "date_format") if k in m.values}
                specs[name] = TableSpec(name, tf.path.name, None, m.defaults, top.get("decimal", "."), top.get("date_format"), None, {})
    handled = {n for n in specs if n in TABLES or n in DERIVED_TABLES}
    order = sorted(specs, key=lambda n: (specs[n].derived_from is not None, n))
    for name in order:
        spec = specs[name]
        try:
            if spec.derived_from:
                if "transactions" not in found:
                    continue  # its problems are already reported
                _derive(con, source, spec)
            else:
                errs = _open_file(con, source, spec)
                if errs:
                    problems.extend(errs)
                    continue
            found.append(name)
        except DataError as err:
            problems.append(str(err))
    if "products" in found:
        have = {r[0] for r in con.execute('DESCRIBE "raw_products"').fetchall()}
        cols = ", ".join(
            f'"{c.name}"' if c.name in have else f'CAST(NULL AS VARCHAR) AS "{c.name}"' for c in DERIVED_TABLES["products"].columns
        )
        con.execute(f'CREATE OR REPLACE VIEW products AS SELECT {cols}, _row FROM "raw_products"')
        found.remove("products")
    return [f for f in found if f in TABLES], problems, handled


def _label(source: Source, spec: TableSpec) -> str:
    return f"{spec.file} ({spec.name} via {MAPPING_FILE})"


def _open_file(con, source: Source, spec: TableSpec) -> list[str]:
    table = TABLES.get(spec.name) or DERIVED_TABLES[spec.name]
    path = source.root / spec.file
    label = _label(source, spec)
    fields = spec.columns
    if fields is None:  # a contract file read with the mapping's options: each field from its own column
        _read_src(con, spec, path, set())
        present = [r[0] for r in con.execute(f"DESCRIBE src_{spec.name}").fetchall() if r[0] != "_row"]
        no_cost = spec.raw.get("cost_known") is False
        missing = [c for c in table.required_columns if c not in present and not (c == "cost" and no_cost)]
        if missing:
            return [f"{path.name}: column '{c}' is missing (found: {', '.join(present)})" for c in missing]
        spec.columns = {c.name: c.name for c in table.columns if c.name in present}
        fields = spec.columns
        label = path.name
    cols_used = set()
    for v in fields.values():
        if isinstance(v, str):
            cols_used.add(v)
        elif "column" in v:
            cols_used.add(v["column"])
        elif "expr" in v:
            cols_used.update(_expr_names(v["expr"], label))
    if not con.execute(f"SELECT count(*) FROM duckdb_tables() WHERE table_name = 'src_{spec.name}'").fetchall()[0][0]:
        _read_src(con, spec, path, cols_used)
    present = [r[0] for r in con.execute(f"DESCRIBE src_{spec.name}").fetchall() if r[0] != "_row"]
    missing = sorted(cols_used - set(present))
    if missing:
        return [f"{label}: column '{c}' is missing (found: {', '.join(present)})" for c in missing]
    comp = _compile(spec, table, fields)
    errs = _parse_problems(con, spec, comp, label)
    if errs:
        return errs
    sql = dict(comp.sql)
    if spec.name != "transactions":
        sel = ", ".join(f'{s} AS "{f}"' for f, s in sql.items())
        con.execute(f'CREATE OR REPLACE TABLE "raw_{spec.name}" AS SELECT _row, {sel} FROM src_{spec.name}')
        return []
    return _transactions(con, source, spec, sql, label)


def _transactions(con, source: Source, spec: TableSpec, sql: dict, label: str) -> list[str]:
    raw = spec.raw
    order = spec.columns.get("order_id")
    if isinstance(order, dict) and "derive" in order:
        sql["order_id"] = f"({sql['customer_id']}) || '-' || strftime({sql['order_date']}, '%Y%m%d')"
    if "cost" not in sql:
        sql["cost"] = "CAST(NULL AS DOUBLE)"
    credit = []
    rule = raw.get("credit_notes") or {}
    if rule.get("order_prefix"):
        oc = order if isinstance(order, str) else (order or {}).get("column")
        if not oc:
            return [f"{MAPPING_FILE}: 'tables.transactions.credit_notes.order_prefix' needs order_id mapped from a raw column"]
        credit.append(f"coalesce(starts_with(trim({_q(oc)}), {_lit(rule['order_prefix'])}), FALSE)")
    if rule.get("negative_quantity"):
        credit.append(f"coalesce(({sql['quantity']}) < 0, FALSE)")
    sql["is_credit_note"] = " OR ".join(credit) if credit else "FALSE"
    codes = [str(c).strip().upper() for c in raw.get("non_product_codes") or []]
    sql["is_non_product"] = f"coalesce(upper({sql['product_id']}) IN ({', '.join(map(_lit, codes))}), FALSE)" if codes else "FALSE"
    sel = ", ".join(f'{s} AS "{f}"' for f, s in sql.items())
    con.execute(f"CREATE OR REPLACE TEMP TABLE _mapped_tx AS SELECT _row, {sel} FROM src_transactions")
    record = {"file": spec.file, "table": "transactions", "currency": source.currency}
    n_all, rev_all = con.execute("SELECT count(*), sum(revenue) FROM _mapped_tx").fetchall()[0]
    record.update(lines_read=int(n_all), revenue_read=float(rev_all or 0.0))
    keep = "TRUE"
    if raw.get("missing_customer") == "exclude":
        n, rev = con.execute("SELECT count(*), coalesce(sum(revenue), 0) FROM _mapped_tx WHERE customer_id IS NULL").fetchall()[0]
        record["missing_customer_id"] = {
            "lines": int(n),
            "line_share": n / n_all if n_all else 0.0,
            "revenue": float(rev),
            "revenue_share": float(rev) / rev_all if rev_all else 0.0,
        }
        keep = "customer_id IS NOT NULL"
    cols = list(sql)
    if raw.get("duplicates") == "sum":
        agg = []
        for f in cols:
            if f in ("order_id", "product_id"):
                agg.append(f'"{f}"')
            elif f in ("quantity", "revenue", "cost"):
                agg.append(f'sum("{f}") AS "{f}"')
            elif f in ("is_credit_note", "is_non_product"):
                agg.append(f'bool_or("{f}") AS "{f}"')
            else:
                agg.append(f'arg_min("{f}", _row) AS "{f}"')
        body = f"SELECT min(_row) AS _row, {', '.join(agg)}, count(*) AS _lines FROM _mapped_tx WHERE {keep} GROUP BY order_id, product_id"
        con.execute(f'CREATE OR REPLACE TABLE "raw_transactions" AS SELECT * EXCLUDE (_lines) FROM ({body})')
        merged = con.execute(f"SELECT count(*) - count(DISTINCT (order_id, product_id)) FROM _mapped_tx WHERE {keep}").fetchall()[0][0]
        record["duplicate_lines_merged"] = int(merged)
    else:
        con.execute(f'CREATE OR REPLACE TABLE "raw_transactions" AS SELECT * FROM _mapped_tx WHERE {keep}')
    flags = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE is_credit_note), count(*) FILTER (WHERE is_non_product), "
        "coalesce(sum(revenue) FILTER (WHERE is_credit_note), 0), coalesce(sum(revenue) FILTER (WHERE is_non_product), 0) FROM raw_transactions"
    ).fetchall()[0]
    record.update(
        lines_kept=int(flags[0]),
        credit_note_lines=int(flags[1]),
        non_product_lines=int(flags[2]),
        credit_note_revenue=float(flags[3]),
        non_product_revenue=float(flags[4]),
        cost_known=source.cost_known,
    )
    source.exclusions = record
    return []


def _derive(con, source: Source, spec: TableSpec) -> None:
    """customers or products from the transactions file: one row per id, each field the id's most frequent value."""
    tx = source.mapping.tables["transactions"]
    table = TABLES.get(spec.name) or DERIVED_TABLES[spec.name]
    key = "customer_id" if spec.name == "customers" else "product_id"
    comp_tx = _compile(tx, TABLES["transactions"], tx.columns)
    key_sql = comp_tx.sql[key]
    fields = dict(spec.columns)
    if spec.name == "customers":
        fields.setdefault("name", None)
        if "region" not in fields or "market_type" not in fields:
            raise DataError(
                f"{MAPPING_FILE}: 'tables.customers' derived from transactions needs columns.region (a column such as Country, "
                "or {value: ...}) and columns.market_type (e.g. {value: reseller})"
            )
    src_types = {r[0] for r in con.execute("DESCRIBE src_transactions").fetchall()}
    label = _label(source, tx)
    for f, v in fields.items():
        col = v if isinstance(v, str) else (v or {}).get("column")
        if col and col not in src_types:
            raise DataError(f"{label}: column '{col}' (for {spec.name}.{f}) is missing (found: {', '.join(sorted(src_types - {'_row'}))})")
    keep = f"({key_sql}) IS NOT NULL"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _keys AS SELECT {key_sql} AS k, min(_row) AS _row FROM src_transactions WHERE {keep} GROUP BY 1"
    )
    sel, joins, several = ["_keys._row", f'_keys.k AS "{key}"'], [], {}
    comp = _compile(spec, table, {f: v for f, v in fields.items() if v is not None})
    for i, c in enumerate(table.columns):
        if c.name == key:
            continue
        if c.name not in fields:
            if c.required:  # a field the export lacks (industry, size band): empty
                sel.append(f'CAST(NULL AS {"DOUBLE" if c.kind == "number" else "VARCHAR"}) AS "{c.name}"')
            continue
        v = fields[c.name]
        if v is None:  # name defaults to the id
            sel.append(f'_keys.k AS "{c.name}"')
            continue
        if isinstance(v, dict) and "value" in v:
            sel.append(f'{comp.sql[c.name]} AS "{c.name}"')
            continue
        val = comp.sql[c.name]
        a = f"f{i}"
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _{a} AS SELECT k, first(v ORDER BY n DESC, last_row DESC) AS v, count(*) AS n_values FROM "
            f"(SELECT {key_sql} AS k, {val} AS v, count(*) AS n, max(_row) AS last_row FROM src_transactions "
            f"WHERE {keep} AND ({val}) IS NOT NULL GROUP BY 1, 2) GROUP BY k"
        )
        several[c.name] = con.execute(f"SELECT count(*) FILTER (WHERE n_values > 1) FROM _{a}").fetchall()[0][0]
        joins.append(f"LEFT JOIN _{a} ON _{a}.k = _keys.k")
        sel.append(f'_{a}.v AS "{c.name}"')
    con.execute(f'CREATE OR REPLACE TABLE "raw_{spec.name}" AS SELECT {", ".join(sel)} FROM _keys {" ".join(joins)}')
    if source.exclusions is not None and spec.name == "customers":
        source.exclusions["customers_derived"] = int(con.execute("SELECT count(*) FROM raw_customers").fetchall()[0][0])
        source.exclusions["customers_with_several_values"] = {k: int(v) for k, v in several.items() if v}


# --------------------------------------------------------------------------- for reports


def exclusions(source: Source) -> dict:
    """What the mapping left out or marked, as data (empty without a mapping).

    Keys: ``file``, ``lines_read``, ``revenue_read``, ``missing_customer_id`` (``lines``,
    ``line_share``, ``revenue``, ``revenue_share``: net revenue of the excluded lines over
    the net revenue of every line read), ``lines_kept``, ``duplicate_lines_merged``,
    ``credit_note_lines``/``_revenue``, ``non_product_lines``/``_revenue``, ``cost_known``,
    ``currency``, ``customers_derived``. Call after :func:`custlib.io.data.open_raw`.
    """
    return dict(source.exclusions)


def describe_exclusions(source: Source) -> list[str]:
    """Lines for ``custlib validate``: what the mapping read, left out, merged and marked (English, for the console)."""
    r = source.exclusions
    if not r:
        return []
    cur = f" {r['currency']}" if r.get("currency") else ""
    out = [f"{r['file']}: {r['lines_read']:,} lines read, net revenue {r['revenue_read']:,.2f}{cur}"]
    miss = r.get("missing_customer_id")
    if miss:
        out.append(
            f"excluded: {miss['lines']:,} lines without a customer id ({miss['line_share']:.1%} of lines), "
            f"revenue {miss['revenue']:,.2f}{cur} ({miss['revenue_share']:.1%} of net revenue)"
        )
    if r.get("duplicate_lines_merged"):
        out.append(f"merged: {r['duplicate_lines_merged']:,} lines repeating an order + product, summed into one line each")
    out.append(
        f"marked: {r['credit_note_lines']:,} credit-note lines (revenue {r['credit_note_revenue']:,.2f}{cur}), "
        f"{r['non_product_lines']:,} non-product lines (revenue {r['non_product_revenue']:,.2f}{cur})"
    )
    if "customers_derived" in r:
        several = r.get("customers_with_several_values") or {}
        extra = "".join(f"; {n:,} with more than one {f} (the most frequent is kept)" for f, n in several.items())
        out.append(f"customers: {r['customers_derived']:,} derived from the transactions{extra}")
    if not r.get("cost_known", True):
        out.append("cost: not in the export (cost_known: false); profit figures are unavailable, not zero")
    return out


def write_exclusions(source: Source, folder: Path) -> Path:
    """Write :func:`exclusions` as ``_exclusions.json`` into ``folder`` (for a report to read)."""
    path = Path(folder) / EXCLUSIONS_FILE
    path.write_text(json.dumps(exclusions(source), indent=2, ensure_ascii=False), encoding="utf-8")
    return path
