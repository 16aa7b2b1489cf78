"""custlib.analysis.development.targets: the customers a campaign plan contacts, a hand-worked case."""

from __future__ import annotations

import pandas as pd
import pytest

from custlib.analysis.development import campaign_targets
from custlib.exceptions import DataError


def _data():
    customers = pd.DataFrame(
        {
            "customer_id": ["a1", "a2", "a3", "a4", "b1", "c1"],
            "size_band": ["small", "small", "small", "small", "large", "medium"],
        }
    )
    tx = pd.DataFrame(
        {
            "customer_id": ["a1", "a2", "a3", "a3", "b1", "c1", "a1", "a4"],
            "order_date": pd.to_datetime(
                ["2026-03-01", "2026-04-01", "2026-05-01", "2026-06-01", "2026-06-10", "2026-06-20", "2025-01-05", "2026-07-05"]
            ),
            "revenue": [100.0, 300.0, 150.0, 100.0, 999.0, 10.0, 5000.0, 9999.0],
        }
    )
    # small: 3 customers with an order by 2026-06-30 (a4 orders only after it); the plan takes 2 of them, none of
    # large and the one medium customer
    plan = pd.DataFrame(
        {
            "segment": ["small", "large", "medium"],
            "rank": pd.array([1, 2, 3], dtype="Int64"),
            "profit_per_contact": [12.5, -3.0, 4.0],
            "contact_customers": [2, 0, 1],
        }
    )
    return plan, customers, tx


def test_campaign_targets_takes_each_groups_count_largest_customers_first():
    plan, customers, tx = _data()
    out = campaign_targets(plan, customers, tx, asof="2026-06-30", segment_by=["size_band"])
    # revenue over the 12 months to 2026-06-30: a1 100 (its 5000 is older), a2 300, a3 250 -> a2, a3; then c1
    assert out["customer_id"].tolist() == ["a2", "a3", "c1"]
    assert out["segment"].tolist() == ["small", "small", "medium"]
    assert out["revenue_12m"].tolist() == [300.0, 250.0, 10.0]
    assert out["group_rank"].tolist() == [1, 1, 3]
    assert out["profit_per_contact"].tolist() == [12.5, 12.5, 4.0]
    assert out["last_order"].tolist() == [pd.Timestamp("2026-04-01"), pd.Timestamp("2026-06-01"), pd.Timestamp("2026-06-20")]
    assert len(out) == plan["contact_customers"].sum()


def test_campaign_targets_is_empty_when_the_plan_contacts_nobody_and_refuses_a_plan_larger_than_a_group():
    plan, customers, tx = _data()
    assert campaign_targets(plan.assign(contact_customers=0), customers, tx, asof="2026-06-30", segment_by=["size_band"]).empty
    with pytest.raises(DataError, match="group 'medium' contacts 2 customers but has 1"):
        campaign_targets(plan.assign(contact_customers=[0, 0, 2]), customers, tx, asof="2026-06-30", segment_by=["size_band"])
