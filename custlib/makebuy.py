"""Make or buy: the full cost of developing a product in-house against buying it.

When customer development needs a product the company does not sell yet, it
can make it or buy it (the domain brief, section 4, "Make-vs-buy"). This module compares the
two options for each *case* described in the ``makebuy`` parameters:

* learning curves (:func:`wright_cumulative_average`, :func:`wright_total_cost`,
  :func:`wright_unit_cost`, :func:`crawford_unit_cost`, :func:`crawford_total_cost`);
* a period-by-period cost table of each option with the hidden and indirect
  costs as their own lines (:func:`cost_table`), its present value, cost per
  unit and winner (:func:`npv_summary`) and the break-even cumulative volume
  (:func:`break_even`);
* Monte Carlo over demand (:func:`simulate`, :func:`volatility_table`);
* a tornado of the NPV difference (:func:`tornado`, :func:`plot_tornado`);
* the qualitative scorecard and a recommendation with its reasons
  (:func:`scorecard`, :func:`recommend`);
* :func:`analyse_cases` runs all of it for every case of a parameter section;
  its :class:`MakeBuyAnalysis` also gives the report's tables with readable
  headers (``products``, ``glance``, ``cost_lines``, ``uncertainty``,
  ``factors``, ``verdicts``, ``reasons``, formatted with
  :meth:`MakeBuyAnalysis.formats`) and the long frames its charts draw
  (:func:`plot_costs_per_period`, :func:`plot_break_even`,
  :func:`plot_volatility`, :func:`plot_tornados`);
* :func:`headline_figures` gives the executive summary's figures and actions.

Reports in Chinese: the module registers its column names, labels, chart
text and sentences with :mod:`custlib.present.i18n` at import (see the catalogue at
the end; sentences with numbers and names are regular expressions whose
replacement may be a function, so that a product name or a lower-cased
label inside a sentence is translated too). Charts take ``lang`` because
tick labels are drawn from their formatter and cannot be translated after
drawing. The sample cases' labels, units and descriptions have Chinese
display texts in :data:`CASE_TEXT_ZH`; other cases keep their own wording.

Conventions
-----------
Period 0 holds the one-off costs paid at the start (development, transition);
periods 1..horizon hold the running costs. Rates and risk probabilities in the
parameters are annual and are converted with ``periods_per_year``. Costs are
discounted with ``(1 + r) ** (-t / periods_per_year)``. The NPV difference is
``make_saving = PV(buy cost) - PV(make cost)``: positive means making is cheaper.

The make option is costed in the full-cost (economic cost) view: the equipment
enters as straight-line depreciation plus a financing charge (cost of capital on
its opening book value), not as a cash outlay. When the cost of capital equals
the discount rate the present value of depreciation plus financing equals the
investment less the present value of the book value left at the end
(Preinreich 1938; Lücke 1955), so the NPV matches a cash-flow NPV in which the
equipment keeps its book value; set ``depreciation_periods <= horizon`` to
charge the whole investment within the horizon.
"""

from __future__ import annotations

import copy
import json
import math
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special

from custlib.exceptions import DataError, ParamsError
from custlib.present import i18n

SECTION = "makebuy"
SCHEMA_PATH = Path(__file__).parent / "io" / "schemas" / "makebuy.json"

#: The five non-cost factors of the scorecard, in report order.
FACTORS = ("demand", "rd_capability", "outsourcing_management", "outsourced_quality", "outsourcing_risk")
FACTOR_LABELS = {
    "demand": "Demand level and stability",
    "rd_capability": "Own R&D and production capability",
    "outsourcing_management": "Capability to manage outsourcing",
    "outsourced_quality": "Quality of the outsourced product",
    "outsourcing_risk": "Outsourcing risk",
}
#: +1: a high score favours making; -1: a high score favours buying.
FACTOR_DIRECTION = {"demand": 1, "rd_capability": 1, "outsourcing_management": -1, "outsourced_quality": -1, "outsourcing_risk": 1}

RISKS = ("bankruptcy", "ownership_change", "quality_swings", "contract_default")
RISK_LABELS = {
    "bankruptcy": "supplier bankruptcy",
    "ownership_change": "ownership change",
    "quality_swings": "quality swings",
    "contract_default": "contract default",
}

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

#: How options, cost lines and their kinds read in reports.
OPTION_LABELS = {"make": "Make", "buy": "Buy"}
OPTION_VERBS = {"make": "making", "buy": "buying"}
LINE_LABELS = {
    "development": "Development (one-off)",
    "labour": "Labour (on the learning curve)",
    "material": "Material",
    "fixed_operating": "Fixed operating cost",
    "depreciation": "Depreciation of equipment",
    "overhead": "Overhead",
    "financing_equipment": "Financing of equipment",
    "financing_working_capital": "Financing of working capital",
    "transition": "Transition to the supplier (one-off)",
    "purchase": "Purchase",
    "supplier_management": "Supplier management",
    "quality": "Quality cost of defects",
    **{f"risk_{r}": f"Risk of {RISK_LABELS[r]}" for r in RISKS},
}
KIND_LABELS = {"direct": "Direct", "hidden": "Hidden or indirect", "total": ""}

#: Columns of the report tables (see the MakeBuyAnalysis properties).
PRODUCT_COLUMNS = ("Product", "What it is", "Unit", "Planned units", "Horizon")
GLANCE_COLUMNS = (
    "Product",
    "Recommendation",
    "Cheaper at planned demand",
    "Cost per unit: make",
    "Cost per unit: buy",
    "Saving from making",
    "Chance making is cheaper",
)
UNCERTAINTY_COLUMNS = (
    "Product",
    "Demand volatility",
    "Saving at planned demand",
    "Saving: 5th percentile",
    "Saving: median",
    "Saving: 95th percentile",
    "Chance making is cheaper",
)
VERDICT_COLUMNS = ("Product", "Recommendation", "Cost score", "Qualitative score", "Combined score")

TORNADO_LOW = "Input at its low value"
TORNADO_HIGH = "Input at its high value"


def _tornado_xlabel(currency: str = "") -> str:
    unit = f" ({currency})" if currency else ""
    return f"Saving from making, PV{unit}"


#: Inputs of the tornado when a case does not list its own, with report labels.
INPUT_LABELS = {
    "demand.base": "Demand in the first period",
    "demand.growth": "Demand growth per period",
    "discount_rate": "Discount rate",
    "make.development_cost": "Development cost",
    "make.equipment_capex": "Equipment investment",
    "make.fixed_cost_per_period": "Fixed operating cost",
    "make.labour.first_unit_cost": "First-unit labour cost",
    "make.labour.learning_rate": "Learning rate",
    "make.material_cost_per_unit": "Material cost per unit",
    "make.overhead_rate": "Overhead rate",
    "make.working_capital_share": "Working capital share",
    "make.cost_of_capital": "Cost of capital",
    "buy.unit_price": "Supplier price",
    "buy.management_cost_per_period": "Supplier management cost",
    "buy.defect_rate": "Defect rate",
    "buy.cost_per_defect": "Cost per defect",
    "buy.transition_cost": "Transition cost",
    **{f"buy.risks.{r}.probability": f"Chance of {RISK_LABELS[r]}" for r in RISKS},
}
DEFAULT_TORNADO_INPUTS = tuple(INPUT_LABELS)

_PERIOD_WORDS = {1: "year", 2: "half-year", 4: "quarter", 12: "month", 52: "week"}
_CRAWFORD_TABLE = 1024  # exact sums up to this many units; Euler-Maclaurin beyond


# --------------------------------------------------------------------------- learning curves


def _learning_exponent(learning_rate) -> float:
    try:
        r = float(learning_rate)
    except (TypeError, ValueError) as err:
        raise ParamsError(f"learning_rate: expected a number in (0, 1], got {learning_rate!r}") from err
    if not (0.0 < r <= 1.0):
        raise ParamsError(f"learning_rate: expected a number in (0, 1] (e.g. 0.8 for an 80% curve), got {learning_rate!r}")
    return math.log2(r)


def _first_cost(first_unit_cost) -> float:
    try:
        a = float(first_unit_cost)
    except (TypeError, ValueError) as err:
        raise ParamsError(f"first_unit_cost: expected a number >= 0, got {first_unit_cost!r}") from err
    if not (a >= 0.0 and math.isfinite(a)):
        raise ParamsError(f"first_unit_cost: expected a finite number >= 0, got {first_unit_cost!r}")
    return a


def _units(values, name: str, *, whole: bool) -> np.ndarray:
    try:
        x = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise DataError(f"{name}: expected numbers >= 1, got {values!r}") from err
    flat = x.reshape(-1)
    bad = ~np.isfinite(flat) | (flat < 1)
    if whole:
        bad |= np.isfinite(flat) & (flat != np.floor(flat))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        kind = "whole numbers >= 1" if whole else "numbers >= 1"
        where = f" at position {i}" if x.ndim else ""
        raise DataError(f"{name}: expected {kind}, got {float(flat[i]):g}{where}")
    return x


def _like(template, values: np.ndarray):
    """Return ``values`` shaped like ``template``: float for a scalar, Series for a Series."""
    if isinstance(template, pd.Series):
        return pd.Series(values, index=template.index, name=template.name)
    if np.ndim(template) == 0:
        return float(values)
    return values


def _wright_total(b: float, x: np.ndarray) -> np.ndarray:
    """Total cost in first-unit costs of ``x`` cumulative units, ``x ** (b + 1)``; 0 for x = 0."""
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, np.power(np.maximum(x, 1e-300), b + 1.0), 0.0)


def _euler_maclaurin_tail(b: float, m: float, k: np.ndarray) -> np.ndarray:
    """``sum(n ** b for n in m+1..k)`` by the Euler-Maclaurin formula.

    Abramowitz & Stegun (1964), eq. 23.1.30, with the Bernoulli terms up to
    B6; for m >= 1024 the remainder is below 1e-20 relative.
    """
    k = np.asarray(k, dtype=float)
    if abs(b + 1.0) < 1e-12:
        integral = np.log(k / m)
    else:
        integral = m ** (b + 1.0) * np.expm1((b + 1.0) * np.log(k / m)) / (b + 1.0)

    def d(order: int, x):
        coef = 1.0
        for j in range(order):
            coef *= b - j
        return coef * np.power(x, b - order)

    return (
        integral + (np.power(k, b) - m**b) / 2.0 + (d(1, k) - d(1, m)) / 12.0 - (d(3, k) - d(3, m)) / 720.0 + (d(5, k) - d(5, m)) / 30240.0
    )


@cache
def _crawford_table(b: float) -> np.ndarray:
    n = np.arange(1, _CRAWFORD_TABLE + 1, dtype=float)
    table = np.concatenate([[0.0], np.cumsum(n**b)])
    table.flags.writeable = False
    return table


def _crawford_total(b: float, x: np.ndarray) -> np.ndarray:
    """``sum(n ** b for n in 1..floor(x))`` plus the fraction of unit ``floor(x) + 1``; 0 for x = 0."""
    x = np.asarray(x, dtype=float)
    k = np.floor(x)
    frac = x - k
    table = _crawford_table(b)
    small = k <= _CRAWFORD_TABLE
    whole = np.empty_like(k)
    whole[small] = table[k[small].astype(np.int64)]
    if (~small).any():
        whole[~small] = table[-1] + _euler_maclaurin_tail(b, float(_CRAWFORD_TABLE), k[~small])
    return whole + frac * np.power(k + 1.0, b)


def wright_cumulative_average(first_unit_cost, learning_rate, units):
    """Cumulative average cost per unit after ``units`` units (Wright's model).

    ``Y(X) = a * X ** b`` with ``b = log2(learning_rate)``: each doubling of
    cumulative output cuts the cumulative average cost to ``learning_rate``
    of what it was (Wright 1936, "Factors affecting the cost of airplanes",
    J. Aeronautical Sciences 3(4); Horngren, Datar & Rajan, *Cost Accounting*,
    14th ed., ch. 10, cumulative average-time learning model).

    Parameters
    ----------
    first_unit_cost : float
        Cost (or hours) of the first unit, ``a``; >= 0.
    learning_rate : float
        In (0, 1]; 0.8 is an 80% curve, 1 means no learning.
    units : float or array-like
        Cumulative units, >= 1 (fractions allowed).

    Returns
    -------
    float, ndarray or Series
        Shaped like ``units``. values in -> values out.

    Raises
    ------
    ParamsError
        ``learning_rate`` outside (0, 1] or ``first_unit_cost`` negative.
    DataError
        ``units`` below 1 or not finite.
    """
    a = _first_cost(first_unit_cost)
    b = _learning_exponent(learning_rate)
    x = _units(units, "units", whole=False)
    return _like(units, a * np.power(x, b))


def wright_total_cost(first_unit_cost, learning_rate, units):
    """Total cost of the first ``units`` units under Wright's model: ``a * X ** (b + 1)``.

    The cumulative average (:func:`wright_cumulative_average`) times the
    units (Horngren, Datar & Rajan, 14th ed., ch. 10, Exhibit 10-10:
    cumulative total time column).

    Parameters
    ----------
    first_unit_cost : float
        Cost of the first unit, >= 0.
    learning_rate : float
        In (0, 1].
    units : float or array-like
        Cumulative units, >= 1.

    Returns
    -------
    float, ndarray or Series
        Shaped like ``units``. values in -> values out.

    Raises
    ------
    ParamsError, DataError
        As :func:`wright_cumulative_average`.
    """
    a = _first_cost(first_unit_cost)
    b = _learning_exponent(learning_rate)
    x = _units(units, "units", whole=False)
    return _like(units, a * _wright_total(b, x))


