"""Client hand-off: one region's reports, data, parameters and code in one zip.

``custlib handoff --region R --quarter Q [--anonymise] --out FILE.zip`` runs
:func:`build_handoff`. The package re-runs on the client's machine with two
commands (they are in its README.md)::

    python3 -m venv .venv && .venv/bin/pip install --no-compile -r requirements.txt && .venv/bin/pip install --no-build-isolation --no-deps -e .
    .venv/bin/custlib render --data data --regions <region-slug> --quarter <Q> --out reports

Layout of the zip (everything under one folder ``handoff-<slug>-<Q>[-anon]/``)::

    README.md                    the two commands, the reports, what is where, who the customers are
    DATA.md                      the data contract (from custlib.io.contract) and the source-mapping reference
    Makefile  pyproject.toml  handoff.json
    requirements.txt             the runtime lock (requirements-runtime.txt): no test, lint or notebook-editing tools
    custlib/                     the package source, its schemas and templates, and
                                 present/font_files/ with Noto Sans CJK SC (instead of the mplfonts package)
    notebooks/NN_name.ipynb|.py  the report notebooks, no outputs, defaults pointing at ../data
    params/defaults.yaml         the workbook's defaults.yaml, comments kept, with the region's overrides
                                 and --set values written in (custlib.handoff.params_text)
    data/*.parquet               the region's customers, transactions, offers, service costs
                                 up to the quarter's end, and peer_quarterly (aggregates per
                                 region and quarter, no customer ids)
    reports/<Q>/index.html       the index, and rollup.html (the region's headline figures) it links
    reports/<Q>/<slug>/NN_name.html|.ipynb   the reports; the executed notebooks' ``data`` parameter
                                 is the package's ``../../../data``, not the builder's path
    reports/<Q>/<slug>/actions.xlsx|.csv     the whole lists behind the reports' advice, made from the
                                 packed notebooks (pseudonymised with ``--anonymise``, like the reports)

Commands run outside the package find ``params/`` beside ``--data`` (or above it):
:func:`custlib.io.params.find_params_dir`.

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
  is copied to a temporary folder with the region's customer, order and
  offer ids and names replaced; the copy is never packed. The client's re-run recomputes the
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
  (new pseudonyms every build). The key is never packed. Every value of
  every id column that leads to a customer is replaced, whatever its form
  (numbers included): ``customer_id`` everywhere, and ``order_id`` and
  ``offer_id`` (``"O"``/``"F"`` + 16 hex digits of an HMAC of the column's
  name and the id), because an order number often embeds the customer's id
  (``42003-0017``) and any order number leads back to the customer in the
  source system. ``product_id`` names a product and is kept (the reports
  and parameters name products); a product id that holds a customer's id
  or name is caught by the isolation check below. Pseudonymised is
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
  Numeric ids are searched as whole numbers (not inside a longer number or
  a decimal); strings shorter than 4 characters are not searched (they occur
  in ordinary numbers and words); ``allow`` lists strings that are ordinary
  words or numbers in this package rather than customer data.
- **Writing.** The zip is written to a temporary file beside ``out_zip`` and
  linked into place; an existing ``out_zip`` is refused unless
  ``overwrite=True`` (``--force``), because a package may already have been
  sent and must not change under the name it was sent with. Members are
  sorted and carry a fixed date, so the same inputs give the same members.

The pieces live in :mod:`custlib.handoff.anonymise` (pseudonyms),
:mod:`custlib.handoff.leaks` (the isolation check) and
:mod:`custlib.handoff.package` (the package's files and the zip); this module
runs the steps and re-exports their public names.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from custlib.exceptions import DataError, ParamsError, RenderError
from custlib.handoff.anonymise import (
    KEY_ENV,
    PSEUDONYM_PREFIX,
    anonymise_params,
    anonymise_tables,
    id_pseudonyms,
    pseudonym_id,
    pseudonym_map,
    resolve_key,
)
from custlib.handoff.leaks import find_leaks, refuse_leaks, searchable
from custlib.handoff.package import (
    DATA_TABLES,
    RegionSlice,
    notebook_defaults,
    stage_code,
    stage_data,
    stage_reports,
    write_listing,
    write_readme,
    write_zip,
)
from custlib.io.contract import TABLES
from custlib.io.pooling import POOLED_FILE

__all__ = [
    "KEY_ENV",
    "HandoffResult",
    "add_parser",
    "anonymise_params",
    "anonymise_tables",
    "build_handoff",
    "find_leaks",
    "id_pseudonyms",
    "notebook_defaults",
    "pseudonym_id",
    "pseudonym_map",
    "resolve_key",
    "reusable_reports",
    "searchable",
]


# --------------------------------------------------------------------------- the request


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


@dataclass
class _Request:
    """The checked arguments of one :func:`build_handoff` call."""

    region: str
    notebooks: list[Path]
    params_sets: list[str]
    key: str | bytes | None
    params_dir: Path


def _open_request(data, region: str, sets, notebooks, params_dir, key) -> tuple[_Request, object, object]:
    """Check the request (overrides, notebooks, exactly one region) and open the validated source: request, connection, source."""
    from custlib.io.params import find_params_dir, load_params, parse_sets
    from custlib.io.validate import validate_source
    from custlib.run.runner import NOTEBOOK_DIR, list_notebooks

    params_dir = Path(params_dir) if params_dir is not None else find_params_dir(data=data)
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
    return _Request(wanted[0], nbs, params_sets, key if key is not None else own.get("key"), params_dir), con, source


@dataclass
class _Plan:
    """What one build packs and where: region, slug, quarter, the zip, the options, the pseudonym key, the region's parameters."""

    region: str
    slug: str
    quarter: object
    top: str
    out_zip: Path
    anonymise: bool
    overwrite: bool
    key_bytes: bytes | None
    key_source: str
    params: dict
    pooled: dict = field(default_factory=dict)

    @property
    def what(self) -> str:
        """What the leak search looks for, as the refusal names it."""
        return "original customer ids or names" if self.anonymise else "customers of other regions"


