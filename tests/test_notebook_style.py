"""The one notebook style (notebooks/README.md), checked cell by cell on every report notebook and the template.

A report notebook reads top to bottom as:

- the title as two Markdown cells, ``lang-en`` then its ``lang-zh`` twin;
- the set-up: the imports cell, the ``parameters`` cell, the cell opening the
  report (``ctx = rp.open_report(...)``), and the cells computing what the
  executive summary needs, ending with the one cell that calls ``ctx.summary(``;
- then sections: a heading in both languages (a ``lang-en`` cell followed by its
  ``lang-zh`` twin with the same heading levels) and one code cell making at most
  two ``ctx.compute(`` calls and at most one ``ctx.show(`` or ``ctx.plot(``.

Old-style calls (module-level ``rp.show(...)``, ``rep.show(...)``, a result picked by
name as in ``show("abc")``) are refused everywhere. Outputs are never committed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("0*.ipynb"))
TEMPLATE = ROOT / "notebooks" / "template" / "NN_new_report.py"
LANG_TAGS = ("lang-en", "lang-zh")
#: what a notebook may call on the reports module besides ``ctx``'s methods
RP_CALLS = {"open_report", "use_report_style"}
MAX_COMPUTE, MAX_DISPLAY = 2, 1


def _calls(source: str) -> list[tuple[str, str, ast.Call]]:
    """``(receiver, method, node)`` of every ``name.method(...)`` call, and ``("", name, node)`` of plain ``name(...)`` calls."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
            out.append((f.value.id, f.attr, node))
        elif isinstance(f, ast.Attribute):
            out.append(("", f.attr, node))
        elif isinstance(f, ast.Name):
            out.append(("", f.id, node))
    return out


def _headings(cell) -> list[str]:
    """The Markdown heading marks of a cell in order, e.g. ``["##", "###"]``."""
    return [line.split(" ", 1)[0] for line in cell.source.splitlines() if line.startswith("#")]


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def style_problems(nb) -> list[str]:
    """Every departure of ``nb`` from the one notebook style, as readable lines (empty when it keeps the style)."""
    problems = []
    cells = nb.cells

    # outputs stripped
    for i, c in enumerate(cells):
        if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None):
            problems.append(f"cell {i}: has outputs or an execution count (commit notebooks without outputs)")

    # Markdown: every cell in one language, each lang-en cell followed by its lang-zh twin with the same headings
    md = [(i, c) for i, c in enumerate(cells) if c.cell_type == "markdown"]
    n_en = sum("lang-en" in _tags(c) for _, c in md)
    n_zh = sum("lang-zh" in _tags(c) for _, c in md)
    tagged = sum(bool(_tags(c) & set(LANG_TAGS)) for _, c in md)
    if n_en != n_zh or n_en + n_zh != tagged or tagged != len(md):
        problems.append(
            f"markdown cells: {n_en} lang-en, {n_zh} lang-zh, {len(md) - tagged} untagged (every one tagged, en and zh in pairs)"
        )
    for i, c in md:
        if "lang-en" in _tags(c):
            twin = cells[i + 1] if i + 1 < len(cells) else None
            if twin is None or twin.cell_type != "markdown" or "lang-zh" not in _tags(twin):
                problems.append(f"cell {i}: lang-en cell {_headings(c)} is not followed by its lang-zh twin")
            elif _headings(twin) != _headings(c):
                problems.append(f"cell {i}: headings {_headings(c)} but the lang-zh twin has {_headings(twin)}")

    # code: no old-style calls anywhere
    code = [(i, c) for i, c in enumerate(cells) if c.cell_type == "code"]
    for i, c in code:
        for recv, name, node in _calls(c.source):
            if recv == "rep" or (recv == "rp" and name not in RP_CALLS):
                problems.append(f"cell {i}: old-style call {recv}.{name}(...): use ctx.compute / ctx.show / ctx.plot")
            elif name in ("show", "plot") and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                problems.append(f"cell {i}: {name}({node.args[0].value!r}) picks a result by name: pass the computed result")

    # set-up ends with the one cell calling ctx.summary(; after it, sections
    summary = [k for k, (_, c) in enumerate(code) if any(r == "ctx" and n == "summary" for r, n, _ in _calls(c.source))]
    if len(summary) != 1:
        problems.append(f"{len(summary)} cells call ctx.summary( (expected exactly one, closing the set-up)")
        return problems
    for i, c in code[summary[0] + 1 :]:
        calls = [(r, n) for r, n, _ in _calls(c.source) if r == "ctx"]
        n_compute = sum(n == "compute" for _, n in calls)
        n_display = sum(n in ("show", "plot") for _, n in calls)
        if n_compute > MAX_COMPUTE:
            problems.append(f"cell {i}: {n_compute} ctx.compute( calls (at most {MAX_COMPUTE} in a section's cell)")
        if n_display > MAX_DISPLAY:
            problems.append(f"cell {i}: {n_display} ctx.show(/ctx.plot( calls (at most {MAX_DISPLAY}: one table or chart per section)")
        above = cells[i - 1]
        if above.cell_type != "markdown" or "lang-zh" not in _tags(above) or not _headings(above):
            problems.append(f"cell {i}: a section's code cell must follow its heading twins (lang-en, lang-zh)")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_report_notebook_keeps_the_one_style(path):
    problems = style_problems(nbformat.read(path, as_version=4))
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def test_the_template_keeps_the_one_style():
    problems = style_problems(jupytext.read(TEMPLATE))
    assert not problems, f"{TEMPLATE.name}:\n" + "\n".join(problems)


def _md(text: str, lang: str):
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["tags"] = [f"lang-{lang}"]
    return cell


def test_the_style_check_finds_each_kind_of_departure():
    """A notebook built to break every rule once: the check must name each break (so the tests above can fail)."""
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell
    with_output = code("x = 1")
    with_output.outputs = [nbformat.v4.new_output("stream", text="1")]
    nb.cells = [
        _md("# Title", "en"),
        _md("# 标题", "zh"),
        code("from custlib.reports import context as rp"),
        code("ctx = rp.open_report(data, region, quarter, settings)"),
        code("ctx.summary(figures, [])"),
        _md("## Section", "en"),
        _md("## 部分\n### 小节", "zh"),  # heading levels differ from its twin
        code("a = ctx.compute(f, x)\nb = ctx.compute(g, a)\nc = ctx.compute(h, b)\nctx.show(a, v)\nctx.plot(b, w)"),
        code("rp.show(a)"),  # old style, and not under a heading
        _md("## Lonely", "en"),  # no lang-zh twin
        nbformat.v4.new_markdown_cell("untagged"),
        with_output,
        code('ctx.show("abc")'),
    ]
    problems = "\n".join(style_problems(nb))
    for expected in (
        "cell 11: has outputs",
        "1 untagged",
        "cell 5: headings ['##'] but the lang-zh twin has ['##', '###']",
        "cell 9: lang-en cell ['##'] is not followed by its lang-zh twin",
        "cell 7: 3 ctx.compute( calls",
        "cell 7: 2 ctx.show(/ctx.plot( calls",
        "cell 8: old-style call rp.show(...)",
        "cell 8: a section's code cell must follow its heading twins",
        "cell 12: show('abc') picks a result by name",
    ):
        assert expected in problems, f"{expected!r} not found in:\n{problems}"
    nb.cells = [c for c in nb.cells if "summary" not in c.source]
    assert "0 cells call ctx.summary(" in "\n".join(style_problems(nb))
