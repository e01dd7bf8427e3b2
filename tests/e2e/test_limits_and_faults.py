"""Slack's limits on a coalition of realistic size, and the Web API failing under us."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.domain.clock import FixedClock
from bot.runtime.app import create_app
from bot.runtime.settings import Settings
from bot.runtime.standin import SlackStandIn
from bot.runtime.web import MusterWSGI
from bot.services.muster import Muster
from handlers import home
from handlers.pledges import pledge_form
from storage.db import head_revision, make_engine
from tests.conftest import SIGNING_SECRET
from tests.support.clock import START
from tests.support.factories import COORDINATOR, OTHER, OWN, add_requirements, small_coalition
from tests.support.slack import SlashCommands, validate_view

CHANNEL = "C0COORD"


def big_coalition(m: Muster, requirements: int = 137) -> None:
    small_coalition(m)
    add_requirements(
        m,
        requirements,
        title="Requirement number {n} with a long descriptive title " * 2,
        pledgers=[OWN],
        every=2,
    )


@pytest.mark.parametrize("command", ["gaps", "requirements", "pledges", "status LAND", "help"])
def test_long_lists_stay_inside_slack_limits_and_say_so(
    command: str, muster: Muster, muster_cmd: SlashCommands
) -> None:
    big_coalition(muster)
    reply = muster_cmd(OTHER, command)  # validates blocks against slack_sdk and the 50-block limit
    if command in ("gaps", "requirements"):  # one block per requirement: cut, visibly
        assert len(reply.blocks) == 50
        assert "more blocks not shown" in json.dumps(reply.blocks[-1])
    if command == "pledges":  # packed lines: every pledge fits
        assert "*P-70*" in json.dumps(reply.blocks, ensure_ascii=False)
    assert len(reply.text) <= 3000


def test_forms_and_home_stay_inside_slack_limits(muster: Muster) -> None:
    big_coalition(muster, requirements=450)  # more than 100 in one objective
    view = pledge_form(muster.pledges.pledge_form(OTHER))
    validate_view(view)
    groups = view["blocks"][0]["element"]["option_groups"]
    assert [g["label"]["text"] for g in groups] == ["SKY", "SEA", "LAND", "UAF"]
    assert all(len(g["options"]) <= 100 for g in groups)
    assert all(len(o["text"]["text"]) <= 75 for g in groups for o in g["options"])
    for user in (OWN, COORDINATOR):
        validate_view(home.build(muster.reports.home(user), muster.clock()))


def test_a_rate_limited_announcement_is_retried_after_the_pause(
    muster: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    small_coalition(muster)
    muster.delegations.set_coordinators_channel(COORDINATOR, CHANNEL)
    slack.fail("chat.postMessage", status=429, error="ratelimited", retry_after=1)
    assert "Question Q-2 recorded" in muster_cmd(OTHER, "ask Who funds the fuel?").text
    calls = slack.calls_to("chat.postMessage")
    assert len(calls) == 2 and calls[1].args["channel"] == CHANNEL
    assert muster.questions.announcement_of(2) == (CHANNEL, calls[1].reply["ts"])


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 500, "error": "internal_error"},
        {"error": "channel_not_found"},
        {"error": "is_archived"},
    ],
)
def test_a_failed_announcement_never_costs_the_question(
    failure: dict[str, Any],
    muster: Muster,
    muster_cmd: SlashCommands,
    slack: SlackStandIn,
    caplog: pytest.LogCaptureFixture,
) -> None:
    small_coalition(muster)
    muster.delegations.set_coordinators_channel(COORDINATOR, CHANNEL)
    slack.fail("chat.postMessage", **failure)
    assert "Question Q-2 recorded" in muster_cmd(OTHER, "ask Who funds the fuel?").text
    assert muster.questions.announcement_of(2) is None
    assert "could not post to C0COORD" in caplog.text
    assert "Who funds the fuel?" in muster_cmd(COORDINATOR, "questions").text


def test_an_announcement_joins_the_coordinators_channel_it_is_not_in(
    muster: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    """Announcements follow the same posting rules as digests: join, then post."""
    small_coalition(muster)
    muster.delegations.set_coordinators_channel(COORDINATOR, CHANNEL)
    slack.fail("chat.postMessage", error="not_in_channel")
    assert "Question Q-2 recorded" in muster_cmd(OTHER, "ask Who funds the fuel?").text
    assert [c.args["channel"] for c in slack.calls_to("conversations.join")] == [CHANNEL]
    posted = slack.calls_to("chat.postMessage")[-1]
    assert muster.questions.announcement_of(2) == (CHANNEL, posted.reply["ts"])


def call_wsgi(wsgi: MusterWSGI, path: str) -> tuple[str, dict[str, Any]]:
    seen: dict[str, str] = {}

    def start_response(status: str, _headers: list[tuple[str, str]]) -> None:
        seen["status"] = status

    body = b"".join(wsgi({"PATH_INFO": path, "REQUEST_METHOD": "GET"}, start_response))
    return seen["status"], json.loads(body)


def test_health_is_503_when_the_database_does_not_answer(
    settings: Settings, tmp_path: Path
) -> None:
    broken = Muster(
        make_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}"), clock=FixedClock(START)
    )
    wsgi = MusterWSGI(create_app(settings, muster=broken), broken, signing_secret=SIGNING_SECRET)
    assert call_wsgi(wsgi, "/healthz") == (
        "503 Service Unavailable",
        {"status": "unavailable", "database": "down"},
    )


def test_health_is_503_when_the_schema_is_old(settings: Settings, muster: Muster) -> None:
    wsgi = MusterWSGI(create_app(settings, muster=muster), muster, signing_secret=SIGNING_SECRET)
    assert call_wsgi(wsgi, "/healthz")[0] == "200 OK"
    with muster.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    try:
        assert call_wsgi(wsgi, "/healthz")[0] == "503 Service Unavailable"
    finally:
        with muster.engine.begin() as conn:
            conn.execute(
                text("UPDATE alembic_version SET version_num = :head"), {"head": head_revision()}
            )
