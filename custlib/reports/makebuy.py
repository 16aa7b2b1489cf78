"""The make-vs-buy report beyond its sections: the client's own product names, headline figures, advice.

The advice is a list of named rules, one small function each with its condition in
the docstring, returning the sentence in the report's language or None.
"""

from __future__ import annotations

import html
import math

import pandas as pd

from custlib.analysis.makebuy import CaseAnalysis, MakeBuyAnalysis
from custlib.io.data import slugify
from custlib.present.makebuy import names, span
from custlib.present.makebuy.labels import DOING
from custlib.present.messages import N_
from custlib.reports.sections import Unavailable

NOTEBOOK = "04_compare_make_vs_buy"
#: The headline figures, in order (English messages of the ``makebuy`` catalogue).
FIGURES = (
    N_("Products to make in-house"),
    N_("Products to buy from a supplier"),
    N_("Close calls to revisit"),
    N_("Expected saving from the recommendations (present value)"),
)
#: The same figures when the cases are the workbook's examples (:attr:`MakeBuyAnalysis.examples`).
EXAMPLE_FIGURES = (
    N_("Example products to make in-house"),
    N_("Example products to buy from a supplier"),
    N_("Example close calls to revisit"),
    N_("Expected saving in the examples (present value)"),
)


def case_terms(section: dict, lang: str) -> dict[str, str]:
    """The names a client wrote for each case in ``lang`` (``label_zh``, ``unit_zh``, ``description_zh``).

    English text -> text in ``lang``, for :attr:`ReportContext.report_terms` (this report only), from the
    region's ``cases`` and the ``example_cases``. Empty in English and for cases without such names.
    """
    if lang == "en":
        return {}
    out = {}
    section = section or {}
    for spec in [*section.get("example_cases", {}).values(), *section.get("cases", {}).values()]:
        for key in ("label", "unit", "description"):
            if spec.get(key) and spec.get(f"{key}_{lang}"):
                out[str(spec[key]).strip()] = str(spec[f"{key}_{lang}"]).strip()
    return out


def headline_figures(analysis: MakeBuyAnalysis | None) -> pd.DataFrame:
    """The report's headline figures.

    Make-vs-buy is computed from the parameters, not from the quarter's orders, so
    there is no previous quarter (``previous`` is NaN):

    1. products recommended to make in-house;
    2. products recommended to buy;
    3. close calls (the combined score within the close-call band of 3; good: down);
    4. the expected saving from following the recommendations: the sum over products
       of :attr:`CaseAnalysis.expected_saving`, the total row of the glance table.

    With the workbook's example cases (:attr:`MakeBuyAnalysis.examples`) the labels say so
    (:data:`EXAMPLE_FIGURES`).

    Returns
    -------
    DataFrame
        figure, value, previous, unit, good (see :meth:`ReportContext.summary`). All NaN
        without an analysis.
    """
    cases = list(analysis.cases.values()) if analysis else []
    if cases:
        recs = [a.recommendation for a in cases]
        values = [
            float(sum(r.recommendation == "make" for r in recs)),
            float(sum(r.recommendation == "buy" for r in recs)),
            float(sum(r.close_call for r in recs)),
            float(sum(a.expected_saving for a in cases)),
        ]
    else:
        values = [math.nan] * 4
    return pd.DataFrame(
        {
            "figure": list(EXAMPLE_FIGURES if getattr(analysis, "examples", False) else FIGURES),
            "value": values,
            "previous": [math.nan] * 4,
            "unit": ["count", "count", "count", "money"],
            "good": ["up", "up", "down", "up"],
        }
    )


# --------------------------------------------------------------------------- advice rules, one per case


def close_call_rule(a: CaseAnalysis, product: str, ctx) -> str | None:
    """Fires when the case is a close call (:attr:`Recommendation.close_call`: the combined score within
    ``makebuy.close_call_band``, default 0.25, of the neutral 3): name the option it leans to and decide again later."""
    if not a.recommendation.close_call:
        return None
    t = ctx.messages("makebuy")
    return t.gettext(
        "{product}: a close call, leaning to {option}; decide again when demand is clearer or a supplier quote is firm.",
        product=product,
        option=t.gettext(DOING[a.recommendation.recommendation]),
    )


