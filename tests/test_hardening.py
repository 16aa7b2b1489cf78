"""Faults and hostile input: timeouts, kills, concurrent runs, injection, isolation, determinism."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import tiny_tables, write_notebook, write_tables

from custlib.exceptions import ParamsError
from custlib.run.runner import render

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = '<script>alert("x")</script>'
IMG = '"><img src=x onerror=alert(1)>'


# --------------------------------------------------------------------------- timeouts


def test_cell_timeout_stops_a_hung_notebook_and_the_others_finish(tmp_path, tiny):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    write_notebook(nbs / "01_hangs.ipynb", "import time\ntime.sleep(600)")
    write_notebook(nbs / "02_fine.ipynb", "print('fine')")
    t0 = time.monotonic()
    res = render(tiny, regions="east", out=tmp_path / "out", notebook_dir=nbs, jobs=1, sets=["run.cell_timeout_s=3"], progress=False)
    assert time.monotonic() - t0 < 120
    status = {o.notebook: (o.status, o.error) for o in res.outcomes}
    assert status["01_hangs"][0] == "failed" and "cell timeout of 3 s (run.cell_timeout_s)" in status["01_hangs"][1]
    assert status["02_fine"] == ("ok", "")


def test_notebook_timeout_kills_the_run_and_the_others_finish(tmp_path, tiny):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    write_notebook(nbs / "01_slow.ipynb", *["import time\ntime.sleep(1)"] * 30)
    write_notebook(nbs / "02_fine.ipynb", "print('fine')")
    res = render(tiny, regions="east", out=tmp_path / "out", notebook_dir=nbs, jobs=1, sets=["run.notebook_timeout_s=4"], progress=False)
    status = {o.notebook: (o.status, o.error) for o in res.outcomes}
    assert status["01_slow"][0] == "failed" and "notebook timeout of 4 s (run.notebook_timeout_s)" in status["01_slow"][1]
    assert status["02_fine"] == ("ok", "")
    index = (tmp_path / "out" / "2025Q4" / "index.html").read_text()
    assert "failed" in index


# --------------------------------------------------------------------------- crash safety


def _render_cmd(data, out, nbs, *extra):
    code = (
        "import sys; from pathlib import Path; from custlib.run.runner import render; "
        f"render({str(data)!r}, out={str(out)!r}, notebook_dir=Path({str(nbs)!r}), regions='east', jobs=1, progress=False, force=True)"
    )
    return [sys.executable, "-c", code, *extra]


def test_sigkill_mid_run_leaves_previous_reports_intact_and_next_run_completes(tmp_path, tiny):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    write_notebook(nbs / "01_quick.ipynb", "print('quick')")
    write_notebook(nbs / "02_slow.ipynb", "import time\ntime.sleep(20)\nprint('slow done')")
    out = tmp_path / "out"
    render(tiny, out=out, notebook_dir=nbs, regions="east", jobs=1, sets=[], progress=False)
    qdir = out / "2025Q4"
    before = {p.relative_to(out): p.read_bytes() for p in qdir.rglob("*") if p.is_file()}
    proc = subprocess.Popen(_render_cmd(tiny, out, nbs), cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until the slow notebook is running
        if any(qdir.glob("east/*.html")) and (qdir / "east" / "01_quick.html").stat().st_mtime_ns > 0:
            lock = out / ".render.lock"
            if lock.is_file() and f"pid {proc.pid}" in lock.read_text():
                break
        time.sleep(0.2)
    time.sleep(4)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    after = {p.relative_to(out): p.read_bytes() for p in qdir.rglob("*") if p.is_file() and not p.name.startswith(".")}
    assert after.keys() == before.keys()
    assert after[Path("2025Q4/manifest.json")] == before[Path("2025Q4/manifest.json")]
    assert after[Path("2025Q4/index.html")] == before[Path("2025Q4/index.html")]
    for rel, content in after.items():  # every report is either the old one or a complete new one
        if rel.suffix == ".html":
            assert content.rstrip().endswith(b"</html>")
        if rel.suffix in (".ipynb", ".json"):
            json.loads(content)
    res = render(tiny, out=out, notebook_dir=nbs, regions="east", jobs=1, sets=[], progress=False, force=True)
    assert not res.failed
    assert not [p for p in qdir.rglob(".*.tmp")], "stale temporary files are cleared"


def test_two_renders_into_one_folder_at_once_are_refused(tmp_path, tiny):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    write_notebook(nbs / "01_slow.ipynb", "import time\ntime.sleep(15)")
    out = tmp_path / "out"
    proc = subprocess.Popen(_render_cmd(tiny, out, nbs), cwd=ROOT, start_new_session=True)
    try:
        lock = out / ".render.lock"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (lock.is_file() and f"pid {proc.pid}" in lock.read_text()):
            time.sleep(0.2)
        second = subprocess.run(
            [sys.executable, "-m", "custlib.cli", "render", "--data", str(tiny), "--out", str(out), "--regions", "east", "--quiet"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode == 2
        assert "another render is writing to this folder" in second.stderr
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# --------------------------------------------------------------------------- interrupted renders (issue 17)

FIGURE = "import pandas as pd\nrevenue = pd.read_parquet(f'{data}/transactions.parquet')['revenue'].sum()\nprint(f'revenue {revenue:,.0f}')"
GATE = """
import time
from pathlib import Path
if region == "North" and Path({hold!r}).exists():  # the test holds the last region's run here, mid-run
    Path({started!r}).touch()
    while Path({hold!r}).exists():
        time.sleep(0.05)
