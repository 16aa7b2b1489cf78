"""The development report's tables: each analysis result under translated headers, codes as labels."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.analysis.development.pairs import one_direction
from custlib.present.costs import on_cost
from custlib.present.coverage import quarter_label
from custlib.present.development.labels import (
    CATEGORIES,
    CHANNELS,
    FEATURES,
    GROUPS,
    MODELS,
    READINGS,
    customer_columns,
    group_label,
    reading,
    top_rows,
    value_label,
    value_range,
)
from custlib.present.messages import N_
from custlib.present.products import product_labels
from custlib.present.tables import TableView

#: Why a development section is missing: the codes the analyses raise (custlib.analysis.development).
REASONS = {
    "table_missing": N_("The data has no {table} table."),
    "too_few_responders": N_("Past offers have {found} responders with a recorded purchase; the forecast needs at least {needed}."),
    "no_orders": N_("The region's customers have no orders up to the quarter's end."),
    "short_history": N_("It needs at least {needed} months of order history."),
    "revenue_repeats": N_("Revenue repeats exactly from year to year, so forecast errors cannot be scaled."),
    "too_few_offer_outcomes": N_(
        "Past offers have {responders} responders and {others} non-responders; the response model needs at least 10 of each."
    ),
    "separated_outcomes": N_("One feature separates responders from non-responders completely; the model needs more offers."),
    "no_active_customers": N_("No customer bought in the last quarters, so there is no level to compare lapsed customers with."),
}


def _settings(ctx, section: str) -> dict:
    return ((ctx.params or {}).get("development") or {}).get(section) or {}


def _without_service_costs(ctx) -> bool:
    """True when the report's data has no cost-to-serve table (profit is then gross profit)."""
    return ctx.data is not None and ctx.data.service_costs is None


@on_cost
def campaign_view(plan: pd.DataFrame, ctx) -> TableView:
    """:func:`~custlib.analysis.development.campaign_plan` per target group: rate, volume, provision cost, profit, ROI."""
    t, f = ctx.messages("development"), ctx.fmt
    frame = pd.DataFrame(
        {
            t.gettext("Target group"): [group_label(s, t) for s in plan["segment"]],
            t.gettext("Customers"): plan["customers"].astype("int64"),
            t.gettext("Past offers"): plan["offers"].astype("int64"),
            t.gettext("Response rate"): plan["response_rate"],
            t.gettext("Likely range"): value_range(plan["response_rate_low"], plan["response_rate_high"], t, f.percent),
            t.gettext("Purchase per responder"): plan["volume"],
            t.gettext("Cost per contact"): plan["cost_per_contact"],
            t.gettext("Profit per contact"): plan["profit_per_contact"],
            t.gettext("ROI"): plan["roi"],
            t.gettext("Rank"): plan["rank"],
            t.gettext("Customers to contact"): plan["contact_customers"].astype("int64"),
        }
    )
    kinds = {t.gettext(c): "money" for c in ("Purchase per responder", "Cost per contact", "Profit per contact")}
    kinds.update({t.gettext("Response rate"): "percent", t.gettext("ROI"): "percent", t.gettext("Rank"): "integer"})
    caption = None
    if _without_service_costs(ctx) and _settings(ctx, "campaign").get("serve_cost_per_order") is None:
        caption = t.gettext(
            "The data has no service costs: serving a responder's order costs nothing beyond the serve cost rate "
            "(set development.campaign.serve_cost_per_order to include it)."
        )
    return TableView(frame, kinds, caption)


def response_rates_view(rates: pd.DataFrame, ctx) -> TableView:
    """:func:`~custlib.analysis.development.response_rates`: offers, responders and the rate per customer group."""
    t, f = ctx.messages("development"), ctx.fmt
    frame = pd.DataFrame(
        {
            t.gettext("Customer group"): [group_label(g, t) for g in rates["group"]],
            t.gettext("Offers"): rates["offers"],
            t.gettext("Responders"): rates["responders"],
            t.gettext("Response rate"): rates["response_rate"],
            t.gettext("Likely range"): value_range(rates["rate_low"], rates["rate_high"], t, f.percent),
            t.gettext("Purchase per responder"): rates["avg_response_revenue"],
        }
    )
    caption = t.gettext("Past offers and responses by customer group")
    kinds = {t.gettext("Response rate"): "percent", t.gettext("Purchase per responder"): "money"}
    return TableView(frame, {**kinds, t.gettext("Offers"): "integer", t.gettext("Responders"): "integer"}, caption)


