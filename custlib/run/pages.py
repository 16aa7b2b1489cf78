"""The quarter's index of reports and the roll-up comparing regions."""

from __future__ import annotations

import html

TITLES = {
    "00_overview_region": "Region overview",
    "01_segment_customers": "Customer segmentation",
    "02_diagnose_pareto": "Pareto diagnostics",
    "03_forecast_development": "Development forecast",
    "04_compare_make_vs_buy": "Make vs buy",
}


def report_title(notebook: str, region: str, quarter: str, lang: str = "en") -> str:
    """``"Customer segmentation — East — 2026Q3"`` in the report's language."""
    from custlib.present.i18n import tr

    return f"{tr(TITLES.get(notebook, notebook), lang)} — {tr(region, lang)} — {quarter}"


#: The words of the index and roll-up pages, in each report language (see :func:`_page_text`).
PAGE_TEXT = {
    "en": {
        "html_lang": "en",
        "index_title": "Customer development reports — {quarter}",
        "summary": "Generated {generated}. {ok} of {total} reports succeeded.",
        "to_rollup": "Compare regions: the quarter's roll-up",
        "region": "Region",
        "report": "Report",
        "status": "Status",
        "time": "Time",
        "seconds": "{seconds:.1f} s",
        "ok": "ok",
        "failed": "failed",
        "rollup_title": "Regions compared — {quarter}",
        "rollup_intro": "The headline figures of each region's reports side by side, with the change against the previous quarter "
        "(green: good news, red: bad). Generated {generated}.",
        "to_index": "All reports",
        "figure": "Figure",
        "no_headlines": "No report published headline figures this quarter.",
    },
    "zh": {
        "html_lang": "zh",
        "index_title": "客户开发报告 — {quarter}",
        "summary": "生成于 {generated}。{total} 份报告中 {ok} 份成功。",
        "to_rollup": "区域对比：本季度汇总",
        "region": "区域",
        "report": "报告",
        "status": "状态",
        "time": "用时",
        "seconds": "{seconds:.1f} 秒",
        "ok": "成功",
        "failed": "失败",
        "rollup_title": "区域对比 — {quarter}",
        "rollup_intro": "各区域报告的核心指标并列对比，并标出与上季度相比的变化（绿色：向好，红色：变差）。生成于 {generated}。",
        "to_index": "全部报告",
        "figure": "指标",
        "no_headlines": "本季度没有报告发布核心指标。",
    },
}


def _page_text(lang: str) -> dict:
    from custlib.present.i18n import check_lang

    return PAGE_TEXT[check_lang(lang)]


