"""Questions (requests for information) from delegations, and the coordinators' answers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from bot.domain import QuestionStatus
from bot.errors import BadInput
from bot.services import Muster
from bot.views import QuestionView
from handlers import usage as u
from handlers.blocks import MessageBuilder, Notice, Reply, esc, fmt_time
from handlers.grammar import QUESTION_REF, Args, expect_end, ref_number
from handlers.routing import Route

_ABOUT_REQUIREMENT = re.compile(r"^([A-Za-z]{2,8}-\d{1,4}):?$")
_ABOUT_OBJECTIVE = re.compile(r"^([A-Za-z]{2,8}):$")


@dataclass(frozen=True)
class Ask:
    text: str
    about: str | None = None


@dataclass(frozen=True)
class AnswerQuestion:
    question_id: int
    text: str


@dataclass(frozen=True)
class ListQuestions:
    scope: str = "open"


@dataclass(frozen=True)
class SetQuestionStatus:
    question_id: int
    status: QuestionStatus


def parse_ask(args: Args) -> Ask:
    first = args.get(0)
    if first is None:
        raise BadInput("What is your question?", str(u.ASK))
    for pattern in (_ABOUT_REQUIREMENT, _ABOUT_OBJECTIVE):
        match = pattern.match(first.text) if not first.quoted else None
        if match and len(args) > 1:
            return Ask(args.verbatim(1), match.group(1).upper())
    return Ask(args.verbatim(0))


def parse_answer(args: Args) -> AnswerQuestion:
    question_id = ref_number(args.get(0), QUESTION_REF, "question", str(u.ANSWER))
    text = args.verbatim(1)
    if not text:
        raise BadInput("Write the answer after the question's reference.", str(u.ANSWER))
    return AnswerQuestion(question_id, text)


def parse_list(args: Args) -> ListQuestions:
    scope = args.word(0) or "open"
    if scope not in ("open", "all"):
        raise BadInput(f"List `open` or `all` questions, not {scope!r}.", str(u.QUESTIONS))
    expect_end(args.tokens[1:], str(u.QUESTIONS))
    return ListQuestions(scope)


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
        return f"{days} day{'s' if days != 1 else ''}"
    hours = int((now - asked_at).total_seconds() // 3600)
    return f"{hours} h" if hours else "just now"


def question_lines(view: QuestionView, now: datetime) -> list[str]:
    who = view.delegation or "a delegation"
    about = f" on {view.about}" if view.about else ""
    head = (
        f"*{view.ref}* ({view.status.value}, asked by {who}{about}, {age(view.asked_at, now)} ago)"
    )
    lines = [head, f">{esc(view.text)}"]
    if view.answer:
        answered = fmt_time(view.answered_at) if view.answered_at else ""
        lines.append(f"↳ _Answer by <@{view.answered_by}> {answered}:_ {esc(view.answer)}")
    return lines


def run_ask(muster: Muster, user: str, cmd: Ask) -> Reply:
    view = muster.ask(user, cmd.text, cmd.about)
    return (
        MessageBuilder(f"Question {view.ref} recorded")
        .lines(question_lines(view, view.asked_at))
        .context("The coordinators have been asked; you will get their answer here.")
        .build()
    )


def run_answer(muster: Muster, user: str, cmd: AnswerQuestion) -> Reply:
    view = muster.answer(user, cmd.question_id, cmd.text)
    lines = question_lines(view, muster.clock())
    reply = MessageBuilder(f"Answer to {view.ref} recorded").lines(lines)
    if view.asker is None:
        return reply.build()
    told = MessageBuilder(f"Your question {view.ref} has been answered").lines(lines).build()
    return reply.context(f"<@{view.asker}> has been told.").build(
        notices=[Notice(channel=view.asker, text=told.text, blocks=told.blocks)]
    )


def run_list(muster: Muster, user: str, cmd: ListQuestions) -> Reply:
    views = muster.list_questions(user, cmd.scope)
    now = muster.clock()
    builder = MessageBuilder(
        f"{'Open questions' if cmd.scope == 'open' else 'All questions'} ({len(views)})"
    )
    if not views:
        return builder.line("No questions.").build()
    for view in views:
        builder.lines(question_lines(view, now))
    return builder.build()


def run_status(muster: Muster, user: str, cmd: SetQuestionStatus) -> Reply:
    view = muster.set_question_status(user, cmd.question_id, cmd.status)
    return (
        MessageBuilder(f"Question {view.ref} is {view.status.value}")
        .lines(question_lines(view, muster.clock()))
        .build()
    )


ROUTES = [
    Route(("ask",), u.ASK, parse_ask, run_ask),
    Route(("answer",), u.ANSWER, parse_answer, run_answer),
    Route(("questions",), u.QUESTIONS, parse_list, run_list),
    Route(("question", "close"), u.QUESTION_STATUS, parse_close, run_status),
    Route(("question", "reopen"), u.QUESTION_STATUS, parse_reopen, run_status),
]
