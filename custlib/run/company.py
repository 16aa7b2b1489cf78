"""The company's figures for the roll-up: the headline measures computed on the whole data.

Each report publishes its headline figures (:meth:`custlib.reports.context.ReportContext.summary`);
the roll-up sets every region's against the company's. A headline that is a region facts measure
(:data:`FIGURE_MEASURES`; :data:`custlib.analysis.facts.MEASURES`) has a company value: the same
definition (:func:`custlib.analysis.facts.region_facts`) over every customer, order line and
service-cost row up to the quarter's end. The other headlines are computed within each region
(its RFM segments, models, campaign plan, make-vs-buy cases): they have no company value, and the
roll-up shows "–" with a note.

The whole data is never held in pandas line by line: DuckDB hands over one row per customer, order,
day and credit-note flag for the three quarters the figures need (the report quarter, the previous one
and the one before it, whose buyers the previous quarter's lost customers are counted from), and one
row per customer standing for their earlier history (the day of their first order, no revenue), so
that who is new and who ordered before keep their meaning. Measures of earlier quarters are not read
from these facts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.analysis.facts import region_facts
from custlib.io.periods import Coverage, Quarter, comparison_gap

#: Headline figures that are region facts measures: (notebook, figure as published) -> measure.
#: ``existing_share_revenue`` is existing revenue / revenue, as the development KPIs define it.
FIGURE_MEASURES: dict[tuple[str, str], str] = {
    ("00_overview_region", "Revenue"): "revenue",
    ("00_overview_region", "Gross margin"): "gross_margin",
    ("00_overview_region", "Net profit"): "net_profit",
    ("00_overview_region", "Gross profit"): "gross_profit",
    ("00_overview_region", "Customers who ordered"): "active_customers",
    ("00_overview_region", "Customers who stopped ordering"): "lost_customers",
    ("01_segment_customers", "Customers who ordered this quarter"): "active_customers",
    ("02_diagnose_pareto", "Customers making 80% of revenue"): "customers_making_share_revenue",
    ("02_diagnose_pareto", "Customers making 80% of net profit"): "customers_making_share_net_profit",
    ("02_diagnose_pareto", "Customers making 80% of gross profit"): "customers_making_share_gross_profit",
    ("02_diagnose_pareto", "Customers making the chosen share of revenue"): "customers_making_share_revenue",
    ("02_diagnose_pareto", "Customers making the chosen share of net profit"): "customers_making_share_net_profit",
    ("02_diagnose_pareto", "Customers making the chosen share of gross profit"): "customers_making_share_gross_profit",
    ("03_forecast_development", "Revenue from existing customers"): "existing_revenue",
    ("03_forecast_development", "Existing customers' share of revenue"): "existing_share_revenue",
    ("03_forecast_development", "New customers"): "new_customers",
}

#: Measures counted against the previous quarter: unknown when the two quarters cannot be compared.
AGAINST_PREVIOUS = ("lost_customers",)


def has_company_figure(notebook: str, figure: str) -> bool:
    """Whether a published headline is a region facts measure, which the company has (possibly unknown, e.g. without costs)."""
    return (notebook, figure) in FIGURE_MEASURES


LINES_SQL = """
SELECT customer_id, order_id, order_date, coalesce(is_credit_note, FALSE) AS is_credit_note,
       sum(revenue) AS revenue, CASE WHEN count(cost) = count(*) THEN sum(cost) END AS cost
FROM transactions
WHERE order_date BETWEEN ? AND ?
GROUP BY ALL
UNION ALL
SELECT customer_id, '' AS order_id, min(order_date) AS order_date, FALSE AS is_credit_note, 0.0 AS revenue, 0.0 AS cost
FROM transactions
WHERE order_date < ? AND NOT coalesce(is_credit_note, FALSE)
GROUP BY customer_id
"""
#: Whether any line before the three quarters lacks its cost of goods (the facts then know no cost at all).
OLD_COST_SQL = "SELECT coalesce(bool_or(cost IS NULL), FALSE) FROM transactions WHERE order_date < ?"

SERVICE_SQL = """
SELECT s.customer_id, date_trunc('quarter', s.month) AS month, sum(s.cost_to_serve) AS cost_to_serve
FROM service_costs s
WHERE s.month BETWEEN ? AND ?
GROUP BY ALL
"""


def _views(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}


def company_facts(con, quarter, cutoffs=(0.8, 0.95), coverage: Coverage | None = None):
    """:class:`~custlib.analysis.facts.RegionFacts` of the whole data, right for ``quarter`` and the quarter before it.

    Columns in: the validated ``customers``, ``transactions`` and (optional) ``service_costs`` views.
    """
    q = Quarter.parse(quarter)
    first = q.shift(-2)
    start, end = first.start.date(), q.end.date()
    lines = con.execute(LINES_SQL, [start, end, start]).df()
    lines["order_date"] = pd.to_datetime(lines["order_date"])
    for col in ("revenue", "cost"):
        lines[col] = lines[col].astype("float64")
    if con.execute(OLD_COST_SQL, [start]).fetchone()[0]:
        lines.loc[lines["order_id"] == "", "cost"] = np.nan
    services = None
    if "service_costs" in _views(con):
        services = con.execute(SERVICE_SQL, [start, end]).df()
        services["month"] = pd.to_datetime(services["month"])
        services["cost_to_serve"] = services["cost_to_serve"].astype("float64")
    (n_customers,) = con.execute("SELECT count(*) FROM customers").fetchone()
    customers = pd.DataFrame(index=range(int(n_customers)))  # region_facts counts the customer base's rows
    return region_facts(lines, customers, services, q, cutoffs, coverage)


def company_figures(con, quarter, cutoffs=(0.8, 0.95), coverage: Coverage | None = None) -> dict:
    """The company's measures for the roll-up, as JSON: ``{"quarter", "value": {measure: v}, "previous": {measure: v}}``.

    Every :data:`~custlib.analysis.facts.MEASURES` entry plus ``existing_share_revenue``; None where a
    measure is undefined. When the quarter cannot be compared with the one before (a quarter before the
    data or a partial one, :func:`custlib.io.periods.comparison_gap`), ``previous`` is empty and the
    measures counted against it (:data:`AGAINST_PREVIOUS`) are None, as the reports leave them out.
    """
    q = Quarter.parse(quarter)
    facts = company_facts(con, q, cutoffs, coverage)

    def as_dict(m: pd.Series) -> dict:
        m = m.copy()
        m["existing_share_revenue"] = m["existing_revenue"] / m["revenue"] if m["revenue"] else np.nan
        return {k: (None if pd.isna(v) else float(v)) for k, v in m.items()}

    value = as_dict(facts.measures(q))
    if comparison_gap(coverage, q, q.previous):  # as the reports: no change, and no customers lost since a quarter not whole
        return {"quarter": str(q), "value": {**value, **dict.fromkeys(AGAINST_PREVIOUS)}, "previous": {}}
    return {"quarter": str(q), "value": value, "previous": as_dict(facts.measures(q.previous))}


def company_headline(company: dict | None, notebook: str, figure: str) -> dict | None:
    """The company's value of one published headline (``value``, ``previous``), or None when it has none."""
    measure = FIGURE_MEASURES.get((notebook, figure))
    if not company or measure is None:
        return None
    value = (company.get("value") or {}).get(measure)
    return {"value": value, "previous": (company.get("previous") or {}).get(measure)} if value is not None else None
