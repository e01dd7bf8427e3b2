"""What the `muster` commands share: the exit code of a misconfiguration, and a moment
given on the command line."""

from __future__ import annotations

import sys
from datetime import datetime

EXIT_CONFIG = 2


def moment(value: str, option: str) -> datetime | None:
    """An ISO-8601 moment with a zone, or None after saying what is wrong with it."""
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        print(
            f"muster: {option} {value!r} is not ISO-8601, e.g. 2026-11-27T16:00+01:00",
            file=sys.stderr,
        )
        return None
    if when.tzinfo is None:
        print(f"muster: {option} needs a zone, e.g. 2026-11-27T16:00+01:00 or …Z", file=sys.stderr)
        return None
    return when
