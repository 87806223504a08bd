"""Renderers: the terminal (rich) and the JSON contract of DESIGN.md."""
