"""Tests of custlib.analysis.clv and custlib.present.clv: RFM summaries, BG/NBD, Gamma-Gamma and discounted CLV.

Known answers come from
- the CDNOW 1/10 sample (tests/data, see CDNOW_README.md) and the estimates
  published on it by Fader, Hardie & Lee (2005, Marketing Science 24(2)) and
  Fader & Hardie (2013, "The Gamma-Gamma Model of Monetary Value");
- data simulated from each model's generative process with known parameters;
- closed forms (P(alive) for x = 0, small-t limits, telescoping sums) and
  numerical integration of the model's definitions.
"""

from __future__ import annotations

import inspect
import json
import warnings
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special

import custlib
from custlib.analysis import clv
from custlib.analysis.clv import bgnbd, fitting, gamma_gamma
from custlib.exceptions import DataError, InsufficientDataError, NotFittedError, ParamsError
from custlib.present import clv as views
from custlib.reports.sections import Unavailable

DATA = Path(__file__).parent / "data"
SCHEMA = Path(custlib.__file__).parent / "io" / "schemas" / "clv.json"

# Fader, Hardie & Lee (2005), "Counting your customers the easy way", empirical analysis.
FHL_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
FHL_LL = -9582.4
# Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value", 946 repeat customers.
FH_GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}


# --------------------------------------------------------------------------
# fixtures and simulators
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cdnow_transactions() -> pd.DataFrame:
    """CDNOW 1/10 sample: master id, customer id, date, CDs bought, dollar value."""
    raw = pd.read_csv(
        DATA / "cdnow_sample.txt.gz",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "cds", "value"],
        dtype={"master_id": "str", "customer_id": "str", "date": "str"},
    )
    return pd.DataFrame(
        {
            "customer_id": raw["customer_id"].str.lstrip("0"),
            "order_date": pd.to_datetime(raw["date"], format="%Y%m%d"),
            "revenue": raw["value"],
        }
    )


@pytest.fixture(scope="module")
def cdnow_summary_file() -> pd.DataFrame:
    """Fader & Hardie's calibration summary (x, t_x, T, zbar), rounded to 2 decimals."""
    return pd.read_csv(DATA / "cdnow_summary.csv", dtype={"ID": "str"})


@pytest.fixture(scope="module")
def cdnow_rfm(cdnow_transactions) -> pd.DataFrame:
    return clv.rfm_summary(cdnow_transactions, calibration_end="1997-09-30")


def simulate_bgnbd(n, r, alpha, a, b, seed, t_min=20.0, t_max=52.0, holdout=0.0):
    """Customers drawn from the BG/NBD story, event by event (FHL 2005, assumptions i-v).

    lambda ~ Gamma(r, rate alpha), p ~ Beta(a, b); purchases follow a Poisson
    process with rate lambda from the first purchase at time 0; after each
    repeat purchase the customer drops out with probability p. Ages T are
    uniform on [t_min, t_max]. Returns x, t_x, T, holdout purchases in
    (T, T + holdout] and whether the customer is alive at T.
    """
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    ages = rng.uniform(t_min, t_max, n)
    x = np.zeros(n, dtype="int64")
    tx = np.zeros(n)
    hold = np.zeros(n, dtype="int64")
    alive = np.ones(n, dtype=bool)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1.0 / lam[i])
            if t > ages[i] + holdout:
                break
            if t <= ages[i]:
                x[i] += 1
                tx[i] = t
            else:
                hold[i] += 1
            if rng.random() < p[i]:
                if t <= ages[i]:
                    alive[i] = False
                break
    return pd.DataFrame({"frequency": x, "recency": tx, "T": ages, "holdout": hold, "alive": alive})


def simulate_gamma_gamma(n, p, q, gamma, seed):
    """Customers drawn from the Gamma-Gamma story (Fader & Hardie 2013).

    nu ~ Gamma(q, rate gamma) per customer; each transaction value
    z ~ Gamma(p, rate nu). Frequencies are 1 + Poisson(2). Returns the
    frequency, the mean value and one further (future) transaction value.
    """
    rng = np.random.default_rng(seed)
    nu = rng.gamma(q, 1.0 / gamma, n)
    x = 1 + rng.poisson(2.0, n)
    means = np.array([rng.gamma(p, 1.0 / nu[i], x[i]).mean() for i in range(n)])
    future = rng.gamma(p, 1.0 / nu)
    return pd.DataFrame({"frequency": x, "monetary_value": means, "future": future})


@pytest.fixture(scope="module")
def simulated_bgnbd() -> pd.DataFrame:
    return simulate_bgnbd(4000, r=0.6, alpha=5.0, a=1.2, b=3.0, seed=20240501, holdout=26.0)


@pytest.fixture(scope="module")
def cdnow_models(cdnow_rfm):
    s = cdnow_rfm
    return (
        clv.fit_bgnbd(s["frequency"], s["recency"], s["T"]),
        clv.fit_gamma_gamma(s["frequency"], s["monetary_value"]),
    )


def fixed_bgnbd(**params) -> clv.BetaGeoModel:
    """A BG/NBD model with given parameters, as if fitted."""
    model = clv.BetaGeoModel()
    model.params_ = dict(params)
    return model


def fixed_gamma_gamma(**params) -> clv.GammaGammaModel:
    model = clv.GammaGammaModel()
    model.params_ = dict(params)
    return model


# --------------------------------------------------------------------------
# rfm_summary and calibration_holdout_summary
# --------------------------------------------------------------------------


@pytest.fixture
def tiny_orders() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": pd.array(["a", "a", "a", "a", "a", "a", "b", "c"], dtype="str"),
            "order_date": pd.to_datetime(
                [
                    "2024-01-01",
                    "2024-01-01 15:30",  # same day as the first order: merged
                    "2024-01-08",
                    "2024-01-22",
                    "2024-01-22",
                    "2024-02-05",  # after calibration_end
                    "2024-01-15",
                    "2024-02-01",  # customer c starts after calibration_end
                ],
                format="ISO8601",
            ),
            "revenue": [10.0, 5.0, 20.0, 30.0, 10.0, 50.0, 7.0, 9.0],
        }
    )


def test_rfm_summary_merges_same_day_orders_and_excludes_first_purchase_from_monetary(
    tiny_orders,
):
    """Hand computation: a buys on days 0, 7, 21 (weeks 0, 1, 3) with values 15, 20, 40.

    frequency = 2 repeat days, recency = 21/7 = 3, T = 28/7 = 4,
    monetary = (20 + 40) / 2 = 30; b buys once on day 14 -> T = 2, monetary 0;
    c starts after calibration_end and is left out.
    """
    before = tiny_orders.copy()
    got = clv.rfm_summary(tiny_orders, calibration_end="2024-01-29")
    expected = pd.DataFrame(
        {
            "customer_id": pd.array(["a", "b"], dtype="str"),
            "frequency": np.array([2, 0], dtype="int64"),
            "recency": [3.0, 0.0],
            "T": [4.0, 2.0],
            "monetary_value": [30.0, 0.0],
        }
    )
    pd.testing.assert_frame_equal(got, expected)
    pd.testing.assert_frame_equal(tiny_orders, before)


