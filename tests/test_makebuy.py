"""Tests of make-vs-buy (custlib.analysis.makebuy, custlib.present.makebuy, custlib.reports.makebuy): learning curves,
the case model, Monte Carlo, tornado, scorecard, params, report views and charts, headline figures and advice rules."""

from __future__ import annotations

import copy
import math
import os
import re
import time
from pathlib import Path

import jsonschema
import matplotlib
import numpy as np
import pandas as pd
import pytest

from custlib.analysis import makebuy as mb
from custlib.exceptions import DataError, InsufficientDataError, ParamsError
from custlib.io.examples import with_example_cases
from custlib.io.params import check, load_params
from custlib.present import makebuy as views
from custlib.reports import makebuy as mbr

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
REGIONS = ("North", "East", "South", "Southwest", "Central", "Northeast")

# Horngren, Datar & Rajan, Cost Accounting: A Managerial Emphasis, 14th ed. (Pearson 2012), ch. 10,
# 80% learning curve, first unit 100 direct manufacturing labour-hours, cumulative units 1..8.
# Exhibit 10-10 (cumulative average-time learning model):
HDR_WRIGHT_AVERAGE = [100.00, 80.00, 70.21, 64.00, 59.56, 56.17, 53.45, 51.20]
HDR_WRIGHT_TOTAL = [100.00, 160.00, 210.63, 256.00, 297.82, 337.01, 374.14, 409.60]
HDR_WRIGHT_UNIT = [100.00, 60.00, 50.63, 45.37, 41.82, 39.19, 37.13, 35.46]
# Exhibit 10-11 (incremental unit-time learning model):
HDR_CRAWFORD_UNIT = [100.00, 80.00, 70.21, 64.00, 59.56, 56.17, 53.45, 51.20]
HDR_CRAWFORD_TOTAL = [100.00, 180.00, 250.21, 314.21, 373.77, 429.94, 483.39, 534.59]
PRINTED = 0.005  # half a unit of the last printed digit


# --------------------------------------------------------------------------- learning curves


def test_wright_cumulative_average_matches_horngren_exhibit_10_10():
    """Horngren/Datar/Rajan 14th ed. Exhibit 10-10, cumulative average time per unit (80%, a = 100).

    Independent check of the printed digits: 100 * 2**log2(0.8) = 80, 100 * 4**log2(0.8) = 64,
    100 * 8**log2(0.8) = 51.2 exactly (each doubling multiplies by 0.8).
    """
    got = mb.wright_cumulative_average(100, 0.8, np.arange(1, 9))
    np.testing.assert_allclose(got, HDR_WRIGHT_AVERAGE, atol=PRINTED)


def test_wright_total_cost_matches_horngren_exhibit_10_10():
    """Exhibit 10-10, cumulative total time: 160, 256, 409.6 for 2, 4, 8 units (= units x average)."""
    got = mb.wright_total_cost(100, 0.8, np.arange(1, 9))
    np.testing.assert_allclose(got, HDR_WRIGHT_TOTAL, atol=PRINTED)


def test_wright_unit_cost_is_the_marginal_unit_of_exhibit_10_10():
    """Exhibit 10-10, individual unit time for the Xth unit: 160 - 100 = 60, 256 - 210.63 = 45.37, 409.6 - 374.14 = 35.46."""
    got = mb.wright_unit_cost(100, 0.8, np.arange(1, 9))
    np.testing.assert_allclose(got, HDR_WRIGHT_UNIT, atol=PRINTED)


def test_crawford_unit_cost_matches_horngren_exhibit_10_11():
    """Exhibit 10-11, individual unit time for the Xth unit (incremental unit-time model): 80, 64, 51.2 at 2, 4, 8."""
    got = mb.crawford_unit_cost(100, 0.8, np.arange(1, 9))
    np.testing.assert_allclose(got, HDR_CRAWFORD_UNIT, atol=PRINTED)


def test_crawford_total_cost_matches_horngren_exhibit_10_11():
    """Exhibit 10-11, cumulative total time: 180 (= 100 + 80), 314.21, 534.59 for 2, 4, 8 units."""
    got = mb.crawford_total_cost(100, 0.8, np.arange(1, 9))
    np.testing.assert_allclose(got, HDR_CRAWFORD_TOTAL, atol=PRINTED)


def test_crawford_total_cost_matches_published_unit_table_up_to_256_units():
    """A published unit-model table: "Exhibit 4A.2 - Unit, Cumulative, and Cumulative Average Direct
    Labor Worker-Hours Required for an 80 Percent Learning Curve" (operations-management course notes,
    chapter 4A "Learning Curves", in the style of Chase, Jacobs & Aquilano), 100,000 first-unit hours:
    cumulative hours 534,591 / 892,014 / 1,467,862 / 2,392,447 / 3,874,384 / 6,247,572 at
    8 / 16 / 32 / 64 / 128 / 256 units. Each figure was re-derived independently as
    round(sum(100000 * k ** log2(0.8) for k in 1..N)).
    """
    units = np.array([8, 16, 32, 64, 128, 256])
    printed = np.array([534_591, 892_014, 1_467_862, 2_392_447, 3_874_384, 6_247_572])
    np.testing.assert_allclose(mb.crawford_total_cost(100_000, 0.8, units), printed, atol=0.5)


@pytest.mark.parametrize("rate", [0.6, 0.8, 0.95, 0.5, 1.0])
@pytest.mark.parametrize("n", [1025, 5000, 123_457])
def test_crawford_total_cost_beyond_the_exact_table_equals_the_brute_force_sum(rate, n):
    """Closed form: the sum of k ** log2(rate) for k = 1..n, added term by term with math.fsum."""
    b = math.log2(rate)
    expected = math.fsum(k**b for k in range(1, n + 1))
    assert mb.crawford_total_cost(1.0, rate, n) == pytest.approx(expected, rel=1e-12)


def test_crawford_total_cost_adds_the_fraction_of_the_next_unit():
    """Convention: 2.5 units cost unit 1 + unit 2 + half of unit 3 (100 + 80 + 70.21 / 2 at 80%)."""
    assert mb.crawford_total_cost(100, 0.8, 2.5) == pytest.approx(100 + 80 + 0.5 * 100 * 3 ** math.log2(0.8))


def test_wright_average_falls_to_the_learning_rate_at_every_doubling():
    """Wright's defining property: Y(2X) = r * Y(X) for any X >= 1 (Wright 1936)."""
    x = np.array([1.0, 1.7, 3.0, 10.0, 333.3])
    for r in (0.7, 0.85, 0.93):
        np.testing.assert_allclose(mb.wright_cumulative_average(5.0, r, 2 * x), r * mb.wright_cumulative_average(5.0, r, x))


def test_learning_rate_of_one_means_no_learning():
    """Closed form: with r = 1, b = 0, so every unit costs the first unit's cost."""
    n = np.array([1, 2, 7, 5000])
    np.testing.assert_allclose(mb.wright_unit_cost(12.5, 1.0, n), 12.5)
    np.testing.assert_allclose(mb.crawford_total_cost(12.5, 1.0, n), 12.5 * n)
    np.testing.assert_allclose(mb.wright_total_cost(12.5, 1.0, n), 12.5 * n)


def test_learning_functions_return_the_shape_they_are_given():
    s = pd.Series([1, 2, 4], index=["a", "b", "c"], name="n")
    out = mb.crawford_unit_cost(100, 0.8, s)
    pd.testing.assert_series_equal(out, pd.Series([100.0, 80.0, 64.0], index=["a", "b", "c"], name="n"))
    assert isinstance(mb.wright_total_cost(100, 0.8, 4), float)
    assert mb.wright_unit_cost(100, 0.8, [1, 2]).shape == (2,)


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"learning_rate": 0}, ParamsError, r"learning_rate: expected a number in \(0, 1\]"),
        ({"learning_rate": 1.2}, ParamsError, "learning_rate"),
        ({"learning_rate": -0.8}, ParamsError, "learning_rate"),
        ({"learning_rate": "fast"}, ParamsError, "learning_rate"),
        ({"first_unit_cost": -1}, ParamsError, "first_unit_cost: expected a finite number >= 0"),
        ({"units": 0}, DataError, "units: expected numbers >= 1, got 0"),
        ({"units": [1, 2, 0.5]}, DataError, "units: .* at position 2"),
        ({"units": [1, np.nan]}, DataError, "units"),
    ],
)
def test_learning_curves_reject_bad_arguments_naming_them(kwargs, error, pattern):
    args = {"first_unit_cost": 100, "learning_rate": 0.8, "units": 4} | kwargs
    with pytest.raises(error, match=pattern):
        mb.wright_total_cost(**args)


