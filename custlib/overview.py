"""Region overview: headline figures, monthly trend, largest customers, customers who stopped ordering.

The computations behind ``00_overview_region``: plain sums over one
region's transactions (and its cost to serve, when the data has it), so
their known answers are hand arithmetic. :func:`overview_region` computes
every section for the notebook; a section that meets degenerate data (no
orders in the quarter, no orders at all) is recorded as unavailable with its
reason instead of failing the report. :func:`headline_figures` gives the
report's executive summary. Display: :func:`kpi_table` formats each figure
in its unit; the Chinese catalogue entries of this report are registered
with :func:`custlib.present.i18n.register` at import.
"""

from __future__ import annotations

import pandas as pd

from custlib.analysis.overview import lapsed_customers, monthly_trend, quarter_kpis, top_customers  # noqa: F401
from custlib.exceptions import DataError, InsufficientDataError  # noqa: F401
from custlib.io.periods import Quarter
from custlib.reports.context import Sections

_COUNT_FIGURES = ("active_customers", "orders")
_PCT_FIGURES = ("gross_margin",)
FIGURE_LABELS = {
    "active_customers": "Customers who ordered",
    "orders": "Orders",
    "revenue": "Revenue",
    "gross_profit": "Gross profit",
    "gross_margin": "Gross margin",
    "revenue_per_customer": "Revenue per customer",
    "cost_to_serve": "Cost to serve",
    "net_profit": "Net profit",
}


def kpi_table(kpis: pd.DataFrame, currency: str = "") -> pd.DataFrame:
    """:func:`quarter_kpis` as the report shows it: each figure in its own unit, as text.

    Counts as whole numbers, money with the currency, the gross margin as a
    percentage; changes as signed percentages, except the margin's, which is
    the difference in percentage points (a margin going from 30% to 33% is
    "+3.0 pt", not "+10%"). Missing values read "–".

    Parameters
    ----------
    kpis : DataFrame
        :func:`quarter_kpis`.
    currency : str
        Shown before money amounts.

    Returns
    -------
    DataFrame
        Index: figure labels (:data:`FIGURE_LABELS`); columns: the three quarters,
        change, change_yoy, all text. kpis -> the same rows and columns, formatted.
    """
    cur = f"{currency} " if currency else ""
    quarters = [c for c in kpis.columns if c not in ("change", "change_yoy")]
    this, prev, yago = quarters[0], quarters[1], quarters[2]

    def value(fig: str, v) -> str:
        if pd.isna(v):
            return "–"
        if fig in _COUNT_FIGURES:
            return f"{v:,.0f}"
        if fig in _PCT_FIGURES:
            return f"{v:.1%}"
        return f"{cur}{v:,.0f}"

    def signed(x: float) -> str:
        return f"{round(x, 1) + 0.0:+.1f}"  # + 0.0: a change that rounds to zero reads +0.0, not -0.0

    def change(fig: str, rel, new, old) -> str:
        if fig in _PCT_FIGURES:
            return "–" if pd.isna(new) or pd.isna(old) else f"{signed((new - old) * 100)} pt"
        return "–" if pd.isna(rel) else f"{signed(rel * 100)}%"

    rows = {}
    for fig, r in kpis.iterrows():
        rows[FIGURE_LABELS.get(fig, fig)] = {
            this: value(fig, r[this]),
            prev: value(fig, r[prev]),
            "change": change(fig, r["change"], r[this], r[prev]),
            yago: value(fig, r[yago]),
            "change_yoy": change(fig, r["change_yoy"], r[this], r[yago]),
        }
    out = pd.DataFrame.from_dict(rows, orient="index", columns=[this, prev, "change", yago, "change_yoy"], dtype="str")
    out.index = out.index.astype("str")
    out.index.name = "figure"
    return out


def money_ticks(currency: str = "", lang: str = "en"):
    """A tick formatter for money axes: ``CNY 4.5M`` (English) or ``CNY 450万`` (Chinese).

    English in thousands (K), millions (M) and billions (B); Chinese in the
    units a Chinese reader counts money in, 万 (1e4) and 亿 (1e8).

    Parameters
    ----------
    currency : str
        Shown before each amount ("" for none).
    lang : str
        ``"en"`` or ``"zh"``.

    Returns
    -------
    callable
        ``(value, pos=None) -> str``, for :class:`matplotlib.ticker.FuncFormatter`. value -> tick text.
    """
    from custlib.reports.context import money_text

    def fmt(v, _pos=None) -> str:
        return money_text(v, currency, lang)

    return fmt


