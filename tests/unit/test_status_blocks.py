"""`/muster status` as Block Kit, rendered from a hand-built status report: the figures
it shows, and Slack's limits kept however large the report."""

from __future__ import annotations

import json
import re
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.model import Priority, Rollup, percent
from bot.domain.read_models import RequirementView, status_report
from handlers.coverage import average_line, bar
from handlers.reports import render_status
from tests.support.read_models import SAMPLE_VIEWS, objective, objectives, requirement
from tests.support.slack import MAX_BLOCKS_PER_MESSAGE, validate_blocks


def texts(blocks: list[dict[str, object]]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]  # type: ignore[index]


def test_the_bar_has_ten_cells_in_the_four_colours_in_order() -> None:
    half, sixth, third, zero = Fraction(1, 2), Fraction(1, 6), Fraction(1, 3), Fraction(0)
    assert bar((half, sixth, zero, third)) == "🟩" * 5 + "🟦" * 2 + "🟥" * 3
    assert bar((Fraction(1), zero, zero, zero)) == "🟩" * 10
    assert bar((zero, zero, zero, Fraction(1))) == "🟥" * 10
    assert bar((Fraction(99, 100), zero, zero, Fraction(1, 100))) == "🟩" * 9 + "🟥"


def test_an_objective_without_requirements_says_so() -> None:
    assert average_line(Rollup(())) == "no requirements yet"


def test_status_over_all_objectives_counts_lines_first() -> None:
    reply = render_status(status_report(objectives(), SAMPLE_VIEWS), scope=None)
    validate_blocks(reply.blocks)
    assert reply.blocks[0]["text"]["text"] == "Coverage by objective"
    overall, sky, sea, land, uaf = texts(reply.blocks)
    # Lines first; then the averaged shares, labelled: firm (1/2 + 0 + 1) / 3 = 50 %,
    # conditional (0 + 1/2 + 0) / 3 = 16.7 %, open (1/2 + 1/2 + 0) / 3 = 33.3 %: 100 in all.
    assert overall == (
        "*Overall*: lines filled 1 of 3 · critical lines filled 0 of 1 · critical shortfalls 1\n"
        "🟩🟩🟩🟩🟩🟨🟨🟥🟥🟥 🟠 average of lines: firm 50% · pending 0% · conditional 17%"
        " · open 33%"
    )
    assert sky == (
        "*SKY* Safe skies: lines filled 0 of 2 · critical lines filled 0 of 1"
        " · critical shortfalls 1\n"
        "🟩🟩🟨🟨🟨🟥🟥🟥🟥🟥 🔴 average of lines: firm 25% · pending 0% · conditional 25% · open 50%"
    )
    assert land == (
        "*LAND* Peace on land: lines filled 1 of 1 · no critical lines\n"
        "🟩🟩🟩🟩🟩🟩🟩🟩🟩🟩 🟢 average of lines: firm 100% · pending 0% · conditional 0% · open 0%"
    )
    assert sea == "*SEA* Secure sea lanes\nno requirements yet" and uaf.endswith(
        "\nno requirements yet"
    )
    assert "SKY-1" not in reply.text  # requirements are listed only for one objective
    assert "average of lines: units are never added together" in reply.text
    assert "(s)" not in reply.text


def test_status_of_one_objective_lists_its_requirements_with_pledge_buttons() -> None:
    views = [*SAMPLE_VIEWS[:2], requirement("SKY-3", quantity=1, firm=1, title="Filled")]
    reply = render_status(status_report([objective("SKY")], views), scope="SKY")
    validate_blocks(reply.blocks)
    assert reply.blocks[0]["text"]["text"] == "Coverage of SKY by requirement"
    assert texts(reply.blocks)[0].startswith(
        "*SKY* Safe skies: lines filled 1 of 3 · critical lines filled 0 of 1"
        " · critical shortfalls 1\n"
    )
    lines = {b["accessory"]["value"] if "accessory" in b else None: b for b in reply.blocks}
    assert lines["SKY-1"]["text"]["text"] == (
        "*SKY-1* Air defence (essential)\n🟩🟩🟩🟩🟩🟥🟥🟥🟥🟥 🟠 firm 3 of 6 batteries (50%)"
        " · pending 0 · conditional 0 · open 3"
    )
    assert lines["SKY-2"]["text"]["text"] == (
        "*SKY-2* Tankers (critical)\n🟨🟨🟨🟨🟨🟥🟥🟥🟥🟥 🔴 firm 0 of 4 aircraft (0%)"
        " · pending 0 · conditional 2 · open 2 · *critical shortfall*"
    )
    assert "SKY-3" not in lines  # nothing left to pledge: no button
    assert "*SKY-3* Filled (essential)" in reply.text
    assert "firm 1 of 1 unit (100%)" in reply.text


