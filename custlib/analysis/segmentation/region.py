"""Every segmentation analysis of one region and quarter at once, each section on its own.

:func:`segment_region` is what the tests and batch checks use to run the whole
segmentation (the report notebook computes its sections one call at a time, see
:mod:`custlib.analysis.segmentation.sections`). A section that meets degenerate
data is recorded as unavailable, with its English reason (for logs) and its
reason code, instead of failing the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from custlib.analysis.segmentation.abc import abc_classes, abc_summary, abc_table
from custlib.analysis.segmentation.clusters import cluster_customers
from custlib.analysis.segmentation.common import (
    ABC_CUTOFFS,
    DEFAULTS,
    LOYALTY_CLASSES,
    QUADRANTS,
    SEGMENT_ORDER,
    STAGES,
    and_list,
    count_text,
    param_name,
)
from custlib.analysis.segmentation.features import active_customers, check_window, encode_lines, encode_service_costs, features_from_lines
from custlib.analysis.segmentation.loyalty import class_summary, loyalty_classes
from custlib.analysis.segmentation.migration import class_moves, moved_down, transition_matrix
from custlib.analysis.segmentation.pyramid import check_tiers, pyramid_summary, resolve_indicators, value_pyramid
from custlib.analysis.segmentation.rfm import rfm_table, segment_summary
from custlib.analysis.segmentation.scorecard import value_scorecard
from custlib.analysis.segmentation.stages import market_type_breakdown, relationship_stages
from custlib.analysis.segmentation.watchlists import customers_to_grow, valuable_at_risk
from custlib.exceptions import InsufficientDataError
from custlib.io.periods import Quarter

SECTIONS = (
    "abc", "rfm", "pyramid_value", "pyramid_profit", "pyramid_potential", "scorecard", "clusters", "loyalty",
    "relationship", "relationship_migration", "market_type", "migration_segment_customers", "migration_segment_revenue",
    "migration_tier_customers", "migration_tier_revenue", "migration_abc_customers", "migration_abc_revenue", "moved_down",
    "to_grow", "at_risk",
)  # fmt: skip
"""The sections :func:`segment_region` computes (each may be unavailable)."""


def merge_params(params: dict | None) -> dict:
    """``params`` (the ``segmentation`` section) merged over :data:`DEFAULTS`.

    Mappings merge key by key except the rule table and indicator weights,
    which replace the default whole (an override names every cell/indicator).
    """
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULTS.items()}
    for k, v in (params or {}).items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = {**out[k], **v}
        else:
            out[k] = v
    return out


@dataclass
class RegionSegmentation:
    """Every table of the segmentation of one region and quarter.

    ``tables`` holds the results by name; a section that could not be computed
    has no table, its English reason in ``unavailable`` and its reason code in
    ``codes``; ``caveats`` (English, for logs) notes sections computed from less
    than the full data.
    """

    quarter: str
    tables: dict[str, object] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    caveats: dict[str, str] = field(default_factory=dict)
    params: dict = field(default_factory=dict)

    def table(self, name: str):
        """The result ``name``; InsufficientDataError (its reason) when unavailable, KeyError when unknown."""
        if name in self.tables:
            return self.tables[name]
        if name in self.unavailable:
            raise InsufficientDataError(self.unavailable[name], code=self.codes.get(name))
        raise KeyError(f"no result {name!r}; known: {', '.join(sorted(self.tables) + sorted(self.unavailable))}")

    def note(self, name: str) -> str:
        """Why ``name`` is missing, or its caveat, or ``""``."""
        return self.unavailable.get(name) or self.caveats.get(name, "")


class _Run:
    """The state of one :func:`segment_region` call: its parameters, features and results so far."""

    def __init__(self, rep: RegionSegmentation, q: Quarter, feats: pd.DataFrame, feats_prev, prev_reason: str, seed: int) -> None:
        self.rep, self.q, self.P, self.seed = rep, q, rep.params, seed
        self.T, self.U = rep.tables, rep.unavailable
        self.feats, self.feats_prev, self.prev_reason = feats, feats_prev, prev_reason
        self.prev_missing: dict[str, str] = {}
        self.pyr = self.P["pyramid"]

    def attempt(self, names, fn) -> None:
        try:
            fn()
        except InsufficientDataError as err:
            for n in [names] if isinstance(names, str) else names:
                if n not in self.T:
                    self.U[n] = str(err)
                    self.rep.codes[n] = getattr(err, "code", None) or "insufficient_data"

    def previous(self, name: str, fn) -> None:
        """Last quarter's version of a table, or the reason it is missing (in ``prev_missing``)."""
        if self.feats_prev is None:
            self.prev_missing[name] = self.prev_reason
            return
        try:
            self.T[name] = fn()
        except InsufficientDataError as err:
            self.prev_missing[name] = f"no comparison with {self.q.previous}: {err}"

    def missing(self, message: str, code: str = "no_previous_quarter"):
        return InsufficientDataError(message, code=code)

    def abc(self):
        self.T["abc_classes"] = abc_table(self.feats, self.P["abc"].get("cutoffs", ABC_CUTOFFS), self.P["abc"]["measures"])
        self.T["abc"] = abc_summary(self.feats, self.T["abc_classes"])

    def rfm(self):
        self.T["rfm_customers"] = rfm_table(self.feats, **self.P["rfm"])
        self.T["rfm"] = segment_summary(self.T["rfm_customers"], self.feats)

    def pyramid(self, which):
        def run():
            pyramid = value_pyramid(self.feats, self.pyr[which], self.pyr["tiers"], name=which)
            self.T[f"pyramid_{which}_customers"] = pyramid
            self.T[f"pyramid_{which}"] = pyramid_summary(pyramid, self.feats)
            buyers = self.feats[self.feats["is_buyer"]]
            _, dropped = resolve_indicators(buyers, self.pyr[which], param=param_name(f"pyramid.{which}"))
            if dropped and f"pyramid_{which}" not in self.rep.caveats:  # the no-service-costs note already says why
                self.rep.caveats[f"pyramid_{which}"] = (
                    f"no data on {and_list(dropped)} in this region; the weights of the other indicators were rescaled"
                )

        return run

    def scorecard(self):
        sc = self.P["scorecard"]
        card = value_scorecard(self.feats, sc["current"], sc["potential"], weights=sc["weights"], split=sc["split"])
        self.T["scorecard_customers"] = card
        self.T["scorecard"] = class_summary(card["quadrant"], self.feats, order=QUADRANTS, name="quadrant")

    def clusters(self):
        model = cluster_customers(self.feats, random_state=self.seed, **self.P["clusters"])
        self.T["clusters"] = model.profiles_
        self.T["cluster_labels"] = model.labels_
        self.T["cluster_silhouette"] = model.silhouette_.to_frame()
        note = model.sampling_note()
        if note:
            self.rep.caveats["clusters"] = note

    def loyalty(self):
        self.T["loyalty_customers"] = loyalty_classes(self.feats, **self.P["loyalty"])
        self.T["loyalty"] = class_summary(self.T["loyalty_customers"]["loyalty"], self.feats, order=LOYALTY_CLASSES, name="loyalty")

    def relationship(self):
        rel = relationship_stages(self.feats, **self.P["relationship"])
        self.T["relationship_customers"] = rel
        known = rel["stage"].dropna()
        self.T["relationship"] = class_summary(known, self.feats, order=STAGES, name="stage")
        unknown = int(rel["stage"].isna().sum())
        if unknown:
            has = "has" if unknown == 1 else "have"
            self.rep.caveats["relationship"] = f"{count_text(unknown, 'customer')} {has} no wallet estimate and no stage"
        if self.feats_prev is None:
            raise self.missing(self.prev_reason)
        prev = relationship_stages(self.feats_prev, **self.P["relationship"])["stage"].dropna()
        self.T["relationship_migration"] = transition_matrix(prev, known, order=STAGES)

    def market(self):
        self.T["market_type"] = market_type_breakdown(self.feats)

    def segment_migration(self):
        if "rfm_customers" not in self.T:
            raise self.missing(self.U.get("rfm", "RFM segments are not available"), self.rep.codes.get("rfm", "insufficient_data"))
        if "rfm_previous_customers" not in self.T:
            raise self.missing(self.prev_missing["rfm_previous_customers"])
        cur, prev = self.T["rfm_customers"]["segment"], self.T["rfm_previous_customers"]["segment"]
        self.T["migration_segment_customers"] = transition_matrix(prev, cur, order=SEGMENT_ORDER)
        self.T["migration_segment_revenue"] = transition_matrix(prev, cur, order=SEGMENT_ORDER, values=self.feats["revenue"])

    def tier_migration(self):
        if "pyramid_value_customers" not in self.T:
            code = self.rep.codes.get("pyramid_value", "insufficient_data")
            raise self.missing(self.U.get("pyramid_value", "the value pyramid is not available"), code)
        if "pyramid_value_previous_customers" not in self.T:
            raise self.missing(self.prev_missing["pyramid_value_previous_customers"])
        names, _ = check_tiers(self.pyr["tiers"])
        cur, prev = self.T["pyramid_value_customers"]["tier"], self.T["pyramid_value_previous_customers"]["tier"]
        self.T["tier_moves"] = class_moves(prev, cur, names)
        self.T["migration_tier_customers"] = transition_matrix(prev, cur, order=names)
        self.T["migration_tier_revenue"] = transition_matrix(prev, cur, order=names, values=self.feats["revenue"])
        valuable = self.pyr["valuable_tiers"]
        down = moved_down(prev, cur, self.pyr["tiers"], valuable_tiers=valuable, features=self.feats, features_prev=self.feats_prev)
        self.T["moved_down"] = self.feats[["name"]].join(down, how="inner").reindex(down.index)

    def abc_migration(self):
        if self.feats_prev is None:
            raise self.missing(self.prev_reason)
        cut, f, fp = self.P["abc"].get("cutoffs", ABC_CUTOFFS), self.feats, self.feats_prev
        cur = abc_classes(f.loc[f["is_buyer"], "revenue_quarter"].rename("revenue"), cut)
        prev = abc_classes(fp.loc[fp["is_buyer"], "revenue_quarter"].rename("revenue"), cut)
        self.T["abc_moves"] = class_moves(prev, cur, ("A", "B", "C"))
        self.T["migration_abc_customers"] = transition_matrix(prev, cur, order=("A", "B", "C"))
        self.T["migration_abc_revenue"] = transition_matrix(prev, cur, order=("A", "B", "C"), values=f["revenue_quarter"])

    def to_grow(self):
        if "scorecard_customers" not in self.T:
            code = self.rep.codes.get("scorecard", "insufficient_data")
            raise self.missing(self.U.get("scorecard", "the value scorecard is not available"), code)
        self.T["to_grow"] = customers_to_grow(
            self.T["scorecard_customers"],
            self.feats,
            pyramid=self.T.get("pyramid_value_customers"),
            rfm=self.T.get("rfm_customers"),
            top=self.P["top_n"],
        )

    def at_risk_from(self, f, rfm_name, pyramid_name, abc_name):
        for need, section in ((rfm_name, "rfm"), (pyramid_name, "pyramid_value")):
            if need not in self.T:
                reason = self.U.get(section) or self.prev_missing.get(need) or f"the {section} section is not available"
                raise self.missing(reason, self.rep.codes.get(section, "insufficient_data"))
        T = self.T
        abc = T.get(abc_name)
        valuable = self.pyr["valuable_tiers"]
        return valuable_at_risk(f, T[rfm_name], T[pyramid_name], self.pyr["tiers"], valuable_tiers=valuable, abc=abc)

    def at_risk(self):
        self.T["at_risk_customers"] = self.at_risk_from(self.feats, "rfm_customers", "pyramid_value_customers", "abc_classes")
        top = self.P["top_n"]
        self.T["at_risk"] = self.T["at_risk_customers"].head(top) if top else self.T["at_risk_customers"]
        names = ("rfm_previous_customers", "pyramid_value_previous_customers", "abc_previous_classes")
        self.previous("at_risk_previous_customers", lambda: self.at_risk_from(self.feats_prev, *names))

    def all_sections(self) -> None:
        P, pyr, fp = self.P, self.pyr, self.feats_prev
        self.previous("rfm_previous_customers", lambda: rfm_table(fp, **P["rfm"]))
        self.previous("pyramid_value_previous_customers", lambda: value_pyramid(fp, pyr["value"], pyr["tiers"], name="value"))
        self.previous("abc_previous_classes", lambda: abc_table(fp, P["abc"].get("cutoffs", ABC_CUTOFFS), P["abc"]["measures"]))
        self.attempt("abc", self.abc)
        self.attempt("rfm", self.rfm)
        for which in ("value", "profit", "potential"):
            self.attempt(f"pyramid_{which}", self.pyramid(which))
        self.attempt("scorecard", self.scorecard)
        self.attempt("clusters", self.clusters)
        self.attempt("loyalty", self.loyalty)
        self.attempt(["relationship", "relationship_migration"], self.relationship)
        self.attempt("market_type", self.market)
        self.attempt(["migration_segment_customers", "migration_segment_revenue"], self.segment_migration)
        self.attempt(["migration_tier_customers", "migration_tier_revenue", "moved_down"], self.tier_migration)
        self.attempt(["migration_abc_customers", "migration_abc_revenue"], self.abc_migration)
        self.attempt("to_grow", self.to_grow)
        self.attempt("at_risk", self.at_risk)


