"""The outbox owes each message once, whoever owes it and however often: a key owed
twice (even by two transactions at once) is one row; a message waits for its moment,
lapses at its expiry, and is claimed by one process at a time."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine, text

from bot.domain.clock import FixedClock
from bot.services.muster import Muster
from bot.services.outbox import LEASE, MAX_ATTEMPTS, Owed, cancel, enqueue
from tests.support.databases import count


def owe(muster: Muster, key: str, **when: object) -> bool:
    message = Owed(key=key, recipient="UVAL1", text="Hello", blocks=[], **when)  # type: ignore[arg-type]
    with muster.uow.write(bookkeeping=True) as s:
        return enqueue(s, message, muster.clock())


def states(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT key, status FROM outbox_message")).all()
    return {str(key): str(status) for key, status in rows}


def test_a_key_is_owed_once(muster: Muster, engine: Engine) -> None:
    assert owe(muster, "call:C-1:open:UVAL1")
    assert not owe(muster, "call:C-1:open:UVAL1")
    assert count(engine, "outbox_message") == 1


def test_two_transactions_owing_the_same_key_at_once_owe_it_once(
    muster: Muster, engine: Engine
) -> None:
    barrier = threading.Barrier(4)
    owed: list[bool] = []

    def race() -> None:
        barrier.wait()
        owed.append(owe(muster, "call:C-1:r48:UVAL1"))

    threads = [threading.Thread(target=race) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(owed) == [False, False, False, True]
    assert count(engine, "outbox_message") == 1


def test_a_message_waits_for_its_moment(muster: Muster, clock: FixedClock) -> None:
    owe(muster, "later", not_before=clock() + timedelta(hours=9))
    assert muster.outbox.due(clock()) == []
    [message_id] = muster.outbox.due(clock() + timedelta(hours=9))
    assert muster.outbox.claim(message_id, "w") is None  # the clock has not got there
    clock.advance(timedelta(hours=9))
    assert muster.outbox.claim(message_id, "w") is not None


def test_a_message_past_its_expiry_lapses(
    muster: Muster, clock: FixedClock, engine: Engine
) -> None:
    owe(
        muster,
        "remind",
        not_before=clock() + timedelta(hours=2),
        expires_at=clock() + timedelta(hours=1),
    )
    clock.advance(timedelta(hours=3))
    [message_id] = muster.outbox.due(clock())
    assert muster.outbox.claim(message_id, "w") is None
    assert states(engine) == {"remind": "expired"}
    assert muster.outbox.due(clock()) == []


def test_one_process_claims_a_message_and_a_lapsed_claim_is_taken_over(
    muster: Muster, clock: FixedClock, engine: Engine
) -> None:
    owe(muster, "hello")
    [message_id] = muster.outbox.due(clock())
    first = muster.outbox.claim(message_id, "a")
    assert first is not None and not first.taken_over
    assert muster.outbox.claim(message_id, "b") is None
    assert muster.outbox.due(clock()) == []
    clock.advance(LEASE + timedelta(seconds=1))
    taken = muster.outbox.claim(message_id, "b")
    assert taken is not None and taken.taken_over
    muster.outbox.finish(first, sent=True, ts="1.1")  # too late: b holds it now
    assert states(engine) == {"hello": "claimed"}
    muster.outbox.finish(taken, sent=True, ts="1.2")
    assert states(engine) == {"hello": "sent"}
    assert muster.outbox.due(clock() + timedelta(days=1)) == []


def test_a_message_no_claim_ever_sent_is_given_up(
    muster: Muster, clock: FixedClock, engine: Engine
) -> None:
    owe(muster, "hello")
    [message_id] = muster.outbox.due(clock())
    for attempt in range(MAX_ATTEMPTS):
        assert muster.outbox.claim(message_id, f"w{attempt}") is not None
        clock.advance(LEASE + timedelta(seconds=1))
    assert muster.outbox.claim(message_id, "last") is None
    assert states(engine) == {"hello": "failed"}


def test_cancelling_stops_only_what_has_not_gone(
    muster: Muster, clock: FixedClock, engine: Engine
) -> None:
    owe(muster, "call:C-1:r48:VAL:UVAL1")
    owe(muster, "call:C-1:r48:VAL:UVAL2")
    owe(muster, "call:C-1:r48:OST:UOST1")
    owe(muster, "call:C-10:r48:VAL:UVAL1")
    first = muster.outbox.claim(muster.outbox.due(clock())[0], "w")
    assert first is not None and first.key == "call:C-1:r48:VAL:UVAL1"
    muster.outbox.finish(first, sent=True, ts="1.1")
    with muster.uow.write(bookkeeping=True) as s:
        assert cancel(s, "call:C-1:r48:VAL:") == 1
    assert states(engine) == {
        "call:C-1:r48:VAL:UVAL1": "sent",
        "call:C-1:r48:VAL:UVAL2": "cancelled",
        "call:C-1:r48:OST:UOST1": "pending",
        "call:C-10:r48:VAL:UVAL1": "pending",
    }


def test_cancelling_stops_a_claim_whose_process_died_from_being_taken_over(
    muster: Muster, clock: FixedClock, engine: Engine
) -> None:
    owe(muster, "call:C-1:r4:VAL:UVAL1")
    claimed = muster.outbox.claim(muster.outbox.due(clock())[0], "dead")
    assert claimed is not None  # and its process dies before posting
    with muster.uow.write(bookkeeping=True) as s:
        assert cancel(s, "call:C-1:r4:VAL:") == 1  # the delegation answered meanwhile
    clock.advance(LEASE + timedelta(seconds=1))
    assert muster.outbox.due(clock()) == []
    assert states(engine) == {"call:C-1:r4:VAL:UVAL1": "cancelled"}
