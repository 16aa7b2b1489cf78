"""The quarter's index of reports and the roll-up comparing regions.

Both pages are Jinja templates (``templates/pages/``), autoescaped, so region names,
error messages and figure labels from the data cannot add markup. Their words are
messages of the ``custlib`` catalogue (the templates call ``_``, ``ngettext`` and
``pgettext``), numbers and dates go through :class:`~custlib.present.numbers.Formatter`
and a region's name through :meth:`~custlib.present.messages.Messages.region`.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from custlib.io.pooling import OTHER_REGIONS
from custlib.present import headlines
from custlib.present.fonts import embed_font
from custlib.present.messages import LANGS, Messages, messages
from custlib.present.numbers import Formatter
from custlib.present.pooling import pooled_sentence
from custlib.run.company import company_headline, has_company_figure

PAGES = Path(__file__).parent / "templates" / "pages"


def heading_titles(path: Path | str) -> dict[str, str]:
    """A report notebook's title in each language: the first ``# `` heading of its markdown cells tagged ``lang-<code>``.

    The notebook names itself (its title twins, see notebooks/README.md), so a new notebook
    needs no list to be edited; a notebook without such headings has no titles (``{}``).
    """
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        return {}
    return dict(_heading_titles(str(path), stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=64)
def _heading_titles(path: str, _mtime: int, _size: int) -> tuple[tuple[str, str], ...]:
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return ()
    found: dict[str, str] = {}
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        first = ("".join(source) if isinstance(source, list) else source).lstrip().split("\n", 1)[0]
        for lang in LANGS:
            if f"lang-{lang}" in cell.get("metadata", {}).get("tags", []) and first.startswith("# ") and lang not in found:
                found[lang] = first[2:].strip()
    return tuple(sorted(found.items()))


def notebook_title(notebook: str, t: Messages, titles: dict | None = None) -> str:
    """A report's title in ``t``'s language from ``titles`` (:func:`heading_titles`), else its file name."""
    return (titles or {}).get(t.lang) or notebook


def report_title(notebook: str, region: str, quarter: str, lang: str = "en", titles: dict | None = None) -> str:
    """``"Customer segmentation — East — 2026Q3"`` (``"客户分类 — 华东 — 2026Q3"``) in the report's language."""
    t = messages(lang)
    return t.gettext(
        "{report} — {region} — {quarter}", report=notebook_title(notebook, t, titles), region=t.region(region), quarter=quarter
    )


@functools.cache
def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(loader=FileSystemLoader(PAGES), autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _render(template: str, t: Messages, **values) -> str:
    words = {"_": t.gettext, "ngettext": t.ngettext, "pgettext": t.pgettext, "lang": t.lang}
    return embed_font(_environment().get_template(template).render(**words, **values))


def index_html(
    quarter: str, entries: list[dict], generated: str, lang: str = "en", actions: dict | None = None, pooling: dict | None = None
) -> str:
    """The quarter's list of reports, in ``lang``: region names and report titles translated, error messages as they are.

    ``entries`` are the manifest's reports (``region``, ``notebook``, ``status``, ``html``,
    ``seconds``, ``error``), listed by region (A-Z) and notebook. ``actions`` are the manifest's
    action files (region slug -> ``region``, ``xlsx``, ``csv``, ``rows``): each region's are linked.
    ``pooling`` (the manifest's, :meth:`custlib.io.pooling.Pooling.to_dict`) adds the sentence saying
    which regions were pooled into "Other regions" and why.
    """
    from custlib.present.actions import LINKS

    t, f = messages(lang), Formatter(lang)
    rows = []
    for e in sorted(entries, key=lambda e: (e["region"].casefold(), e["notebook"])):
        ok = e["status"] == "ok"
        rows.append(
            {
                "region": t.region(e["region"]),
                "title": notebook_title(e["notebook"], t, e.get("titles")),
                "href": e.get("html") or "",
                "ok": ok,
                "error": "" if ok else (e.get("error") or "")[:500],
                "seconds": f.number(e["seconds"], 1),
            }
        )
    ok = sum(e["status"] == "ok" for e in entries)
    lists = [
        {"region": t.region(a["region"]), "xlsx": a["xlsx"], "csv": a["csv"], "rows": f.integer(sum((a.get("rows") or {}).values()))}
        for a in sorted((actions or {}).values(), key=lambda a: a["region"].casefold())
    ]
    return _render(
        "index.html.j2",
        t,
        title=t.gettext("Customer development reports — {quarter}", quarter=quarter),
        generated=f.datetime(generated),
        ok=f.integer(ok),
        total=len(entries),
        total_text=f.integer(len(entries)),
        rows=rows,
        actions=lists,
        xlsx_text=t.label("xlsx", LINKS),
        csv_text=t.label("csv", LINKS),
        pooled=pooled_sentence(pooling or {}, t, f),
    )


def _region_order(region: str) -> tuple[bool, str]:
    """Regions A-Z, the pooled "Other regions" last."""
    return region == OTHER_REGIONS, region.casefold()


def rollup_html(
    quarter: str, entries: list[dict], generated: str, lang: str = "en", currency: str = "CNY", company: dict | None = None
) -> str:
    """One table per analysis: a row per region (A-Z, "Other regions" last), a column per headline figure, in ``lang``.

    Built from the figures each report published in its executive summary (each with its
    label in every language and its currency; ``currency`` for figures published without),
    so nothing is computed again and no customer appears. The first row is the company's:
    ``company`` (:func:`custlib.run.company.company_figures`, the whole data's measures) for the
    figures that are region facts measures, "–" for those computed within each region. Analyses
    by notebook.
    """
    t = messages(lang)
    by_nb: dict[str, dict[str, dict]] = {}
    titles = {e["notebook"]: e.get("titles") for e in entries}
    for e in entries:
        for h in e.get("headlines") or []:
            by_nb.setdefault(e["notebook"], {}).setdefault(h["figure"], {})[e["region"]] = h
    sections = []
    for nb in sorted(by_nb):
        figures = by_nb[nb]
        regions = sorted({r for per_region in figures.values() for r in per_region}, key=_region_order)
        columns, company_row, none = [], [], False
        for figure, per_region in figures.items():
            none = none or not has_company_figure(nb, figure)
            columns.append(next((h["labels"][lang] for h in per_region.values() if (h.get("labels") or {}).get(lang)), figure))
            own = company_headline(company, nb, figure)
            company_row.append(_cell({**next(iter(per_region.values())), **own}, lang, currency) if own else None)
        rows = [{"region": t.region(r), "cells": [_cell(figures[fig].get(r), lang, currency) for fig in figures]} for r in regions]
        sections.append(
            {
                "anchor": nb,
                "title": notebook_title(nb, t, titles.get(nb)),
                "columns": columns,
                "company": company_row if company else None,
                "no_company": bool(company) and none,
                "rows": rows,
            }
        )
    return _render(
        "rollup.html.j2",
        t,
        title=t.gettext("Regions compared — {quarter}", quarter=quarter),
        generated=Formatter(lang).datetime(generated),
        sections=sections,
    )


def _cell(h: dict | None, lang: str, currency: str) -> dict | None:
    """One region's headline: its value and, when last quarter's is known, how it moved."""
    if not h:
        return None
    f = Formatter(lang, h.get("currency") or currency)
    unit = h.get("unit", "")
    moved = headlines.move(h.get("value"), h.get("previous"), unit, h.get("good", "up"), f)
    tone, arrow, change = moved if moved is not None else ("", "", "")
    return {"value": headlines.value_text(h.get("value"), unit, f), "tone": tone, "arrow": arrow, "change": change}
