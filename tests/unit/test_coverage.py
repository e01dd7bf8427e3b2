"""Coverage arithmetic: firm, conditional and gap per requirement, ratings, and the
roll-ups over several requirements that never add different units."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.model import (
    Coverage,
    PledgeFigure,
    PledgeStatus,
    Rating,
    Rollup,
    percent,
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


def test_firm_is_confirmed_without_an_open_condition() -> None:
    c = requirement_coverage(
        10, [fig(3), fig(2, conditional=True), fig(1, OFFERED), fig(1, INDICATED)]
    )
    assert (c.firm, c.conditional, c.gap) == (3, 4, 7)


def test_withdrawn_pledges_count_nowhere() -> None:
    c = requirement_coverage(4, [fig(4, WITHDRAWN), fig(1, WITHDRAWN, conditional=True)])
    assert (c.firm, c.conditional, c.gap, c.rating) == (0, 0, 4, Rating.RED)


def test_over_pledging_closes_the_gap_without_going_negative() -> None:
    c = requirement_coverage(2, [fig(5)])
    assert (c.gap, c.fill, c.rating, c.firm_share) == (0, Fraction(5, 2), Rating.GREEN, 1)


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


def test_amber_critical_requirement_is_not_a_critical_shortfall() -> None:
    assert not requirement_coverage(6, [fig(3)], critical=True).is_critical_shortfall


def test_red_non_critical_requirement_is_not_a_critical_shortfall() -> None:
    assert not requirement_coverage(6, [], critical=False).is_critical_shortfall


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
    assert (rollup.count, rollup.firm_share, rollup.gap_share, rollup.rating) == (0, 0, 0, None)


def test_percent_rounds_down_so_nearly_full_is_not_full() -> None:
    assert percent(Fraction(999, 1000)) == 99


# --- properties -------------------------------------------------------------

pledge_figures = st.builds(
    PledgeFigure,
    quantity=st.integers(1, 10_000),
    status=st.sampled_from(list(PledgeStatus)),
    conditional=st.booleans(),
)
coverages = st.builds(
    requirement_coverage,
    st.integers(1, 10_000),
    st.lists(pledge_figures, max_size=8),
    critical=st.booleans(),
)


@given(st.integers(1, 10_000), st.lists(pledge_figures, max_size=12))
def test_live_quantities_split_exactly_into_firm_and_conditional(
    required: int, pledges: list[PledgeFigure]
) -> None:
    c = requirement_coverage(required, pledges)
    assert c.firm + c.conditional == sum(p.quantity for p in pledges if p.status != WITHDRAWN)
    assert c.gap == max(0, required - c.firm)
    assert c.firm + c.gap >= required


@given(st.lists(coverages, max_size=15))
def test_rollup_counts_are_the_sum_of_their_parts(lines: list[Coverage]) -> None:
    rollup = Rollup(tuple(lines))
    assert rollup.filled + rollup.partly_filled + rollup.empty == rollup.count == len(lines)
    assert rollup.with_gap == rollup.partly_filled + rollup.empty
    assert rollup.critical_shortfalls == sum(c.is_critical_shortfall for c in lines)
    assert 0 <= rollup.firm_share <= 1
    assert rollup.firm_share + rollup.conditional_share <= 1
    if lines:
        assert rollup.firm_share + rollup.gap_share == 1


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
