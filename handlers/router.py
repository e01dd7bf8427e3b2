"""The `/muster` command: pick the subcommand, parse it, run it, reply."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from slack_sdk import WebClient

from bot.domain.errors import BadInput, MusterError
from bot.services.muster import Muster
from handlers import (
    answers,
    calls,
    delegations,
    exports,
    help,
    pledges,
    questions,
    reconfirm,
    reports,
    requirements,
    setup,
    subscriptions,
    written_report,
)
from handlers.blocks import (
    CLASSIFIED_NOTICE,
    MAX_BLOCKS,
    MAX_FALLBACK,
    FollowUps,
    PreviewRequest,
    Reply,
    hand_off,
    open_form,
    truncate,
)
from handlers.grammar import Args, command_text, tokenize
from handlers.routing import Route

MAX_CONTEXT_ELEMENTS = 10

ROUTES: list[Route] = sorted(
    [
        *help.ROUTES,
        *delegations.ROUTES,
        *requirements.ROUTES,
        *pledges.ROUTES,
        *reconfirm.ROUTES,
        *questions.ROUTES,
        *answers.ROUTES,
        *reports.ROUTES,
        *setup.ROUTES,
        *subscriptions.ROUTES,
        *exports.ROUTES,
        *written_report.ROUTES,
        *calls.ROUTES,
    ],
    key=lambda r: -len(r.words),  # "pledge update" must win over "pledge"
)
_PHRASES = sorted({" ".join(r.words) for r in ROUTES})


def find_route(text: str) -> Route:
    """Choose the subcommand from its leading words alone."""
    words = [w.lower() for w in text.split()[:2]]
    if not words:
        return help.ROUTES[0]
    for route in ROUTES:
        if tuple(words[: len(route.words)]) == route.words:
            return route
    raise BadInput(_unknown(words), "See `/muster help`.")


def parse_for(route: Route, text: str, channel: str = "") -> Any:
    """Tokenize what follows the subcommand's words as it needs, and parse it."""
    tokens = tokenize(text, strict=not route.free_text)
    return route.parse(Args(text, tuple(tokens[len(route.words) :]), channel))


def parse_command(text: str) -> tuple[Route, Any]:
    """Turn the text after `/muster` into its route and typed command."""
    text = command_text(text)
    route = find_route(text)
    return route, parse_for(route, text)


def _unknown(words: Sequence[str]) -> str:
    first = words[0] or "that"
    firsts = sorted({p.split()[0] for p in _PHRASES})
    phrases = [p for p in _PHRASES if p.split()[0] == words[0]]
    if not phrases:
        guess = difflib.get_close_matches(words[0], firsts, n=1, cutoff=0.6)
        phrases = [p for p in _PHRASES if guess and p.split()[0] == guess[0]]
    if not phrases:
        return f"Unknown subcommand `{first}`."
    options = " or ".join(f"`/muster {p}`" for p in phrases)
    known = words[0] in firsts
    return f"{'Incomplete' if known else 'Unknown'} subcommand `{first}`. Did you mean {options}?"


def with_first_contact_notice(reply: Reply) -> Reply:
    """The reply with the welcome and the classification notice added; the reply
    itself is left as it was (a rendered reply may be reused for the next caller)."""
    notice = f"⚠️ Welcome to Muster. {CLASSIFIED_NOTICE}"
    element = {"type": "mrkdwn", "text": notice}
    blocks = list(reply.blocks)
    last = blocks[-1] if blocks else {}
    if last.get("type") == "context" and len(last["elements"]) < MAX_CONTEXT_ELEMENTS:
        # A full message has no room for another block.
        blocks[-1] = {**last, "elements": [*last["elements"], element]}
    elif len(blocks) < MAX_BLOCKS:
        blocks.append({"type": "context", "elements": [element]})
    else:
        blocks[-1] = {"type": "context", "elements": [element]}
    return replace(reply, blocks=blocks, text=truncate(f"{reply.text}\n{notice}", MAX_FALLBACK))


def delivery_key(body: dict[str, Any]) -> str | None:
    """What identifies one delivery from Slack, identical when Slack retries it."""
    if body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("trigger_id"):
        return f"trigger:{body['trigger_id']}"
    return None


def on_muster_command(
    ack: Callable[..., Any],
    command: dict[str, Any],
    context: dict[str, Any],
    client: WebClient,
) -> None:
    muster: Muster = context["muster"]
    user = command["user_id"]
    text = command_text(command.get("text", ""))
    route: Route | None = None
    try:
        route = find_route(text)
        reply = route.run(muster, user, parse_for(route, text, command.get("channel_id", "")))
    except MusterError:
        context["first_contact"] = muster.first_contact(user)
        if route is not None and route.words != ("help",):
            muster.require_registered(user)  # a stranger learns nothing from the error
        raise
    # The command identified its caller in its own transaction; this reads no more.
    context["first_contact"] = muster.first_contact(user)
    if reply.modal is not None:
        # A trigger lives three seconds: open the form before anything else.
        open_form(client, command["trigger_id"], reply.modal)
        ack()
        return
    if context["first_contact"] and route.words != ("help",):
        reply = with_first_contact_notice(reply)
    ack(text=reply.text, blocks=reply.blocks, response_type=reply.response_type)
    hand_off(
        context,
        FollowUps(
            notices=tuple(reply.notices),
            announce_question=reply.announce_question,
            refresh_home=((user, *reply.refresh_home) if route.changes else ()),
            digest_to=reply.digest_to,
            upload=reply.upload,
            preview=(
                PreviewRequest(user, command.get("response_url", "")) if reply.preview else None
            ),
            send_notices=reply.send_notices,
            report=reply.report,
            send_messages=reply.send_messages,
            plan_calls=reply.plan_calls,
        ),
    )
