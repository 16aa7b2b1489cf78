"""Action lists: every customer behind a "call / visit / offer" sentence of an executive summary.

A summary's advice counts customers ("Call the 242 customers who stopped ordering"); the report's
table shows the first ``report.top_n``. The whole list goes to the region's action workbook
(``actions.xlsx``, one sheet per list) and table (``actions.csv``), for the sales team and a CRM.

How a list travels
------------------
1. A notebook gives :meth:`~custlib.reports.context.ReportContext.summary` its lists
   (``lists=actions.overview_lists(ctx, lapsed)``): each is built here from the very frame the
   advice rule counts (``len(lapsed)``), every row kept, so a count and its list cannot differ.
2. The summary publishes them in the executed notebook under :data:`ACTIONS_MIME` (:func:`payload`),
   beside its HTML, which then links the workbook; nothing is written to disk by a notebook.
3. The runner reads the parts of every report of a region (:func:`parts_of`), merges them
   (:func:`workbook_tables`: sheet names and headers in the report language, the next best product
   of the development report joined to the lists that offer something) and writes the two files
   (:mod:`custlib.run.actions`) through the render's staging, like the reports.

The lists (sheet order): ``lapsed`` and ``largest`` (overview: stopped ordering, the largest customers), ``at_risk`` and ``moved_down``
(segmentation: valuable customers at risk, who moved down a tier), ``to_grow`` (segmentation: the
scorecard's customers to grow), ``watch`` (development: the early-warning watch list), ``winback``
(development: lapsed customers worth winning back), ``campaign`` (development: the customers the
campaign plan contacts within the budget), ``loss_a``, ``loss_bc``, ``served``, ``returned`` and
``tier_down`` (Pareto: customers of tier A and of tiers B and C who lose money, customers served
without ordering, customers who returned more than they bought, customers who moved down a revenue tier).
"""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd

from custlib.present.actions import COLUMNS, REASONS, SHEETS, header, sheet_name
from custlib.present.messages import Messages

#: The region's action workbook and table, beside its reports (the summaries link them by these names).
FILES = ("actions.xlsx", "actions.csv")
#: The mimetype under which a report publishes its action lists (see :func:`payload`).
ACTIONS_MIME = "application/vnd.custlib.actions+json"
#: the development report's next best product per customer: joined to these lists, not a sheet of its own
SUGGESTIONS = "next_best"
SUGGESTED_IN = ("to_grow", "winback", "campaign")

#: column code -> kind (the cell's number format: ``money``, ``number``, ``pct``, ``date``, ``int`` or ``text``)
KINDS = {
    **{c: "text" for c in COLUMNS},
    "rank": "int",
    "group_rank": "int",
    "revenue_previous_quarter": "money",
    "revenue_12m": "money",
    "revenue_12m_before": "money",
    "revenue_change": "pct",
    "last_order": "date",
    "days_since_order": "int",
    "potential_value": "number",
    "current_value": "number",
    "wallet_headroom": "money",
    "share_of_wallet": "pct",
    "usual_revenue_month": "money",
    "recent_revenue_month": "money",
    "lost_revenue_month": "money",
    "months_falling": "int",
    "lines_before": "int",
    "lines_recent": "int",
    "p_alive": "pct",
    "quarters_since_order": "int",
    "past_revenue": "money",
    "past_profit": "money",
    "profit_per_contact": "money",
    "revenue_quarter": "money",
    "share_of_revenue": "pct",
    "gross_profit_quarter": "money",
    "cost_to_serve_quarter": "money",
    "net_profit_quarter": "money",
}


def _have(frame) -> bool:
    return isinstance(frame, pd.DataFrame)


def _ids(frame: pd.DataFrame) -> pd.Series:
    """The customer ids of a list, whether a column or the index."""
    values = frame["customer_id"] if "customer_id" in frame.columns else frame.index.to_series()
    return pd.Series(values.astype("str").to_numpy())


def _frame(frame: pd.DataFrame, ctx, columns: dict) -> pd.DataFrame:
    """customer_id, name, region, then ``columns`` (code -> values of ``frame``'s rows, in order): one row per row of ``frame``."""
    out = {"customer_id": _ids(frame), "name": pd.Series(frame["name"].to_numpy(dtype=object)), "region": ctx.region}
    for code, values in columns.items():
        out[code] = pd.Series(np.asarray(values, dtype=object)) if len(frame) else pd.Series(dtype=object)
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


def _change(now, before) -> pd.Series:
    now, before = pd.Series(now, dtype="float64").reset_index(drop=True), pd.Series(before, dtype="float64").reset_index(drop=True)
    return (now / before - 1).where(before > 0)


