"""Who may do what with calls for contributions: every command against every role,
and every button and form of a call's message, which check the clicker again (a
message is forwarded, a button pressed by someone it was not sent to)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, text

from bot.domain.clock import FixedClock
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from handlers.ids import ACTION_CALL_ASK, ACTION_CALL_PLEDGE, ACTION_DECLINE
from tests.support.factories import COORDINATOR, OTHER, OWN, UNREGISTERED, small_coalition
from tests.support.http import fill
from tests.support.slack import SlashCommands, press, submit

ROLES = {"coordinator": COORDINATOR, "own": OWN, "other": OTHER, "unregistered": UNREGISTERED}
REGISTERED = {"coordinator", "own", "other"}
COORDINATORS = {"coordinator"}
DELEGATES = {"own", "other"}
REFUSALS = ("Only coordinators can", "Only members of a delegation can", "You are not registered")


def day(clock: FixedClock, days: int) -> str:
    return (clock() + timedelta(days=days)).date().isoformat()


TABLE = [
    ("call open SKY due {in10} 12:00", COORDINATORS),
    ("calls", REGISTERED),
    ("call status C-1", REGISTERED),
    ("call extend C-1 {in12} 12:00", COORDINATORS),
    ("call close C-1", COORDINATORS),
    ('decline C-1 "nothing this rotation"', DELEGATES),
    ("decline SKY-1", DELEGATES),
]
CASES = [(command, role, role in allowed) for command, allowed in TABLE for role in ROLES]


@pytest.fixture
def called(muster: Muster, clock: FixedClock, muster_cmd: SlashCommands) -> Muster:
    """The small coalition with C-1 open for SKY and LAND-1, due in a week."""
    small_coalition(muster)
    muster_cmd(COORDINATOR, f"call open SKY LAND-1 due {day(clock, 7)} 12:00")
    return muster


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
    called: Muster,
    clock: FixedClock,
    muster_cmd: SlashCommands,
    engine: Engine,
) -> None:
    before = event_count(engine)
    reply = muster_cmd(ROLES[role], command.format(in10=day(clock, 10), in12=day(clock, 12)))
    refused = any(phrase in reply.text for phrase in REFUSALS)
    assert "went wrong" not in reply.text
    assert refused != allowed, reply.text
    if refused:
        assert event_count(engine) == before, "a refused command must change nothing"


@pytest.mark.parametrize("action", [ACTION_CALL_PLEDGE, ACTION_CALL_ASK, ACTION_DECLINE])
@pytest.mark.parametrize("user", [COORDINATOR, UNREGISTERED])
def test_the_buttons_open_nothing_for_whoever_is_not_a_delegate(
    action: str, user: str, called: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    press(muster_cmd, user, action, "C-1")
    assert slack.calls_to("views.open") == []
    [told] = slack.calls_to("response_url")
    assert any(phrase in told.args["text"] for phrase in REFUSALS), told.args["text"]


@pytest.mark.parametrize("action", [ACTION_CALL_PLEDGE, ACTION_CALL_ASK, ACTION_DECLINE])
def test_the_buttons_open_their_forms_for_a_delegate(
    action: str, called: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    press(muster_cmd, OTHER, action, "C-1")
    [opened] = slack.calls_to("views.open")
    assert opened.args["view"]["type"] == "modal"


def test_a_nil_return_form_is_checked_again_when_it_comes_back(
    called: Muster, muster_cmd: SlashCommands, slack: SlackStandIn, engine: Engine
) -> None:
    press(muster_cmd, OTHER, ACTION_DECLINE, "C-1")
    form = slack.calls_to("views.open")[-1].args["view"]
    before = event_count(engine)
    for user in (COORDINATOR, UNREGISTERED):
        answer = submit(muster_cmd, fill(user, form, {"reason": "none"}))
        assert answer["response_action"] == "errors"
        assert any(p in answer["errors"]["reason"] for p in REFUSALS), answer
    assert event_count(engine) == before
    done = submit(muster_cmd, fill(OTHER, form, {"reason": "none this rotation"}))
    assert done["view"]["title"]["text"] == "Nil return for C-1"
    again = submit(muster_cmd, fill(OWN, form, {}))
    assert again["view"]["title"]["text"] == "Nil return for C-1"  # VAL's own, now
    third = submit(muster_cmd, fill(OTHER, form, {}))
    assert "OST has already answered C-1" in third["errors"]["reason"]


def test_a_question_form_of_a_call_is_checked_again_when_it_comes_back(
    called: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    press(muster_cmd, OTHER, ACTION_CALL_ASK, "C-1")
    form = slack.calls_to("views.open")[-1].args["view"]
    values = {"question": "Is a partial battery useful?", "about": "SKY-1"}
    refused = submit(muster_cmd, fill(COORDINATOR, form, values))
    assert "Only members of a delegation can ask questions" in str(refused["errors"])
    done = submit(muster_cmd, fill(OTHER, form, values))
    assert done["view"]["title"]["text"].startswith("Question Q-2 sent")
    status = muster_cmd(COORDINATOR, "call status C-1").text
    assert "*OST*: asked Q-2" in status
    assert status.startswith("Call C-1 (open)")
    assert status.count(" left") == 1, status  # on the deadline's line only


def test_a_button_of_a_closed_call_says_so(
    called: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    muster_cmd(COORDINATOR, "call close C-1")
    slack.reset()
    press(muster_cmd, OTHER, ACTION_DECLINE, "C-1")
    assert slack.calls_to("views.open") == []
    [told] = slack.calls_to("response_url")
    assert "C-1 is closed" in told.args["text"]


def test_a_calls_history_keeps_how_each_delegation_answered_to_it_and_the_coordinators(
    called: Muster, muster_cmd: SlashCommands
) -> None:
    muster_cmd(OWN, "pledge update P-2 quantity 3")  # VAL's restricted pledge, on LAND-1
    muster_cmd(OTHER, 'decline C-1 "nothing this rotation"')
    coordinator = muster_cmd(COORDINATOR, "history C-1").text
    assert "P-2" in coordinator and "nothing this rotation" in coordinator
    other = muster_cmd(OTHER, "history C-1").text
    assert "nothing this rotation" in other  # its own
    assert "P-2" not in other and "C-1 responded by a delegation" in other
    assert "Unknown" not in muster_cmd(OTHER, "history C-1").text
    assert "No call C-9" in muster_cmd(OTHER, "history C-9").text


def test_a_call_past_its_deadline_and_not_yet_closed_says_it_is_closing(
    called: Muster, clock: FixedClock, muster_cmd: SlashCommands
) -> None:
    clock.set(clock() + timedelta(days=8))  # past the deadline; no tick has closed it yet
    status = muster_cmd(COORDINATOR, "call status C-1").text
    assert status.startswith("Call C-1 (closing)")
    assert status.count("deadline passed") == 1, status  # on the deadline's line only
