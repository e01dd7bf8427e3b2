"""Text, ids and time zones as they enter the domain: cleaned, capped or refused in one line."""

from __future__ import annotations

import unicodedata
from zoneinfo import available_timezones

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import BadInput
from bot.domain.plaintext import first_unprintable
from bot.domain.schedule import zone_name
from bot.domain.text import MAX_SLACK_ID, bounded, slack_id, strip_controls

# Every code point, surrogates and controls included (hypothesis leaves out surrogates by default).
ANYTHING = st.text(st.characters(codec=None, exclude_categories=()), max_size=300)


def controls(text: str) -> set[str]:
    return {c for c in text if unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t"}


@given(ANYTHING)
def test_stripped_text_has_no_controls_but_newline_and_tab(text: str) -> None:
    stripped = strip_controls(text)
    assert controls(stripped) == set()
    assert strip_controls(stripped) == stripped
    assert first_unprintable(stripped) is None  # what the import refuses never gets in
    gone = "\r\x0b\x0c\x1c\x1d\x1e\x85\ufffe\uffff"  # line breaks, and what XML cannot hold
    kept = [c for c in text if not controls(c) and c not in gone]
    assert [c for c in stripped if c != "\n"] == [c for c in kept if c != "\n"]
    stripped.encode()  # always encodable, so every database takes it


@given(ANYTHING, st.integers(min_value=1, max_value=200))
def test_bounded_text_is_clean_and_within_the_cap_or_refused_by_name(text: str, limit: int) -> None:
    try:
        cleaned = bounded(text, "Caveats", limit, allow_empty=True)
    except BadInput as refused:
        assert refused.message.startswith("Caveats is ")
        assert refused.message.endswith(f"characters long; the limit is {limit}.")
        return
    assert len(cleaned) <= limit
    assert controls(cleaned) == set()
    assert cleaned == cleaned.strip() and "  " not in cleaned


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Who pays\x00 for fuel?", "Who pays for fuel?"),
        ("line one\r\nline two\rthree", "line one\nline two\nthree"),
        ("\x1b[31mred\x1b[0m", "[31mred[0m"),
        ("tab\there", "tab\there"),
        ("lone \ud800 surrogate", "lone  surrogate"),
        ("C1 \x85next \x9bcsi", "C1 \nnext csi"),
    ],
)
def test_strip_controls_examples(raw: str, clean: str) -> None:
    assert strip_controls(raw) == clean


def test_bounded_names_the_field_and_the_limit() -> None:
    assert bounded(" Zed\x00land \r\n ", "Delegation name", 120) == "Zedland"
    with pytest.raises(BadInput, match=r"^Delegation name is empty\.$"):
        bounded("\x00\x07", "Delegation name", 120)
    with pytest.raises(BadInput, match=r"^Title is 201 characters long; the limit is 200\.$"):
        bounded("x" * 201, "Title", 200)
    with pytest.raises(BadInput) as raised:
        bounded("x" * 501, "Caveats", 500, field="caveats")
    assert raised.value.field == "caveats"


def test_slack_ids_fit_their_columns() -> None:
    longest = "U" + "A" * (MAX_SLACK_ID - 1)
    assert slack_id(longest) == longest
    with pytest.raises(BadInput) as raised:
        slack_id(longest + "B")
    assert str(raised.value) == (
        "User id `UAAAAAAAAAAAAAA…` is 33 characters long; Slack ids are at most 32."
    )
    with pytest.raises(BadInput, match="not a Slack id"):
        slack_id("u12\x00", "Channel id")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "America",
            "'America' is not an IANA time zone. It is a region: name a place in it, e.g. "
            "`America/New_York`, `America/Chicago` or `America/Los_Angeles`.",
        ),
        ("Europe", "e.g. `Europe/Brussels`, `Europe/London` or `Europe/Warsaw`."),
        (
            "Europe/Brusels",
            "'Europe/Brusels' is not an IANA time zone. Did you mean `Europe/Brussels`?",
        ),
        ("Mars/Olympus", "Use a name such as `Europe/Brussels`."),
        ("../../etc/passwd", "is not an IANA time zone"),
        ("x" * 300, "'" + "x" * 39 + "…' is not an IANA time zone."),
    ],
)
def test_unknown_zones_say_what_to_write_instead(name: str, message: str) -> None:
    with pytest.raises(BadInput) as raised:
        zone_name(name)
    assert message in str(raised.value)
    assert len(str(raised.value)) < 250


def test_zone_names_are_found_whatever_their_case() -> None:
    assert zone_name("europe/brussels") == "Europe/Brussels"
    assert zone_name("utc") == "UTC"
    assert zone_name("America/Argentina/Buenos_Aires") == "America/Argentina/Buenos_Aires"


@given(st.one_of(ANYTHING, st.sampled_from(sorted(available_timezones()))))
def test_any_text_is_a_known_zone_or_one_clear_line(text: str) -> None:
    try:
        name = zone_name(text)
    except BadInput as refused:  # never IsADirectoryError, ValueError or the like
        assert "\n" not in str(refused) and "is not an IANA time zone" in str(refused)
        return
    assert name in available_timezones()
