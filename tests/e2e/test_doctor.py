"""`muster doctor` as an operator runs it, in its own process, against the Web API
stand-in: a table of checks, and a failing exit status when one fails."""

from __future__ import annotations

import os
import subprocess
import sys

from bot.runtime.standin import SlackStandIn


def test_the_command_prints_a_table_and_fails_when_a_check_fails(
    database_url: str, slack: SlackStandIn
) -> None:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MUSTER_", "DATABASE_"))
    }
    env |= {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-cli",
        "SLACK_API_URL": slack.api_url,
        "SLACK_SIGNING_SECRET": "s",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot.runtime.cli", "doctor"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "4 of 5 checks passed." in result.stdout
    assert "/muster setup coordinators-channel" in result.stdout
    assert "xoxb-cli" not in result.stdout + result.stderr
