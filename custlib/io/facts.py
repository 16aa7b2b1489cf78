"""What an order line means to the business: orders, credit notes, non-product lines and the cost of goods.

The contract (:mod:`custlib.io.contract`) carries each raw fact as the export gives it; this
module says, once, what the analyses read from it:

- a **credit note** line (``is_credit_note``: a return or a cancellation) reduces revenue and
  profit, but is never an order, a purchase, a last-order date or a transaction of a customer
  model (BG/NBD frequency and recency, RFM frequency and recency, baskets, response features);
- a **non-product** line (``is_non_product``: postage, bank charges, manual adjustments) is
  revenue, but no product: it is left out of product pairs and product rankings;
- a **missing cost** (``cost`` empty because the source mapping declares ``cost_known: false``)
  is never a zero cost. :func:`with_assumed_margin` fills it from ``assumptions.gross_margin``
  when the analyst set one (the reports then say "assumed margin N%" beside every figure built
  on it); otherwise cost stays missing, sums of cost and profit stay missing (:func:`profit_sum`),
  and a section built on profit raises ``InsufficientDataError(code="needs_cost")``
  (:func:`require_cost`) instead of showing a 100% margin.

Frames without the flag columns (hand-made tables, the contract's own files before issue 15)
read as "no credit notes, every line a product".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from custlib.exceptions import InsufficientDataError, ParamsError

CREDIT_NOTE = "is_credit_note"
NON_PRODUCT = "is_non_product"
#: The reason code of a section that needs the cost of goods (see ``custlib.present.reasons``).
NEEDS_COST = "needs_cost"


def _flag(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    s = frame[col]
    if pd.api.types.is_bool_dtype(s) and not s.hasnans:
        return s.to_numpy(dtype=bool)
    return s.fillna(False).astype("bool").to_numpy()


def credit_note_mask(transactions: pd.DataFrame) -> np.ndarray:
    """True on the lines of credit notes (returns, cancellations); all False without the column."""
    return _flag(transactions, CREDIT_NOTE)


def non_product_mask(transactions: pd.DataFrame) -> np.ndarray:
    """True on non-product lines (postage, fees, manual adjustments); all False without the column."""
    return _flag(transactions, NON_PRODUCT)


def order_mask(transactions: pd.DataFrame) -> np.ndarray:
    """True on the lines that belong to orders (every line but credit notes)."""
    return ~credit_note_mask(transactions)


def order_lines(transactions: pd.DataFrame) -> pd.DataFrame:
    """The lines of orders: ``transactions`` without its credit-note lines (the same frame when it has none).

    Count orders, purchases, first and last order dates and model transactions on these;
    sum revenue and profit over every line (net of credit notes).
    """
    m = credit_note_mask(transactions)
    return transactions.loc[~m] if m.any() else transactions


def product_lines(transactions: pd.DataFrame) -> pd.DataFrame:
    """The lines of products bought: no credit notes, no non-product lines (pairs, product rankings)."""
    m = credit_note_mask(transactions) | non_product_mask(transactions)
    return transactions.loc[~m] if m.any() else transactions


def returns_only(transactions: pd.DataFrame, customer_col: str = "customer_id") -> pd.Series:
    """Per customer with a line in ``transactions``: True when every line is a credit note (returned goods, no order).

    transactions (customer_col, is_credit_note) -> bool Series indexed by customer id, sorted.
    """
    credit = credit_note_mask(transactions)
    return pd.Series(credit, index=transactions.index).groupby(transactions[customer_col], sort=True).all().astype("bool")


# --------------------------------------------------------------------------- cost of goods


@dataclass(frozen=True)
class CostBasis:
    """Where a region's cost of goods comes from.

    Attributes
    ----------
    missing : bool
        The data has no cost of goods (the source mapping says ``cost_known: false``).
    assumed_margin : float or None
        ``assumptions.gross_margin``, used for the missing cost (None: not assumed).
    """

    missing: bool = False
    assumed_margin: float | None = None

    @property
    def assumed(self) -> bool:
        """True when profit figures rest on the assumed margin."""
        return self.missing and self.assumed_margin is not None

    @property
    def available(self) -> bool:
        """True when profit can be computed (known cost, or an assumed margin)."""
        return not self.missing or self.assumed_margin is not None


def cost_missing(transactions: pd.DataFrame, cost_col: str = "cost") -> bool:
    """True when any line's cost of goods is missing (NaN): the export has no cost."""
    return cost_col in transactions.columns and bool(transactions[cost_col].isna().any())


def check_margin(gross_margin) -> float | None:
    """``assumptions.gross_margin`` as a float in [0, 1), or None; ParamsError otherwise."""
    if gross_margin is None:
        return None
    try:
        m = float(gross_margin)
    except (TypeError, ValueError) as err:
        raise ParamsError(f"assumptions.gross_margin: expected a fraction such as 0.3, or null; got {gross_margin!r}") from err
    if not 0 <= m < 1:
        raise ParamsError(f"assumptions.gross_margin: expected a fraction in [0, 1), got {gross_margin!r}")
    return m


def with_assumed_margin(
    transactions: pd.DataFrame, gross_margin=None, *, revenue_col: str = "revenue", cost_col: str = "cost"
) -> tuple[pd.DataFrame, CostBasis]:
    """The lines with a missing cost filled as ``revenue * (1 - gross_margin)``, and the cost basis.

    Without ``gross_margin`` (None) a missing cost stays missing. A credit note's cost is
    filled the same way (negative), so that a return gives back its share of profit.

    transactions (revenue, cost) -> the same columns, cost filled where it was missing; a
    new frame when anything changes, else the input.
    """
    m = check_margin(gross_margin)
    missing = cost_missing(transactions, cost_col)
    basis = CostBasis(missing, m if missing else None)
    if not basis.assumed:
        return transactions, basis
    cost = transactions[cost_col].astype("float64")
    filled = cost.fillna(transactions[revenue_col].astype("float64") * (1.0 - m))
    return transactions.assign(**{cost_col: filled}), basis


def require_cost(frame: pd.DataFrame, cost_col: str = "cost", what: str = "this section") -> pd.DataFrame:
    """``frame`` when its ``cost_col`` (a cost, or a profit built on it) has no missing value.

    Raises
    ------
    InsufficientDataError
        ``code="needs_cost"``: the data has no cost of goods and no margin is assumed.
    """
    if cost_col in frame.columns and frame[cost_col].isna().any():
        raise InsufficientDataError(
            f"{what} needs the cost of goods, which the data does not have (set assumptions.gross_margin to assume a margin)",
            code=NEEDS_COST,
        )
    return frame


def profit_sum(values, by=None):
    """A sum of costs or profits that stays missing when a term is missing (never a missing cost read as zero).

    ``values`` a Series (summed whole, or grouped by ``by``) or an array.
    """
    if by is None:
        arr = np.asarray(values, dtype="float64")
        return float(arr.sum()) if not np.isnan(arr).any() else float("nan")
    return pd.Series(values).groupby(by, sort=True).sum(skipna=False)