@pytest.mark.parametrize("func", [mb.wright_unit_cost, mb.crawford_unit_cost])
@pytest.mark.parametrize("n", [0, 2.5, -3])
def test_unit_cost_needs_whole_unit_numbers_from_one(func, n):
    with pytest.raises(DataError, match="n: expected whole numbers >= 1"):
        func(100, 0.8, n)


# --------------------------------------------------------------------------- the case model


def hand_case(**changes) -> dict:
    """The hand-worked case: 1 period a year, 3 periods, 10% a year, 2 units every period.

    ``changes`` maps dotted paths to new values.
    """
    spec = {
        "label": "Hand-worked case",
        "horizon": 3,
        "periods_per_year": 1,
        "discount_rate": 0.10,
        "demand": {"base": 2, "growth": 0.0, "distribution": "lognormal", "volatility": 0.3},
        "make": {
            "development_cost": 500,
            "equipment_capex": 300,
            "depreciation_periods": 3,
            "fixed_cost_per_period": 50,
            "labour": {"first_unit_cost": 100, "learning_rate": 0.8, "model": "wright"},
            "material_cost_per_unit": 10,
            "material_volume_discounts": [{"min_units": 2, "discount": 0.10}],
            "overhead_rate": 0.5,
            "working_capital_share": 0.5,
            "cost_of_capital": 0.10,
        },
        "buy": {
            "unit_price": 300,
            "volume_discounts": [{"min_units": 2, "discount": 0.10}],
            "management_cost_per_period": 20,
            "defect_rate": 0.1,
            "cost_per_defect": 50,
            "transition_cost": 100,
            "risks": {
                "bankruptcy": {"probability": 0.05, "impact": 400},
                "ownership_change": {"probability": 0.0, "impact": 0},
                "quality_swings": {"probability": 0.0, "impact": 0},
                "contract_default": {"probability": 0.0, "impact": 0},
            },
        },
        "scorecard": {"demand": 3, "rd_capability": 3, "outsourcing_management": 3, "outsourced_quality": 3, "outsourcing_risk": 3},
    }
    for path, value in changes.items():
        spec = mb.set_path(spec, path, value)
    return spec


HAND_MAKE = {  # period -> line -> cost, worked by hand below
    "development": [500, 0, 0, 0],
    "labour": [0, 160, 96, 81.0098],
    "material": [0, 18, 18, 18],
    "fixed_operating": [0, 50, 50, 50],
    "depreciation": [0, 100, 100, 100],
    "overhead": [0, 114, 82, 74.5049],
    "financing_equipment": [0, 30, 20, 10],
    "financing_working_capital": [0, 8.9, 5.7, 4.9505],
    "total": [500, 480.9, 371.7, 338.4652],
}
HAND_BUY = {
    "transition": [100, 0, 0, 0],
    "purchase": [0, 540, 540, 540],
    "supplier_management": [0, 20, 20, 20],
    "quality": [0, 10, 10, 10],
    "risk_bankruptcy": [0, 20, 20, 20],
    "risk_ownership_change": [0, 0, 0, 0],
    "total": [100, 590, 590, 590],
}


def test_cost_table_of_the_hand_worked_case():
    """Every line computed by hand (2 units a period, so 2, 4, 6 cumulative units).

    Make: labour on the 80% Wright curve from Exhibit 10-10's totals: 160, 256 - 160 = 96,
    337.0098 - 256 = 81.0098. Material 2 x 10 x (1 - 10%) = 18. Depreciation 300 / 3 = 100;
    opening book value 300, 200, 100 -> financing 10% = 30, 20, 10. Overhead 50% of
    (labour + material + 50) = 0.5 x 228 = 114, 0.5 x 164 = 82, 0.5 x 149.0098 = 74.5049.
    Working capital 50% of (labour + material) at 10%: 0.05 x 178 = 8.9, 0.05 x 114 = 5.7,
    0.05 x 99.0098 = 4.9505. Totals 480.9, 371.7, 338.4652 (+ development 500 in period 0).
    Buy: 2 x 300 x 0.9 = 540; quality 0.1 x 2 x 50 = 10; bankruptcy 0.05 x 400 = 20;
    management 20; transition 100 in period 0.
    """
    table = mb.cost_table(mb.Case.from_params("hand", hand_case())).set_index(["option", "line"])
    cols = ["t0", "t1", "t2", "t3"]
    for option, lines in (("make", HAND_MAKE), ("buy", HAND_BUY)):
        for line, values in lines.items():
            np.testing.assert_allclose(table.loc[(option, line), cols].to_numpy(dtype=float), values, atol=1e-4, err_msg=f"{option}.{line}")
    assert list(table.loc["make"]["kind"]) == ["direct"] * 5 + ["hidden"] * 3 + ["total"]


def test_npv_and_winner_of_the_hand_worked_case():
    """PV at 10% with discount factors 1, 1/1.1 = 0.909091, 1/1.21 = 0.826446, 1/1.331 = 0.751315.

    PV make = 500 + 480.9 x 0.909091 + 371.7 x 0.826446 + 338.4652 x 0.751315
            = 500 + 437.1818 + 307.1901 + 254.2939 = 1498.6658
    PV buy  = 100 + 590 x (0.909091 + 0.826446 + 0.751315) = 100 + 590 x 2.486852 = 1567.2427
    saving from making = 1567.2427 - 1498.6658 = 68.5769 -> make wins by 4.38% of the buy cost.
    Cost per unit = PV cost / PV units, PV units = 2 x 2.486852 = 4.973704:
    make 1498.6658 / 4.973704 = 301.3178, buy 1567.2427 / 4.973704 = 315.1057.
    """
    s = mb.npv_summary(hand_case())
    assert s["pv_make"] == pytest.approx(1498.6658, abs=1e-3)
    assert s["pv_buy"] == pytest.approx(1567.2427, abs=1e-3)
    assert s["make_saving"] == pytest.approx(68.5769, abs=1e-3)
    assert s["winner"] == "make"
    assert s["margin_share"] == pytest.approx(68.5769 / 1567.2427, abs=1e-6)
    assert s["cost_per_unit_make"] == pytest.approx(301.3178, abs=1e-3)
    assert s["cost_per_unit_buy"] == pytest.approx(315.1057, abs=1e-3)
    assert s["units"] == 6


def report_ctx(lang: str = "en", terms: dict | None = None):
    """A report context for views and charts: no data, CNY, the given language and report names."""
    from custlib.io.periods import Quarter
    from custlib.reports.context import ReportContext

    return ReportContext("East", Quarter.parse("2026Q3"), {"report": {"currency": "CNY"}}, None, lang, report_terms=terms or {})


def break_even_text(be, lang: str = "en") -> str:
    """The sentence a report says for a break-even of the hand-worked case (3 years)."""
    ctx = report_ctx(lang)
    return views.break_even_sentence(be, "year", 3, ctx.messages("makebuy"), ctx.fmt)


def test_break_even_of_the_hand_worked_case():
    """Cumulative (make - buy), discounted: 500 - 100 = 400; 400 + (480.9 - 590) x 0.909091 = 300.8182;
    300.8182 + (371.7 - 590) x 0.826446 = 120.4050; 120.4050 + (338.4652 - 590) x 0.751315 = -68.5769.
    The sign changes in period 3: fraction 120.4050 / (120.4050 + 68.5769) = 0.63712, so the volume is
    4 + 2 x 0.63712 = 5.2742 units at period 2.6371.
    Undiscounted: 400, 290.9, 72.6, -178.9348 -> 4 + 2 x 72.6 / 251.5348 = 4.5773 units.
    """
    be = mb.break_even(hand_case())
    assert be.volume == pytest.approx(5.2742, abs=1e-4)
    assert be.period == pytest.approx(2.6371, abs=1e-4)
    assert be.direction == "make_cheaper_above" and be.outcome == "make_cheaper_after" and be.period_number == 3
    assert "after 5 cumulative units, in year 3" in break_even_text(be)
    assert mb.break_even(hand_case(), discounted=False).volume == pytest.approx(4.5773, abs=1e-4)


def test_break_even_says_why_when_making_never_catches_up():
    """At a supplier price of 250 buying costs 100 + 500 x 2.486852 = 1343.4260 in PV, so making
    (1498.6658) still costs 155.2398 more after all 6 units; the lines never cross."""
    be = mb.break_even(hand_case(**{"buy.unit_price": 250}))
    assert be.volume is None and be.period is None and be.outcome == "make_never_catches_up"
    assert be.shortfall == pytest.approx(155.2398, abs=1e-3)
    assert "never catches up within the 3 years" in break_even_text(be)
    assert "CN¥155 more in present value" in break_even_text(be)
    assert "3 年内自主开发始终追不上外部采购" in break_even_text(be, "zh")


def test_break_even_is_zero_when_making_is_cheaper_from_the_start():
    be = mb.break_even(hand_case(**{"make.development_cost": 0, "buy.unit_price": 1000}))
    assert be.volume == 0.0 and be.outcome == "make_cheaper_from_start"
    assert "from the start" in break_even_text(be)


