"""A region's facts for a report run: every measure more than one report shows, defined once.

:func:`region_facts` builds a :class:`RegionFacts` from one region's data (the report context
caches one per report); the five notebooks read their customer counts, revenue, profit,
concentration and ABC classes from it, so that a measure has the same value wherever it
appears. :data:`MEASURES` is the list, each with its definition (also in the README, section
Definitions).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.analysis.facts.abc import CLASSES, abc_classes, check_cutoffs
from custlib.analysis.facts.grid import customer_quarters
from custlib.exceptions import InsufficientDataError
from custlib.io.periods import Coverage, Quarter

#: The region's measures of one quarter, with their definitions (see also :func:`customer_quarters`).
MEASURES: dict[str, str] = {
    "customers_in_base": "customers of the region in the customers table, whether they ever ordered or not",
    "customers_ordered_to_date": "customers with at least one order up to the quarter's end",
    "active_customers": "customers with at least one order in the quarter (a credit note is no order)",
    "new_customers": "customers whose first order was in the quarter (none in the data's first quarter: earlier history is unknown)",
    "existing_customers": "customers who ordered in the quarter and had ordered before it (active minus new)",
    "lost_customers": "customers who ordered in the previous quarter and not in this one",
    "orders": "distinct orders in the quarter (credit notes are no orders)",
    "revenue": "revenue of every line dated in the quarter, net of credit notes",
    "gross_profit": "revenue minus the cost of goods of the same lines (missing when the cost is)",
    "gross_margin": "gross profit / revenue",
    "cost_to_serve": "cost-to-serve rows of the quarter's months, of every customer (missing when the quarter has none)",
    "net_profit": "gross profit minus cost to serve",
    "revenue_per_customer": "revenue / active customers",
    "new_revenue": "revenue of the new customers",
    "existing_revenue": "revenue minus the new customers' revenue (every customer who is not new)",
    "new_profit": "net profit of the new customers (gross profit without cost-to-serve data)",
    "existing_profit": "net profit minus the new customers' (gross profit without cost-to-serve data)",
    "served_without_orders": "customers with a cost to serve in the quarter and no order",
    "cost_to_serve_without_orders": "cost to serve of the customers served without an order",
    "customers_making_share_revenue": "share of the active customers in ABC class A by revenue: the fewest, from the top, reaching the first ABC cut-off of the sum of the positive revenues",
    "customers_making_share_gross_profit": "the same on gross profit",
    "customers_making_share_net_profit": "the same on net profit (gross profit without cost-to-serve data)",
    "gini_revenue": "Gini coefficient of the active customers' revenue",
    "gini_gross_profit": "Gini coefficient of the active customers' gross profit",
    "gini_net_profit": "Gini coefficient of the active customers' net profit (can exceed 1 with losses)",
    "class_a_customers": "active customers in ABC class A by revenue",
    "class_b_customers": "active customers in ABC class B by revenue",
    "class_c_customers": "active customers in ABC class C by revenue",
}

#: Measures that are counts of customers or orders (whole numbers).
COUNTS = frozenset(
    {
        "customers_in_base",
        "customers_ordered_to_date",
        "active_customers",
        "new_customers",
        "existing_customers",
        "lost_customers",
        "orders",
        "served_without_orders",
        "class_a_customers",
        "class_b_customers",
        "class_c_customers",
    }
)
#: The measures of new customers: unknown (NaN) in the data's first quarter, whose buyers may have bought before it.
NEW_MEASURES = ("new_customers", "new_revenue", "new_profit")
#: The measures the ABC and concentration figures are computed on.
CONCENTRATION_MEASURES = ("revenue", "gross_profit", "net_profit")


def _quarter(q) -> Quarter:
    return q if isinstance(q, Quarter) else Quarter.parse(str(q))


class RegionFacts:
    """One region's facts up to a report quarter: per-customer tables and region measures of any quarter.

    Built by :func:`region_facts`; the results of each quarter are computed once and kept.

    Attributes
    ----------
    quarter : Quarter
        The report quarter (the last one with data).
    grid : DataFrame
        :func:`~custlib.analysis.facts.customer_quarters` up to the quarter's end.
    customers_in_base : int
        Customers of the region in the customers table.
    cutoffs : (float, float)
        ``abc.cutoffs``: the ABC classes, and "customers making 80%" (the first cut-off).
    coverage : Coverage or None
        The whole data's span; None when unknown (then every quarter counts as covered).
    """

    def __init__(self, grid: pd.DataFrame, quarter, customers_in_base: int, cutoffs=(0.8, 0.95), coverage: Coverage | None = None):
        self.grid = grid
        self.coverage = coverage
        self.quarter = _quarter(quarter)
        self.customers_in_base = int(customers_in_base)
        self.cutoffs = check_cutoffs(cutoffs)
        self._by_quarter = {str(k): v for k, v in grid.groupby(grid["quarter"].astype("str"), sort=False).groups.items()}
        self._cache: dict = {}

    # ------------------------------------------------------------------ per customer
    def customers(self, quarter=None) -> pd.DataFrame:
        """The customers with a line or a cost to serve in ``quarter`` (default: the report quarter).

        Indexed by customer id (sorted): revenue, cost, gross_profit, cost_to_serve, [components],
        net_profit, orders, is_buyer (ordered in the quarter), returns_only, new. ``attrs``:
        ``cost_known`` and ``cost_to_serve_known`` (the quarter has cost-to-serve rows).
        """
        q = str(_quarter(quarter or self.quarter))
        key = ("customers", q)
        if key not in self._cache:
            rows = self.grid.loc[self._by_quarter.get(q, [])]
            out = rows.drop(columns=["quarter", "first_order"]).set_index("customer_id").sort_index(kind="stable")
            out.attrs = {"cost_known": bool(self.grid.attrs.get("cost_known", True))}
            out.attrs["cost_to_serve_known"] = q in self.grid.attrs.get("service_quarters", ())
            self._cache[key] = out
        out = self._cache[key].copy(deep=False)
        out.attrs = dict(self._cache[key].attrs)
        return out

    def buyers(self, quarter=None) -> pd.DataFrame:
        """:meth:`customers` who ordered in the quarter (the customers every concentration figure counts)."""
        c = self.customers(quarter)
        out = c.loc[c["is_buyer"]]
        out.attrs = dict(c.attrs)
        return out

    def abc(self, quarter=None, measure: str = "revenue") -> pd.Series:
        """ABC class (A, B, C) of each customer who ordered in ``quarter``, on that quarter's ``measure``.

        Raises
        ------
        InsufficientDataError
            No buyer has a positive value (``code="no_positive_value"``), or the measure is unknown
            (``code="needs_cost"`` for a profit without the cost of goods).
        """
        values = self.buyers(quarter)[measure]
        if values.isna().any():
            raise InsufficientDataError(f"ABC classes on {measure}: the measure is not known for every customer", code="needs_cost")
        return abc_classes(values.rename(measure), self.cutoffs)

    def abc_table(self, quarter=None, measures=CONCENTRATION_MEASURES) -> pd.DataFrame:
        """ABC class of every customer who ordered in ``quarter`` on each measure: ``abc_<measure>`` columns.

        A measure that is unknown (a profit without the cost of goods, net profit without cost-to-serve
        data) or without a positive value is left out.

        Raises
        ------
        InsufficientDataError
            Fewer than two customers ordered (``code="too_few_buyers"``), or no measure could be classified.
        """
        buyers = self.buyers(quarter)
        if len(buyers) < 2:
            raise InsufficientDataError(
                f"ABC classes need at least 2 customers who ordered in the quarter; there are {len(buyers)}",
                code="too_few_buyers",
                needed=2,
                found=len(buyers),
            )
        out = {}
        for m in measures:
            if m not in buyers.columns or buyers[m].isna().any():
                continue
            try:
                out[f"abc_{m}"] = abc_classes(buyers[m].rename(m), self.cutoffs)
            except InsufficientDataError:
                continue
        if not out:
            raise InsufficientDataError("ABC classes: no measure has a positive value", code="no_positive_value", measure=str(measures[0]))
        return pd.DataFrame(out, index=buyers.index)

    def last_order_before(self, quarter=None) -> pd.Timestamp | None:
        """The day of the region's last order before ``quarter`` (default: the report quarter), or None."""
        q = str(_quarter(quarter or self.quarter))
        days = [d for k, d in self.grid.attrs.get("last_order", {}).items() if k < q]
        return max(days) if days else None

    # ------------------------------------------------------------------ region measures
    def measures(self, quarter=None) -> pd.Series:
        """The region's :data:`MEASURES` for ``quarter`` (default: the report quarter); NaN where undefined."""
        q = _quarter(quarter or self.quarter)
        key = ("measures", str(q))
        if key not in self._cache:
            m = self._measures(q)
            if self.coverage is not None and not self.coverage.has_data(q):
                m = m * np.nan  # a quarter the data does not cover: unknown, not zero
            elif self.coverage is not None and q == self.coverage.first_quarter:
                m[list(NEW_MEASURES)] = np.nan  # who is new in the data's first quarter is unknown
            self._cache[key] = m
        return self._cache[key].copy()

    def table(self, quarters) -> pd.DataFrame:
        """:meth:`measures` of several quarters side by side: index measure, one column per quarter (str)."""
        return pd.DataFrame({str(_quarter(q)): self.measures(q) for q in quarters})

    def series(self, measure: str, quarters) -> pd.Series:
        """One measure over ``quarters``, indexed by quarter (str)."""
        return pd.Series({str(_quarter(q)): self.measures(q)[measure] for q in quarters}, name=measure, dtype="float64")

    def _measures(self, q: Quarter) -> pd.Series:
        c = self.customers(q)
        buyers = c.loc[c["is_buyer"]]
        cost_known = bool(c.attrs["cost_known"])
        cts_known = bool(c.attrs["cost_to_serve_known"])
        revenue = float(c["revenue"].sum())
        gross = float(c["gross_profit"].sum(skipna=False)) if cost_known else np.nan
        cts = float(c["cost_to_serve"].sum()) if cts_known else np.nan
        net = gross - cts
        new = c["new"].to_numpy(dtype=bool)
        profit = c["net_profit"] if cts_known else c["gross_profit"]  # the development KPIs' profit
        before = self.customers(q.previous)
        served = (~c["is_buyer"]) & (c["cost_to_serve"].fillna(0) > 0) if cts_known else pd.Series(False, index=c.index)
        to_date = self.grid.loc[self.grid["quarter"] <= pd.Period(str(q), freq="Q"), ["customer_id", "is_buyer"]]
        m = {
            "customers_in_base": float(self.customers_in_base),
            "customers_ordered_to_date": float(to_date.loc[to_date["is_buyer"], "customer_id"].nunique()),
            "active_customers": float(len(buyers)),
            "new_customers": float(new.sum()),
            "existing_customers": float(len(buyers) - new.sum()),
            "lost_customers": float(len(before.index[before["is_buyer"]].difference(buyers.index))),
            "orders": float(c["orders"].sum()),
            "revenue": revenue,
            "gross_profit": gross,
            "gross_margin": gross / revenue if revenue else np.nan,
            "cost_to_serve": cts,
            "net_profit": net,
            "revenue_per_customer": revenue / len(buyers) if len(buyers) else np.nan,
            "new_revenue": float(c.loc[new, "revenue"].sum()),
            "existing_revenue": float(c.loc[~new, "revenue"].sum()),
            "new_profit": float(profit[new].sum(skipna=False)) if cost_known else np.nan,
            "existing_profit": float(profit[~new].sum(skipna=False)) if cost_known else np.nan,
            "served_without_orders": float(served.sum()),
            "cost_to_serve_without_orders": float(c.loc[served, "cost_to_serve"].sum()) if cts_known else np.nan,
        }
        m.update(self._concentration(buyers, cts_known))
        return pd.Series(m, dtype="float64", name=str(q))

    def _concentration(self, buyers: pd.DataFrame, cts_known: bool) -> dict:
        """Customers making the first cut-off, Gini and ABC counts over the quarter's buyers (NaN where undefined)."""
        from custlib.analysis.pareto.concentration import gini, share_of_customers_for
        from custlib.exceptions import DataError

        out = {}
        for m in CONCENTRATION_MEASURES:
            values = buyers[m] if (m != "net_profit" or cts_known) else buyers["gross_profit"]
            share = g = np.nan
            if len(values) >= 2 and not values.isna().any():
                try:
                    share, g = share_of_customers_for(values, self.cutoffs[0]), gini(values)
                except (InsufficientDataError, DataError):
                    pass
            out[f"customers_making_share_{m}"], out[f"gini_{m}"] = share, g
        try:
            classes = abc_classes(buyers["revenue"], self.cutoffs) if len(buyers) else pd.Series([], dtype="str")
        except InsufficientDataError:
            classes = pd.Series([], dtype="str")
        for cls in CLASSES:
            out[f"class_{cls.lower()}_customers"] = float((classes == cls).sum()) if len(classes) else np.nan
        return out


