"""Socket Mode: Slack's envelopes over a WebSocket, checked as HTTP requests are, on a
connection that notices any drop within seconds and replaces it.

The connection is slack_sdk's client for the `websocket-client` library (Bolt's
`websocket_client` adapter), with three changes:

- A watchdog. The client pings every PING_INTERVAL seconds; when nothing at all (no
  pong, no message) has come for SILENCE seconds, the connection is dropped. The SDK
  pings without timing the pongs, and websocket-client's own ping timeout is checked
  only now and then, so a path that dies without a FIN or an RST went unnoticed.
- One thread replaces dead connections, and backs off while it cannot open one
  (RECONNECT_DELAYS), instead of the SDK's two threads retrying every half second.
- `close` sends a close frame and waits for the SDK's threads only within a bound."""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import threading
import time
import urllib.error
from typing import Any, cast

from slack_bolt import App
from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.interval_runner import IntervalRunner
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.socket_mode.websocket_client import SocketModeClient
from websocket import WebSocketApp

from bot.runtime.inbound import Malformed, bolt_request

log = logging.getLogger("muster.socket")
ENVELOPE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

PING_INTERVAL = 2.0
# Nothing heard for this long (two pings unanswered, and a second more): the connection
# is dead. The watchdog looks every WATCH seconds, so a silent drop is noticed within
# SILENCE + WATCH seconds, and a pong may take up to SILENCE - PING_INTERVAL seconds.
SILENCE = 5.0
WATCH = 0.5
RETIRE = 3.0  # seconds a replaced connection has to answer its close frame
# Seconds before the next attempt to open a connection, after 0, 1, 2, … failed ones.
RECONNECT_DELAYS = (0.0, 1.0, 2.0, 4.0, 8.0, 15.0)
# What opening a connection fails with while Slack or the network is away.
UNREACHABLE = (SlackApiError, urllib.error.URLError, OSError)


