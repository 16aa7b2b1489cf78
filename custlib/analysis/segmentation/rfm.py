"""RFM scores and segments.

Source: Hughes, A. M. (1994) *Strategic Database Marketing*, ch. 8 (quintile
scores); segment codes after the usual 5 x 5 recency x frequency map of CRM
practice (:data:`~custlib.analysis.segmentation.common.RFM_SEGMENTS`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.analysis.segmentation.common import EPS, NO_ORDERS_SEGMENT, RFM_SEGMENTS, SEGMENT_ORDER, param_name, words
from custlib.analysis.segmentation.features import require_buyers
from custlib.exceptions import DataError, InsufficientDataError, ParamsError


def quantile_scores(values: pd.Series, bins: int = 5, *, higher_is_better: bool = True) -> pd.Series:
    """Scores 1..bins by equal-count quantiles of the rank; customers with equal values share a score.

    Customers are ranked 1..n from worst to best; customers with equal values
    share the mean of the ranks they span (the *mid-rank*, the usual treatment
    of ties in rank statistics: Kendall & Gibbons 1990, *Rank Correlation
    Methods*, 5th ed., sec. 3.1), and each is scored ``ceil(bins * rank / n)``:
    the best fifth gets 5, the worst fifth 1 (the quintile scoring of Hughes
    1994). Without ties this is ``pd.qcut(rank, bins)`` when n is a multiple of
    ``bins``, and the bins differ in size by at most one otherwise. A group of
    tied customers lands, as a whole, in the quintile that holds the middle of
    the group, so a score can be left empty (e.g. when 40% of the customers
    ordered once, they all get 1 and no one gets 2). With fewer customers than
    bins the scores still span 1..bins (e.g. 3 customers get 2, 4, 5).

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
        raise InsufficientDataError(
            f"scores of {words(name)} need at least 2 customers, found {len(s)}", code="too_few_customers", needed=2, found=len(s)
        )
    if s.nunique() == 1:
        raise InsufficientDataError(
            f"all {len(s):,} customers have the same value for {words(name)} ({s.iloc[0]:g}); quintile scores would be arbitrary",
            code="all_values_equal",
            measure=str(name),
            found=len(s),
        )
    rank = s.rank(method="average", ascending=higher_is_better)
    score = np.ceil(bins * rank.to_numpy() / len(s) - EPS).astype("int64")
    return pd.Series(score, index=s.index, name=f"{name}_score")


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


def segment_grid(rules: dict | None = None, *, param: str = "segmentation.rfm.segments") -> pd.DataFrame:
    """The rule table as the 5 x 5 grid a reader looks up: recency score in rows, frequency in columns.

    Parameters
    ----------
    rules : dict, optional
        Segment -> cells, as :func:`validate_segment_rules` takes it (default :data:`RFM_SEGMENTS`).
    param : str
        Parameter name used in messages.

    Returns
    -------
    DataFrame
        Segment codes, index ``r_score`` 5..1 (best first), columns ``f_score`` 1..5. rules -> grid.

    Raises
    ------
    ParamsError
        As :func:`validate_segment_rules`.
    """
    cells = validate_segment_rules(rules, param=param)
    grid = pd.DataFrame(
        [[cells[f"R{r}F{f}"] for f in range(1, 6)] for r in range(5, 0, -1)],
        index=pd.Index(range(5, 0, -1), name="r_score"),
        columns=pd.Index(range(1, 6), name="f_score"),
    )
    return grid


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
        raise ParamsError(f"{param_name('rfm')}: expected 0 <= slip_ratio <= 1 and 0 < slip_alpha < 1, got {ratio!r}, {alpha!r}")
    base = (
        features["orders_per_quarter_before"]
        if "orders_per_quarter_before" in features.columns
        else pd.Series(np.nan, index=features.index)
    )
    now = features["orders_quarter"]
    p = pd.Series(poisson.cdf(now.to_numpy(), base.fillna(0).to_numpy()), index=features.index).where(base > 0)
    slipping = (now < ratio * base) & (p < alpha)
    return pd.DataFrame({"baseline_orders": base, "orders_quarter": now, "p_value": p, "slipping": slipping.fillna(False).astype(bool)})


