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
# # Customer segmentation
# Who the region's customers are, in the terms a sales manager uses: A/B/C by purchase amount, RFM segments,
# value tiers, loyalty, relationship stage and market type; who moved since last quarter; and, at the end,
# which customers to grow and which valuable customers are slipping. Values are measured over the
# trailing 12 months (parameter `segmentation.window_months`), ending at the quarter's end; ABC classes are on the
# quarter itself, among the customers who ordered in it (the Pareto report's revenue tiers).

# %% [markdown] tags=["lang-zh"]
# # 客户分类
# 用销售经理熟悉的方式看本区域的客户：按购买金额的 A/B/C 分类、RFM 细分、客户价值金字塔、忠诚度、客户关系发展阶段和市场分类；上季度以来谁发生了变化；最后列出值得培育的客户和正在流失的重要客户。各项数值按截至季度末的近 12 个月计算（参数 `segmentation.window_months`）；ABC 分类按本季度计算，只包括本季度有订单的客户（与帕累托报告的收入层级相同）。

# %%
from custlib.analysis import segmentation as seg
from custlib.present import glossary
from custlib.present import segmentation as views
from custlib.reports import context as rp
from custlib.reports import segmentation as report

# %% tags=["parameters"]
data: str = "../data/sample"  # data source: a directory of tables or an SQLAlchemy URL
region: str = "East"  # region as written in the customers' region column
quarter: str = "latest"  # quarter to report, e.g. 2026Q3, or "latest" for the latest complete quarter
settings: dict = {}  # merged, validated parameters from the runner, or {} to read params/

# %%
ctx = rp.open_report(data, region, quarter, settings)
rp.use_report_style()
ctx.header()
P = ctx.params["segmentation"]

# %% [markdown] tags=["lang-en"]
# ## Setup
# The measures every section uses, this quarter and last quarter, computed once.

# %% [markdown] tags=["lang-zh"]
# ## 准备
# 各部分共用的客户指标（本季度和上季度），只计算一次。

# %%
features = ctx.compute(seg.customer_features, ctx.data.transactions, ctx.data.customers, ctx.quarter, service_costs=ctx.data.service_costs, window_months=P["window_months"])
before = ctx.compute(seg.customer_features, ctx.data.transactions, ctx.data.customers, ctx.previous_quarter, service_costs=ctx.data.service_costs, window_months=P["window_months"])
active = ctx.compute(ctx.facts.series, "active_customers", (ctx.quarter.previous, ctx.quarter))  # the region's facts
abc = ctx.compute(ctx.facts.abc_table, ctx.quarter, P["abc"]["measures"])  # on the quarter, cut-offs abc.cutoffs
rfm = ctx.compute(seg.rfm_table, features, **P["rfm"])
rfm_before = ctx.compute(seg.rfm_table, before, **P["rfm"])
tiers = ctx.compute(seg.value_pyramid, features, P["pyramid"]["value"], P["pyramid"]["tiers"])
tiers_before = ctx.compute(seg.value_pyramid, before, P["pyramid"]["value"], P["pyramid"]["tiers"])
sc = P["scorecard"]
scorecard = ctx.compute(seg.value_scorecard, features, sc["current"], sc["potential"], weights=sc["weights"], split=sc["split"])
valuable = {"valuable_tiers": P["pyramid"]["valuable_tiers"]}
at_risk = ctx.compute(seg.valuable_at_risk, features, rfm, tiers, P["pyramid"]["tiers"], abc=abc, **valuable)
abc_before = ctx.compute(ctx.facts.abc_table, ctx.quarter.previous, P["abc"]["measures"])
at_risk_before = ctx.compute(seg.valuable_at_risk, before, rfm_before, tiers_before, P["pyramid"]["tiers"], abc=abc_before, **valuable)
moved_down = ctx.compute(seg.valuable_moved_down, before, tiers_before, features, tiers, P["pyramid"]["tiers"], **valuable)
to_grow = ctx.compute(seg.customers_to_grow, scorecard, features, pyramid=tiers, rfm=rfm)  # all of them, for the action workbook

# %%
figures = report.headline_figures(active, rfm, rfm_before, at_risk, at_risk_before, moved_down)
advice = report.actions(ctx, at_risk=at_risk, moved_down=moved_down, scorecard=scorecard, features=features, window_months=P["window_months"])
lists = report.action_lists(ctx, at_risk=at_risk, moved_down=moved_down, to_grow=to_grow)  # every customer the advice counts
ctx.summary(figures, advice, notebook=report.NOTEBOOK, domain="segmentation", lists=lists)

