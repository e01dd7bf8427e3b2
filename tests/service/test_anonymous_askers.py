"""Nothing derived from an anonymous question names its asker: posture, counts and
"not heard from" read the same to every other delegation and every channel whether
or not a given delegation asked."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from bot.domain.clock import FixedClock
from bot.domain.model import PledgeStatus
from bot.services.muster import Muster
from tests.support.clock import START
from tests.support.databases import reset
from tests.support.factories import COORDINATOR

PLEDGE = st.tuples(
    st.sampled_from(["SKY-1", "LAND-1"]),
    st.integers(1, 3),
    st.sampled_from([PledgeStatus.INDICATED, PledgeStatus.OFFERED, PledgeStatus.CONFIRMED]),
    st.booleans(),  # restricted
)
COALITION = st.lists(st.lists(PLEDGE, max_size=3), min_size=3, max_size=4)


def build(engine: Engine, pledges: list[list[tuple[str, int, str, bool]]], asker: int) -> Muster:
    reset(engine)
    m = Muster(engine, clock=FixedClock(START), coordinators=[COORDINATOR])
    for i, _ in enumerate(pledges):
        m.delegations.add_delegation(COORDINATOR, f"D{chr(65 + i)}", f"Nation {i}")
        m.delegations.add_members(COORDINATOR, f"D{chr(65 + i)}", [f"UD{i}"])
    m.requirements.add_requirement(
        COORDINATOR, objective="SKY", quantity=6, unit="batteries", title="AD"
    )
    m.requirements.add_requirement(
        COORDINATOR, objective="LAND", quantity=4, unit="battlegroups", title="BG"
    )
    for i, theirs in enumerate(pledges):
        for code, quantity, status, restricted in theirs:
            m.pledges.pledge(
                f"UD{i}", requirement=code, quantity=quantity, status=status, restricted=restricted
            )
    if asker >= 0:
        m.questions.ask(f"UD{asker}", "What are the rules of engagement?")
    return m


def seen_by_others(m: Muster, asker: int, delegations: int) -> list[object]:
    now = START + timedelta(hours=1)
    channel = m.digests.digest(now, START - timedelta(days=7), full_view=False)
    return [channel.silent] + [
        m.delegations.list_delegations(f"UD{i}") for i in range(delegations) if i != asker
    ]


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pledges=COALITION, data=st.data())
def test_other_delegations_and_channels_cannot_tell_who_asked(
    engine: Engine, pledges: list[list[tuple[str, int, str, bool]]], data: st.DataObject
) -> None:
    asker = data.draw(st.integers(0, len(pledges) - 1))
    silent = seen_by_others(build(engine, pledges, -1), asker, len(pledges))
    asked = seen_by_others(build(engine, pledges, asker), asker, len(pledges))
    assert asked == silent
