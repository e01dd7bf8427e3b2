"""The four coverage words and their colours are one set, shared by every view: the
squares of replies, digest, Home and help are the hues the chart draws."""

from __future__ import annotations

from matplotlib.colors import to_rgb

from handlers.coverage import COLOURS, LEGEND, MEANINGS, SQUARES, WORDS, definitions
from handlers.forms import requirement_option
from tests.support.read_models import requirement

# The emoji squares Slack draws, by the hue a reader names.
HUES = {"🟩": "green", "🟦": "blue", "🟨": "yellow", "🟥": "red"}


def hue(colour: str) -> str:
    red, green, blue = to_rgb(colour)
    if red > 0.7 and green > 0.5 and blue < 0.3:
        return "yellow"
    return max((("red", red), ("green", green), ("blue", blue)), key=lambda kv: kv[1])[0]


def test_the_chart_draws_each_word_in_the_hue_of_its_square() -> None:
    assert WORDS == ("firm", "pending", "conditional", "open")
    assert {word: HUES[SQUARES[word]] for word in WORDS} == {
        word: hue(COLOURS[word]) for word in WORDS
    }
    assert len(set(SQUARES.values())) == len(set(COLOURS.values())) == 4


def test_the_legend_and_help_name_each_word_with_its_square() -> None:
    for word in WORDS:
        assert f"{SQUARES[word]} {word}: " in LEGEND
        assert f"{SQUARES[word]} *{word}*: {MEANINGS[word]}." in definitions()
    assert "average of lines" in LEGEND


def test_a_requirement_in_the_pledge_form_keeps_its_firm_figure_whole() -> None:
    long = requirement("SKY-3", quantity=480, firm=120, unit="flight hours/month", title="A" * 90)
    text = requirement_option(long).to_dict()["text"]["text"]
    assert len(text) <= 75 and text.endswith(" · firm 120 of 480 flight hours/month")
    assert text.startswith("SKY-3 AAAA") and "…" in text
    one = requirement("LAND-2", quantity=1, title="Field hospital", unit="field hospitals")
    assert (
        requirement_option(one).to_dict()["text"]["text"]
        == "LAND-2 Field hospital · firm 0 of 1 field hospital"
    )
    filled = requirement("LAND-1", quantity=2, firm=2, title="Battlegroups")
    assert requirement_option(filled).to_dict()["text"]["text"] == "LAND-1 Battlegroups · filled"
