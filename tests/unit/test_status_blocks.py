"""`/muster status` as Block Kit, rendered from a hand-built status report: the figures
it shows, and Slack's limits kept however large the report."""

from __future__ import annotations

import json
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.model import Priority, Rollup, percent
from bot.domain.read_models import RequirementView, status_report
from handlers.reports import bar, render_status, rollup_line
from tests.support.read_models import SAMPLE_VIEWS, objective, objectives, requirement
from tests.support.slack import MAX_BLOCKS_PER_MESSAGE, validate_blocks


def texts(blocks: list[dict[str, object]]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]  # type: ignore[index]


def test_the_bar_has_twenty_cells_firm_then_conditional_then_open() -> None:
    assert bar(Fraction(1, 2), Fraction(1, 6)) == "█" * 10 + "▒" * 3 + "░" * 7
    assert bar(Fraction(1), Fraction(1)) == "█" * 20
    assert bar(Fraction(0), Fraction(0)) == "░" * 20
    assert bar(Fraction(9, 10), Fraction(1, 2)) == "█" * 18 + "▒" * 2  # never past the end


def test_an_objective_without_requirements_says_so() -> None:
    assert rollup_line(Rollup(())) == "no requirements yet"


def test_status_over_all_objectives_shows_each_figure() -> None:
    reply = render_status(status_report(objectives(), SAMPLE_VIEWS), scope=None)
    validate_blocks(reply.blocks)
    assert reply.blocks[0]["text"]["text"] == "Coverage by objective"
    overall, sky, sea, land, uaf = texts(reply.blocks)
    # Shares are averaged per requirement: firm (1/2 + 0 + 1) / 3 = 50 %, conditional
    # (0 + 1/2 + 0) / 3 = 16 % rounded down, gap 100 - 50 = 50 %.
    assert overall == (
        "*All objectives* 3 requirements: 1 filled, 1 partly filled, 1 empty · 1 critical shortfall(s)\n"
        "`██████████▒▒▒░░░░░░░` 🟠 firm 50% · conditional 16% · gap 50% · 3 requirement(s)"
        " · *1 critical shortfall(s)*"
    )
    assert sky == (
        "*SKY* Safe skies\n`█████▒▒▒▒▒░░░░░░░░░░` 🔴 firm 25% · conditional 25% · gap 75%"
        " · 2 requirement(s) · *1 critical shortfall(s)*"
    )
    assert land.endswith("🟢 firm 100% · conditional 0% · gap 0% · 1 requirement(s)")
    assert sea.endswith("\nno requirements yet") and uaf.endswith("\nno requirements yet")
    assert "SKY-1" not in reply.text  # requirements are listed only for one objective
    assert "Shares are averaged per requirement" in reply.text


def test_status_of_one_objective_lists_its_requirements_with_pledge_buttons() -> None:
    views = [*SAMPLE_VIEWS[:2], requirement("SKY-3", quantity=1, firm=1, title="Filled")]
    reply = render_status(status_report([objective("SKY")], views), scope="SKY")
    validate_blocks(reply.blocks)
    assert reply.blocks[0]["text"]["text"] == "Coverage of SKY by requirement"
    assert texts(reply.blocks)[0].startswith(
        "*SKY* 3 requirements: 1 filled, 1 partly filled, 1 empty · 1 critical shortfall(s)"
    )
    lines = {b["accessory"]["value"] if "accessory" in b else None: b for b in reply.blocks}
    assert lines["SKY-1"]["text"]["text"] == (
        "*SKY-1* Air defence (essential)\n🟠 firm 3 / 6 batteries · conditional 0 · gap 3 · 50%"
    )
    assert lines["SKY-2"]["text"]["text"] == (
        "*SKY-2* Tankers (critical)\n🔴 firm 0 / 4 aircraft · conditional 2 · gap 4 · 0%"
        " · *critical shortfall*"
    )
    assert "SKY-3" not in lines  # nothing left to pledge: no button
    assert "*SKY-3* Filled (essential)" in reply.text


def test_user_text_in_a_report_is_escaped() -> None:
    named = objective("SKY", name="<!channel> & <https://evil.example|friends>")
    views = [requirement("SKY-1", title="<!here> now", unit="<b>")]
    reply = render_status(status_report([named], views), scope="SKY")
    shown = json.dumps(reply.blocks)
    assert "<!channel>" not in shown and "<!here>" not in shown and "<https://" not in shown
    assert "&lt;!channel&gt; &amp; &lt;https://evil.example|friends&gt;" in reply.text


def test_a_long_objective_is_cut_to_fifty_blocks_and_says_so() -> None:
    views = [
        requirement(f"LAND-{n}", quantity=10, firm=n % 11, title="A long descriptive title " * 4)
        for n in range(1, 201)
    ]
    reply = render_status(status_report([objective("LAND")], views), scope="LAND")
    validate_blocks(reply.blocks)
    assert len(reply.blocks) == MAX_BLOCKS_PER_MESSAGE
    assert "more blocks not shown" in json.dumps(reply.blocks[-1])
    assert len(reply.text) <= 3000


views_strategy = st.lists(
    st.builds(
        requirement,
        st.sampled_from(["SKY", "SEA", "LAND", "UAF"]).flatmap(
            lambda o: st.integers(1, 99).map(lambda n: f"{o}-{n}")
        ),
        quantity=st.integers(1, 10**15),
        firm=st.integers(0, 10**15),
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
    overall = report.overall
    assert f"{overall.count} requirements: {overall.filled} filled" in first
    if overall.count:
        assert f"firm {percent(overall.firm_share)}% · " in first
        assert f"gap {100 - percent(overall.firm_share)}% · " in first
