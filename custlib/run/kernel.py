"""Code that runs *inside* a warm report kernel, between notebook runs.

The runner keeps one IPython kernel per job slot and reuses it for many
notebook runs, so that kernel start and heavy imports are paid once per
slot instead of once per report. :func:`warm_up` runs once when the kernel
starts; :func:`reset` runs before every notebook and puts the kernel back
into the state :func:`warm_up` left it in: the user namespace is emptied,
matplotlib's figures are closed and its rcParams restored, pandas options,
warning filters, ``sys.path`` and the working directory restored, and the
global random generators re-seeded from the operating system as in a new
process. Imported modules stay imported: that is the saving.
"""

from __future__ import annotations

import os
import sys
import warnings

_STATE: dict = {}

HEAVY_MODULES = (
    "numpy",
    "pandas",
    "scipy.stats",
    "scipy.optimize",
    "scipy.special",
    "duckdb",
    "matplotlib.pyplot",
    "seaborn",
    "statsmodels.api",
    "statsmodels.tsa.holtwinters",
    "statsmodels.tsa.statespace.sarimax",
    "sklearn.cluster",
    "sklearn.linear_model",
    "sklearn.metrics",
    "sklearn.pipeline",
    "sklearn.preprocessing",
    "custlib.reports.context",
)


def warm_up(modules=HEAVY_MODULES) -> None:
    """Import the heavy modules and remember the clean state to return to."""
    import importlib

    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    import matplotlib as mpl
    import pandas as pd

    try:
        _STATE["user_ns"] = set(get_ipython().user_ns)  # noqa: F821 - defined inside IPython
    except NameError:
        _STATE["user_ns"] = set()
    _STATE["rc"] = dict(mpl.rcParams)
    _STATE["warnings"] = list(warnings.filters)
    _STATE["sys_path"] = list(sys.path)
    _STATE["cwd"] = os.getcwd()
    _STATE["pd_options"] = {k: pd.get_option(k) for k in _changeable_pandas_options(pd)}


def _changeable_pandas_options(pd) -> list[str]:
    keys = []
    for key in pd._config.config._registered_options:
        try:
            pd.get_option(key)
            keys.append(key)
        except Exception:
            pass
    return keys


def reset(cwd: str | None = None) -> None:
    """Return the kernel to its post-warm-up state before the next notebook."""
    import random

    import matplotlib as mpl
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    ip = get_ipython()  # noqa: F821 - defined inside IPython
    # like %reset -f, without its full garbage collection (a third of a second here)
    ns = ip.user_ns
    for name in [n for n in ns if n not in _STATE["user_ns"]]:
        del ns[name]
    for name in ("_", "__", "___"):
        ns[name] = ""
    ns.get("Out", {}).clear()
    del ns.get("In", [""])[1:]
    ip.execution_count = 1
    plt.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mpl.rcParams.update(_STATE["rc"])
        for k, v in _STATE["pd_options"].items():
            try:
                if pd.get_option(k) != v:
                    pd.set_option(k, v)
            except Exception:
                pass
    warnings.filters[:] = _STATE["warnings"]
    warnings._filters_mutated()  # the C-level filter cache must learn of the in-place change
    sys.path[:] = _STATE["sys_path"]
    os.chdir(cwd or _STATE["cwd"])
    random.seed()
    np.random.seed(None)