def cost_backed_rule(a: CaseAnalysis, product: str, ctx) -> str | None:
    """Fires when the case is not a close call and the recommended option is also expected to cost less
    (:attr:`CaseAnalysis.expected_saving` ``>= 0``, present value over the case's horizon): that saving is said."""
    if a.recommendation.close_call or a.expected_saving < 0:
        return None
    t, f = ctx.messages("makebuy"), ctx.fmt
    fields = {"product": product, "span": span(a.case.period_word, a.case.horizon, t, f), "amount": f.money(a.expected_saving)}
    if a.recommendation.recommendation == "make":
        return t.gettext(
            "{product}: develop it in-house. Over {span} making is expected to cost {amount} less than buying, in present value.", **fields
        )
    return t.gettext(
        "{product}: buy it from a supplier. Over {span} buying is expected to cost {amount} less than making, in present value.", **fields
    )


def qualitative_override_rule(a: CaseAnalysis, product: str, ctx) -> str | None:
    """Fires when the case is not a close call but the qualitative factors win against a cost disadvantage
    (:attr:`CaseAnalysis.expected_saving` ``< 0``): the extra cost (``-expected_saving``, present value) is said."""
    if a.recommendation.close_call or a.expected_saving >= 0:
        return None
    t, f = ctx.messages("makebuy"), ctx.fmt
    fields = {"product": product, "span": span(a.case.period_word, a.case.horizon, t, f), "amount": f.money(-a.expected_saving)}
    if a.recommendation.recommendation == "make":
        return t.gettext(
            "{product}: develop it in-house for the qualitative reasons, although making is expected to cost {amount} more "
            "than buying over {span}.",
            **fields,
        )
    return t.gettext(
        "{product}: buy it from a supplier for the qualitative reasons, although buying is expected to cost {amount} more "
        "than making over {span}.",
        **fields,
    )


RULES = (close_call_rule, cost_backed_rule, qualitative_override_rule)


# --------------------------------------------------------------------------- advice rules about the cases themselves


def no_cases_rule(analysis, ctx) -> str | None:
    """Fires when the region has no cases of its own and no example is shown (reason ``no_makebuy_cases``):
    say so and name the file to add them to."""
    if not (isinstance(analysis, Unavailable) and analysis.code == "no_makebuy_cases"):
        return None
    return ctx.messages("makebuy").gettext(
        "No make-vs-buy cases are defined for {region}. To compare products, add them under {key} in {file} "
        "(the README's section on make-vs-buy cases shows how).",
        **_where(ctx),
    )


def examples_rule(analysis, ctx) -> str | None:
    """Fires when the cases shown are the workbook's examples (:attr:`MakeBuyAnalysis.examples`): they are not the
    region's answer; say where the region's own cases go."""
    if isinstance(analysis, Unavailable) or not getattr(analysis, "examples", False):
        return None
    return ctx.messages("makebuy").gettext(
        "The products below are the workbook's examples, not {region}'s own: add the region's products under {key} in {file}.",
        **_where(ctx),
    )


def _where(ctx) -> dict[str, str]:
    """The region's name and where its cases go (the key and its params file, as HTML code)."""
    return {
        "region": html.escape(ctx.messages("custlib").region(ctx.region)),
        "key": "<code>makebuy.cases</code>",
        "file": f"<code>params/regions/{html.escape(slugify(ctx.region))}.yaml</code>",
    }


def actions(analysis: MakeBuyAnalysis | None, ctx, limit: int = 3) -> list[str]:
    """What the figures suggest: close calls first, then by the size of the expected saving (at most ``limit``).

    Each names the product (HTML-escaped: the summary's list is HTML), the option and the amount, the same amount as
    the glance table's last column. :func:`no_cases_rule` and :func:`examples_rule` come first when they fire.
    """
    head = [text for rule in (no_cases_rule, examples_rule) if (text := rule(analysis, ctx)) is not None]
    return head + _case_actions(analysis, ctx, limit)


def _case_actions(analysis: MakeBuyAnalysis | None, ctx, limit: int) -> list[str]:
    if not analysis:
        return []
    shown = names(analysis, ctx)
    order = sorted(analysis.cases.items(), key=lambda kv: (not kv[1].recommendation.close_call, -abs(kv[1].expected_saving), kv[0]))
    out = []
    for n, a in order[:limit]:
        for rule in RULES:
            text = rule(a, html.escape(shown[n]), ctx)
            if text is not None:
                out.append(text)
                break
    return out
