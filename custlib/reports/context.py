"""What report notebooks call: open a region's data, show tables and text.

A notebook does ``ctx = open_report(data, region, quarter, settings)`` and
then, per section, one custlib computation and one :func:`show` or chart.
Every value that reaches the HTML passes through :func:`show` (escaped by
pandas' Styler) or :func:`esc`, so customer names cannot inject markup.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from custlib.exceptions import DataError, ParamsError
from custlib.io.data import (
    RegionData,
    Source,
    create_typed_views,
    load_region,
    open_raw,
    resolve_quarter,
    source_coverage,
    with_cost_basis,
    with_peer_file,
)
from custlib.io.params import check, deep_merge, load_params
from custlib.io.periods import Quarter
from custlib.present import i18n
from custlib.present.costs import cost_header, figure_label
from custlib.present.messages import Messages, domain_of
from custlib.present.numbers import Formatter
from custlib.present.style import PALETTE, SEQUENCE, cjk_font_path, use_report_style  # noqa: F401 (re-exported for notebooks)
from custlib.present.tables import TableView, table_html
from custlib.present.text import esc
from custlib.reports import sections as _sections

PREPARED_MARKER = "_prepared.json"

#: The language of the report being made; set by :func:`open_report`, read by :func:`show` and friends.
_LANG = "en"


@dataclass
class ReportContext:
    """Everything a report notebook needs for one region and quarter."""

    region: str
    quarter: Quarter
    params: dict
    data: RegionData
    lang: str = "en"
    #: translations of names a client wrote in the parameters (e.g. a make-vs-buy case's ``label_zh``), this report only
    report_terms: dict = field(default_factory=dict)

    @property
    def currency(self) -> str:
        return self.params.get("report", {}).get("currency", "CNY")

    @property
    def seed(self) -> int:
        return int(self.params.get("run", {}).get("seed", 0))

    @property
    def fmt(self) -> Formatter:
        """The report's number, money and date formatter (language and currency)."""
        return Formatter(self.lang, self.currency)

    @property
    def t(self) -> Messages:
        """The shared messages (domain ``custlib``) in the report's language."""
        return self.messages("custlib")

    def messages(self, domain: str) -> Messages:
        """The messages of ``domain`` in the report's language, with this report's own names (``label_zh``)."""
        return Messages(self.lang, domain, extra=self.report_terms)

    def header(self) -> None:
        """Show the line naming region, quarter and data size, in the report's language."""
        d, q, t, f = self.data, self.quarter, self.t, self.fmt
        n_c, n_t = len(d.customers), len(d.transactions)
        self.say(
            t.gettext(
                "**Region:** {region} · **Quarter:** {quarter} ({start} to {end}) · {customers} · {lines} up to the quarter's end",
                region=esc(t.data(self.region, "region")),
                quarter=q,
                start=f.date(q.start),
                end=f.date(q.end),
                customers=t.ngettext("{n} customer", "{n} customers", n_c, n=f.integer(n_c)),
                lines=t.ngettext("{n} order line", "{n} order lines", n_t, n=f.integer(n_t)),
            )
            + (f" · {note}" if (note := cost_header(self)) else "")
        )

    # ------------------------------------------------------------------ one analysis step, shown
    def compute(self, fn, *args, **kwargs):
        """Run one analysis step: its result, or :class:`~custlib.reports.sections.Unavailable` (see there)."""
        return _sections.compute(fn, *args, **kwargs)

    def say(self, markdown_text: str) -> None:
        """Display Markdown that is already in the report's language (data values through :func:`esc`)."""
        from IPython.display import Markdown, display

        display(Markdown(markdown_text))

    def reason(self, result, owner=None) -> str:
        """Why ``result`` (an Unavailable) is missing, in the report's language.

        The message comes from ``REASONS`` of ``owner``'s module (the view or chart
        that would have shown it) or from :mod:`custlib.present.reasons`.
        """
        import sys

        from custlib.present.reasons import REASONS

        table, domain = REASONS, "custlib"
        mod = sys.modules.get(getattr(owner, "__module__", "") or "")
        if mod is not None and result.code in getattr(mod, "REASONS", {}):
            table, domain = mod.REASONS, domain_of(mod.__file__)
        msg = table.get(result.code, REASONS["insufficient_data"])
        try:
            return self.messages(domain).gettext(msg, **result.fields)
        except (KeyError, IndexError):
            return self.messages(domain).gettext(msg)

    def unavailable(self, result, owner=None) -> bool:
        """If ``result`` is unavailable, say why and return True."""
        if not isinstance(result, _sections.Unavailable):
            return False
        self.say(self.t.gettext("*Not available:* {reason}", reason=esc(self.reason(result, owner))))
        return True

    def show(self, result, view=None, **view_options) -> None:
        """Show one step's result as a table: ``view(result, ctx, **view_options)`` gives a TableView.

        Without ``view``, ``result`` itself is shown (a DataFrame or a TableView).
        An unavailable result is said in words instead.
        """
        from IPython.display import HTML, display

        if self.unavailable(result, view):
            return
        tv = view(result, self, **view_options) if view is not None else result
        if not isinstance(tv, TableView):
            tv = TableView(tv)
        if tv.frame is None or len(tv.frame) == 0:
            self.say(self.t.gettext("_No rows to show._"))
            return
        display(HTML(table_html(tv.frame, self.fmt, tv.kinds, tv.caption, tv.index)))

    def summary(self, figures, actions=(), notebook: str = "", domain: str = "custlib") -> None:
        """Show the executive summary: three to five headline figures and what they suggest doing.

        Parameters
        ----------
        figures : DataFrame
            One row per headline: ``figure`` (an English message of ``domain``, marked with
            ``N_``), ``value``, ``previous`` (last quarter, NaN if unknown), ``unit``
            (``money``, ``pct``, ``count`` or ``""``) and optionally ``good`` (``up``/``down``).
        actions : list of str
            What the figures suggest, already in the report's language (data values escaped).
        notebook : str
            Which analysis the figures belong to (the quarter's roll-up groups by it).
        domain : str
            Catalogue domain of the figure labels.

        The figures are also published (mimetype ``HEADLINE_MIME``) with their label in
        every report language, so that the runner's roll-up compares regions without
        computing anything again.
        """
        from IPython.display import display

        from custlib.present import headlines
        from custlib.present.messages import LANGS

        t, f = self.messages(domain), self.fmt
        items, rows = [], []
        for r in figures.to_dict("records"):
            unit, good = r.get("unit", ""), r.get("good", "up")
            value, prev = _num(r.get("value")), _num(r.get("previous"))
            label = str(r["figure"])
            rows.append(
                {
                    "notebook": notebook,
                    "figure": label,
                    "labels": {lang: Messages(lang, domain, extra=self.report_terms).gettext(label) for lang in LANGS},
                    "value": value,
                    "previous": prev,
                    "unit": unit,
                    "good": good,
                }
            )
            delta = ""
            moved = headlines.move(value, prev, unit, good, f)
            if moved is not None:
                tone, arrow, change = moved
                rel = f" ({f.percent((value - prev) / abs(prev), signed=True)})" if prev and unit != "pct" else ""
                text = self.t.gettext("{change} vs last quarter", change=change + rel)
                delta = f'<div class="delta {tone}">{arrow} {html.escape(text)}</div>'
            items.append(
                f'<div class="figure"><div class="value">{html.escape(headlines.value_text(value, unit, f))}</div>'
                f'<div class="label">{html.escape(figure_label(self, t.gettext(label)) if r.get("on_cost") else t.gettext(label))}</div>{delta}</div>'
            )
        acts = "".join(f"<li>{a}</li>" for a in actions)
        head = html.escape(self.t.gettext("Executive summary"))
        body = (
            f'<div class="exec-summary"><strong>{head}</strong>'
            f'<div class="figures">{"".join(items)}</div>' + (f'<ul class="actions">{acts}</ul>' if acts else "") + "</div>"
        )
        display({"text/html": body, HEADLINE_MIME: {"rows": rows}}, raw=True)

    def plot(self, result, chart, **chart_options) -> None:
        """Draw ``chart(result, ctx, **chart_options)`` and show it; an unavailable result is said in words.

        Returns None, so a notebook cell ending in ``ctx.plot(...)`` prints no axes repr.
        """
        import matplotlib.pyplot as plt

        if self.unavailable(result, chart):
            return
        chart(result, self, **chart_options)
        plt.show()


