"""A week of a small coalition, typed as Slack users would type it: the scenario behind
the exact figures of `status` and `gaps`, the history, questions and postures."""

from __future__ import annotations

from bot.domain.clock import FixedClock
from tests.support.clock import set_clock
from tests.support.factories import COORDINATOR
from tests.support.slack import SlashCommands

VAL, OST, CAL = "UVAL1", "UOST1", "UCAL1"
MONDAY = "2026-11-23 08:00Z"


def day(n: int, hour: int = 9) -> str:
    return f"2026-11-{23 + n} {hour:02d}:00Z"


def play_week(clock: FixedClock, muster_cmd: SlashCommands) -> SlashCommands:
    """Three delegations and four requirements on Monday, then a week of pledges, a
    question answered, changes and a withdrawal, one day at a time."""
    run = muster_cmd
    set_clock(clock, MONDAY)
    for line in (
        "delegation add VAL Valdoria",
        "delegation add OST Ostland",
        "delegation add CAL Caledor",
        f"delegation member VAL <@{VAL}|val>",
        f"delegation member OST <@{OST}>",
        f"delegation member CAL @{CAL}",
        'requirement add SKY 6 batteries "Ground-based air defence" critical enabler by 2027-03-01',
        'requirement add SKY 480 flight hours/month "Airborne early warning" critical enabler',
        'requirement add LAND 4 battlegroups "Reassurance battlegroups"',
        'requirement add LAND 2 units "Role 2 field hospitals" critical enabler',
    ):
        run(COORDINATOR, line)
    set_clock(clock, day(1))
    assert "Pledge P-1 recorded" in run(VAL, "pledge LAND-1 1 confirmed").text
    assert "P-2" in run(VAL, "pledge LAND-1 1 offered if “US backstop”").text
    assert "P-3" in run(OST, 'pledge SKY-1 2 indicated if "subject to parliament"').text
    assert "P-4" in run(CAL, "pledge SKY-2 120 confirmed").text
    assert "P-5" in run(CAL, "pledge LAND-2 1 offered restricted").text
    set_clock(clock, day(2))
    assert "Question Q-1 recorded" in run(OST, "ask What are the rules of engagement?").text
    run(COORDINATOR, "answer Q-1 National caveats apply; the ROE card follows on Friday.")
    set_clock(clock, day(3))
    run(OST, "pledge update P-3 status confirmed")
    run(CAL, 'withdraw P-4 "aircraft grounded"')
    assert "P-6" in run(CAL, "pledge SKY-2 240 confirmed").text
    run(VAL, "pledge update P-2 status confirmed unconditional")
    set_clock(clock, day(4))
    run(COORDINATOR, "requirement edit LAND-1 quantity 3")
    return run