def _labels(values, table: dict, t: Messages) -> list:
    return [None if pd.isna(v) else t.label(v, table) for v in values]


def overview_lists(ctx, lapsed, top=None) -> dict[str, pd.DataFrame]:
    """The overview's lists: ``lapsed`` (:func:`~custlib.analysis.overview.lapsed_customers`), the customers its advice
    calls, and ``top`` (:func:`~custlib.analysis.overview.top_customers`), the largest customers it gives account managers."""
    from custlib.present.overview import INDUSTRIES

    t, out = ctx.messages("overview"), {}
    if _have(lapsed):
        cols = {
            "industry": _labels(lapsed["industry"], INDUSTRIES, t),
            "revenue_previous_quarter": lapsed["revenue_previous"],
            "last_order": lapsed["last_order"],
        }
        out["lapsed"] = _frame(lapsed, ctx, cols)
    if _have(top):
        cols = {
            "industry": _labels(top["industry"], INDUSTRIES, t),
            "revenue_quarter": top["revenue"],
            "gross_profit_quarter": top["gross_profit"],
            "share_of_revenue": top["share_of_revenue"],
        }
        out["largest"] = _frame(top, ctx, cols)
    return out


def segmentation_lists(ctx, *, at_risk, moved_down, to_grow) -> dict[str, pd.DataFrame]:
    """The segmentation report's lists: valuable customers at risk and who moved down a tier, customers to grow (whole lists)."""
    import custlib.present.segmentation.labels as L
    from custlib.present.development.labels import GROUPS, value_label

    t, s, d = ctx.t, ctx.messages("segmentation"), ctx.messages("development")
    slipping, moved = REASONS["slipping"], REASONS["moved"]
    out = {}
    if _have(at_risk):
        why = [
            "; ".join(
                [t.gettext(slipping, segment=s.label(seg, L.SEGMENTS))] * bool(slip) + [t.label("revenue_falling", REASONS)] * bool(fall)
            )
            for seg, slip, fall in zip(at_risk["segment"], at_risk["slipping"], at_risk["revenue_falling"], strict=True)
        ]
        out["at_risk"] = _frame(
            at_risk,
            ctx,
            {
                "market_type": [value_label(v, GROUPS, d) for v in at_risk["market_type"]],
                "reason": why,
                "tier": _labels(at_risk["tier"], L.TIERS, s),
                "abc": at_risk["abc"].astype("object").where(at_risk["abc"].notna(), None),
                "revenue_12m": at_risk["revenue"],
                "revenue_change": _change(at_risk["revenue"], at_risk["revenue_prior"]),
                "last_order": at_risk["last_order"],
            },
        )
    if _have(moved_down):
        moved = [
            t.gettext(moved, before=s.label(b, L.TIERS), now=s.label(a, L.TIERS))
            for b, a in zip(moved_down["previous_tier"], moved_down["tier"], strict=True)
        ]
        out["moved_down"] = _frame(
            moved_down,
            ctx,
            {
                "reason": moved,
                "revenue_12m_before": moved_down["revenue_prior_quarter"],
                "revenue_12m": moved_down["revenue"],
                "revenue_change": _change(moved_down["revenue"], moved_down["revenue_prior_quarter"]),
                "days_since_order": moved_down["recency_days"],
            },
        )
    if _have(to_grow):
        out["to_grow"] = _frame(
            to_grow,
            ctx,
            {
                "market_type": [value_label(v, GROUPS, d) for v in to_grow["market_type"]],
                "potential_value": to_grow["potential_value"],
                "current_value": to_grow["current_value"],
                "revenue_12m": to_grow["revenue"],
                "revenue_change": _change(to_grow["revenue"], to_grow["revenue_prior"]),
                "wallet_headroom": to_grow["wallet_headroom"],
                "share_of_wallet": to_grow["share_of_wallet"],
            },
        )
    return out