def test_rfm_summary_in_days_counts_days(tiny_orders):
    """Same hand computation in days: recency 21, T 28 for a; T 14 for b."""
    got = clv.rfm_summary(tiny_orders, calibration_end="2024-01-29", time_unit="D")
    assert got["recency"].tolist() == [21.0, 0.0]
    assert got["T"].tolist() == [28.0, 14.0]


def test_rfm_summary_defaults_calibration_end_to_last_order(tiny_orders):
    """Without calibration_end every order counts: a has 3 repeat days up to 2024-02-05."""
    got = clv.rfm_summary(tiny_orders, value_col=None)
    assert list(got.columns) == ["customer_id", "frequency", "recency", "T"]
    assert got.set_index("customer_id")["frequency"].to_dict() == {"a": 3, "b": 0, "c": 0}
    assert got.set_index("customer_id")["T"].to_dict() == {"a": 5.0, "b": 3.0, "c": 4 / 7}


def test_calibration_holdout_summary_counts_holdout_purchase_days(tiny_orders):
    """a buys once in (2024-01-29, 2024-02-12] (value 50); b never; the window is 2 weeks."""
    got = clv.calibration_holdout_summary(tiny_orders, calibration_end="2024-01-29", holdout_end="2024-02-12")
    assert got["customer_id"].tolist() == ["a", "b"]
    assert got["frequency_holdout"].tolist() == [1, 0]
    assert got["monetary_value_holdout"].tolist() == [50.0, 0.0]
    assert got["duration_holdout"].tolist() == [2.0, 2.0]
    assert got["frequency"].tolist() == [2, 0]


def test_rfm_summary_reproduces_cdnow_calibration_summary(cdnow_rfm, cdnow_summary_file):
    """CDNOW: Fader & Hardie's summary (x, t_x, T, zbar; 2 decimals) for weeks 1-39.

    Calibration ends on 1997-09-30 inclusive and T runs to that date (a
    customer first seen on 1997-01-01 has T = 272 / 7 = 38.86); orders on
    one day count as one transaction. All 2,357 customers agree to within
    the 0.005 rounding of the file.
    """
    ref = cdnow_summary_file.rename(columns={"ID": "customer_id"})
    merged = ref.merge(cdnow_rfm, on="customer_id", how="outer", validate="1:1")
    assert len(merged) == 2357
    assert (merged["x"] == merged["frequency"]).all()
    assert (merged["x"] > 0).sum() == 946
    tol = 0.005 + 1e-9
    assert (merged["t_x"] - merged["recency"]).abs().max() <= tol
    assert (merged["T_x"] - merged["T_y"]).abs().max() <= tol
    assert (merged["zbar"] - merged["monetary_value"]).abs().max() <= tol


def test_calibration_holdout_summary_splits_cdnow_at_week_39(cdnow_transactions):
    """CDNOW: weeks 40-78 (1997-10-01..1998-06-30) are 39 holdout weeks for the 2,357 customers.

    Every purchase day after the calibration is a repeat purchase, so the
    holdout counts add up to the purchase days in the raw file after 1997-09-30.
    """
    got = clv.calibration_holdout_summary(cdnow_transactions, calibration_end="1997-09-30", holdout_end="1998-06-30")
    days = cdnow_transactions[["customer_id", "order_date"]].drop_duplicates()
    assert len(got) == 2357
    assert got["duration_holdout"].iloc[0] == 39.0
    assert got["frequency_holdout"].sum() == (days["order_date"] > "1997-09-30").sum()


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda df: df.drop(columns="revenue"), "column 'revenue' is missing"),
        (lambda df: df.assign(order_date=pd.NaT), "'order_date' has missing dates"),
        (lambda df: df.assign(revenue=np.nan), "'revenue' has missing"),
        (lambda df: df.assign(customer_id=None), "'customer_id' has missing ids"),
    ],
)
def test_rfm_summary_rejects_bad_transactions_naming_the_column(tiny_orders, change, match):
    with pytest.raises(DataError, match=match):
        clv.rfm_summary(change(tiny_orders), calibration_end="2024-01-29")


def test_rfm_summary_rejects_unknown_time_unit_and_empty_calibration(tiny_orders):
    with pytest.raises(ParamsError, match="time_unit"):
        clv.rfm_summary(tiny_orders, calibration_end="2024-01-29", time_unit="M")
    with pytest.raises(InsufficientDataError, match="calibration_end"):
        clv.rfm_summary(tiny_orders, calibration_end="2023-12-31")
    with pytest.raises(ParamsError, match="holdout_end"):
        clv.calibration_holdout_summary(tiny_orders, calibration_end="2024-01-29", holdout_end="2024-01-29")


# --------------------------------------------------------------------------
# BG/NBD
# --------------------------------------------------------------------------


def assert_published(params: dict, published: dict) -> None:
    """Estimates equal the published ones to the published precision (half a last digit)."""
    for key, value in published.items():
        decimals = len(str(value).split(".")[1])
        assert abs(params[key] - value) <= 0.5 * 10.0**-decimals + 1e-12, (key, params[key])


def test_fit_bgnbd_reproduces_fader_hardie_lee_2005_on_cdnow(cdnow_models):
    """CDNOW 1/10 sample, 39 calibration weeks: FHL (2005) report r = 0.243,
    alpha = 4.414, a = 0.793, b = 2.426 and LL = -9582.4."""
    model, _ = cdnow_models
    assert_published(model.params, FHL_BGNBD)
    assert abs(model.log_likelihood - FHL_LL) <= 0.05
    assert model.converged_
    assert model.n_customers_ == 2357
    assert all(0 < se < np.inf for se in model.standard_errors.values())


def test_fit_bgnbd_reproduces_published_estimates_from_the_rounded_summary_file(
    cdnow_summary_file,
):
    """FHL (2005) estimates again, from Fader & Hardie's 2-decimal summary file."""
    s = cdnow_summary_file
    model = clv.fit_bgnbd(s["x"], s["t_x"], s["T"])
    assert_published(model.params, FHL_BGNBD)
    assert abs(model.log_likelihood - FHL_LL) <= 0.05


def test_fit_bgnbd_recovers_simulated_parameters_within_three_standard_errors(simulated_bgnbd):
    """4,000 customers simulated with r=0.6, alpha=5, a=1.2, b=3 (seeded).

    Each estimate lies within 3 of its Hessian standard errors of the truth
    (a 99.7% band per parameter if the SEs are right).
    """
    s = simulated_bgnbd
    model = clv.fit_bgnbd(s["frequency"], s["recency"], s["T"])
    truth = {"r": 0.6, "alpha": 5.0, "a": 1.2, "b": 3.0}
    for key, value in truth.items():
        assert abs(model.params[key] - value) < 3 * model.standard_errors[key], key
    # jointly: the Wald statistic with the full covariance is below chi2(4)'s 99.9% point
    diff = np.array([model.params[k] - v for k, v in truth.items()])
    wald = diff @ np.linalg.solve(model.covariance_.to_numpy(), diff)
    assert wald < 18.47


