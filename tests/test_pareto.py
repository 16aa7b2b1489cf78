"""Tests for custlib.analysis.pareto: known answers from hand arithmetic and closed forms."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from custlib.analysis import pareto as pa
from custlib.exceptions import DataError, InsufficientDataError, ParamsError
from custlib.io.periods import Quarter
from custlib.present import pareto as views
from custlib.reports.context import ReportContext


def ids(*names: str) -> pd.Index:
    return pd.Index(list(names), dtype="str", name="customer_id")


@pytest.fixture
def whale_profit() -> pd.DataFrame:
    """Five customers built by hand (see test docstrings for the arithmetic).

    revenue  e=160, b=20, d=10, a=6, c=4 (total 200): cumulative shares 0.80,
    0.90, 0.95, 0.98, 1.00, so with cut-offs (0.8, 0.95) A = {e}, B = {b, d},
    C = {a, c} under either usual ABC convention (the boundaries are hit exactly).
    net profit a=50, b=30, c=20, d=-10, e=-40 (total 50).
    """
    frame = pd.DataFrame(
        {
            "revenue": [6.0, 20.0, 4.0, 10.0, 160.0],
            "cost": [0.0, 0.0, 0.0, 0.0, 0.0],
            "gross_profit": [60.0, 40.0, 25.0, 10.0, 60.0],
            "visit_cost": [10.0, 10.0, 5.0, 20.0, 100.0],
            "cost_to_serve": [10.0, 10.0, 5.0, 20.0, 100.0],
            "net_profit": [50.0, 30.0, 20.0, -10.0, -40.0],
        },
        index=ids("a", "b", "c", "d", "e"),
    )
    frame.attrs["net_profit_includes_cost_to_serve"] = True
    return frame


# --------------------------------------------------------------------------- Gini


def test_gini_of_1_2_3_4_is_one_quarter():
    """Hand arithmetic: mean absolute difference over ordered pairs 20/16 = 1.25, mean 2.5, G = 1.25 / (2 * 2.5)."""
    assert pa.gini([1, 2, 3, 4]) == pytest.approx(0.25)


def test_gini_matches_the_mean_absolute_difference_definition():
    """Gini (1912): G = sum_i sum_j |x_i - x_j| / (2 n^2 mean), computed here by brute force over all pairs."""
    x = np.random.default_rng(3).gamma(0.7, 100.0, size=57)
    by_pairs = np.abs(x[:, None] - x[None, :]).sum() / (2 * x.size**2 * x.mean())
    assert pa.gini(pd.Series(x)) == pytest.approx(by_pairs, rel=1e-12)


def test_gini_is_zero_for_equal_values_and_n_minus_1_over_n_for_one_holder():
    """Closed forms of the plain estimator: equal values -> 0; one holder of all among n -> (n - 1) / n."""
    assert pa.gini([7.0] * 5) == pytest.approx(0.0)
    assert pa.gini([0, 0, 0, 9]) == pytest.approx(0.75)


def test_gini_of_profit_with_losses_exceeds_one_and_is_not_clipped():
    """Hand arithmetic for [-1, 0, 0, 2]: total 1, ordered-pair |differences| sum 18, G = 18 / (2 * 16 * 0.25) = 2.25
    (Chen, Tsaur & Rhai 1982: the Gini of incomes with negatives can exceed 1)."""
    assert pa.gini([2, 0, -1, 0]) == pytest.approx(2.25)


def test_gini_is_one_minus_twice_the_area_under_the_lorenz_curve():
    """Gini (1914) / Lorenz (1905): G = 1 - 2 * integral of L, the trapezoid area being exact for the step data."""
    x = np.random.default_rng(11).lognormal(0.0, 1.2, size=40)
    lc = pa.lorenz_curve(x)
    p, v = lc["cum_share_customers"].to_numpy(), lc["cum_share_value"].to_numpy()
    area = float(np.sum((p[1:] - p[:-1]) * (v[1:] + v[:-1]) / 2))
    assert pa.gini(x) == pytest.approx(1 - 2 * area, rel=1e-12)


@pytest.mark.parametrize(
    ("draw", "expected"),
    [
        (lambda rng, n: rng.uniform(0.0, 1.0, n), 1 / 3),
        (lambda rng, n: rng.exponential(1.0, n), 1 / 2),
        (lambda rng, n: rng.lognormal(0.0, 1.0, n), 2 * norm.cdf(1.0 / math.sqrt(2)) - 1),
        (lambda rng, n: rng.lognormal(0.0, 0.5, n), 2 * norm.cdf(0.5 / math.sqrt(2)) - 1),
    ],
    ids=["uniform", "exponential", "lognormal-1", "lognormal-0.5"],
)
def test_gini_of_large_samples_converges_to_the_closed_form(draw, expected):
    """Closed forms, G = E|X - Y| / (2 E X): uniform(0, 1) E|X - Y| = 1/3, mean 1/2 -> 1/3; exponential(1)
    X - Y is Laplace(1), E|X - Y| = 1, mean 1 -> 1/2; lognormal(sigma) 2 Phi(sigma / sqrt 2) - 1
    (Aitchison & Brown 1957, The Lognormal Distribution; Kleiber & Kotz 2003, Statistical Size Distributions, ch. 4).

    Tolerance: the sample Gini is asymptotically normal with sd c / sqrt(n); c is below 0.5 for these
    distributions (200 simulated replications give c = 0.26 for the exponential, 0.44 for the
    lognormal with sigma 1), so at n = 200,000 the sd is below 0.0012 and 0.005 is over 4 sd; the
    estimator's bias (-G / n) is negligible.
    """
    x = draw(np.random.default_rng(20240601), 200_000)
    assert pa.gini(x) == pytest.approx(expected, abs=0.005)


def test_gini_bootstrap_interval_covers_the_true_value_at_its_nominal_rate():
    """Simulation with a known parameter: exponential samples have Gini 1/2. A 90% percentile interval
    (Efron & Tibshirani 1993, ch. 13) should cover it in about 90% of 400 replications; the band
    0.85..0.95 is about +-3 binomial sd (sqrt(0.09 / 400) = 0.015)."""
    hits = 0
    for rep in range(400):
        x = np.random.default_rng(1000 + rep).exponential(size=300)
        est = pa.gini(x, ci=0.9, n_boot=200, seed=rep)
        hits += est.low <= 0.5 <= est.high
    assert 0.85 <= hits / 400 <= 0.95


def test_gini_with_ci_returns_estimate_low_high_and_is_reproducible():
    """The point estimate is unchanged by asking for an interval (hand value 0.25), and a seed fixes the interval."""
    x = [1, 2, 3, 4, 5, 6, 7, 8]
    est, low, high = pa.gini(x, ci=0.95, n_boot=300, seed=5)
    assert est == pytest.approx(pa.gini(x))
    assert low <= est <= high
    assert pa.gini(x, ci=0.95, n_boot=300, seed=5) == (est, low, high)


def test_gini_bootstrap_upper_bound_is_infinite_when_profit_total_is_near_zero():
    """[10, -9.9, 0.1, -0.1]: total 0.1. Resampling customers gives a non-positive total in far more than
    2.5% of draws (e.g. any resample with two -9.9 and one 10), where the Gini is unbounded."""
    est = pa.gini([10.0, -9.9, 0.1, -0.1], ci=0.95, n_boot=500, seed=1)
    assert est.high == math.inf
    assert est.estimate > 1


@pytest.mark.parametrize("values", [[], [5.0], np.array([3.0])])
def test_gini_of_empty_or_single_customer_raises_insufficient_data(values):
    with pytest.raises(InsufficientDataError, match="at least 2 customers"):
        pa.gini(values)


def test_gini_of_all_zero_or_negative_total_raises_insufficient_data():
    with pytest.raises(InsufficientDataError, match="all 3 values are zero"):
        pa.gini([0, 0, 0])
    with pytest.raises(InsufficientDataError, match="not positive"):
        pa.gini([1, -5])


def test_gini_rejects_missing_values_and_bad_parameters():
    with pytest.raises(DataError, match="missing or infinite"):
        pa.gini([1.0, np.nan, 2.0])
    with pytest.raises(DataError, match="expected numbers"):
        pa.gini(pd.Series(["a", "b"]))
    with pytest.raises(ParamsError, match="ci"):
        pa.gini([1, 2], ci=1.5)
    with pytest.raises(ParamsError, match="n_boot"):
        pa.gini([1, 2], ci=0.9, n_boot=2)


# --------------------------------------------------------------------------- Lorenz, shares, Herfindahl


def test_lorenz_curve_of_1_2_3_4_starts_at_origin():
    """Hand arithmetic: cumulative sums 1, 3, 6, 10 of total 10."""
    expected = pd.DataFrame({"cum_share_customers": [0.0, 0.25, 0.5, 0.75, 1.0], "cum_share_value": [0.0, 0.1, 0.3, 0.6, 1.0]})
    pd.testing.assert_frame_equal(pa.lorenz_curve(pd.Series([3, 1, 4, 2])), expected)


def test_top_share_holds_the_sum_of_the_largest_ceil_fraction_n():
    """Hand arithmetic on [1, 2, 3, 4]: top 25% = {4} -> 0.4; top 50% = {4, 3} -> 0.7; top 20% -> ceil(0.8) = 1 -> 0.4."""
    x = [2, 4, 1, 3]
    assert pa.top_share(x, 0.25) == pytest.approx(0.4)
    assert pa.top_share(x, 0.5) == pytest.approx(0.7)
    assert pa.top_share(x, 0.2) == pytest.approx(0.4)
    assert pa.top_share(x, 1.0) == pytest.approx(1.0)


def test_top_share_of_profit_with_losses_can_exceed_one():
    """[5, 3, -2, -1]: total 5; top half {5, 3} = 8 -> 160%."""
    assert pa.top_share([5, -2, 3, -1], 0.5) == pytest.approx(1.6)


def test_top_share_does_not_round_up_on_floating_point_noise():
    """0.1 * 30 is 3 customers, not 4: 30 values 1..30, top 3 = 30 + 29 + 28 = 87 of 465."""
    assert pa.top_share(np.arange(1, 31), 0.1) == pytest.approx(87 / 465)


def test_share_of_customers_for_is_the_smallest_top_fraction_reaching_the_share():
    """Hand arithmetic on [1, 2, 3, 4]: 70% -> {4, 3} = 7 -> 2/4; 80% -> {4, 3, 2} = 9 >= 8 -> 3/4; 40% -> {4} -> 1/4."""
    x = [1, 2, 3, 4]
    assert pa.share_of_customers_for(x, 0.7) == pytest.approx(0.5)
    assert pa.share_of_customers_for(x, 0.8) == pytest.approx(0.75)
    assert pa.share_of_customers_for(x, 0.4) == pytest.approx(0.25)


def test_share_of_customers_for_rejects_shares_outside_zero_one():
    with pytest.raises(ParamsError, match="share"):
        pa.share_of_customers_for([1, 2], 0)
    with pytest.raises(ParamsError, match="fraction"):
        pa.top_share([1, 2], 1.2)


@pytest.mark.parametrize("n", [2, 5, 40])
def test_herfindahl_of_equal_shares_is_one_over_n(n):
    """Closed form: n equal shares 1/n -> H = n * (1/n)^2 = 1/n; normalised H* = 0."""
    assert pa.herfindahl([3.0] * n) == pytest.approx(1 / n)
    assert pa.herfindahl([3.0] * n, normalized=True) == pytest.approx(0.0, abs=1e-12)


def test_herfindahl_of_1_2_3_4_and_of_a_single_holder():
    """Hand arithmetic: shares 0.1..0.4 -> 0.01 + 0.04 + 0.09 + 0.16 = 0.30, H* = (0.30 - 0.25) / 0.75 = 1/15;
    one holder of everything -> H = H* = 1."""
    assert pa.herfindahl([1, 2, 3, 4]) == pytest.approx(0.30)
    assert pa.herfindahl([1, 2, 3, 4], normalized=True) == pytest.approx(1 / 15)
    assert pa.herfindahl([0, 0, 8]) == pytest.approx(1.0)
    assert pa.herfindahl([0, 0, 8], normalized=True) == pytest.approx(1.0)


def test_herfindahl_rejects_negative_values():
    with pytest.raises(DataError, match="negative"):
        pa.herfindahl([3, -1, 2])


# --------------------------------------------------------------------------- profitability and concentration table


@pytest.fixture
def orders() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_id": ["o1", "o2", "o3", "o4", "o5"],
            "customer_id": pd.Series(["c1", "c1", "c2", "c2", "c3"], dtype="str"),
            "order_date": pd.to_datetime(["2026-07-01", "2026-09-30", "2026-08-15", "2026-06-30", "2026-10-01"]),
            "product_id": ["p1", "p1", "p2", "p2", "p1"],
            "category": ["x"] * 5,
            "quantity": [1.0] * 5,
            "revenue": [100.0, 50.0, 200.0, 999.0, 999.0],
            "cost": [60.0, 30.0, 150.0, 1.0, 1.0],
        }
    )


@pytest.fixture
def service() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": pd.Series(["c1", "c1", "c2", "c4", "c2"], dtype="str"),
            "month": pd.to_datetime(["2026-07-01", "2026-09-01", "2026-08-01", "2026-09-01", "2026-06-01"]),
            "cost_to_serve": [10.0, 5.0, 70.0, 8.0, 100.0],
            "visit_cost": [4.0, 5.0, 20.0, 8.0, 50.0],
            "logistics_cost": [6.0, 0.0, 50.0, 0.0, 50.0],
            "discount_cost": [np.nan] * 5,
        }
    )


def test_customer_profitability_sums_the_period_and_subtracts_cost_to_serve(orders, service):
    """Hand arithmetic for 2026Q3 (both ends inclusive): c1 150 - 90 = 60 gross, 15 to serve -> 45;
    c2 200 - 150 = 50, 70 -> -20; c4 only served (8) -> -8; the June and October rows are outside."""
    orders_before, service_before = orders.copy(), service.copy()
    out = pa.customer_profitability(orders, service, "2026-07-01", "2026-09-30")
    expected = pd.DataFrame(
        {
            "revenue": [150.0, 200.0, 0.0],
            "cost": [90.0, 150.0, 0.0],
            "gross_profit": [60.0, 50.0, 0.0],
            "visit_cost": [9.0, 20.0, 8.0],
            "logistics_cost": [6.0, 50.0, 0.0],
            "cost_to_serve": [15.0, 70.0, 8.0],
            "net_profit": [45.0, -20.0, -8.0],
            "returns_only": [False, False, False],
            "is_buyer": [True, True, False],  # c4 was served without ordering: no buyer of the concentration figures
        },
        index=ids("c1", "c2", "c4"),
    )
    pd.testing.assert_frame_equal(out, expected)
    assert list(pa.with_two_customers(out, 3).index) == ["c1", "c2"]
    assert out.attrs["net_profit_includes_cost_to_serve"] is True
    pd.testing.assert_frame_equal(orders, orders_before)
    pd.testing.assert_frame_equal(service, service_before)


def test_customer_profitability_without_service_costs_flags_net_as_gross(orders):
    out = pa.customer_profitability(orders, None, "2026-07-01", "2026-09-30")
    assert out["cost_to_serve"].isna().all()
    pd.testing.assert_series_equal(out["net_profit"], out["gross_profit"], check_names=False)
    assert out.attrs["net_profit_includes_cost_to_serve"] is False


def test_customer_profitability_errors_name_the_problem(orders, service):
    with pytest.raises(InsufficientDataError, match="no order lines between 2025-01-01 and 2025-03-31"):
        pa.customer_profitability(orders, service, "2025-01-01", "2025-03-31")
    with pytest.raises(DataError, match="transactions: column 'cost' is missing"):
        pa.customer_profitability(orders.drop(columns="cost"), service, "2026-07-01", "2026-09-30")
    with pytest.raises(ParamsError, match="before start"):
        pa.customer_profitability(orders, service, "2026-09-30", "2026-07-01")


def test_concentration_table_puts_revenue_gross_and_net_side_by_side():
    """Hand arithmetic: revenue [1, 2, 3, 4] (see the Gini and share tests); gross profit equal -> Gini 0,
    top 25% = 0.25, all 4 needed for 80%; net profit [-1, 0, 0, 2]: total 1, top 25% = {2} -> 2.0, Gini 2.25."""
    frame = pd.DataFrame(
        {"revenue": [1.0, 2.0, 3.0, 4.0], "gross_profit": [1.0, 1.0, 1.0, 1.0], "net_profit": [-1.0, 0.0, 0.0, 2.0]},
        index=ids("a", "b", "c", "d"),
    )
    out = pa.concentration_table(frame, tops=(0.25, 0.5))
    expected = pd.DataFrame(
        {
            "measure": pd.Series(["revenue", "gross_profit", "net_profit"], dtype="str"),
            "total": [10.0, 4.0, 1.0],
            "customers": [4, 4, 4],
            "negative_customers": [0, 0, 1],
            "top_25pct": [0.4, 0.25, 2.0],
            "top_50pct": [0.7, 0.5, 2.0],
            "customers_for_80pct": [0.75, 1.0, 0.25],
            "gini": [0.25, 0.0, 2.25],
            "note": pd.Series(["", "", "negative_values"], dtype="str"),
        }
    )
    pd.testing.assert_frame_equal(out, expected)


def test_concentration_table_reports_an_undefined_measure_instead_of_failing():
    frame = pd.DataFrame({"revenue": [1.0, 3.0], "net_profit": [-4.0, 1.0]}, index=ids("a", "b"))
    out = pa.concentration_table(frame, measures=("revenue", "net_profit"), tops=(0.5,), ci=0.9, n_boot=50)
    assert out.loc[0, "gini_low"] <= out.loc[0, "gini"] <= out.loc[0, "gini_high"]
    assert np.isnan(out.loc[1, "gini"]) and np.isnan(out.loc[1, "top_50pct"])
    assert out.loc[1, "note"] == "total_not_positive"


def test_concentration_table_of_one_customer_raises_insufficient_data():
    with pytest.raises(InsufficientDataError, match="1 customer"):
        pa.concentration_table(pd.DataFrame({"revenue": [1.0], "gross_profit": [1.0], "net_profit": [1.0]}))


# --------------------------------------------------------------------------- whale curve


def test_whale_curve_of_a_hand_built_profit_vector(whale_profit):
    """Ranked 50, 30, 20, -10, -40 (total 50): cumulative 50, 80, 100, 90, 50 -> 100%, 160%, 200%, 180%, 100%."""
    out = pa.whale_curve(whale_profit["net_profit"])
    expected = pd.DataFrame(
        {
            "customer_id": pd.Series(["a", "b", "c", "d", "e"], dtype="str"),
            "net_profit": [50.0, 30.0, 20.0, -10.0, -40.0],
            "rank": np.arange(1, 6),
            "cum_share_customers": [0.2, 0.4, 0.6, 0.8, 1.0],
            "cum_profit": [50.0, 80.0, 100.0, 90.0, 50.0],
            "cum_share_profit": [1.0, 1.6, 2.0, 1.8, 1.0],
        }
    )
    pd.testing.assert_frame_equal(out, expected)


def test_whale_curve_breaks_ties_by_customer_id():
    out = pa.whale_curve(pd.Series([5.0, 5.0, 1.0], index=ids("z", "m", "a")))
    assert out["customer_id"].tolist() == ["m", "z", "a"]


def test_whale_curve_of_a_loss_making_region_raises_insufficient_data():
    with pytest.raises(InsufficientDataError, match="net_profit: the total is -5.00"):
        pa.whale_curve(pd.Series([5.0, -10.0], index=ids("a", "b")))


def test_whale_summary_finds_peak_destroyers_and_their_revenue_tier(whale_profit):
    """Hand arithmetic (fixture): peak 200% after 3 of 5 customers; d (-10, tier B) and e (-40, tier A)
    destroy 50 = (2.0 - 1) * 50; tier A = {e} makes 80% of revenue and -80% of net profit."""
    w = pa.whale_summary(whale_profit)
    assert (w.customers, w.peak_customers, w.destroyers, w.destroyers_in_a) == (5, 3, 2, 1)
    assert w.peak_share == pytest.approx(2.0)
    assert w.peak_at == pytest.approx(0.6)
    assert w.destroyer_loss == pytest.approx(50.0)
    assert w.destroyer_loss_share == pytest.approx(w.peak_share - 1)
    expected = pd.DataFrame(
        {
            "tier": pd.Series(["A", "B", "C"], dtype="str"),
            "customers": [1, 2, 2],
            "revenue": [160.0, 30.0, 10.0],
            "revenue_share": [0.8, 0.15, 0.05],
            "net_profit": [-40.0, 20.0, 70.0],
            "net_profit_share": [-0.8, 0.4, 1.4],
            "destroyers": [1, 1, 0],
            "destroyer_rate": [1.0, 0.5, 0.0],
            "destroyer_loss": [40.0, 10.0, 0.0],
        }
    )
    pd.testing.assert_frame_equal(w.by_tier, expected)
    figures = w.figures().set_index("figure")["value"]
    assert figures["peak_share"] == pytest.approx(2.0) and figures["destroyers_in_a"] == 1


# --------------------------------------------------------------------------- resources by tier


def test_tier_allocation_sets_cost_to_serve_against_profit_and_growth(whale_profit):
    """Hand arithmetic: cost to serve A 100, B 30, C 15 of 145; per unit revenue 100/160, 30/30, 15/10;
    base revenue A 160, B 10 + 10, C 2 + 3 -> growth 0%, 50%, 100%; all 200 / 185 - 1."""
    tx = pd.DataFrame(
        {
            "customer_id": pd.Series(["e", "b", "d", "a", "c", "e"], dtype="str"),
            "order_date": pd.to_datetime(["2025-08-01"] * 5 + ["2025-10-01"]),
            "revenue": [160.0, 10.0, 10.0, 2.0, 3.0, 500.0],
        }
    )
    out = pa.tier_allocation(whale_profit, tx, "2025-07-01", "2025-09-30")
    got = out.set_index("tier")
    assert got.index.tolist() == ["A", "B", "C", "all"]
    assert got["customers"].tolist() == [1, 2, 2, 5]
    np.testing.assert_allclose(got["cost_to_serve_share"], [100 / 145, 30 / 145, 15 / 145, 1.0])
    np.testing.assert_allclose(got["visit_cost"], [100.0, 30.0, 15.0, 145.0])
    np.testing.assert_allclose(got["cost_to_serve_per_revenue"], [0.625, 1.0, 1.5, 145 / 200])
    np.testing.assert_allclose(got["net_profit_share"], [-0.8, 0.4, 1.4, 1.0])
    np.testing.assert_allclose(got["net_profit_per_cost_to_serve"], [-0.4, 20 / 30, 70 / 15, 50 / 145])
    np.testing.assert_allclose(got["revenue_growth"], [0.0, 0.5, 1.0, 200 / 185 - 1])


# --------------------------------------------------------------------------- concentration over time


def test_concentration_by_quarter_keeps_empty_quarters_and_uses_peer_definitions():
    """Hand arithmetic: 2026Q1 revenue [1, 2, 3, 4] -> Gini 0.25, top 20% (1 customer) 0.4, 75% for 80%;
    2026Q2 no orders; 2026Q3 two customers with 5 each (one in two lines) -> Gini 0, top 20% 0.5, 100% for 80%.
    Gross profit: Q1 [1, 1, 2, 3] -> (-3 - 1 + 2 + 9) / (4 * 7) = 0.25; Q3 [3, 4] -> (-3 + 4) / (2 * 7) = 1/14."""
    tx = pd.DataFrame(
        {
            "customer_id": pd.Series(["c1", "c2", "c3", "c4", "c1", "c1", "c2"], dtype="str"),
            "order_date": pd.to_datetime(
                ["2026-01-05", "2026-02-05", "2026-03-05", "2026-03-31", "2026-07-01", "2026-09-30", "2026-08-01"]
            ),
            "revenue": [1.0, 2.0, 3.0, 4.0, 2.0, 3.0, 5.0],
            "cost": [0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        }
    )
    out = pa.concentration_by_quarter(tx)
    expected = pd.DataFrame(
        {
            "quarter": pd.Series(["2026Q1", "2026Q2", "2026Q3"], dtype="str"),
            "customers": [4, 0, 2],
            "revenue": [10.0, 0.0, 10.0],
            "gross_profit": [7.0, 0.0, 7.0],
            "gini_revenue": [0.25, np.nan, 0.0],
            "top20_share_revenue": [0.4, np.nan, 0.5],
            "customers_for_80pct_revenue": [0.75, np.nan, 1.0],
            "gini_gross_profit": [0.25, np.nan, 1 / 14],
        }
    )
    pd.testing.assert_frame_equal(out, expected)


def test_concentration_by_quarter_agrees_with_the_peer_table_sql():
    """Independent implementation: custlib.io.data.PEER_SQL computes gini_revenue and top20_share_revenue in DuckDB."""
    duckdb = pytest.importorskip("duckdb")
    data = pytest.importorskip("custlib.io.data")
    rng = np.random.default_rng(8)
    n = 300
    tx = pd.DataFrame(
        {
            "customer_id": pd.Series([f"c{i:02d}" for i in rng.integers(0, 37, n)], dtype="str"),
            "order_date": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 540, n), unit="D"),
            "revenue": rng.lognormal(3, 1, n).round(2),
        }
    )
    tx["is_credit_note"] = rng.random(n) < 0.15  # returns: negative revenue, never an order
    tx.loc[tx["is_credit_note"], "revenue"] *= -0.5
    tx["cost"] = (tx["revenue"] * 0.7).round(2)
    customers = pd.DataFrame({"customer_id": [f"c{i:02d}" for i in range(37)], "region": "East"})
    con = duckdb.connect()
    try:
        con.register("transactions", tx)
        con.register("customers", customers)
        peers = con.execute(data.PEER_SQL, [pd.Timestamp("2026-12-31").date()]).df()
    finally:
        con.close()
    ours = pa.concentration_by_quarter(tx).set_index("quarter")
    peers = peers.set_index("quarter")
    assert ours.index.tolist() == peers.index.tolist()
    np.testing.assert_allclose(ours["gini_revenue"], peers["gini_revenue"], rtol=1e-9)
    np.testing.assert_allclose(ours["top20_share_revenue"], peers["top20_share_revenue"], rtol=1e-9)
    np.testing.assert_array_equal(ours["customers"], peers["customers"])
    np.testing.assert_allclose(ours["revenue"], peers["revenue"], rtol=1e-9)
    np.testing.assert_allclose(ours["gross_profit"], peers["gross_profit"], rtol=1e-9)
    # by hand with pandas: customers who ordered in a quarter, and its net revenue
    q = tx["order_date"].dt.to_period("Q").astype("str")
    np.testing.assert_array_equal(peers["customers"], tx[~tx["is_credit_note"]].groupby(q)["customer_id"].nunique().reindex(peers.index))
    np.testing.assert_allclose(peers["revenue"], tx.groupby(q)["revenue"].sum().reindex(peers.index), rtol=1e-9)


def test_concentration_vs_peers_ranks_the_region_among_the_others():
    """Hand arithmetic: 2026Q1 others 0.4, 0.6, 0.2 -> median 0.4, one above 0.5 -> rank 2 of 4;
    2026Q2 others 0.6, 0.2 -> median 0.4, rank 2 of 3; the region's own peer rows ("east") are left out."""
    own = pd.DataFrame({"quarter": pd.Series(["2026Q1", "2026Q2"], dtype="str"), "gini_revenue": [0.5, 0.3]})
    peers = pd.DataFrame(
        {
            "region": ["east", "east", "North", "North", "South", "South", "West"],
            "quarter": ["2026Q1", "2026Q2", "2026Q1", "2026Q2", "2026Q1", "2026Q2", "2026Q1"],
            "gini_revenue": [0.99, 0.99, 0.4, 0.6, 0.6, 0.2, 0.2],
        }
    )
    out = pa.concentration_vs_peers(own, peers, "East")
    expected = pd.DataFrame(
        {
            "quarter": pd.Series(["2026Q1", "2026Q2"], dtype="str"),
            "this_region": [0.5, 0.3],
            "peer_median": [0.4, 0.4],
            "peer_min": [0.2, 0.2],
            "peer_max": [0.6, 0.6],
            "rank": pd.array([2, 2], dtype="Int64"),
            "regions": [4, 3],
        }
    )
    pd.testing.assert_frame_equal(out, expected)
    ax = views.concentration_trend_chart(out, ReportContext(region="East", quarter=Quarter.parse("2026Q3"), params={}, data=None))
    try:
        assert ax.get_ylabel() == "Gini coefficient of revenue"
        assert [t.get_text() for t in ax.get_xticklabels()] == ["2026Q1", "2026Q2"]
    finally:
        plt.close(ax.figure)


