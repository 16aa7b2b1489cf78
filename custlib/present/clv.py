"""Tables and charts of the customer lifetime value analysis, in the report's language.

Views take a :class:`~custlib.analysis.clv.LifetimeValueResult` (or one of its
frames) and a report context and return a
:class:`~custlib.present.tables.TableView`; charts draw on ``ax`` and return it.
Every word comes from the ``clv`` catalogue. ``REASONS`` words the codes of
:class:`~custlib.exceptions.InsufficientDataError` the analysis raises, and
``NOTES`` and ``LIMITS`` the codes of its caveats (:class:`~custlib.analysis.clv.Note`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlib.analysis.clv import LifetimeValueResult
from custlib.exceptions import DataError
from custlib.present.costs import on_cost
from custlib.present.messages import N_
from custlib.present.tables import TableView

DOMAIN = "clv"

#: Why the lifetime value models cannot be fitted, by the code of the InsufficientDataError.
REASONS = {
    "no_orders": N_("There are no orders to summarise."),
    "no_orders_before": N_("There is no order on or before {date}."),
    "no_orders_up_to": N_("There are no orders up to {date}, so there is no customer to model."),
    "too_few_customers": N_("The purchase model needs at least {needed} customers; there are {found}."),
    "no_repeat_purchases": N_("No customer has a repeat purchase, so the purchase model cannot be fitted."),
    "no_customer_age": N_("Every customer was acquired on the last day, so there is nothing to fit."),
    "too_few_repeat_customers": N_("The spend model needs at least {needed} repeat customers; there are {found}."),
    "same_spend": N_("Every repeat customer spends the same on average, so the spread of spend cannot be estimated."),
    "no_margin": N_("Total revenue up to {date} is not positive, so no margin can be derived; set the margin in the parameters."),
    "too_thin_for_models": N_(
        "{customers} customers have orders up to {date}, {repeat_customers} of them a repeat purchase (orders on two or "
        "more days) with a positive spend. The purchase model (BG/NBD) needs at least two customers, some with repeat "
        "purchases, and the spend model (Gamma-Gamma) at least three repeat customers whose spend differs."
    ),
}

#: Caveats of the analysis, by the code of its Note.
NOTES = {
    "no_holdout_check": N_("No holdout check: the history before {date} is too thin to fit the model on it."),
    "fitted_on_sample": N_(
        "The purchase and spend models were fitted on a random sample of {sample} of the {customers} customers "
        "(seed {seed}); every customer is scored with them."
    ),
    "no_spend_value": N_(
        "{n} customers with a non-positive mean repeat spend (returns, credits) have no expected spend or lifetime value."
    ),
    "no_standard_errors": N_("{model}: the likelihood is flat in some direction at the optimum, so there are no standard errors."),
    "not_converged": N_("The fit of ({parameters}) may not have converged."),
}

#: What it means that parameters of a model end on the search limit (a ``search_limit`` note), by meaning.
LIMITS = {
    "similar_rates": N_(
        "{model}: {parameters} reached the search limit because purchase rates barely differ between customers; "
        "the estimates are limiting values without standard errors."
    ),
    "extreme_dropout": N_(
        "{model}: {parameters} reached the search limit because almost no one, or almost everyone, drops out; "
        "the estimates are limiting values without standard errors."
    ),
    "extreme_spread": N_(
        "{model}: {parameters} reached the search limit because the spread of a customer's transaction values is "
        "extreme; the estimates are limiting values without standard errors."
    ),
    "similar_spend": N_(
        "{model}: {parameters} reached the search limit because average spend barely differs between customers "
        "beyond transaction noise; the estimates are limiting values without standard errors."
    ),
}

#: What a model fell back to when its fit reached the search limit (a ``fallback`` note), by the limit's code.
FALLBACKS = {
    "common_dropout": N_(
        "Purchase model (BG/NBD): customers do not differ measurably in how likely they are to stop buying, so one "
        "chance is used for all: {p} of customers stop after each repeat purchase."
    ),
    "no_dropout": N_(
        "Purchase model (BG/NBD): the data show no customer stopping for good, so the model is fitted without dropout "
        "and cannot tell whether a customer is still active; probability active is left blank."
    ),
    "common_spend": N_(
        "Spend model (Gamma-Gamma): average spend does not differ measurably between customers beyond the ups and downs "
        "of single purchases, so every customer's expected spend per purchase is the average, {mean}."
    ),
    "own_spend": N_(
        "Spend model (Gamma-Gamma): a customer's purchases barely vary in value, so each customer's expected spend per "
        "purchase is their own average."
    ),
}

#: Why probability active is blank for customers without a repeat purchase (said under a table that shows it).
ONE_TIME_BUYERS = N_(
    "Probability active is blank for customers who have bought on one day only: the purchase model (BG/NBD) lets a "
    "customer stop only after a repeat purchase, so it rates every one-time buyer 100% active however long ago they "
    "bought, and cannot tell."
)

#: The one frequency group that is a code rather than a number of purchases.
GROUPS = {"all": N_("All customers")}


def note_texts(result, ctx, leave_out=()) -> list[str]:
    """The caveats of a :class:`~custlib.analysis.clv.LifetimeValueResult`, each in the report's language.

    Numbers in a note's fields are written with ``ctx.fmt``; a note whose code
    has no message here, or is in ``leave_out``, is left out (its English
    text is for logs).
    """
    t = ctx.messages(DOMAIN)
    out = []
    for note in result.notes:
        code = getattr(note, "code", None)
        if code in leave_out:
            continue
        if code == "search_limit":  # one sentence per meaning of the parameters on the limit
            out += [t.gettext(LIMITS[m], model=note.fields["model"], parameters=p) for m, p in note.fields["limits"].items()]
        elif code == "fallback" and note.fields.get("variant") in FALLBACKS:
            p = note.fields.get("p")
            fields = {
                "p": ctx.fmt.percent(p, digits=2 if p is not None and p < 0.01 else 1),
                "mean": ctx.fmt.money(note.fields.get("mean")),
            }
            message = FALLBACKS[note.fields["variant"]]
            out.append(t.gettext(message, **fields))
        elif code in NOTES:
            fields = {k: ctx.fmt.integer(v) if isinstance(v, int | np.integer) and k != "seed" else v for k, v in note.fields.items()}
            out.append(t.gettext(NOTES[code], **fields))
    return out


def notes_text(result, ctx, leave_out=("no_holdout_check",)) -> str:
    """The caveats of the analysis (:func:`note_texts`) as one paragraph; "" when there are none or no result.

    By default the missing holdout check is left out: :func:`holdout_chart`
    and :func:`holdout_view` say it where the check would be.
    """
    if not isinstance(result, LifetimeValueResult):
        return ""  # unavailable: the table below says why
    sep = "" if ctx.lang == "zh" else " "  # Chinese sentences end in a full-width stop and take no space after it
    return sep.join(note_texts(result, ctx, leave_out))


def _check_frame(result) -> pd.DataFrame | None:
    check = getattr(result, "check", result)
    if check is not None and not {"frequency_group", "actual", "predicted"} <= set(check.columns):
        raise DataError(f"check: expected columns frequency_group, actual, predicted (found: {', '.join(map(str, check.columns))})")
    return check


def holdout_view(result, ctx) -> TableView:
    """The holdout check as a table: customers, actual and predicted mean repeat purchases by frequency group.

    ``result`` is the analysis result or its ``check`` frame
    (:func:`~custlib.analysis.clv.holdout_check`); without a check the table is empty.
    """
    t = ctx.messages(DOMAIN)
    check = _check_frame(result)
    if check is None:
        msg = NOTES["no_holdout_check"]
        return TableView(pd.DataFrame(), caption=t.gettext(msg, date=ctx.fmt.date(result.calibration_end)))
    h = {
        "group": t.gettext("Repeat purchases before the holdout window"),
        "customers": t.gettext("Customers"),
        "actual": t.gettext("Actual mean repeat purchases"),
        "predicted": t.gettext("Predicted mean repeat purchases"),
    }
    frame = pd.DataFrame(
        {
            h["group"]: [t.label(g, GROUPS) if g in GROUPS else g for g in check["frequency_group"]],
            h["customers"]: check["customers"].to_numpy(),
            h["actual"]: check["actual"].to_numpy(),
            h["predicted"]: check["predicted"].to_numpy(),
        }
    )
    kinds = {h["group"]: "text", h["customers"]: "integer", h["actual"]: "ratio", h["predicted"]: "ratio"}
    return TableView(frame, kinds)


@on_cost
def customers_view(result, ctx, top: int | None = None, names: pd.Series | None = None) -> TableView:
    """The customers ranked by lifetime value: probability active, expected purchases and spend, CLV.

    ``result`` is the analysis result or its ``customers`` frame. The first
    ``top`` rows are shown (default: the report's ``report.top_n``, 15 when
    unset), with a caption saying so when rows were cut. ``names`` (customer
    id -> name) adds a name column; by default the names in the report's
    customers table, when it has them. Customer ids and names are data: shown
    as they are.
    """
    t = ctx.messages(DOMAIN)
    df = getattr(result, "customers", result)
    n = int(top if top is not None else ((ctx.params or {}).get("report") or {}).get("top_n", 15))
    total, df = len(df), df.head(n)
    if names is None:
        names = _customer_names(ctx)
    cols = {"customer": t.gettext("Customer")}
    out = {cols["customer"]: df.iloc[:, 0].to_numpy()}
    kinds = {cols["customer"]: "text"}
    if names is not None:
        header = t.gettext("Name")
        out[header] = df.iloc[:, 0].map(names).to_numpy()
        kinds[header] = "text"
    for col, label, kind in (
        ("frequency", N_("Repeat purchases"), "integer"),
        ("probability_alive", N_("Probability active"), "percent"),
        ("expected_purchases", N_("Expected purchases next month"), "ratio"),
        ("expected_value", N_("Expected spend per purchase"), "money"),
        ("clv", N_("Lifetime value"), "money"),
    ):
        header = t.gettext(label)
        out[header] = df[col].to_numpy()
        kinds[header] = kind
    caption = None
    if total > n:
        caption = t.ngettext(
            "The first {n} of {total} customers",
            "The first {n} of {total} customers",
            n,
            n=ctx.fmt.integer(n),
            total=ctx.fmt.integer(total),
        )
    if (df["probability_alive"].isna() & (df["frequency"] == 0)).any():
        note = t.gettext(ONE_TIME_BUYERS)
        caption = note if caption is None else t.gettext("{caption}. {note}", caption=caption, note=note)
    return TableView(pd.DataFrame(out), kinds, caption)


def _customer_names(ctx) -> pd.Series | None:
    """Customer id -> name from the report's customers table, or None without one (or without names)."""
    customers = getattr(getattr(ctx, "data", None), "customers", None)
    if customers is None or not {"customer_id", "name"} <= set(customers.columns):
        return None
    return customers.drop_duplicates("customer_id").set_index("customer_id")["name"]


