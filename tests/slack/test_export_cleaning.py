"""`/muster export` of what is already stored: one delegate's control characters, saved
before they were refused at entry, must not break the report sent by direct message,
and text typed as a formula stays text in the spreadsheets."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from bot.domain.clock import FixedClock
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from tests.support.broadcasts import subscribed_coalition
from tests.support.exports import (
    CLEAN_CAVEATS,
    CLEAN_TITLE,
    assert_clean_workbook,
    csv_records,
    csv_rows,
    report_file,
    store_badly,
)
from tests.support.factories import COORDINATOR, OTHER, OWN
from tests.support.slack import SlashCommands


@pytest.fixture
def coalition(clock: FixedClock, muster: Muster) -> Muster:
    """Not the tier's plain coalition: this one is subscribed to alerts and the digest."""
    return subscribed_coalition(clock, muster)


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
    table = csv_records(upload.args["bytes"])
    sky1 = next(r for r in table if r["Pledge"] == "P-1")
    assert (sky1["Title"], sky1["Caveats"]) == (CLEAN_TITLE, CLEAN_CAVEATS)


def test_spreadsheets_never_run_user_text_as_formulas(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    muster_cmd(OTHER, 'ask =HYPERLINK("http://evil.example",A1)')
    muster_cmd(OTHER, 'pledge SKY-1 1 caveat "+1 only on Mondays"')
    book = load_workbook(io.BytesIO(report_file(coalition, COORDINATOR, "xlsx")))
    texts = [c.value for row in book["Questions"].iter_rows() for c in row] + [
        c.value for row in book["Pledges"].iter_rows() for c in row
    ]
    assert '\'=HYPERLINK("http://evil.example",A1)' in texts and "'+1 only on Mondays" in texts
    assert all(
        c.data_type != "f" for sheet in book.worksheets for row in sheet.iter_rows() for c in row
    )
    rows = csv_rows(coalition, COORDINATOR)
    assert any(cell == "'+1 only on Mondays" for row in rows for cell in row)
