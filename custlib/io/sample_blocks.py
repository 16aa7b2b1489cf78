"""One block of 1,000 sample customers: their orders, lines, returns, offers and service costs.

:func:`custlib.io.sample._block` calls the steps below in order, each drawing
from the block's own generator (``BlockCustomers.rng``); the order of the
steps, and of the draws within each, fixes the content of the data, so a
change here changes every sample. The formulas are in the module docstring
of :mod:`custlib.io.sample`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from custlib.exceptions import ParamsError
from custlib.io.sample_catalogue import (
    ATTACH_P,
    CHANNEL_P,
    COPURCHASE_PAIRS,
    FEW_LINES_ROLES,
    HIGH_MARGIN_CATS,
    INDUSTRIES,
    INDUSTRY_AFFINITY,
    LIST_PRICE,
    N_CAT,
    N_PROD,
    PER_CAT,
    POP,
    POP_CUM,
    PROD_CAT,
    PROD_IDS,
    REGULAR_ROLES,
    RESPONSE_MODEL,
    ROLE_DECL,
    ROLE_DOWN,
    ROLE_LAPSED,
    ROLE_NORMAL,
    ROLE_PROFIT,
    ROLE_SHRINK,
    ROLE_UNPROF,
    ROLE_UP,
    TIME_ROLES,
    UNIT_COST,
)
from custlib.io.sample_customers import lognormal_unit

if TYPE_CHECKING:
    from custlib.io.sample_customers import SampleCalendar

_PROFILE = np.zeros(8, dtype=np.int64)
_PROFILE[ROLE_DECL] = 1
_PROFILE[ROLE_UP] = 2
_PROFILE[ROLE_DOWN] = 3


_AFFINITY = np.zeros((len(INDUSTRIES), N_CAT))
for _i, _cats in enumerate(INDUSTRY_AFFINITY):
    _AFFINITY[_i, list(_cats)] = 1.0
_POPCOUNT = np.array([bin(i).count("1") for i in range(1 << N_CAT)])


def _price_lines(prod, cust, role, c, s, rng):
    """Net unit price and unit cost of order lines (see the module docstring)."""
    eps, eps2 = rng.normal(size=len(prod)), rng.normal(size=len(prod))
    r = role[cust]
    net = np.where(
        r == ROLE_UNPROF,
        UNIT_COST[prod] * (1 + c["markup"][s][cust]) * (1 + 0.01 * eps),
        np.where(r == ROLE_PROFIT, LIST_PRICE[prod] * (1 + c["premium"][s][cust]), LIST_PRICE[prod] * (1 - c["disc"][s][cust]))
        * (1 + 0.02 * eps),
    )
    return net, UNIT_COST[prod] * (1 + 0.015 * eps2)


def _amounts(value, net, ucost):
    qty = np.maximum(1.0, np.rint(value / net))
    return qty, np.round(qty * net, 2), np.round(qty * ucost, 2)


def _window_categories(l_cust, l_day, l_cat, f_cust, f_day, f_cat):
    """Distinct categories bought in [f_day - 365, f_day) per offer, and whether f_cat is one of them."""
    big = np.int64(1) << 32
    key = l_cust.astype(np.int64) * big + l_day
    o = np.argsort(key, kind="stable")
    key, cat = key[o], l_cat[o]
    base = f_cust.astype(np.int64) * big
    a = np.searchsorted(key, base + f_day - 365, side="left")
    z = np.searchsorted(key, base + f_day, side="left")
    cnt = z - a
    starts = np.repeat(a - np.cumsum(cnt) + cnt, cnt)
    pos = np.arange(cnt.sum()) + starts
    mask = np.zeros(len(f_cust), dtype=np.int64)
    np.bitwise_or.at(mask, np.repeat(np.arange(len(f_cust)), cnt), np.left_shift(1, cat[pos]).astype(np.int64))
    return _POPCOUNT[mask], (mask >> f_cat) & 1


@dataclass
class BlockCustomers:
    """Customers ``lo`` .. ``hi - 1`` of block ``b``: their slice ``s`` of the drawn attributes ``c``, and the block's generator."""

    b: int
    s: slice
    nb: int
    rng: np.random.Generator
    c: dict
    role: np.ndarray
    size: np.ndarray
    rate: np.ndarray
    time_role: np.ndarray
    shrink_c: np.ndarray
    profit_c: np.ndarray


