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
# # Customer development forecast
# Selling more to existing customers (cross-selling and up-selling): what a development campaign would return
# per target group, who responds, which products go together, where revenue is heading, what customers are
# worth, who is slipping, and how development compares with winning new customers. A section the region's data
# cannot support says why, and what data would make it possible.

# %% [markdown] tags=["lang-zh"]
# # 客户发展绩效预测
# 向现有客户卖得更多（交叉销售与升级销售）：一次客户开发活动对各目标客户群能带来什么回报，谁会响应，哪些产品常被一起购买，销售收入的走向，客户值多少，谁正在流失，以及客户开发与开发新客户相比效果如何。本区域数据不足以支持的部分会说明原因，以及需要什么数据才能完成。

# %%
from custlib.analysis import clv
from custlib.analysis import development as dev
from custlib.present import clv as clv_views
from custlib.present import glossary
from custlib.present.development import charts, views
from custlib.reports import context as rp
from custlib.reports import development as rd

# %% tags=["parameters"]
data: str = "../data/sample"  # data source: a directory of tables or an SQLAlchemy URL
region: str = "East"  # region as written in the customers' region column
quarter: str = "latest"  # quarter to report, e.g. 2026Q3, or "latest" for the latest complete quarter
settings: dict = {}  # merged, validated parameters from the runner, or {} to read params/

# %%
ctx = rp.open_report(data, region, quarter, settings)
rp.use_report_style()
ctx.header()
P = ctx.params["development"]
asof = ctx.quarter.end

# %%
orders = ctx.compute(dev.orders_up_to, ctx.data.transactions, asof)  # order lines up to the quarter's end
costs = ctx.compute(dev.costs_up_to, ctx.data.service_costs, asof)  # cost to serve up to the quarter's end (None without)
plan = ctx.compute(dev.campaign_plan, ctx.data.customers, ctx.data.offers, orders, costs, asof=asof, seed=ctx.seed, **P["campaign"])
life = ctx.compute(clv.lifetime_value_analysis, orders, asof, **{"seed": ctx.seed, **ctx.params["clv"]})
bgnbd = rd.purchase_model(life)  # probability alive for the watch and win-back lists (None without)
kpis = ctx.compute(dev.development_kpis, orders, costs, quarter=ctx.quarter, coverage=ctx.coverage, **P["kpis"])
watch = ctx.compute(
    dev.watch_list, orders, ctx.data.customers, asof=asof, bgnbd=bgnbd, time_unit=ctx.params["clv"]["time_unit"], **P["early_warning"]
)
winback = ctx.compute(
    dev.winback_candidates,
    orders,
    ctx.data.customers,
    quarter=ctx.quarter,
    bgnbd=bgnbd,
    time_unit=ctx.params["clv"]["time_unit"],
    **P["winback"],
)
forecast = ctx.compute(dev.forecast_revenue, orders, end=asof, **P["forecast"])  # monthly revenue forecast, per quarter too
targets = ctx.compute(dev.campaign_targets, plan, ctx.data.customers, orders, asof=asof, segment_by=P["campaign"]["segment_by"])
pairs = ctx.compute(dev.co_purchase, orders, item_col="product_id", **P["copurchase"])  # products bought together
next_best = ctx.compute(dev.next_best_product, orders, ctx.data.customers, rules=pairs, **P["copurchase"])

# %%
ctx.summary(
    rd.headline_figures(kpis, watch, plan, forecast),
    rd.advice(ctx, kpis, watch, plan, winback),
    notebook="03_forecast_development",
    domain="development",
    lists=rd.action_lists(ctx, watch=watch, winback=winback, targets=targets, next_best=next_best),  # for the action workbook
)

# %% [markdown] tags=["lang-en"]
# ## 1. Campaign forecast
# Per target group: the response rate to past offers with its likely range (90% credible interval), what a
# responder buys, the provision cost per customer contacted (contact plus cost to serve), and the expected profit
# and return on that cost (ROI). Groups are ranked by profit per contact. A limited budget goes first to the groups
# with the highest ROI, which earns the most for the money; the last column is how many customers of each group the
# budget pays for.

# %% [markdown] tags=["lang-zh"]
# ## 1. 开发活动预测
# 按目标客户群列出：以往推荐的反应率及其可能范围（90% 可信区间）、响应客户的购买量、每联系一家客户的供应成本（联系成本加服务成本），以及预期利润和投入回报率（ROI）。各客户群按每次联系的预期利润排名。有限的预算先投给投入回报率最高的客户群，这样同样的钱能赚得最多；最后一列是预算能覆盖的各客户群客户数。

# %%
ctx.say(rd.campaign_sentences(plan, ctx, budget=P["campaign"]["budget"], min_offers=P["campaign"]["min_offers"]))
ctx.show(plan, views.campaign_view)

