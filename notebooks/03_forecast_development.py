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
# worth, who is slipping, and how development compares with winning new customers. A section the region's data
# cannot support says why, and what data would make it possible.

# %%
import matplotlib.pyplot as plt

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
rep = dev.development_region(
    ctx.data.transactions,
    ctx.data.customers,
    ctx.data.offers,
    ctx.data.service_costs,
    ctx.quarter,
    ctx.params,
    seed=ctx.seed,
    currency=ctx.currency,
)

# %% [markdown]
# ## 1. Campaign forecast
# Per target group: the response rate to past offers (Bayesian interval), what a responder buys, the
# provision cost (contact plus cost to serve) and the expected profit and ROI with their intervals, ranked
# by profit per customer contacted. `contact_customers` is the best target list within the campaign budget.

# %%
rep.show("campaign")

# %% [markdown]
# ## 2. Response model
# ### Response rates as observed
# Past offers per customer group: how many were made, how many were answered, and the response rate with its
# interval. These need no model, so they are shown even when there are too few offers to fit one.

# %%
rep.show("response_rates", caption="Past offers and responses by customer group")

# %% [markdown]
# ### Who responds
# Odds ratios of a logistic regression on each customer's situation at the time of the offer. Above 1 means
# more likely to respond (per unit, or against the reference level); an interval that spans 1 is not conclusive.

# %%
rep.show("odds_ratios")

# %% [markdown]
# ### Holdout check
# On offers the model did not see: the share of responders reached when the highest-scored customers are
# contacted first. The dashed line is random targeting; the title gives the holdout AUC (0.5 = no better than chance).

# %%
rep.plot("gains")
plt.show()

# %% [markdown]
# ### Customers most likely to respond
# Every current customer scored for an offer made now, through the most common channel.

# %%
rep.show("scores")

# %% [markdown]
# ## 3. Product cross analysis
# Products bought in the same order more often than chance would give (lift above 1): cross-selling candidates.
# Support is the share of orders holding both; confidence the share of orders with the first that also hold the second.

# %%
rep.show("pairs")

# %% [markdown]
# ### Category pairs
# The same measures for product categories.

# %%
rep.show("category_pairs")

# %% [markdown]
# ### Next-best product
# For each customer, the product with the highest lift that they have not bought yet, and the product it goes with.

# %%
rep.show("next_best")

# %% [markdown]
# ## 4. Revenue forecast
# The region's monthly revenue with a forecast and its prediction interval. The model shown is the one with the
# lowest error in a rolling backtest, and only if it beats the seasonal-naive baseline (same month last year).

# %%
rep.say("forecast")
rep.plot("forecast")
plt.show()

# %% [markdown]
# ### Backtest
# Mean absolute scaled error (MASE) over the backtest origins; relative MASE below 1 beats seasonal naive.

# %%
rep.show("forecast_backtest")

# %% [markdown]
# ## 5. Customer lifetime value
# The BG/NBD purchase model and the Gamma-Gamma spend model. First the check: fitted on the history before a
# holdout window, the model's predicted repeat purchases against what customers actually bought in that window.

# %%
rep.plot("clv_check")
plt.show()

# %% [markdown]
# ### Most valuable customers
# Probability of still being active, expected purchases next month, expected spend per purchase and discounted lifetime value.

# %%
rep.show("clv_customers")

# %% [markdown]
# ## 6. Early warning
# Customers whose buying is slipping: revenue falling month after month, a recent quarter far below their usual
# level, or fewer product lines. Visit them before the relationship breaks; the evidence says which rule fired.

# %%
rep.show("watch")

# %% [markdown]
# ## 7. Development KPIs
# Sales and profit from existing customers against the previous quarter and a year earlier, their share of the
# total, and development against acquisition (profit growth from existing customers minus the profit of new ones).

# %%
rep.say("kpis")
rep.show("kpis")

# %% [markdown]
# ### Win-back candidates
# Lapsed customers (no orders lately) who earned as much as a good current customer before they stopped:
# worth a call to win them back.

# %%
rep.show("winback")
