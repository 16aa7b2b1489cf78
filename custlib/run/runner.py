"""Render the report notebooks for each region and quarter.

``render()`` is what ``custlib render`` runs:

1. validate the data source and every region's merged parameters
   (nothing under the output directory is created or changed when this fails);
2. take a lock on the output directory (a second render into it is refused);
3. prepare the quarter once: each region's slice (its customers and their
   history up to the quarter's end) as Parquet under ``OUT/.cache/``, so
   each notebook reads only its own region;
4. execute each notebook for each region with papermill in a worker
   process (``--jobs`` at a time, each with a per-cell and a per-notebook
   timeout), and convert it to HTML without code cells;
5. write ``OUT/<quarter>/index.html`` and ``manifest.json``.

Every file is written to a temporary name and renamed into place, so a
crash never leaves a half-written report where a good one was.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from custlib.exceptions import ParamsError
from custlib.io.data import (
    data_coverage,
    list_regions,
    match_regions,
    peer_quarterly,
    resolve_quarter,
    slugify,
    source_facts,
    with_peer_file,
)
from custlib.io.params import DEFAULT_CURRENCY, load_params, parse_sets, with_source_currency
from custlib.io.validate import validate_source
from custlib.run.cluster import execute_on_cluster
from custlib.run.files import clear_stale_temporaries, output_lock
from custlib.run.manifest import code_sha256, file_sha256, previous_reports, run_key, write_index_and_manifest
from custlib.run.prepare import prepare_regions
from custlib.run.slots import Job, Outcome, Slot, execute

ROOT = Path(__file__).resolve().parent.parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"


def list_notebooks(wanted: str | list[str] | None = "all", folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """Report notebooks (``NN_name.ipynb`` in ``folder``), all or by name.

    Raises
    ------
    ParamsError
        A requested notebook does not exist (the message lists the known ones).
    """
    found = sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))
    if wanted in (None, "all", ["all"]):
        return found
    names = [w.strip() for w in (wanted.split(",") if isinstance(wanted, str) else wanted) if w.strip()]
    by = {p.stem: p for p in found}
    out = []
    for n in names:
        stem = n[:-6] if n.endswith(".ipynb") else n
        hits = [p for s, p in by.items() if s == stem or s[3:] == stem or s[:2] == stem]
        if not hits:
            raise ParamsError(f"notebooks: {n!r} not found in {folder}; known: {', '.join(by)}")
        out.extend(hits)
    return list(dict.fromkeys(out))


@dataclass
class RenderResult:
    quarter: str
    out_dir: Path
    index: Path
    outcomes: list[Outcome]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status != "ok"]

    @property
    def skipped(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.skipped]


def render(
    data: str | Path,
    quarter: str | None = None,
    regions: str | list[str] | None = "all",
    notebooks: str | list[str] | None = "all",
    out: str | Path = "reports",
    jobs: int | None = None,
    sets: list[str] | None = None,
    params_dir: Path | None = None,
    notebook_dir: Path = NOTEBOOK_DIR,
    progress: bool = True,
    force: bool = False,
    scheduler: str | None = None,
) -> RenderResult:
    """Render every requested notebook for every requested region.

    Parameters
    ----------
    data : path or URL
        Data source (see :class:`custlib.io.data.Source`).
    quarter : str, optional
        ``"2026Q3"``; default the latest complete quarter in the data.
    regions, notebooks : "all" or comma-separated names
    out : path
        Output folder; reports go to ``out/<quarter>/<region-slug>/``.
    jobs : int, optional
        Runs at a time (default: the number of cores).
    sets : list of "key=value"
        Parameter overrides for this run.
    force : bool
        Render every report even when its inputs (data, parameters, notebook,
        custlib code) are unchanged since the last successful run.
    scheduler : str, optional
        Address of a Dask distributed scheduler (``tcp://host:port``): regions
        run on its workers, which read the data source themselves (it must be
        a path or URL every worker can reach); results are written here.

    Returns
    -------
    RenderResult

    Raises
    ------
    DataError, ParamsError
        Bad data or parameters; nothing under ``out`` is touched.
    RenderError
        Another render holds the output folder.
    """
    out = Path(out).resolve()
    t_start = time.perf_counter()
    sets = list(sets or [])
    parse_sets(sets)  # syntax errors first
    nbs = list_notebooks(notebooks, notebook_dir)
    if not nbs:
        raise ParamsError(f"notebooks: no report notebooks (NN_name.ipynb) in {notebook_dir}")
    # kernels take seconds to warm up: boot them now, while the data is validated and prepared
    n_jobs = jobs or os.cpu_count() or 1
    early: list[Slot] = []
    if scheduler is None:
        n_early = max(1, min(n_jobs, len(nbs) * (len(regions.split(",")) if isinstance(regions, str) and regions != "all" else n_jobs)))
        early = [Slot(notebook_dir, Path(tempfile.gettempdir()), max(1, (os.cpu_count() or 1) // n_early)) for _ in range(n_early)]
        for sl in early:
            sl.launch()
    try:
        return _render(data, quarter, regions, nbs, out, n_jobs, sets, params_dir, notebook_dir, progress, force, scheduler, early, t_start)
    except BaseException:
        for sl in early:
            sl.close()
        raise


def _render(
    data, quarter, regions, nbs, out, jobs, sets, params_dir, notebook_dir, progress, force, scheduler, early, t_start
) -> RenderResult:
    base_params = load_params(None, params_dir, sets)
    con, source, _ = validate_source(data, base_params.get("validation"))
    try:
        q = resolve_quarter(con, quarter, coverage=data_coverage(con, source))
        chosen = match_regions(list_regions(con), regions)
        base_params = with_source_currency(base_params, source.currency)
        region_params = {r: with_source_currency(load_params(r, params_dir, sets), source.currency) for r in chosen}
        slugs = {r: slugify(r) for r in chosen}
        if len(set(slugs.values())) != len(slugs):
            raise ParamsError(f"regions: two regions give the same folder name: {slugs}")
        t_validated = time.perf_counter()
        qdir = out / str(q)
        with output_lock(out):
            clear_stale_temporaries(out)
            cache = out / ".cache" / str(q)
            cache.mkdir(parents=True, exist_ok=True)
            source_fp = source.fingerprint()
            if scheduler is None:
                peers = with_peer_file(peer_quarterly(con, q.end), source, q)
                prepare_regions(con, chosen, q, cache, peers, source_fp, source_facts(con, source))
            con.close()
            con = None
            t_prepared = time.perf_counter()
            previous = previous_reports(qdir)
            job_list, skipped = _plan(chosen, slugs, nbs, cache, qdir, str(q), region_params, source_fp, previous, force)
            if skipped and progress:
                print(f"skipping {len(skipped)} report(s) whose inputs are unchanged (use --force to render them again)", file=sys.stderr)
            keys = {(j.slug, j.name): j.run_key for j in job_list}
            if scheduler is not None:
                location = source.location if source.is_sql else str(Path(source.location).resolve())
                outcomes = execute_on_cluster(scheduler, location, job_list, progress)
            else:
                outcomes = execute(job_list, jobs, progress, notebook_dir, cache, early, previous)
            for o in outcomes:
                o.run_key = keys[(o.slug, o.notebook)]
            outcomes = sorted(outcomes + skipped, key=lambda o: (o.slug, o.notebook))
            result = RenderResult(str(q), qdir, qdir / "index.html", outcomes)
            phases = {
                "validate_s": round(t_validated - t_start, 3),
                "prepare_s": round(t_prepared - t_validated, 3),
                "execute_s": round(time.perf_counter() - t_prepared, 3),
            }
            # the run's language (params/defaults.yaml and --set); a region's own file sets only its reports'
            report = base_params.get("report", {})
            write_index_and_manifest(
                result, source, region_params, nbs, phases, report.get("lang", "en"), report.get("currency") or DEFAULT_CURRENCY
            )
            return result
    finally:
        if con is not None:
            con.close()


def _plan(chosen, slugs, nbs, cache, qdir, quarter, region_params, source_fp, previous, force) -> tuple[list[Job], list[Outcome]]:
    """The jobs to run, and the reports kept from the previous run (same run key, still ok, page still there)."""
    code_sha = code_sha256()
    nb_sha = {nb: file_sha256(nb) for nb in nbs}
    job_list, skipped = [], []
    for r in chosen:
        for nb in nbs:
            job = Job(r, slugs[r], nb, cache / slugs[r], quarter, region_params[r], qdir / slugs[r])
            job.run_key = run_key(source_fp, r, quarter, region_params[r], nb_sha[nb], code_sha)
            old = previous.get(f"{job.slug}/{job.name}")
            if (
                not force
                and old
                and old.get("run_key") == job.run_key
                and old.get("status") == "ok"
                and (qdir / old.get("html", "")).is_file()
            ):
                kept = Outcome(
                    r, job.slug, job.name, "ok", 0.0, str(qdir / old["html"]), str(qdir / old["ipynb"]), "", {}, job.run_key, True
                )
                kept.headlines = old.get("headlines", [])
                skipped.append(kept)
            else:
                job_list.append(job)
    return job_list, skipped