def test_bgnbd_standard_errors_agree_with_outer_product_of_gradients(simulated_bgnbd):
    """Information matrix equality: at the MLE of a correctly specified model,
    the inverse Hessian and the inverse outer product of the per-customer
    scores estimate the same covariance (within sampling noise, here 20%)."""
    s = simulated_bgnbd
    model = clv.fit_bgnbd(s["frequency"], s["recency"], s["T"])
    theta = np.array([model.params[k] for k in ("r", "alpha", "a", "b")])
    x, tx, big_t = (s[c].to_numpy(dtype="float64") for c in ("frequency", "recency", "T"))
    _, scores = bgnbd._bgnbd_ll_terms(theta, x, tx, big_t)
    opg_se = np.sqrt(np.diag(np.linalg.inv(scores @ scores.T)))
    hess_se = np.array([model.standard_errors[k] for k in ("r", "alpha", "a", "b")])
    np.testing.assert_allclose(hess_se, opg_se, rtol=0.2)


def test_probability_alive_is_one_without_repeat_purchases_and_matches_closed_form():
    """FHL (2005) / note "Computing P(alive)": P = 1 / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)).

    For x = 0 the second term vanishes (dropout only follows a repeat
    purchase), so P(alive) = 1 whatever T. For CDNOW customer ID 1 (x = 2,
    t_x = 30.43, T = 38.86) under the published estimates the formula gives
    1 / (1 + 0.793/3.426 * (43.274/34.844)^2.243).
    """
    model = fixed_bgnbd(**FHL_BGNBD)
    assert model.probability_alive(0, 0.0, 38.86) == 1.0
    np.testing.assert_array_equal(model.probability_alive([0, 0], [0.0, 0.0], [5.0, 80.0]), 1.0)
    by_hand = 1 / (1 + 0.793 / 3.426 * (43.274 / 34.844) ** 2.243)
    assert model.probability_alive(2, 30.43, 38.86) == pytest.approx(by_hand, rel=1e-12)


def test_probability_alive_averages_to_share_alive_in_simulation(simulated_bgnbd):
    """With the true parameters, mean P(alive | history) equals the share of
    simulated customers alive at T (law of total expectation), within 4 SE."""
    s = simulated_bgnbd
    model = fixed_bgnbd(r=0.6, alpha=5.0, a=1.2, b=3.0)
    p = np.asarray(model.probability_alive(s["frequency"], s["recency"], s["T"]))
    se = np.sqrt(p.mean() * (1 - p.mean()) / len(p))
    assert abs(p.mean() - s["alive"].mean()) < 4 * se


def test_expected_purchases_matches_numerical_integral_of_the_model():
    """FHL (2005) eq. (7) against its definition: given lambda and p,
    E[X(t)] = (1 - exp(-lambda p t)) / p; integrating lambda out analytically
    gives (1 - (alpha/(alpha+p t))^r) / p, then p ~ Beta(a, b) by quadrature."""
    params = FHL_BGNBD
    model = fixed_bgnbd(**params)
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    for t in (1.0, 39.0, 78.0, 500.0):

        def integrand(p, t=t):
            if p == 0.0:  # limit p -> 0: r t / alpha
                return r * t / alpha / special.beta(a, b)
            return -np.expm1(-r * np.log1p(p * t / alpha)) / p / special.beta(a, b)

        ref, _ = integrate.quad(integrand, 0, 1, weight="alg", wvar=(a - 1, b - 1))
        assert model.expected_purchases(t) == pytest.approx(ref, rel=1e-7)


def test_expected_purchases_small_t_limit_and_simulation_mean():
    """Closed form: E[X(t)] ~ r t / alpha as t -> 0 (everyone alive, mean rate
    r/alpha). Simulation: 4,000 new customers over 30 periods, mean count within 4 SE."""
    model = fixed_bgnbd(r=0.6, alpha=5.0, a=1.2, b=3.0)
    assert model.expected_purchases(1e-6) == pytest.approx(0.6 * 1e-6 / 5.0, rel=1e-4)
    sim = simulate_bgnbd(4000, 0.6, 5.0, 1.2, 3.0, seed=7, t_min=30.0, t_max=30.0)
    counts = sim["frequency"].to_numpy()
    se = counts.std(ddof=1) / np.sqrt(len(counts))
    assert abs(counts.mean() - model.expected_purchases(30.0)) < 4 * se


def test_conditional_expected_purchases_reproduces_fhl_worked_example():
    """FHL (2005): customer ID 1 of CDNOW (x = 2, t_x = 30.43, T = 38.86) is
    expected to make 1.226 repeat purchases in the next 39 weeks under the
    published estimates."""
    model = fixed_bgnbd(**FHL_BGNBD)
    assert abs(model.conditional_expected_purchases(39, 2, 30.43, 38.86) - 1.226) <= 0.0005


def test_conditional_expected_purchases_equals_eq10_as_printed():
    """Eq. (10) evaluated literally with scipy.special.hyp2f1(r+x, b+x; a+b+x-1; z)
    equals the Euler-transformed form used by the module (moderate x)."""
    r, alpha, a, b = 0.243, 4.414, 0.793, 2.426
    model = fixed_bgnbd(r=r, alpha=alpha, a=a, b=b)
    x = np.array([0, 1, 3, 7, 12])
    tx = np.array([0.0, 5.0, 20.0, 30.0, 35.0])
    big_t = np.array([38.0, 30.0, 38.0, 36.0, 38.0])
    t = 52.0
    z = t / (alpha + big_t + t)
    lead = (a + b + x - 1) / (a - 1)
    inner = 1 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    denom = 1 + (x > 0) * a / np.maximum(b + x - 1, 1e-300) * ((alpha + big_t) / (alpha + tx)) ** (r + x)
    np.testing.assert_allclose(model.conditional_expected_purchases(t, x, tx, big_t), lead * inner / denom, rtol=1e-9)


def test_conditional_expected_purchases_average_matches_simulated_holdout(simulated_bgnbd):
    """With the true parameters, the mean of eq. (10) over customers equals the
    mean simulated holdout purchases (law of total expectation), overall and
    for customers with and without calibration repeat purchases, within 4 SE."""
    s = simulated_bgnbd
    model = fixed_bgnbd(r=0.6, alpha=5.0, a=1.2, b=3.0)
    pred = np.asarray(model.conditional_expected_purchases(26.0, s["frequency"], s["recency"], s["T"]))
    for mask in (np.ones(len(s), bool), s["frequency"].to_numpy() == 0, s["frequency"] >= 3):
        actual = s["holdout"].to_numpy()[mask]
        se = actual.std(ddof=1) / np.sqrt(mask.sum())
        assert abs(pred[mask].mean() - actual.mean()) < 4 * se


def test_conditional_expected_purchases_is_zero_for_zero_window_and_keeps_series_index():
    model = fixed_bgnbd(**FHL_BGNBD)
    idx = pd.Index(["u", "v"], name="customer_id")
    got = model.conditional_expected_purchases(0.0, pd.Series([0, 4], index=idx), pd.Series([0.0, 10.0], index=idx), [30.0, 30.0])
    pd.testing.assert_series_equal(got, pd.Series([0.0, 0.0], index=idx))


