"""The rules of calls for contributions: deadlines where they were set (across a change
of the clocks), which reminder is owed when, a member's quiet hours, the time left,
and the tally in words."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.calls import (
    Tally,
    check_deadline,
    deadline_at,
    owed_reminder,
    quiet_until,
    tally,
    time_left,
)
from bot.domain.errors import BadInput

BRUSSELS, LA = ZoneInfo("Europe/Brussels"), ZoneInfo("America/Los_Angeles")
OPENED = datetime(2027, 3, 22, 8, 0, tzinfo=UTC)  # Monday, 09:00 in Brussels (winter time)
DEADLINE = datetime(2027, 4, 2, 10, 0, tzinfo=UTC)  # Friday 12:00 in Brussels (summer time)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_deadline_is_read_in_its_own_zone_across_the_change_of_the_clocks() -> None:
    assert deadline_at(date(2027, 4, 2), time(12, 0), BRUSSELS) == DEADLINE
    assert deadline_at(date(2027, 3, 26), time(12, 0), BRUSSELS) == utc("2027-03-26T11:00")
    # 02:30 on 28 March does not exist in Brussels: it falls in the hour after the jump.
    assert deadline_at(date(2027, 3, 28), time(2, 30), BRUSSELS) == utc("2027-03-28T01:30")
    # 02:30 on 31 October comes twice: the first, the earlier deadline.
    assert deadline_at(date(2027, 10, 31), time(2, 30), BRUSSELS) == utc("2027-10-31T00:30")


@pytest.mark.parametrize(
    ("deadline", "said"),
    [
        (OPENED, "2027-03-22 09:00 Europe/Brussels is in the past"),
        (OPENED - timedelta(days=1), "is in the past; give a deadline ahead."),
        (OPENED + timedelta(days=400), "is more than a year ahead; check the year."),
    ],
)
def test_a_deadline_in_the_past_or_years_ahead_is_refused_in_one_line(
    deadline: datetime, said: str
) -> None:
    with pytest.raises(BadInput) as refused:
        check_deadline(deadline, OPENED, BRUSSELS)
    assert said in refused.value.message
    assert "\n" not in str(refused.value)
    check_deadline(OPENED + timedelta(minutes=1), OPENED, BRUSSELS)


def test_the_reminders_fall_48_and_4_hours_before_the_deadline() -> None:
    assert owed_reminder(DEADLINE, OPENED, utc("2027-03-31T09:59")) is None
    assert owed_reminder(DEADLINE, OPENED, utc("2027-03-31T10:00")) == 48
    assert owed_reminder(DEADLINE, OPENED, utc("2027-04-02T05:59")) == 48
    assert owed_reminder(DEADLINE, OPENED, utc("2027-04-02T06:00")) == 4
    assert owed_reminder(DEADLINE, OPENED, DEADLINE) is None  # too late: the call closes


def test_after_downtime_only_the_latest_reminder_is_owed() -> None:
    """Down from before the 48-hour moment to after the 4-hour one: one reminder, the 4 h."""
    assert owed_reminder(DEADLINE, OPENED, utc("2027-04-02T09:00")) == 4


def test_no_reminder_is_owed_for_a_moment_before_the_members_were_told() -> None:
    """A call opened 30 hours before its deadline owes the 4-hour reminder only."""
    late = DEADLINE - timedelta(hours=30)
    assert owed_reminder(DEADLINE, late, late + timedelta(hours=1)) is None
    assert owed_reminder(DEADLINE, late, DEADLINE - timedelta(hours=4)) == 4


@pytest.mark.parametrize(
    ("moment", "zone", "expected"),
    [
        ("2027-03-31T10:00", BRUSSELS, "2027-03-31T10:00"),  # noon in Brussels: at once
        ("2027-03-31T10:00", LA, "2027-03-31T14:00"),  # 03:00 in LA: at 07:00 there
        ("2027-03-31T04:59", LA, "2027-03-31T04:59"),  # 21:59 in LA: still evening
        ("2027-03-31T05:00", LA, "2027-03-31T14:00"),  # 22:00 in LA: the next morning
        ("2027-03-31T04:59", BRUSSELS, "2027-03-31T05:00"),  # 06:59 in Brussels: at 07:00
        ("2027-04-02T06:00", LA, "2027-04-02T06:00"),  # 23:00 in LA, but 07:00 is too late
    ],
)
def test_no_message_at_night_where_the_member_is(
    moment: str, zone: ZoneInfo, expected: str
) -> None:
    assert quiet_until(utc(moment), zone, DEADLINE) == utc(expected)


def test_quiet_hours_follow_the_members_own_change_of_the_clocks() -> None:
    """The night of 27 to 28 March in Brussels: 07:00 on Sunday is summer time."""
    assert quiet_until(utc("2027-03-27T23:00"), BRUSSELS) == utc("2027-03-28T05:00")


@pytest.mark.parametrize(
    ("left", "said"),
    [
        (timedelta(days=4, hours=3, minutes=20), "4 days 3 h left"),
        (timedelta(days=1), "1 day left"),
        (timedelta(hours=3, minutes=20), "3 h 20 min left"),
        (timedelta(hours=4), "4 h left"),
        (timedelta(minutes=1), "1 min left"),
        (timedelta(seconds=20), "less than a minute left"),
        (timedelta(0), "deadline passed"),
    ],
)
def test_time_left_reads_as_said(left: timedelta, said: str) -> None:
    assert time_left(DEADLINE, DEADLINE - left) == said


def test_the_tally_counts_nil_returns_as_answers_and_names_every_silent_delegation() -> None:
    many = tally([(f"N{n:02d}", "silent") for n in range(60)] + [("VAL", "declined")])
    assert many.sentence().startswith("1 of 61 responded (1 nil return); silent: N00, N01, ")
    assert many.sentence().endswith("N58, N59")  # every one, none cut off
    assert Tally(31, 27, 3, ("CYP", "ISL", "MLT", "SMR")).sentence() == (
        "27 of 31 responded (3 nil returns); silent: CYP, ISL, MLT, SMR"
    )
    assert tally([("VAL", "responded")]).sentence() == "1 of 1 responded; none silent"
