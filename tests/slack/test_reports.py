"""`status`, `gaps` and `history` after a week of a small coalition typed as Slack users
would: the exact figures they report. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from bot.domain.clock import FixedClock
from bot.services.muster import Muster
from tests.conftest import COORDINATOR
from tests.support.factories import OWN
from tests.support.scripted_week import OST, VAL, play_week
from tests.support.slack import SlashCommands


@pytest.fixture
def week(clock: FixedClock, muster_cmd: SlashCommands) -> SlashCommands:
    """The scripted week of tests/support/scripted_week.py."""
    return play_week(clock, muster_cmd)


def test_status_reports_exact_figures_per_objective(week: SlashCommands) -> None:
    text = week(COORDINATOR, "status").text
    assert (
        "*All objectives* 4 requirements: 0 filled, 2 partly filled, 2 empty · 2 critical shortfall(s)"
        in text
    )
    assert (
        "`█████▒▒▒▒░░░░░░░░░░░` 🔴 firm 29% · conditional 20% · gap 71% · 4 requirement(s)"
        " · *2 critical shortfall(s)*"
    ) in text
    assert (
        "`█████▒▒▒░░░░░░░░░░░░` 🔴 firm 25% · conditional 16% · gap 75% · 2 requirement(s)"
        " · *1 critical shortfall(s)*"
    ) in text
    assert (
        "`██████▒▒▒▒▒░░░░░░░░░` 🔴 firm 33% · conditional 25% · gap 67% · 2 requirement(s)"
        " · *1 critical shortfall(s)*"
    ) in text
    assert text.count("no requirements yet") == 2  # SEA and UAF


def test_status_of_one_objective_lists_each_requirement(week: SlashCommands) -> None:
    text = week(VAL, "status sky").text
    assert "Coverage of SKY by requirement" in text
    assert (
        "*SKY* 2 requirements: 0 filled, 1 partly filled, 1 empty · 1 critical shortfall(s)" in text
    )
    assert "*SKY-1* Ground-based air defence (critical · enabler · by 2027-03-01)" in text
    assert "🔴 firm 0 / 6 batteries · conditional 2 · gap 6 · 0% · *critical shortfall*" in text
    assert "*SKY-2* Airborne early warning (critical · enabler)" in text
    assert "🟠 firm 240 / 480 flight hours/month · conditional 0 · gap 240 · 50%" in text
    assert "LAND-1" not in text


def test_gaps_put_critical_shortfalls_first(week: SlashCommands) -> None:
    text = week(OST, "gaps").text
    order = [
        text.index(code)
        for code in (
            "Critical shortfalls (2)",
            "*LAND-2*",
            "*SKY-1*",
            "Other gaps (2)",
            "*SKY-2*",
            "*LAND-1*",
        )
    ]
    assert order == sorted(order)
    assert "🟠 firm 2 / 3 battlegroups · conditional 0 · gap 1 · 66%" in text
    assert "🔴 firm 0 / 2 units · conditional 1 · gap 2 · 0% · *critical shortfall*" in text


def test_history_of_a_pledge_shows_every_change(week: SlashCommands) -> None:
    text = week(OST, "history P-3").text
    assert (
        "|2026-11-24 09:00 UTC> · P-3 created by <@UOST1>: quantity 2; status indicated; condition subject to parliament"
        in text
    )
    assert "|2026-11-26 09:00 UTC> · P-3 updated by <@UOST1>: status indicated → confirmed" in text


def test_requirement_history_and_version(week: SlashCommands) -> None:
    text = week(COORDINATOR, "history LAND-1").text
    assert "LAND-1 updated by <@UCOORD>: quantity 4 → 3" in text
    assert "P-2 updated by <@UVAL1>: status offered → confirmed; condition US backstop → —" in text
    assert (
        "updated (version 3)" in week(COORDINATOR, "requirement edit LAND-1 priority critical").text
    )


def test_history_accepts_references_without_a_dash(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    muster_cmd(OWN, "help")  # past the first-contact notice
    assert muster_cmd(OWN, "history p1").text == muster_cmd(OWN, "history P-1").text
    assert "History of Q-1 (1)" in muster_cmd(OWN, "history Q1").text
