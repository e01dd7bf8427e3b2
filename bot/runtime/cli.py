"""The `muster` command line."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from bot.runtime.cli_args import EXIT_CONFIG, moment
from bot.runtime.cli_report import add_report_parser
from bot.runtime.logs import configure as configure_logging
from bot.runtime.settings import Settings, SettingsError, load_settings, require

if TYPE_CHECKING:  # the database is imported only by the commands that use it
    from sqlalchemy.engine import Engine


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        return int(args.run(settings, args) or 0)
    except SettingsError as exc:
        print(f"muster: setting {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from bot.domain.errors import MusterError
        from bot.runtime.startup import Misconfigured
        from storage.db import DatabaseUnavailable, SchemaOutOfDate

        if isinstance(exc, SchemaOutOfDate | DatabaseUnavailable | MusterError | Misconfigured):
            print(f"muster: {exc}", file=sys.stderr)
            return EXIT_CONFIG
        raise


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="muster", description="Muster: force generation in Slack."
    )
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    console = sub.add_parser("console", help="chat with Muster in the terminal, no Slack needed")
    console.add_argument("--as", dest="user", help="Slack user id to act as")
    console.add_argument("--demo", action="store_true", help="start on a fresh demo coalition")
    console.set_defaults(run=_console)

    seed = sub.add_parser("seed-demo", help="seed the demo coalition into DATABASE_URL")
    seed.set_defaults(run=_seed_demo)

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="apply migrations").set_defaults(run=_db_upgrade)
    db_sub.add_parser("current", help="show the schema revision").set_defaults(run=_db_current)

    tick = sub.add_parser(
        "tick",
        help="run one scheduler tick: due digests, alerts, calls' reminders and closes, and "
        "direct messages, with the same claims",
    )
    tick.add_argument("--now", help="the moment to tick at, ISO-8601 with a zone (default: now)")
    tick.set_defaults(run=_tick)

    export = sub.add_parser(
        "export", help="write the register to a file (everything: for operators)"
    )
    export.add_argument("--format", choices=["csv", "xlsx", "json"], default="json")
    export.add_argument("-o", "--output", required=True, help="file to write")
    export.set_defaults(run=_export)

    add_report_parser(sub)

    restore = sub.add_parser(
        "import", help="restore a JSON export into an empty, migrated database"
    )
    restore.add_argument("file", help="a file written by `muster export --format json`")
    restore.set_defaults(run=_import)

    doctor = sub.add_parser(
        "doctor", help="check tokens, scopes, channel and database, and how to fix them"
    )
    doctor.set_defaults(run=_doctor)

    health = sub.add_parser(
        "health", help="is the server here healthy? database, and the socket or /healthz"
    )
    health.set_defaults(run=_health)

    serve = sub.add_parser("serve", help="connect to Slack: Socket Mode, or HTTP with --http")
    serve.add_argument(
        "--http", action="store_true", help="serve Slack's requests over HTTP (gunicorn)"
    )
    serve.add_argument("--host", default="0.0.0.0", help="HTTP address to bind (default 0.0.0.0)")  # noqa: S104
    serve.add_argument("--port", type=int, default=3000, help="HTTP port (default 3000)")
    serve.add_argument("--workers", type=int, default=2, help="HTTP worker processes (default 2)")
    serve.add_argument("--threads", type=int, default=16, help="threads per worker (default 16)")
    serve.set_defaults(run=_serve)
    return parser


def _engine(settings: Settings) -> Engine:
    from storage.db import make_engine

    return make_engine(settings.database_url)


def _console(settings: Settings, args: argparse.Namespace) -> int:
    try:
        from bot.runtime.console import ConsoleTransport, run_console
    except ImportError:  # the production image leaves the console and its stand-in out
        print(
            "muster: the console is not in this installation; run it from a checkout (make demo)",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    from bot.runtime.bootstrap import make_muster
    from bot.runtime.demo import COORDINATORS, seed_demo
    from storage.db import ensure_current, upgrade

    log_file = Path(tempfile.gettempdir()) / "muster-console.log"
    configure_logging(settings.muster_log_level, filename=log_file, secrets=_secrets(settings))
    if args.demo:
        folder = Path(tempfile.mkdtemp(prefix="muster-demo-"))
        settings = settings.model_copy(update={"database_url": f"sqlite:///{folder / 'demo.db'}"})
        upgrade(settings.database_url)
    muster = make_muster(settings)
    ensure_current(muster.engine)
    if args.demo:
        seed_demo(muster)
    user = (
        args.user
        or (COORDINATORS[0] if args.demo else next(iter(settings.muster_coordinators), ""))
    ).upper()
    if not user:
        print(
            "muster: say who you are with --as USER_ID (or set MUSTER_COORDINATORS)",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    transport = ConsoleTransport(
        settings, user=user, out=Console(highlight=False, soft_wrap=True), muster=muster
    )
    try:
        run_console(transport)
    finally:
        transport.close()
    return 0


def _seed_demo(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.runtime.bootstrap import make_muster
    from bot.runtime.demo import seed_demo
    from storage.db import ensure_current

    muster = make_muster(settings)
    ensure_current(muster.engine)
    seed_demo(muster)
    print("Seeded the demo coalition. Coordinators: UCOORD1, UCOORD2.")
    return 0


def _db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    from storage.db import current_revision, upgrade

    upgrade(settings.database_url)
    print(f"Database at revision {current_revision(_engine(settings))}.")
    return 0


def _db_current(settings: Settings, _args: argparse.Namespace) -> int:
    from storage.db import current_revision, head_revision

    current = current_revision(_engine(settings))
    head = head_revision()
    state = "up to date" if current == head else f"needs upgrade to {head}"
    print(f"{current or 'empty'} ({state})")
    return 0 if current == head else 1


def _tick(settings: Settings, args: argparse.Namespace) -> int:
    from bot.domain.clock import FixedClock, system_clock
    from bot.domain.wording import counted
    from bot.runtime.app import make_client
    from bot.runtime.bootstrap import make_muster
    from bot.runtime.scheduler import Ticker
    from storage.db import ensure_current

    clock = system_clock
    if args.now:
        when = moment(args.now, "--now")
        if when is None:
            return EXIT_CONFIG
        clock = FixedClock(when)  # the whole tick, claims and leases included, runs then
    muster = make_muster(settings, clock)
    ensure_current(muster.engine)
    now = clock()
    report = Ticker(muster, make_client(settings)).tick()
    print(
        f"tick at {now.isoformat()}: {counted(len(report.digests), 'digest')}, "
        f"{counted(len(report.alerts), 'alert')} posted, "
        f"{counted(report.notices + report.messages, 'direct message')} sent"
        + (f", unreachable: {', '.join(report.broken)}" if report.broken else "")
    )
    for line in report.digests + report.alerts:
        print(f"  {line}")
    return 0


def _export(settings: Settings, args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from bot.domain.access import OPERATOR
    from bot.runtime.bootstrap import make_muster
    from bot.services.exporting import write_dump, write_report
    from storage.db import ensure_current

    muster = make_muster(settings, operator=True)
    ensure_current(muster.engine)
    output = Path(args.output)
    # Written to the file as it is read; a failed export leaves no half-written file.
    try:
        with Progress(transient=True) as progress, output.open("wb") as out:
            task = progress.add_task("exporting", total=None)
            if args.format == "json":
                write_dump(
                    muster,
                    out,
                    lambda table, rows: progress.update(task, advance=rows, description=table),
                )
            else:  # operators see everything, as a coordinator does
                write_report(muster, OPERATOR, args.format, out)
    except BaseException:
        if output.is_file():
            output.unlink()
        raise
    print(f"Wrote {args.output} ({output.stat().st_size:,} bytes).")
    return 0


def _import(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from rich.progress import Progress

    from bot.runtime.bootstrap import make_muster
    from bot.services.exporting import restore
    from bot.services.importing import ImportRefused, check
    from storage.db import ensure_current

    def no_constant(name: str) -> None:  # NaN and Infinity are Python's, not JSON's
        raise ValueError(f"{name} is not a JSON value")

    muster = make_muster(settings)
    ensure_current(muster.engine)
    try:
        data = json.loads(Path(args.file).read_text(encoding="utf-8"), parse_constant=no_constant)
    except (OSError, ValueError, RecursionError) as exc:
        print(f"muster: cannot read {args.file}: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        checked = check(data)  # before anything is written, so a refusal leaves no trace
    except ImportRefused as refused:
        for line in refused.lines():
            print(f"muster: import refused: {line}", file=sys.stderr)
        return EXIT_CONFIG
    with Progress(transient=True) as progress:
        task = progress.add_task("importing", total=checked.row_count)
        counts = restore(muster, checked, lambda rows: progress.update(task, advance=rows))
    print("Imported " + ", ".join(f"{n} {table}" for table, n in counts.items() if n) + ".")
    return 0


def _doctor(settings: Settings, _args: argparse.Namespace) -> int:
    from rich.markup import escape
    from slack_sdk import WebClient

    from bot.runtime.bootstrap import make_muster
    from bot.runtime.doctor import run_checks

    def client_for(token: str | None) -> WebClient:
        return WebClient(token=token, base_url=settings.slack_api_url, timeout=10)

    bot_token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    checks = run_checks(settings, make_muster(settings), client_for(bot_token))
    console = Console(soft_wrap=True, highlight=False)
    for check in checks:
        mark = "[green]✓[/green]" if check.ok else "[red]✗[/red]"
        console.print(f"{mark} [bold]{escape(check.name)}[/bold]: {escape(check.detail)}")
        if check.fix:
            console.print(f"    → {escape(check.fix)}")
    failed = [c for c in checks if not c.ok]
    print(f"{len(checks) - len(failed)} of {len(checks)} checks passed.")
    return 1 if failed else 0


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from bot.runtime.lifecycle import Stop, Stopped
    from bot.runtime.serve import serve_over_http, serve_socket_mode

    require(settings, "slack_bot_token", "slack_signing_secret" if args.http else "slack_app_token")
    configure_logging(
        settings.muster_log_level, secrets=_secrets(settings), kind=settings.muster_log_format
    )
    stop = Stop().install()  # from here on SIGTERM and SIGINT stop gracefully
    try:
        if args.http:
            return serve_over_http(
                settings,
                stop,
                host=args.host,
                port=args.port,
                workers=args.workers,
                threads=args.threads,
            )
        return serve_socket_mode(settings, stop)
    except Stopped:
        return 0  # asked to stop while waiting for Slack or the database: nothing to undo


def _health(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.runtime.bootstrap import make_muster
    from bot.runtime.doctor import check_database
    from bot.runtime.health import health_file, server_state

    muster = make_muster(settings)
    database = check_database(muster)
    muster.engine.dispose()
    if not database.ok:
        print(f"unhealthy: database {database.detail}")
        return 1
    ok, how = server_state(health_file(settings))
    print(f"{'healthy' if ok else 'unhealthy'}: database reachable and migrated; {how}")
    return 0 if ok else 1


def _secrets(settings: Settings) -> list[str | None]:
    """The settings' secret values, for the log filter to blank wherever they appear."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    secrets = [
        value.get_secret_value()
        for value in (
            settings.slack_bot_token,
            settings.slack_signing_secret,
            settings.slack_app_token,
        )
        if value is not None
    ]
    try:
        password = make_url(settings.database_url).password
    except ArgumentError:  # make_engine reports it, later, in its own words
        password = None
    return [*secrets, password if isinstance(password, str) else None]


if __name__ == "__main__":
    sys.exit(main())