# --------------------------------------------------------------------------- tier migration


def test_tier_migration_counts_moves_and_their_revenue_impact():
    """Hand-built: before a 80, b 15, c 5 -> A, B, C; after b 80, a 15, d 5 -> A, B, C.
    a moves A -> B (80 -> 15), b B -> A (15 -> 80), c left (5 -> 0), d entered (0 -> 5)."""
    tx = pd.DataFrame(
        {
            "customer_id": pd.Series(["a", "b", "c", "b", "a", "d"], dtype="str"),
            "order_date": pd.to_datetime(["2026-04-02", "2026-05-02", "2026-06-30", "2026-07-01", "2026-08-02", "2026-09-30"]),
            "revenue": [80.0, 15.0, 5.0, 80.0, 15.0, 5.0],
        }
    )
    out = pa.tier_migration(tx, "2026-04-01", "2026-06-30", "2026-07-01", "2026-09-30")
    assert len(out) == 15
    moved = out[out["customers"] > 0].reset_index(drop=True)
    expected = pd.DataFrame(
        {
            "from_tier": pd.Series(["A", "B", "C", "none"], dtype="str"),
            "to_tier": pd.Series(["B", "A", "none", "C"], dtype="str"),
            "move": pd.Series(["down", "up", "left", "entered"], dtype="str"),
            "customers": [1, 1, 1, 1],
            "revenue_before": [80.0, 15.0, 5.0, 0.0],
            "revenue_after": [15.0, 80.0, 0.0, 5.0],
            "revenue_change": [-65.0, 65.0, -5.0, 5.0],
        }
    )
    pd.testing.assert_frame_equal(moved, expected)
    m = pa.migration_matrix(out)
    assert m.loc["A", "B"] == 1 and m.loc["B", "A"] == 1 and m.loc["none", "none"] == 0
    assert int(m.to_numpy().sum()) == 4


