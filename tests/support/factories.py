"""Small factories that build coalitions through the real services."""

from __future__ import annotations

from bot.domain.model import PledgeStatus, Priority
from bot.services.muster import Muster

COORDINATOR = "UCOORD"
OWN = "UVAL1"  # Valdoria, owner of P-1 and Q-1
OTHER = "UOST1"  # Ostland
UNREGISTERED = "UNOBODY"


def small_coalition(m: Muster) -> None:
    """VAL and OST; SKY-1 and LAND-1; P-1 (VAL, coalition), P-2 (VAL, restricted); Q-1 (VAL)."""
    m.delegations.add_delegation(COORDINATOR, "VAL", "Valdoria")
    m.delegations.add_delegation(COORDINATOR, "OST", "Ostland")
    m.delegations.add_members(COORDINATOR, "VAL", [OWN])
    m.delegations.add_members(COORDINATOR, "OST", [OTHER])
    m.requirements.add_requirement(
        COORDINATOR,
        objective="SKY",
        quantity=6,
        unit="batteries",
        title="Air defence",
        priority=Priority.CRITICAL,
        enabler=True,
    )
    m.requirements.add_requirement(
        COORDINATOR, objective="LAND", quantity=4, unit="battlegroups", title="Battlegroups"
    )
    m.pledges.pledge(
        OWN, requirement="SKY-1", quantity=1, status=PledgeStatus.OFFERED, condition="US backstop"
    )
    m.pledges.pledge(
        OWN,
        requirement="LAND-1",
        quantity=2,
        status=PledgeStatus.CONFIRMED,
        restricted=True,
        caveats="only in the western region",
    )
    m.questions.ask(OWN, "Who provides air cover for our battery?")


OBJECTIVES = ["SKY", "SEA", "LAND", "UAF"]


def add_requirements(
    m: Muster,
    count: int,
    *,
    quantity: int = 10,
    title: str = "Requirement {n}",
    pledgers: list[str] = (),
    every: int = 1,
    **pledge: object,  # type: ignore[assignment]
) -> list[str]:
    """``count`` requirements spread over the objectives; each ``every``-th gets a pledge
    from each of ``pledgers``. Returns the new codes."""
    codes = []
    for n in range(count):
        view = m.requirements.add_requirement(
            COORDINATOR,
            objective=OBJECTIVES[n % 4],
            quantity=quantity,
            unit="units",
            title=title.format(n=n),
        )
        codes.append(view.code)
        if n % every == 0:
            for user in pledgers:
                m.pledges.pledge(user, requirement=view.code, quantity=1, **pledge)  # type: ignore[arg-type]
    return codes


def add_delegations(m: Muster, count: int, prefix: str = "N") -> list[str]:
    """``count`` delegations with one member each; returns the members' user ids."""
    users = []
    for d in range(count):
        code = prefix + chr(65 + d // 26) + chr(65 + d % 26)
        users.append(f"U{code}{d:03d}")
        m.delegations.add_delegation(COORDINATOR, code, f"Nation {d}")
        m.delegations.add_members(COORDINATOR, code, [users[-1]])
    return users


def big_coalition(m: Muster, requirements: int = 137) -> None:
    """The small coalition and ``requirements`` more with long titles, every other one
    with a pledge from Valdoria: more than Slack shows in one message."""
    small_coalition(m)
    add_requirements(
        m,
        requirements,
        title="Requirement number {n} with a long descriptive title " * 2,
        pledgers=[OWN],
        every=2,
    )
