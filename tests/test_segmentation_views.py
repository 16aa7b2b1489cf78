"""Segmentation as a reader sees it (custlib.present.segmentation): labels, headers, kinds, charts, the migration sentence."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib
import numpy as np
import pandas as pd
import pytest

from custlib.analysis import segmentation as seg
from custlib.present import segmentation as views
from custlib.present.messages import Messages
from custlib.present.numbers import Formatter

matplotlib.use("Agg")


@dataclass
class Ctx:
    """The parts of a ReportContext a view uses."""

    lang: str = "en"
    currency: str = "CNY"

    @property
    def fmt(self):
        return Formatter(self.lang, self.currency)

    def messages(self, domain):
        return Messages(self.lang, domain)


TIERS = ["platinum", "gold", "iron", "lead"]


def _tiers():
    prev = pd.Series({"a": "platinum", "b": "gold", "c": "lead", "d": "gold", "f": "iron"})
    cur = pd.Series({"a": "gold", "b": "gold", "c": "iron", "e": "lead", "f": "lead"})
    return seg.transition_matrix(prev, cur, order=TIERS)


def test_migration_counts_read_above_the_diagonal_as_moved_down():
    # rows = last quarter, columns = this quarter, best first: platinum -> gold sits above the diagonal
    m = _tiers()
    assert m.loc["platinum", "gold"] == 1 and m.index.get_loc("platinum") < m.columns.get_loc("gold")
    counts = seg.migration_counts(m)
    assert counts.to_dict() == {"moved_up": 1, "stayed": 1, "moved_down": 2, "new": 1, "gone": 1}


def test_migration_sentence_agrees_with_its_table():
    counts = seg.migration_counts(_tiers())
    en = views.migration_sentence(counts, Ctx("en"))
    assert "1 moved up (below the diagonal), 2 moved down (above the diagonal) and 1 stayed" in en
    zh = views.migration_sentence(counts, Ctx("zh"))
    assert "1 家上升（对角线以下），2 家下降（对角线以上）" in zh


def test_migration_view_labels_tiers_and_blanks_empty_cells():
    tv = views.migration_view(_tiers(), Ctx("zh"), classes="tier")
    assert list(tv.frame.columns) == ["上季度 \\ 本季度", "铂金层", "黄金层", "铁层", "铅层", "（无）"]
    assert tv.frame.iloc[0, 0] == "铂金层" and pd.isna(tv.frame.iloc[0, 1]) and tv.frame.iloc[0, 2] == 1
    assert tv.kinds["铅层"] == "integer"


def test_rfm_view_labels_segments_and_names_money_columns():
    summary = pd.DataFrame(
        {"customers": [2, 1], "customer_share": [2 / 3, 1 / 3], "revenue": [300.0, 50.0], "revenue_share": [0.857, 0.143]},
        index=pd.Index(["champions", "can't lose"], name="segment"),
    )
    tv = views.rfm_view(summary, Ctx("zh"))
    assert list(tv.frame["RFM 细分群"]) == ["冠军客户", "不能失去的客户"]
    assert tv.kinds["销售收入"] == "money" and tv.kinds["客户占比"] == "percent"
    assert views.rfm_view(summary, Ctx("en")).frame["RFM segment"].tolist() == ["Champions", "Can't lose"]


def test_clusters_view_words_the_traits_in_either_language():
    assert views.cluster_words((("revenue", "high"), ("orders", "high")), Messages("en", "segmentation")) == "large, frequent buyers"
    assert views.cluster_words((("revenue", "high"), ("orders", "high")), Messages("zh", "segmentation")) == "大额、高频的客户"
    assert views.cluster_words((), Messages("zh", "segmentation")) == "一般客户"


def test_cluster_traits_are_codes_strongest_first():
    z = pd.Series({"revenue": 0.6, "orders": -1.2, "margin": 0.1})
    assert seg.cluster_traits(z) == (("orders", "low"), ("revenue", "high"))


def test_at_risk_view_keeps_names_as_data_and_labels_codes():
    risk = pd.DataFrame(
        {
            "name": ["<b>Acme</b>"],
            "tier": ["gold"],
            "abc": ["A"],
            "segment": ["at risk"],
            "revenue": [1000.0],
            "revenue_prior": [2000.0],
            "last_order": [pd.Timestamp("2026-05-01").date()],
        },
        index=pd.Index(["C1"], name="customer_id"),
    )
    tv = views.at_risk_view(risk, Ctx("zh"), window_months=12)
    row = tv.frame.iloc[0]
    assert row["客户名称"] == "<b>Acme</b>" and row["层级"] == "黄金层" and row["RFM 细分群"] == "流失风险客户"
    assert row["较之前 12 个月的变化"] == pytest.approx(-0.5)


def test_pyramid_and_scorecard_charts_take_their_words_from_the_catalogue():
    import matplotlib.pyplot as plt

    summary = pd.DataFrame({"customers": [1, 3, 6, 10], "revenue_share": [0.5, 0.3, 0.15, 0.05]}, index=pd.Index(TIERS, name="tier"))
    ax = views.pyramid_chart(summary, Ctx("zh"), which="profit")
    texts = {t.get_text() for t in ax.texts}
    assert ax.get_title() == "利润金字塔" and "铂金层" in texts and "1 家客户\n占收入 50.0%" in texts
    rng = np.random.default_rng(0)
    card = pd.DataFrame({"current_value": rng.random(20), "potential_value": rng.random(20)}, index=[f"C{i}" for i in range(20)])
    card["quadrant"] = np.select(
        [(card.current_value >= 0.5) & (card.potential_value >= 0.5), card.current_value >= 0.5, card.potential_value >= 0.5],
        ["keep and grow", "maintain", "invest"],
        "monitor",
    )
    ax = views.scorecard_chart(card, Ctx("zh"))
    assert ax.get_xlabel() == "当前价值（财务与销售指标）" and "优先投入" in {t.get_text() for t in ax.texts}
    plt.close("all")
