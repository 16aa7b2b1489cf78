"""Product cross analysis: co-purchased pairs and the next-best product per customer (DOMAIN.md section 3.3)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from custlib.analysis.development.common import (
    attach_customer_info,
    require,
)
from custlib.exceptions import DataError, InsufficientDataError, ParamsError
from custlib.io.facts import product_lines


def basket_matrix(transactions: pd.DataFrame, basket_col: str, item_col: str):
    """Sparse 0/1 incidence matrix rows = baskets, columns = items (returns, credit notes and non-product lines left out).

    Ids are coded by hashing (``pandas.factorize``), not by sorting strings;
    items come out sorted (so ties resolve to the smaller id), baskets in
    order of first appearance. Postage, fees and manual adjustments
    (``is_non_product``) are no product: they never form a pair.
    """
    bought = product_lines(transactions)
    lines = bought[[basket_col, item_col]]
    if "quantity" in bought.columns:
        lines = lines.loc[bought["quantity"].to_numpy() > 0]
    b_idx, baskets = pd.factorize(lines[basket_col])
    i_idx, items = pd.factorize(lines[item_col].astype("str"), sort=True)
    if (b_idx < 0).any() or (i_idx < 0).any():  # a missing id is no basket or item
        keep = (b_idx >= 0) & (i_idx >= 0)
        b_idx, i_idx = b_idx[keep], i_idx[keep]
    X = sparse.csr_matrix((np.ones(len(b_idx), dtype="float64"), (b_idx, i_idx)), shape=(len(baskets), len(items)))
    X.sum_duplicates()
    X.data = np.ones_like(X.data)  # presence, not line count
    return X, np.asarray(items, dtype=object), np.asarray(baskets)


def co_purchase(
    transactions: pd.DataFrame,
    *,
    item_col: str = "product_id",
    basket_col: str = "order_id",
    min_count: int = 5,
    min_lift: float = 0.0,
) -> pd.DataFrame:
    """Support, confidence and lift of item pairs bought in the same order.

    Orders are baskets. With N baskets, n(A) baskets holding A and n(AB)
    holding both: support = n(AB) / N, confidence(A -> B) = n(AB) / n(A),
    lift = confidence / (n(B) / N) (Agrawal, Imielinski & Swami 1993,
    SIGMOD, section 2; lift ("interest"): Brin, Motwani, Ullman & Tsur 1997,
    SIGMOD). Pair counts come from one sparse product X'X of the
    basket-by-item incidence matrix; return lines (quantity <= 0), credit notes and
    non-product lines (postage, fees) are left out: baskets are orders of products.

    Parameters
    ----------
    transactions : DataFrame
        Order lines with ``basket_col`` and ``item_col`` (e.g. product_id or category).
    item_col, basket_col : str
    min_count : int
        Keep pairs bought together in at least this many baskets.
    min_lift : float
        Keep pairs with a lift above this (0 keeps all).

    Returns
    -------
    DataFrame
        order lines -> antecedent, consequent, n_antecedent, n_consequent,
        n_both, support, confidence, lift; both directions of each pair,
        sorted by lift, n_both (descending), antecedent, consequent.

    Raises
    ------
    DataError
        A column is missing.
    InsufficientDataError
        No baskets.
    """
    require(transactions, [basket_col, item_col], "transactions")
    if min_count < 1:
        raise ParamsError(f"min_count: expected at least 1, got {min_count}")
    X, items, _ = basket_matrix(transactions, basket_col, item_col)
    n_baskets = X.shape[0]
    if n_baskets == 0:
        raise InsufficientDataError("transactions: no orders to form baskets", code="no_orders")
    C = (X.T @ X).tocoo()
    n_item = np.asarray(X.sum(axis=0)).ravel()
    keep = (C.row != C.col) & (C.data >= min_count)
    a, b, nab = C.row[keep], C.col[keep], C.data[keep]
    out = pd.DataFrame(
        {
            "antecedent": items[a],
            "consequent": items[b],
            "n_antecedent": n_item[a].astype("int64"),
            "n_consequent": n_item[b].astype("int64"),
            "n_both": nab.astype("int64"),
        }
    )
    out = out.assign(
        support=out["n_both"] / n_baskets,
        confidence=out["n_both"] / out["n_antecedent"],
        lift=out["n_both"] * n_baskets / (out["n_antecedent"] * out["n_consequent"]),
    )
    out = out.loc[out["lift"] > min_lift].astype({"antecedent": "str", "consequent": "str"})
    return out.sort_values(["lift", "n_both", "antecedent", "consequent"], ascending=[False, False, True, True], kind="stable").reset_index(
        drop=True
    )


def next_best_product(
    transactions: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    customer_col: str = "customer_id",
    item_col: str = "product_id",
    basket_col: str = "order_id",
    min_count: int = 5,
    min_lift: float = 1.0,
    rules: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """For each customer, the product with the highest lift not yet bought.

    A customer who bought A is offered the B (never bought by them) with the highest lift(A -> B) over all A they bought
    (:func:`co_purchase`, pairs seen together at least ``min_count`` times and lift above ``min_lift``); ties go to the higher
    confidence, then the smaller product id. The maximisation loops over the antecedent products, vectorised over the customers who
    bought each one.

    Parameters
    ----------
    transactions : DataFrame
        Order lines.
    customers : DataFrame, optional
        Adds name, size_band and market_type (those present) after the id.
    customer_col, item_col, basket_col : str
    min_count : int
    min_lift : float
        Only recommend pairs with lift above this (1 = independence).
    rules : DataFrame, optional
        :func:`co_purchase` of the same order lines and ``item_col``, when already computed (the report shares it with the product
        pairs); ``min_count`` is then the one it was computed with. None computes it.

    Returns
    -------
    DataFrame
        order lines[, customers] -> customer_id, [name, size_band, market_type,] next_product, because_of, lift, confidence;
        customers with no qualifying rule are left out; sorted by lift (descending), then customer id.

    Raises
    ------
    DataError
        A column is missing.
    """
    require(transactions, [customer_col, basket_col, item_col], "transactions")
    if rules is None:
        rules = co_purchase(transactions, item_col=item_col, basket_col=basket_col, min_count=min_count, min_lift=min_lift)
    else:
        require(rules, ["antecedent", "consequent", "lift", "confidence"], "rules")
        rules = rules.loc[rules["lift"] > min_lift]
    cols = [customer_col, "next_product", "because_of", "lift", "confidence"]
    if rules.empty:
        empty = pd.DataFrame({c: pd.Series(dtype="str" if c in (customer_col, "next_product", "because_of") else "float64") for c in cols})
        return attach_customer_info(empty, customers, customer_col)
    X, items, custs = basket_matrix(transactions, customer_col, item_col)  # customers x items bought
    L, Cf = _rule_matrices(rules, items)
    # key combines lift and confidence so that ties in lift break on confidence
    key = np.where(L > 0, L + Cf * 1e-9, -np.inf)
    bought = X.toarray().astype(bool)
    best, because = _best_rule_per_customer(X, key)
    best = np.where(bought, -np.inf, best)
    j = np.argmax(best, axis=1)  # first (smallest id) among equal keys
    val = best[np.arange(len(j)), j]
    ok = np.isfinite(val)
    ant = because[np.arange(len(j)), j]
    out = pd.DataFrame(
        {
            customer_col: custs[ok],
            "next_product": items[j[ok]],
            "because_of": items[ant[ok]],
            "lift": L[ant[ok], j[ok]],
            "confidence": Cf[ant[ok], j[ok]],
        }
    ).astype({customer_col: "str", "next_product": "str", "because_of": "str"})
    out = out.sort_values([customer_col], kind="stable").sort_values("lift", ascending=False, kind="stable").reset_index(drop=True)
    return attach_customer_info(out, customers, customer_col)


def _best_rule_per_customer(X, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per customer and item: the best rule key over the antecedents the customer bought, and that antecedent (-1: none).

    Loops over antecedents, vectorised over their buyers; strict comparison, so the first antecedent (smallest id) keeps a tie.
    """
    best = np.full((X.shape[0], key.shape[1]), -np.inf)
    because = np.full(best.shape, -1)
    Xc = X.tocsc()
    for i in np.flatnonzero(np.isfinite(key).any(axis=1)):
        rows = Xc.indices[Xc.indptr[i] : Xc.indptr[i + 1]]
        sub = best[rows]
        better = key[i][None, :] > sub
        best[rows] = np.where(better, key[i][None, :], sub)
        because[rows] = np.where(better, i, because[rows])
    return best, because


