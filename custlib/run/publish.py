"""Renders as transactions: a run stages every file it makes and publishes them together.

The output folder ``OUT`` of ``custlib render``::

    OUT/.render.lock                     the lock a render holds (custlib.run.files.output_lock)
    OUT/.cache/<quarter>/<slug>/         each region's prepared data slice
    OUT/.staging/<run id>/               one run's staging folder, on OUT's file system
        STAGING.json                     marks the folder as a render's own
        <quarter>/<slug>/NN_name.html    reports and executed notebooks, written by the workers
        <quarter>/<slug>/NN_name.ipynb
        <quarter>/rollup.html, index.html, manifest.json
        PUBLISH.json                     the journal, written once all of the above is complete
        work/, logs/                     the run's temporaries (data preparation, worker logs)
    OUT/<quarter>/...                    the published reports, roll-up, index and manifest

How a run publishes
-------------------
Report workers write only into their run's staging folder: nothing under
``OUT/<quarter>/`` changes while notebooks run. When every report has finished,
the runner writes the roll-up, the index and the manifest (which records the
sha256 of every report and executed notebook) into staging too, then
:meth:`Staging.publish`:

1. every staged file is already complete and on disk (written with an fsync and a
   rename, :func:`custlib.run.files.atomic_write`);
2. it writes the journal ``PUBLISH.json``, the list of files to publish in order:
   the reports, then the roll-up, the index, and the manifest last. The journal's
   rename is the commit point;
3. it renames each staged file onto its published path (``os.replace``: whoever
   opens a path gets the old file or the new one, never part of one), fsyncs the
   folders and removes the staging folder.

A run stopped before step 2 (SIGKILL, SIGTERM, Ctrl-C, a crash, a power cut)
has published nothing: the previous reports, index and manifest are byte for
byte as they were. Its staging folder is removed by the run itself (SIGTERM,
Ctrl-C, an exception: :mod:`custlib.run.signals`) or by the next render
(:func:`clear_stale`). A run stopped during step 3, or whose renames failed
(a full disk), left its journal and staging folder, and the next render, before
anything else, finishes its renames (roll forward): the folder then holds the
whole new set. SIGTERM and Ctrl-C are held back during step 3,
so only SIGKILL or a power cut can stop a publication half-way, within the few
milliseconds the renames take; and as the manifest goes last and records each
report's sha256, a report that does not match it is never taken as unchanged
(:mod:`custlib.run.runner` renders it again).

Reports skipped as unchanged are not staged: they stay where they are.

Why not swap the quarter's folder in one step (a symlink flipped to a new
folder, or Linux's ``renameat2(RENAME_EXCHANGE)``), which would give readers
the old or the new set at every instant: it replaces the folder itself, so a
shell or a web server working in ``OUT/<quarter>/`` goes on serving the old,
deleted one; files a user keeps there would have to be carried over; reports
skipped as unchanged would be copied or linked instead of left in place; and
``RENAME_EXCHANGE`` is Linux-only and not on every file system. Renames of
single files with a journal keep the folder the folder, and every file the
render did not make untouched.

What a render owns
------------------
It deletes nothing under ``OUT`` but its own staging folders (those holding
``STAGING.json``; the stale ones of stopped runs after finishing their
publication). Files published by a run replace the files the manifest lists
as the previous run's; everything else under ``OUT`` (a user's ``*.tmp`` files,
a ``.mybackup.old/`` folder) is left alone.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
from pathlib import Path

from custlib.run.files import atomic_write
from custlib.run.signals import held

STAGING = ".staging"
MARKER = "STAGING.json"
JOURNAL = "PUBLISH.json"


class Staging:
    """One run's staging folder ``OUT/.staging/<run id>/`` (created here), mirroring ``OUT``'s layout."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.run_id = f"{dt.datetime.now():%Y%m%dT%H%M%S}-{os.getpid()}-{secrets.token_hex(3)}"
        self.root = self.out / STAGING / self.run_id
        self.root.mkdir(parents=True)
        started = dt.datetime.now().isoformat(timespec="seconds")
        atomic_write(self.root / MARKER, json.dumps({"run_id": self.run_id, "pid": os.getpid(), "started": started}))
        self.work = self.root / "work"
        self.logs = self.root / "logs"
        self.work.mkdir()
        self.logs.mkdir()

    def staged(self, published: Path) -> Path:
        """Where the file to be published at ``published`` (a path under ``OUT``) is staged."""
        return self.root / Path(published).relative_to(self.out)

    def published(self, staged: Path) -> Path:
        """Where the staged file ``staged`` will be published."""
        return self.out / Path(staged).relative_to(self.root)

    def publish(self, files: list[Path]) -> None:
        """Publish the staged ``files`` in their order (the manifest last) and remove the staging folder.

        See the module's docstring: the journal is the commit point; SIGTERM and
        Ctrl-C wait until the renames are done.
        """
        names = [Path(f).relative_to(self.root).as_posix() for f in files]
        with held():
            atomic_write(self.root / JOURNAL, json.dumps({"run_id": self.run_id, "files": names}, indent=1))
            _roll_forward(self.root, names, self.out)
            shutil.rmtree(self.root)
            _remove_if_empty(self.out / STAGING)

    def discard(self) -> None:
        """Remove the staging folder without publishing anything (the run was stopped or failed before publishing).

        A folder past its commit point (its journal written) is kept: the next render finishes its publication.
        """
        if (self.root / JOURNAL).is_file():
            return
        shutil.rmtree(self.root, ignore_errors=True)
        _remove_if_empty(self.out / STAGING)


def clear_stale(out: Path) -> list[str]:
    """Finish the publication a stopped run committed, then remove the stale staging folders (only render's own).

    Called by a render under the output folder's lock, before it does anything
    else. A folder of ``OUT/.staging/`` without the marker ``STAGING.json`` is not
    a render's and is left alone. Returns the run ids whose folders were cleared.
    """
    base = Path(out) / STAGING
    if base.is_symlink() or not base.is_dir():
        return []
    cleared = []
    for folder in sorted(base.iterdir()):
        if folder.is_symlink() or not folder.is_dir() or not (folder / MARKER).is_file():
            continue
        try:
            names = json.loads((folder / JOURNAL).read_text(encoding="utf-8"))["files"]
        except (OSError, ValueError, KeyError, TypeError):
            names = []  # no journal: the run stopped before its commit point, nothing of it is published
        _roll_forward(folder, names, Path(out))
        shutil.rmtree(folder, ignore_errors=True)
        cleared.append(folder.name)
    _remove_if_empty(base)
    return cleared


def _roll_forward(root: Path, names: list[str], out: Path) -> None:
    """Rename each staged file still in ``root`` onto its published path; fsync the folders that changed."""
    changed = set()
    for name in names:
        src, dst = root / name, out / name
        if not src.is_file():  # published already, by the run or an earlier roll-forward
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)
        changed.add(dst.parent)
    for folder in changed:
        _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # not every file system syncs a folder
        pass
    finally:
        os.close(fd)


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass
