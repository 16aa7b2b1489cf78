"""Thin regions pooled into one region, "Other regions", before any region is listed or sliced.

A region whose customers who ordered are fewer than ``report.min_customers`` would get five
reports of "Not available" sections. :func:`pool_thin_regions` counts, for every region of
``customers.region``, the customers who placed at least one order (a credit note is no order,
:mod:`custlib.io.facts`) in the four quarters up to the report quarter's end, and redefines
the ``customers`` view of the connection so that the customers of every region below the
threshold carry the region :data:`OTHER_REGIONS`. Everything that reads regions afterwards
(:func:`custlib.io.data.list_regions`, :func:`~custlib.io.data.load_region`, the per-region
aggregates, the runner's slices) sees one pooled region holding those customers and no one else.

Decisions:

- the count is of distinct customers of the region with an order line (``is_credit_note`` not
  true) dated from the first day of the quarter three before the report quarter to the report
  quarter's last day; a region whose customers did not order in that year counts 0;
- a region is *thin* when its count is below ``min_customers``; ``min_customers`` 1 (or less)
  pools nothing;
- thin regions are pooled only when at least one region is not thin: data whose regions are all
  thin (a small business, a test set) keeps its regions as they are, since pooling them all would
  give one report of the whole company under the name "Other regions";
- one thin region beside bigger ones is pooled too (a pool of one member), so that the rule
  reads the same whatever the number of thin regions;
- a region already named "Other regions" (in any case, or any spelling with the same folder
  name ``other-regions``) is refused with :class:`~custlib.exceptions.ParamsError` when other
  regions would be pooled into it; it is never pooled itself (a hand-off package of the pooled
  region, or its pseudonymised copy, holds the pool already);
- a folder of contract files may say which regions its "Other regions" holds in ``_pooled.json``
  (:func:`declared_pooling`; a hand-off package of the pooled region writes it), so that its
  reports name them when run again where the members' own regions are no longer in the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from custlib.exceptions import ParamsError
from custlib.io.periods import Quarter

#: The pooled region's name as the data carries it (reports translate it as a region name: 其他地区).
OTHER_REGIONS = "Other regions"
#: ``report.min_customers`` when the parameters do not give it.
DEFAULT_MIN_CUSTOMERS = 20
#: The quarters counted: the report quarter and the three before it.
WINDOW_QUARTERS = 4
_UNPOOLED = "customers_unpooled"

COUNT_SQL = """
SELECT c.region, count(DISTINCT o.customer_id) AS customers
FROM (SELECT DISTINCT region FROM {customers} WHERE region IS NOT NULL) c
LEFT JOIN (
    SELECT DISTINCT x.region, t.customer_id
    FROM transactions t JOIN {customers} x USING (customer_id)
    WHERE NOT coalesce(t.is_credit_note, FALSE) AND t.order_date BETWEEN ? AND ?
) o USING (region)
GROUP BY c.region ORDER BY c.region
"""


@dataclass(frozen=True)
class Pooling:
    """Which regions were pooled into :data:`OTHER_REGIONS`, and why.

    Attributes
    ----------
    quarter : str
        The report quarter the counts end with.
    min_customers : int
        ``report.min_customers``.
    counts : dict
        Every region of the data (as written) -> its customers who ordered in the four quarters.
    members : dict
        The pooled regions -> their counts, A-Z; empty when nothing was pooled.
    """

    quarter: str
    min_customers: int
    counts: dict = field(default_factory=dict)
    members: dict = field(default_factory=dict)

    @property
    def pooled(self) -> bool:
        """True when some regions were pooled."""
        return bool(self.members)

    @property
    def window(self) -> tuple[str, str]:
        """The first and last quarter counted."""
        q = Quarter.parse(self.quarter)
        return str(q.shift(1 - WINDOW_QUARTERS)), str(q)

    def region_of(self, region: str) -> str:
        """The region that reports on ``region``: :data:`OTHER_REGIONS` for a pooled member (any case), else itself."""
        members = {m.casefold() for m in self.members}
        return OTHER_REGIONS if str(region).casefold() in members else region

    def requested(self, wanted: str | list[str] | None) -> tuple[str | list[str] | None, list[str]]:
        """``--regions`` with every pooled member (by name, any case, or folder name) replaced by :data:`OTHER_REGIONS`.

        Returns the request to match (:func:`custlib.io.data.match_regions`) and the members named in it.
        """
        from custlib.io.data import slugify

        if wanted is None or wanted == "all" or wanted == ["all"] or not self.members:
            return wanted, []
        names = [w.strip() for w in (wanted.split(",") if isinstance(wanted, str) else wanted) if w.strip()]
        keys = {k: m for m in self.members for k in (m.casefold(), slugify(m))}
        moved = [keys[n.casefold()] for n in names if n.casefold() in keys]
        return [OTHER_REGIONS if n.casefold() in keys else n for n in names], moved

    def to_dict(self) -> dict:
        """As JSON: quarter, window, min_customers, members (name -> count, A-Z); what the manifest and the pooled slice record."""
        first, last = self.window
        return {
            "region": OTHER_REGIONS,
            "quarter": self.quarter,
            "window": [first, last],
            "min_customers": self.min_customers,
            "members": dict(self.members),
        }

    @classmethod
    def from_dict(cls, values: dict | None) -> Pooling | None:
        """The pooling :meth:`to_dict` wrote, or None for an empty or missing record."""
        if not values or not values.get("members"):
            return None
        return cls(str(values["quarter"]), int(values["min_customers"]), {}, {str(k): int(v) for k, v in values["members"].items()})


#: A folder's record of the regions its "Other regions" holds (:meth:`Pooling.to_dict`), written by a hand-off.
POOLED_FILE = "_pooled.json"


def declared_pooling(source) -> dict:
    """What ``_pooled.json`` in a source folder says the pooled region holds (:meth:`Pooling.to_dict`), or ``{}``.

    Raises
    ------
    DataError
        The file is not such a record.
    """
    import json

    from custlib.exceptions import DataError

    path = None if getattr(source, "is_sql", True) else source.root / POOLED_FILE
    if path is None or not path.is_file():
        return {}
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
        Pooling.from_dict(values)  # checks the keys and types
        _first, _last = values["window"]
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise DataError(f"{path}: expected the record of a pooled region (region, quarter, window, min_customers, members)") from err
    return values if values.get("region") == OTHER_REGIONS and values.get("members") else {}


def pooled_record(pooling: Pooling, source=None) -> dict:
    """The run's record of the pooled region: ``pooling``'s when it pooled regions, else the source's ``_pooled.json`` (or ``{}``)."""
    return pooling.to_dict() if pooling.pooled else declared_pooling(source)


