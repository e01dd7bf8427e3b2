"""Found in review of the Slack surface; each stays fixed."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bot.runtime.app import make_client
from bot.runtime.scheduler import Ticker
from bot.runtime.settings import Settings
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from handlers import followups
from handlers.blocks import FollowUps
from tests.conftest import COORDINATOR
from tests.support.clock import tick_at
from tests.support.factories import OTHER, OWN, small_coalition
from tests.support.http import SETTING_NAMES, fill
from tests.support.slack import SlashCommands


def test_forms_work_before_the_first_requirement(
    muster: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    muster.delegations.add_delegation(COORDINATOR, "OST", "Ostland")
    muster.delegations.add_members(COORDINATOR, "OST", [OTHER])
    assert "no requirements to pledge against yet" in muster_cmd(OTHER, "pledge").text
    muster_cmd(OTHER, "ask", opens_form=True)
    [opened] = slack.calls_to("views.open")
    assert [b["block_id"] for b in opened.args["view"]["blocks"] if b["type"] == "input"] == [
        "question"
    ]


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        ({"error": "expired_trigger_id"}, "Slack gave up waiting for the form to open."),
        ({"delay": 3.0}, "Slack took too long to answer."),
        ({"status": 429, "error": "ratelimited", "retry_after": 5}, "Slack is busy right now."),
    ],
)
def test_a_form_that_cannot_open_in_time_says_so_quickly(
    failure: dict,
    message: str,
    muster: Muster,  # type: ignore[type-arg]
    muster_cmd: SlashCommands,
    slack: SlackStandIn,
) -> None:
    small_coalition(muster)
    slack.fail("views.open", **failure)
    reply = muster_cmd(OTHER, "pledge")
    assert message in reply.text
    assert len(slack.calls_to("views.open")) == 1  # no retry past the trigger's life


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"quantity": "1" + "0" * 30}, "quantity", "too large"),
        ({"quantity": 2, "available_from": "31/12/2027"}, "available_from", "Pick a date"),
        ({"quantity": 2, "status": "bogus"}, "status", "Choose one of the options"),
    ],
)
def test_crafted_form_values_get_field_errors(
    values: dict,
    field: str,
    message: str,
    muster: Muster,  # type: ignore[type-arg]
    muster_cmd: SlashCommands,
    slack: SlackStandIn,
) -> None:
    small_coalition(muster)
    muster_cmd(OTHER, "pledge", opens_form=True)
    view = slack.calls_to("views.open")[0].args["view"]
    submission = fill(
        OTHER, view, {"requirement": "SKY-1", **{k: v for k, v in values.items() if k != "status"}}
    )
    if "status" in values:
        submission["view"]["state"]["values"]["status"]["value"]["selected_option"] = {
            "value": values["status"]
        }
    import json
    from urllib.parse import urlencode

    from slack_bolt import BoltRequest

    body = urlencode({"payload": json.dumps(submission)})
    response = muster_cmd.app.dispatch(BoltRequest(body=body, headers=muster_cmd.signed(body)))
    errors = json.loads(response.body)["errors"]
    assert list(errors) == [field] and message in errors[field]


def test_error_replies_cannot_ping_or_link(muster: Muster, muster_cmd: SlashCommands) -> None:
    small_coalition(muster)
    for command in ("pledge SKY-1 3 <!channel>", "pledges <https://evil.example|click>"):
        reply = muster_cmd(OWN, command)
        assert "<!channel>" not in reply.body["blocks"][0]["text"]["text"]
        assert "<https://" not in reply.body["blocks"][0]["text"]["text"]


def test_answering_by_command_refreshes_the_askers_home(
    muster: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    small_coalition(muster)
    muster_cmd(COORDINATOR, "answer Q-1 The lead nations.")
    assert {c.args["user_id"] for c in slack.calls_to("views.publish")} == {COORDINATOR, OWN}


def test_serve_refuses_an_empty_signing_secret(database_url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES} | {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot.runtime.cli", "serve", "--http", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "SLACK_SIGNING_SECRET: not set" in result.stderr


def test_the_tick_forgets_old_deliveries(
    muster: Muster, muster_cmd: SlashCommands, settings: Settings, engine: Engine
) -> None:
    small_coalition(muster)
    muster_cmd(OWN, "pledge LAND-1 1")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM delivery")).scalar_one() == 1
    tick_at(Ticker(muster, make_client(settings), pace=0), muster.clock() + timedelta(days=2))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM delivery")).scalar_one() == 0


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
            followups.lazy(
                {"muster": muster, "follow_ups": FollowUps(announce_question=1)},
                make_client(settings),
                logging.getLogger("muster"),
            )
    finally:
        from storage.models import Setting

        Setting.__table__.create(engine)  # type: ignore[attr-defined]
    record = next(r for r in caplog.records if "unexpected error, reference" in r.getMessage())
    assert record.exc_info is not None