def test_tier_moves_name_each_customers_move_and_add_up_to_the_migration():
    """The same hand-built case: a moved down (A -> B), b up, c left, d entered; their counts are the migration's."""
    tx = pd.DataFrame(
        {
            "customer_id": pd.Series(["a", "b", "c", "b", "a", "d"], dtype="str"),
            "order_date": pd.to_datetime(["2026-04-02", "2026-05-02", "2026-06-30", "2026-07-01", "2026-08-02", "2026-09-30"]),
            "revenue": [80.0, 15.0, 5.0, 80.0, 15.0, 5.0],
        }
    )
    moves = pa.tier_moves(tx, "2026-04-01", "2026-06-30", "2026-07-01", "2026-09-30")
    assert moves["move"].to_dict() == {"a": "down", "b": "up", "c": "left", "d": "entered"}
    assert moves.loc["a", ["revenue_before", "revenue_after"]].tolist() == [80.0, 15.0]
    pd.testing.assert_frame_equal(pa.migration_of(moves), pa.tier_migration(tx, "2026-04-01", "2026-06-30", "2026-07-01", "2026-09-30"))


def test_customer_losses_list_the_customers_the_loss_figures_count():
    """Hand-built: five buyers, revenue 50, 30, 10, 6, 4 (cumulative 50%, 80%, 90%, 96%): A, A, B, B, C at 80/95;
    a loses after cost to serve, c sells below cost, e loses; r only returned goods; x was served without ordering."""
    profit = pd.DataFrame(
        {
            "revenue": [50.0, 30.0, 10.0, 6.0, 4.0, -3.0, 0.0],
            "gross_profit": [5.0, 6.0, -1.0, 1.0, 0.5, -1.0, 0.0],
            "cost_to_serve": [9.0, 1.0, 0.5, 0.5, 1.0, 0.0, 2.0],
            "net_profit": [-4.0, 5.0, -1.5, 0.5, -0.5, -1.0, -2.0],
            "returns_only": [False, False, False, False, False, True, False],
            "is_buyer": [True, True, True, True, True, False, False],
        },
        index=pd.Index(list("abcderx"), name="customer_id"),
    )
    who = pa.customer_losses(profit)
    assert who["losing"].to_dict() == {"a": True, "b": False, "c": True, "d": False, "e": True, "r": False, "x": False}
    assert who["tier"].tolist()[:5] == ["A", "A", "B", "B", "C"] and who["tier"].iloc[5:].isna().all()
    v = pa.loss_figures(profit)
    assert (v["destroyers"], v["in_a"], v["returned"]) == (3.0, 1.0, 1.0)
    assert pa.served_without_orders(profit).to_dict() == dict.fromkeys("abcder", False) | {"x": True}
    no_cost = profit.assign(net_profit=profit["net_profit"].where(profit.index != "b"))  # a buyer's profit unknown
    assert not pa.customer_losses(no_cost)["losing"].any() and math.isnan(pa.loss_figures(no_cost)["destroyers"])


