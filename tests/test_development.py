"""Tests of custlib.analysis.development, custlib.present.development and custlib.reports.development: known answers from closed forms, hand computations and simulations."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from custlib.analysis import development as dev
from custlib.exceptions import DataError, InsufficientDataError, NotFittedError, ParamsError
from custlib.reports import development as rd

# --------------------------------------------------------------------------- 1. campaign forecast


def test_beta_binomial_interval_matches_uniform_prior_closed_form():
    """Closed form: with a Beta(1, 1) prior and 0 of n responding, the posterior is Beta(1, n + 1),
    whose CDF is 1 - (1 - p)^(n+1); so the q-quantile is 1 - (1 - q)^(1/(n+1)) and the mean 1/(n+2)."""
    out = dev.beta_binomial_interval(0, 9, prior_alpha=1, prior_beta=1, level=0.9)
    assert out.loc[0, "mean"] == pytest.approx(1 / 11)
    assert out.loc[0, "lower"] == pytest.approx(1 - 0.95 ** (1 / 10), rel=1e-10)
    assert out.loc[0, "upper"] == pytest.approx(1 - 0.05 ** (1 / 10), rel=1e-10)


def test_beta_binomial_interval_jeffreys_hand_case_is_vectorised():
    """Hand case: Jeffreys prior Beta(1/2, 1/2), 3 of 10 and 10 of 10 -> Beta(3.5, 7.5) and Beta(10.5, 0.5);
    means 3.5/11 and 10.5/11; bounds are scipy.stats.beta.ppf of those posteriors (conjugacy, BDA3 sec. 2.4)."""
    out = dev.beta_binomial_interval([3, 10], [10, 10], level=0.95)
    expected = pd.DataFrame(
        {
            "successes": [3, 10],
            "trials": [10, 10],
            "posterior_alpha": [3.5, 10.5],
            "posterior_beta": [7.5, 0.5],
            "mean": [3.5 / 11, 10.5 / 11],
            "lower": [stats.beta.ppf(0.025, 3.5, 7.5), stats.beta.ppf(0.025, 10.5, 0.5)],
            "upper": [stats.beta.ppf(0.975, 3.5, 7.5), stats.beta.ppf(0.975, 10.5, 0.5)],
        }
    )
    pd.testing.assert_frame_equal(out, expected)


def test_beta_binomial_interval_rejects_more_successes_than_trials():
    with pytest.raises(DataError, match="successes <= trials"):
        dev.beta_binomial_interval(5, 3)
    with pytest.raises(ParamsError, match="prior_alpha"):
        dev.beta_binomial_interval(1, 3, prior_alpha=0)


def test_mean_interval_matches_t_table():
    """Hand case: values 2, 4, 6, 8: mean 5, s = sqrt(20/3), se = s/2; t(3 df, 0.95) = 2.353 (Student t table)."""
    m, lo, hi, n = dev.mean_interval([2.0, 4.0, 6.0, 8.0], level=0.9)
    se = math.sqrt(20 / 3) / 2
    assert (m, n) == (5.0, 4)
    assert lo == pytest.approx(5 - 2.353 * se, abs=1e-3)
    assert hi == pytest.approx(5 + 2.353 * se, abs=1e-3)


def _campaign_data():
    """Two segments: 'small / producer' (3 existing customers) and 'large / international' (2)."""
    customers = pd.DataFrame(
        {
            "customer_id": ["S1", "S2", "S3", "L1", "L2", "L9"],
            "size_band": ["small"] * 3 + ["large"] * 3,
            "market_type": ["producer"] * 3 + ["international"] * 3,
        }
    )
    tx = pd.DataFrame(
        {
            "order_id": ["o1", "o2", "o3", "o4", "o5"],
            "customer_id": ["S1", "S2", "S3", "L1", "L2"],  # L9 never ordered: not an existing customer
            "order_date": pd.to_datetime(["2025-01-05"] * 5),
            "product_id": ["P1"] * 5,
            "category": ["A"] * 5,
            "quantity": [1.0] * 5,
            "revenue": [100.0] * 5,
            "cost": [50.0] * 5,
        }
    )
    small_resp = [100.0, 200.0, 300.0, 400.0] + [np.nan] * 6
    large_resp = [250.0, 250.0] + [np.nan] * 8
    offers = pd.DataFrame(
        {
            "offer_id": [f"f{i}" for i in range(20)],
            "customer_id": ["S1"] * 10 + ["L1"] * 10,
            "offer_date": pd.to_datetime(["2025-02-01"] * 20),
            "product_id": ["P2"] * 20,
            "channel": ["phone"] * 20,
            "contact_cost": [99.0] * 20,  # overridden by contact_cost_by_channel
            "responded": [True] * 4 + [False] * 6 + [True] * 2 + [False] * 8,
            "response_revenue": small_resp + large_resp,
        }
    )
    return customers, offers, tx


def test_campaign_forecast_profit_and_roi_by_hand():
    """Hand computation (Bult & Wansbeek 1995 profit per contact p(mV - s) - c, Beta(1,1) prior):
    small/producer: p = (1+4)/(2+10) = 5/12, V = 250, s = 20 + 0.1*250 = 45, c = 10:
    pi = 5/12*(0.3*250 - 45) - 10 = 2.5, cost = 10 + 5/12*45 = 28.75, 3 customers -> profit 7.5.
    large/international: 2 responders < min_responders=3 -> V = mean of all 6 responders = 250,
    p = 3/12, s = 45 * 2 (multiplier) = 90: pi = 0.25*(75 - 90) - 10 = -13.75, 2 existing customers."""
    customers, offers, tx = _campaign_data()
    fc = dev.campaign_forecast(
        customers,
        offers,
        tx,
        segment_by=["size_band", "market_type"],
        prior_alpha=1,
        prior_beta=1,
        min_offers=5,
        min_responders=3,
        margin_rate=0.3,
        contact_cost_by_channel={"phone": 10.0},
        serve_cost_per_order=20.0,
        serve_cost_rate=0.1,
        serve_cost_multipliers={"market_type": {"international": 2.0}},
        seed=1,
    )
    assert fc["segment"].tolist() == ["small / producer", "large / international"]
    small, large = fc.iloc[0], fc.iloc[1]
    assert small["customers"] == 3 and large["customers"] == 2
    assert small["response_rate"] == pytest.approx(5 / 12)
    assert small["volume"] == pytest.approx(250.0)
    assert small["volume_source"] == "segment" and large["volume_source"] == "all segments"
    assert small["serve_cost"] == pytest.approx(45.0)
    assert small["profit_per_contact"] == pytest.approx(2.5)
    assert small["cost_per_contact"] == pytest.approx(28.75)
    assert small["expected_profit"] == pytest.approx(7.5)
    assert small["roi"] == pytest.approx(2.5 / 28.75)
    assert large["serve_cost"] == pytest.approx(90.0)
    assert large["profit_per_contact"] == pytest.approx(-13.75)
    assert large["expected_profit"] == pytest.approx(-27.5)
    assert fc["rank"].tolist() == [1, 2]
    assert small["profit_low"] < small["expected_profit"] < small["profit_high"]


def test_campaign_profit_interval_equals_transformed_beta_quantiles_when_volume_is_certain():
    """Closed form: with every responder spending the same V, pi = p*(mV - s) - c is increasing in p,
    so its quantiles are the Beta posterior's quantiles pushed through that line (Monte Carlo, 200k draws)."""
    customers, offers, tx = _campaign_data()
    offers = offers.assign(response_revenue=np.where(offers["responded"], 250.0, np.nan))
    offers = offers.loc[offers["customer_id"] == "S1"]
    fc = dev.campaign_forecast(
        customers,
        offers,
        tx,
        margin_rate=0.3,
        contact_cost_by_channel={"phone": 10.0},
        serve_cost_per_order=20.0,
        min_offers=5,
        draws=200_000,
        seed=3,
    )
    row = fc.loc[fc["segment"] == "small"].iloc[0]
    a, b = 0.5 + 4, 0.5 + 6
    slope = 0.3 * 250 - 20
    # back in response-rate units; the Monte Carlo SE of a 5% quantile with 200k draws is about 3e-4
    assert (row["profit_per_contact_low"] + 10) / slope == pytest.approx(stats.beta.ppf(0.05, a, b), abs=3e-3)
    assert (row["profit_per_contact_high"] + 10) / slope == pytest.approx(stats.beta.ppf(0.95, a, b), abs=3e-3)


def test_campaign_forecast_leaves_thin_segments_unranked_and_rejects_missing_offers():
    customers, offers, tx = _campaign_data()
    fc = dev.campaign_forecast(customers, offers, tx, min_offers=11, margin_rate=0.3, serve_cost_per_order=0.0)
    assert fc["rank"].isna().all() and not fc["ranked"].any()
    with pytest.raises(InsufficientDataError, match="offers"):
        dev.campaign_forecast(customers, None, tx)
    with pytest.raises(DataError, match="'responded'"):
        dev.campaign_forecast(customers, offers.drop(columns="responded"), tx)


def test_best_targets_within_budget_fills_by_profit_per_cost_then_a_partial_segment():
    """Hand case (fractional knapsack, Dantzig 1957): ratios B 3.0 > A 2.0 > C 0.25; budget 60 buys all of B (30)
    and 6 of A's 10 customers (unit cost 5 -> 30); D loses money and is never chosen."""
    fc = pd.DataFrame(
        {
            "segment": ["A", "B", "C", "D"],
            "expected_profit": [100.0, 90.0, 10.0, -5.0],
            "expected_cost": [50.0, 30.0, 40.0, 10.0],
            "customers": [10, 3, 4, 2],
            "ranked": [True, True, True, True],
        }
    )
    out = dev.best_targets_within_budget(fc, 60.0)
    assert out["contact_customers"].tolist() == [6, 3, 0, 0]
    assert out["contact_cost_total"].tolist() == pytest.approx([30.0, 30.0, 0.0, 0.0])
    assert out["contact_profit_total"].sum() == pytest.approx(150.0)


def test_best_targets_whole_segments_exact_beats_greedy():
    """Hand enumeration with budget 60: {A} = 100, {B} = 90, {C} = 10, pairs all cost > 60 except none;
    the exact answer is A, while the greedy ratio rule alone would stop at B (90)."""
    fc = pd.DataFrame(
        {
            "segment": ["A", "B", "C"],
            "expected_profit": [100.0, 90.0, 10.0],
            "expected_cost": [50.0, 30.0, 40.0],
            "customers": [10, 3, 4],
            "ranked": [True, True, True],
        }
    )
    exact = dev.best_targets_within_budget(fc, 60.0, allow_partial=False)
    assert exact["selected"].tolist() == [True, False, False]
    greedy = dev.best_targets_within_budget(fc, 60.0, allow_partial=False, exact_max_items=0)
    assert greedy["selected"].tolist() == [True, False, False]  # best single item beats greedy's B
    with pytest.raises(ParamsError, match="budget"):
        dev.best_targets_within_budget(fc, -1.0)


# --------------------------------------------------------------------------- 2. response model


def _simulated_offers(n=4000, seed=11):
    """Features with known logit coefficients: const -1, x1 0.8, x2 -0.5, band=b 0.7, band=c -0.4 (band 'a' reference)."""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.poisson(2.0, size=n).astype(float)
    band = rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.3, 0.2])
    eta = -1 + 0.8 * x1 - 0.5 * x2 + 0.7 * (band == "b") - 0.4 * (band == "c")
    p = 1 / (1 + np.exp(-eta))
    y = rng.random(n) < p
    return pd.DataFrame({"x1": x1, "x2": x2, "band": band}), y, p


