"""Client hand-off: one region's reports, data, parameters and code in one zip.

``custlib handoff --region R --quarter Q [--anonymise] --out FILE.zip`` runs
:func:`build_handoff`. The package re-runs on the client's machine with two
commands (they are in its README.md)::

    python3 -m venv .venv && .venv/bin/pip install -r requirements.txt && .venv/bin/pip install --no-build-isolation --no-deps -e .
    .venv/bin/custlib render --data data --regions <region-slug> --quarter <Q> --out reports

Layout of the zip (everything under one folder ``handoff-<slug>-<Q>[-anon]/``)::

    README.md  Makefile  pyproject.toml  requirements.txt  handoff.json
    custlib/                     the package source, its schemas and templates
    notebooks/NN_name.ipynb|.py  the report notebooks, no outputs, defaults pointing at ../data
    params/defaults.yaml         the merged parameters of the region (defaults, region file, --set)
    data/*.parquet               the region's customers, transactions, offers, service costs
                                 up to the quarter's end, and peer_quarterly (aggregates per
                                 region and quarter, no customer ids)
    reports/<Q>/index.html       the executed notebooks and HTML reports of the region
    reports/<Q>/<slug>/NN_name.html|.ipynb

Decisions
---------
- **Which reports are packed.** Without ``anonymise``, the reports already in
  ``reports_dir/<Q>/<slug>/`` are packed when the manifest there shows they
  were made from exactly these inputs (the runner's ``run_key``: data files,
  region, quarter, merged parameters, notebook and custlib code) and
  succeeded; otherwise the region is rendered afresh into a temporary folder
  (``reports_dir`` is never written). With ``anonymise`` the reports are
  always rendered afresh from pseudonymised data: names can reach a report
  escaped, inside a chart image or re-ordered, so replacing text in existing
  HTML would not be safe.
- **Rendering** uses the whole source (so peer comparisons see every region)
  and the packed ``params/defaults.yaml`` (so the packed reports, the packed
  parameters and the client's re-run agree). For ``anonymise`` the source
  is copied to a temporary folder with the region's customer ids and names
  replaced; the copy is never packed. The client's re-run recomputes the
  peer figures from ``data/``, which holds one region, unless the runner
  reads the packed ``data/peer_quarterly.parquet``; every other figure of
  the re-run equals the packed reports'.
- **Pseudonyms.** A customer id becomes ``"K"`` and the first 16 hex digits
  (upper case) of HMAC-SHA256(key, id) (RFC 2104, with SHA-256 per RFC 4231);
  names become ``"Customer 0001"``, ``"Customer 0002"``, ... numbered in
  the order of that hash, so the numbers say nothing about size or the
  original order. Ids are stable for the same key; names are stable for the
  same key and the same customers. The key is ``key``, else
  ``--set handoff.key=...``, else the environment variable
  ``CUSTLIB_HANDOFF_KEY``, else one derived from ``seed``, else a random key
  (new pseudonyms every build). The key is never packed. Pseudonymised is
  not anonymous: industry, size and amounts remain and may identify a large
  customer to someone who knows the market; only contract columns are
  packed (extra columns of the source are left out).
- **Isolation.** Only the region's slice is packed; custlib's sources hold
  no data. Before the zip is put in place, every member except custlib's
  own files (copied byte for byte from the installed package; their
  docstring examples, such as the sample generator's ``C0000001``, are
  code, not data) is searched (:func:`find_leaks`) for the other regions'
  customer ids and names, and, when anonymising, for the region's own;
  a hit refuses the package with
  :class:`~custlib.exceptions.DataError` naming the member and the string.
  Strings shorter than 4 characters or without a letter are not searched
  (they occur in ordinary numbers and words); ``allow`` lists strings that
  are ordinary words in this package rather than customer data.
- **Writing.** The zip is written to a temporary file beside ``out_zip`` and
  linked into place; an existing ``out_zip`` is refused unless
  ``overwrite=True`` (``--force``), because a package may already have been
  sent and must not change under the name it was sent with. Members are
  sorted and carry a fixed date, so the same inputs give the same members.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import html
import io
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from custlib.exceptions import DataError, ParamsError, RenderError
from custlib.io.contract import TABLES

PACKAGE_DIR = Path(__file__).resolve().parent.parent
ROOT = PACKAGE_DIR.parent
KEY_ENV = "CUSTLIB_HANDOFF_KEY"
ZIP_DATE = (2000, 1, 1, 0, 0, 0)
MIN_NEEDLE = 4
_DATA_TABLES = ("customers", "transactions", "offers", "service_costs")


# --------------------------------------------------------------------------- pseudonyms


def resolve_key(key: str | bytes | None = None, seed: int | None = None) -> tuple[bytes, str]:
    """The HMAC key and where it came from.

    Order: ``key``, the environment variable ``CUSTLIB_HANDOFF_KEY``, ``seed``
    (``"custlib-handoff-seed:<seed>"``), else a random 32-byte key.

    Returns
    -------
    (bytes, str)
        The key and one of ``"key"``, ``"environment"``, ``"seed"``, ``"random"``.

    Raises
    ------
    ParamsError
        ``key`` is empty or ``seed`` is not an integer.
    """
    if key is not None:
        raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
        if not raw:
            raise ParamsError("handoff.key: the key is empty; expected a secret string")
        return raw, "key"
    env = os.environ.get(KEY_ENV, "")
    if env:
        return env.encode("utf-8"), "environment"
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ParamsError(f"seed: {seed!r} is not an integer")
        return f"custlib-handoff-seed:{seed}".encode(), "seed"
    return secrets.token_bytes(32), "random"


def pseudonym_id(customer_id: str, key: bytes) -> str:
    """``"K"`` + the first 16 hex digits (upper case) of HMAC-SHA256(key, customer_id).

    HMAC per RFC 2104 with SHA-256 (test vectors: RFC 4231).
    """
    return "K" + hmac.new(key, str(customer_id).encode("utf-8"), hashlib.sha256).hexdigest()[:16].upper()


def pseudonym_map(customer_ids: Iterable[str], key: bytes, *, id_col: str = "customer_id") -> pd.DataFrame:
    """Pseudonymous id and name for each customer (keyed-hash pseudonymisation).

    Ids are :func:`pseudonym_id`: HMAC-SHA256 (RFC 2104; the keyed hash that
    ENISA's "Pseudonymisation techniques and best practices", 2019,
    recommends over plain hashing, which can be reversed by hashing every
    possible id). Names are ``"Customer 0001"`` ... numbered in the order of the full
    HMAC-SHA256 digest (ties, which cannot occur for distinct ids, by id);
    at least four digits, more when there are 10,000 customers or more.

    ids -> customer_id, pseudo_id, pseudo_name (sorted by customer_id).

    Parameters
    ----------
    customer_ids : iterable of str
        Distinct ids.
    key : bytes
        HMAC key (see :func:`resolve_key`).
    id_col : str
        Name of the id column of the result.

    Returns
    -------
    DataFrame

    Raises
    ------
    DataError
        An id is repeated, or two ids get the same pseudonym.
    """
    ids = pd.Series(list(customer_ids), dtype="str")
    if ids.duplicated().any():
        raise DataError(f"{id_col}: ids must be distinct to make pseudonyms; repeated: {ids[ids.duplicated()].head(5).tolist()}")
    digest = [hmac.new(key, i.encode("utf-8"), hashlib.sha256).hexdigest() for i in ids]
    frame = pd.DataFrame({id_col: ids, "_digest": pd.Series(digest, dtype="str")})
    frame["pseudo_id"] = "K" + frame["_digest"].str[:16].str.upper()
    if frame["pseudo_id"].duplicated().any():  # pragma: no cover - 64-bit collision
        raise DataError(f"{id_col}: two customers got the same pseudonym; use another key")
    order = frame.sort_values(["_digest", id_col], kind="stable").index
    width = max(4, len(str(len(frame))))
    frame["pseudo_name"] = pd.Series(dtype="str")
    frame.loc[order, "pseudo_name"] = [f"Customer {i:0{width}d}" for i in range(1, len(frame) + 1)]
    frame["pseudo_name"] = frame["pseudo_name"].astype("str")
    out = frame.drop(columns="_digest").sort_values(id_col, kind="stable").reset_index(drop=True)
    return out


def anonymise_tables(
    tables: dict[str, pd.DataFrame | None], mapping: pd.DataFrame, *, id_col: str = "customer_id", name_col: str = "name"
) -> dict[str, pd.DataFrame | None]:
    """Replace customer ids (every table) and names (any table with ``name_col``) by pseudonyms.

    tables with customer_id [, name] -> same tables, same columns, ids and names replaced.

    Parameters
    ----------
    tables : dict of str to DataFrame or None
        E.g. customers, transactions, offers, service_costs; None is kept.
    mapping : DataFrame
        From :func:`pseudonym_map`: ``id_col``, pseudo_id, pseudo_name.

    Returns
    -------
    dict of str to DataFrame or None
        New frames; the inputs are not changed.

    Raises
    ------
    DataError
        A table names a customer id that has no pseudonym.
    """
    ids = dict(zip(mapping[id_col], mapping["pseudo_id"], strict=True))
    names = dict(zip(mapping[id_col], mapping["pseudo_name"], strict=True))
    out: dict[str, pd.DataFrame | None] = {}
    for tname, frame in tables.items():
        if frame is None:
            out[tname] = None
            continue
        new = frame.copy()
        if id_col in new.columns:
            mapped = new[id_col].map(ids)
            missing = new.loc[mapped.isna() & new[id_col].notna(), id_col]
            if len(missing):
                raise DataError(f"{tname}: column '{id_col}' names customers without a pseudonym: {missing.unique()[:5].tolist()}")
            if name_col in new.columns:
                new[name_col] = new[id_col].map(names).astype("str")
            new[id_col] = mapped.astype("str")
        elif name_col in new.columns:
            raise DataError(f"{tname}: column '{name_col}' without '{id_col}'; cannot pseudonymise names")
        out[tname] = new
    return out


def anonymise_params(params, replacements: dict[str, str]):
    """A copy of ``params`` with every string value or key equal to a key of ``replacements`` replaced.

    Only whole values are replaced; :func:`find_leaks` catches originals
    left inside longer strings.
    """
    if isinstance(params, dict):
        return {replacements.get(k, k) if isinstance(k, str) else k: anonymise_params(v, replacements) for k, v in params.items()}
    if isinstance(params, list):
        return [anonymise_params(v, replacements) for v in params]
    if isinstance(params, str):
        return replacements.get(params, params)
    return params


# --------------------------------------------------------------------------- leak search

_B64 = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+")
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_WIDE = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_START = re.compile(rf"(?<![^\W_])(?=[^\W_])|(?=[{_WIDE}])")
_ALNUM_ASCII = re.compile(r"[A-Za-z0-9]")
_PICTURES = (".png", ".jpg", ".jpeg", ".gif", ".svgz", ".pdf", ".zip")


def searchable(needle: str) -> bool:
    """True when ``needle`` is distinctive enough to search text for: 4+ characters and a letter."""
    s = str(needle).strip()
    return len(s) >= MIN_NEEDLE and any(ch.isalpha() for ch in s)


def _json_strings(obj, out: list[str]) -> None:
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(k, str) and k.startswith("image/"):
                continue  # base64 pictures cannot be searched; charts are rendered from the packed data
            out.append(str(k))
            _json_strings(v, out)
    elif isinstance(obj, list):
        for v in obj:
            _json_strings(v, out)
    elif isinstance(obj, str):
        out.append(obj)


def member_text(name: str, raw: bytes) -> str:
    """Searchable text of one package member, with escaped forms undone.

    Parquet: column names and the distinct values of text columns. JSON and
    notebooks: their strings (base64 images left out). Other text: as is,
    embedded base64 images left out. Each is also given HTML-unescaped and
    with Markdown backslash escapes removed.
    """
    suffix = Path(name).suffix.lower()
    parts = [name]
    if suffix == ".parquet":
        frame = pd.read_parquet(io.BytesIO(raw))
        parts.extend(map(str, frame.columns))
        for col in frame.columns:
            s = frame[col]
            if pd.api.types.is_string_dtype(s) or s.dtype == object:
                parts.extend(s.dropna().astype("str").unique().tolist())
    elif suffix not in _PICTURES:
        text = raw.decode("utf-8", errors="replace")
        if suffix in (".ipynb", ".json"):
            try:
                strings: list[str] = []
                _json_strings(json.loads(text), strings)
                text = "\n".join(strings)
            except json.JSONDecodeError:
                pass
        parts.append(_B64.sub("data:;base64,", text))
    base = "\n".join(parts)
    plain = _MD_ESCAPE.sub(r"\1", base)
    return "\n".join(dict.fromkeys([base, html.unescape(base), plain, html.unescape(plain)]))


_KEY = 12


def needle_index(needles: Iterable[str]) -> dict[int, dict[str, list[str]]]:
    """Needles grouped by the length and text of their first (up to 12) characters."""
    index: dict[int, dict[str, list[str]]] = {}
    for n in set(needles):
        if n:
            k = min(len(n), _KEY)
            index.setdefault(k, {}).setdefault(n[:k], []).append(n)
    return index


def find_in_text(text: str, needles: Iterable[str] | dict) -> set[str]:
    """Needles found in ``text`` where they start a word and end one.

    A match must begin where a word begins (or at any CJK/kana/Hangul
    character, which are not separated by spaces) and, when it ends in an
    ASCII letter or digit, must not be followed by one: ``C001`` is not found
    in ``C0012``. Needles are looked up by their first up to 12 characters
    (``needles`` may be a :func:`needle_index`), so the cost grows with the
    text, hardly with the number of needles.
    """
    index = needles if isinstance(needles, dict) else needle_index(needles)
    lengths = sorted(index)
    found: set[str] = set()
    size = len(text)
    for m in _START.finditer(text):
        p = m.start()
        for k in lengths:
            cands = index[k].get(text[p : p + k])
            if not cands:
                continue
            for n in cands:
                end = p + len(n)
                if end > size or not text.startswith(n, p):
                    continue
                if _ALNUM_ASCII.match(n[-1]) and end < size and _ALNUM_ASCII.match(text[end]):
                    continue
                found.add(n)
    return found


def find_leaks(package: str | Path | bytes, needles: Iterable[str], skip: Iterable[str] = ()) -> dict[str, list[str]]:
    """Which files of a zip (or a folder) contain which needles (customer ids or names).

    Every file is searched: text files, notebooks and JSON (their strings),
    HTML (escaped or not), Parquet (column names and text values). Pictures
    are not searched.

    Parameters
    ----------
    package : path or bytes
        The zip file, or a folder.
    needles : iterable of str
        Strings that must not occur (see :func:`searchable`).
    skip : iterable of str
        Member name (or relative path) prefixes not searched.

    Returns
    -------
    dict of str to list of str
        Member name -> sorted needles found in it; empty when clean.
    """
    index = needle_index(needles)
    skip = tuple(skip)
    out: dict[str, list[str]] = {}

    def search(name: str, raw: bytes) -> None:
        hits = find_in_text(member_text(name, raw), index)
        if hits:
            out[name] = sorted(hits)

    if not isinstance(package, bytes | bytearray) and Path(package).is_dir():
        root = Path(package)
        for p in sorted(root.rglob("*")):
            rel = p.relative_to(root).as_posix()
            if p.is_file() and not rel.startswith(skip):
                search(rel, p.read_bytes())
        return out
    with zipfile.ZipFile(io.BytesIO(package) if isinstance(package, bytes | bytearray) else package) as zf:
        for info in zf.infolist():
            if not info.is_dir() and not info.filename.startswith(skip):
                search(info.filename, zf.read(info))
    return out


# --------------------------------------------------------------------------- package pieces


def _split_sets(sets: list[str] | None) -> tuple[list[str], dict]:
    """Separate ``handoff.*`` items (hand-off options) from parameter overrides."""
    from custlib.io.params import parse_sets

    params_sets, own = [], {}
    for item in sets or []:
        key = item.split("=", 1)[0].strip()
        if key == "handoff" or key.startswith("handoff."):
            own.update(parse_sets([item]).get("handoff", {}))
        else:
            params_sets.append(item)
    unknown = sorted(set(own) - {"key"})
    if unknown:
        raise ParamsError(f"--set handoff.{unknown[0]}: unknown hand-off option (known: handoff.key)")
    if "key" in own:
        own["key"] = str(own["key"])
    return params_sets, own


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


# --------------------------------------------------------------------------- reports


def reusable_reports(reports_dir: Path, quarter: str, region: str, slug: str, params: dict, notebooks: list[Path], source_fp: dict):
    """Reports in ``reports_dir`` made from exactly these inputs, or None.

    Uses the manifest the runner wrote: every notebook must have an entry for
    the region with status ``ok``, files present, and the ``run_key`` the
    runner would compute now (data files, region, quarter, parameters,
    notebook, custlib code).

    Returns
    -------
    dict of notebook name to entry dict, or None
    """
    from custlib.run.manifest import code_sha256, file_sha256, run_key

    qdir = Path(reports_dir) / quarter
    try:
        manifest = json.loads((qdir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    entries = {e.get("notebook"): e for e in manifest.get("reports", []) if e.get("slug") == slug}
    code_sha = code_sha256()
    out = {}
    for nb in notebooks:
        e = entries.get(nb.stem)
        if not e or e.get("status") != "ok":
            return None
        if e.get("run_key") != run_key(source_fp, region, quarter, params, file_sha256(nb), code_sha):
            return None
        html_p, ipynb_p = qdir / e.get("html", ""), qdir / e.get("ipynb", "")
        if not (e.get("html") and e.get("ipynb") and html_p.is_file() and ipynb_p.is_file()):
            return None
        out[nb.stem] = {"status": "ok", "error": "", "seconds": float(e.get("seconds", 0.0)), "html": html_p, "ipynb": ipynb_p}
    return out


def _write_anonymised_source(con, mapping: pd.DataFrame, dest: Path) -> None:
    """Every table of the validated source as Parquet, the region's ids and names replaced."""
    dest.mkdir(parents=True, exist_ok=True)
    con.register("_handoff_map", mapping[["customer_id", "pseudo_id", "pseudo_name"]])
    try:
        present = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
        for name in _DATA_TABLES:
            if name not in present:
                continue
            cols = []
            for c in TABLES[name].columns:
                if c.name == "customer_id":
                    cols.append('coalesce(m.pseudo_id, t."customer_id") AS "customer_id"')
                elif name == "customers" and c.name == "name":
                    cols.append('coalesce(m.pseudo_name, t."name") AS "name"')
                else:
                    cols.append(f't."{c.name}"')
            path = str(dest / f"{name}.parquet").replace("'", "''")
            con.execute(
                f'COPY (SELECT {", ".join(cols)} FROM "{name}" t LEFT JOIN _handoff_map m ON t.customer_id = m.customer_id) '
                f"TO '{path}' (FORMAT parquet)"
            )
    finally:
        con.unregister("_handoff_map")


