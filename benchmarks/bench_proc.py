"""Memory and CPU of a process tree, read from ``/proc`` (Linux; psutil is not a dependency).

:class:`TreeSampler` samples, every ``interval`` seconds, the resident set
size (``VmRSS``) of every descendant of a root process and keeps

- ``peak_tree_mib``: the largest *sum* of ``VmRSS`` over the descendants
  alive at one sample. Pages shared between processes are counted once per
  process, so this is an upper bound of the memory the tree needs.
- ``peak_single_mib``: the largest ``VmHWM`` (the kernel's own high-water
  mark of one process's RSS) of any descendant seen, which also catches a
  peak between two samples as long as the process was alive at one sample.

:class:`CpuMeter` tells how much CPU the machine spent on work that is not
ours while a measurement ran (other users of a shared machine), from
``/proc/stat`` and ``getrusage``.
"""

from __future__ import annotations

import os
import resource
import threading
import time
from pathlib import Path

PROC = Path("/proc")
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _parent_map() -> dict[int, int]:
    """``{pid: parent pid}`` for every process visible in ``/proc``."""
    out = {}
    for entry in os.scandir(PROC):
        if not entry.name.isdigit():
            continue
        try:
            stat = (PROC / entry.name / "stat").read_text()
        except OSError:
            continue  # the process ended while we looked
        # the command name (field 2) is in parentheses and may hold spaces: split after the last ')'
        fields = stat[stat.rfind(")") + 2 :].split()
        out[int(entry.name)] = int(fields[1])
    return out


def descendants(root: int, parents: dict[int, int] | None = None) -> list[int]:
    """Every process below ``root`` (children, grandchildren, ...), not ``root`` itself."""
    parents = _parent_map() if parents is None else parents
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def memory_kib(pid: int) -> tuple[int, int]:
    """``(VmRSS, VmHWM)`` of ``pid`` in KiB; ``(0, 0)`` if it is gone or is a kernel thread."""
    rss = hwm = 0
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return 0, 0
    return rss, hwm


class TreeSampler:
    """Peak memory of the processes below ``root`` while a ``with`` block runs.

    Parameters
    ----------
    root : int, optional
        Process whose descendants are measured (default: this process; the
        root itself is not counted).
    interval : float
        Seconds between samples.
    """

    def __init__(self, root: int | None = None, interval: float = 0.2):
        self.root = os.getpid() if root is None else root
        self.interval = interval
        self.peak_tree_kib = 0
        self.hwm_kib: dict[int, int] = {}
        self.max_processes = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sample(self) -> int:
        """Take one sample; return the tree's summed RSS in KiB."""
        total = 0
        pids = descendants(self.root)
        for pid in pids:
            rss, hwm = memory_kib(pid)
            total += rss
            if hwm > self.hwm_kib.get(pid, 0):
                self.hwm_kib[pid] = hwm
        self.peak_tree_kib = max(self.peak_tree_kib, total)
        self.max_processes = max(self.max_processes, len(pids))
        self.samples += 1
        return total

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> TreeSampler:
        self.sample()
        self._thread = threading.Thread(target=self._loop, name="tree-sampler", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    @property
    def peak_tree_mib(self) -> float:
        return round(self.peak_tree_kib / 1024, 1)

    @property
    def peak_single_mib(self) -> float:
        return round(max(self.hwm_kib.values(), default=0) / 1024, 1)

    def summary(self) -> dict:
        return {
            "peak_tree_rss_mib": self.peak_tree_mib,
            "peak_single_process_rss_mib": self.peak_single_mib,
            "max_processes": self.max_processes,
            "samples": self.samples,
            "interval_s": self.interval,
        }


def _machine_busy_s() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from ``/proc/stat``."""
    parts = (PROC / "stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(x) for x in parts[:8]]  # user nice system idle iowait irq softirq steal
    idle = ticks[3] + ticks[4]
    return (sum(ticks) - idle) / _TICK, sum(ticks) / _TICK


def _own_cpu_s() -> float:
    """CPU seconds of this process and of its children that have ended (and were waited for)."""
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


class CpuMeter:
    """CPU spent during a ``with`` block: by us (this process and its ended children) and by everything else.

    ``other_cpu_s`` is machine busy time minus ours: CPU that other users of
    the machine took while we measured. A value near zero means a quiet
    machine; compare it with ``wall_s * cores``.
    """

    def __enter__(self) -> CpuMeter:
        self._busy0, _ = _machine_busy_s()
        self._own0 = _own_cpu_s()
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        busy1, _ = _machine_busy_s()
        self.wall_s = time.perf_counter() - self._t0
        self.own_cpu_s = _own_cpu_s() - self._own0
        self.machine_busy_s = busy1 - self._busy0
        self.other_cpu_s = max(0.0, self.machine_busy_s - self.own_cpu_s)

    def summary(self) -> dict:
        cores = os.cpu_count() or 1
        return {
            "own_cpu_s": round(self.own_cpu_s, 2),
            "other_cpu_s": round(self.other_cpu_s, 2),
            "other_cpu_share": round(self.other_cpu_s / max(self.wall_s * cores, 1e-9), 3),
        }