def test_response_model_recovers_simulated_coefficients_and_has_useful_auc():
    """Simulation with known coefficients: each MLE lies within 4 standard errors of the truth
    (asymptotic normality; chance of a false failure < 5 * 6e-5). The holdout AUC must be within
    0.03 of the true model's AUC on the same holdout and above 0.5 + 4 Hanley-McNeil (1982) SEs."""
    X, y, p_true = _simulated_offers()
    m = dev.ResponseModel(numeric=("x1", "x2"), categorical=("band",), seed=5).fit(X, y)
    truth = {"const": -1.0, "x1": 0.8, "x2": -0.5, "band=b": 0.7, "band=c": -0.4}
    table = m.odds_ratios_.set_index("feature")
    assert m.reference_ == {"band": "a"}
    for name, beta in truth.items():
        assert abs(table.loc[name, "coef"] - beta) < 4 * table.loc[name, "std_err"], name
        assert table.loc[name, "odds_ratio"] == pytest.approx(math.exp(table.loc[name, "coef"]))
    from sklearn.metrics import roc_auc_score

    ho = m.holdout_
    n1, n0 = int(ho["responded"].sum()), int((1 - ho["responded"]).sum())
    auc_true = roc_auc_score(ho["responded"], _holdout_truth(X, y, p_true, m))
    q1, q2 = m.auc_ / (2 - m.auc_), 2 * m.auc_**2 / (1 + m.auc_)
    se = math.sqrt((m.auc_ * (1 - m.auc_) + (n1 - 1) * (q1 - m.auc_**2) + (n0 - 1) * (q2 - m.auc_**2)) / (n1 * n0))
    assert m.auc_ > 0.5 + 4 * se
    assert abs(m.auc_ - auc_true) < 0.03
    assert m.calibration_["n"].sum() == len(ho)
    assert m.gains_["cum_share_responders"].iloc[-1] == pytest.approx(1.0)


def test_response_model_fits_and_scores_with_blas_on_one_thread(monkeypatch, blas_threads):
    """The rank checks and both fits, and the scoring, run BLAS on one thread; the setting is restored after."""
    X, y, _ = _simulated_offers(n=600)
    seen = {}
    fit_logit = dev.ResponseModel._fit_logit

    def spy_logit(self, design, yv):
        seen["fit"] = blas_threads()
        return fit_logit(self, design, yv)

    monkeypatch.setattr(dev.ResponseModel, "_fit_logit", spy_logit)
    m = dev.ResponseModel(numeric=("x1", "x2"), categorical=("band",), seed=5).fit(X, y)
    predict = m.estimator_.predict_proba

    def spy_predict(design):
        seen["score"] = blas_threads()
        return predict(design)

    monkeypatch.setattr(m.estimator_, "predict_proba", spy_predict)
    m.predict_proba(X)
    assert seen == {"fit": [1], "score": [1]}
    assert blas_threads() == [2]


def _holdout_truth(X, y, p_true, model):
    """True probabilities of the model's holdout rows (the same stratified split, re-derived)."""
    from sklearn.model_selection import train_test_split

    _, te = train_test_split(np.arange(len(y)), test_size=model.test_size, random_state=model.seed, stratify=y.astype(float))
    return p_true[te]


def test_response_model_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError, match="fit"):
        dev.ResponseModel().predict_proba(pd.DataFrame())


def test_response_model_rejects_too_few_responders():
    X, y, _ = _simulated_offers(n=200)
    y = np.zeros(len(y), dtype=bool)
    y[:5] = True
    with pytest.raises(InsufficientDataError, match="responders"):
        dev.ResponseModel(numeric=("x1", "x2"), categorical=("band",)).fit(X, y)


def test_calibration_table_by_hand():
    """Hand case: six predictions in three equal bins: means (0.15, 0.35, 0.55), observed (0, 0.5, 1)."""
    out = dev.calibration_table([0, 0, 1, 0, 1, 1], [0.4, 0.1, 0.3, 0.2, 0.6, 0.5], n_bins=3)
    expected = pd.DataFrame(
        {"bin": [1, 2, 3], "n": [2, 2, 2], "mean_predicted": [0.15, 0.35, 0.55], "observed_rate": [0.0, 0.5, 1.0], "responders": [0, 1, 2]}
    )
    pd.testing.assert_frame_equal(out, expected, check_dtype=False)


def test_gains_table_by_hand():
    """Hand case: 10 customers, 3 responders ranked 1st, 2nd and 7th by score, 5 bins of 2:
    cumulative responder share 2/3, 2/3, 2/3, 1, 1; lift = share / (k/5)."""
    y = [1, 1, 0, 0, 0, 0, 1, 0, 0, 0]
    p = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05]
    out = dev.gains_table(y, p, n_bins=5)
    share = np.array([2 / 3, 2 / 3, 2 / 3, 1, 1])
    assert out["responders"].tolist() == [2, 0, 0, 1, 0]
    np.testing.assert_allclose(out["cum_share_responders"], share)
    np.testing.assert_allclose(out["cum_lift"], share / (np.arange(1, 6) / 5))


def test_offer_features_use_only_orders_before_the_offer():
    """Hand case: orders 2024-01-10 (A, 100), 2024-06-01 (B, 50), 2024-12-01 (A, 30).
    Offer 2024-12-01 of a B product: 2 earlier orders, revenue 150, 2 categories, tenure 326 days,
    last order 183 days before, B bought within 12 months (fit). Offer 2025-07-01 of a B product: only the
    December order is within 12 months (revenue 30, category A only), so B no longer fits."""
    customers = pd.DataFrame({"customer_id": ["C1"], "size_band": ["small"], "market_type": ["producer"]})
    tx = pd.DataFrame(
        {
            "order_id": ["o1", "o2", "o3", "o4"],
            "customer_id": ["C1"] * 4,
            "order_date": pd.to_datetime(["2024-01-10", "2024-06-01", "2024-12-01", "2024-12-01"]),
            "product_id": ["PA", "PB", "PA", "PC"],
            "category": ["A", "B", "A", "C"],
            "quantity": [1.0, 1.0, 1.0, -1.0],  # o4 is a return line: not an order
            "revenue": [100.0, 50.0, 30.0, -5.0],
            "cost": [0.0] * 4,
        }
    )
    offers = pd.DataFrame(
        {
            "offer_id": ["f1", "f2"],
            "customer_id": ["C1", "C1"],
            "offer_date": pd.to_datetime(["2024-12-01", "2025-07-01"]),
            "product_id": ["PB", "PB"],
            "channel": ["phone", "email"],
            "responded": [True, False],
        }
    )
    out = dev.offer_features(offers, customers, tx)
    assert out["orders_12m"].tolist() == [2.0, 1.0]
    np.testing.assert_allclose(out["log_revenue_12m"], np.log1p([150.0, 30.0]))
    assert out["categories_12m"].tolist() == [2.0, 1.0]
    np.testing.assert_allclose(out["tenure_years"], [326 / 365.25, 538 / 365.25])
    np.testing.assert_allclose(out["months_since_last_order"], [183 / (365.25 / 12), 212 / (365.25 / 12)])
    assert out["category_fit"].tolist() == [1.0, 0.0]
    assert out["channel"].tolist() == ["phone", "email"]


def test_score_gives_every_customer_a_probability_ranked_highest_first():
    """Known answer: a model fitted on simulated offers scores each customer once; higher revenue customers
    (true coefficient on log revenue +1.0) get higher probabilities."""
    rng = np.random.default_rng(2)
    n_c = 300
    customers = pd.DataFrame({"customer_id": [f"C{i:03d}" for i in range(n_c)], "size_band": "small", "market_type": "producer"})
    spend = np.exp(rng.normal(5, 1, n_c))
    tx = pd.DataFrame(
        {
            "order_id": [f"o{i}" for i in range(n_c)],
            "customer_id": customers["customer_id"],
            "order_date": pd.Timestamp("2025-03-01"),
            "product_id": "P1",
            "category": "A",
            "quantity": 1.0,
            "revenue": spend,
            "cost": 0.0,
        }
    )
    idx = rng.integers(0, n_c, 3000)
    logit = -6 + 1.0 * np.log1p(spend[idx])
    offers = pd.DataFrame(
        {
            "customer_id": customers["customer_id"].to_numpy()[idx],
            "offer_date": pd.Timestamp("2025-06-01"),
            "product_id": "P1",
            "channel": "phone",
            "responded": rng.random(3000) < 1 / (1 + np.exp(-logit)),
        }
    )
    model = dev.fit_response_model(offers, customers, tx, seed=1)
    coef = model.odds_ratios_.set_index("feature").loc["log_revenue_12m"]
    assert abs(coef["coef"] - 1.0) < 4 * coef["std_err"]
    scored = model.score(customers, tx, asof="2025-06-30")
    assert len(scored) == n_c and scored["customer_id"].is_unique
    assert scored["rank"].tolist() == list(range(1, n_c + 1))
    top = scored["customer_id"].iloc[0]
    assert spend[customers["customer_id"] == top][0] == pytest.approx(spend.max())


