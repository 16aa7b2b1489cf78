"""Pareto diagnostics: does the 80/20 rule hold, and for revenue or for profit?

The customer-management literature behind this workbook doubts the 80/20
rule (see ``DOMAIN.md`` section 2): the top revenue customers may be *cost
customers* whose net profit after cost to serve is thin or negative; profit
customers are often mid-sized; spending in proportion to revenue starves the
tiers that can grow; and concentration is a snapshot, not a target. This
module measures each doubt:

- concentration of a vector of per-customer values: :func:`lorenz_curve`,
  :func:`gini`, :func:`top_share`, :func:`share_of_customers_for`,
  :func:`herfindahl`;
- per-customer profitability for a period (:func:`customer_profitability`)
  and revenue, gross and net profit concentration side by side
  (:func:`concentration_table`);
- the whale curve (:func:`whale_curve`, :func:`whale_summary`,
  :func:`plot_whale_curve`);
- resources against return per revenue tier (:func:`tier_allocation`);
- concentration per quarter and against the other regions
  (:func:`concentration_by_quarter`, :func:`concentration_vs_peers`,
  :func:`plot_concentration_trend`);
- tier migration between two periods (:func:`tier_migration`,
  :func:`migration_matrix`);
- a plain-language summary (:func:`pareto_summary`).

Conventions
-----------
- Every concentration measure needs at least two customers and a positive
  total; otherwise :class:`~custlib.exceptions.InsufficientDataError` says why.
- "The top ``f`` of customers" is the ``ceil(f * n)`` customers with the
  largest values (at least one), the same definition as
  ``custlib.io.data.peer_quarterly``'s ``top20_share_revenue``. Ties do not
  matter: tied customers hold equal values.
- Values may be negative (profit, or revenue net of returns). Negative values
  are kept, never clipped: the Gini coefficient of a vector with negative
  values can exceed 1, and the top customers can hold more than 100% of a
  total (that is what the whale curve shows).
- Revenue tiers are ABC classes by cumulative revenue share
  (:func:`custlib.segmentation.abc_classes`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from custlib.analysis.pareto import (  # noqa: F401 (re-exported until this module is gone)
    NO_TIER,
    TIERS,
    GiniEstimate,
    WhaleSummary,
    concentration_by_quarter,
    concentration_table,
    concentration_vs_peers,
    customer_profitability,
    gini,
    herfindahl,
    lorenz_curve,
    migration_matrix,
    share_of_customers_for,
    tier_allocation,
    tier_migration,
    top_share,
    whale_curve,
    whale_summary,
)
from custlib.analysis.pareto.inputs import date_column as _dates
from custlib.analysis.pareto.inputs import fraction_param as _fraction
from custlib.analysis.pareto.inputs import require_columns as _require
from custlib.analysis.pareto.inputs import revenue_tiers as _revenue_tiers
from custlib.exceptions import InsufficientDataError, ParamsError
from custlib.io.contract import SERVICE_COMPONENTS
from custlib.io.periods import Quarter
from custlib.reports.context import Sections, esc, say

_MEASURE_LABELS = {"gini_revenue": "Gini coefficient of revenue", "top20_share_revenue": "Revenue share of the top 20% of customers"}
_SHARE_MEASURES = ("top20_share_revenue",)


# --------------------------------------------------------------------------- helpers


# --------------------------------------------------------------------------- concentration of a vector


# --------------------------------------------------------------------------- per-customer profitability


# --------------------------------------------------------------------------- whale curve


def plot_whale_curve(net_profit: pd.Series | pd.DataFrame, ax=None, *, color: str = "#e4572e"):
    """Draw the whale curve with its peak and the 100% line.

    Parameters
    ----------
    net_profit : Series or DataFrame
        Net profit per customer (see :func:`whale_curve`), or the curve
        :func:`whale_curve` returned.
    ax : matplotlib Axes, optional
    color : str

    Returns
    -------
    matplotlib Axes
        net_profit -> chart of cumulative profit (% of total) against customers (% ranked).

    Raises
    ------
    InsufficientDataError, DataError
        As :func:`whale_curve`.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    is_curve = isinstance(net_profit, pd.DataFrame) and {"cum_share_customers", "cum_share_profit", "cum_profit"} <= set(net_profit.columns)
    curve = net_profit if is_curve else whale_curve(net_profit)
    if ax is None:
        _, ax = plt.subplots()
    x = np.concatenate([[0.0], curve["cum_share_customers"].to_numpy()]) * 100
    y = np.concatenate([[0.0], curve["cum_share_profit"].to_numpy()]) * 100
    ax.plot(x, y, color=color, linewidth=2, label="Cumulative net profit")
    ax.axhline(100, color="grey", linestyle="--", linewidth=1, label="Total net profit")
    k = int(curve["cum_profit"].to_numpy().argmax())
    px, py = x[k + 1], y[k + 1]
    ax.scatter([px], [py], color=color, zorder=3)
    right = px > 55  # keep the label inside the axes
    ax.annotate(
        f"Peak {py:.0f}% at {px:.0f}% of customers",
        (px, py),
        textcoords="offset points",
        xytext=(-8, 8) if right else (8, 8),
        ha="right" if right else "left",
    )
    ax.set_xlim(0, 100)
    ax.set_ylim(min(0.0, y.min()) - 5, max(110.0, y.max() * 1.12))
    ax.xaxis.set_major_formatter(PercentFormatter())
    ax.yaxis.set_major_formatter(PercentFormatter())
    ax.set_xlabel("Customers ranked by net profit (share of customers)")
    ax.set_ylabel("Cumulative net profit (share of total)")
    ax.set_title("Whale curve")
    # below the curve: past the first customers it stays far above the bottom right corner
    ax.legend(loc="lower right")
    return ax


# --------------------------------------------------------------------------- resources by tier


# --------------------------------------------------------------------------- concentration over time


