"""Make-vs-buy as a reader sees it: tables, charts and the sentences behind each recommendation."""

from custlib.present.makebuy.charts import break_even_chart, costs_per_period_chart, tornado_chart, tornado_panel, volatility_chart
from custlib.present.makebuy.labels import product_names, span, verdict
from custlib.present.makebuy.sentences import break_even_sentence, case_reasons
from custlib.present.makebuy.views import (
    cost_lines_view,
    factors_view,
    glance_view,
    names,
    products_view,
    reasons_view,
    uncertainty_view,
    verdicts_view,
)

__all__ = [
    "break_even_chart",
    "break_even_sentence",
    "case_reasons",
    "cost_lines_view",
    "costs_per_period_chart",
    "factors_view",
    "glance_view",
    "names",
    "product_names",
    "products_view",
    "reasons_view",
    "span",
    "tornado_chart",
    "tornado_panel",
    "uncertainty_view",
    "verdict",
    "verdicts_view",
    "volatility_chart",
]
