"""`muster serve` in Socket Mode as a real process, against a loopback WebSocket
server that speaks Slack's Socket Mode protocol (tests/support/socket_server.py):
envelopes of every kind acknowledged with their payloads, `disconnect`, drops of
every kind (close frame, FIN, RST, silence) noticed and replaced within 10 s without
a busy loop, a redelivered envelope applied once, and a graceful stop on SIGTERM or
SIGINT that still sends a follow-up waiting out a 429."""

from __future__ import annotations

import copy
import signal
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from handlers.ids import ACTION_PLEDGE, CALLBACK_PLEDGE
from tests.support.factories import OTHER, OWN, small_coalition
from tests.support.http import click, fill
from tests.support.serving import Served, cpu_seconds, muster_serve, wait_until
from tests.support.slack import new_trigger_id, payload, validate_blocks, validate_view
from tests.support.socket_server import Connection, SocketModeServer, poll

COORDINATOR = "UCOORD"
RECONNECT_WITHIN = 10.0  # seconds: the bound for noticing a drop and reconnecting
SHUTDOWN_BOUND = 8.0
# The connection's behaviour does not depend on the database: these run on SQLite only.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@dataclass
class Live:
    served: Served
    server: SocketModeServer
    slack: SlackStandIn

    def command(self, connection: Connection, user: str, text: str, **kwargs: Any) -> str:
        body = payload("slash_command") | {
            "user_id": user,
            "text": text,
            "trigger_id": new_trigger_id(),
            "response_url": self.slack.response_url(),
        }
        return connection.envelope("slash_commands", body, **kwargs)

    def answered(self, connection: Connection, user: str, text: str) -> dict[str, Any]:
        """The acknowledgement's payload for a slash command sent on ``connection``."""
        ack = connection.ack(self.command(connection, user, text))
        return dict(ack.get("payload") or {})


def home_opened(user: str) -> dict[str, Any]:
    event = copy.deepcopy(payload("event_app_home_opened"))
    event["event"]["user"] = user
    event["event_id"] = f"Ev{uuid.uuid4().hex[:12].upper()}"
    return event


@pytest.fixture
def live(database_url: str, muster: Muster, slack: SlackStandIn, tmp_path: Path) -> Iterator[Live]:
    small_coalition(muster)
    with SocketModeServer() as server:
        slack.socket_url = server.new_url
        env = {
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": "xoxb-socket-test",
            "SLACK_APP_TOKEN": "xapp-socket-test",
            "SLACK_API_URL": slack.api_url,
            "MUSTER_COORDINATORS": COORDINATOR,
            "MUSTER_HEALTH_FILE": str(tmp_path / "health.json"),
        }
        with muster_serve(env, tmp_path / "serve.log") as served:
            live = Live(served, server, slack)
            server.wait_connection(1, timeout=90)
            served.wait_log("Socket Mode connection 1 open")
            yield live
            if served.process.poll() is None:
                code, _took = served.stop()
                assert code == 0, served.log()
            assert "Traceback" not in served.log()


def test_envelopes_of_every_kind_are_acknowledged_with_their_payloads(live: Live) -> None:
    connection = live.server.wait_connection(1)

    reply = live.answered(connection, OWN, "pledge LAND-1 1 confirmed")
    assert "Pledge P-3 recorded" in reply["text"]
    validate_blocks(reply["blocks"])

    clicked = connection.ack(
        connection.envelope("interactive", click(OTHER, ACTION_PLEDGE, "SKY-1"))
    )
    assert "payload" not in clicked or not clicked["payload"]
    [opened] = live.slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == CALLBACK_PLEDGE
    validate_view(view)

    refused = connection.ack(
        connection.envelope(
            "interactive", fill(OTHER, view, {"requirement": "SKY-1", "quantity": "0"})
        )
    )
    assert refused["payload"] == {
        "response_action": "errors",
        "errors": {"quantity": "'0' is zero; quantities are above zero."},
    }
    submitted = connection.ack(
        connection.envelope(
            "interactive",
            fill(OTHER, view, {"requirement": "SKY-1", "quantity": 2, "status": "confirmed"}),
        )
    )
    assert submitted["payload"]["response_action"] == "update"
    validate_view(submitted["payload"]["view"])

    event = connection.ack(connection.envelope("events_api", home_opened(OWN)))
    assert not event.get("payload")
    published = live.slack.wait_for("views.publish", timeout=30)
    assert OWN in {call.args["user_id"] for call in published}


