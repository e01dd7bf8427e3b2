"""`muster serve` starting and stopping as a real process: each misconfiguration is
one line naming the setting and the fix, with a non-zero exit; Slack or a database
that is not there yet is waited for, with backoff, and a signal meanwhile stops it
cleanly; a clean start logs no warning (text or JSON lines) and no token; HTTP mode
drains a follow-up waiting out a 429 on SIGTERM or SIGINT and exits 0."""

from __future__ import annotations

import copy
import json
import shutil
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.runtime.standin import ALL_SCOPES, SlackStandIn
from bot.services.muster import Muster
from tests.support.factories import OTHER, OWN, small_coalition
from tests.support.http import SlackOverHttp, free_port, get
from tests.support.serving import muster_command, muster_serve, wait_until
from tests.support.slack import new_trigger_id, payload
from tests.support.socket_server import SocketModeServer

BOT_TOKEN = "xoxb-startup-secret-1"
APP_TOKEN = "xapp-startup-secret-2"
SECRET = "startup-signing-secret"
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def socket_server(slack: SlackStandIn) -> Iterator[SocketModeServer]:
    with SocketModeServer() as server:
        slack.socket_url = server.new_url
        yield server


def socket_env(database_url: str, api_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": api_url,
        "MUSTER_HEALTH_FILE": str(tmp_path / "health.json"),
    }


def one_line(result: Any) -> str:
    """The single line a refused start prints, with nothing else around it."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert result.stdout == ""
    assert BOT_TOKEN not in result.stderr and APP_TOKEN not in result.stderr
    return str(lines[0])


@SQLITE_ONLY
@pytest.mark.parametrize("error", ["invalid_auth", "token_revoked", "account_inactive"])
def test_a_refused_bot_token_is_one_line(
    error: str, database_url: str, slack: SlackStandIn, tmp_path: Path
) -> None:
    slack.fail("auth.test", error=error)
    result = muster_command(socket_env(database_url, slack.api_url, tmp_path), "serve")
    assert result.returncode == 2
    assert one_line(result) == (
        f"muster: SLACK_BOT_TOKEN: Slack refused it ({error}); copy the Bot User OAuth Token "
        "again, or paste manifest.yml into the app's settings, reinstall the app and use the "
        "new token"
    )


@SQLITE_ONLY
@pytest.mark.parametrize("http", [False, True], ids=["socket", "http"])
def test_a_missing_scope_is_one_line(
    http: bool, database_url: str, slack: SlackStandIn, tmp_path: Path
) -> None:
    slack.scopes = ",".join(
        s for s in ALL_SCOPES.split(",") if s not in ("files:write", "im:write")
    )
    env = socket_env(database_url, slack.api_url, tmp_path) | {"SLACK_SIGNING_SECRET": SECRET}
    result = muster_command(env, "serve", *(["--http", "--port", "1"] if http else []))
    assert result.returncode == 2
    assert one_line(result) == (
        "muster: SLACK_BOT_TOKEN: the app lacks the scope(s) im:write, files:write; paste "
        "manifest.yml into the app's settings, reinstall the app and use the new token"
    )


@SQLITE_ONLY
def test_a_refused_app_token_is_one_line(
    database_url: str, slack: SlackStandIn, tmp_path: Path
) -> None:
    slack.fail("apps.connections.open", error="invalid_auth")
    result = muster_command(socket_env(database_url, slack.api_url, tmp_path), "serve")
    assert result.returncode == 2
    assert one_line(result) == (
        "muster: SLACK_APP_TOKEN: Slack refused it (invalid_auth); create an app-level token "
        "with the connections:write scope (the app's Basic Information page) and use it"
    )


def test_an_unmigrated_database_and_a_bad_time_zone_are_one_line(
    slack: SlackStandIn, tmp_path: Path
) -> None:
    env = socket_env(f"sqlite:///{tmp_path / 'empty.db'}", slack.api_url, tmp_path)
    result = muster_command(env, "serve")
    assert result.returncode == 2
    line = one_line(result)
    assert line.startswith("muster: DATABASE_URL: The database is empty, this version of Muster")
    assert line.endswith("Run `muster db upgrade` first.")
    zone = muster_command(env | {"MUSTER_TIMEZONE": "Mars/Olympus"}, "serve")
    assert zone.returncode == 2
    assert one_line(zone).startswith("muster: setting MUSTER_TIMEZONE: unknown IANA time zone")
    assert slack.calls == []  # nothing reached Slack


@SQLITE_ONLY
def test_slack_unreachable_at_start_is_waited_for(
    database_url: str, muster: Muster, tmp_path: Path
) -> None:
    small_coalition(muster)
    port = free_port()
    env = socket_env(database_url, f"http://127.0.0.1:{port}/api/", tmp_path)
    with muster_serve(env, tmp_path / "serve.log") as served:
        served.wait_log("Slack is unreachable (ConnectionRefusedError", timeout=60)
        with SlackStandIn(port=port) as slack, SocketModeServer() as server:
            slack.socket_url = server.new_url
            connection = server.wait_connection(1, timeout=90)  # after the next delay
            reply = connection.ack(
                connection.envelope(
                    "slash_commands",
                    payload("slash_command")
                    | {"user_id": OWN, "text": "pledge LAND-1 1", "trigger_id": new_trigger_id()},
                )
            )
            assert "Pledge P-3 recorded" in reply["payload"]["text"]
            code, _took = served.stop()
    assert code == 0
    assert "trying again in 1 s" in served.log() and "Traceback" not in served.log()


@SQLITE_ONLY
def test_slack_answering_503_at_start_is_waited_for(
    database_url: str, slack: SlackStandIn, socket_server: SocketModeServer, tmp_path: Path
) -> None:
    slack.fail("auth.test", status=503, times=2)
    with muster_serve(socket_env(database_url, slack.api_url, tmp_path), tmp_path / "s.log") as s:
        socket_server.wait_connection(1, timeout=90)
        assert s.stop()[0] == 0
    assert "Slack is unreachable (Slack answered 503 'internal_error'); trying again in 2 s" in (
        s.log()
    )


def test_a_database_not_there_yet_is_waited_for(
    sqlite_template: Path, slack: SlackStandIn, socket_server: SocketModeServer, tmp_path: Path
) -> None:
    """The database's folder is not mounted yet; then it is, whole, in one rename."""
    folder = tmp_path / "volume"
    env = socket_env(f"sqlite:///{folder / 'muster.db'}", slack.api_url, tmp_path)
    with muster_serve(env, tmp_path / "serve.log") as served:
        served.wait_log("the database is unreachable (cannot open the database", timeout=60)
        staged = tmp_path / "staged"
        staged.mkdir()
        shutil.copy(sqlite_template, staged / "muster.db")
        staged.rename(folder)
        socket_server.wait_connection(1, timeout=90)
        assert served.stop()[0] == 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_while_waiting_for_the_database_stops_at_once(
    sig: int, slack: SlackStandIn, tmp_path: Path
) -> None:
    missing = f"sqlite:///{tmp_path / 'not-mounted' / 'muster.db'}"
    with muster_serve(socket_env(missing, slack.api_url, tmp_path), tmp_path / "s.log") as served:
        served.wait_log("the database is unreachable", timeout=60)
        code, took = served.stop(sig)
    assert code == 0 and took < 5, served.log()


