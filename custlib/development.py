"""Customer development forecasting (DOMAIN.md section 3).

Customer development means selling more to existing customers. This module
holds the computations behind the development report:

1. :func:`campaign_forecast` / :func:`best_targets_within_budget` /
   :func:`campaign_plan`: response rate, purchase volume, provision cost,
   profit and ROI per target segment, with intervals, and the best target
   list within a budget.
2. :class:`ResponseModel` (with :func:`offer_features`,
   :func:`customer_features`, :func:`fit_response_model`,
   :func:`calibration_table`, :func:`gains_table`, :func:`plot_gains`):
   who responds to development offers.
3. :func:`co_purchase` / :func:`next_best_product`: product cross analysis.
4. :func:`monthly_revenue` / :func:`forecast_revenue` (with :func:`mase`,
   :func:`backtest_series`, :func:`forecast_series`,
   :func:`plot_revenue_forecast`): the region's monthly revenue forecast,
   checked against a seasonal-naive baseline.
6. :func:`early_warning`: the watch list of slipping customers.
7. :func:`development_kpis` / :func:`kpi_summary` /
   :func:`winback_candidates`: how development is going and which lapsed
   customers are worth winning back.

8. :func:`development_region` / :class:`DevelopmentReport`: every section
   of the report for one region and quarter, each allowed to be
   unavailable (with the reason in plain words) so that thin data never
   fail the whole report; :func:`response_rates` is the model-free view of
   past offers a small region can still get.

``CAMPAIGN_COLUMNS``, ``WATCH_COLUMNS`` and ``KPI_COLUMNS`` name the
columns the report shows.

(Item 5, customer lifetime value, lives in :mod:`custlib.clv`.)

Every function is pure: data first, column names as keyword arguments, a new
frame returned, inputs never mutated, randomness seeded.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse, stats

from .exceptions import DataError, InsufficientDataError, NotFittedError, ParamsError
from .periods import Quarter
from .report import Sections

__all__ = [
    "CAMPAIGN_COLUMNS",
    "FEATURE_WINDOW_MONTHS",
    "KPI_COLUMNS",
    "REPORT_SECTIONS",
    "WATCH_COLUMNS",
    "DevelopmentReport",
    "RevenueForecast",
    "ResponseModel",
    "backtest_series",
    "beta_binomial_interval",
    "best_targets_within_budget",
    "calibration_table",
    "campaign_forecast",
    "campaign_plan",
    "co_purchase",
    "customer_features",
    "development_kpis",
    "development_region",
    "early_warning",
    "fit_response_model",
    "forecast_revenue",
    "forecast_series",
    "gains_table",
    "kpi_summary",
    "mase",
    "mean_interval",
    "monthly_revenue",
    "next_best_product",
    "offer_features",
    "plot_gains",
    "plot_revenue_forecast",
    "response_rates",
    "seasonal_naive",
    "winback_candidates",
]

# --------------------------------------------------------------------------- helpers


def _require(frame: pd.DataFrame | None, columns, table: str) -> None:
    """Raise InsufficientDataError when ``frame`` is None (table absent), DataError naming missing columns."""
    if frame is None:
        raise InsufficientDataError(f"{table}: the table is not available in this data source")
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{table}: expected a DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns[:12]))
        raise DataError(f"{table}: column(s) {', '.join(map(repr, missing))} missing (found: {found})")


def _check_level(level: float, name: str) -> None:
    if not (isinstance(level, (int, float)) and 0 < level < 1):
        raise ParamsError(f"{name}: {level!r} is not a probability strictly between 0 and 1")


def _dt(values) -> pd.Series:
    """Dates as datetime64[ns] (merge_asof needs one resolution on both sides)."""
    return pd.to_datetime(values).astype("datetime64[ns]")


def _month_start(ts) -> pd.Timestamp:
    return pd.Timestamp(ts).to_period("M").to_timestamp()


def _label(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Segment label ``"medium / producer"`` from one or more columns (missing -> "unknown")."""
    parts = [frame[c].astype("string").fillna("unknown") for c in columns]
    out = parts[0]
    for p in parts[1:]:
        out = out + " / " + p
    return out.astype("str")


def _attach(
    out: pd.DataFrame, customers: pd.DataFrame | None, customer_col: str, cols=("name", "size_band", "market_type")
) -> pd.DataFrame:
    """``out`` with the customers' descriptive columns (those present) inserted after the id."""
    if customers is None:
        return out
    have = [c for c in cols if c in customers.columns and c not in out.columns]
    if not have:
        return out
    info = customers[[customer_col, *have]].assign(**{customer_col: customers[customer_col].astype("str")}).drop_duplicates(customer_col)
    merged = out.merge(info, on=customer_col, how="left", validate="many_to_one")
    rest = [c for c in out.columns if c != customer_col]
    return merged[[customer_col, *have, *rest]]


def _record(caught, sink: list[str], where: str) -> None:
    """Append caught warnings' messages, prefixed with where they came from."""
    for w in caught:
        msg = f"{where}: {w.category.__name__}: {str(w.message).splitlines()[0]}"
        if msg not in sink:
            sink.append(msg)


# =========================================================================== report columns

CAMPAIGN_COLUMNS = [
    "segment",
    "customers",
    "offers",
    "response_rate",
    "response_rate_low",
    "response_rate_high",
    "volume",
    "cost_per_contact",
    "profit_per_contact",
    "expected_profit",
    "profit_low",
    "profit_high",
    "roi",
    "rank",
    "contact_customers",
    "contact_profit_total",
]
"""Columns of :func:`campaign_plan` shown in the report."""

WATCH_COLUMNS = [
    "rank",
    "customer_id",
    "name",
    "size_band",
    "trailing_avg_revenue",
    "recent_avg_revenue",
    "lost_revenue_per_month",
    "lines_before",
    "lines_recent",
    "p_alive",
    "evidence",
]
"""Columns of :func:`early_warning` shown in the report."""

KPI_COLUMNS = [
    "quarter",
    "existing_revenue",
    "existing_revenue_qoq_pct",
    "existing_revenue_yoy_pct",
    "existing_share_revenue",
    "existing_profit",
    "existing_profit_yoy_pct",
    "new_customers",
    "new_revenue",
    "new_profit",
    "dev_minus_new_profit",
    "yoy_growth_streak",
]
"""Columns of :func:`development_kpis` shown in the report."""


# =========================================================================== 1. campaign forecast


def beta_binomial_interval(successes, trials, *, prior_alpha: float = 0.5, prior_beta: float = 0.5, level: float = 0.9) -> pd.DataFrame:
    """Posterior mean and equal-tailed credible interval of a response rate.

    With a Beta(a, b) prior and k responses out of n offers the posterior is
    Beta(a + k, b + n - k) (conjugate beta-binomial model; Gelman et al.,
    *Bayesian Data Analysis*, 3rd ed., section 2.4, eq. 2.8 for the uniform
    case). The default a = b = 1/2 is the Jeffreys prior; its equal-tailed
    interval is the "Jeffreys interval" that Brown, Cai & DasGupta (2001,
    *Statistical Science* 16(2), section 4.1.3) recommend for binomial
    proportions. Here the plain posterior quantiles are used (no special
    case at k = 0 or k = n).

    Parameters
    ----------
    successes, trials : int or array-like of int
        Responses k and offers n, 0 <= k <= n.
    prior_alpha, prior_beta : float
        Beta prior parameters, both > 0.
    level : float
        Central posterior probability of the interval, e.g. 0.9.

    Returns
    -------
    DataFrame
        successes, trials -> successes, trials, posterior_alpha,
        posterior_beta, mean, lower, upper (one row per element).

    Raises
    ------
    ParamsError
        A prior parameter is not positive or ``level`` is not in (0, 1).
    DataError
        k < 0, n < k or a non-integer count.
    """
    if not (prior_alpha > 0 and prior_beta > 0):
        raise ParamsError(f"prior_alpha, prior_beta: expected both > 0, got {prior_alpha!r}, {prior_beta!r}")
    _check_level(level, "interval")
    k = np.atleast_1d(np.asarray(successes, dtype="float64"))
    n = np.atleast_1d(np.asarray(trials, dtype="float64"))
    if k.shape != n.shape:
        raise DataError(f"successes and trials: shapes differ ({k.shape} vs {n.shape})")
    if np.any(k < 0) or np.any(n < k) or np.any(k != np.round(k)) or np.any(n != np.round(n)):
        raise DataError("successes, trials: expected whole numbers with 0 <= successes <= trials")
    a = prior_alpha + k
    b = prior_beta + n - k
    tail = (1 - level) / 2
    return pd.DataFrame(
        {
            "successes": k.astype("int64"),
            "trials": n.astype("int64"),
            "posterior_alpha": a,
            "posterior_beta": b,
            "mean": a / (a + b),
            "lower": stats.beta.ppf(tail, a, b),
            "upper": stats.beta.ppf(1 - tail, a, b),
        }
    )


def mean_interval(values, *, level: float = 0.9) -> tuple[float, float, float, int]:
    """Mean and Student-t interval of a mean.

    Under the non-informative prior p(mu, sigma^2) ~ 1/sigma^2 the marginal
    posterior of mu is t with n - 1 degrees of freedom, location ybar and
    scale s / sqrt(n) (Gelman et al., *Bayesian Data Analysis*, 3rd ed.,
    section 3.2, eq. 3.6), so the credible interval equals the classical
    t interval.

    Parameters
    ----------
    values : array-like of float
        At least two finite values.
    level : float
        Central probability of the interval.

    Returns
    -------
    (mean, lower, upper, n)

    Raises
    ------
    InsufficientDataError
        Fewer than two values.
    """
    _check_level(level, "interval")
    x = np.asarray(values, dtype="float64")
    x = x[np.isfinite(x)]
    if x.size < 2:
        raise InsufficientDataError(f"response_revenue: need at least two responders' revenues for an interval, got {x.size}")
    m = float(x.mean())
    se = float(x.std(ddof=1) / math.sqrt(x.size))
    q = float(stats.t.ppf(1 - (1 - level) / 2, x.size - 1))
    return m, m - q * se, m + q * se, int(x.size)


def _customer_multiplier(customers: pd.DataFrame, multipliers: dict) -> pd.Series:
    """Product of the serve-cost multipliers that apply to each customer (1 when none)."""
    mult = pd.Series(1.0, index=customers.index)
    for col, table in (multipliers or {}).items():
        if col not in customers.columns:
            raise ParamsError(f"serve_cost_multipliers: {col!r} is not a customers column (found: {', '.join(customers.columns)})")
        values = customers[col].astype("str").map({str(k): float(v) for k, v in table.items()})
        mult = mult * values.astype("float64").fillna(1.0)
    return mult


