"""`/muster report [coalition|coordinators] [draft]`: the co-chairs' written report as a
Word document, sent to the caller by direct message.

The command records the report at once (bot.services.report_issues), in the
request's own transaction, so a retried request is refused there and the document
goes once; it is built and uploaded after the acknowledgement, as `/muster export`
is. The same build writes the file for `muster report` on the command line."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from bot.domain.errors import BadInput, MusterError
from bot.services.muster import Muster
from bot.services.report_issues import IssueRequest
from bot.services.report_model import Edition
from bot.services.written_report import ANNEX_LIMIT, build_report
from handlers import usage as u
from handlers.blocks import Notice, Reply, simple
from handlers.charts import coverage_png, lines_png
from handlers.errors import message_for
from handlers.grammar import Args
from handlers.posting import post_notice
from handlers.report_blocks import Chart
from handlers.report_docx import docx_bytes
from handlers.report_layout import layout
from handlers.report_markdown import markdown
from handlers.report_words import EDITION_NAMES, TITLE, local_day
from handlers.routing import Route

FORMATS = ("docx", "md")


@dataclass(frozen=True)
class Report:
    edition: Edition = Edition.COALITION
    draft: bool = False  # sent, but not issued: the next report counts from the last issued


EDITION_WORDS = {"coalition": Edition.COALITION, "coordinators": Edition.COORDINATORS}
EDITION_WORDS["coordinator"] = Edition.COORDINATORS


def parse_report(args: Args) -> Report:
    edition: Edition | None = None
    draft = False
    for n, token in enumerate(args.tokens):
        word = args.word(n)
        if word == "draft" and not draft:
            draft = True
        elif word in EDITION_WORDS and edition is None:
            edition = EDITION_WORDS[word]
        else:
            raise BadInput(
                "The report comes in the `coalition` edition or the `coordinators` edition, "
                f"and may be a `draft`; not {token.text!r}.",
                str(u.REPORT),
            )
    return Report(edition or Edition.COALITION, draft)


def run_report(muster: Muster, user: str, cmd: Report) -> Reply:
    request = muster.report_issues.request(user, cmd.edition, draft=cmd.draft)
    name = EDITION_NAMES[cmd.edition]
    draft = " (a draft: the next report still counts its changes from the last one issued)"
    reply = simple(
        f"The {name[:1].lower()}{name[1:]} of the report is on its way as a direct message"
        f" (Word document){draft if cmd.draft else ''}."
    )
    reply.report = request
    return reply


# --- the file -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFile:
    content: bytes
    as_of: datetime
    filename: str
    title: str


def paint(chart: Chart) -> bytes:
    """A chart of the report as a PNG, drawn as the digest's is (handlers.charts)."""
    if chart.status is not None:
        return coverage_png(chart.status, chart.title)
    if chart.objective is None:
        raise ValueError(f"chart {chart.name!r} has nothing to draw")
    return lines_png(chart.objective, chart.title)


def build_file(
    muster: Muster,
    user: str,
    edition: Edition,
    fmt: str = "docx",
    *,
    as_of: datetime | None = None,
    annex_limit: int = ANNEX_LIMIT,
) -> ReportFile:
    """The report ``edition`` as a DOCX or Markdown file, for ``user`` (who must be
    entitled to it), as of ``as_of`` (now by the clock unless given)."""
    if fmt not in FORMATS:
        raise ValueError(f"no report as {fmt!r}")
    report = build_report(muster, user, edition, as_of=as_of, annex_limit=annex_limit)
    laid_out = layout(report)
    if fmt == "docx":
        content = docx_bytes(laid_out, report.as_of, paint)
    else:
        content = markdown(laid_out).encode()
    when = local_day(report.as_of, report.zone)
    stamp = f"{report.as_of.astimezone(ZoneInfo(report.zone)):%Y-%m-%d}"
    return ReportFile(
        content=content,
        as_of=report.as_of,
        filename=f"muster-report-{edition.value}-{stamp}.{fmt}",
        title=f"{TITLE}, {EDITION_NAMES[edition].lower()}, {when}",
    )


def send_report(
    muster: Muster, client: WebClient, request: IssueRequest, logger: logging.Logger
) -> None:
    """Build the report, send it by direct message, and mark it sent (or failed, with
    a word to the user: they asked for it and are waiting)."""
    built: ReportFile | None = None
    try:
        built = build_file(muster, request.user, request.edition)
        dm = client.conversations_open(users=request.user)["channel"]["id"]
        answer = client.files_upload_v2(
            channel=dm, content=built.content, filename=built.filename, title=built.title
        )
    except Exception as exc:
        said = message_for(exc, logger)
        muster.report_issues.finish(request.id, as_of=built.as_of if built else None, sent=False)
        sorry = (
            f"The report was not sent: {said}"  # refused, in the refusal's own words
            if isinstance(exc, MusterError)
            else "Sorry, the report could not be made or sent; please try again."
        )
        post_notice(client, Notice(request.user, sorry, []), logger)
        return
    files = answer.get("files") or [answer.get("file") or {}]
    muster.report_issues.finish(
        request.id, as_of=built.as_of, sent=True, file_id=str(files[0].get("id", ""))
    )


ROUTES = [Route(("report",), u.REPORT, parse_report, run_report)]