def _feature_lines(seed: int = 5, n_c: int = 60) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customers and order lines with the awkward cases: several orders on one day, multi-line orders,
    returns (quantity <= 0), orders right on the window edges, customers without any order, a product
    sold under two categories (its usual one wins) and lines after the scoring date."""
    rng = np.random.default_rng(seed)
    customers = pd.DataFrame(
        {
            "customer_id": [f"C{i:03d}" for i in range(n_c)],
            "size_band": rng.choice(["small", "medium", None], n_c),
            "market_type": rng.choice(["producer", "reseller"], n_c),
        }
    )
    rows = []
    start = pd.Timestamp("2023-01-01")
    for i in range(n_c - 5):  # the last five customers never buy
        for j in range(int(rng.integers(1, 12))):
            day = start + pd.Timedelta(days=int(rng.integers(0, 1000)))
            for k in range(int(rng.integers(1, 4))):
                prod = f"P{int(rng.integers(0, 6))}"
                cat = {"P0": "A", "P1": "A", "P2": "B", "P3": "B", "P4": "C", "P5": "D"}[prod]
                cat = "Z" if (prod == "P0" and k == 2) else cat  # P0 is sometimes recorded under Z
                qty = -1.0 if rng.random() < 0.08 else float(rng.integers(1, 5))
                rows.append((f"O{i}-{j}", f"C{i:03d}", day, prod, cat, qty, float(rng.gamma(2.0, 50.0)) * np.sign(qty)))
    rows += [
        ("E1", "C000", pd.Timestamp("2025-06-30"), "P2", "B", 1.0, 10.0),
        ("E2", "C000", pd.Timestamp("2024-07-01"), "P4", "C", 1.0, 5.0),
    ]
    rows += [
        ("E3", "C001", pd.Timestamp("2025-07-01"), "P5", "D", 1.0, 7.0),
        ("E4", "C001", pd.Timestamp("2024-06-30"), "P5", "D", 1.0, 9.0),
    ]
    tx = pd.DataFrame(rows, columns=["order_id", "customer_id", "order_date", "product_id", "category", "quantity", "revenue"])
    return customers, tx.assign(cost=0.0)


@pytest.mark.parametrize("product_id", ["P0", "P4", None, "NOT-SOLD"])
def test_customer_features_agree_with_offer_features_of_an_offer_to_everyone(product_id):
    """Known answer from an independent path: the one-date customer_features must equal offer_features
    (as-of lookups per offer) for a notional offer to every customer on the day after asof
    (FEATURE_DOCS; orders on asof count, the 12-month window starts 2024-07-01)."""
    customers, tx = _feature_lines()
    asof = pd.Timestamp("2025-06-30")
    got = dev.customer_features(customers, tx, asof=asof, channel="visit", product_id=product_id)
    pseudo = pd.DataFrame(
        {
            "customer_id": customers["customer_id"],
            "offer_date": asof + pd.Timedelta(days=1),
            "product_id": "" if product_id is None else product_id,
            "channel": "visit",
        }
    )
    want = dev.offer_features(pseudo, customers, tx.loc[tx["order_date"] <= asof]).drop(columns=["offer_date", "product_id"])
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12)
    assert got["category_fit"].sum() > 0 if product_id in ("P0", "P4") else got["category_fit"].sum() == 0
    assert (got.tail(5)[["tenure_years", "orders_12m", "categories_12m", "months_since_last_order"]].to_numpy() == [0, 0, 0, 36]).all()


def test_offer_features_take_a_products_most_frequent_category():
    """P0 is recorded under A on most lines and under Z on a few: offers of P0 fit customers who bought A, not Z."""
    customers, tx = _feature_lines()
    cats = dev.product_category(tx["product_id"], *pd.factorize(tx["category"], sort=True))
    assert cats["P0"] == "A" and cats["P5"] == "D"


# --------------------------------------------------------------------------- 3. product cross analysis


def _baskets():
    """Five baskets: {milk, bread}, {milk, bread, butter}, {bread, butter}, {milk, eggs}, {bread}."""
    rows = [
        ("b1", "W", "milk"),
        ("b1", "W", "bread"),
        ("b1", "W", "bread"),  # a second line of the same product counts once
        ("b2", "W", "milk"),
        ("b2", "W", "bread"),
        ("b2", "W", "butter"),
        ("b3", "Y", "bread"),
        ("b3", "Y", "butter"),
        ("b4", "X", "milk"),
        ("b4", "X", "eggs"),
        ("b5", "V", "bread"),
    ]
    tx = pd.DataFrame(rows, columns=["order_id", "customer_id", "product_id"])
    tx = tx.assign(quantity=1.0)
    ret = pd.DataFrame([("b5", "V", "eggs", -1.0)], columns=["order_id", "customer_id", "product_id", "quantity"])  # a return
    return pd.concat([tx, ret], ignore_index=True)


def test_co_purchase_support_confidence_lift_by_hand():
    """Hand computation, N = 5 baskets, n(milk)=3, n(bread)=4, n(butter)=2, n(eggs)=1:
    lift(A,B) = n(AB) N / (n(A) n(B)) (Brin et al. 1997); e.g. bread->butter: support 2/5,
    confidence 2/4, lift 10/8; milk->eggs: 1/5, 1/3, 5/3."""
    out = dev.co_purchase(_baskets(), min_count=1)
    rows = [
        ("eggs", "milk", 1, 3, 1, 1 / 5, 1.0, 5 / 3),
        ("milk", "eggs", 3, 1, 1, 1 / 5, 1 / 3, 5 / 3),
        ("bread", "butter", 4, 2, 2, 2 / 5, 1 / 2, 10 / 8),
        ("butter", "bread", 2, 4, 2, 2 / 5, 1.0, 10 / 8),
        ("bread", "milk", 4, 3, 2, 2 / 5, 1 / 2, 10 / 12),
        ("milk", "bread", 3, 4, 2, 2 / 5, 2 / 3, 10 / 12),
        ("butter", "milk", 2, 3, 1, 1 / 5, 1 / 2, 5 / 6),
        ("milk", "butter", 3, 2, 1, 1 / 5, 1 / 3, 5 / 6),
    ]
    expected = pd.DataFrame(
        rows, columns=["antecedent", "consequent", "n_antecedent", "n_consequent", "n_both", "support", "confidence", "lift"]
    )
    expected = expected.astype({"antecedent": "str", "consequent": "str"})
    pd.testing.assert_frame_equal(out, expected)
    assert dev.co_purchase(_baskets(), min_count=2)["n_both"].min() == 2


def test_next_best_product_takes_the_highest_lift_product_not_yet_bought():
    """Hand case from the five baskets (lifts above): W bought milk, bread, butter -> eggs (milk->eggs 5/3);
    V bought bread -> butter (10/8); X bought milk, eggs -> bread (lift 5/6 ties butter; confidence 2/3 > 1/3);
    Y bought bread, butter -> milk (5/6, via bread: ties go to the smaller id)."""
    out = dev.next_best_product(_baskets(), min_count=1, min_lift=0.0)
    expected = pd.DataFrame(
        {
            "customer_id": ["W", "V", "X", "Y"],
            "next_product": ["eggs", "butter", "bread", "milk"],
            "because_of": ["milk", "bread", "milk", "bread"],
            "lift": [5 / 3, 10 / 8, 10 / 12, 10 / 12],
            "confidence": [1 / 3, 1 / 2, 2 / 3, 1 / 2],
        }
    ).astype({"customer_id": "str", "next_product": "str", "because_of": "str"})
    pd.testing.assert_frame_equal(out, expected)
    assert set(dev.next_best_product(_baskets(), min_count=1)["customer_id"]) == {"W", "V"}  # lift > 1 only


def test_next_best_product_reuses_precomputed_rules_with_the_same_answer():
    """Passing co_purchase's rules (as the report does, sharing the product pairs) gives the hand-checked
    recommendations above; rules from other lines that name unknown products are refused."""
    rules = dev.co_purchase(_baskets(), min_count=1, min_lift=0.0)
    pd.testing.assert_frame_equal(
        dev.next_best_product(_baskets(), min_count=1, min_lift=0.0, rules=rules),
        dev.next_best_product(_baskets(), min_count=1, min_lift=0.0),
    )
    assert set(dev.next_best_product(_baskets(), min_count=1, rules=rules)["customer_id"]) == {"W", "V"}  # lift > 1 only
    alien = rules.assign(consequent=rules["consequent"].replace({"eggs": "caviar"}))
    with pytest.raises(DataError, match="rules: they name products that no customer bought"):
        dev.next_best_product(_baskets(), min_count=1, min_lift=0.0, rules=alien)


# --------------------------------------------------------------------------- 4. revenue forecast


def test_mase_by_hand():
    """Hand case (Hyndman & Koehler 2006): train 1, 2, 4, 7 with m = 1 has scale mean(1, 2, 3) = 2;
    one error of 1 gives 0.5. Train 1, 3, 2, 4, 3, 5 with m = 2 has scale 1; errors 1, 1 give 1."""
    assert dev.mase([10.0], [9.0], [1, 2, 4, 7], m=1) == pytest.approx(0.5)
    assert dev.mase([4.0, 6.0], [5.0, 5.0], [1, 3, 2, 4, 3, 5], m=2) == pytest.approx(1.0)
    with pytest.raises(InsufficientDataError, match="repeats exactly each season"):
        dev.mase([1.0], [1.0], [1, 2, 1, 2], m=2)


def test_seasonal_naive_repeats_the_last_season():
    """Definition (FPP3 sec. 5.2): 1..24 with m = 12 forecasts 13..24 then 13, 14."""
    np.testing.assert_array_equal(dev.seasonal_naive(np.arange(1, 25), 14, 12), np.r_[np.arange(13, 25), 13, 14])


def test_monthly_revenue_fills_empty_months_with_zero():
    tx = pd.DataFrame({"order_date": pd.to_datetime(["2025-01-15", "2025-01-20", "2025-03-02"]), "revenue": [1.0, 2.0, 5.0]})
    out = dev.monthly_revenue(tx, end="2025-04-30")
    assert out.index.tolist() == list(pd.date_range("2025-01-01", "2025-04-01", freq="MS"))
    assert out.tolist() == [3.0, 0.0, 5.0, 0.0]


def _seasonal_series(n=48, seed=4, trend=5.0):
    rng = np.random.default_rng(seed)
    t = np.arange(n + 12)
    season = 300 * np.sin(2 * np.pi * t / 12)
    y = 1000 + trend * t + season + rng.normal(0, 20, n + 12)
    idx = pd.date_range("2021-01-01", periods=n + 12, freq="MS")
    return pd.Series(y[:n], index=idx[:n]), (1000 + trend * t + season)[n:], season[n:]


def test_forecast_series_captures_simulated_seasonality_and_beats_naive():
    """Simulation with known seasonality (amplitude 300, trend 5/month, noise sd 20): the chosen model must beat
    seasonal naive in the backtest (naive misses a year of trend, 60 per month), its 12-month forecast must be closer
    to the true mean than the flat historical mean, correlate > 0.95 with the true pattern, and its interval must cover
    most of the true means."""
    y, truth, season = _seasonal_series()
    res = dev.forecast_series(y, horizon=12, n_origins=3)
    assert res.beats_naive and res.chosen in ("ets", "sarimax")
    f = res.forecast["mean"].to_numpy()
    assert np.mean(np.abs(f - truth)) < 0.25 * np.mean(np.abs(y.mean() - truth))
    assert np.corrcoef(f, season)[0, 1] > 0.95
    assert np.mean((res.forecast["lower"] <= truth) & (truth <= res.forecast["upper"])) >= 0.75
    assert "beats the seasonal-naive" in rd.forecast_sentence(res, _ctx("en"))


def test_forecast_series_says_so_when_no_model_beats_seasonal_naive():
    """Simulation: a seasonal random walk y_t = y_(t-12) + e_t, for which seasonal naive is the optimal forecast
    (FPP3 sec. 9.9); the estimated models cannot do better in the backtest, so seasonal naive is shown."""
    rng = np.random.default_rng(8)
    shocks = rng.normal(0, 40, (4, 12))
    shocks[0] = rng.normal(1000, 200, 12)  # the first year sets the seasonal pattern
    y = np.cumsum(shocks, axis=0).ravel()  # y_t = y_(t-12) + e_t
    series = pd.Series(y, index=pd.date_range("2022-01-01", periods=48, freq="MS"))
    res = dev.forecast_series(series, horizon=3, n_origins=6, models=["sarimax"])
    assert not res.beats_naive and res.chosen == "seasonal_naive"
    assert "No model beat" in rd.forecast_sentence(res, _ctx("en"))
    np.testing.assert_allclose(res.forecast["mean"], y[-12:-9])


def test_forecast_models_are_fitted_with_blas_on_one_thread(monkeypatch, blas_threads):
    """Every state-space fit of the backtest and the forecast runs BLAS on one thread; the setting is restored after."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    seen = []
    fit = SARIMAX.fit

    def spy(self, *args, **kwargs):
        seen.append(blas_threads())
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(SARIMAX, "fit", spy)
    y, _, _ = _seasonal_series()
    dev.forecast_series(y, horizon=3, n_origins=2, models=["sarimax"])
    assert len(seen) >= 2 and all(threads == [1] for threads in seen)
    assert blas_threads() == [2]


def test_quarter_totals_of_a_random_walk_by_hand():
    """psi_i = 1 (a random walk): the error of months 1-3 summed is 3 e1 + 2 e2 + e3, variance 14 sigma^2; of months
    4-6, 3 (e1 + e2 + e3 + e4) + 2 e5 + e6, variance 41 sigma^2. sigma = 10 from the first month's 90% interval."""
    from scipy import stats

    z = stats.norm.ppf(0.95)
    idx = pd.date_range("2026-10-01", periods=7, freq="MS")
    mean = np.array([100.0, 110, 120, 130, 140, 150, 160])
    fc = pd.DataFrame({"mean": mean, "lower": mean - 10 * z, "upper": mean + 10 * z}, index=idx)
    q = dev.quarter_totals(fc, np.ones(7), 0.9)
    assert q["quarter"].tolist() == ["2026Q4", "2027Q1"]  # 2027Q2 has one month only: left out
    np.testing.assert_allclose(q["mean"], [330.0, 420.0])
    np.testing.assert_allclose(q["upper"] - q["mean"], [z * 10 * np.sqrt(14), z * 10 * np.sqrt(41)])
    np.testing.assert_allclose(q["mean"] - q["lower"], q["upper"] - q["mean"])
    assert dev.quarter_totals(fc.iloc[:2], np.ones(2), 0.9).empty


def test_next_quarter_of_seasonal_naive_adds_three_independent_months():
    """Seasonal naive within a season: three independent errors, so the quarter's interval is sqrt(3) times a month's
    half-width (FPP3 sec. 5.5), around the sum of the three monthly forecasts (the chart's numbers)."""
    y, _, _ = _seasonal_series()
    res = dev.forecast_series(y, horizon=6, n_origins=1, models=[])
    assert res.chosen == "seasonal_naive"
    nxt, months = res.next_quarter, res.forecast.iloc[:3]
    assert nxt["quarter"] == "2025Q1" and nxt["mean"] == pytest.approx(months["mean"].sum())
    half = float(months["upper"].iloc[0] - months["mean"].iloc[0])
    assert nxt["upper"] - nxt["mean"] == pytest.approx(half * np.sqrt(3))
    assert len(res.quarters) == 2
    assert dev.forecast_series(y, horizon=2, n_origins=1, models=[]).next_quarter is None  # no whole quarter


