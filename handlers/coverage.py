"""Coverage in words and colours, the same in every reply, the digest, the Home tab,
the chart and help: four words with one meaning each (firm, pending, conditional,
open), one colour each, and counts of lines before any averaged share."""

from __future__ import annotations

from fractions import Fraction

from bot.domain.model import Coverage, Rating, Rollup, percent
from bot.domain.read_models import RequirementView
from bot.domain.wording import amount, figure, percents
from handlers.blocks import RATING_ICON, esc

# The four words in the order a bar stacks them, with their colour as an emoji square
# (replies, digest, Home, help) and as the chart's colour (handlers/charts.py).
WORDS = ("firm", "pending", "conditional", "open")
SQUARES = {"firm": "🟩", "pending": "🟦", "conditional": "🟨", "open": "🟥"}
COLOURS = {"firm": "#2e7d32", "pending": "#1565c0", "conditional": "#f9a825", "open": "#c62828"}
BAR_CELLS = 10

MEANINGS = {
    "firm": "confirmed, with no open condition, and not stale",
    "pending": "offered, indicated or stale, without a condition: likely, not yet approved"
    " (a stale pledge is one its delegation has not reconfirmed in time)",
    "conditional": "any live pledge that waits on an open condition, whatever its status",
    "open": "what no live pledge covers",
}
POSTURES = {
    "committed": "at least half of its live pledges are firm",
    "considering": "it has pledged or asked, but less than half of its live pledges are firm",
    "not yet positioned": "no live pledge and no question yet",
}
AVERAGE = "average of lines"

LEGEND = (
    " · ".join(f"{SQUARES[w]} {w}: {MEANINGS[w].split(':')[0]}" for w in WORDS)
    + ". A line is filled when firm covers it. "
    + f"Shares are an {AVERAGE}: units are never added together."
)


def definitions() -> list[str]:
    """What each word means, for help."""
    green, amber, red = (RATING_ICON[r] for r in (Rating.GREEN, Rating.AMBER, Rating.RED))
    return [
        "*What the figures mean*",
        *(f"{SQUARES[w]} *{w}*: {MEANINGS[w]}." for w in WORDS),
        "Firm + pending + conditional + open = the requirement; pledges beyond it show "
        "as *over-pledged*, never as a negative open.",
        f"A line is *filled* when firm covers it: {green} filled, {amber} half firm or more, "
        f"{red} less than half. A line that is critical or an enabler and not filled is a "
        "*critical shortfall*: critical lines filled + critical shortfalls = all critical lines.",
        "Reports count lines first: lines filled, critical lines filled, critical shortfalls. "
        f"The *{AVERAGE}* is the mean of the lines' shares, a secondary figure.",
        "*Postures* of delegations: "
        + "; ".join(f"*{name}*: {meaning}" for name, meaning in POSTURES.items())
        + ".",
    ]


def bar(shares: tuple[Fraction, Fraction, Fraction, Fraction]) -> str:
    """Ten coloured cells: firm, pending, conditional, open. Firm is rounded down, so a
    bar is all green only when the line is filled."""
    cells = percents(shares, BAR_CELLS) if sum(shares) == 1 else [0, 0, 0, BAR_CELLS]
    return "".join(SQUARES[w] * n for w, n in zip(WORDS, cells, strict=True))


def counts(rollup: Rollup) -> str:
    """The planner's headline: lines first."""
    line = f"lines filled {rollup.filled:,} of {rollup.count:,}"
    if not rollup.critical_count:
        return f"{line} · no critical lines"
    return (
        f"{line} · critical lines filled {rollup.critical_filled:,} of {rollup.critical_count:,}"
        f" · critical shortfalls {rollup.critical_shortfalls:,}"
    )


def average_line(rollup: Rollup) -> str:
    """The averaged shares, labelled as such, after a bar in the four colours."""
    if not rollup.count:
        return "no requirements yet"
    icon = RATING_ICON[rollup.rating] if rollup.rating else ""
    figures = " · ".join(f"{w} {p}%" for w, p in zip(WORDS, percents(rollup.shares), strict=True))
    return f"{bar(rollup.shares)} {icon} {AVERAGE}: {figures}"


def coverage_line(view: RequirementView) -> str:
    """One line's coverage in its own unit: the four words add up to the requirement."""
    c: Coverage = view.coverage
    line = (
        f"{bar(c.shares)} {RATING_ICON[c.rating]} firm {figure(c.firm)} of "
        f"{esc(amount(c.required, view.unit))} ({percent(c.firm_share)}%)"
        f" · pending {figure(c.pending)} · conditional {figure(c.conditional)}"
        f" · open {figure(c.open)}"
    )
    if c.over:
        line += f" · over-pledged {figure(c.over)}"
    if c.is_critical_shortfall:
        line += " · *critical shortfall*"
    return line


def tags(view: RequirementView) -> str:
    parts = [view.priority.value]
    if view.enabler:
        parts.append("enabler")
    if view.needed_by:
        parts.append(f"by {view.needed_by.isoformat()}")
    return " · ".join(parts)


def requirement_lines(view: RequirementView) -> list[str]:
    return [f"*{view.code}* {esc(view.title)} ({tags(view)})", coverage_line(view)]
