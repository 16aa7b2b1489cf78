"""Campaign forecast: response rate, volume, provision cost, profit and ROI per target group (DOMAIN.md section 3.1).

The model of :func:`campaign_forecast`. For each segment (customers grouped by ``segment_by``), with p the response rate, V the
purchase volume of a responder (revenue), m the unit margin (gross margin per unit of revenue), c the contact cost per customer
contacted and s(V) the cost to serve a responder's order:

- response rate: posterior of p from the segment's past offers, Beta(prior_alpha + k, prior_beta + n - k)
  (:func:`beta_binomial_interval`);
- purchase volume: mean ``response_revenue`` of the segment's responders with a t interval (:func:`mean_interval`); segments
  with fewer than ``min_responders`` responders borrow the mean of all responders (``volume_source`` says which);
- provision cost (contact plus serve, DOMAIN.md section 3): s(V) = (s0 + r V) * g, where s0 is ``serve_cost_per_order`` (or,
  when None, the segment's ``cost_to_serve`` per order over the last ``margin_months`` from ``service_costs``), r is
  ``serve_cost_rate`` and g the segment's mean multiplier (``serve_cost_multipliers``, e.g. remote market types, times
  ``non_standard_multiplier`` for a non-standard offer); this is activity-based cost to serve (Kaplan & Narayanan 2001,
  "Measuring and managing customer profitability", *Journal of Cost Management* 15(5));
- expected profit per contact: pi = p (m V - s(V)) - c, the break-even rule of direct-marketing selection (Bult & Wansbeek 1995,
  *Marketing Science* 14(4), eq. 1: contact when p * a > c); expected provision cost per contact: k = c + p s(V); ROI = pi / k.

Because p and V are independent and pi is linear in V, E[pi] = E[p] (m E[V] - s(E[V])) - c exactly (the ``profit_per_contact``
column). Intervals come from ``draws`` Monte Carlo draws of (p, V) from their posteriors, seeded with ``seed`` (quantiles of pi,
of the segment total N * pi and of the ratio pi / k). Costs and margin are treated as known.

:func:`campaign_forecast` runs the steps :func:`past_offers`, :func:`target_segments`, :func:`offers_by_segment`,
:func:`segment_evidence`, :func:`unit_costs` and :func:`profit_forecast`; :func:`best_targets_within_budget` then chooses the
segments to contact within a budget, and :func:`campaign_plan` does both.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from scipy import stats

from custlib.analysis.development.common import (
    check_level,
    positions,
    require,
    segment_label,
)
from custlib.exceptions import DataError, InsufficientDataError, ParamsError
from custlib.io.facts import require_cost

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
    check_level(level, "interval")
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
    check_level(level, "interval")
    x = np.asarray(values, dtype="float64")
    x = x[np.isfinite(x)]
    if x.size < 2:
        raise InsufficientDataError(
            f"response_revenue: need at least two responders' revenues for an interval, got {x.size}",
            code="too_few_responders",
            found=int(x.size),
            needed=2,
        )
    m = float(x.mean())
    se = float(x.std(ddof=1) / math.sqrt(x.size))
    q = float(stats.t.ppf(1 - (1 - level) / 2, x.size - 1))
    return m, m - q * se, m + q * se, int(x.size)


def segment_of(ids: pd.Series, seg_of: pd.Series) -> pd.Series:
    """``ids.map(seg_of)`` (segment by customer id; NaN for unknown ids), looked up with :func:`_positions`."""
    if not seg_of.index.is_unique:
        return ids.map(seg_of)
    pos = positions(seg_of.index, ids)
    seg = seg_of.to_numpy()[np.maximum(pos, 0)]
    return pd.Series(seg, index=ids.index, dtype=seg_of.dtype).where(pos >= 0)


def customer_multiplier(customers: pd.DataFrame, multipliers: dict) -> pd.Series:
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
    """Forecast a development campaign per target segment, ranked by expected profit per contact.

    The model is in the module docstring; the docstring of each step named below details its settings (the keyword settings
    are the ``development.campaign`` params).

    Parameters
    ----------
    customers, offers, transactions, service_costs : DataFrame
        The region's customers, past offers, order lines and (optional) cost to serve per customer and month.
    asof, channel, products
        Forecast date (default: the last order or offer) and the planned campaign's channel and products (:func:`past_offers`).
    segment_by, serve_cost_multipliers, customer_col
        Customers columns defining the segments, their cost-to-serve multipliers, the id column (:func:`target_segments`).
    prior_alpha, prior_beta, interval, min_responders, contact_cost_by_channel
        Beta prior of the response rate (Jeffreys: 0.5, 0.5), level of every interval, fewest responders for a segment's own
        volume, contact cost per channel (:func:`segment_evidence`, :func:`offers_by_segment`).
    margin_rate, margin_months, serve_cost_per_order
        Unit margin and cost to serve per order; None = observed over the last ``margin_months`` (:func:`unit_costs`).
    serve_cost_rate, non_standard_offer, non_standard_multiplier, draws, seed
        r of s(V), the multiplier of a non-standard offer, Monte Carlo draws per segment (>= 100) and their seed.
    min_offers : int
        Segments with fewer past offers are reported but not ranked.

    Returns
    -------
    DataFrame
        customers, offers, transactions[, service_costs] -> one row per segment: segment, the ``segment_by`` columns, then
        :func:`profit_forecast`'s columns, ranked, rank; sorted by rank (unranked segments last).

    Raises
    ------
    DataError
        A required column is missing, ``responded`` has missing values, or an offer names an unknown customer.
    InsufficientDataError
        No offers table, no past offers (after filters) or fewer than two responders in all.
    ParamsError
        A bad parameter (level, prior, draws, multiplier column).
    """
    segment_by = list(segment_by)
    _check_inputs(customers, offers, transactions, segment_by, draws, interval, customer_col)
    asof, off = past_offers(offers, transactions, asof, channel=channel, products=products)
    cust, existing = target_segments(customers, transactions, asof, segment_by, serve_cost_multipliers, customer_col=customer_col)
    off = offers_by_segment(off, cust, contact_cost_by_channel, customer_col=customer_col)
    ev = segment_evidence(off, cust, existing, prior=(prior_alpha, prior_beta), level=interval, min_responders=min_responders)
    costs = unit_costs(
        transactions, service_costs, cust, ev.index, asof, products, margin_rate, margin_months, serve_cost_per_order, customer_col
    )
    multiplier = non_standard_multiplier if non_standard_offer else 1.0
    out = profit_forecast(ev.join(costs), serve_cost_rate=serve_cost_rate, multiplier=multiplier, draws=draws, seed=seed, level=interval)
    return _ranked(out, cust, segment_by, min_offers)


def _check_inputs(customers, offers, transactions, segment_by: list[str], draws: int, interval: float, customer_col: str) -> None:
    """The columns :func:`campaign_forecast` needs, and its settings that no step checks."""
    require(customers, [customer_col, *segment_by], "customers")
    require(offers, [customer_col, "offer_date", "product_id", "channel", "contact_cost", "responded", "response_revenue"], "offers")
    require(transactions, [customer_col, "order_id", "order_date", "revenue", "cost"], "transactions")
    if not segment_by:
        raise ParamsError("segment_by: expected at least one customers column")
    if draws < 100:
        raise ParamsError(f"draws: expected at least 100 Monte Carlo draws, got {draws}")
    check_level(interval, "interval")
    if offers["responded"].isna().any():
        raise DataError("offers: column 'responded' has missing values; expected true/false for every offer")


def past_offers(offers: pd.DataFrame, transactions: pd.DataFrame, asof=None, *, channel: str | None = None, products=()) -> tuple:
    """The forecast date and the past offers that count for the planned campaign.

    offers, transactions -> (asof, offers made on or before ``asof``, through ``channel`` and of ``products``).

    Parameters
    ----------
    asof : date-like, optional
        Forecast date; later offers and orders are ignored. Default: the later of the last order and the last offer.
    channel : str, optional
        Only past offers made through this channel count (the planned campaign's channel); None = all channels.
    products : list of str
        Only past offers of these products count (the planned offer); empty = all.

    Raises
    ------
    InsufficientDataError
        No offer is left.
    """
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
        raise InsufficientDataError(
            f"offers: no past offers on or before {asof:%Y-%m-%d}" + (f" ({' and '.join(only)})" if only else ""), code="no_offers"
        )
    return asof, off


def target_segments(
    customers: pd.DataFrame, transactions: pd.DataFrame, asof, segment_by: list[str], multipliers: dict | None = None, *, customer_col: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customers with their segment and cost-to-serve multiplier, and those of them who are existing customers.

    customers -> customer_col, ``segment_by`` and multiplier columns, segment, _mult; and its rows of customers with an order
    on or before ``asof`` (N of the module docstring counts these).

    Parameters
    ----------
    segment_by : list of str
        Customers columns defining target segments.
    multipliers : dict, optional
        ``serve_cost_multipliers``: a customers column -> ``{value: multiplier}`` (:func:`customer_multiplier`).
    """
    cust = customers[[customer_col, *segment_by, *[c for c in (multipliers or {}) if c not in segment_by]]].copy()
    cust = cust.assign(segment=segment_label(cust, segment_by), _mult=customer_multiplier(cust, multipliers or {}))
    tx = transactions.loc[transactions["order_date"] <= asof]
    existing = pd.Index(tx[customer_col].unique())
    return cust, cust.loc[positions(existing, cust[customer_col]) >= 0]  # hash lookup (isin on strings is slow)


def offers_by_segment(
    off: pd.DataFrame, cust: pd.DataFrame, contact_cost_by_channel: dict | None = None, *, customer_col: str
) -> pd.DataFrame:
    """Past offers with their customer's segment, ``responded`` as bool and the contact cost.

    offers -> offers plus segment, _responded, _contact (``contact_cost_by_channel`` for the channels it lists, else the
    offer's recorded ``contact_cost``).

    Raises
    ------
    DataError
        An offer names a customer missing from ``cust``.
    """
    seg_of = cust.set_index(customer_col)["segment"]
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
    return off


def segment_evidence(
    off: pd.DataFrame, cust: pd.DataFrame, existing: pd.DataFrame, *, prior: tuple[float, float], level: float, min_responders: int
) -> pd.DataFrame:
    """What the past offers and the customers say about each segment: size, response rate, purchase volume, contact cost, multiplier.

    offers (from :func:`offers_by_segment`), customers and existing customers (from :func:`target_segments`) -> one row per
    segment (sorted, the index): customers, offers, responses, posterior_alpha, posterior_beta, response_rate,
    response_rate_low, response_rate_high, volume, volume_low, volume_high, volume_n, volume_sd, volume_source, contact_cost,
    multiplier.

    Parameters
    ----------
    prior : (float, float)
        ``prior_alpha``, ``prior_beta``: the Beta prior of the response rate (Jeffreys: 0.5, 0.5; :func:`beta_binomial_interval`).
    level : float
        ``interval``: central probability of the response-rate and volume intervals.
    min_responders : int
        A segment with fewer responders (or fewer than two) borrows the volume of all responders (:func:`mean_interval`).

    Raises
    ------
    InsufficientDataError
        Fewer than two responders with a ``response_revenue`` in all.
    """
    all_resp = off.loc[off["_responded"], "response_revenue"].astype("float64")
    if all_resp.notna().sum() < 2:
        raise InsufficientDataError(
            "offers: fewer than two responders with a response_revenue; cannot estimate purchase volume",
            code="too_few_responders",
            found=int(all_resp.notna().sum()),
            needed=2,
        )
    overall = (*mean_interval(all_resp, level=level), float(all_resp.dropna().to_numpy().std(ddof=1)), "all segments")
    rows = []
    for seg in sorted(set(existing["segment"]) | set(off["segment"])):  # loop over a handful of segments, not over rows
        o = off.loc[off["segment"] == seg]
        members = existing.loc[existing["segment"] == seg]
        n_cust = len(members)
        n, k = len(o), int(o["_responded"].sum())
        post = beta_binomial_interval(k, n, prior_alpha=prior[0], prior_beta=prior[1], level=level).iloc[0]
        resp = o.loc[o["_responded"], "response_revenue"].astype("float64").dropna().to_numpy()
        if resp.size >= max(min_responders, 2):
            volume = (*mean_interval(resp, level=level), float(resp.std(ddof=1)), "segment")
        else:
            volume = overall
        c = float(o["_contact"].mean()) if n else float(off["_contact"].mean())
        g = float(members["_mult"].mean()) if n_cust else float(cust.loc[cust["segment"] == seg, "_mult"].mean())
        rows.append(
            {"segment": seg, "customers": n_cust, "offers": n, "responses": k}
            | {"posterior_alpha": post["posterior_alpha"], "posterior_beta": post["posterior_beta"]}
            | {"response_rate": float(post["mean"]), "response_rate_low": float(post["lower"]), "response_rate_high": float(post["upper"])}
            | dict(zip(("volume", "volume_low", "volume_high", "volume_n", "volume_sd", "volume_source"), volume, strict=True))
            | {"contact_cost": c, "multiplier": g}
        )
    return pd.DataFrame(rows).set_index("segment")


def unit_costs(
    transactions: pd.DataFrame,
    service_costs: pd.DataFrame | None,
    cust: pd.DataFrame,
    segments,
    asof: pd.Timestamp,
    products: tuple[str, ...] | list[str] = (),
    margin_rate: float | None = None,
    margin_months: int = 12,
    serve_cost_per_order: float | None = None,
    customer_col: str = "customer_id",
) -> pd.DataFrame:
    """Unit margin m and cost to serve per order s0 of each segment.

    transactions[, service_costs], customers with their segment (:func:`target_segments`) -> one row per segment (index
    ``segments``): margin_rate, serve_per_order.

    Parameters
    ----------
    products : list of str
        The planned offer's products (:func:`past_offers`); empty = all.
    margin_rate : float, optional
        Unit margin (gross profit per unit revenue) of every segment; None = the segment's observed margin over the last
        ``margin_months`` (of ``products`` when given and sold in that window), else that of all segments.
    margin_months : int
        Window of the observed margin and cost to serve.
    serve_cost_per_order : float, optional
        s0 of every segment; None = the segment's ``cost_to_serve`` in the window per order (from ``service_costs``), else that of
        all segments (0 without ``service_costs``).

    Raises
    ------
    DataError
        ``service_costs`` is needed and lacks a column.
    """
    seg_of = cust.set_index(customer_col)["segment"]
    tx = transactions.loc[transactions["order_date"] <= asof]
    win = tx.loc[tx["order_date"] > asof - pd.DateOffset(months=margin_months)]
    win = win.assign(segment=segment_of(win[customer_col], seg_of))
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
        require(service_costs, [customer_col, "month", "cost_to_serve"], "service_costs")
        sc = service_costs.loc[(service_costs["month"] <= asof) & (service_costs["month"] > asof - pd.DateOffset(months=margin_months))]
        sc_seg = sc.groupby(segment_of(sc[customer_col], seg_of), sort=True)["cost_to_serve"].sum()
        n_orders = win.groupby("segment", sort=True)["order_id"].nunique()
        seg_s0 = (sc_seg / n_orders.reindex(sc_seg.index)).replace([np.inf], np.nan)
        overall_s0 = float(sc["cost_to_serve"].sum()) / max(int(win["order_id"].nunique()), 1)
    else:
        seg_s0 = pd.Series(dtype="float64")
        overall_s0 = float(serve_cost_per_order or 0.0)

    out = {}
    for seg in segments:
        m = float(margin_rate) if margin_rate is not None else float(seg_margin.get(seg, np.nan))
        if not np.isfinite(m):
            m = float(overall_margin) if margin_rate is None else m
        s0 = float(serve_cost_per_order) if serve_cost_per_order is not None else float(seg_s0.get(seg, np.nan))
        if not np.isfinite(s0):
            s0 = overall_s0
        out[seg] = {"margin_rate": m, "serve_per_order": s0}
    return pd.DataFrame.from_dict(out, orient="index", columns=["margin_rate", "serve_per_order"])


_EVIDENCE_SHOWN = (
    "customers",
    "offers",
    "responses",
    "response_rate",
    "response_rate_low",
    "response_rate_high",
    "volume",
    "volume_low",
    "volume_high",
    "volume_source",
    "margin_rate",
    "contact_cost",
)
"""Columns of the segment evidence and unit costs that :func:`profit_forecast` carries into the forecast, in its order."""


def profit_forecast(
    ev: pd.DataFrame, *, serve_cost_rate: float = 0.0, multiplier: float = 1.0, draws: int = 4000, seed: int = 0, level: float = 0.9
) -> pd.DataFrame:
    """Provision cost, expected profit per contact and ROI of each segment, with Monte Carlo intervals (module docstring).

    segment evidence and unit costs (:func:`segment_evidence` joined with :func:`unit_costs`) -> one row per segment: segment,
    customers, offers, responses, response_rate, response_rate_low, response_rate_high, volume, volume_low, volume_high,
    volume_source, margin_rate, contact_cost, serve_cost, cost_per_contact, profit_per_contact, profit_per_contact_low,
    profit_per_contact_high, expected_cost, expected_profit, profit_low, profit_high, roi, roi_low, roi_high.

    Parameters
    ----------
    serve_cost_rate : float
        r of s(V) = (s0 + r V) * g: extra cost to serve per unit of revenue.
    multiplier : float
        Factor on every segment's g (``non_standard_multiplier`` for a non-standard offer, else 1).
    draws, seed : int
        Monte Carlo draws per segment (one generator for all segments, in the order of ``ev``) and their seed.
    level : float
        Central probability of the intervals.
    """
    rng = np.random.default_rng(seed)
    tail = (1 - level) / 2
    rows = []
    for seg, e in ev.to_dict("index").items():
        n_cust, m, c, s0 = e["customers"], e["margin_rate"], e["contact_cost"], e["serve_per_order"]
        vol, vsd, vn = e["volume"], e["volume_sd"], e["volume_n"]
        gmult = e["multiplier"] * multiplier
        p_draw = rng.beta(e["posterior_alpha"], e["posterior_beta"], size=draws)
        v_draw = vol + vsd / math.sqrt(vn) * rng.standard_t(vn - 1, size=draws)
        serve_draw = (s0 + serve_cost_rate * v_draw) * gmult
        pi_draw = p_draw * (m * v_draw - serve_draw) - c
        k_draw = c + p_draw * serve_draw
        roi_draw = pi_draw / k_draw
        serve = (s0 + serve_cost_rate * vol) * gmult
        p = e["response_rate"]
        pi = p * (m * vol - serve) - c
        kc = c + p * serve
        rows.append(
            {
                "segment": seg,
                **{col: e[col] for col in _EVIDENCE_SHOWN},
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
            }
        )
    return pd.DataFrame(rows)


def _ranked(out: pd.DataFrame, cust: pd.DataFrame, segment_by: list[str], min_offers: int) -> pd.DataFrame:
    """Segments with at least ``min_offers`` past offers and existing customers, ranked by expected profit per contact."""
    out = out.assign(ranked=(out["offers"] >= min_offers) & (out["customers"] > 0))
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

    Only segments with positive expected profit (and ``eligible_col`` true) are candidates. With ``allow_partial`` (contacting part
    of a segment, cost and profit proportional to the customers contacted) the greedy rule by expected profit per unit cost is
    optimal for this fractional knapsack (Dantzig 1957, *Operations Research* 5(2)); the last segment is filled with as many whole
    customers as the remaining budget pays for. Without it, whole segments are chosen: exactly, by enumerating all subsets, when
    there are at most ``exact_max_items`` candidates, otherwise by the greedy rule compared with the best single segment (a
    1/2-approximation; Martello & Toth 1990, *Knapsack Problems*, section 2.4).

    Parameters
    ----------
    forecast : DataFrame
        One row per segment, e.g. from :func:`campaign_forecast`.
    budget : float
        Money available for the campaign's expected provision cost (>= 0).
    profit_col, cost_col, size_col, id_col, eligible_col : str
        Columns: segment total expected profit, total expected cost, number of customers, segment id, and a bool column of rankable
        segments (None = all).
    allow_partial : bool
        Allow contacting part of a segment.
    exact_max_items : int
        Largest number of candidates solved exactly when ``allow_partial`` is False.

    Returns
    -------
    DataFrame
        forecast -> forecast plus contact_customers (int), contact_cost_total, contact_profit_total, selected (bool); row order
        kept.

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
    require(forecast, cols, "forecast")
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
        take = _fill_in_part(order, cost, size, budget)
    elif len(cand) <= exact_max_items:
        best = list(_best_subset(cand, cost, profit, budget))
        take[best] = size[best]
    else:
        chosen = _greedy_whole(order, cand, cost, profit, budget)
        take[chosen] = size[chosen]
    frac = np.where(size > 0, take / np.maximum(size, 1), 0.0)
    return forecast.assign(
        contact_customers=take,
        contact_cost_total=frac * cost + 0.0,  # + 0.0 turns -0.0 (nothing taken of a loss) into 0.0
        contact_profit_total=frac * profit + 0.0,
        selected=take > 0,
    )


def _fill_in_part(order, cost, size, budget: float) -> np.ndarray:
    """Customers taken per segment when the last one may be contacted in part (fractional knapsack, greedy by ratio)."""
    take = np.zeros(len(size), dtype="int64")
    left = float(budget)
    for i in order:
        unit = cost[i] / size[i]
        n = int(min(size[i], math.floor(left / unit + 1e-9)))
        take[i] = n
        left -= n * unit
        if n < size[i]:
            break
    return take


def _best_subset(cand, cost, profit, budget: float) -> tuple:
    """The whole segments with the highest total profit within the budget, by enumeration (0/1 knapsack, few items)."""
    best, best_profit = (), 0.0
    for r in range(1, len(cand) + 1):
        for combo in itertools.combinations(cand, r):
            c = cost[list(combo)].sum()
            p = profit[list(combo)].sum()
            if c <= budget + 1e-9 and p > best_profit + 1e-12:
                best, best_profit = combo, p
    return best


def _greedy_whole(order, cand, cost, profit, budget: float) -> list:
    """Whole segments greedy by ratio, or the single most profitable one if that earns more (the 1/2-approximation)."""
    left, greedy = float(budget), []
    for i in order:
        if cost[i] <= left + 1e-9:
            greedy.append(i)
            left -= cost[i]
    single = [i for i in cand if cost[i] <= budget + 1e-9]
    best_single = max(single, key=lambda i: profit[i], default=None)
    if best_single is not None and profit[best_single] > profit[greedy].sum():
        greedy = [best_single]
    return greedy


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
    if forecast_kwargs.get("margin_rate") is None and offers is not None and transactions is not None and "cost" in transactions.columns:
        require_cost(transactions, "cost", "the campaign forecast (its observed margin)")  # never a 100% margin from no cost
    fc = campaign_forecast(customers, offers, transactions, service_costs, **forecast_kwargs)
    return best_targets_within_budget(fc, budget, allow_partial=allow_partial)
