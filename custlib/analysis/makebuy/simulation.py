"""Demand under uncertainty: Monte Carlo of both options' present value.

Demand multipliers with mean 1 (lognormal, normal or triangular), one per path
for the level and one per period for noise; common random numbers across
volatility multipliers (Glasserman 2004, *Monte Carlo Methods in Financial
Engineering*, sec. 4.2).
"""

from __future__ import annotations

import math
import zlib

import numpy as np
import pandas as pd
from scipy import special

from custlib.analysis.makebuy.cases import as_case, demand_path
from custlib.analysis.makebuy.costs import present_values
from custlib.exceptions import DataError, ParamsError


def _rng(seed: int, name: str) -> np.random.Generator:
    """A generator for one case: the same seed and name always give the same stream."""
    return np.random.default_rng([int(seed), zlib.crc32(name.encode("utf-8"))])


def _multiplier(z: np.ndarray, distribution: str, sd: float) -> np.ndarray:
    """Demand multipliers with mean 1 and standard deviation ``sd`` from standard normals ``z``.

    lognormal: ``exp(mu + s z)`` with ``s**2 = ln(1 + sd**2)``, ``mu = -s**2 / 2``
    (Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions* 1,
    ch. 14); normal: ``1 + sd z``; triangular: symmetric on ``[1 - w, 1 + w]``
    with ``w = sd * sqrt(6)``, by the inverse CDF of ``Phi(z)``. Normal and
    triangular are cut at 0 (no negative demand), which lifts their mean a
    little when ``sd`` is large.
    """
    if sd == 0:
        return np.ones_like(z)
    if distribution == "lognormal":
        s2 = math.log1p(sd * sd)
        return np.exp(-s2 / 2.0 + math.sqrt(s2) * z)
    if distribution == "normal":
        return np.maximum(0.0, 1.0 + sd * z)
    if distribution == "triangular":
        w = sd * math.sqrt(6.0)
        u = special.ndtr(z)
        x = np.where(u < 0.5, 1.0 - w + w * np.sqrt(2.0 * u), 1.0 + w - w * np.sqrt(2.0 * (1.0 - u)))
        return np.maximum(0.0, x)
    raise ParamsError(f"demand.distribution: expected one of 'lognormal', 'normal', 'triangular', got {distribution!r}")


def simulate_demand(case, *, n_draws: int = 10_000, seed: int = 0, volatility_multiplier: float = 1.0) -> np.ndarray:
    """Simulated demand paths: plan x level multiplier x per-period multiplier.

    The level multiplier (one per path, standard deviation ``volatility``)
    models uncertainty about how big demand will be; the per-period one
    (``period_volatility``) models noise around it. Both have mean 1, so the
    mean path is the plan. The standard normals are drawn from a generator
    seeded by ``seed`` and the case name and reused for every
    ``volatility_multiplier`` (common random numbers, Glasserman 2004,
    *Monte Carlo Methods in Financial Engineering*, sec. 4.2).

    Parameters
    ----------
    case : Case or mapping
    n_draws : int, default 10000
    seed : int, default 0
    volatility_multiplier : float, default 1
        Scales both volatilities; 0 gives the plan on every path.

    Returns
    -------
    ndarray of shape (n_draws, horizon)

    Raises
    ------
    ParamsError
        ``n_draws`` < 1 or ``volatility_multiplier`` < 0.
    """
    case = as_case(case)
    if int(n_draws) < 1:
        raise ParamsError(f"n_draws: expected an integer >= 1, got {n_draws!r}")
    if not volatility_multiplier >= 0:
        raise ParamsError(f"volatility_multiplier: expected a number >= 0, got {volatility_multiplier!r}")
    d = case.spec["demand"]
    rng = _rng(seed, case.name)
    z_level = rng.standard_normal((int(n_draws), 1))
    z_period = rng.standard_normal((int(n_draws), case.horizon))
    level = _multiplier(z_level, d["distribution"], float(d["volatility"]) * volatility_multiplier)
    noise = _multiplier(z_period, d["distribution"], float(d["period_volatility"]) * volatility_multiplier)
    return demand_path(case)[None, :] * level * noise