def development_lists(ctx, *, watch, winback, targets, next_best) -> dict[str, pd.DataFrame]:
    """The development report's lists: the watch list, the win-back candidates, the campaign's customers (whole lists),
    and the next best product of each customer (:data:`SUGGESTIONS`, joined to the lists of :data:`SUGGESTED_IN`)."""
    from custlib.present.development.labels import GROUPS, value_label

    t, d = ctx.t, ctx.messages("development")
    out = {}
    if _have(watch):
        why = [
            "; ".join(t.label(k, REASONS) for k, on in (("decline", a), ("drop", b), ("lines", c)) if on)
            for a, b, c in zip(watch["decline"], watch["drop"], watch["lines"], strict=True)
        ]
        out["watch"] = _frame(
            watch,
            ctx,
            {
                "size_band": [value_label(v, GROUPS, d) for v in watch["size_band"]],
                "market_type": [value_label(v, GROUPS, d) for v in watch["market_type"]],
                "rank": watch["rank"],
                "reason": why,
                "usual_revenue_month": watch["trailing_avg_revenue"],
                "recent_revenue_month": watch["recent_avg_revenue"],
                "lost_revenue_month": (watch["trailing_avg_revenue"] - watch["recent_avg_revenue"]).clip(lower=0),
                "months_falling": watch["months_declining"],
                "lines_before": watch["lines_before"],
                "lines_recent": watch["lines_recent"],
                "p_alive": watch["p_alive"],
            },
        )
    if _have(winback):
        out["winback"] = _frame(
            winback,
            ctx,
            {
                "size_band": [value_label(v, GROUPS, d) for v in winback["size_band"]],
                "market_type": [value_label(v, GROUPS, d) for v in winback["market_type"]],
                "rank": winback["rank"],
                "last_order": winback["last_order_date"],
                "quarters_since_order": winback["quarters_since_last_order"],
                "past_revenue": winback["past_revenue"],
                "past_profit": winback["past_profit"],
                "p_alive": winback["p_alive"],
            },
        )
    if _have(targets):
        names = ctx.data.customers.assign(customer_id=ctx.data.customers["customer_id"].astype("str")).set_index("customer_id")["name"]
        with_names = targets.assign(name=names.reindex(targets["customer_id"].astype("str")).to_numpy())
        out["campaign"] = _frame(
            with_names,
            ctx,
            {
                "target_group": targets["segment"],
                "group_rank": targets["group_rank"],
                "profit_per_contact": targets["profit_per_contact"],
                "revenue_12m": targets["revenue_12m"],
                "last_order": targets["last_order"],
            },
        )
    if _have(next_best):
        out[SUGGESTIONS] = _frame(
            next_best, ctx, {"suggested_product": next_best["next_product"], "suggested_because": next_best["because_of"]}
        )
    return out


def _named(frame: pd.DataFrame, ctx) -> pd.DataFrame:
    """``frame`` (customer ids as its index) with the customers' names as a column ``name``."""
    cust = ctx.data.customers
    names = pd.Series(cust["name"].to_numpy(dtype=object), index=cust["customer_id"].astype("str").to_numpy())
    names = names[~names.index.duplicated()]
    return frame.assign(name=names.reindex(frame.index.astype("str")).to_numpy())


def pareto_lists(ctx, profit, moves, *, cutoffs=(0.8, 0.95)) -> dict[str, pd.DataFrame]:
    """The Pareto report's lists, from the frames its rules count: loss-makers of tier A and of tiers B and C
    (:func:`~custlib.analysis.pareto.customer_losses`), customers served without ordering
    (:func:`~custlib.analysis.pareto.served_without_orders`), customers who returned more than they bought, all of
    ``profit`` (:func:`~custlib.analysis.pareto.quarter_profit`); customers who moved down a revenue tier (``moves``)."""
    from custlib.analysis.pareto import customer_losses, served_without_orders

    t = ctx.t
    moved = REASONS["moved"]
    out = {}
    if _have(profit) and len(profit):
        who = customer_losses(profit, cutoffs=cutoffs)
        base = _named(profit.join(who[["status", "tier"]]), ctx)
        in_a = (who["tier"] == "A").fillna(False).astype(bool)
        picks = {
            "loss_a": who["losing"] & in_a,
            "loss_bc": who["losing"] & ~in_a,
            "served": served_without_orders(profit),
            "returned": who["status"] == "returned_goods",
        }
        for key, mask in picks.items():
            rows = base.loc[mask.to_numpy(dtype=bool)]
            cols = {"revenue_tier": rows["tier"].astype(object).where(rows["tier"].notna(), None)} if key.startswith("loss") else {}
            cols |= {"revenue_quarter": rows["revenue"], "gross_profit_quarter": rows["gross_profit"]}
            cols |= {"cost_to_serve_quarter": rows["cost_to_serve"], "net_profit_quarter": rows["net_profit"]}
            out[key] = _frame(rows, ctx, cols)
    if _have(moves):
        down = _named(moves.loc[moves["move"] == "down"], ctx)
        out["tier_down"] = _frame(
            down,
            ctx,
            {
                "reason": [t.gettext(moved, before=b, now=a) for b, a in zip(down["from_tier"], down["to_tier"], strict=True)],
                "revenue_previous_quarter": down["revenue_before"],
                "revenue_quarter": down["revenue_after"],
                "revenue_change": _change(down["revenue_after"], down["revenue_before"]),
            },
        )
    return out


