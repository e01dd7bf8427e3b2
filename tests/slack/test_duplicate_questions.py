"""`/muster question duplicate Q-n of Q-m`: the coordinators link a question to one
that asks the same. The duplicate is closed and audited, its delegation is told (the
answer, or that it will come), and gets the answer when it comes, without learning
which delegation asked first."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from tests.support.answers import (
    ANSWER,
    CAL,
    OST,
    VAL,
    dm_count,
    dm_of,
    more_members,
    readable,
)
from tests.support.factories import COORDINATOR, OTHER, OWN
from tests.support.slack import SlashCommands


@pytest.fixture
def coalition(coalition: Muster) -> Muster:
    """Q-1 asked by VAL; Q-2, the same question, by OST; Q-3 by CAL."""
    more_members(coalition)
    coalition.questions.ask(OTHER, "Who will give our battery air cover?")
    coalition.questions.ask(CAL[0], "What is the legal status of our forces?")
    return coalition


def never_names_the_first_asker(text: str) -> None:
    assert "VAL" not in text and "Valdoria" not in text and OWN not in text


def test_the_duplicates_delegation_is_told_and_then_gets_the_answer(
    coalition: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    reply = muster_cmd(COORDINATOR, "question duplicate Q-2 of Q-1")
    assert reply.text.startswith("Q-2 is a duplicate of Q-1")
    assert "*Q-2* (closed, duplicate of Q-1, asked by OST" in reply.text
    assert (
        "The 2 members of OST, which asked Q-2, are being told that the answer to Q-1 "
        "will come to them." in reply.text
    )
    assert dm_count(slack) == Counter(OST)
    linked = readable(dm_of(slack, OTHER))
    assert linked.startswith("Your delegation's question Q-2 is linked to Q-1")
    assert "Q-1 asks the same; its answer will come to you here." in linked
    never_names_the_first_asker(linked)
    assert {c.args["user_id"] for c in slack.calls_to("views.publish")} == {COORDINATOR, *OST}
    listed = muster_cmd(OTHER, "questions").text
    assert "*Q-1*" in listed and "*Q-2*" not in listed and "Open questions (2)" in listed

    slack.reset()
    answered = muster_cmd(COORDINATOR, f"answer Q-1 {ANSWER}").text
    assert (
        "Sent by direct message to the 3 members of VAL and to the delegations that asked Q-2."
        in answered
    )
    assert dm_count(slack) == Counter((*VAL, *OST))
    theirs = readable(dm_of(slack, "UOST2"))
    assert theirs.startswith("Your delegation's question Q-2 has been answered")
    assert "Q-2 asks the same as Q-1: this is the answer to Q-1." in theirs
    assert ANSWER in theirs
    never_names_the_first_asker(theirs)


def test_the_link_is_in_the_audit_trail(coalition: Muster, muster_cmd: SlashCommands) -> None:
    muster_cmd(COORDINATOR, "question duplicate Q-2 of Q-1")
    history = muster_cmd(OTHER, "history Q-2").text
    assert "Q-2 linked by <@UCOORD>: status open → closed; duplicate of — → Q-1" in history


def test_linking_to_an_answered_question_sends_its_answer_at_once(
    coalition: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    muster_cmd(COORDINATOR, f"answer Q-1 {ANSWER}")
    slack.reset()
    reply = muster_cmd(COORDINATOR, "question duplicate Q-2 of Q-1")
    assert "are being told the answer to Q-1." in reply.text
    assert dm_count(slack) == Counter(OST)
    theirs = readable(dm_of(slack, OTHER))
    assert theirs.startswith("Your delegation's question Q-2 has been answered")
    assert ANSWER in theirs
    never_names_the_first_asker(theirs)


def test_reopening_a_duplicate_undoes_the_link(
    coalition: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    muster_cmd(COORDINATOR, "question duplicate Q-2 of Q-1")
    reopened = muster_cmd(COORDINATOR, "question reopen Q-2").text
    assert "*Q-2* (open, asked by OST" in reopened
    slack.reset()
    muster_cmd(COORDINATOR, f"answer Q-1 {ANSWER}")
    assert dm_count(slack) == Counter(VAL)


@pytest.mark.parametrize(
    ("user", "command", "refusal"),
    [
        (COORDINATOR, "question duplicate Q-1 of Q-1", "Q-1 cannot be a duplicate of itself."),
        (COORDINATOR, "question duplicate Q-2 of Q-1", "Q-2 is already a duplicate of Q-1."),
        (COORDINATOR, "question duplicate Q-3 of Q-2", "Q-2 is itself a duplicate of Q-1."),
        (COORDINATOR, "question duplicate Q-1 of Q-3", "Q-2 is linked to Q-1."),
        (COORDINATOR, "question duplicate Q-3 of Q-9", "No question Q-9."),
        (COORDINATOR, "question duplicate Q-3", "Which question does Q-3 ask again?"),
        (OTHER, "question duplicate Q-3 of Q-1", "Only coordinators can link duplicate questions."),
    ],
)
def test_links_that_make_no_sense_are_refused(
    coalition: Muster,
    muster_cmd: SlashCommands,
    slack: SlackStandIn,
    user: str,
    command: str,
    refusal: str,
) -> None:
    muster_cmd(COORDINATOR, "question duplicate Q-2 of Q-1")
    slack.reset()
    assert refusal in muster_cmd(user, command).text
    assert dm_count(slack) == Counter()


def test_a_question_is_not_linked_to_a_closed_one(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    muster_cmd(COORDINATOR, "question close Q-3")
    refused = muster_cmd(COORDINATOR, "question duplicate Q-2 of Q-3").text
    assert "Q-3 is closed; its answer would never come." in refused
    assert "`/muster question reopen Q-3`" in refused