def block_customers(b: int, lo: int, hi: int, c: dict, rng: np.random.Generator) -> BlockCustomers:
    """The block's customers, with the roles that change how they buy."""
    s = slice(lo, hi)
    role = c["role"][s]
    return BlockCustomers(
        b, s, hi - lo, rng, c, role, c["size"][s], c["rate"][s], np.isin(role, TIME_ROLES), role == ROLE_SHRINK, role == ROLE_PROFIT
    )


@dataclass
class CategoryMix:
    """The categories each customer buys, with cumulative weights and their ranks, and its lines per order and order value."""

    cum_w: np.ndarray
    cat_by_rank: np.ndarray
    rank_of_cat: np.ndarray
    few: np.ndarray
    lam: np.ndarray
    order_value: np.ndarray


def category_mix(bk: BlockCustomers) -> CategoryMix:
    """Categories each customer buys, with weights (favouring its industry's three; the high-margin ones for profit customers)."""
    rng, nb, s, c = bk.rng, bk.nb, bk.s, bk.c
    role, size, rate, shrink_c, profit_c = bk.role, bk.size, bk.rate, bk.shrink_c, bk.profit_c
    scores = np.log1p(2 * _AFFINITY[c["industry"][s]]) + rng.gumbel(size=(nb, N_CAT))
    scores[:, list(HIGH_MARGIN_CATS)] += np.where(profit_c, 5.0, 0.0)[:, None]
    k_draw = np.stack([1 + rng.binomial(3, 0.5, nb), 2 + rng.binomial(4, 0.5, nb), 3 + rng.binomial(5, 0.55, nb)], axis=1)
    k = k_draw[np.arange(nb), size]
    k = np.where(profit_c, 2 + rng.binomial(2, 0.5, nb), k)
    k = np.where(shrink_c, 6, k)
    chosen = np.argsort(np.argsort(-scores, axis=1, kind="stable"), axis=1, kind="stable") < k[:, None]
    g = np.where(shrink_c[:, None], rng.gamma(40.0, size=(nb, N_CAT)), rng.gamma(1.5, size=(nb, N_CAT)))
    w = np.where(chosen, g, 0.0)
    w /= w.sum(axis=1, keepdims=True)
    cum_w = np.cumsum(w, axis=1)
    cum_w[:, -1] = 1.0
    cat_by_rank = np.argsort(-w, axis=1, kind="stable")
    rank_of_cat = np.argsort(cat_by_rank, axis=1, kind="stable")
    few = np.isin(role, FEW_LINES_ROLES)
    lam = np.select([few, shrink_c], [0.3, 1.5], 0.2 + 0.25 * k)
    order_value = c["revenue"][s] / (12 * rate)
    return CategoryMix(cum_w, cat_by_rank, rank_of_cat, few, lam, order_value)


@dataclass
class Orders:
    """Orders of the block: customer ``oc``, month ``om`` and day ``od`` of each, orders per customer, active months."""

    oc: np.ndarray
    om: np.ndarray
    od: np.ndarray
    n_ord: np.ndarray
    st: np.ndarray
    sp: np.ndarray


