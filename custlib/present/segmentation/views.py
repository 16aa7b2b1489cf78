"""The segmentation tables as a reader sees them: translated headers, labelled codes, each column's kind.

Every view is ``xxx_view(result, ctx, **options) -> TableView`` over what the
matching analysis of :mod:`custlib.analysis.segmentation` returned.
"""

from __future__ import annotations

import pandas as pd

import custlib.present.segmentation.labels as L
from custlib.analysis.segmentation import NONE_LABEL, migration_counts
from custlib.present.costs import on_cost
from custlib.present.messages import N_, domain_of
from custlib.present.tables import TableView

DOMAIN = domain_of(__file__)

#: Why a segmentation section is missing, by the reason code its analysis raised.
REASONS = {
    "too_few_buyers": N_("It needs at least {needed} customers who have ordered; the region has {found}."),
    "too_few_window_buyers": N_("It needs at least {needed} customers with orders in the window; the region has {found}."),
    "no_positive_value": N_("No customer has a positive amount to rank by."),
    "all_values_equal": N_("All {found} customers have the same value, so scores would be arbitrary."),
    "all_scores_equal": N_("All {found} customers have the same score; the indicators do not separate them."),
    "no_indicator_data": N_("None of the chosen indicators has data in this region."),
    "clusters_too_alike": N_("Clusters need at least 3 customers who buy in at least 2 different ways."),
    "too_few_for_clusters": N_("{found} customers are too few for {k} or more groups."),
    "clusters_not_separated": N_("No number of groups in the range splits the customers into 2 or more groups."),
    "history_shorter_than_tenure": N_(
        "The data covers {history_days} days of orders, shorter than the {min_tenure_days} days a customer must have "
        "bought for to count as loyal (parameter segmentation.loyalty.min_tenure_days), so loyalty cannot be judged yet."
    ),
    "no_wallet_estimate": N_(
        "The customers table has no wallet estimate (each customer's yearly spend on our categories from all suppliers), "
        "so share of wallet cannot be measured."
    ),
}


def _t(ctx):
    return ctx.messages(DOMAIN)


def _labels(values: pd.Series | pd.Index, table: dict, t) -> list:
    return [t.gettext(L.NONE) if v == NONE_LABEL else t.label(v, table) for v in values]


def _shares(frame: pd.DataFrame) -> pd.DataFrame:
    """Shares that round to 0.0% shown as 0.0% rather than -0.0%."""
    out = frame.copy()
    for c in ("customer_share", "revenue_share", "value_share"):
        if c in out.columns:
            out[c] = out[c].where(out[c].abs() >= 5e-4, 0.0).where(out[c].notna())
    return out


@on_cost
def abc_view(abc: pd.DataFrame, ctx, **options) -> TableView:
    """ABC classes per measure (:func:`~custlib.analysis.segmentation.abc_summary`)."""
    t = _t(ctx)
    df = _shares(abc)
    first = ~df["measure"].duplicated()
    h = {
        "measure": t.gettext("Measure"),
        "class": t.gettext("Class"),
        "customers": t.gettext("Customers"),
        "customer_share": t.gettext("Share of customers"),
        "value": t.gettext("Amount"),
        "value_share": t.gettext("Share of amount"),
    }
    out = pd.DataFrame(
        {
            h["measure"]: [t.label(m, L.MEASURES) if f else "" for m, f in zip(df["measure"], first, strict=True)],
            h["class"]: df["class"].astype("str").to_numpy(),
            h["customers"]: df["customers"].astype("int64").to_numpy(),
            h["customer_share"]: df["customer_share"].to_numpy(),
            h["value"]: df["value"].to_numpy(),
            h["value_share"]: df["value_share"].to_numpy(),
        }
    )
    kinds = {h["measure"]: "text", h["class"]: "text", h["customers"]: "integer", h["customer_share"]: "percent"}
    kinds |= {h["value"]: "money", h["value_share"]: "percent"}
    return TableView(out, kinds, t.gettext("ABC classes on revenue, gross profit and net profit after cost to serve"))


