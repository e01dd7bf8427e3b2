"""Digest and alert subscriptions: which channels hear what, and when."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time

from bot.domain.errors import BadInput
from bot.domain.schedule import Weekly, parse_time, parse_weekday, parse_zone, zone_name
from bot.services.broadcasts import ALERTS, DIGEST, SubscriptionView
from bot.services.muster import Muster
from handlers import usage as u
from handlers.blocks import MessageBuilder, Reply, simple
from handlers.grammar import Args, channel_id, expect_end
from handlers.routing import Route
from handlers.times import slack_date

DEFAULT_WEEKDAY, DEFAULT_TIME = 4, "16:00"  # Friday afternoon: the end of the written week


@dataclass(frozen=True)
class Subscribe:
    kind: str
    channel: str
    weekday: int | None = None  # None: keep the schedule, or Friday 16:00 for a new one
    at: time | None = None
    zone: str | None = None  # None: the coalition's time zone (MUSTER_TIMEZONE)


@dataclass(frozen=True)
class Unsubscribe:
    kind: str
    channel: str


@dataclass(frozen=True)
class ListSubscriptions:
    kind: str


@dataclass(frozen=True)
class PreviewDigest:
    pass


@dataclass(frozen=True)
class DigestNow:
    channel: str


def _channel(args: Args, index: int, usage: u.Usage) -> tuple[str, int]:
    """An explicit #channel at ``index``, or the channel the command was typed in."""
    explicit = channel_id(args.get(index))
    if explicit:
        return explicit, index + 1
    if not args.channel or args.channel.startswith("D"):
        raise BadInput("Name the channel, e.g. #coalition-status.", str(usage))
    return args.channel, index


def parse_digest_subscribe(args: Args) -> Subscribe:
    usage = u.DIGEST_SUBSCRIBE
    channel, i = _channel(args, 0, usage)
    if i == len(args):
        return Subscribe(DIGEST, channel)
    if args.word(i) != "weekly" or args.get(i + 2) is None:
        raise BadInput("Give the schedule as `weekly <weekday> <HH:MM> [time zone]`.", str(usage))
    weekday = parse_weekday(args.tokens[i + 1].text)
    at = parse_time(args.tokens[i + 2].text)
    zone = args.get(i + 3)
    expect_end(args.tokens[i + 4 :], str(usage))
    return Subscribe(DIGEST, channel, weekday, at, zone_name(zone.text) if zone else None)


def parse_unsubscribe(kind: str, usage: u.Usage) -> Callable[[Args], Unsubscribe]:
    def parse(args: Args) -> Unsubscribe:
        channel, i = _channel(args, 0, usage)
        expect_end(args.tokens[i:], str(usage))
        return Unsubscribe(kind, channel)

    return parse


def parse_list(kind: str, usage: u.Usage) -> Callable[[Args], ListSubscriptions]:
    def parse(args: Args) -> ListSubscriptions:
        expect_end(args.tokens, str(usage))
        return ListSubscriptions(kind)

    return parse


def parse_preview(args: Args) -> PreviewDigest:
    expect_end(args.tokens, str(u.DIGEST_PREVIEW))
    return PreviewDigest()


def parse_now(args: Args) -> DigestNow:
    channel, i = _channel(args, 0, u.DIGEST_NOW)
    expect_end(args.tokens[i:], str(u.DIGEST_NOW))
    return DigestNow(channel)


def parse_alerts_subscribe(args: Args) -> Subscribe:
    channel, i = _channel(args, 0, u.ALERTS_SUBSCRIBE)
    expect_end(args.tokens[i:], str(u.ALERTS_SUBSCRIBE))
    return Subscribe(ALERTS, channel)


def describe(view: SubscriptionView) -> str:
    state = (
        ""
        if view.active
        else f" · paused: {view.broken_reason}"
        if view.broken_reason
        else " · off"
    )
    when = f" · {view.schedule.describe()}" if view.schedule else ""
    return f"<#{view.channel}>{when}{state}"


def run_subscribe(muster: Muster, user: str, cmd: Subscribe) -> Reply:
    broadcasts = muster.broadcasts
    schedule = None
    if cmd.kind == DIGEST and cmd.weekday is not None and cmd.at is not None:
        schedule = Weekly(cmd.weekday, cmd.at, parse_zone(cmd.zone or muster.timezone))
    elif cmd.kind == DIGEST and not broadcasts.is_subscribed(cmd.kind, cmd.channel):
        schedule = Weekly.of(DEFAULT_WEEKDAY, DEFAULT_TIME, muster.timezone)
    view = broadcasts.subscribe(user, cmd.kind, cmd.channel, schedule)
    if view.schedule:
        upcoming = view.schedule.next(muster.clock())
        return simple(
            f"<#{view.channel}> gets the weekly digest on {view.schedule.describe()}; "
            f"the next one {slack_date(upcoming)}."
        )
    return simple(f"<#{view.channel}> now gets gap alerts as they happen.")


def run_unsubscribe(muster: Muster, user: str, cmd: Unsubscribe) -> Reply:
    muster.broadcasts.unsubscribe(user, cmd.kind, cmd.channel)
    return simple(
        f"<#{cmd.channel}> no longer gets the {'weekly digest' if cmd.kind == DIGEST else 'gap alerts'}."
    )


def run_list(muster: Muster, user: str, cmd: ListSubscriptions) -> Reply:
    views = muster.broadcasts.subscriptions(user, cmd.kind)
    title = "Digest subscriptions" if cmd.kind == DIGEST else "Alert subscriptions"
    builder = MessageBuilder(f"{title} ({len(views)})")
    return builder.lines([describe(v) for v in views] or ["None yet."]).build()


def run_preview(muster: Muster, user: str, _cmd: PreviewDigest) -> Reply:
    """Acknowledged at once; the preview follows (see followups.send_preview)."""
    muster.require_registered(user)
    reply = simple("Building the digest preview; it will appear here in a moment.")
    reply.preview = True
    return reply


def run_now(muster: Muster, user: str, cmd: DigestNow) -> Reply:
    muster.broadcasts.require_coordinator(user, "post the digest")
    reply = simple(f"Posting the digest to <#{cmd.channel}> now.")
    reply.digest_to = cmd.channel
    return reply


ROUTES = [
    Route(
        ("digest", "subscribe"),
        u.DIGEST_SUBSCRIBE,
        parse_digest_subscribe,
        run_subscribe,
        changes=True,
    ),
    Route(
        ("digest", "unsubscribe"),
        u.DIGEST_UNSUBSCRIBE,
        parse_unsubscribe(DIGEST, u.DIGEST_UNSUBSCRIBE),
        run_unsubscribe,
        changes=True,
    ),
    Route(("digest", "list"), u.DIGEST_LIST, parse_list(DIGEST, u.DIGEST_LIST), run_list),
    Route(("digest", "preview"), u.DIGEST_PREVIEW, parse_preview, run_preview),
    Route(("digest", "now"), u.DIGEST_NOW, parse_now, run_now),
    Route(
        ("alerts", "subscribe"),
        u.ALERTS_SUBSCRIBE,
        parse_alerts_subscribe,
        run_subscribe,
        changes=True,
    ),
    Route(
        ("alerts", "unsubscribe"),
        u.ALERTS_UNSUBSCRIBE,
        parse_unsubscribe(ALERTS, u.ALERTS_UNSUBSCRIBE),
        run_unsubscribe,
        changes=True,
    ),
    Route(("alerts", "list"), u.ALERTS_LIST, parse_list(ALERTS, u.ALERTS_LIST), run_list),
]
