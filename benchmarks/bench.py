"""Benchmark of a quarterly run: ``custlib render`` against the ways a user could do it without it.

For each data size, on the same machine and the same data, in one run:

(a) naive       a serial loop of ``papermill`` (one process per report) and
                ``jupyter nbconvert --to html --no-input`` per report; every
                notebook validates and reads the whole data source itself;
(b) parallel    ``papermill`` in ``--jobs`` parallel processes, then ONE
                ``jupyter nbconvert`` call for all outputs;
(c) floor       the notebooks' code as plain Python (no kernel, no notebook,
                no converter) in a pool of one warm process per core, reading
                the per-region slices custlib render prepared (see bench_floor.py);
(d) custlib     ``custlib render --force`` into a fresh output folder, with
                the per-phase breakdown from its manifest.

Prints the times, the ratios d/a, d/b and d/c, peak memory and the phases,
and writes them to ``benchmarks/results/latest.json`` (other sizes already in
that file are kept). Usage::

    python benchmarks/bench.py [--size default|large|all] [--out FILE] [--keep-data DIR]

Peak memory is the largest sum of RSS over all processes below this one
(the command and every process it started: its report workers, ...), sampled
every 0.2 s from /proc; see bench_proc.py. The order is (d), (c), (b), (a)
after a warm-up that loads every module once from disk.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_floor import build_script  # noqa: E402
from bench_proc import CpuMeter, TreeSampler  # noqa: E402

BIN = Path(sys.executable).parent
DEFAULT_OUT = HERE / "results" / "latest.json"
SEED = 42
SIZES = {
    "default": {"customers": 5000, "regions": 6},  # what `custlib sample-data` writes
    "large": {"customers": 1_000_000, "regions": 20},
}
# issue 7's targets: ratios on the default sample, absolute figures on the large one
RATIO_TARGETS = {"custlib_over_naive": 1 / 3, "custlib_over_parallel_papermill": 1 / 1.5, "custlib_over_floor": 1.25}
ABSOLUTE_TARGETS = {"custlib_s": 600.0, "peak_rss_mib": 6 * 1024.0, "prep_s": 60.0}


class BenchError(RuntimeError):
    """A step of the benchmark could not run (a command failed before producing reports)."""


# --------------------------------------------------------------------------- small helpers


def _tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        raise BenchError(f"{path} not found; run the benchmark with the project's venv (.venv/bin/python benchmarks/bench.py)")
    return str(path)


def _run(cmd: list[str], log, cwd: Path = ROOT) -> int:
    log.write(f"\n$ {' '.join(map(str, cmd))}\n")
    log.flush()
    return subprocess.run([str(c) for c in cmd], cwd=cwd, stdout=log, stderr=subprocess.STDOUT, check=False).returncode


def first_line(text: str | None, n: int = 200) -> str:
    return ((text or "").strip().splitlines() or [""])[0][:n]


def _tail(path: Path, n: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-n:])
    except OSError:
        return ""


@contextmanager
def measured(into: dict):
    """Time the block and record the process tree's peak memory and the CPU others took meanwhile."""
    with TreeSampler() as mem, CpuMeter() as cpu:
        t0 = time.perf_counter()
        yield
        into["wall_s"] = round(time.perf_counter() - t0, 3)
    into.update(mem.summary())
    into.update(cpu.summary())


def ratio(num: float | None, den: float | None) -> float | None:
    """``num / den`` rounded to 3 digits, or None when either is missing."""
    if num is None or den is None or den <= 0:
        return None
    return round(num / den, 3)


