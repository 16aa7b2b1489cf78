"""Report runs in a long-lived worker process that is its own warm kernel.

``python -m custlib.run.worker`` reads one JSON job per line on stdin and
answers one line per job on stdout (prefixed with ``@@custlib``). It holds
one IPython shell (:class:`custlib.run.inprocess.InProcessKernel`) across jobs:
the heavy modules are imported once (:func:`custlib.run.kernel.warm_up`) and the
shell is reset before every notebook (:func:`custlib.run.kernel.reset`). For
each job the worker injects the parameters the way papermill does, runs the
notebook's cells in the shell (per-cell timeout from ``run.cell_timeout_s``),
converts it in-process to a self-contained HTML page without code cells, and
writes both files atomically. A notebook that raises still gets its
executed ``.ipynb`` (with the error) and an HTML page showing it. The runner
enforces the per-notebook timeout by killing the whole worker process group
and starts a fresh worker for the next job.

The job protocol uses private copies of file descriptors 0 and 1; while the
worker runs, descriptor 0 reads nothing and descriptor 1 writes to the log,
so nothing a notebook (or a C library under it) reads or writes can reach
the protocol.

A worker dies with the render that started it (:func:`die_with_parent`) and
writes only into that render's staging folder (:mod:`custlib.run.publish`),
without creating folders: a worker that outlived its render could not reach
a published report.
"""

from __future__ import annotations

import copy
import html
import json
import re
import sys
import time
from pathlib import Path

from custlib.present.fonts import embed_font
from custlib.present.messages import keep_language, messages

TEMPLATES = Path(__file__).parent / "templates"
PREFIX = "@@custlib "

_exporter = None

_IMG_NO_ALT = re.compile(r"<img(?![^>]*\balt=)")
_FOCUSABLE_DIV = re.compile(r'(<div class="[^"]*\b(?:jp-OutputArea-output|jp-Cell-inputWrapper)\b[^"]*")')


def _exporter_class():
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        """nbconvert's HTML exporter without its BeautifulSoup pass.

        ``HTMLExporter.from_notebook_node`` re-parses the finished page with
        BeautifulSoup only to give images without ``alt`` a placeholder text and
        cell inputs and outputs a ``tabindex``: 40 % of a report's conversion time. Both are
        done here with two substitutions on markup our template produced.
        """

        def from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            self.register_filter(
                "filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources)
            )
            page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            alt = html.escape(messages(self.language_code).gettext("Chart"), quote=True)
            page = _IMG_NO_ALT.sub(f'<img alt="{alt}"', page)
            page = _FOCUSABLE_DIV.sub(r'\1 tabindex="0"', page)
            return page, resources

    return ReportExporter


def to_html(nb, title: str, lang: str = "en") -> str:
    """Self-contained HTML without input cells or prompts; images embedded; nothing fetched online."""
    global _exporter
    if _exporter is None:
        _exporter = _exporter_class()(
            template_name="report",
            extra_template_basedirs=[str(TEMPLATES)],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            # validate the notebook once after all preprocessors, not after each of the dozen (most disabled)
            optimistic_validation=True,
        )
        _exporter.embed_images = True
    nb.metadata["title"] = title
    _exporter.language_code = lang
    body, _ = _exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)<a class="anchor-link"', re.S)
_H1_END = re.compile(r"(<h1 id=\"[^\"]*\">.*?</h1>)", re.S)
_CELL_START = re.compile(r'<div\b[^>]*\bclass="jp-Cell ')


def add_toc(page: str, lang: str = "en") -> str:
    """Insert a table of contents (links to every ``h2``) between the title's cell and the next cell."""
    heads = _H2.findall(page)
    if len(heads) < 2:
        return page
    title = html.escape(messages(lang).gettext("Contents"))
    items = "".join(f'<li><a href="#{hid}">{text}</a></li>' for hid, text in heads)
    toc = f'<nav class="report-toc" id="contents"><strong>{title}</strong><ul>{items}</ul></nav>'
    m = _H1_END.search(page)
    if not m:
        return page
    nxt = _CELL_START.search(page, m.end())  # the start of the next cell, outside the title cell's layout
    at = nxt.start() if nxt else m.end()
    return page[:at] + toc + page[at:]


def headlines(nb) -> list[dict]:
    """The executive-summary figures a notebook published (see :meth:`custlib.reports.context.ReportContext.summary`)."""
    from custlib.reports.context import HEADLINE_MIME

    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if HEADLINE_MIME in data:
                out.extend(data[HEADLINE_MIME].get("rows", []))
    return out


