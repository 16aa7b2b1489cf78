"""Customer segmentation, computed: ABC, RFM, value pyramids and scorecard, clusters, loyalty,
relationship stage, market type, migration between quarters and the customers to act on.

Pure functions and a scikit-learn style model over DataFrames; they return codes
(segment ``"champions"``, tier ``"platinum"``, stage ``"stable cooperation"``) and
numbers, never sentences. :mod:`custlib.present.segmentation` shows them.
"""

from custlib.analysis.segmentation.abc import abc_classes, abc_summary, abc_table
from custlib.analysis.segmentation.clusters import (
    CLUSTER_FIT_SAMPLE,
    CLUSTER_SEARCH_N_INIT,
    CustomerClusters,
    cluster_customers,
    cluster_traits,
    describe_cluster,
)
from custlib.analysis.segmentation.common import (
    AT_RISK_SEGMENTS,
    DEFAULTS,
    INDICATORS,
    LOYALTY_CLASSES,
    NO_ORDERS_SEGMENT,
    QUADRANTS,
    RFM_SEGMENTS,
    SEGMENT_ORDER,
    STAGES,
    WORDS,
    require_columns,
)
from custlib.analysis.segmentation.features import active_customers, check_window, customer_features, require_buyers
from custlib.analysis.segmentation.loyalty import class_summary, loyalty_classes
from custlib.analysis.segmentation.migration import MOVES, NONE_LABEL, class_moves, migration_counts, moved_down, transition_matrix
from custlib.analysis.segmentation.pyramid import (
    assign_tiers,
    composite_score,
    percentile_normalise,
    pyramid_summary,
    resolve_indicators,
    value_pyramid,
)
from custlib.analysis.segmentation.region import SECTIONS, RegionSegmentation, merge_params, segment_region
from custlib.analysis.segmentation.rfm import (
    quantile_scores,
    rfm_table,
    segment_grid,
    segment_summary,
    slipping_customers,
    validate_segment_rules,
)
from custlib.analysis.segmentation.scorecard import invest_list, value_scorecard
from custlib.analysis.segmentation.sections import (
    abc_breakdown,
    abc_migration,
    class_migration,
    cluster_profiles,
    loyalty_summary,
    pyramid_tiers,
    stage_migration,
    stage_summary,
    valuable_moved_down,
)
from custlib.analysis.segmentation.stages import market_type_breakdown, relationship_stages
from custlib.analysis.segmentation.watchlists import customers_to_grow, growth_candidates, valuable_at_risk

__all__ = [
    "abc_classes",
    "abc_summary",
    "abc_table",
    "CLUSTER_FIT_SAMPLE",
    "CLUSTER_SEARCH_N_INIT",
    "CustomerClusters",
    "cluster_customers",
    "cluster_traits",
    "describe_cluster",
    "AT_RISK_SEGMENTS",
    "DEFAULTS",
    "INDICATORS",
    "LOYALTY_CLASSES",
    "NO_ORDERS_SEGMENT",
    "QUADRANTS",
    "RFM_SEGMENTS",
    "SEGMENT_ORDER",
    "STAGES",
    "WORDS",
    "require_columns",
    "active_customers",
    "check_window",
    "customer_features",
    "require_buyers",
    "class_summary",
    "loyalty_classes",
    "MOVES",
    "NONE_LABEL",
    "class_moves",
    "migration_counts",
    "moved_down",
    "transition_matrix",
    "assign_tiers",
    "composite_score",
    "percentile_normalise",
    "pyramid_summary",
    "resolve_indicators",
    "value_pyramid",
    "quantile_scores",
    "rfm_table",
    "segment_grid",
    "segment_summary",
    "slipping_customers",
    "validate_segment_rules",
    "invest_list",
    "value_scorecard",
    "abc_breakdown",
    "abc_migration",
    "class_migration",
    "cluster_profiles",
    "loyalty_summary",
    "pyramid_tiers",
    "stage_migration",
    "stage_summary",
    "valuable_moved_down",
    "market_type_breakdown",
    "relationship_stages",
    "customers_to_grow",
    "growth_candidates",
    "valuable_at_risk",
    "SECTIONS",
    "RegionSegmentation",
    "merge_params",
    "segment_region",
]
