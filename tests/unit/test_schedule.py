"""Weekly periods in local time: DST, weekday names, catch-up rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import BadInput
from bot.domain.schedule import Weekly, due, parse_time, parse_weekday, parse_zone

FRIDAY_BRUSSELS = Weekly.of(4, "16:00", "Europe/Brussels")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("now", "occurrence", "period"),
    [
        (
            "2026-11-27T15:00:00Z",
            "2026-11-27T15:00:00Z",
            "2026-W48",
        ),  # winter: 16:00 CET = 15:00 UTC
        ("2026-11-27T14:59:59Z", "2026-11-20T15:00:00Z", "2026-W47"),
        (
            "2026-07-03T14:00:00Z",
            "2026-07-03T14:00:00Z",
            "2026-W27",
        ),  # summer: 16:00 CEST = 14:00 UTC
        ("2026-07-03T13:59:00Z", "2026-06-26T14:00:00Z", "2026-W26"),
        (
            "2026-11-29T23:30:00Z",
            "2026-11-27T15:00:00Z",
            "2026-W48",
        ),  # Monday 00:30 local: still last week's
    ],
)
def test_friday_16_00_brussels_in_winter_and_summer(now: str, occurrence: str, period: str) -> None:
    latest = FRIDAY_BRUSSELS.latest(at(now))
    assert latest == at(occurrence)
    assert FRIDAY_BRUSSELS.period(latest) == period


def test_the_week_clocks_change_keeps_local_time() -> None:
    # Summer time ends on Sunday 25 October 2026; the Fridays either side are 16:00 local.
    assert FRIDAY_BRUSSELS.latest(at("2026-10-24T00:00:00Z")) == at("2026-10-23T14:00:00Z")
    assert FRIDAY_BRUSSELS.latest(at("2026-10-31T00:00:00Z")) == at("2026-10-30T15:00:00Z")


def test_a_time_that_does_not_exist_falls_after_the_jump() -> None:
    early = Weekly.of(6, "02:30", "Europe/Brussels")  # Sunday 29 March 2026, 02:00 → 03:00
    assert early.latest(at("2026-03-29T12:00:00Z")) == at("2026-03-29T01:30:00Z")


def test_next_occurrence() -> None:
    assert FRIDAY_BRUSSELS.next(at("2026-11-25T10:00:00Z")) == at("2026-11-27T15:00:00Z")


@pytest.mark.parametrize(("word", "day"), [("monday", 0), ("Fri", 4), ("SUNDAY", 6), ("wed", 2)])
def test_weekdays_by_name(word: str, day: int) -> None:
    assert parse_weekday(word) == day


@pytest.mark.parametrize("word", ["5", "fr", "friyay", "weekend"])
def test_weekdays_only_by_name(word: str) -> None:
    with pytest.raises(BadInput, match="not a weekday"):
        parse_weekday(word)


@pytest.mark.parametrize("text", ["16", "24:00", "9:60", "4pm", "16.00"])
def test_times_are_hh_mm(text: str) -> None:
    with pytest.raises(BadInput, match="HH:MM"):
        parse_time(text)


def test_zones_are_iana_names() -> None:
    assert parse_zone("Europe/Kyiv").key == "Europe/Kyiv"
    with pytest.raises(BadInput, match="IANA"):
        parse_zone("CET+1")


def test_due_at_the_minute_and_after() -> None:
    created = at("2026-11-01T00:00:00Z")
    assert due(FRIDAY_BRUSSELS, at("2026-11-27T15:00:00Z"), created) == (
        "2026-W48",
        at("2026-11-27T15:00:00Z"),
    )
    assert due(FRIDAY_BRUSSELS, at("2026-11-27T15:00:30Z"), created)[0] == "2026-W48"  # type: ignore[index]


def test_never_a_period_before_the_subscription_existed() -> None:
    assert due(FRIDAY_BRUSSELS, at("2026-11-27T15:30:00Z"), at("2026-11-27T15:10:00Z")) is None


def test_after_downtime_only_the_latest_missed_period_within_the_lateness() -> None:
    created = at("2026-10-01T00:00:00Z")
    # Down from Thursday 19 to Saturday 28 November: W47 and W48 were missed; only W48 is posted.
    assert due(FRIDAY_BRUSSELS, at("2026-11-28T09:00:00Z"), created)[0] == "2026-W48"  # type: ignore[index]
    # Back on Monday 30 November, more than 48 hours after Friday 16:00: stale news, wait for W49.
    assert due(FRIDAY_BRUSSELS, at("2026-11-30T09:00:00Z"), created) is None


def test_changing_the_time_of_day_keeps_the_period() -> None:
    later = Weekly.of(4, "18:00", "Europe/Brussels")
    saturday = Weekly.of(5, "10:00", "Europe/Brussels")
    posted = FRIDAY_BRUSSELS.period(FRIDAY_BRUSSELS.latest(at("2026-11-27T15:00:00Z")))
    assert later.period(later.latest(at("2026-11-27T17:00:00Z"))) == posted
    assert saturday.period(saturday.latest(at("2026-11-28T09:00:00Z"))) == posted


@given(
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1)),
    st.integers(0, 6),
    st.integers(0, 23),
    st.sampled_from(["Europe/Brussels", "America/New_York", "Asia/Tokyo", "UTC"]),
)
def test_latest_is_never_in_the_future_nor_more_than_a_week_back(
    naive: datetime, weekday: int, hour: int, zone: str
) -> None:
    now = naive.replace(tzinfo=UTC)
    schedule = Weekly.of(weekday, f"{hour:02d}:00", zone)
    latest = schedule.latest(now)
    assert latest <= now < latest + timedelta(days=7, hours=2)
    assert latest.astimezone(schedule.zone).weekday() == weekday
