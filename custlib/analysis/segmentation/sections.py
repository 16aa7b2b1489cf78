"""One call per report section: the analyses composed the way notebook 01 shows them.

Each function is a short composition of the analyses of this package, so that a
notebook section reads ``ctx.compute(seg.loyalty_summary, features, **P["loyalty"])``
and an analyst can change a threshold in that one call.
"""

from __future__ import annotations

import pandas as pd

from custlib.analysis.segmentation.abc import abc_summary, abc_table
from custlib.analysis.segmentation.clusters import cluster_customers
from custlib.analysis.segmentation.common import LOYALTY_CLASSES, STAGES
from custlib.analysis.segmentation.loyalty import class_summary, loyalty_classes
from custlib.analysis.segmentation.migration import moved_down, transition_matrix
from custlib.analysis.segmentation.pyramid import check_tiers, pyramid_summary, value_pyramid
from custlib.analysis.segmentation.stages import relationship_stages


def abc_breakdown(features: pd.DataFrame, cutoffs=(0.8, 0.95), measures=("revenue", "gross_profit", "net_profit")) -> pd.DataFrame:
    """ABC classes on each measure, summarised (:func:`abc_table` then :func:`abc_summary`). features -> summary."""
    return abc_summary(features, abc_table(features, cutoffs, measures))


def pyramid_tiers(features: pd.DataFrame, indicators: dict, tiers, *, name: str = "value") -> pd.DataFrame:
    """Customers per tier of one pyramid (:func:`value_pyramid` then :func:`pyramid_summary`). features -> summary."""
    return pyramid_summary(value_pyramid(features, indicators, tiers, name=name), features)


def cluster_profiles(data: pd.DataFrame, **settings) -> pd.DataFrame:
    """The profiles of :class:`CustomerClusters` fitted on ``data`` (customer features; settings as its parameters,
    including the ``features`` to cluster on). features -> profiles."""
    return cluster_customers(data, **settings).profiles_


def loyalty_summary(features: pd.DataFrame, **thresholds) -> pd.DataFrame:
    """Customers, revenue and profit per loyalty class (:func:`loyalty_classes`). features -> summary."""
    labels = loyalty_classes(features, **thresholds)["loyalty"]
    return class_summary(labels, features, order=LOYALTY_CLASSES, name="loyalty")


def stage_summary(features: pd.DataFrame, *, stable: float = 0.2, strategic: float = 0.6) -> pd.DataFrame:
    """Customers, revenue and profit per relationship stage, customers without a wallet estimate left out."""
    stages = relationship_stages(features, stable=stable, strategic=strategic)["stage"].dropna()
    return class_summary(stages, features, order=STAGES, name="stage")


def stage_migration(before: pd.DataFrame, features: pd.DataFrame, *, stable: float = 0.2, strategic: float = 0.6) -> pd.DataFrame:
    """Customers by relationship stage last quarter (rows) and now (columns). features of both quarters -> matrix."""
    prev = relationship_stages(before, stable=stable, strategic=strategic)["stage"].dropna()
    cur = relationship_stages(features, stable=stable, strategic=strategic)["stage"].dropna()
    return transition_matrix(prev, cur, order=STAGES)


def class_migration(before: pd.DataFrame, now: pd.DataFrame, *, column: str, order, weights: pd.DataFrame | None = None) -> pd.DataFrame:
    """Migration of ``column`` (``segment`` of an RFM table, ``tier`` of a pyramid) between two quarters' tables.

    ``order`` lists the classes best first: a list, or a pyramid's tier settings. With ``weights``
    (this quarter's :func:`customer_features`) cells hold the window's revenue instead of customers.
    -> :func:`transition_matrix`.
    """
    if order and isinstance(next(iter(order)), dict):
        order, _ = check_tiers(order)
    values = weights["revenue"] if weights is not None else None
    return transition_matrix(before[column], now[column], order=order, values=values)


def abc_migration(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Customers by ABC class on last quarter's revenue (rows) and this quarter's (columns): the C -> B -> A upgrade.

    ``previous`` and ``current`` are the quarters' ABC tables (:meth:`custlib.analysis.facts.RegionFacts.abc_table`:
    the customers who ordered in the quarter, the classes of every report); a customer without an order in one of
    the quarters is in its :data:`NONE_LABEL` row or column. -> :func:`transition_matrix`.
    """
    return transition_matrix(previous["abc_revenue"], current["abc_revenue"], order=("A", "B", "C"))


def valuable_moved_down(
    before: pd.DataFrame, pyramid_before: pd.DataFrame, features: pd.DataFrame, pyramid: pd.DataFrame, tiers, *, valuable_tiers: int = 2
) -> pd.DataFrame:
    """Customers of the top ``valuable_tiers`` last quarter in a lower tier now, with their names (:func:`moved_down`)."""
    down = moved_down(
        pyramid_before["tier"], pyramid["tier"], tiers, valuable_tiers=valuable_tiers, features=features, features_prev=before
    )
    return features[["name"]].join(down, how="inner").reindex(down.index)
