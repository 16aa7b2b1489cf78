"""Revenue tiers: resources against return per tier, and migration between tiers from one period to the next."""

from __future__ import annotations

from itertools import product

import numpy as np
import pandas as pd

from custlib.analysis.pareto.inputs import NO_TIER, TIERS, period_revenue, require_columns, revenue_by_customer, revenue_tiers
from custlib.analysis.pareto.profitability import buyers_only
from custlib.exceptions import InsufficientDataError
from custlib.io.contract import SERVICE_COMPONENTS
from custlib.io.facts import require_cost
from custlib.io.periods import Quarter

#: Kinds of movement in :func:`tier_migration`.
MOVES = ("up", "down", "same", "entered", "left")


def tier_allocation(
    profit: pd.DataFrame,
    transactions: pd.DataFrame,
    base_start,
    base_end,
    *,
    cutoffs: tuple[float, float] = (0.8, 0.95),
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    revenue_col: str = "revenue",
    components: tuple[str, ...] = SERVICE_COMPONENTS,
) -> pd.DataFrame:
    """Cost to serve against profit and growth, per revenue tier.

    Tests "spending in proportion to revenue is a mistake": per ABC revenue
    tier (this period's revenue), the share of revenue, of cost to serve (and
    its components) and of net profit, the cost to serve per unit of revenue,
    the net profit earned per unit of cost to serve, and revenue growth of the
    tier's customers against a base period (e.g. the same quarter a year
    earlier, which avoids seasonality).

    Growth is measured on customers tiered by *this* period's revenue. That selection favours
    tier A (regression to the mean), so an A tier that still grows less than B and C is saturated.

    Only customers who ordered have a tier; the others in ``profit`` (served without ordering,
    only returns) are the ``"none"`` row, when there are any. The ``"all"`` row is the whole
    region: every row of ``profit``, its growth the region's revenue against the base period's.

    Parameters
    ----------
    profit : DataFrame
        :func:`customer_profitability` of the period, indexed by customer id.
    transactions : DataFrame
        Order lines covering the base period.
    base_start, base_end : date-like
        The base period (both days inclusive).
    cutoffs : (float, float)
        ABC cut-offs on cumulative revenue share.
    customer_col, date_col, revenue_col : str
        Column names in ``transactions``.
    components : tuple of str
        Cost-to-serve components to show when present in ``profit``.

    Returns
    -------
    DataFrame
        Rows A, B, C, ["none",] "all". profit (revenue, gross_profit, cost_to_serve,
        components, net_profit) + transactions -> tier, customers, revenue,
        revenue_share, gross_profit, [components], cost_to_serve,
        cost_to_serve_share, net_profit, net_profit_share,
        cost_to_serve_per_revenue, net_profit_per_cost_to_serve,
        base_revenue, revenue_growth.

    Raises
    ------
    DataError
        A column is missing.
    InsufficientDataError
        Fewer than two customers, total revenue not positive, or no
        cost-to-serve data (``cost_to_serve`` all missing: resources cannot be
        set against return without them).
    """
    require_columns(profit, ["revenue", "gross_profit", "cost_to_serve", "net_profit"], "profit")
    require_cost(profit, "gross_profit", "resources against profit by tier")
    buyers = buyers_only(profit)
    if len(buyers) < 2:
        n = len(buyers)
        raise InsufficientDataError(f"profit: {n} customer(s) who ordered; tiers need 2", code="too_few_customers", found=n, needed=2)
    if not profit.attrs.get("net_profit_includes_cost_to_serve", True) or profit["cost_to_serve"].isna().all():
        raise InsufficientDataError(
            "no cost-to-serve data for the period (no service_costs table, or no rows in it for these months): "
            "the resources spent on each tier are unknown",
            code="no_service_costs",
        )
    comps = [c for c in components if c in profit.columns]
    base = revenue_by_customer(transactions, base_start, base_end, customer_col=customer_col, date_col=date_col, revenue_col=revenue_col)
    money = ["revenue", "gross_profit", *comps, "cost_to_serve", "net_profit"]
    out = _tier_sums(profit[money], base, revenue_tiers(buyers["revenue"], cutoffs=cutoffs).reindex(profit.index).fillna(NO_TIER), money)
    out.loc["all", "base_revenue"] = period_revenue(transactions, base_start, base_end, date_col=date_col, revenue_col=revenue_col)
    return _with_ratios(out, comps)


def _tier_sums(money_frame: pd.DataFrame, base: pd.Series, tiers: pd.Series, money: list[str]) -> pd.DataFrame:
    """Sums of the money columns and base-period revenue per tier (and "none" when any customer has no tier), plus "all"."""
    frame = money_frame.copy()
    frame.index = frame.index.astype("str")
    base = base.set_axis(base.index.astype("str"))
    frame["base_revenue"] = base.reindex(frame.index).fillna(0.0).to_numpy()
    frame["tier"] = tiers.astype("str").to_numpy()
    levels = [*TIERS, NO_TIER] if (frame["tier"] == NO_TIER).any() else list(TIERS)
    sums = frame.groupby("tier", sort=True)[[*money, "base_revenue"]].sum(min_count=1).reindex(levels)
    sums["customers"] = frame.groupby("tier").size().reindex(levels).fillna(0).astype("int64")
    all_row = frame[[*money, "base_revenue"]].sum(min_count=1).to_frame("all").T
    all_row["customers"] = len(frame)
    out = pd.concat([sums, all_row])
    out[[*money, "base_revenue"]] = out[[*money, "base_revenue"]].astype("float64")
    return out


