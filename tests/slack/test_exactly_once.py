"""Exactly once, on time: ticks on several threads sharing one database, a crashed claim
taken over after its lease, downtime, Slack failing, a post whose answer Slack lost
found in the channel's history instead of being posted again, and the record of
deliveries (which makes a retried request apply once) forgotten when it is old."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from bot.domain.clock import FixedClock
from bot.runtime.app import make_client
from bot.runtime.scheduler import Ticker
from bot.runtime.settings import Settings
from bot.runtime.standin import SlackStandIn
from bot.services.broadcasts import LEASE
from bot.services.muster import Muster
from storage.models import PostClaim
from tests.support.broadcasts import MONDAY, STATUS
from tests.support.broadcasts import messages_in as posts
from tests.support.clock import set_clock, tick_at
from tests.support.factories import COORDINATOR, OWN, small_coalition
from tests.support.slack import SlashCommands

CHANNEL = "C0STATUS"
FRIDAY = datetime.fromisoformat("2026-11-27T15:00:00+00:00")


@pytest.fixture
def subscribed(clock: FixedClock, muster: Muster) -> int:
    small_coalition(muster)
    set_clock(clock, "2026-11-23T10:00:00Z")
    return muster.broadcasts.subscribe(COORDINATOR, "digest", CHANNEL).id


def ticker(muster: Muster, slack: SlackStandIn, worker: str) -> Ticker:
    """A Ticker of its own for each simulated process; tests that take the ``ticker``
    fixture as an argument get the Slack tier's single one instead."""
    settings = Settings(slack_bot_token="xoxb-t", slack_api_url=slack.api_url)  # type: ignore[arg-type]
    return Ticker(muster, make_client(settings), pace=0, worker=worker)


def digests_posted(slack: SlackStandIn) -> int:
    return len([c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL])


def test_eight_threads_ticking_the_same_period_post_once(
    subscribed: int, muster: Muster, slack: SlackStandIn
) -> None:
    barrier = threading.Barrier(8)
    results: list[list[str]] = []

    def tick(n: int) -> None:
        barrier.wait()
        results.append(tick_at(ticker(muster, slack, f"thread-{n}"), FRIDAY).digests)

    threads = [threading.Thread(target=tick, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(len(r) for r in results) == [0] * 7 + [1]
    assert digests_posted(slack) == 1


def claim_as_dead_process(muster: Muster, subscription: int, lease_left: timedelta) -> None:
    with Session(muster.engine) as s:
        s.add(
            PostClaim(
                subscription_id=subscription,
                key="digest:2026-W48",
                claimed_by="crashed-host:1234",
                claimed_at=FRIDAY,
                lease_until=FRIDAY + lease_left,
            )
        )
        s.commit()


def test_a_claim_left_by_a_crashed_process_is_taken_over_once_after_its_lease(
    subscribed: int, muster: Muster, slack: SlackStandIn
) -> None:
    claim_as_dead_process(muster, subscribed, timedelta(minutes=5))
    assert (
        tick_at(ticker(muster, slack, "a"), FRIDAY + timedelta(minutes=1)).digests == []
    )  # lease still running
    assert digests_posted(slack) == 0
    results = [
        tick_at(ticker(muster, slack, w), FRIDAY + timedelta(minutes=6)).digests
        for w in ("a", "b", "c")
    ]
    assert [len(r) for r in results] == [1, 0, 0]
    assert digests_posted(slack) == 1
    with muster.engine.connect() as conn:
        row = conn.execute(text("SELECT claimed_by, status FROM postclaim")).one()
    assert tuple(row) == ("a", "posted")


def test_the_first_tick_after_downtime_posts_the_latest_missed_period_once(
    subscribed: int, muster: Muster, slack: SlackStandIn
) -> None:
    back = datetime.fromisoformat(
        "2026-12-05T09:00:00+00:00"
    )  # missed Friday 27 Nov and Friday 4 Dec
    assert tick_at(ticker(muster, slack, "a"), back).digests == [f"{CHANNEL} digest:2026-W49"]
    assert tick_at(ticker(muster, slack, "a"), back + timedelta(minutes=1)).digests == []
    assert digests_posted(slack) == 1


def test_a_slack_failure_leaves_the_claim_for_a_later_tick(
    subscribed: int, muster: Muster, slack: SlackStandIn
) -> None:
    slack.fail("chat.postMessage", status=500, error="internal_error")
    assert tick_at(ticker(muster, slack, "a"), FRIDAY).digests == []
    assert (
        tick_at(ticker(muster, slack, "b"), FRIDAY + timedelta(minutes=1)).digests == []
    )  # a's lease holds
    assert tick_at(ticker(muster, slack, "b"), FRIDAY + timedelta(minutes=6)).digests == [
        f"{CHANNEL} digest:2026-W48"
    ]
    assert digests_posted(slack) == 2  # the failed attempt, then the one that got through


def test_claims_leases_and_posts_are_stamped_by_the_injected_clock(
    subscribed: int, muster: Muster, slack: SlackStandIn
) -> None:
    """The tick reads one clock: on a fixed clock years from the wall clock, the claim,
    its lease and the posting time are all that clock's, never today's date."""
    long_ago = datetime.fromisoformat("2026-11-27T15:00:30+00:00")
    assert tick_at(ticker(muster, slack, "a"), long_ago).digests == [f"{CHANNEL} digest:2026-W48"]
    with Session(muster.engine) as s:
        claim = s.exec(select(PostClaim)).one()
    assert (claim.claimed_at, claim.lease_until, claim.posted_at) == (
        long_ago,
        long_ago + LEASE,
        long_ago,
    )


def claim_states(muster: Muster) -> list[tuple[str, str]]:
    with muster.engine.connect() as conn:
        rows = conn.execute(text("SELECT key, status FROM postclaim ORDER BY key")).all()
    return [(str(k), str(s)) for k, s in rows]


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


def test_the_tick_forgets_old_deliveries(
    muster: Muster, muster_cmd: SlashCommands, settings: Settings, engine: Engine
) -> None:
    small_coalition(muster)
    muster_cmd(OWN, "pledge LAND-1 1")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM delivery")).scalar_one() == 1
    tick_at(Ticker(muster, make_client(settings), pace=0), muster.clock() + timedelta(days=2))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM delivery")).scalar_one() == 0
