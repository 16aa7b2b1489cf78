"""The lifetime value models on the search limit and what a report may say about an inactive customer (custlib.analysis.clv).

Known answers: closed forms worked by hand, the models' definitions integrated numerically, data simulated
from the limit models with known parameters, and the CDNOW 1/10 sample with the estimates Fader, Hardie &
Lee (2005) published for it (r = 0.243, alpha = 4.414, a = 0.793, b = 2.426) against what the same
customers bought in the 39 holdout weeks (1997-10-01..1998-06-30).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special

from custlib.analysis import clv
from custlib.analysis.clv import fitting
from custlib.analysis.development.early_warning import purchase_outlook
from custlib.present import clv as views
from custlib.present.development import views as dev_views
from tests.test_clv import FHL_BGNBD, fixed_bgnbd, fixed_gamma_gamma, report_ctx, simulate_bgnbd


def _fit_warnings(fit) -> tuple[object, list]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = fit()
    return model, [w.message for w in caught if isinstance(w.message, fitting.FitWarning)]


# --------------------------------------------------------------------------- BG/NBD limits


def test_common_dropout_formulas_by_hand_and_from_the_definition():
    """One dropout probability p for all (the limit of Beta(a, b) at a point), r = 0.5, alpha = 4, p = 0.1.

    Customer x = 3, t_x = 20, T = 40: P(alive) = 1 / (1 + p/(1-p) (44/24)^3.5) (a/(b+x-1) -> p/(1-p));
    E[Y(10)] = P(alive) (1 - (44/(44 + 0.1 * 10))^3.5) / 0.1. A new customer: E[X(t)] integrates
    (1 - exp(-lambda p t)) / p (FHL 2005, eq. 2) over lambda ~ Gamma(0.5, 4) numerically.
    """
    model = fixed_bgnbd(r=0.5, alpha=4.0, p=0.1)
    alive = 1 / (1 + 0.1 / 0.9 * (44 / 24) ** 3.5)
    assert model.probability_alive(3, 20.0, 40.0) == pytest.approx(alive, rel=1e-12)
    assert model.probability_alive(0, 0.0, 40.0) == 1.0
    assert model.conditional_expected_purchases(10.0, 3, 20.0, 40.0) == pytest.approx(alive * (1 - (44 / 45) ** 3.5) / 0.1, rel=1e-12)
    for t in (1.0, 26.0, 300.0):
        ref, _ = integrate.quad(lambda lam, t=t: -np.expm1(-lam * 0.1 * t) / 0.1 * np.exp(-4.0 * lam) * lam**-0.5, 0, np.inf)
        ref *= 4.0**0.5 / special.gamma(0.5)
        assert model.expected_purchases(t) == pytest.approx(ref, rel=1e-7)


def test_common_dropout_is_the_limit_of_the_bgnbd_probability_alive():
    """P(alive) of the BG/NBD with a = p K, b = (1 - p) K tends to the common-dropout one as K grows (error ~ 1/K)."""
    x, tx, big_t = np.array([0, 1, 3, 10]), np.array([0.0, 5.0, 20.0, 30.0]), np.full(4, 40.0)
    limit = np.asarray(fixed_bgnbd(r=0.6, alpha=5.0, p=0.1).probability_alive(x, tx, big_t))
    for k in (1e4, 1e8):
        full = np.asarray(fixed_bgnbd(r=0.6, alpha=5.0, a=0.1 * k, b=0.9 * k).probability_alive(x, tx, big_t))
        np.testing.assert_allclose(full, limit, rtol=100 / k)


def test_no_dropout_limit_is_the_nbd_by_hand():
    """The NBD (Ehrenberg 1959): E[X(t)] = r t / alpha, E[Y(t) | x, T] = (r + x) t / (alpha + T), everyone alive."""
    model = fixed_bgnbd(r=0.5, alpha=4.0)
    assert model.expected_purchases(8.0) == pytest.approx(1.0)
    assert model.conditional_expected_purchases(10.0, 3, 20.0, 40.0) == pytest.approx(3.5 * 10 / 44)
    assert model.probability_alive(3, 20.0, 40.0) == 1.0
    assert np.isnan(model.probability_active(3, 20.0, 40.0))


def test_fit_bgnbd_falls_back_to_one_dropout_probability_and_recovers_it():
    """2,000 customers simulated with one dropout probability p = 0.05 for all (Beta(a, b) with a + b = 1e8),
    r = 2, alpha = 4, ages 52-104 weeks: the full fit runs along a, b -> infinity to the search limit of b;
    the model falls back to the common-dropout limit, says so once, and recovers r, alpha and p within
    three standard errors; the limit fits at least as well as the full fit on the limit."""
    s = simulate_bgnbd(2000, 2.0, 4.0, 0.05e8, 0.95e8, seed=1, t_min=52.0, t_max=104.0)
    model, said = _fit_warnings(lambda: clv.fit_bgnbd(s["frequency"], s["recency"], s["T"]))
    assert model.variant_ == "common_dropout" and list(model.params) == ["r", "alpha", "p"]
    assert [w.code for w in said] == ["fallback"] and said[0].fields["p"] == pytest.approx(model.params["p"])
    assert "b" in model.fallback_["at_bounds"] and model.log_likelihood >= model.fallback_["log_likelihood"]
    for key, truth in {"r": 2.0, "alpha": 4.0, "p": 0.05}.items():
        assert abs(model.params[key] - truth) < 3 * model.standard_errors[key], key
    table = model.summary()
    assert table["parameter"].tolist() == ["r", "alpha", "p"] and table["std_error"].notna().all()


def test_fit_bgnbd_keeps_the_full_model_when_the_beta_is_identified(simulated_bgnbd):
    """The simulated BG/NBD of test_clv (a = 1.2, b = 3): no fallback, no search limit, no fit warning."""
    s = simulated_bgnbd
    model, said = _fit_warnings(lambda: clv.fit_bgnbd(s["frequency"], s["recency"], s["T"]))
    assert model.variant_ == "BetaGeoModel" and model.fallback_ is None and said == []


@pytest.fixture(scope="module")
def simulated_bgnbd():
    return simulate_bgnbd(4000, r=0.6, alpha=5.0, a=1.2, b=3.0, seed=20240501, holdout=26.0)


# --------------------------------------------------------------------------- P(active) and the chance of a purchase


def test_probability_active_is_blank_where_the_bgnbd_cannot_tell():
    """FHL (2005) estimates: x = 0 gives P(alive) = 1 whatever T (dropout only follows a repeat purchase), so
    probability active is NaN; a lapsed customer with one repeat purchase in week 2 of 38.86 has
    P(alive) = 1 / (1 + 0.793/2.426 (43.274/6.414)^1.243) = 0.22187 (by hand)."""
    model = fixed_bgnbd(**FHL_BGNBD)
    got = np.asarray(model.probability_active([0, 0, 1], [0.0, 0.0, 2.0], [5.0, 80.0, 38.86]))
    assert np.isnan(got[:2]).all()
    assert got[2] == pytest.approx(0.2218709, abs=5e-7)
    assert got[2] == model.probability_alive(1, 2.0, 38.86)


def test_probability_of_purchase_by_hand():
    """FHL (2005) estimates, the next 39 weeks. A one-time buyer of age 38.86: P(alive) = 1 and the rate given the
    history is Gamma(0.243, 43.274), so P(buy) = 1 - (43.274/82.274)^0.243 = 0.14455; the lapsed customer above:
    0.22187 (1 - (43.274/82.274)^1.243) = 0.12204. The NBD and the common-dropout limit use the same form."""
    model = fixed_bgnbd(**FHL_BGNBD)
    got = np.asarray(model.probability_of_purchase(39.0, [0, 1], [0.0, 2.0], [38.86, 38.86]))
    np.testing.assert_allclose(got, [0.1445505, 0.1220413], atol=5e-7)
    nbd = fixed_bgnbd(r=0.5, alpha=4.0)
    assert nbd.probability_of_purchase(10.0, 3, 20.0, 40.0) == pytest.approx(1 - (44 / 54) ** 3.5)
    assert model.probability_of_purchase(0.0, 2, 30.43, 38.86) == 0.0


def test_probability_of_purchase_averages_to_the_share_who_bought_in_simulation(simulated_bgnbd):
    """With the true parameters, the mean P(at least one purchase in the 26 holdout weeks) equals the share of
    simulated customers who bought in them (law of total expectation), overall and for one-time buyers, within 4 SE."""
    s = simulated_bgnbd
    model = fixed_bgnbd(r=0.6, alpha=5.0, a=1.2, b=3.0)
    p = np.asarray(model.probability_of_purchase(26.0, s["frequency"], s["recency"], s["T"]))
    bought = s["holdout"].to_numpy() > 0
    for mask in (np.ones(len(s), bool), s["frequency"].to_numpy() == 0):
        se = np.sqrt(p[mask].mean() * (1 - p[mask].mean()) / mask.sum())
        assert abs(p[mask].mean() - bought[mask].mean()) < 4 * se


def _cdnow_split():
    raw = pd.read_csv(
        "tests/data/cdnow_sample.txt.gz",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "cds", "value"],
        dtype={"master_id": "str", "customer_id": "str", "date": "str"},
    )
    tx = pd.DataFrame(
        {"customer_id": raw["customer_id"], "order_date": pd.to_datetime(raw["date"], format="%Y%m%d"), "revenue": raw["value"]}
    )
    return clv.calibration_holdout_summary(tx, calibration_end="1997-09-30", holdout_end="1998-06-30")


def test_cdnow_lapsed_customers_probability_active_against_what_they_bought_next():
    """CDNOW 1/10 sample, FHL (2005) estimates, 39 calibration and 39 holdout weeks.

    - The 1,411 customers without a repeat purchase: the BG/NBD says P(alive) = 1 for every one, yet the chance of a
      purchase in the holdout it implies averages 16.1%, and 13.7% bought: within 3 binomial standard errors. A
      probability active of 100% is no outlook, so the report shows none for them (NaN), and the chance instead.
    - The 235 lapsed customers with one repeat purchase in the first 10 weeks: mean P(active) 0.32, above the share
      who bought again (0.26, a lower bound of the share alive); the implied chance of a purchase (0.19) is within
      3 standard errors of that share.
    """
    split = _cdnow_split()
    model = fixed_bgnbd(**FHL_BGNBD)
    x, tx, big_t = (split[c].to_numpy() for c in ("frequency", "recency", "T"))
    bought = split["frequency_holdout"].to_numpy() > 0
    alive = np.asarray(model.probability_alive(x, tx, big_t))
    active = np.asarray(model.probability_active(x, tx, big_t))
    chance = np.asarray(model.probability_of_purchase(39.0, x, tx, big_t))
    once = x == 0
    assert once.sum() == 1411 and (alive[once] == 1.0).all() and np.isnan(active[once]).all()
    assert chance[once].mean() == pytest.approx(0.161, abs=5e-4) and bought[once].mean() == pytest.approx(0.137, abs=5e-4)
    lapsed = (x == 1) & (tx <= 10.0)
    assert lapsed.sum() == 235
    assert active[lapsed].mean() == pytest.approx(0.322, abs=5e-4) and bought[lapsed].mean() == pytest.approx(0.26, abs=5e-3)
    assert active[lapsed].mean() >= bought[lapsed].mean()
    for group in (once, lapsed):
        p = chance[group].mean()
        assert abs(bought[group].mean() - p) < 3 * np.sqrt(p * (1 - p) / group.sum())


# --------------------------------------------------------------------------- Gamma-Gamma limits


def test_gamma_gamma_limits_by_hand():
    """Common spend rate: every customer's expected spend is the mean; no spread within a customer: their own mean.
    Both are the limits of the posterior mean p (gamma + x m) / (p x + q - 1) (Fader & Hardie 2013): q, gamma -> inf
    at q / gamma = nu gives p / nu; p -> inf at p gamma = delta gives m."""
    common = fixed_gamma_gamma(p=3.0, mean=150.0)
    np.testing.assert_allclose(common.conditional_expected_value([0, 2, 5], [0.0, 90.0, 400.0]), 150.0)
    assert common.population_mean_value() == 150.0
    own = fixed_gamma_gamma(q=3.0, delta=200.0)
    np.testing.assert_allclose(own.conditional_expected_value([0, 2, 5], [0.0, 90.0, 400.0]), [100.0, 90.0, 400.0])
    k = 1e9
    near_common = fixed_gamma_gamma(p=3.0, q=k, gamma=k / 0.02)
    np.testing.assert_allclose(near_common.conditional_expected_value([2, 5], [90.0, 400.0]), 150.0, rtol=1e-6)
    near_own = fixed_gamma_gamma(p=k, q=3.0, gamma=200.0 / k)
    np.testing.assert_allclose(near_own.conditional_expected_value([2, 5], [90.0, 400.0]), [90.0, 400.0], rtol=1e-6)


def test_fit_gamma_gamma_falls_back_to_one_spend_rate_and_recovers_the_mean():
    """3,000 customers whose transactions are all Gamma(3, rate 0.02) (mean 150, one nu for all), 1 + Poisson(4)
    of them each: q and gamma run to the search limit, the fit falls back to the common spend rate, says so once,
    and recovers p and the mean within three standard errors."""
    rng = np.random.default_rng(11)
    x = 1 + rng.poisson(4.0, 3000)
    m = np.array([rng.gamma(3.0, 1 / 0.02, k).mean() for k in x])
    model, said = _fit_warnings(lambda: clv.fit_gamma_gamma(x, m))
    assert model.variant_ == "common_spend" and [w.code for w in said] == ["fallback"]
    for key, truth in {"p": 3.0, "mean": 150.0}.items():
        assert abs(model.params[key] - truth) < 3 * model.standard_errors[key], key


def test_fit_gamma_gamma_falls_back_to_each_customers_own_spend():
    """1,000 customers who spend the same amount every time, that amount inverse-Gamma(3, 200) across customers:
    p runs to the search limit, the fit falls back to no spread within a customer and recovers q and delta."""
    rng = np.random.default_rng(12)
    x = 1 + rng.poisson(2.0, 1000)
    m = 200.0 / rng.gamma(3.0, 1.0, 1000)  # inverse-Gamma(q = 3, delta = 200)
    model, said = _fit_warnings(lambda: clv.fit_gamma_gamma(x, m))
    assert model.variant_ == "own_spend" and [w.code for w in said] == ["fallback"]
    for key, truth in {"q": 3.0, "delta": 200.0}.items():
        assert abs(model.params[key] - truth) < 3 * model.standard_errors[key], key
    np.testing.assert_allclose(model.conditional_expected_value(x[:5], m[:5]), m[:5])


# --------------------------------------------------------------------------- what the report says


def _orders_from(sim: pd.DataFrame, seed: int = 3) -> pd.DataFrame:
    """Daily orders of simulated BG/NBD customers: first purchase on day 0 of a 104-week year pair, repeats at
    the simulated times (rounded to days, so same-day repeats merge), spend Gamma(5, 20), cost 60%."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-01-02")
    rows = []
    for i, (x, tx, big_t) in enumerate(sim[["frequency", "recency", "T"]].itertuples(index=False)):
        first = start + pd.Timedelta(days=int(round((104.0 - big_t) * 7)))
        days = sorted({0, *np.round(np.sort(rng.uniform(0, tx, max(x - 1, 0))) * 7).astype(int).tolist(), int(round(tx * 7))})
        for d in days:
            rows.append({"customer_id": f"C{i:05d}", "order_date": first + pd.Timedelta(days=d), "revenue": float(rng.gamma(5.0, 20.0))})
    out = pd.DataFrame(rows)
    return out.assign(cost=out["revenue"] * 0.6)