def _summary_view(summary: pd.DataFrame, t, table: dict, first: str, caption: str, extra: dict | None = None) -> TableView:
    """A per-class summary (customers, shares, money) with the class codes labelled."""
    df = _shares(summary)
    cols = {
        "customers": (t.gettext("Customers"), "integer"),
        "customer_share": (t.gettext("Share of customers"), "percent"),
        "revenue": (t.gettext("Revenue"), "money"),
        "revenue_share": (t.gettext("Share of revenue"), "percent"),
        "gross_profit": (t.gettext("Gross profit"), "money"),
        "net_profit": (t.gettext("Net profit"), "money"),
        "margin": (t.gettext("Margin"), "percent"),
        **(extra or {}),
    }
    out = pd.DataFrame({first: _labels(df.index, table, t)})
    kinds = {first: "text"}
    for col, (head, kind) in cols.items():
        if col in df.columns and df[col].notna().any():
            out[head] = df[col].to_numpy()
            kinds[head] = kind
    return TableView(out, kinds, caption)


@on_cost
def rfm_view(summary: pd.DataFrame, ctx, **options) -> TableView:
    """RFM segments (:func:`~custlib.analysis.segmentation.segment_summary`)."""
    t = _t(ctx)
    extra = {
        "recency_days": (t.gettext("Mean days since last order"), "number"),
        "frequency": (t.gettext("Mean orders"), "number"),
    }
    caption = t.gettext("RFM segments: customers, revenue and mean recency and frequency")
    return _summary_view(summary, t, L.SEGMENTS, t.gettext("RFM segment"), caption, extra)


def rfm_grid_view(grid: pd.DataFrame, ctx, **options) -> TableView:
    """How recency and frequency scores make a segment (:func:`~custlib.analysis.segmentation.segment_grid`).

    Rows are the recency score R (5 = ordered most recently), columns the frequency score F
    (5 = ordered most often); the caption says who is scored and how ties are kept.
    """
    t = _t(ctx)
    corner = t.gettext("Recency score \\ frequency score")
    out = pd.DataFrame({corner: [f"R{r}" for r in grid.index]})
    for f in grid.columns:
        out[f"F{f}"] = _labels(grid[f], L.SEGMENTS, t)
    caption = t.gettext(
        "How the scores make a segment. Only customers with orders in the window are scored, against each other: "
        "R5 is the fifth who ordered most recently and F5 the fifth with the most orders; customers with equal values "
        "share a score, so a score can be empty. Customers who ordered before but not in the window get no score: "
        "they are counted under {none}, never as buyers.",
        none=t.label("no orders in window", L.SEGMENTS),
    )
    return TableView(out, {c: "text" for c in out.columns}, caption)


@on_cost
def loyalty_view(summary: pd.DataFrame, ctx, **options) -> TableView:
    """Loyalty classes (:func:`~custlib.analysis.segmentation.class_summary` of the loyalty codes)."""
    t = _t(ctx)
    return _summary_view(summary, t, L.LOYALTY, t.gettext("Loyalty"), t.gettext("Loyalty classes"))


@on_cost
def relationship_view(summary: pd.DataFrame, ctx, **options) -> TableView:
    """Relationship stages by share of wallet (class summary of the stage codes)."""
    t = _t(ctx)
    return _summary_view(summary, t, L.STAGES, t.gettext("Relationship stage"), t.gettext("Relationship stages by share of wallet"))


@on_cost
def scorecard_view(summary: pd.DataFrame, ctx, **options) -> TableView:
    """Scorecard quadrants (class summary of the quadrant codes)."""
    t = _t(ctx)
    return _summary_view(summary, t, L.QUADRANTS, t.gettext("Quadrant"), t.gettext("Value scorecard quadrants"))


@on_cost
def pyramid_view(summary: pd.DataFrame, ctx, **options) -> TableView:
    """Value tiers (:func:`~custlib.analysis.segmentation.pyramid_summary`)."""
    t = _t(ctx)
    extra = {"mean_score": (t.gettext("Mean score"), "ratio")}
    return _summary_view(summary, t, L.TIERS, t.gettext("Tier"), t.gettext("Customers by value tier"), extra)


