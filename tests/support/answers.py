"""Answers in tests: a coalition whose delegations have several members, and the
direct messages the Web API stand-in was asked to send them."""

from __future__ import annotations

import json
from collections import Counter

from sqlalchemy import Engine, text

from bot.runtime.standin import Call, SlackStandIn
from bot.services.muster import Muster
from tests.support.factories import COORDINATOR, OTHER, OWN

VAL = (OWN, "UVAL2", "UVAL3")  # Valdoria asked Q-1
OST = (OTHER, "UOST2")
CAL = ("UCAL1",)
EVERYONE = (*VAL, *OST, *CAL)
ANSWER = "The lead nations provide air cover from day one."


def more_members(coalition: Muster) -> Muster:
    """The small coalition (tests/support/factories.py) with VAL at three members, OST
    at two, and a third delegation, CAL, of one."""
    coalition.delegations.add_members(COORDINATOR, "VAL", list(VAL[1:]))
    coalition.delegations.add_members(COORDINATOR, "OST", list(OST[1:]))
    coalition.delegations.add_delegation(COORDINATOR, "CAL", "Caledor")
    coalition.delegations.add_members(COORDINATOR, "CAL", list(CAL))
    return coalition


def dms(slack: SlackStandIn) -> list[Call]:
    """Every direct message posted (to a user id)."""
    return [c for c in slack.calls_to("chat.postMessage") if c.args["channel"][0] == "U"]


def dm_count(slack: SlackStandIn) -> Counter[str]:
    return Counter(c.args["channel"] for c in dms(slack))


def dm_of(slack: SlackStandIn, user: str) -> Call:
    [dm] = [c for c in dms(slack) if c.args["channel"] == user]
    return dm


def readable(call: Call) -> str:
    """A message's text and blocks: everything its reader may see."""
    return call.args["text"] + json.dumps(call.args["blocks"])


def notice_states(engine: Engine) -> Counter[str]:
    with engine.connect() as conn:
        return Counter(str(s) for (s,) in conn.execute(text("SELECT status FROM answer_notice")))
