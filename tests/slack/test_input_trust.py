"""Input that used to end in "something went wrong", or in a silently wrong record,
now gets one line saying what to fix, or is cleaned before it is stored; crafted form
values get an error on their field. Through the real Bolt app, on SQLite and
PostgreSQL."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt import BoltRequest
from sqlalchemy import Engine, text

from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from storage.types import Quantity
from tests.support.databases import count
from tests.support.factories import COORDINATOR, OTHER, OWN, small_coalition
from tests.support.http import fill
from tests.support.slack import SlashCommands, open_form, submit

RULE = (
    "Quantities are numbers above 0 and up to 1,000,000,000,000, with at most two decimal places."
)
TABLES = ("objective", "delegation", "member", "coordinator", "requirement", "pledge")
TABLES += ("question", "event", "setting", "subscription")
INTERNAL = "something went wrong"


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from strings(v)


def stored_controls(engine: Engine) -> list[str]:
    """Every stored string (JSON in the audit log included) holding a control character."""
    found = []
    with engine.connect() as conn:
        for table in TABLES:
            for row in conn.execute(text(f"SELECT * FROM {table}")).mappings():
                found += [
                    s for s in strings(dict(row)) if any(unicodedata.category(c) == "Cc" for c in s)
                ]
    return found


# --- control characters ----------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "command", "answer"),
    [
        (OWN, "ask Who pays\x00 for fuel?\x1b", "Question Q-2 recorded"),
        (COORDINATOR, "delegation add ZED Zed\x00land", "Delegation *ZED* (Zedland) added"),
        (
            OWN,
            'pledge SKY-1 1 if "subject to\x00 parliament" caveat "north\x07 only"',
            "if “subject to parliament” (national or parliamentary approval) · caveat “north only”",
        ),
        (OWN, 'withdraw P-1 "re\x00deployed"', "reason “redeployed”"),
        (COORDINATOR, "answer Q-1 The lead\x00 nations.\r\n", "The lead nations."),
        (
            COORDINATOR,
            'requirement add LAND 2 field\x00 hospitals "Role 2\x00 hospitals"',
            "*LAND-2* Role 2 hospitals",
        ),
        (COORDINATOR, 'requirement edit SKY-1 notes "every\x00 6 months"', "SKY-1 updated"),
        (COORDINATOR, "objective edit SKY name Safe\x00 skies", "“Safe skies”"),
        (COORDINATOR, "\x00pledges SKY-1\x00", "Pledges for SKY-1"),
    ],
)
def test_control_characters_never_reach_the_database(
    user: str,
    command: str,
    answer: str,
    coalition: Muster,
    muster_cmd: SlashCommands,
    engine: Engine,
) -> None:
    reply = muster_cmd(user, command)
    assert answer in reply.text, reply.text
    assert INTERNAL not in reply.text
    assert stored_controls(engine) == []


def test_form_fields_are_cleaned_before_they_are_stored(
    coalition: Muster, muster_cmd: SlashCommands, slack: SlackStandIn, engine: Engine
) -> None:
    view = open_form(muster_cmd, slack, OTHER, "pledge")
    values = {"requirement": "SKY-1", "quantity": "2", "condition": "subject to\x00 parliament"}
    done = submit(muster_cmd, fill(OTHER, view, values | {"caveats": "\x00north\x1b only\r\n"}))
    assert done["response_action"] == "update", done
    summary = done["view"]["blocks"][0]["text"]["text"]
    assert "if “subject to parliament”" in summary and "caveat “north only”" in summary

    view = open_form(muster_cmd, slack, OTHER, "ask")
    done = submit(muster_cmd, fill(OTHER, view, {"question": "Who\x00 flies\r\ncover?"}))
    assert done["response_action"] == "update", done
    assert "Who flies cover?" in done["view"]["blocks"][0]["text"]["text"]

    view = open_form(muster_cmd, slack, OTHER, "ask")
    empty = submit(muster_cmd, fill(OTHER, view, {"question": "\x00\x00"}))
    assert empty == {
        "response_action": "errors",
        "errors": {"question": "Choose a question to ask."},
    }
    assert stored_controls(engine) == []


# --- quantities -------------------------------------------------------------------


def land_pledges(engine: Engine) -> list[Decimal]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT p.quantity FROM pledge p JOIN requirement r ON r.id = p.requirement_id "
                "WHERE r.code = 'LAND-1' ORDER BY p.id"
            ).columns(quantity=Quantity)  # as stored: hundredths on SQLite
        )
        return [q for (q,) in rows]


@pytest.mark.parametrize(
    "written", ["9007199254740993", "1000000000001", "1" + "0" * 5000, "1000000000.001k"]
)
def test_quantities_above_the_maximum_are_refused_not_rounded(
    written: str, coalition: Muster, muster_cmd: SlashCommands, engine: Engine
) -> None:
    reply = muster_cmd(OWN, f"pledge LAND-1 {written}")
    assert RULE in reply.text and INTERNAL not in reply.text
    assert "0" * 100 not in reply.text  # quoted back shortened
    assert land_pledges(engine) == [2]


def test_quantities_are_recorded_exactly(
    coalition: Muster, muster_cmd: SlashCommands, engine: Engine
) -> None:
    assert "2,010 battlegroups" in muster_cmd(OWN, "pledge LAND-1 2.01k").text
    assert (
        "1,000,000,000,000 battlegroups" in muster_cmd(OWN, "pledge LAND-1 1,000,000,000,000").text
    )
    assert "0.29 battlegroups" in muster_cmd(OWN, "pledge LAND-1 0.29").text  # 0.2899… as a float
    assert (
        "999,999,999,999.99 battlegroups" in muster_cmd(OWN, "pledge LAND-1 999999999999.99").text
    )
    assert land_pledges(engine) == [2, 2_010, 10**12, Decimal("0.29"), Decimal("999999999999.99")]


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("²", "'²' is not a quantity; write a number such as 6, 0.25 or 1.5bn."),
        ("1" + "0" * 5000, "'1" + "0" * 38 + "…' is too large. " + RULE),  # quoted back short
        ("1000000000001", "'1000000000001' is too large. " + RULE),
        (
            "0.125",
            "'0.125' has more than two decimal places; quantities go to hundredths, such as 0.25.",
        ),
        ("1,5", "'1,5' has a decimal comma: write 1.5, with a point."),
        ("0", "'0' is zero; quantities are above zero."),
    ],
)
def test_form_quantities_get_a_field_error(
    quantity: str,
    message: str,
    coalition: Muster,
    muster_cmd: SlashCommands,
    slack: SlackStandIn,
    engine: Engine,
) -> None:
    view = open_form(muster_cmd, slack, OTHER, "pledge")
    reply = submit(muster_cmd, fill(OTHER, view, {"requirement": "SKY-1", "quantity": quantity}))
    assert reply == {"response_action": "errors", "errors": {"quantity": message}}
    assert count(engine, "pledge") == 2


def test_the_pledge_form_takes_part_units(
    coalition: Muster, muster_cmd: SlashCommands, slack: SlackStandIn, engine: Engine
) -> None:
    view = open_form(muster_cmd, slack, OWN, "pledge")
    [element] = [b["element"] for b in view["blocks"] if b.get("block_id") == "quantity"]
    assert element["type"] == "number_input" and element["is_decimal_allowed"] is True
    reply = submit(muster_cmd, fill(OWN, view, {"requirement": "LAND-1", "quantity": "0.25"}))
    assert reply["response_action"] == "update"
    assert "0.25 battlegroups" in json.dumps(reply["view"])
    assert land_pledges(engine) == [2, Decimal("0.25")]


# --- time zones and ids ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "answer"),
    [
        (
            "America",
            "'America' is not an IANA time zone. It is a region: name a place in it, "
            "e.g. `America/New_York`, `America/Chicago` or `America/Los_Angeles`.",
        ),
        ("Europe", "It is a region: name a place in it, e.g. `Europe/Brussels`"),
        ("Europe/Brusels", "Did you mean `Europe/Brussels`?"),
        ("x" * 300, "…' is not an IANA time zone. Use a name such as `Europe/Brussels`."),
    ],
)
def test_digest_time_zones_are_checked_with_a_suggestion(
    zone: str, answer: str, coalition: Muster, muster_cmd: SlashCommands, engine: Engine
) -> None:
    reply = muster_cmd(COORDINATOR, f"digest subscribe <#C0STATUS> weekly friday 16:00 {zone}")
    assert answer in reply.text and INTERNAL not in reply.text
    assert len(reply.text) < 400
    assert count(engine, "subscription") == 0


def test_a_zone_in_another_case_is_stored_as_iana_writes_it(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    reply = muster_cmd(COORDINATOR, "digest subscribe <#C0STATUS> weekly friday 16:00 asia/tokyo")
    assert "Fridays at 16:00 Asia/Tokyo" in reply.text


LONG_USER = "U" + "A" * 40


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        (f"delegation member OST <@{LONG_USER}>", "User id `UAAAAAAAAAAAAAA…` is 41"),
        (f"coordinator add <@{LONG_USER}|someone>", "User id `UAAAAAAAAAAAAAA…` is 41"),
        (f"setup coordinators-channel <#C{'B' * 40}>", "Channel id `CBBBBBBBBBBBBBB…` is 41"),
        (f"digest subscribe <#C{'B' * 40}|status>", "Channel id `CBBBBBBBBBBBBBB…` is 41"),
    ],
)
def test_ids_longer_than_their_columns_are_refused(
    command: str, answer: str, coalition: Muster, muster_cmd: SlashCommands, engine: Engine
) -> None:
    events = count(engine, "event")
    reply = muster_cmd(COORDINATOR, command)
    assert answer in reply.text and "Slack ids are at most 32." in reply.text
    assert count(engine, "event") == events


def test_the_longest_ids_fit(coalition: Muster, muster_cmd: SlashCommands) -> None:
    longest = "U" + "L" * 31
    assert (
        "now speaks for *OST*"
        in muster_cmd(COORDINATOR, f"delegation member OST <@{longest}>").text
    )
    assert "is now a coordinator" in muster_cmd(COORDINATOR, f"coordinator add <@{longest}>").text


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"quantity": "1" + "0" * 30}, "quantity", "too large"),
        ({"quantity": 2, "available_from": "31/12/2027"}, "available_from", "Pick a date"),
        ({"quantity": 2, "status": "bogus"}, "status", "Choose one of the options"),
    ],
)
def test_crafted_form_values_get_field_errors(
    values: dict,
    field: str,
    message: str,
    muster: Muster,  # type: ignore[type-arg]
    muster_cmd: SlashCommands,
    slack: SlackStandIn,
) -> None:
    small_coalition(muster)
    muster_cmd(OTHER, "pledge", opens_form=True)
    view = slack.calls_to("views.open")[0].args["view"]
    submission = fill(
        OTHER, view, {"requirement": "SKY-1", **{k: v for k, v in values.items() if k != "status"}}
    )
    if "status" in values:
        submission["view"]["state"]["values"]["status"]["value"]["selected_option"] = {
            "value": values["status"]
        }

    body = urlencode({"payload": json.dumps(submission)})
    response = muster_cmd.app.dispatch(BoltRequest(body=body, headers=muster_cmd.signed(body)))
    errors = json.loads(response.body)["errors"]
    assert list(errors) == [field] and message in errors[field]