def _plan(con, req: _Request, quarter, out_zip, anonymise: bool, overwrite: bool, seed, source) -> _Plan:
    """Resolve the quarter and the region, name the zip (refusing an existing one), choose the key, load the region's parameters."""
    from custlib.io.data import list_regions, match_regions, resolve_quarter, slugify
    from custlib.io.examples import is_generated_sample, with_example_cases
    from custlib.io.params import load_params, with_source_currency
    from custlib.io.pooling import OTHER_REGIONS, min_customers_of, pool_thin_regions, pooled_record

    currency, sample = source.currency, is_generated_sample(source)

    q = resolve_quarter(con, quarter)
    # regions pooled as the runner pools them: a pooled member, or "Other regions", packs the pooled region
    pooling = pool_thin_regions(con, q, min_customers_of(load_params(None, req.params_dir, req.params_sets)))
    (reg,) = match_regions(list_regions(con), pooling.requested([req.region])[0])
    slug = slugify(reg)
    top = f"handoff-{slug}-{q}" + ("-anon" if anonymise else "")
    out_zip = (Path(out_zip) if out_zip else Path.cwd() / f"{top}.zip").resolve()
    if out_zip.exists() and not overwrite:
        raise RenderError(f"{out_zip}: the file exists; choose another --out or pass --force to replace it")
    if not out_zip.parent.is_dir():
        raise ParamsError(f"out: the folder {out_zip.parent} does not exist")
    key_bytes, key_source = resolve_key(req.key, seed) if anonymise else (None, "none")
    params = with_example_cases(with_source_currency(load_params(reg, req.params_dir, req.params_sets), currency), sample)  # as the runner
    pooled = pooled_record(pooling, source) if reg == OTHER_REGIONS else {}
    return _Plan(reg, slug, q, top, out_zip, anonymise, overwrite, key_bytes, key_source, params, pooled)


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
        out[nb.stem] = {
            "status": "ok",
            "error": "",
            "seconds": float(e.get("seconds", 0.0)),
            "html": html_p,
            "ipynb": ipynb_p,
            "headlines": e.get("headlines") or [],
        }
    return out


