"""The benchmark's machinery (benchmarks/): memory and CPU sampling, the floor's scripts and runner, the summary.

No test asserts a timing: issue 7's targets are measured by ``make bench``, never in tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench  # noqa: E402
import bench_floor  # noqa: E402
import bench_proc  # noqa: E402

MIB = 2**20


# --------------------------------------------------------------------------- memory and CPU


def test_descendants_finds_children_and_grandchildren_but_not_the_root():
    """Known answer: a hand-made parent map, the tree 10 -> 11 -> 12 beside unrelated processes."""
    parents = {1: 0, 10: 1, 11: 10, 12: 11, 20: 1, 30: 5}
    assert sorted(bench_proc.descendants(10, parents)) == [11, 12]
    assert sorted(bench_proc.descendants(1, parents)) == [10, 11, 12, 20]
    assert bench_proc.descendants(12, parents) == []


def test_tree_sampler_sums_the_tree_and_keeps_the_largest_single_process():
    """Known answer: two grandchildren each fill 150 MiB at the same time.

    The tree's summed RSS must reach 2 x 150 MiB while no single process
    exceeds 150 MiB plus an interpreter (~10-40 MiB).
    """
    hold = "import time; b = bytearray(b'\\x01') * (150 * 2**20); time.sleep(1.5)"
    parent = textwrap.dedent(
        f"""
        import subprocess, sys
        ps = [subprocess.Popen([sys.executable, "-c", {hold!r}]) for _ in range(2)]
        [p.wait() for p in ps]
        """
    )
    with bench_proc.TreeSampler(interval=0.05) as s:
        subprocess.run([sys.executable, "-c", parent], check=True)
    assert s.peak_tree_mib >= 300
    assert 150 <= s.peak_single_mib < 250
    assert s.max_processes >= 3


def test_cpu_meter_counts_a_child_that_spins_as_our_cpu():
    """Known answer: a child that spins for 0.6 s of its own CPU time adds at least that to own_cpu_s."""
    spin = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.6: pass"
    with bench_proc.CpuMeter() as cpu:
        subprocess.run([sys.executable, "-c", spin], check=True)
    assert cpu.own_cpu_s >= 0.6
    summary = cpu.summary()
    assert set(summary) == {"own_cpu_s", "other_cpu_s", "other_cpu_share"}
    assert summary["other_cpu_s"] >= 0


# --------------------------------------------------------------------------- the floor


NOTEBOOK = """\
# %% [markdown]
# # A report

# %%
base = 100

# %% tags=["parameters"]
region: str = "East"  # region
n: int = 3  # how many

# %%
%matplotlib inline
result = (region, n, base + n)
"""


def test_build_script_assigns_parameters_after_the_parameters_cell(tmp_path):
    """Known answer: the passed values replace the defaults, as papermill's injected cell does; magics are dropped."""
    nb = tmp_path / "01_report.py"
    nb.write_text(NOTEBOOK, encoding="utf-8")
    script = bench_floor.build_script(nb, {"region": "North", "n": 7})
    assert script.index("n: int = 3") < script.index("region = 'North'") < script.index("result =")
    assert "%matplotlib" not in script
    g: dict = {}
    exec(compile(script, "<test>", "exec"), g)
    assert g["result"] == ("North", 7, 107)


def test_build_script_refuses_a_notebook_without_a_parameters_cell(tmp_path):
    nb = tmp_path / "02_report.py"
    nb.write_text("# %%\nx = 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no cell tagged 'parameters'"):
        bench_floor.build_script(nb, {"x": 2})


def test_build_script_refuses_a_value_that_is_not_a_literal(tmp_path):
    nb = tmp_path / "01_report.py"
    nb.write_text(NOTEBOOK, encoding="utf-8")
    with pytest.raises(ValueError, match="parameter 'n'"):
        bench_floor.build_script(nb, {"n": object()})