def run_job(kernel, spec: dict) -> dict:
    """Execute, convert and write one report; return its outcome as a dict."""
    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from custlib.run.files import atomic_write

    phases = {}
    nb_path = Path(spec["notebook"])
    out_dir = Path(spec["out_dir"])
    ipynb = out_dir / nb_path.name
    html_path = out_dir / (nb_path.stem + ".html")
    cell_timeout = int(spec["params"].get("run", {}).get("cell_timeout_s", 600))
    status, error, restart = "ok", "", False
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
        restart = True  # code interrupted mid-way may have left threads or locks behind: the next job gets a new worker
    phases["execute_s"] = round(time.perf_counter() - t1, 3)
    t2 = time.perf_counter()
    lang = spec["params"].get("report", {}).get("lang", "en")
    title = spec["title"] if status == "ok" else messages(lang).gettext("{title} (FAILED)", title=spec["title"])
    # into the run's staging folder, which the runner made: parents=False, so a worker whose render is gone cannot make it again
    atomic_write(html_path, embed_font(add_toc(to_html(keep_language(copy.deepcopy(nb), lang), title, lang), lang)), parents=False)
    atomic_write(ipynb, nbformat.writes(nb), parents=False)
    phases["convert_s"] = round(time.perf_counter() - t2, 3)
    t3 = time.perf_counter()
    try:  # clean up now, so the next job starts from the warm state
        kernel.reset()
    except Exception as err:  # the notebook broke something reset cannot mend: the next job gets a new worker
        restart = True
        print(f"custlib.run.worker: reset after {nb_path.name} failed ({type(err).__name__}: {err}); restarting", file=sys.stderr)
    phases["reset_s"] = round(time.perf_counter() - t3, 3)
    return {
        "status": status,
        "error": error,
        "html": str(html_path),
        "ipynb": str(ipynb),
        "phases": phases,
        "headlines": headlines(nb),
        "restart": restart,
    }


def die_with_parent(parent_pid: int) -> None:
    """End this process as soon as the process ``parent_pid`` that started it ends, however it ends (SIGKILL too).

    On Linux the kernel sends SIGKILL when the parent goes (``prctl(PR_SET_PDEATHSIG)``,
    set through ctypes); elsewhere a daemon thread checks the parent four times a
    second. Either way, a parent already gone before this call ends the process now.
    Processes a notebook starts itself are not covered when the render is killed with
    SIGKILL (they are when it is stopped otherwise: the runner kills the worker's whole
    process group); the report notebooks start none.
    """
    import os
    import signal
    import threading

    armed = False
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        try:
            armed = ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)
    if not armed:

        def watch() -> None:
            while os.getppid() == parent_pid:
                time.sleep(0.25)
            os._exit(1)

        threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def _warm_exporter() -> None:
    import nbformat

    try:
        to_html(nbformat.v4.new_notebook(), "warm-up")
    except Exception:  # the first real report will say what is wrong
        pass


def serve(cwd: str) -> None:
    """Answer jobs from stdin until it closes."""
    import os
    import threading

    from custlib._lightimport import jsonschema

    jsonschema()  # before nbformat imports it: 0.7 s less start-up (see custlib._lightimport)
    global _ANSWERS
    jobs = os.fdopen(os.dup(0), "r", encoding="utf-8")
    _ANSWERS = os.fdopen(os.dup(1), "w", encoding="utf-8")
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)
    os.close(nothing)
    os.dup2(2, 1)

    from custlib.run.inprocess import InProcessKernel

    kernel = InProcessKernel(cwd)
    t0 = time.perf_counter()
    # build the HTML exporter (imports and template compilation) while the shell imports the heavy modules
    warm = threading.Thread(target=_warm_exporter, daemon=True)
    warm.start()
    kernel.start()
    warm.join()
    _answer({"ready": True, "start_s": round(time.perf_counter() - t0, 3)})
    try:
        for line in jobs:
            if not line.strip():
                continue
            spec = json.loads(line)
            try:
                res = run_job(kernel, spec)
            except Exception as err:  # report the failure; a new worker takes the next job
                res = {"status": "failed", "error": f"{type(err).__name__}: {err}", "html": "", "ipynb": "", "phases": {}, "restart": True}
            _answer(res)
            if res.get("restart"):
                break
    finally:
        kernel.stop()


_ANSWERS = sys.stdout


def _answer(obj: dict) -> None:
    _ANSWERS.write(PREFIX + json.dumps(obj) + "\n")
    _ANSWERS.flush()


if __name__ == "__main__":
    import os

    if len(sys.argv) > 2:  # the render's process id (custlib.run.slots.Slot)
        die_with_parent(int(sys.argv[2]))
    serve(sys.argv[1] if len(sys.argv) > 1 else ".")
    # every report is written and answered: skip the interpreter's teardown of pandas, matplotlib & co. (0.7 s)
    sys.stderr.flush()
    os._exit(0)