@on_cost
def market_type_view(breakdown: pd.DataFrame, ctx, **options) -> TableView:
    """Market types (:func:`~custlib.analysis.segmentation.market_type_breakdown`)."""
    t = _t(ctx)
    extra = {
        "buyers": (t.gettext("Buying customers"), "integer"),
        "revenue_per_buyer": (t.gettext("Revenue per buying customer"), "money"),
    }
    return _summary_view(breakdown, t, L.MARKET_TYPES, t.gettext("Market type"), t.gettext("Market types"), extra)


@on_cost
def clusters_view(profiles: pd.DataFrame, ctx, **options) -> TableView:
    """Cluster profiles (``CustomerClusters.profiles_``): traits in words, then the features' means."""
    t = _t(ctx)
    desc_head, n_head, share_head = t.gettext("Description"), t.gettext("Customers"), t.gettext("Share of customers")
    out = pd.DataFrame({t.gettext("Cluster"): [str(c) for c in profiles.index]})
    out[desc_head] = [cluster_words(traits, t) for traits in profiles["traits"]]
    out[n_head] = profiles["customers"].astype("int64").to_numpy()
    out[share_head] = profiles["customer_share"].to_numpy()
    kinds = {desc_head: "text", n_head: "integer", share_head: "percent"}
    money, pct = ("revenue", "avg_order_value", "gross_profit"), ("margin", "category_share", "growth")
    for col in profiles.columns:
        if col in ("customers", "customer_share", "description", "traits"):
            continue
        head = t.gettext("Mean: {measure}", measure=t.label(col, L.MEASURES))
        out[head] = profiles[col].to_numpy()
        kinds[head] = "money" if col in money else ("percent" if col in pct else "number")
    return TableView(out, kinds, t.gettext("Clusters: what the customers in each group have in common"))


def cluster_words(traits, t) -> str:
    """A cluster's traits as a reader's phrase ("large, frequent, broad buyers")."""
    words = []
    for trait in traits:
        msg = L.CLUSTER_TRAITS.get(tuple(trait))
        word = t.gettext(msg) if msg else str(trait[0])
        if word not in words:
            words.append(word)
    if not words:
        return t.gettext("average buyers")
    return t.gettext("{traits} buyers", traits=t.gettext(", ").join(words))


def migration_view(matrix: pd.DataFrame, ctx, *, classes: str = "segment", revenue: bool = False, **options) -> TableView:
    """A migration matrix (:func:`~custlib.analysis.segmentation.transition_matrix`): last quarter in rows.

    ``classes`` is ``segment``, ``tier``, ``abc`` or ``stage`` (how the codes are labelled);
    with ``revenue`` the cells are money. Empty cells are blank.
    """
    t = _t(ctx)
    table = L.CLASS_LABELS.get(classes, {})
    corner = t.gettext("Last quarter \\ this quarter")
    out = pd.DataFrame(matrix.astype("float64").where(matrix != 0).to_numpy(), columns=_labels(matrix.columns, table, t))
    out.insert(0, corner, _labels(matrix.index, table, t))
    kind = "money" if revenue else "integer"
    kinds = {corner: "text", **{c: kind for c in out.columns[1:]}}
    # the caption of a count matrix says what it shows, read off the same cells (above the diagonal = moved down)
    caption = t.gettext("Revenue of customers moving between classes") if revenue else migration_sentence(migration_counts(matrix), ctx)
    return TableView(out, kinds, caption)


def _customer_list(columns: dict, df: pd.DataFrame, t, caption: str) -> TableView:
    """A list of customers: id and name (data, untranslated), then ``columns`` = head -> (values, kind)."""
    id_head, name_head = t.gettext("Customer"), t.gettext("Name")
    out = pd.DataFrame({id_head: df.index.astype("str")})
    kinds = {id_head: "text"}
    if "name" in df.columns:
        out[name_head] = df["name"].astype("str").to_numpy()
        kinds[name_head] = "text"
    for head, (values, kind) in columns.items():
        if values is not None and pd.Series(values).notna().any():
            out[head] = pd.Series(values).to_numpy()
            kinds[head] = kind
    return TableView(out, kinds, caption)


