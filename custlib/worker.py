"""Report runs in a long-lived worker process with a warm kernel.

``python -m custlib.worker`` reads one JSON job per line on stdin and
answers one line per job on stdout (prefixed with ``@@custlib``). It keeps
one IPython kernel alive across jobs: the kernel imports the heavy modules
once (:func:`custlib.kernel.warm_up`) and is reset before every notebook
(:func:`custlib.kernel.reset`). For each job the worker injects the
parameters the way papermill does, executes the notebook with nbclient
(per-cell timeout from ``run.cell_timeout_s``), converts it in-process to a
self-contained HTML page without code cells, and writes both files
atomically. A notebook that raises still gets its executed ``.ipynb`` (with
the error) and an HTML page showing it. After a cell timeout or a dead
kernel the kernel is replaced before the next job. The runner enforces the
per-notebook timeout by killing the whole worker process group.
"""

from __future__ import annotations

import copy
import json
import re
import sys
import time
from pathlib import Path

from .i18n import keep_language

TEMPLATES = Path(__file__).parent / "templates"
PREFIX = "@@custlib "

_exporter = None


def to_html(nb, title: str, lang: str = "en") -> str:
    """Self-contained HTML without input cells or prompts; images embedded; nothing fetched online."""
    global _exporter
    from nbconvert import HTMLExporter

    if _exporter is None:
        _exporter = HTMLExporter(
            template_name="report",
            extra_template_basedirs=[str(TEMPLATES)],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
        )
        _exporter.embed_images = True
    nb.metadata["title"] = title
    _exporter.language_code = lang
    body, _ = _exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)<a class="anchor-link"', re.S)
_H1_END = re.compile(r"(<h1 id=\"[^\"]*\">.*?</h1>)", re.S)


def add_toc(page: str, lang: str = "en") -> str:
    """Insert a table of contents (links to every ``h2``) between the title's cell and the next cell."""
    heads = _H2.findall(page)
    if len(heads) < 2:
        return page
    title = "目录" if lang == "zh" else "Contents"
    items = "".join(f'<li><a href="#{hid}">{text}</a></li>' for hid, text in heads)
    toc = f'<nav class="report-toc" id="contents"><strong>{title}</strong><ul>{items}</ul></nav>'
    m = _H1_END.search(page)
    if not m:
        return page
    at = page.find('<div class="jp-Cell ', m.end())  # the start of the next cell, outside the title cell's layout
    if at == -1:
        at = m.end()
    return page[:at] + toc + page[at:]


def headlines(nb) -> list[dict]:
    """The executive-summary figures a notebook published (see :func:`custlib.report.executive_summary`)."""
    from .report import HEADLINE_MIME

    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if HEADLINE_MIME in data:
                out.extend(data[HEADLINE_MIME].get("rows", []))
    return out


class WarmKernel:
    """One IPython kernel kept alive across notebook runs."""

    def __init__(self, cwd: str):
        self.cwd = cwd
        self.km = None
        self.kc = None
        self.runs = 0

    def _client(self, nb, timeout):
        from nbclient import NotebookClient

        client = NotebookClient(nb, km=self.km, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": self.cwd}})
        # nbclient's __init__ resets kc to None: set it afterwards, or every run opens (and leaks) a new client
        client.kc = self.kc
        return client

    def _run_code(self, code: str, timeout: int = 120) -> None:
        import nbformat

        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(code)]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        if self.km is None:
            from nbclient import NotebookClient

            client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": self.cwd}})
            client.execute(cleanup_kc=False)
            self.km, self.kc = client.km, client.kc
        else:
            self._client(nb, timeout).execute()

    def start(self) -> None:
        self._run_code("import custlib.kernel as _ck\n_ck.warm_up()\ndel _ck")

    def reset(self) -> None:
        if self.km is None:
            self.start()
        self._run_code(f"import custlib.kernel as _ck\n_ck.reset({self.cwd!r})")

    def execute(self, nb, cell_timeout: int):
        client = self._client(nb, cell_timeout)
        client.execute()
        self.runs += 1
        return nb

    def stop(self) -> None:
        if self.km is not None:
            try:
                if self.kc is not None:
                    self.kc.stop_channels()
                from jupyter_core.utils import run_sync

                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:
                pass
        self.km = self.kc = None


