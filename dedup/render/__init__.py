"""Renderers: the terminal (rich) and the JSON contract of DESIGN.md.

Named ``render`` rather than ``report`` so that ``dedup.report`` can be the Python API function.
"""
