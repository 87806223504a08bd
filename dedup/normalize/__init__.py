"""Normalization for matching: markup, script, pinyin, hard wraps and jump markers.

Every step keeps an offset map back to the raw text. One module per job: :mod:`.markup` (line ends, HTML,
Markdown), :mod:`.script` (pinyin, garbled runs, Traditional to Simplified, width, spaces), :mod:`.jumps`
(page-jump markers), :mod:`.unwrap` (hard wraps), :mod:`.chars` (character classes they share),
:mod:`.textmap` (text with its offset map) and :mod:`.compose` (the steps in order, :func:`normalize`).
"""

from dedup.normalize.chars import CUT_MARK, ends_sentence, looks_cut
from dedup.normalize.compose import NormText, normalize
from dedup.normalize.jumps import Marker
from dedup.normalize.script import is_rare, simplified

__all__ = ["CUT_MARK", "Marker", "NormText", "ends_sentence", "is_rare", "looks_cut", "normalize", "simplified"]
