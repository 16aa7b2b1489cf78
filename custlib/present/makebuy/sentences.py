"""The reasons behind a make-vs-buy recommendation, one sentence each, in the report's language.

Every sentence is one catalogue message with named placeholders; numbers go
through the report's formatter. Product names are data: escaped by the caller
where they reach Markdown or HTML.
"""

from __future__ import annotations

from custlib.analysis.makebuy import BreakEven, CaseAnalysis
from custlib.present.makebuy.labels import DISTRIBUTIONS, DOING, FACTORS, INPUTS, PERIOD_NTH, cumulative_units, input_value, span
from custlib.present.messages import Messages
from custlib.present.numbers import Formatter


def lower_first(text: str) -> str:
    """Lower-case the first word unless it is an acronym: ``'Own R&D'`` -> ``'own R&D'`` (no effect on Chinese)."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def listing(items, t: Messages) -> str:
    """Items joined with the language's list separator (``, `` / ``、``)."""
    return t.pgettext("list separator", ", ").join(items)


def break_even_sentence(be: BreakEven, period_word: str, horizon: int, t: Messages, fmt: Formatter) -> str:
    """What :func:`~custlib.analysis.makebuy.break_even` found, as one sentence."""
    if be.outcome == "make_cheaper_from_start":
        return t.gettext("Making costs no more than buying from the start, so there is no volume to recover.")
    if be.outcome == "make_never_catches_up":
        fields = {"span": span(period_word, horizon, t, fmt), "units": fmt.integer(be.total_units), "amount": fmt.money(be.shortfall)}
        if be.discounted:
            text = t.gettext(
                "Making never catches up within the {span}: after all {units} units it still costs {amount} more in present value.",
                **fields,
            )
        else:
            text = t.gettext("Making never catches up within the {span}: after all {units} units it still costs {amount} more.", **fields)
        if be.catch_up_units is None:
            return text
        tail = t.gettext("At the current pace, making would catch up after about {units} units.", units=fmt.integer(be.catch_up_units))
        return t.gettext("{sentence} {more}", sentence=text, more=tail)
    fields = {
        "volume": cumulative_units(be.volume, t, fmt),
        "when": t.gettext(PERIOD_NTH.get(period_word, PERIOD_NTH["period"]), n=fmt.integer(be.period_number)),
        "crossings": fmt.integer(be.crossings),
    }
    if be.outcome == "make_cheaper_after":
        if be.crossings > 1:
            return t.gettext(
                "Making becomes cheaper than buying after {volume}, in {when} (the cumulative costs cross {crossings} times; "
                "this is the last crossing).",
                **fields,
            )
        return t.gettext("Making becomes cheaper than buying after {volume}, in {when}.", **fields)
    if be.crossings > 1:
        return t.gettext(
            "Making is cheaper at first, but buying becomes cheaper after {volume}, in {when} (the cumulative costs cross "
            "{crossings} times; this is the last crossing).",
            **fields,
        )
    return t.gettext("Making is cheaper at first, but buying becomes cheaper after {volume}, in {when}.", **fields)


def cost_sentences(a: CaseAnalysis, t: Messages, fmt: Formatter) -> list[str]:
    """Present values, the break-even and the hidden costs."""
    s, case = a.summary, a.case
    cheaper, dearer = ("make", "buy") if s["make_saving"] > 0 else ("buy", "make")
    first = t.gettext(
        "Over {span} at a discount rate of {rate} a year, making costs {pv_make} and buying {pv_buy} in present value, so "
        "{cheaper} is cheaper by {saving} ({share} of the cost of {dearer}).",
        span=span(case.period_word, case.horizon, t, fmt),
        rate=fmt.percent(case.spec["discount_rate"], digits=0),
        pv_make=fmt.money(s["pv_make"]),
        pv_buy=fmt.money(s["pv_buy"]),
        cheaper=t.gettext(DOING[cheaper]),
        saving=fmt.money(abs(s["make_saving"])),
        share=fmt.percent(s["margin_share"], digits=0),
        dearer=t.gettext(DOING[dearer]),
    )
    hidden = t.gettext(
        "Hidden and indirect costs are {make} of the make cost (overhead, financing) and {buy} of the buy cost "
        "(transition, supplier management, quality, supplier risk).",
        make=fmt.percent(s["hidden_share_make"], digits=0),
        buy=fmt.percent(s["hidden_share_buy"], digits=0),
    )
    return [first, break_even_sentence(a.break_even, case.period_word, case.horizon, t, fmt), hidden]


