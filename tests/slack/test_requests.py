"""Which requests the Bolt app takes: signed, fresh, and for `/muster`."""

from __future__ import annotations

from urllib.parse import urlencode

from slack_bolt import BoltRequest
from sqlalchemy import Engine

from bot.services.muster import Muster
from tests.support.databases import count
from tests.support.factories import OWN
from tests.support.slack import SlashCommands


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
