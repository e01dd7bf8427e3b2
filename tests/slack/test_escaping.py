"""User text shown back by Muster, in an answer or in an error, cannot ping a channel,
link or format as a command."""

from __future__ import annotations

import json

from bot.services.muster import Muster
from tests.support.factories import OWN, small_coalition
from tests.support.slack import SlashCommands


def test_user_text_is_escaped_when_shown_back(coalition: Muster, muster_cmd: SlashCommands) -> None:
    reply = muster_cmd(
        OWN, "ask &lt;!channel&gt; see &lt;https://evil.example|the ROE&gt; &amp; more"
    )
    shown = json.dumps(reply.body)
    assert "<!channel>" not in shown and "<https://evil" not in shown
    assert "&lt;!channel&gt; see &lt;https://evil.example|the ROE&gt; &amp; more" in reply.text


def test_error_replies_cannot_ping_or_link(muster: Muster, muster_cmd: SlashCommands) -> None:
    small_coalition(muster)
    for command in ("pledge SKY-1 3 <!channel>", "pledges <https://evil.example|click>"):
        reply = muster_cmd(OWN, command)
        assert "<!channel>" not in reply.body["blocks"][0]["text"]["text"]
        assert "<https://" not in reply.body["blocks"][0]["text"]["text"]