@pytest.mark.parametrize("model", ["ets", "sarimax"])
def test_the_error_weights_reproduce_the_models_own_monthly_intervals(model):
    """The weights behind the quarter's interval are the model's: sigma^2 (psi_0^2 + ... + psi_(j-1)^2) is the
    variance of statsmodels' own j-month-ahead interval, month by month."""
    from custlib.analysis.development.forecast import fit_forecast

    y, _, _ = _seasonal_series()
    kw = dict(m=12, level=0.9, maxiter=100, sarimax_order=(1, 0, 0), sarimax_seasonal_order=(0, 1, 1), sink=[])
    fc, psi = fit_forecast(model, y, 14, weights=True, **kw)
    half = (fc["upper"] - fc["lower"]).to_numpy() / 2
    assert psi[0] == pytest.approx(1.0)
    np.testing.assert_allclose(half / half[0], np.sqrt(np.cumsum(psi**2)), rtol=2e-3)


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.ConvergenceWarning")
def test_ets_error_weights_are_hyndmans_closed_form():
    """ETS(A,Ad,A): psi_j = alpha + beta (phi + ... + phi^j) + gamma [j multiple of m] (Hyndman et al. 2008, table 6.1)."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    from custlib.analysis.development.forecast import fit_forecast

    y, _, _ = _seasonal_series()
    _, psi = fit_forecast(
        "ets", y, 14, m=12, level=0.9, maxiter=100, sarimax_order=(1, 0, 0), sarimax_seasonal_order=(0, 1, 1), sink=[], weights=True
    )
    res = ETSModel(y, error="add", trend="add", damped_trend=True, seasonal="add", seasonal_periods=12).fit(disp=False, maxiter=100)
    p = dict(zip(res.param_names, res.params, strict=True))
    j = np.arange(1, 14)
    phi_j = np.cumsum(p["damping_trend"] ** j)
    closed = p["smoothing_level"] + p["smoothing_trend"] * phi_j + p["smoothing_seasonal"] * (j % 12 == 0)
    np.testing.assert_allclose(psi[1:], closed, rtol=1e-6, atol=1e-9)


def test_the_quarters_interval_covers_simulated_quarters_as_often_as_it_says():
    """Monte Carlo with a known model, a seasonal random walk with sd 40 (seasonal naive is then the right model):
    over 400 simulated series the next quarter's 90% interval covers the realised quarter about 90% of the time
    (binomial sd 1.5 points), where adding up the monthly bounds would cover nearly always."""
    rng = np.random.default_rng(11)
    hits, months_hits = 0, 0
    n = 400
    idx = pd.date_range("2021-01-01", periods=51, freq="MS")
    for _ in range(n):
        shocks = rng.normal(0, 40, (5, 12))
        shocks[0] = rng.normal(1000, 200, 12)
        y = np.cumsum(shocks, axis=0).ravel()[:51]  # 48 months of history and the 3 to forecast
        fc, psi = dev.fit_forecast(
            "seasonal_naive", pd.Series(y[:48], index=idx[:48]), 3, m=12, level=0.9, maxiter=1,
            sarimax_order=(1, 0, 0), sarimax_seasonal_order=(0, 1, 1), sink=[], weights=True,
        )  # fmt: skip
        q = dev.quarter_totals(fc, psi, 0.9).iloc[0]
        truth = y[48:51].sum()
        hits += q["lower"] <= truth <= q["upper"]
        months_hits += fc["lower"].sum() <= truth <= fc["upper"].sum()
    assert abs(hits / n - 0.9) < 0.05
    assert months_hits / n > 0.97


def test_forecast_series_rejects_short_history():
    """By hand: two 12-month seasons plus a 3-month backtest horizon need 27 months; 20 are given."""
    y = pd.Series(np.arange(20.0), index=pd.date_range("2024-01-01", periods=20, freq="MS"))
    with pytest.raises(InsufficientDataError, match=r"20 months of history \(2024-01 to 2025-08\).*at least 27 months"):
        dev.forecast_series(y)


# --------------------------------------------------------------------------- 6. early warning


def _monthly_tx(customer, months, revenues, lines_per_month):
    rows = []
    for m, rev, lines in zip(months, revenues, lines_per_month, strict=True):
        if rev <= 0:
            continue
        for line in lines:
            rows.append((f"{customer}-{m:%Y%m}", customer, m + pd.Timedelta(days=9), f"P{line}", line, 1.0, rev / len(lines), 0.0))
    return rows


def _warning_data():
    months = pd.date_range("2024-01-01", "2025-12-01", freq="MS")
    n = len(months)  # 24; Oct-Dec 2025 are the last three
    three = [["L1", "L2", "L3"]] * n
    rows = []
    rows += _monthly_tx("STEADY", months, [1000.0] * n, three)
    rows += _monthly_tx("DECLINER", months, [1000.0] * 20 + [800.0, 600.0, 400.0, 200.0], three)
    rows += _monthly_tx("SHRINKER", months, [1000.0] * n, [["L1", "L2", "L3", "L4", "L5"]] * 18 + [["L1", "L2"]] * 6)
    rows += _monthly_tx("MILD", months, [1000.0] * 21 + [990.0, 980.0, 970.0], three)
    rows += _monthly_tx("NEWBIE", months, [0.0] * 20 + [900.0, 800.0, 500.0, 200.0], three)
    rows += _monthly_tx("LAPSED", months, [1000.0] * 18 + [0.0] * 6, three)
    return pd.DataFrame(rows, columns=["order_id", "customer_id", "order_date", "product_id", "category", "quantity", "revenue", "cost"])


def test_early_warning_flags_decliners_shrinkers_and_lapsers_by_hand():
    """Hand-built monthly series up to December 2025 (defaults: 3-month moving sums, 3 falls, >= 20% fall,
    last 3 months vs 12 before, lines last 6 months vs 6 before):
    DECLINER 1000 -> 800, 600, 400, 200: moving sum 3000 -> 1200 falls 4 months (60%); recent mean 400 vs
    trailing (11*1000 + 800)/12 = 983.3 -> drop. SHRINKER 5 product lines -> 2. LAPSED stopped after June:
    recent 0 vs trailing 9000/12 = 750 -> drop, lines 3 -> 0. STEADY, MILD (a 2% drift) and NEWBIE (no
    established history) are not flagged. Rank: 2 rules first, then lost revenue per month (750 > 583.3)."""
    out = dev.early_warning(_warning_data(), asof="2025-12-31")
    assert out["customer_id"].tolist() == ["LAPSED", "DECLINER", "SHRINKER"]
    flags = out.set_index("customer_id")[["decline", "drop", "lines"]]
    assert flags.loc["DECLINER"].tolist() == [True, True, False]
    assert flags.loc["LAPSED"].tolist() == [False, True, True]
    assert flags.loc["SHRINKER"].tolist() == [False, False, True]
    d = out.set_index("customer_id").loc["DECLINER"]
    assert d["months_declining"] == 4
    assert d["decline_pct"] == pytest.approx(1 - 1200 / 3000)
    assert d["recent_avg_revenue"] == pytest.approx(400.0)
    assert d["trailing_avg_revenue"] == pytest.approx(11800 / 12)
    s = out.set_index("customer_id").loc["SHRINKER"]
    assert (s["lines_before"], s["lines_recent"]) == (5, 2)
    assert out.set_index("customer_id").loc["LAPSED", "lost_revenue_per_month"] == pytest.approx(750.0)
    assert "evidence" not in out.columns  # the analysis gives flags and numbers; the report words them
    assert out["rank"].tolist() == [1, 2, 3]


def test_early_warning_adds_probability_alive_from_a_passed_model():
    """Wiring check with a stub model P(alive) = 1 / (1 + frequency): DECLINER bought on 24 days, so
    frequency 23 (custlib.analysis.clv.rfm_summary: purchase days minus one) and P = 1/24."""

    class Stub:
        def probability_alive(self, frequency, recency, T):
            return 1 / (1 + np.asarray(frequency, dtype=float))

    out = dev.early_warning(_warning_data(), asof="2025-12-31", bgnbd=Stub()).set_index("customer_id")
    assert out.loc["DECLINER", "p_alive"] == pytest.approx(1 / 24)
    assert out.loc["LAPSED", "p_alive"] == pytest.approx(1 / 18)


def test_early_warning_needs_enough_history():
    tx = _warning_data()
    with pytest.raises(InsufficientDataError, match="months of history"):
        dev.early_warning(tx, asof="2024-06-30")
    with pytest.raises(ParamsError, match="drop_pct"):
        dev.early_warning(tx, drop_pct=1.5)


# --------------------------------------------------------------------------- 7. KPIs and win-back


def _kpi_tx():
    rows = [
        ("A", "2024-02-10", 100.0, 60.0),
        ("A", "2024-05-10", 100.0, 60.0),
        ("A", "2025-02-10", 150.0, 90.0),
        ("A", "2025-05-10", 200.0, 120.0),
        ("B", "2025-02-11", 50.0, 20.0),
        ("B", "2025-05-11", 80.0, 40.0),
        ("C", "2025-05-12", 30.0, 10.0),
    ]
    tx = pd.DataFrame(rows, columns=["customer_id", "order_date", "revenue", "cost"])
    return tx.assign(order_date=pd.to_datetime(tx["order_date"]), order_id=[f"o{i}" for i in range(len(tx))])


def test_development_kpis_by_hand():
    """Hand arithmetic. 2025Q1: existing A (150, profit 60), new B (50, 30); against 2024Q1 (A, first seen in
    the data's first quarter, so existing: 100): +50%. 2025Q2: existing A + B
    (280, 120), new C (30, 20); against 2025Q1: +130 (+86.7%), against 2024Q2 (A: 100, 40): +180 (+180%);
    profit +60 (+100%) and +80 (+200%); share 280/310; two-quarter slope 130 per quarter; year-on-year growth two
    quarters running (2024Q3-Q4 had none). Like for like against 2024Q2: the customers of 2024Q2 (A) went from profit
    40 to 80 (+40), the customers won since (B in 2025Q1, C in 2025Q2) from nothing to 40 + 20 (+60); 40 + 60 is the
    region's change 140 - 40."""
    out = dev.development_kpis(_kpi_tx(), quarter="2025Q2", n_quarters=2, trend_quarters=2).set_index("quarter")
    q1, q2 = out.loc["2025Q1"], out.loc["2025Q2"]
    assert (q1["existing_customers"], q1["new_customers"], q2["existing_customers"], q2["new_customers"]) == (1, 1, 2, 1)
    assert (q1["existing_revenue"], q1["new_revenue"], q1["existing_profit"], q1["new_profit"]) == (150.0, 50.0, 60.0, 30.0)
    assert q1["existing_share_revenue"] == pytest.approx(0.75)
    assert q1["existing_revenue_yoy_pct"] == pytest.approx(0.5)  # A, first seen in the data's first quarter, counts as existing there
    assert (q2["existing_revenue"], q2["total_revenue"], q2["existing_profit"]) == (280.0, 310.0, 120.0)
    assert q2["existing_revenue_qoq"] == pytest.approx(130.0)
    assert q2["existing_revenue_qoq_pct"] == pytest.approx(130 / 150)
    assert q2["existing_revenue_yoy"] == pytest.approx(180.0)
    assert q2["existing_revenue_yoy_pct"] == pytest.approx(1.8)
    assert (q2["existing_profit_qoq_pct"], q2["existing_profit_yoy_pct"]) == pytest.approx((1.0, 2.0))
    assert q2["existing_share_revenue"] == pytest.approx(280 / 310)
    assert (q2["development_gain"], q2["acquisition_gain"], q2["acquired_customers"]) == (40.0, 60.0, 2.0)
    assert q2["development_gain"] + q2["acquisition_gain"] == q2["total_profit"] - 40.0  # 2024Q2's total profit
    assert q2["development_minus_acquisition"] == pytest.approx(-20.0)
    assert (q1["development_gain"], q1["acquisition_gain"], q1["acquired_customers"]) == (20.0, 30.0, 1.0)  # A 60 - 40, B 30
    assert q2["trend_slope_revenue"] == pytest.approx(130.0)
    assert q2["trend_slope_pct"] == pytest.approx(130 / 215)
    assert (q1["yoy_growth_streak"], q2["yoy_growth_streak"]) == (1, 2)


def test_development_kpis_subtract_cost_to_serve_from_profit():
    """Hand arithmetic: A's cost to serve of 25 in May 2025 lowers 2025Q2 existing profit from 120 to 95."""
    sc = pd.DataFrame({"customer_id": ["A"], "month": pd.to_datetime(["2025-05-01"]), "cost_to_serve": [25.0]})
    out = dev.development_kpis(_kpi_tx(), sc, quarter="2025Q2", n_quarters=1)
    assert out["existing_profit"].tolist() == [95.0]


def test_winback_candidates_by_hand():
    """Hand case at 2025Q4 (lapsed = no order in 2025Q3-Q4; value = profit in the 4 quarters to the last active one):
    L1 earned 4 x 100 = 400 up to 2025Q2, L2 4 x 10 = 40; active customers earned 200 (A1), 100 (A2) and
    3 + 3 + 10 = 16 (R1) over 2025, median 100: only L1 qualifies, 2 quarters since its last order.
    R1 (last order 2025Q3) has not lapsed."""
    rows = []
    for i, q in enumerate(["2024-08-01", "2024-11-01", "2025-02-01", "2025-05-01"]):
        rows += [("L1", f"l1{i}", q, 300.0, 200.0), ("L2", f"l2{i}", q, 30.0, 20.0), ("R1", f"r1{i}", q, 3.0, 0.0)]
    rows += [("R1", "r1x", "2025-08-01", 10.0, 0.0)]
    for i, q in enumerate(["2025-02-01", "2025-05-01", "2025-08-01", "2025-11-01"]):
        rows += [("A1", f"a1{i}", q, 100.0, 50.0), ("A2", f"a2{i}", q, 50.0, 25.0)]
    tx = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_date", "revenue", "cost"]).assign(
        order_date=lambda d: pd.to_datetime(d["order_date"])
    )
    out = dev.winback_candidates(tx, quarter="2025Q4", lapsed_quarters=2, value_quarters=4, value_quantile=0.5)
    assert out["customer_id"].tolist() == ["L1"]
    row = out.iloc[0]
    assert (row["past_revenue"], row["past_profit"], row["quarters_since_last_order"], row["orders"]) == (1200.0, 400.0, 2, 4)


