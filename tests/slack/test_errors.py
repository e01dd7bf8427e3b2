"""Bad input, conflicts and failures: a short clear answer, nothing half-written, and
what fails in the background logged with a reference."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import Engine, text

from bot.runtime.app import make_client
from bot.runtime.settings import Settings
from bot.services.muster import Muster
from handlers import followups
from handlers.blocks import FollowUps
from storage.models import Event
from tests.support.databases import count
from tests.support.factories import COORDINATOR, OTHER, OWN, small_coalition
from tests.support.slack import SlashCommands


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


def test_background_failures_are_logged_with_a_reference(
    muster: Muster, settings: Settings, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    small_coalition(muster)
    muster.delegations.set_coordinators_channel(COORDINATOR, "C0COORD")
    with engine.begin() as conn:
        conn.execute(
            text(
                "DROP TABLE setting CASCADE"
                if engine.dialect.name == "postgresql"
                else "DROP TABLE setting"
            )
        )
    try:
        with caplog.at_level(logging.ERROR):
            followups.run_logged(
                muster,
                make_client(settings),
                FollowUps(announce_question=1),
                logging.getLogger("muster"),
            )
    finally:
        from storage.models import Setting

        Setting.__table__.create(engine)  # type: ignore[attr-defined]
    record = next(r for r in caplog.records if "unexpected error, reference" in r.getMessage())
    assert record.exc_info is not None