def feature_label(name: str, reference: dict, t) -> str:
    """``"size_band=large"`` -> "Size band: Large (against Small)"; a numeric feature from :data:`FEATURES`."""
    if "=" not in name:
        return value_label(name, FEATURES, t)
    col, level = name.split("=", 1)
    table = CHANNELS if col == "channel" else GROUPS
    feature, value = value_label(col, FEATURES, t), value_label(level, table, t)
    ref = reference.get(col)
    if ref is None:
        return t.gettext("{feature}: {value}", feature=feature, value=value)
    return t.gettext("{feature}: {value} (against {reference})", feature=feature, value=value, reference=value_label(ref, table, t))


def odds_ratios_view(model, ctx) -> TableView:
    """A fitted :class:`~custlib.analysis.development.ResponseModel`'s odds ratios, with how to read each."""
    t, f = ctx.messages("development"), ctx.fmt
    rows = model.odds_ratios_.loc[model.odds_ratios_["feature"] != "const"]
    reference = getattr(model, "reference_", {}) or {}
    p_values = ["–" if pd.isna(p) else ("< 0.001" if p < 0.001 else f.number(p, 3)) for p in rows["p_value"]]
    frame = pd.DataFrame(
        {
            t.gettext("Feature"): [feature_label(x, reference, t) for x in rows["feature"]],
            t.gettext("Odds ratio"): rows["odds_ratio"].to_numpy(),
            t.gettext("Likely range"): value_range(rows["or_low"], rows["or_high"], t, lambda v: f.number(v, 2)),
            t.gettext("p-value"): p_values,
            t.gettext("Reading"): [t.gettext(READINGS[reading(lo, hi)]) for lo, hi in zip(rows["or_low"], rows["or_high"], strict=True)],
        }
    )
    return TableView(frame, {t.gettext("Odds ratio"): "ratio", t.gettext("p-value"): "text"})


def scores_view(scores: pd.DataFrame, ctx) -> TableView:
    """:meth:`ResponseModel.score`: the customers most likely to respond, first ``report.top_n``."""
    t = ctx.messages("development")
    frame = pd.DataFrame(
        {t.gettext("Rank"): scores["rank"], **customer_columns(scores, t), t.gettext("Response probability"): scores["p_response"]}
    )
    frame, caption = top_rows(frame, ctx, "customers")
    return TableView(frame, {t.gettext("Response probability"): "percent", t.gettext("Rank"): "integer"}, caption)


def pairs_view(pairs: pd.DataFrame, ctx, item: str = "product") -> TableView:
    """:func:`~custlib.analysis.development.co_purchase`: each pair once, support, confidence and lift.

    Products by name where the data names them (else their id); categories by the catalogue's
    words for the sample's categories (:data:`~custlib.present.development.labels.CATEGORIES`),
    other values as the data spells them.
    """
    t = ctx.messages("development")
    one = one_direction(pairs)
    first = t.gettext("Product") if item == "product" else t.gettext("Category")
    if item == "product":
        label = lambda s: product_labels(s, ctx, t)  # noqa: E731 - names, not codes
    else:
        label = lambda s: s.map(lambda v: value_label(v, CATEGORIES, t))  # noqa: E731
    frame = pd.DataFrame(
        {
            first: label(one["antecedent"]),
            t.gettext("Goes with"): label(one["consequent"]),
            t.gettext("Orders with both"): one["n_both"],
            t.gettext("Support"): one["support"],
            t.gettext("Confidence"): one["confidence"],
            t.gettext("Lift"): one["lift"],
        }
    )
    frame, caption = top_rows(frame, ctx, "pairs")
    kinds = {t.gettext("Support"): "percent", t.gettext("Confidence"): "percent", t.gettext("Lift"): "ratio"}
    return TableView(frame, {**kinds, t.gettext("Orders with both"): "integer"}, caption)


