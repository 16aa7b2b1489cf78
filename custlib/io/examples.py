"""Whether a data source is the sample data the workbook generates, and what that decides.

:func:`custlib.io.sample.generate_sample` writes ``planted.json`` beside the sample's tables,
naming itself as the generator. Only on such data are the make-vs-buy example cases shown to a
region without cases of its own (``makebuy.show_examples: auto``): on a client's data an example
would read as that region's answer.
"""

from __future__ import annotations

import json
from pathlib import Path

#: The file the sample generator writes beside the tables, and the generator it names.
SAMPLE_MARKER = "planted.json"
SAMPLE_GENERATOR = "custlib.io.sample.generate_sample"


def is_generated_sample(location) -> bool:
    """True when the folder ``location`` (a path, or a :class:`~custlib.io.data.Source`) holds the generated sample.

    The test is the marker file :data:`SAMPLE_MARKER` whose ``generator`` is :data:`SAMPLE_GENERATOR`;
    a database URL, a missing or unreadable marker, or another generator is not the sample.
    """
    if isinstance(location, (str, Path)):
        root = location
    elif getattr(location, "is_sql", True):  # a Source: a database has no folder
        return False
    else:
        root = location.root
    if "://" in str(root):
        return False
    try:
        marker = json.loads((Path(root) / SAMPLE_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(marker, dict) and marker.get("generator") == SAMPLE_GENERATOR


def with_example_cases(params: dict, sample: bool) -> dict:
    """A copy of ``params`` with ``makebuy.show_examples: auto`` turned into ``sample`` (True on the generated sample data).

    An explicit True or False in the parameters is kept; ``params`` itself is not changed.
    """
    section = params.get("makebuy")
    if isinstance(section, dict) and section.get("show_examples", "auto") == "auto":
        return {**params, "makebuy": {**section, "show_examples": bool(sample)}}
    return params
