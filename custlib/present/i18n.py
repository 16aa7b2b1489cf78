"""Left-over of the old dictionary and regex translator: nothing translates with it any more.

Every word of a report, of the index and of the roll-up comes from the gettext
catalogues (:mod:`custlib.present.messages`). Only ``custlib/clv.py``, the old
home of the lifetime value analysis, still registers its old Chinese terms here
when it is imported; nothing reads them. Delete this module together with that
registration (``custlib.clv._zh_register``), or with ``custlib/clv.py`` itself.
"""

from __future__ import annotations

#: What ``custlib.clv`` registers; read by nothing.
TERMS: dict[str, str] = {}
PATTERNS: list[tuple[str, object]] = []


def register(terms: dict[str, str] | None = None, patterns: list[tuple[str, object]] | None = None) -> None:
    """Keep ``terms`` and ``patterns`` (unused: see the module docstring)."""
    TERMS.update(terms or {})
    PATTERNS.extend(patterns or [])
