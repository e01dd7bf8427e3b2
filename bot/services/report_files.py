"""The written report's rows, in the words a staff officer would send (statuses as
capitalised words, condition classes by their labels, yes or no), and the report as
CSV, written row by row as it is read (bot.services.report_reads), so the size of the
register never sits in memory. The workbook is laid out in bot.services.report_sheets.

The rows keep their types: whole numbers, dates and times stay numbers, dates and
times, for the spreadsheet to show as such; CSV writes them as digits and ISO dates."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import IO, Any
from zoneinfo import ZoneInfo

from bot.domain.access import SYSTEM
from bot.domain.conditions import CLASS_WORDS
from bot.domain.model import CONDITION_LABELS, ConditionKind, PledgeFigure, percent
from bot.domain.plaintext import printable
from bot.domain.read_models import (
    CallView,
    HistoryEntry,
    PledgeView,
    QuestionView,
    RequirementView,
    ResponseView,
)
from bot.domain.wording import figure, tidy
from bot.services.report_reads import ReportReads

REQUIREMENT_COLUMNS = [
    "Requirement",
    "Objective",
    "Title",
    "Required",
    "Unit",
    "Priority",
    "Enabler",
    "Needed by",
    "Firm",
    "Pending",
    "Conditional",
    "Open",
    "Over-pledged",
    "Firm %",
    "Rating",
    "Critical shortfall",
]
PLEDGE_COLUMNS = [
    "Pledge",
    "Requirement",
    "Delegation",
    "Pledged",
    "Unit",
    "Status",
    "Counts as",
    "Condition",
    "Condition class",
    "Caveats",
    "Available from",
    "Restricted",
    "Withdrawal reason",
    "Stale since",  # not reconfirmed in time: counts as pending, not firm, until it is
]
QUESTION_COLUMNS = [
    "Question",
    "Delegation",
    "About",
    "Status",
    "Asked",
    "Text",
    "Answer",
    "Answered",
]
CHANGE_COLUMNS = ["Requirement", "When", "What", "Action", "By", "Changes"]
CALL_COLUMNS = [
    "Call",
    "Lines",
    "Due",
    "Status",
    "Responded",
    "Of",
    "Nil returns",
    "Delegation",
    "Standing",
    "With",
    "Reason",
    "Answered",
]
STANDINGS = {"silent": "Silent", "responded": "Responded", "declined": "Nil return"}
NIL_RETURN = "Nil return"

# The CSV register is one table: each requirement, then the pledge shown against it,
# without the pledge's requirement and unit, which the requirement's columns give.
_REGISTER_PLEDGE = [n for n, c in enumerate(PLEDGE_COLUMNS) if c not in ("Requirement", "Unit")]
REGISTER_COLUMNS = REQUIREMENT_COLUMNS + [PLEDGE_COLUMNS[n] for n in _REGISTER_PLEDGE]

UTC_ZONE = ZoneInfo("UTC")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class State(StrEnum):
    """What a pledge counts as in its requirement's coverage."""

    FIRM = "Firm"
    PENDING = "Pending"
    CONDITIONAL = "Conditional"
    WITHDRAWN = "Withdrawn"


STATE_MEANINGS = {  # as help defines the words (handlers/coverage.py)
    State.FIRM: "Confirmed, with no open condition, and not stale",
    State.PENDING: "Offered, indicated or stale, without a condition: likely, not yet approved",
    State.CONDITIONAL: "Any live pledge that waits on an open condition, whatever its status",
    State.WITHDRAWN: "Withdrawn: no longer counted",
}
OPEN_MEANING = "What no live pledge covers"


def pledge_state(p: PledgeView) -> State:
    figure = PledgeFigure(
        p.quantity, p.status, conditional=p.condition_kind is not None, stale=p.stale
    )
    if not figure.is_live:
        return State.WITHDRAWN
    if figure.is_firm:
        return State.FIRM
    return State.CONDITIONAL if figure.conditional else State.PENDING


def word(value: StrEnum) -> str:
    """A stored value as a capitalised word: "offered" -> "Offered"."""
    return value.value[:1].upper() + value.value[1:]


def class_label(kind: ConditionKind | None) -> str:
    if kind is None:
        return ""
    label = CONDITION_LABELS[kind]
    return label[:1].upper() + label[1:]


def yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def local_time(at: datetime, zone: ZoneInfo) -> datetime:
    """A stored moment (aware) as the wall-clock time in ``zone``, without a zone: a
    spreadsheet keeps none, so the column's heading names it."""
    return at.astimezone(zone).replace(tzinfo=None, microsecond=0)


def zoned(heading: str, zone: ZoneInfo) -> str:
    return f"{heading} ({zone.key})"


def cell(value: Any) -> Any:
    """Text as a spreadsheet may safely hold it. Control characters are dropped, since
    one in any cell makes the whole XLSX unwritable and rows stored before they were
    refused must not break every export. Text a spreadsheet would run as a formula is
    written as text; numbers stay numbers. No text is no cell (None): a spreadsheet
    shows the two alike, and at 200,000 pledges the empty conditions, caveats and
    reasons alone would be a million cells to write."""
    if isinstance(value, Decimal):  # a quantity: 2 and 0.25, not 2.00
        return tidy(value)
    if not isinstance(value, str):
        return value
    # First: "\x01=cmd" must not slip past the formula check. Text str.isprintable()
    # passes holds nothing printable() strips; the check is many times cheaper than
    # the regular expression, and most cells pass it.
    if not value.isprintable():
        value = printable(value)
    if not value:
        return None
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def cells(row: list[Any]) -> list[Any]:
    return [cell(v) for v in row]


