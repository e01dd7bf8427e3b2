"""Delegations, their members, coordinators and the objectives' names and leads."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.errors import BadInput
from bot.domain.wording import counted
from bot.services.muster import Muster
from handlers import usage as u
from handlers.blocks import MessageBuilder, Reply, esc, simple
from handlers.coverage import POSTURES
from handlers.grammar import Args, Token, expect_end, user_id
from handlers.routing import Route


@dataclass(frozen=True)
class AddDelegation:
    code: str
    name: str


@dataclass(frozen=True)
class AddMembers:
    code: str
    user_ids: tuple[str, ...]


@dataclass(frozen=True)
class ListDelegations:
    pass


@dataclass(frozen=True)
class AddCoordinator:
    user_id: str


@dataclass(frozen=True)
class ListObjectives:
    pass


@dataclass(frozen=True)
class EditObjective:
    code: str
    name: str | None = None
    leads: tuple[str, ...] | None = None


def _code(token: Token | None, usage: u.Usage) -> str:
    if token is None or token.quoted:
        raise BadInput("Name the delegation by its code.", str(usage))
    return token.text.upper()


def _mentions(tokens: tuple[Token, ...], usage: u.Usage) -> tuple[str, ...]:
    users = []
    for token in tokens:
        found = user_id(token)
        if found is None:
            raise BadInput(
                f"{token.text!r} is not a user mention; mention people as @name.", str(usage)
            )
        users.append(found)
    return tuple(users)


def parse_add(args: Args) -> AddDelegation:
    code = _code(args.get(0), u.DELEGATION_ADD)
    name = args.verbatim(1).strip('"“”')
    if not name:
        raise BadInput("The delegation needs a name.", str(u.DELEGATION_ADD))
    return AddDelegation(code, name)


def parse_members(args: Args) -> AddMembers:
    code = _code(args.get(0), u.DELEGATION_MEMBER)
    users = _mentions(args.tokens[1:], u.DELEGATION_MEMBER)
    if not users:
        raise BadInput("Mention at least one user to add.", str(u.DELEGATION_MEMBER))
    return AddMembers(code, users)


def parse_list(args: Args) -> ListDelegations:
    expect_end(args.tokens, str(u.DELEGATIONS))
    return ListDelegations()


def parse_coordinator(args: Args) -> AddCoordinator:
    users = _mentions(args.tokens, u.COORDINATOR_ADD)
    if len(users) != 1:
        raise BadInput("Mention exactly one user.", str(u.COORDINATOR_ADD))
    return AddCoordinator(users[0])


def parse_objectives(args: Args) -> ListObjectives:
    expect_end(args.tokens, str(u.OBJECTIVES))
    return ListObjectives()


def parse_objective_edit(args: Args) -> EditObjective:
    code = args.get(0)
    field = args.word(1)
    if code is None or field not in ("name", "leads"):
        raise BadInput("Say which objective and what to change.", str(u.OBJECTIVE_EDIT))
    if field == "name":
        name = args.verbatim(2).strip('"“”')
        if not name:
            raise BadInput("Give the new name.", str(u.OBJECTIVE_EDIT))
        return EditObjective(code.text.upper(), name=name)
    return EditObjective(code.text.upper(), leads=tuple(t.text.upper() for t in args.tokens[2:]))


def run_add(muster: Muster, user: str, cmd: AddDelegation) -> Reply:
    view = muster.delegations.add_delegation(user, cmd.code, cmd.name)
    return simple(
        f"Delegation *{view.code}* ({esc(view.name)}) added. "
        f"Add its members with `/muster delegation member {view.code} @user`."
    )


def run_members(muster: Muster, user: str, cmd: AddMembers) -> Reply:
    done = muster.delegations.add_members(user, cmd.code, cmd.user_ids)
    view = done.delegation
    where = f"*{view.code}* ({esc(view.name)})"
    sentences = []
    if done.added:
        speak = "now speaks" if len(done.added) == 1 else "now speak"
        sentences.append(f"{mentions(done.added)} {speak} for {where}.")
    if done.already:
        was = "was a member" if len(done.already) == 1 else "were members"
        sentences.append(f"{mentions(done.already)} {was} already.")
    sentences.append(f"{view.code} has {counted(view.members, 'member')}.")
    reply = simple(" ".join(sentences))
    reply.plan_calls = bool(done.added)  # a newcomer is sent the open calls they are owed
    return reply


def mentions(user_ids: tuple[str, ...]) -> str:
    return ", ".join(f"<@{uid}>" for uid in user_ids)


def run_list(muster: Muster, user: str, _cmd: ListDelegations) -> Reply:
    views = muster.delegations.list_delegations(user)
    if not views:
        return simple(
            "No delegations yet. A coordinator adds them with `/muster delegation add <CODE> <name>`."
        )
    lines = [
        f"*{v.code}* {esc(v.name)} · {counted(v.members, 'member')} · {v.posture}" for v in views
    ]
    postures = "; ".join(f"*{name}*: {meaning}" for name, meaning in POSTURES.items())
    return (
        MessageBuilder(f"Delegations ({len(views):,})")
        .lines(lines)
        .context(f"Postures, as you may see them: {postures}.")
        .build()
    )


def run_coordinator(muster: Muster, user: str, cmd: AddCoordinator) -> Reply:
    added = muster.delegations.add_coordinator(user, cmd.user_id)
    if not added:
        return simple(f"<@{cmd.user_id}> is already a coordinator.")
    return simple(f"<@{cmd.user_id}> is now a coordinator.")


def run_objectives(muster: Muster, user: str, _cmd: ListObjectives) -> Reply:
    lines = [
        f"*{o.code}* {esc(o.name)}"
        + (f" · led by {', '.join(o.lead_delegations)}" if o.lead_delegations else "")
        for o in muster.requirements.list_objectives(user)
    ]
    return MessageBuilder("Objectives").lines(lines).build()


def run_objective_edit(muster: Muster, user: str, cmd: EditObjective) -> Reply:
    o = muster.requirements.edit_objective(user, cmd.code, name=cmd.name, leads=cmd.leads)
    leads = ", ".join(o.lead_delegations) or "no lead delegation"
    return simple(f"*{o.code}* is now “{esc(o.name)}”, {leads}.")


ROUTES = [
    Route(("delegation", "add"), u.DELEGATION_ADD, parse_add, run_add, changes=True),
    Route(("delegation", "member"), u.DELEGATION_MEMBER, parse_members, run_members, changes=True),
    Route(("delegations",), u.DELEGATIONS, parse_list, run_list),
    Route(
        ("coordinator", "add"), u.COORDINATOR_ADD, parse_coordinator, run_coordinator, changes=True
    ),
    Route(("objectives",), u.OBJECTIVES, parse_objectives, run_objectives),
    Route(
        ("objective", "edit"),
        u.OBJECTIVE_EDIT,
        parse_objective_edit,
        run_objective_edit,
        changes=True,
    ),
]