# --------------------------------------------------------------------------- planted patterns in the sample data


@pytest.fixture(scope="session")
def planted(tmp_path_factory):
    """One-region sample with planted patterns (custlib.io.sample). 5,000 customers rather than a few hundred because
    only ~9% of customers get offers: 600 customers give ~90 offers, too few to check five logit coefficients.
    Generation takes about a second."""
    from custlib.io.sample import generate_sample

    out = tmp_path_factory.mktemp("development_sample")
    paths = generate_sample(out, customers=5000, regions=1, seed=42)
    tables = {t: pd.read_parquet(paths[t]) for t in ("customers", "transactions", "offers", "service_costs")}
    tables["transactions"] = tables["transactions"].assign(order_date=pd.to_datetime(tables["transactions"]["order_date"]))
    tables["offers"] = tables["offers"].assign(offer_date=pd.to_datetime(tables["offers"]["offer_date"]))
    tables["service_costs"] = tables["service_costs"].assign(month=pd.to_datetime(tables["service_costs"]["month"]))
    import json

    tables["planted"] = json.loads(paths["planted"].read_text(encoding="utf-8"))
    return tables


def test_planted_response_model_coefficients_are_recovered(planted):
    """Known parameters: offers in the sample were answered from the logit model in planted.json ("response_model":
    size_large 0.8, n_categories_12m 0.3, category_fit 1.0, channel_visit 1.2, channel_phone 0.5, email baseline).
    Each estimate has the planted sign and lies within 3 standard errors of the planted value (our extra features have
    true coefficient 0, so the model is correctly specified)."""
    truth = planted["planted"]["response_model"]["coefficients"]
    names = {
        "size_large": "size_band=large",
        "n_categories_12m": "categories_12m",
        "category_fit": "category_fit",
        "channel_visit": "channel=visit",
        "channel_phone": "channel=phone",
    }
    feats = dev.offer_features(planted["offers"], planted["customers"], planted["transactions"])
    model = dev.ResponseModel(reference={"channel": "email", "size_band": "small"}, seed=1).fit(feats, feats["responded"])
    table = model.odds_ratios_.set_index("feature")
    for key, col in names.items():
        coef, se = table.loc[col, "coef"], table.loc[col, "std_err"]
        assert coef > 0, col
        assert abs(coef - truth[key]) < 3 * se, col
    assert model.auc_ > 0.6


def test_planted_decliners_and_shrinking_lines_top_the_watch_list(planted):
    """Planted ground truth: decliners (order rate x0.8 per month for 7 months) and shrinking_lines (6 -> 2
    categories) must be flagged at far higher rates (>= 80%, and >= 5x) than customers without any planted pattern;
    shrinking lines must be caught by the product-lines rule."""
    p = planted["planted"]
    tx = planted["transactions"]
    watch = dev.early_warning(tx, asof=p["end"]).set_index("customer_id")
    keys = ("unprofitable_large", "profit_customers", "lapsed", "decliners", "shrinking_lines", "migrations_up", "migrations_down")
    special = set().union(*(set(p[k]) for k in keys)) | set(p["lifecycle"]["churned"]) | set(p["lifecycle"]["new"])
    others = set(tx["customer_id"]) - special
    rate_others = len(others & set(watch.index)) / len(others)
    for key in ("decliners", "shrinking_lines"):
        group = set(p[key])
        rate = len(group & set(watch.index)) / len(group)
        assert rate >= 0.8 and rate >= 5 * rate_others, (key, rate, rate_others)
    shrink = watch.reindex(sorted(set(p["shrinking_lines"]) & set(watch.index)))
    assert shrink["lines"].mean() >= 0.8


def test_planted_copurchase_pairs_have_the_top_lifts(planted):
    """Planted ground truth: the 4 pairs in planted.json ("copurchase_pairs", second product added with probability
    0.6) are the 8 top rules (both directions) by lift."""
    rules = dev.co_purchase(planted["transactions"], min_count=20)
    top = {frozenset(r) for r in rules.head(8)[["antecedent", "consequent"]].itertuples(index=False)}
    assert top == {frozenset(pair) for pair in planted["planted"]["copurchase_pairs"]}
    nbp = dev.next_best_product(planted["transactions"], min_count=20)
    pair_products = {x for pair in planted["planted"]["copurchase_pairs"] for x in pair}
    assert nbp["next_product"].head(100).isin(pair_products).all()


def test_planted_seasonality_is_found(planted):
    """Planted ground truth: monthly order rates follow planted.json "seasonality" (February 0.62, November 1.14,
    December 1.30). The 12-month forecast must correlate > 0.8 with those factors, dip in February and peak in
    November or December (the two are close enough for order noise to swap them)."""
    p = planted["planted"]
    res = dev.forecast_revenue(planted["transactions"], end=p["end"], horizon=12, n_origins=3)
    f = res.forecast["mean"]
    factors = np.asarray(p["seasonality"])[f.index.month - 1]
    assert np.corrcoef(f, factors)[0, 1] > 0.8
    assert f.idxmin().month == 2 and f.idxmax().month in (11, 12)


@pytest.mark.filterwarnings("ignore:BG/NBD:RuntimeWarning")  # clv's note on this sample's fit; not what is tested here
def test_early_warning_accepts_a_fitted_bgnbd_from_clv(planted):
    """Integration with custlib.analysis.clv: probability alive from a BG/NBD fitted on the sample lies in [0, 1] for every
    flagged customer."""
    from custlib.analysis import clv

    tx = planted["transactions"]
    summary = clv.rfm_summary(tx, calibration_end=planted["planted"]["end"])
    model = clv.fit_bgnbd(summary["frequency"], summary["recency"], summary["T"])
    watch = dev.early_warning(tx, planted["customers"], asof=planted["planted"]["end"], bgnbd=model)
    assert watch["p_alive"].between(0, 1).all() and "name" in watch.columns


def test_kpi_sentences_state_the_latest_quarter_by_hand():
    """Hand arithmetic from the KPI case above: 2025Q2 existing revenue 280 (+130/150 = +86.7%, +180/100 = +180.0%),
    share 280/310 = 90%; against 2024Q2 the customers of 2024Q2 added 40, the 2 won since 60."""
    kpis = dev.development_kpis(_kpi_tx(), quarter="2025Q2", n_quarters=2, trend_quarters=2)
    assert rd.kpi_sentences(kpis, _ctx("en")) == (
        "In 2025Q2 existing customers bought CN¥280 (+86.7% on the previous quarter, +180.0% on a year earlier). "
        "2 quarters of year-on-year growth are running. That is 90% of all revenue. Against 2024Q2, the customers of 2024Q2 "
        "changed their profit by +CN¥40 and the 2 customers won since then by +CN¥60: acquisition returned more this quarter."
    )
    assert rd.kpi_sentences(kpis, _ctx("zh")) == (
        "2025Q2 现有客户购买了 ¥280（环比 +86.7%，同比 +180.0%）。 已连续 2 个季度同比增长。 占全部销售收入的 90%。 "
        "与 2024Q2 相比，2024Q2 时已有的客户利润变化 +¥40，此后新获得的 2 家客户利润变化 +¥60：本季度新客户开发回报更高。"
    )


# --------------------------------------------------------------------------- 8. the report: sections that may be unavailable


def test_response_rates_by_hand_with_closed_form_intervals():
    """Closed form (uniform prior Beta(1, 1)): 0 of n responding gives Beta(1, n + 1) with quantile
    1 - (1 - q)^(1/(n+1)); n of n gives Beta(n + 1, 1) with quantile q^(1/(n+1)). 'large' 0 of 4, 'small' 3 of 3,
    all offers 3 of 7 (bounds from scipy's Beta(4, 5)); average response revenue (100 + 200 + 600) / 3 = 300."""
    customers = pd.DataFrame({"customer_id": ["A", "B"], "size_band": ["large", "small"]})
    offers = pd.DataFrame(
        {
            "customer_id": ["A"] * 4 + ["B"] * 3 + ["B"],
            "offer_date": pd.to_datetime(["2025-01-01"] * 7 + ["2026-01-01"]),  # the last one is after asof
            "responded": [False] * 4 + [True] * 3 + [True],
            "response_revenue": [np.nan] * 4 + [100.0, 200.0, 600.0] + [999.0],
        }
    )
    out = dev.response_rates(offers, customers, asof="2025-12-31", prior_alpha=1, prior_beta=1, interval=0.9)
    expected = pd.DataFrame(
        {
            "group": ["large", "small", "all offers"],
            "offers": [4, 3, 7],
            "responders": [0, 3, 3],
            "response_rate": [0.0, 1.0, 3 / 7],
            "rate_low": [1 - 0.95 ** (1 / 5), 0.05 ** (1 / 4), stats.beta.ppf(0.05, 4, 5)],
            "rate_high": [1 - 0.05 ** (1 / 5), 0.95 ** (1 / 4), stats.beta.ppf(0.95, 4, 5)],
            "avg_response_revenue": [np.nan, 300.0, 300.0],
        }
    )
    pd.testing.assert_frame_equal(out, expected)
    with pytest.raises(InsufficientDataError, match="no past offers"):
        dev.response_rates(offers, customers, asof="2024-01-01")
    with pytest.raises(InsufficientDataError, match="not available"):
        dev.response_rates(None, customers)


