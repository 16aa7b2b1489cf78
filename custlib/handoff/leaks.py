"""The isolation check of a client hand-off: search every file of a package for customer ids and names.

:func:`find_leaks` searches a zip (or a folder) for strings that must not be
in it: the other regions' customer ids and names, and, when anonymising, the
region's own. Numeric ids are searched like any other, as whole numbers: a
match starts where a word starts and ends where it ends, and a number is not
found inside a longer one or in a decimal (``42003`` is found in ``42003-0017``
and ``(42003)``, not in ``2042003``, ``42003.5`` or ``1.42003``). Strings
shorter than 4 characters are not searched (:func:`searchable`): they occur
in ordinary numbers and words (a customer numbered 12 would match every 12).
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from custlib.exceptions import DataError
from custlib.io.parquet import read_parquet

MIN_NEEDLE = 4

_B64 = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+")
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_WIDE = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_START = re.compile(rf"(?<![^\W_])(?=[^\W_])|(?=[{_WIDE}])")
_ALNUM_ASCII = re.compile(r"[A-Za-z0-9]")
_PICTURES = (".png", ".jpg", ".jpeg", ".gif", ".svgz", ".pdf", ".zip", ".otf", ".ttf", ".woff", ".woff2")


def searchable(needle: str) -> bool:
    """True when ``needle`` is distinctive enough to search text for: 4+ characters (digits count)."""
    return len(str(needle).strip()) >= MIN_NEEDLE


def _json_strings(obj, out: list[str]) -> None:
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(k, str) and k.startswith("image/"):
                continue  # base64 pictures cannot be searched; charts are rendered from the packed data
            out.append(str(k))
            _json_strings(v, out)
    elif isinstance(obj, list):
        for v in obj:
            _json_strings(v, out)
    elif isinstance(obj, str):
        out.append(obj)
    elif isinstance(obj, int) and not isinstance(obj, bool):
        out.append(str(obj))  # a numeric id passed as a number


def member_text(name: str, raw: bytes) -> str:
    """Searchable text of one package member, with escaped forms undone.

    Parquet: column names and the distinct values of text columns. Excel
    workbooks (``.xlsx``): sheet names and every cell (python-calamine). JSON and
    notebooks: their strings (base64 images left out). Other text: as is,
    embedded base64 images left out. Each is also given HTML-unescaped and
    with Markdown backslash escapes removed.
    """
    suffix = Path(name).suffix.lower()
    parts = [name]
    if suffix == ".parquet":
        frame = read_parquet(raw)
        parts.extend(map(str, frame.columns))
        for col in frame.columns:
            s = frame[col]
            if pd.api.types.is_string_dtype(s) or s.dtype == object:
                parts.extend(s.dropna().astype("str").unique().tolist())
    elif suffix == ".xlsx":  # a zip of XML: its cells, read as a spreadsheet reads them
        from custlib.io.sheets import read_xlsx

        for sheet, rows in read_xlsx(bytes(raw)).items():
            parts.append(sheet)
            parts.extend(str(v) for row in rows for v in row if v is not None and v != "")
    elif suffix not in _PICTURES:
        text = raw.decode("utf-8", errors="replace")
        if suffix in (".ipynb", ".json"):
            try:
                strings: list[str] = []
                _json_strings(json.loads(text), strings)
                text = "\n".join(strings)
            except json.JSONDecodeError:
                pass
        parts.append(_B64.sub("data:;base64,", text))
    base = "\n".join(parts)
    plain = _MD_ESCAPE.sub(r"\1", base)
    return "\n".join(dict.fromkeys([base, html.unescape(base), plain, html.unescape(plain)]))


_KEY = 12


def needle_index(needles: Iterable[str]) -> dict[int, dict[str, list[str]]]:
    """Needles grouped by the length and text of their first (up to 12) characters."""
    index: dict[int, dict[str, list[str]]] = {}
    for n in set(needles):
        if n:
            k = min(len(n), _KEY)
            index.setdefault(k, {}).setdefault(n[:k], []).append(n)
    return index


def find_in_text(text: str, needles: Iterable[str] | dict) -> set[str]:
    """Needles found in ``text`` where they start a word and end one.

    A match must begin where a word begins (or at any CJK/kana/Hangul
    character, which are not separated by spaces) and, when it ends in an
    ASCII letter or digit, must not be followed by one: ``C001`` is not found
    in ``C0012``. A needle that starts with a digit is not found after a
    digit and a full stop, and one that ends with a digit not before a full
    stop and a digit: ``42003`` is in neither ``1.42003`` nor ``42003.5``
    (decimals), but is in ``Customer 42003.``. Needles are looked up by their first up to 12 characters
    (``needles`` may be a :func:`needle_index`), so the cost grows with the
    text, hardly with the number of needles.
    """
    index = needles if isinstance(needles, dict) else needle_index(needles)
    lengths = sorted(index)
    found: set[str] = set()
    size = len(text)
    for m in _START.finditer(text):
        p = m.start()
        for k in lengths:
            cands = index[k].get(text[p : p + k])
            if not cands:
                continue
            for n in cands:
                end = p + len(n)
                if end > size or not text.startswith(n, p):
                    continue
                if _ALNUM_ASCII.match(n[-1]) and end < size and _ALNUM_ASCII.match(text[end]):
                    continue
                if _in_decimal(text, p, end, n):
                    continue
                found.add(n)
    return found


def _in_decimal(text: str, start: int, end: int, needle: str) -> bool:
    """True when a needle of digits at ``text[start:end]`` is the fraction or the whole part of a decimal number."""
    after_point = needle[0].isdigit() and start >= 2 and text[start - 1] == "." and text[start - 2].isdigit()
    before_point = needle[-1].isdigit() and end + 1 < len(text) and text[end] == "." and text[end + 1].isdigit()
    return after_point or before_point


def find_leaks(package: str | Path | bytes, needles: Iterable[str], skip: Iterable[str] = ()) -> dict[str, list[str]]:
    """Which files of a zip (or a folder) contain which needles (customer ids or names).

    Every file is searched: text files (CSV too), notebooks and JSON (their strings),
    HTML (escaped or not), Parquet (column names and text values), Excel workbooks (every cell). Pictures
    are not searched.

    Parameters
    ----------
    package : path or bytes
        The zip file, or a folder.
    needles : iterable of str
        Strings that must not occur (see :func:`searchable`).
    skip : iterable of str
        Member name (or relative path) prefixes not searched.

    Returns
    -------
    dict of str to list of str
        Member name -> sorted needles found in it; empty when clean.
    """
    index = needle_index(needles)
    skip = tuple(skip)
    out: dict[str, list[str]] = {}

    def search(name: str, raw: bytes) -> None:
        hits = find_in_text(member_text(name, raw), index)
        if hits:
            out[name] = sorted(hits)

    if not isinstance(package, bytes | bytearray) and Path(package).is_dir():
        root = Path(package)
        for p in sorted(root.rglob("*")):
            rel = p.relative_to(root).as_posix()
            if p.is_file() and not rel.startswith(skip):
                search(rel, p.read_bytes())
        return out
    with zipfile.ZipFile(io.BytesIO(package) if isinstance(package, bytes | bytearray) else package) as zf:
        for info in zf.infolist():
            if not info.is_dir() and not info.filename.startswith(skip):
                search(info.filename, zf.read(info))
    return out


def refuse_leaks(leaks: dict[str, list[str]], out_zip: Path, what: str) -> None:
    if leaks:
        shown = "; ".join(f"{m}: {', '.join(map(repr, v[:3]))}" for m, v in sorted(leaks.items())[:5])
        raise DataError(
            f"{out_zip.name}: the package would contain {what} ({len(leaks)} file(s)): {shown}. Nothing was written. "
            "If a string is an ordinary word here rather than customer data, pass it in allow (--allow)."
        )
