"""The written report reads a fixed number of statements however large the coalition
grows, and, once a delegation is listed by line, the same rows however many pledges
it makes: what 200,000 pledges cost is a sum in the database, not a row each. Runs
on SQLite and PostgreSQL."""

from __future__ import annotations

from bot.domain.model import PledgeStatus
from bot.services.muster import Muster
from bot.services.report_model import Edition
from bot.services.written_report import build_report
from tests.conftest import RowCounter, StatementCounter
from tests.support.factories import COORDINATOR, OTHER, OWN, add_delegations, small_coalition
from tests.support.report_checks import annex_pledges


def grow(m: Muster) -> None:
    users = add_delegations(m, 6, prefix="D")
    for n, user in enumerate(users):
        m.questions.ask(user, f"Question {n}?", "LAND-1" if n % 2 else None)
        m.pledges.pledge(user, requirement="SKY-1", quantity=1, condition="US backstop")
        m.pledges.pledge(user, requirement="LAND-1", quantity=1, restricted=n % 2 == 0)
    m.requirements.add_requirement(
        COORDINATOR, objective="SEA", quantity=3, unit="ships", title="Ships"
    )
    m.questions.answer(COORDINATOR, 2, "Yes.", publish=True)


def test_the_report_reads_the_same_statements_at_any_size(
    muster: Muster, count_statements: StatementCounter
) -> None:
    small_coalition(muster)
    counts = {}
    for size in ("small", "grown"):
        if size == "grown":
            grow(muster)
        for edition in Edition:
            count_statements.statements.clear()
            build_report(muster, COORDINATOR, edition)
            counts[size, edition] = count_statements.count
    for edition in Edition:
        assert counts["small", edition] == counts["grown", edition], counts


def test_a_delegation_listed_by_line_costs_the_same_rows_however_many_pledges(
    muster: Muster, count_rows: RowCounter
) -> None:
    small_coalition(muster)
    muster.pledges.pledge(OTHER, requirement="LAND-1", quantity=1)
    reads = []
    for _ in range(3):
        # The first round fills the summary's lists of changes (12 of each kind at most).
        for _ in range(15):
            muster.pledges.pledge(
                OWN, requirement="LAND-1", quantity=1, status=PledgeStatus.CONFIRMED
            )
            muster.pledges.pledge(OTHER, requirement="SKY-1", quantity=1, condition="US backstop")
        count_rows.clear()
        build_report(muster, COORDINATOR, Edition.COORDINATORS, annex_limit=0)
        reads.append(count_rows.total)
    assert reads[1] == reads[2], reads
    # And the sums are the pledges' own: Valdoria's on LAND-1, per word.
    report = build_report(muster, COORDINATOR, Edition.COORDINATORS, annex_limit=0)
    valdoria = next(a for a in report.annexes if a.code == "VAL")
    [land] = [line for line in valdoria.lines if line.requirement == "LAND-1"]
    listed = annex_pledges(muster, "VAL", Edition.COORDINATORS, ["SKY-1", "LAND-1"])
    on_land = [p for p in listed if p.requirement == "LAND-1"]
    assert land.pledges == len(on_land) == 46
    assert land.firm == sum(p.quantity for p in on_land)
