"""The weekly digest and the gap alerts as Block Kit, rendered from hand-built digests
and alerts: every figure where a reader looks for it, inside Slack's limits."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

from bot.domain.model import ConditionKind, Priority
from bot.domain.read_models import RequirementView
from bot.services.digests import MAX_PER_CHANGE, Alert, Changes, Hinge
from handlers.digest import change_lines, hinge_lines, render_alerts, render_digest
from tests.support.clock import START
from tests.support.read_models import SAMPLE_VIEWS, change, digest, hinge, question, requirement
from tests.support.slack import MAX_BLOCKS_PER_MESSAGE, validate_blocks

CHANGES = Changes(
    new=(change("P-3", "SKY-1", before=None, after=2),),
    raised=(change("P-1", "SKY-2", before=1, after=3000, delegation="OST"),),
    withdrawn=(change("P-2", "LAND-1", before=1, after=None),),
    asked=("Q-2",),
    undisclosed=2,
)


def sections(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def section(blocks: list[dict[str, Any]], heading: str) -> str:
    [found] = [text for text in sections(blocks) if text.startswith(heading)]
    return found


def buttons(blocks: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [
        (b["accessory"]["action_id"], b["accessory"]["value"]) for b in blocks if "accessory" in b
    ]


def a_week() -> tuple[str, list[dict[str, Any]]]:
    return render_digest(
        digest(
            SAMPLE_VIEWS,
            changes=CHANGES,
            hinges=[hinge(ConditionKind.US, ("SKY-2", 2, "aircraft"))],
            open_questions=[
                question("Q-1", asked_at=START - timedelta(days=3)),
                question("Q-2", "Why?", delegation="OST", asked_at=START + timedelta(days=3)),
            ],
            silent=[("CAL", "Caledor"), ("HN", "Host nation")],
        )
    )


def test_the_digest_shows_the_overall_and_each_objective() -> None:
    text, blocks = a_week()
    validate_blocks(blocks)
    assert blocks[0]["text"]["text"] == "Weekly status · 27 Nov 2026"
    overall, objectives = sections(blocks)[:2]
    assert overall == (
        "*Lines filled 1 of 3 · critical lines filled 0 of 1 · critical shortfalls 1*\n"
        "🟩🟩🟩🟩🟩🟨🟨🟥🟥🟥 🟠 average of lines: firm 50% · pending 0% · conditional 17%"
        " · open 33%"
    )
    assert objectives.startswith(
        "*By objective*\n*SKY* Safe skies: lines filled 0 of 2 · critical lines filled 0 of 1"
        " · critical shortfalls 1\n🟩🟩🟨🟨🟨🟥🟥🟥🟥🟥 🔴 average of lines: firm 25%"
    )
    assert "*SEA* Secure sea lanes\nno requirements yet" in objectives
    assert (
        "*LAND* Peace on land: lines filled 1 of 1 · no critical lines\n"
        "🟩🟩🟩🟩🟩🟩🟩🟩🟩🟩 🟢 average of lines: firm 100%"
    ) in objectives
    assert text == (
        "Weekly status · 27 Nov 2026: Lines filled 1 of 3 · critical lines filled 0 of 1"
        " · critical shortfalls 1; 2 open questions."
    )
    assert "(s)" not in json.dumps(blocks)


def test_shortfalls_then_top_gaps_each_with_a_pledge_button() -> None:
    _text, blocks = a_week()
    assert buttons(blocks) == [("muster.pledge", "SKY-2"), ("muster.pledge", "SKY-1")]
    texts = sections(blocks)
    assert texts.index("*Critical shortfalls (1)*") < texts.index("*Other gaps (1), worst first*")
    assert (
        "*SKY-2* Tankers (critical)\n🟨🟨🟨🟨🟨🟥🟥🟥🟥🟥 🔴 firm 0 of 4 aircraft (0%)"
        " · pending 0 · conditional 2 · open 2 · *critical shortfall*"
    ) in texts


def test_changes_conditions_questions_and_silence() -> None:
    _text, blocks = a_week()
    changes = section(blocks, "*Changes since ")
    assert "|2026-11-23 08:00 UTC>*" in changes.splitlines()[0]
    assert changes.splitlines()[1:] == [
        "*New (1)*: P-3 VAL → SKY-1: 2 units",
        "*Raised (1)*: P-1 OST → SKY-2: 1 → 3,000 units",
        "*Withdrawn (1)*: P-2 VAL → LAND-1: 1 unit",
        "*Questions asked (1)*: Q-2",
        "…and 2 changes to undisclosed pledges, counted in the totals.",
    ]
    assert section(blocks, "*Conditional capacity*").endswith(
        "\n2 aircraft (SKY-2) hinge on US enablers or a US backstop"
    )
    assert section(blocks, "*Open questions (2), oldest first*").splitlines()[1:] == [
        "⚠️ *Q-1*, 7 days ago: Who provides air cover?",  # a week old: flagged
        "*Q-2* (OST), 1 day ago: Why?",
    ]
    assert section(blocks, "*Not heard from this period*").endswith("\nCAL Caledor, HN Host nation")


def test_a_kind_of_change_shows_its_first_lines_and_its_true_count() -> None:
    """The service reads only the first MAX_PER_CHANGE lines of each kind; the heading
    and the "more" count are the whole week's."""
    first = tuple(change(f"P-{n}", "SKY-1", before=None, after=1) for n in range(1, 13))
    lines = change_lines(Changes(new=first, counts={"new": 240}))
    assert lines[0].startswith("*New (240)*: P-1 VAL → SKY-1: 1 unit; P-2 VAL")
    assert lines[0].count(" → SKY-1") == MAX_PER_CHANGE
    assert lines[0].endswith("P-12 VAL → SKY-1: 1 unit …and 228 more")
    assert change_lines(Changes(counts=dict.fromkeys(("new", "raised"), 0))) == ["No changes."]


