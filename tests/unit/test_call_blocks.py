"""A call's messages within Slack's limits, whatever its size: a call for 80 lines
still carries its buttons and counts the lines it cannot show; a summary of 150
delegations names every silent one."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.domain.calls import CallState, tally
from bot.domain.model import Priority, requirement_coverage
from bot.domain.read_models import CallLetter, CallView, RequirementView, ResponseView
from handlers.call_messages import OPEN, REMIND, letter_message, summary_message
from tests.support.slack import validate_blocks

NOW = datetime(2027, 3, 22, 8, 0, tzinfo=UTC)


def line(n: int) -> RequirementView:
    return RequirementView(
        code=f"LAND-{n}",
        objective="LAND",
        title=f"Line number {n} with a title as long as planners write them " * 2,
        quantity=Decimal(10),
        unit="companies",
        priority=Priority.CRITICAL,
        enabler=False,
        needed_by=None,
        notes="",
        version=1,
        coverage=requirement_coverage(Decimal(10), [], critical=True),
    )


def call(lines: int, delegations: int) -> CallView:
    codes = [f"N{n:03d}" for n in range(delegations)]
    responses = tuple(
        ResponseView(code, f"Nation {code}", CallState.SILENT if n % 3 else CallState.RESPONDED)
        for n, code in enumerate(codes)
    )
    return CallView(
        ref="C-4",
        scope="LAND",
        lines=tuple(line(n) for n in range(1, lines + 1)),
        message="Offers <!channel> & more",
        deadline=NOW + timedelta(days=4),
        zone="Europe/Brussels",
        open=True,
        opened_by="UCOORD",
        opened_at=NOW,
        tally=tally([(r.delegation, r.state) for r in responses]),
        responses=responses,
    )


def test_a_call_for_many_lines_keeps_its_buttons_and_counts_what_it_cannot_show() -> None:
    view = call(80, 7)
    for kind in (OPEN, REMIND):
        text, blocks = letter_message(kind, CallLetter(view, "VAL", "Valdoria"), NOW)
        validate_blocks(blocks)
        said = json.dumps(blocks)
        assert blocks[-1]["type"] == "actions" and len(blocks[-1]["elements"]) == 3
        shown = sum(f"*LAND-{n}*" in said for n in range(1, 81))
        assert shown == 80 or f"…and {80 - shown:,} more: `/muster call status C-4`" in said
        assert "&lt;!channel&gt; &amp; more" in said and "<!channel>" not in said + text


def test_a_summary_names_every_silent_delegation() -> None:
    view = call(3, 150)
    text, blocks = summary_message(view)
    validate_blocks(blocks)
    said = json.dumps(blocks)
    silent = [r.delegation for r in view.responses if r.state == CallState.SILENT]
    assert len(silent) == 100 and all(f"{code} Nation {code}" in said for code in silent)
    assert text.startswith("C-4 closed: 50 of 150 responded")
