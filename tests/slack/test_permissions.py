"""Every subcommand against every role: coordinator, own delegate, other delegate, unregistered."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from bot.services.muster import Muster
from tests.support.factories import COORDINATOR, OTHER, OWN, UNREGISTERED, small_coalition
from tests.support.slack import SlashCommands

ROLES = {"coordinator": COORDINATOR, "own": OWN, "other": OTHER, "unregistered": UNREGISTERED}
ANYONE = {"coordinator", "own", "other", "unregistered"}
REGISTERED = {"coordinator", "own", "other"}
COORDINATORS = {"coordinator"}
DELEGATES = {"own", "other"}
REFUSALS = (
    "Only coordinators can",
    "Only members of a delegation can",
    "Only its own delegation",
    "You are not registered",
)

TABLE = [
    ("help", ANYONE),
    ("help pledges", ANYONE),
    ("delegation add CAL Caledor", COORDINATORS),
    ("delegation member VAL <@UNEW1>", COORDINATORS),
    ("delegations", REGISTERED),
    ("coordinator add <@UNEW2>", COORDINATORS),
    ("objectives", REGISTERED),
    ("objective edit SKY leads VAL", COORDINATORS),
    ('requirement add SEA 2 ships "Minehunters"', COORDINATORS),
    ("requirement edit SKY-1 quantity 9", COORDINATORS),
    ("requirements", REGISTERED),
    ("requirements SKY", REGISTERED),
    ("pledge SKY-1 1", DELEGATES),
    ("pledge update P-1 quantity 3", {"own"}),
    ("pledge classify P-1 european", COORDINATORS),
    ("withdraw P-1", {"own", "coordinator"}),
    ("pledges", REGISTERED),
    ("pledges SKY-1", REGISTERED),
    ("pledges VAL", REGISTERED),
    ("ask Is there a status of forces agreement?", DELEGATES),
    ("answer Q-1 The lead nations will.", COORDINATORS),
    ("questions", REGISTERED),
    ("questions all", REGISTERED),
    ("question close Q-1", COORDINATORS),
    ("setup coordinators-channel <#C0COORD|coordinators>", COORDINATORS),
    ("status", REGISTERED),
    ("status SKY", REGISTERED),
    ("gaps", REGISTERED),
    ("history P-1", REGISTERED),
    ("history Q-1", REGISTERED),
    ("history SKY-1", REGISTERED),
]
CASES = [(command, role, role in allowed) for command, allowed in TABLE for role in ROLES]


def event_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM event")).scalar_one())


@pytest.mark.parametrize(
    ("command", "role", "allowed"), CASES, ids=[f"{c}-{r}" for c, r, _ in CASES]
)
def test_role_table(
    command: str,
    role: str,
    allowed: bool,
    muster: Muster,
    muster_cmd: SlashCommands,
    engine: Engine,
) -> None:
    small_coalition(muster)
    before = event_count(engine)
    reply = muster_cmd(ROLES[role], command)
    refused = any(phrase in reply.text for phrase in REFUSALS)
    assert "went wrong" not in reply.text
    assert refused != allowed, reply.text
    if refused:
        assert event_count(engine) == before, "a refused command must change nothing"


def test_unregistered_users_are_told_to_ask_a_coordinator(
    muster: Muster, muster_cmd: SlashCommands
) -> None:
    small_coalition(muster)
    reply = muster_cmd(UNREGISTERED, "status")
    assert "Ask a coordinator to add you to your delegation" in reply.text
    assert reply.ephemeral


def test_a_coordinator_without_a_delegation_has_no_pledges_of_their_own(
    muster: Muster, muster_cmd: SlashCommands
) -> None:
    small_coalition(muster)
    assert "not in a delegation" in muster_cmd(COORDINATOR, "pledges mine").text
    assert "P-1" in muster_cmd(OWN, "pledges mine").text


def test_a_coordinator_can_appoint_another_who_can_then_act(
    muster: Muster, muster_cmd: SlashCommands
) -> None:
    small_coalition(muster)
    muster_cmd(COORDINATOR, "coordinator add <@UNEW3|dana>")
    assert "Delegation *CAL*" in muster_cmd("UNEW3", "delegation add CAL Caledor").text


def test_a_user_belongs_to_one_delegation(muster: Muster, muster_cmd: SlashCommands) -> None:
    small_coalition(muster)
    reply = muster_cmd(COORDINATOR, f"delegation member OST <@UNEW4> <@{OWN}>")
    assert "already speaks for VAL" in reply.text
    assert "UNEW4" not in muster_cmd(COORDINATOR, "history SKY-1").text
    assert "OST* Ostland · 1 member" in muster_cmd(COORDINATOR, "delegations").text
