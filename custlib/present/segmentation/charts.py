"""The segmentation charts: value pyramids and the value scorecard; and the sentence under a migration matrix.

``xxx_chart(result, ctx, ax=None, **options) -> ax``; every word from the
``segmentation`` catalogue.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import custlib.present.segmentation.labels as L
from custlib.analysis.segmentation import QUADRANTS, invest_list
from custlib.present.costs import on_cost
from custlib.present.messages import domain_of
from custlib.present.segmentation.views import REASONS  # noqa: F401 (ctx.plot reads a chart module's REASONS)
from custlib.present.style import PALETTE

DOMAIN = domain_of(__file__)

#: One colour per tier, as in every report.
TIER_COLOURS = {k: PALETTE[k] for k in ("platinum", "gold", "iron", "lead")}


@on_cost
def pyramid_chart(summary: pd.DataFrame, ctx, ax=None, *, which: str = "value", **options):
    """Tiers as a pyramid: centred bars as wide as the tiers' customer counts, top tier on top.

    Parameters
    ----------
    summary : DataFrame
        :func:`~custlib.analysis.segmentation.pyramid_summary` (index tier, top first; customers, revenue_share).
    which : str
        ``value``, ``profit`` or ``potential``: the title.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    t, f = ctx.messages(DOMAIN), ctx.fmt
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    n = len(summary)
    widths = summary["customers"].to_numpy(dtype=float)
    ys = np.arange(n)[::-1]
    colours = [TIER_COLOURS.get(str(tier)) or plt.cm.Blues(0.85 - 0.6 * i / max(n - 1, 1)) for i, tier in enumerate(summary.index)]
    ax.barh(ys, widths, left=-widths / 2, height=0.92, color=colours, edgecolor="white")
    half = max(widths.max(), 1) / 2
    pad = half * 0.05
    for y, w, (tier, row) in zip(ys, widths, summary.iterrows(), strict=True):
        count = int(row["customers"])
        share = row.get("revenue_share", np.nan)
        customers = t.ngettext("{n} customer", "{n} customers", count, n=f.integer(count))
        numbers = customers if pd.isna(share) else t.gettext("{customers}\n{share} of revenue", customers=customers, share=f.percent(share))
        ax.text(-w / 2 - pad, y, t.label(str(tier), L.TIERS), ha="right", va="center", fontsize=10, weight="bold")
        ax.text(w / 2 + pad, y, numbers, ha="left", va="center", fontsize=9, linespacing=1.2)
    ax.set_yticks([])
    ax.set_xticks([])
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_xlim(-half * 1.9, half * 1.9)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_title(t.label(which, L.PYRAMID_TITLES))
    return ax


@on_cost
def scorecard_chart(scorecard: pd.DataFrame, ctx, ax=None, *, split: float = 0.5, label_top: int = 8, **options):
    """2x2 chart of current against potential value, numbering the first customers to invest in.

    Parameters
    ----------
    scorecard : DataFrame
        :func:`~custlib.analysis.segmentation.value_scorecard` (current_value, potential_value, quadrant).
    split : float
        Where the quadrants divide (the scorecard's ``split``).
    label_top : int
        How many invest-quadrant customers to number and list by id.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    t, f = ctx.messages(DOMAIN), ctx.fmt
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 5.5))
    colours = dict(zip(QUADRANTS, ("tab:green", "tab:blue", "tab:orange", "tab:gray"), strict=True))
    for quad in QUADRANTS:
        d = scorecard[scorecard["quadrant"] == quad]
        label = t.gettext("{quadrant} ({n})", quadrant=t.label(quad, L.QUADRANTS), n=f.integer(len(d)))
        ax.scatter(d["current_value"], d["potential_value"], s=14, alpha=0.7, color=colours[quad], label=label)
    ax.axvline(split, color="black", lw=0.8)
    ax.axhline(split, color="black", lw=0.8)
    corners = {"keep and grow": (0.98, 0.98, "right", "top"), "maintain": (0.98, 0.02, "right", "bottom")}
    corners |= {"invest": (0.02, 0.98, "left", "top"), "monitor": (0.02, 0.02, "left", "bottom")}
    for quad, (x, y, ha, va) in corners.items():
        ax.text(x, y, t.label(quad, L.QUADRANTS), transform=ax.transAxes, ha=ha, va=va, fontsize=10, weight="bold", color=colours[quad])
    top = invest_list(scorecard).head(label_top)
    for i, (_cid, row) in enumerate(top.iterrows(), start=1):
        ax.annotate(str(i), (row["current_value"], row["potential_value"]), xytext=(3, 3), textcoords="offset points", fontsize=7)
    if len(top):
        listing = "\n".join(f"{i}  {cid}" for i, cid in enumerate(top.index, start=1))
        ax.text(1.04, 1.0, t.gettext("Invest first"), transform=ax.transAxes, ha="left", va="top", fontsize=9, weight="bold")
        ax.text(1.04, 0.94, listing, transform=ax.transAxes, ha="left", va="top", fontsize=8, family="monospace", linespacing=1.3)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(t.gettext("Current value (financial and sales indicators)"))
    ax.set_ylabel(t.gettext("Potential value (customer and service indicators)"))
    ax.legend(loc="lower left", bbox_to_anchor=(1.02, 0.0), fontsize=8, frameon=False, borderaxespad=0)
    return ax
