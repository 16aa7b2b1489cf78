"""Saying what the data covers: its first and last day, partial quarters, quarters without data, lines left out.

The data access knows the span of the whole data (:class:`custlib.io.periods.Coverage`,
:attr:`custlib.io.data.RegionData.coverage`) and what a source mapping left out
(:attr:`custlib.io.data.RegionData.exclusions`). Here, once, the words a reader sees about
them: :func:`quarter_label` wherever a quarter is named beside its figures, and the
header's sentences (:func:`partial_quarter_note`, :func:`data_line`).
"""

from __future__ import annotations

from custlib.io.periods import NO_DATA, PARTIAL, comparison_gap
from custlib.present.messages import Messages


def _coverage(ctx):
    return getattr(getattr(ctx, "data", None), "coverage", None)


def _messages(ctx) -> Messages:
    return Messages(getattr(ctx, "lang", "en"), "custlib")


def quarter_label(ctx, quarter) -> str:
    """``"2010Q4"``, or ``"2010Q4 (partial)"`` / ``"2010Q3 (no data)"`` when the data covers only part or none of it."""
    cov = _coverage(ctx)
    status = None if cov is None else cov.status(quarter)
    t = _messages(ctx)
    if status == PARTIAL:
        return t.gettext("{quarter} (partial)", quarter=str(quarter))
    if status == NO_DATA:
        return t.gettext("{quarter} (no data)", quarter=str(quarter))
    return str(quarter)


def comparable(ctx, quarter, base) -> bool:
    """True when the data covers both quarters whole (or its coverage is unknown): a change between them means something."""
    return comparison_gap(_coverage(ctx), quarter, base) is None


def partial_quarter_note(ctx, quarter=None) -> str | None:
    """ "partial quarter: data from X to Y" for a quarter the data covers only in part (None otherwise)."""
    cov = _coverage(ctx)
    quarter = ctx.quarter if quarter is None else quarter
    if cov is None or cov.status(quarter) != PARTIAL:
        return None
    start, end = cov.quarter_span(quarter)
    return _messages(ctx).gettext("**partial quarter:** data from {start} to {end}", start=ctx.fmt.date(start), end=ctx.fmt.date(end))


def exclusions_note(ctx) -> str | None:
    """How many lines the source mapping left out for want of a customer id, and their share of the export's revenue."""
    miss = (getattr(getattr(ctx, "data", None), "exclusions", None) or {}).get("missing_customer_id")
    if not miss or not miss.get("lines"):
        return None
    n = int(miss["lines"])
    return _messages(ctx).ngettext(
        "{n} line of the export without a customer id left out ({share} of its revenue)",
        "{n} lines of the export without a customer id left out ({share} of its revenue)",
        n,
        n=ctx.fmt.integer(n),
        share=ctx.fmt.percent(miss.get("revenue_share", float("nan"))),
    )


def data_line(ctx) -> str | None:
    """The header's second line: the days the data covers, and the lines a mapping left out (None when unknown)."""
    cov = _coverage(ctx)
    if cov is None:
        return None
    t = _messages(ctx)
    line = t.gettext("**Data:** {first} to {last}", first=ctx.fmt.date(cov.first), last=ctx.fmt.date(cov.last))
    note = exclusions_note(ctx)
    return line + (f" · {note}" if note else "")


def comparison_reason(ctx, code: str, fields: dict) -> str:
    """Why there is no change against another quarter (a code of :func:`custlib.io.periods.comparison_gap`), in words."""
    t = _messages(ctx)
    f = ctx.fmt
    if code == "partial_quarter":
        return t.gettext(
            "No change against last quarter: {quarter} is a partial quarter (data from {start} to {end}).",
            quarter=fields["quarter"],
            start=f.date(fields["start"]),
            end=f.date(fields["end"]),
        )
    return t.gettext(
        "No change against last quarter: {base} is before the data, which start on {first}.",
        base=fields["base"],
        first=f.date(fields["first"]),
    )