def _report_params(**development):
    """The shipped defaults (params/defaults.yaml), made fast (seasonal naive only, one start per likelihood fit), with
    co-purchase pairs counted from 2 orders (tiny data) and ``development`` overrides."""
    from custlib.io.params import load_params

    params = load_params(params_dir=Path(__file__).resolve().parent.parent / "params")
    params["development"]["forecast"].update(n_origins=1, models=[])
    params["clv"]["n_starts"] = 1
    params["development"]["copurchase"].update(min_count=2)
    for key, value in development.items():
        params["development"][key].update(value)
    return params


def _region(n: int = 4, months: int = 36, end: str = "2026-09-30", stop: str | None = None):
    """A tiny region: n customers ordering P1 (Fasteners) every month, P2 (Tools) in even months; monthly revenue
    100 + 10 * customer number + month number (0 = first month) per line, cost 60. Customer C0 had three phone offers in 2026, two answered.
    ``stop``: no orders from that month on."""
    customers = pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(n)],
            "name": [f"Customer {i}" for i in range(n)],
            "region": "East",
            "size_band": [("small", "large")[i % 2] for i in range(n)],
            "market_type": "producer",
        }
    )
    month_starts = pd.date_range(end=pd.Timestamp(end).to_period("M").to_timestamp(), periods=months, freq="MS")
    rows = []
    for i in range(n):
        for j, m in enumerate(month_starts):
            if stop is not None and m >= pd.Timestamp(stop):
                continue
            for product, category in [("P1", "Fasteners")] + ([("P2", "Tools")] if m.month % 2 == 0 else []):
                rows.append(
                    {
                        "order_id": f"O{i}-{j}",
                        "customer_id": f"C{i}",
                        "order_date": m + pd.Timedelta(days=9 + i),
                        "product_id": product,
                        "category": category,
                        "quantity": 1.0,
                        "revenue": 100.0 + 10 * i + j,
                        "cost": 60.0,
                    }
                )
    tx = pd.DataFrame(rows)
    offers = pd.DataFrame(
        {
            "offer_id": ["F1", "F2", "F3"],
            "customer_id": ["C0"] * 3,
            "offer_date": pd.to_datetime(["2026-01-10", "2026-02-10", "2026-03-10"]),
            "product_id": ["P3"] * 3,
            "channel": ["phone"] * 3,
            "contact_cost": [20.0] * 3,
            "responded": [True, True, False],
            "response_revenue": [300.0, 500.0, np.nan],
        }
    )
    months_of = tx["order_date"].dt.to_period("M").dt.to_timestamp()
    service = tx.assign(month=months_of)[["customer_id", "month"]].drop_duplicates().assign(cost_to_serve=15.0)
    return tx, customers, offers, service.reset_index(drop=True)


def _steps(transactions, customers, offers, service_costs, quarter, params, seed=1):
    """The notebook's steps (notebooks/03_forecast_development.py) on one region: each result or an Unavailable."""
    from custlib.analysis import clv
    from custlib.io.periods import Quarter
    from custlib.reports import development as rd
    from custlib.reports.sections import compute

    q = Quarter.parse(quarter)
    P, asof, unit = params["development"], q.end, params["clv"]["time_unit"]
    r = {"orders": compute(dev.orders_up_to, transactions, asof), "costs": compute(dev.costs_up_to, service_costs, asof)}
    orders, costs = r["orders"], r["costs"]
    r["campaign"] = compute(dev.campaign_plan, customers, offers, orders, costs, asof=asof, seed=seed, **P["campaign"])
    r["lifetime"] = compute(clv.lifetime_value_analysis, orders, asof, **{"seed": seed, **params["clv"]})
    bgnbd = rd.purchase_model(r["lifetime"])
    r["kpis"] = compute(dev.development_kpis, orders, costs, quarter=q, **P["kpis"])
    r["watch"] = compute(dev.watch_list, orders, customers, asof=asof, bgnbd=bgnbd, time_unit=unit, **P["early_warning"])
    r["winback"] = compute(dev.winback_candidates, orders, customers, quarter=q, bgnbd=bgnbd, time_unit=unit, **P["winback"])
    by, level = P["campaign"]["segment_by"], P["campaign"]["interval"]
    r["response_rates"] = compute(dev.response_rates, offers, customers, by=by, asof=asof, interval=level)
    r["response_model"] = compute(dev.fit_response_model, offers, customers, orders, asof=asof, seed=seed, **P["response"])
    r["scores"] = compute(dev.score_customers, r["response_model"], customers, orders, asof=asof)
    r["pairs"] = compute(dev.co_purchase, orders, item_col="product_id", **P["copurchase"])
    r["category_pairs"] = compute(dev.co_purchase, orders, item_col="category", **P["copurchase"])
    r["next_best"] = compute(dev.next_best_product, orders, customers, rules=r["pairs"], **P["copurchase"])
    r["forecast"] = compute(dev.forecast_revenue, orders, end=asof, **P["forecast"])
    return r


def _unavailable(steps):
    from custlib.reports.sections import Unavailable

    return {name for name, v in steps.items() if isinstance(v, Unavailable)}


def test_notebook_steps_on_a_single_customer_region_report_what_they_can():
    """One customer: the models that need several customers (response model, lifetime value) are unavailable with
    the counts in the reason; the rest is computed. Known answer: the forecast history is the customer's monthly
    revenue, 100 + j in month j, twice that in even calendar months (two lines)."""
    tx, customers, offers, service = _region(n=1)
    steps = _steps(tx, customers.head(1), offers, service, "2026Q3", _report_params())
    assert _unavailable(steps) == {"response_model", "scores", "lifetime"}
    assert steps["response_model"].code == "too_few_offer_outcomes"
    assert steps["response_model"].fields == {"responders": 2, "others": 1}
    history = steps["forecast"].history
    assert history.tolist() == [(100.0 + j) * (2 if m.month % 2 == 0 else 1) for j, m in enumerate(history.index)]
    # computed but empty (P1 and P2 are bought together with lift exactly 1, not above it)
    assert steps["pairs"].empty and steps["winback"].empty


def test_notebook_steps_with_no_orders_in_the_quarter():
    """Orders stop at 2026-06-30. By hand: existing revenue in 2026Q3 is 0, so its share of revenue is undefined;
    every customer's last-3-month average is 0, 100% below their trailing average, so the drop rule puts all four on
    the watch list."""
    from custlib.reports import development as rd

    tx, customers, offers, service = _region(stop="2026-07-01")
    steps = _steps(tx, customers, offers, service, "2026Q3", _report_params())
    assert _unavailable(steps) == {"response_model", "scores"}
    kpis = steps["kpis"].set_index("quarter")
    assert kpis.loc["2026Q3", "existing_revenue"] == 0.0 and np.isnan(kpis.loc["2026Q3", "existing_share_revenue"])
    assert "of all revenue" not in rd.kpi_sentences(steps["kpis"], _ctx("en"))
    watch = steps["watch"]
    assert sorted(watch["customer_id"]) == ["C0", "C1", "C2", "C3"] and watch["drop"].all()
    assert (watch["recent_avg_revenue"] == 0).all()


def test_notebook_steps_without_offers_table_say_so_and_report_the_rest():
    from custlib.present.development import views

    tx, customers, _, service = _region()
    steps = _steps(tx, customers, None, service, "2026Q3", _report_params())
    assert _unavailable(steps) == {"campaign", "response_rates", "response_model", "scores"}
    assert steps["campaign"].code == "table_missing" and steps["campaign"].fields == {"table": "offers"}
    assert _ctx("zh").reason(steps["campaign"], views.campaign_view) == "数据中没有 offers 表。"


def test_notebook_steps_without_service_costs_use_gross_profit():
    """Without service costs, profit is gross profit. By hand for 2026Q3 = months 33, 34, 35 (P2 in August only):
    a line earns 100 + 10 i + j - 60, so customer i earns (73 + 10 i) + 2 (74 + 10 i) + (75 + 10 i) = 296 + 40 i,
    and the four customers 4 * 296 + 40 * (0 + 1 + 2 + 3) = 1424."""
    tx, customers, offers, _ = _region()
    steps = _steps(tx, customers, offers, None, "2026Q3", _report_params())
    assert not {"campaign", "kpis", "forecast", "lifetime", "watch", "winback"} & _unavailable(steps)
    assert steps["kpis"].set_index("quarter").loc["2026Q3", "existing_profit"] == pytest.approx(1424.0)


def test_notebook_steps_with_twelve_months_of_history():
    """12 months (2025-10 .. 2026-09): the forecast needs 2 * 12 + 3 = 27 months and is unavailable, saying so; the
    watch list runs with the trailing window cut to 12 - 3 = 9 months and ceil(6 * 9 / 12) = 5 orders in it."""
    tx, customers, offers, service = _region(months=12)
    steps = _steps(tx, customers, offers, service, "2026Q3", _report_params())
    assert "forecast" in _unavailable(steps)
    assert steps["forecast"].code == "short_history" and steps["forecast"].fields == {"needed": 27}
    assert "12 months of history (2025-10 to 2026-09)" in steps["forecast"].message
    assert not {"campaign", "response_rates", "pairs", "next_best", "lifetime", "watch", "kpis", "winback"} & _unavailable(steps)
    windows = steps["watch"].attrs["windows"]
    assert windows["trailing_months"] == 9 and windows["min_trailing_orders"] == 5


def test_notebook_steps_with_five_months_of_history_have_no_watch_list():
    """By hand: 5 months leave a trailing window of 5 - 3 = 2 months, shorter than the 3-month recent window."""
    tx, customers, offers, service = _region(months=5)
    steps = _steps(tx, customers, offers, service, "2026Q3", _report_params())
    assert steps["watch"].code == "short_history" and steps["watch"].fields == {"needed": 6}
    assert "5 months of history (2026-05 to 2026-09); the watch list needs at least 6 months" in steps["watch"].message
    assert not {"kpis", "winback", "response_rates"} & _unavailable(steps)


def test_notebook_steps_without_any_orders_name_the_missing_orders():
    tx, customers, offers, service = _region()
    steps = _steps(tx.iloc[0:0], customers, offers.iloc[0:0], service.iloc[0:0], "2026Q3", _report_params())
    assert steps["campaign"].code == "no_offers"
    assert all(steps[n].code == "no_orders" for n in ("pairs", "forecast", "watch", "kpis", "winback"))


def test_fit_response_model_without_offers_is_insufficient_and_offer_features_work_without_orders():
    """Feature definitions (FEATURE_DOCS): with no earlier order, tenure 0, no orders or categories, and
    months since the last order capped at 36."""
    customers = pd.DataFrame({"customer_id": ["A"], "size_band": ["small"], "market_type": ["producer"]})
    tx = pd.DataFrame(
        {
            "customer_id": pd.Series([], dtype="str"),
            "order_id": pd.Series([], dtype="str"),
            "order_date": pd.Series([], dtype="datetime64[ns]"),
            "product_id": pd.Series([], dtype="str"),
            "category": pd.Series([], dtype="str"),
            "quantity": pd.Series([], dtype="float64"),
            "revenue": pd.Series([], dtype="float64"),
        }
    )
    offers = pd.DataFrame(
        {
            "customer_id": ["A"],
            "offer_date": pd.to_datetime(["2025-05-01"]),
            "product_id": ["P1"],
            "channel": ["email"],
            "responded": [True],
        }
    )
    feats = dev.offer_features(offers, customers, tx)
    assert feats.loc[0, ["tenure_years", "orders_12m", "categories_12m", "months_since_last_order"]].tolist() == [0.0, 0.0, 0.0, 36.0]
    with pytest.raises(InsufficientDataError, match="no past offers on or before 2025-01-01"):
        dev.fit_response_model(offers, customers, tx, asof="2025-01-01")


def test_best_targets_within_budget_reports_zero_not_minus_zero_for_a_loss_segment():
    fc = pd.DataFrame({"segment": ["a"], "expected_profit": [-50.0], "expected_cost": [10.0], "customers": [5], "ranked": [True]})
    out = dev.best_targets_within_budget(fc, 100.0)
    assert out.loc[0, "contact_customers"] == 0
    assert not np.signbit(out.loc[0, "contact_profit_total"]) and not np.signbit(out.loc[0, "contact_cost_total"])


