"""Customer development forecasting (DOMAIN.md section 3).

Customer development means selling more to existing customers. This module
holds the computations behind the development report:

1. :func:`campaign_forecast` / :func:`best_targets_within_budget` /
   :func:`campaign_plan`: response rate, purchase volume, provision cost,
   profit and ROI per target segment, with intervals, and the best target
   list within a budget.
2. :class:`ResponseModel` (with :func:`offer_features`,
   :func:`customer_features`, :func:`fit_response_model`,
   :func:`calibration_table`, :func:`gains_table`, :func:`plot_gains`):
   who responds to development offers.
3. :func:`co_purchase` / :func:`next_best_product`: product cross analysis.
4. :func:`monthly_revenue` / :func:`forecast_revenue` (with :func:`mase`,
   :func:`backtest_series`, :func:`forecast_series`,
   :func:`plot_revenue_forecast`): the region's monthly revenue forecast,
   checked against a seasonal-naive baseline.
6. :func:`early_warning`: the watch list of slipping customers.
7. :func:`development_kpis` / :func:`kpi_summary` /
   :func:`winback_candidates`: how development is going and which lapsed
   customers are worth winning back.

8. :func:`development_region` / :class:`DevelopmentReport`: every section
   of the report for one region and quarter, each allowed to be
   unavailable (with the reason in plain words) so that thin data never
   fail the whole report; :func:`response_rates` is the model-free view of
   past offers a small region can still get. :meth:`DevelopmentReport.view`
   is what a manager reads (readable columns, intervals as one column, the
   first rows of long lists); :func:`campaign_summary` and
   :func:`headline_figures` give the plan's sentence and the executive
   summary; the Chinese catalogue is registered with :mod:`custlib.present.i18n`
   at import.

Speed (a region of 100,000+ customers and millions of order lines in
seconds): ids are hashed once into integer codes instead of grouping on
strings section after section, the product pairs are counted once and
shared with the next-best product, features and probabilities are computed
from the lines of the customers that need them only, BLAS runs on one
thread during the report (small matrices, many calls), and the lifetime
value models are fitted on a seeded sample of customers in large regions
(:func:`custlib.clv.lifetime_value_analysis`).

``CAMPAIGN_COLUMNS``, ``WATCH_COLUMNS`` and ``KPI_COLUMNS`` name the
columns the report shows.

(Item 5, customer lifetime value, lives in :mod:`custlib.clv`.)

Every function is pure: data first, column names as keyword arguments, a new
frame returned, inputs never mutated, randomness seeded.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from custlib.analysis.development.campaign import (
    CAMPAIGN_COLUMNS,
    best_targets_within_budget,
    beta_binomial_interval,
    campaign_forecast,
    campaign_plan,
    mean_interval,
)
from custlib.analysis.development.common import month_start as _month_start
from custlib.analysis.development.common import require as _require
from custlib.analysis.development.early_warning import WATCH_COLUMNS as _WATCH_CODES
from custlib.analysis.development.early_warning import early_warning as _early_warning
from custlib.analysis.development.features import (
    FEATURE_WINDOW_MONTHS,
    customer_features,
    offer_features,
)
from custlib.analysis.development.forecast import (
    RevenueForecast,
    backtest_series,
    forecast_revenue,
    forecast_series,
    mase,
    monthly_revenue,
    seasonal_naive,
)
from custlib.analysis.development.kpis import KPI_COLUMNS, development_kpis
from custlib.analysis.development.pairs import co_purchase, next_best_product
from custlib.analysis.development.response import ResponseModel, calibration_table, fit_response_model, gains_table, response_rates
from custlib.analysis.development.winback import winback_candidates
from custlib.exceptions import DataError, InsufficientDataError, ParamsError
from custlib.io.periods import Quarter
from custlib.reports.context import Sections

__all__ = [
    "CAMPAIGN_COLUMNS",
    "FEATURE_WINDOW_MONTHS",
    "KPI_COLUMNS",
    "REPORT_SECTIONS",
    "WATCH_COLUMNS",
    "forecast_summary",
    "DevelopmentReport",
    "RevenueForecast",
    "ResponseModel",
    "backtest_series",
    "beta_binomial_interval",
    "best_targets_within_budget",
    "calibration_table",
    "campaign_forecast",
    "campaign_plan",
    "campaign_summary",
    "co_purchase",
    "customer_features",
    "development_kpis",
    "development_region",
    "early_warning",
    "fit_response_model",
    "forecast_revenue",
    "forecast_series",
    "gains_table",
    "headline_figures",
    "kpi_summary",
    "mase",
    "mean_interval",
    "money_ticks",
    "monthly_revenue",
    "next_best_product",
    "offer_features",
    "plot_gains",
    "plot_revenue_forecast",
    "response_rates",
    "seasonal_naive",
    "winback_candidates",
]


def campaign_summary(plan: pd.DataFrame, *, budget: float | None = None, min_offers: int = 10, currency: str = "") -> str:
    """One or two sentences on :func:`campaign_plan`'s choice of whom to contact.

    Says how many customers the plan contacts within the budget, in how many
    target groups, at what expected provision cost and for what expected
    profit; or that no target group is expected to make a profit (or none has
    the past offers needed to rank it); and how many groups are shown but
    not ranked because they had fewer than ``min_offers`` past offers.

    Parameters
    ----------
    plan : DataFrame
        :func:`campaign_plan`: ranked, contact_customers, contact_cost_total, contact_profit_total.
    budget : float, optional
        The budget, named in the sentence when given.
    min_offers : int
        The ranking threshold (``development.campaign.min_offers``).
    currency : str
        Prefix of money amounts.

    Returns
    -------
    str
        plan -> text (numbers only, no customer data).

    Raises
    ------
    DataError
        A column is missing.
    """
    _require(plan, ["ranked", "contact_customers", "contact_cost_total", "contact_profit_total"], "plan")
    cur = f"{currency} " if currency else ""
    within = f"Within the budget of {cur}{budget:,.0f}" if budget is not None else "Within the budget"
    chosen = plan.loc[plan["contact_customers"] > 0]
    ranked = plan["ranked"].fillna(False).astype(bool)
    if len(chosen):
        n, groups = int(chosen["contact_customers"].sum()), len(chosen)
        text = (
            f"{within} the plan contacts {n:,} customer{'s' if n != 1 else ''} in {groups} target group{'s' if groups != 1 else ''}: "
            f"expected provision cost {cur}{chosen['contact_cost_total'].sum():,.0f}, "
            f"expected profit {cur}{chosen['contact_profit_total'].sum():,.0f}."
        )
    elif ranked.any():
        text = "No target group is expected to make a profit from this campaign: do not run it as planned."
    else:
        text = f"No target group has the {min_offers} past offers needed to rank it: make more offers before planning a campaign."
    unranked = int((~ranked).sum())
    if unranked and ranked.any():
        text += (
            f" {unranked} target group{'s' if unranked != 1 else ''} with fewer than {min_offers} past offers "
            f"{'are' if unranked != 1 else 'is'} shown but not ranked."
        )
    return text


MODEL_LABELS = {"seasonal_naive": "Seasonal naive", "ets": "ETS", "sarimax": "SARIMAX"}
"""How the forecast models read in the report."""


WATCH_COLUMNS = [*_WATCH_CODES, "evidence"]
"""Columns of :func:`early_warning` shown in the report."""


def early_warning(transactions: pd.DataFrame, customers: pd.DataFrame | None = None, **settings) -> pd.DataFrame:
    """:func:`custlib.analysis.development.early_warning.early_warning` with an English ``evidence`` column (the old report's)."""
    out = _early_warning(transactions, customers, **settings)
    s = {"measure": "revenue", "smooth_months": 3, "recent_months": 3, "trailing_months": 12, "line_window_months": 6, **settings}
    w = s["line_window_months"]

    def _evidence(r) -> str:
        parts = []
        if r["decline"]:
            parts.append(
                f"{s['measure']} ({s['smooth_months']}-month total) fell {int(r['months_declining'])} months in a row, by {r['decline_pct']:.0%}"
            )
        if r["drop"]:
            parts.append(
                f"last {s['recent_months']} months average {r['recent_avg_revenue']:,.0f} is {-r['revenue_change_pct']:.0%} below the {s['trailing_months']}-month average {r['trailing_avg_revenue']:,.0f}"
            )
        if r["lines"]:
            parts.append(f"product lines {int(r['lines_before'])} -> {int(r['lines_recent'])} (last {w} months against the {w} before)")
        if np.isfinite(r["p_alive"]):
            parts.append(f"P(alive) {r['p_alive']:.0%}")
        return "; ".join(parts)

    return out.assign(evidence=[_evidence(r) for r in out.to_dict("records")] if len(out) else pd.Series(dtype="str")).astype(
        {"evidence": "str"}
    )


def forecast_summary(result: RevenueForecast) -> str:
    """One sentence for the report on which forecast model is shown."""
    bt = result.backtest.set_index("model")
    if result.beats_naive:
        return (
            f"{MODEL_LABELS.get(result.chosen, result.chosen)} is shown: its backtest MASE {bt.loc[result.chosen, 'mase']:.2f} "
            f"beats the seasonal-naive baseline's {bt.loc['seasonal_naive', 'mase']:.2f}."
        )
    return (
        f"No model beat the seasonal-naive baseline in the backtest (MASE {bt.loc['seasonal_naive', 'mase']:.2f}); "
        "the seasonal-naive forecast is shown."
    )


def plot_gains(gains: pd.DataFrame, ax=None, *, title: str | None = "Cumulative gains"):
    """Cumulative gains chart from :func:`gains_table` (model against random targeting).

    Parameters
    ----------
    gains : DataFrame
        cum_share_contacted, cum_share_responders.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    _require(gains, ["cum_share_contacted", "cum_share_responders"], "gains")
    ax = ax if ax is not None else plt.subplots()[1]
    x = np.r_[0.0, gains["cum_share_contacted"].to_numpy()]
    y = np.r_[0.0, gains["cum_share_responders"].to_numpy()]
    from matplotlib.ticker import PercentFormatter

    ax.plot(x, y, marker="o", label="Response model")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="Random targeting")
    ax.set_xlabel("Share of customers contacted (highest scores first)")
    ax.set_ylabel("Share of responders reached")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.legend(loc="lower right")
    if title:
        ax.set_title(title)
    return ax


def plot_revenue_forecast(result: RevenueForecast, ax=None, *, title: str | None = None, currency: str = ""):
    """History, forecast and prediction interval of a :class:`RevenueForecast`.

    Parameters
    ----------
    result : RevenueForecast
    ax : matplotlib Axes, optional
    title : str, optional
        Default names the model shown.
    currency : str
        Shown with the money ticks (:func:`money_ticks`).

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.subplots()[1]
    h, f = result.history, result.forecast
    model = MODEL_LABELS.get(result.chosen, result.chosen)
    ax.plot(h.index, h.to_numpy(), marker=".", label="Actual")
    ax.plot(f.index, f["mean"].to_numpy(), marker=".", label=f"Forecast ({model})")
    ax.fill_between(f.index, f["lower"].to_numpy(), f["upper"].to_numpy(), alpha=0.25, label=f"{result.level:.0%} prediction interval")
    ax.set_ylabel("Revenue per month")
    ax.yaxis.set_major_formatter(money_ticks(currency))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, frameon=False)  # below the axes: never over the data
    ax.set_title(title if title is not None else f"Monthly revenue and forecast ({model})")
    return ax


