"""Customer segmentation: ABC, RFM, value pyramids, scorecard, clusters, loyalty,
relationship stage, market type and migration between quarters.

Everything here is a pure function over DataFrames (or a scikit-learn style
model); the report notebook ``01_segment_customers`` calls
:func:`segment_region` once and shows one table or chart per section.

The per-customer measures all analyses share come from
:func:`customer_features`: one row per customer of the region, measured at a
quarter's end over a trailing window of ``window_months`` months (12 by
default, so seasonality does not move customers between classes).

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
  silhouette: Rousseeuw, P. J. (1987) J. Comput. Appl. Math. 20, 53-65.
- Loyalty status (loyal, switcher, no loyalty): Kotler & Keller (15th ed.),
  ch. 9 "behavioral segmentation: loyalty status"; purchase regularity as the
  coefficient of variation of inter-purchase times: Platzer, M. &
  Reutterer, T. (2016) "Ticking away the moments", Marketing Science 35(5).
- Share of wallet: Keiningham, T. L. et al. (2005) "Does customer satisfaction
  lead to profitability?", Managing Service Quality 15(2), 172-181.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .contract import MARKET_TYPES
from .exceptions import DataError, InsufficientDataError, NotFittedError, ParamsError
from .pareto import customer_profitability
from .periods import Quarter
from .report import Sections

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
``params/defaults.yaml``; the schema is ``custlib/schemas/segmentation.json``)."""

NONE_LABEL = "(none)"
"""Row/column label in migration matrices for customers with no class in that quarter."""

_QUADRANTS = ("keep and grow", "maintain", "invest", "monitor")
_STAGES = ("development", "initial cooperation", "stable cooperation", "strategic cooperation")
_LOYALTY = ("loyal", "switcher", "no brand loyalty")
_EPS = 1e-9


def _param(name: str) -> str:
    return f"segmentation.{name}"


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
            f"ABC classes need at least one customer with a positive {s.name or 'value'}; found none among {len(s)}"
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
        raise InsufficientDataError(f"ABC classes: none of {', '.join(measures)} has a positive value for any customer")
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


