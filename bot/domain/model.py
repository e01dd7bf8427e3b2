"""Rules of force generation that hold whatever the transport: lifecycles,
condition classes (from bot.domain.conditions) and the coverage arithmetic behind
every report."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import cached_property

# Condition classes live in their own module; they are re-exported here, where the
# rest of the domain's rules are imported from.
from bot.domain.conditions import CONDITION_LABELS as CONDITION_LABELS
from bot.domain.conditions import ConditionKind as ConditionKind
from bot.domain.conditions import check_condition as check_condition
from bot.domain.conditions import classify_condition as classify_condition
from bot.domain.wording import Number, figure

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


class Rating(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class Posture(StrEnum):
    COMMITTED = "committed"
    CONSIDERING = "considering"
    NOT_YET_POSITIONED = "not yet positioned"


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

# Far above any real line (1.5bn EUR a year is the largest in the demo). With two
# decimal places every quantity up to it has at most 15 significant digits, so it is
# exact as a double: spreadsheets and JSON readers show every digit of every quantity.
MAX_QUANTITY = 10**12
QUANTITY_PLACES = 2
QUANTITY_RULE = (
    f"Quantities are numbers above 0 and up to {MAX_QUANTITY:,}, with at most two decimal places."
)


HUNDREDTHS = "quantities go to hundredths, such as 0.25"


def quantity_problem(quantity: Number) -> str | None:
    """Why ``quantity`` cannot be a requirement's or a pledge's, or None when it can."""
    if isinstance(quantity, Decimal) and not quantity.is_finite():
        return f"{quantity} is not a quantity. {QUANTITY_RULE}"
    if places(quantity) > QUANTITY_PLACES:
        return f"{figure(quantity)} has more than two decimal places; {HUNDREDTHS}."
    if quantity <= 0:
        return f"A quantity must be above zero, not {figure(quantity)}."
    if quantity > MAX_QUANTITY:
        return f"{figure(quantity)} is too large. {QUANTITY_RULE}"
    return None


def json_number(quantity: Number) -> int | float:
    """``quantity`` as a JSON number that reads back exactly: an int when whole (at any
    size), else the double whose shortest form is the same decimal (0.25 is written
    0.25). Every quantity Muster accepts has at most 15 significant digits, which a
    double holds exactly; anything else is refused rather than written wrong."""
    if isinstance(quantity, int) or quantity == quantity.to_integral_value():
        return int(quantity)
    written = float(quantity)
    if Decimal(repr(written)) != quantity:
        raise ValueError(f"{quantity} cannot be written exactly as a JSON number")
    return written


def from_json_number(value: object) -> Decimal:
    """A quantity read back from a JSON number (json_number's inverse, exact)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise TypeError(f"not a quantity: {value!r}")
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def places(quantity: Number) -> int:
    """How many decimal places ``quantity`` needs: 0 for 2 and 2.00, 2 for 0.25
    (read from its digits, never rounded by a decimal context)."""
    if isinstance(quantity, int):
        return 0
    _sign, digits, exponent = quantity.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -exponent - zeros)