def test_tier_migration_with_one_customer_in_a_period_raises():
    tx = pd.DataFrame(
        {
            "customer_id": pd.Series(["a", "a", "b"], dtype="str"),
            "order_date": pd.to_datetime(["2026-04-02", "2026-07-02", "2026-07-03"]),
            "revenue": [1.0, 2.0, 3.0],
        }
    )
    with pytest.raises(InsufficientDataError, match="1 customer"):
        pa.tier_migration(tx, "2026-04-01", "2026-06-30", "2026-07-01", "2026-09-30")


# --------------------------------------------------------------------------- planted sample patterns


@pytest.fixture(scope="session")
def small_sample(tmp_path_factory):
    """A small seeded sample (600 customers, 2 regions) with its planted ground truth."""
    sample = pytest.importorskip("custlib.io.sample")
    out = tmp_path_factory.mktemp("pareto_sample")
    sample.generate_sample(out, customers=600, regions=2, seed=42)
    return out


def test_planted_unprofitable_large_customers_are_value_destroyers_in_tier_a(small_sample):
    """Ground truth from custlib.io.sample's planted.json: ``unprofitable_large`` customers are drawn from their
    region's top 5% by revenue and, by the planted criterion, have negative net profit over the whole period
    and over the last quarter. The whale summary must flag them as value destroyers in both periods, and in
    revenue tier A over the whole period (in a single quarter a planted customer can sit near the A/B line,
    so the tier is checked where the planted revenue rank is stable)."""
    import json

    from custlib.io.periods import Quarter

    planted = json.loads((small_sample / "planted.json").read_text(encoding="utf-8"))
    last = Quarter.of(planted["end"])
    customers = pd.read_parquet(small_sample / "customers.parquet")
    tx = pd.read_parquet(small_sample / "transactions.parquet")
    tx["order_date"] = pd.to_datetime(tx["order_date"])
    sc = pd.read_parquet(small_sample / "service_costs.parquet")
    sc["month"] = pd.to_datetime(sc["month"])
    region_of = customers.set_index("customer_id")["region"]
    expected = pd.Series(planted["unprofitable_large"], dtype="str")
    assert len(expected) >= 2
    for region, planted_ids in expected.groupby(expected.map(region_of)):
        members = customers.loc[customers["region"] == region, "customer_id"]
        tx_r, sc_r = tx[tx["customer_id"].isin(members)], sc[sc["customer_id"].isin(members)]
        whole = pa.whale_summary(pa.customer_profitability(tx_r, sc_r, planted["start"], planted["end"]))
        flagged = whole.by_customer.loc[planted_ids.tolist()]
        assert flagged["destroyer"].all(), f"{region}: not value destroyers over the period:\n{flagged}"
        assert (flagged["tier"] == "A").all(), f"{region}: not in revenue tier A over the period:\n{flagged}"
        assert whole.destroyers_in_a >= len(planted_ids)
        quarter = pa.whale_summary(pa.customer_profitability(tx_r, sc_r, last.start, last.end))
        assert quarter.by_customer.loc[planted_ids.tolist(), "destroyer"].all(), f"{region}: not value destroyers in {last}"