def _with_ratios(out: pd.DataFrame, comps: list[str]) -> pd.DataFrame:
    """Shares of the "all" row, cost to serve per revenue, profit per cost to serve and growth, in report order."""
    out = out.copy()
    total = out.loc["all"]
    out["revenue_share"] = out["revenue"] / total["revenue"]
    out["cost_to_serve_share"] = out["cost_to_serve"] / total["cost_to_serve"] if total["cost_to_serve"] > 0 else np.nan
    out["net_profit_share"] = out["net_profit"] / total["net_profit"] if total["net_profit"] > 0 else np.nan
    out["cost_to_serve_per_revenue"] = out["cost_to_serve"] / out["revenue"].where(out["revenue"] > 0)
    out["net_profit_per_cost_to_serve"] = out["net_profit"] / out["cost_to_serve"].where(out["cost_to_serve"] > 0)
    out["revenue_growth"] = out["revenue"] / out["base_revenue"].where(out["base_revenue"] > 0) - 1.0
    if NO_TIER in out.index:  # customers without an order this period: no growth of theirs to speak of
        out.loc[NO_TIER, "revenue_growth"] = np.nan
    out = out.rename_axis("tier").reset_index()
    out["tier"] = out["tier"].astype("str")
    cols = [
        "tier",
        "customers",
        "revenue",
        "revenue_share",
        "gross_profit",
        *comps,
        "cost_to_serve",
        "cost_to_serve_share",
        "net_profit",
        "net_profit_share",
        "cost_to_serve_per_revenue",
        "net_profit_per_cost_to_serve",
        "base_revenue",
        "revenue_growth",
    ]
    return out[cols]


def tier_migration(
    transactions: pd.DataFrame,
    prev_start,
    prev_end,
    start,
    end,
    *,
    cutoffs: tuple[float, float] = (0.8, 0.95),
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    revenue_col: str = "revenue",
) -> pd.DataFrame:
    """Movements between ABC revenue tiers from one period to the next, with their revenue impact.

    Each period's customers (those who ordered in it; a customer who only
    returned goods is not one) are tiered by that period's revenue (net of credit notes) (:func:`custlib.analysis.segmentation.abc_classes`); a
    customer without orders in a period is in tier ``"none"``: a move from
    ``none`` is ``entered`` (a new customer, or one returning after a pause),
    a move to ``none`` is ``left`` (a lost customer, or one pausing; B2B
    customers often skip a quarter). The revenue impact of a movement is the change in the moving
    customers' revenue.

    Parameters
    ----------
    transactions : DataFrame
        Order lines covering both periods.
    prev_start, prev_end, start, end : date-like
        The earlier and the later period (days inclusive).
    cutoffs : (float, float)
        ABC cut-offs on cumulative revenue share.
    customer_col, date_col, revenue_col : str

    Returns
    -------
    DataFrame
        All 15 (from, to) pairs of A, B, C, none (without none -> none), in
        that order. transactions -> from_tier, to_tier, move (up, down, same,
        entered, left), customers, revenue_before, revenue_after, revenue_change.

    Raises
    ------
    DataError
        A column is missing.
    InsufficientDataError
        Either period has fewer than two customers or no positive revenue.
    """
    return migration_of(
        tier_moves(
            transactions,
            prev_start,
            prev_end,
            start,
            end,
            cutoffs=cutoffs,
            customer_col=customer_col,
            date_col=date_col,
            revenue_col=revenue_col,
        )
    )


def tier_moves(
    transactions: pd.DataFrame,
    prev_start,
    prev_end,
    start,
    end,
    *,
    cutoffs: tuple[float, float] = (0.8, 0.95),
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    revenue_col: str = "revenue",
) -> pd.DataFrame:
    """Each customer's move between ABC revenue tiers from one period to the next: the rows :func:`tier_migration` counts.

    Parameters and errors as :func:`tier_migration`.

    Returns
    -------
    DataFrame
        One row per customer who ordered in either period (index: the customer id), ordered by id. transactions ->
        revenue_before, revenue_after, from_tier, to_tier (A, B, C or none), move (up, down, same, entered, left).
    """
    kw = {"customer_col": customer_col, "date_col": date_col, "revenue_col": revenue_col}
    before = revenue_by_customer(transactions, prev_start, prev_end, **kw)
    after = revenue_by_customer(transactions, start, end, **kw)
    _check_periods((("previous period", prev_start, prev_end, before), ("period", start, end, after)))
    frame = pd.DataFrame({"revenue_before": before, "revenue_after": after}).fillna(0.0)
    frame["from_tier"] = revenue_tiers(before, cutoffs=cutoffs).astype("str").reindex(frame.index).fillna(NO_TIER)
    frame["to_tier"] = revenue_tiers(after, cutoffs=cutoffs).astype("str").reindex(frame.index).fillna(NO_TIER)
    frame["move"] = pd.Series(
        [_move(a, b) for a, b in zip(frame["from_tier"], frame["to_tier"], strict=True)], index=frame.index, dtype="str"
    )
    frame.index.name = customer_col
    return frame.sort_index(kind="stable")