def _change(now: pd.Series, before: pd.Series) -> pd.Series:
    return (now / before - 1.0).where(before > 0)


def moved_down_view(moved: pd.DataFrame, ctx, *, window_months: int = 12, **options) -> TableView:
    """Valuable customers who moved down a tier (``moved_down`` joined with names)."""
    t = _t(ctx)
    cols = {
        t.gettext("Tier last quarter"): ([t.label(v, L.TIERS) for v in moved["previous_tier"]], "text"),
        t.gettext("Tier now"): ([t.label(v, L.TIERS) for v in moved["tier"]], "text"),
        t.gettext("Revenue, {months} months to last quarter", months=window_months): (moved["revenue_prior_quarter"], "money"),
        t.gettext("Revenue, {months} months to now", months=window_months): (moved["revenue"], "money"),
        t.gettext("Change"): (moved["revenue_change"], "money"),
        t.gettext("Days since last order"): (moved["recency_days"], "integer"),
    }
    return _customer_list(cols, moved, t, t.gettext("Valuable customers who moved down a tier"))


def to_grow_view(grow: pd.DataFrame, ctx, *, window_months: int = 12, **options) -> TableView:
    """Customers to grow (:func:`~custlib.analysis.segmentation.customers_to_grow`)."""
    t = _t(ctx)
    cols = {
        t.gettext("Market type"): ([t.label(v, L.MARKET_TYPES) for v in grow["market_type"]], "text"),
        t.gettext("Revenue, last {months} months", months=window_months): (grow["revenue"], "money"),
        t.gettext("Change vs previous {months} months", months=window_months): (_change(grow["revenue"], grow["revenue_prior"]), "percent"),
        t.gettext("Share of wallet"): (grow.get("share_of_wallet"), "percent"),
        t.gettext("Wallet headroom"): (grow.get("wallet_headroom"), "money"),
        t.gettext("Share of categories bought"): (grow.get("category_share"), "percent"),
    }
    return _customer_list(cols, grow, t, t.gettext("Customers to grow"))


def at_risk_view(risk: pd.DataFrame, ctx, *, window_months: int = 12, top: int | None = None, **options) -> TableView:
    """Valuable customers at risk (:func:`~custlib.analysis.segmentation.valuable_at_risk`), the first ``top`` of them."""
    t = _t(ctx)
    risk = risk.head(top) if top else risk
    cols = {
        t.gettext("Tier"): ([t.label(v, L.TIERS) for v in risk["tier"]], "text"),
        t.gettext("ABC class"): (risk["abc"].astype("object") if "abc" in risk else None, "text"),
        t.gettext("RFM segment"): ([t.label(v, L.SEGMENTS) for v in risk["segment"]], "text"),
        t.gettext("Revenue, last {months} months", months=window_months): (risk["revenue"], "money"),
        t.gettext("Change vs previous {months} months", months=window_months): (_change(risk["revenue"], risk["revenue_prior"]), "percent"),
        t.gettext("Last order"): (risk["last_order"], "date"),
    }
    return _customer_list(cols, risk, t, t.gettext("Valuable customers at risk"))


def migration_sentence(counts: pd.Series, ctx) -> str:
    """What a migration matrix says, in one sentence, from :func:`~custlib.analysis.segmentation.migration_counts`.

    The counts are read off the matrix (rows last quarter, classes best first): above
    the diagonal moved down, below it moved up, so the sentence and the table agree.
    """
    t, f = _t(ctx), ctx.fmt
    return t.gettext(
        "Since last quarter {up} moved up (below the diagonal), {down} moved down (above the diagonal) and {same} stayed; "
        "{new} are new and {gone} have no class now.",
        up=f.integer(counts.get("moved_up", 0)),
        down=f.integer(counts.get("moved_down", 0)),
        same=f.integer(counts.get("stayed", 0)),
        new=f.integer(counts.get("new", 0)),
        gone=f.integer(counts.get("gone", 0)),
    )