# %% [markdown] tags=["lang-en"]
# ## 1. ABC classes by purchase amount
# Among the customers who ordered this quarter, on the quarter's amounts: A is the smallest group of top customers
# making the first cut-off of the total (80% by default, parameter `abc.cutoffs`), B takes it to the second (95%), C is
# the rest. These are the Pareto report's revenue tiers. Compare the three measures: if far fewer customers make 80% of
# net profit than of revenue, revenue rank is a poor guide to who pays.

# %% [markdown] tags=["lang-zh"]
# ## 1. 按购买金额的 ABC 分类
# 在本季度有订单的客户中按本季度金额分类：A 类是累计达到总额第一个分界点（默认 80%，参数 `abc.cutoffs`）的最少数大客户，B 类累计到第二个分界点（95%），其余为 C 类，与帕累托报告的收入层级相同。对比三种衡量指标：如果贡献 80% 净利润的客户远少于贡献 80% 销售收入的客户，说明按收入排名并不能看出谁真正带来利润。

# %%
ctx.show(ctx.compute(seg.abc_summary, ctx.facts.customers(), abc), views.abc_view)

# %% [markdown] tags=["lang-en"]
# ## 2. RFM segments
# Recency (days since the last order), frequency (orders) and money are scored 1 to 5 by quintile among the customers
# who ordered in the window; customers with equal values share a score. The recency and frequency scores place each
# customer in one of ten named segments (the grid below the table); customers who ordered before but not in the window
# are not scored and are counted apart. Watch the size and revenue of *at risk*, *can't lose* and *about to sleep*:
# these customers used to buy and are drifting away.

# %% [markdown] tags=["lang-zh"]
# ## 2. RFM 细分
# 在统计期内有订单的客户之间，最近购买期（距最近一次购买的天数）、购买频率（订单数）和货币价值按五分位打 1 至 5 分，数值相同的客户得分相同；由最近购买期和购买频率的得分把每家客户归入十个细分群之一（见表下的对照表）；以前购买过、但统计期内没有订单的客户不打分，单独计数。请关注*流失风险客户*、*不能失去的客户*和*即将沉睡客户*的人数和收入：他们曾经常购买，如今正在疏远。

# %%
ctx.show(ctx.compute(seg.segment_summary, rfm, features), views.rfm_view)

# %% [markdown] tags=["lang-en"]
# ### Which scores make which segment
# The segment of each recency (R) and frequency (F) score pair, as set in `rfm.segments`.

# %% [markdown] tags=["lang-zh"]
# ### 得分与细分群的对照
# 每一组最近购买期（R）和购买频率（F）得分所属的细分群，由参数 `rfm.segments` 设定。

# %%
ctx.show(ctx.compute(seg.segment_grid, P["rfm"]["segments"]), views.rfm_grid_view)

# %% [markdown] tags=["lang-en"]
# ## 3. Value pyramids
# ### Value pyramid
# Customers ranked by a weighted score of revenue, gross profit, order count and growth (each as a percentile
# rank), cut into platinum, gold, iron and lead. A narrow top holding most of the revenue means dependence on few names.

# %% [markdown] tags=["lang-zh"]
# ## 3. 客户价值金字塔
# ### 客户价值金字塔
# 按销售收入、毛利、订单数和增长率（均取百分位排名）的加权得分给客户排名，分为铂金层、黄金层、铁层和铅层。塔尖很窄却占了大部分收入，说明业务依赖少数几家客户。

# %%
ctx.plot(ctx.compute(seg.pyramid_summary, tiers, features), views.pyramid_chart, which="value")

# %% [markdown] tags=["lang-en"]
# ### Profit pyramid
# The same customers ranked by net profit after cost to serve and margin. Customers high in the value pyramid but
# low here are *cost customers*: big, but they cost what they bring.

# %% [markdown] tags=["lang-zh"]
# ### 利润金字塔
# 同一批客户按扣除服务成本后的净利润和毛利率排名。在价值金字塔中位置高、在这里位置低的是*本钱客户*：规模大，但带来的和花掉的差不多。

# %%
ctx.plot(ctx.compute(seg.pyramid_tiers, features, P["pyramid"]["profit"], P["pyramid"]["tiers"], name="profit"), views.pyramid_chart, which="profit")

# %% [markdown] tags=["lang-en"]
# ### Potential-value pyramid
# Ranked by growth, the share of their spend still bought elsewhere (wallet headroom), categories not yet bought
# from us and margin: where more business can come from.

# %% [markdown] tags=["lang-zh"]
# ### 潜在价值金字塔
# 按增长率、仍向其他供应商采购的金额（可争取采购额）、尚未向我们购买的品类和毛利率排名：更多生意可能来自这里。

# %%
ctx.plot(ctx.compute(seg.pyramid_tiers, features, P["pyramid"]["potential"], P["pyramid"]["tiers"], name="potential"), views.pyramid_chart, which="potential")

