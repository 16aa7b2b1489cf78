"""Report helpers: escaping, report languages, the executive summary, the contents list, the index and the roll-up."""

import json
import re

import matplotlib

matplotlib.use("Agg")
from pathlib import Path  # noqa: E402

import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from custlib.exceptions import ParamsError  # noqa: E402
from custlib.io.periods import Quarter  # noqa: E402
from custlib.present.headlines import move  # noqa: E402
from custlib.present.messages import keep_language  # noqa: E402
from custlib.present.numbers import Formatter  # noqa: E402
from custlib.present.text import esc  # noqa: E402
from custlib.reports import context as report  # noqa: E402
from custlib.run.worker import add_toc, headlines  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def test_esc_neutralises_html_and_markdown():
    assert esc('<script>alert("x")</script>') == "&lt;script&gt;alert\\(&quot;x&quot;\\)&lt;/script&gt;"
    assert esc("[click](http://x)") == "\\[click\\]\\(http://x\\)"


def test_keep_language_drops_the_other_languages_cells():
    nb = nbformat.v4.new_notebook()
    en = nbformat.v4.new_markdown_cell("## Whale curve")
    en.metadata["tags"] = ["lang-en"]
    zh = nbformat.v4.new_markdown_cell("## 鲸鱼曲线")
    zh.metadata["tags"] = ["lang-zh"]
    nb.cells = [en, zh, nbformat.v4.new_code_cell("x = 1")]
    assert [c.source for c in keep_language(nb, "zh").cells] == ["## 鲸鱼曲线", "x = 1"]


def test_toc_links_every_h2_after_the_title():
    page = '<div><h1 id="T">T<a class="anchor-link" href="#T">¶</a></h1></div><h2 id="A-b">A b<a class="anchor-link" href="#A-b">¶</a></h2><h2 id="C">C<a class="anchor-link" href="#C">¶</a></h2>'
    out = add_toc(page)
    assert '<nav class="report-toc" id="contents">' in out
    assert out.index("report-toc") < out.index('<h2 id="A-b">')
    assert '<a href="#A-b">A b</a>' in out and '<a href="#C">C</a>' in out


def test_executive_summary_publishes_its_figures_for_the_roll_up(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    figures = pd.DataFrame(
        {
            "figure": ["Executive summary", "Customers at risk"],
            "value": [120.0, 7.0],
            "previous": [100.0, np.nan],
            "unit": ["money", "count"],
            "good": ["up", "down"],
        }
    )
    ctx = report.ReportContext("East", Quarter.parse("2026Q3"), {"report": {"currency": "GBP"}}, data=None)
    ctx.summary(figures, ["Visit the 7 customers at risk"], notebook="00_overview_region")
    bundle = shown[0]
    assert "▲ +£20 (+20.0%) vs last quarter" in bundle["text/html"]
    rows = bundle[report.HEADLINE_MIME]["rows"]
    assert rows[0] == {
        "notebook": "00_overview_region",
        "figure": "Executive summary",
        "labels": {"en": "Executive summary", "zh": "摘要"},  # for the roll-up, in either language
        "value": 120.0,
        "previous": 100.0,
        "unit": "money",
        "good": "up",
        "currency": "GBP",
    }
    assert rows[1]["previous"] is None
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data=json.loads(json.dumps(bundle)))]
    nb.cells = [cell]
    assert headlines(nb) == rows


def test_prepared_slice_is_read_once_and_callers_cannot_change_it(tmp_path):
    """A warm kernel reads a region's prepared files once; a notebook changing its frames leaves the next one's intact."""
    from conftest import tiny_tables, write_tables

    from custlib.io.data import peer_quarterly
    from custlib.io.periods import Quarter
    from custlib.io.validate import validate_source
    from custlib.run.prepare import prepare_regions

    data = write_tables(tiny_tables(), tmp_path / "data", "parquet")
    con, source, _ = validate_source(data)
    q = Quarter(2025, 4)
    cache = tmp_path / "cache"
    cache.mkdir()
    assert prepare_regions(con, ["East", "North"], q, cache, peer_quarterly(con, q.end), source.fingerprint()) == ["East", "North"]
    assert prepare_regions(con, ["East", "North"], q, cache, peer_quarterly(con, q.end), source.fingerprint()) == []  # unchanged: skipped
    first = report.open_report(str(cache / "east"), "East", "2025Q4", {})
    total = first.data.transactions["revenue"].sum()
    first.data.transactions["revenue"] = 0.0
    first.data.customers.loc[0, "name"] = "changed"
    second = report.open_report(str(cache / "east"), "East", "2025Q4", {})
    assert second.data.transactions["revenue"].sum() == total
    assert "changed" not in set(second.data.customers["name"])
    assert set(second.data.peer_quarterly["region"]) == {"East", "North"}
    assert second.data.transactions["customer_id"].str.startswith("E").all()


