"""The sample's calendar and its customers, drawn once for all customers (a few numbers each).

:func:`draw_customers` gives every customer its region, industry, market,
wallet, relationship stage, expected revenue, order rate, planted role,
lifecycle and price and cost-to-serve settings (see the module docstring of
:mod:`custlib.io.sample`); the blocks of :mod:`custlib.io.sample_blocks`
then draw their orders.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from custlib.io.contract import MARKET_TYPES
from custlib.io.sample_catalogue import (
    DECAY,
    DOWN_MULT,
    INDUSTRIES,
    INDUSTRY_WEIGHTS,
    MARKET_FREQ,
    MARKET_WEIGHTS,
    REGION_WEIGHTS,
    ROLE_DECL,
    ROLE_LAPSED,
    ROLE_NORMAL,
    ROLE_PLAN,
    ROLE_PROFIT,
    ROLE_UNPROF,
    SEASONALITY,
    STAGE_HI,
    STAGE_LO,
    STAGE_P,
    STAGES,
    TREND_PER_YEAR,
    UP_MULT,
)
from custlib.io.sample_names import company_names


def seeded_rng(seed: int, *key: int) -> np.random.Generator:
    """A PCG64 generator seeded with ``SeedSequence(seed, spawn_key=key)``: ``(0,)`` for the customers, ``(1, block)`` per block."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


def lognormal_unit(rng, sigma, size):
    """Lognormal noise with mean 1."""
    return np.exp(rng.normal(-0.5 * sigma * sigma, sigma, size))