def test_break_even_when_buying_becomes_cheaper_later():
    """Buying starts dearer (transition 600 against development 500) but costs 230 a period against
    making's 481, 372, 338: cumulative make - buy (discounted) goes -100, -100 + 250.9 / 1.1 = 128.09,
    ... so buying wins after 2 x 100 / (100 + 128.09) = 0.8768 units."""
    be = mb.break_even(hand_case(**{"buy.transition_cost": 600, "buy.unit_price": 100}))
    assert be.direction == "buy_cheaper_above" and be.outcome == "buy_cheaper_after"
    assert be.volume == pytest.approx(0.8768, abs=1e-4)
    assert "buying becomes cheaper after 1 cumulative unit, in year 1" in break_even_text(be)


def test_depreciation_plus_financing_is_worth_the_investment():
    """Preinreich (1938) / Lücke (1955): at a discount rate equal to the cost of capital, the PV of
    straight-line depreciation plus a capital charge on opening book value equals the investment,
    less the PV of the book value left at the end."""
    for life, horizon in ((3, 3), (5, 3), (2, 4)):
        case = mb.Case.from_params(
            "capex",
            hand_case(
                **{
                    "horizon": horizon,
                    "make.depreciation_periods": life,
                    "make.equipment_capex": 900,
                    "discount_rate": 0.08,
                    "make.cost_of_capital": 0.08,
                }
            ),
        )
        table = mb.cost_table(case).set_index(["option", "line"])
        pv = table.loc[("make", "depreciation"), "pv"] + table.loc[("make", "financing_equipment"), "pv"]
        left = 900 * max(0, life - horizon) / life
        assert pv == pytest.approx(900 - left / 1.08**horizon)


def test_annual_risk_probability_is_spread_over_the_periods():
    """Constant hazard: a 20% chance a year is 1 - 0.8 ** (1/4) = 5.425% a quarter, so the four
    quarters' survival multiplies back to 80%. Expected cost per quarter = 0.05425 x impact."""
    case = mb.Case.from_params(
        "q", hand_case(**{"periods_per_year": 4, "horizon": 4, "buy.risks.contract_default": {"probability": 0.2, "impact": 1000}})
    )
    table = mb.cost_table(case).set_index(["option", "line"])
    per_quarter = 1 - 0.8**0.25
    assert (1 - per_quarter) ** 4 == pytest.approx(0.8)
    np.testing.assert_allclose(
        table.loc[("buy", "risk_contract_default"), ["t0", "t1", "t4"]].to_numpy(dtype=float), [0, 1000 * per_quarter, 1000 * per_quarter]
    )


def test_capacity_steps_add_fixed_cost_when_volume_outgrows_a_step():
    """Step costs: 2 units a period with capacity 1 per step = 2 steps x 50; 0.5 would be 4 steps."""
    table = mb.cost_table(hand_case(**{"make.capacity_per_step": 1})).set_index(["option", "line"])
    assert table.loc[("make", "fixed_operating"), "t1"] == 100
    table = mb.cost_table(hand_case(**{"make.capacity_per_step": 0.5})).set_index(["option", "line"])
    assert table.loc[("make", "fixed_operating"), "t2"] == 200


def test_volume_discounts_apply_to_every_unit_of_a_period_in_the_tier():
    """All-units discounts, list price 300, 10% off from 3 units a period, 20% off from 3.5: demand
    3, 3.3, 3.63 (10% growth) pays 3 x 270, 3.3 x 270 and 3.63 x 240."""
    spec = hand_case(
        **{
            "demand.base": 3,
            "demand.growth": 0.1,
            "buy.volume_discounts": [{"min_units": 3, "discount": 0.1}, {"min_units": 3.5, "discount": 0.2}],
        }
    )
    table = mb.cost_table(spec).set_index(["option", "line"])
    np.testing.assert_allclose(table.loc[("buy", "purchase"), ["t1", "t2", "t3"]].to_numpy(dtype=float), [3 * 270, 3.3 * 270, 3.63 * 240])


def test_crawford_labour_in_a_case_is_the_difference_of_crawford_totals():
    """Exhibit 10-11 totals: 180 for 2 units, 314.21 for 4, 429.94 for 6 -> 180, 134.21, 115.73."""
    table = mb.cost_table(hand_case(**{"make.labour.model": "crawford"})).set_index(["option", "line"])
    np.testing.assert_allclose(table.loc[("make", "labour"), ["t1", "t2", "t3"]].to_numpy(dtype=float), [180, 134.21, 115.73], atol=0.01)


def test_lots_make_the_curve_count_lots_not_units():
    """With lots of 2 units, 2 units a period are 1 lot a period: labour = 2 x (T(k) - T(k-1)) per unit of a
    lot, i.e. 2 x 100, 2 x 60, 2 x 50.63 on the 80% Wright curve (Exhibit 10-10's unit column)."""
    table = mb.cost_table(hand_case(**{"make.labour.lot_size": 2})).set_index(["option", "line"])
    np.testing.assert_allclose(table.loc[("make", "labour"), ["t1", "t2", "t3"]].to_numpy(dtype=float), [200, 120, 101.26], atol=0.01)


def test_cost_table_rejects_demand_of_the_wrong_length():
    with pytest.raises(DataError, match="demand: expected 3 values"):
        mb.cost_table(hand_case(), demand=[1, 2])
    with pytest.raises(DataError, match="units >= 0"):
        mb.cost_table(hand_case(), demand=[1, -2, 3])


# --------------------------------------------------------------------------- validation


INVALID = [
    ("make.development_cost", -1, "makebuy.cases.bad.make.development_cost: expected a number >= 0, got -1"),
    ("make.labour.first_unit_cost", -0.5, "makebuy.cases.bad.make.labour.first_unit_cost: expected a number >= 0, got -0.5"),
    ("buy.unit_price", -10, "makebuy.cases.bad.buy.unit_price: expected a number >= 0, got -10"),
    (
        "buy.risks.bankruptcy.probability",
        1.5,
        r"makebuy.cases.bad.buy.risks.bankruptcy.probability: expected a number >= 0 and <= 1, got 1.5",
    ),
    (
        "buy.risks.quality_swings.probability",
        -0.1,
        r"makebuy.cases.bad.buy.risks.quality_swings.probability: expected a number >= 0 and <= 1, got -0.1",
    ),
    ("buy.defect_rate", 1.2, r"makebuy.cases.bad.buy.defect_rate: expected a number >= 0 and <= 1, got 1.2"),
    ("make.labour.learning_rate", 0, r"makebuy.cases.bad.make.labour.learning_rate: expected a number > 0 and <= 1, got 0"),
    ("make.labour.learning_rate", 1.1, r"makebuy.cases.bad.make.labour.learning_rate: expected a number > 0 and <= 1, got 1.1"),
    ("horizon", 0, r"makebuy.cases.bad.horizon: expected an integer >= 1 and <= 240, got 0"),
]


@pytest.mark.parametrize(("path", "value", "message"), INVALID)
def test_invalid_case_is_rejected_naming_case_and_field(path, value, message):
    with pytest.raises(ParamsError, match=re.escape(message)):
        mb.Case.from_params("bad", hand_case(**{path: value}))


@pytest.mark.parametrize(("path", "value", "message"), INVALID)
def test_invalid_case_is_rejected_by_the_json_schema_too(path, value, message):
    """The same rules hold in custlib/io/schemas/makebuy.json, so the params loader rejects the file."""
    params = {"makebuy": {"cases": {"bad": hand_case(**{path: value})}}}
    with pytest.raises(ParamsError, match=re.escape(path.rsplit(".", 1)[-1])):
        check(params, "params/regions/east.yaml")


def test_invalid_section_lists_every_problem_with_the_file():
    section = {"cases": {"bad": hand_case(horizon=0, **{"make.labour.learning_rate": 2}), "ok": hand_case()}}
    with pytest.raises(ParamsError) as info:
        mb.validate_params(section, source="params/defaults.yaml")
    text = str(info.value)
    assert text.startswith("params/defaults.yaml: 2 problems")
    assert "makebuy.cases.bad.horizon:" in text and "makebuy.cases.bad.make.labour.learning_rate:" in text


def test_missing_field_is_required_in_the_merged_section():
    spec = hand_case()
    del spec["buy"]["risks"]["bankruptcy"]["impact"]
    with pytest.raises(
        ParamsError, match=r"makebuy.cases.bad.buy.risks.bankruptcy.impact: expected a number >= 0, got nothing \(the field is missing\)"
    ):
        mb.Case.from_params("bad", spec)


def test_unknown_field_is_rejected():
    with pytest.raises(ParamsError, match="makebuy.cases.bad.make.devlopment_cost: unknown field"):
        mb.Case.from_params("bad", hand_case(**{"make.devlopment_cost": 5}))


