"""The written report laid out: the cover line, the one-page summary, a section per
objective, conditional capacity, the questions, then an annex per delegation, as
blocks (handlers.report_blocks) that the DOCX and Markdown renderers both walk.

Nothing is cut without saying so: a list the summary shortens says how many more
there are and where they are, and every figure is one the services computed."""

from __future__ import annotations

from bot.domain.read_models import ObjectiveStatus, QuestionView
from bot.domain.wording import amount, counted, figure
from bot.services.digests import Changes
from bot.services.report_model import OpenCall, WrittenReport
from bot.services.report_sheets import RATING_FILLS, WORD_FILLS
from handlers.report_annexes import annexes
from handlers.report_blocks import Block, Bullets, Cell, Chart, Heading, Layout, Para, cell, table
from handlers.report_words import (
    EDITION_NAMES,
    EDITION_NOTES,
    TITLE,
    about,
    age,
    average,
    change,
    class_label,
    coverage_words,
    day,
    headline,
    hinge_sentence,
    legend,
    local_day,
    moment,
    state,
    tags,
)

MAX_SHORTFALLS = 12  # named in the summary; every one is in its objective's table
MAX_DECISIONS = 10  # questions named in the summary; every one is under Open questions
MAX_CHANGES = 6  # changes of each kind named in the summary; the change log has every one
EXPORT = "/muster export xlsx"
FOUR = ("Firm", "Pending", "Conditional", "Open")


def layout(report: WrittenReport) -> Layout:
    edition = EDITION_NAMES[report.edition]
    stamp = f"{moment(report.as_of, report.zone)} ({report.zone})"
    blocks: list[Block] = [*cover(report, edition, stamp), *summary(report)]
    for index, part in enumerate(report.status.objectives):
        blocks += objective_section(part, first=index == 0)
    blocks += capacity_section(report)
    blocks += questions_section(report)
    blocks += annexes(report)
    return Layout(
        title=TITLE,
        subject=edition,
        marking=report.marking,
        footer=f"{TITLE} · {edition} · as of {stamp}",
        blocks=blocks,
    )


# --- the cover line and the summary --------------------------------------------------


def cover(report: WrittenReport, edition: str, stamp: str) -> list[Block]:
    lines: list[Block] = [Heading(TITLE, level=0)]
    if report.coalition:
        lines.append(Para(report.coalition, lead="Coalition: "))
    lines += [
        Para(stamp, lead="As of: "),
        Para(EDITION_NOTES[report.edition], lead=f"{edition}. "),
    ]
    return lines


def summary(report: WrittenReport) -> list[Block]:
    overall = report.status.overall
    blocks: list[Block] = [Heading("Summary"), Para(headline(overall))]
    if overall.count:
        blocks += [
            Para(average(overall), note=True),
            Chart(
                "Coverage by objective", "Coverage by objective", status=report.status, width=10.0
            ),
        ]
    blocks += _shortfalls(report)
    blocks += _changes(report)
    blocks += _calls(report)
    blocks += _decisions(report)
    return blocks


def _shortfalls(report: WrittenReport) -> list[Block]:
    found = report.shortfalls
    if not found:
        return [
            Para(
                "none: firm pledges fill every critical line and enabler.",
                lead="Critical shortfalls: ",
            )
        ]
    items = [Para(coverage_words(v), lead=f"{v.code} {v.title}: ") for v in found[:MAX_SHORTFALLS]]
    if len(found) > MAX_SHORTFALLS:
        more = len(found) - MAX_SHORTFALLS
        items.append(Para(f"…and {more:,} more, each marked in its objective's table."))
    return [
        Para("", lead=f"Critical shortfalls ({len(found):,}), worst first:"),
        Bullets(tuple(items)),
    ]


def _since(report: WrittenReport) -> str:
    if report.previous is None:
        return (
            f"in the 7 days to {local_day(report.as_of, report.zone)}"
            " (no earlier report of this edition)"
        )
    return f"since the previous report of {moment(report.previous, report.zone)}"


