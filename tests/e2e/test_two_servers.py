"""Two `muster serve --http` processes sharing one PostgreSQL database: slash commands
to both, and one digest (with its chart) for a subscription that is due now, although
four schedulers (two workers per server) tick at once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.domain.clock import FixedClock, system_clock
from bot.domain.schedule import Weekly
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from storage.db import make_engine, upgrade
from tests.support.databases import postgres_database
from tests.support.factories import COORDINATOR, OTHER, OWN, small_coalition
from tests.support.http import SlackOverHttp, muster_server

SECRET = "two-servers"
CHANNEL = "C0STATUS"


@pytest.fixture
def shared_postgres(
    postgres_url: str,
) -> Iterator[str]:  # postgres_url fails loudly in CI without PostgreSQL
    with postgres_database("muster_two") as url:
        upgrade(url)
        yield url


def test_two_servers_one_digest(shared_postgres: str, slack_server: SlackStandIn) -> None:
    slack = slack_server
    slack.reset()
    engine = make_engine(shared_postgres)
    # The servers are real processes on the real clock: the digest falls due two minutes
    # ago, for a channel subscribed the day before.
    due = system_clock().replace(second=0, microsecond=0) - timedelta(minutes=2)
    schedule = Weekly.of(due.weekday(), f"{due:%H:%M}", "UTC")
    muster = Muster(engine, clock=FixedClock(due - timedelta(days=1)), coordinators=[COORDINATOR])
    small_coalition(muster)
    muster.broadcasts.subscribe(COORDINATOR, "digest", CHANNEL, schedule)

    env = {
        "DATABASE_URL": shared_postgres,
        "SLACK_BOT_TOKEN": "xoxb-two",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "MUSTER_COORDINATORS": COORDINATOR,
    }
    with muster_server(env) as first, muster_server(env) as second:
        one, two = (SlackOverHttp(port, SECRET, slack.response_url()) for port in (first, second))
        assert "Pledge P-3 recorded" in one.command(OTHER, "pledge LAND-1 1 offered").text
        assert "Pledge P-4 recorded" in two.command(OWN, "pledge SKY-1 2 confirmed").text
        assert "P-3 OST → LAND-1" in two.command(COORDINATOR, "pledges LAND-1").text.replace(
            "*", ""
        )
        slack.wait_for("files.completeUploadExternal", timeout=60)
        slack.settle(quiet=2.0)
    digests = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL]
    assert len(digests) == 1
    [chart] = slack.calls_to("files.completeUploadExternal")
    assert chart.args["thread_ts"] == digests[0].reply["ts"]
    with engine.connect() as conn:
        from sqlalchemy import text

        claims = conn.execute(text("SELECT key, status FROM postclaim")).all()
    assert [tuple(c) for c in claims] == [
        (f"digest:{schedule.period(schedule.latest(system_clock()))}", "posted")
    ]
    engine.dispose()
