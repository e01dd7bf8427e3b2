"""Reconfirmation's commands, buttons and forms check who acts: a delegation
reconfirms and changes only its own pledges (another's restricted pledge it cannot
even name), a coordinator may withdraw one, only coordinators set the policy. Two
processes ticking at once ask once; after downtime the first tick asks once and the
grace runs from then; a channel's digest counts another nation's restricted pledge
gone stale without naming it."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import datetime, timedelta

import pytest

from bot.domain.clock import FixedClock
from bot.runtime.app import make_client
from bot.runtime.scheduler import Ticker
from bot.runtime.settings import Settings
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from handlers.ids import (
    ACTION_CHANGE_PLEDGE,
    ACTION_STILL_VALID,
    ACTION_WITHDRAW_PLEDGE,
    CALLBACK_PLEDGE_WITHDRAW,
)
from tests.support.answers import dm_count, dms
from tests.support.clock import START, set_clock, tick_at
from tests.support.factories import COORDINATOR, OTHER, OWN, UNREGISTERED
from tests.support.http import fill
from tests.support.slack import SlashCommands, press, submit


def day(n: int, hour: int = 10) -> datetime:
    return START + timedelta(days=n, hours=hour - START.hour)


def told(slack: SlackStandIn) -> str:
    """What the last button press was answered, where it was pressed."""
    return str(slack.calls_to("response_url")[-1].args["text"])


@pytest.fixture
def policy(coalition: Muster, muster_cmd: SlashCommands) -> Muster:
    """The small coalition (P-1 VAL on SKY-1; P-2 VAL, restricted, on LAND-1) with
    reconfirmation every 90 days and 14 days' grace."""
    muster_cmd(COORDINATOR, "reconfirm every 90d")
    return coalition


