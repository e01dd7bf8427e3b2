"""Moments as their readers see them, in one place.

In Slack every time is written as ``<!date^…>``, which each reader's client shows in
their own time zone; its fallback (for clients that cannot) is the same moment in
UTC. The console has no reader's time zone: it shows those moments in the
coalition's own (``MUSTER_TIMEZONE``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

DATE_AND_TIME = "{date_short_pretty} {time}"
SLACK_DATE = re.compile(r"<!date\^(-?\d+)\^([^|>]*)(?:\^[^|>]*)?\|[^>]*>")


def slack_date(moment: datetime, fmt: str = DATE_AND_TIME) -> str:
    """``moment`` in each reader's own time zone; the fallback is the same moment in UTC."""
    if moment.tzinfo is None:
        raise ValueError("a moment to show needs its time zone")
    utc = moment.astimezone(UTC)
    return f"<!date^{int(utc.timestamp())}^{fmt}|{utc:%Y-%m-%d %H:%M} UTC>"


def in_zone(text: str, zone: str) -> str:
    """``text`` with every Slack date in it written out in ``zone``, for a reader
    whose client does not localise them (the console)."""
    where = ZoneInfo(zone)

    def local(match: re.Match[str]) -> str:
        moment = datetime.fromtimestamp(int(match.group(1)), UTC).astimezone(where)
        shown = f"{moment:%Y-%m-%d %H:%M} {moment:%Z}"
        return shown if "{time" in match.group(2) else f"{moment:%Y-%m-%d}"

    return SLACK_DATE.sub(local, text)
