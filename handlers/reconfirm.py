"""Periodic reconfirmation: the coordinators' policy (`reconfirm every 90d grace 14d`,
`reconfirm off`), a delegation's "still valid" (`reconfirm P-3 P-7`, or the button),
and the direct message each delegation gets in a round."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.domain.errors import BadInput
from bot.domain.reconfirmation import (
    DEFAULT_GRACE_DAYS,
    ROUND_TIME,
    Policy,
    policy_problem,
)
from bot.domain.text import shorten
from bot.domain.wording import counted, is_singular
from bot.services.muster import Muster
from bot.services.reconfirmation import PolicyChange, Reconfirmed, Request
from handlers import usage as u
from handlers.blocks import (
    MAX_BLOCKS,
    MAX_FALLBACK,
    MAX_SECTION,
    FollowUps,
    MessageBuilder,
    Reply,
    esc,
    hand_off,
    truncate,
)
from handlers.grammar import PLEDGE_REF, Args, Token, expect_end, ref_number
from handlers.ids import ACTION_CHANGE_PLEDGE, ACTION_STILL_VALID, ACTION_WITHDRAW_PLEDGE
from handlers.pledge_forms import pledge_id
from handlers.pledges import confirmation_lines, pledge_summary
from handlers.routing import Route
from handlers.times import slack_date

DAY = "{date_short_pretty}"
_DAYS = re.compile(r"^(-?[0-9]{1,6})d$", re.I)


@dataclass(frozen=True)
class SetPolicy:
    policy: Policy


@dataclass(frozen=True)
class TurnOff:
    pass


@dataclass(frozen=True)
class ShowPolicy:
    pass


@dataclass(frozen=True)
class Reconfirm:
    pledge_ids: tuple[int, ...]


# --- parsing ------------------------------------------------------------------------------


def days(token: Token | None, what: str, usage: str) -> int:
    """``90d`` as 90; anything else gets one line saying how to write it."""
    if token is None:
        raise BadInput(f"How many days {what}? Write them with a d, e.g. `90d`.", usage)
    match = _DAYS.match(token.text)
    if match is None:
        shown = shorten(token.text)
        if token.text.isdecimal():
            raise BadInput(f"Write the days with a d: `{shown}d`, not `{shown}`.", usage)
        raise BadInput(f"{shown!r} is not a number of days; write it as `90d`.", usage)
    return int(match.group(1))


def parse_policy(args: Args) -> SetPolicy:
    """`reconfirm every <N>d [grace <M>d]` (the words after `reconfirm every`)."""
    usage = str(u.RECONFIRM_EVERY)
    every = days(args.get(0), "between rounds", usage)
    grace = DEFAULT_GRACE_DAYS
    rest = list(args.tokens[1:])
    if rest and not rest[0].quoted and rest[0].word == "grace":
        grace = days(rest[1] if len(rest) > 1 else None, "of grace", usage)
        rest = rest[2:]
    expect_end(rest, usage)
    problem = policy_problem(every, grace)
    if problem:
        raise BadInput(problem, usage)
    return SetPolicy(Policy(every, grace))


def parse_off(args: Args) -> TurnOff:
    expect_end(args.tokens, str(u.RECONFIRM_EVERY))
    return TurnOff()


def parse_reconfirm(args: Args) -> Reconfirm | ShowPolicy:
    """`reconfirm P-3 P-7`; `reconfirm` alone shows the policy."""
    if not args.tokens:
        return ShowPolicy()
    usage = str(u.RECONFIRM)
    return Reconfirm(tuple(ref_number(t, PLEDGE_REF, "pledge", usage) for t in args.tokens))


# --- replies ------------------------------------------------------------------------------


def round_time(zone: str) -> str:
    return f"{ROUND_TIME:%H:%M} ({zone})"


def policy_lines(policy: Policy | None, zone: str) -> list[str]:
    if policy is None:
        return ["Periodic reconfirmation is off: pledges stay firm however old they are."]
    every = counted(policy.every_days, "day")
    return [
        f"Delegations reconfirm their pledges {policy.describe()}. Each day at "
        f"{round_time(zone)}, every delegation with live pledges last confirmed {every} "
        "ago or more gets one direct message listing them, with *Still valid*, *Change* "
        "and *Withdraw* buttons.",
        "A pledge not reconfirmed within the grace goes *stale*: it no longer counts as "
        "firm (it counts as pending) until its delegation reconfirms or changes it.",
    ]


def render_policy_change(change: PolicyChange, zone: str) -> Reply:
    if change.after is None:
        builder = MessageBuilder("Periodic reconfirmation off").lines(policy_lines(None, zone))
        if change.lifted:
            n = len(change.lifted)
            verb = "counts as it stands" if is_singular(n) else "count as they stand"
            builder.line(
                f"{counted(n, 'stale pledge')} ({', '.join(change.lifted)}) {verb} "
                "again; requests not yet sent will not go."
            )
        return builder.build()
    builder = MessageBuilder("Periodic reconfirmation on").lines(policy_lines(change.after, zone))
    every = counted(change.after.every_days, "day")
    if change.due:
        were = "was" if is_singular(change.due) else "were"
        builder.line(
            f"{counted(change.due, 'live pledge')} {were} last confirmed {every} ago or more: "
            "their delegations are asked now."
        )
    else:
        builder.line(f"No live pledge was last confirmed {every} ago or more.")
    builder.lines(released_lines(change))
    if change.before is not None:
        builder.context(f"Before: {change.before.describe()}.")
    return builder.build()


def released_lines(change: PolicyChange) -> list[str]:
    """What a longer cycle took out of the old one: stale pledges that count again,
    and pledges asked about that are asked no more."""
    lines = []
    if change.lifted:
        n = len(change.lifted)
        are = "is" if is_singular(n) else "are"
        counts = "counts as it stands" if is_singular(n) else "count as they stand"
        lines.append(
            f"{counted(n, 'stale pledge')} ({', '.join(change.lifted)}) {are} not due under "
            f"the new cycle and {counts} again."
        )
    asked = [ref for ref in change.released if ref not in change.lifted]
    if asked:
        are = "is" if is_singular(len(asked)) else "are"
        lines.append(
            f"{counted(len(asked), 'pledge')} asked about ({', '.join(asked)}) {are} not due "
            f"under the new cycle and {are} no longer asked; requests not yet sent will not go."
        )
    return lines


def render_reconfirmed(done: Reconfirmed) -> Reply:
    refs = [result.pledge.ref for result in done.results]
    title = (
        f"Pledge {refs[0]} reconfirmed" if len(refs) == 1 else f"{len(refs)} pledges reconfirmed"
    )
    builder = MessageBuilder(title)
    for result in done.results:
        builder.lines(confirmation_lines(result))
    if len(done.were_stale) == 1:
        builder.context(f"{done.were_stale[0]} was stale and counts as it stands again.")
    elif done.were_stale:
        builder.context(f"{', '.join(done.were_stale)} were stale and count as they stand again.")
    return builder.build()


def run_policy(muster: Muster, user: str, cmd: SetPolicy) -> Reply:
    return render_policy_change(
        muster.reconfirmations.set_policy(user, cmd.policy), muster.timezone
    )


def run_off(muster: Muster, user: str, _cmd: TurnOff) -> Reply:
    return render_policy_change(muster.reconfirmations.turn_off(user), muster.timezone)


def run_reconfirm(muster: Muster, user: str, cmd: Reconfirm | ShowPolicy) -> Reply:
    if isinstance(cmd, ShowPolicy):
        policy = muster.reconfirmations.policy(user)
        title = "Periodic reconfirmation" + ("" if policy else " is off")
        return (
            MessageBuilder(title)
            .lines(policy_lines(policy, muster.timezone))
            .context(f"`/muster {u.RECONFIRM.form}` · `/muster {u.RECONFIRM_EVERY.form}`")
            .build()
        )
    return render_reconfirmed(muster.reconfirmations.reconfirm(user, cmd.pledge_ids))


# --- the direct message of a round ----------------------------------------------------------

MAX_WITH_BUTTONS = (MAX_BLOCKS - 4) // 2  # header, intro, what does not fit, the command


def request_message(request: Request) -> tuple[str, list[dict[str, Any]]]:
    """What every member of one delegation is asked in one round: its pledges, each
    with Still valid, Change and Withdraw, and the command that reconfirms them all."""
    n = len(request.pledges)
    every = counted(request.policy.every_days, "day")
    them = "it" if n == 1 else "each"
    intro = (
        f"The coordinators ask every delegation to reconfirm its pledges "
        f"{request.policy.describe()}. {'This pledge' if n == 1 else f'These {n} pledges'} "
        f"of {esc(request.delegation_name)} {'was' if n == 1 else 'were'} last confirmed "
        f"{every} ago or more. Reconfirm {them} by {slack_date(request.stale_at)}: a pledge "
        "not reconfirmed by then goes *stale* and no longer counts as firm."
    )
    title = f"Do {request.delegation}'s pledges still stand? ({n:,})"
    blocks: list[Any] = [
        HeaderBlock(text=truncate(title, 150)),
        SectionBlock(text=MarkdownTextObject(text=intro)),
    ]
    # Each is being asked about: its line need not say so.
    pledges = [replace(p, reconfirm_asked_at=None) for p in request.pledges]
    shown = pledges[:MAX_WITH_BUTTONS]
    for p in shown:
        since = f"\nlast confirmed {slack_date(p.confirmed_at, DAY)}" if p.confirmed_at else ""
        text = truncate(pledge_summary(p) + since, MAX_SECTION)
        blocks += [SectionBlock(text=MarkdownTextObject(text=text)), _buttons(p.ref)]
    rest = pledges[len(shown) :]
    if rest:
        lines = "\n".join(pledge_summary(p) for p in rest)
        more = f"…and {len(rest):,} more, without buttons:\n{lines}"
        blocks.append(SectionBlock(text=MarkdownTextObject(text=truncate(more, MAX_SECTION))))
    command = f"/muster reconfirm {' '.join(p.ref for p in request.pledges)}"
    if len(command) < MAX_SECTION - 60:
        note = f"All still valid? `{command}`"
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=note)]))
    refs = ", ".join(p.ref for p in request.pledges)
    fallback = f"{title}: {refs}. Reconfirm by {slack_date(request.stale_at)}."
    return truncate(fallback, MAX_FALLBACK), [b.to_dict() for b in blocks]


def _buttons(ref: str) -> ActionsBlock:
    return ActionsBlock(
        elements=[
            ButtonElement(
                text="Still valid", action_id=ACTION_STILL_VALID, value=ref, style="primary"
            ),
            ButtonElement(text="Change", action_id=ACTION_CHANGE_PLEDGE, value=ref),
            ButtonElement(
                text="Withdraw", action_id=ACTION_WITHDRAW_PLEDGE, value=ref, style="danger"
            ),
        ]
    )


def on_still_valid(
    ack: Callable[..., Any],
    body: dict[str, Any],
    context: dict[str, Any],
    respond: Callable[..., Any],
) -> None:
    """The clicker's delegation says the pledge still stands (the service checks it
    is theirs); they are answered where they clicked, only to them."""
    ack()
    muster: Muster = context["muster"]
    user = body["user"]["id"]
    done = muster.reconfirmations.reconfirm(user, [pledge_id(body["actions"][0]["value"])])
    reply = render_reconfirmed(done)
    respond(text=reply.text, blocks=reply.blocks, response_type="ephemeral", replace_original=False)
    hand_off(context, FollowUps(refresh_home=(user,)))


ROUTES = [
    Route(("reconfirm", "every"), u.RECONFIRM_EVERY, parse_policy, run_policy, changes=True),
    Route(("reconfirm", "off"), u.RECONFIRM_EVERY, parse_off, run_off, changes=True),
    Route(("reconfirm",), u.RECONFIRM, parse_reconfirm, run_reconfirm, changes=True),
]