def test_a_public_digest_says_restricted_pledges_stay_inside_totals() -> None:
    public = render_digest(digest(SAMPLE_VIEWS))[1][-1]
    full = render_digest(digest(SAMPLE_VIEWS, full_view=True))[1][-1]
    assert public["type"] == full["type"] == "context"
    assert "Restricted pledges appear only inside totals." in json.dumps(public)
    assert "Restricted pledges" not in json.dumps(full)


def test_the_digest_is_dated_in_its_readers_zone() -> None:
    sunday_night = datetime.fromisoformat("2026-11-29T20:00:00+00:00")
    dated = {
        zone: render_digest(digest(SAMPLE_VIEWS, generated_at=sunday_night, zone=zone))[1][0][
            "text"
        ]["text"]
        for zone in ("UTC", "Pacific/Auckland", "America/Los_Angeles")
    }
    assert dated == {
        "UTC": "Weekly status · 29 Nov 2026",
        "Pacific/Auckland": "Weekly status · 30 Nov 2026",
        "America/Los_Angeles": "Weekly status · 29 Nov 2026",
    }


def test_a_quiet_week_says_so_in_every_section() -> None:
    text, blocks = render_digest(digest([]))
    validate_blocks(blocks)
    assert section(blocks, "*Changes since ").endswith("\nNo changes.")
    assert section(blocks, "*Conditional capacity*").endswith("\nNo pledge waits on a condition.")
    assert section(blocks, "*Open questions (0), oldest first*").endswith("\nNone open.")
    assert section(blocks, "*Not heard from this period*").endswith(
        "\nEvery delegation pledged or asked something."
    )
    assert buttons(blocks) == []
    assert "Lines filled 0 of 0 · no critical lines" in text