def _lang() -> str:
    """The language of the report being made (set by :func:`custlib.reports.context.open_report`)."""
    from custlib.reports import context as report

    return getattr(report, "_LANG", "en")


def _tr(text: str) -> str:
    from custlib.present import i18n

    return i18n.tr(text, _lang())


def plot_monthly_trend(trend: pd.DataFrame, ax=None, currency: str = "CNY"):
    """Bars of monthly revenue with a gross-profit line.

    Money ticks in thousands or millions with the currency (:func:`money_ticks`,
    in the report's language), one x label per quarter (every month when there
    are at most 8), the legend beside the axes so that it never covers a bar.

    Parameters
    ----------
    trend : DataFrame
        :func:`monthly_trend`.
    ax : matplotlib Axes, optional
    currency : str
        Shown on the money ticks.

    Returns
    -------
    matplotlib Axes
        Columns in: month, revenue, gross_profit -> chart.
    """
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.ticker import FuncFormatter

    from custlib.reports.context import PALETTE

    if ax is None:
        _, ax = plt.subplots()
    pos = np.arange(len(trend))
    months = trend["month"]
    ax.bar(pos, trend["revenue"], color=PALETTE["revenue"], width=0.75, label="Revenue")
    ax.plot(pos, trend["gross_profit"], color=PALETTE["gross_profit"], marker="o", linewidth=2, label="Gross profit")
    ticks = pos if len(trend) <= 8 else pos[months.dt.month.isin([1, 4, 7, 10]).to_numpy()]
    ax.set_xticks(ticks, months.dt.strftime("%Y-%m").to_numpy()[ticks])
    ax.set_xlim(-0.6, len(trend) - 0.4)
    ax.yaxis.set_major_formatter(FuncFormatter(money_ticks(currency, _lang())))
    ax.set_title("Monthly revenue and gross profit")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return ax


# --------------------------------------------------------------------------- the report

_MONEY = ("revenue", "gross_profit", "revenue_last_quarter")
_PCT = ("change", "change_yoy", "gross_margin", "share_of_revenue")


def _show_right_aligned(frame: pd.DataFrame, caption: str | None = None, **kwargs) -> None:
    """:func:`custlib.reports.context.show` for a table of numbers held as text: every cell right-aligned."""
    from IPython.display import HTML, display

    from custlib.present import i18n
    from custlib.reports import context as report

    lang = _lang()
    if lang != "en":
        frame = i18n.tr_values(frame, lang)
        caption = i18n.tr(caption, lang) if caption else caption
    sty = report.styled(frame, caption, lang=lang, **kwargs)
    sty = sty.set_properties(**{"text-align": "right", "white-space": "nowrap", "min-width": "0"})
    display(HTML(sty.to_html()))


class OverviewReport(Sections):
    """The sections of the region overview for one quarter: kpis, trend, top_customers, lapsed.

    Built by :func:`overview_region`; see :class:`custlib.reports.context.Sections`.

    Attributes
    ----------
    quarter : str
    currency : str
        Prefix of money amounts in :meth:`show`.
    top_n : int
        Rows shown of long lists (customers who stopped ordering).
    lapsed_previous : DataFrame or None
        :func:`lapsed_customers` of the previous quarter (for the executive
        summary's comparison), None when it could not be computed.
    """

    def __init__(self, quarter: str, currency: str = "", top_n: int = 15) -> None:
        super().__init__()
        self.quarter = quarter
        self.currency = currency
        self.top_n = top_n
        self.lapsed_previous: pd.DataFrame | None = None

    def say_unavailable(self, name: str) -> bool:
        """As :meth:`custlib.reports.context.Sections.say_unavailable`, with the caveat in the report's language."""
        from custlib.reports import context as report

        if name in self.tables and self.caveats.get(name):
            label = "*注：*" if _lang() == "zh" else "*Note:*"
            report.say(f"{label} {report.esc(_tr(self.caveats[name]))}")
            return False
        return super().say_unavailable(name)

    def show(self, name: str, caption: str | None = None, **kwargs) -> None:
        """Show ``name`` with its report formats (``kwargs`` override them), or say why it is missing.

        ``kpis`` is shown as :func:`kpi_table` (each figure in its unit);
        ``lapsed`` the :attr:`top_n` largest, with a caption when the list is longer.
        """
        from custlib.reports import context as report

        if self.say_unavailable(name):
            return
        result = self.tables[name]
        if name == "kpis":
            _show_right_aligned(kpi_table(result, self.currency), caption, **{"index": True, **kwargs})
            return
        if name == "lapsed":
            q = Quarter.parse(self.quarter)
            if result.empty:
                report.say(f"Every customer who ordered in {q.previous} ordered again in {q}.")
                return
            if caption is None and len(result) > self.top_n:
                caption = f"The {self.top_n:,} largest of {len(result):,} customers who stopped ordering, by revenue in {q.previous}"
            result = (
                result.head(self.top_n)
                .assign(last_order=result["last_order"].dt.strftime("%Y-%m-%d"))
                .rename(columns={"revenue_previous": "revenue_last_quarter"})
            )
        if name == "top_customers":
            result = result.assign(market_type=result["market_type"].str.capitalize())
        cols = list(result.columns)
        fmt = {
            "money": tuple(c for c in cols if c in _MONEY),
            "pct": tuple(c for c in cols if c in _PCT),
            "currency": self.currency,
        }
        report.show(result, caption, **{**fmt, **kwargs})