def draw_orders(bk: BlockCustomers, cal: SampleCalendar) -> Orders:
    """Poisson counts, months by inverse CDF of the customer's intensity profile, weekdays; regular accounts on a schedule."""
    rng, nb, s, c, b = bk.rng, bk.nb, bk.s, bk.c, bk.b
    role, rate = bk.role, bk.rate
    nm = cal.n_months
    prof = _PROFILE[role]
    st, sp = c["start_m"][s], c["stop_m"][s]
    c_lo, c_hi = cal.cum[prof, st], cal.cum[prof, sp + 1]
    regular = np.isin(role, REGULAR_ROLES) & c["active"][s]
    n_ord = rng.poisson(rate * (c_hi - c_lo))
    n_ord = np.where(c["active"][s] & ~regular, np.maximum(n_ord, 1), 0)
    oc = np.repeat(np.arange(nb), n_ord)
    t = c_lo[oc] + rng.random(len(oc)) * (c_hi - c_lo)[oc]
    om = np.empty(len(oc), dtype=np.int64)
    for p in range(4):  # one iteration per time profile
        sel = prof[oc] == p
        om[sel] = np.searchsorted(cal.cum[p], t[sel], side="right") - 1
    om = np.clip(om, st[oc], sp[oc])
    # regular accounts order on a schedule: floor(expected + U) orders a month
    ri = np.flatnonzero(regular)
    mon = np.arange(nm)
    expected = rate[ri, None] * cal.profiles[prof[ri]] * ((mon >= st[ri, None]) & (mon <= sp[ri, None]))
    cnt = np.floor(expected + rng.random(expected.shape)).astype(np.int64).ravel()
    oc = np.concatenate([oc, np.repeat(np.repeat(ri, nm), cnt)])
    om = np.concatenate([om, np.repeat(np.tile(mon, len(ri)), cnt)])
    n_ord = np.bincount(oc, minlength=nb)
    od = cal.wd_table[om, (rng.random(len(oc)) * cal.wd_count[om]).astype(np.int64)]
    if b == 0:  # the data end exactly on `end`: move the latest order of an ordinary, still-active customer there
        cand = np.isin(role[oc], (ROLE_NORMAL, ROLE_PROFIT, ROLE_UNPROF)) & (sp[oc] == nm - 1)
        if not cand.any():  # pragma: no cover - needs a block without any such customer
            raise ParamsError("customers: too few customers to place an order on the end date")
        i = int(np.argmax(np.where(cand, od, np.iinfo(np.int64).min)))
        od[i], om[i] = cal.end_day, nm - 1
    return Orders(oc, om, od, n_ord, st, sp)


def draw_lines(bk: BlockCustomers, cal: SampleCalendar, mix: CategoryMix, orders: Orders) -> dict[str, np.ndarray]:
    """Order lines: categories, shrinking product lines, products, co-purchased pairs, prices and amounts."""
    rng, s, c = bk.rng, bk.s, bk.c
    role, shrink_c = bk.role, bk.shrink_c
    cum_w, cat_by_rank, rank_of_cat, few, lam, order_value = (
        mix.cum_w,
        mix.cat_by_rank,
        mix.rank_of_cat,
        mix.few,
        mix.lam,
        mix.order_value,
    )
    oc, om, od = orders.oc, orders.om, orders.od
    n_lines = np.minimum(1 + rng.poisson(lam[oc]), 8)
    l_ord = np.repeat(np.arange(len(oc)), n_lines)
    l_c = oc[l_ord]
    u = rng.random(len(l_ord))
    cat = np.minimum((u[:, None] > cum_w[l_c]).sum(axis=1), N_CAT - 1)
    q = cal.quarter[om[l_ord]]
    allowed = np.select([q == cal.q - 2, q == cal.q - 1, q >= cal.q], [4, 3, 2], N_CAT)
    move = shrink_c[l_c] & (rank_of_cat[l_c, cat] >= allowed)
    new_rank = (rng.random(len(l_ord)) * allowed).astype(np.int64)
    cat = np.where(move, cat_by_rank[l_c, np.minimum(new_rank, N_CAT - 1)], cat)
    u = rng.random(len(l_ord))
    prod = cat * PER_CAT + np.minimum((u[:, None] > POP_CUM[cat]).sum(axis=1), PER_CAT - 1)
    # co-purchased pairs
    add_ord, add_prod = [l_ord], [prod]
    for a, bb in COPURCHASE_PAIRS:
        ia, ib = PROD_IDS.index(a), PROD_IDS.index(bb)
        hit = (prod == ia) & ~shrink_c[l_c] & (rng.random(len(prod)) < ATTACH_P)
        add_ord.append(l_ord[hit])
        add_prod.append(np.full(int(hit.sum()), ib))
    l_ord, prod = np.concatenate(add_ord), np.concatenate(add_prod)
    key = l_ord * 64 + prod
    o = np.argsort(key, kind="stable")
    keep = o[np.r_[True, key[o][1:] != key[o][:-1]]]
    l_ord, prod = l_ord[keep], prod[keep]
    l_c, l_day = oc[l_ord], od[l_ord]
    net, ucost = _price_lines(prod, l_c, role, c, s, rng)
    # order value: the customer's mean order value with lognormal noise, split over the order's lines by lognormal weights
    order_noise = lognormal_unit(rng, np.where(few[oc], 0.25, 0.6), len(oc))
    w_line = lognormal_unit(rng, 0.5, len(prod))
    value = order_value[l_c] * order_noise[l_ord] * w_line / np.bincount(l_ord, w_line, minlength=len(oc))[l_ord]
    qty, rev, cost = _amounts(value, net, ucost)
    return {"l_ord": l_ord, "prod": prod, "l_c": l_c, "l_day": l_day, "qty": qty, "rev": rev, "cost": cost}