def _write_anonymised_source(con, mapping: pd.DataFrame, key: bytes, dest: Path) -> None:
    """Every table of the validated source as Parquet, the region's customer, order and offer ids and names replaced.

    The region's rows get the pseudonyms of :func:`anonymise_tables` (the same function of the same
    values), so the reports rendered from this copy agree with the packed data; other regions' rows,
    which reach the reports only as totals, keep theirs. The copy is never packed.
    """
    dest.mkdir(parents=True, exist_ok=True)
    present = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    con.register("_handoff_map", mapping[["customer_id", "pseudo_id", "pseudo_name"]])
    maps = []
    try:
        for col in PSEUDONYM_PREFIX:
            if col == "customer_id":
                continue
            tables = [t for t in DATA_TABLES if t in present and col in TABLES[t].required_columns]
            values = set()
            for t in tables:
                values |= {
                    r[0]
                    for r in con.execute(
                        f'SELECT DISTINCT "{col}" FROM "{t}" t JOIN _handoff_map m ON t.customer_id = m.customer_id WHERE "{col}" IS NOT NULL'
                    ).fetchall()
                }
            pairs = id_pseudonyms(sorted(values), key, col)
            con.register(f"_handoff_map_{col}", pd.DataFrame({"value": list(pairs), "pseudo": list(pairs.values())}, dtype="str"))
            maps.append(col)
        for name in DATA_TABLES:
            if name not in present:
                continue
            cols, joins = [], ["LEFT JOIN _handoff_map m ON t.customer_id = m.customer_id"]
            for c in TABLES[name].columns:
                if c.name == "customer_id":
                    cols.append('coalesce(m.pseudo_id, t."customer_id") AS "customer_id"')
                elif name == "customers" and c.name == "name":
                    cols.append('coalesce(m.pseudo_name, t."name") AS "name"')
                elif c.name in maps:
                    joins.append(f'LEFT JOIN _handoff_map_{c.name} "m_{c.name}" ON t."{c.name}" = "m_{c.name}".value')
                    cols.append(f'CASE WHEN m.pseudo_id IS NULL THEN t."{c.name}" ELSE "m_{c.name}".pseudo END AS "{c.name}"')
                else:
                    cols.append(f't."{c.name}"')
            path = str(dest / f"{name}.parquet").replace("'", "''")
            con.execute(f"COPY (SELECT {', '.join(cols)} FROM \"{name}\" t {' '.join(joins)}) TO '{path}' (FORMAT parquet)")
    finally:
        for col in maps:
            con.unregister(f"_handoff_map_{col}")
        con.unregister("_handoff_map")


def _take_slice(con, reg: str, q, params: dict, key_bytes: bytes | None, allow: Iterable[str]) -> RegionSlice:
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
        tables = anonymise_tables(tables, mapping, key_bytes)
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
    return RegionSlice(tables, peer_quarterly(con, q.end), params, needles, mapping, key_bytes)


def _render_reports(data, sl: RegionSlice, con, reg: str, q, nbs: list[Path], stage: Path, work: Path, jobs: int | None) -> dict:
    """Render the region's notebooks into ``work`` with the packed parameters; outcome per notebook."""
    from custlib.run.runner import render

    src = data
    if sl.mapping is not None:
        src = work / "render-source"
        _write_anonymised_source(con, sl.mapping, sl.key, src)
        if sl.pooled:  # the copy's "Other regions" is the pool already: its reports name the regions it holds from this record
            (src / POOLED_FILE).write_text(json.dumps(sl.pooled, ensure_ascii=False), encoding="utf-8")
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
            "headlines": getattr(o, "headlines", None) or [],
        }
        for o in res.outcomes
    }


