"""`status`, `gaps` and `history` after a week of a small coalition typed as Slack users
would: the exact figures they report. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest

from bot.domain.clock import FixedClock
from bot.services.muster import Muster
from tests.conftest import COORDINATOR
from tests.support.factories import OTHER, OWN
from tests.support.scripted_week import OST, VAL, play_week
from tests.support.slack import SlashCommands


@pytest.fixture
def week(clock: FixedClock, muster_cmd: SlashCommands) -> SlashCommands:
    """The scripted week of tests/support/scripted_week.py."""
    return play_week(clock, muster_cmd)


def test_status_reports_exact_figures_per_objective(week: SlashCommands) -> None:
    text = week(COORDINATOR, "status").text
    # Lines first: none filled; three critical lines, none filled: three shortfalls.
    assert (
        "*Overall*: lines filled 0 of 4 · critical lines filled 0 of 3 · critical shortfalls 3"
        in text
    )
    # Then the average of the lines' shares: firm (0 + 1/2 + 2/3 + 0) / 4 = 29.2 %,
    # pending (1/2) / 4 = 12.5 %, conditional (1/3) / 4 = 8.3 %, open 50 %: 100 in all.
    # The bar's ten cells are apportioned the same way.
    assert (
        "🟩🟩🟦🟦🟨🟥🟥🟥🟥🟥 🔴 average of lines: firm 29% · pending 13% · conditional 8% · open 50%"
        in text
    )
    # SKY: (0 + 1/2) / 2 firm, (1/3) / 2 conditional, (2/3 + 1/2) / 2 open.
    assert (
        "*SKY* Safe skies: lines filled 0 of 2 · critical lines filled 0 of 2"
        " · critical shortfalls 2\n🟩🟩🟨🟨🟥🟥🟥🟥🟥🟥 🔴 average of lines:"
        " firm 25% · pending 0% · conditional 17% · open 58%"
    ) in text
    assert (
        "*LAND* Peace on land: lines filled 0 of 2 · critical lines filled 0 of 1"
        " · critical shortfalls 1\n🟩🟩🟩🟦🟦🟦🟥🟥🟥🟥 🔴 average of lines:"
        " firm 33% · pending 25% · conditional 0% · open 42%"
    ) in text
    assert text.count("no requirements yet") == 2  # SEA and UAF
    assert "(s)" not in text and "gap " not in text


def test_status_of_one_objective_lists_each_requirement(week: SlashCommands) -> None:
    text = week(VAL, "status sky").text
    assert "Coverage of SKY by requirement" in text
    assert (
        "*SKY* Safe skies: lines filled 0 of 2 · critical lines filled 0 of 2"
        " · critical shortfalls 2" in text
    )
    assert "*SKY-1* Ground-based air defence (critical · enabler · by 2027-03-01)" in text
    # OST's 2 batteries are confirmed, but subject to parliament: conditional, not firm.
    assert (
        "🔴 firm 0 of 6 batteries (0%) · pending 0 · conditional 2 · open 4 · *critical shortfall*"
        in text
    )
    assert "*SKY-2* Airborne early warning (critical · enabler)" in text
    assert (
        "🟩🟩🟩🟩🟩🟥🟥🟥🟥🟥 🟠 firm 240 of 480 flight hours/month (50%) · pending 0"
        " · conditional 0 · open 240 · *critical shortfall*"
    ) in text  # half firm, amber, but a gap in an enabler all the same
    assert "LAND-1" not in text


def test_gaps_put_critical_shortfalls_first(week: SlashCommands) -> None:
    text = week(OST, "gaps").text
    order = [
        text.index(code)
        for code in (
            "Critical shortfalls (3)",
            "*LAND-2*",
            "*SKY-1*",
            "*SKY-2*",
            "Other gaps (1)",
            "*LAND-1*",
        )
    ]
    assert order == sorted(order)
    assert "🟠 firm 2 of 3 battlegroups (66%) · pending 0 · conditional 0 · open 1" in text
    # CAL's restricted offer counts as pending in the totals, even for OST.
    assert (
        "🔴 firm 0 of 2 units (0%) · pending 1 · conditional 0 · open 1 · *critical shortfall*"
        in text
    )


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


@pytest.mark.parametrize("command", ["help", "help words", "help reports", "help postures"])
def test_help_defines_each_word_and_each_posture(
    command: str, coalition: Muster, muster_cmd: SlashCommands
) -> None:
    text = json.dumps(muster_cmd(OWN, command).blocks, ensure_ascii=False)
    for line in (
        "🟩 *firm*: confirmed, with no open condition, and not stale.",
        "🟦 *pending*: offered, indicated or stale, without a condition: likely, not yet"
        " approved (a stale pledge is one its delegation has not reconfirmed in time).",
        "🟨 *conditional*: any live pledge that waits on an open condition, whatever its status.",
        "🟥 *open*: what no live pledge covers.",
        "Firm + pending + conditional + open = the requirement",
        "*over-pledged*",
        "A line is *filled* when firm covers it",
        "*average of lines*",
        "*committed*: at least half of its live pledges are firm",
        "*considering*: it has pledged or asked",
        "*not yet positioned*: no live pledge and no question yet",
    ):
        assert line in text, line


def test_a_pledge_of_one_reads_in_the_singular(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    reply = muster_cmd(OTHER, "pledge LAND-1 1 offered").text
    assert "OST → LAND-1: 1 battlegroup, offered" in reply
    # LAND-1: VAL's restricted 2 firm, this 1 pending, 1 open.
    assert "firm 2 of 4 battlegroups (50%) · pending 1 · conditional 0 · open 1" in reply
    listing = muster_cmd(OTHER, "pledges LAND-1").text
    assert "1 undisclosed pledge is counted in the totals" in listing
    assert "(s)" not in reply + listing
