"""The report worker's in-process shell records what a real Jupyter kernel would.

Reference: the same notebook executed by papermill in an IPython kernel (the
way analysts' notebooks run). Each in-process run happens in a child Python
process, so this test process keeps its own matplotlib backend and has no
IPython shell.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from conftest import write_notebook

from custlib.run.runner import render

pytestmark = pytest.mark.e2e

CELLS = [
    # (a kernel sends a cell's stdout and stderr in buffered batches, so their interleaving within one cell
    # depends on timing: each stream gets a cell of its own here)
    "import sys, warnings\nprint('to stdout')\nprint('more', 1, sep='|')",
    "sys.stderr.write('to stderr\\n');",
    "warnings.warn('a user warning')",
    "from IPython.display import HTML, Markdown, display\ndisplay(HTML('<b>bold &amp; safe</b>'))\ndisplay(Markdown('**md**'))\ndisplay({'text/plain': 'raw', 'application/vnd.custom+json': {'a': [1, 2]}}, raw=True)",
    "import numpy as np\nnp.arange(3) * 2",
    "x = 41\nx + 1;",
    "import matplotlib.pyplot as plt\nfig, ax = plt.subplots(figsize=(3, 2))\nax.plot([1, 3, 2])\nax.set_title('a figure')\nplt.show()",
    "fig2, ax2 = plt.subplots(figsize=(2, 2)); ax2.bar([1, 2], [3, 1])  # never shown: the inline backend shows it after the cell",
    "import pandas as pd\npd.DataFrame({'a': [1, 2], 'b': ['x', 'y']})",
    "from IPython.display import clear_output\nprint('gone')\nclear_output()\nprint('kept')",
]

RUNNER = textwrap.dedent(
    """
    import json, sys
    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError
    from custlib.run.inprocess import InProcessKernel

    src, dst, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3])
    nb = nbformat.read(src, as_version=4)
    kernel = InProcessKernel(".")
    kernel.start()
    outcome = {"status": "ok"}
    try:
        kernel.execute(nb, timeout)
    except CellExecutionError as err:
        outcome = {"status": "error", "ename": err.ename, "evalue": err.evalue}
    except CellTimeoutError as err:
        outcome = {"status": "timeout", "message": str(err)}
    nbformat.write(nb, dst)
    print(json.dumps(outcome))
    """
)


def _notebook(path: Path, cells: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _in_process(src: Path, dst: Path, timeout: int = 60) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, str(src), str(dst), str(timeout)], capture_output=True, text=True, timeout=300, cwd=src.parent
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _outputs(nb) -> list[list[dict]]:
    """Each code cell's outputs, comparable across runners.

    Consecutive writes to one stream are merged, as the HTML conversion does: a kernel sends a
    stream in batches whose boundaries depend on timing.
    """
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outs = []
        for o in cell.outputs:
            o = json.loads(json.dumps(dict(o)))
            if "text" in o and isinstance(o["text"], list):
                o["text"] = "".join(o["text"])
            if o["output_type"] == "stream" and outs and outs[-1]["output_type"] == "stream" and outs[-1]["name"] == o["name"]:
                outs[-1]["text"] += o["text"]
            else:
                outs.append(o)
        out.append([cell.execution_count, outs])
    return out


def test_outputs_are_those_a_real_kernel_gives(tmp_path):
    src = _notebook(tmp_path / "probe.ipynb", CELLS)
    kernel = pm.execute_notebook(str(src), str(tmp_path / "kernel.ipynb"), kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    assert _in_process(src, tmp_path / "inproc.ipynb") == {"status": "ok"}
    mine = nbformat.read(tmp_path / "inproc.ipynb", as_version=4)

    got, want = _outputs(mine), _outputs(kernel)
    assert len(got) == len(want) == len(CELLS)
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        if i == 2:  # the warning names the cell's source file: the kernel's and ours are temporary files
            assert [o["name"] for o in g[1]] == [o["name"] for o in w[1]] == ["stderr"]
            assert "UserWarning: a user warning" in g[1][0]["text"]
            continue
        assert g == w, f"cell {i}: {CELLS[i]!r}"
    # what the comparison covers, spelled out
    assert got[0][1] == [{"output_type": "stream", "name": "stdout", "text": "to stdout\nmore|1\n"}]
    assert got[1][1] == [{"output_type": "stream", "name": "stderr", "text": "to stderr\n"}]
    assert [o["output_type"] for o in got[3][1]] == ["display_data"] * 3
    assert got[3][1][2]["data"]["application/vnd.custom+json"] == {"a": [1, 2]}
    assert got[4][1][0]["output_type"] == "execute_result" and got[4][1][0]["data"]["text/plain"] == "array([0, 2, 4])"
    assert got[5][1] == []  # a trailing semicolon hides the result
    assert [o["output_type"] for o in got[6][1]] == ["display_data"] and got[6][1][0]["data"]["image/png"].startswith("iVBOR")
    assert "image/png" in got[7][1][-1]["data"]
    assert "text/html" in got[8][1][0]["data"]
    assert got[9][1] == [{"output_type": "stream", "name": "stdout", "text": "kept\n"}]
    assert mine.metadata["language_info"]["name"] == "python"


def test_an_error_stops_the_notebook_with_the_kernels_error_output(tmp_path):
    cells = ["a = 1", "print('before')\nraise ValueError('bad value 7')", "print('never')"]
    src = _notebook(tmp_path / "err.ipynb", cells)
    res = _in_process(src, tmp_path / "inproc.ipynb")
    assert res == {"status": "error", "ename": "ValueError", "evalue": "bad value 7"}
    nb = nbformat.read(tmp_path / "inproc.ipynb", as_version=4)
    outs = nb.cells[1].outputs
    assert [o.output_type for o in outs] == ["stream", "error"]
    assert outs[1].ename == "ValueError" and any("bad value 7" in line for line in outs[1].traceback)
    assert nb.cells[2].outputs == [] and nb.cells[2].execution_count is None

    with pytest.raises(pm.PapermillExecutionError) as ref:
        pm.execute_notebook(str(src), str(tmp_path / "kernel.ipynb"), kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    assert (ref.value.ename, ref.value.evalue) == (res["ename"], res["evalue"])


def test_a_cell_running_past_its_timeout_is_interrupted(tmp_path):
    src = _notebook(
        tmp_path / "slow.ipynb",
        ["import time\ntry:\n    time.sleep(120)\nexcept Exception:\n    pass  # cannot swallow it", "print('never')"],
    )
    res = _in_process(src, tmp_path / "inproc.ipynb", timeout=1)
    assert res["status"] == "timeout" and "1 seconds" in res["message"]
    nb = nbformat.read(tmp_path / "inproc.ipynb", as_version=4)
    assert nb.cells[1].outputs == []


def test_a_notebook_cannot_read_or_forge_the_worker_protocol(tmp_path, tiny):
    """Writes to file descriptor 1 and sys.__stdout__ and reads of stdin do not reach the job stream."""
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    forge = '@@custlib {"status": "ok", "error": "", "html": "", "ipynb": "", "phases": {}}\\n'
    write_notebook(
        nbs / "01_forge.ipynb",
        "import os, sys\n"
        f"os.write(1, b'{forge}')\n"
        f"sys.__stdout__.write('{forge}'); sys.__stdout__.flush()\n"
        "print('stdin gave', repr(sys.stdin.read()), repr(os.read(0, 100)))\n"
        "raise RuntimeError('this report must fail')",
    )
    write_notebook(nbs / "02_fine.ipynb", "print('fine')")

    res = render(tiny, regions="east", out=tmp_path / "out", notebook_dir=nbs, jobs=1, progress=False)
    status = {o.notebook: (o.status, o.error) for o in res.outcomes}
    assert status["01_forge"] == ("failed", "RuntimeError: this report must fail")
    assert status["02_fine"] == ("ok", "")
    ran = nbformat.read(tmp_path / "out" / "2025Q4" / "east" / "01_forge.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for o in ran.cells[-1].outputs if o.output_type == "stream")
    assert "stdin gave '' b''" in printed


def test_a_notebook_that_breaks_the_reset_gets_the_next_job_a_fresh_worker(tmp_path, tiny):
    """When the reset between reports fails, the worker is replaced instead of running on in a broken state."""
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    breaker = "import matplotlib.pyplot as plt\nplt.close = None  # custlib.run.kernel.reset calls plt.close('all')"
    checker = "import matplotlib.pyplot as plt\nassert plt.close is not None, 'ran in the broken worker'\nprint('fresh')"
    write_notebook(nbs / "01_break.ipynb", breaker)
    write_notebook(nbs / "02_check.ipynb", checker)

    res = render(tiny, regions="east", out=tmp_path / "out", notebook_dir=nbs, jobs=1, progress=False)
    assert {o.notebook: (o.status, o.error) for o in res.outcomes} == {"01_break": ("ok", ""), "02_check": ("ok", "")}
