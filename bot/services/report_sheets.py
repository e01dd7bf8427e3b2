"""The written report as a workbook a staff officer could send as it stands: a summary
sheet first (the as-of time, the marking, the counts `/muster status` gives, every
critical shortfall and a legend of the colours), then a sheet per objective, the
pledges, the questions, the calls for contributions (with the nil returns) and the
change log.

Every sheet opens with the marking (when MUSTER_MARKING sets one), its title and its
column headings, kept in view when scrolling and printed atop every page; the page
header and footer carry the marking too. Figures, dates and times are typed cells;
times are wall-clock times in MUSTER_TIMEZONE, which the headings name. Only the
cells that say something by colour are styled (headings, a pledge's state, a line's
rating)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import IO, Any
from zoneinfo import ZoneInfo

from bot.domain.model import Rating
from bot.domain.read_models import RequirementView, gaps_first
from bot.services import xlsx
from bot.services.report_files import (
    CALL_COLUMNS,
    CHANGE_COLUMNS,
    OPEN_MEANING,
    PLEDGE_COLUMNS,
    QUESTION_COLUMNS,
    REQUIREMENT_COLUMNS,
    STATE_MEANINGS,
    State,
    call_row,
    cell,
    cells,
    change_row,
    local_time,
    pledge_row,
    question_row,
    requirement_row,
    stamp,
    zoned,
)
from bot.services.report_reads import ReportReads
from bot.services.xlsx import Layout, Sheet, Style, Styled

TITLE = "Force generation report"

# Light tints of the colours every reply and the chart give the four words (firm green,
# pending blue, conditional yellow, open red: handlers/coverage.py) and the ratings
# (green, amber, red), dark text on each; grey for what no longer counts.
GREEN, BLUE, YELLOW, RED, AMBER, GREY = "C8E6C9", "BBDEFB", "FFF59D", "FFCDD2", "FFE0B2", "E0E0E0"
OPEN = "Open"
WORD_FILLS = {
    State.FIRM.value: GREEN,
    State.PENDING.value: BLUE,
    State.CONDITIONAL.value: YELLOW,
    OPEN: RED,
    State.WITHDRAWN.value: GREY,
}
RATING_FILLS = {Rating.GREEN: GREEN, Rating.AMBER: AMBER, Rating.RED: RED}
RATING_MEANINGS = {
    Rating.GREEN: "Firm pledges cover the whole requirement",
    Rating.AMBER: "Firm pledges cover at least half of it",
    Rating.RED: "Firm pledges cover less than half of it",
}
SHORTFALL = "Critical shortfall"
SHORTFALL_MEANING = "A line that is critical or an enabler and that firm pledges do not fill"

# Named styles, registered once per workbook.
MARKING, HEADING, SECTION, COLUMN_HEADING = "Marking", "Report title", "Section", "Column heading"
WHOLE, PART, PERCENT = "Whole number", "Part-units", "Share"
DAY, TIME = "Date", "Date and time"
NUMBER_FORMATS = {
    WHOLE: "#,##0",
    PART: "#,##0.0#",  # a quantity with part-units: 0.25, 1.5 (never rounded on screen)
    PERCENT: "0%",
    DAY: "yyyy-mm-dd",
    TIME: "yyyy-mm-dd hh:mm",
}
STYLES = [
    Style(MARKING, bold=True, colour="B71C1C"),
    Style(HEADING, bold=True, size=14),
    Style(SECTION, bold=True, size=12),
    Style(COLUMN_HEADING, bold=True, fill="D9D9D9", wrap=True),
    *(Style(name, number_format=f) for name, f in NUMBER_FORMATS.items()),
    *(Style(word, fill=fill) for word, fill in WORD_FILLS.items()),
    *(Style(f"{word} heading", bold=True, fill=fill) for word, fill in WORD_FILLS.items()),
    *(Style(f"Rating {r.value}", fill=fill) for r, fill in RATING_FILLS.items()),
    Style(SHORTFALL, bold=True, fill=RED),
]
COLOURED_HEADINGS = (*(s.value for s in State if s != State.WITHDRAWN), OPEN)

REQUIREMENT_WIDTHS = [12, 10, 44, 11, 16, 11, 9, 11, 11, 11, 11, 11, 11, 8, 9, 10]
PLEDGE_WIDTHS = [9, 12, 11, 11, 16, 11, 12, 36, 30, 30, 12, 10, 30, 12]
QUESTION_WIDTHS = [9, 11, 12, 10, 17, 60, 60, 17]
CHANGE_WIDTHS = [12, 17, 22, 14, 12, 80]
CALL_WIDTHS = [8, 30, 17, 9, 11, 6, 11, 11, 12, 9, 40, 17]
SUMMARY_WIDTHS = [46, 12, 16, 12, 12, 12, 10, 11, 9, 11]


class Report:
    """One workbook being written: the sheets share the marking, the zone and the
    page footer."""

    def __init__(self, report: ReportReads, out: IO[bytes], zone: ZoneInfo, marking: str) -> None:
        self.report, self.zone, self.marking = report, zone, marking
        self.book = xlsx.Workbook(out, STYLES)
        self.footer = f"{TITLE}, as of {stamp(report.generated_at, zone)}"

    def sheet(self, name: str, title: str, headings: Sequence[str], widths: list[int]) -> Sheet:
        """A sheet with its opening rows written: the marking, the title, the headings."""
        top = 3 if self.marking else 2
        layout = Layout(widths, top, 1, self.marking, self.footer)
        sheet = self.book.sheet(name, layout)
        self.open(sheet, title)
        sheet.append([self.heading(h) for h in headings])
        return sheet

    def open(self, sheet: Sheet, title: str) -> None:
        if self.marking:
            sheet.append([Styled(cell(self.marking), MARKING)])
        sheet.append([Styled(cell(title), HEADING)])

    def heading(self, text: str) -> Styled:
        style = f"{text} heading" if text in COLOURED_HEADINGS else COLUMN_HEADING
        return Styled(zoned(text, self.zone) if text in TIMED else text, style)


TIMED = ("Asked", "Answered", "When", "Due")


def write_xlsx(report: ReportReads, out: IO[bytes], zone: ZoneInfo, marking: str = "") -> None:
    """The summary, a sheet per objective, then the pledges, the questions and the
    change log, each streamed into the file as its rows are read (bot.services.xlsx).
    The summary is the first sheet but is written last, with what the others counted."""
    r = Report(report, out, zone, marking)
    summary = r.book.sheet("Summary", Layout(SUMMARY_WIDTHS, header=marking, footer=r.footer))
    for o in report.objectives:
        sheet = r.sheet(o.code, f"{o.code} {o.name}", REQUIREMENT_COLUMNS, REQUIREMENT_WIDTHS)
        for v in report.requirements:
            if v.objective == o.code:
                sheet.append(requirement_cells(v))
    # A function per register, so nothing of one is still referenced during the next.
    states, undisclosed = _pledges(r)
    open_questions = _questions(r)
    _calls(r)
    _changes(r)
    _summary(r, summary, states, undisclosed, open_questions)
    r.book.close()


R = {heading: n for n, heading in enumerate(REQUIREMENT_COLUMNS)}  # a line's columns
FIGURES = ["Required", "Firm", "Pending", "Conditional", "Open", "Over-pledged"]
SHORTFALL_COLUMNS = [
    "Required",
    "Unit",
    *FIGURES[1:5],
    "Firm %",
    "Priority",
    "Enabler",
    "Needed by",
]


def quantity_style(value: Any) -> str:
    """Whole numbers without decimals, part-units with theirs: a format of "#,##0"
    would show 0.25 as 0."""
    return WHOLE if not isinstance(value, Decimal) or value == value.to_integral_value() else PART


def requirement_cells(v: RequirementView) -> list[Any]:
    row = cells(requirement_row(v))
    for heading in FIGURES:
        row[R[heading]] = Styled(row[R[heading]], quantity_style(row[R[heading]]))
    row[R["Needed by"]] = Styled(row[R["Needed by"]], DAY)
    row[R["Firm %"]] = Styled(row[R["Firm %"]] / 100, PERCENT)
    row[R["Rating"]] = Styled(row[R["Rating"]], f"Rating {v.coverage.rating.value}")
    if v.coverage.is_critical_shortfall:
        shortfall = R[SHORTFALL]
        row[shortfall] = Styled(row[shortfall], SHORTFALL)
    return row


def _pledges(r: Report) -> tuple[Counter[State], int]:
    sheet = r.sheet("Pledges", "Pledges", PLEDGE_COLUMNS, PLEDGE_WIDTHS)
    states: Counter[State] = Counter()
    pledges = r.report.pledges()
    for p in pledges:
        row = cells(pledge_row(p, r.zone))
        state = State(row[6])
        states[state] += 1
        row[3] = Styled(row[3], quantity_style(row[3]))
        row[6] = Styled(row[6], state.value)  # a style per state, named after it
        sheet.append(row)
    if pledges.undisclosed:
        note = "Undisclosed pledges, counted in the totals but not listed"
        sheet.append([note, None, None, Styled(pledges.undisclosed, WHOLE)])
    return states, pledges.undisclosed


def _questions(r: Report) -> int:
    sheet = r.sheet("Questions", "Questions", QUESTION_COLUMNS, QUESTION_WIDTHS)
    open_questions = 0
    for q in r.report.questions():
        row = cells(question_row(q, r.zone))
        row[4] = Styled(row[4], TIME)
        if row[7] is not None:
            row[7] = Styled(row[7], TIME)
        open_questions += row[3] == "Open"
        sheet.append(row)
    return open_questions


def _calls(r: Report) -> None:
    """Each call for contributions, a row per delegation the reader may know of: its
    standing (a nil return with its reason), with the call's tally beside it."""
    sheet = r.sheet("Calls", "Calls for contributions", CALL_COLUMNS, CALL_WIDTHS)
    for view in r.report.calls:
        for standing in r.report.standings(view):
            row = cells(call_row(view, standing, r.zone))
            row[2] = Styled(row[2], TIME)
            row[4:7] = [Styled(n, WHOLE) for n in row[4:7]]
            if row[11] is not None:
                row[11] = Styled(row[11], TIME)
            sheet.append(row)


