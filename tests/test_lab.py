"""`make lab`: JupyterLab serves the notebooks with the project's kernel."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.e2e


def test_make_lab_target_starts_jupyterlab_on_the_notebooks():
    text = (ROOT / "Makefile").read_text()
    assert "lab:" in text and "jupyter lab --notebook-dir=notebooks" in text


def test_jupyterlab_lists_the_notebooks_and_the_project_kernel(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = "custlib-test"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            "--notebook-dir=notebooks",
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"

        def get(path):
            req = urllib.request.Request(base + path, headers={"Authorization": f"token {token}"})
            with urllib.request.urlopen(req, timeout=5) as r:
                return json.loads(r.read())

        for _ in range(120):
            try:
                contents = get("/api/contents")
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start")
        names = {c["name"] for c in contents["content"]}
        assert {"00_overview_region.ipynb", "04_compare_make_vs_buy.ipynb"} <= names
        specs = get("/api/kernelspecs")
        assert specs["default"] == "python3"
        spec = specs["kernelspecs"]["python3"]
        # "python" is replaced by the server's own interpreter when the kernel starts (jupyter_client);
        # the server runs on this environment's interpreter, so the kernel has custlib and the pinned packages
        assert spec["spec"]["argv"][0] in ("python", sys.executable)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
