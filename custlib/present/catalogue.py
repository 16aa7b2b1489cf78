"""Keep the message catalogues in step with the code (a developer's tool, not used by reports).

``python -m custlib.present.catalogue`` extracts every message the code marks
(``gettext``, ``ngettext``, ``pgettext``, ``N_``, ``NC_``; ``_`` too in the Jinja
templates, ``*.j2``) per domain (see
:func:`custlib.present.messages.domain_of`), adds new ones to each language's
``.po`` file, marks those whose English text went away as obsolete, and lists
the messages that still lack a translation (exit 1 if any). ``--check`` changes
nothing. The test suite runs the same check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from custlib.present.messages import DOMAINS, LANGS, LOCALES, domain_of, po_path

PACKAGE = Path(__file__).resolve().parent.parent
KEYWORDS = {"gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "N_": None, "NC_": ((1, "c"), 2), "_": None}
#: How each kind of source file is read (templates: Jinja's own extractor; a syntax error is an error, not silence).
METHODS = {".py": ("python", {}), ".j2": ("jinja2.ext:babel_extract", {"silent": "false"})}


def extract(domain: str) -> Catalog:
    """Every message marked in the custlib sources of ``domain``, with where it stands."""
    cat = Catalog(domain=domain, project="custlib", charset="utf-8")
    for path in sorted(p for suffix in METHODS for p in PACKAGE.rglob(f"*{suffix}")):
        if "__pycache__" in path.parts or domain_of(path.relative_to(PACKAGE)) != domain:
            continue
        method, options = METHODS[path.suffix]
        for lineno, message, comments, context in extract_from_file(method, str(path), keywords=KEYWORDS, options=options):
            rel = path.relative_to(PACKAGE.parent).as_posix()
            cat.add(message, None, [(rel, lineno)], auto_comments=comments, context=context)
    return cat


def untranslated(lang: str, domain: str) -> list[str]:
    """The msgids of ``domain`` that the code uses and ``lang``'s catalogue does not translate."""
    po = po_path(lang, domain)
    have = read_po(po.open("rb"), locale=LOCALES[lang]) if po.is_file() else Catalog(locale=LOCALES[lang])
    out = []
    for msg in extract(domain):
        if not msg.id:
            continue
        got = have.get(msg.id, context=msg.context)
        strings = got.string if got is not None else None
        if got is None or got.fuzzy or not strings or (isinstance(strings, tuple) and not all(strings)):
            out.append(msg.id if isinstance(msg.id, str) else msg.id[0])
    return out


def update(lang: str, domain: str, translations: dict | None = None) -> None:
    """Add the code's new messages to ``lang``'s ``.po`` for ``domain``, keeping every translation.

    ``translations`` (msgid -> text, or a tuple of plural forms) fills or replaces entries.
    Messages are sorted by file and written without line numbers, so that an edit
    elsewhere in a file does not change the catalogue.
    """
    po = po_path(lang, domain)
    po.parent.mkdir(parents=True, exist_ok=True)
    template = extract(domain)
    if po.is_file():
        with po.open("rb") as fh:
            cat = read_po(fh, locale=LOCALES[lang], domain=domain)
    else:
        cat = Catalog(locale=LOCALES[lang], domain=domain, project="custlib", charset="utf-8")
    cat.update(template, no_fuzzy_matching=True)
    cat.fuzzy = False
    for msgid, text in (translations or {}).items():
        msg = cat.get(msgid)
        if msg is None:
            raise KeyError(f"{po}: no message {msgid!r} in the code")
        msg.string = text
        msg.flags.discard("fuzzy")
    with po.open("wb") as fh:
        write_po(fh, cat, width=120, sort_by_file=True, ignore_obsolete=True, include_previous=False, include_lineno=False)


def compile_all() -> list[Path]:
    """Compile every ``.po`` to its ``.mo`` beside it (run at install by ``make venv``)."""
    from babel.messages.mofile import write_mo

    done = []
    for po in sorted((PACKAGE / "locale").glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as fh:
            cat = read_po(fh, domain=po.stem)
        with po.with_suffix(".mo").open("wb") as fh:
            write_mo(fh, cat, use_fuzzy=False)
        done.append(po.with_suffix(".mo"))
    return done


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m custlib.present.catalogue", description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="change nothing; list untranslated messages")
    ap.add_argument("--domain", action="append", choices=DOMAINS, help="only this domain (repeatable)")
    ap.add_argument("--compile", action="store_true", help="only compile every .po to .mo")
    args = ap.parse_args(argv)
    if args.compile:
        for mo in compile_all():
            print(f"compiled {mo.relative_to(PACKAGE.parent)}")
        return 0
    missing = 0
    for domain in args.domain or DOMAINS:
        for lang in LANGS:
            if lang == "en":
                continue
            if not args.check:
                update(lang, domain)
            for msgid in untranslated(lang, domain):
                missing += 1
                print(f"{po_path(lang, domain).relative_to(PACKAGE.parent)}: untranslated: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
