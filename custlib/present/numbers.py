"""One locale-aware formatter for every number, amount and date a report shows.

Built on Babel. English shows thousands separators (``CN¥1,234,568``); Chinese
counts large amounts in 万 and 亿 (``¥123.5万``), in tables and charts alike.
Missing values read ``–``. Chart axes use :meth:`Formatter.axis`, which formats
ticks with the same rules as the tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from babel import dates as _dates
from babel import numbers as _numbers

from custlib.present.messages import LOCALES, check_lang, messages

MISSING = "–"
#: Amounts below this are written in full in Chinese (万 starts at 10,000).
_ZH_COMPACT_FROM = 10_000


def _missing(v) -> bool:
    if v is None:
        return True
    try:
        return math.isnan(float(v))
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Formatter:
    """How numbers read in one report.

    Parameters
    ----------
    lang : {"en", "zh"}
    currency : str
        ISO 4217 code of the amounts (``CNY``, ``GBP``, ``USD``).
    """

    lang: str = "en"
    currency: str = "CNY"

    def __post_init__(self) -> None:
        check_lang(self.lang)

    @property
    def locale(self) -> str:
        return LOCALES[self.lang]

    @property
    def symbol(self) -> str:
        """The currency as a reader writes it (``¥``, ``£``, ``CN¥`` in English)."""
        return _numbers.get_currency_symbol(self.currency, locale=self.locale)

    # ------------------------------------------------------------------ numbers
    def integer(self, v, signed: bool = False) -> str:
        """A count: ``12,345`` (English) or ``1.2万`` (Chinese, from 10,000); ``signed``: ``+3`` / ``-3`` / ``0``."""
        if _missing(v):
            return MISSING
        if self.lang == "zh" and abs(v) >= _ZH_COMPACT_FROM:
            text = _numbers.format_compact_decimal(abs(v), locale=self.locale, fraction_digits=1)
        else:
            text = _numbers.format_decimal(round(abs(float(v))), format="#,##0", locale=self.locale)
        return self._sign(v, signed, text) + text

    def number(self, v, digits: int = 1, signed: bool = False) -> str:
        """A measure with ``digits`` decimals (``1,234.5``); Chinese counts 万/亿 from 10,000."""
        if _missing(v):
            return MISSING
        if self.lang == "zh" and abs(v) >= _ZH_COMPACT_FROM:
            text = _numbers.format_compact_decimal(abs(v), locale=self.locale, fraction_digits=1)
        else:
            pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
            text = _numbers.format_decimal(abs(float(v)), format=pattern, locale=self.locale)
        return self._sign(v, signed, text) + text

    def money(self, v, signed: bool = False) -> str:
        """An amount with its currency: ``CN¥1,234,568`` / ``¥123.5万``."""
        if _missing(v):
            return MISSING
        a = abs(float(v))
        if self.lang == "zh" and a >= _ZH_COMPACT_FROM:
            text = _numbers.format_compact_currency(a, self.currency, locale=self.locale, fraction_digits=1)
        else:
            text = _numbers.format_currency(a, self.currency, format="¤#,##0", currency_digits=False, locale=self.locale)
        return self._sign(v, signed, text) + text

    def percent(self, v, digits: int = 1, signed: bool = False) -> str:
        """A fraction as a percentage: ``0.123`` -> ``12.3%``."""
        if _missing(v):
            return MISSING
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + "%"
        text = _numbers.format_percent(abs(float(v)), format=pattern, locale=self.locale)
        return self._sign(v, signed, text) + text

    def points(self, v, digits: int = 1) -> str:
        """A change of a share in percentage points, with its sign: ``+5.0 pt`` / ``-5.0 个百分点``; ``0.0 pt`` when it rounds to zero."""
        if _missing(v):
            return MISSING
        text = _numbers.format_decimal(abs(float(v)) * 100, format="0." + "0" * digits if digits > 0 else "0", locale=self.locale)
        return messages(self.lang).gettext("{value} pt", value=self._sign(v, True, text) + text)

    def ratio(self, v, digits: int = 2) -> str:
        """A plain ratio or score: ``1.23``."""
        return self.number(v, digits=digits)

    def date(self, d) -> str:
        """A day: ``2026-09-30`` in both languages (ISO dates read the same everywhere)."""
        if d is None or (hasattr(d, "year") is False and _missing(d)):
            return MISSING
        try:
            import pandas as pd

            if pd.isna(d):
                return MISSING
            d = pd.Timestamp(d).date()
        except (TypeError, ValueError):
            return str(d)
        return _dates.format_date(d, format="yyyy-MM-dd", locale=self.locale)

    def datetime(self, d) -> str:
        """A day and time to the minute: ``2026-11-24 08:00`` in both languages (when a page was generated)."""
        import pandas as pd

        if d is None or pd.isna(d):
            return MISSING
        try:
            moment = pd.Timestamp(d).to_pydatetime()
        except (TypeError, ValueError):
            return str(d)
        return _dates.format_datetime(moment, format="yyyy-MM-dd HH:mm", locale=self.locale)

    def month(self, d) -> str:
        """A month: ``Sep 2026`` / ``2026年9月``."""
        import pandas as pd

        if d is None or pd.isna(d):
            return MISSING
        return _dates.format_skeleton("yMMM", pd.Timestamp(d).date(), locale=self.locale)

    @staticmethod
    def _sign(v, signed: bool, shown: str) -> str:
        """The sign in front of ``shown`` (the value's magnitude as written): ``-`` for a negative value, ``+`` for a
        positive one when ``signed``, and none when the magnitude as written is zero (``0.0``, ``CN¥0``), so that
        a change that rounds to zero never reads ``+0.0`` or ``-0.0``."""
        if not any(ch in "123456789" for ch in shown):
            return ""
        if float(v) < 0:
            return "-"
        return "+" if signed and float(v) > 0 else ""

    # ------------------------------------------------------------------ by kind
    KINDS = ("integer", "number", "money", "percent", "points", "ratio", "date", "datetime", "month", "text")

    def by_kind(self, kind: str):
        """The formatting function for a column kind (one of :attr:`KINDS`); ``text`` is ``str``."""
        if kind == "text":
            return lambda v: MISSING if _missing(v) else str(v)
        if kind not in self.KINDS:
            raise ValueError(f"unknown number kind {kind!r}; expected one of {', '.join(self.KINDS)}")
        return getattr(self, kind)

    def axis(self, kind: str = "money"):
        """A matplotlib tick formatter that writes ticks as the tables write values.

        Money and counts on an axis are compact in both languages (``CN¥4.5M``,
        ``¥450万``), since an axis has little room.
        """
        from matplotlib.ticker import FuncFormatter

        def fmt(v, _pos=None):
            if kind in ("money", "integer", "number") and abs(v) >= 1000 and self.lang == "en":
                text = _numbers.format_compact_decimal(abs(v), locale=self.locale, fraction_digits=1)
                prefix = self.symbol if kind == "money" else ""
                return ("-" if v < 0 else "") + prefix + text
            return self.by_kind(kind)(v)

        return FuncFormatter(fmt)
