"""Rules of force generation that hold whatever the transport: lifecycles,
condition classes and the coverage arithmetic behind every report."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from functools import cached_property

# The four lines of effort of the plan. Their names are editable; their codes are
# fixed, because every requirement code (SKY-2) is built from them.
OBJECTIVE_CODES = ("SKY", "SEA", "LAND", "UAF")


class Priority(StrEnum):
    CRITICAL = "critical"
    ESSENTIAL = "essential"
    DESIRABLE = "desirable"


class PledgeStatus(StrEnum):
    INDICATED = "indicated"
    OFFERED = "offered"
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"


LIVE_STATUSES = (PledgeStatus.INDICATED, PledgeStatus.OFFERED, PledgeStatus.CONFIRMED)
_STATUS_RANK = {status: rank for rank, status in enumerate(LIVE_STATUSES)}


class QuestionStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


class ConditionKind(StrEnum):
    US_BACKSTOP = "us_backstop"
    PARLIAMENT = "parliament"
    LEGAL_MANDATE = "legal_mandate"
    RULES_OF_ENGAGEMENT = "rules_of_engagement"
    OTHER = "other"


class Rating(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class Posture(StrEnum):
    COMMITTED = "committed"
    CONSIDERING = "considering"
    NOT_YET_POSITIONED = "not yet positioned"


CONDITION_LABELS = {
    ConditionKind.US_BACKSTOP: "US backstop",
    ConditionKind.PARLIAMENT: "parliamentary approval",
    ConditionKind.LEGAL_MANDATE: "legal mandate",
    ConditionKind.RULES_OF_ENGAGEMENT: "rules of engagement",
    ConditionKind.OTHER: "other conditions",
}

# Order matters: the first class whose pattern matches wins.
_CONDITION_PATTERNS: Sequence[tuple[ConditionKind, re.Pattern[str]]] = [
    (
        ConditionKind.US_BACKSTOP,
        # "US" only in capitals: the pronoun "us" is no backstop.
        re.compile(r"back\s*-?stop|(?-i:\bU\.?S\.?A?\b)|united states|american|washington", re.I),
    ),
    (ConditionKind.RULES_OF_ENGAGEMENT, re.compile(r"rules of engagement|\bROE\b", re.I)),
    (
        ConditionKind.PARLIAMENT,
        re.compile(
            r"parliament|bundestag|congress|storting|riksdag|sejm|\bvote\b|legislat|cabinet", re.I
        ),
    ),
    (
        ConditionKind.LEGAL_MANDATE,
        re.compile(
            r"mandate|resolution|legal basis|\bUN\b|UNSC|security council|international law|\bSOFA\b|status of forces",
            re.I,
        ),
    ),
]


def classify_condition(text: str) -> ConditionKind | None:
    """Sort a free-text condition into the classes the weekly report groups by."""
    if not text.strip():
        return None
    for kind, pattern in _CONDITION_PATTERNS:
        if pattern.search(text):
            return kind
    return ConditionKind.OTHER


_CEASEFIRE = re.compile(r"cease\s*-?\s*fire|armistice|truce", re.I)


def check_condition(text: str) -> str | None:
    """Why a condition may not be attached to a single pledge, or None when it may."""
    if _CEASEFIRE.search(text):
        return (
            "the ceasefire is the precondition of the whole mission, not a condition on one "
            "pledge; leave it out (every pledge already assumes it)"
        )
    return None


def check_status_move(current: PledgeStatus, new: PledgeStatus) -> str | None:
    """Why a pledge may not move from ``current`` to ``new``, or None when it may."""
    if current == PledgeStatus.WITHDRAWN:
        return "it was withdrawn; make a new pledge instead"
    if new == PledgeStatus.WITHDRAWN:
        return "use `/muster withdraw` to withdraw a pledge"
    if _STATUS_RANK[new] < _STATUS_RANK[current]:
        return (
            f"pledges move indicated → offered → confirmed, not back from {current}; "
            "withdraw it and pledge again"
        )
    return None


# --- coverage -------------------------------------------------------------

# Far above any real line (1.5bn EUR a year is the largest in the demo) and exact
# as a double, so spreadsheets and JSON readers show every digit of every quantity.
MAX_QUANTITY = 10**15
QUANTITY_RULE = f"Quantity must be a whole number from 1 to {MAX_QUANTITY:,}."


def quantity_problem(quantity: int) -> str | None:
    """Why ``quantity`` cannot be a requirement's or a pledge's, or None when it can."""
    if not 1 <= quantity <= MAX_QUANTITY:
        return f"{QUANTITY_RULE[:-1]}, not {quantity:,}."
    return None


@dataclass(frozen=True)
class PledgeFigure:
    """What the arithmetic needs to know about one pledge."""

    quantity: int
    status: PledgeStatus
    conditional: bool  # carries an open condition

    @property
    def is_firm(self) -> bool:
        return self.status == PledgeStatus.CONFIRMED and not self.conditional

    @property
    def is_live(self) -> bool:
        return self.status != PledgeStatus.WITHDRAWN


def rate(fill: Fraction) -> Rating:
    if fill >= 1:
        return Rating.GREEN
    if fill >= Fraction(1, 2):
        return Rating.AMBER
    return Rating.RED


@dataclass(frozen=True)
class Coverage:
    """One requirement's coverage, in its own unit."""

    required: int
    firm: int
    conditional: int
    critical: bool  # priority critical or an enabler

    @property
    def gap(self) -> int:
        return max(0, self.required - self.firm)

    @property
    def fill(self) -> Fraction:
        return Fraction(self.firm, self.required)

    @property
    def rating(self) -> Rating:
        return rate(self.fill)

    @property
    def is_critical_shortfall(self) -> bool:
        return self.critical and self.rating == Rating.RED

    @property
    def firm_share(self) -> Fraction:
        """Fraction of the requirement firmly covered, capped at the whole."""
        return min(Fraction(1), self.fill)

    @property
    def conditional_share(self) -> Fraction:
        """Fraction of the still-open part that conditional offers would cover."""
        return min(1 - self.firm_share, Fraction(self.conditional, self.required))


