"""Coverage arithmetic: firm, pending, conditional and open per requirement (four
words, one meaning each, adding up to the requirement), ratings, and the roll-ups over
several requirements that count lines and never add different units."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.model import (
    MAX_QUANTITY,
    Coverage,
    PledgeFigure,
    PledgeStatus,
    Rating,
    Rollup,
    percent,
    quantity_problem,
    rate,
    requirement_coverage,
)

CONFIRMED, OFFERED, INDICATED, WITHDRAWN = (
    PledgeStatus.CONFIRMED,
    PledgeStatus.OFFERED,
    PledgeStatus.INDICATED,
    PledgeStatus.WITHDRAWN,
)


def fig(quantity: int, status: PledgeStatus = CONFIRMED, conditional: bool = False) -> PledgeFigure:
    return PledgeFigure(quantity, status, conditional)


def test_firm_pending_conditional_and_open_each_have_one_meaning() -> None:
    c = requirement_coverage(
        10,
        [
            fig(3),  # firm: confirmed, no condition
            fig(2, conditional=True),  # conditional, although confirmed
            fig(1, OFFERED),  # pending
            fig(1, INDICATED),  # pending
            fig(1, OFFERED, conditional=True),  # conditional
        ],
    )
    assert (c.firm, c.pending, c.conditional, c.open) == (3, 2, 3, 2)
    assert c.firm + c.pending + c.conditional + c.open == c.required
    assert (c.gap, c.over, c.filled) == (7, 0, False)  # the shortfall: what firm leaves


def test_the_four_shares_of_a_line_add_up_to_the_whole() -> None:
    c = requirement_coverage(20, [fig(5), fig(3, OFFERED), fig(4, INDICATED, conditional=True)])
    assert c.shares == (Fraction(1, 4), Fraction(3, 20), Fraction(1, 5), Fraction(2, 5))
    assert sum(c.shares) == 1


def test_withdrawn_pledges_count_nowhere() -> None:
    c = requirement_coverage(4, [fig(4, WITHDRAWN), fig(1, WITHDRAWN, conditional=True)])
    assert (c.firm, c.pending, c.conditional, c.open, c.rating) == (0, 0, 0, 4, Rating.RED)


def test_over_pledging_closes_the_gap_without_going_negative() -> None:
    c = requirement_coverage(2, [fig(5)])
    assert (c.gap, c.fill, c.rating, c.firm_share) == (0, Fraction(5, 2), Rating.GREEN, 1)
    assert (c.open, c.over, c.filled) == (0, 3, True)


def test_over_pledged_is_shown_apart_and_open_never_goes_below_zero() -> None:
    c = requirement_coverage(6, [fig(4), fig(3, OFFERED), fig(2, OFFERED, conditional=True)])
    assert (c.firm, c.pending, c.conditional, c.open, c.over) == (4, 3, 2, 0, 3)
    assert c.firm + c.pending + c.conditional + c.open - c.over == c.required
    # The shares are capped in order: firm, then pending, then conditional.
    assert c.shares == (Fraction(2, 3), Fraction(1, 3), 0, 0)


@pytest.mark.parametrize(
    ("firm", "required", "rating"),
    [
        (0, 6, Rating.RED),
        (2, 6, Rating.RED),
        (3, 6, Rating.AMBER),
        (5, 6, Rating.AMBER),
        (6, 6, Rating.GREEN),
    ],
)
def test_ratings_at_their_thresholds(firm: int, required: int, rating: Rating) -> None:
    assert requirement_coverage(required, [fig(firm)] if firm else []).rating == rating


def test_sky_3_with_120_of_480_hours_firm_is_red_and_a_critical_shortfall() -> None:
    c = requirement_coverage(480, [fig(120), fig(160, OFFERED, conditional=True)], critical=True)
    assert (c.rating, percent(c.fill), c.is_critical_shortfall) == (Rating.RED, 25, True)


def test_amber_critical_requirement_is_a_critical_shortfall() -> None:
    """A gap in an enabler is a critical shortfall, however near full (DOMAIN.md)."""
    assert requirement_coverage(6, [fig(3)], critical=True).is_critical_shortfall
    assert requirement_coverage(6, [fig(5)], critical=True).is_critical_shortfall
    assert not requirement_coverage(6, [fig(6)], critical=True).is_critical_shortfall


def test_red_non_critical_requirement_is_not_a_critical_shortfall() -> None:
    assert not requirement_coverage(6, [], critical=False).is_critical_shortfall


def test_part_units_add_up_exactly() -> None:
    """Four companies of a quarter battlegroup, and a hundred hundredths, are exactly one."""
    quarters = [fig(Decimal("0.25")), fig(Decimal("0.25")), fig(Decimal("0.5"))]
    c = requirement_coverage(Decimal(1), quarters)
    assert (c.firm, c.open, c.over, c.filled, c.rating) == (1, 0, 0, True, Rating.GREEN)
    assert c.firm_share == 1 and c.shares == (1, 0, 0, 0)
    hundredths = requirement_coverage(
        2, [fig(Decimal("0.01"))] * 100 + [fig(Decimal("0.5"), OFFERED)]
    )
    assert (hundredths.firm, hundredths.pending, hundredths.open) == (
        1,
        Decimal("0.5"),
        Decimal("0.5"),
    )
    assert hundredths.shares == (Fraction(1, 2), Fraction(1, 4), 0, Fraction(1, 4))
    third = requirement_coverage(Decimal("0.75"), [fig(Decimal("0.25"))])
    assert third.fill == Fraction(1, 3) and percent(third.fill) == 33


def test_quantity_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        requirement_coverage(0, [])


def test_rollup_never_adds_quantities_in_different_units() -> None:
    aircraft = requirement_coverage(16, [fig(8)])  # 50 %
    euros = requirement_coverage(1_500_000_000, [fig(1_500_000_000)])  # 100 %
    rollup = Rollup((aircraft, euros))
    assert rollup.firm_share == Fraction(3, 4)  # the mean of shares, not 1.5bn+8 / 1.5bn+16
    assert (rollup.filled, rollup.partly_filled, rollup.empty) == (1, 1, 0)


def test_empty_rollup() -> None:
    rollup = Rollup(())
    assert (rollup.count, rollup.firm_share, rollup.open_share, rollup.rating) == (0, 0, 0, None)


def test_percent_rounds_down_so_nearly_full_is_not_full() -> None:
    assert percent(Fraction(999, 1000)) == 99


# --- properties -------------------------------------------------------------

# Whole numbers and part-units (a company is 0.25 of a battlegroup), mixed.
quantities = st.one_of(
    st.integers(1, 10_000),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10_000), places=2),
)
pledge_figures = st.builds(
    PledgeFigure,
    quantity=quantities,
    status=st.sampled_from(list(PledgeStatus)),
    conditional=st.booleans(),
)
coverages = st.builds(
    requirement_coverage,
    quantities,
    st.lists(pledge_figures, max_size=8),
    critical=st.booleans(),
)


@given(quantities, st.lists(pledge_figures, max_size=12))
def test_live_quantities_split_exactly_into_firm_pending_and_conditional(
    required: int | Decimal, pledges: list[PledgeFigure]
) -> None:
    c = requirement_coverage(required, pledges)
    live = sum(p.quantity for p in pledges if p.status != WITHDRAWN)
    assert c.firm + c.pending + c.conditional == live
    assert c.firm + c.pending + c.conditional + c.open - c.over == required
    assert c.open >= 0 and c.over >= 0 and min(c.open, c.over) == 0
    assert c.gap == max(0, required - c.firm)
    assert c.firm + c.gap >= required
    assert sum(c.shares) == 1 and all(0 <= share <= 1 for share in c.shares)
    assert c.open_share == Fraction(c.open) / Fraction(required)


@given(st.lists(coverages, max_size=15))
def test_rollup_counts_are_the_sum_of_their_parts(lines: list[Coverage]) -> None:
    rollup = Rollup(tuple(lines))
    assert rollup.filled + rollup.partly_filled + rollup.empty == rollup.count == len(lines)
    assert rollup.with_gap == rollup.partly_filled + rollup.empty
    assert rollup.critical_shortfalls == sum(c.is_critical_shortfall for c in lines)
    assert rollup.critical_count == sum(c.critical for c in lines)
    # Every critical line is filled or a shortfall: the headline accounts for all.
    assert rollup.critical_filled + rollup.critical_shortfalls == rollup.critical_count
    assert 0 <= rollup.firm_share <= 1
    if lines:
        assert sum(rollup.shares) == 1


@given(st.lists(coverages, max_size=10), st.lists(coverages, max_size=10))
def test_overall_equals_its_objectives_combined(a: list[Coverage], b: list[Coverage]) -> None:
    overall = Rollup(tuple(a + b))
    parts = [Rollup(tuple(a)), Rollup(tuple(b))]
    assert overall.count == sum(p.count for p in parts)
    assert overall.filled == sum(p.filled for p in parts)
    assert overall.critical_shortfalls == sum(p.critical_shortfalls for p in parts)
    assert overall.firm_share * overall.count == sum(p.firm_share * p.count for p in parts)


@given(st.fractions(0, 3))
def test_rating_is_monotonic(fill: Fraction) -> None:
    order = [Rating.RED, Rating.AMBER, Rating.GREEN]
    assert order.index(rate(fill)) <= order.index(rate(fill + Fraction(1, 10)))


# --- shares, ratings and limits written out -------------------------------------


def test_rating_thresholds_are_half_and_whole() -> None:
    assert rate(Fraction(1, 2) - Fraction(1, 10**9)) == Rating.RED
    assert rate(Fraction(1, 2)) == Rating.AMBER
    assert rate(Fraction(1) - Fraction(1, 10**9)) == Rating.AMBER
    assert (rate(Fraction(1)), rate(Fraction(7, 2))) == (Rating.GREEN, Rating.GREEN)


def test_conditional_share_covers_only_what_firm_and_pending_leave() -> None:
    c = Coverage(required=6, firm=4, conditional=10, critical=False)
    assert (c.firm_share, c.conditional_share) == (Fraction(2, 3), Fraction(1, 3))
    c = Coverage(required=6, firm=1, conditional=2, critical=False)
    assert (c.firm_share, c.conditional_share, c.gap) == (Fraction(1, 6), Fraction(1, 3), 5)
    c = Coverage(required=6, firm=1, pending=4, conditional=2, critical=False)
    assert c.shares == (Fraction(1, 6), Fraction(2, 3), Fraction(1, 6), 0)


def test_a_critical_shortfall_is_a_critical_line_not_filled() -> None:
    shortfall = Coverage(required=10, firm=4, conditional=6, critical=True)
    assert shortfall.is_critical_shortfall
    assert Coverage(required=10, firm=9, conditional=0, critical=True).is_critical_shortfall
    assert not Coverage(required=10, firm=10, conditional=0, critical=True).is_critical_shortfall
    assert not Coverage(required=10, firm=0, conditional=0, critical=False).is_critical_shortfall


def test_firm_means_confirmed_and_unconditional_and_live_means_not_withdrawn() -> None:
    assert fig(1).is_firm and fig(1).is_live
    assert not fig(1, conditional=True).is_firm
    assert not fig(1, OFFERED).is_firm and fig(1, OFFERED).is_live
    assert not fig(1, WITHDRAWN).is_live and not fig(1, WITHDRAWN).is_firm


def test_a_rollup_counts_lines_not_quantities() -> None:
    lines = (
        Coverage(required=480, firm=480, conditional=0, critical=True),  # filled
        Coverage(required=2, firm=3, conditional=0, critical=False),  # over-filled: filled
        Coverage(required=4, firm=1, conditional=3, critical=True),  # partly, critical shortfall
        Coverage(required=6, firm=0, conditional=6, critical=False),  # empty
    )
    rollup = Rollup(lines)
    assert (rollup.count, rollup.filled, rollup.partly_filled, rollup.empty) == (4, 2, 1, 1)
    assert (rollup.with_gap, rollup.critical_shortfalls) == (2, 1)
    assert (rollup.critical_count, rollup.critical_filled) == (2, 1)
    assert rollup.firm_share == (1 + 1 + Fraction(1, 4) + 0) / 4
    assert rollup.conditional_share == (0 + 0 + Fraction(3, 4) + 1) / 4
    assert rollup.open_share == 1 - rollup.firm_share - rollup.conditional_share == 0
    assert rollup.rating == Rating.AMBER


@pytest.mark.parametrize(
    ("quantity", "problem"),
    [
        (0, "A quantity must be above zero, not 0."),
        (-5, "A quantity must be above zero, not -5."),
        (Decimal("-0.25"), "A quantity must be above zero, not -0.25."),
        (1, None),
        (Decimal("0.01"), None),
        (Decimal("0.25"), None),
        (Decimal("1.50"), None),
        (Decimal("2.000"), None),  # trailing zeros are no decimal places
        (
            Decimal("0.125"),
            "0.125 has more than two decimal places; quantities go to hundredths, such as 0.25.",
        ),
        (Decimal("0.001"), "0.001 has more than two decimal places"),
        (MAX_QUANTITY, None),
        (Decimal("999999999999.99"), None),
        (
            MAX_QUANTITY + 1,
            "1,000,000,000,001 is too large. Quantities are numbers above 0 and up to "
            "1,000,000,000,000, with at most two decimal places.",
        ),
        (Decimal("NaN"), "NaN is not a quantity."),
    ],
)
def test_quantities_above_zero_to_the_maximum_in_hundredths(
    quantity: int | Decimal, problem: str | None
) -> None:
    found = quantity_problem(quantity)
    if problem is None:
        assert found is None
    else:
        assert found is not None and found.startswith(problem)


@settings(max_examples=50)
@given(st.lists(coverages, min_size=1, max_size=15))
def test_rollup_shares_are_between_zero_and_one_and_add_up_to_the_whole(
    lines: list[Coverage],
) -> None:
    rollup = Rollup(tuple(lines))
    for share in rollup.shares:
        assert 0 <= share <= 1
    assert sum(rollup.shares) == 1
    assert rollup.rating == rate(rollup.firm_share)


@given(coverages)
def test_a_line_is_green_exactly_when_firm_fills_it(c: Coverage) -> None:
    assert (c.gap == 0) == (c.rating == Rating.GREEN) == c.filled
    assert sum(c.shares) == 1
    assert c.is_critical_shortfall == (c.critical and not c.filled)


@given(st.fractions(0, 1))
def test_percent_is_the_share_rounded_down(share: Fraction) -> None:
    shown = percent(share)
    assert 0 <= shown <= 100
    assert shown <= share * 100 < shown + 1
