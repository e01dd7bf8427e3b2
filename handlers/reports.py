"""Coverage by objective, the gap list, and the audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bot.domain.access import SYSTEM
from bot.domain.errors import BadInput
from bot.domain.model import Rollup
from bot.domain.read_models import History, HistoryEntry, Page, RequirementView, StatusReport
from bot.domain.wording import figure
from bot.services.muster import Muster
from handlers import usage as u
from handlers.blocks import MessageBuilder, Reply, esc, page_note, paginate
from handlers.coverage import LEGEND, average_line, counts
from handlers.grammar import Args, expect_end, paged
from handlers.rendered import GAPS, STATUS
from handlers.requirements import add_requirement_sections
from handlers.routing import Route
from handlers.times import slack_date

CREATION_ACTIONS = ("created", "asked", "added", "member added", "opened")


@dataclass(frozen=True)
class Status:
    objective: str | None = None


@dataclass(frozen=True)
class Gaps:
    page: Page = field(default_factory=Page)


@dataclass(frozen=True)
class ShowHistory:
    ref: str
    page: Page = field(default_factory=Page)


def parse_status(args: Args) -> Status:
    token = args.get(0)
    expect_end(args.tokens[1:], str(u.STATUS))
    return Status(token.text.upper() if token else None)


def parse_gaps(args: Args) -> Gaps:
    args, page = paged(args, str(u.GAPS))
    expect_end(args.tokens, str(u.GAPS))
    return Gaps(page)


def parse_history(args: Args) -> ShowHistory:
    args, page = paged(args, str(u.HISTORY))
    token = args.get(0)
    if token is None:
        raise BadInput("Which pledge, question or requirement?", str(u.HISTORY))
    expect_end(args.tokens[1:], str(u.HISTORY))
    return ShowHistory(token.text.upper(), page)


def objective_heading(code: str, name: str, rollup: Rollup) -> str:
    return f"*{code}* {esc(name)}: {counts(rollup)}" if rollup.count else f"*{code}* {esc(name)}"


def render_status(report: StatusReport, *, scope: str | None) -> Reply:
    title = "Coverage by objective" if scope is None else f"Coverage of {scope} by requirement"
    builder = MessageBuilder(title)
    overall = report.overall
    if scope is None:  # one objective's own heading says it all
        builder.lines(
            [f"*Overall*: {counts(overall)}", average_line(overall)]
            if overall.count
            else ["*Overall*: no requirements yet"]
        )
    for index, part in enumerate(report.objectives):
        if scope is None or index:
            builder.divider()
        builder.lines(
            [
                objective_heading(part.objective.code, part.objective.name, part.rollup),
                average_line(part.rollup),
            ]
        )
        if scope is not None:
            add_requirement_sections(builder, part.requirements, f"`/muster requirements {scope}`")
    builder.context(LEGEND)
    return builder.build()


def run_status(muster: Muster, user: str, cmd: Status) -> Reply:
    report = muster.reports.status(user, cmd.objective)
    return STATUS.reply(report, cmd.objective, lambda: render_status(report, scope=cmd.objective))


def render_gaps(views: Sequence[RequirementView], page: Page) -> Reply:
    """One page of the lines firm pledges do not fill yet, critical shortfalls first."""
    page, shown = paginate(views, page, "the gaps")
    builder = MessageBuilder(f"Gaps ({len(views):,})")
    if not views:
        return builder.line("Every requirement is firmly filled.").build()
    shortfalls = sum(1 for v in views if v.coverage.is_critical_shortfall)
    first = True
    for critical, heading, total in (
        (True, "Critical shortfalls", shortfalls),
        (False, "Other gaps", len(views) - shortfalls),
    ):
        part = [v for v in shown if v.coverage.is_critical_shortfall == critical]
        if not part:
            continue
        continued = ", continued" if part[0] is not views[0 if critical else shortfalls] else ""
        if not first:
            builder.divider()
        builder.line(f"*{heading} ({total:,}){continued}*")
        add_requirement_sections(builder, part, f"`/muster gaps page {page.number}`")
        first = False
    note = page_note(page, "gaps")
    builder.context(
        (note + " " if note else "") + "A gap is a line that firm pledges do not fill yet."
    )
    return builder.build()


def run_gaps(muster: Muster, user: str, cmd: Gaps) -> Reply:
    views = muster.reports.gaps(user)
    return GAPS.reply(views, cmd.page, lambda: render_gaps(views, cmd.page))


def _value(value: Any) -> str:
    if isinstance(value, bool):  # before the test below: False == 0 is no "—"
        return "yes" if value else "no"
    if value in (None, ""):
        return "—"
    if isinstance(value, Decimal):  # a quantity
        return figure(value)
    return esc(value)


def entry_line(entry: HistoryEntry) -> str:
    who = f"<@{entry.actor}>" if entry.actor else "a delegation"
    if entry.actor == SYSTEM.user_id:  # a round of reconfirmation: no one's command
        who = "Muster"
    line = f"{slack_date(entry.at)} · {entry.subject} {entry.action} by {who}"
    changes = []
    for name, before, after in entry.changes:
        if before is None and entry.action in CREATION_ACTIONS:
            if after not in (None, "", False):  # a new record: list only what it says
                changes.append(f"{name.replace('_', ' ')} {_value(after)}")
        else:
            changes.append(f"{name.replace('_', ' ')} {_value(before)} → {_value(after)}")
    return line + (": " + "; ".join(changes) if changes else "")


def render_history(history: History) -> Reply:
    builder = MessageBuilder(f"History of {history.ref} ({history.page.total:,})")
    if not history.entries:
        return builder.line("Nothing recorded yet.").build()
    builder.lines(entry_line(e) for e in history.entries)
    note = page_note(history.page, f"history {history.ref}", latest_first=True)
    return (builder.context(note) if note else builder).build()


def run_history(muster: Muster, user: str, cmd: ShowHistory) -> Reply:
    return render_history(muster.reports.history(user, cmd.ref, cmd.page))


ROUTES = [
    Route(("status",), u.STATUS, parse_status, run_status),
    Route(("gaps",), u.GAPS, parse_gaps, run_gaps),
    Route(("history",), u.HISTORY, parse_history, run_history),
]
