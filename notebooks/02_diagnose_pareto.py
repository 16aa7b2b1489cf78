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
# # Pareto diagnostics
# Does the 80/20 rule hold in this region, and does it hold for profit as well as for revenue?
# Each section tests one doubt about the rule: big buyers may be cost customers, spending should
# follow growth rather than revenue, and concentration moves over time.

# %% [markdown] tags=["lang-zh"]
# # 帕累托（二八法则）诊断
# 二八法则在本区域成立吗？对利润是否和对销售收入一样成立？每一部分检验对这条法则的一个疑问：
# 大客户可能是本钱客户而不是利润客户；资源投入应当跟随增长而不是销售收入；集中度会随时间变化。

# %%
from custlib.analysis import pareto as pa
from custlib.present import glossary
from custlib.present import pareto as views
from custlib.reports import context as rp
from custlib.reports import pareto as report

# %% tags=["parameters"]
data: str = "../data/sample"  # data source: a directory of tables or an SQLAlchemy URL
region: str = "East"  # region as written in the customers' region column
quarter: str = "latest"  # quarter to report, e.g. 2026Q3, or "latest" for the latest complete quarter
settings: dict = {}  # merged, validated parameters from the runner, or {} to read params/

# %%
ctx = rp.open_report(data, region, quarter, settings)
rp.use_report_style()
ctx.header()
P = ctx.params["pareto"]

# %%
tx, cutoffs, lag = ctx.data.transactions, ctx.abc_cutoffs, P["growth_lag_quarters"]  # cut-offs: abc.cutoffs, shared with segmentation
profit = ctx.compute(pa.quarter_profit, ctx.facts, ctx.quarter)  # every customer with a line or a cost to serve
previous = ctx.compute(pa.quarter_profit, ctx.facts, ctx.previous_quarter)
buyers = ctx.compute(pa.with_two_customers, profit, len(ctx.data.customers))  # those who ordered
positive = ctx.compute(pa.with_positive_profit, buyers)
base = ctx.quarter.shift(-lag)
allocation = ctx.compute(pa.tier_allocation, profit, tx, base.start, base.end, cutoffs=cutoffs)
moves = ctx.compute(pa.quarter_tier_moves, tx, ctx.previous_quarter, ctx.quarter, cutoffs=cutoffs)  # per customer
migration = ctx.compute(pa.migration_of, moves)

# %%
figures = report.headline_figures(profit, previous, share=cutoffs[0], cutoffs=cutoffs)
actions = report.advice(ctx, profit, allocation, migration, cutoffs=cutoffs, lag_quarters=lag)
lists = report.action_lists(ctx, profit, moves, cutoffs=cutoffs)  # every customer the advice counts, for the action workbook
ctx.summary(figures, actions, notebook=report.NOTEBOOK, domain="pareto", lists=lists)

# %% [markdown] tags=["lang-en"]
# ## Revenue, gross profit and net profit concentration
# Among the customers who ordered this quarter: the share held by the top customers, and the share of customers making
# 80% (ABC class A), for each measure side by side. If profit is far more (or less) concentrated than revenue, revenue
# rank is a poor guide to who pays. With loss-making customers the net-profit shares can exceed 100% and its Gini can
# exceed 1; they are shown unclipped.

# %% [markdown] tags=["lang-zh"]
# ## 销售收入、毛利与净利润的集中度
# 在本季度有订单的客户中，三种衡量指标并排比较：最大的客户所占的份额，以及贡献 80% 所需的客户占比（即 A 类客户）。如果利润比销售收入集中得多（或分散得多），
# 按收入排名就看不出谁真正带来利润。存在亏损客户时，净利润的份额可以超过 100%，其基尼系数也可以超过 1；表中如实显示，不作截断。

# %%
conc = ctx.compute(
    pa.concentration_table,
    buyers,
    tops=P["top_fractions"],
    share=cutoffs[0],
    ci=P["gini_ci"],
    n_boot=P["bootstrap_draws"],
    seed=ctx.seed,
)
ctx.show(conc, views.concentration_view, ci=P["gini_ci"])

# %% [markdown] tags=["lang-en"]
# ## Whale curve
# Customers ranked from most to least profitable, with cumulative net profit as a share of the total.
# The peak is the profit the profitable customers earn; the fall after it is what the loss-making ones give back.

# %% [markdown] tags=["lang-zh"]
# ## 鲸鱼曲线
# 客户按净利润从高到低排列，纵轴为累计净利润占总额的比例。峰值是盈利客户创造的利润；峰值之后的下降是亏损客户亏掉的部分。