def test_holdout_check_compares_prediction_and_actual_by_frequency_on_cdnow(cdnow_transactions, cdnow_models):
    """CDNOW 39 + 39 weeks: group means of eq. (10) against actual holdout purchases.

    FHL (2005) show the BG/NBD tracking these means closely; the
    overall means here must agree within 15% and the group predictions rise
    with calibration frequency.
    """
    model, _ = cdnow_models
    split = clv.calibration_holdout_summary(cdnow_transactions, calibration_end="1997-09-30", holdout_end="1998-06-30")
    check = clv.holdout_check(model, split, max_frequency=7)
    assert check["frequency_group"].tolist() == ["0", "1", "2", "3", "4", "5", "6", "7+", "all"]
    assert check["customers"].iloc[:-1].sum() == check["customers"].iloc[-1] == 2357
    assert check["actual"].iloc[-1] == pytest.approx(split["frequency_holdout"].mean())
    assert check["predicted"].iloc[-1] == pytest.approx(check["actual"].iloc[-1], rel=0.15)
    assert check["predicted"].iloc[:-1].is_monotonic_increasing


def report_ctx(lang: str):
    from custlib.io.periods import Quarter
    from custlib.reports.context import ReportContext

    return ReportContext("east", Quarter.parse("1998Q2"), {}, None, lang)


def test_holdout_chart_draws_actual_and_predicted_with_chinese_text(cdnow_transactions, cdnow_models):
    import matplotlib.pyplot as plt

    model, _ = cdnow_models
    split = clv.calibration_holdout_summary(cdnow_transactions, calibration_end="1997-09-30", holdout_end="1998-06-30")
    fig, ax = plt.subplots()
    got = views.holdout_chart(clv.holdout_check(model, split), report_ctx("zh"), ax=ax)
    assert got is ax
    assert len(ax.get_lines()) == 2
    assert ax.get_title() == "留出期检验：实际与预测的重复购买次数"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["实际", "预测（BG/NBD）"]
    plt.close(fig)


def test_holdout_chart_draws_the_check_of_a_result_in_english(cdnow_transactions):
    """The chart takes the analysis result as the notebook passes it; in English every word is the message itself."""
    import matplotlib.pyplot as plt

    tx = cdnow_transactions[cdnow_transactions["order_date"] <= "1998-03-31"]
    res = clv.lifetime_value_analysis(tx, "1998-03-31", holdout_periods=26, margin=0.3)
    fig, ax = plt.subplots()
    assert views.holdout_chart(res, report_ctx("en"), ax=ax) is ax
    assert ax.get_title() == "Holdout check: actual and predicted repeat purchases"
    actual, predicted = (line.get_ydata() for line in ax.get_lines())
    np.testing.assert_allclose(actual, res.check["actual"].iloc[:-1])  # the "all" row is not drawn
    np.testing.assert_allclose(predicted, res.check["predicted"].iloc[:-1])
    plt.close(fig)


def test_holdout_view_translates_headers_and_the_all_group(cdnow_transactions, cdnow_models):
    model, _ = cdnow_models
    split = clv.calibration_holdout_summary(cdnow_transactions, calibration_end="1997-09-30", holdout_end="1998-06-30")
    tv = views.holdout_view(clv.holdout_check(model, split), report_ctx("zh"))
    assert list(tv.frame.columns) == ["留出期之前的重复购买次数", "客户数", "实际平均重复购买次数", "预测平均重复购买次数"]
    assert tv.frame.iloc[-1, 0] == "全部客户" and tv.frame.iloc[-2, 0] == "7+"
    assert tv.kinds["客户数"] == "integer"


@pytest.mark.parametrize(
    ("frequency", "recency", "T", "match"),
    [
        ([-1, 2], [0.0, 3.0], [5.0, 5.0], "frequency: must be >= 0"),
        ([1.5, 2], [1.0, 3.0], [5.0, 5.0], "frequency: must be whole numbers"),
        ([1, 2], [6.0, 3.0], [5.0, 5.0], "recency: must not exceed T"),
        ([0, 2], [1.0, 3.0], [5.0, 5.0], "recency: must be 0 where frequency is 0"),
        ([1, 2], [np.nan, 3.0], [5.0, 5.0], "recency: 1 values are NaN"),
        ([1, 2], [1.0, 3.0], [5.0], "differ in length"),
    ],
)
def test_fit_bgnbd_rejects_bad_input_naming_the_argument(frequency, recency, T, match):
    with pytest.raises(DataError, match=match):
        clv.fit_bgnbd(frequency, recency, T)


def test_fit_bgnbd_allows_repeat_purchase_at_recency_zero():
    """x > 0 with t_x = 0 has a finite likelihood (eq. 6), so it is accepted."""
    model = fixed_bgnbd(**FHL_BGNBD)
    assert 0 < model.probability_alive(1, 0.0, 10.0) < 1


def test_fit_bgnbd_needs_repeat_purchases():
    with pytest.raises(InsufficientDataError, match="no customer has a repeat purchase"):
        clv.fit_bgnbd([0, 0, 0], [0.0, 0.0, 0.0], [3.0, 4.0, 5.0])
    with pytest.raises(InsufficientDataError, match="at least two customers"):
        clv.fit_bgnbd([2], [1.0], [3.0])


def test_models_used_before_fit_raise_not_fitted():
    bg, gg = clv.BetaGeoModel(), clv.GammaGammaModel()
    for call in (
        lambda: bg.params,
        lambda: bg.log_likelihood,
        lambda: bg.standard_errors,
        lambda: bg.expected_purchases(1.0),
        lambda: bg.probability_alive(1, 1.0, 2.0),
        lambda: bg.conditional_expected_purchases(1.0, 1, 1.0, 2.0),
        lambda: gg.params,
        lambda: gg.conditional_expected_value(1, 10.0),
        lambda: gg.summary(),
    ):
        with pytest.raises(NotFittedError, match="not fitted"):
            call()


# --------------------------------------------------------------------------
# Gamma-Gamma
# --------------------------------------------------------------------------


def test_fit_gamma_gamma_reproduces_fader_hardie_2013_on_cdnow(cdnow_models):
    """CDNOW 946 repeat customers, mean spend of repeat transactions in weeks 1-39:
    Fader & Hardie (2013) report p = 6.25, q = 3.74, gamma = 15.44.

    (Fitted on the 2-decimal zbar of the summary file instead, gamma comes out
    15.448, so the unrounded values from the raw transactions are used.)
    """
    _, gg = cdnow_models
    assert_published(gg.params, FH_GG)
    assert gg.n_customers_ == 946
    assert gg.converged_
    assert gg.log_likelihood < 0


