"""The segmentation report's headline figures and advice rules (custlib.reports.segmentation): each rule fires and stays quiet."""

from __future__ import annotations

import math

import pandas as pd

from custlib.reports import segmentation as rs
from custlib.reports.sections import Unavailable
from tests.test_segmentation_views import Ctx


def _risk(n=2):
    return pd.DataFrame({"name": [f"N{i}" for i in range(n)], "revenue": [1000.0] * n}, index=[f"C{i}" for i in range(n)])


def test_headline_figures_compare_with_last_quarter_and_leave_unavailable_steps_blank():
    active = pd.Series({"2026Q2": 10, "2026Q3": 12})
    rfm = pd.DataFrame({"segment": ["at risk", "champions", "hibernating"]})
    before = pd.DataFrame({"segment": ["need attention", "about to sleep", "champions"]})
    figs = rs.headline_figures(active, rfm, before, _risk(2), _risk(1), Unavailable("no_previous_quarter"))
    got = figs.set_index("figure")
    assert got.loc[rs.FIGURES["active"], ["value", "previous"]].tolist() == [12.0, 10.0]
    assert got.loc[rs.FIGURES["slipping"], ["value", "previous"]].tolist() == [1.0, 2.0]  # hibernating is gone, not slipping
    assert got.loc[rs.FIGURES["at_risk_revenue"], "value"] == 2000.0 and got.loc[rs.FIGURES["at_risk_revenue"], "unit"] == "money"
    assert math.isnan(got.loc[rs.FIGURES["moved_down"], "value"])


def test_visit_valuable_at_risk_fires_with_the_revenue_at_stake_and_not_on_an_empty_list():
    assert rs.visit_valuable_at_risk(_risk(2), Ctx("en"), window_months=12) == (
        "Visit the 2 valuable customers at risk before the relationship breaks: CN¥2,000 of revenue over the last 12 months is at stake."
    )
    assert "2 家有流失风险的重要客户" in rs.visit_valuable_at_risk(_risk(2), Ctx("zh"))
    assert rs.visit_valuable_at_risk(_risk(0), Ctx("en")) is None
    assert rs.visit_valuable_at_risk(Unavailable("too_few_buyers"), Ctx("en")) is None


def test_ask_who_moved_down_fires_only_when_someone_moved_down():
    assert (
        rs.ask_who_moved_down(_risk(1), Ctx("en")) == "Ask the 1 valuable customer who moved down a tier since last quarter what changed."
    )
    assert rs.ask_who_moved_down(_risk(0), Ctx("en")) is None


def test_offer_more_to_grow_names_the_wallet_headroom_when_known_and_is_quiet_without_customers_to_grow():
    card = pd.DataFrame({"quadrant": ["invest", "monitor", "invest"]}, index=["C1", "C2", "C3"])
    feats = pd.DataFrame({"wallet_headroom": [5000.0, 1.0, 700.0], "orders": [2.0, 1.0, 0.0]}, index=["C1", "C2", "C3"])
    # C3 is in the invest quadrant but bought nothing in the window: no customer to grow, nor its headroom
    assert rs.offer_more_to_grow(card, feats, Ctx("en")) == (
        "Offer more to the 1 customer to grow, highest potential first: they still buy CN¥5,000 a year from other suppliers."
    )
    no_wallet = feats.assign(wallet_headroom=float("nan"))
    assert rs.offer_more_to_grow(card, no_wallet, Ctx("en")) == "Offer more to the 1 customer to grow, highest potential first."
    assert rs.offer_more_to_grow(card.assign(quadrant="monitor"), feats, Ctx("en")) is None
    assert rs.offer_more_to_grow(card.loc[["C3"]], feats, Ctx("en")) is None  # only a customer without orders in the window


def test_keep_the_visit_plan_fires_only_when_no_other_rule_did():
    quiet = rs.actions(Ctx("zh"), at_risk=_risk(0), moved_down=_risk(0), scorecard=Unavailable("x"), features=None)
    assert quiet == ["没有重要客户面临流失风险或价值层级下降：保持现有拜访计划。"]
    busy = rs.actions(Ctx("en"), at_risk=_risk(1), moved_down=_risk(0), scorecard=Unavailable("x"), features=None)
    assert len(busy) == 1 and busy[0].startswith("Visit the 1 valuable customer at risk")
