"""Long lists come a page at a time, with their count and the command for the next
page: nothing is cut off without saying so, and a reply stays small."""

from __future__ import annotations

import json

import pytest

from bot.domain.model import PledgeStatus
from bot.services.muster import Muster
from tests.support.factories import COORDINATOR, OTHER, OWN
from tests.support.slack import SlashCommands

PLEDGES = 30  # Ostland's pledges on LAND-1, beyond one page of 25


@pytest.fixture
def busy(coalition: Muster) -> Muster:
    for n in range(PLEDGES):
        coalition.pledges.pledge(
            OTHER, requirement="LAND-1", quantity=n + 1, status=PledgeStatus.INDICATED
        )
    for n in range(27):
        coalition.questions.ask(OTHER, f"Question number {n}?")
    return coalition


def test_a_long_pledge_list_shows_a_page_and_the_way_to_the_next(
    busy: Muster, muster_cmd: SlashCommands
) -> None:
    first = muster_cmd(OTHER, "pledges LAND-1")
    # P-1 is on SKY-1; P-2 is Valdoria's restricted pledge: counted, not shown.
    assert first.text.startswith("Pledges for LAND-1 (31)")
    assert "*P-3* OST → LAND-1" in first.text and "*P-27* " in first.text
    assert "*P-28* " not in first.text
    assert "Showing 1–25 of 30. The next: `/muster pledges LAND-1 page 2`" in first.text
    assert "1 undisclosed pledge is counted" in first.text

    second = muster_cmd(OTHER, "pledges LAND-1 page 2")
    assert "*P-28* " in second.text and "*P-32* " in second.text and "*P-27* " not in second.text
    assert "Showing 26–30 of 30." in second.text and "page 3" not in second.text

    past = muster_cmd(OTHER, "pledges LAND-1 page 3")
    assert "There is no page 3: pledges for LAND-1 fit on 2 pages." in past.text


def test_the_page_of_ones_own_pledges_points_to_mine(
    busy: Muster, muster_cmd: SlashCommands
) -> None:
    reply = muster_cmd(OTHER, "pledges mine")
    assert reply.text.startswith("Pledges of OST (30)")
    assert "The next: `/muster pledges mine page 2`" in reply.text


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("pledges LAND-1 page", "Which page? Give its number, e.g. `page 2`."),
        ("pledges LAND-1 page 0", "'0' is not a page number; pages count from 1."),
        ("pledges LAND-1 page two", "'two' is not a page number; pages count from 1."),
        ("questions all page -1", "'-1' is not a page number; pages count from 1."),
        ("history LAND-1 page 99999999", "is not a page number"),
    ],
)
def test_a_bad_page_number_is_answered_plainly(
    coalition: Muster, muster_cmd: SlashCommands, text: str, answer: str
) -> None:
    assert answer in muster_cmd(OTHER, text).text


def test_history_starts_with_the_latest_entries(busy: Muster, muster_cmd: SlashCommands) -> None:
    first = muster_cmd(OTHER, "history LAND-1")
    # LAND-1's creation, P-2 and Ostland's 30 pledges: 32 entries. The blocks carry
    # them all; the plain-text fallback (for notifications) is cut at 3,000 characters.
    shown = json.dumps(first.blocks, ensure_ascii=False)
    assert first.text.startswith("History of LAND-1 (32)")
    assert "P-32 created" in shown and "LAND-1 created" not in shown
    assert (
        "Showing 1–25 of 32, latest first. Earlier entries: `/muster history LAND-1 page 2`"
        in shown
    )
    earlier = muster_cmd(OTHER, "history LAND-1 page 2")
    lines = earlier.text.splitlines()
    assert "LAND-1 created" in lines[1]  # the oldest, first on its page
    assert "an undisclosed pledge created" in earlier.text  # P-2, restricted
    assert "P-32" not in earlier.text


def test_questions_come_a_page_at_a_time(busy: Muster, muster_cmd: SlashCommands) -> None:
    first = muster_cmd(COORDINATOR, "questions")
    assert first.text.startswith("Open questions (28)")
    assert "The next: `/muster questions open page 2`" in first.text
    second = muster_cmd(COORDINATOR, "questions open page 2")
    assert "Question number 26?" in second.text and "Q-1" not in second.text


def test_home_counts_every_pledge_and_shows_the_first_few(
    busy: Muster, muster_cmd: SlashCommands
) -> None:
    from handlers import home

    view = home.build(busy.reports.home(OTHER, items=home.MAX_ITEMS), busy.clock())
    text = json.dumps(view, ensure_ascii=False)
    assert "Pledges of OST (30)" in text
    assert "…and 15 more: `/muster pledges mine`" in text
    assert "Open questions of OST (27)" in text
    coordinator = json.dumps(home.build(busy.reports.home(COORDINATOR), busy.clock()))
    assert "Unanswered questions (28)" in coordinator
    assert OWN not in text