class SampleCalendar:
    """Months, weekdays and quarters between ``start`` and ``end`` (inclusive)."""

    def __init__(self, start: dt.date, end: dt.date):
        self.start, self.end = start, end
        self.start_day = int(np.datetime64(start, "D").astype(np.int64))
        self.end_day = int(np.datetime64(end, "D").astype(np.int64))
        m0, m1 = np.datetime64(start, "M"), np.datetime64(end, "M")
        self.months = np.arange(m0, m1 + 1, dtype="datetime64[M]")
        self.n_months = len(self.months)
        first = self.months.astype("datetime64[D]").astype(np.int64)
        nxt = (self.months + 1).astype("datetime64[D]").astype(np.int64)
        self.month_first_day = first
        self.cal_month = (self.months.astype(np.int64) % 12).astype(np.int64)  # 0 = January
        years = self.months.astype("datetime64[Y]").astype(np.int64) + 1970
        qabs = years * 4 + self.cal_month // 3
        self.quarter = (qabs - qabs[0]).astype(np.int64)
        self.last_q = int(self.quarter[-1])
        self.n_quarters = self.last_q + 1
        # Q: the latest complete quarter (custlib.io.periods.latest_complete_quarter) and its last month
        q_last_day = (np.datetime64(self.months[-1] + (2 - self.cal_month[-1] % 3) + 1, "D") - 1).astype(np.int64)
        self.q = self.last_q if self.end_day == q_last_day else self.last_q - 1
        self.qe = int(np.flatnonzero(self.quarter == self.q)[-1])
        self.quarter_labels = [f"{y}Q{q % 4 + 1}" for y, q in zip(qabs // 4, qabs, strict=True)]
        cap = 23
        self.wd_table = np.zeros((self.n_months, cap), dtype=np.int64)
        self.wd_count = np.zeros(self.n_months, dtype=np.int64)
        coverage = np.zeros(self.n_months)
        for i in range(self.n_months):  # one iteration per month, not per customer
            days = np.arange(first[i], nxt[i])
            wd = days[(days + 3) % 7 < 5]  # 1970-01-01 was a Thursday
            inside = wd[(wd >= self.start_day) & (wd <= self.end_day)]
            self.wd_table[i, : len(inside)] = inside
            self.wd_count[i] = len(inside)
            coverage[i] = len(inside) / len(wd)
        self.day_month = np.searchsorted(first, np.arange(self.start_day, self.end_day + 1), side="right") - 1
        t_years = np.arange(self.n_months) / 12.0
        base = np.asarray(SEASONALITY)[self.cal_month] * (1 + TREND_PER_YEAR) ** t_years * coverage
        n = self.n_months
        decl = np.ones(n)
        j = np.arange(n) - (self.qe - 7)  # 1 .. 7 over the 7 months ending with Q, then on
        decl[j >= 1] = DECAY ** j[j >= 1]
        from_q = self.quarter >= self.q
        up = np.where(from_q, UP_MULT, 1.0)
        down = np.where(from_q, DOWN_MULT, 1.0)
        profiles = np.vstack([base, base * decl, base * up, base * down])
        self.profiles = profiles
        self.cum = np.hstack([np.zeros((4, 1)), np.cumsum(profiles, axis=1)])
        self.first_month_of_q = np.array([int(np.argmax(self.quarter == q)) for q in range(self.n_quarters)])

    def month_of(self, day):
        return self.day_month[np.asarray(day) - self.start_day]


def _region_weights(k: int) -> np.ndarray:
    w = np.array([REGION_WEIGHTS[i] if i < len(REGION_WEIGHTS) else 0.08 for i in range(k)])
    return w / w.sum()


# --------------------------------------------------------------------------- customers (drawn once)


def percentile_in_group(values, group, k, mask):
    """Mid-rank percentile of ``values`` within each group (ties broken by position)."""
    pct = np.full(len(values), np.nan)
    for g in range(k):  # one iteration per region
        idx = np.flatnonzero((group == g) & mask)
        if len(idx):
            order = idx[np.lexsort((idx, values[idx]))]
            pct[order] = (np.arange(len(order)) + 0.5) / len(order)
    return pct


def _assign_roles(region, revenue, market, active, k, rng):
    n = len(revenue)
    role = np.zeros(n, dtype=np.int64)
    pct = percentile_in_group(revenue, region, k, active)
    for r in range(k):  # one iteration per region and pattern
        idx_r = np.flatnonzero((region == r) & active)
        n_r = len(idx_r)
        for rl, lo, hi, share, _ in ROLE_PLAN:
            want = max(2, round(0.2 * int(np.ceil(0.05 * n_r)))) if rl == ROLE_UNPROF else max(2, int(np.ceil(share * n_r)))
            pool = idx_r[(pct[idx_r] >= lo) & (pct[idx_r] < hi) & (role[idx_r] == ROLE_NORMAL)]
            take = min(want, len(pool))
            if take == 0:
                continue
            w = np.where(market[pool] == MARKET_TYPES.index("reseller"), 3.0, 1.0) if rl == ROLE_DECL else np.ones(len(pool))
            role[rng.choice(pool, size=take, replace=False, p=w / w.sum())] = rl
    return role, pct


def draw_customers(n: int, k: int, cal: SampleCalendar, seed: int) -> dict:
    """Every customer's attributes (one array each), drawn once from ``seeded_rng(seed, 0)``."""
    rng = seeded_rng(seed, 0)
    c: dict[str, np.ndarray] = {}
    c["region"] = rng.choice(k, size=n, p=_region_weights(k))
    iw = np.asarray(INDUSTRY_WEIGHTS)
    c["industry"] = rng.choice(len(INDUSTRIES), size=n, p=iw / iw.sum())
    c["market"] = rng.choice(len(MARKET_TYPES), size=n, p=MARKET_WEIGHTS)
    wallet0 = np.exp(rng.normal(np.log(150_000), 1.25, n))
    c["size"] = np.where(wallet0 >= 750_000, 2, np.where(wallet0 >= 200_000, 1, 0))
    stage = rng.choice(len(STAGES), size=n, p=STAGE_P)
    share = STAGE_LO[stage] + (STAGE_HI - STAGE_LO)[stage] * rng.random(n)
    c["active"] = stage > 0
    revenue = share * wallet0  # expected yearly revenue with us
    rate = 0.12 * (np.maximum(revenue, 1.0) / 45_000) ** 0.4 * np.asarray(MARKET_FREQ)[c["market"]] * lognormal_unit(rng, 0.3, n)
    rate = np.clip(rate, 0.08, 40.0)
    c["name"] = company_names(n, rng)
    role, pct = _assign_roles(c["region"], revenue, c["market"], c["active"], k, rng)
    min_rate = np.zeros(8)
    for rl, *_rest, mr in ROLE_PLAN:
        min_rate[rl] = mr
    rate = np.maximum(rate, min_rate[role])
    # lifecycle: acquisitions and natural churn among ordinary customers
    nm = cal.n_months
    start_m = np.zeros(n, dtype=np.int64)
    stop_m = np.full(n, nm - 1, dtype=np.int64)
    ordinary = (role == ROLE_NORMAL) & c["active"]
    u_new, u_churn = rng.random(n), rng.random(n)
    new = ordinary & (u_new < 0.12)
    churn = ordinary & ~new & (pct < 0.4) & (u_churn < 0.15)
    start_draw = rng.integers(3, nm - 9, size=n)
    stop_draw = rng.integers(6, nm - 3, size=n)
    start_m[new] = start_draw[new]
    stop_m[churn] = stop_draw[churn]
    lapse_draw = cal.first_month_of_q[cal.q - 1] - rng.integers(1, 10, size=n)
    lapsed = role == ROLE_LAPSED
    stop_m[lapsed] = lapse_draw[lapsed]
    # prices and cost to serve
    logrel = np.log(np.maximum(revenue, 1.0) / 45_000)
    disc = np.clip(0.06 + 0.03 * logrel + rng.normal(0, 0.02, n), 0.02, 0.20)
    premium = rng.uniform(0.0, 0.06, n)
    markup = rng.uniform(0.03, 0.07, n)
    visit_rate = np.array([0.15, 0.4, 1.2])[c["size"]]
    visit_rate = np.where(role == ROLE_UNPROF, rng.uniform(5, 8, n), np.where(role == ROLE_PROFIT, 0.1, visit_rate))
    rebate = np.clip(0.015 + 0.01 * logrel, 0.005, 0.06)
    rebate = np.where(role == ROLE_UNPROF, rng.uniform(0.10, 0.14, n), np.where(role == ROLE_PROFIT, 0.0, rebate))
    c.update(
        wallet0=wallet0,
        share=share,
        stage=stage,
        revenue=revenue,
        rate=rate,
        role=role,
        pct=pct,
        start_m=start_m,
        stop_m=stop_m,
        new=new,
        churn=churn,
        disc=disc,
        premium=premium,
        markup=markup,
        visit_rate=visit_rate,
        rebate=rebate,
        support_rate=np.where(role == ROLE_UNPROF, 0.03, np.where(role == ROLE_PROFIT, 0.002, 0.01)),
        logistics_mult=np.where(role == ROLE_UNPROF, 2.0, 1.0),
        credit_u=rng.uniform(0.1, 0.3, n),
    )
    return c
