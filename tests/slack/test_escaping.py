"""User text shown back by Muster cannot ping a channel, link or format as a command."""

from __future__ import annotations

import json

from bot.services.muster import Muster
from tests.support.factories import OWN
from tests.support.slack import SlashCommands


def test_user_text_is_escaped_when_shown_back(coalition: Muster, muster_cmd: SlashCommands) -> None:
    reply = muster_cmd(
        OWN, "ask &lt;!channel&gt; see &lt;https://evil.example|the ROE&gt; &amp; more"
    )
    shown = json.dumps(reply.body)
    assert "<!channel>" not in shown and "<https://evil" not in shown
    assert "&lt;!channel&gt; see &lt;https://evil.example|the ROE&gt; &amp; more" in reply.text
