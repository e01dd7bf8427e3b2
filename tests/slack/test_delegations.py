"""Delegations, members, coordinators and the coordinators' channel through `/muster`:
each delegation's posture, and simultaneous changes, one of which wins while the
others are told why."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine

from bot.domain.clock import FixedClock
from bot.services.muster import Muster
from tests.support.databases import count
from tests.support.factories import COORDINATOR
from tests.support.scripted_week import CAL, VAL, play_week
from tests.support.slack import SlashCommands


@pytest.fixture
def week(clock: FixedClock, muster_cmd: SlashCommands) -> SlashCommands:
    """The scripted week of tests/support/scripted_week.py."""
    return play_week(clock, muster_cmd)


INTERNAL = "something went wrong"


def race(muster_cmd: SlashCommands, calls: list[tuple[str, str]]) -> list[str]:
    """Send every command at once, from its own thread; the replies, in order."""
    barrier = threading.Barrier(len(calls))
    replies: list[str] = [""] * len(calls)
    errors: list[BaseException] = []

    def send(index: int, user: str, command: str) -> None:
        try:
            barrier.wait()
            replies[index] = muster_cmd(user, command).text
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert not [r for r in replies if INTERNAL in r], replies
    return replies


CODES = ["AUR", "BOR", "CAR", "DOR", "EUR", "FOR", "GOR", "HOR"]


def test_one_user_added_to_eight_delegations_at_once(
    coalition: Muster, muster_cmd: SlashCommands, engine: Engine
) -> None:
    for code in CODES:
        coalition.delegations.add_delegation(COORDINATOR, code, f"Nation {code}")
    replies = race(
        muster_cmd, [(COORDINATOR, f"delegation member {code} <@UNEW>") for code in CODES]
    )
    [won] = [r for r in replies if "now speaks for" in r]
    winner = won.split("*")[1]
    refused = [r for r in replies if r != won]
    assert len(refused) == 7
    assert all(
        f"<@UNEW> already speaks for {winner}; a user belongs to one delegation." in r
        for r in refused
    )
    assert count(engine, "member") == 2 + 1


def test_one_delegation_added_eight_times_at_once(
    coalition: Muster, muster_cmd: SlashCommands, engine: Engine
) -> None:
    replies = race(muster_cmd, [(COORDINATOR, "delegation add ZED Zedland")] * 8)
    assert sum("Delegation *ZED* (Zedland) added" in r for r in replies) == 1
    assert sum("Delegation ZED already exists." in r for r in replies) == 7
    assert count(engine, "delegation") == 3


def test_one_coordinator_added_eight_times_at_once(
    coalition: Muster, muster_cmd: SlashCommands, engine: Engine
) -> None:
    replies = race(muster_cmd, [(COORDINATOR, "coordinator add <@UNEWCOORD>")] * 8)
    assert sum("<@UNEWCOORD> is now a coordinator." in r for r in replies) == 1
    assert sum("<@UNEWCOORD> is already a coordinator." in r for r in replies) == 7
    assert count(engine, "coordinator") == 1


def test_the_coordinators_channel_chosen_eight_times_at_once(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    channels = [f"C0RACE{n}" for n in range(8)]
    replies = race(
        muster_cmd, [(COORDINATOR, f"setup coordinators-channel <#{c}>") for c in channels]
    )
    assert all("New questions will be announced in" in r for r in replies)
    assert coalition.delegations.coordinators_channel() in channels  # the last to commit wins


def test_delegations_show_posture(week: SlashCommands) -> None:
    text = week(VAL, "delegations").text
    assert "*CAL* Caledor · 1 member · committed" in text
    assert "*OST* Ostland · 1 member · considering" in text
    assert "*VAL* Valdoria · 1 member · committed" in text
    # OST's only pledge is confirmed but waits on parliament: none of it is firm yet.
    assert "*considering*: it has pledged or asked, but less than half" in text
    assert "(s)" not in text


def test_posture_is_a_share_of_the_live_pledges_not_any_confirmed_one(
    week: SlashCommands,
) -> None:
    """CAL has one firm pledge of two live ones: committed. Two more offers make the
    firm share a quarter: considering, however large the confirmed one is."""
    week(CAL, "pledge LAND-1 1 offered")
    week(CAL, "pledge SKY-1 1 indicated")
    assert "*CAL* Caledor · 1 member · considering" in week(VAL, "delegations").text
    week(CAL, "pledge update P-7 status confirmed")
    assert "*CAL* Caledor · 1 member · committed" in week(VAL, "delegations").text


def test_adding_members_says_who_joined_and_who_was_a_member_already(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    muster_cmd(COORDINATOR, "help")  # past the first-contact notice
    one = muster_cmd(COORDINATOR, "delegation member VAL <@UVALNEW> <@UVAL1>").text
    assert one == (
        "<@UVALNEW> now speaks for *VAL* (Valdoria). <@UVAL1> was a member already. "
        "VAL has 2 members."
    )
    two = muster_cmd(COORDINATOR, "delegation member OST <@UOSTA> <@UOSTB>").text
    assert two == "<@UOSTA>, <@UOSTB> now speak for *OST* (Ostland). OST has 3 members."
    none = muster_cmd(COORDINATOR, "delegation member OST <@UOSTA> <@UOSTB>").text
    assert none == "<@UOSTA>, <@UOSTB> were members already. OST has 3 members."
