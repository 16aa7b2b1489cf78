"""Chinese reports as a reader gets them: the same page however the runner schedules it, and no English word in it.

Both tests render the sample data (600 customers in the six sample regions) in Chinese
(``--set report.lang=zh``) with the runner, as ``custlib render`` does.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from custlib.run.runner import list_notebooks, render

ZH = ["report.lang=zh"]

#: Words of ASCII letters a Chinese report may show: the technical abbreviations the field writes in Latin letters.
ALLOWED = {
    *("ABC", "RFM", "BG", "NBD", "CLV", "KPI", "AUC", "MASE", "Gini", "Gamma", "pt"),  # model and measure names
    *("A", "B", "C"),  # the ABC classes (A 类, B 类, C 类)
    *("R", "F", "M"),  # the RFM score letters of the segment grid (R5, F3: recency, frequency, money scores)
    "ROI",  # 投入回报率（ROI）, development's campaign forecast
    *("ETS", "ARIMA", "SARIMAX"),  # the revenue forecast's models: 指数平滑（ETS）, 季节性 ARIMA（SARIMAX）
    *("Excel", "CSV"),  # the action lists' file formats, as Chinese users name them: Excel 工作簿, CSV 表格
}
#: Technical names of more than one word, removed before the text is split into words.
ALLOWED_TERMS = ("k-means",)  # 用 k-means 按购买方式给客户分组 (segmentation's behavioural clusters)


class _Visible(HTMLParser):
    """The text a reader sees: not tags or attributes, not <script> or <style>.

    <code> is skipped too: it holds names an analyst types (``segmentation.window_months``), not words.
    """

    SKIP = ("script", "style", "code")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def visible_text(page: Path) -> str:
    parser = _Visible()
    parser.feed(page.read_text(encoding="utf-8"))
    return " ".join(parser.parts)


def english_words(text: str) -> set[str]:
    """Runs of ASCII letters standing alone: ``2026Q3``, ``B2B`` or ``P011`` are codes joined to digits, not words."""
    for term in ALLOWED_TERMS:
        text = text.replace(term, " ")
    return {tok for tok in re.findall(r"[A-Za-z0-9]+", text) if tok.isalpha()}


def data_values(data: Path) -> re.Pattern:
    """A pattern matching the sample's data values where they stand alone: customer names, region and industry
    values, product ids and names. They are removed from a page's text as whole values (longest first), so that
    a word of one (``of`` in "Hex nuts M12 (box of 100)") does not pass elsewhere."""
    customers = pd.read_parquet(data / "customers.parquet", columns=["name", "region", "industry"])
    products = json.loads((data / "planted.json").read_text(encoding="utf-8"))["products"]
    values = {*customers.stack().dropna().astype(str), *(p["product_id"] for p in products), *(p["name"] for p in products)}
    alternatives = "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True) if v.strip())
    return re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])")


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    from custlib.io.sample import generate_sample

    data = tmp_path_factory.mktemp("language") / "data"
    generate_sample(data, customers=600, regions=6, seed=42)
    return data


@pytest.mark.slow
@pytest.mark.e2e
def test_a_chinese_report_is_the_same_made_after_the_others_in_one_worker_or_made_alone(sample, tmp_path):
    """East's five reports one after another in one worker (``jobs=1``: one worker process, one shell, reset
    between notebooks), then each notebook alone in a fresh render (a new worker): the pages are equal byte for byte.

    A report page embeds no timestamp or run id (the index and the manifest do, and are not compared), so
    the bytes are compared as they are: whatever one notebook leaves behind in the worker (language, report
    names, matplotlib settings, caches) would show as a difference in the next one's page.
    """
    notebooks = list_notebooks()
    together = render(sample, regions="east", out=tmp_path / "together", jobs=1, sets=ZH, progress=False)
    assert not together.failed, [(o.notebook, o.error) for o in together.failed]
    assert [o.notebook for o in together.outcomes] == [p.stem for p in notebooks]
    for nb in notebooks:
        alone = render(sample, regions="east", notebooks=nb.stem, out=tmp_path / f"alone-{nb.stem}", jobs=1, sets=ZH, progress=False)
        assert not alone.failed, (nb.stem, alone.failed[0].error if alone.failed else "")
        a = (Path(together.out_dir) / "east" / f"{nb.stem}.html").read_bytes()
        b = (Path(alone.out_dir) / "east" / f"{nb.stem}.html").read_bytes()
        at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
        assert a == b, (
            f"{nb.stem}: the page made after the other notebooks differs from the one made alone at byte {at}:\n"
            f"together: {a[max(0, at - 120) : at + 120]!r}\nalone:    {b[max(0, at - 120) : at + 120]!r}"
        )


@pytest.fixture(scope="module")
def zh_everywhere(sample, tmp_path_factory):
    return render(sample, regions="all", out=tmp_path_factory.mktemp("zh-all") / "out", jobs=2, sets=ZH, progress=False)


@pytest.mark.slow
@pytest.mark.e2e
def test_no_english_word_in_any_chinese_page(sample, zh_everywhere):
    """Every page of a Chinese run (each region's reports, the index, the roll-up): the words of ASCII letters in its
    visible text, less the data's own values (:func:`data_values`) and the allowed abbreviations (:data:`ALLOWED`),
    must be none."""
    res = zh_everywhere
    assert not res.failed, [(o.slug, o.notebook, o.error) for o in res.failed]
    pages = sorted(Path(res.out_dir).rglob("*.html"))
    n_regions = len(json.loads((sample / "planted.json").read_text(encoding="utf-8"))["regions"])
    assert len(pages) == n_regions * len(list_notebooks()) + 2, "every report, the index and the roll-up"
    values = data_values(sample)
    leaks = {}
    for page in pages:
        words = english_words(values.sub(" ", visible_text(page))) - ALLOWED
        if words:
            leaks[page.relative_to(res.out_dir).as_posix()] = sorted(words)
    assert not leaks, "English words in Chinese pages:\n" + "\n".join(f"{page}: {', '.join(w)}" for page, w in leaks.items())


def test_the_word_check_finds_english_and_lets_codes_data_and_abbreviations_pass(tmp_path):
    """The checks above can fail: a page with one English word in a sentence, beside everything that may pass."""
    page = tmp_path / "p.html"
    page.write_text(
        "<html><head><title>报告</title><style>.x{color:red}</style><script>var hidden = 1;</script></head>"
        '<body><p class="lead">共 3 家客户 (Customers)，2026Q3，B2B，P011，A 类，BG/NBD，k-means</p>'
        "<p>参数 <code>segmentation.window_months</code>，华东 East Customer 7</p></body></html>",
        encoding="utf-8",
    )
    words = english_words(visible_text(page))
    assert words == {"Customers", "A", "BG", "NBD", "East", "Customer"}
    assert words - ALLOWED - {"East", "Customer"} == {"Customers"}
