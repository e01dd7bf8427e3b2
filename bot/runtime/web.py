"""HTTP serving: Slack's requests at POST /slack/events, and GET /healthz for the
load balancer, under gunicorn's threaded workers.

A request from the network is checked cheapest test first: its size before any of
it is read (413), its signature before it is parsed (401), its shape before Bolt
dispatches it (400). Only then does Bolt see it. Each refusal logs one line, and
never the body."""

from __future__ import annotations

import json
import logging
import signal
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_sdk.signature import SignatureVerifier

from bot.runtime.inbound import Malformed, bolt_request
from bot.runtime.lifecycle import SHUTDOWN_BOUND, keep_out_of_collections, prepare_to_serve
from bot.runtime.logs import WITHHOLD, formatter
from bot.services.muster import Muster
from storage.db import DatabaseUnavailable, SchemaOutOfDate, ensure_current

log = logging.getLogger("muster.web")
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Slack's payloads stay well below this, a submitted form with its whole view included.
MAX_BODY = 1024 * 1024
StartResponse = Callable[..., Any]


class TooLarge(Exception):
    """The body is over MAX_BODY; nothing past MAX_BODY + 1 bytes was read."""


class MusterWSGI:
    """The WSGI application: Bolt for Slack's requests, a health check beside it."""

    def __init__(
        self,
        app: App,
        muster: Muster,
        *,
        signing_secret: str,
        stop: Callable[[float], bool] | None = None,
    ) -> None:
        self.app = app
        self.muster = muster
        self.verifier = SignatureVerifier(signing_secret)
        # Run by the worker once it answers no more requests: drains the follow-ups
        # and stops the tick within the seconds given; False if work was left.
        self.stop = stop or (lambda _timeout: True)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return self.health(start_response)
        if path == EVENTS_PATH and method == "POST":
            return self.events(environ, start_response)
        if path == EVENTS_PATH:
            return _respond(
                start_response,
                "405 Method Not Allowed",
                {"error": "POST only"},
                [("Allow", "POST")],
            )
        return _respond(start_response, "404 Not Found", {"error": "not found"})

    def events(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            raw = read_body(environ)
        except TooLarge:
            log.info("refused a request body over %d bytes (413)", MAX_BODY)
            return _respond(
                start_response, "413 Content Too Large", {"error": "request body over 1 MB"}
            )
        except ValueError:
            return _respond(start_response, "400 Bad Request", {"error": "bad Content-Length"})
        headers = WsgiHttpRequest(environ).get_headers()
        # Slack signs bytes; the SDK's verifier signs text. Bytes that are not UTF-8
        # decode to replacement characters, whose signature then cannot match.
        text = raw.decode("utf-8", errors="replace")
        if not self.signed(text, headers):
            log.info("refused a request with a bad or stale signature (401)")
            return _respond(start_response, "401 Unauthorized", {"error": "invalid request"})
        try:
            request = bolt_request(text, headers=headers)
        except Malformed as exc:
            log.warning("refused a signed but malformed request (400): %s", exc)
            return _respond(start_response, "400 Bad Request", {"error": f"malformed: {exc}"})
        response = self.app.dispatch(request)
        wsgi = WsgiHttpResponse(
            status=response.status, headers=response.headers, body=response.body
        )
        start_response(wsgi.status, wsgi.get_headers())
        return wsgi.get_body()

    def signed(self, text: str, headers: dict[str, Any]) -> bool:
        timestamp = headers.get("x-slack-request-timestamp")
        signature = headers.get("x-slack-signature")
        # The verifier calls int() on the timestamp: give it only a plausible one.
        if not (
            isinstance(timestamp, str)
            and timestamp.isascii()
            and timestamp.isdigit()
            and len(timestamp) <= 12
        ):
            return False
        return isinstance(signature, str) and self.verifier.is_valid(text, timestamp, signature)

    def health(self, start_response: StartResponse) -> Iterable[bytes]:
        try:
            ensure_current(self.muster.engine)
        except (DatabaseUnavailable, SchemaOutOfDate) as exc:
            log.warning("health check failed: %s", exc)
            return _respond(
                start_response,
                "503 Service Unavailable",
                {"status": "unavailable", "database": "down"},
            )
        return _respond(start_response, "200 OK", {"status": "ok", "database": "ok"})


def read_body(environ: dict[str, Any]) -> bytes:
    """The request body, read only while it stays within MAX_BODY.

    A declared Content-Length over the limit is refused unread. Without one (a
    chunked body) at most MAX_BODY + 1 bytes are read: enough to know it is over.
    Whatever the client still sends after the answer, gunicorn discards unbuffered.
    Raises TooLarge, or ValueError for a Content-Length that is not a number
    (gunicorn refuses those itself; another server might not)."""
    declared = environ.get("CONTENT_LENGTH") or ""
    if declared:
        length = int(declared)
        if length < 0:
            raise ValueError(declared)
        if length > MAX_BODY:
            raise TooLarge
        budget = length
    else:
        budget = MAX_BODY + 1
    stream = environ.get("wsgi.input")
    chunks: list[bytes] = []
    received = 0
    while stream is not None and received < budget:
        chunk = stream.read(budget - received)
        if not chunk:
            break
        chunks.append(chunk)
        received += len(chunk)
    if received > MAX_BODY:
        raise TooLarge
    return b"".join(chunks)


def _respond(
    start_response: StartResponse,
    status: str,
    body: dict[str, Any],
    headers: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status,
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(data))),
            *(headers or []),
        ],
    )
    return [data]


