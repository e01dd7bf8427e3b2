"""Reminders go once per call, delegation and moment, however the ticks fall: two
processes ticking at once send one each; after downtime over a reminder's moment it
goes once if the deadline is still ahead, and after downtime over both moments only
the later one goes; a delegation that answers meanwhile is not reminded, even of a
reminder already waiting for its member's morning; an extension is told to the
silent and the reminders follow the new deadline."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest

from bot.domain.clock import FixedClock
from bot.runtime.app import make_client
from bot.runtime.scheduler import Ticker
from bot.runtime.settings import Settings
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from tests.support.calls import (
    BEFORE_4H,
    BEFORE_48H,
    DEADLINE,
    EVERYONE,
    MONDAY,
    NIGHT_OWL,
    OPEN,
    call_coalition,
    invitations,
    letters,
    reminders,
    summaries,
)
from tests.support.clock import set_clock, tick_at
from tests.support.factories import COORDINATOR
from tests.support.slack import SlashCommands

ALL_SILENT = tuple(sorted(set(EVERYONE)))


@pytest.fixture
def opened(
    muster: Muster,
    clock: FixedClock,
    slack: SlackStandIn,
    muster_cmd: SlashCommands,
    ticker: Ticker,
) -> Muster:
    """C-1 open since MONDAY, every member told (the night owl by the afternoon tick)."""
    call_coalition(muster, clock, slack)
    set_clock(clock, MONDAY)
    muster_cmd(COORDINATOR, OPEN)
    tick_at(ticker, MONDAY + timedelta(hours=6))
    assert invitations(slack) == Counter(EVERYONE)
    return muster


def test_two_replicas_ticking_at_once_remind_each_member_once(
    opened: Muster, settings: Settings, slack: SlackStandIn
) -> None:
    set_clock(opened.clock, BEFORE_48H + timedelta(minutes=1))
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def tick(n: int) -> None:
        ticker = Ticker(opened, make_client(settings), pace=0, worker=f"replica-{n}")
        barrier.wait()
        try:
            ticker.tick()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=tick, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    expected = set(ALL_SILENT) - {NIGHT_OWL}  # 03:00 in Los Angeles: at 07:00 there
    assert reminders(slack) == Counter(expected)


def test_a_reminder_whose_moment_passed_while_down_goes_once(
    opened: Muster, ticker: Ticker, slack: SlackStandIn
) -> None:
    tick_at(ticker, BEFORE_48H - timedelta(hours=1))
    assert reminders(slack) == Counter()
    tick_at(ticker, BEFORE_48H + timedelta(hours=6))  # back up: 18:00 in Brussels, 09:00 in LA
    assert reminders(slack) == Counter(ALL_SILENT)
    tick_at(ticker, BEFORE_48H + timedelta(hours=7))
    assert reminders(slack) == Counter(ALL_SILENT)
    tick_at(ticker, BEFORE_4H)
    assert reminders(slack) == Counter(dict.fromkeys(ALL_SILENT, 2))


def test_after_downtime_over_both_moments_only_the_later_reminder_goes(
    opened: Muster, ticker: Ticker, slack: SlackStandIn
) -> None:
    tick_at(ticker, BEFORE_48H - timedelta(hours=1))
    tick_at(ticker, BEFORE_4H + timedelta(hours=1))
    tick_at(ticker, BEFORE_4H + timedelta(hours=2))
    assert reminders(slack) == Counter(ALL_SILENT)
    [one] = letters(slack, "Reminder: C-1")[:1]
    assert one.args["text"].startswith("Reminder: C-1, 3 h left")


def test_after_downtime_past_the_deadline_no_reminder_goes_and_the_summary_goes_once(
    opened: Muster, ticker: Ticker, slack: SlackStandIn
) -> None:
    tick_at(ticker, BEFORE_48H - timedelta(hours=1))
    tick_at(ticker, DEADLINE + timedelta(hours=5))
    tick_at(ticker, DEADLINE + timedelta(hours=6))
    assert reminders(slack) == Counter()
    [summary] = summaries(slack)
    assert "0 of 7 responded; silent: CAL, HN, LAK, MER, NM, OST, VAL" in summary.args["text"]


def test_a_delegation_that_answers_before_its_morning_is_not_reminded(
    opened: Muster, ticker: Ticker, slack: SlackStandIn, muster_cmd: SlashCommands
) -> None:
    """Northmark's reminder to UNMLA waits for 07:00 in Los Angeles; UNM1 asks about a
    called line meanwhile, so it never goes, nor does the 4-hour one."""
    tick_at(ticker, BEFORE_48H)
    assert reminders(slack)["UNM1"] == 1 and NIGHT_OWL not in reminders(slack)
    set_clock(opened.clock, BEFORE_48H + timedelta(hours=1))
    muster_cmd("UNM1", "ask SKY-1: Would two aircraft for three months count?")
    tick_at(ticker, BEFORE_48H + timedelta(hours=5))
    tick_at(ticker, BEFORE_4H)
    assert reminders(slack)["UNM1"] == 1 and NIGHT_OWL not in reminders(slack)
    assert reminders(slack)["UVAL1"] == 2


def test_an_extension_tells_the_silent_and_the_reminders_follow_the_new_deadline(
    opened: Muster, ticker: Ticker, slack: SlackStandIn, muster_cmd: SlashCommands
) -> None:
    muster_cmd("UCAL1", "pledge SKY-1 1")
    tick_at(ticker, BEFORE_48H + timedelta(hours=4))  # 16:00 in Brussels, 07:00 in LA
    silent = set(EVERYONE) - {"UCAL1"}
    assert reminders(slack) == Counter(silent)
    reply = muster_cmd(COORDINATOR, "call extend C-1 2027-04-09 12:00")
    assert "9 members are told of the delegations that have not answered" in reply.text
    moved = Counter(c.args["channel"] for c in letters(slack, "C-1: the deadline has moved"))
    assert moved == Counter(silent)
    tick_at(ticker, BEFORE_4H)  # the old deadline's 4-hour moment: nothing now
    tick_at(ticker, DEADLINE + timedelta(hours=1))  # nor at the old deadline
    assert reminders(slack) == Counter(silent)
    assert summaries(slack) == []
    new_deadline = DEADLINE + timedelta(days=7)
    tick_at(ticker, new_deadline - timedelta(hours=48))
    tick_at(ticker, new_deadline - timedelta(hours=4))
    assert reminders(slack) == Counter(dict.fromkeys(silent, 3))
    tick_at(ticker, new_deadline)
    [summary] = summaries(slack)
    assert "1 of 7 responded" in summary.args["text"]


def test_a_members_zone_is_kept_for_a_week_and_the_coalitions_stands_in_for_none(
    muster: Muster,
    clock: FixedClock,
    slack: SlackStandIn,
    muster_cmd: SlashCommands,
    ticker: Ticker,
) -> None:
    call_coalition(muster, clock, slack)
    del slack.user_zones[NIGHT_OWL]  # Slack gives no zone: MUSTER_TIMEZONE (Brussels) stands in
    set_clock(clock, MONDAY)
    muster_cmd(COORDINATOR, OPEN)
    assert len(slack.calls_to("users.info")) == len(EVERYONE)
    assert invitations(slack) == Counter(EVERYONE)  # 09:00 in Brussels for the night owl too
    tick_at(ticker, MONDAY + timedelta(days=1))
    assert len(slack.calls_to("users.info")) == len(EVERYONE)  # nothing owed, nothing asked
    tick_at(ticker, BEFORE_48H)  # more than a week on: the zones are looked up again
    assert len(slack.calls_to("users.info")) == 2 * len(EVERYONE)
    assert reminders(slack) == Counter(EVERYONE)
    tick_at(ticker, BEFORE_4H)
    assert len(slack.calls_to("users.info")) == 2 * len(EVERYONE)  # kept since Wednesday


def test_an_extension_without_a_zone_keeps_the_calls_own(
    opened: Muster, muster_cmd: SlashCommands
) -> None:
    muster_cmd(COORDINATOR, "call extend C-1 2027-04-09 12:00 America/New_York")
    muster_cmd(COORDINATOR, "call extend C-1 2027-04-10 12:00")  # read in New York too
    view = opened.calls.status(COORDINATOR, 1)
    assert view.zone == "America/New_York"
    assert view.deadline.isoformat() == "2027-04-10T16:00:00+00:00"


def test_a_nil_returns_reason_is_shown_as_written(
    opened: Muster, muster_cmd: SlashCommands
) -> None:
    reply = muster_cmd("UCAL1", 'decline C-1 "<!channel> *nothing*"')
    assert "&lt;!channel&gt;" in reply.text + str(reply.blocks)
    assert "<!channel>" not in str(reply.blocks)
