"""Exactly once across processes: `muster tick` run as several processes sharing one
database posts a period's digest once, at the time it is told."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime

import pytest
from sqlmodel import Session, select

from bot.domain.clock import FixedClock
from bot.runtime.standin import SlackStandIn
from bot.services.broadcasts import LEASE
from bot.services.muster import Muster
from storage.models import PostClaim
from tests.support.clock import set_clock
from tests.support.factories import COORDINATOR, small_coalition
from tests.support.http import SETTING_NAMES

CHANNEL = "C0STATUS"


@pytest.fixture
def subscribed(clock: FixedClock, muster: Muster) -> int:
    small_coalition(muster)
    set_clock(clock, "2026-11-23T10:00:00Z")
    return muster.broadcasts.subscribe(COORDINATOR, "digest", CHANNEL).id


def digests_posted(slack: SlackStandIn) -> int:
    return len([c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL])


def test_several_processes_ticking_post_once(
    subscribed: int, database_url: str, slack: SlackStandIn
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES} | {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-proc",
        "SLACK_API_URL": slack.api_url,
    }
    command = [
        sys.executable,
        "-m",
        "bot.runtime.cli",
        "tick",
        "--now",
        "2026-11-27T16:00:30+01:00",
    ]
    processes = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert all(p.returncode == 0 for p in processes), outputs
    assert sum("1 digest," in out for out, _err in outputs) == 1
    assert digests_posted(slack) == 1
    again = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    assert "0 digests," in again.stdout
    assert digests_posted(slack) == 1


def test_muster_tick_now_runs_the_whole_tick_at_that_time(
    subscribed: int, muster: Muster, slack: SlackStandIn, database_url: str
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES} | {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-cli",
        "SLACK_API_URL": slack.api_url,
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot.runtime.cli", "tick", "--now", "2026-11-27T16:00:30+01:00"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"{CHANNEL} digest:2026-W48" in done.stdout
    with Session(muster.engine) as s:
        claim = s.exec(select(PostClaim)).one()
    assert claim.posted_at == datetime.fromisoformat("2026-11-27T15:00:30+00:00")
    assert claim.lease_until == claim.posted_at + LEASE
