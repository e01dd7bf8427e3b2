"""Text as it enters the domain: cleaned once, capped, or refused in one clear line.

People paste into Slack what their other tools hold: Windows line ends, a NUL
from a broken clipboard, an escape sequence from a terminal; a hand-made form
submission can even carry a lone UTF-16 surrogate. PostgreSQL refuses NUL in any
string (even in a lookup) and no encoder takes a lone surrogate, so these go
before anything is stored or looked up, whatever the database."""

from __future__ import annotations

import re

from bot.domain.errors import BadInput
from bot.domain.plaintext import printable

MAX_SLACK_ID = 32  # the width of every user and channel id column

# Line breaks of every other kind become "\n" first, so pasted text keeps its shape.
_LINE_BREAKS = re.compile("\r\n?|[\x0b\x0c\x1c\x1d\x1e\x85]")
_SLACK_ID = re.compile(r"[A-Z0-9]+")


def strip_controls(text: str) -> str:
    """``text`` without control characters other than tab and newline: without
    anything `muster import` would refuse (bot.plaintext), so a backup of what
    was typed always loads again."""
    return printable(_LINE_BREAKS.sub("\n", text))


def bounded(
    text: str, what: str, limit: int, *, allow_empty: bool = False, field: str | None = None
) -> str:
    """Free text as the domain stores it: without control characters, on one line
    with single spaces, and at most ``limit`` characters (the column's width).

    ``what`` names the field in the message; ``field`` places it on a form's field."""
    text = " ".join(strip_controls(text).split())
    if not text and not allow_empty:
        raise BadInput(f"{what} is empty.", field=field)
    if len(text) > limit:
        raise BadInput(f"{what} is {len(text)} characters long; the limit is {limit}.", field=field)
    return text


def shorten(text: str, limit: int = 40) -> str:
    """A safe excerpt of what someone typed, for quoting it back in a message."""
    text = " ".join(strip_controls(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack_id(value: str, what: str = "User id") -> str:
    """A Slack user or channel id that fits its column; refused in one line otherwise."""
    if len(value) > MAX_SLACK_ID:
        raise BadInput(
            f"{what} `{shorten(value, 16)}` is {len(value)} characters long; "
            f"Slack ids are at most {MAX_SLACK_ID}."
        )
    if not _SLACK_ID.fullmatch(value):
        raise BadInput(f"{what} `{shorten(value, 16)}` is not a Slack id such as U012ABCDEF.")
    return value
