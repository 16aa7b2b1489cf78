"""Render the report notebooks for each region and quarter.

``render()`` is what ``custlib render`` runs:

1. validate the data source and every region's merged parameters
   (nothing under the output directory is created or changed when this fails),
   and pool the regions with fewer customers who ordered than ``report.min_customers``
   into one region, "Other regions" (:mod:`custlib.io.pooling`), before regions are listed;
2. take a lock on the output directory (a second render into it is refused),
   finish or clear what a stopped run left (:func:`custlib.run.publish.clear_stale`)
   and make this run's staging folder ``OUT/.staging/<run id>/``;
3. prepare the quarter once: each region's slice (its customers and their
   history up to the quarter's end) as Parquet under ``OUT/.cache/``, so
   each notebook reads only its own region;
4. execute each notebook for each region in a warm worker process
   (``--jobs`` at a time, each with a per-cell and a per-notebook timeout),
   and convert it to HTML without code cells, into the staging folder;
   a report whose run key (inputs) is unchanged and whose published files
   still have the sha256 the manifest records is skipped and stays in place;
5. write the roll-up (with the company's figures, :mod:`custlib.run.company`), ``index.html``
   and ``manifest.json`` into staging and publish everything together, the manifest last.

A render is a transaction (:mod:`custlib.run.publish`): stopped at any point
before publishing (SIGKILL, SIGTERM, Ctrl-C, a crash), it leaves the reports,
index and manifest published before byte for byte as they were. SIGTERM and
Ctrl-C stop it at once (:mod:`custlib.run.signals`): the workers are killed
without waiting for their notebooks, and they die with the render in any case
(:func:`custlib.run.worker.die_with_parent`).
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
from custlib.io.examples import is_generated_sample, with_example_cases
from custlib.io.params import DEFAULT_CURRENCY, load_params, parse_sets, with_source_currency
from custlib.io.periods import Quarter
from custlib.io.pooling import OTHER_REGIONS, min_customers_of, pool_thin_regions, pooled_record
from custlib.io.validate import validate_source
from custlib.run.actions import write_actions
from custlib.run.cluster import execute_on_cluster, need_cluster_packages
from custlib.run.company import company_figures
from custlib.run.files import output_lock
from custlib.run.manifest import code_sha256, file_sha256, previous_reports, report_intact, run_key, write_index_and_manifest
from custlib.run.prepare import prepare_regions
from custlib.run.publish import Staging, clear_stale
from custlib.run.signals import stop_on_signals
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
    KeyboardInterrupt, custlib.exceptions.Stopped
        Ctrl-C or SIGTERM (when called from the main thread): the workers are
        killed at once and nothing of this run is published.
    """
    with stop_on_signals():
        return _start(
            data, quarter, regions, notebooks, Path(out).resolve(), jobs, sets, params_dir, notebook_dir, progress, force, scheduler
        )