# --------------------------------------------------------------------------- publishing and merging


def _json_value(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp | dt.datetime | dt.date | np.datetime64):
        ts = pd.Timestamp(v)
        return None if pd.isna(ts) else ts.strftime("%Y-%m-%d")
    if isinstance(v, np.bool_ | bool):
        return bool(v)
    if isinstance(v, np.integer | int):
        return int(v)
    if isinstance(v, np.floating | float):
        return None if math.isnan(float(v)) else float(v)
    return str(v)


def payload(lists: dict[str, pd.DataFrame]) -> dict:
    """The lists as JSON (:data:`ACTIONS_MIME`): per list its code, its columns with their kind, and every row."""
    out = []
    for key, frame in lists.items():
        cols = list(frame.columns)
        rows = [[_json_value(v) for v in row] for row in frame.itertuples(index=False, name=None)]
        out.append({"key": key, "columns": [[c, KINDS.get(c, "text")] for c in cols], "rows": rows})
    return {"lists": out}


def has_rows(lists: dict[str, pd.DataFrame]) -> bool:
    """Whether any list (the suggestions aside) has a customer: the report then links the workbook."""
    return any(len(f) for k, f in lists.items() if k != SUGGESTIONS)


def parts_of(notebook) -> list[dict]:
    """The lists an executed notebook (a path or its JSON text as a dict) published, in its order."""
    nb = notebook if isinstance(notebook, dict) else json.loads(open(notebook, encoding="utf-8").read())
    out = []
    for cell in nb.get("cells", []):
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if ACTIONS_MIME in data:
                out.extend(data[ACTIONS_MIME].get("lists", []))
    return out


def workbook_tables(parts: list[dict], lang: str = "en") -> tuple[dict, dict, pd.DataFrame, dict]:
    """Merge the lists of a region's reports into the workbook's sheets and the CSV table.

    Parameters
    ----------
    parts : list of dict
        The lists of every report (:func:`parts_of`), reports in notebook order; a list code seen twice keeps the first.
    lang : str
        The reports' language: sheet names and column headers of the workbook.

    Returns
    -------
    sheets : dict
        Sheet name -> DataFrame (translated headers), in the order of :data:`~custlib.present.actions.SHEETS`.
    kinds : dict
        Sheet name -> {header: kind} (:data:`KINDS`).
    table : DataFrame
        Every list in one table for a CRM: ``list`` (the list's code), ``list_name`` (its sheet name), then the columns'
        codes (a list without a column leaves it empty).
    counts : dict
        List code -> rows.
    """
    t = Messages(lang, "custlib")
    by_key: dict[str, pd.DataFrame] = {}
    for part in parts:
        if part["key"] not in by_key:
            by_key[part["key"]] = pd.DataFrame(part["rows"], columns=[c for c, _ in part["columns"]], dtype=object)
    hint = by_key.pop(SUGGESTIONS, None)
    sheets, kinds, rows, counts = {}, {}, [], {}
    for key in [k for k in SHEETS if k in by_key] + sorted(k for k in by_key if k not in SHEETS):
        frame = by_key[key]
        if key in SUGGESTED_IN and hint is not None:
            best = hint.drop_duplicates("customer_id").set_index("customer_id")[["suggested_product", "suggested_because"]]
            frame = frame.join(best, on="customer_id")
        frame = frame.astype(object).where(frame.notna(), None)  # dates stay ISO text in the CSV
        for code in frame.columns:
            if KINDS.get(code) == "money":  # to the cent: 580105.94, not 580105.9400000001
                frame[code] = [None if v is None else round(float(v), 2) for v in frame[code]]
        name = sheet_name(key, t)
        rows.append(frame.assign(list=key, list_name=name))
        cells = frame.copy()
        for code in cells.columns:
            if KINDS.get(code) == "date":  # a date cell in the workbook
                cells[code] = [None if v is None else pd.Timestamp(v).to_pydatetime() for v in cells[code]]
        sheets[name] = cells.rename(columns={c: header(c, t) for c in cells.columns})
        kinds[name] = {header(c, t): KINDS.get(c, "text") for c in cells.columns}
        counts[key] = len(frame)
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["list", "list_name"])
    table = table[["list", "list_name", *[c for c in table.columns if c not in ("list", "list_name")]]]
    return sheets, kinds, table, counts
