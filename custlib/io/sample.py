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

__all__ = ["generate_sample", "region_names", "SEASONALITY", "TREND_PER_YEAR", "COPURCHASE_PAIRS", "RESPONSE_MODEL"]

_BLOCK = 1000  # customers per random-number block (fixes the content whatever chunk_customers is)
MAX_CUSTOMERS = 5_000_000

# --------------------------------------------------------------------------- constants

_REGION_NAMES = ("North", "East", "South", "Southwest", "Central", "Northeast", "Northwest", "Southeast")
_REGION_WEIGHTS = (0.18, 0.24, 0.20, 0.12, 0.15, 0.11, 0.08, 0.08)
_REMOTE = {"Southwest": 1.25, "Northeast": 1.30, "Northwest": 1.35}

CATEGORIES = ("Fasteners", "Bearings", "Hydraulics", "Pneumatics", "Power transmission", "Electrical", "Tools", "Safety")

# product_id, name, category index, list price, gross margin at list price, popularity within category
_PRODUCTS = (
    ("P001", "Hex bolts M12 (box of 100)", 0, 18.0, 0.44, 5),
    ("P002", "Hex nuts M12 (box of 100)", 0, 12.0, 0.45, 4),
    ("P003", "Anchor bolts M16 (box of 25)", 0, 35.0, 0.40, 2),
    ("P004", "Self-tapping screws (box of 500)", 0, 9.0, 0.46, 3),
    ("P005", "Flat washer assortment", 0, 14.0, 0.43, 2),
    ("P006", "Deep groove ball bearing 6205", 1, 12.0, 0.31, 5),
    ("P007", "Tapered roller bearing 32210", 1, 45.0, 0.29, 3),
    ("P008", "Pillow block bearing UCP208", 1, 60.0, 0.30, 3),
    ("P009", "Spherical roller bearing 22220", 1, 180.0, 0.27, 1),
    ("P010", "Linear ball bearing LM20", 1, 25.0, 0.33, 2),
    ("P011", "Hydraulic gear pump", 2, 850.0, 0.25, 2),
    ("P012", "Directional control valve", 2, 420.0, 0.27, 2),
    ("P013", "Hydraulic cylinder 80x400", 2, 1200.0, 0.24, 1),
    ("P014", "Hydraulic hose assembly", 2, 65.0, 0.28, 4),
    ("P015", "Hydraulic fittings kit", 2, 40.0, 0.30, 3),
    ("P016", "Pneumatic cylinder 50x200", 3, 160.0, 0.31, 3),
    ("P017", "Solenoid valve 5/2", 3, 95.0, 0.32, 3),
    ("P018", "Air filter regulator", 3, 70.0, 0.30, 2),
    ("P019", "Push-in fittings (bag of 50)", 3, 20.0, 0.34, 4),
    ("P020", "Screw air compressor 7.5 kW", 3, 2400.0, 0.22, 1),
    ("P021", "V-belt SPA", 4, 22.0, 0.32, 4),
    ("P022", "Roller chain 10 m", 4, 80.0, 0.29, 3),
    ("P023", "Helical gear reducer", 4, 950.0, 0.24, 1),
    ("P024", "Jaw coupling", 4, 110.0, 0.30, 2),
    ("P025", "Sprocket", 4, 55.0, 0.28, 2),
    ("P026", "AC contactor", 5, 65.0, 0.34, 3),
    ("P027", "Miniature circuit breaker", 5, 48.0, 0.35, 4),
    ("P028", "Frequency inverter 5.5 kW", 5, 1100.0, 0.27, 1),
    ("P029", "Inductive proximity sensor", 5, 38.0, 0.37, 3),
    ("P030", "Control cable 100 m", 5, 210.0, 0.31, 2),
    ("P031", "Cordless drill 18 V", 6, 320.0, 0.35, 2),
    ("P032", "Torque wrench", 6, 140.0, 0.38, 2),
    ("P033", "HSS drill bit set", 6, 45.0, 0.40, 3),
    ("P034", "Angle grinder 125 mm", 6, 180.0, 0.34, 2),
    ("P035", "Cutting discs (box of 25)", 6, 30.0, 0.42, 4),
    ("P036", "Work gloves (box of 12 pairs)", 7, 25.0, 0.47, 5),
    ("P037", "Safety helmet", 7, 18.0, 0.45, 3),
    ("P038", "Safety goggles", 7, 12.0, 0.48, 3),
    ("P039", "Ear defenders", 7, 20.0, 0.44, 2),
    ("P040", "Full-body safety harness", 7, 150.0, 0.40, 1),
)
_N_PROD = len(_PRODUCTS)
_N_CAT = len(CATEGORIES)
_PER_CAT = _N_PROD // _N_CAT
_PROD_IDS = [p[0] for p in _PRODUCTS]
_PROD_CAT = np.array([p[2] for p in _PRODUCTS])
_LIST_PRICE = np.array([p[3] for p in _PRODUCTS])
_UNIT_COST = np.round(_LIST_PRICE * (1 - np.array([p[4] for p in _PRODUCTS])), 2)
_POP = np.array([p[5] for p in _PRODUCTS], dtype=float)
_POP_CUM = np.cumsum(_POP.reshape(_N_CAT, _PER_CAT), axis=1)
_POP_CUM = _POP_CUM / _POP_CUM[:, -1:]

