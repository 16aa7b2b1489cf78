"""End to end: render notebooks for regions and read the HTML as a reader would."""

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from conftest import tiny_tables, write_tables

from custlib.cli import main
from custlib.exceptions import DataError, ParamsError, RenderError
from custlib.run.files import atomic_write, output_lock
from custlib.run.runner import NOTEBOOK_DIR, render

pytestmark = pytest.mark.e2e


class _Reader(HTMLParser):
    """Collects what a reader sees: title, visible text, images, code cells."""

    def __init__(self):
        super().__init__()
        self.title, self.text, self.images, self.inputs = "", [], [], 0
        self._in_title = self._skip = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "title":
            self._in_title = True
        if tag in ("style", "script"):
            self._skip = True
        if tag == "img":
            self.images.append(a.get("src", ""))
        classes = (a.get("class") or "").split()
        if "jp-CodeMirrorEditor" in classes or "highlight" in classes:
            self.inputs += 1

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if tag in ("style", "script"):
            self._skip = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.text.append(data)


def read_report(path: Path) -> _Reader:
    r = _Reader()
    r.feed(path.read_text(encoding="utf-8"))
    r.body = " ".join(" ".join(r.text).split())
    return r


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = tmp_path_factory.mktemp("render")
    data = write_tables(tiny_tables(), root / "data", "parquet")
    out = root / "reports"
    res = render(data, regions="east,north", notebooks="00_overview_region", out=out, progress=False)
    return res, out, data


def test_render_writes_a_report_per_region_with_index_and_manifest(rendered):
    res, out, _ = rendered
    assert res.quarter == "2025Q4" and not res.failed
    for slug in ("east", "north"):
        assert (out / "2025Q4" / slug / "00_overview_region.html").is_file()
        assert (out / "2025Q4" / slug / "00_overview_region.ipynb").is_file()
    manifest = json.loads((out / "2025Q4" / "manifest.json").read_text())
    assert set(manifest["inputs_sha256"]) == {"customers.parquet", "transactions.parquet"}
    assert manifest["params"]["east"]["report"]["currency"] == "CNY"
    assert manifest["versions"]["pandas"].startswith("3.")
    assert {(e["slug"], e["status"]) for e in manifest["reports"]} == {("east", "ok"), ("north", "ok")}
    index = read_report(out / "2025Q4" / "index.html")
    assert "2 of 2 reports succeeded" in index.body


def test_report_reads_like_a_report(rendered):
    _, out, _ = rendered
    r = read_report(out / "2025Q4" / "east" / "00_overview_region.html")
    assert r.title == "Region overview — East — 2025Q4"
    assert r.inputs == 0, "code cells must not be shown"
    assert "open_report" not in r.body and "import " not in r.body
    assert any(src.startswith("data:image/png;base64,") for src in r.images), "the trend chart is embedded"
    assert "Traceback" not in r.body and "Error" not in r.body
    assert "Headline figures" in r.body and "Largest customers this quarter" in r.body
    assert "East Customer 0" in r.body and "North Customer" not in r.body
    html_text = (out / "2025Q4" / "east" / "00_overview_region.html").read_text()
    assert not re.search(r"(src|href)=\"https?://", html_text), "reports must work offline"