def _page_notebook():
    import base64

    png = base64.b64encode(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            + "1f15c489"
            + "0000000a49444154789c6360000000020001e221bc330000000049454e44ae426082"
        )
    ).decode()
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("x")
    code.outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"}),
        nbformat.v4.new_output("display_data", data={"text/html": "<p>a table</p>"}),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), code, nbformat.v4.new_markdown_cell("## First part\n\ntext\n\n## Second part")]
    return nb


@pytest.mark.parametrize(("lang", "alt"), [("en", "Chart"), ("zh", "图表")])
def test_report_page_gives_images_alt_text_outputs_focus_and_a_contents_box_after_the_title(lang, alt):
    """custlib.run.worker.to_html does what nbconvert's BeautifulSoup pass did, with markup the template wrote."""
    import re

    from custlib.run.worker import to_html

    page = add_toc(to_html(_page_notebook(), "A report", lang), lang)
    imgs = re.findall(r"<img\b[^>]*>", page)
    assert len(imgs) == 1 and f'alt="{alt}"' in imgs[0]
    outputs = re.findall(r'<div class="[^"]*\bjp-OutputArea-output\b[^"]*"[^>]*>', page)
    assert len(outputs) == 2 and all('tabindex="0"' in d for d in outputs)
    cells = [m.start() for m in re.finditer(r'<div\b[^>]*\bclass="jp-Cell ', page)]
    toc = page.index('<nav class="report-toc"')
    assert len(cells) == 3 and cells[0] < toc < cells[1]  # between the title's cell and the next one
    assert 'href="#First-part"' in page[toc:] and 'href="#Second-part"' in page[toc:]
    assert "x</span>" not in page and "In&nbsp;[" not in page  # no code, no prompts


def _entries():
    def h(figure, value, previous, unit, good="up", zh=None):
        row = {"notebook": "00_overview_region", "figure": figure, "value": value, "previous": previous, "unit": unit, "good": good}
        if zh:
            row["labels"] = {"en": figure, "zh": zh}
        return row

    east = [
        h("Revenue", 120.0, 100.0, "money", zh="销售收入"),
        h("Gross margin", 0.30, 0.25, "pct"),
        h("Customers lost", 4.0, 4.0, "count", "down"),
    ]
    north = [h("Revenue", 90.0, 100.0, "money", zh="销售收入"), h("Gross margin", 0.2, None, "pct")]
    overview = {"en": "Region overview", "zh": "区域概览"}  # the notebook's heading twins, as the manifest records them
    segmentation = {"en": "Customer segmentation", "zh": "客户分类"}
    return [
        {
            "region": "North",
            "notebook": "00_overview_region",
            "status": "ok",
            "html": "north/00.html",
            "seconds": 2.0,
            "headlines": north,
            "titles": overview,
        },
        {
            "region": "East",
            "notebook": "00_overview_region",
            "status": "ok",
            "html": "east/00.html",
            "seconds": 1.25,
            "headlines": east,
            "titles": overview,
        },
        {
            "region": "East",
            "notebook": "01_segment_customers",
            "status": "failed",
            "html": "",
            "seconds": 0.5,
            "error": "ValueError: <bad>",
            "titles": segmentation,
        },
    ]


def test_roll_up_puts_each_region_on_a_row_with_its_headlines_and_the_change():
    from custlib.run.pages import rollup_html

    page = rollup_html("2026Q3", _entries(), "2026-11-24T08:00:00")
    rows = {m.group(1): m.group(2) for m in re.finditer(r"<tr><th>(.*?)</th>(.*?)</tr>", page)}
    assert re.findall(r"<thead><tr><th>Region</th>(.*?)</tr>", page) == ["<th>Revenue</th><th>Gross margin</th><th>Customers lost</th>"]
    assert re.findall(r"<tr><th>(.*?)</th><td>", page) == ["East", "North"]  # regions A-Z, one row each
    assert rows["East"] == (
        '<td>CN¥120<br><span class="up">▲ +CN¥20</span></td><td>30.0%<br><span class="up">▲ +5.0 pt</span></td>'
        '<td>4<br><span class="flat">■ 0</span></td>'
    )
    assert rows["North"] == '<td>CN¥90<br><span class="down">▼ -CN¥10</span></td><td>20.0%</td><td>–</td>'  # North did not publish it
    assert "Generated 2026-11-24 08:00." in page and '<a href="index.html">All reports</a>' in page
    assert 'class="company"' not in page  # no company figures given: no company row
    assert '<div class="scroll"><table>' in page and ".scroll { overflow-x: auto;" in page  # a wide table scrolls, the page does not

    zh = rollup_html("2026Q3", _entries(), "2026-11-24T08:00:00", "zh")
    assert '<html lang="zh">' in zh and "区域对比 — 2026Q3" in zh and "<thead><tr><th>区域</th><th>销售收入</th>" in zh
    assert '<h2 id="00_overview_region">区域概览<a' in zh
    assert "<tr><th>华东</th><td>¥120<br>" in zh  # the label the report published
    assert "▲ +5.0 个百分点" in zh


