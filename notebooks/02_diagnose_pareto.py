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
# # Pareto diagnostics
# Does the 80/20 rule hold in this region, and does it hold for profit as well as for revenue?
# Each section tests one doubt about the rule: big buyers may be cost customers, spending should
# follow growth rather than revenue, and concentration moves over time.

# %%
import matplotlib.pyplot as plt

from custlib import pareto
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
rep = pareto.pareto_region(
    ctx.data.transactions,
    ctx.data.service_costs,
    ctx.data.customers,
    ctx.quarter,
    ctx.data.peer_quarterly,
    ctx.params["pareto"],
    ctx.seed,
    ctx.currency,
    region=ctx.region,
)

# %% [markdown]
# ## In short
# The three numbers that matter this quarter, and what they imply. Net profit is gross profit less
# the cost to serve each customer (visits, logistics, support, discounts).

# %%
rep.show("summary")

# %% [markdown]
# ## Revenue, gross profit and net profit concentration
# The share held by the top customers, and the share of customers making 80%, for each measure side by side.
# If profit is far more (or less) concentrated than revenue, revenue rank is a poor guide to who pays.
# With loss-making customers the net-profit shares can exceed 100% and its Gini can exceed 1; they are shown unclipped.

# %%
rep.show("concentration")

# %% [markdown]
# ## Whale curve
# Customers ranked from most to least profitable, with cumulative net profit as a share of the total.
# The peak is the profit the profitable customers earn; the fall after it is what the loss-making ones give back.

# %%
rep.plot("whale_curve", pareto.plot_whale_curve)
plt.show()

# %% [markdown]
# ## Who destroys value, by revenue tier
# Customers with negative net profit in each revenue tier (ABC by revenue). Losses in tier A mean the
# largest buyers are cost customers: their volume comes with concessions that eat the margin.

# %%
rep.show("whale_by_tier")

# %% [markdown]
# ## Resources against return, by tier
# Cost to serve and its components against net profit and revenue growth (against the same quarter a year
# earlier by default). Spending that follows revenue while growth sits in tiers B and C starves the tiers that can grow.

# %%
rep.show("allocation")

# %% [markdown]
# ## Concentration over time and against the other regions
# Revenue concentration quarter by quarter over the whole history, beside the range and median of the other
# regions. 80/20 is a snapshot, not a target: watch the direction, not one figure.

# %%
rep.plot("concentration_trend", pareto.plot_concentration_trend)
plt.show()

# %% [markdown]
# ## Tier migration since the previous quarter
# Customers moving between revenue tiers (C to B, B to A, and down), entering (new, or back after a pause) and
# leaving (lost, or pausing), with the revenue change each movement brought. Customers rolling up from C and B
# are the development the literature asks for.

# %%
rep.show("migration")
