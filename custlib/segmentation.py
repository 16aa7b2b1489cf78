# ruff: noqa: F401, I001  (transition: re-exports custlib.analysis.segmentation until this module is deleted)
"""Customer segmentation: ABC, RFM, value pyramids, scorecard, clusters, loyalty,
relationship stage, market type and migration between quarters.

Everything here is a pure function over DataFrames (or a scikit-learn style
model); the report notebook ``01_segment_customers`` calls
:func:`segment_region` once and shows one table or chart per section.

The per-customer measures all analyses share come from
:func:`customer_features`: one row per customer of the region, measured at a
quarter's end over a trailing window of ``window_months`` months (12 by
default, so seasonality does not move customers between classes).

What a manager reads is prepared at the end: :meth:`SegmentationReport.view`
(headers in words, no scores in customer lists), :func:`headline_figures`
(the executive summary) and the Chinese catalogue this module registers with
:func:`custlib.present.i18n.register` when imported (that only fills the catalogue).

Sources
-------
- ABC / Pareto classes: Dickie, H. F. (1951) "ABC inventory analysis shoots
  for dollars, not pennies", Factory Management and Maintenance 109(7), applied
  to customers as in Kotler & Keller, *Marketing Management* (15th ed.), ch. 5.
- RFM: Hughes, A. M. (1994) *Strategic Database Marketing*, ch. 8 (quintile
  scores); segment names after the usual 5 x 5 recency x frequency map used
  in CRM practice (the cell table is :data:`RFM_SEGMENTS`).
- Value pyramid: Zeithaml, V. A., Rust, R. T. & Lemon, K. N. (2001) "The
  customer pyramid: creating and serving profitable customers", California
  Management Review 43(4), 118-142 (tiers platinum, gold, iron, lead).
- Value scorecard: current vs potential value as in Verhoef, P. C. &
  Donkers, B. (2001) "Predicting customer potential value", Decision Support
  Systems 32(2), 189-199.
- k-means: Lloyd (1982), scikit-learn's :class:`~sklearn.cluster.KMeans`;
  silhouette: Rousseeuw, P. J. (1987) J. Comput. Appl. Math. 20, 53-65;
  fitting on a random sample of a large region and assigning the rest to
  the nearest centre: Sculley, D. (2010) "Web-scale k-means clustering",
  WWW '10, 1177-1178 (see :class:`CustomerClusters`).
- Loyalty status (loyal, switcher, no loyalty): Kotler & Keller (15th ed.),
  ch. 9 "behavioral segmentation: loyalty status"; purchase regularity as the
  coefficient of variation of inter-purchase times: Platzer, M. &
  Reutterer, T. (2016) "Ticking away the moments", Marketing Science 35(5).
- Share of wallet: Keiningham, T. L. et al. (2005) "Does customer satisfaction
  lead to profitability?", Managing Service Quality 15(2), 172-181.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from custlib.exceptions import DataError, InsufficientDataError, NotFittedError, ParamsError
from custlib.io.contract import MARKET_TYPES
from custlib.io.periods import Quarter
from custlib.present import i18n
from custlib.analysis.segmentation.common import (
    SEGMENT_ORDER,
    AT_RISK_SEGMENTS,
    RFM_SEGMENTS,
    INDICATORS,
    DEFAULTS,
    QUADRANTS,
    STAGES,
    LOYALTY_CLASSES,
    EPS,
    param_name,
    WORDS,
    words,
    and_list,
    or_list,
    count_text,
    require_columns,
)  # noqa: F401
from custlib.analysis.segmentation.features import (
    window_start,
    day_number,
    EncodedLines,
    encode_lines,
    EncodedServiceCosts,
    encode_service_costs,
    check_window,
    customer_features,
    features_from_lines,
    require_buyers,
    active_customers,
)  # noqa: F401
from custlib.analysis.segmentation.abc import check_cutoffs, abc_classes, abc_table, abc_summary  # noqa: F401
from custlib.analysis.segmentation.rfm import quantile_scores, validate_segment_rules, slipping_customers, rfm_table, segment_summary  # noqa: F401
from custlib.analysis.segmentation.pyramid import (
    percentile_normalise,
    resolve_indicators,
    composite_score,
    check_tiers,
    assign_tiers,
    value_pyramid,
    pyramid_summary,
)  # noqa: F401
from custlib.analysis.segmentation.scorecard import value_scorecard, invest_list  # noqa: F401
from custlib.analysis.segmentation.clusters import (
    CLUSTER_WORDS,
    LOG_FEATURES,
    cluster_matrix,
    describe_cluster,
    CLUSTER_FIT_SAMPLE,
    CLUSTER_SEARCH_N_INIT,
    CustomerClusters,
    cluster_customers,
)  # noqa: F401
from custlib.analysis.segmentation.loyalty import loyalty_classes, class_summary  # noqa: F401
from custlib.analysis.segmentation.stages import relationship_stages, market_type_breakdown  # noqa: F401
from custlib.analysis.segmentation.migration import NONE_LABEL, transition_matrix, class_moves, moved_down  # noqa: F401
from custlib.analysis.segmentation.watchlists import customers_to_grow, valuable_at_risk  # noqa: F401
from custlib.reports.context import Sections

PYRAMID_TITLES = {"value": "Value pyramid", "profit": "Profit pyramid", "potential": "Potential-value pyramid"}
"""Chart titles of the three pyramids."""


def plot_pyramid(summary: pd.DataFrame, ax=None, *, title: str | None = None, palette: dict | None = None):
    """Draw tiers as a pyramid: centred horizontal bars, top tier on top.

    Bar widths are the tiers' customer counts (so with the default shares the
    top is narrow). Each tier's name is written left of its bar, its
    customers and share of revenue right of it, so no text covers a bar.

    Parameters
    ----------
    summary : DataFrame
        From :func:`pyramid_summary` (index tier, top first; customers,
        revenue_share).
    ax : matplotlib Axes, optional
    title : str, optional
    palette : dict, optional
        Tier -> colour.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    n = len(summary)
    widths = summary["customers"].to_numpy(dtype=float)
    ys = np.arange(n)[::-1]
    from custlib.reports.context import PALETTE

    shared = {str(k).lower(): v for k, v in PALETTE.items()}  # one colour per tier in every report
    palette = palette or {}
    colours = [
        palette.get(t) or shared.get(str(t).lower()) or plt.cm.Blues(0.85 - 0.6 * i / max(n - 1, 1)) for i, t in enumerate(summary.index)
    ]
    ax.barh(ys, widths, left=-widths / 2, height=0.92, color=colours, edgecolor="white")
    half = max(widths.max(), 1) / 2
    pad = half * 0.05
    for y, w, (tier, row) in zip(ys, widths, summary.iterrows(), strict=True):
        count = int(row["customers"])
        share = row.get("revenue_share", np.nan)
        numbers = count_text(count, "customer") + (f"\n{share:.0%} of revenue" if pd.notna(share) else "")
        ax.text(-w / 2 - pad, y, _cap(str(tier)), ha="right", va="center", fontsize=10, weight="bold")
        ax.text(w / 2 + pad, y, numbers, ha="left", va="center", fontsize=9, linespacing=1.2)
    ax.set_yticks([])
    ax.set_xticks([])
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_xlim(-half * 1.9, half * 1.9)
    ax.set_ylim(-0.6, n - 0.4)
    if title:
        ax.set_title(title)
    return ax


