"""Report language: English (``en``) or Chinese (``zh``).

custlib computes in English: column names, category values (segments,
tiers, stages, market types), chart titles and labels. A Chinese report
translates them at the point of display, from one catalogue:

- :data:`TERMS` maps an exact English string to its Chinese form, using the
  terms an analyst in the field uses (see ``shared/DOMAIN.md``);
- :data:`PATTERNS` translates strings that carry numbers or names
  (``"peak 116% at 58% of customers"``) by regular expression.

Modules add their own entries with :func:`register` (at import time, which
only fills this catalogue). Narrative Markdown in a notebook is written
twice, in cells tagged ``lang-en`` and ``lang-zh``; the report keeps the
cells of its language only (:func:`keep_language`).
"""

from __future__ import annotations

import re

LANGS = ("en", "zh")

TERMS: dict[str, str] = {
    # regions
    "North": "华北",
    "East": "华东",
    "South": "华南",
    "Southwest": "西南",
    "Central": "华中",
    "Northeast": "东北",
    "Northwest": "西北",
    "Southeast": "东南",
    # common columns
    "customer_id": "客户编号",
    "name": "客户名称",
    "region": "区域",
    "industry": "行业",
    "size_band": "规模",
    "market_type": "市场类型",
    "customers": "客户数",
    "active_customers": "活跃客户数",
    "orders": "订单数",
    "revenue": "销售收入",
    "cost": "销售成本",
    "gross_profit": "毛利",
    "gross_margin": "毛利率",
    "net_profit": "净利润",
    "cost_to_serve": "服务成本",
    "visit_cost": "拜访成本",
    "logistics_cost": "物流成本",
    "support_cost": "支持成本",
    "discount_cost": "折扣成本",
    "share_of_revenue": "收入占比",
    "revenue_share": "收入占比",
    "revenue_per_customer": "客均收入",
    "quarter": "季度",
    "month": "月份",
    "figure": "指标",
    "change": "环比变化",
    "change_yoy": "同比变化",
    "tier": "层级",
    "segment": "细分群",
    "stage": "关系阶段",
    "share": "占比",
    "total": "合计",
    "value": "数值",
    "shown": "显示值",
    "implication": "含义",
    "reason": "原因",
    "evidence": "依据",
    "rank": "排名",
    # market types
    "consumer": "消费者市场",
    "producer": "产业市场",
    "reseller": "中间商市场",
    "government": "政府市场",
    "international": "国际市场",
    # size bands
    "small": "小型",
    "medium": "中型",
    "large": "大型",
    # RFM segments
    "champions": "冠军客户",
    "loyal": "忠诚客户",
    "potential loyalists": "潜在忠诚客户",
    "new": "新客户",
    "promising": "有潜力客户",
    "need attention": "需关注客户",
    "about to sleep": "即将沉睡客户",
    "at risk": "流失风险客户",
    "can't lose": "不能失去的客户",
    "hibernating": "沉睡客户",
    # loyalty and relationship stages
    "switcher": "品牌转换者",
    "no brand loyalty": "无品牌忠诚",
    "development": "开发期",
    "initial cooperation": "初步合作期",
    "stable cooperation": "稳定合作期",
    "strategic cooperation": "战略合作期",
    # make or buy
    "make": "自主开发",
    "buy": "外部采购",
    # overview
    "Region overview": "区域概览",
    "Customer segmentation": "客户分类",
    "Pareto diagnostics": "帕累托（二八法则）诊断",
    "Development forecast": "客户发展绩效预测",
    "Make vs buy": "自主开发与外部采购比较",
    "Monthly revenue and gross profit": "月度销售收入与毛利",
    "Revenue": "销售收入",
    "Gross profit": "毛利",
    "Net profit": "净利润",
}

PATTERNS: list[tuple[re.Pattern, object]] = [
    (re.compile(r"^Not available: (.*)$", re.S), r"暂无结果：\1"),
    # a change of a share, in percentage points (tables, the executive summary, the roll-up)
    (re.compile(r"^([+-][\d.,]+) pt$"), r"\1 个百分点"),
]


