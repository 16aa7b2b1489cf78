"""The make-vs-buy report's charts, their text from the catalogue and money ticks from the report's formatter.

Each chart is ``xxx_chart(result, ctx, ax=None, **options)`` with ``result`` a
:class:`~custlib.analysis.makebuy.MakeBuyAnalysis`; charts with one panel per
product take a sequence of axes as ``ax``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.present.makebuy.labels import COST_PER_PERIOD, INPUTS, OPTIONS, PERIOD_AXIS, PERIOD_NTH, cumulative_units
from custlib.present.makebuy.views import REASONS, names
from custlib.present.messages import N_
from custlib.present.style import PALETTE, SEQUENCE

__all__ = ["REASONS", "break_even_chart", "costs_per_period_chart", "tornado_chart", "tornado_panel", "volatility_chart"]

COST_LEGEND = {
    ("make", "direct"): N_("Make: direct cost"),
    ("make", "hidden"): N_("Make: hidden or indirect cost"),
    ("buy", "direct"): N_("Buy: direct cost"),
    ("buy", "hidden"): N_("Buy: hidden or indirect cost"),
}
#: The report colours of the two options, and of products (the rest of the report sequence).
OPTION_COLOURS = {"make": PALETTE["make"], "buy": PALETTE["buy"]}
LIGHT = {"make": PALETTE["make_light"], "buy": PALETTE["buy_light"]}
PRODUCT_COLOURS = tuple(c for c in SEQUENCE if c not in OPTION_COLOURS.values())


def _panels(n: int, height: float, axes, extra: float = 0.6):
    """``axes`` as an array, or a new column of ``n`` panels of ``height`` inches."""
    import matplotlib.pyplot as plt

    if axes is not None:
        return np.asarray(axes).reshape(-1)
    _, axes = plt.subplots(max(n, 1), 1, figsize=(8, height * max(n, 1) + extra), squeeze=False, layout="constrained")
    return axes[:, 0]


def _period_ticks(ax, periods: np.ndarray) -> None:
    from matplotlib.ticker import MaxNLocator

    if len(periods) <= 25:
        ax.set_xticks(periods)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(12, integer=True))


def _legend_on_top(axes) -> None:
    handles, labels = axes[0].get_legend_handles_labels()
    axes[0].figure.legend(handles, labels, loc="outside upper center", ncol=2, fontsize="small", frameon=False)


def costs_per_period_chart(result, ctx, ax=None):
    """Each option's cost per period as paired stacked bars, one panel per product.

    Make and buy side by side for every period, direct cost at the bottom and the
    hidden or indirect cost hatched on top; period 0 holds the one-off costs.
    """
    t = ctx.messages("makebuy")
    palette = OPTION_COLOURS
    frame, shown = result.costs_by_period, names(result, ctx)
    cases = list(dict.fromkeys(frame["case"]))
    axes = _panels(len(cases), 2.9, ax)
    width = 0.4
    for axis, c in zip(axes, cases, strict=True):
        part = frame[frame["case"] == c]
        word = str(part["period_word"].iloc[0])
        periods = np.sort(part["period"].unique())
        for k, option in enumerate(("make", "buy")):
            bottom = np.zeros(len(periods))
            for kind in ("direct", "hidden"):
                sel = part[(part["option"] == option) & (part["kind"] == kind)].set_index("period")["cost"]
                v = sel.reindex(periods, fill_value=0.0).to_numpy(dtype=float)
                colour = palette[option] if kind == "direct" else LIGHT[option]
                label = t.gettext(COST_LEGEND[(option, kind)])
                axis.bar(
                    periods + (k - 0.5) * width,
                    v,
                    width=width,
                    bottom=bottom,
                    color=colour,
                    hatch="///" if kind == "hidden" else None,
                    edgecolor="white",
                    linewidth=0.4,
                    label=label,
                )
                bottom = bottom + v
        _period_ticks(axis, periods)
        axis.tick_params(axis="x", labelsize="small")
        axis.yaxis.set_major_formatter(ctx.fmt.axis("money"))
        axis.set_ylabel(t.label(word, COST_PER_PERIOD))
        axis.set_xlabel(t.label(word, PERIOD_AXIS))
        axis.set_title(shown[c])
    if cases:
        _legend_on_top(axes)
    return axes


def _break_even_note(row, word: str, t, fmt) -> str:
    if pd.isna(row["break_even_units"]):
        return t.gettext("No break-even within the horizon")
    if float(row["break_even_units"]) == 0:
        return t.gettext("Making is cheaper from the start")
    when = t.gettext(PERIOD_NTH.get(word, PERIOD_NTH["period"]), n=fmt.integer(int(np.ceil(row["break_even_period"]))))
    return t.gettext("Break-even after {volume}, in {when}", volume=cumulative_units(row["break_even_units"], t, fmt), when=when)


def break_even_chart(result, ctx, ax=None):
    """Cumulative present value of making and of buying, one panel per product, with the break-even point.

    Where the lines cross, the cumulative (discounted) cost of making meets that of
    buying: the break-even of :func:`~custlib.analysis.makebuy.break_even`, marked
    with a dot and named in the panel's corner.
    """
    t, f = ctx.messages("makebuy"), ctx.fmt
    palette = OPTION_COLOURS
    frame, shown = result.cumulative_costs, names(result, ctx)
    marks = result.break_even.set_index("case")
    cases = list(dict.fromkeys(frame["case"]))
    axes = _panels(len(cases), 2.6, ax)
    for axis, c in zip(axes, cases, strict=True):
        part = frame[frame["case"] == c].sort_values("period", kind="stable")
        word = str(part["period_word"].iloc[0])
        x = part["period"].to_numpy(dtype=float)
        for option in ("make", "buy"):
            axis.plot(x, part[option], color=palette[option], linewidth=2, marker="o", markersize=3, label=t.label(option, OPTIONS))
        row = marks.loc[c]
        if not pd.isna(row["break_even_units"]):
            period = float(row["break_even_period"])
            axis.plot(
                [period], [float(np.interp(period, x, part["make"].to_numpy(dtype=float)))], "o", color="#222222", markersize=7, zorder=5
            )
        axis.text(0.02, 0.93, _break_even_note(row, word, t, f), transform=axis.transAxes, va="top", fontsize="small")
        _period_ticks(axis, part["period"].to_numpy())
        axis.tick_params(axis="x", labelsize="small")
        axis.yaxis.set_major_formatter(f.axis("money"))
        axis.set_ylabel(t.gettext("Cumulative cost, present value"))
        axis.set_xlabel(t.label(word, PERIOD_AXIS))
        axis.set_title(shown[c])
    if cases:
        _legend_on_top(axes)
    return axes


def volatility_chart(result, ctx, ax=None):
    """Chance that making is cheaper against demand volatility, one line per product.

    A line that crosses the dashed 50% line is decided by how sure we are of demand;
    the large dot is the product's own (planned) volatility.
    """
    import matplotlib.pyplot as plt

    t = ctx.messages("makebuy")
    colours = PRODUCT_COLOURS  # products are not options: not the make and buy colours
    frame, shown = result.volatility, names(result, ctx)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
    for i, c in enumerate(dict.fromkeys(frame["case"])):
        part = frame[frame["case"] == c].sort_values("multiplier", kind="stable")
        colour = colours[i % len(colours)]
        ax.plot(part["volatility"], part["p_make_cheaper"], marker="o", markersize=4, color=colour, label=shown[c])
        own = part[part["multiplier"] == 1.0]
        ax.plot(own["volatility"], own["p_make_cheaper"], "o", markersize=10, color=colour)
    ax.axhline(0.5, color="#666666", linestyle="--", linewidth=1)
    ax.text(
        1.0, 0.5, t.gettext("Even chance"), transform=ax.get_yaxis_transform(), ha="right", va="bottom", fontsize="small", color="#444444"
    )
    ax.set_ylim(-0.03, 1.03)
    ax.xaxis.set_major_formatter(ctx.fmt.axis("percent"))
    ax.yaxis.set_major_formatter(ctx.fmt.axis("percent"))
    ax.set_xlabel(t.gettext("Demand volatility"))
    ax.set_ylabel(t.gettext("Chance making is cheaper"))
    ncol = min(2, max(1, frame["case"].nunique()))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=ncol, fontsize="small", frameon=False)
    return ax


def tornado_panel(frame: pd.DataFrame, ctx, ax=None, *, top: int = 10, title: str | None = None, legend: bool = True):
    """A tornado chart of one case's saving from making (rows of :func:`~custlib.analysis.makebuy.tornado`).

    Bars run from the base saving to its value at each input's low (light) and high
    (dark) value; the dashed line is the base, the solid red line zero (left of it
    buying is cheaper, right of it making is).
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    t = ctx.messages("makebuy")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.45 * min(top, len(frame)) + 1.9), layout="constrained")
    rows = frame.head(top).iloc[::-1]
    y = np.arange(len(rows))
    base = float(frame["base_saving"].iloc[0]) if len(frame) else 0.0
    ax.barh(y, rows["saving_at_low"] - base, left=base, color="#8cc5e3", label=t.gettext("Input at its low value"))
    ax.barh(y, rows["saving_at_high"] - base, left=base, color="#1b5e8c", label=t.gettext("Input at its high value"), alpha=0.85)
    ax.axvline(base, color="#444444", linestyle="--", linewidth=1)
    ax.axvline(0.0, color="#e4572e", linewidth=1.2)
    ax.set_yticks(y, [t.label(x, INPUTS) for x in rows["input"]])
    ax.xaxis.set_major_locator(MaxNLocator(6))
    ax.xaxis.set_major_formatter(ctx.fmt.axis("money"))
    ax.set_xlabel(t.gettext("Saving from making, present value"))
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=2, fontsize="small", frameon=False)
    return ax


def tornado_chart(result, ctx, ax=None, *, top: int = 8):
    """One :func:`tornado_panel` per product, stacked, with one legend above them."""
    import matplotlib.pyplot as plt

    frame, shown = result.tornado, names(result, ctx)
    cases = list(dict.fromkeys(frame["case"]))
    if ax is None:
        heights = [0.4 * min(top, int((frame["case"] == c).sum())) + 1.4 for c in cases]
        _, grid = plt.subplots(
            len(cases), 1, figsize=(8, sum(heights) + 0.4), gridspec_kw={"height_ratios": heights}, squeeze=False, layout="constrained"
        )
        ax = grid[:, 0]
    axes = np.asarray(ax).reshape(-1)
    for axis, c in zip(axes, cases, strict=True):
        tornado_panel(frame[frame["case"] == c], ctx, axis, top=top, title=shown[c], legend=False)
    if cases:
        _legend_on_top(axes)
    return axes