def _changes(report: WrittenReport) -> list[Block]:
    lead = f"Changes {_since(report)}: "
    items = change_items(report.changes)
    if not items:
        return [Para("none.", lead=lead)]
    return [Para("", lead=lead.rstrip()), Bullets(tuple(items))]


def change_items(changes: Changes) -> list[Para]:
    """Each kind of change with its count and its first few lines; the change log has
    them all."""
    items = []
    for label, kind in (
        ("New", "new"),
        ("Raised", "raised"),
        ("Reduced", "reduced"),
        ("Confirmed", "confirmed"),
        ("Withdrawn", "withdrawn"),
    ):
        total = changes.count(kind)
        if not total:
            continue
        shown = [change(line) for line in getattr(changes, kind)][:MAX_CHANGES]
        text = "; ".join(shown)
        if total > len(shown):
            text += f"; …and {total - len(shown):,} more (the change log of {EXPORT} lists each)"
        items.append(Para(text + ".", lead=f"{label} ({total:,}): "))
    for label, refs in (
        ("Questions asked", changes.asked),
        ("Questions answered", changes.answered),
    ):
        if refs:
            items.append(Para(", ".join(refs) + ".", lead=f"{label} ({len(refs):,}): "))
    if changes.undisclosed:
        said = counted(changes.undisclosed, "change")
        items.append(Para(f"{said} to undisclosed pledges, counted in the totals."))
    return items


def _calls(report: WrittenReport) -> list[Block]:
    blocks: list[Block] = []
    if report.calls:
        items = tuple(Para(call_words(c, report.zone), lead=f"{c.ref}: ") for c in report.calls)
        blocks += [
            Para("", lead=f"Open calls for contributions ({len(report.calls):,}):"),
            Bullets(items),
        ]
    else:
        blocks.append(Para("none open.", lead="Calls for contributions: "))
    lead = "Not heard from in the same period: "
    if report.silent:
        blocks.append(
            Para(", ".join(f"{code} {name}" for code, name in report.silent) + ".", lead=lead)
        )
    else:
        blocks.append(Para("every delegation pledged or asked something.", lead=lead))
    return blocks


def call_words(call: OpenCall, zone: str) -> str:
    """ "SKY-1, SKY-2, due 4 Dec 2026, 12:00: 5 of 7 responded (1 nil return); silent:
    CAL, MER" in the digest's words (bot.domain.calls.Tally)."""
    return f"{', '.join(call.lines)}, due {moment(call.due, zone)}: {call.tally.sentence()}."


def _decisions(report: WrittenReport) -> list[Block]:
    found = report.decisions
    lead = f"Decisions needed ({len(found):,}): "
    if not found:
        return [Para("no open question holds up a line with a gap.", lead=lead)]
    items = [
        Para(q.text, lead=f"{q.ref} ({about(q)}, {age(q.asked_at, report.as_of)}): ")
        for q in found[:MAX_DECISIONS]
    ]
    if len(found) > MAX_DECISIONS:
        items.append(Para(f"…and {len(found) - MAX_DECISIONS:,} more, under Open questions."))
    explain = (
        "open questions about a line with a gap, its objective or the whole plan, oldest first:"
    )
    return [Para(explain, lead=lead), Bullets(tuple(items))]


# --- a section per objective ---------------------------------------------------------


