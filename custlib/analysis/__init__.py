"""custlib.analysis."""