def money_ticks(currency: str = ""):
    """A matplotlib tick formatter for money: ``CNY 4.5M`` in English, ``CNY 450万`` in a Chinese report.

    English counts in thousands (K), millions (M) and billions (B); Chinese in
    万 (10^4) and 亿 (10^8). The language is the report's at drawing time
    (:func:`custlib.reports.context.current_lang`).

    Parameters
    ----------
    currency : str
        Shown before each amount ("" for none).

    Returns
    -------
    matplotlib.ticker.FuncFormatter
        value -> tick text.
    """
    from matplotlib.ticker import FuncFormatter

    def fmt(v, _pos=None) -> str:
        from custlib.reports.context import current_lang, money_text

        return money_text(v, currency, current_lang())

    return FuncFormatter(fmt)


def kpi_summary(kpis: pd.DataFrame, *, currency: str = "") -> str:
    """One paragraph on the latest quarter of :func:`development_kpis` for the report.

    States existing customers' revenue and its change against the previous
    quarter and a year earlier, the run of year-on-year growth (sustained
    growth signals potential), their share of revenue, and whether
    development (year-on-year profit growth from existing customers) returned
    more or less than acquisition (profit of new customers); when it returned
    less, DOMAIN.md section 3 advises moving resources to acquisition.

    Parameters
    ----------
    kpis : DataFrame
        Output of :func:`development_kpis` (the last row is described).
    currency : str
        Prefix of money amounts.

    Returns
    -------
    str
        kpis -> text (numbers only, no customer data).

    Raises
    ------
    DataError
        Empty or missing columns.
    """
    _require(
        kpis,
        [
            "quarter",
            "existing_revenue",
            "existing_revenue_qoq_pct",
            "existing_revenue_yoy_pct",
            "existing_share_revenue",
            "existing_profit_yoy",
            "new_profit",
            "yoy_growth_streak",
        ],
        "kpis",
    )
    if kpis.empty:
        raise DataError("kpis: no quarters to describe")
    r = kpis.iloc[-1]
    cur = f"{currency} " if currency else ""

    def pct(v) -> str:
        return "n/a" if pd.isna(v) else f"{v:+.1%}"

    streak = int(r["yoy_growth_streak"])
    growth = (
        f"{streak} quarter{'s' if streak != 1 else ''} of year-on-year growth running" if streak else "no year-on-year growth this quarter"
    )
    dev_gain, acq = float(r["existing_profit_yoy"]), float(r["new_profit"])
    if pd.isna(dev_gain):
        verdict = "there is no quarter a year earlier to compare development with acquisition."
    else:
        change = f"added {cur}{dev_gain:,.0f} of profit" if dev_gain >= 0 else f"lost {cur}{-dev_gain:,.0f} of profit"
        verdict = f"development {change} on a year earlier, against {cur}{acq:,.0f} earned from new customers: " + (
            "development returned more." if dev_gain >= acq else "acquisition returned more this quarter."
        )
    share = r["existing_share_revenue"]
    share_text = "no revenue at all this quarter" if pd.isna(share) else f"{float(share):.0%} of all revenue"
    return (
        f"In {r['quarter']} existing customers bought {cur}{float(r['existing_revenue']):,.0f} "
        f"({pct(r['existing_revenue_qoq_pct'])} on the previous quarter, {pct(r['existing_revenue_yoy_pct'])} on a year earlier; {growth}), "
        f"{share_text}; {verdict}"
    )


def _history_windows(first_order, asof, settings: dict) -> tuple[dict, str]:
    """Early-warning settings fitted to a short history, and a note saying what was shortened.

    The trailing window is cut to the months available before the recent
    window and the product-line windows to half the history, with the
    minimum number of trailing orders scaled in proportion. Raises
    InsufficientDataError when even that leaves a trailing window shorter
    than the recent one.
    """
    s = dict(settings)
    recent = int(s.get("recent_months", 3))
    trailing = int(s.get("trailing_months", 12))
    line = int(s.get("line_window_months", 6))
    decline = int(s.get("decline_months", 3)) + int(s.get("smooth_months", 3))
    start, last = _month_start(first_order), _month_start(asof)
    have = (last.year - start.year) * 12 + last.month - start.month + 1
    if have >= max(recent + trailing, decline, 2 * line):
        return s, ""
    new_trailing, new_line = min(trailing, have - recent), min(line, have // 2)
    if new_trailing < recent or have < decline or new_line < 1:
        raise InsufficientDataError(
            f"transactions: {have} months of history ({start:%Y-%m} to {last:%Y-%m}); the watch list needs at least "
            f"{max(2 * recent, decline)} months (a trailing window at least as long as the {recent}-month recent window)"
        )
    changed = []
    if new_trailing < trailing:
        orders = int(s.get("min_trailing_orders", 6))
        s["trailing_months"] = new_trailing
        s["min_trailing_orders"] = max(1, math.ceil(orders * new_trailing / trailing))
        changed.append(
            f"the trailing window is {new_trailing} months instead of {trailing} "
            f"(and a customer needs {s['min_trailing_orders']} orders in it instead of {orders})"
        )
    if new_line < line:
        s["line_window_months"] = new_line
        changed.append(f"product lines compare the last {new_line} months with the {new_line} before, instead of {line}")
    return s, f"the data start {start:%Y-%m}, only {have} months before the quarter's end: " + "; ".join(changed)


# display: what each result looks like in the report (readable columns, number formats, top rows only)

FEATURE_LABELS = {
    "const": "Intercept",
    "tenure_years": "Years as a customer",
    "orders_12m": "Orders in the last 12 months",
    "log_revenue_12m": "Revenue in the last 12 months (log scale)",
    "categories_12m": "Categories bought in the last 12 months",
    "months_since_last_order": "Months since the last order",
    "category_fit": "Offer in a category the customer buys",
    "size_band": "Size band",
    "market_type": "Market type",
    "channel": "Channel",
}
"""How the response model's features read in the report (see :data:`FEATURE_DOCS`)."""


def _cap(text) -> str:
    """``"all offers"`` -> ``"All offers"`` (other characters kept)."""
    text = str(text)
    return text[:1].upper() + text[1:]


def _pct_range(low, high) -> list[str]:
    """``0.463, 0.736`` -> ``"46.3% – 73.6%"`` per element (``"–"`` when missing)."""
    return ["–" if pd.isna(a) or pd.isna(b) else f"{a:.1%} – {b:.1%}" for a, b in zip(low, high, strict=True)]


def _num_range(low, high) -> list[str]:
    """``0.41, 1.26`` -> ``"0.41 – 1.26"`` per element (``"–"`` when missing)."""
    return ["–" if pd.isna(a) or pd.isna(b) else f"{a:,.2f} – {b:,.2f}" for a, b in zip(low, high, strict=True)]


def _p_text(p) -> str:
    return "–" if pd.isna(p) else ("< 0.001" if p < 0.001 else f"{p:.3f}")


def _feature_label(name: str, reference: dict) -> str:
    """``"size_band=large"`` -> ``"Size band: large (against small)"``; numeric features from :data:`FEATURE_LABELS`."""
    if "=" in name:
        col, level = name.split("=", 1)
        ref = reference.get(col)
        return f"{FEATURE_LABELS.get(col, _cap(col))}: {level}" + (f" (against {ref})" if ref is not None else "")
    return FEATURE_LABELS.get(name, name)


def _reading(low, high) -> str:
    """How to read an odds-ratio interval: above 1, below 1, or spanning 1."""
    if pd.isna(low) or pd.isna(high):
        return "Not conclusive"
    if low > 1:
        return "More likely to respond"
    if high < 1:
        return "Less likely to respond"
    return "Not conclusive"


def _one_direction(pairs: pd.DataFrame) -> pd.DataFrame:
    """Each pair once, in the direction with the higher confidence (ties: the first name), lift order kept."""
    a, b = pairs["antecedent"].astype("str"), pairs["consequent"].astype("str")
    key = np.where(a < b, a + "\x00" + b, b + "\x00" + a)
    ranked = pairs.assign(_key=key, _a=a).sort_values(["confidence", "_a"], ascending=[False, True], kind="stable")
    keep = ranked.drop_duplicates("_key").index
    return pairs.loc[pairs.index.isin(keep)]


def _view_campaign(df: pd.DataFrame, rep) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Target group": df["segment"].map(_cap),
            "Customers": df["customers"].astype("int64"),
            "Past offers": df["offers"].astype("int64"),
            "Response rate": df["response_rate"],
            "Likely range": _pct_range(df["response_rate_low"], df["response_rate_high"]),
            "Purchase per responder": df["volume"],
            "Cost per contact": df["cost_per_contact"],
            "Profit per contact": df["profit_per_contact"],
            "ROI": df["roi"],
            "Rank": df["rank"],
            "Customers to contact": df["contact_customers"].astype("int64"),
        }
    )


