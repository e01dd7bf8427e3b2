"""`/muster export` of what is already stored: one delegate's control characters, saved
before they were refused at entry, must not break the report sent by direct message."""

from __future__ import annotations

import csv
import io

import pytest

from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from tests.support.exports import CLEAN_CAVEATS, CLEAN_TITLE, assert_clean_workbook, store_badly
from tests.support.factories import OWN
from tests.support.slack import SlashCommands


@pytest.fixture
def stored_badly(muster: Muster) -> Muster:
    return store_badly(muster)


def test_slack_xlsx_export_drops_stored_control_characters(
    stored_badly: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    reply = muster_cmd(OWN, "export xlsx")
    assert "Your XLSX report is on its way as a direct message." in reply.text
    [upload] = slack.calls_to("file.upload")
    assert_clean_workbook(upload.args["bytes"])
    said = [str(c.args) for c in slack.calls_to("chat.postMessage")]
    assert not any("could not be made" in text for text in said)


def test_slack_csv_export_drops_stored_control_characters(
    stored_badly: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    muster_cmd(OWN, "export csv")
    [upload] = slack.calls_to("file.upload")
    table = list(csv.DictReader(io.StringIO(upload.args["bytes"].decode("utf-8-sig"))))
    sky1 = next(r for r in table if r["pledge"] == "P-1")
    assert (sky1["title"], sky1["caveats"]) == (CLEAN_TITLE, CLEAN_CAVEATS)
