"""30 delegations pledging at the same moment through two replicas: two
`muster serve --http` processes on one database (PostgreSQL, as in production),
at coalition scale. Every pledge must be acknowledged without error and inside a
second, and the database must hold exactly what was pledged.

    python -m benchmarks.bench_burst [--pledges 1000] [--rounds 3] [--databases postgres]
                                     [--postgres URL] [--out FILE --append]

Without a PostgreSQL server (--postgres, or TEST_POSTGRES_URL) it says so and runs
the two replicas on one SQLite file instead."""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from sqlalchemy import Engine, Integer, text

from benchmarks import coalition, harness, report
from benchmarks.harness import Series, Server, server
from bot.domain.clock import system_clock
from bot.runtime.standin import SlackStandIn
from storage.db import make_engine
from storage.types import Quantity

NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
WORST_MS = 1000.0
PLEDGE_REF = re.compile(r"\bP-\d+\b")


@dataclass
class Burst:
    db: str
    pledges: int
    acks: list[Series] = field(default_factory=list)  # one per round
    errors: list[str] = field(default_factory=list)
    totals: list[str] = field(default_factory=list)  # one line per round that did not add up

    @property
    def worst(self) -> float:
        return max(s.worst for s in self.acks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_burst")
    parser.add_argument("--pledges", type=int, default=1000, help="coalition size")
    parser.add_argument("--rounds", type=int, default=3, help="bursts of 30 pledges")
    parser.add_argument("--databases", default="postgres")
    parser.add_argument("--postgres", default=os.environ.get("TEST_POSTGRES_URL"))
    parser.add_argument("--out", type=Path, help="write the Markdown table here")
    parser.add_argument("--append", action="store_true", help="append to --out")
    args = parser.parse_args(argv)
    console = Console() if Console().is_terminal else Console(width=150)
    kinds = [k for k in args.databases.split(",") if k]
    if "postgres" in kinds and not harness.postgres_answers(args.postgres):
        console.print(
            f"[yellow]No PostgreSQL answers at {args.postgres!r}: SQLite instead.[/yellow]"
        )
        kinds = [k for k in kinds if k != "postgres"] or ["sqlite"]
    started = time.monotonic()
    results = [run(kind, args.pledges, args.rounds, args.postgres, console) for kind in kinds]
    table = results_table(results, args.rounds)
    console.print(table.rich())
    if args.out:
        with args.out.open("a" if args.append else "w") as out:
            out.write("\n" + table.markdown() + "\n")
    console.print(f"({(time.monotonic() - started) / 60:.1f} min)")
    return 0


def run(kind: str, pledges: int, rounds: int, admin: str | None, console: Console) -> Burst:
    """Build a coalition of ``pledges`` in a database of its own, then burst()."""
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="muster-burst-")))
        slack = stack.enter_context(SlackStandIn())
        url = stack.enter_context(harness.database(kind, folder, admin, f"burst{pledges}"))
        console.print(f"{NAMES[kind]}: building {pledges:,} pledges…")
        built = coalition.build(url, pledges=pledges, now=system_clock())
        return burst(NAMES[kind], url, built, slack, folder, rounds, console)


def burst(
    db: str,
    url: str,
    built: coalition.Coalition,
    slack: SlackStandIn,
    folder: Path,
    rounds: int,
    console: Console,
) -> Burst:
    """``rounds`` bursts of one pledge from each delegation at once, on ``built``,
    through two replicas started here on ``url``."""
    result = Burst(db, built.pledges)
    with ExitStack() as stack:
        env = harness.serve_env(url, slack.api_url)
        replicas = [
            stack.enter_context(
                server(f"replica {n}", harness.MUSTER, env, slack.response_url(), folder / f"replica{n}.log")
            )
            for n in (1, 2)
        ]  # fmt: skip
        users = list(built.delegates)
        for replica in replicas:  # warm up every worker thread's first request
            for user in users:
                replica.http.command(user, "help")
            for _ in range(2):
                replica.http.command(built.delegate, "status")
        engine = make_engine(url)
        stack.callback(engine.dispose)
        for n in range(rounds):
            harness.wait_idle(replicas)  # each burst alone: earlier follow-ups have finished
            quantities = [n * len(users) + i + 1 for i in range(len(users))]
            before = totals(engine, built.requirement)
            console.print(f"{db}: burst {n + 1} of {rounds}: {len(users)} pledges at once…")
            result.acks.append(fire(replicas, users, built.requirement, quantities, result.errors))
            after = totals(engine, built.requirement)
            want = (before[0] + len(users), before[1] + sum(quantities))
            if after != want:
                result.totals.append(
                    f"round {n + 1}: {after[0]} pledges totalling {after[1]:,}, "
                    f"expected {want[0]} totalling {want[1]:,}"
                )
        slack.settle()  # the follow-ups (Home refreshes) finish before the servers stop
    return result


def totals(engine: Engine, requirement: str) -> tuple[int, Decimal]:
    """(how many pledges, their total quantity) on ``requirement``, withdrawn included."""
    with engine.connect() as conn:
        count, total = conn.execute(
            text(
                "SELECT count(*) AS pledges, coalesce(sum(quantity), 0) AS total FROM pledge "
                "WHERE requirement_id = (SELECT id FROM requirement WHERE code = :code)"
            ).columns(pledges=Integer, total=Quantity),  # hundredths on SQLite: read as stored
            {"code": requirement},
        ).one()
    return int(count), total


def fire(
    replicas: list[Server],
    users: list[str],
    requirement: str,
    quantities: list[int],
    errors: list[str],
) -> Series:
    """Each user pledges at the same moment, alternately through each replica."""
    acks = Series()
    lock = threading.Lock()
    go = threading.Barrier(len(users))

    def one(i: int) -> None:
        replica = replicas[i % len(replicas)]
        words = f"pledge {requirement} {quantities[i]} offered"
        go.wait()
        start = time.perf_counter()
        reply = replica.http.command(users[i], words)
        ms = (time.perf_counter() - start) * 1000
        with lock:
            acks.add(ms)
            if not PLEDGE_REF.search(str(harness.reply_json(reply).get("text", ""))):
                errors.append(
                    f"{users[i]} via {replica.name}: HTTP {reply.status} {reply.body[:120]!r}"
                )

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(users))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return acks


def results_table(results: list[Burst], rounds: int) -> report.Table:
    rows = []
    for r in results:
        size = f"{r.pledges:,} pledges"
        worst = ", ".join(report.ms(s.worst) for s in r.acks)
        p50 = ", ".join(report.ms(s.p50) for s in r.acks)
        rows += [
            [f"no errors ({size})", r.db, f"{len(r.errors)} of {rounds * 30}" + (f": {r.errors[0]}" if r.errors else ""),
             "0", report.verdict(not r.errors)],
            [f"exact totals ({size})", r.db, "; ".join(r.totals) or f"{rounds} of {rounds} rounds exact",
             "sum in the database = what was pledged", report.verdict(not r.totals)],
            [f"worst acknowledgement ({size})", r.db, f"{report.ms(r.worst)} ms (worst per round: {worst}; p50 {p50})",
             f"< {WORST_MS:,.0f} ms", report.verdict(r.worst < WORST_MS)],
        ]  # fmt: skip
    return report.Table(
        f"30 simultaneous pledges from 30 delegations through two replicas, {rounds} round(s)",
        ["budget", "database", "measured", "limit", ""],
        rows,
        numeric=False,
    )


if __name__ == "__main__":
    sys.exit(main())
