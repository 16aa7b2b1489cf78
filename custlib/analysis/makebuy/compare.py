"""Every analysis of every case of a ``makebuy`` parameter section, as frames of codes and numbers."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from custlib.analysis.makebuy.breakeven import BreakEven, break_even
from custlib.analysis.makebuy.cases import FACTOR_DIRECTION, FACTORS, Case, as_case, demand_path
from custlib.analysis.makebuy.costs import cost_table, npv_summary
from custlib.analysis.makebuy.schema import load_schema, validate_params
from custlib.analysis.makebuy.scoring import Recommendation, recommend, scorecard
from custlib.analysis.makebuy.sensitivity import tornado
from custlib.analysis.makebuy.simulation import simulate, summarise_draws, volatility_table
from custlib.exceptions import InsufficientDataError

#: The keys of a ``makebuy`` section that are not settings of the analysis (see :func:`chosen_cases`).
CASE_KEYS = ("cases", "example_cases", "show_examples")


@dataclass(frozen=True)
class CaseAnalysis:
    """Everything computed for one case (see :func:`analyse_case`)."""

    case: Case
    cost_table: pd.DataFrame
    summary: dict
    break_even: BreakEven
    draws: pd.DataFrame
    monte_carlo: dict
    volatility: pd.DataFrame
    tornado: pd.DataFrame
    scorecard: pd.DataFrame
    recommendation: Recommendation

    @property
    def expected_saving(self) -> float:
        """Mean simulated PV of the option not recommended minus that of the recommended one.

        Negative where the qualitative factors outweigh a cost disadvantage.
        """
        s = float(self.monte_carlo["mean_saving"])
        return s if self.recommendation.recommendation == "make" else -s


def settings_with_defaults(settings: Mapping | None) -> dict:
    """The section-level settings (everything but the cases, see :data:`CASE_KEYS`) over the schema's defaults."""
    schema = load_schema()
    out = {k: copy.deepcopy(v["default"]) for k, v in schema["properties"].items() if "default" in v and k not in CASE_KEYS}
    if settings:
        out.update({k: v for k, v in settings.items() if k not in CASE_KEYS})
    return out


def analyse_case(case, settings: Mapping | None = None) -> CaseAnalysis:
    """Run every analysis of one case.

    Parameters
    ----------
    case : Case or mapping
    settings : mapping, optional
        The section-level settings (seed, n_draws, volatility_multipliers,
        sensitivity_range, cost_weight, close_call_band, scorecard_weights);
        the schema defaults by default.

    Returns
    -------
    CaseAnalysis

    Raises
    ------
    ParamsError
        The case or a setting is invalid.
    """
    case = as_case(case)
    s = settings_with_defaults(settings)
    summary = npv_summary(case)
    draws = simulate(case, n_draws=s["n_draws"], seed=s["seed"])
    mc = summarise_draws(draws) | {"share_below_plan": float((draws["units"] < summary["units"]).mean())}
    vol = volatility_table(case, multipliers=s["volatility_multipliers"], n_draws=s["n_draws"], seed=s["seed"])
    tor = tornado(case, relative_range=s["sensitivity_range"])
    card = scorecard(case.spec["scorecard"], s["scorecard_weights"])
    rec = recommend(mc["p_make_cheaper"], card, cost_weight=s["cost_weight"], close_call_band=s["close_call_band"])
    return CaseAnalysis(case, cost_table(case), summary, break_even(case), draws, mc, vol, tor, card, rec)


def _with_case(frame: pd.DataFrame, case: Case) -> pd.DataFrame:
    return pd.concat(
        [
            pd.DataFrame({"case": [case.name] * len(frame), "case_label": [case.label] * len(frame)}, dtype="str"),
            frame.reset_index(drop=True),
        ],
        axis=1,
    )


