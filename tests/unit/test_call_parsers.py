"""`call open`, `call extend`, `call status`, `call close` and `decline` as the parsers
read them; whatever is wrong (a date, a time, a zone, a code, a missing quote) gets
one short line and the usage."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.domain.errors import BadInput
from handlers.calls import CallStatus, CloseCall, Decline, ExtendCall, ListCalls, OpenCall
from handlers.router import parse_command


def parsed(text: str) -> object:
    return parse_command(text)[1]


def refusal(text: str) -> BadInput:
    with pytest.raises(BadInput) as refused:
        parse_command(text)
    assert "\n" not in refused.value.message
    return refused.value


def test_a_call_names_objectives_and_lines_and_its_deadline() -> None:
    assert parsed('call open sky LAND-2 Land-3 due 2027-04-02 12:00 "Offers by Friday"') == (
        OpenCall(
            ("SKY", "LAND-2", "LAND-3"), date(2027, 4, 2), time(12, 0), None, "Offers by Friday"
        )
    )
    assert parsed("CALL OPEN SKY-1 due 2027-04-02 9:30 europe/brussels") == OpenCall(
        ("SKY-1",), date(2027, 4, 2), time(9, 30), "Europe/Brussels"
    )
    assert parsed("call open SEA due 2027-04-02 12:00 UTC “Offers please”") == OpenCall(
        ("SEA",), date(2027, 4, 2), time(12, 0), "UTC", "Offers please"
    )


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("call open SKY", "Give the deadline: `due YYYY-MM-DD HH:MM`"),
        ("call open due 2027-04-02 12:00", "Name the lines to call for"),
        (
            "call open SKY due 2027-02-30 12:00",
            "'2027-02-30' is not a date; write it as YYYY-MM-DD.",
        ),
        ("call open SKY due 02/04/2027 12:00", "is not a date"),
        ("call open SKY due 2027-04-02", "Give the deadline as a date and a time"),
        ("call open SKY due 2027-04-02 25:00", "'25:00' is not a time of day"),
        ("call open SKY due 2027-04-02 noon", "is not a time of day"),
        ("call open SKY due 2027-04-02 12:00 Europe/Brusels", "is not an IANA time zone"),
        (
            "call open SKY due 2027-04-02 12:00 Offers please",
            "neither a time zone nor a message in quotes",
        ),
        ('call open SKY due 2027-04-02 12:00 "Offers" extra', "I did not understand 'extra'"),
        ("call open SKY-X due 2027-04-02 12:00", "'SKY-X' is not a line (SKY-2) or an objective"),
        ('call open "SKY" due 2027-04-02 12:00', "is not a line (SKY-2) or an objective"),
        ("call extend 3 2027-04-09 12:00", "'3' is not a call reference"),
        ("call extend C-3", "Give the deadline as a date and a time"),
        ("call extend C-3 2027-04-09 12:00 Mars/Olympus", "is not an IANA time zone"),
        ("call status", "Which call?"),
        ("call status Q-3", "'Q-3' is not a call reference"),
        ("call close C-3 now", "I did not understand 'now'"),
        ("decline", "Which call?"),
        ("decline 3", "'3' is not a call (C-3), a line (SKY-2) or an objective"),
        ("decline C-3 no capacity", "Put the reason in quotes"),
        ("calls open", "I did not understand 'open'"),
    ],
)
def test_what_is_wrong_gets_one_line(text: str, said: str) -> None:
    refused = refusal(text)
    assert said in refused.message, refused.message


def test_a_zone_that_is_a_region_gets_a_suggestion() -> None:
    refused = refusal("call open SKY due 2027-04-02 12:00 Europe")
    assert "Europe/Brussels" in refused.hint


def test_the_other_call_commands() -> None:
    assert parsed("call extend c3 2027-04-09 08:15") == ExtendCall(
        3, date(2027, 4, 9), time(8, 15), None
    )
    assert parsed("call status C-12") == CallStatus(12)
    assert parsed("call close c-2") == CloseCall(2)
    assert parsed("calls") == ListCalls()
    assert parsed('decline c-3 "no battery before 2028"') == Decline(
        "C-3", "no battery before 2028"
    )
    assert parsed("decline sky-2") == Decline("SKY-2")
    assert parsed("decline land") == Decline("LAND")


def test_call_alone_asks_which() -> None:
    assert "Did you mean `/muster call close`" in refusal("call").message
