"""Old home of the lifetime value analysis: re-exports only (the lead deletes it after the merge).

The analysis lives in :mod:`custlib.analysis.clv` (one model per module), its
tables and charts in :mod:`custlib.present.clv` with the ``clv`` message
catalogue. This module keeps ``custlib.development`` (which imports it) working
until that is rewired: the old names, :func:`plot_holdout_check` with English
text, and the old Chinese terms and patterns registered in
:mod:`custlib.present.i18n`, which the development report still translates
its charts and reasons with.
"""

from __future__ import annotations

from custlib.analysis.clv import (
    FIT_SAMPLE,
    BetaGeoModel,
    GammaGammaModel,
    LifetimeValueResult,
    calibration_holdout_summary,
    customer_lifetime_value,
    fit_bgnbd,
    fit_gamma_gamma,
    holdout_check,
    lifetime_value_analysis,
    lifetime_value_table,
    one_blas_thread,
    rfm_summary,
    sample_rows,
)
from custlib.present.messages import Messages
from custlib.present.numbers import Formatter

__all__ = [
    "FIT_SAMPLE",
    "BetaGeoModel",
    "GammaGammaModel",
    "LifetimeValueResult",
    "calibration_holdout_summary",
    "customer_lifetime_value",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "holdout_check",
    "lifetime_value_analysis",
    "lifetime_value_table",
    "plot_holdout_check",
    "rfm_summary",
    "sample_rows",
]

_one_blas_thread = one_blas_thread  # custlib.development imports the old private name


class _English:
    """The part of a report context the holdout chart uses, in English."""

    fmt = Formatter("en", "CNY")

    def messages(self, domain: str) -> Messages:
        return Messages("en", domain)


def plot_holdout_check(check, ax=None):
    """:func:`custlib.present.clv.holdout_chart` in English (the old signature; translated afterwards by i18n)."""
    from custlib.present.clv import holdout_chart

    return holdout_chart(check, _English(), ax=ax)


def _zh_register() -> None:
    from custlib.present import i18n

    terms = {
        "Holdout check: actual and predicted repeat purchases": "留出期检验：实际与预测的重复购买次数",
        "Predicted (BG/NBD)": "预测（BG/NBD）",
        "Repeat purchases before the holdout window": "留出期之前的重复购买次数",
        "Mean repeat purchases in the holdout window": "留出期内平均重复购买次数",
        "No holdout check: the history before the holdout window is too thin to fit the model on it.": (
            "没有留出期检验：留出期之前的历史太少，无法在其上拟合模型。"
        ),
        "T: every customer has age 0; nothing to fit": "T：每家客户的客户年龄都是 0；没有可拟合的数据",
        "frequency: no customer has a repeat purchase; the BG/NBD model cannot be fitted": "frequency：没有客户有重复购买；无法拟合 BG/NBD 模型",
        "monetary_value: every repeat customer has the same mean spend; the spread of spend cannot be estimated": (
            "monetary_value：所有重复购买客户的平均消费相同；无法估计消费的离散程度"
        ),
        "transactions: there are no orders to summarise": "transactions：没有可汇总的订单",
    }
    patterns = [
        (r"^frequency: the BG/NBD model needs at least two customers, got (\d+)$", r"frequency：BG/NBD 模型至少需要两家客户，现有 \1 家"),
        (
            r"^frequency: the Gamma-Gamma model needs at least three repeat customers, got (\d+)$",
            r"frequency：Gamma-Gamma 模型至少需要三家重复购买客户，现有 \1 家",
        ),
        (
            r"^transactions: no order on or before calibration_end (\d{4}-\d\d-\d\d)$",
            r"transactions：calibration_end（\1）之前没有订单",
        ),
        (
            r"^lifetime value: no orders up to (\d{4}-\d\d-\d\d), so there is no customer to model$",
            r"终身价值：截至 \1 没有订单，因此没有可建模的客户",
        ),
        (
            r"^transactions: total '(\w+)' up to (\d{4}-\d\d-\d\d) is not positive; no margin can be derived \(set margin in params\)$",
            r"transactions：截至 \2 的 '\1' 合计不为正；无法推算毛利率（请在参数中设置 margin）",
        ),
        (
            r"^lifetime value: ([\d,]+) customer\(s\) with orders up to (\d{4}-\d\d-\d\d), ([\d,]+) of them with a repeat purchase "
            r"\(orders on two or more days\) and a positive spend; the BG/NBD purchase model needs at least two customers, some with "
            r"repeat purchases, and the Gamma-Gamma spend model at least three repeat customers whose spend differs \((.+)\)$",
            lambda m: (
                f"终身价值：截至 {m[2]} 有订单的客户 {m[1]} 家，其中 {m[3]} 家有重复购买（在两天或以上有订单）且消费为正；"
                "BG/NBD 购买模型至少需要两家客户且其中有重复购买，Gamma-Gamma 消费金额模型至少需要三家消费不同的重复购买客户"
                f"（{i18n.tr(m[4], 'zh')}）"
            ),
        ),
        (
            r"^No holdout check: the history before (\d{4}-\d\d-\d\d) is too thin \((.+)\)\.?$",
            lambda m: f"没有留出期检验：{m[1]} 之前的历史太少（{i18n.tr(m[2], 'zh')}）。",
        ),
    ]
    i18n.register(terms=terms, patterns=patterns)


_zh_register()
