"""A digest reads the week's changes as sums plus the few lines it shows: the rows and
statements it reads are the same whether 70 or 420 pledges changed that week, and
the counts it prints are the true ones, with the same visibility as every other view."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from bot.domain.clock import FixedClock
from bot.domain.model import PledgeStatus
from bot.services.digests import MAX_PER_CHANGE, Changes, Digest
from bot.services.muster import Muster
from bot.services.pledges import PledgeChange
from handlers.digest import change_lines
from tests.conftest import RowCounter, StatementCounter
from tests.support.clock import START
from tests.support.factories import (
    COORDINATOR,
    OTHER,
    OWN,
    add_delegations,
    add_requirements,
    small_coalition,
)

NOW = START + timedelta(days=181)
WEEK_AGO = NOW - timedelta(days=7)
CONDITIONS = ("", "US backstop", "subject to a vote in parliament")
KINDS = ("new", "raised", "reduced", "confirmed", "withdrawn")


def changes_over(
    m: Muster,
    clock: FixedClock,
    users: list[str],
    codes: list[str],
    count: int,
    start: datetime,
    days: int,
) -> None:
    """``count`` pledges made over ``days`` from ``start``; of every five, one is left
    as made, one raised, one reduced, one confirmed and one withdrawn; every tenth
    (always one left as made) is restricted."""
    for i in range(count):
        clock.set(start + timedelta(days=days) * i / count)
        user = users[i % len(users)]
        made = m.pledges.pledge(
            user,
            requirement=codes[i % len(codes)],
            quantity=10,
            status=PledgeStatus.OFFERED,
            condition=CONDITIONS[i % 3],
            restricted=i % 10 == 0,
        )
        pledge_id = int(made.pledge.ref[2:])
        clock.advance(timedelta(minutes=1))
        follow_up = i % 5
        if follow_up in (1, 2):
            m.pledges.update_pledge(
                user, pledge_id, PledgeChange(quantity=12 if follow_up == 1 else 8)
            )
        elif follow_up == 3:
            m.pledges.update_pledge(user, pledge_id, PledgeChange(status=PledgeStatus.CONFIRMED))
        elif follow_up == 4:
            m.pledges.withdraw(user, pledge_id, "needed at home")


def grow(m: Muster, clock: FixedClock, users: list[str], codes: list[str], times: int) -> None:
    """A history of 20 × ``times`` pledges over five months, then 70 × ``times`` in the
    last six days before NOW."""
    changes_over(m, clock, users, codes, 20 * times, START + timedelta(days=10), days=140)
    changes_over(m, clock, users, codes, 70 * times, WEEK_AGO + timedelta(hours=1), days=6)


@pytest.fixture
def base(muster: Muster, clock: FixedClock) -> tuple[list[str], list[str]]:
    """The small coalition, six more delegations, four more requirements, and a
    question asked and one answered within the week."""
    small_coalition(muster)
    users = add_delegations(muster, 6)
    codes = add_requirements(muster, 4)
    clock.set(WEEK_AGO + timedelta(minutes=30))
    muster.questions.ask(users[0], "Who refuels the ships?")
    muster.questions.answer(COORDINATOR, 1, "The host nation.")
    return users, codes


READS: dict[str, Callable[[Muster], Digest]] = {
    "channel": lambda m: m.digests.digest(NOW, WEEK_AGO, full_view=False),
    "coordinators": lambda m: m.digests.digest(NOW, WEEK_AGO, full_view=True),
    "preview": lambda m: m.digests.preview(OTHER, NOW),
}


def measured(
    m: Muster, rows: RowCounter, statements: StatementCounter
) -> dict[str, tuple[int, int, dict[str, int]]]:
    """Per digest read: the SQL statements it ran, the rows they returned, and the
    number of changes of each kind it counted."""
    found = {}
    for name, read in READS.items():
        rows.clear()
        statements.statements.clear()
        changes = read(m).changes
        assert all(len(getattr(changes, kind)) <= MAX_PER_CHANGE for kind in KINDS)
        found[name] = (statements.count, rows.total, {k: changes.count(k) for k in KINDS})
    return found


def test_a_digest_reads_the_same_rows_at_70_and_420_changed_pledges(
    muster: Muster,
    clock: FixedClock,
    base: tuple[list[str], list[str]],
    count_rows: RowCounter,
    count_statements: StatementCounter,
) -> None:
    grow(muster, clock, *base, times=1)
    clock.set(NOW)
    small = measured(muster, count_rows, count_statements)

    grow(muster, clock, *base, times=5)  # 420 pledges changed in the week, 120 before
    clock.set(NOW)
    large = measured(muster, count_rows, count_statements)

    print(f"(statements, rows) at 70 changed pledges: {small}; at 420: {large}")
    for name in READS:
        assert large[name][:2] == small[name][:2], (name, count_rows.rows)
        # The same reads, six times the changes: the counts say so.
        assert large[name][2] == {k: 6 * n for k, n in small[name][2].items()}


def test_bucket_counts_and_the_undisclosed_count_are_the_true_ones(
    muster: Muster, clock: FixedClock, base: tuple[list[str], list[str]]
) -> None:
    grow(muster, clock, *base, times=1)
    channel = muster.digests.digest(NOW, WEEK_AGO, full_view=False).changes
    coordinators = muster.digests.digest(NOW, WEEK_AGO, full_view=True).changes
    # 70 new pledges in the week: 7 restricted (every tenth), hidden from a channel.
    assert {b: channel.count(b) for b in KINDS} == {
        "new": 63,
        "raised": 14,
        "reduced": 14,
        "confirmed": 14,
        "withdrawn": 14,
    }
    assert channel.undisclosed == 7
    assert {b: coordinators.count(b) for b in KINDS} == {
        "new": 70,
        "raised": 14,
        "reduced": 14,
        "confirmed": 14,
        "withdrawn": 14,
    }
    assert coordinators.undisclosed == 0
    assert (channel.asked, channel.answered) == (("Q-2",), ("Q-1",))
    # The first twelve of each, in the order they happened.
    assert all(len(getattr(channel, b)) == MAX_PER_CHANGE for b in KINDS)
    assert [line.after for line in channel.raised] == [12] * 12
    assert [(line.before, line.after) for line in channel.reduced] == [(10, 8)] * 12
    assert [line.after for line in channel.withdrawn] == [10] * 12  # its quantity now
    refs = [int(line.ref[2:]) for line in channel.new]
    assert refs == sorted(refs)
    lines = change_lines(channel)
    assert lines[0].startswith("*New (63)*: ") and lines[0].endswith(" …and 51 more")
    assert lines[1].startswith("*Raised (14)*: ") and lines[1].endswith(" …and 2 more")
    assert lines[-1] == "…and 7 changes to undisclosed pledges, counted in the totals."
    assert change_lines(coordinators)[0].startswith("*New (70)*: ")


def test_a_pledge_restricted_then_or_now_is_undisclosed_in_every_change_of_the_week(
    muster: Muster, clock: FixedClock
) -> None:
    small_coalition(muster)  # P-1 (VAL, open) and P-2 (VAL, restricted) at START
    clock.set(START + timedelta(days=1))
    since = clock.now
    clock.advance(timedelta(minutes=1))  # a digest covers what came after ``since``
    # P-1 goes restricted after a raise: now restricted, so both changes are hidden.
    muster.pledges.update_pledge(OWN, 1, PledgeChange(quantity=3))
    muster.pledges.update_pledge(OWN, 1, PledgeChange(restricted=True))
    # P-3 is made restricted, then opened: restricted then, so hidden all week.
    muster.pledges.pledge(OWN, requirement="SKY-1", quantity=2, restricted=True)
    muster.pledges.update_pledge(OWN, 3, PledgeChange(restricted=False))
    # P-4 is raised and confirmed at once: raised and confirmed.
    muster.pledges.pledge(OTHER, requirement="LAND-1", quantity=1)
    muster.pledges.update_pledge(OTHER, 4, PledgeChange(quantity=2, status=PledgeStatus.CONFIRMED))
    clock.advance(timedelta(hours=1))

    def changes(full_view: bool) -> Changes:
        return muster.digests.digest(clock.now, since, full_view=full_view).changes

    channel, coordinators = changes(False), changes(True)
    assert channel.undisclosed == 4
    assert [c.ref for c in channel.new] == ["P-4"]
    assert [(c.ref, c.before, c.after) for c in channel.raised] == [("P-4", 1, 2)]
    assert [(c.ref, c.before, c.after) for c in channel.confirmed] == [("P-4", 1, 2)]
    assert [c.ref for c in coordinators.new] == ["P-3", "P-4"]
    assert [c.ref for c in coordinators.raised] == ["P-1", "P-4"]
    assert coordinators.undisclosed == 0
    digest = muster.digests.digest(clock.now, since, full_view=False)
    # Valdoria changed only undisclosed pledges: not heard from, as far as a channel knows.
    assert ("VAL", "Valdoria") in digest.silent
    assert ("OST", "Ostland") not in digest.silent
