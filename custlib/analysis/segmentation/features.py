"""Per-customer features at a quarter's end over a trailing window: what every segmentation analysis measures.

Share of wallet: Keiningham, T. L. et al. (2005) "Does customer satisfaction
lead to profitability?", Managing Service Quality 15(2), 172-181. Purchase
regularity as the coefficient of variation of inter-purchase times: Platzer, M. &
Reutterer, T. (2016) "Ticking away the moments", Marketing Science 35(5).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from custlib.analysis.segmentation.common import count_text, param_name, require_columns
from custlib.exceptions import DataError, InsufficientDataError, ParamsError
from custlib.io.facts import order_lines, order_mask
from custlib.io.periods import Quarter


def window_start(end: pd.Timestamp, months: int) -> pd.Timestamp:
    return (end + pd.Timedelta(days=1) - pd.DateOffset(months=months)).normalize()


def day_number(ts) -> int:
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


def grouped_values(codes: np.ndarray, values: np.ndarray, n: int):
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
class EncodedLines:
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
    buy_days: tuple[np.ndarray, np.ndarray]  # distinct (customer, day) pairs of orders, sorted by customer then day
    ordered: np.ndarray  # bool: the line belongs to an order (False on credit notes: revenue, never an order)

    @property
    def n(self) -> int:
        return len(self.ids)

    def between(self, start, end) -> np.ndarray:
        """Mask of the lines dated from ``start`` to ``end``, both days inclusive."""
        return (self.day >= day_number(start)) & (self.day <= day_number(end))

    def total(self, values: np.ndarray, mask: np.ndarray | None, skipna: bool = True) -> np.ndarray:
        """Per customer, the sum of ``values`` over the lines in ``mask`` (0 without lines).

        ``skipna=False`` keeps a missing value missing (a cost of goods the data does not have).
        """
        if mask is None:
            return grouped_values(self.cust, values, self.n).sum(skipna=skipna).to_numpy()
        return grouped_values(self.cust[mask], values[mask], self.n).sum(skipna=skipna).to_numpy()

    def active(self, quarters) -> pd.Series:
        """Customers with an order line in each quarter (see :func:`active_customers`)."""
        out = {}
        for quarter in quarters:
            qq = Quarter.parse(quarter)
            m = self.between(qq.start, qq.end) & self.ordered
            out[str(qq)] = int((np.bincount(self.cust[m], minlength=self.n) > 0).sum())
        return pd.Series(out, name="customers", dtype="int64").rename_axis("quarter")


def encode_lines(transactions: pd.DataFrame, customers: pd.DataFrame, end) -> EncodedLines:
    """Check the tables and encode the lines of the region's customers dated up to ``end``."""
    require_columns(customers, ["customer_id", "market_type"], "customers")
    require_columns(transactions, ["customer_id", "order_date", "order_id", "category", "revenue", "cost"], "transactions")
    if customers.empty:
        raise InsufficientDataError("customers: the region has no customers", code="no_customers")
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
    last_day = day_number(end)
    cust = _positions(transactions["customer_id"], ids)
    keep = ~np.isnat(stamp) & (day <= last_day) & (cust >= 0)
    cust, day, stamp = cust[keep], day[keep], stamp.view("int64")[keep]
    revenue = transactions["revenue"].to_numpy(dtype="float64", na_value=np.nan)[keep]
    cost = transactions["cost"].to_numpy(dtype="float64", na_value=np.nan)[keep]
    order, order_uniques = pd.factorize(transactions["order_id"])
    category, category_uniques = pd.factorize(transactions["category"])
    order, category = order[keep], category[keep]
    ordered = order_mask(transactions)[keep]
    order_pair, order_pair_cust = _dense_pairs(cust, order, len(order_uniques))
    category_pair, category_pair_cust = _dense_pairs(cust, category, len(category_uniques))
    lo = int(day.min()) if len(day) else 0
    span = int(day.max()) - lo + 1 if len(day) else 1
    key = np.sort(cust[ordered].astype("int64") * span + (day[ordered] - lo))
    key = key[np.append(True, key[1:] != key[:-1])] if len(key) else key
    buy_days = (key // span, key % span + lo)
    return EncodedLines(
        ids, cust_table, last_day, cust, day, stamp, unit, revenue, cost,
        order_pair, order_pair_cust, category, category_pair, category_pair_cust, buy_days, ordered,
    )  # fmt: skip


@dataclass(frozen=True, eq=False)
class EncodedServiceCosts:
    """The service-cost rows encoded once: customer position (-1 outside the region), month's day, cost."""

    cust: np.ndarray
    day: np.ndarray
    cost: np.ndarray

    def totals(self, start, end, n: int) -> np.ndarray | None:
        """Cost to serve per customer for the months from ``start``'s month to ``end``, or None
        when no row (of any customer) falls in them: the cost to serve is then unknown."""
        rows = (self.day >= day_number(pd.Timestamp(start).normalize().replace(day=1))) & (self.day <= day_number(end))
        if not rows.any():
            return None
        rows &= self.cust >= 0
        return grouped_values(self.cust[rows], self.cost[rows], n).sum().to_numpy()


def encode_service_costs(service_costs: pd.DataFrame | None, ids: pd.Index) -> EncodedServiceCosts | None:
    if service_costs is None:
        return None
    require_columns(service_costs, ["customer_id", "month", "cost_to_serve"], "service_costs")
    try:
        month = pd.to_datetime(service_costs["month"])
    except (TypeError, ValueError) as err:
        raise DataError("service_costs: column 'month' does not hold dates") from err
    if getattr(month.dt, "tz", None) is not None:
        month = month.dt.tz_localize(None)
    m = month.to_numpy()
    day = np.where(np.isnat(m), np.iinfo("int64").min, m.astype("datetime64[D]").view("int64"))
    cost = pd.to_numeric(service_costs["cost_to_serve"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return EncodedServiceCosts(_positions(service_costs["customer_id"], ids), day, cost)


def check_window(window_months) -> None:
    if not isinstance(window_months, int) or window_months < 1:
        raise ParamsError(f"{param_name('window_months')}: expected a whole number of months >= 1, got {window_months!r}")


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

    Revenue, cost and profit are net of credit notes (returns reduce them); orders,
    purchase days, first and last order, categories bought and ``is_buyer`` count
    orders only (a credit note is never an order or a purchase). A missing cost of
    goods leaves cost, gross_profit, margin and net_profit missing (NaN), never zero.

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
    check_window(window_months)
    lines = encode_lines(transactions, customers, q.end)
    return features_from_lines(lines, q, encode_service_costs(service_costs, lines.ids), window_months)


def _add_order_history(out: pd.DataFrame, lines: EncodedLines, upto: np.ndarray | None, end) -> None:
    """Add first and last order, recency, tenure, purchase days and the gaps between them to ``out`` (the frame being built)."""
    n, ids = lines.n, lines.ids
    sel = lines.ordered if upto is None else (upto & lines.ordered)  # a return is no order: never a first or last order
    cust_codes, stamp = lines.cust[sel], lines.stamp[sel]
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
        keep = d_day <= day_number(end)
        d_cust, d_day = d_cust[keep], d_day[keep]
    out["purchase_days"] = np.bincount(d_cust, minlength=n).astype("float64")
    same = d_cust[1:] == d_cust[:-1]
    g_cust = d_cust[1:][same]
    gaps = (d_day[1:] - d_day[:-1])[same].astype("float64")
    g = grouped_values(g_cust, gaps, n)
    gap_n = g.count().to_numpy()
    gap_mean = pd.Series(g.mean().to_numpy(), index=ids)
    gap_sd = pd.Series(g.std(ddof=0).to_numpy(), index=ids)
    out["gap_mean_days"] = gap_mean.where(gap_n >= 1)
    out["gap_cv"] = (gap_sd / gap_mean).where((gap_n >= 2) & (gap_mean > 0))


def features_from_lines(lines: EncodedLines, q: Quarter, costs: EncodedServiceCosts | None, window_months: int) -> pd.DataFrame:
    """:func:`customer_features` of encoded lines at the end of ``q`` (on or before ``lines.last_day``)."""
    ids, n, end = lines.ids, lines.n, q.end
    upto = lines.day <= day_number(end)
    if not (upto & (lines.day >= day_number(q.start)) & lines.ordered).any():
        raise InsufficientDataError(
            f"no orders in {q} from this region's {count_text(n, 'customer')}: nothing to segment for this quarter",
            code="no_orders_in_quarter",
        )
    upto = None if upto.all() else upto
    one_day = pd.Timedelta(days=1)
    start = window_start(end, window_months)
    prior_start = window_start(start - one_day, window_months)
    year_before_end = q.start - one_day

    def orders(mask):  # orders only: a credit note is never an order
        return _distinct(lines.order_pair, lines.order_pair_cust, lines.ordered if mask is None else mask & lines.ordered, n)

    win = lines.between(start, end)
    quarter_m = lines.between(q.start, end)
    year_m = lines.between(window_start(end, 12), end)
    revenue, cost = lines.total(lines.revenue, win), lines.total(lines.cost, win, skipna=False)  # net of credit notes
    if np.isnan(lines.cost).any():  # no cost of goods in the data: unknown for every customer, buyers or not
        cost = np.full(n, np.nan)

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
    out["orders_per_quarter_before"] = orders(lines.between(window_start(year_before_end, 12), year_before_end)) / 4.0
    out["revenue_12m"] = lines.total(lines.revenue, year_m)

    out["n_categories"] = _distinct(lines.category_pair, lines.category_pair_cust, win & lines.ordered, n)
    w_cat = lines.category[win & lines.ordered]
    n_cats = max(int((np.bincount(w_cat[w_cat >= 0]) > 0).sum()), 1)
    out["category_share"] = out["n_categories"] / n_cats
    out["category_headroom"] = 1.0 - out["category_share"]

    out["orders_total"] = orders(upto)
    _add_order_history(out, lines, upto, end)

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


def require_buyers(features: pd.DataFrame, what: str, minimum: int = 2) -> pd.DataFrame:
    """The rows of customers who have ordered (``is_buyer``); InsufficientDataError (``too_few_buyers``) below ``minimum``.

    ``what`` names the analysis in the English log message ("the value scorecard").
    """
    buyers = features[features["is_buyer"]] if "is_buyer" in features.columns else features
    if len(buyers) < minimum:
        verb = "needs" if what.startswith("the ") else "need"
        raise InsufficientDataError(
            f"{what} {verb} at least {minimum} customers who have ordered; this region has {len(buyers)}",
            code="too_few_buyers",
            needed=minimum,
            found=len(buyers),
        )
    return buyers


def active_customers(transactions: pd.DataFrame, customers: pd.DataFrame, quarters) -> pd.Series:
    """How many of the region's customers ordered in each quarter (a credit note is no order).

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
    require_columns(customers, ["customer_id"], "customers")
    require_columns(transactions, ["customer_id", "order_date"], "transactions")
    ids = set(customers["customer_id"].astype("str"))
    tx = order_lines(transactions)
    tx = tx[tx["customer_id"].astype("str").isin(ids)]
    out = {}
    for quarter in quarters:
        qq = Quarter.parse(quarter)
        inside = (tx["order_date"] >= qq.start) & (tx["order_date"] < qq.end + pd.Timedelta(days=1))
        out[str(qq)] = int(tx.loc[inside, "customer_id"].astype("str").nunique())
    return pd.Series(out, name="customers", dtype="int64").rename_axis("quarter")