def requirement_row(v: RequirementView) -> list[Any]:
    c = v.coverage
    return [
        v.code,
        v.objective,
        v.title,
        v.quantity,
        v.unit,
        word(v.priority),
        yes_no(v.enabler),
        v.needed_by,
        c.firm,
        c.pending,
        c.conditional,
        c.open,
        c.over,
        percent(c.fill),
        word(c.rating),
        yes_no(c.is_critical_shortfall),
    ]


def pledge_row(p: PledgeView, zone: ZoneInfo = UTC_ZONE) -> list[Any]:
    return [
        p.ref,
        p.requirement,
        p.delegation,
        p.quantity,
        p.unit,
        word(p.status),
        pledge_state(p).value,
        p.condition,
        class_label(p.condition_kind),
        p.caveats,
        p.available_from,
        yes_no(p.restricted),
        p.withdrawn_reason,
        p.stale_since.astimezone(zone).date() if p.stale_since else None,
    ]


def question_row(q: QuestionView, zone: ZoneInfo) -> list[Any]:
    return [
        q.ref,
        q.delegation or "Undisclosed",
        q.about or "",
        word(q.status),
        local_time(q.asked_at, zone),
        q.text,
        q.answer,
        local_time(q.answered_at, zone) if q.answered_at else None,
    ]


def change_row(code: str, e: HistoryEntry, zone: ZoneInfo) -> list[Any]:
    action = e.action[:1].upper() + e.action[1:]
    by = "Muster" if e.actor == SYSTEM.user_id else e.actor or "Undisclosed"
    return [code, local_time(e.at, zone), e.subject, action, by, changes(e)]


def call_row(view: CallView, r: ResponseView, zone: ZoneInfo) -> list[Any]:
    """One delegation's standing on one call, with the call's tally beside it."""
    t = view.tally
    return [
        view.ref,
        ", ".join(v.code for v in view.lines),
        local_time(view.deadline, zone),
        "Open" if view.open else "Closed",
        t.responded,
        t.total,
        t.declined,
        r.delegation,
        STANDINGS[r.state.value],
        r.ref,
        r.reason,
        local_time(r.at, zone) if r.at else None,
    ]


def nil_return_row(call: str, r: ResponseView) -> list[Any]:
    """A nil return in the register, under a line of the call it answers, where a
    pledge would be: nothing offered, and why."""
    nothing = f"{call} nil return"
    return [
        nothing,
        r.delegation,
        None,
        NIL_RETURN,
        "Nothing to offer",
        "",
        "",
        "",
        None,
        "No",
        r.reason,
    ]


CREATION_ACTIONS = ("created", "asked", "added", "member added")
FIELD_NAMES = {"condition_kind": "condition class", "withdrawn_reason": "withdrawal reason"}


def changes(e: HistoryEntry) -> str:
    """What an audit event changed, in words: "status offered → confirmed"; for a new
    record only what it says."""
    said = []
    for name, before, after in e.changes:
        field = FIELD_NAMES.get(name) or name.replace("_", " ")
        if before is None and e.action in CREATION_ACTIONS:
            if after not in (None, "", False):
                said.append(f"{field} {_value(name, after)}")
        else:
            said.append(f"{field} {_value(name, before)} → {_value(name, after)}")
    return "; ".join(said)


def _value(name: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return yes_no(value).lower()
    if isinstance(value, int | Decimal):
        return figure(value)
    if name == "condition_kind" and str(value) in CLASS_WORDS:
        return CONDITION_LABELS[CLASS_WORDS[str(value)]]
    return str(value)


# --- CSV ------------------------------------------------------------------------------


def write_csv(report: ReportReads, out: IO[bytes], zone: ZoneInfo = UTC_ZONE) -> None:
    """The register in one table: each requirement with its coverage, once per pledge shown."""
    # The BOM makes spreadsheet programs read UTF-8; newline="" leaves csv's \r\n alone.
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    try:
        writer = csv.writer(text)
        writer.writerow(REGISTER_COLUMNS)
        writer.writerows(cells(row) for row in _register(report, zone))
        text.flush()
    finally:
        text.detach()  # the caller owns ``out``: letting go of the wrapper must not close it


def _register(report: ReportReads, zone: ZoneInfo) -> Iterator[list[Any]]:
    """Each requirement, once per pledge shown against it or once alone: one pass over
    the pledges, which come in the order of the requirements."""
    pledges = iter(report.pledges(by_requirement=True))
    upcoming = next(pledges, None)
    nil_returns = report.nil_returns()
    for v in report.requirements:
        requirement = requirement_row(v)
        alone = True
        while upcoming is not None and upcoming.requirement == v.code:
            pledge = pledge_row(upcoming, zone)
            yield requirement + [pledge[n] for n in _REGISTER_PLEDGE]
            alone, upcoming = False, next(pledges, None)
        for call, nil in nil_returns.get(v.code, []):
            yield requirement + nil_return_row(call, nil)
            alone = False
        if alone:
            yield requirement
    if upcoming is not None:  # the query's order and the list's disagree: never drop rows
        raise RuntimeError(f"{upcoming.ref} came out of the order of the requirements")


def stamp(at: datetime, zone: ZoneInfo) -> str:
    """The moment a report describes, as its readers' clocks read it."""
    return f"{at.astimezone(zone):%Y-%m-%d %H:%M} {zone.key}"
