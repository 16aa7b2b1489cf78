"""The make-vs-buy report's tables: one view per table, headers and labels from the catalogue.

Each view is ``xxx_view(result, ctx) -> TableView`` with ``result`` a
:class:`~custlib.analysis.makebuy.MakeBuyAnalysis`.
"""

from __future__ import annotations

import pandas as pd

from custlib.analysis.makebuy import BUY_LINES, FACTOR_DIRECTION, MAKE_LINES
from custlib.analysis.makebuy import FACTORS as FACTOR_CODES
from custlib.present.makebuy.labels import FACTORS, KINDS, LINES, OPTIONS, TOTALS, product_names, span, verdict
from custlib.present.makebuy.sentences import case_reasons
from custlib.present.messages import N_
from custlib.present.tables import TableView

REASONS = {
    "no_makebuy_cases": N_("No make-vs-buy cases are defined for this region; the executive summary says how to add them."),
}


def names(result, ctx) -> dict[str, str]:
    """Case name -> product name as the report shows it; ``Example: ...`` when the cases are the workbook's examples.

    Every table, chart and sentence names a product through this function, so an example case
    is labelled as one wherever it appears.
    """
    t = ctx.messages("makebuy")
    shown = product_names({n: a.case.label for n, a in result.cases.items()}, t)
    if getattr(result, "examples", False):
        return {n: t.gettext("Example: {product}", product=s) for n, s in shown.items()}
    return shown


def products_view(result, ctx) -> TableView:
    """One row per product: what it is, its unit, the planned units over the horizon and the horizon."""
    t, f = ctx.messages("makebuy"), ctx.fmt
    shown = names(result, ctx)
    cols = [t.gettext("Product"), t.gettext("What it is"), t.gettext("Unit"), t.gettext("Planned units"), t.gettext("Horizon")]
    rows = [
        [
            shown[n],
            t.data(a.case.spec.get("description", ""), "case"),
            t.data(a.case.unit, "case"),
            round(a.summary["units"]),
            span(a.case.period_word, a.case.horizon, t, f),
        ]
        for n, a in result.cases.items()
    ]
    frame = pd.DataFrame(rows, columns=cols)
    kinds = dict.fromkeys(cols, "text") | {cols[3]: "integer"}
    return TableView(frame, kinds, t.gettext("The products compared and their planned demand"))


def glance_view(result, ctx) -> TableView:
    """One row per product: recommendation, cheaper option at plan, cost per unit, saving at plan, its chance, expected saving.

    The last column is what the executive summary adds up (``expected_saving``); its total is the last
    row, the figure the summary shows.
    """
    t = ctx.messages("makebuy")
    shown = names(result, ctx)
    cols = [
        t.gettext("Product"),
        t.gettext("Recommendation"),
        t.gettext("Cheaper at planned demand"),
        t.gettext("Cost per unit: make"),
        t.gettext("Cost per unit: buy"),
        t.gettext("Saving from making at planned demand"),
        t.gettext("Chance making is cheaper"),
        t.gettext("Expected saving from the recommendation"),
    ]
    rows = [
        [
            shown[n],
            verdict(a.recommendation.recommendation, a.recommendation.close_call, t),
            t.label(a.summary["winner"], OPTIONS),
            a.summary["cost_per_unit_make"],
            a.summary["cost_per_unit_buy"],
            a.summary["make_saving"],
            a.monte_carlo["p_make_cheaper"],
            a.expected_saving,
        ]
        for n, a in result.cases.items()
    ]
    total = t.gettext("Total of the examples") if getattr(result, "examples", False) else t.gettext("Total")
    rows.append([total, "", "", None, None, None, None, sum(a.expected_saving for a in result.cases.values())])
    kinds = dict(zip(cols, ["text"] * 3 + ["money"] * 3 + ["percent", "money"], strict=True))
    caption = t.gettext("Recommendation, cost per unit and saving, per product")
    return TableView(pd.DataFrame(rows, columns=cols), kinds, caption)