def test_concentration_by_quarter_through_a_later_quarter_adds_empty_quarters():
    tx = pd.DataFrame(
        {
            "customer_id": pd.Series(["c1", "c2"], dtype="str"),
            "order_date": pd.to_datetime(["2026-01-05", "2026-02-05"]),
            "revenue": [1.0, 3.0],
            "cost": [0.0, 0.0],
        }
    )
    out = pa.concentration_by_quarter(tx, through="2026-09-30")
    assert out["quarter"].tolist() == ["2026Q1", "2026Q2", "2026Q3"]
    assert out["customers"].tolist() == [2, 0, 0]
    assert out["gini_revenue"].iloc[0] == pytest.approx(0.25)  # [1, 3]: (-1 + 3) / (2 * 4)


def test_tier_allocation_without_cost_to_serve_raises_insufficient_data(whale_profit):
    frame = whale_profit.assign(cost_to_serve=np.nan)
    frame.attrs["net_profit_includes_cost_to_serve"] = False
    tx = pd.DataFrame({"customer_id": pd.Series(["a"], dtype="str"), "order_date": pd.to_datetime(["2025-08-01"]), "revenue": [1.0]})
    with pytest.raises(InsufficientDataError, match="no cost-to-serve data"):
        pa.tier_allocation(frame, tx, "2025-07-01", "2025-09-30")


