"""One report run, in its own process: ``python -m custlib.worker < spec.json``.

Executes the notebook with papermill (per-cell timeout from
``run.cell_timeout_s``), converts it to a self-contained HTML page without
code cells, writes both atomically and prints one JSON line with the
outcome. A notebook that raises still gets its executed ``.ipynb`` (with the
error) and an HTML page showing it.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"


def to_html(nb, title: str) -> str:
    """Self-contained HTML without input cells or prompts; images embedded."""
    from nbconvert import HTMLExporter

    nb.metadata["title"] = title
    exporter = HTMLExporter(
        template_name="report",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.embed_images = True
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


def run(spec: dict) -> dict:
    import nbformat
    import papermill as pm

    from .runner import atomic_write

    phases = {}
    t0 = time.perf_counter()
    nb_path = Path(spec["notebook"])
    out_dir = Path(spec["out_dir"])
    out_dir.mkdir(parents=True, exist_ok=True)
    ipynb = out_dir / nb_path.name
    html_path = out_dir / (nb_path.stem + ".html")
    tmp_nb = out_dir / f".{nb_path.stem}.running.ipynb"
    cell_timeout = int(spec["params"].get("run", {}).get("cell_timeout_s", 600))
    status, error = "ok", ""
    try:
        pm.execute_notebook(
            str(nb_path),
            str(tmp_nb),
            parameters={"data": spec["data"], "region": spec["region"], "quarter": spec["quarter"], "settings": spec["params"]},
            cwd=str(nb_path.parent),
            progress_bar=False,
            log_output=False,
            execution_timeout=cell_timeout,
            kernel_name="python3",
        )
    except pm.PapermillExecutionError as err:
        status, error = "failed", f"{err.ename}: {err.evalue}"
    except Exception as err:  # timeouts, dead kernels
        status, error = "failed", f"{type(err).__name__}: {err}"
    phases["execute_s"] = round(time.perf_counter() - t0, 3)
    t1 = time.perf_counter()
    if tmp_nb.is_file():
        nb = nbformat.read(tmp_nb, as_version=4)
        atomic_write(html_path, to_html(nb, spec["title"] + ("" if status == "ok" else " (FAILED)")))
        atomic_write(ipynb, nbformat.writes(nb))
        tmp_nb.unlink(missing_ok=True)
    else:
        return {"status": "failed", "error": error or "no executed notebook was written", "html": "", "ipynb": "", "phases": phases}
    phases["convert_s"] = round(time.perf_counter() - t1, 3)
    return {"status": status, "error": error, "html": str(html_path), "ipynb": str(ipynb), "phases": phases}


def main() -> None:
    spec = json.loads(sys.stdin.read())
    result = run(spec)
    sys.stdout.write("\n" + json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
