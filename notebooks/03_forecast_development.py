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

# %% [markdown]
# # Customer development forecast
# Selling more to existing customers (cross-selling and up-selling): what a development campaign would return
# per target group, who responds, which products go together, where revenue is heading, what customers are
# worth, who is slipping, and how development compares with winning new customers.

# %%
import matplotlib.pyplot as plt

from custlib import clv
from custlib import development as dev
from custlib import report as rp

# %% tags=["parameters"]
data: str = "../data/sample"  # data source: a directory of tables or an SQLAlchemy URL
region: str = "East"  # region as written in the customers' region column
quarter: str = "latest"  # quarter to report, e.g. 2026Q3, or "latest" for the latest complete quarter
settings: dict = {}  # merged, validated parameters from the runner, or {} to read params/

# %%
ctx = rp.open_report(data, region, quarter, settings)
rp.use_report_style()
ctx.header()
dp = ctx.params["development"]
top_n = ctx.params["report"]["top_n"]

# %% [markdown]
# ## 1. Campaign forecast
# Per target group: the response rate to past offers (Bayesian interval), what a responder buys, the
# provision cost (contact plus cost to serve) and the expected profit and ROI with their intervals, ranked
# by profit per customer contacted. `contact_customers` is the best target list within the campaign budget.

# %%
plan = dev.campaign_plan(
    ctx.data.customers,
    ctx.data.offers,
    ctx.data.transactions,
    ctx.data.service_costs,
    asof=ctx.quarter.end,
    seed=ctx.seed,
    **dp["campaign"],
)
rp.show(
    plan[dev.CAMPAIGN_COLUMNS],
    money=("volume", "cost_per_contact", "profit_per_contact", "expected_profit", "profit_low", "profit_high", "contact_profit_total"),
    pct=("response_rate", "response_rate_low", "response_rate_high"),
    decimals=("roi",),
    currency=ctx.currency,
)

# %% [markdown]
# ## 2. Response model
# Who responds to development offers: odds ratios of a logistic regression on each customer's situation at
# the time of the offer. Above 1 means more likely to respond (per unit, or against the reference level);
# an interval that spans 1 is not conclusive.

# %%
model = dev.fit_response_model(
    ctx.data.offers, ctx.data.customers, ctx.data.transactions, asof=ctx.quarter.end, seed=ctx.seed, **dp["response"]
)
rp.show(model.odds_ratios_, decimals=("coef", "std_err", "odds_ratio", "or_low", "or_high", "p_value"))

# %% [markdown]
# ### Holdout check
# On offers the model did not see: the share of responders reached when the highest-scored customers are
# contacted first. The dashed line is random targeting; the title gives the holdout AUC (0.5 = no better than chance).

# %%
dev.plot_gains(model.gains_, title=f"Cumulative gains on the holdout (AUC {model.auc_:.2f})")
plt.show()

# %% [markdown]
# ### Customers most likely to respond
# Every current customer scored for an offer made now, through the most common channel.

# %%
scores = model.score(ctx.data.customers, ctx.data.transactions, asof=ctx.quarter.end)
rp.show(scores.head(top_n), pct=("p_response",))

# %% [markdown]
# ## 3. Product cross analysis
# Products bought in the same order more often than chance would give (lift above 1): cross-selling candidates.
# Support is the share of orders holding both; confidence the share of orders with the first that also hold the second.

# %%
pairs = dev.co_purchase(ctx.data.transactions, **dp["copurchase"])
rp.show(pairs.head(top_n), pct=("support", "confidence"), decimals=("lift",))

# %% [markdown]
# ### Category pairs
# The same measures for product categories.

# %%
category_pairs = dev.co_purchase(ctx.data.transactions, item_col="category", **dp["copurchase"])
rp.show(category_pairs.head(top_n), pct=("support", "confidence"), decimals=("lift",))

# %% [markdown]
# ### Next-best product
# For each customer, the product with the highest lift that they have not bought yet, and the product it goes with.

