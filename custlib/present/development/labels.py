"""The development report's labels: codes of the analyses -> marked messages, and shared view helpers."""

from __future__ import annotations

import pandas as pd

from custlib.present.messages import N_

#: Values of the customers' size band and market type (segment parts), and the pooled group of past offers.
GROUPS = {
    "small": N_("Small"),
    "medium": N_("Medium"),
    "large": N_("Large"),
    "unknown": N_("Unknown"),
    "all offers": N_("All offers"),
    "consumer": N_("Consumer market"),
    "producer": N_("Producer market"),
    "reseller": N_("Reseller market"),
    "government": N_("Government market"),
    "international": N_("International market"),
}
CHANNELS = {"email": N_("Email"), "phone": N_("Phone"), "visit": N_("Visit"), "unknown": N_("Unknown")}
#: Product categories of the sample data (a data value: a category not listed is shown as the data spells it).
CATEGORIES = {
    "Fasteners": N_("Fasteners"),
    "Bearings": N_("Bearings"),
    "Hydraulics": N_("Hydraulics"),
    "Pneumatics": N_("Pneumatics"),
    "Power transmission": N_("Power transmission"),
    "Electrical": N_("Electrical"),
    "Tools": N_("Tools"),
    "Safety": N_("Safety"),
}
MODELS = {"seasonal_naive": N_("Seasonal naive"), "ets": N_("ETS"), "sarimax": N_("SARIMAX")}
FEATURES = {
    "const": N_("Intercept"),
    "tenure_years": N_("Years as a customer"),
    "orders_12m": N_("Orders in the last 12 months"),
    "log_revenue_12m": N_("Revenue in the last 12 months (log scale)"),
    "categories_12m": N_("Categories bought in the last 12 months"),
    "months_since_last_order": N_("Months since the last order"),
    "category_fit": N_("Offer in a category the customer buys"),
    "size_band": N_("Size band"),
    "market_type": N_("Market type"),
    "channel": N_("Channel"),
}
#: How an odds ratio's interval reads: above 1, below 1, or spanning 1 (or unknown).
READINGS = {"more": N_("More likely to respond"), "less": N_("Less likely to respond"), "unclear": N_("Not conclusive")}
#: The customers' descriptive columns a list may carry, with their headers.
INFO = {"name": N_("Name"), "size_band": N_("Size band"), "market_type": N_("Market type")}


def group_label(code, t) -> str:
    """``"medium / producer"`` -> each part from :data:`GROUPS` (other values are data, as the catalogue spells them)."""
    parts = str(code).split(" / ")
    return " / ".join(t.gettext(GROUPS[p]) if p in GROUPS else t.data(p, "segment") for p in parts)


def value_label(code, table: dict, t) -> str:
    """A code from ``table`` in words; a value not in it is data (``t.data``)."""
    return t.gettext(table[code]) if code in table else t.data(code)


def value_range(low, high, t, fmt) -> list[str]:
    """``0.46, 0.74`` -> ``"46.3% – 73.6%"`` per element with ``fmt`` (a Formatter method); ``–`` when missing."""
    return [
        "–" if pd.isna(a) or pd.isna(b) else t.gettext("{low} – {high}", low=fmt(a), high=fmt(b)) for a, b in zip(low, high, strict=True)
    ]


def reading(low, high) -> str:
    """The :data:`READINGS` code of an odds-ratio interval."""
    if pd.isna(low) or pd.isna(high):
        return "unclear"
    return "more" if low > 1 else ("less" if high < 1 else "unclear")


def customer_columns(df: pd.DataFrame, t, info=("name", "size_band", "market_type")) -> dict:
    """The customer id and the descriptive columns present, under translated headers (size band values labelled)."""
    out = {t.gettext("Customer"): df["customer_id"]}
    for col in info:
        if col in df.columns:
            values = df[col].map(lambda v: value_label(v, GROUPS, t)) if col in ("size_band", "market_type") else df[col].map(t.data)
            out[t.gettext(INFO[col])] = values
    return out


def top_rows(frame: pd.DataFrame, ctx, what: str = "rows", caption: str | None = None) -> tuple[pd.DataFrame, str | None]:
    """The first ``report.top_n`` rows of ``frame`` and a caption saying so when rows were cut."""
    n = int((ctx.params.get("report") or {}).get("top_n", 15))
    if len(frame) <= n:
        return frame, caption
    t, total = ctx.messages("development"), ctx.fmt.integer(len(frame))
    if what == "pairs":
        cut = t.ngettext("The first {n} of {total} pairs", "The first {n} of {total} pairs", n, n=ctx.fmt.integer(n), total=total)
    elif what == "customers":
        cut = t.ngettext("The first {n} of {total} customers", "The first {n} of {total} customers", n, n=ctx.fmt.integer(n), total=total)
    else:
        cut = t.ngettext("The first {n} of {total} rows", "The first {n} of {total} rows", n, n=ctx.fmt.integer(n), total=total)
    if caption:
        cut = t.gettext("{caption} ({cut})", caption=caption, cut=cut)
    return frame.head(n), cut