import pandas as pd
print('gate passed; revenue', round(pd.read_parquet(data + '/transactions.parquet')['revenue'].sum()))
"""


@pytest.fixture(scope="module")
def two_datasets(tmp_path_factory):
    """Data sets A and B (B: every amount three times A's), notebooks whose pages show a figure of the data, and A rendered fresh."""
    root = tmp_path_factory.mktemp("interrupt")
    a = write_tables(tiny_tables(), root / "a")
    tables = tiny_tables()
    tables["transactions"] = tables["transactions"].assign(revenue=lambda t: t.revenue * 3, cost=lambda t: t.cost * 3)
    b = write_tables(tables, root / "b")
    nbs = root / "nbs"
    nbs.mkdir()
    hold, started = root / "hold", root / "started"
    write_notebook(nbs / "01_figure.ipynb", FIGURE)
    write_notebook(nbs / "02_gate.ipynb", GATE.format(hold=str(hold), started=str(started)))
    fresh = render(a, out=root / "fresh", notebook_dir=nbs, jobs=1, progress=False)
    assert not fresh.failed
    return a, b, nbs, hold, started, root / "fresh" / fresh.quarter


def _cli_code(data, out, nbs) -> str:
    """``custlib render`` as a terminal runs it (Ctrl-C raises KeyboardInterrupt), with the test's notebooks."""
    return (
        "import functools, signal, sys; from pathlib import Path; import custlib.run.runner as r; from custlib.cli import main; "
        "signal.signal(signal.SIGINT, signal.default_int_handler); "
        f"r.render = functools.partial(r.render, notebook_dir=Path({str(nbs)!r})); "
        f"sys.exit(main(['render', '--data', {str(data)!r}, '--out', {str(out)!r}, '--jobs', '1', '--quiet']))"
    )


def _files(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()} if folder.exists() else {}


def _workers(nbs: Path) -> list:
    """Live report workers of these notebooks (their working directory is the notebook folder)."""
    import psutil

    found = []
    for p in psutil.process_iter(["pid", "cwd", "status"]):
        if p.info["cwd"] == str(nbs) and p.info["status"] != psutil.STATUS_ZOMBIE and p.pid != os.getpid():
            found.append(p)
    return found


def _outputs(path: Path) -> list:
    nb = nbformat.read(path, as_version=4)
    return [[o.get("text") or o.get("data") for o in c.get("outputs", [])] for c in nb.cells]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=["SIGKILL", "SIGTERM", "SIGINT"])