def test_only_coordinators_set_the_policy_and_everyone_registered_may_read_it(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    refused = muster_cmd(OWN, "reconfirm every 30d").text
    assert refused.startswith("Only coordinators can set periodic reconfirmation.")
    assert muster_cmd(OWN, "reconfirm off").text.startswith(
        "Only coordinators can turn periodic reconfirmation off."
    )
    assert "Periodic reconfirmation is off" in muster_cmd(OWN, "reconfirm").text
    assert "already off" in muster_cmd(COORDINATOR, "reconfirm off").text
    on = muster_cmd(COORDINATOR, "reconfirm every 30d grace 7d").text
    assert on.startswith("Periodic reconfirmation on")
    assert "every 30 days, with 7 days' grace" in muster_cmd(OTHER, "reconfirm").text
    assert "not registered" in muster_cmd(UNREGISTERED, "reconfirm").text
    for text in ("reconfirm every 0d", "reconfirm every 90", "reconfirm every 90d grace -1d"):
        answer = muster_cmd(COORDINATOR, text)
        assert answer.ephemeral and len(answer.blocks) == 1, text
    assert "every 30 days" in muster_cmd(OTHER, "reconfirm").text  # nothing changed


def test_a_delegation_reconfirms_only_its_own_pledges(
    policy: Muster, muster_cmd: SlashCommands
) -> None:
    assert muster_cmd(OTHER, "reconfirm P-2").text.startswith("No pledge P-2 that you can see.")
    assert muster_cmd(OTHER, "reconfirm P-1").text.startswith(
        "Only its own delegation can reconfirm P-1."
    )
    assert muster_cmd(COORDINATOR, "reconfirm P-1").text.startswith(
        "Only members of a delegation can reconfirm pledges"
    )
    assert muster_cmd(OWN, "reconfirm P-99").text.startswith("No pledge P-99 that you can see.")
    both = muster_cmd(OWN, "reconfirm P-2 p1")
    assert both.text.startswith("2 pledges reconfirmed")
    assert [e.action for e in policy.reports.history(OWN, "P-2").entries][-1] == "reconfirmed"


def test_buttons_check_who_presses_them(
    policy: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    press(muster_cmd, OTHER, ACTION_CHANGE_PLEDGE, "P-1")
    assert told(slack) == "Only its own delegation can change P-1."
    press(muster_cmd, OTHER, ACTION_WITHDRAW_PLEDGE, "P-2")
    assert told(slack) == "No pledge P-2 that you can see. Try `/muster pledges mine`."
    press(muster_cmd, OTHER, ACTION_STILL_VALID, "P-2")
    assert told(slack) == "No pledge P-2 that you can see. Try `/muster pledges mine`."
    press(muster_cmd, UNREGISTERED, ACTION_STILL_VALID, "P-1")
    assert told(slack).startswith("You are not registered with Muster yet.")
    press(muster_cmd, COORDINATOR, ACTION_CHANGE_PLEDGE, "P-1")
    assert told(slack) == "Only its own delegation can change P-1."
    assert slack.calls_to("views.open") == []
    assert [e.action for e in policy.reports.history(OWN, "P-1").entries] == ["created"]

    # A coordinator may withdraw one, with a reason, as `/muster withdraw` allows.
    press(muster_cmd, COORDINATOR, ACTION_WITHDRAW_PLEDGE, "P-1")
    [form] = [c.args["view"] for c in slack.calls_to("views.open")]
    assert form["callback_id"] == CALLBACK_PLEDGE_WITHDRAW
    done = submit(muster_cmd, fill(COORDINATOR, form, {"reason": "the battery is needed at home"}))
    assert done["view"]["title"]["text"] == "Pledge P-1 withdrawn"
    [*_, withdrawn] = policy.reports.history(OWN, "P-1").entries
    assert (withdrawn.action, withdrawn.actor) == ("withdrawn", COORDINATOR)
    assert ("withdrawn_reason", "", "the battery is needed at home") in withdrawn.changes
    press(muster_cmd, OWN, ACTION_STILL_VALID, "P-1")
    assert told(slack) == "P-1 was withdrawn; there is nothing to reconfirm."


@pytest.mark.parametrize("value", ["P-x", "", "Q-1", "P-99999999999"])
@pytest.mark.parametrize(
    "action", [ACTION_STILL_VALID, ACTION_CHANGE_PLEDGE, ACTION_WITHDRAW_PLEDGE]
)
def test_a_damaged_button_value_gets_one_line(
    policy: Muster, muster_cmd: SlashCommands, slack: SlackStandIn, action: str, value: str
) -> None:
    press(muster_cmd, OWN, action, value)
    assert told(slack) == "That button or form does not name a pledge; open it again."


def test_the_change_form_offers_no_step_back_and_refuses_a_change_of_nothing(
    policy: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    press(muster_cmd, OWN, ACTION_CHANGE_PLEDGE, "P-2")
    [form] = [c.args["view"] for c in slack.calls_to("views.open")]
    fields = {b["block_id"]: b["element"] for b in form["blocks"] if b["type"] == "input"}
    assert [o["value"] for o in fields["status"]["options"]] == ["confirmed"]
    assert fields["quantity"]["initial_value"] == "2"
    assert fields["caveats"]["initial_value"] == "only in the western region"
    assert fields["restricted"]["initial_options"]
    same = {"quantity": "2", "caveats": "only in the western region", "restricted": True}
    refused = submit(muster_cmd, fill(OWN, form, same))
    assert refused["response_action"] == "errors"
    assert refused["errors"]["quantity"].startswith("P-2 already reads that way")
    changed = submit(muster_cmd, fill(OWN, form, same | {"quantity": "1.5"}))
    assert changed["view"]["title"]["text"] == "Pledge P-2 updated"
    [*_, update] = policy.reports.history(OWN, "P-2").entries
    assert [name for name, _before, _after in update.changes] == ["quantity"]


def test_two_processes_ticking_at_once_ask_each_member_once(
    policy: Muster, settings: Settings, slack: SlackStandIn, clock: FixedClock
) -> None:
    set_clock(clock, day(90))
    barrier = threading.Barrier(2)

    def tick(n: int) -> None:
        ticker = Ticker(policy, make_client(settings), pace=0, worker=f"process-{n}")
        barrier.wait()
        ticker.tick()

    threads = [threading.Thread(target=tick, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert dm_count(slack) == Counter({OWN: 1})  # VAL's one member; OST has no pledge
    asked = [e.action for e in policy.reports.history(OWN, "LAND-1").entries]
    assert asked.count("asked to reconfirm") == 1


def test_after_downtime_the_first_tick_asks_once_and_the_grace_runs_from_then(
    policy: Muster, ticker: Ticker, slack: SlackStandIn
) -> None:
    tick_at(ticker, day(80))
    assert dms(slack) == []
    # Down from day 80 to day 120: the pledges came due on day 90, unasked.
    assert tick_at(ticker, day(120)).reconfirmation.asked == {"VAL": ("P-1", "P-2")}
    assert tick_at(ticker, day(120, 15)).reconfirmation.asked == {}
    assert dm_count(slack) == Counter({OWN: 1})
    assert tick_at(ticker, day(133)).reconfirmation.gone_stale == ()  # 14 days from the asking
    assert tick_at(ticker, day(134)).reconfirmation.gone_stale == ("P-1", "P-2")
    assert dm_count(slack) == Counter({OWN: 1})


def test_a_channels_digest_counts_a_restricted_pledge_gone_stale_without_naming_it(
    policy: Muster, ticker: Ticker, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    tick_at(ticker, day(90))
    tick_at(ticker, day(104))
    muster_cmd(OTHER, "digest preview")
    [preview] = slack.calls_to("response_url")
    shown = json.dumps(preview.args["blocks"], ensure_ascii=False)
    assert "LAND-1: 1 undisclosed pledge of firm capacity went stale" in shown
    assert "2 battlegroups" not in shown  # how much it was is its delegation's
    # P-1, conditional, went stale too: counted, as it was no firm capacity.
    assert "Also gone stale: 1 pledge that counted as pending or conditional." in shown
    assert "P-2" not in shown
    muster_cmd(COORDINATOR, "digest preview")
    coordinators = json.dumps(slack.calls_to("response_url")[-1].args["blocks"])
    assert "LAND-1 (P-2 VAL)" in coordinators