def _reports(data, con, source, sl: RegionSlice, plan: _Plan, nbs: list[Path], reports_dir, work: Path, jobs) -> tuple[dict, bool]:
    """The region's reports: those in ``reports_dir`` if made from exactly these inputs (never when anonymising), else rendered.

    Returns the outcome per notebook and whether the reports were rendered for the package.
    """
    if not plan.anonymise:
        got = reusable_reports(Path(reports_dir), str(plan.quarter), plan.region, plan.slug, sl.params, nbs, source.fingerprint())
        if got is not None:
            return got, False
    return _render_reports(data, sl, con, plan.region, plan.quarter, nbs, work / "pkg", work, jobs), True


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


@contextmanager
def _work_dir() -> Iterator[Path]:
    """A temporary folder for the staged package and any rendering, removed afterwards."""
    work = Path(tempfile.mkdtemp(prefix="custlib-handoff-"))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _package(stage: Path, plan: _Plan, req: _Request, sl: RegionSlice, got: dict, counts: dict, rendered: bool) -> HandoffResult:
    """Stage the reports, the code and the README, list every file in handoff.json, and write the zip."""
    reg, slug, q = plan.region, plan.slug, plan.quarter
    report = sl.params.get("report", {})
    reports = stage_reports(stage, got, req.notebooks, reg, slug, q, report.get("lang", "en"), report.get("currency", "CNY"))
    stage_code(stage, req.notebooks, reg, slug, q)
    write_readme(stage, reg, slug, q, plan.anonymise, plan.key_source, reports, counts, req.params_sets)
    files = write_listing(stage, reg, slug, q, plan.anonymise, reports, counts)
    write_zip(stage, plan.top, plan.out_zip, sl.needles, plan.overwrite, plan.what)
    files = sorted([*files, "handoff.json"])
    return HandoffResult(plan.out_zip, reg, slug, str(q), bool(plan.anonymise), plan.key_source, reports, files, rendered)


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

    The layout and the decisions (reuse of reports, pseudonyms, isolation check, overwriting) are in the module docstring.

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
        Parameter overrides as for ``custlib render``; ``handoff.key=SECRET`` sets the pseudonym key (not a parameter, never packed).
    seed : int, optional
        Derive the pseudonym key from this number when no key is given (reproducible but guessable: use a secret key for clients).
    key : str or bytes, optional
        Pseudonym key (wins over ``handoff.key``, the environment and ``seed``).
    notebooks : "all" or names
        Which report notebooks to pack and render.
    params_dir : path, optional
        The params folder (default: the ``params/`` folder beside ``data`` or a parent of it, else ``./params`` or a parent's).
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
        The data breaks the contract, the region's slice would not re-run (e.g. its last order is before the quarter's end),
        or a customer of another region (or an original name, when anonymising) was found in the package.
    ParamsError
        Bad parameters, an unknown region, more than one region, a bad quarter.
    RenderError
        ``out_zip`` exists and ``overwrite`` is False.
    """
    req, con, source = _open_request(data, region, sets, notebooks, params_dir, key)
    try:
        plan = _plan(con, req, quarter, out_zip, anonymise, overwrite, seed, source)
        sl = _take_slice(con, plan.region, plan.quarter, plan.params, plan.key_bytes, allow)
        sl.pooled = plan.pooled
        with _work_dir() as work:
            counts = stage_data(work / "pkg", sl, plan.region, plan.quarter, req.params_sets, req.params_dir / "defaults.yaml")
            refuse_leaks(find_leaks(work / "pkg", sl.needles), plan.out_zip, plan.what)  # data and parameters: before spending a render
            got, rendered = _reports(data, con, source, sl, plan, req.notebooks, reports_dir, work, jobs)
            con.close()  # the source is not read again
            return _package(work / "pkg", plan, req, sl, got, counts, rendered)
    finally:
        con.close()


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
    h.add_argument(
        "--params",
        type=Path,
        default=None,
        help="params folder (default: the params/ folder beside --data or a parent of it, else ./params)",
    )
    h.add_argument("--jobs", type=int, default=None, help="notebook runs at a time when rendering (default: number of cores)")
    h.add_argument("--allow", action="append", default=[], metavar="TEXT", help="a customer name that is an ordinary word here")
    h.add_argument("--force", action="store_true", help="replace the zip if it exists")
    h.set_defaults(func=_cmd_handoff)
    return h