def _all_unavailable(rep: RegionSegmentation, err: InsufficientDataError) -> RegionSegmentation:
    for n in SECTIONS:
        rep.unavailable[n] = str(err)
        rep.codes[n] = getattr(err, "code", None) or "insufficient_data"
    return rep


def segment_region(
    transactions: pd.DataFrame,
    customers: pd.DataFrame,
    quarter,
    params: dict | None = None,
    *,
    service_costs: pd.DataFrame | None = None,
    seed: int = 0,
) -> RegionSegmentation:
    """Run every segmentation analysis for one region and quarter.

    Each section is computed on its own; one that meets degenerate data
    (one customer, all-equal values, no orders, no wallet estimates) is
    recorded in ``unavailable`` with the reason instead of failing the rest.

    Results (``tables``): customers (features), abc_classes, abc, rfm_customers, rfm, pyramid_<p>_customers
    and pyramid_<p> (value, profit, potential), scorecard_customers, scorecard, clusters, cluster_labels,
    cluster_silhouette, loyalty_customers, loyalty, relationship_customers, relationship,
    relationship_migration, market_type, migration_{segment,tier,abc}_{customers,revenue} (ABC on the
    quarter's revenue: the C -> B -> A rolling upgrade), tier_moves, abc_moves, moved_down, to_grow,
    at_risk (first ``top_n``), at_risk_customers (all), active_customers (always); and last quarter's
    customers_previous, rfm_previous_customers, pyramid_value_previous_customers, abc_previous_classes
    and at_risk_previous_customers when they could be computed.

    Parameters
    ----------
    transactions, customers : DataFrame
        The region's data (whole history up to the quarter's end or later).
    quarter : str or Quarter
    params : dict, optional
        The ``segmentation`` parameters; missing keys take :data:`DEFAULTS`. The ABC cut-offs are
        ``params["abc"]["cutoffs"]`` when given (the report notebooks read the top-level ``abc.cutoffs``),
        else :data:`ABC_CUTOFFS`. This function's ABC table classes every customer who ever ordered on
        the trailing window's revenue; the reports use the quarter's (:mod:`custlib.analysis.facts`).
    service_costs : DataFrame, optional
    seed : int
        Seed of k-means, its fit sample in large regions and the silhouette
        sample (the runner's ``run.seed``); :class:`CustomerClusters` says when
        a sample is drawn, and ``caveats["clusters"]`` states it in the report.

    Returns
    -------
    RegionSegmentation

    Raises
    ------
    ParamsError
        A bad parameter (never hidden as "unavailable").
    """
    q = Quarter.parse(quarter)
    P = merge_params(params)
    rep = RegionSegmentation(quarter=str(q), params=P)
    check_window(P["window_months"])
    try:
        # the order lines are encoded once and serve this quarter's features and last quarter's
        lines = encode_lines(transactions, customers, q.end)
    except InsufficientDataError as err:
        rep.tables["active_customers"] = active_customers(transactions, customers, (q.previous, q))
        return _all_unavailable(rep, err)
    rep.tables["active_customers"] = lines.active((q.previous, q))
    costs = encode_service_costs(service_costs, lines.ids)
    try:
        feats = features_from_lines(lines, q, costs, P["window_months"])
    except InsufficientDataError as err:
        return _all_unavailable(rep, err)
    rep.tables["customers"] = feats
    try:
        feats_prev, prev_reason = features_from_lines(lines, q.previous, costs, P["window_months"]), ""
        rep.tables["customers_previous"] = feats_prev
    except InsufficientDataError as err:
        feats_prev, prev_reason = None, f"no comparison with {q.previous}: {err}"
    if feats["net_profit"].isna().all():
        rep.caveats["abc"] = "no service costs in the data: net profit after cost to serve is not shown"
        rep.caveats["pyramid_profit"] = "no service costs in the data: the profit pyramid uses gross profit and margin only"
    _Run(rep, q, feats, feats_prev, prev_reason, seed).all_sections()
    return rep