INDUSTRIES = (
    "Machinery",
    "Automotive",
    "Construction",
    "Electronics",
    "Energy",
    "Food processing",
    "Agriculture",
    "Shipbuilding",
    "Mining",
    "Chemicals",
    "Logistics",
    "Textiles",
)
_INDUSTRY_WEIGHTS = (0.16, 0.12, 0.13, 0.10, 0.07, 0.08, 0.06, 0.04, 0.05, 0.07, 0.07, 0.05)
# the three categories each industry uses most (indices into CATEGORIES)
_INDUSTRY_AFFINITY = (
    (1, 4, 2),
    (0, 1, 6),
    (0, 7, 6),
    (5, 6, 0),
    (5, 7, 2),
    (3, 1, 7),
    (2, 4, 1),
    (2, 0, 7),
    (2, 7, 4),
    (3, 7, 5),
    (4, 5, 7),
    (3, 4, 5),
)
_HIGH_MARGIN_CATS = (0, 5, 6, 7)

_MARKET_WEIGHTS = (0.10, 0.28, 0.42, 0.10, 0.10)  # order of contract.MARKET_TYPES
_MARKET_FREQ = (0.7, 1.0, 1.5, 0.5, 0.6)
_SIZE_BANDS = ("small", "medium", "large")

SEASONALITY = (0.95, 0.62, 1.05, 1.00, 1.00, 1.05, 0.93, 0.90, 1.04, 1.02, 1.14, 1.30)
"""Monthly multiplicative factors, January first, mean 1 (February: Chinese New Year; Q4 peak)."""
TREND_PER_YEAR = 0.04

COPURCHASE_PAIRS = (("P011", "P014"), ("P023", "P024"), ("P031", "P033"), ("P035", "P038"))
_ATTACH_P = 0.6

RESPONSE_MODEL = {
    "intercept": -2.5,
    "coefficients": {"size_large": 0.8, "n_categories_12m": 0.3, "category_fit": 1.0, "channel_visit": 1.2, "channel_phone": 0.5},
}
_RESPONSE_FEATURES = {
    "size_large": "1 if the customer's size_band is 'large', else 0",
    "n_categories_12m": "number of distinct categories in the customer's transactions with quantity > 0 and offer_date - 365 days <= order_date < offer_date",
    "category_fit": "1 if the offered product's category is among those categories (same window, quantity > 0), else 0",
    "channel_visit": "1 if channel == 'visit', else 0",
    "channel_phone": "1 if channel == 'phone', else 0 (email is the baseline)",
}
_CHANNELS = ("visit", "phone", "email")
_CHANNEL_P = ((0.10, 0.40, 0.50), (0.30, 0.40, 0.30), (0.50, 0.30, 0.20))  # by size band

_STAGES = ("development", "initial", "stable", "strategic")
_STAGE_P = (0.02, 0.40, 0.40, 0.18)
_STAGE_LO = np.array([0.0, 0.03, 0.24, 0.66])
_STAGE_HI = np.array([0.0, 0.17, 0.55, 0.92])

# roles (disjoint planted groups); profile = time profile of the order rate
_NORMAL, _UNPROF, _PROFIT, _LAPSED, _DECL, _SHRINK, _UP, _DOWN = range(8)
_ROLE_KEYS = {
    _UNPROF: "unprofitable_large",
    _PROFIT: "profit_customers",
    _LAPSED: "lapsed",
    _DECL: "decliners",
    _SHRINK: "shrinking_lines",
    _UP: "migrations_up",
    _DOWN: "migrations_down",
}
_TIME_ROLES = (_LAPSED, _DECL, _SHRINK, _UP, _DOWN)
# role: (low percentile, high percentile, share of region's customers, minimum order rate per month)
_ROLE_PLAN = (
    (_UNPROF, 0.95, 1.01, None, 1.0),
    (_PROFIT, 0.55, 0.85, 0.03, 0.5),
    (_LAPSED, 0.60, 0.95, 0.025, 0.8),
    (_DOWN, 0.60, 0.95, 0.03, 2.0),
    (_SHRINK, 0.40, 0.95, 0.03, 1.6),
    (_DECL, 0.35, 0.90, 0.03, 2.5),
    (_UP, 0.30, 0.80, 0.03, 1.0),
)
_FEW_LINES_ROLES = (_LAPSED, _DOWN, _DECL, _UP)  # frequent small orders: 1 + Poisson(0.3) lines
_REGULAR_ROLES = (_UNPROF, _LAPSED, _DOWN, _SHRINK, _DECL, _UP)  # order on a schedule, not at Poisson times
_DECAY, _UP_MULT, _DOWN_MULT = 0.75, 8.0, 0.03

