"""The Chinese font embedded in a report: a subset with exactly the page's CJK characters (issue 17)."""

from __future__ import annotations

import base64
import io
import re

import pytest
from fontTools.ttLib import TTFont

from custlib.present.fonts import FAMILY, cjk_characters, font_face_css
from custlib.present.style import cjk_font_path

pytestmark = pytest.mark.skipif(cjk_font_path() is None, reason="mplfonts' Noto Sans CJK SC is not installed")


def _embedded(css: str) -> TTFont:
    data = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)\)", css).group(1))
    return TTFont(io.BytesIO(data))


def test_the_subset_maps_each_character_of_the_page_and_no_other():
    text = "<p>华东区域：客户 1,234 位。</p> Revenue ¥1.2万"
    css = font_face_css(text)
    assert css.startswith(f'@font-face {{ font-family: "{FAMILY}";')
    font = _embedded(css)
    assert font.flavor == "woff"
    mapped = set(font.getBestCmap())
    expected = {ord(c) for c in "华东区域：客户位。万"}
    assert expected <= mapped
    assert not {ord(c) for c in "口报告"} & mapped, "characters the page does not use are not embedded"
    assert len(mapped) < 40


def test_an_english_page_embeds_nothing():
    assert font_face_css("Revenue 1,234 — East, 2026Q3 ¥") == ""


def test_cjk_characters_are_han_and_cjk_punctuation_only():
    assert cjk_characters("a华b，c。华—“”") == "。华，"  # sorted by code point: U+3002, U+534E, U+FF0C
