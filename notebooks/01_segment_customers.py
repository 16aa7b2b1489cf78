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
# # Customer segmentation
# Who the region's customers are, in the terms a sales manager uses: A/B/C by purchase amount, RFM segments,
# value tiers, loyalty, relationship stage and market type; who moved since last quarter; and, at the end,
# which customers to grow and which valuable customers are slipping. Values are measured over the
# trailing months set in `segmentation.window_months` (12 by default), ending at the quarter's end.

# %%
import matplotlib.pyplot as plt

from custlib import report as rp
from custlib import segmentation

# %% tags=["parameters"]
data: str = "../data/sample"  # data source: a directory of tables or an SQLAlchemy URL
region: str = "East"  # region as written in the customers' region column
quarter: str = "latest"  # quarter to report, e.g. 2026Q3, or "latest" for the latest complete quarter
settings: dict = {}  # merged, validated parameters from the runner, or {} to read params/

# %%
ctx = rp.open_report(data, region, quarter, settings)
rp.use_report_style()
ctx.header()
seg = segmentation.segment_region(
    ctx.data.transactions,
    ctx.data.customers,
    ctx.quarter,
    ctx.params.get("segmentation"),
    service_costs=ctx.data.service_costs,
    seed=ctx.seed,
)

# %% [markdown]
# ## 1. ABC classes by purchase amount
# A is the smallest group of top customers making the first cut-off of the total (80% by default), B takes it to
# the second (95%), C is the rest. Compare the three measures: if far fewer customers make 80% of net profit than of
# revenue, revenue rank is a poor guide to who pays.

# %%
seg.show("abc", caption="ABC classes on revenue, gross profit and net profit after cost to serve", currency=ctx.currency)

# %% [markdown]
# ## 2. RFM segments
# Recency (days since the last order), frequency (orders) and money are scored 1-5 by quintile; the recency and
# frequency scores place each customer in one of ten named segments. Watch the size and revenue of
# *at risk*, *can't lose* and *about to sleep*: these customers used to buy and are drifting away.

# %%
seg.show("rfm", caption="RFM segments: customers, revenue and mean recency and frequency", currency=ctx.currency)

# %% [markdown]
# ## 3. Value pyramids
# ### Value pyramid
# Customers ranked by a weighted score of revenue, gross profit, order count and growth (each as a percentile
# rank), cut into platinum, gold, iron and lead. A narrow top holding most of the revenue means dependence on few names.

# %%
seg.plot("pyramid_value")
plt.show()

# %% [markdown]
# ### Profit pyramid
# The same customers ranked by net profit after cost to serve and margin. Customers high in the value pyramid but
# low here are *cost customers*: big, but they cost what they bring.

# %%
seg.plot("pyramid_profit")
plt.show()

# %% [markdown]
# ### Potential-value pyramid
# Ranked by growth, the share of their spend still bought elsewhere (wallet headroom), categories not yet bought
# from us and margin: where more business can come from.

# %%
seg.plot("pyramid_potential")
plt.show()

# %% [markdown]
# ## 4. Value scorecard
# Current value (financial and sales indicators) against potential value (growth, wallet headroom, cost to serve,
# recency). Top left are the customers to invest in: worth more than they bring today; their ids are labelled.

# %%
seg.plot("scorecard")
plt.show()

# %% [markdown]
# ## 5. Behavioural clusters
# Customers grouped by how they buy (size, frequency, order size, breadth, recency, margin) with k-means; the
# number of groups is the one that separates them best (silhouette). Customers in one group buy alike, so what one
# buys can be offered to the others.

# %%
seg.show("clusters", caption="Clusters: size, mean behaviour and a description", currency=ctx.currency)

# %% [markdown]
# ## 6. Loyalty
# Read from what our own sales show: *loyal* customers buy regularly, for a year or more, across several categories
# and are within their usual rhythm; *switchers* buy repeatedly but irregularly or have gone quiet; customers with
# *no brand loyalty* bought only once or twice.

# %%
seg.show("loyalty", caption="Loyalty classes", currency=ctx.currency)

# %% [markdown]
# ## 7. Relationship stage
# Our share of each customer's spend on our categories (share of wallet): development (nothing in the last 12
# months), initial cooperation (a small share), stable cooperation (main supplier) and strategic cooperation
# (dominant share). Needs the customers' wallet estimates; without them the report says so.

# %%
seg.show("relationship", caption="Relationship stages by share of wallet", currency=ctx.currency)

# %% [markdown]
# ### Stage changes since last quarter
# Stages normally move one step at a time; a jump or a step back is worth a call.

# %%
seg.show("relationship_migration", caption="Customers by stage, last quarter (rows) and this quarter (columns)")

# %% [markdown]
# ## 8. Market types
# Consumer, producer, reseller, government and international customers: how many, how much they buy and at what margin.

# %%
seg.show("market_type", caption="Market types", currency=ctx.currency)

# %% [markdown]
# ## 9. Migration since last quarter
# ### RFM segments
# Rows are last quarter's segments, columns this quarter's; the diagonal stayed put. *(none)* means not yet a buyer.

# %%
seg.show("migration_segment_customers", caption="Customers moving between RFM segments")

# %% [markdown]
# ### RFM segments, revenue
# The same moves weighted by this window's revenue: how much business sits in each move.

# %%
seg.show("migration_segment_revenue", caption="Revenue of customers moving between RFM segments", currency=ctx.currency)

# %% [markdown]
# ### Value tiers
# Moves between value-pyramid tiers. Cells above the diagonal are customers who moved up (C to B to A: the
# rolling upgrade the region works for), below it customers who fell.

# %%
seg.show("migration_tier_customers", caption="Customers moving between value tiers")

# %% [markdown]
# ### Value tiers, revenue

# %%
seg.show("migration_tier_revenue", caption="Revenue of customers moving between value tiers", currency=ctx.currency)

# %% [markdown]
# ### ABC class on the quarter's revenue
# The same question for A/B/C on this quarter's revenue against last quarter's: the quickest view of customers
# stepping up or dropping back.

# %%
seg.show("migration_abc_customers", caption="Customers moving between ABC classes (quarter revenue)")

# %% [markdown]
# ### Valuable customers who moved down
# Customers in the top tiers last quarter who are in a lower tier now, largest first.

# %%
seg.show("moved_down", caption="Valuable customers who moved down a tier", currency=ctx.currency)

# %% [markdown]
# ## 10. What to do
# ### Customers to grow
# High potential, lower current value: the scorecard's invest quadrant, with the numbers behind it.

# %%
seg.show("to_grow", caption="Customers to grow", currency=ctx.currency)

# %% [markdown]
# ### Valuable customers at risk
# Top-tier or class-A customers in a slipping RFM segment or with falling revenue: visit them before the relationship breaks.

# %%
seg.show("at_risk", caption="Valuable customers at risk", currency=ctx.currency)
