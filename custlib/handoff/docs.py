"""The texts of a client hand-off package: README.md, DATA.md, Makefile, pyproject.toml and requirements.txt.

The README says how to re-run the reports (two commands), DATA.md holds the
data contract (from :mod:`custlib.io.contract`) and the source-mapping
reference (the workbook README's "Source mapping" section), and
requirements.txt is the runtime lock (``requirements-runtime.txt``: no test,
lint or notebook-editing tools). The layout is in the module docstring of
:mod:`custlib.handoff.pack`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
ROOT = PACKAGE_DIR.parent
RUNTIME_LOCK = "requirements-runtime.txt"
RUNTIME_ROOTS = "requirements-runtime.in"
#: what a client adds to edit the notebooks in JupyterLab (not in the runtime lock)
LAB_PACKAGES = ("jupyterlab", "ipykernel", "jupytext")

KIND_TEXT = {"id": "text (an id)", "text": "text", "date": "date", "number": "number", "bool": "true/false", "category": "text"}


# --------------------------------------------------------------------------- requirements and pyproject


def _pins(path: Path) -> dict[str, str]:
    """``{name (lower case): "name==version"}`` of a pinned requirements file."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            out[re.split(r"[=<>!~\[; ]", line, maxsplit=1)[0].lower()] = line
    return out


def runtime_roots() -> list[str]:
    """The names in ``requirements-runtime.in`` (what a report run imports), or the project's dependencies."""
    path = ROOT / RUNTIME_ROOTS
    if path.is_file():
        names = []
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                names.append(re.split(r"[=<>!~\[; ]", line, maxsplit=1)[0])
        return names
    return [re.split(r"[=<>!~\[; ]", d, maxsplit=1)[0] for d in _project().get("dependencies", [])]


def _project() -> dict:
    pyproject = ROOT / "pyproject.toml"
    if not pyproject.is_file():
        return {}
    import tomllib

    return tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})


def pyproject_text() -> str:
    """A pyproject.toml for the package: custlib's name, version and command, the runtime dependencies."""
    from custlib import __version__

    project = _project()

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
dependencies = {arr(runtime_roots())}

[project.scripts]
custlib = "custlib.cli:main"

[tool.setuptools.packages.find]
include = ["custlib*"]

[tool.setuptools.package-data]
custlib = ["io/schemas/*.json", "io/source_schema.json", "run/templates/report/*", "run/templates/pages/*", "locale/*/LC_MESSAGES/*", "present/font_files/*"]
"""


def requirements_text() -> str:
    """The runtime lock (``requirements-runtime.txt``), or pins of the installed runtime dependencies."""
    lock = ROOT / RUNTIME_LOCK
    if lock.is_file():
        return lock.read_text(encoding="utf-8")
    from importlib import metadata

    pins = []
    for n in runtime_roots():
        try:
            pins.append(f"{n}=={metadata.version(n)}")
        except metadata.PackageNotFoundError:
            pins.append(n)
    return "# Pins of the runtime dependencies installed where the package was made (no runtime lock was found).\n" + "\n".join(pins) + "\n"


def lab_pins() -> list[str]:
    """``name==version`` of JupyterLab and its companions as the workbook pins them (or as installed here)."""
    from importlib import metadata

    full = _pins(ROOT / "requirements.txt") if (ROOT / "requirements.txt").is_file() else {}
    out = []
    for n in LAB_PACKAGES:
        if n in full:
            out.append(full[n])
        else:
            try:
                out.append(f"{n}=={metadata.version(n)}")
            except metadata.PackageNotFoundError:
                out.append(n)
    return out


# --------------------------------------------------------------------------- DATA.md


def _column_notes(c) -> str:
    notes = []
    if c.allowed:
        notes.append("one of " + ", ".join(c.allowed) + " (any case)")
    if c.min_value is not None:
        notes.append(f"≥ {c.min_value:g}")
    if not c.required:
        notes.append("optional column" + ("" if c.default is None else f", default {str(c.default).lower()}"))
    if c.nullable:
        notes.append("may be empty")
    if c.doc:
        notes.append(c.doc)
    return "; ".join(notes)


def contract_markdown() -> str:
    """The data contract's tables and columns (:data:`custlib.io.contract.TABLES`) as Markdown tables."""
    from custlib.io.contract import DERIVED_TABLES, TABLES

    parts = []
    for t in TABLES.values():
        head = f"**{t.name}** ({'required' if t.required else 'optional'}; key {' + '.join(f'`{k}`' for k in t.key)}): {t.doc}"
        rows = "\n".join(
            f"| `{c.name}` | {KIND_TEXT.get(c.kind, c.kind)} | "
            + "; ".join(
                filter(None, ["must exist in customers" if c.name == "customer_id" and t.name != "customers" else "", _column_notes(c)])
            )
            + " |"
            for c in t.columns
        )
        parts.append(f"{head}\n\n| column | type | notes |\n|---|---|---|\n{rows}\n")
    derived = ", ".join(f"`{t.name}` ({t.doc})" for t in DERIVED_TABLES.values())
    parts.append(f"A source mapping may also derive {derived}.\n")
    return "\n".join(parts)


