"""The region's facts: one definition of every measure that more than one report shows.

What an order line means is :mod:`custlib.io.facts`'s (credit notes, non-product lines, a
missing cost). On it, :func:`customer_quarters` sums revenue, cost, profit, cost to serve and
orders per customer and quarter, and :class:`RegionFacts` gives the region's measures of any
quarter (:data:`MEASURES`: customers active, in base, new and lost, revenue, gross and net
profit, margin, orders, concentration) and the ABC classes (:func:`abc_classes`, cut-offs
``abc.cutoffs``). The report context builds one per report (``ctx.facts``).
"""

from custlib.analysis.facts.abc import CLASSES, CUTOFFS_PARAM, abc_classes, check_cutoffs
from custlib.analysis.facts.grid import customer_quarters
from custlib.analysis.facts.region import CONCENTRATION_MEASURES, COUNTS, MEASURES, RegionFacts, region_facts

__all__ = [
    "CLASSES",
    "CONCENTRATION_MEASURES",
    "COUNTS",
    "CUTOFFS_PARAM",
    "MEASURES",
    "RegionFacts",
    "abc_classes",
    "check_cutoffs",
    "customer_quarters",
    "region_facts",
]