def uncertainty_sentences(a: CaseAnalysis, t: Messages, fmt: Formatter) -> list[str]:
    """The Monte Carlo, a flip under uncertainty, and how the chance moves with volatility."""
    mc, d = a.monte_carlo, a.case.spec["demand"]
    p = mc["p_make_cheaper"]
    out = [
        t.gettext(
            "Over {n} simulated demand paths ({distribution}, volatility {volatility}), making is cheaper in {share} of them; "
            "the median saving from making is {median}.",
            n=fmt.integer(mc["n_draws"]),
            distribution=t.label(d["distribution"], DISTRIBUTIONS),
            volatility=fmt.percent(d["volatility"], digits=0),
            share=fmt.percent(p, digits=0),
            median=fmt.money(mc["p50"]),
        )
    ]
    saving = a.summary["make_saving"]
    if (saving > 0) != (p > 0.5):
        mc_winner, share = ("make", p) if p > 0.5 else ("buy", 1 - p)
        plan_winner = "make" if saving > 0 else "buy"
        fields = {
            "plan": t.gettext(DOING[plan_winner]),
            "simulated": t.gettext(DOING[mc_winner]),
            "share": fmt.percent(share, digits=0),
            "below": fmt.percent(mc.get("share_below_plan") or 0.0, digits=0),
        }
        if (mc.get("share_below_plan") or 0.0) > 0.5:
            out.append(
                t.gettext(
                    "The answer flips under uncertainty: at the planned demand {plan} is cheaper, but {simulated} is cheaper in "
                    "{share} of the simulated demand paths ({below} of the paths have less demand than planned).",
                    **fields,
                )
            )
        else:
            out.append(
                t.gettext(
                    "The answer flips under uncertainty: at the planned demand {plan} is cheaper, but {simulated} is cheaper in "
                    "{share} of the simulated demand paths.",
                    **fields,
                )
            )
    if len(a.volatility) > 1:
        v = a.volatility.sort_values("multiplier", kind="stable")
        lo, hi = v.iloc[0], v.iloc[-1]
        out.append(
            t.gettext(
                "As demand volatility goes from {low} to {high}, the chance that making is cheaper moves from {p_low} to {p_high}.",
                low=fmt.percent(lo["volatility"], digits=0),
                high=fmt.percent(hi["volatility"], digits=0),
                p_low=fmt.percent(lo["p_make_cheaper"], digits=0),
                p_high=fmt.percent(hi["p_make_cheaper"], digits=0),
            )
        )
    return out


def sensitivity_sentences(a: CaseAnalysis, t: Messages, fmt: Formatter) -> list[str]:
    """The input the answer depends on most, and the others that reverse it."""
    sens = a.tornado
    if not len(sens):
        return []
    top = sens.iloc[0]
    fields = {
        "input": lower_first(t.label(top["input"], INPUTS)),
        "low": input_value(top["input"], top["low_value"], fmt),
        "high": input_value(top["input"], top["high_value"], fmt),
        "at_low": fmt.money(top["saving_at_low"]),
        "at_high": fmt.money(top["saving_at_high"]),
    }
    if bool(top["flips"]):
        msg = t.gettext(
            "The result is most sensitive to {input}: between {low} and {high} the saving from making runs from {at_low} to "
            "{at_high} and the choice reverses within that range.",
            **fields,
        )
    else:
        msg = t.gettext(
            "The result is most sensitive to {input}: between {low} and {high} the saving from making runs from {at_low} to {at_high}.",
            **fields,
        )
    out = [msg]
    others = sens.iloc[1:][sens["flips"].iloc[1:]]
    if len(others):
        names = listing([lower_first(t.label(x, INPUTS)) for x in others["input"]], t)
        out.append(t.gettext("The choice also reverses within the range of: {inputs}.", inputs=names))
    return out


def scoring_sentences(a: CaseAnalysis, t: Messages, fmt: Formatter) -> list[str]:
    """The factors on each side, the weighing and a close call."""
    out = []
    card, r = a.scorecard, a.recommendation
    for side in ("make", "buy"):
        part = card[card["favours"] == side]
        if not len(part):
            continue
        items = [
            t.gettext("{factor} (scored {score} of 5)", factor=lower_first(t.label(row.factor, FACTORS)), score=int(row.score))
            for row in part.itertuples()
        ]
        if side == "make":
            out.append(t.gettext("Favouring making: {factors}.", factors=listing(items, t)))
        else:
            out.append(t.gettext("Favouring buying: {factors}.", factors=listing(items, t)))
    out.append(
        t.gettext(
            "Weighing cost at {cost_weight} (score {cost} of 5 from the chance that making is cheaper) and the qualitative "
            "factors at {qual_weight} (score {qual} of 5), the combined score is {combined} (above 3 favours making), so the "
            "recommendation is to {verb}.",
            cost_weight=fmt.percent(r.cost_weight, digits=0),
            cost=fmt.number(r.cost_score, digits=1),
            qual_weight=fmt.percent(1 - r.cost_weight, digits=0),
            qual=fmt.number(r.qualitative_score, digits=1),
            combined=fmt.number(r.combined_score, digits=2),
            verb=t.gettext("make") if r.recommendation == "make" else t.gettext("buy"),
        )
    )
    if r.close_call:
        out.append(t.gettext("This is a close call: revisit it when demand is clearer or a supplier quote is firm."))
    return out


def case_reasons(a: CaseAnalysis, t: Messages, fmt: Formatter) -> list[str]:
    """Every reason behind one case's recommendation, in the order a reader needs them."""
    return cost_sentences(a, t, fmt) + uncertainty_sentences(a, t, fmt) + sensitivity_sentences(a, t, fmt) + scoring_sentences(a, t, fmt)
