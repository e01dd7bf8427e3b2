"""Moments as readers see them: Slack's <!date^…> with a correct UTC fallback, and the
console's text in the coalition's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.times import in_zone, slack_date

MOMENT = datetime(2026, 11, 23, 8, 5, tzinfo=UTC)
EPOCH = int(MOMENT.timestamp())


def test_slack_shows_each_reader_their_own_time_with_utc_as_the_fallback() -> None:
    assert (
        slack_date(MOMENT) == f"<!date^{EPOCH}^{{date_short_pretty}} {{time}}|2026-11-23 08:05 UTC>"
    )


def test_the_fallback_is_utc_whatever_zone_the_moment_comes_in() -> None:
    brussels = MOMENT.astimezone(ZoneInfo("Europe/Brussels"))  # 09:05 local
    tokyo = MOMENT.astimezone(timezone(timedelta(hours=9)))
    assert slack_date(brussels) == slack_date(tokyo) == slack_date(MOMENT)


def test_a_moment_without_its_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        slack_date(datetime(2026, 11, 23, 8, 5))


def test_the_console_shows_the_coalitions_time_zone() -> None:
    text = f"Answer by <@U1> {slack_date(MOMENT)}: yes"
    assert in_zone(text, "Europe/Brussels") == "Answer by <@U1> 2026-11-23 09:05 CET: yes"
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert in_zone(slack_date(summer), "Europe/Brussels") == "2026-07-01 14:00 CEST"
    assert in_zone(slack_date(MOMENT, "{date_short_pretty}"), "Asia/Tokyo") == "2026-11-23"


@given(
    st.datetimes(
        timezones=st.just(UTC), min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1)
    )
)
def test_the_fallback_names_the_same_minute_as_the_epoch(moment: datetime) -> None:
    shown = slack_date(moment)
    epoch = int(shown.split("^")[1])
    fallback = shown.rsplit("|", 1)[1].removesuffix(" UTC>")
    assert datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M") == fallback
    assert in_zone(shown, "UTC") == f"{fallback} UTC"
