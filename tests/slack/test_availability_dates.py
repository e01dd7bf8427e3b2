"""A contribution cannot become available in the past: an availability date before
today (by the injected clock, where the coalition is) is refused in a short line by
the command, and next to the field in the pledge form."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.domain.clock import FixedClock
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from tests.support.clock import set_clock
from tests.support.databases import count
from tests.support.factories import OTHER, OWN
from tests.support.http import fill
from tests.support.slack import SlashCommands, open_form, submit

REFUSED = "2026-11-22 is in the past; give today or a later date."


def test_the_command_refuses_a_date_before_today(
    coalition: Muster, clock: FixedClock, muster_cmd: SlashCommands, engine: Engine
) -> None:
    set_clock(clock, "2026-11-23T08:00:00Z")
    assert REFUSED in muster_cmd(OTHER, "pledge LAND-1 1 from 2026-11-22").text
    assert "2020-01-01 is in the past" in muster_cmd(OTHER, "pledge LAND-1 1 from 2020-01-01").text
    assert count(engine, "pledge") == 2
    assert "from 2026-11-23" in muster_cmd(OTHER, "pledge LAND-1 1 from 2026-11-23").text
    assert "2026-01-01 is in the past" in muster_cmd(OWN, "pledge update P-1 from 2026-01-01").text


def test_today_is_where_the_coalition_is(
    coalition: Muster, clock: FixedClock, muster_cmd: SlashCommands
) -> None:
    """23:30 UTC on the 23rd is already the 24th in Brussels (MUSTER_TIMEZONE)."""
    set_clock(clock, "2026-11-23T23:30:00Z")
    assert "2026-11-23 is in the past" in muster_cmd(OTHER, "pledge LAND-1 1 from 2026-11-23").text
    assert "Pledge P-3 recorded" in muster_cmd(OTHER, "pledge LAND-1 1 from 2026-11-24").text


def test_the_form_shows_the_refusal_next_to_the_date(
    coalition: Muster,
    clock: FixedClock,
    muster_cmd: SlashCommands,
    slack: SlackStandIn,
    engine: Engine,
) -> None:
    set_clock(clock, "2026-11-23T08:00:00Z")
    view = open_form(muster_cmd, slack, OTHER, "pledge")
    values = {"requirement": "LAND-1", "quantity": "1", "available_from": "2026-11-22"}
    reply = submit(muster_cmd, fill(OTHER, view, values))
    assert reply == {"response_action": "errors", "errors": {"available_from": REFUSED}}
    assert count(engine, "pledge") == 2
    done = submit(muster_cmd, fill(OTHER, view, values | {"available_from": "2026-11-23"}))
    assert done["response_action"] == "update"
    assert count(engine, "pledge") == 3
