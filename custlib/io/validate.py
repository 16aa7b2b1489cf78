"""Checks every input against the data contract before anything runs.

:func:`validate_source` opens a :class:`~custlib.io.data.Source`, runs every
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
- dates lie between ``validation.min_date`` (a source mapping's ``coverage.from`` instead, when it
  declares one) and today (no future orders), and not after a mapping's ``coverage.to``;
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

from custlib.exceptions import DataError, ParamsError
from custlib.io.contract import TABLES
from custlib.io.data import Source, cost_problems, create_typed_views, open_raw, slugify, typed_expr
from custlib.io.readers import MAPPING_FILE

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


class _Batch:
    """Row-level conditions on one relation, counted together in a single scan.

    ``add`` registers a condition with the SQL of the value to quote and a
    function making the message from (total, examples); ``run`` counts every
    condition with one ``count(*) FILTER`` query and fetches example rows only
    for the conditions that hit.
    """

    def __init__(self, con, relation: str, n: int):
        self.con, self.relation, self.n = con, relation, n
        self.items: list[tuple[str, str, object]] = []

    def add(self, cond: str, value_sql: str, message) -> None:
        self.items.append((cond, value_sql, message))

    def run(self, problems: list[str]) -> None:
        if not self.items:
            return
        counts = ", ".join(f"count(*) FILTER (WHERE {cond})" for cond, _, _ in self.items)
        totals = self.con.execute(f"SELECT {counts} FROM {self.relation}").fetchall()[0]
        for (cond, value_sql, message), total in zip(self.items, totals, strict=True):
            if total:
                ex = self.con.execute(
                    f"SELECT _row, {value_sql} FROM {self.relation} WHERE {cond} ORDER BY _row LIMIT {self.n + 1}"
                ).fetchall()
                problems.append(message(total, ex))


def check(con, source: Source, rules: dict | None = None, today: dt.date | None = None) -> ValidationResult:
    """Run every contract check on the ``raw_*`` tables of ``con``.

    The row-level checks of a table are counted in one scan of it (see
    :class:`_Batch`); keys and cross-table rules take one query each.

    Parameters
    ----------
    con : duckdb connection
        As returned by :func:`custlib.io.data.open_raw`.
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
    rules = _with_declared_coverage({**DEFAULT_RULES, **(rules or {})}, source)
    n = int(rules["max_examples"])
    today = today or dt.date.today()
    res = ValidationResult()
    present = _raw_tables(con)
    for name, table in TABLES.items():
        _check_table(con, source, name, table, name in present, res, rules, today, n)
    create_typed_views(con, res.tables)
    # cross-table rules on the typed views (values that did not parse are NULL there and already reported)
    _check_customer_references(con, source, res, n)
    _check_returns(con, source, res, n)
    _check_region_names(con, source, res)
    return res


def _key_expr(table, column: str, duck_type: str) -> str:
    """A key column's typed value as the analyses see it: a ``month`` is its first day (5 and 20 January are one key)."""
    expr = typed_expr(column, table.column(column).kind, duck_type)
    return f"date_trunc('month', {expr})" if column == "month" else expr


def _with_declared_coverage(rules: dict, source: Source) -> dict:
    """The date rules with a source mapping's ``coverage:``: its ``from`` replaces ``validation.min_date``, its ``to`` bounds dates too.

    The mapping's word on its own export is more precise than a plausibility default: CDNOW's
    orders of 1997 pass with ``coverage: {from: 1997-01-01}``, and a line dated outside the
    declared span is refused, naming the key.
    """
    m = source.mapping
    out = {**rules, "min_date_key": "validation.min_date"}
    if m is None:
        return out
    if m.coverage_from is not None:
        out.update(min_date=f"{m.coverage_from:%Y-%m-%d}", min_date_key=f"coverage.from in {MAPPING_FILE}")
    if m.coverage_to is not None:
        out.update(max_date=f"{m.coverage_to:%Y-%m-%d}", max_date_key=f"coverage.to in {MAPPING_FILE}")
    return out


def _check_region_names(con, source: Source, res: ValidationResult) -> None:
    """Every region can be a report folder, and no two regions share one (``East`` and ``east``).

    A region whose name has no letter or digit (``/``, ``..``, an emoji) has no folder name,
    and two names with the same folder name would write over each other's reports.
    """
    if "customers" not in res.tables:
        return
    label = source.label("customers")
    rows = con.execute("SELECT region, min(_row) FROM customers WHERE region IS NOT NULL GROUP BY region ORDER BY 2").fetchall()
    by_slug: dict[str, list[tuple[str, int]]] = {}
    for region, row in rows:
        try:
            by_slug.setdefault(slugify(region), []).append((region, row))
        except ParamsError:
            res.problems.append(
                f"{label}: region {region!r} (first in row {row}) has no letter or digit to name its report folder; rename it"
            )
    for slug, names in by_slug.items():
        if len(names) > 1:
            shown = ", ".join(f"{r!r} (row {row})" for r, row in names)
            res.problems.append(
                f"{label}: regions {shown} differ only in case or punctuation and would share the report folder '{slug}'; "
                "write them the same way"
            )


