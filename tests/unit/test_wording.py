"""Words and numbers as Muster writes them: plurals by Babel's rules, requirement
units singular for one, and whole percents that add up to 100."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.wording import (
    _formatted,
    amount,
    counted,
    figure,
    is_singular,
    percents,
    plural,
    unit_for,
)


@pytest.mark.parametrize(
    ("count", "singular"),
    [
        (1, True),
        (0, False),
        (2, False),
        (21, False),
        (Decimal(1), True),
        (Decimal("1.00"), True),  # written 1: a database's 1.00 is one battlegroup
        (Decimal("1.5"), False),
        (Decimal("0.25"), False),
        (Decimal("0.01"), False),
    ],
)
def test_english_takes_the_singular_for_one_only(count: int | Decimal, singular: bool) -> None:
    assert is_singular(count) is singular


def test_counted_nouns() -> None:
    assert counted(1, "member") == "1 member"
    assert counted(3, "member") == "3 members"
    assert counted(0, "critical shortfall") == "0 critical shortfalls"
    assert counted(1_200, "pledge") == "1,200 pledges"
    assert plural(2, "person", "people") == "people"
    assert plural(1, "person", "people") == "person"


@pytest.mark.parametrize(
    ("count", "written"),
    [
        (2, "2"),
        (Decimal("2.00"), "2"),
        (Decimal("0.25"), "0.25"),
        (Decimal("1.50"), "1.5"),
        (Decimal("0.10"), "0.1"),
        (Decimal("1200"), "1,200"),
        (Decimal("1.2E+3"), "1,200"),
        (Decimal("2.5E+1"), "25"),
        (Decimal("1500000000.00"), "1,500,000,000"),
        (Decimal("1E+15"), "1,000,000,000,000,000"),
        (Decimal("999999999999.99"), "999,999,999,999.99"),
        (Decimal("1234.56"), "1,234.56"),
        (Decimal(0), "0"),
    ],
)
def test_figures_are_written_as_said(count: int | Decimal, written: str) -> None:
    """Never 2.00, 2.5E+1 or a rounded figure."""
    assert figure(count) == written


def test_equal_quantities_written_differently_are_one_figure() -> None:
    """Figures are remembered by value (bot.domain.wording._formatted): whichever form
    comes first, each form of the same quantity is written the same way."""
    _formatted.cache_clear()  # so the first form of each here is the one remembered
    forms = [Decimal("2.50"), Decimal("2.5"), Decimal("25E-1"), Decimal("2.500")]
    assert [figure(f) for f in forms] == ["2.5"] * 4
    assert [figure(f) for f in (Decimal("1.2E+3"), 1200, Decimal("1200.00"))] == ["1,200"] * 3
    assert figure(Decimal("-0.00")) == figure(0) == "0"


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10**12), places=2))
def test_a_figure_reads_back_as_the_quantity(count: Decimal) -> None:
    written = figure(count)
    assert Decimal(written.replace(",", "")) == count
    assert not written.endswith(("0", ".")) or "." not in written


@pytest.mark.parametrize(
    ("count", "unit", "written"),
    [
        (Decimal("1.00"), "battlegroups", "1 battlegroup"),
        (Decimal("0.25"), "battlegroups", "0.25 battlegroups"),
        (Decimal("1.50"), "battlegroups", "1.5 battlegroups"),
        (Decimal("2.00"), "flight hours/month", "2 flight hours/month"),
        (Decimal("1.00"), "flight hours/month", "1 flight hour/month"),
    ],
)
def test_part_units_take_the_plural(count: Decimal, unit: str, written: str) -> None:
    assert amount(count, unit) == written


# Every unit of the demo coalition and of DOMAIN.md, as typed for many and read for one.
UNITS = [
    ("aircraft", "aircraft"),
    ("batteries", "battery"),
    ("flight hours/month", "flight hour/month"),
    ("flight hours per month", "flight hour per month"),
    ("ships", "ship"),
    ("battlegroups", "battlegroup"),
    ("units", "unit"),
    ("companies", "company"),
    ("sorties", "sortie"),
    ("personnel", "personnel"),
    ("training places/year", "training place/year"),
    ("places/year", "place/year"),
    ("EUR/year", "EUR/year"),
    ("EUR per year", "EUR per year"),
    ("EUR", "EUR"),
    ("helicopters", "helicopter"),
    ("field hospitals", "field hospital"),
    ("Role 2 field hospitals", "Role 2 field hospital"),
    ("mine countermeasures vessels", "mine countermeasures vessel"),
    ("headquarters", "headquarters"),
    ("staff", "staff"),
    ("UAVs", "UAV"),
    ("boxes", "box"),
    ("patches", "patch"),
    ("buses", "bus"),
    ("companies of engineers", "company of engineers"),
    ("hours a month", "hour a month"),
    ("beds (Role 2)", "bed (Role 2)"),
    ("battalion", "battalion"),  # already singular
]


@pytest.mark.parametrize(("many", "one"), UNITS)
def test_a_unit_reads_in_the_singular_for_one(many: str, one: str) -> None:
    assert unit_for(1, many) == one
    assert unit_for(2, many) == many
    assert unit_for(0, many) == many


def test_amounts() -> None:
    assert amount(1, "battlegroups") == "1 battlegroup"
    assert amount(4, "battlegroups") == "4 battlegroups"
    assert amount(1_500_000_000, "EUR/year") == "1,500,000,000 EUR/year"
    assert amount(1, "flight hours/month") == "1 flight hour/month"
    assert amount(Decimal("1.5"), "battlegroups") == "1.5 battlegroups"


@given(st.text(min_size=1, max_size=40))
def test_any_unit_keeps_its_text_apart_from_one_noun(unit: str) -> None:
    assert unit_for(2, unit) == unit
    singular = unit_for(1, unit)
    # One noun changes: shorter by a plural ending at most, or longer by one letter
    # for an irregular plural (mice, lice: found by hypothesis).
    assert len(unit) - 3 <= len(singular) <= len(unit) + 1


def test_percents_add_up_to_a_hundred_and_firm_is_rounded_down() -> None:
    thirds = (Fraction(1, 3), Fraction(1, 3), Fraction(1, 3), Fraction(0))
    assert percents(thirds) == [33, 34, 33, 0]
    nearly = (Fraction(996, 1000), Fraction(0), Fraction(0), Fraction(4, 1000))
    assert percents(nearly) == [99, 0, 0, 1]  # never reads as filled
    assert percents(nearly, 10) == [9, 0, 0, 1]


shares_of_one = (
    st.lists(st.integers(0, 1000), min_size=4, max_size=4)
    .filter(any)
    .map(lambda parts: tuple(Fraction(p, sum(parts)) for p in parts))
)


@given(shares_of_one)
def test_percents_of_any_whole(shares: tuple[Fraction, ...]) -> None:
    shown = percents(shares)
    assert sum(shown) == 100
    assert shown[0] == int(shares[0] * 100)  # firm: rounded down, always
    for share, whole in zip(shares, shown, strict=True):
        assert abs(share * 100 - whole) < 1