def test_a_line_states_all_four_words_and_what_is_over_pledged() -> None:
    over = requirement("SKY-1", quantity=16, firm=12, pending=4, conditional=2, unit="aircraft")
    reply = render_status(status_report([objective("SKY")], [over]), scope="SKY")
    assert (
        "🟩🟩🟩🟩🟩🟩🟩🟦🟦🟦 🟠 firm 12 of 16 aircraft (75%) · pending 4 · conditional 2"
        " · open 0 · over-pledged 2"
    ) in reply.text
    one = requirement("LAND-2", quantity=1, conditional=1, unit="field hospitals")
    reply = render_status(status_report([objective("LAND")], [one]), scope="LAND")
    assert "firm 0 of 1 field hospital (0%) · pending 0 · conditional 1 · open 0" in reply.text


def test_user_text_in_a_report_is_escaped() -> None:
    named = objective("SKY", name="<!channel> & <https://evil.example|friends>")
    views = [requirement("SKY-1", title="<!here> now", unit="<b>")]
    reply = render_status(status_report([named], views), scope="SKY")
    shown = json.dumps(reply.blocks)
    assert "<!channel>" not in shown and "<!here>" not in shown and "<https://" not in shown
    assert "&lt;!channel&gt; &amp; &lt;https://evil.example|friends&gt;" in reply.text


def test_a_long_objective_packs_its_lines_and_counts_what_does_not_fit() -> None:
    views = [
        requirement(f"LAND-{n}", quantity=10, firm=n % 11, title="A long descriptive title " * 4)
        for n in range(1, 1001)
    ]
    reply = render_status(status_report([objective("LAND")], views), scope="LAND")
    validate_blocks(reply.blocks)
    assert len(reply.blocks) <= MAX_BLOCKS_PER_MESSAGE
    assert len(reply.text) <= 3000
    shown = json.dumps(reply.blocks, ensure_ascii=False)
    listed = sum(f"*LAND-{n}* " in shown for n in range(1, 1001))
    [more] = re.findall(r"…and ([0-9,]+) more: `/muster requirements LAND`", shown)
    assert listed + int(more.replace(",", "")) == 1000  # every line shown or counted
    assert "more block" not in shown


def test_a_long_objective_that_fits_when_packed_shows_every_line() -> None:
    views = [requirement(f"LAND-{n}", quantity=10, firm=n % 11) for n in range(1, 61)]
    reply = render_status(status_report([objective("LAND")], views), scope="LAND")
    validate_blocks(reply.blocks)
    shown = json.dumps(reply.blocks, ensure_ascii=False)
    assert all(f"*LAND-{n}* " in shown for n in range(1, 61))
    assert "more" not in shown


views_strategy = st.lists(
    st.builds(
        requirement,
        st.sampled_from(["SKY", "SEA", "LAND", "UAF"]).flatmap(
            lambda o: st.integers(1, 99).map(lambda n: f"{o}-{n}")
        ),
        quantity=st.integers(1, 10**15),
        firm=st.integers(0, 10**15),
        pending=st.integers(0, 10**15),
        conditional=st.integers(0, 10**15),
        priority=st.sampled_from(list(Priority)),
        enabler=st.booleans(),
        title=st.text(max_size=200),
        unit=st.text(min_size=1, max_size=40),
    ),
    max_size=30,
    unique_by=lambda v: v.code,
)


@settings(max_examples=40, deadline=None)
@given(views_strategy, st.sampled_from([None, "SKY", "LAND"]))
def test_any_report_renders_valid_blocks_with_its_overall_figures(
    views: list[RequirementView], scope: str | None
) -> None:
    shown = objectives() if scope is None else (objective(scope),)
    report = status_report(shown, views)
    reply = render_status(report, scope=scope)
    validate_blocks(reply.blocks)
    assert len(reply.text) <= 3000
    first = texts(reply.blocks)[0]
    rollup = report.overall if scope is None else report.objectives[0].rollup
    if rollup.count:
        assert f"lines filled {rollup.filled:,} of {rollup.count:,}" in first
        shown = [int(p) for p in re.findall(r"(?:firm|pending|conditional|open) ([0-9]+)%", first)]
        assert sum(shown) == 100 and shown[0] == percent(rollup.firm_share)
