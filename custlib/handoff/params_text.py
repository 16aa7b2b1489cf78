"""The packed parameters file: the workbook's ``defaults.yaml``, comments and all, with other values written in.

:func:`overlay` edits the text of a block-style YAML file so that it reads as
another mapping, line by line: a changed value is written on its key's line
(flow style, the line's comment kept), a new key is added under its parent,
a removed key's lines are dropped; every other line, comments included,
stays as it was. The result is read back and compared with the wanted
mapping; when the text is beyond this (anchors, a document that is not a
mapping, keys it cannot place), :func:`overlay` returns None and the caller
writes the mapping without comments.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import yaml

_KEY = re.compile(r"""^(?P<indent> *)(?P<key>"[^"]*"|'[^']*'|[^\s#'"\-?][^:#]*?)\s*:(?:[ \t]+(?P<rest>.*?))?\s*$""")


@dataclass
class _Entry:
    """One ``key:`` line: where it is, how deep, where its value's lines end, and its inline value and comment."""

    line: int
    indent: int
    key_text: str
    value: str  # inline value text, "" for a block opener
    comment: str  # inline comment with its leading spaces, or ""
    end: int = -1


def _flow(value) -> str:
    """``value`` as one line of flow-style YAML."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=float("inf"), sort_keys=False)
    text = text.strip()
    return text[: -len("...")].strip() if text.endswith("\n...") or text == "..." else text


def _split_comment(rest: str) -> tuple[str, str]:
    """An inline value and its comment (``"15   # rows"`` -> ``("15", "   # rows")``)."""
    if not rest or rest.startswith("#"):
        return "", (" " + rest if rest else "")
    try:
        whole = yaml.safe_load(rest)
    except yaml.YAMLError:
        return rest, ""
    for m in re.finditer(r"\s+#", rest):
        head = rest[: m.start()]
        try:
            if yaml.safe_load(head) == whole:
                return head, rest[m.start() :]
        except yaml.YAMLError:
            continue
    return rest, ""


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _content(line: str) -> bool:
    s = line.strip()
    return bool(s) and not s.startswith("#")


def _entries(lines: list[str]) -> dict[tuple, _Entry] | None:
    """Every mapping key of the text by its path, or None for a shape this module does not edit."""
    out: dict[tuple, _Entry] = {}
    stack: list[tuple[int, tuple]] = []
    opaque: int | None = None  # inside the value of a key at this indent (a sequence, a multi-line scalar)
    for i, line in enumerate(lines):
        if not _content(line):
            continue
        ind, stripped = _indent(line), line.strip()
        if stripped.startswith(("---", "...", "%", "&", "*", "!")) and ind == 0:
            return None
        if opaque is not None and (ind > opaque or (ind == opaque and stripped.startswith("-"))):
            continue
        opaque = None
        m = _KEY.match(line)
        if m is None:
            if stripped.startswith("-") and stack:  # a block sequence: the value of the key above
                opaque = stack[-1][0]
                continue
            return None
        while stack and stack[-1][0] >= ind:
            stack.pop()
        key = yaml.safe_load(m["key"])
        path = (stack[-1][1] if stack else ()) + (key,)
        value, comment = _split_comment(m["rest"] or "")
        out[path] = _Entry(i, ind, m["key"], value, comment)
        if value:
            opaque = ind  # continuation lines of a flow value or a multi-line scalar
        else:
            stack.append((ind, path))
    for e in out.values():
        e.end = e.line
        for j in range(e.line + 1, len(lines)):
            if not _content(lines[j]):
                continue
            ind = _indent(lines[j])
            if ind > e.indent or (ind == e.indent and lines[j].strip().startswith("-")):
                e.end = j
            else:
                break
    return out


def _diff(base, target, path: tuple = ()):
    """("set", path, value) and ("del", path) steps that turn ``base`` into ``target`` (mappings merge key by key)."""
    if isinstance(base, dict) and isinstance(target, dict):
        for k in base:
            if k not in target:
                yield ("del", path + (k,), None)
        for k, v in target.items():
            if k in base:
                yield from _diff(base[k], v, path + (k,))
            else:
                yield ("set", path + (k,), v)
    elif type(base) is not type(target) or base != target:
        yield ("set", path, target)


def _get(tree, path: tuple):
    for k in path:
        tree = tree[k]
    return tree


def _actions(entries: dict[tuple, _Entry], target: dict, steps) -> dict[tuple, str] | None:
    """What to do per path: ``"replace"`` (write the path's value on its line), ``"delete"`` or ``"insert"`` (a new key)."""
    acts: dict[tuple, str] = {}
    for op, path, _ in steps:
        if not path:
            return None
        q = next((path[:n] for n in range(len(path), 0, -1) if path[:n] in entries), ())
        if q == path:
            acts[path] = "delete" if op == "del" else "replace"
        elif q and entries[q].value:  # inside a flow value on q's line: write q's whole value again
            acts[q] = "replace"
        elif op == "del":
            return None
        else:
            acts[path[: len(q) + 1]] = "insert"
    # an action on a path inside another action's path is already done by it
    return {p: a for p, a in acts.items() if not any(p[:n] in acts for n in range(1, len(p)))}


def _child_indent(entries: dict[tuple, _Entry], parent: tuple) -> int:
    kids = [e.indent for p, e in entries.items() if len(p) == len(parent) + 1 and p[: len(parent)] == parent]
    if kids:
        return min(kids)
    return entries[parent].indent + 2 if parent else 0


def _line(e: _Entry, value: str) -> str:
    """``e``'s key line with a new value, its comment kept in the same column where the value leaves room."""
    if not e.comment:
        return f"{' ' * e.indent}{e.key_text}: {value}"
    comment = e.comment.lstrip()
    width = len(e.value) + len(e.comment) - len(comment) if e.value else len(e.comment) - len(comment)
    return f"{' ' * e.indent}{e.key_text}: {value}{' ' * max(1, width - len(value))}{comment}"


def overlay(text: str, target: dict) -> str | None:
    """``text`` (a YAML mapping in block style) edited to read as ``target``, comments and layout kept; None if it cannot.

    Each changed value is written in flow style on its key's line, keeping that line's
    comment; a key ``text`` lacks is added after its parent's block; a key ``target``
    lacks is removed with its lines. The result is read back and must equal ``target``.
    """
    lines = text.split("\n")
    try:
        base = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    entries = _entries(lines)
    if not isinstance(base, dict) or not isinstance(target, dict) or entries is None:
        return None
    acts = _actions(entries, target, _diff(base, target))
    if acts is None:
        return None
    replace: dict[int, tuple[int, list[str]]] = {}
    inserts: dict[int, list[str]] = {}
    for path, act in sorted(acts.items(), key=lambda pa: [str(k) for k in pa[0]]):
        if act == "insert":
            parent = path[:-1]
            after = entries[parent].end if parent else len(lines) - 1
            while not parent and after > 0 and not lines[after].strip():
                after -= 1
            pad = " " * _child_indent(entries, parent)
            inserts.setdefault(after, []).append(f"{pad}{_flow(path[-1])}: {_flow(_get(target, path))}")
            continue
        e = entries[path]
        new = [] if act == "delete" else [_line(e, _flow(_get(target, path)))]
        replace[e.line] = (e.end, new)
    out: list[str] = []
    i = 0
    while i < len(lines):
        if i in replace:
            end, new = replace[i]
            out.extend(new)
            for j in range(i, end + 1):
                out.extend(inserts.get(j, []))
            i = end + 1
            continue
        out.append(lines[i])
        out.extend(inserts.get(i, []))
        i += 1
    result = "\n".join(out)
    try:
        back = yaml.safe_load(result)
    except yaml.YAMLError:  # pragma: no cover - every line written is checked YAML
        return None
    same = json.dumps(back, sort_keys=True, default=str) == json.dumps(target, sort_keys=True, default=str)
    return result if same else None
