"""dedup: find reprints of the same story in Chinese news corpora and report what each copy changed.

The public names are those of :mod:`dedup.api` (one function per command, the records they return and the
configuration), re-exported here:

>>> from dedup import scan, report, diff, Config
>>> result = scan(["seeds"])  # doctest: +SKIP
>>> [str(s) for w in result.groups[0].witnesses for s in w.segments]  # doctest: +SKIP
['seeds/001_d368fce8cd43ddb5.txt:3-55', 'seeds/002_9a75527b5092d3dd.txt:5-29', ...]

They are imported on first use (PEP 562): the API pulls in numpy, numba and the whole pipeline, a second
before anything runs, which ``dedup --version`` (and a program that only wants ``__version__``) should not pay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from dedup import api as api
    from dedup.api import *  # noqa: F403  (the API's names, listed once, in dedup.api.__all__)


def __getattr__(name: str) -> Any:
    """``dedup.scan`` and the rest of :mod:`dedup.api`, imported when first asked for."""
    import importlib

    api = importlib.import_module("dedup.api")
    if name == "api":
        return api
    if name == "__all__":
        return ["__version__", *api.__all__]
    if name in api.__all__:
        return getattr(api, name)
    raise AttributeError(f"module 'dedup' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__getattr__("__all__")})
