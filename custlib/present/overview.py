"""Views and charts of the region overview (notebook 00_overview_region).

Each view takes a result of :mod:`custlib.analysis.overview` and a report
context, and returns a :class:`~custlib.present.tables.TableView` with headers
and labels from the ``overview`` catalogue.
"""

from __future__ import annotations

import pandas as pd

from custlib.present.costs import on_cost
from custlib.present.coverage import comparable, quarter_label
from custlib.present.messages import N_
from custlib.present.style import PALETTE
from custlib.present.tables import TableView

FIGURES = {
    "active_customers": N_("Customers who ordered"),
    "orders": N_("Orders"),
    "revenue": N_("Revenue"),
    "gross_profit": N_("Gross profit"),
    "gross_margin": N_("Gross margin"),
    "revenue_per_customer": N_("Revenue per customer"),
    "cost_to_serve": N_("Cost to serve"),
    "net_profit": N_("Net profit"),
}
_COUNTS = ("active_customers", "orders")
_RATES = ("gross_margin",)

#: Industries of the sample data (a data value: an industry not listed is shown as it is).
INDUSTRIES = {
    "Machinery": N_("Machinery"),
    "Automotive": N_("Automotive"),
    "Construction": N_("Construction"),
    "Electronics": N_("Electronics"),
    "Energy": N_("Energy"),
    "Food processing": N_("Food processing"),
    "Agriculture": N_("Agriculture"),
    "Shipbuilding": N_("Shipbuilding"),
    "Mining": N_("Mining"),
    "Chemicals": N_("Chemicals"),
    "Logistics": N_("Logistics"),
    "Textiles": N_("Textiles"),
}

REASONS = {
    "no_orders_in_quarter": N_("The region has no orders in {quarter}."),
    "no_orders_in_months": N_("The region has no orders in the last {months} months."),
    "no_customers_in_quarter": N_("No customer ordered in {quarter}."),
    "no_orders_in_previous_quarter": N_("No orders in {previous}: nobody can have stopped ordering in {quarter}."),
}


def _cell(ctx, figure: str, value) -> str:
    if figure in _COUNTS:
        return ctx.fmt.integer(value)
    if figure in _RATES:
        return ctx.fmt.percent(value)
    return ctx.fmt.money(value)


def _change(ctx, figure: str, kpis: pd.DataFrame, this: str, base: str, relative: str) -> str:
    """A change with its sign and unit: percentage points for a rate, a relative percent otherwise."""
    # the formatter signs the number as shown, so a tiny fall reads "0.0", never "-0.0"
    if not comparable(ctx, this, base):  # against a quarter without data or a partial one: no change to show
        return ctx.fmt.percent(float("nan"))
    if figure in _RATES:
        return ctx.fmt.points(kpis.loc[figure, this] - kpis.loc[figure, base])
    return ctx.fmt.percent(kpis.loc[figure, relative], signed=True)


@on_cost
def kpi_view(kpis: pd.DataFrame, ctx) -> TableView:
    """The quarter's figures, last quarter's and a year before, with signed changes.

    kpis (from :func:`custlib.analysis.overview.quarter_kpis`) -> one text row per figure.
    """
    t = ctx.messages("overview")
    this, prev, _change_col, yago = list(kpis.columns[:4])
    figure_h = t.gettext("Figure")
    vs_prev = t.gettext("Change on {quarter}", quarter=prev)
    vs_yago = t.gettext("Change on {quarter}", quarter=yago)
    label = {q: quarter_label(ctx, q) for q in (this, prev, yago)}  # "2010Q4 (partial)", "2010Q3 (no data)"
    rows = [
        {
            figure_h: t.label(fig, FIGURES),
            label[this]: _cell(ctx, fig, kpis.loc[fig, this]),
            label[prev]: _cell(ctx, fig, kpis.loc[fig, prev]),
            vs_prev: _change(ctx, fig, kpis, this, prev, "change"),
            label[yago]: _cell(ctx, fig, kpis.loc[fig, yago]),
            vs_yago: _change(ctx, fig, kpis, this, yago, "change_yoy"),
        }
        for fig in kpis.index
    ]
    frame = pd.DataFrame(rows)
    kinds = {col: "text" for col in frame.columns}
    return TableView(frame, kinds, caption=t.gettext("Headline figures"))


