"""Words and numbers as Muster writes them: plurals by Babel's rules, requirement
units singular for one, and whole percents that add up to 100."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.wording import amount, counted, is_singular, percents, plural, unit_for


@pytest.mark.parametrize(
    ("count", "singular"),
    [(1, True), (0, False), (2, False), (21, False), (Decimal(1), True), (Decimal("1.5"), False)],
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
    assert len(unit) - 3 <= len(singular) <= len(unit)


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