def _window_values(transactions: pd.DataFrame, service_costs: pd.DataFrame | None, start, end) -> pd.DataFrame:
    """Per-customer revenue, cost, gross_profit, cost_to_serve, net_profit (NaN when the
    cost to serve is unknown) and orders in [start, end]; empty when nothing happened.

    Built on :func:`custlib.pareto.customer_profitability` (gross profit = revenue - cost
    of goods, net profit = gross profit - cost to serve; Kaplan & Narayanan 2001).
    """
    cols = ["revenue", "cost", "gross_profit", "cost_to_serve", "net_profit", "orders"]
    try:
        prof = customer_profitability(transactions, service_costs, start, end)
    except InsufficientDataError:
        return pd.DataFrame(columns=cols, dtype="float64", index=pd.Index([], dtype="str", name="customer_id"))
    out = prof[["revenue", "cost", "gross_profit", "cost_to_serve", "net_profit"]].copy()
    if not prof.attrs.get("net_profit_includes_cost_to_serve", False):
        out["net_profit"] = np.nan
    lo, hi = pd.Timestamp(start), pd.Timestamp(end) + pd.Timedelta(days=1)
    tx = transactions[(transactions["order_date"] >= lo) & (transactions["order_date"] < hi)]
    out["orders"] = tx.groupby("customer_id")["order_id"].nunique().reindex(out.index).fillna(0).astype("float64")
    out.index = out.index.astype("str")
    out.index.name = "customer_id"
    return out


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
    DataError
        Missing columns or duplicate customer ids.
    InsufficientDataError
        No customers, or no orders in the quarter.
    """
    q = Quarter.parse(quarter)
    if not isinstance(window_months, int) or window_months < 1:
        raise ParamsError(f"{_param('window_months')}: expected a whole number of months >= 1, got {window_months!r}")
    _require_columns(customers, ["customer_id", "market_type"], "customers")
    _require_columns(transactions, ["customer_id", "order_date", "order_id", "category", "revenue", "cost"], "transactions")
    if customers.empty:
        raise InsufficientDataError("customers: the region has no customers")
    if customers["customer_id"].duplicated().any():
        dup = customers.loc[customers["customer_id"].duplicated(), "customer_id"].iloc[0]
        raise DataError(f"customers: customer_id {dup!r} appears more than once")
    end = q.end
    after_end = end + pd.Timedelta(days=1)
    ids = pd.Index(customers["customer_id"].astype("str"), name="customer_id").sort_values()
    tx = transactions[transactions["order_date"] < after_end].copy()
    tx["customer_id"] = tx["customer_id"].astype("str")
    tx = tx[tx["customer_id"].isin(ids)]
    in_quarter = tx["order_date"] >= q.start
    if not in_quarter.any():
        raise InsufficientDataError(f"no orders in {q} for this region's {len(ids)} customer(s): nothing to segment for this quarter")

    start = _window_start(end, window_months)
    prior_start = _window_start(start - pd.Timedelta(days=1), window_months)
    win = _window_values(tx, service_costs, start, end).reindex(ids)
    prior = _window_values(tx, None, prior_start, start - pd.Timedelta(days=1)).reindex(ids)
    quarter_v = _window_values(tx, None, q.start, end).reindex(ids)
    year_v = _window_values(tx, None, _window_start(end, 12), end).reindex(ids)

    out = pd.DataFrame(index=ids)
    cust = customers.assign(customer_id=customers["customer_id"].astype("str")).set_index("customer_id").reindex(ids)
    out["name"] = cust["name"] if "name" in cust.columns else pd.Series(ids, index=ids, dtype="str")
    out["market_type"] = cust["market_type"].astype("str")
    for col in ("revenue", "cost", "gross_profit", "orders"):
        out[col] = win[col].fillna(0.0)
    if win["net_profit"].notna().any():
        out["cost_to_serve"] = win["cost_to_serve"].fillna(0.0)
        out["net_profit"] = out["gross_profit"] - out["cost_to_serve"]
    else:
        out["cost_to_serve"] = np.nan
        out["net_profit"] = np.nan
    out["avg_order_value"] = (out["revenue"] / out["orders"]).where(out["orders"] > 0)
    out["margin"] = (out["gross_profit"] / out["revenue"]).where(out["revenue"] > 0)
    out["cost_to_serve_share"] = (out["cost_to_serve"] / out["revenue"]).where(out["revenue"] > 0)
    out["revenue_prior"] = prior["revenue"].fillna(0.0)
    denom = out["revenue"].abs() + out["revenue_prior"].abs()
    out["growth"] = ((out["revenue"] - out["revenue_prior"]) / denom).where(denom > 0, 0.0)
    out["revenue_quarter"] = quarter_v["revenue"].fillna(0.0)
    out["orders_quarter"] = quarter_v["orders"].fillna(0.0)
    year_before = _window_values(tx, None, _window_start(q.start - pd.Timedelta(days=1), 12), q.start - pd.Timedelta(days=1)).reindex(ids)
    out["orders_per_quarter_before"] = year_before["orders"].fillna(0.0) / 4.0
    out["revenue_12m"] = year_v["revenue"].fillna(0.0)

    wtx = tx[tx["order_date"] >= start]
    cats = wtx.groupby("customer_id")["category"].nunique()
    n_cats = max(int(wtx["category"].nunique()), 1)
    out["n_categories"] = cats.reindex(ids).fillna(0).astype("float64")
    out["category_share"] = out["n_categories"] / n_cats
    out["category_headroom"] = 1.0 - out["category_share"]

    g = tx.groupby("customer_id")
    out["orders_total"] = g["order_id"].nunique().reindex(ids).fillna(0).astype("float64")
    first = g["order_date"].min().reindex(ids)
    last = g["order_date"].max().reindex(ids)
    out["first_order"] = first
    out["last_order"] = last
    out["recency_days"] = (end - last.dt.normalize()).dt.days.astype("float64")
    out["tenure_days"] = (end - first.dt.normalize()).dt.days.astype("float64")
    days = (
        tx[["customer_id"]].assign(day=tx["order_date"].dt.normalize()).drop_duplicates().sort_values(["customer_id", "day"], kind="stable")
    )
    gaps = days.groupby("customer_id")["day"].diff().dt.days.astype("float64")
    gap_frame = days.assign(gap=gaps).dropna(subset=["gap"]).groupby("customer_id")["gap"]
    out["purchase_days"] = days.groupby("customer_id").size().reindex(ids).fillna(0).astype("float64")
    gap_n = gap_frame.count().reindex(ids).fillna(0)
    gap_mean = gap_frame.mean().reindex(ids)
    gap_sd = gap_frame.std(ddof=0).reindex(ids)
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
        raise InsufficientDataError(f"{what} need at least {minimum} customers who have ordered; this region has {len(buyers)}")
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
        raise InsufficientDataError(f"'{name}': scoring needs at least 2 customers, found {len(s)}")
    if s.nunique() == 1:
        raise InsufficientDataError(
            f"'{name}': all {len(s)} customers have the same value ({s.iloc[0]:g}); quantile scores would be arbitrary"
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
        raise InsufficientDataError(f"'{s.name or 'value'}': normalising needs at least 2 customers with a value, found {len(ok)}")
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
        raise InsufficientDataError(f"{param}: none of the indicators {', '.join(weights)} has data in this region")
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
    buyers = _buyers(features, f"the {name} pyramid")
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
    top is narrow), each labelled with the tier, its customers and its share
    of revenue.

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
        _, ax = plt.subplots(figsize=(7, 4.5))
    n = len(summary)
    widths = summary["customers"].to_numpy(dtype=float)
    ys = np.arange(n)[::-1]
    colours = [(palette or {}).get(t, plt.cm.Blues(0.85 - 0.6 * i / max(n - 1, 1))) for i, t in enumerate(summary.index)]
    ax.barh(ys, widths, left=-widths / 2, height=0.92, color=colours, edgecolor="white")
    for y, (tier, row) in zip(ys, summary.iterrows(), strict=True):
        share = row.get("revenue_share", np.nan)
        label = f"{tier}: {int(row['customers'])} customers" + (f", {share:.0%} of revenue" if pd.notna(share) else "")
        ax.text(
            0,
            y,
            label,
            ha="center",
            va="center",
            fontsize=9,
            color="black",
            bbox={"facecolor": "white", "alpha": 0.6, "edgecolor": "none", "pad": 1},
        )
    ax.set_yticks([])
    ax.set_xticks([])
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    half = max(widths.max(), 1) / 2
    ax.set_xlim(-half * 1.05, half * 1.05)
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
    are numbered on the chart and listed by customer id in the invest corner.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 6))
    default = dict(zip(_QUADRANTS, ("tab:green", "tab:blue", "tab:orange", "tab:gray"), strict=True))
    colours = {**default, **(palette or {})}
    for quad in _QUADRANTS:
        d = scorecard[scorecard["quadrant"] == quad]
        ax.scatter(d["current_value"], d["potential_value"], s=14, alpha=0.7, color=colours.get(quad), label=f"{quad} ({len(d)})")
    ax.axvline(split, color="black", lw=0.8)
    ax.axhline(split, color="black", lw=0.8)
    corners = {
        "keep and grow": (0.98, 0.98, "right", "top"),
        "maintain": (0.98, 0.02, "right", "bottom"),
        "invest": (0.02, 0.98, "left", "top"),
        "monitor": (0.02, 0.02, "left", "bottom"),
    }
    for quad, (x, y, ha, va) in corners.items():
        ax.text(x, y, quad, transform=ax.transAxes, ha=ha, va=va, fontsize=10, weight="bold", color=colours.get(quad))
    top = invest_list(scorecard).head(label_top)
    for i, (_cid, row) in enumerate(top.iterrows(), start=1):
        ax.annotate(
            str(i), (row["current_value"], row["potential_value"]), xytext=(3, 3), textcoords="offset points", fontsize=7, weight="bold"
        )
    if len(top):
        listing = "\n".join(f"{i}  {cid}" for i, cid in enumerate(top.index, start=1))
        ax.text(0.02, 0.92, "invest first:\n" + listing, transform=ax.transAxes, ha="left", va="top", fontsize=7, family="monospace",
                bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "0.7"})  # fmt: skip
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("current value (financial and sales indicators)")
    ax.set_ylabel("potential value (customer and service indicators)")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, -0.28), ncol=2, fontsize=8, frameon=False)
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

    Parameters
    ----------
    features : sequence of str
        Columns of the customer frame to cluster on.
    k_min, k_max : int
    n_init : int
    random_state : int
    silhouette_sample : int

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
    """

    def __init__(
        self,
        features=tuple(DEFAULTS["clusters"]["features"]),
        k_min: int = 3,
        k_max: int = 8,
        n_init: int = 10,
        random_state: int = 42,
        silhouette_sample: int = 2000,
    ):
        self.features = features
        self.k_min = k_min
        self.k_max = k_max
        self.n_init = n_init
        self.random_state = random_state
        self.silhouette_sample = silhouette_sample

    def _pipeline(self, k: int):
        from sklearn.cluster import KMeans
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler

        return Pipeline([("scale", StandardScaler()), ("kmeans", KMeans(n_clusters=k, n_init=self.n_init, random_state=self.random_state))])

    def fit(self, frame: pd.DataFrame) -> CustomerClusters:
        """Fit on a per-customer frame (index = customer_id).

        Raises
        ------
        ParamsError
            Bad k range.
        InsufficientDataError
            Fewer than 3 customers, or fewer than 2 distinct customers.
        """
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.metrics import silhouette_score

        if not (isinstance(self.k_min, int) and isinstance(self.k_max, int) and 2 <= self.k_min <= self.k_max):
            raise ParamsError(
                f"{_param('clusters.k_min')}/{_param('clusters.k_max')}: expected 2 <= k_min <= k_max, got {self.k_min}, {self.k_max}"
            )
        X = _cluster_matrix(frame, self.features).sort_index(kind="stable")
        n = len(X)
        n_distinct = len(X.drop_duplicates())
        if n < 3 or n_distinct < 2:
            raise InsufficientDataError(
                f"clusters need at least 3 customers with 2 different behaviours; found {n} customer(s), {n_distinct} distinct"
            )
        ks = range(self.k_min, min(self.k_max, n - 1, n_distinct) + 1)
        if len(ks) == 0:
            raise InsufficientDataError(f"clusters: {n} customers are too few for k >= {self.k_min}")
        sample = self.silhouette_sample if n > self.silhouette_sample else None
        scores, fitted = {}, {}
        for k in ks:
            pipe = self._pipeline(k)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                labels = pipe.fit_predict(X)
            if len(np.unique(labels)) < 2:
                continue
            Z = pipe[:-1].transform(X)
            scores[k] = float(silhouette_score(Z, labels, sample_size=sample, random_state=self.random_state))
            fitted[k] = (pipe, labels)
        if not scores:
            raise InsufficientDataError("clusters: no k in the range split the customers into 2 or more groups")
        self.silhouette_ = pd.Series(scores, name="silhouette").rename_axis("k")
        best = max(scores.values())
        self.k_ = min(k for k, s in scores.items() if s >= best - 1e-12)
        self.pipeline_, raw = fitted[self.k_]
        raw = pd.Series(raw, index=X.index)
        revenue = frame["revenue"].reindex(X.index) if "revenue" in frame.columns else X.iloc[:, 0]
        stats = pd.DataFrame({"rev": revenue.groupby(raw).mean(), "size": raw.value_counts()})
        stats["raw"] = stats.index
        order = stats.sort_values(["rev", "size", "raw"], ascending=[False, False, True], kind="stable").index
        mapping = {int(old): new for new, old in enumerate(order, start=1)}
        self.label_map_ = mapping
        self.labels_ = raw.map(mapping).astype("int64").rename("cluster").reindex(frame.index)
        Z = pd.DataFrame(self.pipeline_[:-1].transform(X), index=X.index, columns=X.columns)
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