def test_fit_gamma_gamma_recovers_simulated_parameters_within_three_standard_errors():
    """3,000 customers simulated with p = 6, q = 4, gamma = 15 (seeded)."""
    sim = simulate_gamma_gamma(3000, p=6.0, q=4.0, gamma=15.0, seed=11)
    gg = clv.fit_gamma_gamma(sim["frequency"], sim["monetary_value"])
    for key, value in {"p": 6.0, "q": 4.0, "gamma": 15.0}.items():
        assert abs(gg.params[key] - value) < 3 * gg.standard_errors[key], key


def test_conditional_expected_value_predicts_the_next_transaction_in_simulation():
    """Fader & Hardie (2013): p (gamma + x m_x) / (p x + q - 1) is E[next value | x, m_x]: with the true
    parameters its mean over the top and bottom quartiles of m_x equals the
    mean of a simulated next transaction in each, within 4 SE."""
    sim = simulate_gamma_gamma(6000, p=6.0, q=4.0, gamma=15.0, seed=12)
    gg = fixed_gamma_gamma(p=6.0, q=4.0, gamma=15.0)
    pred = np.asarray(gg.conditional_expected_value(sim["frequency"], sim["monetary_value"]))
    m = sim["monetary_value"].to_numpy()
    for mask in (m <= np.quantile(m, 0.25), m >= np.quantile(m, 0.75)):
        fut = sim["future"].to_numpy()[mask]
        se = fut.std(ddof=1) / np.sqrt(mask.sum())
        assert abs(pred[mask].mean() - fut.mean()) < 4 * se


def test_conditional_expected_value_is_population_mean_without_repeat_purchases():
    """The conditional expectation with x = 0 reduces to the population mean p gamma / (q - 1)."""
    gg = fixed_gamma_gamma(**FH_GG)
    expected = 6.25 * 15.44 / 2.74
    assert gg.conditional_expected_value(0, 0.0) == pytest.approx(expected, rel=1e-12)
    assert gg.population_mean_value() == pytest.approx(expected, rel=1e-12)
    # x = 2 repeat purchases averaging 30: (2.74 * 35.22 + 12.5 * 30) / 15.24, by hand
    assert gg.conditional_expected_value(2, 30.0) == pytest.approx((2.74 * expected + 12.5 * 30.0) / 15.24, rel=1e-12)


def test_fit_gamma_gamma_rejects_non_positive_spend_and_too_few_customers():
    with pytest.raises(DataError, match="monetary_value: must be > 0 where frequency > 0"):
        clv.fit_gamma_gamma([1, 2, 3], [10.0, -1.0, 5.0])
    with pytest.raises(DataError, match="monetary_value: 1 values are NaN"):
        clv.fit_gamma_gamma([1, 2, 3], [10.0, np.nan, 5.0])
    with pytest.raises(InsufficientDataError, match="at least three repeat customers"):
        clv.fit_gamma_gamma([1, 2, 0, 0], [10.0, 4.0, 0.0, 0.0])


# --------------------------------------------------------------------------
# CLV
# --------------------------------------------------------------------------


def test_customer_lifetime_value_without_discount_telescopes_to_total_expected_purchases():
    """With d = 0 the per-period sum telescopes: CLV = margin * E[M] * E[Y(H L)]."""
    bg = fixed_bgnbd(**FHL_BGNBD)
    gg = fixed_gamma_gamma(**FH_GG)
    x, tx, big_t, m = [0, 2, 7], [0.0, 30.43, 35.0], [38.86, 38.86, 38.0], [0.0, 22.35, 40.0]
    got = clv.customer_lifetime_value(
        bg, gg, x, tx, big_t, m, horizon_periods=6, discount_rate_per_period=0.0,
        margin=0.3, period_length=13.0,
    )  # fmt: skip
    expected = 0.3 * np.asarray(gg.conditional_expected_value(x, m)) * np.asarray(bg.conditional_expected_purchases(78.0, x, tx, big_t))
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_customer_lifetime_value_discounts_each_period_at_its_end():
    """Two periods by hand: margin E[M] (E[Y(L)]/(1+d) + (E[Y(2L)] - E[Y(L)])/(1+d)^2)."""
    bg = fixed_bgnbd(**FHL_BGNBD)
    gg = fixed_gamma_gamma(**FH_GG)
    y1 = bg.conditional_expected_purchases(4.345, 2, 30.43, 38.86)
    y2 = bg.conditional_expected_purchases(8.69, 2, 30.43, 38.86)
    value = gg.conditional_expected_value(2, 22.35)
    got = clv.customer_lifetime_value(
        bg, gg, 2, 30.43, 38.86, 22.35, horizon_periods=2, discount_rate_per_period=0.05,
        margin=0.5, period_length=4.345,
    )  # fmt: skip
    assert got == pytest.approx(0.5 * value * (y1 / 1.05 + (y2 - y1) / 1.05**2), rel=1e-12)


def test_customer_lifetime_value_rejects_bad_parameters():
    bg = fixed_bgnbd(**FHL_BGNBD)
    gg = fixed_gamma_gamma(**FH_GG)
    args = (bg, gg, [1], [1.0], [2.0], [10.0])
    with pytest.raises(ParamsError, match="horizon_periods"):
        clv.customer_lifetime_value(*args, horizon_periods=0)
    with pytest.raises(ParamsError, match="margin"):
        clv.customer_lifetime_value(*args, margin=1.5)
    with pytest.raises(ParamsError, match="discount_rate_per_period"):
        clv.customer_lifetime_value(*args, discount_rate_per_period=-0.1)
    with pytest.raises(NotFittedError):
        clv.customer_lifetime_value(clv.BetaGeoModel(), gg, [1], [1.0], [2.0], [10.0])


def test_lifetime_value_table_ranks_cdnow_customers_by_clv(cdnow_rfm, cdnow_models):
    bg, gg = cdnow_models
    table = clv.lifetime_value_table(cdnow_rfm, bg, gg, period_length=4.345, margin=0.3)
    assert len(table) == 2357
    assert table["clv"].is_monotonic_decreasing
    repeat = table["frequency"] > 0
    assert table.loc[repeat, "probability_alive"].between(0, 1).all()
    assert table.loc[~repeat, "probability_alive"].isna().all()  # the BG/NBD cannot tell for one-time buyers
    one = table.set_index("customer_id").loc["1"]
    assert one["clv"] == pytest.approx(
        clv.customer_lifetime_value(
            bg, gg, 2, one["recency"], one["T"], one["monetary_value"],
            period_length=4.345, margin=0.3,
        ),
        rel=1e-12,
    )  # fmt: skip


