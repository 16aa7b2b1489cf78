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
# # Region overview
# How the region did this quarter: its customers, revenue and orders against
# the previous quarter and a year ago, the monthly trend, and its largest customers.

# %%
import matplotlib.pyplot as plt

from custlib import overview
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
rep = overview.overview_region(
    ctx.data.transactions,
    ctx.data.customers,
    ctx.quarter,
    service_costs=ctx.data.service_costs,
    months=24,
    top_n=ctx.params["report"]["top_n"],
    currency=ctx.currency,
)

# %% [markdown]
# ## Headline figures
# This quarter against the previous quarter and the same quarter last year; changes are relative.
# Net profit is gross profit less the cost to serve the customers (visits, logistics, support, discounts).

# %%
rep.show("kpis")

# %% [markdown]
# ## Monthly trend
# Revenue (bars) and gross profit (line) over the last two years; look for seasonality and a drift up or down.

# %%
rep.plot("trend", overview.plot_monthly_trend, currency=ctx.currency)
plt.show()

# %% [markdown]
# ## Largest customers this quarter
# The customers who bought most; a high share of revenue in few names is a concentration risk.

# %%
rep.show("top_customers")