# --------------------------------------------------------------------------- 9. what managers read: summary, views, Chinese


def _plan(contacts=(0, 12, 0), ranked=(True, True, False)):
    """A campaign plan by hand: three target groups, the second chosen in part."""
    return pd.DataFrame(
        {
            "segment": ["large", "medium", "small"],
            "customers": [10, 40, 100],
            "offers": [30, 20, 4],
            "response_rate": [0.5, 0.3, 0.2],
            "response_rate_low": [0.3, 0.2, 0.05],
            "response_rate_high": [0.7, 0.4, 0.5],
            "volume": [1000.0, 500.0, 200.0],
            "cost_per_contact": [200.0, 50.0, 20.0],
            "profit_per_contact": [100.0, 80.0, 5.0],
            "roi": [0.5, 1.6, 0.25],
            "rank": pd.array([2, 1, pd.NA], dtype="Int64"),
            "ranked": list(ranked),
            "contact_customers": list(contacts),
            "contact_cost_total": [c * k for c, k in zip(contacts, (200.0, 50.0, 20.0), strict=True)],
            "contact_profit_total": [c * k for c, k in zip(contacts, (100.0, 80.0, 5.0), strict=True)],
        }
    )


def test_campaign_sentences_state_the_plan_by_hand():
    """Hand case: 12 medium customers at CNY 50 each (600) for CNY 80 each (960); the small group has 4 past offers."""
    assert rd.campaign_sentences(_plan(contacts=(0, 0, 0)), _ctx("en"), budget=600.0).startswith(
        "No target group is expected to make a profit"
    )
    none_ranked = _plan(contacts=(0, 0, 0), ranked=(False, False, False))
    assert rd.campaign_sentences(none_ranked, _ctx("en"), min_offers=10) == (
        "No target group has the 10 past offers needed to rank it: make more offers before planning a campaign."
    )
    assert rd.campaign_sentences(_plan(), _ctx("zh"), budget=600.0) == (
        "在 ¥600 的预算内，计划联系1 个目标客户群中的 12 家客户：预期供应成本 ¥600，预期利润 ¥960。 "
        "1 个以往推荐少于 10 次的目标客户群列出但不参与排名。"
    )


def test_headline_figures_and_advice_degrade_when_sections_are_missing():
    """Nothing computed: every figure is NaN and no action is invented; a losing plan says not to run it."""
    from custlib.reports.sections import Unavailable

    gone = Unavailable("no_orders")
    figures = rd.headline_figures(gone, gone, gone)
    assert len(figures) == 5 and figures["value"].isna().all() and rd.advice(_ctx("en"), gone, gone, gone, gone) == []
    assert rd.headline_figures(plan=_plan(contacts=(0, 0, 0)))["value"].iloc[4] == 0.0
    assert rd.advice(_ctx("en"), plan=_plan(contacts=(0, 0, 0))) == [
        "Do not run the development campaign as planned: no target group is expected to make a profit from it."
    ]


def test_every_table_of_a_full_run_reads_as_words_and_fits_the_page():
    """Every table of the notebook's steps on the tiny region of _region: readable headers (no column codes), at most
    11 columns, in Chinese every header translated (MASE aside); the odds ratios with their reference groups."""
    from custlib.present.development import views

    tx, customers, offers, service = _region(n=6)
    steps = _steps(tx, customers, offers, service, "2026Q3", _report_params())
    shown = {
        "campaign": views.campaign_view,
        "response_rates": views.response_rates_view,
        "pairs": views.pairs_view,
        "next_best": views.next_best_view,
        "kpis": views.kpis_view,
        "watch": views.watch_view,
        "winback": views.winback_view,
        "forecast": views.backtest_view,
    }
    for lang in ("en", "zh"):
        for name, view in shown.items():
            frame = view(steps[name], _ctx(lang)).frame
            assert frame.shape[1] <= 11 and all("_" not in str(c) for c in frame.columns), (name, list(frame.columns))
            if lang == "zh":
                english = [c for c in frame.columns if str(c).isascii() and c != "MASE"]
                assert not english, (name, english)
    stub = type(
        "M",
        (),
        {
            "reference_": {"channel": "email"},
            "odds_ratios_": pd.DataFrame(
                {
                    "feature": ["const", "tenure_years", "channel=visit"],
                    "odds_ratio": [0.1, 2.0, 0.5],
                    "or_low": [0.01, 1.2, 0.2],
                    "or_high": [0.5, 3.0, 1.5],
                    "p_value": [0.01, 0.0004, 0.2],
                }
            ),
        },
    )()
    assert views.odds_ratios_view(stub, _ctx("en")).frame.to_dict("list") == {
        "Feature": ["Years as a customer", "Channel: Visit (against Email)"],
        "Odds ratio": [2.0, 0.5],
        "Likely range": ["1.20 – 3.00", "0.20 – 1.50"],
        "p-value": ["< 0.001", "0.200"],
        "Reading": ["More likely to respond", "Not conclusive"],
    }


# --------------------------------------------------------------------------- views and charts (custlib.present.development)


def _ctx(lang="en", top_n=15):
    from custlib.io.periods import Quarter
    from custlib.reports.context import ReportContext

    return ReportContext("East", Quarter.parse("2026Q3"), {"report": {"top_n": top_n, "currency": "CNY"}}, None, lang)


def test_campaign_view_labels_groups_and_ranges_in_each_language():
    """The plan's codes as labels: size band 'medium' reads 'Medium' / '中型'; the rate range 20%-40% as one cell."""
    from custlib.present.development import views

    en = views.campaign_view(_plan(), _ctx("en"))
    assert en.frame["Target group"].tolist() == ["Large", "Medium", "Small"]
    assert en.frame["Likely range"].iloc[1] == "20.0% – 40.0%"
    assert en.kinds["ROI"] == "percent" and en.kinds["Cost per contact"] == "money"
    zh = views.campaign_view(_plan(), _ctx("zh"))
    assert zh.frame["目标客户群"].tolist() == ["大型", "中型", "小型"]
    assert zh.frame["可能范围"].iloc[1] == "20.0% 至 40.0%"
    assert "反应率" in zh.frame.columns and "每次联系的供应成本" in zh.frame.columns


def test_pairs_view_shows_each_pair_once_and_cuts_to_top_n_with_a_caption():
    """Hand case as the old report: 8 rules = 4 pairs; eggs -> milk (confidence 1) beats milk -> eggs (1/3)."""
    from custlib.present.development import views

    tv = views.pairs_view(dev.co_purchase(_baskets(), min_count=1), _ctx("en", top_n=2))
    assert tv.frame.columns.tolist() == ["Product", "Goes with", "Orders with both", "Support", "Confidence", "Lift"]
    assert tv.frame[["Product", "Goes with"]].to_numpy().tolist() == [["eggs", "milk"], ["butter", "bread"]]
    assert tv.caption == "The first 2 of 4 pairs"
    assert views.pairs_view(dev.co_purchase(_baskets(), min_count=1), _ctx("zh", top_n=2)).caption == "共 4 对，显示前 2 对"


def test_category_pairs_name_the_sample_categories_in_the_reports_language_and_keep_other_values():
    """Baskets {Fasteners, Tools} twice and {Fasteners, Widgets}: the sample's categories read 紧固件 / 工具 in Chinese,
    a category the catalogue does not know (Widgets) is data and stays as the data spells it."""
    from custlib.present.development import views

    tx = pd.DataFrame(
        [("b1", "Fasteners"), ("b1", "Tools"), ("b2", "Fasteners"), ("b2", "Tools"), ("b3", "Fasteners"), ("b3", "Widgets")],
        columns=["order_id", "category"],
    )
    pairs = dev.co_purchase(tx, item_col="category", min_count=1)
    zh = views.pairs_view(pairs, _ctx("zh"), item="category").frame
    en = views.pairs_view(pairs, _ctx("en"), item="category").frame
    assert {frozenset(r) for r in zh[["品类", "搭配"]].to_numpy().tolist()} == {
        frozenset({"紧固件", "工具"}),
        frozenset({"紧固件", "Widgets"}),
    }
    assert {frozenset(r) for r in en[["Category", "Goes with"]].to_numpy().tolist()} == {
        frozenset({"Fasteners", "Tools"}),
        frozenset({"Fasteners", "Widgets"}),
    }


def test_watch_and_kpi_views_translate_headers_and_keep_numbers():
    from custlib.present.development import views

    watch = dev.early_warning(_warning_data(), asof="2025-12-31")
    tv = views.watch_view(watch, _ctx("zh"))
    assert tv.caption == "预警名单上有 3 家客户"
    assert tv.frame["产品线（之前 → 最近）"].tolist()[2] == "5 → 2"
    kpis = views.kpis_view(dev.development_kpis(_kpi_tx(), quarter="2025Q2", n_quarters=2, trend_quarters=2), _ctx("en"))
    gain = "Profit added by the customers won in the year"
    assert kpis.kinds[gain] == "money" and kpis.frame[gain].iloc[-1] == 60 and kpis.frame["Customers won in the year"].iloc[-1] == 2


def test_odds_ratios_view_reads_each_interval():
    """Simulated coefficients (x1 +0.8, x2 -0.5): x1 reads more likely, x2 less likely; band b against the reference a."""
    from custlib.present.development import views

    X, y, _ = _simulated_offers()
    m = dev.ResponseModel(numeric=("x1", "x2"), categorical=("band",), seed=5).fit(X, y)
    tv = views.odds_ratios_view(m, _ctx("en")).frame.set_index("Feature")
    assert tv.loc["x1", "Reading"] == "More likely to respond" and tv.loc["x2", "Reading"] == "Less likely to respond"
    assert "band: b (against a)" in tv.index


def test_charts_take_their_words_from_the_catalogue():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from custlib.present.development import charts

    y, _, _ = _seasonal_series()
    ax = charts.forecast_chart(dev.forecast_series(y, horizon=6, n_origins=1, models=[]), _ctx("zh"))
    assert ax.get_title() == "月度销售收入与预测（季节性朴素预测）" and ax.get_ylabel() == "月销售收入"
    X, yy, _ = _simulated_offers()
    m = dev.ResponseModel(numeric=("x1", "x2"), categorical=("band",), seed=5).fit(X, yy)
    ax = charts.gains_chart(m, _ctx("en"))
    assert ax.get_title().startswith("Cumulative gains on the holdout (AUC 0.")
    plt.close("all")


def test_a_development_reason_is_said_in_the_report_language():
    from custlib.present.development import views
    from custlib.reports.sections import compute

    result = compute(dev.forecast_series, pd.Series(np.arange(20.0), index=pd.date_range("2024-01-01", periods=20, freq="MS")))
    assert result.code == "short_history" and result.fields == {"needed": 27}
    assert _ctx("zh").reason(result, views.backtest_view) == "至少需要 27 个月的订单历史。"


# --------------------------------------------------------------------------- report rules (custlib.reports.development)


def _watch2():
    return pd.DataFrame({"trailing_avg_revenue": [100.0, 50.0], "recent_avg_revenue": [40.0, 60.0]})


def test_report_headline_figures_by_hand():
    """Same known answer as the old report: KPI hand case 2025Q2 (existing revenue 280 against 150, share 280/310,
    one new customer), a two-customer watch list and the hand plan (12 medium customers for CNY 80 each = 960)."""
    from custlib.reports import development as rd

    kpis = dev.development_kpis(_kpi_tx(), quarter="2025Q2", n_quarters=2, trend_quarters=2)
    figures = rd.headline_figures(kpis, _watch2(), _plan())
    assert figures["figure"].tolist() == [
        "Revenue from existing customers",
        "Existing customers' share of revenue",
        "New customers",
        "Customers on the watch list",
        "Expected profit of the campaign plan",
    ]
    np.testing.assert_allclose(figures["value"], [280.0, 280 / 310, 1.0, 2.0, 960.0])
    np.testing.assert_allclose(figures["previous"], [150.0, 150 / 200, 1.0, np.nan, np.nan])
    assert figures["good"].tolist() == ["up", "up", "up", "down", "up"]
    from custlib.reports.sections import Unavailable

    assert rd.headline_figures(Unavailable("no_orders"), None, None)["value"].isna().all()


