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
   past offers a small region can still get. :meth:`DevelopmentReport.view`
   is what a manager reads (readable columns, intervals as one column, the
   first rows of long lists); :func:`campaign_summary` and
   :func:`headline_figures` give the plan's sentence and the executive
   summary; the Chinese catalogue is registered with :mod:`custlib.present.i18n`
   at import.

Speed (a region of 100,000+ customers and millions of order lines in
seconds): ids are hashed once into integer codes instead of grouping on
strings section after section, the product pairs are counted once and
shared with the next-best product, features and probabilities are computed
from the lines of the customers that need them only, BLAS runs on one
thread during the report (small matrices, many calls), and the lifetime
value models are fitted on a seeded sample of customers in large regions
(:func:`custlib.clv.lifetime_value_analysis`).

``CAMPAIGN_COLUMNS``, ``WATCH_COLUMNS`` and ``KPI_COLUMNS`` name the
columns the report shows.

(Item 5, customer lifetime value, lives in :mod:`custlib.clv`.)

Every function is pure: data first, column names as keyword arguments, a new
frame returned, inputs never mutated, randomness seeded.
"""

from __future__ import annotations

import itertools
import math
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse, stats

from custlib.exceptions import DataError, InsufficientDataError, NotFittedError, ParamsError
from custlib.io.periods import Quarter
from custlib.reports.context import Sections

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
    "campaign_summary",
    "co_purchase",
    "customer_features",
    "development_kpis",
    "development_region",
    "early_warning",
    "fit_response_model",
    "forecast_revenue",
    "forecast_series",
    "gains_table",
    "headline_figures",
    "kpi_summary",
    "mase",
    "mean_interval",
    "money_ticks",
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


def _positions(keys, values) -> np.ndarray:
    """Position of each of ``values`` in the unique ``keys``, -1 where absent (``pandas.Index.get_indexer``).

    Strings are looked up with pyarrow's hash table (``pyarrow.compute.index_in``),
    several times faster than pandas on millions of ids; other types use pandas.
    """
    keys = pd.Index(keys)
    if pd.api.types.is_string_dtype(keys) and pd.api.types.is_string_dtype(getattr(values, "dtype", None)):
        import pyarrow as pa
        import pyarrow.compute as pc

        try:
            arr = pa.array(values)
            found = pc.index_in(arr, value_set=pa.array(keys).cast(arr.type))
            return found.fill_null(-1).to_numpy(zero_copy_only=False).astype("int64")
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            pass
    return keys.get_indexer(values)


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


def _segment_of(ids: pd.Series, seg_of: pd.Series) -> pd.Series:
    """``ids.map(seg_of)`` (segment by customer id; NaN for unknown ids), looked up with :func:`_positions`."""
    if not seg_of.index.is_unique:
        return ids.map(seg_of)
    pos = _positions(seg_of.index, ids)
    seg = seg_of.to_numpy()[np.maximum(pos, 0)]
    return pd.Series(seg, index=ids.index, dtype=seg_of.dtype).where(pos >= 0)


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
    cust_existing = cust.loc[_positions(existing, cust[customer_col]) >= 0]  # hash lookup (isin on strings is slow)

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
    win = win.assign(segment=_segment_of(win[customer_col], seg_of))
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
        sc_seg = sc.groupby(_segment_of(sc[customer_col], seg_of), sort=True)["cost_to_serve"].sum()
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


def campaign_summary(plan: pd.DataFrame, *, budget: float | None = None, min_offers: int = 10, currency: str = "") -> str:
    """One or two sentences on :func:`campaign_plan`'s choice of whom to contact.

    Says how many customers the plan contacts within the budget, in how many
    target groups, at what expected provision cost and for what expected
    profit; or that no target group is expected to make a profit (or none has
    the past offers needed to rank it); and how many groups are shown but
    not ranked because they had fewer than ``min_offers`` past offers.

    Parameters
    ----------
    plan : DataFrame
        :func:`campaign_plan`: ranked, contact_customers, contact_cost_total, contact_profit_total.
    budget : float, optional
        The budget, named in the sentence when given.
    min_offers : int
        The ranking threshold (``development.campaign.min_offers``).
    currency : str
        Prefix of money amounts.

    Returns
    -------
    str
        plan -> text (numbers only, no customer data).

    Raises
    ------
    DataError
        A column is missing.
    """
    _require(plan, ["ranked", "contact_customers", "contact_cost_total", "contact_profit_total"], "plan")
    cur = f"{currency} " if currency else ""
    within = f"Within the budget of {cur}{budget:,.0f}" if budget is not None else "Within the budget"
    chosen = plan.loc[plan["contact_customers"] > 0]
    ranked = plan["ranked"].fillna(False).astype(bool)
    if len(chosen):
        n, groups = int(chosen["contact_customers"].sum()), len(chosen)
        text = (
            f"{within} the plan contacts {n:,} customer{'s' if n != 1 else ''} in {groups} target group{'s' if groups != 1 else ''}: "
            f"expected provision cost {cur}{chosen['contact_cost_total'].sum():,.0f}, "
            f"expected profit {cur}{chosen['contact_profit_total'].sum():,.0f}."
        )
    elif ranked.any():
        text = "No target group is expected to make a profit from this campaign: do not run it as planned."
    else:
        text = f"No target group has the {min_offers} past offers needed to rank it: make more offers before planning a campaign."
    unranked = int((~ranked).sum())
    if unranked and ranked.any():
        text += (
            f" {unranked} target group{'s' if unranked != 1 else ''} with fewer than {min_offers} past offers "
            f"{'are' if unranked != 1 else 'is'} shown but not ranked."
        )
    return text


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
    cumulative sums per customer looked up with ``merge_asof``, on integer-coded customers and orders, from
    the order lines of the customers who had an offer only (a product's category comes from all lines).

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

    # customers with an offer, coded 0..n-1; only their order lines matter (the category of a
    # product comes from every line). Integer codes keep the groupbys and as-of merges fast.
    ids = pd.Index(left[customer_col].unique())
    left["_c"] = ids.get_indexer(left[customer_col])
    tx = transactions
    if "quantity" in tx.columns:
        tx = tx.loc[tx["quantity"].to_numpy() > 0]
    k_code, k_ids = pd.factorize(tx["category"].astype("str"), sort=True)
    prod_cat = _product_category(tx["product_id"], k_code, k_ids)
    tc = _positions(ids, tx[customer_col].astype("str"))
    sel = tc >= 0
    lines = pd.DataFrame(
        {
            "_c": tc[sel],
            "_o": pd.factorize(tx["order_id"].array[sel])[0],
            "_d": _dt(tx["order_date"].array[sel]).to_numpy(),
            "_rev": tx["revenue"].to_numpy(dtype="float64")[sel],
            "_k": k_code[sel],
        }
    )
    orders = lines.groupby(["_c", "_o"], sort=False).agg(_d=("_d", "min"), _rev=("_rev", "sum")).reset_index()
    orders = orders.sort_values(["_c", "_d", "_o"], kind="stable")
    orders = orders.assign(_cn=orders.groupby("_c").cumcount() + 1, _cr=orders.groupby("_c")["_rev"].cumsum())
    orders = orders.sort_values("_d", kind="stable")

    def _asof(on: str) -> pd.DataFrame:
        lk = left[["_row", "_c", on]].sort_values(on, kind="stable")
        m = pd.merge_asof(
            lk,
            orders[["_c", "_d", "_cn", "_cr"]],
            left_on=on,
            right_on="_d",
            by="_c",
            allow_exact_matches=False,
            direction="backward",
        )
        return m.set_index("_row").reindex(np.arange(len(left)))

    now, before = _asof("_t"), _asof("_t12")
    cn_now, cr_now = now["_cn"].fillna(0).to_numpy(), now["_cr"].fillna(0.0).to_numpy()
    cn_b, cr_b = before["_cn"].fillna(0).to_numpy(), before["_cr"].fillna(0.0).to_numpy()
    first = orders.groupby("_c")["_d"].min()
    t = left["_t"]
    first_t = pd.Series(first.reindex(left["_c"]).to_numpy(), index=left.index)  # reindex: also when no orders
    has_first = first_t.notna() & (first_t < t)
    tenure = ((t - first_t).dt.days / 365.25).where(has_first, 0.0).to_numpy(dtype="float64")
    last = pd.to_datetime(now["_d"])
    since = ((t.to_numpy() - last.to_numpy()) / np.timedelta64(1, "D")) / (365.25 / 12)
    since = np.where(np.isnan(since), 36.0, np.minimum(since, 36.0))

    # categories: last purchase date per (customer, category) before the offer
    cat_lines = lines.loc[lines["_k"] >= 0, ["_c", "_k", "_d"]].drop_duplicates().sort_values("_d", kind="stable")
    pairs = cat_lines[["_c", "_k"]].drop_duplicates()
    exp = left[["_row", "_c", "_t", "_t12"]].merge(pairs, on="_c", how="inner").sort_values("_t", kind="stable")
    exp = pd.merge_asof(
        exp,
        cat_lines.rename(columns={"_d": "_last"}),
        left_on="_t",
        right_on="_last",
        by=["_c", "_k"],
        allow_exact_matches=False,
        direction="backward",
    )
    recent = exp.loc[exp["_last"].notna() & (exp["_last"] >= exp["_t12"])]
    n_cat = np.bincount(recent["_row"].to_numpy(), minlength=len(left))
    offer_k = pd.Index(k_ids).get_indexer(left["product_id"].astype("str").map(prod_cat))  # -1: no known category
    rows = recent["_row"].to_numpy()
    fit_flag = np.zeros(len(left))
    fit_flag[rows[recent["_k"].to_numpy() == offer_k[rows]]] = 1.0

    cust = (
        customers[[customer_col, "size_band", "market_type"]]
        .assign(**{customer_col: customers[customer_col].astype("str")})
        .drop_duplicates(customer_col)
    )
    attrs = left[[customer_col]].merge(cust, on=customer_col, how="left", validate="many_to_one", indicator=True)
    unknown = (attrs["_merge"] == "left_only").to_numpy()
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


def _product_category(products: pd.Series, k_code: np.ndarray, k_ids) -> pd.Series:
    """Each product's most frequent category over its lines (ties: the first category by name).

    ``k_code`` codes the lines' categories into the sorted ``k_ids`` (-1 = missing).
    Returns category by product id (str -> str).
    """
    p_code, p_ids = pd.factorize(products.astype("str"))
    ok = (p_code >= 0) & (k_code >= 0)
    n_p, n_k = len(p_ids), max(len(k_ids), 1)
    counts = np.bincount(p_code[ok] * n_k + k_code[ok], minlength=n_p * n_k).reshape(n_p, n_k)
    best = counts.argmax(axis=1)  # the first maximum: the smallest category id among ties
    cats = np.asarray(k_ids, dtype=object)[best] if len(k_ids) else np.full(n_p, None, dtype=object)
    return pd.Series(np.where(counts.sum(axis=1) > 0, cats, None), index=pd.Index(p_ids, dtype="str"), dtype="str")


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
    Every customer's offer has the same date, so the features are computed
    directly from the orders in the window (one pass of integer-coded
    groupbys) instead of :func:`offer_features`' per-offer as-of lookups;
    the two agree (tests/test_development.py checks it).

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
    _require(customers, [customer_col, "size_band", "market_type"], "customers")
    _require(transactions, [customer_col, "order_id", "order_date", "product_id", "category", "revenue"], "transactions")
    t = pd.Timestamp(asof).normalize() + pd.Timedelta(days=1)
    t12 = t - pd.DateOffset(months=FEATURE_WINDOW_MONTHS)
    ids = customers[customer_col].astype("str")
    uniq = pd.Index(ids.unique())
    n = len(uniq)
    tx = transactions
    keep = (tx["order_date"] < t).to_numpy().copy()
    if "quantity" in tx.columns:
        keep &= tx["quantity"].to_numpy() > 0
    tx = tx.loc[keep, [customer_col, "order_id", "order_date", "product_id", "category", "revenue"]]
    k_code, k_ids = pd.factorize(tx["category"].astype("str"), sort=True)
    offer_k = -1
    if product_id is not None:
        cat = _product_category(tx["product_id"], k_code, k_ids).get(str(product_id))
        offer_k = int(pd.Index(k_ids).get_indexer([cat])[0]) if isinstance(cat, str) else -1
    c = _positions(uniq, tx[customer_col].astype("str"))
    mine = c >= 0
    c, k_code = c[mine], k_code[mine]
    d = _dt(tx["order_date"].array[mine]).to_numpy()
    o = pd.factorize(tx["order_id"].array[mine])[0]
    n_o = int(o.max(initial=0)) + 1
    # orders (per customer and order id): the date of their first line and their revenue
    orders = pd.DataFrame({"key": c * n_o + o, "_d": d, "_rev": tx["revenue"].to_numpy(dtype="float64")[mine]})
    orders = orders.groupby("key", sort=False).agg(_d=("_d", "min"), _rev=("_rev", "sum"))
    oc = orders.index.to_numpy() // n_o
    od = orders["_d"].to_numpy()
    recent = od >= t12.to_datetime64()
    n_orders = np.bincount(oc[recent], minlength=n).astype("float64")
    revenue = np.bincount(oc[recent], weights=orders["_rev"].to_numpy()[recent], minlength=n)
    span = pd.DataFrame({"c": oc, "d": od}).groupby("c")["d"].agg(["min", "max"]).reindex(np.arange(n))
    first, last = span["min"], span["max"]
    tenure = ((t - first).dt.days / 365.25).where(first.notna(), 0.0).to_numpy(dtype="float64")
    since = ((t.to_datetime64() - last.to_numpy()) / np.timedelta64(1, "D")) / (365.25 / 12)
    since = np.where(np.isnan(since), 36.0, np.minimum(since, 36.0))
    # distinct categories bought in the window, and whether the offered product's is among them
    in_window = (d >= t12.to_datetime64()) & (k_code >= 0)
    n_k = max(len(k_ids), 1)
    pairs = pd.unique(c[in_window] * n_k + k_code[in_window])
    n_cat = np.bincount(pairs // n_k, minlength=n).astype("float64")
    fit = np.zeros(n)
    fit[pairs[pairs % n_k == offer_k] // n_k] = 1.0
    at = uniq.get_indexer(ids)  # one row per customers row
    attrs = customers[["size_band", "market_type"]]
    return pd.DataFrame(
        {
            customer_col: ids.to_numpy(),
            "channel": pd.Series([channel] * len(ids), dtype="string").fillna("unknown").astype("str").to_numpy(),
            "tenure_years": tenure[at],
            "orders_12m": n_orders[at],
            "log_revenue_12m": np.log1p(np.maximum(revenue[at], 0.0)),
            "categories_12m": n_cat[at],
            "months_since_last_order": since[at],
            "category_fit": fit[at],
            "size_band": attrs["size_band"].astype("string").fillna("unknown").astype("str").to_numpy(),
            "market_type": attrs["market_type"].astype("string").fillna("unknown").astype("str").to_numpy(),
        }
    )


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
    from matplotlib.ticker import PercentFormatter

    ax.plot(x, y, marker="o", label="Response model")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="Random targeting")
    ax.set_xlabel("Share of customers contacted (highest scores first)")
    ax.set_ylabel("Share of responders reached")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
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
    """Sparse 0/1 incidence matrix rows = baskets, columns = items (returns left out).

    Ids are coded by hashing (``pandas.factorize``), not by sorting strings;
    items come out sorted (so ties resolve to the smaller id), baskets in
    order of first appearance.
    """
    lines = transactions[[basket_col, item_col]]
    if "quantity" in transactions.columns:
        lines = lines.loc[transactions["quantity"].to_numpy() > 0]
    b_idx, baskets = pd.factorize(lines[basket_col])
    i_idx, items = pd.factorize(lines[item_col].astype("str"), sort=True)
    if (b_idx < 0).any() or (i_idx < 0).any():  # a missing id is no basket or item
        keep = (b_idx >= 0) & (i_idx >= 0)
        b_idx, i_idx = b_idx[keep], i_idx[keep]
    X = sparse.csr_matrix((np.ones(len(b_idx), dtype="float64"), (b_idx, i_idx)), shape=(len(baskets), len(items)))
    X.sum_duplicates()
    X.data = np.ones_like(X.data)  # presence, not line count
    return X, np.asarray(items, dtype=object), np.asarray(baskets)


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
    rules: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """For each customer, the product with the highest lift not yet bought.

    A customer who bought A is offered the B (never bought by them) with the
    highest lift(A -> B) over all A they bought (:func:`co_purchase`, pairs
    seen together at least ``min_count`` times and lift above ``min_lift``);
    ties go to the higher confidence, then the smaller product id. The
    maximisation loops over the antecedent products, vectorised over the
    customers who bought each one.

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
    rules : DataFrame, optional
        :func:`co_purchase` of the same order lines and ``item_col``, when
        already computed (the report shares it with the product pairs);
        ``min_count`` is then the one it was computed with. None computes it.

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
    if rules is None:
        rules = co_purchase(transactions, item_col=item_col, basket_col=basket_col, min_count=min_count, min_lift=min_lift)
    else:
        _require(rules, ["antecedent", "consequent", "lift", "confidence"], "rules")
        rules = rules.loc[rules["lift"] > min_lift]
    cols = [customer_col, "next_product", "because_of", "lift", "confidence"]
    if rules.empty:
        empty = pd.DataFrame({c: pd.Series(dtype="str" if c in (customer_col, "next_product", "because_of") else "float64") for c in cols})
        return _attach(empty, customers, customer_col)
    X, items, custs = _basket_matrix(transactions, customer_col, item_col)  # customers x items bought
    pos = {it: i for i, it in enumerate(items)}
    n_items = len(items)
    L = np.zeros((n_items, n_items))
    Cf = np.zeros((n_items, n_items))
    ai = rules["antecedent"].astype("str").map(pos)
    bi = rules["consequent"].astype("str").map(pos)
    if ai.isna().any() or bi.isna().any():
        raise DataError("rules: they name products that no customer bought in these order lines; pass the co_purchase of the same lines")
    ai, bi = ai.to_numpy(dtype="int64"), bi.to_numpy(dtype="int64")
    L[ai, bi] = rules["lift"].to_numpy()
    Cf[ai, bi] = rules["confidence"].to_numpy()
    # key combines lift and confidence so that ties in lift break on confidence
    key = np.where(L > 0, L + Cf * 1e-9, -np.inf)
    bought = X.toarray().astype(bool)
    best = np.full(bought.shape, -np.inf)
    because = np.full(bought.shape, -1)
    Xc = X.tocsc()
    for i in np.flatnonzero(np.isfinite(key).any(axis=1)):  # loop over antecedents, vectorised over their buyers
        rows = Xc.indices[Xc.indptr[i] : Xc.indptr[i + 1]]
        sub = best[rows]
        better = key[i][None, :] > sub  # strict: the first antecedent (smallest id) keeps a tie
        best[rows] = np.where(better, key[i][None, :], sub)
        because[rows] = np.where(better, i, because[rows])
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


