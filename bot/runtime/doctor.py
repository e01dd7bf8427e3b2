"""`muster doctor`: check what breaks Slack apps in practice, and say how to fix each."""

from __future__ import annotations

import urllib.error
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.runtime.settings import Settings
from bot.services.muster import Muster
from storage.db import DatabaseUnavailable, SchemaOutOfDate, ensure_current

REQUIRED_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "im:write",
    "channels:join",
    "files:write",
    "users:read",
    "channels:read",
    "groups:read",
    "channels:history",
    "groups:history",
    "im:history",
)
REINSTALL = "Paste manifest.yml into the app's settings, reinstall it to the workspace, and copy the new token."


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def check_database(muster: Muster) -> Check:
    try:
        ensure_current(muster.engine)
    except DatabaseUnavailable as exc:
        return Check(
            "database", False, str(exc), "Check DATABASE_URL and that the server is running."
        )
    except SchemaOutOfDate as exc:
        return Check("database", False, str(exc).split(" Run")[0], "Run `muster db upgrade`.")
    return Check("database", True, "reachable and migrated")


def _slack_error(name: str, exc: Exception, fix: str) -> Check:
    if isinstance(exc, SlackApiError):
        return Check(name, False, f"Slack answered {exc.response.get('error')!r}", fix)
    return Check(
        name,
        False,
        f"cannot reach the Slack API ({exc.__class__.__name__})",
        "Check SLACK_API_URL and the network path to Slack.",
    )


def check_bot_token(client: WebClient) -> tuple[Check, set[str] | None]:
    if not client.token:
        return Check("bot token", False, "SLACK_BOT_TOKEN is not set", REINSTALL), None
    try:
        response = client.auth_test()
    except (SlackApiError, urllib.error.URLError, OSError) as exc:
        return _slack_error("bot token", exc, REINSTALL), None
    granted = {
        s.strip() for s in str(response.headers.get("x-oauth-scopes", "")).split(",") if s.strip()
    }
    return Check(
        "bot token",
        True,
        f"valid for team {response.get('team_id')} as <@{response.get('user_id')}>",
    ), granted


def check_scopes(granted: set[str] | None) -> Check:
    if granted is None:
        return Check("scopes", False, "unknown: the bot token did not work", REINSTALL)
    missing = [s for s in REQUIRED_SCOPES if s not in granted]
    if missing:
        return Check("scopes", False, f"missing {', '.join(missing)}", REINSTALL)
    return Check("scopes", True, f"all {len(REQUIRED_SCOPES)} granted")


def check_transport(settings: Settings, client: WebClient) -> Check:
    if settings.slack_app_token is not None:
        try:
            client.apps_connections_open(app_token=settings.slack_app_token.get_secret_value())
        except (SlackApiError, urllib.error.URLError, OSError) as exc:
            return _slack_error(
                "socket mode",
                exc,
                "Create an app-level token with connections:write (SLACK_APP_TOKEN).",
            )
        return Check("socket mode", True, "the app-level token opens connections")
    if settings.slack_signing_secret is not None:
        return Check(
            "http mode", True, "SLACK_SIGNING_SECRET is set; serve with `muster serve --http`"
        )
    return Check(
        "transport",
        False,
        "neither SLACK_APP_TOKEN nor SLACK_SIGNING_SECRET is set",
        "Set SLACK_APP_TOKEN for Socket Mode, or SLACK_SIGNING_SECRET for HTTP.",
    )


def check_coordinators_channel(muster: Muster, client: WebClient) -> Check:
    name = "coordinators' channel"
    try:
        channel = muster.delegations.coordinators_channel()
    except Exception:  # the database check already says why
        return Check(name, False, "unknown: the database is not ready", "Fix the database first.")
    if channel is None:
        return Check(
            name,
            False,
            "not set",
            "A coordinator runs `/muster setup coordinators-channel #channel`.",
        )
    try:
        info = client.conversations_info(channel=channel)["channel"]
    except SlackApiError as exc:
        if exc.response.get("error") == "missing_scope":
            return Check(
                name,
                False,
                "cannot look at it: the token lacks channels:read or groups:read",
                REINSTALL,
            )
        return _slack_error(
            name,
            exc,
            f"Choose a channel that exists: `/muster setup coordinators-channel #…` (now {channel}).",
        )
    except (urllib.error.URLError, OSError) as exc:
        return _slack_error(name, exc, "")
    if info.get("is_archived"):
        return Check(
            name,
            False,
            f"<#{channel}> is archived",
            "Choose another channel with `/muster setup coordinators-channel`.",
        )
    if info.get("is_member"):
        return Check(name, True, f"<#{channel}>: Muster is a member")
    if info.get("is_private"):
        return Check(
            name,
            False,
            f"<#{channel}> is private and Muster is not in it",
            f"Type `/invite @Muster` in <#{channel}>.",
        )
    return Check(name, True, f"<#{channel}>: public, Muster will join when it first posts")


def run_checks(settings: Settings, muster: Muster, client: WebClient) -> list[Check]:
    token_check, granted = check_bot_token(client)
    return [
        check_database(muster),
        token_check,
        check_scopes(granted),
        check_transport(settings, client),
        check_coordinators_channel(muster, client),
    ]
