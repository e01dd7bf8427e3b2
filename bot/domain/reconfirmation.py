"""Periodic reconfirmation: how often delegations are asked whether their pledges still
stand, how long they have to answer, and when a round of asking falls.

The UN asks for its pledges to be renewed every six months; an old pledge nobody has
confirmed since is not firm capacity (DOMAIN.md). With a policy of every *N* days and
*M* days' grace, a delegation is asked about each live pledge last confirmed (made,
changed or reconfirmed) *N* days ago or more; a pledge it does not reconfirm within
the grace goes **stale**: it counts as firm no longer, until it is reconfirmed.

Rounds fall once a day, at ROUND_TIME in the coalition's time zone: every pledge
that came due since the last round is asked about in one direct message per
delegation, in working hours, however many minutes apart the pledges were made."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.wording import counted, figure, plural

SETTING = "reconfirmation"  # the workspace setting that holds the policy (Policy.stored)
OFF = "off"
DEFAULT_GRACE_DAYS = 14
MAX_EVERY_DAYS = 3650  # ten years: far beyond the UN's six months
MAX_GRACE_DAYS = 365
ROUND_TIME = time(9, 0)  # in the coalition's time zone (MUSTER_TIMEZONE)
_STORED = re.compile(r"^every (\d{1,5})d grace (\d{1,5})d$")


@dataclass(frozen=True)
class Policy:
    """Ask every ``every_days`` days; stale ``grace_days`` days after asking."""

    every_days: int
    grace_days: int = DEFAULT_GRACE_DAYS

    @property
    def every(self) -> timedelta:
        return timedelta(days=self.every_days)

    @property
    def grace(self) -> timedelta:
        return timedelta(days=self.grace_days)

    def describe(self) -> str:
        """ "every 90 days, with 14 days' grace", as replies and the README say it."""
        days = plural(self.grace_days, "day's", "days'")
        grace = f"{figure(self.grace_days)} {days}"
        return f"every {counted(self.every_days, 'day')}, with {grace} grace"

    def stored(self) -> str:
        """The policy as the setting keeps it (and an export carries it)."""
        return f"every {self.every_days}d grace {self.grace_days}d"

    @classmethod
    def read(cls, stored: str | None) -> Policy | None:
        """The policy a setting holds; None when reconfirmation is off (or the value is
        not one this code writes, which it never is: an import checks it)."""
        match = _STORED.match(stored or "")
        if match is None:
            return None
        policy = cls(int(match.group(1)), int(match.group(2)))
        return policy if policy_problem(policy.every_days, policy.grace_days) is None else None


def policy_problem(every_days: int, grace_days: int) -> str | None:
    """Why these cannot be the policy, in one line; None when they can."""
    if not 1 <= every_days <= MAX_EVERY_DAYS:
        return f"Reconfirmation rounds are 1 to {MAX_EVERY_DAYS:,} days apart, not {every_days:,}d."
    if not 1 <= grace_days <= MAX_GRACE_DAYS:
        return f"The grace is 1 to {MAX_GRACE_DAYS} days, not {grace_days:,}d."
    return None


def round_moment(now: datetime, zone: str) -> datetime:
    """The latest round at or before ``now``: ROUND_TIME today in ``zone`` if that has
    come, else yesterday's. A tick after downtime works from the latest round alone."""
    where = ZoneInfo(zone)
    local = now.astimezone(where)
    today = datetime.combine(local.date(), ROUND_TIME, tzinfo=where)
    if today > local:
        today = datetime.combine(local.date() - timedelta(days=1), ROUND_TIME, tzinfo=where)
    return today.astimezone(now.tzinfo)
