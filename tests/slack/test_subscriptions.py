"""A channel has at most one digest and one alert subscription, however many
coordinators subscribe it at once; unsubscribing stops it."""

from __future__ import annotations

import threading

from sqlalchemy import text

from bot.runtime.scheduler import Ticker
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from tests.support.clock import tick_at
from tests.support.factories import COORDINATOR, small_coalition
from tests.support.slack import SlashCommands

CHANNEL = "CDUP"
FRIDAY = "2026-11-27T15:00:00Z"


def at_once(run: SlashCommands, text_: str, n: int = 10) -> list[str]:
    barrier = threading.Barrier(n)
    replies: list[str] = []

    def one() -> None:
        barrier.wait()
        replies.append(run(COORDINATOR, text_).text)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return replies


def rows(muster: Muster, kind: str) -> int:
    with muster.engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM subscription WHERE kind = :k AND channel = :c"),
                {"k": kind, "c": CHANNEL},
            ).scalar_one()
        )


def posts_to_channel(slack: SlackStandIn) -> int:
    return len([c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL])


def test_ten_simultaneous_digest_subscribes_make_one_row_and_one_digest(
    muster: Muster, muster_cmd: SlashCommands, ticker: Ticker, slack: SlackStandIn
) -> None:
    small_coalition(muster)
    replies = at_once(
        muster_cmd, f"digest subscribe <#{CHANNEL}|d> weekly friday 16:00 Europe/Brussels"
    )
    assert len(replies) == 10
    assert all("gets the weekly digest on Fridays at 16:00 Europe/Brussels" in r for r in replies)
    assert rows(muster, "digest") == 1
    slack.reset()
    assert tick_at(ticker, FRIDAY).digests == [f"{CHANNEL} digest:2026-W48"]
    assert posts_to_channel(slack) == 1


def test_unsubscribe_after_a_race_stops_the_digest(
    muster: Muster, muster_cmd: SlashCommands, ticker: Ticker, slack: SlackStandIn
) -> None:
    small_coalition(muster)
    at_once(muster_cmd, f"digest subscribe <#{CHANNEL}|d> weekly friday 16:00 Europe/Brussels")
    assert "no longer" in muster_cmd(COORDINATOR, f"digest unsubscribe <#{CHANNEL}>").text
    slack.reset()
    assert tick_at(ticker, FRIDAY).digests == []
    assert posts_to_channel(slack) == 0


def test_ten_simultaneous_alert_subscribes_make_one_row_and_alert_once(
    muster: Muster, muster_cmd: SlashCommands, ticker: Ticker, slack: SlackStandIn
) -> None:
    small_coalition(muster)
    replies = at_once(muster_cmd, f"alerts subscribe <#{CHANNEL}|d>")
    assert all("now gets gap alerts" in r for r in replies), replies
    assert rows(muster, "alerts") == 1
    slack.reset()
    tick_at(ticker, "2026-11-23T09:00:00Z")
    assert posts_to_channel(slack) == 1
