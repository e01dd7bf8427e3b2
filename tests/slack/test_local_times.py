"""Times in Slack are written so that each reader sees their own time zone, with a
correct UTC fallback; the console, which has no reader's zone, shows MUSTER_TIMEZONE."""

from __future__ import annotations

import io
from datetime import timedelta

from rich.console import Console

from bot.domain.clock import FixedClock
from bot.runtime.console import ConsoleTransport
from bot.runtime.settings import Settings
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from tests.support.clock import START
from tests.support.factories import COORDINATOR, OWN, small_coalition
from tests.support.slack import SlashCommands

ASKED = int(START.timestamp())  # Q-1 is asked at START, 08:00 UTC
LOCAL = "{date_short_pretty} {time}"


def test_replies_show_times_in_each_readers_zone(
    coalition: Muster, clock: FixedClock, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    history = muster_cmd(OWN, "history Q-1").text
    assert f"<!date^{ASKED}^{LOCAL}|2026-11-23 08:00 UTC> · Q-1 asked" in history
    clock.advance(timedelta(hours=2, minutes=30))
    muster_cmd(COORDINATOR, "answer Q-1 The lead nations.")
    answered = f"<!date^{ASKED + 9000}^{LOCAL}|2026-11-23 10:30 UTC>"
    assert answered in muster_cmd(OWN, "questions all").text
    [dm] = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == OWN]
    assert answered in dm.args["text"]
    assert " UTC" not in history.replace("UTC>", "")  # no time is stamped "UTC" as plain text


def test_the_console_shows_the_coalitions_time_zone(
    muster: Muster, settings: Settings, clock: FixedClock
) -> None:
    small_coalition(muster)
    out = io.StringIO()
    local = settings.model_copy(update={"muster_timezone": "America/New_York"})
    transport = ConsoleTransport(
        local, user=OWN, out=Console(file=out, width=300, highlight=False), muster=muster
    )
    try:
        transport.handle("/muster history Q-1")
    finally:
        transport.close()
    assert "2026-11-23 03:00 EST · Q-1 asked" in out.getvalue()
    assert "<!date" not in out.getvalue() and "UTC" not in out.getvalue()