# %%
curve = ctx.compute(pa.whale_curve, positive)
ctx.plot(curve, views.whale_chart)

# %% [markdown] tags=["lang-en"]
# ## Who destroys value, by revenue tier
# Customers with negative net profit in each revenue tier (ABC by revenue). Losses in tier A mean the
# largest buyers are cost customers: their volume comes with concessions that eat the margin.

# %% [markdown] tags=["lang-zh"]
# ## 谁在毁损价值：按收入层级
# 各收入层级（按销售收入的 ABC 分类）中净利润为负的客户。A 类有亏损，说明最大的买家是本钱客户：
# 他们的销量伴随着价格、账期、交货等方面的让步，吃掉了利润。

# %%
whale = ctx.compute(pa.whale_summary, positive, cutoffs=cutoffs)
ctx.show(whale, views.whale_by_tier_view)

# %% [markdown] tags=["lang-en"]
# ## Resources against return, by tier
# Cost to serve (visits, logistics, support and discounts) against net profit and revenue growth (against the same
# quarter a year earlier by default). Spending that follows revenue while growth sits in tiers B and C starves the
# tiers that can grow. *No orders* are the customers served this quarter without ordering; *All* is the whole region
# (its growth is the region's revenue against the earlier quarter's, as in the overview).

# %% [markdown] tags=["lang-zh"]
# ## 资源投入与回报：按层级
# 服务成本（拜访、物流、支持和折扣）对比净利润和收入增长（默认与去年同季度相比）。如果投入跟着销售收入走，
# 而增长潜力在 B、C 类，就会让最有增长空间的层级得不到资源。“无订单”是本季度得到服务却没有下单的客户；“全部”是整个区域
# （其增长是区域销售收入与对比季度的比较，与区域概览一致）。

# %%
ctx.show(allocation, views.allocation_view, lag_quarters=lag)

# %% [markdown] tags=["lang-en"]
# ### Cost to serve and net profit by tier
# The same figures drawn: a tier whose cost-to-serve bar stands high beside a short or negative net-profit bar takes
# resources without earning them.

# %% [markdown] tags=["lang-zh"]
# ### 各层级的服务成本与净利润
# 同样的数字画成图：服务成本的柱子高、净利润的柱子矮甚至为负的层级，占用了资源却没有带来回报。

# %%
ctx.plot(allocation, views.allocation_chart)

# %% [markdown] tags=["lang-en"]
# ## Concentration over time and against the other regions
# Revenue concentration quarter by quarter over the whole history, beside the range and median of the other
# regions. 80/20 is a snapshot, not a target: watch the direction, not one figure.

# %% [markdown] tags=["lang-zh"]
# ## 集中度的变化及与其他区域的比较
# 全部历史中逐季度的销售收入集中度，并与其他区域的范围和中位数对照。二八法则只是一个快照，而不是目标：
# 要看变化方向，而不是某一个数字。

# %%
by_quarter = ctx.compute(pa.concentration_by_quarter, tx, share=cutoffs[0], through=ctx.quarter.end)
trend = ctx.compute(pa.concentration_trend, by_quarter, ctx.data.peer_quarterly, ctx.region, measure=P["trend_measure"])
ctx.plot(trend, views.concentration_trend_chart)

# %% [markdown] tags=["lang-en"]
# ## Tier migration since the previous quarter
# Customers moving between revenue tiers (C to B, B to A, and down), entering (new, or back after a pause) and
# leaving (lost, or pausing), with the revenue change each movement brought. Customers rolling up from C and B
# are the development the literature asks for.

# %% [markdown] tags=["lang-zh"]
# ## 与上季度相比的层级迁移
# 客户在收入层级之间的移动（C 升 B、B 升 A 以及下降），新进入（新客户或暂停后回来）和退出（流失或暂停）的客户，
# 以及每种变动带来的销售收入变化。从 C、B 类逐步提升上来的客户，正是客户滚动提升所追求的发展。

# %%
ctx.show(migration, views.migration_view)

# %% [markdown] tags=["lang-en"]
# ## Glossary
# What the technical terms of this report mean.

# %% [markdown] tags=["lang-zh"]
# ## 术语表
# 本报告中专业术语的含义。

# %%
ctx.show(
    ["pareto", "gini", "whale_curve", "abc",
     "gross_profit", "cost_to_serve", "net_profit", "cost_customer", "percentage_point"],
    glossary.glossary_view,
)