def _raw_tables(con) -> set[str]:
    """Names of the tables loaded as ``raw_<name>`` tables or views."""
    return {
        r[0][4:]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() UNION SELECT view_name FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
        if r[0].startswith("raw_")
    }


def _check_table(con, source: Source, name: str, table, present: bool, res: ValidationResult, rules: dict, today: dt.date, n: int) -> None:
    """One table: present if required, its required columns, at least one row, its columns' row checks, unique keys.

    A table that passes the first three is added to ``res.tables`` (with its row count); problems go to ``res.problems``.
    """
    if not present:
        if table.required and name not in source.files:
            where = source.location if source.is_sql else source.root
            res.problems.append(f"{where}: table '{name}' is missing (expected {name}.csv, {name}.xlsx or {name}.parquet)")
        return
    label = source.label(name)
    raw = f'"raw_{name}"'
    types = {r[0]: r[1] for r in con.execute(f"DESCRIBE {raw}").fetchall()}
    missing = [c for c in table.required_columns if c not in types]
    if missing:
        found = ", ".join(c for c in types if c != "_row")
        for c in missing:
            res.problems.append(f"{label}: column '{c}' is missing (found: {found})")
        return
    res.tables.append(name)
    count = con.execute(f"SELECT count(*) FROM {raw}").fetchall()[0][0]
    res.rows[name] = count
    if count == 0:
        res.problems.append(f"{label}: the table has a header but no rows")
        return
    batch = _Batch(con, raw, n)
    for c in table.columns:
        if c.name not in types:
            continue
        _column_checks(batch, label, c, types[c.name], rules, today, n)
    batch.run(res.problems)
    # keys
    n_dups, dups = _duplicate_keys(con, raw, [_key_expr(table, k, types[k]) for k in table.key], n)
    if n_dups:
        key = " + ".join(table.key)
        shown = "; ".join(f"rows {rows}" for _, rows in dups)
        res.problems.append(f"{label}: {n_dups} duplicate key(s) ({key}): {shown}")


def _check_customer_references(con, source: Source, res: ValidationResult, n: int) -> None:
    """Every transaction, offer and service-cost row names a customer of the customers table."""
    for name in ("transactions", "offers", "service_costs"):
        if name not in res.tables or "customers" not in res.tables:
            continue
        fk = _Batch(con, f'"{name}" t ANTI JOIN customers c USING (customer_id)', n)
        fk.add(
            "TRUE",
            "t.customer_id",
            lambda total, ex, name=name: (
                f"{source.label(name)}: {total} row(s) name customers not in {source.label('customers')}: {_rows_list(ex, n)}"
            ),
        )
        fk.run(res.problems)


def _check_returns(con, source: Source, res: ValidationResult, n: int) -> None:
    """A line with negative quantity (a return) has revenue and cost <= 0; any other line has them >= 0."""
    if "transactions" not in res.tables:
        return
    label = source.label("transactions")
    ret = _Batch(con, "transactions", n)
    shown = "format('quantity={}, revenue={}, cost={}', quantity, revenue, cost)"
    ret.add(
        "quantity < 0 AND (revenue > 0 OR cost > 0)",
        shown,
        lambda total, ex: (
            f"{label}: {total} line(s) have negative quantity but positive revenue or cost (a return must have revenue <= 0 and cost <= 0): {_rows_list(ex, n)}"
        ),
    )
    ret.add(
        "quantity >= 0 AND (revenue < 0 OR cost < 0)",
        shown,
        lambda total, ex: (
            f"{label}: {total} line(s) have negative revenue or cost but non-negative quantity (only returns, with negative quantity, may be negative): {_rows_list(ex, n)}"
        ),
    )
    ret.run(res.problems)


def _duplicate_keys(con, relation: str, key_exprs: list[str], n: int) -> tuple[int, list[tuple[int, str]]]:
    """How many key values occur more than once, and the rows of the first ``n`` of them (by first row).

    Counting only (one GROUP BY without aggregates over row numbers) is what a valid table
    costs: 3.3 s for 24 million order lines, where listing every group's rows took 16 s. The
    rows are gathered only for the ``n`` duplicates a message quotes.
    """
    keys = ", ".join(key_exprs)
    total = con.execute(f"SELECT count(*) FROM (SELECT 1 FROM {relation} GROUP BY {keys} HAVING count(*) > 1)").fetchall()[0][0]
    if not total:
        return 0, []
    cols = [f"k{i}" for i in range(len(key_exprs))]
    chosen = ", ".join(f"{e} AS {c}" for e, c in zip(key_exprs, cols, strict=True))
    same = " AND ".join(f"({e}) IS NOT DISTINCT FROM d.{c}" for e, c in zip(key_exprs, cols, strict=True))
    rows = con.execute(
        f"WITH d AS (SELECT {chosen}, min(_row) AS first_row FROM {relation} GROUP BY ALL HAVING count(*) > 1 ORDER BY first_row LIMIT {n}) "
        f"SELECT d.first_row, string_agg(CAST(r._row AS VARCHAR), ', ' ORDER BY r._row) FROM {relation} r JOIN d ON {same} "
        "GROUP BY d.first_row ORDER BY 1"
    ).fetchall()
    return int(total), rows