def _view_response_rates(df: pd.DataFrame, rep) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Customer group": df["group"].map(_cap),
            "Offers": df["offers"],
            "Responders": df["responders"],
            "Response rate": df["response_rate"],
            "Likely range": _pct_range(df["rate_low"], df["rate_high"]),
            "Purchase per responder": df["avg_response_revenue"],
        }
    )


def _view_odds_ratios(df: pd.DataFrame, rep) -> pd.DataFrame:
    model = rep.tables.get("response_model")
    reference = getattr(model, "reference_", {}) or {}
    rows = df.loc[df["feature"] != "const"]
    return pd.DataFrame(
        {
            "Feature": [_feature_label(f, reference) for f in rows["feature"]],
            "Odds ratio": rows["odds_ratio"].to_numpy(),
            "Likely range": _num_range(rows["or_low"], rows["or_high"]),
            "p-value": [_p_text(p) for p in rows["p_value"]],
            "Reading": [_reading(lo, hi) for lo, hi in zip(rows["or_low"], rows["or_high"], strict=True)],
        }
    )


def _view_scores(df: pd.DataFrame, rep) -> pd.DataFrame:
    out = {"Rank": df["rank"], "Customer": df["customer_id"]}
    out.update(
        {label: df[col] for col, label in (("name", "Name"), ("size_band", "Size band"), ("market_type", "Market type")) if col in df}
    )
    out["Response probability"] = df["p_response"]
    return pd.DataFrame(out)


def _view_pairs(first: str):
    def build(df: pd.DataFrame, rep) -> pd.DataFrame:
        one = _one_direction(df)
        return pd.DataFrame(
            {
                first: one["antecedent"],
                "Goes with": one["consequent"],
                "Orders with both": one["n_both"],
                "Support": one["support"],
                "Confidence": one["confidence"],
                "Lift": one["lift"],
            }
        )

    return build


def _view_next_best(df: pd.DataFrame, rep) -> pd.DataFrame:
    out = {"Customer": df["customer_id"]}
    out.update(
        {label: df[col] for col, label in (("name", "Name"), ("size_band", "Size band"), ("market_type", "Market type")) if col in df}
    )
    out.update({"Offer next": df["next_product"], "Because they buy": df["because_of"], "Lift": df["lift"], "Confidence": df["confidence"]})
    return pd.DataFrame(out)


def _view_backtest(df: pd.DataFrame, rep) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Model": df["model"].map(lambda m: MODEL_LABELS.get(m, m)),
            "MASE": df["mase"],
            "Relative MASE": df["relative_mase"],
            "Backtest origins": df["origins"],
            "Shown": np.where(df["chosen"], "✓", ""),
        }
    )


def _view_clv(df: pd.DataFrame, rep) -> pd.DataFrame:
    out = {"Customer": df["customer_id"]}
    info = rep.customer_info
    if info is not None and "name" in info.columns:
        out["Name"] = df["customer_id"].map(info["name"])
    out.update(
        {
            "Repeat purchases": df["frequency"],
            "Probability active": df["probability_alive"],
            "Expected purchases next month": df["expected_purchases"],
            "Expected spend per purchase": df["expected_value"],
            "Lifetime value": df["clv"],
        }
    )
    return pd.DataFrame(out)


def _view_watch(df: pd.DataFrame, rep) -> pd.DataFrame:
    out = {"Rank": df["rank"], "Customer": df["customer_id"]}
    out.update({label: df[col] for col, label in (("name", "Name"), ("size_band", "Size band")) if col in df})
    out.update(
        {
            "Usual revenue per month": df["trailing_avg_revenue"],
            "Recent revenue per month": df["recent_avg_revenue"],
            "Months falling": df["months_declining"].astype("int64"),
            "Product lines": [f"{int(b)} → {int(r)}" for b, r in zip(df["lines_before"], df["lines_recent"], strict=True)],
            "Probability active": df["p_alive"],
        }
    )
    return pd.DataFrame(out)


def _view_kpis(df: pd.DataFrame, rep) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Quarter": df["quarter"],
            "Existing customers' revenue": df["existing_revenue"],
            "Change on the previous quarter": df["existing_revenue_qoq_pct"],
            "Change on a year earlier": df["existing_revenue_yoy_pct"],
            "Share of revenue": df["existing_share_revenue"],
            "Existing customers' profit": df["existing_profit"],
            "Profit change on a year earlier": df["existing_profit_yoy_pct"],
            "New customers": df["new_customers"],
            "New customers' profit": df["new_profit"],
            "Development minus acquisition": df["dev_minus_new_profit"],
        }
    )


def _view_winback(df: pd.DataFrame, rep) -> pd.DataFrame:
    out = {"Rank": df["rank"], "Customer": df["customer_id"]}
    out.update({label: df[col] for col, label in (("name", "Name"), ("size_band", "Size band")) if col in df})
    out.update(
        {
            "Last order": df["last_order_date"],
            "Revenue in their last active year": df["past_revenue"],
            "Profit in their last active year": df["past_profit"],
            "Orders": df["orders"],
            "Probability active": df["p_alive"],
        }
    )
    return pd.DataFrame(out)


# per result: the display builder, number formats of its columns, whether only the first top_n rows are shown
_VIEWS: dict[str, dict] = {
    "campaign": {
        "build": _view_campaign,
        "money": ("Purchase per responder", "Cost per contact", "Profit per contact"),
        "pct": ("Response rate", "ROI"),
    },
    "response_rates": {"build": _view_response_rates, "pct": ("Response rate",), "money": ("Purchase per responder",)},
    "odds_ratios": {"build": _view_odds_ratios, "decimals": ("Odds ratio",)},
    "scores": {"build": _view_scores, "pct": ("Response probability",), "top": True, "what": "customers"},
    "pairs": {"build": _view_pairs("Product"), "pct": ("Support", "Confidence"), "decimals": ("Lift",), "top": True, "what": "pairs"},
    "category_pairs": {
        "build": _view_pairs("Category"),
        "pct": ("Support", "Confidence"),
        "decimals": ("Lift",),
        "top": True,
        "what": "pairs",
    },
    "next_best": {"build": _view_next_best, "pct": ("Confidence",), "decimals": ("Lift",), "top": True, "what": "customers"},
    "forecast_backtest": {"build": _view_backtest, "decimals": ("MASE", "Relative MASE")},
    "clv_customers": {
        "build": _view_clv,
        "money": ("Expected spend per purchase", "Lifetime value"),
        "pct": ("Probability active",),
        "decimals": ("Expected purchases next month",),
        "top": True,
        "what": "customers",
    },
    "watch": {
        "build": _view_watch,
        "money": ("Usual revenue per month", "Recent revenue per month"),
        "pct": ("Probability active",),
        "top": True,
        "caption": lambda df: f"{len(df):,} customers on the watch list",
    },
    "kpis": {
        "build": _view_kpis,
        "money": ("Existing customers' revenue", "Existing customers' profit", "New customers' profit", "Development minus acquisition"),
        "pct": ("Change on the previous quarter", "Change on a year earlier", "Share of revenue", "Profit change on a year earlier"),
    },
    "winback": {
        "build": _view_winback,
        "money": ("Revenue in their last active year", "Profit in their last active year"),
        "pct": ("Probability active",),
        "top": True,
        "what": "customers",
    },
}

#: Every result of :func:`development_region`, in report order (each is in ``tables`` or ``unavailable``).
REPORT_SECTIONS = (
    "campaign",
    "response_rates",
    "response_model",
    "odds_ratios",
    "gains",
    "scores",
    "pairs",
    "category_pairs",
    "next_best",
    "forecast",
    "forecast_backtest",
    "lifetime",
    "clv_check",
    "clv_customers",
    "watch",
    "kpis",
    "winback",
)

