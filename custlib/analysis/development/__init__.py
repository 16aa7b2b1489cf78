"""Customer development forecasting, the computations (DOMAIN.md section 3): codes and numbers, no words.

Selling more to existing customers: the campaign forecast per target group and the
best targets within a budget (:mod:`.campaign`), who responds to offers
(:mod:`.features`, :mod:`.response`), products bought together (:mod:`.pairs`),
the region's revenue forecast (:mod:`.forecast`), the watch list of slipping
customers (:mod:`.early_warning`), development KPIs (:mod:`.kpis`) and win-back
candidates (:mod:`.winback`). Customer lifetime value is :mod:`custlib.analysis.clv`.
"""

from custlib.analysis.development.campaign import (
    CAMPAIGN_COLUMNS,
    best_targets_within_budget,
    beta_binomial_interval,
    campaign_forecast,
    campaign_plan,
    mean_interval,
)
from custlib.analysis.development.early_warning import WATCH_COLUMNS, early_warning, fit_windows, watch_list
from custlib.analysis.development.features import (
    CATEGORICAL_FEATURES,
    FEATURE_WINDOW_MONTHS,
    NUMERIC_FEATURES,
    customer_features,
    offer_features,
    product_category,
)
from custlib.analysis.development.forecast import (
    RevenueForecast,
    backtest_series,
    fit_forecast,
    forecast_revenue,
    forecast_series,
    mase,
    monthly_revenue,
    quarter_totals,
    seasonal_naive,
)
from custlib.analysis.development.inputs import costs_up_to, orders_up_to
from custlib.analysis.development.kpis import KPI_COLUMNS, development_kpis
from custlib.analysis.development.pairs import co_purchase, next_best_product, one_direction
from custlib.analysis.development.response import (
    ResponseModel,
    calibration_table,
    fit_response_model,
    gains_table,
    response_rates,
    score_customers,
)
from custlib.analysis.development.targets import TARGET_COLUMNS, campaign_targets
from custlib.analysis.development.winback import winback_candidates

__all__ = [
    "CAMPAIGN_COLUMNS",
    "CATEGORICAL_FEATURES",
    "FEATURE_WINDOW_MONTHS",
    "KPI_COLUMNS",
    "NUMERIC_FEATURES",
    "WATCH_COLUMNS",
    "ResponseModel",
    "RevenueForecast",
    "TARGET_COLUMNS",
    "backtest_series",
    "best_targets_within_budget",
    "beta_binomial_interval",
    "calibration_table",
    "campaign_targets",
    "campaign_forecast",
    "campaign_plan",
    "co_purchase",
    "customer_features",
    "development_kpis",
    "early_warning",
    "costs_up_to",
    "fit_response_model",
    "fit_windows",
    "orders_up_to",
    "score_customers",
    "watch_list",
    "fit_forecast",
    "forecast_revenue",
    "forecast_series",
    "gains_table",
    "mase",
    "mean_interval",
    "monthly_revenue",
    "quarter_totals",
    "next_best_product",
    "offer_features",
    "one_direction",
    "product_category",
    "response_rates",
    "seasonal_naive",
    "winback_candidates",
]