def test_floor_runs_each_script_in_fresh_globals_and_renders_its_figures(tmp_path):
    """One worker runs three scripts in turn: nothing leaks from one into the next.

    Known answers: script 1 shows one figure and leaves a second one open
    (both rendered to PNG, as the inline backend does: 2 figures); script 2
    sees no global, rcParams change or figure from script 1; script 3 fails
    with its own error and the others stay ok.
    """
    first = (
        "import matplotlib.pyplot as plt\nleak = 1\nplt.rcParams['lines.linewidth'] = 9\nplt.plot([1, 2])\nplt.show()\nplt.plot([2, 3])\n"
    )
    second = (
        "import matplotlib.pyplot as plt\nassert 'leak' not in globals()\n"
        "assert plt.rcParams['lines.linewidth'] != 9\nassert not plt.get_fignums()\n"
    )
    tasks = [
        {"region": "East", "notebook": "01", "script": first},
        {"region": "East", "notebook": "02", "script": second},
        {"region": "East", "notebook": "03", "script": "raise KeyError('boom')\n"},
    ]
    spec, result = tmp_path / "tasks.json", tmp_path / "result.json"
    spec.write_text(json.dumps({"warm_up": False, "tasks": tasks}), encoding="utf-8")
    rc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_floor.py"), spec, result, "--jobs", "1"], check=False).returncode
    out = {r["notebook"]: r for r in json.loads(result.read_text(encoding="utf-8"))["results"]}
    assert rc == 1  # one task failed
    assert out["01"]["status"] == "ok" and out["01"]["figures"] == 2 and out["01"]["png_bytes"] > 0
    assert out["02"]["status"] == "ok", out["02"]["error"]
    assert out["03"]["status"] == "failed" and out["03"]["error"].startswith("KeyError")
    assert len({r["pid"] for r in out.values()}) == 1


def test_limit_threads_gives_each_worker_its_share_of_the_cores_unless_set(monkeypatch):
    """Known answers: 2 workers on 2 cores get 1 thread each, 2 workers on 8 cores 4; a value the caller set is kept."""
    for var in bench_floor.THREAD_VARS:
        monkeypatch.delenv(var, raising=False)
    assert set(bench_floor.limit_threads(2, cores=2).values()) == {"1"}
    for var in bench_floor.THREAD_VARS:
        monkeypatch.delenv(var, raising=False)
    assert bench_floor.limit_threads(2, cores=8)["OMP_NUM_THREADS"] == "4"
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert bench_floor.limit_threads(2, cores=2)["OMP_NUM_THREADS"] == "3"


# --------------------------------------------------------------------------- the summary


def test_custlib_breakdown_splits_a_manifest_into_phases():
    """Known answer, by hand: wall 15 s = validate 1 + prepare 2 + execute 10 + 2 s start-up;
    two reports of 6 s and 8 s on 2 slots leave 20 - 14 = 6 slot-seconds idle;
    their phases sum to 12.5 s, so 1.5 s is dispatch."""
    manifest = {
        "phases_s": {"validate_s": 1.0, "prepare_s": 2.0, "execute_s": 10.0},
        "reports": [
            {"notebook": "00_a", "seconds": 6.0, "phases": {"kernel_start_s": 3.0, "reset_s": 0.5, "execute_s": 2.0, "convert_s": 0.0}},
            {"notebook": "01_b", "seconds": 8.0, "phases": {"kernel_start_s": 0.0, "reset_s": 0.5, "execute_s": 6.0, "convert_s": 0.5}},
        ],
    }
    bd = bench.custlib_breakdown(manifest, wall_s=15.0, jobs=2)
    assert bd["prep_s"] == 3.0
    assert bd["startup_and_index_s"] == 2.0
    assert bd["report_phase_sums_s"] == {"convert_s": 0.5, "execute_s": 8.0, "kernel_start_s": 3.0, "reset_s": 1.0}
    assert bd["dispatch_s"] == 1.5
    assert bd["idle_slot_s"] == 6.0
    assert bd["per_notebook"]["01_b"]["execute_s"] == 6.0


def test_ratio_targets_of_issue_7_are_inclusive_bounds():
    """Known answers from the issue: at least 3x faster than naive (d/a <= 1/3), 1.5x than parallel papermill, within 1.25x of the floor."""
    entry = {"size": "default", "ratios": {"custlib_over_naive": 0.333, "custlib_over_parallel_papermill": 0.7, "custlib_over_floor": 1.25}}
    t = bench.evaluate_targets(entry)
    assert t["custlib_over_naive"]["met"] is True
    assert t["custlib_over_parallel_papermill"]["met"] is False
    assert t["custlib_over_floor"]["met"] is True


def test_absolute_targets_apply_to_the_large_size_only():
    """Known answers from the issue: under 10 minutes, under 6 GiB, preparation under 60 s."""
    entry = {"size": "large", "ratios": {}, "custlib_s": 599.0, "peak_rss_mib": 6144.0, "prep_s": None}
    t = bench.evaluate_targets(entry)
    assert t["custlib_s"]["met"] is True
    assert t["peak_rss_mib"]["met"] is False
    assert t["prep_s"]["met"] is None
    assert bench.evaluate_targets({"size": "default", "ratios": {}}).keys() == bench.RATIO_TARGETS.keys()


def test_ratio_is_missing_when_a_baseline_was_skipped():
    assert bench.ratio(30.0, 90.0) == 0.333
    assert bench.ratio(30.0, None) is None