MODEL_LABELS = {"seasonal_naive": "Seasonal naive", "ets": "ETS", "sarimax": "SARIMAX"}
"""How the forecast models read in the report."""


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
                f"{MODEL_LABELS.get(self.chosen, self.chosen)} is shown: its backtest MASE {bt.loc[self.chosen, 'mase']:.2f} "
                f"beats the seasonal-naive baseline's {bt.loc['seasonal_naive', 'mase']:.2f}."
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
        Shown with the money ticks (:func:`money_ticks`).

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.subplots()[1]
    h, f = result.history, result.forecast
    model = MODEL_LABELS.get(result.chosen, result.chosen)
    ax.plot(h.index, h.to_numpy(), marker=".", label="Actual")
    ax.plot(f.index, f["mean"].to_numpy(), marker=".", label=f"Forecast ({model})")
    ax.fill_between(f.index, f["lower"].to_numpy(), f["upper"].to_numpy(), alpha=0.25, label=f"{result.level:.0%} prediction interval")
    ax.set_ylabel("Revenue per month")
    ax.yaxis.set_major_formatter(money_ticks(currency))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, frameon=False)  # below the axes: never over the data
    ax.set_title(title if title is not None else f"Monthly revenue and forecast ({model})")
    return ax


def money_ticks(currency: str = ""):
    """A matplotlib tick formatter for money: ``CNY 4.5M`` in English, ``CNY 450万`` in a Chinese report.

    English counts in thousands (K), millions (M) and billions (B); Chinese in
    万 (10^4) and 亿 (10^8). The language is the report's at drawing time
    (:func:`custlib.reports.context.current_lang`).

    Parameters
    ----------
    currency : str
        Shown before each amount ("" for none).

    Returns
    -------
    matplotlib.ticker.FuncFormatter
        value -> tick text.
    """
    from matplotlib.ticker import FuncFormatter

    def fmt(v, _pos=None) -> str:
        from custlib.reports.context import current_lang, money_text

        return money_text(v, currency, current_lang())

    return FuncFormatter(fmt)


