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
# # Make or buy: products for customer development
# For each product that customer development needs, the full cost of developing it in-house
# against buying it, with the hidden costs, learning and scale effects, supplier risk and
# uncertain demand, and the qualitative factors scored beside the money.

# %%
import matplotlib.pyplot as plt

from custlib import makebuy
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
mb = makebuy.analyse_cases(ctx.params["makebuy"], currency=ctx.currency)

# %% [markdown]
# ## The cases at a glance
# One row per product: the present value of each option over the horizon, which one wins and by how much,
# the cost per unit, the chance that making is cheaper under uncertain demand, and the recommendation.

# %%
rp.show(
    mb.summary,
    caption="Make or buy, per case (present values at each case's discount rate)",
    money=("pv_make", "pv_buy", "make_saving", "cost_per_unit_make", "cost_per_unit_buy"),
    pct=("margin_share", "p_make_cheaper"),
    currency=ctx.currency,
)

# %% [markdown]
# ## Cost of each option, period by period
# Period 0 holds the one-off costs. Lines marked *hidden* are the indirect costs that comparisons often
# leave out: overhead and financing when making; transition, supplier management, quality and supplier risk when buying.

# %%
rp.show(mb.cost_tables, caption="Cost per period, total and present value (pv)", money=mb.cost_columns, currency=ctx.currency)

# %% [markdown]
# ## Present value and break-even
# The break-even volume is the cumulative volume at which the discounted cumulative cost of making meets that of buying;
# the note says what happens when the lines never cross.

# %%
rp.show(
    mb.break_even,
    caption="Present value and break-even cumulative volume",
    money=("pv_make", "pv_buy", "make_saving"),
    decimals=("break_even_period",),
    currency=ctx.currency,
)

# %% [markdown]
# ## Demand uncertainty
# Simulated demand paths (seeded, so the numbers repeat): the spread of the saving from making
# (present value of buying minus making) and the chance that making is cheaper. Compare the plan with the median.

# %%
rp.show(
    mb.monte_carlo,
    caption="Saving from making over simulated demand (negative: buying is cheaper)",
    money=("plan_saving", "mean_saving", "p05", "p50", "p95"),
    pct=("volatility", "p_make_cheaper"),
    currency=ctx.currency,
)

# %% [markdown]
# ## How the answer moves with demand volatility
# The same simulation with the demand volatility scaled from none (the plan) upwards; a case whose chance
# drifts across 50% is decided by how sure we are of demand, not by cost.

# %%
rp.show(
    mb.volatility,
    caption="Chance that making is cheaper, by demand volatility",
    money=("mean_saving", "sd_saving", "p05", "p50", "p95"),
    pct=("volatility", "p_make_cheaper"),
    decimals=("multiplier",),
    currency=ctx.currency,
)

# %% [markdown]
# ## Sensitivity
# Each bar moves one input between its low and high value with the rest at plan; the longest bars matter most.
# A bar that crosses the red line changes the answer.

# %%
makebuy.plot_tornados(mb.tornado, currency=ctx.currency)
plt.show()

# %% [markdown]
# ## Qualitative scorecard
# The five non-cost factors, scored 1 (low) to 5 (high) as conditions: high demand, strong R&D and high outsourcing
# risk favour making; strong supplier management and good outsourced quality favour buying.

# %%
rp.show(mb.scorecard, caption="Scores (1-5) and weights of the non-cost factors", pct=("weight",))

# %% [markdown]
# ## Recommendation
# Cost and the scorecard combined, with the reasons written out.

# %%
rp.show(mb.recommendations, caption="Recommendation and reasons, per case")
