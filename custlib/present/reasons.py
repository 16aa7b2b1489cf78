"""Why a section is missing, in words: the reason codes every analysis may raise.

An analysis raises ``InsufficientDataError(..., code=..., **fields)``; the report
says the matching message. A view or chart module may define its own ``REASONS``
(code -> marked message) for codes of its analysis; these are the shared ones.
"""

from custlib.present.messages import N_

REASONS = {
    "insufficient_data": N_("There is not enough data for this section."),
    "no_customers": N_("The region has no customers."),
    "too_few_customers": N_("It needs at least {needed} customers; the region has {found}."),
    "no_orders_in_quarter": N_("The region has no orders in this quarter."),
    "no_previous_quarter": N_("There is no previous quarter in the data to compare with."),
    "no_previous_quarter_in_data": N_(
        "There is no previous quarter in the data to compare with: {base} is before the data, which start on {first}."
    ),
    "partial_quarter": N_(
        "{quarter} is a partial quarter (data from {start} to {end}): comparing it with a whole quarter would show a change that is not there."
    ),
    "no_service_costs": N_("The data has no cost-to-serve table."),
    "no_offers": N_("The data has no past offers."),
    "needs_cost": N_(
        "This section is built on profit and needs the cost of goods, which the data does not have "
        "(set the parameter assumptions.gross_margin to assume a margin)."
    ),
}