def campaign_forecast(
    customers: pd.DataFrame,
    offers: pd.DataFrame,
    transactions: pd.DataFrame,
    service_costs: pd.DataFrame | None = None,
    *,
    asof=None,
    segment_by: tuple[str, ...] | list[str] = ("size_band",),
    channel: str | None = None,
    products: tuple[str, ...] | list[str] = (),
    prior_alpha: float = 0.5,
    prior_beta: float = 0.5,
    interval: float = 0.9,
    min_offers: int = 10,
    min_responders: int = 5,
    margin_rate: float | None = None,
    margin_months: int = 12,
    contact_cost_by_channel: dict | None = None,
    serve_cost_per_order: float | None = None,
    serve_cost_rate: float = 0.0,
    serve_cost_multipliers: dict | None = None,
    non_standard_offer: bool = False,
    non_standard_multiplier: float = 1.0,
    draws: int = 4000,
    seed: int = 0,
    customer_col: str = "customer_id",
) -> pd.DataFrame:
    """Forecast a development campaign per target segment, ranked by expected profit.

    For each segment (customers grouped by ``segment_by``), with p the
    response rate, V the purchase volume of a responder (revenue), m the
    unit margin (gross margin per unit of revenue), c the contact cost per
    customer contacted and s(V) the cost to serve a responder's order:

    - response rate: posterior of p from the segment's past offers,
      Beta(prior_alpha + k, prior_beta + n - k) (:func:`beta_binomial_interval`);
    - purchase volume: mean ``response_revenue`` of the segment's responders
      with a t interval (:func:`mean_interval`); segments with fewer than
      ``min_responders`` responders borrow the mean of all responders
      (``volume_source`` says which);
    - provision cost (contact plus serve, DOMAIN.md section 3):
      s(V) = (s0 + r V) * g, where s0 is ``serve_cost_per_order`` (or, when
      None, the segment's ``cost_to_serve`` per order over the last
      ``margin_months`` from ``service_costs``), r is ``serve_cost_rate``
      and g the segment's mean multiplier (``serve_cost_multipliers``, e.g.
      remote market types, times ``non_standard_multiplier`` for a
      non-standard offer); this is activity-based cost to serve (Kaplan &
      Narayanan 2001, "Measuring and managing customer profitability",
      *Journal of Cost Management* 15(5));
    - expected profit per contact: pi = p (m V - s(V)) - c, the break-even
      rule of direct-marketing selection (Bult & Wansbeek 1995, *Marketing
      Science* 14(4), eq. 1: contact when p * a > c); expected provision
      cost per contact: k = c + p s(V); ROI = pi / k.

    Because p and V are independent and pi is linear in V, E[pi] =
    E[p] (m E[V] - s(E[V])) - c exactly (the ``profit_per_contact`` column).
    Intervals come from ``draws`` Monte Carlo draws of (p, V) from their
    posteriors, seeded with ``seed`` (quantiles of pi, of the segment
    total N * pi and of the ratio pi / k). Costs and margin are treated as
    known.

    Parameters
    ----------
    customers : DataFrame
        The region's customers; ``segment_by`` columns and the multiplier columns.
    offers : DataFrame
        Past offers: customer_id, offer_date, product_id, channel,
        contact_cost, responded, response_revenue.
    transactions : DataFrame
        Order lines (margin, cost to serve per order, and which customers are
        existing customers: N counts customers with an order on or before ``asof``).
    service_costs : DataFrame, optional
        customer_id, month, cost_to_serve; used when ``serve_cost_per_order`` is None.
    asof : date-like, optional
        Forecast date; offers and orders after it are ignored. Default: the
        later of the last order and the last offer.
    segment_by : list of str
        Customers columns defining target segments.
    channel : str, optional
        Only past offers made through this channel count (the planned campaign's channel).
    products : list of str
        Only past offers of these products count (the planned offer); empty = all.
    prior_alpha, prior_beta : float
        Beta prior of the response rate (Jeffreys: 0.5, 0.5).
    interval : float
        Central probability of every interval.
    min_offers : int
        Segments with fewer past offers are reported but not ranked.
    min_responders : int
        Fewer responders than this: the segment uses the all-segment volume.
    margin_rate : float, optional
        Unit margin (gross profit per unit revenue); None = the segment's
        observed margin over the last ``margin_months`` (of ``products`` when given).
    margin_months : int
        Window for observed margin and cost to serve.
    contact_cost_by_channel : dict, optional
        Contact cost per channel; channels not listed use the offers'
        recorded ``contact_cost``.
    serve_cost_per_order, serve_cost_rate, serve_cost_multipliers, non_standard_offer, non_standard_multiplier
        Cost to serve, see above. ``serve_cost_multipliers`` maps a customers
        column to ``{value: multiplier}``.
    draws : int
        Monte Carlo draws per segment.
    seed : int
        Seed of the draws.
    customer_col : str
        Customer id column in every table.

    Returns
    -------
    DataFrame
        customers, offers, transactions[, service_costs] -> one row per
        segment: segment, the ``segment_by`` columns, customers, offers,
        responses, response_rate, response_rate_low, response_rate_high,
        volume, volume_low, volume_high, volume_source, margin_rate,
        contact_cost, serve_cost, cost_per_contact, profit_per_contact,
        profit_per_contact_low, profit_per_contact_high, expected_cost,
        expected_profit, profit_low, profit_high, roi, roi_low, roi_high,
        ranked, rank; sorted by rank (unranked segments last).

    Raises
    ------
    DataError
        A required column (``segment_by`` included) is missing, ``responded``
        has missing values, or an offer names an unknown customer.
    InsufficientDataError
        No offers table, no past offers (after filters) or fewer than two
        responders in all.
    ParamsError
        A bad parameter (level, prior, draws, multiplier column).
    """
    segment_by = list(segment_by)
    _require(customers, [customer_col, *segment_by], "customers")
    _require(offers, [customer_col, "offer_date", "product_id", "channel", "contact_cost", "responded", "response_revenue"], "offers")
    _require(transactions, [customer_col, "order_id", "order_date", "revenue", "cost"], "transactions")
    if not segment_by:
        raise ParamsError("segment_by: expected at least one customers column")
    if draws < 100:
        raise ParamsError(f"draws: expected at least 100 Monte Carlo draws, got {draws}")
    _check_level(interval, "interval")
    if offers["responded"].isna().any():
        raise DataError("offers: column 'responded' has missing values; expected true/false for every offer")
    asof = (
        pd.Timestamp(asof)
        if asof is not None
        else max(pd.Timestamp(transactions["order_date"].max()), pd.Timestamp(offers["offer_date"].max()))
    )
    off = offers.loc[offers["offer_date"] <= asof]
    if channel is not None:
        off = off.loc[off["channel"].astype("str") == channel]
    if len(products):
        off = off.loc[off["product_id"].astype("str").isin(list(products))]
    if off.empty:
        only = [f"channel {channel!r}"] if channel is not None else []
        only += [f"products {', '.join(map(str, products))}"] if len(products) else []
        raise InsufficientDataError(f"offers: no past offers on or before {asof:%Y-%m-%d}" + (f" ({' and '.join(only)})" if only else ""))

    cust = customers[[customer_col, *segment_by, *[c for c in (serve_cost_multipliers or {}) if c not in segment_by]]].copy()
    cust = cust.assign(segment=_label(cust, segment_by), _mult=_customer_multiplier(cust, serve_cost_multipliers or {}))
    seg_of = cust.set_index(customer_col)["segment"]
    tx = transactions.loc[transactions["order_date"] <= asof]
    existing = pd.Index(tx[customer_col].unique())
    cust_existing = cust.loc[cust[customer_col].isin(existing)]

    off = off.assign(
        segment=off[customer_col].map(seg_of),
        _responded=off["responded"].astype(bool),
        _contact=off["channel"].astype("str").map(lambda ch: (contact_cost_by_channel or {}).get(ch, np.nan)).astype("float64"),
    )
    off = off.assign(_contact=off["_contact"].fillna(off["contact_cost"].astype("float64")))
    if off["segment"].isna().any():
        raise DataError(
            f"offers: {int(off['segment'].isna().sum())} offers name customers missing from customers (e.g. {off.loc[off['segment'].isna(), customer_col].iloc[0]!r})"
        )

    all_resp = off.loc[off["_responded"], "response_revenue"].astype("float64")
    if all_resp.notna().sum() < 2:
        raise InsufficientDataError("offers: fewer than two responders with a response_revenue; cannot estimate purchase volume")
    overall_volume = mean_interval(all_resp, level=interval)
    overall_resp = all_resp.dropna().to_numpy()

    # observed margin and serve cost per order over the window
    win = tx.loc[tx["order_date"] > asof - pd.DateOffset(months=margin_months)]
    win = win.assign(segment=win[customer_col].map(seg_of))
    if len(products) and "product_id" in win.columns:
        mwin = win.loc[win["product_id"].astype("str").isin(list(products))]
        mwin = mwin if len(mwin) else win
    else:
        mwin = win
    g = mwin.groupby("segment", sort=True)[["revenue", "cost"]].sum()
    seg_margin = (g["revenue"] - g["cost"]) / g["revenue"].where(g["revenue"] > 0)
    tot_rev = float(mwin["revenue"].sum())
    overall_margin = (tot_rev - float(mwin["cost"].sum())) / tot_rev if tot_rev > 0 else np.nan

    if serve_cost_per_order is None and service_costs is not None:
        _require(service_costs, [customer_col, "month", "cost_to_serve"], "service_costs")
        sc = service_costs.loc[(service_costs["month"] <= asof) & (service_costs["month"] > asof - pd.DateOffset(months=margin_months))]
        sc_seg = sc.groupby(sc[customer_col].map(seg_of), sort=True)["cost_to_serve"].sum()
        n_orders = win.groupby("segment", sort=True)["order_id"].nunique()
        seg_s0 = (sc_seg / n_orders.reindex(sc_seg.index)).replace([np.inf], np.nan)
        overall_s0 = float(sc["cost_to_serve"].sum()) / max(int(win["order_id"].nunique()), 1)
    else:
        seg_s0 = pd.Series(dtype="float64")
        overall_s0 = float(serve_cost_per_order or 0.0)

    rng = np.random.default_rng(seed)
    tail = (1 - interval) / 2
    rows = []
    segments = sorted(set(cust_existing["segment"]) | set(off["segment"]))
    for seg in segments:  # loop over a handful of segments, not over rows
        o = off.loc[off["segment"] == seg]
        members = cust_existing.loc[cust_existing["segment"] == seg]
        n_cust = len(members)
        n, k = len(o), int(o["_responded"].sum())
        post = beta_binomial_interval(k, n, prior_alpha=prior_alpha, prior_beta=prior_beta, level=interval).iloc[0]
        resp = o.loc[o["_responded"], "response_revenue"].astype("float64").dropna().to_numpy()
        if resp.size >= max(min_responders, 2):
            vol, vlo, vhi, vn = mean_interval(resp, level=interval)
            vsd, source = float(resp.std(ddof=1)), "segment"
        else:
            vol, vlo, vhi, vn = overall_volume
            vsd, source = float(overall_resp.std(ddof=1)), "all segments"
        m = float(margin_rate) if margin_rate is not None else float(seg_margin.get(seg, np.nan))
        if not np.isfinite(m):
            m = float(overall_margin) if margin_rate is None else m
        c = float(o["_contact"].mean()) if n else float(off["_contact"].mean())
        s0 = float(serve_cost_per_order) if serve_cost_per_order is not None else float(seg_s0.get(seg, np.nan))
        if not np.isfinite(s0):
            s0 = overall_s0
        gmult = float(members["_mult"].mean()) if n_cust else float(cust.loc[cust["segment"] == seg, "_mult"].mean())
        gmult *= non_standard_multiplier if non_standard_offer else 1.0
        p_draw = rng.beta(post["posterior_alpha"], post["posterior_beta"], size=draws)
        v_draw = vol + vsd / math.sqrt(vn) * rng.standard_t(vn - 1, size=draws)
        serve_draw = (s0 + serve_cost_rate * v_draw) * gmult
        pi_draw = p_draw * (m * v_draw - serve_draw) - c
        k_draw = c + p_draw * serve_draw
        roi_draw = pi_draw / k_draw
        serve = (s0 + serve_cost_rate * vol) * gmult
        p = float(post["mean"])
        pi = p * (m * vol - serve) - c
        kc = c + p * serve
        rows.append(
            {
                "segment": seg,
                "customers": n_cust,
                "offers": n,
                "responses": k,
                "response_rate": p,
                "response_rate_low": float(post["lower"]),
                "response_rate_high": float(post["upper"]),
                "volume": vol,
                "volume_low": vlo,
                "volume_high": vhi,
                "volume_source": source,
                "margin_rate": m,
                "contact_cost": c,
                "serve_cost": serve,
                "cost_per_contact": kc,
                "profit_per_contact": pi,
                "profit_per_contact_low": float(np.quantile(pi_draw, tail)),
                "profit_per_contact_high": float(np.quantile(pi_draw, 1 - tail)),
                "expected_cost": n_cust * kc,
                "expected_profit": n_cust * pi,
                "profit_low": n_cust * float(np.quantile(pi_draw, tail)),
                "profit_high": n_cust * float(np.quantile(pi_draw, 1 - tail)),
                "roi": pi / kc if kc > 0 else np.nan,
                "roi_low": float(np.quantile(roi_draw, tail)) if kc > 0 else np.nan,
                "roi_high": float(np.quantile(roi_draw, 1 - tail)) if kc > 0 else np.nan,
                "ranked": bool(n >= min_offers and n_cust > 0),
            }
        )
    out = pd.DataFrame(rows)
    keys = cust.drop_duplicates("segment").set_index("segment")[segment_by]
    out = out.join(keys, on="segment")
    out = out[["segment", *segment_by, *[c for c in out.columns if c not in ("segment", *segment_by)]]]
    out = out.sort_values(["ranked", "profit_per_contact", "segment"], ascending=[False, False, True], kind="stable").reset_index(drop=True)
    rank = pd.Series(np.arange(1, len(out) + 1), dtype="Int64").where(out["ranked"], pd.NA)
    return out.assign(rank=rank)


def best_targets_within_budget(
    forecast: pd.DataFrame,
    budget: float,
    *,
    profit_col: str = "expected_profit",
    cost_col: str = "expected_cost",
    size_col: str = "customers",
    id_col: str = "segment",
    eligible_col: str | None = "ranked",
    allow_partial: bool = True,
    exact_max_items: int = 15,
) -> pd.DataFrame:
    """Choose which segments (and how many of their customers) to contact within a budget.

    Only segments with positive expected profit (and ``eligible_col`` true)
    are candidates. With ``allow_partial`` (contacting part of a segment,
    cost and profit proportional to the customers contacted) the greedy rule
    by expected profit per unit cost is optimal for this fractional knapsack
    (Dantzig 1957, *Operations Research* 5(2)); the last segment is filled
    with as many whole customers as the remaining budget pays for. Without
    it, whole segments are chosen: exactly, by enumerating all subsets, when
    there are at most ``exact_max_items`` candidates, otherwise by the greedy
    rule compared with the best single segment (a 1/2-approximation;
    Martello & Toth 1990, *Knapsack Problems*, section 2.4).

    Parameters
    ----------
    forecast : DataFrame
        One row per segment, e.g. from :func:`campaign_forecast`.
    budget : float
        Money available for the campaign's expected provision cost (>= 0).
    profit_col, cost_col, size_col, id_col, eligible_col : str
        Columns: segment total expected profit, total expected cost, number
        of customers, segment id, and a bool column of rankable segments
        (None = all).
    allow_partial : bool
        Allow contacting part of a segment.
    exact_max_items : int
        Largest number of candidates solved exactly when ``allow_partial`` is False.

    Returns
    -------
    DataFrame
        forecast -> forecast plus contact_customers (int), contact_cost_total,
        contact_profit_total, selected (bool); row order kept.

    Raises
    ------
    ParamsError
        Negative budget.
    DataError
        A named column is missing.
    """
    if budget is None or budget < 0:
        raise ParamsError(f"budget: expected a non-negative amount, got {budget!r}")
    cols = [profit_col, cost_col, size_col, id_col] + ([eligible_col] if eligible_col else [])
    _require(forecast, cols, "forecast")
    profit = forecast[profit_col].to_numpy(dtype="float64")
    cost = forecast[cost_col].to_numpy(dtype="float64")
    size = forecast[size_col].to_numpy(dtype="int64")
    ok = (profit > 0) & (cost > 0) & (size > 0)
    if eligible_col:
        ok &= forecast[eligible_col].fillna(False).to_numpy(dtype=bool)
    take = np.zeros(len(forecast), dtype="int64")
    cand = np.flatnonzero(ok)
    ratio = profit[cand] / cost[cand]
    ids = forecast[id_col].astype("str").to_numpy()[cand]
    order = cand[np.lexsort((ids, -ratio))]  # ratio desc, id asc
    if allow_partial:
        left = float(budget)
        for i in order:
            unit = cost[i] / size[i]
            n = int(min(size[i], math.floor(left / unit + 1e-9)))
            take[i] = n
            left -= n * unit
            if n < size[i]:
                break
    elif len(cand) <= exact_max_items:
        best, best_profit = (), 0.0
        for r in range(1, len(cand) + 1):
            for combo in itertools.combinations(cand, r):
                c = cost[list(combo)].sum()
                p = profit[list(combo)].sum()
                if c <= budget + 1e-9 and p > best_profit + 1e-12:
                    best, best_profit = combo, p
        take[list(best)] = size[list(best)]
    else:
        left, greedy = float(budget), []
        for i in order:
            if cost[i] <= left + 1e-9:
                greedy.append(i)
                left -= cost[i]
        single = [i for i in cand if cost[i] <= budget + 1e-9]
        best_single = max(single, key=lambda i: profit[i], default=None)
        if best_single is not None and profit[best_single] > profit[greedy].sum():
            greedy = [best_single]
        take[greedy] = size[greedy]
    frac = np.where(size > 0, take / np.maximum(size, 1), 0.0)
    return forecast.assign(
        contact_customers=take,
        contact_cost_total=frac * cost + 0.0,  # + 0.0 turns -0.0 (nothing taken of a loss) into 0.0
        contact_profit_total=frac * profit + 0.0,
        selected=take > 0,
    )


def campaign_plan(
    customers: pd.DataFrame,
    offers: pd.DataFrame,
    transactions: pd.DataFrame,
    service_costs: pd.DataFrame | None = None,
    *,
    budget: float,
    allow_partial: bool = True,
    **forecast_kwargs,
) -> pd.DataFrame:
    """:func:`campaign_forecast` followed by :func:`best_targets_within_budget`.

    Parameters
    ----------
    customers, offers, transactions, service_costs : DataFrame
        As for :func:`campaign_forecast`.
    budget : float
        Campaign budget for the expected provision cost.
    allow_partial : bool
        Allow contacting part of a segment.
    **forecast_kwargs
        Passed to :func:`campaign_forecast` (the ``development.campaign`` params).

    Returns
    -------
    DataFrame
        The forecast with contact_customers, contact_cost_total,
        contact_profit_total and selected.

    Raises
    ------
    DataError, InsufficientDataError, ParamsError
        As the two functions.
    """
    fc = campaign_forecast(customers, offers, transactions, service_costs, **forecast_kwargs)
    return best_targets_within_budget(fc, budget, allow_partial=allow_partial)


# =========================================================================== 2. response model

FEATURE_WINDOW_MONTHS = 12
"""Look-back window of the offer-time features, in months."""

NUMERIC_FEATURES = (
    "tenure_years",
    "orders_12m",
    "log_revenue_12m",
    "categories_12m",
    "months_since_last_order",
    "category_fit",
)
CATEGORICAL_FEATURES = ("size_band", "market_type", "channel")
FEATURE_DOCS = {
    "tenure_years": "years from the customer's first order to the offer (0 if no earlier order)",
    "orders_12m": "orders in the 12 months before the offer",
    "log_revenue_12m": "log(1 + revenue in the 12 months before the offer)",
    "categories_12m": "distinct product categories bought in the 12 months before the offer",
    "months_since_last_order": "months since the last order before the offer (capped at 36; 36 if none)",
    "category_fit": "1 if the offered product's category is among the categories bought in the 12 months before the offer",
    "size_band": "customer size band (customers table)",
    "market_type": "market type (customers table)",
    "channel": "channel of the offer",
}