def plot_scorecard(scorecard: pd.DataFrame, ax=None, *, split: float = 0.5, label_top: int = 8, palette: dict | None = None):
    """2x2 chart of current vs potential value, naming the customers to invest in.

    The ``label_top`` invest-quadrant customers with the highest potential
    are numbered on the chart and listed by customer id right of it, under
    "Invest first"; the legend (quadrant and customers) sits below that
    list, so neither covers a point.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 5.5))
    default = dict(zip(QUADRANTS, ("tab:green", "tab:blue", "tab:orange", "tab:gray"), strict=True))
    colours = {**default, **(palette or {})}
    for quad in QUADRANTS:
        d = scorecard[scorecard["quadrant"] == quad]
        ax.scatter(d["current_value"], d["potential_value"], s=14, alpha=0.7, color=colours.get(quad), label=f"{_cap(quad)} ({len(d):,})")
    ax.axvline(split, color="black", lw=0.8)
    ax.axhline(split, color="black", lw=0.8)
    corners = {
        "keep and grow": (0.98, 0.98, "right", "top"),
        "maintain": (0.98, 0.02, "right", "bottom"),
        "invest": (0.02, 0.98, "left", "top"),
        "monitor": (0.02, 0.02, "left", "bottom"),
    }
    for quad, (x, y, ha, va) in corners.items():
        ax.text(x, y, _cap(quad), transform=ax.transAxes, ha=ha, va=va, fontsize=10, weight="bold", color=colours.get(quad))
    top = invest_list(scorecard).head(label_top)
    for i, (_cid, row) in enumerate(top.iterrows(), start=1):
        ax.annotate(
            str(i), (row["current_value"], row["potential_value"]), xytext=(3, 3), textcoords="offset points", fontsize=7, weight="bold"
        )
    if len(top):
        listing = "\n".join(f"{i}  {cid}" for i, cid in enumerate(top.index, start=1))
        ax.text(1.04, 1.0, "Invest first", transform=ax.transAxes, ha="left", va="top", fontsize=9, weight="bold")
        ax.text(1.04, 0.94, listing, transform=ax.transAxes, ha="left", va="top", fontsize=8, family="monospace", linespacing=1.3)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("Current value (financial and sales indicators)")
    ax.set_ylabel("Potential value (customer and service indicators)")
    ax.legend(loc="lower left", bbox_to_anchor=(1.02, 0.0), fontsize=8, frameon=False, borderaxespad=0)
    return ax


_MONEY = (
    "revenue",
    "value",
    "gross_profit",
    "net_profit",
    "revenue_prior",
    "revenue_prior_quarter",
    "revenue_change",
    "revenue_12m",
    "wallet_estimate",
    "wallet_headroom",
    "revenue_per_buyer",
    "avg_order_value",
    "monetary",
    "profit",
)


_DECIMALS = ("current_value", "potential_value", "overall", "gap", "growth", "mean_score", "gap_cv", "recency_ratio", "silhouette")


_PCT = ("customer_share", "revenue_share", "value_share", "margin", "share_of_wallet", "category_share")


SLIPPING_SEGMENTS = ("need attention", "about to sleep", "at risk", "can't lose")
"""RFM segments of customers who bought and are drifting away (the at-risk segments without *hibernating*,
who are already gone): the executive summary counts them."""


CHARTS = ("pyramid_value", "pyramid_profit", "pyramid_potential", "scorecard")
"""Sections :meth:`SegmentationReport.plot` draws."""


EMPTY_TEXT = {
    "moved_down": "No valuable customer moved down a tier since last quarter.",
    "to_grow": "No customer is in the invest quadrant this quarter.",
    "at_risk": "No valuable customer is at risk this quarter.",
}
"""What the report says instead of an empty list."""


_SHARE_HEADERS = {"customer_share": "Share of customers", "revenue_share": "Share of revenue"}


_CLUSTER_HEADERS = {
    "revenue": "Mean revenue",
    "orders": "Mean orders",
    "avg_order_value": "Mean order value",
    "n_categories": "Mean categories bought",
    "recency_days": "Mean days since last order",
    "margin": "Mean margin",
    "gross_profit": "Mean gross profit",
    "growth": "Mean growth",
    "category_share": "Mean share of categories bought",
    "tenure_days": "Mean days as a customer",
}


_CLUSTER_MONEY = ("revenue", "avg_order_value", "gross_profit")


_CLUSTER_PCT = ("margin", "category_share")


def merge_params(params: dict | None) -> dict:
    """``params`` (the ``segmentation`` section) merged over :data:`DEFAULTS`.

    Mappings merge key by key except the rule table and indicator weights,
    which replace the default whole (an override names every cell/indicator).
    """
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULTS.items()}
    for k, v in (params or {}).items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = {**out[k], **v}
        else:
            out[k] = v
    return out


def _cap(value):
    """``"can't lose"`` -> ``"Can't lose"``; anything that is not text is returned unchanged."""
    return value[:1].upper() + value[1:] if isinstance(value, str) else value


def _cap_cells(s: pd.Series) -> pd.Series:
    return s.astype("object").map(_cap, na_action="ignore")


def _tidy_shares(frame: pd.DataFrame, cols) -> pd.DataFrame:
    """Shares that round to 0.0% shown as 0.0% rather than -0.0%."""
    out = frame.copy()
    for c in cols:
        if c in out.columns:
            out[c] = out[c].where(out[c].abs() >= 5e-4, 0.0).where(out[c].notna())
    return out


def _change(now: pd.Series, before: pd.Series) -> pd.Series:
    """Relative change now / before - 1, NaN where there was nothing before."""
    return (now / before - 1.0).where(before > 0)


@dataclass
class SegmentationReport(Sections):
    """Every table of the segmentation section for one region and quarter.

    ``tables`` holds the results by name; a section that could not be
    computed has no table and its reason in ``unavailable``; ``caveats``
    holds notes on sections that were computed with less than the full
    data (e.g. net profit without service costs). ``table``, ``note`` and
    the sentence saying why a section is missing come from
    :class:`custlib.reports.context.Sections`. ``tables`` keep the computed columns
    (snake_case names, lower-case categories); :meth:`view` turns one into
    what a manager reads.
    """

    quarter: str
    tables: dict[str, object] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    caveats: dict[str, str] = field(default_factory=dict)
    params: dict = field(default_factory=dict)

    @property
    def window_months(self) -> int:
        return int(self.params.get("window_months", DEFAULTS["window_months"]))

    def view(self, name: str) -> tuple[pd.DataFrame, dict]:
        """The table ``name`` as the report shows it, and how to format it.

        Columns a manager needs, with headers in words (translated in a
        Chinese report through the catalogue registered by this module),
        categories capitalised, customer lists without scores or long
        reasons, shares that round to zero shown as 0.0%, transition
        matrices with empty cells blank and revenue matrices in thousands.

        Returns
        -------
        (DataFrame, dict)
            The frame and the keyword arguments of
            :func:`custlib.reports.context.show` (money, pct, index; plus
            ``thousands=True`` for a matrix shown in thousands and, for a
            customer list cut at ``top_n`` rows, ``total``: how many there are).
            table -> display table.

        Raises
        ------
        InsufficientDataError
            The section is unavailable (the message says why).
        """
        df = self.table(name)
        w = self.window_months
        rev_w, chg_w = f"Revenue, last {w} months", f"Change vs previous {w} months"
        if name == "abc":
            first = ~df["measure"].duplicated()
            measure = df["measure"].map(lambda m: _cap(words(m))).where(first, "")
            out = pd.DataFrame(
                {
                    "Measure": measure.astype("object"),
                    "Class": df["class"].astype("object"),
                    "customers": df["customers"].astype("int64"),
                    "Share of customers": df["customer_share"],
                    "Amount": df["value"],
                    "Share of amount": df["value_share"],
                }
            )
            out = _tidy_shares(out, ["Share of customers", "Share of amount"])
            return out, {"money": ("Amount",), "pct": ("Share of customers", "Share of amount"), "index": False}
        if name == "rfm":
            out = df[["customers", "customer_share", "revenue", "revenue_share", "gross_profit", "recency_days", "frequency"]].rename(
                columns={**_SHARE_HEADERS, "recency_days": "Mean days since last order", "frequency": "Mean orders"}
            )
            out = _tidy_shares(out, _SHARE_HEADERS.values())
            return out, {"money": ("revenue", "gross_profit"), "pct": tuple(_SHARE_HEADERS.values()), "index": True}
        if name in ("loyalty", "relationship", "scorecard"):
            out = _tidy_shares(df.rename(columns=_SHARE_HEADERS), _SHARE_HEADERS.values())
            return out, {"money": ("revenue", "gross_profit"), "pct": tuple(_SHARE_HEADERS.values()), "index": True}
        if name == "clusters":
            feats = [c for c in df.columns if c not in ("customers", "customer_share", "description", "traits")]
            heads = {c: _CLUSTER_HEADERS.get(c, f"Mean {words(c)}") for c in feats}
            out = pd.DataFrame({"Description": _cap_cells(df["description"])}, index=df.index)
            out["customers"] = df["customers"].astype("int64")
            out["Share of customers"] = df["customer_share"]
            for c in feats:
                out[heads[c]] = df[c]
            out.index.name = None
            money = tuple(heads[c] for c in feats if c in _CLUSTER_MONEY)
            pct = ("Share of customers", *(heads[c] for c in feats if c in _CLUSTER_PCT))
            return out, {"money": money, "pct": pct, "index": True}
        if name == "market_type":
            out = df.rename(
                columns={
                    "buyers": "Buying customers",
                    "revenue_share": "Share of revenue",
                    "revenue_per_buyer": "Revenue per buying customer",
                }
            )
            out = _tidy_shares(out.dropna(axis=1, how="all"), ["Share of revenue"])
            money = tuple(c for c in ("revenue", "gross_profit", "net_profit", "Revenue per buying customer") if c in out.columns)
            return out, {"money": money, "pct": ("Share of revenue", "margin"), "index": True}
        if name == "relationship_migration" or name.startswith("migration_"):
            out = df.astype("float64").where(df != 0)
            thousands = name.endswith("_revenue")
            if thousands:
                out = (out / 1000.0).round(0)
            out.index.name, out.columns.name = None, None
            return out, {"money": (), "pct": (), "index": True, "thousands": thousands}
        top = self.params.get("top_n") or None
        if name == "moved_down":
            total = len(df)
            df = df.head(top) if top else df
            out = pd.DataFrame(
                {
                    "name": df["name"],
                    "Tier last quarter": _cap_cells(df["previous_tier"]),
                    "Tier now": _cap_cells(df["tier"]),
                    f"Revenue, {w} months to last quarter": df["revenue_prior_quarter"],
                    f"Revenue, {w} months to now": df["revenue"],
                    "Change": df["revenue_change"],
                    "Days since last order": df["recency_days"],
                },
                index=df.index,
            )
            out.index.name = None
            money = (f"Revenue, {w} months to last quarter", f"Revenue, {w} months to now", "Change")
            return out, {"money": money, "pct": (), "index": True, "total": total}
        if name == "to_grow":
            card = self.tables.get("scorecard_customers")
            total = int((card["quadrant"] == "invest").sum()) if card is not None else len(df)
            out = pd.DataFrame(
                {
                    "name": df["name"],
                    "market_type": _cap_cells(df["market_type"]),
                    rev_w: df["revenue"],
                    chg_w: _change(df["revenue"], df["revenue_prior"]),
                    "Share of wallet": df["share_of_wallet"],
                    "Wallet headroom": df["wallet_headroom"],
                    "Share of categories bought": df["category_share"],
                },
                index=df.index,
            ).dropna(axis=1, how="all")
            out.index.name = None
            pct = tuple(c for c in (chg_w, "Share of wallet", "Share of categories bought") if c in out.columns)
            money = tuple(c for c in (rev_w, "Wallet headroom") if c in out.columns)
            return out, {"money": money, "pct": pct, "index": True, "total": total}
        if name == "at_risk":
            total = len(self.tables.get("at_risk_customers", df))
            out = pd.DataFrame(
                {
                    "name": df["name"],
                    "tier": _cap_cells(df["tier"]),
                    "ABC class": df["abc"].astype("object"),
                    "RFM segment": _cap_cells(df["segment"]),
                    rev_w: df["revenue"],
                    chg_w: _change(df["revenue"], df["revenue_prior"]),
                    "Last order": df["last_order"].astype("str"),
                },
                index=df.index,
            ).dropna(axis=1, how="all")
            out.index.name = None
            return out, {"money": (rev_w,), "pct": (chg_w,), "index": True, "total": total}
        if not isinstance(df, pd.DataFrame):
            raise KeyError(f"{name!r} is not a table")
        cols = list(df.columns)
        opts = {
            "money": tuple(c for c in cols if c in _MONEY),
            "pct": tuple(c for c in cols if c in _PCT),
            "decimals": tuple(c for c in cols if c in _DECIMALS),
            "index": not isinstance(df.index, pd.RangeIndex),
        }
        return df, opts

    def show(self, name: str, caption: str | None = None, **kwargs):
        """Show the table ``name`` as :meth:`view` prepares it, or say why it is missing.

        ``kwargs`` (e.g. ``currency``) go to :func:`custlib.reports.context.show`.
        A matrix in thousands gets ``", in thousands of <currency>"`` after
        its caption; an empty customer list is said in a sentence, a cut one
        says how many rows of how many are shown.
        """
        from custlib.reports import context as rp

        if self.say_unavailable(name):
            return
        frame, opts = self.view(name)
        if len(frame) == 0 and name in EMPTY_TEXT:
            rp.say(EMPTY_TEXT[name])
            return
        if opts.pop("thousands", False) and caption:
            caption = f"{caption}, in thousands of {kwargs.get('currency') or 'currency units'}"
        total = opts.pop("total", None)
        rp.show(frame, caption, **{**opts, **kwargs})
        if total is not None and total > len(frame):
            rp.say(f"The first {len(frame):,} of {total:,} are shown.")

    def plot(self, name: str, ax=None):
        """Draw ``pyramid_<name>`` or ``scorecard``.

        When the section is unavailable, say why in words and draw nothing
        (returns None, so :func:`custlib.reports.context.show_figure` shows no empty
        chart); a caveat on an available chart is said above it.

        Returns
        -------
        matplotlib Axes or None

        Raises
        ------
        KeyError
            ``name`` is not one of :data:`CHARTS`.
        """
        if name not in CHARTS:
            raise KeyError(f"no chart for {name!r}; charts: {', '.join(CHARTS)}")
        if self.say_unavailable(name):
            return None
        if name.startswith("pyramid_"):
            which = name.removeprefix("pyramid_")
            return plot_pyramid(self.tables[name], ax=ax, title=PYRAMID_TITLES.get(which, f"{_cap(which)} pyramid"))
        sc = self.params.get("scorecard", {})
        return plot_scorecard(self.tables["scorecard_customers"], ax=ax, split=sc.get("split", 0.5), label_top=sc.get("label_top", 8))


def segment_region(
    transactions: pd.DataFrame,
    customers: pd.DataFrame,
    quarter,
    params: dict | None = None,
    *,
    service_costs: pd.DataFrame | None = None,
    seed: int = 0,
) -> SegmentationReport:
    """Run every segmentation analysis for one region and quarter.

    Each section is computed on its own; one that meets degenerate data
    (one customer, all-equal values, no orders, no wallet estimates) is
    recorded in ``unavailable`` with the reason instead of failing the rest.

    Results (``tables``): customers (features), abc_classes, abc, rfm_customers,
    rfm, pyramid_<p>_customers and pyramid_<p> (value, profit, potential),
    scorecard_customers, scorecard (per quadrant), clusters (profiles),
    cluster_labels, cluster_silhouette, loyalty_customers, loyalty,
    relationship_customers, relationship, relationship_migration,
    market_type, migration_segment_customers, migration_segment_revenue,
    migration_tier_customers, migration_tier_revenue (value-pyramid tiers),
    migration_abc_customers, migration_abc_revenue (ABC class on the
    quarter's revenue against the previous quarter's: the C -> B -> A rolling
    upgrade), tier_moves and abc_moves (per customer: previous, current,
    move), moved_down, to_grow, at_risk (the first ``top_n``),
    at_risk_customers (all) and active_customers (customers who ordered,
    last quarter and this quarter; present even when nothing else is). Migration revenue cells hold the current
    window's (ABC: quarter's) revenue. The previous quarter's
    customers_previous, rfm_previous_customers,
    pyramid_value_previous_customers, abc_previous_classes and
    at_risk_previous_customers are kept when they could be computed (the
    executive summary compares with them).

    Parameters
    ----------
    transactions, customers : DataFrame
        The region's data (whole history up to the quarter's end or later).
    quarter : str or Quarter
    params : dict, optional
        The ``segmentation`` parameters; missing keys take :data:`DEFAULTS`.
    service_costs : DataFrame, optional
    seed : int
        Seed of k-means, its fit sample in large regions and the silhouette
        sample (the runner's ``run.seed``); :class:`CustomerClusters` says when
        a sample is drawn, and ``caveats["clusters"]`` states it in the report.

    Returns
    -------
    SegmentationReport

    Raises
    ------
    ParamsError
        A bad parameter (never hidden as "unavailable").
    """
    q = Quarter.parse(quarter)
    P = merge_params(params)
    rep = SegmentationReport(quarter=str(q), params=P)
    T, U = rep.tables, rep.unavailable
    sections = [
        "abc", "rfm", "pyramid_value", "pyramid_profit", "pyramid_potential", "scorecard", "clusters", "loyalty",
        "relationship", "relationship_migration", "market_type", "migration_segment_customers", "migration_segment_revenue",
        "migration_tier_customers", "migration_tier_revenue", "migration_abc_customers", "migration_abc_revenue", "moved_down",
        "to_grow", "at_risk",
    ]  # fmt: skip

    def attempt(names, fn):
        try:
            fn()
        except InsufficientDataError as err:
            for n in [names] if isinstance(names, str) else names:
                if n not in T:
                    U[n] = str(err)

    check_window(P["window_months"])
    try:
        # the order lines are encoded once and serve this quarter's features and last quarter's
        lines = encode_lines(transactions, customers, q.end)
    except InsufficientDataError as err:
        T["active_customers"] = active_customers(transactions, customers, (q.previous, q))
        for n in sections:
            U[n] = str(err)
        return rep
    T["active_customers"] = lines.active((q.previous, q))
    costs = encode_service_costs(service_costs, lines.ids)
    try:
        feats = features_from_lines(lines, q, costs, P["window_months"])
    except InsufficientDataError as err:
        for n in sections:
            U[n] = str(err)
        return rep
    T["customers"] = feats
    try:
        feats_prev = features_from_lines(lines, q.previous, costs, P["window_months"])
    except InsufficientDataError as err:
        feats_prev, prev_reason = None, f"no comparison with {q.previous}: {err}"
    else:
        prev_reason = ""
        T["customers_previous"] = feats_prev
    if feats["net_profit"].isna().all():
        rep.caveats["abc"] = "no service costs in the data: net profit after cost to serve is not shown"
        rep.caveats["pyramid_profit"] = "no service costs in the data: the profit pyramid uses gross profit and margin only"
    pyr = P["pyramid"]
    prev_missing: dict[str, str] = {}

    def previous(name: str, fn) -> None:
        """Last quarter's version of a table, or the reason it is missing (in ``prev_missing``)."""
        if feats_prev is None:
            prev_missing[name] = prev_reason
            return
        try:
            T[name] = fn()
        except InsufficientDataError as err:
            prev_missing[name] = f"no comparison with {q.previous}: {err}"

    previous("rfm_previous_customers", lambda: rfm_table(feats_prev, **P["rfm"]))
    previous("pyramid_value_previous_customers", lambda: value_pyramid(feats_prev, pyr["value"], pyr["tiers"], name="value"))
    previous("abc_previous_classes", lambda: abc_table(feats_prev, P["abc"]["cutoffs"], P["abc"]["measures"]))

    def do_abc():
        T["abc_classes"] = abc_table(feats, P["abc"]["cutoffs"], P["abc"]["measures"])
        T["abc"] = abc_summary(feats, T["abc_classes"])

    def do_rfm():
        T["rfm_customers"] = rfm_table(feats, **P["rfm"])
        T["rfm"] = segment_summary(T["rfm_customers"], feats)

    def do_pyramid(which):
        def run():
            pyramid = value_pyramid(feats, pyr[which], pyr["tiers"], name=which)
            T[f"pyramid_{which}_customers"] = pyramid
            T[f"pyramid_{which}"] = pyramid_summary(pyramid, feats)
            _, dropped = resolve_indicators(feats[feats["is_buyer"]], pyr[which], param=param_name(f"pyramid.{which}"))
            if dropped and f"pyramid_{which}" not in rep.caveats:  # the no-service-costs note already says why
                rep.caveats[f"pyramid_{which}"] = (
                    f"no data on {and_list(dropped)} in this region; the weights of the other indicators were rescaled"
                )

        return run

    def do_scorecard():
        sc = P["scorecard"]
        card = value_scorecard(feats, sc["current"], sc["potential"], weights=sc["weights"], split=sc["split"])
        T["scorecard_customers"] = card
        T["scorecard"] = class_summary(card["quadrant"], feats, order=QUADRANTS, name="quadrant")

    def do_clusters():
        model = cluster_customers(feats, random_state=seed, **P["clusters"])
        T["clusters"] = model.profiles_
        T["cluster_labels"] = model.labels_
        T["cluster_silhouette"] = model.silhouette_.to_frame()
        note = model.sampling_note()
        if note:
            rep.caveats["clusters"] = note

    def do_loyalty():
        T["loyalty_customers"] = loyalty_classes(feats, **P["loyalty"])
        T["loyalty"] = class_summary(T["loyalty_customers"]["loyalty"], feats, order=LOYALTY_CLASSES, name="loyalty")

    def do_relationship():
        rel = relationship_stages(feats, **P["relationship"])
        T["relationship_customers"] = rel
        known = rel["stage"].dropna()
        T["relationship"] = class_summary(known, feats, order=STAGES, name="stage")
        unknown = int(rel["stage"].isna().sum())
        if unknown:
            has = "has" if unknown == 1 else "have"
            rep.caveats["relationship"] = f"{count_text(unknown, 'customer')} {has} no wallet estimate and no stage"
        if feats_prev is None:
            raise InsufficientDataError(prev_reason)
        prev = relationship_stages(feats_prev, **P["relationship"])["stage"].dropna()
        T["relationship_migration"] = transition_matrix(prev, known, order=STAGES)

    def do_market():
        T["market_type"] = market_type_breakdown(feats)

    def do_migration():
        if "rfm_customers" not in T:
            raise InsufficientDataError(U.get("rfm", "RFM segments are not available"))
        if "rfm_previous_customers" not in T:
            raise InsufficientDataError(prev_missing["rfm_previous_customers"])
        cur_seg, prev_seg = T["rfm_customers"]["segment"], T["rfm_previous_customers"]["segment"]
        rev = feats["revenue"]
        T["migration_segment_customers"] = transition_matrix(prev_seg, cur_seg, order=SEGMENT_ORDER)
        T["migration_segment_revenue"] = transition_matrix(prev_seg, cur_seg, order=SEGMENT_ORDER, values=rev)

    def do_tier_migration():
        if "pyramid_value_customers" not in T:
            raise InsufficientDataError(U.get("pyramid_value", "the value pyramid is not available"))
        if "pyramid_value_previous_customers" not in T:
            raise InsufficientDataError(prev_missing["pyramid_value_previous_customers"])
        names, _ = check_tiers(pyr["tiers"])
        cur = T["pyramid_value_customers"]["tier"]
        prev = T["pyramid_value_previous_customers"]["tier"]
        rev = feats["revenue"]
        T["tier_moves"] = class_moves(prev, cur, names)
        T["migration_tier_customers"] = transition_matrix(prev, cur, order=names)
        T["migration_tier_revenue"] = transition_matrix(prev, cur, order=names, values=rev)
        down = moved_down(prev, cur, pyr["tiers"], valuable_tiers=pyr["valuable_tiers"], features=feats, features_prev=feats_prev)
        T["moved_down"] = feats[["name"]].join(down, how="inner").reindex(down.index)

    def do_abc_migration():
        if feats_prev is None:
            raise InsufficientDataError(prev_reason)
        cut = P["abc"]["cutoffs"]
        now = feats.loc[feats["is_buyer"], "revenue_quarter"].rename("revenue")
        before = feats_prev.loc[feats_prev["is_buyer"], "revenue_quarter"].rename("revenue")
        cur, prev = abc_classes(now, cut), abc_classes(before, cut)
        T["abc_moves"] = class_moves(prev, cur, ("A", "B", "C"))
        T["migration_abc_customers"] = transition_matrix(prev, cur, order=("A", "B", "C"))
        T["migration_abc_revenue"] = transition_matrix(prev, cur, order=("A", "B", "C"), values=feats["revenue_quarter"])

    def do_to_grow():
        if "scorecard_customers" not in T:
            raise InsufficientDataError(U.get("scorecard", "the value scorecard is not available"))
        T["to_grow"] = customers_to_grow(
            T["scorecard_customers"], feats, pyramid=T.get("pyramid_value_customers"), rfm=T.get("rfm_customers"), top=P["top_n"]
        )

    def at_risk_from(f, rfm_name, pyramid_name, abc_name):
        for need, section in ((rfm_name, "rfm"), (pyramid_name, "pyramid_value")):
            if need not in T:
                raise InsufficientDataError(U.get(section) or prev_missing.get(need) or f"the {section} section is not available")
        classes = T.get(abc_name)
        abc = classes["abc_revenue"] if classes is not None and "abc_revenue" in classes else None
        return valuable_at_risk(f, T[rfm_name], T[pyramid_name], pyr["tiers"], valuable_tiers=pyr["valuable_tiers"], abc=abc)

    def do_at_risk():
        T["at_risk_customers"] = at_risk_from(feats, "rfm_customers", "pyramid_value_customers", "abc_classes")
        T["at_risk"] = T["at_risk_customers"].head(P["top_n"]) if P["top_n"] else T["at_risk_customers"]
        previous(
            "at_risk_previous_customers",
            lambda: at_risk_from(feats_prev, "rfm_previous_customers", "pyramid_value_previous_customers", "abc_previous_classes"),
        )

    attempt("abc", do_abc)
    attempt("rfm", do_rfm)
    for which in ("value", "profit", "potential"):
        attempt(f"pyramid_{which}", do_pyramid(which))
    attempt("scorecard", do_scorecard)
    attempt("clusters", do_clusters)
    attempt("loyalty", do_loyalty)
    attempt(["relationship", "relationship_migration"], do_relationship)
    attempt("market_type", do_market)
    attempt(["migration_segment_customers", "migration_segment_revenue"], do_migration)
    attempt(["migration_tier_customers", "migration_tier_revenue", "moved_down"], do_tier_migration)
    attempt(["migration_abc_customers", "migration_abc_revenue"], do_abc_migration)
    attempt("to_grow", do_to_grow)
    attempt("at_risk", do_at_risk)
    return rep


def headline_figures(report: SegmentationReport, currency: str = "CNY") -> tuple[pd.DataFrame, list[str]]:
    """The segmentation report's headline figures and the actions they suggest.

    Figures, this quarter against last quarter (NaN where a section, or last
    quarter's version of it, is unavailable):

    1. customers who ordered this quarter (:func:`active_customers`, also
       when the quarter has no orders at all; good: up);
    2. customers in slipping RFM segments (:data:`SLIPPING_SEGMENTS`;
       good: down);
    3. valuable customers at risk (:func:`valuable_at_risk`, the whole list;
       good: down);
    4. their revenue over the window, in ``currency`` (good: down);
    5. valuable customers who moved down a tier since last quarter
       (:func:`moved_down`; no previous value).

    Actions, at most three, in this order: visit the valuable customers at
    risk; ask the customers who moved down what changed; offer more to the
    customers to grow (invest quadrant), with their wallet headroom when
    the data has wallet estimates. With none of these, one sentence says
    the visit plan can stay.

    Parameters
    ----------
    report : SegmentationReport
        From :func:`segment_region`.
    currency : str
        Shown with money (``ctx.currency``).

    Returns
    -------
    (DataFrame, list of str)
        Columns figure, value, previous, unit, good (see
        :func:`custlib.reports.context.executive_summary`); the actions in plain
        words (numbers only, no customer names). report -> headlines.
    """
    T = report.tables
    w = report.window_months
    nan = np.nan

    def active(which):
        counts = T.get("active_customers")
        return float(counts.iloc[which]) if counts is not None and len(counts) >= 2 else nan

    def slipping(name):
        r = T.get(name)
        return float(r["segment"].isin(SLIPPING_SEGMENTS).sum()) if r is not None else nan

    def n_rows(name):
        r = T.get(name)
        return float(len(r)) if r is not None else nan

    def revenue(name):
        r = T.get(name)
        return float(r["revenue"].sum()) if r is not None else nan

    figures = pd.DataFrame(
        [
            ("Customers who ordered this quarter", active(-1), active(-2), "count", "up"),
            ("Customers in slipping RFM segments", slipping("rfm_customers"), slipping("rfm_previous_customers"), "count", "down"),
            ("Valuable customers at risk", n_rows("at_risk_customers"), n_rows("at_risk_previous_customers"), "count", "down"),
            (
                f"Revenue of valuable customers at risk ({currency})",
                revenue("at_risk_customers"),
                revenue("at_risk_previous_customers"),
                "money",
                "down",
            ),
            ("Valuable customers who moved down a tier", n_rows("moved_down"), nan, "count", "down"),
        ],
        columns=["figure", "value", "previous", "unit", "good"],
    )
    actions = []
    risk = T.get("at_risk_customers")
    if risk is not None and len(risk):
        n = len(risk)
        actions.append(
            f"Visit the {count_text(n, 'valuable customer')} at risk before the relationship breaks: "
            f"{currency} {risk['revenue'].sum():,.0f} of revenue over the last {w} months is at stake."
        )
    down = T.get("moved_down")
    if down is not None and len(down):
        actions.append(f"Ask the {count_text(len(down), 'valuable customer')} who moved down a tier since last quarter what changed.")
    card = T.get("scorecard_customers")
    if card is not None and (card["quadrant"] == "invest").any():
        ids = card.index[card["quadrant"] == "invest"]
        headroom = T["customers"]["wallet_headroom"].reindex(ids).sum(min_count=1) if "customers" in T else nan
        who = count_text(len(ids), "customer")
        if pd.notna(headroom) and headroom > 0:
            actions.append(
                f"Offer more to the {who} to grow, highest potential first: "
                f"they still buy {currency} {headroom:,.0f} a year from other suppliers."
            )
        else:
            actions.append(f"Offer more to the {who} to grow, highest potential first.")
    if not actions and T.get("at_risk_customers") is not None:
        actions.append("No valuable customer is at risk or moved down a tier: keep the current visit plan.")
    return figures, actions[:3]


_ZH_TIERS = {"platinum": "铂金层", "gold": "黄金层", "iron": "铁层", "lead": "铅层"}


_ZH_QUADRANTS = {"keep and grow": "保持并发展", "maintain": "维持", "invest": "投入培育", "monitor": "观察"}


_ZH_CLUSTER_WORDS = {
    "large": "大额",
    "small": "小额",
    "profitable": "高利润",
    "low-profit": "低利润",
    "frequent": "高频",
    "occasional": "偶尔购买",
    "big-ticket": "大单",
    "small-ticket": "小单",
    "broad": "品类广",
    "narrow": "品类窄",
    "lapsed": "已流失",
    "recently active": "近期活跃",
    "high-margin": "高毛利率",
    "low-margin": "低毛利率",
    "growing": "增长中",
    "shrinking": "萎缩中",
    "long-standing": "合作久",
    "new": "新近",
}


_ZH_WORDS = {
    "revenue": "销售收入",
    "gross profit": "毛利",
    "net profit": "净利润",
    "orders": "订单数",
    "average order value": "平均订单金额",
    "margin": "毛利率",
    "growth": "增长率",
    "categories bought": "购买品类数",
    "share of categories bought": "已购品类占比",
    "categories not yet bought": "未购品类",
    "tenure": "合作时长",
    "days since the last order": "距最近一次购买天数",
    "cost to serve per unit of revenue": "单位收入服务成本",
    "share of wallet": "钱包份额",
    "wallet headroom": "可争取采购额",
    "payment days": "付款天数",
    "number of orders": "订单数",
    "profit": "利润",
    "value": "数值",
}


_ZH_SUBJECTS = {
    "ABC classes": "ABC 分类",
    "RFM scores": "RFM 评分",
    "the value pyramid": "客户价值金字塔",
    "the profit pyramid": "利润金字塔",
    "the potential-value pyramid": "潜在价值金字塔",
    "the value scorecard": "客户价值计分卡",
    "clusters": "客户聚类（客户匹配分析）",
    "loyalty classes": "忠诚度分类",
}


def _zh_words(text: str) -> str:
    """A list such as ``"payment days, growth and margin"`` in Chinese, word by word."""
    parts = re.split(r", | and | or ", text)
    return "、".join(_ZH_WORDS.get(p, p) for p in parts)


def _zh_cluster(m: re.Match) -> str:
    words = [x.strip() for x in m[1].split(",")]
    words[0] = words[0][:1].lower() + words[0][1:]
    if words == ["average"]:
        return "一般客户"
    if not all(x in _ZH_CLUSTER_WORDS for x in words):
        return m[0]
    return "、".join(_ZH_CLUSTER_WORDS[x] for x in words) + "的客户"


def _zh_register() -> None:
    caps = {}
    for en, zh in {**_ZH_TIERS, **_ZH_QUADRANTS}.items():
        caps[en] = zh
    for en in (*SEGMENT_ORDER, *LOYALTY_CLASSES, *STAGES, *MARKET_TYPES, *_ZH_TIERS, *_ZH_QUADRANTS):
        zh = caps.get(en) or i18n.TERMS.get(en)
        if zh:
            caps[_cap(en)] = zh
    terms = {
        **caps,
        NONE_LABEL: "（无）",
        # table headers
        "Measure": "衡量指标",
        "Class": "类别",
        "Share of customers": "客户占比",
        "Amount": "金额",
        "Share of amount": "金额占比",
        "Share of revenue": "收入占比",
        "Mean days since last order": "距最近一次购买的平均天数",
        "Mean orders": "平均订单数",
        "Description": "特征描述",
        "Mean revenue": "平均销售收入",
        "Mean order value": "平均订单金额",
        "Mean categories bought": "平均购买品类数",
        "Mean margin": "平均毛利率",
        "Mean gross profit": "平均毛利",
        "Mean growth": "平均增长率",
        "Mean share of categories bought": "平均已购品类占比",
        "Mean days as a customer": "平均合作天数",
        "Buying customers": "有购买的客户数",
        "Revenue per buying customer": "购买客户平均收入",
        "Tier last quarter": "上季度层级",
        "Tier now": "本季度层级",
        "Change": "变化",
        "Days since last order": "距最近一次购买天数",
        "Share of wallet": "钱包份额",
        "Wallet headroom": "可争取采购额",
        "Share of categories bought": "已购品类占比",
        "ABC class": "ABC 类别",
        "RFM segment": "RFM 细分群",
        "Last order": "最近一次购买",
        "quadrant": "象限",
        "margin": "毛利率",
        "loyalty": "忠诚度",
        # captions of notebooks/01_segment_customers
        "ABC classes on revenue, gross profit and net profit after cost to serve": "按销售收入、毛利和扣除服务成本后净利润的 ABC 分类",
        "RFM segments: customers, revenue and mean recency and frequency": "RFM 细分群：客户数、销售收入、平均最近购买天数与购买频率",
        "Clusters: what the customers in each group have in common": "客户聚类：每组客户的共同特征",
        "Loyalty classes": "忠诚度分类",
        "Relationship stages by share of wallet": "按钱包份额划分的客户关系发展阶段",
        "Customers by stage, last quarter (rows) and this quarter (columns)": "各阶段客户数：上季度（行）与本季度（列）",
        "Market types": "市场分类",
        "Customers moving between RFM segments": "RFM 细分群间的客户迁移",
        "Revenue of customers moving between RFM segments": "RFM 细分群间迁移客户的销售收入",
        "Customers moving between value tiers": "价值层级间的客户迁移",
        "Revenue of customers moving between value tiers": "价值层级间迁移客户的销售收入",
        "Customers moving between ABC classes": "ABC 类别间的客户迁移",
        "Valuable customers who moved down a tier": "价值层级下降的重要客户",
        "Customers to grow": "值得培育的客户",
        "Valuable customers at risk": "有流失风险的重要客户",
        # charts
        "Value pyramid": "客户价值金字塔",
        "Profit pyramid": "利润金字塔",
        "Potential-value pyramid": "潜在价值金字塔",
        "Current value (financial and sales indicators)": "当前价值（财务与销售指标）",
        "Potential value (customer and service indicators)": "潜在价值（客户与服务指标）",
        "Invest first": "优先投入",
        # empty lists
        EMPTY_TEXT["moved_down"]: "上季度以来没有重要客户的价值层级下降。",
        EMPTY_TEXT["to_grow"]: "本季度没有处于投入培育象限的客户。",
        EMPTY_TEXT["at_risk"]: "本季度没有有流失风险的重要客户。",
        # executive summary
        "Customers who ordered this quarter": "本季度有购买的客户数",
        "Customers in slipping RFM segments": "处于下滑 RFM 细分群的客户数",
        "No valuable customer is at risk or moved down a tier: keep the current visit plan.": "没有重要客户面临流失风险或价值层级下降：保持现有拜访计划。",
        # reasons and notes
        "customers: the region has no customers": "客户表：本区域没有客户",
        "clusters: no k in the range split the customers into 2 or more groups": "客户聚类：在设定的分组数范围内无法把客户分成 2 组或以上",
        "RFM segments are not available": "RFM 细分不可用",
        "the value pyramid is not available": "客户价值金字塔不可用",
        "the value scorecard is not available": "客户价值计分卡不可用",
        "relationship stage is not available: the customers table has no wallet_estimate (each customer's yearly spend "
        "on our categories from all suppliers), so share of wallet cannot be measured; add it to show the stages": (
            "无法划分客户关系发展阶段：客户表没有 wallet_estimate（每家客户每年从所有供应商采购我方品类的金额），"
            "因此无法计算钱包份额；补充该列即可显示各阶段"
        ),
    }
    notes = [
        (
            r"no service costs in the data: net profit after cost to serve is not shown",
            "数据中没有服务成本：不显示扣除服务成本后的净利润",
        ),
        (
            r"no service costs in the data: the profit pyramid uses gross profit and margin only",
            "数据中没有服务成本：利润金字塔只用毛利和毛利率",
        ),
        (
            r"no data on (.+) in this region; the weights of the other indicators were rescaled",
            lambda m: f"本区域没有{_zh_words(m[1])}的数据；其他指标的权重已按比例调整",
        ),
        (r"([\d,]+) customers? ha(?:s|ve) no wallet estimate and no stage", r"\1 家客户没有采购总额估计，无法划分阶段"),
        (r"silhouette computed on a random sample of ([\d,]+) customers", r"轮廓系数基于随机抽取的 \1 家客户计算"),
        (
            r"clusters fitted on a random sample of ([\d,]+) of the ([\d,]+) customers who have ordered; the others join the nearest "
            r"cluster(?:; silhouette computed on a random sample of ([\d,]+) customers)?",
            lambda m: (
                f"客户聚类基于从 {m[2]} 家有过订单的客户中随机抽取的 {m[1]} 家拟合，其余客户归入最近的类"
                + (f"；轮廓系数基于随机抽取的 {m[3]} 家客户计算" if m[3] else "")
            ),
        ),
    ]
    known = {*_ZH_CLUSTER_WORDS, "average"}
    words = "|".join(re.escape(x) for x in sorted(known | {_cap(x) for x in known}, key=len, reverse=True))
    patterns = []
    for rx, repl in notes:
        patterns.append((f"^{rx}$", repl))
        # Sections.say_unavailable says a caveat as "*Note:* <caveat>" and translates the whole line
        prefixed = (lambda m, r=repl: "*注：* " + (r(m) if callable(r) else m.expand(r))) if callable(repl) else "*注：* " + repl
        patterns.append((rf"^\*Note:\* {rx}$", prefixed))
    patterns += [
        # window-dependent headers
        (r"^Revenue, last (\d+) months$", r"近 \1 个月销售收入"),
        (r"^Change vs previous (\d+) months$", r"较之前 \1 个月的变化"),
        (r"^Revenue, (\d+) months to last quarter$", r"截至上季度末近 \1 个月收入"),
        (r"^Revenue, (\d+) months to now$", r"截至本季度末近 \1 个月收入"),
        # captions of matrices in thousands
        (r"^(.+), in thousands of (\S+)$", lambda m: f"{i18n.tr(m[1], 'zh')}（单位：千 {m[2]}）"),
        # charts
        (r"^([\d,]+) customers?\n(\d+)% of revenue$", r"\1 家客户\n占收入 \2%"),
        (r"^([\d,]+) customers?$", r"\1 家客户"),
        (r"^The first ([\d,]+) of ([\d,]+) are shown\.$", r"仅显示前 \1 家（共 \2 家）。"),
        *[(rf"^{re.escape(_cap(q))} \(([\d,]+)\)$", rf"{zh}（\1）") for q, zh in _ZH_QUADRANTS.items()],
        # cluster descriptions
        (rf"^((?:{words})(?:, (?:{words}))*) buyers$", _zh_cluster),
        # executive summary
        (r"^Revenue of valuable customers at risk \((.+)\)$", r"有流失风险的重要客户销售收入（\1）"),
        (
            r"^Visit the ([\d,]+) valuable customers? at risk before the relationship breaks: (\S+) ([\d,]+) of revenue "
            r"over the last (\d+) months is at stake\.$",
            r"在客户关系破裂之前拜访 \1 家有流失风险的重要客户：涉及近 \4 个月销售收入 \2 \3。",
        ),
        (
            r"^Ask the ([\d,]+) valuable customers? who moved down a tier since last quarter what changed\.$",
            r"询问上季度以来价值层级下降的 \1 家重要客户发生了什么变化。",
        ),
        (
            r"^Offer more to the ([\d,]+) customers? to grow, highest potential first: they still buy (\S+) ([\d,]+) a year "
            r"from other suppliers\.$",
            r"向 \1 家值得培育的客户（按潜力从高到低）推荐更多产品：他们每年仍从其他供应商采购 \2 \3。",
        ),
        (
            r"^Offer more to the ([\d,]+) customers? to grow, highest potential first\.$",
            r"向 \1 家值得培育的客户（按潜力从高到低）推荐更多产品。",
        ),
        # reasons a section is unavailable
        (
            r"^no orders in (\d{4}Q\d) from this region's ([\d,]+) customers?: nothing to segment for this quarter$",
            r"本区域 \2 家客户在 \1 没有订单：本季度没有可分类的数据",
        ),
        (
            r"^(.+?) needs? at least (\d+) customers who have ordered; this region has ([\d,]+)$",
            lambda m: f"{_ZH_SUBJECTS.get(m[1], m[1])}至少需要 {m[2]} 家有过订单的客户；本区域只有 {m[3]} 家",
        ),
        (
            r"^ABC classes need at least one customer with a positive (.+); none of the ([\d,]+) customers has one$",
            lambda m: f"ABC 分类至少需要一家{_zh_words(m[1])}为正的客户；{m[2]} 家客户中没有",
        ),
        (r"^ABC classes: no customer has a positive (.+)$", lambda m: f"ABC 分类：没有客户的{_zh_words(m[1])}为正"),
        (
            r"^all ([\d,]+) customers have the same value for (.+) \(([^)]*)\); quintile scores would be arbitrary$",
            lambda m: f"全部 {m[1]} 家客户的{_zh_words(m[2])}相同（{m[3]}）；按五分位打分没有意义",
        ),
        (r"^scores of (.+) need at least 2 customers, found (\d+)$", lambda m: f"{_zh_words(m[1])}的评分至少需要 2 家客户，现有 {m[2]} 家"),
        (
            r"^ranking by (.+) needs at least 2 customers with a value, found (\d+)$",
            lambda m: f"按{_zh_words(m[1])}排名至少需要 2 家有数值的客户，现有 {m[2]} 家",
        ),
        (
            r"^(segmentation\.[\w.]+): none of the indicators \((.+)\) has data in this region$",
            lambda m: f"{m[1]}：本区域没有任何指标（{_zh_words(m[2])}）的数据",
        ),
        (r"^value tiers need at least 2 customers, found (\d+)$", r"价值层级至少需要 2 家客户，现有 \1 家"),
        (
            r"^value tiers: all ([\d,]+) customers have the same score \(([^)]*)\); the indicators do not separate them$",
            r"价值层级：全部 \1 家客户得分相同（\2）；所选指标无法区分客户",
        ),
        (
            r"^clusters need at least 3 customers who buy in at least 2 different ways; found ([\d,]+) customers?, (\d+) distinct$",
            r"客户聚类至少需要 3 家购买行为不完全相同的客户；现有 \1 家客户，只有 \2 种不同行为",
        ),
        (r"^clusters: (\d+) customers are too few for (\d+) or more groups$", r"客户聚类：\1 家客户不足以分成 \2 组或以上"),
        (r"^no comparison with (\d{4}Q\d): (.+)$", lambda m: f"无法与 {m[1]} 比较：{i18n.tr(m[2], 'zh')}"),
        (r"^the (.+) section is not available$", r"\1 部分不可用"),
    ]
    i18n.register(terms=terms, patterns=patterns)


_zh_register()
