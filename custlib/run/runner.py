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

import datetime as dt
import hashlib
import html
import json
import os
import platform
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from custlib.exceptions import ParamsError, RenderError
from custlib.io.data import (
    Source,
    list_regions,
    load_region,
    match_regions,
    peer_quarterly,
    resolve_quarter,
    slugify,
    source_coverage,
    with_peer_file,
)
from custlib.io.params import load_params, parse_sets
from custlib.io.validate import validate_source
from custlib.reports.context import PREPARED_MARKER, settings_json

ROOT = Path(__file__).resolve().parent.parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"

TITLES = {
    "00_overview_region": "Region overview",
    "01_segment_customers": "Customer segmentation",
    "02_diagnose_pareto": "Pareto diagnostics",
    "03_forecast_development": "Development forecast",
    "04_compare_make_vs_buy": "Make vs buy",
}

PACKAGES = ("custlib", "pandas", "numpy", "duckdb", "papermill", "nbconvert", "statsmodels", "scikit-learn", "seaborn", "matplotlib")


def report_title(notebook: str, region: str, quarter: str, lang: str = "en") -> str:
    """``"Customer segmentation — East — 2026Q3"`` in the report's language."""
    from custlib.present.i18n import tr

    return f"{tr(TITLES.get(notebook, notebook), lang)} — {tr(region, lang)} — {quarter}"


# --------------------------------------------------------------------------- files

_UMASK = os.umask(0)
os.umask(_UMASK)


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def output_lock(out: Path):
    """Hold an exclusive lock on ``out`` for one render; refuse a second one.

    Raises
    ------
    RenderError
        Another render holds the lock.
    """
    import fcntl

    out.mkdir(parents=True, exist_ok=True)
    lock_path = out / ".render.lock"
    fh = open(lock_path, "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as err:
        fh.seek(0)
        holder = fh.read().strip() or "unknown"
        fh.close()
        raise RenderError(f"{out}: another render is writing to this folder ({holder}); wait for it or use another --out") from err
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()} since {dt.datetime.now().isoformat(timespec='seconds')}")
    fh.flush()
    try:
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


# --------------------------------------------------------------------------- planning


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
class Job:
    region: str
    slug: str
    notebook: Path
    data_dir: Path
    quarter: str
    params: dict
    out_dir: Path
    run_key: str = ""

    @property
    def name(self) -> str:
        return self.notebook.stem


@dataclass
class Outcome:
    region: str
    slug: str
    notebook: str
    status: str
    seconds: float
    html: str
    ipynb: str
    error: str = ""
    phases: dict = field(default_factory=dict)
    run_key: str = ""
    skipped: bool = False
    headlines: list = field(default_factory=list)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    h.update(Path(path).read_bytes())
    return h.hexdigest()