def test_tiers_must_ascend():
    tiers = [{"min_units": 5, "discount": 0.1}, {"min_units": 5, "discount": 0.2}]
    with pytest.raises(ParamsError, match=r"buy.volume_discounts\[1\].min_units: expected more than the previous tier's 5"):
        mb.Case.from_params("bad", hand_case(**{"buy.volume_discounts": tiers}))


def test_sensitivity_ranges_are_checked():
    with pytest.raises(ParamsError, match=r"sensitivity.make.labour.learning_rate: expected \[low, high\] within a number > 0 and <= 1"):
        mb.Case.from_params("bad", hand_case(sensitivity={"make.labour.learning_rate": [0.7, 1.1]}))
    with pytest.raises(ParamsError, match="sensitivity.make.nope: expected the path of a numeric input"):
        mb.Case.from_params("bad", hand_case(sensitivity={"make.nope": [1, 2]}))
    with pytest.raises(ParamsError, match="low <= high"):
        mb.Case.from_params("bad", hand_case(sensitivity={"buy.unit_price": [3, 2]}))


def test_validation_fills_defaults_and_leaves_the_input_alone():
    spec = hand_case()
    before = copy.deepcopy(spec)
    case = mb.Case.from_params("ok", spec)
    assert spec == before
    assert case.spec["make"]["labour"]["lot_size"] == 1
    assert case.spec["make"]["capacity_per_step"] is None
    assert case.spec["demand"]["period_volatility"] == 0
    assert case.unit == "unit"


def test_schema_is_valid_and_every_property_is_described():
    schema = mb.load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)

    def walk(node, where):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                assert "additionalProperties" in node, f"{where}: no additionalProperties"
                for key, prop in node["properties"].items():
                    assert "description" in prop, f"{where}.{key}: no description"
            for k, v in node.items():
                walk(v, f"{where}.{k}")

    walk(schema, "makebuy")


# --------------------------------------------------------------------------- Monte Carlo


def test_monte_carlo_is_reproducible_by_seed():
    a = mb.simulate(hand_case(), n_draws=500, seed=7)
    b = mb.simulate(hand_case(), n_draws=500, seed=7)
    c = mb.simulate(hand_case(), n_draws=500, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["make_saving"], c["make_saving"])


def test_monte_carlo_converges_to_the_plan_as_volatility_vanishes():
    """At volatility 0 every path is the plan; the mean gap shrinks with the volatility.

    (Without volume tiers: the hand case's plan sits exactly on a tier boundary, where the cost
    jumps and half of any small spread falls below the tier.)"""
    spec = hand_case(**{"make.material_volume_discounts": [], "buy.volume_discounts": []})
    plan = mb.npv_summary(spec)["make_saving"]
    at_zero = mb.simulate(spec, n_draws=200, seed=1, volatility_multiplier=0.0)
    np.testing.assert_allclose(at_zero["make_saving"], plan)
    gaps = [
        abs(mb.summarise_draws(mb.simulate(spec, n_draws=4000, seed=1, volatility_multiplier=m))["mean_saving"] - plan)
        for m in (1.0, 0.1, 0.01)
    ]
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] < 1e-3 * abs(plan) + 1e-2


@pytest.mark.parametrize("distribution", ["lognormal", "normal", "triangular"])
def test_demand_multiplier_has_mean_one_and_the_given_volatility(distribution):
    """Simulation with known parameters: the level multiplier has mean 1 and sd = volatility (0.3,
    where the cut at 0 is negligible: P(N(1, 0.3) < 0) = 4e-4, and the triangular is >= 0.265)."""
    spec = hand_case(**{"demand.distribution": distribution, "demand.volatility": 0.3, "horizon": 1})
    level = mb.simulate_demand(spec, n_draws=200_000, seed=3)[:, 0] / 2
    assert level.mean() == pytest.approx(1.0, abs=0.005)
    assert level.std() == pytest.approx(0.3, abs=0.005)


def test_monte_carlo_mean_equals_the_plan_when_costs_are_linear_in_demand():
    """Closed form: with no learning (rate 1), no tiers and no steps, both PVs are linear in the demand
    multiplier, whose mean is 1, so E[saving] is the planned saving (within 4 standard errors)."""
    spec = hand_case(
        **{
            "make.labour.learning_rate": 1.0,
            "make.material_volume_discounts": [],
            "buy.volume_discounts": [],
            "demand.period_volatility": 0.2,
        }
    )
    plan = mb.npv_summary(spec)["make_saving"]
    s = mb.summarise_draws(mb.simulate(spec, n_draws=20_000, seed=11))
    assert abs(s["mean_saving"] - plan) < 4 * s["se_mean"]
    assert s["sd_saving"] > 0


def test_ten_thousand_draws_take_well_under_a_second():
    spec = hand_case(
        **{"horizon": 16, "periods_per_year": 4, "make.labour.model": "crawford", "demand.base": 5000, "demand.period_volatility": 0.1}
    )
    mb.simulate(spec, n_draws=100)
    best = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        mb.simulate(spec, n_draws=10_000, seed=2)
        best = min(best, time.perf_counter() - t0)
    assert best < 0.5


def test_volatility_table_starts_at_the_plan_and_reports_each_multiplier():
    spec = hand_case()
    table = mb.volatility_table(spec, multipliers=(0, 1, 2), n_draws=2000, seed=5)
    assert list(table.columns) == ["multiplier", "volatility", "mean_saving", "sd_saving", "p05", "p50", "p95", "p_make_cheaper"]
    assert table["volatility"].tolist() == pytest.approx([0, 0.3, 0.6])
    assert table.loc[0, "mean_saving"] == pytest.approx(mb.npv_summary(spec)["make_saving"])
    assert table.loc[0, "p_make_cheaper"] == 1.0 and table.loc[0, "sd_saving"] < 1e-9


def test_summarise_draws_needs_the_saving_column():
    with pytest.raises(DataError, match="column 'make_saving' is missing"):
        mb.summarise_draws(pd.DataFrame({"x": [1.0]}))


# --------------------------------------------------------------------------- sensitivity


def test_tornado_swing_of_a_linear_input_is_its_present_value():
    """Closed form: supplier management is 20 a period; +-20% is +-4 a period, worth
    4 x 2.486852 = 9.9474 in PV, so the saving from making moves by -+9.9474 and the swing is 19.8948."""
    frame = mb.tornado(hand_case(), ranges={"buy.management_cost_per_period": (16, 24), "buy.unit_price": (250, 350)})
    row = frame.set_index("input").loc["buy.management_cost_per_period"]
    base = mb.npv_summary(hand_case())["make_saving"]
    assert row["saving_at_low"] == pytest.approx(base - 9.9474, abs=1e-3)
    assert row["saving_at_high"] == pytest.approx(base + 9.9474, abs=1e-3)
    assert row["swing"] == pytest.approx(19.8948, abs=1e-3)
    assert frame["input"].tolist() == ["buy.unit_price", "buy.management_cost_per_period"]
    assert frame.set_index("input").loc["buy.unit_price", "flips"]


def test_tornado_default_ranges_vary_each_input_by_the_relative_range():
    frame = mb.tornado(hand_case(), relative_range=0.2).set_index("input")
    assert set(frame.index) == set(mb.DEFAULT_TORNADO_INPUTS)
    assert frame.loc["buy.unit_price", ["low_value", "high_value"]].tolist() == pytest.approx([240, 360])
    # a learning rate moves its learning (1 - rate): 0.8 -> 1 - 0.2 x 1.2 = 0.76 .. 1 - 0.2 x 0.8 = 0.84
    assert frame.loc["make.labour.learning_rate", ["low_value", "high_value"]].tolist() == pytest.approx([0.76, 0.84])
    assert frame["swing"].is_monotonic_decreasing


def test_tornado_panel_draws_two_bars_per_input_and_returns_the_axes():
    import matplotlib.pyplot as plt

    frame = mb.tornado(hand_case())
    ax = views.tornado_panel(frame, report_ctx(), top=5)
    assert len(ax.patches) == 10
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "Supplier price" == views.labels.INPUTS[frame["input"].iloc[0]]
    plt.close(ax.figure)


# --------------------------------------------------------------------------- scorecard and recommendation


WEIGHTS = {"demand": 0.25, "rd_capability": 0.20, "outsourcing_management": 0.20, "outsourced_quality": 0.15, "outsourcing_risk": 0.20}


