"""Headline figures as the executive summary and the quarter's roll-up show them."""

from __future__ import annotations

import html
import math

from custlib.present.messages import Messages
from custlib.present.numbers import Formatter

UNITS = ("money", "pct", "count", "")


def _missing(v) -> bool:
    try:
        return v is None or math.isnan(float(v))
    except (TypeError, ValueError):
        return True


def value_text(value, unit: str, fmt: Formatter) -> str:
    """A headline value in its unit: money with currency, ``pct`` as a percentage, counts whole."""
    if unit == "money":
        return fmt.money(value)
    if unit == "pct":
        return fmt.percent(value)
    if unit == "count":
        return fmt.integer(value)
    return fmt.number(value, digits=2)


def move(value, previous, unit: str, good: str, fmt: Formatter) -> tuple[str, str, str] | None:
    """How a headline moved since last quarter: ``(tone, arrow, change)``, or None if either value is missing.

    ``tone`` is ``up`` (good news), ``down`` (bad news) or ``flat`` (unchanged) by the
    figure's ``good`` direction; ``change`` is the difference with its sign and unit,
    shares in percentage points: a rise reads ``+``, a fall keeps its ``-``. A change that
    rounds to zero at the digits shown is neutral (``flat``, ■) and reads without a sign
    (``0.0 pt``, ``CN¥0``), never "+0.0" or "-0.0" beside an arrow that says otherwise.
    """
    if _missing(value) or _missing(previous):
        return None
    diff = float(value) - float(previous)
    change = change_text(diff, unit, fmt)
    if not any(ch in "123456789" for ch in change):
        diff = 0.0
    tone = "flat" if diff == 0 else ("up" if (diff > 0) == (good == "up") else "down")
    arrow = "▲" if diff > 0 else ("▼" if diff < 0 else "■")
    return tone, arrow, change


def change_text(diff: float, unit: str, fmt: Formatter) -> str:
    """A difference with its sign and unit: ``+2.5 pt`` for a share, ``-CN¥1,200`` for money, ``+3`` for a count."""
    if unit == "pct":
        return fmt.points(diff)
    if unit == "money":
        return fmt.money(diff, signed=True)
    if unit == "count":
        return fmt.integer(diff, signed=True)
    return fmt.number(diff, digits=2, signed=True)


def interval_html(row: dict, unit: str, t: Messages, fmt: Formatter) -> str:
    """The line under a forecast figure: ``90% prediction interval: CN¥1.2M to CN¥1.5M``, or "" without one.

    ``row`` is a headline row with ``lower``, ``upper`` and ``level`` (the interval's probability); ``t`` the
    shared (``custlib``) messages of the report.
    """
    lower, upper, level = (row.get(k) for k in ("lower", "upper", "level"))
    if _missing(lower) or _missing(upper) or _missing(level):
        return ""
    text = t.gettext(
        "{level} prediction interval: {lower} to {upper}",
        level=fmt.percent(level, digits=0),
        lower=value_text(lower, unit, fmt),
        upper=value_text(upper, unit, fmt),
    )
    return f'<div class="delta interval">{html.escape(text)}</div>'
