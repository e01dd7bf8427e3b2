"""Pledges: offering a contribution, changing it, withdrawing it, listing them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from slack_sdk.models.blocks import Option

from bot.domain.conditions import CLASS_CHOICES, class_for_word
from bot.domain.errors import BadInput
from bot.domain.model import CONDITION_LABELS, ConditionKind, PledgeStatus
from bot.domain.read_models import Page, PledgeList, PledgeResult, PledgeView, RequirementView
from bot.domain.text import shorten
from bot.domain.wording import amount, counted, is_singular
from bot.services.muster import Muster
from bot.services.pledges import PledgeChange
from handlers import forms
from handlers import usage as u
from handlers.blocks import (
    FollowUps,
    MessageBuilder,
    Reply,
    esc,
    form_reply,
    hand_off,
    open_form,
    page_note,
)
from handlers.coverage import coverage_line
from handlers.grammar import (
    PLEDGE_REF,
    Args,
    Token,
    iso_date,
    paged,
    quantity,
    ref_number,
    requirement_code,
)
from handlers.ids import CALLBACK_PLEDGE
from handlers.routing import Route
from handlers.times import slack_date

LIVE_WORDS = {s.value for s in PledgeStatus if s != PledgeStatus.WITHDRAWN}


@dataclass(frozen=True)
class MakePledge:
    """Its fields are `Muster.pledge`'s keywords, so it is passed on as it is."""

    requirement: str
    quantity: Decimal
    status: PledgeStatus = PledgeStatus.OFFERED
    restricted: bool = False
    condition: str = ""
    caveats: str = ""
    available_from: date | None = None


@dataclass(frozen=True)
class OpenPledgeForm:
    requirement: str | None = None


@dataclass(frozen=True)
class UpdatePledge:
    pledge_id: int
    change: PledgeChange


@dataclass(frozen=True)
class ClassifyPledge:
    pledge_id: int
    kind: ConditionKind | None  # None: back to the rules


@dataclass(frozen=True)
class Withdraw:
    pledge_id: int
    reason: str = ""


@dataclass(frozen=True)
class ListPledges:
    scope: str | None = None
    page: Page = field(default_factory=Page)


def _quoted(rest: list[Token], what: str, usage: str) -> str:
    token = rest.pop(0) if rest else None
    if token is None or not token.quoted:
        raise BadInput(f'Put the {what} in quotes, e.g. {what} "subject to parliament".', usage)
    return token.text


def _options(rest: list[Token], usage: str, *, update: bool) -> dict[str, Any]:
    """The optional words after a pledge's quantity (or after its reference on update)."""
    found: dict[str, Any] = {}
    while rest:
        token = rest.pop(0)
        word = "" if token.quoted else token.word
        if word in LIVE_WORDS and not update:
            found["status"] = PledgeStatus(word)
        elif word == "status" and update:
            value = rest.pop(0).word if rest else ""
            if value not in {s.value for s in PledgeStatus}:
                raise BadInput("Status is one of indicated, offered, confirmed.", usage)
            found["status"] = PledgeStatus(value)
        elif word == "quantity" and update:
            found["quantity"] = quantity(rest.pop(0) if rest else None, usage)
        elif word == "restricted":
            found["restricted"] = True
        elif word == "coalition" and update:
            found["restricted"] = False
        elif word == "if":
            found["condition"] = _quoted(rest, "condition", usage)
        elif word == "unconditional" and update:
            found["condition"] = ""
        elif word in ("caveat", "caveats"):
            found["caveats"] = _quoted(rest, "caveat", usage)
        elif word == "from":
            found["available_from"] = iso_date(rest.pop(0) if rest else None, usage)
        else:
            raise BadInput(f"I did not understand {token.text!r}.", usage)
    return found


def parse_pledge(args: Args) -> MakePledge | OpenPledgeForm:
    if not args.tokens:
        return OpenPledgeForm()
    usage = str(u.PLEDGE)
    code = requirement_code(args.get(0), usage)
    amount = quantity(args.get(1), usage)
    return MakePledge(code, amount, **_options(list(args.tokens[2:]), usage, update=False))


def parse_update(args: Args) -> UpdatePledge:
    usage = str(u.PLEDGE_UPDATE)
    pledge_id = ref_number(args.get(0), PLEDGE_REF, "pledge", usage)
    options = _options(list(args.tokens[1:]), usage, update=True)
    if not options:
        raise BadInput("Say what to change.", usage)
    return UpdatePledge(pledge_id, PledgeChange(**options))


