"""The App Home tab, built from a hand-made Home read model: what each role sees, and
the tab inside Slack's limits however much is waiting."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from bot.domain.access import NOT_REGISTERED
from bot.domain.model import PledgeStatus, Priority
from handlers import home
from tests.support.clock import START
from tests.support.read_models import actor, coordinator, pledge, question, requirement
from tests.support.read_models import home as home_of
from tests.support.slack import MAX_BLOCKS_PER_VIEW, validate_view

NOW = START + timedelta(hours=2)
DELEGATE = actor("UVAL1", delegation="VAL", name="Valdoria")
SHORTFALL = requirement("LAND-2", quantity=2, priority=Priority.CRITICAL, title="Field hospitals")
GAP = requirement("SKY-1", quantity=6, firm=2, unit="batteries", title="Air defence")


def headers(view: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]


def sections(view: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]


def buttons(view: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (b["accessory"]["action_id"], b["accessory"]["value"])
        for b in view["blocks"]
        if "accessory" in b
    ]


def test_a_delegate_sees_its_pledges_questions_and_the_largest_gaps() -> None:
    view = home.build(
        home_of(
            DELEGATE,
            pledges=[pledge("P-1", "SKY-1", quantity=2, condition="US backstop", restricted=True)],
            questions=[question("Q-1", delegation="VAL")],
            top_gaps=[GAP],
        ),
        NOW,
    )
    validate_view(view)
    assert view["type"] == "home"
    assert headers(view) == [
        "Muster · Valdoria",
        "Pledges of VAL (1)",
        "Open questions of VAL (1)",
        "Gaps, worst first (1)",
    ]
    assert sections(view) == [
        "*P-1* VAL → SKY-1: 2 units, offered · restricted\n      if “US backstop” (US enablers or backstop)",
        "*Q-1* (open, asked by VAL, 2 h ago)\n>Who provides air cover?",
        "*SKY-1* Air defence (essential)\n🟩🟩🟩🟥🟥🟥🟥🟥🟥🟥 🔴 firm 2 of 6 batteries (33%)"
        " · pending 0 · conditional 0 · open 4",
    ]
    assert buttons(view) == [("muster.pledge", "SKY-1")]
    assert "|2026-11-23 10:00 UTC>." in json.dumps(view["blocks"][-1])


def test_a_delegate_with_nothing_yet_is_told_so() -> None:
    view = home.build(home_of(DELEGATE), NOW)
    validate_view(view)
    assert sections(view) == [
        "No pledges yet.",
        "None open.",
        "None: every requirement is firmly filled.",
    ]
    assert "Unanswered questions" not in json.dumps(view)


def test_a_coordinator_sees_what_waits_on_the_coordinators() -> None:
    view = home.build(
        home_of(
            coordinator(),
            unanswered=[question("Q-3", delegation="OST", asked_at=START - timedelta(days=2))],
            critical_shortfalls=[SHORTFALL],
            top_gaps=[SHORTFALL, GAP],
        ),
        NOW,
    )
    validate_view(view)
    assert headers(view) == [
        "Muster · Coordinator",
        "Unanswered questions (1)",
        "Critical shortfalls (1)",
        "Gaps, worst first (2)",
    ]
    assert "*Q-3* (open, asked by OST, 2 days ago)" in sections(view)[0]
    assert "*LAND-2* Field hospitals (critical)" in sections(view)[1]
    assert buttons(view) == [
        ("muster.answer", "Q-3"),
        ("muster.pledge", "LAND-2"),
        ("muster.pledge", "SKY-1"),
    ]


def test_a_coordinator_in_a_delegation_sees_both() -> None:
    lead = coordinator("UCOORDVAL", delegation="VAL", name="Valdoria")
    view = home.build(home_of(lead), NOW)
    assert headers(view) == [
        "Muster · Valdoria",
        "Pledges of VAL (0)",
        "Open questions of VAL (0)",
        "Unanswered questions (0)",
        "Critical shortfalls (0)",
        "Gaps, worst first (0)",
    ]


def test_the_unregistered_are_told_how_to_join_and_shown_nothing_else() -> None:
    view = home.build(home_of(actor("UNOBODY")), NOW)
    validate_view(view)
    assert headers(view) == ["Muster · Not registered"]
    assert sections(view) == [NOT_REGISTERED]
    assert view["blocks"][-1]["type"] == "context"


def test_a_full_home_stays_inside_slack_limits_and_points_to_the_rest() -> None:
    lead = coordinator("UCOORDVAL", delegation="VAL", name="V" * 200)
    long_question = "Why " * 600  # 2,400 characters
    view = home.build(
        home_of(
            lead,
            pledges=[
                pledge(f"P-{n}", "SKY-1", status=PledgeStatus.CONFIRMED, caveats="c" * 500)
                for n in range(40)
            ],
            questions=[question(f"Q-{n}", long_question, delegation="VAL") for n in range(40)],
            unanswered=[question(f"Q-{n}", long_question) for n in range(40)],
            critical_shortfalls=[
                requirement(f"LAND-{n}", priority=Priority.CRITICAL, title="t" * 200)
                for n in range(40)
            ],
            top_gaps=[requirement(f"SEA-{n}", firm=1) for n in range(5)],
        ),
        NOW,
    )
    validate_view(view)
    assert len(view["blocks"]) <= MAX_BLOCKS_PER_VIEW
    assert all(len(text) <= 3000 for text in sections(view))
    assert all(len(text) <= 150 for text in headers(view))
    assert headers(view)[1:5] == [
        "Pledges of VAL (40)",
        "Open questions of VAL (40)",
        "Unanswered questions (40)",
        "Critical shortfalls (40)",
    ]
    notes = [b["elements"][0]["text"] for b in view["blocks"] if b["type"] == "context"]
    assert notes[:-1] == [
        "…and 25 more: `/muster pledges mine`",
        "…and 25 more: `/muster questions`",
        "…and 25 more: `/muster questions`",
    ]
    assert notes[-1].startswith("Updated <!date^")
    assert "|2026-11-23 10:00 UTC>." in notes[-1]
    assert len([b for b in buttons(view) if b[0] == "muster.answer"]) == 15
    assert len([b for b in buttons(view) if b[0] == "muster.pledge"]) == 5
    shown = json.dumps(view, ensure_ascii=False)
    assert all(f"*LAND-{n}* " in shown for n in range(40))  # every critical shortfall


def test_critical_shortfalls_beyond_what_the_tab_holds_are_counted_with_the_command() -> None:
    lead = coordinator("UCOORDVAL", delegation="VAL", name="Valdoria")
    shortfalls = [
        requirement(f"LAND-{n}", priority=Priority.CRITICAL, title="t" * 200) for n in range(2_000)
    ]
    view = home.build(
        home_of(
            lead,
            unanswered=[question(f"Q-{n}", "Why " * 600) for n in range(40)],
            critical_shortfalls=shortfalls,
            top_gaps=shortfalls[:5],
        ),
        NOW,
    )
    validate_view(view)
    assert len(view["blocks"]) <= MAX_BLOCKS_PER_VIEW
    shown = json.dumps(view, ensure_ascii=False)
    listed = sum(f"*LAND-{n}* " in shown for n in range(2_000))
    [more] = re.findall(r"…and ([0-9,]+) more: `/muster gaps`\"", shown)
    assert listed > 40 and listed + int(more.replace(",", "")) == 2_000