def index_html(quarter: str, entries: list[dict], generated: str, lang: str = "en") -> str:
    """The quarter's list of reports, in ``lang`` (region names and report titles translated; error messages as they are)."""
    from custlib.present.i18n import tr

    t = _page_text(lang)
    rows = []
    for e in sorted(entries, key=lambda e: (e["region"].casefold(), e["notebook"])):
        ok = e["status"] == "ok"
        title = html.escape(tr(TITLES.get(e["notebook"], e["notebook"]), lang))
        link = f'<a href="{html.escape(e["html"], quote=True)}">{title}</a>' if e.get("html") else title
        err = f'<div class="err">{html.escape(e.get("error", "")[:500])}</div>' if not ok and e.get("error") else ""
        status = t.get(e["status"], e["status"])
        rows.append(
            f"<tr><td>{html.escape(tr(e['region'], lang))}</td><td>{link}{err}</td>"
            f'<td class="{"ok" if ok else "failed"}">{html.escape(status)}</td><td>{t["seconds"].format(seconds=e["seconds"])}</td></tr>'
        )
    title = html.escape(t["index_title"].format(quarter=quarter))
    summary = html.escape(t["summary"].format(generated=generated, ok=sum(e["status"] == "ok" for e in entries), total=len(entries)))
    return f"""<!DOCTYPE html>
<html lang="{t["html_lang"]}"><head><meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, "Noto Sans CJK SC", sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ border-bottom: 1px solid #ddd; padding: .4rem .6rem; text-align: left; }}
td.ok {{ color: #2e7d32; }} td.failed {{ color: #b71c1c; font-weight: bold; }} .err {{ color: #b71c1c; font-size: .85em; white-space: pre-wrap; }}
</style></head><body>
<h1>{title}</h1>
<p>{summary}
<a href="rollup.html">{html.escape(t["to_rollup"])}</a>.</p>
<table><thead><tr><th>{t["region"]}</th><th>{t["report"]}</th><th>{t["status"]}</th><th>{t["time"]}</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""


def rollup_html(quarter: str, entries: list[dict], generated: str, lang: str = "en") -> str:
    """One table per analysis: its headline figures (rows) for every region (columns), in ``lang``.

    Built from the figures each report published in its executive summary,
    so nothing is computed again and no customer appears.
    """
    from custlib.present.i18n import tr
    from custlib.reports.context import _fmt_unit, headline_change

    t = _page_text(lang)
    by_nb: dict[str, dict[str, dict]] = {}
    regions = sorted({e["region"] for e in entries}, key=str.casefold)
    for e in entries:
        for h in e.get("headlines") or []:
            by_nb.setdefault(e["notebook"], {}).setdefault(h["figure"], {})[e["region"]] = h
    sections = []
    for nb in sorted(by_nb):
        rows = []
        for fig, per_region in by_nb[nb].items():
            cells = []
            for r in regions:
                h = per_region.get(r)
                if not h:
                    cells.append("<td>–</td>")
                    continue
                val = _fmt_unit(h.get("value"), h.get("unit", ""))
                moved = headline_change(h.get("value"), h.get("previous"), h.get("unit", ""), h.get("good", "up"))
                delta = ""
                if moved is not None:
                    tone, arrow, change = moved
                    delta = f'<br><span class="{tone}">{arrow} {html.escape(tr(change, lang))}</span>'
                cells.append(f"<td>{html.escape(val)}{delta}</td>")
            label = next((h["labels"][lang] for h in per_region.values() if lang in (h.get("labels") or {})), tr(fig, lang))
            rows.append(f"<tr><th>{html.escape(label)}</th>{''.join(cells)}</tr>")
        head = "".join(f"<th>{html.escape(tr(r, lang))}</th>" for r in regions)
        anchor = html.escape(nb, quote=True)
        sections.append(
            f'<h2 id="{anchor}">{html.escape(tr(TITLES.get(nb, nb), lang))}<a class="anchor-link" href="#{anchor}">¶</a></h2>'
            f"<table><thead><tr><th>{t['figure']}</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
    body = "".join(sections) or f"<p>{html.escape(t['no_headlines'])}</p>"
    title = html.escape(t["rollup_title"].format(quarter=quarter))
    return f"""<!DOCTYPE html>
<html lang="{t["html_lang"]}"><head><meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, "Noto Sans CJK SC", sans-serif; margin: 2rem auto; max-width: 72rem; color: #222; }}
table {{ border-collapse: collapse; margin-bottom: 1.5rem; }} th, td {{ border-bottom: 1px solid #ddd; padding: .35rem .7rem; text-align: right; }}
tbody th {{ text-align: left; font-weight: 600; }} thead th {{ background: #eef3f8; border-bottom: 2px solid #1b5e8c; }}
.up {{ color: #2e7d32; font-size: .85em; }} .down {{ color: #b71c1c; font-size: .85em; }} .flat {{ color: #666; font-size: .85em; }}
a.anchor-link {{ margin-left: .3em; color: #bbb; text-decoration: none; font-size: .8em; }}
</style></head><body>
<h1 id="regions-compared">{title}<a class="anchor-link" href="#regions-compared">¶</a></h1>
<p>{html.escape(t["rollup_intro"].format(generated=generated))} <a href="index.html">{html.escape(t["to_index"])}</a>.</p>
{body}
</body></html>
"""
