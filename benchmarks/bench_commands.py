"""How much each read costs relative to `/muster help` (no database), on a coalition
of realistic size: 30 delegations, 137 requirements, about 1,400 pledges.

Ratios against a baseline measured in the same run are comparable across machines;
absolute times are not. Run with `make bench`."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bot.domain.clock import system_clock
from bot.domain.model import PledgeStatus
from bot.runtime.app import create_app
from bot.runtime.settings import Settings
from bot.runtime.standin import SlackStandIn
from bot.runtime.workers import WorkerPool
from bot.services.muster import Muster
from storage.db import make_engine, upgrade
from tests.support.factories import add_delegations, add_requirements
from tests.support.slack import SlashCommands

COORDINATOR = "UCOORD"
SECRET = "bench-secret"
STATUSES = [PledgeStatus.INDICATED, PledgeStatus.OFFERED, PledgeStatus.CONFIRMED]


def build(m: Muster, delegations: int = 30, requirements: int = 137) -> list[str]:
    users = add_delegations(m, delegations)
    for n, user in enumerate(users):
        m.questions.ask(user, f"What are the rules of engagement for contingent {n}?")
    for i, status in enumerate(STATUSES):  # every third nation pledges to each requirement
        add_requirements(
            m,
            requirements // 3 + (i < requirements % 3),
            pledgers=users[i::3],
            status=status,
            condition="US backstop" if i == 0 else "",
            restricted=i == 2,
        )
    return users


def median_ms(send: SlashCommands, user: str, text: str, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        send(user, text)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main(runs: int = 15) -> int:
    console = Console()
    with tempfile.TemporaryDirectory() as folder, SlackStandIn() as slack:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade(url)
        muster = Muster(make_engine(url), clock=system_clock, coordinators=[COORDINATOR])
        console.print("building a 30-nation coalition…")
        delegate = build(muster)[1]
        settings = Settings(
            database_url=url,
            slack_bot_token="xoxb-bench",
            slack_signing_secret=SECRET,  # type: ignore[arg-type]
            slack_api_url=slack.api_url,
            muster_coordinators=(COORDINATOR,),
        )
        workers = WorkerPool(8)
        send = SlashCommands(
            create_app(settings, muster=muster, workers=workers), SECRET, slack.response_url()
        )
        send(delegate, "help")  # warm up: Bolt's auth.test, imports, first connection
        baseline = median_ms(send, delegate, "help", runs)
        table = Table("command", "median ms", "× help")
        table.add_row("help (baseline)", f"{baseline:.1f}", "1.0")
        for text in (
            "status",
            "status LAND",
            "gaps",
            "requirements",
            "pledges",
            "questions all",
            "delegations",
            "history LAND-1",
            "pledge LAND-2 1",
        ):
            ms = median_ms(send, delegate, text, runs)
            table.add_row(text, f"{ms:.1f}", f"{ms / baseline:.1f}")
        console.print(table)
        workers.wait_idle()  # Home refreshes after each pledge finish before the stand-in stops
        workers.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 15))