# %% [markdown] tags=["lang-en"]
# ## 4. Value scorecard
# Current value (financial and sales indicators) against potential value (growth, wallet headroom, cost to serve,
# recency). Top left are the customers to invest in: worth more than they bring today; the first ones are numbered
# and listed by id.

# %% [markdown] tags=["lang-zh"]
# ## 4. 客户价值计分卡
# 当前价值（财务与销售指标）对比潜在价值（增长率、可争取采购额、服务成本、最近购买期）。左上角是值得投入培育的客户：潜力大于目前带来的价值；排在最前的几家在图上编号，并按客户编号列在图旁。

# %%
ctx.plot(scorecard, views.scorecard_chart, split=sc["split"], label_top=sc["label_top"])

# %% [markdown] tags=["lang-en"]
# ## 5. Behavioural clusters
# Customers grouped by how they buy (size, frequency, order size, breadth, recency, margin) with k-means; the
# number of groups is the one that separates them best (silhouette). Customers in one group buy alike, so what one
# buys can be offered to the others.

# %% [markdown] tags=["lang-zh"]
# ## 5. 客户匹配分析（行为聚类）
# 用 k-means 按购买方式（规模、频率、订单金额、品类广度、最近购买期、毛利率）给客户分组，组数取区分效果最好的一个（轮廓系数）。同一组的客户购买行为相似，一家买过的产品可以推荐给同组其他客户。

# %%
ctx.show(ctx.compute(seg.cluster_profiles, features, random_state=ctx.seed, **P["clusters"]), views.clusters_view)

# %% [markdown] tags=["lang-en"]
# ## 6. Loyalty
# Read from what our own sales show: *loyal* customers buy regularly, for a year or more, across several categories
# and are within their usual rhythm; *switchers* buy repeatedly but irregularly or have gone quiet; customers with
# *no brand loyalty* bought only once or twice.

# %% [markdown] tags=["lang-zh"]
# ## 6. 忠诚度
# 根据我们自己的销售记录判断：*忠诚客户*一年以上定期购买、跨多个品类，且仍在其惯常的购买节奏内；*品牌转换者*重复购买但不规律或已沉寂；*无品牌忠诚*的客户只买过一两次。

# %%
ctx.show(ctx.compute(seg.loyalty_summary, features, **P["loyalty"]), views.loyalty_view)

# %% [markdown] tags=["lang-en"]
# ## 7. Relationship stage
# Our share of each customer's spend on our categories (share of wallet): development (nothing in the last 12
# months), initial cooperation (a small share), stable cooperation (main supplier) and strategic cooperation
# (dominant share). Needs the customers' wallet estimates; without them the report says so.

# %% [markdown] tags=["lang-zh"]
# ## 7. 客户关系发展阶段
# 按我们在客户同类采购中所占的份额（钱包份额）划分：开发期（近 12 个月没有购买）、初步合作期（份额小）、稳定合作期（主要供应商）和战略合作期（份额占主导）。需要客户的采购总额估计；没有时报告会说明。

# %%
ctx.show(ctx.compute(seg.stage_summary, features, **P["relationship"]), views.relationship_view)

# %% [markdown] tags=["lang-en"]
# ### Stage changes since last quarter
# Stages normally move one step at a time; a jump or a step back is worth a call.

# %% [markdown] tags=["lang-zh"]
# ### 上季度以来的阶段变化
# 关系阶段通常一次只移动一步；跳级或倒退都值得打个电话问问。

# %%
ctx.show(ctx.compute(seg.stage_migration, before, features, **P["relationship"]), views.migration_view, classes="stage")

# %% [markdown] tags=["lang-en"]
# ## 8. Market types
# Consumer, producer, reseller, government and international customers: how many, how much they buy and at what margin.

# %% [markdown] tags=["lang-zh"]
# ## 8. 市场分类
# 消费者市场、产业市场、中间商市场、政府市场和国际市场的客户：有多少家、买了多少、毛利率多高。

# %%
ctx.show(ctx.compute(seg.market_type_breakdown, features), views.market_type_view)

# %% [markdown] tags=["lang-en"]
# ## 9. Migration since last quarter
# ### RFM segments
# Rows are last quarter's segments, columns this quarter's; the diagonal stayed put. *(none)* means not yet a buyer;
# a dash means no customer.

# %% [markdown] tags=["lang-zh"]
# ## 9. 上季度以来的客户迁移
# ### RFM 细分群
# 行是上季度的细分群，列是本季度的；对角线上的客户没有变化。“（无）”表示当时还不是购买客户；短横线表示没有客户。

# %%
ctx.show(ctx.compute(seg.class_migration, rfm_before, rfm, column="segment", order=seg.SEGMENT_ORDER), views.migration_view, classes="segment")