# %% [markdown] tags=["lang-en"]
# ## 2. Response model
# ### Response rates as observed
# Past offers per customer group: how many were made, how many were answered, and the response rate with its
# likely range. These need no model, so they are shown even when there are too few offers to fit one.

# %% [markdown] tags=["lang-zh"]
# ## 2. 客户反应分析
# ### 实际反应率
# 按客户群统计以往的推荐：推荐次数、响应次数，以及反应率和它的可能范围。这些数字不需要模型，所以即使推荐太少、无法建模也会显示。

# %%
rates = ctx.compute(
    dev.response_rates, ctx.data.offers, ctx.data.customers, by=P["campaign"]["segment_by"], asof=asof, interval=P["campaign"]["interval"]
)
ctx.show(rates, views.response_rates_view)

# %% [markdown] tags=["lang-en"]
# ### Who responds
# What the customers who responded had in common when the offer was made (a logistic regression). An odds ratio
# above 1 means more likely to respond (per unit, or against the group named in brackets); when the likely range
# (95% interval) spans 1 the data cannot tell.

# %% [markdown] tags=["lang-zh"]
# ### 谁会响应
# 收到推荐时，响应客户有哪些共同特征（逻辑回归）。优势比大于 1 表示更可能响应（按每单位计，或相对于括号中的对照组）；如果可能范围（95% 区间）跨过 1，数据无法下结论。

# %%
model = ctx.compute(dev.fit_response_model, ctx.data.offers, ctx.data.customers, orders, asof=asof, seed=ctx.seed, **P["response"])
ctx.show(model, views.odds_ratios_view)

# %% [markdown] tags=["lang-en"]
# ### Holdout check
# On offers the model did not see: the share of responders reached when the highest-scored customers are
# contacted first. The dashed line is random targeting; the title gives the holdout AUC (0.5 = no better than chance).

# %% [markdown] tags=["lang-zh"]
# ### 留出样本检验
# 在模型没有见过的推荐上检验：按得分从高到低联系客户时，能覆盖多少比例的响应客户。虚线表示随机联系；标题给出留出样本的 AUC（0.5 表示与随机无异）。

# %%
ctx.plot(model, charts.gains_chart)

# %% [markdown] tags=["lang-en"]
# ### Customers most likely to respond
# Every current customer scored for an offer made now, through the most common channel.

# %% [markdown] tags=["lang-zh"]
# ### 最可能响应的客户
# 假设现在通过最常用的渠道发出推荐，为每一家现有客户打分。

# %%
scores = ctx.compute(dev.score_customers, model, ctx.data.customers, orders, asof=asof)
ctx.show(scores, views.scores_view)

# %% [markdown] tags=["lang-en"]
# ## 3. Product cross analysis
# Products bought in the same order more often than chance would give (lift above 1): cross-selling candidates.
# Support is the share of all orders holding both; confidence the share of the first product's orders that also
# hold the second. Each pair is listed once, in the direction with the higher confidence.

# %% [markdown] tags=["lang-zh"]
# ## 3. 产品交叉分析
# 在同一订单中被一起购买、且比随机情况更常见（提升度大于 1）的产品：交叉销售的候选。支持度是同时包含两种产品的订单占全部订单的比例；置信度是含第一种产品的订单中也含第二种产品的比例。每对产品只列一次，取置信度较高的方向。

# %%
ctx.show(pairs, views.pairs_view, item="product")

# %% [markdown] tags=["lang-en"]
# ### Category pairs
# The same measures for product categories.

# %% [markdown] tags=["lang-zh"]
# ### 品类组合
# 对产品品类计算同样的指标。

# %%
category_pairs = ctx.compute(dev.co_purchase, orders, item_col="category", **P["copurchase"])
ctx.show(category_pairs, views.pairs_view, item="category")

# %% [markdown] tags=["lang-en"]
# ### Next-best product
# For each customer, the product with the highest lift that they have not bought yet, and the product they buy
# that it goes with.

# %% [markdown] tags=["lang-zh"]
# ### 下一个推荐产品
# 为每家客户找出其尚未购买、提升度最高的产品，以及它所搭配的、客户已经在买的产品。

# %%
ctx.show(next_best, views.next_best_view)

# %% [markdown] tags=["lang-en"]
# ## 4. Revenue forecast
# The region's monthly revenue with a forecast and its prediction interval. The model shown is the one with the
# lowest error in a rolling backtest, and only if it beats the seasonal-naive baseline (same month last year).
# The next quarter's forecast, the figure in the executive summary, is the sum of the first three months; its
# interval allows for errors that carry over from month to month.

