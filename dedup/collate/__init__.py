"""Collation: aligning each copy of a story with a reference and classifying what changed.

One module per job, in the order they run: :mod:`.witnesses` (each copy's paragraphs, read from the scanned
documents), :mod:`.sentences` and :mod:`.scoring` (sentence matching), :mod:`.edits` (character edits),
:mod:`.portions` (matched sentences gathered per reference paragraph), :mod:`.findings` (what a copy did),
:mod:`.reference` (which copy the others are measured against), :mod:`.consensus` (the majority text) and
:mod:`.quoting` (findings projected onto the documents' own text). The records are in :mod:`.records`.
"""
