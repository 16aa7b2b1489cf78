"""The files of a client hand-off package: data, parameters, reports, code, README, handoff.json, and the zip.

Each ``stage_*`` function writes one part of the package into a staging
folder; :func:`write_zip` zips the folder, searches it for forbidden strings
(:func:`custlib.handoff.leaks.find_leaks`) and puts it in place atomically.
The layout is in the module docstring of :mod:`custlib.handoff.pack`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from custlib.exceptions import DataError, ParamsError, RenderError
from custlib.handoff.leaks import find_leaks, refuse_leaks

PACKAGE_DIR = Path(__file__).resolve().parent.parent
ROOT = PACKAGE_DIR.parent
ZIP_DATE = (2000, 1, 1, 0, 0, 0)
DATA_TABLES = ("customers", "transactions", "offers", "service_costs")


@dataclass
class RegionSlice:
    """The region's packed tables and parameters, and the strings that must not be packed."""

    tables: dict
    peers: pd.DataFrame
    params: dict
    needles: set
    mapping: pd.DataFrame | None = None
    key: bytes | None = None


def _custlib_files() -> list[tuple[str, Path]]:
    """custlib's own files: sources, schemas, templates (no caches)."""
    out = []
    for p in sorted(PACKAGE_DIR.rglob("*")):
        rel = p.relative_to(PACKAGE_DIR)
        if not p.is_file() or "__pycache__" in rel.parts or any(part.startswith(".") for part in rel.parts):
            continue
        if p.suffix in (".pyc", ".pyo", ".tmp", ".log"):
            continue
        out.append((f"custlib/{rel.as_posix()}", p))
    return out


_PARAM_LINE = r"^({name}\s*:\s*[\w\[\], |]+=\s*)(\"[^\"\n]*\"|'[^'\n]*')"


def notebook_defaults(source: str, defaults: dict[str, str]) -> str:
    """Point a parameters cell's ``name: type = "value"`` lines at new string defaults."""
    for name, value in defaults.items():
        literal = json.dumps(value, ensure_ascii=False)
        source = re.sub(_PARAM_LINE.format(name=re.escape(name)), lambda m, lit=literal: m.group(1) + lit, source, count=1, flags=re.M)
    return source


def _stripped_notebook(path: Path, defaults: dict[str, str]) -> str:
    """The notebook without outputs, its parameters cell defaults pointed at the package."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
            if "parameters" in cell.metadata.get("tags", []):
                cell.source = notebook_defaults(cell.source, defaults)
    return nbformat.writes(nb) + "\n"


def _pyproject_text() -> str:
    """A pyproject.toml for the package: custlib's name, version, dependencies and command."""
    project = {}
    pyproject = ROOT / "pyproject.toml"
    if pyproject.is_file():
        import tomllib

        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    from custlib import __version__

    deps = project.get("dependencies")
    if deps is None:
        from importlib import metadata

        try:
            deps = [r for r in (metadata.requires("custlib") or []) if "extra ==" not in r]
        except metadata.PackageNotFoundError:
            deps = []

    def arr(items):
        return "[" + ", ".join(json.dumps(x) for x in items) + "]"

    return f"""[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "custlib"
version = {json.dumps(project.get("version", __version__))}
description = {json.dumps(project.get("description", "Customer development workbook"))}
readme = "README.md"
requires-python = {json.dumps(project.get("requires-python", ">=3.11"))}
dependencies = {arr(deps)}

[project.scripts]
custlib = "custlib.cli:main"

[tool.setuptools.packages.find]
include = ["custlib*"]

[tool.setuptools.package-data]
custlib = ["io/schemas/*.json", "run/templates/report/*", "locale/*/LC_MESSAGES/*"]
"""