def _window_scores(s: pd.DataFrame) -> pd.DataFrame:
    """r_score, f_score, m_score (Int64) and p_score of the customers with orders in the window, among themselves."""
    if len(s) < 2:
        raise InsufficientDataError(
            f"RFM scores need at least 2 customers with orders in the window; this region has {len(s)}",
            code="too_few_window_buyers",
            needed=2,
            found=len(s),
        )
    out = pd.DataFrame(index=s.index)
    for col, measure, better in (("r_score", "recency_days", False), ("f_score", "frequency", True), ("m_score", "monetary", True)):
        out[col] = quantile_scores(s[measure].rename(measure), higher_is_better=better).astype("Int64")
    out["p_score"] = quantile_scores(s["profit"].rename("profit")).astype("Int64") if s["profit"].notna().any() else np.nan
    return out


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
    in the window (credit notes are no orders); monetary = revenue in the window
    (net of credit notes); profit = ``profit`` column in the window (NaN, and
    ``p_score`` NaN, when the cost of goods is unknown).

    Only customers with orders in the window are scored, against each other,
    by :func:`quantile_scores` (recency: fewer days is better; equal values
    share a score); the segment comes from the (R, F) cell via the rule table
    (:data:`RFM_SEGMENTS` unless ``segments`` overrides it). A customer who
    ordered before but not in the window gets no score or cell and the segment
    :data:`NO_ORDERS_SEGMENT`, never a buying one. Customers who never ordered
    are left out.

    Trend rule: a customer flagged by :func:`slipping_customers` (orders this
    quarter well below their own rate) is placed in the cell of R =
    min(r_score, 2): with a high F that is *at risk* or *can't lose* ("bought
    often, not any more"), where a trailing year would still rank them among
    the best. ``r_score`` stays the pure recency score; ``cell`` shows the cell used.

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
        recency_days, frequency, monetary, profit, r_score, f_score, m_score
        (nullable Int64, missing without orders in the window), p_score,
        slipping, cell (e.g. ``R5F4``; missing without orders in the window),
        segment. features -> RFM table.

    Raises
    ------
    InsufficientDataError
        Fewer than 2 customers with orders in the window (``too_few_window_buyers``),
        or a measure equal for all of them.
    ParamsError
        Bad rule table, profit column or trend thresholds.
    """
    cell_map = validate_segment_rules(segments)
    if profit not in ("gross_profit", "net_profit"):
        raise ParamsError(f"{param_name('rfm.profit')}: expected gross_profit or net_profit, got {profit!r}")
    buyers = require_buyers(features, "RFM scores")
    if buyers[profit].isna().all():
        profit = "gross_profit"
    values = {"recency_days": "recency_days", "frequency": "orders", "monetary": "revenue"}
    out = pd.DataFrame({k: buyers[v] for k, v in values.items()}).assign(profit=buyers[profit].fillna(0.0))
    if buyers[profit].isna().all():  # no cost of goods: profit unknown and not scored (never a zero profit)
        out["profit"] = np.nan
    scored = out["frequency"] > 0
    out = out.join(_window_scores(out[scored]).reindex(out.index))
    if "orders_quarter" in buyers.columns:
        out["slipping"] = slipping_customers(buyers, ratio=slip_ratio, alpha=slip_alpha)["slipping"]
    else:
        out["slipping"] = False
    cell = _cells(out[scored])
    out["cell"] = cell.reindex(out.index).astype("object")
    out["segment"] = cell.map(cell_map).reindex(out.index).fillna(NO_ORDERS_SEGMENT).astype("str")
    return out


def _cells(s: pd.DataFrame) -> pd.Series:
    """The cell ``R<r>F<f>`` of scored customers, R at most 2 for a slipping one (the trend rule)."""
    r, f = s["r_score"].astype("int64"), s["f_score"].astype("int64")
    r_used = r.where(~s["slipping"], r.clip(upper=2))
    return "R" + r_used.astype("str") + "F" + f.astype("str")


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
            "gross_profit": g["gross_profit"].sum(skipna=False),  # missing with the cost of goods, never 0
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