def test_a_render_killed_mid_run_publishes_nothing_and_the_next_run_shows_only_the_right_data(tmp_path, two_datasets, sig, monkeypatch):
    """Issue 17: render A, kill a render of B into the same folder mid-run, render A again: every page is A's."""
    import functools

    import custlib.run.runner as runner
    from custlib.cli import main

    a, b, nbs, hold, started, fresh = two_datasets
    out = tmp_path / "out"
    render(a, out=out, notebook_dir=nbs, jobs=1, progress=False)
    qdir = out / "2025Q4"
    published = _files(qdir)
    hold.touch()
    started.unlink(missing_ok=True)
    proc = subprocess.Popen([sys.executable, "-c", _cli_code(b, out, nbs)], cwd=ROOT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not started.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert started.exists(), "the render of B reached its last region"
        assert _workers(nbs), "a worker is running B's last report"
        t0 = time.monotonic()
        os.kill(proc.pid, sig)
        try:
            proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the render still runs 2 s after {sig.name}")
        stopped_s = time.monotonic() - t0
        print(f"{sig.name}: stopped in {stopped_s:.3f} s")
        if sig != signal.SIGKILL:
            assert proc.returncode == {signal.SIGTERM: 143, signal.SIGINT: 130}[sig]
        time.sleep(1)
        assert not _workers(nbs), f"workers outlive the render 1 s after {sig.name}"
        after_kill = _files(out)
        hold.unlink()  # a worker that survived would now finish B's report and write it
        deadline = time.monotonic() + 30
        while _workers(nbs) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1)
        assert _files(out) == after_kill, "a file under OUT changed after the render was stopped"
        assert _files(qdir) == published, "the published reports, index and manifest are byte for byte as before"
    finally:
        hold.unlink(missing_ok=True)
        for p in _workers(nbs):
            p.kill()
        if proc.poll() is None:
            proc.kill()
        proc.wait()

    monkeypatch.setattr(runner, "render", functools.partial(runner.render, notebook_dir=nbs))
    assert main(["render", "--data", str(a), "--out", str(out), "--jobs", "1", "--quiet"]) == 0
    for page in fresh.rglob("*.html"):
        rel = page.relative_to(fresh)
        if rel.parent != Path("."):  # a report (the index and roll-up carry the time they were made)
            assert (qdir / rel).read_bytes() == page.read_bytes(), f"{rel} is not A's page"
            ipynb = rel.with_suffix(".ipynb")
            assert _outputs(qdir / ipynb) == _outputs(fresh / ipynb), f"{ipynb} is not A's notebook"
    keys = [e["run_key"] for e in json.loads((qdir / "manifest.json").read_text())["reports"]]
    assert keys == [e["run_key"] for e in json.loads((fresh / "manifest.json").read_text())["reports"]]
    staging = out / ".staging"
    assert not (staging.exists() and any(staging.iterdir())), "the stale staging folder is cleared"


def test_a_truncated_report_and_a_deleted_notebook_are_rendered_again(tmp_path, two_datasets):
    """Skip-unchanged checks the published files' hashes, not only the inputs (issue 17)."""
    a, _, nbs, _, _, fresh = two_datasets
    out = tmp_path / "out"
    render(a, out=out, notebook_dir=nbs, jobs=1, progress=False)
    qdir = out / "2025Q4"
    page, notebook = qdir / "east" / "01_figure.html", qdir / "north" / "02_gate.ipynb"
    page.write_bytes(page.read_bytes()[:200])
    notebook.unlink()
    edited = qdir / "north" / "01_figure.html"
    edited.write_text(edited.read_text(encoding="utf-8").replace("revenue", "REVENUE"), encoding="utf-8")
    res = render(a, out=out, notebook_dir=nbs, jobs=1, progress=False)
    again = {(o.slug, o.notebook) for o in res.outcomes if not o.skipped}
    assert again == {("east", "01_figure"), ("north", "02_gate"), ("north", "01_figure")}
    assert not res.failed
    for rel in ("east/01_figure.html", "north/01_figure.html"):
        assert (qdir / rel).read_bytes() == (fresh / rel).read_bytes()
    assert _outputs(notebook) == _outputs(fresh / "north" / "02_gate.ipynb")