def overview_region(
    transactions: pd.DataFrame,
    customers: pd.DataFrame,
    quarter,
    *,
    service_costs: pd.DataFrame | None = None,
    months: int = 24,
    top_n: int = 15,
    currency: str = "",
) -> OverviewReport:
    """Compute every section of the region overview.

    Sections: ``kpis`` (:func:`quarter_kpis`, with cost to serve and net
    profit when ``service_costs`` is given), ``trend`` (:func:`monthly_trend`
    over ``months`` months to the quarter's end; draw with
    :func:`plot_monthly_trend`), ``top_customers`` (:func:`top_customers`) and
    ``lapsed`` (:func:`lapsed_customers`; the previous quarter's list is kept in
    ``lapsed_previous`` for the executive summary).
    Each is computed on its own with :meth:`~custlib.reports.context.Sections.compute`:
    with no orders in the quarter, ``kpis`` and ``top_customers`` are
    unavailable with the reason while the trend still shows the history.
    Without service costs ``kpis`` carries a caveat.

    Parameters
    ----------
    transactions : DataFrame
        The region's order lines, whole history up to the quarter's end.
    customers : DataFrame
        The region's customers.
    quarter : str or Quarter
    service_costs : DataFrame, optional
        The region's cost to serve per customer and month, or None.
    months : int
        Months in the trend.
    top_n : int
        Rows in the largest-customers table and in the list of customers who stopped ordering.
    currency : str
        Shown with money amounts.

    Returns
    -------
    OverviewReport
        transactions, customers, service_costs -> kpis, trend, top_customers, lapsed.

    Raises
    ------
    DataError
        A required column is missing (never hidden as "unavailable").
    """
    q = Quarter.parse(quarter)
    rep = OverviewReport(str(q), currency, top_n)
    rep.compute("kpis", quarter_kpis, transactions, q, service_costs=service_costs)
    if "kpis" in rep.tables:
        if service_costs is None:
            rep.caveats["kpis"] = "no service_costs table in the data: cost to serve and net profit are not shown"
        elif pd.isna(rep.tables["kpis"].loc["cost_to_serve", str(q)]):
            rep.caveats["kpis"] = f"no service-cost rows for {q}: its cost to serve and net profit are unknown"
    rep.compute("trend", monthly_trend, transactions, q.end, months=months)
    rep.compute("top_customers", top_customers, transactions, customers, q, n=top_n)
    rep.compute("lapsed", lapsed_customers, transactions, customers, q)
    try:
        rep.lapsed_previous = lapsed_customers(transactions, customers, q.previous)
    except InsufficientDataError:
        rep.lapsed_previous = None
    return rep


# --------------------------------------------------------------------------- executive summary


