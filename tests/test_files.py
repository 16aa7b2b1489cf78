"""The render lock (a plain file, never a link to follow) and the workers booted before validation (issue 17)."""

from __future__ import annotations

import pytest

from custlib.exceptions import RenderError
from custlib.run.files import output_lock


def test_a_symlinked_lock_is_refused_and_its_target_left_alone(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    target = tmp_path / "precious.txt"
    target.write_text("keep me", encoding="utf-8")
    (out / ".render.lock").symlink_to(target)
    with pytest.raises(RenderError, match=r"\.render\.lock: cannot open the render lock .* not a link"):
        with output_lock(out):
            pass
    assert target.read_text(encoding="utf-8") == "keep me"


def test_a_plain_lock_is_taken_and_names_its_holder(tmp_path):
    with output_lock(tmp_path):
        assert (tmp_path / ".render.lock").read_text(encoding="utf-8").startswith("pid ")


def test_a_large_jobs_on_invalid_data_boots_at_most_one_worker_per_core(tmp_path, monkeypatch):
    """Issue 17: --jobs 12 on invalid data started 12 workers (3.6 GiB) before refusing."""
    import os

    from custlib.exceptions import DataError
    from custlib.run import runner

    launched = []
    monkeypatch.setattr(runner.Slot, "launch", lambda self: launched.append(self))
    monkeypatch.setattr(runner.Slot, "stop", lambda self: None)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "customers.csv").write_text("", encoding="utf-8")
    with pytest.raises(DataError):
        runner.render(tmp_path / "data", jobs=12, regions="all", out=tmp_path / "out", progress=False)
    assert len(launched) == min(12, os.cpu_count() or 1)
    assert not (tmp_path / "out").exists()