# --------------------------------------------------------------------------- build


@dataclass
class HandoffResult:
    """What :func:`build_handoff` packed."""

    path: Path
    region: str
    slug: str
    quarter: str
    anonymised: bool
    key_source: str
    reports: list[dict] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    rendered: bool = False

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.reports if r["status"] != "ok"]


@dataclass
class _Slice:
    """The region's packed tables and parameters, and the strings that must not be packed."""

    tables: dict
    peers: pd.DataFrame
    params: dict
    needles: set
    mapping: pd.DataFrame | None = None


def _take_slice(con, reg: str, q, params: dict, key_bytes: bytes | None, allow: Iterable[str]) -> _Slice:
    """Load the region's slice; pseudonymise it when ``key_bytes`` is given; list the forbidden strings."""
    from custlib.io.data import load_region, peer_quarterly

    rd = load_region(con, reg, q)
    others = con.execute("SELECT customer_id, name FROM customers WHERE lower(region) <> lower(?)", [reg]).df()
    own = set(rd.customers["customer_id"].astype("str")) | set(rd.customers["name"].dropna().astype("str"))
    needles = set(others["customer_id"].dropna().astype("str")) | set(others["name"].dropna().astype("str"))
    tables = {"customers": rd.customers, "transactions": rd.transactions, "offers": rd.offers, "service_costs": rd.service_costs}
    mapping = None
    if key_bytes is None:
        needles -= own
    else:
        mapping = pseudonym_map(rd.customers["customer_id"], key_bytes)
        clash = set(mapping["pseudo_id"]) & (needles | own)
        if clash:  # pragma: no cover - needs a real id of the form K + 16 hex digits
            raise DataError(f"customers: pseudonyms {sorted(clash)[:3]} equal real customer ids; use another key")
        tables = anonymise_tables(tables, mapping)
        tables["customers"] = tables["customers"].sort_values("customer_id", kind="stable").reset_index(drop=True)
        if tables["service_costs"] is not None:
            tables["service_costs"] = tables["service_costs"].sort_values(["customer_id", "month"], kind="stable").reset_index(drop=True)
        replacements = dict(zip(mapping["customer_id"], mapping["pseudo_id"], strict=True))
        pseudo_name = dict(zip(mapping["customer_id"], mapping["pseudo_name"], strict=True))
        for cid, name in zip(rd.customers["customer_id"], rd.customers["name"], strict=True):
            if isinstance(name, str):
                replacements[name] = pseudo_name[cid]
        params = anonymise_params(params, replacements)
        needles = (needles | own) - set(mapping["pseudo_id"]) - set(mapping["pseudo_name"])
    allowed = set(allow)
    needles = {n for n in needles if searchable(n) and n not in allowed}
    return _Slice(tables, peer_quarterly(con, q.end), params, needles, mapping)


