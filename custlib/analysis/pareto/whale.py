"""The whale curve of customer profitability and the value destroyers by revenue tier."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from custlib.analysis.pareto.inputs import TIERS, positive_total, require_columns, revenue_tiers, values_vector


def whale_curve(net_profit: pd.Series | pd.DataFrame, net_profit_col: str = "net_profit") -> pd.DataFrame:
    """Customers ranked by net profit, with cumulative profit as a share of the total.

    The whale curve of customer profitability (Kaplan & Narayanan 2001;
    Kaplan & Anderson 2007, *Time-Driven Activity-Based Costing*, ch. 1):
    ranked from the most to the least profitable customer, the cumulative
    profit rises above 100% of the total while customers are profitable,
    peaks, and falls back to 100% as the loss-making customers give profit
    back. Ties are ranked by customer id.

    Parameters
    ----------
    net_profit : Series or DataFrame
        Net profit per customer, indexed by customer id (an array is ranked
        with positions as ids), or a profitability table with ``net_profit_col``.
    net_profit_col : str

    Returns
    -------
    DataFrame
        One row per customer, most profitable first (the plot adds the origin).
        net_profit -> <id>, net_profit, rank, cum_share_customers, cum_profit, cum_share_profit.

    Raises
    ------
    InsufficientDataError
        Fewer than two customers, or total net profit not positive (the curve
        as a share of total profit is undefined; look at the loss makers directly).
    DataError
        Non-numeric, missing or infinite values.
    """
    if isinstance(net_profit, pd.DataFrame):
        net_profit = net_profit[net_profit_col]
    s = net_profit if isinstance(net_profit, pd.Series) else pd.Series(net_profit)
    x = values_vector(s, "net_profit")
    total = positive_total(x, "net_profit")
    id_col = s.index.name or "customer_id"
    frame = pd.DataFrame({id_col: s.index.astype("str"), "net_profit": x})
    frame = frame.sort_values(["net_profit", id_col], ascending=[False, True], kind="stable").reset_index(drop=True)
    n = len(frame)
    frame["rank"] = np.arange(1, n + 1)
    frame["cum_share_customers"] = frame["rank"] / n
    frame["cum_profit"] = frame["net_profit"].cumsum()
    frame["cum_share_profit"] = frame["cum_profit"] / total
    frame.attrs["net_profit_includes_cost_to_serve"] = bool(s.attrs.get("net_profit_includes_cost_to_serve", True))
    return frame


@dataclass(frozen=True)
class WhaleSummary:
    """The whale curve in a few figures, and value destroyers by revenue tier.

    Attributes
    ----------
    customers : int
    total_profit : float
        Total net profit.
    peak_share : float
        Height of the whale curve's peak as a share of total profit (1.6 = 160%).
    peak_customers : int
        Customers up to the peak (the first rank where it is reached).
    peak_at : float
        ``peak_customers / customers``.
    destroyers : int
        Customers with negative net profit who sold at a loss: not those whose credit notes
        exceed their orders (:func:`customer_status` ``returned_goods``).
    destroyer_loss : float
        Their combined loss, as a positive amount; equals ``(peak_share - 1) * total_profit``
        when no customer returned more than they bought.
    destroyer_loss_share : float
        ``destroyer_loss / total_profit``.
    destroyers_in_a : int
        Value destroyers in revenue tier A.
    by_tier : DataFrame
        Per revenue tier: tier, customers, revenue, revenue_share, net_profit,
        net_profit_share, destroyers, destroyer_rate, destroyer_loss.
    by_customer : DataFrame
        Per customer (the input's index): tier, revenue, net_profit, destroyer (bool), status (:data:`STATUSES`).
    cost_to_serve_known : bool
        False when net profit is gross profit (no cost-to-serve data).
    """

    customers: int
    total_profit: float
    peak_share: float
    peak_customers: int
    peak_at: float
    destroyers: int
    destroyer_loss: float
    destroyer_loss_share: float
    destroyers_in_a: int
    by_tier: pd.DataFrame = field(repr=False)
    by_customer: pd.DataFrame = field(repr=False)
    cost_to_serve_known: bool = True

    def figures(self) -> pd.DataFrame:
        """The scalar figures as a two-column table (figure, value)."""
        names = [
            "customers",
            "total_profit",
            "peak_share",
            "peak_customers",
            "peak_at",
            "destroyers",
            "destroyer_loss",
            "destroyer_loss_share",
            "destroyers_in_a",
        ]
        return pd.DataFrame({"figure": names, "value": [float(getattr(self, k)) for k in names]})


def whale_summary(
    profit: pd.DataFrame,
    *,
    revenue_col: str = "revenue",
    net_profit_col: str = "net_profit",
    cutoffs: tuple[float, float] = (0.8, 0.95),
) -> WhaleSummary:
    """Peak of the whale curve, value destroyers, and the revenue tier they sit in.

    Answers "are the top revenue customers cost customers?": value destroyers
    (net profit < 0) are counted per ABC revenue tier (cumulative revenue
    share cut-offs ``cutoffs``, :func:`custlib.analysis.segmentation.abc_classes`).

    Parameters
    ----------
    profit : DataFrame
        One row per customer, indexed by customer id (:func:`customer_profitability`).
    revenue_col, net_profit_col : str
    cutoffs : (float, float)
        Cumulative revenue shares closing tiers A and B.

    Returns
    -------
    WhaleSummary
        revenue, net_profit -> figures + by_tier (tier, customers, revenue,
        revenue_share, net_profit, net_profit_share, destroyers,
        destroyer_rate, destroyer_loss) + by_customer (tier, revenue,
        net_profit, destroyer).

    Raises
    ------
    InsufficientDataError
        Fewer than two customers, total net profit or total revenue not positive.
    DataError
        A column is missing or holds non-numbers.
    """
    require_columns(profit, [revenue_col, net_profit_col], "profit")
    curve = whale_curve(profit[net_profit_col])
    net = values_vector(profit[net_profit_col], net_profit_col)
    total = float(net.sum())
    n = len(curve)
    k = int(curve["cum_profit"].to_numpy().argmax()) + 1
    peak = float(curve["cum_share_profit"].iloc[k - 1])

    tiers = revenue_tiers(profit[revenue_col], cutoffs=cutoffs)
    frame = pd.DataFrame(
        {"tier": tiers.astype("str"), "revenue": profit[revenue_col].astype("float64"), "net_profit": net}, index=profit.index
    )
    frame["status"] = customer_status(profit.assign(**{net_profit_col: net}).rename(columns={net_profit_col: "net_profit"}))
    frame["destroyer"] = frame["status"].isin(["below_cost", "loss_after_cost_to_serve"])  # returned goods are no loss-maker
    frame["loss"] = (-frame["net_profit"]).where(frame["destroyer"], 0.0)
    loss = float(frame["loss"].sum()) + 0.0
    by_tier = _by_tier(frame, total)
    return WhaleSummary(
        customers=n,
        total_profit=total,
        peak_share=peak,
        peak_customers=k,
        peak_at=k / n,
        destroyers=int(frame["destroyer"].sum()),
        destroyer_loss=loss,
        destroyer_loss_share=loss / total,
        destroyers_in_a=int(by_tier.loc[by_tier["tier"] == "A", "destroyers"].iloc[0]),
        by_tier=by_tier,
        by_customer=frame[["tier", "revenue", "net_profit", "destroyer", "status"]].copy(),
        cost_to_serve_known=bool(profit.attrs.get("net_profit_includes_cost_to_serve", True)),
    )


def _by_tier(frame: pd.DataFrame, total: float) -> pd.DataFrame:
    """Customers, revenue, net profit and value destroyers per revenue tier (A, B, C; empty tiers as zeros)."""
    g = frame.groupby("tier", sort=True)
    by_tier = pd.DataFrame(
        {
            "customers": g.size(),
            "revenue": g["revenue"].sum(),
            "net_profit": g["net_profit"].sum(),
            "destroyers": g["destroyer"].sum(),
            "destroyer_loss": g["loss"].sum(),
        }
    ).reindex(list(TIERS))
    by_tier[["customers", "destroyers"]] = by_tier[["customers", "destroyers"]].fillna(0).astype("int64")
    by_tier[["revenue", "net_profit", "destroyer_loss"]] = by_tier[["revenue", "net_profit", "destroyer_loss"]].fillna(0.0)
    by_tier["revenue_share"] = by_tier["revenue"] / by_tier["revenue"].sum()
    by_tier["net_profit_share"] = by_tier["net_profit"] / total
    by_tier["destroyer_rate"] = by_tier["destroyers"] / by_tier["customers"].where(by_tier["customers"] > 0)
    by_tier = by_tier.rename_axis("tier").reset_index()
    by_tier["tier"] = by_tier["tier"].astype("str")
    by_tier = by_tier[
        [
            "tier",
            "customers",
            "revenue",
            "revenue_share",
            "net_profit",
            "net_profit_share",
            "destroyers",
            "destroyer_rate",
            "destroyer_loss",
        ]
    ]
    return by_tier


#: What a customer's period was, as the loss figures read it (:func:`customer_status`).
STATUSES = ("profitable", "below_cost", "loss_after_cost_to_serve", "returned_goods", "cost_unknown")


def customer_status(profit: pd.DataFrame) -> pd.Series:
    """Per customer of a profitability table, a status code (one of :data:`STATUSES`).

    ``returned_goods``: the customer's only lines in the period are credit notes, or their
    credit notes exceed their orders (net revenue below zero): returns, never "sold below
    cost"; ``cost_unknown``: net profit is unknown (no
    cost of goods in the data); ``below_cost``: gross profit below zero; ``loss_after_cost_to_serve``:
    gross profit covers the cost of goods but net profit is below zero; else ``profitable``.

    profit (net_profit[, gross_profit, revenue, returns_only]) -> str Series, same index.
    """
    net = profit["net_profit"]
    gross = profit["gross_profit"] if "gross_profit" in profit.columns else net
    returned = profit["returns_only"].astype("bool") if "returns_only" in profit.columns else pd.Series(False, index=profit.index)
    if "revenue" in profit.columns:  # credit notes larger than the orders: net revenue below zero
        returned = returned | (profit["revenue"] < 0)
    status = np.select(
        [returned.to_numpy(), net.isna().to_numpy(), (gross < 0).to_numpy(), (net < 0).to_numpy()],
        ["returned_goods", "cost_unknown", "below_cost", "loss_after_cost_to_serve"],
        default="profitable",
    )
    return pd.Series(status, index=profit.index, dtype="str", name="status")


def customer_losses(profit: pd.DataFrame, *, cutoffs=(0.8, 0.95)) -> pd.DataFrame:
    """Per customer of one period's profitability table: its status, whether it bought, its revenue tier, whether it loses money.

    The customers :func:`loss_figures` counts, one row each, so that a count and the list of its customers agree.
    A buyer bought in the period (not only returned goods, not only served: ``returns_only``, ``is_buyer``); the tier
    is the buyer's revenue tier among the buyers (:func:`~custlib.analysis.pareto.revenue_tiers`; missing for the others,
    or for all when the buyers' revenue cannot be tiered); ``losing`` marks the buyers sold below cost or losing money
    after cost to serve (:func:`customer_status`), and is False throughout when fewer than two customers bought or a
    buyer's net profit is unknown (no loss can be said then).

    profit (revenue, net_profit[, gross_profit, returns_only, is_buyer]) -> status, buyer, tier, losing; same index.
    """
    from custlib.exceptions import InsufficientDataError

    status = customer_status(profit)
    buyer = pd.Series(True, index=profit.index)
    if "returns_only" in profit.columns:
        buyer &= ~profit["returns_only"].astype(bool)
    if "is_buyer" in profit.columns:
        buyer &= profit["is_buyer"].astype(bool)
    out = pd.DataFrame({"status": status, "buyer": buyer, "tier": pd.Series(pd.NA, index=profit.index, dtype="string")})
    out["losing"] = False
    buyers = profit.loc[buyer]
    if len(buyers) < 2 or buyers["net_profit"].isna().any():
        return out
    out["losing"] = buyer & status.isin(["below_cost", "loss_after_cost_to_serve"])
    try:
        out.loc[buyer, "tier"] = revenue_tiers(buyers["revenue"], cutoffs=cutoffs).astype("string")
    except InsufficientDataError:
        pass
    return out


def loss_figures(profit, *, share: float = 0.8, cutoffs=(0.8, 0.95)) -> dict[str, float]:
    """The headline numbers of one period's :func:`~custlib.analysis.pareto.customer_profitability`.

    Parameters
    ----------
    profit : DataFrame or None
        One row per customer (revenue, net_profit); None (or fewer than two customers) gives NaN throughout.
    share : float
        The "x% of customers make ``share``" threshold.
    cutoffs : (float, float)
        ABC cut-offs on cumulative revenue share.

    Returns
    -------
    dict
        ``rev_x``, ``net_x`` (fractions of customers making ``share`` of revenue and
        of net profit), ``destroyers`` (customers who bought with net profit < 0), ``loss``
        (their loss, positive), ``in_a`` and ``loss_a`` (the same in revenue tier A),
        ``returned`` (customers who only returned goods, or more than they bought: not
        loss-makers, see :func:`customer_status`) and ``returned_credit`` (their net credit, positive);
        NaN where undefined (the loss figures when the cost of goods is unknown). profit -> figures.
        The customers counted are those of :func:`customer_losses`.
    """
    from custlib.analysis.pareto.concentration import share_of_customers_for
    from custlib.exceptions import DataError, InsufficientDataError

    out = dict.fromkeys(("rev_x", "net_x", "destroyers", "loss", "in_a", "loss_a", "returned", "returned_credit"), np.nan)
    if not isinstance(profit, pd.DataFrame) or not len(profit):
        return out
    who = customer_losses(profit, cutoffs=cutoffs)
    returned = (who["status"] == "returned_goods").to_numpy()
    out["returned"] = float(returned.sum())
    out["returned_credit"] = float(-profit.loc[returned, "revenue"].sum()) + 0.0
    buyers = profit.loc[who["buyer"].to_numpy()]  # a customer who only returned goods, or was only served, bought nothing
    if len(buyers) < 2:
        return out
    for key, col in (("rev_x", "revenue"), ("net_x", "net_profit")):
        try:
            out[key] = share_of_customers_for(buyers[col], share)
        except (InsufficientDataError, DataError):  # DataError: net profit unknown (no cost of goods)
            pass
    net = profit["net_profit"]
    if buyers["net_profit"].isna().any():
        return out
    losing = who["losing"].to_numpy()
    out["destroyers"] = float(losing.sum())
    out["loss"] = float(-net[losing].sum()) + 0.0
    if who.loc[who["buyer"], "tier"].isna().all():  # the buyers' revenue could not be tiered
        return out
    in_a = losing & (who["tier"] == "A").fillna(False).to_numpy()
    out["in_a"] = float(in_a.sum())
    out["loss_a"] = float(-net[in_a].sum()) + 0.0
    return out