def test_a_huge_week_stays_inside_slack_limits_and_counts_what_it_leaves_out() -> None:
    views = [
        requirement(f"LAND-{n}", quantity=10, priority=Priority.CRITICAL, title="x" * 200)
        for n in range(1, 61)
    ] + [requirement(f"SEA-{n}", quantity=10, firm=6, title="y" * 200) for n in range(1, 21)]
    many = tuple(change(f"P-{n}", "LAND-1", before=None, after=n) for n in range(1, 41))
    hinges = [
        hinge(kind, *[(f"LAND-{n}", 10**12, "long unit name " * 3) for n in range(10)])
        for kind in ConditionKind
    ]
    text, blocks = render_digest(
        digest(
            views,
            changes=Changes(new=many, raised=many, reduced=many, confirmed=many, withdrawn=many),
            hinges=hinges,
            open_questions=[question(f"Q-{n}", "why? " * 400) for n in range(1, 61)],
            silent=[(f"D{n:03d}", f"Nation {n}") for n in range(100)],
        )
    )
    validate_blocks(blocks)
    assert len(blocks) <= MAX_BLOCKS_PER_MESSAGE and len(text) <= 3000
    assert all(len(s) <= 3000 for s in sections(blocks))
    assert "*Critical shortfalls (60)*" in sections(blocks)
    # Too many for a block each: packed, and every one of the 60 is there.
    shown = json.dumps(blocks, ensure_ascii=False)
    assert all(f"*LAND-{n}* " in shown for n in range(1, 61))
    assert [b for b in buttons(blocks) if b[1].startswith("LAND-")] == []
    assert len([b for b in buttons(blocks) if b[1].startswith("SEA-")]) == 5
    assert "…and 15 more: `/muster gaps`" in shown  # the other gaps not among the worst 5
    assert "*New (40)*: P-1 VAL" in section(blocks, "*Changes since ")
    assert " …and 28 more" in section(blocks, "*Changes since ")
    questions = section(blocks, "*Open questions (60), oldest first*").splitlines()
    assert len(questions) == 1 + 10 + 1 and questions[-1] == "…and 50 more: `/muster questions`"
    # Conditional capacity: whole lines only, then how many did not fit.
    capacity = section(blocks, "*Conditional capacity*").splitlines()
    lines = hinge_lines(digest(views, hinges=hinges))
    assert capacity[1:-1] == lines[: len(capacity) - 2]
    assert capacity[-1] == f"…and {len(lines) - len(capacity) + 2} more."
    assert section(blocks, "*Not heard from this period*").endswith(" …and 60 more")
    assert blocks[-1]["type"] == "context"  # the note survives the cut


def critical_lines(count: int, title: str = "Critical line") -> list[RequirementView]:
    return [
        requirement(f"LAND-{n}", quantity=4, firm=n % 2, priority=Priority.CRITICAL, title=title)
        for n in range(1, count + 1)
    ]


def test_critical_shortfalls_each_have_a_pledge_button_while_they_fit() -> None:
    _text, blocks = render_digest(digest(critical_lines(30)))
    validate_blocks(blocks)
    assert "*Critical shortfalls (30)*" in sections(blocks)
    assert sorted(value for _action, value in buttons(blocks)) == sorted(
        f"LAND-{n}" for n in range(1, 31)
    )


def test_forty_critical_shortfalls_are_all_in_the_digest() -> None:
    views = critical_lines(40, "Airborne surveillance and early warning, rotation " * 3)
    views += [requirement(f"SEA-{n}", quantity=9, firm=5) for n in range(1, 9)]
    _text, blocks = render_digest(digest(views))
    validate_blocks(blocks)
    assert len(blocks) <= MAX_BLOCKS_PER_MESSAGE
    assert "*Critical shortfalls (40)*" in sections(blocks)
    shown = json.dumps(blocks, ensure_ascii=False)
    assert all(f"*LAND-{n}* " in shown for n in range(1, 41))
    assert "…and 3 more: `/muster gaps`" in shown  # 8 other gaps, the worst 5 shown


