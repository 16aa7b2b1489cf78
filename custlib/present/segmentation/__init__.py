"""Segmentation as a reader sees it: tables (views), charts and the labels of the analyses' codes."""

from custlib.present.segmentation.charts import pyramid_chart, scorecard_chart
from custlib.present.segmentation.views import (
    REASONS,
    abc_view,
    at_risk_view,
    cluster_words,
    clusters_view,
    loyalty_view,
    market_type_view,
    migration_sentence,
    migration_view,
    moved_down_view,
    pyramid_view,
    relationship_view,
    rfm_grid_view,
    rfm_view,
    scorecard_view,
    to_grow_view,
)

__all__ = [
    "REASONS", "abc_view", "at_risk_view", "cluster_words", "clusters_view", "loyalty_view", "market_type_view",
    "migration_sentence", "migration_view", "moved_down_view", "pyramid_chart", "pyramid_view", "relationship_view",
    "rfm_grid_view", "rfm_view", "scorecard_chart", "scorecard_view", "to_grow_view",
]  # fmt: skip