def test_whale_chart_draws_origin_peak_and_returns_the_axes(whale_profit):
    ctx = ReportContext(region="East", quarter=Quarter.parse("2026Q3"), params={}, data=None)
    fig, ax = plt.subplots()
    try:
        out = views.whale_chart(pa.whale_curve(whale_profit), ctx, ax=ax)
        assert out is ax
        x, y = ax.lines[0].get_data()
        np.testing.assert_allclose(x, [0, 0.2, 0.4, 0.6, 0.8, 1.0])
        np.testing.assert_allclose(y, [0, 1.0, 1.6, 2.0, 1.8, 1.0])
        assert "Peak 200% at 60% of customers" in [t.get_text() for t in ax.texts]
    finally:
        plt.close(fig)


# --------------------------------------------------------------------------- the quarter's steps on thin data


def region_frames(keep=("a", "b", "c", "d", "e"), quarters=("2025Q3", "2026Q2", "2026Q3")):
    """Five customers of region East, built by hand.

    2026Q3 revenue a=100, b=200, c=50, d=150, e=500 with cost 40, 160, 25, 140, 440 (gross profit 60, 40,
    25, 10, 60) and cost to serve 10, 10, 5, 20, 100, so net profit a=50, b=30, c=20, d=-10, e=-40 (total 50).
    2026Q2 (previous quarter) and 2025Q3 (a year before) hold one order per customer.
    """
    dates = {"2025Q3": "2025-08-15", "2026Q2": "2026-05-15", "2026Q3": "2026-07-01"}
    revenue = {
        "2025Q3": [50.0, 100.0, 50.0, 100.0, 500.0],
        "2026Q2": [80.0, 100.0, 40.0, 60.0, 300.0],
        "2026Q3": [100.0, 200.0, 50.0, 150.0, 500.0],
    }
    cost = {
        "2025Q3": [25.0, 50.0, 25.0, 50.0, 250.0],
        "2026Q2": [40.0, 50.0, 20.0, 30.0, 150.0],
        "2026Q3": [40.0, 160.0, 25.0, 140.0, 440.0],
    }
    names = ["a", "b", "c", "d", "e"]
    rows = [(c, dates[q], revenue[q][i], cost[q][i]) for q in quarters for i, c in enumerate(names) if c in keep]
    tx = pd.DataFrame(rows, columns=["customer_id", "order_date", "revenue", "cost"])
    tx = tx.assign(order_date=pd.to_datetime(tx["order_date"]), customer_id=tx["customer_id"].astype("str"))
    sc = pd.DataFrame(
        {
            "customer_id": pd.Series(names, dtype="str"),
            "month": pd.to_datetime(["2026-07-01", "2026-08-01", "2026-09-01", "2026-09-01", "2026-07-01"]),
            "cost_to_serve": [10.0, 10.0, 5.0, 20.0, 100.0],
            "visit_cost": [10.0, 10.0, 5.0, 20.0, 100.0],
        }
    )
    return tx, sc[sc["customer_id"].isin(keep)].reset_index(drop=True)