# %% [markdown] tags=["lang-zh"]
# ## 4. 销售收入预测
# 本区域的月度销售收入、预测值及其预测区间。显示的是滚动回测中误差最小的模型，并且只有在它优于季节性朴素基准（去年同月）时才采用。下季度的预测值（即摘要中的数字）是前三个月预测值之和，其区间考虑了误差在各月之间的延续。

# %%
ctx.say(rd.forecast_sentence(forecast, ctx))
ctx.plot(forecast, charts.forecast_chart)

# %% [markdown] tags=["lang-en"]
# ### Backtest
# Mean absolute scaled error (MASE) over the backtest origins; a relative MASE below 1 beats seasonal naive.

# %% [markdown] tags=["lang-zh"]
# ### 回测
# 各回测起点的平均绝对标度误差（MASE）；相对 MASE 小于 1 表示优于季节性朴素预测。

# %%
ctx.show(forecast, views.backtest_view)

# %% [markdown] tags=["lang-en"]
# ## 5. Customer lifetime value
# The BG/NBD purchase model and the Gamma-Gamma spend model. First the check: fitted on the history before a
# holdout window, the model's predicted repeat purchases against what customers actually bought in that window.

# %% [markdown] tags=["lang-zh"]
# ## 5. 客户终身价值
# BG/NBD 购买模型与 Gamma-Gamma 消费金额模型。先做检验：用留出期之前的历史拟合模型，把它预测的重复购买次数与客户在留出期内的实际购买相比较。

# %%
ctx.plot(life, clv_views.holdout_chart)

# %% [markdown] tags=["lang-en"]
# ### Most valuable customers
# Probability of still being active, expected purchases next month, expected spend per purchase and discounted
# lifetime value (CLV) over the next year.

# %% [markdown] tags=["lang-zh"]
# ### 最有价值的客户
# 仍然活跃的概率、下个月的预期购买次数、每次购买的预期金额，以及未来一年折现后的客户终身价值（CLV）。

# %%
ctx.say(clv_views.notes_text(life, ctx))
ctx.show(life, clv_views.customers_view)

# %% [markdown] tags=["lang-en"]
# ## 6. Early warning
# Customers whose buying is slipping: revenue falling month after month, a recent quarter far below their usual
# level, or fewer product lines. Visit them before the relationship breaks. Usual revenue is the monthly average of
# the year before the last three months; months falling counts the months in a row that the three-month total fell.

# %% [markdown] tags=["lang-zh"]
# ## 6. 事前监控预警
# 购买正在下滑的客户：销售收入逐月下降、最近一个季度远低于平常水平，或购买的产品线减少。应在关系破裂之前登门拜访。平常月收入是最近三个月之前一年的月平均值；连续下降月数是三个月合计收入连续下降的月数。

# %%
ctx.show(watch, views.watch_view)

# %% [markdown] tags=["lang-en"]
# ## 7. Development KPIs
# Sales and profit from existing customers against the previous quarter and a year earlier, and their share of the
# total. Development against acquisition, like for like over the same year: the change in profit, against the quarter a
# year earlier, of the customers who had ordered by then, beside the profit added by the customers won since (their
# profit a year earlier was nothing). The two add up to the change in the region's profit.

# %% [markdown] tags=["lang-zh"]
# ## 7. 客户开发绩效指标
# 现有客户的销售收入和利润与上季度及去年同期相比的变化，以及占总额的比例。客户开发与新客户开发在同一年内对等比较：一年前已有订单的客户的利润与一年前相比的变化，对比此后新获得的客户带来的利润（他们一年前的利润为零）。两者相加等于区域利润的变化。

# %%
ctx.say(rd.kpi_sentences(kpis, ctx))
ctx.show(kpis, views.kpis_view)

# %% [markdown] tags=["lang-en"]
# ### Win-back candidates
# Lapsed customers (no orders lately) who earned as much as a good current customer before they stopped:
# worth a call to win them back.

# %% [markdown] tags=["lang-zh"]
# ### 客户再生候选
# 近期没有订单、但停止购买前带来的利润不低于一家良好现有客户的流失客户：值得打电话争取他们回来。

# %%
ctx.show(winback, views.winback_view)

# %% [markdown] tags=["lang-en"]
# ## Glossary
# What the technical terms of this report mean.

# %% [markdown] tags=["lang-zh"]
# ## 术语表
# 本报告中专业术语的含义。

# %%
ctx.show(
    ["odds_ratio", "auc", "gains", "holdout", "support", "confidence", "lift", "mase",
     "seasonal_naive", "prediction_interval", "clv", "bgnbd", "gamma_gamma", "p_active", "cost_to_serve", "percentage_point"],
    glossary.glossary_view,
)
