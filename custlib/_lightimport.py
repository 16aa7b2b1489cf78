"""Import :mod:`jsonschema` without the format checker that costs 0.7 s per process.

``jsonschema`` registers every optional format checker it finds installed.
One of them, ``rfc3987-syntax`` (pulled in by ``jupyter-events`` through
``jsonschema[format-nongpl]``), compiles a Lark grammar when it is imported:
0.68 s of the 0.77 s ``import jsonschema`` takes on this machine (measured
with ``python -X importtime -c "import jsonschema"``). Every custlib process
imports jsonschema (parameters are validated in the command, the report
worker imports it through ``nbformat``, and each notebook checks its
settings), so a quarterly run paid it once per process.

custlib never checks formats (no ``format_checker`` is passed), and neither
does ``nbformat``. :func:`jsonschema` imports the package with
``rfc3987_syntax`` hidden, then un-hides it: the only effect is that a
``jsonschema.FormatChecker`` created in the same process does not check the
``iri`` and ``iri-reference`` formats. A later ``import rfc3987_syntax``
works as usual. If jsonschema was already imported, nothing changes.
"""

from __future__ import annotations

import sys

_HIDDEN = "rfc3987_syntax"


def jsonschema():
    """The :mod:`jsonschema` module, imported (once) without ``rfc3987_syntax``."""
    if "jsonschema" not in sys.modules and _HIDDEN not in sys.modules:
        sys.modules[_HIDDEN] = None  # makes ``import rfc3987_syntax`` raise ImportError, which jsonschema tolerates
        try:
            import jsonschema as module
        finally:
            if sys.modules.get(_HIDDEN, 0) is None:
                del sys.modules[_HIDDEN]
        return module
    import jsonschema as module

    return module