def test_scorecard_turns_conditions_into_a_lean_towards_making():
    """Weighted factor rating worked by hand: scores 5, 4, 4, 2, 1 lean 5, 4, 6-4 = 2, 6-2 = 4, 1;
    0.25 x 5 + 0.2 x 4 + 0.2 x 2 + 0.15 x 4 + 0.2 x 1 = 3.25."""
    card = mb.scorecard(
        {"demand": 5, "rd_capability": 4, "outsourcing_management": 4, "outsourced_quality": 2, "outsourcing_risk": 1}, WEIGHTS
    )
    assert card["make_lean"].tolist() == [5, 4, 2, 4, 1]
    assert card["favours"].tolist() == ["make", "make", "buy", "make", "buy"]
    assert card["contribution"].sum() == pytest.approx(3.25)


def test_scorecard_normalises_weights():
    card = mb.scorecard(dict.fromkeys(mb.FACTORS, 3), {k: 2 * v for k, v in WEIGHTS.items()})
    assert card["weight"].sum() == pytest.approx(1.0)
    assert card["contribution"].sum() == pytest.approx(3.0)


@pytest.mark.parametrize(
    ("scores", "weights", "pattern"),
    [
        ({"demand": 6}, {}, "scorecard.demand: expected an integer 1..5, got 6"),
        ({}, dict.fromkeys(mb.FACTORS, 0), "at least one weight > 0"),
    ],
)
def test_scorecard_rejects_bad_scores_and_weights(scores, weights, pattern):
    with pytest.raises(ParamsError, match=pattern):
        mb.scorecard(dict.fromkeys(mb.FACTORS, 3) | scores, WEIGHTS | weights)


def reasons_of(a, lang: str = "en") -> list[str]:
    ctx = report_ctx(lang)
    return views.case_reasons(a, ctx.messages("makebuy"), ctx.fmt)


def test_recommendation_combines_cost_and_scorecard_with_written_reasons():
    """Hand: P(make cheaper) = 1 at volatility 0 -> cost score 5; scorecard all 3 -> 3;
    combined 0.6 x 5 + 0.4 x 3 = 4.2 -> make."""
    settings = {"n_draws": 500, "volatility_multipliers": [0, 1], "seed": 1} | {"cost_weight": 0.6}
    spec = hand_case(**{"demand.volatility": 0.0})
    a = mb.analyse_case(mb.Case.from_params("hand", spec), settings)
    r = a.recommendation
    assert r.recommendation == "make" and not r.close_call
    assert r.combined_score == pytest.approx(4.2)
    reasons = reasons_of(a)
    assert all(s.endswith(".") and s[0].isupper() for s in reasons)
    assert "making is cheaper by CN¥69" in reasons[0]
    assert reasons[1] == break_even_text(a.break_even)
    assert reasons[-1].endswith("so the recommendation is to make.")


def test_recommend_scores_are_the_weighted_factor_rating():
    card = mb.scorecard(dict.fromkeys(mb.FACTORS, 3), WEIGHTS)
    r = mb.recommend(0.5, card, cost_weight=0.6, close_call_band=0.25)
    assert (r.cost_score, r.qualitative_score, r.combined_score) == pytest.approx((3.0, 3.0, 3.0))
    assert r.recommendation == "buy" and r.close_call  # not above 3, and within the band
    assert mb.recommend(1.0, card).recommendation == "make" and not mb.recommend(1.0, card).close_call


def test_recommendation_explains_a_flip_under_uncertainty():
    """A skewed demand (lognormal, volatility 1.5: median multiplier 1 / sqrt(1 + 1.5**2) = 0.55)
    puts most paths well below a plan at which making only just wins."""
    spec = hand_case(**{"demand.volatility": 1.5, "buy.unit_price": 290})
    a = mb.analyse_case(spec, {"n_draws": 2000, "seed": 3})
    assert a.summary["winner"] == "make"
    assert a.monte_carlo["p_make_cheaper"] < 0.5
    flip = [s for s in reasons_of(a) if "flips under uncertainty" in s]
    assert len(flip) == 1 and "buying is cheaper in" in flip[0] and "have less demand than planned" in flip[0]
    assert any("考虑不确定性后结论反转" in s for s in reasons_of(a, "zh"))


# --------------------------------------------------------------------------- params: defaults and regions


def params_dir() -> Path:
    """The params folder the tests read; MAKEBUY_PARAMS_DIR points at a draft before it is merged."""
    return Path(os.environ.get("MAKEBUY_PARAMS_DIR", ROOT / "params"))


@pytest.fixture(scope="module")
def regional():
    """Every sample region's make-vs-buy analysis, from params/defaults.yaml and params/regions/."""
    out = {}
    for region in REGIONS:
        params = with_example_cases(load_params(region, params_dir()), sample=True)  # as on the generated sample
        if "makebuy" not in params:
            pytest.skip(f"{params_dir()}/defaults.yaml has no makebuy section yet")
        out[region] = mb.analyse_cases(params["makebuy"])
    return out


@pytest.mark.parametrize("region", REGIONS)
def test_region_has_a_make_case_a_buy_case_and_a_case_that_flips(regional, region):
    """The claims of the sample params, for each region: the sensor kit is made (at plan and in
    >= 90% of demand paths), the fastener bought (at plan and in >= 90% of paths), and the
    monitoring service flips: making wins at plan, but buying wins in most simulated paths,
    and the chance that making is cheaper falls as demand volatility grows."""
    a = regional[region].cases
    kit, fastener, service = a["sensor_kit"], a["custom_fastener"], a["monitoring_service"]
    assert kit.summary["winner"] == "make" and kit.monte_carlo["p_make_cheaper"] >= 0.9
    assert kit.recommendation.recommendation == "make"
    assert fastener.summary["winner"] == "buy" and fastener.monte_carlo["p_make_cheaper"] <= 0.1
    assert fastener.recommendation.recommendation == "buy"
    assert service.summary["winner"] == "make" and 0.3 < service.monte_carlo["p_make_cheaper"] < 0.5
    p = service.volatility.sort_values("multiplier")["p_make_cheaper"].to_numpy()
    assert p[0] == 1.0 and np.all(np.diff(p) < 0)
    assert p[-1] < 0.4


def test_regions_have_their_own_demand(regional):
    bases = {r: regional[r].cases["sensor_kit"].case.spec["demand"]["base"] for r in REGIONS}
    assert len(set(bases.values())) == len(REGIONS)
    assert max(bases, key=bases.get) == "East" and min(bases, key=bases.get) == "Northeast"


def test_analysis_frames_are_report_ready(regional):
    a = regional["East"]
    assert a.summary["case"].tolist() == ["sensor_kit", "custom_fastener", "monitoring_service"]
    assert a.factors.shape == (5, 3 + 3)
    assert a.scorecards.groupby("case").size().tolist() == [5, 5, 5]
    assert a.break_even["outcome"].isin(mb.OUTCOMES).all()
    assert a.tornado.groupby("case").size().tolist() == [len(mb.DEFAULT_TORNADO_INPUTS)] * 3
    assert len(a.volatility) == 3 * len(a.settings["volatility_multipliers"])
    section = with_example_cases(load_params("East", params_dir()), sample=True)["makebuy"]
    assert mb.compare_cases(section)["winner"].tolist() == a.summary["winner"].tolist()
    assert a.examples


# --------------------------------------------------------------------------- notebook


NOTEBOOK = ROOT / "notebooks" / "04_compare_make_vs_buy.py"
PARAMETERS_CELL = """# %% tags=["parameters"]
data: str = "../data/sample"  # data source: a directory of tables or an SQLAlchemy URL
region: str = "East"  # region as written in the customers' region column
quarter: str = "latest"  # quarter to report, e.g. 2026Q3, or "latest" for the latest complete quarter
settings: dict = {}  # merged, validated parameters from the runner, or {} to read params/
"""


def test_notebook_has_the_parameters_cell_and_no_logic():
    text = NOTEBOOK.read_text(encoding="utf-8")
    assert PARAMETERS_CELL in text
    code = [line for line in text.splitlines() if not line.startswith("#")]
    assert not any(re.match(r"\s*(def |for |while |class )", line) for line in code)


# --------------------------------------------------------------------------- report tables, charts, summary, Chinese

FAST = {"n_draws": 200, "volatility_multipliers": [0, 1], "seed": 1}


def two_cases(**settings) -> mb.MakeBuyAnalysis:
    """The hand-worked case (making wins by 68.5769) and the same at a supplier price of 250
    (buying wins by 1498.6658 - 1343.4260 = 155.2398), with no demand uncertainty."""
    still = {"demand.volatility": 0.0}
    section = {
        "cases": {"hand": hand_case(**still), "dear": hand_case(**still, **{"buy.unit_price": 250, "label": "Dear case"})},
    } | FAST
    return mb.analyse_cases(section | settings)