def wright_unit_cost(first_unit_cost, learning_rate, n):
    """Marginal cost of the ``n``-th unit under Wright's cumulative-average model.

    ``T(n) - T(n - 1)`` with ``T(X) = a * X ** (b + 1)``: the managerial
    accounting convention for the individual unit under the cumulative
    average-time model (Horngren, Datar & Rajan, 14th ed., ch. 10,
    Exhibit 10-10: "individual unit time for Xth unit" column).

    Parameters
    ----------
    first_unit_cost : float
        Cost of the first unit, >= 0.
    learning_rate : float
        In (0, 1].
    n : int or array-like of int
        Unit numbers, whole numbers >= 1.

    Returns
    -------
    float, ndarray or Series
        Shaped like ``n``. values in -> values out.

    Raises
    ------
    ParamsError
        ``learning_rate`` outside (0, 1] or ``first_unit_cost`` negative.
    DataError
        ``n`` not a whole number >= 1.
    """
    a = _first_cost(first_unit_cost)
    b = _learning_exponent(learning_rate)
    x = _units(n, "n", whole=True)
    return _like(n, a * (_wright_total(b, x) - _wright_total(b, x - 1.0)))


def crawford_unit_cost(first_unit_cost, learning_rate, n):
    """Cost of the ``n``-th unit under Crawford's unit model: ``a * n ** b``.

    Each doubling of cumulative output cuts the cost of the *last* unit to
    ``learning_rate`` of what it was (Crawford 1944, Lockheed; Horngren,
    Datar & Rajan, 14th ed., ch. 10, Exhibit 10-11: incremental unit-time
    learning model).

    Parameters
    ----------
    first_unit_cost : float
        Cost of the first unit, >= 0.
    learning_rate : float
        In (0, 1].
    n : int or array-like of int
        Unit numbers, whole numbers >= 1.

    Returns
    -------
    float, ndarray or Series
        Shaped like ``n``. values in -> values out.

    Raises
    ------
    ParamsError, DataError
        As :func:`wright_unit_cost`.
    """
    a = _first_cost(first_unit_cost)
    b = _learning_exponent(learning_rate)
    x = _units(n, "n", whole=True)
    return _like(n, a * np.power(x, b))


def crawford_total_cost(first_unit_cost, learning_rate, units):
    """Total cost of the first ``units`` units under Crawford's unit model.

    ``a * sum(k ** b for k in 1..N)`` (Horngren, Datar & Rajan, 14th ed.,
    ch. 10, Exhibit 10-11: cumulative total time column). Sums are exact up to
    1,024 units and use the Euler-Maclaurin formula beyond (Abramowitz &
    Stegun 23.1.30; relative error < 1e-12). A fractional ``N`` adds that
    fraction of unit ``floor(N) + 1``.

    Parameters
    ----------
    first_unit_cost : float
        Cost of the first unit, >= 0.
    learning_rate : float
        In (0, 1].
    units : float or array-like
        Cumulative units, >= 1.

    Returns
    -------
    float, ndarray or Series
        Shaped like ``units``. values in -> values out.

    Raises
    ------
    ParamsError, DataError
        As :func:`wright_cumulative_average`.
    """
    a = _first_cost(first_unit_cost)
    b = _learning_exponent(learning_rate)
    x = _units(units, "units", whole=False)
    return _like(units, a * _crawford_total(b, x))


# --------------------------------------------------------------------------- parameters


@cache
def _schema_text() -> str:
    return SCHEMA_PATH.read_text(encoding="utf-8")


def load_schema() -> dict:
    """The JSON Schema of the ``makebuy`` section (a fresh copy)."""
    return json.loads(_schema_text())


def _resolve(sub: dict, defs: dict) -> dict:
    while isinstance(sub, dict) and "$ref" in sub:
        name = sub["$ref"].rsplit("/", 1)[-1]
        sub = {**defs[name], **{k: v for k, v in sub.items() if k != "$ref"}}
    return sub


_TYPE_WORDS = {
    "number": "a number",
    "integer": "an integer",
    "string": "a text",
    "object": "a mapping",
    "array": "a list",
    "boolean": "true or false",
    "null": "null",
}


def _expected(sub: dict, defs: dict) -> str:
    """Plain words for what a schema accepts: ``'a number > 0 and <= 1'``."""
    sub = _resolve(sub, defs)
    if "enum" in sub:
        return "one of " + ", ".join(repr(v) for v in sub["enum"])
    types = sub.get("type", [])
    types = [types] if isinstance(types, str) else list(types)
    words = " or ".join(_TYPE_WORDS.get(t, t) for t in types if t != "null") or "a value"
    bounds = []
    for key, op in (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="), ("exclusiveMaximum", "<")):
        if key in sub:
            bounds.append(f"{op} {sub[key]:g}")
    if bounds:
        words += " " + " and ".join(bounds)
    if "null" in types:
        words = f"null or {words}"
    if sub.get("minLength"):
        words = "a non-empty text"
    if "minItems" in sub and sub.get("minItems") == sub.get("maxItems"):
        words += f" of {sub['minItems']} items"
    elif sub.get("minItems"):
        words += f" with at least {sub['minItems']} item(s)"
    if sub.get("minProperties"):
        words += f" with at least {sub['minProperties']} entry"
    return words


def _got(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _dotted(prefix: str, path) -> str:
    out = prefix
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def _schema_messages(instance, schema: dict, defs: dict, prefix: str) -> list[str]:
    """Every schema violation as ``'<path>: expected ..., got ...'``."""
    from custlib._lightimport import jsonschema as _jsonschema

    jsonschema = _jsonschema()

    validator = jsonschema.Draft202012Validator(schema)
    messages = []
    for err in sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path]):
        where = _dotted(prefix, err.absolute_path)
        sub = _resolve(err.schema, defs) if isinstance(err.schema, dict) else {}
        if err.validator == "additionalProperties" and sub.get("additionalProperties") is False:
            known = sorted(sub.get("properties", {}))
            for extra in sorted(set(err.instance) - set(known)):
                messages.append(f"{where}.{extra}: unknown field (expected one of: {', '.join(known)})")
        elif err.validator in ("propertyNames", "pattern"):
            want = (
                "a dotted input path such as make.labour.learning_rate"
                if where.endswith(".sensitivity")
                else "lower-case letters, digits and _"
            )
            messages.append(f"{where}: expected names of {want}, got {err.instance!r}")
        elif err.validator in ("items", "prefixItems"):
            messages.append(f"{where}: expected {_expected(sub, defs)}, got {_got(err.instance)}")
        elif err.validator in (
            "type",
            "enum",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "minItems",
            "maxItems",
            "minLength",
            "maxLength",
            "minProperties",
        ):
            messages.append(f"{where}: expected {_expected(sub, defs)}, got {_got(err.instance)}")
        else:  # pragma: no cover - a keyword the schema does not use today
            messages.append(f"{where}: {err.message}")
    return list(dict.fromkeys(messages))


def _fill_defaults(instance, sub: dict, defs: dict, prefix: str, missing: list[str]):
    """Copy of ``instance`` with schema defaults filled; record required fields that are absent.

    A property is required when its schema has no ``default``.
    """
    sub = _resolve(sub, defs)
    if isinstance(instance, dict):
        out = dict(instance)
        for key, prop in sub.get("properties", {}).items():
            prop_r = _resolve(prop, defs)
            if key not in out:
                if "default" in prop_r:
                    out[key] = copy.deepcopy(prop_r["default"])
                else:
                    missing.append(f"{prefix}.{key}: expected {_expected(prop_r, defs)}, got nothing (the field is missing)")
                    continue
            out[key] = _fill_defaults(out[key], prop_r, defs, f"{prefix}.{key}", missing)
        extra = sub.get("additionalProperties")
        if isinstance(extra, dict):
            for key in out:
                if key not in sub.get("properties", {}):
                    out[key] = _fill_defaults(out[key], extra, defs, f"{prefix}.{key}", missing)
        return out
    if isinstance(instance, list) and isinstance(sub.get("items"), dict):
        return [_fill_defaults(v, sub["items"], defs, f"{prefix}[{i}]", missing) for i, v in enumerate(instance)]
    return copy.deepcopy(instance)


def _raise(messages: list[str], source: str | None) -> None:
    if messages:
        head = f"{source}: " if source else ""
        if len(messages) == 1:
            raise ParamsError(head + messages[0])
        raise ParamsError(head + f"{len(messages)} problems in the make-vs-buy parameters:\n- " + "\n- ".join(messages))


def _get_path(spec: Mapping, path: str):
    node = spec
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise KeyError(path)
        node = node[part]
    return node


def _set_path(spec: dict, path: str, value) -> dict:
    out = copy.deepcopy(spec)
    node = out
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value
    return out


def _leaf_schema(path: str, defs: dict) -> dict:
    sub = _resolve(defs["case"], defs)
    for part in path.split("."):
        sub = _resolve(sub.get("properties", {}).get(part, {}), defs)
    return sub


def _case_rules(name: str, case: dict, defs: dict) -> list[str]:
    """The rules a schema cannot say: ascending tiers, valid tornado ranges."""
    where = f"{SECTION}.cases.{name}"
    msgs = []
    for opt, key in (("make", "material_volume_discounts"), ("buy", "volume_discounts")):
        tiers = case[opt][key]
        for i in range(1, len(tiers)):
            if not tiers[i]["min_units"] > tiers[i - 1]["min_units"]:
                msgs.append(
                    f"{where}.{opt}.{key}[{i}].min_units: expected more than the previous tier's "
                    f"{tiers[i - 1]['min_units']:g} (tiers ascending), got {tiers[i]['min_units']:g}"
                )
    for path, (low, high) in case["sensitivity"].items():
        spot = f"{where}.sensitivity.{path}"
        try:
            base = _get_path(case, path)
        except KeyError:
            msgs.append(f"{spot}: expected the path of a numeric input such as make.labour.learning_rate, got {path!r} (no such field)")
            continue
        if isinstance(base, bool) or not isinstance(base, int | float):
            msgs.append(f"{spot}: expected the path of a numeric input, got {path!r} (holds {_got(base)})")
            continue
        if low > high:
            msgs.append(f"{spot}: expected [low, high] with low <= high, got [{low:g}, {high:g}]")
            continue
        leaf = _leaf_schema(path, defs)
        for v in (low, high):
            if _schema_messages(v, leaf, defs, spot):
                msgs.append(f"{spot}: expected [low, high] within {_expected(leaf, defs)}, got [{low:g}, {high:g}]")
                break
    return msgs


def validate_case(name: str, spec: Mapping, *, source: str | None = None) -> dict:
    """Check one case and return a copy with defaults filled.

    Parameters
    ----------
    name : str
        Case name (the key under ``makebuy.cases``).
    spec : mapping
        The case's parameters.
    source : str, optional
        File or origin named at the start of the message.

    Returns
    -------
    dict

    Raises
    ------
    ParamsError
        Every problem, each as ``"makebuy.cases.<case>.<field>: expected ..., got ..."``.
    """
    schema = load_schema()
    defs = schema["$defs"]
    prefix = f"{SECTION}.cases.{name}"
    case_schema = {"$schema": schema["$schema"], "$defs": defs, "$ref": "#/$defs/case"}
    _raise(_schema_messages(dict(spec) if isinstance(spec, Mapping) else spec, case_schema, defs, prefix), source)
    missing: list[str] = []
    out = _fill_defaults(dict(spec), defs["case"], defs, prefix, missing)
    _raise(missing, source)
    _raise(_case_rules(name, out, defs), source)
    return out


def validate_params(section: Mapping, *, source: str | None = None) -> dict:
    """Check a merged ``makebuy`` section; return a copy with defaults filled.

    The JSON Schema (``custlib/io/schemas/makebuy.json``) checks types, ranges and
    unknown fields; this function also requires every field that has no
    default (override files may be partial, the merged section may not) and
    checks what a schema cannot: tiers ascending, tornado ranges valid,
    scorecard weights not all zero.

    Parameters
    ----------
    section : mapping
        ``params["makebuy"]``.
    source : str, optional
        File or origin named at the start of the message.

    Returns
    -------
    dict

    Raises
    ------
    ParamsError
        Listing every problem as ``"makebuy.cases.<case>.<field>: expected ..., got ..."``.
    """
    if not isinstance(section, Mapping):
        _raise([f"{SECTION}: expected a mapping, got {_got(section)}"], source)
    schema = load_schema()
    defs = schema["$defs"]
    _raise(_schema_messages(dict(section), schema, defs, SECTION), source)
    missing: list[str] = []
    out = _fill_defaults(dict(section), schema, defs, SECTION, missing)
    _raise(missing, source)
    msgs = []
    if sum(out["scorecard_weights"].values()) <= 0:
        msgs.append(f"{SECTION}.scorecard_weights: expected at least one weight > 0, got all 0")
    for name, case in out["cases"].items():
        msgs += _case_rules(name, case, defs)
    _raise(msgs, source)
    return out


# --------------------------------------------------------------------------- the case model


@dataclass(frozen=True)
class LearningCurve:
    """Variable conversion cost per unit on a learning curve."""

    first_unit_cost: float
    learning_rate: float
    model: str = "wright"
    lot_size: float = 1.0

    def total(self, units: np.ndarray) -> np.ndarray:
        """Total cost of the first ``units`` units (any shape, >= 0)."""
        b = math.log2(self.learning_rate)
        lots = np.asarray(units, dtype=float) / self.lot_size
        f = _crawford_total(b, lots) if self.model == "crawford" else _wright_total(b, lots)
        return self.first_unit_cost * self.lot_size * f


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
        return Case.from_params(self.name, _set_path(self.spec, path, value))

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
        return _PERIOD_WORDS.get(self.periods_per_year, "period")

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