def parameters_view(result, ctx) -> TableView:
    """The fitted parameters of both models with standard errors and 95% intervals."""
    t = ctx.messages(DOMAIN)
    p = getattr(result, "parameters", result)
    h = [
        t.gettext(s)
        for s in (N_("Model"), N_("Parameter"), N_("Estimate"), N_("Standard error"), N_("95% interval, lower"), N_("95% interval, upper"))
    ]
    cols = ["model", "parameter", "estimate", "std_error", "ci_lower", "ci_upper"]
    frame = pd.DataFrame({header: p[c].to_numpy() for header, c in zip(h, cols, strict=True)})
    return TableView(frame, dict(zip(h, ["text", "text"] + ["number"] * 4, strict=True)))


def holdout_chart(result, ctx, ax=None):
    """Line chart of actual vs predicted mean holdout purchases by calibration frequency.

    ``result`` is the analysis result or its ``check`` frame (the ``"all"`` row
    is left out). Without a check (too thin a history before the holdout
    window) no chart is drawn; the axes say that there is no check.
    """
    import matplotlib.pyplot as plt

    t = ctx.messages(DOMAIN)
    check = _check_frame(result)
    if check is None:
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 1.2))
        ax.axis("off")
        if hasattr(result, "calibration_end"):
            msg = NOTES["no_holdout_check"]
            text = t.gettext(msg, date=ctx.fmt.date(result.calibration_end))
        else:
            text = t.gettext("No holdout check: the history before the holdout window is too thin to fit the model on it.")
        ax.text(0.0, 0.5, text, va="center", fontsize=10, transform=ax.transAxes)
        return ax
    rows = check[check["frequency_group"] != "all"]
    if ax is None:
        _, ax = plt.subplots()
    pos = np.arange(len(rows))
    ax.plot(pos, rows["actual"].to_numpy(), marker="o", label=t.gettext("Actual"))
    ax.plot(pos, rows["predicted"].to_numpy(), marker="o", linestyle="--", label=t.gettext("Predicted (BG/NBD)"))
    ax.set_xticks(pos, rows["frequency_group"].to_list())
    ax.set_xlabel(t.gettext("Repeat purchases before the holdout window"))
    ax.set_ylabel(t.gettext("Mean repeat purchases in the holdout window"))
    ax.set_title(t.gettext("Holdout check: actual and predicted repeat purchases"))
    ax.legend(loc="upper left")
    return ax
