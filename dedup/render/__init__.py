"""Renderers: the terminal (rich) and the JSON contract (README, "JSON output"), JUnit XML and the HTML page.

Named ``render`` rather than ``report`` so that ``dedup.report`` can be the Python API function.
"""