def objective_section(part: ObjectiveStatus, *, first: bool) -> list[Block]:
    o = part.objective
    blocks: list[Block] = [Heading(f"{o.code} · {o.name}", page_break=first)]
    if first:  # once, above the first table of figures
        blocks.append(Para(legend(), lead="How to read the figures. ", note=True))
    blocks.append(Para(headline(part.rollup)))
    if not part.rollup.count:
        return blocks
    blocks.append(Para(average(part.rollup), note=True))
    headers: list[Cell | str] = [
        "Line",
        "Requirement",
        "Required",
        *(cell(w, WORD_FILLS[w], bold=True) for w in FOUR),
    ]
    headers += ["State", "Needed by"]
    rows: list[list[Cell | str]] = []
    for v in part.requirements:
        c = v.coverage
        open_words = figure(c.open) + (f" (over-pledged {figure(c.over)})" if c.over else "")
        rows.append(
            [
                v.code,
                f"{v.title}\n{tags(v)}",
                amount(c.required, v.unit),
                figure(c.firm),
                figure(c.pending),
                figure(c.conditional),
                open_words,
                cell(state(v), RATING_FILLS[c.rating], bold=c.is_critical_shortfall),
                day(v.needed_by),
            ]
        )
    widths = [1.5, 3.6, 2.3, 1.3, 1.6, 2.0, 1.3, 1.9, 1.9]
    blocks.append(table(headers, rows, widths, right={2, 3, 4, 5, 6}, flex=1))
    blocks.append(
        Chart(f"Coverage of {o.code}", f"{o.code} {o.name}: coverage by line", objective=part)
    )
    return blocks


# --- conditional capacity and the questions -------------------------------------------


def capacity_section(report: WrittenReport) -> list[Block]:
    blocks: list[Block] = [
        Heading("Capacity by condition", page_break=True),
        Para(
            "Live pledges that wait on an open condition (conditional), by the class of "
            "their condition, with the lines each holds."
        ),
    ]
    if not report.capacity:
        return [*blocks, Para("No pledge waits on a condition.")]
    blocks.append(
        Bullets(
            tuple(
                Para(hinge_sentence(c.kind, c.amounts), lead=f"{class_label(c.kind)}: ")
                for c in report.capacity
            )
        )
    )
    titles = {v.code: v.title for p in report.status.objectives for v in p.requirements}
    rows = [
        [class_label(c.kind), code, titles.get(code, ""), amount(quantity, unit)]
        for c in report.capacity
        for code, quantity, unit in c.amounts
    ]
    headers: list[Cell | str] = [
        "Condition class",
        "Line",
        "Requirement",
        cell("Conditional", WORD_FILLS["Conditional"], bold=True),
    ]
    blocks.append(table(headers, rows, [4.6, 1.6, 7.4, 3.4], right={3}, flex=2))
    return blocks


def questions_section(report: WrittenReport) -> list[Block]:
    found = report.open_questions
    blocks: list[Block] = [Heading("Open questions", page_break=True)]
    if found:
        blocks.append(
            Para(
                f"{counted(len(found), 'open question')}, oldest first; "
                f"{counted(len(report.decisions), 'holds', 'hold')} up a line with a gap "
                "(the decisions needed)."
            )
        )
        blocks.append(_question_table(report, found))
    else:
        blocks.append(Para("No question is open."))
    blocks.append(Heading("Answers published to all", level=2))
    if not report.published:
        return [*blocks, Para("No answer has been published to every delegation yet.")]
    rows = [
        [
            q.ref,
            about(q),
            local_day(q.published_at or q.answered_at or q.asked_at, report.zone),
            q.text,
            q.answer,
        ]
        for q in report.published
    ]
    blocks.append(
        table(
            ["Question", "About", "Published", "Asked", "Answer"],
            rows,
            [1.6, 2.0, 2.2, 5.2, 6.0],
            flex=4,
        )
    )
    return blocks


def _question_table(report: WrittenReport, found: tuple[QuestionView, ...]) -> Block:
    blocking = {q.ref for q in report.decisions}
    headers = ["Question", "About", "Asked", "Waiting", "Holds up a gap"]
    widths = [1.6, 2.0, 2.2, 1.8, 1.6]
    if report.full:
        headers.append("Asked by")
        widths.append(1.6)
    headers.append("Text")
    widths.append(17.0 - sum(widths))
    rows = []
    for q in found:
        row = [
            q.ref,
            about(q),
            local_day(q.asked_at, report.zone),
            age(q.asked_at, report.as_of),
            "Yes" if q.ref in blocking else "No",
        ]
        if report.full:
            row.append(q.delegation or "")
        rows.append([*row, q.text])
    return table(headers, rows, widths, flex=len(widths) - 1)