def _stage_data(stage: Path, sl: _Slice, reg: str, q, params_sets: list[str]) -> dict[str, int]:
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
    for name in _DATA_TABLES:
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


def _stage_reports(stage: Path, got: dict, nbs: list[Path], reg: str, slug: str, q, lang: str = "en") -> list[dict]:
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


def _stage_code(stage: Path, nbs: list[Path], reg: str, slug: str, q) -> None:
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


def _render_reports(data, sl: _Slice, con, reg: str, q, nbs: list[Path], stage: Path, work: Path, jobs: int | None) -> dict:
    """Render the region's notebooks into ``work`` with the packed parameters; outcome per notebook."""
    from custlib.run.runner import render

    src = data
    if sl.mapping is not None:
        src = work / "render-source"
        _write_anonymised_source(con, sl.mapping, src)
    res = render(
        src,
        quarter=str(q),
        regions=[reg],
        notebooks=[nb.stem for nb in nbs],
        out=work / "render",
        jobs=jobs,
        params_dir=stage / "params",
        progress=False,
        force=True,
    )
    return {
        o.notebook: {
            "status": o.status,
            "error": o.error,
            "seconds": o.seconds,
            "html": Path(o.html) if o.html else None,
            "ipynb": Path(o.ipynb) if o.ipynb else None,
        }
        for o in res.outcomes
    }