def region_facts(
    transactions: pd.DataFrame, customers: pd.DataFrame, service_costs, quarter, cutoffs=(0.8, 0.95), coverage: Coverage | None = None
) -> RegionFacts:
    """The facts of one region up to the end of ``quarter``.

    Parameters
    ----------
    transactions : DataFrame
        The region's order lines (customer_id, order_date, order_id, revenue, cost[, is_credit_note]).
    customers : DataFrame
        The region's customers (one row each): the customer base.
    service_costs : DataFrame or None
        Cost to serve per customer and month.
    quarter : Quarter or str
        The report quarter; lines and service months after its end are left out.
    cutoffs : (float, float)
        ``abc.cutoffs``.
    coverage : Coverage, optional
        The whole data's span (:class:`~custlib.io.periods.Coverage`): customers are new only after its first
        quarter, and a quarter it does not cover has unknown (NaN) measures, never zeros.

    Returns
    -------
    RegionFacts
        transactions + customers + service_costs -> per-customer tables and :data:`MEASURES` of any quarter.

    Raises
    ------
    DataError
        A column is missing or dates do not parse.
    ParamsError
        Bad cut-offs.
    """
    q = _quarter(quarter)
    start = coverage.first_quarter if coverage is not None else None
    grid = customer_quarters(transactions, service_costs, through=q.end, data_start=start)
    return RegionFacts(grid, q, len(customers), cutoffs, coverage)
