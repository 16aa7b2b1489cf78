"""Saying where the cost of goods behind a profit figure comes from.

The data access fills a missing cost from ``assumptions.gross_margin`` (or leaves it
missing; :mod:`custlib.io.facts`). Here, once, the words a reader sees about it:
:func:`cost_note` beside a table or chart built on profit, :func:`cost_header` on the
report's header line. A view or chart built on profit is decorated with
:func:`on_cost`, which adds the note to its caption (tables) or under the drawing
(charts): every figure built on an assumed margin says "assumed margin N%".
"""

from __future__ import annotations

import dataclasses
import functools

from custlib.present.messages import Messages
from custlib.present.tables import TableView


def _basis(ctx):
    data = getattr(ctx, "data", None)
    return getattr(data, "cost_basis", None)


def _messages(ctx) -> Messages:
    return Messages(getattr(ctx, "lang", "en"), "custlib")


def cost_note(ctx) -> str | None:
    """ "assumed margin 30%" when profit rests on the assumed margin, a "needs cost" note when cost is missing, else None."""
    basis = _basis(ctx)
    if basis is None or not basis.missing:
        return None
    t = _messages(ctx)
    if basis.assumed:
        return t.gettext("assumed margin {margin}", margin=ctx.fmt.percent(basis.assumed_margin, digits=0))
    return t.gettext("needs the cost of goods, which the data does not have")


def cost_header(ctx) -> str | None:
    """The header's sentence on the cost of goods (None when the data has it)."""
    basis = _basis(ctx)
    if basis is None or not basis.missing:
        return None
    t = _messages(ctx)
    if basis.assumed:
        return t.gettext(
            "The data has no cost of goods: profit figures assume a gross margin of {margin} (parameter assumptions.gross_margin) "
            "and say so beside them.",
            margin=ctx.fmt.percent(basis.assumed_margin, digits=0),
        )
    return t.gettext(
        "The data has no cost of goods: sections built on profit are not available (set the parameter "
        "assumptions.gross_margin to assume a margin)."
    )


def figure_label(ctx, label: str) -> str:
    """A headline figure's label (already translated) with its cost note, for a figure built on profit."""
    note = cost_note(ctx)
    return label if note is None else _messages(ctx).gettext("{label} ({note})", label=label, note=note)


def on_cost(fn):
    """Mark a view or chart as built on profit: its caption, or its drawing, says where the cost of goods comes from.

    ``fn(result, ctx, **options)`` returns a :class:`TableView` (a view) or draws on the
    current figure (a chart). The wrapper keeps ``fn``'s module, so the reasons table of
    that module still explains an unavailable result.
    """

    @functools.wraps(fn)
    def wrapper(result, ctx, *args, **kwargs):
        out = fn(result, ctx, *args, **kwargs)
        note = cost_note(ctx)
        if note is None:
            return out
        if isinstance(out, TableView):
            caption = _messages(ctx).gettext("{label} ({note})", label=out.caption, note=note) if out.caption else note
            return dataclasses.replace(out, caption=caption)
        import matplotlib.pyplot as plt

        fig = out.figure if hasattr(out, "figure") else plt.gcf()
        fig.text(0.01, 0.005, note, fontsize=8, ha="left", va="bottom", color="0.35")
        return out

    wrapper.built_on_cost = True
    return wrapper