_NO_OFFERS = (
    "this data source has no offers table, so there are no past development offers to learn from. An offers table "
    "(one row per offer: offer_id, customer_id, offer_date, product_id, channel, contact_cost, responded, "
    "response_revenue) would make the campaign forecast and the response model possible."
)
_HINTS = {
    "campaign": (
        "The campaign forecast becomes possible once past offers in this region have at least two responders with a recorded "
        "response_revenue; the observed response rates are in section 2."
    ),
    "response_rates": "Offers made to this region's customers would make it possible.",
    "response_model": (
        "More past offers (for example several campaigns, or a longer history) would make the model possible; "
        "the observed response rates by group above are what the data support now."
    ),
    "pairs": "Orders holding several products would make the cross analysis possible.",
    "next_best": "Orders holding several products would make recommendations possible.",
    "forecast": "",
    "lifetime": ("More customers who buy repeatedly (orders on two or more days) would make the lifetime value models possible."),
    "watch": "A longer order history would make the watch list possible.",
    "kpis": "Orders up to the report quarter would make the KPIs possible.",
    "winback": "Customers with orders in the last quarters would give a level to compare lapsed customers with.",
}


def _explained(fn, hint: str):
    """``fn`` whose InsufficientDataError message ends with ``hint`` (what data would make it possible)."""

    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InsufficientDataError as err:
            raise InsufficientDataError(f"{str(err).rstrip('. ')}. {hint}".strip()) from err

    return run


class DevelopmentReport(Sections):
    """Every result of the development report for one region and quarter (see :func:`development_region`).

    A :class:`custlib.reports.context.Sections`: ``tables`` holds the results by name
    (:data:`REPORT_SECTIONS`), ``unavailable`` the plain-language reason for
    each one that could not be computed, ``caveats`` notes on results
    computed from less than the full data. :meth:`show`, :meth:`plot` and
    :meth:`say` render a result with the report's formats or say why it is
    missing, so a notebook needs no branching.

    Parameters
    ----------
    quarter : str
        Report quarter, e.g. "2026Q3".
    currency : str
        Prefix of money amounts.
    top_n : int
        Rows shown of ranked tables (scores, pairs, watch list, ...).

    Attributes
    ----------
    budget : float or None
        The campaign budget (``development.campaign.budget``), for the plan's sentence.
    min_offers : int
        Past offers a target group needs to be ranked.
    customer_info : DataFrame or None
        The customers' name, size band and market type by id (for tables that lack them).
    """

    def __init__(self, quarter: str, currency: str = "", top_n: int = 15) -> None:
        super().__init__()
        self.quarter = quarter
        self.currency = currency
        self.top_n = top_n
        self.budget: float | None = None
        self.min_offers = 10
        self.customer_info: pd.DataFrame | None = None

    def text(self, name: str) -> str:
        """The sentence(s) the report says about ``name`` ("campaign", "forecast" or "kpis").

        Raises
        ------
        InsufficientDataError
            The result is unavailable (the message says why).
        KeyError
            No text for ``name``.
        """
        result = self.table(name)
        if name == "campaign":
            return campaign_summary(result, budget=self.budget, min_offers=self.min_offers, currency=self.currency)
        if name == "forecast":
            return forecast_summary(result)
        if name == "kpis":
            return kpi_summary(result, currency=self.currency)
        raise KeyError(f"no text for {name!r}; texts: campaign, forecast, kpis")

    def say(self, name: str) -> None:
        """Say :meth:`text` of ``name`` in the report; nothing when unavailable (its table or chart says why)."""
        from custlib.reports.context import say

        if name in self.tables:
            say(self.text(name))

    def view(self, name: str) -> tuple[pd.DataFrame, str | None, dict]:
        """The table ``name`` as the report shows it: readable columns, the first ``top_n`` rows, caption, formats.

        Returns
        -------
        (DataFrame, caption or None, dict of :func:`custlib.reports.context.show` options)

        Raises
        ------
        InsufficientDataError
            The result is unavailable.
        """
        frame = self.table(name)
        spec = _VIEWS.get(name, {})
        out = spec["build"](frame, self) if "build" in spec else frame
        caption = spec["caption"](frame) if callable(spec.get("caption")) else None
        if spec.get("top") and len(out) > self.top_n:
            what = f" {spec['what']}" if spec.get("what") else ""
            caption = f"{caption} (the first {self.top_n} shown)" if caption else f"The first {self.top_n} of {len(out):,}{what}"
            out = out.head(self.top_n)
        opts = {k: tuple(spec.get(k, ())) for k in ("money", "pct", "decimals")}
        return out.reset_index(drop=True), caption, {**opts, "currency": self.currency}

    def show(self, name: str, caption: str | None = None, **kwargs) -> None:
        """Show the table ``name`` in the report's formats (:meth:`view`), or say why it is missing.

        ``kwargs`` (money, pct, decimals, currency ...) override the defaults
        and go to :func:`custlib.reports.context.show`.
        """
        from custlib.reports.context import show

        if self.say_unavailable(name):
            return
        out, default_caption, opts = self.view(name)
        show(out, caption if caption is not None else default_caption, **{**opts, **kwargs})

    def plot(self, name: str, plot_fn=None, *args, ax=None, **kwargs):
        """Draw the chart of ``name`` ("gains", "forecast" or "clv_check"), or say why it is missing.

        With ``plot_fn``, behaves as :meth:`custlib.reports.context.Sections.plot`.
        Without it, the report's chart for ``name`` is drawn; when the result
        is unavailable the reason is said as text and None is returned (no
        empty figure).

        Returns
        -------
        matplotlib Axes or None
        """
        if plot_fn is not None:
            return super().plot(name, plot_fn, *args, ax=ax, **kwargs)
        if self.say_unavailable(name):
            return None
        if name == "gains":
            auc = self.tables["response_model"].auc_
            return plot_gains(self.tables["gains"], ax=ax, title=f"Cumulative gains on the holdout (AUC {auc:.2f})")
        if name == "forecast":
            return plot_revenue_forecast(self.tables["forecast"], ax=ax, currency=self.currency)
        if name == "clv_check":
            from custlib.clv import plot_holdout_check

            return plot_holdout_check(self.tables["clv_check"], ax=ax)
        raise KeyError(f"no chart for {name!r}; charts: gains, forecast, clv_check")


def development_region(
    transactions: pd.DataFrame,
    customers: pd.DataFrame,
    offers: pd.DataFrame | None,
    service_costs: pd.DataFrame | None,
    quarter,
    params: dict,
    *,
    seed: int = 0,
    currency: str = "",
    top_n: int | None = None,
) -> DevelopmentReport:
    """Compute every section of the development report for one region and quarter.

    Each section is computed on its own (:meth:`Sections.compute`); one that
    meets data too thin for it (one customer, no offers table, too few
    responders, a short history, ...) is recorded in ``unavailable`` with a
    plain-language reason that also says what data would make it possible,
    and the rest of the report is still computed. Where a small region can
    still be told something, it is: the observed response rates by group
    (:func:`response_rates`) need no minimum number of responders, and the
    watch list runs on shortened windows when the history is short (a
    caveat says so).

    Results (:data:`REPORT_SECTIONS`): campaign (:func:`campaign_plan`),
    response_rates, response_model (:class:`ResponseModel`) with its
    odds_ratios, gains and scores, pairs and category_pairs
    (:func:`co_purchase`), next_best (:func:`next_best_product`), forecast
    (:class:`RevenueForecast`) and forecast_backtest, lifetime
    (:class:`custlib.clv.LifetimeValueResult`) with clv_check and
    clv_customers, watch (:func:`early_warning`, with probability alive
    when the lifetime model exists), kpis (:func:`development_kpis`) and
    winback (:func:`winback_candidates`).

    Parameters
    ----------
    transactions, customers : DataFrame
        The region's order lines (only those up to the quarter's end count) and customers.
    offers, service_costs : DataFrame or None
        The region's past offers and costs to serve; None when the source lacks the table.
    quarter : str or Quarter
        Report quarter.
    params : dict
        Parameters with the ``development`` and ``clv`` sections (e.g. the
        report context's ``params``; other sections are ignored, and
        ``report.top_n`` is used when ``top_n`` is None).
    seed : int
        Seed of the campaign draws, the response model's split and the
        customer sample the lifetime value models are fitted on in large
        regions (:func:`custlib.clv.lifetime_value_analysis`, ``fit_sample``).
    currency : str
        Prefix of money amounts in the report.
    top_n : int, optional
        Rows shown of ranked tables (default ``params["report"]["top_n"]`` or 15).

    Returns
    -------
    DevelopmentReport
        order lines, customers[, offers, service_costs] -> the results
        above by name, each in ``tables`` or (with its reason) in ``unavailable``.

    Raises
    ------
    ParamsError
        A bad or missing parameter (never hidden as "unavailable").
    DataError
        Malformed input (a missing column, unknown customers in offers, ...).

    Notes
    -----
    Order ids are coded as integers once (they are only compared, never
    shown), the product pairs are shared with the next-best product, and
    BLAS runs on one thread while the report is computed (restored after):
    on a region of 113,226 customers and 2.7 million order lines this takes
    about 8 CPU seconds instead of 55, with the same results except where
    the lifetime value models are fitted on a sample (see ``seed``).
    """
    from custlib.clv import _one_blas_thread

    # BLAS on one thread: the models here multiply small matrices thousands of times, where BLAS threads
    # only wait on each other (and on the report running beside this one); the setting is restored after.
    with _one_blas_thread():
        return _development_region(
            transactions, customers, offers, service_costs, quarter, params, seed=seed, currency=currency, top_n=top_n
        )


