"""The written report's annexes: one per delegation, with its live pledges and its nil
returns, each on a page of its own so that it can be sent to its nation alone.

In the coalition's edition an annex holds only what every delegation may see: a
restricted pledge is in no annex and no annex counts it, so no annex total can be
set against a line's total to find it."""

from __future__ import annotations

from bot.domain.model import CONDITION_LABELS
from bot.domain.wording import amount, counted, figure
from bot.services.report_files import pledge_state
from bot.services.report_model import DelegationAnnex, WrittenReport
from bot.services.report_sheets import WORD_FILLS
from handlers.report_blocks import Block, Cell, Heading, Para, cell, table
from handlers.report_words import capitalised, day, moment

EXPORT = "/muster export xlsx"
NIL_RETURNS_NOTE = (
    "in the coordinators' edition: how a delegation answered a call is for the "
    "coordinators and that delegation."
)
RESTRICTED_NOTE = (
    "Restricted pledges are not listed in this edition: they are counted inside the "
    "totals of the sections by objective, with no delegation named."
)


def letter(index: int) -> str:
    """Annex letters as staff number them: A … Z, then AA, AB …"""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def annexes(report: WrittenReport) -> list[Block]:
    blocks: list[Block] = []
    for index, annex in enumerate(report.annexes):
        blocks.append(
            Heading(f"Annex {letter(index)} · {annex.name} ({annex.code})", page_break=True)
        )
        if not report.full:
            blocks.append(Para(RESTRICTED_NOTE, note=True))
        blocks += _pledges(annex, report.full, report.annex_limit)
        if report.shows_nil_returns:
            blocks += _nil_returns(annex, report.zone)
        else:
            blocks.append(Para(NIL_RETURNS_NOTE, lead="Nil returns: "))
    return blocks


def _pledges(annex: DelegationAnnex, full: bool, limit: int) -> list[Block]:
    if not annex.pledge_count:
        return [Para("No live pledge.", lead="Pledges: ")]
    if annex.by_line:
        said = (
            f"{counted(annex.pledge_count, 'live pledge')}, more than {limit:,}: summed per "
            f"line here; {EXPORT} lists each one."
        )
        return [Para(said, lead="Pledges: "), _line_table(annex)]
    said = counted(annex.pledge_count, "live pledge") + "."
    headers = ["Pledge", "Line", "Quantity", "Status", "Counts as", "Condition", "Caveats", "From"]
    rows: list[list[Cell | str]] = []
    for p in annex.pledges:
        counts_as = pledge_state(p).value
        status = p.status.value + (", stale" if p.stale else "")
        status += ", restricted" if full and p.restricted else ""
        condition = p.condition
        if p.condition_kind is not None:
            condition += f" ({CONDITION_LABELS[p.condition_kind]})"
        rows.append(
            [
                p.ref,
                p.requirement,
                amount(p.quantity, p.unit),
                capitalised(status),
                cell(counts_as, WORD_FILLS[counts_as]),
                condition,
                p.caveats,
                day(p.available_from) if p.available_from else "",
            ]
        )
    widths = [1.3, 1.5, 2.5, 1.8, 1.7, 3.7, 3.1, 1.8]
    return [Para(said, lead="Pledges: "), table(headers, rows, widths, right={2}, flex=5)]


def _line_table(annex: DelegationAnnex) -> Block:
    headers: list[Cell | str] = [
        "Line",
        "Pledges",
        cell("Firm", WORD_FILLS["Firm"], bold=True),
        cell("Pending", WORD_FILLS["Pending"], bold=True),
        cell("Conditional", WORD_FILLS["Conditional"], bold=True),
    ]
    rows = [
        [
            line.requirement,
            figure(line.pledges),
            amount(line.firm, line.unit),
            amount(line.pending, line.unit),
            amount(line.conditional, line.unit),
        ]
        for line in annex.lines
    ]
    return table(headers, rows, [2.0, 1.8, 4.4, 4.4, 4.4], right={1, 2, 3, 4})


def _nil_returns(annex: DelegationAnnex, zone: str) -> list[Block]:
    if not annex.nil_returns:
        return [Para("none recorded.", lead="Nil returns: ")]
    rows = [[n.about, moment(n.at, zone) if n.at else "", n.reason] for n in annex.nil_returns]
    said = counted(len(annex.nil_returns), "nil return") + " (nothing to offer, in writing)."
    return [
        Para(said, lead="Nil returns: "),
        table(["For", "Recorded", "Reason"], rows, [2.4, 3.6, 11.0], flex=2),
    ]
