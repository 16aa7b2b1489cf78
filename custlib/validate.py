"""Checks every input against the data contract before anything runs.

:func:`validate_source` opens a :class:`~custlib.data.Source`, runs every
check in DuckDB and either returns a connection holding typed, validated
views or raises :class:`~custlib.exceptions.DataError` listing every problem
found, each naming the file, the column and the first offending rows.

Rules (documented in the README's data contract):

- required tables (customers, transactions) and required columns present;
  extra columns are kept and ignored; a table must have at least one row;
- every value parses as its column's type (dates ``YYYY-MM-DD``,
  ``YYYY/MM/DD`` and a few other unambiguous forms; numbers with optional
  thousands separators; booleans true/false/yes/no/1/0);
- keys are unique, and required values are not empty;
- no NaN or infinite amounts, and none whose absolute value exceeds
  ``validation.max_abs_amount``;
- dates lie between ``validation.min_date`` and today (no future orders);
- every transaction, offer and service-cost row names a known customer;
- ``market_type`` is one of the five market types;
- returns: a line with negative quantity is a return and must have
  revenue <= 0 and cost <= 0; a line with non-negative quantity must have
  revenue >= 0 and cost >= 0;
- non-negative columns (costs, wallet estimates) are not negative.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from .contract import TABLES
from .data import Source, create_typed_views, open_raw, typed_expr
from .exceptions import DataError

DEFAULT_RULES = {"min_date": "2000-01-01", "max_abs_amount": 1.0e12, "max_examples": 5}


@dataclass
class ValidationResult:
    """What validation found: the problems and the tables present."""

    problems: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def _rows_list(rows, n) -> str:
    shown = ", ".join(f"row {r}" + (f" ({v!r})" if v is not None else "") for r, v in rows[:n])
    return shown + (" ..." if len(rows) > n else "")


def _examples(con, sql: str, n: int) -> tuple[int, list]:
    total = con.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0]
    if not total:
        return 0, []
    rows = con.execute(f"SELECT * FROM ({sql}) ORDER BY 1 LIMIT {n + 1}").fetchall()
    return total, rows


def check(con, source: Source, rules: dict | None = None, today: dt.date | None = None) -> ValidationResult:
    """Run every contract check on the ``raw_*`` tables of ``con``.

    Parameters
    ----------
    con : duckdb connection
        As returned by :func:`custlib.data.open_raw`.
    source : Source
        Used to name files in messages.
    rules : dict, optional
        ``min_date``, ``max_abs_amount``, ``max_examples`` (see DEFAULT_RULES).
    today : date, optional
        The date after which orders count as "in the future" (default: today).

    Returns
    -------
    ValidationResult
    """
    rules = {**DEFAULT_RULES, **(rules or {})}
    n = int(rules["max_examples"])
    today = today or dt.date.today()
    res = ValidationResult()
    present = {
        r[0][4:]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() UNION SELECT view_name FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
        if r[0].startswith("raw_")
    }
    for name, table in TABLES.items():
        if name not in present:
            if table.required and name not in source.files:
                where = source.location if source.is_sql else source.root
                res.problems.append(f"{where}: table '{name}' is missing (expected {name}.csv, {name}.xlsx or {name}.parquet)")
            continue
        label = source.label(name)
        raw = f'"raw_{name}"'
        types = {r[0]: r[1] for r in con.execute(f"DESCRIBE {raw}").fetchall()}
        missing = [c for c in table.required_columns if c not in types]
        if missing:
            found = ", ".join(c for c in types if c != "_row")
            for c in missing:
                res.problems.append(f"{label}: column '{c}' is missing (found: {found})")
            continue
        res.tables.append(name)
        count = con.execute(f"SELECT count(*) FROM {raw}").fetchall()[0][0]
        res.rows[name] = count
        if count == 0:
            res.problems.append(f"{label}: the table has a header but no rows")
            continue
        for c in table.columns:
            if c.name not in types:
                continue
            col = f'"{c.name}"'
            expr = typed_expr(c.name, c.kind, types[c.name])
            raw_blank = f"({col} IS NULL OR trim(CAST({col} AS VARCHAR)) = '')"
            if not c.nullable:
                total, ex = _examples(con, f"SELECT _row, NULL FROM {raw} WHERE {raw_blank}", n)
                if total:
                    what = "empty or NaN" if c.kind == "number" else "empty"
                    res.problems.append(f"{label}: column '{c.name}' is {what} in {total} row(s): {_rows_list(ex, n)}")
            if c.kind == "number":
                bad_sql = f"SELECT _row, CAST({col} AS VARCHAR) FROM {raw} WHERE NOT {raw_blank} AND ({expr} IS NULL OR isnan({expr}) OR isinf({expr}))"
                total, ex = _examples(con, bad_sql, n)
                if total:
                    res.problems.append(f"{label}: column '{c.name}' has {total} value(s) that are not finite numbers: {_rows_list(ex, n)}")
                big = f"SELECT _row, {expr} FROM {raw} WHERE abs({expr}) > {float(rules['max_abs_amount'])} AND NOT isinf({expr}) AND NOT isnan({expr})"
                total, ex = _examples(con, big, n)
                if total:
                    res.problems.append(
                        f"{label}: column '{c.name}' has {total} implausibly large value(s) (|x| > {rules['max_abs_amount']:g}, validation.max_abs_amount): {_rows_list(ex, n)}"
                    )
                if c.min_value is not None:
                    total, ex = _examples(con, f"SELECT _row, {expr} FROM {raw} WHERE {expr} < {c.min_value}", n)
                    if total:
                        res.problems.append(
                            f"{label}: column '{c.name}' must be >= {c.min_value:g}; {total} row(s) are below: {_rows_list(ex, n)}"
                        )
            elif c.kind in ("date", "bool"):
                what = "dates (expected YYYY-MM-DD)" if c.kind == "date" else "true/false values"
                total, ex = _examples(con, f"SELECT _row, CAST({col} AS VARCHAR) FROM {raw} WHERE NOT {raw_blank} AND {expr} IS NULL", n)
                if total:
                    res.problems.append(f"{label}: column '{c.name}' has {total} value(s) that are not {what}: {_rows_list(ex, n)}")
                if c.kind == "date" and c.name != "month":
                    lo = rules["min_date"]
                    total, ex = _examples(con, f"SELECT _row, CAST({expr} AS VARCHAR) FROM {raw} WHERE {expr} < DATE '{lo}'", n)
                    if total:
                        res.problems.append(
                            f"{label}: column '{c.name}' has {total} date(s) before {lo} (validation.min_date): {_rows_list(ex, n)}"
                        )
                    total, ex = _examples(
                        con, f"SELECT _row, CAST({expr} AS VARCHAR) FROM {raw} WHERE {expr} > DATE '{today.isoformat()}'", n
                    )
                    if total:
                        res.problems.append(
                            f"{label}: column '{c.name}' has {total} date(s) in the future (after {today.isoformat()}): {_rows_list(ex, n)}"
                        )
            elif c.kind == "category":
                allowed = ", ".join(f"'{a}'" for a in c.allowed)
                total, ex = _examples(
                    con, f"SELECT _row, CAST({col} AS VARCHAR) FROM {raw} WHERE NOT {raw_blank} AND {expr} NOT IN ({allowed})", n
                )
                if total:
                    res.problems.append(
                        f"{label}: column '{c.name}' has {total} value(s) outside {', '.join(c.allowed)}: {_rows_list(ex, n)}"
                    )
        # keys
        key_exprs = ", ".join(typed_expr(k, TABLES[name].column(k).kind, types[k]) for k in table.key)
        dup_sql = (
            f"SELECT min(_row) AS first_row, string_agg(CAST(_row AS VARCHAR), ', ' ORDER BY _row) FROM {raw} "
            f"GROUP BY {key_exprs} HAVING count(*) > 1"
        )
        total, ex = _examples(con, dup_sql, n)
        if total:
            key = " + ".join(table.key)
            shown = "; ".join(f"rows {rows}" for _, rows in ex[:n])
            res.problems.append(f"{label}: {total} duplicate key(s) ({key}): {shown}")
    create_typed_views(con, res.tables)
    # cross-table rules on the typed views (values that did not parse are NULL there and already reported)
    for name in ("transactions", "offers", "service_costs"):
        if name not in res.tables or "customers" not in res.tables:
            continue
        sql = f"SELECT _row, customer_id FROM {name} WHERE customer_id NOT IN (SELECT customer_id FROM customers)"
        total, ex = _examples(con, sql, n)
        if total:
            res.problems.append(
                f"{source.label(name)}: {total} row(s) name customers not in {source.label('customers')}: {_rows_list(ex, n)}"
            )
    if "transactions" in res.tables:
        label = source.label("transactions")
        sql = "SELECT _row, format('quantity={}, revenue={}, cost={}', quantity, revenue, cost) FROM transactions WHERE quantity < 0 AND (revenue > 0 OR cost > 0)"
        total, ex = _examples(con, sql, n)
        if total:
            res.problems.append(
                f"{label}: {total} line(s) have negative quantity but positive revenue or cost (a return must have revenue <= 0 and cost <= 0): {_rows_list(ex, n)}"
            )
        sql = "SELECT _row, format('quantity={}, revenue={}, cost={}', quantity, revenue, cost) FROM transactions WHERE quantity >= 0 AND (revenue < 0 OR cost < 0)"
        total, ex = _examples(con, sql, n)
        if total:
            res.problems.append(
                f"{label}: {total} line(s) have negative revenue or cost but non-negative quantity (only returns, with negative quantity, may be negative): {_rows_list(ex, n)}"
            )
    return res


def validate_source(
    location, rules: dict | None = None, today: dt.date | None = None
) -> tuple[duckdb.DuckDBPyConnection, Source, ValidationResult]:
    """Open ``location``, check it, and return a connection with typed views.

    Raises
    ------
    DataError
        With every problem found, one per line.
    """
    source = location if isinstance(location, Source) else Source(location)
    con, _, read_problems = open_raw(source)
    res = check(con, source, rules, today)
    res.problems[:0] = read_problems
    if res.problems:
        con.close()
        lines = "\n  - ".join(res.problems)
        raise DataError(f"{source.location}: the data breaks the contract ({len(res.problems)} problem(s)):\n  - {lines}")
    return con, source, res
