"""Words and numbers as Muster writes them: plurals chosen by Babel's (CLDR's) rules
for English, so no reply says "1 battlegroups" or "3 member(s)", and whole percents
that add up to exactly 100.

A requirement's unit is free text typed in the plural ("battlegroups", "flight
hours/month", "EUR per year"). For a count of one it is singularised here: the
noun before any "/…", "per …" or "of …" loses its plural ending, unless it reads
the same in both numbers (aircraft, personnel, EUR)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from math import floor

from babel import Locale
from babel.numbers import format_decimal

Number = int | Decimal

_ENGLISH = Locale("en")


def tidy(count: Number) -> Number:
    """``count`` as it is said: a whole number as an int (2, not 2.00), a part-unit
    without trailing zeros (1.5, not 1.50)."""
    if isinstance(count, int) or count != count.to_integral_value():
        return count if isinstance(count, int) else _stripped(count)
    return int(count)


def _stripped(count: Decimal) -> Decimal:
    # normalize() would round to the context's 28 digits; quantities are shorter,
    # but a figure is never rounded behind the reader's back.
    text = format(count, "f").rstrip("0")
    return Decimal(text)


def figure(count: Number) -> str:
    """A quantity or a count as every reply, digest, chart and file writes it: "2",
    "0.25", "1.5", "1,200", "1,500,000,000"; never "2.00" or "2.5E+1"."""
    return _formatted(tidy(count))


# Babel takes about 15 µs a figure, and a change log at 200,000 pledges writes some
# 300,000 of them, mostly the same few quantities. Keys are tidied first, so equal
# keys are equal figures: 2 and Decimal("2.00") are both the int 2 by then.
@lru_cache(maxsize=4096)
def _formatted(count: Number) -> str:
    return format_decimal(count, locale=_ENGLISH, decimal_quantization=False)


def is_singular(count: Number) -> bool:
    """Whether English takes the singular for ``count`` ("1 unit", but "0 units",
    "2 units", "0.25 units" and "1.5 units"), by the CLDR plural rules, for the
    figure as written (2.00 is written 2)."""
    return _ENGLISH.plural_form(tidy(count)) == "one"


def plural(count: Number, singular: str, plural_form: str | None = None) -> str:
    """The noun for ``count``: ``singular``, or ``plural_form`` (default: + "s")."""
    if is_singular(count):
        return singular
    return plural_form if plural_form is not None else f"{singular}s"


def counted(count: Number, singular: str, plural_form: str | None = None) -> str:
    """``count`` with its noun: "1 requirement", "12 requirements", "1,200 pledges"."""
    return f"{figure(count)} {plural(count, singular, plural_form)}"


# --- units of requirements ----------------------------------------------------------

# Nouns that read the same in the singular and the plural, or that end in "s" in the
# singular; units that are codes (EUR, USD, ISR) are left alone by the rules below.
_INVARIANT = frozenset(
    {
        "aircraft",
        "personnel",
        "staff",
        "crew",
        "equipment",
        "fuel",
        "ammunition",
        "materiel",
        "headquarters",
        "barracks",
        "corps",
        "series",
        "species",
        "means",
        "news",
        "logistics",
        "works",
        "sheep",
        "fish",
        "deer",
        "bus",
        "gas",
        "class",
        "status",
        "radius",
        "analysis",
        "chassis",
    }
)
_IRREGULAR = {
    "people": "person",
    "men": "man",
    "women": "woman",
    "children": "child",
    "feet": "foot",
    "teeth": "tooth",
    "mice": "mouse",
    "lives": "life",
    "knives": "knife",
    "halves": "half",
    "sorties": "sortie",
    "movies": "movie",
    "calories": "calorie",
    "buses": "bus",
    "gases": "gas",
    "analyses": "analysis",
    "crises": "crisis",
}
# Where a unit's qualifier starts: "flight hours/month", "places per year",
# "companies of engineers", "hours a month", "beds (Role 2)".
_QUALIFIER = re.compile(r"\s*/|\s+(?:per|of|a|an|each|every|for|in)\s+|\s*\(|\s*,", re.I)
_WORD = re.compile(r"[A-Za-z]+$")


def singular_noun(word: str) -> str:
    """``word`` in the singular, if it is an English plural; otherwise as it is."""
    lower = word.lower()
    if lower in _INVARIANT or len(word) < 3:
        return word
    if lower in _IRREGULAR:
        return _match_case(word, _IRREGULAR[lower])
    if word.isupper():  # a code: EUR stays, UAVs (typed UAVS) is read as typed
        return word
    if word[:-1].isupper() and word.endswith("s"):  # UAVs, APCs, MRAPs
        return word[:-1]
    if lower.endswith("ies") and len(word) > 4:
        return word[:-3] + _match_case(word[-3:], "y")
    if re.search(r"(ch|sh|ss|x|z)es$", lower):
        return word[:-2]
    if lower.endswith(("ss", "us", "is")) or not lower.endswith("s"):
        return word
    return word[:-1]


def _match_case(original: str, replacement: str) -> str:
    if original.isupper():
        return replacement.upper()
    if original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def unit_for(count: Number, unit: str) -> str:
    """A requirement's unit as it reads after ``count``: as typed, or singular for one."""
    if not is_singular(count):
        return unit
    qualifier = _QUALIFIER.search(unit)
    head, tail = (unit[: qualifier.start()], unit[qualifier.start() :]) if qualifier else (unit, "")
    word = _WORD.search(head)
    if word is None:
        return unit
    return head[: word.start()] + singular_noun(word.group()) + tail


def amount(count: Number, unit: str) -> str:
    """A quantity in its unit: "1 battlegroup", "0.25 battlegroups", "480 flight hours/month"."""
    return f"{figure(count)} {unit_for(count, unit)}"


# --- percents ------------------------------------------------------------------------


def percents(shares: Sequence[Fraction], total: int = 100) -> list[int]:
    """Whole parts of ``total`` for shares of one whole (they add up to 1), adding up
    to exactly ``total``: the largest remainders take what rounding down leaves over.
    The first share (firm) is only ever rounded down, so 99.6 % never reads as filled."""
    exact = [share * total for share in shares]
    parts = [floor(value) for value in exact]
    left = total - sum(parts) if sum(shares) == 1 else 0
    rest = sorted(range(1, len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for index in rest[: max(0, left)]:
        parts[index] += 1
    return parts