def open_report(data: str, region: str, quarter: str = "latest", settings: dict | None = None) -> ReportContext:
    """Open one region's data for one quarter, with its parameters.

    Parameters
    ----------
    data : str
        Data source (directory or SQLAlchemy URL). A directory prepared by the
        runner (it holds ``_prepared.json``) is read without validating again.
    region : str
        Region as in ``customers.region`` (case-insensitive).
    quarter : str
        ``"2026Q3"``, or ``"latest"`` for the latest complete quarter.
    settings : dict, optional
        Parameters over the defaults and the region's file, merged like ``--set``
        (a partial dict changes only the keys it names); the runner passes the
        full merged set. Empty or None reads ``params/`` alone.

    Returns
    -------
    ReportContext

    Raises
    ------
    DataError, ParamsError, InsufficientDataError
    """
    if settings:
        # like --set: what is given replaces the same keys of the defaults and the region's file, the rest stays;
        # where no params/ folder is found (a notebook copied elsewhere, run by the runner) the settings stand alone
        try:
            base = load_params(region)
        except ParamsError as err:
            if "not found" not in str(err):
                raise
            base = {}
        params = deep_merge(base, settings)
        check(params, "settings (parameters passed to the notebook)")
    else:
        params = load_params(region)
    src_path = Path(data) if not str(data).startswith(("sqlite:", "postgresql")) and "://" not in str(data) else None
    prepared = src_path is not None and (src_path / PREPARED_MARKER).is_file()
    if prepared:
        rd, q = _load_prepared(src_path, region, quarter)
    else:
        from custlib.io.validate import validate_source

        con, source, _ = validate_source(data, params.get("validation"))
        q = resolve_quarter(con, quarter, source_coverage(source))
        rd = load_region(con, region, q)
        rd.peer_quarterly = with_peer_file(rd.peer_quarterly, source, q)
        con.close()
    rd = with_cost_basis(rd, (params.get("assumptions") or {}).get("gross_margin"))
    lang = i18n.check_lang(params.get("report", {}).get("lang", "en"))
    set_language(lang)
    i18n.clear_report_terms()
    return ReportContext(rd.region, q, params, rd, lang)