def min_customers_of(params: dict | None) -> int:
    """``report.min_customers`` of merged parameters (:data:`DEFAULT_MIN_CUSTOMERS` when absent)."""
    value = ((params or {}).get("report") or {}).get("min_customers")
    return DEFAULT_MIN_CUSTOMERS if value is None else int(value)


def region_counts(con, quarter, customers: str = "customers") -> dict[str, int]:
    """Every region -> its customers who ordered (no credit note) in the four quarters up to ``quarter``'s end.

    Columns in: the validated ``customers`` (region) and ``transactions`` (customer_id, order_date,
    is_credit_note) views. Regions A-Z as DuckDB sorts them.
    """
    q = Quarter.parse(quarter)
    start, end = q.shift(1 - WINDOW_QUARTERS).start.date(), q.end.date()
    rows = con.execute(COUNT_SQL.format(customers=customers), [start, end]).fetchall()
    return {str(region): int(n) for region, n in rows}


def _views(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}


def pool_thin_regions(con, quarter, min_customers: int = DEFAULT_MIN_CUSTOMERS) -> Pooling:
    """Pool the regions with fewer than ``min_customers`` customers who ordered into :data:`OTHER_REGIONS`.

    Redefines the connection's ``customers`` view (the original stays as ``customers_unpooled``;
    calling again re-pools from the original). See the module's docstring for the rules.

    Parameters
    ----------
    con : duckdb connection
        With the validated, typed views (:func:`custlib.io.validate.validate_source`).
    quarter : Quarter or str
        The report quarter.
    min_customers : int
        ``report.min_customers``; 1 or less pools nothing.

    Returns
    -------
    Pooling
        The counts of every region and the members pooled (none when nothing was).

    Raises
    ------
    ParamsError
        Regions would be pooled but the data already has a region named "Other regions".
    """
    from custlib.io.data import slugify

    q = Quarter.parse(quarter)
    source = _UNPOOLED if _UNPOOLED in _views(con) else "customers"
    counts = region_counts(con, q, source)
    clash = [r for r in counts if r.casefold() == OTHER_REGIONS.casefold() or slugify(r) == slugify(OTHER_REGIONS)]
    thin = {r: n for r, n in counts.items() if n < min_customers and r not in clash} if min_customers > 1 else {}
    if not thin or len(thin) == len(counts):
        members = {}
    else:
        members = dict(sorted(thin.items(), key=lambda kv: kv[0].casefold()))
        if clash:
            raise ParamsError(
                f"report.min_customers: {len(members)} region(s) have fewer than {min_customers} customers who ordered and would be "
                f"pooled into {OTHER_REGIONS!r}, but the data already has a region named {clash[0]!r}; rename that region in the "
                "data, or set report.min_customers: 1 to report every region on its own"
            )
    if source == "customers":
        con.execute(f"ALTER VIEW customers RENAME TO {_UNPOOLED}")
    if members:
        names = ", ".join("'" + m.replace("'", "''") + "'" for m in members)
        other = OTHER_REGIONS.replace("'", "''")
        con.execute(
            f"CREATE OR REPLACE VIEW customers AS SELECT * REPLACE "
            f"(CASE WHEN region IN ({names}) THEN '{other}' ELSE region END AS region) FROM {_UNPOOLED}"
        )
    else:
        con.execute(f"CREATE OR REPLACE VIEW customers AS SELECT * FROM {_UNPOOLED}")
    return Pooling(str(q), int(min_customers), counts, members)