# --- names
_EN_PREFIX = (
    "Apex", "Summit", "Northgate", "Riverside", "Pioneer", "Harbor", "Evergreen", "Silverline", "Crestview", "Ironwood",
    "Bluewater", "Redstone", "Goldfield", "Westbrook", "Eastwood", "Lakeshore", "Highland", "Oakridge", "Granite", "Pacific",
    "Atlas", "Meridian", "Vanguard", "Sterling", "Keystone", "Liberty", "Horizon", "Frontier", "Cardinal", "Falcon",
    "Eagle", "Phoenix", "Titan", "Orion", "Polaris", "Zenith", "Beacon", "Anchor", "Bridgeport", "Clearwater",
    "Copperleaf", "Deerfield", "Elmwood", "Fairview", "Greenfield", "Hillcrest", "Kingsway", "Maplewood", "Northstar", "Parkside",
    "Rockford", "Seaview", "Stonebridge", "Sunrise", "Trident", "Unity", "Valley", "Windmill", "Ashford", "Bayside",
    "Blackrock", "Brightwater", "Cedar", "Coastal", "Cornerstone", "Crown", "Delta", "Diamond", "Dragon", "Eastern Star",
    "Emerald", "Forge", "Fortune", "Gateway", "Globe", "Golden Bridge", "Great Wall", "Heritage", "Imperial", "Jade",
    "Lotus", "Mercury", "Milestone", "Monarch", "Mountain", "Nova", "Oriental", "Pearl River", "Pinnacle", "Premier",
    "Prime", "Red Lantern", "Royal", "Sapphire", "Silk Road", "Skyline", "Southern Cross", "Star", "Union", "Yangtze",
    "Allied", "Centurion", "Continental", "Everest", "Majestic", "Metro", "National", "Paragon", "Quantum", "Regal",
    "Sentinel", "Trinity", "Victory", "Wellington", "Westfield", "Aurora", "Bedrock", "Compass", "Endeavour", "Keyway",
)  # fmt: skip
_EN_CORE = (
    "Precision", "Industrial", "Engineering", "Technical", "Mechanical", "Hydraulic", "Fluid Power", "Automation", "Machine",
    "Metalworks", "Tooling", "Equipment", "Components", "Systems", "Manufacturing", "Fabrication", "Motion", "Power", "Drive",
    "Controls", "Machinery", "Parts", "Supply", "Instruments", "Electric", "Steel", "Castings", "Pumps", "Valves", "Bearing",
    "Fastener", "Transmission", "Robotics", "Materials", "Technologies", "Industrial Services", "Maintenance", "Plant",
    "Energy", "Marine", "Motors", "Process", "Heavy Industries", "Tools", "Automotive", "Logistics", "Trading", "Electronics",
    "Welding", "Mining Equipment",
)  # fmt: skip
_EN_CITY = (
    "", "Suzhou", "Wuxi", "Ningbo", "Shenzhen", "Tianjin", "Qingdao", "Dalian", "Chengdu", "Wuhan", "Xiamen", "Hangzhou",
    "Shanghai", "Guangzhou", "Dongguan", "Foshan", "Changzhou", "Nanjing", "Shenyang", "Chongqing", "Xi'an", "Kunshan",
    "Jiaxing", "Zhuhai", "Hefei", "Changsha", "Zhengzhou", "Jinan", "Yantai", "Harbin", "Fuzhou", "Nantong", "Taicang",
    "Changchun", "Nanchang", "Taiyuan", "Shijiazhuang", "Kunming", "Nanning", "Guiyang", "Lanzhou",
)  # fmt: skip
_EN_SUFFIX = (
    "Co., Ltd.", "Inc.", "Group", "Trading Co.", "LLC", "Corp.", "Holdings", "Supply Co.", "Partners", "Industries",
    "Ltd.", "& Sons", "GmbH", "Pte. Ltd.", "Co.",
)  # fmt: skip
_CN_PLACE = (
    "江苏", "浙江", "上海", "北京", "天津", "广东", "深圳", "广州", "东莞", "佛山", "苏州", "无锡", "常州", "宁波", "杭州",
    "温州", "青岛", "济南", "烟台", "沈阳", "大连", "长春", "哈尔滨", "成都", "重庆", "昆明", "贵阳", "武汉", "长沙", "郑州",
    "合肥", "南昌", "西安", "太原", "石家庄", "唐山", "厦门", "福州", "泉州", "南京", "徐州", "潍坊", "洛阳", "襄阳", "株洲",
    "柳州", "南宁", "兰州", "华东", "华南",
)  # fmt: skip
_CN_CHARS = "恒达宏远鑫源华瑞泰丰盛兴隆昌通明德信诚安永嘉康利旭辉海天金凯博正中宇新联合润东升"
_CN_TRADE = (
    "精密机械", "机械制造", "液压设备", "五金", "五金机电", "电气", "自动化设备", "重工", "机电设备", "工业设备", "轴承",
    "紧固件", "建材", "汽车配件", "动力科技", "传动设备", "工程机械", "模具", "阀门", "泵业", "化工设备", "环保设备",
    "农业机械", "船舶配件", "矿山机械", "电子科技", "物流设备", "安全设备", "工具", "贸易",
)  # fmt: skip
_CN_LEGAL = ("有限公司", "股份有限公司", "有限责任公司")
_CN_SHARE = 0.35


# --------------------------------------------------------------------------- helpers


def region_names(k: int) -> list[str]:
    """The names of ``k`` sample regions.

    The first six are North, East, South, Southwest, Central and Northeast
    (华北, 华东, 华南, 西南, 华中, 东北), then Northwest and Southeast, then
    ``"Region 09"``, ``"Region 10"``, ... Fewer than six take the first ``k``.

    Parameters
    ----------
    k : int
        Number of regions, 1 to 99.

    Returns
    -------
    list of str

    Raises
    ------
    ParamsError
        If ``k`` is not an integer between 1 and 99.
    """
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k <= 99:
        raise ParamsError(f"regions: {k!r} is not allowed; expected an integer from 1 to 99")
    names = list(_REGION_NAMES[:k])
    names += [f"Region {i:02d}" for i in range(len(names) + 1, k + 1)]
    return names


