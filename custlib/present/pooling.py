"""Saying which regions were pooled into "Other regions", and why (:mod:`custlib.io.pooling`).

One sentence, used by the pooled region's report header and by the quarter's index:
"Other regions holds 12 regions with fewer than 20 customers who ordered in 2010Q2 to 2011Q1:
Austria (3), Bahrain (1), …".
"""

from __future__ import annotations

from collections.abc import Callable

from custlib.present.messages import Messages
from custlib.present.numbers import Formatter


def members_text(pooled: dict, t: Messages, f: Formatter, escape: Callable[[str], str] = str) -> str:
    """The pooled regions with their customer counts, A-Z: ``"Austria (3), Bahrain (1)"`` (``"奥地利 (3)、巴林 (1)"``).

    Names are translated as region names and passed through ``escape`` (e.g. Markdown escaping).
    """
    sep = t.pgettext("list separator", ", ")
    return sep.join(
        t.gettext("{region} ({customers})", region=escape(t.region(name)), customers=f.integer(n))
        for name, n in (pooled.get("members") or {}).items()
    )


def pooled_sentence(pooled: dict, t: Messages, f: Formatter, escape: Callable[[str], str] = str) -> str:
    """Which regions the pooled region holds and why, or "" when nothing was pooled.

    ``pooled`` is :meth:`custlib.io.pooling.Pooling.to_dict` (region, window, min_customers, members).
    """
    members = pooled.get("members") or {}
    if not members:
        return ""
    first, last = pooled["window"]
    n = len(members)
    return t.ngettext(
        "{region} holds {n} region with fewer than {min} customers who ordered in {first} to {last}: {members}.",
        "{region} holds {n} regions with fewer than {min} customers who ordered in {first} to {last}: {members}.",
        n,
        region=escape(t.region(pooled["region"])),
        n=f.integer(n),
        min=f.integer(pooled["min_customers"]),
        first=first,
        last=last,
        members=members_text(pooled, t, f, escape),
    )
