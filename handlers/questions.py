"""Questions (requests for information) from delegations, and the coordinators' answers."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from bot.domain.errors import BadInput
from bot.domain.model import OBJECTIVE_CODES, QuestionStatus
from bot.domain.read_models import Page, QuestionView, RequirementView
from bot.services.answer_notices import Sent
from bot.services.muster import Muster
from handlers import forms
from handlers import usage as u
from handlers.blocks import (
    FollowUps,
    MessageBuilder,
    Notice,
    Reply,
    answer_button,
    esc,
    form_reply,
    hand_off,
    open_form,
    page_note,
    truncate,
)
from handlers.grammar import QUESTION_REF, Args, expect_end, paged, ref_number
from handlers.ids import CALLBACK_ANSWER, CALLBACK_ASK
from handlers.routing import Route
from handlers.times import slack_date

_ABOUT_REQUIREMENT = re.compile(r"^([A-Za-z]{2,8}-\d{1,4}):?$")
_ABOUT_OBJECTIVE = re.compile(r"^([A-Za-z]{2,8}):$")


@dataclass(frozen=True)
class Ask:
    text: str
    about: str | None = None


@dataclass(frozen=True)
class OpenAskForm:
    pass


@dataclass(frozen=True)
class AnswerQuestion:
    question_id: int
    text: str
    publish: bool = False  # share it with every delegation too


@dataclass(frozen=True)
class ListQuestions:
    scope: str = "open"
    page: Page = field(default_factory=Page)


@dataclass(frozen=True)
class SetQuestionStatus:
    question_id: int
    status: QuestionStatus


def parse_ask(args: Args) -> Ask | OpenAskForm:
    """`ask SKY-3: …` and `ask SEA: …` name what the question is about, but only
    with a real objective code: `ask Funding: who pays?` is all question."""
    first = args.get(0)
    if first is None:
        return OpenAskForm()
    match = (
        None
        if first.quoted
        else _ABOUT_REQUIREMENT.match(first.text) or _ABOUT_OBJECTIVE.match(first.text)
    )
    if match and match.group(1).split("-")[0].upper() in OBJECTIVE_CODES:
        text = args.verbatim(1).lstrip(":").strip()
        if text:
            return Ask(text, match.group(1).upper())
    return Ask(args.verbatim(0))


def parse_answer(args: Args) -> AnswerQuestion:
    """`answer Q-2 <text>`, and `answer Q-2 "<text>" publish` to share it with every
    delegation. Publishing cannot be taken back, so the answer must then be quoted: an
    answer that merely ends in the word ("…we will not publish") is not a flag, and
    one left unquoted is refused rather than guessed at."""
    question_id = ref_number(args.get(0), QUESTION_REF, "question", str(u.ANSWER))
    if len(args) > 1 and args.ends_with("publish"):
        answer = args.get(1)
        if len(args) != 3 or answer is None or not answer.quoted:
            raise BadInput(
                "To share an answer with every delegation, put it in quotes: "
                f'`/muster answer Q-{question_id} "<answer>" publish`. '
                "An answer that ends in the word publish can quote that word.",
                str(u.ANSWER),
            )
        if not answer.text.strip():
            raise BadInput("Write the answer inside the quotes.", str(u.ANSWER))
        return AnswerQuestion(question_id, answer.text.strip(), publish=True)
    text = args.verbatim(1)
    if not text:
        raise BadInput("Write the answer after the question's reference.", str(u.ANSWER))
    return AnswerQuestion(question_id, text)


def parse_list(args: Args) -> ListQuestions:
    args, page = paged(args, str(u.QUESTIONS))
    scope = args.word(0) or "open"
    if scope not in ("open", "all"):
        raise BadInput(f"List `open` or `all` questions, not {scope!r}.", str(u.QUESTIONS))
    expect_end(args.tokens[1:], str(u.QUESTIONS))
    return ListQuestions(scope, page)


def _parse_status(args: Args, status: QuestionStatus) -> SetQuestionStatus:
    question_id = ref_number(args.get(0), QUESTION_REF, "question", str(u.QUESTION_STATUS))
    expect_end(args.tokens[1:], str(u.QUESTION_STATUS))
    return SetQuestionStatus(question_id, status)


def parse_close(args: Args) -> SetQuestionStatus:
    return _parse_status(args, QuestionStatus.CLOSED)


def parse_reopen(args: Args) -> SetQuestionStatus:
    return _parse_status(args, QuestionStatus.OPEN)


def age(asked_at: datetime, now: datetime) -> str:
    days = (now - asked_at).days
    if days >= 1:
        return f"{days} day{'s' if days != 1 else ''} ago"
    hours = int((now - asked_at).total_seconds() // 3600)
    return f"{hours} h ago" if hours else "just now"


def question_lines(view: QuestionView, now: datetime) -> list[str]:
    who = view.delegation or "a delegation"
    about = f" on {view.about}" if view.about else ""
    state = view.status.value + (f", duplicate of {view.duplicate_of}" if view.duplicate_of else "")
    head = f"*{view.ref}* ({state}, asked by {who}{about}, {age(view.asked_at, now)})"
    lines = [head, f">{esc(view.text)}"]
    if view.answer:
        answered = slack_date(view.answered_at) if view.answered_at else ""
        shared = ", shared with every delegation" if view.published_at else ""
        lines.append(f"↳ _Answer by <@{view.answered_by}> {answered}{shared}:_ {esc(view.answer)}")
    return lines


def run_ask(muster: Muster, user: str, cmd: Ask | OpenAskForm) -> Reply:
    if isinstance(cmd, OpenAskForm):
        return form_reply(ask_form(muster.questions.ask_form(user)))
    view = muster.questions.ask(user, cmd.text, cmd.about)
    reply = (
        MessageBuilder(f"Question {view.ref} recorded")
        .lines(question_lines(view, view.asked_at))
        .context("The coordinators have been asked; you will get their answer here.")
        .build()
    )
    reply.announce_question = int(view.ref[2:])
    return reply


def run_answer(muster: Muster, user: str, cmd: AnswerQuestion) -> Reply:
    answered = muster.questions.answer(user, cmd.question_id, cmd.text, publish=cmd.publish)
    view = answered.view
    reply = (
        MessageBuilder(f"Answer to {view.ref} recorded")
        .lines(question_lines(view, muster.clock()))
        .context(answer_told(view, answered.sent, publish=cmd.publish))
        .build(notices=thread_notices(view))
    )
    reply.refresh_home = answered.members
    reply.send_notices = True
    return reply


def answer_told(view: QuestionView, sent: Sent, *, publish: bool) -> str:
    """What the coordinator who answered learns of who gets the answer."""
    who = view.delegation or "the asking delegation"
    told_to = [f"the {members(sent.asking)} of {who}"] if sent.asking else []
    if sent.duplicates:
        told_to.append(f"the delegations that asked {', '.join(sent.duplicates)}")
    told = (
        "Sent by direct message to " + " and to ".join(told_to)
        if told_to
        else f"{who} has no members to tell"
    )
    if view.published_at is not None:
        told += f"; shared with every delegation ({people(sent.total)} in all)"
        if publish:
            told += ", and the next digest lists it under “Answers for all”"
    return told + "."


def members(count: int) -> str:
    """After "the": "only member", "3 members"."""
    return "only member" if count == 1 else f"{count:,} members"


def people(count: int) -> str:
    return f"{count:,} {'person' if count == 1 else 'people'}"


def thread_notices(view: QuestionView) -> list[Notice]:
    """The thread where the question was announced hears the answer too; the asking
    delegation's members get it by direct message (handlers.answers)."""
    if not (view.announce_channel and view.announce_ts):
        return []
    text = f"Answered by <@{view.answered_by}>: {esc(view.answer)}"
    block = SectionBlock(text=MarkdownTextObject(text=truncate(text, 3000)))
    return [Notice(view.announce_channel, text, [block.to_dict()], thread_ts=view.announce_ts)]


