"""The committed notebooks: stored clean, paired with their scripts, and runnable unedited."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import jupytext
import nbformat
import pytest
from papermill.inspection import inspect_notebook

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXPECTED_PARAMS = {"data": "str", "region": "str", "quarter": "str", "settings": "dict"}


def test_report_notebooks_are_the_five_analyses_numbered_in_order():
    """00 to 04 are the five analyses; a notebook added later takes the next number (no gap, no number twice)."""
    assert [p.stem[:2] for p in NOTEBOOKS] == [f"{i:02d}" for i in range(len(NOTEBOOKS))]
    assert [p.stem for p in NOTEBOOKS[:5]] == [
        "00_overview_region",
        "01_segment_customers",
        "02_diagnose_pareto",
        "03_forecast_development",
        "04_compare_make_vs_buy",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_has_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs, f"{path.name}: a code cell has outputs"
            assert cell.execution_count is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_and_its_percent_script_are_in_sync(path):
    script = path.with_suffix(".py")
    assert script.is_file(), f"{path.name} has no paired {script.name}"
    a = nbformat.read(path, as_version=4)
    b = jupytext.read(script)
    assert a.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent"
    cells_a = [(c.cell_type, c.source.strip()) for c in a.cells]
    cells_b = [(c.cell_type, c.source.strip()) for c in b.cells]
    assert cells_a == cells_b, f"{path.name} and {script.name} differ: run `jupytext --sync {script}`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_is_typed_commented_and_right_after_the_imports(path):
    params = inspect_notebook(str(path))
    assert {k: v["inferred_type_name"] for k, v in params.items()} == EXPECTED_PARAMS
    assert all(v["help"] for v in params.values()), "every parameter has a comment"
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[1].metadata.get("tags", []), "the parameters cell follows the imports cell"
    assert all(ln.startswith(("import ", "from ")) or not ln.strip() for ln in code[0].source.splitlines())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_tell_and_custlib_computes(path):
    """No def, class, loop or comprehension in a report notebook: that belongs in custlib with a test."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        banned = (ast.FunctionDef, ast.ClassDef, ast.For, ast.While, ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp, ast.Lambda)
        found = [type(n).__name__ for n in ast.walk(tree) if isinstance(n, banned)]
        assert not found, f"{path.name}: {found} in cell:\n{cell.source[:200]}"


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory):
    """The repository's notebooks and params beside a small sample in data/sample, as after `make data`."""
    from custlib.io.sample import generate_sample

    root = tmp_path_factory.mktemp("repo")
    shutil.copytree(ROOT / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns("*.py", ".ipynb_checkpoints"))
    shutil.copytree(ROOT / "params", root / "params")
    generate_sample(root / "data" / "sample", customers=600, regions=2, seed=42)
    return root


@pytest.mark.e2e
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom_unedited_on_its_defaults(repo_copy, path):
    """As an analyst in JupyterLab: open the notebook in notebooks/ and run all cells, changing nothing."""
    from nbclient import NotebookClient

    nb = nbformat.read(repo_copy / "notebooks" / path.name, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(repo_copy / "notebooks")}}).execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    text = " ".join(str(o.get("data", {}).get("text/markdown", "")) for c in nb.cells for o in c.get("outputs", []))
    assert re.search(r"\*\*Region:\*\* East", text), "the default region is East"
    from test_glossary import missing_from_glossary

    assert not missing_from_glossary(nb), "every technical term the report shows is in its glossary"


@pytest.mark.e2e
@pytest.mark.parametrize("name", ["00_overview_region", "01_segment_customers"])
def test_plain_papermill_with_a_partial_settings_merges_over_the_defaults(repo_copy, tmp_path, name):
    """papermill -p settings '{"report": {"top_n": 3}}': the given key changes, every other parameter keeps its default."""
    import papermill as pm

    out = tmp_path / f"{name}.ipynb"
    pm.execute_notebook(
        str(repo_copy / "notebooks" / f"{name}.ipynb"),
        str(out),
        parameters={"settings": {"report": {"top_n": 3, "lang": "zh"}}},
        cwd=str(repo_copy / "notebooks"),
        kernel_name="python3",
        progress_bar=False,
    )
    nb = nbformat.read(out, as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors[:1]
    text = " ".join(str(o.get("data", {}).get("text/markdown", "")) for c in nb.cells for o in c.get("outputs", []))
    assert "**区域：**" in text, "report.lang from the partial settings took effect"