def test_lifetime_value_analysis_runs_on_cdnow_with_margin_from_cost(cdnow_transactions):
    """End to end on CDNOW with a cost of 70% of revenue: margin 0.3, 26-week holdout check."""
    tx = cdnow_transactions.assign(cost=cdnow_transactions["revenue"] * 0.7)
    tx = tx[tx["order_date"] <= "1998-03-31"]
    res = clv.lifetime_value_analysis(tx, "1998-03-31", holdout_periods=26)
    assert res.margin == pytest.approx(0.3)
    assert res.calibration_end == pd.Timestamp("1997-09-30")
    assert res.check is not None and res.check["customers"].iloc[-1] == 2357
    assert res.parameters["parameter"].tolist() == ["r", "alpha", "a", "b", "p", "q", "gamma"]
    assert len(res.customers) == 2357
    assert res.notes == ()
    zh = report_ctx("zh")
    customers = views.customers_view(res, zh, top=5, names=pd.Series({1: "Ann & <Co>"}))
    assert list(customers.frame.columns) == [
        "客户编号",
        "客户名称",
        "重复购买次数",
        "活跃概率",
        "下月预期购买次数",
        "每次购买的预期金额",
        "终身价值（CLV）",
    ]
    assert len(customers.frame) == 5 and customers.kinds["终身价值（CLV）"] == "money"
    assert customers.caption == "共 2,357 家客户，显示前 5 家"
    params = views.parameters_view(res, report_ctx("en"))
    assert list(params.frame.columns)[:3] == ["Model", "Parameter", "Estimate"] and len(params.frame) == 7


def test_note_texts_word_each_known_note_and_leave_out_unknown_ones():
    from custlib.analysis.clv.value import LifetimeValueResult, Note

    notes = (Note("12 customers ...", "no_spend_value", n=12), Note("some other caveat", "unknown_code"))
    res = LifetimeValueResult(None, None, None, None, None, 0.3, pd.Timestamp("2024-01-01"), pd.Timestamp("2023-07-01"), notes)
    assert views.note_texts(res, report_ctx("zh")) == ["12 家客户的平均重复消费不为正（退货、贷项），没有预期消费金额和客户终身价值。"]
    assert isinstance(notes[0], str) and notes[0].startswith("12 customers")
    both = Note("BG/NBD: alpha, b reached ...", "search_limit", model="BG/NBD", limits={"similar_rates": "alpha", "extreme_dropout": "b"})
    res = LifetimeValueResult(None, None, None, None, None, 0.3, pd.Timestamp("2024-01-01"), pd.Timestamp("2023-07-01"), (both,))
    got = views.note_texts(res, report_ctx("en"))
    assert [g.split(" reached")[0] for g in got] == ["BG/NBD: alpha", "BG/NBD: b"]
    assert "purchase rates barely differ" in got[0] and "drops out" in got[1]


def test_notes_text_joins_the_notes_but_the_missing_check_and_is_empty_without_a_result():
    """The holdout chart says that there is no check; the paragraph under the customers table says the rest."""
    from custlib.analysis.clv.value import LifetimeValueResult, Note

    notes = (
        Note("No holdout check: ...", "no_holdout_check", date="2023-07-01", cause="no_repeat_purchases"),
        Note("12 customers ...", "no_spend_value", n=12),
        Note("The purchase and spend models were fitted on a sample ...", "fitted_on_sample", sample=20000, customers=113226, seed=7),
    )
    res = LifetimeValueResult(None, None, None, None, None, 0.3, pd.Timestamp("2024-01-01"), pd.Timestamp("2023-07-01"), notes)
    assert views.notes_text(res, report_ctx("en")) == (
        "12 customers with a non-positive mean repeat spend (returns, credits) have no expected spend or lifetime value. "
        "The purchase and spend models were fitted on a random sample of 20,000 of the 113,226 customers (seed 7); "
        "every customer is scored with them."
    )
    assert views.notes_text(res, report_ctx("en"), leave_out=()).startswith("No holdout check: the history before 2023-07-01")
    assert views.notes_text(res, report_ctx("zh")).startswith(
        "12 家客户的平均重复消费不为正（退货、贷项），没有预期消费金额和客户终身价值。购买模型"
    )
    assert views.notes_text(Unavailable("too_thin_for_models"), report_ctx("zh")) == ""


def test_customers_view_takes_the_report_top_n_and_the_names_of_its_customers():
    """Defaults from the report: its ``report.top_n`` rows under a caption, names from its customers table."""
    from types import SimpleNamespace

    from custlib.io.periods import Quarter
    from custlib.reports.context import ReportContext

    table = pd.DataFrame(
        {
            "customer_id": ["C3", "C1", "C2"],
            "frequency": [5, 3, 0],
            "probability_alive": [0.9, 0.8, 1.0],
            "expected_purchases": [0.52, 0.31, 0.1],
            "expected_value": [200.0, 150.0, np.nan],
            "clv": [900.0, 400.0, np.nan],
        }
    )
    customers = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C3"], "name": ["One", "Two", "Three", "Three"]})
    data = SimpleNamespace(customers=customers)
    ctx = ReportContext("east", Quarter.parse("2024Q1"), {"report": {"top_n": 2}}, data, "en")
    tv = views.customers_view(table, ctx)
    assert tv.frame["Customer"].tolist() == ["C3", "C1"] and tv.frame["Name"].tolist() == ["Three", "One"]
    assert tv.caption == "The first 2 of 3 customers"
    everyone = views.customers_view(table, ctx, top=3)
    assert len(everyone.frame) == 3 and everyone.caption is None
    no_names = ReportContext("east", Quarter.parse("2024Q1"), {}, SimpleNamespace(customers=customers[["customer_id"]]), "en")
    assert "Name" not in views.customers_view(table, no_names).frame.columns


def test_one_blas_thread_limits_blas_and_restores_it_nested(blas_threads):
    assert blas_threads() == [2]
    with fitting.one_blas_thread():
        assert blas_threads() == [1]
        with fitting.one_blas_thread():
            assert blas_threads() == [1]
        assert blas_threads() == [1]
    assert blas_threads() == [2]


def test_model_fits_run_blas_on_one_thread(monkeypatch, blas_threads, simulated_bgnbd):
    """Both likelihoods are evaluated with BLAS on one thread (thousands of small calls), and the setting is restored."""
    seen = []

    def spy(terms):
        def wrapped(theta, *args):
            if not seen or seen[-1][0] != terms.__name__:
                seen.append((terms.__name__, blas_threads()))
            return terms(theta, *args)

        return wrapped

    monkeypatch.setattr(bgnbd, "_bgnbd_ll_terms", spy(bgnbd._bgnbd_ll_terms))
    monkeypatch.setattr(gamma_gamma, "_gg_ll_terms", spy(gamma_gamma._gg_ll_terms))
    s = simulated_bgnbd
    clv.fit_bgnbd(s["frequency"], s["recency"], s["T"], n_starts=1)
    sim = simulate_gamma_gamma(300, p=6.0, q=4.0, gamma=15.0, seed=3)
    clv.fit_gamma_gamma(sim["frequency"], sim["monetary_value"], n_starts=1)
    assert seen == [("_bgnbd_ll_terms", [1]), ("_gg_ll_terms", [1])]
    assert blas_threads() == [2]


@pytest.mark.parametrize("model", [clv.BetaGeoModel, clv.GammaGammaModel])
@pytest.mark.parametrize(
    ("settings", "match"), [({"n_starts": 0}, "n_starts: expected an integer from 1 to 4"), ({"tol": 0.0}, "tol: expected a positive")]
)
def test_model_settings_are_checked_when_fitting(model, settings, match):
    args = ([1, 2, 3], [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]) if model is clv.BetaGeoModel else ([1, 2, 3], [10.0, 12.0, 9.0])
    with pytest.raises(ParamsError, match=match):
        model(**settings).fit(*args)