def test_headline_figures_count_the_recommendations_and_add_up_the_expected_saving():
    """Without demand uncertainty every simulated path is the plan, so the expected saving is the
    hand-worked one: 68.5769 from making the hand case plus 155.2398 from buying the dear one = 223.8167
    (present values worked out in test_npv_and_winner_of_the_hand_worked_case and
    test_break_even_says_why_when_making_never_catches_up)."""
    a = two_cases()
    figures = mbr.headline_figures(a)
    assert figures.columns.tolist() == ["figure", "value", "previous", "unit", "good"]
    assert figures["value"].tolist()[:3] == [1.0, 1.0, 0.0]
    assert figures["value"].iloc[3] == pytest.approx(68.5769 + 155.2398, abs=1e-3)
    assert figures["previous"].isna().all()
    assert figures["figure"].iloc[3] == "Expected saving from the recommendations (present value)"
    assert mbr.actions(a, report_ctx()) == [
        "Dear case: buy it from a supplier. Over 3 years buying is expected to cost CN¥155 less than making, in present value.",
        "Hand-worked case: develop it in-house. Over 3 years making is expected to cost CN¥69 less than buying, in present value.",
    ]


def test_the_summary_saving_is_the_sum_of_the_glance_tables_last_column():
    """The executive summary points to the glance table: the same saving, product by product, and the table's total
    row is the summary's figure, written the same (68.5769 + 155.2398 = 223.8167 -> CN¥224)."""
    from custlib.present.headlines import value_text

    a, ctx = two_cases(), report_ctx()
    tv = views.glance_view(a, ctx)
    glance = tv.frame
    assert glance.columns[-1] == "Expected saving from the recommendation"
    products, total = glance.iloc[:-1], glance.iloc[-1]
    assert total["Product"] == "Total"
    assert products.iloc[:, -1].sum() == pytest.approx(total.iloc[-1])
    summary = mbr.headline_figures(a)["value"].iloc[3]
    assert total.iloc[-1] == pytest.approx(68.5769 + 155.2398, abs=1e-3) == pytest.approx(summary)
    cell = ctx.fmt.by_kind(tv.kinds[glance.columns[-1]])(total.iloc[-1])
    assert cell == value_text(summary, "money", ctx.fmt) == "CN¥224"


# --------------------------------------------------------------------------- whose cases: the region's own, the examples or none


def own_section(**settings) -> dict:
    """A makebuy section with the hand case as the region's own and the dear case as the only example."""
    still = {"demand.volatility": 0.0}
    return (
        {
            "cases": {"hand": hand_case(**still)},
            "example_cases": {"dear": hand_case(**still, **{"buy.unit_price": 250, "label": "Dear case"})},
        }
        | FAST
        | settings
    )


def test_a_regions_own_cases_are_compared_and_the_examples_left_out():
    a = mb.analyse_cases(own_section(show_examples=True))
    assert list(a.cases) == ["hand"] and not a.examples


def test_the_examples_are_shown_only_when_show_examples_is_true():
    section = own_section(show_examples=True) | {"cases": {}}
    a = mb.analyse_cases(section)
    assert list(a.cases) == ["dear"] and a.examples
    for show in ("auto", False):  # auto left unresolved (not the sample) or never
        with pytest.raises(InsufficientDataError, match="no cases defined") as err:
            mb.analyse_cases(section | {"show_examples": show})
        assert err.value.code == "no_makebuy_cases" and err.value.fields == {"examples": 1}


def test_a_region_without_cases_or_examples_has_no_cases():
    with pytest.raises(InsufficientDataError) as err:
        mb.analyse_cases(FAST | {"show_examples": True})
    assert err.value.code == "no_makebuy_cases" and err.value.fields == {"examples": 0}


def test_the_default_params_give_a_region_without_a_file_no_cases():
    """Online Retail's countries have no region file: the built-in cases are not their answer."""
    params = load_params("Germany", ROOT / "params")
    assert params["makebuy"]["cases"] == {} and params["makebuy"]["show_examples"] == "auto"
    with pytest.raises(InsufficientDataError):
        mb.analyse_cases(params["makebuy"])
    with pytest.raises(InsufficientDataError):
        mb.analyse_cases(with_example_cases(params, sample=False)["makebuy"])
    assert mb.analyse_cases(with_example_cases(params, sample=True)["makebuy"] | FAST).examples


def test_with_example_cases_resolves_auto_and_keeps_an_explicit_choice():
    assert with_example_cases({"makebuy": {"show_examples": "auto"}}, True)["makebuy"]["show_examples"] is True
    assert with_example_cases({"makebuy": {}}, False)["makebuy"]["show_examples"] is False
    assert with_example_cases({"makebuy": {"show_examples": False}}, True)["makebuy"]["show_examples"] is False
    assert with_example_cases({"makebuy": {"show_examples": True}}, False)["makebuy"]["show_examples"] is True
    assert with_example_cases({}, True) == {}


def test_the_generated_sample_is_known_by_its_marker(tmp_path):
    import json

    from custlib.io.examples import SAMPLE_GENERATOR, SAMPLE_MARKER, is_generated_sample

    assert not is_generated_sample(tmp_path)  # no marker
    (tmp_path / SAMPLE_MARKER).write_text(json.dumps({"generator": "someone else"}), encoding="utf-8")
    assert not is_generated_sample(tmp_path)
    (tmp_path / SAMPLE_MARKER).write_text("not json", encoding="utf-8")
    assert not is_generated_sample(tmp_path)
    (tmp_path / SAMPLE_MARKER).write_text(json.dumps({"generator": SAMPLE_GENERATOR, "seed": 1}), encoding="utf-8")
    assert is_generated_sample(tmp_path) and is_generated_sample(str(tmp_path))
    assert not is_generated_sample("sqlite:///crm.db")


def test_generate_sample_writes_the_marker_that_shows_the_examples(tmp_path):
    from custlib.io.examples import is_generated_sample
    from custlib.io.sample import generate_sample

    generate_sample(tmp_path, customers=60, regions=1, seed=1)
    assert is_generated_sample(tmp_path)


def test_open_report_shows_the_examples_on_the_sample_only(tmp_path):
    """The same tables, with and without the sample's marker: only the marked folder shows the examples."""
    import json

    from conftest import tiny_tables, write_tables

    from custlib.io.examples import SAMPLE_GENERATOR, SAMPLE_MARKER
    from custlib.reports.context import open_report

    plain = write_tables(tiny_tables(), tmp_path / "plain")
    marked = write_tables(tiny_tables(), tmp_path / "marked")
    (marked / SAMPLE_MARKER).write_text(json.dumps({"generator": SAMPLE_GENERATOR}), encoding="utf-8")
    assert open_report(str(plain), "East").params["makebuy"]["show_examples"] is False
    assert open_report(str(marked), "East").params["makebuy"]["show_examples"] is True
    assert open_report(str(marked), "East", settings={"makebuy": {"show_examples": False}}).params["makebuy"]["show_examples"] is False


def test_example_cases_are_checked_like_cases():
    bad = hand_case(**{"buy.volume_discounts": [{"min_units": 4, "discount": 0.1}, {"min_units": 2, "discount": 0.2}]})
    with pytest.raises(ParamsError, match=r"makebuy\.example_cases\.x\.buy\.volume_discounts\[1\]\.min_units"):
        mb.validate_params({"example_cases": {"x": bad}})


def examples() -> mb.MakeBuyAnalysis:
    return mb.analyse_cases(own_section(show_examples=True) | {"cases": {}})


def test_every_table_and_chart_names_an_example_as_one():
    import matplotlib.pyplot as plt

    a, ctx = examples(), report_ctx()
    assert views.names(a, ctx) == {"dear": "Example: Dear case"}
    for view in (views.products_view, views.glance_view, views.uncertainty_view, views.verdicts_view, views.reasons_view):
        assert view(a, ctx).frame.iloc[0, 0] == "Example: Dear case", view.__name__
    for view in (views.cost_lines_view, views.factors_view):
        assert "Example: Dear case" in view(a, ctx).frame.columns, view.__name__
    assert views.glance_view(a, ctx).frame.iloc[-1, 0] == "Total of the examples"
    axes = views.costs_per_period_chart(a, ctx)
    assert axes[0].get_title() == "Example: Dear case"
    ax = views.volatility_chart(a, ctx)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Example: Dear case"]
    plt.close("all")
    assert views.names(a, report_ctx("zh")) == {"dear": "示例：Dear case"}


def test_a_regions_own_cases_are_not_called_examples():
    a, ctx = mb.analyse_cases(own_section()), report_ctx()
    assert views.names(a, ctx) == {"hand": "Hand-worked case"}
    assert views.glance_view(a, ctx).frame.iloc[-1, 0] == "Total"
    assert mbr.headline_figures(a)["figure"].tolist() == list(mbr.FIGURES)
    assert mbr.examples_rule(a, ctx) is None and mbr.no_cases_rule(a, ctx) is None


