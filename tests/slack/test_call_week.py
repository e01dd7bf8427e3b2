"""A call for contributions over a week, through signed requests and the scheduler's
tick on a fixed clock: opened on Monday 22 March 2027, due on Friday 2 April at 12:00
in Brussels, after the change to summer time. Three delegations pledge (by command, by
changing an older pledge, and through the message's Pledge button), one sends a nil
return through its button, and the three that stay silent are reminded exactly twice,
48 and 4 hours before the deadline, never at night where the member is, and then
named in the one summary the coordinators get when the call closes by itself."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from bot.domain.calls import time_left
from bot.domain.clock import FixedClock
from bot.runtime.scheduler import Ticker
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from handlers import home
from handlers.ids import ACTION_CALL_PLEDGE, ACTION_DECLINE
from tests.support.answers import dms
from tests.support.calls import (
    BEFORE_4H,
    BEFORE_48H,
    COORDINATORS,
    DEADLINE,
    EVERYONE,
    MONDAY,
    NIGHT_OWL,
    OPEN,
    SILENT,
    call_coalition,
    invitations,
    letters,
    members_of,
    reminders,
    summaries,
)
from tests.support.clock import set_clock, tick_at
from tests.support.factories import COORDINATOR
from tests.support.http import fill
from tests.support.slack import SlashCommands, press, submit, validate_calls

LA_MORNING = BEFORE_48H + timedelta(hours=4)  # 07:00 in Los Angeles, Wednesday


@pytest.fixture
def week(muster: Muster, clock: FixedClock, slack: SlackStandIn) -> Muster:
    return call_coalition(muster, clock, slack)


def events(engine: Engine, action: str) -> list[dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT after FROM event WHERE entity = 'call' AND action = :a ORDER BY id"),
            {"a": action},
        ).all()
    return [json.loads(a) if isinstance(a, str) else a for (a,) in rows]


def test_a_week_of_a_call_for_contributions(
    week: Muster,
    clock: FixedClock,
    muster_cmd: SlashCommands,
    ticker: Ticker,
    slack: SlackStandIn,
    engine: Engine,
) -> None:
    set_clock(clock, MONDAY)
    opened = muster_cmd(COORDINATOR, OPEN)
    assert opened.text.startswith("Call C-1 opened")
    assert "Sent by direct message to 10 members of 7 delegations" in opened.text
    # One message each, at once, but 09:00 in Brussels is 01:00 in Los Angeles.
    assert invitations(slack) == Counter(set(EVERYONE) - {NIGHT_OWL})
    sent_at: dict[str, list[datetime]] = defaultdict(list)

    def tick(when: datetime) -> None:
        seen = len(dms(slack))
        tick_at(ticker, when)
        for call in dms(slack)[seen:]:
            kind = call.args["text"].split("\n")[0].split(",")[0]
            sent_at[f"{kind} {call.args['channel']}"].append(when)

    moment = MONDAY
    while moment <= DEADLINE + timedelta(hours=4):  # every two hours, and every moment owed
        tick(moment)
        if moment == MONDAY + timedelta(hours=2):
            respond(muster_cmd, slack)
        moment += timedelta(hours=2)

    assert invitations(slack) == Counter(EVERYONE)  # each member once, the night owl at 07:00
    assert sent_at[f"Call for contributions C-1 {NIGHT_OWL}"] == [MONDAY + timedelta(hours=6)]
    assert reminders(slack) == Counter(dict.fromkeys(members_of(*SILENT), 2))
    for user in members_of(*SILENT):
        expected = [BEFORE_48H, BEFORE_4H] if user != NIGHT_OWL else [LA_MORNING, BEFORE_4H]
        assert sent_at[f"Reminder: C-1 {user}"] == expected, user
    # The night owl's first reminder, kept for their morning, says the time left then.
    [owls, *_] = [
        c.args["text"] for c in letters(slack, "Reminder: C-1") if c.args["channel"] == NIGHT_OWL
    ]
    assert time_left(DEADLINE, LA_MORNING) in owls
    assert time_left(DEADLINE, BEFORE_48H) not in owls
    [summary] = summaries(slack)
    said = summary.args["text"]
    assert "C-1 closed: 4 of 7 responded" in said
    assert "4 of 7 responded (1 nil return); silent: HN, LAK, NM" in said
    assert "*MER*: nil return, nothing to offer “No battery before 2028 &lt;!channel&gt;”" in said
    assert "closed at its deadline" in said
    assert [e["status"] for e in events(engine, "closed")] == ["closed"]
    validate_calls(slack.calls)
    tick(DEADLINE + timedelta(days=1))  # nothing more, ever
    assert len(summaries(slack)) == 1
    assert reminders(slack) == Counter(dict.fromkeys(members_of(*SILENT), 2))
    status = muster_cmd(COORDINATOR, "call status C-1").text
    assert "Call C-1 (closed)" in status and "Nil returns (1)" in status


def respond(muster_cmd: SlashCommands, slack: SlackStandIn) -> None:
    """Monday 10:00 in Brussels: VAL raises the pledge it made before the call, CAL
    pledges by command, OST through the message's Pledge button, MER sends a nil
    return through its Nothing to offer button."""
    assert "Pledge P-1 updated" in muster_cmd("UVAL2", "pledge update P-1 quantity 2").text
    assert "Pledge P-3 recorded" in muster_cmd("UCAL1", "pledge LAND-1 1").text
    press(muster_cmd, "UOST1", ACTION_CALL_PLEDGE, "C-1")
    form = slack.calls_to("views.open")[-1].args["view"]
    offered = [
        o["value"] for g in form["blocks"][0]["element"]["option_groups"] for o in g["options"]
    ]
    assert offered == ["SKY-1", "LAND-1"]  # the lines called, and only those
    done = submit(muster_cmd, fill("UOST1", form, {"requirement": "SKY-1", "quantity": "2"}))
    assert done["view"]["title"]["text"] == "Pledge P-4 recorded"
    press(muster_cmd, "UMER1", ACTION_DECLINE, "C-1")
    form = slack.calls_to("views.open")[-1].args["view"]
    reason = {"reason": "No battery before 2028 <!channel>"}
    done = submit(muster_cmd, fill("UMER1", form, reason))
    assert done["view"]["title"]["text"] == "Nil return for C-1"


def test_the_message_lists_the_lines_their_open_quantities_and_its_buttons(
    week: Muster, clock: FixedClock, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    set_clock(clock, MONDAY)
    muster_cmd(COORDINATOR, OPEN.replace("Offers before", "<!channel> & <@UVAL1> offers before"))
    [letter] = letters(slack, "Call for contributions C-1")[:1]
    blocks = json.dumps(letter.args["blocks"])
    assert "&lt;!channel&gt; &amp; &lt;@UVAL1&gt; offers before" in blocks
    assert "<!channel>" not in blocks
    assert f"<!date^{int(DEADLINE.timestamp())}^" in blocks  # each reader's own time
    assert "2027-04-02 12:00 Europe/Brussels" in blocks
    assert "open 5" in blocks and "open 2" in blocks  # SKY-1: 6 less 1; LAND-1: 4 less 2
    for word in ("firm", "pending", "conditional", "open"):
        assert word in blocks
    actions = [b for b in letter.args["blocks"] if b["type"] == "actions"]
    assert [e["text"]["text"] for e in actions[0]["elements"]] == [
        "Pledge",
        "Ask",
        "Nothing to offer",
    ]
    assert {e["value"] for e in actions[0]["elements"]} == {"C-1"}
    own = next(c for c in letters(slack, "Call for contributions") if c.args["channel"] == "UVAL1")
    assert "P-2" in json.dumps(own.args["blocks"])  # VAL's own restricted pledge, to VAL only
    other = next(
        c for c in letters(slack, "Call for contributions") if c.args["channel"] == "UOST1"
    )
    assert "P-2" not in json.dumps(other.args["blocks"]) + other.args["text"]
    validate_calls(slack.calls)


def test_home_shows_the_open_calls_with_the_time_left(
    week: Muster, clock: FixedClock, muster_cmd: SlashCommands
) -> None:
    set_clock(clock, MONDAY)
    muster_cmd(COORDINATOR, OPEN)
    muster_cmd("UCAL1", "pledge LAND-1 1")
    later = clock.advance(timedelta(days=3, hours=1))
    tab = json.dumps(home.build(week.reports.home("ULAK1"), later))
    assert "Calls for contributions (1 open)" in tab
    assert "8 days 1 h left" in tab and "*LAK*: not answered yet" in tab
    assert "muster.call_pledge" in tab
    tab = json.dumps(home.build(week.reports.home("UCAL1"), later))
    assert "*CAL*: pledged P-3" in tab and "muster.call_pledge" not in tab
    tab = json.dumps(home.build(week.reports.home(COORDINATOR), later))
    assert "1 of 7 responded; silent: HN, LAK, MER, NM, OST, VAL" in tab


def test_the_digest_shows_each_open_calls_count_and_who_is_silent(
    week: Muster,
    clock: FixedClock,
    muster_cmd: SlashCommands,
    ticker: Ticker,
    slack: SlackStandIn,
) -> None:
    set_clock(clock, MONDAY)
    week.broadcasts.subscribe(COORDINATOR, "digest", COORDINATORS)
    week.broadcasts.subscribe(COORDINATOR, "digest", "C0STATUS")
    muster_cmd(COORDINATOR, OPEN)
    muster_cmd("UCAL1", "pledge LAND-1 1 restricted")
    muster_cmd("UMER1", 'decline C-1 "No battery"')
    tick_at(ticker, "2027-03-26T15:00:00+00:00")  # Friday, 16:00 in Brussels
    for channel in (COORDINATORS, "C0STATUS"):
        [digest] = [
            c
            for c in slack.calls_to("chat.postMessage")
            if c.args["channel"] == channel and c.args["text"].startswith("Weekly status")
        ]
        said = json.dumps(digest.args["blocks"])
        assert "Calls for contributions (1 open)" in said
        assert "6 days 19 h left" in said
        if channel == COORDINATORS:
            assert "2 of 7 responded (1 nil return); silent: HN, LAK, NM, OST, VAL" in said
        else:
            # Who is silent is the coordinators': CAL's answer is a restricted pledge,
            # and its leaving the silent would name it (a question's, its asker).
            assert "2 of 7 responded (1 nil return); 5 silent" in said
            assert "HN, LAK" not in said
            assert "P-3" not in said  # CAL's answer is restricted: inside the totals only


@pytest.mark.parametrize(
    ("command", "said"),
    [
        ("call open SKY due 2027-03-01 12:00", "2027-03-01 12:00 Europe/Brussels is in the past"),
        ("call open SKY due 2028-06-01 12:00", "is more than a year ahead; check the year."),
        ("call open SKY-7 due 2027-04-02 12:00", "Unknown requirement SKY-7."),
        ("call open AIR due 2027-04-02 12:00", "Unknown objective AIR. Objectives are SKY"),
        ("call open SKY due 2027-04-31 12:00", "'2027-04-31' is not a date"),
        ("call open SKY due 2027-04-02 12:00 Europe/Brusels", "Did you mean `Europe/Brussels`?"),
        ("call status C-9", "No call C-9."),
        ("decline C-9", "No call C-9."),
    ],
)
def test_bad_input_gets_one_line(
    command: str, said: str, week: Muster, clock: FixedClock, muster_cmd: SlashCommands
) -> None:
    set_clock(clock, MONDAY)
    user = "UVAL1" if command.startswith("decline") else COORDINATOR
    reply = muster_cmd(user, command)
    assert said in reply.text, reply.text
    assert len(reply.text.splitlines()) <= 2  # the answer, and perhaps the welcome notice


def outbox_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM outbox_message")).scalar_one())


def test_a_member_who_joins_while_a_call_is_open_is_sent_it_once(
    week: Muster,
    clock: FixedClock,
    muster_cmd: SlashCommands,
    ticker: Ticker,
    slack: SlackStandIn,
    engine: Engine,
) -> None:
    set_clock(clock, MONDAY)
    muster_cmd(COORDINATOR, OPEN)
    respond(muster_cmd, slack)  # VAL, OST and CAL pledge; MER sends a nil return
    slack.user_zones.update(dict.fromkeys(("UHN2", "UVAL3", "ULAK3"), "Europe/Brussels"))
    before = invitations(slack)

    muster_cmd(COORDINATOR, "delegation member HN <@UHN2>")  # HN is silent
    muster_cmd(COORDINATOR, "delegation member VAL <@UVAL3>")  # VAL has answered
    assert invitations(slack) - before == Counter({"UHN2": 1})  # at once, to them alone
    [letter] = [
        c for c in letters(slack, "Call for contributions C-1") if c.args["channel"] == "UHN2"
    ]
    actions = [b for b in letter.args["blocks"] if b["type"] == "actions"]
    assert {e["value"] for e in actions[0]["elements"]} == {"C-1"}  # they can answer it
    rows = outbox_rows(engine)
    muster_cmd(COORDINATOR, "delegation member HN <@UHN2>")  # again: nothing more is owed
    tick_at(ticker, MONDAY + timedelta(hours=2))
    assert outbox_rows(engine) == rows
    assert not [o for o in week.call_planning.owed_letters() if o.newcomers]
    assert invitations(slack) - before == Counter({"UHN2": 1})

    # One more joins at the moment HN's 48-hour reminder is owed: the reminder still
    # reaches everyone in the delegation, the newcomers too.
    set_clock(clock, BEFORE_48H)
    slack.user_zones["UHN3"] = "Europe/Brussels"
    muster_cmd(COORDINATOR, "delegation member HN <@UHN3>")
    assert invitations(slack)["UHN3"] == 1
    assert reminders(slack)["UHN1"] == reminders(slack)["UHN2"] == 1

    tick_at(ticker, DEADLINE + timedelta(hours=1))  # C-1 closes
    muster_cmd(COORDINATOR, "delegation member LAK <@ULAK3>")
    tick_at(ticker, DEADLINE + timedelta(hours=2))
    assert "ULAK3" not in invitations(slack)  # a closed call is sent to nobody
    validate_calls(slack.calls)


def test_a_member_who_joins_after_a_new_deadline_is_sent_the_call_and_the_others_keep_the_news(
    week: Muster, clock: FixedClock, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    set_clock(clock, MONDAY)
    muster_cmd(COORDINATOR, OPEN)
    slack.user_zones["UHN2"] = "Europe/Brussels"
    # Extended without its own follow-up: the news is still owed when the member joins.
    week.calls.extend(COORDINATOR, 1, DEADLINE + timedelta(days=7), "Europe/Brussels")
    muster_cmd(COORDINATOR, "delegation member HN <@UHN2>")
    moved = Counter(c.args["channel"] for c in letters(slack, "C-1: the deadline has moved"))
    assert moved["UHN1"] == 1 and invitations(slack)["UHN2"] == 1
    assert invitations(slack)["UHN1"] == 1  # told once, at the opening
