"""The floor of the benchmark: the report notebooks' code run as plain Python.

No kernel, no notebook format, no converter: each notebook's code cells
(read from its jupytext percent script) are joined into one script with the
parameters substituted the way papermill injects them, and run with
``exec`` in a fresh globals dict, in a pool of warm worker processes (one
per core) that import the heavy modules once. In the workers

- matplotlib uses the Agg backend and ``plt.show()`` renders every open
  figure to PNG in memory and closes it, as the notebook's inline backend
  does (``savefig(format="png", bbox_inches="tight")``); the time spent
  there is reported separately (``png_s``);
- IPython's ``display()`` does nothing (the HTML of a table is still built:
  ``custlib.reports.context.ReportContext.show`` builds it before it calls ``display``);
- after each script, figures are closed and matplotlib's rcParams restored;
- native thread pools (OpenMP, OpenBLAS, MKL) get ``cores // jobs`` threads
  per worker unless the environment already sets them, so that the workers
  do not oversubscribe the cores (see :func:`limit_threads`).

Run as ``python bench_floor.py TASKS.json RESULT.json --jobs N``; TASKS.json
is ``{"warm_up": true, "tasks": [{"region", "notebook", "script"}, ...]}``.
The parent process imports nothing heavy, so the workers start cold and the
floor's wall time includes one round of imports per core.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

_STATE: dict = {}


# --------------------------------------------------------------------------- building scripts (runs in bench.py)


def build_script(notebook: str | Path, parameters: dict) -> str:
    """The notebook's code cells as one script, with ``parameters`` assigned after its parameters cell.

    Parameters
    ----------
    notebook : path
        A jupytext percent script (``.py``) or an ``.ipynb``.
    parameters : dict
        Names and values (Python literals: str, numbers, bools, None, lists, dicts)
        assigned in a cell inserted right after the cell tagged ``parameters``,
        like papermill's injected cell.

    Returns
    -------
    str
        Python source.

    Raises
    ------
    ValueError
        The notebook has no cell tagged ``parameters``, or a value is not a literal.
    """
    import ast

    import jupytext

    nb = jupytext.read(str(notebook))
    injected = "\n".join(f"{name} = {value!r}" for name, value in parameters.items())
    for name, value in parameters.items():
        try:
            if ast.literal_eval(repr(value)) != value:
                raise ValueError
        except (ValueError, SyntaxError) as err:
            raise ValueError(f"parameter {name!r}: {value!r} is not a Python literal") from err
    parts, found = [], False
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        lines = [ln for ln in cell.source.splitlines() if not ln.lstrip().startswith(("%", "!"))]  # no magics
        parts.append("\n".join(lines))
        if "parameters" in cell.metadata.get("tags", []):
            found = True
            parts.append("# injected parameters\n" + injected)
    if not found:
        raise ValueError(f"{notebook}: no cell tagged 'parameters'")
    return "\n\n".join(parts) + "\n"


# --------------------------------------------------------------------------- worker side


def _no_display(*args, **kwargs) -> None:
    return None


def _show_png(*args, **kwargs) -> None:
    """Replacement for ``plt.show()``: render every open figure to PNG in memory, then close it."""
    import io

    import matplotlib.pyplot as plt

    t0 = time.perf_counter()
    for num in plt.get_fignums():
        buf = io.BytesIO()
        plt.figure(num).savefig(buf, format="png", bbox_inches="tight")
        _STATE["figures"] += 1
        _STATE["png_bytes"] += buf.tell()
    plt.close("all")
    _STATE["png_s"] += time.perf_counter() - t0


def init_worker(warm_up: bool = True) -> None:
    """Pool initializer: Agg backend, no-op display, PNG-rendering show, heavy imports once."""
    t0 = time.perf_counter()
    os.environ["MPLBACKEND"] = "Agg"
    import matplotlib

    matplotlib.use("Agg")
    import IPython.display
    import matplotlib.pyplot as plt

    if warm_up:
        import custlib.run.kernel

        custlib.run.kernel.warm_up()  # the same modules the runner's warm kernels import
    IPython.display.display = _no_display
    plt.show = _show_png
    _STATE["rc"] = dict(matplotlib.rcParams)
    _STATE["init_s"] = time.perf_counter() - t0


def run_task(task: dict) -> dict:
    """Run one notebook's script in a fresh globals dict; return its timings and status."""
    import warnings

    import matplotlib
    import matplotlib.pyplot as plt

    _STATE.update(figures=0, png_bytes=0, png_s=0.0)
    status, error = "ok", ""
    t0 = time.perf_counter()
    try:
        code = compile(task["script"], f"<{task['notebook']}>", "exec")
        exec(code, {"__name__": "__main__", "__builtins__": __builtins__})
        _show_png()  # figures drawn but never shown are still rendered by the inline backend
    except Exception as err:  # a failing notebook stops here, as it does under papermill
        status, error = "failed", f"{type(err).__name__}: {err}"
    seconds = time.perf_counter() - t0
    plt.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matplotlib.rcParams.update(_STATE["rc"])
    return {
        "region": task["region"],
        "notebook": task["notebook"],
        "status": status,
        "error": error,
        "seconds": round(seconds, 3),
        "png_s": round(_STATE["png_s"], 3),
        "figures": _STATE["figures"],
        "png_bytes": _STATE["png_bytes"],
        "pid": os.getpid(),
        "worker_init_s": round(_STATE["init_s"], 3),
    }


THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def limit_threads(jobs: int, cores: int | None = None) -> dict[str, str]:
    """Give each of ``jobs`` workers ``cores // jobs`` (at least 1) native threads, unless the caller set them.

    OpenMP (scikit-learn's k-means), OpenBLAS and MKL start one thread per
    core in every process by default; ``jobs`` processes doing so on the same
    cores oversubscribe them. Returns the variables as set for the workers.
    """
    n = str(max(1, (cores or os.cpu_count() or 1) // max(1, jobs)))
    for var in THREAD_VARS:
        os.environ.setdefault(var, n)
    return {var: os.environ[var] for var in THREAD_VARS}


def run_tasks(tasks: list[dict], jobs: int, warm_up: bool = True) -> dict:
    """Run ``tasks`` on ``jobs`` worker processes, each taking the next task when free."""
    import multiprocessing as mp

    threads = limit_threads(jobs)
    t0 = time.perf_counter()
    with mp.Pool(jobs, initializer=init_worker, initargs=(warm_up,)) as pool:
        results = list(pool.imap_unordered(run_task, tasks, chunksize=1))
        pool.close()
        pool.join()
    wall = time.perf_counter() - t0
    init = {r["pid"]: r["worker_init_s"] for r in results}
    return {"wall_s": round(wall, 3), "jobs": jobs, "threads": threads, "worker_init_s": sorted(init.values()), "results": results}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("tasks", type=Path)
    p.add_argument("result", type=Path)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = p.parse_args(argv)
    spec = json.loads(args.tasks.read_text(encoding="utf-8"))
    out = run_tasks(spec["tasks"], args.jobs, spec.get("warm_up", True))
    args.result.write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0 if all(r["status"] == "ok" for r in out["results"]) else 1


if __name__ == "__main__":
    sys.exit(main())
