"""What `muster serve` checks before it takes any work: the database is migrated, the
bot token works and has its scopes, and (Socket Mode) the app-level token opens
connections. A misconfiguration is one line naming the setting and the fix
(`Misconfigured`); Slack or a database that is not reachable yet is waited for."""

from __future__ import annotations

import urllib.error

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine

from bot.runtime.doctor import REQUIRED_SCOPES
from bot.runtime.lifecycle import Stop, retry
from bot.runtime.settings import Settings
from storage.db import DatabaseUnavailable, SchemaOutOfDate, ensure_current

# Slack's answers that mean "try again later", not "this token is wrong".
SLACK_BUSY = {"internal_error", "fatal_error", "service_unavailable", "request_timeout"}
# Seconds a start-up call to Slack may take before it counts as unreachable.
CHECK_TIMEOUT = 10
REINSTALL = "paste manifest.yml into the app's settings, reinstall the app and use the new token"


class Misconfigured(Exception):
    """A setting that cannot work as it is: the message names it and the fix."""


def slack_unreachable(exc: Exception) -> str | None:
    """Why Slack did not answer, if that is the failure (else None)."""
    if isinstance(exc, SlackApiError):
        status = exc.response.status_code
        if status >= 500 or status == 429 or exc.response.get("error") in SLACK_BUSY:
            return f"Slack answered {status} {exc.response.get('error')!r}"
        return None
    if isinstance(exc, urllib.error.URLError):
        return f"{exc.reason.__class__.__name__}: {exc.reason}"
    if isinstance(exc, OSError):  # refused, reset, timed out
        return f"{exc.__class__.__name__}: {exc}"
    return None


def database_unreachable(exc: Exception) -> str | None:
    return str(exc) if isinstance(exc, DatabaseUnavailable) else None


def wait_for_database(engine: Engine, stop: Stop) -> None:
    """Retry while the database cannot be reached; refuse a schema out of date."""
    try:
        retry(
            "the database",
            lambda: ensure_current(engine),
            transient=database_unreachable,
            stop=stop,
        )
    except SchemaOutOfDate as exc:
        raise Misconfigured(f"DATABASE_URL: {exc}") from None


def _refused(setting: str, exc: SlackApiError, fix: str) -> Misconfigured:
    return Misconfigured(f"{setting}: Slack refused it ({exc.response.get('error')}); {fix}")


def check_bot_token(client: WebClient, stop: Stop) -> None:
    """auth.test with the bot token; the scopes it was granted must cover Muster's."""
    try:
        response = retry("Slack", client.auth_test, transient=slack_unreachable, stop=stop)
    except SlackApiError as exc:
        raise _refused(
            "SLACK_BOT_TOKEN", exc, f"copy the Bot User OAuth Token again, or {REINSTALL}"
        ) from None
    header = response.headers.get("x-oauth-scopes")
    if header is None:
        return  # Slack did not say: doctor can look closer
    granted = {scope.strip() for scope in str(header).split(",")}
    missing = [scope for scope in REQUIRED_SCOPES if scope not in granted]
    if missing:
        raise Misconfigured(
            f"SLACK_BOT_TOKEN: the app lacks the scope(s) {', '.join(missing)}; {REINSTALL}"
        )


def open_socket_url(client: WebClient, app_token: str, stop: Stop) -> str:
    """The first Socket Mode URL (apps.connections.open with the app-level token)."""
    try:
        response = retry(
            "Slack",
            lambda: client.apps_connections_open(app_token=app_token),
            transient=slack_unreachable,
            stop=stop,
        )
    except SlackApiError as exc:
        raise _refused(
            "SLACK_APP_TOKEN",
            exc,
            "create an app-level token with the connections:write scope "
            "(the app's Basic Information page) and use it",
        ) from None
    return str(response["url"])


def checking_client(settings: Settings) -> WebClient:
    """A client for the checks: the bot token, a short timeout, no retries of its own."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return WebClient(token=token, base_url=settings.slack_api_url, timeout=CHECK_TIMEOUT)
