"""Data values inside report text: escaped for HTML and Markdown."""

from __future__ import annotations

import html
import re


def esc(value) -> str:
    """HTML-escape a data value for use inside Markdown text (:meth:`custlib.reports.context.ReportContext.say`).

    Also escapes the Markdown characters that could turn a name into a link
    or emphasis.
    """
    text = html.escape(str(value), quote=True)
    return re.sub(r"([\\`*_\[\]{}()#+!|~])", r"\\\1", text)
