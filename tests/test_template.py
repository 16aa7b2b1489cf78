"""The new-report template runs top to bottom on the sample data, once copied into notebooks/ as "Adding a notebook" says."""

from __future__ import annotations

import shutil
from pathlib import Path

import jupytext
import nbformat
import pytest
from papermill.inspection import inspect_notebook

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "notebooks" / "template" / "NN_new_report.py"

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


@pytest.fixture(scope="module")
def copied(tmp_path_factory) -> Path:
    """A repository with params/, the sample data in data/sample and the template saved as notebooks/05_new_report.ipynb."""
    from custlib.io.sample import generate_sample

    root = tmp_path_factory.mktemp("repo")
    shutil.copytree(ROOT / "params", root / "params")
    generate_sample(root / "data" / "sample", customers=600, regions=2, seed=42)
    (root / "notebooks").mkdir()
    path = root / "notebooks" / "05_new_report.ipynb"
    jupytext.write(jupytext.read(TEMPLATE), path)  # what `jupytext --sync notebooks/05_new_report.py` makes
    return path


def _run(path: Path, out: Path, **parameters):
    import papermill as pm

    pm.execute_notebook(str(path), str(out), parameters=parameters, cwd=str(path.parent), kernel_name="python3", progress_bar=False)
    return nbformat.read(out, as_version=4)


def _outputs(nb) -> list[dict]:
    return [o for c in nb.cells for o in c.get("outputs", [])]


def test_template_has_the_report_parameters(copied):
    params = inspect_notebook(str(copied))
    assert {k: v["inferred_type_name"] for k, v in params.items()} == {"data": "str", "region": "str", "quarter": "str", "settings": "dict"}
    assert all(v["help"] for v in params.values())


def test_template_runs_unedited_on_the_sample_data(copied, tmp_path):
    nb = _run(copied, tmp_path / "out.ipynb")
    outs = _outputs(nb)
    assert not [o for o in outs if o.get("output_type") == "error"]
    markdown = " ".join(str(o.get("data", {}).get("text/markdown", "")) for o in outs)
    html = " ".join(str(o.get("data", {}).get("text/html", "")) for o in outs)
    assert "**Region:** East" in markdown
    assert "Executive summary" in html and "Headline figures" in html, "the summary and the table are shown"
    assert any("image/png" in o.get("data", {}) for o in outs), "the chart is drawn"
    assert "Not available" not in markdown, "every step of the template has data in the sample"


def test_template_speaks_chinese_when_the_report_language_is_zh(copied, tmp_path):
    nb = _run(copied, tmp_path / "zh.ipynb", settings={"report": {"lang": "zh"}})
    outs = _outputs(nb)
    assert not [o for o in outs if o.get("output_type") == "error"]
    markdown = " ".join(str(o.get("data", {}).get("text/markdown", "")) for o in outs)
    html = " ".join(str(o.get("data", {}).get("text/html", "")) for o in outs)
    assert "**区域：**" in markdown and "主要指标" in html