@SQLITE_ONLY
@pytest.mark.parametrize("kind", ["text", "json"])
def test_a_clean_start_logs_no_warning_and_no_token(
    kind: str,
    database_url: str,
    slack: SlackStandIn,
    socket_server: SocketModeServer,
    tmp_path: Path,
) -> None:
    env = socket_env(database_url, slack.api_url, tmp_path) | {"MUSTER_LOG_FORMAT": kind}
    with muster_serve(env, tmp_path / "serve.log") as served:
        socket_server.wait_connection(1, timeout=90)
        served.wait_log("Socket Mode connection 1 open")
        assert served.stop()[0] == 0
    log = served.log()
    assert BOT_TOKEN not in log and APP_TOKEN not in log and "ticket=" not in log
    lines = log.strip().splitlines()
    if kind == "json":
        records = [json.loads(line) for line in lines]
        assert {tuple(sorted(r)) for r in records} == {("level", "logger", "message", "time")}
        levels = {r["level"] for r in records}
        messages = [r["message"] for r in records]
    else:
        levels = {line.split(" ")[2] for line in lines}
        messages = lines
    assert levels == {"INFO"}, log
    assert any("Socket Mode connection 1 open" in m for m in messages)
    assert any("stopped in" in m for m in messages)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_http_mode_drains_a_follow_up_waiting_on_a_429_on_a_signal(
    sig: int, database_url: str, muster: Muster, slack: SlackStandIn, tmp_path: Path
) -> None:
    small_coalition(muster)
    port = free_port()
    env = socket_env(database_url, slack.api_url, tmp_path) | {"SLACK_SIGNING_SECRET": SECRET}
    args = ["--http", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    with muster_serve(env, tmp_path / "serve.log", *args, shifted=True) as served:

        def healthy() -> bool:
            assert served.process.poll() is None, served.log()
            try:
                return get(port, "/healthz").status == 200
            except OSError:
                return False

        wait_until(healthy, 90, "/healthz answers")
        health = muster_command(env, "health")
        assert health.returncode == 0, health.stdout
        assert health.stdout.strip().endswith(f"/healthz on port {port} answers")
        slack.fail("views.publish", status=429, error="ratelimited", retry_after=2)
        event = copy.deepcopy(payload("event_app_home_opened"))
        event["event"]["user"] = OTHER
        event["event_id"] = f"Ev{uuid.uuid4().hex[:12].upper()}"
        assert SlackOverHttp(port, SECRET, slack.response_url()).event(event).status == 200
        slack.wait_for("views.publish", timeout=30)
        code, took = served.stop(sig)
        print(f"HTTP mode stopped on {signal.Signals(sig).name} in {took:.2f} s")
    assert code == 0, served.log()
    assert took < 8
    _first, second = slack.calls_to("views.publish")
    assert second.args["user_id"] == OTHER and second.reply.get("ok")
    assert "Traceback" not in served.log()