def next_best_view(nbp: pd.DataFrame, ctx) -> TableView:
    """:func:`~custlib.analysis.development.next_best_product` per customer (products by name where the data names them)."""
    t = ctx.messages("development")
    frame = pd.DataFrame(
        {
            **customer_columns(nbp, t),
            t.gettext("Offer next"): product_labels(nbp["next_product"], ctx, t),
            t.gettext("Because they buy"): product_labels(nbp["because_of"], ctx, t),
            t.gettext("Lift"): nbp["lift"],
            t.gettext("Confidence"): nbp["confidence"],
        }
    )
    frame, caption = top_rows(frame, ctx, "customers")
    return TableView(frame, {t.gettext("Lift"): "ratio", t.gettext("Confidence"): "percent"}, caption)


def backtest_view(forecast, ctx) -> TableView:
    """A :class:`~custlib.analysis.development.RevenueForecast`'s backtest: MASE per model, the one shown ticked."""
    t = ctx.messages("development")
    bt = forecast.backtest
    frame = pd.DataFrame(
        {
            t.gettext("Model"): [value_label(m, MODELS, t) for m in bt["model"]],
            t.gettext("MASE"): bt["mase"],
            t.gettext("Relative MASE"): bt["relative_mase"],
            t.gettext("Backtest origins"): bt["origins"],
            t.gettext("Shown"): np.where(bt["chosen"], "✓", ""),
        }
    )
    return TableView(frame, {t.gettext("MASE"): "ratio", t.gettext("Relative MASE"): "ratio", t.gettext("Backtest origins"): "integer"})


def watch_view(watch: pd.DataFrame, ctx) -> TableView:
    """:func:`~custlib.analysis.development.early_warning`: the watch list, first ``report.top_n``."""
    t, f = ctx.messages("development"), ctx.fmt
    lines = [
        t.gettext("{before} → {recent}", before=f.integer(b), recent=f.integer(r))
        for b, r in zip(watch["lines_before"], watch["lines_recent"], strict=True)
    ]
    frame = pd.DataFrame(
        {
            t.gettext("Rank"): watch["rank"],
            **customer_columns(watch, t, ("name", "size_band")),
            t.gettext("Usual revenue per month"): watch["trailing_avg_revenue"],
            t.gettext("Recent revenue per month"): watch["recent_avg_revenue"],
            t.gettext("Months falling"): watch["months_declining"].astype("int64"),
            t.gettext("Product lines"): lines,
            t.gettext("Probability active"): watch["p_alive"],
            t.gettext("Chance of an order next quarter"): watch["p_order"] if "p_order" in watch else float("nan"),
        }
    )
    n = len(watch)
    caption = t.ngettext("{n} customer on the watch list", "{n} customers on the watch list", n, n=f.integer(n))
    used, asked = watch.attrs.get("windows") or {}, _settings(ctx, "early_warning")
    if used.get("trailing_months", 0) < asked.get("trailing_months", 0):
        short = t.gettext(
            "The order history is short: usual revenue is the average of {used} months instead of {asked}, "
            "and a customer needs {orders} orders in them.",
            used=f.integer(used["trailing_months"]),
            asked=f.integer(asked["trailing_months"]),
            orders=f.integer(used.get("min_trailing_orders", 0)),
        )
        caption = t.gettext("{caption}. {note}", caption=caption, note=short)
    frame, caption = top_rows(frame, ctx, "customers", caption)
    caption = _blank_probability_note(frame, caption, t)
    kinds = {t.gettext("Usual revenue per month"): "money", t.gettext("Recent revenue per month"): "money"}
    kinds |= {t.gettext("Probability active"): "percent", t.gettext("Chance of an order next quarter"): "percent"}
    return TableView(frame, {**kinds, t.gettext("Rank"): "integer"}, caption)


