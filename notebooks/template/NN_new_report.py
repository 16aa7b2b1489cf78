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
# # New report
# Two lines for the regional manager: the question this report answers and what to look for. (Template: copy this
# file to `notebooks/NN_name.py`, then follow "Adding a notebook" in `notebooks/README.md`. It runs as it is on the
# sample data, with the region overview's steps standing in for your analysis.)

# %% [markdown] tags=["lang-zh"]
# # 新报告
# 写给区域经理的两行说明：本报告回答什么问题，读者应当关注什么。（模板：复制为 `notebooks/NN_name.py`，再按 `notebooks/README.md`
# 中“新增一个报告”的步骤操作。模板可直接在示例数据上运行，其中用区域概览的分析步骤代替你的分析。）

# %%
from custlib.analysis import overview as analysis
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
P = ctx.params["overview"]  # this report's section of params/defaults.yaml
tx, customers = ctx.data.transactions, ctx.data.customers

# %% [markdown] tags=["lang-en"]
# ## Summary
# The headline figures against last quarter, and what they suggest doing.

# %% [markdown] tags=["lang-zh"]
# ## 摘要
# 本季度的主要指标与上季度的比较，以及据此建议采取的行动。

# %%
kpis = ctx.compute(analysis.quarter_kpis, tx, ctx.quarter, service_costs=ctx.data.service_costs, coverage=ctx.coverage)
lapsed = ctx.compute(analysis.lapsed_customers, tx, customers, ctx.quarter, coverage=ctx.coverage)
lapsed_before = ctx.compute(analysis.lapsed_customers, tx, customers, ctx.previous_quarter, coverage=ctx.coverage)
top = ctx.compute(analysis.top_customers, tx, customers, ctx.quarter, n=ctx.params["report"]["top_n"])
ctx.summary(
    summary.headline_figures(kpis, lapsed, lapsed_before),
    summary.advice(kpis, top, lapsed, ctx, margin_drop_points=P["margin_drop_points"]),
    notebook="NN_new_report",  # this notebook's file name, recorded with the figures in the manifest
    domain="overview",  # the catalogue of the figures' labels: your analysis's name
)

# %% [markdown] tags=["lang-en"]
# ## A table
# One section: a heading, two lines on what the reader should see, one step computed and shown as one table.

# %% [markdown] tags=["lang-zh"]
# ## 一张表
# 一个部分：一个标题，两行说明读者应当看到什么，计算一个步骤，并用一张表展示。

# %%
ctx.show(kpis, views.kpi_view)

# %% [markdown] tags=["lang-en"]
# ## A chart
# A step with a setting from the parameters, drawn as one chart. To try another value, edit the number in the cell
# (`months=12`) and run the cell again; to keep it, change the parameter in `params/`.

# %% [markdown] tags=["lang-zh"]
# ## 一张图
# 带一个参数的步骤，画成一张图。想试另一个数值，在单元格里改这个数（`months=12`）再运行该单元格；要保留，就修改 `params/` 中的参数。

# %%
trend = ctx.compute(analysis.monthly_trend, tx, ctx.quarter.end, months=P["trend_months"])
ctx.plot(trend, views.monthly_trend_chart)

# %% [markdown] tags=["lang-en"]
# ## Glossary
# What the technical terms of this report mean.

# %% [markdown] tags=["lang-zh"]
# ## 术语表
# 本报告中专业术语的含义。

# %%
ctx.show(["gross_profit", "cost_to_serve", "net_profit", "percentage_point"], glossary.glossary_view)