def test_roll_up_starts_with_the_company_row_and_puts_other_regions_last():
    """The company's figures (the whole data's measures) head each table; a figure computed within regions reads "–" with a note."""
    from custlib.run.pages import rollup_html

    entries = _entries()
    entries.append({**entries[0], "region": "Other regions", "html": "other-regions/00.html", "headlines": entries[1]["headlines"]})
    entries.append({**entries[0], "region": "Austria", "html": "austria/00.html"})
    company = {"quarter": "2026Q3", "value": {"revenue": 330.0, "gross_margin": 0.27}, "previous": {"revenue": 300.0, "gross_margin": 0.25}}
    page = rollup_html("2026Q3", entries, "2026-11-24T08:00:00", company=company)
    assert re.findall(r"<tr(?: class=\"company\")?><th>(.*?)</th><td>", page) == ["Company", "Austria", "East", "North", "Other regions"]
    company_row = re.search(r'<tr class="company"><th>Company</th>(.*?)</tr>', page).group(1)
    # revenue and margin are facts measures; "Customers lost" (a test label) is no headline the company has
    assert company_row == '<td>CN¥330<br><span class="up">▲ +CN¥30</span></td><td>27.0%<br><span class="up">▲ +2.0 pt</span></td><td>–</td>'
    assert "– in the Company row: the figure is computed within each region" in page
    zh = rollup_html("2026Q3", entries, "2026-11-24T08:00:00", "zh", company=company)
    assert '<tr class="company"><th>公司</th>' in zh and "<tr><th>其他地区</th>" in zh and "公司没有统一数值" in zh


def test_roll_up_gives_amounts_in_the_currency_each_report_published():
    from custlib.run.pages import rollup_html

    entries = _entries()
    entries[0]["headlines"][0]["currency"] = "GBP"  # North's revenue
    page = rollup_html("2026Q3", entries, "2026-11-24T08:00:00", currency="USD")  # USD: figures published without one
    assert '<tr><th>East</th><td>$120<br><span class="up">▲ +$20</span></td>' in page
    assert '<tr><th>North</th><td>£90<br><span class="down">▼ -£10</span></td>' in page


def test_roll_up_escapes_what_came_from_the_data():
    from custlib.run.pages import rollup_html

    entries = _entries()
    entries[0]["region"] = "<b>North</b>"
    for e in entries[:2]:
        e["headlines"][0]["labels"] = {"en": "<i>Revenue</i>", "zh": "<i>收入</i>"}
    page = rollup_html("2026Q3", entries, "2026-11-24T08:00:00")
    assert "<b>North" not in page and "<tr><th>&lt;b&gt;North&lt;/b&gt;</th>" in page
    assert "<i>" not in page and "<th>&lt;i&gt;Revenue&lt;/i&gt;</th>" in page


def test_roll_up_without_figures_says_so():
    from custlib.run.pages import rollup_html

    entries = [{**e, "headlines": []} for e in _entries()]
    assert "No report published headline figures this quarter." in rollup_html("2026Q3", entries, "2026-11-24T08:00:00")
    assert "本季度没有报告发布核心指标。" in rollup_html("2026Q3", entries, "2026-11-24T08:00:00", "zh")


