"""An interview printed as questions and answers is one story (issue 11: a story cut where its reporter
asks the next question). Run through the real stages on files on disk, from the project's own People's
Daily text (``tests/corpora.py``)."""

from __future__ import annotations

import re
from pathlib import Path

import dedup

from .corpora import story


def test_the_reporter_s_questions_do_not_cut_an_interview_into_articles(tmp_path: Path) -> None:
    """``记者：…？`` opens like a byline (``记者 张三``), which starts an article; but it is a sentence the
    reporter speaks, so three copies of an interview make one group of three whole witnesses."""
    lead, *answers = story(34, 5)
    questions = [f"记者：{re.split('[，。]', answer)[0][:16]}吗？" for answer in answers]
    body = [
        "突破口如何突破",
        "新华社记者李争艳",
        lead,
        *(part for q, a in zip(questions, answers, strict=True) for part in (q, a)),
    ]
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text("\n\n".join(body) + "\n", encoding="utf-8")
    result = dedup.scan([str(tmp_path)], dedup.Config())
    (group,) = result.groups
    assert sorted((Path(s.path).name, s.start_line, s.end_line) for w in group.witnesses for s in w.segments) == [
        ("a.txt", 1, 21),
        ("b.txt", 1, 21),
        ("c.txt", 1, 21),
    ]