# =========================================================================== 6. early warning


def _p_alive(transactions: pd.DataFrame, ids: pd.Series, bgnbd, asof, time_unit: str, customer_col: str) -> np.ndarray:
    """BG/NBD probability alive at ``asof`` of the customers ``ids`` (Fader, Hardie & Lee 2008 note).

    Only these customers' lines are summarised (:func:`custlib.clv.rfm_summary`
    is per customer, so the answer is the same as from all lines).
    """
    from custlib import clv

    wanted = pd.Index(ids.astype("str").unique())
    lines = transactions.loc[_positions(wanted, transactions[customer_col].astype("str")) >= 0, [customer_col, "order_date", "revenue"]]
    summ = clv.rfm_summary(
        lines, customer_col=customer_col, date_col="order_date", value_col="revenue", calibration_end=asof, time_unit=time_unit
    )
    summ = summ.set_index(customer_col)
    summ.index = summ.index.astype("str")
    s = summ.reindex(ids.astype("str"))
    return np.asarray(bgnbd.probability_alive(s["frequency"].to_numpy(), s["recency"].to_numpy(), s["T"].to_numpy()), dtype="float64")


def _monthly_panel(transactions: pd.DataFrame, months: pd.DatetimeIndex, customer_col: str, line_col: str):
    """Wide arrays customers x months of revenue and orders, and the lines per customer-month.

    ``months`` is a run of consecutive month starts. Customers (sorted ids)
    are those with a line in these months; orders and product lines count
    lines with a positive quantity. Works on integer codes: month numbers,
    hashed ids (``pandas.factorize``) and ``numpy.bincount``.
    """
    m_all = transactions["order_date"].to_numpy().astype("datetime64[M]").astype("int64")
    m0 = int(months[0].to_datetime64().astype("datetime64[M]").astype("int64"))
    n_m = len(months)
    inside = (m_all >= m0) & (m_all < m0 + n_m) & transactions[customer_col].notna().to_numpy()
    mi = m_all[inside] - m0
    ci, custs = pd.factorize(transactions[customer_col].astype("str").array[inside], sort=True)
    custs = np.asarray(custs, dtype=object)
    n_c = len(custs)
    cell = ci * n_m + mi
    rev = np.bincount(cell, weights=transactions["revenue"].to_numpy(dtype="float64")[inside], minlength=n_c * n_m).reshape(n_c, n_m)
    if "quantity" in transactions.columns:
        pos = transactions["quantity"].to_numpy(dtype="float64")[inside] > 0
    else:
        pos = np.ones(len(cell), dtype=bool)
    cell_pos = cell[pos]
    o_code = pd.factorize(transactions["order_id"].array[inside][pos])[0]
    l_code = pd.factorize(transactions[line_col].astype("str").array[inside][pos])[0]
    n_o, n_l = int(o_code.max(initial=0)) + 1, int(l_code.max(initial=0)) + 1
    has_o = o_code >= 0
    order_cells = pd.unique(cell_pos[has_o] * n_o + o_code[has_o]) // n_o  # one entry per distinct (customer-month, order)
    orders = np.bincount(order_cells, minlength=n_c * n_m).reshape(n_c, n_m).astype("float64")
    known = l_code >= 0
    cml = pd.unique(cell_pos[known] * n_l + l_code[known])  # distinct (customer-month, line)
    lines = pd.DataFrame({"c": cml // n_l // n_m, "m": cml // n_l % n_m, "l": cml % n_l})
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

    n_l = int(lines["l"].max()) + 1 if len(lines) else 1

    def _distinct_lines(in_window) -> np.ndarray:  # distinct product lines per customer in the months where in_window
        sel = lines.loc[in_window]
        customer_of_pair = pd.unique(sel["c"].to_numpy() * n_l + sel["l"].to_numpy()) // n_l
        return np.bincount(customer_of_pair, minlength=len(custs))

    lines_recent = _distinct_lines(lines["m"] >= T - w)
    lines_before = _distinct_lines((lines["m"] >= T - 2 * w) & (lines["m"] < T - w))
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
        out = out.assign(p_alive=_p_alive(tx, out[customer_col], bgnbd, asof, time_unit, customer_col))

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

    out = out.assign(evidence=[_evidence(r) for r in out.to_dict("records")] if len(out) else pd.Series(dtype="str"))
    out = out.sort_values(customer_col, kind="stable").sort_values(
        ["rules", "lost_revenue_per_month"], ascending=[False, False], kind="stable"
    )
    out = out.reset_index(drop=True)
    out = out.assign(rank=np.arange(1, len(out) + 1)).astype({customer_col: "str", "evidence": "str"})
    return _attach(out, customers, customer_col)


# =========================================================================== 7. development KPIs


def _quarter_frame(transactions: pd.DataFrame, customer_col: str, service_costs: pd.DataFrame | None) -> pd.DataFrame:
    """Revenue and profit per customer and quarter, with the customer's first quarter.

    Rows sorted by customer id and quarter: customer_col, _q (Period), revenue,
    profit, _first (Period), _c (the customer's rank among the sorted ids).
    Grouped on integer codes (customer rank, quarter ordinal), not on the id strings.
    """
    q_ord = transactions["order_date"].dt.to_period("Q").array.asi8  # quarter ordinals (1970Q1 = 0)
    c, ids = pd.factorize(transactions[customer_col], sort=True)
    q_min = int(q_ord.min())
    n_q = int(q_ord.max()) - q_min + 1
    rev = transactions["revenue"].to_numpy(dtype="float64")
    frame = pd.DataFrame({"key": c * n_q + (q_ord - q_min), "revenue": rev, "profit": rev - transactions["cost"].to_numpy(dtype="float64")})
    g = frame.loc[c >= 0].groupby("key", sort=True)[["revenue", "profit"]].sum()
    key = g.index.to_numpy()
    if service_costs is not None:
        sc_q = service_costs["month"].dt.to_period("Q").array.asi8 - q_min
        sc_c = _positions(ids, service_costs[customer_col])
        ok = (sc_c >= 0) & (sc_q >= 0) & (sc_q < n_q)
        serve = (
            pd.DataFrame({"key": sc_c[ok] * n_q + sc_q[ok], "serve": service_costs["cost_to_serve"].to_numpy(dtype="float64")[ok]})
            .groupby("key")["serve"]
            .sum()
        )
        g = g.assign(profit=g["profit"] - serve.reindex(g.index).fillna(0.0))
    cust = key // n_q
    quarter = key % n_q + q_min
    first = pd.Series(quarter).groupby(cust).transform("min").to_numpy()
    # customers already buying in the data's first quarter are of unknown age: count them as existing
    first = np.where(first > q_min, first, q_min - 1)
    return pd.DataFrame(
        {
            customer_col: ids.take(cust),
            "_q": pd.PeriodIndex.from_ordinals(quarter, freq="Q").array,
            "revenue": g["revenue"].to_numpy(),
            "profit": g["profit"].to_numpy(),
            "_first": pd.PeriodIndex.from_ordinals(first, freq="Q").array,
            "_c": cust,
        }
    )


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
    last_q = g.groupby("_c")["_q"].max()  # by customer rank (g is sorted by customer)
    names = g.drop_duplicates("_c").set_index("_c")[customer_col]
    lapsed = last_q.index[last_q <= now - lapsed_quarters]
    active = last_q.index[last_q > now - lapsed_quarters]
    g = g.join(last_q.rename("_last"), on="_c")
    in_value = (g["_q"] > g["_last"] - value_quarters) & (g["_q"] <= g["_last"])
    past = g.loc[in_value].groupby("_c")[["revenue", "profit"]].sum()
    cur = g.loc[(g["_q"] > now - value_quarters) & g["_c"].isin(active)].groupby("_c")["profit"].sum()
    if cur.empty:
        raise InsufficientDataError(f"transactions: no customers active in the {value_quarters} quarters up to {q}")
    threshold = float(np.quantile(cur.to_numpy(), value_quantile))
    cand = past.loc[past.index.isin(lapsed) & (past["profit"] >= threshold)]
    cand_ids = names.reindex(cand.index).astype("str")
    # last order date and order count of the candidates only
    mine = tx.loc[_positions(cand_ids, tx[customer_col].astype("str")) >= 0, [customer_col, "order_id", "order_date"]]
    mine = mine.assign(**{customer_col: mine[customer_col].astype("str")})
    lastd = mine.groupby(customer_col)["order_date"].max()
    n_orders = mine.groupby(customer_col)["order_id"].nunique()
    out = pd.DataFrame(
        {
            customer_col: cand_ids.to_numpy(),
            "last_order_date": lastd.reindex(cand_ids).dt.date.to_numpy(),
            "quarters_since_last_order": (now - last_q.reindex(cand.index)).map(lambda d: d.n).to_numpy(dtype="int64")
            if len(cand)
            else np.array([], dtype="int64"),
            "past_revenue": cand["revenue"].to_numpy(),
            "past_profit": cand["profit"].to_numpy(),
            "orders": n_orders.reindex(cand_ids).to_numpy(dtype="int64"),
            "p_alive": np.nan,
        }
    )
    if bgnbd is not None and len(out):
        out = out.assign(p_alive=_p_alive(tx, out[customer_col], bgnbd, q.end, time_unit, customer_col))
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


# display: what each result looks like in the report (readable columns, number formats, top rows only)

FEATURE_LABELS = {
    "const": "Intercept",
    "tenure_years": "Years as a customer",
    "orders_12m": "Orders in the last 12 months",
    "log_revenue_12m": "Revenue in the last 12 months (log scale)",
    "categories_12m": "Categories bought in the last 12 months",
    "months_since_last_order": "Months since the last order",
    "category_fit": "Offer in a category the customer buys",
    "size_band": "Size band",
    "market_type": "Market type",
    "channel": "Channel",
}
"""How the response model's features read in the report (see :data:`FEATURE_DOCS`)."""


def _cap(text) -> str:
    """``"all offers"`` -> ``"All offers"`` (other characters kept)."""
    text = str(text)
    return text[:1].upper() + text[1:]


def _pct_range(low, high) -> list[str]:
    """``0.463, 0.736`` -> ``"46.3% – 73.6%"`` per element (``"–"`` when missing)."""
    return ["–" if pd.isna(a) or pd.isna(b) else f"{a:.1%} – {b:.1%}" for a, b in zip(low, high, strict=True)]


def _num_range(low, high) -> list[str]:
    """``0.41, 1.26`` -> ``"0.41 – 1.26"`` per element (``"–"`` when missing)."""
    return ["–" if pd.isna(a) or pd.isna(b) else f"{a:,.2f} – {b:,.2f}" for a, b in zip(low, high, strict=True)]


def _p_text(p) -> str:
    return "–" if pd.isna(p) else ("< 0.001" if p < 0.001 else f"{p:.3f}")


def _feature_label(name: str, reference: dict) -> str:
    """``"size_band=large"`` -> ``"Size band: large (against small)"``; numeric features from :data:`FEATURE_LABELS`."""
    if "=" in name:
        col, level = name.split("=", 1)
        ref = reference.get(col)
        return f"{FEATURE_LABELS.get(col, _cap(col))}: {level}" + (f" (against {ref})" if ref is not None else "")
    return FEATURE_LABELS.get(name, name)


def _reading(low, high) -> str:
    """How to read an odds-ratio interval: above 1, below 1, or spanning 1."""
    if pd.isna(low) or pd.isna(high):
        return "Not conclusive"
    if low > 1:
        return "More likely to respond"
    if high < 1:
        return "Less likely to respond"
    return "Not conclusive"


def _one_direction(pairs: pd.DataFrame) -> pd.DataFrame:
    """Each pair once, in the direction with the higher confidence (ties: the first name), lift order kept."""
    a, b = pairs["antecedent"].astype("str"), pairs["consequent"].astype("str")
    key = np.where(a < b, a + "\x00" + b, b + "\x00" + a)
    ranked = pairs.assign(_key=key, _a=a).sort_values(["confidence", "_a"], ascending=[False, True], kind="stable")
    keep = ranked.drop_duplicates("_key").index
    return pairs.loc[pairs.index.isin(keep)]


def _view_campaign(df: pd.DataFrame, rep) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Target group": df["segment"].map(_cap),
            "Customers": df["customers"].astype("int64"),
            "Past offers": df["offers"].astype("int64"),
            "Response rate": df["response_rate"],
            "Likely range": _pct_range(df["response_rate_low"], df["response_rate_high"]),
            "Purchase per responder": df["volume"],
            "Cost per contact": df["cost_per_contact"],
            "Profit per contact": df["profit_per_contact"],
            "ROI": df["roi"],
            "Rank": df["rank"],
            "Customers to contact": df["contact_customers"].astype("int64"),
        }
    )


