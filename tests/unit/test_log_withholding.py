"""Slack tokens blanked in Muster's log lines wherever they appear, tracebacks included."""

from __future__ import annotations

import logging

import pytest

from bot.runtime.logs import REDACTED, guard


def test_tokens_are_blanked_in_messages_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    log = guard(logging.getLogger("muster.test.tokens"))
    with caplog.at_level(logging.DEBUG, logger="muster.test.tokens"):
        log.info("connecting with %s to wss://x/link/?ticket=abc-123&app_id=A1", "xapp-1-A1-2-zz")
        try:
            raise RuntimeError("bad auth: Bearer xoxb-123-456-abc")
        except RuntimeError:
            log.exception("the call failed")
    assert "xapp-1" not in caplog.text and "ticket=abc" not in caplog.text
    assert "xoxb-123" not in caplog.text and f"Bearer {REDACTED}" in caplog.text
    assert "Traceback" in caplog.text  # the traceback is kept, only the token goes