@dataclass(frozen=True)
class MakeBuyAnalysis:
    """All cases of a ``makebuy`` section analysed; long frames of codes and numbers as properties.

    ``examples`` is True when the cases are the workbook's ``example_cases`` rather than the
    region's own (see :func:`chosen_cases`): a report then labels every line with them "Example".
    """

    cases: dict[str, CaseAnalysis]
    settings: dict
    examples: bool = False

    @property
    def summary(self) -> pd.DataFrame:
        """One row per case: PVs, winner, margin, cost per unit, break-even, P(make cheaper), recommendation.

        cases -> columns out: case, label, unit, description, horizon, period_word, units, pv_make, pv_buy,
        make_saving, winner, margin_share, cost_per_unit_make, cost_per_unit_buy, break_even_units,
        p_make_cheaper, mean_saving, expected_saving, recommendation (make/buy), close_call,
        cost_score, qualitative_score, combined_score.
        """
        rows = []
        for a in self.cases.values():
            s, r = a.summary, a.recommendation
            rows.append(
                {
                    "case": a.case.name,
                    "label": a.case.label,
                    "unit": a.case.unit,
                    "description": a.case.spec.get("description", ""),
                    "horizon": a.case.horizon,
                    "period_word": a.case.period_word,
                    **{k: s[k] for k in ("units", "pv_make", "pv_buy", "make_saving", "winner", "margin_share")},
                    "cost_per_unit_make": s["cost_per_unit_make"],
                    "cost_per_unit_buy": s["cost_per_unit_buy"],
                    "break_even_units": np.nan if a.break_even.volume is None else a.break_even.volume,
                    "p_make_cheaper": a.monte_carlo["p_make_cheaper"],
                    "mean_saving": a.monte_carlo["mean_saving"],
                    "expected_saving": a.expected_saving,
                    "recommendation": r.recommendation,
                    "close_call": bool(r.close_call),
                    "cost_score": r.cost_score,
                    "qualitative_score": r.qualitative_score,
                    "combined_score": r.combined_score,
                }
            )
        text = ("case", "label", "unit", "description", "period_word", "winner", "recommendation")
        return pd.DataFrame(rows).astype({c: "str" for c in text})

    @property
    def cost_tables(self) -> pd.DataFrame:
        """Every case's :func:`cost_table`, with case and case_label columns in front."""
        return pd.concat([_with_case(a.cost_table, a.case) for a in self.cases.values()], ignore_index=True)

    @property
    def break_even(self) -> pd.DataFrame:
        """One row per case: the break-even outcome code, volume and period and the figures behind them."""
        rows = []
        for a in self.cases.values():
            be = a.break_even
            rows.append(
                {
                    "case": a.case.name,
                    "label": a.case.label,
                    "period_word": a.case.period_word,
                    "horizon": a.case.horizon,
                    "pv_make": a.summary["pv_make"],
                    "pv_buy": a.summary["pv_buy"],
                    "make_saving": a.summary["make_saving"],
                    "winner": a.summary["winner"],
                    "outcome": be.outcome,
                    "break_even_units": np.nan if be.volume is None else be.volume,
                    "break_even_period": np.nan if be.period is None else be.period,
                    "crossings": be.crossings,
                    "shortfall": be.shortfall,
                    "total_units": be.total_units,
                    "catch_up_units": np.nan if be.catch_up_units is None else be.catch_up_units,
                }
            )
        return pd.DataFrame(rows).astype({c: "str" for c in ("case", "label", "period_word", "winner", "outcome")})

    @property
    def monte_carlo(self) -> pd.DataFrame:
        """One row per case: the NPV difference over simulated demand (see :func:`summarise_draws`)."""
        rows = []
        for a in self.cases.values():
            d = a.case.spec["demand"]
            rows.append(
                {
                    "case": a.case.name,
                    "label": a.case.label,
                    "distribution": d["distribution"],
                    "volatility": float(d["volatility"]),
                    "plan_saving": a.summary["make_saving"],
                    **{k: a.monte_carlo[k] for k in ("mean_saving", "p05", "p50", "p95", "p_make_cheaper")},
                }
            )
        return pd.DataFrame(rows).astype({"case": "str", "label": "str", "distribution": "str"})

    @property
    def volatility(self) -> pd.DataFrame:
        """Every case's :func:`volatility_table` with case columns in front."""
        return pd.concat([_with_case(a.volatility, a.case) for a in self.cases.values()], ignore_index=True)

    @property
    def tornado(self) -> pd.DataFrame:
        """Every case's :func:`tornado` with case columns in front."""
        return pd.concat([_with_case(a.tornado, a.case) for a in self.cases.values()], ignore_index=True)

    @property
    def scorecards(self) -> pd.DataFrame:
        """Every case's :func:`scorecard` with case columns in front (long form)."""
        return pd.concat([_with_case(a.scorecard, a.case) for a in self.cases.values()], ignore_index=True)

    @property
    def factors(self) -> pd.DataFrame:
        """One row per factor: the option a high score favours, its weight, each case's score (column = case name).

        scorecards -> columns out: factor, favours_high (make/buy), weight, then one integer column per case.
        """
        first = next(iter(self.cases.values()), None)
        out = pd.DataFrame(
            {
                "factor": list(FACTORS),
                "favours_high": ["make" if FACTOR_DIRECTION[f] > 0 else "buy" for f in FACTORS],
                "weight": first.scorecard["weight"].to_numpy(dtype=float) if first is not None else np.nan,
            }
        ).astype({"factor": "str", "favours_high": "str"})
        for n, a in self.cases.items():
            out[n] = pd.array(a.scorecard["score"].to_numpy(), dtype="Int64")
        return out

    @property
    def costs_by_period(self) -> pd.DataFrame:
        """Cost of each option per period, split into direct and hidden or indirect cost (long form, for charts).

        cost tables -> columns out: case, case_label, period_word, period, option, kind (direct/hidden), cost.
        """
        cols = ["case", "case_label", "period_word", "period", "option", "kind", "cost"]
        parts = []
        for n, a in self.cases.items():
            t = a.cost_table[a.cost_table["kind"] != "total"]
            periods = [f"t{i}" for i in range(a.case.horizon + 1)]
            g = t.groupby(["option", "kind"], sort=False)[periods].sum()
            for (option, kind), values in g.iterrows():
                parts.append(
                    pd.DataFrame(
                        {
                            "case": n,
                            "case_label": a.case.label,
                            "period_word": a.case.period_word,
                            "period": np.arange(a.case.horizon + 1, dtype=np.int64),
                            "option": option,
                            "kind": kind,
                            "cost": values.to_numpy(dtype=float),
                        }
                    )
                )
        if not parts:
            return pd.DataFrame(columns=cols)
        return pd.concat(parts, ignore_index=True).astype({c: "str" for c in ("case", "case_label", "period_word", "option", "kind")})

    @property
    def cumulative_costs(self) -> pd.DataFrame:
        """Cumulative present value of each option's cost at every period end, with the cumulative volume.

        cost tables -> columns out: case, case_label, period_word, period, cumulative_units, make, buy.
        """
        cols = ["case", "case_label", "period_word", "period", "cumulative_units", "make", "buy"]
        parts = []
        for n, a in self.cases.items():
            periods = [f"t{i}" for i in range(a.case.horizon + 1)]
            total = a.cost_table[a.cost_table["line"] == "total"].set_index("option")[periods]
            disc = a.case.discount_factors()
            parts.append(
                pd.DataFrame(
                    {
                        "case": n,
                        "case_label": a.case.label,
                        "period_word": a.case.period_word,
                        "period": np.arange(a.case.horizon + 1, dtype=np.int64),
                        "cumulative_units": np.concatenate([[0.0], np.cumsum(demand_path(a.case))]),
                        "make": np.cumsum(total.loc["make"].to_numpy(dtype=float) * disc),
                        "buy": np.cumsum(total.loc["buy"].to_numpy(dtype=float) * disc),
                    }
                )
            )
        if not parts:
            return pd.DataFrame(columns=cols)
        return pd.concat(parts, ignore_index=True).astype({c: "str" for c in ("case", "case_label", "period_word")})


