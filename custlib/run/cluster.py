"""Render regions on a Dask distributed cluster.

``custlib render --scheduler tcp://HOST:PORT`` validates the data on the
client as usual, then sends one task per region to the cluster. Each task
runs on a Dask worker: it reads its region's slice straight from the data
source (a path or database URL every worker can reach), runs that region's
notebooks in one warm report worker (:mod:`custlib.run.worker`), and returns the
executed notebooks and HTML pages as bytes. The client writes them into the output
folder with the same atomic renames, index and manifest as a local run, so
the results are the same files.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from custlib.exceptions import ParamsError, RenderError


def run_region(source_location: str, region: str, quarter: str, specs: list[dict], notebooks: dict[str, bytes]) -> list[dict]:
    """Worker side: prepare one region's slice and run its notebooks; return outcomes with file contents.

    Parameters
    ----------
    source_location : str
        Data source as the worker reaches it (absolute path or URL).
    region, quarter : str
    specs : list of dict
        One per notebook: ``name``, ``params``, ``title``, ``run_key``.
    notebooks : dict
        Notebook file name -> bytes.

    Returns
    -------
    list of dict
        Per notebook: status, error, seconds, phases, html (bytes), ipynb (bytes).
    """
    from custlib.io.data import Source, create_typed_views, open_raw, peer_quarterly, slugify, source_facts
    from custlib.io.periods import Quarter
    from custlib.io.pooling import min_customers_of, pool_thin_regions, pooled_record
    from custlib.run.prepare import prepare_region
    from custlib.run.slots import Job, Slot, run_in_slot

    work = Path(tempfile.mkdtemp(prefix="custlib-dask-"))
    slot = None
    try:
        source = Source(source_location)
        con, tables, problems = open_raw(source)
        if problems:
            raise RenderError("; ".join(problems))
        create_typed_views(con, tables)
        q = Quarter.parse(quarter)
        t0 = time.perf_counter()
        pooling = pool_thin_regions(con, q, min_customers_of(specs[0]["params"] if specs else None))  # as the runner pooled
        pooled = pooled_record(pooling, source)
        prepare_region(con, region, q, work / "data", peer_quarterly(con, q.end), facts=source_facts(con, source), pooled=pooled)
        con.close()
        prep_s = time.perf_counter() - t0
        nb_dir = work / "notebooks"
        nb_dir.mkdir()
        (work / "out").mkdir()  # the report worker writes into it and makes no folder itself
        for name, content in notebooks.items():
            (nb_dir / name).write_bytes(content)
        slot = Slot(nb_dir, work, threads=1)  # a Dask worker thread runs one region at a time beside the others
        out = []
        for spec in specs:
            job = Job(region, slugify(region), nb_dir / f"{spec['name']}.ipynb", work / "data", quarter, spec["params"], work / "out")
            o = run_in_slot(slot, job)
            res = {
                "status": o.status,
                "error": o.error,
                "seconds": o.seconds,
                "phases": {**o.phases, "prepare_s": round(prep_s, 3)},
                "headlines": o.headlines,
            }
            res["html"] = Path(o.html).read_bytes() if o.html and Path(o.html).is_file() else b""
            res["ipynb"] = Path(o.ipynb).read_bytes() if o.ipynb and Path(o.ipynb).is_file() else b""
            res["name"] = spec["name"]
            out.append(res)
        return out
    finally:
        if slot is not None:
            slot.close()
        shutil.rmtree(work, ignore_errors=True)


#: what ``render --scheduler`` imports: the workbook's full environment has them, a hand-off's does not
CLUSTER_PACKAGES = ("dask", "distributed")


def need_cluster_packages() -> None:
    """Refuse ``--scheduler`` before anything runs when Dask distributed is not installed.

    Raises
    ------
    ParamsError
        dask or distributed is missing (a hand-off installs only what a report run needs).
    """
    import importlib.util

    missing = [p for p in CLUSTER_PACKAGES if importlib.util.find_spec(p) is None]
    if missing:
        raise ParamsError(
            f"--scheduler: running on a Dask cluster needs {' and '.join(missing)}, which this environment lacks "
            "(a hand-off installs only what a report run needs); leave out --scheduler to render on this machine, "
            "or install dask and distributed at the workbook's versions (its requirements.txt)"
        )


def execute_on_cluster(scheduler: str, source_location: str, job_list, progress: bool = True):
    """Client side: one task per region on the cluster at ``scheduler``; write the results locally.

    Raises
    ------
    RenderError
        The scheduler cannot be reached.
    """
    from distributed import Client, as_completed
    from tqdm import tqdm

    from custlib.run.files import atomic_write
    from custlib.run.slots import Outcome

    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as err:
        raise RenderError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({err})") from err
    by_region: dict[str, list] = {}
    for job in job_list:
        by_region.setdefault(job.region, []).append(job)
    outcomes = []
    try:
        futures = {}
        for region, jobs in by_region.items():
            specs = [
                {
                    "name": j.name,
                    "params": j.params,
                    "run_key": j.run_key,
                }
                for j in jobs
            ]
            notebooks = {j.notebook.name: j.notebook.read_bytes() for j in jobs}
            fut = client.submit(
                run_region,
                source_location,
                region,
                jobs[0].quarter,
                specs,
                notebooks,
                pure=False,
                key=f"custlib-render-{region}-{time.time_ns()}",
            )
            futures[fut] = jobs
        bar = tqdm(total=len(job_list), desc="reports (cluster)", unit="run", disable=not progress)
        for fut in as_completed(futures):
            jobs = {j.name: j for j in futures[fut]}
            for res in fut.result():
                job = jobs[res["name"]]
                html = job.out_dir / f"{job.name}.html"
                ipynb = job.out_dir / f"{job.name}.ipynb"
                if res["html"]:
                    atomic_write(html, res["html"])
                if res["ipynb"]:
                    atomic_write(ipynb, res["ipynb"])
                outcomes.append(
                    Outcome(
                        job.region,
                        job.slug,
                        job.name,
                        res["status"],
                        res["seconds"],
                        str(html) if res["html"] else "",
                        str(ipynb) if res["ipynb"] else "",
                        res["error"],
                        res["phases"],
                        job.run_key,
                        False,
                        res.get("headlines", []),
                    )
                )
                bar.update(1)
        bar.close()
    finally:
        client.close()
    return sorted(outcomes, key=lambda o: (o.slug, o.notebook))