@SQLITE_ONLY
def test_a_refresh_requested_disconnect_moves_to_a_new_connection(live: Live) -> None:
    first = live.server.wait_connection(1)
    started = time.monotonic()
    first.disconnect("refresh_requested")
    second = live.server.wait_connection(2, timeout=RECONNECT_WITHIN)
    assert time.monotonic() - started < RECONNECT_WITHIN
    assert "Pledge P-3 recorded" in live.answered(second, OWN, "pledge LAND-1 1")["text"]
    wait_until(first.closed.is_set, 10, "the client closes the replaced connection")


@SQLITE_ONLY
@pytest.mark.parametrize("drop", ["close_frame", "fin", "rst", "go_silent"])
def test_a_dropped_connection_is_replaced_within_ten_seconds(
    drop: str, live: Live, record_property: Any
) -> None:
    first = live.server.wait_connection(1)
    assert "Pledge P-3 recorded" in live.answered(first, OWN, "pledge LAND-1 1")["text"]
    before = cpu_seconds(live.served.pid)
    started = time.monotonic()
    getattr(first, drop)()
    second = live.server.wait_connection(2, timeout=RECONNECT_WITHIN + 5)
    took = time.monotonic() - started
    cpu = (cpu_seconds(live.served.pid) - before) / took
    record_property("reconnect_seconds", round(took, 2))
    print(f"{drop}: reconnected in {took:.2f} s, {cpu:.1%} of a core meanwhile")
    assert took < RECONNECT_WITHIN
    assert "Pledge P-4 recorded" in live.answered(second, OTHER, "pledge SKY-1 1")["text"]
    assert live.served.process.poll() is None


@SQLITE_ONLY
def test_a_handshake_that_never_completes_is_given_up(live: Live) -> None:
    """A path that takes the TCP connection but never answers the upgrade: without
    the watchdog, the reader would wait for that answer for ever."""
    first = live.server.wait_connection(1)
    mute = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def hold() -> None:
        while True:
            try:
                held.append(mute.accept()[0])  # accepted, never answered
            except OSError:
                return

    threading.Thread(target=hold, daemon=True).start()
    try:
        port = mute.getsockname()[1]
        live.slack.socket_url = lambda: f"ws://127.0.0.1:{port}/link/?ticket=mute"
        first.fin()
        assert poll(lambda: bool(held), 30), "it never tried the silent path"
        live.slack.socket_url = live.server.new_url
        try:
            second = live.server.wait_connection(2, timeout=RECONNECT_WITHIN + 20)
        except AssertionError:
            print(live.served.log()[-3000:])
            raise
        assert "Pledge P-3 recorded" in live.answered(second, OWN, "pledge LAND-1 1")["text"]
    finally:
        mute.close()
        for connection in held:
            connection.close()


@SQLITE_ONLY
def test_no_busy_loop_while_slack_cannot_be_reached(live: Live, record_property: Any) -> None:
    first = live.server.wait_connection(1)
    live.slack.socket_url = lambda: "ws://127.0.0.1:9/nobody-listens"
    first.fin()
    live.served.wait_log("cannot open a Socket Mode connection", timeout=30)
    before, started = cpu_seconds(live.served.pid), time.monotonic()
    time.sleep(5)  # a stretch of time to measure over, not a wait for a condition
    cpu = (cpu_seconds(live.served.pid) - before) / (time.monotonic() - started)
    record_property("cpu_while_disconnected", round(cpu, 4))
    print(f"while disconnected: {cpu:.1%} of a core")
    assert cpu < 0.05
    live.slack.socket_url = live.server.new_url
    second = live.server.wait_connection(2, timeout=60)  # after the backoff's next delay
    assert "Pledge P-3 recorded" in live.answered(second, OWN, "pledge LAND-1 1")["text"]