def _rng(seed: int, *key: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


def _lognormal_unit(rng, sigma, size):
    """Lognormal noise with mean 1."""
    return np.exp(rng.normal(-0.5 * sigma * sigma, sigma, size))


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


class _Calendar:
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
        decl[j >= 1] = _DECAY ** j[j >= 1]
        from_q = self.quarter >= self.q
        up = np.where(from_q, _UP_MULT, 1.0)
        down = np.where(from_q, _DOWN_MULT, 1.0)
        profiles = np.vstack([base, base * decl, base * up, base * down])
        self.profiles = profiles
        self.cum = np.hstack([np.zeros((4, 1)), np.cumsum(profiles, axis=1)])
        self.first_month_of_q = np.array([int(np.argmax(self.quarter == q)) for q in range(self.n_quarters)])

    def month_of(self, day):
        return self.day_month[np.asarray(day) - self.start_day]


_PROFILE = np.zeros(8, dtype=np.int64)
_PROFILE[_DECL] = 1
_PROFILE[_UP] = 2
_PROFILE[_DOWN] = 3


def _mixed_radix(idx, radices):
    out = []
    for r in reversed(radices):
        out.append(idx % r)
        idx = idx // r
    return out[::-1]


def _names(n: int, rng) -> pa.Array:
    """Unique company names, about 35 % Chinese (华东精密机械有限公司 style), vectorised."""
    is_cn = rng.random(n) < _CN_SHARE
    n_cn = int(is_cn.sum())
    n_en = n - n_cn
    en_radix = (len(_EN_PREFIX), len(_EN_CORE), len(_EN_CITY), len(_EN_SUFFIX))
    cn_chars = list(_CN_CHARS)
    cn_radix = (len(_CN_PLACE), len(cn_chars), len(cn_chars) - 1, len(_CN_TRADE), len(_CN_LEGAL))
    en_space, cn_space = int(np.prod(en_radix)), int(np.prod(cn_radix))
    if n_en > en_space or n_cn > cn_space:  # pragma: no cover - guarded by MAX_CUSTOMERS
        raise ParamsError(f"customers: {n} is more than the name generator can make unique")
    en = _mixed_radix(rng.choice(en_space, size=n_en, replace=False), en_radix)
    cn = _mixed_radix(rng.choice(cn_space, size=n_cn, replace=False), cn_radix)

    def take(words, idx):
        return pa.array(list(words)).take(pa.array(idx))

    city = take([f" ({c})" if c else "" for c in _EN_CITY], en[2])
    en_names = pc.binary_join_element_wise(take(_EN_PREFIX, en[0]), " ", take(_EN_CORE, en[1]), city, " ", take(_EN_SUFFIX, en[3]), "")
    second = np.where(cn[2] >= cn[1], cn[2] + 1, cn[2])  # two different characters
    cn_names = pc.binary_join_element_wise(
        take(_CN_PLACE, cn[0]), take(cn_chars, cn[1]), take(cn_chars, second), take(_CN_TRADE, cn[3]), take(_CN_LEGAL, cn[4]), ""
    )
    pos = np.empty(n, dtype=np.int64)
    pos[~is_cn] = np.arange(n_en)
    pos[is_cn] = n_en + np.arange(n_cn)
    return pa.concat_arrays([en_names, cn_names]).take(pa.array(pos))


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


def _region_weights(k: int) -> np.ndarray:
    w = np.array([_REGION_WEIGHTS[i] if i < len(_REGION_WEIGHTS) else 0.08 for i in range(k)])
    return w / w.sum()


# --------------------------------------------------------------------------- customers (drawn once)


def _percentile_in_group(values, group, k, mask):
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
    pct = _percentile_in_group(revenue, region, k, active)
    for r in range(k):  # one iteration per region and pattern
        idx_r = np.flatnonzero((region == r) & active)
        n_r = len(idx_r)
        for rl, lo, hi, share, _ in _ROLE_PLAN:
            want = max(2, round(0.2 * int(np.ceil(0.05 * n_r)))) if rl == _UNPROF else max(2, int(np.ceil(share * n_r)))
            pool = idx_r[(pct[idx_r] >= lo) & (pct[idx_r] < hi) & (role[idx_r] == _NORMAL)]
            take = min(want, len(pool))
            if take == 0:
                continue
            w = np.where(market[pool] == MARKET_TYPES.index("reseller"), 3.0, 1.0) if rl == _DECL else np.ones(len(pool))
            role[rng.choice(pool, size=take, replace=False, p=w / w.sum())] = rl
    return role, pct


def _draw_customers(n: int, k: int, cal: _Calendar, seed: int) -> dict:
    rng = _rng(seed, 0)
    c: dict[str, np.ndarray] = {}
    c["region"] = rng.choice(k, size=n, p=_region_weights(k))
    iw = np.asarray(_INDUSTRY_WEIGHTS)
    c["industry"] = rng.choice(len(INDUSTRIES), size=n, p=iw / iw.sum())
    c["market"] = rng.choice(len(MARKET_TYPES), size=n, p=_MARKET_WEIGHTS)
    wallet0 = np.exp(rng.normal(np.log(150_000), 1.25, n))
    c["size"] = np.where(wallet0 >= 750_000, 2, np.where(wallet0 >= 200_000, 1, 0))
    stage = rng.choice(len(_STAGES), size=n, p=_STAGE_P)
    share = _STAGE_LO[stage] + (_STAGE_HI - _STAGE_LO)[stage] * rng.random(n)
    c["active"] = stage > 0
    revenue = share * wallet0  # expected yearly revenue with us
    rate = 0.12 * (np.maximum(revenue, 1.0) / 45_000) ** 0.4 * np.asarray(_MARKET_FREQ)[c["market"]] * _lognormal_unit(rng, 0.3, n)
    rate = np.clip(rate, 0.08, 40.0)
    c["name"] = _names(n, rng)
    role, pct = _assign_roles(c["region"], revenue, c["market"], c["active"], k, rng)
    min_rate = np.zeros(8)
    for rl, *_rest, mr in _ROLE_PLAN:
        min_rate[rl] = mr
    rate = np.maximum(rate, min_rate[role])
    # lifecycle: acquisitions and natural churn among ordinary customers
    nm = cal.n_months
    start_m = np.zeros(n, dtype=np.int64)
    stop_m = np.full(n, nm - 1, dtype=np.int64)
    ordinary = (role == _NORMAL) & c["active"]
    u_new, u_churn = rng.random(n), rng.random(n)
    new = ordinary & (u_new < 0.12)
    churn = ordinary & ~new & (pct < 0.4) & (u_churn < 0.15)
    start_draw = rng.integers(3, nm - 9, size=n)
    stop_draw = rng.integers(6, nm - 3, size=n)
    start_m[new] = start_draw[new]
    stop_m[churn] = stop_draw[churn]
    lapse_draw = cal.first_month_of_q[cal.q - 1] - rng.integers(1, 10, size=n)
    lapsed = role == _LAPSED
    stop_m[lapsed] = lapse_draw[lapsed]
    # prices and cost to serve
    logrel = np.log(np.maximum(revenue, 1.0) / 45_000)
    disc = np.clip(0.06 + 0.03 * logrel + rng.normal(0, 0.02, n), 0.02, 0.20)
    premium = rng.uniform(0.0, 0.06, n)
    markup = rng.uniform(0.03, 0.07, n)
    visit_rate = np.array([0.15, 0.4, 1.2])[c["size"]]
    visit_rate = np.where(role == _UNPROF, rng.uniform(5, 8, n), np.where(role == _PROFIT, 0.1, visit_rate))
    rebate = np.clip(0.015 + 0.01 * logrel, 0.005, 0.06)
    rebate = np.where(role == _UNPROF, rng.uniform(0.10, 0.14, n), np.where(role == _PROFIT, 0.0, rebate))
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
        support_rate=np.where(role == _UNPROF, 0.03, np.where(role == _PROFIT, 0.002, 0.01)),
        logistics_mult=np.where(role == _UNPROF, 2.0, 1.0),
        credit_u=rng.uniform(0.1, 0.3, n),
    )
    return c


