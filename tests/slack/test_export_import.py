"""`/muster export`: the written report sent by direct message, as this user may see it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.clock import FixedClock
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from tests.support.exports import demo_coalition
from tests.support.slack import SlashCommands


@pytest.fixture
def demo(muster: Muster) -> Muster:
    return demo_coalition(muster)


def test_export_command_sends_the_file_by_direct_message(
    demo: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    reply = muster_cmd("UOST1", "export csv")
    assert "Your CSV report is on its way as a direct message." in reply.text
    [opened] = slack.calls_to("conversations.open")
    assert opened.args["users"] == "UOST1"
    [done] = slack.calls_to("files.completeUploadExternal")
    assert done.args["channel_id"] == opened.reply["channel"]["id"]
    [upload] = slack.calls_to("file.upload")
    assert b"P-8" not in upload.args["bytes"] and b"SKY-1" in upload.args["bytes"]
    assert "Export as csv or xlsx" in muster_cmd("UOST1", "export pdf").text
    assert "You are not registered" in muster_cmd("UNOBODY", "export").text


def test_the_file_is_named_for_the_day_in_muster_timezone(
    demo: Muster, muster_cmd: SlashCommands, slack: SlackStandIn, clock: FixedClock
) -> None:
    """23:30 UTC on the 23rd is already the 24th in Brussels, where the report is read."""
    clock.set(datetime(2026, 11, 23, 23, 30, tzinfo=UTC))
    muster_cmd("UOST1", "export")
    [asked] = slack.calls_to("files.getUploadURLExternal")
    assert asked.args["filename"] == "muster-2026-11-24.xlsx"
    [done] = slack.calls_to("files.completeUploadExternal")
    assert "Muster report 2026-11-24" in str(done.args["files"])
