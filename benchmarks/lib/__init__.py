"""Pieces of the side-by-side benchmark: servers under test, lean load generators, report."""
