"""The make-vs-buy case model: a validated case, its cost lines' codes, its demand plan.

Codes only: how factors, cost lines and inputs read is for :mod:`custlib.present.makebuy`.

Conventions
-----------
Period 0 holds the one-off costs paid at the start (development, transition);
periods 1..horizon hold the running costs. Rates and risk probabilities in the
parameters are annual and are converted with ``periods_per_year``. Costs are
discounted with ``(1 + r) ** (-t / periods_per_year)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from custlib.analysis.makebuy.learning import LearningCurve
from custlib.analysis.makebuy.schema import set_path, validate_case
from custlib.exceptions import ParamsError

#: The five non-cost factors of the scorecard, in report order.
FACTORS = ("demand", "rd_capability", "outsourcing_management", "outsourced_quality", "outsourcing_risk")
#: +1: a high score favours making; -1: a high score favours buying.
FACTOR_DIRECTION = {"demand": 1, "rd_capability": 1, "outsourcing_management": -1, "outsourced_quality": -1, "outsourcing_risk": 1}

RISKS = ("bankruptcy", "ownership_change", "quality_swings", "contract_default")

#: Cost lines of each option, in table order, and whether they are hidden/indirect costs.
MAKE_LINES = (
    ("development", "direct"),
    ("labour", "direct"),
    ("material", "direct"),
    ("fixed_operating", "direct"),
    ("depreciation", "direct"),
    ("overhead", "hidden"),
    ("financing_equipment", "hidden"),
    ("financing_working_capital", "hidden"),
)
BUY_LINES = (
    ("transition", "hidden"),
    ("purchase", "direct"),
    ("supplier_management", "hidden"),
    ("quality", "hidden"),
    *((f"risk_{r}", "hidden") for r in RISKS),
)


#: Inputs of the tornado when a case does not list its own (dotted parameter paths).
DEFAULT_TORNADO_INPUTS = (
    "demand.base",
    "demand.growth",
    "discount_rate",
    "make.development_cost",
    "make.equipment_capex",
    "make.fixed_cost_per_period",
    "make.labour.first_unit_cost",
    "make.labour.learning_rate",
    "make.material_cost_per_unit",
    "make.overhead_rate",
    "make.working_capital_share",
    "make.cost_of_capital",
    "buy.unit_price",
    "buy.management_cost_per_period",
    "buy.defect_rate",
    "buy.cost_per_defect",
    "buy.transition_cost",
    *(f"buy.risks.{r}.probability" for r in RISKS),
)

#: Inputs that are amounts of money or rates (shown with the currency / as percentages in sentences).
MONEY_INPUTS = {
    "make.development_cost",
    "make.equipment_capex",
    "make.fixed_cost_per_period",
    "make.labour.first_unit_cost",
    "make.material_cost_per_unit",
    "buy.unit_price",
    "buy.management_cost_per_period",
    "buy.cost_per_defect",
    "buy.transition_cost",
}
RATE_INPUTS = {
    "demand.growth",
    "demand.volatility",
    "demand.period_volatility",
    "discount_rate",
    "make.labour.learning_rate",
    "make.overhead_rate",
    "make.working_capital_share",
    "make.cost_of_capital",
    "buy.defect_rate",
    *(f"buy.risks.{r}.probability" for r in RISKS),
}


#: The period code of each number of periods a year.
PERIOD_WORDS = {1: "year", 2: "half-year", 4: "quarter", 12: "month", 52: "week"}


@dataclass(frozen=True)
class Tiers:
    """All-units volume discounts: ``discount[i]`` from ``min_units[i]`` units a period."""

    min_units: tuple[float, ...] = ()
    discount: tuple[float, ...] = ()

    @classmethod
    def from_params(cls, tiers: list[dict]) -> Tiers:
        return cls(tuple(float(t["min_units"]) for t in tiers), tuple(float(t["discount"]) for t in tiers))

    def factor(self, units: np.ndarray) -> np.ndarray:
        """Price factor (1 - discount) for each period's units."""
        units = np.asarray(units, dtype=float)
        if not self.min_units:
            return np.ones_like(units)
        idx = np.searchsorted(np.asarray(self.min_units), units, side="right") - 1
        disc = np.concatenate([[0.0], np.asarray(self.discount)])[idx + 1]
        return 1.0 - disc


@dataclass(frozen=True, eq=False)
class Case:
    """A validated make-vs-buy case (build it with :meth:`from_params`).

    ``spec`` keeps the validated parameter mapping, so that :meth:`with_value`
    can change one input and validate again.
    """

    name: str
    spec: dict = field(repr=False)

    @classmethod
    def from_params(cls, name: str, spec: Mapping, *, source: str | None = None) -> Case:
        """Validate ``spec`` (see :func:`validate_case`) and wrap it."""
        return cls(name, validate_case(name, spec, source=source))

    def with_value(self, path: str, value) -> Case:
        """A new, validated case with the input at dotted ``path`` set to ``value``."""
        return Case.from_params(self.name, set_path(self.spec, path, value))

    # convenient typed views ------------------------------------------------
    @property
    def label(self) -> str:
        return self.spec["label"]

    @property
    def unit(self) -> str:
        return self.spec["unit"]

    @property
    def horizon(self) -> int:
        return int(self.spec["horizon"])

    @property
    def periods_per_year(self) -> int:
        return int(self.spec["periods_per_year"])

    @property
    def period_word(self) -> str:
        """``"quarter"``, ``"year"``, ... (a code; ``"period"`` for other counts)."""
        return PERIOD_WORDS.get(self.periods_per_year, "period")

    @property
    def labour(self) -> LearningCurve:
        lab = self.spec["make"]["labour"]
        return LearningCurve(float(lab["first_unit_cost"]), float(lab["learning_rate"]), lab["model"], float(lab["lot_size"]))

    def discount_factors(self) -> np.ndarray:
        """``(1 + r) ** (-t / periods_per_year)`` for t = 0..horizon."""
        t = np.arange(self.horizon + 1, dtype=float)
        return (1.0 + float(self.spec["discount_rate"])) ** (-t / self.periods_per_year)

    def per_period_rate(self, annual: float) -> float:
        """The per-period rate equivalent to an annual rate: ``(1 + r) ** (1 / m) - 1``."""
        return (1.0 + float(annual)) ** (1.0 / self.periods_per_year) - 1.0

    def per_period_probability(self, annual: float) -> float:
        """Chance in one period of an event with annual chance ``p``: ``1 - (1 - p) ** (1 / m)``."""
        return 1.0 - (1.0 - float(annual)) ** (1.0 / self.periods_per_year)


def as_case(case, name: str | None = None) -> Case:
    """A :class:`Case` from a Case or a parameter mapping (validated)."""
    if isinstance(case, Case):
        return case
    if isinstance(case, Mapping):
        return Case.from_params(name or "case", case)
    raise ParamsError(f"case: expected a Case or a mapping of case parameters, got {type(case).__name__}")


def demand_path(case) -> np.ndarray:
    """Planned units per period 1..horizon: ``base * (1 + growth) ** (t - 1)``.

    Parameters
    ----------
    case : Case or mapping

    Returns
    -------
    ndarray of shape (horizon,)
    """
    case = as_case(case)
    d = case.spec["demand"]
    t = np.arange(case.horizon, dtype=float)
    return float(d["base"]) * (1.0 + float(d["growth"])) ** t