@on_cost
def top_customers_view(top: pd.DataFrame, ctx) -> TableView:
    """The largest customers of the quarter (names are data: never translated).

    top (from :func:`custlib.analysis.overview.top_customers`) -> name, industry, revenue, margin, share.
    """
    t = ctx.messages("overview")
    cols = {
        "name": t.gettext("Customer"),
        "industry": t.gettext("Industry"),
        "revenue": t.gettext("Revenue"),
        "gross_profit": t.gettext("Gross profit"),
        "gross_margin": t.gettext("Gross margin"),
        "share_of_revenue": t.gettext("Share of revenue"),
    }
    frame = top[list(cols)].assign(industry=top["industry"].map(lambda v: t.label(v, INDUSTRIES))).rename(columns=cols)
    kinds = dict(zip(cols.values(), ["text", "text", "money", "money", "percent", "percent"], strict=True))
    return TableView(frame, kinds, caption=t.gettext("Largest customers"))


def lapsed_view(lapsed: pd.DataFrame, ctx, n: int | None = None) -> TableView:
    """Customers who ordered last quarter but not this one, the ``n`` largest by last quarter's revenue.

    lapsed (from :func:`custlib.analysis.overview.lapsed_customers`) -> name, industry, revenue last quarter, last order.
    """
    t = ctx.messages("overview")
    cols = {
        "name": t.gettext("Customer"),
        "industry": t.gettext("Industry"),
        "revenue_previous": t.gettext("Revenue last quarter"),
        "last_order": t.gettext("Last order"),
    }
    shown = lapsed.sort_values("revenue_previous", ascending=False).head(len(lapsed) if n is None else n)
    frame = shown[list(cols)].assign(industry=shown["industry"].map(lambda v: t.label(v, INDUSTRIES))).rename(columns=cols)
    kinds = dict(zip(cols.values(), ["text", "text", "money", "date"], strict=True))
    quarters = {"previous": str(ctx.quarter.previous), "quarter": str(ctx.quarter)}
    if lapsed.empty:
        caption = t.gettext("Every customer who ordered in {previous} ordered again in {quarter}.", **quarters)
    elif len(shown) < len(lapsed):
        caption = t.gettext(
            "The {n} largest of {total} customers who stopped ordering, by revenue in {previous}",
            n=ctx.fmt.integer(len(shown)),
            total=ctx.fmt.integer(len(lapsed)),
            **quarters,
        )
    else:
        caption = t.gettext("Customers who stopped ordering")
    return TableView(frame, kinds, caption=caption)


@on_cost
def monthly_trend_chart(trend: pd.DataFrame, ctx, ax=None):
    """Bars of monthly revenue with a gross-profit line, money axis from the report's formatter.

    One x label per quarter (every month when there are at most 8); the legend
    beside the axes so that it never covers a bar.
    trend (from :func:`custlib.analysis.overview.monthly_trend`: month, revenue, gross_profit) -> axes.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    t = ctx.messages("overview")
    if ax is None:
        _, ax = plt.subplots()
    pos = np.arange(len(trend))
    months = trend["month"]
    ax.bar(pos, trend["revenue"], color=PALETTE["revenue"], width=0.75, label=t.gettext("Revenue"))
    if trend["gross_profit"].notna().any():  # no line (and no legend entry) without the cost of goods
        ax.plot(pos, trend["gross_profit"], color=PALETTE["gross_profit"], marker="o", linewidth=2, label=t.gettext("Gross profit"))
    ticks = pos if len(trend) <= 8 else pos[months.dt.month.isin([1, 4, 7, 10]).to_numpy()]
    ax.set_xticks(ticks, [ctx.fmt.month(months.iloc[i]) for i in ticks])
    ax.set_xlim(-0.6, len(trend) - 0.4)
    ax.yaxis.set_major_formatter(ctx.fmt.axis("money"))
    ax.set_title(t.gettext("Monthly revenue and gross profit"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return ax
