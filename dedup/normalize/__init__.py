"""Normalization for matching: markup, script, pinyin, hard wraps and jump markers.

Every step keeps an offset map back to the raw text.
"""

from dedup.normalize.steps import Marker, NormText, ends_sentence, is_rare, normalize, simplified

__all__ = ["Marker", "NormText", "ends_sentence", "is_rare", "normalize", "simplified"]
