"""`/muster report`: a signed request is acknowledged at once, then the Word document
comes by direct message (files upload to the stand-in), once, however often Slack
delivers the request; the coordinators' edition only to coordinators; a failure is
told to the user. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_bolt import BoltRequest
from sqlalchemy import Engine, text

from bot.runtime.demo import seed_demo
from bot.runtime.scheduler import Ticker
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from bot.services.report_model import Edition
from tests.support.answers import dms
from tests.support.clock import tick_at
from tests.support.reports import read_docx
from tests.support.slack import SlashCommands

DELEGATE, COORDINATOR = "UMER1", "UCOORD1"  # Meridia pledged P-8, restricted
ON_ITS_WAY = (
    "The coalition edition of the report is on its way as a direct message (Word document)."
)


@pytest.fixture
def demo(muster: Muster) -> Muster:
    seed_demo(muster)
    return muster


def issues(engine: Engine) -> list[tuple[str, str, bool, str, bool]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT edition, requested_by, issued, status, file_id <> '' FROM report_issue ORDER BY id"
            )
        ).all()
    return [(e, who, bool(issued), status, bool(filed)) for e, who, issued, status, filed in rows]


def uploaded(slack: SlackStandIn) -> list[bytes]:
    return [c.args["bytes"] for c in slack.calls_to("file.upload")]


def test_the_report_is_acknowledged_then_sent_by_direct_message(
    demo: Muster, muster_cmd: SlashCommands, slack: SlackStandIn, engine: Engine
) -> None:
    reply = muster_cmd(DELEGATE, "report")
    assert ON_ITS_WAY in reply.text and reply.ephemeral
    [opened] = slack.calls_to("conversations.open")
    assert opened.args["users"] == DELEGATE
    [asked] = slack.calls_to("files.getUploadURLExternal")
    assert asked.args["filename"] == "muster-report-coalition-2026-11-23.docx"
    [done] = slack.calls_to("files.completeUploadExternal")
    assert done.args["channel_id"] == opened.reply["channel"]["id"]
    assert "Force generation report, coalition edition, 23 Nov 2026" in str(done.args["files"])
    [content] = uploaded(slack)
    rb = read_docx(content)
    assert rb.sections[1].title == "Summary"
    # The coalition's edition, even for the nation whose restricted pledge it is.
    assert "P-8" not in rb.text and "4,000 training places" not in rb.text
    assert issues(engine) == [("coalition", DELEGATE, False, "sent", True)]


def test_the_coordinators_edition_goes_to_coordinators_only(
    demo: Muster, muster_cmd: SlashCommands, slack: SlackStandIn, engine: Engine
) -> None:
    refused = muster_cmd(DELEGATE, "report coordinators")
    assert refused.text.startswith("Only coordinators can have the coordinators' edition")
    assert slack.calls_to("conversations.open") == [] and uploaded(slack) == []
    assert issues(engine) == []
    reply = muster_cmd(COORDINATOR, "report coordinators")
    assert "The coordinators' edition of the report is on its way" in reply.text
    [content] = uploaded(slack)
    assert "P-8" in read_docx(content).text
    assert issues(engine) == [("coordinators", COORDINATOR, True, "sent", True)]
    assert "You are not registered" in muster_cmd("UNOBODY", "report").text


def test_a_retried_request_sends_the_report_once(
    demo: Muster, muster_cmd: SlashCommands, slack: SlackStandIn, engine: Engine
) -> None:
    body = muster_cmd.form(COORDINATOR, "report coalition")
    answers = []
    for _ in range(3):  # Slack delivers the same request again
        response = muster_cmd.app.dispatch(BoltRequest(body=body, headers=muster_cmd.signed(body)))
        assert muster_cmd.workers is not None and muster_cmd.workers.wait_idle()
        answers.append(str(response.body))
    assert ON_ITS_WAY in answers[0]
    assert all("This request reached Muster twice; it was applied once." in a for a in answers[1:])
    assert len(uploaded(slack)) == 1 and len(slack.calls_to("files.completeUploadExternal")) == 1
    assert issues(engine) == [("coalition", COORDINATOR, True, "sent", True)]


def test_a_draft_is_sent_but_not_issued(
    demo: Muster, muster_cmd: SlashCommands, slack: SlackStandIn, engine: Engine
) -> None:
    reply = muster_cmd(COORDINATOR, "report draft")
    assert (
        "(a draft: the next report still counts its changes from the last one issued)" in reply.text
    )
    assert len(uploaded(slack)) == 1
    assert issues(engine) == [("coalition", COORDINATOR, False, "sent", True)]


def test_a_report_slack_would_not_take_is_told_to_its_reader(
    demo: Muster, muster_cmd: SlashCommands, slack: SlackStandIn, engine: Engine
) -> None:
    slack.fail("files.completeUploadExternal", error="not_allowed_token_type")
    assert ON_ITS_WAY in muster_cmd(COORDINATOR, "report").text
    [sorry] = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == COORDINATOR]
    assert sorry.args["text"] == "Sorry, the report could not be made or sent; please try again."
    assert issues(engine) == [("coalition", COORDINATOR, True, "failed", False)]


@pytest.mark.parametrize(
    "command", ["report everything", "report coalition coordinators", 'report "coalition"']
)
def test_an_edition_that_does_not_exist_is_refused_with_the_usage(
    demo: Muster, muster_cmd: SlashCommands, slack: SlackStandIn, engine: Engine, command: str
) -> None:
    reply = muster_cmd(COORDINATOR, command)
    assert "The report comes in the `coalition` edition or the `coordinators` edition" in reply.text
    assert "Usage: `/muster report [coalition|coordinators] [draft]`" in reply.text
    assert uploaded(slack) == [] and issues(engine) == []


def test_help_lists_the_report(demo: Muster, muster_cmd: SlashCommands) -> None:
    said = muster_cmd(DELEGATE, "help reports").text
    assert (
        "`/muster report [coalition|coordinators] [draft]` (registered; the coordinators' edition: coordinator)"
        in said
    )


def test_a_report_whose_process_ended_is_given_up_and_its_reader_told_once(
    demo: Muster, ticker: Ticker, slack: SlackStandIn, engine: Engine
) -> None:
    # Recorded when asked for, then the process that was to make it ended.
    demo.report_issues.request(COORDINATOR, Edition.COORDINATORS)
    asked = demo.clock()
    tick_at(ticker, asked + timedelta(minutes=1))  # it may still be on its way
    assert issues(engine)[-1][3] == "requested"
    assert [c for c in dms(slack) if "could not be sent" in c.args["text"]] == []
    tick_at(ticker, asked + timedelta(minutes=16))
    tick_at(ticker, asked + timedelta(minutes=17))  # once, not every tick
    [told] = [c for c in dms(slack) if "could not be sent" in c.args["text"]]
    assert told.args["channel"] == COORDINATOR
    assert "`/muster report coordinators`" in told.args["text"]
    assert issues(engine)[-1][3] == "failed"
