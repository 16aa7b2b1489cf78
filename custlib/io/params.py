"""Parameters: defaults, per-region overrides and one-run ``--set`` values.

Order of precedence (later wins), merged key by key (mappings merge, lists
and scalars replace):

1. ``params/defaults.yaml``
2. ``params/regions/<region-slug>.yaml`` (optional)
3. ``--set section.key=value`` on the command line (the value is read as YAML)

Each layer is checked on its own against the schema (one JSON Schema per
section in ``custlib/io/schemas/<section>.json``) so that a bad or unknown key
is reported with the file it came from; the merged result is checked again.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from functools import lru_cache
from pathlib import Path

from custlib._lightimport import jsonschema as _jsonschema
from custlib.exceptions import ParamsError
from custlib.io.data import slugify
from custlib.io.yamlfile import YamlError, load_file, load_text

jsonschema = _jsonschema()

SCHEMA_DIR = Path(__file__).parent / "schemas"


def find_params_dir(start: Path | None = None, data: str | Path | None = None) -> Path:
    """The ``params/`` folder holding ``defaults.yaml``: the data's project's, else the working directory's.

    Looked for first beside the data folder ``data`` and in its parents (so a command run
    from anywhere finds the parameters of the project, or hand-off package, that holds the
    data), then beside ``start`` (default: the working directory) and in its parents.
    A database URL has no folder: only ``start`` is searched.

    Raises
    ------
    ParamsError
        No ``params/defaults.yaml`` in any of those folders; the message says how to give it (``--params``).
    """
    places = []
    if data is not None and "://" not in str(data):
        folder = Path(data).expanduser().resolve()
        places.append(folder if folder.is_dir() else folder.parent)
    places.append((start or Path.cwd()).resolve())
    for here in dict.fromkeys(places):
        for d in (here, *here.parents):
            if (d / "params" / "defaults.yaml").is_file():
                return d / "params"
    where = " nor in ".join(str(p) for p in dict.fromkeys(places))
    raise ParamsError(
        f"params/defaults.yaml not found in {where} or any parent folder; "
        "give the parameters folder (the one holding defaults.yaml) with --params DIR"
    )


@lru_cache(maxsize=1)
def schema() -> dict:
    """The whole parameter schema: one property per section file."""
    props = {}
    for f in sorted(SCHEMA_DIR.glob("*.json")):
        props[f.stem] = json.loads(f.read_text(encoding="utf-8"))
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "additionalProperties": False, "properties": props}


def deep_merge(base: dict, over: dict) -> dict:
    """A new dict: ``over`` merged into ``base`` (mappings merge, the rest replaces)."""
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


@lru_cache(maxsize=1)
def _validator():
    """The schema's validator, built once per process (building it costs more than a check)."""
    return jsonschema.Draft202012Validator(schema())


def _path(err: jsonschema.ValidationError) -> str:
    return ".".join(str(p) for p in err.absolute_path)


def check(values: dict, origin: str) -> None:
    """Raise :class:`ParamsError` naming the key and ``origin`` for the first bad value.

    Unknown keys are reported as such; the other messages say what was expected.
    """
    if not isinstance(values, dict):
        raise ParamsError(f"{origin}: expected a mapping of sections (report:, run:, ...), got {type(values).__name__}")
    errors = sorted(_validator().iter_errors(values), key=lambda e: (len(e.absolute_path), _path(e)))
    if not errors:
        return
    err = errors[0]
    where = _path(err)
    if err.validator == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        extra = sorted(set(err.instance) - set(allowed))
        key = ".".join(filter(None, [where, extra[0] if extra else ""]))
        raise ParamsError(f"{origin}: unknown key '{key}' (known here: {', '.join(allowed)})")
    desc = err.schema.get("description")
    hint = f" ({desc})" if desc else ""
    raise ParamsError(f"{origin}: '{where or '<top>'}' {err.message}{hint}")


#: parsed and checked params files, keyed by path, size and modification time (see :func:`_read_checked`)
_CHECKED: dict = {}


def read_yaml(path: Path) -> dict:
    """Load a params file; an empty file is an empty mapping."""
    try:
        data = load_file(path)
    except YamlError as err:
        raise ParamsError(str(err)) from err
    return data or {}


def _read_checked(path: Path) -> dict:
    """:func:`read_yaml` then :func:`check`, remembered while the file is unchanged; returns a fresh copy.

    A run loads ``defaults.yaml`` once per region (and each report kernel loads it again):
    reading and checking it once per process is enough.
    """
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _CHECKED:
        values = read_yaml(path)
        check(values, str(path))
        _CHECKED[key] = values
    return copy.deepcopy(_CHECKED[key])


def parse_sets(items: list[str] | None) -> dict:
    """``["a.b=3", "c=x"]`` -> ``{"a": {"b": 3}, "c": "x"}`` (values read as YAML).

    Raises
    ------
    ParamsError
        An item has no ``=`` or an empty key.
    """
    out: dict = {}
    for item in items or []:
        if "=" not in item:
            raise ParamsError(f"--set {item!r}: expected key=value, e.g. report.lang=zh")
        key, raw = item.split("=", 1)
        parts = [p.strip() for p in key.split(".")]
        if not all(parts):
            raise ParamsError(f"--set {item!r}: the key {key!r} is empty or has an empty part")
        try:
            value = load_text(raw, f"--set {item!r}") if raw.strip() else ""
            if isinstance(value, dt.date):  # YAML reads 1997-01-01 as a date; parameters hold dates as text
                value = raw.strip()
        except YamlError as err:
            raise ParamsError(str(err)) from err
        node = out
        for p in parts[:-1]:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                raise ParamsError(f"--set {item!r}: {p!r} is set twice, once as a value")
        node[parts[-1]] = value
    return out


