"""Weekly schedules in the subscriber's local time, and the periods they produce.

A digest's period is the subscriber's local ISO week. Keying by the week, not by
the instant, means moving the time of day (or the day, within the week) never
posts the same week twice."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from difflib import get_close_matches
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from bot.domain.errors import BadInput
from bot.domain.text import shorten

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


# Well-known places, for someone who named only a region ("America"); other
# regions list their first places.
_EXAMPLES = {
    "Africa": ("Africa/Cairo", "Africa/Lagos", "Africa/Johannesburg"),
    "America": ("America/New_York", "America/Chicago", "America/Los_Angeles"),
    "Asia": ("Asia/Tokyo", "Asia/Kolkata", "Asia/Dubai"),
    "Australia": ("Australia/Sydney", "Australia/Perth"),
    "Europe": ("Europe/Brussels", "Europe/London", "Europe/Warsaw"),
    "Pacific": ("Pacific/Auckland", "Pacific/Honolulu"),
}


@cache
def _zones() -> dict[str, str]:
    """The IANA names this system knows, by their lower-case form.

    Checking the name against this list, rather than trying ZoneInfo(name), keeps
    file-system errors out: ZoneInfo("America") opens a directory, and a 300-byte
    name is too long for a file name."""
    return {zone.lower(): zone for zone in available_timezones()}


def zone_name(name: str) -> str:
    """The IANA time zone ``name`` stands for, in its proper case; otherwise
    BadInput whose hint suggests the likely zone, or places in a region."""
    known = _zones().get(name.strip().lower())
    if known is None:
        raise BadInput(f"{shorten(name)!r} is not an IANA time zone.", _zone_hint(name))
    return known


def _zone_hint(name: str) -> str:
    region = name.strip().strip("/").lower()
    places = sorted(z for key, z in _zones().items() if region and key.startswith(region + "/"))
    if places:
        proper = places[0][: len(region)]
        examples = [z for z in _EXAMPLES.get(proper, ()) if z in places] or places[:3]
        listed = ", ".join(f"`{z}`" for z in examples[:-1]) + f" or `{examples[-1]}`"
        return f"It is a region: name a place in it, e.g. {listed}."
    if len(name) <= 64:  # no zone name is longer than 32; nothing longer is close to one
        close = get_close_matches(name.strip().lower(), _zones(), n=1, cutoff=0.75)
        if close:
            return f"Did you mean `{_zones()[close[0]]}`?"
    return "Use a name such as `Europe/Brussels`."


def parse_zone(name: str) -> ZoneInfo:
    return ZoneInfo(zone_name(name))


def kept_zone(name: str) -> ZoneInfo | None:
    """A time zone as kept for a member (from Slack); None when none was kept or it
    names no zone, so that the caller's fallback stands in."""
    if not name:
        return None
    try:
        return parse_zone(name)
    except BadInput:
        return None


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
