"""Quantities, mentions and command text as the parsers read them: exact, capped, clean."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import BadInput
from bot.domain.model import MAX_QUANTITY, QUANTITY_RULE
from handlers import delegations, questions, setup
from handlers.forms import Form
from handlers.grammar import Token, quantity
from handlers.ids import FIELD_ACTION
from handlers.router import parse_command

USAGE = "Usage: `/muster pledge <REQ> <quantity>`"
IN_RANGE = st.integers(min_value=1, max_value=MAX_QUANTITY)


def parsed(text: str) -> object:
    return parse_command(text)[1]


@given(IN_RANGE)
def test_every_quantity_in_range_is_read_exactly(n: int) -> None:
    for written in (str(n), f"{n:,}", f"{n:_}", f"{n:,}".replace(",", ".")):
        assert quantity(Token(written), USAGE) == n


@given(IN_RANGE, st.sampled_from([("k", 3), ("m", 6), ("bn", 9)]))
def test_decimals_with_a_multiplier_are_exact(n: int, suffix: tuple[str, int]) -> None:
    word, power = suffix
    whole, decimals = divmod(n, 10**power)
    written = f"{whole}.{decimals:0{power}d}{word}"
    assert quantity(Token(written), USAGE) == n


@given(st.integers(min_value=MAX_QUANTITY + 1, max_value=10**40))
def test_quantities_above_the_maximum_are_refused_with_the_rule(n: int) -> None:
    with pytest.raises(BadInput) as raised:
        quantity(Token(str(n)), USAGE)
    assert QUANTITY_RULE in str(raised.value)


@pytest.mark.parametrize(
    ("written", "value"),
    [("2.01k", 2_010), ("4.07bn", 4_070_000_000), ("1,000,000,000,000,000", MAX_QUANTITY)],
)
def test_quantities_a_float_would_get_wrong(written: str, value: int) -> None:
    assert quantity(Token(written), USAGE) == value


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (
            "9007199254740993",
            "is too large. Quantity must be a whole number from 1 to 1,000,000,000,000,000.",
        ),
        ("1" + "0" * 5000, "is too large. Quantity must be"),
        ("1000000000000.001k", "is too large"),
        ("²", "is not a quantity"),
        ("٣", "is not a quantity"),
        ("３", "is not a quantity"),
        ("2.0000000000000001k", "is not a quantity"),
        ("2.0001k", "is not a whole number"),
    ],
)
def test_quantities_refused_in_one_line(written: str, message: str) -> None:
    with pytest.raises(BadInput) as raised:
        quantity(Token(written), USAGE)
    assert message in str(raised.value)
    assert len(raised.value.message) < 150


def form(**values: str) -> Form:
    state = {name: {FIELD_ACTION: {"type": "t", "value": v}} for name, v in values.items()}
    return Form({"state": {"values": state}})


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("²", "Enter a whole number above zero."),
        ("١٢", "Enter a whole number above zero."),
        ("000", "Enter a whole number above zero."),
        ("1" + "0" * 5000, "That number is too large. " + QUANTITY_RULE),
        ("1000000000000001", "That number is too large. " + QUANTITY_RULE),
    ],
)
def test_form_numbers_refused_on_their_field(raw: str, message: str) -> None:
    with pytest.raises(BadInput) as raised:
        form(quantity=raw).number("quantity")
    assert (raised.value.message, raised.value.field) == (message, "quantity")


def test_form_numbers_in_range() -> None:
    assert form(quantity="1,000,000,000,000,000").number("quantity") == MAX_QUANTITY
    assert form(quantity=" 12 ").number("quantity") == 12


def test_form_text_and_choices_arrive_without_controls() -> None:
    submitted: dict[str, Any] = {
        "state": {
            "values": {
                "caveats": {FIELD_ACTION: {"value": " north\x00 only\r\n "}},
                "about": {FIELD_ACTION: {"selected_option": {"value": "SKY-1\x00"}}},
            }
        }
    }
    assert Form(submitted).text("caveats") == "north only"
    assert Form(submitted).choice("about") == "SKY-1"


def test_command_text_loses_its_control_characters_before_parsing() -> None:
    assert parsed("ask Who pays\x00 for fuel?\x1b") == questions.Ask("Who pays for fuel?")
    assert parsed("delegation\x00 add ZED Zed\x07land") == delegations.AddDelegation(
        "ZED", "Zedland"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("delegation member VAL <@U" + "A" * 40 + ">", "User id `UAAAAAAAAAAAAAA…` is 41"),
        ("coordinator add @U" + "B" * 32, "User id `UBBBBBBBBBBBBBB…` is 33"),
        (
            "setup coordinators-channel <#C" + "D" * 40 + "|x>",
            "Channel id `CDDDDDDDDDDDDDD…` is 41",
        ),
    ],
)
def test_ids_longer_than_their_columns_are_refused(text: str, message: str) -> None:
    with pytest.raises(BadInput) as raised:
        parsed(text)
    assert message in str(raised.value) and "Slack ids are at most 32" in str(raised.value)


def test_the_longest_ids_are_taken() -> None:
    user, channel = "U" + "A" * 31, "C" + "D" * 31
    assert parsed(f"coordinator add <@{user}>") == delegations.AddCoordinator(user)
    assert parsed(f"setup coordinators-channel <#{channel}>") == setup.SetCoordinatorsChannel(
        channel
    )