def parse_classify(args: Args) -> ClassifyPledge:
    usage = str(u.PLEDGE_CLASSIFY)
    pledge_id = ref_number(args.get(0), PLEDGE_REF, "pledge", usage)
    word = "-".join(t.word for t in args.tokens[1:])  # "other backstop" as other-backstop
    if not word:
        raise BadInput(
            f"Say which class: {CLASS_CHOICES}; or auto, to let the rules decide.", usage
        )
    if word == "auto":
        return ClassifyPledge(pledge_id, None)
    kind = class_for_word(word)
    if kind is None:
        raise BadInput(f"{shorten(word)!r} is not a class. The classes are {CLASS_CHOICES}.", usage)
    return ClassifyPledge(pledge_id, kind)


def parse_withdraw(args: Args) -> Withdraw:
    usage = str(u.WITHDRAW)
    pledge_id = ref_number(args.get(0), PLEDGE_REF, "pledge", usage)
    reason = args.verbatim(1).strip('"“”„')
    return Withdraw(pledge_id, reason)


def parse_list(args: Args) -> ListPledges:
    args, page = paged(args, str(u.PLEDGES))
    if len(args) > 1:
        raise BadInput("List pledges by one scope at a time.", str(u.PLEDGES))
    token = args.get(0)
    return ListPledges(token.text if token else None, page)


def pledge_summary(p: PledgeView) -> str:
    line = f"*{p.ref}* {p.delegation} → {p.requirement}: {esc(amount(p.quantity, p.unit))}, {p.status.value}"
    if p.restricted:
        line += " · restricted"
    if p.stale_since is not None:  # not reconfirmed in time: firm no more until it is
        line += f" · ⚠️ *stale* since {slack_date(p.stale_since, '{date_short_pretty}')}"
    elif p.reconfirm_asked_at is not None:
        line += " · reconfirmation asked"
    details = []
    if p.condition:
        label = CONDITION_LABELS[p.condition_kind] if p.condition_kind else ""
        by_hand = ", set by a coordinator" if p.condition_kind_manual else ""
        details.append(f"if “{esc(p.condition)}” ({label}{by_hand})")
    if p.caveats:
        details.append(f"caveat “{esc(p.caveats)}”")
    if p.available_from:
        details.append(f"from {p.available_from.isoformat()}")
    if p.withdrawn_reason:
        details.append(f"reason “{esc(p.withdrawn_reason)}”")
    return line + ("\n      " + " · ".join(details) if details else "")


def _confirmation(title: str, result: PledgeResult) -> Reply:
    return MessageBuilder(title).lines(confirmation_lines(result)).build()


def run_pledge(muster: Muster, user: str, cmd: MakePledge | OpenPledgeForm) -> Reply:
    if isinstance(cmd, OpenPledgeForm):
        return form_reply(pledge_form(muster.pledges.pledge_form(user), cmd.requirement))
    result = muster.pledges.pledge(user, **vars(cmd))
    return _confirmation(f"Pledge {result.pledge.ref} recorded", result)


def run_update(muster: Muster, user: str, cmd: UpdatePledge) -> Reply:
    result = muster.pledges.update_pledge(user, cmd.pledge_id, cmd.change)
    return _confirmation(f"Pledge {result.pledge.ref} updated", result)


def run_classify(muster: Muster, user: str, cmd: ClassifyPledge) -> Reply:
    result = muster.pledges.classify(user, cmd.pledge_id, cmd.kind)
    before = CONDITION_LABELS[result.before] if result.before else "no class"
    change = f"Condition class: {before} → {CONDITION_LABELS[result.after]}"
    if result.by_hand:
        note = "Every report files it there, even if the delegation rewords the condition."
    else:
        note = "Filed by the rules again; a new wording is read again."
    return (
        MessageBuilder(f"Pledge {result.pledge.ref} classified")
        .lines([change, pledge_summary(result.pledge)])
        .context(note)
        .build()
    )


def run_withdraw(muster: Muster, user: str, cmd: Withdraw) -> Reply:
    result = muster.pledges.withdraw(user, cmd.pledge_id, cmd.reason)
    return _confirmation(f"Pledge {result.pledge.ref} withdrawn", result)


