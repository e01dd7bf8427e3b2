"""What answers look like: the direct message each reason sends, and the digest's
"Answers for all", cut to whole answers with the rest counted."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.domain.model import QuestionStatus
from bot.services.answer_notices import ASKED, DUPLICATE, LINKED, PUBLISHED, OwedNotice
from handlers.answers import answers_for_all, notice_message
from handlers.blocks import MAX_SECTION
from handlers.digest import render_digest
from tests.support.clock import START
from tests.support.read_models import digest, question
from tests.support.slack import validate_blocks

ANSWERED = replace(
    question("Q-1", "Who provides <air> cover?", about="SKY-1", answer="The lead & co."),
    status=QuestionStatus.ANSWERED,
    published_at=START + timedelta(hours=1),
)


@pytest.mark.parametrize(
    ("reason", "own", "title", "note"),
    [
        (ASKED, None, "Your delegation's question Q-1 has been answered", "Every member"),
        (PUBLISHED, None, "An answer for every delegation: Q-1", "shared this answer"),
        (
            DUPLICATE,
            "Q-4",
            "Your delegation's question Q-4 has been answered",
            "Q-4 asks the same as Q-1",
        ),
        (LINKED, "Q-4", "Your delegation's question Q-4 is linked to Q-1", "its answer will come"),
    ],
)
def test_each_reason_has_its_own_message(
    reason: str, own: str | None, title: str, note: str
) -> None:
    notice = OwedNotice(1, "w", "UOST1", reason, ANSWERED, own)
    text, blocks = notice_message(notice, START + timedelta(hours=2))
    validate_blocks(blocks)
    assert text.startswith(title) and note in text
    assert "Who provides &lt;air&gt; cover?" in text and "The lead &amp; co." in text
    assert "asked by a delegation" in text and "UOST1" not in text


def test_no_published_answer_no_section() -> None:
    assert answers_for_all(digest()) == []
    _text, blocks = render_digest(digest())
    assert "Answers for all" not in json.dumps(blocks)


def test_the_digest_lists_every_published_answer_that_fits_and_counts_the_rest() -> None:
    many = tuple(
        replace(ANSWERED, ref=f"Q-{n}", text="Why? " * 40, answer="Because. " * 45)
        for n in range(1, 31)
    )
    [section] = answers_for_all(replace(digest(), published=many))
    body = section.to_dict()["text"]["text"]
    assert len(body) <= MAX_SECTION
    assert body.startswith("*Answers for all (30)*\n*Q-1* (SKY-1) Why?")
    shown = body.count("\n↳ ")
    assert body.endswith(f"…and {30 - shown} more: `/muster questions all`")
    _text, blocks = render_digest(replace(digest(), published=many))
    validate_blocks(blocks)
    assert sum("Answers for all" in json.dumps(b) for b in blocks) == 1