def analyse_cases(section: Mapping, *, source: str | None = None) -> MakeBuyAnalysis:
    """Validate a ``makebuy`` parameter section and analyse every case in it.

    Parameters
    ----------
    section : mapping
        ``params["makebuy"]`` (merged defaults and region overrides).
    source : str, optional
        Origin named in error messages.

    Returns
    -------
    MakeBuyAnalysis
        section -> per-case analyses and frames.

    Raises
    ------
    ParamsError
        Any problem in the section, each naming the case and field.
    """
    params = validate_params(section, source=source)
    chosen, examples = chosen_cases(params)
    cases = {name: analyse_case(Case(name, spec), params) for name, spec in chosen.items()}
    return MakeBuyAnalysis(cases, {k: v for k, v in params.items() if k not in CASE_KEYS}, examples)


def chosen_cases(section: Mapping) -> tuple[dict, bool]:
    """The cases a region's report compares, and whether they are the workbook's examples.

    Rule *own or example cases*:

    1. the region's own ``cases``, when it has any (``examples`` False);
    2. else the ``example_cases``, when ``show_examples`` is True (``examples`` True). The
       runner and :func:`~custlib.reports.context.open_report` turn ``auto`` into True on the
       sample data that :func:`custlib.io.sample.generate_sample` made and into False on any
       other data; an ``auto`` left unresolved counts as False;
    3. else none: :class:`InsufficientDataError` with code ``no_makebuy_cases``, so that the
       report says that no case is defined for the region and how to add one.

    Parameters
    ----------
    section : mapping
        A validated ``makebuy`` section (:func:`validate_params`).

    Returns
    -------
    (dict, bool)
        Case name -> case parameters; True when they are the examples.

    Raises
    ------
    InsufficientDataError
        Neither own cases nor examples to show (code ``no_makebuy_cases``; field ``examples``:
        how many example cases were left out).
    """
    own = dict(section.get("cases") or {})
    if own:
        return own, False
    examples = dict(section.get("example_cases") or {})
    if section.get("show_examples") is True and examples:
        return examples, True
    raise InsufficientDataError(
        "makebuy: no cases defined for this region (makebuy.cases is empty"
        + (", and makebuy.show_examples does not show the example cases)" if examples else ")"),
        code="no_makebuy_cases",
        examples=len(examples),
    )


def compare_cases(section: Mapping) -> pd.DataFrame:
    """Summary frame of every case in a ``makebuy`` section (see :attr:`MakeBuyAnalysis.summary`).

    Raises
    ------
    ParamsError
        As :func:`analyse_cases`.
    """
    return analyse_cases(section).summary
