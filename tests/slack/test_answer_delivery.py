"""Each direct message an answer owes goes once: when Slack retries the command, when
the process that recorded the answer dies before sending, when Slack's answer to a
post is lost, when a process dies after posting, and when several processes tick at
once; a message Slack failed is sent by a later tick, one it refuses is given up."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from slack_bolt import BoltRequest
from sqlalchemy import Engine, text

from bot.domain.clock import FixedClock
from bot.runtime.app import make_client
from bot.runtime.scheduler import Ticker
from bot.runtime.settings import Settings
from bot.runtime.standin import SlackStandIn
from bot.services.answer_notices import LEASE, MAX_ATTEMPTS
from bot.services.muster import Muster
from tests.support.answers import ANSWER, EVERYONE, VAL, dm_count, more_members, notice_states
from tests.support.clock import set_clock, tick_at
from tests.support.factories import COORDINATOR
from tests.support.slack import SlashCommands


@pytest.fixture
def coalition(coalition: Muster) -> Muster:
    return more_members(coalition)


def test_a_retried_command_sends_nothing_twice(
    coalition: Muster, muster_cmd: SlashCommands, slack: SlackStandIn, ticker: Ticker
) -> None:
    body = muster_cmd.form(COORDINATOR, f'answer Q-1 "{ANSWER}" publish')
    for _ in range(3):  # Slack retries the same delivery
        muster_cmd.app.dispatch(BoltRequest(body=body, headers=muster_cmd.signed(body)))
        assert muster_cmd.workers is not None and muster_cmd.workers.wait_idle()
    assert tick_at(ticker, coalition.clock()).notices == 0
    assert dm_count(slack) == Counter(EVERYONE)


def test_what_a_process_dropped_the_tick_sends_once(
    coalition: Muster, clock: FixedClock, ticker: Ticker, slack: SlackStandIn, engine: Engine
) -> None:
    """The answer was recorded, then its process died before sending anything."""
    coalition.questions.answer(COORDINATOR, 1, ANSWER, publish=True)
    assert notice_states(engine) == Counter({"pending": 6})
    assert tick_at(ticker, clock()).notices == 6
    assert tick_at(ticker, clock()).notices == 0
    assert dm_count(slack) == Counter(EVERYONE)


def test_a_message_whose_answer_was_lost_is_not_sent_again(
    coalition: Muster, muster_cmd: SlashCommands, slack: SlackStandIn, engine: Engine
) -> None:
    slack.fail("chat.postMessage", drop_answer=True)  # the first one reaches Slack, unanswered
    muster_cmd(COORDINATOR, f"answer Q-1 {ANSWER}")
    assert dm_count(slack) == Counter(VAL)
    assert notice_states(engine) == Counter({"posted": 3})


def test_a_failed_message_is_sent_by_a_later_tick_and_a_member_slack_refuses_is_given_up(
    coalition: Muster,
    clock: FixedClock,
    muster_cmd: SlashCommands,
    slack: SlackStandIn,
    ticker: Ticker,
    engine: Engine,
) -> None:
    slack.fail("chat.postMessage", status=500, error="internal_error")
    slack.fail("chat.postMessage", error="user_not_found")
    muster_cmd(COORDINATOR, f"answer Q-1 {ANSWER}")
    assert notice_states(engine) == Counter({"claimed": 1, "failed": 1, "posted": 1})
    assert tick_at(ticker, clock()).notices == 0  # its lease still runs
    set_clock(clock, clock() + LEASE + timedelta(seconds=1))
    assert tick_at(ticker, clock()).notices == 1
    assert notice_states(engine) == Counter({"failed": 1, "posted": 2})


def test_several_processes_ticking_send_each_message_once(
    coalition: Muster, clock: FixedClock, settings: Settings, slack: SlackStandIn
) -> None:
    coalition.questions.answer(COORDINATOR, 1, ANSWER, publish=True)
    barrier = threading.Barrier(6)
    sent: list[int] = []

    def tick(n: int) -> None:
        ticker = Ticker(coalition, make_client(settings), pace=0, worker=f"process-{n}")
        barrier.wait()
        sent.append(ticker.tick().notices)

    threads = [threading.Thread(target=tick, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(sent) == len(EVERYONE)
    assert dm_count(slack) == Counter(EVERYONE)


def claimed_by_a_dead_process(engine: Engine, clock: FixedClock) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE answer_notice SET status = 'claimed', claimed_by = 'dead:1', "
                "lease_until = :until, attempts = 1"
            ),
            {"until": clock() + timedelta(minutes=1)},
        )


def test_a_message_posted_by_a_process_that_then_died_is_found_not_sent_again(
    coalition: Muster,
    clock: FixedClock,
    muster_cmd: SlashCommands,
    ticker: Ticker,
    slack: SlackStandIn,
    engine: Engine,
) -> None:
    muster_cmd(COORDINATOR, f"answer Q-1 {ANSWER}")
    assert dm_count(slack) == Counter(VAL)
    claimed_by_a_dead_process(engine, clock)  # as if it died before marking them posted
    assert tick_at(ticker, clock() + timedelta(minutes=2)).notices == len(VAL)
    assert dm_count(slack) == Counter(VAL)  # found in their direct messages, not sent again
    assert notice_states(engine) == Counter({"posted": len(VAL)})


def test_a_taken_over_message_waits_while_the_direct_messages_cannot_be_read(
    coalition: Muster,
    clock: FixedClock,
    muster_cmd: SlashCommands,
    ticker: Ticker,
    slack: SlackStandIn,
    engine: Engine,
) -> None:
    muster_cmd(COORDINATOR, f"answer Q-1 {ANSWER}")
    claimed_by_a_dead_process(engine, clock)  # posted, then died before marking them
    slack.fail("conversations.history", error="ratelimited_forever", times=len(VAL))
    assert tick_at(ticker, clock() + timedelta(minutes=2)).notices == 0
    assert dm_count(slack) == Counter(VAL)  # not posted again on a guess
    assert notice_states(engine) == Counter({"claimed": len(VAL)})  # a later tick looks again


def test_a_message_a_dead_process_never_posted_is_sent_after_its_lease(
    coalition: Muster, clock: FixedClock, ticker: Ticker, slack: SlackStandIn, engine: Engine
) -> None:
    coalition.questions.answer(COORDINATOR, 1, ANSWER)
    claimed_by_a_dead_process(engine, clock)
    assert tick_at(ticker, clock()).notices == 0  # its lease still runs
    assert tick_at(ticker, clock() + timedelta(minutes=2)).notices == len(VAL)
    assert dm_count(slack) == Counter(VAL)


def test_a_message_slack_keeps_failing_is_given_up(
    coalition: Muster, clock: FixedClock, ticker: Ticker, slack: SlackStandIn, engine: Engine
) -> None:
    coalition.questions.answer(COORDINATOR, 1, ANSWER)
    slack.fail("chat.postMessage", status=500, error="internal_error", times=1000)
    start = clock()
    for attempt in range(MAX_ATTEMPTS + 2):
        tick_at(ticker, start + attempt * (LEASE + timedelta(seconds=1)))
    assert notice_states(engine) == Counter({"failed": len(VAL)})
    assert len(slack.calls_to("chat.postMessage")) == MAX_ATTEMPTS * len(VAL)


def test_a_new_answer_replaces_messages_not_yet_sent(
    coalition: Muster, clock: FixedClock, ticker: Ticker, slack: SlackStandIn, engine: Engine
) -> None:
    coalition.questions.answer(COORDINATOR, 1, "A first answer.")
    coalition.questions.answer(COORDINATOR, 1, ANSWER)
    assert tick_at(ticker, clock()).notices == len(VAL)
    assert all(ANSWER in c.args["text"] for c in slack.calls_to("chat.postMessage"))
    assert notice_states(engine) == Counter({"posted": len(VAL), "superseded": len(VAL)})