# --------------------------------------------------------------------------- one block of customers

_AFFINITY = np.zeros((len(INDUSTRIES), _N_CAT))
for _i, _cats in enumerate(_INDUSTRY_AFFINITY):
    _AFFINITY[_i, list(_cats)] = 1.0
_POPCOUNT = np.array([bin(i).count("1") for i in range(1 << _N_CAT)])


def _price_lines(prod, cust, role, c, s, rng):
    """Net unit price and unit cost of order lines (see the module docstring)."""
    eps, eps2 = rng.normal(size=len(prod)), rng.normal(size=len(prod))
    r = role[cust]
    net = np.where(
        r == _UNPROF,
        _UNIT_COST[prod] * (1 + c["markup"][s][cust]) * (1 + 0.01 * eps),
        np.where(r == _PROFIT, _LIST_PRICE[prod] * (1 + c["premium"][s][cust]), _LIST_PRICE[prod] * (1 - c["disc"][s][cust]))
        * (1 + 0.02 * eps),
    )
    return net, _UNIT_COST[prod] * (1 + 0.015 * eps2)


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


def _block(b: int, lo: int, hi: int, c: dict, cal: _Calendar, seed: int) -> dict:
    """Orders, lines, returns, offers and service costs of customers ``lo`` .. ``hi - 1``."""
    rng = _rng(seed, 1, b)
    s = slice(lo, hi)
    nb = hi - lo
    nm = cal.n_months
    role, size, rate = c["role"][s], c["size"][s], c["rate"][s]
    time_role = np.isin(role, _TIME_ROLES)
    shrink_c, profit_c = role == _SHRINK, role == _PROFIT

    # -- categories each customer buys, with weights
    scores = np.log1p(2 * _AFFINITY[c["industry"][s]]) + rng.gumbel(size=(nb, _N_CAT))
    scores[:, list(_HIGH_MARGIN_CATS)] += np.where(profit_c, 5.0, 0.0)[:, None]
    k_draw = np.stack([1 + rng.binomial(3, 0.5, nb), 2 + rng.binomial(4, 0.5, nb), 3 + rng.binomial(5, 0.55, nb)], axis=1)
    k = k_draw[np.arange(nb), size]
    k = np.where(profit_c, 2 + rng.binomial(2, 0.5, nb), k)
    k = np.where(shrink_c, 6, k)
    chosen = np.argsort(np.argsort(-scores, axis=1, kind="stable"), axis=1, kind="stable") < k[:, None]
    g = np.where(shrink_c[:, None], rng.gamma(40.0, size=(nb, _N_CAT)), rng.gamma(1.5, size=(nb, _N_CAT)))
    w = np.where(chosen, g, 0.0)
    w /= w.sum(axis=1, keepdims=True)
    cum_w = np.cumsum(w, axis=1)
    cum_w[:, -1] = 1.0
    cat_by_rank = np.argsort(-w, axis=1, kind="stable")
    rank_of_cat = np.argsort(cat_by_rank, axis=1, kind="stable")
    few = np.isin(role, _FEW_LINES_ROLES)
    lam = np.select([few, shrink_c], [0.3, 1.5], 0.2 + 0.25 * k)
    order_value = c["revenue"][s] / (12 * rate)

    # -- orders: Poisson counts, months by inverse CDF of the customer's intensity profile, weekdays
    prof = _PROFILE[role]
    st, sp = c["start_m"][s], c["stop_m"][s]
    c_lo, c_hi = cal.cum[prof, st], cal.cum[prof, sp + 1]
    regular = np.isin(role, _REGULAR_ROLES) & c["active"][s]
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
        cand = np.isin(role[oc], (_NORMAL, _PROFIT, _UNPROF)) & (sp[oc] == nm - 1)
        if not cand.any():  # pragma: no cover - needs a block without any such customer
            raise ParamsError("customers: too few customers to place an order on the end date")
        i = int(np.argmax(np.where(cand, od, np.iinfo(np.int64).min)))
        od[i], om[i] = cal.end_day, nm - 1

    # -- lines: categories, shrinking product lines, products
    n_lines = np.minimum(1 + rng.poisson(lam[oc]), 8)
    l_ord = np.repeat(np.arange(len(oc)), n_lines)
    l_c = oc[l_ord]
    u = rng.random(len(l_ord))
    cat = np.minimum((u[:, None] > cum_w[l_c]).sum(axis=1), _N_CAT - 1)
    q = cal.quarter[om[l_ord]]
    allowed = np.select([q == cal.q - 2, q == cal.q - 1, q >= cal.q], [4, 3, 2], _N_CAT)
    move = shrink_c[l_c] & (rank_of_cat[l_c, cat] >= allowed)
    new_rank = (rng.random(len(l_ord)) * allowed).astype(np.int64)
    cat = np.where(move, cat_by_rank[l_c, np.minimum(new_rank, _N_CAT - 1)], cat)
    u = rng.random(len(l_ord))
    prod = cat * _PER_CAT + np.minimum((u[:, None] > _POP_CUM[cat]).sum(axis=1), _PER_CAT - 1)
    # co-purchased pairs
    add_ord, add_prod = [l_ord], [prod]
    for a, bb in COPURCHASE_PAIRS:
        ia, ib = _PROD_IDS.index(a), _PROD_IDS.index(bb)
        hit = (prod == ia) & ~shrink_c[l_c] & (rng.random(len(prod)) < _ATTACH_P)
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
    order_noise = _lognormal_unit(rng, np.where(few[oc], 0.25, 0.6), len(oc))
    w_line = _lognormal_unit(rng, 0.5, len(prod))
    value = order_value[l_c] * order_noise[l_ord] * w_line / np.bincount(l_ord, w_line, minlength=len(oc))[l_ord]
    qty, rev, cost = _amounts(value, net, ucost)

    # -- returns: a separate one-line order, 3-30 days later, at the original unit price and cost
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

    # -- offers and responses (rounds: a customer's 1st, 2nd, 3rd offer)
    eligible = c["active"][s] & ~time_role & (n_ord > 0)
    offered = eligible & (rng.random(nb) < 0.09)
    n_off = np.where(offered, 1 + rng.binomial(2, 0.45, nb), 0)
    f_c = np.repeat(np.arange(nb), n_off)
    f_day = rng.integers(cal.start_day + 365, cal.end_day - 45 + 1, size=len(f_c))
    o = np.lexsort((f_day, f_c))
    f_c, f_day = f_c[o], f_day[o]
    first = np.r_[0, np.cumsum(n_off)[:-1]]
    f_round = np.arange(len(f_c)) - np.repeat(first, n_off)
    pop = _POP / _POP.reshape(_N_CAT, _PER_CAT).sum(axis=1).repeat(_PER_CAT) / _N_CAT
    f_prod = rng.choice(_N_PROD, size=len(f_c), p=pop / pop.sum())
    cum_ch = np.cumsum(np.asarray(_CHANNEL_P)[size[f_c]], axis=1)
    f_ch = np.minimum((rng.random(len(f_c))[:, None] > cum_ch).sum(axis=1), 2)
    remote = c["remote"][s]
    contact = np.array([380.0, 28.0, 1.5])[f_ch] * np.where(f_ch == 0, remote[f_c], 1.0) * _lognormal_unit(rng, 0.25, len(f_c))
    responded = np.zeros(len(f_c), dtype=bool)
    resp_rev = np.zeros(len(f_c))
    coef = RESPONSE_MODEL["coefficients"]
    for j in range(3):  # at most three offers per customer
        sel = np.flatnonzero(f_round == j)
        if len(sel) == 0:
            continue
        cust_all, day_all = np.concatenate(lines["cust"]), np.concatenate(lines["day"])
        pos = np.concatenate(lines["qty"]) > 0
        fcat = _PROD_CAT[f_prod[sel]]
        n_cat, fit = _window_categories(
            cust_all[pos], day_all[pos], _PROD_CAT[np.concatenate(lines["prod"])[pos]], f_c[sel], f_day[sel], fcat
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
        val = _lognormal_unit(rng, 0.5, len(sel))
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

    L = {name: np.concatenate(v) for name, v in lines.items()}
    o_cust, o_day = np.concatenate(o_cust), np.concatenate(o_day)
    rank = np.empty(n_orders, dtype=np.int64)
    rank[np.lexsort((np.arange(n_orders), o_day, o_cust))] = np.arange(n_orders)
    o = np.lexsort((L["prod"], rank[L["ord"]]))
    L = {name: v[o] for name, v in L.items()}
    L["rank"] = rank[L["ord"]]

    # -- service costs per customer and month (dense grid; rows kept where the customer bought, returned or was visited)
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
    visit_cost = np.round(visits * 400.0 * rem * _lognormal_unit(rng, 0.15, cells), 2)
    logistics = np.round((80.0 * n_orders_m + 0.035 * sales) * rem * c["logistics_mult"][s][cust_m] * _lognormal_unit(rng, 0.1, cells), 2)
    support = np.round(15.0 * n_lines_m + c["support_rate"][s][cust_m] * sales + 30.0 * n_ret_m, 2)
    discount = np.round(c["rebate"][s][cust_m] * sales, 2)
    cts = np.round(visit_cost + logistics + support + discount, 2)
    kept = (n_lines_m > 0) | (n_ret_m > 0) | (visits > 0)
    keys = np.flatnonzero(kept)

    # -- per-customer monthly aggregates (for planted.json and the checks)
    rev_m = np.bincount(key, L["rev"], minlength=cells).reshape(nb, nm)
    gp_m = rev_m - np.bincount(key, L["cost"], minlength=cells).reshape(nb, nm)
    cts_m = np.where(kept, cts, 0.0).reshape(nb, nm)
    ord_m = n_orders_m.reshape(nb, nm)
    qkey = L["cust"][pos] * cal.n_quarters + cal.quarter[month[pos]]
    bits = np.zeros(nb * cal.n_quarters, dtype=np.int64)
    np.bitwise_or.at(bits, qkey, np.left_shift(1, _PROD_CAT[L["prod"][pos]]).astype(np.int64))
    ncat_q = _POPCOUNT[bits].reshape(nb, cal.n_quarters)

    return {
        "lines": L,
        "n_orders": n_orders,
        "offers": {
            "cust": f_c,
            "day": f_day,
            "prod": f_prod,
            "channel": f_ch,
            "contact": np.round(contact, 2),
            "responded": responded,
            "resp_rev": resp_rev,
        },
        "costs": {
            "cust": keys // nm,
            "month": keys % nm,
            "cts": cts[keys],
            "visit": visit_cost[keys],
            "logistics": logistics[keys],
            "support": support[keys],
            "discount": discount[keys],
        },
        "agg": {"rev_m": rev_m, "gp_m": gp_m, "cts_m": cts_m, "ord_m": ord_m, "ncat_q": ncat_q},
    }


def _checks(agg: dict, cal: _Calendar) -> dict[int, np.ndarray]:
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
        _UNPROF: (net.sum(axis=1) < 0) & (net[:, in_q].sum(axis=1) < 0),
        _DECL: (rev_m[:, last3].mean(axis=1) < 0.5 * rev_m[:, base].mean(axis=1))
        & (ord_m[:, last3].sum(axis=1) < 0.6 * ord_m[:, base].sum(axis=1) / 4)
        & (slope < 0),
        _SHRINK: (ncat_q[:, lq] <= 2) & (ncat_q[:, lq - 6 : lq - 2].mean(axis=1) >= 4),
        _UP: (rev_prev > 0) & (rev_q >= 3 * rev_prev),
        _DOWN: (rev_prev > 0) & (rev_q < 0.3 * rev_prev),
        _LAPSED: (ord_m[:, cal.quarter >= lq - 1].sum(axis=1) == 0) & (ord_m.sum(axis=1) >= 6),
    }