def _readme() -> str:
    readme = ROOT / "README.md"
    return readme.read_text(encoding="utf-8") if readme.is_file() else ""


def contract_rules() -> str:
    """The workbook README's "Checks" and "Returns rule" paragraphs of its data contract, verbatim ("" without it)."""
    found = re.findall(r"^\*\*(?:Checks|Returns rule)\.\*\*.*?(?=\n\n|\Z)", _readme(), flags=re.M | re.S)
    return "".join(p.rstrip() + "\n\n" for p in found)


def source_mapping_section() -> str:
    """The workbook README's "Source mapping" section, verbatim, or a pointer to the mapping's schema."""
    m = re.search(r"^## Source mapping\n.*?(?=^## |\Z)", _readme(), flags=re.M | re.S)
    if m:
        return m.group(0).rstrip() + "\n"
    return (
        "## Source mapping\n\nAn export in another shape is read through a `source.yaml` beside its files; its keys and "
        "their meaning are in `custlib/io/source_schema.json`.\n"
    )


def data_text(region: str, peer_columns: list[str]) -> str:
    """DATA.md: what is in ``data/``, the data contract and the source-mapping reference."""
    peers = ", ".join(f"`{c}`" for c in peer_columns)
    return f"""# The data

`data/` holds the {region} region's tables as Parquet files in the shape of the data contract below, and
`peer_quarterly.parquet`: one row per region and quarter with {peers} (totals, no customer ids),
which the Pareto comparison reads. `data/_coverage.json` records the last day the slice covers.
`custlib validate --data DIR` checks a folder of tables against the contract; `custlib render` checks it first.

## Data contract

A data source is a folder of tables named `<table>.csv`, `<table>.xlsx` or `<table>.parquet` (in any mix)
with the columns below; column names are exact and extra columns are ignored. CSV files are UTF-8,
comma-separated with a decimal point unless a source mapping (below) says otherwise.

{contract_markdown()}
{contract_rules()}{source_mapping_section()}"""


# --------------------------------------------------------------------------- README.md and Makefile


def makefile_text(slug: str, quarter: str) -> str:
    return f"""# Re-run the reports of this package. `make` alone lists the targets.
.DEFAULT_GOAL := help
PYTHON ?= python3

.PHONY: help venv reports

help: ## list the targets
\t@awk 'BEGIN {{FS = ":.*## "}} /^[a-zA-Z_-]+:.*## / {{printf "  make %-8s %s\\n", $$1, $$2}}' $(MAKEFILE_LIST)

venv: ## create .venv/ with the pinned runtime requirements and custlib (step 1)
\t$(PYTHON) -m venv .venv
\t.venv/bin/pip install --no-compile -r requirements.txt
\t.venv/bin/pip install --no-build-isolation --no-deps -e .

reports: ## render the reports again into reports/ (step 2)
\t.venv/bin/custlib render --data data --regions {slug} --quarter {quarter} --out reports
"""


STEP1 = "python3 -m venv .venv && .venv/bin/pip install --no-compile -r requirements.txt && .venv/bin/pip install --no-build-isolation --no-deps -e ."