def test_index_lists_every_report_with_its_status_in_the_runs_language():
    from custlib.run.pages import index_html

    en = index_html("2026Q3", _entries(), "2026-11-24T08:00:00")
    assert "Generated 2026-11-24 08:00. 2 of 3 reports succeeded." in en
    assert '<td>East</td><td><a href="east/00.html">Region overview</a></td><td class="ok">ok</td><td>1.2 s</td>' in en
    assert '<td class="failed">failed</td>' in en and "ValueError: &lt;bad&gt;" in en  # escaped
    assert "<td>Customer segmentation<div" in en  # no page to link to
    assert en.index("<td>East</td>") < en.index("<td>North</td>")
    zh = index_html("2026Q3", _entries(), "2026-11-24T08:00:00", "zh")
    assert "3 份报告中 2 份成功" in zh and '<a href="east/00.html">区域概览</a>' in zh and "<td>1.2 秒</td>" in zh
    assert '<td class="failed">失败</td>' in zh and '<a href="rollup.html">区域对比：本季度汇总</a>' in zh
    assert "<td>华东</td>" in zh and "<td>华北</td>" in zh and "East" not in zh and "North" not in zh
    with pytest.raises(ParamsError, match="report.lang"):
        index_html("2026Q3", _entries(), "x", "fr")


def test_index_of_one_report_says_report_not_reports_and_keeps_a_clients_region_and_notebook_as_they_are():
    from custlib.run.pages import index_html

    entry = {"region": "Zürich & Basel", "notebook": "07_custom", "status": "ok", "html": 'a"b.html', "seconds": 3.0}
    en = index_html("2026Q3", [entry], "2026-11-24T08:00:00")
    assert "1 of 1 report succeeded." in en
    assert '<td>Zürich &amp; Basel</td><td><a href="a&#34;b.html">07_custom</a></td>' in en
    zh = index_html("2026Q3", [entry], "2026-11-24T08:00:00", "zh")
    assert "<td>Zürich &amp; Basel</td>" in zh  # a region the catalogue does not know reads as it is


@pytest.mark.parametrize(
    ("lang", "title"),
    [("en", "Customer segmentation — East — 2026Q3"), ("zh", "客户分类 — 华东 — 2026Q3"), ("zh", "07_custom — Zürich — 2026Q3")],
)
def test_report_title_names_report_region_and_quarter_in_the_reports_language(lang, title):
    from custlib.run.pages import heading_titles, report_title

    notebook, region = ("07_custom", "Zürich") if "Zürich" in title else ("01_segment_customers", "East")
    titles = heading_titles(ROOT / "notebooks" / f"{notebook}.ipynb")  # {} for a notebook that does not exist
    assert report_title(notebook, region, "2026Q3", lang, titles) == title


def test_a_notebook_is_titled_by_its_own_heading_twins(tmp_path):
    from custlib.run.pages import heading_titles

    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {"tags": ["lang-en"]}, "source": ["# Churn radar\n", "Who may leave."]},
            {"cell_type": "markdown", "metadata": {"tags": ["lang-zh"]}, "source": "# 流失雷达\n谁可能离开。"},
            {"cell_type": "markdown", "metadata": {"tags": ["lang-en"]}, "source": ["# Not the title"]},
        ]
    }
    path = tmp_path / "05_churn.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert heading_titles(path) == {"en": "Churn radar", "zh": "流失雷达"}
    assert heading_titles(tmp_path / "absent.ipynb") == {}


def test_headline_move_gives_tone_arrow_and_change_in_the_figures_unit():
    en, zh = Formatter("en", "CNY"), Formatter("zh", "CNY")
    assert move(120.0, 100.0, "money", "up", en) == ("up", "▲", "+CN¥20")
    assert move(0.30, 0.25, "pct", "up", en) == ("up", "▲", "+5.0 pt")
    assert move(0.30, 0.25, "pct", "up", zh) == ("up", "▲", "+5.0 个百分点")
    assert move(5.0, 4.0, "count", "down", en) == ("down", "▲", "+1")  # more lost customers: bad news
    assert move(3.0, 4.0, "count", "down", en) == ("up", "▼", "-1")
    assert move(4.0, 4.0, "count", "up", en) == ("flat", "■", "0")  # unchanged: neutral, never "+0"
    # a fall keeps its minus sign and a down arrow; one too small to show reads 0.0 pt, neutral (never "+0.0 pt")
    assert move(0.2500, 0.2530, "pct", "up", en) == ("down", "▼", "-0.3 pt")
    assert move(0.2500, 0.2504, "pct", "up", en) == ("flat", "■", "0.0 pt")
    assert move(0.2504, 0.2500, "pct", "down", zh) == ("flat", "■", "0.0 个百分点")
    assert move(1000.2, 1000.0, "money", "up", en) == ("flat", "■", "CN¥0")
    assert move(999.0, 1000.0, "money", "up", en) == ("down", "▼", "-CN¥1")
    assert move(4.0, None, "count", "up", en) is None
    assert move(float("nan"), 4.0, "count", "up", en) is None
