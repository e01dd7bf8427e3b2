"""Part-units on both databases: a quarter of a battlegroup is stored, summed and
reported exactly, in the running totals, the coverage and its shares, the digest's
changes and conditional capacity, the gap alerts and the history."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import func, select, text
from sqlmodel import col

from bot.domain.clock import FixedClock
from bot.domain.model import PledgeStatus, Rating
from bot.services.muster import Muster
from bot.services.pledges import PledgeChange
from handlers.reports import entry_line
from storage import totals
from storage.models import Pledge, PledgeTotal
from tests.support.factories import COORDINATOR, OTHER, OWN, small_coalition

CONFIRMED, OFFERED = PledgeStatus.CONFIRMED, PledgeStatus.OFFERED


def land_1(m: Muster) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    [view] = [v for v in m.requirements.list_requirements(COORDINATOR) if v.code == "LAND-1"]
    c = view.coverage
    return (c.firm, c.pending, c.conditional, c.open)


def test_quarters_and_hundredths_add_up_to_exactly_one(muster: Muster) -> None:
    small_coalition(muster)  # LAND-1: 4 battlegroups, 2 firm (P-2, restricted)
    for quarter in ("0.25", "0.25", "0.5"):
        muster.pledges.pledge(
            OTHER, requirement="LAND-1", quantity=Decimal(quarter), status=CONFIRMED
        )
    firm, pending, conditional, open_ = land_1(muster)
    assert (firm, pending, conditional, open_) == (3, 0, 0, 1)
    assert isinstance(firm, Decimal) and isinstance(open_, Decimal)

    for _ in range(100):  # a hundred hundredths: 100 × 0.01, a float would drift
        muster.pledges.pledge(OTHER, requirement="LAND-1", quantity=Decimal("0.01"))
    assert land_1(muster) == (3, 1, 0, 0)

    with muster.uow.read() as s:
        assert totals.drift(s) == {}
        kept = s.execute(
            select(col(PledgeTotal.status), col(PledgeTotal.quantity), col(PledgeTotal.pledges))
            .where(col(PledgeTotal.requirement_id) == 2, col(PledgeTotal.restricted).is_(False))
            .order_by(col(PledgeTotal.status))
        ).all()
        assert [tuple(row) for row in kept] == [("confirmed", 1, 3), ("offered", 1, 100)]
        assert all(type(quantity) is Decimal for _, quantity, _ in kept)
        summed = s.execute(
            select(func.sum(col(Pledge.quantity))).where(col(Pledge.requirement_id) == 2)
        ).scalar_one()
        assert summed == Decimal("4.00")

    [line] = [v for v in muster.requirements.list_requirements(COORDINATOR) if v.code == "LAND-1"]
    assert line.coverage.filled is False and line.coverage.rating == Rating.AMBER
    assert line.coverage.shares == (Fraction(3, 4), Fraction(1, 4), 0, 0)

    # One hundredth more than the requirement is over-pledged by exactly that.
    muster.pledges.pledge(OTHER, requirement="LAND-1", quantity=Decimal("0.01"))
    [line] = [v for v in muster.requirements.list_requirements(COORDINATOR) if v.code == "LAND-1"]
    assert (line.coverage.open, line.coverage.over) == (0, Decimal("0.01"))


def test_a_part_unit_is_stored_as_hundredths_on_sqlite_and_numeric_on_postgresql(
    muster: Muster,
) -> None:
    small_coalition(muster)
    muster.pledges.pledge(OTHER, requirement="LAND-1", quantity=Decimal("0.25"))
    with muster.uow.read() as s:
        raw = s.execute(text("SELECT quantity FROM pledge WHERE id = 3")).scalar_one()
        dialect = s.get_bind().dialect.name
    assert raw == (25 if dialect == "sqlite" else Decimal("0.25"))
    assert isinstance(raw, int if dialect == "sqlite" else Decimal)


def test_changes_capacity_alerts_and_history_say_part_units(
    muster: Muster, clock: FixedClock
) -> None:
    small_coalition(muster)
    since = clock.now
    clock.advance(timedelta(minutes=1))
    made = muster.pledges.pledge(
        OTHER, requirement="LAND-1", quantity=Decimal("0.25"), condition="US backstop"
    )
    assert made.pledge.quantity == Decimal("0.25")
    muster.pledges.update_pledge(OTHER, 3, PledgeChange(quantity=Decimal("0.5")))
    muster.pledges.pledge(OTHER, requirement="SKY-1", quantity=Decimal("1.5"), status=CONFIRMED)
    muster.pledges.update_pledge(OTHER, 4, PledgeChange(quantity=Decimal("1.25")))
    clock.advance(timedelta(hours=1))

    digest = muster.digests.digest(clock.now, since, full_view=True)
    raised = [(c.ref, c.before, c.after) for c in digest.changes.raised]
    reduced = [(c.ref, c.before, c.after) for c in digest.changes.reduced]
    assert raised == [("P-3", Decimal("0.25"), Decimal("0.5"))]
    assert reduced == [("P-4", Decimal("1.5"), Decimal("1.25"))]
    # New: quantities as the pledges stand now (no quantity said at creation time).
    assert [(c.ref, c.after) for c in digest.changes.new] == [
        ("P-3", Decimal("0.25")),
        ("P-4", Decimal("1.5")),
    ]
    hinges = {h.kind.value: h.amounts for h in digest.hinges}
    assert hinges["us"] == (
        ("LAND-1", Decimal("0.5"), "battlegroups"),
        ("SKY-1", Decimal(1), "batteries"),
    )

    [gap] = [
        a for a in muster.digests.alerts(clock.now, since, full_view=True) if a.rule == "gap_opened"
    ]
    assert gap.title == "P-4 (OST) was reduced from 1.5 to 1.25 batteries on SKY-1"
    assert gap.lines == ("Air defence: firm now 1.25 of 6 batteries.",)

    history = muster.reports.history(OTHER, "P-3")
    said = sorted(entry_line(e).split(" by <@UOST1>: ")[1] for e in history.entries)
    assert said == ["quantity 0.25 → 0.5", "quantity 0.25; status offered; condition US backstop"]


def test_shares_of_part_units_are_exact(muster: Muster) -> None:
    """A third of 0.75 is 0.25, exactly: shares are fractions of exact decimals."""
    small_coalition(muster)
    muster.requirements.edit_requirement(COORDINATOR, "LAND-1", quantity=Decimal("0.75"))
    muster.pledges.withdraw(COORDINATOR, 2)
    muster.pledges.pledge(OWN, requirement="LAND-1", quantity=Decimal("0.25"), status=CONFIRMED)
    muster.pledges.pledge(OTHER, requirement="LAND-1", quantity=Decimal("0.25"), status=OFFERED)
    [line] = [v for v in muster.requirements.list_requirements(COORDINATOR) if v.code == "LAND-1"]
    assert line.quantity == Decimal("0.75")
    assert line.coverage.shares == (Fraction(1, 3), Fraction(1, 3), 0, Fraction(1, 3))
    assert sum(line.coverage.shares) == 1