def git_commit() -> dict:
    def git(*a):
        r = subprocess.run(["git", "-C", str(ROOT), *a], capture_output=True, text=True, check=False)
        return r.stdout.strip() if r.returncode == 0 else ""

    return {"commit": git("rev-parse", "HEAD") or None, "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def machine_info() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    try:
        mem = int(next(ln for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal")).split()[1])
    except (OSError, StopIteration):
        pass
    from custlib.run.manifest import package_versions

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem / 2**20, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "versions": package_versions(),
    }


# --------------------------------------------------------------------------- data


def size_spec(size: str, customers: int | None = None, regions: int | None = None) -> dict:
    """Name and counts of one benchmark size; other counts than the size's make a stand-in with its own key."""
    base = SIZES[size]
    c, r = customers or base["customers"], regions or base["regions"]
    stand_in = (c, r) != (base["customers"], base["regions"])
    return {"key": f"{size}-standin-{c}c-{r}r" if stand_in else size, "size": size, "customers": c, "regions": r, "stand_in": stand_in}


def _planted(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "planted.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


@contextmanager
def dataset(spec: dict, keep: Path | None, log):
    """Yield ``(folder, info)`` with the sample data of ``spec``; a temporary folder is removed afterwards.

    With ``keep``, the data lives in ``keep/<key>`` and is reused when it was
    generated with the same counts and seed.
    """
    tmp = None
    if keep is not None:
        folder = Path(keep).resolve() / spec["key"]
    else:
        tmp = Path(tempfile.mkdtemp(prefix="custlib-bench-data-"))
        folder = tmp / spec["key"]
    try:
        old = _planted(folder)
        reused = bool(
            old
            and old.get("customers") == spec["customers"]
            and len(old.get("regions", [])) == spec["regions"]
            and old.get("seed") == SEED
            and (folder / "transactions.parquet").is_file()
        )
        gen_s = None
        if not reused:
            t0 = time.perf_counter()
            cmd = [_tool("custlib"), "sample-data", "--out", folder, "--customers", spec["customers"], "--regions", spec["regions"]]
            if _run([*cmd, "--seed", SEED], log) != 0:
                raise BenchError(f"sample-data failed:\n{_tail(Path(log.name))}")
            gen_s = round(time.perf_counter() - t0, 1)
        planted = _planted(folder) or {}
        yield folder, {"generation_s": gen_s, "reused": reused, "rows": planted.get("rows", {}), "region_names": planted.get("regions", [])}
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------- the four ways to run a quarter


def warm_up(log) -> None:
    """Load every module once from disk, so that no method pays a cold file cache for the others."""
    code = "import custlib.run.kernel as k, custlib.run.runner, papermill, nbconvert, nbclient, jupytext; k.warm_up()"
    _run([sys.executable, "-c", code], log)
    _run([_tool("papermill"), "--version"], log)
    _run([_tool("jupyter"), "nbconvert", "--version"], log)


def run_custlib(data: Path, out: Path, notebooks: list[Path], jobs: int, log) -> dict:
    """(d) ``custlib render --force`` into the fresh folder ``out``; returns times, memory and its manifest."""
    res: dict = {"method": "custlib render --force"}
    cmd = [_tool("custlib"), "render", "--data", data, "--out", out, "--force", "--quiet", "--jobs", jobs]
    cmd += ["--notebooks", ",".join(nb.stem for nb in notebooks)]
    with measured(res):
        rc = _run(cmd, log)
    manifests = [p for p in out.glob("*/manifest.json") if not p.parent.name.startswith(".")]
    if rc not in (0, 1) or not manifests:
        raise BenchError(f"custlib render failed (exit {rc}):\n{_tail(Path(log.name))}")
    manifest = json.loads(manifests[0].read_text(encoding="utf-8"))
    res["exit_code"] = rc
    res["failed"] = [f"{e['slug']}/{e['notebook']}: {first_line(e.get('error'))}" for e in manifest["reports"] if e["status"] != "ok"]
    res["breakdown"] = custlib_breakdown(manifest, res["wall_s"], jobs)
    return res | {"manifest": manifest}


def custlib_breakdown(manifest: dict, wall_s: float, jobs: int) -> dict:
    """Per-phase times of a render from its manifest.

    Wall-clock phases come from ``phases_s`` (validate, prepare, execute) plus
    ``startup_and_index_s`` (process start, imports, parameters, lock, index
    and manifest). Per-report phases (kernel start, reset, execute, convert)
    are summed over all reports: slot-seconds, spread over ``slots`` parallel
    slots. ``dispatch_s`` is report time outside those phases (talking to
    the worker, loading and parameterizing the notebook); ``idle_slot_s`` is
    slot capacity during the execute phase that ran no report (the tail).
    """
    ph = {k: v for k, v in manifest.get("phases_s", {}).items() if isinstance(v, int | float)}
    reports = manifest.get("reports", [])
    sums: dict[str, float] = {}
    per_nb: dict[str, dict[str, float]] = {}
    for e in reports:
        nb = per_nb.setdefault(e["notebook"], {"seconds": 0.0})
        nb["seconds"] += e.get("seconds", 0.0)
        for k, v in (e.get("phases") or {}).items():
            if isinstance(v, int | float) and not isinstance(v, bool):
                sums[k] = sums.get(k, 0.0) + v
                nb[k] = nb.get(k, 0.0) + v
    busy = sum(e.get("seconds", 0.0) for e in reports)
    slots = max(1, min(jobs, len(reports)))
    known = sum(ph.get(k, 0.0) for k in ("validate_s", "prepare_s", "execute_s"))
    return {
        "phases_s": {k: round(v, 3) for k, v in ph.items()},
        "startup_and_index_s": round(wall_s - known, 3),
        "prep_s": round(ph.get("validate_s", 0.0) + ph.get("prepare_s", 0.0), 3),
        "slots": slots,
        "report_phase_sums_s": {k: round(v, 2) for k, v in sorted(sums.items())},
        "report_seconds_sum_s": round(busy, 2),
        "dispatch_s": round(busy - sum(sums.values()), 2),
        "idle_slot_s": round(ph.get("execute_s", 0.0) * slots - busy, 2),
        "per_notebook": {k: {p: round(v, 2) for p, v in d.items()} for k, d in sorted(per_nb.items())},
    }


def run_floor(cache: Path, reports: list[dict], quarter: str, settings: dict, jobs: int, work: Path, log) -> dict:
    """(c) the notebooks' code as plain Python on ``jobs`` warm processes, over custlib's prepared slices."""
    tasks = []
    for r in reports:
        nb = r["notebook_path"]
        source = nb.with_suffix(".py") if nb.with_suffix(".py").is_file() else nb
        params = {"data": str(cache / r["slug"]), "region": r["region"], "quarter": quarter, "settings": settings[r["slug"]]}
        tasks.append({"region": r["region"], "notebook": nb.stem, "script": build_script(source, params)})
    spec_path, result_path = work / "floor_tasks.json", work / "floor_result.json"
    spec_path.write_text(json.dumps({"warm_up": True, "tasks": tasks}), encoding="utf-8")
    res: dict = {"method": f"plain Python, {jobs} warm processes"}
    with measured(res):
        rc = _run([sys.executable, HERE / "bench_floor.py", spec_path, result_path, "--jobs", jobs], log)
    if not result_path.is_file():
        raise BenchError(f"the floor run failed (exit {rc}):\n{_tail(Path(log.name))}")
    out = json.loads(result_path.read_text(encoding="utf-8"))
    results = out["results"]
    per_nb: dict[str, dict] = {}
    for t in results:
        d = per_nb.setdefault(t["notebook"], {"seconds": 0.0, "png_s": 0.0, "figures": 0})
        d["seconds"] += t["seconds"]
        d["png_s"] += t["png_s"]
        d["figures"] += t["figures"]
    res.update(
        {
            "pool_wall_s": out["wall_s"],
            "threads_per_worker": out.get("threads", {}),
            "worker_init_s": out["worker_init_s"],
            "task_seconds_sum_s": round(sum(t["seconds"] for t in results), 2),
            "png_s": round(sum(t["png_s"] for t in results), 2),
            "figures": sum(t["figures"] for t in results),
            "per_notebook": {k: {p: round(v, 2) for p, v in d.items()} for k, d in sorted(per_nb.items())},
            "failed": [f"{slug_of(t['region'], reports)}/{t['notebook']}: {t['error'][:200]}" for t in results if t["status"] != "ok"],
        }
    )
    return res


def slug_of(region: str, reports: list[dict]) -> str:
    return next((r["slug"] for r in reports if r["region"] == region), region)


def _papermill_cmd(r: dict, data: Path, quarter: str, out: Path) -> list:
    return [_tool("papermill"), r["notebook_path"], out, "-p", "data", data, "-p", "region", r["region"], "-p", "quarter", quarter]


def run_naive(data: Path, reports: list[dict], quarter: str, work: Path, log) -> dict:
    """(a) per report, one after the other: a ``papermill`` process, then a ``jupyter nbconvert`` process."""
    res: dict = {"method": "serial papermill + nbconvert per report"}
    pm_s = nc_s = 0.0
    failed, per_nb = [], {}
    with measured(res):
        for r in reports:
            out = work / "naive" / r["slug"] / r["notebook_path"].name
            out.parent.mkdir(parents=True, exist_ok=True)
            t0 = time.perf_counter()
            rc = _run(_papermill_cmd(r, data, quarter, out), log)
            t1 = time.perf_counter()
            rc2 = _run([_tool("jupyter"), "nbconvert", "--to", "html", "--no-input", out], log) if out.is_file() else -1
            t2 = time.perf_counter()
            pm_s, nc_s = pm_s + t1 - t0, nc_s + t2 - t1
            d = per_nb.setdefault(r["notebook_path"].stem, {"papermill_s": 0.0, "nbconvert_s": 0.0})
            d["papermill_s"] += t1 - t0
            d["nbconvert_s"] += t2 - t1
            if rc != 0 or rc2 != 0 or not out.with_suffix(".html").is_file():
                failed.append(f"{r['slug']}/{r['notebook_path'].stem}: papermill exit {rc}, nbconvert exit {rc2}")
    res.update(
        {
            "papermill_s": round(pm_s, 2),
            "nbconvert_s": round(nc_s, 2),
            "per_notebook": {k: {p: round(v, 2) for p, v in d.items()} for k, d in sorted(per_nb.items())},
            "failed": failed,
        }
    )
    return res


def run_parallel_papermill(data: Path, reports: list[dict], quarter: str, jobs: int, work: Path, log) -> dict:
    """(b) ``papermill`` processes ``jobs`` at a time, then one ``jupyter nbconvert`` call for every output."""
    res: dict = {"method": f"papermill x{jobs} in parallel, one nbconvert call"}
    outs = [work / "parallel" / r["slug"] / r["notebook_path"].name for r in reports]
    for o in outs:
        o.parent.mkdir(parents=True, exist_ok=True)

    def one(i: int) -> int:
        return _run(_papermill_cmd(reports[i], data, quarter, outs[i]), log)

    with measured(res):
        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            rcs = list(pool.map(one, range(len(reports))))
        t1 = time.perf_counter()
        present = [o for o in outs if o.is_file()]
        rc_nc = _run([_tool("jupyter"), "nbconvert", "--to", "html", "--no-input", *present], log) if present else -1
        t2 = time.perf_counter()
    failed = [
        f"{r['slug']}/{r['notebook_path'].stem}: papermill exit {rc}"
        for r, rc, o in zip(reports, rcs, outs, strict=True)
        if rc != 0 or not o.with_suffix(".html").is_file()
    ]
    if rc_nc != 0:
        failed.append(f"nbconvert exit {rc_nc}")
    res.update({"papermill_s": round(t1 - t0, 2), "nbconvert_s": round(t2 - t1, 2), "failed": failed})
    return res


# --------------------------------------------------------------------------- one size


def bench_size(spec: dict, notebooks: list[Path], jobs: int, baselines: bool, keep: Path | None, log) -> dict:
    """Measure the four methods on one data size; return the size's entry for latest.json."""
    entry: dict = {"size": spec["size"], "stand_in": spec["stand_in"], "customers": spec["customers"], "regions": spec["regions"]}
    print(f"\n== {spec['key']}: generating data ({spec['customers']:,} customers, {spec['regions']} regions) ...", flush=True)
    with dataset(spec, keep, log) as (data, info):
        entry["rows"] = info["rows"]
        entry["transactions_rows"] = info["rows"].get("transactions")
        entry["data_generation_s"] = info["generation_s"]
        entry["data_reused"] = info["reused"]
        work = Path(tempfile.mkdtemp(prefix="custlib-bench-work-"))
        try:
            print("   (d) custlib render --force ...", flush=True)
            d = run_custlib(data, work / "custlib", notebooks, jobs, log)
            manifest = d.pop("manifest")
            quarter = manifest["quarter"]
            by_nb = {nb.stem: nb for nb in notebooks}
            reports = [
                {"region": e["region"], "slug": e["slug"], "notebook_path": by_nb[e["notebook"]]}
                for e in sorted(manifest["reports"], key=lambda e: (e["region"], e["notebook"]))
                if e["notebook"] in by_nb
            ]
            print(f"       {d['wall_s']:.1f} s; (c) floor ...", flush=True)
            c = run_floor(work / "custlib" / ".cache" / quarter, reports, quarter, manifest["params"], jobs, work, log)
            b = a = None
            if baselines:
                print(f"       {c['wall_s']:.1f} s; (b) parallel papermill ...", flush=True)
                b = run_parallel_papermill(data, reports, quarter, jobs, work, log)
                print(f"       {b['wall_s']:.1f} s; (a) naive papermill + nbconvert ...", flush=True)
                a = run_naive(data, reports, quarter, work, log)
                print(f"       {a['wall_s']:.1f} s", flush=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    regions = sorted({r["region"] for r in reports})
    entry.update(
        {
            "region_names": regions,
            "n_regions": len(regions),
            "notebooks": [nb.stem for nb in notebooks],
            "n_notebooks": len(notebooks),
            "n_reports": len(reports),
            "quarter": quarter,
            "jobs": jobs,
            "naive_s": a["wall_s"] if a else None,
            "parallel_papermill_s": b["wall_s"] if b else None,
            "floor_s": c["wall_s"],
            "custlib_s": d["wall_s"],
            "peak_rss_mib": d["peak_tree_rss_mib"],
            "peak_rss_single_process_mib": d["peak_single_process_rss_mib"],
            "prep_s": d["breakdown"]["prep_s"],
            "baselines_skipped": None if baselines else "naive and parallel papermill not run for this size (--baselines)",
            "ratios": {
                "custlib_over_naive": ratio(d["wall_s"], a and a["wall_s"]),
                "custlib_over_parallel_papermill": ratio(d["wall_s"], b and b["wall_s"]),
                "custlib_over_floor": ratio(d["wall_s"], c["wall_s"]),
            },
            "methods": {"naive": a, "parallel_papermill": b, "floor": c, "custlib": d},
            "all_reports_ok": not any(m and m["failed"] for m in (a, b, c, d)),
            "measured_at": dt.datetime.now().isoformat(timespec="seconds"),
            "git": git_commit(),
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        }
    )
    entry["targets"] = evaluate_targets(entry)
    return entry


def evaluate_targets(entry: dict) -> dict:
    """Issue 7's targets that apply to this size: ratios on the default sample, absolute figures on the large one."""
    out = {}
    if entry["size"] == "default":
        for k, limit in RATIO_TARGETS.items():
            v = entry["ratios"].get(k)
            out[k] = {"value": v, "at_most": round(limit, 3), "met": None if v is None else v <= limit}
    if entry["size"] == "large":
        for k, limit in ABSOLUTE_TARGETS.items():
            v = entry.get(k)
            out[k] = {"value": v, "below": limit, "met": None if v is None else v < limit}
    return out


# --------------------------------------------------------------------------- printing and saving


def _t(v: float | None) -> str:
    return "skipped" if v is None else f"{v:8.1f} s"


def format_entry(key: str, e: dict) -> str:
    """The printed summary of one size."""
    m = e["methods"]
    lines = [
        f"\n== {key}: {e['customers']:,} customers, {e['n_regions']} regions, {e['transactions_rows'] or 0:,} order lines; "
        f"{e['n_notebooks']} notebooks x {e['n_regions']} regions = {e['n_reports']} reports; quarter {e['quarter']}; {e['jobs']} jobs"
        + (" (STAND-IN for the real size)" if e["stand_in"] else ""),
        f"   {'method':<52} {'time':>10}  {'d/x':>6}  {'peak RSS (tree)':>16}  {'own CPU':>9}  {'other CPU':>9}",
    ]
    rows = [
        ("(a) naive: papermill + nbconvert per report, serial", "naive", "custlib_over_naive"),
        (f"(b) papermill x{e['jobs']} parallel + one nbconvert", "parallel_papermill", "custlib_over_parallel_papermill"),
        (f"(c) floor: plain Python, {e['jobs']} warm processes", "floor", "custlib_over_floor"),
        ("(d) custlib render --force", "custlib", None),
    ]
    for label, k, rk in rows:
        r = m.get(k)
        if r is None:
            lines.append(f"   {label:<52} {'skipped':>10}  (--baselines: null in the JSON)")
            continue
        rv = e["ratios"][rk] if rk else None
        lines.append(
            f"   {label:<52} {_t(r['wall_s']):>10}  {'' if rv is None else f'{rv:6.3f}':>6}  {r['peak_tree_rss_mib']:>12,.0f} MiB"
            f"  {r.get('own_cpu_s', 0):>7.1f} s  {r.get('other_cpu_share', 0):>8.0%}"
        )
    for rk, r in e["ratios"].items():
        if r:
            how = f"{1 / r:.2f}x faster" if r < 1 else f"{r:.2f}x slower"
            lines.append(f"   {rk.replace('_over_', ' / ')}: {r:.3f} (custlib {how})")
    if e["targets"]:
        t = ", ".join(
            f"{k} {v['value']} {'<=' if 'at_most' in v else '<'} {v.get('at_most', v.get('below'))}: "
            f"{'met' if v['met'] else 'NOT met' if v['met'] is not None else 'not measured'}"
            for k, v in e["targets"].items()
        )
        lines.append(f"   targets: {t}")
    bd = m["custlib"]["breakdown"]
    ph = bd["phases_s"]
    lines.append(
        f"   custlib phases (wall): validate {ph.get('validate_s', 0):.1f} s, prepare {ph.get('prepare_s', 0):.1f} s "
        f"(prep_s {e['prep_s']:.1f} s), execute {ph.get('execute_s', 0):.1f} s, start-up/index {bd['startup_and_index_s']:.1f} s; "
        f"peak RSS {e['peak_rss_mib']:,.0f} MiB (tree), {e['peak_rss_single_process_mib']:,.0f} MiB (largest process)"
    )
    ps = bd["report_phase_sums_s"]
    lines.append(
        f"   per report, summed over {e['n_reports']} reports on {bd['slots']} slots: "
        + ", ".join(f"{k.removesuffix('_s').replace('_', ' ')} {v:.1f} s" for k, v in ps.items())
        + f", dispatch {bd['dispatch_s']:.1f} s; idle slot time {bd['idle_slot_s']:.1f} s"
    )
    fl = m["floor"]
    lines.append(
        f"   floor: worker start+imports {', '.join(f'{x:.1f}' for x in fl['worker_init_s'])} s, scripts {fl['task_seconds_sum_s']:.1f} s summed "
        f"(of which PNG rendering of {fl['figures']} figures {fl['png_s']:.1f} s); "
        f"native threads per worker: {', '.join(f'{k}={v}' for k, v in fl.get('threads_per_worker', {}).items()) or 'default'}"
    )
    lines.append(
        f"   {'per notebook, summed over regions':<36} {'custlib exec':>12} {'+convert':>9} {'floor':>8} {'naive pm':>9} {'naive nbc':>9}"
    )
    naive_nb = (m.get("naive") or {}).get("per_notebook", {})
    for nb, d in bd["per_notebook"].items():
        f = fl["per_notebook"].get(nb, {})
        n = naive_nb.get(nb, {})
        lines.append(
            f"   {nb:<36} {d.get('execute_s', 0):>10.1f} s {d.get('convert_s', 0):>7.1f} s {f.get('seconds', 0):>6.1f} s"
            + (f" {n.get('papermill_s', 0):>7.1f} s {n.get('nbconvert_s', 0):>7.1f} s" if n else "")
        )
    for k, r in m.items():
        if r and r["failed"]:
            lines.append(f"   FAILED in {k}: {len(r['failed'])} report(s), e.g. {r['failed'][0]}")
    return "\n".join(lines)


def merge_results(path: Path, new: dict) -> dict:
    """``new`` with the sizes already in ``path`` that ``new`` does not measure kept."""
    try:
        old = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        old = {}
    sizes = dict(old.get("sizes", {})) if isinstance(old.get("sizes"), dict) else {}
    sizes.update(new["sizes"])
    return {**new, "sizes": sizes}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Benchmark custlib render against papermill baselines and the plain-Python floor.")
    p.add_argument("--size", choices=[*SIZES, "all"], default="all", help="data size to measure (default all)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"results JSON (default {DEFAULT_OUT.relative_to(ROOT)})")
    p.add_argument(
        "--keep-data", type=Path, default=None, metavar="DIR", help="generate the data into DIR/<size> and keep it (reused next time)"
    )
    p.add_argument(
        "--baselines",
        choices=["default", "all", "none"],
        default="default",
        help="sizes on which to run (a) naive and (b) parallel papermill: only 'default' (default), 'all', or 'none'",
    )
    p.add_argument("--notebooks", default="all", help="'all' or comma-separated notebooks (as custlib render --notebooks)")
    p.add_argument("--jobs", type=int, default=None, help="parallel processes for (b), (c) and (d) (default: number of cores)")
    p.add_argument("--customers", type=int, default=None, help="stand-in: this many customers instead of the size's (one size only)")
    p.add_argument("--regions", type=int, default=None, help="stand-in: this many regions instead of the size's (one size only)")
    args = p.parse_args(argv)
    if (args.customers or args.regions) and args.size == "all":
        p.error("--customers/--regions make a stand-in for one size: give --size default or --size large")
    if args.jobs is not None and args.jobs < 1:
        p.error("--jobs must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from custlib.exceptions import CustlibError
    from custlib.run.runner import list_notebooks

    try:
        notebooks = list_notebooks(args.notebooks)
    except CustlibError as err:
        print(f"bench: error: {err}", file=sys.stderr)
        return 2
    jobs = args.jobs or os.cpu_count() or 1
    sizes = list(SIZES) if args.size == "all" else [args.size]
    log_path = Path(tempfile.gettempdir()) / f"custlib-bench-{os.getpid()}.log"
    results = {
        "generated": dt.datetime.now().isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])]),
        "machine": machine_info(),
        "git": git_commit(),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "thread_environment": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")},
        "notes": {
            "peak_rss_mib": "largest sum of VmRSS over every process below the benchmark (custlib render and its report workers), "
            "sampled every 0.2 s from /proc during (d); shared pages count once per process, so it is an upper bound",
            "prep_s": "custlib render's validate_s + prepare_s from its manifest (validating the source and writing the per-region slices)",
            "floor_s": "wall time of a plain-Python process pool (start-up and imports once per worker included) running the notebooks' "
            "code over the slices custlib prepared; figures rendered to PNG, IPython display a no-op; native thread pools "
            "(OpenMP, OpenBLAS, MKL) limited to cores // jobs threads per worker unless the environment sets them",
            "ratios": "custlib_s divided by the other method's time: below 1 means custlib is faster",
            "other_cpu_share": "CPU taken by processes outside the benchmark during a method, as a share of all cores' time",
        },
        "sizes": {},
    }
    print(
        f"machine: {results['machine']['cpu']}, {results['machine']['cores']} cores, {results['machine']['memory_gib']} GiB; "
        f"load average {results['load_average_before']}; log: {log_path}"
    )
    ok = True
    with open(log_path, "w", encoding="utf-8") as log:
        try:
            warm_up(log)
            for size in sizes:
                spec = size_spec(size, args.customers, args.regions)
                run_baselines = args.baselines == "all" or (args.baselines == "default" and size == "default")
                entry = bench_size(spec, notebooks, jobs, run_baselines, args.keep_data, log)
                results["sizes"][spec["key"]] = entry
                ok &= entry["all_reports_ok"]
                print(format_entry(spec["key"], entry), flush=True)
        except BenchError as err:
            print(f"bench: error: {err}", file=sys.stderr)
            return 2
    merged = merge_results(args.out, results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(merged, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten: {args.out}")
    if not ok:
        print(f"WARNING: some reports failed (see FAILED above; log: {log_path}); their times are not comparable", file=sys.stderr)
    else:
        log_path.unlink(missing_ok=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