def add_returns(bk: BlockCustomers, cal: SampleCalendar, orders: Orders, ln: dict) -> tuple[dict, list, list, int]:
    """Returns: a separate one-line order, 3-30 days later, at the original unit price and cost.

    Returns the lines as lists of arrays per column, the customer and day of every order, and the number of orders.
    """
    rng, time_role = bk.rng, bk.time_role
    oc, od = orders.oc, orders.od
    l_ord, prod, l_c, l_day, qty, rev, cost = (ln[k] for k in ("l_ord", "prod", "l_c", "l_day", "qty", "rev", "cost"))
    ret = ~time_role[l_c] & (rng.random(len(prod)) < 0.012)
    frac = rng.uniform(0.05, 0.6, len(prod))
    r_days = rng.integers(3, 31, len(prod))
    r_qty = -np.minimum(qty, np.maximum(1.0, np.rint(qty * frac)))[ret]
    n_base = len(oc)
    n_ret = int(ret.sum())
    lines = {
        "cust": [l_c, l_c[ret]],
        "day": [l_day, np.minimum(l_day[ret] + r_days[ret], cal.end_day)],
        "ord": [l_ord, n_base + np.arange(n_ret)],
        "prod": [prod, prod[ret]],
        "qty": [qty, r_qty],
        "rev": [rev, np.round(r_qty * rev[ret] / qty[ret], 2)],
        "cost": [cost, np.round(r_qty * cost[ret] / qty[ret], 2)],
    }
    o_cust, o_day = [oc, l_c[ret]], [od, lines["day"][1]]
    n_orders = n_base + n_ret
    return lines, o_cust, o_day, n_orders


def draw_offers(bk: BlockCustomers, cal: SampleCalendar, n_ord: np.ndarray) -> dict[str, np.ndarray]:
    """Offers (pattern 7) to customers without a time pattern who ordered: dates, products, channels, contact costs.

    ``round`` numbers a customer's offers 0, 1, 2 in date order.
    """
    rng, nb, s, c = bk.rng, bk.nb, bk.s, bk.c
    size, time_role = bk.size, bk.time_role
    eligible = c["active"][s] & ~time_role & (n_ord > 0)
    offered = eligible & (rng.random(nb) < 0.09)
    n_off = np.where(offered, 1 + rng.binomial(2, 0.45, nb), 0)
    f_c = np.repeat(np.arange(nb), n_off)
    f_day = rng.integers(cal.start_day + 365, cal.end_day - 45 + 1, size=len(f_c))
    o = np.lexsort((f_day, f_c))
    f_c, f_day = f_c[o], f_day[o]
    first = np.r_[0, np.cumsum(n_off)[:-1]]
    f_round = np.arange(len(f_c)) - np.repeat(first, n_off)
    pop = POP / POP.reshape(N_CAT, PER_CAT).sum(axis=1).repeat(PER_CAT) / N_CAT
    f_prod = rng.choice(N_PROD, size=len(f_c), p=pop / pop.sum())
    cum_ch = np.cumsum(np.asarray(CHANNEL_P)[size[f_c]], axis=1)
    f_ch = np.minimum((rng.random(len(f_c))[:, None] > cum_ch).sum(axis=1), 2)
    remote = c["remote"][s]
    contact = np.array([380.0, 28.0, 1.5])[f_ch] * np.where(f_ch == 0, remote[f_c], 1.0) * lognormal_unit(rng, 0.25, len(f_c))
    return {"cust": f_c, "day": f_day, "prod": f_prod, "channel": f_ch, "contact": contact, "round": f_round}


