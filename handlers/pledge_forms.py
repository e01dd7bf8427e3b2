"""The forms a reconfirmation request's buttons open on one pledge: **Change** (its
fields, prefilled, changed as `/muster pledge update` changes them) and **Withdraw**
(a reason, as `/muster withdraw` takes it). Whoever opens or submits one is checked
again by the services: its own delegation changes a pledge; it or a coordinator
withdraws it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from bot.domain.errors import BadInput, Conflict
from bot.domain.model import PledgeStatus
from bot.domain.read_models import PledgeView
from bot.domain.wording import unit_for
from bot.services.muster import Muster
from bot.services.pledges import PledgeChange
from handlers import forms
from handlers.blocks import FollowUps, hand_off, open_form, truncate
from handlers.grammar import PLEDGE_REF
from handlers.ids import CALLBACK_PLEDGE_CHANGE, CALLBACK_PLEDGE_WITHDRAW
from handlers.pledges import STATUS_OPTIONS, confirmation_lines, pledge_summary

_ORDER = [PledgeStatus.INDICATED, PledgeStatus.OFFERED, PledgeStatus.CONFIRMED]


def pledge_id(ref: object) -> int:
    """The pledge a button's value (P-3) or a form's metadata names; anything else
    (a forged or damaged payload) is refused in one line."""
    match = PLEDGE_REF.match(ref) if isinstance(ref, str) else None
    if match is None:
        raise BadInput("That button or form does not name a pledge; open it again.")
    return int(match.group(1))


def form_pledge_id(view: dict[str, Any]) -> int:
    """The pledge a Change or Withdraw form was opened on, from its metadata."""
    number = forms.Form(view).metadata.get("pledge")
    return pledge_id(f"P-{number}" if isinstance(number, int | str) else None)


def _summary(p: PledgeView) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=truncate(pledge_summary(p), 3000)))


def change_form(p: PledgeView) -> dict[str, Any]:
    """The pledge's fields as they stand; a status only moves on (indicated → offered →
    confirmed), so the form offers no step back."""
    later = [o for o in STATUS_OPTIONS if _ORDER.index(PledgeStatus(o.value)) >= _rank(p)]
    blocks = [
        _summary(p),
        forms.number_input("quantity", f"Quantity, in {unit_for(2, p.unit)}", initial=p.quantity),
        forms.select("status", "Status", options=later, initial=p.status.value),
        forms.text_input(
            "condition",
            "Condition (empty: none)",
            max_length=500,
            optional=True,
            initial=p.condition or None,
            placeholder="e.g. subject to parliament; if the US backstops",
        ),
        forms.text_input(
            "caveats", "Caveats", max_length=500, optional=True, initial=p.caveats or None
        ),
        forms.date_input("available_from", "Available from", initial=p.available_from),
        forms.checkbox(
            "restricted",
            "Releasability",
            "Restricted",
            "Only coordinators and my delegation see who pledged and the details",
            initial=p.restricted,
        ),
    ]
    metadata = {"pledge": pledge_id(p.ref)}
    return forms.modal(
        f"Change {p.ref}", CALLBACK_PLEDGE_CHANGE, blocks, submit="Save", metadata=metadata
    )


def _rank(p: PledgeView) -> int:
    return _ORDER.index(p.status) if p.status in _ORDER else len(_ORDER)


def changed(view: dict[str, Any], now: PledgeView) -> PledgeChange:
    """What the submitted form changes on the pledge as it stands ``now``: a field
    left as it was is no change (an availability date gone by is not refused again)."""
    form = forms.Form(view)
    found: dict[str, Any] = {
        "quantity": form.number("quantity"),
        "status": PledgeStatus(
            form.one_of("status", [o.value for o in STATUS_OPTIONS], now.status.value)
        ),
        "condition": form.text("condition"),
        "caveats": form.text("caveats"),
        "available_from": form.date("available_from"),
        "restricted": form.checked("restricted"),
    }
    if found["available_from"] is None:  # a cleared date: the grammar cannot clear one either
        found["available_from"] = now.available_from
    change = PledgeChange(**{k: v for k, v in found.items() if v != getattr(now, k)})
    if change.is_empty:
        raise Conflict(
            f"{now.ref} already reads that way; nothing changed. To say it still stands, "
            "press Still valid.",
            field="quantity",
        )
    return change


def withdraw_form(p: PledgeView) -> dict[str, Any]:
    blocks = [
        _summary(p),
        SectionBlock(
            text=MarkdownTextObject(
                text="Withdrawn, it no longer counts towards its requirement. "
                "This cannot be undone: a new pledge can be made instead."
            )
        ),
        forms.text_input(
            "reason",
            "Reason (optional)",
            max_length=500,
            optional=True,
            placeholder="e.g. the unit is committed elsewhere",
        ),
    ]
    metadata = {"pledge": pledge_id(p.ref)}
    return forms.modal(
        f"Withdraw {p.ref}",
        CALLBACK_PLEDGE_WITHDRAW,
        blocks,
        submit="Withdraw",
        metadata=metadata,
    )


# --- listeners ----------------------------------------------------------------------------


def on_change_button(
    ack: Callable[..., Any], body: dict[str, Any], context: dict[str, Any], client: Any
) -> None:
    ack()
    muster: Muster = context["muster"]
    number = pledge_id(body["actions"][0]["value"])
    view = muster.reconfirmations.pledge_for_button(body["user"]["id"], number, withdraw=False)
    open_form(client, body["trigger_id"], change_form(view))


def on_withdraw_button(
    ack: Callable[..., Any], body: dict[str, Any], context: dict[str, Any], client: Any
) -> None:
    ack()
    muster: Muster = context["muster"]
    number = pledge_id(body["actions"][0]["value"])
    view = muster.reconfirmations.pledge_for_button(body["user"]["id"], number, withdraw=True)
    open_form(client, body["trigger_id"], withdraw_form(view))


def on_change_submitted(
    ack: Callable[..., Any], body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]
) -> None:
    muster: Muster = context["muster"]
    user = body["user"]["id"]
    number = form_pledge_id(view)
    now = muster.reconfirmations.pledge_for_button(user, number, withdraw=False)
    result = muster.pledges.update_pledge(user, number, changed(view, now))
    title = f"Pledge {result.pledge.ref} updated"
    ack(response_action="update", view=forms.done(title, confirmation_lines(result)))
    hand_off(context, FollowUps(refresh_home=(user,)))


def on_withdraw_submitted(
    ack: Callable[..., Any], body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]
) -> None:
    muster: Muster = context["muster"]
    user = body["user"]["id"]
    form = forms.Form(view)
    result = muster.pledges.withdraw(user, form_pledge_id(view), form.text("reason"))
    title = f"Pledge {result.pledge.ref} withdrawn"
    ack(response_action="update", view=forms.done(title, confirmation_lines(result)))
    hand_off(context, FollowUps(refresh_home=(user,)))