def _development_region(transactions, customers, offers, service_costs, quarter, params, *, seed, currency, top_n) -> DevelopmentReport:
    """The work of :func:`development_region`."""
    from custlib import clv

    q = Quarter.parse(quarter)
    params = params or {}
    dp = params.get("development") or {}
    cp = dict(params.get("clv") or {})
    camp = dict(dp.get("campaign") or {})
    if "budget" not in camp:
        raise ParamsError("development.campaign.budget: the campaign budget is required")
    n_top = int(top_n if top_n is not None else (params.get("report") or {}).get("top_n", 15))
    rep = DevelopmentReport(str(q), currency=currency, top_n=n_top)
    rep.budget = float(camp["budget"])
    rep.min_offers = int(camp.get("min_offers", 10))
    asof = q.end
    _require(transactions, ["customer_id", "order_id", "order_date", "revenue", "cost"], "transactions")
    _require(customers, ["customer_id"], "customers")
    info = [c for c in ("name", "size_band", "market_type") if c in customers.columns]
    rep.customer_info = customers[["customer_id", *info]].drop_duplicates("customer_id").set_index("customer_id")
    tx = transactions.loc[transactions["order_date"] <= asof]
    # Order ids are only ever compared (baskets, order counts), never shown: code them as integers
    # once here instead of hashing millions of id strings again in every section.
    tx = tx.assign(order_id=pd.factorize(tx["order_id"])[0])
    if service_costs is not None:
        _require(service_costs, ["customer_id", "month", "cost_to_serve"], "service_costs")
        service_costs = service_costs.loc[service_costs["month"] <= asof]

    # 1-2. campaign forecast, observed response rates, response model
    offer_results = ("campaign", "response_rates", "response_model", "odds_ratios", "gains", "scores")
    if offers is None:
        for name in offer_results:
            rep.mark_unavailable(name, _NO_OFFERS if name == "campaign" else "no offers table (see section 1).")
    else:
        rep.compute(
            "campaign", _explained(campaign_plan, _HINTS["campaign"]), customers, offers, tx, service_costs, asof=asof, seed=seed, **camp
        )
        if service_costs is None and camp.get("serve_cost_per_order") is None:
            rep.caveats["campaign"] = (
                "no service costs in the data: the cost to serve a responder's order is taken as 0 beyond the "
                "serve_cost_rate (set development.campaign.serve_cost_per_order to include it)"
            )
        rep.compute(
            "response_rates",
            _explained(response_rates, _HINTS["response_rates"]),
            offers,
            customers,
            by=camp.get("segment_by", ("size_band",)),
            asof=asof,
            prior_alpha=camp.get("prior_alpha", 0.5),
            prior_beta=camp.get("prior_beta", 0.5),
            interval=camp.get("interval", 0.9),
        )
        model = rep.compute(
            "response_model",
            _explained(fit_response_model, _HINTS["response_model"]),
            offers,
            customers,
            tx,
            asof=asof,
            seed=seed,
            **(dp.get("response") or {}),
        )
        if model is None:
            rep.mark_unavailable("odds_ratios", rep.unavailable["response_model"])
            for name in ("gains", "scores"):
                rep.mark_unavailable(name, "no response model (see the reason above).")
        else:
            rep.tables["odds_ratios"] = model.odds_ratios_
            rep.tables["gains"] = model.gains_
            rep.compute("scores", model.score, customers, tx, asof=asof)

    if tx.empty:
        reason = (
            f"the region's customers have no orders up to {asof:%Y-%m-%d}, and every analysis of buying needs orders; "
            "order lines (transactions) for these customers would make it possible."
        )
        for name in REPORT_SECTIONS[REPORT_SECTIONS.index("pairs") :]:
            rep.mark_unavailable(name, reason)
        return rep

    # 3. product cross analysis
    cop = dp.get("copurchase") or {}
    for name, item in (("pairs", "product_id"), ("category_pairs", "category")):
        pairs = rep.compute(name, _explained(co_purchase, _HINTS["pairs"]), tx, item_col=item, **cop)
        if pairs is not None and pairs.empty:
            rep.caveats[name] = (
                f"no two {'products' if item == 'product_id' else 'categories'} were bought together in "
                f"{cop.get('min_count', 5)} or more orders with a lift above {cop.get('min_lift', 0.0)} "
                f"({int(tx['order_id'].nunique()):,} orders in all); more orders, or a lower development.copurchase.min_count, would show pairs"
            )
    # next best product reuses the product pairs (same lines, same min_count) instead of counting them again
    rules = rep.tables.get("pairs")
    nbp = rep.compute("next_best", _explained(next_best_product, _HINTS["next_best"]), tx, customers, rules=rules, **cop)
    if nbp is not None and nbp.empty:
        rep.caveats["next_best"] = "no customer has a qualifying co-purchase rule to recommend from (see the product pairs above)"

    # 4. revenue forecast
    fc = rep.compute("forecast", _explained(forecast_revenue, _HINTS["forecast"]), tx, end=asof, **(dp.get("forecast") or {}))
    if fc is None:
        rep.mark_unavailable("forecast_backtest", "no forecast (see the reason above).")
    else:
        rep.tables["forecast_backtest"] = fc.backtest

    # 5. lifetime value
    life = rep.compute("lifetime", _explained(clv.lifetime_value_analysis, _HINTS["lifetime"]), tx, asof, **{"seed": seed, **cp})
    if life is None:
        rep.mark_unavailable("clv_check", rep.unavailable["lifetime"])
        rep.mark_unavailable("clv_customers", "no lifetime value models (see the reason above).")
    else:
        check_notes = [n for n in life.notes if n.startswith("No holdout check")]
        if life.check is None:
            rep.mark_unavailable("clv_check", " ".join(check_notes) or "no holdout check")
        else:
            rep.tables["clv_check"] = life.check
        rep.tables["clv_customers"] = life.customers
        other = [n for n in life.notes if n not in check_notes]
        # a model's fit note is said once: the last one is the fit on the whole history (the check's fit comes first)
        last = {n.split(":", 1)[0]: n for n in other if n.startswith(("BG/NBD:", "Gamma-Gamma:"))}
        other = [n for n in other if not n.startswith(("BG/NBD:", "Gamma-Gamma:")) or last[n.split(":", 1)[0]] == n]
        if other:
            rep.caveats["clv_customers"] = "; ".join(n.rstrip(". ") for n in other)
    bgnbd = life.bgnbd if life is not None else None
    time_unit = cp.get("time_unit", "W")
    no_alive = "probability alive is not shown: the lifetime value model is not available (section 5)"

    # 6. early warning
    ew = dict(dp.get("early_warning") or {})
    try:
        ew, shortened = _history_windows(tx["order_date"].min(), asof, ew) if len(tx) else (ew, "")
    except InsufficientDataError as err:
        rep.mark_unavailable("watch", f"{str(err).rstrip('. ')}. {_HINTS['watch']}")
    else:
        watch = rep.compute(
            "watch", _explained(early_warning, _HINTS["watch"]), tx, customers, asof=asof, bgnbd=bgnbd, time_unit=time_unit, **ew
        )
        notes = [shortened] if shortened else []
        if watch is not None and watch.empty:
            notes.append("no customer meets a warning rule: nobody established is slipping")
        elif watch is not None and bgnbd is None:
            notes.append(no_alive)
        if notes:
            rep.caveats["watch"] = "; ".join(notes)

    # 7. development KPIs and win-back
    kpis = rep.compute("kpis", _explained(development_kpis, _HINTS["kpis"]), tx, service_costs, quarter=q, **(dp.get("kpis") or {}))
    if kpis is not None and service_costs is None:
        rep.caveats["kpis"] = "no service costs in the data: profit is gross profit, before the cost to serve"
    wb = rep.compute(
        "winback",
        _explained(winback_candidates, _HINTS["winback"]),
        tx,
        customers,
        quarter=q,
        bgnbd=bgnbd,
        time_unit=time_unit,
        **(dp.get("winback") or {}),
    )
    if wb is not None and wb.empty:
        rep.caveats["winback"] = "no lapsed customer earned as much as a good current customer before they stopped"
    elif wb is not None and bgnbd is None:
        rep.caveats["winback"] = no_alive
    return rep


