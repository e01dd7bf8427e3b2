"""Bad input, conflicts and failures: a short clear answer, and nothing half-written."""

from __future__ import annotations

import json
import logging
import re
import threading
from urllib.parse import urlencode

import pytest
from slack_bolt import BoltRequest
from sqlalchemy import Engine, text

from bot.domain.model import PledgeStatus
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from storage.models import Event
from tests.support.factories import COORDINATOR, OTHER, OWN, small_coalition
from tests.support.slack import SlashCommands


@pytest.fixture
def coalition(muster: Muster) -> Muster:
    small_coalition(muster)
    return muster


def count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


@pytest.mark.parametrize(
    ("user", "command", "answer"),
    [
        (OWN, "pledge SKY-9 3", "Unknown requirement SKY-9. Try `/muster requirements SKY`."),
        (OWN, "requirements XYZ", "Unknown objective XYZ. Objectives are SKY, SEA, LAND, UAF."),
        (OWN, "pledges ZZZ", "Unknown delegation ZZZ."),
        (OWN, "history P-77", "No pledge P-77 that you can see."),
        (OWN, "history Q-77", "No question Q-77."),
        (COORDINATOR, "delegation add VAL Again", "Delegation VAL already exists."),
        (COORDINATOR, "delegation add V4L Bad", "Delegation codes are 2 to 6 letters"),
        (
            COORDINATOR,
            "requirement edit SKY-1 quantity 6",
            "SKY-1 already reads that way; nothing changed.",
        ),
        (
            OWN,
            "pledge update P-1 status indicated",
            "P-1 cannot become indicated: pledges move indicated → offered → confirmed",
        ),
        (OWN, "pledge update P-1 quantity 1", "P-1 already reads that way; nothing changed."),
        (OTHER, "pledge update P-1 quantity 3", "Only its own delegation can change P-1."),
        (COORDINATOR, "question reopen Q-1", "Q-1 is already open."),
        (OWN, f"ask {'x' * 2001}", "Question is 2001 characters long; the limit is 2000."),
        (
            OWN,
            "pledge SKY-1 1 if “once the ceasefire holds”",
            "the ceasefire is the precondition of the whole mission",
        ),
        (
            OWN,
            'pledge update P-1 if "after the cease-fire"',
            "the ceasefire is the precondition of the whole mission",
        ),
        (
            COORDINATOR,
            "requirement edit SKY-1 unit systems",
            "SKY-1 has live pledges counted in batteries",
        ),
        (COORDINATOR, "objective edit SKY leads", "Name the lead delegations"),
        ("UNOBODY", "pledges ???", "You are not registered with Muster yet."),
        ("UNOBODY", 'pledge SKY-1 "unclosed', "You are not registered with Muster yet."),
    ],
)
def test_clear_short_answers(
    user: str,
    command: str,
    answer: str,
    coalition: Muster,
    muster_cmd: SlashCommands,
    engine: Engine,
) -> None:
    events = count(engine, "event")
    reply = muster_cmd(user, command)
    assert answer in reply.text
    assert reply.ephemeral
    assert "Traceback" not in reply.text
    assert count(engine, "event") == events


def test_withdrawn_pledges_stay_withdrawn(coalition: Muster, muster_cmd: SlashCommands) -> None:
    assert "Pledge P-1 withdrawn" in muster_cmd(OWN, 'withdraw P-1 "battery redeployed"').text
    assert "P-1 is already withdrawn." in muster_cmd(OWN, "withdraw P-1").text
    assert (
        "was withdrawn; make a new pledge instead"
        in muster_cmd(OWN, "pledge update P-1 quantity 4").text
    )
    assert "reason “battery redeployed”" in muster_cmd(OTHER, "pledges SKY-1").text


def test_coordinators_can_withdraw_any_pledge(coalition: Muster, muster_cmd: SlashCommands) -> None:
    assert (
        "Pledge P-2 withdrawn"
        in muster_cmd(COORDINATOR, "withdraw P-2 lead nations' decision").text
    )