def serve_http(
    build: Callable[[], MusterWSGI],
    *,
    host: str,
    port: int,
    workers: int,
    threads: int,
    log_level: str = "INFO",
    log_format: str = "text",
) -> None:
    """Run under gunicorn. Each worker process builds its own app after the fork,
    so no database connection or thread pool is shared between processes.

    SIGTERM and SIGINT both stop gracefully (gunicorn's SIGINT would not wait): the
    master stops the workers and waits SHUTDOWN_BOUND seconds for them; each worker
    finishes the requests it has, then drains its follow-ups and stops its tick in
    what is left of the bound."""
    from gunicorn.app.base import BaseApplication
    from gunicorn.arbiter import Arbiter
    from gunicorn.glogging import Logger
    from gunicorn.workers.gthread import ThreadWorker

    class ErrorLog(Logger):  # type: ignore[misc]  # gunicorn ships no types: Logger is Any
        """gunicorn's own log, through the same filter and format as Muster's."""

        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            for handler in self.error_log.handlers:
                handler.addFilter(WITHHOLD)
                if log_format == "json":
                    handler.setFormatter(formatter("json"))

    class Worker(ThreadWorker):  # type: ignore[misc]  # gunicorn ships no types
        stopping_at: float | None = None

        def init_signals(self) -> None:
            super().init_signals()
            signal.signal(signal.SIGINT, self.handle_exit)  # as SIGTERM: finish, then stop

        def handle_exit(self, sig: int, frame: Any) -> None:
            if self.stopping_at is None:
                self.stopping_at = time.monotonic()
            super().handle_exit(sig, frame)

        def run(self) -> None:
            super().run()  # returns once the requests in hand are answered
            started = self.stopping_at if self.stopping_at is not None else time.monotonic()
            # A little of the bound is kept for the process to exit before the master kills it.
            left = started + SHUTDOWN_BOUND - 0.5 - time.monotonic()
            if not self.wsgi.stop(max(0.0, left)):
                log.warning("worker stopped with follow-up work left undone")

    class Master(Arbiter):  # type: ignore[misc]  # gunicorn ships no types
        def handle_int(self) -> None:
            self.handle_term()  # graceful, as for SIGTERM

    class Server(BaseApplication):  # type: ignore[misc]  # gunicorn ships no types
        def load_config(self) -> None:
            options = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": Worker,
                "timeout": 30,
                "graceful_timeout": int(SHUTDOWN_BOUND),
                "keepalive": 5,
                "accesslog": None,  # Slack's requests carry user text; the app logs what matters
                "errorlog": "-",
                "loglevel": log_level.lower(),
                "logger_class": ErrorLog,
                "proc_name": "muster",
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> MusterWSGI:  # in each worker, after the fork
            prepare_to_serve()
            wsgi = build()
            keep_out_of_collections()
            return wsgi

    try:
        Master(Server()).run()
    except RuntimeError:  # as BaseApplication.run reports it
        sys.exit(1)
