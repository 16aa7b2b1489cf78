"""The data contract: which tables, which columns, which types.

Each input is a table with the columns below; extra columns are kept and
ignored. ``kind`` is one of ``id`` (text key), ``text``, ``date``,
``number``, ``bool`` or ``category`` (text restricted to ``allowed``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

MARKET_TYPES = ("consumer", "producer", "reseller", "government", "international")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool = True
    nullable: bool = False
    allowed: tuple[str, ...] | None = None
    min_value: float | None = None
    doc: str = ""
    default: object = None  # the value a missing optional column takes (None: NULL)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required: bool = True
    doc: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


CUSTOMERS = Table(
    "customers",
    (
        Column("customer_id", "id", doc="unique customer key"),
        Column("name", "text", doc="customer name (confidential)"),
        Column("region", "text", doc="sales region, e.g. East"),
        Column("industry", "text", nullable=True),
        Column("size_band", "text", nullable=True, doc="e.g. small / medium / large"),
        Column("market_type", "category", allowed=MARKET_TYPES),
        Column(
            "wallet_estimate",
            "number",
            required=False,
            nullable=True,
            min_value=0,
            doc="customer's yearly spend on our categories from all suppliers",
        ),
        Column("credit_limit", "number", required=False, nullable=True, min_value=0),
    ),
    key=("customer_id",),
    doc="one row per customer",
)

TRANSACTIONS = Table(
    "transactions",
    (
        Column("order_id", "id"),
        Column("customer_id", "id"),
        Column("order_date", "date"),
        Column("product_id", "id"),
        Column("category", "text"),
        Column("quantity", "number"),
        Column("revenue", "number", doc="net of discounts"),
        Column(
            "cost",
            "number",
            nullable=True,
            doc="cost of goods; empty only where the source mapping declares cost_known: false (a missing cost, never a zero)",
        ),
        Column(
            "is_credit_note", "bool", required=False, nullable=True, default=False, doc="the line belongs to a credit note, not an order"
        ),
        Column(
            "is_non_product",
            "bool",
            required=False,
            nullable=True,
            default=False,
            doc="postage, fees, manual adjustments: not a product sold",
        ),
    ),
    key=("order_id", "product_id"),
    doc="one row per order line",
)

OFFERS = Table(
    "offers",
    (
        Column("offer_id", "id"),
        Column("customer_id", "id"),
        Column("offer_date", "date"),
        Column("product_id", "id"),
        Column("channel", "text"),
        Column("contact_cost", "number", min_value=0),
        Column("responded", "bool"),
        Column("response_revenue", "number", nullable=True, min_value=0),
    ),
    key=("offer_id",),
    required=False,
    doc="past development campaigns: one row per offer made to a customer",
)

SERVICE_COSTS = Table(
    "service_costs",
    (
        Column("customer_id", "id"),
        Column("month", "date", doc="any date in the month; normalised to its first day"),
        Column("cost_to_serve", "number", min_value=0),
        Column("visit_cost", "number", required=False, nullable=True, min_value=0),
        Column("logistics_cost", "number", required=False, nullable=True, min_value=0),
        Column("support_cost", "number", required=False, nullable=True, min_value=0),
        Column("discount_cost", "number", required=False, nullable=True, min_value=0),
    ),
    key=("customer_id", "month"),
    required=False,
    doc="cost to serve per customer and month",
)

PRODUCTS = Table(
    "products",
    (
        Column("product_id", "id"),
        Column("name", "text", nullable=True),
        Column("category", "text", nullable=True),
    ),
    key=("product_id",),
    required=False,
    doc="one row per product, derived by a source mapping from the export's descriptions",
)

TABLES: dict[str, Table] = {t.name: t for t in (CUSTOMERS, TRANSACTIONS, OFFERS, SERVICE_COSTS)}
#: tables a source mapping may derive beside the contract's (not validated by ``check``; see custlib.io.mapping)
DERIVED_TABLES: dict[str, Table] = {"products": PRODUCTS}
SERVICE_COMPONENTS = ("visit_cost", "logistics_cost", "support_cost", "discount_cost")
