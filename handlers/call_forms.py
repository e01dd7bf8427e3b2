"""The buttons of a call's direct message, and the forms they open: Pledge (the pledge
form, on the called lines), Ask (a question about one of them) and Nothing to offer
(a nil return, with a reason if the delegation wishes). Every one checks the clicker:
only a member of a delegation may pledge, ask or decline, and the services check
again when the form comes back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from bot.domain.calls import CALL_REF
from bot.domain.errors import BadInput
from bot.services.muster import Muster
from handlers import forms
from handlers.blocks import FollowUps, hand_off, open_form, truncate
from handlers.call_messages import lines_named
from handlers.ids import CALLBACK_CALL_ASK, CALLBACK_DECLINE
from handlers.pledges import pledge_form
from handlers.questions import question_lines


def call_id(value: str) -> int:
    """The call a button or a form is about (a form keeps its number in its metadata)."""
    match = CALL_REF.match(value if value.upper().startswith("C") else f"C-{value}")
    if match is None:
        raise BadInput(f"{value!r} is not a call.")
    return int(match.group(1))


def on_call_pledge(
    ack: Callable[..., Any], body: dict[str, Any], context: dict[str, Any], client: Any
) -> None:
    """The pledge form, offering the called lines (the first chosen if there is one)."""
    ack()
    muster: Muster = context["muster"]
    view = muster.calls.called_lines(
        body["user"]["id"], call_id(body["actions"][0]["value"]), "pledge"
    )
    selected = view.lines[0].code if len(view.lines) == 1 else None
    open_form(client, body["trigger_id"], pledge_form(view.lines, selected))


def on_call_ask(
    ack: Callable[..., Any], body: dict[str, Any], context: dict[str, Any], client: Any
) -> None:
    ack()
    muster: Muster = context["muster"]
    view = muster.calls.called_lines(
        body["user"]["id"], call_id(body["actions"][0]["value"]), "ask questions"
    )
    blocks = [
        forms.text_input("question", "Your question", max_length=2000, multiline=True),
        forms.select(
            "about",
            "About",
            groups=forms.requirement_groups(view.lines),
            initial=view.lines[0].code if len(view.lines) == 1 else None,
        ),
    ]
    metadata = {"call": int(view.ref[2:])}
    title = f"Ask about {view.ref}"
    open_form(
        client,
        body["trigger_id"],
        forms.modal(title, CALLBACK_CALL_ASK, blocks, submit="Ask", metadata=metadata),
    )


def on_call_ask_submitted(
    ack: Callable[..., Any], body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]
) -> None:
    muster: Muster = context["muster"]
    user = body["user"]["id"]
    form = forms.Form(view)
    text = form.required("question", "a question to ask")
    about = form.required("about", "the line it is about")
    asked = muster.questions.ask(user, text, about)
    ack(
        response_action="update",
        view=forms.done(f"Question {asked.ref} sent", question_lines(asked, asked.asked_at)),
    )
    hand_off(context, FollowUps(announce_question=int(asked.ref[2:]), refresh_home=(user,)))


def on_decline(
    ack: Callable[..., Any], body: dict[str, Any], context: dict[str, Any], client: Any
) -> None:
    """A form to confirm the nil return, with room for a reason: a click alone
    should not tell the coordinators that a nation has nothing to offer."""
    ack()
    muster: Muster = context["muster"]
    view = muster.calls.decline_form(body["user"]["id"], call_id(body["actions"][0]["value"]))
    said = SectionBlock(
        text=MarkdownTextObject(
            text=truncate(
                f"Your delegation has nothing to offer against {lines_named(view)} "
                f"for {view.ref}. The coordinators will see it as a nil return.",
                3000,
            )
        )
    )
    blocks = [
        said,
        forms.text_input(
            "reason",
            "Reason (optional)",
            max_length=500,
            optional=True,
            placeholder="e.g. no deployable battery before 2028",
        ),
    ]
    form = forms.modal(
        f"Nil return for {view.ref}",
        CALLBACK_DECLINE,
        blocks,
        submit="Send nil return",
        metadata={"call": int(view.ref[2:])},
    )
    open_form(client, body["trigger_id"], form)


def on_decline_submitted(
    ack: Callable[..., Any], body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]
) -> None:
    muster: Muster = context["muster"]
    user = body["user"]["id"]
    form = forms.Form(view)
    ref = f"C-{call_id(str(form.metadata.get('call', '')))}"
    declined = muster.calls.decline(user, ref, form.text("reason"))
    lines = [f"Recorded: nothing to offer for {', '.join(declined.calls)}."]
    ack(response_action="update", view=forms.done(f"Nil return for {ref}", lines))
    hand_off(context, FollowUps(refresh_home=(user,)))
