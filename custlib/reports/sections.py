"""How a notebook runs one analysis step and shows it, when a thin region may make the step impossible.

The one notebook style (``notebooks/README.md``)::

    abc = ctx.compute(seg.abc_table, features, cutoffs=P["cutoffs"])   # an analysis step: its DataFrame
    ctx.show(abc, view=views.abc_view)                                  # its table, or why it is missing

:meth:`ReportContext.compute` returns the step's result, or an :class:`Unavailable`
when the data is too thin (the analysis raised :class:`InsufficientDataError`) or an
input step was itself unavailable; ``show`` and ``plot`` then say why in the
report's language instead of failing the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from custlib.exceptions import InsufficientDataError


@dataclass(frozen=True)
class Unavailable:
    """A step that could not be computed: a reason code and the fields its message needs."""

    code: str
    fields: dict = field(default_factory=dict)
    message: str = ""  # the English text of the error, for logs

    def __bool__(self) -> bool:  # `if result:` reads as "if it was computed"
        return False


def compute(fn, *args, **kwargs):
    """``fn(*args, **kwargs)``, or :class:`Unavailable` if an input is unavailable or the data is too thin.

    Any other error propagates: a bug must fail the report, not hide in it.
    """
    for a in (*args, *kwargs.values()):
        if isinstance(a, Unavailable):
            return a
    try:
        return fn(*args, **kwargs)
    except InsufficientDataError as err:
        return Unavailable(getattr(err, "code", None) or "insufficient_data", dict(getattr(err, "fields", {}) or {}), str(err))
