"""Muster's replies over signed HTTP against a real `muster serve --http`, side by
side in the same run with two bare Bolt apps served the same way (Bolt's default
mode, and `process_before_response=True`: the framework's floor), with the Slack
Web API pointed at the loopback stand-in (bot.runtime.standin).

    make bench:        --sizes 1000,10000 --no-exports --burst 3 --burst-at 1000
    make bench-large:  --large --no-small --sizes 1000,200000 --burst 3
    other options:     --databases sqlite,postgres  --postgres URL  --out FILE

For each database: the small coalition (tests.support.factories.small_coalition)
for the reply path, then coalition-scale databases (benchmarks.coalition) for growth
with history, `muster tick` and (at the largest size) the exports as processes, and
with --burst the 30 simultaneous pledges of benchmarks.bench_burst through two
replicas. PostgreSQL runs when --postgres (or TEST_POSTGRES_URL) names a server that
answers. Tables go to the terminal and, as Markdown, to --out."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

from rich.console import Console

from benchmarks import bench_burst, coalition, harness, report
from benchmarks.harness import Arrivals, server
from benchmarks.scenario import Plan, Scale, Target, measure, operator_commands
from bot.domain.clock import system_clock
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from storage.db import make_engine
from tests.support.factories import COORDINATOR, OWN, small_coalition

NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
QUICK = Plan()
# At 200k a slow reply can take seconds (before issue 9's work a preview took half a
# minute), so fewer samples; an export is stopped at twice its 60 s budget. On that
# older code bench-large took 16 minutes with exports stopped at 65 s.
LARGE = Plan(
    cap=3.0, least=3, previews=3, preview_least=2, preview_cap=20.0, concurrent_each=3,
    concurrent_cap=15.0, tick_timeout=240.0, cli_timeout=120.0,
)  # fmt: skip
# The small coalition's concurrency 8 is where Muster's p99 is compared with default
# Bolt's: 60 passes, 4,800 requests a side in `make bench` (8 clients x 10 each), so
# 48 samples are slower than the p99. One hiccup of a shared machine holds up at most
# the eight requests in flight in one pass of one app; with 800 a side, 8 were slower
# than the p99, so one hiccup could set an app's p99 alone (issue 9, sixth round).
COMPARED_PASSES = 60


def label(pledges: int) -> str:
    return f"{pledges // 1000}k" if pledges % 1000 == 0 else str(pledges)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_commands")
    parser.add_argument("--sizes", default="1000,10000", help="pledges, comma-separated")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--postgres", default=os.environ.get("TEST_POSTGRES_URL"))
    parser.add_argument("--large", action="store_true", help="bench-large sampling and timeouts")
    parser.add_argument("--no-small", action="store_true", help="skip the small coalition")
    parser.add_argument("--no-exports", action="store_true", help="skip the exports")
    parser.add_argument(
        "--burst", type=int, default=0, metavar="ROUNDS",
        help="bursts of 30 pledges through two replicas (PostgreSQL if it runs)",
    )  # fmt: skip
    parser.add_argument("--burst-at", type=int, help="the size to burst at (default: the largest)")
    parser.add_argument("--out", type=Path, default=harness.ROOT / "benchmarks" / "last-run.md")
    args = parser.parse_args(argv)
    console = Console()
    if not console.is_terminal:
        console = Console(width=150)
    plan = LARGE if args.large else QUICK
    sizes = [int(n) for n in args.sizes.split(",")]
    kinds = [k for k in args.databases.split(",") if k]
    if "postgres" in kinds and not harness.postgres_answers(args.postgres):
        console.print(f"[yellow]No PostgreSQL answers at {args.postgres!r}: SQLite only.[/yellow]")
        kinds.remove("postgres")
    started = time.monotonic()
    scales: list[Scale] = []
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="muster-bench-")))
        arrivals = Arrivals()
        slack = stack.enter_context(SlackStandIn(on_call=arrivals))
        # The bare apps need a migrated database only for /healthz.
        bare_url = stack.enter_context(harness.database("sqlite", folder, None, "bare"))
        env = harness.serve_env(bare_url, slack.api_url)
        floor, default = (
            stack.enter_context(
                server(mode, harness.bare(mode), env, slack.response_url(), folder / f"{mode}.log")
            )
            for mode in ("floor", "default")
        )
        run = Run(folder, args.postgres, slack, arrivals, floor, default, plan, console)
        for kind in kinds:
            if not args.no_small:
                scales.append(small(run, kind))
            for pledges in sizes:
                last = pledges == max(sizes)
                at = pledges == (args.burst_at or max(sizes)) and kind == kinds[-1]
                burst = args.burst if at else 0  # on PostgreSQL if it runs
                scales.append(
                    scaled(run, kind, pledges, exports=last and not args.no_exports, burst=burst)
                )
                slack.reset()
    minutes = (time.monotonic() - started) / 60
    tables = [report.budgets(scales)]
    tables += [report.small_table(s) for s in scales if s.small]
    for kind in kinds:
        mine = [s for s in scales if s.db == NAMES[kind] and not s.small]
        if len(mine) >= 2:
            tables.append(report.scale_table(NAMES[kind], mine[0], mine[-1]))
        if mine:
            tables.append(report.operator_table(NAMES[kind], mine))
    if run.bursts:
        tables.append(bench_burst.results_table(run.bursts, args.burst))
    report.show(console, tables)
    preface = (
        f"Measured by `python -m benchmarks.bench_commands {' '.join(argv or sys.argv[1:])}`"
        f" in {minutes:.0f} min on {os.cpu_count()} cores (shared: ratios count, absolute "
        "figures are this machine's). Replies are acknowledgement times over signed HTTP; "
        "App Home is until views.publish reaches the stand-in; `digest preview: delivered` "
        "is until the digest reaches the user (in the ack, or the response_url/DM post). "
        "× floor and × default compare p50s measured in the same rounds."
    )
    args.out.write_text(report.markdown(tables, preface))
    console.print(f"Markdown: {args.out}  ({minutes:.1f} min)")
    return 0


@dataclass(frozen=True)
class Run:
    """What every coalition of one run is measured with."""

    folder: Path
    admin: str | None  # PostgreSQL server
    slack: SlackStandIn
    arrivals: Arrivals
    floor: harness.Server
    default: harness.Server
    plan: Plan
    console: Console
    started: float = field(default_factory=time.monotonic)
    bursts: list[bench_burst.Burst] = field(default_factory=list)

    def say(self, text: str) -> None:
        self.console.print(f"[dim]{time.monotonic() - self.started:6.0f} s[/dim]  {text}")

    def measure(
        self,
        scale: Scale,
        url: str,
        target: Target,
        coordinators: str = "",
        passes: int | None = None,
    ) -> None:
        env = harness.serve_env(url, self.slack.api_url, coordinators)
        log = self.folder / "muster.log"
        plan = self.plan if passes is None else replace(self.plan, concurrent_passes=passes)
        with server("muster", harness.MUSTER, env, self.slack.response_url(), log) as muster:
            measure(scale, muster, self.floor, self.default, self.arrivals, target, plan)


def small(run: Run, kind: str) -> Scale:
    scale = Scale(NAMES[kind], "small", 2)
    run.say(f"{scale.db}: small coalition…")
    with harness.database(kind, run.folder, run.admin, "small") as url:
        services = Muster(make_engine(url), clock=system_clock, coordinators=[COORDINATOR])
        small_coalition(services)
        services.engine.dispose()
        target = Target(OWN, "LAND", "LAND-1", COORDINATOR, system_clock())
        run.measure(scale, url, target, COORDINATOR, passes=COMPARED_PASSES)
    return scale


def scaled(run: Run, kind: str, pledges: int, *, exports: bool, burst: int) -> Scale:
    scale = Scale(NAMES[kind], label(pledges), pledges)
    say = run.say
    say(f"{scale.db}: {pledges:,} pledges: building…")
    with harness.database(kind, run.folder, run.admin, f"c{pledges}") as url:
        built = coalition.build(url, pledges=pledges, now=system_clock())
        scale.build_s = built.seconds
        target = Target(
            built.delegate, built.objective, built.requirement, built.coordinator, built.now
        )
        say(
            f"{scale.db}: {pledges:,} pledges, {built.events:,} events, built in {built.seconds:.0f} s; replies…"
        )
        run.measure(scale, url, target)
        if burst:
            run.bursts.append(
                bench_burst.burst(scale.db, url, built, run.slack, run.folder, burst, run.console)
            )
        say(f"{scale.db}: {pledges:,} pledges: tick" + (" and exports…" if exports else "…"))
        env = harness.serve_env(url, run.slack.api_url)
        operator_commands(
            scale, url, env, run.arrivals, target, run.folder, run.plan, exports=exports
        )
    return scale


if __name__ == "__main__":
    sys.exit(main())
