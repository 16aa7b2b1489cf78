"""Region overview analysis (notebook 00_overview_region)."""

from custlib.analysis.overview.kpis import lapsed_customers, monthly_trend, quarter_kpis, top_customers

__all__ = ["lapsed_customers", "monthly_trend", "quarter_kpis", "top_customers"]