def _refuse_leaks(leaks: dict[str, list[str]], out_zip: Path, what: str) -> None:
    if leaks:
        shown = "; ".join(f"{m}: {', '.join(map(repr, v[:3]))}" for m, v in sorted(leaks.items())[:5])
        raise DataError(
            f"{out_zip.name}: the package would contain {what} ({len(leaks)} file(s)): {shown}. Nothing was written. "
            "If a string is an ordinary word here rather than customer data, pass it in allow (--allow)."
        )


def _write_zip(stage: Path, top: str, out_zip: Path, needles: set, overwrite: bool, what: str) -> None:
    """Zip ``stage`` under ``top/``, search it for ``needles``, and put it in place atomically."""
    fd, tmp = tempfile.mkstemp(prefix=f".{out_zip.name}.", suffix=".tmp", dir=out_zip.parent)
    tmp = Path(tmp)
    try:
        with os.fdopen(fd, "wb") as fh:
            _zip_dir(stage, fh, top)
            fh.flush()
            os.fsync(fh.fileno())
        _refuse_leaks(find_leaks(tmp, needles, skip=[f"{top}/custlib/"]), out_zip, what)
        os.chmod(tmp, 0o644)
        _put_in_place(tmp, out_zip, overwrite)
    finally:
        tmp.unlink(missing_ok=True)


