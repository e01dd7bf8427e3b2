"""Answers reach who needs them, through the real Bolt app: every member of the asking
delegation (all told alike, so no one learns which member asked), every member of
every delegation when the answer is published (without saying who asked), once each
even when Slack retries the command, a process drops the work, or Slack's answer is
lost; and the published answers in the next digest under "Answers for all"."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from tests.support.answers import (
    ANSWER,
    CAL,
    EVERYONE,
    OST,
    VAL,
    dm_count,
    dm_of,
    dms,
    more_members,
    notice_states,
    readable,
)
from tests.support.factories import COORDINATOR, OWN
from tests.support.http import fill
from tests.support.slack import SlashCommands, press, submit, validate_calls


@pytest.fixture
def coalition(coalition: Muster) -> Muster:
    return more_members(coalition)


def test_every_member_of_the_asking_delegation_gets_the_same_answer(
    coalition: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    reply = muster_cmd(COORDINATOR, f"answer Q-1 {ANSWER}")
    assert "Sent by direct message to the 3 members of VAL." in reply.text
    assert sorted(c.args["channel"] for c in dms(slack)) == sorted(VAL)
    messages = {(c.args["text"], json.dumps(c.args["blocks"])) for c in dms(slack)}
    assert len(messages) == 1, "every member reads the same message, whoever asked"
    [(said, _blocks)] = messages
    assert said.startswith("Your delegation's question Q-1 has been answered")
    assert ANSWER in said and f"<@{OWN}>" not in said
    validate_calls(slack.calls)
    assert {c.args["user_id"] for c in slack.calls_to("views.publish")} == {COORDINATOR, *VAL}


def test_a_published_answer_goes_to_every_member_once_without_naming_who_asked(
    coalition: Muster, muster_cmd: SlashCommands, slack: SlackStandIn, engine: Engine
) -> None:
    reply = muster_cmd(COORDINATOR, f'answer Q-1 "{ANSWER}" publish')
    assert ANSWER in reply.text and "publish" not in reply.text.split(ANSWER)[1].split("\n")[0]
    assert (
        "Sent by direct message to the 3 members of VAL; shared with every delegation "
        "(6 people in all), and the next digest lists it under “Answers for all”." in reply.text
    )
    assert dm_count(slack) == Counter(EVERYONE)
    for user in (*OST, *CAL):
        other = readable(dm_of(slack, user))
        assert other.startswith("An answer for every delegation: Q-1")
        assert "asked by a delegation" in other and ANSWER in other
        assert "VAL" not in other and "Valdoria" not in other and OWN not in other
    assert readable(dm_of(slack, "UVAL2")).startswith("Your delegation's question Q-1")
    assert notice_states(engine) == Counter({"posted": 6})
    validate_calls(slack.calls)


def test_a_published_answer_is_in_the_next_digest(
    coalition: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    muster_cmd(COORDINATOR, f'answer Q-1 "{ANSWER}" publish')
    muster_cmd(COORDINATOR, "digest now <#C0PUBLIC|status>")
    [digest] = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "C0PUBLIC"]
    [section] = [
        b["text"]["text"]
        for b in digest.args["blocks"]
        if b["type"] == "section" and "Answers for all" in b["text"]["text"]
    ]
    assert section == (
        "*Answers for all (1)*\n*Q-1* Who provides air cover for our battery?\n↳ " + ANSWER
    )
    assert "VAL" not in section


def test_the_answer_form_can_share_with_every_delegation(
    coalition: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    form = open_answer_form(muster_cmd, slack)
    done = submit(muster_cmd, fill(COORDINATOR, form, {"answer": ANSWER, "publish": True}))
    assert done["response_action"] == "update"
    assert "shared with every delegation (6 people in all)" in json.dumps(done)
    assert dm_count(slack) == Counter(EVERYONE)


def open_answer_form(muster_cmd: SlashCommands, slack: SlackStandIn) -> dict[str, Any]:
    """The Answer button on Q-1, pressed by the coordinator."""
    press(muster_cmd, COORDINATOR, "muster.answer", "Q-1")
    return dict(slack.calls_to("views.open")[-1].args["view"])
