"""Reads cost a fixed number of SQL statements however large the coalition grows
(no N+1). Counts are deterministic, unlike timings."""

from __future__ import annotations

import pytest

from bot.domain import PledgeStatus
from bot.services import Muster
from tests.conftest import StatementCounter
from tests.support.factories import OTHER, add_delegations, add_requirements, small_coalition


def grow(m: Muster, delegations: int, requirements: int) -> None:
    users = add_delegations(m, delegations, prefix="D")
    for user in users:
        m.ask(user, f"Question from {user}")
    add_requirements(m, requirements, pledgers=users[::3], status=PledgeStatus.CONFIRMED)


READS = [
    ("status", lambda m: m.status(OTHER)),
    ("status of one objective", lambda m: m.status(OTHER, "LAND")),
    ("gaps", lambda m: m.gaps(OTHER)),
    ("requirements", lambda m: m.list_requirements(OTHER)),
    ("pledges", lambda m: m.list_pledges(OTHER)),
    ("pledges of a requirement", lambda m: m.list_pledges(OTHER, "LAND-1")),
    ("questions", lambda m: m.list_questions(OTHER, "all")),
    ("delegations", lambda m: m.list_delegations(OTHER)),
    ("history of a requirement", lambda m: m.history(OTHER, "LAND-1")),
]


@pytest.mark.parametrize(("name", "read"), READS, ids=[n for n, _ in READS])
def test_reads_do_not_grow_with_the_coalition(
    name: str, read: object, muster: Muster, count_statements: StatementCounter
) -> None:
    small_coalition(muster)
    count_statements.statements.clear()
    read(muster)  # type: ignore[operator]
    small = count_statements.count

    grow(muster, delegations=12, requirements=16)
    count_statements.statements.clear()
    read(muster)  # type: ignore[operator]
    assert count_statements.count == small, count_statements.statements


def test_status_takes_five_statements(muster: Muster, count_statements: StatementCounter) -> None:
    small_coalition(muster)
    count_statements.statements.clear()
    muster.status(OTHER)
    # who is asking (coordinator row, membership), objectives, requirements, pledges
    assert count_statements.count == 5, count_statements.statements


def test_a_pledge_is_a_handful_of_statements(
    muster: Muster, count_statements: StatementCounter
) -> None:
    small_coalition(muster)
    count_statements.statements.clear()
    muster.pledge(OTHER, requirement="SKY-1", quantity=1)
    assert count_statements.count <= 10, count_statements.statements
