"""Reads cost a fixed number of SQL statements however large the coalition grows
(no N+1). Counts are deterministic, unlike timings."""

from __future__ import annotations

import pytest

from bot.domain.model import PledgeStatus
from bot.services.muster import Muster
from storage import queries as q
from tests.conftest import RowCounter, StatementCounter
from tests.support.factories import (
    OTHER,
    OWN,
    add_delegations,
    add_requirements,
    small_coalition,
)


def grow(m: Muster, delegations: int, requirements: int) -> None:
    users = add_delegations(m, delegations, prefix="D")
    for user in users:
        m.questions.ask(user, f"Question from {user}")
    add_requirements(m, requirements, pledgers=users[::3], status=PledgeStatus.CONFIRMED)


READS = [
    ("status", lambda m: m.reports.status(OTHER)),
    ("status of one objective", lambda m: m.reports.status(OTHER, "LAND")),
    ("gaps", lambda m: m.reports.gaps(OTHER)),
    ("requirements", lambda m: m.requirements.list_requirements(OTHER)),
    ("pledges", lambda m: m.pledges.list_pledges(OTHER)),
    ("pledges of a requirement", lambda m: m.pledges.list_pledges(OTHER, "LAND-1")),
    ("questions", lambda m: m.questions.list_questions(OTHER, "all")),
    ("delegations", lambda m: m.delegations.list_delegations(OTHER)),
    ("history of a requirement", lambda m: m.reports.history(OTHER, "LAND-1")),
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


def test_status_takes_four_statements_then_one_while_nothing_changes(
    muster: Muster, count_statements: StatementCounter
) -> None:
    small_coalition(muster)
    count_statements.statements.clear()
    first = muster.reports.status(OTHER)
    # who is asking with the data version (one statement, outside a transaction);
    # then in the read transaction the version it sees, objectives with their
    # requirements, pledge totals
    assert count_statements.count == 4, count_statements.statements

    count_statements.statements.clear()
    assert muster.reports.status(OWN) is first  # the same for everyone
    assert count_statements.count == 1, count_statements.statements  # who, and the version
    assert "data_version" in count_statements.statements[0]

    muster.pledges.pledge(OTHER, requirement="SKY-1", quantity=1)
    count_statements.statements.clear()
    assert muster.reports.status(OTHER) != first
    assert count_statements.count == 4, count_statements.statements


def test_a_pledge_is_a_handful_of_statements(
    muster: Muster, count_statements: StatementCounter
) -> None:
    small_coalition(muster)
    count_statements.statements.clear()
    muster.pledges.pledge(OTHER, requirement="SKY-1", quantity=1)
    assert count_statements.count <= 10, count_statements.statements


def coverage_rows(m: Muster) -> int:
    with m.uow.read() as s:
        return len(q.pledge_figures(s))


def test_coverage_reads_the_same_rows_however_many_pledges_there_are(muster: Muster) -> None:
    """Coverage is summed in the database: one row per requirement, status and
    condition, not one per pledge, so status and gaps cost the same at 200k pledges."""
    small_coalition(muster)
    before = coverage_rows(muster)
    status = muster.reports.status(OWN)
    for _ in range(40):
        muster.pledges.pledge(
            OWN,
            requirement="SKY-1",
            quantity=1,
            status=PledgeStatus.OFFERED,
            condition="US backstop",
        )
        muster.pledges.pledge(OWN, requirement="LAND-1", quantity=1, status=PledgeStatus.CONFIRMED)
    assert coverage_rows(muster) == before  # 80 more pledges, no more rows
    after = muster.reports.status(OWN)
    sky, land = (after.objectives[0].requirements[0], after.objectives[2].requirements[0])
    assert (sky.coverage.firm, sky.coverage.conditional) == (0, 41)
    assert (land.coverage.firm, land.coverage.conditional) == (42, 0)
    assert status.overall.count == after.overall.count


def test_rows_counted_are_the_rows_a_read_returns(muster: Muster, count_rows: RowCounter) -> None:
    """The row counter itself: a read of every pledge counts one row per pledge."""
    small_coalition(muster)
    with muster.uow.read() as s:
        count_rows.clear()
        listed = q.list_pledges(s)
    assert count_rows.total == len(listed) > 0


def test_coverage_reads_at_most_four_rows_a_requirement(muster: Muster) -> None:
    """Every status, condition class and releasability on one line: coverage still
    reads one row per (confirmed or not, with or without a condition), withdrawn
    pledges none, and the figures are those of the pledges one by one."""
    small_coalition(muster)
    was = muster.reports.status(OWN).objectives[2].requirements[0].coverage
    conditions = ["", "US backstop", "subject to a vote in parliament", "a UN mandate", "weather"]
    for status in (PledgeStatus.INDICATED, PledgeStatus.OFFERED, PledgeStatus.CONFIRMED):
        for condition in conditions:
            for restricted in (False, True):
                muster.pledges.pledge(
                    OWN,
                    requirement="LAND-1",
                    quantity=2,
                    status=status,
                    condition=condition,
                    restricted=restricted,
                )
    withdrawn = muster.pledges.pledge(OWN, requirement="LAND-1", quantity=50)
    muster.pledges.withdraw(OWN, int(withdrawn.pledge.ref.removeprefix("P-")))
    with muster.uow.read() as s:
        land = [row for row in q.pledge_figures(s) if row[0] == 2]
    assert len(land) == 4, land
    line = muster.reports.status(OWN).objectives[2].requirements[0].coverage
    firm = 2 * 2  # confirmed, no condition: coalition and restricted
    pending = 2 * 2 * 2  # indicated and offered, no condition
    conditional = 3 * 4 * 2 * 2  # every status, four conditions, both releasabilities
    added = (line.firm - was.firm, line.pending - was.pending, line.conditional - was.conditional)
    assert added == (firm, pending, conditional)
