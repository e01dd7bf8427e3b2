"""Workspace set-up chosen in Slack: where coordinators hear about new questions."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.errors import BadInput
from bot.services.muster import Muster
from handlers import usage as u
from handlers.blocks import Reply, simple
from handlers.grammar import Args, channel_id, expect_end
from handlers.routing import Route


@dataclass(frozen=True)
class SetCoordinatorsChannel:
    channel: str


def parse_coordinators_channel(args: Args) -> SetCoordinatorsChannel:
    channel = channel_id(args.get(0))
    if channel is None:
        raise BadInput("Name the channel as #channel.", str(u.SETUP))
    expect_end(args.tokens[1:], str(u.SETUP))
    return SetCoordinatorsChannel(channel)


def run_coordinators_channel(muster: Muster, user: str, cmd: SetCoordinatorsChannel) -> Reply:
    muster.delegations.set_coordinators_channel(user, cmd.channel)
    return simple(
        f"New questions will be announced in <#{cmd.channel}> with an Answer button. "
        "Invite Muster there if the channel is private; `muster doctor` checks it."
    )


ROUTES = [
    Route(
        ("setup", "coordinators-channel"),
        u.SETUP,
        parse_coordinators_channel,
        run_coordinators_channel,
    )
]