def cluster_customers(data: pd.DataFrame, **settings) -> CustomerClusters:
    """Fit :class:`CustomerClusters` on the buyers of ``data`` (from :func:`customer_features`).

    ``settings`` are the ``clusters`` parameters (features, k_min, k_max,
    n_init, silhouette_sample) and ``random_state``. features -> fitted model.
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
    prev = previous.astype("object").reindex(idx).fillna(NONE_LABEL).astype("str")
    curr = current.astype("object").reindex(idx).fillna(NONE_LABEL).astype("str")
    seen = (set(prev) | set(curr)) - {NONE_LABEL}
    order = [str(o) for o in (order or [])]
    labels = order + sorted(seen - set(order)) + [NONE_LABEL]
    frame = pd.DataFrame({"previous": prev, "current": curr})
    if values is None:
        frame["v"] = 1.0
    else:
        frame["v"] = values.reindex(idx).fillna(0.0).astype("float64")
    m = frame.pivot_table(index="previous", columns="current", values="v", aggfunc="sum", fill_value=0.0)
    m = m.reindex(index=labels, columns=labels, fill_value=0.0)
    if not (prev == NONE_LABEL).any():
        m = m.drop(index=NONE_LABEL)
    if not (curr == NONE_LABEL).any():
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
        gross_profit, growth, share_of_wallet, wallet_headroom,
        category_share, tier and segment when given; highest potential
        first. scorecard + features -> list.
    """
    inv = invest_list(scorecard)
    cols = ["name", "market_type", "revenue", "gross_profit", "growth", "share_of_wallet", "wallet_headroom", "category_share"]
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


