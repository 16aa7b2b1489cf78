"""Report helpers: escaping, formats, labels, the executive summary, the contents list and the roll-up."""

import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from custlib import i18n, report  # noqa: E402
from custlib.exceptions import InsufficientDataError, ParamsError  # noqa: E402
from custlib.worker import add_toc, headlines  # noqa: E402


def test_esc_neutralises_html_and_markdown():
    assert report.esc('<script>alert("x")</script>') == "&lt;script&gt;alert\\(&quot;x&quot;\\)&lt;/script&gt;"
    assert report.esc("[click](http://x)") == "\\[click\\]\\(http://x\\)"


def test_styled_table_escapes_cells_columns_and_index():
    frame = pd.DataFrame({"name": ["<b>x</b>"], "<i>col</i>": [1]}, index=pd.Index(["<u>i</u>"]))
    html_text = report.styled(frame, index=True).to_html()
    assert "<b>x</b>" not in html_text and "&lt;b&gt;x&lt;/b&gt;" in html_text
    assert "<i>col</i>" not in html_text and "<u>i</u>" not in html_text


def test_styled_formats_money_percent_and_whole_numbers():
    frame = pd.DataFrame({"revenue": [1234567.8], "share": [0.1234], "orders": [12.0], "days": [3.25]})
    html_text = report.styled(frame, money=("revenue",), pct=("share",), currency="CNY").to_html()
    assert "CNY 1,234,568" in html_text and "12.3%" in html_text and ">12<" in html_text and ">3.2<" in html_text


def test_same_table_gives_the_same_html():
    frame = pd.DataFrame({"a": [1, 2]})
    assert report.styled(frame).to_html() == report.styled(frame.copy()).to_html()


@pytest.mark.parametrize(
    ("name", "lang", "expected"), [("gross_profit", "en", "Gross profit"), ("gross_profit", "zh", "毛利"), ("Tier", "en", "Tier")]
)
def test_labels_read_as_words_or_translated(name, lang, expected):
    assert report.label(name, lang) == expected


def test_fmt_money():
    assert report.fmt_money(1234567.8, "CNY") == "CNY 1,234,568"
    assert report.fmt_money(float("nan")) == "–"


def test_translation_uses_the_domain_terms():
    assert i18n.tr("at risk", "zh") == "流失风险客户"
    assert i18n.tr("strategic cooperation", "zh") == "战略合作期"
    assert i18n.tr("unknown words", "zh") == "unknown words"
    assert i18n.tr("at risk", "en") == "at risk"
    frame = pd.DataFrame({"segment": ["champions", "hibernating"], "customers": [3, 4]})
    out = i18n.tr_values(frame, "zh")
    assert list(out["segment"]) == ["冠军客户", "沉睡客户"] and list(frame["segment"]) == ["champions", "hibernating"]


def test_unsupported_language_names_the_parameter():
    with pytest.raises(ParamsError, match="report.lang: 'fr' is not supported"):
        i18n.check_lang("fr")


def test_translate_figure_changes_titles_labels_and_legends():
    fig, ax = plt.subplots()
    ax.plot([1, 2], label="Revenue")
    ax.set_title("Monthly revenue and gross profit")
    ax.legend()
    i18n.translate_figure(fig, "zh")
    assert ax.get_title() == "月度销售收入与毛利"
    assert ax.get_legend().get_texts()[0].get_text() == "销售收入"
    plt.close(fig)


def test_keep_language_drops_the_other_languages_cells():
    nb = nbformat.v4.new_notebook()
    en = nbformat.v4.new_markdown_cell("## Whale curve")
    en.metadata["tags"] = ["lang-en"]
    zh = nbformat.v4.new_markdown_cell("## 鲸鱼曲线")
    zh.metadata["tags"] = ["lang-zh"]
    nb.cells = [en, zh, nbformat.v4.new_code_cell("x = 1")]
    assert [c.source for c in i18n.keep_language(nb, "zh").cells] == ["## 鲸鱼曲线", "x = 1"]


def test_sections_record_why_a_section_is_missing():
    sec = report.Sections()

    def thin():
        raise InsufficientDataError("region: one customer; needs at least two")

    assert sec.compute("ok", lambda: 3) == 3
    assert sec.compute("thin", thin) is None
    assert sec.unavailable == {"thin": "region: one customer; needs at least two"}
    with pytest.raises(InsufficientDataError, match="one customer"):
        sec.table("thin")
    with pytest.raises(ZeroDivisionError):
        sec.compute("bug", lambda: 1 / 0)  # a bug is not hidden


def test_toc_links_every_h2_after_the_title():
    page = '<div><h1 id="T">T<a class="anchor-link" href="#T">¶</a></h1></div><h2 id="A-b">A b<a class="anchor-link" href="#A-b">¶</a></h2><h2 id="C">C<a class="anchor-link" href="#C">¶</a></h2>'
    out = add_toc(page)
    assert '<nav class="report-toc" id="contents">' in out
    assert out.index("report-toc") < out.index('<h2 id="A-b">')
    assert '<a href="#A-b">A b</a>' in out and '<a href="#C">C</a>' in out


def test_executive_summary_publishes_its_figures(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    figures = pd.DataFrame(
        {
            "figure": ["Revenue", "Customers at risk"],
            "value": [120.0, 7.0],
            "previous": [100.0, np.nan],
            "unit": ["money", "count"],
            "good": ["up", "down"],
        }
    )
    report.executive_summary(figures, ["Visit the 7 customers at risk"], notebook="00_overview_region")
    bundle = shown[0]
    assert "▲ +20 (+20.0%) vs last quarter" in bundle["text/html"]
    rows = bundle[report.HEADLINE_MIME]["rows"]
    assert rows[0] == {
        "notebook": "00_overview_region",
        "figure": "Revenue",
        "value": 120.0,
        "previous": 100.0,
        "unit": "money",
        "good": "up",
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

    from custlib.data import peer_quarterly
    from custlib.periods import Quarter
    from custlib.runner import prepare_regions
    from custlib.validate import validate_source

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
    """custlib.worker.to_html does what nbconvert's BeautifulSoup pass did, with markup the template wrote."""
    import re

    from custlib.worker import to_html

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