# %% [markdown] tags=["lang-en"]
# ### RFM segments, revenue
# The same moves weighted by this window's revenue: how much business sits in each move.

# %% [markdown] tags=["lang-zh"]
# ### RFM 细分群迁移的销售收入
# 同样的迁移按本期销售收入加权：每种变化涉及多少生意。

# %%
ctx.show(ctx.compute(seg.class_migration, rfm_before, rfm, column="segment", order=seg.SEGMENT_ORDER, weights=features), views.migration_view, classes="segment", revenue=True)

# %% [markdown] tags=["lang-en"]
# ### Value tiers
# Moves between value-pyramid tiers, last quarter's in rows and this quarter's in columns, best tier first. Cells above the diagonal
# are customers who moved down a tier, below it customers who moved up (lead to iron to gold to platinum: the rolling upgrade the region works for).

# %% [markdown] tags=["lang-zh"]
# ### 价值层级
# 客户价值金字塔各层级之间的迁移，行为上季度层级，列为本季度层级，最高层级在前。对角线以上是层级下降的客户，对角线以下是层级上升的客户（铅层到铁层、黄金层再到铂金层：本区域追求的客户滚动提升）。

# %%
ctx.show(ctx.compute(seg.class_migration, tiers_before, tiers, column="tier", order=P["pyramid"]["tiers"]), views.migration_view, classes="tier")

# %% [markdown] tags=["lang-en"]
# ### Value tiers, revenue
# The same moves weighted by this window's revenue.

# %% [markdown] tags=["lang-zh"]
# ### 价值层级迁移的销售收入
# 同样的迁移按本期销售收入加权。

# %%
ctx.show(ctx.compute(seg.class_migration, tiers_before, tiers, column="tier", order=P["pyramid"]["tiers"], weights=features), views.migration_view, classes="tier", revenue=True)

# %% [markdown] tags=["lang-en"]
# ### ABC class on the quarter's revenue
# The same question for A/B/C on this quarter's revenue against last quarter's (rows last quarter, columns this quarter):
# the quickest view of customers stepping up or dropping back. *(none)* means no order in that quarter.

# %% [markdown] tags=["lang-zh"]
# ### 按季度收入的 ABC 类别
# 用本季度收入与上季度收入分别做 A/B/C 分类再比较（行为上季度，列为本季度）：最快看出哪些客户在上升、哪些在回落。“（无）”表示该季度没有订单。

# %%
ctx.show(ctx.compute(seg.abc_migration, abc_before, abc), views.migration_view, classes="abc")

# %% [markdown] tags=["lang-en"]
# ### Valuable customers who moved down
# Customers in the top tiers last quarter who are in a lower tier now, largest first.

# %% [markdown] tags=["lang-zh"]
# ### 层级下降的重要客户
# 上季度在最高几个层级、本季度层级下降的客户，按原收入从大到小排列。

# %%
ctx.show(moved_down, views.moved_down_view, window_months=P["window_months"])

# %% [markdown] tags=["lang-en"]
# ## 10. What to do
# ### Customers to grow
# High potential, lower current value: the scorecard's invest quadrant, highest potential first. A dash under the change means
# the customer bought nothing in the 12 months before.

# %% [markdown] tags=["lang-zh"]
# ## 10. 行动建议
# ### 值得培育的客户
# 潜在价值高、当前价值较低：计分卡中投入培育象限的客户，按潜力从高到低排列。变化一栏为短横线表示该客户在之前 12 个月没有购买。

# %%
ctx.show(ctx.compute(seg.customers_to_grow, scorecard, features, pyramid=tiers, rfm=rfm, top=P["top_n"]), views.to_grow_view, window_months=P["window_months"])

# %% [markdown] tags=["lang-en"]
# ### Valuable customers at risk
# Top-tier or class-A customers in a slipping RFM segment or with falling revenue: visit them before the relationship breaks.

# %% [markdown] tags=["lang-zh"]
# ### 有流失风险的重要客户
# 处于下滑 RFM 细分群或收入下降的高层级或 A 类客户：在关系破裂之前去拜访他们。

# %%
ctx.show(at_risk, views.at_risk_view, window_months=P["window_months"], top=P["top_n"])

# %% [markdown] tags=["lang-en"]
# ## Glossary
# What the technical terms of this report mean.

# %% [markdown] tags=["lang-zh"]
# ## 术语表
# 本报告中专业术语的含义。

# %%
ctx.show(
    ["abc", "pareto", "rfm", "quintile", "percentile", "value_pyramid", "share_of_wallet",
     "cluster", "gross_profit", "cost_to_serve", "net_profit", "cost_customer"],
    glossary.glossary_view,
)
