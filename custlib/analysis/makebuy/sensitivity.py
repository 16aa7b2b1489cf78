"""One-at-a-time sensitivity of the saving from making (the tornado)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from custlib.analysis.makebuy.cases import DEFAULT_TORNADO_INPUTS, Case, as_case
from custlib.analysis.makebuy.costs import plan_saving
from custlib.analysis.makebuy.schema import SECTION, get_path, leaf_schema, load_schema
from custlib.exceptions import ParamsError


def _default_range(case: Case, path: str, base: float, rel: float) -> tuple[float, float]:
    """Low/high of an input: ``base * (1 -+ rel)``, clipped to what the schema allows.

    For a learning rate the relative change applies to the learning itself,
    ``1 - rate`` (an 85% curve gives 82%..88% at rel = 0.2), since a +-20%
    change of the rate would span nearly every curve seen in practice.
    """
    if path.endswith("learning_rate"):
        low, high = 1.0 - (1.0 - base) * (1.0 + rel), 1.0 - (1.0 - base) * (1.0 - rel)
    else:
        low, high = base * (1.0 - rel), base * (1.0 + rel)
    leaf = leaf_schema(path, load_schema()["$defs"])
    hi_cap = leaf.get("maximum", math.inf)
    lo_cap = leaf.get("minimum", -math.inf)
    return max(low, lo_cap), min(high, hi_cap)


def tornado(case, *, ranges: Mapping | None = None, relative_range: float = 0.2) -> pd.DataFrame:
    """NPV difference (PV buy - PV make) at each input's low and high value.

    One-at-a-time sensitivity (the tornado diagram of decision analysis,
    Clemen & Reilly, *Making Hard Decisions*, ch. 5): every other input stays
    at its base value. Inputs and ranges come from ``ranges``, else the case's
    ``sensitivity`` entry, else :data:`DEFAULT_TORNADO_INPUTS` at
    ``+-relative_range`` (see :func:`_default_range`).

    Parameters
    ----------
    case : Case or mapping
    ranges : mapping of str to (low, high), optional
    relative_range : float, default 0.2

    Returns
    -------
    DataFrame
        Sorted by swing, largest first (ties by input). case parameters -> columns out:
        input, base_value, low_value, high_value, base_saving, saving_at_low,
        saving_at_high, swing, flips (the winner differs somewhere in the range).

    Raises
    ------
    ParamsError
        A path is not a numeric input or a low/high value is not allowed.
    """
    case = as_case(case)
    base_saving = plan_saving(case)
    given = dict(ranges) if ranges is not None else dict(case.spec["sensitivity"])
    if not given:
        given = {p: None for p in DEFAULT_TORNADO_INPUTS}
    rows = []
    for path, rng in given.items():
        try:
            base = float(get_path(case.spec, path))
        except KeyError as err:
            raise ParamsError(
                f"{SECTION}.cases.{case.name}.sensitivity.{path}: expected the path of a numeric input, got no such field"
            ) from err
        low, high = _default_range(case, path, base, relative_range) if rng is None else (float(rng[0]), float(rng[1]))
        s_low = plan_saving(case.with_value(path, low))
        s_high = plan_saving(case.with_value(path, high))
        signs = {np.sign(base_saving), np.sign(s_low), np.sign(s_high)}
        rows.append(
            {
                "input": path,
                "base_value": base,
                "low_value": low,
                "high_value": high,
                "base_saving": base_saving,
                "saving_at_low": s_low,
                "saving_at_high": s_high,
                "swing": abs(s_high - s_low),
                "flips": len(signs - {0.0}) > 1,
            }
        )
    out = pd.DataFrame(rows).astype({"input": "str"})
    return out.sort_values(["swing", "input"], ascending=[False, True], kind="stable").reset_index(drop=True)
