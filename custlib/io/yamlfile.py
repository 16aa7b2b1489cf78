"""YAML read with limits: a size cap and no anchors or aliases.

A 400-byte file of nested aliases ("billion laughs") expands to gigabytes when
loaded, and an error message that prints the loaded value never ends. Params and
source mappings are a few pages of hand-written text that never need aliases, so
they are refused before anything is built: the events are scanned with libyaml
first (under a millisecond for ``params/defaults.yaml``), then the text is loaded.
"""

from __future__ import annotations

from pathlib import Path

import yaml

#: libyaml's loader where PyYAML was built with it (the wheels are): 10x faster than the pure-Python one
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: A params file, region file or source mapping larger than this is refused unread.
MAX_YAML_BYTES = 1024 * 1024


class YamlError(ValueError):
    """The text is too large, not YAML, or uses an alias; the message names where."""


def load_text(text: str, origin: str):
    """Parse ``text`` (from ``origin``, named in errors) with the safe loader, refusing anchors and aliases."""
    if len(text) > MAX_YAML_BYTES:
        raise YamlError(f"{origin}: {len(text):,} characters; at most {MAX_YAML_BYTES:,} are read")
    try:
        for event in yaml.parse(text, Loader=LOADER):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                mark = event.start_mark
                raise YamlError(
                    f"{origin}: line {mark.line + 1}, column {mark.column + 1}: anchors and aliases (&name, *name) are not allowed; "
                    "write the value out"
                )
        return yaml.load(text, Loader=LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as err:
        raise YamlError(f"{origin}: not valid YAML: {err}") from err


def load_file(path: Path | str):
    """Read a UTF-8 YAML file with :func:`load_text`'s limits (the size is checked before reading)."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_YAML_BYTES:
        raise YamlError(f"{path}: {size:,} bytes; a YAML file here is at most {MAX_YAML_BYTES:,} bytes")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise YamlError(f"{path}: not UTF-8 text (byte offset {err.start})") from err
    return load_text(text, str(path))
