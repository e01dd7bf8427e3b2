"""`muster serve`: check, connect, serve until SIGTERM or SIGINT, then stop within
SHUTDOWN_BOUND seconds: take no new work, finish what was acknowledged, drain the
follow-ups, stop the tick, close the socket with a close frame, exit 0."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable

from bot.runtime.bootstrap import Served, compose, make_muster
from bot.runtime.health import Beacon, announce_http, forget, health_file
from bot.runtime.lifecycle import (
    SHUTDOWN_BOUND,
    Stop,
    finish,
    keep_out_of_collections,
    prepare_to_serve,
)
from bot.runtime.scheduler import Schedule, start_scheduler
from bot.runtime.settings import Settings
from bot.runtime.startup import (
    check_bot_token,
    checking_client,
    open_socket_url,
    wait_for_database,
)
from storage.db import open_ahead

log = logging.getLogger("muster")
# Connections each serving worker opens at start, before any request: a burst of
# delegates then finds them ready. The pool keeps up to one per thread.
CONNECTIONS_AHEAD = 8


def check(settings: Settings, stop: Stop) -> None:
    """The start-up checks both modes share: database first, then the bot token."""
    engine = make_muster(settings).engine
    try:
        wait_for_database(engine, stop)
    finally:
        engine.dispose()  # no connection may cross into gunicorn's forked workers
    check_bot_token(checking_client(settings), stop)


def stopper(served: Served, schedule: Schedule) -> Callable[[float], bool]:
    """What a serving process runs once it takes no more requests: the follow-ups are
    drained and the tick stops (the one running finishes what it claimed), together
    within ``timeout`` seconds."""

    def stop(timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        schedule.ticker.stopping.set()  # the tick claims nothing more from now on
        drained = served.workers.wait_idle(max(0.0, deadline - time.monotonic()))
        ticked = schedule.stop(max(0.0, deadline - time.monotonic()))
        served.workers.shutdown(wait=False)
        served.muster.engine.dispose()
        return drained and ticked

    return stop


def serve_socket_mode(settings: Settings, stop: Stop) -> int:
    from bot.runtime.socketmode import MusterSocketModeHandler

    assert settings.slack_app_token is not None
    app_token = settings.slack_app_token.get_secret_value()
    check(settings, stop)
    url = open_socket_url(checking_client(settings), app_token, stop)
    prepare_to_serve()
    served = compose(settings)
    keep_out_of_collections()
    schedule = start_scheduler(served.ticker)  # digests and alerts in Socket Mode too
    handler = MusterSocketModeHandler(served.app, app_token)
    handler.client.wss_uri = url  # the URL the check opened: each one is good for one connection
    handler.client.connect()
    beacon = Beacon(health_file(settings), lambda: handler.client.connected).start()
    # and at once when the socket opens or closes, after the client has noted it
    handler.client.on_open_listeners.append(lambda _ws: beacon.beat())
    handler.client.on_close_listeners.append(lambda _ws: beacon.beat())
    log.info("Muster is serving over Socket Mode")
    stop.wait()
    log.info("stopping on %s (at most %g s)", stop.signal_name, SHUTDOWN_BOUND)
    done = finish(
        [
            ("answering the envelopes in hand", handler.refuse),
            ("closing the socket with a close frame", lambda left: handler.close(min(left, 3.0))),
            ("draining follow-ups and the tick", stopper(served, schedule)),
        ],
        stop,
    )
    beacon.stop()
    took = SHUTDOWN_BOUND - stop.left()
    log.info("stopped in %.1f s%s", took, "" if done else ", with work left undone")
    if not done:
        # The follow-up pool's and the scheduler's threads are not daemons: returning
        # would wait for them at exit, past the bound and into docker stop's SIGKILL.
        logging.shutdown()
        os._exit(1)
    return 0


def serve_over_http(
    settings: Settings, stop: Stop, *, host: str, port: int, workers: int, threads: int
) -> int:
    from bot.runtime.web import MusterWSGI, serve_http

    assert settings.slack_signing_secret is not None
    signing_secret = settings.slack_signing_secret.get_secret_value()
    check(settings, stop)

    def build() -> MusterWSGI:  # runs in each worker process, after the fork
        served = compose(settings, connections=threads)
        open_ahead(served.muster.engine, min(threads, CONNECTIONS_AHEAD))
        schedule = start_scheduler(served.ticker)
        return MusterWSGI(
            served.app,
            served.muster,
            signing_secret=signing_secret,
            stop=stopper(served, schedule),
        )

    path = health_file(settings)
    announce_http(path, host, port)
    try:
        serve_http(
            build,
            host=host,
            port=port,
            workers=workers,
            threads=threads,
            log_level=settings.muster_log_level,
            log_format=settings.muster_log_format,
        )
    finally:
        forget(path)
    return 0
