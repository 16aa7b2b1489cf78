"""Run a notebook in the report worker's own IPython shell: no kernel process, no messages.

The report worker (:mod:`custlib.run.worker`) used to drive a separate IPython
kernel over ZeroMQ. For reports that cost, per slot, a second Python process
with its own start-up, and, per cell and per output, a round trip of
messages (serialised, signed, sent, parsed) between two processes competing
for the same cores. Here the worker process *is* the kernel: it holds one
:class:`IPython.core.interactiveshell.InteractiveShell`, runs each code cell
with :meth:`~IPython.core.interactiveshell.InteractiveShell.run_cell`, and
records what a Jupyter kernel would have sent as the cell's outputs, in the
order it was produced:

- ``stream``: text written to ``sys.stdout`` / ``sys.stderr`` (consecutive
  writes to the same stream merged, as nbconvert's ``coalesce_streams`` does);
- ``display_data``: :func:`IPython.display.display` calls, including the
  figures matplotlib's inline backend shows after each cell;
- ``execute_result``: the value of a cell's last expression, with its
  execution count;
- ``error``: the exception that stopped the notebook, with IPython's
  traceback.

Mime bundles go through the same JSON conversion the kernel's messages do
(``jupyter_client.jsonutil.json_default``: bytes such as PNG images become
base64 text), so the executed notebook is what nbclient would have written.
Execution stops at the first error (:class:`nbclient.exceptions.CellExecutionError`).
A cell running longer than its timeout is interrupted by ``SIGALRM``
(:class:`nbclient.exceptions.CellTimeoutError`); the runner's per-notebook
timeout still kills the whole worker.

What a real kernel offers and this does not: ``input()`` (reads nothing:
``EOFError``), interactive widgets and ``update_display`` by display id
(reports are static), and capture of output that C libraries write straight
to file descriptor 1 or 2 (it goes to the worker's log). Notebooks keep
running in JupyterLab's real kernel for analysts; ``tests/test_inprocess.py``
checks that a report made here matches one made by papermill in a kernel.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sys
import threading
from contextlib import contextmanager

#: the ``language_info`` an IPython kernel reports, stored in the notebook's metadata as nbclient does
LANGUAGE_INFO = {
    "name": "python",
    "version": ".".join(map(str, sys.version_info[:3])),
    "mimetype": "text/x-python",
    "codemirror_mode": {"name": "ipython", "version": 3},
    "pygments_lexer": "ipython3",
    "nbconvert_exporter": "python",
    "file_extension": ".py",
}


class CellTimeout(BaseException):
    """Raised inside a cell that outlived its timeout (a BaseException, so ``except Exception`` does not swallow it)."""


def _jsonable(value):
    """``value`` as it arrives after a trip through a kernel message (JSON with jupyter_client's defaults)."""
    from jupyter_client.jsonutil import json_default

    return json.loads(json.dumps(value, default=json_default))


class _Outputs:
    """The outputs of the cell being run, in order."""

    def __init__(self):
        self.items: list[dict] = []
        self._clear_on_next = False

    def add(self, out: dict) -> None:
        if self._clear_on_next:
            self.items.clear()
            self._clear_on_next = False
        self.items.append(out)

    def stream(self, name: str, text: str) -> None:
        if not text:
            return
        if self._clear_on_next:
            self.items.clear()
            self._clear_on_next = False
        last = self.items[-1] if self.items else None
        if last is not None and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        else:
            self.items.append({"output_type": "stream", "name": name, "text": text})

    def clear(self, wait: bool = False) -> None:
        if wait:
            self._clear_on_next = True
        else:
            self.items.clear()


class _Stream(io.TextIOBase):
    """A text stream that records what is written as ``stream`` outputs of the current cell (no file descriptor)."""

    def __init__(self, name: str, sink: InProcessKernel):
        super().__init__()
        self.name = name
        self._sink = sink

    @property
    def encoding(self) -> str:
        return "utf-8"

    def write(self, text) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        outs = self._sink.current
        if outs is not None:
            outs.stream(self.name, text)
        else:  # between cells (should not happen): keep it in the worker's log
            sys.__stderr__.write(text)
        return len(text)

    def writable(self) -> bool:
        return True


class _NoInput(io.TextIOBase):
    """``sys.stdin`` while a cell runs: reports cannot ask questions (reads give end of file)."""

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        return ""

    def readline(self, size: int | None = -1) -> str:
        return ""


def _make_shell(kernel: InProcessKernel):
    """An InteractiveShell whose display publisher, display hook and traceback printer record outputs."""
    from IPython.core.display_trap import DisplayTrap
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            outs = kernel.current
            if outs is None or update:
                return
            outs.add({"output_type": "display_data", "data": _jsonable(data), "metadata": _jsonable(metadata or {})})

        def clear_output(self, wait=False):
            if kernel.current is not None:
                kernel.current.clear(wait)

    class Hook(DisplayHook):
        def start_displayhook(self):
            self._bundle = None

        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            self._bundle = (format_dict, md_dict or {})

        def finish_displayhook(self):
            if self._bundle is not None and kernel.current is not None:
                data, md = self._bundle
                kernel.current.add(
                    {
                        "output_type": "execute_result",
                        "execution_count": self.prompt_count,
                        "data": _jsonable(data),
                        "metadata": _jsonable(md),
                    }
                )
            self._bundle = None

    class Shell(InteractiveShell):
        def init_display_pub(self):
            self.display_pub = Publisher(shell=self, parent=self)
            self.configurables.append(self.display_pub)

        def init_displayhook(self):
            self.displayhook = Hook(shell=self, cache_size=self.cache_size, parent=self)
            self.configurables.append(self.displayhook)
            self.display_trap = DisplayTrap(hook=self.displayhook)

        def _showtraceback(self, etype, evalue, stb):
            kernel.last_error = {"output_type": "error", "ename": str(etype.__name__), "evalue": str(evalue), "traceback": list(stb)}
            if kernel.current is not None:
                kernel.current.add(dict(kernel.last_error))

        def enable_gui(self, gui=None):  # the inline backend needs no event loop
            pass

    config = Config()
    config.HistoryManager.enabled = False  # no SQLite history: nothing written to ~/.ipython, no clash when reset rewinds the count
    return Shell.instance(config=config)


class InProcessKernel:
    """Notebooks run in this process's IPython shell; same interface as the worker's kernel (start, reset, execute, stop)."""

    def __init__(self, cwd: str):
        self.cwd = cwd
        self.shell = None
        self.current: _Outputs | None = None
        self.last_error: dict | None = None
        self.runs = 0

    def start(self) -> None:
        """Create the shell with matplotlib's inline backend and import the heavy modules (:func:`custlib.run.kernel.warm_up`)."""
        if self.shell is not None:
            return
        os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
        self.shell = _make_shell(self)
        import matplotlib

        matplotlib.use("module://matplotlib_inline.backend_inline")
        from matplotlib_inline.backend_inline import configure_inline_support

        configure_inline_support(self.shell, "module://matplotlib_inline.backend_inline")
        from custlib.run import kernel as ck

        with self.shell.builtin_trap:
            ck.warm_up()

    def reset(self) -> None:
        """Back to the state after :meth:`start` (see :func:`custlib.run.kernel.reset`)."""
        if self.shell is None:
            self.start()
        from custlib.run import kernel as ck

        with self.shell.builtin_trap:
            ck.reset(self.cwd)

    @contextmanager
    def _capturing(self, outputs: _Outputs):
        saved = sys.stdout, sys.stderr, sys.stdin
        self.current = outputs
        sys.stdout, sys.stderr, sys.stdin = _Stream("stdout", self), _Stream("stderr", self), _NoInput()
        try:
            yield
        finally:
            sys.stdout, sys.stderr, sys.stdin = saved
            self.current = None

    @contextmanager
    def _alarm(self, seconds: int | None):
        if not seconds or threading.current_thread() is not threading.main_thread():
            yield
            return

        def expired(signum, frame):
            raise CellTimeout

        old = signal.signal(signal.SIGALRM, expired)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)

    def execute(self, nb, cell_timeout: int):
        """Run ``nb``'s code cells in order, filling in outputs and execution counts; stop at the first error.

        Raises
        ------
        nbclient.exceptions.CellExecutionError
            A cell raised; the notebook holds its error output.
        nbclient.exceptions.CellTimeoutError
            A cell ran longer than ``cell_timeout`` seconds.
        """
        from nbclient.exceptions import CellExecutionError, CellTimeoutError
        from nbformat.v4 import output_from_msg

        if self.shell is None:
            self.start()
        nb.metadata["language_info"] = dict(LANGUAGE_INFO)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            cell.outputs = []
            cell.execution_count = None
            if not cell.source.strip():
                continue
            outputs = _Outputs()
            self.last_error = None
            count = self.shell.execution_count
            timed_out = False
            with self._capturing(outputs):
                try:
                    with self._alarm(cell_timeout):
                        result = self.shell.run_cell(cell.source, store_history=True, silent=False)
                except CellTimeout:  # raised outside the cell's own code (e.g. in a post-execute hook)
                    result, timed_out = None, True
            cell.execution_count = count
            cell.outputs = [
                output_from_msg({"header": {"msg_type": o["output_type"]}, "content": {k: v for k, v in o.items() if k != "output_type"}})
                for o in outputs.items
            ]
            error = None if result is None else (result.error_before_exec or result.error_in_exec)
            if timed_out or isinstance(error, CellTimeout):
                raise CellTimeoutError(f"A cell timed out while it was being executed, after {cell_timeout} seconds.")
            if error is not None:
                err = self.last_error or {"ename": type(error).__name__, "evalue": str(error), "traceback": []}
                raise CellExecutionError("\n".join(err["traceback"]), err["ename"], err["evalue"])
        self.runs += 1
        return nb

    def stop(self) -> None:
        """Nothing to stop: the shell lives as long as the worker process."""
