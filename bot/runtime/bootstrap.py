"""The composition root: the one place where the clock, the engine and the Slack
client are made and handed to the services, the Bolt app and the scheduler."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.domain.access import OPERATOR
from bot.domain.clock import Clock, system_clock
from bot.runtime.app import WORKER_THREADS, create_app
from bot.runtime.scheduler import Ticker
from bot.runtime.settings import Settings
from bot.runtime.workers import WorkerPool
from bot.services.muster import Muster
from storage.db import make_engine


def make_muster(
    settings: Settings,
    clock: Clock = system_clock,
    *,
    operator: bool = False,
    connections: int | None = None,
) -> Muster:
    """The services on the configured database, with the one clock every part shares.

    ``operator``: the command line acts as a coordinator (it is run by operators,
    who see everything, as a coordinator does). ``connections``: how many database
    connections the pool keeps (a serving worker keeps one per thread, so a burst
    does not open and close the ones past SQLAlchemy's default of five)."""
    coordinators = (*settings.muster_coordinators, *((OPERATOR,) if operator else ()))
    pool: dict[str, Any] = {"pool_size": connections} if connections else {}
    return Muster(
        make_engine(settings.database_url, **pool),
        clock=clock,
        coordinators=coordinators,
        timezone=settings.muster_timezone,
        marking=settings.muster_marking,
        coalition=settings.muster_coalition_name,
    )


@dataclass(frozen=True)
class Served:
    """What a serving process runs: the services, the Bolt app, the pool that runs
    follow-up work, and the tick."""

    muster: Muster
    app: App
    workers: WorkerPool
    ticker: Ticker


def compose(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    client: WebClient | None = None,
    workers: WorkerPool | None = None,
    connections: int | None = None,
) -> Served:
    muster = make_muster(settings, clock, connections=connections)
    workers = workers or WorkerPool(WORKER_THREADS)
    app = create_app(settings, client, muster=muster, workers=workers)
    # The tick waits, step by step, for the requests in flight: they are answered first.
    ticker = Ticker(muster, app.client, yield_to=workers.until_quiet)
    return Served(muster=muster, app=app, workers=workers, ticker=ticker)