def test_the_summary_of_the_examples_says_example_in_every_line():
    a, ctx = examples(), report_ctx()
    figures = mbr.headline_figures(a)
    assert figures["figure"].tolist() == list(mbr.EXAMPLE_FIGURES)
    assert all("xample" in f for f in figures["figure"])
    actions = mbr.actions(a, ctx)
    assert (
        actions[0]
        == mbr.examples_rule(a, ctx)
        == (
            "The products below are the workbook's examples, not East's own: add the region's products under "
            "<code>makebuy.cases</code> in <code>params/regions/east.yaml</code>."
        )
    )
    assert all("Example: Dear case" in x for x in actions[1:]) and len(actions) == 2


def test_a_region_without_cases_is_told_how_to_add_them():
    """The no-cases rule fires on the no_makebuy_cases reason only; the figures are unknown, not zero."""
    from custlib.reports.sections import Unavailable, compute

    ctx = report_ctx()
    none = compute(mb.analyse_cases, FAST)
    assert isinstance(none, Unavailable) and none.code == "no_makebuy_cases"
    assert mbr.headline_figures(none)["value"].isna().all()
    actions = mbr.actions(none, ctx)
    assert actions == [
        "No make-vs-buy cases are defined for East. To compare products, add them under <code>makebuy.cases</code> in "
        "<code>params/regions/east.yaml</code> (the README's section on make-vs-buy cases shows how)."
    ]
    assert mbr.no_cases_rule(Unavailable("insufficient_data"), ctx) is None
    assert mbr.examples_rule(none, ctx) is None
    assert ctx.reason(none, views.products_view) == (
        "No make-vs-buy cases are defined for this region; the executive summary says how to add them."
    )
    assert ctx.reason(none, views.break_even_chart) == ctx.reason(none, views.products_view)
    zh = report_ctx("zh")
    assert "华东" in mbr.no_cases_rule(none, zh) and "<code>params/regions/east.yaml</code>" in mbr.no_cases_rule(none, zh)


