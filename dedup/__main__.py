"""The ``dedup`` command's entry point (``python -m dedup`` too): answers ``--version`` before importing the
command line, which imports the whole pipeline (a second on a quiet machine; the issue asks for 0.3 s)."""

from __future__ import annotations

import sys


def main() -> None:
    """Run ``dedup``: ``--version`` at once, anything else through :data:`dedup.cli.app`."""
    if sys.argv[1:] == ["--version"]:
        from dedup import __version__

        print(f"dedup {__version__}")
        return
    from dedup.cli import app

    app()


if __name__ == "__main__":
    main()