def run_list(muster: Muster, user: str, cmd: ListQuestions) -> Reply:
    listing = muster.questions.question_page(user, cmd.scope, cmd.page)
    now = muster.clock()
    builder = MessageBuilder(
        f"{'Open questions' if cmd.scope == 'open' else 'All questions'} ({listing.page.total:,})"
    )
    if not listing.questions:
        return builder.line("No questions.").build()
    for view in listing.questions:
        builder.lines(question_lines(view, now))
    note = page_note(listing.page, f"questions {cmd.scope}")
    return (builder.context(note) if note else builder).build()


def run_status(muster: Muster, user: str, cmd: SetQuestionStatus) -> Reply:
    view = muster.questions.set_question_status(user, cmd.question_id, cmd.status)
    return (
        MessageBuilder(f"Question {view.ref} is {view.status.value}")
        .lines(question_lines(view, muster.clock()))
        .build()
    )


# --- forms, announcements and buttons ------------------------------------------------


def ask_form(requirements: Sequence[RequirementView]) -> dict[str, Any]:
    blocks = [
        forms.text_input(
            "question",
            "Your question",
            max_length=2000,
            multiline=True,
            placeholder="e.g. What are the rules of engagement for the force?",
        ),
    ]
    if requirements:  # before the first requirement there is nothing to ask about
        blocks.append(
            forms.select(
                "about",
                "About a requirement (optional)",
                groups=forms.requirement_groups(requirements),
                optional=True,
            )
        )
    return forms.modal("Ask the coordinators", CALLBACK_ASK, blocks, submit="Ask")


