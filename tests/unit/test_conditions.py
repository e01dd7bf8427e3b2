"""Conditions: the class each falls in, measured on phrasings delegations write
(at least 95 % right, and nothing that does not depend on the US filed as US), the
pronoun "us", the priority when several classes match, and which conditions may not
be attached to one pledge at all (a bare ceasefire)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.conditions import (
    CLASS_WORDS,
    CONDITION_LABELS,
    ConditionKind,
    check_condition,
    class_for_word,
    classify_condition,
    names_us,
)
from tests.support.migrations import load_migration
from tests.unit.condition_corpus import CORPUS, UNSEEN

US, BACKSTOP, NATIONAL, MANDATE, OTHER = (
    ConditionKind.US,
    ConditionKind.OTHER_BACKSTOP,
    ConditionKind.NATIONAL,
    ConditionKind.MANDATE,
    ConditionKind.OTHER,
)
LABELLED = CORPUS + UNSEEN
NOT_US = [text for text, kind in LABELLED if kind != US]
MIGRATION = "0006_condition_classes.py"


def measure(classify: Callable[[str], object]) -> tuple[float, list[str]]:
    """Accuracy on the labelled corpus, and the misses, one line each."""
    misses = [
        f"{text!r}: {kind.value}, filed as {classify(text)}"
        for text, kind in LABELLED
        if str(classify(text) or "") != kind.value
    ]
    return 1 - len(misses) / len(LABELLED), misses


def test_the_corpus_is_large_and_covers_every_class() -> None:
    assert len(LABELLED) >= 80
    assert len({text for text, _ in LABELLED}) == len(LABELLED), "a phrasing is listed twice"
    for kind in ConditionKind:
        assert sum(1 for _, k in LABELLED if k == kind) >= 10, kind


def test_at_least_95_percent_of_the_corpus_is_classified_right() -> None:
    accuracy, misses = measure(classify_condition)
    assert accuracy >= 0.95, "\n".join(misses)


def test_nothing_that_does_not_name_the_us_is_filed_as_us() -> None:
    assert [text for text in NOT_US if classify_condition(text) == US] == []


def test_the_migration_files_the_corpus_as_well() -> None:
    """Migration 0006 classifies stored conditions with its own frozen copy of the
    rules; it must meet the same bar, whatever the live rules have become since."""
    migration = load_migration(MIGRATION)
    accuracy, misses = measure(migration.classify)
    assert accuracy >= 0.95, "\n".join(misses)
    assert [text for text in NOT_US if migration.classify(text) == "us"] == []
    assert migration.classify("  ") == ""


def test_no_condition_has_no_class() -> None:
    assert classify_condition("  ") is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # The US is named: whatever else is pending, the pledge waits on Washington.
        ("a US backstop and a vote in parliament", US),
        ("UN mandate and US enablers", US),
        # A backstop before a mandate or a vote: parliaments vote once it is settled.
        ("European air cover and a vote in the Sejm", BACKSTOP),
        ("an air-cover backstop and host-nation consent", BACKSTOP),
        # A mandate proper before a national vote; a parliament's "mandate" is national.
        ("UN mandate and a Bundestag vote", MANDATE),
        ("Bundestag mandate", NATIONAL),
        ("a resolution of the Folketing", NATIONAL),
        ("a clear mandate", MANDATE),
        # Rules of engagement are the coalition's own question: other, unless approved.
        ("clarity on rules of engagement", OTHER),
        ("ROE agreed by parliament", NATIONAL),
        # A nationality qualifies a parliament more often than it names a backstop.
        ("Dutch cabinet support", NATIONAL),
        ("alongside Dutch troops", BACKSTOP),
    ],
)
def test_when_several_classes_match_the_first_in_priority_wins(
    text: str, kind: ConditionKind
) -> None:
    assert classify_condition(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "if they let us deploy",
        "a backstop, independently of the US",
        "non-US enablers",
        "under the Washington Treaty's Article 5",
        "USD 20 million from the EU facility",
        "focus on air defence",
    ],
)
def test_no_us_here(text: str) -> None:
    assert not names_us(text)


@pytest.mark.parametrize(
    "text", ["if the U.S. agrees", "USAF tankers", "a us backstop", "the Pentagon", "US-led"]
)
def test_the_us_named(text: str) -> None:
    assert names_us(text)


# --- properties -----------------------------------------------------------------

# Words of the non-US phrasings, none of which names the US alone or next to another.
VOCABULARY = sorted(
    {
        word
        for text in NOT_US
        for word in re.findall(r"[\w'.-]+", text.lower())
        if not names_us(word) and word not in {"us", "the", "a", "an", "united", "states"}
    }
)
BEFORE_PRONOUN = ["let", "give", "tell", "brief", "allow", "help", "send", "for", "with", "to"]


@given(
    st.lists(st.sampled_from(VOCABULARY), max_size=12),
    st.sampled_from(BEFORE_PRONOUN),
    st.integers(min_value=0, max_value=12),
)
def test_the_pronoun_us_never_makes_a_us_condition(words: list[str], verb: str, at: int) -> None:
    words.insert(min(at, len(words)), f"{verb} us")
    assert classify_condition(" ".join(words)) != US


@given(st.lists(st.sampled_from(NOT_US), min_size=1, max_size=4), st.sampled_from(["; ", " and "]))
def test_conditions_that_do_not_name_the_us_never_add_up_to_one(
    texts: list[str], joint: str
) -> None:
    assert classify_condition(joint.join(texts)) != US


@given(
    st.sampled_from([text for text, _ in LABELLED]),
    st.sampled_from(["a US backstop", "USAF tankers", "if Washington agrees", "American ISR"]),
)
def test_a_us_dependency_wins_whatever_else_the_condition_says(text: str, us: str) -> None:
    assert classify_condition(f"{text}; and also {us}") == US


@given(st.text(max_size=200))
def test_every_text_has_a_class_or_is_no_condition(text: str) -> None:
    kind = classify_condition(text)
    assert (kind is None) == (not text.strip())


# --- the ceasefire ------------------------------------------------------------------

CEASEFIRE_WORDS = ["ceasefire", "cease-fire", "Cease fire", "truce", "armistice"]
FILLER = ["if", "subject to", "once", "after", "the", "a", "holds", "in place", "agreed", "first"]


@pytest.mark.parametrize(
    "text",
    ["once the ceasefire holds", "after the cease-fire", "Cease fire first", "a truce"],
)
def test_the_ceasefire_is_no_condition_on_one_pledge(text: str) -> None:
    refusal = check_condition(text)
    assert refusal is not None and "precondition of the whole mission" in refusal


@given(
    st.lists(st.sampled_from(FILLER), max_size=4),
    st.sampled_from(CEASEFIRE_WORDS),
    st.lists(st.sampled_from(FILLER), max_size=3),
)
def test_a_bare_ceasefire_is_refused_however_it_is_put(
    before: list[str], word: str, after: list[str]
) -> None:
    assert check_condition(" ".join([*before, word, *after])) is not None


@given(
    st.lists(st.sampled_from(FILLER), max_size=3),
    st.sampled_from(CEASEFIRE_WORDS),
    st.integers(min_value=1, max_value=365),
)
def test_a_ceasefire_this_pledge_qualifies_is_its_own_condition(
    before: list[str], word: str, days: int
) -> None:
    text = " ".join([*before, word, f"holding for {days} days"])
    assert check_condition(text) is None
    assert classify_condition(text) == MANDATE


@pytest.mark.parametrize(
    "text",
    [
        "subject to parliament",
        "US backstop",
        "fire support first",
        "a ceasefire verified by the UN",
    ],
)
def test_other_conditions_may_be_attached(text: str) -> None:
    assert check_condition(text) is None


# --- the words a coordinator corrects a class with ----------------------------------


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("us", US),
        ("US", US),
        ("other-backstop", BACKSTOP),
        ("European", BACKSTOP),
        ("national", NATIONAL),
        ("mandate", MANDATE),
        ("OTHER", OTHER),
        ("us_backstop", US),  # the old stored values are understood too
        ("legal_mandate", MANDATE),
    ],
)
def test_class_words(word: str, kind: ConditionKind) -> None:
    assert class_for_word(word) == kind


def test_every_class_has_a_word_and_a_label() -> None:
    assert set(CLASS_WORDS.values()) == set(ConditionKind) == set(CONDITION_LABELS)
    assert class_for_word("weather") is None
