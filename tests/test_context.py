"""What a report notebook calls: one analysis step, shown or said unavailable, in the report's language."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from custlib.exceptions import InsufficientDataError  # noqa: E402
from custlib.io.periods import Quarter  # noqa: E402
from custlib.present.tables import TableView  # noqa: E402
from custlib.reports.context import HEADLINE_MIME, ReportContext  # noqa: E402
from custlib.reports.sections import Unavailable  # noqa: E402


@pytest.fixture
def shown(monkeypatch):
    """Everything the context displays, as (kind, payload)."""
    import IPython.display as disp

    out = []

    def fake(obj, raw=False, **_):
        if raw:
            out.append(("raw", obj))
        elif isinstance(obj, disp.Markdown):
            out.append(("md", obj.data))
        elif isinstance(obj, disp.HTML):
            out.append(("html", obj.data))
        else:
            out.append(("other", obj))

    monkeypatch.setattr(disp, "display", fake)
    return out


def context(lang="en", currency="CNY"):
    return ReportContext("East", Quarter.parse("2026Q3"), {"report": {"currency": currency, "lang": lang}}, data=None, lang=lang)


def thin(n):
    raise InsufficientDataError(f"needs 2 customers, found {n}", code="too_few_customers", needed=2, found=n)


def test_compute_returns_the_result_or_an_unavailable_with_the_reason_code():
    ctx = context()
    assert ctx.compute(lambda x: x + 1, 1) == 2
    r = ctx.compute(thin, 1)
    assert isinstance(r, Unavailable) and not r and r.code == "too_few_customers" and r.fields == {"needed": 2, "found": 1}
    assert "found 1" in r.message


def test_a_step_fed_an_unavailable_input_is_unavailable_without_running():
    ctx = context()
    first = ctx.compute(thin, 1)
    ran = []
    assert ctx.compute(lambda x: ran.append(x), first) is first
    assert ctx.compute(lambda x=None: ran.append(x), x=first) is first
    assert ran == []


def test_a_bug_is_not_hidden_as_unavailable():
    with pytest.raises(ZeroDivisionError):
        context().compute(lambda: 1 / 0)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "*Not available:* It needs at least 2 customers; the region has 1."),
        ("zh", "*暂无结果：* 至少需要 2 家客户，本区域只有 1 家。"),
    ],
)
def test_show_says_why_a_step_is_missing_in_the_reports_language(shown, lang, expected):
    ctx = context(lang)
    ctx.show(ctx.compute(thin, 1), lambda r, c: TableView(r))
    assert shown == [("md", expected)]


def test_show_formats_the_view_by_kind_in_the_reports_locale(shown):
    ctx = context("zh")
    frame = pd.DataFrame({"c": ["<b>x</b>"], "v": [1234567.0]})
    ctx.show(frame, lambda f, c: TableView(f.rename(columns={"c": "客户", "v": "销售收入"}), {"销售收入": "money"}))
    ((kind, html),) = shown
    assert kind == "html" and "¥123.5万" in html and "&lt;b&gt;x&lt;/b&gt;" in html and "销售收入" in html


def test_show_of_an_empty_table_says_so(shown):
    context("en").show(pd.DataFrame({"a": []}))
    assert shown == [("md", "_No rows to show._")]


def test_plot_draws_only_what_is_available(shown, monkeypatch):
    import matplotlib.pyplot as plt

    monkeypatch.setattr(plt, "show", lambda: None)
    ctx = context()
    calls = []
    assert ctx.plot(ctx.compute(thin, 0), lambda r, c: calls.append(r)) is None
    assert calls == [] and shown[0][0] == "md"
    ctx.plot(5, lambda r, c: calls.append(r))
    assert calls == [5]


def test_summary_shows_values_changes_and_publishes_labels_in_every_language(shown):
    ctx = context("zh", "CNY")
    figures = pd.DataFrame(
        [
            {"figure": "Executive summary", "value": 1_500_000.0, "previous": 1_000_000.0, "unit": "money"},
            {"figure": "Executive summary", "value": 0.30, "previous": 0.25, "unit": "pct", "good": "down"},
            {"figure": "Executive summary", "value": 7, "previous": 7, "unit": "count"},
        ]
    )
    ctx.summary(figures, ["<b>act</b>"], notebook="00_x", domain="custlib")
    ((kind, bundle),) = shown
    html = bundle["text/html"]
    assert "¥150万" in html and "较上季度 +¥50万 (+50.0%)" in html
    assert "较上季度 +5.0 个百分点" in html and 'class="delta down"' in html  # a rise where down is good
    assert 'class="delta flat"' in html  # unchanged: neutral
    rows = bundle[HEADLINE_MIME]["rows"]
    assert rows[0]["labels"] == {"en": "Executive summary", "zh": "摘要"} and rows[0]["value"] == 1_500_000.0


@pytest.mark.parametrize(("lang", "region"), [("en", "**Region:** East"), ("zh", "**区域：** 华东")])
def test_header_names_the_region_in_the_reports_language(shown, lang, region):
    from types import SimpleNamespace

    tx = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2026-08-01"]), "revenue": [1.0]})
    data = SimpleNamespace(customers=pd.DataFrame({"customer_id": ["a", "b"]}), transactions=tx)
    ReportContext("East", Quarter.parse("2026Q3"), {"report": {"lang": lang}}, data=data, lang=lang).header()
    ((kind, text),) = shown
    assert kind == "md" and text.startswith(region) and "2026-07-01" in text
