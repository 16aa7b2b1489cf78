"""The package's structure: imports go one way between layers, modules and functions stay small.

Layers, lowest first: the core (``exceptions``, ``_lightimport``), ``io`` (contract,
mapping, loading, validation, parameters), ``analysis`` (pure computations),
``present`` (messages, numbers, tables, charts), ``reports`` (what each notebook's
report is made of), ``run`` (runner, workers, cluster, index and roll-up),
``handoff``, and the command line. A module may import from its own layer and
the layers below it, never above.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "custlib"
RANK = {"core": 0, "io": 1, "analysis": 2, "present": 3, "reports": 4, "run": 5, "handoff": 6, "cli": 7}
MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 80

#: Modules over the size limit, with the reason (none may be added without one).
LARGE_MODULES: dict[str, str] = {}
#: Functions over the size limit, with the reason.
LARGE_FUNCTIONS: dict[str, str] = {}
#: Private names imported across modules, and import cycles, not yet untangled.
KNOWN_PRIVATE_IMPORTS: set[str] = set()
KNOWN_CYCLES: set[tuple[str, str]] = set()


def test_every_listed_exception_is_still_needed():
    """An exception that no longer applies must leave its list (the lists only shrink)."""
    mods = dict(modules())
    for name in LARGE_MODULES:
        assert name in mods and len(mods[name].read_text(encoding="utf-8").splitlines()) > MAX_MODULE_LINES, (
            f"{name}: remove from LARGE_MODULES"
        )


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def layer(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) == 1:
        return "core"
    if parts[1] in RANK:
        return parts[1]
    if parts[1] in ("exceptions", "_lightimport", "__init__"):
        return "core"
    if parts[1] == "cli":
        return "cli"
    return None


def imported(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):  # imports for type checkers only make no run-time dependency
        if isinstance(node, ast.If) and getattr(node.test, "id", getattr(node.test, "attr", None)) == "TYPE_CHECKING":
            node.body = []
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("custlib")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                raise AssertionError(f"{module}: relative import (use absolute custlib.* imports)")
            if node.module and node.module.startswith("custlib"):
                out.add(node.module)
                out |= {f"{node.module}.{a.name}" for a in node.names}
    return out


def resolve(name: str, known: set[str]) -> str | None:
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def test_imports_go_down_the_layers_only():
    mods = dict(modules())
    known = set(mods)
    wrong = []
    for mod, path in mods.items():
        if mod == "custlib":  # the package root only re-exports
            continue
        mine = layer(mod)
        assert mine is not None, f"{mod}: not in a layer ({', '.join(RANK)})"
        for target in imported(path, mod):
            tgt = resolve(target, known)
            if tgt is None or tgt == "custlib":
                continue
            if RANK[layer(tgt)] > RANK[mine]:
                wrong.append(f"{mod} ({mine}) imports {tgt} ({layer(tgt)})")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_no_private_names_imported_across_modules():
    wrong = []
    for mod, path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("custlib"):
                for a in node.names:
                    if a.name.startswith("_") and not a.name.startswith("__") and node.module != "custlib._lightimport":
                        wrong.append(f"{mod}: from {node.module} import {a.name}")
    known = {m for m, _ in modules()}
    wrong = [w for w in wrong if w.split(":")[0] in known and w not in KNOWN_PRIVATE_IMPORTS]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles_between_modules():
    mods = dict(modules())
    known = set(mods)
    graph = {m: {resolve(t, known) for t in imported(p, m)} - {None, m, "custlib"} for m, p in mods.items()}
    seen, stack, cycles = set(), [], []

    def visit(m):
        if m in stack:
            cycles.append(stack[stack.index(m) :] + [m])
            return
        if m in seen:
            return
        seen.add(m)
        stack.append(m)
        for n in sorted(graph.get(m, ())):
            visit(n)
        stack.pop()

    for m in sorted(graph):
        visit(m)
    cycles = [c for c in cycles if tuple(c[:2]) not in KNOWN_CYCLES]
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_modules_and_functions_stay_small():
    big_modules, big_functions = [], []
    for mod, path in modules():
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_MODULE_LINES and mod not in LARGE_MODULES:
            big_modules.append(f"{mod}: {n} lines")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                name = f"{mod}.{node.name}"
                if length > MAX_FUNCTION_LINES and name not in LARGE_FUNCTIONS:
                    big_functions.append(f"{name}: {length} lines")
    assert not big_modules and not big_functions, "\n".join(big_modules + big_functions)