def offer_features(
    offers: pd.DataFrame,
    customers: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    customer_col: str = "customer_id",
) -> pd.DataFrame:
    """Customer features as they stood at each offer's date (no look-ahead).

    Only orders strictly before the offer date count. Features
    (:data:`FEATURE_DOCS`): tenure_years, orders_12m, log_revenue_12m,
    categories_12m, months_since_last_order, category_fit, size_band,
    market_type, channel. Return lines (quantity <= 0) are not orders. Computed without a loop over offers:
    cumulative sums per customer looked up with ``merge_asof``.

    Parameters
    ----------
    offers : DataFrame
        customer_id, offer_date, product_id, channel (responded kept if present).
    customers : DataFrame
        customer_id, size_band, market_type.
    transactions : DataFrame
        customer_id, order_id, order_date, product_id, category, quantity, revenue.
    customer_col : str
        Customer id column.

    Returns
    -------
    DataFrame
        offers, customers, transactions -> one row per offer in the offers'
        order: customer_id, offer_date, product_id, the features and, when
        present, offer_id and responded.

    Raises
    ------
    DataError
        A required column is missing or an offer names an unknown customer.
    """
    _require(offers, [customer_col, "offer_date", "product_id", "channel"], "offers")
    _require(customers, [customer_col, "size_band", "market_type"], "customers")
    _require(transactions, [customer_col, "order_id", "order_date", "product_id", "category", "revenue"], "transactions")
    keep = [c for c in ("offer_id", customer_col, "offer_date", "product_id", "channel", "responded") if c in offers.columns]
    left = (
        offers[keep]
        .reset_index(drop=True)
        .assign(
            _row=np.arange(len(offers)),
            _t=_dt(offers["offer_date"]).to_numpy(),
        )
    )
    left = left.assign(_t12=left["_t"] - pd.DateOffset(months=FEATURE_WINDOW_MONTHS))
    left[customer_col] = left[customer_col].astype("str")

    tx = transactions
    if "quantity" in tx.columns:
        tx = tx.loc[tx["quantity"] > 0]
    tx = tx.assign(order_date=_dt(tx["order_date"]))
    orders = tx.groupby([customer_col, "order_id"], sort=False).agg(_d=("order_date", "min"), _rev=("revenue", "sum")).reset_index()
    orders[customer_col] = orders[customer_col].astype("str")
    orders = orders.sort_values([customer_col, "_d", "order_id"], kind="stable")
    orders = orders.assign(_cn=orders.groupby(customer_col).cumcount() + 1, _cr=orders.groupby(customer_col)["_rev"].cumsum())
    orders = orders.sort_values("_d", kind="stable")

    def _asof(on: str) -> pd.DataFrame:
        lk = left[["_row", customer_col, on]].sort_values(on, kind="stable")
        m = pd.merge_asof(
            lk,
            orders[[customer_col, "_d", "_cn", "_cr"]],
            left_on=on,
            right_on="_d",
            by=customer_col,
            allow_exact_matches=False,
            direction="backward",
        )
        return m.set_index("_row").reindex(np.arange(len(left)))

    now, before = _asof("_t"), _asof("_t12")
    cn_now, cr_now = now["_cn"].fillna(0).to_numpy(), now["_cr"].fillna(0.0).to_numpy()
    cn_b, cr_b = before["_cn"].fillna(0).to_numpy(), before["_cr"].fillna(0.0).to_numpy()
    first = orders.groupby(customer_col)["_d"].min()
    t = left["_t"]
    first_t = pd.Series(first.reindex(left[customer_col]).to_numpy(), index=left.index)  # reindex: also when no orders
    has_first = first_t.notna() & (first_t < t)
    tenure = ((t - first_t).dt.days / 365.25).where(has_first, 0.0).to_numpy(dtype="float64")
    last = pd.to_datetime(now["_d"])
    since = ((t.to_numpy() - last.to_numpy()) / np.timedelta64(1, "D")) / (365.25 / 12)
    since = np.where(np.isnan(since), 36.0, np.minimum(since, 36.0))

    # categories: last purchase date per (customer, category) before the offer
    cat_lines = tx[[customer_col, "category", "order_date"]].assign(
        **{customer_col: tx[customer_col].astype("str"), "category": tx["category"].astype("str")}
    )
    cat_lines = cat_lines.drop_duplicates().sort_values("order_date", kind="stable")
    pairs = cat_lines[[customer_col, "category"]].drop_duplicates()
    exp = left[["_row", customer_col, "_t", "_t12"]].merge(pairs, on=customer_col, how="inner").sort_values("_t", kind="stable")
    exp = pd.merge_asof(
        exp,
        cat_lines.rename(columns={"order_date": "_last"}),
        left_on="_t",
        right_on="_last",
        by=[customer_col, "category"],
        allow_exact_matches=False,
        direction="backward",
    )
    recent = exp.loc[exp["_last"].notna() & (exp["_last"] >= exp["_t12"])]
    n_cat = recent.groupby("_row").size().reindex(np.arange(len(left)), fill_value=0).to_numpy()
    prod_cat = tx.groupby("product_id")["category"].agg(lambda s: s.astype("str").mode().iloc[0])
    prod_cat.index = prod_cat.index.astype("str")
    offer_cat = left["product_id"].astype("str").map(prod_cat)
    recent = recent.assign(_oc=recent["_row"].map(pd.Series(offer_cat.to_numpy(), index=np.arange(len(left)))))
    fit_rows = recent.loc[recent["category"] == recent["_oc"], "_row"].unique()
    fit_flag = np.isin(np.arange(len(left)), fit_rows).astype("float64")

    cust = (
        customers[[customer_col, "size_band", "market_type"]]
        .assign(**{customer_col: customers[customer_col].astype("str")})
        .drop_duplicates(customer_col)
    )
    attrs = left[[customer_col]].merge(cust, on=customer_col, how="left", validate="many_to_one")
    unknown = ~left[customer_col].isin(cust[customer_col])
    if unknown.any():
        raise DataError(
            f"offers: {int(unknown.sum())} offers name customers missing from customers (e.g. {left.loc[unknown, customer_col].iloc[0]!r})"
        )
    out = left[keep].copy()
    out = out.assign(
        tenure_years=tenure,
        orders_12m=(cn_now - cn_b).astype("float64"),
        log_revenue_12m=np.log1p(np.maximum(cr_now - cr_b, 0.0)),
        categories_12m=n_cat.astype("float64"),
        months_since_last_order=since,
        category_fit=fit_flag,
        size_band=attrs["size_band"].astype("string").fillna("unknown").astype("str").to_numpy(),
        market_type=attrs["market_type"].astype("string").fillna("unknown").astype("str").to_numpy(),
        channel=left["channel"].astype("string").fillna("unknown").astype("str").to_numpy(),
    )
    return out


def customer_features(
    customers: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    asof,
    channel: str,
    product_id: str | None = None,
    customer_col: str = "customer_id",
) -> pd.DataFrame:
    """The :func:`offer_features` of every customer for an offer made just after ``asof``.

    Orders on ``asof`` count (the notional offer is dated the next day).

    Parameters
    ----------
    customers, transactions : DataFrame
        As for :func:`offer_features`.
    asof : date-like
        Scoring date.
    channel : str
        Channel of the planned offer.
    product_id : str, optional
        Product of the planned offer (drives ``category_fit``); None = 0 for all.
    customer_col : str
        Customer id column.

    Returns
    -------
    DataFrame
        customers, transactions -> one row per customer: customer_id and the features.

    Raises
    ------
    DataError
        As :func:`offer_features`.
    """
    _require(customers, [customer_col], "customers")
    t = pd.Timestamp(asof).normalize() + pd.Timedelta(days=1)
    pseudo = pd.DataFrame(
        {
            customer_col: customers[customer_col].astype("str").to_numpy(),
            "offer_date": t,
            "product_id": "" if product_id is None else str(product_id),
            "channel": channel,
        }
    )
    tx = transactions.loc[transactions["order_date"] < t]
    return offer_features(pseudo, customers, tx, customer_col=customer_col).drop(columns=["offer_date", "product_id"])


def calibration_table(y_true, p_pred, *, n_bins: int = 10) -> pd.DataFrame:
    """Predicted against observed response rate by bin of predicted probability.

    Observations are sorted by predicted probability (stable) and cut into
    ``n_bins`` groups of equal size (``numpy.array_split``; the first groups
    take the remainder), the usual decile calibration table (Hosmer,
    Lemeshow & Sturdivant, *Applied Logistic Regression*, 3rd ed., section
    5.2.2).

    Parameters
    ----------
    y_true : array-like of 0/1
    p_pred : array-like of float
    n_bins : int

    Returns
    -------
    DataFrame
        -> bin (1 = lowest predictions), n, mean_predicted, observed_rate, responders.

    Raises
    ------
    DataError
        Lengths differ or fewer observations than bins.
    """
    y, p = np.asarray(y_true, dtype="float64"), np.asarray(p_pred, dtype="float64")
    if y.shape != p.shape or y.size < n_bins:
        raise DataError(f"calibration_table: need equal lengths and at least {n_bins} observations, got {y.size} and {p.size}")
    order = np.argsort(p, kind="stable")
    groups = np.array_split(order, n_bins)
    return pd.DataFrame(
        {
            "bin": np.arange(1, n_bins + 1),
            "n": [len(g) for g in groups],
            "mean_predicted": [float(p[g].mean()) for g in groups],
            "observed_rate": [float(y[g].mean()) for g in groups],
            "responders": [int(y[g].sum()) for g in groups],
        }
    )


def gains_table(y_true, p_pred, *, n_bins: int = 10) -> pd.DataFrame:
    """Cumulative gains and lift by decile of predicted response.

    Customers are sorted from highest to lowest predicted probability
    (stable, so ties keep input order) and cut into ``n_bins`` equal
    groups; cumulative gain = share of all responders found in the top
    groups, lift = gain / share contacted (Berry & Linoff, *Data Mining
    Techniques*, 3rd ed., ch. 5, "cumulative gains and lift charts").

    Parameters
    ----------
    y_true : array-like of 0/1
    p_pred : array-like of float
    n_bins : int

    Returns
    -------
    DataFrame
        -> decile (1 = highest predictions), n, responders, response_rate,
        cum_share_contacted, cum_share_responders, cum_lift.

    Raises
    ------
    DataError
        Lengths differ, fewer observations than bins, or no responders.
    """
    y, p = np.asarray(y_true, dtype="float64"), np.asarray(p_pred, dtype="float64")
    if y.shape != p.shape or y.size < n_bins:
        raise DataError(f"gains_table: need equal lengths and at least {n_bins} observations, got {y.size} and {p.size}")
    if y.sum() <= 0:
        raise DataError("gains_table: no responders in y_true")
    order = np.argsort(-p, kind="stable")
    groups = np.array_split(order, n_bins)
    n = np.array([len(g) for g in groups])
    r = np.array([y[g].sum() for g in groups])
    share_c = np.cumsum(n) / y.size
    share_r = np.cumsum(r) / y.sum()
    return pd.DataFrame(
        {
            "decile": np.arange(1, n_bins + 1),
            "n": n,
            "responders": r.astype("int64"),
            "response_rate": r / n,
            "cum_share_contacted": share_c,
            "cum_share_responders": share_r,
            "cum_lift": share_r / share_c,
        }
    )


