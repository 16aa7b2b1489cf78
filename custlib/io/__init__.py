"""custlib.io."""
