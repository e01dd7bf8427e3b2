"""The orderings and roll-ups every view shares: gap_order, gaps_first and status_report,
over hand-built requirement views."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.model import Priority, Rating, Rollup
from bot.domain.read_models import RequirementView, gap_order, gaps_first, status_report
from tests.support.read_models import objective, objectives, requirement

CRITICAL, ESSENTIAL, DESIRABLE = Priority.CRITICAL, Priority.ESSENTIAL, Priority.DESIRABLE


def codes(views: list[RequirementView]) -> list[str]:
    return [v.code for v in views]


def test_critical_shortfalls_come_first_even_when_fuller() -> None:
    shortfall = requirement("SKY-9", quantity=10, firm=4, priority=CRITICAL)  # red, 40 %
    empty = requirement("LAND-1", quantity=10, firm=0, priority=DESIRABLE)  # red, 0 %
    enabler = requirement("SEA-2", quantity=10, firm=3, enabler=True)  # critical as an enabler
    assert codes(sorted([empty, shortfall, enabler], key=gap_order)) == ["SKY-9", "SEA-2", "LAND-1"]


def test_then_red_before_amber_before_green() -> None:
    amber = requirement("SKY-1", quantity=10, firm=5)
    red = requirement("SKY-2", quantity=10, firm=4)
    green = requirement("SKY-3", quantity=10, firm=10)
    assert [v.coverage.rating for v in (amber, red, green)] == [
        Rating.AMBER,
        Rating.RED,
        Rating.GREEN,
    ]
    assert codes(sorted([green, amber, red], key=gap_order)) == ["SKY-2", "SKY-1", "SKY-3"]


def test_then_by_priority_then_by_fill_then_by_code() -> None:
    views = [
        requirement("UAF-1", quantity=10, firm=6, priority=DESIRABLE),
        requirement("UAF-2", quantity=10, firm=9, priority=ESSENTIAL),
        requirement("UAF-3", quantity=10, firm=5, priority=ESSENTIAL),
        requirement("UAF-4", quantity=4, firm=2, priority=ESSENTIAL),  # 50 %, as UAF-3
    ]
    assert codes(sorted(views, key=gap_order)) == ["UAF-3", "UAF-4", "UAF-2", "UAF-1"]


def test_gaps_first_leaves_out_what_is_firmly_filled() -> None:
    views = [
        requirement("SKY-1", quantity=6, firm=6),
        requirement("SKY-2", quantity=6, firm=9),  # over-pledged: no gap either
        requirement("SKY-3", quantity=6, firm=0, conditional=9),  # conditional fills no gap
        requirement("SKY-4", quantity=6, firm=5),
    ]
    assert codes(gaps_first(views)) == ["SKY-3", "SKY-4"]
    assert gaps_first([]) == []


views_strategy = st.lists(
    st.builds(
        requirement,
        st.sampled_from(["SKY", "SEA", "LAND", "UAF"]).flatmap(
            lambda o: st.integers(1, 30).map(lambda n: f"{o}-{n}")
        ),
        quantity=st.integers(1, 50),
        firm=st.integers(0, 60),
        conditional=st.integers(0, 60),
        priority=st.sampled_from(list(Priority)),
        enabler=st.booleans(),
    ),
    max_size=20,
    unique_by=lambda v: v.code,
)


@settings(max_examples=50)
@given(views_strategy, st.randoms(use_true_random=False))
def test_gaps_first_is_every_gap_worst_first_whatever_the_input_order(
    views: list[RequirementView], random: object
) -> None:
    shuffled = list(views)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    gaps = gaps_first(shuffled)
    assert gaps == gaps_first(views)
    assert {v.code for v in gaps} == {v.code for v in views if v.coverage.gap > 0}
    keys = [gap_order(v) for v in gaps]
    assert keys == sorted(keys)
    shortfalls = [v.coverage.is_critical_shortfall for v in gaps]
    assert shortfalls == sorted(shortfalls, reverse=True)  # every shortfall before the rest


def test_status_report_rolls_up_per_objective_in_objective_order() -> None:
    views = [
        requirement("LAND-1", quantity=4, firm=2),
        requirement("SKY-1", quantity=6, firm=6),
        requirement("SKY-2", quantity=480, firm=120, conditional=160, priority=CRITICAL),
    ]
    report = status_report(objectives(), views)
    assert [p.objective.code for p in report.objectives] == ["SKY", "SEA", "LAND", "UAF"]
    sky, sea, land, uaf = report.objectives
    assert codes(list(sky.requirements)) == ["SKY-1", "SKY-2"]
    assert sky.rollup.firm_share == (1 + Fraction(1, 4)) / 2
    assert (sky.rollup.filled, sky.rollup.partly_filled, sky.rollup.critical_shortfalls) == (
        1,
        1,
        1,
    )
    assert (sea.rollup.count, sea.rollup.rating, uaf.requirements) == (0, None, ())
    assert land.rollup.firm_share == Fraction(1, 2) and land.rollup.rating == Rating.AMBER
    # Over all objectives: shares averaged per requirement, not per objective.
    assert report.overall.count == 3
    assert report.overall.firm_share == (1 + Fraction(1, 4) + Fraction(1, 2)) / 3
    assert report.overall.critical_shortfalls == 1


def test_status_report_of_one_objective_leaves_the_others_out() -> None:
    views = [requirement("LAND-1", quantity=4, firm=2), requirement("SKY-1", quantity=6)]
    report = status_report([objective("LAND")], views)
    assert [p.objective.code for p in report.objectives] == ["LAND"]
    assert report.overall == Rollup((views[0].coverage,))


@settings(max_examples=50)
@given(views_strategy)
def test_the_overall_roll_up_is_its_objectives_combined(views: list[RequirementView]) -> None:
    report = status_report(objectives(), views)
    parts = [p.rollup for p in report.objectives]
    assert report.overall.count == len(views) == sum(p.count for p in parts)
    assert sorted(report.overall.lines, key=repr) == sorted((v.coverage for v in views), key=repr)
    assert report.overall.firm_share * report.overall.count == sum(
        p.firm_share * p.count for p in parts
    )
    for part in report.objectives:
        assert all(v.objective == part.objective.code for v in part.requirements)
        assert part.rollup.lines == tuple(v.coverage for v in part.requirements)
