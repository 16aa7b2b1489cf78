"""The words a person reads: gettext catalogues read with Babel, one per analysis.

Every sentence, heading, label and chart text of a report is a message in a
catalogue under ``custlib/locale/<locale>/LC_MESSAGES/<domain>.po``, written once
in English with named placeholders and translated there. Code picks a message
(``t.gettext("Call the {n} customers who stopped ordering", n=...)``); it never
builds a sentence from pieces and never translates output after the fact.

Each analysis has its own domain (``overview``, ``segmentation``, ``pareto``,
``development``, ``clv``, ``makebuy``), the shared words are in ``custlib``: the
same English text may read differently in two analyses without one replacing the
other. The language is passed explicitly; nothing here depends on what ran
before, so a report's words are the same whether it is made alone or after the
other notebooks in one worker.

Catalogues are compiled to ``.mo`` at install (``make venv``); a missing or stale
``.mo`` is compiled in memory from its ``.po``, so an edited catalogue is never
ignored.
"""

from __future__ import annotations

import functools
import gettext as _gettext
import io
from pathlib import Path

from custlib.exceptions import ParamsError

LANGS = ("en", "zh")
#: Babel locale of each report language.
LOCALES = {"en": "en", "zh": "zh_CN"}
PACKAGE_DIR = Path(__file__).resolve().parent.parent
LOCALE_DIR = PACKAGE_DIR / "locale"


def _domains() -> tuple[str, ...]:
    """``custlib`` (the shared words) and one domain per analysis package or catalogue file.

    Derived from the tree, so a new analysis brings its own domain without a list to edit.
    """
    analyses = {p.name for p in (PACKAGE_DIR / "analysis").glob("*/__init__.py") for p in [p.parent]}
    catalogues = {p.stem for p in LOCALE_DIR.glob("*/LC_MESSAGES/*.po")}
    return ("custlib", *sorted((analyses | catalogues) - {"custlib"}))


#: Catalogue domains: the shared words and one per analysis.
DOMAINS = _domains()


def N_(message: str) -> str:  # noqa: N802 (gettext's conventional name)
    """Mark ``message`` for the catalogue without translating it (module-level label tables)."""
    return message


def NC_(context: str, message: str) -> str:  # noqa: N802 (GLib's name for a marker with a context)
    """Mark ``message`` in ``context`` for the catalogue without translating it (data words, see :meth:`Messages.data`)."""
    return message


#: The sample's region names: data, but with a Chinese name (华北, 华东, ...). Marked here
#: so that the catalogue keeps their ``region`` entries; a client's other regions read as they are.
REGION_NAMES = (
    NC_("region", "North"),
    NC_("region", "East"),
    NC_("region", "South"),
    NC_("region", "Southwest"),
    NC_("region", "Central"),
    NC_("region", "Northeast"),
    NC_("region", "Northwest"),
    NC_("region", "Southeast"),
    NC_("region", "Other regions"),  # the pooled thin regions (custlib.io.pooling.OTHER_REGIONS)
)


def check_lang(lang: str) -> str:
    """``lang`` if supported; ParamsError naming the parameter otherwise."""
    if lang not in LANGS:
        raise ParamsError(f"report.lang: {lang!r} is not supported; expected one of {', '.join(LANGS)}")
    return lang


def domain_of(path: str | Path) -> str:
    """The catalogue domain of a custlib source file: the analysis it belongs to, else ``custlib``.

    ``custlib/present/segmentation.py`` and ``custlib/analysis/segmentation/rfm.py``
    are both in ``segmentation``.
    """
    parts = Path(path).with_suffix("").parts
    for part in reversed(parts):
        if part in DOMAINS:
            return part
    return "custlib"


def po_path(lang: str, domain: str) -> Path:
    return LOCALE_DIR / LOCALES[lang] / "LC_MESSAGES" / f"{domain}.po"


@functools.cache
def _translations(lang: str, domain: str) -> _gettext.NullTranslations:
    if lang == "en":
        return _gettext.NullTranslations()  # the catalogue's msgids are the English text
    po = po_path(lang, domain)
    mo = po.with_suffix(".mo")
    if not po.is_file():
        raise FileNotFoundError(f"{po}: message catalogue missing for language {lang!r}, domain {domain!r}")
    if mo.is_file() and mo.stat().st_mtime_ns >= po.stat().st_mtime_ns:
        with mo.open("rb") as fh:
            return _gettext.GNUTranslations(fh)
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalog = read_po(fh, locale=LOCALES[lang], domain=domain)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return _gettext.GNUTranslations(buf)


class Messages:
    """The messages of one domain in one language.

    Parameters
    ----------
    lang : {"en", "zh"}
        Report language.
    domain : str
        Catalogue domain (see :data:`DOMAINS`), usually ``domain_of(__file__)``.
    extra : dict, optional
        Translations that belong to one report rather than to the code (names a
        client wrote in the parameters, e.g. a make-vs-buy case's ``label_zh``):
        English text -> text in ``lang``, looked up before the catalogue.

    Placeholders are ``str.format`` fields: ``t.gettext("{n} customers", n="1,234")``.
    """

    def __init__(self, lang: str, domain: str = "custlib", extra: dict[str, str] | None = None) -> None:
        if domain not in DOMAINS:
            raise ValueError(f"unknown message domain {domain!r}; expected one of {', '.join(DOMAINS)}")
        self.lang = check_lang(lang)
        self.domain = domain
        self.locale = LOCALES[lang]
        self.extra = {k: v for k, v in (extra or {}).items() if k and v}
        self._t = _translations(self.lang, domain)

    def __repr__(self) -> str:
        return f"Messages({self.lang!r}, {self.domain!r})"

    def gettext(self, message: str, /, **fields) -> str:
        """``message`` in this language, with ``fields`` filled in."""
        text = self.extra.get(message) or self._t.gettext(message)
        return text.format(**fields) if fields else text

    def ngettext(self, singular: str, plural: str, n: int, /, **fields) -> str:
        """The singular or plural message for ``n`` (``{n}`` is filled with ``n`` unless given)."""
        fields.setdefault("n", n)
        return self._t.ngettext(singular, plural, int(n)).format(**fields)

    def pgettext(self, context: str, message: str, /, **fields) -> str:
        """``message`` in ``context`` (the same English word with two meanings)."""
        text = self.extra.get(message) or self._t.pgettext(context, message)
        return text.format(**fields) if fields else text

    def label(self, code, labels: dict[str, str]) -> str:
        """The label of a code (``"champions"``) from a table of marked messages; an unknown code as it is."""
        msg = labels.get(code)
        return self.gettext(msg) if msg is not None else ("" if code is None else str(code))

    def data(self, value, context: str = "data"):
        """A data value (a region name, say) as the catalogue spells it in this language, else unchanged."""
        if not isinstance(value, str) or not value or self.lang == "en":
            return value
        return self.extra.get(value) or self._t.pgettext(context, value)

    def region(self, name):
        """A region's name in this language (``East`` -> ``华东``); a region the catalogue does not know as it is."""
        return self.data(name, "region")


@functools.lru_cache(maxsize=64)
def messages(lang: str, domain: str = "custlib") -> Messages:
    """A shared :class:`Messages` for ``lang`` and ``domain`` (without report-specific names)."""
    return Messages(lang, domain)


def keep_language(nb, lang: str):
    """Drop Markdown cells tagged for another language (``lang-en``/``lang-zh``); returns ``nb``."""
    other = {f"lang-{x}" for x in LANGS if x != lang}
    nb.cells = [c for c in nb.cells if not other & set(c.get("metadata", {}).get("tags", []))]
    return nb
