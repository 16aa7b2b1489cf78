"""Make or buy: the full cost of developing a product in-house against buying it (domain brief, section 4).

Pure computations on the ``makebuy`` parameters: learning curves, the cost of each
option period by period with its hidden and indirect costs, present values and the
break-even volume, Monte Carlo over uncertain demand, one-at-a-time sensitivity, the
qualitative scorecard and the recommendation. Codes and numbers only; the words are
in :mod:`custlib.present.makebuy` and :mod:`custlib.reports.makebuy`.
"""

from custlib.analysis.makebuy.breakeven import OUTCOMES, BreakEven, break_even
from custlib.analysis.makebuy.cases import (
    BUY_LINES,
    DEFAULT_TORNADO_INPUTS,
    FACTOR_DIRECTION,
    FACTORS,
    MAKE_LINES,
    MONEY_INPUTS,
    PERIOD_WORDS,
    RATE_INPUTS,
    RISKS,
    Case,
    Tiers,
    as_case,
    demand_path,
)
from custlib.analysis.makebuy.compare import (
    CASE_KEYS,
    CaseAnalysis,
    MakeBuyAnalysis,
    analyse_case,
    analyse_cases,
    chosen_cases,
    compare_cases,
)
from custlib.analysis.makebuy.costs import cost_table, npv_summary
from custlib.analysis.makebuy.learning import (
    LearningCurve,
    crawford_total_cost,
    crawford_unit_cost,
    wright_cumulative_average,
    wright_total_cost,
    wright_unit_cost,
)
from custlib.analysis.makebuy.schema import SCHEMA_PATH, SECTION, load_schema, set_path, validate_case, validate_params
from custlib.analysis.makebuy.scoring import Recommendation, recommend, scorecard
from custlib.analysis.makebuy.sensitivity import tornado
from custlib.analysis.makebuy.simulation import simulate, simulate_demand, summarise_draws, volatility_table

__all__ = [
    "BUY_LINES",
    "CASE_KEYS",
    "DEFAULT_TORNADO_INPUTS",
    "FACTORS",
    "FACTOR_DIRECTION",
    "MAKE_LINES",
    "MONEY_INPUTS",
    "OUTCOMES",
    "PERIOD_WORDS",
    "RATE_INPUTS",
    "RISKS",
    "SCHEMA_PATH",
    "SECTION",
    "BreakEven",
    "Case",
    "CaseAnalysis",
    "LearningCurve",
    "MakeBuyAnalysis",
    "Recommendation",
    "Tiers",
    "analyse_case",
    "analyse_cases",
    "as_case",
    "break_even",
    "chosen_cases",
    "compare_cases",
    "cost_table",
    "crawford_total_cost",
    "crawford_unit_cost",
    "demand_path",
    "load_schema",
    "npv_summary",
    "recommend",
    "scorecard",
    "set_path",
    "simulate",
    "simulate_demand",
    "summarise_draws",
    "tornado",
    "validate_case",
    "validate_params",
    "volatility_table",
    "wright_cumulative_average",
    "wright_total_cost",
    "wright_unit_cost",
]
