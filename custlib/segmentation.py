"""Customer segmentation: ABC, RFM, value pyramids, scorecard, clusters, loyalty,
relationship stage, market type and migration between quarters.

Everything here is a pure function over DataFrames (or a scikit-learn style
model); the report notebook ``01_segment_customers`` calls
:func:`segment_region` once and shows one table or chart per section.

The per-customer measures all analyses share come from
:func:`customer_features`: one row per customer of the region, measured at a
quarter's end over a trailing window of ``window_months`` months (12 by
default, so seasonality does not move customers between classes).

What a manager reads is prepared at the end: :meth:`SegmentationReport.view`
(headers in words, no scores in customer lists), :func:`headline_figures`
(the executive summary) and the Chinese catalogue this module registers with
:func:`custlib.present.i18n.register` when imported (that only fills the catalogue).

Sources
-------
- ABC / Pareto classes: Dickie, H. F. (1951) "ABC inventory analysis shoots
  for dollars, not pennies", Factory Management and Maintenance 109(7), applied
  to customers as in Kotler & Keller, *Marketing Management* (15th ed.), ch. 5.
- RFM: Hughes, A. M. (1994) *Strategic Database Marketing*, ch. 8 (quintile
  scores); segment names after the usual 5 x 5 recency x frequency map used
  in CRM practice (the cell table is :data:`RFM_SEGMENTS`).
- Value pyramid: Zeithaml, V. A., Rust, R. T. & Lemon, K. N. (2001) "The
  customer pyramid: creating and serving profitable customers", California
  Management Review 43(4), 118-142 (tiers platinum, gold, iron, lead).
- Value scorecard: current vs potential value as in Verhoef, P. C. &
  Donkers, B. (2001) "Predicting customer potential value", Decision Support
  Systems 32(2), 189-199.
- k-means: Lloyd (1982), scikit-learn's :class:`~sklearn.cluster.KMeans`;
  silhouette: Rousseeuw, P. J. (1987) J. Comput. Appl. Math. 20, 53-65;
  fitting on a random sample of a large region and assigning the rest to
  the nearest centre: Sculley, D. (2010) "Web-scale k-means clustering",
  WWW '10, 1177-1178 (see :class:`CustomerClusters`).
- Loyalty status (loyal, switcher, no loyalty): Kotler & Keller (15th ed.),
  ch. 9 "behavioral segmentation: loyalty status"; purchase regularity as the
  coefficient of variation of inter-purchase times: Platzer, M. &
  Reutterer, T. (2016) "Ticking away the moments", Marketing Science 35(5).
- Share of wallet: Keiningham, T. L. et al. (2005) "Does customer satisfaction
  lead to profitability?", Managing Service Quality 15(2), 172-181.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from custlib.exceptions import DataError, InsufficientDataError, NotFittedError, ParamsError
from custlib.io.contract import MARKET_TYPES
from custlib.io.periods import Quarter
from custlib.present import i18n
from custlib.reports.context import Sections

# ---------------------------------------------------------------------------
# Constants and default parameters
# ---------------------------------------------------------------------------

SEGMENT_ORDER = (
    "champions",
    "loyal",
    "potential loyalists",
    "new",
    "promising",
    "need attention",
    "about to sleep",
    "at risk",
    "can't lose",
    "hibernating",
)
"""RFM segment names, best first (the order tables and matrices use)."""

AT_RISK_SEGMENTS = ("need attention", "about to sleep", "at risk", "can't lose", "hibernating")
"""RFM segments that mean a customer is slipping or gone."""

RFM_SEGMENTS: dict[str, tuple[str, ...]] = {
    # R = recency score (5 = bought most recently), F = frequency score (5 = most orders)
    "champions": ("R5F4", "R5F5"),
    "loyal": ("R3F4", "R3F5", "R4F4", "R4F5"),
    "potential loyalists": ("R4F2", "R4F3", "R5F2", "R5F3"),
    "new": ("R5F1",),
    "promising": ("R4F1",),
    "need attention": ("R3F3",),
    "about to sleep": ("R3F1", "R3F2"),
    "at risk": ("R1F3", "R1F4", "R2F3", "R2F4"),
    "can't lose": ("R1F5", "R2F5"),
    "hibernating": ("R1F1", "R1F2", "R2F1", "R2F2"),
}
"""The recency x frequency rule table: each of the 25 cells ``R<r>F<f>`` is in
exactly one segment.

======  ===========  ===============  ===============  =======  =======
        F1           F2               F3               F4       F5
======  ===========  ===============  ===============  =======  =======
R5      new          potential loy.   potential loy.   champ.   champ.
R4      promising    potential loy.   potential loy.   loyal    loyal
R3      about to sl. about to sleep   need attention   loyal    loyal
R2      hibernating  hibernating      at risk          at risk  can't lose
R1      hibernating  hibernating      at risk          at risk  can't lose
======  ===========  ===============  ===============  =======  =======
"""

INDICATORS: dict[str, tuple[int, str]] = {
    "revenue": (1, "revenue in the window"),
    "gross_profit": (1, "revenue minus cost of goods in the window"),
    "net_profit": (1, "gross profit minus cost to serve in the window"),
    "orders": (1, "distinct orders in the window"),
    "avg_order_value": (1, "revenue per order in the window"),
    "margin": (1, "gross profit / revenue in the window"),
    "growth": (1, "midpoint growth of revenue, window vs the window before (-1..1)"),
    "n_categories": (1, "distinct product categories bought in the window"),
    "category_share": (1, "share of the region's categories the customer bought"),
    "category_headroom": (1, "1 - category_share: categories still to cross-sell"),
    "tenure_days": (1, "days since the first order"),
    "recency_days": (-1, "days since the last order (lower is better)"),
    "cost_to_serve_share": (-1, "cost to serve / revenue (lower is better)"),
    "share_of_wallet": (1, "trailing-12-month revenue / wallet_estimate"),
    "wallet_headroom": (1, "wallet_estimate - trailing-12-month revenue, at least 0"),
    "payment_days": (-1, "average days to pay, when the customers table has it (lower is better)"),
}
"""Value indicators a pyramid or scorecard may name: direction (+1 higher is
better, -1 lower is better) and meaning. Each is a column of
:func:`customer_features`."""

DEFAULTS: dict = {
    "window_months": 12,
    "abc": {"cutoffs": [0.8, 0.95], "measures": ["revenue", "gross_profit", "net_profit"]},
    "rfm": {"profit": "gross_profit", "slip_ratio": 0.5, "slip_alpha": 0.1, "segments": {k: list(v) for k, v in RFM_SEGMENTS.items()}},
    "pyramid": {
        "tiers": [
            {"name": "platinum", "share": 0.05},
            {"name": "gold", "share": 0.15},
            {"name": "iron", "share": 0.30},
            {"name": "lead", "share": 0.50},
        ],
        "valuable_tiers": 2,
        "value": {"revenue": 0.35, "gross_profit": 0.30, "orders": 0.15, "growth": 0.10, "payment_days": 0.10},
        "profit": {"net_profit": 0.60, "gross_profit": 0.20, "margin": 0.20},
        "potential": {"growth": 0.40, "wallet_headroom": 0.30, "category_headroom": 0.15, "margin": 0.15},
    },
    "scorecard": {
        "current": {"revenue": 0.30, "gross_profit": 0.30, "net_profit": 0.20, "orders": 0.20},
        "potential": {"growth": 0.35, "wallet_headroom": 0.25, "cost_to_serve_share": 0.20, "recency_days": 0.20},
        "weights": {"current": 0.5, "potential": 0.5},
        "split": 0.5,
        "label_top": 8,
    },
    "clusters": {
        "features": ["revenue", "orders", "avg_order_value", "n_categories", "recency_days", "margin"],
        "k_min": 3,
        "k_max": 8,
        "n_init": 10,
        "silhouette_sample": 2000,
    },
    "loyalty": {
        "min_orders": 3,
        "min_tenure_days": 365,
        "max_gap_cv": 1.0,
        "max_recency_ratio": 2.0,
        "min_category_share": 0.2,
    },
    "relationship": {"stable": 0.2, "strategic": 0.6},
    "top_n": 25,
}
"""Default parameters of the ``segmentation`` section (mirrored in
``params/defaults.yaml``; the schema is ``custlib/io/schemas/segmentation.json``)."""

PYRAMID_TITLES = {"value": "Value pyramid", "profit": "Profit pyramid", "potential": "Potential-value pyramid"}
"""Chart titles of the three pyramids."""

NONE_LABEL = "(none)"
"""Row/column label in migration matrices for customers with no class in that quarter."""

_QUADRANTS = ("keep and grow", "maintain", "invest", "monitor")
_STAGES = ("development", "initial cooperation", "stable cooperation", "strategic cooperation")
_LOYALTY = ("loyal", "switcher", "no brand loyalty")
_EPS = 1e-9


def _param(name: str) -> str:
    return f"segmentation.{name}"


WORDS: dict[str, str] = {
    "revenue": "revenue",
    "gross_profit": "gross profit",
    "net_profit": "net profit",
    "orders": "orders",
    "avg_order_value": "average order value",
    "margin": "margin",
    "growth": "growth",
    "n_categories": "categories bought",
    "category_share": "share of categories bought",
    "category_headroom": "categories not yet bought",
    "tenure_days": "tenure",
    "recency_days": "days since the last order",
    "cost_to_serve_share": "cost to serve per unit of revenue",
    "share_of_wallet": "share of wallet",
    "wallet_headroom": "wallet headroom",
    "payment_days": "payment days",
    "frequency": "number of orders",
    "monetary": "revenue",
    "profit": "profit",
    "value": "value",
}
"""How a measure or indicator reads in a sentence (``recency_days`` -> ``days since the last order``)."""


def _words(name: str) -> str:
    return WORDS.get(str(name), str(name).replace("_", " "))


def _and_list(names, conj: str = "and") -> str:
    w = [_words(n) for n in names]
    return w[0] if len(w) == 1 else f"{', '.join(w[:-1])} {conj} {w[-1]}"


def _or_list(names) -> str:
    return _and_list(names, "or")


def _count(n: int, noun: str) -> str:
    """``1 customer``, ``2 customers``, ``1,200 customers``."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def _require_columns(frame: pd.DataFrame, cols, table: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise DataError(f"{table}: column(s) {', '.join(map(repr, missing))} missing (found: {', '.join(map(str, frame.columns))})")


# ---------------------------------------------------------------------------
# ABC
# ---------------------------------------------------------------------------


def _check_cutoffs(cutoffs) -> tuple[float, float]:
    try:
        c1, c2 = (float(c) for c in cutoffs)
    except (TypeError, ValueError) as err:
        raise ParamsError(f"{_param('abc.cutoffs')}: expected two shares like [0.8, 0.95], got {cutoffs!r}") from err
    if not (0 < c1 <= c2 <= 1):
        raise ParamsError(f"{_param('abc.cutoffs')}: expected 0 < first <= second <= 1, got {cutoffs!r}")
    return c1, c2


def abc_classes(values: pd.Series, cutoffs=(0.8, 0.95)) -> pd.Series:
    """ABC classes by cumulative share of value (Pareto / ABC analysis).

    Customers are sorted by value, largest first, ties broken by index
    (ascending). ``A`` is the smallest set of top customers whose combined
    value reaches at least ``cutoffs[0]`` of the total, ``B`` extends that set
    to the smallest one reaching ``cutoffs[1]``, ``C`` is everyone else.

    Zero and negative values: the total is the sum of the *positive* values;
    customers with a value <= 0 are never in A or B (they are always C), since
    they add nothing to the share reached. Source: Dickie (1951); Kotler &
    Keller, *Marketing Management*, ch. 5.

    Parameters
    ----------
    values : Series
        One value per customer (revenue, profit ...), unique index.
    cutoffs : pair of float
        Cumulative shares ending A and B, ``0 < c1 <= c2 <= 1``.

    Returns
    -------
    Series
        ``"A"``, ``"B"`` or ``"C"`` on the input's index, in the input's order,
        named ``abc``. values -> abc.

    Raises
    ------
    ParamsError
        Bad cut-offs.
    DataError
        Non-unique index or missing (NaN) values.
    InsufficientDataError
        No customer has a positive value.
    """
    c1, c2 = _check_cutoffs(cutoffs)
    s = pd.Series(values, dtype="float64")
    if not s.index.is_unique:
        raise DataError("abc_classes: the values' index (customer ids) has duplicates")
    if s.isna().any():
        raise DataError(f"abc_classes: {int(s.isna().sum())} value(s) are missing (NaN); expected a number per customer")
    total = s[s > 0].sum()
    if s.empty or total <= 0:
        raise InsufficientDataError(
            f"ABC classes need at least one customer with a positive {_words(s.name or 'value')}; none of the {len(s):,} customers has one"
        )
    order = s.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    share = order.clip(lower=0).cumsum().to_numpy() / total
    n_a = int(np.argmax(share >= c1 - _EPS)) + 1
    n_b = int(np.argmax(share >= c2 - _EPS)) + 1
    labels = np.array(["C"] * len(order), dtype=object)
    labels[:n_b] = "B"
    labels[:n_a] = "A"
    labels[order.to_numpy() <= 0] = "C"
    out = pd.Series(labels, index=order.index, name="abc", dtype="str")
    return out.reindex(s.index)


def abc_table(features: pd.DataFrame, cutoffs=(0.8, 0.95), measures=("revenue", "gross_profit", "net_profit")) -> pd.DataFrame:
    """ABC class of every buying customer on several measures.

    A measure that is absent or all missing (net profit without service
    costs) is left out; a measure with no positive value is left out too.

    Parameters
    ----------
    features : DataFrame
        From :func:`customer_features`, indexed by customer_id.
    cutoffs : pair of float
    measures : sequence of str
        Columns of ``features``.

    Returns
    -------
    DataFrame
        One column ``abc_<measure>`` per measure kept, for customers with at
        least one order. features -> abc_revenue, abc_gross_profit, ...

    Raises
    ------
    InsufficientDataError
        Fewer than two buying customers, or no measure could be classified.
    """
    buyers = _buyers(features, "ABC classes")
    out = {}
    for m in measures:
        if m not in buyers.columns or buyers[m].isna().all():
            continue
        try:
            out[f"abc_{m}"] = abc_classes(buyers[m].fillna(0.0).rename(m), cutoffs)
        except InsufficientDataError:
            continue
    if not out:
        raise InsufficientDataError(f"ABC classes: no customer has a positive {_or_list(measures)}")
    return pd.DataFrame(out, index=buyers.index)


def abc_summary(features: pd.DataFrame, classes: pd.DataFrame) -> pd.DataFrame:
    """Customers and value per ABC class, for each measure.

    Parameters
    ----------
    features : DataFrame
        From :func:`customer_features`.
    classes : DataFrame
        From :func:`abc_table`.

    Returns
    -------
    DataFrame
        Columns measure, class, customers, customer_share, value, value_share;
        rows A, B, C per measure. abc_<m> + <m> -> summary.
    """
    rows = []
    for col in classes.columns:
        m = col.removeprefix("abc_")
        v = features.loc[classes.index, m].fillna(0.0)
        total_pos = v[v > 0].sum()
        for cls in ("A", "B", "C"):
            mask = classes[col] == cls
            rows.append(
                {
                    "measure": m,
                    "class": cls,
                    "customers": int(mask.sum()),
                    "customer_share": float(mask.mean()),
                    "value": float(v[mask].sum()),
                    "value_share": float(v[mask].sum() / total_pos) if total_pos > 0 else np.nan,
                }
            )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------
# Per-customer features
# ---------------------------------------------------------------------------


def _window_start(end: pd.Timestamp, months: int) -> pd.Timestamp:
    return (end + pd.Timedelta(days=1) - pd.DateOffset(months=months)).normalize()