def migration_of(moves: pd.DataFrame) -> pd.DataFrame:
    """The movements of :func:`tier_moves` counted per (from, to) pair: :func:`tier_migration`'s table.

    moves -> from_tier, to_tier, move, customers, revenue_before, revenue_after, revenue_change (all 15 pairs).
    """
    g = moves.groupby(["from_tier", "to_tier"])
    agg = pd.DataFrame({"customers": g.size(), "revenue_before": g["revenue_before"].sum(), "revenue_after": g["revenue_after"].sum()})
    levels = [*TIERS, NO_TIER]
    pairs = [(a, b) for a, b in product(levels, levels) if not (a == NO_TIER and b == NO_TIER)]
    agg = agg.reindex(pd.MultiIndex.from_tuples(pairs, names=["from_tier", "to_tier"]))
    agg["customers"] = agg["customers"].fillna(0).astype("int64")
    agg[["revenue_before", "revenue_after"]] = agg[["revenue_before", "revenue_after"]].fillna(0.0).astype("float64")
    out = agg.reset_index()
    out["from_tier"] = out["from_tier"].astype("str")
    out["to_tier"] = out["to_tier"].astype("str")
    out.insert(2, "move", pd.Series([_move(a, b) for a, b in zip(out["from_tier"], out["to_tier"], strict=True)], dtype="str"))
    out["revenue_change"] = out["revenue_after"] - out["revenue_before"]
    return out


def quarter_tier_migration(
    transactions: pd.DataFrame, previous, quarter, *, cutoffs: tuple[float, float] = (0.8, 0.95), **columns
) -> pd.DataFrame:
    """:func:`tier_migration` from quarter ``previous`` to quarter ``quarter`` (``Quarter`` or ``"2026Q3"``).

    A report passes ``ctx.previous_quarter``, which is unavailable (and so is this step, with its
    reason) when the data does not cover the quarter before whole. ``columns``: as :func:`tier_migration`'s.
    """
    return migration_of(quarter_tier_moves(transactions, previous, quarter, cutoffs=cutoffs, **columns))


def quarter_tier_moves(
    transactions: pd.DataFrame, previous, quarter, *, cutoffs: tuple[float, float] = (0.8, 0.95), **columns
) -> pd.DataFrame:
    """:func:`tier_moves` from quarter ``previous`` to quarter ``quarter`` (``Quarter`` or ``"2026Q3"``), as :func:`quarter_tier_migration`."""
    p, q = Quarter.parse(previous), Quarter.parse(quarter)
    return tier_moves(transactions, p.start, p.end, q.start, q.end, cutoffs=cutoffs, **columns)


def migration_matrix(moves: pd.DataFrame, values: str = "customers") -> pd.DataFrame:
    """The transition matrix of :func:`tier_migration`: from-tier rows, to-tier columns.

    Parameters
    ----------
    moves : DataFrame
        :func:`tier_migration`.
    values : str
        ``customers``, ``revenue_before``, ``revenue_after`` or ``revenue_change``.

    Returns
    -------
    DataFrame
        Index from_tier (A, B, C, none), columns to_tier (A, B, C, none);
        the none -> none cell is 0. from_tier, to_tier, values -> matrix.

    Raises
    ------
    DataError
        A column is missing.
    """
    require_columns(moves, ["from_tier", "to_tier", values], "moves")
    levels = [*TIERS, NO_TIER]
    m = moves.pivot(index="from_tier", columns="to_tier", values=values).reindex(index=levels, columns=levels)
    return m.fillna(0).astype(moves[values].dtype)


def _move(a: str, b: str) -> str:
    """The kind of movement from tier ``a`` to tier ``b`` (one of :data:`MOVES`)."""
    if a == NO_TIER:
        return "entered"
    if b == NO_TIER:
        return "left"
    return "same" if a == b else ("up" if TIERS.index(b) < TIERS.index(a) else "down")


def _check_periods(periods) -> None:
    """InsufficientDataError when a period of (name, start, end, revenue per customer) has fewer than two customers."""
    for name, lo, hi, s in periods:
        if len(s) < 2:
            raise InsufficientDataError(
                f"{len(s)} customer(s) with orders in the {name} ({pd.Timestamp(lo):%Y-%m-%d} to {pd.Timestamp(hi):%Y-%m-%d}); "
                "revenue tiers need at least 2",
                code="too_few_buyers_to_tier",
                period="previous" if name.startswith("previous") else "current",
                found=len(s),
                start=pd.Timestamp(lo).date(),
                end=pd.Timestamp(hi).date(),
            )
