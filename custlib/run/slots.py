"""Job slots: worker processes with warm kernels, the jobs they run and the order they take them in."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import custlib.run.worker as w
from custlib.run.pages import heading_titles, report_title


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
    html_sha256: str = ""
    ipynb_sha256: str = ""


class Slot:
    """A worker process (``custlib.run.worker``), its own warm kernel.

    Jobs are sent one JSON line at a time; the answer comes back on stdout.
    The per-notebook timeout is enforced here: a job that does not answer in
    time gets the whole process group (the worker and anything it started)
    killed, and the slot starts afresh for its next job; so does a worker
    that asks to be replaced (after a cell timeout, or when its state could
    not be reset). :meth:`stop` kills the worker at once and starts no other
    (SIGTERM or Ctrl-C: see :mod:`custlib.run.signals`).

    The worker dies with the render: it is given this process's id and, on
    Linux, asks the kernel for SIGKILL when its parent goes (``PR_SET_PDEATHSIG``;
    see :func:`custlib.run.worker.die_with_parent`). That signal follows the
    *thread* that started the worker, so launch a slot from a thread that
    outlives its use (the main thread, or the thread that also closes it).
    The worker runs in a session of its own, so a terminal's Ctrl-C reaches
    only the render, which then stops its workers.
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
        self._lock = threading.Lock()
        self.stopped = False

    def launch(self) -> None:
        """Start the worker process (its kernel boots in the background); :meth:`start` waits for it.

        Raises
        ------
        ChildProcessError
            The slot was stopped (the render is stopping).
        """
        with self._lock:
            if self.stopped:
                raise ChildProcessError("the render is stopping")
            if self.proc is not None and self.proc.poll() is None:
                return
            self._launch()

    def _launch(self) -> None:
        self._ready = False
        self.log = open(tempfile.NamedTemporaryFile(prefix="worker-", suffix=".log", dir=self.log_dir, delete=False).name, "w+")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "custlib.run.worker", str(self.cwd), str(os.getpid())],
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
        log = getattr(self, "log", None)
        if log is None:  # dropped: the slot was stopped
            return ""
        try:
            log.flush()
            log.seek(0)
            return "\n".join(log.read().strip().splitlines()[-15:])
        except (OSError, ValueError):
            return ""

    def run(self, spec: dict, timeout: float) -> dict:
        if self.proc is None or self.proc.poll() is not None or not self._ready:
            self.start()
        proc = self.proc
        if proc is None:  # stopped meanwhile
            raise ChildProcessError("the render is stopping")
        proc.stdin.write(json.dumps(spec) + "\n")
        proc.stdin.flush()
        self.jobs_run += 1
        res = self._answer(timeout, w.PREFIX)
        if res.get("restart"):  # the worker asked to be replaced (see custlib.run.worker.run_job) and is exiting
            self.close(wait=2)
        return res

    def kill(self) -> None:
        """Kill the worker's process group (the worker and anything it started) and wait for the worker."""
        with self._lock:
            proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()

    def stop(self) -> None:
        """Kill the worker now, without waiting for its notebook, and start no other in this slot."""
        with self._lock:
            self.stopped = True
        self.kill()
        self._drop_log()

    def close(self, wait: float = 30) -> None:
        """Let the worker finish (closing its job stream), killing it after ``wait`` seconds."""
        proc = self.proc
        if proc is not None and proc.poll() is None:
            try:
                proc.stdin.close()
                proc.wait(timeout=wait)
            except (subprocess.TimeoutExpired, OSError):
                pass
        self.kill()
        self._drop_log()

    def _drop_log(self) -> None:
        with self._lock:  # stop() (the main thread) and close() (the slot's thread) may both get here
            log, self.log = getattr(self, "log", None), None
        if log is not None:
            try:
                log.close()
            except (OSError, ValueError):  # the other thread was reading it (_log_tail)
                pass
            Path(log.name).unlink(missing_ok=True)


def _spec(job: Job) -> dict:
    return {
        "notebook": str(job.notebook),
        "data": str(job.data_dir),
        "region": job.region,
        "quarter": job.quarter,
        "params": job.params,
        "out_dir": str(job.out_dir),
        "title": report_title(
            job.name, job.region, job.quarter, job.params.get("report", {}).get("lang", "en"), heading_titles(job.notebook)
        ),
    }


def run_in_slot(slot: Slot, job: Job) -> Outcome:
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

    def cancel(self) -> None:
        """Give out no more jobs (the render is stopping)."""
        with self._lock:
            self._todo.clear()

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


def execute(
    job_list: list[Job], jobs: int, progress: bool, cwd: Path, log_dir: Path, slots: list | None = None, history: dict | None = None
) -> list[Outcome]:
    """Run jobs on ``jobs`` warm slots; each slot takes the next job (see :class:`JobQueue`) when free.

    ``slots`` are already launched slots to use first (see :func:`render`); spare ones are closed.
    ``history`` is the previous run's manifest entries, for the expected job times.
    An exception in the waiting thread (SIGTERM, Ctrl-C: :mod:`custlib.run.signals`) stops
    every slot at once, without waiting for the notebooks running, and gives out no more jobs.
    """
    from tqdm import tqdm

    outcomes: list[Outcome] = []
    slots = list(slots or [])
    if not job_list:
        for sl in slots:
            sl.close(wait=0)  # nothing to run: a worker still booting is not waited for
        return outcomes
    todo = JobQueue(job_list, history)
    lock = threading.Lock()
    bar = tqdm(total=len(job_list), desc="reports", unit="run", disable=not progress, file=sys.stderr)

    def drive(slot: Slot) -> None:
        try:
            while (job := todo.take()) is not None:
                o = run_in_slot(slot, job)
                todo.done(o)
                with lock:
                    outcomes.append(o)
                    bar.set_postfix_str(f"{o.slug}/{o.notebook}: {o.status}")
                    bar.update(1)
        finally:
            slot.close()

    n = max(1, min(jobs, len(job_list)))
    for spare in slots[n:]:
        spare.close(wait=0)
    threads = max(1, (os.cpu_count() or 1) // n)
    use = slots[:n] + [Slot(cwd, log_dir, threads) for _ in range(n - len(slots[:n]))]
    with ThreadPoolExecutor(max_workers=n) as pool:
        futures = [pool.submit(drive, sl) for sl in use]
        try:
            for fut in futures:
                fut.result()
        except BaseException:
            todo.cancel()
            for sl in use:
                sl.stop()
            raise
    bar.close()
    return sorted(outcomes, key=lambda o: (o.slug, o.notebook))
