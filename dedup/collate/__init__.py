"""Collation: aligning each copy of a story with a reference and classifying what changed."""
