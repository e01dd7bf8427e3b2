"""The Bolt app factory: the one place where listeners are registered."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bot.runtime.logs import guard, guard_sdk
from bot.runtime.settings import Settings, require
from bot.runtime.workers import WorkerPool
from bot.services.muster import Muster
from handlers import (
    call_forms,
    followups,
    home,
    ids,
    pledge_forms,
    pledges,
    questions,
    reconfirm,
    requirements,
)
from handlers.blocks import FOLLOW_UP, FollowUps
from handlers.errors import on_error
from handlers.router import delivery_key, on_muster_command

log = logging.getLogger("muster")

# Follow-up work (posts, announcements, App Home) runs here, off the request thread.
# Bolt's default pool of 5 would queue a burst of 30 delegates behind each other.
WORKER_THREADS = 32


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


def _submit(pool: WorkerPool, muster: Muster, client: WebClient, work: FollowUps) -> None:
    pool.follow_up(followups.run_logged, muster, client, work, log)


class AnsweringApp(App):
    """Bolt's App, marking each request as being answered while it is dispatched, so
    that follow-up work waits for it (WorkerPool.follow_up). A middleware cannot: Bolt
    runs the listener after the middleware chain has returned."""

    def __init__(self, pool: WorkerPool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pool = pool

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        with self.pool.answering():
            return super().dispatch(req)


class ProvideServices(Middleware):
    """Each request's own copy of the services, and the hand-off of its follow-up
    work. A Middleware object, not a function: Bolt works out a function's
    arguments on every request, which cost more than what it does here."""

    def __init__(self, services: Muster, pool: WorkerPool, client: WebClient) -> None:
        self.services, self.pool, self.client = services, pool, client

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        muster = self.services.for_request(delivery_key(req.body))
        req.context["muster"] = muster
        # Not Bolt's lazy listeners: those copy the request to a thread for every
        # command, even one with nothing left to do; listeners hand off only real work.
        req.context[FOLLOW_UP] = partial(_submit, self.pool, muster, self.client)
        return next()


def create_app(
    settings: Settings,
    client: WebClient | None = None,
    *,
    muster: Muster,
    workers: WorkerPool | None = None,
) -> App:
    """Build the app. Nothing connects here: the engine and the client are lazy.

    Requests are verified against SLACK_SIGNING_SECRET whenever it is set; only
    transports that never face the network (the console) run without it.
    """
    services = muster
    client = client or make_client(settings)
    secret = settings.slack_signing_secret
    # Bolt copies this logger's filters to every logger it makes, so WITHHOLD keeps
    # request bodies out of Bolt's messages too; the SDK's loggers get it by name.
    guard(log)
    guard_sdk()
    pool = workers or WorkerPool(WORKER_THREADS)
    app = AnsweringApp(
        pool,
        client=client,
        signing_secret=secret.get_secret_value() if secret else "",
        request_verification_enabled=secret is not None,
        token_verification_enabled=False,
        # Replies come from the database in milliseconds, so they ride in the ack itself.
        process_before_response=True,
        listener_executor=pool,
        logger=log,
    )

    app.use(ProvideServices(services, pool, client))

    app.command(ids.COMMAND)(on_muster_command)
    app.action(ids.ACTION_PLEDGE)(pledges.on_pledge_button)
    app.action(ids.ACTION_ANSWER)(questions.on_answer_button)
    app.action(ids.ACTION_STILL_VALID)(reconfirm.on_still_valid)
    app.action(ids.ACTION_CHANGE_PLEDGE)(pledge_forms.on_change_button)
    app.action(ids.ACTION_WITHDRAW_PLEDGE)(pledge_forms.on_withdraw_button)
    app.action(ids.ACTION_CALL_PLEDGE)(call_forms.on_call_pledge)
    app.action(ids.ACTION_CALL_ASK)(call_forms.on_call_ask)
    app.action(ids.ACTION_DECLINE)(call_forms.on_decline)
    app.view(ids.CALLBACK_CALL_ASK)(call_forms.on_call_ask_submitted)
    app.view(ids.CALLBACK_DECLINE)(call_forms.on_decline_submitted)
    app.view(ids.CALLBACK_PLEDGE)(pledges.on_pledge_submitted)
    app.view(ids.CALLBACK_ASK)(questions.on_ask_submitted)
    app.view(ids.CALLBACK_ANSWER)(questions.on_answer_submitted)
    app.view(ids.CALLBACK_REQUIREMENT)(requirements.on_requirement_submitted)
    app.view(ids.CALLBACK_PLEDGE_CHANGE)(pledge_forms.on_change_submitted)
    app.view(ids.CALLBACK_PLEDGE_WITHDRAW)(pledge_forms.on_withdraw_submitted)
    app.event("app_home_opened")(home.on_home_opened)
    app.error(on_error)
    return app
