"""Exactly once, on time, across threads and processes sharing one database."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import text
from sqlmodel import Session

from bot.app import make_client
from bot.broadcasts import Broadcasts
from bot.scheduler import Ticker
from bot.services import Muster
from bot.settings import Settings
from bot.standin import SlackStandIn
from storage.models import PostClaim
from tests.support.factories import COORDINATOR, small_coalition
from tests.support.http import SETTING_NAMES

CHANNEL = "C0STATUS"
FRIDAY = datetime.fromisoformat("2026-11-27T15:00:00+00:00")


@pytest.fixture
def subscribed(muster: Muster) -> int:
    small_coalition(muster)
    with time_machine.travel("2026-11-23T10:00:00Z", tick=False):
        return Broadcasts(muster).subscribe(COORDINATOR, "digest", CHANNEL).id


def ticker(muster: Muster, slack: SlackStandIn, worker: str) -> Ticker:
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
        results.append(ticker(muster, slack, f"thread-{n}").tick(FRIDAY).digests)

    threads = [threading.Thread(target=tick, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(len(r) for r in results) == [0] * 7 + [1]
    assert digests_posted(slack) == 1


def test_several_processes_ticking_post_once(
    subscribed: int, database_url: str, slack: SlackStandIn
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES} | {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-proc",
        "SLACK_API_URL": slack.api_url,
    }
    command = [sys.executable, "-m", "bot.cli", "tick", "--now", "2026-11-27T16:00:30+01:00"]
    processes = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert all(p.returncode == 0 for p in processes), outputs
    assert sum("1 digest(s)" in out for out, _err in outputs) == 1
    assert digests_posted(slack) == 1
    again = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    assert "0 digest(s)" in again.stdout
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
        ticker(muster, slack, "a").tick(FRIDAY + timedelta(minutes=1)).digests == []
    )  # lease still running
    assert digests_posted(slack) == 0
    results = [
        ticker(muster, slack, w).tick(FRIDAY + timedelta(minutes=6)).digests
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
    assert ticker(muster, slack, "a").tick(back).digests == [f"{CHANNEL} digest:2026-W49"]
    assert ticker(muster, slack, "a").tick(back + timedelta(minutes=1)).digests == []
    assert digests_posted(slack) == 1


def test_a_slack_failure_leaves_the_claim_for_a_later_tick(
    subscribed: int, muster: Muster, slack: SlackStandIn
) -> None:
    slack.fail("chat.postMessage", status=500, error="internal_error")
    assert ticker(muster, slack, "a").tick(FRIDAY).digests == []
    assert (
        ticker(muster, slack, "b").tick(FRIDAY + timedelta(minutes=1)).digests == []
    )  # a's lease holds
    assert ticker(muster, slack, "b").tick(FRIDAY + timedelta(minutes=6)).digests == [
        f"{CHANNEL} digest:2026-W48"
    ]
    assert digests_posted(slack) == 2  # the failed attempt, then the one that got through