def simulate(case, *, n_draws: int = 10_000, seed: int = 0, volatility_multiplier: float = 1.0) -> pd.DataFrame:
    """Monte Carlo of both options' present value over uncertain demand.

    Parameters
    ----------
    case : Case or mapping
    n_draws, seed, volatility_multiplier
        See :func:`simulate_demand`.

    Returns
    -------
    DataFrame
        One row per draw. case parameters -> columns out: draw, units, pv_make, pv_buy,
        make_saving (PV buy - PV make; > 0 means making is cheaper).

    Raises
    ------
    ParamsError
        As :func:`simulate_demand`.
    """
    case = as_case(case)
    demand = simulate_demand(case, n_draws=n_draws, seed=seed, volatility_multiplier=volatility_multiplier)
    pv_make, pv_buy = present_values(case, demand)
    return pd.DataFrame(
        {
            "draw": np.arange(len(demand), dtype=np.int64),
            "units": demand.sum(axis=1),
            "pv_make": pv_make,
            "pv_buy": pv_buy,
            "make_saving": pv_buy - pv_make,
        }
    )


def summarise_draws(draws: pd.DataFrame, *, saving_col: str = "make_saving") -> dict:
    """Mean, spread, percentiles and P(make cheaper) of simulated NPV differences.

    Parameters
    ----------
    draws : DataFrame
        From :func:`simulate`.
    saving_col : str, default "make_saving"

    Returns
    -------
    dict
        n_draws, mean_saving, se_mean, sd_saving, p05, p50, p95, p_make_cheaper.
        columns in: make_saving -> figures.

    Raises
    ------
    DataError
        The column is missing or there are no draws.
    """
    if saving_col not in draws.columns:
        raise DataError(f"draws: column {saving_col!r} is missing (found: {', '.join(map(str, draws.columns))})")
    s = draws[saving_col].to_numpy(dtype=float)
    if s.size == 0:
        raise DataError("draws: no rows")
    sd = float(s.std(ddof=1)) if s.size > 1 else 0.0
    p05, p50, p95 = np.quantile(s, [0.05, 0.5, 0.95])
    return {
        "n_draws": int(s.size),
        "mean_saving": float(s.mean()),
        "se_mean": sd / math.sqrt(s.size),
        "sd_saving": sd,
        "p05": float(p05),
        "p50": float(p50),
        "p95": float(p95),
        "p_make_cheaper": float((s > 0).mean()),
    }


def volatility_table(case, *, multipliers=(0.0, 0.5, 1.0, 1.5, 2.0), n_draws: int = 10_000, seed: int = 0) -> pd.DataFrame:
    """How the NPV difference and P(make cheaper) move with demand volatility.

    Each row runs :func:`simulate` with the case's volatilities scaled by a
    multiplier, on the same random numbers (so the rows differ only by the
    volatility).

    Parameters
    ----------
    case : Case or mapping
    multipliers : sequence of float
    n_draws, seed
        See :func:`simulate_demand`.

    Returns
    -------
    DataFrame
        case parameters -> columns out: multiplier, volatility, mean_saving, sd_saving,
        p05, p50, p95, p_make_cheaper.

    Raises
    ------
    ParamsError
        As :func:`simulate_demand`.
    """
    case = as_case(case)
    rows = []
    for m in multipliers:
        s = summarise_draws(simulate(case, n_draws=n_draws, seed=seed, volatility_multiplier=float(m)))
        rows.append(
            {
                "multiplier": float(m),
                "volatility": float(case.spec["demand"]["volatility"]) * float(m),
                **{k: s[k] for k in ("mean_saving", "sd_saving", "p05", "p50", "p95", "p_make_cheaper")},
            }
        )
    return pd.DataFrame(rows)