def run_job(kernel: WarmKernel, spec: dict) -> dict:
    """Execute, convert and write one report; return its outcome as a dict."""
    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from .runner import atomic_write

    phases = {}
    nb_path = Path(spec["notebook"])
    out_dir = Path(spec["out_dir"])
    ipynb = out_dir / nb_path.name
    html_path = out_dir / (nb_path.stem + ".html")
    cell_timeout = int(spec["params"].get("run", {}).get("cell_timeout_s", 600))
    status, error = "ok", ""
    t0 = time.perf_counter()
    try:
        kernel.reset()
    except Exception as err:
        kernel.stop()
        kernel.start()
        kernel.reset()
        phases["kernel_restarted"] = f"{type(err).__name__}"
    phases["reset_s"] = round(time.perf_counter() - t0, 3)
    nb = load_notebook_node(str(nb_path))
    parameters = {"data": spec["data"], "region": spec["region"], "quarter": spec["quarter"], "settings": spec["params"]}
    nb = parameterize_notebook(nb, parameters, kernel_name="python3", language="python")
    for i, cell in enumerate(nb.cells):  # papermill gives the injected cell a random id; keep reports reproducible
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = f"injected-parameters-{i}"
    t1 = time.perf_counter()
    try:
        kernel.execute(nb, cell_timeout)
    except CellExecutionError as err:
        status, error = "failed", f"{err.ename}: {err.evalue}"
    except CellTimeoutError:
        status, error = "failed", f"a cell ran longer than the cell timeout of {cell_timeout} s (run.cell_timeout_s)"
        kernel.stop()
    except DeadKernelError as err:
        status, error = "failed", f"the kernel died: {err}"
        kernel.stop()
    phases["execute_s"] = round(time.perf_counter() - t1, 3)
    t2 = time.perf_counter()
    lang = spec["params"].get("report", {}).get("lang", "en")
    title = spec["title"] + ("" if status == "ok" else " (FAILED)")
    atomic_write(html_path, add_toc(to_html(keep_language(copy.deepcopy(nb), lang), title, lang), lang))
    atomic_write(ipynb, nbformat.writes(nb))
    phases["convert_s"] = round(time.perf_counter() - t2, 3)
    return {"status": status, "error": error, "html": str(html_path), "ipynb": str(ipynb), "phases": phases, "headlines": headlines(nb)}


def _warm_exporter() -> None:
    import nbformat

    try:
        to_html(nbformat.v4.new_notebook(), "warm-up")
    except Exception:  # the first real report will say what is wrong
        pass


def serve(cwd: str) -> None:
    """Answer jobs from stdin until it closes."""
    import threading

    kernel = WarmKernel(cwd)
    t0 = time.perf_counter()
    # build the HTML exporter (imports and template compilation) while the kernel warms up
    warm = threading.Thread(target=_warm_exporter, daemon=True)
    warm.start()
    kernel.start()
    warm.join()
    _answer({"ready": True, "start_s": round(time.perf_counter() - t0, 3)})
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            spec = json.loads(line)
            try:
                res = run_job(kernel, spec)
            except Exception as err:  # keep serving; report the failure
                res = {"status": "failed", "error": f"{type(err).__name__}: {err}", "html": "", "ipynb": "", "phases": {}}
            _answer(res)
    finally:
        kernel.stop()


def _answer(obj: dict) -> None:
    sys.stdout.write(PREFIX + json.dumps(obj) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    serve(sys.argv[1] if len(sys.argv) > 1 else ".")
