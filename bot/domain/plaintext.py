"""Characters that have no place in stored text: control characters (other than
newline and tab) and the code points XML cannot carry. Spreadsheet files are XML, so
one such character in one cell makes the whole export unwritable; PostgreSQL refuses
NUL outright. The import refuses them and the exports strip them."""

from __future__ import annotations

import re

# C0 and C1 controls except tab (\x09) and newline (\x0a), DEL, lone surrogates, and
# the two non-characters U+FFFE and U+FFFF. Carriage returns go too: stored text uses \n.
UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def first_unprintable(text: str) -> str | None:
    """The first character that may not be stored, or None when the text is clean."""
    match = UNPRINTABLE.search(text)
    return match.group() if match else None


def printable(text: str) -> str:
    """The text without the characters that may not be stored."""
    return UNPRINTABLE.sub("", text)


def describe(char: str) -> str:
    """A character as U+0001, for a message that must stay on one line."""
    return f"U+{ord(char):04X}"