Q3 = Quarter.parse("2026Q3")


def test_the_quarters_steps_give_the_hand_built_answers():
    """Net profit ranked a=50, b=30, c=20, d=-10, e=-40 accumulates to 50, 80, 100, 90, 50: the whale curve peaks
    at 100/50 = 200% of total profit at 3 of 5 customers (60%), and 2 customers destroy 10 + 40 = 50."""
    tx, sc = region_frames()
    before = tx.copy()
    profit = pa.with_positive_profit(pa.with_two_customers(pa.quarter_profitability(tx, sc, Q3), 5))
    whale = pa.whale_summary(profit)
    assert (whale.peak_share, whale.peak_at, whale.destroyers, whale.destroyer_loss) == pytest.approx((2.0, 0.6, 2, 50.0))
    assert pa.concentration_by_quarter(tx, through=Q3.end)["quarter"].iloc[-1] == "2026Q3"
    pd.testing.assert_frame_equal(tx, before)


def test_a_region_of_one_customer_or_one_buyer_is_refused_with_its_size():
    tx, sc = region_frames(keep=("e",))
    with pytest.raises(InsufficientDataError) as err:
        pa.with_two_customers(pa.quarter_profitability(tx, sc, Q3), 1)
    assert err.value.code == "one_customer"
    tx, sc = region_frames()
    tx = tx[(tx["customer_id"] == "a") | (tx["order_date"] < "2026-07-01")]
    with pytest.raises(InsufficientDataError) as err:
        pa.with_two_customers(pa.quarter_profitability(tx, sc[sc["customer_id"] == "a"], Q3), 5)
    assert (err.value.code, err.value.fields) == ("one_buyer", {"customers": 5})


