"""Offer-time and current customer features for the response model (DOMAIN.md section 3.2)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.analysis.development.common import (
    as_datetime,
    positions,
    require,
)
from custlib.exceptions import DataError
from custlib.io.facts import order_lines, order_mask

FEATURE_WINDOW_MONTHS = 12
"""Look-back window of the offer-time features, in months."""

NUMERIC_FEATURES = (
    "tenure_years",
    "orders_12m",
    "log_revenue_12m",
    "categories_12m",
    "months_since_last_order",
    "category_fit",
)
CATEGORICAL_FEATURES = ("size_band", "market_type", "channel")
FEATURE_DOCS = {
    "tenure_years": "years from the customer's first order to the offer (0 if no earlier order)",
    "orders_12m": "orders in the 12 months before the offer",
    "log_revenue_12m": "log(1 + revenue in the 12 months before the offer)",
    "categories_12m": "distinct product categories bought in the 12 months before the offer",
    "months_since_last_order": "months since the last order before the offer (capped at 36; 36 if none)",
    "category_fit": "1 if the offered product's category is among the categories bought in the 12 months before the offer",
    "size_band": "customer size band (customers table)",
    "market_type": "market type (customers table)",
    "channel": "channel of the offer",
}


def offer_features(
    offers: pd.DataFrame,
    customers: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    customer_col: str = "customer_id",
) -> pd.DataFrame:
    """Customer features as they stood at each offer's date (no look-ahead).

    Only orders strictly before the offer date count. Features (:data:`FEATURE_DOCS`): tenure_years, orders_12m, log_revenue_12m,
    categories_12m, months_since_last_order, category_fit, size_band, market_type, channel. Return lines (quantity <= 0) and
    credit notes are not orders. Computed without a loop over offers: cumulative sums per customer looked up with ``merge_asof``, on integer-coded
    customers and orders, from the order lines of the customers who had an offer only (a product's category comes from all lines).

    Parameters
    ----------
    offers : DataFrame
        customer_id, offer_date, product_id, channel (responded kept if present).
    customers : DataFrame
        customer_id, size_band, market_type.
    transactions : DataFrame
        customer_id, order_id, order_date, product_id, category, quantity, revenue.
    customer_col : str
        Customer id column.

    Returns
    -------
    DataFrame
        offers, customers, transactions -> one row per offer in the offers' order: customer_id, offer_date, product_id, the features
        and, when present, offer_id and responded.

    Raises
    ------
    DataError
        A required column is missing or an offer names an unknown customer.
    """
    require(offers, [customer_col, "offer_date", "product_id", "channel"], "offers")
    require(customers, [customer_col, "size_band", "market_type"], "customers")
    require(transactions, [customer_col, "order_id", "order_date", "product_id", "category", "revenue"], "transactions")
    keep = [c for c in ("offer_id", customer_col, "offer_date", "product_id", "channel", "responded") if c in offers.columns]
    left = (
        offers[keep]
        .reset_index(drop=True)
        .assign(
            _row=np.arange(len(offers)),
            _t=as_datetime(offers["offer_date"]).to_numpy(),
        )
    )
    left = left.assign(_t12=left["_t"] - pd.DateOffset(months=FEATURE_WINDOW_MONTHS))
    left[customer_col] = left[customer_col].astype("str")

    # customers with an offer, coded 0..n-1; only their order lines matter (the category of a
    # product comes from every line). Integer codes keep the groupbys and as-of merges fast.
    ids = pd.Index(left[customer_col].unique())
    left["_c"] = ids.get_indexer(left[customer_col])
    lines, k_ids, prod_cat = _offer_lines(transactions, ids, customer_col)
    orders = _cumulative_orders(lines)
    tenure, since, (cn_now, cr_now), (cn_b, cr_b) = _order_history_at_offers(left, orders)
    n_cat, fit_flag = _categories_at_offers(left, lines, k_ids, prod_cat)
    attrs = _customer_attributes(left, customers, customer_col)
    out = left[keep].copy()
    out = out.assign(
        tenure_years=tenure,
        orders_12m=(cn_now - cn_b).astype("float64"),
        log_revenue_12m=np.log1p(np.maximum(cr_now - cr_b, 0.0)),
        categories_12m=n_cat.astype("float64"),
        months_since_last_order=since,
        category_fit=fit_flag,
        size_band=attrs["size_band"].astype("string").fillna("unknown").astype("str").to_numpy(),
        market_type=attrs["market_type"].astype("string").fillna("unknown").astype("str").to_numpy(),
        channel=left["channel"].astype("string").fillna("unknown").astype("str").to_numpy(),
    )
    return out


def _offer_lines(transactions: pd.DataFrame, ids: pd.Index, customer_col: str):
    """The order lines (quantity > 0) of the customers ``ids``, integer-coded; the sorted categories; each product's category."""
    tx = order_lines(transactions)  # credit notes are no orders
    if "quantity" in tx.columns:
        tx = tx.loc[tx["quantity"].to_numpy() > 0]
    k_code, k_ids = pd.factorize(tx["category"].astype("str"), sort=True)
    prod_cat = product_category(tx["product_id"], k_code, k_ids)
    tc = positions(ids, tx[customer_col].astype("str"))
    sel = tc >= 0
    lines = pd.DataFrame(
        {
            "_c": tc[sel],
            "_o": pd.factorize(tx["order_id"].array[sel])[0],
            "_d": as_datetime(tx["order_date"].array[sel]).to_numpy(),
            "_rev": tx["revenue"].to_numpy(dtype="float64")[sel],
            "_k": k_code[sel],
        }
    )
    return lines, k_ids, prod_cat


def _cumulative_orders(lines: pd.DataFrame) -> pd.DataFrame:
    """Orders (date of their first line, revenue) with each customer's running order count and revenue, sorted by date."""
    orders = lines.groupby(["_c", "_o"], sort=False).agg(_d=("_d", "min"), _rev=("_rev", "sum")).reset_index()
    orders = orders.sort_values(["_c", "_d", "_o"], kind="stable")
    orders = orders.assign(_cn=orders.groupby("_c").cumcount() + 1, _cr=orders.groupby("_c")["_rev"].cumsum())
    return orders.sort_values("_d", kind="stable")


def _as_of(left: pd.DataFrame, orders: pd.DataFrame, on: str) -> pd.DataFrame:
    """Each offer's customer's last order strictly before the date in column ``on`` (running count and revenue), by offer row."""
    lk = left[["_row", "_c", on]].sort_values(on, kind="stable")
    m = pd.merge_asof(
        lk,
        orders[["_c", "_d", "_cn", "_cr"]],
        left_on=on,
        right_on="_d",
        by="_c",
        allow_exact_matches=False,
        direction="backward",
    )
    return m.set_index("_row").reindex(np.arange(len(left)))


def _order_history_at_offers(left: pd.DataFrame, orders: pd.DataFrame):
    """Per offer: tenure in years, months since the last order (cap 36), and (orders, revenue) to date and to 12 months before."""
    now, before = _as_of(left, orders, "_t"), _as_of(left, orders, "_t12")
    counts_now = now["_cn"].fillna(0).to_numpy(), now["_cr"].fillna(0.0).to_numpy()
    counts_before = before["_cn"].fillna(0).to_numpy(), before["_cr"].fillna(0.0).to_numpy()
    first = orders.groupby("_c")["_d"].min()
    t = left["_t"]
    first_t = pd.Series(first.reindex(left["_c"]).to_numpy(), index=left.index)  # reindex: also when no orders
    has_first = first_t.notna() & (first_t < t)
    tenure = ((t - first_t).dt.days / 365.25).where(has_first, 0.0).to_numpy(dtype="float64")
    since = ((t.to_numpy() - pd.to_datetime(now["_d"]).to_numpy()) / np.timedelta64(1, "D")) / (365.25 / 12)
    return tenure, np.where(np.isnan(since), 36.0, np.minimum(since, 36.0)), counts_now, counts_before


def _categories_at_offers(left: pd.DataFrame, lines: pd.DataFrame, k_ids, prod_cat: pd.Series):
    """Per offer: categories bought in the 12 months before it, and 1.0 if the offered product's category is among them."""
    cat_lines = lines.loc[lines["_k"] >= 0, ["_c", "_k", "_d"]].drop_duplicates().sort_values("_d", kind="stable")
    pairs = cat_lines[["_c", "_k"]].drop_duplicates()
    exp = left[["_row", "_c", "_t", "_t12"]].merge(pairs, on="_c", how="inner").sort_values("_t", kind="stable")
    exp = pd.merge_asof(
        exp,
        cat_lines.rename(columns={"_d": "_last"}),
        left_on="_t",
        right_on="_last",
        by=["_c", "_k"],
        allow_exact_matches=False,
        direction="backward",
    )
    recent = exp.loc[exp["_last"].notna() & (exp["_last"] >= exp["_t12"])]
    n_cat = np.bincount(recent["_row"].to_numpy(), minlength=len(left))
    offer_k = pd.Index(k_ids).get_indexer(left["product_id"].astype("str").map(prod_cat))  # -1: no known category
    rows = recent["_row"].to_numpy()
    fit_flag = np.zeros(len(left))
    fit_flag[rows[recent["_k"].to_numpy() == offer_k[rows]]] = 1.0
    return n_cat, fit_flag


def _customer_attributes(left: pd.DataFrame, customers: pd.DataFrame, customer_col: str) -> pd.DataFrame:
    """Size band and market type of each offer's customer; DataError when an offer names an unknown customer."""
    cust = (
        customers[[customer_col, "size_band", "market_type"]]
        .assign(**{customer_col: customers[customer_col].astype("str")})
        .drop_duplicates(customer_col)
    )
    attrs = left[[customer_col]].merge(cust, on=customer_col, how="left", validate="many_to_one", indicator=True)
    unknown = (attrs["_merge"] == "left_only").to_numpy()
    if unknown.any():
        raise DataError(
            f"offers: {int(unknown.sum())} offers name customers missing from customers (e.g. {left.loc[unknown, customer_col].iloc[0]!r})"
        )
    return attrs


def product_category(products: pd.Series, k_code: np.ndarray, k_ids) -> pd.Series:
    """Each product's most frequent category over its lines (ties: the first category by name).

    ``k_code`` codes the lines' categories into the sorted ``k_ids`` (-1 = missing).
    Returns category by product id (str -> str).
    """
    p_code, p_ids = pd.factorize(products.astype("str"))
    ok = (p_code >= 0) & (k_code >= 0)
    n_p, n_k = len(p_ids), max(len(k_ids), 1)
    counts = np.bincount(p_code[ok] * n_k + k_code[ok], minlength=n_p * n_k).reshape(n_p, n_k)
    best = counts.argmax(axis=1)  # the first maximum: the smallest category id among ties
    cats = np.asarray(k_ids, dtype=object)[best] if len(k_ids) else np.full(n_p, None, dtype=object)
    return pd.Series(np.where(counts.sum(axis=1) > 0, cats, None), index=pd.Index(p_ids, dtype="str"), dtype="str")


def customer_features(
    customers: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    asof,
    channel: str,
    product_id: str | None = None,
    customer_col: str = "customer_id",
) -> pd.DataFrame:
    """The :func:`offer_features` of every customer for an offer made just after ``asof``.

    Orders on ``asof`` count (the notional offer is dated the next day).
    Every customer's offer has the same date, so the features are computed
    directly from the orders in the window (one pass of integer-coded
    groupbys) instead of :func:`offer_features`' per-offer as-of lookups;
    the two agree (tests/test_development.py checks it).

    Parameters
    ----------
    customers, transactions : DataFrame
        As for :func:`offer_features`.
    asof : date-like
        Scoring date.
    channel : str
        Channel of the planned offer.
    product_id : str, optional
        Product of the planned offer (drives ``category_fit``); None = 0 for all.
    customer_col : str
        Customer id column.

    Returns
    -------
    DataFrame
        customers, transactions -> one row per customer: customer_id and the features.

    Raises
    ------
    DataError
        As :func:`offer_features`.
    """
    require(customers, [customer_col, "size_band", "market_type"], "customers")
    require(transactions, [customer_col, "order_id", "order_date", "product_id", "category", "revenue"], "transactions")
    t = pd.Timestamp(asof).normalize() + pd.Timedelta(days=1)
    t12 = t - pd.DateOffset(months=FEATURE_WINDOW_MONTHS)
    ids = customers[customer_col].astype("str")
    uniq = pd.Index(ids.unique())
    n = len(uniq)
    tx = transactions
    keep = (tx["order_date"] < t).to_numpy() & order_mask(tx)  # credit notes are no orders
    if "quantity" in tx.columns:
        keep &= tx["quantity"].to_numpy() > 0
    tx = tx.loc[keep, [customer_col, "order_id", "order_date", "product_id", "category", "revenue"]]
    k_code, k_ids = pd.factorize(tx["category"].astype("str"), sort=True)
    offer_k = -1
    if product_id is not None:
        cat = product_category(tx["product_id"], k_code, k_ids).get(str(product_id))
        offer_k = int(pd.Index(k_ids).get_indexer([cat])[0]) if isinstance(cat, str) else -1
    c = positions(uniq, tx[customer_col].astype("str"))
    mine = c >= 0
    c, k_code = c[mine], k_code[mine]
    d = as_datetime(tx["order_date"].array[mine]).to_numpy()
    o = pd.factorize(tx["order_id"].array[mine])[0]
    n_orders, revenue, tenure, since = _order_history(c, o, d, tx["revenue"].to_numpy(dtype="float64")[mine], n, t, t12)
    n_cat, fit = _categories_bought(c, d, k_code, max(len(k_ids), 1), n, t12, offer_k)
    at = uniq.get_indexer(ids)  # one row per customers row
    attrs = customers[["size_band", "market_type"]]
    return pd.DataFrame(
        {
            customer_col: ids.to_numpy(),
            "channel": pd.Series([channel] * len(ids), dtype="string").fillna("unknown").astype("str").to_numpy(),
            "tenure_years": tenure[at],
            "orders_12m": n_orders[at],
            "log_revenue_12m": np.log1p(np.maximum(revenue[at], 0.0)),
            "categories_12m": n_cat[at],
            "months_since_last_order": since[at],
            "category_fit": fit[at],
            "size_band": attrs["size_band"].astype("string").fillna("unknown").astype("str").to_numpy(),
            "market_type": attrs["market_type"].astype("string").fillna("unknown").astype("str").to_numpy(),
        }
    )


def _order_history(c, o, d, rev, n: int, t: pd.Timestamp, t12: pd.Timestamp):
    """Per customer code 0..n-1: orders and revenue since ``t12``, years since the first order, months since the last (cap 36).

    ``c``, ``o``, ``d``, ``rev``: customer code, order code, date and revenue of each line. An order's date is
    its first line's.
    """
    n_o = int(o.max(initial=0)) + 1
    orders = pd.DataFrame({"key": c * n_o + o, "_d": d, "_rev": rev})
    orders = orders.groupby("key", sort=False).agg(_d=("_d", "min"), _rev=("_rev", "sum"))
    oc = orders.index.to_numpy() // n_o
    od = orders["_d"].to_numpy()
    recent = od >= t12.to_datetime64()
    n_orders = np.bincount(oc[recent], minlength=n).astype("float64")
    revenue = np.bincount(oc[recent], weights=orders["_rev"].to_numpy()[recent], minlength=n)
    span = pd.DataFrame({"c": oc, "d": od}).groupby("c")["d"].agg(["min", "max"]).reindex(np.arange(n))
    first, last = span["min"], span["max"]
    tenure = ((t - first).dt.days / 365.25).where(first.notna(), 0.0).to_numpy(dtype="float64")
    since = ((t.to_datetime64() - last.to_numpy()) / np.timedelta64(1, "D")) / (365.25 / 12)
    return n_orders, revenue, tenure, np.where(np.isnan(since), 36.0, np.minimum(since, 36.0))


def _categories_bought(c, d, k_code, n_k: int, n: int, t12: pd.Timestamp, offer_k: int):
    """Per customer code: distinct categories bought since ``t12``, and 1.0 if the offered category (``offer_k``) is among them."""
    in_window = (d >= t12.to_datetime64()) & (k_code >= 0)
    pairs = pd.unique(c[in_window] * n_k + k_code[in_window])
    n_cat = np.bincount(pairs // n_k, minlength=n).astype("float64")
    fit = np.zeros(n)
    fit[pairs[pairs % n_k == offer_k] // n_k] = 1.0
    return n_cat, fit