#: Largest seed: NumPy and scikit-learn take seeds in 0..2**32-1.
MAX_SEED = 2**32 - 1


def _get(values: dict, key: str):
    node = values
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def relation_problems(values: dict) -> list[str]:
    """Checks across fields that a JSON schema cannot say, each naming its key and what was expected.

    ABC cut-offs rising, ``k_min <= k_max``, seeds that NumPy accepts, pyramid shares summing
    to 1 and volume-discount tiers in rising order; run before anything is read or written.
    """
    problems = []
    cut = _get(values, "abc.cutoffs")
    if isinstance(cut, list) and len(cut) == 2 and not cut[0] < cut[1]:
        problems.append(
            f"'abc.cutoffs' {cut}: the first cut-off (end of class A) must be below the second (end of class B), e.g. [0.8, 0.95]"
        )
    k_min, k_max = _get(values, "segmentation.clusters.k_min"), _get(values, "segmentation.clusters.k_max")
    if isinstance(k_min, int) and isinstance(k_max, int) and k_min > k_max:
        problems.append(f"'segmentation.clusters.k_min' {k_min} is above 'segmentation.clusters.k_max' {k_max}")
    for key in ("run.seed", "makebuy.seed"):
        seed = _get(values, key)
        if isinstance(seed, int) and not 0 <= seed <= MAX_SEED:
            problems.append(f"'{key}' {seed}: a seed is an integer from 0 to {MAX_SEED} (2**32 - 1)")
    tiers = _get(values, "segmentation.pyramid.tiers")
    shares = [t.get("share") for t in tiers or [] if isinstance(t, dict)]
    if shares and all(isinstance(x, (int, float)) for x in shares) and abs(sum(shares) - 1) > 1e-6:
        problems.append(f"'segmentation.pyramid.tiers' shares sum to {sum(shares):g}; they must sum to 1")
    for where in ("makebuy.cases", "makebuy.example_cases"):
        for case, spec in (_get(values, where) or {}).items():
            for key in ("buy.volume_discounts", "make.material_volume_discounts"):
                steps = _get(spec, key) if isinstance(spec, dict) else None
                units = [t.get("min_units") for t in steps or [] if isinstance(t, dict)]
                if all(isinstance(u, (int, float)) for u in units) and any(b <= a for a, b in zip(units, units[1:], strict=False)):
                    problems.append(f"'{where}.{case}.{key}' min_units {units}: the tiers must rise")
    return problems


#: The currency of amounts when neither the parameters nor a source mapping name one.
DEFAULT_CURRENCY = "CNY"


def with_source_currency(params: dict, currency: str | None) -> dict:
    """``params`` with ``report.currency`` set from the source mapping's currency when the parameters leave it null.

    A currency given in the parameters (defaults, region file or ``--set``) wins; with neither, CNY.
    """
    report = params.setdefault("report", {})
    if not report.get("currency"):
        report["currency"] = currency or DEFAULT_CURRENCY
    return params


def check_relations(values: dict, origin: str) -> None:
    """Raise :class:`ParamsError` listing every :func:`relation_problems` entry, naming ``origin``."""
    problems = relation_problems(values)
    if problems:
        raise ParamsError(f"{origin}: " + "; ".join(problems))


def load_params(region: str | None = None, params_dir: Path | str | None = None, sets: list[str] | dict | None = None) -> dict:
    """Merged, validated parameters for one region.

    Parameters
    ----------
    region : str, optional
        Region name as in the data; its override file is
        ``regions/<slugify(region)>.yaml``.
    params_dir : path, optional
        Folder holding ``defaults.yaml``; found from the working directory by default.
    sets : list of "key=value" or dict, optional
        One-run overrides.

    Returns
    -------
    dict

    Raises
    ------
    ParamsError
        A file is missing or not YAML, or a key is unknown or has a bad value;
        the message names the key and the file (or ``--set``). A region's file
        may not set ``report.min_customers`` (the run's pooling, :mod:`custlib.io.pooling`).
    """
    pdir = Path(params_dir) if params_dir else find_params_dir()
    defaults_path = pdir / "defaults.yaml"
    if not defaults_path.is_file():
        raise ParamsError(f"{defaults_path}: not found")
    merged = _read_checked(defaults_path)
    if region:
        rpath = pdir / "regions" / f"{slugify(region)}.yaml"
        if rpath.is_file():
            over = _read_checked(rpath)
            if "min_customers" in (over.get("report") or {}):
                raise ParamsError(
                    f"{rpath}: 'report.min_customers' decides which regions are pooled, one value for the whole run; "
                    f"set it in {defaults_path} or with --set"
                )
            merged = deep_merge(merged, over)
            check(merged, f"{rpath} merged over {defaults_path}")
    if sets:
        over = parse_sets(sets) if isinstance(sets, list) else sets
        check(over, "--set")
        merged = deep_merge(merged, over)
        check(merged, "--set merged over the params files")
    check_relations(merged, f"{pdir}" + (f" (region {region})" if region else "") + (" with --set" if sets else ""))
    return merged
