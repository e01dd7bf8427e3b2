"""The checks behind `muster doctor`, run in process against the Web API stand-in: each
failure mode, and how to fix it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from slack_sdk import WebClient

from bot.domain.clock import FixedClock
from bot.runtime.doctor import Check, run_checks
from bot.runtime.settings import Settings
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from storage.db import make_engine
from tests.conftest import COORDINATOR
from tests.support.clock import START

CHANNEL = "C0COORD"


def doctor(
    settings: Settings, muster: Muster, slack: SlackStandIn, token: str | None = "xoxb-doctor"
) -> dict[str, Check]:
    def client(t: str | None) -> WebClient:
        return WebClient(token=t, base_url=slack.api_url)

    return {c.name: c for c in run_checks(settings, muster, client(token))}


@pytest.fixture
def ready(muster: Muster, slack: SlackStandIn) -> Muster:
    muster.delegations.set_coordinators_channel(COORDINATOR, CHANNEL)
    slack.channels[CHANNEL] = {"is_member": True, "is_private": False, "is_archived": False}
    return muster


def test_a_healthy_setup_passes_every_check(
    settings: Settings, ready: Muster, slack: SlackStandIn
) -> None:
    checks = doctor(settings, ready, slack)
    assert all(c.ok for c in checks.values()), checks
    assert checks["bot token"].detail == "valid for team T0MUSTER as <@UMUSTERBOT>"
    assert checks["coordinators' channel"].detail == "<#C0COORD>: Muster is a member"


def test_a_revoked_token(settings: Settings, ready: Muster, slack: SlackStandIn) -> None:
    slack.fail("auth.test", error="token_revoked")
    checks = doctor(settings, ready, slack)
    assert not checks["bot token"].ok and "token_revoked" in checks["bot token"].detail
    assert "reinstall" in checks["bot token"].fix
    assert not checks["scopes"].ok


def test_missing_scopes_are_named(settings: Settings, ready: Muster, slack: SlackStandIn) -> None:
    slack.scopes = "commands,chat:write"
    check = doctor(settings, ready, slack)["scopes"]
    assert not check.ok
    assert (
        check.detail
        == "missing chat:write.public, im:write, channels:join, files:write, users:read, channels:read, groups:read, channels:history, groups:history, im:history"
    )


@pytest.mark.parametrize(
    ("channel", "detail", "fix"),
    [
        (
            {"is_member": False, "is_private": True},
            "is private and Muster is not in it",
            "/invite @Muster",
        ),
        ({"is_member": True, "is_archived": True}, "is archived", "Choose another channel"),
        (None, "Slack answered 'channel_not_found'", "Choose a channel that exists"),
    ],
)
def test_an_unreachable_coordinators_channel(
    settings: Settings,
    ready: Muster,
    slack: SlackStandIn,
    channel: dict | None,
    detail: str,
    fix: str,
) -> None:
    if channel is None:
        slack.channels.clear()
    else:
        slack.channels[CHANNEL] = channel
    check = doctor(settings, ready, slack)["coordinators' channel"]
    assert not check.ok and detail in check.detail and fix in check.fix


def test_a_public_channel_the_bot_can_join_is_fine(
    settings: Settings, ready: Muster, slack: SlackStandIn
) -> None:
    slack.channels[CHANNEL] = {"is_member": False, "is_private": False}
    assert doctor(settings, ready, slack)["coordinators' channel"].ok


def test_a_token_without_channels_read_is_told_to_reinstall(
    settings: Settings, ready: Muster, slack: SlackStandIn
) -> None:
    slack.fail("conversations.info", error="missing_scope")
    check = doctor(settings, ready, slack)["coordinators' channel"]
    assert not check.ok and "lacks channels:read" in check.detail and "reinstall" in check.fix


def test_no_coordinators_channel_yet(
    settings: Settings, muster: Muster, slack: SlackStandIn
) -> None:
    check = doctor(settings, muster, slack)["coordinators' channel"]
    assert not check.ok and "/muster setup coordinators-channel" in check.fix


def test_an_unmigrated_database(settings: Settings, slack: SlackStandIn, tmp_path: Path) -> None:
    muster = Muster(make_engine(f"sqlite:///{tmp_path / 'empty.db'}"), clock=FixedClock(START))
    checks = doctor(settings, muster, slack)
    assert not checks["database"].ok and checks["database"].fix == "Run `muster db upgrade`."
    assert not checks["coordinators' channel"].ok


def test_socket_mode_token_is_checked(
    settings: Settings, ready: Muster, slack: SlackStandIn
) -> None:
    socket_settings = settings.model_copy(update={"slack_app_token": SecretStr("xapp-1-x")})
    assert doctor(socket_settings, ready, slack)["socket mode"].ok
    slack.fail("apps.connections.open", error="invalid_auth")
    assert not doctor(socket_settings, ready, slack)["socket mode"].ok
