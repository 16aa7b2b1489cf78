"""The quarter's manifest: what each report was made from, the run keys and file hashes that decide what to render again.

Each report's entry records its run key (data, region, quarter, parameters,
notebook, custlib code) and the sha256 of its published ``.html`` and
``.ipynb`` (``html_sha256``, ``ipynb_sha256``): a report is unchanged only when
both match (:func:`report_intact`), so a page that is missing, truncated,
edited or left by another run is rendered again. The files a manifest lists are
the ones a render owns in the quarter's folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

from custlib.io.data import Source, slugify
from custlib.io.pooling import OTHER_REGIONS
from custlib.reports.context import settings_json
from custlib.run.files import atomic_write
from custlib.run.pages import heading_titles, index_html, rollup_html

PACKAGES = ("custlib", "pandas", "numpy", "duckdb", "papermill", "nbconvert", "statsmodels", "scikit-learn", "seaborn", "matplotlib")


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    h.update(Path(path).read_bytes())
    return h.hexdigest()


def code_sha256() -> str:
    """Hash of custlib's own code, schemas and templates: a change re-renders every report."""
    h = hashlib.sha256()
    pkg = Path(__file__).resolve().parent.parent
    for f in sorted(p for p in pkg.rglob("*") if p.is_file() and p.suffix in (".py", ".json", ".j2", ".po")):
        h.update(f.relative_to(pkg).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def run_key(source_fp: dict, region: str, quarter: str, params: dict, notebook_sha: str, code_sha: str) -> str:
    """What makes a report what it is: data, region, quarter, parameters, notebook, custlib."""
    blob = json.dumps([source_fp, region, quarter, settings_json(params), notebook_sha, code_sha], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def package_versions() -> dict[str, str]:
    out = {}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = "not installed"
    out["python"] = platform.python_version()
    return out


def report_intact(entry: dict, qdir: Path) -> bool:
    """Whether the report ``entry`` of the manifest in ``qdir`` is there as published: both files, with their recorded sha256."""
    for kind in ("html", "ipynb"):
        rel, sha = entry.get(kind), entry.get(f"{kind}_sha256")
        if not rel or not sha:
            return False
        path = Path(qdir) / rel
        try:
            if not path.is_file() or file_sha256(path) != sha:
                return False
        except OSError:
            return False
    return True


def previous_reports(qdir: Path) -> dict:
    try:
        old = json.loads((qdir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return {f"{e['slug']}/{e['notebook']}": e for e in old.get("reports", [])}


def write_index_and_manifest(
    result,
    source: Source,
    region_params: dict,
    nbs: list[Path],
    phases: dict,
    lang: str = "en",
    currency: str = "CNY",
    dest: Path | None = None,
    run_id: str = "",
    actions: dict | None = None,
    pooling: dict | None = None,
    company: dict | None = None,
) -> list[Path]:
    """Merge this run's outcomes into the quarter's manifest; write it, the roll-up and the index (in ``lang``).

    The previous manifest is read from ``result.out_dir`` (the published quarter's folder,
    to which the outcomes' paths point); the three files are written into ``dest``
    (default the same folder; the run's staging folder for the quarter when publishing,
    see :mod:`custlib.run.publish`). ``currency`` is that of amounts a report published
    without its own (manifests of older runs). ``actions`` are the action files this run wrote
    (region slug -> ``xlsx``, ``csv``, their sha256 and rows, :func:`custlib.run.runner`); a region of
    this run without them has none, the other regions keep the previous manifest's. ``pooling`` (the run's
    :meth:`custlib.io.pooling.Pooling.to_dict` with ``counts``, every region's customers who ordered)
    and ``company`` (:func:`custlib.run.company.company_figures`) are recorded; the index says which
    regions were pooled and why, the roll-up compares each region with the company. A report of a
    region this run pooled, or of the pool when this run pooled nothing, left by an earlier run is no
    longer listed (its files stay in place).
    Returns the paths written, the manifest last.
    """
    qdir = result.out_dir
    dest = Path(dest or qdir)
    man_path = qdir / "manifest.json"
    old = {}
    if man_path.is_file():
        try:
            old = json.loads(man_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            old = {}
    # a region this run pooled is listed no more; nor is the pool when this run pooled nothing
    stale = {m.casefold() for m in (pooling or {}).get("members") or {}}
    if pooling is not None and not stale and OTHER_REGIONS not in (pooling.get("counts") or {}):
        stale = {OTHER_REGIONS.casefold()}
    reports = {f"{e['slug']}/{e['notebook']}": e for e in old.get("reports", []) if str(e.get("region", "")).casefold() not in stale}
    titles = {nb.stem: heading_titles(nb) for nb in nbs}
    for o in result.outcomes:
        entry = asdict(o)
        entry["titles"] = titles.get(o.notebook) or entry.get("titles") or {}
        entry["html"] = os.path.relpath(o.html, qdir) if o.html else ""
        entry["ipynb"] = os.path.relpath(o.ipynb, qdir) if o.ipynb else ""
        entry["seconds"] = round(o.seconds, 3)
        entry["params_sha256"] = hashlib.sha256(settings_json(region_params[o.region]).encode()).hexdigest()
        reports[f"{o.slug}/{o.notebook}"] = entry
    rendered = {o.slug for o in result.outcomes}
    action_files = {s: e for s, e in (old.get("actions") or {}).items() if s not in rendered} | dict(actions or {})
    generated = dt.datetime.now().isoformat(timespec="seconds")
    manifest = {
        "quarter": result.quarter,
        "generated": generated,
        "run_id": run_id,
        "source": source.location if not source.is_sql else source.fingerprint()["url"],
        "inputs_sha256": source.fingerprint(),
        "notebooks_sha256": {nb.stem: file_sha256(nb) for nb in nbs},
        "params": {slugify(r): p for r, p in region_params.items()},
        "versions": package_versions(),
        "phases_s": phases,
        "pooling": pooling or {},
        "company": company or {},
        "reports": sorted(reports.values(), key=lambda e: (e["slug"], e["notebook"])),
        "actions": dict(sorted(action_files.items())),
    }
    written = [dest / "rollup.html", dest / "index.html", dest / "manifest.json"]
    atomic_write(written[0], rollup_html(result.quarter, manifest["reports"], generated, lang, currency, company))
    atomic_write(written[1], index_html(result.quarter, manifest["reports"], generated, lang, manifest["actions"], pooling))
    atomic_write(written[2], json.dumps(manifest, indent=2, ensure_ascii=False, default=str))
    return written
