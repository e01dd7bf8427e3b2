"""Subscriptions and claims in the broadcasts service: one subscription per channel
(old duplicates merged by the migration), audited under its whole reference, and a
claim's lease counted from the moment of the claim."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.domain.clock import FixedClock
from bot.services.broadcasts import LEASE
from bot.services.muster import Muster
from storage.db import make_engine, upgrade
from tests.support.broadcasts import MONDAY, subscribed_coalition
from tests.support.clock import set_clock
from tests.support.factories import COORDINATOR, small_coalition

CHANNEL = "CDUP"


@pytest.fixture
def coalition(clock: FixedClock, muster: Muster) -> Muster:
    """Not the tier's plain coalition: this one is subscribed to alerts and the digest."""
    return subscribed_coalition(clock, muster)


def test_the_migration_merges_existing_duplicates(empty_database_url: str) -> None:
    _check_merge(empty_database_url)


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


def test_a_lease_runs_from_the_moment_of_the_claim(clock: FixedClock, coalition: Muster) -> None:
    # A slow tick that began at MONDAY reaches this claim 30 minutes later: the lease
    # is read from the clock at the claim, so it has not run out before it is used.
    set_clock(clock, MONDAY + timedelta(minutes=30))
    claim = coalition.broadcasts.claim(1, "digest:test", "slow")
    assert claim is not None
    with coalition.engine.connect() as conn:
        from sqlalchemy import text

        lease = conn.execute(
            text("SELECT lease_until FROM postclaim WHERE key = 'digest:test'")
        ).scalar_one()
    assert str(lease).startswith(
        str((MONDAY + timedelta(minutes=30) + LEASE).replace(tzinfo=None))[:16]
    )