def _view_response_rates(df: pd.DataFrame, rep) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Customer group": df["group"].map(_cap),
            "Offers": df["offers"],
            "Responders": df["responders"],
            "Response rate": df["response_rate"],
            "Likely range": _pct_range(df["rate_low"], df["rate_high"]),
            "Purchase per responder": df["avg_response_revenue"],
        }
    )


def _view_odds_ratios(df: pd.DataFrame, rep) -> pd.DataFrame:
    model = rep.tables.get("response_model")
    reference = getattr(model, "reference_", {}) or {}
    rows = df.loc[df["feature"] != "const"]
    return pd.DataFrame(
        {
            "Feature": [_feature_label(f, reference) for f in rows["feature"]],
            "Odds ratio": rows["odds_ratio"].to_numpy(),
            "Likely range": _num_range(rows["or_low"], rows["or_high"]),
            "p-value": [_p_text(p) for p in rows["p_value"]],
            "Reading": [_reading(lo, hi) for lo, hi in zip(rows["or_low"], rows["or_high"], strict=True)],
        }
    )


def _view_scores(df: pd.DataFrame, rep) -> pd.DataFrame:
    out = {"Rank": df["rank"], "Customer": df["customer_id"]}
    out.update(
        {label: df[col] for col, label in (("name", "Name"), ("size_band", "Size band"), ("market_type", "Market type")) if col in df}
    )
    out["Response probability"] = df["p_response"]
    return pd.DataFrame(out)


def _view_pairs(first: str):
    def build(df: pd.DataFrame, rep) -> pd.DataFrame:
        one = _one_direction(df)
        return pd.DataFrame(
            {
                first: one["antecedent"],
                "Goes with": one["consequent"],
                "Orders with both": one["n_both"],
                "Support": one["support"],
                "Confidence": one["confidence"],
                "Lift": one["lift"],
            }
        )

    return build


def _view_next_best(df: pd.DataFrame, rep) -> pd.DataFrame:
    out = {"Customer": df["customer_id"]}
    out.update(
        {label: df[col] for col, label in (("name", "Name"), ("size_band", "Size band"), ("market_type", "Market type")) if col in df}
    )
    out.update({"Offer next": df["next_product"], "Because they buy": df["because_of"], "Lift": df["lift"], "Confidence": df["confidence"]})
    return pd.DataFrame(out)


def _view_backtest(df: pd.DataFrame, rep) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Model": df["model"].map(lambda m: MODEL_LABELS.get(m, m)),
            "MASE": df["mase"],
            "Relative MASE": df["relative_mase"],
            "Backtest origins": df["origins"],
            "Shown": np.where(df["chosen"], "✓", ""),
        }
    )


def _view_clv(df: pd.DataFrame, rep) -> pd.DataFrame:
    out = {"Customer": df["customer_id"]}
    info = rep.customer_info
    if info is not None and "name" in info.columns:
        out["Name"] = df["customer_id"].map(info["name"])
    out.update(
        {
            "Repeat purchases": df["frequency"],
            "Probability active": df["probability_alive"],
            "Expected purchases next month": df["expected_purchases"],
            "Expected spend per purchase": df["expected_value"],
            "Lifetime value": df["clv"],
        }
    )
    return pd.DataFrame(out)


def _view_watch(df: pd.DataFrame, rep) -> pd.DataFrame:
    out = {"Rank": df["rank"], "Customer": df["customer_id"]}
    out.update({label: df[col] for col, label in (("name", "Name"), ("size_band", "Size band")) if col in df})
    out.update(
        {
            "Usual revenue per month": df["trailing_avg_revenue"],
            "Recent revenue per month": df["recent_avg_revenue"],
            "Months falling": df["months_declining"].astype("int64"),
            "Product lines": [f"{int(b)} → {int(r)}" for b, r in zip(df["lines_before"], df["lines_recent"], strict=True)],
            "Probability active": df["p_alive"],
        }
    )
    return pd.DataFrame(out)


def _view_kpis(df: pd.DataFrame, rep) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Quarter": df["quarter"],
            "Existing customers' revenue": df["existing_revenue"],
            "Change on the previous quarter": df["existing_revenue_qoq_pct"],
            "Change on a year earlier": df["existing_revenue_yoy_pct"],
            "Share of revenue": df["existing_share_revenue"],
            "Existing customers' profit": df["existing_profit"],
            "Profit change on a year earlier": df["existing_profit_yoy_pct"],
            "New customers": df["new_customers"],
            "New customers' profit": df["new_profit"],
            "Development minus acquisition": df["dev_minus_new_profit"],
        }
    )


def _view_winback(df: pd.DataFrame, rep) -> pd.DataFrame:
    out = {"Rank": df["rank"], "Customer": df["customer_id"]}
    out.update({label: df[col] for col, label in (("name", "Name"), ("size_band", "Size band")) if col in df})
    out.update(
        {
            "Last order": df["last_order_date"],
            "Revenue in their last active year": df["past_revenue"],
            "Profit in their last active year": df["past_profit"],
            "Orders": df["orders"],
            "Probability active": df["p_alive"],
        }
    )
    return pd.DataFrame(out)