# =========================================================================== executive summary


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def headline_figures(report: DevelopmentReport, currency: str = "CNY") -> tuple[pd.DataFrame, list[str]]:
    """The development report's headline figures and the actions they suggest.

    Figures (NaN where a section, or last quarter's value, is unavailable):

    1. revenue from existing customers this quarter, against last quarter
       (:func:`development_kpis`; money, good: up);
    2. existing customers' share of all revenue (pct, up);
    3. new customers this quarter (count, up);
    4. customers on the watch list (:func:`early_warning`; count, down; no
       previous value: the list is made for this quarter only);
    5. expected profit of the campaign plan within the budget
       (:func:`campaign_plan`; money, up; no previous value).

    Actions, at most three, in this order, each only when it applies: visit
    the customers on the watch list (with the revenue a month they no longer
    buy); run the campaign on the customers the plan contacts, or do not run
    it when no target group is expected to make a profit; move effort to
    acquisition when development returned less profit than new customers a
    year on (DOMAIN.md section 3); call the lapsed customers worth winning
    back. With none of these, one sentence says the plan can stay.

    Parameters
    ----------
    report : DevelopmentReport
        From :func:`development_region`.
    currency : str
        Shown with money (``ctx.currency``).

    Returns
    -------
    (DataFrame, list of str)
        Columns figure, value, previous, unit, good (see
        :func:`custlib.reports.context.executive_summary`); the actions in plain words
        (numbers only, no customer names). report -> headlines.
    """
    nan = float("nan")
    T = report.tables
    cur = f"{currency} " if currency else ""
    unit = f" ({currency})" if currency else ""
    kpis, watch, plan, wb = T.get("kpis"), T.get("watch"), T.get("campaign"), T.get("winback")

    def kpi(col: str, back: int) -> float:
        if kpis is None or len(kpis) < back:
            return nan
        return float(kpis[col].iloc[-back])

    chosen = plan.loc[plan["contact_customers"] > 0] if plan is not None else None
    figures = pd.DataFrame(
        [
            (f"Revenue from existing customers{unit}", kpi("existing_revenue", 1), kpi("existing_revenue", 2), "money", "up"),
            ("Existing customers' share of revenue", kpi("existing_share_revenue", 1), kpi("existing_share_revenue", 2), "pct", "up"),
            ("New customers", kpi("new_customers", 1), kpi("new_customers", 2), "count", "up"),
            ("Customers on the watch list", float(len(watch)) if watch is not None else nan, nan, "count", "down"),
            (
                f"Expected profit of the campaign plan{unit}",
                float(chosen["contact_profit_total"].sum()) if chosen is not None else nan,
                nan,
                "money",
                "up",
            ),
        ],
        columns=["figure", "value", "previous", "unit", "good"],
    )

    actions = []
    if watch is not None and len(watch):
        lost = float((watch["trailing_avg_revenue"] - watch["recent_avg_revenue"]).clip(lower=0).sum())
        actions.append(
            f"Visit the {_plural(len(watch), 'customer')} on the watch list before the relationship breaks, from the top of the "
            f"list: together they buy {cur}{lost:,.0f} a month less than they used to."
        )
    if chosen is not None and len(chosen):
        n = int(chosen["contact_customers"].sum())
        actions.append(
            f"Run the development campaign on the {_plural(n, 'customer')} the plan contacts within the budget: "
            f"expected profit {cur}{chosen['contact_profit_total'].sum():,.0f}."
        )
    elif plan is not None and plan["ranked"].fillna(False).astype(bool).any():
        actions.append("Do not run the development campaign as planned: no target group is expected to make a profit from it.")
    gap = kpi("dev_minus_new_profit", 1)
    if pd.notna(gap) and gap < 0:
        actions.append(
            f"Development returned {cur}{-gap:,.0f} less profit than new customers brought this quarter: "
            "consider moving sales effort to winning new customers."
        )
    if wb is not None and len(wb):
        actions.append(
            f"Call the {_plural(len(wb), 'lapsed customer')} worth winning back: in their last active year they brought "
            f"{cur}{wb['past_profit'].sum():,.0f} of profit."
        )
    if not actions and (kpis is not None or watch is not None):
        actions.append("No customer is slipping and no campaign or win-back call is due: keep the current plan.")
    return figures, actions[:3]


# =========================================================================== Chinese catalogue (custlib.present.i18n)

_ZH_CHANNELS = {"email": "电子邮件", "phone": "电话", "visit": "上门拜访", "unknown": "未知"}
_ZH_MODELS = {"Seasonal naive": "季节性朴素预测", "ETS": "指数平滑（ETS）", "SARIMAX": "季节性 ARIMA（SARIMAX）"}
_ZH_FEATURES = {
    "Intercept": "截距",
    "Years as a customer": "合作年限",
    "Orders in the last 12 months": "近 12 个月订单数",
    "Revenue in the last 12 months (log scale)": "近 12 个月销售收入（对数）",
    "Categories bought in the last 12 months": "近 12 个月购买品类数",
    "Months since the last order": "距最近一次订单的月数",
    "Offer in a category the customer buys": "推荐产品属于客户已购品类",
    "Size band": "规模",
    "Market type": "市场类型",
    "Channel": "渠道",
}
_ZH_HINTS = {
    _HINTS["campaign"]: "以往推荐中至少有两家响应客户记录了响应金额（response_revenue）后，即可进行开发活动预测；实际反应率见第 2 部分。",
    _HINTS["response_rates"]: "向本区域客户发出推荐后即可计算。",
    _HINTS[
        "response_model"
    ]: "更多的以往推荐（例如几次活动，或更长的历史）才能建立模型；上方按客户群统计的实际反应率是现有数据所能支持的。",
    _HINTS["pairs"]: "包含多种产品的订单才能进行交叉分析。",
    _HINTS["next_best"]: "包含多种产品的订单才能给出推荐。",
    _HINTS["lifetime"]: "更多重复购买（在两天或以上有订单）的客户才能建立终身价值模型。",
    _HINTS["watch"]: "更长的订单历史才能生成预警名单。",
    _HINTS["kpis"]: "有截至报告季度的订单才能计算这些指标。",
    _HINTS["winback"]: "需要最近几个季度有订单的客户，作为衡量流失客户的参照。",
}
_ZH_BOUNDS = {
    "purchase rates barely differ between customers": "客户之间的购买频率几乎没有差别",
    "dropout sits at an extreme: almost no one, or almost everyone, drops out": "流失率处于极端：几乎没有人流失，或几乎所有人都流失",
    "the spread of a customer's transaction values is extreme": "单个客户各次交易金额的离散程度极端",
    "average spend barely differs between customers beyond transaction noise": "除交易本身的波动外，客户之间的平均消费几乎没有差别",
}
_M = r"((?:[A-Z]{3} )?-?[\d,]+)"  # an amount as the sentences write it: "CNY 1,234" or "1,234"


def _zh_pct_change(text: str) -> str:
    return "无法比较" if text == "n/a" else text


def _zh_parts(text: str, sep: str = "; ") -> str:
    """Translate each "; "-separated part with the catalogue and join them with the Chinese semicolon."""
    from custlib.present import i18n

    return "；".join(i18n.tr(p.strip().rstrip("."), "zh") for p in text.split(sep))


def _zh_kpi(m) -> str:
    from custlib.present import i18n

    growth = m[5]
    g = re.fullmatch(r"(\d+) quarters? of year-on-year growth running", growth)
    growth_zh = f"同比增长已连续 {g[1]} 个季度" if g else "本季度没有同比增长"
    share = m[6]
    s = re.fullmatch(r"(\d+)% of all revenue", share)
    share_zh = f"占全部销售收入的 {s[1]}%" if s else "本季度没有任何销售收入"
    return (
        f"{m[1]} 现有客户的采购额为 {m[2]}（环比 {_zh_pct_change(m[3])}，同比 {_zh_pct_change(m[4])}；{growth_zh}），"
        f"{share_zh}；{i18n.tr(m[7], 'zh')}"
    )


def _zh_verdict(m) -> str:
    word = "增加" if m[1] == "added" else "减少"
    result = "客户开发的回报更高。" if m[4].startswith("development") else "本季度开发新客户的回报更高。"
    return f"与去年同期相比，客户开发使利润{word} {m[2]}，新客户带来 {m[3]}：{result}"


def _zh_campaign(m) -> str:
    head = "在预算内" if not m[1] else f"在 {m[1]} 的预算内"
    text = f"{head}，计划联系 {m[2]} 家客户，涉及 {m[3]} 个目标客户群：预期供应成本 {m[4]}，预期利润 {m[5]}。"
    return text + (_zh_unranked(m[6]) if m[6] else "")


def _zh_unranked(tail: str) -> str:
    t = re.fullmatch(r" ?(\d+) target groups? with fewer than (\d+) past offers (?:are|is) shown but not ranked\.", tail)
    return f"以往推荐少于 {t[2]} 次的 {t[1]} 个目标客户群只列出、不参与排名。" if t else tail


def _zh_feature(m) -> str:
    from custlib.present import i18n

    col = _ZH_FEATURES.get(m[1], m[1])
    level = _ZH_CHANNELS.get(m[2]) or i18n.tr(m[2], "zh")
    if m[3] is None:
        return f"{col}：{level}"
    ref = _ZH_CHANNELS.get(m[3]) or i18n.tr(m[3], "zh")
    return f"{col}：{level}（相对于{ref}）"


def _zh_reason_with_hint(hint_zh: str):
    def repl(m) -> str:
        from custlib.present import i18n

        return f"{i18n.tr(m[1], 'zh')}。{hint_zh}"

    return repl