def test_lifetime_value_analysis_says_the_fallback_once_in_both_languages():
    """Orders of 2,000 customers with one dropout probability (5%) for all: one note, in English and Chinese, that one
    chance is used for all, with its value; no search-limit note; the CLV table leaves probability active blank
    for one-time buyers and says why."""
    sim = simulate_bgnbd(2000, 2.0, 4.0, 0.05e8, 0.95e8, seed=2, t_min=52.0, t_max=104.0)
    res = clv.lifetime_value_analysis(_orders_from(sim), "2024-12-29", holdout_periods=26)
    assert [(n.code, n.fields["variant"]) for n in res.notes if n.code == "fallback"] == [("fallback", "common_dropout")]
    assert not [n for n in res.notes if n.code == "search_limit"]
    p = res.bgnbd.params["p"]
    en = " ".join(views.note_texts(res, report_ctx("en")))
    assert f"{100 * p:.1f}% of customers stop after each repeat purchase" in en and en.count("Purchase model (BG/NBD)") == 1
    zh = " ".join(views.note_texts(res, report_ctx("zh")))
    assert "对所有客户使用同一个概率" in zh and f"{100 * p:.1f}%" in zh
    table = views.customers_view(res, report_ctx("en"), top=len(res.customers))
    assert "Probability active is blank for customers who have bought on one day only" in table.caption


