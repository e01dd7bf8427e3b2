"""Calls for contributions as commands: `call open`, `calls`, `call status`, `call
extend`, `call close`, and `decline` (a nil return)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

from bot.domain.calls import CALL_REF, deadline_at
from bot.domain.errors import BadInput
from bot.domain.schedule import parse_time, parse_zone, zone_name
from bot.domain.text import shorten
from bot.domain.wording import counted
from bot.services.muster import Muster
from handlers import usage as u
from handlers.blocks import MessageBuilder, Reply, esc
from handlers.call_messages import (
    call_line,
    called_entries,
    deadline_line,
    message_lines,
    responses_lines,
    standing_line,
)
from handlers.grammar import REQUIREMENT, Args, Token, expect_end, iso_date, ref_number
from handlers.routing import Route

_OBJECTIVE = re.compile(r"^[A-Za-z]{2,8}$")


@dataclass(frozen=True)
class OpenCall:
    codes: tuple[str, ...]
    day: date
    at: time
    zone: str | None  # None: the coalition's own (MUSTER_TIMEZONE)
    message: str = ""


@dataclass(frozen=True)
class ListCalls:
    pass


@dataclass(frozen=True)
class CallStatus:
    call_id: int


@dataclass(frozen=True)
class ExtendCall:
    call_id: int
    day: date
    at: time
    zone: str | None


@dataclass(frozen=True)
class CloseCall:
    call_id: int


@dataclass(frozen=True)
class Decline:
    target: str
    reason: str = ""


# --- parsers -----------------------------------------------------------------------


def parse_open(args: Args) -> OpenCall:
    """`call open SKY LAND-2 due 2027-04-02 12:00 [Europe/Brussels] ["message"]`."""
    usage = str(u.CALL_OPEN)
    tokens = list(args.tokens)
    due = next((n for n, t in enumerate(tokens) if not t.quoted and t.word == "due"), None)
    if due is None:
        raise BadInput(
            "Give the deadline: `due YYYY-MM-DD HH:MM`, e.g. due 2027-04-02 12:00.", usage
        )
    codes = tuple(_code(t, usage) for t in tokens[:due])
    if not codes:
        raise BadInput(
            "Name the lines to call for: objectives such as SKY, or lines such as SKY-2.", usage
        )
    day, at, zone, rest = _deadline(tokens[due + 1 :], usage)
    message = rest.pop(0).text if rest and rest[0].quoted else ""
    expect_end(rest, usage)
    return OpenCall(codes, day, at, zone, message)


def parse_extend(args: Args) -> ExtendCall:
    usage = str(u.CALL_EXTEND)
    call_id = ref_number(args.get(0), CALL_REF, "call", usage)
    day, at, zone, rest = _deadline(list(args.tokens[1:]), usage)
    expect_end(rest, usage)
    return ExtendCall(call_id, day, at, zone)


def parse_status(args: Args) -> CallStatus:
    usage = str(u.CALL_STATUS)
    call_id = ref_number(args.get(0), CALL_REF, "call", usage)
    expect_end(args.tokens[1:], usage)
    return CallStatus(call_id)


def parse_close(args: Args) -> CloseCall:
    usage = str(u.CALL_CLOSE)
    call_id = ref_number(args.get(0), CALL_REF, "call", usage)
    expect_end(args.tokens[1:], usage)
    return CloseCall(call_id)


def parse_calls(args: Args) -> ListCalls:
    expect_end(args.tokens, str(u.CALLS))
    return ListCalls()


def parse_decline(args: Args) -> Decline:
    """`decline C-3 ["reason"]`, or a line or an objective for every open call on it."""
    usage = str(u.DECLINE)
    token = args.get(0)
    if token is None or token.quoted:
        raise BadInput("Which call? Name it (C-3), or a line (SKY-2) or an objective (SKY).", usage)
    text = token.text.upper()
    match = CALL_REF.match(text)
    if match:
        text = f"C-{int(match.group(1))}"
    elif not (REQUIREMENT.match(text) or _OBJECTIVE.match(text)):
        raise BadInput(
            f"{shorten(token.text)!r} is not a call (C-3), a line (SKY-2) or an objective.", usage
        )
    rest = args.tokens[1:]
    if rest and not (len(rest) == 1 and rest[0].quoted):
        raise BadInput('Put the reason in quotes: decline C-3 "no capacity before 2028".', usage)
    return Decline(text, rest[0].text if rest else "")


def _code(token: Token, usage: str) -> str:
    if token.quoted or not (REQUIREMENT.match(token.text) or _OBJECTIVE.match(token.text)):
        raise BadInput(
            f"{shorten(token.text)!r} is not a line (SKY-2) or an objective (SKY).", usage
        )
    return token.text.upper()


def _deadline(tokens: list[Token], usage: str) -> tuple[date, time, str | None, list[Token]]:
    """A date, a time and perhaps a time zone from the front of ``tokens``; the rest."""
    if len(tokens) < 2 or tokens[0].quoted or tokens[1].quoted:
        raise BadInput("Give the deadline as a date and a time: 2027-04-02 12:00.", usage)
    day = iso_date(tokens[0], usage)
    try:
        at = parse_time(tokens[1].text)
    except BadInput as exc:
        raise BadInput(exc.message, usage) from None
    rest = tokens[2:]
    zone = None
    if rest and not rest[0].quoted:
        token = rest.pop(0)
        try:
            zone = zone_name(token.text)
        except BadInput as exc:
            if "/" in token.text:
                raise BadInput(exc.message, exc.hint) from None
            raise BadInput(
                f"{shorten(token.text)!r} is neither a time zone nor a message in quotes.",
                'Time zones are IANA names such as Europe/Brussels; a message goes in quotes: "Offers by Friday".',
            ) from None
    return day, at, zone, rest


# --- running them --------------------------------------------------------------------


def run_open(muster: Muster, user: str, cmd: OpenCall) -> Reply:
    zone = cmd.zone or muster.timezone
    deadline = deadline_at(cmd.day, cmd.at, parse_zone(zone))
    opened = muster.calls.open_call(user, cmd.codes, deadline, zone, cmd.message)
    view = opened.call
    delegations = counted(view.tally.total, "delegation")
    builder = (
        MessageBuilder(f"Call {view.ref} opened")
        .line(deadline_line(view, muster.clock()))
        .lines(message_lines(view))
        .entries(called_entries(view, buttons=False), f"`/muster call status {view.ref}`")
        .context(
            f"Sent by direct message to {counted(opened.members, 'member')} of {delegations}. "
            "Reminders go 48 h and 4 h before the deadline to the delegations that have not "
            "answered; at the deadline the call closes and the coordinators get the summary."
        )
    )
    reply = builder.build()
    reply.plan_calls = True
    return reply


def run_calls(muster: Muster, user: str, _cmd: ListCalls) -> Reply:
    listing = muster.calls.calls(user)
    now = muster.clock()
    builder = MessageBuilder(f"Calls for contributions ({len(listing.open):,} open)")
    if not listing.open and not listing.recent:
        return builder.line("No calls open or closed lately.").build()
    for view in listing.open:
        builder.line(call_line(view, now))
    if listing.recent:
        builder.divider().line(f"*Closed in the last two weeks ({len(listing.recent):,})*")
        for view in listing.recent:
            builder.line(call_line(view, now))
    first = (listing.open or listing.recent)[0].ref
    return builder.context(f"One call in full: `/muster call status {first}`.").build()


def run_status(muster: Muster, user: str, cmd: CallStatus) -> Reply:
    view = muster.calls.status(user, cmd.call_id)
    now = muster.clock()
    sentence = view.tally.sentence()
    # The time left is on the deadline's line, not again in the title. Between the
    # deadline and the tick that closes the call, it is open but past its deadline.
    state = "closed" if not view.open else "open" if view.deadline > now else "closing"
    builder = (
        MessageBuilder(f"Call {view.ref} ({state})")
        .line(deadline_line(view, now))
        .lines(message_lines(view))
        .entries(called_entries(view, buttons=view.open), "`/muster requirements`")
        .line(f"*{sentence[:1].upper()}{sentence[1:]}*")
    )
    if view.responses:
        builder.lines(responses_lines(view))
    elif view.mine is not None:
        builder.line(standing_line(view.mine))
    return builder.build()


def told(members: int) -> str:
    """ "1 member is told", "3 members are told", "No member is told"."""
    if not members:
        return "No member is told"
    return f"{counted(members, 'member')} {'is' if members == 1 else 'are'} told"


def run_extend(muster: Muster, user: str, cmd: ExtendCall) -> Reply:
    # Without a zone the new deadline is read where the call's was set.
    zone = cmd.zone or muster.calls.status(user, cmd.call_id).zone
    deadline = deadline_at(cmd.day, cmd.at, parse_zone(zone))
    moved = muster.calls.extend(user, cmd.call_id, deadline, zone)
    reply = (
        MessageBuilder(f"{moved.call.ref}: the deadline has moved")
        .line(deadline_line(moved.call, muster.clock()))
        .context(
            f"{told(moved.members)} of the delegations that have not answered by direct "
            "message; the reminders follow the new deadline."
        )
        .build()
    )
    reply.plan_calls = True
    return reply


def run_close(muster: Muster, user: str, cmd: CloseCall) -> Reply:
    view = muster.calls.close(user, cmd.call_id)
    sentence = view.tally.sentence()
    reply = (
        MessageBuilder(f"Call {view.ref} closed")
        .line(f"{view.ref}: {sentence}.")
        .context("The coordinators get the summary; no reminder goes any more.")
        .build()
    )
    reply.plan_calls = True
    return reply


def run_decline(muster: Muster, user: str, cmd: Decline) -> Reply:
    declined = muster.calls.decline(user, cmd.target, cmd.reason)
    calls = ", ".join(declined.calls)
    builder = MessageBuilder(f"Nil return recorded for {calls}").line(
        "Your delegation has nothing to offer against the lines called"
        + (f": “{esc(cmd.reason)}”." if cmd.reason else ".")
    )
    if declined.already:
        builder.context(f"{', '.join(declined.already)}: your delegation had answered already.")
    builder.context(
        "A pledge or a question later still counts; no reminder goes to your delegation."
    )
    return builder.build()


ROUTES = [
    Route(("call", "open"), u.CALL_OPEN, parse_open, run_open, changes=True),
    Route(("call", "status"), u.CALL_STATUS, parse_status, run_status),
    Route(("call", "extend"), u.CALL_EXTEND, parse_extend, run_extend, changes=True),
    Route(("call", "close"), u.CALL_CLOSE, parse_close, run_close, changes=True),
    Route(("calls",), u.CALLS, parse_calls, run_calls),
    Route(("decline",), u.DECLINE, parse_decline, run_decline, changes=True),
]
