"""Staging and publishing a render's files (custlib.run.publish) and holding signals back meanwhile (custlib.run.signals)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

import custlib.run.publish as publish
from custlib.exceptions import Stopped
from custlib.run.publish import JOURNAL, STAGING, Staging, clear_stale
from custlib.run.signals import held, stop_on_signals

OLD = {"2025Q4/east/01.html": "old page", "2025Q4/index.html": "old index", "2025Q4/manifest.json": "old manifest"}
NEW = {
    "2025Q4/east/01.html": "new page",
    "2025Q4/north/01.html": "new north page",
    "2025Q4/index.html": "new index",
    "2025Q4/manifest.json": "new manifest",
}


def _files(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_text() for p in folder.rglob("*") if p.is_file()}


def _staged(out: Path) -> tuple[Staging, list[Path]]:
    """``out`` holding the old set (and a user's files); a staging folder holding the new set, in publishing order."""
    for rel, text in OLD.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text)
    staging = Staging(out)
    files = []
    for rel, text in NEW.items():
        path = staging.staged(out / rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        files.append(path)
    return staging, files


def _user_files(out: Path) -> dict:
    files = {"notes.tmp": "mine", ".mybackup.old/index.html": "my copy", "2025Q4/east/.draft.tmp": "my draft"}
    for rel, text in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text)
    return files


def test_publish_puts_the_new_set_in_place_and_removes_only_its_staging_folder(tmp_path):
    staging, files = _staged(tmp_path)
    mine = _user_files(tmp_path)
    staging.publish(files)
    assert _files(tmp_path) == {**NEW, **mine}
    assert not (tmp_path / STAGING).exists()


def test_a_run_stopped_before_publishing_leaves_the_old_set_and_the_next_clears_its_staging(tmp_path):
    _staged(tmp_path)  # stopped before the journal: never published
    mine = _user_files(tmp_path)
    stranger = tmp_path / STAGING / "not-a-render" / "keep.txt"  # no marker: not a render's folder
    stranger.parent.mkdir(parents=True)
    stranger.write_text("kept")
    assert len(clear_stale(tmp_path)) == 1
    assert _files(tmp_path) == {**OLD, **mine, f"{STAGING}/not-a-render/keep.txt": "kept"}


def test_a_publication_cut_short_after_its_commit_is_finished_by_the_next_run(tmp_path, monkeypatch):
    """A crash between two renames (here: before the manifest's) leaves the journal; the next run rolls forward."""
    staging, files = _staged(tmp_path)
    mine = _user_files(tmp_path)
    real_replace = os.replace

    def cut(src, dst):
        if Path(dst) == tmp_path / "2025Q4" / "manifest.json":
            raise OSError("power cut")
        real_replace(src, dst)

    monkeypatch.setattr(publish.os, "replace", cut)
    with pytest.raises(OSError, match="power cut"):
        staging.publish(files)
    staging.discard()  # what the runner does on an exception: a committed folder is kept
    monkeypatch.setattr(publish.os, "replace", real_replace)
    assert (staging.root / JOURNAL).is_file()
    assert (tmp_path / "2025Q4" / "manifest.json").read_text() == "old manifest", "the manifest goes last"
    assert clear_stale(tmp_path) == [staging.run_id]
    assert _files(tmp_path) == {**NEW, **mine}


def test_sigterm_and_ctrl_c_wait_for_a_held_block_and_then_stop(tmp_path):
    done = []
    with stop_on_signals():
        with pytest.raises(Stopped) as stopped:
            with held():
                os.kill(os.getpid(), signal.SIGTERM)
                done.append("the block ran to its end")
        assert stopped.value.code == 143 and done
    with stop_on_signals():
        with pytest.raises(KeyboardInterrupt):
            with held():
                os.kill(os.getpid(), signal.SIGINT)
                done.append("again")
        assert done == ["the block ran to its end", "again"]
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL, "the default handler is back"


def test_an_ignored_signal_stays_ignored(tmp_path):
    old = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        with stop_on_signals():
            os.kill(os.getpid(), signal.SIGTERM)
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, old)