def test_clv_schema_accepts_the_analysis_defaults_and_names_its_parameters():
    """The params section is the tunable keyword arguments of lifetime_value_analysis."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    sig = inspect.signature(clv.lifetime_value_analysis)
    defaults = {k: sig.parameters[k].default for k in schema["properties"]}
    jsonschema.validate(defaults, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**defaults, "time_unit": "M"}, schema)


def poisson_no_dropout(n, rate, seed):
    """Orders of customers who all buy as a Poisson process with one rate and never drop out."""
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2024-01-01")
    for i in range(n):
        first = int(rng.integers(0, 120))
        t, days = 0.0, [first]
        while True:
            t += rng.exponential(7.0 / rate)  # days between orders
            if first + t > 364:
                break
            days.append(first + int(t))
        for d in days:
            rows.append(
                {
                    "customer_id": f"C{i:04d}",
                    "order_date": start + pd.Timedelta(days=d),
                    "revenue": float(rng.gamma(5.0, 20.0)),
                    "cost": 60.0,
                }
            )
    return pd.DataFrame(rows).astype({"customer_id": "str"})


def test_fit_bgnbd_on_constant_rate_without_dropout_falls_back_to_the_nbd_and_predicts_the_rate():
    """Limit case of the BG/NBD: everyone buys at 0.5 per week and nobody drops out.

    Simulated in continuous time: x ~ Poisson(0.5 T) and, given x, the last
    purchase is the largest of x uniform times, t_x = T * Beta(x, 1). The
    model nests this as a -> 0 (no dropout) and r, alpha -> infinity with
    r / alpha = 0.5 (FHL 2005, assumptions i-v): the full fit ends on the search
    box for the dropout, the common dropout probability on its lower limit, and
    the model falls back to the NBD (no dropout), says so once, and predicts
    E[X(t)] = 0.5 t and P(alive) = 1 (within 5%: the rate is estimated from about
    6,000 purchases, SE about 1.3%); probability active is then unknown for everyone.
    """
    rng = np.random.default_rng(5)
    big_t = rng.uniform(30.0, 52.0, 300)
    x = rng.poisson(0.5 * big_t)
    tx = np.where(x > 0, big_t * rng.beta(np.maximum(x, 1), 1.0), 0.0)
    with pytest.warns(fitting.FitWarning, match="fitted without dropout") as caught:
        model = clv.fit_bgnbd(x, tx, big_t)
    assert [w.message.code for w in caught if isinstance(w.message, fitting.FitWarning)] == ["fallback"]
    assert model.variant_ == "no_dropout" and list(model.params) == ["r", "alpha"]
    assert "a" in model.fallback_["at_bounds"] and model.at_bounds_ == ()
    assert model.log_likelihood >= model.fallback_["log_likelihood"] - 2  # Akaike: two parameters fewer
    assert model.params["r"] > 100  # (almost) no spread of purchase rates
    assert model.params["r"] / model.params["alpha"] == pytest.approx(0.5, rel=0.05)
    assert model.expected_purchases(10.0) == pytest.approx(5.0, rel=0.05)
    assert np.asarray(model.probability_alive(x, tx, big_t)).min() == 1.0
    assert np.isnan(np.asarray(model.probability_active(x, tx, big_t))).all()


def test_lifetime_value_analysis_turns_fit_warnings_into_notes():
    """Degenerate data give finite CLVs, and the limits are explained in notes, not as warnings."""
    orders = poisson_no_dropout(200, 0.5, seed=4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = clv.lifetime_value_analysis(orders, "2024-12-30", holdout_periods=13)
    assert any("BG/NBD" in n and "search limit" in n for n in res.notes)
    fallbacks = [n for n in res.notes if n.code == "fallback" and n.fields["model"] == "BG/NBD"]
    assert len(fallbacks) == 1 and fallbacks[0].fields["variant"] == "no_dropout"  # once, though the check's fit said it too
    keys = [(n.code, n.fields.get("model")) for n in res.notes]
    assert len(keys) == len(set(keys))
    zh = views.note_texts(res, report_ctx("zh"))
    assert len(zh) >= len(res.notes) and any("不再流失" in n or "没有流失" in n for n in zh)
    assert np.isfinite(res.customers["clv"]).all()
    assert res.margin == pytest.approx(1 - orders["cost"].sum() / orders["revenue"].sum())


# --------------------------------------------------------------------------
# thin data: a clear reason instead of a failed report
# --------------------------------------------------------------------------


def _few_orders():
    """Hand-made: A buys on three days (2 repeat purchases), B and C once each; one order on the as-of day is left out."""
    return pd.DataFrame(
        {
            "customer_id": ["A", "A", "A", "B", "C", "C"],
            "order_date": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-06-01", "2024-02-01", "2024-04-01", "2025-01-01"]),
            "revenue": [100.0, 120.0, 90.0, 50.0, 70.0, 80.0],
            "cost": [60.0] * 6,
        }
    )


def test_lifetime_value_analysis_says_how_many_repeat_customers_there_are_when_too_few():
    """By hand: up to 2024-12-31, 3 customers, only A bought on more than one day; the Gamma-Gamma model needs 3."""
    with pytest.raises(
        InsufficientDataError, match=r"3 customer\(s\) with orders up to 2024-12-31, 1 of them with a repeat purchase"
    ) as err:
        clv.lifetime_value_analysis(_few_orders(), "2024-12-31", holdout_periods=13, margin=0.3)
    assert err.value.code == "too_thin_for_models" and err.value.fields["cause"] == "too_few_repeat_customers"
    assert (err.value.fields["customers"], err.value.fields["repeat_customers"]) == (3, 1)
    reason = report_ctx("zh").reason(Unavailable(err.value.code, err.value.fields), views.customers_view)
    assert reason.startswith("截至 2024-12-31 有订单的客户 3 家，其中 1 家")


def test_lifetime_value_analysis_on_one_customer_or_no_orders_is_insufficient():
    one = _few_orders().query("customer_id == 'A'")
    with pytest.raises(InsufficientDataError, match=r"1 customer\(s\).*at least two customers"):
        clv.lifetime_value_analysis(one, "2024-12-31", holdout_periods=13, margin=0.3)
    for margin in (0.3, None):  # None: the margin would come from the (absent) orders
        with pytest.raises(InsufficientDataError, match="no orders up to 2023-12-31"):
            clv.lifetime_value_analysis(_few_orders(), "2023-12-31", holdout_periods=13, margin=margin)


def test_plot_holdout_check_without_a_check_says_so_on_the_axes():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    got = views.holdout_chart(None, report_ctx("en"), ax=ax)
    assert got is ax and not ax.get_lines()
    assert [t.get_text() for t in ax.texts] == [
        "No holdout check: the history before the holdout window is too thin to fit the model on it."
    ]
    plt.close(fig)


# --------------------------------------------------------------------------
# speed: terms per distinct frequency, and fits on a seeded customer sample
# --------------------------------------------------------------------------


def test_likelihood_terms_per_distinct_frequency_equal_the_per_customer_formula():
    """The gamma, beta and digamma terms depend on x alone; evaluating them once per distinct x and
    gathering them must give exactly the per-customer values of FHL (2005) eq. 6 and Fader & Hardie (2013)."""
    rng = np.random.default_rng(11)
    x = rng.poisson(3.0, 500).astype("float64")
    big_t = rng.uniform(5.0, 80.0, 500)
    tx = np.where(x > 0, big_t * rng.uniform(0.0, 1.0, 500), 0.0)
    theta = np.array([0.6, 5.0, 1.2, 3.0])
    ll, grad = bgnbd._bgnbd_ll_terms(theta, x, tx, big_t, fitting.by_value(x))
    for i in (0, 7, 123):  # one customer at a time: no grouping possible
        ll_i, grad_i = bgnbd._bgnbd_ll_terms(theta, x[i : i + 1], tx[i : i + 1], big_t[i : i + 1])
        assert ll[i] == ll_i[0]
        np.testing.assert_array_equal(grad[:, i], grad_i[:, 0])
    xr, m = x[x > 0], rng.gamma(4.0, 10.0, int((x > 0).sum()))
    gll, ggrad = gamma_gamma._gg_ll_terms(np.array([6.25, 3.74, 15.44]), xr, m, fitting.by_value(xr))
    gll_1, ggrad_1 = gamma_gamma._gg_ll_terms(np.array([6.25, 3.74, 15.44]), xr[:1], m[:1])
    assert gll[0] == gll_1[0]
    np.testing.assert_array_equal(ggrad[:, 0], ggrad_1[:, 0])


def test_sample_rows_is_a_seeded_simple_random_sample():
    a = clv.sample_rows(1000, 200, seed=7)
    assert a.dtype == bool and a.sum() == 200
    np.testing.assert_array_equal(a, clv.sample_rows(1000, 200, seed=7))
    assert (a != clv.sample_rows(1000, 200, seed=8)).any()
    assert clv.sample_rows(50, 200, seed=7).all()


def test_bgnbd_fitted_on_a_random_third_of_the_customers_agrees_with_the_full_fit(simulated_bgnbd):
    """Consistency of the MLE on a random subsample: customers simulated from the BG/NBD story
    (r 0.6, alpha 5, a 1.2, b 3); the fit on 1,500 of the 4,000 differs from the fit on all of them
    by less than 3 of its own standard errors (the difference of nested estimates has a smaller
    standard error than the subsample's), and both cover the true values."""
    s = simulated_bgnbd
    full = clv.fit_bgnbd(s["frequency"], s["recency"], s["T"])
    part = s[clv.sample_rows(len(s), 1500, seed=3)]
    sub = clv.fit_bgnbd(part["frequency"], part["recency"], part["T"])
    truth = {"r": 0.6, "alpha": 5.0, "a": 1.2, "b": 3.0}
    for k in truth:
        assert abs(sub.params[k] - full.params[k]) < 3 * sub.standard_errors[k], k
        assert abs(sub.params[k] - truth[k]) < 3 * sub.standard_errors[k], k


def simulate_orders(n, seed, r=0.6, alpha=5.0, a=1.2, b=3.0, p=6.0, q=4.0, gamma=40.0):
    """Order lines of customers drawn from the BG/NBD and Gamma-Gamma stories (weeks; 2023-01-02 start).

    Each customer's first purchase falls in the first 40 weeks; purchases then follow a Poisson
    process with rate lambda ~ Gamma(r, alpha) until dropout (probability p_i ~ Beta(a, b) after
    each purchase), up to week 100; spend per purchase is Gamma(p, nu_i), nu_i ~ Gamma(q, gamma).
    """
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-01-02")
    rows = []
    for i in range(n):
        lam, drop, nu = rng.gamma(r, 1.0 / alpha), rng.beta(a, b), rng.gamma(q, 1.0 / gamma)
        t = rng.uniform(0.0, 40.0)  # first purchase
        rows.append((f"C{i:05d}", start + pd.Timedelta(days=int(t * 7)), float(rng.gamma(p, 1.0 / nu))))
        while True:
            t += rng.exponential(1.0 / lam)
            if t > 100.0:
                break
            rows.append((f"C{i:05d}", start + pd.Timedelta(days=int(t * 7)), float(rng.gamma(p, 1.0 / nu))))
            if rng.random() < drop:  # dropout right after a repeat purchase
                break
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date", "revenue"]).astype({"customer_id": "str"})
    return frame.assign(cost=frame["revenue"] * 0.6)


def test_lifetime_value_analysis_fits_on_a_seeded_sample_and_scores_every_customer():
    """With more customers than fit_sample, both models are fitted on a seeded random sample
    (simulated data, known generating process): every customer is still scored, the note says so,
    the same seed gives the same fit, and the sample's estimates and CLVs agree with the fit on all
    customers (parameters within 3 of the sample's standard errors, CLV ranks almost the same)."""
    orders = simulate_orders(1500, seed=21)
    as_of = "2024-12-01"
    full = clv.lifetime_value_analysis(orders, as_of, holdout_periods=26, fit_sample=None)
    part = clv.lifetime_value_analysis(orders, as_of, holdout_periods=26, fit_sample=500, seed=4)
    again = clv.lifetime_value_analysis(orders, as_of, holdout_periods=26, fit_sample=500, seed=4)
    n = orders["customer_id"].nunique()
    assert len(part.customers) == len(full.customers) == n
    assert part.bgnbd.n_customers_ == 500 and full.bgnbd.n_customers_ == n
    assert f"random sample of 500 of the {n:,} customers (seed 4)" in " ".join(part.notes)
    assert not any("random sample" in note for note in full.notes)
    sample_note = next(n for n in part.notes if n.code == "fitted_on_sample")
    assert sample_note.fields == {"sample": 500, "customers": n, "seed": 4}
    assert f"随机抽取的 500 家（共 {n:,} 家" in " ".join(views.note_texts(part, report_ctx("zh")))
    pd.testing.assert_frame_equal(part.parameters, again.parameters)
    est = part.parameters.set_index("parameter")
    ref = full.parameters.set_index("parameter")["estimate"]
    for name, row in est.iterrows():
        assert abs(row["estimate"] - ref[name]) < 3 * row["std_error"], name
    joined = full.customers.set_index("customer_id")["clv"].to_frame("full").join(part.customers.set_index("customer_id")["clv"])
    assert joined["full"].corr(joined["clv"], method="spearman") > 0.98
    assert part.check is not None and part.check["customers"].iloc[-1] == full.check["customers"].iloc[-1]


def test_lifetime_value_analysis_rejects_a_tiny_fit_sample():
    with pytest.raises(ParamsError, match="fit_sample: expected a whole number of customers of at least 100"):
        clv.lifetime_value_analysis(_few_orders(), "2024-12-31", holdout_periods=13, margin=0.3, fit_sample=10)
