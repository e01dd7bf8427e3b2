"""Acknowledgement time for 30 delegates typing at once, against `muster serve --http`
(2 gunicorn workers x 16 threads) on loopback, with a one-at-a-time baseline from the
same run. Slack wants every acknowledgement inside 3 seconds.

    python -m benchmarks.bench_burst [sqlite|postgres]"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bot.domain.clock import system_clock
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from storage.db import make_engine, upgrade
from tests.support.databases import postgres_database
from tests.support.factories import COORDINATOR, small_coalition
from tests.support.http import SlackOverHttp, muster_server

SECRET = "bench-secret"
DELEGATES = 30
ROUNDS = 5


def timed(http: SlackOverHttp, user: str, text: str) -> float:
    start = time.perf_counter()
    reply = http.command(user, text)
    elapsed = time.perf_counter() - start
    assert reply.status == 200 and reply.text, reply
    return elapsed * 1000


def burst(http: SlackOverHttp, users: list[str], text: str) -> list[float]:
    times: list[float] = []
    lock = threading.Lock()
    go = threading.Barrier(len(users))

    def one(user: str) -> None:
        go.wait()
        ms = timed(http, user, text)
        with lock:
            times.append(ms)

    threads = [threading.Thread(target=one, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


def run(url: str, console: Console) -> None:
    muster = Muster(make_engine(url), clock=system_clock, coordinators=[COORDINATOR])
    small_coalition(muster)
    users = [f"UBURST{i:02d}" for i in range(DELEGATES)]
    muster.delegations.add_delegation(COORDINATOR, "BUR", "Burstland")
    muster.delegations.add_members(COORDINATOR, "BUR", users)
    with SlackStandIn() as slack:
        env = {
            "DATABASE_URL": url,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.api_url,
            "MUSTER_COORDINATORS": COORDINATOR,
        }
        with muster_server(env) as port:
            http = SlackOverHttp(port, SECRET, slack.response_url())
            for user in users:  # warm up every worker and pass the first-contact notice
                timed(http, user, "help")
            table = Table("command", "alone p50 ms", "30 at once p50", "p95", "max", "max / alone")
            for text in ("status", "pledge LAND-1 1 offered"):
                alone = statistics.median(timed(http, users[0], text) for _ in range(15))
                samples = [ms for _ in range(ROUNDS) for ms in burst(http, users, text)]
                samples.sort()
                p95 = samples[int(len(samples) * 0.95) - 1]
                table.add_row(
                    text,
                    f"{alone:.1f}",
                    f"{statistics.median(samples):.1f}",
                    f"{p95:.1f}",
                    f"{samples[-1]:.1f}",
                    f"{samples[-1] / alone:.1f}",
                )
            console.print(table)


def main(kind: str = "sqlite") -> int:
    console = Console()
    console.print(f"{DELEGATES} simultaneous slash commands x {ROUNDS} rounds, {kind}")
    if kind == "postgres":
        with postgres_database("muster_bench") as url:
            upgrade(url)
            run(url, console)
    else:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'burst.db'}"
            upgrade(url)
            run(url, console)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