def respond_to_offers(
    bk: BlockCustomers, offers: dict, order_value: np.ndarray, lines: dict, o_cust: list, o_day: list, n_orders: int
) -> tuple[dict[str, np.ndarray], int]:
    """Responses by the logistic model, round by round; a response is a one-line order appended to ``lines``, ``o_cust``, ``o_day``.

    Later rounds' features see earlier responses. Returns the offers table's columns and the new number of orders.
    """
    rng, s, c = bk.rng, bk.s, bk.c
    role, size = bk.role, bk.size
    f_c, f_day, f_prod, f_ch, f_round = offers["cust"], offers["day"], offers["prod"], offers["channel"], offers["round"]
    responded = np.zeros(len(f_c), dtype=bool)
    resp_rev = np.zeros(len(f_c))
    coef = RESPONSE_MODEL["coefficients"]
    for j in range(3):  # at most three offers per customer
        sel = np.flatnonzero(f_round == j)
        if len(sel) == 0:
            continue
        cust_all, day_all = np.concatenate(lines["cust"]), np.concatenate(lines["day"])
        pos = np.concatenate(lines["qty"]) > 0
        fcat = PROD_CAT[f_prod[sel]]
        n_cat, fit = _window_categories(
            cust_all[pos], day_all[pos], PROD_CAT[np.concatenate(lines["prod"])[pos]], f_c[sel], f_day[sel], fcat
        )
        eta = (
            RESPONSE_MODEL["intercept"]
            + coef["size_large"] * (size[f_c[sel]] == 2)
            + coef["n_categories_12m"] * n_cat
            + coef["category_fit"] * fit
            + coef["channel_visit"] * (f_ch[sel] == 0)
            + coef["channel_phone"] * (f_ch[sel] == 1)
        )
        yes = rng.random(len(sel)) < 1 / (1 + np.exp(-eta))
        lag = rng.integers(3, 31, len(sel))
        val = lognormal_unit(rng, 0.5, len(sel))
        sel = sel[yes]
        rc, rp = f_c[sel], f_prod[sel]
        net, ucost = _price_lines(rp, rc, role, c, s, rng)
        rq, rr, rco = _amounts(0.6 * order_value[rc] * val[yes], net, ucost)
        responded[sel] = True
        resp_rev[sel] = rr
        rd = f_day[sel] + lag[yes]
        for name, arr in (
            ("cust", rc),
            ("day", rd),
            ("ord", n_orders + np.arange(len(sel))),
            ("prod", rp),
            ("qty", rq),
            ("rev", rr),
            ("cost", rco),
        ):
            lines[name].append(arr)
        o_cust.append(rc)
        o_day.append(rd)
        n_orders += len(sel)
    columns = {"cust": f_c, "day": f_day, "prod": f_prod, "channel": f_ch, "contact": np.round(offers["contact"], 2)}
    return columns | {"responded": responded, "resp_rev": resp_rev}, n_orders


def merge_lines(lines: dict, o_cust: list, o_day: list, n_orders: int) -> dict[str, np.ndarray]:
    """All lines as one array per column, sorted by order (numbered by customer, then day) and product; ``rank`` numbers the orders."""
    L = {name: np.concatenate(v) for name, v in lines.items()}
    o_cust, o_day = np.concatenate(o_cust), np.concatenate(o_day)
    rank = np.empty(n_orders, dtype=np.int64)
    rank[np.lexsort((np.arange(n_orders), o_day, o_cust))] = np.arange(n_orders)
    o = np.lexsort((L["prod"], rank[L["ord"]]))
    L = {name: v[o] for name, v in L.items()}
    L["rank"] = rank[L["ord"]]
    return L


