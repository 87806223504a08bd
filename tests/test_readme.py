"""The README's tour is real output: each excerpt's lines appear, in order, in what the command prints now."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEDUP = str(Path(sys.executable).with_name("dedup"))


def _excerpts() -> list[tuple[str, list[str]]]:
    """Each ```` ``` ```` block of the tour that starts with ``$ dedup …``: the command and the lines it shows."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    tour = text[text.index("## A tour on the seeds") : text.index("## Commands")]
    out = []
    for block in re.findall(r"```\n(.*?)```", tour, flags=re.S):
        lines = block.rstrip("\n").split("\n")
        if lines[0].startswith("$ dedup "):
            shown = []
            for line in lines[1:]:
                if line.startswith("$ "):  # a second command (echo $?) ends the excerpt
                    break
                shown.append(line)
            out.append((lines[0][2:], shown))
    return out


@pytest.mark.parametrize(("command", "shown"), _excerpts(), ids=[c for c, _ in _excerpts()])
def test_the_readme_tour_shows_what_the_command_prints(command: str, shown: list[str]) -> None:
    args = shlex.split(command)[1:]
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "140"}
    printed = subprocess.run([DEDUP, *args], cwd=ROOT, env=env, capture_output=True, text=True).stdout
    lines = [line.rstrip() for line in printed.splitlines()]
    at = 0
    for want in (line.rstrip() for line in shown):
        if want == "…":  # lines left out of the excerpt
            continue
        assert want in lines[at:], f"README line not printed (in this order) by `{command}`: {want!r}"
        at = lines.index(want, at) + 1