#: The last prepared slice read in this process: a warm kernel running one region's
#: notebooks one after another reads the files once. Keyed by the files' size and
#: modification time; every caller gets shallow copies (copy-on-write), so a notebook
#: that changes its frames cannot change what the next one sees.
_SLICE_CACHE: dict = {}


def _load_prepared(src_path: Path, region: str, quarter) -> tuple[RegionData, Quarter]:
    marker = json.loads((src_path / PREPARED_MARKER).read_text(encoding="utf-8"))
    q = Quarter.parse(marker["quarter"] if quarter in (None, "", "latest") else quarter)
    if str(q) != marker["quarter"]:
        raise ParamsError(f"quarter: {q} requested, but {src_path} was prepared for {marker['quarter']}")
    files = sorted(src_path.glob("*.parquet"))
    key = (str(src_path.resolve()), region.casefold(), str(q), tuple((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files))
    rd = _SLICE_CACHE.get(key)
    if rd is None:
        source = Source(src_path)
        con, tables, problems = open_raw(source)
        if problems:
            con.close()
            raise DataError("; ".join(problems))
        create_typed_views(con, tables)
        rd = load_region(con, region, q, peers=False)
        con.close()
        if (src_path / "peer_quarterly.parquet").is_file():
            rd.peer_quarterly = pd.read_parquet(src_path / "peer_quarterly.parquet")
        _SLICE_CACHE.clear()
        _SLICE_CACHE[key] = rd
    copy = RegionData(
        rd.region,
        rd.quarter,
        *(
            None if f is None else f.copy(deep=False)
            for f in (rd.customers, rd.transactions, rd.offers, rd.service_costs, rd.peer_quarterly, rd.products)
        ),
    )
    return copy, q


def current_lang() -> str:
    """The language of the report being made (``"en"`` or ``"zh"``)."""
    return _LANG


def set_language(lang: str) -> None:
    """Make ``lang`` the language of what :func:`show`, :func:`say` and :func:`show_figure` display."""
    global _LANG
    _LANG = i18n.check_lang(lang)


# --------------------------------------------------------------------------- display


def say(markdown_text: str) -> None:
    """Display Markdown text in the report (data values must go through :func:`esc`)."""
    from IPython.display import Markdown, display

    display(Markdown(i18n.tr(markdown_text, _LANG)))


def money_text(v: float, currency: str = "", lang: str = "en") -> str:
    """A short money amount for chart ticks: ``CNY 4.5M`` in English, ``CNY 450万`` in Chinese.

    English counts in thousands (K), millions (M) and billions (B); Chinese in
    the units a Chinese reader counts money in, 万 (1e4) and 亿 (1e8).
    """
    steps = ((1e8, "亿"), (1e4, "万")) if lang == "zh" else ((1e9, "B"), (1e6, "M"), (1e3, "K"))
    text = f"{v:,.0f}"
    for size, suffix in steps:
        if abs(v) >= size:
            text = f"{v / size:.4g}{suffix}"
            break
    return f"{currency} {text}" if currency else text


def fmt_money(x, currency: str = "CNY", digits: int = 0) -> str:
    """``1234567.8`` -> ``'CNY 1,234,568'``; NaN -> ``'–'``."""
    if x is None or pd.isna(x):
        return "–"
    return f"{currency} {x:,.{digits}f}"


def label(name, lang: str = "en") -> str:
    """How a column or index name reads in a report: translated, or ``gross_profit`` -> ``Gross profit``."""
    if not isinstance(name, str):
        return str(name)
    if lang != "en":
        t = i18n.tr(name, lang)
        if t != name:
            return t
    if "_" in name or name.islower():
        text = name.replace("_", " ").strip()
        text = text.replace(" pct", " %").replace("yoy", "year on year")
        return text[:1].upper() + text[1:]
    return name


def styled(
    frame: pd.DataFrame,
    caption: str | None = None,
    money: tuple[str, ...] = (),
    pct: tuple[str, ...] = (),
    decimals: tuple[str, ...] = (),
    currency: str = "",
    index: bool = False,
    lang: str = "en",
):
    """A pandas Styler with escaped cells and report number formats.

    Integers (and floats that are all whole numbers) get thousands
    separators, ``money`` columns a currency prefix, ``pct`` columns
    (fractions) a percent sign, ``decimals`` two decimals; other floats one
    decimal. Column names and index labels read as words (:func:`label`) and
    are escaped too; text columns are left-aligned, numbers never wrap.
    """
    out = frame if index else frame.reset_index(drop=True)
    fmt = {}
    text_cols = []
    for col in out.columns:
        s = out[col]
        if col in money:
            fmt[col] = (lambda v, c=currency: fmt_money(v, c)) if currency else "{:,.0f}"
        elif col in pct:
            fmt[col] = "{:.1%}"
        elif col in decimals:
            fmt[col] = "{:,.2f}"
        elif pd.api.types.is_bool_dtype(s):
            continue
        elif pd.api.types.is_integer_dtype(s):
            fmt[col] = "{:,d}"
        elif pd.api.types.is_float_dtype(s):
            finite = s[np.isfinite(s)] if len(s) else s
            fmt[col] = "{:,.0f}" if len(finite) and (finite % 1 == 0).all() else "{:,.1f}"
        elif not pd.api.types.is_datetime64_any_dtype(s):
            text_cols.append(col)
    # a table id from the content, not pandas' random uuid: the same data gives the same HTML
    digest = hashlib.sha1(out.to_json(date_format="iso", default_handler=str).encode() + repr(caption).encode()).hexdigest()[:10]
    sty = out.style.set_uuid(digest).format(fmt, escape="html", na_rep="–")
    sty = sty.format_index(lambda c: html.escape(label(c, lang)), axis=1)
    sty = sty.format_index(lambda c: html.escape(label(c, lang) if isinstance(c, str) else str(c)), axis=0)
    if text_cols:
        sty = sty.set_properties(subset=text_cols, **{"text-align": "left", "white-space": "normal", "min-width": "8em"})
    if not index:
        sty = sty.hide(axis="index")
    else:
        sty = sty.hide(axis="index", names=True)
    if caption:
        sty = sty.set_caption(html.escape(caption))
    return sty.set_table_attributes('class="report-table"')


def show(frame: pd.DataFrame, caption: str | None = None, **kwargs) -> None:
    """Display ``frame`` as an escaped, formatted HTML table (see :func:`styled`)."""
    from IPython.display import HTML, display

    if frame is None or len(frame) == 0:
        say("_没有可显示的行。_" if _LANG == "zh" else "_No rows to show._")
        return
    if _LANG != "en":
        frame = i18n.tr_values(frame, _LANG)
        caption = i18n.tr(caption, _LANG) if caption else caption
    display(HTML(styled(frame, caption, lang=_LANG, **kwargs).to_html()))


def show_figure(fig=None) -> None:
    """Show a matplotlib figure (default: the current one) with its text in the report's language."""
    import matplotlib.pyplot as plt

    if fig is None:
        if not plt.get_fignums():  # nothing drawn (e.g. the section was unavailable and said so)
            return
        fig = plt.gcf()
    i18n.translate_figure(fig, _LANG)
    plt.show()


def settings_json(params: dict) -> str:
    """Stable JSON text of parameters (for hashes and manifests)."""
    return json.dumps(params, sort_keys=True, ensure_ascii=False, default=str)


# --------------------------------------------------------------------------- sections that may be unavailable


class Sections:
    """Results of a report's sections, where any section may be unavailable.

    A report function (e.g. ``segment_region``) computes each section with
    :meth:`compute`; a section that meets degenerate data (one customer, no
    orders this quarter, too few offers, ...) raises
    :class:`~custlib.exceptions.InsufficientDataError`, which is recorded in
    ``unavailable`` with its message instead of failing the whole report.
    The notebook then calls :meth:`show` / :meth:`plot` per section, which
    render the result or say, in plain words, why it is missing.

    Attributes
    ----------
    tables : dict
        Results by name (DataFrames, fitted models, figures' data...).
    unavailable : dict
        Reason per section that could not be computed.
    caveats : dict
        Notes on sections computed from less than the full data.
    """

    def __init__(self) -> None:
        self.tables: dict[str, object] = {}
        self.unavailable: dict[str, str] = {}
        self.caveats: dict[str, str] = {}

    def compute(self, name: str, fn, *args, **kwargs):
        """Store ``fn(*args, **kwargs)`` as ``name``; on InsufficientDataError store the reason.

        Returns the result, or None when unavailable. Any other error propagates:
        a bug must fail the report, not hide in it.
        """
        from custlib.exceptions import InsufficientDataError

        try:
            result = fn(*args, **kwargs)
        except InsufficientDataError as err:
            self.unavailable[name] = str(err)
            return None
        self.tables[name] = result
        return result

    def mark_unavailable(self, name: str, reason: str) -> None:
        """Record that ``name`` could not be computed, e.g. because an input section is missing."""
        self.unavailable[name] = reason

    def available(self, *names: str) -> bool:
        """True when every named result exists."""
        return all(n in self.tables for n in names)

    def table(self, name: str):
        """The result ``name``.

        Raises
        ------
        InsufficientDataError
            The section could not be computed (the message says why).
        KeyError
            No such result.
        """
        from custlib.exceptions import InsufficientDataError

        if name in self.tables:
            return self.tables[name]
        if name in self.unavailable:
            raise InsufficientDataError(self.unavailable[name])
        raise KeyError(f"no result {name!r}; known: {', '.join(sorted(self.tables) + sorted(self.unavailable))}")

    def note(self, name: str) -> str:
        """Why ``name`` is missing, or its caveat, or ``""``."""
        return self.unavailable.get(name) or self.caveats.get(name, "")

    def say_unavailable(self, name: str) -> bool:
        """If ``name`` is missing, say why in the report and return True."""
        if name in self.tables:
            if self.caveats.get(name):
                label = "*注：*" if _LANG == "zh" else "*Note:*"
                say(f"{label} {esc(i18n.tr(self.caveats[name], _LANG))}")
            return False
        label = "*暂无结果：*" if _LANG == "zh" else "*Not available:*"
        say(f"{label} {esc(i18n.tr(self.unavailable.get(name, 'no result'), _LANG))}")
        return True

    def show(self, name: str, caption: str | None = None, **kwargs) -> None:
        """Show the table ``name`` with :func:`show`, or say why it is missing."""
        if self.say_unavailable(name):
            return
        show(self.tables[name], caption, **kwargs)

    def plot(self, name: str, plot_fn, *args, ax=None, **kwargs):
        """Draw ``plot_fn(result, *args, ax=ax, **kwargs)``; when unavailable, say why in words and draw nothing.

        Returns the axes, or None when the section is unavailable (:func:`show_figure`
        then shows nothing).
        """
        if name in self.tables:
            return plot_fn(self.tables[name], *args, ax=ax, **kwargs)
        self.say_unavailable(name)
        return None


# --------------------------------------------------------------------------- executive summary

HEADLINE_MIME = "application/vnd.custlib.headlines+json"


def executive_summary(figures: pd.DataFrame, actions: list[str] | tuple[str, ...] = (), notebook: str = "") -> None:
    """Show the report's three to five headline figures and the actions they suggest.

    Parameters
    ----------
    figures : DataFrame
        One row per headline: ``figure`` (label), ``value`` (number),
        ``previous`` (last quarter's value, NaN if unknown), ``unit``
        (``"money"``, ``"pct"``, ``"count"`` or ``""``), and optionally
        ``good`` (``"up"`` or ``"down"``: which direction is good news).
    actions : list of str
        What the figures suggest, in plain words (data values already escaped with :func:`esc`).
    notebook : str
        Which analysis the figures belong to (used by the cross-region roll-up).

    The figures are also published (mimetype ``HEADLINE_MIME``) so that the
    runner can compare regions in the quarter's roll-up without computing
    anything again. Columns in: figure, value, previous, unit[, good].
    """
    from IPython.display import display

    cur = ""
    items = []
    rows = []
    for r in figures.to_dict("records"):
        unit = r.get("unit", "")
        value, prev = r.get("value"), r.get("previous")
        rows.append(
            {
                "notebook": notebook,
                "figure": str(r["figure"]),
                # the label in every report language, for the roll-up (whose process has not loaded the analyses' catalogues)
                "labels": {lang: i18n.tr(str(r["figure"]), lang) for lang in i18n.LANGS},
                "value": _num(value),
                "previous": _num(prev),
                "unit": unit,
                "good": r.get("good", "up"),
            }
        )
        shown = _fmt_unit(value, unit, cur)
        delta = ""
        moved = headline_change(value, prev, unit, r.get("good", "up"), cur)
        if moved is not None:
            tone, arrow, change = moved
            rel = f" ({(value - prev) / abs(prev):+.1%})" if prev and unit != "pct" else ""
            word = "较上季度" if _LANG == "zh" else "vs last quarter"
            delta = f'<div class="delta {tone}">{arrow} {html.escape(i18n.tr(change, _LANG))}{html.escape(rel)} {word}</div>'
        items.append(
            f'<div class="figure"><div class="value">{html.escape(shown)}</div>'
            f'<div class="label">{html.escape(i18n.tr(str(r["figure"]), _LANG))}</div>{delta}</div>'
        )
    head = "摘要" if _LANG == "zh" else "Executive summary"
    acts = "".join(f"<li>{i18n.tr(a, _LANG)}</li>" for a in actions)
    body = (
        f'<div class="exec-summary"><strong>{head}</strong><div class="figures">{"".join(items)}</div>'
        + (f'<ul class="actions">{acts}</ul>' if acts else "")
        + "</div>"
    )
    display({"text/html": body, HEADLINE_MIME: {"rows": rows}}, raw=True)


def headline_change(value, previous, unit: str, good: str = "up", currency: str = "") -> tuple[str, str, str] | None:
    """How a headline figure moved since last quarter: ``(tone, arrow, change)``, or None if either value is missing.

    ``tone`` is "up" (good news), "down" (bad news) or "flat" (unchanged), by the
    figure's ``good`` direction; ``change`` is the difference in the figure's unit,
    shares in percentage points (``"+5.0 pt"``; :func:`custlib.present.i18n.tr` translates it).
    Used by the executive summary and the quarter's roll-up.
    """
    if value is None or previous is None or pd.isna(value) or pd.isna(previous):
        return None
    diff = value - previous
    tone = "flat" if diff == 0 else ("up" if (diff >= 0) == (good == "up") else "down")
    arrow = "▲" if diff > 0 else ("▼" if diff < 0 else "■")
    change = f"{diff * 100:+.1f} pt" if unit == "pct" else _fmt_unit(diff, unit, currency, sign=True)
    return tone, arrow, change


def _num(v):
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(f) else f


def _fmt_unit(v, unit: str, currency: str = "", sign: bool = False) -> str:
    if v is None or pd.isna(v):
        return "–"
    s = "+" if sign else ""
    if unit == "money":
        return f"{v:{s},.0f}"
    if unit == "pct":
        return f"{v:{s}.1%}"
    if unit == "count":
        return f"{v:{s},.0f}"
    return f"{v:{s},.2f}"
