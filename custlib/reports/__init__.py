"""custlib.reports."""