def _rule_matrices(rules: pd.DataFrame, items) -> tuple[np.ndarray, np.ndarray]:
    """Lift and confidence of each rule as item x item matrices (0 where there is no rule)."""
    pos = {it: i for i, it in enumerate(items)}
    L = np.zeros((len(items), len(items)))
    Cf = np.zeros((len(items), len(items)))
    ai = rules["antecedent"].astype("str").map(pos)
    bi = rules["consequent"].astype("str").map(pos)
    if ai.isna().any() or bi.isna().any():
        raise DataError("rules: they name products that no customer bought in these order lines; pass the co_purchase of the same lines")
    ai, bi = ai.to_numpy(dtype="int64"), bi.to_numpy(dtype="int64")
    L[ai, bi] = rules["lift"].to_numpy()
    Cf[ai, bi] = rules["confidence"].to_numpy()
    return L, Cf


def one_direction(pairs: pd.DataFrame) -> pd.DataFrame:
    """Each pair of :func:`co_purchase` once, in the direction with the higher confidence (ties: the first name).

    Rows keep their lift order. antecedent, consequent, confidence, ... -> the same columns, half the rows.
    """
    a, b = pairs["antecedent"].astype("str"), pairs["consequent"].astype("str")
    key = np.where(a < b, a + "\x00" + b, b + "\x00" + a)
    ranked = pairs.assign(_key=key, _a=a).sort_values(["confidence", "_a"], ascending=[False, True], kind="stable")
    keep = ranked.drop_duplicates("_key").index
    return pairs.loc[pairs.index.isin(keep)]
