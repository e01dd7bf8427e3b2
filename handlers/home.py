"""The App Home tab: where the viewer's delegation stands, and for coordinators what waits on them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.access import NOT_REGISTERED
from bot.domain.calls import CallState
from bot.domain.read_models import Home
from handlers.blocks import (
    CLASSIFIED_NOTICE,
    MAX_MODAL_BLOCKS,
    FollowUps,
    answer_button,
    hand_off,
    pack,
    pledge_button,
    truncate,
)
from handlers.call_messages import buttons, call_line
from handlers.coverage import LEGEND, requirement_lines
from handlers.pledges import pledge_summary
from handlers.questions import question_lines
from handlers.times import slack_date

MAX_ITEMS = 15  # per section, so the tab stays inside Slack's 100 blocks


def _text(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=truncate(text, 3000)))


def _heading(text: str) -> list[Block]:
    return [DividerBlock(), HeaderBlock(text=truncate(text, 150))]


def _more(count: int, where: str) -> list[Block]:
    if count <= MAX_ITEMS:
        return []
    return [
        ContextBlock(
            elements=[MarkdownTextObject(text=f"…and {count - MAX_ITEMS:,} more: `{where}`")]
        )
    ]


def build(home: Home, now: datetime) -> dict[str, Any]:
    actor = home.actor
    who = actor.delegation_name or ("Coordinator" if actor.is_coordinator else "Not registered")
    blocks: list[Block] = [HeaderBlock(text=truncate(f"Muster · {who}", 150))]
    if not actor.is_registered:
        blocks.append(_text(NOT_REGISTERED))
    if home.calls:
        blocks += _calls(home, now)
    if actor.delegation_id is not None:
        blocks += _heading(f"Pledges of {actor.delegation_code} ({home.pledge_count:,})")
        blocks += [_text(pledge_summary(p)) for p in home.pledges[:MAX_ITEMS]] or [
            _text("No pledges yet.")
        ]
        blocks += _more(home.pledge_count, "/muster pledges mine")
        blocks += _heading(f"Open questions of {actor.delegation_code} ({home.question_count:,})")
        blocks += [_text("\n".join(question_lines(q, now))) for q in home.questions[:MAX_ITEMS]]
        if not home.questions:
            blocks.append(_text("None open."))
        blocks += _more(home.question_count, "/muster questions")
    tail = _gaps(home) if actor.is_registered else []
    tail.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Updated {slack_date(now)}. {LEGEND} ⚠️ {CLASSIFIED_NOTICE}"
                    if actor.is_registered
                    else f"Updated {slack_date(now)}. ⚠️ {CLASSIFIED_NOTICE}"
                )
            ]
        )
    )
    if actor.is_coordinator:
        blocks += _heading(f"Unanswered questions ({home.unanswered_count:,})")
        for question in home.unanswered[:MAX_ITEMS]:
            lines = question_lines(question, now)
            blocks.append(
                SectionBlock(
                    text=MarkdownTextObject(text=truncate("\n".join(lines), 3000)),
                    accessory=answer_button(question.ref),
                )
            )
        blocks += _more(home.unanswered_count, "/muster questions")
        blocks += _heading(f"Critical shortfalls ({len(home.critical_shortfalls):,})")
        blocks += _shortfalls(home, MAX_MODAL_BLOCKS - len(blocks) - len(tail))
    return View(type="home", blocks=blocks + tail).to_dict()


MAX_CALLS = 5  # the nearest deadlines; `/muster calls` lists them all


def _calls(home: Home, now: datetime) -> list[Block]:
    """The open calls, nearest deadline first, with the time left; a delegation that
    has not answered gets the call's Pledge button beside it."""
    blocks = _heading(f"Calls for contributions ({len(home.calls):,} open)")
    for view in home.calls[:MAX_CALLS]:
        silent = view.mine is not None and view.mine.state == CallState.SILENT
        button = buttons(view.ref)[0] if silent else None
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=truncate(call_line(view, now), 3000)),
                accessory=button,
            )
        )
    if len(home.calls) > MAX_CALLS:
        more = f"…and {len(home.calls) - MAX_CALLS:,} more: `/muster calls`"
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    return blocks


def _shortfalls(home: Home, room: int) -> list[Block]:
    """Every critical shortfall, packed several to a block so that as many as the tab
    holds are shown; any left over are counted, with the command that lists them all."""
    if not home.critical_shortfalls:
        return [_text("None: firm pledges fill every critical line.")]
    entries = ["\n".join(requirement_lines(r)) for r in home.critical_shortfalls]
    texts, _left = pack(entries, room, "`/muster gaps`")
    return [_text(text) for text in texts]


def _gaps(home: Home) -> list[Block]:
    blocks = _heading(f"Gaps, worst first ({home.gap_count:,})")
    for view in home.top_gaps:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=truncate("\n".join(requirement_lines(view)), 3000)),
                accessory=pledge_button(view.code),
            )
        )
    if not home.top_gaps:
        blocks.append(_text("None: every requirement is firmly filled."))
    if home.gap_count > len(home.top_gaps):
        more = f"…and {home.gap_count - len(home.top_gaps):,} more: `/muster gaps`"
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    return blocks


def on_home_opened(ack: Callable[..., Any], event: dict[str, Any], context: dict[str, Any]) -> None:
    """Slack wants the event acknowledged at once; the tab is published afterwards."""
    ack()
    if event.get("tab", "home") == "home":
        hand_off(context, FollowUps(refresh_home=(event["user"],)))