def _zh_register() -> None:
    from custlib import clv
    from custlib.present import i18n  # clv registers the lifetime value report's chart text and reasons

    del clv
    terms = {
        # table headers
        "Target group": "目标客户群",
        "Customers": "客户数",
        "Past offers": "以往推荐次数",
        "Response rate": "反应率",
        "Likely range": "可能范围",
        "Purchase per responder": "响应客户购买量",
        "Cost per contact": "每次联系的供应成本",
        "Profit per contact": "每次联系的预期利润",
        "ROI": "投入回报率",
        "Rank": "排名",
        "Customers to contact": "建议联系客户数",
        "Customer group": "客户群",
        "Offers": "推荐次数",
        "Responders": "响应次数",
        "Feature": "特征",
        "Odds ratio": "优势比",
        "p-value": "P 值",
        "Reading": "解读",
        "Customer": "客户编号",
        "Name": "客户名称",
        "Size band": "规模",
        "Market type": "市场类型",
        "Response probability": "响应概率",
        "Product": "产品",
        "Category": "品类",
        "Goes with": "搭配",
        "Orders with both": "同时购买的订单数",
        "Support": "支持度",
        "Confidence": "置信度",
        "Lift": "提升度",
        "Offer next": "推荐产品",
        "Because they buy": "所搭配的已购产品",
        "Model": "模型",
        "Relative MASE": "相对 MASE",
        "Backtest origins": "回测起点数",
        "Shown": "采用",
        "Repeat purchases": "重复购买次数",
        "Probability active": "活跃概率",
        "Expected purchases next month": "下月预期购买次数",
        "Expected spend per purchase": "每次购买的预期金额",
        "Lifetime value": "终身价值（CLV）",
        "Usual revenue per month": "平常月收入",
        "Recent revenue per month": "近期月收入",
        "Months falling": "连续下降月数",
        "Product lines": "产品线（之前 → 最近）",
        "Quarter": "季度",
        "Existing customers' revenue": "现有客户销售收入",
        "Change on the previous quarter": "环比变化",
        "Change on a year earlier": "同比变化",
        "Share of revenue": "占总收入比例",
        "Existing customers' profit": "现有客户利润",
        "Profit change on a year earlier": "利润同比变化",
        "New customers": "新客户数",
        "New customers' profit": "新客户利润",
        "Development minus acquisition": "客户开发减新客户利润",
        "Last order": "最近一次订单",
        "Revenue in their last active year": "最后活跃年收入",
        "Profit in their last active year": "最后活跃年利润",
        "Orders": "订单数",
        # cell values
        "Large": "大型",
        "Medium": "中型",
        "Small": "小型",
        "Unknown": "未知",
        "unknown": "未知",
        "All offers": "全部推荐",
        "Not conclusive": "无法下结论",
        "More likely to respond": "更可能响应",
        "Less likely to respond": "响应可能性更低",
        **_ZH_CHANNELS,
        **_ZH_MODELS,
        **{k: v for k, v in _ZH_FEATURES.items()},
        # captions and chart text
        "Past offers and responses by customer group": "按客户群统计的以往推荐与响应",
        "Response model": "响应模型",
        "Random targeting": "随机联系",
        "Share of customers contacted (highest scores first)": "已联系客户占比（按得分从高到低）",
        "Share of responders reached": "覆盖的响应客户占比",
        "Actual": "实际",
        "Revenue per month": "月销售收入",
        # executive summary
        "Existing customers' share of revenue": "现有客户收入占比",
        "Customers on the watch list": "预警名单客户数",
        "Do not run the development campaign as planned: no target group is expected to make a profit from it.": (
            "不要按原计划开展客户开发活动：没有哪个目标客户群预计能带来利润。"
        ),
        "No customer is slipping and no campaign or win-back call is due: keep the current plan.": (
            "没有客户在流失，也无需开展开发活动或客户再生回访：保持现有计划。"
        ),
        # sentences without numbers
        "No target group is expected to make a profit from this campaign: do not run it as planned.": (
            "预计没有哪个目标客户群能从这次活动中带来利润：不要按原计划开展。"
        ),
        # caveats and reasons without numbers
        (
            "no service costs in the data: the cost to serve a responder's order is taken as 0 beyond the "
            "serve_cost_rate (set development.campaign.serve_cost_per_order to include it)"
        ): (
            "数据中没有服务成本：除 serve_cost_rate 外，服务响应客户订单的成本按 0 计算"
            "（设置 development.campaign.serve_cost_per_order 可将其计入）"
        ),
        "no service costs in the data: profit is gross profit, before the cost to serve": "数据中没有服务成本：利润为毛利，未扣除服务成本",
        "no customer has a qualifying co-purchase rule to recommend from (see the product pairs above)": (
            "没有客户具备可用于推荐的交叉购买规则（见上方的产品组合）"
        ),
        "no customer meets a warning rule: nobody established is slipping": "没有客户触发预警规则：稳定客户中没有人在流失",
        "no lapsed customer earned as much as a good current customer before they stopped": (
            "没有流失客户在停止购买前带来的利润达到良好现有客户的水平"
        ),
        "probability alive is not shown: the lifetime value model is not available (section 5)": (
            "未显示仍活跃概率：终身价值模型不可用（见第 5 部分）"
        ),
        "no offers table (see section 1).": "没有推荐记录表（见第 1 部分）。",
        "no response model (see the reason above).": "没有响应模型（原因见上文）。",
        "no forecast (see the reason above).": "没有预测（原因见上文）。",
        "no lifetime value models (see the reason above).": "没有终身价值模型（原因见上文）。",
        _NO_OFFERS: (
            "本数据源没有推荐记录表，因此没有以往的客户开发推荐可供学习。有了推荐记录表（每次推荐一行：offer_id、customer_id、offer_date、"
            "product_id、channel、contact_cost、responded、response_revenue），就能进行开发活动预测和客户反应分析。"
        ),
        "offers: fewer than two responders with a response_revenue; cannot estimate purchase volume": (
            "offers：记录了响应金额的响应客户少于两家，无法估计购买量"
        ),
        (
            "offers: the response model cannot be estimated (singular information matrix: some feature separates responders "
            "from non-responders); use fewer features or more offers"
        ): "offers：无法估计响应模型（信息矩阵奇异：某个特征把响应与未响应客户完全分开）；请减少特征或增加推荐",
        "transactions: no orders to form baskets": "transactions：没有可组成购物篮的订单",
        (
            "mase: the training series repeats exactly each season (e.g. no revenue in the same months a year apart), so forecast "
            "errors cannot be scaled; a forecast check needs revenue that varies from year to year"
        ): "mase：训练序列每个季节完全重复（例如相隔一年的同月都没有收入），无法标度预测误差；检验预测需要逐年有变化的销售收入",
    }
    patterns = [
        # table captions
        (r"^The first (\d+) of ([\d,]+) pairs$", r"前 \1 对（共 \2 对）"),
        (r"^The first (\d+) of ([\d,]+) customers$", r"前 \1 家客户（共 \2 家）"),
        (r"^The first (\d+) of ([\d,]+)$", r"前 \1 项（共 \2 项）"),
        (r"^([\d,]+) customers? on the watch list \(the first (\d+) shown\)$", r"预警名单上有 \1 家客户（显示前 \2 家）"),
        (r"^([\d,]+) customers? on the watch list$", r"预警名单上有 \1 家客户"),
        # odds-ratio features with a reference level
        (r"^(Size band|Market type|Channel): (.+?)(?: \(against (.+)\))?$", _zh_feature),
        # charts
        (r"^Cumulative gains on the holdout \(AUC ([\d.]+)\)$", r"留出样本的累计增益（AUC \1）"),
        (r"^Forecast \((.+)\)$", lambda m: f"预测（{_ZH_MODELS.get(m[1], m[1])}）"),
        (r"^Monthly revenue and forecast \((.+)\)$", lambda m: f"月度销售收入及预测（{_ZH_MODELS.get(m[1], m[1])}）"),
        (r"^(\d+)% prediction interval$", r"\1% 预测区间"),
        # sentences
        (
            r"^Within the budget(?: of " + _M + r")? the plan contacts ([\d,]+) customers? in (\d+) target groups?: "
            r"expected provision cost " + _M + r", expected profit " + _M + r"\.(.*)$",
            _zh_campaign,
        ),
        (
            r"^No target group has the (\d+) past offers needed to rank it: make more offers before planning a campaign\.$",
            r"没有哪个目标客户群有排名所需的 \1 次以往推荐：请先多做推荐，再规划活动。",
        ),
        (
            r"^No target group is expected to make a profit from this campaign: do not run it as planned\.( .+)$",
            lambda m: "预计没有哪个目标客户群能从这次活动中带来利润：不要按原计划开展。" + _zh_unranked(m[1]),
        ),
        (
            r"^(.+) is shown: its backtest MASE ([\d.]+) beats the seasonal-naive baseline's ([\d.]+)\.$",
            lambda m: f"采用{_ZH_MODELS.get(m[1], m[1])}：其回测 MASE 为 {m[2]}，优于季节性朴素基准的 {m[3]}。",
        ),
        (
            r"^No model beat the seasonal-naive baseline in the backtest \(MASE ([\d.]+)\); the seasonal-naive forecast is shown\.$",
            r"回测中没有模型优于季节性朴素基准（MASE \1）；因此显示季节性朴素预测。",
        ),
        (
            r"^In (\d{4}Q\d) existing customers bought " + _M + r" \(([+-][\d.]+%|n/a) on the previous quarter, ([+-][\d.]+%|n/a) "
            r"on a year earlier; ([^)]+)\), (no revenue at all this quarter|\d+% of all revenue); (.+)$",
            _zh_kpi,
        ),
        (
            r"^development (added|lost) " + _M + r" of profit on a year earlier, against " + _M + r" earned from new customers: "
            r"(development returned more\.|acquisition returned more this quarter\.)$",
            _zh_verdict,
        ),
        (
            r"^there is no quarter a year earlier to compare development with acquisition\.$",
            "没有去年同期的季度可用来比较客户开发与新客户开发。",
        ),
        # executive summary
        (r"^Revenue from existing customers(?: \((\w+)\))?$", lambda m: "现有客户销售收入" + (f"（{m[1]}）" if m[1] else "")),
        (r"^Expected profit of the campaign plan(?: \((\w+)\))?$", lambda m: "开发活动计划的预期利润" + (f"（{m[1]}）" if m[1] else "")),
        (
            r"^Visit the ([\d,]+) customers? on the watch list before the relationship breaks, from the top of the list: "
            r"together they buy " + _M + r" a month less than they used to\.$",
            r"在关系破裂之前，从名单顶部开始拜访预警名单上的 \1 家客户：他们每月的采购额合计比以往少 \2。",
        ),
        (
            r"^Run the development campaign on the ([\d,]+) customers? the plan contacts within the budget: expected profit " + _M + r"\.$",
            r"按计划在预算内对 \1 家客户开展客户开发活动：预期利润 \2。",
        ),
        (
            r"^Development returned " + _M + r" less profit than new customers brought this quarter: "
            r"consider moving sales effort to winning new customers\.$",
            r"本季度客户开发带来的利润比新客户少 \1：考虑把销售力量转向开发新客户。",
        ),
        (
            r"^Call the ([\d,]+) lapsed customers? worth winning back: in their last active year they brought " + _M + r" of profit\.$",
            r"致电 \1 家值得争取回来的流失客户：他们在最后活跃的一年里带来了 \2 的利润。",
        ),
        # caveats
        (
            r"^no two (products|categories) were bought together in (\d+) or more orders with a lift above ([\d.]+) \(([\d,]+) orders in all\); "
            r"more orders, or a lower development\.copurchase\.min_count, would show pairs$",
            lambda m: (
                f"没有两种{'产品' if m[1] == 'products' else '品类'}在 {m[2]} 个或以上订单中被一起购买且提升度高于 {m[3]}（共 {m[4]} 个订单）；"
                "更多订单，或调低 development.copurchase.min_count，才能显示组合"
            ),
        ),
        # notes on the watch list and the lifetime values: several joined with "; "
        (r"^(?=" + _NOTE_STARTS + r")(.+)$", lambda m: _zh_notes(m[1])),
        # reasons a section is unavailable: the message, then what data would make it possible
        *[(r"^(.+?)\.? " + re.escape(hint) + "$", _zh_reason_with_hint(zh)) for hint, zh in _ZH_HINTS.items()],
        (r"^offers: no past offers on or before (\d{4}-\d\d-\d\d)$", r"offers：\1 之前没有以往推荐"),
        (r"^offers: no past offers on or before (\d{4}-\d\d-\d\d) \((.+)\)$", r"offers：\1 之前没有以往推荐（\2）"),
        (
            r"^offers: no past offers(?: on or before (\d{4}-\d\d-\d\d))? for these customers$",
            lambda m: f"offers：{m[1] + ' 之前' if m[1] else ''}这些客户没有以往推荐",
        ),
        (
            r"^offers: no past offers(?: on or before (\d{4}-\d\d-\d\d))?; the response model needs at least 10 responders and 10 non-responders$",
            lambda m: f"offers：{m[1] + ' 之前' if m[1] else ''}没有以往推荐；响应模型至少需要 10 次响应和 10 次未响应",
        ),
        (
            r"^offers: (\d+) responders and (\d+) non-responders among (\d+) past offers; the response model needs at least 10 of each, "
            r"and at least (\d+) offers in the holdout \(test_size ([\d.]+)\)$",
            r"offers：以往 \3 次推荐中有 \1 次响应、\2 次未响应；响应模型两者都至少需要 10 次，且留出样本中至少需要 \4 次推荐（test_size \5）",
        ),
        (
            r"^response_revenue: need at least two responders' revenues for an interval, got (\d+)$",
            r"response_revenue：计算区间至少需要两家响应客户的金额，现有 \1 家",
        ),
        (
            r"^revenue: (\d+) months of history(?: \((\d{4}-\d\d) to (\d{4}-\d\d)\))?; the forecast and its backtest need at least (\d+) "
            r"months \(two (\d+)-month seasons plus the (\d+)-month backtest horizon\)$",
            lambda m: (
                f"revenue：只有 {m[1]} 个月的历史" + (f"（{m[2]} 至 {m[3]}）" if m[2] else "") + f"；预测及其回测至少需要 {m[4]} 个月"
                f"（两个 {m[5]} 个月的季节周期加上 {m[6]} 个月的回测期）"
            ),
        ),
        (r"^transactions: no orders on or before (\d{4}-\d\d-\d\d)$", r"transactions：\1 之前没有订单"),
        (r"^transactions: no orders up to (\d{4}Q\d)$", r"transactions：截至 \1 没有订单"),
        (
            r"^transactions: no customers active in the (\d+) quarters up to (\d{4}Q\d)$",
            r"transactions：截至 \2 的 \1 个季度内没有活跃客户",
        ),
        (
            r"^transactions: the rules need (\d+) months of history up to (\d{4}-\d\d); the data starts (\d{4}-\d\d)$",
            r"transactions：预警规则需要截至 \2 的 \1 个月历史；数据从 \3 开始",
        ),
        (
            r"^transactions: (\d+) months of history \((\d{4}-\d\d) to (\d{4}-\d\d)\); the watch list needs at least (\d+) months "
            r"\(a trailing window at least as long as the (\d+)-month recent window\)$",
            r"transactions：只有 \1 个月的历史（\2 至 \3）；预警名单至少需要 \4 个月（对比期不短于 \5 个月的近期窗口）",
        ),
        (
            r"^the region's customers have no orders up to (\d{4}-\d\d-\d\d), and every analysis of buying needs orders; "
            r"order lines \(transactions\) for these customers would make it possible\.$",
            r"截至 \1 本区域客户没有订单，而所有购买分析都需要订单；有了这些客户的订单明细（transactions）才能进行。",
        ),
        (
            r"^seasonal_naive: need at least one season \((\d+) values\), got (\d+)$",
            r"seasonal_naive：至少需要一个季节周期（\1 个值），现有 \2 个",
        ),
        (r"^mase: the training series needs more than (\d+) values, got (\d+)$", r"mase：训练序列需要多于 \1 个值，现有 \2 个"),
        (r"^(\w+): the table is not available in this data source$", r"\1：本数据源没有这张表"),
    ]
    i18n.register(terms=terms, patterns=patterns)