def test_the_readmes_make_vs_buy_example_is_a_valid_case():
    import yaml

    block = re.search(r"```yaml\n(makebuy:\n  cases:\n.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S).group(1)
    values = yaml.safe_load(block)
    check(values, "README.md")
    a = mb.analyse_cases(values["makebuy"] | FAST)
    assert list(a.cases) == ["pump_retrofit"] and not a.examples


def test_headline_figures_put_close_calls_first():
    """Cost weighted at 10%: the hand case scores 0.1 x 5 + 0.9 x 3 = 3.2, within 0.25 of neutral (a close
    call); the dear case, every factor leaning to buying (lean 1), scores 0.1 x 1 + 0.9 x 1 = 1.0. The close
    call comes first although its amount is smaller."""
    a = two_cases(cost_weight=0.1)
    buy_all = {"demand": 1, "rd_capability": 1, "outsourcing_management": 5, "outsourced_quality": 5, "outsourcing_risk": 1}
    dear = mb.analyse_case(a.cases["dear"].case.with_value("scorecard", buy_all), a.settings | {"cost_weight": 0.1})
    a = mb.MakeBuyAnalysis({"dear": dear, "hand": a.cases["hand"]}, a.settings)
    assert dear.recommendation.combined_score == pytest.approx(1.0)
    assert mbr.headline_figures(a)["value"].iloc[2] == 1.0
    actions = mbr.actions(a, report_ctx())
    assert actions[0] == (
        "Hand-worked case: a close call, leaning to making; decide again when demand is clearer or a supplier quote is firm."
    )
    assert actions[1].startswith("Dear case: buy it from a supplier.")


def test_headline_figures_degrade_to_unknown_without_cases():
    from custlib.reports.sections import Unavailable

    for analysis in (None, mb.MakeBuyAnalysis({}, {}), Unavailable("insufficient_data")):
        figures = mbr.headline_figures(analysis)
        assert len(figures) == 4 and figures["value"].isna().all()
        assert mbr.actions(analysis, report_ctx()) == []


def test_headline_actions_escape_the_product_name():
    section = {"cases": {"x": hand_case(**{"demand.volatility": 0.0, "label": "<b>Kit</b> & co"})}} | FAST
    actions = mbr.actions(mb.analyse_cases(section), report_ctx())
    assert actions[0].startswith("&lt;b&gt;Kit&lt;/b&gt; &amp; co: develop it in-house.")


def test_close_call_rule_fires_only_for_a_close_call():
    close = two_cases(cost_weight=0.1).cases["hand"]  # 3.2: a close call
    clear = two_cases().cases["hand"]  # 4.2
    ctx = report_ctx()
    assert mbr.close_call_rule(close, "Kit", ctx).startswith("Kit: a close call, leaning to making")
    assert mbr.close_call_rule(clear, "Kit", ctx) is None


def test_cost_backed_rule_fires_when_the_recommended_option_is_also_cheaper():
    a = two_cases()
    ctx = report_ctx()
    assert mbr.cost_backed_rule(a.cases["hand"], "Kit", ctx).startswith("Kit: develop it in-house. Over 3 years")
    assert mbr.cost_backed_rule(two_cases(cost_weight=0.1).cases["hand"], "Kit", ctx) is None  # a close call


def test_qualitative_override_rule_fires_when_the_factors_outweigh_a_cost_disadvantage():
    """Cost weighted at 10% and every factor leaning to buying: buy recommended although making saves 68.58."""
    buy_all = {"demand": 1, "rd_capability": 1, "outsourcing_management": 5, "outsourced_quality": 5, "outsourcing_risk": 1}
    hand = mb.Case.from_params("hand", hand_case(**{"demand.volatility": 0.0, "scorecard": buy_all}))
    a = mb.analyse_case(hand, FAST | {"cost_weight": 0.1})
    assert a.recommendation.recommendation == "buy" and a.expected_saving == pytest.approx(-68.5769, abs=1e-3)
    ctx = report_ctx()
    text = mbr.qualitative_override_rule(a, "Kit", ctx)
    assert (
        text
        == "Kit: buy it from a supplier for the qualitative reasons, although buying is expected to cost CN¥69 more than making over 3 years."
    )
    assert mbr.cost_backed_rule(a, "Kit", ctx) is None
    assert mbr.qualitative_override_rule(two_cases().cases["hand"], "Kit", ctx) is None


def test_cost_lines_view_holds_each_lines_present_value():
    """Hand-worked PVs at 10%: development 500 (period 0), purchase 540 x 2.486852 = 1342.9, transition 100,
    total make 1498.6658, total buy 1567.2427 (see test_npv_and_winner_of_the_hand_worked_case)."""
    tv = views.cost_lines_view(two_cases(), report_ctx())
    table = tv.frame
    assert table.columns.tolist() == ["Option", "Cost line", "Type", "Hand-worked case", "Dear case"]
    assert tv.kinds["Hand-worked case"] == "money"
    assert len(table) == len(mb.MAKE_LINES) + len(mb.BUY_LINES) + 2
    pv = table.set_index("Cost line")["Hand-worked case"]
    assert pv["Development (one-off)"] == pytest.approx(500)
    assert pv["Purchase"] == pytest.approx(540 * 2.486852, abs=1e-3)
    assert pv["Transition to the supplier (one-off)"] == pytest.approx(100)
    assert pv["Total cost of making"] == pytest.approx(1498.6658, abs=1e-3)
    assert pv["Total cost of buying"] == pytest.approx(1567.2427, abs=1e-3)
    assert set(table["Type"]) == {"Direct", "Hidden or indirect", ""}


def test_costs_by_period_split_each_option_into_direct_and_hidden_cost():
    """Period 1 of the hand case: make direct 160 + 18 + 50 + 100 = 328, hidden 114 + 30 + 8.9 = 152.9;
    buy direct 540, hidden 20 + 10 + 20 = 50 (the lines of test_cost_table_of_the_hand_worked_case)."""
    frame = two_cases().costs_by_period
    p1 = frame[(frame["case"] == "hand") & (frame["period"] == 1)].set_index(["option", "kind"])["cost"]
    assert p1[("make", "direct")] == pytest.approx(328)
    assert p1[("make", "hidden")] == pytest.approx(152.9)
    assert p1[("buy", "direct")] == pytest.approx(540)
    assert p1[("buy", "hidden")] == pytest.approx(50)


def test_cumulative_costs_cross_where_the_break_even_says():
    """Cumulative discounted make - buy of the hand case: 400, 300.8182, 120.4050, -68.5769
    (test_break_even_of_the_hand_worked_case), at cumulative volumes 0, 2, 4, 6."""
    frame = two_cases().cumulative_costs
    hand = frame[frame["case"] == "hand"]
    np.testing.assert_allclose(hand["make"] - hand["buy"], [400, 300.8182, 120.4050, -68.5769], atol=1e-3)
    np.testing.assert_allclose(hand["cumulative_units"], [0, 2, 4, 6])


def test_report_tables_read_as_words_with_their_number_kinds():
    a, ctx = two_cases(), report_ctx()
    products = views.products_view(a, ctx)
    assert products.frame["Planned units"].tolist() == [6, 6] and products.kinds["Planned units"] == "integer"
    assert products.frame["Horizon"].tolist() == ["3 years", "3 years"]
    glance = views.glance_view(a, ctx)
    assert glance.frame["Recommendation"].tolist() == ["Make", "Buy", ""]  # and the total row
    assert glance.frame["Cheaper at planned demand"].tolist() == ["Make", "Buy", ""]
    assert glance.kinds["Chance making is cheaper"] == "percent" and glance.kinds["Cost per unit: make"] == "money"
    factors = views.factors_view(a, ctx)
    assert factors.kinds["Hand-worked case"] == "integer" and factors.kinds["Weight"] == "percent"
    assert factors.frame["A high score favours"].tolist() == ["Make", "Make", "Buy", "Buy", "Make"]
    reasons = views.reasons_view(a, ctx).frame
    assert reasons["Product"].iloc[0] == "Hand-worked case" and reasons["Product"].iloc[1] == ""
    assert all(r[:1].isupper() for r in reasons["Reason"])
    assert views.verdicts_view(a, ctx).kinds["Combined score"] == "ratio"
    assert views.uncertainty_view(a, ctx).kinds["Saving: median"] == "money"


def test_two_products_with_one_name_are_told_apart_by_their_case_name():
    section = {"cases": {"a": hand_case(**{"demand.volatility": 0.0}), "b": hand_case(**{"demand.volatility": 0.0})}} | FAST
    names = views.products_view(mb.analyse_cases(section), report_ctx()).frame["Product"].tolist()
    assert names == ["Hand-worked case (a)", "Hand-worked case (b)"]


def test_sensitivity_reason_names_money_inputs_with_the_currency():
    """Supplier price 300 +- 20% = 240..360, an amount of money."""
    reasons = reasons_of(two_cases().cases["hand"])
    assert any("most sensitive to supplier price: between CN¥240 and CN¥360" in r for r in reasons)


def test_charts_draw_every_product_and_return_their_axes():
    import matplotlib.pyplot as plt

    a, ctx = two_cases(), report_ctx()
    axes = views.costs_per_period_chart(a, ctx)
    assert len(axes) == 2 and len(axes[0].patches) == 4 * 4  # 4 periods x (make, buy) x (direct, hidden)
    assert axes[0].get_ylabel() == "Cost per year"
    plt.close("all")
    axes = views.break_even_chart(a, ctx)
    assert [t.get_text() for t in axes[0].texts] == ["Break-even after 5 cumulative units, in year 3"]
    assert [t.get_text() for t in axes[1].texts] == ["No break-even within the horizon"]
    plt.close("all")
    ax = views.volatility_chart(a, ctx)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Hand-worked case", "Dear case"]
    plt.close("all")


def test_chinese_charts_write_labels_and_money_ticks_in_chinese():
    """Tick labels are drawn from their formatter: the report's formatter writes 万/亿 in Chinese."""
    import matplotlib.pyplot as plt

    a = two_cases()
    axes = views.tornado_chart(a, report_ctx("zh"))
    labels = [t.get_text() for t in axes[0].get_yticklabels()]
    assert "供应商单价" in labels and not any(re.search("[A-Za-z]{3,}", x) for x in labels)
    assert axes[0].get_xlabel() == "自主开发节省额现值"
    ticks = axes[0].xaxis.get_major_formatter().format_ticks([1_500_000.0, 20_000.0])
    assert ticks == ["¥150万", "¥2万"]
    plt.close("all")


def test_sample_case_texts_have_chinese_names():
    """Every label, unit and description in params/defaults.yaml has a Chinese name in the parameters."""
    cases = load_params("East", params_dir())["makebuy"]["example_cases"]
    for case in cases.values():
        for key in ("label", "unit", "description"):
            assert case[f"{key}_zh"], (key, case[key])


@pytest.mark.parametrize("region", ["East", "Northeast"])
def test_every_sentence_and_cell_of_the_sample_report_reads_in_chinese(regional, region):
    """No English word of three letters or more is left in a Chinese report's tables, reasons and summary."""
    a = regional[region]
    params = load_params(region, params_dir())
    ctx = report_ctx("zh", mbr.case_terms(params["makebuy"], "zh"))
    texts = []
    for view in (views.products_view, views.glance_view, views.cost_lines_view, views.uncertainty_view, views.factors_view,
                 views.verdicts_view, views.reasons_view):  # fmt: skip
        tv = view(a, ctx)
        texts += [str(c) for c in tv.frame.columns] + [v for v in tv.frame.astype(object).to_numpy().ravel() if isinstance(v, str)]
        texts.append(tv.caption)
    t = ctx.messages("makebuy")
    texts += [t.gettext(x) for x in mbr.headline_figures(a)["figure"]] + mbr.actions(a, ctx)
    left = [x for x in texts if re.search(r"[A-Za-z]{3,}", re.sub(r"<code>.*?</code>", "", x))]  # file names stay as written
    assert not left


def test_case_terms_are_the_clients_own_names_in_chinese_only():
    section = {"cases": {"x": {"label": "Pump", "label_zh": "泵", "unit": "set", "unit_zh": "", "description": "D"}}}
    assert mbr.case_terms(section, "zh") == {"Pump": "泵"}
    assert mbr.case_terms(section, "en") == {}


def test_a_clients_own_case_names_appear_in_chinese_reports_and_only_in_that_report():
    """label_zh / unit_zh / description_zh: translations that come with the parameters, not the catalogue."""
    section = copy.deepcopy(load_params("East", ROOT / "params")["makebuy"])
    own = copy.deepcopy(section["example_cases"]["sensor_kit"])
    own.update(
        label="Pump controller retrofit",
        label_zh="泵控制器改造",
        unit="retrofit",
        unit_zh="套",
        description="Retrofit kits.",
        description_zh="",
    )
    section["cases"] = {"pump_retrofit": own}
    check({"makebuy": section}, "test")  # the params schema takes the new fields
    analysis = mb.analyse_cases(section | FAST)

    ctx = report_ctx("zh", mbr.case_terms(section, "zh"))
    products = views.products_view(analysis, ctx).frame.to_string()
    assert "泵控制器改造" in products and "Pump controller retrofit" not in products
    assert "套" in products
    assert "Retrofit kits." in products  # an empty *_zh leaves the text as written
    assert views.products_view(analysis, report_ctx("en", mbr.case_terms(section, "en"))).frame["Product"].iloc[0] == (
        "Pump controller retrofit"
    )

    # the next report (a new context, as open_report makes) knows nothing of this one's names
    nxt = views.products_view(analysis, report_ctx("zh")).frame.iloc[0, 0]
    assert nxt == "Pump controller retrofit"


# --------------------------------------------------------------------------- rendered: the sample shows examples, other data none


def _render_04(data, out, params=None):
    from custlib.run.runner import render

    res = render(data, regions="East", notebooks="04_compare_make_vs_buy", out=out, params_dir=params or ROOT / "params", progress=False)
    assert not res.failed, [(o.notebook, o.error) for o in res.failed]
    return (Path(res.out_dir) / "east" / "04_compare_make_vs_buy.html").read_text(encoding="utf-8")


@pytest.mark.e2e
def test_the_sample_report_labels_the_examples_and_other_data_gets_none(tmp_path):
    """Rendered as a reader gets it: on the generated sample every product line says Example and the summary's saving
    is the glance table's total; on other data (the same region name, no sample marker) no case is shown and the
    summary says how to add them."""
    import html as html_lib

    from conftest import tiny_tables, write_tables

    from custlib.io.sample import generate_sample

    generate_sample(tmp_path / "sample", customers=300, regions=2, seed=42)
    text = html_lib.unescape(_render_04(tmp_path / "sample", tmp_path / "out_sample"))
    assert "Expected saving in the examples (present value)" in text
    assert "The products below are the workbook's examples" in text
    assert "Condition-monitoring sensor kit" in text
    bare = re.findall(r"(?<!Example: )Condition-monitoring sensor kit", text)
    assert not bare, "every mention of an example product says Example"
    summary = re.search(r'<div class="value">([^<]+)</div><div class="label">Expected saving in the examples', text).group(1)
    assert re.search(rf"<td[^>]*>Total of the examples</td>.*?<td[^>]*>{re.escape(summary)}</td>", text, re.S), summary

    other = html_lib.unescape(_render_04(write_tables(tiny_tables(), tmp_path / "crm"), tmp_path / "out_crm"))
    assert "No make-vs-buy cases are defined for East" in other and "params/regions/east.yaml" in other
    assert "Condition-monitoring sensor kit" not in other and "Example:" not in other
