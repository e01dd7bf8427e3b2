"""Coverage by objective, the gap list, and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from bot.domain.errors import BadInput
from bot.domain.model import Rollup, percent
from bot.domain.read_models import History, HistoryEntry, Page, StatusReport
from bot.services.muster import Muster
from handlers import usage as u
from handlers.blocks import RATING_ICON, MessageBuilder, Reply, esc, page_note
from handlers.grammar import Args, expect_end, paged
from handlers.requirements import add_requirement_sections
from handlers.routing import Route
from handlers.times import slack_date

BAR_WIDTH = 20
CREATION_ACTIONS = ("created", "asked", "added", "member added")


@dataclass(frozen=True)
class Status:
    objective: str | None = None


@dataclass(frozen=True)
class Gaps:
    pass


@dataclass(frozen=True)
class ShowHistory:
    ref: str
    page: Page = field(default_factory=Page)


def parse_status(args: Args) -> Status:
    token = args.get(0)
    expect_end(args.tokens[1:], str(u.STATUS))
    return Status(token.text.upper() if token else None)


def parse_gaps(args: Args) -> Gaps:
    expect_end(args.tokens, str(u.GAPS))
    return Gaps()


def parse_history(args: Args) -> ShowHistory:
    args, page = paged(args, str(u.HISTORY))
    token = args.get(0)
    if token is None:
        raise BadInput("Which pledge, question or requirement?", str(u.HISTORY))
    expect_end(args.tokens[1:], str(u.HISTORY))
    return ShowHistory(token.text.upper(), page)


def bar(firm: Fraction, conditional: Fraction) -> str:
    """A text bar: █ firm, ▒ conditional, ░ still open."""
    firm_cells = int(firm * BAR_WIDTH)
    conditional_cells = min(BAR_WIDTH - firm_cells, int(conditional * BAR_WIDTH))
    return (
        "█" * firm_cells
        + "▒" * conditional_cells
        + "░" * (BAR_WIDTH - firm_cells - conditional_cells)
    )


def rollup_line(rollup: Rollup) -> str:
    if not rollup.count:
        return "no requirements yet"
    icon = RATING_ICON[rollup.rating] if rollup.rating else ""
    shortfalls = rollup.critical_shortfalls
    return (
        f"`{bar(rollup.firm_share, rollup.conditional_share)}` {icon} "
        f"firm {percent(rollup.firm_share)}% · conditional {percent(rollup.conditional_share)}% · "
        f"gap {100 - percent(rollup.firm_share)}% · {rollup.count} requirement(s)"
        + (f" · *{shortfalls} critical shortfall(s)*" if shortfalls else "")
    )


def headline(rollup: Rollup) -> str:
    return (
        f"{rollup.count} requirements: {rollup.filled} filled, {rollup.partly_filled} partly filled, "
        f"{rollup.empty} empty · {rollup.critical_shortfalls} critical shortfall(s)"
    )


def render_status(report: StatusReport, *, scope: str | None) -> Reply:
    title = "Coverage by objective" if scope is None else f"Coverage of {scope} by requirement"
    builder = MessageBuilder(title)
    builder.lines(
        [
            f"*{'All objectives' if scope is None else scope}* {headline(report.overall)}",
            rollup_line(report.overall),
        ]
    )
    for part in report.objectives:
        builder.divider()
        builder.lines(
            [f"*{part.objective.code}* {esc(part.objective.name)}", rollup_line(part.rollup)]
        )
        if scope is not None:
            add_requirement_sections(builder, part.requirements)
    builder.context(
        "Firm = confirmed with no open condition. Conditional = indicated, offered or conditional. "
        "Shares are averaged per requirement; units are never added together."
    )
    return builder.build()


def run_status(muster: Muster, user: str, cmd: Status) -> Reply:
    return render_status(muster.reports.status(user, cmd.objective), scope=cmd.objective)


def run_gaps(muster: Muster, user: str, _cmd: Gaps) -> Reply:
    views = muster.reports.gaps(user)
    builder = MessageBuilder(f"Gaps ({len(views)})")
    if not views:
        return builder.line("Every requirement is firmly filled.").build()
    shortfalls = [v for v in views if v.coverage.is_critical_shortfall]
    if shortfalls:
        builder.line(f"*Critical shortfalls ({len(shortfalls)})*")
        add_requirement_sections(builder, shortfalls)
    others = [v for v in views if not v.coverage.is_critical_shortfall]
    if others:
        builder.divider().line(f"*Other gaps ({len(others)})*")
        add_requirement_sections(builder, others)
    return builder.build()


def _value(value: Any) -> str:
    if value in (None, ""):
        return "—"
    return esc(value)


def entry_line(entry: HistoryEntry) -> str:
    who = f"<@{entry.actor}>" if entry.actor else "a delegation"
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
