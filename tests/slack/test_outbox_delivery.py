"""Each message the outbox owes goes once: when several processes tick at once, when
a process died after claiming it (before or after posting), when Slack's answer to a
post is lost, and when the direct messages cannot be read to check; a message Slack
failed is sent by a later tick, one it refuses is given up."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

from sqlalchemy import Engine, text

from bot.domain.clock import FixedClock
from bot.runtime.app import make_client
from bot.runtime.scheduler import Ticker
from bot.runtime.settings import Settings
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from bot.services.outbox import LEASE
from handlers.outbox import METADATA_EVENT
from tests.support.answers import dm_count, dms
from tests.support.clock import tick_at
from tests.support.exports import owe_a_message

USERS = ("UVAL1", "UVAL2", "UOST1", "UCAL1")


def owe_everyone(muster: Muster, clock: FixedClock) -> None:
    for user in USERS:
        owe_a_message(muster, user)
    clock.advance(timedelta(hours=9))  # owe_a_message waits nine hours


def states(engine: Engine) -> Counter[str]:
    with engine.connect() as conn:
        return Counter(str(s) for (s,) in conn.execute(text("SELECT status FROM outbox_message")))


def claimed_by_a_dead_process(engine: Engine, clock: FixedClock) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE outbox_message SET status = 'claimed', claimed_by = 'dead:1', "
                "lease_until = :until, attempts = 1"
            ),
            {"until": clock() + timedelta(minutes=1)},
        )


def test_a_message_goes_at_its_moment_with_its_key_in_the_metadata(
    muster: Muster, clock: FixedClock, ticker: Ticker, slack: SlackStandIn, engine: Engine
) -> None:
    owe_a_message(muster, "UVAL1")
    assert tick_at(ticker, clock() + timedelta(hours=8)).messages == 0
    assert tick_at(ticker, clock() + timedelta(hours=9)).messages == 1
    [dm] = dms(slack)
    assert dm.args["text"] == "Hello <@U1> & welcome"
    assert dm.args["blocks"][0]["text"]["text"] == "Hello"
    metadata = dm.args["metadata"]
    assert metadata["event_type"] == METADATA_EVENT
    assert metadata["event_payload"] == {"key": "test:hello:UVAL1"}
    assert tick_at(ticker, clock() + timedelta(hours=10)).messages == 0
    assert states(engine) == Counter({"sent": 1})


def test_a_message_past_its_expiry_never_goes(
    muster: Muster, clock: FixedClock, ticker: Ticker, slack: SlackStandIn, engine: Engine
) -> None:
    owe_a_message(muster, "UVAL1")  # expires two days on
    assert tick_at(ticker, clock() + timedelta(days=3)).messages == 0
    assert dms(slack) == []
    assert states(engine) == Counter({"expired": 1})


def test_two_processes_ticking_at_once_send_each_message_once(
    muster: Muster, clock: FixedClock, settings: Settings, slack: SlackStandIn
) -> None:
    owe_everyone(muster, clock)
    barrier = threading.Barrier(2)
    sent: list[int] = []

    def tick(n: int) -> None:
        ticker = Ticker(muster, make_client(settings), pace=0, worker=f"process-{n}")
        barrier.wait()
        sent.append(ticker.tick().messages)

    threads = [threading.Thread(target=tick, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(sent) == len(USERS)
    assert dm_count(slack) == Counter(USERS)


def test_a_message_a_dead_process_posted_is_found_not_posted_again(
    muster: Muster, clock: FixedClock, ticker: Ticker, slack: SlackStandIn, engine: Engine
) -> None:
    owe_everyone(muster, clock)
    assert tick_at(ticker, clock()).messages == len(USERS)
    claimed_by_a_dead_process(engine, clock)  # as if it died before marking them sent
    assert tick_at(ticker, clock()).messages == 0  # its lease still runs
    assert tick_at(ticker, clock() + timedelta(minutes=2)).messages == len(USERS)
    assert dm_count(slack) == Counter(USERS)  # found in their direct messages
    assert len(slack.calls_to("conversations.history")) == len(USERS)
    assert states(engine) == Counter({"sent": len(USERS)})


def test_a_message_a_dead_process_never_posted_goes_after_its_lease(
    muster: Muster, clock: FixedClock, ticker: Ticker, slack: SlackStandIn, engine: Engine
) -> None:
    owe_everyone(muster, clock)
    claimed_by_a_dead_process(engine, clock)
    assert tick_at(ticker, clock()).messages == 0
    assert tick_at(ticker, clock() + timedelta(minutes=2)).messages == len(USERS)
    assert dm_count(slack) == Counter(USERS)


def test_a_taken_over_message_waits_while_the_direct_messages_cannot_be_read(
    muster: Muster, clock: FixedClock, ticker: Ticker, slack: SlackStandIn, engine: Engine
) -> None:
    owe_a_message(muster, "UVAL1")
    clock.advance(timedelta(hours=9))
    claimed_by_a_dead_process(engine, clock)
    slack.fail("conversations.history", error="ratelimited_forever")
    later = clock() + timedelta(minutes=2)
    assert tick_at(ticker, later).messages == 0
    assert dms(slack) == []  # not posted on a guess
    assert tick_at(ticker, later + LEASE + timedelta(seconds=1)).messages == 1
    assert dm_count(slack) == Counter({"UVAL1": 1})


def test_a_message_whose_answer_was_lost_is_not_sent_again(
    muster: Muster, clock: FixedClock, ticker: Ticker, slack: SlackStandIn, engine: Engine
) -> None:
    owe_a_message(muster, "UVAL1")
    slack.fail("chat.postMessage", drop_answer=True)
    assert tick_at(ticker, clock() + timedelta(hours=9)).messages == 1
    assert tick_at(ticker, clock() + timedelta(hours=10)).messages == 0
    assert dm_count(slack) == Counter({"UVAL1": 1})
    assert states(engine) == Counter({"sent": 1})


def test_a_failed_message_goes_later_and_one_slack_refuses_is_given_up(
    muster: Muster, clock: FixedClock, ticker: Ticker, slack: SlackStandIn, engine: Engine
) -> None:
    owe_a_message(muster, "UVAL1")
    owe_a_message(muster, "UGONE")
    slack.fail("chat.postMessage", status=500, error="internal_error")
    slack.fail("chat.postMessage", error="user_not_found")
    start = clock() + timedelta(hours=9)
    assert tick_at(ticker, start).messages == 0
    assert states(engine) == Counter({"claimed": 1, "failed": 1})
    assert tick_at(ticker, start + LEASE + timedelta(seconds=1)).messages == 1
    assert states(engine) == Counter({"sent": 1, "failed": 1})
    assert dm_count(slack)["UVAL1"] == 2  # the failed post, then the one that went