def _column_checks(batch: _Batch, label: str, c, duck_type: str, rules: dict, today: dt.date, n: int) -> None:
    """Register the row-level checks of one column (see the module docstring for the rules)."""
    col = f'"{c.name}"'
    expr = typed_expr(c.name, c.kind, duck_type)
    text = duck_type.upper().startswith("VARCHAR")
    raw_blank = f"({col} IS NULL OR trim(CAST({col} AS VARCHAR)) = '')" if text else f"({col} IS NULL)"
    if not c.nullable:
        what = "empty or NaN" if c.kind == "number" else "empty"
        batch.add(raw_blank, "NULL", lambda total, ex: f"{label}: column '{c.name}' is {what} in {total} row(s): {_rows_list(ex, n)}")
    if c.kind == "number":
        batch.add(
            f"NOT {raw_blank} AND ({expr} IS NULL OR isnan({expr}) OR isinf({expr}))",
            f"CAST({col} AS VARCHAR)",
            lambda total, ex: (
                f"{label}: column '{c.name}' has {total} value(s) that are not finite numbers: {_rows_list(ex, n)}"
                + ("; a decimal comma must be declared (decimal: ',' in source.yaml)" if any("," in str(v) for _, v in ex) else "")
            ),
        )
        limit = float(rules["max_abs_amount"])
        batch.add(
            f"abs({expr}) > {limit} AND NOT isinf({expr}) AND NOT isnan({expr})",
            expr,
            lambda total, ex: (
                f"{label}: column '{c.name}' has {total} implausibly large value(s) (|x| > {rules['max_abs_amount']:g}, validation.max_abs_amount): {_rows_list(ex, n)}"
            ),
        )
        if c.min_value is not None:
            batch.add(
                f"{expr} < {c.min_value}",
                expr,
                lambda total, ex: f"{label}: column '{c.name}' must be >= {c.min_value:g}; {total} row(s) are below: {_rows_list(ex, n)}",
            )
    elif c.kind in ("date", "bool"):
        what = "dates (expected YYYY-MM-DD)" if c.kind == "date" else "true/false values"
        batch.add(
            f"NOT {raw_blank} AND {expr} IS NULL",
            f"CAST({col} AS VARCHAR)",
            lambda total, ex: f"{label}: column '{c.name}' has {total} value(s) that are not {what}: {_rows_list(ex, n)}",
        )
        if c.kind == "date":
            lo, lo_key = rules["min_date"], rules.get("min_date_key", "validation.min_date")
            if c.name == "month":  # any day of a month stands for the month: compare months
                lo = dt.date.fromisoformat(str(lo)).replace(day=1).isoformat()
                expr = f"date_trunc('month', {expr})"
            batch.add(
                f"{expr} < DATE '{lo}'",
                f"CAST({expr} AS VARCHAR)",
                lambda total, ex: f"{label}: column '{c.name}' has {total} date(s) before {lo} ({lo_key}): {_rows_list(ex, n)}",
            )
            if rules.get("max_date"):
                hi, hi_key = rules["max_date"], rules["max_date_key"]
                batch.add(
                    f"{expr} > DATE '{hi}'",
                    f"CAST({expr} AS VARCHAR)",
                    lambda total, ex: f"{label}: column '{c.name}' has {total} date(s) after {hi} ({hi_key}): {_rows_list(ex, n)}",
                )
            batch.add(
                f"{expr} > DATE '{today.isoformat()}'",
                f"CAST({expr} AS VARCHAR)",
                lambda total, ex: (
                    f"{label}: column '{c.name}' has {total} date(s) in the future (after {today.isoformat()}): {_rows_list(ex, n)}"
                ),
            )
    elif c.kind == "category":
        allowed = ", ".join(f"'{a}'" for a in c.allowed)
        batch.add(
            f"NOT {raw_blank} AND {expr} NOT IN ({allowed})",
            f"CAST({col} AS VARCHAR)",
            lambda total, ex: f"{label}: column '{c.name}' has {total} value(s) outside {', '.join(c.allowed)}: {_rows_list(ex, n)}",
        )


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
    read_problems += cost_problems(con, source)
    res = check(con, source, rules, today)
    res.problems[:0] = read_problems
    if res.problems:
        con.close()
        lines = "\n  - ".join(res.problems)
        raise DataError(f"{source.location}: the data breaks the contract ({len(res.problems)} problem(s)):\n  - {lines}")
    return con, source, res