def test_render_leaves_files_it_did_not_write_under_out(tmp_path, two_datasets):
    """``render`` deletes only what it made (issue 17: it removed a user's ``*.tmp`` files and ``.mybackup.old/``)."""
    a, _, nbs, _, _, _ = two_datasets
    out = tmp_path / "out"
    render(a, out=out, notebook_dir=nbs, regions="east", jobs=1, progress=False)
    mine = [
        out / "notes.tmp",
        out / ".draft.tmp",
        out / ".mybackup.old" / "index.html",
        out / "2025Q4" / ".east.html.tmp",
        out / "2025Q4" / "east" / ".01_figure.html.x1y2.tmp",
        out / "2025Q4" / "east" / ".mybackup.old" / "01_figure.html",
        out / ".cache" / "keep.tmp",
    ]
    for i, p in enumerate(mine):
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(f"the user's file {i}")
    render(a, out=out, notebook_dir=nbs, regions="east", jobs=1, progress=False, force=True)
    for i, p in enumerate(mine):
        assert p.is_file() and p.read_text() == f"the user's file {i}", f"{p.relative_to(out)} was removed or changed"


# --------------------------------------------------------------------------- hostile names, isolation, determinism


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A small sample whose names carry markup, rendered twice with every notebook."""
    from custlib.io.sample import generate_sample

    root = tmp_path_factory.mktemp("hostile")
    data = root / "data"
    generate_sample(data, customers=400, regions=2, seed=3)
    cust = pd.read_parquet(data / "customers.parquet")
    tx = pd.read_parquet(data / "transactions.parquet")
    top = tx.groupby("customer_id")["revenue"].sum().sort_values(ascending=False)
    hostile_ids = [cid for cid in top.index if cid in set(cust.customer_id)][:6]
    names = [SCRIPT, IMG, f"Acme {SCRIPT}", f"Beta {IMG}", "Gamma & <b>bold</b>", "Delta </table>"]
    for cid, name in zip(hostile_ids, names, strict=True):
        cust.loc[cust.customer_id == cid, "name"] = name
    cust.to_parquet(data / "customers.parquet", index=False)
    first = render(data, out=root / "run1", progress=False)
    second = render(data, out=root / "run2", progress=False)
    return data, root, first, second, cust


def test_every_report_renders_on_hostile_names(hostile):
    _, _, first, second, _ = hostile
    assert not first.failed, [(o.region, o.notebook, o.error) for o in first.failed]
    assert not second.failed


def test_markup_in_names_is_escaped_in_every_report_and_the_index(hostile):
    _, root, first, _, _ = hostile
    shown_escaped = 0
    for html_file in (root / "run1").rglob("*.html"):
        text = html_file.read_text(encoding="utf-8")
        assert '<script>alert("x")</script>' not in text, html_file
        assert "<img src=x onerror" not in text, html_file
        assert "<b>bold</b>" not in text, html_file
        shown_escaped += text.count("&lt;script&gt;")
    assert shown_escaped > 0, "the hostile names do appear in reports, escaped"


def test_region_outputs_hold_no_other_regions_customers(hostile):
    _, root, first, _, cust = hostile
    qdir = root / "run1" / first.quarter
    regions = cust.groupby("region")
    for region, _rows in regions:
        others = cust[cust.region != region]
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, others.customer_id)) + r")\b")
        plain_names = [n for n in others.name if len(n) > 6 and "<" not in n]
        folder = qdir / region.lower()
        files = [p for p in folder.rglob("*") if p.is_file()]
        assert files
        for f in files:
            text = f.read_text(encoding="utf-8", errors="replace")
            hit = pattern.search(text)
            assert hit is None, f"{f.name} of {region} names {hit.group(0)} of another region"
            leaked = [n for n in plain_names if n in text]
            assert not leaked, f"{f.name} of {region} names {leaked[:3]}"
    manifest = (qdir / "manifest.json").read_text(encoding="utf-8")
    assert not re.search(r"\b(" + "|".join(map(re.escape, cust.customer_id)) + r")\b", manifest)


def test_two_runs_on_the_same_inputs_give_identical_reports(hostile):
    _, root, first, second, _ = hostile
    for o in first.outcomes:
        a = (root / "run1" / first.quarter / o.slug / f"{o.notebook}.html").read_bytes()
        b = (root / "run2" / second.quarter / o.slug / f"{o.notebook}.html").read_bytes()
        assert a == b, f"{o.slug}/{o.notebook} differs between two runs"
    for slug in {o.slug for o in first.outcomes}:  # the action lists too: the workbook carries no time of writing
        for name in ("actions.xlsx", "actions.csv"):
            a = (root / "run1" / first.quarter / slug / name).read_bytes()
            assert a == (root / "run2" / second.quarter / slug / name).read_bytes(), f"{slug}/{name} differs between two runs"
    m1 = json.loads((root / "run1" / first.quarter / "manifest.json").read_text())
    m2 = json.loads((root / "run2" / second.quarter / "manifest.json").read_text())
    assert m1["inputs_sha256"] == m2["inputs_sha256"]
    assert [e["run_key"] for e in m1["reports"]] == [e["run_key"] for e in m2["reports"]]


def test_region_names_cannot_escape_the_output_folder(tmp_path):
    tables = tiny_tables(n_per_region=3, regions=("../../evil", "/abs/path"))
    data = write_tables(tables, tmp_path / "data", "parquet")
    out = tmp_path / "out"
    res = render(data, out=out, notebooks="00_overview_region", progress=False)
    assert {o.slug for o in res.outcomes} == {"evil", "abs-path"}
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(out in p.parents or data in p.parents for p in written)


def test_parameter_values_reach_notebooks_as_data_not_code(tmp_path, tiny):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    write_notebook(nbs / "01_echo.ipynb", "print(repr(settings['report']['organisation']))")
    evil = '\\"; import os; os.system("touch PWNED") #'
    res = render(
        tiny, regions="east", out=tmp_path / "out", notebook_dir=nbs, sets=[f"report.organisation={json.dumps(evil)}"], progress=False
    )
    assert not res.failed
    assert not (nbs / "PWNED").exists() and not (ROOT / "PWNED").exists()
    nb = nbformat.read(tmp_path / "out" / "2025Q4" / "east" / "01_echo.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert printed.strip() == repr(evil)


def test_unknown_region_and_quarter_outside_the_data_are_refused(tmp_path, tiny):
    with pytest.raises(ParamsError, match="'Atlantis' not in the data"):
        render(tiny, regions="Atlantis", out=tmp_path / "o", progress=False)
    with pytest.raises(ParamsError, match="outside the data"):
        render(tiny, quarter="2019Q1", out=tmp_path / "o", progress=False)


# --------------------------------------------------------------------------- bad input through the command line


def _csv_edit(name, fn):
    def apply(folder):
        path = folder / f"{name}.csv"
        path.write_text(fn(path.read_text(encoding="utf-8")), encoding="utf-8")

    return apply


def _frame_edit(name, fn):
    def apply(folder):
        path = folder / f"{name}.csv"
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        fn(frame).to_csv(path, index=False)

    return apply


def _set(frame, row, col, value):
    frame.loc[row, col] = value
    return frame


BAD_INPUTS = {
    "empty file": (_csv_edit("transactions", lambda t: ""), ["transactions.csv", "the file is empty"]),
    "header only": (_csv_edit("transactions", lambda t: t.splitlines()[0] + "\n"), ["transactions.csv", "header but no rows"]),
    "wrong delimiter": (_csv_edit("customers", lambda t: t.replace(",", ";")), ["customers.csv", "not comma-separated"]),
    "duplicate customer ids": (
        _frame_edit("customers", lambda c: pd.concat([c, c.iloc[[0]]])),
        ["customers.csv", "duplicate key", "customer_id"],
    ),
    "order before the data starts": (
        _frame_edit("transactions", lambda t: _set(t, 0, "order_date", "1999-12-31")),
        ["transactions.csv", "'order_date'", "before 2000-01-01", "row 2"],
    ),
    "order in the future": (
        _frame_edit("transactions", lambda t: _set(t, 0, "order_date", "2999-01-01")),
        ["transactions.csv", "'order_date'", "in the future", "row 2"],
    ),
    "NaN amount": (
        _frame_edit("transactions", lambda t: _set(t, 1, "revenue", "NaN")),
        ["transactions.csv", "'revenue'", "not finite", "row 3"],
    ),
    "infinite amount": (
        _frame_edit("transactions", lambda t: _set(t, 1, "cost", "inf")),
        ["transactions.csv", "'cost'", "not finite", "row 3"],
    ),
    "absurdly large amount": (
        _frame_edit("transactions", lambda t: _set(t, 1, "revenue", "9e15")),
        ["transactions.csv", "'revenue'", "implausibly large", "row 3"],
    ),
    "negative quantity that is not a return": (
        _frame_edit("transactions", lambda t: _set(t, 1, "quantity", "-5")),
        ["transactions.csv", "negative quantity", "row 3"],
    ),
    "unknown customer": (
        _frame_edit("transactions", lambda t: _set(t, 1, "customer_id", "NOBODY")),
        ["transactions.csv", "not in customers.csv", "NOBODY"],
    ),
}

BAD_ARGS = {
    "quarter outside the data": (["--quarter", "2031Q1"], ["quarter: 2031Q1 is outside the data"]),
    "unknown region": (["--regions", "Atlantis"], ["regions: 'Atlantis' not in the data", "known regions: East, North"]),
    "param of the wrong type": (["--set", "run.cell_timeout_s=soon"], ["--set", "'run.cell_timeout_s'", "not of type 'integer'"]),
    "unknown param key": (["--set", "report.colour=red"], ["--set", "unknown key 'report.colour'"]),
    # values each of which the schema accepts, wrong only together or beyond what NumPy takes (issue 17)
    "ABC cut-offs in the wrong order": (
        ["--set", "abc.cutoffs=[0.95,0.8]"],
        ["'abc.cutoffs' [0.95, 0.8]", "must be below the second"],
    ),
    "k_min above k_max": (
        ["--set", "segmentation.clusters.k_min=6", "--set", "segmentation.clusters.k_max=4"],
        ["'segmentation.clusters.k_min' 6 is above 'segmentation.clusters.k_max' 4"],
    ),
    "seed beyond 2**32": (["--set", f"run.seed={2**70}"], ["'run.seed'", "from 0 to 4294967295"]),
}


@pytest.fixture(scope="module")
def rendered_once(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad")
    data = write_tables(tiny_tables(), root / "good", "csv")
    out = root / "reports"
    render(data, regions="east", notebooks="00_overview_region", out=out, progress=False)
    return data, out


def _snapshot(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("case", list(BAD_INPUTS) + list(BAD_ARGS))
def test_bad_input_exits_non_zero_naming_the_culprit_and_keeps_earlier_reports(tmp_path, rendered_once, case, capsys):
    import shutil

    from custlib.cli import main

    good, out_before = rendered_once
    data = tmp_path / "data"
    shutil.copytree(good, data)
    out = tmp_path / "reports"
    shutil.copytree(out_before, out)
    before = _snapshot(out)
    args = []
    if case in BAD_INPUTS:
        edit, expected = BAD_INPUTS[case]
        edit(data)
    else:
        args, expected = BAD_ARGS[case]
    base = ["render", "--data", str(data), "--out", str(out), "--notebooks", "00", "--quiet"]
    code = main(base + (args if "--regions" in args else ["--regions", "east", *args]))
    err = capsys.readouterr().err
    assert code == 2, err
    for piece in expected:
        assert piece in err, f"{piece!r} not in: {err}"
    assert _snapshot(out) == before, "earlier reports must stay as they were"


def test_a_one_customer_region_and_a_region_without_orders_this_quarter_render_every_report(tmp_path):
    """Thin regions get plain "not available" sections, never a crashed report (every notebook, through the runner)."""
    tables = tiny_tables(n_per_region=6, regions=("East", "West", "South"))
    cust, tx = tables["customers"], tables["transactions"]
    lone = cust[cust.region == "West"].customer_id.iloc[0]
    keep_west = (cust.region != "West") | (cust.customer_id == lone)
    cust = cust[keep_west]
    south = set(cust[cust.region == "South"].customer_id)
    in_q4 = pd.to_datetime(tx["order_date"]) >= pd.Timestamp("2025-10-01")
    tx = tx[tx.customer_id.isin(set(cust.customer_id)) & ~(tx.customer_id.isin(south) & in_q4)].copy()
    last_east = tx.index[tx.customer_id.str.startswith("E")][-1]
    tx.loc[last_east, "order_date"] = pd.Timestamp("2025-12-31").date()  # the data reaches the quarter's last day
    data = write_tables({"customers": cust, "transactions": tx}, tmp_path / "data", "parquet")
    res = render(data, regions="West,South", out=tmp_path / "out", progress=False)
    assert res.quarter == "2025Q4"
    assert len(res.outcomes) == 10
    assert not res.failed, [(o.region, o.notebook, o.error) for o in res.failed]
    for region in ("west", "south"):
        pages = " ".join(
            (tmp_path / "out" / "2025Q4" / region / f"{o.notebook}.html").read_text() for o in res.outcomes if o.slug == region
        )
        assert "Not available" in pages
        assert "Traceback" not in pages


# --------------------------------------------------------------------------- databases


def test_a_changed_database_renders_again_and_an_unchanged_one_is_skipped(tmp_path):
    """The fingerprint of a database is its content (issue 17: the URL alone kept a stale report)."""
    import sqlite3

    tables = tiny_tables()
    db = tmp_path / "crm.db"

    def write(frames):
        with sqlite3.connect(db) as conn:
            for name, frame in frames.items():
                frame.assign(**({"order_date": frame["order_date"].astype(str)} if "order_date" in frame else {})).to_sql(
                    name, conn, index=False, if_exists="replace"
                )

    write(tables)
    url, out = f"sqlite:///{db}", tmp_path / "reports"
    kw = dict(regions="east", notebooks="00_overview_region", out=out, progress=False)
    first = render(url, **kw)
    page = first.out_dir / "east" / "00_overview_region.html"
    before = page.read_bytes()
    again = render(url, **kw)
    assert [o.skipped for o in again.outcomes] == [True], "same content: nothing to do"
    tx = tables["transactions"].copy()
    tx["revenue"] = tx["revenue"] * 3
    write({**tables, "transactions": tx})
    changed = render(url, **kw)
    assert [(o.status, o.skipped) for o in changed.outcomes] == [("ok", False)]
    assert page.read_bytes() != before


def test_a_region_name_of_300_bytes_renders_into_a_short_folder(tmp_path):
    long_name = "Région " + "très-longue " * 24  # 300 bytes in UTF-8: over a file name's 255
    assert len(long_name.encode()) >= 300
    data = write_tables(tiny_tables(n_per_region=3, regions=(long_name, "North")), tmp_path / "data", "csv")
    res = render(data, out=tmp_path / "out", notebooks="00_overview_region", progress=False)
    assert not res.failed, [(o.slug, o.error) for o in res.failed]
    assert all(len(o.slug.encode()) <= 80 for o in res.outcomes)