def plot_gains(gains: pd.DataFrame, ax=None, *, title: str | None = "Cumulative gains"):
    """Cumulative gains chart from :func:`gains_table` (model against random targeting).

    Parameters
    ----------
    gains : DataFrame
        cum_share_contacted, cum_share_responders.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    _require(gains, ["cum_share_contacted", "cum_share_responders"], "gains")
    ax = ax if ax is not None else plt.subplots()[1]
    x = np.r_[0.0, gains["cum_share_contacted"].to_numpy()]
    y = np.r_[0.0, gains["cum_share_responders"].to_numpy()]
    ax.plot(x, y, marker="o", label="response model")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="random")
    ax.set_xlabel("share of customers contacted (highest scores first)")
    ax.set_ylabel("share of responders reached")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower right")
    if title:
        ax.set_title(title)
    return ax


class ResponseModel:
    """Logistic response model for development offers (customer response analysis).

    Two fits of the same logit model, P(respond) = 1 / (1 + exp(-x'b))
    (Hosmer, Lemeshow & Sturdivant, *Applied Logistic Regression*, 3rd ed.,
    ch. 1-3): statsmodels' unpenalised ``Logit`` on all offers gives odds
    ratios exp(b) with Wald intervals an analyst can read; scikit-learn's
    ``LogisticRegression`` (standardised inputs, L2 penalty ``C``) fitted on
    a stratified training split gives the holdout AUC, calibration and gains
    tables, and refitted on all offers scores customers.

    Categorical features are one-hot coded against a reference level (given
    in ``reference``, else the most frequent level, ties by name); an odds
    ratio of a level is relative to that reference, one of a numeric feature
    is per unit (see :data:`FEATURE_DOCS`). Levels seen in fewer than
    ``min_level_count`` offers, or whose offers all had the same outcome,
    are pooled with the reference level: such sparse cells separate the
    data and have no finite maximum-likelihood estimate (Albert & Anderson
    1984, *Biometrika* 71(1); Hosmer, Lemeshow & Sturdivant, section 4.5).
    Levels first seen when predicting are treated as the reference too.

    Parameters
    ----------
    numeric : tuple of str
        Numeric feature columns.
    categorical : tuple of str
        Categorical feature columns.
    reference : dict, optional
        Reference level per categorical feature, e.g. ``{"channel": "email"}``.
    min_level_count : int
        Rarer categorical levels (and levels with one outcome only) are
        pooled with the reference level.
    test_size : float
        Holdout share (stratified on the response).
    seed : int
        Seed of the split.
    C : float
        Inverse L2 penalty of the scikit-learn model (``numpy.inf`` = none).
    interval : float
        Level of the odds-ratio intervals.
    n_bins : int
        Bins of the calibration and gains tables.
    max_iter : int
        Iteration limit of both fits.

    Attributes
    ----------
    columns_ : list of str
        Design columns (after one-hot coding), without the constant.
    dropped_ : list of str
        Design columns left out because they were constant or collinear.
    reference_ : dict
        Reference level of each categorical feature.
    levels_ : dict
        Levels kept (own column or reference) of each categorical feature.
    pooled_ : dict
        Rare levels pooled with the reference, per feature.
    odds_ratios_ : DataFrame
        feature, coef, std_err, odds_ratio, or_low, or_high, p_value.
    coef_ : Series
        statsmodels coefficients by design column ("const" included).
    auc_ : float
        Holdout ROC AUC.
    calibration_, gains_ : DataFrame
        Holdout tables (:func:`calibration_table`, :func:`gains_table`).
    estimator_ : sklearn Pipeline
        Scoring model fitted on all offers.
    default_channel_ : str or None
        Most frequent channel (used by :meth:`score` when no channel is given).
    n_offers_, response_rate_ : int, float
    warnings_ : list of str
        Warnings raised by the fits (recorded, not shown).
    """

    def __init__(
        self,
        numeric: tuple[str, ...] = NUMERIC_FEATURES,
        categorical: tuple[str, ...] = CATEGORICAL_FEATURES,
        *,
        reference: dict | None = None,
        min_level_count: int = 10,
        test_size: float = 0.3,
        seed: int = 0,
        C: float = 1.0,
        interval: float = 0.95,
        n_bins: int = 10,
        max_iter: int = 200,
    ):
        self.numeric = numeric
        self.categorical = categorical
        self.reference = reference
        self.min_level_count = min_level_count
        self.test_size = test_size
        self.seed = seed
        self.C = C
        self.interval = interval
        self.n_bins = n_bins
        self.max_iter = max_iter

    # -- design
    def _design(self, X: pd.DataFrame) -> pd.DataFrame:
        parts = [X[list(self.numeric)].astype("float64").reset_index(drop=True)]
        for col in self.categorical:
            values = X[col].astype("string").fillna("unknown").astype("str").reset_index(drop=True)
            values = values.where(values.isin(self.levels_[col]), self.reference_[col])  # rare or unseen -> reference
            for level in self.levels_[col]:
                if level != self.reference_[col]:
                    parts.append(pd.Series((values == level).astype("float64"), name=f"{col}={level}"))
        design = pd.concat(parts, axis=1)
        return design.reindex(columns=self.columns_, fill_value=0.0)

    def _check_fitted(self) -> None:
        if not hasattr(self, "estimator_"):
            raise NotFittedError("ResponseModel: call fit(X, y) before using the model")

    def fit(self, X: pd.DataFrame, y) -> ResponseModel:
        """Fit both models on offer-time features and responses.

        Parameters
        ----------
        X : DataFrame
            The ``numeric`` and ``categorical`` columns, e.g. from :func:`offer_features`.
        y : array-like of bool/0-1
            Responded.

        Returns
        -------
        self

        Raises
        ------
        DataError
            Missing feature columns, missing values, or y of another length.
        InsufficientDataError
            Fewer than 10 responders or non-responders, a holdout smaller
            than ``n_bins``, or a singular information matrix.
        ParamsError
            test_size not in (0, 1).
        """
        import statsmodels.api as sm
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import roc_auc_score
        from sklearn.model_selection import train_test_split
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        _require(X, [*self.numeric, *self.categorical], "features")
        _check_level(self.test_size, "test_size")
        _check_level(self.interval, "interval")
        yv = pd.Series(y).astype("float64").to_numpy()
        if yv.size != len(X):
            raise DataError(f"y: expected {len(X)} responses, got {yv.size}")
        if np.isnan(yv).any() or not np.isin(yv, (0.0, 1.0)).all():
            raise DataError("y: expected responses coded true/false or 1/0 without missing values")
        num = X[list(self.numeric)].astype("float64")
        if not np.isfinite(num.to_numpy()).all():
            bad = [c for c in self.numeric if not np.isfinite(num[c]).all()]
            raise DataError(f"features: column(s) {bad} have missing or infinite values")
        n_pos, n_neg = int(yv.sum()), int((1 - yv).sum())
        if min(n_pos, n_neg) < 10 or round(self.test_size * yv.size) < self.n_bins:
            raise InsufficientDataError(
                f"offers: {n_pos} responders and {n_neg} non-responders among {yv.size} past offers; the response model "
                f"needs at least 10 of each, and at least {self.n_bins} offers in the holdout (test_size {self.test_size})"
            )

        self.levels_, self.reference_, self.pooled_ = {}, {}, {}
        for col in self.categorical:
            counts = X[col].astype("string").fillna("unknown").astype("str").value_counts()
            counts = counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
            wanted = (self.reference or {}).get(col)
            if wanted is not None and wanted not in counts.index:
                raise ParamsError(f"reference: {wanted!r} is not a level of {col!r} (levels: {', '.join(sorted(counts.index))})")
            ref = str(wanted) if wanted is not None else str(counts.index[0])
            self.reference_[col] = ref
            values = X[col].astype("string").fillna("unknown").astype("str").to_numpy()
            pos = pd.Series(yv).groupby(values).sum()
            mixed = {str(lv) for lv in counts.index if 0 < pos.get(lv, 0) < counts[lv]}  # both outcomes seen
            self.levels_[col] = sorted(str(lv) for lv, n in counts.items() if (n >= self.min_level_count and str(lv) in mixed) or lv == ref)
            self.pooled_[col] = sorted(str(lv) for lv in counts.index if str(lv) not in self.levels_[col])
        self.columns_ = list(self.numeric) + [f"{c}={lv}" for c in self.categorical for lv in self.levels_[c] if lv != self.reference_[c]]
        design = self._design(X)
        self.warnings_ = []
        self.dropped_ = []
        kept: list[str] = []
        base = np.ones((len(design), 1))
        for col in design.columns:  # keep a column only if it adds rank (no constant or collinear columns)
            trial = np.column_stack([base, design[kept + [col]].to_numpy()])
            if np.linalg.matrix_rank(trial) == trial.shape[1]:
                kept.append(col)
            else:
                self.dropped_.append(col)
        if self.dropped_:
            self.warnings_.append(f"design: dropped constant or collinear column(s) {', '.join(self.dropped_)}")
        for col, rare in self.pooled_.items():
            if rare:
                self.warnings_.append(
                    f"design: {col} level(s) {', '.join(rare)} seen in fewer than {self.min_level_count} offers "
                    f"or with one outcome only, pooled with {self.reference_[col]!r}"
                )
        self.columns_ = kept
        design = design[self.columns_]

        exog = sm.add_constant(design, has_constant="add")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                res = sm.Logit(yv, exog).fit(disp=0, maxiter=self.max_iter, method="newton")
            except np.linalg.LinAlgError as err:
                raise InsufficientDataError(
                    "offers: the response model cannot be estimated (singular information matrix: "
                    "some feature separates responders from non-responders); use fewer features or more offers"
                ) from err
        _record(caught, self.warnings_, "statsmodels Logit")
        ci = np.asarray(res.conf_int(alpha=1 - self.interval))
        with np.errstate(over="ignore"):  # a separated level has an infinite odds-ratio bound; shown as inf
            self.coef_ = pd.Series(np.asarray(res.params), index=exog.columns)
            self.odds_ratios_ = pd.DataFrame(
                {
                    "feature": exog.columns.astype("str"),
                    "coef": np.asarray(res.params),
                    "std_err": np.asarray(res.bse),
                    "odds_ratio": np.exp(np.asarray(res.params)),
                    "or_low": np.exp(ci[:, 0]),
                    "or_high": np.exp(ci[:, 1]),
                    "p_value": np.asarray(res.pvalues),
                }
            )
        self.sm_result_ = res

        def _clf():
            return make_pipeline(StandardScaler(), LogisticRegression(C=self.C, max_iter=self.max_iter))

        idx = np.arange(len(yv))
        tr, te = train_test_split(idx, test_size=self.test_size, random_state=self.seed, stratify=yv)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            holdout = _clf().fit(design.iloc[tr].to_numpy(), yv[tr])
            p_te = holdout.predict_proba(design.iloc[te].to_numpy())[:, 1]
            self.estimator_ = _clf().fit(design.to_numpy(), yv)
        _record(caught, self.warnings_, "scikit-learn LogisticRegression")
        self.auc_ = float(roc_auc_score(yv[te], p_te))
        self.holdout_ = pd.DataFrame({"responded": yv[te].astype(int), "p_response": p_te})
        self.calibration_ = calibration_table(yv[te], p_te, n_bins=self.n_bins)
        self.gains_ = gains_table(yv[te], p_te, n_bins=self.n_bins)
        self.n_offers_ = int(yv.size)
        self.response_rate_ = float(yv.mean())
        self.default_channel_ = self.reference_.get("channel")
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Probability of response for each row of ``X`` (same columns as in fit).

        Parameters
        ----------
        X : DataFrame

        Returns
        -------
        ndarray of float

        Raises
        ------
        NotFittedError
            Called before :meth:`fit`.
        """
        self._check_fitted()
        _require(X, [*self.numeric, *self.categorical], "features")
        return self.estimator_.predict_proba(self._design(X).to_numpy())[:, 1]

    def score(
        self,
        customers: pd.DataFrame,
        transactions: pd.DataFrame,
        *,
        asof,
        channel: str | None = None,
        product_id: str | None = None,
        customer_col: str = "customer_id",
    ) -> pd.DataFrame:
        """Score every current customer for an offer made now.

        Unlike scikit-learn's ``score`` (a metric), this returns each
        customer's predicted response probability.

        Parameters
        ----------
        customers, transactions : DataFrame
            The region's customers and order lines.
        asof : date-like
            Scoring date (features use orders up to it).
        channel : str, optional
            Channel of the planned offer; default the most frequent in the fit.
        product_id : str, optional
            Product of the planned offer.
        customer_col : str
            Customer id column.

        Returns
        -------
        DataFrame
            customers, transactions -> customer_id, [name, size_band,
            market_type,] p_response, rank (1 = most likely), sorted by rank.

        Raises
        ------
        NotFittedError
            Called before :meth:`fit`.
        """
        self._check_fitted()
        ch = channel if channel is not None else (self.default_channel_ or "unknown")
        feats = customer_features(customers, transactions, asof=asof, channel=ch, product_id=product_id, customer_col=customer_col)
        out = _attach(feats[[customer_col]].assign(p_response=self.predict_proba(feats)), customers, customer_col)
        out = (
            out.sort_values([customer_col], kind="stable").sort_values("p_response", ascending=False, kind="stable").reset_index(drop=True)
        )
        return out.assign(rank=np.arange(1, len(out) + 1))


def fit_response_model(
    offers: pd.DataFrame,
    customers: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    asof=None,
    test_size: float = 0.3,
    seed: int = 0,
    C: float = 1.0,
    interval: float = 0.95,
    n_bins: int = 10,
    min_level_count: int = 10,
    customer_col: str = "customer_id",
) -> ResponseModel:
    """Build offer-time features (:func:`offer_features`) and fit a :class:`ResponseModel`.

    Parameters
    ----------
    offers, customers, transactions : DataFrame
        Past offers (with ``responded``), customers and order lines.
    asof : date-like, optional
        Only offers on or before it are used.
    test_size, seed, C, interval, n_bins, min_level_count
        :class:`ResponseModel` settings.
    customer_col : str

    Returns
    -------
    ResponseModel
        Fitted.

    Raises
    ------
    DataError, InsufficientDataError
        As :func:`offer_features` and :meth:`ResponseModel.fit`.
    """
    _require(offers, ["responded", "offer_date"], "offers")
    off = offers if asof is None else offers.loc[offers["offer_date"] <= pd.Timestamp(asof)]
    if off.empty:
        when = f" on or before {pd.Timestamp(asof):%Y-%m-%d}" if asof is not None else ""
        raise InsufficientDataError(f"offers: no past offers{when}; the response model needs at least 10 responders and 10 non-responders")
    if off["responded"].isna().any():
        raise DataError("offers: column 'responded' has missing values; expected true/false for every offer")
    feats = offer_features(off, customers, transactions, customer_col=customer_col)
    model = ResponseModel(test_size=test_size, seed=seed, C=C, interval=interval, n_bins=n_bins, min_level_count=min_level_count)
    return model.fit(feats, feats["responded"].astype(bool))


# =========================================================================== 3. product cross analysis


def _basket_matrix(transactions: pd.DataFrame, basket_col: str, item_col: str):
    """Sparse 0/1 incidence matrix rows = baskets, columns = items (returns left out)."""
    lines = transactions
    if "quantity" in lines.columns:
        lines = lines.loc[lines["quantity"] > 0]
    baskets, b_idx = np.unique(lines[basket_col].astype("str").to_numpy(), return_inverse=True)
    items, i_idx = np.unique(lines[item_col].astype("str").to_numpy(), return_inverse=True)
    X = sparse.coo_matrix((np.ones(len(lines)), (b_idx, i_idx)), shape=(len(baskets), len(items))).tocsr()
    X.data = np.ones_like(X.data)  # presence, not line count
    return X, items, baskets


def co_purchase(
    transactions: pd.DataFrame,
    *,
    item_col: str = "product_id",
    basket_col: str = "order_id",
    min_count: int = 5,
    min_lift: float = 0.0,
) -> pd.DataFrame:
    """Support, confidence and lift of item pairs bought in the same order.

    Orders are baskets. With N baskets, n(A) baskets holding A and n(AB)
    holding both: support = n(AB) / N, confidence(A -> B) = n(AB) / n(A),
    lift = confidence / (n(B) / N) (Agrawal, Imielinski & Swami 1993,
    SIGMOD, section 2; lift ("interest"): Brin, Motwani, Ullman & Tsur 1997,
    SIGMOD). Pair counts come from one sparse product X'X of the
    basket-by-item incidence matrix; return lines (quantity <= 0) are left out.

    Parameters
    ----------
    transactions : DataFrame
        Order lines with ``basket_col`` and ``item_col`` (e.g. product_id or category).
    item_col, basket_col : str
    min_count : int
        Keep pairs bought together in at least this many baskets.
    min_lift : float
        Keep pairs with a lift above this (0 keeps all).

    Returns
    -------
    DataFrame
        order lines -> antecedent, consequent, n_antecedent, n_consequent,
        n_both, support, confidence, lift; both directions of each pair,
        sorted by lift, n_both (descending), antecedent, consequent.

    Raises
    ------
    DataError
        A column is missing.
    InsufficientDataError
        No baskets.
    """
    _require(transactions, [basket_col, item_col], "transactions")
    if min_count < 1:
        raise ParamsError(f"min_count: expected at least 1, got {min_count}")
    X, items, _ = _basket_matrix(transactions, basket_col, item_col)
    n_baskets = X.shape[0]
    if n_baskets == 0:
        raise InsufficientDataError("transactions: no orders to form baskets")
    C = (X.T @ X).tocoo()
    n_item = np.asarray(X.sum(axis=0)).ravel()
    keep = (C.row != C.col) & (C.data >= min_count)
    a, b, nab = C.row[keep], C.col[keep], C.data[keep]
    out = pd.DataFrame(
        {
            "antecedent": items[a],
            "consequent": items[b],
            "n_antecedent": n_item[a].astype("int64"),
            "n_consequent": n_item[b].astype("int64"),
            "n_both": nab.astype("int64"),
        }
    )
    out = out.assign(
        support=out["n_both"] / n_baskets,
        confidence=out["n_both"] / out["n_antecedent"],
        lift=out["n_both"] * n_baskets / (out["n_antecedent"] * out["n_consequent"]),
    )
    out = out.loc[out["lift"] > min_lift].astype({"antecedent": "str", "consequent": "str"})
    return out.sort_values(["lift", "n_both", "antecedent", "consequent"], ascending=[False, False, True, True], kind="stable").reset_index(
        drop=True
    )


def next_best_product(
    transactions: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    customer_col: str = "customer_id",
    item_col: str = "product_id",
    basket_col: str = "order_id",
    min_count: int = 5,
    min_lift: float = 1.0,
) -> pd.DataFrame:
    """For each customer, the product with the highest lift not yet bought.

    A customer who bought A is offered the B (never bought by them) with the
    highest lift(A -> B) over all A they bought (:func:`co_purchase`, pairs
    seen together at least ``min_count`` times and lift above ``min_lift``);
    ties go to the higher confidence, then the smaller product id. The
    maximisation is vectorised over customers, looping only over items.

    Parameters
    ----------
    transactions : DataFrame
        Order lines.
    customers : DataFrame, optional
        Adds name, size_band and market_type (those present) after the id.
    customer_col, item_col, basket_col : str
    min_count : int
    min_lift : float
        Only recommend pairs with lift above this (1 = independence).

    Returns
    -------
    DataFrame
        order lines[, customers] -> customer_id, [name, size_band,
        market_type,] next_product, because_of, lift, confidence; customers
        with no qualifying rule are left out; sorted
        by lift (descending), then customer id.

    Raises
    ------
    DataError
        A column is missing.
    """
    _require(transactions, [customer_col, basket_col, item_col], "transactions")
    rules = co_purchase(transactions, item_col=item_col, basket_col=basket_col, min_count=min_count, min_lift=min_lift)
    cols = [customer_col, "next_product", "because_of", "lift", "confidence"]
    if rules.empty:
        empty = pd.DataFrame({c: pd.Series(dtype="str" if c in (customer_col, "next_product", "because_of") else "float64") for c in cols})
        return _attach(empty, customers, customer_col)
    X, items, custs = _basket_matrix(transactions, customer_col, item_col)  # customers x items bought
    pos = {it: i for i, it in enumerate(items)}
    n_items = len(items)
    L = np.zeros((n_items, n_items))
    Cf = np.zeros((n_items, n_items))
    ai = rules["antecedent"].map(pos).to_numpy()
    bi = rules["consequent"].map(pos).to_numpy()
    L[ai, bi] = rules["lift"].to_numpy()
    Cf[ai, bi] = rules["confidence"].to_numpy()
    # key combines lift and confidence so that ties in lift break on confidence
    key = np.where(L > 0, L + Cf * 1e-9, -np.inf)
    bought = X.toarray().astype(bool)
    best = np.full(bought.shape, -np.inf)
    because = np.full(bought.shape, -1)
    for i in range(n_items):  # loop over items, vectorised over customers
        rows = bought[:, i]
        cand = np.where(rows[:, None], key[i][None, :], -np.inf)
        better = cand > best
        best = np.where(better, cand, best)
        because = np.where(better, i, because)
    best = np.where(bought, -np.inf, best)
    j = np.argmax(best, axis=1)  # first (smallest id) among equal keys
    val = best[np.arange(len(j)), j]
    ok = np.isfinite(val)
    ant = because[np.arange(len(j)), j]
    out = pd.DataFrame(
        {
            customer_col: custs[ok],
            "next_product": items[j[ok]],
            "because_of": items[ant[ok]],
            "lift": L[ant[ok], j[ok]],
            "confidence": Cf[ant[ok], j[ok]],
        }
    ).astype({customer_col: "str", "next_product": "str", "because_of": "str"})
    out = out.sort_values([customer_col], kind="stable").sort_values("lift", ascending=False, kind="stable").reset_index(drop=True)
    return _attach(out, customers, customer_col)


# =========================================================================== 4. revenue forecast


def monthly_revenue(
    transactions: pd.DataFrame,
    *,
    end=None,
    date_col: str = "order_date",
    value_col: str = "revenue",
) -> pd.Series:
    """Total revenue per calendar month, months without orders as 0.

    Parameters
    ----------
    transactions : DataFrame
        Order lines.
    end : date-like, optional
        Last day counted; the series ends with its month. Default: last order date.
    date_col, value_col : str

    Returns
    -------
    Series
        order lines -> revenue indexed by month start (DatetimeIndex, freq "MS").

    Raises
    ------
    InsufficientDataError
        No orders on or before ``end``.
    """
    _require(transactions, [date_col, value_col], "transactions")
    end = pd.Timestamp(end) if end is not None else pd.Timestamp(transactions[date_col].max())
    tx = transactions.loc[transactions[date_col] <= end]
    if tx.empty:
        raise InsufficientDataError(f"transactions: no orders on or before {end:%Y-%m-%d}")
    month = tx[date_col].dt.to_period("M").dt.to_timestamp()
    s = tx.groupby(month)[value_col].sum()
    idx = pd.date_range(s.index.min(), _month_start(end), freq="MS")
    return s.reindex(idx, fill_value=0.0).astype("float64").rename("revenue").rename_axis("month")


def seasonal_naive(y, h: int, m: int = 12) -> np.ndarray:
    """Seasonal-naive forecast: y_hat(T + j) = y(T + j - m * ceil(j / m)).

    Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd
    ed., section 5.2.

    Parameters
    ----------
    y : array-like
        History, at least ``m`` values.
    h : int
        Horizon.
    m : int
        Season length.

    Returns
    -------
    ndarray of length h

    Raises
    ------
    InsufficientDataError
        Fewer than ``m`` values.
    """
    y = np.asarray(y, dtype="float64")
    if y.size < m:
        raise InsufficientDataError(f"seasonal_naive: need at least one season ({m} values), got {y.size}")
    j = np.arange(1, h + 1)
    return y[y.size - m + (j - 1) % m]


def mase(actual, forecast, train, *, m: int = 12) -> float:
    """Mean absolute scaled error (Hyndman & Koehler 2006, *IJF* 22(4), eq. for seasonal MASE).

    MASE = mean|actual - forecast| / ( 1/(n-m) * sum_{t>m} |y_t - y_{t-m}| ),
    the in-sample seasonal-naive error of the training series as the scale.

    Parameters
    ----------
    actual, forecast : array-like
        Out-of-sample values and forecasts.
    train : array-like
        Training series (longer than ``m``).
    m : int
        Season length (1 = non-seasonal naive).

    Returns
    -------
    float

    Raises
    ------
    InsufficientDataError
        Training series not longer than m, or a zero scale (constant seasonal series).
    """
    a, f, y = (np.asarray(v, dtype="float64") for v in (actual, forecast, train))
    if y.size <= m:
        raise InsufficientDataError(f"mase: the training series needs more than {m} values, got {y.size}")
    scale = np.mean(np.abs(y[m:] - y[:-m]))
    if scale == 0:
        raise InsufficientDataError(
            "mase: the training series repeats exactly each season (e.g. no revenue in the same months a year apart), "
            "so forecast errors cannot be scaled; a forecast check needs revenue that varies from year to year"
        )
    return float(np.mean(np.abs(a - f)) / scale)


def _fit_predict(
    name: str, y: pd.Series, h: int, *, m: int, level: float, maxiter: int, sarimax_order, sarimax_seasonal_order, sink: list[str]
) -> pd.DataFrame:
    """Fit one model on y and forecast h steps: frame mean, lower, upper indexed by month."""
    idx = pd.date_range(y.index[-1] + pd.offsets.MonthBegin(1), periods=h, freq="MS")
    alpha = 1 - level
    if name == "seasonal_naive":
        v = y.to_numpy()
        f = seasonal_naive(v, h, m)
        resid = v[m:] - v[:-m]
        sigma = float(np.sqrt(np.mean(resid**2))) if resid.size else 0.0
        k = (np.arange(1, h + 1) - 1) // m
        half = stats.norm.ppf(1 - alpha / 2) * sigma * np.sqrt(k + 1)  # FPP3 table 5.2
        return pd.DataFrame({"mean": f, "lower": f - half, "upper": f + half}, index=idx)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if name == "ets":
            from statsmodels.tsa.exponential_smoothing.ets import ETSModel

            res = ETSModel(y, error="add", trend="add", damped_trend=True, seasonal="add", seasonal_periods=m).fit(
                disp=False, maxiter=maxiter
            )
            fr = res.get_prediction(start=len(y), end=len(y) + h - 1).summary_frame(alpha=alpha)
            out = pd.DataFrame(
                {"mean": fr["mean"].to_numpy(), "lower": fr["pi_lower"].to_numpy(), "upper": fr["pi_upper"].to_numpy()}, index=idx
            )
        elif name == "sarimax":
            from statsmodels.tsa.statespace.sarimax import SARIMAX

            res = SARIMAX(y, order=tuple(sarimax_order), seasonal_order=(*sarimax_seasonal_order, m), trend="c").fit(
                disp=False, maxiter=maxiter
            )
            fr = res.get_forecast(h).summary_frame(alpha=alpha)
            out = pd.DataFrame(
                {"mean": fr["mean"].to_numpy(), "lower": fr["mean_ci_lower"].to_numpy(), "upper": fr["mean_ci_upper"].to_numpy()}, index=idx
            )
        else:
            raise ParamsError(f"models: unknown model {name!r}; expected ets, sarimax")
    _record(caught, sink, name)
    return out


@dataclass
class RevenueForecast:
    """Result of :func:`forecast_series` / :func:`forecast_revenue`.

    Attributes
    ----------
    history : Series
        Monthly revenue used.
    forecast : DataFrame
        month index; mean, lower, upper of the chosen model.
    backtest : DataFrame
        model, mase, relative_mase (to seasonal naive), origins, chosen.
    chosen : str
        "ets", "sarimax" or "seasonal_naive".
    beats_naive : bool
        Whether any model had a lower backtest MASE than seasonal naive.
    level : float
        Prediction interval level.
    warnings : list of str
        Fit warnings (convergence etc.), recorded instead of shown.
    """

    history: pd.Series
    forecast: pd.DataFrame
    backtest: pd.DataFrame
    chosen: str
    beats_naive: bool
    level: float
    warnings: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """One sentence for the report."""
        bt = self.backtest.set_index("model")
        if self.beats_naive:
            return (
                f"{self.chosen} is shown: its backtest MASE {bt.loc[self.chosen, 'mase']:.2f} beats the seasonal-naive "
                f"baseline's {bt.loc['seasonal_naive', 'mase']:.2f}."
            )
        return (
            f"No model beat the seasonal-naive baseline in the backtest (MASE {bt.loc['seasonal_naive', 'mase']:.2f}); "
            "the seasonal-naive forecast is shown."
        )


def backtest_series(
    y: pd.Series,
    *,
    models: tuple[str, ...] | list[str] = ("ets", "sarimax"),
    horizon: int = 3,
    n_origins: int = 6,
    season: int = 12,
    interval: float = 0.9,
    maxiter: int = 100,
    sarimax_order=(1, 0, 0),
    sarimax_seasonal_order=(0, 1, 1),
    warnings_sink: list[str] | None = None,
) -> pd.DataFrame:
    """Rolling-origin backtest of each model and of seasonal naive, scored by MASE.

    Origins: the training series ends at n - horizon - j for j = 0 ..
    n_origins - 1 (each fit sees only data before its origin); each
    forecasts ``horizon`` months; MASE (:func:`mase`) per origin, averaged
    over origins (Tashman 2000, *IJF* 16(4), "rolling-origin evaluation";
    Hyndman & Koehler 2006). Fewer origins are used when the series is
    short, keeping at least two seasons of training data.

    Parameters
    ----------
    y : Series
        Monthly values with a DatetimeIndex.
    models : list of str
        Any of "ets" (ETS(A,Ad,A), statsmodels ETSModel; Hyndman et al. 2008,
        *Forecasting with Exponential Smoothing*) and "sarimax" (statsmodels
        SARIMAX(order)(seasonal_order)_m with a constant; Box & Jenkins).
    horizon, n_origins, season : int
    interval : float
    maxiter : int
        Optimiser iteration limit of each fit.
    sarimax_order, sarimax_seasonal_order : sequence of 3 int
    warnings_sink : list, optional
        Receives fit warnings.

    Returns
    -------
    DataFrame
        -> model, mase, relative_mase, origins; seasonal_naive first.

    Raises
    ------
    InsufficientDataError
        Fewer than 2 * season + horizon values.
    """
    sink = warnings_sink if warnings_sink is not None else []
    n = len(y)
    k = min(n_origins, n - 2 * season - horizon + 1)
    if k < 1:
        span = f" ({y.index[0]:%Y-%m} to {y.index[-1]:%Y-%m})" if n and isinstance(y.index, pd.DatetimeIndex) else ""
        raise InsufficientDataError(
            f"revenue: {n} months of history{span}; the forecast and its backtest need at least {2 * season + horizon} "
            f"months (two {season}-month seasons plus the {horizon}-month backtest horizon)"
        )
    kw = dict(
        m=season, level=interval, maxiter=maxiter, sarimax_order=sarimax_order, sarimax_seasonal_order=sarimax_seasonal_order, sink=sink
    )
    scores: dict[str, list[float]] = {name: [] for name in ("seasonal_naive", *models)}
    for j in range(k):  # a handful of origins
        cut = n - horizon - j
        train, test = y.iloc[:cut], y.iloc[cut : cut + horizon].to_numpy()
        for name in scores:
            f = _fit_predict(name, train, horizon, **kw)["mean"].to_numpy()
            scores[name].append(mase(test, f, train.to_numpy(), m=season))
    naive = float(np.mean(scores["seasonal_naive"]))
    rows = [
        {"model": name, "mase": float(np.mean(v)), "relative_mase": float(np.mean(v)) / naive if naive > 0 else np.nan, "origins": k}
        for name, v in scores.items()
    ]
    return pd.DataFrame(rows)


def forecast_series(
    y: pd.Series,
    *,
    horizon: int = 6,
    backtest_horizon: int = 3,
    n_origins: int = 6,
    season: int = 12,
    interval: float = 0.9,
    models: tuple[str, ...] | list[str] = ("ets", "sarimax"),
    maxiter: int = 100,
    sarimax_order=(1, 0, 0),
    sarimax_seasonal_order=(0, 1, 1),
) -> RevenueForecast:
    """Backtest the models, pick the lowest MASE, forecast with prediction intervals.

    A model is chosen only when its backtest MASE is below seasonal naive's
    (relative MASE < 1); otherwise the seasonal-naive forecast (interval
    sigma * sqrt(k + 1), FPP3 section 5.5) is returned with
    ``beats_naive=False`` so the report can say so.

    Parameters
    ----------
    y : Series
        Monthly values (DatetimeIndex).
    horizon : int
        Months forecast.
    backtest_horizon, n_origins, season, interval, models, maxiter, sarimax_order, sarimax_seasonal_order
        See :func:`backtest_series`.

    Returns
    -------
    RevenueForecast

    Raises
    ------
    InsufficientDataError
        Series too short for the backtest.
    ParamsError
        Unknown model name or bad interval.
    """
    _check_level(interval, "interval")
    for name in models:
        if name not in ("ets", "sarimax"):
            raise ParamsError(f"models: unknown model {name!r}; expected ets, sarimax")
    sink: list[str] = []
    bt = backtest_series(
        y,
        models=models,
        horizon=backtest_horizon,
        n_origins=n_origins,
        season=season,
        interval=interval,
        maxiter=maxiter,
        sarimax_order=sarimax_order,
        sarimax_seasonal_order=sarimax_seasonal_order,
        warnings_sink=sink,
    )
    ranked = bt.sort_values(["mase", "model"], kind="stable")
    best = str(ranked["model"].iloc[0])
    naive = float(bt.loc[bt["model"] == "seasonal_naive", "mase"].iloc[0])
    beats = best != "seasonal_naive" and float(ranked["mase"].iloc[0]) < naive
    chosen = best if beats else "seasonal_naive"
    fc = _fit_predict(
        chosen,
        y,
        horizon,
        m=season,
        level=interval,
        maxiter=maxiter,
        sarimax_order=sarimax_order,
        sarimax_seasonal_order=sarimax_seasonal_order,
        sink=sink,
    )
    fc = fc.rename_axis("month")
    return RevenueForecast(y.copy(), fc, bt.assign(chosen=bt["model"] == chosen), chosen, bool(beats), interval, sink)


def forecast_revenue(transactions: pd.DataFrame, *, end=None, **kwargs) -> RevenueForecast:
    """The region's monthly revenue (:func:`monthly_revenue`) forecast by :func:`forecast_series`.

    Parameters
    ----------
    transactions : DataFrame
        The region's order lines (its customers' revenue).
    end : date-like, optional
        Last day of history (the report quarter's end).
    **kwargs
        :func:`forecast_series` settings (the ``development.forecast`` params).

    Returns
    -------
    RevenueForecast

    Raises
    ------
    InsufficientDataError, ParamsError
        As :func:`forecast_series`.
    """
    return forecast_series(monthly_revenue(transactions, end=end), **kwargs)


def plot_revenue_forecast(result: RevenueForecast, ax=None, *, title: str | None = None, currency: str = ""):
    """History, forecast and prediction interval of a :class:`RevenueForecast`.

    Parameters
    ----------
    result : RevenueForecast
    ax : matplotlib Axes, optional
    title : str, optional
        Default names the model shown.
    currency : str
        Shown in the axis label.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.subplots()[1]
    h, f = result.history, result.forecast
    ax.plot(h.index, h.to_numpy(), marker=".", label="actual")
    ax.plot(f.index, f["mean"].to_numpy(), marker=".", label=f"forecast ({result.chosen})")
    ax.fill_between(f.index, f["lower"].to_numpy(), f["upper"].to_numpy(), alpha=0.25, label=f"{result.level:.0%} prediction interval")
    ax.set_ylabel(f"revenue per month ({currency})" if currency else "revenue per month")
    ax.legend(loc="upper left")
    ax.set_title(title if title is not None else f"Monthly revenue and forecast ({result.chosen})")
    return ax


# =========================================================================== 6. early warning


def _monthly_panel(transactions: pd.DataFrame, months: pd.DatetimeIndex, customer_col: str, line_col: str):
    """Wide arrays customers x months of revenue and orders, and the lines per customer-month."""
    tx = transactions.assign(_m=transactions["order_date"].dt.to_period("M").dt.to_timestamp())
    tx = tx.loc[tx["_m"].isin(months)]
    custs = np.unique(tx[customer_col].astype("str").to_numpy())
    ci = pd.Index(custs).get_indexer(tx[customer_col].astype("str"))
    mi = months.get_indexer(tx["_m"])
    shape = (len(custs), len(months))
    rev = np.zeros(shape)
    np.add.at(rev, (ci, mi), tx["revenue"].to_numpy(dtype="float64"))
    pos = tx["quantity"].to_numpy(dtype="float64") > 0 if "quantity" in tx.columns else np.ones(len(tx), bool)
    om = pd.DataFrame({"c": ci[pos], "m": mi[pos], "o": tx["order_id"].astype("str").to_numpy()[pos]}).drop_duplicates()
    orders = np.zeros(shape)
    np.add.at(orders, (om["c"].to_numpy(), om["m"].to_numpy()), 1.0)
    lines = pd.DataFrame({"c": ci[pos], "m": mi[pos], "l": tx[line_col].astype("str").to_numpy()[pos]}).drop_duplicates()
    return custs, rev, orders, lines


def early_warning(
    transactions: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    asof=None,
    measure: str = "revenue",
    decline_months: int = 3,
    decline_min_pct: float = 0.2,
    smooth_months: int = 3,
    drop_pct: float = 0.5,
    recent_months: int = 3,
    trailing_months: int = 12,
    line_window_months: int = 6,
    min_lines_lost: int = 2,
    min_trailing_orders: int = 6,
    bgnbd=None,
    time_unit: str = "W",
    customer_col: str = "customer_id",
    line_col: str = "category",
) -> pd.DataFrame:
    """Watch list of customers whose buying is slipping, with the evidence (DOMAIN.md section 3).

    Monthly revenue and order counts per customer up to the month of
    ``asof``. Three rules, each evaluated on customers with at least
    ``min_trailing_orders`` orders in the ``trailing_months`` before the
    recent window (an established relationship):

    - **decline**: the ``smooth_months``-month moving sum of ``measure``
      ("revenue" or "orders") fell month on month in each of the last
      ``decline_months`` months (a run of consecutive declines; the
      moving sum keeps ordinary order lumpiness from firing it) and fell by
      at least ``decline_min_pct`` over the run (small drifts do not fire);
    - **drop**: the mean of the last ``recent_months`` months is at least
      ``drop_pct`` below the mean of the ``trailing_months`` before them;
    - **lines**: the number of distinct ``line_col`` values (product lines)
      bought in the last ``line_window_months`` is at least
      ``min_lines_lost`` below the number in the ``line_window_months``
      before that.

    Ranking: number of rules fired (descending), then monthly revenue
    lost = trailing mean - recent mean (descending), then customer id.
    When a fitted BG/NBD model from :mod:`custlib.clv` is passed, each
    customer's probability of being alive (Fader, Hardie & Lee 2005, eq.
    18) is added from :func:`custlib.clv.rfm_summary` at ``asof``.

    Parameters
    ----------
    transactions : DataFrame
        Order lines: customer_id, order_id, order_date, revenue, ``line_col``.
    customers : DataFrame, optional
        Adds name, size_band and market_type (those present) after the id.
    asof : date-like, optional
        Last day observed; default the last order date. The month of ``asof``
        is the last month of the recent window.
    measure : {"revenue", "orders"}
        Measure of the decline rule.
    decline_months, decline_min_pct, smooth_months, drop_pct, recent_months, trailing_months, line_window_months, min_lines_lost, min_trailing_orders
        Rule settings, see above (the ``development.early_warning`` params).
    bgnbd : fitted BG/NBD model, optional
        An object with ``probability_alive(frequency, recency, T)`` fitted in ``time_unit``.
    time_unit : str
        Time unit of ``bgnbd`` ("W" or "D").
    customer_col, line_col : str

    Returns
    -------
    DataFrame
        order lines[, customers] -> one row per flagged customer: customer_id,
        [name, size_band, market_type,] rules (count), decline, drop, lines (bool flags), months_declining,
        decline_pct (fall of the moving sum over the run), recent_avg_revenue, trailing_avg_revenue, revenue_change_pct,
        lost_revenue_per_month, lines_before, lines_recent, p_alive (NaN
        without ``bgnbd``), evidence (text), rank; sorted by rank.

    Raises
    ------
    ParamsError
        Bad rule settings.
    DataError
        A column is missing.
    InsufficientDataError
        Less history than the rules' windows.
    """
    _require(transactions, [customer_col, "order_id", "order_date", "revenue", line_col], "transactions")
    if measure not in ("revenue", "orders"):
        raise ParamsError(f"measure: {measure!r}; expected 'revenue' or 'orders'")
    for name, v in dict(
        decline_months=decline_months,
        smooth_months=smooth_months,
        recent_months=recent_months,
        trailing_months=trailing_months,
        line_window_months=line_window_months,
        min_lines_lost=min_lines_lost,
    ).items():
        if int(v) < 1:
            raise ParamsError(f"{name}: expected at least 1, got {v}")
    if not 0 < drop_pct < 1:
        raise ParamsError(f"drop_pct: expected a fraction between 0 and 1, got {drop_pct}")
    if not 0 <= decline_min_pct < 1:
        raise ParamsError(f"decline_min_pct: expected a fraction in [0, 1), got {decline_min_pct}")
    asof = pd.Timestamp(asof) if asof is not None else pd.Timestamp(transactions["order_date"].max())
    tx = transactions.loc[transactions["order_date"] <= asof]
    if tx.empty:
        raise InsufficientDataError(f"transactions: no orders on or before {asof:%Y-%m-%d}")
    need = max(recent_months + trailing_months, decline_months + smooth_months, 2 * line_window_months)
    last = _month_start(asof)
    months = pd.date_range(end=last, periods=need, freq="MS")
    first_data = _month_start(tx["order_date"].min())
    if months[0] < first_data:
        raise InsufficientDataError(
            f"transactions: the rules need {need} months of history up to {asof:%Y-%m}; the data starts {first_data:%Y-%m}"
        )
    custs, rev, orders, lines = _monthly_panel(tx, months, customer_col, line_col)
    T = len(months)
    rec = slice(T - recent_months, T)
    trl = slice(T - recent_months - trailing_months, T - recent_months)
    established = orders[:, trl].sum(axis=1) >= min_trailing_orders

    series = rev if measure == "revenue" else orders
    csum = np.cumsum(np.pad(series, ((0, 0), (1, 0))), axis=1)
    moving = csum[:, smooth_months:] - csum[:, :-smooth_months]  # moving sums ending at months smooth_months-1 .. T-1
    falls = moving[:, 1:] < moving[:, :-1]
    run = np.zeros(len(custs), dtype=int)
    alive = np.ones(len(custs), dtype=bool)
    for j in range(falls.shape[1] - 1, -1, -1):  # consecutive falls counted back from the latest month
        alive &= falls[:, j]
        run += alive
    start = moving[np.arange(len(custs)), moving.shape[1] - 1 - run]  # moving sum before the run of falls
    with np.errstate(divide="ignore", invalid="ignore"):
        decline_pct = np.where(start > 0, 1 - moving[:, -1] / start, 0.0)
    decline = established & (run >= decline_months) & (decline_pct >= decline_min_pct)

    recent_avg = rev[:, rec].mean(axis=1)
    trailing_avg = rev[:, trl].mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(trailing_avg > 0, recent_avg / trailing_avg - 1, np.nan)
    drop = established & (trailing_avg > 0) & (change <= -drop_pct)

    w = line_window_months
    lines_recent = lines.loc[lines["m"] >= T - w].groupby("c")["l"].nunique().reindex(range(len(custs)), fill_value=0).to_numpy()
    lines_before = (
        lines.loc[(lines["m"] >= T - 2 * w) & (lines["m"] < T - w)]
        .groupby("c")["l"]
        .nunique()
        .reindex(range(len(custs)), fill_value=0)
        .to_numpy()
    )
    shrink = established & (lines_before - lines_recent >= min_lines_lost)

    fired = decline | drop | shrink
    out = pd.DataFrame(
        {
            customer_col: custs,
            "rules": decline.astype(int) + drop.astype(int) + shrink.astype(int),
            "decline": decline,
            "drop": drop,
            "lines": shrink,
            "months_declining": run,
            "decline_pct": decline_pct,
            "recent_avg_revenue": recent_avg,
            "trailing_avg_revenue": trailing_avg,
            "revenue_change_pct": change,
            "lost_revenue_per_month": trailing_avg - recent_avg,
            "lines_before": lines_before,
            "lines_recent": lines_recent,
            "p_alive": np.nan,
        }
    ).loc[fired]
    if bgnbd is not None and len(out):
        from . import clv

        summ = clv.rfm_summary(
            tx, customer_col=customer_col, date_col="order_date", value_col="revenue", calibration_end=asof, time_unit=time_unit
        )
        summ = summ.set_index(customer_col) if customer_col in summ.columns else summ
        summ.index = summ.index.astype("str")
        s = summ.reindex(out[customer_col])
        pa = np.asarray(bgnbd.probability_alive(s["frequency"].to_numpy(), s["recency"].to_numpy(), s["T"].to_numpy()), dtype="float64")
        out = out.assign(p_alive=pa)

    def _evidence(r) -> str:
        parts = []
        if r["decline"]:
            parts.append(
                f"{measure} ({smooth_months}-month total) fell {int(r['months_declining'])} months in a row, by {r['decline_pct']:.0%}"
            )
        if r["drop"]:
            parts.append(
                f"last {recent_months} months average {r['recent_avg_revenue']:,.0f} is {-r['revenue_change_pct']:.0%} below the {trailing_months}-month average {r['trailing_avg_revenue']:,.0f}"
            )
        if r["lines"]:
            parts.append(f"product lines {int(r['lines_before'])} -> {int(r['lines_recent'])} (last {w} months against the {w} before)")
        if np.isfinite(r["p_alive"]):
            parts.append(f"P(alive) {r['p_alive']:.0%}")
        return "; ".join(parts)

    out = out.assign(evidence=[_evidence(r) for _, r in out.iterrows()] if len(out) else pd.Series(dtype="str"))
    out = out.sort_values(customer_col, kind="stable").sort_values(
        ["rules", "lost_revenue_per_month"], ascending=[False, False], kind="stable"
    )
    out = out.reset_index(drop=True)
    out = out.assign(rank=np.arange(1, len(out) + 1)).astype({customer_col: "str", "evidence": "str"})
    return _attach(out, customers, customer_col)


# =========================================================================== 7. development KPIs


def _quarter_frame(transactions: pd.DataFrame, customer_col: str, service_costs: pd.DataFrame | None) -> pd.DataFrame:
    """Revenue and profit per customer and quarter, with the customer's first quarter."""
    q = transactions["order_date"].dt.to_period("Q")
    tx = transactions.assign(_q=q, _gp=transactions["revenue"] - transactions["cost"])
    g = tx.groupby([customer_col, "_q"], sort=True).agg(revenue=("revenue", "sum"), profit=("_gp", "sum")).reset_index()
    if service_costs is not None:
        sc = (
            service_costs.assign(_q=service_costs["month"].dt.to_period("Q"))
            .groupby([customer_col, "_q"])["cost_to_serve"]
            .sum()
            .rename("serve")
            .reset_index()
        )
        g = g.merge(sc, on=[customer_col, "_q"], how="left")
        g = g.assign(profit=g["profit"] - g["serve"].fillna(0.0)).drop(columns="serve")
    first = tx.groupby(customer_col)["_q"].min().rename("_first")
    # customers already buying in the data's first quarter are of unknown age: count them as existing
    first = first.where(first > q.min(), q.min() - 1)
    return g.join(first, on=customer_col)


def development_kpis(
    transactions: pd.DataFrame,
    service_costs: pd.DataFrame | None = None,
    *,
    quarter,
    n_quarters: int = 8,
    trend_quarters: int = 4,
    customer_col: str = "customer_id",
) -> pd.DataFrame:
    """Development measures per quarter: existing customers against new ones (DOMAIN.md section 3).

    A customer is *existing* in a quarter when their first order was in an
    earlier quarter and *new* when it was in that quarter. Customers already
    buying in the first quarter of ``transactions`` count as existing there
    (their earlier history is not in the data), so that quarter shows no new
    customers. Per quarter: revenue and profit (gross profit, minus cost to
    serve when ``service_costs`` is given) of existing and of new customers;
    the change of existing customers' revenue and profit against the
    previous quarter and the same quarter a year earlier (absolute and
    relative; NaN when that quarter lies before the data); existing
    customers' share of the total; ``dev_minus_new_profit`` = year-on-year profit
    growth from existing customers minus the profit of new customers
    (development against acquisition: negative means new customers brought
    more); and the trend: OLS slope of existing revenue over the last
    ``trend_quarters`` quarters (per quarter, and relative to their mean)
    with the number of consecutive quarters of year-on-year growth. These
    are the literature's development measures as listed in DOMAIN.md
    section 3 (change, trend, share, comparison with acquisition).

    Parameters
    ----------
    transactions : DataFrame
        Order lines: customer_id, order_date, revenue, cost (whole history).
    service_costs : DataFrame, optional
        customer_id, month, cost_to_serve.
    quarter : Quarter or str
        Last quarter reported.
    n_quarters : int
        Quarters shown (ending with ``quarter``).
    trend_quarters : int
        Window of the trend slope (>= 2).
    customer_col : str

    Returns
    -------
    DataFrame
        order lines -> one row per quarter (str "2026Q3"): quarter,
        existing_customers, new_customers, existing_revenue, new_revenue,
        total_revenue, existing_profit, new_profit, total_profit,
        existing_revenue_qoq, existing_revenue_qoq_pct,
        existing_revenue_yoy, existing_revenue_yoy_pct, existing_profit_qoq,
        existing_profit_qoq_pct, existing_profit_yoy, existing_profit_yoy_pct,
        existing_share_revenue, existing_share_profit, dev_minus_new_profit,
        trend_slope_revenue, trend_slope_pct, yoy_growth_streak.

    Raises
    ------
    DataError
        A column is missing.
    InsufficientDataError
        No orders up to ``quarter``.
    ParamsError
        Bad ``n_quarters`` / ``trend_quarters``.
    """
    _require(transactions, [customer_col, "order_date", "revenue", "cost"], "transactions")
    if n_quarters < 1 or trend_quarters < 2:
        raise ParamsError(f"n_quarters >= 1 and trend_quarters >= 2 expected, got {n_quarters}, {trend_quarters}")
    q = Quarter.parse(quarter)
    tx = transactions.loc[transactions["order_date"] <= q.end]
    if tx.empty:
        raise InsufficientDataError(f"transactions: no orders up to {q}")
    g = _quarter_frame(tx, customer_col, None if service_costs is None else service_costs.loc[service_costs["month"] <= q.end])
    g = g.assign(kind=np.where(g["_first"] < g["_q"], "existing", "new"))
    last = pd.Period(str(q), freq="Q")
    first = min(g["_q"].min(), last - (n_quarters + 4 + trend_quarters))
    periods = pd.period_range(first, last, freq="Q")
    piv = g.pivot_table(index="_q", columns="kind", values=["revenue", "profit"], aggfunc="sum", fill_value=0.0).reindex(
        periods, fill_value=0.0
    )
    cnt = g.groupby(["_q", "kind"]).size().unstack(fill_value=0).reindex(periods, fill_value=0)
    out = pd.DataFrame(index=periods)
    for kind in ("existing", "new"):
        out[f"{kind}_customers"] = cnt[kind].astype("int64") if kind in cnt.columns else 0
    for m in ("revenue", "profit"):
        for kind in ("existing", "new"):
            out[f"{kind}_{m}"] = piv[(m, kind)].astype("float64") if (m, kind) in piv.columns else 0.0
        out[f"total_{m}"] = out[f"existing_{m}"] + out[f"new_{m}"]
    data_start = tx["order_date"].min().to_period("Q")
    for m in ("revenue", "profit"):
        e = out[f"existing_{m}"]
        for tag, lag in (("qoq", 1), ("yoy", 4)):
            prev = e.shift(lag).where(out.index - lag >= data_start)  # no comparison with quarters before the data
            out[f"existing_{m}_{tag}"] = e - prev
            out[f"existing_{m}_{tag}_pct"] = (e - prev) / prev.abs().where(prev != 0)
        out[f"existing_share_{m}"] = e / out[f"total_{m}"].where(out[f"total_{m}"] != 0)
    out["dev_minus_new_profit"] = out["existing_profit_yoy"] - out["new_profit"]
    x = np.arange(trend_quarters, dtype="float64")
    xc = x - x.mean()
    e = out["existing_revenue"]
    slope = e.rolling(trend_quarters).apply(lambda v: float(np.dot(xc, v - v.mean()) / np.dot(xc, xc)), raw=True)
    out["trend_slope_revenue"] = slope
    out["trend_slope_pct"] = slope / e.rolling(trend_quarters).mean().where(lambda s: s != 0)
    grow = (out["existing_revenue_yoy"] > 0).astype(int).to_numpy()
    streak = np.zeros(len(grow), dtype="int64")
    for i in range(len(grow)):  # quarters, not orders
        streak[i] = (streak[i - 1] + 1 if i else 1) if grow[i] else 0
    out["yoy_growth_streak"] = streak
    out = out.iloc[-n_quarters:]
    out.index = out.index.astype("str")
    return out.rename_axis("quarter").reset_index()


def kpi_summary(kpis: pd.DataFrame, *, currency: str = "") -> str:
    """One paragraph on the latest quarter of :func:`development_kpis` for the report.

    States existing customers' revenue and its change against the previous
    quarter and a year earlier, the run of year-on-year growth (sustained
    growth signals potential), their share of revenue, and whether
    development (year-on-year profit growth from existing customers) returned
    more or less than acquisition (profit of new customers); when it returned
    less, DOMAIN.md section 3 advises moving resources to acquisition.

    Parameters
    ----------
    kpis : DataFrame
        Output of :func:`development_kpis` (the last row is described).
    currency : str
        Prefix of money amounts.

    Returns
    -------
    str
        kpis -> text (numbers only, no customer data).

    Raises
    ------
    DataError
        Empty or missing columns.
    """
    _require(
        kpis,
        [
            "quarter",
            "existing_revenue",
            "existing_revenue_qoq_pct",
            "existing_revenue_yoy_pct",
            "existing_share_revenue",
            "existing_profit_yoy",
            "new_profit",
            "yoy_growth_streak",
        ],
        "kpis",
    )
    if kpis.empty:
        raise DataError("kpis: no quarters to describe")
    r = kpis.iloc[-1]
    cur = f"{currency} " if currency else ""

    def pct(v) -> str:
        return "n/a" if pd.isna(v) else f"{v:+.1%}"

    streak = int(r["yoy_growth_streak"])
    growth = (
        f"{streak} quarter{'s' if streak != 1 else ''} of year-on-year growth running" if streak else "no year-on-year growth this quarter"
    )
    dev_gain, acq = float(r["existing_profit_yoy"]), float(r["new_profit"])
    if pd.isna(dev_gain):
        verdict = "there is no quarter a year earlier to compare development with acquisition."
    else:
        change = f"added {cur}{dev_gain:,.0f} of profit" if dev_gain >= 0 else f"lost {cur}{-dev_gain:,.0f} of profit"
        verdict = f"development {change} on a year earlier, against {cur}{acq:,.0f} earned from new customers: " + (
            "development returned more." if dev_gain >= acq else "acquisition returned more this quarter."
        )
    share = r["existing_share_revenue"]
    share_text = "no revenue at all this quarter" if pd.isna(share) else f"{float(share):.0%} of all revenue"
    return (
        f"In {r['quarter']} existing customers bought {cur}{float(r['existing_revenue']):,.0f} "
        f"({pct(r['existing_revenue_qoq_pct'])} on the previous quarter, {pct(r['existing_revenue_yoy_pct'])} on a year earlier; {growth}), "
        f"{share_text}; {verdict}"
    )


def winback_candidates(
    transactions: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    quarter,
    lapsed_quarters: int = 2,
    value_quarters: int = 4,
    value_quantile: float = 0.75,
    bgnbd=None,
    time_unit: str = "W",
    customer_col: str = "customer_id",
) -> pd.DataFrame:
    """Lapsed customers who were valuable: the win-back list (客户再生, DOMAIN.md section 3).

    *Lapsed*: no order in the last ``lapsed_quarters`` quarters up to and
    including ``quarter``, but orders before. *Valuable*: gross profit in
    the ``value_quarters`` quarters ending with their last active quarter
    at least the ``value_quantile`` quantile of the same measure among
    customers active now (profit over the last ``value_quarters`` quarters
    ending with ``quarter``), so a candidate earned what a good current
    customer earns. Ranked by that past profit.

    Parameters
    ----------
    transactions : DataFrame
        Order lines: customer_id, order_id, order_date, revenue, cost.
    customers : DataFrame, optional
        Adds name, size_band and market_type (those present) after the id.
    quarter : Quarter or str
        Report quarter.
    lapsed_quarters, value_quarters : int
    value_quantile : float
    bgnbd : fitted BG/NBD model, optional
        Adds p_alive (see :func:`early_warning`).
    time_unit : str
    customer_col : str

    Returns
    -------
    DataFrame
        order lines[, customers] -> customer_id, [name, size_band, market_type,] last_order_date,
        quarters_since_last_order, past_revenue, past_profit, orders,
        p_alive, rank; sorted by rank.

    Raises
    ------
    DataError
        A column is missing.
    ParamsError
        Bad settings.
    InsufficientDataError
        No orders up to ``quarter`` or no active customers to compare with.
    """
    _require(transactions, [customer_col, "order_id", "order_date", "revenue", "cost"], "transactions")
    if lapsed_quarters < 1 or value_quarters < 1 or not 0 <= value_quantile <= 1:
        raise ParamsError(
            f"lapsed_quarters >= 1, value_quarters >= 1 and 0 <= value_quantile <= 1 expected, got {lapsed_quarters}, {value_quarters}, {value_quantile}"
        )
    q = Quarter.parse(quarter)
    tx = transactions.loc[transactions["order_date"] <= q.end]
    if tx.empty:
        raise InsufficientDataError(f"transactions: no orders up to {q}")
    g = _quarter_frame(tx, customer_col, None)
    now = pd.Period(str(q), freq="Q")
    last_q = g.groupby(customer_col)["_q"].max()
    lapsed_ids = last_q.index[last_q <= now - lapsed_quarters]
    active_ids = last_q.index[last_q > now - lapsed_quarters]
    g = g.join(last_q.rename("_last"), on=customer_col)
    in_value = (g["_q"] > g["_last"] - value_quarters) & (g["_q"] <= g["_last"])
    past = g.loc[in_value].groupby(customer_col)[["revenue", "profit"]].sum()
    cur = g.loc[(g["_q"] > now - value_quarters) & g[customer_col].isin(active_ids)].groupby(customer_col)["profit"].sum()
    if cur.empty:
        raise InsufficientDataError(f"transactions: no customers active in the {value_quarters} quarters up to {q}")
    threshold = float(np.quantile(cur.to_numpy(), value_quantile))
    cand = past.loc[past.index.isin(lapsed_ids) & (past["profit"] >= threshold)]
    lastd = tx.groupby(customer_col)["order_date"].max()
    n_orders = tx.groupby(customer_col)["order_id"].nunique()
    out = pd.DataFrame(
        {
            customer_col: cand.index.astype("str"),
            "last_order_date": lastd.reindex(cand.index).dt.date.to_numpy(),
            "quarters_since_last_order": (now - last_q.reindex(cand.index)).map(lambda d: d.n).to_numpy(dtype="int64")
            if len(cand)
            else np.array([], dtype="int64"),
            "past_revenue": cand["revenue"].to_numpy(),
            "past_profit": cand["profit"].to_numpy(),
            "orders": n_orders.reindex(cand.index).to_numpy(dtype="int64"),
            "p_alive": np.nan,
        }
    )
    if bgnbd is not None and len(out):
        from . import clv

        summ = clv.rfm_summary(
            tx, customer_col=customer_col, date_col="order_date", value_col="revenue", calibration_end=q.end, time_unit=time_unit
        )
        summ = summ.set_index(customer_col) if customer_col in summ.columns else summ
        summ.index = summ.index.astype("str")
        s = summ.reindex(out[customer_col])
        out = out.assign(
            p_alive=np.asarray(
                bgnbd.probability_alive(s["frequency"].to_numpy(), s["recency"].to_numpy(), s["T"].to_numpy()), dtype="float64"
            )
        )
    out = out.sort_values(customer_col, kind="stable").sort_values("past_profit", ascending=False, kind="stable").reset_index(drop=True)
    return _attach(out.assign(rank=np.arange(1, len(out) + 1)), customers, customer_col)


# =========================================================================== the report: every section, each allowed to be unavailable


def response_rates(
    offers: pd.DataFrame | None,
    customers: pd.DataFrame,
    *,
    by: tuple[str, ...] | list[str] = ("size_band",),
    asof=None,
    prior_alpha: float = 0.5,
    prior_beta: float = 0.5,
    interval: float = 0.9,
    customer_col: str = "customer_id",
) -> pd.DataFrame:
    """Observed response rate of past offers per customer group, with a credible interval.

    What the data say without a model: k responders out of n offers per
    group (customers grouped by ``by``), the raw rate k / n, and the
    equal-tailed interval of the Beta(prior_alpha + k, prior_beta + n - k)
    posterior (:func:`beta_binomial_interval`; Jeffreys prior by default,
    Brown, Cai & DasGupta 2001). It needs no minimum number of responders,
    so it is what a region with too few offers for the response model can
    still show. A last row ``"all offers"`` pools every group.

    Parameters
    ----------
    offers : DataFrame or None
        customer_id, offer_date, responded, response_revenue.
    customers : DataFrame
        customer_id and the ``by`` columns.
    by : list of str
        Customers columns defining the groups (e.g. the campaign's ``segment_by``).
    asof : date-like, optional
        Only offers on or before it count.
    prior_alpha, prior_beta, interval : float
        As in :func:`beta_binomial_interval`.
    customer_col : str

    Returns
    -------
    DataFrame
        offers, customers -> group, offers, responders, response_rate,
        rate_low, rate_high, avg_response_revenue (mean response_revenue of
        the responders, NaN when none); groups sorted by name, then "all offers".

    Raises
    ------
    InsufficientDataError
        No offers table or no offers on or before ``asof``.
    DataError
        A column is missing, ``responded`` has missing values, or an offer
        names an unknown customer.
    ParamsError
        ``by`` is empty, or a bad prior or interval.
    """
    by = list(by)
    if not by:
        raise ParamsError("by: expected at least one customers column")
    _require(offers, [customer_col, "offer_date", "responded", "response_revenue"], "offers")
    _require(customers, [customer_col, *by], "customers")
    off = offers if asof is None else offers.loc[offers["offer_date"] <= pd.Timestamp(asof)]
    if off.empty:
        when = f" on or before {pd.Timestamp(asof):%Y-%m-%d}" if asof is not None else ""
        raise InsufficientDataError(f"offers: no past offers{when} for these customers")
    if off["responded"].isna().any():
        raise DataError("offers: column 'responded' has missing values; expected true/false for every offer")
    cust = customers[[customer_col, *by]].assign(**{customer_col: customers[customer_col].astype("str")}).drop_duplicates(customer_col)
    group_of = cust.set_index(customer_col).pipe(lambda c: _label(c, by))
    frame = pd.DataFrame(
        {
            "group": off[customer_col].astype("str").map(group_of).to_numpy(),
            "responded": off["responded"].astype(bool).to_numpy(),
            "revenue": off["response_revenue"].astype("float64").to_numpy(),
        }
    )
    if frame["group"].isna().any():
        raise DataError(f"offers: {int(frame['group'].isna().sum())} offers name customers missing from customers")
    frame = pd.concat([frame, frame.assign(group="all offers")], ignore_index=True)
    g = frame.groupby("group", sort=True)
    n = g.size()
    k = g["responded"].sum().astype("int64")
    rev = frame.loc[frame["responded"]].groupby("group")["revenue"].mean().reindex(n.index)
    post = beta_binomial_interval(k.to_numpy(), n.to_numpy(), prior_alpha=prior_alpha, prior_beta=prior_beta, level=interval)
    out = pd.DataFrame(
        {
            "group": n.index.astype("str"),
            "offers": n.to_numpy(dtype="int64"),
            "responders": k.to_numpy(),
            "response_rate": (k / n).to_numpy(dtype="float64"),
            "rate_low": post["lower"].to_numpy(),
            "rate_high": post["upper"].to_numpy(),
            "avg_response_revenue": rev.to_numpy(dtype="float64"),
        }
    )
    last = out["group"] == "all offers"
    return pd.concat([out.loc[~last], out.loc[last]], ignore_index=True)


def _history_windows(first_order, asof, settings: dict) -> tuple[dict, str]:
    """Early-warning settings fitted to a short history, and a note saying what was shortened.

    The trailing window is cut to the months available before the recent
    window and the product-line windows to half the history, with the
    minimum number of trailing orders scaled in proportion. Raises
    InsufficientDataError when even that leaves a trailing window shorter
    than the recent one.
    """
    s = dict(settings)
    recent = int(s.get("recent_months", 3))
    trailing = int(s.get("trailing_months", 12))
    line = int(s.get("line_window_months", 6))
    decline = int(s.get("decline_months", 3)) + int(s.get("smooth_months", 3))
    start, last = _month_start(first_order), _month_start(asof)
    have = (last.year - start.year) * 12 + last.month - start.month + 1
    if have >= max(recent + trailing, decline, 2 * line):
        return s, ""
    new_trailing, new_line = min(trailing, have - recent), min(line, have // 2)
    if new_trailing < recent or have < decline or new_line < 1:
        raise InsufficientDataError(
            f"transactions: {have} months of history ({start:%Y-%m} to {last:%Y-%m}); the watch list needs at least "
            f"{max(2 * recent, decline)} months (a trailing window at least as long as the {recent}-month recent window)"
        )
    changed = []
    if new_trailing < trailing:
        orders = int(s.get("min_trailing_orders", 6))
        s["trailing_months"] = new_trailing
        s["min_trailing_orders"] = max(1, math.ceil(orders * new_trailing / trailing))
        changed.append(
            f"the trailing window is {new_trailing} months instead of {trailing} "
            f"(and a customer needs {s['min_trailing_orders']} orders in it instead of {orders})"
        )
    if new_line < line:
        s["line_window_months"] = new_line
        changed.append(f"product lines compare the last {new_line} months with the {new_line} before, instead of {line}")
    return s, f"the data start {start:%Y-%m}, only {have} months before the quarter's end: " + "; ".join(changed)


# display settings per result: columns shown, number formats, whether only the top rows are shown
_VIEWS: dict[str, dict] = {
    "campaign": {
        "columns": CAMPAIGN_COLUMNS,
        "money": (
            "volume",
            "cost_per_contact",
            "profit_per_contact",
            "expected_profit",
            "profit_low",
            "profit_high",
            "contact_profit_total",
        ),
        "pct": ("response_rate", "response_rate_low", "response_rate_high"),
        "decimals": ("roi",),
    },
    "response_rates": {"pct": ("response_rate", "rate_low", "rate_high"), "money": ("avg_response_revenue",)},
    "odds_ratios": {"decimals": ("coef", "std_err", "odds_ratio", "or_low", "or_high", "p_value")},
    "scores": {"pct": ("p_response",), "top": True},
    "pairs": {"pct": ("support", "confidence"), "decimals": ("lift",), "top": True},
    "category_pairs": {"pct": ("support", "confidence"), "decimals": ("lift",), "top": True},
    "next_best": {"pct": ("confidence",), "decimals": ("lift",), "top": True},
    "forecast_backtest": {"decimals": ("mase", "relative_mase")},
    "clv_check": {"decimals": ("actual", "predicted")},
    "clv_customers": {
        "money": ("monetary_value", "expected_value", "clv"),
        "pct": ("probability_alive",),
        "decimals": ("expected_purchases",),
        "top": True,
    },
    "watch": {
        "columns": WATCH_COLUMNS,
        "money": ("trailing_avg_revenue", "recent_avg_revenue", "lost_revenue_per_month"),
        "pct": ("p_alive",),
        "top": True,
        "caption": lambda df: f"{len(df)} customers on the watch list",
    },
    "kpis": {
        "columns": KPI_COLUMNS,
        "money": ("existing_revenue", "existing_profit", "new_revenue", "new_profit", "dev_minus_new_profit"),
        "pct": ("existing_revenue_qoq_pct", "existing_revenue_yoy_pct", "existing_share_revenue", "existing_profit_yoy_pct"),
    },
    "winback": {"money": ("past_revenue", "past_profit"), "pct": ("p_alive",), "top": True},
}

#: Every result of :func:`development_region`, in report order (each is in ``tables`` or ``unavailable``).
REPORT_SECTIONS = (
    "campaign",
    "response_rates",
    "response_model",
    "odds_ratios",
    "gains",
    "scores",
    "pairs",
    "category_pairs",
    "next_best",
    "forecast",
    "forecast_backtest",
    "lifetime",
    "clv_check",
    "clv_customers",
    "watch",
    "kpis",
    "winback",
)

_NO_OFFERS = (
    "this data source has no offers table, so there are no past development offers to learn from. An offers table "
    "(one row per offer: offer_id, customer_id, offer_date, product_id, channel, contact_cost, responded, "
    "response_revenue) would make the campaign forecast and the response model possible."
)
_HINTS = {
    "campaign": (
        "The campaign forecast becomes possible once past offers in this region have at least two responders with a recorded "
        "response_revenue; the observed response rates are in section 2."
    ),
    "response_rates": "Offers made to this region's customers would make it possible.",
    "response_model": (
        "More past offers (for example several campaigns, or a longer history) would make the model possible; "
        "the observed response rates by group above are what the data support now."
    ),
    "pairs": "Orders holding several products would make the cross analysis possible.",
    "next_best": "Orders holding several products would make recommendations possible.",
    "forecast": "",
    "lifetime": ("More customers who buy repeatedly (orders on two or more days) would make the lifetime value models possible."),
    "watch": "A longer order history would make the watch list possible.",
    "kpis": "Orders up to the report quarter would make the KPIs possible.",
    "winback": "Customers with orders in the last quarters would give a level to compare lapsed customers with.",
}


def _explained(fn, hint: str):
    """``fn`` whose InsufficientDataError message ends with ``hint`` (what data would make it possible)."""

    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InsufficientDataError as err:
            raise InsufficientDataError(f"{str(err).rstrip('. ')}. {hint}".strip()) from err

    return run


class DevelopmentReport(Sections):
    """Every result of the development report for one region and quarter (see :func:`development_region`).

    A :class:`custlib.report.Sections`: ``tables`` holds the results by name
    (:data:`REPORT_SECTIONS`), ``unavailable`` the plain-language reason for
    each one that could not be computed, ``caveats`` notes on results
    computed from less than the full data. :meth:`show`, :meth:`plot` and
    :meth:`say` render a result with the report's formats or say why it is
    missing, so a notebook needs no branching.

    Parameters
    ----------
    quarter : str
        Report quarter, e.g. "2026Q3".
    currency : str
        Prefix of money amounts.
    top_n : int
        Rows shown of ranked tables (scores, pairs, watch list, ...).
    """

    def __init__(self, quarter: str, currency: str = "", top_n: int = 15) -> None:
        super().__init__()
        self.quarter = quarter
        self.currency = currency
        self.top_n = top_n

    def text(self, name: str) -> str:
        """The sentence(s) the report says about ``name`` ("forecast" or "kpis").

        Raises
        ------
        InsufficientDataError
            The result is unavailable (the message says why).
        KeyError
            No text for ``name``.
        """
        result = self.table(name)
        if name == "forecast":
            return result.summary
        if name == "kpis":
            return kpi_summary(result, currency=self.currency)
        raise KeyError(f"no text for {name!r}; texts: forecast, kpis")

    def say(self, name: str) -> None:
        """Say :meth:`text` of ``name`` in the report; nothing when unavailable (its table or chart says why)."""
        from .report import say

        if name in self.tables:
            say(self.text(name))

    def show(self, name: str, caption: str | None = None, **kwargs) -> None:
        """Show the table ``name`` in the report's formats, or say why it is missing.

        Ranked tables show their first ``top_n`` rows (the caption says so
        when there are more); ``kwargs`` (money, pct, decimals, currency ...)
        override the defaults and go to :func:`custlib.report.show`.
        """
        from .report import show

        if self.say_unavailable(name):
            return
        frame = self.tables[name]
        view = _VIEWS.get(name, {})
        cols = [c for c in (view.get("columns") or frame.columns) if c in frame.columns]
        out = frame[cols]
        if caption is None and callable(view.get("caption")):
            caption = view["caption"](frame)
        if view.get("top") and len(out) > self.top_n:
            out = out.head(self.top_n)
            caption = f"{caption} (the first {self.top_n} shown)" if caption else f"The first {self.top_n} of {len(frame):,}"
        opts = {k: tuple(view.get(k, ())) for k in ("money", "pct", "decimals")}
        opts = {**opts, "currency": self.currency, **kwargs}
        show(out, caption, **opts)

    def plot(self, name: str, plot_fn=None, *args, ax=None, **kwargs):
        """Draw the chart of ``name`` ("gains", "forecast" or "clv_check"), or say why it is missing.

        With ``plot_fn``, behaves as :meth:`custlib.report.Sections.plot`.
        Without it, the report's chart for ``name`` is drawn; when the result
        is unavailable the reason is said as text and None is returned (no
        empty figure).

        Returns
        -------
        matplotlib Axes or None
        """
        if plot_fn is not None:
            return super().plot(name, plot_fn, *args, ax=ax, **kwargs)
        if self.say_unavailable(name):
            return None
        if name == "gains":
            auc = self.tables["response_model"].auc_
            return plot_gains(self.tables["gains"], ax=ax, title=f"Cumulative gains on the holdout (AUC {auc:.2f})")
        if name == "forecast":
            return plot_revenue_forecast(self.tables["forecast"], ax=ax, currency=self.currency)
        if name == "clv_check":
            from .clv import plot_holdout_check

            return plot_holdout_check(self.tables["clv_check"], ax=ax)
        raise KeyError(f"no chart for {name!r}; charts: gains, forecast, clv_check")


def development_region(
    transactions: pd.DataFrame,
    customers: pd.DataFrame,
    offers: pd.DataFrame | None,
    service_costs: pd.DataFrame | None,
    quarter,
    params: dict,
    *,
    seed: int = 0,
    currency: str = "",
    top_n: int | None = None,
) -> DevelopmentReport:
    """Compute every section of the development report for one region and quarter.

    Each section is computed on its own (:meth:`Sections.compute`); one that
    meets data too thin for it (one customer, no offers table, too few
    responders, a short history, ...) is recorded in ``unavailable`` with a
    plain-language reason that also says what data would make it possible,
    and the rest of the report is still computed. Where a small region can
    still be told something, it is: the observed response rates by group
    (:func:`response_rates`) need no minimum number of responders, and the
    watch list runs on shortened windows when the history is short (a
    caveat says so).

    Results (:data:`REPORT_SECTIONS`): campaign (:func:`campaign_plan`),
    response_rates, response_model (:class:`ResponseModel`) with its
    odds_ratios, gains and scores, pairs and category_pairs
    (:func:`co_purchase`), next_best (:func:`next_best_product`), forecast
    (:class:`RevenueForecast`) and forecast_backtest, lifetime
    (:class:`custlib.clv.LifetimeValueResult`) with clv_check and
    clv_customers, watch (:func:`early_warning`, with probability alive
    when the lifetime model exists), kpis (:func:`development_kpis`) and
    winback (:func:`winback_candidates`).

    Parameters
    ----------
    transactions, customers : DataFrame
        The region's order lines (only those up to the quarter's end count) and customers.
    offers, service_costs : DataFrame or None
        The region's past offers and costs to serve; None when the source lacks the table.
    quarter : str or Quarter
        Report quarter.
    params : dict
        Parameters with the ``development`` and ``clv`` sections (e.g. the
        report context's ``params``; other sections are ignored, and
        ``report.top_n`` is used when ``top_n`` is None).
    seed : int
        Seed of the campaign draws and the response model's split.
    currency : str
        Prefix of money amounts in the report.
    top_n : int, optional
        Rows shown of ranked tables (default ``params["report"]["top_n"]`` or 15).

    Returns
    -------
    DevelopmentReport
        order lines, customers[, offers, service_costs] -> the results
        above by name, each in ``tables`` or (with its reason) in ``unavailable``.

    Raises
    ------
    ParamsError
        A bad or missing parameter (never hidden as "unavailable").
    DataError
        Malformed input (a missing column, unknown customers in offers, ...).
    """
    from . import clv

    q = Quarter.parse(quarter)
    params = params or {}
    dp = params.get("development") or {}
    cp = dict(params.get("clv") or {})
    camp = dict(dp.get("campaign") or {})
    if "budget" not in camp:
        raise ParamsError("development.campaign.budget: the campaign budget is required")
    n_top = int(top_n if top_n is not None else (params.get("report") or {}).get("top_n", 15))
    rep = DevelopmentReport(str(q), currency=currency, top_n=n_top)
    asof = q.end
    _require(transactions, ["customer_id", "order_id", "order_date", "revenue", "cost"], "transactions")
    _require(customers, ["customer_id"], "customers")
    tx = transactions.loc[transactions["order_date"] <= asof]
    if service_costs is not None:
        _require(service_costs, ["customer_id", "month", "cost_to_serve"], "service_costs")
        service_costs = service_costs.loc[service_costs["month"] <= asof]

    # 1-2. campaign forecast, observed response rates, response model
    offer_results = ("campaign", "response_rates", "response_model", "odds_ratios", "gains", "scores")
    if offers is None:
        for name in offer_results:
            rep.mark_unavailable(name, _NO_OFFERS if name == "campaign" else "no offers table (see section 1).")
    else:
        rep.compute(
            "campaign", _explained(campaign_plan, _HINTS["campaign"]), customers, offers, tx, service_costs, asof=asof, seed=seed, **camp
        )
        if service_costs is None and camp.get("serve_cost_per_order") is None:
            rep.caveats["campaign"] = (
                "no service costs in the data: the cost to serve a responder's order is taken as 0 beyond the "
                "serve_cost_rate (set development.campaign.serve_cost_per_order to include it)"
            )
        rep.compute(
            "response_rates",
            _explained(response_rates, _HINTS["response_rates"]),
            offers,
            customers,
            by=camp.get("segment_by", ("size_band",)),
            asof=asof,
            prior_alpha=camp.get("prior_alpha", 0.5),
            prior_beta=camp.get("prior_beta", 0.5),
            interval=camp.get("interval", 0.9),
        )
        model = rep.compute(
            "response_model",
            _explained(fit_response_model, _HINTS["response_model"]),
            offers,
            customers,
            tx,
            asof=asof,
            seed=seed,
            **(dp.get("response") or {}),
        )
        if model is None:
            rep.mark_unavailable("odds_ratios", rep.unavailable["response_model"])
            for name in ("gains", "scores"):
                rep.mark_unavailable(name, "no response model (see the reason above).")
        else:
            rep.tables["odds_ratios"] = model.odds_ratios_
            rep.tables["gains"] = model.gains_
            rep.compute("scores", model.score, customers, tx, asof=asof)

    if tx.empty:
        reason = (
            f"the region's customers have no orders up to {asof:%Y-%m-%d}, and every analysis of buying needs orders; "
            "order lines (transactions) for these customers would make it possible."
        )
        for name in REPORT_SECTIONS[REPORT_SECTIONS.index("pairs") :]:
            rep.mark_unavailable(name, reason)
        return rep

    # 3. product cross analysis
    cop = dp.get("copurchase") or {}
    n_orders = int(tx["order_id"].nunique())
    for name, item in (("pairs", "product_id"), ("category_pairs", "category")):
        pairs = rep.compute(name, _explained(co_purchase, _HINTS["pairs"]), tx, item_col=item, **cop)
        if pairs is not None and pairs.empty:
            rep.caveats[name] = (
                f"no two {'products' if item == 'product_id' else 'categories'} were bought together in "
                f"{cop.get('min_count', 5)} or more orders with a lift above {cop.get('min_lift', 0.0)} "
                f"({n_orders:,} orders in all); more orders, or a lower development.copurchase.min_count, would show pairs"
            )
    nbp = rep.compute("next_best", _explained(next_best_product, _HINTS["next_best"]), tx, customers, **cop)
    if nbp is not None and nbp.empty:
        rep.caveats["next_best"] = "no customer has a qualifying co-purchase rule to recommend from (see the product pairs above)"

    # 4. revenue forecast
    fc = rep.compute("forecast", _explained(forecast_revenue, _HINTS["forecast"]), tx, end=asof, **(dp.get("forecast") or {}))
    if fc is None:
        rep.mark_unavailable("forecast_backtest", "no forecast (see the reason above).")
    else:
        rep.tables["forecast_backtest"] = fc.backtest

    # 5. lifetime value
    life = rep.compute("lifetime", _explained(clv.lifetime_value_analysis, _HINTS["lifetime"]), tx, asof, **cp)
    if life is None:
        rep.mark_unavailable("clv_check", rep.unavailable["lifetime"])
        rep.mark_unavailable("clv_customers", "no lifetime value models (see the reason above).")
    else:
        check_notes = [n for n in life.notes if n.startswith("No holdout check")]
        if life.check is None:
            rep.mark_unavailable("clv_check", " ".join(check_notes) or "no holdout check")
        else:
            rep.tables["clv_check"] = life.check
        rep.tables["clv_customers"] = life.customers
        other = [n for n in life.notes if n not in check_notes]
        if other:
            rep.caveats["clv_customers"] = "; ".join(n.rstrip(". ") for n in other)
    bgnbd = life.bgnbd if life is not None else None
    time_unit = cp.get("time_unit", "W")
    no_alive = "probability alive is not shown: the lifetime value model is not available (section 5)"

    # 6. early warning
    ew = dict(dp.get("early_warning") or {})
    try:
        ew, shortened = _history_windows(tx["order_date"].min(), asof, ew) if len(tx) else (ew, "")
    except InsufficientDataError as err:
        rep.mark_unavailable("watch", f"{str(err).rstrip('. ')}. {_HINTS['watch']}")
    else:
        watch = rep.compute(
            "watch", _explained(early_warning, _HINTS["watch"]), tx, customers, asof=asof, bgnbd=bgnbd, time_unit=time_unit, **ew
        )
        notes = [shortened] if shortened else []
        if watch is not None and watch.empty:
            notes.append("no customer meets a warning rule: nobody established is slipping")
        elif watch is not None and bgnbd is None:
            notes.append(no_alive)
        if notes:
            rep.caveats["watch"] = "; ".join(notes)

    # 7. development KPIs and win-back
    kpis = rep.compute("kpis", _explained(development_kpis, _HINTS["kpis"]), tx, service_costs, quarter=q, **(dp.get("kpis") or {}))
    if kpis is not None and service_costs is None:
        rep.caveats["kpis"] = "no service costs in the data: profit is gross profit, before the cost to serve"
    wb = rep.compute(
        "winback",
        _explained(winback_candidates, _HINTS["winback"]),
        tx,
        customers,
        quarter=q,
        bgnbd=bgnbd,
        time_unit=time_unit,
        **(dp.get("winback") or {}),
    )
    if wb is not None and wb.empty:
        rep.caveats["winback"] = "no lapsed customer earned as much as a good current customer before they stopped"
    elif wb is not None and bgnbd is None:
        rep.caveats["winback"] = no_alive
    return rep
