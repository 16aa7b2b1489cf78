"""The fixed world of the sample data: regions, products, industries, markets, seasonality, planted-pattern plans.

The constants :mod:`custlib.io.sample` draws from (its module docstring says
how each is used). Role codes name the disjoint planted groups; each role's
plan gives the percentiles of expected revenue it is drawn from, its share of
a region's customers and its minimum monthly order rate.
"""

from __future__ import annotations

import numpy as np

from custlib.exceptions import ParamsError

_REGION_NAMES = ("North", "East", "South", "Southwest", "Central", "Northeast", "Northwest", "Southeast")
REGION_WEIGHTS = (0.18, 0.24, 0.20, 0.12, 0.15, 0.11, 0.08, 0.08)
REMOTE = {"Southwest": 1.25, "Northeast": 1.30, "Northwest": 1.35}

CATEGORIES = ("Fasteners", "Bearings", "Hydraulics", "Pneumatics", "Power transmission", "Electrical", "Tools", "Safety")

# product_id, name, category index, list price, gross margin at list price, popularity within category
PRODUCTS = (
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
N_PROD = len(PRODUCTS)
N_CAT = len(CATEGORIES)
PER_CAT = N_PROD // N_CAT
PROD_IDS = [p[0] for p in PRODUCTS]
PROD_CAT = np.array([p[2] for p in PRODUCTS])
LIST_PRICE = np.array([p[3] for p in PRODUCTS])
UNIT_COST = np.round(LIST_PRICE * (1 - np.array([p[4] for p in PRODUCTS])), 2)
POP = np.array([p[5] for p in PRODUCTS], dtype=float)
POP_CUM = np.cumsum(POP.reshape(N_CAT, PER_CAT), axis=1)
POP_CUM = POP_CUM / POP_CUM[:, -1:]

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
INDUSTRY_WEIGHTS = (0.16, 0.12, 0.13, 0.10, 0.07, 0.08, 0.06, 0.04, 0.05, 0.07, 0.07, 0.05)
# the three categories each industry uses most (indices into CATEGORIES)
INDUSTRY_AFFINITY = (
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
HIGH_MARGIN_CATS = (0, 5, 6, 7)

MARKET_WEIGHTS = (0.10, 0.28, 0.42, 0.10, 0.10)  # order of contract.MARKET_TYPES
MARKET_FREQ = (0.7, 1.0, 1.5, 0.5, 0.6)
SIZE_BANDS = ("small", "medium", "large")

SEASONALITY = (0.95, 0.62, 1.05, 1.00, 1.00, 1.05, 0.93, 0.90, 1.04, 1.02, 1.14, 1.30)
"""Monthly multiplicative factors, January first, mean 1 (February: Chinese New Year; Q4 peak)."""
TREND_PER_YEAR = 0.04

COPURCHASE_PAIRS = (("P011", "P014"), ("P023", "P024"), ("P031", "P033"), ("P035", "P038"))
ATTACH_P = 0.6

RESPONSE_MODEL = {
    "intercept": -2.5,
    "coefficients": {"size_large": 0.8, "n_categories_12m": 0.3, "category_fit": 1.0, "channel_visit": 1.2, "channel_phone": 0.5},
}
RESPONSE_FEATURES = {
    "size_large": "1 if the customer's size_band is 'large', else 0",
    "n_categories_12m": "number of distinct categories in the customer's transactions with quantity > 0 and offer_date - 365 days <= order_date < offer_date",
    "category_fit": "1 if the offered product's category is among those categories (same window, quantity > 0), else 0",
    "channel_visit": "1 if channel == 'visit', else 0",
    "channel_phone": "1 if channel == 'phone', else 0 (email is the baseline)",
}
CHANNELS = ("visit", "phone", "email")
CHANNEL_P = ((0.10, 0.40, 0.50), (0.30, 0.40, 0.30), (0.50, 0.30, 0.20))  # by size band

STAGES = ("development", "initial", "stable", "strategic")
STAGE_P = (0.02, 0.40, 0.40, 0.18)
STAGE_LO = np.array([0.0, 0.03, 0.24, 0.66])
STAGE_HI = np.array([0.0, 0.17, 0.55, 0.92])

# roles (disjoint planted groups); profile = time profile of the order rate
ROLE_NORMAL, ROLE_UNPROF, ROLE_PROFIT, ROLE_LAPSED, ROLE_DECL, ROLE_SHRINK, ROLE_UP, ROLE_DOWN = range(8)
ROLE_KEYS = {
    ROLE_UNPROF: "unprofitable_large",
    ROLE_PROFIT: "profit_customers",
    ROLE_LAPSED: "lapsed",
    ROLE_DECL: "decliners",
    ROLE_SHRINK: "shrinking_lines",
    ROLE_UP: "migrations_up",
    ROLE_DOWN: "migrations_down",
}
TIME_ROLES = (ROLE_LAPSED, ROLE_DECL, ROLE_SHRINK, ROLE_UP, ROLE_DOWN)
# role: (low percentile, high percentile, share of region's customers, minimum order rate per month)
ROLE_PLAN = (
    (ROLE_UNPROF, 0.95, 1.01, None, 1.0),
    (ROLE_PROFIT, 0.55, 0.85, 0.03, 0.5),
    (ROLE_LAPSED, 0.60, 0.95, 0.025, 0.8),
    (ROLE_DOWN, 0.60, 0.95, 0.03, 2.0),
    (ROLE_SHRINK, 0.40, 0.95, 0.03, 1.6),
    (ROLE_DECL, 0.35, 0.90, 0.03, 2.5),
    (ROLE_UP, 0.30, 0.80, 0.03, 1.0),
)
FEW_LINES_ROLES = (ROLE_LAPSED, ROLE_DOWN, ROLE_DECL, ROLE_UP)  # frequent small orders: 1 + Poisson(0.3) lines
REGULAR_ROLES = (ROLE_UNPROF, ROLE_LAPSED, ROLE_DOWN, ROLE_SHRINK, ROLE_DECL, ROLE_UP)  # order on a schedule, not at Poisson times
DECAY, UP_MULT, DOWN_MULT = 0.75, 8.0, 0.03


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
