"""custlib.run."""