@dataclass
class SegmentationReport(Sections):
    """Every table of the segmentation section for one region and quarter.

    ``tables`` holds the results by name; a section that could not be
    computed has no table and its reason in ``unavailable``; ``caveats``
    holds notes on sections that were computed with less than the full
    data (e.g. net profit without service costs). ``table``, ``note`` and
    the fallback text come from :class:`custlib.report.Sections`.
    """

    quarter: str
    tables: dict[str, object] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    caveats: dict[str, str] = field(default_factory=dict)
    params: dict = field(default_factory=dict)

    def show(self, name: str, caption: str | None = None, **kwargs):
        """Render the table ``name`` with :func:`custlib.report.show`, or say why it is missing.

        Money and percentage columns are formatted as such; the index is shown
        unless it is a plain row number. ``kwargs`` (e.g. ``currency``) go to
        :func:`custlib.report.show`.
        """
        df = self.tables.get(name)
        opts = {}
        if df is not None:
            cols = list(df.columns)
            money = tuple(cols) if name.endswith("_revenue") else tuple(c for c in cols if c in _MONEY)
            pct = tuple(c for c in cols if c in _PCT)
            decimals = tuple(c for c in cols if c in _DECIMALS)
            opts = {"money": money, "pct": pct, "decimals": decimals, "index": not isinstance(df.index, pd.RangeIndex)}
        return super().show(name, caption, **{**opts, **kwargs})

    def plot(self, name: str, ax=None):
        """Draw ``pyramid_<name>`` or ``scorecard``; when unavailable, write why on the axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 5))
        if name not in self.tables:
            ax.axis("off")
            ax.text(
                0.5,
                0.5,
                "Not available:\n" + _wrap(self.note(name) or "no result"),
                ha="center",
                va="center",
                fontsize=10,
                transform=ax.transAxes,
            )
            return ax
        if name.startswith("pyramid_"):
            return plot_pyramid(self.tables[name], ax=ax, title=f"{name.removeprefix('pyramid_')} pyramid, {self.quarter}")
        if name == "scorecard":
            sc = self.params.get("scorecard", {})
            return plot_scorecard(self.tables["scorecard_customers"], ax=ax, split=sc.get("split", 0.5), label_top=sc.get("label_top", 8))
        raise KeyError(f"no chart for {name!r}; charts: pyramid_value, pyramid_profit, pyramid_potential, scorecard")


def _wrap(text: str, width: int = 70) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


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
    move), moved_down, to_grow, at_risk. Migration revenue cells hold the
    current window's (ABC: quarter's) revenue.

    Parameters
    ----------
    transactions, customers : DataFrame
        The region's data (whole history up to the quarter's end or later).
    quarter : str or Quarter
    params : dict, optional
        The ``segmentation`` parameters; missing keys take :data:`DEFAULTS`.
    service_costs : DataFrame, optional
    seed : int
        Seed of k-means and the silhouette sample (the runner's ``run.seed``).

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

    try:
        feats = customer_features(transactions, customers, q, service_costs=service_costs, window_months=P["window_months"])
    except InsufficientDataError as err:
        for n in sections:
            U[n] = str(err)
        return rep
    T["customers"] = feats
    try:
        feats_prev = customer_features(transactions, customers, q.previous, service_costs=service_costs, window_months=P["window_months"])
    except InsufficientDataError as err:
        feats_prev, prev_reason = None, f"no comparison with {q.previous}: {err}"
    else:
        prev_reason = ""
    if feats["net_profit"].isna().all():
        rep.caveats["abc"] = "no service costs in the data: net profit after cost to serve is not shown"
        rep.caveats["pyramid_profit"] = "no service costs in the data: the profit pyramid uses gross profit and margin only"

    def do_abc():
        T["abc_classes"] = abc_table(feats, P["abc"]["cutoffs"], P["abc"]["measures"])
        T["abc"] = abc_summary(feats, T["abc_classes"])

    def do_rfm():
        T["rfm_customers"] = rfm_table(feats, **P["rfm"])
        T["rfm"] = segment_summary(T["rfm_customers"], feats)

    pyr = P["pyramid"]

    def do_pyramid(which):
        def run():
            pyramid = value_pyramid(feats, pyr[which], pyr["tiers"], name=which)
            T[f"pyramid_{which}_customers"] = pyramid
            T[f"pyramid_{which}"] = pyramid_summary(pyramid, feats)
            _, dropped = resolve_indicators(feats[feats["is_buyer"]], pyr[which], param=_param(f"pyramid.{which}"))
            if dropped:
                rep.caveats[f"pyramid_{which}"] = f"indicator(s) {', '.join(dropped)} not in the data; the other weights were rescaled"

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
        if len(feats[feats["is_buyer"]]) > P["clusters"]["silhouette_sample"]:
            rep.caveats["clusters"] = f"silhouette computed on a random sample of {P['clusters']['silhouette_sample']} customers"

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
            rep.caveats["relationship"] = f"{unknown} customer(s) have no wallet estimate and no stage"
        if feats_prev is None:
            raise InsufficientDataError(prev_reason)
        prev = relationship_stages(feats_prev, **P["relationship"])["stage"].dropna()
        T["relationship_migration"] = transition_matrix(prev, known, order=_STAGES)

    def do_market():
        T["market_type"] = market_type_breakdown(feats)

    def do_migration():
        if feats_prev is None:
            raise InsufficientDataError(prev_reason)
        cur_seg = T["rfm_customers"]["segment"] if "rfm_customers" in T else None
        if cur_seg is None:
            raise InsufficientDataError(U.get("rfm", "RFM segments are not available"))
        prev_seg = rfm_table(feats_prev, **P["rfm"])["segment"]
        rev = feats["revenue"]
        T["migration_segment_customers"] = transition_matrix(prev_seg, cur_seg, order=SEGMENT_ORDER)
        T["migration_segment_revenue"] = transition_matrix(prev_seg, cur_seg, order=SEGMENT_ORDER, values=rev)

    def do_tier_migration():
        if feats_prev is None:
            raise InsufficientDataError(prev_reason)
        if "pyramid_value_customers" not in T:
            raise InsufficientDataError(U.get("pyramid_value", "the value pyramid is not available"))
        names, _ = _check_tiers(pyr["tiers"])
        cur = T["pyramid_value_customers"]["tier"]
        prev = value_pyramid(feats_prev, pyr["value"], pyr["tiers"], name="value")["tier"]
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

    def do_at_risk():
        for need in ("rfm_customers", "pyramid_value_customers"):
            if need not in T:
                raise InsufficientDataError(U.get(need.removesuffix("_customers"), f"{need} not available"))
        abc = T["abc_classes"]["abc_revenue"] if "abc_classes" in T and "abc_revenue" in T["abc_classes"] else None
        T["at_risk"] = valuable_at_risk(
            feats,
            T["rfm_customers"],
            T["pyramid_value_customers"],
            pyr["tiers"],
            valuable_tiers=pyr["valuable_tiers"],
            abc=abc,
            top=P["top_n"],
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
