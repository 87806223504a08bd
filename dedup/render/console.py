"""How output reaches a person: colour, width and the pager, as git, delta and ripgrep do it.

- ``--color auto`` colours a terminal only; rich itself honours ``NO_COLOR`` (no colour) and ``FORCE_COLOR``
  (colour even in a pipe). ``always`` and ``never`` override both.
- Output to a pipe or a file is never hard-wrapped: rich wraps at the terminal's width (or ``COLUMNS``, or
  80), which broke ``grep`` on paths in redirected reports, so a console that is not a terminal gets a width
  of :data:`UNWRAPPED` cells, wider than any line a report prints.
- Long output at a terminal goes through ``$PAGER`` (default ``less -R``, with ``LESS=FRX`` unless the
  user set ``LESS``, as git does), drawn first into a buffer at the terminal's width and in colour; output
  that fits on one screen is printed straight away.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.console import Console

#: The width of a console that is not a terminal: no line a report prints comes near it, and rich lays a
#: table out to its content, not to the console, so nothing is padded to this width.
UNWRAPPED = 1_000_000
DEFAULT_PAGER = "less -R"


@dataclass(frozen=True, slots=True)
class Look:
    """How standard output is drawn.

    Attributes:
        color: ``auto``, ``always`` or ``never`` (``--color``).
        pager: whether long output at a terminal may go through the pager (``--no-pager`` turns it off).
    """

    color: str = "auto"
    pager: bool = True


def stdout_console(look: Look, file: io.StringIO | None = None, width: int | None = None) -> Console:
    """The console for standard output (or ``file``, a buffer drawn for the pager at ``width``).

    A console whose output is no terminal is :data:`UNWRAPPED` wide, whatever ``COLUMNS`` says.
    """
    options: dict[str, Any] = {"soft_wrap": False, "emoji": False}
    if file is not None:
        options.update(file=file, force_terminal=True, width=width)
    if look.color == "never":
        options.update(no_color=True, color_system=None)
    elif look.color == "always":
        options.update(force_terminal=True, no_color=False)
    console = Console(**options)
    if file is None and not _stdout_is_terminal():
        console.width = UNWRAPPED
    return console


def _stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed, or a stream that is no file
        return False


def wants_pager(look: Look) -> bool:
    """Whether output may go through the pager: asked for, standard output a terminal, and a pager that is
    something other than ``cat`` (git's rule for ``PAGER=cat``)."""
    return look.pager and _stdout_is_terminal() and pager_command() not in ("", "cat")


def pager_command() -> str:
    """``$PAGER``, or ``less -R`` when it is not set."""
    return os.environ.get("PAGER", DEFAULT_PAGER).strip()


def paged(look: Look, draw: Callable[[Console], None]) -> None:
    """Draw the output into a buffer at the terminal's size and show it through the pager when it is longer
    than the screen, else print it.

    ``draw`` prints on the console it is given (a table) or writes ``sys.stdout`` (JSON), captured as well.
    """
    size = shutil.get_terminal_size()
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        draw(stdout_console(look, buffer, size.columns))
    text = buffer.getvalue()
    if text.count("\n") < size.lines - 1:
        sys.stdout.write(text)
    else:
        run_pager(text)


def run_pager(text: str) -> None:
    """Give ``text`` to the pager and wait for the reader to quit it.

    A reader who quits before the end closes the pipe: that is no error (git ignores it too), so SIGPIPE is
    ignored while writing. Ctrl-C is the pager's while it runs. A pager that cannot be started (exit 127
    from the shell) falls back to printing, so output is never lost.
    """
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    data = text.encode(encoding, errors="backslashreplace")
    previous = {
        sig: signal.signal(sig, signal.SIG_IGN)
        for sig in (getattr(signal, "SIGPIPE", None), signal.SIGINT)
        if sig is not None
    }
    try:
        process = subprocess.Popen(pager_command(), shell=True, stdin=subprocess.PIPE, env=env)
        with contextlib.suppress(BrokenPipeError):
            if process.stdin is not None:  # always, PIPE was asked for
                process.stdin.write(data)
                process.stdin.close()
        code = process.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if code == 127:
        sys.stdout.write(text)