def test_development_lists_show_the_chance_of_an_order_and_say_why_probability_active_is_blank():
    """A win-back list with a one-time buyer: probability active blank, the chance of an order shown, the caption says why."""
    winback = pd.DataFrame(
        {
            "rank": [1, 2],
            "customer_id": ["A", "B"],
            "name": ["Alpha", "Beta"],
            "last_order_date": pd.to_datetime(["2024-01-05", "2024-02-01"]).date,
            "past_revenue": [1000.0, 800.0],
            "past_profit": [300.0, 200.0],
            "orders": [1, 4],
            "p_alive": [np.nan, 0.4],
            "p_order": [0.03, 0.12],
        }
    )
    from types import SimpleNamespace

    ctx = SimpleNamespace(lang="en", params={}, fmt=report_ctx("en").fmt, messages=report_ctx("en").messages)
    tv = dev_views.winback_view(winback, ctx)
    assert tv.frame["Chance of an order next quarter"].tolist() == [0.03, 0.12]
    assert tv.kinds["Chance of an order next quarter"] == "percent"
    assert "Probability active is blank where the purchase model (BG/NBD) cannot tell" in tv.caption
    zh = SimpleNamespace(lang="zh", params={}, fmt=report_ctx("zh").fmt, messages=report_ctx("zh").messages)
    tz = dev_views.winback_view(winback, zh)
    assert "下季度下单的概率" in tz.frame.columns and "活跃概率一栏留空" in tz.caption
    assert dev_views.winback_view(winback.assign(p_alive=[0.5, 0.4]), ctx).caption is None


