"""Full cost of each option period by period, its present value and cost per unit.

The make option is costed in the full-cost (economic cost) view: the equipment
enters as straight-line depreciation plus a financing charge (cost of capital on
its opening book value), not as a cash outlay. When the cost of capital equals
the discount rate the present value of depreciation plus financing equals the
investment less the present value of the book value left at the end
(Preinreich 1938; Lücke 1955), so the NPV matches a cash-flow NPV in which the
equipment keeps its book value; set ``depreciation_periods <= horizon`` to
charge the whole investment within the horizon.

``make_saving = PV(buy cost) - PV(make cost)``: positive means making is cheaper.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from custlib.analysis.makebuy.cases import BUY_LINES, MAKE_LINES, RISKS, Case, Tiers, as_case, demand_path
from custlib.exceptions import DataError


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
    (Wright or Crawford, :mod:`custlib.analysis.makebuy.learning`), material at list price less volume
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
    d = check_demand(case, demand)
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


def check_demand(case: Case, demand) -> np.ndarray:
    """``demand`` as units per period 1..horizon (the plan when None); DataError if it does not fit the case."""
    if demand is None:
        return demand_path(case)
    d = np.asarray(demand, dtype=float).reshape(-1)
    if d.shape != (case.horizon,):
        raise DataError(f"demand: expected {case.horizon} values (one per period), got {d.size}")
    if not np.all(np.isfinite(d)) or (d < 0).any():
        raise DataError("demand: expected finite units >= 0 in every period")
    return d


def present_values(case: Case, demand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Present value of make and buy cost for each demand path (rows of ``demand``)."""
    make, buy = _cost_lines(case, demand)
    disc = case.discount_factors()
    return sum(make.values()) @ disc, sum(buy.values()) @ disc


def plan_saving(case: Case) -> float:
    """PV(buy) - PV(make) at the planned demand."""
    pv_make, pv_buy = present_values(case, demand_path(case)[None, :])
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
    d = check_demand(case, demand)
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