def requirement_coverage(
    required: int, pledges: Iterable[PledgeFigure], *, critical: bool = False
) -> Coverage:
    if required <= 0:
        raise ValueError("a requirement's quantity must be positive")
    live = [p for p in pledges if p.is_live]
    firm = sum(p.quantity for p in live if p.is_firm)
    conditional = sum(p.quantity for p in live if not p.is_firm)
    return Coverage(required=required, firm=firm, conditional=conditional, critical=critical)


@dataclass(frozen=True)
class Rollup:
    """Coverage over several requirements, counted per requirement: quantities in
    different units are never added, so shares are averaged line by line."""

    lines: tuple[Coverage, ...]

    @property
    def count(self) -> int:
        return len(self.lines)

    @property
    def filled(self) -> int:
        return sum(1 for c in self.lines if c.gap == 0)

    @property
    def partly_filled(self) -> int:
        return sum(1 for c in self.lines if c.gap > 0 and c.firm > 0)

    @property
    def empty(self) -> int:
        return sum(1 for c in self.lines if c.firm == 0)

    @property
    def with_gap(self) -> int:
        return sum(1 for c in self.lines if c.gap > 0)

    @property
    def critical_shortfalls(self) -> int:
        return sum(1 for c in self.lines if c.is_critical_shortfall)

    def _mean(self, values: Iterable[Fraction]) -> Fraction:
        values = list(values)
        return sum(values, Fraction(0)) / len(values) if values else Fraction(0)

    # Exact fractions are slow to sum; a roll-up is read several times per reply.
    @cached_property
    def firm_share(self) -> Fraction:
        return self._mean(c.firm_share for c in self.lines)

    @cached_property
    def conditional_share(self) -> Fraction:
        return self._mean(c.conditional_share for c in self.lines)

    @property
    def gap_share(self) -> Fraction:
        return 1 - self.firm_share if self.lines else Fraction(0)

    @property
    def rating(self) -> Rating | None:
        return rate(self.firm_share) if self.lines else None


def percent(share: Fraction) -> int:
    """Whole percent, rounded down so 99.6 % never reads as filled."""
    return int(share * 100)
