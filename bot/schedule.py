"""Weekly schedules in the subscriber's local time, and the periods they produce.

A digest's period is the subscriber's local ISO week. Keying by the week, not by
the instant, means moving the time of day (or the day, within the week) never
posts the same week twice."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import BadInput

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_LATENESS = timedelta(hours=48)  # a digest later than this is stale news: skip to the next
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_weekday(word: str) -> int:
    word = word.lower()
    for index, name in enumerate(WEEKDAYS):
        if word in (name, name[:3]):
            return index
    raise BadInput(f"{word!r} is not a weekday; write its name, e.g. friday.")


def parse_time(text: str) -> time:
    match = _TIME.match(text)
    if not match:
        raise BadInput(f"{text!r} is not a time of day; write it as HH:MM, e.g. 16:00.")
    return time(int(match.group(1)), int(match.group(2)))


def parse_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(f"{name!r} is not an IANA time zone, e.g. Europe/Brussels.") from None


@dataclass(frozen=True)
class Weekly:
    weekday: int
    at: time
    zone: ZoneInfo

    @classmethod
    def of(cls, weekday: int, time_of_day: str, zone: str) -> Weekly:
        return cls(weekday, parse_time(time_of_day), parse_zone(zone))

    def occurrence_on(self, local_day: date) -> datetime:
        """The scheduled instant on a local date, in UTC. A time that does not exist
        that day (clocks going forward) falls in the hour after the jump."""
        return datetime.combine(local_day, self.at, tzinfo=self.zone).astimezone(UTC)

    def latest(self, now: datetime) -> datetime:
        """The latest scheduled instant at or before ``now``."""
        local_today = now.astimezone(self.zone).date()
        day = local_today - timedelta(days=(local_today.weekday() - self.weekday) % 7)
        occurrence = self.occurrence_on(day)
        return occurrence if occurrence <= now else self.occurrence_on(day - timedelta(days=7))

    def next(self, now: datetime) -> datetime:
        return self.occurrence_on(self.latest(now).astimezone(self.zone).date() + timedelta(days=7))

    def period(self, occurrence: datetime) -> str:
        year, week, _ = occurrence.astimezone(self.zone).isocalendar()
        return f"{year}-W{week:02d}"

    def describe(self) -> str:
        return f"{WEEKDAYS[self.weekday].capitalize()}s at {self.at:%H:%M} {self.zone.key}"


def due(
    schedule: Weekly, now: datetime, since: datetime, lateness: timedelta = MAX_LATENESS
) -> tuple[str, datetime] | None:
    """The period to post now, if any: the latest occurrence, provided it is not
    older than the subscription and not later than ``lateness``. After downtime
    this is the latest missed period, once; the ones before it are never posted."""
    occurrence = schedule.latest(now)
    if occurrence < since or now - occurrence > lateness:
        return None
    return schedule.period(occurrence), occurrence