# per result: the display builder, number formats of its columns, whether only the first top_n rows are shown
_VIEWS: dict[str, dict] = {
    "campaign": {
        "build": _view_campaign,
        "money": ("Purchase per responder", "Cost per contact", "Profit per contact"),
        "pct": ("Response rate", "ROI"),
    },
    "response_rates": {"build": _view_response_rates, "pct": ("Response rate",), "money": ("Purchase per responder",)},
    "odds_ratios": {"build": _view_odds_ratios, "decimals": ("Odds ratio",)},
    "scores": {"build": _view_scores, "pct": ("Response probability",), "top": True, "what": "customers"},
    "pairs": {"build": _view_pairs("Product"), "pct": ("Support", "Confidence"), "decimals": ("Lift",), "top": True, "what": "pairs"},
    "category_pairs": {
        "build": _view_pairs("Category"),
        "pct": ("Support", "Confidence"),
        "decimals": ("Lift",),
        "top": True,
        "what": "pairs",
    },
    "next_best": {"build": _view_next_best, "pct": ("Confidence",), "decimals": ("Lift",), "top": True, "what": "customers"},
    "forecast_backtest": {"build": _view_backtest, "decimals": ("MASE", "Relative MASE")},
    "clv_customers": {
        "build": _view_clv,
        "money": ("Expected spend per purchase", "Lifetime value"),
        "pct": ("Probability active",),
        "decimals": ("Expected purchases next month",),
        "top": True,
        "what": "customers",
    },
    "watch": {
        "build": _view_watch,
        "money": ("Usual revenue per month", "Recent revenue per month"),
        "pct": ("Probability active",),
        "top": True,
        "caption": lambda df: f"{len(df):,} customers on the watch list",
    },
    "kpis": {
        "build": _view_kpis,
        "money": ("Existing customers' revenue", "Existing customers' profit", "New customers' profit", "Development minus acquisition"),
        "pct": ("Change on the previous quarter", "Change on a year earlier", "Share of revenue", "Profit change on a year earlier"),
    },
    "winback": {
        "build": _view_winback,
        "money": ("Revenue in their last active year", "Profit in their last active year"),
        "pct": ("Probability active",),
        "top": True,
        "what": "customers",
    },
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

    A :class:`custlib.reports.context.Sections`: ``tables`` holds the results by name
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

    Attributes
    ----------
    budget : float or None
        The campaign budget (``development.campaign.budget``), for the plan's sentence.
    min_offers : int
        Past offers a target group needs to be ranked.
    customer_info : DataFrame or None
        The customers' name, size band and market type by id (for tables that lack them).
    """

    def __init__(self, quarter: str, currency: str = "", top_n: int = 15) -> None:
        super().__init__()
        self.quarter = quarter
        self.currency = currency
        self.top_n = top_n
        self.budget: float | None = None
        self.min_offers = 10
        self.customer_info: pd.DataFrame | None = None

    def text(self, name: str) -> str:
        """The sentence(s) the report says about ``name`` ("campaign", "forecast" or "kpis").

        Raises
        ------
        InsufficientDataError
            The result is unavailable (the message says why).
        KeyError
            No text for ``name``.
        """
        result = self.table(name)
        if name == "campaign":
            return campaign_summary(result, budget=self.budget, min_offers=self.min_offers, currency=self.currency)
        if name == "forecast":
            return result.summary
        if name == "kpis":
            return kpi_summary(result, currency=self.currency)
        raise KeyError(f"no text for {name!r}; texts: campaign, forecast, kpis")

    def say(self, name: str) -> None:
        """Say :meth:`text` of ``name`` in the report; nothing when unavailable (its table or chart says why)."""
        from custlib.reports.context import say

        if name in self.tables:
            say(self.text(name))

    def view(self, name: str) -> tuple[pd.DataFrame, str | None, dict]:
        """The table ``name`` as the report shows it: readable columns, the first ``top_n`` rows, caption, formats.

        Returns
        -------
        (DataFrame, caption or None, dict of :func:`custlib.reports.context.show` options)

        Raises
        ------
        InsufficientDataError
            The result is unavailable.
        """
        frame = self.table(name)
        spec = _VIEWS.get(name, {})
        out = spec["build"](frame, self) if "build" in spec else frame
        caption = spec["caption"](frame) if callable(spec.get("caption")) else None
        if spec.get("top") and len(out) > self.top_n:
            what = f" {spec['what']}" if spec.get("what") else ""
            caption = f"{caption} (the first {self.top_n} shown)" if caption else f"The first {self.top_n} of {len(out):,}{what}"
            out = out.head(self.top_n)
        opts = {k: tuple(spec.get(k, ())) for k in ("money", "pct", "decimals")}
        return out.reset_index(drop=True), caption, {**opts, "currency": self.currency}

    def show(self, name: str, caption: str | None = None, **kwargs) -> None:
        """Show the table ``name`` in the report's formats (:meth:`view`), or say why it is missing.

        ``kwargs`` (money, pct, decimals, currency ...) override the defaults
        and go to :func:`custlib.reports.context.show`.
        """
        from custlib.reports.context import show

        if self.say_unavailable(name):
            return
        out, default_caption, opts = self.view(name)
        show(out, caption if caption is not None else default_caption, **{**opts, **kwargs})

    def plot(self, name: str, plot_fn=None, *args, ax=None, **kwargs):
        """Draw the chart of ``name`` ("gains", "forecast" or "clv_check"), or say why it is missing.

        With ``plot_fn``, behaves as :meth:`custlib.reports.context.Sections.plot`.
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
            from custlib.clv import plot_holdout_check

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
        Seed of the campaign draws, the response model's split and the
        customer sample the lifetime value models are fitted on in large
        regions (:func:`custlib.clv.lifetime_value_analysis`, ``fit_sample``).
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

    Notes
    -----
    Order ids are coded as integers once (they are only compared, never
    shown), the product pairs are shared with the next-best product, and
    BLAS runs on one thread while the report is computed (restored after):
    on a region of 113,226 customers and 2.7 million order lines this takes
    about 8 CPU seconds instead of 55, with the same results except where
    the lifetime value models are fitted on a sample (see ``seed``).
    """
    from custlib.clv import _one_blas_thread

    # BLAS on one thread: the models here multiply small matrices thousands of times, where BLAS threads
    # only wait on each other (and on the report running beside this one); the setting is restored after.
    with _one_blas_thread():
        return _development_region(
            transactions, customers, offers, service_costs, quarter, params, seed=seed, currency=currency, top_n=top_n
        )


def _development_region(transactions, customers, offers, service_costs, quarter, params, *, seed, currency, top_n) -> DevelopmentReport:
    """The work of :func:`development_region`."""
    from custlib import clv

    q = Quarter.parse(quarter)
    params = params or {}
    dp = params.get("development") or {}
    cp = dict(params.get("clv") or {})
    camp = dict(dp.get("campaign") or {})
    if "budget" not in camp:
        raise ParamsError("development.campaign.budget: the campaign budget is required")
    n_top = int(top_n if top_n is not None else (params.get("report") or {}).get("top_n", 15))
    rep = DevelopmentReport(str(q), currency=currency, top_n=n_top)
    rep.budget = float(camp["budget"])
    rep.min_offers = int(camp.get("min_offers", 10))
    asof = q.end
    _require(transactions, ["customer_id", "order_id", "order_date", "revenue", "cost"], "transactions")
    _require(customers, ["customer_id"], "customers")
    info = [c for c in ("name", "size_band", "market_type") if c in customers.columns]
    rep.customer_info = customers[["customer_id", *info]].drop_duplicates("customer_id").set_index("customer_id")
    tx = transactions.loc[transactions["order_date"] <= asof]
    # Order ids are only ever compared (baskets, order counts), never shown: code them as integers
    # once here instead of hashing millions of id strings again in every section.
    tx = tx.assign(order_id=pd.factorize(tx["order_id"])[0])
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
    for name, item in (("pairs", "product_id"), ("category_pairs", "category")):
        pairs = rep.compute(name, _explained(co_purchase, _HINTS["pairs"]), tx, item_col=item, **cop)
        if pairs is not None and pairs.empty:
            rep.caveats[name] = (
                f"no two {'products' if item == 'product_id' else 'categories'} were bought together in "
                f"{cop.get('min_count', 5)} or more orders with a lift above {cop.get('min_lift', 0.0)} "
                f"({int(tx['order_id'].nunique()):,} orders in all); more orders, or a lower development.copurchase.min_count, would show pairs"
            )
    # next best product reuses the product pairs (same lines, same min_count) instead of counting them again
    rules = rep.tables.get("pairs")
    nbp = rep.compute("next_best", _explained(next_best_product, _HINTS["next_best"]), tx, customers, rules=rules, **cop)
    if nbp is not None and nbp.empty:
        rep.caveats["next_best"] = "no customer has a qualifying co-purchase rule to recommend from (see the product pairs above)"

    # 4. revenue forecast
    fc = rep.compute("forecast", _explained(forecast_revenue, _HINTS["forecast"]), tx, end=asof, **(dp.get("forecast") or {}))
    if fc is None:
        rep.mark_unavailable("forecast_backtest", "no forecast (see the reason above).")
    else:
        rep.tables["forecast_backtest"] = fc.backtest

    # 5. lifetime value
    life = rep.compute("lifetime", _explained(clv.lifetime_value_analysis, _HINTS["lifetime"]), tx, asof, **{"seed": seed, **cp})
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
        # a model's fit note is said once: the last one is the fit on the whole history (the check's fit comes first)
        last = {n.split(":", 1)[0]: n for n in other if n.startswith(("BG/NBD:", "Gamma-Gamma:"))}
        other = [n for n in other if not n.startswith(("BG/NBD:", "Gamma-Gamma:")) or last[n.split(":", 1)[0]] == n]
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


# =========================================================================== executive summary


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def headline_figures(report: DevelopmentReport, currency: str = "CNY") -> tuple[pd.DataFrame, list[str]]:
    """The development report's headline figures and the actions they suggest.

    Figures (NaN where a section, or last quarter's value, is unavailable):

    1. revenue from existing customers this quarter, against last quarter
       (:func:`development_kpis`; money, good: up);
    2. existing customers' share of all revenue (pct, up);
    3. new customers this quarter (count, up);
    4. customers on the watch list (:func:`early_warning`; count, down; no
       previous value: the list is made for this quarter only);
    5. expected profit of the campaign plan within the budget
       (:func:`campaign_plan`; money, up; no previous value).

    Actions, at most three, in this order, each only when it applies: visit
    the customers on the watch list (with the revenue a month they no longer
    buy); run the campaign on the customers the plan contacts, or do not run
    it when no target group is expected to make a profit; move effort to
    acquisition when development returned less profit than new customers a
    year on (DOMAIN.md section 3); call the lapsed customers worth winning
    back. With none of these, one sentence says the plan can stay.

    Parameters
    ----------
    report : DevelopmentReport
        From :func:`development_region`.
    currency : str
        Shown with money (``ctx.currency``).

    Returns
    -------
    (DataFrame, list of str)
        Columns figure, value, previous, unit, good (see
        :func:`custlib.reports.context.executive_summary`); the actions in plain words
        (numbers only, no customer names). report -> headlines.
    """
    nan = float("nan")
    T = report.tables
    cur = f"{currency} " if currency else ""
    unit = f" ({currency})" if currency else ""
    kpis, watch, plan, wb = T.get("kpis"), T.get("watch"), T.get("campaign"), T.get("winback")

    def kpi(col: str, back: int) -> float:
        if kpis is None or len(kpis) < back:
            return nan
        return float(kpis[col].iloc[-back])

    chosen = plan.loc[plan["contact_customers"] > 0] if plan is not None else None
    figures = pd.DataFrame(
        [
            (f"Revenue from existing customers{unit}", kpi("existing_revenue", 1), kpi("existing_revenue", 2), "money", "up"),
            ("Existing customers' share of revenue", kpi("existing_share_revenue", 1), kpi("existing_share_revenue", 2), "pct", "up"),
            ("New customers", kpi("new_customers", 1), kpi("new_customers", 2), "count", "up"),
            ("Customers on the watch list", float(len(watch)) if watch is not None else nan, nan, "count", "down"),
            (
                f"Expected profit of the campaign plan{unit}",
                float(chosen["contact_profit_total"].sum()) if chosen is not None else nan,
                nan,
                "money",
                "up",
            ),
        ],
        columns=["figure", "value", "previous", "unit", "good"],
    )

    actions = []
    if watch is not None and len(watch):
        lost = float((watch["trailing_avg_revenue"] - watch["recent_avg_revenue"]).clip(lower=0).sum())
        actions.append(
            f"Visit the {_plural(len(watch), 'customer')} on the watch list before the relationship breaks, from the top of the "
            f"list: together they buy {cur}{lost:,.0f} a month less than they used to."
        )
    if chosen is not None and len(chosen):
        n = int(chosen["contact_customers"].sum())
        actions.append(
            f"Run the development campaign on the {_plural(n, 'customer')} the plan contacts within the budget: "
            f"expected profit {cur}{chosen['contact_profit_total'].sum():,.0f}."
        )
    elif plan is not None and plan["ranked"].fillna(False).astype(bool).any():
        actions.append("Do not run the development campaign as planned: no target group is expected to make a profit from it.")
    gap = kpi("dev_minus_new_profit", 1)
    if pd.notna(gap) and gap < 0:
        actions.append(
            f"Development returned {cur}{-gap:,.0f} less profit than new customers brought this quarter: "
            "consider moving sales effort to winning new customers."
        )
    if wb is not None and len(wb):
        actions.append(
            f"Call the {_plural(len(wb), 'lapsed customer')} worth winning back: in their last active year they brought "
            f"{cur}{wb['past_profit'].sum():,.0f} of profit."
        )
    if not actions and (kpis is not None or watch is not None):
        actions.append("No customer is slipping and no campaign or win-back call is due: keep the current plan.")
    return figures, actions[:3]


# =========================================================================== Chinese catalogue (custlib.present.i18n)

_ZH_CHANNELS = {"email": "电子邮件", "phone": "电话", "visit": "上门拜访", "unknown": "未知"}
_ZH_MODELS = {"Seasonal naive": "季节性朴素预测", "ETS": "指数平滑（ETS）", "SARIMAX": "季节性 ARIMA（SARIMAX）"}
_ZH_FEATURES = {
    "Intercept": "截距",
    "Years as a customer": "合作年限",
    "Orders in the last 12 months": "近 12 个月订单数",
    "Revenue in the last 12 months (log scale)": "近 12 个月销售收入（对数）",
    "Categories bought in the last 12 months": "近 12 个月购买品类数",
    "Months since the last order": "距最近一次订单的月数",
    "Offer in a category the customer buys": "推荐产品属于客户已购品类",
    "Size band": "规模",
    "Market type": "市场类型",
    "Channel": "渠道",
}
_ZH_HINTS = {
    _HINTS["campaign"]: "以往推荐中至少有两家响应客户记录了响应金额（response_revenue）后，即可进行开发活动预测；实际反应率见第 2 部分。",
    _HINTS["response_rates"]: "向本区域客户发出推荐后即可计算。",
    _HINTS[
        "response_model"
    ]: "更多的以往推荐（例如几次活动，或更长的历史）才能建立模型；上方按客户群统计的实际反应率是现有数据所能支持的。",
    _HINTS["pairs"]: "包含多种产品的订单才能进行交叉分析。",
    _HINTS["next_best"]: "包含多种产品的订单才能给出推荐。",
    _HINTS["lifetime"]: "更多重复购买（在两天或以上有订单）的客户才能建立终身价值模型。",
    _HINTS["watch"]: "更长的订单历史才能生成预警名单。",
    _HINTS["kpis"]: "有截至报告季度的订单才能计算这些指标。",
    _HINTS["winback"]: "需要最近几个季度有订单的客户，作为衡量流失客户的参照。",
}
_ZH_BOUNDS = {
    "purchase rates barely differ between customers": "客户之间的购买频率几乎没有差别",
    "dropout sits at an extreme: almost no one, or almost everyone, drops out": "流失率处于极端：几乎没有人流失，或几乎所有人都流失",
    "the spread of a customer's transaction values is extreme": "单个客户各次交易金额的离散程度极端",
    "average spend barely differs between customers beyond transaction noise": "除交易本身的波动外，客户之间的平均消费几乎没有差别",
}
_M = r"((?:[A-Z]{3} )?-?[\d,]+)"  # an amount as the sentences write it: "CNY 1,234" or "1,234"


def _zh_pct_change(text: str) -> str:
    return "无法比较" if text == "n/a" else text


def _zh_parts(text: str, sep: str = "; ") -> str:
    """Translate each "; "-separated part with the catalogue and join them with the Chinese semicolon."""
    from custlib.present import i18n

    return "；".join(i18n.tr(p.strip().rstrip("."), "zh") for p in text.split(sep))


def _zh_kpi(m) -> str:
    from custlib.present import i18n

    growth = m[5]
    g = re.fullmatch(r"(\d+) quarters? of year-on-year growth running", growth)
    growth_zh = f"同比增长已连续 {g[1]} 个季度" if g else "本季度没有同比增长"
    share = m[6]
    s = re.fullmatch(r"(\d+)% of all revenue", share)
    share_zh = f"占全部销售收入的 {s[1]}%" if s else "本季度没有任何销售收入"
    return (
        f"{m[1]} 现有客户的采购额为 {m[2]}（环比 {_zh_pct_change(m[3])}，同比 {_zh_pct_change(m[4])}；{growth_zh}），"
        f"{share_zh}；{i18n.tr(m[7], 'zh')}"
    )


def _zh_verdict(m) -> str:
    word = "增加" if m[1] == "added" else "减少"
    result = "客户开发的回报更高。" if m[4].startswith("development") else "本季度开发新客户的回报更高。"
    return f"与去年同期相比，客户开发使利润{word} {m[2]}，新客户带来 {m[3]}：{result}"


def _zh_campaign(m) -> str:
    head = "在预算内" if not m[1] else f"在 {m[1]} 的预算内"
    text = f"{head}，计划联系 {m[2]} 家客户，涉及 {m[3]} 个目标客户群：预期供应成本 {m[4]}，预期利润 {m[5]}。"
    return text + (_zh_unranked(m[6]) if m[6] else "")


def _zh_unranked(tail: str) -> str:
    t = re.fullmatch(r" ?(\d+) target groups? with fewer than (\d+) past offers (?:are|is) shown but not ranked\.", tail)
    return f"以往推荐少于 {t[2]} 次的 {t[1]} 个目标客户群只列出、不参与排名。" if t else tail


def _zh_feature(m) -> str:
    from custlib.present import i18n

    col = _ZH_FEATURES.get(m[1], m[1])
    level = _ZH_CHANNELS.get(m[2]) or i18n.tr(m[2], "zh")
    if m[3] is None:
        return f"{col}：{level}"
    ref = _ZH_CHANNELS.get(m[3]) or i18n.tr(m[3], "zh")
    return f"{col}：{level}（相对于{ref}）"


def _zh_reason_with_hint(hint_zh: str):
    def repl(m) -> str:
        from custlib.present import i18n

        return f"{i18n.tr(m[1], 'zh')}。{hint_zh}"

    return repl


def _zh_register() -> None:
    from custlib import clv
    from custlib.present import i18n  # clv registers the lifetime value report's chart text and reasons

    del clv
    terms = {
        # table headers
        "Target group": "目标客户群",
        "Customers": "客户数",
        "Past offers": "以往推荐次数",
        "Response rate": "反应率",
        "Likely range": "可能范围",
        "Purchase per responder": "响应客户购买量",
        "Cost per contact": "每次联系的供应成本",
        "Profit per contact": "每次联系的预期利润",
        "ROI": "投入回报率",
        "Rank": "排名",
        "Customers to contact": "建议联系客户数",
        "Customer group": "客户群",
        "Offers": "推荐次数",
        "Responders": "响应次数",
        "Feature": "特征",
        "Odds ratio": "优势比",
        "p-value": "P 值",
        "Reading": "解读",
        "Customer": "客户编号",
        "Name": "客户名称",
        "Size band": "规模",
        "Market type": "市场类型",
        "Response probability": "响应概率",
        "Product": "产品",
        "Category": "品类",
        "Goes with": "搭配",
        "Orders with both": "同时购买的订单数",
        "Support": "支持度",
        "Confidence": "置信度",
        "Lift": "提升度",
        "Offer next": "推荐产品",
        "Because they buy": "所搭配的已购产品",
        "Model": "模型",
        "Relative MASE": "相对 MASE",
        "Backtest origins": "回测起点数",
        "Shown": "采用",
        "Repeat purchases": "重复购买次数",
        "Probability active": "活跃概率",
        "Expected purchases next month": "下月预期购买次数",
        "Expected spend per purchase": "每次购买的预期金额",
        "Lifetime value": "终身价值（CLV）",
        "Usual revenue per month": "平常月收入",
        "Recent revenue per month": "近期月收入",
        "Months falling": "连续下降月数",
        "Product lines": "产品线（之前 → 最近）",
        "Quarter": "季度",
        "Existing customers' revenue": "现有客户销售收入",
        "Change on the previous quarter": "环比变化",
        "Change on a year earlier": "同比变化",
        "Share of revenue": "占总收入比例",
        "Existing customers' profit": "现有客户利润",
        "Profit change on a year earlier": "利润同比变化",
        "New customers": "新客户数",
        "New customers' profit": "新客户利润",
        "Development minus acquisition": "客户开发减新客户利润",
        "Last order": "最近一次订单",
        "Revenue in their last active year": "最后活跃年收入",
        "Profit in their last active year": "最后活跃年利润",
        "Orders": "订单数",
        # cell values
        "Large": "大型",
        "Medium": "中型",
        "Small": "小型",
        "Unknown": "未知",
        "unknown": "未知",
        "All offers": "全部推荐",
        "Not conclusive": "无法下结论",
        "More likely to respond": "更可能响应",
        "Less likely to respond": "响应可能性更低",
        **_ZH_CHANNELS,
        **_ZH_MODELS,
        **{k: v for k, v in _ZH_FEATURES.items()},
        # captions and chart text
        "Past offers and responses by customer group": "按客户群统计的以往推荐与响应",
        "Response model": "响应模型",
        "Random targeting": "随机联系",
        "Share of customers contacted (highest scores first)": "已联系客户占比（按得分从高到低）",
        "Share of responders reached": "覆盖的响应客户占比",
        "Actual": "实际",
        "Revenue per month": "月销售收入",
        # executive summary
        "Existing customers' share of revenue": "现有客户收入占比",
        "Customers on the watch list": "预警名单客户数",
        "Do not run the development campaign as planned: no target group is expected to make a profit from it.": (
            "不要按原计划开展客户开发活动：没有哪个目标客户群预计能带来利润。"
        ),
        "No customer is slipping and no campaign or win-back call is due: keep the current plan.": (
            "没有客户在流失，也无需开展开发活动或客户再生回访：保持现有计划。"
        ),
        # sentences without numbers
        "No target group is expected to make a profit from this campaign: do not run it as planned.": (
            "预计没有哪个目标客户群能从这次活动中带来利润：不要按原计划开展。"
        ),
        # caveats and reasons without numbers
        (
            "no service costs in the data: the cost to serve a responder's order is taken as 0 beyond the "
            "serve_cost_rate (set development.campaign.serve_cost_per_order to include it)"
        ): (
            "数据中没有服务成本：除 serve_cost_rate 外，服务响应客户订单的成本按 0 计算"
            "（设置 development.campaign.serve_cost_per_order 可将其计入）"
        ),
        "no service costs in the data: profit is gross profit, before the cost to serve": "数据中没有服务成本：利润为毛利，未扣除服务成本",
        "no customer has a qualifying co-purchase rule to recommend from (see the product pairs above)": (
            "没有客户具备可用于推荐的交叉购买规则（见上方的产品组合）"
        ),
        "no customer meets a warning rule: nobody established is slipping": "没有客户触发预警规则：稳定客户中没有人在流失",
        "no lapsed customer earned as much as a good current customer before they stopped": (
            "没有流失客户在停止购买前带来的利润达到良好现有客户的水平"
        ),
        "probability alive is not shown: the lifetime value model is not available (section 5)": (
            "未显示仍活跃概率：终身价值模型不可用（见第 5 部分）"
        ),
        "no offers table (see section 1).": "没有推荐记录表（见第 1 部分）。",
        "no response model (see the reason above).": "没有响应模型（原因见上文）。",
        "no forecast (see the reason above).": "没有预测（原因见上文）。",
        "no lifetime value models (see the reason above).": "没有终身价值模型（原因见上文）。",
        _NO_OFFERS: (
            "本数据源没有推荐记录表，因此没有以往的客户开发推荐可供学习。有了推荐记录表（每次推荐一行：offer_id、customer_id、offer_date、"
            "product_id、channel、contact_cost、responded、response_revenue），就能进行开发活动预测和客户反应分析。"
        ),
        "offers: fewer than two responders with a response_revenue; cannot estimate purchase volume": (
            "offers：记录了响应金额的响应客户少于两家，无法估计购买量"
        ),
        (
            "offers: the response model cannot be estimated (singular information matrix: some feature separates responders "
            "from non-responders); use fewer features or more offers"
        ): "offers：无法估计响应模型（信息矩阵奇异：某个特征把响应与未响应客户完全分开）；请减少特征或增加推荐",
        "transactions: no orders to form baskets": "transactions：没有可组成购物篮的订单",
        (
            "mase: the training series repeats exactly each season (e.g. no revenue in the same months a year apart), so forecast "
            "errors cannot be scaled; a forecast check needs revenue that varies from year to year"
        ): "mase：训练序列每个季节完全重复（例如相隔一年的同月都没有收入），无法标度预测误差；检验预测需要逐年有变化的销售收入",
    }
    patterns = [
        # table captions
        (r"^The first (\d+) of ([\d,]+) pairs$", r"前 \1 对（共 \2 对）"),
        (r"^The first (\d+) of ([\d,]+) customers$", r"前 \1 家客户（共 \2 家）"),
        (r"^The first (\d+) of ([\d,]+)$", r"前 \1 项（共 \2 项）"),
        (r"^([\d,]+) customers? on the watch list \(the first (\d+) shown\)$", r"预警名单上有 \1 家客户（显示前 \2 家）"),
        (r"^([\d,]+) customers? on the watch list$", r"预警名单上有 \1 家客户"),
        # odds-ratio features with a reference level
        (r"^(Size band|Market type|Channel): (.+?)(?: \(against (.+)\))?$", _zh_feature),
        # charts
        (r"^Cumulative gains on the holdout \(AUC ([\d.]+)\)$", r"留出样本的累计增益（AUC \1）"),
        (r"^Forecast \((.+)\)$", lambda m: f"预测（{_ZH_MODELS.get(m[1], m[1])}）"),
        (r"^Monthly revenue and forecast \((.+)\)$", lambda m: f"月度销售收入及预测（{_ZH_MODELS.get(m[1], m[1])}）"),
        (r"^(\d+)% prediction interval$", r"\1% 预测区间"),
        # sentences
        (
            r"^Within the budget(?: of " + _M + r")? the plan contacts ([\d,]+) customers? in (\d+) target groups?: "
            r"expected provision cost " + _M + r", expected profit " + _M + r"\.(.*)$",
            _zh_campaign,
        ),
        (
            r"^No target group has the (\d+) past offers needed to rank it: make more offers before planning a campaign\.$",
            r"没有哪个目标客户群有排名所需的 \1 次以往推荐：请先多做推荐，再规划活动。",
        ),
        (
            r"^No target group is expected to make a profit from this campaign: do not run it as planned\.( .+)$",
            lambda m: "预计没有哪个目标客户群能从这次活动中带来利润：不要按原计划开展。" + _zh_unranked(m[1]),
        ),
        (
            r"^(.+) is shown: its backtest MASE ([\d.]+) beats the seasonal-naive baseline's ([\d.]+)\.$",
            lambda m: f"采用{_ZH_MODELS.get(m[1], m[1])}：其回测 MASE 为 {m[2]}，优于季节性朴素基准的 {m[3]}。",
        ),
        (
            r"^No model beat the seasonal-naive baseline in the backtest \(MASE ([\d.]+)\); the seasonal-naive forecast is shown\.$",
            r"回测中没有模型优于季节性朴素基准（MASE \1）；因此显示季节性朴素预测。",
        ),
        (
            r"^In (\d{4}Q\d) existing customers bought " + _M + r" \(([+-][\d.]+%|n/a) on the previous quarter, ([+-][\d.]+%|n/a) "
            r"on a year earlier; ([^)]+)\), (no revenue at all this quarter|\d+% of all revenue); (.+)$",
            _zh_kpi,
        ),
        (
            r"^development (added|lost) " + _M + r" of profit on a year earlier, against " + _M + r" earned from new customers: "
            r"(development returned more\.|acquisition returned more this quarter\.)$",
            _zh_verdict,
        ),
        (
            r"^there is no quarter a year earlier to compare development with acquisition\.$",
            "没有去年同期的季度可用来比较客户开发与新客户开发。",
        ),
        # executive summary
        (r"^Revenue from existing customers(?: \((\w+)\))?$", lambda m: "现有客户销售收入" + (f"（{m[1]}）" if m[1] else "")),
        (r"^Expected profit of the campaign plan(?: \((\w+)\))?$", lambda m: "开发活动计划的预期利润" + (f"（{m[1]}）" if m[1] else "")),
        (
            r"^Visit the ([\d,]+) customers? on the watch list before the relationship breaks, from the top of the list: "
            r"together they buy " + _M + r" a month less than they used to\.$",
            r"在关系破裂之前，从名单顶部开始拜访预警名单上的 \1 家客户：他们每月的采购额合计比以往少 \2。",
        ),
        (
            r"^Run the development campaign on the ([\d,]+) customers? the plan contacts within the budget: expected profit " + _M + r"\.$",
            r"按计划在预算内对 \1 家客户开展客户开发活动：预期利润 \2。",
        ),
        (
            r"^Development returned " + _M + r" less profit than new customers brought this quarter: "
            r"consider moving sales effort to winning new customers\.$",
            r"本季度客户开发带来的利润比新客户少 \1：考虑把销售力量转向开发新客户。",
        ),
        (
            r"^Call the ([\d,]+) lapsed customers? worth winning back: in their last active year they brought " + _M + r" of profit\.$",
            r"致电 \1 家值得争取回来的流失客户：他们在最后活跃的一年里带来了 \2 的利润。",
        ),
        # caveats
        (
            r"^no two (products|categories) were bought together in (\d+) or more orders with a lift above ([\d.]+) \(([\d,]+) orders in all\); "
            r"more orders, or a lower development\.copurchase\.min_count, would show pairs$",
            lambda m: (
                f"没有两种{'产品' if m[1] == 'products' else '品类'}在 {m[2]} 个或以上订单中被一起购买且提升度高于 {m[3]}（共 {m[4]} 个订单）；"
                "更多订单，或调低 development.copurchase.min_count，才能显示组合"
            ),
        ),
        # notes on the watch list and the lifetime values: several joined with "; "
        (r"^(?=" + _NOTE_STARTS + r")(.+)$", lambda m: _zh_notes(m[1])),
        # reasons a section is unavailable: the message, then what data would make it possible
        *[(r"^(.+?)\.? " + re.escape(hint) + "$", _zh_reason_with_hint(zh)) for hint, zh in _ZH_HINTS.items()],
        (r"^offers: no past offers on or before (\d{4}-\d\d-\d\d)$", r"offers：\1 之前没有以往推荐"),
        (r"^offers: no past offers on or before (\d{4}-\d\d-\d\d) \((.+)\)$", r"offers：\1 之前没有以往推荐（\2）"),
        (
            r"^offers: no past offers(?: on or before (\d{4}-\d\d-\d\d))? for these customers$",
            lambda m: f"offers：{m[1] + ' 之前' if m[1] else ''}这些客户没有以往推荐",
        ),
        (
            r"^offers: no past offers(?: on or before (\d{4}-\d\d-\d\d))?; the response model needs at least 10 responders and 10 non-responders$",
            lambda m: f"offers：{m[1] + ' 之前' if m[1] else ''}没有以往推荐；响应模型至少需要 10 次响应和 10 次未响应",
        ),
        (
            r"^offers: (\d+) responders and (\d+) non-responders among (\d+) past offers; the response model needs at least 10 of each, "
            r"and at least (\d+) offers in the holdout \(test_size ([\d.]+)\)$",
            r"offers：以往 \3 次推荐中有 \1 次响应、\2 次未响应；响应模型两者都至少需要 10 次，且留出样本中至少需要 \4 次推荐（test_size \5）",
        ),
        (
            r"^response_revenue: need at least two responders' revenues for an interval, got (\d+)$",
            r"response_revenue：计算区间至少需要两家响应客户的金额，现有 \1 家",
        ),
        (
            r"^revenue: (\d+) months of history(?: \((\d{4}-\d\d) to (\d{4}-\d\d)\))?; the forecast and its backtest need at least (\d+) "
            r"months \(two (\d+)-month seasons plus the (\d+)-month backtest horizon\)$",
            lambda m: (
                f"revenue：只有 {m[1]} 个月的历史" + (f"（{m[2]} 至 {m[3]}）" if m[2] else "") + f"；预测及其回测至少需要 {m[4]} 个月"
                f"（两个 {m[5]} 个月的季节周期加上 {m[6]} 个月的回测期）"
            ),
        ),
        (r"^transactions: no orders on or before (\d{4}-\d\d-\d\d)$", r"transactions：\1 之前没有订单"),
        (r"^transactions: no orders up to (\d{4}Q\d)$", r"transactions：截至 \1 没有订单"),
        (
            r"^transactions: no customers active in the (\d+) quarters up to (\d{4}Q\d)$",
            r"transactions：截至 \2 的 \1 个季度内没有活跃客户",
        ),
        (
            r"^transactions: the rules need (\d+) months of history up to (\d{4}-\d\d); the data starts (\d{4}-\d\d)$",
            r"transactions：预警规则需要截至 \2 的 \1 个月历史；数据从 \3 开始",
        ),
        (
            r"^transactions: (\d+) months of history \((\d{4}-\d\d) to (\d{4}-\d\d)\); the watch list needs at least (\d+) months "
            r"\(a trailing window at least as long as the (\d+)-month recent window\)$",
            r"transactions：只有 \1 个月的历史（\2 至 \3）；预警名单至少需要 \4 个月（对比期不短于 \5 个月的近期窗口）",
        ),
        (
            r"^the region's customers have no orders up to (\d{4}-\d\d-\d\d), and every analysis of buying needs orders; "
            r"order lines \(transactions\) for these customers would make it possible\.$",
            r"截至 \1 本区域客户没有订单，而所有购买分析都需要订单；有了这些客户的订单明细（transactions）才能进行。",
        ),
        (
            r"^seasonal_naive: need at least one season \((\d+) values\), got (\d+)$",
            r"seasonal_naive：至少需要一个季节周期（\1 个值），现有 \2 个",
        ),
        (r"^mase: the training series needs more than (\d+) values, got (\d+)$", r"mase：训练序列需要多于 \1 个值，现有 \2 个"),
        (r"^(\w+): the table is not available in this data source$", r"\1：本数据源没有这张表"),
    ]
    i18n.register(terms=terms, patterns=patterns)


_NOTE_STARTS = (
    r"The purchase and spend models were fitted|[\d,]+ customers with a non-positive mean repeat spend|BG/NBD: |Gamma-Gamma: |"
    r"maximum likelihood for |the data start \d{4}-\d\d|no customer meets a warning rule|probability alive is not shown|"
    r"the trailing window is \d+ months|product lines compare the last"
)


def _zh_notes(text: str) -> str:
    """Notes joined with "; " (each may hold "; " itself): split before each known note and translate each."""
    from custlib.present import i18n

    out = []
    for piece in re.split(r"; (?=" + _NOTE_STARTS + ")", text):
        piece = piece.strip()
        zh = i18n.TERMS.get(piece) or i18n.TERMS.get(piece.rstrip(".")) or _zh_note(piece.rstrip("."))
        out.append(zh.rstrip("。"))
    return "；".join(out)


def _zh_note(part: str) -> str:
    """One note of the watch list or the lifetime values in Chinese (the part unchanged when unknown)."""
    t = re.fullmatch(r"the data start (\d{4}-\d\d), only (\d+) months before the quarter's end: (.+)", part)
    if t:
        return f"数据从 {t[1]} 开始，距季度末只有 {t[2]} 个月：" + "；".join(_zh_note(p) for p in t[3].split("; "))
    t = re.fullmatch(
        r"the trailing window is (\d+) months instead of (\d+) \(and a customer needs (\d+) orders in it instead of (\d+)\)", part
    )
    if t:
        return f"对比期为 {t[1]} 个月而不是 {t[2]} 个月（客户在其中需要 {t[3]} 个订单而不是 {t[4]} 个）"
    t = re.fullmatch(r"product lines compare the last (\d+) months with the (\d+) before, instead of (\d+)", part)
    if t:
        return f"产品线比较最近 {t[1]} 个月与之前 {t[2]} 个月，而不是 {t[3]} 个月"
    t = re.fullmatch(
        r"The purchase and spend models were fitted on a random sample of ([\d,]+) of the ([\d,]+) customers \(seed (\d+)\); "
        r"every customer is scored with them",
        part,
    )
    if t:
        return f"购买模型和消费金额模型是在 {t[2]} 家客户中随机抽取的 {t[1]} 家上拟合的（随机种子 {t[3]}）；每家客户都用它们打分"
    t = re.fullmatch(r"([\d,]+) customers with a non-positive mean repeat spend \(returns, credits\) have no expected spend or CLV", part)
    if t:
        return f"{t[1]} 家客户的重复购买平均金额不为正（退货、冲账），没有预期金额和 CLV"
    t = re.fullmatch(
        r"(BG/NBD|Gamma-Gamma): (.+) reached the search limit \((.+)\); the estimates are limiting values and their standard errors "
        r"are not available",
        part,
    )
    if t:
        meaning = "；".join(_ZH_BOUNDS.get(x, x) for x in t[3].split("; "))
        return f"{t[1]}：参数 {t[2]} 到达搜索边界（{meaning}）；估计值是极限值，无法给出标准误"
    t = re.fullmatch(
        r"(BG/NBD|Gamma-Gamma): the Hessian of the negative log-likelihood is not positive definite; standard errors are NaN", part
    )
    if t:
        return f"{t[1]}：负对数似然的 Hessian 矩阵不是正定的；标准误无法计算"
    t = re.fullmatch(r"maximum likelihood for \((.+)\) may not have converged \(largest gradient (.+)\)", part)
    if t:
        return f"参数（{t[1]}）的最大似然估计可能没有收敛（最大梯度 {t[2]}）"
    return part


_zh_register()
