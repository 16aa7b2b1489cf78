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
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from custlib.exceptions import DataError, ParamsError, RenderError
from custlib.handoff.leaks import find_leaks, refuse_leaks
from custlib.io.parquet import read_parquet, write_parquet
from custlib.io.pooling import POOLED_FILE

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
    #: for the pooled region "Other regions", the regions it holds (custlib.io.pooling.Pooling.to_dict); packed as data/_pooled.json
    pooled: dict = field(default_factory=dict)


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


#: where an executed report in reports/<quarter>/<slug>/ finds the package's data, relative to its own folder
REPORT_DATA = "../../../data"


def _relocated_report(path: Path, data: str = REPORT_DATA) -> str:
    """An executed notebook whose recorded ``data`` parameter is ``data`` instead of the builder's path.

    The runner records where it read the region's slice (a temporary folder or the builder's
    ``reports/.cache``) in the injected parameters cell and in ``metadata.papermill.parameters``;
    in the package both name the package's ``data/``, relative to the notebook's folder (where
    Jupyter runs it), as the notebooks in ``notebooks/`` do.
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    params = nb.metadata.get("papermill", {}).get("parameters")
    if isinstance(params, dict) and "data" in params:
        params["data"] = data
    for cell in nb.cells:
        if cell.cell_type == "code" and "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = re.sub(r"^data = .*$", lambda _m: f"data = {json.dumps(data)}", cell.source, count=1, flags=re.M)
    return nbformat.writes(nb) + "\n"


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


def params_text(defaults_path: Path, params: dict, reg: str, q, params_sets: list[str]) -> str:
    """The packed ``params/defaults.yaml``: the workbook's file, comments and all, with the region's values written in.

    The region's overrides, the ``--set`` values and any pseudonyms are written on the lines of the keys
    they change (:func:`custlib.handoff.params_text.overlay`); where the file's shape does not allow
    that, the merged values are written without the workbook's comments.
    """
    import yaml

    from custlib.handoff.params_text import overlay

    header = (
        f"# Parameters of the {reg} reports for {q}: the workbook's defaults (below, with their comments) with the\n"
        f"# region's overrides" + (" and this package's --set values" if params_sets else "") + " written in; "
        "custlib render reads this file.\n\n"
    )
    original = defaults_path.read_text(encoding="utf-8") if defaults_path.is_file() else ""
    text = overlay(original, params) if original else None
    if text is None:
        header += "# Every key is checked against custlib/io/schemas/<section>.json.\n\n"
        text = yaml.safe_dump(params, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return header + text


def stage_data(stage: Path, sl: RegionSlice, reg: str, q, params_sets: list[str], defaults_path: Path) -> dict[str, int]:
    """Write data/*.parquet and params/defaults.yaml; check they re-run as the client will run them.

    Raises
    ------
    DataError
        The slice does not validate, or does not cover the quarter.
    """
    from custlib.io.data import data_span, resolve_quarter
    from custlib.io.params import load_params
    from custlib.io.validate import validate_source
    from custlib.reports.context import settings_json

    (stage / "data").mkdir(parents=True)
    counts = {}
    for name in DATA_TABLES:
        frame = sl.tables[name]
        if frame is not None:
            write_parquet(frame, stage / "data" / f"{name}.parquet")
            counts[name] = len(frame)
    write_parquet(sl.peers, stage / "data" / "peer_quarterly.parquet")
    # the quarter is complete although the region's own last order may fall before its last day
    (stage / "data" / "_coverage.json").write_text(json.dumps({"until": q.end.date().isoformat()}), encoding="utf-8")
    if sl.pooled:  # the package holds the pool only: its reports name the regions it holds from this record
        (stage / "data" / POOLED_FILE).write_text(json.dumps(sl.pooled, ensure_ascii=False), encoding="utf-8")
    (stage / "params").mkdir()
    (stage / "params" / "defaults.yaml").write_text(params_text(defaults_path, sl.params, reg, q, params_sets), encoding="utf-8")
    if settings_json(load_params(reg, stage / "params")) != settings_json(sl.params):  # pragma: no cover - YAML round trip
        raise ParamsError(f"{stage / 'params' / 'defaults.yaml'}: the written parameters do not read back the same")
    con, _, _ = validate_source(stage / "data", sl.params.get("validation"))
    try:
        resolve_quarter(con, str(q))
        if (last := data_span(con)[1]) < q.end:  # a quarter asked for by name may be partial; the slice's own orders must reach its end
            raise ParamsError(f"quarter: {q} ends on {q.end:%Y-%m-%d}, after the slice's last order on {last:%Y-%m-%d}")
    except ParamsError as err:
        raise DataError(
            f"{reg}: the region's data slice would not re-run for {q} on the client's machine: {err} "
            "(the region's last order is before the quarter's last day, so the slice does not cover the quarter)"
        ) from err
    finally:
        con.close()
    return counts


def stage_reports(stage: Path, got: dict, nbs: list[Path], reg: str, slug: str, q, lang: str = "en", currency: str = "CNY") -> list[dict]:
    """Copy the region's HTML and executed notebooks into reports/<q>/<slug>/; write the action files, the index and the region's roll-up.

    The index links ``rollup.html`` (:func:`custlib.run.pages.index_html`), so the package has one: the
    headline figures of this region alone, from the reports packed. The action workbook and table
    (``actions.xlsx``, ``actions.csv``, :func:`custlib.run.actions.write_actions`) are made again from the
    packed notebooks, so they hold what the packed reports say: with ``--anonymise`` those were rendered from
    the pseudonymised data, and so are the lists.
    """
    from custlib.run.actions import write_actions
    from custlib.run.pages import heading_titles, index_html, rollup_html

    qdir = stage / "reports" / str(q)
    (qdir / slug).mkdir(parents=True)
    reports, entries = [], []
    for nb in nbs:
        g = got.get(nb.stem) or {"status": "failed", "error": "not rendered", "seconds": 0.0, "html": None, "ipynb": None}
        rel_html = ""
        for kind in ("html", "ipynb"):
            if g.get(kind) and Path(g[kind]).is_file():
                dest = qdir / slug / f"{nb.stem}.{kind}"
                if kind == "ipynb":
                    dest.write_text(_relocated_report(Path(g[kind])), encoding="utf-8")
                else:
                    shutil.copyfile(g[kind], dest)
                rel_html = rel_html or (f"{slug}/{nb.stem}.html" if kind == "html" else "")
        err = g.get("error", "") or ""
        titles = heading_titles(nb)
        reports.append({"notebook": nb.stem, "title": titles.get("en", nb.stem), "status": g["status"], "error": err, "html": rel_html})
        entries.append(
            {
                "region": reg,
                "notebook": nb.stem,
                "status": g["status"],
                "html": rel_html,
                "seconds": float(g["seconds"]),
                "error": err,
                "headlines": g.get("headlines") or [],
                "titles": titles,
            }
        )
    generated = dt.datetime.now().isoformat(timespec="seconds")
    lists = write_actions(sorted((qdir / slug).glob("*.ipynb")), qdir / slug, lang, q.end.to_pydatetime())
    actions = {slug: {"region": reg, "rows": lists["rows"], "xlsx": f"{slug}/actions.xlsx", "csv": f"{slug}/actions.csv"}} if lists else {}
    (qdir / "rollup.html").write_text(rollup_html(str(q), entries, generated, lang, currency), encoding="utf-8")
    (qdir / "index.html").write_text(index_html(str(q), entries, generated, lang, actions), encoding="utf-8")
    return reports


def stage_code(stage: Path, nbs: list[Path], reg: str, slug: str, q) -> None:
    """custlib with its CJK font, the notebooks (no outputs, defaults pointing at the package), pyproject, requirements, Makefile.

    The font file (Noto Sans CJK SC, SIL Open Font License 1.1, beside its licence in
    ``custlib/present/font_files/``) stands in for the ``mplfonts`` package, which the runtime
    requirements leave out (:func:`custlib.present.style.cjk_font_path` looks there first).
    """
    from custlib.handoff.docs import makefile_text, pyproject_text, requirements_text
    from custlib.present.style import CJK_FONT_FILE, FONT_FILES, cjk_font_path

    for rel, src in _custlib_files():
        dest = stage / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    font, dest = cjk_font_path(), stage / "custlib" / "present" / FONT_FILES / CJK_FONT_FILE
    if font is not None and not dest.is_file():
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(font, dest)
    defaults = {"data": "../data", "region": reg, "quarter": str(q)}
    (stage / "notebooks").mkdir()
    for nb in nbs:
        (stage / "notebooks" / nb.name).write_text(_stripped_notebook(nb, defaults), encoding="utf-8")
        py = nb.with_suffix(".py")
        if py.is_file():
            (stage / "notebooks" / py.name).write_text(notebook_defaults(py.read_text(encoding="utf-8"), defaults), encoding="utf-8")
    (stage / "requirements.txt").write_text(requirements_text(), encoding="utf-8")
    (stage / "pyproject.toml").write_text(pyproject_text(), encoding="utf-8")
    (stage / "Makefile").write_text(makefile_text(slug, str(q)), encoding="utf-8")


def write_readme(stage: Path, region: str, slug: str, q, anonymised: bool, key_source: str, reports, counts, sets) -> None:
    """README.md (what the package holds, the two commands that re-run it, how customers are named in it) and DATA.md."""
    from custlib.handoff.docs import data_text, readme_text

    pyver = ".".join(map(str, sys.version_info[:3]))
    text = readme_text(region, slug, q, anonymised, key_source, reports, counts, pyver, sets)
    (stage / "README.md").write_text(text, encoding="utf-8")
    peers = read_parquet(stage / "data" / "peer_quarterly.parquet").columns.tolist()
    (stage / "DATA.md").write_text(data_text(region, peers), encoding="utf-8")


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
