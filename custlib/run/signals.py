"""SIGTERM and Ctrl-C during a render: stop at once, clean up, never in the middle of publishing.

:func:`stop_on_signals` (around a whole render) turns SIGTERM into
:class:`custlib.exceptions.Stopped` (a ``SystemExit`` with code 143) and SIGINT
into ``KeyboardInterrupt`` (the command line exits 130), raised in the main
thread wherever it waits. The code it unwinds through kills the report workers
(:meth:`custlib.run.slots.Slot.stop`) without waiting for their notebooks and
removes the run's staging folder (:meth:`custlib.run.publish.Staging.discard`).
Only the first signal is raised; later ones, while that clean-up runs, are
dropped.

:func:`held` (around publishing) holds both signals back until its block ends,
then raises the first one: a publication is never cut short by them.

Handlers are installed only from the main thread and only over the default
ones: a signal the caller ignores (``nohup``, a background job) or handles
itself stays as it was.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

from custlib.exceptions import Stopped

_pending: list[int] = []
_holding = 0
_stopping = False


def _raise(signum: int) -> None:
    global _stopping
    _stopping = True
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Stopped(signum)


def _handler(signum, frame) -> None:
    if _holding or _stopping:
        _pending.append(signum)
        return
    _raise(signum)


@contextmanager
def stop_on_signals():
    """Within the block, SIGTERM raises :class:`~custlib.exceptions.Stopped` and SIGINT ``KeyboardInterrupt`` (see the module)."""
    global _stopping
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {}
    for sig, default in ((signal.SIGTERM, signal.SIG_DFL), (signal.SIGINT, signal.default_int_handler)):
        if signal.getsignal(sig) == default:
            saved[sig] = signal.signal(sig, _handler)
    try:
        yield
    finally:
        for sig, old in saved.items():
            signal.signal(sig, old)
        _pending.clear()
        _stopping = False


@contextmanager
def held():
    """Hold SIGTERM and SIGINT back while the block runs; raise the first that came once it has ended."""
    global _holding
    _holding += 1
    try:
        yield
    except BaseException:
        _holding -= 1
        if not _holding:
            _pending.clear()  # the block failed: its own exception goes on
        raise
    _holding -= 1
    if not _holding and _pending and not _stopping:
        signum = _pending[0]
        _pending.clear()
        _raise(signum)