def register(terms: dict[str, str] | None = None, patterns: list[tuple[str, object]] | None = None) -> None:
    """Add catalogue entries (a module's own column names, labels and sentences).

    Parameters
    ----------
    terms : dict
        Exact English string -> Chinese.
    patterns : list of (regex, replacement)
        The regex must match the whole string; the replacement is a template
        (``r"共 \\1 家"``) or a function of the match (as :func:`re.sub` takes),
        e.g. to translate a nested reason with :func:`tr`.
    """
    TERMS.update(terms or {})
    for rx, repl in patterns or []:
        PATTERNS.append((re.compile(rx, re.S), repl))


#: Translations that belong to the report being made, not to the code: names a client wrote in
#: the parameters (e.g. a make-vs-buy case's ``label_zh``). :func:`custlib.reports.context.open_report`
#: empties it at the start of every report, so one report's names never reach the next one
#: made in the same warm worker; :func:`tr` looks here first.
REPORT_TERMS: dict[str, str] = {}


def add_report_terms(terms: dict[str, str]) -> None:
    """Translations for the current report only (see :data:`REPORT_TERMS`); empty values are ignored."""
    REPORT_TERMS.update({k: v for k, v in terms.items() if k and v})


def clear_report_terms() -> None:
    """Forget the previous report's own translations (called by :func:`custlib.reports.context.open_report`)."""
    REPORT_TERMS.clear()


def check_lang(lang: str) -> str:
    """``lang`` if supported; ValueError naming the parameter otherwise."""
    if lang not in LANGS:
        from custlib.exceptions import ParamsError

        raise ParamsError(f"report.lang: {lang!r} is not supported; expected one of {', '.join(LANGS)}")
    return lang


def tr(text, lang: str = "en"):
    """Translate one string for ``lang``; anything not in the catalogue is returned unchanged."""
    if lang == "en" or not isinstance(text, str) or not text:
        return text
    hit = REPORT_TERMS.get(text) or TERMS.get(text)
    if hit is not None:
        return hit
    stripped = text.strip()
    if stripped != text and stripped in TERMS:
        return text.replace(stripped, TERMS[stripped])
    for rx, repl in PATTERNS:
        if rx.fullmatch(text):
            return rx.sub(repl, text)
    return text


def tr_frame(frame, lang: str = "en"):
    """A copy of ``frame`` with column names, index labels and text cells translated."""
    if lang == "en":
        return frame
    import pandas as pd

    out = frame.rename(columns=lambda c: tr(c, lang) if isinstance(c, str) else c)
    if isinstance(out.index, pd.MultiIndex) or out.index.dtype == object or pd.api.types.is_string_dtype(out.index):
        out = out.rename(index=lambda c: tr(c, lang) if isinstance(c, str) else c)
        if out.index.name:
            out.index.name = tr(out.index.name, lang)
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_string_dtype(s) or s.dtype == object or isinstance(s.dtype, pd.CategoricalDtype):
            out[col] = s.map(lambda v: tr(v, lang) if isinstance(v, str) else v, na_action="ignore")
    return out


def tr_values(frame, lang: str = "en"):
    """A copy of ``frame`` with text cells and text index labels translated (column names are left as they are)."""
    if lang == "en":
        return frame
    import pandas as pd

    out = frame.copy()
    if not isinstance(out.index, pd.MultiIndex) and (out.index.dtype == object or pd.api.types.is_string_dtype(out.index)):
        out.index = out.index.map(lambda v: tr(v, lang) if isinstance(v, str) else v)
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_string_dtype(s) or s.dtype == object or isinstance(s.dtype, pd.CategoricalDtype):
            out[col] = s.astype(object).map(lambda v: tr(v, lang) if isinstance(v, str) else v)
    return out


def translate_figure(fig, lang: str = "en") -> None:
    """Translate every text of a matplotlib figure in place (titles, labels, ticks, legends, notes)."""
    if lang == "en":
        return
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        t = text.get_text()
        new = tr(t, lang)
        if new != t:
            text.set_text(new)


def keep_language(nb, lang: str):
    """Drop Markdown cells tagged for another language (``lang-en``/``lang-zh``); returns ``nb``."""
    other = {f"lang-{x}" for x in LANGS if x != lang}
    nb.cells = [c for c in nb.cells if not other & set(c.get("metadata", {}).get("tags", []))]
    return nb