def test_shortfalls_beyond_what_a_message_holds_are_counted_with_the_command() -> None:
    _text, blocks = render_digest(digest(critical_lines(2_000, "A long title " * 15)))
    validate_blocks(blocks)
    assert len(blocks) <= MAX_BLOCKS_PER_MESSAGE
    shown = json.dumps(blocks, ensure_ascii=False)
    listed = sum(f"*LAND-{n}* " in shown for n in range(1, 2_001))
    [more] = re.findall(r"…and ([0-9,]+) more: `/muster gaps`", shown)
    assert listed > 40 and listed + int(more.replace(",", "")) == 2_000


def test_a_cut_section_keeps_room_to_say_how_many_lines_it_left_out() -> None:
    def sized(kind: ConditionKind, length: int) -> Hinge:
        """One hinge whose line in the digest is ``length`` characters long."""
        line = hinge_lines(digest([], hinges=[hinge(kind, ("SKY-1", 1, "u"))]))[0]
        return hinge(kind, ("SKY-1", 1, "u" * (1 + length - len(line))))

    first, second, third, *rest = ConditionKind
    hinges = [sized(first, 1000), sized(second, 1000), sized(third, 970)]
    hinges += [hinge(kind, ("SKY-1", 1, "u")) for kind in rest]
    lines = hinge_lines(digest([], hinges=hinges))
    assert [len(line) for line in lines[:3]] == [1000, 1000, 970]
    # The heading and the first two lines take 2,024 characters; the third would end at
    # 2,995, which leaves no room for the line saying how many more there are.
    capacity = section(render_digest(digest([], hinges=hinges))[1], "*Conditional capacity*")
    assert capacity.splitlines() == ["*Conditional capacity*", *lines[:2], "…and 3 more."]


def test_user_text_in_a_digest_is_escaped() -> None:
    _text, blocks = render_digest(
        digest(
            [requirement("SKY-1", title="<!channel>", unit="<@U123>")],
            open_questions=[question("Q-1", "<!here> & <https://evil.example|x>")],
            silent=[("EVL", "<!everyone>")],
        )
    )
    shown = json.dumps(blocks)
    for raw in ("<!channel>", "<!here>", "<@U123>", "<https://", "<!everyone>"):
        assert raw not in shown
    assert "&lt;!here&gt; &amp; &lt;https://evil.example|x&gt;" in shown


def alert(rule: str, subject: str, title: str, line: str, **about: Any) -> Alert:
    return Alert(rule, subject, "state", title, (line,), **about)


def test_alerts_about_one_requirement_read_together_under_one_button() -> None:
    sky = requirement("SKY-1", quantity=6, firm=2, priority=Priority.CRITICAL)
    alerts = [
        alert("critical_red", "SKY-1", "SKY-1 is red", "Firm 2 of 6.", requirement=sky),
        alert("gap_opened", "P-3#9", "P-3 was reduced on SKY-1", "Gap now 4.", requirement=sky),
        alert("question_stale", "Q-1", "Q-1 has waited 7 days", "<!here> who?", question="Q-1"),
    ]
    text, blocks = render_alerts(alerts)
    validate_blocks(blocks)
    assert sections(blocks)[0] == "🚨 *3 gap alerts*"
    assert buttons(blocks) == [("muster.pledge", "SKY-1"), ("muster.answer", "Q-1")]
    assert sections(blocks)[1] == (
        "🚨 *SKY-1 is red*\nFirm 2 of 6.\n🚨 *P-3 was reduced on SKY-1*\nGap now 4."
    )
    assert text.splitlines() == [
        "SKY-1 is red. Firm 2 of 6.",
        "P-3 was reduced on SKY-1. Gap now 4.",
        "Q-1 has waited 7 days. &lt;!here&gt; who?",
    ]


def test_a_single_alert_has_no_count_heading() -> None:
    _text, blocks = render_alerts(
        [alert("question_stale", "Q-1", "Q-1 has waited 8 days", "Why?", question="Q-1")]
    )
    assert len(blocks) == 1 and buttons(blocks) == [("muster.answer", "Q-1")]