def _blank_probability_note(frame: pd.DataFrame, caption: str | None, t) -> str | None:
    """``caption`` plus why probability active is blank, when a shown row has no probability active but a chance of an order."""
    alive, order = frame[t.gettext("Probability active")], frame[t.gettext("Chance of an order next quarter")]
    if not (alive.isna() & order.notna()).any():
        return caption
    note = t.gettext(
        "Probability active is blank where the purchase model (BG/NBD) cannot tell: it lets a customer stop only after "
        "a repeat purchase, so it rates every customer who has bought on one day only 100% active, however long ago. "
        "The chance of an order next quarter is the model's outlook for every customer."
    )
    return note if caption is None else t.gettext("{caption}. {note}", caption=caption, note=note)


@on_cost
def kpis_view(kpis: pd.DataFrame, ctx) -> TableView:
    """:func:`~custlib.analysis.development.development_kpis` per quarter."""
    t = ctx.messages("development")
    money = {
        "existing_revenue": N_("Existing customers' revenue"),
        "existing_profit": N_("Existing customers' profit"),
        "new_profit": N_("New customers' profit"),
        "development_gain": N_("Profit change of the customers of a year earlier"),
        "acquisition_gain": N_("Profit added by the customers won in the year"),
    }
    pct = {
        "existing_revenue_qoq_pct": N_("Change on the previous quarter"),
        "existing_revenue_yoy_pct": N_("Change on a year earlier"),
        "existing_share_revenue": N_("Share of revenue"),
    }
    order = ["existing_revenue", "existing_revenue_qoq_pct", "existing_revenue_yoy_pct", "existing_share_revenue", "existing_profit"]
    order += ["new_customers", "new_profit", "development_gain", "acquired_customers", "acquisition_gain"]
    headers = {**money, **pct, "new_customers": N_("New customers"), "acquired_customers": N_("Customers won in the year")}
    quarters = [quarter_label(ctx, q) for q in kpis["quarter"].astype("str")]  # "2010Q4 (partial)" where the data covers part of it
    frame = pd.DataFrame({t.gettext("Quarter"): quarters, **{t.gettext(headers[c]): kpis[c].to_numpy() for c in order}})
    kinds = {t.gettext(m): "money" for m in money.values()} | {t.gettext(m): "percent" for m in pct.values()}
    caption = (
        t.gettext("The data has no service costs: profit is gross profit, before the cost to serve.")
        if _without_service_costs(ctx)
        else None
    )
    return TableView(frame, {**kinds, t.gettext("New customers"): "integer", t.gettext("Customers won in the year"): "integer"}, caption)


@on_cost
def winback_view(winback: pd.DataFrame, ctx) -> TableView:
    """:func:`~custlib.analysis.development.winback_candidates`: lapsed customers worth a call, first ``report.top_n``."""
    t = ctx.messages("development")
    frame = pd.DataFrame(
        {
            t.gettext("Rank"): winback["rank"],
            **customer_columns(winback, t, ("name", "size_band")),
            t.gettext("Last order"): winback["last_order_date"],
            t.gettext("Revenue in their last active year"): winback["past_revenue"],
            t.gettext("Profit in their last active year"): winback["past_profit"],
            t.gettext("Orders"): winback["orders"],
            t.gettext("Probability active"): winback["p_alive"],
            t.gettext("Chance of an order next quarter"): winback["p_order"] if "p_order" in winback else float("nan"),
        }
    )
    frame, caption = top_rows(frame, ctx, "customers")
    caption = _blank_probability_note(frame, caption, t)
    kinds = {t.gettext("Revenue in their last active year"): "money", t.gettext("Profit in their last active year"): "money"}
    kinds.update({t.gettext("Last order"): "date", t.gettext("Orders"): "integer", t.gettext("Rank"): "integer"})
    kinds |= {t.gettext("Probability active"): "percent", t.gettext("Chance of an order next quarter"): "percent"}
    return TableView(frame, kinds, caption)