def test_purchase_outlook_is_the_models_probability_active_and_next_quarter_chance():
    """A tiny history in weeks: A buys once (x = 0), B on three days; the outlook equals the model's own answers
    for the next 365.25 / 4 days = 13.045 weeks, and probability active is blank for A."""
    tx = pd.DataFrame(
        {
            "customer_id": ["A", "B", "B", "B"],
            "order_id": ["a1", "b1", "b2", "b3"],
            "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-05", "2024-03-04"]),
            "revenue": [10.0, 20.0, 30.0, 40.0],
        }
    )
    model = fixed_bgnbd(**FHL_BGNBD)
    got = purchase_outlook(tx, pd.Series(["B", "A"]), model, "2024-06-30", "W", "customer_id")
    summ = clv.rfm_summary(tx, calibration_end="2024-06-30").set_index("customer_id").loc[["B", "A"]]
    x, tx_, big_t = summ["frequency"], summ["recency"], summ["T"]
    np.testing.assert_allclose(got["p_order"], model.probability_of_purchase(365.25 / 4 / 7, x, tx_, big_t))
    assert got["p_alive"][0] == pytest.approx(float(model.probability_alive(2, tx_.iloc[0], big_t.iloc[0])))
    assert np.isnan(got["p_alive"][1])


def test_sample_data_dropout_is_one_probability_for_all_and_the_report_says_so_once(tmp_path):
    """The sample generator makes about 5% of ordinary customers stop at a month drawn at random and the others never:
    dropout is not a per-purchase chance that differs between customers, so the full BG/NBD runs along
    a, b -> infinity (b on the search limit in every region). The model falls back to one dropout probability for all,
    about 0.6% a purchase, and the notes say it once, with no search-limit note left."""
    from custlib.analysis.development import orders_up_to
    from custlib.io.sample import generate_sample
    from custlib.reports.context import open_report

    generate_sample(tmp_path, seed=42)
    ctx = open_report(str(tmp_path), "East", "latest", {})
    res = clv.lifetime_value_analysis(orders_up_to(ctx.data.transactions, ctx.quarter.end), ctx.quarter.end, **ctx.params["clv"])
    assert [n.fields["variant"] for n in res.notes if n.code == "fallback"] == ["common_dropout"]
    assert not [n for n in res.notes if n.code == "search_limit"]
    assert res.bgnbd.fallback_["at_bounds"] == ("b",)
    assert 0.003 < res.bgnbd.params["p"] < 0.012 and res.bgnbd.standard_errors["p"] < 0.002
    repeat = res.customers["frequency"] > 0
    assert res.customers.loc[~repeat, "probability_alive"].isna().all() and res.customers.loc[repeat, "probability_alive"].notna().all()
