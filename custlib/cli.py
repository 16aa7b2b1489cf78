"""The ``custlib`` command.

Exit codes (distinct, and listed in the README's Guarantees):

- 0 success;
- 1 some reports failed (the others are published; the index says which and why);
- 2 bad input, bad parameters or a refused run (the message names the file, column,
  row or key), with earlier reports left as they were;
- 3 internal error: a bug in custlib; the message gives the path of the traceback log;
- 130 stopped by Ctrl-C (SIGINT), 143 stopped by SIGTERM (a shell's 128 + the signal's number):
  ``render`` kills its workers at once, without waiting for their notebooks, publishes nothing
  of the run and leaves the reports, index and manifest published before as they were
  (see :mod:`custlib.run.publish`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from custlib.exceptions import CustlibError, Stopped

EXIT_OK, EXIT_REPORTS_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_SIGINT, EXIT_SIGTERM = 130, 143


def _params_dir(args) -> Path:
    """``--params``, else the ``params/`` folder of ``--data``'s project or of the working directory."""
    from custlib.io.params import find_params_dir

    return args.params if args.params is not None else find_params_dir(data=getattr(args, "data", None))


def _cmd_validate(args) -> int:
    from custlib.io.params import load_params
    from custlib.io.validate import validate_source

    rules = load_params(None, _params_dir(args), args.set).get("validation")
    from custlib.io.data import data_coverage
    from custlib.io.periods import describe_coverage

    con, source, res = validate_source(args.data, rules)
    coverage = data_coverage(con, source)
    con.close()
    rows = ", ".join(f"{t}: {n:,} rows" for t, n in res.rows.items())
    print(f"{source.location}: valid ({rows})")
    print(f"  {describe_coverage(coverage)}")
    if source.mapping is not None:
        from custlib.io.mapping import describe_exclusions

        for line in describe_exclusions(source):
            print(f"  {line}")
    return EXIT_OK


def _cmd_sample(args) -> int:
    import importlib.util

    if importlib.util.find_spec("pyarrow") is None:  # a hand-off's environment: reports only
        raise CustlibError(
            "making sample data needs pyarrow, which this environment lacks (a hand-off installs only what a report run "
            "needs); install it at the workbook's version (pyarrow in the workbook's requirements.txt)"
        )
    from custlib.io.sample import generate_sample

    paths = generate_sample(args.out, customers=args.customers, regions=args.regions, seed=args.seed)
    for name, p in paths.items():
        print(f"{name}: {p}")
    return EXIT_OK


def _cmd_render(args) -> int:
    from custlib.run.runner import render

    res = render(
        args.data,
        quarter=None if args.quarter in (None, "latest") else args.quarter,
        regions=args.regions,
        notebooks=args.notebooks,
        out=args.out,
        jobs=args.jobs,
        sets=args.set,
        params_dir=_params_dir(args),
        progress=not args.quiet,
        force=args.force,
        scheduler=args.scheduler,
    )
    ok = len(res.outcomes) - len(res.failed)
    print(f"{ok} of {len(res.outcomes)} reports rendered for {res.quarter}")
    for o in res.skipped:
        print(f"skipped {o.region}/{o.notebook}: inputs unchanged since the last run (use --force)")
    for o in res.failed:
        print(f"FAILED {o.region}/{o.notebook}: {o.error.splitlines()[0] if o.error else 'unknown error'}", file=sys.stderr)
    print(f"index: {res.index}")
    return EXIT_REPORTS_FAILED if res.failed else EXIT_OK


def _cmd_params(args) -> int:
    from custlib.io.params import load_params

    print(json.dumps(load_params(args.region, args.params, args.set), indent=2, ensure_ascii=False))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="custlib", description="Customer development workbook: validate data, make sample data, render reports."
    )
    sub = p.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="check a data source against the data contract")
    v.add_argument("--data", required=True, help="directory of tables, or an SQLAlchemy URL")
    v.add_argument(
        "--params",
        type=Path,
        default=None,
        help="params folder (default: the params/ folder beside --data or a parent of it, else ./params or a parent's)",
    )
    v.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="override a parameter, e.g. validation.min_date=1997-01-01"
    )
    v.set_defaults(func=_cmd_validate)

    s = sub.add_parser("sample-data", help="write the seeded sample dataset as Parquet")
    s.add_argument("--out", required=True, type=Path, help="folder to write into")
    s.add_argument("--customers", type=int, default=5000, help="number of customers (default 5000)")
    s.add_argument("--regions", type=int, default=6, help="number of regions (default 6)")
    s.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    s.set_defaults(func=_cmd_sample)

    r = sub.add_parser("render", help="render the report notebooks per region into HTML")
    r.add_argument("--data", default="data/sample", help="directory of tables, or an SQLAlchemy URL (default data/sample)")
    r.add_argument("--quarter", default=None, help="e.g. 2026Q3 (default: latest complete quarter in the data)")
    r.add_argument("--regions", default="all", help="'all' or comma-separated regions as in the data (case-insensitive)")
    r.add_argument("--notebooks", default="all", help="'all' or comma-separated notebook names, e.g. 00_overview_region")
    r.add_argument("--out", default="reports", type=Path, help="output folder (default reports)")
    r.add_argument("--jobs", type=int, default=None, help="runs at a time (default: number of cores)")
    r.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a parameter for this run, e.g. report.lang=zh")
    r.add_argument(
        "--params",
        type=Path,
        default=None,
        help="params folder (default: the params/ folder beside --data or a parent of it, else ./params or a parent's)",
    )
    r.add_argument(
        "--scheduler",
        default=None,
        metavar="tcp://HOST:PORT",
        help="run regions on this Dask distributed cluster (the data path must be reachable from every worker)",
    )
    r.add_argument("--force", action="store_true", help="render every report, even those whose inputs are unchanged since the last run")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.set_defaults(func=_cmd_render)

    m = sub.add_parser("params", help="print the merged, validated parameters for a region")
    m.add_argument("--region", default=None)
    m.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    m.add_argument("--params", type=Path, default=None)
    m.set_defaults(func=_cmd_params)

    from custlib.handoff.pack import add_parser as add_handoff_parser

    add_handoff_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "jobs", None) is not None and args.jobs < 1:
        print("custlib: error: --jobs must be at least 1", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print(f"custlib {args.command}: stopped by Ctrl-C", file=sys.stderr)
        return EXIT_SIGINT
    except Stopped as err:
        import signal

        print(f"custlib {args.command}: stopped by {signal.Signals(err.signum).name}", file=sys.stderr)
        return err.code  # EXIT_SIGTERM for SIGTERM
    except CustlibError as err:
        print(f"custlib {args.command}: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as err:  # noqa: BLE001 - any other exception is a bug: say so, keep the traceback, exit 3
        log = crash_log(args.command)
        print(
            f"custlib {args.command}: internal error ({type(err).__name__}: {err}); this is a bug in custlib, not a problem "
            f"with your input. The traceback is in {log}",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def crash_log(command: str) -> Path:
    """Write the current exception's traceback to a new file in the temp folder's ``custlib-logs`` and return its path."""
    import tempfile
    import time
    import traceback

    folder = Path(tempfile.gettempdir()) / "custlib-logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{command}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    path.write_text(f"custlib {' '.join(sys.argv[1:])}\n\n{traceback.format_exc()}", encoding="utf-8")
    return path


if __name__ == "__main__":
    sys.exit(main())
