"""Headline figures as the executive summary and the quarter's roll-up show them."""

from __future__ import annotations

import math

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
    shares in percentage points. An unchanged figure is neutral, never "+0".
    """
    if _missing(value) or _missing(previous):
        return None
    diff = float(value) - float(previous)
    tone = "flat" if diff == 0 else ("up" if (diff > 0) == (good == "up") else "down")
    arrow = "▲" if diff > 0 else ("▼" if diff < 0 else "■")
    if unit == "pct":
        change = fmt.points(diff)
    elif unit == "money":
        change = fmt.money(diff, signed=True)
    elif unit == "count":
        change = ("+" if diff > 0 else "") + fmt.integer(diff)
    else:
        change = fmt.number(diff, digits=2, signed=True)
    return tone, arrow, change
