"""Messages, numbers and tables as a reader sees them (custlib.present)."""

from __future__ import annotations

import pandas as pd
import pytest

from custlib.exceptions import ParamsError
from custlib.present.catalogue import untranslated
from custlib.present.messages import DOMAINS, Messages, domain_of
from custlib.present.numbers import Formatter
from custlib.present.tables import table_html


def test_formatter_writes_amounts_with_separators_in_english_and_wan_yi_in_chinese():
    en, zh = Formatter("en", "CNY"), Formatter("zh", "CNY")
    assert en.money(1234567.8) == "CN¥1,234,568"
    assert zh.money(1234567.8) == "¥123.5万"
    assert zh.money(123456789) == "¥1.2亿"
    assert zh.money(9999) == "¥9,999"
    assert en.money(-950) == "-CN¥950"
    assert Formatter("en", "GBP").money(12345) == "£12,345"
    assert en.integer(123456) == "123,456" and zh.integer(123456) == "12.3万"
    assert en.percent(0.1234) == "12.3%" and en.percent(-0.05, signed=True) == "-5.0%"
    assert en.number(3.14159, 2, signed=True) == "+3.14"
    assert en.date("2026-09-30") == zh.date("2026-09-30") == "2026-09-30"
    assert zh.month("2026-09-01") == "2026年9月" and en.month("2026-09-01") == "Sep 2026"
    assert en.money(float("nan")) == "–" and zh.integer(None) == "–"


def test_a_moment_reads_to_the_minute_in_both_languages():
    assert Formatter("en").datetime("2026-11-24T08:05:59") == Formatter("zh").datetime("2026-11-24T08:05:59") == "2026-11-24 08:05"
    assert Formatter("en").datetime(None) == "–"


def test_points_are_a_message_in_each_language():
    assert Formatter("en").points(0.05) == "+5.0 pt"
    assert Formatter("zh").points(-0.021) == "-2.1 个百分点"


def test_a_change_keeps_its_sign_and_one_that_rounds_to_zero_has_none():
    """Signs follow the value as written: a fall keeps its minus, a rise its plus, and a change that rounds to zero
    at the digits shown reads 0.0 (never "+0.0 pt" or "-0.0%")."""
    en, zh = Formatter("en", "CNY"), Formatter("zh", "CNY")
    assert en.points(-0.0004) == "0.0 pt" and en.points(0.0004) == "0.0 pt" and en.points(-0.0) == "0.0 pt"
    assert en.points(-0.0006) == "-0.1 pt" and en.points(0.0006) == "+0.1 pt"
    assert zh.points(-0.0004) == "0.0 个百分点"
    assert en.percent(-0.00004, signed=True) == "0.0%" and en.percent(0.00004, signed=True) == "0.0%"
    assert en.percent(-0.0006, signed=True) == "-0.1%"
    assert en.money(-0.4, signed=True) == "CN¥0" and en.money(0.4, signed=True) == "CN¥0" and en.money(-0.6, signed=True) == "-CN¥1"
    assert en.number(-0.004, 2, signed=True) == "0.00" and en.number(-0.006, 2, signed=True) == "-0.01"
    assert en.integer(-0.4, signed=True) == "0" and en.integer(-3, signed=True) == "-3" and en.integer(3, signed=True) == "+3"
    assert en.integer(-3) == "-3" and en.integer(3) == "3"
    assert zh.integer(-123456) == "-12.3万" and zh.money(-123456, signed=True) == "-¥12.3万"


def test_axis_ticks_use_the_table_rules_in_chinese_and_compact_units_in_english():
    assert Formatter("zh", "CNY").axis("money")(4_500_000) == "¥450万"
    assert Formatter("en", "CNY").axis("money")(4_500_000) == "CN¥4.5M"


def test_messages_fill_placeholders_and_plural_forms():
    en, zh = Messages("en", "custlib"), Messages("zh", "custlib")
    one, many = "{n} customer ordered in the quarter", "{n} customers ordered in the quarter"
    assert en.ngettext(one, many, 1) == "1 customer ordered in the quarter"
    assert en.ngettext(one, many, 3) == "3 customers ordered in the quarter"
    assert zh.ngettext(one, many, 3) == "本季度有 3 家客户下单"
    assert zh.gettext("*Not available:* {reason}", reason="x") == "*暂无结果：* x"


def test_a_report_name_from_the_parameters_comes_before_the_catalogue():
    zh = Messages("zh", "custlib", extra={"Widget line": "小部件产品线"})
    assert zh.gettext("Widget line") == "小部件产品线"
    assert Messages("zh", "custlib").gettext("Widget line") == "Widget line"


@pytest.mark.parametrize(
    ("region", "chinese"),
    [("North", "华北"), ("East", "华东"), ("South", "华南"), ("Southwest", "西南"), ("Central", "华中"), ("Northeast", "东北")]
    + [("Northwest", "西北"), ("Southeast", "东南")],
)
def test_the_samples_regions_have_their_chinese_names(region, chinese):
    assert Messages("zh", "custlib").region(region) == chinese
    assert Messages("en", "custlib").region(region) == region


def test_a_region_the_catalogue_does_not_know_reads_as_it_is():
    zh = Messages("zh", "custlib")
    assert zh.region("Zürich") == "Zürich"
    assert zh.region("Region") == "Region"  # a word of the catalogue, but not a region's name (context "region")
    assert zh.gettext("Region") == "区域"


def test_every_named_region_of_the_sample_has_a_chinese_name():
    from custlib.io.sample import region_names

    zh = Messages("zh", "custlib")
    assert [r for r in region_names(8) if zh.region(r) == r] == []


def test_unknown_language_or_domain_is_refused():
    with pytest.raises(ParamsError, match="report.lang"):
        Messages("fr", "custlib")
    with pytest.raises(ValueError, match="domain"):
        Messages("en", "nonsense")


def test_domain_of_a_source_file_is_its_analysis():
    assert domain_of("custlib/present/segmentation.py") == "segmentation"
    assert domain_of("custlib/analysis/clv/bgnbd.py") == "clv"
    assert domain_of("custlib/reports/context.py") == "custlib"


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_message_the_code_uses_has_a_chinese_translation(domain):
    missing = untranslated("zh", domain)
    assert not missing, f"{len(missing)} messages of {domain!r} lack a Chinese translation (run `make messages`): {missing[:10]}"


def test_table_cells_and_headers_are_escaped_and_formatted_by_kind():
    frame = pd.DataFrame({"<b>name</b>": ["<script>x</script>"], "Revenue": [1234567.0], "Share": [0.25]})
    html = table_html(frame, Formatter("zh", "CNY"), {"Revenue": "money", "Share": "percent"})
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;name" in html
    assert "¥123.5万" in html and "25.0%" in html


def test_the_same_table_gives_the_same_html_with_its_index_escaped():
    frame = pd.DataFrame({"a": [1, 2]}, index=pd.Index(["<u>i</u>", "j"]))
    html = table_html(frame, Formatter("en"), index=True)
    assert html == table_html(frame.copy(), Formatter("en"), index=True)
    assert "<u>" not in html and "&lt;u&gt;i&lt;/u&gt;" in html