def _privacy(region: str, anonymised: bool, key_source: str) -> str:
    if anonymised:
        return (
            "## Customer identities\n\n"
            "Customer ids and names, and order and offer ids, are replaced by pseudonyms everywhere in this package (data,\n"
            "reports, notebooks, parameters): ids like `K3F9A2...` (customers), `O...` (orders) and `F...` (offers), names like\n"
            '"Customer 0001", numbered in a random order. The same customer has the same pseudonym in every file. The key\n'
            "that makes them stays with the sender"
            + (" (this package used a random key, so a new package would use new pseudonyms)" if key_source == "random" else "")
            + ".\nPseudonymised is not anonymous: industry, size and amounts remain and may point to a large customer.\n"
        )
    return (
        "## Confidential\n\n"
        f"This package names the customers of the {region} region (ids and names). It holds no other region's\n"
        "customers: the other regions appear only as totals per quarter in `data/peer_quarterly.parquet`.\n"
    )


def _report_row(r: dict, q: str) -> str:
    """One report's row: its title, linked to its HTML when the package has it, and its status."""
    title = f"[{r['title']}](reports/{q}/{r['html']})" if r.get("html") else r["title"]
    error = " — " + r["error"].splitlines()[0] if r["error"] else ""
    return f"| {title} | {r['status']}{error} |"


def readme_text(region, slug, quarter, anonymised, key_source, reports, tables, pyver, sets) -> str:
    """README.md: what the package holds, the two commands that re-run it, where the data contract is, privacy."""
    q = str(quarter)
    step2 = f".venv/bin/custlib render --data data --regions {slug} --quarter {q} --out reports"
    rows = "\n".join(_report_row(r, q) for r in reports)
    data_rows = ", ".join(f"{t} ({n:,} rows)" for t, n in tables.items())
    overrides = " and the values set for this package (--set)" if sets else ""
    lab = " ".join(lab_pins())
    return f"""# Customer development reports — {region}, {q}

The {region} region's customer development reports for {q}, the data and parameters they were made
from, and the code that makes them. Open `reports/{q}/index.html` to read them.

## Re-run it: two commands

Needs Python 3.11 or newer (the package was made with Python {pyver}) and access to a Python package index for
the first command. In this folder:

    {STEP1}
    {step2}

The second command validates `data/` against the data contract ([DATA.md](DATA.md)), renders every notebook in
`notebooks/` for {region} with the parameters in `params/defaults.yaml` and writes `reports/{q}/index.html`
(replacing the reports shipped here). `make venv` and `make reports` do the same.
On Windows use `py -m venv .venv`, then `.venv\\Scripts\\pip ...` and `.venv\\Scripts\\custlib ...`.

`requirements.txt` pins only what a report run needs: no test, lint or notebook-editing tools. `--no-compile`
keeps pip from compiling every module of every library ahead of time (about 190 MB); Python compiles the ones a
run imports the first time it imports them. To work on the
notebooks in JupyterLab, add it at the versions the workbook uses (`-c requirements.txt` keeps every package
already installed at its pin):

    .venv/bin/pip install -c requirements.txt {lab}
    .venv/bin/jupyter lab --notebook-dir=notebooks

**From another folder.** A command finds its parameters in the `params/` folder beside the folder given with
`--data` (or in a folder above it), else beside the working directory, so
`.../.venv/bin/custlib render --data /path/to/this/folder/data --regions {slug} --quarter {q} --out /some/reports`
works from anywhere. Where neither holds `params/defaults.yaml`, the command stops and says so; give the folder
with `--params /path/to/this/folder/params`.

## Reports

| report | status |
|---|---|
{rows}

## Contents

- `reports/{q}/` — the reports as HTML and as executed notebooks, the index and the region's roll-up of headline figures;
  `reports/{q}/{slug}/actions.xlsx` and `actions.csv`, every customer behind the reports' advice (one sheet per list).
- `data/` — {data_rows}: the region's customers and their history up to {quarter.end:%Y-%m-%d}; `peer_quarterly`:
  customers, revenue, gross profit and concentration per region and quarter (totals only, no customer ids).
- [DATA.md](DATA.md) — the data contract (every table and column custlib reads) and the source-mapping reference
  (how to read an export of another shape through a `source.yaml`).
- `params/defaults.yaml` — the parameters the reports were made with: the workbook's defaults, with their comments,
  and this region's overrides{overrides} written in.
- `notebooks/` — the report notebooks (no outputs) and their paired `.py` scripts.
- `custlib/` — the library the notebooks call, with the font that draws Chinese (`custlib/present/font_files/`:
  Noto Sans CJK SC, SIL Open Font License 1.1); `pyproject.toml`, `requirements.txt` (pinned runtime versions).
- `handoff.json` — what was packed, with a SHA-256 per file.

{_privacy(region, anonymised, key_source)}"""