def parse_ask_form(view: dict[str, Any]) -> Ask:
    form = forms.Form(view)
    return Ask(form.required("question", "a question to ask"), form.choice("about"))


def announcement(view: QuestionView) -> tuple[str, list[dict[str, Any]]]:
    """The coordinators' channel hears of a new question, with a button to answer it."""
    about = f" on {view.about}" if view.about else ""
    text = f"New question {view.ref} from {view.delegation}{about}: {esc(view.text)}"
    body = f"*{view.ref}* from *{view.delegation}* (<@{view.asker}>){about}\n>{esc(view.text)}"
    block = SectionBlock(
        text=MarkdownTextObject(text=truncate(body, 3000)), accessory=answer_button(view.ref)
    )
    return truncate(text, 3000), [block.to_dict()]


def answer_form(view: QuestionView) -> dict[str, Any]:
    asked = SectionBlock(
        text=MarkdownTextObject(text=truncate("\n".join(question_lines(view, view.asked_at)), 3000))
    )
    blocks = [
        asked,
        forms.text_input(
            "answer", "Answer", max_length=2000, multiline=True, initial=view.answer or None
        ),
        forms.checkbox(
            "publish",
            "Who gets it",
            "Share with every delegation",
            "Every member of every delegation gets it, and the next digest lists it",
        ),
    ]
    return forms.modal(
        f"Answer {view.ref}",
        CALLBACK_ANSWER,
        blocks,
        submit="Answer",
        metadata={"question": int(view.ref[2:])},
    )


def parse_answer_form(view: dict[str, Any]) -> AnswerQuestion:
    form = forms.Form(view)
    return AnswerQuestion(
        int(form.metadata["question"]),
        form.required("answer", "an answer"),
        form.checked("publish"),
    )


def on_ask_submitted(
    ack: Callable[..., Any], body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]
) -> None:
    muster: Muster = context["muster"]
    user = body["user"]["id"]
    cmd = parse_ask_form(view)
    asked = muster.questions.ask(user, cmd.text, cmd.about)
    ack(
        response_action="update",
        view=forms.done(f"Question {asked.ref} sent", question_lines(asked, asked.asked_at)),
    )
    hand_off(context, FollowUps(announce_question=int(asked.ref[2:]), refresh_home=(user,)))


def on_answer_button(
    ack: Callable[..., Any], body: dict[str, Any], context: dict[str, Any], client: Any
) -> None:
    ack()
    muster: Muster = context["muster"]
    question_id = int(body["actions"][0]["value"].split("-")[1])
    view = muster.questions.question_to_answer(body["user"]["id"], question_id)
    open_form(client, body["trigger_id"], answer_form(view))


def on_answer_submitted(
    ack: Callable[..., Any], body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]
) -> None:
    muster: Muster = context["muster"]
    user = body["user"]["id"]
    cmd = parse_answer_form(view)
    answered = muster.questions.answer(user, cmd.question_id, cmd.text, publish=cmd.publish)
    shown = answered.view
    lines = [
        *question_lines(shown, muster.clock()),
        answer_told(shown, answered.sent, publish=cmd.publish),
    ]
    ack(response_action="update", view=forms.done(f"{shown.ref} answered", lines))
    hand_off(
        context,
        FollowUps(
            notices=tuple(thread_notices(shown)),
            refresh_home=(user, *answered.members),
            send_notices=True,
        ),
    )


ROUTES = [
    Route(("ask",), u.ASK, parse_ask, run_ask, changes=True, free_text=True),
    Route(("answer",), u.ANSWER, parse_answer, run_answer, changes=True, free_text=True),
    Route(("questions",), u.QUESTIONS, parse_list, run_list),
    Route(("question", "close"), u.QUESTION_STATUS, parse_close, run_status, changes=True),
    Route(("question", "reopen"), u.QUESTION_STATUS, parse_reopen, run_status, changes=True),
]
