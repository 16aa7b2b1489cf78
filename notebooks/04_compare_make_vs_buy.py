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
# # Make or buy: products for customer development
# For each product that customer development needs but we do not sell yet: is it cheaper to develop and make it
# in-house or to buy it from a supplier, once the hidden costs, the learning curve, economies of scale, supplier
# risk and uncertain demand are counted, and what do the factors other than cost say? Amounts are present values
# (PV): future costs discounted at each product's discount rate, so that they can be added and compared.

# %% [markdown] tags=["lang-zh"]
# # 自主开发与外部采购比较：客户开发所需的新产品
# 客户开发需要一些我们尚未销售的产品：自主开发生产和向供应商外部采购，哪一种更省钱？比较时计入隐性成本、学习曲线、规模经济、供应商风险和需求的不确定性，并把成本以外的定性因素一并打分。金额均为现值：未来各期成本按各产品的折现率折算到今天，以便相加和比较。

# %%
from custlib.analysis import makebuy as mb
from custlib.present import glossary
from custlib.present import makebuy as views
from custlib.reports import context as rp
from custlib.reports import makebuy as mbr

# %% tags=["parameters"]
data: str = "../data/sample"  # data source: a directory of tables or an SQLAlchemy URL
region: str = "East"  # region as written in the customers' region column
quarter: str = "latest"  # quarter to report, e.g. 2026Q3, or "latest" for the latest complete quarter
settings: dict = {}  # merged, validated parameters from the runner, or {} to read params/

# %%
ctx = rp.open_report(data, region, quarter, settings)
rp.use_report_style()
ctx.header()
P = ctx.params["makebuy"]
ctx.report_terms = mbr.case_terms(P, ctx.lang)  # the client's own names of its products (label_zh ...), this report only

# %%
cases = ctx.compute(mb.analyse_cases, P)  # every case: costs, break-even, simulated demand, sensitivity, scorecard
ctx.summary(mbr.headline_figures(cases), mbr.actions(cases, ctx), notebook=mbr.NOTEBOOK, domain="makebuy", against_last_quarter=False)

# %% [markdown] tags=["lang-en"]
# ## The products compared
# What each product is, the unit its demand is counted in, and the planned demand over the comparison horizon
# (from the region's make-vs-buy parameters, `makebuy.cases` in `params/regions/<region>.yaml`). A region without
# cases of its own shows none; on the sample data it shows the workbook's examples, each named *Example*.

# %% [markdown] tags=["lang-zh"]
# ## 比较的产品
# 每个产品是什么、需求的计量单位，以及比较期内的计划需求总量（来自本区域的自主开发与外部采购参数，即 `params/regions/<区域>.yaml` 中的 `makebuy.cases`）。没有自己案例的区域不显示任何产品；在示例数据上显示工作簿自带的示例，每个都标为“示例”。

# %%
ctx.show(cases, views.products_view)

# %% [markdown] tags=["lang-en"]
# ## The answer at a glance
# The recommendation weighs cost and the qualitative factors; the next column says which option is cheaper at the
# planned demand. The saving from making is the PV of buying minus the PV of making (negative: buying is cheaper);
# the chance that making is cheaper comes from the simulated demand further down. The last column is the saving the
# executive summary adds up: the mean over simulated demand of what the recommended option saves.

# %% [markdown] tags=["lang-zh"]
# ## 结论一览
# 建议综合了成本和定性因素；下一列是按计划需求哪种方案更便宜。自主开发节省额 = 外部采购成本现值 − 自主开发成本现值（为负表示外部采购更便宜）；自主开发更便宜的概率来自后文的需求模拟。最后一列是摘要中加总的节省额：按建议方案在模拟需求下平均节省的金额。

# %%
ctx.show(cases, views.glance_view)

# %% [markdown] tags=["lang-en"]
# ## What each option costs
# The present value of every cost line over the horizon. Lines marked *hidden or indirect* are the costs that
# comparisons often leave out: overhead and financing when making; the transition, supplier management, quality
# and supplier risk when buying.

# %% [markdown] tags=["lang-zh"]
# ## 两种方案的成本构成
# 比较期内每个成本项目的现值。标为*隐性或间接成本*的项目常在比较中被遗漏：自主开发的间接费用和资金成本；外部采购的转换成本、供应商管理、质量成本和供应商风险。

# %%
ctx.show(cases, views.cost_lines_view)

# %% [markdown] tags=["lang-en"]
# ## Cost over time
# Each period's cost of making (blue) and buying (orange), with the hidden or indirect part hatched on top.
# Period 0 holds the one-off costs: development when making, the transition to the supplier when buying.

