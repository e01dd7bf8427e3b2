"""Alerts a coordinator can read: one message per channel and tick, changes found
from a watermark (downtime loses nothing, repeats nothing), and a post whose answer
Slack lost is found in the channel's history instead of being posted again."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import text

from bot.domain.clock import FixedClock
from bot.domain.model import PledgeStatus, Priority
from bot.runtime.scheduler import Ticker
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from tests.support.clock import set_clock, tick_at
from tests.support.factories import COORDINATOR, OTHER, OWN, small_coalition
from tests.support.slack import SlashCommands, validate_calls

ALERTS, STATUS = "C0ALERTS", "C0STATUS"
MONDAY = datetime.fromisoformat("2026-11-23T10:00:00+00:00")
FRIDAY = datetime.fromisoformat("2026-11-27T15:00:00+00:00")


def posts(slack: SlackStandIn, channel: str = ALERTS) -> list[str]:
    return [
        c.args["text"] for c in slack.calls_to("chat.postMessage") if c.args["channel"] == channel
    ]


def claim_states(muster: Muster) -> list[tuple[str, str]]:
    with muster.engine.connect() as conn:
        rows = conn.execute(text("SELECT key, status FROM postclaim ORDER BY key")).all()
    return [(str(k), str(s)) for k, s in rows]


def test_the_first_tick_in_a_realistic_coalition_posts_one_message(
    clock: FixedClock, muster: Muster, ticker: Ticker, slack: SlackStandIn
) -> None:
    set_clock(clock, MONDAY - timedelta(hours=1))
    small_coalition(muster)
    for n in range(15):  # fifteen more critical lines, all red
        muster.requirements.add_requirement(
            COORDINATOR,
            objective="LAND",
            quantity=2,
            unit="units",
            title=f"Enabler {n}",
            priority=Priority.CRITICAL,
        )
    muster.broadcasts.subscribe(COORDINATOR, "alerts", ALERTS)
    report = tick_at(ticker, MONDAY)
    assert len(report.alerts) >= 16
    [message] = posts(slack)
    assert message.count(" is red: a critical shortfall") == len(report.alerts)
    validate_calls(slack.calls)


def test_after_three_days_of_downtime_one_message_covers_every_change_once(
    clock: FixedClock,
    muster: Muster,
    muster_cmd: SlashCommands,
    ticker: Ticker,
    slack: SlackStandIn,
) -> None:
    set_clock(clock, MONDAY - timedelta(hours=1))
    small_coalition(muster)
    muster.pledges.pledge(
        OTHER, requirement="LAND-1", quantity=2, status=PledgeStatus.CONFIRMED
    )  # P-3
    muster.broadcasts.subscribe(COORDINATOR, "alerts", ALERTS)
    tick_at(ticker, MONDAY)  # SKY-1 is red
    slack.reset()
    set_clock(clock, MONDAY + timedelta(hours=2))
    muster_cmd(OWN, 'withdraw P-2 "reassigned"')
    set_clock(clock, MONDAY + timedelta(days=1))
    muster_cmd(OTHER, "pledge update P-3 quantity 1")
    # The servers are down until Thursday: the old one-hour window saw neither change.
    tick_at(ticker, MONDAY + timedelta(days=3))
    [message] = posts(slack)
    assert "An undisclosed pledge was withdrawn on LAND-1" in message
    assert "P-3 (OST) was reduced from 2 to 1 on LAND-1" in message
    tick_at(ticker, MONDAY + timedelta(days=3, minutes=1))
    tick_at(ticker, MONDAY + timedelta(days=4))
    assert len(posts(slack)) == 1  # nothing repeated


def test_a_digest_whose_answer_was_lost_is_posted_once(
    clock: FixedClock, muster: Muster, ticker: Ticker, slack: SlackStandIn
) -> None:
    set_clock(clock, MONDAY)
    small_coalition(muster)
    muster.broadcasts.subscribe(COORDINATOR, "digest", STATUS)
    slack.fail("chat.postMessage", drop_answer=True)
    report = tick_at(ticker, FRIDAY)
    assert report.digests == [f"{STATUS} digest:2026-W48"]
    for minutes in (1, 6, 12):
        tick_at(ticker, FRIDAY + timedelta(minutes=minutes))
    assert len(posts(slack, STATUS)) == 1
    [stored] = slack.messages[STATUS]
    assert stored["metadata"]["event_type"] == "muster_post"
    assert claim_states(muster) == [("digest:2026-W48", "posted")]


def test_a_claim_taken_over_after_a_crash_finds_the_post_already_made(
    clock: FixedClock, muster: Muster, ticker: Ticker, slack: SlackStandIn
) -> None:
    """The first process posted, then died before marking the claim: the process that
    takes the claim over finds the post by its metadata and does not post again."""
    set_clock(clock, MONDAY)
    small_coalition(muster)
    muster.broadcasts.subscribe(COORDINATOR, "digest", STATUS)
    slack.fail("chat.postMessage", drop_answer=True)
    slack.fail("conversations.history", status=500, error="internal_error")  # the first look fails
    assert tick_at(ticker, FRIDAY).digests == []  # uncertain: the claim is left as it is
    assert claim_states(muster) == [("digest:2026-W48", "claimed")]
    assert tick_at(ticker, FRIDAY + timedelta(minutes=6)).digests == [f"{STATUS} digest:2026-W48"]
    assert len(posts(slack, STATUS)) == 1
    assert claim_states(muster) == [("digest:2026-W48", "posted")]
