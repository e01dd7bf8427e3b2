"""`muster report`: the co-chairs' written report to a file, either edition, DOCX or
Markdown, recorded as issued only when asked (--record)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.runtime.cli_args import EXIT_CONFIG, moment
from bot.runtime.settings import Settings


def add_report_parser(sub: Any) -> None:
    """`muster report`, among the subcommands ``sub``."""
    report = sub.add_parser(
        "report",
        help="write the co-chairs' written report (DOCX or Markdown) to a file",
        description=(
            "Write the co-chairs' report as of now, or as of --as-of: the figures are the "
            "database's as they stand; question ages and the changes since the previous "
            "report run to that moment. Nothing is recorded unless --record: then this "
            "report is issued, and the next one of its edition counts its changes from it."
        ),
    )
    report.add_argument("--edition", choices=["coalition", "coordinators"], required=True)
    report.add_argument("--format", choices=["docx", "md"], default="docx")
    report.add_argument("-o", "--output", required=True, help="file to write")
    report.add_argument("--as-of", help="the moment it describes, ISO-8601 with a zone")
    report.add_argument(
        "--record", action="store_true", help="record it as issued (the next report counts from it)"
    )
    report.set_defaults(run=run_report)


def run_report(settings: Settings, args: argparse.Namespace) -> int:
    from bot.domain.access import OPERATOR
    from bot.domain.clock import FixedClock, system_clock
    from bot.runtime.bootstrap import make_muster
    from bot.services.report_model import Edition
    from handlers.written_report import build_file
    from storage.db import ensure_current

    clock = system_clock
    if args.as_of:
        when = moment(args.as_of, "--as-of")
        if when is None:
            return EXIT_CONFIG
        clock = FixedClock(when)
    output = Path(args.output)
    if not output.parent.is_dir():  # before minutes of work, not after
        print(f"muster: cannot write {args.output}: no folder {output.parent}", file=sys.stderr)
        return EXIT_CONFIG
    muster = make_muster(settings, clock, operator=True)
    ensure_current(muster.engine)
    edition = Edition(args.edition)
    # Operators see everything, as a coordinator does; the file is written whole.
    built = build_file(muster, OPERATOR, edition, args.format, as_of=clock())
    output.write_bytes(built.content)
    if args.record:
        muster.report_issues.record(OPERATOR, edition, built.as_of)
    recorded = " and recorded it as issued" if args.record else ""
    print(f"Wrote {args.output} ({len(built.content):,} bytes){recorded}.")
    return 0