def cost_lines_view(result, ctx) -> TableView:
    """Present value of every cost line (rows) for every product (columns), with each option's total."""
    t = ctx.messages("makebuy")
    shown = names(result, ctx)
    order = [("make", line, kind) for line, kind in MAKE_LINES] + [("make", "total", "total")]
    order += [("buy", line, kind) for line, kind in BUY_LINES] + [("buy", "total", "total")]
    option, line, kind = t.gettext("Option"), t.gettext("Cost line"), t.gettext("Type")
    frame = pd.DataFrame(
        {
            option: [t.label(o, OPTIONS) for o, _, _ in order],
            line: [t.label(o, TOTALS) if ln == "total" else t.label(ln, LINES) for o, ln, _ in order],
            kind: [t.gettext(KINDS[k]) if KINDS[k] else "" for _, _, k in order],
        }
    )
    for n, a in result.cases.items():
        pv = a.cost_table.set_index(["option", "line"])["pv"]
        frame[shown[n]] = [float(pv.loc[(o, ln)]) for o, ln, _ in order]
    kinds = {option: "text", line: "text", kind: "text"} | dict.fromkeys(shown.values(), "money")
    return TableView(frame, kinds, t.gettext("Present value of each cost line, per product"))


def uncertainty_view(result, ctx) -> TableView:
    """One row per product: the saving from making at plan and its spread over simulated demand."""
    t = ctx.messages("makebuy")
    shown = names(result, ctx)
    cols = [
        t.gettext("Product"),
        t.gettext("Demand volatility"),
        t.gettext("Saving at planned demand"),
        t.gettext("Saving: 5th percentile"),
        t.gettext("Saving: median"),
        t.gettext("Saving: mean"),
        t.gettext("Saving: 95th percentile"),
        t.gettext("Chance making is cheaper"),
    ]
    rows = [
        [
            shown[n],
            float(a.case.spec["demand"]["volatility"]),
            a.summary["make_saving"],
            *(a.monte_carlo[k] for k in ("p05", "p50", "mean_saving", "p95", "p_make_cheaper")),
        ]
        for n, a in result.cases.items()
    ]
    kinds = dict(zip(cols, ["text", "percent"] + ["money"] * 5 + ["percent"], strict=True))
    caption = t.gettext("Saving from making over simulated demand (negative: buying is cheaper)")
    return TableView(pd.DataFrame(rows, columns=cols), kinds, caption)


def factors_view(result, ctx) -> TableView:
    """The scorecard: one row per factor, the option a high score favours, its weight, each product's score."""
    t = ctx.messages("makebuy")
    shown = names(result, ctx)
    data = result.factors
    factor, favours, weight = t.gettext("Factor"), t.gettext("A high score favours"), t.gettext("Weight")
    frame = pd.DataFrame(
        {
            factor: [t.label(f, FACTORS) for f in FACTOR_CODES],
            favours: [t.label("make" if FACTOR_DIRECTION[f] > 0 else "buy", OPTIONS) for f in FACTOR_CODES],
            weight: data["weight"].to_numpy(dtype=float),
        }
    )
    for n in result.cases:
        frame[shown[n]] = data[n].to_numpy()
    kinds = {factor: "text", favours: "text", weight: "percent"} | dict.fromkeys(shown.values(), "integer")
    return TableView(frame, kinds, t.gettext("Scores (1-5) of the factors other than cost, per product"))


def verdicts_view(result, ctx) -> TableView:
    """One row per product: the recommendation and the three scores behind it (1-5, 5 = favours making)."""
    t = ctx.messages("makebuy")
    shown = names(result, ctx)
    cols = [
        t.gettext("Product"),
        t.gettext("Recommendation"),
        t.gettext("Cost score"),
        t.gettext("Qualitative score"),
        t.gettext("Combined score"),
    ]
    rows = [
        [
            shown[n],
            verdict(a.recommendation.recommendation, a.recommendation.close_call, t),
            a.recommendation.cost_score,
            a.recommendation.qualitative_score,
            a.recommendation.combined_score,
        ]
        for n, a in result.cases.items()
    ]
    kinds = dict(zip(cols, ["text", "text", "ratio", "ratio", "ratio"], strict=True))
    caption = t.gettext("Scores behind each recommendation (1-5; above 3 favours making)")
    return TableView(pd.DataFrame(rows, columns=cols), kinds, caption)


def reasons_view(result, ctx) -> TableView:
    """The reasons behind each recommendation, one sentence a row; the product is named on its first row only."""
    t, f = ctx.messages("makebuy"), ctx.fmt
    shown = names(result, ctx)
    product, reason = t.gettext("Product"), t.gettext("Reason")
    rows = [
        {product: shown[n] if i == 0 else "", reason: text} for n, a in result.cases.items() for i, text in enumerate(case_reasons(a, t, f))
    ]
    frame = pd.DataFrame(rows, columns=[product, reason])
    return TableView(frame, {product: "text", reason: "text"}, t.gettext("The reasons behind each recommendation"))
