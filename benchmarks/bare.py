"""Two bare Bolt apps that answer `/muster` with a short acknowledgement, served
exactly as `muster serve --http` serves Muster: the same gunicorn set-up
(bot.runtime.web.serve_http: gthread workers, threads, timeouts, logging) and the
same WSGI front (MusterWSGI: body limit, signature check, request parsing, then
Bolt's dispatch). Only the Bolt app differs, so what Muster adds is the difference.

    python -m benchmarks.bare --mode floor|default --port 3001 [--workers 2 --threads 16]

``default`` is Bolt's default mode (the listener runs on Bolt's thread pool and the
request waits for its ack); ``floor`` sets ``process_before_response=True``, the
least Bolt does for a command. Settings come from the environment as for
`muster serve` (SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_API_URL, and
DATABASE_URL for /healthz, which must be migrated)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot.runtime.app import make_client
from bot.runtime.bootstrap import make_muster
from bot.runtime.logs import configure as configure_logging
from bot.runtime.settings import Settings, load_settings, require
from bot.runtime.web import MusterWSGI, serve_http

MODES = ("floor", "default")
REPLY = "Muster is here."


def bare_app(settings: Settings, mode: str) -> App:
    """A Bolt app with one listener: `/muster` acknowledged with REPLY."""
    require(settings, "slack_bot_token", "slack_signing_secret")
    assert settings.slack_signing_secret is not None
    app = App(
        client=make_client(settings),
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        token_verification_enabled=False,  # as Muster's: no auth.test at start
        process_before_response=mode == "floor",
    )

    @app.command("/muster")
    def on_command(ack: Callable[..., Any]) -> None:
        ack(REPLY)

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bare")
    parser.add_argument("--mode", choices=MODES, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args(argv)
    settings = load_settings()
    require(settings, "slack_bot_token", "slack_signing_secret")
    assert settings.slack_signing_secret is not None and settings.slack_bot_token is not None
    secret = settings.slack_signing_secret.get_secret_value()
    configure_logging(
        settings.muster_log_level,
        secrets=[secret, settings.slack_bot_token.get_secret_value()],
    )
    engine = make_muster(settings).engine
    engine.dispose()  # as `muster serve`: no connection crosses into the workers

    def build() -> MusterWSGI:  # in each worker, after the fork
        return MusterWSGI(
            bare_app(settings, args.mode), make_muster(settings), signing_secret=secret
        )

    serve_http(
        build,
        host=args.host,
        port=args.port,
        workers=args.workers,
        threads=args.threads,
        log_level=settings.muster_log_level,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
