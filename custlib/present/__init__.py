"""custlib.present."""