_NOTE_STARTS = (
    r"The purchase and spend models were fitted|[\d,]+ customers with a non-positive mean repeat spend|BG/NBD: |Gamma-Gamma: |"
    r"maximum likelihood for |the data start \d{4}-\d\d|no customer meets a warning rule|probability alive is not shown|"
    r"the trailing window is \d+ months|product lines compare the last"
)


def _zh_notes(text: str) -> str:
    """Notes joined with "; " (each may hold "; " itself): split before each known note and translate each."""
    from custlib.present import i18n

    out = []
    for piece in re.split(r"; (?=" + _NOTE_STARTS + ")", text):
        piece = piece.strip()
        zh = i18n.TERMS.get(piece) or i18n.TERMS.get(piece.rstrip(".")) or _zh_note(piece.rstrip("."))
        out.append(zh.rstrip("。"))
    return "；".join(out)


def _zh_note(part: str) -> str:
    """One note of the watch list or the lifetime values in Chinese (the part unchanged when unknown)."""
    t = re.fullmatch(r"the data start (\d{4}-\d\d), only (\d+) months before the quarter's end: (.+)", part)
    if t:
        return f"数据从 {t[1]} 开始，距季度末只有 {t[2]} 个月：" + "；".join(_zh_note(p) for p in t[3].split("; "))
    t = re.fullmatch(
        r"the trailing window is (\d+) months instead of (\d+) \(and a customer needs (\d+) orders in it instead of (\d+)\)", part
    )
    if t:
        return f"对比期为 {t[1]} 个月而不是 {t[2]} 个月（客户在其中需要 {t[3]} 个订单而不是 {t[4]} 个）"
    t = re.fullmatch(r"product lines compare the last (\d+) months with the (\d+) before, instead of (\d+)", part)
    if t:
        return f"产品线比较最近 {t[1]} 个月与之前 {t[2]} 个月，而不是 {t[3]} 个月"
    t = re.fullmatch(
        r"The purchase and spend models were fitted on a random sample of ([\d,]+) of the ([\d,]+) customers \(seed (\d+)\); "
        r"every customer is scored with them",
        part,
    )
    if t:
        return f"购买模型和消费金额模型是在 {t[2]} 家客户中随机抽取的 {t[1]} 家上拟合的（随机种子 {t[3]}）；每家客户都用它们打分"
    t = re.fullmatch(r"([\d,]+) customers with a non-positive mean repeat spend \(returns, credits\) have no expected spend or CLV", part)
    if t:
        return f"{t[1]} 家客户的重复购买平均金额不为正（退货、冲账），没有预期金额和 CLV"
    t = re.fullmatch(
        r"(BG/NBD|Gamma-Gamma): (.+) reached the search limit \((.+)\); the estimates are limiting values and their standard errors "
        r"are not available",
        part,
    )
    if t:
        meaning = "；".join(_ZH_BOUNDS.get(x, x) for x in t[3].split("; "))
        return f"{t[1]}：参数 {t[2]} 到达搜索边界（{meaning}）；估计值是极限值，无法给出标准误"
    t = re.fullmatch(
        r"(BG/NBD|Gamma-Gamma): the Hessian of the negative log-likelihood is not positive definite; standard errors are NaN", part
    )
    if t:
        return f"{t[1]}：负对数似然的 Hessian 矩阵不是正定的；标准误无法计算"
    t = re.fullmatch(r"maximum likelihood for \((.+)\) may not have converged \(largest gradient (.+)\)", part)
    if t:
        return f"参数（{t[1]}）的最大似然估计可能没有收敛（最大梯度 {t[2]}）"
    return part


_zh_register()