def _changes(r: Report) -> None:
    sheet = r.sheet("Change log", "Change log", CHANGE_COLUMNS, CHANGE_WIDTHS)
    for code, e in r.report.changes():
        row = cells(change_row(code, e, r.zone))
        row[1] = Styled(row[1], TIME)
        sheet.append(row)


# --- the summary ----------------------------------------------------------------------


def _summary(
    r: Report, sheet: Sheet, states: Counter[State], undisclosed: int, open_questions: int
) -> None:
    report = r.report
    overall = report.status.overall

    def whole(n: int) -> Styled:
        return Styled(n, WHOLE)

    r.open(sheet, TITLE)
    sheet.append([zoned("As of", r.zone), Styled(local_time(report.generated_at, r.zone), TIME)])
    sheet.append(["Edition", edition(report)])
    sheet.append([])
    sheet.append(["Lines filled", whole(overall.filled), "of", whole(overall.count)])
    sheet.append(
        [
            "Critical lines filled",
            whole(overall.critical_filled),
            "of",
            whole(overall.critical_count),
        ]
    )
    sheet.append([Styled("Critical shortfalls", SHORTFALL), whole(overall.critical_shortfalls)])
    sheet.append([])

    sheet.append([Styled("Coverage by objective", SECTION)])
    columns = ["Objective", "Lines", "Filled", "Critical lines", "Critical filled", SHORTFALL + "s"]
    sheet.append_styled(columns, COLUMN_HEADING)
    for part in report.status.objectives:
        o, rollup = part.objective, part.rollup
        figures = [rollup.count, rollup.filled, rollup.critical_count, rollup.critical_filled]
        figures.append(rollup.critical_shortfalls)
        sheet.append([cell(f"{o.code} {o.name}"), *map(whole, figures)])
    sheet.append([])

    shortfalls = [v for v in gaps_first(report.requirements) if v.coverage.is_critical_shortfall]
    sheet.append([Styled("Critical shortfalls, worst first", SECTION), whole(len(shortfalls))])
    if shortfalls:
        sheet.append([r.heading(h) for h in ["Requirement", *SHORTFALL_COLUMNS]])
        for v in shortfalls:
            row = requirement_cells(v)
            sheet.append([cell(f"{v.code} {v.title}"), *(row[R[h]] for h in SHORTFALL_COLUMNS)])
    else:
        sheet.append(["None: firm pledges fill every critical line and enabler."])
    sheet.append([])

    sheet.append([Styled("Pledges listed", SECTION), whole(sum(states.values()))])
    for state, meaning in STATE_MEANINGS.items():
        sheet.append([Styled(state.value, state.value), whole(states[state]), meaning])
    sheet.append([Styled(OPEN, OPEN), None, f"{OPEN_MEANING}: a line's figure, not a pledge's"])
    if undisclosed:
        sheet.append(["Undisclosed: in the totals, not listed", whole(undisclosed)])
    sheet.append(["Open questions", whole(open_questions)])
    sheet.append([])

    sheet.append([Styled("Lines by rating", SECTION), whole(overall.count)])
    ratings = Counter(c.rating for c in overall.lines)
    for rating, meaning in RATING_MEANINGS.items():
        label = Styled(rating.value.capitalize(), f"Rating {rating.value}")
        sheet.append([label, whole(ratings[rating]), meaning])
    shortfall = Styled(SHORTFALL, SHORTFALL)
    sheet.append([shortfall, whole(overall.critical_shortfalls), SHORTFALL_MEANING])


def edition(report: ReportReads) -> str:
    actor = report.actor
    if actor.is_coordinator:
        return "Coordinators' edition: every pledge, restricted ones included"
    return (
        f"Edition for {cell(actor.delegation_name or actor.delegation_code or '')}: other "
        "delegations' restricted pledges are counted in the totals, not listed"
    )