def headline_figures(report: OverviewReport, currency: str = "CNY") -> tuple[pd.DataFrame, list[str]]:
    """The overview's headline figures and the actions they suggest.

    Figures, this quarter against last quarter (NaN where a section is unavailable):
    revenue (money, good: up), gross margin (pct, up), net profit (money, up;
    gross profit when the cost to serve is unknown), customers who ordered
    (count, up) and customers who stopped ordering (count, down).

    Actions, at most three, in this order, each only when it applies:

    1. call the customers who ordered last quarter but not this one (with their revenue last quarter);
    2. check prices and discounts when the gross margin fell by 1 percentage point or more;
    3. review the cost to serve when it grew 5 points faster than revenue;
    4. watch the largest customers when they (fewer than all the buyers) bring more than half of the revenue.

    With none of these, one sentence says the plan can stay.

    Parameters
    ----------
    report : OverviewReport
        From :func:`overview_region`.
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
    q = Quarter.parse(report.quarter)
    prev = q.previous
    cur = f"{currency} " if currency else ""
    unit = f" ({currency})" if currency else ""
    kpis = report.tables.get("kpis")

    def kpi(fig: str, col: str) -> float:
        if kpis is None or fig not in kpis.index:
            return nan
        return float(kpis.loc[fig, col])

    this_q, prev_q = str(q), str(prev)
    profit_fig = "net_profit" if not pd.isna(kpi("net_profit", this_q)) else "gross_profit"
    lapsed = report.tables.get("lapsed")
    n_lapsed = float(len(lapsed)) if lapsed is not None else nan
    n_lapsed_prev = float(len(report.lapsed_previous)) if report.lapsed_previous is not None else nan
    figures = pd.DataFrame(
        [
            (f"Revenue{unit}", kpi("revenue", this_q), kpi("revenue", prev_q), "money", "up"),
            ("Gross margin", kpi("gross_margin", this_q), kpi("gross_margin", prev_q), "pct", "up"),
            (f"{FIGURE_LABELS[profit_fig]}{unit}", kpi(profit_fig, this_q), kpi(profit_fig, prev_q), "money", "up"),
            ("Customers who ordered", kpi("active_customers", this_q), kpi("active_customers", prev_q), "count", "up"),
            ("Customers who stopped ordering", n_lapsed, n_lapsed_prev, "count", "down"),
        ],
        columns=["figure", "value", "previous", "unit", "good"],
    )

    actions = []
    if lapsed is not None and len(lapsed):
        n = len(lapsed)
        who = "customer who" if n == 1 else "customers who"
        they = "it" if n == 1 else "they"
        actions.append(
            f"Call the {n:,} {who} ordered in {prev} but not in {q} (listed below): "
            f"{they} bought {cur}{lapsed['revenue_previous'].sum():,.0f} in {prev}."
        )
    m_now, m_prev = kpi("gross_margin", this_q), kpi("gross_margin", prev_q)
    if m_now <= m_prev - 0.01:
        actions.append(f"Gross margin fell from {m_prev:.1%} to {m_now:.1%}: check prices and discounts on the largest orders.")
    cts, rev = kpi("cost_to_serve", "change"), kpi("revenue", "change")
    if cts > 0 and cts >= rev + 0.05:
        verb = "rose" if rev >= 0 else "fell"
        actions.append(
            f"Cost to serve rose {cts:.1%} against last quarter while revenue {verb} {abs(rev):.1%}: "
            "review visits, deliveries and support before adding more."
        )
    top = report.tables.get("top_customers")
    buyers = kpi("active_customers", this_q)
    if top is not None and 0 < len(top) < buyers and top["share_of_revenue"].sum() > 0.5:
        actions.append(
            f"The {len(top):,} largest customers bring {top['share_of_revenue'].sum():.0%} of revenue: "
            "give each a named account manager and watch their orders every month."
        )
    if not actions and kpis is not None:
        actions.append("Revenue, margin and customers held up against last quarter: keep the current plan.")
    return figures, actions[:3]


# --------------------------------------------------------------------------- Chinese catalogue

INDUSTRIES_ZH = {
    "Machinery": "机械",
    "Automotive": "汽车",
    "Construction": "建筑",
    "Electronics": "电子",
    "Energy": "能源",
    "Food processing": "食品加工",
    "Agriculture": "农业",
    "Shipbuilding": "船舶",
    "Mining": "采矿",
    "Chemicals": "化工",
    "Logistics": "物流",
    "Textiles": "纺织",
}


def _zh_register() -> None:
    from custlib.present import i18n

    span = r"(\d{4}Q\d) \((\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d)\)"
    terms = {
        **INDUSTRIES_ZH,
        **{k.lower(): v for k, v in INDUSTRIES_ZH.items()},
        **{k.capitalize(): v for k, v in i18n.TERMS.items() if k in ("consumer", "producer", "reseller", "government", "international")},
        # kpi table
        "Customers who ordered": "有购买的客户数",
        "Orders": "订单数",
        "Gross margin": "毛利率",
        "Revenue per customer": "客均收入",
        "Cost to serve": "服务成本",
        # lapsed customers
        "revenue_last_quarter": "上季度销售收入",
        "last_order": "最近一次购买日期",
        # executive summary
        "Customers who stopped ordering": "本季度停止购买的客户数",
        "Revenue, margin and customers held up against last quarter: keep the current plan.": (
            "销售收入、毛利率和客户数与上季度相比保持稳定：维持现有计划。"
        ),
        # caveats
        "no service_costs table in the data: cost to serve and net profit are not shown": "数据中没有服务成本表：不显示服务成本和净利润",
    }
    patterns = [
        # executive summary labels and actions
        (r"^Revenue \((\S+)\)$", r"销售收入（\1）"),
        (r"^Net profit \((\S+)\)$", r"净利润（\1）"),
        (r"^Gross profit \((\S+)\)$", r"毛利（\1）"),
        (
            r"^Call the ([\d,]+) customers? who ordered in (\d{4}Q\d) but not in (\d{4}Q\d) \(listed below\): "
            r"(?:it|they) bought (.+) in \d{4}Q\d\.$",
            r"致电 \1 家在 \2 有购买、在 \3 没有购买的客户（名单见下文）：他们在 \2 共购买了 \4。",
        ),
        (
            r"^Gross margin fell from ([\d.-]+%) to ([\d.-]+%): check prices and discounts on the largest orders\.$",
            r"毛利率从 \1 降至 \2：检查大额订单的价格和折扣。",
        ),
        (
            r"^Cost to serve rose ([\d.,]+%) against last quarter while revenue rose ([\d.,]+%): "
            r"review visits, deliveries and support before adding more\.$",
            r"服务成本环比上升 \1，而销售收入只上升 \2：在增加投入之前先复查拜访、配送和支持。",
        ),
        (
            r"^Cost to serve rose ([\d.,]+%) against last quarter while revenue fell ([\d.,]+%): "
            r"review visits, deliveries and support before adding more\.$",
            r"服务成本环比上升 \1，而销售收入下降 \2：在增加投入之前先复查拜访、配送和支持。",
        ),
        (
            r"^The ([\d,]+) largest customers bring ([\d.]+%) of revenue: "
            r"give each a named account manager and watch their orders every month\.$",
            r"最大的 \1 家客户贡献了 \2 的销售收入：为每家指定客户经理，并按月跟踪其订单。",
        ),
        # customers who stopped ordering
        (r"^Every customer who ordered in (\d{4}Q\d) ordered again in (\d{4}Q\d)\.$", r"在 \1 有购买的客户在 \2 都再次购买。"),
        (
            r"^The ([\d,]+) largest of ([\d,]+) customers who stopped ordering, by revenue in (\d{4}Q\d)$",
            r"停止购买的 \2 家客户中按 \3 销售收入最大的 \1 家",
        ),
        # reasons a section is unavailable, and caveats
        (
            rf"^the region has no orders in {span}; its last order before it was on (\d{{4}}-\d\d-\d\d)$",
            r"本区域在 \1（\2 至 \3）没有订单；此前最后一笔订单在 \4",
        ),
        (rf"^the region has no orders in {span}; it has no earlier orders either$", r"本区域在 \1（\2 至 \3）没有订单，此前也没有订单"),
        (
            r"^the region has no orders in the (\d+) months from (\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d)$",
            r"本区域从 \2 到 \3 的 \1 个月内没有订单",
        ),
        (rf"^no customer ordered in {span}$", r"\1（\2 至 \3）没有客户下单"),
        (
            rf"^no orders in {span}: nobody can have stopped ordering in (\d{{4}}Q\d)$",
            r"\1（\2 至 \3）没有订单：因此 \4 无从判断谁停止了购买",
        ),
        (
            r"^no service-cost rows for (\d{4}Q\d): its cost to serve and net profit are unknown$",
            r"\1 没有服务成本记录：该季度的服务成本和净利润未知",
        ),
    ]
    i18n.register(terms=terms, patterns=patterns)


_zh_register()
