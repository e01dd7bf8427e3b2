"""Calls for contributions in words: the direct message each member gets (the call, a
new deadline, a reminder), the summary the coordinators get at the close, and the
lines replies, the Home tab and the digest show.

What a delegation answered (the pledge, the question, the reason of a nil return) is
shown only where the service put it: to the coordinators, and to the delegation's own
members; everyone else reads the tally."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import ButtonElement

from bot.domain.calls import Answer, CallState, describe_deadline, time_left
from bot.domain.read_models import CallLetter, CallView, ResponseView
from bot.domain.wording import counted
from handlers.blocks import MessageBuilder, esc, pledge_button
from handlers.coverage import requirement_lines
from handlers.ids import ACTION_CALL_ASK, ACTION_CALL_PLEDGE, ACTION_DECLINE
from handlers.pledges import pledge_summary
from handlers.times import slack_date

OPEN, MOVED, REMIND = "open", "moved", "remind"  # what a letter tells (call_planning.Owing)
ANSWERING = (
    "Answer with a pledge to one of these lines, a question about them, or, if your "
    "delegation has nothing to offer, a nil return. Reminders go 48 h and 4 h before the "
    "deadline to the delegations that have not answered."
)


# --- pieces ---------------------------------------------------------------------------


def deadline_line(view: CallView, now: datetime) -> str:
    """When it is due, in each reader's own time and where it was set, and what is left."""
    due = f"{slack_date(view.deadline)} ({describe_deadline(view.deadline, view.zone)})"
    if view.open:
        return f"*Due* {due} · {time_left(view.deadline, now)}"
    closed = slack_date(view.closed_at) if view.closed_at else ""
    return f"*Closed* {closed}; it was due {due}"


def message_lines(view: CallView) -> list[str]:
    if not view.message:
        return []
    return [f"<@{view.opened_by}> writes:", f">{esc(view.message)}"]


def called_entries(view: CallView, *, buttons: bool) -> list[tuple[str, ButtonElement | None]]:
    """Each called line with its coverage in the four words (its open quantity among
    them), with a Pledge button beside it while the message has room."""
    return [
        ("\n".join(requirement_lines(v)), pledge_button(v.code) if buttons else None)
        for v in view.lines
    ]


def lines_named(view: CallView) -> str:
    return f"{esc(view.scope)} ({counted(len(view.lines), 'line')})"


def call_line(view: CallView, now: datetime) -> str:
    """One call in a list: what it asks for, when, and who has answered."""
    when = (
        f"due {slack_date(view.deadline)} · {time_left(view.deadline, now)}"
        if view.open
        else f"closed {slack_date(view.closed_at) if view.closed_at else ''}"
    )
    line = f"*{view.ref}* {lines_named(view)} · {when} · {view.tally.sentence()}"
    if view.mine is not None and not view.responses:
        line += f"\n      {standing_line(view.mine)}"
    return line


def standing_line(mine: ResponseView) -> str:
    """A delegation's own standing, as its members (or the coordinators) read it."""
    who = f"*{mine.delegation}*"
    by = f" (<@{mine.by}>, {slack_date(mine.at)})" if mine.by and mine.at else ""
    if mine.state == CallState.SILENT:
        return f"{who}: not answered yet"
    if mine.state == CallState.DECLINED:
        reason = f" “{esc(mine.reason)}”" if mine.reason else ""
        return f"{who}: nil return, nothing to offer{reason}{by}"
    how = "pledged" if mine.how == Answer.PLEDGE else "asked"
    return f"{who}: {how} {mine.ref}{by}"


def responses_lines(view: CallView) -> list[str]:
    """Every delegation's standing (coordinators): the answers, then the silent."""
    groups: list[tuple[str, list[ResponseView]]] = [
        ("Pledged", [r for r in view.responses if r.how == Answer.PLEDGE]),
        ("Asked", [r for r in view.responses if r.how == Answer.QUESTION]),
        ("Nil returns", [r for r in view.responses if r.state == CallState.DECLINED]),
        ("Silent", [r for r in view.responses if r.state == CallState.SILENT]),
    ]
    lines = []
    for label, rows in groups:
        if not rows:
            continue
        lines.append(f"*{label} ({len(rows):,})*")
        if label == "Silent":  # a line per ten, so a long list is packed, never cut off
            names = [f"{r.delegation} {esc(r.delegation_name)}" for r in rows]
            lines += [", ".join(names[n : n + 10]) for n in range(0, len(names), 10)]
        else:
            lines.extend(f"      {standing_line(r)}" for r in rows)
    return lines


def buttons(ref: str) -> list[ButtonElement]:
    """Pledge (a line of the call), Ask (about one), Nothing to offer (a nil return)."""
    return [
        ButtonElement(text="Pledge", action_id=ACTION_CALL_PLEDGE, value=ref, style="primary"),
        ButtonElement(text="Ask", action_id=ACTION_CALL_ASK, value=ref),
        ButtonElement(text="Nothing to offer", action_id=ACTION_DECLINE, value=ref),
    ]


# --- the direct messages ---------------------------------------------------------------


def letter_message(
    kind: str, letter: CallLetter, now: datetime
) -> tuple[str, list[dict[str, Any]]]:
    """What every member of one delegation gets about a call."""
    view = letter.call
    if kind == OPEN:
        title = f"Call for contributions {view.ref}"
        intro = f"The coordinators call for offers against {lines_named(view)}."
    elif kind == MOVED:
        title = f"{view.ref}: the deadline has moved"
        intro = f"The coordinators gave {view.ref} a new deadline; {letter.delegation} has not answered yet."
    else:
        title = f"Reminder: {view.ref}, {time_left(view.deadline, now)}"
        intro = f"{letter.delegation} has not answered {view.ref} yet."
    builder = (
        MessageBuilder(title)
        .line(intro)
        .line(deadline_line(view, now))
        .lines(message_lines(view))
        .entries(called_entries(view, buttons=True), f"`/muster call status {view.ref}`")
    )
    if letter.pledges:
        builder.line(f"*Pledges of {letter.delegation} on these lines*")
        builder.lines(pledge_summary(p) for p in letter.pledges)
    reply = builder.context(ANSWERING).actions(buttons(view.ref)).build()
    return reply.text, reply.blocks


def summary_message(view: CallView) -> tuple[str, list[dict[str, Any]]]:
    """The one summary the coordinators get when a call closes."""
    t = view.tally
    early = view.closed_at is not None and view.closed_at < view.deadline
    how = f"closed early by <@{view.closed_by}>" if early else "closed at its deadline"
    reply = (
        MessageBuilder(f"{view.ref} closed: {t.responded:,} of {t.total:,} responded")
        .line(f"*{view.ref}* {lines_named(view)}, {how}: {t.sentence()}.")
        .lines(responses_lines(view))
        .context(
            f"Due {slack_date(view.deadline)} ({describe_deadline(view.deadline, view.zone)})."
        )
        .build()
    )
    return reply.text, reply.blocks


def digest_lines(calls: Sequence[CallView], now: datetime) -> list[str]:
    """Each open call's count and who is silent, for the digest."""
    return [
        f"*{v.ref}* {lines_named(v)}, due {slack_date(v.deadline)} "
        f"({time_left(v.deadline, now)}): {v.tally.sentence()}"
        for v in calls
    ]
