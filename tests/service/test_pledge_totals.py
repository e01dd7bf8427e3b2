"""Coverage reads running totals (storage.totals) kept in the transaction of each
pledge change. Whatever happens to the pledges, the totals equal the pledges summed."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from bot.domain.model import PledgeStatus
from bot.services.muster import Muster
from bot.services.pledges import PledgeChange
from storage import totals
from storage.models import Pledge, Requirement
from tests.support.factories import COORDINATOR, OTHER, OWN, small_coalition

CONDITIONS = ["", "US backstop", "subject to parliament", "agreed ROE"]
# Whole numbers and part-units: hundredths a float could not add up exactly.
QUANTITIES = st.one_of(
    st.integers(1, 9),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal(9), places=2),
    st.sampled_from([Decimal("0.1"), Decimal("0.2"), Decimal("0.29"), Decimal("0.01")]),
)
STATUSES = [PledgeStatus.INDICATED, PledgeStatus.OFFERED, PledgeStatus.CONFIRMED]

step = st.one_of(
    st.tuples(
        st.just("pledge"),
        st.sampled_from([OWN, OTHER]),
        st.sampled_from(["SKY-1", "LAND-1"]),
        QUANTITIES,
        st.sampled_from(STATUSES),
        st.sampled_from(CONDITIONS),
        st.booleans(),
    ),
    st.tuples(
        st.just("update"),
        st.integers(0, 30),
        st.one_of(st.none(), QUANTITIES),
        st.one_of(st.none(), st.sampled_from(CONDITIONS)),
        st.one_of(st.none(), st.booleans()),
    ),
    st.tuples(st.just("withdraw"), st.integers(0, 30)),
)


def apply(m: Muster, refs: list[tuple[str, int]], action: tuple[object, ...]) -> None:
    from bot.domain.errors import MusterError

    try:
        if action[0] == "pledge":
            _, user, req, qty, status, condition, restricted = action
            result = m.pledges.pledge(
                str(user),
                requirement=str(req),
                quantity=qty,  # type: ignore[arg-type]
                status=PledgeStatus(str(status)),
                condition=str(condition),
                restricted=bool(restricted),
            )
            refs.append((str(user), int(result.pledge.ref[2:])))
        elif refs and action[0] == "update":
            user, number = refs[int(action[1]) % len(refs)]  # type: ignore[call-overload]
            change = PledgeChange(quantity=action[2], condition=action[3], restricted=action[4])  # type: ignore[arg-type]
            m.pledges.update_pledge(user, number, change)
        elif refs and action[0] == "withdraw":
            _user, number = refs[int(action[1]) % len(refs)]  # type: ignore[call-overload]
            m.pledges.withdraw(COORDINATOR, number)
    except MusterError:
        pass  # refused changes (nothing to change, already withdrawn) change no total


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(step, min_size=1, max_size=12))
def test_totals_always_equal_the_pledges_summed(
    muster: Muster, steps: list[tuple[object, ...]]
) -> None:
    with muster.uow.write() as s:  # each example starts from the small coalition
        s.execute(totals.PledgeTotal.__table__.delete())  # type: ignore[attr-defined]
    if not muster.delegations.list_delegations(COORDINATOR):
        small_coalition(muster)
    refs: list[tuple[str, int]] = []
    with muster.uow.write() as s:
        totals.rebuild(s)
    for action in steps:
        apply(muster, refs, action)
    with muster.uow.read() as s:
        assert totals.drift(s) == {}
        pledges = s.exec(select(Pledge).where(col(Pledge.status) != "withdrawn")).all()
        ids = {r.code: r.id for r in s.exec(select(Requirement)).all()}
    # Coverage, read from the totals, is the live pledges summed exactly in Python.
    for view in muster.requirements.list_requirements(COORDINATOR):
        live = [p.quantity for p in pledges if p.requirement_id == ids[view.code]]
        assert view.coverage.pledged == sum(live, Decimal(0))
        assert all(type(p) is Decimal for p in live)


def test_a_rebuild_counts_what_the_pledges_say(muster: Muster) -> None:
    small_coalition(muster)
    with muster.uow.write() as s:
        s.execute(totals.PledgeTotal.__table__.delete())  # type: ignore[attr-defined]
    with muster.uow.read() as s:
        assert totals.drift(s)  # lost totals are noticed
    with muster.uow.write() as s:
        totals.rebuild(s)
    with muster.uow.read() as s:
        assert totals.drift(s) == {}
    assert muster.reports.status(OTHER).overall.count == 2