# --------------------------------------------------------------------------- writing

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


def _block_tables(blk: dict, lo: int, hi: int, order_offset: int, offer_offset: int, cal: _Calendar) -> dict[str, pa.Table]:
    cid = _ids("C", np.arange(lo, hi) + 1, 7)
    prod_ids, cats = pa.array(_PROD_IDS), pa.array(list(CATEGORIES))
    L, F, K = blk["lines"], blk["offers"], blk["costs"]
    tx = pa.Table.from_arrays(
        [
            _ids("O", order_offset + L["rank"] + 1, 9),
            cid.take(L["cust"]),
            _date32(L["day"]),
            prod_ids.take(L["prod"]),
            cats.take(_PROD_CAT[L["prod"]]),
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
            pa.array(list(_CHANNELS)).take(F["channel"]),
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
    cal = _Calendar(d0, d1)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    c = _draw_customers(n, k, cal, seed)
    c["remote"] = np.array([_REMOTE.get(r, 1.0) for r in names])[c["region"]]
    in_q = cal.quarter == cal.q
    agg = {key: np.zeros(n) for key in ("rev", "gp", "cts", "rev_q", "gp_q", "cts_q", "rev_t12")}
    meets = np.zeros(n, dtype=bool)

    final = {t: out / f"{t}.parquet" for t in _TABLES} | {"planted": out / "planted.json"}
    tmp = {t: out / f".{p.name}.{os.getpid()}.tmp" for t, p in final.items()}
    writers: dict[str, pq.ParquetWriter] = {}
    rows = dict.fromkeys(_TABLES, 0)
    try:
        for t in _TABLES:
            writers[t] = pq.ParquetWriter(tmp[t], _SCHEMAS[t], compression="zstd")
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
            a = blk["agg"]
            s = slice(lo, hi)
            agg["rev"][s], agg["gp"][s], agg["cts"][s] = a["rev_m"].sum(axis=1), a["gp_m"].sum(axis=1), a["cts_m"].sum(axis=1)
            agg["rev_q"][s], agg["gp_q"][s], agg["cts_q"][s] = (
                a["rev_m"][:, in_q].sum(axis=1),
                a["gp_m"][:, in_q].sum(axis=1),
                a["cts_m"][:, in_q].sum(axis=1),
            )
            agg["rev_t12"][s] = a["rev_m"][:, cal.qe - 11 : cal.qe + 1].sum(axis=1)
            role_b = c["role"][s]
            for rl, ok in _checks(a, cal).items():
                meets[s] |= (role_b == rl) & ok
            buffered += hi - lo
            if buffered >= chunk or b == n_blocks - 1:
                for t, tabs in buf.items():
                    tab = pa.concat_tables(tabs)
                    writers[t].write_table(tab, row_group_size=max(1, tab.num_rows))
                    rows[t] += tab.num_rows
                    tabs.clear()
                buffered = 0

        planted = _finish_customers(c, names, agg, meets, cal, writers["customers"], chunk)
        rows["customers"] = n
        for w in writers.values():
            w.close()
        writers.clear()
        planted = {
            "generator": "custlib.io.sample.generate_sample",
            "seed": seed,
            "start": d0.isoformat(),
            "end": d1.isoformat(),
            "customers": n,
            "regions": names,
            "rows": rows,
        } | planted
        tmp["planted"].write_text(json.dumps(planted, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        for t, p in final.items():
            os.replace(tmp[t], p)
    except BaseException:
        for w in writers.values():
            try:
                w.close()
            except Exception:  # noqa: BLE001 - already failing; the temp file is removed next
                pass
        for p in tmp.values():
            p.unlink(missing_ok=True)
        raise
    return final


def _finish_customers(c, names, agg, meets, cal, writer, chunk) -> dict:
    """Write the customers table (wallet needs the realised revenue) and return planted.json's patterns."""
    n = len(c["role"])
    k = len(names)
    role, active = c["role"], c["active"]
    time_role = np.isin(role, _TIME_ROLES)
    wallet = np.where(active & ~time_role & (agg["rev_t12"] > 0), agg["rev_t12"] / np.where(active, c["share"], 1.0), c["wallet0"])
    wallet = _sig3(wallet)
    credit = np.where(active, _sig3(np.maximum(c["revenue"] * c["credit_u"], 1000.0)), np.nan)
    ids = _ids("C", np.arange(n) + 1, 7)
    region = pa.array(names).take(pa.array(c["region"]))
    industry = pa.array(list(INDUSTRIES)).take(pa.array(c["industry"]))
    size = pa.array(list(_SIZE_BANDS)).take(pa.array(c["size"]))
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
    pct = _percentile_in_group(agg["rev"], c["region"], k, has)
    q80 = np.array([np.quantile(margin[has & (c["region"] == r)], 0.8) if (has & (c["region"] == r)).any() else np.inf for r in range(k)])
    profit_ok = has & (margin >= q80[c["region"]]) & (pct >= 0.5) & (pct <= 0.95)
    meets = meets | ((role == _PROFIT) & profit_ok)

    def id_list(mask) -> list[str]:
        return ids.filter(pa.array(mask)).to_pylist()

    out: dict = {}
    for rl, key in _ROLE_KEYS.items():
        out[key] = id_list((role == rl) & meets)
    out["planted_generated"] = {key: int((role == rl).sum()) for rl, key in _ROLE_KEYS.items()}
    out["copurchase_pairs"] = [list(p) for p in COPURCHASE_PAIRS]
    out["copurchase_attach_probability"] = _ATTACH_P
    out["response_model"] = {
        "intercept": RESPONSE_MODEL["intercept"],
        "coefficients": dict(RESPONSE_MODEL["coefficients"]),
        "features": dict(_RESPONSE_FEATURES),
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
            for s, p, a, b in zip(_STAGES, _STAGE_P, _STAGE_LO, _STAGE_HI, strict=True)
        },
        "counts": {s: int((stage == i).sum()) for i, s in enumerate(_STAGES)},
    }
    out["lifecycle"] = {"new": id_list(c["new"]), "churned": id_list(c["churn"])}
    out["categories"] = list(CATEGORIES)
    out["products"] = [
        {"product_id": p[0], "name": p[1], "category": CATEGORIES[p[2]], "list_price": p[3], "unit_cost": float(u)}
        for p, u in zip(_PRODUCTS, _UNIT_COST, strict=True)
    ]
    out["latest_complete_quarter"] = cal.quarter_labels[cal.qe]
    return out
