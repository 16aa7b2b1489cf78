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


#: What the data holds of a quarter (:meth:`Coverage.status`).
NO_DATA, PARTIAL, COMPLETE = "none", "partial", "complete"


@dataclass(frozen=True)
class Coverage:
    """The span of days the data covers: its first and last date, both inclusive.

    A quarter is *complete* when the span holds every one of its days, *partial* when
    it holds some of them (the data starts after the quarter's first day or ends
    before its last), and has *no data* when it lies wholly outside. Figures of a
    quarter without data are unknown, never zero; a change against a quarter that is
    not complete is unavailable (comparing one month with three is no change).

    Attributes
    ----------
    first, last : Timestamp
        First and last day of the data (normalised to midnight).
    """

    first: pd.Timestamp
    last: pd.Timestamp

    def __post_init__(self) -> None:
        object.__setattr__(self, "first", pd.Timestamp(self.first).normalize())
        object.__setattr__(self, "last", pd.Timestamp(self.last).normalize())
        if self.last < self.first:
            raise ValueError(f"coverage: last date {self.last:%Y-%m-%d} is before the first {self.first:%Y-%m-%d}")

    def status(self, quarter: Quarter | str) -> str:
        """``"none"``, ``"partial"`` or ``"complete"``: how much of ``quarter`` the data covers."""
        q = Quarter.parse(quarter)
        if q.end < self.first or q.start > self.last:
            return NO_DATA
        if q.start < self.first or q.end > self.last:
            return PARTIAL
        return COMPLETE

    def has_data(self, quarter: Quarter | str) -> bool:
        """True when the data covers at least one day of ``quarter``."""
        return self.status(quarter) != NO_DATA

    def is_complete(self, quarter: Quarter | str) -> bool:
        """True when the data covers every day of ``quarter``."""
        return self.status(quarter) == COMPLETE

    @property
    def first_quarter(self) -> Quarter:
        """The quarter of the data's first day: a customer first seen in it may have bought before the data starts."""
        return Quarter.of(self.first)

    @property
    def last_quarter(self) -> Quarter:
        """The quarter of the data's last day."""
        return Quarter.of(self.last)

    def latest_complete(self) -> Quarter | None:
        """The latest quarter the data covers completely, or None when it covers none."""
        q = latest_complete_quarter(self.last)
        return q if q.start >= self.first else None

    def quarter_span(self, quarter: Quarter | str) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """The days of ``quarter`` the data covers (first, last), or None when it covers none."""
        q = Quarter.parse(quarter)
        if not self.has_data(q):
            return None
        return max(q.start, self.first), min(q.end, self.last)

    def to_dict(self) -> dict:
        """``{"first": "YYYY-MM-DD", "last": "YYYY-MM-DD"}`` (for JSON)."""
        return {"first": f"{self.first:%Y-%m-%d}", "last": f"{self.last:%Y-%m-%d}"}

    @classmethod
    def from_dict(cls, values: dict) -> Coverage:
        return cls(pd.Timestamp(values["first"]), pd.Timestamp(values["last"]))

    def __str__(self) -> str:
        return f"{self.first:%Y-%m-%d} to {self.last:%Y-%m-%d}"


def comparison_gap(coverage: Coverage | None, quarter: Quarter | str, base: Quarter | str) -> tuple[str, dict] | None:
    """Why ``quarter`` cannot be compared with ``base`` in data covering ``coverage``, or None when it can.

    Both must be complete: a quarter without data has no figures to compare with, and a
    partial one would set part of a quarter against a whole one. Returns a reason code
    and its fields: ``("no_previous_quarter_in_data", {quarter, base, first, last})`` when
    ``base`` lies before (or after) the data, ``("partial_quarter", {quarter, start, end,
    first, last})`` naming the partial one of the two (``quarter`` first). None when
    ``coverage`` is None (unknown: nothing is refused).
    """
    if coverage is None:
        return None
    q, b = Quarter.parse(quarter), Quarter.parse(base)
    dates = {"first": coverage.first.date(), "last": coverage.last.date()}
    if not coverage.has_data(b):
        return "no_previous_quarter_in_data", {"quarter": str(q), "base": str(b), **dates}
    for one in (q, b):
        if coverage.status(one) == PARTIAL:
            start, end = coverage.quarter_span(one)
            return "partial_quarter", {"quarter": str(one), "start": start.date(), "end": end.date(), **dates}
    return None


def describe_coverage(coverage: Coverage) -> str:
    """One line for the console: the span, its complete quarters (what ``latest`` picks) and its partial ones."""
    first, last = coverage.first_quarter, coverage.last_quarter
    partial = [str(q) for q in (first, last) if coverage.status(q) == PARTIAL]
    partial = list(dict.fromkeys(partial))
    latest = coverage.latest_complete()
    if latest is None:
        return f"data: {coverage}; no complete quarter (partial: {', '.join(partial)}): render with --quarter {last} (reported as partial)"
    lo = first if coverage.is_complete(first) else first.shift(1)
    text = f"data: {coverage}; complete quarters {lo} to {latest} (latest: {latest})"
    return text + (f"; partial: {', '.join(partial)}" if partial else "")
