"""dedup: find reprints of the same story in Chinese news corpora and report what each copy changed.

The public names are those of :mod:`dedup.api` (one function per command, the records they return and the
configuration), re-exported here:

>>> from dedup import scan, report, diff, Config
>>> result = scan(["seeds"])  # doctest: +SKIP
>>> [str(s) for w in result.groups[0].witnesses for s in w.segments]  # doctest: +SKIP
['seeds/001_d368fce8cd43ddb5.txt:3-55', 'seeds/002_9a75527b5092d3dd.txt:5-29', ...]
"""

__version__ = "0.1.0"

from dedup import api
from dedup.api import *  # noqa: F403  (the API's names, listed once, in dedup.api.__all__)

__all__ = ["__version__", *api.__all__]