# %%
next_best = dev.next_best_product(ctx.data.transactions, ctx.data.customers, **dp["copurchase"])
rp.show(next_best.head(top_n), pct=("confidence",), decimals=("lift",))

# %% [markdown]
# ## 4. Revenue forecast
# The region's monthly revenue with a forecast and its prediction interval. The model shown is the one with the
# lowest error in a rolling backtest, and only if it beats the seasonal-naive baseline (same month last year).

# %%
forecast = dev.forecast_revenue(ctx.data.transactions, end=ctx.quarter.end, **dp["forecast"])
rp.say(forecast.summary)
dev.plot_revenue_forecast(forecast, currency=ctx.currency)
plt.show()

# %% [markdown]
# ### Backtest
# Mean absolute scaled error (MASE) over the backtest origins; relative MASE below 1 beats seasonal naive.

# %%
rp.show(forecast.backtest, decimals=("mase", "relative_mase"))

# %% [markdown]
# ## 5. Customer lifetime value
# The BG/NBD purchase model and the Gamma-Gamma spend model. First the check: fitted on the history before a
# holdout window, the model's predicted repeat purchases against what customers actually bought in that window.

# %%
lifetime = clv.lifetime_value_analysis(ctx.data.transactions, ctx.quarter.end, **ctx.params["clv"])
clv.plot_holdout_check(lifetime.check)
plt.show()

# %% [markdown]
# ### Most valuable customers
# Probability of still being active, expected purchases next month, expected spend per purchase and discounted lifetime value.

# %%
rp.show(
    lifetime.customers.head(top_n),
    money=("monetary_value", "expected_value", "clv"),
    pct=("probability_alive",),
    decimals=("expected_purchases",),
    currency=ctx.currency,
)

# %% [markdown]
# ## 6. Early warning
# Customers whose buying is slipping: revenue falling month after month, a recent quarter far below their usual
# level, or fewer product lines. Visit them before the relationship breaks; the evidence says which rule fired.

# %%
watch = dev.early_warning(
    ctx.data.transactions,
    ctx.data.customers,
    asof=ctx.quarter.end,
    bgnbd=lifetime.bgnbd,
    time_unit=ctx.params["clv"]["time_unit"],
    **dp["early_warning"],
)
rp.show(
    watch[dev.WATCH_COLUMNS].head(top_n),
    caption=f"{len(watch)} customers on the watch list",
    money=("trailing_avg_revenue", "recent_avg_revenue", "lost_revenue_per_month"),
    pct=("p_alive",),
    currency=ctx.currency,
)

# %% [markdown]
# ## 7. Development KPIs
# Sales and profit from existing customers against the previous quarter and a year earlier, their share of the
# total, and development against acquisition (profit growth from existing customers minus the profit of new ones).

# %%
kpis = dev.development_kpis(ctx.data.transactions, ctx.data.service_costs, quarter=ctx.quarter, **dp["kpis"])
rp.say(dev.kpi_summary(kpis, currency=ctx.currency))
rp.show(
    kpis[dev.KPI_COLUMNS],
    money=("existing_revenue", "existing_profit", "new_revenue", "new_profit", "dev_minus_new_profit"),
    pct=("existing_revenue_qoq_pct", "existing_revenue_yoy_pct", "existing_share_revenue", "existing_profit_yoy_pct"),
    currency=ctx.currency,
)

# %% [markdown]
# ### Win-back candidates
# Lapsed customers (no orders lately) who earned as much as a good current customer before they stopped:
# worth a call to win them back.

# %%
winback = dev.winback_candidates(
    ctx.data.transactions,
    ctx.data.customers,
    quarter=ctx.quarter,
    bgnbd=lifetime.bgnbd,
    time_unit=ctx.params["clv"]["time_unit"],
    **dp["winback"],
)
rp.show(winback.head(top_n), money=("past_revenue", "past_profit"), pct=("p_alive",), currency=ctx.currency)
