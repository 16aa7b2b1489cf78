"""What report notebooks call: open a region's data, show tables and text.

A notebook does ``ctx = open_report(data, region, quarter, settings)`` and
then, per section, one computation (:meth:`ReportContext.compute`) and one
table or chart (:meth:`ReportContext.show`, :meth:`ReportContext.plot`), or the
executive summary (:meth:`ReportContext.summary`). Words are messages in the
report's language (:attr:`ReportContext.t`, :meth:`ReportContext.messages`),
numbers go through :attr:`ReportContext.fmt`; table cells are escaped and data
values in text go through :func:`~custlib.present.text.esc`, so customer names
cannot inject markup.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from custlib.analysis.facts import RegionFacts, region_facts
from custlib.exceptions import DataError, ParamsError
from custlib.io.data import (
    RegionData,
    Source,
    create_typed_views,
    data_coverage,
    load_region,
    open_raw,
    resolve_quarter,
    with_cost_basis,
    with_peer_file,
)
from custlib.io.examples import is_generated_sample, with_example_cases
from custlib.io.facts import order_lines
from custlib.io.params import DEFAULT_CURRENCY, check, deep_merge, load_params, with_source_currency
from custlib.io.parquet import read_parquet
from custlib.io.periods import Coverage, Quarter, comparison_gap
from custlib.io.pooling import OTHER_REGIONS, min_customers_of, pool_thin_regions, pooled_record
from custlib.present import coverage as coverage_words
from custlib.present.costs import cost_header, figure_label
from custlib.present.messages import LANGS, Messages, check_lang, domain_of
from custlib.present.numbers import Formatter
from custlib.present.pooling import pooled_sentence
from custlib.present.style import PALETTE, SEQUENCE, cjk_font_path, use_report_style  # noqa: F401 (re-exported for notebooks)
from custlib.present.tables import TableView, table_html
from custlib.present.text import esc
from custlib.reports import sections as _sections
from custlib.reports.actions import ACTIONS_MIME, FILES, has_rows, payload

PREPARED_MARKER = "_prepared.json"
#: The mimetype under which a report publishes its headline figures for the quarter's roll-up (see :meth:`ReportContext.summary`).
HEADLINE_MIME = "application/vnd.custlib.headlines+json"


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
    _facts: RegionFacts | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def facts(self) -> RegionFacts:
        """The region's facts up to the report quarter (:func:`~custlib.analysis.facts.region_facts`), computed once per report.

        Every measure that more than one report shows (customers, revenue, profit, concentration,
        ABC classes on ``abc.cutoffs``) is read from here, so it has one value wherever it appears.
        """
        if self._facts is None:
            d = self.data
            cutoffs = (self.params.get("abc") or {}).get("cutoffs", (0.8, 0.95))
            self._facts = region_facts(d.transactions, d.customers, d.service_costs, self.quarter, cutoffs, self.coverage)
        return self._facts

    @property
    def abc_cutoffs(self) -> tuple[float, float]:
        """``abc.cutoffs``: the ABC classes of every report, and the share in "customers making 80%"."""
        return self.facts.cutoffs

    @property
    def currency(self) -> str:
        return self.params.get("report", {}).get("currency") or DEFAULT_CURRENCY

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

    @property
    def coverage(self) -> Coverage | None:
        """The days the whole data covers (first and last date; None when unknown): see :class:`~custlib.io.periods.Coverage`."""
        return getattr(self.data, "coverage", None)

    @property
    def previous_quarter(self):
        """The quarter before the report's, to compare with; an :class:`~custlib.reports.sections.Unavailable` when there is none.

        A comparison needs both quarters complete in the data (:func:`custlib.io.periods.comparison_gap`):
        a quarter before the data has no figures (never zeros), and a partial one would set part of a
        quarter against a whole one. A step given the Unavailable is unavailable too, with its reason
        (``no_previous_quarter_in_data`` or ``partial_quarter``).
        """
        gap = comparison_gap(self.coverage, self.quarter, self.quarter.previous)
        if gap is None:
            return self.quarter.previous
        code, fields = gap
        return _sections.Unavailable(code, fields, f"no comparison of {self.quarter} with {self.quarter.previous} ({code})")

    def header(self) -> None:
        """Show the lines naming region, quarter, data size and coverage, in the report's language.

        The customer count is the customers who ordered in the quarter (a credit note is no order);
        the second line gives the days the whole data covers and the export's lines a source mapping
        left out for want of a customer id, with their share of its revenue; the pooled region's
        header then names the regions it holds, with their customers who ordered in the year.
        """
        d, q, t, f = self.data, self.quarter, self.t, self.fmt
        tx = d.transactions
        in_q = order_lines(tx.loc[(tx["order_date"] >= q.start) & (tx["order_date"] <= q.end)])
        n_c, n_t = int(in_q["customer_id"].nunique()), len(tx)
        first = t.gettext(
            "**Region:** {region} · **Quarter:** {quarter} ({start} to {end}) · {customers} · {lines} up to the quarter's end",
            region=esc(t.region(self.region)),
            quarter=q,
            start=f.date(q.start),
            end=f.date(q.end),
            customers=t.ngettext("{n} customer ordered in the quarter", "{n} customers ordered in the quarter", n_c, n=f.integer(n_c)),
            lines=t.ngettext("{n} order line", "{n} order lines", n_t, n=f.integer(n_t)),
        )
        notes = [n for n in (coverage_words.partial_quarter_note(self), cost_header(self)) if n]
        lines = [" · ".join([first, *notes])]
        if (data := coverage_words.data_line(self)) is not None:
            lines.append(data)
        if pooled := pooled_sentence(getattr(d, "pooled", None) or {}, t, f, esc):
            lines.append(pooled)
        self.say("\n\n".join(lines))

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

    def summary(
        self, figures, actions=(), notebook: str = "", domain: str = "custlib", against_last_quarter: bool = True, lists: dict | None = None
    ) -> None:
        """Show the executive summary: three to five headline figures and what they suggest doing.

        Parameters
        ----------
        figures : DataFrame
            One row per headline: ``figure`` (an English message of ``domain``, marked with
            ``N_``), ``value``, ``previous`` (last quarter, NaN if unknown), ``unit``
            (``money``, ``pct``, ``count`` or ``""``) and optionally ``good`` (``up``/``down``) and,
            for a forecast, ``lower``, ``upper`` and ``level`` (its prediction interval, shown under it).
        actions : list of str
            What the figures suggest, already in the report's language (data values escaped).
        notebook : str
            Which analysis the figures belong to (the quarter's roll-up groups by it).
        domain : str
            Catalogue domain of the figure labels.
        against_last_quarter : bool
            Whether the figures compare with last quarter (False for a report computed from
            parameters, not orders). When they do and the data does not cover both quarters
            whole, no change is shown and the summary says why (a quarter without data, or a
            partial one: :func:`custlib.io.periods.comparison_gap`); ``previous`` is not published.
        lists : dict of str to DataFrame, optional
            The whole lists behind the advice (:mod:`custlib.reports.actions`), published (``ACTIONS_MIME``) for the action workbook it links.

        The figures are also published (mimetype ``HEADLINE_MIME``) with their label in
        every report language and the report's currency, so that the runner's roll-up
        compares regions without computing anything again.
        """
        from IPython.display import display

        from custlib.present import headlines

        t, f = self.messages(domain), self.fmt
        items, rows = [], []
        # no change against a quarter without data or a partial one: the figures stand alone, and the summary says why
        gap = comparison_gap(self.coverage, self.quarter, self.quarter.previous) if against_last_quarter else None
        for r in figures.to_dict("records"):
            unit, good = r.get("unit", ""), r.get("good", "up")
            value, prev = _num(r.get("value")), None if gap else _num(r.get("previous"))
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
                    "currency": self.currency,
                }
            )
            delta = ""
            moved = headlines.move(value, prev, unit, good, f)
            if moved is not None:
                tone, arrow, change = moved
                rel = f" ({f.percent((value - prev) / abs(prev), signed=True)})" if prev and unit != "pct" else ""
                text = self.t.gettext("{change} vs last quarter", change=change + rel)
                delta = f'<div class="delta {tone}">{arrow} {html.escape(text)}</div>'
            delta += headlines.interval_html(r, unit, self.t, f)
            items.append(
                f'<div class="figure"><div class="value">{html.escape(headlines.value_text(value, unit, f))}</div>'
                f'<div class="label">{html.escape(figure_label(self, t.gettext(label)) if r.get("on_cost") else t.gettext(label))}</div>{delta}</div>'
            )
        acts = "".join(f"<li>{a}</li>" for a in actions)
        head = html.escape(self.t.gettext("Executive summary"))
        no_change = f'<div class="no-change">{html.escape(coverage_words.comparison_reason(self, *gap))}</div>' if gap else ""
        body = (
            f'<div class="exec-summary"><strong>{head}</strong>'
            f'<div class="figures">{"".join(items)}</div>{no_change}'
            + (f'<ul class="actions">{acts}</ul>' if acts else "")
            + (self._action_links() if lists and has_rows(lists) else "")
            + "</div>"
        )
        bundle = {"text/html": body, HEADLINE_MIME: {"rows": rows}}
        if lists:
            bundle[ACTIONS_MIME] = payload(lists)
        display(bundle, raw=True)

    def _action_links(self) -> str:
        """The summary's links to the region's action workbook and table, written beside the report by the runner."""
        from custlib.present.actions import LINKS

        t = self.t
        xlsx, csv = (html.escape(name, quote=True) for name in FILES)
        return (
            f'<p class="action-lists">{html.escape(t.label("intro", LINKS))} '
            f'<a href="{xlsx}">{html.escape(t.label("xlsx", LINKS))}</a> · '
            f'<a href="{csv}">{html.escape(t.label("csv", LINKS))}</a></p>'
        )

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
        Region as in ``customers.region`` (case-insensitive). Regions with fewer customers who ordered than
        ``report.min_customers`` are pooled as the runner pools them (:mod:`custlib.io.pooling`): ``"Other regions"``
        opens the pooled region, and so does the name of a region pooled into it.
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
        params = with_example_cases(with_source_currency(params, source.currency), is_generated_sample(source))
        cov = data_coverage(con, source)
        q = resolve_quarter(con, quarter, coverage=cov)
        pooling = pool_thin_regions(con, q, min_customers_of(params))  # as the runner: a pooled member opens "Other regions"
        rd = load_region(con, pooling.region_of(region), q, coverage=cov)
        rd.peer_quarterly = with_peer_file(rd.peer_quarterly, source, q)
        rd.exclusions = dict(source.exclusions)
        rd.pooled = pooled_record(pooling, source) if rd.region == OTHER_REGIONS else {}
        con.close()
    rd = with_cost_basis(rd, (params.get("assumptions") or {}).get("gross_margin"))
    lang = check_lang(params.get("report", {}).get("lang", "en"))
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
        facts = marker.get("data") or {}  # the whole source's coverage and exclusions, as the runner found them
        cov = Coverage.from_dict(facts["coverage"]) if facts.get("coverage") else data_coverage(con, source)
        rd = load_region(con, region, q, peers=False, coverage=cov)
        rd.exclusions = dict(facts.get("exclusions") or {})
        rd.pooled = dict(facts.get("pooled") or {})
        con.close()
        if (src_path / "peer_quarterly.parquet").is_file():
            rd.peer_quarterly = read_parquet(src_path / "peer_quarterly.parquet")
        _SLICE_CACHE.clear()
        _SLICE_CACHE[key] = rd
    copy = RegionData(
        rd.region,
        rd.quarter,
        *(
            None if f is None else f.copy(deep=False)
            for f in (rd.customers, rd.transactions, rd.offers, rd.service_costs, rd.peer_quarterly, rd.products)
        ),
        coverage=rd.coverage,
        exclusions=dict(rd.exclusions),
        pooled=dict(rd.pooled),
    )
    return copy, q


def settings_json(params: dict) -> str:
    """Stable JSON text of parameters (for hashes and manifests)."""
    return json.dumps(params, sort_keys=True, ensure_ascii=False, default=str)


def _num(v):
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(f) else f
