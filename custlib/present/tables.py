"""Tables as a report shows them: escaped, formatted by kind, headers as the view named them."""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, field

import pandas as pd

from custlib.present.numbers import Formatter


def infer_kinds(frame: pd.DataFrame) -> dict[str, str]:
    """A number kind per column (see :attr:`Formatter.KINDS`) from its dtype: whole numbers are integers."""
    kinds = {}
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_bool_dtype(s):
            kinds[col] = "text"
        elif pd.api.types.is_integer_dtype(s):
            kinds[col] = "integer"
        elif pd.api.types.is_float_dtype(s):
            finite = s[s.notna() & (s.abs() != float("inf"))]
            kinds[col] = "integer" if len(finite) and (finite % 1 == 0).all() else "number"
        elif pd.api.types.is_datetime64_any_dtype(s):
            kinds[col] = "date"
        else:
            kinds[col] = "text"
    return kinds


def table_html(
    frame: pd.DataFrame, fmt: Formatter, kinds: dict[str, str] | None = None, caption: str | None = None, index: bool = False
) -> str:
    """The HTML of ``frame`` with every cell escaped and formatted by its column's kind.

    Parameters
    ----------
    frame : DataFrame
        Columns already named as the reader reads them (the view translated them).
    fmt : Formatter
        The report's number formatter.
    kinds : dict, optional
        Column -> kind (``money``, ``percent``, ``integer``, ...); others inferred.
    caption : str, optional
        Already translated.
    """
    out = frame if index else frame.reset_index(drop=True)
    kinds = {**infer_kinds(out), **(kinds or {})}
    funcs = {col: fmt.by_kind(kind) for col, kind in kinds.items() if col in out.columns}
    text_cols = [c for c, k in kinds.items() if k == "text" and c in out.columns]
    digest = hashlib.sha1(out.to_json(date_format="iso", default_handler=str).encode() + repr(caption).encode()).hexdigest()[:10]
    sty = out.style.set_uuid(digest).format(funcs, escape="html", na_rep="–")
    sty = sty.format_index(lambda c: html.escape(str(c)), axis=1)
    sty = sty.format_index(lambda c: html.escape(str(c)), axis=0)
    num_cols = [c for c in out.columns if c not in text_cols]
    if text_cols:
        sty = sty.set_properties(subset=text_cols, **{"text-align": "left", "white-space": "normal", "min-width": "8em"})
    if num_cols:
        sty = sty.set_properties(subset=num_cols, **{"text-align": "right", "white-space": "nowrap"})
    sty = sty.hide(axis="index") if not index else sty.hide(axis="index", names=True)
    if caption:
        sty = sty.set_caption(html.escape(caption))
    return sty.set_table_attributes('class="report-table"').to_html()


@dataclass(frozen=True)
class TableView:
    """A table as the reader sees it: translated headers, each column's number kind, a caption."""

    frame: pd.DataFrame
    kinds: dict = field(default_factory=dict)
    caption: str | None = None
    index: bool = False