class Connection(SocketModeClient):
    """slack_sdk's websocket-client Socket Mode client, made to survive the network."""

    def __init__(self, app_token: str, *, app: App, concurrency: int = 10) -> None:
        # The SDK starts the thread that runs sessions (_run_current_session) inside its
        # __init__: what that thread reads is set first.
        self.stopping = threading.Event()
        self.failures = 0
        self.connected = False
        self.connections = 0  # opened so far
        self.heard = time.monotonic()  # when the server last sent anything
        self.why = ""  # how the last connection failed
        self._ran: WebSocketApp | None = None
        self._running: WebSocketApp | None = None  # the session inside run_forever
        super().__init__(
            app_token=app_token,
            logger=app.logger,
            web_client=app.client,
            auto_reconnect_enabled=False,  # _run_current_session replaces dead sessions
            ping_interval=PING_INTERVAL,
            concurrency=concurrency,
        )
        # The SDK's monitor only reconnects, every ping interval; ours watches for silence.
        self.current_app_monitor = IntervalRunner(self._watch, WATCH)
        self.on_open_listeners.append(self._opened)
        self.on_message_listeners.append(self._heard)
        self.on_error_listeners.append(self._failed)
        self.on_close_listeners.append(self._closed)

    def _heard(self, _ws: WebSocketApp, *_data: Any) -> None:
        self.heard = time.monotonic()

    def _opened(self, ws: WebSocketApp) -> None:
        self._heard(ws)
        self.failures = 0
        self.connections += 1
        self.connected = True
        log.info("Socket Mode connection %d open", self.connections)

    def _failed(self, _ws: WebSocketApp, error: Exception) -> None:
        self.why = f"{error.__class__.__name__}: {error}"

    def _closed(self, ws: WebSocketApp) -> None:
        if ws is not self.current_session:
            log.info("a replaced Socket Mode connection closed")
            return  # the state is the current session's
        if self.stopping.is_set():
            pass
        elif self.connected:
            log.warning(
                "Socket Mode connection %d lost (%s); opening another",
                self.connections,
                self.why or "closed",
            )
        else:
            log.warning("cannot open a Socket Mode connection (%s)", self.why or "closed")
        self.connected = False
        self.why = ""

    def _watch(self) -> None:
        """Drop a session from which nothing has come for SILENCE seconds: connected
        (pings unanswered) or still opening (a handshake that never completes would
        otherwise block its reader for good)."""
        session = self.current_session
        quiet = time.monotonic() - self.heard
        if not (session is not None and session is self._running and quiet > SILENCE):
            return
        self.why = f"nothing heard for {quiet:.1f} s" + (
            ", pings unanswered" if self.connected else ", the connection never opened"
        )
        sock = session.sock
        # websocket-client's abort() does nothing until the handshake is done: shut the
        # TCP socket under it, and the reader wakes to a closed socket either way.
        raw = getattr(sock, "sock", None)
        if raw is not None:
            with contextlib.suppress(OSError):  # already closed: its reader is ending anyway
                raw.shutdown(socket.SHUT_RDWR)

    def _run_current_session(self) -> None:
        """Run the current session until it ends, then open the next one; the SDK's
        runner calls this again half a second after it returns."""
        while not self.stopping.is_set():
            session = self.current_session
            if session is None:
                return  # connect() has not been called yet
            if session is self._ran:
                try:
                    self._replace()
                except Exception:  # whatever it was, the next attempt comes after a backoff
                    log.exception("opening a Socket Mode connection failed")
                continue
            self._ran = session
            session.on_ping = self._heard
            session.on_pong = self._heard
            self.heard = time.monotonic()  # the watchdog times the handshake from here
            self._running = session
            try:
                session.run_forever(
                    ping_interval=self.ping_interval,
                    http_proxy_host=self.http_proxy_host,
                    http_proxy_port=self.http_proxy_port,
                    http_proxy_auth=self.http_proxy_auth,
                    proxy_type=self.proxy_type,
                )
            except Exception:
                log.exception("Socket Mode session failed")
            finally:
                self._running = None

    def _replace(self) -> None:
        """Open a new connection in place of the one that ended, after the delay that
        the failures in a row so far call for."""
        delay = RECONNECT_DELAYS[min(self.failures, len(RECONNECT_DELAYS) - 1)]
        if delay:
            log.info("opening a Socket Mode connection in %g s", delay)
        if self.stopping.wait(delay):
            return
        self.failures += 1  # until the new connection opens (_opened)
        self.connect_to_new_endpoint(force=True)

    def connect(self) -> None:
        """Make a new session and retire the current one (the SDK's connect)."""
        old = self.current_session
        if old is not None:
            # The SDK closes the old session with websocket-client's close(), which reads
            # the answer to its close frame itself: the session's reader, left waiting on
            # a socket closed under it, then takes up to ten seconds to end.
            old.close = lambda **_kwargs: self._retire(old)  # type: ignore[method-assign]
        super().connect()

    def _retire(self, session: WebSocketApp) -> None:
        """Send a close frame and let the session's reader end it when Slack answers;
        drop the connection if Slack has not answered within RETIRE seconds."""
        session.keep_running = False
        sock = session.sock
        if sock is None:
            return
        try:
            sock.send_close()
        except Exception:
            sock.abort()  # type: ignore[no-untyped-call]
            return
        timer = threading.Timer(RETIRE, sock.abort)
        timer.daemon = True
        timer.start()

    def connect_to_new_endpoint(self, force: bool = False) -> None:
        """Also called by the SDK on Slack's `disconnect` message."""
        if self.stopping.is_set():
            return
        try:
            super().connect_to_new_endpoint(force=force)
        except UNREACHABLE as exc:
            log.warning("cannot open a Socket Mode connection: %s", describe(exc))

    def close(self, timeout: float = 3.0) -> bool:  # type: ignore[override]  # the SDK's takes no timeout
        """Send a close frame and let the session end when Slack answers it; stop the
        SDK's threads. Waits at most ``timeout`` seconds (the threads are daemons);
        True if the session ended in time.

        Not websocket-client's close(), which waits for the answer itself while the
        session's reader takes it, and so always waits its full three seconds."""
        self.stopping.set()
        self.closed = True
        self.auto_reconnect_enabled = False
        session = self.current_session
        sock = session.sock if session is not None else None
        if sock is not None:
            try:
                sock.send_close()  # status 1000, normal closure
            except Exception as exc:
                log.info("no close frame sent: %s", describe(exc))
        self.message_queue.put(None)  # wakes the message processor, which then sees `closed`
        runners = (self.current_session_runner, self.current_app_monitor, self.message_processor)
        for runner in runners:
            runner.event.set()
        deadline = time.monotonic() + timeout
        ended = self._join(self.current_session_runner, deadline - 0.5)
        if not ended and sock is not None:  # no answer to the close frame: just drop it
            sock.abort()  # type: ignore[no-untyped-call]
            ended = self._join(self.current_session_runner, deadline)
        for runner in runners:
            self._join(runner, deadline)
        self.message_workers.shutdown(wait=False)
        return ended

    @staticmethod
    def _join(runner: IntervalRunner, deadline: float) -> bool:
        thread = runner.thread
        if thread is None or not thread.is_alive():
            return True
        thread.join(max(0.0, deadline - time.monotonic()))
        return not thread.is_alive()