def code_sha256() -> str:
    """Hash of custlib's own code, schemas and templates: a change re-renders every report."""
    h = hashlib.sha256()
    pkg = Path(__file__).resolve().parent.parent
    for f in sorted(p for p in pkg.rglob("*") if p.is_file() and p.suffix in (".py", ".json", ".j2", ".po")):
        h.update(f.relative_to(pkg).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def run_key(source_fp: dict, region: str, quarter: str, params: dict, notebook_sha: str, code_sha: str) -> str:
    """What makes a report what it is: data, region, quarter, parameters, notebook, custlib."""
    blob = json.dumps([source_fp, region, quarter, settings_json(params), notebook_sha, code_sha], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def package_versions() -> dict[str, str]:
    out = {}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = "not installed"
    out["python"] = platform.python_version()
    return out


def prepare_region(con, region: str, quarter, dest: Path, peers, source_fp: dict | None = None) -> bool:
    """Write one region's slice (validated, typed) as Parquet into ``dest``, atomically.

    Returns False (and writes nothing) when ``dest`` already holds the slice
    of the same source (by fingerprint), region and quarter.
    """
    marker = {"region": region, "quarter": str(quarter), "source": source_fp or {}}
    mpath = dest / PREPARED_MARKER
    if source_fp and mpath.is_file():
        try:
            if json.loads(mpath.read_text(encoding="utf-8")) == marker:
                return False
        except json.JSONDecodeError:
            pass
    rd = load_region(con, region, quarter)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        rd.customers.to_parquet(tmp / "customers.parquet", index=False)
        rd.transactions.to_parquet(tmp / "transactions.parquet", index=False)
        if rd.offers is not None:
            rd.offers.to_parquet(tmp / "offers.parquet", index=False)
        if rd.service_costs is not None:
            rd.service_costs.to_parquet(tmp / "service_costs.parquet", index=False)
        peers.to_parquet(tmp / "peer_quarterly.parquet", index=False)
        (tmp / PREPARED_MARKER).write_text(json.dumps(marker), encoding="utf-8")
        if dest.exists():
            old = dest.with_name(dest.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(dest, old)
            os.replace(tmp, dest)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return True


DATE_COLUMN = {"transactions": "order_date", "offers": "offer_date", "service_costs": "month"}


def prepare_regions(con, regions: list[str], quarter, cache: Path, peers, source_fp: dict | None = None) -> list[str]:
    """Write every region's slice as Parquet under ``cache/<slug>/``, one scan per table for all regions.

    Each table is copied once with DuckDB's partitioned ``COPY`` (by region),
    then each region's files are moved into its folder, which replaces the
    old one in one rename. Regions whose folder already holds the slice of
    the same source (by fingerprint) and quarter are skipped. Returns the
    regions prepared.
    """
    todo = []
    for r in regions:
        marker = {"region": r, "quarter": str(quarter), "source": source_fp or {}}
        mpath = cache / slugify(r) / PREPARED_MARKER
        try:
            if source_fp and json.loads(mpath.read_text(encoding="utf-8")) == marker:
                continue
        except (OSError, json.JSONDecodeError):
            pass
        todo.append(r)
    if not todo:
        return []
    from custlib.io.contract import TABLES

    tables = [t for t in TABLES if t in {v[0] for v in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}]
    stage = Path(tempfile.mkdtemp(prefix=".prepare.", dir=cache))
    end = quarter.end.date().isoformat()
    try:
        import pandas as pd

        con.register("_region_map_df", pd.DataFrame({"key": [r.lower() for r in todo], "rx": list(range(len(todo)))}))
        con.execute("CREATE OR REPLACE TEMP TABLE _region_map AS SELECT * FROM _region_map_df").fetchall()
        con.unregister("_region_map_df")
        cols = {t: ", ".join(f'x."{c.name}"' for c in TABLES[t].columns) for t in tables}
        for t in tables:
            if t == "customers":
                sel = f"SELECT m.rx AS _rx, {cols[t]} FROM customers x JOIN _region_map m ON lower(x.region) = m.key"
            else:
                sel = (
                    f'SELECT m.rx AS _rx, {cols[t]} FROM "{t}" x JOIN customers c ON x.customer_id = c.customer_id '
                    f"JOIN _region_map m ON lower(c.region) = m.key WHERE x.\"{DATE_COLUMN[t]}\" <= DATE '{end}'"
                )
            target = str(stage / t).replace("'", "''")
            con.execute(f"COPY ({sel}) TO '{target}' (FORMAT parquet, PARTITION_BY (_rx))").fetchall()
        for i, r in enumerate(todo):
            tmp = stage / f"region-{i}"
            tmp.mkdir()
            for t in tables:
                files = sorted((stage / t / f"_rx={i}").glob("*.parquet"))
                dest = tmp / f"{t}.parquet"
                if len(files) == 1:
                    os.replace(files[0], dest)
                else:  # none (an empty slice keeps its columns) or several files to join
                    src = (
                        f"read_parquet([{', '.join(repr(str(f)) for f in files)}])"
                        if files
                        else f'(SELECT {cols[t].replace("x.", "")} FROM "{t}" LIMIT 0)'
                    )
                    con.execute(f"COPY (SELECT * FROM {src}) TO '{str(dest)}' (FORMAT parquet)").fetchall()
            peers.to_parquet(tmp / "peer_quarterly.parquet", index=False)
            marker = {"region": r, "quarter": str(quarter), "source": source_fp or {}}
            (tmp / PREPARED_MARKER).write_text(json.dumps(marker), encoding="utf-8")
            dest_dir = cache / slugify(r)
            if dest_dir.exists():
                old = dest_dir.with_name(dest_dir.name + ".old")
                shutil.rmtree(old, ignore_errors=True)
                os.replace(dest_dir, old)
                os.replace(tmp, dest_dir)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, dest_dir)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return todo


# --------------------------------------------------------------------------- job slots


class Slot:
    """A worker process (``custlib.run.worker``), its own warm kernel.

    Jobs are sent one JSON line at a time; the answer comes back on stdout.
    The per-notebook timeout is enforced here: a job that does not answer in
    time gets the whole process group (the worker and anything it started)
    killed, and the slot starts afresh for its next job; so does a worker
    that asks to be replaced (after a cell timeout, or when its state could
    not be reset).
    """

    def __init__(self, cwd: Path, log_dir: Path, threads: int | None = None):
        self.cwd = cwd
        self.log_dir = log_dir
        self.threads = threads
        self.proc: subprocess.Popen | None = None
        self.lines: queue.Queue = queue.Queue()
        self.start_s = 0.0
        self.jobs_run = 0
        self._ready = False

    def launch(self) -> None:
        """Start the worker process (its kernel boots in the background); :meth:`start` waits for it."""
        if self.proc is not None and self.proc.poll() is None:
            return
        self._ready = False
        self.log = open(tempfile.NamedTemporaryFile(prefix="worker-", suffix=".log", dir=self.log_dir, delete=False).name, "w+")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "custlib.run.worker", str(self.cwd)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            bufsize=1,
            start_new_session=True,
            cwd=str(self.cwd),
            env=self._env(),
        )
        self.lines = queue.Queue()
        threading.Thread(target=self._pump, args=(self.proc, self.lines), daemon=True).start()

    def start(self) -> None:
        """Launch the worker if needed and wait until its kernel is warm."""
        import custlib.run.worker as w

        self.launch()
        if not self._ready:
            ready = self._answer(300, w.PREFIX)
            self.start_s = float(ready.get("start_s", 0.0))
            self._ready = True

    def _env(self) -> dict:
        """The worker's (and so its kernel's) environment: numeric libraries get this slot's share of the cores.

        Without it every kernel's OpenMP/BLAS uses all cores and the slots fight over them
        (measured: k-means in two slots at once 24 s each, 2 s each with one thread per slot).
        A value the user set is kept.
        """
        env = dict(os.environ)
        if self.threads:
            for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
                env.setdefault(var, str(self.threads))
        return env

    @staticmethod
    def _pump(proc, lines):
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    def _answer(self, timeout: float, prefix: str) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty as err:
                raise TimeoutError from err
            if line is None:
                raise ChildProcessError(self._log_tail())
            if line.startswith(prefix):
                return json.loads(line[len(prefix) :])

    def _log_tail(self) -> str:
        try:
            self.log.flush()
            self.log.seek(0)
            return "\n".join(self.log.read().strip().splitlines()[-15:])
        except (OSError, ValueError):
            return ""

    def run(self, spec: dict, timeout: float) -> dict:
        import custlib.run.worker as w

        if self.proc is None or self.proc.poll() is not None or not self._ready:
            self.start()
        self.proc.stdin.write(json.dumps(spec) + "\n")
        self.proc.stdin.flush()
        self.jobs_run += 1
        res = self._answer(timeout, w.PREFIX)
        if res.get("restart"):  # the worker asked to be replaced (see custlib.run.worker.run_job) and is exiting
            self.close(wait=2)
        return res

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        self.proc = None

    def close(self, wait: float = 30) -> None:
        """Let the worker finish (closing its job stream), killing it after ``wait`` seconds."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=wait)
            except (subprocess.TimeoutExpired, OSError):
                pass
        self.kill()
        if getattr(self, "log", None):
            self.log.close()
            Path(self.log.name).unlink(missing_ok=True)


def _spec(job: Job) -> dict:
    return {
        "notebook": str(job.notebook),
        "data": str(job.data_dir),
        "region": job.region,
        "quarter": job.quarter,
        "params": job.params,
        "out_dir": str(job.out_dir),
        "title": report_title(job.name, job.region, job.quarter, job.params.get("report", {}).get("lang", "en")),
    }


def _run_in_slot(slot: Slot, job: Job) -> Outcome:
    timeout = int(job.params.get("run", {}).get("notebook_timeout_s", 1800))
    t0 = time.perf_counter()
    try:
        if slot.proc is None or not slot._ready:
            slot.start()
        t_started = time.perf_counter()
        res = slot.run(_spec(job), timeout)
    except TimeoutError:
        slot.kill()
        return Outcome(
            job.region,
            job.slug,
            job.name,
            "failed",
            time.perf_counter() - t0,
            "",
            "",
            f"stopped after the notebook timeout of {timeout} s (run.notebook_timeout_s)",
        )
    except (ChildProcessError, OSError) as err:
        slot.kill()
        return Outcome(job.region, job.slug, job.name, "failed", time.perf_counter() - t0, "", "", f"worker crashed:\n{err}")
    phases = dict(res.get("phases", {}))
    phases["kernel_start_s"] = round(t_started - t0, 3)
    return Outcome(
        job.region,
        job.slug,
        job.name,
        res["status"],
        time.perf_counter() - t0,
        res.get("html", ""),
        res.get("ipynb", ""),
        res.get("error", ""),
        phases,
        headlines=res.get("headlines", []),
    )


# --------------------------------------------------------------------------- index


#: The words of the index and roll-up pages, in each report language (see :func:`_page_text`).
PAGE_TEXT = {
    "en": {
        "html_lang": "en",
        "index_title": "Customer development reports — {quarter}",
        "summary": "Generated {generated}. {ok} of {total} reports succeeded.",
        "to_rollup": "Compare regions: the quarter's roll-up",
        "region": "Region",
        "report": "Report",
        "status": "Status",
        "time": "Time",
        "seconds": "{seconds:.1f} s",
        "ok": "ok",
        "failed": "failed",
        "rollup_title": "Regions compared — {quarter}",
        "rollup_intro": "The headline figures of each region's reports side by side, with the change against the previous quarter "
        "(green: good news, red: bad). Generated {generated}.",
        "to_index": "All reports",
        "figure": "Figure",
        "no_headlines": "No report published headline figures this quarter.",
    },
    "zh": {
        "html_lang": "zh",
        "index_title": "客户开发报告 — {quarter}",
        "summary": "生成于 {generated}。{total} 份报告中 {ok} 份成功。",
        "to_rollup": "区域对比：本季度汇总",
        "region": "区域",
        "report": "报告",
        "status": "状态",
        "time": "用时",
        "seconds": "{seconds:.1f} 秒",
        "ok": "成功",
        "failed": "失败",
        "rollup_title": "区域对比 — {quarter}",
        "rollup_intro": "各区域报告的核心指标并列对比，并标出与上季度相比的变化（绿色：向好，红色：变差）。生成于 {generated}。",
        "to_index": "全部报告",
        "figure": "指标",
        "no_headlines": "本季度没有报告发布核心指标。",
    },
}


def _page_text(lang: str) -> dict:
    from custlib.present.i18n import check_lang

    return PAGE_TEXT[check_lang(lang)]


def _index_html(quarter: str, entries: list[dict], generated: str, lang: str = "en") -> str:
    """The quarter's list of reports, in ``lang`` (region names and report titles translated; error messages as they are)."""
    from custlib.present.i18n import tr

    t = _page_text(lang)
    rows = []
    for e in sorted(entries, key=lambda e: (e["region"].casefold(), e["notebook"])):
        ok = e["status"] == "ok"
        title = html.escape(tr(TITLES.get(e["notebook"], e["notebook"]), lang))
        link = f'<a href="{html.escape(e["html"], quote=True)}">{title}</a>' if e.get("html") else title
        err = f'<div class="err">{html.escape(e.get("error", "")[:500])}</div>' if not ok and e.get("error") else ""
        status = t.get(e["status"], e["status"])
        rows.append(
            f"<tr><td>{html.escape(tr(e['region'], lang))}</td><td>{link}{err}</td>"
            f'<td class="{"ok" if ok else "failed"}">{html.escape(status)}</td><td>{t["seconds"].format(seconds=e["seconds"])}</td></tr>'
        )
    title = html.escape(t["index_title"].format(quarter=quarter))
    summary = html.escape(t["summary"].format(generated=generated, ok=sum(e["status"] == "ok" for e in entries), total=len(entries)))
    return f"""<!DOCTYPE html>
<html lang="{t["html_lang"]}"><head><meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, "Noto Sans CJK SC", sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ border-bottom: 1px solid #ddd; padding: .4rem .6rem; text-align: left; }}
td.ok {{ color: #2e7d32; }} td.failed {{ color: #b71c1c; font-weight: bold; }} .err {{ color: #b71c1c; font-size: .85em; white-space: pre-wrap; }}
</style></head><body>
<h1>{title}</h1>
<p>{summary}
<a href="rollup.html">{html.escape(t["to_rollup"])}</a>.</p>
<table><thead><tr><th>{t["region"]}</th><th>{t["report"]}</th><th>{t["status"]}</th><th>{t["time"]}</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""


def _rollup_html(quarter: str, entries: list[dict], generated: str, lang: str = "en") -> str:
    """One table per analysis: its headline figures (rows) for every region (columns), in ``lang``.

    Built from the figures each report published in its executive summary,
    so nothing is computed again and no customer appears.
    """
    from custlib.present.i18n import tr
    from custlib.reports.context import _fmt_unit, headline_change

    t = _page_text(lang)
    by_nb: dict[str, dict[str, dict]] = {}
    regions = sorted({e["region"] for e in entries}, key=str.casefold)
    for e in entries:
        for h in e.get("headlines") or []:
            by_nb.setdefault(e["notebook"], {}).setdefault(h["figure"], {})[e["region"]] = h
    sections = []
    for nb in sorted(by_nb):
        rows = []
        for fig, per_region in by_nb[nb].items():
            cells = []
            for r in regions:
                h = per_region.get(r)
                if not h:
                    cells.append("<td>–</td>")
                    continue
                val = _fmt_unit(h.get("value"), h.get("unit", ""))
                moved = headline_change(h.get("value"), h.get("previous"), h.get("unit", ""), h.get("good", "up"))
                delta = ""
                if moved is not None:
                    tone, arrow, change = moved
                    delta = f'<br><span class="{tone}">{arrow} {html.escape(tr(change, lang))}</span>'
                cells.append(f"<td>{html.escape(val)}{delta}</td>")
            label = next((h["labels"][lang] for h in per_region.values() if lang in (h.get("labels") or {})), tr(fig, lang))
            rows.append(f"<tr><th>{html.escape(label)}</th>{''.join(cells)}</tr>")
        head = "".join(f"<th>{html.escape(tr(r, lang))}</th>" for r in regions)
        anchor = html.escape(nb, quote=True)
        sections.append(
            f'<h2 id="{anchor}">{html.escape(tr(TITLES.get(nb, nb), lang))}<a class="anchor-link" href="#{anchor}">¶</a></h2>'
            f"<table><thead><tr><th>{t['figure']}</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
    body = "".join(sections) or f"<p>{html.escape(t['no_headlines'])}</p>"
    title = html.escape(t["rollup_title"].format(quarter=quarter))
    return f"""<!DOCTYPE html>
<html lang="{t["html_lang"]}"><head><meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, "Noto Sans CJK SC", sans-serif; margin: 2rem auto; max-width: 72rem; color: #222; }}
table {{ border-collapse: collapse; margin-bottom: 1.5rem; }} th, td {{ border-bottom: 1px solid #ddd; padding: .35rem .7rem; text-align: right; }}
tbody th {{ text-align: left; font-weight: 600; }} thead th {{ background: #eef3f8; border-bottom: 2px solid #1b5e8c; }}
.up {{ color: #2e7d32; font-size: .85em; }} .down {{ color: #b71c1c; font-size: .85em; }} .flat {{ color: #666; font-size: .85em; }}
a.anchor-link {{ margin-left: .3em; color: #bbb; text-decoration: none; font-size: .8em; }}
</style></head><body>
<h1 id="regions-compared">{title}<a class="anchor-link" href="#regions-compared">¶</a></h1>
<p>{html.escape(t["rollup_intro"].format(generated=generated))} <a href="index.html">{html.escape(t["to_index"])}</a>.</p>
{body}
</body></html>
"""


# --------------------------------------------------------------------------- render


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
        q = resolve_quarter(con, quarter, source_coverage(source))
        chosen = match_regions(list_regions(con), regions)
        region_params = {r: load_params(r, params_dir, sets) for r in chosen}
        slugs = {r: slugify(r) for r in chosen}
        if len(set(slugs.values())) != len(slugs):
            raise ParamsError(f"regions: two regions give the same folder name: {slugs}")
        t_validated = time.perf_counter()
        qdir = out / str(q)
        with output_lock(out):
            _clear_stale_temporaries(out)
            cache = out / ".cache" / str(q)
            cache.mkdir(parents=True, exist_ok=True)
            source_fp = source.fingerprint()
            if scheduler is None:
                peers = with_peer_file(peer_quarterly(con, q.end), source, q)
                prepare_regions(con, chosen, q, cache, peers, source_fp)
            con.close()
            con = None
            t_prepared = time.perf_counter()
            code_sha = code_sha256()
            nb_sha = {nb: file_sha256(nb) for nb in nbs}
            previous = _previous_reports(qdir)
            job_list, skipped = [], []
            for r in chosen:
                for nb in nbs:
                    job = Job(r, slugs[r], nb, cache / slugs[r], str(q), region_params[r], qdir / slugs[r])
                    job.run_key = run_key(source_fp, r, str(q), region_params[r], nb_sha[nb], code_sha)
                    old = previous.get(f"{job.slug}/{job.name}")
                    if (
                        not force
                        and old
                        and old.get("run_key") == job.run_key
                        and old.get("status") == "ok"
                        and (qdir / old.get("html", "")).is_file()
                    ):
                        skipped.append(
                            Outcome(
                                r,
                                job.slug,
                                job.name,
                                "ok",
                                0.0,
                                str(qdir / old["html"]),
                                str(qdir / old["ipynb"]),
                                "",
                                {},
                                job.run_key,
                                True,
                                old.get("headlines", []),
                            )
                        )
                    else:
                        job_list.append(job)
            if skipped and progress:
                print(f"skipping {len(skipped)} report(s) whose inputs are unchanged (use --force to render them again)", file=sys.stderr)
            keys = {(j.slug, j.name): j.run_key for j in job_list}
            if scheduler is not None:
                from custlib.run.cluster import execute_on_cluster

                location = source.location if source.is_sql else str(Path(source.location).resolve())
                outcomes = execute_on_cluster(scheduler, location, job_list, progress)
            else:
                outcomes = _execute(job_list, jobs, progress, notebook_dir, cache, early, previous)
            for o in outcomes:
                o.run_key = keys[(o.slug, o.notebook)]
            outcomes = sorted(outcomes + skipped, key=lambda o: (o.slug, o.notebook))
            result = RenderResult(str(q), qdir, qdir / "index.html", outcomes)
            _write_index_and_manifest(
                result,
                source,
                region_params,
                nbs,
                {
                    "validate_s": round(t_validated - t_start, 3),
                    "prepare_s": round(t_prepared - t_validated, 3),
                    "execute_s": round(time.perf_counter() - t_prepared, 3),
                },
                # the run's language (params/defaults.yaml and --set); a region's own file sets only its reports'
                base_params.get("report", {}).get("lang", "en"),
            )
            return result
    finally:
        if con is not None:
            con.close()


def _job_cost(o) -> float | None:
    """Seconds a report kept its slot busy, without the slot's one-off kernel start; ``None`` if unknown."""
    phases = o.get("phases", {}) if isinstance(o, dict) else o.phases
    seconds = o.get("seconds") if isinstance(o, dict) else o.seconds
    if phases and "execute_s" in phases:
        return float(phases["execute_s"]) + float(phases.get("convert_s", 0.0)) + float(phases.get("reset_s", 0.0))
    return float(seconds) if seconds else None


class JobQueue:
    """The order in which free slots take jobs: region after region, the longest notebooks of a region first.

    A notebook's expected time is the mean of what it took so far in this run
    (in any region), else in the previous run of the quarter (``history``:
    manifest entries); notebooks never timed go first, so their times are
    learned early. Region after region keeps each slot's cached region slice
    useful; longest first within a region means the run ends on short jobs and
    the slots finish close together instead of one waiting for the other's
    long last report.
    """

    def __init__(self, job_list: list[Job], history: dict | None = None):
        self._rank = {}
        for j in job_list:
            self._rank.setdefault(j.region, len(self._rank))
        self._todo = list(enumerate(job_list))
        self._seen: dict[str, list[float]] = {}
        self._prior: dict[str, list[float]] = {}
        for entry in (history or {}).values():
            cost = _job_cost(entry)
            if cost is not None and entry.get("notebook"):
                self._prior.setdefault(entry["notebook"], []).append(cost)
        self._lock = threading.Lock()

    def expected(self, notebook: str) -> float:
        """Expected seconds of ``notebook`` (infinite while unknown)."""
        times = self._seen.get(notebook) or self._prior.get(notebook)
        return sum(times) / len(times) if times else float("inf")

    def take(self) -> Job | None:
        """The next job, or ``None`` when none is left."""
        with self._lock:
            if not self._todo:
                return None
            best = min(self._todo, key=lambda ij: (self._rank[ij[1].region], -self.expected(ij[1].name), ij[0]))
            self._todo.remove(best)
            return best[1]

    def done(self, outcome: Outcome) -> None:
        """Learn from a finished job's time."""
        cost = _job_cost(outcome)
        if cost is not None and outcome.status == "ok":
            with self._lock:
                self._seen.setdefault(outcome.notebook, []).append(cost)


def _execute(
    job_list: list[Job], jobs: int, progress: bool, cwd: Path, log_dir: Path, slots: list | None = None, history: dict | None = None
) -> list[Outcome]:
    """Run jobs on ``jobs`` warm slots; each slot takes the next job (see :class:`JobQueue`) when free.

    ``slots`` are already launched slots to use first (see :func:`render`); spare ones are closed.
    ``history`` is the previous run's manifest entries, for the expected job times.
    """
    from tqdm import tqdm

    outcomes: list[Outcome] = []
    slots = list(slots or [])
    if not job_list:
        for sl in slots:
            sl.close()
        return outcomes
    todo = JobQueue(job_list, history)
    lock = threading.Lock()
    bar = tqdm(total=len(job_list), desc="reports", unit="run", disable=not progress, file=sys.stderr)

    def drive(slot: Slot) -> None:
        try:
            while (job := todo.take()) is not None:
                o = _run_in_slot(slot, job)
                todo.done(o)
                with lock:
                    outcomes.append(o)
                    bar.set_postfix_str(f"{o.slug}/{o.notebook}: {o.status}")
                    bar.update(1)
        finally:
            slot.close()

    n = max(1, min(jobs, len(job_list)))
    for spare in slots[n:]:
        spare.close()
    threads = max(1, (os.cpu_count() or 1) // n)
    use = slots[:n] + [Slot(cwd, log_dir, threads) for _ in range(n - len(slots[:n]))]
    with ThreadPoolExecutor(max_workers=n) as pool:
        for fut in [pool.submit(drive, sl) for sl in use]:
            fut.result()
    bar.close()
    return sorted(outcomes, key=lambda o: (o.slug, o.notebook))


def _clear_stale_temporaries(out: Path) -> None:
    """Remove temporary files a killed run left behind (only ever called under the lock)."""
    for p in out.rglob(".*.tmp"):
        p.unlink(missing_ok=True)
    for p in out.rglob(".*.old"):
        shutil.rmtree(p, ignore_errors=True)


def _previous_reports(qdir: Path) -> dict:
    try:
        old = json.loads((qdir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return {f"{e['slug']}/{e['notebook']}": e for e in old.get("reports", [])}


def _write_index_and_manifest(
    result: RenderResult, source: Source, region_params: dict, nbs: list[Path], phases: dict, lang: str = "en"
) -> None:
    """Merge this run's outcomes into the quarter's manifest; write it, the roll-up and the index (in ``lang``)."""
    qdir = result.out_dir
    man_path = qdir / "manifest.json"
    old = {}
    if man_path.is_file():
        try:
            old = json.loads(man_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            old = {}
    reports = {f"{e['slug']}/{e['notebook']}": e for e in old.get("reports", [])}
    for o in result.outcomes:
        entry = asdict(o)
        entry["html"] = os.path.relpath(o.html, qdir) if o.html else ""
        entry["ipynb"] = os.path.relpath(o.ipynb, qdir) if o.ipynb else ""
        entry["seconds"] = round(o.seconds, 3)
        entry["params_sha256"] = hashlib.sha256(settings_json(region_params[o.region]).encode()).hexdigest()
        reports[f"{o.slug}/{o.notebook}"] = entry
    generated = dt.datetime.now().isoformat(timespec="seconds")
    manifest = {
        "quarter": result.quarter,
        "generated": generated,
        "source": source.location if not source.is_sql else source.fingerprint()["url"],
        "inputs_sha256": source.fingerprint(),
        "notebooks_sha256": {nb.stem: file_sha256(nb) for nb in nbs},
        "params": {slugify(r): p for r, p in region_params.items()},
        "versions": package_versions(),
        "phases_s": phases,
        "reports": sorted(reports.values(), key=lambda e: (e["slug"], e["notebook"])),
    }
    atomic_write(man_path, json.dumps(manifest, indent=2, ensure_ascii=False, default=str))
    atomic_write(qdir / "rollup.html", _rollup_html(result.quarter, manifest["reports"], generated, lang))
    atomic_write(result.index, _index_html(result.quarter, manifest["reports"], generated, lang))