def test_a_quarter_without_orders_names_the_last_order_before_it():
    tx, sc = region_frames(quarters=("2025Q3", "2026Q2"))
    with pytest.raises(InsufficientDataError) as err:
        pa.quarter_profitability(tx, sc, Q3)
    assert err.value.code == "no_orders_in_quarter" and str(err.value.fields["last"]) == "2026-05-15"
    by_q = pa.concentration_by_quarter(tx, through=Q3.end).set_index("quarter")
    assert by_q.loc["2026Q3", "customers"] == 0 and by_q.loc["2026Q2", "customers"] == 5
    with pytest.raises(InsufficientDataError) as err:
        pa.quarter_profitability(tx[tx["order_date"] > "2030-01-01"], sc, Q3)
    assert err.value.code == "no_orders_yet"


def test_a_loss_making_quarter_has_no_whale_curve():
    """Cost to serve raised by 100 for every customer: net profit 50 - 500 = -450 in total."""
    tx, sc = region_frames()
    profit = pa.quarter_profitability(tx, sc.assign(cost_to_serve=sc["cost_to_serve"] + 100.0), Q3)
    with pytest.raises(InsufficientDataError) as err:
        pa.with_positive_profit(profit)
    assert err.value.code == "loss_making_region" and err.value.fields["total"] == pytest.approx(-450.0)


def test_without_service_costs_net_is_gross_and_the_allocation_is_refused():
    tx, _ = region_frames()
    profit = pa.quarter_profitability(tx, None, Q3)
    assert pa.net_is_gross(profit)
    assert pa.concentration_table(profit).attrs["net_profit_includes_cost_to_serve"] is False
    with pytest.raises(InsufficientDataError) as err:
        pa.tier_allocation(profit, tx, "2025-07-01", "2025-09-30")
    assert err.value.code == "no_service_costs"


def test_a_short_history_leaves_out_growth_and_migration():
    """Only 2026Q3 in the data: no previous quarter to migrate from, no base quarter for growth."""
    tx, sc = region_frames(quarters=("2026Q3",))
    with pytest.raises(InsufficientDataError) as err:
        pa.tier_migration(tx, "2026-04-01", "2026-06-30", "2026-07-01", "2026-09-30")
    assert err.value.code == "too_few_buyers_to_tier" and err.value.fields["found"] == 0
    alloc = pa.tier_allocation(pa.quarter_profitability(tx, sc, Q3), tx, "2025-07-01", "2025-09-30")
    assert alloc["revenue_growth"].isna().all()


def test_every_step_is_available_for_every_sample_region(small_sample):
    """The issue's "done when": the report has every section for every region of the sample."""
    customers = pd.read_parquet(small_sample / "customers.parquet")
    tx = pd.read_parquet(small_sample / "transactions.parquet").assign(order_date=lambda f: pd.to_datetime(f["order_date"]))
    sc = pd.read_parquet(small_sample / "service_costs.parquet").assign(month=lambda f: pd.to_datetime(f["month"]))
    quarter = Quarter.of(tx["order_date"].max())
    for _, members in customers.groupby("region"):
        ids_ = set(members["customer_id"])
        t, s = tx[tx["customer_id"].isin(ids_)], sc[sc["customer_id"].isin(ids_)]
        profit = pa.with_positive_profit(pa.with_two_customers(pa.quarter_profitability(t, s, quarter), len(members)))
        pa.concentration_table(profit, ci=0.9, n_boot=50)
        pa.whale_summary(profit)
        pa.tier_allocation(profit, t, quarter.shift(-4).start, quarter.shift(-4).end)
        pa.tier_migration(t, quarter.previous.start, quarter.previous.end, quarter.start, quarter.end)
        pa.concentration_trend(pa.concentration_by_quarter(t, through=quarter.end), None, "x")
