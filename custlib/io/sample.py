"""Seeded, realistic sample data with planted patterns.

:func:`generate_sample` writes the four contract tables (``customers``,
``transactions``, ``offers``, ``service_costs``) as Parquet, plus
``planted.json``, the ground truth of the patterns planted in them, so that
tests can check that each analysis finds what was put there.

How the data are made
---------------------
A B2B distributor of industrial supplies: 40 products (``P001`` .. ``P040``)
in 8 categories (Fasteners, Bearings, Hydraulics, Pneumatics, Power
transmission, Electrical, Tools, Safety), each with a list price and a
standard unit cost (gross margins 22 % to 48 % at list price; the catalogue
is written to ``planted.json``).

- Customers (``C0000001`` ..) get a region (unequal sizes), an industry, a
  market type (resellers 42 %, producers 28 %, the other three 10 % each), a
  unique company name (about 35 % Chinese, e.g. 江苏恒达精密机械有限公司) and
  a company size: their yearly spend on our categories from all suppliers,
  ``W``, is lognormal (median 150,000, log-sd 1.25; lognormal firm sizes
  follow from Gibrat's law of proportionate growth, Gibrat 1931).
  ``size_band`` is ``large`` for ``W >= 750,000``, ``medium`` for
  ``W >= 200,000`` and ``small`` below. Each customer has a relationship
  stage with a target share of wallet ``s`` (pattern 10); its expected yearly
  revenue with us is ``R = s * W``, which makes revenue strongly skewed (the
  top 20 % of customers carry about 75 % of revenue).
- Orders: a Poisson process whose monthly rate is the customer's base rate
  ``0.12 * (R / 45,000) ** 0.4`` (x1.5 for resellers, x0.5-0.7 for
  consumers, government and international customers; lognormal noise;
  at least 0.08 a month) times the month's seasonal factor (pattern 8),
  times the trend ``1.04 ** (months since start / 12)``, times the
  customer's planted time profile (patterns 3, 5, 9). Customers of patterns
  1, 3, 4, 5 and 9 order on a schedule instead: ``floor(expected + U)``
  orders a month, U uniform. Orders fall on weekdays, uniformly within the
  month. About 12 % of ordinary customers are acquired during the period
  (first month 3 to ``n - 10``) and about 5 %, all from the bottom 40 % by
  revenue, stop buying (``lifecycle`` in ``planted.json``); 2 % of all
  customers are prospects without any transactions.
- An order has ``1 + Poisson(0.2 + 0.25 k)`` lines (at most 8, distinct
  products), where ``k`` is the number of categories the customer buys
  (1-4 small, 2-6 medium, 3-8 large; favouring the three its industry uses);
  patterns 3, 5 and 9 place small orders, ``1 + Poisson(0.3)`` lines, and
  pattern 4 ``1 + Poisson(1.5)``. An order's target value is the customer's
  mean order value (``R / 12`` over its monthly rate) with lognormal noise
  (log-sd 0.6; 0.25 for the small-order patterns), split over its lines by
  lognormal weights (log-sd 0.5);
  ``quantity = max(1, round(value / net unit price))``,
  ``revenue = quantity * net unit price`` and ``cost = quantity * unit
  cost``, both with price noise (2 % and 1.5 %). Ordinary customers get a
  discount off list price growing with their size,
  ``clip(0.06 + 0.03 ln(R / 45,000) + N(0, 0.02), 0.02, 0.20)``, so big
  buyers earn thinner margins.
- Returns: about 1.2 % of the lines of customers without a planted time
  profile are partly returned (5-60 % of the quantity) 3-30 days later, as a
  separate one-line order with negative quantity, revenue and cost at the
  original unit price and unit cost (never after ``end``).
- ``service_costs``: one row per customer and month in which the customer
  bought, returned or was visited (activity-based cost to serve, Kaplan &
  Narayanan 2001, "Measuring and managing customer profitability",
  J. Cost Management 15(5):5-15)::

      visit_cost     = visits * 400 * remote * LN(0, 0.15),   visits ~ Poisson(visit rate)
      logistics_cost = (80 * orders + 0.035 * sales) * remote * m * LN(0, 0.1)
      support_cost   = 15 * lines + support rate * sales + 30 * returned lines
      discount_cost  = rebate rate * sales
      cost_to_serve  = visit_cost + logistics_cost + support_cost + discount_cost

  ``sales`` is the month's revenue of positive-quantity lines, ``LN(0, s)``
  lognormal noise, ``remote`` 1.25 / 1.30 / 1.35 for Southwest / Northeast /
  Northwest and 1 elsewhere, ``m`` 2 for pattern 1 and 1 otherwise. Visits
  happen in every month from the customer's first to its last active month
  at 0.15 / 0.4 / 1.2 a month for small / medium / large customers; the
  support rate is 1 %; the rebate rate (rebates, payment terms) is
  ``clip(0.015 + 0.01 ln(R / 45,000), 0.005, 0.06)``. Overall, cost to serve
  is about 11 % of revenue against a gross margin of about 25 %, about 12 %
  of customers lose money, and the top revenue decile earns a thinner net
  margin than the middle (the whale curve peaks near 110-115 %).
- ``offers``: pattern 7. ``responded`` is a bool; ``response_revenue`` is
  0.0 for offers that were not taken up.

Planted patterns
----------------
``planted.json`` lists, for each group, the customers generated with the
pattern *and* whose realised data meet the stated criterion; a generated
customer that misses it by chance (rare by design) is left off the list, and
``planted_generated`` counts how many were generated. Groups are disjoint and
drawn per region (every region holds at least two customers of each) from
the percentiles of expected revenue ``R`` within the customer's region.
``Q`` is the latest complete quarter (as
:func:`custlib.io.periods.latest_complete_quarter` gives it: the quarter
containing ``end`` when ``end`` is its last day, 2026Q3 by default, else the
one before; ``latest_complete_quarter`` in ``planted.json``), ``Q-1`` the one
before; a time pattern that starts in ``Q`` goes on after it. "Revenue"
sums all lines (returns included), "orders" counts orders with
positive-quantity lines.

1. ``unprofitable_large`` (cost customers, 本钱客户): about 20 % of each
   region's top 5 % (at least 2 per region). They pay cost-plus prices (unit
   cost * (1 + 3..7 %): a gross margin of about 3-7 %), get rebates of 10-14 %
   of sales, 5-8 visits a month, double logistics cost and a 3 % support rate,
   and order on a schedule at least once a month. Criterion: net profit
   (gross profit minus ``cost_to_serve``) < 0 over the whole period and in
   ``Q`` (realised: net margin about -15 % to -30 %).
2. ``profit_customers`` (利润客户): about 3 % of customers from the
   55th-85th percentile. They buy 2-4 categories, mostly the high-margin ones
   (Fasteners, Electrical, Tools, Safety), at list price plus a 0-6 % premium,
   with no rebates, 0.1 visits a month and a 0.2 % support rate. Criterion:
   net margin over the whole period at or above the 80th percentile of their
   region's customers with revenue, and realised revenue percentile in the
   region between 0.5 and 0.95.
3. ``decliners``: about 3 % of customers (resellers three times as likely)
   from the 35th-90th percentile, ordering at least 2.5 times a month. Their
   rate is stable until the 7 months ending with ``Q``'s last month, then
   multiplied by ``0.75 ** j`` in the j-th of them (j = 1..7: -25 % a month).
   Criterion: mean monthly revenue over the last 3 months of ``Q`` < 0.5 x
   the mean over the 12 months before the decline, orders in those 3 months
   < 0.6 x a quarter of the 12 months' orders, and a negative least-squares
   slope of monthly revenue over the 7 months of decline.
4. ``shrinking_lines``: about 3 % of customers from the 40th-95th
   percentile, buying 6 categories with nearly equal weights, at least 1.6
   orders a month. In ``Q-2``, ``Q-1`` and ``Q`` only their top 4, 3 and 2 categories
   are bought (the other lines move to those, so revenue holds). Criterion:
   at most 2 distinct categories (positive lines) in ``Q`` and on average at
   least 4 a quarter over ``Q-6`` .. ``Q-3``.
5. ``migrations_up`` / ``migrations_down``: about 3 % each; up from the
   30th-80th percentile, at least 1 order a month, rate x8 in ``Q``; down
   from the 60th-95th percentile, at least 2 orders a month, rate x0.03 in
   ``Q``. Criterion: revenue in ``Q`` >= 3 x revenue in ``Q-1`` (up) or
   < 0.3 x (down), with revenue in ``Q-1`` > 0.
6. ``copurchase_pairs``: 4 product pairs ``[a, b]``; whenever an order of a
   customer without pattern 4 holds ``a``, ``b`` is added with probability
   ``copurchase_attach_probability`` (0.6) unless already there. Their lift
   ``P(a and b) / (P(a) P(b))`` over purchase orders is about 5-13, the four
   highest of all pairs (the others mostly stay below 3).
7. ``response_model``: about 9 % of the customers without a time pattern
   (about 7 % of all) get ``1 + Binomial(2, 0.45)`` offers dated uniformly
   in ``[start + 365 days, end - 45 days]``, for a product drawn by
   popularity, by channel ``visit`` / ``phone`` / ``email`` (probabilities
   0.1/0.4/0.5 small, 0.3/0.4/0.3 medium, 0.5/0.3/0.2 large) with typical
   contact costs 380 x remote, 28 and 1.5 (lognormal noise). ``responded`` is
   drawn from the logistic model whose intercept, coefficients and exact
   feature definitions ``planted.json`` gives (``response_model``; about a
   quarter respond). A response is a one-line order of the offered product
   3-30 days after the offer; ``response_revenue`` equals that line's
   revenue, and later offers' features see it, as the data do.
8. ``seasonality``: the 12 monthly factors (January first, mean 1; Chinese
   New Year dip in February, Q4 peak) multiplying every order rate, with
   ``trend_per_year`` the overall growth; the monthly order counts and
   revenue of customers outside the time patterns and ``lifecycle`` follow
   ``factor[calendar month] * (1 + trend) ** (months since start / 12)``.
9. ``lapsed``: about 2.5 % of customers from the 60th-95th percentile,
   ordering at least 0.8 times a month, who stop 1 to 9 months before ``Q-1``
   starts. Criterion: no orders in ``Q-1`` or ``Q`` and at least 6 before.
10. Relationship stage (``share_of_wallet_target``): target shares of wallet
    development 2 % of customers (share 0: prospects, no transactions),
    initial 40 % (3-17 %), stable 40 % (24-55 %), strategic 18 % (66-92 %).
    ``wallet_estimate`` (3 significant figures) is set so that the share in
    ``share_of_wallet_target["definition"]`` (revenue in the 4 quarters
    ending with ``Q`` / ``wallet_estimate``) equals the target for customers
    without a time pattern that bought in those quarters; the others keep
    ``W``. ``counts`` gives the realised stages (share 0,
    < 0.2, < 0.6, >= 0.6); "development" also holds the dormant customers
    with no revenue in those quarters (about a fifth of all).

``planted.json`` also records ``seed``, ``start``, ``end``, ``customers``,
``regions``, ``latest_complete_quarter``, the row count of each table
(``rows``), the catalogue (``products``) and ``lifecycle`` (``new``: acquired during the period;
``churned``: ordinary customers who stopped).

Known limitation: to make patterns 3-5 and 9 visible month by month, their
customers order 1-2.5 times a month, more often than most ordinary customers
of similar revenue, so order frequency alone partly singles them out.

Determinism and scale
---------------------
Customer attributes are drawn once for all customers (a few numbers each);
orders, lines, offers and service costs are drawn in fixed blocks of 1,000
customers, each from its own ``numpy.random.Generator(PCG64)`` seeded with
``SeedSequence(seed, spawn_key=(1, block))``. The content therefore does not
depend on ``chunk_customers``, which only sets how many customers' rows are
buffered before being written as one Parquet row group. Everything is
vectorised within a block and nothing depends on today's date: 1,000,000
customers (about 24 million order lines and 15 million service-cost rows)
take about 35 s and 0.7 GB of memory on a 2-core machine.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from custlib.exceptions import ParamsError
from custlib.io.contract import MARKET_TYPES
from custlib.io.sample_blocks import (
    add_returns,
    block_customers,
    category_mix,
    draw_lines,
    draw_offers,
    draw_orders,
    merge_lines,
    planted_checks,
    respond_to_offers,
    service_costs,
)
from custlib.io.sample_catalogue import (
    ATTACH_P,
    CATEGORIES,
    CHANNELS,
    COPURCHASE_PAIRS,
    INDUSTRIES,
    PROD_CAT,
    PROD_IDS,
    PRODUCTS,
    REMOTE,
    RESPONSE_FEATURES,
    RESPONSE_MODEL,
    ROLE_KEYS,
    ROLE_PROFIT,
    SEASONALITY,
    SIZE_BANDS,
    STAGE_HI,
    STAGE_LO,
    STAGE_P,
    STAGES,
    TIME_ROLES,
    TREND_PER_YEAR,
    UNIT_COST,
    region_names,
)
from custlib.io.sample_customers import SampleCalendar, draw_customers, percentile_in_group, seeded_rng

__all__ = ["generate_sample", "region_names", "SEASONALITY", "TREND_PER_YEAR", "COPURCHASE_PAIRS", "RESPONSE_MODEL"]

_BLOCK = 1000  # customers per random-number block (fixes the content whatever chunk_customers is)
MAX_CUSTOMERS = 5_000_000

# --------------------------------------------------------------------------- helpers


def _parse_date(value, name: str) -> dt.date:
    try:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if hasattr(value, "date") and callable(value.date):  # pandas / numpy timestamps
            return value.date()
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError) as err:
        raise ParamsError(f"{name}: {value!r} is not a date; expected the form YYYY-MM-DD") from err


def _ids(prefix: str, numbers, width: int) -> pa.Array:
    """``prefix`` + zero-padded ``numbers``, vectorised."""
    digits = pc.utf8_lpad(pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _sig3(x):
    """Round positive values to 3 significant figures."""
    x = np.asarray(x, dtype=float)
    out = np.full_like(x, np.nan)
    ok = np.isfinite(x) & (x > 0)
    mag = 10.0 ** (np.floor(np.log10(x[ok])) - 2)
    out[ok] = np.round(x[ok] / mag) * mag
    return out


_SCHEMAS = {
    "customers": pa.schema(
        [
            ("customer_id", pa.string()),
            ("name", pa.string()),
            ("region", pa.string()),
            ("industry", pa.string()),
            ("size_band", pa.string()),
            ("market_type", pa.string()),
            ("wallet_estimate", pa.float64()),
            ("credit_limit", pa.float64()),
        ]
    ),
    "transactions": pa.schema(
        [
            ("order_id", pa.string()),
            ("customer_id", pa.string()),
            ("order_date", pa.date32()),
            ("product_id", pa.string()),
            ("category", pa.string()),
            ("quantity", pa.float64()),
            ("revenue", pa.float64()),
            ("cost", pa.float64()),
        ]
    ),
    "offers": pa.schema(
        [
            ("offer_id", pa.string()),
            ("customer_id", pa.string()),
            ("offer_date", pa.date32()),
            ("product_id", pa.string()),
            ("channel", pa.string()),
            ("contact_cost", pa.float64()),
            ("responded", pa.bool_()),
            ("response_revenue", pa.float64()),
        ]
    ),
    "service_costs": pa.schema(
        [
            ("customer_id", pa.string()),
            ("month", pa.date32()),
            ("cost_to_serve", pa.float64()),
            ("visit_cost", pa.float64()),
            ("logistics_cost", pa.float64()),
            ("support_cost", pa.float64()),
            ("discount_cost", pa.float64()),
        ]
    ),
}
_TABLES = ("customers", "transactions", "offers", "service_costs")


def _date32(days) -> pa.Array:
    return pa.array(np.asarray(days, dtype=np.int32), type=pa.date32())


def _block_tables(blk: dict, lo: int, hi: int, order_offset: int, offer_offset: int, cal: SampleCalendar) -> dict[str, pa.Table]:
    cid = _ids("C", np.arange(lo, hi) + 1, 7)
    prod_ids, cats = pa.array(PROD_IDS), pa.array(list(CATEGORIES))
    L, F, K = blk["lines"], blk["offers"], blk["costs"]
    tx = pa.Table.from_arrays(
        [
            _ids("O", order_offset + L["rank"] + 1, 9),
            cid.take(L["cust"]),
            _date32(L["day"]),
            prod_ids.take(L["prod"]),
            cats.take(PROD_CAT[L["prod"]]),
            pa.array(L["qty"]),
            pa.array(L["rev"]),
            pa.array(L["cost"]),
        ],
        schema=_SCHEMAS["transactions"],
    )
    offers = pa.Table.from_arrays(
        [
            _ids("OF", offer_offset + np.arange(len(F["cust"])) + 1, 7),
            cid.take(F["cust"]),
            _date32(F["day"]),
            prod_ids.take(F["prod"]),
            pa.array(list(CHANNELS)).take(F["channel"]),
            pa.array(F["contact"]),
            pa.array(F["responded"]),
            pa.array(F["resp_rev"]),
        ],
        schema=_SCHEMAS["offers"],
    )
    costs = pa.Table.from_arrays(
        [
            cid.take(K["cust"]),
            _date32(cal.month_first_day[K["month"]]),
            pa.array(K["cts"]),
            pa.array(K["visit"]),
            pa.array(K["logistics"]),
            pa.array(K["support"]),
            pa.array(K["discount"]),
        ],
        schema=_SCHEMAS["service_costs"],
    )
    return {"transactions": tx, "offers": offers, "service_costs": costs}


def _check_int(value, name: str, lo: int, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < lo or (hi is not None and value > hi):
        rng = f"from {lo:,} to {hi:,}" if hi is not None else f">= {lo:,}"
        raise ParamsError(f"{name}: {value!r} is not allowed; expected an integer {rng}")
    return int(value)


# --------------------------------------------------------------------------- one block of customers


def _block(b: int, lo: int, hi: int, c: dict, cal: SampleCalendar, seed: int) -> dict:
    """Orders, lines, returns, offers and service costs of customers ``lo`` .. ``hi - 1``.

    The steps of :mod:`custlib.io.sample_blocks`, in the order that fixes the
    block's draws from its own generator ``SeedSequence(seed, spawn_key=(1, b))``.
    """
    bk = block_customers(b, lo, hi, c, seeded_rng(seed, 1, b))
    mix = category_mix(bk)
    orders = draw_orders(bk, cal)
    lines, o_cust, o_day, n_orders = add_returns(bk, cal, orders, draw_lines(bk, cal, mix, orders))
    offers, n_orders = respond_to_offers(bk, draw_offers(bk, cal, orders.n_ord), mix.order_value, lines, o_cust, o_day, n_orders)
    lines = merge_lines(lines, o_cust, o_day, n_orders)
    costs, agg = service_costs(bk, cal, orders, lines)
    return {"lines": lines, "n_orders": n_orders, "offers": offers, "costs": costs, "agg": agg}


def _add_totals(agg: dict, meets: np.ndarray, a: dict, role: np.ndarray, s: slice, cal: SampleCalendar) -> None:
    """Add a block's totals (whole period, quarter ``Q``, 12 months to ``Q``) to ``agg`` and its met criteria to ``meets``."""
    in_q = cal.quarter == cal.q
    agg["rev"][s], agg["gp"][s], agg["cts"][s] = a["rev_m"].sum(axis=1), a["gp_m"].sum(axis=1), a["cts_m"].sum(axis=1)
    agg["rev_q"][s], agg["gp_q"][s], agg["cts_q"][s] = (
        a["rev_m"][:, in_q].sum(axis=1),
        a["gp_m"][:, in_q].sum(axis=1),
        a["cts_m"][:, in_q].sum(axis=1),
    )
    agg["rev_t12"][s] = a["rev_m"][:, cal.qe - 11 : cal.qe + 1].sum(axis=1)
    role_b = role[s]
    for rl, ok in planted_checks(a, cal).items():
        meets[s] |= (role_b == rl) & ok


