"""How the make-vs-buy codes read: options, cost lines, factors, inputs, period words, product names."""

from __future__ import annotations

from custlib.analysis.makebuy import MONEY_INPUTS, RATE_INPUTS
from custlib.present.messages import N_, Messages
from custlib.present.numbers import Formatter

OPTIONS = {"make": N_("Make"), "buy": N_("Buy")}
OPTIONS_CLOSE = {"make": N_("Make (close call)"), "buy": N_("Buy (close call)")}
#: The option as the subject of a sentence ("making is cheaper").
DOING = {"make": N_("making"), "buy": N_("buying")}
KINDS = {"direct": N_("Direct"), "hidden": N_("Hidden or indirect"), "total": ""}
LINES = {
    "development": N_("Development (one-off)"),
    "labour": N_("Labour (on the learning curve)"),
    "material": N_("Material"),
    "fixed_operating": N_("Fixed operating cost"),
    "depreciation": N_("Depreciation of equipment"),
    "overhead": N_("Overhead"),
    "financing_equipment": N_("Financing of equipment"),
    "financing_working_capital": N_("Financing of working capital"),
    "transition": N_("Transition to the supplier (one-off)"),
    "purchase": N_("Purchase"),
    "supplier_management": N_("Supplier management"),
    "quality": N_("Quality cost of defects"),
    "risk_bankruptcy": N_("Risk of supplier bankruptcy"),
    "risk_ownership_change": N_("Risk of ownership change"),
    "risk_quality_swings": N_("Risk of quality swings"),
    "risk_contract_default": N_("Risk of contract default"),
}
TOTALS = {"make": N_("Total cost of making"), "buy": N_("Total cost of buying")}
FACTORS = {
    "demand": N_("Demand level and stability"),
    "rd_capability": N_("Own R&D and production capability"),
    "outsourcing_management": N_("Capability to manage outsourcing"),
    "outsourced_quality": N_("Quality of the outsourced product"),
    "outsourcing_risk": N_("Outsourcing risk"),
}
INPUTS = {
    "demand.base": N_("Demand in the first period"),
    "demand.growth": N_("Demand growth per period"),
    "demand.volatility": N_("Demand volatility"),
    "demand.period_volatility": N_("Demand volatility per period"),
    "discount_rate": N_("Discount rate"),
    "make.development_cost": N_("Development cost"),
    "make.equipment_capex": N_("Equipment investment"),
    "make.fixed_cost_per_period": N_("Fixed operating cost"),
    "make.labour.first_unit_cost": N_("First-unit labour cost"),
    "make.labour.learning_rate": N_("Learning rate"),
    "make.material_cost_per_unit": N_("Material cost per unit"),
    "make.overhead_rate": N_("Overhead rate"),
    "make.working_capital_share": N_("Working capital share"),
    "make.cost_of_capital": N_("Cost of capital"),
    "buy.unit_price": N_("Supplier price"),
    "buy.management_cost_per_period": N_("Supplier management cost"),
    "buy.defect_rate": N_("Defect rate"),
    "buy.cost_per_defect": N_("Cost per defect"),
    "buy.transition_cost": N_("Transition cost"),
    "buy.risks.bankruptcy.probability": N_("Chance of supplier bankruptcy"),
    "buy.risks.ownership_change.probability": N_("Chance of ownership change"),
    "buy.risks.quality_swings.probability": N_("Chance of quality swings"),
    "buy.risks.contract_default.probability": N_("Chance of contract default"),
}
DISTRIBUTIONS = {"lognormal": N_("lognormal"), "normal": N_("normal"), "triangular": N_("triangular")}
#: "in quarter 3": the period in which something happens.
PERIOD_NTH = {
    "quarter": N_("quarter {n}"),
    "year": N_("year {n}"),
    "half-year": N_("half-year {n}"),
    "month": N_("month {n}"),
    "week": N_("week {n}"),
    "period": N_("period {n}"),
}
#: The x axis of the per-period charts.
PERIOD_AXIS = {
    "quarter": N_("Quarter (0 = one-off costs at the start)"),
    "year": N_("Year (0 = one-off costs at the start)"),
    "half-year": N_("Half-year (0 = one-off costs at the start)"),
    "month": N_("Month (0 = one-off costs at the start)"),
    "week": N_("Week (0 = one-off costs at the start)"),
    "period": N_("Period (0 = one-off costs at the start)"),
}
COST_PER_PERIOD = {
    "quarter": N_("Cost per quarter"),
    "year": N_("Cost per year"),
    "half-year": N_("Cost per half-year"),
    "month": N_("Cost per month"),
    "week": N_("Cost per week"),
    "period": N_("Cost per period"),
}


def span(word: str, n: int, t: Messages, fmt: Formatter) -> str:
    """``16 quarters``, ``3 years``...: a horizon of ``n`` periods of kind ``word``."""
    shown = fmt.integer(n)
    if word == "quarter":
        return t.ngettext("{n} quarter", "{n} quarters", n, n=shown)
    if word == "year":
        return t.ngettext("{n} year", "{n} years", n, n=shown)
    if word == "half-year":
        return t.ngettext("{n} half-year", "{n} half-years", n, n=shown)
    if word == "month":
        return t.ngettext("{n} month", "{n} months", n, n=shown)
    if word == "week":
        return t.ngettext("{n} week", "{n} weeks", n, n=shown)
    return t.ngettext("{n} period", "{n} periods", n, n=shown)


def cumulative_units(volume: float, t: Messages, fmt: Formatter) -> str:
    """``5,943 cumulative units``; ``1 cumulative unit``."""
    n = round(float(volume))
    return t.ngettext("{n} cumulative unit", "{n} cumulative units", n, n=fmt.integer(n))


def input_value(path: str, x: float, fmt: Formatter) -> str:
    """An input's value as a reader expects it: money with its currency, rates as percentages, else a number."""
    if path in MONEY_INPUTS:
        return fmt.money(x)
    if path in RATE_INPUTS:
        pct = 100 * float(x)
        return fmt.percent(x, digits=0 if abs(pct - round(pct)) < 1e-9 else 1)
    return fmt.integer(x) if abs(x) >= 100 else fmt.number(x, digits=3)


def verdict(recommendation: str, close_call: bool, t: Messages) -> str:
    """``Make``, ``Buy (close call)``... in the report's language."""
    return t.label(recommendation, OPTIONS_CLOSE if close_call else OPTIONS)


def product_names(labels, t: Messages) -> dict[str, str]:
    """Case name -> the product's name in the report (its label, translated; the case name added when two clash).

    Parameters
    ----------
    labels : mapping
        Case name -> label as written in the parameters (a data value: a client's
        ``label_zh`` reaches the report through ``ctx.report_terms``).
    """
    shown = {n: t.data(str(label), "case") for n, label in labels.items()}
    values = list(shown.values())
    return {n: s if values.count(s) == 1 else t.gettext("{product} ({case})", product=s, case=n) for n, s in shown.items()}
