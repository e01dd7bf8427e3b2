"""HTTP serving: Slack's requests at POST /slack/events, and GET /healthz for the
load balancer, under gunicorn's threaded workers."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.services import Muster
from storage.db import DatabaseUnavailable, SchemaOutOfDate, ensure_current

log = logging.getLogger("muster.web")
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
StartResponse = Callable[..., Any]


class MusterWSGI:
    """The WSGI application: Bolt for Slack's requests, a health check beside it."""

    def __init__(self, app: App, muster: Muster) -> None:
        self.slack = SlackRequestHandler(app, path=EVENTS_PATH)
        self.muster = muster

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return self.health(start_response)
        if path == EVENTS_PATH:
            return self.slack(environ, start_response)
        return _respond(start_response, "404 Not Found", {"error": "not found"})

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


def _respond(start_response: StartResponse, status: str, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


def serve_http(
    build: Callable[[], MusterWSGI], *, host: str, port: int, workers: int, threads: int
) -> None:
    """Run under gunicorn. Each worker process builds its own app after the fork,
    so no database connection or thread pool is shared between processes."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "timeout": 30,
                "graceful_timeout": 10,
                "keepalive": 5,
                "accesslog": None,  # Slack's requests carry user text; the app logs what matters
                "errorlog": "-",
                "loglevel": "info",
                "proc_name": "muster",
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> MusterWSGI:
            return build()

    Server().run()