def test_size_spec_gives_a_stand_in_its_own_key():
    assert bench.size_spec("large")["key"] == "large"
    spec = bench.size_spec("large", customers=20_000)
    assert spec == {"key": "large-standin-20000c-20r", "size": "large", "customers": 20_000, "regions": 20, "stand_in": True}


def test_merge_results_keeps_sizes_measured_earlier(tmp_path):
    path = tmp_path / "latest.json"
    path.write_text(json.dumps({"generated": "old", "sizes": {"large": {"custlib_s": 500}, "default": {"custlib_s": 9}}}), encoding="utf-8")
    merged = bench.merge_results(path, {"generated": "new", "sizes": {"default": {"custlib_s": 8}}})
    assert merged["generated"] == "new"
    assert merged["sizes"] == {"large": {"custlib_s": 500}, "default": {"custlib_s": 8}}
    path.write_text("{not json", encoding="utf-8")
    assert bench.merge_results(path, {"sizes": {}}) == {"sizes": {}}


def test_bench_size_without_baselines_records_them_as_null(tmp_path, monkeypatch):
    """With baselines off (the default for the large size) naive and parallel papermill do not run and are null."""
    nb = tmp_path / "00_x.ipynb"

    @contextmanager
    def fake_dataset(spec, keep, log):
        yield tmp_path, {"generation_s": 1.0, "reused": False, "rows": {"transactions": 123}, "region_names": ["East"]}

    manifest = {
        "quarter": "2026Q3",
        "params": {"east": {}},
        "phases_s": {"validate_s": 1.0, "prepare_s": 1.0, "execute_s": 5.0},
        "reports": [{"region": "East", "slug": "east", "notebook": "00_x", "status": "ok", "seconds": 5.0, "phases": {}}],
    }
    mem = {"peak_tree_rss_mib": 100.0, "peak_single_process_rss_mib": 50.0, "other_cpu_share": 0.0, "failed": []}
    monkeypatch.setattr(bench, "dataset", fake_dataset)
    monkeypatch.setattr(
        bench, "run_custlib", lambda *a: {"wall_s": 8.0, "manifest": manifest, "breakdown": bench.custlib_breakdown(manifest, 8.0, 2)} | mem
    )
    monkeypatch.setattr(bench, "run_floor", lambda *a: {"wall_s": 4.0} | mem)
    monkeypatch.setattr(bench, "run_naive", lambda *a: pytest.fail("naive must not run"))
    monkeypatch.setattr(bench, "run_parallel_papermill", lambda *a: pytest.fail("parallel papermill must not run"))
    spec = bench.size_spec("large", customers=1000, regions=1)
    e = bench.bench_size(spec, [nb], jobs=2, baselines=False, keep=None, log=None)
    assert e["naive_s"] is None and e["parallel_papermill_s"] is None
    assert e["baselines_skipped"]
    assert e["custlib_s"] == 8.0 and e["floor_s"] == 4.0 and e["prep_s"] == 2.0 and e["peak_rss_mib"] == 100.0
    assert e["ratios"] == {"custlib_over_naive": None, "custlib_over_parallel_papermill": None, "custlib_over_floor": 2.0}
    assert e["transactions_rows"] == 123 and e["n_reports"] == 1 and e["all_reports_ok"] is True
    assert set(e["targets"]) == set(bench.ABSOLUTE_TARGETS)


# --------------------------------------------------------------------------- end to end


@pytest.mark.slow
def test_bench_measures_all_four_methods_on_a_tiny_stand_in(tmp_path):
    """The whole benchmark on 100 customers, 2 regions and one notebook: every method runs and every report succeeds."""
    out = tmp_path / "latest.json"
    cmd = [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--size", "default", "--customers", "100", "--regions", "2"]
    proc = subprocess.run([*cmd, "--notebooks", "00", "--out", str(out)], capture_output=True, text=True, check=False, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    e = json.loads(out.read_text(encoding="utf-8"))["sizes"]["default-standin-100c-2r"]
    for key in ("naive_s", "parallel_papermill_s", "floor_s", "custlib_s", "peak_rss_mib", "prep_s"):
        assert e[key] > 0, key
    assert e["n_reports"] == 2 and e["n_regions"] == 2 and e["all_reports_ok"]
    assert e["ratios"]["custlib_over_naive"] == round(e["custlib_s"] / e["naive_s"], 3)
    assert e["methods"]["floor"]["figures"] >= 2  # notebook 00 draws the monthly trend per region
    assert "(d) custlib render --force" in proc.stdout and "d/x" in proc.stdout
