"""Normalization for matching: markup, script, pinyin, hard wraps and jump markers.

Every step keeps an offset map back to the raw text.
"""
