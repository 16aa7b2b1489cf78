"""The ``makebuy`` parameter section: its JSON Schema, validation with defaults, dotted paths.

The schema (``custlib/io/schemas/makebuy.json``) checks types, ranges and unknown
fields; :func:`validate_params` also requires every field without a default and
checks what a schema cannot say (ascending tiers, valid tornado ranges).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from custlib.exceptions import ParamsError

SECTION = "makebuy"
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "io" / "schemas" / "makebuy.json"


@cache
def _schema_text() -> str:
    return SCHEMA_PATH.read_text(encoding="utf-8")


def load_schema() -> dict:
    """The JSON Schema of the ``makebuy`` section (a fresh copy)."""
    return json.loads(_schema_text())


def _resolve(sub: dict, defs: dict) -> dict:
    while isinstance(sub, dict) and "$ref" in sub:
        name = sub["$ref"].rsplit("/", 1)[-1]
        sub = {**defs[name], **{k: v for k, v in sub.items() if k != "$ref"}}
    return sub


_TYPE_WORDS = {
    "number": "a number",
    "integer": "an integer",
    "string": "a text",
    "object": "a mapping",
    "array": "a list",
    "boolean": "true or false",
    "null": "null",
}


def _expected(sub: dict, defs: dict) -> str:
    """Plain words for what a schema accepts: ``'a number > 0 and <= 1'``."""
    sub = _resolve(sub, defs)
    if "enum" in sub:
        return "one of " + ", ".join(repr(v) for v in sub["enum"])
    types = sub.get("type", [])
    types = [types] if isinstance(types, str) else list(types)
    words = " or ".join(_TYPE_WORDS.get(t, t) for t in types if t != "null") or "a value"
    bounds = []
    for key, op in (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="), ("exclusiveMaximum", "<")):
        if key in sub:
            bounds.append(f"{op} {sub[key]:g}")
    if bounds:
        words += " " + " and ".join(bounds)
    if "null" in types:
        words = f"null or {words}"
    if sub.get("minLength"):
        words = "a non-empty text"
    if "minItems" in sub and sub.get("minItems") == sub.get("maxItems"):
        words += f" of {sub['minItems']} items"
    elif sub.get("minItems"):
        words += f" with at least {sub['minItems']} item(s)"
    if sub.get("minProperties"):
        words += f" with at least {sub['minProperties']} entry"
    return words


def _got(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _dotted(prefix: str, path) -> str:
    out = prefix
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def _schema_messages(instance, schema: dict, defs: dict, prefix: str) -> list[str]:
    """Every schema violation as ``'<path>: expected ..., got ...'``."""
    from custlib._lightimport import jsonschema as _jsonschema

    jsonschema = _jsonschema()

    validator = jsonschema.Draft202012Validator(schema)
    messages = []
    for err in sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path]):
        where = _dotted(prefix, err.absolute_path)
        sub = _resolve(err.schema, defs) if isinstance(err.schema, dict) else {}
        if err.validator == "additionalProperties" and sub.get("additionalProperties") is False:
            known = sorted(sub.get("properties", {}))
            for extra in sorted(set(err.instance) - set(known)):
                messages.append(f"{where}.{extra}: unknown field (expected one of: {', '.join(known)})")
        elif err.validator in ("propertyNames", "pattern"):
            want = (
                "a dotted input path such as make.labour.learning_rate"
                if where.endswith(".sensitivity")
                else "lower-case letters, digits and _"
            )
            messages.append(f"{where}: expected names of {want}, got {err.instance!r}")
        elif err.validator in ("items", "prefixItems"):
            messages.append(f"{where}: expected {_expected(sub, defs)}, got {_got(err.instance)}")
        elif err.validator in (
            "type",
            "enum",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "minItems",
            "maxItems",
            "minLength",
            "maxLength",
            "minProperties",
        ):
            messages.append(f"{where}: expected {_expected(sub, defs)}, got {_got(err.instance)}")
        else:  # pragma: no cover - a keyword the schema does not use today
            messages.append(f"{where}: {err.message}")
    return list(dict.fromkeys(messages))


def _fill_defaults(instance, sub: dict, defs: dict, prefix: str, missing: list[str]):
    """Copy of ``instance`` with schema defaults filled; record required fields that are absent.

    A property is required when its schema has no ``default``.
    """
    sub = _resolve(sub, defs)
    if isinstance(instance, dict):
        out = dict(instance)
        for key, prop in sub.get("properties", {}).items():
            prop_r = _resolve(prop, defs)
            if key not in out:
                if "default" in prop_r:
                    out[key] = copy.deepcopy(prop_r["default"])
                else:
                    missing.append(f"{prefix}.{key}: expected {_expected(prop_r, defs)}, got nothing (the field is missing)")
                    continue
            out[key] = _fill_defaults(out[key], prop_r, defs, f"{prefix}.{key}", missing)
        extra = sub.get("additionalProperties")
        if isinstance(extra, dict):
            for key in out:
                if key not in sub.get("properties", {}):
                    out[key] = _fill_defaults(out[key], extra, defs, f"{prefix}.{key}", missing)
        return out
    if isinstance(instance, list) and isinstance(sub.get("items"), dict):
        return [_fill_defaults(v, sub["items"], defs, f"{prefix}[{i}]", missing) for i, v in enumerate(instance)]
    return copy.deepcopy(instance)


def _raise(messages: list[str], source: str | None) -> None:
    if messages:
        head = f"{source}: " if source else ""
        if len(messages) == 1:
            raise ParamsError(head + messages[0])
        raise ParamsError(head + f"{len(messages)} problems in the make-vs-buy parameters:\n- " + "\n- ".join(messages))


def get_path(spec: Mapping, path: str):
    """The value at dotted ``path`` (``"make.labour.learning_rate"``); KeyError if there is none."""
    node = spec
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise KeyError(path)
        node = node[part]
    return node


def set_path(spec: dict, path: str, value) -> dict:
    """A deep copy of ``spec`` with the value at dotted ``path`` replaced."""
    out = copy.deepcopy(spec)
    node = out
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value
    return out


def leaf_schema(path: str, defs: dict) -> dict:
    """The schema of the case input at dotted ``path``."""
    sub = _resolve(defs["case"], defs)
    for part in path.split("."):
        sub = _resolve(sub.get("properties", {}).get(part, {}), defs)
    return sub


def _case_rules(name: str, case: dict, defs: dict, key: str = "cases") -> list[str]:
    """The rules a schema cannot say: ascending tiers, valid tornado ranges (``key``: ``cases`` or ``example_cases``)."""
    where = f"{SECTION}.{key}.{name}"
    msgs = []
    for opt, key in (("make", "material_volume_discounts"), ("buy", "volume_discounts")):
        tiers = case[opt][key]
        for i in range(1, len(tiers)):
            if not tiers[i]["min_units"] > tiers[i - 1]["min_units"]:
                msgs.append(
                    f"{where}.{opt}.{key}[{i}].min_units: expected more than the previous tier's "
                    f"{tiers[i - 1]['min_units']:g} (tiers ascending), got {tiers[i]['min_units']:g}"
                )
    for path, (low, high) in case["sensitivity"].items():
        spot = f"{where}.sensitivity.{path}"
        try:
            base = get_path(case, path)
        except KeyError:
            msgs.append(f"{spot}: expected the path of a numeric input such as make.labour.learning_rate, got {path!r} (no such field)")
            continue
        if isinstance(base, bool) or not isinstance(base, int | float):
            msgs.append(f"{spot}: expected the path of a numeric input, got {path!r} (holds {_got(base)})")
            continue
        if low > high:
            msgs.append(f"{spot}: expected [low, high] with low <= high, got [{low:g}, {high:g}]")
            continue
        leaf = leaf_schema(path, defs)
        for v in (low, high):
            if _schema_messages(v, leaf, defs, spot):
                msgs.append(f"{spot}: expected [low, high] within {_expected(leaf, defs)}, got [{low:g}, {high:g}]")
                break
    return msgs


def validate_case(name: str, spec: Mapping, *, source: str | None = None) -> dict:
    """Check one case and return a copy with defaults filled.

    Parameters
    ----------
    name : str
        Case name (the key under ``makebuy.cases``).
    spec : mapping
        The case's parameters.
    source : str, optional
        File or origin named at the start of the message.

    Returns
    -------
    dict

    Raises
    ------
    ParamsError
        Every problem, each as ``"makebuy.cases.<case>.<field>: expected ..., got ..."``.
    """
    schema = load_schema()
    defs = schema["$defs"]
    prefix = f"{SECTION}.cases.{name}"
    case_schema = {"$schema": schema["$schema"], "$defs": defs, "$ref": "#/$defs/case"}
    _raise(_schema_messages(dict(spec) if isinstance(spec, Mapping) else spec, case_schema, defs, prefix), source)
    missing: list[str] = []
    out = _fill_defaults(dict(spec), defs["case"], defs, prefix, missing)
    _raise(missing, source)
    _raise(_case_rules(name, out, defs), source)
    return out


def validate_params(section: Mapping, *, source: str | None = None) -> dict:
    """Check a merged ``makebuy`` section; return a copy with defaults filled.

    The JSON Schema (``custlib/io/schemas/makebuy.json``) checks types, ranges and
    unknown fields; this function also requires every field that has no
    default (override files may be partial, the merged section may not) and
    checks what a schema cannot: tiers ascending, tornado ranges valid,
    scorecard weights not all zero.

    Parameters
    ----------
    section : mapping
        ``params["makebuy"]``.
    source : str, optional
        File or origin named at the start of the message.

    Returns
    -------
    dict

    Raises
    ------
    ParamsError
        Listing every problem as ``"makebuy.cases.<case>.<field>: expected ..., got ..."``.
    """
    if not isinstance(section, Mapping):
        _raise([f"{SECTION}: expected a mapping, got {_got(section)}"], source)
    schema = load_schema()
    defs = schema["$defs"]
    _raise(_schema_messages(dict(section), schema, defs, SECTION), source)
    missing: list[str] = []
    out = _fill_defaults(dict(section), schema, defs, SECTION, missing)
    _raise(missing, source)
    msgs = []
    if sum(out["scorecard_weights"].values()) <= 0:
        msgs.append(f"{SECTION}.scorecard_weights: expected at least one weight > 0, got all 0")
    for key in ("cases", "example_cases"):
        for name, case in out[key].items():
            msgs += _case_rules(name, case, defs, key)
    _raise(msgs, source)
    return out