def test_the_summarys_forecast_is_the_forecast_sections_next_quarter():
    """Rule next_quarter_forecast: the summary's figure and its interval are the numbers the forecast section says,
    written the same; without a forecast (or a horizon under a quarter) the figure is unknown and the sentence absent."""
    from custlib.present.headlines import interval_html, value_text
    from custlib.reports import development as rd
    from custlib.reports.sections import Unavailable

    y, _, _ = _seasonal_series()
    res = dev.forecast_series(y, horizon=6, n_origins=1, models=[])
    ctx = _ctx("en")
    row = rd.headline_figures(None, None, None, res).iloc[-1]
    assert row["figure"] == "Revenue forecast for next quarter" and row["unit"] == "money"
    nxt = res.next_quarter
    assert (row["value"], row["lower"], row["upper"], row["level"]) == (nxt["mean"], nxt["lower"], nxt["upper"], 0.9)
    said = rd.next_quarter_forecast(res, ctx)
    f = ctx.fmt
    assert said == (
        f"Next quarter (2025Q1) the region's revenue is forecast at {f.money(nxt['mean'])} "
        f"(90% prediction interval {f.money(nxt['lower'])} to {f.money(nxt['upper'])})."
    )
    assert value_text(row["value"], "money", f) in said
    line = interval_html(row.to_dict(), "money", ctx.t, f)
    assert f"90% prediction interval: {f.money(nxt['lower'])} to {f.money(nxt['upper'])}" in line
    assert rd.forecast_sentence(res, ctx).endswith(said)
    assert "预测区间" in rd.next_quarter_forecast(res, _ctx("zh"))
    # not firing: no forecast, or no whole quarter in the horizon
    gone = Unavailable("short_history")
    assert rd.next_quarter_forecast(gone, ctx) is None
    assert np.isnan(rd.headline_figures(None, None, None, gone)["value"].iloc[-1])
    short = dev.forecast_series(y, horizon=2, n_origins=1, models=[])
    assert rd.next_quarter_forecast(short, ctx) is None and np.isnan(rd.headline_figures(forecast=short)["value"].iloc[-1])
    assert "Next quarter" not in rd.forecast_sentence(short, ctx)
    assert interval_html({"lower": float("nan"), "upper": 1.0, "level": 0.9}, "money", ctx.t, f) == ""


def test_rule_visit_watch_list_fires_on_a_watch_list_only():
    from custlib.reports import development as rd

    assert rd.visit_watch_list(_watch2(), _ctx("en")) == (
        "Visit the 2 customers on the watch list before the relationship breaks, from the top of the list: "
        "together they buy CN¥60 a month less than they used to."
    )
    assert rd.visit_watch_list(_watch2().iloc[0:0], _ctx("en")) is None
    assert "预警名单上的 2 家客户" in rd.visit_watch_list(_watch2(), _ctx("zh"))


def test_rules_run_or_do_not_run_the_campaign():
    from custlib.reports import development as rd

    assert rd.run_campaign(_plan(), _ctx("en")) == (
        "Run the development campaign on the 12 customers the plan contacts within the budget: expected profit CN¥960."
    )
    assert rd.run_campaign(_plan(contacts=(0, 0, 0)), _ctx("en")) is None
    assert rd.do_not_run_campaign(_plan(contacts=(0, 0, 0)), _ctx("en")).startswith("Do not run the development campaign")
    assert rd.do_not_run_campaign(_plan(), _ctx("en")) is None
    assert rd.do_not_run_campaign(_plan(contacts=(0, 0, 0), ranked=(False, False, False)), _ctx("en")) is None


def test_rule_move_to_acquisition_fires_when_customers_won_in_the_year_added_more():
    """KPI hand case (see test_development_kpis_by_hand): against 2024Q2 the 2 customers won since added 60, the customers
    of 2024Q2 40: it fires, naming both gains. The old unlike comparison (existing customers' change 80 against new
    customers' level 20) said the opposite."""
    from custlib.reports import development as rd

    kpis = dev.development_kpis(_kpi_tx(), quarter="2025Q2", n_quarters=2, trend_quarters=2)
    assert rd.move_to_acquisition(kpis, _ctx("en")) == (
        "Against 2024Q2, the 2 customers won since then added CN¥60 of profit this quarter while the customers of 2024Q2 "
        "changed theirs by +CN¥40: acquisition returned more, so consider moving sales effort to winning new customers."
    )
    assert "考虑把销售力量转向开发新客户" in rd.move_to_acquisition(kpis, _ctx("zh"))


def test_rule_move_to_acquisition_does_not_fire_without_a_like_for_like_case():
    """Not firing: development added as much (A's 2025Q2 profit doubled: +140 against +60); no customer won in the year
    (CDNOW-like: everyone bought in the data's first quarter), even with the customers of a year earlier losing profit;
    acquisition adding nothing or losing (a cost to serve of a prospect); no quarter a year earlier (NaN, not 0)."""
    from custlib.reports import development as rd

    more = _kpi_tx()
    more.loc[3, "revenue"] = 300.0  # A in 2025Q2: profit 300 - 120 = 180, +140 on 2024Q2
    kpis = dev.development_kpis(more, quarter="2025Q2", n_quarters=2, trend_quarters=2)
    assert (kpis["development_gain"].iloc[-1], kpis["acquisition_gain"].iloc[-1]) == (140.0, 60.0)
    assert rd.move_to_acquisition(kpis, _ctx("en")) is None
    cohort = _kpi_tx().assign(order_date=lambda t: t["order_date"].where(t["customer_id"] == "A", pd.Timestamp("2024-02-12")))
    kpis = dev.development_kpis(cohort, quarter="2025Q2", n_quarters=2, trend_quarters=2)  # B and C bought first in 2024Q1
    assert kpis["acquired_customers"].iloc[-1] == 0 and kpis["development_gain"].iloc[-1] == 40.0
    assert rd.move_to_acquisition(kpis, _ctx("en")) is None
    made_up = kpis.assign(acquisition_gain=[0.0, 0.0], acquired_customers=[1.0, 1.0], development_gain=[-50.0, -50.0])
    assert rd.move_to_acquisition(made_up, _ctx("en")) is None  # acquisition added nothing
    assert rd.move_to_acquisition(made_up.assign(acquisition_gain=-5.0), _ctx("en")) is None  # served prospects, no order
    early = dev.development_kpis(_kpi_tx(), quarter="2024Q4", n_quarters=2, trend_quarters=2)  # base 2023Q4: before the data
    assert early["development_gain"].isna().all() and early["acquired_customers"].isna().all()
    assert rd.move_to_acquisition(early, _ctx("en")) is None
    assert rd.move_to_acquisition(None, _ctx("en")) is None


def test_rule_call_winback_and_keep_plan():
    from custlib.reports import development as rd

    wb = pd.DataFrame({"past_profit": [300.0, 200.0]})
    assert rd.call_winback(wb, _ctx("en")) == (
        "Call the 2 lapsed customers worth winning back: in their last active year they brought CN¥500 of profit."
    )
    assert rd.call_winback(wb.iloc[0:0], _ctx("en")) is None
    more = _kpi_tx()
    more.loc[3, "revenue"] = 300.0  # development added more than acquisition: move_to_acquisition stays silent
    kpis = dev.development_kpis(more, quarter="2025Q2", n_quarters=2, trend_quarters=2)
    nobody = _plan(contacts=(0, 0, 0), ranked=(False, False, False))  # no group ranked: no campaign to run or to drop
    assert rd.advice(_ctx("en"), kpis=kpis, watch=_watch2().iloc[0:0], plan=nobody, winback=wb.iloc[0:0]) == [
        "No customer is slipping and no campaign or win-back call is due: keep the current plan."
    ]
    # not firing: an unknown watch list, plan or win-back list is no "nothing to do"
    assert rd.advice(_ctx("en"), kpis=kpis, watch=_watch2().iloc[0:0]) == []
    assert rd.keep_plan(None, None, None, _ctx("en")) is None and rd.advice(_ctx("en")) == []
    assert len(rd.advice(_ctx("zh"), kpis, _watch2(), _plan(), wb)) == 3


def test_report_sentences_by_hand():
    """The plan, KPI and forecast sentences with the old report's numbers, in the locale's formats."""
    from custlib.reports import development as rd

    assert rd.campaign_sentences(_plan(), _ctx("en"), budget=600.0) == (
        "Within the budget of CN¥600 the plan contacts 12 customers in 1 target group: expected provision cost CN¥600, "
        "expected profit CN¥960. 1 target group with fewer than 10 past offers is shown but not ranked."
    )
    kpis = dev.development_kpis(_kpi_tx(), quarter="2025Q2", n_quarters=2, trend_quarters=2)
    text = rd.kpi_sentences(kpis, _ctx("en"))
    assert "existing customers bought CN¥280" in text and "90% of all revenue" in text
    assert "Against 2024Q2, the customers of 2024Q2 changed their profit by +CN¥40 and the 2 customers won since then by +CN¥60" in text
    assert text.endswith("acquisition returned more this quarter.")
    assert "2 quarters of year-on-year growth are running." in text
    y, _, _ = _seasonal_series()
    assert "季节性朴素" in rd.forecast_sentence(dev.forecast_series(y, horizon=6, n_origins=1, models=[]), _ctx("zh"))


def test_views_say_when_service_costs_are_missing_or_the_watch_windows_were_shortened():
    """Without a cost-to-serve table the KPI and campaign tables say profit is gross profit; a watch list made on
    12 months of history says its trailing window is 9 months instead of 12, with 5 orders (as computed above)."""
    from dataclasses import replace

    from custlib.present.development import views

    tx, customers, offers, _ = _region(months=12)
    params = _report_params()
    steps = _steps(tx, customers, offers, None, "2026Q3", params)
    ctx = replace(_ctx("en"), params={**params, "report": {"top_n": 15}}, data=type("D", (), {"service_costs": None})())
    assert views.kpis_view(steps["kpis"], ctx).caption.startswith("The data has no service costs: profit is gross profit")
    assert views.campaign_view(steps["campaign"], ctx).caption.startswith("The data has no service costs")
    caption = views.watch_view(steps["watch"], ctx).caption
    assert "usual revenue is the average of 9 months instead of 12, and a customer needs 5 orders" in caption
    assert views.kpis_view(steps["kpis"], _ctx("en")).caption is None


@pytest.mark.e2e
def test_the_rendered_summary_shows_the_forecast_sections_next_quarter(tmp_path):
    """As a reader: the development report's summary figure for next quarter, and its interval, are the numbers the
    forecast section's sentence gives."""
    import html as html_lib
    import re
    from pathlib import Path

    from custlib.io.sample import generate_sample
    from custlib.run.runner import render

    generate_sample(tmp_path / "data", customers=300, regions=2, seed=42)
    root = Path(__file__).resolve().parent.parent
    res = render(
        tmp_path / "data",
        regions="East",
        notebooks="03_forecast_development",
        out=tmp_path / "out",
        params_dir=root / "params",
        progress=False,
    )
    assert not res.failed, [(o.notebook, o.error) for o in res.failed]
    text = html_lib.unescape((Path(res.out_dir) / "east" / "03_forecast_development.html").read_text(encoding="utf-8"))
    figure = re.search(
        r'<div class="value">([^<]+)</div><div class="label">Revenue forecast for next quarter</div>'
        r'<div class="delta interval">90% prediction interval: ([^<]+) to ([^<]+)</div>',
        text,
    )
    assert figure, "the summary has the forecast with its interval"
    value, lower, upper = figure.groups()
    sentence = re.search(
        r"Next quarter \((\d{4}Q\d)\) the region's revenue is forecast at ([^ ]+) \(90% prediction interval ([^ ]+) to ([^)]+)\)", text
    )
    assert sentence and sentence.group(1) == "2026Q4"
    assert sentence.groups()[1:] == (value, lower, upper)