@dataclass(frozen=True)
class PledgeFigure:
    """What the arithmetic needs to know about one pledge."""

    quantity: Number
    status: PledgeStatus
    conditional: bool  # carries an open condition
    stale: bool = False  # not reconfirmed in time: pending until it is

    @property
    def is_firm(self) -> bool:
        """Confirmed, with no open condition, and not stale (DOMAIN.md)."""
        return self.status == PledgeStatus.CONFIRMED and not self.conditional and not self.stale

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
    """One requirement's coverage, in its own unit, in four words with one meaning each:
    *firm* (confirmed, no open condition, not stale), *pending* (offered or indicated,
    or stale, with no condition), *conditional* (any live pledge with an open condition) and *open*
    (what no live pledge covers). Firm + pending + conditional + open is the
    requirement, less what is over-pledged (``over``): open never goes below zero."""

    required: Number
    firm: Number = 0
    pending: Number = 0
    conditional: Number = 0
    critical: bool = False  # priority critical or an enabler

    # The shares are exact fractions, slow to compute and read several times by each
    # reply (bar, percents, rating): each is computed once per line.

    @property
    def pledged(self) -> Number:
        """Every live pledge: firm, pending and conditional."""
        return self.firm + self.pending + self.conditional

    @property
    def open(self) -> Number:
        """What no live pledge covers."""
        return max(0, self.required - self.pledged)

    @property
    def over(self) -> Number:
        """What live pledges offer beyond the requirement (over-pledged)."""
        return max(0, self.pledged - self.required)

    @property
    def gap(self) -> Number:
        """The shortfall: what firm pledges still leave to find (0 once filled)."""
        return max(0, self.required - self.firm)

    @property
    def filled(self) -> bool:
        """Firm pledges cover the whole requirement."""
        return self.firm >= self.required

    @cached_property
    def fill(self) -> Fraction:
        return Fraction(self.firm) / Fraction(self.required)

    @property
    def rating(self) -> Rating:
        return rate(self.fill)

    @property
    def is_critical_shortfall(self) -> bool:
        """A critical line (an enabler, or critical) that firm does not fill: "a gap in
        an enabler is a critical shortfall" (DOMAIN.md), however near full it is."""
        return self.critical and not self.filled

    @cached_property
    def firm_share(self) -> Fraction:
        """Fraction of the requirement firmly covered, capped at the whole."""
        return min(Fraction(1), self.fill)

    @cached_property
    def pending_share(self) -> Fraction:
        """Fraction that pending pledges cover of what firm leaves."""
        return min(1 - self.firm_share, Fraction(self.pending) / Fraction(self.required))

    @cached_property
    def conditional_share(self) -> Fraction:
        """Fraction that conditional pledges cover of what firm and pending leave."""
        left = 1 - self.firm_share - self.pending_share
        return min(left, Fraction(self.conditional) / Fraction(self.required))

    @cached_property
    def open_share(self) -> Fraction:
        """Fraction no live pledge covers: the four shares add up to exactly one."""
        return 1 - self.firm_share - self.pending_share - self.conditional_share

    @cached_property
    def shares(self) -> tuple[Fraction, Fraction, Fraction, Fraction]:
        """Firm, pending, conditional and open, adding up to one."""
        return (self.firm_share, self.pending_share, self.conditional_share, self.open_share)


def requirement_coverage(
    required: Number, pledges: Iterable[PledgeFigure], *, critical: bool = False
) -> Coverage:
    if required <= 0:
        raise ValueError("a requirement's quantity must be positive")
    live = [p for p in pledges if p.is_live]
    return Coverage(
        required=required,
        firm=sum(p.quantity for p in live if p.is_firm),
        pending=sum(p.quantity for p in live if not p.is_firm and not p.conditional),
        conditional=sum(p.quantity for p in live if p.conditional),
        critical=critical,
    )


@dataclass(frozen=True)
class Rollup:
    """Coverage over several requirements, counted in lines as planners count them
    ("critical lines filled 3 of 14"). Quantities in different units are never added:
    the shares are averages of the lines' shares, a secondary figure."""

    lines: tuple[Coverage, ...]

    @property
    def count(self) -> int:
        return len(self.lines)

    @property
    def filled(self) -> int:
        return sum(1 for c in self.lines if c.filled)

    @property
    def partly_filled(self) -> int:
        return sum(1 for c in self.lines if not c.filled and c.firm > 0)

    @property
    def empty(self) -> int:
        return sum(1 for c in self.lines if c.firm == 0)

    @property
    def with_gap(self) -> int:
        return sum(1 for c in self.lines if not c.filled)

    @property
    def critical_count(self) -> int:
        """Lines that are critical or enablers."""
        return sum(1 for c in self.lines if c.critical)

    @property
    def critical_filled(self) -> int:
        return sum(1 for c in self.lines if c.critical and c.filled)

    @property
    def critical_shortfalls(self) -> int:
        return sum(1 for c in self.lines if c.is_critical_shortfall)

    def _mean(self, values: Iterable[Fraction]) -> Fraction:
        values = list(values)
        return sum(values, Fraction(0)) / len(values) if values else Fraction(0)

    # Exact fractions are slow to sum; a roll-up is read several times per reply.
    @cached_property
    def firm_share(self) -> Fraction:
        """The average of the lines' firm shares."""
        return self._mean(c.firm_share for c in self.lines)

    @cached_property
    def pending_share(self) -> Fraction:
        return self._mean(c.pending_share for c in self.lines)

    @cached_property
    def conditional_share(self) -> Fraction:
        return self._mean(c.conditional_share for c in self.lines)

    @cached_property
    def open_share(self) -> Fraction:
        if not self.lines:
            return Fraction(0)
        return 1 - self.firm_share - self.pending_share - self.conditional_share

    @cached_property
    def shares(self) -> tuple[Fraction, Fraction, Fraction, Fraction]:
        """Averages of the lines' firm, pending, conditional and open shares."""
        return (self.firm_share, self.pending_share, self.conditional_share, self.open_share)

    @property
    def rating(self) -> Rating | None:
        return rate(self.firm_share) if self.lines else None


def percent(share: Fraction) -> int:
    """Whole percent, rounded down so 99.6 % never reads as filled."""
    return int(share * 100)