def service_costs(bk: BlockCustomers, cal: SampleCalendar, orders: Orders, L: dict) -> tuple[dict, dict]:
    """Service costs per customer and month, and per-customer monthly aggregates (for planted.json and the checks).

    A dense grid of customers by months; rows are kept where the customer bought, returned or was visited.
    """
    rng, nb, s, c = bk.rng, bk.nb, bk.s, bk.c
    st, sp = orders.st, orders.sp
    nm = cal.n_months
    mon = np.arange(nm)
    remote = c["remote"][s]
    month = cal.month_of(L["day"])
    key = L["cust"] * nm + month
    pos = L["qty"] > 0
    cells = nb * nm
    sales = np.bincount(key[pos], L["rev"][pos], minlength=cells)
    n_lines_m = np.bincount(key[pos], minlength=cells)
    _, first_line = np.unique(L["ord"][pos], return_index=True)
    n_orders_m = np.bincount(key[pos][first_line], minlength=cells)
    n_ret_m = np.bincount(key[~pos], minlength=cells)
    span = (mon >= st[:, None]) & (mon <= sp[:, None]) & c["active"][s][:, None]
    visits = np.where(span, rng.poisson(np.broadcast_to(c["visit_rate"][s][:, None], (nb, nm))), 0).ravel()
    cust_m = np.repeat(np.arange(nb), nm)
    rem = remote[cust_m]
    visit_cost = np.round(visits * 400.0 * rem * lognormal_unit(rng, 0.15, cells), 2)
    logistics = np.round((80.0 * n_orders_m + 0.035 * sales) * rem * c["logistics_mult"][s][cust_m] * lognormal_unit(rng, 0.1, cells), 2)
    support = np.round(15.0 * n_lines_m + c["support_rate"][s][cust_m] * sales + 30.0 * n_ret_m, 2)
    discount = np.round(c["rebate"][s][cust_m] * sales, 2)
    cts = np.round(visit_cost + logistics + support + discount, 2)
    kept = (n_lines_m > 0) | (n_ret_m > 0) | (visits > 0)
    keys = np.flatnonzero(kept)
    costs = {
        "cust": keys // nm,
        "month": keys % nm,
        "cts": cts[keys],
        "visit": visit_cost[keys],
        "logistics": logistics[keys],
        "support": support[keys],
        "discount": discount[keys],
    }
    # per-customer monthly aggregates (for planted.json and the checks)
    rev_m = np.bincount(key, L["rev"], minlength=cells).reshape(nb, nm)
    gp_m = rev_m - np.bincount(key, L["cost"], minlength=cells).reshape(nb, nm)
    cts_m = np.where(kept, cts, 0.0).reshape(nb, nm)
    ord_m = n_orders_m.reshape(nb, nm)
    qkey = L["cust"][pos] * cal.n_quarters + cal.quarter[month[pos]]
    bits = np.zeros(nb * cal.n_quarters, dtype=np.int64)
    np.bitwise_or.at(bits, qkey, np.left_shift(1, PROD_CAT[L["prod"][pos]]).astype(np.int64))
    ncat_q = _POPCOUNT[bits].reshape(nb, cal.n_quarters)
    return costs, {"rev_m": rev_m, "gp_m": gp_m, "cts_m": cts_m, "ord_m": ord_m, "ncat_q": ncat_q}


def planted_checks(agg: dict, cal: SampleCalendar) -> dict[int, np.ndarray]:
    """Whether each customer of a block meets each planted criterion (module docstring)."""
    rev_m, gp_m, cts_m, ord_m, ncat_q = (agg[k] for k in ("rev_m", "gp_m", "cts_m", "ord_m", "ncat_q"))
    qe, lq = cal.qe, cal.q
    in_q, in_prev = cal.quarter == lq, cal.quarter == lq - 1
    net = gp_m - cts_m
    base = slice(qe - 18, qe - 6)  # the 12 months before the 7 months of decline
    last3 = slice(qe - 2, qe + 1)
    slope = rev_m[:, qe - 6 : qe + 1] @ (np.arange(7) - 3.0)
    rev_q, rev_prev = rev_m[:, in_q].sum(axis=1), rev_m[:, in_prev].sum(axis=1)
    return {
        ROLE_UNPROF: (net.sum(axis=1) < 0) & (net[:, in_q].sum(axis=1) < 0),
        ROLE_DECL: (rev_m[:, last3].mean(axis=1) < 0.5 * rev_m[:, base].mean(axis=1))
        & (ord_m[:, last3].sum(axis=1) < 0.6 * ord_m[:, base].sum(axis=1) / 4)
        & (slope < 0),
        ROLE_SHRINK: (ncat_q[:, lq] <= 2) & (ncat_q[:, lq - 6 : lq - 2].mean(axis=1) >= 4),
        ROLE_UP: (rev_prev > 0) & (rev_q >= 3 * rev_prev),
        ROLE_DOWN: (rev_prev > 0) & (rev_q < 0.3 * rev_prev),
        ROLE_LAPSED: (ord_m[:, cal.quarter >= lq - 1].sum(axis=1) == 0) & (ord_m.sum(axis=1) >= 6),
    }