def _requirements_text() -> str:
    """The repository's pinned requirements.txt, or pins of the installed dependencies."""
    req = ROOT / "requirements.txt"
    if req.is_file():
        return req.read_text(encoding="utf-8")
    import tomllib
    from importlib import metadata

    names = []
    for line in tomllib.loads(_pyproject_text())["project"]["dependencies"]:
        names.append(re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0])
    pins = []
    for n in names:
        try:
            pins.append(f"{n}=={metadata.version(n)}")
        except metadata.PackageNotFoundError:
            pins.append(n)
    return "# Pins of the dependencies installed where the package was made (no full lock was found).\n" + "\n".join(pins) + "\n"


def _makefile_text(slug: str, quarter: str) -> str:
    return f"""# Re-run the reports of this package. `make` alone lists the targets.
.DEFAULT_GOAL := help
PYTHON ?= python3

.PHONY: help venv reports

help: ## list the targets
\t@awk 'BEGIN {{FS = ":.*## "}} /^[a-zA-Z_-]+:.*## / {{printf "  make %-8s %s\\n", $$1, $$2}}' $(MAKEFILE_LIST)

venv: ## create .venv/ with the pinned requirements and custlib (step 1)
\t$(PYTHON) -m venv .venv
\t.venv/bin/pip install -r requirements.txt
\t.venv/bin/pip install --no-build-isolation --no-deps -e .

reports: ## render the reports again into reports/ (step 2)
\t.venv/bin/custlib render --data data --regions {slug} --quarter {quarter} --out reports
"""


def _readme_text(region, slug, quarter, anonymised, key_source, reports, tables, pyver, sets) -> str:
    q = str(quarter)
    step1 = (
        "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt && .venv/bin/pip install --no-build-isolation --no-deps -e ."
    )
    step2 = f".venv/bin/custlib render --data data --regions {slug} --quarter {q} --out reports"
    rows = "\n".join(
        f"| [{r['title']}](reports/{q}/{slug}/{r['notebook']}.html) | {r['status']}{' — ' + r['error'].splitlines()[0] if r['error'] else ''} |"
        for r in reports
    )
    data_rows = ", ".join(f"{t} ({n:,} rows)" for t, n in tables.items())
    if anonymised:
        privacy = (
            "## Customer identities\n\n"
            "Customer ids and names are replaced by pseudonyms everywhere in this package (data, reports, notebooks,\n"
            'parameters): ids like `K3F9A2...` and names like "Customer 0001", numbered in a random order. The same\n'
            "customer has the same pseudonym in every file. The key that makes them stays with the sender"
            + (" (this package used a random key, so a new package would use new pseudonyms)" if key_source == "random" else "")
            + ".\nPseudonymised is not anonymous: industry, size and amounts remain and may point to a large customer.\n"
        )
    else:
        privacy = (
            "## Confidential\n\n"
            f"This package names the customers of the {region} region (ids and names). It holds no other region's\n"
            "customers: the other regions appear only as totals per quarter in `data/peer_quarterly.parquet`.\n"
        )
    overrides = " and the values set for this package (--set)" if sets else ""
    return f"""# Customer development reports — {region}, {q}

The {region} region's customer development reports for {q}, the data and parameters they were made
from, and the code that makes them. Open `reports/{q}/index.html` to read them.

## Re-run it: two commands

Needs Python 3.11 or newer (the package was made with Python {pyver}) and access to a Python package index for
the first command. In this folder:

    {step1}
    {step2}

The second command validates `data/`, renders every notebook in `notebooks/` for {region} and writes
`reports/{q}/index.html` (replacing the reports shipped here). `make venv` and `make reports` do the same.
On Windows use `py -m venv .venv`, then `.venv\\Scripts\\pip ...` and `.venv\\Scripts\\custlib ...`.
To work on the notebooks: `.venv/bin/jupyter lab --notebook-dir=notebooks` (JupyterLab is in requirements.txt).

## Reports

| report | status |
|---|---|
{rows}

## Contents

- `reports/{q}/` — the reports as HTML and as executed notebooks.
- `data/` — {data_rows}: the region's customers and their history up to {quarter.end:%Y-%m-%d}; `peer_quarterly`:
  customers, revenue, gross profit and concentration per region and quarter (totals only, no customer ids).
- `params/defaults.yaml` — the parameters the reports were made with: the workbook's defaults merged with this
  region's overrides{overrides}.
- `notebooks/` — the report notebooks (no outputs) and their paired `.py` scripts.
- `custlib/` — the library the notebooks call; `pyproject.toml`, `requirements.txt` (pinned versions).
- `handoff.json` — what was packed, with a SHA-256 per file.

{privacy}"""


