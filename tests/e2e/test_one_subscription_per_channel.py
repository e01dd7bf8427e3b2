"""A channel has at most one digest and one alert subscription, however many
coordinators subscribe it at once; unsubscribing stops it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.runtime.scheduler import Ticker
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from storage.db import make_engine, upgrade
from tests.support.clock import tick_at
from tests.support.databases import postgres_admin_url, postgres_database
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


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migration_merges_existing_duplicates(tmp_path: Path, backend: str) -> None:
    if backend == "postgresql":
        if not postgres_admin_url():
            pytest.skip("PostgreSQL half: set TEST_POSTGRES_URL to run it")
        with postgres_database("muster_merge") as url:
            _check_merge(url)
    else:
        _check_merge(f"sqlite:///{tmp_path / 'old.db'}")


def _check_merge(url: str) -> None:
    upgrade(url, "0004")
    engine = make_engine(url)
    t = datetime(2026, 11, 20, 9, tzinfo=UTC)
    insert_sub = text(
        "INSERT INTO subscription (id, kind, channel, weekday, time_of_day, timezone, active,"
        " broken_reason, created_by, created_at, updated_at)"
        " VALUES (:id, :kind, :ch, 4, '16:00', 'Europe/Brussels', :active, '', 'U1', :t, :u)"
    )
    insert_claim = text(
        "INSERT INTO postclaim (subscription_id, key, claimed_by, claimed_at, lease_until, status,"
        " message_ts) VALUES (:sub, :key, 'w', :t, :t, 'posted', '')"
    )
    with engine.begin() as conn:
        for sub_id, kind, active, updated in [
            (1, "digest", True, t),
            (2, "digest", True, t.replace(day=21)),  # changed last: kept
            (3, "digest", False, t.replace(day=22)),  # inactive: merged away
            (4, "alerts", True, t),
        ]:
            conn.execute(
                insert_sub,
                {"id": sub_id, "kind": kind, "ch": CHANNEL, "active": active, "t": t, "u": updated},
            )
        for sub_id, key in [(1, "digest:2026-W47"), (2, "digest:2026-W47"), (1, "digest:2026-W46")]:
            conn.execute(insert_claim, {"sub": sub_id, "key": key, "t": t})
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        subs = conn.execute(text("SELECT id, kind FROM subscription ORDER BY id")).all()
        claims = conn.execute(text("SELECT subscription_id, key FROM postclaim ORDER BY key")).all()
    engine.dispose()
    assert [tuple(r) for r in subs] == [(2, "digest"), (4, "alerts")]
    assert [tuple(r) for r in claims] == [(2, "digest:2026-W46"), (2, "digest:2026-W47")]


def test_a_subscription_is_audited_under_its_whole_reference(muster: Muster) -> None:
    small_coalition(muster)
    muster.broadcasts.subscribe(COORDINATOR, "digest", "C01ABCDEF23")
    with muster.engine.connect() as conn:
        refs = conn.execute(
            text("SELECT entity_ref FROM event WHERE entity = 'subscription'")
        ).scalars()
        assert list(refs) == ["digest:C01ABCDEF23"]
