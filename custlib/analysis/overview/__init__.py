"""Region overview analysis (notebook 00_overview_region)."""

from custlib.analysis.overview.kpis import KPI_FIGURES, kpi_table, lapsed_customers, monthly_trend, quarter_kpis, top_customers

__all__ = ["KPI_FIGURES", "kpi_table", "lapsed_customers", "monthly_trend", "quarter_kpis", "top_customers"]
