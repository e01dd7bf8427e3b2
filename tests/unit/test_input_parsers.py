"""Quantities, mentions and command text as the parsers read them: exact, capped, clean."""

from __future__ import annotations

from decimal import Decimal
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
HUNDREDTHS = st.decimals(min_value=Decimal("0.01"), max_value=MAX_QUANTITY, places=2)


def parsed(text: str) -> object:
    return parse_command(text)[1]


@given(IN_RANGE)
def test_every_quantity_in_range_is_read_exactly(n: int) -> None:
    written = [str(n), f"{n:,}", f"{n:_}"]
    if n >= 1_000_000:  # 1.500.000: two groups or more can only be thousands
        written.append(f"{n:,}".replace(",", "."))
    for text in written:
        assert quantity(Token(text), USAGE) == n


@given(HUNDREDTHS)
def test_every_part_unit_in_range_is_read_exactly(n: Decimal) -> None:
    """Whatever a float would make of it (0.29 is 0.28999… as a double)."""
    for text in (str(n), f"{n:,}", f"{n:f}".rstrip("0").rstrip(".")):
        read = quantity(Token(text), USAGE)
        assert read == n and isinstance(read, Decimal)


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
    [
        ("2.01k", 2_010),
        ("4.07bn", 4_070_000_000),
        ("1,000,000,000,000", MAX_QUANTITY),
        ("0.29", Decimal("0.29")),
        ("0.25", Decimal("0.25")),
        ("1.5", Decimal("1.5")),
        ("12", 12),
        ("2.00", 2),
        ("0.250", Decimal("0.25")),  # a trailing zero is no third place
        ("1,500.25", Decimal("1500.25")),
        ("2.0001k", Decimal("2000.1")),
        ("999,999,999,999.99", Decimal("999999999999.99")),
    ],
)
def test_quantities_a_float_would_get_wrong(written: str, value: int | Decimal) -> None:
    assert quantity(Token(written), USAGE) == value


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (
            "9007199254740993",
            "is too large. Quantities are numbers above 0 and up to 1,000,000,000,000, "
            "with at most two decimal places.",
        ),
        ("1" + "0" * 5000, "is too large. Quantities are"),
        ("1000000000.001k", "is too large"),
        ("²", "is not a quantity"),
        ("٣", "is not a quantity"),
        ("３", "is not a quantity"),
        ("2.0000000000000001k", "is not a quantity"),
        ("1,5", "'1,5' has a decimal comma: write 1.5, with a point."),
        ("0,25", "'0,25' has a decimal comma: write 0.25, with a point."),
        ("1.500,25", "'1.500,25' has a decimal comma: write 1500.25, with a point."),
        ("1,5bn", "'1,5bn' has a decimal comma: write 1.5bn, with a point."),
        ("1.500", "'1.500' could mean 1500 or 1.5: write one of those."),
        (
            "0.125",
            "'0.125' has more than two decimal places; quantities go to hundredths, such as 0.25.",
        ),
        ("2.555", "'2.555' has more than two decimal places; quantities go to hundredths"),
        ("0.2501", "more than two decimal places"),
        ("2.0001", "more than two decimal places"),
        ("0", "'0' is zero; quantities are above zero."),
        ("0.00", "'0.00' is zero; quantities are above zero."),
        ("-1", "'-1' is negative; quantities are above zero."),
        ("-0.25", "'-0.25' is negative; quantities are above zero."),
        ("1e3", "is not a quantity"),
    ],
)
def test_quantities_refused_in_one_line(written: str, message: str) -> None:
    with pytest.raises(BadInput) as raised:
        quantity(Token(written), USAGE)
    assert message in str(raised.value)
    assert len(raised.value.message) < 150 and "\n" not in raised.value.message


def form(**values: str) -> Form:
    state = {name: {FIELD_ACTION: {"type": "t", "value": v}} for name, v in values.items()}
    return Form({"state": {"values": state}})


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("²", "'²' is not a quantity; write a number such as 6, 0.25 or 1.5bn."),
        ("١٢", "'١٢' is not a quantity"),
        ("000", "'000' is zero; quantities are above zero."),
        ("1" + "0" * 5000, "is too large. " + QUANTITY_RULE),
        ("1000000000001", "'1000000000001' is too large. " + QUANTITY_RULE),
        ("0.125", "'0.125' has more than two decimal places"),
        ("1,5", "'1,5' has a decimal comma: write 1.5, with a point."),
        ("-2", "'-2' is negative; quantities are above zero."),
    ],
)
def test_form_numbers_refused_on_their_field(raw: str, message: str) -> None:
    with pytest.raises(BadInput) as raised:
        form(quantity=raw).number("quantity")
    assert message in raised.value.message and raised.value.field == "quantity"


def test_form_numbers_in_range() -> None:
    assert form(quantity="1,000,000,000,000").number("quantity") == MAX_QUANTITY
    assert form(quantity=" 12 ").number("quantity") == 12
    assert form(quantity="0.25").number("quantity") == Decimal("0.25")
    assert form(quantity="1.5").number("quantity") == Decimal("1.5")


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