def test_closed_questions_must_be_reopened_before_answering(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    muster_cmd(COORDINATOR, "question close Q-1")
    assert "Q-1 is closed." in muster_cmd(COORDINATOR, "answer Q-1 Too late").text
    muster_cmd(COORDINATOR, "question reopen Q-1")
    assert "Answer to Q-1 recorded" in muster_cmd(COORDINATOR, "answer Q-1 Now answered").text


def test_the_asker_is_told_the_answer(
    coalition: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    reply = muster_cmd(COORDINATOR, "answer Q-1 The lead nations provide air cover.")
    assert f"<@{OWN}> has been told." in reply.text
    [dm] = slack.calls_to("chat.postMessage")
    assert dm.args["channel"] == OWN
    assert "The lead nations provide air cover." in dm.args["text"]
    assert dm.token == "xoxb-test-token"


def test_a_failed_notification_does_not_lose_the_answer(
    coalition: Muster,
    muster_cmd: SlashCommands,
    slack: SlackStandIn,
    caplog: pytest.LogCaptureFixture,
) -> None:
    slack.fail("chat.postMessage", error="channel_not_found")
    reply = muster_cmd(COORDINATOR, "answer Q-1 Recorded anyway.")
    assert "Answer to Q-1 recorded" in reply.text
    assert "Recorded anyway." in muster_cmd(OTHER, "questions all").text
    assert "channel_not_found" in caplog.text


def test_user_text_is_escaped_when_shown_back(coalition: Muster, muster_cmd: SlashCommands) -> None:
    reply = muster_cmd(
        OWN, "ask &lt;!channel&gt; see &lt;https://evil.example|the ROE&gt; &amp; more"
    )
    shown = json.dumps(reply.body)
    assert "<!channel>" not in shown and "<https://evil" not in shown
    assert "&lt;!channel&gt; see &lt;https://evil.example|the ROE&gt; &amp; more" in reply.text


def test_unexpected_errors_show_a_reference_and_log_the_traceback(
    coalition: Muster, muster_cmd: SlashCommands, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE event"))
    try:
        with caplog.at_level(logging.ERROR, logger="muster"):
            reply = muster_cmd(OWN, "pledge SKY-1 1")
    finally:
        Event.__table__.create(engine)  # type: ignore[attr-defined]
    match = re.search(r"reference `([0-9a-f]{8})`", reply.text)
    assert match, reply.text
    assert "Traceback" not in reply.text and "event" not in reply.text
    record = next(r for r in caplog.records if match.group(1) in r.getMessage())
    assert record.exc_info is not None
    assert count(engine, "pledge") == 2, "the failed pledge must not be half-written"


def test_first_reply_to_a_new_user_warns_about_classification(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    first = muster_cmd(OTHER, "gaps").text
    second = muster_cmd(OTHER, "gaps").text
    assert "not accredited for classified information" in first
    assert "not accredited" not in second
    assert "not accredited for classified information" in muster_cmd(OTHER, "help").text


def test_even_a_refused_first_contact_gets_the_warning(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    reply = muster_cmd("UNEWCOMER", "status")
    assert "You are not registered" in reply.text and "not accredited" in reply.text


def test_forged_and_stale_signatures_are_rejected(
    coalition: Muster, muster_cmd: SlashCommands, engine: Engine
) -> None:
    body = muster_cmd.form(OWN, "pledge SKY-1 1")
    forged = muster_cmd.signed(body) | {"x-slack-signature": "v0=" + "0" * 64}
    stale = muster_cmd.signed(body, timestamp=1_600_000_000)
    for headers in (forged, stale):
        assert muster_cmd.app.dispatch(BoltRequest(body=body, headers=headers)).status == 401
    assert count(engine, "pledge") == 2


def test_an_unknown_slash_command_is_not_ours(muster_cmd: SlashCommands) -> None:
    body = urlencode({"command": "/other", "user_id": OWN, "text": "", "team_id": "T0MUSTER"})
    response = muster_cmd.app.dispatch(BoltRequest(body=body, headers=muster_cmd.signed(body)))
    assert response.status == 404


def test_concurrent_pledges_never_hit_database_is_locked(coalition: Muster) -> None:
    errors: list[BaseException] = []

    def pledge(n: int) -> None:
        try:
            for _ in range(5):
                coalition.pledges.pledge(
                    OWN if n % 2 else OTHER,
                    requirement="LAND-1",
                    quantity=1,
                    status=PledgeStatus.OFFERED,
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=pledge, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    listing = coalition.pledges.list_pledges(COORDINATOR, "LAND-1")
    assert len(listing.pledges) == 1 + 40
    assert sorted(int(p.ref[2:]) for p in listing.pledges) == [2, *range(3, 43)]


def test_history_accepts_references_without_a_dash(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    muster_cmd(OWN, "help")  # past the first-contact notice
    assert muster_cmd(OWN, "history p1").text == muster_cmd(OWN, "history P-1").text
    assert "History of Q-1 (1)" in muster_cmd(OWN, "history Q1").text


def test_the_demo_is_seeded_once(muster: Muster) -> None:
    from bot.domain.errors import Conflict
    from bot.runtime.demo import seed_demo

    seed_demo(muster)
    with pytest.raises(Conflict, match="already holds delegations"):
        seed_demo(muster)