def describe(exc: BaseException) -> str:
    """A failure to reach Slack in a few words, without the request."""
    if isinstance(exc, SlackApiError):
        return f"Slack answered {exc.response.status_code} {exc.response.get('error')!r}"
    if isinstance(exc, urllib.error.URLError):
        return f"{exc.reason.__class__.__name__}: {exc.reason}"
    return f"{exc.__class__.__name__}: {exc}"


class MusterSocketModeHandler(SocketModeHandler):
    """Bolt's websocket-client handler on `Connection`, except that an envelope whose
    payload Slack would never send is acknowledged and dropped with one log line. Bolt
    would raise on it, or answer it with an error that is never acknowledged, and
    Slack would send it again. Once `refuse` is called, new envelopes are left
    unacknowledged (Slack sends events again; the connection closes soon after)."""

    client: Connection

    def __init__(self, app: App, app_token: str, *, concurrency: int = 10) -> None:
        # Not Bolt's __init__: it would make the SDK's client rather than ours.
        self.app = app
        self.app_token = app_token
        self.client = Connection(app_token, app=app, concurrency=concurrency)
        self.client.socket_mode_request_listeners.append(self.handle)
        # Runs before the SDK makes a request of the envelope (see ignore_unreadable).
        self.client.message_listeners.insert(0, self.ignore_unreadable)
        self._busy = threading.Condition()
        self._in_flight = 0
        self._refusing = False

    def ignore_unreadable(
        self, client: BaseSocketModeClient, message: dict[str, Any], _raw: str | None
    ) -> None:
        """The SDK cannot make a request of an envelope whose payload is neither an
        object nor text: it raises, logs a traceback and acknowledges nothing."""
        payload = message.get("payload", {})
        if message.get("envelope_id") and not isinstance(payload, dict | str):
            ignore(client, message["envelope_id"], "the payload is not a JSON object")
            message.pop("payload")  # so that the SDK does not try, and fail, after us

    def handle(self, client: BaseSocketModeClient, req: SocketModeRequest) -> None:
        with self._busy:
            if self._refusing:
                log.info("left envelope %s unacknowledged: shutting down", shown(req.envelope_id))
                return
            self._in_flight += 1
        try:
            try:
                bolt_request(req.payload, mode="socket_mode")
            except Malformed as exc:
                ignore(client, req.envelope_id, str(exc))
                return
            super().handle(cast(SocketModeClient, client), req)
        finally:
            with self._busy:
                self._in_flight -= 1
                self._busy.notify_all()

    def refuse(self, timeout: float) -> bool:
        """Take no new envelope; wait for those being answered to be acknowledged.
        False if some are still being answered after ``timeout`` seconds."""
        with self._busy:
            self._refusing = True
            return self._busy.wait_for(lambda: not self._in_flight, timeout=max(0.0, timeout))

    def close(self, timeout: float = 3.0) -> bool:
        """Close the socket with a close frame; True once the SDK's threads have ended."""
        return self.client.close(timeout)


def shown(envelope_id: object) -> str:
    """The envelope id is Slack's; nothing else of the envelope goes into the log."""
    return str(envelope_id) if ENVELOPE_ID.match(str(envelope_id)) else "?"


def ignore(client: BaseSocketModeClient, envelope_id: str, reason: str) -> None:
    """Acknowledge the envelope with no payload, so that Slack does not send it again."""
    log.warning("ignored a malformed Socket Mode envelope %s: %s", shown(envelope_id), reason)
    client.send_socket_mode_response(SocketModeResponse(envelope_id=envelope_id))