def _day(ts) -> int:
    """Calendar day of a date as days since 1970-01-01 (the unit the encoded lines use)."""
    return int(pd.Timestamp(ts).normalize().value // 86_400_000_000_000)


def _positions(values: pd.Series, ids: pd.Index) -> np.ndarray:
    """Position of each value (as text) in ``ids``, -1 where absent or missing.

    The strings are factorised once and only the distinct values are looked
    up, so a column of millions of ids costs one hash pass.
    """
    codes, uniques = pd.factorize(values)
    pos = ids.get_indexer(pd.Index(uniques).astype("str"))
    return np.append(pos, -1)[codes]


def _dense_pairs(cust: np.ndarray, codes: np.ndarray, n_codes: int) -> tuple[np.ndarray, np.ndarray]:
    """Dense ids of the distinct (customer, code) pairs of each line (-1 where the code is
    missing) and the customer of each pair."""
    key = np.where(codes >= 0, cust.astype("int64") * (n_codes + 1) + codes, -1)
    pair, uniques = pd.factorize(key)
    pair = np.where(key >= 0, pair, -1)
    pair_cust = np.zeros(len(uniques), dtype="int64")
    ok = pair >= 0
    pair_cust[pair[ok]] = cust[ok]
    return pair, pair_cust


def _grouped(codes: np.ndarray, values: np.ndarray, n: int):
    """``values`` grouped by integer code (a customer's position, a matrix cell), each of 0..n-1 a group.

    pandas' grouped sums (compensated, NaN skipped) and variances over a categorical of the
    codes: the same numbers as grouping by the ids or labels themselves, without hashing them.
    """
    keys = pd.Categorical.from_codes(codes, categories=pd.RangeIndex(n))
    return pd.Series(values, dtype="float64").groupby(keys, observed=False)


def _distinct(pair: np.ndarray, pair_cust: np.ndarray, mask: np.ndarray | None, n: int) -> np.ndarray:
    """Per customer, how many distinct pairs (orders, categories) the lines in ``mask`` hold."""
    p = pair if mask is None else pair[mask]
    present = np.zeros(len(pair_cust), dtype=bool)
    present[p[p >= 0]] = True
    return np.bincount(pair_cust[present], minlength=n).astype("float64")


@dataclass(frozen=True, eq=False)
class _Lines:
    """A region's order lines up to a day, encoded once as integer arrays.

    Everything :func:`customer_features` measures is a per-customer sum or
    count over the lines of a date window; with the customer, order and
    category as integer codes each window is one boolean mask and a few
    grouped sums or counts over integer codes (no string hashing), and the
    same encoding serves the quarter and the quarter before it
    (:func:`segment_region` computes both).
    """

    ids: pd.Index  # the region's customer ids, sorted; line customers are positions in it
    customers: pd.DataFrame  # the customers table indexed by ids
    last_day: int  # lines dated on or before this day are kept
    cust: np.ndarray  # int64 position in ids
    day: np.ndarray  # int64 calendar day (days since 1970-01-01)
    stamp: np.ndarray  # order_date as int64 in its own unit (first/last order keep the time)
    unit: str  # the unit of ``stamp``
    revenue: np.ndarray
    cost: np.ndarray
    order_pair: np.ndarray  # dense id of the (customer, order_id) pair
    order_pair_cust: np.ndarray
    category: np.ndarray  # category code, -1 where missing
    category_pair: np.ndarray  # dense id of the (customer, category) pair
    category_pair_cust: np.ndarray
    buy_days: tuple[np.ndarray, np.ndarray]  # distinct (customer, day) pairs, sorted by customer then day

    @property
    def n(self) -> int:
        return len(self.ids)

    def between(self, start, end) -> np.ndarray:
        """Mask of the lines dated from ``start`` to ``end``, both days inclusive."""
        return (self.day >= _day(start)) & (self.day <= _day(end))

    def total(self, values: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
        """Per customer, the sum of ``values`` over the lines in ``mask`` (0 without lines)."""
        if mask is None:
            return _grouped(self.cust, values, self.n).sum().to_numpy()
        return _grouped(self.cust[mask], values[mask], self.n).sum().to_numpy()

    def active(self, quarters) -> pd.Series:
        """Customers with an order line in each quarter (see :func:`active_customers`)."""
        out = {}
        for quarter in quarters:
            qq = Quarter.parse(quarter)
            m = self.between(qq.start, qq.end)
            out[str(qq)] = int((np.bincount(self.cust[m], minlength=self.n) > 0).sum())
        return pd.Series(out, name="customers", dtype="int64").rename_axis("quarter")


def _encode_lines(transactions: pd.DataFrame, customers: pd.DataFrame, end) -> _Lines:
    """Check the tables and encode the lines of the region's customers dated up to ``end``."""
    _require_columns(customers, ["customer_id", "market_type"], "customers")
    _require_columns(transactions, ["customer_id", "order_date", "order_id", "category", "revenue", "cost"], "transactions")
    if customers.empty:
        raise InsufficientDataError("customers: the region has no customers")
    if customers["customer_id"].duplicated().any():
        dup = customers.loc[customers["customer_id"].duplicated(), "customer_id"].iloc[0]
        raise DataError(f"customers: customer_id {dup!r} appears more than once")
    ids = pd.Index(customers["customer_id"].astype("str"), name="customer_id").sort_values()
    cust_table = customers.assign(customer_id=customers["customer_id"].astype("str")).set_index("customer_id").reindex(ids)
    dates = transactions["order_date"]
    try:
        if not pd.api.types.is_datetime64_any_dtype(dates):
            dates = pd.to_datetime(dates)
        if getattr(dates.dt, "tz", None) is not None:
            dates = dates.dt.tz_localize(None)
    except (TypeError, ValueError) as err:
        raise DataError("transactions: column 'order_date' does not hold dates") from err
    stamp = dates.to_numpy()
    unit = np.datetime_data(stamp.dtype)[0]
    day = stamp.astype("datetime64[D]").view("int64")
    last_day = _day(end)
    cust = _positions(transactions["customer_id"], ids)
    keep = ~np.isnat(stamp) & (day <= last_day) & (cust >= 0)
    cust, day, stamp = cust[keep], day[keep], stamp.view("int64")[keep]
    revenue = transactions["revenue"].to_numpy(dtype="float64", na_value=np.nan)[keep]
    cost = transactions["cost"].to_numpy(dtype="float64", na_value=np.nan)[keep]
    order, order_uniques = pd.factorize(transactions["order_id"])
    category, category_uniques = pd.factorize(transactions["category"])
    order, category = order[keep], category[keep]
    order_pair, order_pair_cust = _dense_pairs(cust, order, len(order_uniques))
    category_pair, category_pair_cust = _dense_pairs(cust, category, len(category_uniques))
    lo = int(day.min()) if len(day) else 0
    span = int(day.max()) - lo + 1 if len(day) else 1
    key = np.sort(cust.astype("int64") * span + (day - lo))
    key = key[np.append(True, key[1:] != key[:-1])] if len(key) else key
    buy_days = (key // span, key % span + lo)
    return _Lines(
        ids, cust_table, last_day, cust, day, stamp, unit, revenue, cost,
        order_pair, order_pair_cust, category, category_pair, category_pair_cust, buy_days,
    )  # fmt: skip


@dataclass(frozen=True, eq=False)
class _ServiceCosts:
    """The service-cost rows encoded once: customer position (-1 outside the region), month's day, cost."""

    cust: np.ndarray
    day: np.ndarray
    cost: np.ndarray

    def totals(self, start, end, n: int) -> np.ndarray | None:
        """Cost to serve per customer for the months from ``start``'s month to ``end``, or None
        when no row (of any customer) falls in them: the cost to serve is then unknown."""
        rows = (self.day >= _day(pd.Timestamp(start).normalize().replace(day=1))) & (self.day <= _day(end))
        if not rows.any():
            return None
        rows &= self.cust >= 0
        return _grouped(self.cust[rows], self.cost[rows], n).sum().to_numpy()


def _encode_service_costs(service_costs: pd.DataFrame | None, ids: pd.Index) -> _ServiceCosts | None:
    if service_costs is None:
        return None
    _require_columns(service_costs, ["customer_id", "month", "cost_to_serve"], "service_costs")
    try:
        month = pd.to_datetime(service_costs["month"])
    except (TypeError, ValueError) as err:
        raise DataError("service_costs: column 'month' does not hold dates") from err
    if getattr(month.dt, "tz", None) is not None:
        month = month.dt.tz_localize(None)
    m = month.to_numpy()
    day = np.where(np.isnat(m), np.iinfo("int64").min, m.astype("datetime64[D]").view("int64"))
    cost = pd.to_numeric(service_costs["cost_to_serve"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return _ServiceCosts(_positions(service_costs["customer_id"], ids), day, cost)


def _check_window(window_months) -> None:
    if not isinstance(window_months, int) or window_months < 1:
        raise ParamsError(f"{_param('window_months')}: expected a whole number of months >= 1, got {window_months!r}")


def customer_features(
    transactions: pd.DataFrame,
    customers: pd.DataFrame,
    quarter,
    *,
    service_costs: pd.DataFrame | None = None,
    window_months: int = 12,
) -> pd.DataFrame:
    """Per-customer measures at a quarter's end, the input of every analysis here.

    Windows end at the quarter's last day: the *window* is the trailing
    ``window_months`` months, the *prior window* the same length before it.
    Orders after the quarter's end are ignored.

    Measures: revenue, cost, gross_profit, cost_to_serve, net_profit, orders,
    avg_order_value, margin (gross_profit / revenue, NaN when revenue <= 0),
    n_categories, category_share (of the categories the region bought in the
    window), category_headroom (1 - category_share) in the window;
    revenue_prior; growth = (revenue - revenue_prior) / (|revenue| +
    |revenue_prior|), the midpoint (arc) growth rate halved, in [-1, 1] and 0
    when both are 0; revenue_quarter and orders_quarter (the quarter itself);
    orders_per_quarter_before (orders per quarter over the four quarters
    before the quarter);
    revenue_12m (trailing 12 months); over the whole history: orders_total,
    purchase_days (distinct order dates), first_order, last_order,
    recency_days and tenure_days (days from last / first order to the
    quarter's end), gap_mean_days and gap_cv (mean and coefficient of
    variation, population s.d. / mean, of the gaps between distinct order
    dates; NaN with fewer than two gaps); share_of_wallet (revenue_12m /
    wallet_estimate) and wallet_headroom (max(wallet_estimate - revenue_12m,
    0)), NaN where the estimate is missing or 0; cost_to_serve_share
    (cost_to_serve / revenue); payment_days when the customers table has it.

    Gross profit = revenue - cost of goods, net profit = gross profit - cost
    to serve, as in :func:`custlib.pareto.customer_profitability` (Kaplan &
    Narayanan 2001): the cost to serve of a window is the service-cost rows
    of the months from the window's first month to its end; when no row
    falls in them the cost to serve and net profit are unknown (NaN).

    The lines are encoded once as integer codes (customer, order, category,
    day) and each window is one mask and a few sums over it, so a region of
    millions of order lines takes seconds; :func:`segment_region` reuses the
    encoding for the quarter and the quarter before.

    Parameters
    ----------
    transactions : DataFrame
        The region's order lines (contract columns).
    customers : DataFrame
        The region's customers; every one gets a row, buyers or not.
    quarter : str or Quarter
    service_costs : DataFrame, optional
    window_months : int

    Returns
    -------
    DataFrame
        Indexed by customer_id (str), sorted. transactions + customers
        (+ service_costs) -> the measures above plus name, market_type,
        wallet_estimate, is_buyer (ordered at least once by the quarter's end).

    Raises
    ------
    ParamsError
        ``window_months`` is not a whole number >= 1.
    DataError
        Missing columns or duplicate customer ids.
    InsufficientDataError
        No customers, or no orders in the quarter.
    """
    q = Quarter.parse(quarter)
    _check_window(window_months)
    lines = _encode_lines(transactions, customers, q.end)
    return _features(lines, q, _encode_service_costs(service_costs, lines.ids), window_months)


def _features(lines: _Lines, q: Quarter, costs: _ServiceCosts | None, window_months: int) -> pd.DataFrame:
    """:func:`customer_features` of encoded lines at the end of ``q`` (on or before ``lines.last_day``)."""
    ids, n, end = lines.ids, lines.n, q.end
    upto = lines.day <= _day(end)
    if not (upto & (lines.day >= _day(q.start))).any():
        raise InsufficientDataError(f"no orders in {q} from this region's {_count(n, 'customer')}: nothing to segment for this quarter")
    upto = None if upto.all() else upto
    one_day = pd.Timedelta(days=1)
    start = _window_start(end, window_months)
    prior_start = _window_start(start - one_day, window_months)
    year_before_end = q.start - one_day

    def orders(mask):
        return _distinct(lines.order_pair, lines.order_pair_cust, mask, n)

    win = lines.between(start, end)
    quarter_m = lines.between(q.start, end)
    year_m = lines.between(_window_start(end, 12), end)
    revenue, cost = lines.total(lines.revenue, win), lines.total(lines.cost, win)

    out = pd.DataFrame(index=ids)
    cust = lines.customers
    out["name"] = cust["name"] if "name" in cust.columns else pd.Series(ids, index=ids, dtype="str")
    out["market_type"] = cust["market_type"].astype("str")
    out["revenue"] = revenue
    out["cost"] = cost
    out["gross_profit"] = revenue - cost
    out["orders"] = orders(win)
    serve = costs.totals(start, end, n) if costs is not None else None
    if serve is not None:
        out["cost_to_serve"] = serve
        out["net_profit"] = out["gross_profit"] - out["cost_to_serve"]
    else:
        out["cost_to_serve"] = np.nan
        out["net_profit"] = np.nan
    out["avg_order_value"] = (out["revenue"] / out["orders"]).where(out["orders"] > 0)
    out["margin"] = (out["gross_profit"] / out["revenue"]).where(out["revenue"] > 0)
    out["cost_to_serve_share"] = (out["cost_to_serve"] / out["revenue"]).where(out["revenue"] > 0)
    out["revenue_prior"] = lines.total(lines.revenue, lines.between(prior_start, start - one_day))
    denom = out["revenue"].abs() + out["revenue_prior"].abs()
    out["growth"] = ((out["revenue"] - out["revenue_prior"]) / denom).where(denom > 0, 0.0)
    out["revenue_quarter"] = lines.total(lines.revenue, quarter_m)
    out["orders_quarter"] = orders(quarter_m)
    out["orders_per_quarter_before"] = orders(lines.between(_window_start(year_before_end, 12), year_before_end)) / 4.0
    out["revenue_12m"] = lines.total(lines.revenue, year_m)

    out["n_categories"] = _distinct(lines.category_pair, lines.category_pair_cust, win, n)
    w_cat = lines.category[win]
    n_cats = max(int((np.bincount(w_cat[w_cat >= 0]) > 0).sum()), 1)
    out["category_share"] = out["n_categories"] / n_cats
    out["category_headroom"] = 1.0 - out["category_share"]

    out["orders_total"] = orders(upto)
    cust_codes = lines.cust if upto is None else lines.cust[upto]
    stamp = lines.stamp if upto is None else lines.stamp[upto]
    first = np.full(n, np.iinfo("int64").max)
    last = np.full(n, np.iinfo("int64").min)
    np.minimum.at(first, cust_codes, stamp)
    np.maximum.at(last, cust_codes, stamp)
    bought = np.bincount(cust_codes, minlength=n) > 0
    nat = np.iinfo("int64").min  # NaT
    kind = f"datetime64[{lines.unit}]"
    out["first_order"] = pd.Series(np.where(bought, first, nat).view(kind), index=ids)
    out["last_order"] = pd.Series(np.where(bought, last, nat).view(kind), index=ids)
    out["recency_days"] = (end - out["last_order"].dt.normalize()).dt.days.astype("float64")
    out["tenure_days"] = (end - out["first_order"].dt.normalize()).dt.days.astype("float64")

    d_cust, d_day = lines.buy_days
    if upto is not None:
        keep = d_day <= _day(end)
        d_cust, d_day = d_cust[keep], d_day[keep]
    out["purchase_days"] = np.bincount(d_cust, minlength=n).astype("float64")
    same = d_cust[1:] == d_cust[:-1]
    g_cust = d_cust[1:][same]
    gaps = (d_day[1:] - d_day[:-1])[same].astype("float64")
    g = _grouped(g_cust, gaps, n)
    gap_n = g.count().to_numpy()
    gap_mean = pd.Series(g.mean().to_numpy(), index=ids)
    gap_sd = pd.Series(g.std(ddof=0).to_numpy(), index=ids)
    out["gap_mean_days"] = gap_mean.where(gap_n >= 1)
    out["gap_cv"] = (gap_sd / gap_mean).where((gap_n >= 2) & (gap_mean > 0))

    wallet = (
        pd.to_numeric(cust["wallet_estimate"], errors="coerce").astype("float64")
        if "wallet_estimate" in cust.columns
        else pd.Series(np.nan, index=ids)
    )
    wallet = wallet.where(wallet > 0)
    out["wallet_estimate"] = wallet
    out["share_of_wallet"] = out["revenue_12m"].clip(lower=0) / wallet
    out["wallet_headroom"] = (wallet - out["revenue_12m"]).clip(lower=0)
    if "payment_days" in cust.columns:
        out["payment_days"] = pd.to_numeric(cust["payment_days"], errors="coerce").astype("float64")
    out["is_buyer"] = out["orders_total"] > 0
    return out


def _buyers(features: pd.DataFrame, what: str, minimum: int = 2) -> pd.DataFrame:
    buyers = features[features["is_buyer"]] if "is_buyer" in features.columns else features
    if len(buyers) < minimum:
        verb = "needs" if what.startswith("the ") else "need"
        raise InsufficientDataError(f"{what} {verb} at least {minimum} customers who have ordered; this region has {len(buyers)}")
    return buyers


# ---------------------------------------------------------------------------
# RFM
# ---------------------------------------------------------------------------


def quantile_scores(values: pd.Series, bins: int = 5, *, higher_is_better: bool = True) -> pd.Series:
    """Scores 1..bins by equal-count quantiles of the rank, ties split by id.

    Customers are ranked 1..n from worst to best, ties broken by index
    (``rank(method="first")`` over the id-sorted values), and scored
    ``ceil(bins * rank / n)``: the best fifth gets 5, the worst fifth 1 (the
    quintile scoring of Hughes 1994). When n is a multiple of ``bins`` this
    equals ``pd.qcut(rank, bins)``; otherwise the bins differ in size by at
    most one. With fewer customers than bins the scores still span 1..bins
    (e.g. 3 customers get 2, 4, 5).

    Parameters
    ----------
    values : Series
        One number per customer, no NaN.
    bins : int
    higher_is_better : bool
        False for recency (fewer days since the last order is better).

    Returns
    -------
    Series
        int64 scores on the input's index. values -> score.

    Raises
    ------
    DataError
        NaN values.
    InsufficientDataError
        Fewer than two customers, or every customer has the same value.
    """
    s = pd.Series(values, dtype="float64")
    name = s.name or "value"
    if s.isna().any():
        raise DataError(f"'{name}': {int(s.isna().sum())} missing value(s); scores need a number per customer")
    if len(s) < 2:
        raise InsufficientDataError(f"scores of {_words(name)} need at least 2 customers, found {len(s)}")
    if s.nunique() == 1:
        raise InsufficientDataError(
            f"all {len(s):,} customers have the same value for {_words(name)} ({s.iloc[0]:g}); quintile scores would be arbitrary"
        )
    ordered = s.sort_index(kind="stable")
    rank = ordered.rank(method="first", ascending=higher_is_better)
    score = np.ceil(bins * rank.to_numpy() / len(s) - _EPS).astype("int64")
    return pd.Series(score, index=ordered.index, name=f"{name}_score").reindex(s.index)


def validate_segment_rules(rules: dict | None = None, *, param: str = "segmentation.rfm.segments") -> dict[str, str]:
    """Check an R x F rule table and return the cell -> segment map.

    Parameters
    ----------
    rules : dict of segment -> list of cells ``"R<r>F<f>"``, optional
        Defaults to :data:`RFM_SEGMENTS`.
    param : str
        Parameter name used in messages.

    Returns
    -------
    dict
        ``{"R5F5": "champions", ...}`` with all 25 cells.

    Raises
    ------
    ParamsError
        A cell is malformed, assigned twice or not assigned (the message
        names ``param`` and the cells).
    """
    rules = RFM_SEGMENTS if rules is None else rules
    if not isinstance(rules, dict):
        raise ParamsError(f"{param}: expected a mapping of segment -> list of cells like R5F4, got {type(rules).__name__}")
    cells = {f"R{r}F{f}" for r in range(1, 6) for f in range(1, 6)}
    out: dict[str, str] = {}
    for seg, members in rules.items():
        if isinstance(members, str) or not hasattr(members, "__iter__"):
            raise ParamsError(f"{param}.{seg}: expected a list of cells like R5F4, got {members!r}")
        for cell in members:
            c = str(cell).strip().upper()
            if c not in cells:
                raise ParamsError(f"{param}.{seg}: {cell!r} is not a cell; expected R1F1 .. R5F5")
            if c in out:
                raise ParamsError(
                    f"{param}: cell {c} is assigned twice ({out[c]!r} and {seg!r}); each of the 25 R x F cells must be in exactly one segment"
                )
            out[c] = str(seg)
    missing = sorted(cells - set(out))
    if missing:
        raise ParamsError(
            f"{param}: cell(s) {', '.join(missing)} are in no segment; each of the 25 R x F cells must be in exactly one segment"
        )
    return out


def slipping_customers(features: pd.DataFrame, *, ratio: float = 0.5, alpha: float = 0.1) -> pd.DataFrame:
    """Early warning: customers whose orders this quarter fell well below their own rate.

    baseline = orders per quarter over the four quarters before this one
    (``orders_per_quarter_before`` of :func:`customer_features`); the
    customer is *slipping* when both

    - orders this quarter < ``ratio`` x baseline (they fell by at least half
      by default), and
    - P(X <= orders this quarter) < ``alpha`` for X ~ Poisson(baseline): the
      drop is too large to be chance at the customer's usual rate (exact
      one-sided Poisson test; Johnson, Kemp & Kotz 2005, *Univariate Discrete
      Distributions*, 3rd ed., sec. 4.3).

    ``ratio = 0`` switches the rule off.

    Returns
    -------
    DataFrame
        baseline_orders, orders_quarter, p_value, slipping (bool), for the
        rows of ``features``. features -> slipping flags.
    """
    from scipy.stats import poisson

    if not 0 <= ratio <= 1 or not 0 < alpha < 1:
        raise ParamsError(f"{_param('rfm')}: expected 0 <= slip_ratio <= 1 and 0 < slip_alpha < 1, got {ratio!r}, {alpha!r}")
    base = (
        features["orders_per_quarter_before"]
        if "orders_per_quarter_before" in features.columns
        else pd.Series(np.nan, index=features.index)
    )
    now = features["orders_quarter"]
    p = pd.Series(poisson.cdf(now.to_numpy(), base.fillna(0).to_numpy()), index=features.index).where(base > 0)
    slipping = (now < ratio * base) & (p < alpha)
    return pd.DataFrame({"baseline_orders": base, "orders_quarter": now, "p_value": p, "slipping": slipping.fillna(False).astype(bool)})


def rfm_table(
    features: pd.DataFrame,
    *,
    segments: dict | None = None,
    profit: str = "gross_profit",
    slip_ratio: float = 0.5,
    slip_alpha: float = 0.1,
) -> pd.DataFrame:
    """RFM values, 1-5 scores and named segments at the quarter's end.

    recency = days since the last order (whole history); frequency = orders
    in the window; monetary = revenue in the window; profit = ``profit``
    column in the window. Scores by :func:`quantile_scores` (recency: fewer
    days is better). The segment comes from the (R, F) cell via the rule
    table (:data:`RFM_SEGMENTS` unless ``segments`` overrides it). Only
    customers who have ordered at least once are scored.

    Trend rule: RFM on a trailing year ranks a frequent buyer whose orders
    are collapsing among the best until the year has passed. A customer
    flagged by :func:`slipping_customers` (orders this quarter well below
    their own rate) is placed in the cell of R = min(r_score, 2): with a high
    F that is *at risk* or *can't lose* ("bought often, not any more"), the
    early warning the sales team acts on. ``r_score`` itself stays the pure
    recency score; ``cell`` shows the cell used.

    Parameters
    ----------
    features : DataFrame
        From :func:`customer_features`.
    segments : dict, optional
        Rule table override, checked by :func:`validate_segment_rules`.
    profit : str
        ``gross_profit`` or ``net_profit``.
    slip_ratio, slip_alpha : float
        Trend rule thresholds (see :func:`slipping_customers`); ``slip_ratio=0``
        switches the rule off.

    Returns
    -------
    DataFrame
        recency_days, frequency, monetary, profit, r_score, f_score, m_score,
        p_score, slipping, cell (e.g. ``R5F4``), segment. features -> RFM table.

    Raises
    ------
    InsufficientDataError
        Fewer than 2 buyers, or a measure equal for everyone.
    ParamsError
        Bad rule table, profit column or trend thresholds.
    """
    cell_map = validate_segment_rules(segments)
    if profit not in ("gross_profit", "net_profit"):
        raise ParamsError(f"{_param('rfm.profit')}: expected gross_profit or net_profit, got {profit!r}")
    buyers = _buyers(features, "RFM scores")
    if buyers[profit].isna().all():
        profit = "gross_profit"
    out = pd.DataFrame(
        {
            "recency_days": buyers["recency_days"],
            "frequency": buyers["orders"],
            "monetary": buyers["revenue"],
            "profit": buyers[profit].fillna(0.0),
        }
    )
    out["r_score"] = quantile_scores(out["recency_days"].rename("recency_days"), higher_is_better=False)
    out["f_score"] = quantile_scores(out["frequency"].rename("frequency"))
    out["m_score"] = quantile_scores(out["monetary"].rename("monetary"))
    out["p_score"] = quantile_scores(out["profit"].rename("profit"))
    if "orders_quarter" in buyers.columns:
        out["slipping"] = slipping_customers(buyers, ratio=slip_ratio, alpha=slip_alpha)["slipping"]
    else:
        out["slipping"] = False
    r_used = out["r_score"].where(~out["slipping"], out["r_score"].clip(upper=2))
    out["cell"] = "R" + r_used.astype("str") + "F" + out["f_score"].astype("str")
    out["segment"] = out["cell"].map(cell_map).astype("str")
    return out


def segment_summary(rfm: pd.DataFrame, features: pd.DataFrame) -> pd.DataFrame:
    """Customers, revenue and mean RFM values per segment.

    Returns
    -------
    DataFrame
        Indexed by segment (rule-table order): customers, customer_share,
        revenue, revenue_share, gross_profit, recency_days, frequency
        (means). rfm + features -> summary.
    """
    f = features.loc[rfm.index]
    frame = rfm.assign(revenue=f["revenue"], gross_profit=f["gross_profit"])
    g = frame.groupby("segment", sort=False)
    out = pd.DataFrame(
        {
            "customers": g.size(),
            "revenue": g["revenue"].sum(),
            "gross_profit": g["gross_profit"].sum(),
            "recency_days": g["recency_days"].mean(),
            "frequency": g["frequency"].mean(),
        }
    )
    order = [s for s in SEGMENT_ORDER if s in out.index] + sorted(set(out.index) - set(SEGMENT_ORDER))
    out = out.reindex(order)
    out.insert(1, "customer_share", out["customers"] / out["customers"].sum())
    tot = out["revenue"].sum()
    out.insert(3, "revenue_share", out["revenue"] / tot if tot else np.nan)
    out.index.name = "segment"
    return out


# ---------------------------------------------------------------------------
# Value pyramid and scorecard
# ---------------------------------------------------------------------------


def percentile_normalise(values: pd.Series, *, higher_is_better: bool = True) -> pd.Series:
    """Percentile rank on [0, 1]: (average rank - 1) / (n - 1).

    The lowest value maps to 0, the highest to 1, tied values share their
    average rank (so all-equal values map to 0.5). Lower-is-better
    indicators are flipped (1 - p). Missing values map to 0 ("no evidence of
    value"). The percentile-rank transform is insensitive to the skew of
    money amounts (Hair et al., *Multivariate Data Analysis*, 7th ed., ch. 2).

    Returns
    -------
    Series
        float64 on the input's index. values -> normalised values.

    Raises
    ------
    InsufficientDataError
        Fewer than 2 non-missing values.
    """
    s = pd.Series(values, dtype="float64")
    ok = s.dropna()
    if len(ok) < 2:
        raise InsufficientDataError(f"ranking by {_words(s.name or 'value')} needs at least 2 customers with a value, found {len(ok)}")
    p = (ok.rank(method="average") - 1.0) / (len(ok) - 1)
    if not higher_is_better:
        p = 1.0 - p
    return p.reindex(s.index).fillna(0.0)


def resolve_indicators(features: pd.DataFrame, weights: dict, *, param: str) -> tuple[dict[str, float], list[str]]:
    """Indicators to use: known names, present in the data, weights summing to 1.

    Indicators absent from ``features`` or missing for every customer are
    dropped and the remaining weights rescaled to sum to 1.

    Returns
    -------
    (dict, list)
        Used indicator -> weight, and the names dropped for lack of data.

    Raises
    ------
    ParamsError
        Unknown indicator or negative weight, or all weights 0.
    InsufficientDataError
        No indicator has data.
    """
    if not isinstance(weights, dict) or not weights:
        raise ParamsError(f"{param}: expected a mapping of indicator -> weight, got {weights!r}")
    used, dropped = {}, []
    for name, w in weights.items():
        if name not in INDICATORS:
            raise ParamsError(f"{param}: unknown indicator {name!r}; known: {', '.join(INDICATORS)}")
        if not isinstance(w, (int, float)) or w < 0:
            raise ParamsError(f"{param}.{name}: expected a weight >= 0, got {w!r}")
        if w == 0:
            continue
        if name not in features.columns or features[name].isna().all():
            dropped.append(name)
        else:
            used[name] = float(w)
    if not any(w > 0 for w in weights.values()):
        raise ParamsError(f"{param}: every weight is 0; give at least one indicator a positive weight")
    if not used:
        raise InsufficientDataError(f"{param}: none of the indicators ({_and_list(weights)}) has data in this region")
    total = sum(used.values())
    return {k: v / total for k, v in used.items()}, dropped


def composite_score(features: pd.DataFrame, weights: dict, *, param: str = "segmentation.pyramid") -> pd.DataFrame:
    """Weighted mean of percentile-normalised indicators.

    score = sum_j w_j p_j, with p_j from :func:`percentile_normalise` and
    the weights of the indicators that have data rescaled to sum to 1
    (a simple additive weighting, e.g. Hwang & Yoon 1981, *Multiple
    Attribute Decision Making*, ch. 3).

    Returns
    -------
    DataFrame
        One ``p_<indicator>`` column per used indicator plus ``score`` in
        [0, 1]. features -> p_*, score.
    """
    used, _ = resolve_indicators(features, weights, param=param)
    out = pd.DataFrame(index=features.index)
    for name, _w in used.items():
        out[f"p_{name}"] = percentile_normalise(features[name].rename(name), higher_is_better=INDICATORS[name][0] > 0)
    out["score"] = sum(out[f"p_{n}"] * w for n, w in used.items())
    return out


def _check_tiers(tiers) -> tuple[list[str], np.ndarray]:
    param = _param("pyramid.tiers")
    try:
        names = [str(t["name"]) for t in tiers]
        shares = np.array([float(t["share"]) for t in tiers])
    except (TypeError, KeyError, ValueError) as err:
        raise ParamsError(f"{param}: expected a list of {{name, share}} from the top tier down, got {tiers!r}") from err
    if len(names) < 2 or len(set(names)) != len(names):
        raise ParamsError(f"{param}: expected at least 2 tiers with distinct names, got {names}")
    if (shares <= 0).any() or abs(shares.sum() - 1) > 1e-6:
        raise ParamsError(f"{param}: shares must be > 0 and sum to 1, got {shares.tolist()} (sum {shares.sum():g})")
    return names, shares


def assign_tiers(score: pd.Series, tiers) -> pd.Series:
    """Cut a score into tiers by customer share, top tier first.

    Customers are ranked by score (descending, ties by id); the first
    ``ceil(s1 * n)`` are tier 1, up to ``ceil((s1 + s2) * n)`` tier 2, and so on
    (cumulative shares, so the top tier is never empty).

    Returns
    -------
    Series
        Ordered categorical of tier names on the score's index. score -> tier.

    Raises
    ------
    ParamsError
        Bad tier list.
    InsufficientDataError
        Fewer than 2 customers or all scores equal.
    """
    names, shares = _check_tiers(tiers)
    s = pd.Series(score, dtype="float64")
    if len(s) < 2:
        raise InsufficientDataError(f"value tiers need at least 2 customers, found {len(s)}")
    if s.max() - s.min() <= _EPS:
        raise InsufficientDataError(
            f"value tiers: all {len(s)} customers have the same score ({s.iloc[0]:.3g}); the indicators do not separate them"
        )
    order = s.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    bounds = np.ceil(np.cumsum(shares) * len(s) - 1e-6).astype(int)
    bounds[-1] = len(s)
    pos = np.arange(1, len(s) + 1)
    idx = np.searchsorted(bounds, pos, side="left")
    tiers_s = pd.Series(pd.Categorical.from_codes(idx, categories=names, ordered=True), index=order.index, name="tier")
    return tiers_s.reindex(s.index)


def value_pyramid(features: pd.DataFrame, indicators: dict, tiers, *, name: str = "value") -> pd.DataFrame:
    """Composite value per buying customer cut into pyramid tiers.

    Parameters
    ----------
    features : DataFrame
        From :func:`customer_features`.
    indicators : dict
        Indicator -> weight (names from :data:`INDICATORS`).
    tiers : list of {name, share}
        Top tier first.
    name : str
        Pyramid name for messages (value, profit, potential).

    Returns
    -------
    DataFrame
        p_* columns, score, rank (1 = best), tier. features -> pyramid.

    Raises
    ------
    InsufficientDataError
        Fewer than 2 buyers or no separation.
    ParamsError
        Bad indicators or tiers.
    """
    buyers = _buyers(features, f"the {PYRAMID_TITLES.get(name, name + ' pyramid').lower()}")
    out = composite_score(buyers, indicators, param=_param(f"pyramid.{name}"))
    out["rank"] = out["score"].sort_index(kind="stable").rank(method="first", ascending=False).astype("int64")
    out["tier"] = assign_tiers(out["score"], tiers)
    return out


def pyramid_summary(pyramid: pd.DataFrame, features: pd.DataFrame) -> pd.DataFrame:
    """Customers, revenue and profit per tier, top tier first.

    Returns
    -------
    DataFrame
        Indexed by tier: customers, customer_share, revenue, revenue_share,
        gross_profit, net_profit, mean_score. pyramid + features -> summary.
    """
    f = features.loc[pyramid.index]
    frame = pd.DataFrame(
        {
            "tier": pyramid["tier"],
            "score": pyramid["score"],
            "revenue": f["revenue"],
            "gross_profit": f["gross_profit"],
            "net_profit": f["net_profit"],
        }
    )
    g = frame.groupby("tier", observed=False)
    out = pd.DataFrame(
        {
            "customers": g.size(),
            "revenue": g["revenue"].sum(),
            "gross_profit": g["gross_profit"].sum(),
            "net_profit": g["net_profit"].sum(min_count=1),
            "mean_score": g["score"].mean(),
        }
    )
    out.index = out.index.astype("str")
    out.insert(1, "customer_share", out["customers"] / out["customers"].sum())
    tot = out["revenue"].sum()
    out.insert(3, "revenue_share", out["revenue"] / tot if tot else np.nan)
    out.index.name = "tier"
    return out


def plot_pyramid(summary: pd.DataFrame, ax=None, *, title: str | None = None, palette: dict | None = None):
    """Draw tiers as a pyramid: centred horizontal bars, top tier on top.

    Bar widths are the tiers' customer counts (so with the default shares the
    top is narrow). Each tier's name is written left of its bar, its
    customers and share of revenue right of it, so no text covers a bar.

    Parameters
    ----------
    summary : DataFrame
        From :func:`pyramid_summary` (index tier, top first; customers,
        revenue_share).
    ax : matplotlib Axes, optional
    title : str, optional
    palette : dict, optional
        Tier -> colour.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    n = len(summary)
    widths = summary["customers"].to_numpy(dtype=float)
    ys = np.arange(n)[::-1]
    from custlib.reports.context import PALETTE

    shared = {str(k).lower(): v for k, v in PALETTE.items()}  # one colour per tier in every report
    palette = palette or {}
    colours = [
        palette.get(t) or shared.get(str(t).lower()) or plt.cm.Blues(0.85 - 0.6 * i / max(n - 1, 1)) for i, t in enumerate(summary.index)
    ]
    ax.barh(ys, widths, left=-widths / 2, height=0.92, color=colours, edgecolor="white")
    half = max(widths.max(), 1) / 2
    pad = half * 0.05
    for y, w, (tier, row) in zip(ys, widths, summary.iterrows(), strict=True):
        count = int(row["customers"])
        share = row.get("revenue_share", np.nan)
        numbers = _count(count, "customer") + (f"\n{share:.0%} of revenue" if pd.notna(share) else "")
        ax.text(-w / 2 - pad, y, _cap(str(tier)), ha="right", va="center", fontsize=10, weight="bold")
        ax.text(w / 2 + pad, y, numbers, ha="left", va="center", fontsize=9, linespacing=1.2)
    ax.set_yticks([])
    ax.set_xticks([])
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_xlim(-half * 1.9, half * 1.9)
    ax.set_ylim(-0.6, n - 0.4)
    if title:
        ax.set_title(title)
    return ax


def value_scorecard(
    features: pd.DataFrame, current: dict, potential: dict, *, weights: dict | None = None, split: float = 0.5
) -> pd.DataFrame:
    """Current value vs potential value per buying customer (value scorecard).

    current_value and potential_value are :func:`composite_score` of their
    indicator sets (financial and sales indicators; customer and service
    indicators); overall = w_c * current + w_p * potential with the weights
    rescaled to sum to 1 (Verhoef & Donkers 2001). Quadrants at ``split`` on
    both axes: keep and grow (high, high), maintain (high current, low
    potential), invest (low current, high potential), monitor (low, low).

    Returns
    -------
    DataFrame
        current_value, potential_value, overall, quadrant. features -> scorecard.

    Raises
    ------
    ParamsError
        Bad weights or split.
    InsufficientDataError
        Fewer than 2 buyers.
    """
    weights = weights or {"current": 0.5, "potential": 0.5}
    wc, wp = float(weights.get("current", 0)), float(weights.get("potential", 0))
    if wc < 0 or wp < 0 or wc + wp <= 0:
        raise ParamsError(f"{_param('scorecard.weights')}: expected current and potential >= 0, not both 0, got {weights!r}")
    if not 0 < split < 1:
        raise ParamsError(f"{_param('scorecard.split')}: expected a number between 0 and 1, got {split!r}")
    buyers = _buyers(features, "the value scorecard")
    cur = composite_score(buyers, current, param=_param("scorecard.current"))["score"]
    pot = composite_score(buyers, potential, param=_param("scorecard.potential"))["score"]
    out = pd.DataFrame({"current_value": cur, "potential_value": pot})
    out["overall"] = (wc * cur + wp * pot) / (wc + wp)
    hi_c, hi_p = cur >= split, pot >= split
    quad = np.select([hi_c & hi_p, hi_c & ~hi_p, ~hi_c & hi_p], _QUADRANTS[:3], default=_QUADRANTS[3])
    out["quadrant"] = pd.Series(quad, index=out.index, dtype="str")
    return out


def plot_scorecard(scorecard: pd.DataFrame, ax=None, *, split: float = 0.5, label_top: int = 8, palette: dict | None = None):
    """2x2 chart of current vs potential value, naming the customers to invest in.

    The ``label_top`` invest-quadrant customers with the highest potential
    are numbered on the chart and listed by customer id right of it, under
    "Invest first"; the legend (quadrant and customers) sits below that
    list, so neither covers a point.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 5.5))
    default = dict(zip(_QUADRANTS, ("tab:green", "tab:blue", "tab:orange", "tab:gray"), strict=True))
    colours = {**default, **(palette or {})}
    for quad in _QUADRANTS:
        d = scorecard[scorecard["quadrant"] == quad]
        ax.scatter(d["current_value"], d["potential_value"], s=14, alpha=0.7, color=colours.get(quad), label=f"{_cap(quad)} ({len(d):,})")
    ax.axvline(split, color="black", lw=0.8)
    ax.axhline(split, color="black", lw=0.8)
    corners = {
        "keep and grow": (0.98, 0.98, "right", "top"),
        "maintain": (0.98, 0.02, "right", "bottom"),
        "invest": (0.02, 0.98, "left", "top"),
        "monitor": (0.02, 0.02, "left", "bottom"),
    }
    for quad, (x, y, ha, va) in corners.items():
        ax.text(x, y, _cap(quad), transform=ax.transAxes, ha=ha, va=va, fontsize=10, weight="bold", color=colours.get(quad))
    top = invest_list(scorecard).head(label_top)
    for i, (_cid, row) in enumerate(top.iterrows(), start=1):
        ax.annotate(
            str(i), (row["current_value"], row["potential_value"]), xytext=(3, 3), textcoords="offset points", fontsize=7, weight="bold"
        )
    if len(top):
        listing = "\n".join(f"{i}  {cid}" for i, cid in enumerate(top.index, start=1))
        ax.text(1.04, 1.0, "Invest first", transform=ax.transAxes, ha="left", va="top", fontsize=9, weight="bold")
        ax.text(1.04, 0.94, listing, transform=ax.transAxes, ha="left", va="top", fontsize=8, family="monospace", linespacing=1.3)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("Current value (financial and sales indicators)")
    ax.set_ylabel("Potential value (customer and service indicators)")
    ax.legend(loc="lower left", bbox_to_anchor=(1.02, 0.0), fontsize=8, frameon=False, borderaxespad=0)
    return ax


def invest_list(scorecard: pd.DataFrame) -> pd.DataFrame:
    """Customers to invest in: the invest quadrant, highest potential first.

    Returns
    -------
    DataFrame
        The invest rows with ``gap`` = potential - current, sorted by
        potential (descending, ties by id). scorecard -> invest list.
    """
    inv = scorecard[scorecard["quadrant"] == "invest"].assign(gap=lambda d: d["potential_value"] - d["current_value"])
    return inv.sort_index(kind="stable").sort_values("potential_value", ascending=False, kind="stable")


# ---------------------------------------------------------------------------
# Clusters
# ---------------------------------------------------------------------------

_CLUSTER_WORDS = {
    "revenue": ("large", "small"),
    "gross_profit": ("profitable", "low-profit"),
    "orders": ("frequent", "occasional"),
    "avg_order_value": ("big-ticket", "small-ticket"),
    "n_categories": ("broad", "narrow"),
    "category_share": ("broad", "narrow"),
    "recency_days": ("lapsed", "recently active"),
    "margin": ("high-margin", "low-margin"),
    "growth": ("growing", "shrinking"),
    "tenure_days": ("long-standing", "new"),
}
_LOG_FEATURES = ("revenue", "orders", "avg_order_value", "gross_profit", "n_categories")


def _cluster_matrix(frame: pd.DataFrame, features) -> pd.DataFrame:
    """Features as clustered: log1p for money and counts (clipped at 0), NaN -> column median."""
    _require_columns(frame, list(features), "customer features")
    X = frame[list(features)].astype("float64")
    for c in X.columns:
        if c in _LOG_FEATURES:
            X[c] = np.log1p(X[c].clip(lower=0))
        med = X[c].median()
        X[c] = X[c].fillna(0.0 if pd.isna(med) else med)
    return X


def describe_cluster(z: pd.Series, *, threshold: float = 0.5, max_words: int = 3) -> str:
    """Words for a cluster from its mean z-scores, e.g. ``"large, frequent, broad buyers"``.

    Features whose |z| >= threshold are named, strongest first, by the word
    pair in the module's table (``high <feature>`` / ``low <feature>`` for
    others); none -> ``"average buyers"``.
    """
    picked = z[z.abs() >= threshold]
    picked = picked.reindex(picked.abs().sort_values(ascending=False, kind="stable").index)[:max_words]
    words = []
    for feat, val in picked.items():
        hi, lo = _CLUSTER_WORDS.get(feat, (f"high {feat}", f"low {feat}"))
        w = hi if val > 0 else lo
        if w not in words:
            words.append(w)
    return (", ".join(words) if words else "average") + " buyers"


CLUSTER_FIT_SAMPLE = 20_000
"""Above this many customers :class:`CustomerClusters` fits k-means on a seeded random
sample of this size and assigns everyone to the nearest centre (``fit_sample``)."""

CLUSTER_SEARCH_N_INIT = 3
"""k-means restarts per k while choosing k on a fit sample (``search_n_init``); the chosen
k is then refitted with the full ``n_init``."""


class CustomerClusters:
    """k-means segments on standardised behavioural features, k by silhouette.

    A scikit-learn ``Pipeline(StandardScaler, KMeans)`` is fitted for each k
    in ``[k_min, k_max]`` (seeded, ``n_init`` fixed) and the k with the
    highest mean silhouette is kept (ties -> smaller k; Rousseeuw 1987). The
    default range starts at 3 because on skewed customer data the silhouette
    usually prefers k = 2, "active" against "lapsed", which tells a manager
    nothing new. When
    there are more than ``silhouette_sample`` customers the silhouette is
    computed on a seeded random sample of that size
    (``silhouette_score(sample_size=..., random_state=...)``). Money and
    count features are log1p-transformed first. Clusters are numbered
    1..k by descending mean revenue (then size, then KMeans label), so
    labels are the same across identical runs.

    Large regions (more than ``fit_sample`` customers): the features are
    standardised on every customer, then k is chosen and the centres are
    fitted on a seeded random sample of ``fit_sample`` customers (drawn with
    ``numpy.random.default_rng(random_state)`` from the id-sorted customers,
    so the same customers give the same sample in any row order): each k is
    tried with ``search_n_init`` restarts (at most ``n_init``), the chosen k
    is refitted on the sample with ``n_init`` restarts, and every customer
    is assigned to the nearest centre (``predict``); profiles, z-scores and
    the numbering by revenue are then computed on every customer. k-means
    centres are means, so a random sample estimates each with a standard
    error of about sd / sqrt(sampled customers of the cluster): a cluster
    with 100 or more customers in the sample is placed to within about a
    tenth of a standard deviation, well inside the spread the clusters
    describe (the argument behind fitting k-means on random samples:
    Bradley, P. S. & Fayyad, U. M. 1998, "Refining initial points for
    k-means clustering", ICML, 91-99; Sculley, D. 2010, "Web-scale k-means
    clustering", WWW '10, 1177-1178). The silhouette is then computed on
    ``silhouette_sample`` customers of the fit sample. ``fit_sample=None``
    fits on everyone; regions of up to ``fit_sample`` customers are fitted
    exactly as without sampling.

    k-means and the silhouette run single-threaded (``threadpoolctl``): the
    runner already runs one region per core, and OpenMP threads competing
    for the same cores made the fits 10 to 40 times slower when measured.

    Parameters
    ----------
    features : sequence of str
        Columns of the customer frame to cluster on.
    k_min, k_max : int
    n_init : int
        k-means restarts per k (on a sample: of the final fit).
    random_state : int
        Seed of k-means, the fit sample and the silhouette sample.
    silhouette_sample : int
    fit_sample : int or None
        Fit on a random sample of this many customers when there are more
        (at least 100); None never samples.
    search_n_init : int
        k-means restarts per k while choosing k on a fit sample.

    Attributes
    ----------
    k_ : int
    silhouette_ : Series
        Mean silhouette per k tried.
    pipeline_ : sklearn Pipeline
    labels_ : Series
        Cluster number (1..k) per customer.
    profiles_ : DataFrame
        Per cluster: customers, mean of each raw feature, description.
    zscores_ : DataFrame
        Per cluster: mean standardised feature.
    n_customers_ : int
        Customers clustered.
    n_fit_ : int
        Customers the centres were fitted on (``n_customers_`` unless sampled).
    n_silhouette_ : int
        Customers the silhouette was computed on.
    """

    def __init__(
        self,
        features=tuple(DEFAULTS["clusters"]["features"]),
        k_min: int = 3,
        k_max: int = 8,
        n_init: int = 10,
        random_state: int = 42,
        silhouette_sample: int = 2000,
        fit_sample: int | None = CLUSTER_FIT_SAMPLE,
        search_n_init: int = CLUSTER_SEARCH_N_INIT,
    ):
        self.features = features
        self.k_min = k_min
        self.k_max = k_max
        self.n_init = n_init
        self.random_state = random_state
        self.silhouette_sample = silhouette_sample
        self.fit_sample = fit_sample
        self.search_n_init = search_n_init

    def _kmeans(self, k: int, n_init: int):
        from sklearn.cluster import KMeans

        return KMeans(n_clusters=k, n_init=n_init, random_state=self.random_state)

    def _check_params(self) -> None:
        if not (isinstance(self.k_min, int) and isinstance(self.k_max, int) and 2 <= self.k_min <= self.k_max):
            raise ParamsError(
                f"{_param('clusters.k_min')}/{_param('clusters.k_max')}: expected 2 <= k_min <= k_max, got {self.k_min}, {self.k_max}"
            )
        fs = self.fit_sample
        if fs is not None and (isinstance(fs, bool) or not isinstance(fs, int) or fs < 100):
            raise ParamsError(f"{_param('clusters.fit_sample')}: expected a whole number of customers >= 100 or None, got {fs!r}")
        sn = self.search_n_init
        if isinstance(sn, bool) or not isinstance(sn, int) or sn < 1:
            raise ParamsError(f"{_param('clusters.search_n_init')}: expected a whole number of restarts >= 1, got {sn!r}")

    def fit(self, frame: pd.DataFrame) -> CustomerClusters:
        """Fit on a per-customer frame (index = customer_id).

        Raises
        ------
        ParamsError
            Bad k range, fit sample or restarts.
        InsufficientDataError
            Fewer than 3 customers, or fewer than 2 distinct customers.
        """
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.metrics import silhouette_score
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler
        from threadpoolctl import threadpool_limits

        self._check_params()
        X = _cluster_matrix(frame, self.features).sort_index(kind="stable")
        n = len(X)
        n_distinct = len(X.drop_duplicates())
        if n < 3 or n_distinct < 2:
            raise InsufficientDataError(
                f"clusters need at least 3 customers who buy in at least 2 different ways; "
                f"found {_count(n, 'customer')}, {n_distinct} distinct"
            )
        sampled = self.fit_sample is not None and n > self.fit_sample
        scaler = StandardScaler().fit(X)
        Z = scaler.transform(X)
        if sampled:
            rows = np.sort(np.random.default_rng(self.random_state).choice(n, self.fit_sample, replace=False))
            Z_fit = Z[rows]
            n_fit, n_distinct = len(rows), len(np.unique(Z_fit, axis=0))
            search_n_init = min(self.search_n_init, self.n_init)
        else:
            Z_fit, n_fit, search_n_init = Z, n, self.n_init
        ks = range(self.k_min, min(self.k_max, n_fit - 1, n_distinct) + 1)
        if len(ks) == 0:
            raise InsufficientDataError(f"clusters: {n} customers are too few for {self.k_min} or more groups")
        sample = self.silhouette_sample if n_fit > self.silhouette_sample else None
        scores, fitted = {}, {}
        with warnings.catch_warnings(), threadpool_limits(limits=1):
            warnings.simplefilter("ignore", ConvergenceWarning)
            for k in ks:
                km = self._kmeans(k, search_n_init).fit(Z_fit)
                labels = km.labels_
                if len(np.unique(labels)) < 2:
                    continue
                scores[k] = float(silhouette_score(Z_fit, labels, sample_size=sample, random_state=self.random_state))
                fitted[k] = km
            if not scores:
                raise InsufficientDataError("clusters: no k in the range split the customers into 2 or more groups")
            best = max(scores.values())
            self.k_ = min(k for k, s in scores.items() if s >= best - 1e-12)
            km = fitted[self.k_]
            if sampled and self.n_init > search_n_init:
                km = self._kmeans(self.k_, self.n_init).fit(Z_fit)
            self.pipeline_ = Pipeline([("scale", scaler), ("kmeans", km)])
            raw = km.predict(Z) if sampled else km.labels_
        self.silhouette_ = pd.Series(scores, name="silhouette").rename_axis("k")
        self.n_customers_, self.n_fit_ = n, n_fit
        self.n_silhouette_ = sample if sample is not None else n_fit
        raw = pd.Series(raw, index=X.index)
        revenue = frame["revenue"].reindex(X.index) if "revenue" in frame.columns else X.iloc[:, 0]
        stats = pd.DataFrame({"rev": revenue.groupby(raw).mean(), "size": raw.value_counts()})
        stats["raw"] = stats.index
        order = stats.sort_values(["rev", "size", "raw"], ascending=[False, False, True], kind="stable").index
        mapping = {int(old): new for new, old in enumerate(order, start=1)}
        self.label_map_ = mapping
        self.labels_ = raw.map(mapping).astype("int64").rename("cluster").reindex(frame.index)
        Z = pd.DataFrame(Z, index=X.index, columns=X.columns)
        self.zscores_ = Z.groupby(self.labels_.reindex(X.index)).mean().rename_axis("cluster")
        raw_means = frame[list(self.features)].reindex(X.index).groupby(self.labels_.reindex(X.index)).mean()
        prof = raw_means.rename_axis("cluster")
        prof.insert(0, "customers", self.labels_.value_counts().sort_index())
        prof.insert(1, "customer_share", prof["customers"] / n)
        prof["description"] = [describe_cluster(self.zscores_.loc[c]) for c in prof.index]
        self.profiles_ = prof
        return self

    def _check(self):
        if not hasattr(self, "labels_"):
            raise NotFittedError("CustomerClusters is not fitted yet; call fit(features) first")

    def predict(self, frame: pd.DataFrame) -> pd.Series:
        """Cluster numbers (1..k, the numbering of ``labels_``) for customers in ``frame``."""
        self._check()
        raw = self.pipeline_.predict(_cluster_matrix(frame, self.features))
        return pd.Series([self.label_map_[int(r)] for r in raw], index=frame.index, name="cluster", dtype="int64")

    def sampling_note(self) -> str:
        """The caveat a report states when the fit or the silhouette used a sample ('' when neither did)."""
        self._check()
        parts = []
        if self.n_fit_ < self.n_customers_:
            parts.append(
                f"clusters fitted on a random sample of {self.n_fit_:,} of the {self.n_customers_:,} customers who have ordered; "
                "the others join the nearest cluster"
            )
        if self.n_silhouette_ < self.n_fit_:
            parts.append(f"silhouette computed on a random sample of {self.n_silhouette_:,} customers")
        return "; ".join(parts)


def cluster_customers(data: pd.DataFrame, **settings) -> CustomerClusters:
    """Fit :class:`CustomerClusters` on the buyers of ``data`` (from :func:`customer_features`).

    ``settings`` are the ``clusters`` parameters (features, k_min, k_max,
    n_init, silhouette_sample, and optionally fit_sample and search_n_init)
    and ``random_state``. features -> fitted model.
    """
    buyers = _buyers(data, "clusters", minimum=3)
    return CustomerClusters(**{**DEFAULTS["clusters"], **settings}).fit(buyers)


# ---------------------------------------------------------------------------
# Loyalty, relationship stage, market type
# ---------------------------------------------------------------------------


def loyalty_classes(
    features: pd.DataFrame,
    *,
    min_orders: int = 3,
    min_tenure_days: int = 365,
    max_gap_cv: float = 1.0,
    max_recency_ratio: float = 2.0,
    min_category_share: float = 0.2,
) -> pd.DataFrame:
    """Loyal, switcher or no brand loyalty, from what our own sales show.

    We only see purchases from us, so loyalty status (Kotler & Keller,
    ch. 9: hard-core loyals, shifting loyals, switchers) is read from proxies,
    applied in this order to each customer who has ordered:

    1. **no brand loyalty**: fewer than ``min_orders`` orders in the whole
       history (one-off or occasional buyers: nothing ties them to us);
    2. **loyal**: all of
       tenure >= ``min_tenure_days``;
       regular repeat purchases, gap_cv (s.d. / mean of the gaps between
       order dates) <= ``max_gap_cv``; the default 1 is the CV of random
       (Poisson) buying, below it purchases follow a rhythm (Erlang-k gaps,
       CV = 1 / sqrt(k); Platzer & Reutterer 2016);
       still within their rhythm, recency_days <= ``max_recency_ratio`` x
       gap_mean_days;
       and broad buying, category_share >= ``min_category_share``;
    3. **switcher**: every other repeat buyer (irregular orders, a gap
       longer than their rhythm, a short tenure or narrow buying: they
       come to us and go elsewhere).

    Returns
    -------
    DataFrame
        orders_total, tenure_days, gap_cv, recency_ratio, category_share,
        loyalty, reason (the first failed condition, in words).
        features -> loyalty.

    Raises
    ------
    InsufficientDataError
        Fewer than 2 buyers.
    """
    buyers = _buyers(features, "loyalty classes")
    out = buyers[["orders_total", "tenure_days", "gap_cv", "gap_mean_days", "recency_days", "category_share"]].copy()
    out["recency_ratio"] = (out["recency_days"] / out["gap_mean_days"]).where(out["gap_mean_days"] > 0)
    few = out["orders_total"] < min_orders
    short = out["tenure_days"] < min_tenure_days
    irregular = ~(out["gap_cv"] <= max_gap_cv)
    overdue = ~(out["recency_ratio"] <= max_recency_ratio)
    narrow = out["category_share"] < min_category_share
    reason = np.select(
        [few, short, irregular, overdue, narrow],
        [
            f"fewer than {min_orders} orders",
            f"customer for less than {min_tenure_days} days",
            f"irregular orders (gap CV above {max_gap_cv:g})",
            f"last order more than {max_recency_ratio:g} usual gaps ago",
            f"buys under {min_category_share:.0%} of categories",
        ],
        default="regular, long-standing, broad buyer",
    )
    loyal = ~(few | short | irregular | overdue | narrow)
    out["loyalty"] = pd.Series(np.where(few, _LOYALTY[2], np.where(loyal, _LOYALTY[0], _LOYALTY[1])), index=out.index, dtype="str")
    out["reason"] = pd.Series(reason, index=out.index, dtype="str")
    return out.drop(columns=["gap_mean_days", "recency_days"])


def class_summary(labels: pd.Series, features: pd.DataFrame, *, order=None, name: str = "class") -> pd.DataFrame:
    """Customers and value per class of any labelling.

    Returns
    -------
    DataFrame
        Indexed by class (``order`` first): customers, customer_share,
        revenue, revenue_share, gross_profit. labels + features -> summary.
    """
    f = features.loc[labels.index]
    frame = pd.DataFrame({name: labels.astype("str"), "revenue": f["revenue"], "gross_profit": f["gross_profit"]})
    g = frame.groupby(name, sort=True)
    out = pd.DataFrame({"customers": g.size(), "revenue": g["revenue"].sum(), "gross_profit": g["gross_profit"].sum()})
    if order is not None:
        out = out.reindex([o for o in order] + [i for i in out.index if i not in order]).fillna(
            {"customers": 0, "revenue": 0.0, "gross_profit": 0.0}
        )
        out["customers"] = out["customers"].astype("int64")
    out.insert(1, "customer_share", out["customers"] / max(out["customers"].sum(), 1))
    tot = out["revenue"].sum()
    out.insert(3, "revenue_share", out["revenue"] / tot if tot else np.nan)
    out.index.name = name
    return out


def relationship_stages(features: pd.DataFrame, *, stable: float = 0.2, strategic: float = 0.6) -> pd.DataFrame:
    """Relationship stage from share of wallet (every customer of the region).

    share_of_wallet = trailing-12-month revenue / wallet_estimate (Keiningham
    et al. 2005). Stages (DOMAIN.md section 1): development, no revenue in
    the last 12 months (share 0); initial cooperation, 0 < share < ``stable``
    (secondary or candidate supplier); stable cooperation, ``stable`` <=
    share < ``strategic`` (main supplier); strategic cooperation, share >=
    ``strategic`` (dominant share). Customers without an estimate get no
    stage (NaN).

    Returns
    -------
    DataFrame
        revenue_12m, wallet_estimate, share_of_wallet, stage.
        features -> stage.

    Raises
    ------
    ParamsError
        Thresholds not 0 < stable < strategic.
    InsufficientDataError
        ``wallet_estimate`` is absent or missing for every customer: the
        stage is not guessed.
    """
    if not 0 < stable < strategic:
        raise ParamsError(f"{_param('relationship')}: expected 0 < stable < strategic, got stable={stable!r}, strategic={strategic!r}")
    if "wallet_estimate" not in features.columns or features["wallet_estimate"].isna().all():
        raise InsufficientDataError(
            "relationship stage is not available: the customers table has no wallet_estimate (each customer's yearly spend "
            "on our categories from all suppliers), so share of wallet cannot be measured; add it to show the stages"
        )
    out = features[["revenue_12m", "wallet_estimate"]].copy()
    sow = out["revenue_12m"].clip(lower=0) / out["wallet_estimate"]
    out["share_of_wallet"] = sow
    stage = np.select([sow <= 0, sow < stable, sow < strategic, sow >= strategic], _STAGES, default="")
    out["stage"] = pd.Series(stage, index=out.index, dtype="str").where(sow.notna())
    return out


def market_type_breakdown(features: pd.DataFrame) -> pd.DataFrame:
    """Customers, buyers, revenue and profit per market type.

    All five market types of the contract are listed, in contract order,
    even when empty.

    Returns
    -------
    DataFrame
        Indexed by market_type: customers, buyers (ordered in the window),
        revenue, revenue_share, gross_profit, margin, net_profit,
        revenue_per_buyer. features -> breakdown.
    """
    f = features.assign(active=features["orders"] > 0)
    g = f.groupby("market_type", sort=True)
    out = pd.DataFrame(
        {
            "customers": g.size(),
            "buyers": g["active"].sum(),
            "revenue": g["revenue"].sum(),
            "gross_profit": g["gross_profit"].sum(),
            "net_profit": g["net_profit"].sum(min_count=1),
        }
    )
    order = list(MARKET_TYPES) + sorted(set(out.index) - set(MARKET_TYPES))
    out = out.reindex(order)
    out[["customers", "buyers"]] = out[["customers", "buyers"]].fillna(0).astype("int64")
    out[["revenue", "gross_profit"]] = out[["revenue", "gross_profit"]].fillna(0.0)
    tot = out["revenue"].sum()
    out.insert(3, "revenue_share", out["revenue"] / tot if tot else np.nan)
    out["margin"] = (out["gross_profit"] / out["revenue"]).where(out["revenue"] > 0)
    out["revenue_per_buyer"] = (out["revenue"] / out["buyers"]).where(out["buyers"] > 0)
    out.index.name = "market_type"
    return out[["customers", "buyers", "revenue", "revenue_share", "gross_profit", "margin", "net_profit", "revenue_per_buyer"]]


# ---------------------------------------------------------------------------
# Migration between quarters
# ---------------------------------------------------------------------------


def transition_matrix(previous: pd.Series, current: pd.Series, *, order=None, values: pd.Series | None = None) -> pd.DataFrame:
    """Cross-table of classes last quarter (rows) against this quarter (columns).

    Customers classed in only one of the two quarters appear in the
    :data:`NONE_LABEL` row or column. With ``values`` (e.g. this quarter's
    revenue per customer) cells hold the sum of values, otherwise customer
    counts.

    Returns
    -------
    DataFrame
        Rows ``previous``, columns ``current``, labels in ``order`` (then
        others alphabetically, then :data:`NONE_LABEL` when any customer is
        unclassed in that quarter); empty class rows and columns are kept so
        matrices of two runs line up. labels -> matrix.
    """
    idx = previous.index.union(current.index)
    # a few classes over many customers: factorise each side once and count cells over integer codes
    factorised = [pd.factorize(s.reindex(idx)) for s in (previous, current)]
    seen = {str(u) for _, uniques in factorised for u in uniques} - {NONE_LABEL}
    order = [str(o) for o in (order or [])]
    labels = order + sorted(seen - set(order)) + [NONE_LABEL]
    pos = {label: i for i, label in enumerate(labels)}
    # each customer's row / column in labels; code -1 (no class that quarter) is the NONE_LABEL one
    prev, curr = (np.array([*(pos[str(u)] for u in uniques), pos[NONE_LABEL]])[codes] for codes, uniques in factorised)
    size = len(labels)
    v = None if values is None else values.reindex(idx).fillna(0.0).to_numpy(dtype="float64")
    cell = prev * size + curr
    cells = np.bincount(cell, minlength=size * size) if v is None else _grouped(cell, v, size * size).sum().to_numpy()
    cells = cells.reshape(size, size)
    m = pd.DataFrame(cells, index=pd.Index(labels, dtype="str"), columns=pd.Index(labels, dtype="str"))
    if not (prev == pos[NONE_LABEL]).any():
        m = m.drop(index=NONE_LABEL)
    if not (curr == pos[NONE_LABEL]).any():
        m = m.drop(columns=NONE_LABEL)
    if values is None:
        m = m.astype("int64")
    m.index.name = "previous quarter"
    m.columns.name = "this quarter"
    return m


def class_moves(previous: pd.Series, current: pd.Series, order) -> pd.DataFrame:
    """Each customer's class last quarter and now, and the direction of the move.

    ``order`` lists the classes best first; move is ``up``, ``same``,
    ``down``, ``new`` (no class last quarter) or ``gone`` (no class now).

    Returns
    -------
    DataFrame
        previous, current, move. labels -> moves.
    """
    rank = {str(n): i for i, n in enumerate(order)}
    idx = previous.index.union(current.index)
    prev = previous.astype("object").reindex(idx)
    curr = current.astype("object").reindex(idx)
    rp, rc = prev.map(rank, na_action="ignore"), curr.map(rank, na_action="ignore")
    move = np.select([rp.isna(), rc.isna(), rc < rp, rc > rp], ["new", "gone", "up", "down"], default="same")
    return pd.DataFrame({"previous": prev.astype("str"), "current": curr.astype("str"), "move": pd.Series(move, index=idx, dtype="str")})


def moved_down(
    previous: pd.Series,
    current: pd.Series,
    tiers,
    *,
    valuable_tiers: int = 2,
    features: pd.DataFrame | None = None,
    features_prev: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Valuable customers whose tier fell since last quarter.

    Valuable = in one of the top ``valuable_tiers`` tiers last quarter;
    moved down = in a lower tier now, or no longer ranked.

    Returns
    -------
    DataFrame
        previous_tier, tier, and with the feature frames revenue_prior_quarter
        (window revenue at last quarter's end), revenue, revenue_change,
        recency_days; largest previous revenue first. tiers -> moved-down list.
    """
    names, _ = _check_tiers(tiers)
    rank = {n: i for i, n in enumerate(names)}
    prev = previous.dropna().astype("str")
    curr = current.astype("object").reindex(prev.index).astype("str")
    pr = prev.map(rank)
    cr = curr.map(rank).fillna(len(names))
    mask = (pr < valuable_tiers) & (cr > pr)
    out = pd.DataFrame({"previous_tier": prev[mask], "tier": current.astype("object").reindex(prev.index)[mask].astype("str")})
    if features is not None and features_prev is not None:
        out["revenue_prior_quarter"] = features_prev["revenue"].reindex(out.index)
        out["revenue"] = features["revenue"].reindex(out.index).fillna(0.0)
        out["revenue_change"] = out["revenue"] - out["revenue_prior_quarter"]
        out["recency_days"] = features["recency_days"].reindex(out.index)
        out = out.sort_index(kind="stable").sort_values("revenue_prior_quarter", ascending=False, kind="stable")
    return out


# ---------------------------------------------------------------------------
# Actionable tables
# ---------------------------------------------------------------------------


def customers_to_grow(
    scorecard: pd.DataFrame,
    features: pd.DataFrame,
    *,
    pyramid: pd.DataFrame | None = None,
    rfm: pd.DataFrame | None = None,
    top: int | None = None,
) -> pd.DataFrame:
    """Customers to grow: high potential, lower current value (invest quadrant).

    Returns
    -------
    DataFrame
        name, market_type, current_value, potential_value, revenue,
        revenue_prior, gross_profit, growth, share_of_wallet,
        wallet_headroom, category_share, tier and segment when given;
        highest potential first. scorecard + features -> list.
    """
    inv = invest_list(scorecard)
    cols = [
        "name",
        "market_type",
        "revenue",
        "revenue_prior",
        "gross_profit",
        "growth",
        "share_of_wallet",
        "wallet_headroom",
        "category_share",
    ]
    out = inv[["current_value", "potential_value"]].join(features[cols])
    out = out[["name", "market_type", "current_value", "potential_value", *cols[2:]]]
    if pyramid is not None:
        out["tier"] = pyramid["tier"].reindex(out.index).astype("str")
    if rfm is not None:
        out["segment"] = rfm["segment"].reindex(out.index)
    return out.head(top) if top else out


def valuable_at_risk(
    features: pd.DataFrame,
    rfm: pd.DataFrame,
    pyramid: pd.DataFrame,
    tiers,
    *,
    valuable_tiers: int = 2,
    abc: pd.Series | None = None,
    top: int | None = None,
) -> pd.DataFrame:
    """Valuable customers at risk: top tiers (or class A) in a slipping RFM segment.

    Valuable = value tier among the top ``valuable_tiers`` or ABC class A by
    revenue; at risk = RFM segment in :data:`AT_RISK_SEGMENTS`, or revenue
    in the window below the window before (growth < 0) by more than a
    quarter (growth < -0.25 in the midpoint scale, i.e. revenue down by
    about 40%).

    Returns
    -------
    DataFrame
        name, market_type, tier, abc, segment, revenue, revenue_prior,
        growth, recency_days, orders, last_order, why; largest
        revenue_prior first. features + rfm + pyramid -> list.
    """
    names, _ = _check_tiers(tiers)
    top_tiers = set(names[:valuable_tiers])
    ids = pyramid.index
    tier = pyramid["tier"].astype("str")
    abc_s = abc.reindex(ids) if abc is not None else pd.Series(np.nan, index=ids, dtype="object")
    valuable = tier.isin(top_tiers) | (abc_s == "A")
    seg = rfm["segment"].reindex(ids)
    slipping = seg.isin(AT_RISK_SEGMENTS)
    falling = features["growth"].reindex(ids) < -0.25
    mask = valuable & (slipping | falling)
    f = features.loc[ids[mask]]
    out = pd.DataFrame(
        {
            "name": f["name"],
            "market_type": f["market_type"],
            "tier": tier[mask],
            "abc": abc_s[mask],
            "segment": seg[mask],
            "revenue": f["revenue"],
            "revenue_prior": f["revenue_prior"],
            "growth": f["growth"],
            "recency_days": f["recency_days"],
            "orders": f["orders"],
            "last_order": f["last_order"].dt.date,
        }
    )
    why = np.where(slipping[mask], "segment " + seg[mask].astype("str"), "")
    why = np.where(falling[mask], np.where(why == "", "revenue falling", why + "; revenue falling"), why)
    out["why"] = pd.Series(why, index=out.index, dtype="str")
    out = out.sort_index(kind="stable").sort_values("revenue_prior", ascending=False, kind="stable")
    return out.head(top) if top else out


# ---------------------------------------------------------------------------
# The whole section for one region and quarter
# ---------------------------------------------------------------------------

_MONEY = (
    "revenue",
    "value",
    "gross_profit",
    "net_profit",
    "revenue_prior",
    "revenue_prior_quarter",
    "revenue_change",
    "revenue_12m",
    "wallet_estimate",
    "wallet_headroom",
    "revenue_per_buyer",
    "avg_order_value",
    "monetary",
    "profit",
)
_DECIMALS = ("current_value", "potential_value", "overall", "gap", "growth", "mean_score", "gap_cv", "recency_ratio", "silhouette")
_PCT = ("customer_share", "revenue_share", "value_share", "margin", "share_of_wallet", "category_share")

SLIPPING_SEGMENTS = ("need attention", "about to sleep", "at risk", "can't lose")
"""RFM segments of customers who bought and are drifting away (the at-risk segments without *hibernating*,
who are already gone): the executive summary counts them."""

CHARTS = ("pyramid_value", "pyramid_profit", "pyramid_potential", "scorecard")
"""Sections :meth:`SegmentationReport.plot` draws."""

EMPTY_TEXT = {
    "moved_down": "No valuable customer moved down a tier since last quarter.",
    "to_grow": "No customer is in the invest quadrant this quarter.",
    "at_risk": "No valuable customer is at risk this quarter.",
}
"""What the report says instead of an empty list."""

_SHARE_HEADERS = {"customer_share": "Share of customers", "revenue_share": "Share of revenue"}
_CLUSTER_HEADERS = {
    "revenue": "Mean revenue",
    "orders": "Mean orders",
    "avg_order_value": "Mean order value",
    "n_categories": "Mean categories bought",
    "recency_days": "Mean days since last order",
    "margin": "Mean margin",
    "gross_profit": "Mean gross profit",
    "growth": "Mean growth",
    "category_share": "Mean share of categories bought",
    "tenure_days": "Mean days as a customer",
}
_CLUSTER_MONEY = ("revenue", "avg_order_value", "gross_profit")
_CLUSTER_PCT = ("margin", "category_share")


def merge_params(params: dict | None) -> dict:
    """``params`` (the ``segmentation`` section) merged over :data:`DEFAULTS`.

    Mappings merge key by key except the rule table and indicator weights,
    which replace the default whole (an override names every cell/indicator).
    """
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULTS.items()}
    for k, v in (params or {}).items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = {**out[k], **v}
        else:
            out[k] = v
    return out


def _cap(value):
    """``"can't lose"`` -> ``"Can't lose"``; anything that is not text is returned unchanged."""
    return value[:1].upper() + value[1:] if isinstance(value, str) else value


def _cap_cells(s: pd.Series) -> pd.Series:
    return s.astype("object").map(_cap, na_action="ignore")


def _tidy_shares(frame: pd.DataFrame, cols) -> pd.DataFrame:
    """Shares that round to 0.0% shown as 0.0% rather than -0.0%."""
    out = frame.copy()
    for c in cols:
        if c in out.columns:
            out[c] = out[c].where(out[c].abs() >= 5e-4, 0.0).where(out[c].notna())
    return out


def _change(now: pd.Series, before: pd.Series) -> pd.Series:
    """Relative change now / before - 1, NaN where there was nothing before."""
    return (now / before - 1.0).where(before > 0)


@dataclass
class SegmentationReport(Sections):
    """Every table of the segmentation section for one region and quarter.

    ``tables`` holds the results by name; a section that could not be
    computed has no table and its reason in ``unavailable``; ``caveats``
    holds notes on sections that were computed with less than the full
    data (e.g. net profit without service costs). ``table``, ``note`` and
    the sentence saying why a section is missing come from
    :class:`custlib.reports.context.Sections`. ``tables`` keep the computed columns
    (snake_case names, lower-case categories); :meth:`view` turns one into
    what a manager reads.
    """

    quarter: str
    tables: dict[str, object] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    caveats: dict[str, str] = field(default_factory=dict)
    params: dict = field(default_factory=dict)

    @property
    def window_months(self) -> int:
        return int(self.params.get("window_months", DEFAULTS["window_months"]))

    def view(self, name: str) -> tuple[pd.DataFrame, dict]:
        """The table ``name`` as the report shows it, and how to format it.

        Columns a manager needs, with headers in words (translated in a
        Chinese report through the catalogue registered by this module),
        categories capitalised, customer lists without scores or long
        reasons, shares that round to zero shown as 0.0%, transition
        matrices with empty cells blank and revenue matrices in thousands.

        Returns
        -------
        (DataFrame, dict)
            The frame and the keyword arguments of
            :func:`custlib.reports.context.show` (money, pct, index; plus
            ``thousands=True`` for a matrix shown in thousands and, for a
            customer list cut at ``top_n`` rows, ``total``: how many there are).
            table -> display table.

        Raises
        ------
        InsufficientDataError
            The section is unavailable (the message says why).
        """
        df = self.table(name)
        w = self.window_months
        rev_w, chg_w = f"Revenue, last {w} months", f"Change vs previous {w} months"
        if name == "abc":
            first = ~df["measure"].duplicated()
            measure = df["measure"].map(lambda m: _cap(_words(m))).where(first, "")
            out = pd.DataFrame(
                {
                    "Measure": measure.astype("object"),
                    "Class": df["class"].astype("object"),
                    "customers": df["customers"].astype("int64"),
                    "Share of customers": df["customer_share"],
                    "Amount": df["value"],
                    "Share of amount": df["value_share"],
                }
            )
            out = _tidy_shares(out, ["Share of customers", "Share of amount"])
            return out, {"money": ("Amount",), "pct": ("Share of customers", "Share of amount"), "index": False}
        if name == "rfm":
            out = df[["customers", "customer_share", "revenue", "revenue_share", "gross_profit", "recency_days", "frequency"]].rename(
                columns={**_SHARE_HEADERS, "recency_days": "Mean days since last order", "frequency": "Mean orders"}
            )
            out = _tidy_shares(out, _SHARE_HEADERS.values())
            return out, {"money": ("revenue", "gross_profit"), "pct": tuple(_SHARE_HEADERS.values()), "index": True}
        if name in ("loyalty", "relationship", "scorecard"):
            out = _tidy_shares(df.rename(columns=_SHARE_HEADERS), _SHARE_HEADERS.values())
            return out, {"money": ("revenue", "gross_profit"), "pct": tuple(_SHARE_HEADERS.values()), "index": True}
        if name == "clusters":
            feats = [c for c in df.columns if c not in ("customers", "customer_share", "description")]
            heads = {c: _CLUSTER_HEADERS.get(c, f"Mean {_words(c)}") for c in feats}
            out = pd.DataFrame({"Description": _cap_cells(df["description"])}, index=df.index)
            out["customers"] = df["customers"].astype("int64")
            out["Share of customers"] = df["customer_share"]
            for c in feats:
                out[heads[c]] = df[c]
            out.index.name = None
            money = tuple(heads[c] for c in feats if c in _CLUSTER_MONEY)
            pct = ("Share of customers", *(heads[c] for c in feats if c in _CLUSTER_PCT))
            return out, {"money": money, "pct": pct, "index": True}
        if name == "market_type":
            out = df.rename(
                columns={
                    "buyers": "Buying customers",
                    "revenue_share": "Share of revenue",
                    "revenue_per_buyer": "Revenue per buying customer",
                }
            )
            out = _tidy_shares(out.dropna(axis=1, how="all"), ["Share of revenue"])
            money = tuple(c for c in ("revenue", "gross_profit", "net_profit", "Revenue per buying customer") if c in out.columns)
            return out, {"money": money, "pct": ("Share of revenue", "margin"), "index": True}
        if name == "relationship_migration" or name.startswith("migration_"):
            out = df.astype("float64").where(df != 0)
            thousands = name.endswith("_revenue")
            if thousands:
                out = (out / 1000.0).round(0)
            out.index.name, out.columns.name = None, None
            return out, {"money": (), "pct": (), "index": True, "thousands": thousands}
        top = self.params.get("top_n") or None
        if name == "moved_down":
            total = len(df)
            df = df.head(top) if top else df
            out = pd.DataFrame(
                {
                    "name": df["name"],
                    "Tier last quarter": _cap_cells(df["previous_tier"]),
                    "Tier now": _cap_cells(df["tier"]),
                    f"Revenue, {w} months to last quarter": df["revenue_prior_quarter"],
                    f"Revenue, {w} months to now": df["revenue"],
                    "Change": df["revenue_change"],
                    "Days since last order": df["recency_days"],
                },
                index=df.index,
            )
            out.index.name = None
            money = (f"Revenue, {w} months to last quarter", f"Revenue, {w} months to now", "Change")
            return out, {"money": money, "pct": (), "index": True, "total": total}
        if name == "to_grow":
            card = self.tables.get("scorecard_customers")
            total = int((card["quadrant"] == "invest").sum()) if card is not None else len(df)
            out = pd.DataFrame(
                {
                    "name": df["name"],
                    "market_type": _cap_cells(df["market_type"]),
                    rev_w: df["revenue"],
                    chg_w: _change(df["revenue"], df["revenue_prior"]),
                    "Share of wallet": df["share_of_wallet"],
                    "Wallet headroom": df["wallet_headroom"],
                    "Share of categories bought": df["category_share"],
                },
                index=df.index,
            ).dropna(axis=1, how="all")
            out.index.name = None
            pct = tuple(c for c in (chg_w, "Share of wallet", "Share of categories bought") if c in out.columns)
            money = tuple(c for c in (rev_w, "Wallet headroom") if c in out.columns)
            return out, {"money": money, "pct": pct, "index": True, "total": total}
        if name == "at_risk":
            total = len(self.tables.get("at_risk_customers", df))
            out = pd.DataFrame(
                {
                    "name": df["name"],
                    "tier": _cap_cells(df["tier"]),
                    "ABC class": df["abc"].astype("object"),
                    "RFM segment": _cap_cells(df["segment"]),
                    rev_w: df["revenue"],
                    chg_w: _change(df["revenue"], df["revenue_prior"]),
                    "Last order": df["last_order"].astype("str"),
                },
                index=df.index,
            ).dropna(axis=1, how="all")
            out.index.name = None
            return out, {"money": (rev_w,), "pct": (chg_w,), "index": True, "total": total}
        if not isinstance(df, pd.DataFrame):
            raise KeyError(f"{name!r} is not a table")
        cols = list(df.columns)
        opts = {
            "money": tuple(c for c in cols if c in _MONEY),
            "pct": tuple(c for c in cols if c in _PCT),
            "decimals": tuple(c for c in cols if c in _DECIMALS),
            "index": not isinstance(df.index, pd.RangeIndex),
        }
        return df, opts

    def show(self, name: str, caption: str | None = None, **kwargs):
        """Show the table ``name`` as :meth:`view` prepares it, or say why it is missing.

        ``kwargs`` (e.g. ``currency``) go to :func:`custlib.reports.context.show`.
        A matrix in thousands gets ``", in thousands of <currency>"`` after
        its caption; an empty customer list is said in a sentence, a cut one
        says how many rows of how many are shown.
        """
        from custlib.reports import context as rp

        if self.say_unavailable(name):
            return
        frame, opts = self.view(name)
        if len(frame) == 0 and name in EMPTY_TEXT:
            rp.say(EMPTY_TEXT[name])
            return
        if opts.pop("thousands", False) and caption:
            caption = f"{caption}, in thousands of {kwargs.get('currency') or 'currency units'}"
        total = opts.pop("total", None)
        rp.show(frame, caption, **{**opts, **kwargs})
        if total is not None and total > len(frame):
            rp.say(f"The first {len(frame):,} of {total:,} are shown.")

    def plot(self, name: str, ax=None):
        """Draw ``pyramid_<name>`` or ``scorecard``.

        When the section is unavailable, say why in words and draw nothing
        (returns None, so :func:`custlib.reports.context.show_figure` shows no empty
        chart); a caveat on an available chart is said above it.

        Returns
        -------
        matplotlib Axes or None

        Raises
        ------
        KeyError
            ``name`` is not one of :data:`CHARTS`.
        """
        if name not in CHARTS:
            raise KeyError(f"no chart for {name!r}; charts: {', '.join(CHARTS)}")
        if self.say_unavailable(name):
            return None
        if name.startswith("pyramid_"):
            which = name.removeprefix("pyramid_")
            return plot_pyramid(self.tables[name], ax=ax, title=PYRAMID_TITLES.get(which, f"{_cap(which)} pyramid"))
        sc = self.params.get("scorecard", {})
        return plot_scorecard(self.tables["scorecard_customers"], ax=ax, split=sc.get("split", 0.5), label_top=sc.get("label_top", 8))


def active_customers(transactions: pd.DataFrame, customers: pd.DataFrame, quarters) -> pd.Series:
    """How many of the region's customers ordered in each quarter.

    Parameters
    ----------
    transactions, customers : DataFrame
        The region's order lines and customers (contract columns).
    quarters : sequence of str or Quarter

    Returns
    -------
    Series
        int64 customers with at least one order line dated in the quarter,
        indexed by quarter (``"2026Q3"``). transactions -> customers per quarter.

    Raises
    ------
    DataError
        Missing columns.
    """
    _require_columns(customers, ["customer_id"], "customers")
    _require_columns(transactions, ["customer_id", "order_date"], "transactions")
    ids = set(customers["customer_id"].astype("str"))
    tx = transactions[transactions["customer_id"].astype("str").isin(ids)]
    out = {}
    for quarter in quarters:
        qq = Quarter.parse(quarter)
        inside = (tx["order_date"] >= qq.start) & (tx["order_date"] < qq.end + pd.Timedelta(days=1))
        out[str(qq)] = int(tx.loc[inside, "customer_id"].astype("str").nunique())
    return pd.Series(out, name="customers", dtype="int64").rename_axis("quarter")


def segment_region(
    transactions: pd.DataFrame,
    customers: pd.DataFrame,
    quarter,
    params: dict | None = None,
    *,
    service_costs: pd.DataFrame | None = None,
    seed: int = 0,
) -> SegmentationReport:
    """Run every segmentation analysis for one region and quarter.

    Each section is computed on its own; one that meets degenerate data
    (one customer, all-equal values, no orders, no wallet estimates) is
    recorded in ``unavailable`` with the reason instead of failing the rest.

    Results (``tables``): customers (features), abc_classes, abc, rfm_customers,
    rfm, pyramid_<p>_customers and pyramid_<p> (value, profit, potential),
    scorecard_customers, scorecard (per quadrant), clusters (profiles),
    cluster_labels, cluster_silhouette, loyalty_customers, loyalty,
    relationship_customers, relationship, relationship_migration,
    market_type, migration_segment_customers, migration_segment_revenue,
    migration_tier_customers, migration_tier_revenue (value-pyramid tiers),
    migration_abc_customers, migration_abc_revenue (ABC class on the
    quarter's revenue against the previous quarter's: the C -> B -> A rolling
    upgrade), tier_moves and abc_moves (per customer: previous, current,
    move), moved_down, to_grow, at_risk (the first ``top_n``),
    at_risk_customers (all) and active_customers (customers who ordered,
    last quarter and this quarter; present even when nothing else is). Migration revenue cells hold the current
    window's (ABC: quarter's) revenue. The previous quarter's
    customers_previous, rfm_previous_customers,
    pyramid_value_previous_customers, abc_previous_classes and
    at_risk_previous_customers are kept when they could be computed (the
    executive summary compares with them).

    Parameters
    ----------
    transactions, customers : DataFrame
        The region's data (whole history up to the quarter's end or later).
    quarter : str or Quarter
    params : dict, optional
        The ``segmentation`` parameters; missing keys take :data:`DEFAULTS`.
    service_costs : DataFrame, optional
    seed : int
        Seed of k-means, its fit sample in large regions and the silhouette
        sample (the runner's ``run.seed``); :class:`CustomerClusters` says when
        a sample is drawn, and ``caveats["clusters"]`` states it in the report.

    Returns
    -------
    SegmentationReport

    Raises
    ------
    ParamsError
        A bad parameter (never hidden as "unavailable").
    """
    q = Quarter.parse(quarter)
    P = merge_params(params)
    rep = SegmentationReport(quarter=str(q), params=P)
    T, U = rep.tables, rep.unavailable
    sections = [
        "abc", "rfm", "pyramid_value", "pyramid_profit", "pyramid_potential", "scorecard", "clusters", "loyalty",
        "relationship", "relationship_migration", "market_type", "migration_segment_customers", "migration_segment_revenue",
        "migration_tier_customers", "migration_tier_revenue", "migration_abc_customers", "migration_abc_revenue", "moved_down",
        "to_grow", "at_risk",
    ]  # fmt: skip

    def attempt(names, fn):
        try:
            fn()
        except InsufficientDataError as err:
            for n in [names] if isinstance(names, str) else names:
                if n not in T:
                    U[n] = str(err)

    _check_window(P["window_months"])
    try:
        # the order lines are encoded once and serve this quarter's features and last quarter's
        lines = _encode_lines(transactions, customers, q.end)
    except InsufficientDataError as err:
        T["active_customers"] = active_customers(transactions, customers, (q.previous, q))
        for n in sections:
            U[n] = str(err)
        return rep
    T["active_customers"] = lines.active((q.previous, q))
    costs = _encode_service_costs(service_costs, lines.ids)
    try:
        feats = _features(lines, q, costs, P["window_months"])
    except InsufficientDataError as err:
        for n in sections:
            U[n] = str(err)
        return rep
    T["customers"] = feats
    try:
        feats_prev = _features(lines, q.previous, costs, P["window_months"])
    except InsufficientDataError as err:
        feats_prev, prev_reason = None, f"no comparison with {q.previous}: {err}"
    else:
        prev_reason = ""
        T["customers_previous"] = feats_prev
    if feats["net_profit"].isna().all():
        rep.caveats["abc"] = "no service costs in the data: net profit after cost to serve is not shown"
        rep.caveats["pyramid_profit"] = "no service costs in the data: the profit pyramid uses gross profit and margin only"
    pyr = P["pyramid"]
    prev_missing: dict[str, str] = {}

    def previous(name: str, fn) -> None:
        """Last quarter's version of a table, or the reason it is missing (in ``prev_missing``)."""
        if feats_prev is None:
            prev_missing[name] = prev_reason
            return
        try:
            T[name] = fn()
        except InsufficientDataError as err:
            prev_missing[name] = f"no comparison with {q.previous}: {err}"

    previous("rfm_previous_customers", lambda: rfm_table(feats_prev, **P["rfm"]))
    previous("pyramid_value_previous_customers", lambda: value_pyramid(feats_prev, pyr["value"], pyr["tiers"], name="value"))
    previous("abc_previous_classes", lambda: abc_table(feats_prev, P["abc"]["cutoffs"], P["abc"]["measures"]))

    def do_abc():
        T["abc_classes"] = abc_table(feats, P["abc"]["cutoffs"], P["abc"]["measures"])
        T["abc"] = abc_summary(feats, T["abc_classes"])

    def do_rfm():
        T["rfm_customers"] = rfm_table(feats, **P["rfm"])
        T["rfm"] = segment_summary(T["rfm_customers"], feats)

    def do_pyramid(which):
        def run():
            pyramid = value_pyramid(feats, pyr[which], pyr["tiers"], name=which)
            T[f"pyramid_{which}_customers"] = pyramid
            T[f"pyramid_{which}"] = pyramid_summary(pyramid, feats)
            _, dropped = resolve_indicators(feats[feats["is_buyer"]], pyr[which], param=_param(f"pyramid.{which}"))
            if dropped and f"pyramid_{which}" not in rep.caveats:  # the no-service-costs note already says why
                rep.caveats[f"pyramid_{which}"] = (
                    f"no data on {_and_list(dropped)} in this region; the weights of the other indicators were rescaled"
                )

        return run

    def do_scorecard():
        sc = P["scorecard"]
        card = value_scorecard(feats, sc["current"], sc["potential"], weights=sc["weights"], split=sc["split"])
        T["scorecard_customers"] = card
        T["scorecard"] = class_summary(card["quadrant"], feats, order=_QUADRANTS, name="quadrant")

    def do_clusters():
        model = cluster_customers(feats, random_state=seed, **P["clusters"])
        T["clusters"] = model.profiles_
        T["cluster_labels"] = model.labels_
        T["cluster_silhouette"] = model.silhouette_.to_frame()
        note = model.sampling_note()
        if note:
            rep.caveats["clusters"] = note

    def do_loyalty():
        T["loyalty_customers"] = loyalty_classes(feats, **P["loyalty"])
        T["loyalty"] = class_summary(T["loyalty_customers"]["loyalty"], feats, order=_LOYALTY, name="loyalty")

    def do_relationship():
        rel = relationship_stages(feats, **P["relationship"])
        T["relationship_customers"] = rel
        known = rel["stage"].dropna()
        T["relationship"] = class_summary(known, feats, order=_STAGES, name="stage")
        unknown = int(rel["stage"].isna().sum())
        if unknown:
            has = "has" if unknown == 1 else "have"
            rep.caveats["relationship"] = f"{_count(unknown, 'customer')} {has} no wallet estimate and no stage"
        if feats_prev is None:
            raise InsufficientDataError(prev_reason)
        prev = relationship_stages(feats_prev, **P["relationship"])["stage"].dropna()
        T["relationship_migration"] = transition_matrix(prev, known, order=_STAGES)

    def do_market():
        T["market_type"] = market_type_breakdown(feats)

    def do_migration():
        if "rfm_customers" not in T:
            raise InsufficientDataError(U.get("rfm", "RFM segments are not available"))
        if "rfm_previous_customers" not in T:
            raise InsufficientDataError(prev_missing["rfm_previous_customers"])
        cur_seg, prev_seg = T["rfm_customers"]["segment"], T["rfm_previous_customers"]["segment"]
        rev = feats["revenue"]
        T["migration_segment_customers"] = transition_matrix(prev_seg, cur_seg, order=SEGMENT_ORDER)
        T["migration_segment_revenue"] = transition_matrix(prev_seg, cur_seg, order=SEGMENT_ORDER, values=rev)

    def do_tier_migration():
        if "pyramid_value_customers" not in T:
            raise InsufficientDataError(U.get("pyramid_value", "the value pyramid is not available"))
        if "pyramid_value_previous_customers" not in T:
            raise InsufficientDataError(prev_missing["pyramid_value_previous_customers"])
        names, _ = _check_tiers(pyr["tiers"])
        cur = T["pyramid_value_customers"]["tier"]
        prev = T["pyramid_value_previous_customers"]["tier"]
        rev = feats["revenue"]
        T["tier_moves"] = class_moves(prev, cur, names)
        T["migration_tier_customers"] = transition_matrix(prev, cur, order=names)
        T["migration_tier_revenue"] = transition_matrix(prev, cur, order=names, values=rev)
        down = moved_down(prev, cur, pyr["tiers"], valuable_tiers=pyr["valuable_tiers"], features=feats, features_prev=feats_prev)
        T["moved_down"] = feats[["name"]].join(down, how="inner").reindex(down.index)

    def do_abc_migration():
        if feats_prev is None:
            raise InsufficientDataError(prev_reason)
        cut = P["abc"]["cutoffs"]
        now = feats.loc[feats["is_buyer"], "revenue_quarter"].rename("revenue")
        before = feats_prev.loc[feats_prev["is_buyer"], "revenue_quarter"].rename("revenue")
        cur, prev = abc_classes(now, cut), abc_classes(before, cut)
        T["abc_moves"] = class_moves(prev, cur, ("A", "B", "C"))
        T["migration_abc_customers"] = transition_matrix(prev, cur, order=("A", "B", "C"))
        T["migration_abc_revenue"] = transition_matrix(prev, cur, order=("A", "B", "C"), values=feats["revenue_quarter"])

    def do_to_grow():
        if "scorecard_customers" not in T:
            raise InsufficientDataError(U.get("scorecard", "the value scorecard is not available"))
        T["to_grow"] = customers_to_grow(
            T["scorecard_customers"], feats, pyramid=T.get("pyramid_value_customers"), rfm=T.get("rfm_customers"), top=P["top_n"]
        )

    def at_risk_from(f, rfm_name, pyramid_name, abc_name):
        for need, section in ((rfm_name, "rfm"), (pyramid_name, "pyramid_value")):
            if need not in T:
                raise InsufficientDataError(U.get(section) or prev_missing.get(need) or f"the {section} section is not available")
        classes = T.get(abc_name)
        abc = classes["abc_revenue"] if classes is not None and "abc_revenue" in classes else None
        return valuable_at_risk(f, T[rfm_name], T[pyramid_name], pyr["tiers"], valuable_tiers=pyr["valuable_tiers"], abc=abc)

    def do_at_risk():
        T["at_risk_customers"] = at_risk_from(feats, "rfm_customers", "pyramid_value_customers", "abc_classes")
        T["at_risk"] = T["at_risk_customers"].head(P["top_n"]) if P["top_n"] else T["at_risk_customers"]
        previous(
            "at_risk_previous_customers",
            lambda: at_risk_from(feats_prev, "rfm_previous_customers", "pyramid_value_previous_customers", "abc_previous_classes"),
        )

    attempt("abc", do_abc)
    attempt("rfm", do_rfm)
    for which in ("value", "profit", "potential"):
        attempt(f"pyramid_{which}", do_pyramid(which))
    attempt("scorecard", do_scorecard)
    attempt("clusters", do_clusters)
    attempt("loyalty", do_loyalty)
    attempt(["relationship", "relationship_migration"], do_relationship)
    attempt("market_type", do_market)
    attempt(["migration_segment_customers", "migration_segment_revenue"], do_migration)
    attempt(["migration_tier_customers", "migration_tier_revenue", "moved_down"], do_tier_migration)
    attempt(["migration_abc_customers", "migration_abc_revenue"], do_abc_migration)
    attempt("to_grow", do_to_grow)
    attempt("at_risk", do_at_risk)
    return rep


# ---------------------------------------------------------------------------
# Executive summary
# ---------------------------------------------------------------------------


def headline_figures(report: SegmentationReport, currency: str = "CNY") -> tuple[pd.DataFrame, list[str]]:
    """The segmentation report's headline figures and the actions they suggest.

    Figures, this quarter against last quarter (NaN where a section, or last
    quarter's version of it, is unavailable):

    1. customers who ordered this quarter (:func:`active_customers`, also
       when the quarter has no orders at all; good: up);
    2. customers in slipping RFM segments (:data:`SLIPPING_SEGMENTS`;
       good: down);
    3. valuable customers at risk (:func:`valuable_at_risk`, the whole list;
       good: down);
    4. their revenue over the window, in ``currency`` (good: down);
    5. valuable customers who moved down a tier since last quarter
       (:func:`moved_down`; no previous value).

    Actions, at most three, in this order: visit the valuable customers at
    risk; ask the customers who moved down what changed; offer more to the
    customers to grow (invest quadrant), with their wallet headroom when
    the data has wallet estimates. With none of these, one sentence says
    the visit plan can stay.

    Parameters
    ----------
    report : SegmentationReport
        From :func:`segment_region`.
    currency : str
        Shown with money (``ctx.currency``).

    Returns
    -------
    (DataFrame, list of str)
        Columns figure, value, previous, unit, good (see
        :func:`custlib.reports.context.executive_summary`); the actions in plain
        words (numbers only, no customer names). report -> headlines.
    """
    T = report.tables
    w = report.window_months
    nan = np.nan

    def active(which):
        counts = T.get("active_customers")
        return float(counts.iloc[which]) if counts is not None and len(counts) >= 2 else nan

    def slipping(name):
        r = T.get(name)
        return float(r["segment"].isin(SLIPPING_SEGMENTS).sum()) if r is not None else nan

    def n_rows(name):
        r = T.get(name)
        return float(len(r)) if r is not None else nan

    def revenue(name):
        r = T.get(name)
        return float(r["revenue"].sum()) if r is not None else nan

    figures = pd.DataFrame(
        [
            ("Customers who ordered this quarter", active(-1), active(-2), "count", "up"),
            ("Customers in slipping RFM segments", slipping("rfm_customers"), slipping("rfm_previous_customers"), "count", "down"),
            ("Valuable customers at risk", n_rows("at_risk_customers"), n_rows("at_risk_previous_customers"), "count", "down"),
            (
                f"Revenue of valuable customers at risk ({currency})",
                revenue("at_risk_customers"),
                revenue("at_risk_previous_customers"),
                "money",
                "down",
            ),
            ("Valuable customers who moved down a tier", n_rows("moved_down"), nan, "count", "down"),
        ],
        columns=["figure", "value", "previous", "unit", "good"],
    )
    actions = []
    risk = T.get("at_risk_customers")
    if risk is not None and len(risk):
        n = len(risk)
        actions.append(
            f"Visit the {_count(n, 'valuable customer')} at risk before the relationship breaks: "
            f"{currency} {risk['revenue'].sum():,.0f} of revenue over the last {w} months is at stake."
        )
    down = T.get("moved_down")
    if down is not None and len(down):
        actions.append(f"Ask the {_count(len(down), 'valuable customer')} who moved down a tier since last quarter what changed.")
    card = T.get("scorecard_customers")
    if card is not None and (card["quadrant"] == "invest").any():
        ids = card.index[card["quadrant"] == "invest"]
        headroom = T["customers"]["wallet_headroom"].reindex(ids).sum(min_count=1) if "customers" in T else nan
        who = _count(len(ids), "customer")
        if pd.notna(headroom) and headroom > 0:
            actions.append(
                f"Offer more to the {who} to grow, highest potential first: "
                f"they still buy {currency} {headroom:,.0f} a year from other suppliers."
            )
        else:
            actions.append(f"Offer more to the {who} to grow, highest potential first.")
    if not actions and T.get("at_risk_customers") is not None:
        actions.append("No valuable customer is at risk or moved down a tier: keep the current visit plan.")
    return figures, actions[:3]


# ---------------------------------------------------------------------------
# Chinese catalogue (custlib.present.i18n): column headers, categories, chart text,
# captions of the 01 notebook, reasons, notes and the executive summary
# ---------------------------------------------------------------------------

_ZH_TIERS = {"platinum": "铂金层", "gold": "黄金层", "iron": "铁层", "lead": "铅层"}
_ZH_QUADRANTS = {"keep and grow": "保持并发展", "maintain": "维持", "invest": "投入培育", "monitor": "观察"}
_ZH_CLUSTER_WORDS = {
    "large": "大额",
    "small": "小额",
    "profitable": "高利润",
    "low-profit": "低利润",
    "frequent": "高频",
    "occasional": "偶尔购买",
    "big-ticket": "大单",
    "small-ticket": "小单",
    "broad": "品类广",
    "narrow": "品类窄",
    "lapsed": "已流失",
    "recently active": "近期活跃",
    "high-margin": "高毛利率",
    "low-margin": "低毛利率",
    "growing": "增长中",
    "shrinking": "萎缩中",
    "long-standing": "合作久",
    "new": "新近",
}
_ZH_WORDS = {
    "revenue": "销售收入",
    "gross profit": "毛利",
    "net profit": "净利润",
    "orders": "订单数",
    "average order value": "平均订单金额",
    "margin": "毛利率",
    "growth": "增长率",
    "categories bought": "购买品类数",
    "share of categories bought": "已购品类占比",
    "categories not yet bought": "未购品类",
    "tenure": "合作时长",
    "days since the last order": "距最近一次购买天数",
    "cost to serve per unit of revenue": "单位收入服务成本",
    "share of wallet": "钱包份额",
    "wallet headroom": "可争取采购额",
    "payment days": "付款天数",
    "number of orders": "订单数",
    "profit": "利润",
    "value": "数值",
}
_ZH_SUBJECTS = {
    "ABC classes": "ABC 分类",
    "RFM scores": "RFM 评分",
    "the value pyramid": "客户价值金字塔",
    "the profit pyramid": "利润金字塔",
    "the potential-value pyramid": "潜在价值金字塔",
    "the value scorecard": "客户价值计分卡",
    "clusters": "客户聚类（客户匹配分析）",
    "loyalty classes": "忠诚度分类",
}


def _zh_words(text: str) -> str:
    """A list such as ``"payment days, growth and margin"`` in Chinese, word by word."""
    parts = re.split(r", | and | or ", text)
    return "、".join(_ZH_WORDS.get(p, p) for p in parts)


def _zh_cluster(m: re.Match) -> str:
    words = [x.strip() for x in m[1].split(",")]
    words[0] = words[0][:1].lower() + words[0][1:]
    if words == ["average"]:
        return "一般客户"
    if not all(x in _ZH_CLUSTER_WORDS for x in words):
        return m[0]
    return "、".join(_ZH_CLUSTER_WORDS[x] for x in words) + "的客户"


def _zh_register() -> None:
    caps = {}
    for en, zh in {**_ZH_TIERS, **_ZH_QUADRANTS}.items():
        caps[en] = zh
    for en in (*SEGMENT_ORDER, *_LOYALTY, *_STAGES, *MARKET_TYPES, *_ZH_TIERS, *_ZH_QUADRANTS):
        zh = caps.get(en) or i18n.TERMS.get(en)
        if zh:
            caps[_cap(en)] = zh
    terms = {
        **caps,
        NONE_LABEL: "（无）",
        # table headers
        "Measure": "衡量指标",
        "Class": "类别",
        "Share of customers": "客户占比",
        "Amount": "金额",
        "Share of amount": "金额占比",
        "Share of revenue": "收入占比",
        "Mean days since last order": "距最近一次购买的平均天数",
        "Mean orders": "平均订单数",
        "Description": "特征描述",
        "Mean revenue": "平均销售收入",
        "Mean order value": "平均订单金额",
        "Mean categories bought": "平均购买品类数",
        "Mean margin": "平均毛利率",
        "Mean gross profit": "平均毛利",
        "Mean growth": "平均增长率",
        "Mean share of categories bought": "平均已购品类占比",
        "Mean days as a customer": "平均合作天数",
        "Buying customers": "有购买的客户数",
        "Revenue per buying customer": "购买客户平均收入",
        "Tier last quarter": "上季度层级",
        "Tier now": "本季度层级",
        "Change": "变化",
        "Days since last order": "距最近一次购买天数",
        "Share of wallet": "钱包份额",
        "Wallet headroom": "可争取采购额",
        "Share of categories bought": "已购品类占比",
        "ABC class": "ABC 类别",
        "RFM segment": "RFM 细分群",
        "Last order": "最近一次购买",
        "quadrant": "象限",
        "margin": "毛利率",
        "loyalty": "忠诚度",
        # captions of notebooks/01_segment_customers
        "ABC classes on revenue, gross profit and net profit after cost to serve": "按销售收入、毛利和扣除服务成本后净利润的 ABC 分类",
        "RFM segments: customers, revenue and mean recency and frequency": "RFM 细分群：客户数、销售收入、平均最近购买天数与购买频率",
        "Clusters: what the customers in each group have in common": "客户聚类：每组客户的共同特征",
        "Loyalty classes": "忠诚度分类",
        "Relationship stages by share of wallet": "按钱包份额划分的客户关系发展阶段",
        "Customers by stage, last quarter (rows) and this quarter (columns)": "各阶段客户数：上季度（行）与本季度（列）",
        "Market types": "市场分类",
        "Customers moving between RFM segments": "RFM 细分群间的客户迁移",
        "Revenue of customers moving between RFM segments": "RFM 细分群间迁移客户的销售收入",
        "Customers moving between value tiers": "价值层级间的客户迁移",
        "Revenue of customers moving between value tiers": "价值层级间迁移客户的销售收入",
        "Customers moving between ABC classes": "ABC 类别间的客户迁移",
        "Valuable customers who moved down a tier": "价值层级下降的重要客户",
        "Customers to grow": "值得培育的客户",
        "Valuable customers at risk": "有流失风险的重要客户",
        # charts
        "Value pyramid": "客户价值金字塔",
        "Profit pyramid": "利润金字塔",
        "Potential-value pyramid": "潜在价值金字塔",
        "Current value (financial and sales indicators)": "当前价值（财务与销售指标）",
        "Potential value (customer and service indicators)": "潜在价值（客户与服务指标）",
        "Invest first": "优先投入",
        # empty lists
        EMPTY_TEXT["moved_down"]: "上季度以来没有重要客户的价值层级下降。",
        EMPTY_TEXT["to_grow"]: "本季度没有处于投入培育象限的客户。",
        EMPTY_TEXT["at_risk"]: "本季度没有有流失风险的重要客户。",
        # executive summary
        "Customers who ordered this quarter": "本季度有购买的客户数",
        "Customers in slipping RFM segments": "处于下滑 RFM 细分群的客户数",
        "No valuable customer is at risk or moved down a tier: keep the current visit plan.": "没有重要客户面临流失风险或价值层级下降：保持现有拜访计划。",
        # reasons and notes
        "customers: the region has no customers": "客户表：本区域没有客户",
        "clusters: no k in the range split the customers into 2 or more groups": "客户聚类：在设定的分组数范围内无法把客户分成 2 组或以上",
        "RFM segments are not available": "RFM 细分不可用",
        "the value pyramid is not available": "客户价值金字塔不可用",
        "the value scorecard is not available": "客户价值计分卡不可用",
        "relationship stage is not available: the customers table has no wallet_estimate (each customer's yearly spend "
        "on our categories from all suppliers), so share of wallet cannot be measured; add it to show the stages": (
            "无法划分客户关系发展阶段：客户表没有 wallet_estimate（每家客户每年从所有供应商采购我方品类的金额），"
            "因此无法计算钱包份额；补充该列即可显示各阶段"
        ),
    }
    notes = [
        (
            r"no service costs in the data: net profit after cost to serve is not shown",
            "数据中没有服务成本：不显示扣除服务成本后的净利润",
        ),
        (
            r"no service costs in the data: the profit pyramid uses gross profit and margin only",
            "数据中没有服务成本：利润金字塔只用毛利和毛利率",
        ),
        (
            r"no data on (.+) in this region; the weights of the other indicators were rescaled",
            lambda m: f"本区域没有{_zh_words(m[1])}的数据；其他指标的权重已按比例调整",
        ),
        (r"([\d,]+) customers? ha(?:s|ve) no wallet estimate and no stage", r"\1 家客户没有采购总额估计，无法划分阶段"),
        (r"silhouette computed on a random sample of ([\d,]+) customers", r"轮廓系数基于随机抽取的 \1 家客户计算"),
        (
            r"clusters fitted on a random sample of ([\d,]+) of the ([\d,]+) customers who have ordered; the others join the nearest "
            r"cluster(?:; silhouette computed on a random sample of ([\d,]+) customers)?",
            lambda m: (
                f"客户聚类基于从 {m[2]} 家有过订单的客户中随机抽取的 {m[1]} 家拟合，其余客户归入最近的类"
                + (f"；轮廓系数基于随机抽取的 {m[3]} 家客户计算" if m[3] else "")
            ),
        ),
    ]
    known = {*_ZH_CLUSTER_WORDS, "average"}
    words = "|".join(re.escape(x) for x in sorted(known | {_cap(x) for x in known}, key=len, reverse=True))
    patterns = []
    for rx, repl in notes:
        patterns.append((f"^{rx}$", repl))
        # Sections.say_unavailable says a caveat as "*Note:* <caveat>" and translates the whole line
        prefixed = (lambda m, r=repl: "*注：* " + (r(m) if callable(r) else m.expand(r))) if callable(repl) else "*注：* " + repl
        patterns.append((rf"^\*Note:\* {rx}$", prefixed))
    patterns += [
        # window-dependent headers
        (r"^Revenue, last (\d+) months$", r"近 \1 个月销售收入"),
        (r"^Change vs previous (\d+) months$", r"较之前 \1 个月的变化"),
        (r"^Revenue, (\d+) months to last quarter$", r"截至上季度末近 \1 个月收入"),
        (r"^Revenue, (\d+) months to now$", r"截至本季度末近 \1 个月收入"),
        # captions of matrices in thousands
        (r"^(.+), in thousands of (\S+)$", lambda m: f"{i18n.tr(m[1], 'zh')}（单位：千 {m[2]}）"),
        # charts
        (r"^([\d,]+) customers?\n(\d+)% of revenue$", r"\1 家客户\n占收入 \2%"),
        (r"^([\d,]+) customers?$", r"\1 家客户"),
        (r"^The first ([\d,]+) of ([\d,]+) are shown\.$", r"仅显示前 \1 家（共 \2 家）。"),
        *[(rf"^{re.escape(_cap(q))} \(([\d,]+)\)$", rf"{zh}（\1）") for q, zh in _ZH_QUADRANTS.items()],
        # cluster descriptions
        (rf"^((?:{words})(?:, (?:{words}))*) buyers$", _zh_cluster),
        # executive summary
        (r"^Revenue of valuable customers at risk \((.+)\)$", r"有流失风险的重要客户销售收入（\1）"),
        (
            r"^Visit the ([\d,]+) valuable customers? at risk before the relationship breaks: (\S+) ([\d,]+) of revenue "
            r"over the last (\d+) months is at stake\.$",
            r"在客户关系破裂之前拜访 \1 家有流失风险的重要客户：涉及近 \4 个月销售收入 \2 \3。",
        ),
        (
            r"^Ask the ([\d,]+) valuable customers? who moved down a tier since last quarter what changed\.$",
            r"询问上季度以来价值层级下降的 \1 家重要客户发生了什么变化。",
        ),
        (
            r"^Offer more to the ([\d,]+) customers? to grow, highest potential first: they still buy (\S+) ([\d,]+) a year "
            r"from other suppliers\.$",
            r"向 \1 家值得培育的客户（按潜力从高到低）推荐更多产品：他们每年仍从其他供应商采购 \2 \3。",
        ),
        (
            r"^Offer more to the ([\d,]+) customers? to grow, highest potential first\.$",
            r"向 \1 家值得培育的客户（按潜力从高到低）推荐更多产品。",
        ),
        # reasons a section is unavailable
        (
            r"^no orders in (\d{4}Q\d) from this region's ([\d,]+) customers?: nothing to segment for this quarter$",
            r"本区域 \2 家客户在 \1 没有订单：本季度没有可分类的数据",
        ),
        (
            r"^(.+?) needs? at least (\d+) customers who have ordered; this region has ([\d,]+)$",
            lambda m: f"{_ZH_SUBJECTS.get(m[1], m[1])}至少需要 {m[2]} 家有过订单的客户；本区域只有 {m[3]} 家",
        ),
        (
            r"^ABC classes need at least one customer with a positive (.+); none of the ([\d,]+) customers has one$",
            lambda m: f"ABC 分类至少需要一家{_zh_words(m[1])}为正的客户；{m[2]} 家客户中没有",
        ),
        (r"^ABC classes: no customer has a positive (.+)$", lambda m: f"ABC 分类：没有客户的{_zh_words(m[1])}为正"),
        (
            r"^all ([\d,]+) customers have the same value for (.+) \(([^)]*)\); quintile scores would be arbitrary$",
            lambda m: f"全部 {m[1]} 家客户的{_zh_words(m[2])}相同（{m[3]}）；按五分位打分没有意义",
        ),
        (r"^scores of (.+) need at least 2 customers, found (\d+)$", lambda m: f"{_zh_words(m[1])}的评分至少需要 2 家客户，现有 {m[2]} 家"),
        (
            r"^ranking by (.+) needs at least 2 customers with a value, found (\d+)$",
            lambda m: f"按{_zh_words(m[1])}排名至少需要 2 家有数值的客户，现有 {m[2]} 家",
        ),
        (
            r"^(segmentation\.[\w.]+): none of the indicators \((.+)\) has data in this region$",
            lambda m: f"{m[1]}：本区域没有任何指标（{_zh_words(m[2])}）的数据",
        ),
        (r"^value tiers need at least 2 customers, found (\d+)$", r"价值层级至少需要 2 家客户，现有 \1 家"),
        (
            r"^value tiers: all ([\d,]+) customers have the same score \(([^)]*)\); the indicators do not separate them$",
            r"价值层级：全部 \1 家客户得分相同（\2）；所选指标无法区分客户",
        ),
        (
            r"^clusters need at least 3 customers who buy in at least 2 different ways; found ([\d,]+) customers?, (\d+) distinct$",
            r"客户聚类至少需要 3 家购买行为不完全相同的客户；现有 \1 家客户，只有 \2 种不同行为",
        ),
        (r"^clusters: (\d+) customers are too few for (\d+) or more groups$", r"客户聚类：\1 家客户不足以分成 \2 组或以上"),
        (r"^no comparison with (\d{4}Q\d): (.+)$", lambda m: f"无法与 {m[1]} 比较：{i18n.tr(m[2], 'zh')}"),
        (r"^the (.+) section is not available$", r"\1 部分不可用"),
    ]
    i18n.register(terms=terms, patterns=patterns)


_zh_register()