def render_list(listing: PledgeList, command: str = "pledges") -> Reply:
    builder = MessageBuilder(f"{listing.title} ({listing.page.total + listing.undisclosed:,})")
    if listing.pledges:
        builder.lines(pledge_summary(p) for p in listing.pledges)
    note = page_note(listing.page, command)
    if note:
        builder.context(note)
    if listing.undisclosed:
        builder.context(
            f"{counted(listing.undisclosed, 'undisclosed pledge')} "
            f"{'is' if is_singular(listing.undisclosed) else 'are'} counted in the totals "
            "but not shown."
        )
    if not listing.pledges and not listing.undisclosed:
        builder.line("No pledges yet.")
    return builder.build()


def run_list(muster: Muster, user: str, cmd: ListPledges) -> Reply:
    listing = muster.pledges.list_pledges(user, cmd.scope, cmd.page)
    return render_list(listing, " ".join(["pledges", *([cmd.scope] if cmd.scope else [])]))


# --- the pledge form ------------------------------------------------------------------

STATUS_OPTIONS = [
    Option(text="Indicated: an informal sounding", value=PledgeStatus.INDICATED),
    Option(text="Offered: in writing, national approval pending", value=PledgeStatus.OFFERED),
    Option(text="Confirmed: nationally approved", value=PledgeStatus.CONFIRMED),
]


def pledge_form(
    requirements: Sequence[RequirementView], selected: str | None = None
) -> dict[str, Any]:
    blocks = [
        forms.select(
            "requirement",
            "Requirement",
            groups=forms.requirement_groups(requirements),
            initial=selected,
            placeholder="Which line of the statement of requirements?",
        ),
        forms.number_input("quantity", "Quantity, in the requirement's unit"),
        forms.select("status", "Status", options=STATUS_OPTIONS, initial=PledgeStatus.OFFERED),
        forms.text_input(
            "condition",
            "Condition",
            max_length=500,
            optional=True,
            placeholder="e.g. subject to parliament; if the US backstops",
        ),
        forms.text_input(
            "caveats",
            "Caveats",
            max_length=500,
            optional=True,
            placeholder="e.g. only from neighbouring NATO territory",
        ),
        forms.date_input("available_from", "Available from"),
        forms.checkbox(
            "restricted",
            "Releasability",
            "Restricted",
            "Only coordinators and my delegation see who pledged and the details",
        ),
    ]
    return forms.modal("Pledge a contribution", CALLBACK_PLEDGE, blocks, submit="Pledge")


def parse_pledge_form(view: dict[str, Any]) -> MakePledge:
    form = forms.Form(view)
    return MakePledge(
        requirement=form.required("requirement", "a requirement"),
        quantity=form.number("quantity"),
        status=PledgeStatus(form.one_of("status", LIVE_WORDS, PledgeStatus.OFFERED)),
        restricted=form.checked("restricted"),
        condition=form.text("condition"),
        caveats=form.text("caveats"),
        available_from=form.date("available_from"),
    )


def confirmation_lines(result: PledgeResult) -> list[str]:
    req = result.requirement
    return [
        pledge_summary(result.pledge),
        f"*{req.code}* {esc(req.title)} now: {coverage_line(req)}",
    ]


def on_pledge_button(
    ack: Callable[..., Any], body: dict[str, Any], context: dict[str, Any], client: Any
) -> None:
    ack()
    muster: Muster = context["muster"]
    user = body["user"]["id"]
    requirement = body["actions"][0]["value"]
    open_form(
        client, body["trigger_id"], pledge_form(muster.pledges.pledge_form(user), requirement)
    )


def on_pledge_submitted(
    ack: Callable[..., Any], body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]
) -> None:
    muster: Muster = context["muster"]
    user = body["user"]["id"]
    cmd = parse_pledge_form(view)
    result = muster.pledges.pledge(user, **vars(cmd))
    ack(
        response_action="update",
        view=forms.done(f"Pledge {result.pledge.ref} recorded", confirmation_lines(result)),
    )
    hand_off(context, FollowUps(refresh_home=(user,)))


ROUTES = [
    Route(("pledge", "update"), u.PLEDGE_UPDATE, parse_update, run_update, changes=True),
    Route(("pledge", "classify"), u.PLEDGE_CLASSIFY, parse_classify, run_classify, changes=True),
    Route(("pledge",), u.PLEDGE, parse_pledge, run_pledge, changes=True),
    Route(("withdraw",), u.WITHDRAW, parse_withdraw, run_withdraw, changes=True),
    Route(("pledges",), u.PLEDGES, parse_list, run_list),
]
