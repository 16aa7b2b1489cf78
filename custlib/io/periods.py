"""Calendar quarters: parsing ``"2026Q3"``, bounds, neighbours.

A quarter is written ``YYYYQn`` (case-insensitive, ``2026q3`` and
``2026-Q3`` are accepted on input). Bounds are inclusive dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from custlib.exceptions import ParamsError

_QUARTER_RE = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]\s*([1-4])\s*$")


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter.

    Attributes
    ----------
    year : int
    q : int
        1 to 4.
    """

    year: int
    q: int

    @classmethod
    def parse(cls, text: str | Quarter, *, name: str = "quarter") -> Quarter:
        """Parse ``"2026Q3"``; raise :class:`ParamsError` naming ``name`` otherwise."""
        if isinstance(text, Quarter):
            return text
        m = _QUARTER_RE.match(str(text))
        if not m:
            raise ParamsError(f"{name}: {text!r} is not a quarter; expected the form 2026Q3")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, date) -> Quarter:
        """The quarter containing ``date``."""
        ts = pd.Timestamp(date)
        return cls(ts.year, (ts.month - 1) // 3 + 1)

    @property
    def start(self) -> pd.Timestamp:
        """First day of the quarter."""
        return pd.Timestamp(year=self.year, month=3 * (self.q - 1) + 1, day=1)

    @property
    def end(self) -> pd.Timestamp:
        """Last day of the quarter (inclusive)."""
        return (self.start + pd.offsets.QuarterEnd(0)).normalize()

    def shift(self, n: int) -> Quarter:
        """The quarter ``n`` quarters later (earlier when negative)."""
        k = self.year * 4 + (self.q - 1) + n
        return Quarter(k // 4, k % 4 + 1)

    @property
    def previous(self) -> Quarter:
        return self.shift(-1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"


def latest_complete_quarter(last_date) -> Quarter:
    """The latest quarter that ends on or before ``last_date``.

    The data "covers" a quarter when its last order date reaches the
    quarter's last day: data ending 2026-09-30 makes 2026Q3 the latest
    complete quarter, data ending 2026-09-29 makes it 2026Q2.
    """
    ts = pd.Timestamp(last_date).normalize()
    cur = Quarter.of(ts)
    return cur if ts >= cur.end else cur.previous


def quarter_label(ts) -> str:
    """``"2026Q3"`` for any date-like inside that quarter."""
    return str(Quarter.of(ts))