def plot_concentration_trend(comparison: pd.DataFrame, ax=None, *, label: str | None = None, color: str = "#1b5e8c"):
    """Draw this region's concentration per quarter against the other regions' range and median.

    Parameters
    ----------
    comparison : DataFrame
        :func:`concentration_vs_peers`.
    ax : matplotlib Axes, optional
    label : str, optional
        Y-axis label; defaults to the measure's name.
    color : str

    Returns
    -------
    matplotlib Axes
        quarter, this_region, peer_median, peer_min, peer_max -> line chart.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    _require(comparison, ["quarter", "this_region", "peer_median", "peer_min", "peer_max"], "comparison")
    if ax is None:
        _, ax = plt.subplots()
    pos = np.arange(len(comparison))
    ax.fill_between(
        pos,
        comparison["peer_min"].astype("float64"),
        comparison["peer_max"].astype("float64"),
        color="grey",
        alpha=0.2,
        label="Other regions (range)",
    )
    ax.plot(pos, comparison["peer_median"], color="grey", linestyle="--", label="Other regions (median)")
    ax.plot(pos, comparison["this_region"], color=color, marker="o", linewidth=2, label="This region")
    ax.set_xticks(pos, comparison["quarter"].tolist(), rotation=45, ha="right")
    measure = str(comparison.attrs.get("measure", ""))
    default = measure.replace("_", " ").capitalize() or "Concentration"
    ax.set_ylabel(label or _MEASURE_LABELS.get(measure, default))
    if measure in _SHARE_MEASURES:
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.set_title("Concentration by quarter: this region and the others")
    ax.set_xlabel("Quarter")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)  # beside the axes, never over the lines
    return ax


# --------------------------------------------------------------------------- tier migration


# --------------------------------------------------------------------------- summary


def pareto_summary(
    profit: pd.DataFrame,
    *,
    share: float = 0.8,
    cutoffs: tuple[float, float] = (0.8, 0.95),
    revenue_col: str = "revenue",
    net_profit_col: str = "net_profit",
    currency: str = "",
) -> pd.DataFrame:
    """The three numbers that matter, in plain language.

    1. How many customers make ``share`` of revenue, and of net profit
       (is it "80/20", and is profit as concentrated as revenue?).
    2. The whale curve's peak: the most profitable customers earn more than
       all the profit; the rest give part of it back.
    3. Value destroyers: how many customers lose money after cost to serve,
       how much, and how many of them are top revenue (tier A) customers.

    A non-positive total net profit yields sentences that say so instead of
    an error; fewer than two customers raise (:func:`pareto_region` then
    writes a summary that says so). Sentences contain only figures, no
    customer names or ids.

    Parameters
    ----------
    profit : DataFrame
        :func:`customer_profitability`, indexed by customer id.
    share : float
        The "x% of customers make ``share``" threshold.
    cutoffs : (float, float)
        ABC cut-offs on cumulative revenue share.
    revenue_col, net_profit_col : str
    currency : str
        Prefix for money amounts in the sentences (e.g. "CNY"); none by default.

    Returns
    -------
    DataFrame
        Three rows. profit (revenue, net_profit) -> figure, value, shown
        (value formatted), implication (a sentence).

    Raises
    ------
    DataError
        A column is missing.
    InsufficientDataError
        Fewer than two customers.
    """
    _require(profit, [revenue_col, net_profit_col], "profit")
    if len(profit) < 2:
        raise InsufficientDataError(f"profit: {len(profit)} customer(s); a Pareto diagnosis needs at least 2 customers")
    s = _fraction(share, "share")
    known = bool(profit.attrs.get("net_profit_includes_cost_to_serve", True))
    cur = f"{currency} " if currency else ""
    no_cts = "" if known else " (no cost-to-serve data: net profit here is gross profit)"
    after = "after cost to serve" if known else "on their gross profit"
    rows = []

    rev_x = share_of_customers_for(profit[revenue_col], s)
    try:
        net_x = share_of_customers_for(profit[net_profit_col], s)
    except InsufficientDataError:
        net_x = np.nan
    if 0.15 <= rev_x <= 0.25:
        shape = "close to the 80/20 pattern"
    elif rev_x < 0.15:
        shape = "more concentrated than 80/20: losing one large customer would hurt"
    else:
        shape = "flatter than 80/20: revenue is spread over many customers"
    if np.isnan(net_x):
        profit_text = "Net profit is not positive in total, so its concentration is undefined."
    elif net_x < rev_x:
        profit_text = f"Net profit is more concentrated: {net_x:.0%} of customers make {s:.0%} of it{no_cts}."
    else:
        profit_text = f"Net profit is less concentrated: it takes {net_x:.0%} of customers to make {s:.0%} of it{no_cts}."
    rows.append(
        {
            "figure": f"customers making {s:.0%} of revenue",
            "value": rev_x,
            "shown": f"{rev_x:.0%}" + ("" if np.isnan(net_x) else f" (net profit: {net_x:.0%})"),
            "implication": f"{rev_x:.0%} of customers bring {s:.0%} of revenue, {shape}. {profit_text}",
        }
    )

    try:
        w = whale_summary(profit, revenue_col=revenue_col, net_profit_col=net_profit_col, cutoffs=cutoffs)
    except InsufficientDataError:
        w = None
    if w is None:
        total = float(profit[net_profit_col].sum())
        loss_mask = profit[net_profit_col] < 0
        rows.append(
            {
                "figure": "whale curve peak (share of total net profit)",
                "value": np.nan,
                "shown": "–",
                "implication": f"Total net profit is {cur}{total:,.0f}, not positive: the whale curve is undefined; "
                "the whole region is a cost centre this period.",
            }
        )
        rows.append(
            {
                "figure": "customers destroying value",
                "value": float(loss_mask.sum()),
                "shown": f"{int(loss_mask.sum()):,}",
                "implication": f"{int(loss_mask.sum()):,} customer{'' if loss_mask.sum() == 1 else 's'} lose{'s' if loss_mask.sum() == 1 else ''} money, "
                f"{cur}{float(-profit.loc[loss_mask, net_profit_col].sum()):,.0f} in total{no_cts}.",
            }
        )
    else:
        rows.append(
            {
                "figure": "whale curve peak (share of total net profit)",
                "value": w.peak_share,
                "shown": f"{w.peak_share:.0%} at {w.peak_at:.0%} of customers",
                "implication": (
                    f"The most profitable {w.peak_at:.0%} of customers earn {w.peak_share:.0%} of the net profit; "
                    f"the other {1 - w.peak_at:.0%} give {w.peak_share - 1:.0%} of it back{no_cts}."
                    if w.destroyers
                    else f"No customer loses money: the curve rises to 100% of the net profit without a peak above it{no_cts}."
                ),
            }
        )
        if w.destroyers_in_a:
            verdict = (
                f"{w.destroyers_in_a:,} of them {'is a' if w.destroyers_in_a == 1 else 'are'} top revenue (tier A) "
                f"customer{'' if w.destroyers_in_a == 1 else 's'}: big buyers can be cost customers; "
                "review their prices, terms and service levels before chasing more of their volume."
            )
        elif w.destroyers:
            verdict = "None of them is a top revenue (tier A) customer: the losses sit in the smaller tiers."
        else:
            verdict = "Every customer covers its cost to serve." if known else "Every customer has a positive gross profit."
        rows.append(
            {
                "figure": "customers destroying value",
                "value": float(w.destroyers),
                "shown": f"{w.destroyers:,} ({w.destroyers / w.customers:.0%}), loss {cur}{w.destroyer_loss:,.0f}",
                "implication": (
                    f"{w.destroyers:,} customer{'' if w.destroyers == 1 else 's'} ({w.destroyers / w.customers:.0%}) "
                    f"lose{'s' if w.destroyers == 1 else ''} money {after}, "
                    f"{cur}{w.destroyer_loss:,.0f} in total ({w.destroyer_loss_share:.0%} of net profit){no_cts}. {verdict}"
                    if w.destroyers
                    else verdict
                ),
            }
        )
    out = pd.DataFrame(rows)
    for c in ("figure", "shown", "implication"):
        out[c] = out[c].astype("str")
    out["value"] = out["value"].astype("float64")
    return out


# --------------------------------------------------------------------------- the report


#: Defaults of the ``pareto`` parameters (the same as ``params/defaults.yaml``).
DEFAULTS = {
    "abc_cutoffs": [0.8, 0.95],
    "top_fractions": [0.01, 0.05, 0.1, 0.2, 0.5],
    "share": 0.8,
    "gini_ci": 0.95,
    "bootstrap_draws": 1000,
    "growth_lag_quarters": 4,
    "trend_measure": "gini_revenue",
}

_MONEY = (
    "total",
    "revenue",
    "gross_profit",
    *SERVICE_COMPONENTS,
    "cost_to_serve",
    "net_profit",
    "destroyer_loss",
    "base_revenue",
    "revenue_before",
    "revenue_after",
    "revenue_change",
)
_PCT = ("revenue_share", "net_profit_share", "destroyer_rate", "cost_to_serve_share", "revenue_growth")
_DECIMALS = ("gini", "gini_low", "gini_high", "cost_to_serve_per_revenue", "net_profit_per_cost_to_serve")

#: How the report names columns whose computed names would read poorly (see :meth:`ParetoReport.display`).
DISPLAY_NAMES = {
    "negative_customers": "Customers below zero",
    "revenue_share": "Share of revenue",
    "net_profit_share": "Share of net profit",
    "cost_to_serve_share": "Share of cost to serve",
    "cost_to_serve_per_revenue": "Cost to serve / revenue",
    "net_profit_per_cost_to_serve": "Net profit per 1 of cost to serve",
    "destroyers": "Loss-making customers",
    "destroyer_rate": "Loss-making share",
    "destroyer_loss": "Their combined loss",
}
MOVE_LABELS = {"up": "Up", "down": "Down", "same": "Same", "entered": "Entered", "left": "Left"}
NO_TIER_LABEL = "No orders"


def _lang() -> str:
    """The language of the report being made (set by :func:`custlib.reports.context.open_report`)."""
    from custlib.reports import context as report

    return getattr(report, "_LANG", "en")


def _tr(text: str, lang: str | None = None) -> str:
    from custlib.present import i18n

    return i18n.tr(text, lang or _lang())


def _tr_sentences(text: str, lang: str) -> str:
    """``text`` translated sentence by sentence (generated sentences are catalogued one by one)."""
    if lang == "en":
        return text
    parts = re.split(r"(?<=[.!?]) (?=\S)", text)
    return "".join(_tr(p, lang) for p in parts)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class ParetoReport(Sections):
    """Every section of the Pareto diagnostics for one region and quarter.

    Built by :func:`pareto_region`. Results (``tables``): profit (per
    customer, :func:`customer_profitability`), summary (figure, shown,
    implication), concentration, whale_curve, whale (:class:`WhaleSummary`),
    whale_by_tier, allocation, concentration_by_quarter, concentration_trend
    and migration. A section that could not be computed is in
    ``unavailable`` with its reason; :meth:`show` and :meth:`plot` then say
    why instead of failing (see :class:`custlib.reports.context.Sections`).

    Attributes
    ----------
    quarter : str
    currency : str
        Prefix of money columns in :meth:`show`.
    params : dict
        The ``pareto`` parameters used (defaults filled in).
    base_quarter : str
        The quarter revenue growth is measured against (``growth_lag_quarters`` earlier).
    previous_profit : DataFrame or None
        :func:`customer_profitability` of the previous quarter, for the
        executive summary's comparison; None when it has no orders.
    """

    def __init__(self, quarter: str, currency: str = "", params: dict | None = None) -> None:
        super().__init__()
        self.quarter = quarter
        self.currency = currency
        self.params = dict(params or {})
        lag = int(self.params.get("growth_lag_quarters", DEFAULTS["growth_lag_quarters"]))
        self.base_quarter = str(Quarter.parse(quarter).shift(-lag))
        self.previous_profit: pd.DataFrame | None = None

    # ------------------------------------------------------------------ display

    def display(self, name: str) -> tuple[pd.DataFrame, dict]:
        """The table ``name`` as the report shows it, with its formats for :func:`custlib.reports.context.show`.

        Only what a manager reads: ``concentration`` without the constant
        customer count and the long notes (the Gini's interval as one
        "low–high" column); ``allocation`` with shares and ratios instead of
        every cost component; ``migration`` without empty movements, with the
        quarters in the revenue headers; tiers, moves and measures as words.
        Other tables are shown as computed.

        Returns
        -------
        (DataFrame, dict)
            The table and the ``money``/``pct``/``decimals``/``currency`` keyword arguments.

        Raises
        ------
        InsufficientDataError
            The section is unavailable.
        """
        result = self.table(name)
        q = Quarter.parse(self.quarter)
        names = dict(DISPLAY_NAMES)
        if name == "concentration":
            shares = [c for c in result.attrs.get("share_columns", ()) if c in result.columns]
            for c in shares:
                pct = c.removeprefix("top_").removeprefix("customers_for_").removesuffix("pct")
                names[c] = f"Top {pct}%" if c.startswith("top_") else f"Customers making {pct}%"
            frame = result[["measure", "total", "negative_customers", *shares, "gini"]].copy()
            frame["measure"] = frame["measure"].str.replace("_", " ").map(_cap)
            if {"gini_low", "gini_high"} <= set(result.columns):
                level = f"{round(float(self.params.get('gini_ci', 0.95)) * 100, 6):g}%"

                def interval(lo, hi) -> str:
                    if pd.isna(lo) or pd.isna(hi):
                        return "–"
                    return f"{lo:.2f}–{'∞' if np.isinf(hi) else f'{hi:.2f}'}"

                frame[f"Gini {level} interval"] = [interval(lo, hi) for lo, hi in zip(result["gini_low"], result["gini_high"], strict=True)]
                frame[f"Gini {level} interval"] = frame[f"Gini {level} interval"].astype("str")
        elif name == "allocation":
            names["revenue_growth"] = f"Revenue growth vs {self.base_quarter}"
            cols = [
                "tier",
                "customers",
                "revenue_share",
                "cost_to_serve",
                "cost_to_serve_share",
                "cost_to_serve_per_revenue",
                "net_profit",
                "net_profit_share",
                "net_profit_per_cost_to_serve",
                "revenue_growth",
            ]
            frame = result[cols].assign(tier=result["tier"].replace({"all": "All"}))
        elif name == "migration":
            names.update({"revenue_before": f"Revenue {q.previous}", "revenue_after": f"Revenue {q}"})
            frame = result[result["customers"] > 0].copy()
            for col in ("from_tier", "to_tier"):
                frame[col] = frame[col].replace({NO_TIER: NO_TIER_LABEL})
            frame["move"] = frame["move"].map(lambda m: MOVE_LABELS.get(m, m)).astype("str")
        else:
            frame = result
        money = tuple(names.get(c, c) for c in frame.columns if c in _MONEY)
        pct = tuple(names.get(c, c) for c in frame.columns if c in _PCT or c in result.attrs.get("share_columns", ()))
        decimals = tuple(names.get(c, c) for c in frame.columns if c in _DECIMALS and names.get(c, c) not in pct)
        if name == "allocation":
            pct += (names["cost_to_serve_per_revenue"],)
            decimals = tuple(d for d in decimals if d != names["cost_to_serve_per_revenue"])
        frame = frame.rename(columns={c: names[c] for c in frame.columns if c in names})
        return frame.reset_index(drop=True), {"money": money, "pct": pct, "decimals": decimals, "currency": self.currency}

    def summary_markdown(self, lang: str | None = None) -> str:
        """The "in short" section as a Markdown list: one line per figure with what it implies.

        Sentences carry only figures, no customer names; they are translated
        sentence by sentence into ``lang`` (default: the report's language).
        """
        lang = lang or _lang()
        colon = "：" if lang == "zh" else ":"
        lines = []
        for fig, text in zip(self.table("summary")["figure"], self.table("summary")["implication"], strict=True):
            lines.append(f"- **{esc(_tr(_cap(fig), lang))}{colon}** {esc(_tr_sentences(text, lang))}")
        return "\n".join(lines)

    def _say_note(self, name: str) -> None:
        label = "*注：*" if _lang() == "zh" else "*Note:*"
        say(f"{label} {esc(_tr(self.caveats[name]))}")

    def say_unavailable(self, name: str) -> bool:
        """As :meth:`custlib.reports.context.Sections.say_unavailable`, with the caveat in the report's language."""
        if name in self.tables and self.caveats.get(name):
            self._say_note(name)
            return False
        return super().say_unavailable(name)

    def show(self, name: str, caption: str | None = None, **kwargs) -> None:
        """Show the table ``name`` as :meth:`display` shapes it, or say why it is missing.

        ``summary`` is said as a list (:meth:`summary_markdown`); ``kwargs``
        override the formats (see :func:`custlib.reports.context.show`).
        """
        from custlib.reports import context as report

        if self.say_unavailable(name):
            return
        if name == "summary":
            say(self.summary_markdown())
            return
        frame, fmt = self.display(name)
        report.show(frame, caption, **{**fmt, **kwargs})

    def plot(self, name: str, plot_fn, *args, ax=None, **kwargs):
        """As :meth:`custlib.reports.context.Sections.plot`, saying the section's caveat (if any) above the chart."""
        if name in self.tables:
            if self.caveats.get(name):
                self._say_note(name)
            return plot_fn(self.tables[name], *args, ax=ax, **kwargs)
        return super().plot(name, plot_fn, *args, ax=ax, **kwargs)


def _merge_params(params: dict | None) -> dict:
    """``params`` (the ``pareto`` section) over :data:`DEFAULTS`; unknown keys raise ParamsError."""
    unknown = sorted(set(params or {}) - set(DEFAULTS))
    if unknown:
        raise ParamsError(f"pareto.{unknown[0]}: unknown parameter; known: {', '.join(DEFAULTS)}")
    return {**DEFAULTS, **(params or {})}


def _quarter_profit(transactions: pd.DataFrame, service_costs, quarter: Quarter) -> pd.DataFrame:
    """:func:`customer_profitability` of the quarter; a quarter without orders raises a plain reason."""
    _require(transactions, ["order_date"], "transactions")
    d = _dates(transactions, "order_date", "transactions")
    in_q = (d >= quarter.start) & (d < quarter.end + pd.Timedelta(days=1))
    if not in_q.any():
        before = d[d < quarter.start]
        last = f"; the last order before it was on {before.max():%Y-%m-%d}" if len(before) else "; there are no earlier orders either"
        raise InsufficientDataError(f"the region has no orders in {quarter} ({quarter.start:%Y-%m-%d} to {quarter.end:%Y-%m-%d}){last}")
    return customer_profitability(transactions, service_costs, quarter.start, quarter.end)


def _one_customer_text(region_customers: int, quarter: Quarter, what: str = "concentration figures") -> str:
    if region_customers <= 1:
        return f"This region has one customer; {what} need at least two."
    return f"Only one of the region's {region_customers:,} customers bought in {quarter}; {what} need at least two."


def _at_least_two(profit: pd.DataFrame, region_customers: int, quarter: Quarter) -> pd.DataFrame:
    if len(profit) < 2:
        raise InsufficientDataError(_one_customer_text(region_customers, quarter))
    return profit


def _degraded_summary(rep: ParetoReport, region_customers: int, quarter: Quarter) -> pd.DataFrame:
    """The "in short" table when there is no concentration to measure (no orders, or one customer)."""
    cur = f"{rep.currency} " if rep.currency else ""
    if "profit" not in rep.tables:
        reason = rep.unavailable.get("profit", f"the region has no orders in {quarter}")
        rows = [
            {
                "figure": f"orders in {quarter}",
                "shown": "none",
                "implication": f"{reason[:1].upper()}{reason[1:]} (the region has {region_customers:,} customer(s)). "
                "There is nothing to diagnose this quarter; concentration over time below shows the history.",
            }
        ]
    else:
        profit = rep.tables["profit"]
        net = float(profit["net_profit"].sum())
        known = bool(profit.attrs.get("net_profit_includes_cost_to_serve", True))
        what = "net profit after cost to serve" if known else "gross profit (no cost-to-serve data)"
        verdict = (
            f"It earns {cur}{net:,.0f} of {what}."
            if net >= 0
            else f"It loses {cur}{-net:,.0f} of {what}: review its prices, terms and service."
        )
        rows = [
            {"figure": f"customers with orders in {quarter}", "shown": "1", "implication": _one_customer_text(region_customers, quarter)},
            {"figure": "net profit" if known else "gross profit", "shown": f"{cur}{net:,.0f}", "implication": verdict},
        ]
    return pd.DataFrame(rows, columns=["figure", "shown", "implication"]).astype("str")


def _positive_profit(profit: pd.DataFrame, currency: str) -> pd.DataFrame:
    """``profit`` when its total net profit is positive; otherwise a plain reason (the whale curve is undefined)."""
    total = float(profit["net_profit"].sum())
    if total <= 0:
        cur = f"{currency} " if currency else ""
        raise InsufficientDataError(
            f"total net profit is {cur}{total:,.0f}, not positive: the region is a cost centre this quarter and shares of "
            "its profit are undefined; the summary above counts the customers who lose money"
        )
    return profit


def _trend(by_quarter: pd.DataFrame, peer_quarterly, region: str, measure: str) -> pd.DataFrame:
    out = concentration_vs_peers(by_quarter, peer_quarterly, region, measure=measure)
    if out["this_region"].isna().all():
        raise InsufficientDataError(
            "the region never had two or more customers with orders in one quarter; concentration over time needs at least two"
        )
    return out


def pareto_region(
    transactions: pd.DataFrame,
    service_costs: pd.DataFrame | None,
    customers: pd.DataFrame,
    quarter,
    peer_quarterly: pd.DataFrame | None = None,
    params: dict | None = None,
    seed: int = 0,
    currency: str = "",
    *,
    region: str = "",
) -> ParetoReport:
    """Compute every section of the Pareto diagnostics for one region and quarter.

    Each section is computed on its own with :meth:`~custlib.reports.context.Sections.compute`:
    one that meets degenerate data (no orders in the quarter, one customer,
    a total net profit that is not positive, no cost-to-serve data, a history
    shorter than the comparison) is recorded as unavailable with its reason in
    plain words, and the other sections are still computed. The summary is
    always present: with no orders or a single customer it says so (e.g.
    "This region has one customer; concentration figures need at least two.").

    Sections: ``summary`` (:func:`pareto_summary`), ``concentration``
    (:func:`concentration_table` with a bootstrap interval of the Gini),
    ``whale_curve`` (:func:`whale_curve`; draw with :func:`plot_whale_curve`),
    ``whale`` and ``whale_by_tier`` (:func:`whale_summary`), ``allocation``
    (:func:`tier_allocation` against ``growth_lag_quarters`` earlier),
    ``concentration_by_quarter`` and ``concentration_trend``
    (:func:`concentration_by_quarter` through the quarter,
    :func:`concentration_vs_peers`; draw with :func:`plot_concentration_trend`),
    ``migration`` (:func:`tier_migration` from the previous quarter); plus
    ``profit`` (:func:`customer_profitability` of the quarter). Without
    cost-to-serve data net profit is gross profit: the concentration and
    whale sections carry that caveat and ``allocation`` is unavailable.

    Parameters
    ----------
    transactions : DataFrame
        The region's order lines, whole history up to the quarter's end.
    service_costs : DataFrame or None
        The region's cost to serve per customer and month, or None.
    customers : DataFrame
        The region's customers (``customer_id``): counted for the summary.
    quarter : str or Quarter
    peer_quarterly : DataFrame, optional
        Per (region, quarter) aggregates of all regions (``ctx.data.peer_quarterly``).
    params : dict, optional
        The ``pareto`` parameters; missing keys take :data:`DEFAULTS`.
    seed : int
        Seed of the Gini bootstrap (the runner's ``run.seed``).
    currency : str
        Shown with money amounts.
    region : str
        The region's name, to leave it out of the peers (matched
        case-insensitively); by default the region of ``customers``.

    Returns
    -------
    ParetoReport
        transactions, service_costs, customers, peer_quarterly -> the sections above.

    Raises
    ------
    ParamsError
        A bad or unknown parameter (never hidden as "unavailable").
    DataError
        A required column is missing.
    """
    q = Quarter.parse(quarter)
    P = _merge_params(params)
    cutoffs = tuple(P["abc_cutoffs"])
    rep = ParetoReport(str(q), currency, P)
    _require(customers, ["customer_id"], "customers")
    n_region = int(customers["customer_id"].nunique())
    if not region and "region" in customers.columns and len(customers):
        region = str(customers["region"].iloc[0])

    rep.compute("profit", _quarter_profit, transactions, service_costs, q)

    def enough() -> pd.DataFrame:
        return _at_least_two(rep.table("profit"), n_region, q)

    def trend() -> pd.DataFrame:
        if n_region < 2:
            raise InsufficientDataError(_one_customer_text(n_region, q))
        return _trend(rep.table("concentration_by_quarter"), peer_quarterly, region, P["trend_measure"])

    def migration() -> pd.DataFrame:
        rep.table("profit")  # no orders in the quarter: say that, not "0 customers"
        if n_region < 2:
            raise InsufficientDataError(_one_customer_text(n_region, q, "revenue tiers"))
        prev = q.previous
        return tier_migration(transactions, prev.start, prev.end, q.start, q.end, cutoffs=cutoffs)

    if rep.available("profit") and len(rep.tables["profit"]) >= 2:
        rep.compute("summary", pareto_summary, rep.tables["profit"], share=P["share"], cutoffs=cutoffs, currency=currency)
        if rep.available("summary"):
            rep.tables["summary"] = rep.tables["summary"][["figure", "shown", "implication"]]
    else:
        rep.tables["summary"] = _degraded_summary(rep, n_region, q)
    rep.compute(
        "concentration",
        lambda: concentration_table(
            enough(), tops=tuple(P["top_fractions"]), share=P["share"], ci=P["gini_ci"], n_boot=P["bootstrap_draws"], seed=seed
        ),
    )
    rep.compute("whale_curve", lambda: whale_curve(_positive_profit(enough(), currency)["net_profit"]))
    rep.compute("whale", lambda: whale_summary(_positive_profit(enough(), currency), cutoffs=cutoffs))
    rep.compute("whale_by_tier", lambda: rep.table("whale").by_tier)
    base = q.shift(-int(P["growth_lag_quarters"]))
    allocation = rep.compute("allocation", lambda: tier_allocation(enough(), transactions, base.start, base.end, cutoffs=cutoffs))
    if allocation is not None and not (allocation["base_revenue"] > 0).any():
        rep.caveats["allocation"] = f"no orders in {base} (the comparison quarter): revenue growth cannot be shown"
    rep.compute("concentration_by_quarter", concentration_by_quarter, transactions, share=P["share"], through=q.end)
    rep.compute("concentration_trend", trend)
    rep.compute("migration", migration)

    if rep.available("profit") and not rep.tables["profit"].attrs.get("net_profit_includes_cost_to_serve", True):
        note = f"no cost-to-serve data for {q} (no service_costs table, or no rows in it for the quarter): net profit here is gross profit"
        for name in ("concentration", "whale_curve", "whale_by_tier"):
            if name in rep.tables:
                rep.caveats[name] = note
    prev = q.previous
    try:
        rep.previous_profit = customer_profitability(transactions, service_costs, prev.start, prev.end)
    except InsufficientDataError:
        rep.previous_profit = None
    return rep


# --------------------------------------------------------------------------- executive summary


def _headline_values(profit: pd.DataFrame | None, share: float, cutoffs) -> dict[str, float]:
    """The headline numbers of one quarter's :func:`customer_profitability` (NaN where undefined)."""
    out = dict.fromkeys(("rev_x", "net_x", "destroyers", "loss", "in_a", "loss_a"), np.nan)
    if profit is None or len(profit) < 2:
        return out
    for key, col in (("rev_x", "revenue"), ("net_x", "net_profit")):
        try:
            out[key] = share_of_customers_for(profit[col], share)
        except InsufficientDataError:
            pass
    net = profit["net_profit"]
    losing = net < 0
    out["destroyers"] = float(losing.sum())
    out["loss"] = float(-net[losing].sum()) + 0.0
    try:
        tiers = _revenue_tiers(profit["revenue"], cutoffs=cutoffs)
    except InsufficientDataError:
        return out
    in_a = losing & (tiers == "A")
    out["in_a"] = float(in_a.sum())
    out["loss_a"] = float(-net[in_a].sum()) + 0.0
    return out


def _customers(n: float) -> str:
    """``"1 customer"`` / ``"3 customers"`` for the action sentences."""
    n = int(n)
    return f"{n:,} customer" + ("" if n == 1 else "s")


def headline_figures(report: ParetoReport, currency: str = "CNY") -> tuple[pd.DataFrame, list[str]]:
    """The Pareto report's headline figures and the actions they suggest.

    Figures, this quarter against the previous quarter (from
    :attr:`ParetoReport.previous_profit`; NaN where a quarter has fewer than
    two customers, or where only one of the two quarters has cost-to-serve
    data, so that the comparison would mix net and gross profit):

    1. the share of customers making ``share`` (80%) of revenue
       (:func:`share_of_customers_for`; good: up, less dependence on few names);
    2. the same for net profit (good: up);
    3. customers losing money after cost to serve (net profit < 0; good: down);
    4. their combined loss, in ``currency`` (good: down; labelled "Loss of the loss-making customers");
    5. of them, customers in revenue tier A (good: down): cost customers.

    Actions, at most three, in this order, each only when it applies: review
    the terms of the loss-making tier A customers; cut the cost to serve of
    the loss-making customers in tiers B and C (check their prices when there
    are no cost-to-serve data); move sales effort to tiers B and C when tier A
    takes a larger share of the cost to serve than of net profit while B and C
    grow faster (:func:`tier_allocation`); ask the customers who moved down a
    revenue tier what changed (:func:`tier_migration`). With none of these,
    one sentence says the allocation can stay.

    Parameters
    ----------
    report : ParetoReport
        From :func:`pareto_region`.
    currency : str
        Shown with money (``ctx.currency``).

    Returns
    -------
    (DataFrame, list of str)
        Columns figure, value, previous, unit, good (see
        :func:`custlib.reports.context.executive_summary`); the actions in plain words
        (numbers only, no customer names). report -> headlines.
    """
    P = {**DEFAULTS, **report.params}
    share, cutoffs = float(P["share"]), tuple(P["abc_cutoffs"])
    q = Quarter.parse(report.quarter)
    cur = f"{currency} " if currency else ""
    unit = f" ({currency})" if currency else ""
    pct = f"{round(share * 100, 6):g}%"
    profit = report.tables.get("profit")
    now = _headline_values(profit, share, cutoffs)
    before = _headline_values(report.previous_profit, share, cutoffs)
    known = bool(profit.attrs.get("net_profit_includes_cost_to_serve", True)) if profit is not None else True
    if report.previous_profit is not None and bool(report.previous_profit.attrs.get("net_profit_includes_cost_to_serve", True)) != known:
        before = {k: (v if k == "rev_x" else np.nan) for k, v in before.items()}
    measure = "net profit" if known else "gross profit"
    figures = pd.DataFrame(
        [
            (f"Customers making {pct} of revenue", now["rev_x"], before["rev_x"], "pct", "up"),
            (f"Customers making {pct} of {measure}", now["net_x"], before["net_x"], "pct", "up"),
            ("Customers losing money", now["destroyers"], before["destroyers"], "count", "down"),
            (f"Loss of the loss-making customers{unit}", now["loss"], before["loss"], "money", "down"),
            ("Tier A customers losing money", now["in_a"], before["in_a"], "count", "down"),
        ],
        columns=["figure", "value", "previous", "unit", "good"],
    )

    actions = []
    after = "after cost to serve" if known else "on their gross profit"
    if now["in_a"] > 0:
        n = now["in_a"]
        actions.append(
            f"Review prices, payment terms and service levels of the {_customers(n)} in tier A who lose money {after} "
            f"({cur}{now['loss_a']:,.0f} in total) before chasing more of their volume."
        )
    others = now["destroyers"] - now["in_a"]
    if others > 0:
        x = now["loss"] - now["loss_a"]
        if known:
            actions.append(
                f"Cut the cost to serve of the {_customers(others)} in tiers B and C who lose money ({cur}{x:,.0f} in total): "
                "fewer visits, pooled deliveries or minimum order sizes."
            )
        else:
            actions.append(
                f"Check the prices of the {_customers(others)} in tiers B and C who are sold below cost ({cur}{x:,.0f} in total)."
            )
    alloc = report.tables.get("allocation")
    if alloc is not None:
        a = alloc.set_index("tier")
        bc_base = float(a.loc[["B", "C"], "base_revenue"].sum())
        g_bc = float(a.loc[["B", "C"], "revenue"].sum()) / bc_base - 1 if bc_base > 0 else np.nan
        g_a = float(a.loc["A", "revenue_growth"])
        cts_a, np_a = float(a.loc["A", "cost_to_serve_share"]), float(a.loc["A", "net_profit_share"])
        if g_bc > g_a and cts_a > np_a:
            actions.append(
                f"Tier A takes {cts_a:.0%} of the cost to serve but earns {np_a:.0%} of net profit, while revenue in tiers B and C "
                f"changed {g_bc:+.0%} against {report.base_quarter} (tier A: {g_a:+.0%}): move sales effort towards B and C."
            )
    moves = report.tables.get("migration")
    if moves is not None:
        downs = int(moves.loc[moves["move"] == "down", "customers"].sum())
        if downs:
            actions.append(f"Ask the {_customers(downs)} who moved down a revenue tier since {q.previous} what changed.")
    if not actions and now["destroyers"] == 0:
        actions.append("No customer loses money and spending follows growth: keep the current allocation.")
    return figures, actions[:3]


# --------------------------------------------------------------------------- Chinese catalogue


def _zh_register() -> None:
    from custlib.present import i18n

    P = r"(-?[\d,.]+%)"
    N = r"([\d,]+)"
    A = r"((?:\S+ )?-?[\d,]+)"  # an amount, with the currency when there is one
    Q = r"(\d{4}Q\d)"
    D = r"(\d{4}-\d\d-\d\d)"
    NC = r"( \(no cost-to-serve data: net profit here is gross profit\))?"
    nc_zh = "（无服务成本数据：此处净利润即毛利）"

    def nc(m: re.Match, group: int) -> str:
        return nc_zh if m[group] else ""

    terms = {
        # column headers
        "measure": "衡量指标",
        "gini": "基尼系数",
        "Customers below zero": "数值为负的客户数",
        "Share of revenue": "收入占比",
        "Share of net profit": "净利润占比",
        "Share of cost to serve": "服务成本占比",
        "Cost to serve / revenue": "服务成本/销售收入",
        "Net profit per 1 of cost to serve": "每单位服务成本的净利润",
        "Loss-making customers": "亏损客户数",
        "Loss-making share": "亏损客户占比",
        "Their combined loss": "亏损合计",
        "from_tier": "原层级",
        "to_tier": "现层级",
        "move": "变动",
        "revenue_change": "销售收入变化",
        # values
        "All": "全部",
        NO_TIER_LABEL: "无订单",
        "Up": "升级",
        "Down": "降级",
        "Same": "不变",
        "Entered": "新进入",
        "Left": "退出",
        # charts
        "Whale curve": "鲸鱼曲线",
        "Cumulative net profit": "累计净利润",
        "Total net profit": "净利润总额",
        "Customers ranked by net profit (share of customers)": "按净利润从高到低排列的客户（客户占比）",
        "Cumulative net profit (share of total)": "累计净利润（占总额比例）",
        "Concentration by quarter: this region and the others": "各季度集中度：本区域与其他区域",
        "Other regions (range)": "其他区域（范围）",
        "Other regions (median)": "其他区域（中位数）",
        "This region": "本区域",
        "Quarter": "季度",
        "Gini coefficient of revenue": "销售收入的基尼系数",
        "Revenue share of the top 20% of customers": "前 20% 客户的收入占比",
        "Gini coefficient of gross profit": "毛利的基尼系数",
        # summary figures
        "Whale curve peak (share of total net profit)": "鲸鱼曲线峰值（占净利润总额的比例）",
        "Customers destroying value": "毁损价值的客户",
        # executive summary
        "Customers losing money": "亏损客户数",
        "Tier A customers losing money": "A 类亏损客户数",
        "No customer loses money and spending follows growth: keep the current allocation.": "没有亏损客户，投入也跟随增长：维持现有资源分配。",
        # summary sentences without numbers
        "Net profit is not positive in total, so its concentration is undefined.": "净利润总额不为正，无法衡量其集中度。",
        "None of them is a top revenue (tier A) customer: the losses sit in the smaller tiers.": (
            "其中没有收入最高的 A 类客户：亏损集中在较小的层级。"
        ),
        "Every customer covers its cost to serve.": "每家客户都能覆盖其服务成本。",
        "Every customer has a positive gross profit.": "每家客户的毛利都为正。",
        "There is nothing to diagnose this quarter; concentration over time below shows the history.": (
            "本季度没有可诊断的数据；下方的集中度趋势显示了历史情况。"
        ),
        "This region has one customer; concentration figures need at least two.": "本区域只有一家客户；集中度指标至少需要两家客户。",
        "This region has one customer; revenue tiers need at least two.": "本区域只有一家客户；划分收入层级至少需要两家客户。",
        # reasons and caveats without numbers
        "the region never had two or more customers with orders in one quarter; concentration over time needs at least two": (
            "本区域从未在同一季度有两家或以上客户下单；集中度趋势至少需要两家客户"
        ),
        "no cost-to-serve data for the period (no service_costs table, or no rows in it for these months): "
        "the resources spent on each tier are unknown": "本期没有服务成本数据（数据中没有服务成本表，或这几个月没有记录）：无法得知各层级投入的资源",
        "transactions: no order lines; concentration over time needs orders": "交易表没有订单明细；集中度趋势需要订单",
    }
    what_zh = {"concentration figures": "集中度指标", "revenue tiers": "划分收入层级"}
    patterns = [
        # column headers and captions with numbers
        (r"^Top ([\d.]+%)$", r"前 \1 客户占比"),
        (r"^Customers making ([\d.]+%)$", r"贡献 \1 所需的客户占比"),
        (r"^Gini ([\d.]+%) interval$", r"基尼系数 \1 置信区间"),
        (r"^Revenue growth vs (\d{4}Q\d)$", r"较 \1 的收入增长率"),
        (r"^Revenue (\d{4}Q\d)$", r"\1 销售收入"),
        # charts
        (rf"^Peak {P} at {P} of customers$", r"峰值 \1（前 \2 的客户）"),
        (
            rf"^No customer loses money: the curve rises to 100% of the net profit without a peak above it{NC}\.$",
            lambda m: f"没有亏损客户：曲线升至净利润的 100% 后不再有更高的峰值{nc(m, 1)}。",
        ),
        # summary figures
        (r"^Customers making ([\d.]+%) of revenue$", r"贡献 \1 销售收入的客户占比"),
        (r"^Customers making ([\d.]+%) of net profit$", r"贡献 \1 净利润的客户占比"),
        (r"^Customers making ([\d.]+%) of gross profit$", r"贡献 \1 毛利的客户占比"),
        (rf"^Orders in {Q}$", r"\1 的订单"),
        (rf"^Customers with orders in {Q}$", r"\1 有订单的客户"),
        (r"^Loss of the loss-making customers \((\S+)\)$", r"亏损客户的亏损合计（\1）"),
        ("^Loss of the loss-making customers$", "亏损客户的亏损合计"),
        # summary sentences
        (rf"^{P} of customers bring {P} of revenue, close to the 80/20 pattern\.$", r"\1 的客户贡献了 \2 的销售收入，接近二八法则。"),
        (
            rf"^{P} of customers bring {P} of revenue, more concentrated than 80/20: losing one large customer would hurt\.$",
            r"\1 的客户贡献了 \2 的销售收入，比二八法则更集中：失去一家大客户就会造成明显损失。",
        ),
        (
            rf"^{P} of customers bring {P} of revenue, flatter than 80/20: revenue is spread over many customers\.$",
            r"\1 的客户贡献了 \2 的销售收入，比二八法则更分散：销售收入分布在许多客户身上。",
        ),
        (
            rf"^Net profit is more concentrated: {P} of customers make {P} of it{NC}\.$",
            lambda m: f"净利润更集中：{m[1]} 的客户贡献了 {m[2]} 的净利润{nc(m, 3)}。",
        ),
        (
            rf"^Net profit is less concentrated: it takes {P} of customers to make {P} of it{NC}\.$",
            lambda m: f"净利润较分散：需要 {m[1]} 的客户才贡献 {m[2]} 的净利润{nc(m, 3)}。",
        ),
        (
            rf"^Total net profit is {A}, not positive: the whale curve is undefined; the whole region is a cost centre this period\.$",
            r"净利润总额为 \1，不为正：鲸鱼曲线无从谈起；本期整个区域都是成本中心。",
        ),
        (rf"^{N} customers? loses? money, {A} in total{NC}\.$", lambda m: f"{m[1]} 家客户亏损，合计 {m[2]}{nc(m, 3)}。"),
        (
            rf"^The most profitable {P} of customers earn {P} of the net profit; the other {P} give {P} of it back{NC}\.$",
            lambda m: f"利润最高的 {m[1]} 的客户创造了 {m[2]} 的净利润；其余 {m[3]} 的客户又亏掉了其中的 {m[4]}{nc(m, 5)}。",
        ),
        (
            rf"^{N} customers? \({P}\) loses? money (after cost to serve|on their gross profit), {A} in total \({P} of net profit\){NC}\.$",
            lambda m: (
                f"{m[1]} 家客户（{m[2]}）{'扣除服务成本后' if m[3].startswith('after') else '按毛利计'}亏损，"
                f"合计 {m[4]}（占净利润的 {m[5]}）{nc(m, 6)}。"
            ),
        ),
        (
            rf"^{N} of them (?:is a|are) top revenue \(tier A\) customers?: big buyers can be cost customers; "
            r"review their prices, terms and service levels before chasing more of their volume\.$",
            r"其中 \1 家是收入最高的 A 类客户：大客户可能是本钱客户；在争取更多销量之前，先复查其价格、账期和服务水平。",
        ),
        (
            rf"^The region has no orders in {Q} \({D} to {D}\); (?:the last order before it was on {D}|there are no earlier orders either) "
            rf"\(the region has {N} customer\(s\)\)\.$",
            lambda m: (
                f"本区域在 {m[1]}（{m[2]} 至 {m[3]}）没有订单；"
                + (f"此前最后一笔订单在 {m[4]}" if m[4] else "此前也没有订单")
                + f"（本区域共有 {m[5]} 家客户）。"
            ),
        ),
        (
            rf"^Only one of the region's {N} customers bought in {Q}; (concentration figures|revenue tiers) need at least two\.$",
            lambda m: f"本区域 {m[1]} 家客户中只有一家在 {m[2]} 有购买；{what_zh[m[3]]}至少需要两家客户。",
        ),
        (rf"^It earns {A} of net profit after cost to serve\.$", r"该客户扣除服务成本后的净利润为 \1。"),
        (rf"^It earns {A} of gross profit \(no cost-to-serve data\)\.$", r"该客户的毛利为 \1（无服务成本数据）。"),
        (
            rf"^It loses {A} of net profit after cost to serve: review its prices, terms and service\.$",
            r"该客户扣除服务成本后亏损 \1：请复查其价格、账期和服务。",
        ),
        (
            rf"^It loses {A} of gross profit \(no cost-to-serve data\): review its prices, terms and service\.$",
            r"该客户按毛利计亏损 \1（无服务成本数据）：请复查其价格、账期和服务。",
        ),
        # executive summary actions
        (
            rf"^Review prices, payment terms and service levels of the {N} customers? in tier A who lose money "
            rf"(after cost to serve|on their gross profit) \({A} in total\) before chasing more of their volume\.$",
            lambda m: (
                f"在争取更多销量之前，先复查 {m[1]} 家{'扣除服务成本后' if m[2].startswith('after') else '按毛利计'}亏损的 A 类客户"
                f"的价格、账期和服务水平（合计亏损 {m[3]}）。"
            ),
        ),
        (
            rf"^Cut the cost to serve of the {N} customers? in tiers B and C who lose money \({A} in total\): "
            r"fewer visits, pooled deliveries or minimum order sizes\.$",
            r"降低 B、C 类中 \1 家亏损客户的服务成本（合计亏损 \2）：减少拜访、合并配送或设定最低订货量。",
        ),
        (
            rf"^Check the prices of the {N} customers? in tiers B and C who are sold below cost \({A} in total\)\.$",
            r"检查 B、C 类中 \1 家低于成本销售的客户的价格（合计 \2）。",
        ),
        (
            rf"^Tier A takes {P} of the cost to serve but earns {P} of net profit, while revenue in tiers B and C changed "
            rf"([+-][\d,.]+%) against {Q} \(tier A: ([+-][\d,.]+%)\): move sales effort towards B and C\.$",
            r"A 类客户占用了 \1 的服务成本，却只贡献 \2 的净利润；而 B、C 类客户的销售收入较 \4 变化 \3（A 类：\5）：把销售力量转向 B、C 类。",
        ),
        (
            rf"^Ask the {N} customers? who moved down a revenue tier since {Q} what changed\.$",
            r"询问自 \2 以来收入层级下降的 \1 家客户发生了什么变化。",
        ),
        # reasons a section is unavailable, and caveats
        (
            rf"^the region has no orders in {Q} \({D} to {D}\); the last order before it was on {D}$",
            r"本区域在 \1（\2 至 \3）没有订单；此前最后一笔订单在 \4",
        ),
        (
            rf"^the region has no orders in {Q} \({D} to {D}\); there are no earlier orders either$",
            r"本区域在 \1（\2 至 \3）没有订单，此前也没有订单",
        ),
        (
            rf"^total net profit is {A}, not positive: the region is a cost centre this quarter and shares of its profit are undefined; "
            r"the summary above counts the customers who lose money$",
            r"净利润总额为 \1，不为正：本季度本区域是成本中心，无法计算各部分占利润的比例；上方的摘要统计了亏损客户",
        ),
        (
            rf"^{N} customer\(s\) with orders in the (previous period|period) \({D} to {D}\); revenue tiers need at least 2$",
            lambda m: (
                f"{'上一期' if m[2].startswith('previous') else '本期'}（{m[3]} 至 {m[4]}）只有 {m[1]} 家客户有订单；划分收入层级至少需要 2 家"
            ),
        ),
        (rf"^no orders in {Q} \(the comparison quarter\): revenue growth cannot be shown$", r"比较季度 \1 没有订单：无法显示收入增长"),
        (
            rf"^no cost-to-serve data for {Q} \(no service_costs table, or no rows in it for the quarter\): net profit here is gross profit$",
            r"\1 没有服务成本数据（数据中没有服务成本表，或该季度没有记录）：此处净利润即毛利",
        ),
    ]
    i18n.register(terms=terms, patterns=patterns)


_zh_register()
