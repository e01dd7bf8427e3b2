"""Small factories that build coalitions through the real services."""

from __future__ import annotations

from bot.domain import PledgeStatus, Priority
from bot.services import Muster

COORDINATOR = "UCOORD"
OWN = "UVAL1"  # Valdoria, owner of P-1 and Q-1
OTHER = "UOST1"  # Ostland
UNREGISTERED = "UNOBODY"


def small_coalition(m: Muster) -> None:
    """VAL and OST; SKY-1 and LAND-1; P-1 (VAL, coalition), P-2 (VAL, restricted); Q-1 (VAL)."""
    m.add_delegation(COORDINATOR, "VAL", "Valdoria")
    m.add_delegation(COORDINATOR, "OST", "Ostland")
    m.add_members(COORDINATOR, "VAL", [OWN])
    m.add_members(COORDINATOR, "OST", [OTHER])
    m.add_requirement(
        COORDINATOR,
        objective="SKY",
        quantity=6,
        unit="batteries",
        title="Air defence",
        priority=Priority.CRITICAL,
        enabler=True,
    )
    m.add_requirement(
        COORDINATOR, objective="LAND", quantity=4, unit="battlegroups", title="Battlegroups"
    )
    m.pledge(
        OWN, requirement="SKY-1", quantity=1, status=PledgeStatus.OFFERED, condition="US backstop"
    )
    m.pledge(
        OWN,
        requirement="LAND-1",
        quantity=2,
        status=PledgeStatus.CONFIRMED,
        restricted=True,
        caveats="only in the western region",
    )
    m.ask(OWN, "Who provides air cover for our battery?")
