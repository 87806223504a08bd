"""dedup: find reprints of the same story in Chinese news corpora and report what each copy changed."""

__version__ = "0.1.0"
