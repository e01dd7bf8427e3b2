"""Questions through `/muster`: the answer reaches the asker."""

from __future__ import annotations

import pytest

from bot.domain.clock import FixedClock
from tests.support.scripted_week import OST, play_week
from tests.support.slack import SlashCommands


@pytest.fixture
def week(clock: FixedClock, muster_cmd: SlashCommands) -> SlashCommands:
    """The scripted week of tests/support/scripted_week.py."""
    return play_week(clock, muster_cmd)


def test_the_answer_reaches_the_asker(week: SlashCommands) -> None:
    text = week(OST, "questions all").text
    assert "*Q-1* (answered, asked by OST" in text
    assert "National caveats apply; the ROE card follows on Friday." in text
