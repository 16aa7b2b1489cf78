"""custlib.handoff."""