def build_handoff(
    data: str | Path,
    region: str,
    quarter: str | None,
    out_zip: str | Path | None = None,
    reports_dir: str | Path = "reports",
    anonymise: bool = False,
    sets: list[str] | None = None,
    seed: int | None = None,
    *,
    key: str | bytes | None = None,
    notebooks: str | list[str] | None = "all",
    params_dir: Path | None = None,
    overwrite: bool = False,
    allow: Iterable[str] = (),
    jobs: int | None = None,
) -> HandoffResult:
    """Pack one region's reports, data slice, parameters and code into a zip for a client.

    See the module docstring for the layout and the decisions (reuse of
    reports, pseudonyms, isolation check, overwriting).

    Parameters
    ----------
    data : path or URL
        The data source (as for ``custlib render``).
    region : str
        One region, as in the data or its slug (case-insensitive).
    quarter : str or None
        ``"2026Q3"``; None or ``"latest"`` for the latest complete quarter.
    out_zip : path, optional
        Default ``handoff-<slug>-<quarter>[-anon].zip`` in the working directory.
    reports_dir : path
        Where ``custlib render`` wrote reports (read only).
    anonymise : bool
        Replace customer ids and names by pseudonyms everywhere in the package.
    sets : list of "key=value"
        Parameter overrides as for ``custlib render``; ``handoff.key=SECRET``
        sets the pseudonym key and is not a parameter (it is never packed).
    seed : int, optional
        Derive the pseudonym key from this number when no key is given
        (reproducible, but guessable: prefer a secret key for real clients).
    key : str or bytes, optional
        Pseudonym key (wins over ``handoff.key``, the environment and ``seed``).
    notebooks : "all" or names
        Which report notebooks to pack and render.
    params_dir : path, optional
        The params folder (default ``./params`` or a parent's).
    overwrite : bool
        Replace an existing ``out_zip``.
    allow : iterable of str
        Customer names that are ordinary words in this package (not searched for).
    jobs : int, optional
        Notebook runs at a time when rendering.

    Returns
    -------
    HandoffResult

    Raises
    ------
    DataError
        The data breaks the contract, the region's slice would not re-run
        (e.g. its last order is before the quarter's end), or a customer of
        another region (or an original name, when anonymising) was found in
        the package.
    ParamsError
        Bad parameters, an unknown region, more than one region, a bad quarter.
    RenderError
        ``out_zip`` exists and ``overwrite`` is False.
    """
    from custlib.io.data import list_regions, match_regions, resolve_quarter, slugify
    from custlib.io.params import load_params, parse_sets
    from custlib.io.validate import validate_source
    from custlib.run.runner import NOTEBOOK_DIR, list_notebooks

    params_sets, own = _split_sets(sets)
    parse_sets(params_sets)
    nbs = list_notebooks(notebooks, NOTEBOOK_DIR)
    if not nbs:
        raise ParamsError(f"notebooks: no report notebooks (NN_name.ipynb) in {NOTEBOOK_DIR}")
    wanted = [r.strip() for r in str(region).split(",") if r.strip()]
    if len(wanted) != 1 or wanted[0].casefold() == "all":
        raise ParamsError(f"region: {region!r}: a hand-off package holds exactly one region")
    base = load_params(None, params_dir, params_sets)
    con, source, _ = validate_source(data, base.get("validation"))
    work = None
    try:
        q = resolve_quarter(con, quarter)
        (reg,) = match_regions(list_regions(con), wanted)
        slug = slugify(reg)
        top = f"handoff-{slug}-{q}" + ("-anon" if anonymise else "")
        out_zip = (Path(out_zip) if out_zip else Path.cwd() / f"{top}.zip").resolve()
        if out_zip.exists() and not overwrite:
            raise RenderError(f"{out_zip}: the file exists; choose another --out or pass --force to replace it")
        if not out_zip.parent.is_dir():
            raise ParamsError(f"out: the folder {out_zip.parent} does not exist")
        key_bytes, key_source = resolve_key(key if key is not None else own.get("key"), seed) if anonymise else (None, "none")

        sl = _take_slice(con, reg, q, load_params(reg, params_dir, params_sets), key_bytes, allow)
        work = Path(tempfile.mkdtemp(prefix="custlib-handoff-"))
        stage = work / "pkg"
        counts = _stage_data(stage, sl, reg, q, params_sets)
        what = "original customer ids or names" if anonymise else "customers of other regions"
        _refuse_leaks(find_leaks(stage, sl.needles), out_zip, what)  # data and parameters: before spending a render
        got = None if anonymise else reusable_reports(Path(reports_dir), str(q), reg, slug, sl.params, nbs, source.fingerprint())
        rendered = got is None
        if rendered:
            got = _render_reports(data, sl, con, reg, q, nbs, stage, work, jobs)
        con.close()
        con = None
        reports = _stage_reports(stage, got, nbs, reg, slug, q, sl.params.get("report", {}).get("lang", "en"))
        _stage_code(stage, nbs, reg, slug, q)
        pyver = ".".join(map(str, sys.version_info[:3]))
        (stage / "README.md").write_text(
            _readme_text(reg, slug, q, anonymise, key_source, reports, counts, pyver, params_sets), encoding="utf-8"
        )
        files = sorted(p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file())
        listing = {
            "region": reg,
            "slug": slug,
            "quarter": str(q),
            "data_until": f"{q.end:%Y-%m-%d}",
            "anonymised": bool(anonymise),
            "pseudonyms": "HMAC-SHA256 of the customer id, key kept by the sender" if anonymise else None,
            "reports": [{k: r[k] for k in ("notebook", "status", "error")} for r in reports],
            "rows": counts,
            "files_sha256": {f: hashlib.sha256((stage / f).read_bytes()).hexdigest() for f in files},
        }
        (stage / "handoff.json").write_text(json.dumps(listing, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        _write_zip(stage, top, out_zip, sl.needles, overwrite, what)
        return HandoffResult(out_zip, reg, slug, str(q), bool(anonymise), key_source, reports, sorted([*files, "handoff.json"]), rendered)
    finally:
        if con is not None:
            con.close()
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


# --------------------------------------------------------------------------- command line


def _cmd_handoff(args) -> int:
    res = build_handoff(
        args.data,
        args.region,
        None if args.quarter in (None, "latest") else args.quarter,
        args.out,
        reports_dir=args.reports,
        anonymise=args.anonymise,
        sets=args.set,
        seed=args.seed,
        notebooks=args.notebooks,
        params_dir=args.params,
        overwrite=args.force,
        allow=args.allow,
        jobs=args.jobs,
    )
    how = "rendered for the package" if res.rendered else f"taken from {args.reports}"
    print(f"{res.path}: {res.region} {res.quarter}, {len(res.reports)} report(s) {how}, {len(res.files)} files")
    if res.anonymised:
        print(f"customer ids and names pseudonymised (key from {res.key_source})")
        if res.key_source == "random":
            print("note: the key was random, so another package will use other pseudonyms; pass --set handoff.key=... to keep them")
    for r in res.failed:
        print(f"FAILED {res.region}/{r['notebook']}: {(r['error'] or 'unknown error').splitlines()[0]}", file=sys.stderr)
    return 1 if res.failed else 0


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``custlib handoff`` on an ``add_subparsers()`` object; returns its parser."""
    h = subparsers.add_parser(
        "handoff",
        help="pack one region's reports, data, parameters and code into a zip for a client",
        description="Pack one region's reports, data slice, parameters and custlib into a zip that re-runs with two commands.",
    )
    h.add_argument("--region", required=True, help="one region as in the data (or its slug)")
    h.add_argument("--quarter", default="latest", help="e.g. 2026Q3 (default: latest complete quarter in the data)")
    h.add_argument("--anonymise", action="store_true", help="replace customer ids and names by stable pseudonyms everywhere")
    h.add_argument("--data", default="data/sample", help="directory of tables, or an SQLAlchemy URL (default data/sample)")
    h.add_argument("--out", type=Path, default=None, help="zip to write (default handoff-<region>-<quarter>[-anon].zip)")
    h.add_argument("--reports", type=Path, default=Path("reports"), help="where custlib render wrote the reports (default reports)")
    h.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter, e.g. report.lang=zh; handoff.key=SECRET sets the pseudonym key (never packed)",
    )
    h.add_argument("--seed", type=int, default=None, help="derive the pseudonym key from this number when no key is set")
    h.add_argument("--notebooks", default="all", help="'all' or comma-separated notebook names")
    h.add_argument("--params", type=Path, default=None, help="params folder (default: ./params or a parent's)")
    h.add_argument("--jobs", type=int, default=None, help="notebook runs at a time when rendering (default: number of cores)")
    h.add_argument("--allow", action="append", default=[], metavar="TEXT", help="a customer name that is an ordinary word here")
    h.add_argument("--force", action="store_true", help="replace the zip if it exists")
    h.set_defaults(func=_cmd_handoff)
    return h
