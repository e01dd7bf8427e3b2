"""The written report's words: coverage, dates, ages and changes as plain sentences,
in the four words and with the figures every reply uses (handlers.coverage,
bot.domain.wording), without Slack's markup or escaping."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.domain.model import CONDITION_LABELS, ConditionKind, Rollup, percent
from bot.domain.read_models import QuestionView, RequirementView
from bot.domain.wording import amount, counted, figure, is_singular, percents
from bot.services.digests import ChangeLine
from bot.services.report_model import Edition
from handlers.coverage import AVERAGE, MEANINGS, WORDS, counts

TITLE = "Force generation report"
EDITION_NAMES = {
    Edition.COALITION: "Coalition edition",
    Edition.COORDINATORS: "Coordinators' edition",
}
EDITION_NOTES = {
    Edition.COALITION: (
        "Releasable to every delegation: restricted pledges are counted inside the totals "
        "and shown nowhere else."
    ),
    Edition.COORDINATORS: (
        "Every pledge, restricted ones included, with its delegation and details: for the "
        "coordinators, not for release to delegations."
    ),
}
NO_LINE = "the whole plan"  # what a question about no line or objective is about
HINGE_PHRASES = {  # as the digest says them (handlers.digest)
    ConditionKind.US: "hinge on US enablers or a US backstop",
    ConditionKind.OTHER_BACKSTOP: "hinge on another nation's or a European backstop",
    ConditionKind.NATIONAL: "await national or parliamentary approval",
    ConditionKind.MANDATE: "await a mandate, a ceasefire or a host-nation invitation",
    ConditionKind.OTHER: "carry other conditions",
}
UNDISCLOSED_CLASS = "Restricted pledges (condition not disclosed in this edition)"


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def moment(at: datetime, zone: str) -> str:
    """A moment as the report's readers' clocks read it: "27 Nov 2026, 16:00"."""
    return f"{at.astimezone(ZoneInfo(zone)):%d %b %Y, %H:%M}".lstrip("0")


def day(on: date | None) -> str:
    return f"{on:%d %b %Y}".lstrip("0") if on else "—"


def local_day(at: datetime, zone: str) -> str:
    return day(at.astimezone(ZoneInfo(zone)).date())


def age(asked: datetime, as_of: datetime) -> str:
    """How long a question has waited: "6 days", "under a day"."""
    days = (as_of - asked).days
    return counted(days, "day") if days >= 1 else "under a day"


def about(question: QuestionView) -> str:
    return question.about or NO_LINE


def coverage_words(v: RequirementView) -> str:
    """A line's coverage in its own unit, as every reply says it, without the bar."""
    c = v.coverage
    words = (
        f"firm {figure(c.firm)} of {amount(c.required, v.unit)} ({percent(c.firm_share)}%)"
        f" · pending {figure(c.pending)} · conditional {figure(c.conditional)}"
        f" · open {figure(c.open)}"
    )
    return words + (f" · over-pledged {figure(c.over)}" if c.over else "")


def tags(v: RequirementView) -> str:
    """What kind of line it is: "critical, enabler"."""
    return ", ".join([v.priority.value, *(["enabler"] if v.enabler else [])])


def state(v: RequirementView) -> str:
    """Its rating in a word, and whether it is a critical shortfall."""
    c = v.coverage
    return capitalised(c.rating.value) + (", critical shortfall" if c.is_critical_shortfall else "")


def headline(rollup: Rollup) -> str:
    """The planner's counts, lines first, as a sentence."""
    return capitalised(counts(rollup)) + "." if rollup.count else "No requirements yet."


def average(rollup: Rollup) -> str:
    """The secondary figure, labelled as such."""
    if not rollup.count:
        return ""
    shares = " · ".join(f"{w} {p}%" for w, p in zip(WORDS, percents(rollup.shares), strict=True))
    return f"{capitalised(AVERAGE)} (a secondary figure: units are never added together): {shares}."


def legend() -> str:
    """What the four words and the ratings mean, as help defines them."""
    words = " ".join(f"{capitalised(w)}: {MEANINGS[w]}." for w in WORDS)
    return (
        f"{words} Firm + pending + conditional + open = the requirement; pledges beyond it "
        "are over-pledged. A line is filled when firm covers it: green when filled, amber "
        "from half firm, red below. A critical shortfall is a line that is critical or an "
        "enabler and not filled."
    )


def change(line: ChangeLine) -> str:
    """One change as the digest writes it: "P-3 OST → SEA-1: 2 → 3 ships"."""
    if line.before is not None and line.after is not None and line.before != line.after:
        figures = f"{figure(line.before)} → {amount(line.after, line.unit)}"
    else:
        figures = amount(line.after if line.after is not None else line.before or 0, line.unit)
    return f"{line.ref} {line.delegation} → {line.requirement}: {figures}"


def class_label(kind: ConditionKind | None) -> str:
    return capitalised(CONDITION_LABELS[kind]) if kind else UNDISCLOSED_CLASS


def hinge_sentence(kind: ConditionKind | None, amounts: Sequence[tuple[str, Decimal, str]]) -> str:
    """ "1 battlegroup (LAND-1) and 160 flight hours/month (SKY-3) hinge on US enablers or
    a US backstop"; a class that holds many lines is counted, and its table lists them."""
    if kind is None:
        return f"Restricted pledges hold conditional capacity on {counted(len(amounts), 'line')}."
    phrase = HINGE_PHRASES[kind]
    if len(amounts) > MAX_NAMED:
        return f"Conditional capacity on {counted(len(amounts), 'line')} {_singular(phrase)}."
    said = [f"{amount(q, unit)} ({code})" for code, q, unit in amounts]
    if len(amounts) == 1 and is_singular(amounts[0][1]):  # "1 battlegroup hinges on …"
        phrase = _singular(phrase)
    joined = ", ".join(said[:-1]) + " and " + said[-1] if len(said) > 1 else said[0]
    return f"{joined} {phrase}."


MAX_NAMED = 3  # lines a class's sentence names; beyond, it counts them


def _singular(phrase: str) -> str:
    """The phrase after a singular subject: "hinge on" -> "hinges on"."""
    verb, rest = phrase.split(" ", 1)
    return f"{verb[:-1]}ies {rest}" if verb.endswith("y") else f"{verb}s {rest}"
