"""The Bolt app factory: the one place where listeners are registered."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bot.services import Muster
from bot.settings import Settings, require
from handlers import ids
from handlers.errors import on_error
from handlers.router import on_muster_command
from storage.db import make_engine

log = logging.getLogger("muster")


def make_client(settings: Settings) -> WebClient:
    """A Web API client that retries dropped connections and honours 429 Retry-After."""
    require(settings, "slack_bot_token")
    assert settings.slack_bot_token is not None
    return WebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )


def make_muster(settings: Settings) -> Muster:
    return Muster(make_engine(settings.database_url), coordinators=settings.muster_coordinators)


def create_app(
    settings: Settings, client: WebClient | None = None, *, muster: Muster | None = None
) -> App:
    """Build the app. Nothing connects here: the engine and the client are lazy.

    Requests are verified against SLACK_SIGNING_SECRET whenever it is set; only
    transports that never face the network (the console) run without it.
    """
    muster = muster or make_muster(settings)
    client = client or make_client(settings)
    secret = settings.slack_signing_secret
    app = App(
        client=client,
        signing_secret=secret.get_secret_value() if secret else "",
        request_verification_enabled=secret is not None,
        token_verification_enabled=False,
        # Replies come from the database in milliseconds, so they ride in the ack itself.
        process_before_response=True,
        logger=log,
    )

    @app.middleware
    def provide_services(context: dict[str, Any], next: Callable[[], None]) -> None:
        context["muster"] = muster
        next()

    app.command(ids.COMMAND)(on_muster_command)
    app.error(on_error)
    return app
