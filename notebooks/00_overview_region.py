# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["lang-en"]
# # Region overview
# How the region did this quarter: its customers, revenue and orders against the previous quarter and a year ago,
# the monthly trend, its largest customers and the customers who stopped ordering.

# %% [markdown] tags=["lang-zh"]
# # 区域概览
# 本区域本季度的经营情况：客户数、销售收入和订单数与上季度及去年同期的比较，月度趋势，最大的客户，以及停止购买的客户。

# %%
from custlib.analysis import overview as ov
from custlib.present import glossary
from custlib.present import overview as views
from custlib.reports import context as rp
from custlib.reports import overview as summary

# %% tags=["parameters"]
data: str = "../data/sample"  # data source: a directory of tables or an SQLAlchemy URL
region: str = "East"  # region as written in the customers' region column
quarter: str = "latest"  # quarter to report, e.g. 2026Q3, or "latest" for the latest complete quarter
settings: dict = {}  # merged, validated parameters from the runner, or {} to read params/

# %%
ctx = rp.open_report(data, region, quarter, settings)
rp.use_report_style()
ctx.header()
P = ctx.params["overview"]
tx, customers, top_n = ctx.data.transactions, ctx.data.customers, ctx.params["report"]["top_n"]

# %% [markdown] tags=["lang-en"]
# ## Summary
# The quarter's headline figures against last quarter, and what they suggest doing.

# %% [markdown] tags=["lang-zh"]
# ## 摘要
# 本季度的主要指标与上季度的比较，以及据此建议采取的行动。

# %%
kpis = ctx.compute(ov.kpi_table, ctx.facts)  # the region's facts: the same figures in every report
top = ctx.compute(ov.top_customers, tx, customers, ctx.quarter, n=top_n)
lapsed = ctx.compute(ov.lapsed_customers, tx, customers, ctx.quarter, coverage=ctx.coverage)
lapsed_before = ctx.compute(ov.lapsed_customers, tx, customers, ctx.previous_quarter, coverage=ctx.coverage)
ctx.summary(
    summary.headline_figures(kpis, lapsed, lapsed_before),
    summary.advice(
        kpis,
        top,
        lapsed,
        ctx,
        margin_drop_points=P["margin_drop_points"],
        cost_to_serve_gap=P["cost_to_serve_gap"],
        concentration_share=P["concentration_share"],
    ),
    notebook="00_overview_region",
    domain="overview",
    lists=summary.action_lists(ctx, lapsed, top),  # every customer the advice counts, for the region's action workbook
)

# %% [markdown] tags=["lang-en"]
# ## Headline figures
# This quarter against the previous quarter and the same quarter last year; changes are relative, except the
# margin's, which is in percentage points. Net profit is gross profit less the cost to serve the customers
# (visits, logistics, support, discounts).

# %% [markdown] tags=["lang-zh"]
# ## 主要指标
# 本季度与上季度及去年同期的比较；变化为相对变化，毛利率的变化以百分点表示。净利润是毛利减去服务客户的成本
# （拜访、物流、支持和折扣）。

# %%
ctx.show(kpis, views.kpi_view)

# %% [markdown] tags=["lang-en"]
# ## Monthly trend
# Revenue (bars) and gross profit (line) over the last two years; look for seasonality and a drift up or down.

# %% [markdown] tags=["lang-zh"]
# ## 月度趋势
# 近两年的销售收入（柱）与毛利（线）；留意季节性以及整体的上升或下滑。

# %%
trend = ctx.compute(ov.monthly_trend, tx, ctx.quarter.end, months=P["trend_months"], coverage=ctx.coverage)
ctx.plot(trend, views.monthly_trend_chart)

# %% [markdown] tags=["lang-en"]
# ## Largest customers this quarter
# The customers who bought most; a high share of revenue in few names is a concentration risk.

# %% [markdown] tags=["lang-zh"]
# ## 本季度最大的客户
# 购买最多的客户；少数客户占了很高的收入比重，意味着集中风险。

# %%
ctx.show(top, views.top_customers_view)

# %% [markdown] tags=["lang-en"]
# ## Customers who stopped ordering
# Customers who ordered last quarter but not this quarter, largest first. B2B customers often skip a quarter,
# but each of these deserves a call before the relationship breaks.

# %% [markdown] tags=["lang-zh"]
# ## 停止购买的客户
# 上季度有购买、本季度没有购买的客户，按上季度销售收入从大到小排列。B2B 客户常会隔一个季度才下单，
# 但每一家都值得在客户关系破裂之前打个电话（事前监控预警）。

# %%
ctx.show(lapsed, views.lapsed_view, n=top_n)

# %% [markdown] tags=["lang-en"]
# ## Glossary
# What the technical terms of this report mean.

# %% [markdown] tags=["lang-zh"]
# ## 术语表
# 本报告中专业术语的含义。

# %%
ctx.show(["gross_profit", "cost_to_serve", "net_profit", "percentage_point"], glossary.glossary_view)
