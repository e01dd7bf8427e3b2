"""Forty critical lines through the real app: `gaps`, the digest preview and the App
Home each show every critical shortfall, or count the rest with the command that shows
them, and `gaps` pages so that every line is reachable. Nothing is dropped silently."""

from __future__ import annotations

import json
import re

import pytest

from bot.domain.model import PledgeStatus, Priority
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from tests.support.factories import COORDINATOR, OTHER, small_coalition
from tests.support.slack import SlashCommands, home_of

CRITICAL = 40
OTHERS = 8


@pytest.fixture
def crowded(muster: Muster) -> Muster:
    """The small coalition (SKY-1 is a critical shortfall), 40 more critical lines, most
    of them empty, a few filled, and 8 other lines short of firm."""
    small_coalition(muster)
    for n in range(CRITICAL):
        view = muster.requirements.add_requirement(
            COORDINATOR,
            objective=("SKY", "LAND")[n % 2],
            quantity=4,
            unit="field hospitals",
            title=f"Critical line number {n} with a descriptive title",
            priority=Priority.CRITICAL,
        )
        if n % 10 == 0:  # filled: not a shortfall
            muster.pledges.pledge(
                OTHER, requirement=view.code, quantity=4, status=PledgeStatus.CONFIRMED
            )
    for n in range(OTHERS):
        muster.requirements.add_requirement(
            COORDINATOR, objective="SEA", quantity=3, unit="ships", title=f"Other line {n}"
        )
    return muster


def shortfall_codes(m: Muster) -> list[str]:
    return [v.code for v in m.reports.gaps(OTHER) if v.coverage.is_critical_shortfall]


def blocks_of(blocks: list[dict[str, object]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def codes_in(text: str) -> list[str]:
    return re.findall(r"\*([A-Z]+-[0-9]+)\* ", text)


def test_gaps_pages_until_every_line_is_reached(crowded: Muster, muster_cmd: SlashCommands) -> None:
    gaps = crowded.reports.gaps(OTHER)
    assert len(shortfall_codes(crowded)) == 37  # SKY-1 and 36 of the 40
    seen: list[str] = []
    command, pages = "gaps", 0
    while command:
        reply = muster_cmd(OTHER, command)
        shown = blocks_of(reply.blocks)
        seen += codes_in(shown)
        pages += 1
        follow = re.search(r"The next: `/muster (gaps page [0-9]+)`", shown)
        command = follow.group(1) if follow else ""
    assert pages == 2
    assert seen == [v.code for v in gaps]  # each once, in order: critical shortfalls first
    second = blocks_of(muster_cmd(OTHER, "gaps page 2").blocks)
    assert "Critical shortfalls (37), continued" in second and "Other gaps (9)" in second
    assert "Showing 26–46 of 46." in second
    refused = muster_cmd(OTHER, "gaps page 3").text
    assert "There is no page 3: the gaps fit on 2 pages." in refused


def test_the_digest_preview_shows_every_critical_shortfall(
    crowded: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    muster_cmd(OTHER, "digest preview")
    (preview,) = slack.calls_to("response_url")
    shown = json.dumps(preview.args["blocks"], ensure_ascii=False)
    assert "*Critical shortfalls (37)*" in shown
    listed = set(codes_in(shown))
    missing = [code for code in shortfall_codes(crowded) if code not in listed]
    counted = re.findall(r"…and ([0-9]+) more: `/muster gaps`", shown)
    assert missing == [] or [len(missing)] == [int(n) for n in counted]
    assert missing == []  # forty fit: packed several to a block when need be


def test_the_coordinators_home_shows_every_critical_shortfall(
    crowded: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    view = home_of(COORDINATOR, muster_cmd, slack)
    shown = json.dumps(view, ensure_ascii=False)
    assert "Critical shortfalls (37)" in shown
    listed = set(codes_in(shown))
    assert [code for code in shortfall_codes(crowded) if code not in listed] == []
    assert f"Gaps, worst first ({len(crowded.reports.gaps(OTHER))})" in shown
    assert "more: `/muster gaps`" in shown  # the gaps beyond the worst five


def test_the_requirements_list_pages_too(crowded: Muster, muster_cmd: SlashCommands) -> None:
    first = blocks_of(muster_cmd(OTHER, "requirements").blocks)
    assert "Requirements (50)" in first
    assert "Showing 1–25 of 50. The next: `/muster requirements page 2`" in first
    second = blocks_of(muster_cmd(OTHER, "requirements page 2").blocks)
    assert len(set(codes_in(first)) | set(codes_in(second))) == 50
    assert "Showing 26–50 of 50." in second