def test_executed_notebook_keeps_the_parameters(rendered):
    _, out, _ = rendered
    nb = nbformat.read(out / "2025Q4" / "east" / "00_overview_region.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and 'region = "East"' in injected[0].source


def test_failing_notebook_does_not_stop_the_others(tmp_path, tiny):
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    shutil.copy(NOTEBOOK_DIR / "00_overview_region.ipynb", nbdir)
    bad = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('data = ""\nregion = ""\nquarter = ""\nsettings = {}')
    params.metadata["tags"] = ["parameters"]
    bad.cells = [params, nbformat.v4.new_code_cell("raise RuntimeError('planted failure')")]
    bad.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(bad, nbdir / "09_raises.ipynb")
    out = tmp_path / "out"
    res = render(tiny, regions="east", out=out, notebook_dir=nbdir, progress=False)
    status = {o.notebook: o.status for o in res.outcomes}
    assert status == {"00_overview_region": "ok", "09_raises": "failed"}
    failed = res.failed[0]
    assert "planted failure" in failed.error
    executed = nbformat.read(out / "2025Q4" / "east" / "09_raises.ipynb", as_version=4)
    assert any(o.get("ename") == "RuntimeError" for c in executed.cells for o in c.get("outputs", []))
    assert "failed" in read_report(out / "2025Q4" / "index.html").body


def test_cli_exit_codes(tmp_path, tiny, capsys):
    out = tmp_path / "out"
    assert main(["render", "--data", str(tiny), "--regions", "north", "--notebooks", "00", "--out", str(out), "--quiet"]) == 0
    assert "index:" in capsys.readouterr().out
    assert main(["render", "--data", str(tiny), "--regions", "mars", "--out", str(out), "--quiet"]) == 2
    assert "'mars' not in the data" in capsys.readouterr().err
    assert main(["validate", "--data", str(tiny)]) == 0


def test_failed_validation_leaves_earlier_reports_untouched(tmp_path, tiny):
    out = tmp_path / "out"
    render(tiny, regions="east", out=out, progress=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (tiny / "transactions.csv").write_text(
        (tiny / "transactions.csv").read_text().replace(",Fasteners,", ",Fasteners,x", 1).replace("\n", "\nBROKEN,,,,,,,\n", 1)
    )
    with pytest.raises(DataError):
        render(tiny, regions="east", out=out, progress=False)
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert before == after


def test_bad_params_and_unknown_quarter_are_refused_before_anything_is_written(tmp_path, tiny):
    out = tmp_path / "out"
    with pytest.raises(ParamsError, match="--set: unknown key 'report.colour'"):
        render(tiny, out=out, sets=["report.colour=red"], progress=False)
    with pytest.raises(
        ParamsError, match=r"quarter: 2030Q1 is outside the data, which covers 2024-01-\d\d to 2025-12-31 \(quarters 2024Q1 to 2025Q4\)"
    ):
        render(tiny, quarter="2030Q1", out=out, progress=False)
    assert not out.exists()


def test_second_render_into_the_same_folder_is_refused(tmp_path):
    with output_lock(tmp_path):
        with pytest.raises(RenderError, match="another render is writing to this folder"):
            with output_lock(tmp_path):
                pass


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    atomic_write(tmp_path / "a.html", "<p>x</p>")
    atomic_write(tmp_path / "a.html", "<p>y</p>")
    assert [p.name for p in tmp_path.iterdir()] == ["a.html"]
    assert (tmp_path / "a.html").read_text() == "<p>y</p>"


def _jobs(regions, notebooks):
    from custlib.run.slots import Job

    return [Job(r, r.lower(), Path(f"{nb}.ipynb"), Path("."), "2025Q4", {}, Path(".")) for r in regions for nb in notebooks]


def _outcome(job, execute_s):
    from custlib.run.slots import Outcome

    return Outcome(job.region, job.slug, job.name, "ok", execute_s + 5.0, "", "", phases={"execute_s": execute_s, "kernel_start_s": 5.0})


def test_job_queue_runs_regions_in_turn_and_a_regions_longest_notebooks_first():
    from custlib.run.slots import JobQueue

    cost = {"a": 1.0, "b": 9.0, "c": 3.0}
    q = JobQueue(_jobs(["East", "North"], ["a", "b", "c"]))
    order = []
    while (job := q.take()) is not None:
        order.append((job.region, job.name))
        q.done(_outcome(job, cost[job.name]))  # the slot's one-off start (kernel_start_s) is not the notebook's cost
    # East: nothing known yet, so the given order (learning each notebook's time); North: longest first
    assert order == [("East", "a"), ("East", "b"), ("East", "c"), ("North", "b"), ("North", "c"), ("North", "a")]


def test_job_queue_uses_the_previous_runs_times_and_prefers_this_runs():
    from custlib.run.slots import JobQueue

    history = {
        "east/a": {"notebook": "a", "seconds": 2.0, "phases": {"execute_s": 2.0}},
        "east/b": {"notebook": "b", "seconds": 1.0, "phases": {"execute_s": 1.0}},
        "east/c": {"notebook": "c", "seconds": 3.0},  # an entry without phases: its seconds
    }
    q = JobQueue(_jobs(["East", "North"], ["a", "b", "c"]), history)
    assert [q.expected(n) for n in "abc"] == [2.0, 1.0, 3.0]
    first = q.take()
    assert (first.region, first.name) == ("East", "c")
    q.done(_outcome(first, 0.5))  # this run's time wins over history
    assert q.expected("c") == 0.5
    assert [j.name for j in iter(q.take, None)] == ["a", "b", "a", "b", "c"]