def _start(data, quarter, regions, notebooks, out, jobs, sets, params_dir, notebook_dir, progress, force, scheduler) -> RenderResult:
    """Check the arguments and boot the workers while :func:`_render` validates the data."""
    t_start = time.perf_counter()
    sets = list(sets or [])
    parse_sets(sets)  # syntax errors first
    if scheduler is not None:
        need_cluster_packages()
    nbs = list_notebooks(notebooks, notebook_dir)
    if not nbs:
        raise ParamsError(f"notebooks: no report notebooks (NN_name.ipynb) in {notebook_dir}")
    # kernels take seconds to warm up: boot them now, while the data is validated and prepared; at most one per
    # core, so that a large --jobs on data that turns out invalid does not start (and drop) many workers first
    n_jobs = jobs or os.cpu_count() or 1
    early: list[Slot] = []
    try:
        if scheduler is None:
            n_runs = len(nbs) * (len(regions.split(",")) if isinstance(regions, str) and regions != "all" else n_jobs)
            n_early = max(1, min(n_jobs, os.cpu_count() or 1, n_runs))
            for _ in range(n_early):
                early.append(Slot(notebook_dir, Path(tempfile.gettempdir()), max(1, (os.cpu_count() or 1) // n_early)))
                early[-1].launch()
        return _render(data, quarter, regions, nbs, out, n_jobs, sets, params_dir, notebook_dir, progress, force, scheduler, early, t_start)
    except BaseException:
        for sl in early:
            sl.stop()
        raise


def _render(
    data, quarter, regions, nbs, out, jobs, sets, params_dir, notebook_dir, progress, force, scheduler, early, t_start
) -> RenderResult:
    base_params = load_params(None, params_dir, sets)
    con, source, _ = validate_source(data, base_params.get("validation"))
    try:
        coverage = data_coverage(con, source)
        q = resolve_quarter(con, quarter, coverage=coverage)
        pooling = pool_thin_regions(con, q, min_customers_of(base_params))  # before any region is listed
        chosen = _choose(con, regions, pooling, progress)
        base_params = with_source_currency(base_params, source.currency)
        sample = is_generated_sample(source)  # makebuy.show_examples: auto shows the example cases on the sample only
        region_params = {
            r: with_example_cases(with_source_currency(load_params(r, params_dir, sets), source.currency), sample) for r in chosen
        }
        slugs = {r: slugify(r) for r in chosen}
        if len(set(slugs.values())) != len(slugs):
            raise ParamsError(f"regions: two regions give the same folder name: {slugs}")
        times = {"start": t_start, "validated": time.perf_counter()}
        with output_lock(out):
            clear_stale(out)
            staging = Staging(out)
            try:
                cache = out / ".cache" / str(q)
                cache.mkdir(parents=True, exist_ok=True)
                source_fp = source.fingerprint()
                pooled = pooled_record(pooling, source)
                if scheduler is None:
                    peers = with_peer_file(peer_quarterly(con, q.end), source, q)
                    prepare_regions(con, chosen, q, cache, peers, source_fp, source_facts(con, source), staging.work, pooled)
                company = company_figures(con, q, (base_params.get("abc") or {}).get("cutoffs", (0.8, 0.95)), coverage)
                con.close()
                con = None
                times["prepared"] = time.perf_counter()
                plan = _plan(chosen, slugs, nbs, cache, out / str(q), str(q), region_params, source_fp, force, staging)
                outcomes = _execute(plan, source, scheduler, jobs, progress, notebook_dir, early, staging)
                report = base_params.get("report", {})  # the run's language; a region's own file sets only its reports'
                pages = {"report": report, "pooling": {**pooled, "counts": pooling.counts}, "company": company}
                return _publish(outcomes, plan, str(q), out / str(q), source, region_params, nbs, times, pages, staging)
            except BaseException:
                staging.discard()
                raise
    finally:
        if con is not None:
            con.close()


@dataclass
class _Plan:
    jobs: list[Job]
    skipped: list[Outcome]
    previous: dict


def _plan(chosen, slugs, nbs, cache, qdir, quarter, region_params, source_fp, force, staging: Staging) -> _Plan:
    """The jobs to run (writing into ``staging``), and the reports kept as published (same run key, still ok, files intact)."""
    code_sha = code_sha256()
    nb_sha = {nb: file_sha256(nb) for nb in nbs}
    previous = previous_reports(qdir)
    job_list, skipped = [], []
    for r in chosen:
        for nb in nbs:
            job = Job(r, slugs[r], nb, cache / slugs[r], quarter, region_params[r], staging.staged(qdir / slugs[r]))
            job.run_key = run_key(source_fp, r, quarter, region_params[r], nb_sha[nb], code_sha)
            old = previous.get(f"{job.slug}/{job.name}")
            if not force and old and old.get("run_key") == job.run_key and old.get("status") == "ok" and report_intact(old, qdir):
                kept = Outcome(
                    r, job.slug, job.name, "ok", 0.0, str(qdir / old["html"]), str(qdir / old["ipynb"]), "", {}, job.run_key, True
                )
                kept.headlines = old.get("headlines", [])
                kept.html_sha256, kept.ipynb_sha256 = old["html_sha256"], old["ipynb_sha256"]
                skipped.append(kept)
            else:
                job.out_dir.mkdir(parents=True, exist_ok=True)  # workers write into it, and make no folder themselves
                job_list.append(job)
    return _Plan(job_list, skipped, previous)


def _execute(plan: _Plan, source, scheduler, jobs, progress, notebook_dir, early, staging: Staging) -> list[Outcome]:
    """Run the planned jobs (on the cluster, or in local worker slots); their files land in ``staging``."""
    if plan.skipped and progress:
        print(f"skipping {len(plan.skipped)} report(s) whose inputs are unchanged (use --force to render them again)", file=sys.stderr)
    if scheduler is not None:
        location = source.location if source.is_sql else str(Path(source.location).resolve())
        outcomes = execute_on_cluster(scheduler, location, plan.jobs, progress)
    else:
        outcomes = execute(plan.jobs, jobs, progress, notebook_dir, staging.logs, early, plan.previous)
    keys = {(j.slug, j.name): j.run_key for j in plan.jobs}
    for o in outcomes:
        o.run_key = keys[(o.slug, o.notebook)]
    return outcomes


def _region_actions(outcomes, plan: _Plan, quarter: str, qdir: Path, region_params: dict, staging: Staging) -> tuple[list, dict]:
    """Each rendered region's action workbook and table (:mod:`custlib.run.actions`), written into staging.

    A region's lists come from every report the index will list for it: this run's (staged), those kept as
    unchanged and those of notebooks not run this time (published, from the previous manifest).
    Returns the staged files and the manifest's entries (slug -> files relative to the quarter's folder, sha256, rows).
    """
    staged, entries = [], {}
    stamp = Quarter.parse(quarter).end.to_pydatetime()
    for slug in sorted({o.slug for o in outcomes + plan.skipped}):
        mine = [o for o in outcomes + plan.skipped if o.slug == slug]
        books = {o.notebook: Path(o.ipynb) for o in mine if o.ipynb}
        for key, e in plan.previous.items():
            if key.startswith(f"{slug}/") and e.get("notebook") not in books and e.get("ipynb"):
                books[e["notebook"]] = qdir / e["ipynb"]
        lang = (region_params[mine[0].region].get("report") or {}).get("lang", "en")
        got = write_actions(list(books.values()), staging.staged(qdir / slug), lang, stamp)
        if got is None:
            continue
        staged += [got["xlsx"], got["csv"]]
        entries[slug] = {"region": mine[0].region, "rows": got["rows"]} | {
            k: os.path.relpath(staging.published(got[k]), qdir) for k in ("xlsx", "csv")
        }
        entries[slug] |= {f"{k}_sha256": file_sha256(got[k]) for k in ("xlsx", "csv")}
    return staged, entries


def _choose(con, regions, pooling, progress: bool) -> list[str]:
    """The regions to render: ``--regions`` matched after pooling; a pooled member named there renders "Other regions"."""
    wanted, moved = pooling.requested(regions)
    if moved and progress:
        lo, hi = pooling.window
        for m in moved:
            print(
                f"{m}: pooled into {OTHER_REGIONS!r} ({pooling.members[m]} customers who ordered in {lo} to {hi}, fewer than "
                f"report.min_customers {pooling.min_customers}); rendering {OTHER_REGIONS!r}",
                file=sys.stderr,
            )
    return match_regions(list_regions(con), wanted)


def _publish(outcomes, plan: _Plan, quarter, qdir, source, region_params, nbs, times, pages: dict, staging: Staging) -> RenderResult:
    """Hash the staged reports, write the action files, roll-up, index and manifest into staging, and publish them all (the manifest last).

    ``pages``: the run's ``report`` parameters (language, currency), its ``pooling`` and the ``company`` figures.
    """
    (staging.staged(qdir)).mkdir(parents=True, exist_ok=True)
    for slug in {o.slug for o in outcomes + plan.skipped}:
        staging.staged(qdir / slug).mkdir(parents=True, exist_ok=True)
    action_files, actions = _region_actions(outcomes, plan, quarter, qdir, region_params, staging)
    staged = []
    for o in outcomes:
        for kind in ("html", "ipynb"):
            path = Path(getattr(o, kind)) if getattr(o, kind) else None
            if path is not None and path.is_file():
                staged.append(path)
                setattr(o, f"{kind}_sha256", file_sha256(path))
                setattr(o, kind, str(staging.published(path)))
            else:
                setattr(o, kind, "")
    result = RenderResult(quarter, qdir, qdir / "index.html", sorted(outcomes + plan.skipped, key=lambda o: (o.slug, o.notebook)))
    phases = {
        "validate_s": round(times["validated"] - times["start"], 3),
        "prepare_s": round(times["prepared"] - times["validated"], 3),
        "execute_s": round(time.perf_counter() - times["prepared"], 3),
    }
    report = pages["report"]
    written = write_index_and_manifest(
        result,
        source,
        region_params,
        nbs,
        phases,
        report.get("lang", "en"),
        report.get("currency") or DEFAULT_CURRENCY,
        dest=staging.staged(qdir),
        run_id=staging.run_id,
        actions=actions,
        pooling=pages["pooling"],
        company=pages["company"],
    )
    staging.publish(staged + action_files + written)
    return result