# %% [markdown] tags=["lang-zh"]
# ## 各期成本
# 每期自主开发（蓝色）和外部采购（橙色）的成本，上方斜线部分为隐性或间接成本。第 0 期为一次性成本：自主开发的开发成本，外部采购的转换成本。

# %%
ctx.plot(cases, views.costs_per_period_chart)

# %% [markdown] tags=["lang-en"]
# ## Break-even
# The cumulative cost of each option in present value. Where the lines cross, making has paid back its one-off
# costs: the dot marks that break-even point, named with its cumulative volume in the corner.

# %% [markdown] tags=["lang-zh"]
# ## 盈亏平衡点
# 两种方案的累计成本现值。两条线相交处，自主开发收回了一次性投入：圆点标出盈亏平衡点，左上角注明对应的累计量。

# %%
ctx.plot(cases, views.break_even_chart)

# %% [markdown] tags=["lang-en"]
# ## Demand uncertainty
# Demand is simulated many times around the plan (seeded, so the numbers repeat). Compare the saving at the planned
# demand with the median: when they differ in sign, the plan alone gives the wrong answer. Nine paths in ten end
# between the 5th and the 95th percentile.

# %% [markdown] tags=["lang-zh"]
# ## 需求不确定性
# 围绕计划需求做多次模拟（设定了随机种子，结果可重复）。比较按计划需求的节省额与中位数：两者正负相反时，只看计划会得出错误结论。十条模拟路径中有九条落在 5% 与 95% 分位数之间。

# %%
ctx.show(cases, views.uncertainty_view)

# %% [markdown] tags=["lang-en"]
# ## How the answer moves with demand volatility
# The same simulation with the demand volatility scaled from none (the plan) to twice the planned value; the large
# dot is each product's planned volatility. A product whose line crosses 50% is decided by how sure we are of
# demand, not by cost.

# %% [markdown] tags=["lang-zh"]
# ## 需求波动对结论的影响
# 同样的模拟，把需求波动率从零（即计划需求）放大到计划值的两倍；大圆点是各产品计划的波动率。曲线穿过 50% 的产品，结论取决于我们对需求有多大把握，而不是成本。

# %%
ctx.plot(cases, views.volatility_chart)

# %% [markdown] tags=["lang-en"]
# ## Sensitivity
# Each bar moves one input between its low and high value with the rest at plan; the longest bars matter most.
# The dashed line is the saving at plan; right of the red line making is cheaper, so a bar that crosses the red
# line changes the answer.

# %% [markdown] tags=["lang-zh"]
# ## 敏感性分析
# 每根条形让一个输入在低值和高值之间变动，其余保持计划值；条形越长，影响越大。虚线是按计划的节省额；红线右侧表示自主开发更便宜，因此穿过红线的条形会改变结论。

# %%
ctx.plot(cases, views.tornado_chart, top=8)

# %% [markdown] tags=["lang-en"]
# ## Qualitative scorecard
# The five factors other than cost, each scored 1 (low) to 5 (high) as a condition; the second column says which
# option a high score favours, the third how much the factor weighs.

# %% [markdown] tags=["lang-zh"]
# ## 定性因素计分卡
# 成本以外的五个因素，按实际情况打 1（低）至 5（高）分；第二列说明高分有利于哪种方案，第三列是该因素的权重。

# %%
ctx.show(cases, views.factors_view)

# %% [markdown] tags=["lang-en"]
# ## Recommendation
# The cost score (1 + 4 × the chance that making is cheaper) and the qualitative score combined with the weights
# of the parameters; above 3 favours making. A combined score near 3 is a close call.

# %% [markdown] tags=["lang-zh"]
# ## 建议
# 成本得分（1 + 4 × 自主开发更便宜的概率）与定性得分按参数中的权重加权；综合得分高于 3 分倾向自主开发，接近 3 分则难以取舍。

# %%
ctx.show(cases, views.verdicts_view)

# %% [markdown] tags=["lang-en"]
# ## The reasons
# Every step of the comparison in words, product by product.

# %% [markdown] tags=["lang-zh"]
# ## 理由
# 逐个产品，用文字说明比较的每一步。

# %%
ctx.show(cases, views.reasons_view)

# %% [markdown] tags=["lang-en"]
# ## Glossary
# What the technical terms of this report mean.

# %% [markdown] tags=["lang-zh"]
# ## 术语表
# 本报告中专业术语的含义。

# %%
ctx.show(["present_value", "break_even", "learning_curve", "monte_carlo", "percentile", "tornado"], glossary.glossary_view)
