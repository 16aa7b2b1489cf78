"""The glossary at the end of each report (custlib.present.glossary): every technical term a report shows is
explained there, in both languages."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from custlib.present import glossary

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _ctx(lang="en"):
    from custlib.io.periods import Quarter
    from custlib.reports.context import ReportContext

    return ReportContext("East", Quarter.parse("2026Q3"), {"report": {"currency": "CNY"}}, None, lang)


def listed_terms(nb) -> list[str]:
    """The term codes a notebook's glossary cell lists (the list literal passed to glossary.glossary_view)."""
    for cell in nb.cells:
        if cell.cell_type == "code" and "glossary.glossary_view" in cell.source:
            call = next(n for n in ast.walk(ast.parse(cell.source)) if isinstance(n, ast.Call) and n.args)
            return ast.literal_eval(call.args[0])
    return []


def english_text(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown" and "lang-zh" not in c.metadata.get("tags", []))


def test_the_terms_the_issue_names_are_explained():
    """Gini, odds ratio, AUC, MASE, BG/NBD, Gamma-Gamma, lift, support, confidence, RFM, ABC, CLV, P(active),
    break-even and NPV each have an entry, found by its usual spelling."""
    names = "Gini · odds ratio · AUC · MASE · BG/NBD · Gamma-Gamma · lift · Support · confidence · RFM · ABC · CLV · P(active) · break-even · NPV"
    found = glossary.used_terms(names)
    for code in ("gini", "odds_ratio", "auc", "mase", "bgnbd", "gamma_gamma", "lift", "support", "confidence", "rfm", "abc", "clv"):
        assert code in found, code
    assert {"p_active", "break_even", "present_value"} <= set(found)


def test_patterns_find_the_term_and_not_the_everyday_word():
    assert glossary.used_terms("Support is the share of all orders holding both") == ["support"]
    assert "support" not in glossary.used_terms("cost to serve (visits, logistics, support, discounts)")
    assert "confidence" not in glossary.used_terms("the Gini's 95% confidence interval")
    assert "abc" not in glossary.used_terms("an abc of sales")  # acronyms match as written
    assert glossary.used_terms("Present value of each cost line") == ["present_value"]


def test_glossary_view_lists_the_terms_in_the_order_given_in_each_language():
    tv = glossary.glossary_view(["mase", "gini"], _ctx())
    assert tv.frame.columns.tolist() == ["Term", "What it means"]
    assert tv.frame["Term"].tolist() == ["MASE", "Gini coefficient"]
    assert tv.frame["What it means"].iloc[1].startswith("Concentration from 0")
    assert tv.caption == "The technical terms of this report"
    zh = glossary.glossary_view(["mase", "gini"], _ctx("zh")).frame
    assert zh.columns.tolist() == ["术语", "含义"] and zh.iloc[1, 0] == "基尼系数"
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in zh.iloc[:, 1])


def test_an_unknown_term_is_a_bug_named_in_the_error():
    with pytest.raises(KeyError, match="unknown term.*'ginni'"):
        glossary.glossary_view(["gini", "ginni"], _ctx())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_ends_with_a_glossary_of_the_terms_its_text_uses(path):
    """The terms found in the notebook's English explanations are all in its glossary cell, the last code cell."""
    nb = nbformat.read(path, as_version=4)
    listed = listed_terms(nb)
    assert listed, f"{path.name}: no glossary cell"
    assert "glossary.glossary_view" in [c for c in nb.cells if c.cell_type == "code"][-1].source
    missing = [code for code in glossary.used_terms(english_text(nb)) if code not in listed]
    assert not missing, f"{path.name}: add {missing} to its glossary"
    assert len(set(listed)) == len(listed)


def missing_from_glossary(nb) -> list[str]:
    """Terms an executed notebook shows (its outputs' text and its English explanations) that its glossary lacks."""
    texts, listed = [english_text(nb)], listed_terms(nb)
    for cell in nb.cells:
        if cell.cell_type != "code" or "glossary.glossary_view" in cell.source:
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            texts.append(str(data.get("text/html", "")) + str(data.get("text/markdown", "")))
    text = re.sub(r"<[^>]+>", " ", "\n".join(texts))
    return [code for code in glossary.used_terms(text) if code not in listed]