def test_an_envelope_redelivered_after_a_drop_is_applied_once(live: Live, muster: Muster) -> None:
    first = live.server.wait_connection(1)
    body = payload("slash_command") | {
        "user_id": OWN,
        "text": "pledge LAND-1 1",
        "trigger_id": new_trigger_id(),
        "response_url": live.slack.response_url(),
    }
    envelope = first.envelope("slash_commands", body)
    assert "Pledge P-3 recorded" in first.ack(envelope)["payload"]["text"]
    first.rst()  # as if the acknowledgement had been lost with the connection
    second = live.server.wait_connection(2, timeout=RECONNECT_WITHIN)
    again = second.envelope(
        "slash_commands", body, envelope_id=envelope, retry_attempt=1, retry_reason="timeout"
    )
    assert "applied once" in second.ack(again)["payload"]["text"]
    assert len(muster.pledges.list_pledges(OWN, "LAND-1").pledges) == 2


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_drains_a_follow_up_waiting_on_a_429_then_exits_0(
    sig: int, live: Live, record_property: Any
) -> None:
    connection = live.server.wait_connection(1)
    live.slack.fail("views.publish", status=429, error="ratelimited", retry_after=2)
    connection.ack(connection.envelope("events_api", home_opened(OTHER)))
    live.slack.wait_for("views.publish", timeout=30)  # the first try, answered 429
    code, took = live.served.stop(sig)
    record_property("shutdown_seconds", round(took, 2))
    print(f"stopped on {signal.Signals(sig).name} in {took:.2f} s")
    assert code == 0, live.served.log()
    assert took < SHUTDOWN_BOUND
    _first, second = live.slack.calls_to("views.publish")
    assert second.args["user_id"] == OTHER and second.reply.get("ok")
    assert connection.client_closed_with == 1000  # a close frame, "normal closure"
    assert "stopped in" in live.served.log()


@SQLITE_ONLY
def test_work_still_running_at_the_bound_is_left_with_exit_1(live: Live) -> None:
    """A follow-up that would wait out a 30 s Retry-After: the process ends at the bound,
    under docker stop's 10 s, rather than waiting for that thread at exit."""
    connection = live.server.wait_connection(1)
    live.slack.fail("views.publish", status=429, error="ratelimited", retry_after=30)
    connection.ack(connection.envelope("events_api", home_opened(OTHER)))
    live.slack.wait_for("views.publish", timeout=30)  # the first try, answered 429
    code, took = live.served.stop(signal.SIGTERM)
    assert code == 1, live.served.log()
    assert took < SHUTDOWN_BOUND + 1.5
    assert "with work left undone" in live.served.log()


@SQLITE_ONLY
def test_health_follows_the_socket(live: Live, tmp_path: Path) -> None:
    from tests.support.serving import muster_command

    healthy = muster_command(live.served.env, "health")
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert healthy.stdout.strip() == (
        "healthy: database reachable and migrated; the Socket Mode connection is up"
    )
    live.slack.socket_url = lambda: "ws://127.0.0.1:9/nobody-listens"
    live.server.wait_connection(1).fin()

    def down() -> bool:
        return muster_command(live.served.env, "health").returncode == 1

    wait_until(down, 60, "health turns unhealthy")
    assert "the Socket Mode connection is down" in muster_command(live.served.env, "health").stdout
    live.served.stop()
    gone = muster_command(live.served.env, "health")
    assert gone.returncode == 1 and "no server is running here" in gone.stdout


@SQLITE_ONLY
def test_at_debug_the_log_keeps_no_body_token_or_ticket(
    database_url: str, muster: Muster, slack: SlackStandIn, tmp_path: Path
) -> None:
    small_coalition(muster)
    marker = f"MARKER-{uuid.uuid4().hex}"
    with SocketModeServer() as server:
        slack.socket_url = server.new_url
        env = {
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": "xoxb-debug-secret",
            "SLACK_APP_TOKEN": "xapp-debug-secret",
            "SLACK_API_URL": slack.api_url,
            "MUSTER_LOG_LEVEL": "DEBUG",
            "MUSTER_HEALTH_FILE": str(tmp_path / "health.json"),
        }
        with muster_serve(env, tmp_path / "serve.log") as served:
            live = Live(served, server, slack)
            first = server.wait_connection(1, timeout=90)
            reply = live.answered(first, OWN, f"ask Who carries {marker} forward?")
            assert reply, "the question is acknowledged"
            first.fin()
            second = server.wait_connection(2, timeout=RECONNECT_WITHIN)
            assert "Pledge P-3 recorded" in live.answered(second, OWN, "pledge LAND-1 1")["text"]
            assert served.stop()[0] == 0
    log = served.log()
    assert "DEBUG" in log and "Socket Mode connection 2 open" in log
    for secret in (marker, "xoxb-debug-secret", "xapp-debug-secret", "ticket=t"):
        assert secret not in log