def _write_blocks(c: dict, cal: SampleCalendar, seed: int, chunk: int, writers: dict) -> tuple[dict, dict, np.ndarray]:
    """Transactions, offers and service costs, one block of customers at a time (bounded memory), written every ``chunk`` customers.

    Returns the rows written per table and, per customer, its totals and whether it meets its planted criterion.
    """
    n = len(c["role"])
    agg = {key: np.zeros(n) for key in ("rev", "gp", "cts", "rev_q", "gp_q", "cts_q", "rev_t12")}
    meets = np.zeros(n, dtype=bool)
    rows = dict.fromkeys(_TABLES, 0)
    buf: dict[str, list] = {t: [] for t in _TABLES[1:]}
    buffered = order_offset = offer_offset = 0
    n_blocks = -(-n // _BLOCK)
    for b in range(n_blocks):  # bounded memory: one block of customers at a time
        lo, hi = b * _BLOCK, min(n, (b + 1) * _BLOCK)
        blk = _block(b, lo, hi, c, cal, seed)
        for t, tab in _block_tables(blk, lo, hi, order_offset, offer_offset, cal).items():
            buf[t].append(tab)
        order_offset += blk["n_orders"]
        offer_offset += len(blk["offers"]["cust"])
        _add_totals(agg, meets, blk["agg"], c["role"], slice(lo, hi), cal)
        buffered += hi - lo
        if buffered >= chunk or b == n_blocks - 1:
            for t, tabs in buf.items():
                tab = pa.concat_tables(tabs)
                writers[t].write_table(tab, row_group_size=max(1, tab.num_rows))
                rows[t] += tab.num_rows
                tabs.clear()
            buffered = 0
    return rows, agg, meets


def _write_tables(c: dict, names: list[str], cal: SampleCalendar, seed: int, chunk: int, tmp: dict, writers: dict) -> tuple[dict, dict]:
    """Write the four tables into their temporary files; return the rows per table and planted.json's patterns.

    ``writers`` holds the open Parquet writers, for the caller to close after a failure.
    """
    for t in _TABLES:
        writers[t] = pq.ParquetWriter(tmp[t], _SCHEMAS[t], compression="zstd")
    rows, agg, meets = _write_blocks(c, cal, seed, chunk, writers)
    planted = _finish_customers(c, names, agg, meets, cal, writers["customers"], chunk)
    rows["customers"] = len(c["role"])
    for w in writers.values():
        w.close()
    writers.clear()
    return rows, planted


def _discard(writers: dict, tmp: dict) -> None:
    """After a failure: close the open writers and remove every temporary file."""
    for w in writers.values():
        try:
            w.close()
        except Exception:  # noqa: BLE001 - already failing; the temp file is removed next
            pass
    for p in tmp.values():
        p.unlink(missing_ok=True)


def _checked_arguments(customers, regions, seed, start, end, chunk_customers) -> tuple[int, list[str], int, int, dt.date, dt.date]:
    """:func:`generate_sample`'s arguments, checked: customers, region names, seed, chunk, start and end."""
    n = _check_int(customers, "customers", 1, MAX_CUSTOMERS)
    names = region_names(regions)
    k = len(names)
    if n < 50 * k:
        raise ParamsError(f"customers: {n:,} is too few for {k} regions; expected at least 50 per region ({50 * k:,})")
    seed = _check_int(seed, "seed", 0)
    chunk = _check_int(chunk_customers, "chunk_customers", 1)
    d0, d1 = _parse_date(start, "start"), _parse_date(end, "end")
    months = (d1.year - d0.year) * 12 + d1.month - d0.month + 1
    if d1 <= d0 or months < 24:
        raise ParamsError(
            f"start, end: {d0.isoformat()} .. {d1.isoformat()} covers {months} month(s); expected end after start and at least 24 months"
        )
    return n, names, seed, chunk, d0, d1


# --------------------------------------------------------------------------- public API


def generate_sample(
    out_dir,
    customers: int = 5000,
    regions: int = 6,
    seed: int = 42,
    start="2023-10-01",
    end="2026-09-30",
    chunk_customers: int = 50_000,
) -> dict[str, Path]:
    """Write a seeded, realistic sample dataset with planted patterns.

    Writes ``customers.parquet``, ``transactions.parquet``, ``offers.parquet``,
    ``service_costs.parquet`` (columns and types per :mod:`custlib.io.contract`;
    dates as Parquet ``date32``) and ``planted.json`` into ``out_dir``. Each file
    is written under a temporary name in ``out_dir`` and moved into place only
    when all are complete, so a failure leaves no half-written file. The
    content depends only on the arguments other than ``chunk_customers``
    (see "Determinism and scale" and "Planted patterns" in the module
    docstring). Memory stays bounded: about 20 order lines per customer are
    generated 1,000 customers at a time and written chunk by chunk.

    nothing in -> customers, transactions, offers, service_costs tables (files).

    Parameters
    ----------
    out_dir : str or Path
        Output directory; created if missing. Existing files of the same
        names are replaced.
    customers : int, default 5000
        Number of customers, at least 50 per region and at most 5,000,000.
    regions : int, default 6
        Number of sales regions, 1 to 99 (names: :func:`region_names`).
    seed : int, default 42
        Seed of every random draw (non-negative).
    start, end : str or date, default "2023-10-01", "2026-09-30"
        First and last possible order date; the last order date in the data
        is exactly ``end``. At least 24 months must be covered.
    chunk_customers : int, default 50,000
        Customers whose rows are buffered before being written as one Parquet
        row group (rounded up to whole blocks of 1,000). Does not change the
        content.

    Returns
    -------
    dict of str to Path
        ``{"customers": ..., "transactions": ..., "offers": ...,
        "service_costs": ..., "planted": ...}``.

    Raises
    ------
    ParamsError
        If an argument is out of range or a date does not parse.
    """
    n, names, seed, chunk, d0, d1 = _checked_arguments(customers, regions, seed, start, end, chunk_customers)
    cal = SampleCalendar(d0, d1)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    c = draw_customers(n, len(names), cal, seed)
    c["remote"] = np.array([REMOTE.get(r, 1.0) for r in names])[c["region"]]
    final = {t: out / f"{t}.parquet" for t in _TABLES} | {"planted": out / "planted.json"}
    tmp = {t: out / f".{p.name}.{os.getpid()}.tmp" for t, p in final.items()}
    writers: dict[str, pq.ParquetWriter] = {}
    try:
        rows, planted = _write_tables(c, names, cal, seed, chunk, tmp, writers)
        run = {"generator": "custlib.io.sample.generate_sample", "seed": seed, "start": d0.isoformat(), "end": d1.isoformat()}
        planted = run | {"customers": n, "regions": names, "rows": rows} | planted
        tmp["planted"].write_text(json.dumps(planted, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        for t, p in final.items():
            os.replace(tmp[t], p)
    except BaseException:
        _discard(writers, tmp)
        raise
    return final


def _finish_customers(c, names, agg, meets, cal, writer, chunk) -> dict:
    """Write the customers table (wallet needs the realised revenue) and return planted.json's patterns."""
    n = len(c["role"])
    k = len(names)
    role, active = c["role"], c["active"]
    time_role = np.isin(role, TIME_ROLES)
    wallet = np.where(active & ~time_role & (agg["rev_t12"] > 0), agg["rev_t12"] / np.where(active, c["share"], 1.0), c["wallet0"])
    wallet = _sig3(wallet)
    credit = np.where(active, _sig3(np.maximum(c["revenue"] * c["credit_u"], 1000.0)), np.nan)
    ids = _ids("C", np.arange(n) + 1, 7)
    region = pa.array(names).take(pa.array(c["region"]))
    industry = pa.array(list(INDUSTRIES)).take(pa.array(c["industry"]))
    size = pa.array(list(SIZE_BANDS)).take(pa.array(c["size"]))
    market = pa.array(list(MARKET_TYPES)).take(pa.array(c["market"]))
    for i in range(0, n, chunk):
        j = min(n, i + chunk)
        writer.write_table(
            pa.Table.from_arrays(
                [
                    ids[i:j],
                    c["name"][i:j],
                    region[i:j],
                    industry[i:j],
                    size[i:j],
                    market[i:j],
                    pa.array(wallet[i:j]),
                    pa.array(credit[i:j], from_pandas=True),
                ],
                schema=_SCHEMAS["customers"],
            )
        )

    # profit customers: judged against their region once every customer is known
    has = agg["rev"] > 0
    margin = np.where(has, (agg["gp"] - agg["cts"]) / np.where(has, agg["rev"], 1.0), np.nan)
    pct = percentile_in_group(agg["rev"], c["region"], k, has)
    q80 = np.array([np.quantile(margin[has & (c["region"] == r)], 0.8) if (has & (c["region"] == r)).any() else np.inf for r in range(k)])
    profit_ok = has & (margin >= q80[c["region"]]) & (pct >= 0.5) & (pct <= 0.95)
    meets = meets | ((role == ROLE_PROFIT) & profit_ok)

    def id_list(mask) -> list[str]:
        return ids.filter(pa.array(mask)).to_pylist()

    out: dict = {}
    for rl, key in ROLE_KEYS.items():
        out[key] = id_list((role == rl) & meets)
    out["planted_generated"] = {key: int((role == rl).sum()) for rl, key in ROLE_KEYS.items()}
    out["copurchase_pairs"] = [list(p) for p in COPURCHASE_PAIRS]
    out["copurchase_attach_probability"] = ATTACH_P
    out["response_model"] = {
        "intercept": RESPONSE_MODEL["intercept"],
        "coefficients": dict(RESPONSE_MODEL["coefficients"]),
        "features": dict(RESPONSE_FEATURES),
        "link": "P(responded) = 1 / (1 + exp(-(intercept + sum(coefficient * feature))))",
    }
    out["seasonality"] = list(SEASONALITY)
    out["trend_per_year"] = TREND_PER_YEAR
    share = np.where(wallet > 0, agg["rev_t12"] / wallet, 0.0)
    stage = np.select([share <= 0, share < 0.2, share < 0.6], [0, 1, 2], 3)
    out["share_of_wallet_target"] = {
        "definition": "share = revenue with order_date in the 4 calendar quarters ending with latest_complete_quarter / wallet_estimate; "
        "development: share 0, initial: < 0.2, stable: 0.2 to < 0.6, strategic: >= 0.6",
        "targets": {
            s: {"customers_share": p, "share_of_wallet": [float(a), float(b)]}
            for s, p, a, b in zip(STAGES, STAGE_P, STAGE_LO, STAGE_HI, strict=True)
        },
        "counts": {s: int((stage == i).sum()) for i, s in enumerate(STAGES)},
    }
    out["lifecycle"] = {"new": id_list(c["new"]), "churned": id_list(c["churn"])}
    out["categories"] = list(CATEGORIES)
    out["products"] = [
        {"product_id": p[0], "name": p[1], "category": CATEGORIES[p[2]], "list_price": p[3], "unit_cost": float(u)}
        for p, u in zip(PRODUCTS, UNIT_COST, strict=True)
    ]
    out["latest_complete_quarter"] = cal.quarter_labels[cal.qe]
    return out