def _zip_dir(folder: Path, dest_fh, top: str) -> None:
    with zipfile.ZipFile(dest_fh, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for p in sorted(folder.rglob("*")):
            if not p.is_file():
                continue
            info = zipfile.ZipInfo(f"{top}/{p.relative_to(folder).as_posix()}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, p.read_bytes())


def _put_in_place(tmp: Path, dest: Path, overwrite: bool) -> None:
    if overwrite:
        os.replace(tmp, dest)
        return
    try:
        os.link(tmp, dest)  # fails if dest exists: no check-then-write race
    except FileExistsError as err:
        raise RenderError(f"{dest}: the file exists; choose another --out or pass --force to replace it") from err
    except OSError:  # file system without hard links
        if dest.exists():
            raise RenderError(f"{dest}: the file exists; choose another --out or pass --force to replace it") from None
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def stage_data(stage: Path, sl: RegionSlice, reg: str, q, params_sets: list[str]) -> dict[str, int]:
    """Write data/*.parquet and params/defaults.yaml; check they re-run as the client will run them.

    Raises
    ------
    DataError
        The slice does not validate, or does not cover the quarter.
    """
    import yaml

    from custlib.io.data import resolve_quarter
    from custlib.io.params import load_params
    from custlib.io.validate import validate_source
    from custlib.reports.context import settings_json

    (stage / "data").mkdir(parents=True)
    counts = {}
    for name in DATA_TABLES:
        frame = sl.tables[name]
        if frame is not None:
            frame.to_parquet(stage / "data" / f"{name}.parquet", index=False)
            counts[name] = len(frame)
    sl.peers.to_parquet(stage / "data" / "peer_quarterly.parquet", index=False)
    # the quarter is complete although the region's own last order may fall before its last day
    (stage / "data" / "_coverage.json").write_text(json.dumps({"until": q.end.date().isoformat()}), encoding="utf-8")
    (stage / "params").mkdir()
    header = (
        f"# Parameters of the {reg} reports for {q}: the workbook's defaults merged with the region's overrides"
        + (" and this run's --set values" if params_sets else "")
        + ".\n# custlib render reads this file; every key is checked against custlib/io/schemas/<section>.json.\n\n"
    )
    text = yaml.safe_dump(sl.params, sort_keys=False, allow_unicode=True, default_flow_style=False)
    (stage / "params" / "defaults.yaml").write_text(header + text, encoding="utf-8")
    if settings_json(load_params(reg, stage / "params")) != settings_json(sl.params):  # pragma: no cover - YAML round trip
        raise ParamsError(f"{stage / 'params' / 'defaults.yaml'}: the written parameters do not read back the same")
    con, _, _ = validate_source(stage / "data", sl.params.get("validation"))
    try:
        resolve_quarter(con, str(q))
    except ParamsError as err:
        raise DataError(
            f"{reg}: the region's data slice would not re-run for {q} on the client's machine: {err} "
            "(the region's last order is before the quarter's last day, so the slice does not cover the quarter)"
        ) from err
    finally:
        con.close()
    return counts


def stage_reports(stage: Path, got: dict, nbs: list[Path], reg: str, slug: str, q, lang: str = "en") -> list[dict]:
    """Copy the region's HTML and executed notebooks into reports/<q>/<slug>/ and write the index."""
    from custlib.run.pages import TITLES, index_html

    qdir = stage / "reports" / str(q)
    (qdir / slug).mkdir(parents=True)
    reports, entries = [], []
    for nb in nbs:
        g = got.get(nb.stem) or {"status": "failed", "error": "not rendered", "seconds": 0.0, "html": None, "ipynb": None}
        rel_html = ""
        for kind in ("html", "ipynb"):
            if g.get(kind) and Path(g[kind]).is_file():
                shutil.copyfile(g[kind], qdir / slug / f"{nb.stem}.{kind}")
                rel_html = rel_html or (f"{slug}/{nb.stem}.html" if kind == "html" else "")
        err = g.get("error", "") or ""
        reports.append({"notebook": nb.stem, "title": TITLES.get(nb.stem, nb.stem), "status": g["status"], "error": err})
        entries.append(
            {"region": reg, "notebook": nb.stem, "status": g["status"], "html": rel_html, "seconds": float(g["seconds"]), "error": err}
        )
    generated = dt.datetime.now().isoformat(timespec="seconds")
    (qdir / "index.html").write_text(index_html(str(q), entries, generated, lang), encoding="utf-8")
    return reports


def stage_code(stage: Path, nbs: list[Path], reg: str, slug: str, q) -> None:
    """custlib, the notebooks (no outputs, defaults pointing at the package), pyproject, requirements, Makefile."""
    for rel, src in _custlib_files():
        dest = stage / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    defaults = {"data": "../data", "region": reg, "quarter": str(q)}
    (stage / "notebooks").mkdir()
    for nb in nbs:
        (stage / "notebooks" / nb.name).write_text(_stripped_notebook(nb, defaults), encoding="utf-8")
        py = nb.with_suffix(".py")
        if py.is_file():
            (stage / "notebooks" / py.name).write_text(notebook_defaults(py.read_text(encoding="utf-8"), defaults), encoding="utf-8")
    (stage / "requirements.txt").write_text(_requirements_text(), encoding="utf-8")
    (stage / "pyproject.toml").write_text(_pyproject_text(), encoding="utf-8")
    (stage / "Makefile").write_text(_makefile_text(slug, str(q)), encoding="utf-8")


def write_readme(stage: Path, region: str, slug: str, q, anonymised: bool, key_source: str, reports, counts, sets) -> None:
    """README.md: what the package holds, the two commands that re-run it, and how customers are named in it."""
    pyver = ".".join(map(str, sys.version_info[:3]))
    text = _readme_text(region, slug, q, anonymised, key_source, reports, counts, pyver, sets)
    (stage / "README.md").write_text(text, encoding="utf-8")


def write_listing(stage: Path, region: str, slug: str, q, anonymised: bool, reports: list[dict], counts: dict[str, int]) -> list[str]:
    """handoff.json: what was packed, with a SHA-256 per file; returns the files it lists (every file staged so far)."""
    files = sorted(p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file())
    listing = {
        "region": region,
        "slug": slug,
        "quarter": str(q),
        "data_until": f"{q.end:%Y-%m-%d}",
        "anonymised": bool(anonymised),
        "pseudonyms": "HMAC-SHA256 of the customer id, key kept by the sender" if anonymised else None,
        "reports": [{k: r[k] for k in ("notebook", "status", "error")} for r in reports],
        "rows": counts,
        "files_sha256": {f: hashlib.sha256((stage / f).read_bytes()).hexdigest() for f in files},
    }
    (stage / "handoff.json").write_text(json.dumps(listing, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return files


def write_zip(stage: Path, top: str, out_zip: Path, needles: set, overwrite: bool, what: str) -> None:
    """Zip ``stage`` under ``top/``, search it for ``needles``, and put it in place atomically."""
    fd, tmp = tempfile.mkstemp(prefix=f".{out_zip.name}.", suffix=".tmp", dir=out_zip.parent)
    tmp = Path(tmp)
    try:
        with os.fdopen(fd, "wb") as fh:
            _zip_dir(stage, fh, top)
            fh.flush()
            os.fsync(fh.fileno())
        refuse_leaks(find_leaks(tmp, needles, skip=[f"{top}/custlib/"]), out_zip, what)
        os.chmod(tmp, 0o644)
        _put_in_place(tmp, out_zip, overwrite)
    finally:
        tmp.unlink(missing_ok=True)
