"""`/muster export`: the written report as a file, sent to the asker directly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.domain.errors import BadInput
from bot.services.exporting import write_report
from bot.services.muster import Muster
from handlers import usage as u
from handlers.blocks import ExportRequest, Reply, simple
from handlers.grammar import Args, expect_end
from handlers.routing import Route


@dataclass(frozen=True)
class Export:
    format: str = "xlsx"


def parse_export(args: Args) -> Export:
    fmt = args.word(0) or "xlsx"
    if fmt not in ("csv", "xlsx"):
        raise BadInput(f"Export as csv or xlsx, not {fmt!r}.", str(u.EXPORT))
    expect_end(args.tokens[1:], str(u.EXPORT))
    return Export(fmt)


def run_export(muster: Muster, user: str, cmd: Export) -> Reply:
    muster.require_registered(user)  # the file follows later; the refusal must not
    reply = simple(f"Your {cmd.format.upper()} report is on its way as a direct message.")
    reply.upload = ExportRequest(user=user, format=cmd.format)
    return reply


@dataclass(frozen=True)
class ExportFile:
    path: Path
    filename: str
    title: str


def build_export(muster: Muster, request: ExportRequest, folder: Path) -> ExportFile:
    """The report this user may see, nothing more, written to a file in ``folder`` as
    it is read. It is never built in memory; slack_sdk reads the finished file (tens
    of MB at most) when it uploads it."""
    path = folder / f"report.{request.format}"
    with path.open("wb") as out:
        generated_at = write_report(muster, request.user, request.format, out)
    stamp = f"{generated_at.astimezone(ZoneInfo(muster.timezone)):%Y-%m-%d}"  # the report's date
    return ExportFile(path, f"muster-{stamp}.{request.format}", f"Muster report {stamp}")


ROUTES = [Route(("export",), u.EXPORT, parse_export, run_export)]
