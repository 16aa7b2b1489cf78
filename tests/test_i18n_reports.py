"""Chinese reports: real glyphs, Chinese headings, titles and table headers in every analysis."""

import re
import warnings
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from custlib.reports import context as report  # noqa: E402
from custlib.run.runner import list_notebooks  # noqa: E402

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_report_style_draws_chinese_with_a_real_font():
    assert report.cjk_font_path() is not None, "the pinned mplfonts package ships Noto Sans CJK SC"
    with warnings.catch_warnings():
        report.use_report_style()
        fig, ax = plt.subplots()
        ax.set_title("客户价值金字塔 — 华东")
        fig.canvas.draw()  # raises if a glyph is missing: use_report_style makes that warning an error
        plt.close(fig)


def test_a_missing_glyph_is_an_error_not_an_empty_box():
    with warnings.catch_warnings():
        report.use_report_style()
        plt.rcParams["font.family"] = ["DejaVu Sans"]  # a font without Chinese glyphs
        fig, ax = plt.subplots()
        ax.set_title("客户")
        with pytest.raises(UserWarning, match="missing from"):
            fig.canvas.draw()
        plt.close(fig)
    matplotlib.rcdefaults()


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.h2, self.th, self.lang = [], [], [], ""

    def handle_starttag(self, tag, attrs):
        if tag == "html":
            self.lang = dict(attrs).get("lang", "")
        self.stack.append(tag)
        if tag in ("h2", "th"):
            (self.h2 if tag == "h2" else self.th).append("")

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data):
        if "h2" in self.stack and self.h2:
            self.h2[-1] += data
        elif "th" in self.stack and "thead" in self.stack and self.th:
            self.th[-1] += data


@pytest.fixture(scope="module")
def zh_reports(tmp_path_factory):
    from custlib.io.sample import generate_sample
    from custlib.run.runner import render

    root = tmp_path_factory.mktemp("zh")
    generate_sample(root / "data", customers=600, regions=2, seed=42)
    return render(root / "data", regions="east", out=root / "out", sets=["report.lang=zh"], progress=False)


@pytest.mark.e2e
def test_every_chinese_report_renders_with_real_glyphs(zh_reports):
    assert len(zh_reports.outcomes) == len(list_notebooks())
    assert not zh_reports.failed, [(o.notebook, o.error) for o in zh_reports.failed]


@pytest.mark.e2e
@pytest.mark.parametrize("notebook", [p.stem for p in list_notebooks()])
def test_chinese_report_has_chinese_title_headings_and_table_headers(zh_reports, notebook):
    from pathlib import Path

    page = _Page()
    text = (Path(zh_reports.out_dir) / "east" / f"{notebook}.html").read_text(encoding="utf-8")
    page.feed(text)
    assert page.lang == "zh"
    title = re.search(r"<title>(.*?)</title>", text).group(1)
    assert CJK.search(title) and "华东" in title
    assert page.h2, "the report has sections"
    english_headings = [h for h in page.h2 if not CJK.search(h)]
    assert not english_headings, f"headings not in Chinese: {english_headings}"
    allowed = re.compile(r"^[\s\d\W]*$|^\d{4}Q\d$|^(RFM|ABC|CLV|AUC|MASE|ROI|NPV|[ABC]|R|F|M|ID)$")
    headers = [h.strip() for h in page.th if h.strip()]
    english_headers = [h for h in headers if not CJK.search(h) and not allowed.match(h)]
    assert len(english_headers) <= max(2, len(headers) // 20), f"table headers not in Chinese: {english_headers[:20]}"


@pytest.mark.e2e
def test_the_index_and_the_roll_up_speak_the_runs_language(zh_reports):
    from pathlib import Path

    qdir = Path(zh_reports.out_dir)
    for name in ("index.html", "rollup.html"):
        text = (qdir / name).read_text(encoding="utf-8")
        page = _Page()
        page.feed(text)
        assert page.lang == "zh", name
        assert CJK.search(re.search(r"<title>(.*?)</title>", text).group(1)), name
        english = [h for h in page.th if h.strip() and not CJK.search(h)]
        assert not english, f"{name}: column headers not in Chinese: {english}"
        visible = re.sub(r"<style>.*?</style>|<[^>]+>", " ", text, flags=re.S)
        for word in ("Generated", "Region", "Report", "Figure", "Compare regions", "All reports", "succeeded"):
            assert word not in visible, f"{name}: {word!r} left in English"
    index = (qdir / "index.html").read_text(encoding="utf-8")
    assert "华东" in index and "区域概览" in index and "成功" in index
    rollup = (qdir / "rollup.html").read_text(encoding="utf-8")
    page = _Page()
    page.feed(rollup)
    assert page.h2 and all(CJK.search(h) for h in page.h2), page.h2
    figures = re.findall(r"<tr><th>(.*?)</th>", rollup)
    assert figures and all(CJK.search(f) for f in figures), [f for f in figures if not CJK.search(f)]


@pytest.mark.e2e
def test_a_case_the_client_added_is_named_in_chinese_in_the_chinese_report(tmp_path):
    """A region's params add a make-vs-buy case with label_zh: the Chinese report names it so, nowhere in English."""
    import copy
    import shutil
    from pathlib import Path

    import yaml
    from conftest import tiny_tables, write_tables

    from custlib.io.params import load_params
    from custlib.run.runner import render

    root = Path(__file__).resolve().parent.parent
    params = tmp_path / "params"
    shutil.copytree(root / "params", params)
    case = copy.deepcopy(load_params("East", params)["makebuy"]["example_cases"]["sensor_kit"])
    case.update(label="Pump controller retrofit", label_zh="泵控制器改造")
    (params / "regions" / "east.yaml").write_text(yaml.safe_dump({"makebuy": {"cases": {"pump_retrofit": case}}}, allow_unicode=True))
    data = write_tables(tiny_tables(), tmp_path / "data")
    res = render(
        data,
        regions="east",
        notebooks="04_compare_make_vs_buy",
        out=tmp_path / "out",
        sets=["report.lang=zh"],
        params_dir=params,
        progress=False,
    )
    assert not res.failed, [(o.notebook, o.error) for o in res.failed]
    text = (Path(res.out_dir) / "east" / "04_compare_make_vs_buy.html").read_text(encoding="utf-8")
    assert text.count("泵控制器改造") >= 3  # summary table, charts' titles, recommendation
    assert "Pump controller retrofit" not in text


@pytest.mark.e2e
def test_every_chinese_page_embeds_a_font_with_each_character_it_shows(zh_reports):
    """Chinese reads right on a machine without a CJK font: each page carries its own subset (issue 17)."""
    import base64
    import io
    from pathlib import Path

    from fontTools.ttLib import TTFont

    from custlib.present.fonts import FAMILY, cjk_characters

    qdir = Path(zh_reports.out_dir)
    pages = sorted(qdir.glob("east/*.html")) + [qdir / "index.html", qdir / "rollup.html"]
    for path in pages:
        text = path.read_text(encoding="utf-8")
        found = re.search(
            r'@font-face \{ font-family: "' + re.escape(FAMILY) + r'"; src: url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)', text
        )
        assert found, f"{path.name}: no embedded font"
        mapped = set(TTFont(io.BytesIO(base64.b64decode(found.group(1)))).getBestCmap())
        visible = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
        missing = [c for c in cjk_characters(visible) if ord(c) not in mapped]
        assert not missing, f"{path.name}: characters without a glyph in the embedded font: {''.join(missing)}"
