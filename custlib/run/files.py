"""Files of a render: atomic writes and the output folder's lock (staging and publishing: :mod:`custlib.run.publish`)."""

from __future__ import annotations

import datetime as dt
import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path

from custlib.exceptions import RenderError

_UMASK = os.umask(0)
os.umask(_UMASK)


def atomic_write(path: Path, data: bytes | str, parents: bool = True) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder, an fsync and a rename.

    With ``parents=False`` the folder must exist: a report worker writes so into its run's
    staging folder, and cannot make it again once the render has removed it.
    """
    path = Path(path)
    if parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def output_lock(out: Path):
    """Hold an exclusive lock on ``out`` for one render; refuse a second one.

    Raises
    ------
    RenderError
        Another render holds the lock.
    """
    import fcntl

    out.mkdir(parents=True, exist_ok=True)
    lock_path = out / ".render.lock"
    try:  # O_NOFOLLOW: a symlink planted at the lock's name is refused, never followed and overwritten
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError as err:
        raise RenderError(f"{lock_path}: cannot open the render lock ({err.strerror}); it must be a plain file, not a link") from err
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise RenderError(f"{lock_path}: the render lock must be a plain file")
    fh = os.fdopen(fd, "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as err:
        fh.seek(0)
        holder = fh.read().strip() or "unknown"
        fh.close()
        raise RenderError(f"{out}: another render is writing to this folder ({holder}); wait for it or use another --out") from err
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()} since {dt.datetime.now().isoformat(timespec='seconds')}")
    fh.flush()
    try:
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()