def _cost_lines(case: Case, demand: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Cost lines of both options for each demand path.

    ``demand`` has shape (n_paths, horizon); every line has shape
    (n_paths, horizon + 1) with period 0 first.
    """
    demand = np.atleast_2d(np.asarray(demand, dtype=float))
    n, h = demand.shape
    units = np.concatenate([np.zeros((n, 1)), demand], axis=1)
    running = np.zeros(h + 1)
    running[1:] = 1.0
    mk, by = case.spec["make"], case.spec["buy"]

    # make ------------------------------------------------------------------
    cum = np.cumsum(units, axis=1)
    labour_total = case.labour.total(cum)
    labour = np.diff(labour_total, axis=1, prepend=0.0)
    material = float(mk["material_cost_per_unit"]) * Tiers.from_params(mk["material_volume_discounts"]).factor(units) * units
    cap = mk["capacity_per_step"]
    steps = np.ones_like(units) if cap is None else np.maximum(1.0, np.ceil(units / float(cap) - 1e-9))
    fixed = float(mk["fixed_cost_per_period"]) * steps * running
    capex, life = float(mk["equipment_capex"]), int(mk["depreciation_periods"])
    t = np.arange(h + 1)
    dep_each = capex / life
    depreciation = np.where((t >= 1) & (t <= life), dep_each, 0.0)
    opening_book = np.where(t >= 1, capex - dep_each * np.minimum(np.maximum(t - 1, 0), life), 0.0)
    k = case.per_period_rate(mk["cost_of_capital"])
    development = np.where(t == 0, float(mk["development_cost"]), 0.0)
    make = {
        "development": np.broadcast_to(development, (n, h + 1)),
        "labour": labour,
        "material": material,
        "fixed_operating": fixed,
        "depreciation": np.broadcast_to(depreciation, (n, h + 1)),
        "overhead": float(mk["overhead_rate"]) * (labour + material + fixed),
        "financing_equipment": np.broadcast_to(k * opening_book, (n, h + 1)),
        "financing_working_capital": k * float(mk["working_capital_share"]) * (labour + material),
    }

    # buy -------------------------------------------------------------------
    price = float(by["unit_price"]) * Tiers.from_params(by["volume_discounts"]).factor(units)
    buy = {
        "transition": np.broadcast_to(np.where(t == 0, float(by["transition_cost"]), 0.0), (n, h + 1)),
        "purchase": price * units,
        "supplier_management": np.broadcast_to(float(by["management_cost_per_period"]) * running, (n, h + 1)),
        "quality": float(by["defect_rate"]) * float(by["cost_per_defect"]) * units,
    }
    for r in RISKS:
        risk = by["risks"][r]
        expected = case.per_period_probability(risk["probability"]) * float(risk["impact"])
        buy[f"risk_{r}"] = np.broadcast_to(expected * running, (n, h + 1))
    return make, buy


def cost_table(case, *, demand=None) -> pd.DataFrame:
    """Period-by-period cost of each option, with totals and present values.

    Make: development (one-off, period 0), labour on the learning curve
    (Wright or Crawford, see above), material at list price less volume
    discounts (economies of scale), fixed operating cost per capacity step
    (a step-cost function, Horngren et al., ch. 10), straight-line
    depreciation, and the indirect costs usually left out: overhead allocated
    at ``overhead_rate`` of direct cost (Horngren et al., ch. 4) and financing
    at the per-period cost of capital on the equipment's opening book value and
    on the working capital (a capital charge as in economic value added,
    Stewart 1991, *The Quest for Value*).

    Buy: purchase at the tier price, and the hidden costs of outsourcing
    (Barthélemy 2001, "The hidden costs of IT outsourcing", MIT Sloan
    Management Review 42(3)): transition (one-off, period 0), supplier
    management, quality cost = defect rate x units x cost per defect, and each
    supplier risk's expected cost = per-period probability x impact.

    Parameters
    ----------
    case : Case or mapping
    demand : array-like, optional
        Units per period 1..horizon; the planned :func:`demand_path` by default.

    Returns
    -------
    DataFrame
        One row per option and line plus a ``total`` row per option. columns in: case
        parameters -> columns out: option, line, kind (direct/hidden/total), t0..t<horizon>,
        total, pv.

    Raises
    ------
    ParamsError
        The case is invalid.
    DataError
        ``demand`` has the wrong length or negative values.
    """
    case = as_case(case)
    d = _check_demand(case, demand)
    make, buy = _cost_lines(case, d[None, :])
    disc = case.discount_factors()
    cols = [f"t{t}" for t in range(case.horizon + 1)]
    rows = []
    for option, lines, order in (("make", make, MAKE_LINES), ("buy", buy, BUY_LINES)):
        total = np.zeros(case.horizon + 1)
        for line, kind in order:
            v = lines[line][0]
            total = total + v
            rows.append({"option": option, "line": line, "kind": kind, **dict(zip(cols, v, strict=True)), "total": v.sum(), "pv": v @ disc})
        rows.append(
            {
                "option": option,
                "line": "total",
                "kind": "total",
                **dict(zip(cols, total, strict=True)),
                "total": total.sum(),
                "pv": total @ disc,
            }
        )
    out = pd.DataFrame(rows)
    return out.astype({"option": "str", "line": "str", "kind": "str"})


def _check_demand(case: Case, demand) -> np.ndarray:
    if demand is None:
        return demand_path(case)
    d = np.asarray(demand, dtype=float).reshape(-1)
    if d.shape != (case.horizon,):
        raise DataError(f"demand: expected {case.horizon} values (one per period), got {d.size}")
    if not np.all(np.isfinite(d)) or (d < 0).any():
        raise DataError("demand: expected finite units >= 0 in every period")
    return d


def _pv(case: Case, demand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Present value of make and buy cost for each demand path (rows of ``demand``)."""
    make, buy = _cost_lines(case, demand)
    disc = case.discount_factors()
    return sum(make.values()) @ disc, sum(buy.values()) @ disc


def _plan_saving(case: Case) -> float:
    """PV(buy) - PV(make) at the planned demand."""
    pv_make, pv_buy = _pv(case, demand_path(case)[None, :])
    return float(pv_buy[0] - pv_make[0])


def npv_summary(case, *, demand=None) -> dict:
    """Present value of each option, the winner and by how much, and cost per unit.

    ``make_saving = PV(buy) - PV(make)`` (> 0: making is cheaper). Cost per
    unit is the levelised cost, PV of cost / PV of units (the levelised-cost
    convention of Short, Packey & Holt 1995, NREL/TP-462-5173, eq. 4-1).

    Parameters
    ----------
    case : Case or mapping
    demand : array-like, optional
        Units per period; the plan by default.

    Returns
    -------
    dict
        case, label, horizon, units, pv_make, pv_buy, make_saving, winner, margin,
        margin_share (of the costlier option), cost_per_unit_make, cost_per_unit_buy,
        hidden_share_make, hidden_share_buy. case parameters -> figures.

    Raises
    ------
    ParamsError, DataError
        As :func:`cost_table`.
    """
    case = as_case(case)
    d = _check_demand(case, demand)
    make, buy = _cost_lines(case, d[None, :])
    disc = case.discount_factors()
    pv_units = float(d @ disc[1:])
    kinds = {"make": dict(MAKE_LINES), "buy": dict(BUY_LINES)}
    pv = {opt: {line: float(v[0] @ disc) for line, v in lines.items()} for opt, lines in (("make", make), ("buy", buy))}
    hidden = {opt: sum(x for line, x in pv[opt].items() if kinds[opt][line] == "hidden") for opt in pv}
    pv_make, pv_buy = sum(pv["make"].values()), sum(pv["buy"].values())
    saving = pv_buy - pv_make
    return {
        "case": case.name,
        "label": case.label,
        "horizon": case.horizon,
        "units": float(d.sum()),
        "pv_make": pv_make,
        "pv_buy": pv_buy,
        "make_saving": saving,
        "winner": "make" if saving > 0 else "buy",
        "margin": abs(saving),
        "margin_share": abs(saving) / max(pv_make, pv_buy) if max(pv_make, pv_buy) > 0 else 0.0,
        "cost_per_unit_make": pv_make / pv_units if pv_units > 0 else math.nan,
        "cost_per_unit_buy": pv_buy / pv_units if pv_units > 0 else math.nan,
        "hidden_share_make": hidden["make"] / pv_make if pv_make > 0 else 0.0,
        "hidden_share_buy": hidden["buy"] / pv_buy if pv_buy > 0 else 0.0,
    }


@dataclass(frozen=True)
class BreakEven:
    """Where cumulative make cost equals cumulative buy cost.

    Attributes
    ----------
    volume : float or None
        Cumulative units at the (last) crossing; None when the lines do not cross.
    period : float or None
        The same point in periods (fractional: 2.5 = half-way through period 3).
    direction : str or None
        ``"make cheaper above"`` or ``"buy cheaper above"``.
    reason : str
        One sentence saying what happens.
    """

    volume: float | None
    period: float | None
    direction: str | None
    reason: str


def break_even(case, *, discounted: bool = True, demand=None, currency: str = "") -> BreakEven:
    """Break-even cumulative volume: where cumulative make cost = cumulative buy cost.

    Cumulative costs are taken at period ends along the planned demand (period
    0 holds the one-off costs) and interpolated linearly in cumulative volume
    within a period. With ``discounted=True`` (default) the costs are present
    values, so that the crossing agrees with the NPV winner (the discounted
    break-even of capital budgeting, cf. discounted payback, Brealey, Myers &
    Allen, *Principles of Corporate Finance*, ch. 5). When the lines cross more
    than once the last crossing is reported; when they never cross, ``volume``
    is None and ``reason`` says why.

    Parameters
    ----------
    case : Case or mapping
    discounted : bool, default True
    demand : array-like, optional
        Units per period; the plan by default.
    currency : str, default ""
        Prefix for amounts in ``reason``.

    Returns
    -------
    BreakEven
        case parameters -> volume, period, direction, reason.

    Raises
    ------
    ParamsError, DataError
        As :func:`cost_table`.
    """
    case = as_case(case)
    d = _check_demand(case, demand)
    table = cost_table(case, demand=d)
    cols = [f"t{t}" for t in range(case.horizon + 1)]
    w = case.discount_factors() if discounted else np.ones(case.horizon + 1)
    total = table[table["line"] == "total"].set_index("option")[cols]
    diff = np.cumsum((total.loc["make"].to_numpy() - total.loc["buy"].to_numpy()) * w)  # make - buy
    volume = np.concatenate([[0.0], np.cumsum(d)])
    word = case.period_word
    money = _money_fn(currency)
    sign = np.sign(np.round(diff, 9))
    crossings = [t for t in range(1, len(diff)) if sign[t - 1] != 0 and sign[t] != sign[t - 1]]
    if not crossings:
        if sign[-1] <= 0 and sign[0] <= 0:
            return BreakEven(
                0.0, 0.0, "make cheaper above", "Making costs no more than buying from the start, so there is no volume to recover."
            )
        # buy stays cheaper
        slope = (diff[-1] - diff[-2]) / (volume[-1] - volume[-2]) if volume[-1] > volume[-2] else 0.0
        tail = ""
        if slope < 0:
            more = diff[-1] / -slope
            tail = f" At the pace of the last {word}, making would catch up after about {volume[-1] + more:,.0f} units."
        return BreakEven(
            None,
            None,
            None,
            f"Making never catches up within the {case.horizon} {word}s: after all {volume[-1]:,.0f} units it still costs "
            f"{money(diff[-1])} more{' in present value' if discounted else ''}.{tail}",
        )
    t = crossings[-1]
    frac = diff[t - 1] / (diff[t - 1] - diff[t]) if diff[t - 1] != diff[t] else 1.0
    vol = float(volume[t - 1] + frac * (volume[t] - volume[t - 1]))
    period = float(t - 1 + frac)
    many = f" (the cumulative costs cross {len(crossings)} times; this is the last crossing)" if len(crossings) > 1 else ""
    if sign[t] < 0 or (sign[t] == 0 and sign[t - 1] > 0):
        return BreakEven(
            vol,
            period,
            "make cheaper above",
            f"Making becomes cheaper than buying after {_cumulative_units(vol)}, in {word} {math.ceil(period)}{many}.",
        )
    return BreakEven(
        vol,
        period,
        "buy cheaper above",
        f"Making is cheaper at first, but buying becomes cheaper after {_cumulative_units(vol)}, in {word} {math.ceil(period)}{many}.",
    )


def _cumulative_units(volume: float) -> str:
    """``5943.2`` -> ``'5,943 cumulative units'``; ``0.9`` -> ``'1 cumulative unit'``."""
    shown = f"{volume:,.0f}"
    return f"{shown} cumulative unit{'' if shown == '1' else 's'}"


def _money_fn(currency: str):
    return lambda x: f"{currency} {x:,.0f}" if currency else f"{x:,.0f}"


# --------------------------------------------------------------------------- Monte Carlo over demand


def _rng(seed: int, name: str) -> np.random.Generator:
    """A generator for one case: the same seed and name always give the same stream."""
    return np.random.default_rng([int(seed), zlib.crc32(name.encode("utf-8"))])


def _multiplier(z: np.ndarray, distribution: str, sd: float) -> np.ndarray:
    """Demand multipliers with mean 1 and standard deviation ``sd`` from standard normals ``z``.

    lognormal: ``exp(mu + s z)`` with ``s**2 = ln(1 + sd**2)``, ``mu = -s**2 / 2``
    (Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions* 1,
    ch. 14); normal: ``1 + sd z``; triangular: symmetric on ``[1 - w, 1 + w]``
    with ``w = sd * sqrt(6)``, by the inverse CDF of ``Phi(z)``. Normal and
    triangular are cut at 0 (no negative demand), which lifts their mean a
    little when ``sd`` is large.
    """
    if sd == 0:
        return np.ones_like(z)
    if distribution == "lognormal":
        s2 = math.log1p(sd * sd)
        return np.exp(-s2 / 2.0 + math.sqrt(s2) * z)
    if distribution == "normal":
        return np.maximum(0.0, 1.0 + sd * z)
    if distribution == "triangular":
        w = sd * math.sqrt(6.0)
        u = special.ndtr(z)
        x = np.where(u < 0.5, 1.0 - w + w * np.sqrt(2.0 * u), 1.0 + w - w * np.sqrt(2.0 * (1.0 - u)))
        return np.maximum(0.0, x)
    raise ParamsError(f"demand.distribution: expected one of 'lognormal', 'normal', 'triangular', got {distribution!r}")


def simulate_demand(case, *, n_draws: int = 10_000, seed: int = 0, volatility_multiplier: float = 1.0) -> np.ndarray:
    """Simulated demand paths: plan x level multiplier x per-period multiplier.

    The level multiplier (one per path, standard deviation ``volatility``)
    models uncertainty about how big demand will be; the per-period one
    (``period_volatility``) models noise around it. Both have mean 1, so the
    mean path is the plan. The standard normals are drawn from a generator
    seeded by ``seed`` and the case name and reused for every
    ``volatility_multiplier`` (common random numbers, Glasserman 2004,
    *Monte Carlo Methods in Financial Engineering*, sec. 4.2).

    Parameters
    ----------
    case : Case or mapping
    n_draws : int, default 10000
    seed : int, default 0
    volatility_multiplier : float, default 1
        Scales both volatilities; 0 gives the plan on every path.

    Returns
    -------
    ndarray of shape (n_draws, horizon)

    Raises
    ------
    ParamsError
        ``n_draws`` < 1 or ``volatility_multiplier`` < 0.
    """
    case = as_case(case)
    if int(n_draws) < 1:
        raise ParamsError(f"n_draws: expected an integer >= 1, got {n_draws!r}")
    if not volatility_multiplier >= 0:
        raise ParamsError(f"volatility_multiplier: expected a number >= 0, got {volatility_multiplier!r}")
    d = case.spec["demand"]
    rng = _rng(seed, case.name)
    z_level = rng.standard_normal((int(n_draws), 1))
    z_period = rng.standard_normal((int(n_draws), case.horizon))
    level = _multiplier(z_level, d["distribution"], float(d["volatility"]) * volatility_multiplier)
    noise = _multiplier(z_period, d["distribution"], float(d["period_volatility"]) * volatility_multiplier)
    return demand_path(case)[None, :] * level * noise


def simulate(case, *, n_draws: int = 10_000, seed: int = 0, volatility_multiplier: float = 1.0) -> pd.DataFrame:
    """Monte Carlo of both options' present value over uncertain demand.

    Parameters
    ----------
    case : Case or mapping
    n_draws, seed, volatility_multiplier
        See :func:`simulate_demand`.

    Returns
    -------
    DataFrame
        One row per draw. case parameters -> columns out: draw, units, pv_make, pv_buy,
        make_saving (PV buy - PV make; > 0 means making is cheaper).

    Raises
    ------
    ParamsError
        As :func:`simulate_demand`.
    """
    case = as_case(case)
    demand = simulate_demand(case, n_draws=n_draws, seed=seed, volatility_multiplier=volatility_multiplier)
    pv_make, pv_buy = _pv(case, demand)
    return pd.DataFrame(
        {
            "draw": np.arange(len(demand), dtype=np.int64),
            "units": demand.sum(axis=1),
            "pv_make": pv_make,
            "pv_buy": pv_buy,
            "make_saving": pv_buy - pv_make,
        }
    )


def summarise_draws(draws: pd.DataFrame, *, saving_col: str = "make_saving") -> dict:
    """Mean, spread, percentiles and P(make cheaper) of simulated NPV differences.

    Parameters
    ----------
    draws : DataFrame
        From :func:`simulate`.
    saving_col : str, default "make_saving"

    Returns
    -------
    dict
        n_draws, mean_saving, se_mean, sd_saving, p05, p50, p95, p_make_cheaper.
        columns in: make_saving -> figures.

    Raises
    ------
    DataError
        The column is missing or there are no draws.
    """
    if saving_col not in draws.columns:
        raise DataError(f"draws: column {saving_col!r} is missing (found: {', '.join(map(str, draws.columns))})")
    s = draws[saving_col].to_numpy(dtype=float)
    if s.size == 0:
        raise DataError("draws: no rows")
    sd = float(s.std(ddof=1)) if s.size > 1 else 0.0
    p05, p50, p95 = np.quantile(s, [0.05, 0.5, 0.95])
    return {
        "n_draws": int(s.size),
        "mean_saving": float(s.mean()),
        "se_mean": sd / math.sqrt(s.size),
        "sd_saving": sd,
        "p05": float(p05),
        "p50": float(p50),
        "p95": float(p95),
        "p_make_cheaper": float((s > 0).mean()),
    }


def volatility_table(case, *, multipliers=(0.0, 0.5, 1.0, 1.5, 2.0), n_draws: int = 10_000, seed: int = 0) -> pd.DataFrame:
    """How the NPV difference and P(make cheaper) move with demand volatility.

    Each row runs :func:`simulate` with the case's volatilities scaled by a
    multiplier, on the same random numbers (so the rows differ only by the
    volatility).

    Parameters
    ----------
    case : Case or mapping
    multipliers : sequence of float
    n_draws, seed
        See :func:`simulate_demand`.

    Returns
    -------
    DataFrame
        case parameters -> columns out: multiplier, volatility, mean_saving, sd_saving,
        p05, p50, p95, p_make_cheaper.

    Raises
    ------
    ParamsError
        As :func:`simulate_demand`.
    """
    case = as_case(case)
    rows = []
    for m in multipliers:
        s = summarise_draws(simulate(case, n_draws=n_draws, seed=seed, volatility_multiplier=float(m)))
        rows.append(
            {
                "multiplier": float(m),
                "volatility": float(case.spec["demand"]["volatility"]) * float(m),
                **{k: s[k] for k in ("mean_saving", "sd_saving", "p05", "p50", "p95", "p_make_cheaper")},
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- sensitivity


def _default_range(case: Case, path: str, base: float, rel: float) -> tuple[float, float]:
    """Low/high of an input: ``base * (1 -+ rel)``, clipped to what the schema allows.

    For a learning rate the relative change applies to the learning itself,
    ``1 - rate`` (an 85% curve gives 82%..88% at rel = 0.2), since a +-20%
    change of the rate would span nearly every curve seen in practice.
    """
    if path.endswith("learning_rate"):
        low, high = 1.0 - (1.0 - base) * (1.0 + rel), 1.0 - (1.0 - base) * (1.0 - rel)
    else:
        low, high = base * (1.0 - rel), base * (1.0 + rel)
    leaf = _leaf_schema(path, load_schema()["$defs"])
    hi_cap = leaf.get("maximum", math.inf)
    lo_cap = leaf.get("minimum", -math.inf)
    return max(low, lo_cap), min(high, hi_cap)


def tornado(case, *, ranges: Mapping | None = None, relative_range: float = 0.2) -> pd.DataFrame:
    """NPV difference (PV buy - PV make) at each input's low and high value.

    One-at-a-time sensitivity (the tornado diagram of decision analysis,
    Clemen & Reilly, *Making Hard Decisions*, ch. 5): every other input stays
    at its base value. Inputs and ranges come from ``ranges``, else the case's
    ``sensitivity`` entry, else :data:`DEFAULT_TORNADO_INPUTS` at
    ``+-relative_range`` (see :func:`_default_range`).

    Parameters
    ----------
    case : Case or mapping
    ranges : mapping of str to (low, high), optional
    relative_range : float, default 0.2

    Returns
    -------
    DataFrame
        Sorted by swing, largest first (ties by input). case parameters -> columns out:
        input, label, base_value, low_value, high_value, base_saving, saving_at_low,
        saving_at_high, swing, flips (the winner differs somewhere in the range).

    Raises
    ------
    ParamsError
        A path is not a numeric input or a low/high value is not allowed.
    """
    case = as_case(case)
    base_saving = _plan_saving(case)
    given = dict(ranges) if ranges is not None else dict(case.spec["sensitivity"])
    if not given:
        given = {p: None for p in DEFAULT_TORNADO_INPUTS}
    rows = []
    for path, rng in given.items():
        try:
            base = float(_get_path(case.spec, path))
        except KeyError as err:
            raise ParamsError(
                f"{SECTION}.cases.{case.name}.sensitivity.{path}: expected the path of a numeric input, got no such field"
            ) from err
        low, high = _default_range(case, path, base, relative_range) if rng is None else (float(rng[0]), float(rng[1]))
        s_low = _plan_saving(case.with_value(path, low))
        s_high = _plan_saving(case.with_value(path, high))
        signs = {np.sign(base_saving), np.sign(s_low), np.sign(s_high)}
        rows.append(
            {
                "input": path,
                "label": INPUT_LABELS.get(path, path),
                "base_value": base,
                "low_value": low,
                "high_value": high,
                "base_saving": base_saving,
                "saving_at_low": s_low,
                "saving_at_high": s_high,
                "swing": abs(s_high - s_low),
                "flips": len(signs - {0.0}) > 1,
            }
        )
    out = pd.DataFrame(rows).astype({"input": "str", "label": "str"})
    return out.sort_values(["swing", "input"], ascending=[False, True], kind="stable").reset_index(drop=True)


def plot_tornado(
    frame: pd.DataFrame, *, top: int = 10, ax=None, title: str | None = None, currency: str = "", lang: str = "en", legend: bool = True
):
    """Draw a tornado chart of the NPV difference.

    Bars run from the base NPV difference to its value at each input's low
    (light) and high (dark) value; the dashed line is the base, the solid red
    line zero (left of it buying is cheaper, right of it making is).

    Parameters
    ----------
    frame : DataFrame
        From :func:`tornado` (one case).
    top : int, default 10
        Inputs shown, by swing.
    ax : matplotlib Axes, optional
    title : str, optional
    currency : str, default ""
        Named in the axis label.
    lang : str, default "en"
        Language of the labels and of the amounts (``"zh"``: 万/亿).
    legend : bool, default True
        Draw the legend below the axes (:func:`plot_tornados` draws one for all).

    Returns
    -------
    matplotlib Axes
        columns in: label, base_saving, saving_at_low, saving_at_high, swing -> a chart.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.45 * min(top, len(frame)) + 1.9), layout="constrained")
    rows = frame.head(top).iloc[::-1]
    y = np.arange(len(rows))
    base = float(frame["base_saving"].iloc[0]) if len(frame) else 0.0
    ax.barh(y, rows["saving_at_low"] - base, left=base, color="#8cc5e3", label=i18n.tr(TORNADO_LOW, lang))
    ax.barh(y, rows["saving_at_high"] - base, left=base, color="#1b5e8c", label=i18n.tr(TORNADO_HIGH, lang), alpha=0.85)
    ax.axvline(base, color="#444444", linestyle="--", linewidth=1)
    ax.axvline(0.0, color="#e4572e", linewidth=1.2)
    ax.set_yticks(y, [i18n.tr(x, lang) for x in rows["label"]])
    ax.xaxis.set_major_locator(MaxNLocator(6))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _short_amount(v, lang)))
    ax.set_xlabel(i18n.tr(_tornado_xlabel(currency), lang))
    if title:
        ax.set_title(i18n.tr(title, lang))
    if legend:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=2, fontsize="small", frameon=False)
    return ax


def _short_amount(v: float, lang: str = "en") -> str:
    """Tick labels: ``2_500_000`` -> ``'2.5m'``, ``-250_000`` -> ``'-250k'``; in Chinese ``'250万'``, ``'-25万'``."""
    if lang == "zh":
        if abs(v) >= 1e8:
            return f"{v / 1e8:,.1f}亿"
        if abs(v) >= 1e4:
            return f"{v / 1e4:,.0f}万"
        return f"{v:,.0f}"
    if abs(v) >= 1e6:
        return f"{v / 1e6:,.1f}m"
    if abs(v) >= 1e3:
        return f"{v / 1e3:,.0f}k"
    return f"{v:,.0f}"


def plot_tornados(frame: pd.DataFrame, *, top: int = 8, axes=None, currency: str = "", lang: str = "en"):
    """One :func:`plot_tornado` per case, stacked, with one legend above them.

    Parameters
    ----------
    frame : DataFrame
        Tornado rows of several cases with a ``case`` and a ``case_label`` column
        (``MakeBuyAnalysis.tornado``).
    top : int, default 8
    axes : sequence of Axes, optional
        One per case.
    currency : str, default ""
    lang : str, default "en"

    Returns
    -------
    ndarray of Axes
        columns in: case, case_label + :func:`plot_tornado`'s -> charts.
    """
    import matplotlib.pyplot as plt

    cases = list(dict.fromkeys(frame["case"]))
    if axes is None:
        heights = [0.4 * min(top, int((frame["case"] == c).sum())) + 1.4 for c in cases]
        _, axes = plt.subplots(
            len(cases), 1, figsize=(8, sum(heights) + 0.4), gridspec_kw={"height_ratios": heights}, squeeze=False, layout="constrained"
        )
        axes = axes[:, 0]
    for ax, c in zip(axes, cases, strict=True):
        part = frame[frame["case"] == c]
        plot_tornado(part, top=top, ax=ax, title=str(part["case_label"].iloc[0]), currency=currency, lang=lang, legend=False)
    if len(cases):
        handles, labels = axes[0].get_legend_handles_labels()
        axes[0].figure.legend(handles, labels, loc="outside upper center", ncol=2, fontsize="small", frameon=False)
    return np.asarray(axes)


# --------------------------------------------------------------------------- scorecard and recommendation


def scorecard(scores: Mapping, weights: Mapping) -> pd.DataFrame:
    """The qualitative scorecard: five non-cost factors, each scored 1-5.

    Scores describe conditions (5 = high demand, strong R&D, strong supplier
    management, high outsourced quality, high outsourcing risk). Each is turned
    into a lean towards making, ``score`` when a high score favours making and
    ``6 - score`` when it favours buying, and weighted (weights normalised to
    1): the weighted factor-rating method (Heizer, Render & Munson,
    *Operations Management*, ch. 8, factor-rating method).

    Parameters
    ----------
    scores : mapping
        Factor -> integer 1..5 (all of :data:`FACTORS`).
    weights : mapping
        Factor -> weight >= 0, not all 0.

    Returns
    -------
    DataFrame
        One row per factor. scores, weights -> columns out: factor, label, score, weight,
        make_lean (1-5, 5 = strongly favours making), favours (make/buy/neutral),
        contribution (weight x make_lean; their sum is the qualitative score).

    Raises
    ------
    ParamsError
        A factor is missing, a score is not 1..5 or the weights are all 0.
    """
    for f in FACTORS:
        if f not in scores:
            raise ParamsError(f"scorecard.{f}: expected a score 1..5, got nothing (the factor is missing)")
        if f not in weights:
            raise ParamsError(f"scorecard_weights.{f}: expected a weight >= 0, got nothing (the factor is missing)")
        s = scores[f]
        if isinstance(s, bool) or not isinstance(s, int | float) or s != int(s) or not 1 <= s <= 5:
            raise ParamsError(f"scorecard.{f}: expected an integer 1..5, got {s!r}")
        if not float(weights[f]) >= 0:
            raise ParamsError(f"scorecard_weights.{f}: expected a weight >= 0, got {weights[f]!r}")
    total = float(sum(float(weights[f]) for f in FACTORS))
    if total <= 0:
        raise ParamsError("scorecard_weights: expected at least one weight > 0, got all 0")
    rows = []
    for f in FACTORS:
        s = int(scores[f])
        lean = s if FACTOR_DIRECTION[f] > 0 else 6 - s
        w = float(weights[f]) / total
        rows.append(
            {
                "factor": f,
                "label": FACTOR_LABELS[f],
                "score": s,
                "weight": w,
                "make_lean": lean,
                "favours": "make" if lean > 3 else "buy" if lean < 3 else "neutral",
                "contribution": w * lean,
            }
        )
    return pd.DataFrame(rows).astype({"factor": "str", "label": "str", "favours": "str"})


@dataclass(frozen=True)
class Recommendation:
    """The combined recommendation of one case.

    Attributes
    ----------
    recommendation : str
        ``"make"`` or ``"buy"``.
    close_call : bool
        The combined score is within the close-call band of neutral (3).
    combined_score, cost_score, qualitative_score : float
        On a 1-5 scale, 5 = strongly favours making.
    reasons : tuple of str
        Sentences, in the order a reader needs them.
    """

    recommendation: str
    close_call: bool
    combined_score: float
    cost_score: float
    qualitative_score: float
    reasons: tuple[str, ...]


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _num(x: float) -> str:
    """``1234.5`` -> ``'1,234'``; ``0.045`` -> ``'0.045'``."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


#: Inputs that are amounts of money or rates (shown with the currency / as percentages in sentences).
_MONEY_INPUTS = {
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
_RATE_INPUTS = {
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


def _input_value(path: str, x: float, currency: str = "") -> str:
    """An input's value as a reader expects it: ``'CNY 1,344'``, ``'82%'``, ``'2.4%'``, ``'1,600'``."""
    if path in _MONEY_INPUTS:
        return _money_fn(currency)(x)
    if path in _RATE_INPUTS:
        pct = 100 * x
        return f"{pct:.0f}%" if abs(pct - round(pct)) < 1e-9 else f"{pct:.1f}%"
    return _num(x)


def _lower_first(text: str) -> str:
    """Lower-case the first word unless it is an acronym: ``'Own R&D'`` -> ``'own R&D'``."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def recommend(
    case,
    *,
    summary: Mapping,
    breakeven: BreakEven,
    monte_carlo: Mapping,
    volatility: pd.DataFrame,
    sensitivity: pd.DataFrame,
    card: pd.DataFrame,
    cost_weight: float = 0.6,
    close_call_band: float = 0.25,
    currency: str = "",
) -> Recommendation:
    """Combine the cost result and the scorecard into a recommendation with reasons.

    ``cost_score = 1 + 4 * P(make cheaper)`` (from the Monte Carlo at the
    case's volatility), ``qualitative_score = sum(card.contribution)``, and
    ``combined = cost_weight * cost_score + (1 - cost_weight) * qualitative``;
    above 3 recommends making, else buying (a weighted factor rating with
    cost as one factor, Heizer, Render & Munson, ch. 8).

    Parameters
    ----------
    case : Case or mapping
    summary : mapping
        From :func:`npv_summary`.
    breakeven : BreakEven
    monte_carlo : mapping
        From :func:`summarise_draws`, optionally with ``share_below_plan`` (share of paths
        with less total demand than planned).
    volatility : DataFrame
        From :func:`volatility_table`.
    sensitivity : DataFrame
        From :func:`tornado`.
    card : DataFrame
        From :func:`scorecard`.
    cost_weight : float, default 0.6
    close_call_band : float, default 0.25
    currency : str, default ""

    Returns
    -------
    Recommendation
        results of the other functions -> recommendation and reasons.
    """
    case = as_case(case)
    money = _money_fn(currency)
    word = case.period_word
    reasons = []
    saving = summary["make_saving"]
    cheaper, dearer = ("making", "buying") if saving > 0 else ("buying", "making")
    reasons.append(
        f"Over {case.horizon} {word}s at a discount rate of {_pct(case.spec['discount_rate'])} a year, making costs "
        f"{money(summary['pv_make'])} and buying {money(summary['pv_buy'])} in present value, so {cheaper} is cheaper by "
        f"{money(abs(saving))} ({_pct(summary['margin_share'])} of the cost of {dearer})."
    )
    reasons.append(breakeven.reason)
    reasons.append(
        f"Hidden and indirect costs are {_pct(summary['hidden_share_make'])} of the make cost (overhead, financing) and "
        f"{_pct(summary['hidden_share_buy'])} of the buy cost (transition, supplier management, quality, supplier risk)."
    )
    p = monte_carlo["p_make_cheaper"]
    d = case.spec["demand"]
    reasons.append(
        f"Over {monte_carlo['n_draws']:,} simulated demand paths ({d['distribution']}, volatility {_pct(d['volatility'])}), making "
        f"is cheaper in {_pct(p)} of them; the median saving from making is {money(monte_carlo['p50'])}."
    )
    if (saving > 0) != (p > 0.5):
        plan_winner = "making" if saving > 0 else "buying"
        mc_winner, share = ("making", p) if p > 0.5 else ("buying", 1 - p)
        below = monte_carlo.get("share_below_plan")
        why = f" ({_pct(below)} of the paths have less demand than planned)" if below is not None and below > 0.5 else ""
        reasons.append(
            f"The answer flips under uncertainty: at the planned demand {plan_winner} is cheaper, but {mc_winner} is cheaper in "
            f"{_pct(share)} of the simulated demand paths{why}."
        )
    if len(volatility) > 1:
        v = volatility.sort_values("multiplier", kind="stable")
        lo, hi = v.iloc[0], v.iloc[-1]
        reasons.append(
            f"As demand volatility goes from {_pct(lo['volatility'])} to {_pct(hi['volatility'])}, the chance that making is "
            f"cheaper moves from {_pct(lo['p_make_cheaper'])} to {_pct(hi['p_make_cheaper'])}."
        )
    if len(sensitivity):
        top = sensitivity.iloc[0]
        flips = " and the choice reverses within that range" if bool(top["flips"]) else ""
        reasons.append(
            f"The result is most sensitive to {_lower_first(top['label'])}: between {_input_value(top['input'], top['low_value'], currency)} and "
            f"{_input_value(top['input'], top['high_value'], currency)} "
            f"the saving from making runs from {money(top['saving_at_low'])} to {money(top['saving_at_high'])}{flips}."
        )
        others = sensitivity.iloc[1:][sensitivity["flips"].iloc[1:]]
        if len(others):
            reasons.append("The choice also reverses within the range of: " + ", ".join(_lower_first(x) for x in others["label"]) + ".")
    for side in ("make", "buy"):
        part = card[card["favours"] == side]
        if len(part):
            items = ", ".join(f"{_lower_first(r.label)} (scored {r.score} of 5)" for r in part.itertuples())
            reasons.append(f"Favouring {'making' if side == 'make' else 'buying'}: {items}.")
    cost_score = 1.0 + 4.0 * p
    qual = float(card["contribution"].sum())
    combined = cost_weight * cost_score + (1.0 - cost_weight) * qual
    rec = "make" if combined > 3.0 else "buy"
    close = abs(combined - 3.0) < close_call_band
    reasons.append(
        f"Weighing cost at {_pct(cost_weight)} (score {cost_score:.1f} of 5 from the chance that making is cheaper) and the "
        f"qualitative factors at {_pct(1 - cost_weight)} (score {qual:.1f} of 5), the combined score is {combined:.2f} "
        f"(above 3 favours making), so the recommendation is to {rec}."
    )
    if close:
        reasons.append("This is a close call: revisit it when demand is clearer or a supplier quote is firm.")
    return Recommendation(rec, close, combined, cost_score, qual, tuple(reasons))


# --------------------------------------------------------------------------- all cases


@dataclass(frozen=True)
class CaseAnalysis:
    """Everything computed for one case (see :func:`analyse_case`)."""

    case: Case
    cost_table: pd.DataFrame
    summary: dict
    break_even: BreakEven
    draws: pd.DataFrame
    monte_carlo: dict
    volatility: pd.DataFrame
    tornado: pd.DataFrame
    scorecard: pd.DataFrame
    recommendation: Recommendation


def analyse_case(case, settings: Mapping | None = None, *, currency: str = "") -> CaseAnalysis:
    """Run every analysis of one case.

    Parameters
    ----------
    case : Case or mapping
    settings : mapping, optional
        The section-level settings (seed, n_draws, volatility_multipliers,
        sensitivity_range, cost_weight, close_call_band, scorecard_weights);
        the schema defaults by default.
    currency : str, default ""
        Prefix for amounts in sentences.

    Returns
    -------
    CaseAnalysis

    Raises
    ------
    ParamsError
        The case or a setting is invalid.
    """
    case = as_case(case)
    s = _settings(settings)
    summary = npv_summary(case)
    be = break_even(case, currency=currency)
    draws = simulate(case, n_draws=s["n_draws"], seed=s["seed"])
    mc = summarise_draws(draws) | {"share_below_plan": float((draws["units"] < summary["units"]).mean())}
    vol = volatility_table(case, multipliers=s["volatility_multipliers"], n_draws=s["n_draws"], seed=s["seed"])
    tor = tornado(case, relative_range=s["sensitivity_range"])
    card = scorecard(case.spec["scorecard"], s["scorecard_weights"])
    rec = recommend(
        case,
        summary=summary,
        breakeven=be,
        monte_carlo=mc,
        volatility=vol,
        sensitivity=tor,
        card=card,
        cost_weight=s["cost_weight"],
        close_call_band=s["close_call_band"],
        currency=currency,
    )
    return CaseAnalysis(case, cost_table(case), summary, be, draws, mc, vol, tor, card, rec)


def _settings(settings: Mapping | None) -> dict:
    schema = load_schema()
    out = {k: copy.deepcopy(v["default"]) for k, v in schema["properties"].items() if "default" in v}
    if settings:
        out.update({k: v for k, v in settings.items() if k != "cases"})
    return out


def _with_case(frame: pd.DataFrame, case: Case) -> pd.DataFrame:
    return pd.concat(
        [
            pd.DataFrame({"case": [case.name] * len(frame), "case_label": [case.label] * len(frame)}, dtype="str"),
            frame.reset_index(drop=True),
        ],
        axis=1,
    )


@dataclass(frozen=True)
class MakeBuyAnalysis:
    """All cases of a ``makebuy`` section analysed; report-ready frames as properties."""

    cases: dict[str, CaseAnalysis]
    settings: dict

    @property
    def summary(self) -> pd.DataFrame:
        """One row per case: PVs, winner, margin, cost per unit, break-even, P(make cheaper), recommendation."""
        rows = []
        for a in self.cases.values():
            rows.append(
                {
                    "case": a.case.name,
                    "label": a.case.label,
                    "unit": a.case.unit,
                    "horizon": a.case.horizon,
                    "units": a.summary["units"],
                    "pv_make": a.summary["pv_make"],
                    "pv_buy": a.summary["pv_buy"],
                    "make_saving": a.summary["make_saving"],
                    "winner": a.summary["winner"],
                    "margin_share": a.summary["margin_share"],
                    "cost_per_unit_make": a.summary["cost_per_unit_make"],
                    "cost_per_unit_buy": a.summary["cost_per_unit_buy"],
                    "break_even_units": np.nan if a.break_even.volume is None else a.break_even.volume,
                    "p_make_cheaper": a.monte_carlo["p_make_cheaper"],
                    "recommendation": a.recommendation.recommendation + (" (close call)" if a.recommendation.close_call else ""),
                }
            )
        return pd.DataFrame(rows).astype({"case": "str", "label": "str", "unit": "str", "winner": "str", "recommendation": "str"})

    @property
    def cost_tables(self) -> pd.DataFrame:
        """Every case's :func:`cost_table`, with case and case_label columns in front."""
        return pd.concat([_with_case(a.cost_table, a.case) for a in self.cases.values()], ignore_index=True)

    @property
    def cost_columns(self) -> tuple[str, ...]:
        """The money columns of :attr:`cost_tables` (t0.., total, pv)."""
        return tuple(c for c in self.cost_tables.columns if c.startswith("t") and c[1:].isdigit()) + ("total", "pv")

    @property
    def break_even(self) -> pd.DataFrame:
        """One row per case: break-even volume and period and the sentence explaining it."""
        rows = [
            {
                "case": a.case.name,
                "label": a.case.label,
                "pv_make": a.summary["pv_make"],
                "pv_buy": a.summary["pv_buy"],
                "make_saving": a.summary["make_saving"],
                "winner": a.summary["winner"],
                "break_even_units": np.nan if a.break_even.volume is None else a.break_even.volume,
                "break_even_period": np.nan if a.break_even.period is None else a.break_even.period,
                "note": a.break_even.reason,
            }
            for a in self.cases.values()
        ]
        return pd.DataFrame(rows).astype({"case": "str", "label": "str", "winner": "str", "note": "str"})

    @property
    def monte_carlo(self) -> pd.DataFrame:
        """One row per case: the NPV difference over simulated demand (see :func:`summarise_draws`)."""
        rows = []
        for a in self.cases.values():
            d = a.case.spec["demand"]
            rows.append(
                {
                    "case": a.case.name,
                    "label": a.case.label,
                    "distribution": d["distribution"],
                    "volatility": float(d["volatility"]),
                    "plan_saving": a.summary["make_saving"],
                    **{k: a.monte_carlo[k] for k in ("mean_saving", "p05", "p50", "p95", "p_make_cheaper")},
                }
            )
        return pd.DataFrame(rows).astype({"case": "str", "label": "str", "distribution": "str"})

    @property
    def volatility(self) -> pd.DataFrame:
        """Every case's :func:`volatility_table` with case columns in front."""
        return pd.concat([_with_case(a.volatility, a.case) for a in self.cases.values()], ignore_index=True)

    @property
    def tornado(self) -> pd.DataFrame:
        """Every case's :func:`tornado` with case columns in front."""
        return pd.concat([_with_case(a.tornado, a.case) for a in self.cases.values()], ignore_index=True)

    @property
    def scorecard(self) -> pd.DataFrame:
        """Factors as rows, each case's score as a column, then weight, and each case's qualitative score as a last row."""
        first = next(iter(self.cases.values())).scorecard
        out = first[["label", "weight"]].rename(columns={"label": "factor"}).copy()
        for a in self.cases.values():
            out[a.case.label] = a.scorecard["score"].to_numpy()
        total = {"factor": "Qualitative score (5 = favours making)", "weight": 1.0}
        total.update({a.case.label: round(a.recommendation.qualitative_score, 2) for a in self.cases.values()})
        return pd.concat([out, pd.DataFrame([total])], ignore_index=True).astype({"factor": "str"})

    @property
    def recommendations(self) -> pd.DataFrame:
        """One row per reason: case label, recommendation, reason number and sentence."""
        rows = []
        for a in self.cases.values():
            r = a.recommendation
            verdict = r.recommendation + (" (close call)" if r.close_call else "")
            for i, text in enumerate(r.reasons, start=1):
                rows.append({"case": a.case.label, "recommendation": verdict, "n": i, "reason": text})
        return pd.DataFrame(rows).astype({"case": "str", "recommendation": "str", "reason": "str"})

    # report tables: readable headers, one row per product or cost line -------------

    def _names(self) -> dict[str, str]:
        """Case name -> the label shown in reports (the case name is added when two labels clash)."""
        labels = [a.case.label for a in self.cases.values()]
        return {n: a.case.label if labels.count(a.case.label) == 1 else f"{a.case.label} ({n})" for n, a in self.cases.items()}

    @property
    def products(self) -> pd.DataFrame:
        """One row per product: what it is, its unit, the planned units over the horizon and the horizon.

        cases -> columns out: Product, What it is, Unit, Planned units (whole), Horizon (e.g. "16 quarters").
        """
        names = self._names()
        rows = [
            {
                "Product": names[n],
                "What it is": a.case.spec.get("description", ""),
                "Unit": a.case.unit,
                "Planned units": round(a.summary["units"]),
                "Horizon": f"{a.case.horizon} {a.case.period_word}s",
            }
            for n, a in self.cases.items()
        ]
        return pd.DataFrame(rows, columns=PRODUCT_COLUMNS).astype(
            {c: "str" for c in PRODUCT_COLUMNS if c != "Planned units"} | {"Planned units": "Int64"}
        )

    @property
    def glance(self) -> pd.DataFrame:
        """One row per product: the recommendation, the cheaper option at plan, cost per unit, saving and its chance.

        cases -> columns out: Product, Recommendation, Cheaper at planned demand, Cost per unit: make,
        Cost per unit: buy, Saving from making (PV buy - PV make), Chance making is cheaper (fraction).
        """
        names = self._names()
        rows = [
            {
                "Product": names[n],
                "Recommendation": _verdict(a.recommendation),
                "Cheaper at planned demand": OPTION_LABELS[a.summary["winner"]],
                "Cost per unit: make": a.summary["cost_per_unit_make"],
                "Cost per unit: buy": a.summary["cost_per_unit_buy"],
                "Saving from making": a.summary["make_saving"],
                "Chance making is cheaper": a.monte_carlo["p_make_cheaper"],
            }
            for n, a in self.cases.items()
        ]
        return pd.DataFrame(rows, columns=GLANCE_COLUMNS).astype({c: "str" for c in GLANCE_COLUMNS[:3]})

    @property
    def cost_lines(self) -> pd.DataFrame:
        """Present value of every cost line (rows) for every product (columns), with each option's total.

        The per-period detail is in :attr:`costs_by_period` (drawn by :func:`plot_costs_per_period`).
        cost tables -> columns out: Option, Cost line, Type (Direct / Hidden or indirect / "" for the
        total), then one money column per product.
        """
        names = self._names()
        order = [("make", line, kind) for line, kind in MAKE_LINES] + [("make", "total", "total")]
        order += [("buy", line, kind) for line, kind in BUY_LINES] + [("buy", "total", "total")]
        out = pd.DataFrame(
            {
                "Option": [OPTION_LABELS[o] for o, _, _ in order],
                "Cost line": [LINE_LABELS[line] if line != "total" else f"Total cost of {OPTION_VERBS[o]}" for o, line, _ in order],
                "Type": [KIND_LABELS[k] for _, _, k in order],
            },
            dtype="str",
        )
        for n, a in self.cases.items():
            pv = a.cost_table.set_index(["option", "line"])["pv"]
            out[names[n]] = [float(pv.loc[(o, line)]) for o, line, _ in order]
        return out

    @property
    def costs_by_period(self) -> pd.DataFrame:
        """Cost of each option per period, split into direct and hidden or indirect cost (long form, for charts).

        cost tables -> columns out: case, case_label, period_word, period, option, kind (direct/hidden), cost.
        """
        names = self._names()
        parts = []
        for n, a in self.cases.items():
            t = a.cost_table[a.cost_table["kind"] != "total"]
            cols = [f"t{i}" for i in range(a.case.horizon + 1)]
            g = t.groupby(["option", "kind"], sort=False)[cols].sum()
            for (option, kind), values in g.iterrows():
                parts.append(
                    pd.DataFrame(
                        {
                            "case": n,
                            "case_label": names[n],
                            "period_word": a.case.period_word,
                            "period": np.arange(a.case.horizon + 1, dtype=np.int64),
                            "option": option,
                            "kind": kind,
                            "cost": values.to_numpy(dtype=float),
                        }
                    )
                )
        cols = ["case", "case_label", "period_word", "period", "option", "kind", "cost"]
        if not parts:
            return pd.DataFrame(columns=cols)
        return pd.concat(parts, ignore_index=True).astype({c: "str" for c in ("case", "case_label", "period_word", "option", "kind")})

    @property
    def cumulative_costs(self) -> pd.DataFrame:
        """Cumulative present value of each option's cost at every period end, with the cumulative volume.

        cost tables -> columns out: case, case_label, period_word, period, cumulative_units, make, buy.
        """
        names = self._names()
        parts = []
        for n, a in self.cases.items():
            cols = [f"t{i}" for i in range(a.case.horizon + 1)]
            total = a.cost_table[a.cost_table["line"] == "total"].set_index("option")[cols]
            disc = a.case.discount_factors()
            parts.append(
                pd.DataFrame(
                    {
                        "case": n,
                        "case_label": names[n],
                        "period_word": a.case.period_word,
                        "period": np.arange(a.case.horizon + 1, dtype=np.int64),
                        "cumulative_units": np.concatenate([[0.0], np.cumsum(demand_path(a.case))]),
                        "make": np.cumsum(total.loc["make"].to_numpy(dtype=float) * disc),
                        "buy": np.cumsum(total.loc["buy"].to_numpy(dtype=float) * disc),
                    }
                )
            )
        cols = ["case", "case_label", "period_word", "period", "cumulative_units", "make", "buy"]
        if not parts:
            return pd.DataFrame(columns=cols)
        return pd.concat(parts, ignore_index=True).astype({c: "str" for c in ("case", "case_label", "period_word")})

    @property
    def uncertainty(self) -> pd.DataFrame:
        """One row per product: the saving from making at plan and its spread over simulated demand.

        cases -> columns out: Product, Demand volatility, Saving at planned demand, Saving: 5th percentile,
        Saving: median, Saving: 95th percentile, Chance making is cheaper.
        """
        names = self._names()
        rows = [
            {
                "Product": names[n],
                "Demand volatility": float(a.case.spec["demand"]["volatility"]),
                "Saving at planned demand": a.summary["make_saving"],
                "Saving: 5th percentile": a.monte_carlo["p05"],
                "Saving: median": a.monte_carlo["p50"],
                "Saving: 95th percentile": a.monte_carlo["p95"],
                "Chance making is cheaper": a.monte_carlo["p_make_cheaper"],
            }
            for n, a in self.cases.items()
        ]
        return pd.DataFrame(rows, columns=UNCERTAINTY_COLUMNS).astype({"Product": "str"})

    @property
    def factors(self) -> pd.DataFrame:
        """The scorecard for reading: one row per factor, the option a high score favours, its weight, each product's score.

        scorecards -> columns out: Factor, A high score favours, Weight (fraction), one whole-number column per product.
        """
        names = self._names()
        first = next(iter(self.cases.values()), None)
        out = pd.DataFrame(
            {
                "Factor": [FACTOR_LABELS[f] for f in FACTORS],
                "A high score favours": [OPTION_LABELS["make" if FACTOR_DIRECTION[f] > 0 else "buy"] for f in FACTORS],
                "Weight": first.scorecard["weight"].to_numpy(dtype=float) if first is not None else np.nan,
            }
        ).astype({"Factor": "str", "A high score favours": "str"})
        for n, a in self.cases.items():
            out[names[n]] = pd.array(a.scorecard["score"].to_numpy(), dtype="Int64")
        return out

    @property
    def verdicts(self) -> pd.DataFrame:
        """One row per product: the recommendation and the three scores behind it (1-5, 5 = favours making).

        cases -> columns out: Product, Recommendation, Cost score, Qualitative score, Combined score.
        """
        names = self._names()
        rows = [
            {
                "Product": names[n],
                "Recommendation": _verdict(a.recommendation),
                "Cost score": a.recommendation.cost_score,
                "Qualitative score": a.recommendation.qualitative_score,
                "Combined score": a.recommendation.combined_score,
            }
            for n, a in self.cases.items()
        ]
        return pd.DataFrame(rows, columns=VERDICT_COLUMNS).astype({"Product": "str", "Recommendation": "str"})

    @property
    def reasons(self) -> pd.DataFrame:
        """The reasons behind each recommendation, one sentence a row; the product is named on its first row only.

        cases -> columns out: Product, Reason.
        """
        names = self._names()
        rows = [
            {"Product": names[n] if i == 0 else "", "Reason": text}
            for n, a in self.cases.items()
            for i, text in enumerate(a.recommendation.reasons)
        ]
        return pd.DataFrame(rows, columns=["Product", "Reason"], dtype="str")

    def formats(self, table: str) -> dict:
        """How :func:`custlib.reports.context.show` should format one of the report tables.

        Parameters
        ----------
        table : str
            ``"products"``, ``"glance"``, ``"cost_lines"``, ``"uncertainty"``, ``"factors"`` or ``"verdicts"``.

        Returns
        -------
        dict
            Keyword arguments (``money``, ``pct``, ``decimals``) naming the table's columns.

        Raises
        ------
        KeyError
            Unknown table.
        """
        money_cases = tuple(self._names().values())
        known = {
            "products": {},
            "glance": {"money": GLANCE_COLUMNS[3:6], "pct": GLANCE_COLUMNS[6:]},
            "cost_lines": {"money": money_cases},
            "uncertainty": {"money": UNCERTAINTY_COLUMNS[2:6], "pct": (UNCERTAINTY_COLUMNS[1], UNCERTAINTY_COLUMNS[6])},
            "factors": {"pct": ("Weight",)},
            "verdicts": {"decimals": VERDICT_COLUMNS[2:]},
        }
        if table not in known:
            raise KeyError(f"table: expected one of {', '.join(known)}, got {table!r}")
        return known[table]


def analyse_cases(section: Mapping, *, currency: str = "", source: str | None = None) -> MakeBuyAnalysis:
    """Validate a ``makebuy`` parameter section and analyse every case in it.

    Parameters
    ----------
    section : mapping
        ``params["makebuy"]`` (merged defaults and region overrides).
    currency : str, default ""
        Prefix for amounts in sentences.
    source : str, optional
        Origin named in error messages.

    Returns
    -------
    MakeBuyAnalysis
        section -> per-case analyses and report frames.

    Raises
    ------
    ParamsError
        Any problem in the section, each naming the case and field.
    """
    params = validate_params(section, source=source)
    for spec in params["cases"].values():  # a client's own Chinese names, for this report only
        i18n.add_report_terms({spec[f]: spec.get(f"{f}_zh", "") for f in ("label", "unit", "description")})
    cases = {name: analyse_case(Case(name, spec), params, currency=currency) for name, spec in params["cases"].items()}
    return MakeBuyAnalysis(cases, {k: v for k, v in params.items() if k != "cases"})


def compare_cases(section: Mapping, *, currency: str = "") -> pd.DataFrame:
    """Summary frame of every case in a ``makebuy`` section (see :attr:`MakeBuyAnalysis.summary`).

    Parameters
    ----------
    section : mapping
    currency : str, default ""

    Returns
    -------
    DataFrame
        section -> one row per case.

    Raises
    ------
    ParamsError
        As :func:`analyse_cases`.
    """
    return analyse_cases(section, currency=currency).summary


# --------------------------------------------------------------------------- report charts


def _verdict(rec: Recommendation) -> str:
    """``'Make'``, ``'Buy'``, ``'Buy (close call)'``..."""
    return OPTION_LABELS[rec.recommendation] + (" (close call)" if rec.close_call else "")


def _panels(n: int, height: float, axes, extra: float = 0.6):
    """``axes`` as an array, or a new column of ``n`` panels of ``height`` inches."""
    import matplotlib.pyplot as plt

    if axes is not None:
        return np.asarray(axes).reshape(-1)
    _, axes = plt.subplots(max(n, 1), 1, figsize=(8, height * max(n, 1) + extra), squeeze=False, layout="constrained")
    return axes[:, 0]


def _period_ticks(ax, periods: np.ndarray) -> None:
    from matplotlib.ticker import MaxNLocator

    if len(periods) <= 25:
        ax.set_xticks(periods)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(12, integer=True))


COST_LEGEND = {
    ("make", "direct"): "Make: direct cost",
    ("make", "hidden"): "Make: hidden or indirect cost",
    ("buy", "direct"): "Buy: direct cost",
    ("buy", "hidden"): "Buy: hidden or indirect cost",
}


def plot_costs_per_period(frame: pd.DataFrame, *, axes=None, currency: str = "", lang: str = "en"):
    """Each option's cost per period as paired stacked bars, one panel per product.

    Bars: make (blue) and buy (orange) side by side for every period, direct
    cost at the bottom and the hidden or indirect cost hatched on top; period 0
    holds the one-off costs. The per-period table in picture form (see
    :func:`cost_table` for the lines and their sources).

    Parameters
    ----------
    frame : DataFrame
        ``MakeBuyAnalysis.costs_by_period``.
    axes : sequence of Axes, optional
        One per product.
    currency : str, default ""
        Named in the axis label.
    lang : str, default "en"
        Language of the labels and of the amounts.

    Returns
    -------
    ndarray of Axes
        columns in: case, case_label, period_word, period, option, kind, cost -> charts.
    """
    from matplotlib.ticker import FuncFormatter

    from custlib.reports.context import PALETTE

    cases = list(dict.fromkeys(frame["case"]))
    axes = _panels(len(cases), 2.9, axes)
    light = {"make": "#8cc5e3", "buy": "#f7c99b"}
    width = 0.4
    for ax, c in zip(axes, cases, strict=True):
        part = frame[frame["case"] == c]
        word = str(part["period_word"].iloc[0])
        periods = np.sort(part["period"].unique())
        for k, option in enumerate(("make", "buy")):
            bottom = np.zeros(len(periods))
            for kind in ("direct", "hidden"):
                sel = part[(part["option"] == option) & (part["kind"] == kind)].set_index("period")["cost"]
                v = sel.reindex(periods, fill_value=0.0).to_numpy(dtype=float)
                ax.bar(
                    periods + (k - 0.5) * width,
                    v,
                    width=width,
                    bottom=bottom,
                    color=PALETTE[option] if kind == "direct" else light[option],
                    hatch="///" if kind == "hidden" else None,
                    edgecolor="white",
                    linewidth=0.4,
                    label=i18n.tr(COST_LEGEND[(option, kind)], lang),
                )
                bottom = bottom + v
        _period_ticks(ax, periods)
        ax.tick_params(axis="x", labelsize="small")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _short_amount(v, lang)))
        ax.set_ylabel(i18n.tr(f"Cost per {word}" + (f" ({currency})" if currency else ""), lang))
        ax.set_xlabel(i18n.tr(f"{word.capitalize()} (0 = one-off costs at the start)", lang))
        ax.set_title(i18n.tr(str(part["case_label"].iloc[0]), lang))
    if cases:
        handles, labels = axes[0].get_legend_handles_labels()
        axes[0].figure.legend(handles, labels, loc="outside upper center", ncol=2, fontsize="small", frameon=False)
    return axes


def plot_break_even(frame: pd.DataFrame, marks: pd.DataFrame | None = None, *, axes=None, currency: str = "", lang: str = "en"):
    """Cumulative present value of making and of buying, one panel per product, with the break-even point.

    Where the lines cross, the cumulative (discounted) cost of making meets
    that of buying: the break-even of :func:`break_even`, marked with a dot and
    named in the panel's corner.

    Parameters
    ----------
    frame : DataFrame
        ``MakeBuyAnalysis.cumulative_costs``.
    marks : DataFrame, optional
        ``MakeBuyAnalysis.break_even`` (case, break_even_units, break_even_period); no marks when None.
    axes : sequence of Axes, optional
    currency : str, default ""
    lang : str, default "en"

    Returns
    -------
    ndarray of Axes
        columns in: case, case_label, period_word, period, make, buy (+ marks' case,
        break_even_units, break_even_period) -> charts.
    """
    from matplotlib.ticker import FuncFormatter

    from custlib.reports.context import PALETTE

    cases = list(dict.fromkeys(frame["case"]))
    axes = _panels(len(cases), 2.6, axes)
    at = marks.set_index("case") if marks is not None and len(marks) else None
    for ax, c in zip(axes, cases, strict=True):
        part = frame[frame["case"] == c].sort_values("period", kind="stable")
        word = str(part["period_word"].iloc[0])
        x = part["period"].to_numpy(dtype=float)
        for option in ("make", "buy"):
            ax.plot(
                x, part[option], color=PALETTE[option], linewidth=2, marker="o", markersize=3, label=i18n.tr(OPTION_LABELS[option], lang)
            )
        if at is not None and c in at.index:
            units, period = at.loc[c, "break_even_units"], at.loc[c, "break_even_period"]
            if pd.isna(units):
                note = "No break-even within the horizon"
            else:
                y = float(np.interp(period, x, part["make"].to_numpy(dtype=float)))
                ax.plot([period], [y], "o", color="#222222", markersize=7, zorder=5)
                note = (
                    "Making is cheaper from the start"
                    if float(units) == 0
                    else f"Break-even after {_cumulative_units(float(units))}, in {word} {math.ceil(period)}"
                )
            ax.text(0.02, 0.93, i18n.tr(note, lang), transform=ax.transAxes, va="top", fontsize="small")
        _period_ticks(ax, part["period"].to_numpy())
        ax.tick_params(axis="x", labelsize="small")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _short_amount(v, lang)))
        ax.set_ylabel(i18n.tr("Cumulative cost, PV" + (f" ({currency})" if currency else ""), lang))
        ax.set_xlabel(i18n.tr(f"{word.capitalize()} (0 = one-off costs at the start)", lang))
        ax.set_title(i18n.tr(str(part["case_label"].iloc[0]), lang))
    if cases:
        handles, labels = axes[0].get_legend_handles_labels()
        axes[0].figure.legend(handles, labels, loc="outside upper center", ncol=2, fontsize="small", frameon=False)
    return axes


def plot_volatility(frame: pd.DataFrame, *, ax=None, lang: str = "en"):
    """Chance that making is cheaper against demand volatility, one line per product.

    A line that crosses the dashed 50% line is decided by how sure we are of
    demand; the large dot is the product's own (planned) volatility.

    Parameters
    ----------
    frame : DataFrame
        ``MakeBuyAnalysis.volatility`` (from :func:`volatility_table`, with case columns).
    ax : matplotlib Axes, optional
    lang : str, default "en"

    Returns
    -------
    matplotlib Axes
        columns in: case, case_label, multiplier, volatility, p_make_cheaper -> a chart.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    from custlib.reports.context import SEQUENCE

    # products are neither options nor tiers: skip the make (blue) and buy (orange) colours
    colours = [SEQUENCE[i] for i in (2, 4, 7, 5, 6, 3)]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
    for i, c in enumerate(dict.fromkeys(frame["case"])):
        part = frame[frame["case"] == c].sort_values("multiplier", kind="stable")
        colour = colours[i % len(colours)]
        ax.plot(
            part["volatility"],
            part["p_make_cheaper"],
            marker="o",
            markersize=4,
            color=colour,
            label=i18n.tr(str(part["case_label"].iloc[0]), lang),
        )
        own = part[part["multiplier"] == 1.0]
        ax.plot(own["volatility"], own["p_make_cheaper"], "o", markersize=10, color=colour)
    ax.axhline(0.5, color="#666666", linestyle="--", linewidth=1)
    ax.text(
        1.0,
        0.5,
        i18n.tr("Even chance", lang),
        transform=ax.get_yaxis_transform(),
        ha="right",
        va="bottom",
        fontsize="small",
        color="#444444",
    )
    ax.set_ylim(-0.03, 1.03)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(i18n.tr("Demand volatility", lang))
    ax.set_ylabel(i18n.tr("Chance making is cheaper", lang))
    ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=min(2, max(1, frame["case"].nunique())), fontsize="small", frameon=False
    )
    return ax


# --------------------------------------------------------------------------- executive summary


HEADLINE_LABELS = ("Products to make in-house", "Products to buy from a supplier", "Close calls to revisit")


def headline_figures(analysis: MakeBuyAnalysis | None, currency: str = "CNY") -> tuple[pd.DataFrame, list[str]]:
    """The make-vs-buy report's headline figures and the actions they suggest.

    Figures (make-vs-buy is computed from the parameters, not from the
    quarter's orders, so there is no previous quarter to compare: ``previous``
    is NaN):

    1. products recommended to make in-house;
    2. products recommended to buy;
    3. close calls (the combined score within the close-call band of 3; good: down);
    4. the expected saving from following the recommendations, in ``currency``:
       the sum over products of the mean simulated present value of the option
       not recommended minus that of the recommended one (negative where the
       qualitative factors outweigh a cost disadvantage).

    Actions (at most three): close calls first, then by the size of the
    expected saving; each names the product (escaped for HTML), the option and
    the amount. Without an analysis or cases every figure is NaN and there
    are no actions.

    Parameters
    ----------
    analysis : MakeBuyAnalysis or None
        From :func:`analyse_cases`.
    currency : str, default "CNY"
        Shown with money (``ctx.currency``).

    Returns
    -------
    (DataFrame, list of str)
        Columns figure, value, previous, unit, good (see
        :func:`custlib.reports.context.executive_summary`); the actions. analysis -> headlines.
    """
    import html

    cases = list(analysis.cases.values()) if analysis is not None else []
    nan = math.nan

    def expected(a: CaseAnalysis) -> float:
        s = float(a.monte_carlo["mean_saving"])
        return s if a.recommendation.recommendation == "make" else -s

    if cases:
        recs = [a.recommendation for a in cases]
        values = [
            float(sum(r.recommendation == "make" for r in recs)),
            float(sum(r.recommendation == "buy" for r in recs)),
            float(sum(r.close_call for r in recs)),
            float(sum(expected(a) for a in cases)),
        ]
    else:
        values = [nan] * 4
    figures = pd.DataFrame(
        {
            "figure": [*HEADLINE_LABELS, f"Expected saving from the recommendations ({currency}, present value)"],
            "value": values,
            "previous": [nan] * 4,
            "unit": ["count", "count", "count", "money"],
            "good": ["up", "up", "down", "up"],
        }
    )
    money = _money_fn(currency)
    order = sorted(cases, key=lambda a: (not a.recommendation.close_call, -abs(expected(a)), a.case.name))
    actions = []
    for a in order[:3]:
        r, label = a.recommendation, html.escape(a.case.label)
        span = f"{a.case.horizon} {a.case.period_word}s"
        s = expected(a)
        if r.close_call:
            lean = OPTION_VERBS[r.recommendation]
            actions.append(f"{label}: a close call, leaning to {lean}; decide again when demand is clearer or a supplier quote is firm.")
        elif s >= 0:
            do, verb, other = (
                ("develop it in-house", "making", "buying")
                if r.recommendation == "make"
                else ("buy it from a supplier", "buying", "making")
            )
            actions.append(f"{label}: {do}. Over {span} {verb} is expected to cost {money(s)} less than {other}, in present value.")
        else:
            do, verb, other = (
                ("develop it in-house", "making", "buying")
                if r.recommendation == "make"
                else ("buy it from a supplier", "buying", "making")
            )
            actions.append(
                f"{label}: {do} for the qualitative reasons, although {verb} is expected to cost {money(-s)} more than {other} over {span}."
            )
    return figures, actions


# --------------------------------------------------------------------------- Chinese catalogue (custlib.present.i18n)

#: Chinese display names of the sample cases (labels, units, descriptions in params/defaults.yaml). Optional:
#: a case whose text is not listed keeps its own wording in a Chinese report.
CASE_TEXT_ZH = {
    "Condition-monitoring sensor kit": "状态监测传感器套件",
    "Custom stainless fastener line": "定制不锈钢紧固件系列",
    "Remote machine-monitoring service": "远程设备监测服务",
    "kit": "套",
    "box of 1,000": "盒（每盒 1,000 件）",
    "site-quarter": "站点·季度",
    "A vibration and temperature sensor kit that key machinery customers ask for with their orders. Make: design it and "
    "assemble it on a small line; buy: a contract manufacturer's kit under our brand.": "重点机械客户随订单索要的振动与温度传感器套件。"
    "自主开发：自行设计，在一条小型产线上组装；外部采购：由代工厂生产、使用我们品牌的套件。",
    "Special stainless screws that a few customers want with our assemblies. Make: a cold-heading and thread-rolling cell; "
    "buy: a specialist fastener maker.": "少数客户希望随我们的组件一起供应的特种不锈钢螺钉。自主开发：建一个冷镦和搓丝生产单元；"
    "外部采购：向专业紧固件厂商采购。",
    "A subscription service that watches customers' machines and books maintenance. Make: build the software platform and "
    "run it; buy: a white-label platform paid per monitored site.": "监测客户设备并安排维护的订阅服务。自主开发：自建并运营软件平台；"
    "外部采购：采用按监测站点付费的贴牌平台。",
}

_ZH_OPTIONS = {"make": "自主开发", "buy": "外部采购", "making": "自主开发", "buying": "外部采购"}
_ZH_COUNT = {"quarter": "个季度", "year": "年", "half-year": "个半年", "month": "个月", "week": "周", "period": "期"}
_ZH_ONE = {"quarter": "一个季度", "year": "一年", "half-year": "半年", "month": "一个月", "week": "一周", "period": "一期"}
_ZH_NOUN = {"quarter": "季度", "year": "年", "half-year": "半年", "month": "月", "week": "周", "period": "期"}
_ZH_DISTRIBUTIONS = {"lognormal": "对数正态", "normal": "正态", "triangular": "三角"}

_ZH_TERMS = {
    **CASE_TEXT_ZH,
    # options, kinds, cost lines
    "Make": "自主开发",
    "Buy": "外部采购",
    "Make (close call)": "自主开发（难以取舍）",
    "Buy (close call)": "外部采购（难以取舍）",
    "Direct": "直接成本",
    "Hidden or indirect": "隐性或间接成本",
    "Development (one-off)": "开发成本（一次性）",
    "Labour (on the learning curve)": "人工成本（按学习曲线）",
    "Material": "材料成本",
    "Fixed operating cost": "固定运营成本",
    "Depreciation of equipment": "设备折旧",
    "Overhead": "间接费用",
    "Financing of equipment": "设备占用资金成本",
    "Financing of working capital": "营运资金成本",
    "Transition to the supplier (one-off)": "转向供应商的转换成本（一次性）",
    "Purchase": "采购成本",
    "Supplier management": "供应商管理成本",
    "Quality cost of defects": "缺陷造成的质量成本",
    "Risk of supplier bankruptcy": "供应商破产风险",
    "Risk of ownership change": "供应商所有权变更风险",
    "Risk of quality swings": "质量波动风险",
    "Risk of contract default": "合同违约风险",
    "Total cost of making": "自主开发总成本",
    "Total cost of buying": "外部采购总成本",
    # table headers
    "Product": "产品",
    "What it is": "说明",
    "Unit": "计量单位",
    "Planned units": "计划总量",
    "Horizon": "比较期",
    "Recommendation": "建议",
    "Cheaper at planned demand": "按计划需求更便宜的方案",
    "Cost per unit: make": "单位成本：自主开发",
    "Cost per unit: buy": "单位成本：外部采购",
    "Saving from making": "自主开发节省额",
    "Chance making is cheaper": "自主开发更便宜的概率",
    "Option": "方案",
    "Cost line": "成本项目",
    "Type": "类型",
    "Demand volatility": "需求波动率",
    "Saving at planned demand": "按计划需求的节省额",
    "Saving: 5th percentile": "节省额：5% 分位数",
    "Saving: median": "节省额：中位数",
    "Saving: 95th percentile": "节省额：95% 分位数",
    "Factor": "因素",
    "A high score favours": "高分有利于",
    "Weight": "权重",
    "Cost score": "成本得分",
    "Qualitative score": "定性得分",
    "Combined score": "综合得分",
    "Reason": "理由",
    "Qualitative score (5 = favours making)": "定性得分（5 分 = 倾向自主开发）",
    # captions of the 04 notebook
    "The products compared and their planned demand": "比较的产品及其计划需求",
    "Recommendation, cost per unit and saving from making, per product": "各产品的建议、单位成本和自主开发节省额",
    "Present value of each cost line, per product": "各产品每个成本项目的现值",
    "Saving from making over simulated demand (negative: buying is cheaper)": "模拟需求下的自主开发节省额（为负表示外部采购更便宜）",
    "Scores (1-5) of the factors other than cost, per product": "各产品成本以外因素的得分（1-5 分）",
    "Scores behind each recommendation (1-5; above 3 favours making)": "各项建议背后的得分（1-5 分，高于 3 分倾向自主开发）",
    "The reasons behind each recommendation": "各项建议的理由",
    # charts
    "Make: direct cost": "自主开发：直接成本",
    "Make: hidden or indirect cost": "自主开发：隐性或间接成本",
    "Buy: direct cost": "外部采购：直接成本",
    "Buy: hidden or indirect cost": "外部采购：隐性或间接成本",
    "Making is cheaper from the start": "自主开发从一开始就更便宜",
    "No break-even within the horizon": "比较期内没有盈亏平衡点",
    "Even chance": "概率相等",
    TORNADO_LOW: "输入取低值",
    TORNADO_HIGH: "输入取高值",
    # scorecard factors and tornado inputs
    "Demand level and stability": "需求水平与稳定性",
    "Own R&D and production capability": "自身研发与生产能力",
    "Capability to manage outsourcing": "外包管理能力",
    "Quality of the outsourced product": "外包产品的质量",
    "Outsourcing risk": "外包风险",
    "Demand in the first period": "首期需求量",
    "Demand growth per period": "每期需求增长率",
    "Discount rate": "折现率",
    "Development cost": "开发成本",
    "Equipment investment": "设备投资",
    "First-unit labour cost": "首件人工成本",
    "Learning rate": "学习率",
    "Material cost per unit": "单位材料成本",
    "Overhead rate": "间接费用率",
    "Working capital share": "营运资金占比",
    "Cost of capital": "资金成本率",
    "Supplier price": "供应商单价",
    "Supplier management cost": "供应商管理成本",
    "Defect rate": "缺陷率",
    "Cost per defect": "单件缺陷成本",
    "Transition cost": "转换成本",
    "Chance of supplier bankruptcy": "供应商破产概率",
    "Chance of ownership change": "供应商所有权变更概率",
    "Chance of quality swings": "质量波动概率",
    "Chance of contract default": "合同违约概率",
    # executive summary and sentences without numbers
    "Products to make in-house": "建议自主开发的产品",
    "Products to buy from a supplier": "建议外部采购的产品",
    "Close calls to revisit": "需复核的难以取舍决定",
    "Making costs no more than buying from the start, so there is no volume to recover.": "自主开发从一开始就不比外部采购贵，没有需要收回的投入。",
    "This is a close call: revisit it when demand is clearer or a supplier quote is firm.": "这是一个难以取舍的决定：待需求更明朗或供应商报价确定后再复核。",
}


def _zh_phrase(text: str) -> str:
    """Translate a label that a sentence lower-cased (``'supplier price'``)."""
    hit = i18n.tr(text, "zh")
    return hit if hit != text else i18n.tr(text[:1].upper() + text[1:], "zh")


def _zh_count(n: str, word: str) -> str:
    return f"{n} {_ZH_COUNT.get(word, word)}"


def _zh_nth(word: str, n: str) -> str:
    return f"第 {n} {_ZH_COUNT.get(word, word) if word in ('half-year', 'month') else _ZH_NOUN.get(word, word)}"


def _zh_label(escaped: str) -> str:
    """A case label as escaped for HTML (in actions), translated and escaped again."""
    import html

    return html.escape(i18n.tr(html.unescape(escaped), "zh"))


_M = r"((?:\S+ )?-?[\d,]+)"  # an amount as _money_fn writes it: "CNY 1,234" or "-1,234"
_P = r"(\d+(?:\.\d)?%)"
_W = r"(quarter|year|half-year|month|week|period)"


def _zh_rules() -> list:
    """(regex, replacement) pairs for the sentences this module writes; a replacement may be a function of the match."""
    opt = _ZH_OPTIONS
    return [
        (rf"^(\d+) {_W}s$", lambda m: _zh_count(m[1], m[2])),
        (
            r"^Expected saving from the recommendations \((.+), present value\)$",
            r"按建议执行的预期节省额（\1，现值）",
        ),
        (rf"^Cost per {_W} \((.+)\)$", lambda m: f"每{_ZH_NOUN[m[1]]}成本（{m[2]}）"),
        (rf"^Cost per {_W}$", lambda m: f"每{_ZH_NOUN[m[1]]}成本"),
        (
            r"^(Quarter|Year|Half-year|Month|Week|Period) \(0 = one-off costs at the start\)$",
            lambda m: f"{_ZH_NOUN[m[1].lower()]}（0 = 期初一次性成本）",
        ),
        (r"^Cumulative cost, PV(?: \((.+)\))?$", lambda m: "累计成本现值" + (f"（{m[1]}）" if m[1] else "")),
        (r"^Saving from making, PV(?: \((.+)\))?$", lambda m: "自主开发节省额现值" + (f"（{m[1]}）" if m[1] else "")),
        (
            rf"^Break-even after ([\d,]+) cumulative units?, in {_W} (\d+)$",
            lambda m: f"累计 {m[1]} 单位后达到盈亏平衡（{_zh_nth(m[2], m[3])}）",
        ),
        # reasons (see recommend and break_even)
        (
            rf"^Over (\d+) {_W}s at a discount rate of {_P} a year, making costs {_M} and buying {_M} in present value, "
            rf"so (making|buying) is cheaper by {_M} \({_P} of the cost of (making|buying)\)\.$",
            lambda m: (
                f"在 {_zh_count(m[1], m[2])}内按年折现率 {m[3]} 计算，自主开发成本的现值为 {m[4]}，外部采购为 {m[5]}，"
                f"因此{opt[m[6]]}更便宜，低 {m[7]}（相当于{opt[m[9]]}成本的 {m[8]}）。"
            ),
        ),
        (
            rf"^Making never catches up within the (\d+) {_W}s: after all ([\d,]+) units it still costs {_M} more( in present value)?\."
            rf"(?: At the pace of the last {_W}, making would catch up after about ([\d,]+) units\.)?$",
            lambda m: (
                f"在 {_zh_count(m[1], m[2])}内自主开发始终追不上外部采购：全部 {m[3]} 单位之后{'按现值' if m[5] else ''}仍多花 {m[4]}。"
                + (f"按最后{_ZH_ONE[m[6]]}的速度，自主开发约在累计 {m[7]} 单位后追平。" if m[6] else "")
            ),
        ),
        (
            rf"^Making becomes cheaper than buying after ([\d,]+) cumulative units?, in {_W} (\d+)"
            r"(?: \(the cumulative costs cross (\d+) times; this is the last crossing\))?\.$",
            lambda m: (
                f"累计 {m[1]} 单位之后（{_zh_nth(m[2], m[3])}），自主开发比外部采购便宜"
                + (f"（累计成本曲线交叉 {m[4]} 次，这是最后一次）" if m[4] else "")
                + "。"
            ),
        ),
        (
            rf"^Making is cheaper at first, but buying becomes cheaper after ([\d,]+) cumulative units?, in {_W} (\d+)"
            r"(?: \(the cumulative costs cross (\d+) times; this is the last crossing\))?\.$",
            lambda m: (
                f"起初自主开发更便宜，但累计 {m[1]} 单位之后（{_zh_nth(m[2], m[3])}），外部采购更便宜"
                + (f"（累计成本曲线交叉 {m[4]} 次，这是最后一次）" if m[4] else "")
                + "。"
            ),
        ),
        (
            rf"^Hidden and indirect costs are {_P} of the make cost \(overhead, financing\) and {_P} of the buy cost "
            r"\(transition, supplier management, quality, supplier risk\)\.$",
            r"隐性和间接成本占自主开发成本的 \1（间接费用、资金成本），占外部采购成本的 \2（转换、供应商管理、质量、供应商风险）。",
        ),
        (
            rf"^Over ([\d,]+) simulated demand paths \((\w+), volatility {_P}\), making is cheaper in {_P} of them; "
            rf"the median saving from making is {_M}\.$",
            lambda m: (
                f"在 {m[1]} 条模拟需求路径中（{_ZH_DISTRIBUTIONS.get(m[2], m[2])}分布，波动率 {m[3]}），"
                f"自主开发在其中 {m[4]} 的路径上更便宜；自主开发节省额的中位数为 {m[5]}。"
            ),
        ),
        (
            rf"^The answer flips under uncertainty: at the planned demand (making|buying) is cheaper, but (making|buying) is cheaper "
            rf"in {_P} of the simulated demand paths(?: \({_P} of the paths have less demand than planned\))?\.$",
            lambda m: (
                f"考虑不确定性后结论反转：按计划需求{opt[m[1]]}更便宜，但在 {m[3]} 的模拟需求路径中{opt[m[2]]}更便宜"
                + (f"（{m[4]} 的路径需求低于计划）" if m[4] else "")
                + "。"
            ),
        ),
        (
            rf"^As demand volatility goes from {_P} to {_P}, the chance that making is cheaper moves from {_P} to {_P}\.$",
            r"需求波动率从 \1 升至 \2 时，自主开发更便宜的概率从 \3 变为 \4。",
        ),
        (
            rf"^The result is most sensitive to (.+?): between (.+?) and (.+?) the saving from making runs from {_M} to {_M}"
            r"( and the choice reverses within that range)?\.$",
            lambda m: (
                f"结果对{_zh_phrase(m[1])}最敏感：该输入在 {m[2]} 至 {m[3]} 之间变动时，自主开发节省额从 {m[4]} 变为 {m[5]}"
                + ("，结论在此范围内会反转" if m[6] else "")
                + "。"
            ),
        ),
        (
            r"^The choice also reverses within the range of: (.+)\.$",
            lambda m: "在以下输入的变动范围内结论也会反转：" + "、".join(_zh_phrase(x) for x in m[1].split(", ")) + "。",
        ),
        (
            r"^Favouring (making|buying): (.+)\.$",
            lambda m: (
                f"有利于{opt[m[1]]}的因素："
                + "、".join(f"{_zh_phrase(f)}（评分 {s}/5）" for f, s in re.findall(r"(.+?) \(scored (\d) of 5\)(?:, |$)", m[2]))
                + "。"
            ),
        ),
        (
            rf"^Weighing cost at {_P} \(score ([\d.]+) of 5 from the chance that making is cheaper\) and the qualitative factors at "
            rf"{_P} \(score ([\d.]+) of 5\), the combined score is ([\d.]+) \(above 3 favours making\), so the recommendation is to "
            r"(make|buy)\.$",
            lambda m: (
                f"成本权重 {m[1]}（按自主开发更便宜的概率得 {m[2]} 分，满分 5 分），定性因素权重 {m[3]}（得 {m[4]} 分），"
                f"综合得分 {m[5]}（高于 3 分倾向自主开发），因此建议{opt[m[6]]}。"
            ),
        ),
        # executive summary actions (see headline_figures)
        (
            r"^(.+): a close call, leaning to (making|buying); decide again when demand is clearer or a supplier quote is firm\.$",
            lambda m: f"{_zh_label(m[1])}：难以取舍，目前倾向{opt[m[2]]}；待需求更明朗或供应商报价确定后再决定。",
        ),
        (
            rf"^(.+): (develop it in-house|buy it from a supplier)\. Over (\d+) {_W}s (making|buying) is expected to cost {_M} less "
            r"than (making|buying), in present value\.$",
            lambda m: (
                f"{_zh_label(m[1])}：建议{opt[m[5]]}。在 {_zh_count(m[3], m[4])}内，{opt[m[5]]}的预期成本现值比{opt[m[7]]}低 {m[6]}。"
            ),
        ),
        (
            rf"^(.+): (develop it in-house|buy it from a supplier) for the qualitative reasons, although (making|buying) is expected "
            rf"to cost {_M} more than (making|buying) over (\d+) {_W}s\.$",
            lambda m: (
                f"{_zh_label(m[1])}：出于定性因素建议{opt[m[3]]}，尽管在 {_zh_count(m[6], m[7])}内{opt[m[3]]}的预期成本"
                f"比{opt[m[5]]}高 {m[4]}。"
            ),
        ),
    ]


def _zh_register() -> None:
    i18n.register(terms=_ZH_TERMS, patterns=_zh_rules())


_zh_register()
