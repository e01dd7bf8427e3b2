"""Quantities, mentions and command text as the parsers read them: exact, capped, clean."""

from __future__ import annotations

from typing import Any

from handlers import delegations, questions
from handlers.forms import Form
from handlers.ids import FIELD_ACTION
from handlers.router import parse_command


def parsed(text: str) -> object:
    return parse_command(text)[1]


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
