"""A Chinese font inside the report: a subset of Noto Sans CJK SC with just the characters a page uses.

Charts draw Chinese with the font file (:func:`custlib.present.style.cjk_font_path`); the
text of an HTML page is drawn by the reader's browser, which shows empty boxes on a
machine without a CJK font. :func:`font_face_css` returns an ``@font-face`` rule holding
a WOFF subset of the font for the CJK characters of the page (a few kB to a few
hundred kB), so a report reads right on any machine.
"""

from __future__ import annotations

import base64
import io
import unicodedata
from functools import lru_cache

from custlib.present.style import cjk_font_path

#: The CSS family name of the embedded subset (the report style sheet lists it first for text).
FAMILY = "custlib Noto Sans CJK SC"


def cjk_characters(text: str) -> str:
    """The distinct characters of ``text`` that need a CJK font (Han, CJK punctuation, full-width forms), sorted."""
    return "".join(sorted({c for c in text if _is_cjk(c)}))


def _is_cjk(c: str) -> bool:
    if ord(c) < 0x2E80:
        return False
    name = unicodedata.name(c, "")
    return name.startswith(("CJK", "FULLWIDTH", "HALFWIDTH", "IDEOGRAPHIC", "KANGXI")) or 0x3000 <= ord(c) <= 0x303F


def font_face_css(text: str) -> str:
    """An ``@font-face`` rule embedding the font's subset for ``text``'s CJK characters.

    Empty when the text has none (an English page) or the font is not installed.
    """
    chars = cjk_characters(text)
    if not chars:
        return ""
    data = _subset(chars)
    if data is None:
        return ""
    b64 = base64.b64encode(data).decode("ascii")
    return f'@font-face {{ font-family: "{FAMILY}"; src: url(data:font/woff;base64,{b64}) format("woff"); font-display: block; }}'


@lru_cache(maxsize=64)
def _subset(chars: str) -> bytes | None:
    path = cjk_font_path()
    if path is None:
        return None
    from fontTools import subset

    opts = subset.Options()
    opts.flavor = "woff"  # zlib-compressed; WOFF2 would need brotli
    opts.layout_features = ["*"]
    opts.notdef_outline = True
    opts.desubroutinize = True  # inlined charstrings: a fifth faster than pruning the subroutines, and a smaller file
    font = subset.load_font(str(path), opts)
    subsetter = subset.Subsetter(opts)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    buf = io.BytesIO()
    subset.save_font(font, buf, opts)
    return buf.getvalue()


def embed_font(page: str) -> str:
    """``page`` with a ``<style>`` before ``</head>`` embedding :func:`font_face_css` for its CJK characters.

    The embedded family comes first for the body text; an English page is returned unchanged.
    """
    css = font_face_css(page)
    head_end = page.find("</head>")
    if not css or head_end < 0:
        return page
    style = f'<style type="text/css">{css}\nbody {{ font-family: system-ui, "{FAMILY}", "Noto Sans CJK SC", sans-serif; }}</style>\n'
    return page[:head_end] + style + page[head_end:]
